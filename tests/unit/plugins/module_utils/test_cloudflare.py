# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare adapter: options checked before sending, headers, paths, the envelope, errors and retries.

Against a scripted HTTP server, so that every answer shape (chained errors, `success: false` on a 200, a proxy's
page) can be produced, and every request the adapter sends is seen.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.basic import env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare as cloudflare
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import Answer

ACCOUNT = facts.CLOUDFLARE_ACCOUNT_ID
PATH = "/accounts/%s/alerting/v3/destinations/pagerduty" % ACCOUNT
TOKEN = "5f0c3b1e9a7d4c2b8e6f1a3d5c7b9e0f"
UUID_TOKEN = "5f0c3b1e-9a7d-4c2b-8e6f-1a3d5c7b9e0f"
SECRET = "cf-token-0123456789abcdefghijklmnopqrstuv"
ELIGIBLE_PATH = "/accounts/%s/alerting/v3/destinations/eligible" % ACCOUNT
# The eligibility as Cloudflare answers it: a map from each delivery mechanism to a list of one item.
ELIGIBILITY = dict((kind, [{"eligible": True, "ready": True, "type": kind}])
                   for kind in ("email", "pagerduty", "webhook"))


def envelope(result=None, success=True, errors=None, messages=None, with_result=True):
    body = {"success": success, "errors": errors or [], "messages": messages or []}
    if with_result:
        body["result"] = result
    return body


def ok(result=None, status=200, **kwargs):
    return Answer(status, envelope(result, **kwargs))


def refused(status, *errors):
    return Answer(status, envelope(None, success=False, errors=list(errors)))


def params(**overrides):
    values = dict(account_id=ACCOUNT, api_token=SECRET, api_key=None, email=None, api_url=cloudflare.DEFAULT_API_URL,
                  validate_certs=True, ca_path=None, timeout=30, retries=3)
    values.update(overrides)
    return values


@pytest.fixture
def make_api(scripted, fake_time):
    def make(**overrides):
        result = cloudflare.CloudflarePagerDutyApi.from_options(params(api_url=scripted.url + "/client/v4/", **overrides))
        result.client.sleep, result.client.clock = fake_time.sleep, fake_time.time
        return result
    return make


@pytest.fixture
def api(make_api):
    return make_api()


def raised(call):
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


# -- options -------------------------------------------------------------------------------------

def test_argument_spec_reads_cloudflares_own_environment_variables():
    spec = cloudflare.cloudflare_argument_spec(extra=dict(type="str"))
    env = dict((name, option["fallback"][1]) for name, option in spec.items() if "fallback" in option)
    assert env == dict(account_id=["CLOUDFLARE_ACCOUNT_ID"], api_token=["CLOUDFLARE_API_TOKEN"],
                       api_key=["CLOUDFLARE_API_KEY"], email=["CLOUDFLARE_EMAIL"], api_url=["CLOUDFLARE_BASE_URL"])
    assert all(option["fallback"][0] is env_fallback for option in spec.values() if "fallback" in option)
    assert sorted(name for name, option in spec.items() if option.get("no_log")) == ["api_key", "api_token"]
    assert spec["api_url"]["default"] == "https://api.cloudflare.com/client/v4"
    assert {"validate_certs", "ca_path", "timeout", "retries", "extra"} <= set(spec)


@pytest.mark.parametrize("value", [ACCOUNT, ACCOUNT.upper()])
def test_an_account_id_is_32_hex_characters(value):
    assert cloudflare.account_id_problem(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("023e105f4ecef8ad9ca31a8372d0c35", "the value given has 31 characters"),
    ("023e105f4ecef8ad9ca31a8372d0c353ab", "the value given has 34 characters"),
    ("023e105f-4ecef8ad9ca31a8372d0c3", "the value given has 31 characters"),
    ("zz3e105f4ecef8ad9ca31a8372d0c353", "32 characters that are not all hexadecimal"),
    ("ops@example.com", "account_id looks like an email address"),
    (" %s\n" % ACCOUNT, "account_id has spaces or line breaks around it"),
    ("%s\n" % ACCOUNT, "account_id has spaces or line breaks around it"),
    ("", "account_id must not be empty (set it or the CLOUDFLARE_ACCOUNT_ID environment variable)"),
    (None, "account_id must not be empty"),
])
def test_a_wrong_account_id_is_explained(value, fragment):
    problem = cloudflare.account_id_problem(value)
    assert fragment in problem


def test_a_wrong_account_id_is_not_echoed_it_may_be_a_pasted_secret():
    problem = cloudflare.account_id_problem(SECRET)
    assert SECRET not in problem
    assert "must be the Cloudflare account ID, 32 hexadecimal characters" in problem
    assert "the value given has %d characters" % len(SECRET) in problem


