# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare's list (by both modules) and eligibility read under 5xx, 429s, dropped connections and timeouts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination_info as info_module
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    cloudflare_options, forget_faults_and_requests, journal_answers, run_checked, task_status, wait_for_late_answers)
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    ELIGIBLE, LIST_REGEX, PAYMENTS, RETRIED, SHOWN, create, eligible, list_, rerun, run, tokens)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")

# Both modules list the destinations first: the info module (which then reads the eligibility), and the destination
# module checking payments. With the requests each sends after a list that succeeded.
LISTING = [pytest.param(info_module, {}, [("GET", ELIGIBLE, 200)], id="info"),
           pytest.param(module, dict(services=["payments"]), [], id="check")]


# ---------------------------------------------------------------------------------------------
# The list (GET): payments is connected


@pytest.fixture
def payments(state):
    state.seed({"cloudflare": {"destinations": [PAYMENTS]}})


@pytest.mark.parametrize("target, args, then", LISTING)
@pytest.mark.parametrize("fault, answered", RETRIED)
def test_list_retries_a_5xx_or_a_dropped_connection(sandbox, state, capsys, instant_waits, payments, target, args,
                                                    then, fault, answered):
    state.add_faults(dict(method="GET", path=LIST_REGEX, **fault))
    result = run(sandbox, capsys, target, **args)
    assert (task_status(result), result["services"]) == ("ok", [PAYMENTS])
    assert journal_answers(state) == [list_(answered), list_(200)] + then
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, target, **args) == ("ok", [list_(200)] + then)


@pytest.mark.parametrize("target, args, then", LISTING)
@pytest.mark.parametrize("status, body", faults.RATE_LIMITS)
def test_list_waits_as_told_after_each_429(sandbox, state, capsys, instant_waits, payments, target, args, then,
                                           status, body):
    state.add_faults(dict(method="GET", path=LIST_REGEX, times=2, **faults.cloudflare_error(status, body)))
    result = run(sandbox, capsys, target, retries=2, **args)
    assert (task_status(result), result["services"]) == ("ok", [PAYMENTS])
    assert journal_answers(state) == [list_(429), list_(429), list_(200)] + then
    assert instant_waits.waits_between(*faults.AS_TOLD) == 2
    assert rerun(sandbox, capsys, target, **args) == ("ok", [list_(200)] + then)


@pytest.mark.parametrize("target, args, then", LISTING)
def test_list_retries_after_no_answer_within_the_timeout(sandbox, state, capsys, instant_waits, payments, target, args,
                                                         then):
    state.add_faults(dict(method="GET", path=LIST_REGEX, delay_ms=faults.LATE_MS))
    result = run(sandbox, capsys, target, **dict(faults.SLOW, **args))
    wait_for_late_answers(state)
    assert (task_status(result), result["services"]) == ("ok", [PAYMENTS])
    assert journal_answers(state) == [list_(200), list_(200)] + then
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, target, **args) == ("ok", [list_(200)] + then)


@pytest.mark.parametrize("target, args, then", LISTING)
@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS)
def test_list_that_gets_an_error_every_try_fails_naming_it(sandbox, state, capsys, instant_waits, payments,
                                                           target, args, then, status, body):
    state.add_faults(dict(method="GET", path=LIST_REGEX, times=None, **faults.cloudflare_error(status, body)))
    result = run(sandbox, capsys, target, **args)
    assert task_status(result) == "failed"
    assert "Cloudflare API GET %s %s (after 2 attempts)" % (SHOWN, faults.cloudflare_error_shown(status, body)) in result["msg"]
    assert journal_answers(state) == [list_(status), list_(status)]
    assert instant_waits.waits_between(*(faults.AS_TOLD if status == 429 else faults.BACKOFF)) == 1
    assert rerun(sandbox, capsys, target, **args) == ("ok", [list_(200)] + then)


