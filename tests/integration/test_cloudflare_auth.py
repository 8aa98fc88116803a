# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare modules' account, credentials and endpoint: both auth schemes, the environment
variables Cloudflare's own tools read, module_defaults, and credentials Cloudflare refuses (bad
options are in test_cloudflare_input.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from cloudflare_tasks import (
    ACCOUNT_ID,
    API_TOKEN,
    EMAIL,
    ELIGIBILITY,
    GLOBAL_KEY,
    LIST,
    PAYMENTS,
    SHOWN_PATH,
    WRONG_GLOBAL_KEY,
    WRONG_TOKEN,
    destinations,
    list_path,
    seed_destinations,
)

QUOTED_TOKEN = '"cf-quoted-api-token-6a2f9d1c0e8b7354"'  # pasted with its JSON quotes
MALFORMED_GLOBAL_KEY = "cf global key with spaces 2c8e41f7"
OTHER_ACCOUNT = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"

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
    result = run.failure("a wrong value in the task is not rescued by the environment")
    assert result["status"] == (403 if scheme == "api-token" else 401)
    assert "eligible" not in result  # a failure reports no eligibility
    assert run.result("list")["eligible"] is True
    # The info module reads the eligibility after its list; not after a refusal of the credentials (code 10000).
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,)] + [LIST + (200,)] * 2 + [
        LIST + (result["status"],)]


def group_play(name, connection, tasks):
    """A play that sets the connection options once, for the modules of the cloudflare action group."""
    return {"name": name, "hosts": "localhost", "module_defaults": {"group/oncall.pagerduty.cloudflare": connection},
            "tasks": tasks}


def test_module_defaults_of_the_cloudflare_action_group(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    run = run_playbook([
        group_play("API token set once for the group", cloudflare.connection(), [
            cloudflare.info("list with the token", connection=False),
            cloudflare.destination("payments with the token", connection=False, services=["payments"]),
            cloudflare.destination("would remove with the token", connection=False, state="absent", check_mode=True),
        ]),
        group_play("email and global API key set once for the group", cloudflare.global_key_connection(), [
            cloudflare.info("list with the global key", connection=False),
            cloudflare.destination("payments with the global key", connection=False, services=["payments"]),
        ]),
    ])

    assert run.statuses() == [
        ("list with the token", "ok"), ("payments with the token", "ok"), ("would remove with the token", "changed"),
        ("list with the global key", "ok"), ("payments with the global key", "ok"),
    ]
    for task in ("list with the token", "payments with the token", "list with the global key",
                 "payments with the global key"):
        assert run.result(task)["services"] == [PAYMENTS], task
    assert run.result("list with the token")["eligible"] is True
    assert run.result("list with the global key")["eligible"] is True
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,)] + [LIST + (200,)] * 3 + [
        ELIGIBILITY + (200,), LIST + (200,)]
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
        result = run.failure(task)
        assert result["msg"] == (
            "Cloudflare API GET %s returned HTTP 401: 10000: Authentication error. Cloudflare did not accept the "
            "credentials: check api_token" % SHOWN_PATH)
        assert result["status"] == 401
        assert result["api_errors"] == ["10000: Authentication error"]
        assert result["request"] == {"method": "GET", "path": SHOWN_PATH}

    result = run.failure("API token in quotes")
    assert result["msg"].startswith(
        "Cloudflare API GET %s returned HTTP 400: 6003: Invalid request headers (6111: Invalid format for "
        "Authorization header)" % SHOWN_PATH)
    assert result["status"] == 400
    assert result["api_errors"] == ["6003: Invalid request headers (6111: Invalid format for Authorization header)"]

    result = run.failure("wrong global API key")
    assert result["msg"].startswith("Cloudflare API GET %s returned HTTP 403: 10000: Authentication error. "
                                    % SHOWN_PATH)
    assert result["status"] == 403
    assert result["api_errors"] == ["10000: Authentication error"]

    result = run.failure("malformed global API key")
    assert result["msg"].startswith(
        "Cloudflare API GET %s returned HTTP 400: 6003: Invalid request headers (6103: Invalid format for "
        "X-Auth-Key header)" % SHOWN_PATH)
    assert result["api_errors"] == ["6003: Invalid request headers (6103: Invalid format for X-Auth-Key header)"]

    result = run.failure("another account")
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
    # One refused list each: not retried, and no DELETE after the refused list of state=absent. No eligibility read:
    # it needs the same credentials and permissions, and Cloudflare refused those (code 10000) or could not read them.
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (401,), LIST + (401,), LIST + (400,), LIST + (403,), LIST + (400,),
        ("GET", list_path(OTHER_ACCOUNT), 403),
    ]
    assert destinations(sandbox) == [PAYMENTS]
