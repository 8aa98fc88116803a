# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret in the most verbose output Ansible can produce."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datadog_tasks import API_KEY, APP_KEY

PAYMENTS_KEY = "pdkey-payments-0123456789abcdef"
PAYMENTS_NEW_KEY = "pdkey-payments-rotated-fedcba9876543210"
WRONG_API_KEY = "wrong-dd-api-key-9e1f0c3b5a7d4e28"
WRONG_APP_KEY = "wrong-dd-app-key-41c7e2b9d05a6f13"


def test_vvvv_output_never_holds_a_secret(run_playbook, sandbox, datadog, secrets):
    run = run_playbook([
        datadog.service("link payments", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("rotate payments", service_name="payments", service_key=PAYMENTS_NEW_KEY, update_key="always"),
        datadog.service("refused", ignore_errors=True, service_name="payments", service_key=PAYMENTS_NEW_KEY,
                        update_key="always", api_key=WRONG_API_KEY, app_key=WRONG_APP_KEY),
    ], verbosity=4, diff=True)

    assert run.statuses() == [("link payments", "changed"), ("rotate payments", "changed"), ("refused", "failed")]
    assert run.result("refused")["status"] == 403
    assert sandbox.datadog_services() == {"payments": PAYMENTS_NEW_KEY}
    # The output is really the verbose one: module arguments and connection details are shown...
    assert "ESTABLISH LOCAL CONNECTION" in run.output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert "module_args" in run.output
    # ...and the harness checked every secret used; this spells the check out.
    used = {API_KEY, APP_KEY, PAYMENTS_KEY, PAYMENTS_NEW_KEY, WRONG_API_KEY, WRONG_APP_KEY}
    assert used <= secrets.values
    for secret in used:
        assert secret not in run.output
        assert secret not in run.results_text
