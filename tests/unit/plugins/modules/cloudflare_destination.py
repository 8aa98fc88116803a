# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the tests of cloudflare_pagerduty_destination's converge() and of the Cloudflare modules' main() share
(test_cloudflare_pagerduty_destination.py, test_cloudflare_destination_eligibility.py): the sandbox's account, the
paths its journal shows, services and a token to seed, and short ways to seed, converge and give main() its options.

The adapter they converge with is the cloudflare_api fixture (tests/unit/conftest.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import TaskFailure
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import cloudflare_options

ACCOUNT = facts.CLOUDFLARE_ACCOUNT_ID
LIST = "/client/v4/accounts/%s/alerting/v3/destinations/pagerduty" % ACCOUNT
CONNECT = LIST + "/connect"
ELIGIBLE = facts.CLOUDFLARE_PREFIX + facts.cloudflare_eligible_path()
PAYMENTS = {"id": "a" * 32, "name": "payments"}
CHECKOUT = {"id": "b" * 32, "name": "checkout"}
SEARCH = {"id": "c" * 32, "name": "search"}
TOKEN = "0123456789abcdef0123456789abcdef"


def seed(state, *destinations, **tokens):
    """The sandbox with these destinations connected, and tokens ({token: services a person authorised for it})."""
    cloudflare = {"destinations": list(destinations)}
    cloudflare["tokens"] = dict((token, {"authorized": list(services)}) for token, services in tokens.items())
    state.seed({"cloudflare": cloudflare})


def converge(api, state="present", services=None, token_id=None, create_token=False, check_mode=False):
    return module.converge(api, state, services, token_id, create_token, check_mode)


def failure(api, **kwargs):
    """The TaskFailure converge(api, **kwargs) raises."""
    with pytest.raises(TaskFailure) as caught:
        converge(api, **kwargs)
    return caught.value


def connection(sandbox, **extra):
    """main()'s options: the sandbox's account and token, no retry, and extra."""
    return cloudflare_options(sandbox.cloudflare_url, retries=0, **extra)
