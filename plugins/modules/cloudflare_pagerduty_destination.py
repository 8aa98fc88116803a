#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudflare_pagerduty_destination
short_description: Connect PagerDuty to a Cloudflare account as a notification destination
version_added: 1.0.0
description:
  - Makes sure PagerDuty is connected to a Cloudflare account, and that given PagerDuty services are among its
    notification destinations, so that Cloudflare notification policies can page them.
  - Cloudflare's API cannot choose PagerDuty services or take routing keys. A person authorises the services in
    PagerDuty during a hand-off that starts in the Cloudflare dashboard. This module checks the result, and can
    drive the API's part of the hand-off in two runs. First O(create_token=true) creates a one-time connection
    token and returns it with the steps to follow. Then a person authorises the services, and a second run with
    O(token_id) links them to the account and checks that every service of O(services) is connected.
  - Without O(token_id) or O(create_token), a missing service makes the task fail with a message that names it
    and says how to connect it.
  - O(state=absent) removes B(every) PagerDuty destination of the account, because the API can only remove them
    all at once. Notification policies that use them stop paging.
  - Cloudflare lets an account use PagerDuty only on some plans. Before it creates a connection token, and when
    Cloudflare refuses to list the destinations, the module reads whether PagerDuty is eligible for the account
    (C(GET .../alerting/v3/destinations/eligible)). When Cloudflare says it is not, the task fails with a message
    that names the plan requirement instead of a bare refusal; after a refused list the message still starts with
    the request, its HTTP status and Cloudflare's own error texts. When the eligibility cannot be read or does not
    say, the module never guesses; it reports the refused list as it is, or sends the token request and lets
    Cloudflare's answer decide. A refusal of the credentials (Cloudflare code 10000) is not followed by this read,
    which needs the same permissions.
author:
  - oncall.pagerduty contributors (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.cloudflare
  - oncall.pagerduty.cloudflare.ACTION_GROUP
  - oncall.pagerduty.transport
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details:
      - In check mode the destinations are listed, and no write is sent. Creating a token, linking a token
        (although it is a C(GET)) and removing the destinations are all writes.
      - The eligibility is read in check mode too, so that a dry run of O(create_token=true) fails as the real run
        would on an account that cannot use PagerDuty.
      - When linking a token is predicted, Cloudflare cannot tell beforehand which services the token will bring.
        The returned RV(services) then adds one item for each requested entry that is not connected yet, with the
        id or the name that was requested and V(null) for the other.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the sorted names of the connected PagerDuty services before and after, as C(services).
options:
  state:
    description:
      - V(present) makes sure PagerDuty is connected and every service of O(services) is among the connected ones.
      - V(absent) removes every PagerDuty destination of the account if there is any. B(This removes all of them,
        not only the ones a play manages, and the notification policies that use them stop paging.) Cloudflare's
        API has no way to remove one service.
    type: str
    choices: [present, absent]
    default: present
  services:
    description:
      - The PagerDuty services that must be connected, each given by its name or by its Cloudflare destination id.
      - A name matches every connected service of that name (names need not be unique); an id matches one.
        To pick one of several services with the same name, give its id.
      - When not set, any connected PagerDuty service will do.
      - Only with O(state=present).
    type: list
    elements: str
  token_id:
    description:
      - A connection token made by an earlier run with O(create_token=true), for which a person has since authorised
        the services in PagerDuty.
      - Used only when something is missing; it is then linked to the account (which uses the token up), the
        destinations are listed again, and the task fails if a service of O(services) is still missing.
      - 32 hexadecimal characters or a UUID. Only with O(state=present). Mutually exclusive with O(create_token=true).
    type: str
  create_token:
    description:
      - When something is missing, create a one-time connection token and return it as RV(token_id), with the
        steps to follow in RV(next_step), instead of failing. The task then reports C(changed).
      - Only with O(state=present). Mutually exclusive with O(token_id).
    type: bool
    default: false
notes:
  - Cloudflare's notifications documentation says that PagerDuty is available if the account has at least one zone
    on a Business or higher plan.
  - Cloudflare connects PagerDuty through a browser hand-off, so no run of this module alone can connect a service
    that nobody authorised in PagerDuty.
  - Cloudflare changes which services are connected only through a new connection. When connecting, authorise in
    PagerDuty every service you need, including those connected already.
  - The returned RV(token_id) is a secret that Ansible does not hide by itself, since it is not an input of the task.
    Use C(no_log) on the task, or keep the token out of logs in another way.
seealso:
  - module: oncall.pagerduty.cloudflare_pagerduty_destination_info
  - name: Cloudflare notifications with PagerDuty
    description: How to connect PagerDuty in the Cloudflare dashboard.
    link: https://developers.cloudflare.com/notifications/get-started/configure-pagerduty/
  - name: Cloudflare API, PagerDuty destinations
    description: The four API calls this module uses.
    link: https://developers.cloudflare.com/api/resources/alerting/subresources/destinations/subresources/pagerduty/
  - name: Cloudflare API, delivery mechanism eligibility
    description: The read that tells whether PagerDuty is eligible for the account.
    link: https://developers.cloudflare.com/api/resources/alerting/subresources/destinations/subresources/eligible/
  - name: Cloudflare notifications
    description: Which plans can use PagerDuty.
    link: https://developers.cloudflare.com/notifications/
"""

EXAMPLES = r"""
- name: Fail unless PagerDuty services "payments" and "checkout" can be paged by Cloudflare
  oncall.pagerduty.cloudflare_pagerduty_destination:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ vault_cloudflare_api_token }}"
    services: [payments, checkout]

