# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Listing every Datadog service object and purge_services, as a playbook sees them: the listing and its
refusals, purge in check mode, applied and re-run, refused when the listing fails, the empty-list rule, and
a batch paced inside a rate limit without a 429. Each test asserts task status, returned values and the
exact requests in the sandbox's journal; no test may ever write the integration object itself."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

import pytest

from datadog_tasks import CHECKOUT_KEY, DELETE, GET, INTEGRATION_PATH, LIST, PAYMENTS_KEY, POST, SERVICES_PATH
from integration_harness import fixed_windows

LISTED = LIST + (200,)
READ_BY_NAME = "Read service objects by name instead (service_names of oncall.pagerduty.datadog_pagerduty_service_info)"
CANNOT_LIST = "Datadog cannot list the PagerDuty service objects of this organization: Datadog API GET %s returned" \
    % INTEGRATION_PATH
EMPTY_REFUSED = ("services is empty and purge_services=true: that would delete every PagerDuty service object of "
                 "the organization, so it is refused")
# A refusal of the listing, scripted with a sandbox fault: the task's title, the fault's answer, the status the
# task reports and what its message must also say.
Refusal = namedtuple("Refusal", "title answer status text")
REFUSALS = [  # in the order the tasks meet them
    Refusal("refused with 403", dict(status=403, body={"errors": ["Forbidden"]}),
            403, "HTTP 403: Forbidden. Check api_key and app_key"),
    Refusal("answered 404 by a router", dict(status=404, content_type="text/html"), 404, "HTTP 404"),
    Refusal("answered without a list", dict(status=200, body={"subdomain": "sandbox", "api_token": "*****"}),
            200, "HTTP 200 (the answer holds no list of services)"),
    Refusal("answered an HTML page", dict(status=200, body="<html><body>Sign in</body></html>",
                                          content_type="text/html"),
            200, "HTTP 200 (the answer holds no list of services)"),
]
SWITCHED_OFF = "without the integration"


@pytest.fixture(autouse=True)
def integration_object_never_written(sandbox):
    """After each test: no request but a GET ever reached the integration-level object."""
    yield
    assert [(e["method"], e["path"]) for e in sandbox.journal()
            if e["path"].split("?")[0].rstrip("/") == INTEGRATION_PATH and e["method"] != "GET"] == []


def seed(sandbox, secrets, names):
    """Seed service objects in this (Datadog's) order, each with a key no run may show, purged ones included."""
    keys = dict((name, "pdkey-seeded-%s-0123456789" % name.replace(" ", "-")) for name in names)
    for key in keys.values():
        secrets.add(key, "seeded key")
    sandbox.seed_datadog(keys)
    return keys


def writes(entries):
    return [entry for entry in entries if entry["method"] != "GET"]


def present(name, key):
    return dict(service_name=name, service_key=key)


def test_info_without_names_lists_every_object_in_one_read_keys_never_shown(run_playbook, sandbox, secrets, datadog):
    names = ["payments", "checkout api", "a+b", "legacy"]
    keys = seed(sandbox, secrets, names)
    run = run_playbook([
        datadog.info("list every object"),
        datadog.info("list every object, in check mode", check_mode=True),
        datadog.info("read two by name", service_names=["payments", "search"]),
    ], verbosity=4)

    journal = sandbox.journal()
    for task in ("list every object", "list every object, in check mode"):
        assert run.status(task) == "ok"
        result = run.result(task)
        assert result["changed"] is False
        assert result["services"] == [{"service_name": name} for name in names]  # Datadog's order, names only
        assert result["missing"] == []
        assert run.calls(task, journal) == [LISTED]
    # Given names, the module still reads by name, and does not list.
    assert run.result("read two by name")["services"] == [{"service_name": "payments"}]
    assert sorted(run.calls("read two by name", journal)) == sorted([GET("payments") + (200,), GET("search") + (404,)])
    assert len(journal) == 4 and writes(journal) == []
    assert sandbox.datadog_services() == keys


