# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Datadog modules when Datadog or the network misbehaves: refused credentials, a missing
integration, rate limits, server errors with JSON, HTML and empty bodies, timeouts, refused
connections, races and lost answers. Each test asserts the user's view (status, message), the
exact requests each task sent, and where a fault was injected, that running the task again
converges to `ok` with reads only. The fault runs go at -vvvv --diff, for the secret check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from datadog_tasks import CHECKOUT_KEY, CHECKOUT_NEW_KEY, LEGACY_KEY, PAYMENTS_KEY, PAYMENTS_NEW_KEY
from datadog_tasks import GET, POST, PUT, SERVICES_PATH, WRONG_API_KEY, WRONG_APP_KEY, path_regex, service_path
from integration_harness import closed_port


HTML_429 = "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>"
HTML_500 = "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>"
# What Datadog sends with every answer; X-RateLimit-Reset is the wait a 429 asks for (1 s: a fast suite).
RATE_LIMIT_HEADERS = {"X-RateLimit-Limit": "12000", "X-RateLimit-Period": "60", "X-RateLimit-Remaining": "0",
                      "X-RateLimit-Reset": "1"}
RATE_LIMITED = {"errors": ["Rate limit of 12000 requests in 60 seconds reached. Please try again later."]}
HTML_PAGE_KEY = "pdkey-html-page-8d1f3a5c7e9b2d4f"
STORM_KEY = "pdkey-storm-2e4a6c8e0b1d3f5a"
SEARCH_KEY = "pdkey-search-9c7e5a3f1d2b4c6e"
SLOW_KEYS = dict((name, "pdkey-%s-4b6d8f0a2c4e6a8c" % name) for name in ("slow-a", "slow-b", "slow-c"))


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


def test_rate_limit_budget_holds_the_write_until_the_window_resets(run_playbook, sandbox, datadog):
    # One request a second: the read's answer says the budget is spent (X-RateLimit-Remaining: 0,
    # X-RateLimit-Reset: 1), so the POST waits for the next window instead of being refused.
    sandbox.ratelimit("datadog", limit=1, period=1)
    run = run_playbook([datadog.service("link payments", service_name="payments", service_key=PAYMENTS_KEY)])

    assert run.status("link payments") == "changed"
    journal = sandbox.journal("datadog")
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, 201),
    ]
    assert journal[1]["time"] - journal[0]["time"] >= 0.95
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}


def test_429_waits_for_x_ratelimit_reset_whatever_the_body_and_reruns_are_ok(run_playbook, sandbox, datadog):
    sandbox.add_faults([
        dict(method="POST", status=429, body=HTML_429, content_type="text/html", headers=RATE_LIMIT_HEADERS, times=1),
        dict(method="GET", path=path_regex("storm"), status=429, body=RATE_LIMITED, headers=RATE_LIMIT_HEADERS,
             times=2),
        dict(method="GET", path=path_regex("payments"), status=429, body=HTML_429, content_type="text/html",
             headers={"X-RateLimit-Reset": "1"}, times=1),
        dict(method="GET", path=path_regex("checkout"), status=429, body=HTML_429, content_type="text/html",
             headers={"X-RateLimit-Reset": "1"}, times=None),
    ])
    create = dict(service_name="html page", service_key=HTML_PAGE_KEY, retries=1)  # the first POST: the fault's
    storm = dict(service_name="storm", service_key=STORM_KEY, retries=2)
    run = run_playbook([
        datadog.service("create answered 429 with an HTML page", **create),
        datadog.service("read answered 429 twice", **storm),
        datadog.service("retried once", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("no retries left", ignore_errors=True, service_name="checkout", service_key=CHECKOUT_KEY,
                        retries=0),
        datadog.service("create answered 429 with an HTML page, again", **create),
        datadog.service("read answered 429 twice, again", **storm),
    ], verbosity=4, diff=True)

    journal = sandbox.journal("datadog")
    assert run.status("create answered 429 with an HTML page") == "changed"
    sent = run.requests("create answered 429 with an HTML page", journal)
    assert run.calls("create answered 429 with an HTML page", journal) == [
        ("GET", service_path("html page"), 404), ("POST", SERVICES_PATH, 429), ("POST", SERVICES_PATH, 201)]
    assert sent[2]["time"] - sent[1]["time"] >= 1.0  # X-RateLimit-Reset, not a shorter backoff
    assert run.status("read answered 429 twice") == "changed"
    sent = run.requests("read answered 429 twice", journal)
    assert run.calls("read answered 429 twice", journal) == [
        ("GET", service_path("storm"), 429), ("GET", service_path("storm"), 429), ("GET", service_path("storm"), 404),
        ("POST", SERVICES_PATH, 201)]
    assert sent[1]["time"] - sent[0]["time"] >= 1.0 and sent[2]["time"] - sent[1]["time"] >= 1.0
    assert run.status("retried once") == "changed"
    assert run.calls("retried once", journal) == [
        ("GET", service_path("payments"), 429), ("GET", service_path("payments"), 404), ("POST", SERVICES_PATH, 201)]
    result = run.failure("no retries left")
    assert "Datadog API GET %s returned HTTP 429" % service_path("checkout") in result["msg"]
    assert "<html" not in result["msg"]
    assert result["status"] == 429
    assert run.calls("no retries left", journal) == [("GET", service_path("checkout"), 429)]
    for title, name in (("create answered 429 with an HTML page, again", "html page"),
                        ("read answered 429 twice, again", "storm")):
        assert run.status(title) == "ok"
        assert run.calls(title, journal) == [("GET", service_path(name), 200)]
    assert len(journal) == 13  # nothing else was sent
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "html page": HTML_PAGE_KEY, "storm": STORM_KEY}


