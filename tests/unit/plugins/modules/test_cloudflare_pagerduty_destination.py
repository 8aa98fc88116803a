# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules' read-compare-act and the connect flow, against the in-process sandbox: results, messages and the
exact requests sent (the sandbox journal), so that a write in check mode, or a second link, fails the test.

The account's eligibility for PagerDuty is tested in test_cloudflare_destination_eligibility.py."""

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
    ACCOUNT, CHECKOUT, CONNECT, ELIGIBLE, LIST, PAYMENTS, SEARCH, TOKEN, connection, converge, failure, seed)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")

DASHBOARD = "Notifications > Destinations > PagerDuty > Connect"


def names(before, after):
    """The diff: the sorted names of the connected services before and after."""
    return dict(before={"services": before}, after={"services": after})


def connected(state):
    return state.snapshot()["cloudflare"]["destinations"]


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


def test_a_null_result_is_read_as_nothing_connected(cloudflare_api, state):
    state.update_settings({"cloudflare_empty_result": "null"})
    assert converge(cloudflare_api, state="absent") == dict(changed=False, services=[], diff=names([], []))


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


# -- present, token_id: the second run -----------------------------------------------------------

def test_the_two_runs_connect_the_services(cloudflare_api, state):
    first = converge(cloudflare_api, services=["payments", "checkout"], create_token=True)
    state.authorize({"token_id": first["token_id"], "services": [PAYMENTS, CHECKOUT]})
    second = converge(cloudflare_api, services=["payments", "checkout"], token_id=first["token_id"])
    assert second == dict(changed=True, services=[PAYMENTS, CHECKOUT], missing=[],
                          diff=names([], ["checkout", "payments"]), warnings=[])
    third = converge(cloudflare_api, services=["payments", "checkout"], token_id=first["token_id"])
    assert third["changed"] is False
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE), ("POST", CONNECT),
                            ("GET", LIST), ("GET", CONNECT + "/" + first["token_id"]), ("GET", LIST),
                            ("GET", LIST)]


def test_link_in_check_mode_predicts_what_is_known_and_sends_no_link(cloudflare_api, state):
    seed(state, SEARCH, **{TOKEN: [PAYMENTS, CHECKOUT]})
    result = converge(cloudflare_api, services=["payments", "b" * 32], token_id=TOKEN, check_mode=True)
    assert result["changed"] is True
    assert result["services"] == [SEARCH, {"id": None, "name": "payments"}, {"id": "b" * 32, "name": None}]
    assert result["diff"] == names(["search"], ["b" * 32, "payments", "search"])
    assert calls(state) == [("GET", LIST)]
    assert connected(state) == [SEARCH]
    assert state.snapshot()["cloudflare"]["tokens"][TOKEN]["used"] is False


def test_link_without_services_is_enough_when_anything_gets_connected(cloudflare_api, state):
    seed(state, **{TOKEN: [SEARCH]})
    result = converge(cloudflare_api, token_id=TOKEN)
    assert result["changed"] is True and result["services"] == [SEARCH]


def test_a_token_nobody_authorised_fails_with_the_api_text_and_the_way_out(cloudflare_api, state):
    seed(state, **{TOKEN: []})
    state.seed({"cloudflare": {"tokens": {TOKEN: {}}}})
    caught = failure(cloudflare_api, services=["payments"], token_id=TOKEN)
    assert caught.msg == (
        "Could not link the connection token to Cloudflare account %s: Cloudflare API GET %s/{token_id} returned HTTP "
        "400: 17003: PagerDuty authorization was not completed for this token: a person must pick the PagerDuty "
        "services to connect before the token can be linked. A token links once, and only after a person authorised "
        "services in PagerDuty for it; if nobody has finished authorising services in PagerDuty for it yet, do that "
        "and run this task again with the same token_id." % (ACCOUNT, CONNECT[10:]))
    assert "changed" not in caught.result
    assert caught.result["status"] == 400 and caught.result["missing"] == ["payments"]
    assert TOKEN not in caught.msg and TOKEN not in json.dumps(caught.result)
    assert calls(state) == [("GET", LIST), ("GET", CONNECT + "/" + TOKEN)]


