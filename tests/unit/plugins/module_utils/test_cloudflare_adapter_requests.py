# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare adapter's requests (headers, methods, paths) and the envelope of the answers it reads."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare as cloudflare
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    Answer,
    CLOUDFLARE_ELIGIBILITY as ELIGIBILITY,
    CLOUDFLARE_ELIGIBLE_PATH as ELIGIBLE_PATH,
    CLOUDFLARE_PATH as PATH,
    CLOUDFLARE_SECRET as SECRET,
    CLOUDFLARE_TOKEN as TOKEN,
    CLOUDFLARE_UUID_TOKEN as UUID_TOKEN,
    cloudflare_envelope as envelope,
    cloudflare_ok as ok,
    raised_api_error as raised,
)


# -- requests ------------------------------------------------------------------------------------

def test_a_token_is_sent_as_bearer_and_nothing_else(api, scripted):
    scripted.script(ok([]))
    api.list_services()
    headers = scripted.requests[0]["headers"]
    assert headers["Authorization"] == "Bearer " + SECRET
    assert "X-Auth-Key" not in headers and "X-Auth-Email" not in headers


def test_the_global_key_is_sent_with_its_email_and_nothing_else(make_api, scripted):
    scripted.script(ok([]))
    make_api(api_token=None, email="ops@example.com", api_key="global-key\n").list_services()
    headers = scripted.requests[0]["headers"]
    assert (headers["X-Auth-Email"], headers["X-Auth-Key"]) == ("ops@example.com", "global-key")
    assert "Authorization" not in headers


def test_the_five_calls_use_the_documented_methods_and_paths(api, scripted):
    scripted.script(ok([]), ok(None, with_result=False), ok({"id": TOKEN}, status=201), ok({"id": TOKEN}),
                    ok(ELIGIBILITY))
    api.list_services()
    api.delete_all()
    assert api.create_token() == TOKEN
    api.link_token(TOKEN)
    assert api.read_eligibility() == dict(eligible=True, ready=True)
    assert scripted.calls() == [("GET", "/client/v4" + PATH), ("DELETE", "/client/v4" + PATH),
                                ("POST", "/client/v4" + PATH + "/connect"), ("GET", "/client/v4" + PATH + "/connect/" + TOKEN),
                                ("GET", "/client/v4" + ELIGIBLE_PATH)]
    assert [r["body"] for r in scripted.requests] == [None] * 5


def test_path_segments_are_percent_encoded_once_with_nothing_kept_safe(make_api, scripted):
    scripted.script(ok([]), ok({"id": "x"}))
    odd = make_api(account_id="a/b c%")
    odd.list_services()
    odd.link_token("t/?#&=+%2F")
    scripted.script(ok(ELIGIBILITY))
    odd.read_eligibility()
    assert scripted.calls() == [
        ("GET", "/client/v4/accounts/a%2Fb%20c%25/alerting/v3/destinations/pagerduty"),
        ("GET", "/client/v4/accounts/a%2Fb%20c%25/alerting/v3/destinations/pagerduty/connect/t%2F%3F%23%26%3D%2B%252F"),
        ("GET", "/client/v4/accounts/a%2Fb%20c%25/alerting/v3/destinations/eligible"),
    ]


# -- the envelope --------------------------------------------------------------------------------

@pytest.mark.parametrize("result", [None, []])
def test_none_connected_is_an_empty_list_whether_null_or_empty(api, scripted, result):
    scripted.script(ok(result, messages=[{"code": 1, "message": "nothing"}]))
    assert api.list_services() == []


def test_the_list_keeps_ids_names_and_order_and_duplicates(api, scripted):
    scripted.script(Answer(200, dict(envelope([{"id": "b" * 32, "name": "payments", "extra": 1},
                                               {"id": "a" * 32, "name": "payments"}]),
                                     result_info={"page": 1, "count": 2})))
    assert api.list_services() == [{"id": "b" * 32, "name": "payments"}, {"id": "a" * 32, "name": "payments"}]


def test_list_items_without_an_id_are_left_out(api, scripted):
    scripted.script(ok([{"name": "no id"}, "junk", {"id": 7, "name": None}]))
    assert api.list_services() == [{"id": "7", "name": None}]


def test_201_is_success(api, scripted):
    scripted.script(ok({"id": UUID_TOKEN}, status=201))
    assert api.create_token() == UUID_TOKEN


def test_a_2xx_with_success_false_is_an_error(api, scripted):
    scripted.script(Answer(200, envelope(None, success=False, errors=[{"code": 1002, "message": "Bad thing"}])))
    error = raised(api.list_services)
    assert str(error) == "Cloudflare API GET %s returned HTTP 200: 1002: Bad thing" % PATH
    assert (error.status, error.messages, error.maybe_applied) == (200, ["1002: Bad thing"], False)


def test_a_2xx_that_is_not_an_envelope_is_not_taken_for_success(api, scripted):
    scripted.script(Answer(200, "<html>captive portal</html>", content_type="text/html"))
    error = raised(api.delete_all)
    assert str(error) == ("Cloudflare API DELETE %s returned HTTP 200 (not a Cloudflare answer: no JSON envelope). "
                          "Check api_url" % PATH)
    assert error.maybe_applied is True


def test_a_result_that_is_not_a_list_is_an_error(api, scripted):
    scripted.script(ok({"id": "x"}))
    assert "the result is not a list" in str(raised(api.list_services))


def test_a_token_answer_without_id_is_an_error(api, scripted):
    scripted.script(ok(None, status=201))
    assert str(raised(api.create_token)) == ("Cloudflare API POST %s/connect returned HTTP 201 "
                                             "(the answer holds no token id)" % PATH)


@pytest.mark.parametrize("body, expected", [
    (envelope(success=False, errors=[{"code": 10000, "message": "Authentication error"}]),
     ["10000: Authentication error"]),
    (envelope(success=False, errors=[{"code": 6003, "message": "Invalid request headers",
                                      "error_chain": [{"code": 6111, "message": "Invalid format for Authorization header"}]}]),
     ["6003: Invalid request headers (6111: Invalid format for Authorization header)"]),
    (envelope(success=False, errors=[{"code": 6003, "message": "Invalid request headers",
                                      "error_chain": [{"code": 6102, "message": "Invalid format for X-Auth-Email header"},
                                                      {"code": 6103, "message": "Invalid format for X-Auth-Key header",
                                                       "error_chain": [{"code": 9, "message": "deeper"}]}]}]),
     ["6003: Invalid request headers (6102: Invalid format for X-Auth-Email header; "
      "6103: Invalid format for X-Auth-Key header (9: deeper))"]),
    (envelope(success=False, errors=[{"code": 7003, "message": "No route"}, {"code": 7000, "message": "No route for the URI"}]),
     ["7003: No route", "7000: No route for the URI"]),
    (envelope(success=False, errors=[{"message": "no code"}, {"code": 1001}, "plain"]),
     ["no code", "1001: (no message)", "plain"]),
    (envelope(success=False, messages=[{"code": 1, "message": "only in messages"}]), ["1: only in messages"]),
    ({"errors": {"code": 5, "message": "single"}}, ["5: single"]),
    (None, []),
    (["unexpected"], []),
])
def test_error_messages_read_every_envelope_shape(body, expected):
    assert cloudflare.error_messages(body, "") == expected
