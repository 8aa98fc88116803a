# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's control API (state.py): reset, the journal, faults, settings, rate limits and the state."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest
import requests

from ansible_collections.oncall.pagerduty.tests.unit.sandbox.conftest import (
    CF,
    DD,
    PD,
    SERVICES,
    call,
    cf_link,
    ctl,
    dd_create,
    journal,
)


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
