# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pacing: the client keeps inside the budget the server reports (X-RateLimit-Remaining and -Reset) instead of
sending requests that would be refused. Each test lists the answers and the exact waits it expects."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import HttpClient, RateBudget
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import Answer


def budget(remaining, reset):
    return {"X-RateLimit-Limit": "100", "X-RateLimit-Period": "10", "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset)}


def test_an_exhausted_budget_waits_for_the_window_to_reset_before_the_next_request(scripted, fake_time):
    scripted.script(Answer(200, {}, headers=budget(1, 7)), Answer(200, {}, headers=budget(0, 6)),
                    Answer(200, {}, headers=budget(99, 10)))
    client = HttpClient(scripted.url, sleep=fake_time.sleep, clock=fake_time.time)
    for dummy in range(3):
        client.request("GET", "/x")
    assert fake_time.waits == [6.0]  # only before the third: the second answer left nothing
    assert len(scripted.calls()) == 3


def test_answers_without_the_headers_never_hold_a_request_back(scripted, fake_time):
    scripted.script(*[Answer(200, {}) for dummy in range(3)])
    client = HttpClient(scripted.url, sleep=fake_time.sleep, clock=fake_time.time)
    for dummy in range(3):
        client.request("GET", "/x")
    assert fake_time.waits == []


def test_requests_in_flight_count_against_the_budget_until_their_answers_tell(fake_time):
    pacer = RateBudget(fake_time.time, fake_time.sleep)
    pacer.take()
    pacer.settle(budget(3, 5))
    pacer.take()
    pacer.take()  # two in flight
    pacer.settle(budget(1, 5))  # one left, but the other request in flight may be that one
    third = []
    waiter = threading.Thread(target=lambda: third.append(pacer.take()))
    waiter.start()
    time.sleep(0.1)
    assert not third  # it waits for the answer in flight, which tells the exact count
    pacer.settle(budget(2, 4))  # answered out of order: a higher Remaining is an older state, not a refill
    waiter.join(5)
    assert not waiter.is_alive() and fake_time.waits == []


def test_an_out_of_order_answer_never_raises_the_budget(fake_time):
    pacer = RateBudget(fake_time.time, fake_time.sleep)
    pacer.take()
    pacer.settle(budget(9, 6))
    for dummy in range(3):
        pacer.take()
    pacer.settle(budget(0, 6))
    pacer.settle(budget(5, 6))  # processed earlier by the server: the window is still used up
    pacer.settle(budget(3, 6))
    pacer.take()
    assert fake_time.waits == [6.0]


def test_while_the_budget_is_unknown_one_request_goes_first_and_the_others_wait_for_its_answer(fake_time):
    pacer = RateBudget(fake_time.time, fake_time.sleep)
    pacer.take()
    second = []
    waiter = threading.Thread(target=lambda: second.append(pacer.take()))
    waiter.start()
    time.sleep(0.1)
    assert not second  # another client may have spent the window: the first answer tells
    pacer.settle(budget(5, 4))
    waiter.join(5)
    assert not waiter.is_alive() and fake_time.waits == []


def test_a_server_without_the_headers_is_not_paced_after_its_first_answer(fake_time):
    pacer = RateBudget(fake_time.time, fake_time.sleep)
    pacer.take()
    pacer.settle({})
    for dummy in range(3):
        pacer.take()  # all in flight at once, none held back
    assert fake_time.waits == []


def test_with_nothing_in_flight_an_empty_budget_sleeps_until_the_reset_then_starts_afresh(fake_time):
    pacer = RateBudget(fake_time.time, fake_time.sleep)
    pacer.take()
    pacer.settle(budget(0, 9))
    fake_time.now += 2.0
    pacer.take()  # the first request of the new window
    pacer.settle(budget(99, 10))
    pacer.take()
    assert fake_time.waits == [9.0 - 2.0]


def test_the_sandbox_rate_limit_is_never_exceeded_by_parallel_reads(sandbox, state):
    """A real server: 10 requests a second, 40 reads from 8 threads after one read told the budget: no 429."""
    state.set_rate_limit({"vendor": "datadog", "limit": 10, "period": 1})
    keys = {"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}
    client = HttpClient(sandbox.url, headers=keys, pool_size=8, retries=0)
    client.request("GET", "/api/v1/integration/pagerduty/configuration/services/warm-up", expected_missing=(404,))
    errors = []

    def read(index):
        try:
            client.request("GET", "/api/v1/integration/pagerduty/configuration/services/s%d" % index,
                           expected_missing=(404,))
        except Exception as error:  # pylint: disable=broad-exception-caught
            errors.append(error)

    threads = [threading.Thread(target=lambda i=i: [read(i * 5 + k) for k in range(5)]) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    statuses = [entry["status"] for entry in state.journal_view()]
    assert (len(statuses), statuses.count(429)) == (41, 0)
