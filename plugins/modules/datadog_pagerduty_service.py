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
version_added: 1.0.0
description:
  - Creates, updates and deletes a PagerDuty service object in Datadog, the link that lets monitors notify
    a PagerDuty service with C(@pagerduty-<service_name>).
  - Datadog never returns the service key. An existing object is therefore left alone unless
    O(update_key=always), which sends the key on every run and reports RV(ignore:changed).
  - The PagerDuty integration must already be installed in the Datadog organization; if it is not, the module
    fails and says so instead of treating every object as absent.
author:
  - oncall.pagerduty contributors (@oncall)
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
    details:
      - The diff shows the service name; the key is never shown, only that it is replaced.
      - With O(services), the diff holds the objects that change, by name.
options:
  service_name:
    description:
      - The name of the PagerDuty service as Datadog knows it (C(@pagerduty-<service_name>) in monitors).
      - Must not be empty or blank and must not contain C(/), which Datadog cannot address.
      - Exactly one of O(service_name) and O(services) is required.
    type: str
    aliases: [name]
  service_key:
    description:
      - The integration key (routing key) of the PagerDuty service.
      - Required when O(state=present).
    type: str
  state:
    description:
      - V(present) makes sure the object exists; V(absent) makes sure it does not.
      - With O(services), the state of every entry that does not set its own.
    type: str
    choices: [present, absent]
    default: present
  services:
    description:
      - Many service objects in one task, over one HTTP session. Much faster than a loop, which pays an
        Ansible task, a Python process and a TLS handshake per object.
      - The objects are read in parallel (O(concurrency) at a time) and changed one at a time, in list order,
        because Datadog does not support parallel changes to these objects.
      - Every entry is validated before any request is sent. When some entries fail, the others are still
        applied and the task fails listing each failure; RV(results) tells which is which.
      - A rate limit (HTTP 429) met by one read pauses the whole batch as long as Datadog asks.
    type: list
    elements: dict
    suboptions:
      service_name:
        description: As O(service_name). Each name may appear once.
        type: str
        required: true
        aliases: [name]
      service_key:
        description: As O(service_key). Required when the entry's state is V(present).
        type: str
      state:
        description: As O(state); defaults to O(state).
        type: str
        choices: [present, absent]
      update_key:
        description: As O(update_key); defaults to O(update_key).
        type: str
        choices: [on_create, always]
  purge_services:
    description:
      - With O(services), also delete B(every) service object of the organization that O(services) does not
        list. Monitors that notify a deleted object (C(@pagerduty-<service_name>)) stop paging.
      - The objects are listed through the integration-level read C(GET /api/v1/integration/pagerduty), which
        Datadog no longer documents. When that read is refused or answers something else, the task fails before
        any write, and nothing is deleted.
      - Check mode and the diff show exactly which objects would be deleted; RV(purged) names them.
      - An object Datadog lists under a name its API cannot address (one with C(/)) cannot be deleted by any
        request; it is left, named in RV(not_purged) and in a warning, and the task does not fail for it.
      - An empty O(services) with O(purge_services=true) is refused before anything is sent, because it would
        delete every object, and a list that a template left empty by mistake must never do that. To delete
        every object on purpose, list each one with O(services[].state=absent) (the info module lists them).
    type: bool
    default: false
  concurrency:
    description:
      - With O(services), how many reads run at once, from 1 to 32.
      - Writes always run one at a time.
      - The default of 16 makes 40 reads cost about 3 round trips; Datadog's rate limit (12000 requests a
        minute per organization) is far away.
    type: int
    default: 16
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

- name: Manage many links in one task (reads in parallel, writes one at a time)
  oncall.pagerduty.datadog_pagerduty_service:
    services:
      - service_name: payments
        service_key: "{{ vault_pagerduty_payments_key }}"
      - service_name: checkout
        service_key: "{{ vault_pagerduty_checkout_key }}"
      - service_name: legacy-billing
        state: absent
  register: links

- name: Exactly the declared links and no other (deletes every object not listed; preview with --check --diff)
  oncall.pagerduty.datadog_pagerduty_service:
    services: "{{ pagerduty_datadog_services }}"   # [{service_name, service_key}, ...], keys from Vault
    purge_services: true
  register: links   # links.purged: the names deleted

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
  returned: success, with O(service_name)
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
  returned: success, with O(service_name)
  type: bool
  sample: true
results:
  description: One entry per element of O(services), in the same order.
  returned: with O(services), on success and on failure
  type: list
  elements: dict
  contains:
    service_name:
      description: The name of the service object.
      type: str
    state:
      description: The state asked for.
      type: str
    changed:
      description: Whether this object was changed (or would be, in check mode).
      type: bool
    key_sent:
      description: Whether the key of this object was sent (or would be, in check mode).
      type: bool
    failed:
      description: Present and true when this entry failed.
      type: bool
      returned: when the entry failed
    msg:
      description: Why this entry failed, naming the method, path, status and Datadog's message.
      type: str
      returned: when the entry failed
    purged:
      description: Present and true for an object deleted (or to be deleted) by O(purge_services).
      type: bool
      returned: with O(purge_services=true), for the objects it deletes
  sample:
    - {service_name: payments, state: present, changed: true, key_sent: true}
    - {service_name: legacy-billing, state: absent, changed: false, key_sent: false}
