# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""datadog_pagerduty_service when Datadog or the network misbehaves: refused credentials, a
missing integration, rate limits, server errors, timeouts, refused connections, races and lost
answers. Each test asserts the user's view (status, message) and the exact requests sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from datadog_tasks import GET, POST, PUT, SERVICES_PATH, path_regex, service_path
from integration_harness import closed_port

PAYMENTS_KEY = "pdkey-payments-0123456789abcdef"
PAYMENTS_NEW_KEY = "pdkey-payments-rotated-fedcba9876543210"
CHECKOUT_KEY = "pdkey-checkout-6bc1bee22e409f96"
CHECKOUT_NEW_KEY = "pdkey-checkout-rotated-ae2d8a571e03ac9c"
LEGACY_KEY = "pdkey-legacy-3c4fcf098815f7ab"
WRONG_API_KEY = "wrong-dd-api-key-9e1f0c3b5a7d4e28"
WRONG_APP_KEY = "wrong-dd-app-key-41c7e2b9d05a6f13"

HTML_429 = "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>"


def statuses(sandbox):
    return sandbox.calls_with_status("datadog")


def test_wrong_key_fails_with_403_naming_datadog_method_path_and_reason(run_playbook, sandbox, datadog):
    run = run_playbook([
        datadog.service("link payments", ignore_errors=True, service_name="payments", service_key=PAYMENTS_KEY,
                        api_key=WRONG_API_KEY, app_key=WRONG_APP_KEY),
        datadog.info("read payments", ignore_errors=True, service_names=["payments"], api_key=WRONG_API_KEY),
    ])

    for task in ("link payments", "read payments"):
        result = run.failure(task)
        path = service_path("payments")
        for part in ("Datadog", "GET", path, "403", "Forbidden"):
            assert part in result["msg"], (part, result["msg"])
        assert result["status"] == 403
        assert result["api_errors"] == ["Forbidden"]
        assert result["request"] == {"method": "GET", "path": path}
    # A 403 is not retried, and nothing is written after a refused read.
    assert statuses(sandbox) == [("GET", service_path("payments"), 403)] * 2
    assert sandbox.datadog_services() == {}


def test_integration_not_installed_is_a_clear_failure_not_absence(run_playbook, sandbox, datadog):
    sandbox.settings(datadog_integration_enabled=False)
    run = run_playbook([
        datadog.service("link payments", ignore_errors=True, service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("remove legacy", ignore_errors=True, service_name="legacy", state="absent"),
        datadog.info("read payments", ignore_errors=True, service_names=["payments"]),
    ])

    for task, name in (("link payments", "payments"), ("remove legacy", "legacy"), ("read payments", "payments")):
        result = run.failure(task)
        assert "PagerDuty integration is not installed" in result["msg"]
        assert "Install the PagerDuty integration" in result["msg"]
        assert "Pagerduty Integration not found" in result["msg"]
        assert result["status"] == 404
        assert result["request"] == {"method": "GET", "path": service_path(name)}
    # Never taken for "absent": no create was attempted, no delete reported.
    assert sandbox.calls("datadog") == [GET("payments"), GET("legacy"), GET("payments")]


def test_rate_limit_429_waits_for_x_ratelimit_reset_then_succeeds(run_playbook, sandbox, datadog):
    sandbox.ratelimit("datadog", limit=1, period=1)
    run = run_playbook([datadog.service("link payments", service_name="payments", service_key=PAYMENTS_KEY)])

    assert run.status("link payments") == "changed"
    journal = sandbox.journal("datadog")
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, 429),  # a refused POST was not applied: it is sent again
        ("POST", SERVICES_PATH, 201),
    ]
    # X-RateLimit-Reset said 1 s: the retry waited for it, not for a shorter backoff.
    assert journal[2]["time"] - journal[1]["time"] >= 0.95
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}


def test_429_with_an_html_body(run_playbook, sandbox, datadog):
    sandbox.add_faults([
        dict(method="GET", path=path_regex("payments"), status=429, body=HTML_429, content_type="text/html",
             headers={"X-RateLimit-Reset": "1"}, times=1),
        dict(method="GET", path=path_regex("checkout"), status=429, body=HTML_429, content_type="text/html",
             headers={"X-RateLimit-Reset": "1"}, times=None),
    ])
    run = run_playbook([
        datadog.service("retried once", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("no retries left", ignore_errors=True, service_name="checkout", service_key=CHECKOUT_KEY,
                        retries=0),
    ])

    assert run.status("retried once") == "changed"
    result = run.failure("no retries left")
    assert "Datadog API GET %s returned HTTP 429" % service_path("checkout") in result["msg"]
    assert "<html" not in result["msg"]
    assert result["status"] == 429
    assert statuses(sandbox) == [
        ("GET", service_path("payments"), 429),
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, 201),
        ("GET", service_path("checkout"), 429),
    ]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}