# Connecting in two runs. First run: get a connection token and the steps to follow.
# On an account whose plan cannot use PagerDuty, this fails before any token is created, naming the plan
# requirement: PagerDuty is available if the account has at least one zone on a Business or higher plan.
- name: Create a connection token if something is missing
  oncall.pagerduty.cloudflare_pagerduty_destination:
    services: [payments, checkout]
    create_token: true
  register: cloudflare_pagerduty
  no_log: true

- name: Tell the person what to do next (the token is shown on purpose; it is used up once linked)
  ansible.builtin.debug:
    msg:
      - "{{ cloudflare_pagerduty.next_step }}"
      - "token_id: {{ cloudflare_pagerduty.token_id }}"
  when: cloudflare_pagerduty.token_id is defined

# Second run, after a person authorised the services in PagerDuty: link them and check.
# The token can stay in the task: once everything is connected it is not used any more.
- name: Link the authorised services
  oncall.pagerduty.cloudflare_pagerduty_destination:
    services: [payments, checkout]
    token_id: "{{ cloudflare_pagerduty_token }}"  # the token_id of the first run, e.g. given with -e
  register: cloudflare_pagerduty

- name: Page the payments service when a Cloudflare origin is unreachable
  ansible.builtin.uri:
    url: "https://api.cloudflare.com/client/v4/accounts/{{ cloudflare_account_id }}/alerting/v3/policies"
    method: POST
    headers:
      Authorization: "Bearer {{ vault_cloudflare_api_token }}"
    body_format: json
    body:
      name: Origin unreachable
      alert_type: real_origin_monitoring
      enabled: true
      mechanisms:
        pagerduty:
          - id: "{{ (cloudflare_pagerduty.services | selectattr('name', 'equalto', 'payments') | first).id }}"
    status_code: [200, 201]

- name: Remove EVERY PagerDuty destination of the account (policies that use them stop paging)
  oncall.pagerduty.cloudflare_pagerduty_destination:
    state: absent

- name: Set the account and credentials once for every Cloudflare module of the play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.cloudflare:
      account_id: "{{ cloudflare_account_id }}"
      email: "{{ cloudflare_email }}"
      api_key: "{{ vault_cloudflare_global_api_key }}"
  tasks:
    - name: PagerDuty must be connected
      oncall.pagerduty.cloudflare_pagerduty_destination:
        state: present
"""

RETURN = r"""
services:
  description:
    - The PagerDuty services connected to the account after the run, in Cloudflare's order; empty when none.
    - In check mode, the prediction (see the check mode attribute for what it holds when linking is predicted).
    - The RV(services[].id) values are what notification policies take in C(mechanisms.pagerduty[].id).
  returned: success, and failures after the services were listed
  type: list
  elements: dict
  contains:
    id:
      description: The Cloudflare destination id of the PagerDuty service.
      type: str
      sample: 8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a
    name:
      description: The name of the PagerDuty service.
      type: str
      sample: payments
  sample:
    - id: 8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a
      name: payments
