# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloudflare_pagerduty_destination when Cloudflare or the network misbehaves: rate limits with
Retry-After, and answers lost on the way back from the requests that use up or create a token."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from cloudflare_tasks import (  # pylint: disable=unused-import
    ACCOUNT_ID,
    CHECKOUT,
    CONNECT_PATH,
    CREATE_TOKEN,
    DELETE_ALL,
    LINK,
    LIST,
    PAYMENTS,
    SHOWN_LINK_PATH,
    SHOWN_PATH,
    assert_clean_failure,
    cloudflare,
    destinations,
    seed_destinations,
    seed_tokens,
    tokens,
)

PAYMENTS_TOKEN = "3e5a7c9b1d2f40618a2c4e6b8d0f1a3c"
CHECKOUT_TOKEN = "6b8d0f1a3c5e47a9b1d3f5a7c9e1b3d5"

RATE_LIMITED = {"success": False, "messages": [], "result": None,
                "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}]}


def exact(path):
    return "^%s$" % re.escape(path)


def test_rate_limit_429_waits_for_retry_after_then_sends_the_write_again(run_playbook, sandbox, cloudflare):
    # One request a second: the list passes, the token request that follows at once is refused.
    sandbox.ratelimit("cloudflare", limit=1, period=1)
    run = run_playbook([cloudflare.destination("create a token", services=["payments"], create_token=True)])

    assert run.status("create a token") == "changed"
    assert re.match(r"^[0-9a-f]{32}$", run.result("create a token")["token_id"])
    journal = sandbox.journal("cloudflare")
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        LIST + (200,),
        CREATE_TOKEN + (429,),  # refused, so certainly not applied: sent again
        CREATE_TOKEN + (201,),
    ]
    # Retry-After said 1 s: the retry waited for it.
    assert journal[2]["time"] - journal[1]["time"] >= 0.95
    assert list(tokens(sandbox)) == [run.result("create a token")["token_id"]]


def test_429_with_retry_after_on_the_list(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    too_many = dict(method="GET", path=exact(LIST[1]), status=429, body=RATE_LIMITED, headers={"Retry-After": "1"},
                    times=1)
    sandbox.add_faults([too_many, too_many])
    run = run_playbook([
        cloudflare.info("no retries left", ignore_errors=True, retries=0),
        cloudflare.destination("retried once", state="absent"),
    ])

    result = assert_clean_failure(run, "no retries left")
    assert result["msg"].startswith("Cloudflare API GET %s returned HTTP 429: 971: Please wait and consider throttling "
                                    "your request speed. Cloudflare's rate limit was reached" % SHOWN_PATH)
    assert result["status"] == 429
    assert result["api_errors"] == ["971: Please wait and consider throttling your request speed"]
    assert run.status("retried once") == "changed"
    journal = sandbox.journal("cloudflare")
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        LIST + (429,),
        LIST + (429,), LIST + (200,), DELETE_ALL + (200,),
    ]
    assert journal[2]["time"] - journal[1]["time"] >= 0.95
    assert destinations(sandbox) == []


def test_lost_answers_to_a_link_or_a_token_request_are_not_resent(run_playbook, sandbox, cloudflare):
    seed_tokens(sandbox, {
        PAYMENTS_TOKEN: {"authorized": [PAYMENTS], "used": False},
        CHECKOUT_TOKEN: {"authorized": [CHECKOUT], "used": False},
    })
    sandbox.add_faults([
        # Linked, then the connection drops: the answer is lost.
        dict(method="GET", path=exact(LINK(PAYMENTS_TOKEN)[1]), drop="after"),
        # The connection drops before the link is applied.
        dict(method="GET", path=exact(LINK(CHECKOUT_TOKEN)[1]), drop="before"),
        # A token is created, then the connection drops.
        dict(method="POST", path=exact(CONNECT_PATH), drop="after"),
    ])
    run = run_playbook([
        cloudflare.destination("link whose answer is lost", services=["payments"], token_id="{{ payments_token }}"),
        cloudflare.destination("link lost on the way", ignore_errors=True, services=["payments", "checkout"],
                               token_id="{{ checkout_token }}"),
        cloudflare.destination("run it again", services=["payments", "checkout"], token_id="{{ checkout_token }}"),
        cloudflare.destination("token whose answer is lost", ignore_errors=True, services=["search"],
                               create_token=True),
    ], extra_vars={"payments_token": PAYMENTS_TOKEN, "checkout_token": CHECKOUT_TOKEN},
        secrets=[PAYMENTS_TOKEN, CHECKOUT_TOKEN])

    # The list taken afterwards tells the link went through.
    assert run.status("link whose answer is lost") == "changed"
    assert run.result("link whose answer is lost")["services"] == [PAYMENTS]

    result = assert_clean_failure(run, "link lost on the way")
    assert result["msg"].startswith("Linking the connection token had no clear outcome (Cloudflare API GET %s failed: "
                                    "connection lost before an answer" % SHOWN_LINK_PATH), result["msg"]
    assert ('and the list taken afterwards shows it did not connect everything. These PagerDuty services are not '
            'connected to Cloudflare account %s: "checkout" (connected now: "payments"). Run this task again: if the '
            "token was used up, it will say so." % ACCOUNT_ID) in result["msg"]
    assert result["changed"] is False
    assert result["status"] is None
    assert result["request"] == {"method": "GET", "path": SHOWN_LINK_PATH}
    assert result["missing"] == ["checkout"] and result["services"] == [PAYMENTS]
    assert run.status("run it again") == "changed"
    assert run.result("run it again")["services"] == [PAYMENTS, CHECKOUT]

    result = assert_clean_failure(run, "token whose answer is lost")
    assert result["msg"].startswith("Creating a connection token had no clear outcome (Cloudflare API POST %s/connect "
                                    "failed: connection lost before an answer" % SHOWN_PATH), result["msg"]
    assert result["msg"].endswith("A token may have been created, but it is unknown and will never be linked, which "
                                  "is harmless. Run this task again for a new one.")
    assert "token_id" not in result
    assert result["missing"] == ["search"]

    # Neither the link nor the token request was sent twice.
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (200,), LINK(PAYMENTS_TOKEN) + (None,), LIST + (200,),
        LIST + (200,), LINK(CHECKOUT_TOKEN) + (None,), LIST + (200,),
        LIST + (200,), LINK(CHECKOUT_TOKEN) + (200,), LIST + (200,),
        LIST + (200,), CREATE_TOKEN + (None,),
    ]
    assert destinations(sandbox) == [PAYMENTS, CHECKOUT]
    state = tokens(sandbox)
    assert state.pop(PAYMENTS_TOKEN)["used"] is True and state.pop(CHECKOUT_TOKEN)["used"] is True
    assert [item["used"] for item in state.values()] == [False]  # the one made by the lost request
