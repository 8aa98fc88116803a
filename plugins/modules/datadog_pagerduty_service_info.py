#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: datadog_pagerduty_service_info
short_description: Read PagerDuty service objects of Datadog's PagerDuty integration
version_added: 1.0.0
description:
  - Tells which of the given PagerDuty service objects exist in Datadog, or, without O(service_names), lists
    every service object of the organization.
  - With O(service_names), each name costs one documented read.
  - Without O(service_names), one read of the integration-level object C(GET /api/v1/integration/pagerduty)
    lists them all. Datadog no longer documents that read (its own Terraform provider still uses it); when it
    is refused or answers something else, the module fails, says that listing is unavailable for the
    organization, and never guesses. The module never writes that object.
  - The service keys are never returned by Datadog, so they are not returned here either.
author:
  - oncall.pagerduty contributors (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.datadog
  - oncall.pagerduty.datadog.ACTION_GROUP
  - oncall.pagerduty.transport
  - oncall.pagerduty.attributes.INFO_MODULE
options:
  service_names:
    description:
      - The names of the service objects to look for.
      - A name must not be empty or blank and must not contain C(/).
      - Leave it out to list every service object of the organization. An empty list reads nothing and returns
        no services, so a template that renders an empty list never turns a lookup into a listing.
    type: list
    elements: str
    aliases: [names]
  concurrency:
    description:
      - How many names are read at once, from 1 to 32, over one HTTP session.
    type: int
    default: 16
seealso:
  - module: oncall.pagerduty.datadog_pagerduty_service
"""

EXAMPLES = r"""
- name: Which of our PagerDuty services are linked in Datadog?
  oncall.pagerduty.datadog_pagerduty_service_info:
    service_names: [payments, checkout, search]
  register: linked

- name: Fail when a service is not linked
  ansible.builtin.assert:
    that: linked.missing | length == 0
    fail_msg: "Not linked in Datadog: {{ linked.missing | join(', ') }}"

- name: Every PagerDuty service object of the organization
  oncall.pagerduty.datadog_pagerduty_service_info:
  register: every_service

- name: Show the objects nobody declared in pagerduty_service_keys
  ansible.builtin.debug:
    msg: "{{ every_service.services | map(attribute='service_name') | difference(pagerduty_service_keys.keys()) }}"
"""

RETURN = r"""
services:
  description:
    - The service objects that exist, in the order they were asked for.
    - Without O(service_names), every service object of the organization, in Datadog's order.
  returned: success
  type: list
  elements: dict
  contains:
    service_name:
      description: The name of the service object.
      type: str
  sample:
    - service_name: payments
missing:
  description: The names that have no service object (always empty without O(service_names)).
  returned: success
  type: list
  elements: str
  sample: [search]
status:
  description: The HTTP status of the request that failed.
  returned: failure, when Datadog answered
  type: int
api_errors:
  description: The error texts of Datadog's answer.
  returned: failure, when Datadog answered
  type: list
  elements: str
request:
  description: The method and path of the request that failed.
  returned: failure, when a request failed
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import (
    DatadogPagerDutyApi,
    datadog_argument_spec,
    service_name_problem,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module
from ansible_collections.oncall.pagerduty.plugins.module_utils._options import concurrency_problem


def names_problems(params):
    names = params["service_names"] or []
    problems = [service_name_problem(name, "service_names[%d]" % i) for i, name in enumerate(names)]
    return [p for p in problems + [concurrency_problem(params["concurrency"])] if p]


def read(api, params):
    if params["service_names"] is None:
        return dict(changed=False, services=[{"service_name": name} for name in api.list_services()], missing=[])
    found = api.read_services(params["service_names"], params["concurrency"])
    for name in params["service_names"]:
        if isinstance(found[name], ApiError):
            raise found[name]
    return dict(changed=False, services=[{"service_name": name} for name in found if found[name]],
                missing=[name for name in found if not found[name]])


def main():
    module = AnsibleModule(
        argument_spec=datadog_argument_spec(
            service_names=dict(type="list", elements="str", aliases=["names"]),
            concurrency=dict(type="int", default=16),
        ),
        supports_check_mode=True,
    )
    run_module(module, DatadogPagerDutyApi, read, task_problems=names_problems, pool_size=module.params["concurrency"])


if __name__ == "__main__":
    main()
