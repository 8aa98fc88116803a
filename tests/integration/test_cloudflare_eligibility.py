# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Whether the account's plan lets it use PagerDuty, from a playbook, in both states of the sandbox's
`cloudflare_pagerduty_eligible`: the info module reports it (and succeeds when the plan refuses the list), the
destination module fails naming the plan requirement before a token is created and when the list is refused, in
check mode too, and no write is ever sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from cloudflare_tasks import (
    ACCOUNT_ID,
    CHECKOUT,
    CREATE_TOKEN,
    ELIGIBILITY,
    LIST,
    PAYMENTS,
    SHOWN_ELIGIBLE_PATH,
    SHOWN_PATH,
    destinations,
    seed_destinations,
    seed_tokens,
    tokens,
    writes,
)

# What the sandbox answers a list, a token request or a link when the plan does not allow PagerDuty.
PLAN_REFUSAL = "17100: PagerDuty destinations are not available on this account's plan"
# What the modules say, in the words of Cloudflare's notifications documentation.
NOT_ELIGIBLE = (
    "PagerDuty is not available to Cloudflare account %s: Cloudflare says the account is not eligible for PagerDuty "
    "destinations (GET %s answered eligible: false). Cloudflare's notifications documentation: PagerDuty is available "
    "if the account has at least one zone on a Business or higher plan. Put a zone of the account on a Business or "
    "higher plan, then run this task again." % (ACCOUNT_ID, SHOWN_ELIGIBLE_PATH))
LIST_REFUSED = "Cloudflare API GET %s returned HTTP 403: %s. %s" % (SHOWN_PATH, PLAN_REFUSAL, NOT_ELIGIBLE)
# An authorised connection token that nobody could link on such an account.
AUTHORISED_TOKEN = "4d6f8a0c2e4b46d8a0c2e4f6b8d0a2c4"


def eligible(sandbox_tasks, title, value):
    """A task that switches the sandbox account's plan between two tasks of one run."""
    return sandbox_tasks.call(title, "POST", "/settings", {"cloudflare_pagerduty_eligible": value})


def test_info_reports_the_eligibility_in_both_states(run_playbook, sandbox, sandbox_tasks, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    run = run_playbook([
        cloudflare.info("eligible"),
        eligible(sandbox_tasks, "the plan no longer allows PagerDuty", False),
        cloudflare.info("not eligible"),
        cloudflare.info("not eligible, check mode", check_mode=True),
        eligible(sandbox_tasks, "the plan allows PagerDuty again", True),
        cloudflare.info("eligible again"),
    ], diff=True, verbosity=4)

    for task in ("eligible", "eligible again"):
        assert run.status(task) == "ok"
        result = run.result(task)
        assert (result["services"], result["eligible"], result["ready"]) == ([PAYMENTS], True, True), task
    # The plan refuses the list: that is the answer, not a failure. No service can be paged on such an account.
    for task in ("not eligible", "not eligible, check mode"):
        assert run.status(task) == "ok"
        result = run.result(task)
        assert result["changed"] is False
        assert (result["services"], result["eligible"], result["ready"]) == ([], False, True), task
        assert not result.get("warnings") and "status" not in result and "diff" not in result
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (200,), ELIGIBILITY + (200,),
        LIST + (403,), ELIGIBILITY + (200,),
        LIST + (403,), ELIGIBILITY + (200,),
        LIST + (200,), ELIGIBILITY + (200,),
    ]
    assert destinations(sandbox) == [PAYMENTS]


