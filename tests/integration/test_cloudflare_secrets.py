# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No Cloudflare secret (API token, global API key, connection token) in the most verbose output
Ansible can produce."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from cloudflare_tasks import (  # pylint: disable=unused-import
    API_TOKEN,
    CREATE_TOKEN,
    GLOBAL_KEY,
    LINK,
    LIST,
    PAYMENTS,
    cloudflare,
    destinations,
    seed_tokens,
    tokens,
)

LINK_TOKEN = "d4c3b2a1f0e94d8c7b6a5f4e3d2c1b0a"
USED_TOKEN = "e1f2a3b4c5d64e7f8a9b0c1d2e3f4a5b"
WRONG_TOKEN = "cf-wrong-api-token-4d1e8a0c7b93f25e"
WRONG_GLOBAL_KEY = "cf-wrong-global-key-b7e3c91d05a2f648"


def test_vvvv_output_never_holds_a_secret(run_playbook, sandbox, cloudflare, secrets):
    seed_tokens(sandbox, {LINK_TOKEN: {"authorized": [PAYMENTS], "used": False},
                          USED_TOKEN: {"authorized": [PAYMENTS], "used": True}})
    run = run_playbook([
        cloudflare.info("list with the API token"),
        cloudflare.info("list with the global API key", connection="global_key"),
        cloudflare.destination("link with token_id", services=["payments"], token_id="{{ link_token }}"),
        cloudflare.destination("link a used token", ignore_errors=True, services=["checkout"],
                               token_id="{{ used_token }}"),
        cloudflare.info("wrong API token", ignore_errors=True, api_token=WRONG_TOKEN),
        cloudflare.destination("wrong global API key", ignore_errors=True, connection="global_key",
                               api_key=WRONG_GLOBAL_KEY, state="absent"),
        # The documented way to keep a created token out of the logs.
        cloudflare.destination("create a token under no_log", services=["checkout"], create_token=True,
                               no_log=True),
    ], verbosity=4, diff=True, extra_vars={"link_token": LINK_TOKEN, "used_token": USED_TOKEN},
        secrets=[LINK_TOKEN, USED_TOKEN])

    assert run.statuses() == [
        ("list with the API token", "ok"), ("list with the global API key", "ok"), ("link with token_id", "changed"),
        ("link a used token", "failed"), ("wrong API token", "failed"), ("wrong global API key", "failed"),
        ("create a token under no_log", "changed"),
    ]
    assert run.result("link a used token")["status"] == 404
    assert run.result("wrong API token")["status"] == 401
    assert run.result("wrong global API key")["status"] == 403
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (200,), LIST + (200,),
        LIST + (200,), LINK(LINK_TOKEN) + (200,), LIST + (200,),
        LIST + (200,), LINK(USED_TOKEN) + (404,), LIST + (200,),
        LIST + (401,), LIST + (403,),
        LIST + (200,), CREATE_TOKEN + (201,),
    ]
    assert destinations(sandbox) == [PAYMENTS]
    created = set(tokens(sandbox)) - {LINK_TOKEN, USED_TOKEN}
    assert len(created) == 1

    # The output is really the verbose one: module arguments and connection details are shown...
    assert "ESTABLISH LOCAL CONNECTION" in run.output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert "module_args" in run.output
    # ...and the harness checked every secret used; this spells the check out.
    used = {API_TOKEN, GLOBAL_KEY, WRONG_TOKEN, WRONG_GLOBAL_KEY, LINK_TOKEN, USED_TOKEN}
    assert used <= secrets.values
    for secret in used | created:
        assert secret not in run.output
        assert secret not in run.results_text