@pytest.mark.parametrize("overrides", [
    dict(),
    dict(api_token=None, email="ops@example.com", api_key="global-key"),
])
def test_one_auth_scheme_is_accepted(overrides):
    assert cloudflare.auth_problems(params(**overrides)) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(api_key="global-key", email="ops@example.com"),
     "api_token and api_key are both set (from the task or the CLOUDFLARE_API_TOKEN and CLOUDFLARE_API_KEY environment "
     "variables): use either api_token, or email with api_key, not both"),
    (dict(email="ops@example.com"),
     "api_token and email are both set (from the task or the CLOUDFLARE_API_TOKEN and CLOUDFLARE_EMAIL environment "
     "variables): use either api_token, or email with api_key, not both"),
    (dict(api_token=None, api_key="global-key"),
     "api_key is set but email is not: the global API key needs the email address of its user (email or "
     "CLOUDFLARE_EMAIL); or use api_token instead"),
    (dict(api_token=None, email="ops@example.com"),
     "email is set but api_key is not: email is only used with the global API key (api_key or CLOUDFLARE_API_KEY); "
     "or use api_token instead"),
    (dict(api_token=None),
     "no credentials: set api_token (or the CLOUDFLARE_API_TOKEN environment variable), or email and api_key "
     "(CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)"),
    (dict(api_token="  "),
     "no credentials: set api_token (or the CLOUDFLARE_API_TOKEN environment variable), or email and api_key "
     "(CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)"),
])
def test_auth_problems_name_the_options(overrides, expected):
    assert cloudflare.auth_problems(params(**overrides)) == [expected]


# The options every vendor shares (timeout, retries, ca_path, the shape of api_url): test_options.py.

def test_an_account_id_that_is_not_one_is_the_one_connection_problem():
    problems = cloudflare.connection_option_problems(params(account_id="example.com"))
    assert len(problems) == 1 and "the value given has 11 characters" in problems[0]


def test_every_problem_is_reported_at_once():
    problems = cloudflare.connection_option_problems(params(account_id="x", api_key="k", timeout=-1, api_url="ftp://x"))
    assert len(problems) == 4


def test_an_empty_api_url_is_the_default_endpoint():
    # CLOUDFLARE_BASE_URL="" from a credential injector: the default endpoint
    assert cloudflare.connection_option_problems(params(api_url="")) == []
    assert cloudflare.base_url(params(api_url="")) == cloudflare.DEFAULT_API_URL


@pytest.mark.parametrize("value", [TOKEN, UUID_TOKEN, TOKEN.upper()])
def test_a_token_is_32_hex_characters_or_a_uuid(value):
    assert cloudflare.token_id_problem(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("not-a-token-value-at-all", "the value given has 24 characters"),
    (TOKEN + "0", "the value given has 33 characters"),
    ("%s\n" % TOKEN, "token_id has spaces or line breaks around it"),
    ("", "token_id must not be empty"),
])
def test_a_wrong_token_is_explained_without_showing_it(value, fragment):
    problem = cloudflare.token_id_problem(value)
    assert fragment in problem
    assert not value.strip() or value.strip() not in problem


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


def _auth_params(**values):
    params = dict(api_token=None, api_key=None, email=None)
    params.update(values)
    return params


def test_task_token_wins_over_global_key_from_the_environment():
    environ = {"CLOUDFLARE_EMAIL": "ops@example.com", "CLOUDFLARE_API_KEY": "envkey0123456789"}
    params = _auth_params(api_token="task-token-0123456789", email="ops@example.com", api_key="envkey0123456789")
    given = dict(params)
    assert cloudflare.resolve_credentials(params, environ) == _auth_params(api_token="task-token-0123456789")
    assert params == given  # resolving leaves the task's options as they were


def test_task_global_key_wins_over_token_from_the_environment():
    environ = {"CLOUDFLARE_API_TOKEN": "env-token-0123456789"}
    params = _auth_params(api_token="env-token-0123456789", email="me@example.com", api_key="taskkey0123456789")
    assert cloudflare.resolve_credentials(params, environ) == _auth_params(email="me@example.com", api_key="taskkey0123456789")


@pytest.mark.parametrize("environ", [
    {},  # both in the task
    {"CLOUDFLARE_API_TOKEN": "t0123456789", "CLOUDFLARE_EMAIL": "a@b.c", "CLOUDFLARE_API_KEY": "k0123456789"},  # both from env
])
def test_two_ways_from_the_same_place_are_still_refused(environ):
    params = cloudflare.resolve_credentials(_auth_params(api_token="t0123456789", email="a@b.c", api_key="k0123456789"),
                                            environ)
    assert cloudflare.auth_problems(params)[0].startswith("api_token and api_key are both set")


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


