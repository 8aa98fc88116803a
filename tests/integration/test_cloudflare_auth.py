# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare modules' account, credentials and endpoint: both auth schemes, the environment
variables Cloudflare's own tools read, module_defaults, credentials Cloudflare refuses, and options
refused before any request is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from cloudflare_tasks import (  # pylint: disable=unused-import
    ACCOUNT_ID,
    API_TOKEN,
    EMAIL,
    GLOBAL_KEY,
    LIST,
    PAYMENTS,
    SHOWN_PATH,
    assert_clean_failure,
    cloudflare,
    destinations,
    list_path,
    seed_destinations,
)

WRONG_TOKEN = "cf-wrong-api-token-4d1e8a0c7b93f25e"
QUOTED_TOKEN = '"cf-quoted-api-token-6a2f9d1c0e8b7354"'  # pasted with its JSON quotes
WRONG_GLOBAL_KEY = "cf-wrong-global-key-b7e3c91d05a2f648"
MALFORMED_GLOBAL_KEY = "cf global key with spaces 2c8e41f7"
OTHER_ACCOUNT = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
BAD_TOKEN_ID = "not-a-connection-token-e5d4c3b2"

ENVIRONMENTS = {
    "api-token": {"CLOUDFLARE_API_TOKEN": API_TOKEN},
    "email-and-global-key": {"CLOUDFLARE_EMAIL": EMAIL, "CLOUDFLARE_API_KEY": GLOBAL_KEY},
}


@pytest.mark.parametrize("scheme", sorted(ENVIRONMENTS))
def test_account_credentials_and_endpoint_from_the_environment(run_playbook, sandbox, cloudflare, scheme):
    seed_destinations(sandbox, [PAYMENTS])
    env = dict(ENVIRONMENTS[scheme], CLOUDFLARE_ACCOUNT_ID=ACCOUNT_ID, CLOUDFLARE_BASE_URL=sandbox.cloudflare_url)
    # The other scheme given in the task, on top of the environment: the task wins, the environment's is not sent.
    other = (dict(email=EMAIL, api_key=GLOBAL_KEY) if scheme == "api-token" else dict(api_token=API_TOKEN))
    wrong = (dict(email=EMAIL, api_key=WRONG_GLOBAL_KEY) if scheme == "api-token" else dict(api_token=WRONG_TOKEN))
    run = run_playbook([
        cloudflare.info("list", connection=False),
        cloudflare.destination("payments is connected", connection=False, services=["payments"]),
        cloudflare.destination("the other scheme in the task wins", connection=False, services=["payments"], **other),
        cloudflare.info("a wrong value in the task is not rescued by the environment", connection=False,
                        ignore_errors=True, **wrong),
    ], env=env)

    assert run.status("list") == "ok"
    assert run.result("list")["services"] == [PAYMENTS]
    assert run.status("payments is connected") == "ok"
    assert run.result("payments is connected")["services"] == [PAYMENTS]
    assert run.status("the other scheme in the task wins") == "ok"
    result = assert_clean_failure(run, "a wrong value in the task is not rescued by the environment")
    assert result["status"] == (403 if scheme == "api-token" else 401)
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,)] * 3 + [LIST + (result["status"],)]


def test_module_defaults_of_the_cloudflare_action_group(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    run = run_playbook([
        {
            "name": "API token set once for the group",
            "hosts": "localhost",
            "module_defaults": {"group/oncall.pagerduty.cloudflare": cloudflare.connection()},
            "tasks": [
                cloudflare.info("list with the token", connection=False),
                cloudflare.destination("payments with the token", connection=False, services=["payments"]),
                cloudflare.destination("would remove with the token", connection=False, state="absent",
                                       check_mode=True),
            ],
        },
        {
            "name": "email and global API key set once for the group",
            "hosts": "localhost",
            "module_defaults": {"group/oncall.pagerduty.cloudflare": cloudflare.global_key_connection()},
            "tasks": [
                cloudflare.info("list with the global key", connection=False),
                cloudflare.destination("payments with the global key", connection=False, services=["payments"]),
            ],
        },
    ])

    assert run.statuses() == [
        ("list with the token", "ok"), ("payments with the token", "ok"), ("would remove with the token", "changed"),
        ("list with the global key", "ok"), ("payments with the global key", "ok"),
    ]
    for task in ("list with the token", "payments with the token", "list with the global key",
                 "payments with the global key"):
        assert run.result(task)["services"] == [PAYMENTS], task
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,)] * 5
    assert destinations(sandbox) == [PAYMENTS]