purged:
  description: The service objects O(purge_services) deleted (or would delete, in check mode), in Datadog's order.
  returned: with O(purge_services=true)
  type: list
  elements: str
  sample: [old-team-service]
not_purged:
  description:
    - Undeclared service objects that O(purge_services) cannot delete, because Datadog lists them under a name
      its API cannot address (one with C(/), created before such names were refused). A warning names them;
      remove them in Datadog's PagerDuty integration tile.
  returned: with O(purge_services=true)
  type: list
  elements: str
  sample: []
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

from ansible.module_utils.basic import AnsibleModule, _load_params

from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import (
    DatadogPagerDutyApi,
    datadog_argument_spec,
    addressable,
    service_name_problem,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import TaskFailure, fail_on_problems, run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._options import concurrency_problem

HIDDEN_KEY = "(hidden)"
REPLACED_KEY = "(hidden, replaced)"
STATES = ["present", "absent"]
UPDATE_KEY = ["on_create", "always"]


def argument_spec(services_are_dicts=True):
    services = dict(type="list", elements="dict", options=dict(
        service_name=dict(type="str", required=True, aliases=["name"]),
        service_key=dict(type="str", no_log=True),
        state=dict(type="str", choices=STATES),
        update_key=dict(type="str", choices=UPDATE_KEY),
    ))
    if not services_are_dicts:
        services = dict(type="list", elements="raw")
    return datadog_argument_spec(
        service_name=dict(type="str", aliases=["name"]),
        service_key=dict(type="str", no_log=True),
        state=dict(type="str", default="present", choices=STATES),
        update_key=dict(type="str", default="on_create", choices=UPDATE_KEY),
        services=services,
        purge_services=dict(type="bool", default=False),
        concurrency=dict(type="int", default=16),
    )


def given_arguments():
    """The arguments as the task gave them, before Ansible's validation converts them."""
    try:
        given = _load_params()
    except Exception:  # pylint: disable=broad-exception-caught
        given = None
    return given if isinstance(given, dict) else {}  # none to read, e.g. while sanity tests inspect the spec


def name_type_problems(given):
    """type=str turns {"team": "payments"} into the name "{'team': 'payments'}" without a word: refuse it."""
    names = [("service_name", given.get("service_name", given.get("name")))]
    if isinstance(given.get("services"), list):
        names += [("services[%d].service_name" % i, e.get("service_name", e.get("name")))
                  for i, e in enumerate(given["services"]) if isinstance(e, dict)]
    return ["%s must be a string, got %s" % (option, type(value).__name__) for option, value in names
            if isinstance(value, (dict, list, bool))]


def refuse_services_that_are_not_dicts(module, given):
    """An entry that is not a dict makes Ansible drop every no_log value from its error, keys included
    (ansible/ansible#81672), so such a list is taken as raw, its keys are hidden here, and it is refused."""
    for entry in (given if isinstance(given, list) else [given]) + list(module.params["services"] or []):
        if isinstance(entry, dict) and entry.get("service_key"):
            module.no_log_values.add(str(entry["service_key"]))
        elif not isinstance(entry, dict) and entry is not None and str(entry).strip():
            # Text such as "[{'service_name': 'a', 'service_key': '...'}]" (key=value arguments are not YAML)
            # may hold a key: none of it is shown.
            module.no_log_values.add(str(entry))
    kinds = ["services[%d] is a %s" % (i, type(e).__name__) for i, e in enumerate(module.params["services"])
             if not isinstance(e, dict)]
    fail_on_problems(module, ["services must be a list of dicts like {service_name: ..., service_key: ...}; %s"
                              % ", ".join(kinds)])


def desired_services(params):
    """The desired objects as a list of complete entries, whether given one or many."""
    if params.get("services") is None:
        entries = [params]
    else:
        entries = params["services"]
    return [dict(service_name=entry["service_name"], service_key=entry.get("service_key"),
                 state=entry.get("state") or params["state"], update_key=entry.get("update_key") or params["update_key"])
            for entry in entries]


def desired_problems(params, desired=None):
    """Everything wrong with the desired state, found before any request is sent."""
    batch = params.get("services") is not None
    problems = [p for p in [concurrency_problem(params["concurrency"]) if batch else None] if p]
    if params.get("purge_services") and not batch:
        problems.append("purge_services needs services: it deletes what the services list does not declare")
    elif params.get("purge_services") and not params["services"]:
        problems.append("services is empty and purge_services=true: that would delete every PagerDuty service object "
                        "of the organization, so it is refused (an empty list is more often a template's mistake than "
                        "an intent); to delete them all, list each with state=absent")
    seen = set()
    for index, entry in enumerate(desired or desired_services(params)):
        option = "services[%d].service_name" % index if batch else "service_name"
        name_problem = service_name_problem(entry["service_name"], option)
        if name_problem:
            problems.append(name_problem)
        elif entry["service_name"] in seen:
            problems.append("%s %r is listed more than once" % (option, entry["service_name"]))
        seen.add(entry["service_name"])
        if entry["state"] == "present" and not (entry.get("service_key") or "").strip():
            problems.append("%s must not be empty or blank when state=present"
                            % ("services[%d].service_key" % index if batch else "service_key"))
    return problems


def converge(api, name, key, state, update_key, check_mode, exists=None):
    """Read (unless already read), compare, act. Returns the module result for one service object."""
    if exists is None:
        exists = api.get_service(name) is not None
    before = {"service_name": name} if exists else {}
    key_sent = False

    if state == "absent":
        changed = exists
        if exists and not check_mode:
            # False: someone else deleted it between our read and our DELETE; this run changed nothing.
            changed = api.delete_service(name)
        return dict(changed=changed, service={}, key_sent=False,
                    diff=dict(before=before if changed else {}, after={}))

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


def converge_batch(api, desired, check_mode, concurrency, purge=False):
    """Reads in parallel, writes one at a time (Datadog does not support parallel changes).

    Every entry is attempted; an entry whose read or write failed carries its error. With purge, one listing
    replaces the reads, and every listed object that desired does not declare is deleted too; a listing that
    fails raises before any write.
    """
    names = [entry["service_name"] for entry in desired]
    purged, unaddressable = [], []
    if purge:
        listed = api.list_services()
        current = dict((name, name in listed) for name in names)
        undeclared = [name for name in listed if name not in current]
        # Datadog lists names it cannot address (created with '/'): no request can delete them.
        unaddressable = [name for name in undeclared if not addressable(name)]
        purged = [name for name in undeclared if name not in unaddressable]
        current.update((name, True) for name in purged)
        desired = desired + [dict(service_name=name, service_key=None, state="absent", update_key="on_create",
                                  purged=True) for name in purged]
    else:
        current = api.read_services(names, concurrency)
    results, before, after = [], {}, {}
    for entry in desired:
        name = entry["service_name"]
        result = dict(service_name=name, state=entry["state"], changed=False, key_sent=False)
        if entry.get("purged"):
            result["purged"] = True
        try:
            if isinstance(current[name], ApiError):
                raise current[name]
            outcome = converge(api, name, entry["service_key"], entry["state"], entry["update_key"], check_mode,
                               exists=current[name])
        except ApiError as error:
            result.update(failed=True, msg=str(error), **error.to_result())
        else:
            result.update(changed=outcome["changed"], key_sent=outcome["key_sent"])
            if outcome["changed"]:  # a diff of hundreds of unchanged objects would hide the few that change
                before[name], after[name] = outcome["diff"]["before"], outcome["diff"]["after"]
        results.append(result)
    outcome = dict(changed=any(r["changed"] for r in results), results=results, diff=dict(before=before, after=after))
    if purge:
        outcome["purged"] = [r["service_name"] for r in results if r.get("purged") and r["changed"]]
        outcome["not_purged"] = unaddressable
        if unaddressable:
            outcome["warnings"] = ["purge_services left %s: Datadog lists them, but their names cannot be addressed "
                                   "through its API (they contain '/'); remove them in Datadog's PagerDuty "
                                   "integration tile" % ", ".join(repr(name) for name in unaddressable)]
    return outcome


def converge_task(api, params, check_mode):
    """One service object, or the services batch, whose partial failure fails the task after the others applied."""
    if params["services"] is None:
        return converge(api, params["service_name"], params["service_key"], params["state"], params["update_key"],
                        check_mode)
    desired = desired_services(params)
    result = converge_batch(api, desired, check_mode, params["concurrency"], purge=params["purge_services"])
    failures = [r for r in result["results"] if r.get("failed")]
    if failures:
        raise TaskFailure("%d of %d service objects failed (the others were applied): %s" % (
            len(failures), len(result["results"]), "; ".join("%s: %s" % (r["service_name"], r["msg"]) for r in failures)), **result)
    return result


def main():
    given = given_arguments()
    services = given.get("services")
    services_are_dicts = services is None or (isinstance(services, list) and all(isinstance(e, dict) for e in services))
    module = AnsibleModule(
        argument_spec=argument_spec(services_are_dicts),
        supports_check_mode=True,
        required_one_of=[("service_name", "services")],
        mutually_exclusive=[("service_name", "services"), ("service_key", "services")],
    )
    if not services_are_dicts:
        refuse_services_that_are_not_dicts(module, services)
    batch = module.params["services"] is not None
    run_module(module, DatadogPagerDutyApi, lambda api, params: converge_task(api, params, module.check_mode),
               task_problems=lambda params: name_type_problems(given) + desired_problems(params),
               pool_size=module.params["concurrency"] if batch else 1)


if __name__ == "__main__":
    main()