def test_transient_5xx_is_retried_until_success(run_playbook, sandbox, datadog):
    unavailable = dict(status=503, body={"errors": ["Service Unavailable"]})
    sandbox.add_faults([dict(unavailable, method="GET", path=path_regex("payments"), times=2),
                        dict(unavailable, method="POST", times=1)])
    run = run_playbook([  # the POST fault matches the first POST: the checkout task's
        datadog.service("create answered 503 once", service_name="checkout", service_key=CHECKOUT_KEY),
        datadog.service("read answered 503 twice", service_name="payments", service_key=PAYMENTS_KEY),
    ])

    assert run.status("create answered 503 once") == "changed"
    assert run.status("read answered 503 twice") == "changed"
    assert statuses(sandbox) == [
        ("GET", service_path("checkout"), 404),
        ("POST", SERVICES_PATH, 503),  # a POST is never blindly repeated: check first...
        ("GET", service_path("checkout"), 404),
        ("POST", SERVICES_PATH, 201),  # ...then send it again
        ("GET", service_path("payments"), 503),
        ("GET", service_path("payments"), 503),
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, 201),
    ]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "checkout": CHECKOUT_KEY}


def test_persistent_5xx_fails_after_the_configured_retries(run_playbook, sandbox, datadog):
    sandbox.add_fault(method="GET", path=path_regex("payments"), status=500,
                      body={"errors": ["Internal Server Error"]}, times=None)
    run = run_playbook([datadog.service("link payments", ignore_errors=True, service_name="payments",
                                        service_key=PAYMENTS_KEY, retries=1)])

    result = run.failure("link payments")
    assert "Datadog API GET %s returned HTTP 500: Internal Server Error" % service_path("payments") in result["msg"]
    assert result["status"] == 500
    assert result["api_errors"] == ["Internal Server Error"]
    # retries: 1 means one retry after the first try: exactly two requests.
    assert statuses(sandbox) == [("GET", service_path("payments"), 500)] * 2
    assert sandbox.datadog_services() == {}


def test_timeout_fails_naming_it_and_a_retry_recovers(run_playbook, sandbox, datadog):
    sandbox.add_faults([
        dict(method="GET", path=path_regex("payments"), delay_ms=2500, times=1),
        dict(method="GET", path=path_regex("checkout"), delay_ms=2500, times=1),
    ])
    run = run_playbook([
        datadog.service("slow answer, no retry", ignore_errors=True, service_name="payments",
                        service_key=PAYMENTS_KEY, timeout=1, retries=0),
        datadog.service("slow answer, one retry", service_name="checkout", service_key=CHECKOUT_KEY,
                        timeout=1, retries=1),
    ])

    result = run.failure("slow answer, no retry")
    assert "Datadog API GET %s failed" % service_path("payments") in result["msg"]
    assert "timeout=1" in result["msg"]
    assert result["request"] == {"method": "GET", "path": service_path("payments")}
    assert run.status("slow answer, one retry") == "changed"
    assert sandbox.calls("datadog") == [GET("payments"), GET("checkout"), GET("checkout"), POST]
    assert sandbox.datadog_services() == {"checkout": CHECKOUT_KEY}


def test_refused_connection_is_a_clear_failure(run_playbook, sandbox, datadog):
    url = "http://127.0.0.1:%d" % closed_port()
    run = run_playbook([
        datadog.service("link payments", ignore_errors=True, service_name="payments", service_key=PAYMENTS_KEY,
                        api_url=url, retries=0),
        datadog.info("read payments", ignore_errors=True, service_names=["payments"], api_url=url, retries=0),
    ])

    for task in ("link payments", "read payments"):
        result = run.failure(task)
        assert "Datadog API GET %s failed: could not connect" % service_path("payments") in result["msg"]
        assert "refused" in result["msg"].lower()
        assert result["status"] is None
    assert sandbox.journal() == []


def test_wrong_api_url_is_never_taken_for_an_absent_object(run_playbook, sandbox, datadog):
    # The router's 404 (empty body, text/html) is not Datadog's "Service not found".
    url = sandbox.datadog_url + "/not-datadog"
    run = run_playbook([
        datadog.service("link payments", ignore_errors=True, service_name="payments", service_key=PAYMENTS_KEY,
                        api_url=url),
        datadog.service("remove payments", ignore_errors=True, service_name="payments", state="absent", api_url=url),
        datadog.info("read payments", ignore_errors=True, service_names=["payments"], api_url=url),
    ])

    path = "/not-datadog" + service_path("payments")
    for task in ("link payments", "remove payments", "read payments"):
        result = run.failure(task)
        assert "Datadog API GET %s returned HTTP 404" % service_path("payments") in result["msg"]
        assert "not a Datadog answer; check api_url" in result["msg"]
        assert result["status"] == 404
    assert sandbox.calls_with_status() == [("GET", path, 404)] * 3