def test_a_missing_destination_id_is_not_asked_of_the_person(cloudflare_api, state):
    seed(state, PAYMENTS)
    wanted = "1b4e28ba2fa111d2883f0016d3cca427"
    caught = failure(cloudflare_api, services=["payments", "checkout", wanted])
    assert 'authorise these services: "payments", "checkout" ("%s": destination ids are assigned by Cloudflare' % wanted in caught.msg


def test_a_used_token_fails_and_is_not_retried(cloudflare_api, state):
    state.seed({"cloudflare": {"tokens": {TOKEN: {"authorized": [PAYMENTS], "used": True}}}})
    caught = failure(cloudflare_api, services=["payments"], token_id=TOKEN)
    assert "returned HTTP 404: 17002: PagerDuty connection token not found or already used. A token links once" in caught.msg
    assert "check account_id" not in caught.msg
    # A used token is followed by one more list: another run may have linked it a moment ago.
    assert calls(state) == [("GET", LIST), ("GET", CONNECT + "/" + TOKEN), ("GET", LIST)]


def test_a_token_for_other_services_links_them_and_fails_naming_the_missing(cloudflare_api, state):
    seed(state, PAYMENTS, **{TOKEN: [SEARCH]})
    caught = failure(cloudflare_api, services=["payments", "checkout"], token_id=TOKEN)
    assert caught.msg == (
        'Linked the connection token to Cloudflare account %s, but these services are still not connected: "checkout" '
        '(connected now: "payments", "search"). They were not authorised in PagerDuty for this token, which is now '
        'used up. To connect them, run this task with create_token: true for a new token and follow its steps, or '
        'connect in the Cloudflare dashboard (%s), and authorise these services: "payments", "checkout", and the ones '
        'connected now that you still need ("search").' % (ACCOUNT, DASHBOARD))
    assert caught.result == dict(changed=True, services=[PAYMENTS, SEARCH], missing=["checkout"])
    assert calls(state) == [("GET", LIST), ("GET", CONNECT + "/" + TOKEN), ("GET", LIST)]


def test_a_link_whose_answer_is_lost_is_judged_by_listing_again(cloudflare_api, state):
    seed(state, **{TOKEN: [PAYMENTS]})
    state.add_faults({"method": "GET", "path": "/connect/", "drop": "after"})
    result = converge(cloudflare_api, services=["payments"], token_id=TOKEN)
    assert result["changed"] is True and result["services"] == [PAYMENTS]
    assert calls(state) == [("GET", LIST), ("GET", CONNECT + "/" + TOKEN), ("GET", LIST)]


def test_a_link_answered_5xx_is_not_resent_and_the_list_tells_it_did_not_land(cloudflare_api, state):
    seed(state, **{TOKEN: [PAYMENTS]})
    state.add_faults({"method": "GET", "path": "/connect/", "status": 502, "body": "bad gateway"})
    caught = failure(cloudflare_api, services=["payments"], token_id=TOKEN)
    assert caught.msg.startswith("Linking the connection token had no clear outcome (Cloudflare API GET %s/{token_id} "
                                 "returned HTTP 502" % CONNECT[10:])
    assert ("the list taken afterwards shows it did not connect everything. PagerDuty is not connected to Cloudflare "
            'account %s, so these services are missing: "payments". Run this task again: if the token was used up, '
            "it will say so." % ACCOUNT) in caught.msg
    assert caught.result["changed"] is False and caught.result["status"] == 502
    assert calls(state) == [("GET", LIST), ("GET", CONNECT + "/" + TOKEN), ("GET", LIST)]
    assert TOKEN not in caught.msg


