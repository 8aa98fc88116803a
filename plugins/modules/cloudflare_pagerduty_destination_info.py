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
version_added: 1.0.0
description:
  - Lists the PagerDuty services connected to a Cloudflare account as notification destinations, with the ids that
    Cloudflare notification policies take.
  - Also returns whether PagerDuty is eligible for the account (RV(eligible)), read from Cloudflare's delivery
    mechanism eligibility (C(GET .../alerting/v3/destinations/eligible)) after the list.
  - Cloudflare lets an account use PagerDuty only on some plans. When Cloudflare refuses the list and its eligibility
    says PagerDuty is not eligible for the account, the task B(succeeds) with RV(eligible=false) and an empty
    RV(services), since no PagerDuty service can be connected to such an account; a play that loops over accounts
    can branch on RV(eligible) instead of handling a failure. Any other refusal, or one that the eligibility does not
    explain (it says true, or cannot be read), fails as before, with the request, the HTTP status and Cloudflare's
    own error texts.
  - When the list succeeds but the eligibility cannot be read, the task still succeeds with the services,
    RV(eligible=null) and a warning that says why.
author:
  - oncall.pagerduty contributors (@oncall)
extends_documentation_fragment:
  - oncall.pagerduty.cloudflare
  - oncall.pagerduty.cloudflare.ACTION_GROUP
  - oncall.pagerduty.transport
  - oncall.pagerduty.attributes.INFO_MODULE
notes:
  - Cloudflare's notifications documentation says that PagerDuty is available if the account has at least one zone
    on a Business or higher plan.
seealso:
  - module: oncall.pagerduty.cloudflare_pagerduty_destination
  - name: Cloudflare notifications
    description: Which plans can use PagerDuty.
    link: https://developers.cloudflare.com/notifications/
  - name: Cloudflare API, delivery mechanism eligibility
    description: The read behind RV(eligible) and RV(ready).
    link: https://developers.cloudflare.com/api/resources/alerting/subresources/destinations/subresources/eligible/
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

- name: Say so when the account's plan cannot use PagerDuty
  ansible.builtin.debug:
    msg: >-
      Cloudflare account {{ cloudflare_account_id }} cannot use PagerDuty: PagerDuty is available if the account
      has at least one zone on a Business or higher plan.
  when: cloudflare_pagerduty.eligible is false
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
eligible:
  description:
    - Whether PagerDuty is eligible for the account, as Cloudflare's delivery mechanism eligibility says.
    - V(false) when the account's plan cannot use PagerDuty; RV(services) is then empty if Cloudflare refused to
      list them.
    - V(null) when Cloudflare's answer does not say (no C(pagerduty) entry, or one without the flag), or when it
      could not be read (a warning then says why). Test it with C(is true) or C(is false), not as a truth value.
  returned: success
  type: bool
  sample: true
ready:
  description:
    - Cloudflare's beta flag for PagerDuty in the same answer. Cloudflare lets policies use a mechanism that is not
      ready, but does not guarantee that its notifications are delivered. The modules do not act on it.
    - V(null) when Cloudflare's answer does not say, or could not be read.
  returned: success
  type: bool
  sample: true
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

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare_messages as messages
from ansible_collections.oncall.pagerduty.plugins.module_utils._cloudflare import (
    CloudflarePagerDutyApi,
    NotEligible,
    cloudflare_argument_spec,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.plugins.module_utils._module import run_module


def read(api):
    """The services, then the eligibility: reads only."""
    try:
        services = api.list_services_or_not_eligible()
    except NotEligible as refused:
        # The plan refuses PagerDuty: no service can be connected. That is the answer, not a failure.
        return dict(changed=False, services=[], **refused.eligibility)
    try:
        eligibility = api.read_eligibility()
    except ApiError as error:
        return dict(changed=False, services=services, eligible=None, ready=None,
                    warnings=[messages.eligibility_unknown(api.account_id, error)])
    return dict(changed=False, services=services, **eligibility)


def main():
    module = AnsibleModule(argument_spec=cloudflare_argument_spec(), supports_check_mode=True)
    run_module(module, CloudflarePagerDutyApi, lambda api, params: read(api))


if __name__ == "__main__":
    main()
