# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's Datadog API (datadog_api.py): the service objects, their keys, validation, routes, rate limits and
the integration-level read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest
import requests

from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.datadog_api import DATADOG_FORBIDDEN
from ansible_collections.oncall.pagerduty.tests.unit.sandbox.conftest import DD, SERVICES, call, ctl, dd_create


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
    ({"DD-API-KEY": "wrong", "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}, DATADOG_FORBIDDEN),
    ({"DD-API-KEY": facts.DATADOG_API_KEY}, DATADOG_FORBIDDEN),
    ({"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": "wrong"}, DATADOG_FORBIDDEN),
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


def test_datadog_integration_read_lists_every_object_with_keys_masked(sandbox, state):
    state.seed({"datadog": {"services": {"web": "k" * 32, "a b": "k" * 32}}})
    response = requests.get(sandbox.url + facts.DATADOG_INTEGRATION_PATH, headers=DD, timeout=10)
    assert response.status_code == 200 and response.headers["X-RateLimit-Limit"] == "12000"
    body = response.json()
    assert body["services"] == [{"service_name": "web", "service_key": "*****"},
                                {"service_name": "a b", "service_key": "*****"}]
    assert body["api_token"] == "*****" and "k" * 32 not in response.text
    state.update_settings({"datadog_integration_enabled": False})
    response = requests.get(sandbox.url + facts.DATADOG_INTEGRATION_PATH, headers=DD, timeout=10)
    assert (response.status_code, response.json()) == (404, {"errors": ["Pagerduty Integration not found"]})


def test_a_write_to_the_integration_object_changes_nothing_and_is_journaled(sandbox, state):
    state.seed({"datadog": {"services": {"web": "k" * 32}}})
    response = requests.put(sandbox.url + facts.DATADOG_INTEGRATION_PATH, headers=DD, json={}, timeout=10)
    assert response.status_code == 200
    assert list(state.snapshot()["datadog"]["services"]) == ["web"]
    assert [(e["method"], e["path"]) for e in state.journal_view()] == [("PUT", facts.DATADOG_INTEGRATION_PATH)]