def test_transient_5xx_is_retried_until_success(run_playbook, sandbox, datadog):
    sandbox.seed_datadog({"search": SEARCH_KEY})
    unavailable = dict(status=503, body={"errors": ["Service Unavailable"]})
    sandbox.add_faults([dict(unavailable, method="GET", path=path_regex("payments"), times=2),
                        dict(unavailable, method="POST", times=1),
                        dict(method="GET", path=path_regex("search"), status=504, times=1)])  # an empty body
    create = dict(service_name="checkout", service_key=CHECKOUT_KEY)
    run = run_playbook([  # the POST fault matches the first POST: the checkout task's
        datadog.service("create answered 503 once", **create),
        datadog.service("read answered 503 twice", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.info("info read answered 504 once", service_names=["search"], retries=1),
        datadog.service("create answered 503 once, again", **create),
        datadog.info("info read answered 504 once, again", service_names=["search"], retries=1),
    ], verbosity=4, diff=True)

    assert run.status("create answered 503 once") == "changed"
    assert run.status("read answered 503 twice") == "changed"
    assert run.status("info read answered 504 once") == "ok"
    assert run.result("info read answered 504 once")["services"] == [{"service_name": "search"}]
    assert run.status("create answered 503 once, again") == "ok"
    assert run.status("info read answered 504 once, again") == "ok"
    assert statuses(sandbox) == [
        ("GET", service_path("checkout"), 404),
        ("POST", SERVICES_PATH, 503),  # a POST is never blindly repeated: check first...
        ("GET", service_path("checkout"), 404),
        ("POST", SERVICES_PATH, 201),  # ...then send it again
        ("GET", service_path("payments"), 503),
        ("GET", service_path("payments"), 503),
        ("GET", service_path("payments"), 404),
        ("POST", SERVICES_PATH, 201),
        ("GET", service_path("search"), 504),
        ("GET", service_path("search"), 200),
        ("GET", service_path("checkout"), 200),  # the re-runs: reads only
        ("GET", service_path("search"), 200),
    ]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "checkout": CHECKOUT_KEY, "search": SEARCH_KEY}


def test_persistent_5xx_fails_after_the_configured_retries(run_playbook, sandbox, datadog):
    sandbox.seed_datadog({"legacy": LEGACY_KEY})
    sandbox.add_faults([
        dict(method="GET", path=path_regex("payments"), status=500, body={"errors": ["Internal Server Error"]},
             times=None),
        dict(method="DELETE", path=path_regex("legacy"), status=500, body=HTML_500, content_type="text/html",
             times=None),
    ])
    remove = datadog.service("remove legacy", ignore_errors=True, service_name="legacy", state="absent", retries=1)
    run = run_playbook([
        datadog.service("link payments", ignore_errors=True, service_name="payments", service_key=PAYMENTS_KEY,
                        retries=1),
        remove,
    ], verbosity=4, diff=True)

    result = run.failure("link payments")
    assert "Datadog API GET %s returned HTTP 500: Internal Server Error" % service_path("payments") in result["msg"]
    assert result["status"] == 500
    assert result["api_errors"] == ["Internal Server Error"]
    result = run.failure("remove legacy")
    assert ("Datadog API DELETE %s returned HTTP 500 (HTML body) (after 2 attempts)" % service_path("legacy")
            in result["msg"]), result["msg"]
    # retries: 1 means one retry after the first try: exactly two requests.
    assert statuses(sandbox) == [("GET", service_path("payments"), 500)] * 2 + [
        ("GET", service_path("legacy"), 200), ("DELETE", service_path("legacy"), 500),
        ("DELETE", service_path("legacy"), 500)]
    assert sandbox.datadog_services() == {"legacy": LEGACY_KEY}

    # Once Datadog answers again, the same task deletes it, then finds nothing to do.
    sandbox.clear_faults()
    sandbox.clear_journal()
    rerun = run_playbook([remove, dict(remove, name="remove legacy again")], verbosity=4, diff=True)
    assert rerun.statuses() == [("remove legacy", "changed"), ("remove legacy again", "ok")]
    assert statuses(sandbox) == [("GET", service_path("legacy"), 200), ("DELETE", service_path("legacy"), 204),
                                 ("GET", service_path("legacy"), 404)]
    assert sandbox.datadog_services() == {}


