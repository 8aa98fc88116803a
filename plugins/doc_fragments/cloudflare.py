# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Account, credentials and endpoint of every Cloudflare module.
    DOCUMENTATION = r"""
options:
  account_id:
    description:
      - The Cloudflare account ID, 32 hexadecimal characters (dashboard, Account Home, the account's menu, Copy account ID).
      - Checked before any request is sent; a zone ID, an account name or an email address is refused.
      - If not set, the environment variable E(CLOUDFLARE_ACCOUNT_ID) is used. One of the two is required.
    type: str
  api_token:
    description:
      - "A Cloudflare API token, sent as C(Authorization: Bearer <token>). The preferred way to authenticate."
      - It needs the C(Notifications) permission (read to list, edit to connect or delete) on the account.
      - Either O(api_token), or O(email) with O(api_key), is required. They are mutually exclusive.
      - Credentials set in the task win over the environment. When the task sets O(api_token) and the other way comes
        only from E(CLOUDFLARE_EMAIL) and E(CLOUDFLARE_API_KEY), those are ignored, and the other way round.
      - If not set, the environment variable E(CLOUDFLARE_API_TOKEN) is used.
    type: str
  api_key:
    description:
      - The global API key of the user O(email), sent as C(X-Auth-Key). Use O(api_token) where you can.
      - Requires O(email).
      - If not set, the environment variable E(CLOUDFLARE_API_KEY) is used.
    type: str
  email:
    description:
      - The email address of the user whose global O(api_key) is used, sent as C(X-Auth-Email).
      - If not set, the environment variable E(CLOUDFLARE_EMAIL) is used.
    type: str
  api_url:
    description:
      - Base URL of the Cloudflare API v4, for example a proxy or a test sandbox.
      - If not set, the environment variable E(CLOUDFLARE_BASE_URL) is used.
    type: str
    default: https://api.cloudflare.com/client/v4
"""

    ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/oncall.pagerduty.cloudflare) in C(module_defaults) to set the credentials once for all Cloudflare modules.
    support: full
    membership:
      - oncall.pagerduty.cloudflare
"""
