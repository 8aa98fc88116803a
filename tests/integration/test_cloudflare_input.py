# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input to the Cloudflare modules fails naming the option, before any request is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from cloudflare_tasks import ACCOUNT_ID, EMAIL, GLOBAL_KEY, PAYMENTS, seed_destinations

BAD_TOKEN_ID = "not-a-connection-token-e5d4c3b2"
GOOD_TOKEN_ID = "5f0c3b1e9a7d4c2b8e6f1a3d5c7b9e0f"

# task title -> (options over the connection (None leaves one out), what the message must say)
DESTINATION_CASES = {
    "API token and global key together": (
        dict(email=EMAIL, api_key=GLOBAL_KEY),
        ["api_token and api_key are both set", "use either api_token, or email with api_key, not both"]),
    "API token and email": (dict(email=EMAIL), ["api_token and email are both set", "CLOUDFLARE_EMAIL"]),
    "global key without email": (dict(api_token=None, api_key=GLOBAL_KEY),
                                 ["api_key is set but email is not", "CLOUDFLARE_EMAIL"]),
    "no credentials": (dict(api_token=None),
                       ["no credentials: set api_token", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY"]),
    "account_id too short": (dict(account_id=ACCOUNT_ID[:16]),
                             ["account_id must be the Cloudflare account ID, 32 hexadecimal characters",
                              "the value given has 16 characters"]),
    "account_id of 10,000 characters": (dict(account_id="a" * 10000), ["account_id must be", "10000 characters"]),
    "account_id is an email": (dict(account_id=EMAIL), ["account_id looks like an email address"]),
    "account_id with a line break": (dict(account_id=ACCOUNT_ID + "\n"),
                                     ["account_id has spaces or line breaks around it"]),
    "account_id empty": (dict(account_id=""), ["account_id must not be empty", "CLOUDFLARE_ACCOUNT_ID"]),
    "account_id missing": (dict(account_id=None), ["account_id"]),
    "account_id is a path": (dict(account_id="../../user/tokens"), ["account_id must be the Cloudflare account ID"]),
    "token_id not a token": (dict(token_id="{{ bad_token_id }}"),
                             ["token_id must be the connection token returned by create_token=true",
                              "the value given has %d characters" % len(BAD_TOKEN_ID)]),
    "token_id of 10,000 characters": (dict(token_id="f" * 10000), ["token_id must be", "10000 characters"]),
    "token_id and create_token": (dict(token_id="{{ good_token_id }}", create_token=True),
                                  ["token_id and create_token=true are mutually exclusive"]),
    "services with state=absent": (dict(state="absent", services=["payments"]),
                                   ["services cannot be used with state=absent",
                                    "Cloudflare can only remove every PagerDuty destination of the account at once"]),
    "a blank service": (dict(services=["payments", " "]), ["services[1] must not be empty or blank"]),
    "create_token not a boolean": (dict(create_token="maybe"), ["create_token", "bool"]),
}
INFO_CASES = {
    "info: account_id is an email": (dict(account_id="ops@example.com"), ["account_id looks like an email address"]),
    "info: account_id too short": (dict(account_id="nope"), ["account_id must be", "4 characters"]),
    "info: timeout 0": (dict(timeout=0), ["timeout must be"]),
}


def test_bad_input_fails_naming_the_option_and_sends_nothing(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    # The sandbox stays the endpoint: a request that slipped through would be journalled.
    tasks = [cloudflare.destination(title, ignore_errors=True, **options)
             for title, (options, dummy) in DESTINATION_CASES.items()]
    tasks += [cloudflare.info(title, ignore_errors=True, **options) for title, (options, dummy) in INFO_CASES.items()]
    run = run_playbook(tasks, diff=True, verbosity=4,
                       extra_vars={"bad_token_id": BAD_TOKEN_ID, "good_token_id": GOOD_TOKEN_ID},
                       secrets=[BAD_TOKEN_ID, GOOD_TOKEN_ID])

    for title, (dummy, expected) in list(DESTINATION_CASES.items()) + list(INFO_CASES.items()):
        result = run.failure(title)
        for text in expected:
            assert text in result["msg"], (title, text, result["msg"])
        assert result["changed"] is False
    assert "ops@example.com" not in run.result("info: account_id is an email")["msg"]  # a value is never echoed
    assert sandbox.journal() == []
