# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare's link of an authorised token under faults: sent again only after a 429, else the list tells."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_answers, task_status
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    LINK_REGEX, LINKING, PAYMENTS, SHOWN, TOKEN, connect, connect_again, connected_names as connected, fails_unclear,
    link, list_, tokens)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


# The link (token_id=TOKEN, authorised for payments), nothing connected yet


@pytest.fixture
def authorised_token(state):
    state.seed({"cloudflare": {"destinations": [], "tokens": {TOKEN: {"authorized": [PAYMENTS], "used": False}}}})


def assert_a_rerun_links_it(sandbox, capsys):
    result, answers = connect_again(sandbox, capsys, token_id=TOKEN)
    assert (task_status(result), answers) == ("changed", [list_(200), link(TOKEN, 200), list_(200)])
    assert_a_rerun_is_ok(sandbox, capsys)


def assert_a_rerun_is_ok(sandbox, capsys):
    result, answers = connect_again(sandbox, capsys, token_id=TOKEN)
    assert (task_status(result), answers) == ("ok", [list_(200)])


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_link_refused_by_the_rate_limit_is_sent_again(sandbox, state, capsys, instant_waits, authorised_token,
                                                      status, body):
    state.add_faults(dict(method="GET", path=LINK_REGEX, times=2, **faults.cloudflare_error(status, body)))
    assert task_status(connect(sandbox, capsys, token_id=TOKEN, retries=2)) == "changed"
    assert journal_answers(state) == [list_(200), link(TOKEN, 429), link(TOKEN, 429), link(TOKEN, 200), list_(200)]
    assert (connected(state), tokens(state)) == (["payments"], {TOKEN: True})
    assert instant_waits.waits_between(*faults.AS_TOLD) == 2
    assert_a_rerun_is_ok(sandbox, capsys)


@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_link_refused_by_the_rate_limit_every_try_fails_and_leaves_the_token_unused(sandbox, state, capsys,
                                                                                    instant_waits, authorised_token,
                                                                                    status, body):
    state.add_faults(dict(method="GET", path=LINK_REGEX, times=None, **faults.cloudflare_error(status, body)))
    result = connect(sandbox, capsys, token_id=TOKEN)
    assert task_status(result) == "failed"
    assert result["msg"].startswith("Could not link the connection token")
    assert "Cloudflare API GET %s/connect/{token_id} %s (after 2 attempts)" % (
        SHOWN, faults.cloudflare_error_shown(status, body)) in result["msg"]
    assert journal_answers(state) == [list_(200), link(TOKEN, 429), link(TOKEN, 429)]
    assert (connected(state), tokens(state)) == ([], {TOKEN: False})
    assert instant_waits.waits_between(*faults.AS_TOLD) == 1
    assert_a_rerun_links_it(sandbox, capsys)


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS)
def test_link_that_gets_a_5xx_is_not_sent_again_and_lists_again_to_tell(sandbox, state, capsys, instant_waits,
                                                                        authorised_token, status, body):
    answers = fails_unclear(sandbox, state, capsys, instant_waits, LINKING, faults.cloudflare_error(status, body),
                            faults.cloudflare_error_shown(status, body) + ")")
    assert answers == [list_(200), link(TOKEN, status), list_(200)]
    assert (connected(state), tokens(state)) == ([], {TOKEN: False})
    assert_a_rerun_links_it(sandbox, capsys)


def test_link_dropped_before_it_was_applied_is_not_sent_again_and_lists_again_to_tell(sandbox, state, capsys,
                                                                                      instant_waits, authorised_token):
    answers = fails_unclear(sandbox, state, capsys, instant_waits, LINKING, dict(drop="before"),
                            "failed: connection lost before an answer: ")
    assert answers == [list_(200), link(TOKEN, None), list_(200)]
    assert (connected(state), tokens(state)) == ([], {TOKEN: False})
    assert_a_rerun_links_it(sandbox, capsys)


def test_link_dropped_after_it_was_applied_is_found_by_the_list(sandbox, state, capsys, instant_waits,
                                                                authorised_token):
    state.add_faults(dict(method="GET", path=LINK_REGEX, drop="after"))
    assert task_status(connect(sandbox, capsys, token_id=TOKEN)) == "changed"
    assert journal_answers(state) == [list_(200), link(TOKEN, None), list_(200)]
    assert (connected(state), tokens(state), instant_waits.waits) == (["payments"], {TOKEN: True}, [])
    assert_a_rerun_is_ok(sandbox, capsys)


def test_link_with_no_answer_within_the_timeout_fails_and_the_next_run_finds_it_linked(sandbox, state, capsys,
                                                                                       instant_waits,
                                                                                       authorised_token):
    answers = fails_unclear(sandbox, state, capsys, instant_waits, LINKING, dict(delay_ms=faults.LATE_MS),
                            "failed: no answer within timeout=0.1s)", **faults.SLOW)
    # The slow link lands after the module listed again.
    assert answers == [list_(200), link(TOKEN, 200), list_(200)]
    assert (connected(state), tokens(state)) == (["payments"], {TOKEN: True})
    assert_a_rerun_is_ok(sandbox, capsys)
