# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The slice of the integration tests that make matrix (noxfile.py) runs on every ansible-core line and with a
target Python 3.9 that has only requests (ONCALL_TARGET_PYTHON): for both vendors, check mode with 0 writes,
create, an idempotent re-run, delete and a clean failure, module and batch forms, every run at -vvvv with the
harness's secret audit. The full suite runs it on the main line too."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from integration_harness import target_python

from cloudflare_tasks import CHECKOUT, LINK, LIST, PAYMENTS, destinations, seed_destinations, writes
from datadog_tasks import CHECKOUT_KEY, PAYMENTS_KEY, WRONG_API_KEY
from datadog_tasks import DELETE, GET, POST

VERBOSE = dict(verbosity=4, diff=True)
BATCH = [dict(service_name="checkout", service_key=CHECKOUT_KEY), dict(service_name="search", state="absent")]


def test_datadog_slice(run_playbook, sandbox, datadog):
    tasks = [
        datadog.service("module form", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("batch form", services=BATCH),
        datadog.service("refused key fails cleanly", ignore_errors=True, retries=0, api_key=WRONG_API_KEY,
                        service_name="payments", service_key=PAYMENTS_KEY),
    ]
    preview = run_playbook(tasks, check=True, **VERBOSE)
    assert [s for t, s in preview.statuses()] == ["changed", "changed", "failed"]
    assert [c for c in sandbox.calls("datadog") if c[0] != "GET"] == []

    sandbox.clear_journal()
    apply = run_playbook(tasks, **VERBOSE)
    assert [s for t, s in apply.statuses()] == ["changed", "changed", "failed"]
    assert "Datadog API GET" in apply.failure("refused key fails cleanly")["msg"]
    assert sorted(c for c in sandbox.calls("datadog") if c[0] != "GET") == [POST, POST]
    assert sandbox.datadog_services() == {"payments": PAYMENTS_KEY, "checkout": CHECKOUT_KEY}

    sandbox.clear_journal()
    again = run_playbook(tasks[:2] + [{"name": "interpreter", "ansible.builtin.setup": {"gather_subset": ["!all"]}}],
                         **VERBOSE)
    assert [s for t, s in again.statuses()] == ["ok", "ok", "ok"]
    # The modules ran on the target Python (ONCALL_TARGET_PYTHON in the support matrix), not only the controller's.
    assert again.result("interpreter")["ansible_facts"]["ansible_python"]["executable"] == target_python()
    assert sorted(sandbox.calls("datadog")) == sorted([GET("payments"), GET("checkout"), GET("search")])

    sandbox.clear_journal()
    remove = run_playbook([
        datadog.service("module form", service_name="payments", state="absent"),
        datadog.service("batch form", services=[dict(service_name="checkout", state="absent")]),
    ], **VERBOSE)
    assert [s for t, s in remove.statuses()] == ["changed", "changed"]
    assert [c for c in sandbox.calls("datadog") if c[0] != "GET"] == [DELETE("payments"), DELETE("checkout")]
    assert sandbox.datadog_services() == {}


def test_cloudflare_slice(run_playbook, sandbox, cloudflare, secrets):
    seed_destinations(sandbox, [PAYMENTS])
    wanted = ["payments", "checkout"]
    preview = run_playbook([
        cloudflare.destination("missing fails cleanly", ignore_errors=True, services=wanted),
        cloudflare.destination("token", services=wanted, create_token=True),
        cloudflare.info("info"),
    ], check=True, **VERBOSE)
    assert preview.statuses() == [("missing fails cleanly", "failed"), ("token", "changed"), ("info", "ok")]
    assert '"checkout"' in preview.failure("missing fails cleanly")["msg"]
    assert writes(sandbox.calls("cloudflare")) == []

    create = run_playbook([cloudflare.destination("token", services=wanted, create_token=True, no_log=True,
                                                  register="made")], **VERBOSE)
    token = create.result("token").get("token_id")
    assert create.status("token") == "changed"
    if token is None:  # no_log hides the result from the recorder: read the token from the sandbox instead
        token = next(iter(sandbox.state()["cloudflare"]["tokens"]))
    secrets.add(token, "the connection token")
    run_playbook.check_again()
    sandbox.cloudflare_authorize(token, [PAYMENTS, CHECKOUT])

    sandbox.clear_journal()
    link = run_playbook([cloudflare.destination("link", services=wanted, token_id="{{ token }}")],
                        extra_vars={"token": token}, **VERBOSE)
    assert link.status("link") == "changed"
    assert sandbox.calls("cloudflare") == [LIST, LINK(token), LIST]

    sandbox.clear_journal()
    again = run_playbook([cloudflare.destination("check", services=wanted)], **VERBOSE)
    assert again.status("check") == "ok" and sandbox.calls("cloudflare") == [LIST]

    remove = run_playbook([cloudflare.destination("remove", state="absent")], **VERBOSE)
    assert remove.status("remove") == "changed" and destinations(sandbox) == []
