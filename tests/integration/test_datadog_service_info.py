# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""datadog_pagerduty_service_info: which of the named service objects exist."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datadog_tasks import GET


def test_info_returns_services_and_missing_in_the_order_asked(run_playbook, sandbox, datadog):
    seeded = {"payments": "pdkey-payments-0123456789abcdef", "billing": "pdkey-billing-2b7e151628aed2a6"}
    sandbox.seed_datadog(seeded)
    names = ["checkout", "payments", "billing", "search"]
    run = run_playbook([
        datadog.info("which are linked", service_names=names),
        dict(datadog.info("which are linked, in check mode", service_names=names), check_mode=True),
    ])

    for task in ("which are linked", "which are linked, in check mode"):
        assert run.status(task) == "ok"
        result = run.result(task)
        assert result["changed"] is False
        assert result["services"] == [{"service_name": "payments"}, {"service_name": "billing"}]
        assert result["missing"] == ["checkout", "search"]
    # One read per name and task (in parallel: the order of arrival is free), nothing else.
    calls = sandbox.calls("datadog")
    assert sorted(calls[:4]) == sorted(calls[4:]) == sorted(GET(name) for name in names)
    assert sandbox.datadog_services() == seeded


def test_parallel_reads_under_a_rate_limit_are_paced_and_none_is_refused(run_playbook, sandbox, datadog):
    sandbox.ratelimit("datadog", limit=2, period=1)
    names = ["svc-%d" % index for index in range(6)]
    run = run_playbook([datadog.info("read six", service_names=names, concurrency=6)])

    assert run.result("read six")["missing"] == names
    journal = sandbox.journal("datadog")
    # The client keeps inside the budget the answers report (X-RateLimit-Remaining and -Reset): no 429, each
    # name read once, and the six reads spread over three windows of the simulated 2 per second.
    assert [entry["status"] for entry in journal] == [404] * 6
    assert sorted(entry["path"].rsplit("/", 1)[1] for entry in journal) == names
    assert journal[-1]["time"] - journal[0]["time"] >= 1.9