def run_refusals(run_playbook, sandbox, sandbox_tasks, build):
    """One task per refusal of the listing (REFUSALS, then the integration switched off), each built by
    build(title) with ignore_errors. Asserts what every refusal shows (a clean failure, one read, no write);
    returns the run."""
    sandbox.add_faults([dict(refusal.answer, method="GET", path="^%s$" % INTEGRATION_PATH) for refusal in REFUSALS])
    tasks = [build(refusal.title) for refusal in REFUSALS]
    tasks.append(sandbox_tasks.call("switch the integration off", "POST", "/settings",
                                    {"datadog_integration_enabled": False}))
    tasks.append(build(SWITCHED_OFF))
    run = run_playbook(tasks, verbosity=4, diff=True)
    journal = sandbox.journal()
    for refusal in REFUSALS:
        result = run.failure(refusal.title)
        assert result["msg"].startswith(CANNOT_LIST), result["msg"]
        assert refusal.text in result["msg"] and READ_BY_NAME in result["msg"], result["msg"]
        assert (result["status"], result["request"]) == (refusal.status, {"method": "GET", "path": INTEGRATION_PATH})
        assert run.calls(refusal.title, journal) == [LIST + (refusal.status,)]
    # Without the integration, reading by name would fail as well: the message says what to install instead.
    result = run.failure(SWITCHED_OFF)
    assert "PagerDuty integration is not installed in this organization" in result["msg"]
    assert "Pagerduty Integration not found" in result["msg"]
    assert (result["status"], result["request"]) == (404, {"method": "GET", "path": INTEGRATION_PATH})
    assert run.calls(SWITCHED_OFF, journal) == [LIST + (404,)]
    assert len(journal) == len(REFUSALS) + 1 and writes(journal) == []
    return run


def test_listing_refused_fails_cleanly_and_points_to_reading_by_name(run_playbook, sandbox, secrets, datadog,
                                                                     sandbox_tasks):
    keys = seed(sandbox, secrets, ["payments"])
    run = run_refusals(run_playbook, sandbox, sandbox_tasks,
                       lambda title: datadog.info(title, ignore_errors=True))
    assert "services" not in run.result("refused with 403")  # never a guess
    assert sandbox.datadog_services() == keys


def test_purge_refused_before_any_write_when_the_listing_fails(run_playbook, sandbox, secrets, datadog,
                                                               sandbox_tasks):
    keys = seed(sandbox, secrets, ["payments", "old one"])
    declared = [present("new", CHECKOUT_KEY), dict(service_name="payments", state="absent")]
    run = run_refusals(run_playbook, sandbox, sandbox_tasks, lambda title: datadog.service(
        title, ignore_errors=True, services=declared, purge_services=True))
    assert "purged" not in run.result("refused with 403")
    assert sandbox.datadog_services() == keys


def purge_scene(sandbox, secrets):
    """Seeded: payments (declared), legacy (declared absent), "old one" and "a+b" (undeclared). Declared also:
    checkout (new). Returns the declared services and the seeded keys."""
    keys = seed(sandbox, secrets, ["payments", "old one", "legacy", "a+b"])
    declared = [present("payments", PAYMENTS_KEY), present("checkout", CHECKOUT_KEY),
                dict(service_name="legacy", state="absent")]
    return declared, keys


PURGE_RESULTS = [  # (service_name, state, changed, purged) of the first purge, in check mode or not
    ("payments", "present", False, False),
    ("checkout", "present", True, False),
    ("legacy", "absent", True, False),
    ("old one", "absent", True, True),
    ("a+b", "absent", True, True),
]


def summary(result):
    return [(r["service_name"], r["state"], r["changed"], r.get("purged", False)) for r in result["results"]]


def test_purge_in_check_mode_shows_exactly_what_would_go_and_writes_nothing(run_playbook, sandbox, secrets, datadog):
    declared, keys = purge_scene(sandbox, secrets)
    run = run_playbook([datadog.service("purge undeclared", services=declared, purge_services=True)],
                       check=True, diff=True)

    assert run.status("purge undeclared") == "changed"
    result = run.result("purge undeclared")
    assert result["purged"] == ["old one", "a+b"]
    assert summary(result) == PURGE_RESULTS
    assert result["diff"] == {
        "before": {"checkout": {}, "legacy": {"service_name": "legacy"}, "old one": {"service_name": "old one"},
                   "a+b": {"service_name": "a+b"}},
        "after": {"checkout": {"service_name": "checkout"}, "legacy": {}, "old one": {}, "a+b": {}},
    }
    # The --diff output names each object that would go, and not the one left alone.
    for line in ('-    "a+b": {', '-    "legacy": {', '-    "old one": {', '+    "checkout": {'):
        assert line in run.stdout.splitlines(), line
    assert '"payments"' not in run.stdout
    assert sandbox.calls_with_status() == [LISTED]  # one read, 0 writes
    assert sandbox.datadog_services() == keys


def test_purge_deletes_the_undeclared_and_a_rerun_is_ok_with_one_read(run_playbook, sandbox, secrets, datadog):
    declared, keys = purge_scene(sandbox, secrets)
    run = run_playbook([
        datadog.service("purge undeclared", services=declared, purge_services=True),
        datadog.service("purge undeclared, again", services=declared, purge_services=True),
    ], verbosity=4, diff=True)

    journal = sandbox.journal()
    assert run.status("purge undeclared") == "changed"
    result = run.result("purge undeclared")
    assert result["purged"] == ["old one", "a+b"]
    assert summary(result) == PURGE_RESULTS
    assert run.calls("purge undeclared", journal) == [
        LISTED, POST + (201,), DELETE("legacy") + (204,), DELETE("old one") + (204,), DELETE("a+b") + (204,)]
    assert run.status("purge undeclared, again") == "ok"
    again = run.result("purge undeclared, again")
    assert (again["changed"], again["purged"]) == (False, [])
    assert summary(again) == [("payments", "present", False, False), ("checkout", "present", False, False),
                              ("legacy", "absent", False, False)]
    assert run.calls("purge undeclared, again", journal) == [LISTED]  # 0 writes
    assert len(journal) == 6
    assert sandbox.datadog_services() == {"payments": keys["payments"], "checkout": CHECKOUT_KEY}


