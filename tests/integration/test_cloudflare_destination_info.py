# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloudflare_pagerduty_destination_info, and what "no PagerDuty service" looks like to both modules
whether Cloudflare says `result: []` or `result: null`."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from cloudflare_tasks import (
    ACCOUNT_ID,
    DASHBOARD_PATH,
    ELIGIBILITY,
    LIST,
    destinations,
    seed_destinations,
    tokens,
)

SEEDED = [
    {"id": "8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a", "name": "payments"},
    {"id": "5b0c9e1a-7d3f-4a2b-9c8e-1f6a0b3d5e7c", "name": "ops"},  # the 2024 spec's dashed UUIDs occur too
    {"id": "0e1d2c3b4a5968778695a4b3c2d1e0f9", "name": "ops"},  # names need not be unique
    {"id": "f1e2d3c4b5a697887796a5b4c3d2e1f0", "name": "checkout"},
]


def test_info_lists_every_connected_service_in_cloudflare_order(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, SEEDED)
    run = run_playbook([
        cloudflare.info("list with the API token"),
        cloudflare.info("list in check mode", check_mode=True),
        cloudflare.info("list with the global API key", connection="global_key"),
    ], diff=True)

    for task in ("list with the API token", "list in check mode", "list with the global API key"):
        assert run.status(task) == "ok", task
        result = run.result(task)
        assert result["changed"] is False
        assert result["services"] == SEEDED, task  # ids as Cloudflare gave them, order kept, duplicates kept
        assert (result["eligible"], result["ready"]) == (True, True), task
        assert "diff" not in result  # a read has nothing to show, even with --diff
        assert not result.get("warnings")
    # The list, then the eligibility: reads only, in check mode too.
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,)] * 3
    assert destinations(sandbox) == SEEDED


@pytest.mark.parametrize("empty_result", ["empty_list", "null"], ids=["result-empty-list", "result-null"])
def test_no_service_is_an_empty_list_whether_result_is_empty_or_null(run_playbook, sandbox, cloudflare, empty_result):
    sandbox.settings(cloudflare_empty_result=empty_result)
    run = run_playbook([
        cloudflare.info("list"),
        cloudflare.destination("nothing to remove", state="absent"),
        cloudflare.destination("PagerDuty must be connected", ignore_errors=True),
    ], diff=True)

    assert run.status("list") == "ok"
    assert run.result("list")["services"] == []
    assert run.status("nothing to remove") == "ok"
    assert run.result("nothing to remove")["services"] == []
    assert run.result("nothing to remove")["diff"] == {"before": {"services": []}, "after": {"services": []}}
    # null is "none", not an error about the answer's shape: the failure is about what is missing.
    result = run.failure("PagerDuty must be connected")
    assert result["msg"].startswith("PagerDuty is not connected to Cloudflare account %s. " % ACCOUNT_ID)
    assert DASHBOARD_PATH in result["msg"] and "create_token: true" in result["msg"]
    assert result["services"] == []
    assert result["changed"] is False
    assert "status" not in result and "api_errors" not in result
    # One list each (and the info module's eligibility read); nothing removed although state=absent ran, nothing
    # created.
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,)] + [LIST + (200,)] * 2
    assert destinations(sandbox) == [] and tokens(sandbox) == {}
