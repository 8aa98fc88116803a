# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The account's eligibility for PagerDuty destinations (GET .../destinations/eligible), against the in-process
sandbox: the destination module reads it before it creates a token (check mode too) and after a refused list, and
names the plan it needs; the info module returns eligible and ready. Results, messages and the exact requests sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination_info as info_module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_calls as calls, run_main, warning_texts
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    ACCOUNT, CONNECT, ELIGIBLE, LIST, PAYMENTS, SEARCH, TOKEN, connection, converge, failure, seed)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")

PLAN = ("Cloudflare's notifications documentation: PagerDuty is available if the account has at least one zone on a "
        "Business or higher plan. Put a zone of the account on a Business or higher plan, then run this task again.")
NOT_ELIGIBLE = ("PagerDuty is not available to Cloudflare account %s: Cloudflare says the account is not eligible for "
                "PagerDuty destinations (GET %s answered eligible: false). %s" % (ACCOUNT, ELIGIBLE[10:], PLAN))
PLAN_REFUSAL = "17100: PagerDuty destinations are not available on this account's plan"


def envelope(result):
    return {"success": True, "errors": [], "messages": [], "result": result}


def eligibility_answer(result, times=1):
    """A fault that answers the eligibility read with this result, whatever the sandbox's setting."""
    return {"method": "GET", "path": "/eligible$", "times": times, "status": 200, "body": envelope(result)}


def refusal(code, message):
    return {"method": "GET", "path": "/pagerduty$", "status": 403,
            "body": {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}}


@pytest.fixture
def ineligible(state):
    state.update_settings({"cloudflare_pagerduty_eligible": False})


@pytest.mark.parametrize("check_mode", [False, True])
def test_no_token_is_created_for_an_account_that_may_not_use_pagerduty(cloudflare_api, state, check_mode):
    # The list answers (as it may for an account that was downgraded), the eligibility says no.
    seed(state, SEARCH)
    state.add_faults(eligibility_answer({"pagerduty": [{"eligible": False, "ready": True, "type": "pagerduty"}]}))
    caught = failure(cloudflare_api, services=["payments"], create_token=True, check_mode=check_mode)
    assert caught.msg == "No connection token can be created. " + NOT_ELIGIBLE
    assert caught.result == dict(services=[SEARCH], missing=["payments"])
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]
    assert state.snapshot()["cloudflare"]["tokens"] == {}


@pytest.mark.parametrize("answer", [
    pytest.param(dict(status=502, body="bad gateway"), id="unreadable"),
    pytest.param(dict(status=200, body=envelope({"email": [{"eligible": True, "ready": True, "type": "email"}]})),
                 id="no-pagerduty-entry"),
    pytest.param(dict(status=200, body=envelope(["pagerduty"])), id="not-a-map"),
])
def test_an_eligibility_that_does_not_say_no_lets_cloudflare_decide(cloudflare_api, state, instant_waits, answer):
    state.add_faults(dict(method="GET", path="/eligible$", times=None, **answer))
    result = converge(cloudflare_api, services=["payments"], create_token=True)
    assert result["changed"] is True and result["token_id"] in state.snapshot()["cloudflare"]["tokens"]
    assert calls(state)[-1] == ("POST", CONNECT)


@pytest.mark.parametrize("args", [
    pytest.param(dict(services=["payments"], create_token=True), id="create-token"),
    pytest.param(dict(services=["payments"], create_token=True, check_mode=True), id="create-token-check-mode"),
    pytest.param(dict(services=["payments"], token_id=TOKEN), id="link"),
    pytest.param(dict(state="absent"), id="absent"),
    pytest.param(dict(), id="present"),
])
def test_a_list_refused_by_the_plan_fails_naming_the_request_and_the_plan(cloudflare_api, state, ineligible, args):
    caught = failure(cloudflare_api, **args)
    assert caught.msg == "Cloudflare API GET %s returned HTTP 403: %s. %s" % (LIST[10:], PLAN_REFUSAL, NOT_ELIGIBLE)
    assert "credentials" not in caught.msg  # the 403's usual hint is left out: the eligibility explains it
    assert caught.result == dict(status=403, api_errors=[PLAN_REFUSAL], request=dict(method="GET", path=LIST[10:]))
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]
    assert state.snapshot()["cloudflare"]["tokens"] == {}