# -- eligibility ---------------------------------------------------------------------------------

def pagerduty(*entries):
    return dict(ELIGIBILITY, pagerduty=list(entries))


@pytest.mark.parametrize("result, expected", [
    (ELIGIBILITY, (True, True)),
    (pagerduty({"eligible": False, "ready": True, "type": "pagerduty"}), (False, True)),
    (pagerduty({"eligible": False, "ready": False}), (False, False)),  # no type: the key says it
    (pagerduty({"eligible": False}, {"eligible": True}), (True, None)),  # one entry that allows it is enough
    (pagerduty({"eligible": True, "type": "webhook"}), (None, None)),  # another mechanism's entry is not read
    (pagerduty({"eligible": "yes", "ready": 1}, "junk", None), (None, None)),  # not booleans: Cloudflare did not say
    (pagerduty(), (None, None)),
    (dict(ELIGIBILITY, pagerduty={"eligible": False, "ready": True}), (False, True)),  # one item, not in a list
    (dict(ELIGIBILITY, pagerduty=None), (None, None)),
    ({"email": ELIGIBILITY["email"]}, (None, None)),  # no pagerduty key: unknown, not "not eligible"
    ({}, (None, None)),
])
def test_the_eligibility_of_pagerduty_is_read_from_the_map(api, scripted, result, expected):
    scripted.script(ok(result))
    assert api.read_eligibility() == dict(zip(("eligible", "ready"), expected))


@pytest.mark.parametrize("result", [None, [], ["pagerduty"], "pagerduty"])
def test_an_eligibility_that_is_not_a_map_is_an_error(api, scripted, result):
    scripted.script(ok(result))
    assert str(raised(api.read_eligibility)) == ("Cloudflare API GET %s returned HTTP 200 (the result is not a map of "
                                                 "delivery mechanisms)" % ELIGIBLE_PATH)


@pytest.mark.parametrize("status, errors, expected", [
    (403, [{"code": 17100, "message": "not on this plan"}], True),
    (403, [{"message": "no code"}, "plain"], True),
    (403, [], True),
    (403, [{"code": 10000, "message": "Authentication error"}], False),  # credentials: eligibility refused alike
    (403, [{"code": 1, "message": "x"}, {"code": 10000, "message": "Authentication error"}], False),
    (401, [{"code": 17100, "message": "not on this plan"}], False),
    (400, [{"code": 17100, "message": "not on this plan"}], False),
    (404, [], False),
    (429, [], False),
])
def test_only_a_403_other_than_a_refusal_of_the_credentials_may_be_the_plan(status, errors, expected):
    error = ApiError("GET", PATH, status, cloudflare.error_messages(envelope(success=False, errors=errors)))
    assert cloudflare.may_be_the_plan(error) is expected


def test_a_list_refused_by_the_plan_is_not_eligible_with_the_refusal(api, scripted):
    scripted.script(refused(403, {"code": 17100, "message": "not on this plan"}),
                    ok(pagerduty({"eligible": False, "ready": True, "type": "pagerduty"})))
    with pytest.raises(cloudflare.NotEligible) as caught:
        api.list_services_or_not_eligible()
    assert caught.value.eligibility == dict(eligible=False, ready=True)
    assert caught.value.refusal.status == 403 and caught.value.refusal.messages == ["17100: not on this plan"]
    assert str(caught.value) == str(caught.value.refusal)
    assert scripted.calls() == [("GET", "/client/v4" + PATH), ("GET", "/client/v4" + ELIGIBLE_PATH)]


@pytest.mark.parametrize("eligibility", [
    ok(ELIGIBILITY),
    ok(pagerduty()),
    ok([]),
    refused(403, {"code": 17100, "message": "not on this plan"}),
])
def test_a_refused_list_the_eligibility_does_not_explain_is_raised_as_it_is(make_api, scripted, eligibility):
    scripted.script(refused(403, {"code": 17100, "message": "not on this plan"}), eligibility)
    error = raised(make_api(retries=0).list_services_or_not_eligible)
    assert (error.path, error.status, error.messages) == (PATH, 403, ["17100: not on this plan"])
    assert len(scripted.calls()) == 2


def test_a_list_that_answers_needs_no_eligibility(api, scripted):
    scripted.script(ok([]))
    assert api.list_services_or_not_eligible() == []
    assert len(scripted.calls()) == 1
