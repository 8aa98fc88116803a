# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""datadog_pagerduty_service from a playbook: create, re-run, check mode, diff, key rotation,
removal, and the ways of passing credentials."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from datadog_tasks import API_KEY, APP_KEY, BILLING_KEY, CHECKOUT_KEY, LEGACY_KEY, PAYMENTS_KEY, PAYMENTS_NEW_KEY
from datadog_tasks import DELETE, GET, POST, PUT


def test_create_then_rerun_is_ok_with_a_single_read(run_playbook, sandbox, datadog):
    tasks = [datadog.service("link payments", service_name="payments", service_key=PAYMENTS_KEY)]

    first = run_playbook(tasks)
    assert first.status("link payments") == "changed"
    result = first.result("link payments")
    assert result["service"] == {"service_name": "payments"}
    assert result["key_sent"] is True
    assert "diff" not in result  # only with --diff
    assert sandbox.calls("datadog") == [GET("payments"), POST]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}

    sandbox.clear_journal()
    second = run_playbook(tasks)
    assert second.status("link payments") == "ok"
    result = second.result("link payments")
    assert result["changed"] is False
    assert result["key_sent"] is False
    assert result["service"] == {"service_name": "payments"}
    assert sandbox.calls("datadog") == [GET("payments")]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}


def test_check_mode_predicts_and_sends_only_reads(run_playbook, sandbox, datadog):
    seeded = {"billing": BILLING_KEY, "legacy": LEGACY_KEY}
    sandbox.seed_datadog(seeded)
    run = run_playbook([
        datadog.service("would create payments", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("billing exists", service_name="billing", service_key=BILLING_KEY),
        datadog.service("would rotate billing", service_name="billing", service_key=PAYMENTS_NEW_KEY,
                        update_key="always"),
        datadog.service("would delete legacy", service_name="legacy", state="absent"),
        datadog.service("ghost stays absent", service_name="ghost", state="absent"),
    ], check=True, diff=True)

    assert run.statuses() == [
        ("would create payments", "changed"),
        ("billing exists", "ok"),
        ("would rotate billing", "changed"),
        ("would delete legacy", "changed"),
        ("ghost stays absent", "ok"),
    ]
    create = run.result("would create payments")
    assert create["key_sent"] is True
    assert create["service"] == {"service_name": "payments"}
    assert create["diff"] == {"before": {}, "after": {"service_name": "payments"}}
    unchanged = {"before": {"service_name": "billing"}, "after": {"service_name": "billing"}}
    assert run.result("billing exists")["diff"] == unchanged
    assert run.result("would rotate billing")["key_sent"] is True
    assert run.result("would delete legacy")["diff"] == {"before": {"service_name": "legacy"}, "after": {}}
    assert run.result("would delete legacy")["service"] == {}
    assert run.result("ghost stays absent")["diff"] == {"before": {}, "after": {}}

    # Reads only, and nothing changed: no object created, none deleted, no key replaced.
    assert sandbox.calls("datadog") == [GET("payments"), GET("billing"), GET("billing"), GET("legacy"), GET("ghost")]
    assert sandbox.datadog_services() == seeded


def test_diff_shows_the_name_and_never_the_key(run_playbook, sandbox, datadog):
    run = run_playbook([
        datadog.service("link payments", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("rotate payments", service_name="payments", service_key=PAYMENTS_NEW_KEY, update_key="always"),
    ], diff=True)

    assert run.result("link payments")["diff"] == {"before": {}, "after": {"service_name": "payments"}}
    assert run.result("rotate payments")["diff"] == {
        "before": {"service_name": "payments", "service_key": "(hidden)"},
        "after": {"service_name": "payments", "service_key": "(hidden, replaced)"},
    }
    # What the user reads: the diff printed by the default callback.
    assert '+    "service_name": "payments"' in run.stdout
    assert '+    "service_key": "(hidden, replaced)"' in run.stdout
    for key in (PAYMENTS_KEY, PAYMENTS_NEW_KEY):
        assert key not in run.output
    assert sandbox.datadog_services() == {"payments": PAYMENTS_NEW_KEY}


def test_update_key_always_puts_the_key_on_every_run(run_playbook, sandbox, datadog):
    sandbox.seed_datadog({"payments": PAYMENTS_KEY})
    rotate = dict(service_name="payments", service_key=PAYMENTS_NEW_KEY, update_key="always")
    run = run_playbook([
        datadog.service("rotate payments", **rotate),
        datadog.service("rotate payments again", **rotate),
        datadog.service("always on a missing object creates it", service_name="checkout",
                        service_key=CHECKOUT_KEY, update_key="always"),
    ])

    assert run.statuses() == [("rotate payments", "changed"), ("rotate payments again", "changed"),
                              ("always on a missing object creates it", "changed")]
    for task in ("rotate payments", "rotate payments again", "always on a missing object creates it"):
        assert run.result(task)["key_sent"] is True
    assert sandbox.calls("datadog") == [
        GET("payments"), PUT("payments"),
        GET("payments"), PUT("payments"),
        GET("checkout"), POST,
    ]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_NEW_KEY, "checkout": CHECKOUT_KEY}


@pytest.mark.parametrize("delete_status", [204, 200], ids=["delete-204", "delete-200-with-body"])
def test_absent_twice_deletes_once_then_is_ok(run_playbook, sandbox, datadog, delete_status):
    sandbox.settings(datadog_delete_status=delete_status)
    sandbox.seed_datadog({"legacy": LEGACY_KEY, "billing": BILLING_KEY})
    run = run_playbook([
        datadog.service("remove legacy", service_name="legacy", state="absent"),
        datadog.service("remove legacy again", service_name="legacy", state="absent"),
    ])

    assert run.statuses() == [("remove legacy", "changed"), ("remove legacy again", "ok")]
    assert run.result("remove legacy")["service"] == {}
    assert run.result("remove legacy again")["changed"] is False
    assert sandbox.calls("datadog") == [GET("legacy"), DELETE("legacy"), GET("legacy")]
    assert sandbox.calls_with_status("datadog")[1][2] == delete_status
    assert sandbox.datadog_services() == {"billing": BILLING_KEY}


def test_credentials_and_endpoint_from_the_environment(run_playbook, sandbox, datadog):
    run = run_playbook([
        datadog.service("link payments", connection=False, service_name="payments", service_key=PAYMENTS_KEY),
        datadog.info("read payments", connection=False, service_names=["payments"]),
    ], env={"DD_API_KEY": API_KEY, "DD_APP_KEY": APP_KEY, "DD_HOST": sandbox.datadog_url + "/",
            "DD_SITE": "datadoghq.eu"})  # DD_HOST, a full base URL, wins over DD_SITE

    assert run.status("link payments") == "changed"
    assert run.result("read payments")["services"] == [{"service_name": "payments"}]
    assert sandbox.calls("datadog") == [GET("payments"), POST, GET("payments")]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}


def test_module_defaults_of_the_datadog_action_group(run_playbook, sandbox, datadog):
    run = run_playbook({
        "name": "credentials set once for the group",
        "module_defaults": {"group/oncall.pagerduty.datadog": datadog.connection()},
        "tasks": [
            datadog.service("link payments", connection=False, service_name="payments", service_key=PAYMENTS_KEY),
            datadog.info("read payments", connection=False, service_names=["payments", "checkout"]),
        ],
    })

    assert run.status("link payments") == "changed"
    assert run.result("read payments")["services"] == [{"service_name": "payments"}]
    assert run.result("read payments")["missing"] == ["checkout"]
    calls = sandbox.calls("datadog")
    assert calls[:2] == [GET("payments"), POST]
    assert sorted(calls[2:]) == sorted([GET("payments"), GET("checkout")])  # the info module reads in parallel
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY}
