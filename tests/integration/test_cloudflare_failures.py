# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare modules when Cloudflare or the network misbehaves: rate limits with Retry-After,
server errors with JSON, HTML and empty bodies, answers lost or late, on the list, the delete and
the requests that create or use up a connection token. Each test asserts the user's view, the
exact requests each task sent, and that running the tasks again converges to `ok`, a token that
was lost replaced by a new one. The runs go at -vvvv --diff, for the secret check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from cloudflare_tasks import ACCOUNT_ID, CHECKOUT, PAYMENTS, destinations, seed_destinations, seed_tokens, tokens
from cloudflare_tasks import CONNECT_PATH, SHOWN_LINK_PATH, SHOWN_PATH
from cloudflare_tasks import CREATE_TOKEN, DELETE_ALL, ELIGIBILITY, LINK, LIST  # the five requests, as the journal records them

PAYMENTS_TOKEN = "3e5a7c9b1d2f40618a2c4e6b8d0f1a3c"
CHECKOUT_TOKEN = "6b8d0f1a3c5e47a9b1d3f5a7c9e1b3d5"
HTML_PAGE_TOKEN = "7a1c3e5b9d0f42a6b8c0d2e4f6a8b1c3"
GATEWAY_TOKEN = "c5e7a9b1d3f54c6e8a0b2d4f6c8e0a2b"

RATE_LIMITED = {"success": False, "messages": [], "result": None,
                "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}]}
# How Cloudflare says how long to wait (1 s: a fast suite).
RATE_LIMIT_HEADERS = {"Retry-After": "1", "Ratelimit": '"default";r=0;t=1', "Ratelimit-Policy": '"default";q=1200;w=300'}


def exact(path):
    return "^%s$" % re.escape(path)


def html_page(status, phrase):
    return "<html><head><title>%d %s</title></head><body><h1>%s</h1><hr>nginx</body></html>" % (status, phrase, phrase)


def test_rate_limit_429_waits_for_retry_after_then_sends_the_write_again(run_playbook, sandbox, cloudflare):
    # One request a second: the list passes; the eligibility read and the token request that follow at once are
    # refused, each in its turn.
    sandbox.ratelimit("cloudflare", limit=1, period=1)
    run = run_playbook([cloudflare.destination("create a token", services=["payments"], create_token=True)],
                       verbosity=4, diff=True)

    assert run.status("create a token") == "changed"
    token = run.result("create a token")["token_id"]
    assert re.match(r"^[0-9a-f]{32}$", token)
    journal = sandbox.journal("cloudflare")
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [
        LIST + (200,),
        ELIGIBILITY + (429,),  # a read: sent again
        ELIGIBILITY + (200,),
        CREATE_TOKEN + (429,),  # refused, so certainly not applied: sent again
        CREATE_TOKEN + (201,),
    ]
    # Retry-After said 1 s: each retry waited for it.
    assert journal[2]["time"] - journal[1]["time"] >= 0.95
    assert journal[4]["time"] - journal[3]["time"] >= 0.95
    assert list(tokens(sandbox)) == [token]

    # The hand-off goes on as usual: a person authorises the token, the next run links it.
    sandbox.ratelimit("cloudflare", limit=None)
    sandbox.cloudflare_authorize(token, [PAYMENTS])
    sandbox.clear_journal()
    link = dict(services=["payments"], token_id="{{ token }}")
    rerun = run_playbook([cloudflare.destination("link the token", **link),
                          cloudflare.destination("link the token, again", **link)],
                         verbosity=4, diff=True, extra_vars={"token": token}, secrets=[token])
    assert rerun.statuses() == [("link the token", "changed"), ("link the token, again", "ok")]
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), LINK(token) + (200,), LIST + (200,),
                                                       LIST + (200,)]
    assert destinations(sandbox) == [PAYMENTS]


