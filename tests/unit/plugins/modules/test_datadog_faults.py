# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""datadog_pagerduty_service on one object under faults: 5xx with JSON, HTML and empty bodies, 429s, connections
dropped before and after the request was applied, and answers slower than the timeout, on each of its four requests.

Each test scripts the faults in the in-process sandbox, runs main(), and lists the exact requests it expects with the
status the sandbox journalled (None: dropped unanswered), the waits the client chose (instantly, see instant_waits)
and the re-runs that end ok. A create is sent again only after a 429, or once a read showed it missing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service as module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    datadog_options,
    forget_faults_and_requests,
    journal_answers,
    run_checked,
    task_status,
    wait_for_late_answers,
)
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults

SERVICES = facts.DATADOG_SERVICES_PATH
ITEM = SERVICES + "/payments"
ITEM_REGEX = "^%s$" % ITEM
CREATE_REGEX = "^%s$" % SERVICES
KEY = "pdkey-faults-0123456789abcdef0123"
OLD_KEY = "pdkey-faults-old-fedcba9876543210"
RETRIED = faults.retried_faults(faults.datadog_error)
# A create dropped after it was applied is found by the read, not sent again: its own test.
RETRIED_UNAPPLIED = faults.retried_faults(faults.datadog_error, drops=["before"])
# The journal entries of the four requests, by the status each was answered: get(404), put(None).
get, post = faults.answered("GET", ITEM), faults.answered("POST", SERVICES)
put, delete = faults.answered("PUT", ITEM), faults.answered("DELETE", ITEM)


def keys(state):
    return dict((name, item["service_key"]) for name, item in state.snapshot()["datadog"]["services"].items())


@pytest.fixture
def old_key(state):
    """payments exists, with OLD_KEY."""
    state.seed({"datadog": {"services": {"payments": OLD_KEY}}})


def run(sandbox, capsys, **args):
    """main() for payments with KEY, tried twice (retries=1) unless args say otherwise; its output shows no secret."""
    options = datadog_options(sandbox.url, retries=1, timeout=5, service_name="payments", service_key=KEY)
    return run_checked(module, dict(options, **args), capsys, KEY, OLD_KEY)


def rerun(sandbox, capsys, **args):
    """Run again with no fault left: the status and the requests of that run alone."""
    forget_faults_and_requests(sandbox.state)
    return task_status(run(sandbox, capsys, **args)), journal_answers(sandbox.state)


# ---------------------------------------------------------------------------------------------
# The read (GET), then a create


@pytest.mark.parametrize("fault, answered", RETRIED)
def test_read_retries_a_5xx_or_a_dropped_connection_then_creates(sandbox, state, capsys, instant_waits, fault,
                                                                 answered):
    state.add_faults(dict(method="GET", path=ITEM_REGEX, **fault))
    assert task_status(run(sandbox, capsys)) == "changed"
    assert journal_answers(state) == [get(answered), get(404), post(201)]
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


def test_read_retries_after_no_answer_within_the_timeout_then_creates(sandbox, state, capsys, instant_waits):
    state.add_faults(dict(method="GET", path=ITEM_REGEX, delay_ms=faults.LATE_MS))
    assert task_status(run(sandbox, capsys, **faults.SLOW)) == "changed"
    wait_for_late_answers(state)
    # The slow read is answered last, after the create.
    assert journal_answers(state) == [get(200), get(404), post(201)]
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


def test_read_whose_connection_drops_every_try_fails_naming_it(sandbox, state, capsys, instant_waits):
    state.add_faults(dict(method="GET", path=ITEM_REGEX, times=None, drop="before"))
    result = run(sandbox, capsys)
    assert task_status(result) == "failed"
    assert result["msg"].startswith("Datadog API GET %s failed: connection lost before an answer: " % ITEM)
    assert result["msg"].endswith(" (after 2 attempts)")
    assert journal_answers(state) == [get(None), get(None)]
    assert keys(state) == {}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys) == ("changed", [get(404), post(201)])
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


# ---------------------------------------------------------------------------------------------
# The create (POST): sent again only after a 429, or once a read showed it missing


@pytest.mark.parametrize("fault, answered", RETRIED_UNAPPLIED)
def test_create_that_gets_a_5xx_or_is_dropped_unapplied_is_sent_again_once_a_read_shows_it_missing(
        sandbox, state, capsys, instant_waits, fault, answered):
    state.add_faults(dict(method="POST", path=CREATE_REGEX, **fault))
    assert task_status(run(sandbox, capsys)) == "changed"
    assert journal_answers(state) == [get(404), post(answered), get(404), post(201)]
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


def test_create_dropped_after_it_was_applied_is_found_by_the_read_and_not_sent_again(sandbox, state, capsys,
                                                                                     instant_waits):
    state.add_faults(dict(method="POST", path=CREATE_REGEX, drop="after"))
    result = run(sandbox, capsys)
    assert (task_status(result), result["key_sent"]) == ("changed", True)
    assert journal_answers(state) == [get(404), post(None), get(200)]
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits == []
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