missing:
  description:
    - The entries of O(services) that are not connected after the run.
    - Not empty only when the task fails, or when it created a token (O(create_token=true)).
  returned: when O(state=present)
  type: list
  elements: str
  sample: [checkout]
token_id:
  description:
    - B(Sensitive.) The one-time connection token this run created, to be given as O(token_id) to the next run,
      after a person authorised the services in PagerDuty.
    - Ansible does not hide it in the output by itself; use C(no_log) on the task to keep it out of logs.
  returned: when O(create_token=true) created a token (never in check mode)
  type: str
  sample: 5f0c3b1e9a7d4c2b8e6f1a3d5c7b9e0f
next_step:
  description:
    - What a person must do to finish connecting, step by step. Also shown as a warning.
  returned: when O(create_token=true) was needed
  type: str
  sample: >-
    A one-time PagerDuty connection token was created for Cloudflare account 023e105f4ecef8ad9ca31a8372d0c353 and
    returned as token_id; it is a secret, keep it out of logs. Next: 1. In the Cloudflare dashboard, open
    Notifications > Destinations > PagerDuty > Connect. 2. Log in to PagerDuty and authorise these services:
    "payments", "checkout". 3. Run this task again with token_id set to the returned token_id and without
    create_token: that links the services to the account and checks them.
status:
  description:
    - The HTTP status of the request that failed.
    - Also when a refused list was found to come from the account's plan (the message then says so).
  returned: failure, when Cloudflare answered
  type: int
  sample: 403
api_errors:
  description: The error texts of Cloudflare's answer, each with its code and any chained errors.
  returned: failure, when Cloudflare answered
  type: list
  elements: str
  sample: ["6003: Invalid request headers (6111: Invalid format for Authorization header)"]
