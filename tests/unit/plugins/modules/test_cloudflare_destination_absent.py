# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""converge() of cloudflare_pagerduty_destination with state=absent, and the options it refuses (desired_problems)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_calls as calls
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    CHECKOUT, LIST, PAYMENTS, TOKEN, connected, converge, names, seed)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


# -- absent --------------------------------------------------------------------------------------

def test_a_null_result_is_read_as_nothing_connected(cloudflare_api, state):
    state.update_settings({"cloudflare_empty_result": "null"})
    assert converge(cloudflare_api, state="absent") == dict(changed=False, services=[], diff=names([], []))


def test_absent_removes_every_destination_then_is_ok(cloudflare_api, state):
    seed(state, PAYMENTS, CHECKOUT)
    first = converge(cloudflare_api, state="absent")
    second = converge(cloudflare_api, state="absent")
    assert first == dict(changed=True, services=[], diff=names(["checkout", "payments"], []))
    assert second == dict(changed=False, services=[], diff=names([], []))
    assert calls(state) == [("GET", LIST), ("DELETE", LIST), ("GET", LIST)]
    assert connected(state) == []


def test_absent_in_check_mode_deletes_nothing(cloudflare_api, state):
    seed(state, PAYMENTS)
    result = converge(cloudflare_api, state="absent", check_mode=True)
    assert result["changed"] is True and result["services"] == []
    assert calls(state) == [("GET", LIST)]
    assert connected(state) == [PAYMENTS]


# -- options -------------------------------------------------------------------------------------

def desired(**overrides):
    values = dict(state="present", services=None, token_id=None, create_token=False)
    values.update(overrides)
    return values


@pytest.mark.parametrize("overrides, expected", [
    (dict(state="absent", services=["payments"]),
     ["services cannot be used with state=absent: Cloudflare can only remove every PagerDuty destination of the "
      "account at once; leave services out to do that"]),
    (dict(state="absent", services=[]), ["services cannot be used with state=absent: Cloudflare can only remove every "
                                         "PagerDuty destination of the account at once; leave services out to do that"]),
    (dict(state="absent", token_id=TOKEN), ["token_id and create_token are only used with state=present"]),
    (dict(state="absent", create_token=True), ["token_id and create_token are only used with state=present"]),
    (dict(token_id=TOKEN, create_token=True),
     ["token_id and create_token=true are mutually exclusive: create_token makes a new token, token_id links one made "
      "before"]),
    (dict(token_id="secret-but-wrong"),
     ["token_id must be the connection token returned by create_token=true: 32 hexadecimal characters, or a UUID "
      "with dashes (36 characters); the value given has 16 characters"]),
    (dict(services=["payments", " ", ""]),
     ["services[1] must not be empty or blank", "services[2] must not be empty or blank"]),
])
def test_desired_problems(overrides, expected):
    assert module.desired_problems(desired(**overrides)) == expected


@pytest.mark.parametrize("overrides", [dict(), dict(state="absent"), dict(token_id=TOKEN, create_token=False),
                                       dict(create_token=True, services=["payments"])])
def test_no_desired_problems(overrides):
    assert module.desired_problems(desired(**overrides)) == []
