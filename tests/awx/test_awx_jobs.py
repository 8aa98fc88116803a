# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every documented playbook and task runs as an AWX job (tests/awx/jobs.py) against the sandbox: a Check job
that writes nothing, a Run job, and a second Run that changes nothing. The results come from the job events,
and no secret value appears in any artifact AWX could store."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.awx.examples import examples
from ansible_collections.oncall.pagerduty.tests.awx.jobs import run_job
from ansible_collections.oncall.pagerduty.tests.sandbox import facts

KEYS = {"payments": "pdkey-awx-payments-5f0c3b1e9a7d", "checkout api": "pdkey-awx-checkout-api-8c3d9b1f",
        "checkout": "pdkey-awx-checkout-1b4e28ba2fa1"}
# The job's extra variables: what the examples read from Vault, a survey or the inventory.
EXTRA_VARS = {
    "vault_datadog_api_key": facts.DATADOG_API_KEY,
    "vault_datadog_app_key": facts.DATADOG_APP_KEY,
    "vault_cloudflare_api_token": facts.CLOUDFLARE_API_TOKEN,
    "cloudflare_account_id": facts.CLOUDFLARE_ACCOUNT_ID,
    "vault_pagerduty_service_keys": {"payments": KEYS["payments"], "checkout api": KEYS["checkout api"]},
    "pagerduty_service_keys": "{{ vault_pagerduty_service_keys }}",
    "vault_pd_payments": KEYS["payments"],
    "vault_pd_checkout": KEYS["checkout"],
    "vault_pd_payments_key": KEYS["payments"],
    "vault_pd_checkout_key": KEYS["checkout"],
    "datadog_pagerduty_services": [{"service_name": "payments", "service_key": "{{ vault_pd_payments_key }}"},
                                   {"service_name": "checkout", "service_key": "{{ vault_pd_checkout_key }}"}],
    "cloudflare_pagerduty_services": ["payments", "checkout"],
}
SECRETS = list(facts.SECRETS) + list(KEYS.values())
# Examples that cannot run against the sandbox, and why.
NOT_RUN = {
    'README.md: Page "payments" when an origin is unreachable':
        "calls Cloudflare's notification-policies API at api.cloudflare.com: no module of the collection, and the "
        "sandbox does not serve it",
    "docs/awx.md: Credential types of oncall.pagerduty": "needs an AWX server (the awx.awx collection's API)",
}
RUNNABLE = [e for e in examples() if e.kind != "data" and e.id not in NOT_RUN]


def credentials(sandbox):
    """The two credentials attached to every job template, as docs/awx.md sets them up."""
    return {
        "datadog": dict(api_key=facts.DATADOG_API_KEY, app_key=facts.DATADOG_APP_KEY, site="datadoghq.com",
                        api_url=sandbox.datadog_url),
        "cloudflare": dict(account_id=facts.CLOUDFLARE_ACCOUNT_ID, api_token=facts.CLOUDFLARE_API_TOKEN,
                           api_url=sandbox.cloudflare_url),
    }


def writes(sandbox):
    return [(m, p) for m, p in sandbox.calls() if m in ("POST", "PUT", "DELETE") or "/connect/" in p]


def assert_no_secret(job):
    texts = job.artifact_texts()
    found = [(secret[:10] + "...", where) for secret in SECRETS for where, text in texts.items() if secret in text]
    assert found == [], "secret values in the job's artifacts: %s" % found


def test_every_example_is_run_or_says_why_not():
    ids = [e.id for e in examples()]
    assert len(ids) == len(set(ids)), ids
    assert set(NOT_RUN) <= set(ids), set(NOT_RUN) - set(ids)
    assert len(RUNNABLE) >= 6


@pytest.mark.parametrize("example", RUNNABLE, ids=[e.id for e in RUNNABLE])
def test_the_example_runs_as_an_awx_job(example, sandbox, tmp_path):
    sandbox.seed({"datadog": {"services": {"legacy-billing": "pdkey-awx-legacy-0123456789"}},
                  "cloudflare": {"destinations": ["payments", "checkout api", "checkout"]}})
    playbook = example.playbook()
    creds = credentials(sandbox)

    check = run_job(str(tmp_path / "check"), playbook, "check", creds, EXTRA_VARS)
    assert (check.status, check.failures()) == ("successful", []), check.stdout[-3000:]
    assert check.results(), "the check job ran no task"
    assert writes(sandbox) == []
    assert_no_secret(check)

    sandbox.clear_journal()
    run = run_job(str(tmp_path / "run"), playbook, "run", creds, EXTRA_VARS)
    assert (run.status, run.failures()) == ("successful", []), run.stdout[-3000:]
    assert_no_secret(run)
    linked = dict((name, key) for name, key in sandbox.datadog_services().items() if name != "legacy-billing")
    assert set(linked.values()) <= set(KEYS.values())

    sandbox.clear_journal()
    again = run_job(str(tmp_path / "again"), playbook, "run", creds, EXTRA_VARS)
    assert (again.status, again.failures()) == ("successful", []), again.stdout[-3000:]
    # A second launch changes nothing, but a key that update_key: always sends every run.
    assert set(m for m, p in writes(sandbox)) <= {"PUT"}
    assert_no_secret(again)
