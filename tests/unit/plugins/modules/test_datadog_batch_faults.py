# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parallel Datadog reads under faults: datadog_pagerduty_service_info reading two names, and a services batch of
three objects (reads in parallel, then writes one at a time), with one read faulted; and a batch under the
sandbox's rate limit.

As in test_datadog_faults.py, each test lists the exact requests the sandbox received, the reads in any order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import HttpClient
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service as module
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service_info as info_module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    datadog_options,
    forget_faults_and_requests,
    in_any_order,
    journal_answers,
    run_checked,
    task_status,
    wait_for_late_answers,
)
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults

SERVICES = facts.DATADOG_SERVICES_PATH
KEYS = {"payments": "pdkey-batch-payments-0123456789ab", "checkout": "pdkey-batch-checkout-0123456789ab",
        "search": "pdkey-batch-search-0123456789abcd"}
RETRIED = faults.retried_faults(faults.datadog_error)


def path(name):
    return "%s/%s" % (SERVICES, quote(name, safe=""))


def get(name, status):
    return ("GET", path(name), status)


def post(status):
    return ("POST", SERVICES, status)


def faulted(name, **fault):
    """A fault on the read of one object."""
    return dict(method="GET", path="^%s$" % path(name), **fault)


def keys(state):
    return dict((name, item["service_key"]) for name, item in state.snapshot()["datadog"]["services"].items())


def run(sandbox, capsys, target, **args):
    """main() of target, each request tried twice (retries=1) unless args say otherwise; its output shows no secret."""
    return run_checked(target, dict(datadog_options(sandbox.url, retries=1, timeout=5), **args), capsys, *KEYS.values())


def rerun(sandbox, capsys, target, reads, **args):
    """Run again with no fault left: the status and the requests of that run alone, its first `reads` (parallel)
    in any order."""
    forget_faults_and_requests(sandbox.state)
    return task_status(run(sandbox, capsys, target, **args)), reads_then_writes(journal_answers(sandbox.state), reads)


def reads_then_writes(answers, reads):
    """The answers split: the parallel reads (the first `reads`, in any order), then the writes in their order."""
    return in_any_order(answers[:reads]) + answers[reads:]


# ---------------------------------------------------------------------------------------------
# datadog_pagerduty_service_info: payments exists, checkout does not; the read of payments is faulted

NAMES = dict(service_names=["payments", "checkout"])
LISTED = dict(services=[{"service_name": "payments"}], missing=["checkout"])


@pytest.fixture
def payments(state):
    state.seed({"datadog": {"services": {"payments": KEYS["payments"]}}})


def listed(result):
    return dict(services=result.get("services"), missing=result.get("missing"))


@pytest.mark.parametrize("fault, answered", RETRIED)
def test_info_retries_a_5xx_or_a_dropped_connection_then_lists(sandbox, state, capsys, instant_waits, payments,
                                                               fault, answered):
    state.add_faults(faulted("payments", **fault))
    result = run(sandbox, capsys, info_module, **NAMES)
    assert (task_status(result), listed(result)) == ("ok", LISTED)
    assert in_any_order(journal_answers(state)) == in_any_order(
        [get("payments", answered), get("payments", 200), get("checkout", 404)])
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, info_module, 2, **NAMES) == ("ok", in_any_order(
        [get("payments", 200), get("checkout", 404)]))


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_info_waits_as_told_after_each_429_then_lists(sandbox, state, capsys, instant_waits, payments, status, body):
    state.add_faults(faulted("payments", times=2, **faults.datadog_error(status, body)))
    result = run(sandbox, capsys, info_module, retries=2, **NAMES)
    assert (task_status(result), listed(result)) == ("ok", LISTED)
    assert in_any_order(journal_answers(state)) == in_any_order(
        [get("payments", 429), get("payments", 429), get("payments", 200), get("checkout", 404)])
    # The read of checkout waits too when it comes during a pause.
    assert instant_waits.waits_between(*faults.AS_TOLD) in (2, 3)


