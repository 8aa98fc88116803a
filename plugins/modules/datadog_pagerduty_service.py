#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: datadog_pagerduty_service
short_description: Manage the PagerDuty service objects of Datadog's PagerDuty integration
version_added: 0.1.0
description:
  - Creates, updates and deletes a PagerDuty service object in Datadog, the link that lets monitors notify
    a PagerDuty service with C(@pagerduty-<service_name>).
  - Datadog never returns the service key. An existing object is therefore left alone unless
    O(update_key=always), which sends the key on every run and reports RV(ignore:changed).
  - The PagerDuty integration must already be installed in the Datadog organization; if it is not, the module
    fails and says so instead of treating every object as absent.
author:
  - oncall.pagerduty contributors
extends_documentation_fragment:
  - oncall.pagerduty.datadog
  - oncall.pagerduty.datadog.ACTION_GROUP
  - oncall.pagerduty.transport
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the object is read but no write request is sent.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check mode), when in diff mode.
    support: full
    details: The diff shows the service name; the key is never shown, only that it is replaced.
options:
  service_name:
    description:
      - The name of the PagerDuty service as Datadog knows it (C(@pagerduty-<service_name>) in monitors).
      - Must not be empty or blank and must not contain C(/), which Datadog cannot address.
    type: str
    required: true
    aliases: [name]
  service_key:
    description:
      - The integration key (routing key) of the PagerDuty service.
      - Required when O(state=present).
    type: str
  state:
    description:
      - V(present) makes sure the object exists; V(absent) makes sure it does not.
    type: str
    choices: [present, absent]
    default: present
  update_key:
    description:
      - V(on_create) sends O(service_key) only when the object is created, so a run over an existing object is
        C(ok). Use it when the key does not change.
      - V(always) sends O(service_key) to an existing object on every run and reports C(changed), because
        Datadog cannot tell whether the key differs. Use it once to rotate a key.
    type: str
    choices: [on_create, always]
    default: on_create
seealso:
  - module: oncall.pagerduty.datadog_pagerduty_service_info
  - name: Datadog PagerDuty integration
    description: How the integration and its service objects work.
    link: https://docs.datadoghq.com/integrations/pagerduty/
"""

EXAMPLES = r"""
- name: Link the PagerDuty service "payments" to Datadog
  oncall.pagerduty.datadog_pagerduty_service:
    service_name: payments
    service_key: "{{ vault_pagerduty_payments_key }}"
    api_key: "{{ vault_datadog_api_key }}"
    app_key: "{{ vault_datadog_app_key }}"
    site: datadoghq.eu

- name: Rotate the key of an existing link (reports changed on every run)
  oncall.pagerduty.datadog_pagerduty_service:
    service_name: payments
    service_key: "{{ vault_pagerduty_payments_new_key }}"
    update_key: always

- name: Remove a link, credentials taken from DD_API_KEY, DD_APP_KEY and DD_SITE
  oncall.pagerduty.datadog_pagerduty_service:
    service_name: legacy-billing
    state: absent

- name: Set the credentials once for every Datadog module of the play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/oncall.pagerduty.datadog:
      api_key: "{{ vault_datadog_api_key }}"
      app_key: "{{ vault_datadog_app_key }}"
  tasks:
    - name: Link the checkout service
      oncall.pagerduty.datadog_pagerduty_service:
        service_name: checkout
        service_key: "{{ vault_pagerduty_checkout_key }}"
"""

RETURN = r"""
service:
  description:
    - The service object after the run (as predicted in check mode); empty when it does not exist.
    - The key is never returned.
  returned: success
  type: dict
  contains:
    service_name:
      description: The name of the service object.
      type: str
      sample: payments
  sample:
    service_name: payments
key_sent:
  description: Whether the service key was sent to Datadog (or would have been, in check mode).
  returned: success
  type: bool
  sample: true
status:
  description: The HTTP status of the request that failed.
  returned: failure, when Datadog answered
  type: int
  sample: 403
api_errors:
  description: The error texts of Datadog's answer.
  returned: failure, when Datadog answered
  type: list
  elements: str
  sample: ["Forbidden"]
request:
  description: The method and path of the request that failed.
  returned: failure, when a request failed
  type: dict
  sample:
    method: GET
    path: /api/v1/integration/pagerduty/configuration/services/payments
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import (
    DatadogPagerDutyApi,
    connection_option_problems,
    datadog_argument_spec,
    service_name_problem,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._options import (
    fail_on_problems,
    fail_with_api_error,
    require_requests,
)

HIDDEN_KEY = "(hidden)"
REPLACED_KEY = "(hidden, replaced)"


def argument_spec():
    return datadog_argument_spec(
        service_name=dict(type="str", required=True, aliases=["name"]),
        service_key=dict(type="str", no_log=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        update_key=dict(type="str", default="on_create", choices=["on_create", "always"]),
    )


def desired_problems(params):
    problems = []
    name_problem = service_name_problem(params["service_name"])
    if name_problem:
        problems.append(name_problem)
    if params["state"] == "present" and not (params.get("service_key") or "").strip():
        problems.append("service_key must not be empty or blank when state=present")
    return problems


def converge(api, name, key, state, update_key, check_mode):
    """Read, compare, act. Returns the module result for one service object."""
    exists = api.get_service(name) is not None
    before = {"service_name": name} if exists else {}
    key_sent = False

    if state == "absent":
        if exists and not check_mode:
            api.delete_service(name)
        return dict(changed=exists, service={}, key_sent=False, diff=dict(before=before, after={}))

    changed = False
    after = {"service_name": name}
    if not exists:
        if check_mode or api.create_service(name, key):
            changed = key_sent = True
        else:
            # Lost a race: someone created it between our read and our POST. It exists now.
            exists, before = True, dict(after)
    if exists and update_key == "always":
        if not check_mode:
            api.update_service(name, key)
        changed = key_sent = True
        before = dict(before, service_key=HIDDEN_KEY)
        after = dict(after, service_key=REPLACED_KEY)
    return dict(changed=changed, service={"service_name": name}, key_sent=key_sent, diff=dict(before=before, after=after))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    require_requests(module)
    params = module.params
    fail_on_problems(module, connection_option_problems(params) + desired_problems(params))

    api = DatadogPagerDutyApi.from_params(params)
    try:
        result = converge(api, params["service_name"], params["service_key"], params["state"],
                          params["update_key"], module.check_mode)
    except ApiError as error:
        fail_with_api_error(module, error)
    if not module._diff:
        result.pop("diff")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
