# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare's delete of every destination (state=absent) under faults: sent again after any of them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_answers, task_status, wait_for_late_answers
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    CHECKOUT, LIST, LIST_REGEX, PAYMENTS, RETRIED, SHOWN, connected_names as connected, list_, rerun, run)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


def delete_all(status):
    return ("DELETE", LIST, status)


# The delete (DELETE, state=absent) of payments and checkout: sent again after any fault


@pytest.fixture
def two_connected(state):
    state.seed({"cloudflare": {"destinations": [PAYMENTS, CHECKOUT]}})


@pytest.mark.parametrize("fault, answered", RETRIED)
def test_delete_retries_a_5xx_or_a_dropped_connection_then_deletes(sandbox, state, capsys, instant_waits,
                                                                   two_connected, fault, answered):
    state.add_faults(dict(method="DELETE", path=LIST_REGEX, **fault))
    assert task_status(run(sandbox, capsys, module, state="absent")) == "changed"
    assert journal_answers(state) == [list_(200), delete_all(answered), delete_all(200)]
    assert connected(state) == []
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, module, state="absent") == ("ok", [list_(200)])


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_delete_waits_as_told_after_each_429_then_deletes(sandbox, state, capsys, instant_waits, two_connected,
                                                          status, body):
    state.add_faults(dict(method="DELETE", path=LIST_REGEX, times=2, **faults.cloudflare_error(status, body)))
    assert task_status(run(sandbox, capsys, module, state="absent", retries=2)) == "changed"
    assert journal_answers(state) == [list_(200), delete_all(429), delete_all(429), delete_all(200)]
    assert connected(state) == []
    assert instant_waits.waits_between(*faults.AS_TOLD) == 2
    assert rerun(sandbox, capsys, module, state="absent") == ("ok", [list_(200)])


def test_delete_retries_after_no_answer_within_the_timeout(sandbox, state, capsys, instant_waits, two_connected):
    state.add_faults(dict(method="DELETE", path=LIST_REGEX, delay_ms=faults.LATE_MS))
    assert task_status(run(sandbox, capsys, module, state="absent", **faults.SLOW)) == "changed"
    wait_for_late_answers(state)
    assert journal_answers(state) == [list_(200), delete_all(200), delete_all(200)]
    assert connected(state) == []
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, module, state="absent") == ("ok", [list_(200)])


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS)
def test_delete_that_gets_an_error_every_try_keeps_both_and_fails_naming_it(sandbox, state, capsys, instant_waits,
                                                                            two_connected, status, body):
    state.add_faults(dict(method="DELETE", path=LIST_REGEX, times=None, **faults.cloudflare_error(status, body)))
    result = run(sandbox, capsys, module, state="absent")
    assert task_status(result) == "failed"
    assert "Cloudflare API DELETE %s %s (after 2 attempts)" % (SHOWN, faults.cloudflare_error_shown(status, body)) in (
        result["msg"])
    assert journal_answers(state) == [list_(200), delete_all(status), delete_all(status)]
    assert connected(state) == ["checkout", "payments"]
    assert instant_waits.waits_between(*(faults.AS_TOLD if status == 429 else faults.BACKOFF)) == 1
    assert rerun(sandbox, capsys, module, state="absent") == ("changed", [list_(200), delete_all(200)])
    assert rerun(sandbox, capsys, module, state="absent") == ("ok", [list_(200)])