def test_429_waits_for_retry_after_whatever_the_body_and_reruns_are_ok(run_playbook, sandbox, sandbox_tasks,
                                                                       cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    seed_tokens(sandbox, {HTML_PAGE_TOKEN: {"authorized": [PAYMENTS], "used": False}})
    too_many = dict(method="GET", path=exact(LIST[1]), status=429, body=RATE_LIMITED, headers={"Retry-After": "1"},
                    times=1)
    sandbox.add_faults([
        too_many,
        too_many,
        dict(method="GET", path=exact(LINK(HTML_PAGE_TOKEN)[1]), status=429, body=html_page(429, "Too Many Requests"),
             content_type="text/html", headers=RATE_LIMIT_HEADERS, times=1),
    ])
    link = dict(services=["payments"], token_id="{{ token }}", retries=1)
    run = run_playbook([
        cloudflare.info("no retries left", ignore_errors=True, retries=0),
        cloudflare.destination("retried once", state="absent"),
        # Queued here: every list before this one would take them.
        sandbox_tasks.add_faults("two 429s for the next list", [dict(too_many, headers=RATE_LIMIT_HEADERS, times=2)]),
        cloudflare.info("list answered 429 twice", retries=2),
        cloudflare.destination("link answered 429 with an HTML page", **link),
        cloudflare.info("list answered 429 twice, again", retries=2),
        cloudflare.destination("link answered 429 with an HTML page, again", **link),
    ], verbosity=4, diff=True, extra_vars={"token": HTML_PAGE_TOKEN}, secrets=[HTML_PAGE_TOKEN])

    journal = sandbox.journal("cloudflare")
    result = run.failure("no retries left")
    assert result["msg"].startswith("Cloudflare API GET %s returned HTTP 429: 971: Please wait and consider throttling "
                                    "your request speed. Cloudflare's rate limit was reached" % SHOWN_PATH)
    assert result["status"] == 429
    assert result["api_errors"] == ["971: Please wait and consider throttling your request speed"]
    assert run.calls("no retries left", journal) == [LIST + (429,)]
    assert run.status("retried once") == "changed"
    sent = run.requests("retried once", journal)
    assert run.calls("retried once", journal) == [LIST + (429,), LIST + (200,), DELETE_ALL + (200,)]
    assert sent[1]["time"] - sent[0]["time"] >= 0.95
    assert run.status("list answered 429 twice") == "ok"
    assert run.result("list answered 429 twice")["services"] == []
    sent = run.requests("list answered 429 twice", journal)
    assert run.calls("list answered 429 twice", journal) == [LIST + (429,), LIST + (429,), LIST + (200,),
                                                             ELIGIBILITY + (200,)]
    assert sent[1]["time"] - sent[0]["time"] >= 1.0 and sent[2]["time"] - sent[1]["time"] >= 1.0
    # The link is retried after a 429 (certainly not applied), whatever the body.
    assert run.status("link answered 429 with an HTML page") == "changed"
    sent = run.requests("link answered 429 with an HTML page", journal)
    assert run.calls("link answered 429 with an HTML page", journal) == [
        LIST + (200,), LINK(HTML_PAGE_TOKEN) + (429,), LINK(HTML_PAGE_TOKEN) + (200,), LIST + (200,)]
    assert sent[2]["time"] - sent[1]["time"] >= 1.0
    assert run.status("list answered 429 twice, again") == "ok"
    assert run.calls("list answered 429 twice, again", journal) == [LIST + (200,), ELIGIBILITY + (200,)]
    assert run.status("link answered 429 with an HTML page, again") == "ok"
    assert run.calls("link answered 429 with an HTML page, again", journal) == [LIST + (200,)]
    assert len(journal) == 15  # nothing else was sent
    assert destinations(sandbox) == [PAYMENTS]


def test_5xx_on_a_token_create_or_a_link_is_not_resent_and_a_rerun_converges(run_playbook, sandbox, sandbox_tasks,
                                                                             cloudflare):
    seed_tokens(sandbox, {GATEWAY_TOKEN: {"authorized": [CHECKOUT], "used": False}})
    sandbox.add_faults([
        dict(method="POST", path=exact(CONNECT_PATH), status=502, body=html_page(502, "Bad Gateway"),
             content_type="text/html", times=1),
        dict(method="GET", path=exact(LINK(GATEWAY_TOKEN)[1]), status=504, times=1),  # an empty body
    ])
    create = dict(services=["payments"], create_token=True, retries=3)
    link = dict(services=["checkout"], token_id="{{ gateway_token }}", retries=3)
    run = run_playbook([
        cloudflare.destination("token create answered 502", ignore_errors=True, **create),
        cloudflare.destination("link answered 504", ignore_errors=True, **link),
        # Re-runs: a new token for payments, which a person authorises and the next task links...
        cloudflare.destination("token create answered 502, again", register="again", no_log=True, **create),
        sandbox_tasks.cloudflare_authorize("the person authorises the new token", "{{ again.token_id }}", [PAYMENTS]),
        cloudflare.destination("link the new token", services=["payments"], token_id="{{ again.token_id }}"),
        cloudflare.destination("link the new token, again", services=["payments"], token_id="{{ again.token_id }}"),
        # ...and the link of checkout's token, still unused, sent again.
        cloudflare.destination("link answered 504, again", **link),
        cloudflare.destination("link answered 504, once more", **link),
    ], verbosity=4, diff=True, extra_vars={"gateway_token": GATEWAY_TOKEN}, secrets=[GATEWAY_TOKEN])

    journal = sandbox.journal("cloudflare")
    result = run.failure("token create answered 502")
    assert ("Creating a connection token had no clear outcome (Cloudflare API POST %s/connect returned HTTP 502 "
            "(HTML body))" % SHOWN_PATH) in result["msg"], result["msg"]
    assert "Run this task again for a new one" in result["msg"]
    assert run.calls("token create answered 502", journal) == [LIST + (200,), ELIGIBILITY + (200,),
                                                               CREATE_TOKEN + (502,)]
    result = run.failure("link answered 504")
    assert ("Linking the connection token had no clear outcome (Cloudflare API GET %s returned HTTP 504 "
            "(empty body))" % SHOWN_LINK_PATH) in result["msg"], result["msg"]
    assert run.calls("link answered 504", journal) == [LIST + (200,), LINK(GATEWAY_TOKEN) + (504,), LIST + (200,)]

    assert run.status("token create answered 502, again") == "changed"
    assert run.calls("token create answered 502, again", journal) == [LIST + (200,), ELIGIBILITY + (200,),
                                                                      CREATE_TOKEN + (201,)]
    new_token = [token for token in tokens(sandbox) if token != GATEWAY_TOKEN]
    assert len(new_token) == 1  # the one made by the re-run: the 502 made none
    assert run.status("link the new token") == "changed"
    assert run.calls("link the new token", journal) == [LIST + (200,), LINK(new_token[0]) + (200,), LIST + (200,)]
    assert run.status("link answered 504, again") == "changed"
    # The 504'd link was not applied: checkout was still missing.
    assert run.result("link answered 504, again")["diff"] == {"before": {"services": ["payments"]},
                                                              "after": {"services": ["checkout", "payments"]}}
    assert run.calls("link answered 504, again", journal) == [LIST + (200,), LINK(GATEWAY_TOKEN) + (200,),
                                                              LIST + (200,)]
    for title in ("link the new token, again", "link answered 504, once more"):
        assert run.status(title) == "ok"
        assert run.calls(title, journal) == [LIST + (200,)]
    assert len(journal) == 17  # nothing else was sent
    assert destinations(sandbox) == [PAYMENTS, CHECKOUT]
    run_playbook.check_again(new_token)  # created under no_log: it must not show either


def test_lost_or_late_answers_resend_reads_and_deletes_but_never_a_link_or_token_request(run_playbook, sandbox,
                                                                                         cloudflare):
    seed_destinations(sandbox, [PAYMENTS, CHECKOUT])
    seed_tokens(sandbox, {
        PAYMENTS_TOKEN: {"authorized": [PAYMENTS], "used": False},
        CHECKOUT_TOKEN: {"authorized": [CHECKOUT], "used": False},
    })
    sandbox.add_faults([
        # The first list is answered after the task's timeout.
        dict(method="GET", path=exact(LIST[1]), delay_ms=2000, times=1),
        # The delete is dropped before it is applied.
        dict(method="DELETE", path=exact(DELETE_ALL[1]), drop="before", times=1),
        # Linked, then the connection drops: the answer is lost.
        dict(method="GET", path=exact(LINK(PAYMENTS_TOKEN)[1]), drop="after"),
        # The connection drops before the link is applied.
        dict(method="GET", path=exact(LINK(CHECKOUT_TOKEN)[1]), drop="before"),
        # A token is created, then the connection drops.
        dict(method="POST", path=exact(CONNECT_PATH), drop="after"),
    ])
    slow_list = dict(services=["payments", "checkout"], timeout=1, retries=1)
    remove = dict(state="absent", retries=1)
    payments_link = dict(services=["payments"], token_id="{{ payments_token }}")
    run = run_playbook([
        cloudflare.destination("list slower than timeout", **slow_list),
        cloudflare.destination("delete lost on the way", **remove),
        cloudflare.destination("delete lost on the way, again", **remove),
        cloudflare.destination("link whose answer is lost", **payments_link),
        cloudflare.destination("link lost on the way", ignore_errors=True, services=["payments", "checkout"],
                               token_id="{{ checkout_token }}"),
        cloudflare.destination("run it again", services=["payments", "checkout"], token_id="{{ checkout_token }}"),
        cloudflare.destination("token whose answer is lost", ignore_errors=True, services=["search"],
                               create_token=True),
        cloudflare.destination("link whose answer is lost, again", **payments_link),
        cloudflare.destination("list slower than timeout, again", **slow_list),
    ], verbosity=4, diff=True, extra_vars={"payments_token": PAYMENTS_TOKEN, "checkout_token": CHECKOUT_TOKEN},
        secrets=[PAYMENTS_TOKEN, CHECKOUT_TOKEN])

    journal = sandbox.journal("cloudflare")
    # A list is a read: read again after the timeout. Its first answer came after the task had moved on.
    assert run.status("list slower than timeout") == "ok"
    assert [call[:2] for call in run.calls("list slower than timeout", journal)] == [LIST, LIST]
    assert run.calls("list slower than timeout", journal)[1] == LIST + (200,)
    # The delete removes every destination: sending it again is safe.
    assert run.status("delete lost on the way") == "changed"
    assert run.calls("delete lost on the way", journal) == [LIST + (200,), DELETE_ALL + (None,), DELETE_ALL + (200,)]
    assert run.status("delete lost on the way, again") == "ok"
    assert run.result("delete lost on the way, again")["services"] == []

    # The list taken afterwards tells the link went through.
    assert run.status("link whose answer is lost") == "changed"
    assert run.result("link whose answer is lost")["services"] == [PAYMENTS]

    result = run.failure("link lost on the way")
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

    result = run.failure("token whose answer is lost")
    assert result["msg"].startswith("Creating a connection token had no clear outcome (Cloudflare API POST %s/connect "
                                    "failed: connection lost before an answer" % SHOWN_PATH), result["msg"]
    assert result["msg"].endswith("A token may have been created, but it is unknown and will never be linked, which "
                                  "is harmless. Run this task again for a new one.")
    assert "token_id" not in result
    assert result["missing"] == ["search"]
    for title in ("link whose answer is lost, again", "list slower than timeout, again"):
        assert run.status(title) == "ok"

    # Neither the link nor the token request was sent twice; the re-runs only listed.
    assert [(e["method"], e["path"], e["status"]) for e in journal[5:]] == [
        LIST + (200,),  # the delete's re-run
        LIST + (200,), LINK(PAYMENTS_TOKEN) + (None,), LIST + (200,),
        LIST + (200,), LINK(CHECKOUT_TOKEN) + (None,), LIST + (200,),
        LIST + (200,), LINK(CHECKOUT_TOKEN) + (200,), LIST + (200,),
        LIST + (200,), ELIGIBILITY + (200,), CREATE_TOKEN + (None,),
        LIST + (200,),  # the re-runs of the first link and of the slow list
        LIST + (200,),
    ]
    assert destinations(sandbox) == [PAYMENTS, CHECKOUT]
    state = tokens(sandbox)
    assert state.pop(PAYMENTS_TOKEN)["used"] is True and state.pop(CHECKOUT_TOKEN)["used"] is True
    assert [item["used"] for item in state.values()] == [False]  # the one made by the lost request