def test_a_link_accepted_without_any_service_fails_saying_nobody_authorised_one(cloudflare_api, state):
    state.add_faults({"method": "GET", "path": "/connect/", "status": 200,
                      "body": {"success": True, "errors": [], "messages": [], "result": {"id": TOKEN}}})
    caught = failure(cloudflare_api, token_id=TOKEN)
    assert caught.msg == (
        "Linked the connection token to Cloudflare account %s, but no PagerDuty service is connected: no service was "
        "authorised in PagerDuty for this token. The token is used up: run this task with create_token: true for a "
        "new token and follow its steps, or connect in the Cloudflare dashboard (%s)." % (ACCOUNT, DASHBOARD))
    assert caught.result == dict(changed=True, services=[], missing=[])


def test_a_refused_token_request_is_the_api_error(cloudflare_api, state):
    state.add_faults({"method": "POST", "status": 403,
                      "body": {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}],
                               "messages": [], "result": None}})
    with pytest.raises(ApiError) as caught:
        converge(cloudflare_api, create_token=True)
    assert caught.value.status == 403 and caught.value.maybe_applied is False
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE), ("POST", CONNECT)]


def test_a_token_is_not_linked_when_nothing_is_missing(cloudflare_api, state):
    seed(state, PAYMENTS, **{TOKEN: [CHECKOUT]})
    assert converge(cloudflare_api, services=["payments"], token_id=TOKEN)["changed"] is False
    assert calls(state) == [("GET", LIST)]


# -- absent --------------------------------------------------------------------------------------

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


# -- main ----------------------------------------------------------------------------------------

def test_main_reports_bad_input_without_sending(sandbox, state, capsys):
    args = connection(sandbox, account_id="ops@example.com", api_key=facts.CLOUDFLARE_API_KEY, state="absent",
                      services=["payments"])
    code, result = run_main(module, args, capsys)
    assert code == 1 and result["failed"]
    assert result["msg"].startswith("Invalid options: account_id looks like an email address")
    assert "api_token and api_key are both set" in result["msg"]
    assert "services cannot be used with state=absent" in result["msg"]
    assert len(result["invalid_options"]) == 3
    assert calls(state) == []


def test_main_takes_the_credentials_from_cloudflares_environment_variables(sandbox, state, capsys, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLOUDFLARE_EMAIL", facts.CLOUDFLARE_EMAIL)
    monkeypatch.setenv("CLOUDFLARE_API_KEY", facts.CLOUDFLARE_API_KEY)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", sandbox.cloudflare_url)
    seed(state, PAYMENTS)
    code, result = run_main(info_module, {}, capsys)
    assert code == 0 and result["services"] == [PAYMENTS]


def test_main_fails_with_the_api_error_and_no_secret(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, api_token="wrong-token-abcdef"), capsys)
    assert code == 1
    assert result["msg"] == ("Cloudflare API GET %s returned HTTP 401: 10000: Authentication error. Cloudflare did not "
                             "accept the credentials: check api_token" % LIST[10:])
    assert (result["status"], result["api_errors"]) == (401, ["10000: Authentication error"])
    assert "wrong-token-abcdef" not in json.dumps(result)


def test_main_reports_a_foreign_account_as_refused(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, account_id="f" * 32), capsys)
    assert code == 1 and result["status"] == 403
    assert "check that account_id %s is an account they can reach" % ("f" * 32) in result["msg"]
    # Code 10000 refuses the credentials: the eligibility, which needs the same permissions, is not read.
    assert [method for method, path in calls(state)] == ["GET"]


def test_main_create_token_returns_it_and_warns_with_the_steps(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, services=["payments"], create_token=True), capsys)
    assert code == 0 and result["changed"] is True
    token = result["token_id"]
    assert token in state.snapshot()["cloudflare"]["tokens"]
    assert warning_texts(result) == [result["next_step"]]
    assert token not in result["next_step"]
    assert "diff" not in result