@pytest.mark.parametrize("target, args, then", LISTING)
def test_list_whose_connection_drops_every_try_fails_naming_it(sandbox, state, capsys, instant_waits, payments,
                                                               target, args, then):
    state.add_faults(dict(method="GET", path=LIST_REGEX, times=None, drop="before"))
    result = run(sandbox, capsys, target, **args)
    assert task_status(result) == "failed"
    assert result["msg"].startswith("Cloudflare API GET %s failed: connection lost before an answer: " % SHOWN)
    assert result["msg"].endswith(" (after 2 attempts)")
    assert journal_answers(state) == [list_(None), list_(None)]
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, target, **args) == ("ok", [list_(200)] + then)


@pytest.mark.parametrize("target, args, then", LISTING)
def test_list_with_no_answer_within_the_timeout_every_try_fails_naming_it(sandbox, state, capsys, instant_waits,
                                                                          payments, target, args, then):
    state.add_faults(dict(method="GET", path=LIST_REGEX, times=None, delay_ms=faults.LATE_MS))
    result = run(sandbox, capsys, target, **dict(faults.SLOW, **args))
    wait_for_late_answers(state)
    assert task_status(result) == "failed"
    assert result["msg"] == "Cloudflare API GET %s failed: no answer within timeout=0.1s (after 2 attempts)" % SHOWN
    assert journal_answers(state) == [list_(200), list_(200)]
    assert instant_waits.waits_between(*faults.BACKOFF) == 1
    assert rerun(sandbox, capsys, target, **args) == ("ok", [list_(200)] + then)


def test_by_default_a_request_is_tried_four_times(sandbox, state, capsys, instant_waits):
    state.add_faults(dict(method="GET", path=LIST_REGEX, times=None, status=502, body=faults.error_page(502),
                          content_type="text/html"))
    result = run_checked(info_module, cloudflare_options(sandbox.cloudflare_url), capsys)
    assert result["msg"] == "Cloudflare API GET %s returned HTTP 502 (HTML body) (after 4 attempts)" % SHOWN
    assert journal_answers(state) == [list_(502)] * 4
    # Exponential backoff: about 1, 2 and 4 s, each between half and all of it.
    assert len(instant_waits.waits) == 3
    assert all(2 ** attempt / 2.0 <= wait <= 2 ** attempt for attempt, wait in enumerate(instant_waits.waits))


# ---------------------------------------------------------------------------------------------
# The eligibility read (GET .../eligible): retried like the list; when it never answers, the info module still
# lists, with eligible null, and the destination module lets Cloudflare's answer to the token request decide

ELIGIBLE_REGEX = "^%s$" % ELIGIBLE


@pytest.mark.parametrize("fault, answered", RETRIED)
def test_eligibility_retries_a_5xx_or_a_dropped_connection(sandbox, state, capsys, instant_waits, payments, fault,
                                                           answered):
    state.add_faults(dict(method="GET", path=ELIGIBLE_REGEX, **fault))
    result = run(sandbox, capsys, info_module)
    assert (task_status(result), result["services"], result["eligible"]) == ("ok", [PAYMENTS], True)
    assert journal_answers(state) == [list_(200), eligible(answered), eligible(200)]
    assert instant_waits.waits_between(*faults.BACKOFF) == 1


@pytest.mark.parametrize("status, body", faults.SERVER_ERRORS_ALWAYS + faults.RATE_LIMITS)
def test_eligibility_that_gets_an_error_every_try(sandbox, state, capsys, instant_waits, payments, status, body):
    state.add_faults(dict(method="GET", path=ELIGIBLE_REGEX, times=None, **faults.cloudflare_error(status, body)))
    info = run(sandbox, capsys, info_module)
    assert (task_status(info), info["services"], info["eligible"], info["ready"]) == ("ok", [PAYMENTS], None, None)
    assert journal_answers(state) == [list_(200), eligible(status), eligible(status)]
    forget_faults_and_requests(state)
    state.add_faults(dict(method="GET", path=ELIGIBLE_REGEX, times=None, **faults.cloudflare_error(status, body)))
    created = run(sandbox, capsys, module, services=["checkout"], create_token=True)
    assert task_status(created) == "changed" and list(tokens(state)) == [created["token_id"]]
    assert journal_answers(state) == [list_(200), eligible(status), eligible(status), create(201)]
