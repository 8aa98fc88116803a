# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cloudflare under faults: the list (by both modules), the delete, and the connect flow of
cloudflare_pagerduty_destination, the token create (POST .../connect) and the link (GET .../connect/{token_id}, which
uses the token up); under 5xx with JSON, HTML and empty bodies, 429s, connections dropped before and after the request
was applied, and answers slower than the timeout.

Each test scripts the faults in the in-process sandbox, runs main(), and lists the exact requests it expects with the
status the sandbox journalled (None: dropped unanswered), the waits the client chose (instantly, see instant_waits)
and the re-runs that end ok. The list and delete are sent again after any fault; the create and link only after a
429, which certainly was not applied: after an unclear create the task says to run it again, after an unclear link
it lists the destinations again to tell.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination_info as info_module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    cloudflare_options,
    forget_faults_and_requests,
    journal_answers,
    run_checked,
    task_status,
    wait_for_late_answers,
)
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")

SHOWN = facts.cloudflare_destinations_path()  # the path failure messages show
LIST = facts.CLOUDFLARE_PREFIX + SHOWN
LIST_REGEX = "^%s$" % LIST
CONNECT = LIST + "/connect"
CREATE_REGEX = "^%s$" % CONNECT
LINK_REGEX = "^%s/[^/]+$" % CONNECT
PAYMENTS = {"id": "a" * 32, "name": "payments"}
CHECKOUT = {"id": "b" * 32, "name": "checkout"}
TOKEN = "0123456789abcdef0123456789abcdef"  # a connection token someone authorised payments for
RETRIED = faults.retried_faults(faults.cloudflare_error)
ELIGIBLE = facts.CLOUDFLARE_PREFIX + facts.cloudflare_eligible_path()
# Both modules list the destinations first: the info module (which then reads the eligibility), and the destination
# module checking payments. With the requests each sends after a list that succeeded.
LISTING = [pytest.param(info_module, {}, [("GET", ELIGIBLE, 200)], id="info"),
           pytest.param(module, dict(services=["payments"]), [], id="check")]


def list_(status):
    return ("GET", LIST, status)


def delete_all(status):
    return ("DELETE", LIST, status)


def create(status):
    return ("POST", CONNECT, status)


def eligible(status):
    return ("GET", ELIGIBLE, status)


def link(token, status):
    return ("GET", "%s/%s" % (CONNECT, token), status)


def connected(state):
    return sorted(destination["name"] for destination in state.snapshot()["cloudflare"]["destinations"])


def tokens(state):
    """{token: used} of every token the sandbox knows."""
    return dict((token, record["used"]) for token, record in state.snapshot()["cloudflare"]["tokens"].items())


def run(sandbox, capsys, target, **args):
    """main() of target, each request tried twice (retries=1) unless args say otherwise.

    Its output shows no secret: no credential and no token_id it was given (a token it created is returned, by design).
    """
    options = dict(cloudflare_options(sandbox.cloudflare_url, retries=1, timeout=5), **args)
    return run_checked(target, options, capsys, TOKEN, *[args["token_id"]] if args.get("token_id") else [])


def rerun(sandbox, capsys, target, **args):
    """Run again with no fault left: the status and the requests of that run alone."""
    forget_faults_and_requests(sandbox.state)
    return task_status(run(sandbox, capsys, target, **args)), journal_answers(sandbox.state)


def connect(sandbox, capsys, **args):
    """The destination module for payments."""
    return run(sandbox, capsys, module, services=["payments"], **args)


def connect_again(sandbox, capsys, **args):
    """Connect again with no fault left: the result and the requests of that run alone."""
    forget_faults_and_requests(sandbox.state)
    return connect(sandbox, capsys, **args), journal_answers(sandbox.state)


# The two requests whose outcome can be unclear, and so are not sent again after a 5xx, a dropped connection or no answer
# within the timeout: the request to script a fault on, the options that send it, how the task's failure message
# starts (then it shows what went wrong), and what it advises.
CREATING = dict(request=dict(method="POST", path=CREATE_REGEX), args=dict(create_token=True),
                says="Creating a connection token had no clear outcome (Cloudflare API POST %s/connect " % SHOWN,
                advice="Run this task again for a new one.")
LINKING = dict(request=dict(method="GET", path=LINK_REGEX), args=dict(token_id=TOKEN),
               says="Linking the connection token had no clear outcome (Cloudflare API GET %s/connect/{token_id} " % SHOWN,
               advice="Run this task again")


def fails_unclear(sandbox, state, capsys, instant_waits, step, fault, shown, **args):
    """Connect payments by step (CREATING or LINKING) with fault scripted on its request, which the message shows as
    shown (its start): the task fails saying so and giving the step's advice, and sends nothing again (no wait).

    The requests it sent (a dropped one journalled None), once a slow answer has landed too.
    """
    state.add_faults(dict(step["request"], **fault))
    result = connect(sandbox, capsys, **dict(step["args"], **args))
    if "delay_ms" in fault:
        wait_for_late_answers(state)
    assert (task_status(result), instant_waits.waits) == ("failed", [])
    assert result["msg"].startswith(step["says"] + shown)
    assert step["advice"] in result["msg"]
    return journal_answers(state)


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


# ---------------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------------
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