def test_info_retries_after_no_answer_within_the_timeout_then_lists(sandbox, state, capsys, instant_waits, payments):
    state.add_faults(faulted("payments", delay_ms=faults.LATE_MS))
    result = run(sandbox, capsys, info_module, **dict(faults.SLOW, **NAMES))
    wait_for_late_answers(state)
    assert (task_status(result), listed(result)) == ("ok", LISTED)
    assert in_any_order(journal_answers(state)) == in_any_order(
        [get("payments", 200), get("payments", 200), get("checkout", 404)])
    assert instant_waits.waits_between(*faults.BACKOFF) == 1


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS)
def test_info_whose_read_gets_an_error_every_try_fails_naming_it(sandbox, state, capsys, instant_waits, payments,
                                                                 status, body):
    state.add_faults(faulted("payments", times=None, **faults.datadog_error(status, body)))
    result = run(sandbox, capsys, info_module, **NAMES)
    assert task_status(result) == "failed"
    assert result["msg"] == "Datadog API GET %s %s (after 2 attempts)" % (path("payments"),
                                                                          faults.datadog_error_shown(status, body))
    assert in_any_order(journal_answers(state)) == in_any_order(
        [get("payments", status), get("payments", status), get("checkout", 404)])
    waits = instant_waits.waits_between(*(faults.AS_TOLD if status == 429 else faults.BACKOFF))
    assert waits == 1 or (status == 429 and waits == 2)  # the read of checkout waits too when it comes during a pause
    assert rerun(sandbox, capsys, info_module, 2, **NAMES) == ("ok", in_any_order(
        [get("payments", 200), get("checkout", 404)]))


def test_info_whose_read_has_no_answer_within_the_timeout_every_try_fails_naming_it(sandbox, state, capsys,
                                                                                    instant_waits, payments):
    state.add_faults(faulted("payments", times=None, delay_ms=faults.LATE_MS))
    result = run(sandbox, capsys, info_module, **dict(faults.SLOW, **NAMES))
    wait_for_late_answers(state)
    assert task_status(result) == "failed"
    assert result["msg"] == "Datadog API GET %s failed: no answer within timeout=0.1s (after 2 attempts)" % (
        path("payments"))
    assert in_any_order(journal_answers(state)) == in_any_order(
        [get("payments", 200), get("payments", 200), get("checkout", 404)])
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, info_module, 2, **NAMES) == ("ok", in_any_order(
        [get("payments", 200), get("checkout", 404)]))


# ---------------------------------------------------------------------------------------------
# A batch creating payments, checkout and search (three parallel reads); the read of checkout is faulted

BATCH = dict(services=[dict(service_name=name, service_key=key) for name, key in KEYS.items()], concurrency=3)


@pytest.mark.parametrize("fault, answered", RETRIED)
def test_batch_read_retries_a_5xx_or_a_dropped_connection_then_creates_all_three(sandbox, state, capsys,
                                                                                 instant_waits, fault, answered):
    state.add_faults(faulted("checkout", **fault))
    assert task_status(run(sandbox, capsys, module, **BATCH)) == "changed"
    assert reads_then_writes(journal_answers(state), 4) == in_any_order(
        [get("payments", 404), get("checkout", answered), get("checkout", 404), get("search", 404)]) + [post(201)] * 3
    assert keys(state) == KEYS
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, module, 3, **BATCH) == ("ok", in_any_order([get(name, 200) for name in KEYS]))


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_batch_read_waits_as_told_after_each_429_then_creates_all_three(sandbox, state, capsys, instant_waits,
                                                                        status, body):
    state.add_faults(faulted("checkout", times=2, **faults.datadog_error(status, body)))
    assert task_status(run(sandbox, capsys, module, retries=2, **BATCH)) == "changed"
    assert reads_then_writes(journal_answers(state), 5) == in_any_order(
        [get("payments", 404), get("checkout", 429), get("checkout", 429), get("checkout", 404),
         get("search", 404)]) + [post(201)] * 3
    assert keys(state) == KEYS
    # A read that comes during a pause waits too.
    assert instant_waits.waits_between(*faults.AS_TOLD) in (2, 3, 4)


