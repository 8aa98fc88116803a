#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cloudflare_pagerduty_destination_info
short_description: List the PagerDuty services connected to a Cloudflare account
version_added: 0.1.0
description:
  - Lists the PagerDuty services connected to a Cloudflare account as notification destinations, with the ids that
    Cloudflare notification policies take.
  - Cloudflare lists PagerDuty destinations only for accounts on a Business or Enterprise plan.
author:
  - oncall.pagerduty contributors (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.cloudflare
  - oncall.pagerduty.cloudflare.ACTION_GROUP
  - oncall.pagerduty.transport
  - oncall.pagerduty.attributes.INFO_MODULE
seealso:
  - module: oncall.pagerduty.cloudflare_pagerduty_destination
"""

EXAMPLES = r"""
- name: Which PagerDuty services can Cloudflare page?
  oncall.pagerduty.cloudflare_pagerduty_destination_info:
    account_id: 023e105f4ecef8ad9ca31a8372d0c353
    api_token: "{{ vault_cloudflare_api_token }}"
  register: cloudflare_pagerduty

- name: Show their names and ids
  ansible.builtin.debug:
    msg: "{{ cloudflare_pagerduty.services | items2dict(key_name='name', value_name='id') }}"
"""

RETURN = r"""
services:
  description: The PagerDuty services connected to the account, in Cloudflare's order; empty when none.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The Cloudflare destination id, what notification policies take in C(mechanisms.pagerduty[].id).
      type: str
      sample: 8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a
    name:
      description: The name of the PagerDuty service. Names need not be unique.
      type: str
      sample: payments
  sample:
    - id: 8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a
      name: payments
status:
  description: The HTTP status of the request that failed.
  returned: failure, when Cloudflare answered
  type: int
api_errors:
  description: The error texts of Cloudflare's answer, each with its code and any chained errors.
  returned: failure, when Cloudflare answered
  type: list
  elements: str
request:
  description: The method and path of the request that failed.
  returned: failure, when a request failed
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.oncall.pagerduty.plugins.module_utils._cloudflare import (
    CloudflarePagerDutyApi,
    cloudflare_argument_spec,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def main():
    module = AnsibleModule(argument_spec=cloudflare_argument_spec(), supports_check_mode=True)
    run_module(module, CloudflarePagerDutyApi, lambda api, params: dict(changed=False, services=api.list_services()))


if __name__ == "__main__":
    main()