def test_credentials_cloudflare_refuses_fail_naming_the_status_and_code(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    run = run_playbook([
        cloudflare.info("wrong API token", ignore_errors=True, api_token=WRONG_TOKEN),
        cloudflare.destination("wrong API token, removing", ignore_errors=True, state="absent", api_token=WRONG_TOKEN),
        cloudflare.destination("API token in quotes", ignore_errors=True, api_token=QUOTED_TOKEN),
        cloudflare.info("wrong global API key", ignore_errors=True, connection="global_key", api_key=WRONG_GLOBAL_KEY),
        cloudflare.destination("malformed global API key", ignore_errors=True, connection="global_key",
                               api_key=MALFORMED_GLOBAL_KEY),
        cloudflare.destination("another account", ignore_errors=True, account_id=OTHER_ACCOUNT),
    ])

    for task in ("wrong API token", "wrong API token, removing"):
        result = assert_clean_failure(run, task)
        assert result["msg"] == (
            "Cloudflare API GET %s returned HTTP 401: 10000: Authentication error. Cloudflare did not accept the "
            "credentials: check api_token" % SHOWN_PATH)
        assert result["status"] == 401
        assert result["api_errors"] == ["10000: Authentication error"]
        assert result["request"] == {"method": "GET", "path": SHOWN_PATH}

    result = assert_clean_failure(run, "API token in quotes")
    assert result["msg"].startswith(
        "Cloudflare API GET %s returned HTTP 400: 6003: Invalid request headers (6111: Invalid format for "
        "Authorization header)" % SHOWN_PATH)
    assert result["status"] == 400
    assert result["api_errors"] == ["6003: Invalid request headers (6111: Invalid format for Authorization header)"]

    result = assert_clean_failure(run, "wrong global API key")
    assert result["msg"].startswith("Cloudflare API GET %s returned HTTP 403: 10000: Authentication error. "
                                    % SHOWN_PATH)
    assert result["status"] == 403
    assert result["api_errors"] == ["10000: Authentication error"]

    result = assert_clean_failure(run, "malformed global API key")
    assert result["msg"].startswith(
        "Cloudflare API GET %s returned HTTP 400: 6003: Invalid request headers (6103: Invalid format for "
        "X-Auth-Key header)" % SHOWN_PATH)
    assert result["api_errors"] == ["6003: Invalid request headers (6103: Invalid format for X-Auth-Key header)"]

    result = assert_clean_failure(run, "another account")
    other_path = SHOWN_PATH.replace(ACCOUNT_ID, OTHER_ACCOUNT)
    assert result["msg"].startswith("Cloudflare API GET %s returned HTTP 403: 10000: Authentication error. "
                                    % other_path)
    assert "check that account_id %s is an account they can reach" % OTHER_ACCOUNT in result["msg"]
    assert result["status"] == 403
    assert result["request"] == {"method": "GET", "path": other_path}

    for task in ("wrong API token", "wrong API token, removing", "API token in quotes", "wrong global API key",
                 "malformed global API key", "another account"):
        assert run.result(task)["changed"] is False
        assert "services" not in run.result(task), task
    # One refused list each: not retried, and no DELETE after the refused list of state=absent.
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (401,), LIST + (401,), LIST + (400,), LIST + (403,), LIST + (400,),
        ("GET", list_path(OTHER_ACCOUNT), 403),
    ]
    assert destinations(sandbox) == [PAYMENTS]


# task title -> (module options, the texts the message must hold)
INVALID = {
    "API token and global key together": (
        dict(email=EMAIL, api_key=GLOBAL_KEY),
        ["api_token and api_key are both set", "use either api_token, or email with api_key, not both"]),
    "API token and email": (dict(email=EMAIL), ["api_token and email are both set", "CLOUDFLARE_EMAIL"]),
    "global key without email": (dict(api_token=None, api_key=GLOBAL_KEY),
                                 ["api_key is set but email is not", "CLOUDFLARE_EMAIL"]),
    "no credentials": (dict(api_token=None), ["no credentials", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY"]),
    "account_id too short": (dict(account_id=ACCOUNT_ID[:16]),
                             ["account_id must be the Cloudflare account ID, 32 hexadecimal characters",
                              "the value given has 16 characters"]),
    "account_id is an email": (dict(account_id=EMAIL), ["account_id looks like an email address"]),
    "account_id with a line break": (dict(account_id=ACCOUNT_ID + "\n"),
                                     ["account_id has spaces or line breaks around it"]),
    "account_id empty": (dict(account_id=""), ["account_id must not be empty", "CLOUDFLARE_ACCOUNT_ID"]),
    "account_id missing": (dict(account_id=None), ["account_id"]),
    "token_id not a token": (dict(token_id="{{ bad_token_id }}"),
                             ["token_id must be the connection token returned by create_token=true",
                              "the value given has %d characters" % len(BAD_TOKEN_ID)]),
    "token_id and create_token": (dict(token_id="{{ good_token_id }}", create_token=True),
                                  ["token_id and create_token=true are mutually exclusive"]),
    "services with state=absent": (dict(state="absent", services=["payments"]),
                                   ["services cannot be used with state=absent",
                                    "Cloudflare can only remove every PagerDuty destination of the account at once"]),
    "blank service": (dict(services=["payments", " "]), ["services[1] must not be empty or blank"]),
}
GOOD_TOKEN_ID = "5f0c3b1e9a7d4c2b8e6f1a3d5c7b9e0f"


def test_invalid_options_are_refused_before_any_request(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    tasks = [cloudflare.destination(title, ignore_errors=True, **overrides)
             for title, (overrides, dummy) in INVALID.items()]
    tasks.append(cloudflare.info("info with a bad account_id", ignore_errors=True, account_id="ops@example.com"))
    # The sandbox stays the endpoint: a request that slipped through would be journalled.
    run = run_playbook(tasks, extra_vars={"bad_token_id": BAD_TOKEN_ID, "good_token_id": GOOD_TOKEN_ID},
                       secrets=[BAD_TOKEN_ID, GOOD_TOKEN_ID])

    for title, (dummy, expected) in INVALID.items():
        result = assert_clean_failure(run, title)
        for text in expected:
            assert text in result["msg"], (title, text, result["msg"])
        assert result["changed"] is False
    assert "ops@example.com" not in run.result("info with a bad account_id")["msg"]  # a value is never echoed
    assert "account_id looks like an email address" in run.result("info with a bad account_id")["msg"]
    assert sandbox.journal() == []