def test_batch_read_retries_after_no_answer_within_the_timeout_then_creates_all_three(sandbox, state, capsys,
                                                                                      instant_waits):
    state.add_faults(faulted("checkout", delay_ms=faults.LATE_MS))
    assert task_status(run(sandbox, capsys, module, **dict(faults.SLOW, **BATCH))) == "changed"
    wait_for_late_answers(state)
    # The slow read of checkout is answered last, after the creates.
    assert reads_then_writes(journal_answers(state), 4) == in_any_order(
        [get("payments", 404), get("checkout", 200), get("checkout", 404), get("search", 404)]) + [post(201)] * 3
    assert keys(state) == KEYS
    assert instant_waits.waits_between(*faults.BACKOFF) == 1


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS)
def test_batch_read_that_gets_an_error_every_try_fails_that_object_only(sandbox, state, capsys, instant_waits,
                                                                        status, body):
    state.add_faults(faulted("checkout", times=None, **faults.datadog_error(status, body)))
    result = run(sandbox, capsys, module, **BATCH)
    assert task_status(result) == "failed"
    assert result["msg"] == (
        "1 of 3 service objects failed (the others were applied): checkout: Datadog API GET %s %s (after 2 attempts)"
        % (path("checkout"), faults.datadog_error_shown(status, body)))
    assert [(r["service_name"], bool(r.get("failed")), r["changed"]) for r in result["results"]] == [
        ("payments", False, True), ("checkout", True, False), ("search", False, True)]
    assert reads_then_writes(journal_answers(state), 4) == in_any_order(
        [get("payments", 404), get("checkout", status), get("checkout", status), get("search", 404)]) + [post(201)] * 2
    assert keys(state) == {"payments": KEYS["payments"], "search": KEYS["search"]}
    assert rerun(sandbox, capsys, module, 3, **BATCH) == ("changed", in_any_order(
        [get("payments", 200), get("checkout", 404), get("search", 200)]) + [post(201)])
    assert rerun(sandbox, capsys, module, 3, **BATCH) == ("ok", in_any_order([get(name, 200) for name in KEYS]))


def test_batch_under_the_rate_limit_keeps_to_it_and_lands_every_write(sandbox, state, capsys, monkeypatch,
                                                                      instant_waits):
    """The sandbox's own rate limit, 4 requests a minute: six parallel reads and six writes all land, the client
    waiting as the sandbox tells (its X-RateLimit-Reset) after a 429 or when the budget it reports is spent.

    Each wait the client asks for ends the sandbox's window at once, as the clock would have.
    """
    window = {"vendor": "datadog", "limit": 4, "period": 60}
    state.set_rate_limit(window)

    def sleep(seconds):
        instant_waits.sleep(seconds)
        state.set_rate_limit(window)  # a new window

    monkeypatch.setattr(HttpClient, "sleep", staticmethod(sleep))
    names = ["svc-%d" % i for i in range(6)]
    services = [dict(service_name=name, service_key=KEYS["payments"]) for name in names]
    result = run(sandbox, capsys, module, retries=3, services=services, concurrency=6)
    assert task_status(result) == "changed"
    # Each request refused (429) was sent again: what was answered otherwise is one read and one create per name.
    assert in_any_order([answer for answer in journal_answers(state) if answer[2] != 429]) == in_any_order(
        [get(name, 404) for name in names] + [post(201)] * 6)
    assert keys(state) == dict((name, KEYS["payments"]) for name in names)
    # Three windows at least: two waits at least, the first for the whole minute the sandbox announced.
    waits = instant_waits.waits
    assert len(waits) >= 2 and waits[0] >= 60 and max(waits) <= 60.25
