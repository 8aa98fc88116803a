# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from ansible_collections.oncall.pagerduty.tests.sandbox import facts, server
from ansible_collections.oncall.pagerduty.tests.sandbox.process import SERVER_SCRIPT

DD = {"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}
SERVICES = facts.DATADOG_SERVICES_PATH
ACCOUNT = facts.CLOUDFLARE_ACCOUNT_ID
CF = {"Authorization": "Bearer " + facts.CLOUDFLARE_API_TOKEN}
PD = facts.CLOUDFLARE_PREFIX + facts.cloudflare_destinations_path()
GLOBAL_KEY = {"X-Auth-Email": facts.CLOUDFLARE_EMAIL, "X-Auth-Key": facts.CLOUDFLARE_API_KEY}
HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def sandbox():
    box = server.make_server("127.0.0.1", 0).start()
    yield box
    box.shutdown()


@pytest.fixture()
def api(sandbox):
    """A session on a freshly reset sandbox; ``api.url`` is the base URL."""
    session = requests.Session()
    session.url = sandbox.url
    assert session.post(sandbox.url + "/_sandbox/reset").json() == {"ok": True}
    yield session
    session.close()


def call(api, method, path, headers=None, **kwargs):
    return api.request(method, api.url + path, headers=headers, **kwargs)


def ctl(api, method, what, body=None):
    response = api.request(method, api.url + "/_sandbox/" + what, json=body)
    return response


def journal(api):
    return ctl(api, "GET", "journal").json()["requests"]


def dd_create(api, name, key="k" * 32):
    return call(api, "POST", SERVICES, DD, json={"service_name": name, "service_key": key})


def cf_link(api, token):
    return call(api, "GET", PD + "/connect/" + token, CF)


# --------------------------------------------------------------------------------------- Datadog


def test_datadog_lifecycle_never_returns_the_key(api):
    created = dd_create(api, "web", "secret-key-1")
    assert created.status_code == 201
    assert created.json() == {"service_name": "web"}
    assert created.headers["Content-Type"] == "application/json"

    read = call(api, "GET", SERVICES + "/web", DD)
    assert (read.status_code, read.json()) == (200, {"service_name": "web"})

    updated = call(api, "PUT", SERVICES + "/web", DD, json={"service_key": "secret-key-2"})
    assert (updated.status_code, updated.json()) == (200, {"service_name": "web"})
    assert ctl(api, "GET", "state").json()["datadog"]["services"] == {"web": {"service_key": "secret-key-2"}}
    for response in (created, read, updated):
        assert "secret" not in response.text

    deleted = call(api, "DELETE", SERVICES + "/web", DD)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "Content-Type" not in deleted.headers
    assert deleted.headers["Content-Length"] == "0"
    assert deleted.headers["X-RateLimit-Limit"] == "12000"

    again = call(api, "DELETE", SERVICES + "/web", DD)
    assert (again.status_code, again.json()) == (404, {"errors": ["Service not found"]})
    assert call(api, "GET", SERVICES + "/web", DD).json() == {"errors": ["Service not found"]}


def test_datadog_update_absent_and_duplicate(api):
    absent = call(api, "PUT", SERVICES + "/nope", DD, json={"service_key": "k"})
    assert (absent.status_code, absent.json()) == (404, {"errors": ["Service not found"]})
    assert dd_create(api, "dup").status_code == 201
    duplicate = dd_create(api, "dup")
    assert (duplicate.status_code, duplicate.json()) == (400, {"errors": ["Service already exists"]})


@pytest.mark.parametrize("body, error", [
    ({}, "'service_name' should be string"),
    ({"service_name": 3, "service_key": "k"}, "'service_name' should be string"),
    ({"service_name": "x"}, "'service_key' should be string"),
    ({"service_name": "x", "service_key": None}, "'service_key' should be string"),
    ({"service_name": "  ", "service_key": "k"}, "service_name cannot be blank"),
    ({"service_name": "x", "service_key": ""}, "service_key cannot be blank"),
    ({"service_name": "", "service_key": 1}, "'service_key' should be string"),
])
def test_datadog_create_validation(api, body, error):
    response = call(api, "POST", SERVICES, DD, json=body)
    assert (response.status_code, response.json()) == (400, {"errors": [error]})


def test_datadog_validation_runs_before_duplicate_check_and_on_update(api):
    dd_create(api, "x")
    assert call(api, "POST", SERVICES, DD, json={"service_name": "x", "service_key": ""}).json() == {"errors": ["service_key cannot be blank"]}
    response = call(api, "PUT", SERVICES + "/x", DD, json={"service_key": 5})
    assert (response.status_code, response.json()) == (400, {"errors": ["'service_key' should be string"]})


def test_datadog_percent_encoding_and_plus(api):
    assert dd_create(api, "a b").status_code == 201
    assert dd_create(api, "c+d").status_code == 201
    assert dd_create(api, "é%").status_code == 201
    assert call(api, "GET", SERVICES + "/a%20b", DD).json() == {"service_name": "a b"}
    assert call(api, "GET", SERVICES + "/a+b", DD).status_code == 404
    assert call(api, "GET", SERVICES + "/c+d", DD).json() == {"service_name": "c+d"}
    assert call(api, "GET", SERVICES + "/c%2Bd", DD).json() == {"service_name": "c+d"}
    assert call(api, "GET", SERVICES + "/%C3%A9%25", DD).json() == {"service_name": "é%"}


@pytest.mark.parametrize("encoded", ["a%2Fb", "a%2fb"])
def test_datadog_slash_names_cannot_be_addressed(api, encoded):
    assert dd_create(api, "a/b").status_code == 201
    for method in ("GET", "PUT", "DELETE"):
        response = call(api, method, SERVICES + "/" + encoded, DD, json={"service_key": "k"})
        assert response.status_code == 404
        assert response.content == b""
        assert response.headers["Content-Type"] == "text/html"
        assert "X-RateLimit-Limit" not in response.headers
    assert "a/b" in ctl(api, "GET", "state").json()["datadog"]["services"]


@pytest.mark.parametrize("method, path", [
    ("GET", SERVICES),
    ("POST", SERVICES + "/x"),
    ("GET", "/api/v1/nothing"),
    ("GET", SERVICES + "/"),
    ("GET", "/"),
])
def test_datadog_unknown_routes(api, method, path):
    response = call(api, method, path, DD)
    assert (response.status_code, response.content, response.headers["Content-Type"]) == (404, b"", "text/html")


@pytest.mark.parametrize("headers, body", [
    ({}, {"errors": ["API key required"]}),
    ({"DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}, {"errors": ["API key required"]}),
    ({"DD-API-KEY": "wrong", "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}, server.DATADOG_FORBIDDEN),
    ({"DD-API-KEY": facts.DATADOG_API_KEY}, server.DATADOG_FORBIDDEN),
    ({"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": "wrong"}, server.DATADOG_FORBIDDEN),
])
def test_datadog_forbidden(api, headers, body):
    response = call(api, "POST", SERVICES, headers, json={"service_name": "x", "service_key": "k"})
    assert (response.status_code, response.json()) == (403, body)
    assert not [name for name in response.headers if name.lower().startswith("x-ratelimit")]
    if "status" in body:
        assert response.headers["Via"] == "haproxy"
        assert body["statuspage"] == "http://status.datadoghq.com"
    assert ctl(api, "GET", "state").json()["datadog"]["services"] == {}


def test_datadog_integration_switched_off(api):
    dd_create(api, "web")
    assert ctl(api, "POST", "settings", {"datadog_integration_enabled": False}).json()["datadog_integration_enabled"] is False
    for method, path, body in (("POST", SERVICES, {"service_name": "n", "service_key": "k"}), ("POST", SERVICES, {}),
                               ("GET", SERVICES + "/web", None), ("PUT", SERVICES + "/web", {"service_key": "k"}),
                               ("DELETE", SERVICES + "/web", None)):
        response = call(api, method, path, DD, json=body)
        assert (response.status_code, response.json()) == (404, {"errors": ["Pagerduty Integration not found"]})
        assert response.headers["X-RateLimit-Limit"] == "12000"
    assert list(ctl(api, "GET", "state").json()["datadog"]["services"]) == ["web"]


def test_datadog_delete_status_200_setting(api):
    dd_create(api, "web")
    ctl(api, "POST", "settings", {"datadog_delete_status": 200})
    response = call(api, "DELETE", SERVICES + "/web", DD)
    assert (response.status_code, response.json(), response.headers["Content-Type"]) == (200, {}, "application/json")


def test_datadog_rate_limit_headers_and_429(api):
    first = call(api, "GET", SERVICES + "/x", DD)
    second = call(api, "GET", SERVICES + "/x", DD)
    assert first.headers["X-RateLimit-Limit"] == "12000"
    assert first.headers["X-RateLimit-Period"] == "60"
    assert int(second.headers["X-RateLimit-Remaining"]) == int(first.headers["X-RateLimit-Remaining"]) - 1
    assert 1 <= int(first.headers["X-RateLimit-Reset"]) <= 60

    assert ctl(api, "POST", "ratelimit", {"vendor": "datadog", "limit": 2, "period": 0.3}).json()["datadog"] == {"limit": 2, "period": 0.3}
    ok = [call(api, "GET", SERVICES + "/x", DD) for dummy in range(2)]
    assert [r.status_code for r in ok] == [404, 404]
    assert [r.headers["X-RateLimit-Remaining"] for r in ok] == ["1", "0"]
    refused = call(api, "POST", SERVICES, DD, json={"service_name": "x", "service_key": "k"})
    assert refused.status_code == 429
    assert refused.json() == {"errors": ["Rate limit of 2 requests in 0.3 seconds reached. Please try again later."]}
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert int(refused.headers["X-RateLimit-Reset"]) >= 1
    assert ctl(api, "GET", "state").json()["datadog"]["services"] == {}
    time.sleep(0.35)
    assert dd_create(api, "x").status_code == 201

    assert ctl(api, "POST", "ratelimit", {"vendor": "datadog", "limit": None}).json()["datadog"] is None
    assert all(call(api, "GET", SERVICES + "/x", DD).status_code == 200 for dummy in range(4))


def test_datadog_rate_limit_message_with_whole_seconds(api):
    ctl(api, "POST", "ratelimit", {"vendor": "datadog", "limit": 0, "period": 2})
    response = call(api, "GET", SERVICES + "/x", DD)
    assert response.json() == {"errors": ["Rate limit of 0 requests in 2 seconds reached. Please try again later."]}
    assert response.headers["X-RateLimit-Period"] == "2"
    assert response.headers["X-RateLimit-Reset"] in ("1", "2")


# ------------------------------------------------------------------------------------ Cloudflare


def test_cloudflare_list_envelope_and_headers(api):
    response = call(api, "GET", PD, CF)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Ratelimit"] == '"default";r=1199;t=300'
    assert response.headers["Ratelimit-Policy"] == '"default";q=1200;w=300'
    body = response.json()
    assert body["success"] is True and body["errors"] == [] and body["messages"] == [] and body["result"] == []
    assert body["result_info"]["count"] == 0

    ctl(api, "POST", "settings", {"cloudflare_empty_result": "null"})
    assert call(api, "GET", PD, CF).json()["result"] is None
    ctl(api, "POST", "state", {"cloudflare": {"destinations": [{"id": "a" * 32, "name": "Ops"}, "Ops"]}})
    result = call(api, "GET", PD, CF).json()["result"]
    assert result[0] == {"id": "a" * 32, "name": "Ops"}
    assert result[1]["name"] == "Ops" and HEX32.match(result[1]["id"])


def test_cloudflare_global_key_auth(api):
    assert call(api, "GET", PD, GLOBAL_KEY).status_code == 200


def _cf_error(response):
    body = response.json()
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    assert response.headers["Content-Type"] == "application/json"
    return response.status_code, body["errors"]


def _chain(*codes):
    messages = {6102: "Invalid format for X-Auth-Email header", 6103: "Invalid format for X-Auth-Key header",
                6111: "Invalid format for Authorization header"}
    return [{"code": 6003, "message": "Invalid request headers", "error_chain": [{"code": c, "message": messages[c]} for c in codes]}]


AUTH_ERROR = [{"code": 10000, "message": "Authentication error"}]


@pytest.mark.parametrize("headers, status, errors", [
    ({"Authorization": "Bearer wrong-token"}, 401, AUTH_ERROR),
    ({"Authorization": facts.CLOUDFLARE_API_TOKEN}, 400, _chain(6111)),
    ({"Authorization": "Bearer "}, 400, _chain(6111)),
    ({"Authorization": "Basic abc"}, 400, _chain(6111)),
    ({}, 400, _chain(6102, 6103)),
    ({"X-Auth-Email": facts.CLOUDFLARE_EMAIL}, 400, _chain(6103)),
    ({"X-Auth-Key": facts.CLOUDFLARE_API_KEY}, 400, _chain(6102)),
    (dict(GLOBAL_KEY, **{"X-Auth-Key": "bad key!"}), 400, _chain(6103)),
    (dict(GLOBAL_KEY, **{"X-Auth-Email": "not-an-email"}), 400, _chain(6102)),
    (dict(GLOBAL_KEY, **{"X-Auth-Key": "wrong-key"}), 403, AUTH_ERROR),
    (dict(GLOBAL_KEY, **{"X-Auth-Email": "other@example.com"}), 403, AUTH_ERROR),
])
def test_cloudflare_auth_errors(api, headers, status, errors):
    response = call(api, "DELETE", PD, headers)
    assert _cf_error(response) == (status, errors)
    assert "Ratelimit" not in response.headers


def test_cloudflare_routing_errors(api):
    other = call(api, "GET", PD.replace(ACCOUNT, "f" * 32), CF)
    assert _cf_error(other) == (403, AUTH_ERROR)
    bad = call(api, "GET", "/client/v4/accounts/not-an-id/alerting/v3/destinations/pagerduty", CF)
    message = "Could not route to /accounts/not-an-id/alerting/v3/destinations/pagerduty, perhaps your object identifier is invalid?"
    assert _cf_error(bad) == (404, [{"code": 7003, "message": message}])
    no_route = [{"code": 7000, "message": "No route for that URI"}]
    for method, path in (("GET", "/client/v4/nothing"), ("PUT", PD), ("GET", PD + "/connect"), ("POST", PD), ("GET", "/client/v4")):
        assert _cf_error(call(api, method, path, CF)) == (404, no_route)
    assert _cf_error(call(api, "GET", "/client/v4/nothing")) == (404, no_route)
    garbage = call(api, "GET", PD + "/connect/zzz", CF)
    assert _cf_error(garbage)[0] == 404 and _cf_error(garbage)[1][0]["code"] == 7003


def test_cloudflare_connect_flow_and_one_time_tokens(api):
    created = call(api, "POST", PD + "/connect", CF)
    assert created.status_code == 201
    token = created.json()["result"]["id"]
    assert HEX32.match(token)
    assert ctl(api, "GET", "state").json()["cloudflare"]["tokens"] == {token: {"authorized": None, "used": False}}

    pending = cf_link(api, token)
    status, errors = _cf_error(pending)
    assert status == 400 and errors[0]["code"] == 17003 and "authorization was not completed" in errors[0]["message"]

    authorized = ctl(api, "POST", "cloudflare/authorize", {"token_id": token, "services": ["Ops", {"id": "b" * 32, "name": "DB"}, "Ops"]})
    assert authorized.status_code == 200
    assert [s["name"] for s in authorized.json()["authorized"]] == ["Ops", "DB", "Ops"]

    linked = cf_link(api, token)
    assert linked.status_code == 200
    assert linked.json()["result"] == {"id": token} and linked.json()["success"] is True
    listed = call(api, "GET", PD, CF).json()["result"]
    assert [s["name"] for s in listed] == ["Ops", "DB", "Ops"]
    assert all(HEX32.match(s["id"]) for s in listed) and len(set(s["id"] for s in listed)) == 3
    assert ctl(api, "GET", "state").json()["cloudflare"]["tokens"][token]["used"] is True

    reused = cf_link(api, token)
    assert _cf_error(reused) == (404, [{"code": 17002, "message": "PagerDuty connection token not found or already used"}])
    assert len(call(api, "GET", PD, CF).json()["result"]) == 3
    unknown = cf_link(api, "c" * 32)
    assert _cf_error(unknown)[0] == 404
    uuid_token = cf_link(api, "0c0ffee0-1234-4abc-8def-0123456789ab")
    assert _cf_error(uuid_token)[1][0]["code"] == 17002
    assert ctl(api, "POST", "cloudflare/authorize", {"token_id": token, "services": ["X"]}).status_code == 409

    second = call(api, "POST", PD + "/connect", CF).json()["result"]["id"]
    assert second != token
    ctl(api, "POST", "cloudflare/authorize", {"token_id": second, "services": ["Web"]})
    assert cf_link(api, second).status_code == 200
    assert [s["name"] for s in call(api, "GET", PD, CF).json()["result"]] == ["Ops", "DB", "Ops", "Web"]

    deleted = call(api, "DELETE", PD, CF)
    assert deleted.status_code == 200
    assert deleted.json() == {"success": True, "errors": [], "messages": []}
    assert call(api, "GET", PD, CF).json()["result"] == []


def test_cloudflare_authorize_errors(api):
    unknown = ctl(api, "POST", "cloudflare/authorize", {"token_id": "d" * 32, "services": ["Ops"]})
    assert unknown.status_code == 404 and "unknown token" in unknown.json()["error"]
    token = call(api, "POST", PD + "/connect", CF).json()["result"]["id"]
    assert ctl(api, "POST", "cloudflare/authorize", {"token_id": token, "services": []}).status_code == 400
    assert ctl(api, "POST", "cloudflare/authorize", {"token_id": token}).status_code == 400


def test_cloudflare_rate_limit(api):
    ctl(api, "POST", "ratelimit", {"vendor": "cloudflare", "limit": 1, "period": 2})
    first = call(api, "GET", PD, CF)
    assert first.status_code == 200
    assert first.headers["Ratelimit"] == '"default";r=0;t=2'
    assert first.headers["Ratelimit-Policy"] == '"default";q=1;w=2'
    refused = call(api, "POST", PD + "/connect", CF)
    assert _cf_error(refused) == (429, [{"code": 971, "message": "Please wait and consider throttling your request speed"}])
    assert refused.headers["Retry-After"] in ("1", "2")
    assert ctl(api, "GET", "state").json()["cloudflare"]["tokens"] == {}
    assert call(api, "GET", SERVICES + "/x", DD).status_code == 404


# ------------------------------------------------------------------------------- control API


def test_reset_clears_everything(api):
    dd_create(api, "web")
    call(api, "POST", PD + "/connect", CF)
    ctl(api, "POST", "faults", {"path": "nothing-matches"})
    ctl(api, "POST", "settings", {"latency_ms": 1, "cloudflare_empty_result": "null"})
    ctl(api, "POST", "ratelimit", {"vendor": "datadog", "limit": 5, "period": 1})
    assert ctl(api, "POST", "reset").json() == {"ok": True}
    assert ctl(api, "GET", "state").json() == {"datadog": {"services": {}}, "cloudflare": {"destinations": [], "tokens": {}}}
    assert journal(api) == []
    assert ctl(api, "GET", "faults").json() == {"faults": []}
    assert ctl(api, "GET", "settings").json() == {"latency_ms": 0, "datadog_integration_enabled": True,
                                                  "datadog_delete_status": 204, "cloudflare_empty_result": "empty_list",
                                                  "cloudflare_pagerduty_eligible": True}
    assert ctl(api, "GET", "ratelimit").json() == {"datadog": None, "cloudflare": None}


def test_journal_records_app_requests_only_in_order(api):
    dd_create(api, "a b")
    call(api, "GET", SERVICES + "/a%20b?x=1", DD)
    call(api, "GET", SERVICES + "/a%20b", {})
    call(api, "GET", PD, CF)
    call(api, "GET", "/favicon.ico")
    ctl(api, "GET", "state")
    entries = journal(api)
    assert [(e["vendor"], e["method"], e["path"], e["status"]) for e in entries] == [
        ("datadog", "POST", SERVICES, 201),
        ("datadog", "GET", SERVICES + "/a%20b?x=1", 200),
        ("datadog", "GET", SERVICES + "/a%20b", 403),
        ("cloudflare", "GET", PD, 200),
        ("unknown", "GET", "/favicon.ico", 404),
    ]
    times = [e["time"] for e in entries]
    assert times == sorted(times) and abs(times[0] - time.time()) < 60
    assert ctl(api, "DELETE", "journal").json() == {"requests": []}
    assert journal(api) == []


def test_fault_status_answers_without_applying(api):
    faults = ctl(api, "POST", "faults", {"method": "post", "path": "/services$", "times": 2, "status": 503,
                                         "body": {"errors": ["Service Unavailable"]}, "headers": {"Retry-After": 1}}).json()["faults"]
    assert faults == [{"method": "POST", "path": "/services$", "times": 2, "status": 503, "body": {"errors": ["Service Unavailable"]},
                       "content_type": None, "headers": {"Retry-After": "1"}, "delay_ms": None, "drop": None}]
    assert call(api, "GET", SERVICES + "/web", DD).status_code == 404
    first = dd_create(api, "web")
    assert (first.status_code, first.json(), first.headers["Retry-After"]) == (503, {"errors": ["Service Unavailable"]}, "1")
    assert first.headers["Content-Type"] == "application/json"
    assert ctl(api, "GET", "faults").json()["faults"][0]["times"] == 1
    assert dd_create(api, "web").status_code == 503
    assert ctl(api, "GET", "faults").json() == {"faults": []}
    assert ctl(api, "GET", "state").json()["datadog"]["services"] == {}
    assert dd_create(api, "web").status_code == 201
    assert [e["status"] for e in journal(api)] == [404, 503, 503, 201]


def test_fault_string_body_content_type_and_queue_order(api):
    ctl(api, "POST", "faults", [{"path": "pagerduty", "status": 429, "body": "<html>slow down</html>", "content_type": "text/html"},
                                {"status": 500}])
    html = call(api, "GET", PD, CF)
    assert (html.status_code, html.text, html.headers["Content-Type"]) == (429, "<html>slow down</html>", "text/html")
    empty = call(api, "GET", PD, CF)
    assert (empty.status_code, empty.content, empty.headers["Content-Length"]) == (500, b"", "0")
    assert "Content-Type" not in empty.headers
    assert call(api, "GET", PD, CF).status_code == 200
    ctl(api, "POST", "faults", {"status": 502, "times": None})
    assert [call(api, "GET", PD, CF).status_code for dummy in range(3)] == [502] * 3
    assert ctl(api, "DELETE", "faults").json() == {"faults": []}
    assert call(api, "GET", PD, CF).status_code == 200


@pytest.mark.parametrize("fault", [
    {"drop": "sideways"}, {"status": 99}, {"times": 0}, {"path": "("}, {"colour": "red"}, {"body": "x"},
    {"status": 500, "drop": "before"}, {"delay_ms": -1}, "text",
])
def test_fault_validation(api, fault):
    response = ctl(api, "POST", "faults", fault)
    assert response.status_code == 400 and response.json()["error"]
    assert ctl(api, "GET", "faults").json() == {"faults": []}


def test_fault_delay(api):
    ctl(api, "POST", "faults", {"method": "GET", "delay_ms": 200})
    started = time.monotonic()
    assert call(api, "GET", PD, CF).status_code == 200
    assert time.monotonic() - started >= 0.2
    started = time.monotonic()
    call(api, "GET", PD, CF)
    assert time.monotonic() - started < 0.2


def test_fault_drop_before_does_not_apply(api):
    ctl(api, "POST", "faults", {"method": "POST", "drop": "before"})
    with pytest.raises(requests.ConnectionError):
        requests.post(api.url + SERVICES, headers=DD, json={"service_name": "web", "service_key": "k"}, timeout=5)
    assert ctl(api, "GET", "state").json()["datadog"]["services"] == {}
    assert [(e["method"], e["status"]) for e in journal(api)] == [("POST", None)]
    assert dd_create(api, "web").status_code == 201


def test_fault_drop_after_applies_without_answering(api):
    ctl(api, "POST", "faults", {"path": "/connect$", "drop": "after"})
    with pytest.raises(requests.ConnectionError):
        requests.post(api.url + PD + "/connect", headers=CF, timeout=5)
    assert len(ctl(api, "GET", "state").json()["cloudflare"]["tokens"]) == 1
    ctl(api, "POST", "faults", {"method": "DELETE", "drop": "after"})
    dd_create(api, "web")
    with pytest.raises(requests.ConnectionError):
        requests.delete(api.url + SERVICES + "/web", headers=DD, timeout=5)
    assert ctl(api, "GET", "state").json()["datadog"]["services"] == {}
    assert [e["status"] for e in journal(api)] == [None, 201, None]


def test_settings(api):
    assert ctl(api, "POST", "settings", {"latency_ms": 150}).json()["latency_ms"] == 150
    started = time.monotonic()
    call(api, "GET", PD, CF)
    assert time.monotonic() - started >= 0.15
    started = time.monotonic()
    ctl(api, "GET", "settings")
    assert time.monotonic() - started < 0.15
    for bad in ({"latency_ms": "x"}, {"datadog_delete_status": 202}, {"cloudflare_empty_result": "none"},
                {"datadog_integration_enabled": "no"}, {"other": 1}):
        assert ctl(api, "POST", "settings", bad).status_code == 400
    assert ctl(api, "GET", "settings").json()["latency_ms"] == 150


def test_ratelimit_validation(api):
    assert ctl(api, "POST", "ratelimit", {"vendor": "aws", "limit": 1}).status_code == 400
    assert ctl(api, "POST", "ratelimit", {"vendor": "datadog", "limit": "1"}).status_code == 400
    assert ctl(api, "POST", "ratelimit", {"vendor": "datadog", "limit": 1, "period": 0}).status_code == 400
    assert ctl(api, "POST", "ratelimit", {"vendor": "cloudflare", "limit": 3}).json()["cloudflare"] == {"limit": 3, "period": 300}


def test_state_seed_and_read(api):
    seeded = ctl(api, "POST", "state", {
        "datadog": {"services": {"web": {"service_key": "k1"}, "db": "k2"}},
        "cloudflare": {"destinations": [{"id": "e" * 32, "name": "Ops"}],
                       "tokens": {"f" * 32: {"authorized": ["Web"]}, "a" * 32: {"used": True}}},
    })
    assert seeded.status_code == 200
    state = seeded.json()
    assert state["datadog"]["services"] == {"web": {"service_key": "k1"}, "db": {"service_key": "k2"}}
    assert state["cloudflare"]["destinations"] == [{"id": "e" * 32, "name": "Ops"}]
    assert state["cloudflare"]["tokens"]["a" * 32] == {"authorized": None, "used": True}
    assert ctl(api, "GET", "state").json() == state
    assert journal(api) == []
    assert call(api, "GET", SERVICES + "/db", DD).json() == {"service_name": "db"}
    assert cf_link(api, "f" * 32).status_code == 200
    assert [d["name"] for d in call(api, "GET", PD, CF).json()["result"]] == ["Ops", "Web"]
    assert cf_link(api, "a" * 32).status_code == 404

    partial = ctl(api, "POST", "state", {"cloudflare": {"destinations": []}}).json()
    assert partial["cloudflare"]["destinations"] == [] and "web" in partial["datadog"]["services"]
    assert ctl(api, "POST", "state", {"datadog": {"services": {"x": {}}}}).status_code == 400
    assert ctl(api, "POST", "state", ["nope"]).status_code == 400


def test_control_api_errors(api):
    assert ctl(api, "GET", "nowhere").status_code == 404
    assert ctl(api, "PUT", "journal").status_code == 405
    bad_json = api.post(api.url + "/_sandbox/settings", data="{nope")
    assert bad_json.status_code == 400
    assert ctl(api, "GET", "health").json() == {"ok": True}
    assert journal(api) == []


# --------------------------------------------------------------------------------- transport


def test_keep_alive_and_content_length(sandbox):
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    try:
        conn.request("POST", "/_sandbox/reset")
        reset = conn.getresponse()
        assert reset.version == 11 and reset.read() == b'{"ok": true}'
        for path in (SERVICES + "/x", "/nothing", SERVICES + "/a%2Fb"):
            conn.request("GET", path, headers=DD)
            response = conn.getresponse()
            assert response.getheader("Content-Length") == str(len(response.read()))
            assert response.getheader("Connection") is None
        assert conn.sock is not None
    finally:
        conn.close()


def test_concurrent_requests(api):
    import concurrent.futures  # pylint: disable=import-outside-toplevel

    def work(index):
        with requests.Session() as session:
            created = session.post(api.url + SERVICES, headers=DD, json={"service_name": "s%d" % index, "service_key": "k"})
            return created.status_code, session.get(api.url + SERVICES + "/s%d" % index, headers=DD).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(work, range(40))) == {(201, 200)}
    assert len(ctl(api, "GET", "state").json()["datadog"]["services"]) == 40
    assert len(journal(api)) == 80


def test_command_line_start_and_sigterm():
    process = subprocess.Popen([sys.executable, SERVER_SCRIPT, "--port", "0", "--latency-ms", "5"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        line = process.stdout.readline().strip()
        match = re.match(r"^sandbox listening on (http://127\.0\.0\.1:(\d+))$", line)
        assert match and int(match.group(2)) > 0, line
        assert requests.get(match.group(1) + "/_sandbox/settings", timeout=5).json()["latency_ms"] == 5
        assert requests.get(match.group(1) + SERVICES + "/x", headers=DD, timeout=5).status_code == 404
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