def test_a_list_refused_by_the_plan_fails_naming_it_without_writing(run_playbook, sandbox, sandbox_tasks, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    seed_tokens(sandbox, {AUTHORISED_TOKEN: {"authorized": [CHECKOUT], "used": False}})
    sandbox.settings(cloudflare_pagerduty_eligible=False)
    wanted = ["payments", "checkout"]
    refused = [
        cloudflare.destination("create a token", ignore_errors=True, services=wanted, create_token=True),
        cloudflare.destination("create a token, check mode", ignore_errors=True, check_mode=True, services=wanted,
                               create_token=True),
        cloudflare.destination("link a token", ignore_errors=True, services=wanted, token_id="{{ token }}"),
        cloudflare.destination("payments and checkout", ignore_errors=True, services=wanted),
        cloudflare.destination("remove them all", ignore_errors=True, state="absent"),
        cloudflare.destination("remove them all, check mode", ignore_errors=True, check_mode=True, state="absent"),
    ]
    run = run_playbook(refused + [
        eligible(sandbox_tasks, "the plan allows PagerDuty again", True),
        cloudflare.destination("create a token once the plan allows it, check mode", check_mode=True,
                               services=wanted, create_token=True),
    ], diff=True, verbosity=4, extra_vars={"token": AUTHORISED_TOKEN}, secrets=[AUTHORISED_TOKEN])

    for task in refused:
        result = run.failure(task["name"])
        # The request, its status and Cloudflare's own text first; then the plan, in the documentation's words.
        assert result["msg"] == LIST_REFUSED, (task["name"], result["msg"])
        assert "credentials" not in result["msg"]
        assert result["status"] == 403 and result["api_errors"] == [PLAN_REFUSAL]
        assert result["request"] == {"method": "GET", "path": SHOWN_PATH}
        assert result["changed"] is False
        assert "token_id" not in result and "next_step" not in result and "services" not in result
    allowed = run.result("create a token once the plan allows it, check mode")
    assert run.status("create a token once the plan allows it, check mode") == "changed"
    assert allowed["next_step"].startswith("Check mode: no token was created.")
    assert allowed["services"] == [PAYMENTS] and allowed["missing"] == ["checkout"]

    # Each refused list was followed by the eligibility read, and by nothing else: no token, no link, no delete.
    assert sandbox.calls_with_status("cloudflare") == [LIST + (403,), ELIGIBILITY + (200,)] * len(refused) + [
        LIST + (200,), ELIGIBILITY + (200,)]
    assert writes(sandbox.calls("cloudflare")) == []
    assert destinations(sandbox) == [PAYMENTS]
    assert tokens(sandbox) == {AUTHORISED_TOKEN: {"authorized": [CHECKOUT], "used": False}}


def test_no_token_is_created_when_the_eligibility_says_no(run_playbook, sandbox, cloudflare):
    # An account whose plan changed: Cloudflare still lists what was connected, but PagerDuty is not eligible.
    sandbox.settings(cloudflare_pagerduty_eligible=False)
    listed = {"success": True, "errors": [], "messages": [], "result": [PAYMENTS],
              "result_info": {"page": 1, "per_page": 1000, "count": 1, "total_count": 1, "total_pages": 1}}
    sandbox.add_fault(method="GET", path="^%s$" % re.escape(LIST[1]), status=200, body=listed, times=3)
    wanted = ["payments", "checkout"]
    run = run_playbook([
        cloudflare.destination("create a token, check mode", ignore_errors=True, check_mode=True, services=wanted,
                               create_token=True),
        cloudflare.destination("create a token", ignore_errors=True, services=wanted, create_token=True),
        cloudflare.info("what the info module sees"),
    ], diff=True)

    for task in ("create a token, check mode", "create a token"):
        result = run.failure(task)
        assert result["msg"] == "No connection token can be created. " + NOT_ELIGIBLE, result["msg"]
        assert result["services"] == [PAYMENTS] and result["missing"] == ["checkout"]
        assert result["changed"] is False
        assert "token_id" not in result and "next_step" not in result and "status" not in result
    info = run.result("what the info module sees")
    assert (info["services"], info["eligible"]) == ([PAYMENTS], False)

    # The eligibility was read before the token request, which was never sent.
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,)] * 3
    assert CREATE_TOKEN not in sandbox.calls("cloudflare") and writes(sandbox.calls("cloudflare")) == []
    assert tokens(sandbox) == {}
