# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare's token create (create_token=true) under faults: sent again only after a 429, else run the task again."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_answers, task_status
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    CREATE_REGEX, CREATING, PAYMENTS, SHOWN, connect, connect_again, create, eligible, fails_unclear, link, list_,
    tokens)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


def assert_a_person_authorises_it_then_its_link_connects_payments(sandbox, capsys, token):
    sandbox.state.authorize({"token_id": token, "services": [PAYMENTS]})
    result, answers = connect_again(sandbox, capsys, token_id=token)
    assert (task_status(result), answers) == ("changed", [list_(200), link(token, 200), list_(200)])
    result, answers = connect_again(sandbox, capsys)
    assert (task_status(result), answers) == ("ok", [list_(200)])


def assert_a_rerun_creates_a_token_then_its_link_connects_payments(sandbox, capsys):
    result, answers = connect_again(sandbox, capsys, create_token=True)
    assert (task_status(result), answers) == ("changed", [list_(200), eligible(200), create(201)])
    assert_a_person_authorises_it_then_its_link_connects_payments(sandbox, capsys, result["token_id"])


# The token create (create_token=true), nothing connected yet


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_create_refused_by_the_rate_limit_is_sent_again(sandbox, state, capsys, instant_waits, status, body):
    state.add_faults(dict(method="POST", path=CREATE_REGEX, times=2, **faults.cloudflare_error(status, body)))
    result = connect(sandbox, capsys, create_token=True, retries=2)
    assert task_status(result) == "changed"
    assert journal_answers(state) == [list_(200), eligible(200), create(429), create(429), create(201)]
    assert list(tokens(state)) == [result["token_id"]]
    assert instant_waits.waits_between(*faults.AS_TOLD) == 2
    assert_a_person_authorises_it_then_its_link_connects_payments(sandbox, capsys, result["token_id"])


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_create_refused_by_the_rate_limit_every_try_fails_naming_it(sandbox, state, capsys, instant_waits,
                                                                    status, body):
    state.add_faults(dict(method="POST", path=CREATE_REGEX, times=None, **faults.cloudflare_error(status, body)))
    result = connect(sandbox, capsys, create_token=True)
    assert task_status(result) == "failed"
    assert "Cloudflare API POST %s/connect %s (after 2 attempts)" % (SHOWN, faults.cloudflare_error_shown(status, body)) in (
        result["msg"])
    assert journal_answers(state) == [list_(200), eligible(200), create(429), create(429)]
    assert tokens(state) == {}
    assert instant_waits.waits_between(*faults.AS_TOLD) == 1
    assert_a_rerun_creates_a_token_then_its_link_connects_payments(sandbox, capsys)


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS)
def test_create_that_gets_a_5xx_is_not_sent_again_and_says_to_run_the_task_again(sandbox, state, capsys,
                                                                                 instant_waits, status, body):
    answers = fails_unclear(sandbox, state, capsys, instant_waits, CREATING, faults.cloudflare_error(status, body),
                            faults.cloudflare_error_shown(status, body) + "). ")
    assert answers == [list_(200), eligible(200), create(status)]
    assert tokens(state) == {}
    assert_a_rerun_creates_a_token_then_its_link_connects_payments(sandbox, capsys)


@pytest.mark.parametrize("drop, made", [("before", 0), ("after", 1)])
def test_create_dropped_is_not_sent_again_and_says_to_run_the_task_again(sandbox, state, capsys, instant_waits,
                                                                         drop, made):
    answers = fails_unclear(sandbox, state, capsys, instant_waits, CREATING, dict(drop=drop),
                            "failed: connection lost before an answer: ")
    assert answers == [list_(200), eligible(200), create(None)]
    assert len(tokens(state)) == made
    assert_a_rerun_creates_a_token_then_its_link_connects_payments(sandbox, capsys)


def test_create_with_no_answer_within_the_timeout_is_not_sent_again_and_says_to_run_the_task_again(sandbox, state,
                                                                                                   capsys,
                                                                                                   instant_waits):
    answers = fails_unclear(sandbox, state, capsys, instant_waits, CREATING, dict(delay_ms=faults.LATE_MS),
                            "failed: no answer within timeout=0.1s). ", **faults.SLOW)
    assert answers == [list_(200), eligible(200), create(201)]
    assert len(tokens(state)) == 1  # made, but nobody will ever link it
    assert_a_rerun_creates_a_token_then_its_link_connects_payments(sandbox, capsys)
