# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Credentials and endpoint of every Datadog module.
    DOCUMENTATION = r"""
options:
  api_key:
    description:
      - Datadog API key, sent as the C(DD-API-KEY) header.
      - If not set, the environment variable E(DD_API_KEY) is used.
    type: str
    required: true
  app_key:
    description:
      - Datadog application key, sent as the C(DD-APPLICATION-KEY) header.
      - Reading needs the C(integrations_read) permission, changing needs C(manage_integrations).
      - If not set, the environment variable E(DD_APP_KEY) is used.
    type: str
    required: true
    aliases: [application_key]
  site:
    description:
      - The Datadog site of the organization; the API is reached at C(https://api.<site>).
      - If not set, the environment variable E(DD_SITE) is used.
    type: str
    default: datadoghq.com
    choices:
      - datadoghq.com
      - us3.datadoghq.com
      - us5.datadoghq.com
      - ap1.datadoghq.com
      - ap2.datadoghq.com
      - uk1.datadoghq.com
      - datadoghq.eu
      - ddog-gov.com
      - us2.ddog-gov.com
  api_url:
    description:
      - Full base URL of the API, for example C(https://api.datadoghq.eu) or a proxy or test sandbox.
      - Wins over O(site) when set.
      - If not set, the environment variable E(DD_HOST) is used.
    type: str
"""

    ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oncall.pagerduty.datadog) in C(module_defaults) to set the credentials once for all Datadog modules.
    support: full
    membership:
      - oncall.pagerduty.datadog
"""
