# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's facts, defined once: the credentials and account it accepts, and where it serves what.

server.py, process.py and client.py import it, and so do the tests, tools/demo.py and tools/bench.py.
Molecule cannot import Python: extensions/molecule/utils/vars/sandbox.yml repeats the values it needs,
and tests/unit/sandbox/test_facts.py checks that they are these. Standard library only (nothing imported).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Datadog: DD-API-KEY and DD-APPLICATION-KEY.
DATADOG_API_KEY = "sandbox-api-key"
DATADOG_APP_KEY = "sandbox-app-key"
# Cloudflare: an API token (Authorization: Bearer), or an email and a global API key (X-Auth-Email, X-Auth-Key).
CLOUDFLARE_API_TOKEN = "sandbox-token"
CLOUDFLARE_EMAIL = "sandbox@example.com"
CLOUDFLARE_API_KEY = "sandbox-global-key"
CLOUDFLARE_ACCOUNT_ID = "023e105f4ecef8ad9ca31a8372d0c353"

# The credentials that are secrets: no output of a run may show them.
SECRETS = (DATADOG_API_KEY, DATADOG_APP_KEY, CLOUDFLARE_API_TOKEN, CLOUDFLARE_API_KEY)

# Datadog is served at the root of the sandbox's URL, Cloudflare under CLOUDFLARE_PREFIX, and the
# control API (reset, journal, faults, settings, rate limits, state) under CONTROL_PREFIX.
DATADOG_SERVICES_PATH = "/api/v1/integration/pagerduty/configuration/services"
# The integration-level object (undocumented since 2020): its GET lists every service object, keys masked.
DATADOG_INTEGRATION_PATH = "/api/v1/integration/pagerduty"
CLOUDFLARE_PREFIX = "/client/v4"
CONTROL_PREFIX = "/_sandbox"

# `python tests/sandbox/server.py` prints this, then its URL (http://HOST:PORT or https://...), as its first line.
LISTENING_LINE = "sandbox listening on "


def cloudflare_eligible_path(account_id=CLOUDFLARE_ACCOUNT_ID):
    """Which notification mechanisms the account's plan allows, below CLOUDFLARE_PREFIX."""
    return "/accounts/%s/alerting/v3/destinations/eligible" % account_id


def cloudflare_destinations_path(account_id=CLOUDFLARE_ACCOUNT_ID):
    """The PagerDuty destinations path of an account, below CLOUDFLARE_PREFIX (the path Cloudflare's errors show)."""
    return "/accounts/%s/alerting/v3/destinations/pagerduty" % account_id
