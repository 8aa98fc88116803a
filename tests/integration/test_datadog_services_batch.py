# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""datadog_pagerduty_service with `services`: many objects in one task, reads in parallel,
writes one at a time, every entry attempted."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datadog_tasks import BILLING_KEY, CHECKOUT_KEY, CHECKOUT_NEW_KEY, PAYMENTS_KEY
from datadog_tasks import DELETE, GET, POST, PUT, path_regex, service_path

ALPHA_KEY = "pdkey-alpha-30c81c46a35ce411"
BETA_KEY = "pdkey-beta-e5a30a1c7d9b4f02"


def test_services_reads_in_parallel_writes_in_order_and_reports_each(run_playbook, sandbox, datadog):
    sandbox.seed_datadog({"billing": BILLING_KEY, "checkout": CHECKOUT_KEY})
    sandbox.add_fault(method="GET", path=path_regex("beta"), status=500,
                      body={"errors": ["Internal Server Error"]}, times=None)
    four = [
        dict(service_name="payments", service_key=PAYMENTS_KEY),
        dict(service_name="billing", state="absent"),
        dict(service_name="checkout", service_key=CHECKOUT_NEW_KEY, update_key="always"),
        dict(service_name="search", state="absent"),
    ]
    run = run_playbook([
        dict(datadog.service("predict four", services=four), check_mode=True, diff=True),
        datadog.service("converge four", services=four),
        datadog.service("one of two fails", ignore_errors=True, retries=0, services=[
            dict(service_name="alpha", service_key=ALPHA_KEY),
            dict(service_name="beta", service_key=BETA_KEY),
        ]),
    ])

    expected = [
        ("payments", "present", True, True),
        ("billing", "absent", True, False),
        ("checkout", "present", True, True),
        ("search", "absent", False, False),
    ]
    for task in ("predict four", "converge four"):
        assert run.status(task) == "changed"
        results = run.result(task)["results"]
        assert [(r["service_name"], r["state"], r["changed"], r["key_sent"]) for r in results] == expected
    assert run.result("predict four")["diff"] == {  # what does not change is left out
        "before": {"payments": {}, "billing": {"service_name": "billing"},
                   "checkout": {"service_name": "checkout", "service_key": "(hidden)"}},
        "after": {"payments": {"service_name": "payments"}, "billing": {},
                  "checkout": {"service_name": "checkout", "service_key": "(hidden, replaced)"}},
    }
    assert run.status("one of two fails") == "failed"
    failed = run.result("one of two fails")
    assert "1 of 2 service objects failed" in failed["msg"]
    assert "beta: Datadog API GET %s returned HTTP 500" % service_path("beta") in failed["msg"]
    alpha, beta = failed["results"]
    assert (alpha["service_name"], alpha["changed"], alpha.get("failed", False)) == ("alpha", True, False)
    assert (beta["service_name"], beta["failed"], beta["status"]) == ("beta", True, 500)

    calls = sandbox.calls("datadog")
    reads = sorted([GET("payments"), GET("billing"), GET("checkout"), GET("search")])
    assert sorted(calls[:4]) == reads  # check mode: reads only
    assert sorted(calls[4:8]) == reads
    assert calls[8:11] == [POST, DELETE("billing"), PUT("checkout")]
    assert sorted(calls[11:13]) == sorted([GET("alpha"), GET("beta")])
    assert calls[13:] == [POST]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "checkout": CHECKOUT_NEW_KEY, "alpha": ALPHA_KEY}
