# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare adapter's errors as users see them (messages, hints, link refusals), and which requests it retries."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare as cloudflare
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.tests.sandbox.facts import CLOUDFLARE_ACCOUNT_ID as ACCOUNT
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    Answer,
    CLOUDFLARE_PATH as PATH,
    CLOUDFLARE_SECRET as SECRET,
    CLOUDFLARE_TOKEN as TOKEN,
    cloudflare_envelope as envelope,
    cloudflare_ok as ok,
    cloudflare_refused as refused,
    raised_api_error as raised,
)


# -- errors seen by users ------------------------------------------------------------------------

def test_401_names_the_request_the_api_error_and_the_likely_cause(api, scripted):
    scripted.script(refused(401, {"code": 10000, "message": "Authentication error"}))
    error = raised(api.list_services)
    assert str(error) == ("Cloudflare API GET %s returned HTTP 401: 10000: Authentication error. "
                          "Cloudflare did not accept the credentials: check api_token" % PATH)
    assert error.to_result() == dict(status=401, api_errors=["10000: Authentication error"],
                                     request=dict(method="GET", path=PATH))
    assert SECRET not in repr(error.__dict__)


def test_403_points_at_the_account_the_permission_and_the_plan(api, scripted):
    scripted.script(refused(403, {"code": 10000, "message": "Authentication error"}))
    text = str(raised(api.list_services))
    assert "HTTP 403: 10000: Authentication error. " in text
    assert "account_id %s is an account they can reach" % ACCOUNT in text
    assert "Notifications permission" in text
    assert text.endswith("that the account may use PagerDuty (PagerDuty is available if the account has at least one "
                         "zone on a Business or higher plan)")


def test_chained_header_errors_are_shown_in_full(api, scripted):
    scripted.script(refused(400, {"code": 6003, "message": "Invalid request headers",
                                  "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}]}))
    assert str(raised(api.list_services)) == ("Cloudflare API GET %s returned HTTP 400: 6003: Invalid request headers "
                                              "(6111: Invalid format for Authorization header). Cloudflare could not "
                                              "read the credentials: check the format of api_token (no quotes, "
                                              "spaces or line breaks)" % PATH)


def test_no_route_points_at_account_id_and_api_url(api, scripted):
    scripted.script(refused(404, {"code": 7003, "message": "Could not route to /accounts/x, perhaps your object identifier is invalid?"}))
    assert str(raised(api.list_services)).endswith(". Cloudflare knows no such address: check account_id and api_url")


def test_a_404_page_from_elsewhere_points_at_api_url(api, scripted):
    scripted.script(Answer(404, "", content_type="text/html"))
    assert str(raised(api.delete_all)) == ("Cloudflare API DELETE %s returned HTTP 404 (empty body). "
                                           "This is not a Cloudflare answer: check api_url" % PATH)


def test_a_refused_link_never_shows_the_token_and_gets_no_address_hint(api, scripted):
    scripted.script(refused(404, {"code": 17002, "message": "PagerDuty connection token not found or already used"}))
    error = raised(lambda: api.link_token(TOKEN))
    assert str(error) == ("Cloudflare API GET %s/connect/{token_id} returned HTTP 404: "
                          "17002: PagerDuty connection token not found or already used" % PATH)
    assert TOKEN not in str(error) and TOKEN not in repr(error.to_result())


@pytest.mark.parametrize("uses_token, fragment", [
    (True, "that the API token has the Notifications permission"),
    (False, "that email and api_key are right and their user is a member of the account"),
])
def test_403_hint_names_the_way_of_authenticating_in_use(uses_token, fragment):
    assert fragment in cloudflare._hint(403, True, "a" * 32, uses_token)


def test_429_hint_explains_the_shared_limit():
    assert "1200 requests per 5 minutes per user" in cloudflare._hint(429, True, "a" * 32, True)


@pytest.mark.parametrize("status, refusal", [
    (400, cloudflare.LINK_NOT_AUTHORISED),
    (404, cloudflare.LINK_USED_OR_UNKNOWN),
    (429, cloudflare.LINK_RATE_LIMITED),
    (403, None),
    (500, None),
])
def test_link_refusal_is_read_from_the_status(status, refusal):
    assert cloudflare.link_refusal(ApiError("GET", "/connect/{token_id}", status)) == refusal


# -- retries -------------------------------------------------------------------------------------

def test_a_list_is_retried_after_a_5xx(api, scripted):
    scripted.script(Answer(502, "bad gateway"), ok([{"id": "a" * 32, "name": "x"}]))
    assert api.list_services() == [{"id": "a" * 32, "name": "x"}]
    assert len(scripted.calls()) == 2


def test_a_delete_all_is_retried_after_a_lost_answer(api, scripted):
    scripted.script(Answer(drop=True), ok(None, with_result=False))
    api.delete_all()
    assert scripted.calls() == [("DELETE", "/client/v4" + PATH)] * 2


def test_a_link_is_never_sent_twice_once_it_may_have_been_applied(api, scripted):
    scripted.script(Answer(502, "bad gateway"))
    error = raised(lambda: api.link_token(TOKEN))
    assert error.maybe_applied is True and error.status == 502
    assert len(scripted.calls()) == 1
    assert TOKEN not in str(error)


def test_a_link_whose_answer_is_lost_is_not_resent(api, scripted):
    scripted.script(Answer(drop=True))
    error = raised(lambda: api.link_token(TOKEN))
    assert error.maybe_applied is True and error.status is None
    assert len(scripted.calls()) == 1
    assert str(error).startswith("Cloudflare API GET %s/connect/{token_id} failed: " % PATH)


def test_a_token_request_whose_answer_is_lost_is_not_resent(api, scripted):
    scripted.script(Answer(drop=True))
    assert raised(api.create_token).maybe_applied is True
    assert scripted.calls() == [("POST", "/client/v4" + PATH + "/connect")]


def test_a_token_request_refused_with_429_is_sent_again_after_the_wait(api, scripted, fake_time):
    scripted.script(Answer(429, envelope(success=False, errors=[{"code": 971, "message": "Please wait"}]),
                           headers={"Retry-After": "7"}),
                    ok({"id": TOKEN}, status=201))
    assert api.create_token() == TOKEN
    assert len(scripted.calls()) == 2
    assert 7 <= sum(fake_time.waits) < 8