def test_create_with_no_answer_within_the_timeout_is_sent_again_once_a_read_shows_it_missing(sandbox, state, capsys,
                                                                                             instant_waits):
    state.add_faults(dict(method="POST", path=CREATE_REGEX, delay_ms=faults.LATE_MS))
    assert task_status(run(sandbox, capsys, **faults.SLOW)) == "changed"
    wait_for_late_answers(state)
    # The slow create lands after the second one made the object: it is refused as a duplicate.
    assert journal_answers(state) == [get(404), post(400), get(404), post(201)]
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


def test_slow_create_that_lands_after_the_read_still_reports_changed(sandbox, state, capsys, instant_waits):
    """The second POST meets 'Service already exists': the object is most likely the one the first POST made."""
    # The first POST lands at 0.6 s, after its 0.4 s timeout and after the read that found nothing; the second is
    # answered 0.3 s after it came (within the timeout), so after the first one landed.
    state.add_faults([dict(method="POST", path=CREATE_REGEX, delay_ms=600),
                      dict(method="POST", path=CREATE_REGEX, delay_ms=300)])
    result = run(sandbox, capsys, timeout=0.4)
    wait_for_late_answers(state)
    assert (task_status(result), result["key_sent"]) == ("changed", True)
    assert journal_answers(state) == [get(404), post(201), get(404), post(400)]
    assert keys(state) == {"payments": KEY}
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


# ---------------------------------------------------------------------------------------------
# The read and the create alike


@pytest.mark.parametrize("method, path, expected", [
    pytest.param("GET", ITEM, [get(429), get(429), get(404), post(201)], id="read"),
    # A 429 was certainly not applied: the create is sent again without a read.
    pytest.param("POST", SERVICES, [get(404), post(429), post(429), post(201)], id="create"),
])
@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_a_read_or_create_waits_as_told_after_each_429_then_creates(sandbox, state, capsys, instant_waits, status, body,
                                                                    method, path, expected):
    state.add_faults(dict(method=method, path="^%s$" % path, times=2, **faults.datadog_error(status, body)))
    assert task_status(run(sandbox, capsys, retries=2)) == "changed"
    assert journal_answers(state) == expected
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits_between(*faults.AS_TOLD) == 2
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


def every_try(name, method, path, errors, expected):
    """Cases of a request (method on path) answered the same (status, body) of errors on every try, each with the
    requests it leaves: expected(status)."""
    return [pytest.param(method, path, param.values[0], param.values[1], expected(param.values[0]),
                         id="%s-%s" % (name, param.id)) for param in errors]


FAILING_EVERY_TRY = (
    every_try("read", "GET", ITEM, faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS,
              lambda status: [get(status), get(status)])
    # A create that got a 5xx may have been applied: a read follows each.
    + every_try("create", "POST", SERVICES, faults.SERVER_ERRORS_ALWAYS,
                lambda status: [get(404), post(status), get(404), post(status), get(404)])
    # A 429 was certainly not applied: the create is sent again without a read.
    + every_try("create", "POST", SERVICES, faults.RATE_LIMITS, lambda status: [get(404), post(429), post(429)])
)


@pytest.mark.parametrize("method, path, status, body, expected", FAILING_EVERY_TRY)
def test_a_read_or_create_that_gets_an_error_every_try_fails_naming_it_and_creates_nothing(
        sandbox, state, capsys, instant_waits, method, path, status, body, expected):
    state.add_faults(dict(method=method, path="^%s$" % path, times=None, **faults.datadog_error(status, body)))
    result = run(sandbox, capsys)
    assert task_status(result) == "failed"
    shown = faults.datadog_error_shown(status, body)
    assert result["msg"] == "Datadog API %s %s %s (after 2 attempts)" % (method, path, shown)
    assert journal_answers(state) == expected
    assert keys(state) == {}
    assert instant_waits.waits_between(*(faults.AS_TOLD if status == 429 else faults.BACKOFF)) == 1
    assert rerun(sandbox, capsys) == ("changed", [get(404), post(201)])
    assert rerun(sandbox, capsys) == ("ok", [get(200)])


# ---------------------------------------------------------------------------------------------
# The update (PUT, update_key=always): sent again after any fault, as it may be


@pytest.mark.parametrize("fault, answered", RETRIED)
def test_update_retries_a_5xx_or_a_dropped_connection_then_puts_the_key(sandbox, state, capsys, instant_waits,
                                                                        old_key, fault, answered):
    state.add_faults(dict(method="PUT", path=ITEM_REGEX, **fault))
    assert task_status(run(sandbox, capsys, update_key="always")) == "changed"
    assert journal_answers(state) == [get(200), put(answered), put(200)]
    assert keys(state) == {"payments": KEY}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, update_key="on_create") == ("ok", [get(200)])


