# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""converge() of cloudflare_pagerduty_destination, state=present without token_id: connected, missing, create_token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_calls as calls
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    ACCOUNT, CHECKOUT, CONNECT, DASHBOARD, ELIGIBLE, LIST, PAYMENTS, SEARCH, converge, failure, names, seed)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


# -- present, already so -------------------------------------------------------------------------

@pytest.mark.parametrize("services", [
    None,
    [],
    ["payments"],
    ["payments", "checkout", "payments"],
    ["a" * 32],
    ["A" * 32],
    ["aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"],
    ["checkout", "a" * 32],
])
@pytest.mark.parametrize("check_mode", [False, True])
def test_connected_services_are_ok_with_one_read(cloudflare_api, state, services, check_mode):
    seed(state, PAYMENTS, CHECKOUT)
    result = converge(cloudflare_api, services=services, check_mode=check_mode)
    assert result == dict(changed=False, services=[PAYMENTS, CHECKOUT], missing=[],
                          diff=names(["checkout", "payments"], ["checkout", "payments"]), warnings=[])
    assert calls(state) == [("GET", LIST)]


def test_a_name_shared_by_several_services_is_ok_with_a_warning(cloudflare_api, state):
    twin = {"id": "d" * 32, "name": "payments"}
    seed(state, PAYMENTS, twin)
    result = converge(cloudflare_api, services=["payments"])
    assert result["changed"] is False and result["services"] == [PAYMENTS, twin]
    assert result["diff"]["after"] == {"services": ["payments", "payments"]}
    assert result["warnings"] == ['services: "payments" is the name of 2 connected PagerDuty services (ids %s, %s); '
                                  'give an id to designate one of them' % ("a" * 32, "d" * 32)]


def test_an_id_designates_one_of_twins_without_warning(cloudflare_api, state):
    seed(state, PAYMENTS, {"id": "d" * 32, "name": "payments"})
    assert converge(cloudflare_api, services=["d" * 32])["warnings"] == []


# -- present, missing, no way to connect given ---------------------------------------------------

def test_nothing_connected_fails_and_says_both_ways_to_connect(cloudflare_api, state):
    caught = failure(cloudflare_api)
    assert caught.msg == (
        "PagerDuty is not connected to Cloudflare account %s. Cloudflare's API cannot choose PagerDuty services: a "
        "person authorises them in PagerDuty. Either connect in the Cloudflare dashboard (%s, then authorise the "
        "services Cloudflare should page) and run this task again, or run it with create_token: true, which returns "
        "a connection token and the steps to follow, then run it with token_id set to that token." % (ACCOUNT, DASHBOARD))
    assert caught.result == dict(services=[], missing=[])
    assert calls(state) == [("GET", LIST)]


def test_missing_services_are_named_with_the_connected_ones(cloudflare_api, state):
    seed(state, PAYMENTS, SEARCH)
    caught = failure(cloudflare_api, services=["payments", "checkout", "billing", "checkout"], check_mode=True)
    assert caught.msg.startswith(
        'These PagerDuty services are not connected to Cloudflare account %s: "checkout", "billing" '
        '(connected now: "payments", "search"). ' % ACCOUNT)
    assert ('then authorise these services: "payments", "checkout", "billing", and the ones connected now that you '
            'still need ("search"))') in caught.msg
    assert caught.result == dict(services=[PAYMENTS, SEARCH], missing=["checkout", "billing"])
    assert calls(state) == [("GET", LIST)]


def test_requested_services_with_nothing_connected(cloudflare_api, state):
    caught = failure(cloudflare_api, services=["payments"])
    assert caught.msg.startswith('PagerDuty is not connected to Cloudflare account %s, so these services are missing: '
                                 '"payments". ' % ACCOUNT)


# -- present, create_token -----------------------------------------------------------------------

def test_create_token_returns_the_token_and_the_steps(cloudflare_api, state):
    seed(state, SEARCH)
    result = converge(cloudflare_api, services=["payments"], create_token=True)
    tokens = state.snapshot()["cloudflare"]["tokens"]
    assert list(tokens) == [result["token_id"]]
    assert result["changed"] is True and result["services"] == [SEARCH] and result["missing"] == ["payments"]
    expected_diff = names(["search"], ["search"])
    expected_diff["after"]["connection_token"] = "(created, returned as token_id)"
    assert result["diff"] == expected_diff
    assert result["next_step"] == (
        "A one-time PagerDuty connection token was created for Cloudflare account %s and returned as token_id; it is a "
        "secret, keep it out of logs. Next: 1. In the Cloudflare dashboard, open %s. 2. Log in to PagerDuty and "
        'authorise these services: "payments", and the ones connected now that you still need ("search"). 3. Run this '
        "task again with token_id set to the returned token_id and without create_token: that links the services to "
        "the account and checks them." % (ACCOUNT, DASHBOARD))
    assert result["warnings"] == [result["next_step"]]
    assert result["token_id"] not in result["next_step"]
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE), ("POST", CONNECT)]


def test_create_token_in_check_mode_creates_nothing(cloudflare_api, state):
    result = converge(cloudflare_api, services=["payments"], create_token=True, check_mode=True)
    assert result["changed"] is True and "token_id" not in result
    assert result["next_step"].startswith("Check mode: no token was created. Without check mode, this task creates a "
                                          "one-time PagerDuty connection token for Cloudflare account %s" % ACCOUNT)
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]  # the eligibility is a read: check mode reads it too
    assert state.snapshot()["cloudflare"]["tokens"] == {}


def test_create_token_is_not_used_when_everything_is_connected(cloudflare_api, state):
    seed(state, PAYMENTS)
    result = converge(cloudflare_api, services=["payments"], create_token=True)
    assert result["changed"] is False and "token_id" not in result and "next_step" not in result
    assert calls(state) == [("GET", LIST)]


def test_a_token_request_without_clear_outcome_is_not_resent_and_says_to_run_again(cloudflare_api, state):
    state.add_faults({"method": "POST", "drop": "after"})
    caught = failure(cloudflare_api, create_token=True)
    assert caught.msg.startswith("Creating a connection token had no clear outcome (Cloudflare API POST %s" % CONNECT[10:])
    assert caught.msg.endswith("A token may have been created, but it is unknown and will never be linked, which is "
                               "harmless. Run this task again for a new one.")
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE), ("POST", CONNECT)]


def test_a_refused_token_request_is_the_api_error(cloudflare_api, state):
    state.add_faults({"method": "POST", "status": 403,
                      "body": {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                               "messages": [], "result": None}})
    with pytest.raises(ApiError) as caught:
        converge(cloudflare_api, create_token=True)
    assert caught.value.status == 403 and caught.value.maybe_applied is False
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE), ("POST", CONNECT)]