@pytest.mark.parametrize("eligibility", [
    pytest.param(dict(status=502, body="bad gateway"), id="unreadable"),
    pytest.param(dict(status=200, body=envelope({"pagerduty": [{"eligible": True, "ready": True}]})), id="eligible"),
    pytest.param(dict(status=200, body=envelope({"pagerduty": []})), id="does-not-say"),
])
def test_a_refused_list_the_eligibility_does_not_explain_is_the_original_error(cloudflare_api, state, instant_waits, eligibility):
    state.add_faults([refusal(17100, "not on this plan"),
                      dict(method="GET", path="/eligible$", times=None, **eligibility)])
    with pytest.raises(ApiError) as caught:
        converge(cloudflare_api, create_token=True)
    assert str(caught.value).startswith("Cloudflare API GET %s returned HTTP 403: 17100: not on this plan. Cloudflare "
                                        "refused this to these credentials" % LIST[10:])
    assert calls(state)[0] == ("GET", LIST) and set(calls(state)[1:]) == {("GET", ELIGIBLE)}


def test_a_refusal_of_the_credentials_is_not_followed_by_the_eligibility_read(cloudflare_api, state, ineligible):
    state.add_faults(refusal(10000, "Authentication error"))
    with pytest.raises(ApiError) as caught:
        converge(cloudflare_api, create_token=True)
    assert caught.value.status == 403 and "that the account may use PagerDuty (PagerDuty is available if" in str(
        caught.value)
    assert calls(state) == [("GET", LIST)]


def test_info_reports_an_account_that_may_not_use_pagerduty_and_succeeds(sandbox, state, capsys, ineligible):
    code, result = run_main(info_module, connection(sandbox, _ansible_check_mode=True), capsys)
    assert code == 0 and result["changed"] is False
    assert (result["services"], result["eligible"], result["ready"]) == ([], False, True)
    assert not result.get("warnings")
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]


def test_info_reports_the_services_and_null_when_the_eligibility_cannot_be_read(sandbox, state, capsys):
    seed(state, PAYMENTS)
    state.add_faults({"method": "GET", "path": "/eligible$", "status": 502, "body": "bad gateway"})
    code, result = run_main(info_module, connection(sandbox), capsys)
    assert code == 0 and result["services"] == [PAYMENTS]
    assert (result["eligible"], result["ready"]) == (None, None)
    assert warning_texts(result) == [
        "Could not read whether Cloudflare account %s may use PagerDuty (Cloudflare API GET %s returned HTTP 502), "
        "so eligible is null; the services were listed." % (ACCOUNT, ELIGIBLE[10:])]


def test_info_fails_when_the_eligibility_does_not_explain_a_refused_list(sandbox, state, capsys):
    state.add_faults([refusal(17100, "not on this plan"), eligibility_answer({"pagerduty": [{"eligible": True}]})])
    code, result = run_main(info_module, connection(sandbox), capsys)
    assert code == 1 and result["status"] == 403 and result["api_errors"] == ["17100: not on this plan"]
    assert "eligible" not in result
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]


def test_main_fails_naming_the_plan_without_a_secret(sandbox, state, capsys, ineligible):
    code, result = run_main(module, connection(sandbox, services=["payments"], create_token=True), capsys)
    assert code == 1 and result["msg"].endswith(PLAN)
    assert result["status"] == 403 and result["request"] == dict(method="GET", path=LIST[10:])
    assert facts.CLOUDFLARE_API_TOKEN not in json.dumps(result) and "token_id" not in result
