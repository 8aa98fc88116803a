# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloudflare_pagerduty_destination's converge() with token_id, the connect flow's second run: the link, its failures."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_calls as calls
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    ACCOUNT, CHECKOUT, CONNECT, DASHBOARD, ELIGIBLE, LIST, PAYMENTS, SEARCH, TOKEN, connected, converge, failure, names,
    seed)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


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


def test_a_token_is_not_linked_when_nothing_is_missing(cloudflare_api, state):
    seed(state, PAYMENTS, **{TOKEN: [CHECKOUT]})
    assert converge(cloudflare_api, services=["payments"], token_id=TOKEN)["changed"] is False
    assert calls(state) == [("GET", LIST)]


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