request:
  description: The method and path of the request that failed. A token in the path is shown as C({token_id}).
  returned: failure, when a request failed
  type: dict
  sample:
    method: GET
    path: /accounts/023e105f4ecef8ad9ca31a8372d0c353/alerting/v3/destinations/pagerduty
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare_messages as messages
from ansible_collections.oncall.pagerduty.plugins.module_utils._cloudflare import (
    LINK_USED_OR_UNKNOWN,
    CloudflarePagerDutyApi,
    NotEligible,
    cloudflare_argument_spec,
    connected_names,
    link_refusal,
    looks_like_id,
    missing_from,
    token_id_problem,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import TaskFailure, run_module


def argument_spec():
    return cloudflare_argument_spec(
        state=dict(type="str", default="present", choices=["present", "absent"]),
        services=dict(type="list", elements="str"),
        token_id=dict(type="str", no_log=True),
        create_token=dict(type="bool", default=False),
    )


def desired_problems(params):
    problems = []
    if params["state"] == "absent":
        if params.get("services") is not None:
            problems.append("services cannot be used with state=absent: Cloudflare can only remove every PagerDuty "
                            "destination of the account at once; leave services out to do that")
        if params.get("token_id") is not None or params.get("create_token"):
            problems.append("token_id and create_token are only used with state=present")
        return problems
    if params.get("token_id") is not None:
        if params.get("create_token"):
            problems.append("token_id and create_token=true are mutually exclusive: create_token makes a new token, "
                            "token_id links one made before")
        problem = token_id_problem(params["token_id"])
        if problem:
            problems.append(problem)
    for index, item in enumerate(params.get("services") or []):
        if not item.strip():
            problems.append("services[%d] must not be empty or blank" % index)
    return problems


def diff(before, after):
    """Ansible renders a dict diff as JSON, one name a line; the names are sorted, so order never shows as a change."""
    return dict(before=dict(services=connected_names(before)), after=dict(services=connected_names(after)))


def predicted_entry(wanted):
    """What check mode can tell of a service a token would bring: the id or the name the user gave."""
    return {"id": wanted, "name": None} if looks_like_id(wanted) else {"id": None, "name": wanted}


def connected_result(changed, before, after, requested, warnings=()):
    """Every requested service is connected."""
    return dict(changed=changed, services=after, missing=[], diff=diff(before, after),
                warnings=list(warnings) + messages.ambiguity_warnings(after, requested))


def converge(api, state, requested, token_id, create_token, check_mode):
    """Read, compare, act. Returns the module result, or raises TaskFailure (or ApiError)."""
    requested = list(requested or [])
    connected = list_connected(api)

    if state == "absent":
        changed = bool(connected)
        if changed and not check_mode:
            api.delete_all()
        return dict(changed=changed, services=[], diff=diff(connected, []))

    missing = missing_from(connected, requested)
    if connected and not missing:
        return connected_result(False, connected, connected, requested)

    account = api.account_id
    if token_id is not None:
        if check_mode:
            return connected_result(True, connected, connected + [predicted_entry(m) for m in missing], requested)
        return link(api, token_id, connected, requested)

    if create_token:
        refuse_unless_eligible(api, connected, missing)
        planned = diff(connected, connected)
        planned["after"]["connection_token"] = "(created, returned as token_id)"
        result = dict(changed=True, services=connected, missing=missing, diff=planned,
                      next_step=messages.next_step(account, connected, requested, check_mode))
        if not check_mode:
            result["token_id"] = create_token_once(api, connected, missing)
        result["warnings"] = messages.ambiguity_warnings(connected, requested) + [result["next_step"]]
        return result

    raise TaskFailure(messages.not_connected(account, connected, requested, missing), services=connected,
                      missing=missing)


def list_connected(api):
    """The connected services; a refused list that the account's eligibility explains fails saying so."""
    try:
        return api.list_services_or_not_eligible()
    except NotEligible as refused:
        raise TaskFailure(messages.refused_not_eligible(api.account_id, api.eligible_path, refused.refusal),
                          **refused.refusal.to_result())


def refuse_unless_eligible(api, connected, missing):
    """Before a connection token is created (and in check mode): fail when Cloudflare says the account may not use
    PagerDuty. When the eligibility cannot be read or does not say, go on: Cloudflare's answer to the token request
    decides, as it did before this check."""
    try:
        eligible = api.read_eligibility()["eligible"]
    except ApiError:
        return
    if eligible is False:
        raise TaskFailure(messages.token_not_eligible(api.account_id, api.eligible_path), services=connected,
                          missing=missing)


def create_token_once(api, connected, missing):
    try:
        return api.create_token()
    except ApiError as error:
        if not error.maybe_applied:
            raise
        raise TaskFailure(messages.token_outcome_unclear(error), services=connected, missing=missing,
                          **error.to_result())


def link(api, token_id, connected, requested):
    """Link the token, list again, and judge. The link uses the token up, so it is sent once."""
    warnings = messages.ambiguity_warnings(connected, requested)
    account = api.account_id
    lost = None
    try:
        api.link_token(token_id)
    except ApiError as error:
        if error.maybe_applied:
            lost = error  # no clear answer (lost, 5xx): the link may have been applied; the list tells
        else:
            refusal = link_refusal(error)
            if refusal == LINK_USED_OR_UNKNOWN:
                # Another run may have used this very token a moment ago: if what we need is connected now, all is well.
                now = api.list_services()
                if now and not missing_from(now, requested):
                    return connected_result(False, now, now, requested, warnings)
            raise TaskFailure(messages.link_refused(account, error, refusal), services=connected,
                              missing=missing_from(connected, requested), **error.to_result())

    after = api.list_services()
    missing = missing_from(after, requested)
    if after and not missing:
        return connected_result(True, connected, after, requested, warnings)
    fields = dict(changed=lost is None or after != connected, services=after, missing=missing)
    if lost is not None:
        fields.update(lost.to_result())
        raise TaskFailure(messages.link_outcome_unclear(lost, account, after, requested, missing), **fields)
    if not after:
        raise TaskFailure(messages.linked_nothing(account), **fields)
    raise TaskFailure(messages.linked_without(account, after, requested, missing), **fields)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, CloudflarePagerDutyApi, lambda api, params: converge(
        api, params["state"], params["services"], params["token_id"], params["create_token"], module.check_mode),
        task_problems=desired_problems)


if __name__ == "__main__":
    main()