# ---------------------------------------------------------------------------------------------
# The delete (DELETE, state=absent): sent again after any fault; a 404 after a lost answer is ours


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ONCE)
def test_delete_retries_a_5xx_then_deletes(sandbox, state, capsys, instant_waits, old_key, status, body):
    state.add_faults(dict(method="DELETE", path=ITEM_REGEX, **faults.datadog_error(status, body)))
    assert task_status(run(sandbox, capsys, state="absent")) == "changed"
    assert journal_answers(state) == [get(200), delete(status), delete(204)]
    assert keys(state) == {}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, state="absent") == ("ok", [get(404)])


@pytest.mark.parametrize("drop, second_answer", [("before", 204), ("after", 404)])
def test_delete_retries_after_a_dropped_connection_and_reports_changed(sandbox, state, capsys, instant_waits, old_key,
                                                                       drop, second_answer):
    """After a DELETE applied but unanswered, the second one finds nothing: that 404 is our own doing."""
    state.add_faults(dict(method="DELETE", path=ITEM_REGEX, drop=drop))
    assert task_status(run(sandbox, capsys, state="absent")) == "changed"
    assert journal_answers(state) == [get(200), delete(None), delete(second_answer)]
    assert keys(state) == {}
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, state="absent") == ("ok", [get(404)])


# ---------------------------------------------------------------------------------------------
# The update and the delete alike

# Each write: the options that send it, its request, the state it lands (done) and its answer then (success); the state
# a write that fails every try keeps, and the re-runs that then finish the job. update_key=always reports changed on
# every run, by design; the last re-run is the converged one.
WRITES = {
    "update": dict(method="PUT", answer=put, options=dict(update_key="always"), kept={"payments": OLD_KEY},
                   done={"payments": KEY}, success=put(200),
                   reruns=[(dict(update_key="always"), ("changed", [get(200), put(200)])),
                           (dict(update_key="on_create"), ("ok", [get(200)]))]),
    "delete": dict(method="DELETE", answer=delete, options=dict(state="absent"), kept={"payments": OLD_KEY},
                   done={}, success=delete(204),
                   reruns=[(dict(state="absent"), ("changed", [get(200), delete(204)])),
                           (dict(state="absent"), ("ok", [get(404)]))]),
}


@pytest.mark.parametrize("write, expected", [
    pytest.param("update", [get(200), put(200), put(200)], id="update"),
    # The slow DELETE is handled after the second one: it finds nothing.
    pytest.param("delete", [get(200), delete(404), delete(204)], id="delete"),
])
def test_a_write_is_sent_again_after_no_answer_within_the_timeout(sandbox, state, capsys, instant_waits, old_key,
                                                                  write, expected):
    case = WRITES[write]
    state.add_faults(dict(method=case["method"], path=ITEM_REGEX, delay_ms=faults.LATE_MS))
    assert task_status(run(sandbox, capsys, **dict(case["options"], **faults.SLOW))) == "changed"
    wait_for_late_answers(state)
    assert journal_answers(state) == expected
    assert keys(state) == case["done"]
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, **case["reruns"][-1][0]) == case["reruns"][-1][1]


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_a_write_waits_as_told_after_each_429_then_lands(sandbox, state, capsys, instant_waits, old_key, status, body,
                                                         write):
    case = WRITES[write]
    state.add_faults(dict(method=case["method"], path=ITEM_REGEX, times=2, **faults.datadog_error(status, body)))
    assert task_status(run(sandbox, capsys, retries=2, **case["options"])) == "changed"
    assert journal_answers(state) == [get(200), case["answer"](429), case["answer"](429), case["success"]]
    assert keys(state) == case["done"]
    assert instant_waits.waits_between(*faults.AS_TOLD) == 2
    assert rerun(sandbox, capsys, **case["reruns"][-1][0]) == case["reruns"][-1][1]


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS)
def test_a_write_that_gets_an_error_every_try_keeps_the_old_state_and_fails_naming_it(
        sandbox, state, capsys, instant_waits, old_key, status, body, write):
    case = WRITES[write]
    state.add_faults(dict(method=case["method"], path=ITEM_REGEX, times=None, **faults.datadog_error(status, body)))
    result = run(sandbox, capsys, **case["options"])
    assert task_status(result) == "failed"
    assert result["msg"] == "Datadog API %s %s %s (after 2 attempts)" % (
        case["method"], ITEM, faults.datadog_error_shown(status, body))
    assert journal_answers(state) == [get(200), case["answer"](status), case["answer"](status)]
    assert keys(state) == case["kept"]
    assert instant_waits.waits_between(*(faults.AS_TOLD if status == 429 else faults.BACKOFF)) == 1
    for options, expected in case["reruns"]:
        assert rerun(sandbox, capsys, **options) == expected