def test_purge_leaves_what_no_request_can_address_warns_and_a_rerun_stays_ok(run_playbook, sandbox, secrets, datadog):
    # Datadog lists names with '/' that it once let users create, and answers 404 to every path naming them.
    keys = seed(sandbox, secrets, ["payments", "team/legacy", "old one"])
    declared = [present("payments", PAYMENTS_KEY)]
    run = run_playbook([
        datadog.service("purge undeclared", services=declared, purge_services=True),
        datadog.service("purge undeclared, again", services=declared, purge_services=True),
    ], diff=True)

    journal = sandbox.journal()
    first, again = run.result("purge undeclared"), run.result("purge undeclared, again")
    assert (run.status("purge undeclared"), first["purged"], first["not_purged"]) == (
        "changed", ["old one"], ["team/legacy"])
    assert (run.status("purge undeclared, again"), again["purged"], again["not_purged"]) == (
        "ok", [], ["team/legacy"])
    assert run.calls("purge undeclared", journal) == [LISTED, DELETE("old one") + (204,)]
    assert run.calls("purge undeclared, again", journal) == [LISTED]
    assert "[WARNING]: purge_services left 'team/legacy'" in run.output  # Ansible shows a repeated warning once
    assert sandbox.datadog_services() == {"payments": keys["payments"], "team/legacy": keys["team/legacy"]}


def test_an_empty_services_list_with_purge_is_refused_before_anything_is_sent(run_playbook, sandbox, secrets,
                                                                              datadog):
    keys = seed(sandbox, secrets, ["payments", "checkout"])
    titles = {
        "an empty list": [],
        "a list a template defaulted to empty": "{{ my_services | default([]) }}",
        "a list a filter left empty": "{{ team_services | selectattr('team', 'equalto', 'search') | list }}",
    }
    team_services = [dict(service_name="payments", service_key=PAYMENTS_KEY, team="payments")]
    tasks = [datadog.service(title, ignore_errors=True, services=services, purge_services=True)
             for title, services in titles.items()]
    tasks.append(datadog.service("a list a template defaulted to empty, in check mode", ignore_errors=True,
                                 check_mode=True, services="{{ my_services | default([]) }}", purge_services=True))
    run = run_playbook({"name": "purge from templates", "vars": {"team_services": team_services}, "tasks": tasks},
                       diff=True)

    for task in list(titles) + ["a list a template defaulted to empty, in check mode"]:
        result = run.failure(task)
        assert result["msg"].startswith("Invalid options: ")
        assert EMPTY_REFUSED in result["msg"]
        assert "to delete them all, list each with state=absent" in result["msg"]
        assert "purged" not in result and "results" not in result
    assert sandbox.journal() == []  # nothing sent at all
    assert sandbox.datadog_services() == keys


def test_a_batch_under_a_rate_limit_is_paced_with_no_429_and_no_window_over_its_limit(run_playbook, sandbox,
                                                                                      datadog):
    limit, period = 20, 2
    services = [present("paced-%02d" % index, "pdkey-paced-%02d-5f1d3c7b9a0e2468" % index) for index in range(60)]
    sandbox.ratelimit("datadog", limit=limit, period=period)
    run = run_playbook([datadog.service("create sixty", services=services)])

    assert run.status("create sixty") == "changed"
    assert all(r["changed"] for r in run.result("create sixty")["results"])
    journal = sandbox.journal("datadog")
    # Rebuilt from the journal's arrival times, no window of the simulated limit got more than it allows, and
    # none was refused: the client waited for each reset instead.
    windows = fixed_windows([e["time"] for e in journal], period)
    assert max(windows) <= limit, windows
    assert [e["status"] for e in journal].count(429) == 0
    assert sorted((e["method"], e["status"]) for e in journal) == [("GET", 404)] * 60 + [("POST", 201)] * 60
    assert sorted(e["path"] for e in journal if e["method"] == "GET") == sorted(GET(s["service_name"])[1]
                                                                                for s in services)
    assert set(e["path"] for e in journal if e["method"] == "POST") == {SERVICES_PATH}
    assert sandbox.datadog_services() == dict((s["service_name"], s["service_key"]) for s in services)