def test_timeout_fails_naming_it_and_a_retry_recovers(run_playbook, sandbox, datadog):
    sandbox.add_faults([
        dict(method="GET", path=path_regex("payments"), delay_ms=2500, times=1),
        dict(method="GET", path=path_regex("checkout"), delay_ms=2500, times=1),
        dict(method="GET", path=path_regex("slow-b"), delay_ms=2000, times=1),
    ])
    batch = dict(services=[dict(service_name=name, service_key=key) for name, key in SLOW_KEYS.items()], timeout=1,
                 retries=1)
    run = run_playbook([
        datadog.service("slow answer, no retry", ignore_errors=True, service_name="payments",
                        service_key=PAYMENTS_KEY, timeout=1, retries=0),
        datadog.service("slow answer, one retry", service_name="checkout", service_key=CHECKOUT_KEY,
                        timeout=1, retries=1),
        datadog.service("one slow read in a batch", **batch),
        datadog.service("one slow read in a batch, again", **batch),
    ], verbosity=4, diff=True)

    journal = sandbox.journal("datadog")
    result = run.failure("slow answer, no retry")
    assert "Datadog API GET %s failed" % service_path("payments") in result["msg"]
    assert "timeout=1" in result["msg"]
    assert result["request"] == {"method": "GET", "path": service_path("payments")}
    assert run.status("slow answer, one retry") == "changed"
    assert [(e["method"], e["path"]) for e in journal[:4]] == [GET("payments"), GET("checkout"), GET("checkout"), POST]
    assert run.status("one slow read in a batch") == "changed"
    # Parallel reads (in any order), the slow one read again, then the creates one at a time.
    batch_calls = run.calls("one slow read in a batch", journal)
    assert sorted(call[:2] for call in batch_calls[:4]) == sorted([GET("slow-a"), GET("slow-b"), GET("slow-b"),
                                                                  GET("slow-c")])
    # The slow read's status is whatever came after the client left; the others, and the retry, found nothing.
    assert set(GET(name) + (404,) for name in SLOW_KEYS) <= set(batch_calls[:4])
    assert batch_calls[4:] == [POST + (201,)] * 3
    assert run.status("one slow read in a batch, again") == "ok"
    assert sorted(run.calls("one slow read in a batch, again", journal)) == [
        ("GET", service_path(name), 200) for name in sorted(SLOW_KEYS)]
    assert len(journal) == 4 + 7 + 3
    assert sandbox.datadog_services() == dict(SLOW_KEYS, checkout=CHECKOUT_KEY)


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
    answer_lost = dict(service_name="payments", service_key=PAYMENTS_KEY)
    request_lost = dict(service_name="checkout", service_key=CHECKOUT_KEY)
    run = run_playbook([
        datadog.service("answer lost", **answer_lost),
        datadog.service("request lost", **request_lost),
        datadog.service("delete answer lost", service_name="legacy", state="absent"),
        datadog.service("answer lost, again", **answer_lost),
        datadog.service("request lost, again", **request_lost),
    ], verbosity=4, diff=True)

    assert run.statuses() == [("answer lost", "changed"), ("request lost", "changed"),
                              ("delete answer lost", "changed"), ("answer lost, again", "ok"),
                              ("request lost, again", "ok")]
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
        ("GET", service_path("payments"), 200),  # the re-runs: reads only
        ("GET", service_path("checkout"), 200),
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