def test_a_200_that_is_not_datadog_json_is_never_taken_for_an_existing_object(run_playbook, sandbox, datadog):
    sandbox.add_fault(path=path_regex("payments"), status=200, content_type="text/html", times=None,
                      body="<html><body>Please sign in to the web proxy</body></html>")
    run = run_playbook([
        datadog.service("link payments", ignore_errors=True, service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("remove payments", ignore_errors=True, service_name="payments", state="absent"),
        datadog.info("read payments", ignore_errors=True, service_names=["payments"]),
    ])

    for task in ("link payments", "remove payments", "read payments"):
        result = run.failure(task)
        assert "200" in result["msg"] and "api_url" in result["msg"], result["msg"]
    assert sandbox.calls("datadog") == [GET("payments")] * 3


def test_create_that_loses_a_race_ends_in_the_desired_state(run_playbook, sandbox, datadog):
    # Someone else created both objects between our read (answered 404) and our POST.
    sandbox.seed_datadog({"payments": PAYMENTS_KEY, "checkout": CHECKOUT_KEY})
    not_found = dict(method="GET", status=404, body={"errors": ["Service not found"]}, times=1)
    sandbox.add_faults([dict(not_found, path=path_regex("payments")), dict(not_found, path=path_regex("checkout"))])
    run = run_playbook([
        datadog.service("link payments", service_name="payments", service_key=PAYMENTS_NEW_KEY),
        datadog.service("link and rotate checkout", service_name="checkout", service_key=CHECKOUT_NEW_KEY,
                        update_key="always"),
    ])

    assert run.status("link payments") == "ok"
    assert run.result("link payments")["service"] == {"service_name": "payments"}
    assert run.result("link payments")["key_sent"] is False
    assert run.status("link and rotate checkout") == "changed"
    assert statuses(sandbox) == [
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, 400),  # Service already exists
        ("GET", service_path("checkout"), 404),
        ("POST", SERVICES_PATH, 400),
        ("PUT", service_path("checkout"), 200),
    ]
    # on_create leaves the winner's key alone; always replaces it.
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "checkout": CHECKOUT_NEW_KEY}


def test_create_whose_answer_is_lost_is_checked_not_repeated(run_playbook, sandbox, datadog):
    sandbox.seed_datadog({"legacy": LEGACY_KEY})
    sandbox.add_faults([
        dict(method="POST", drop="after", times=1),   # applied, then the connection drops
        dict(method="POST", drop="before", times=1),  # dropped before the server applied it
        dict(method="DELETE", drop="after", times=1),
    ])
    run = run_playbook([
        datadog.service("answer lost", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("request lost", service_name="checkout", service_key=CHECKOUT_KEY),
        datadog.service("delete answer lost", service_name="legacy", state="absent"),
    ])

    assert run.status("answer lost") == "changed"
    assert run.status("request lost") == "changed"
    assert run.status("delete answer lost") == "changed"
    assert statuses(sandbox) == [
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, None),  # no answer
        ("GET", service_path("payments"), 200),  # the re-check finds it: no second POST
        ("GET", service_path("checkout"), 404),
        ("POST", SERVICES_PATH, None),
        ("GET", service_path("checkout"), 404),  # the re-check does not find it: sent again
        ("POST", SERVICES_PATH, 201),
        ("GET", service_path("legacy"), 200),
        ("DELETE", service_path("legacy"), None),  # applied, answer lost: DELETE is idempotent, sent again
        ("DELETE", service_path("legacy"), 404),  # and "Service not found" then means done, not an error
    ]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "checkout": CHECKOUT_KEY}
    assert [call for call in sandbox.calls("datadog") if call[1] == SERVICES_PATH].count(POST) == 3
    assert PUT("payments") not in sandbox.calls("datadog")


def test_delete_that_loses_a_race_ends_ok(run_playbook, sandbox, datadog):
    # Someone else deleted the object between our read (answered 200) and our DELETE (404).
    sandbox.add_fault(method="GET", path=path_regex("legacy"), status=200, body={"service_name": "legacy"}, times=1)
    run = run_playbook([datadog.service("remove legacy", service_name="legacy", state="absent")], diff=True)

    assert statuses(sandbox) == [("GET", service_path("legacy"), 200), ("DELETE", service_path("legacy"), 404)]
    assert sandbox.datadog_services() == {}
    assert run.result("remove legacy")["service"] == {}
    assert run.status("remove legacy") == "ok"