def test_main_link_failure_never_shows_the_token(sandbox, state, capsys):
    state.seed({"cloudflare": {"tokens": {TOKEN: {}}}})
    code, result = run_main(module, connection(sandbox, services=["payments"], token_id=TOKEN), capsys)
    assert code == 1 and "Could not link the connection token" in result["msg"]
    assert result["request"]["path"] == CONNECT[10:] + "/{token_id}"
    assert TOKEN not in json.dumps(result)


def test_main_connect_flow_with_check_and_diff_mode(sandbox, state, capsys):
    seed(state, **{TOKEN: [PAYMENTS]})
    args = connection(sandbox, services=["payments"], token_id=TOKEN, _ansible_diff=True)
    code, result = run_main(module, dict(args, _ansible_check_mode=True), capsys)
    assert code == 0 and result["changed"] is True
    assert result["diff"] == names([], ["payments"])
    assert connected(state) == []
    code, result = run_main(module, args, capsys)
    assert code == 0 and result["changed"] is True and result["services"] == [PAYMENTS]
    assert result["diff"] == names([], ["payments"])
    code, result = run_main(module, args, capsys)
    assert code == 0 and result["changed"] is False
    assert [c for c in calls(state) if "/connect" in c[1]] == [("GET", CONNECT + "/" + TOKEN)]


def test_main_fails_with_missing_names_and_services_listed(sandbox, state, capsys):
    seed(state, SEARCH)
    code, result = run_main(module, connection(sandbox, services=["payments"]), capsys)
    assert code == 1 and result["missing"] == ["payments"] and result["services"] == [SEARCH]
    assert "create_token: true" in result["msg"] and DASHBOARD in result["msg"]


def test_main_absent_with_diff(sandbox, state, capsys):
    seed(state, PAYMENTS)
    code, result = run_main(module, connection(sandbox, state="absent", _ansible_diff=True), capsys)
    assert code == 0 and result["changed"] is True and result["services"] == []
    assert result["diff"] == names(["payments"], [])
    assert connected(state) == []


def test_info_lists_the_connected_services_and_changes_nothing(sandbox, state, capsys):
    seed(state, PAYMENTS, CHECKOUT)
    code, result = run_main(info_module, connection(sandbox, _ansible_check_mode=True), capsys)
    assert code == 0 and result["changed"] is False
    assert result["services"] == [PAYMENTS, CHECKOUT]
    assert (result["eligible"], result["ready"]) == (True, True)
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]


def test_info_fails_with_the_api_error(sandbox, state, capsys):
    code, result = run_main(info_module, connection(sandbox, api_token=None, email=facts.CLOUDFLARE_EMAIL,
                                                    api_key="wrong key"), capsys)
    assert code == 1 and result["status"] == 400
    assert result["api_errors"] == ["6003: Invalid request headers (6103: Invalid format for X-Auth-Key header)"]
    assert "wrong key" not in json.dumps(result)


def test_info_refuses_bad_options_before_sending(sandbox, state, capsys):
    code, result = run_main(info_module, connection(sandbox, api_token=None), capsys)
    assert code == 1 and "no credentials: set api_token" in result["msg"]
    assert calls(state) == []


def test_a_token_another_run_just_linked_is_ok(cloudflare_api, state):
    # The other run linked it between our list and our link: our link is refused, but everything is connected.
    seed(state, **{TOKEN: [PAYMENTS]})
    state.add_faults({"method": "GET", "path": "/connect/", "status": 404,
                      "body": {"success": False, "errors": [{"code": 17002, "message": "already used"}],
                               "messages": [], "result": None}})
    state.seed({"cloudflare": {"destinations": []}})
    original = cloudflare_api.list_services
    lists = []

    def list_then_someone_links():
        lists.append(1)
        if len(lists) == 2:
            state.seed({"cloudflare": {"destinations": [PAYMENTS]}})
        return original()

    cloudflare_api.list_services = list_then_someone_links
    result = converge(cloudflare_api, services=["payments"], token_id=TOKEN)
    assert result["changed"] is False and result["services"] == [PAYMENTS] and result["missing"] == []
