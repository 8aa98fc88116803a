# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""run_module: what every module runs around its read-compare-act, shown through the four modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination_info
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service_info
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    cloudflare_options,
    datadog_options,
    journal_calls,
    run_main,
)


def task(sandbox, module, **options):
    if module is cloudflare_pagerduty_destination_info:
        return cloudflare_options(sandbox.cloudflare_url, **options)
    return datadog_options(sandbox.url, **options)


MODULES = [
    (datadog_pagerduty_service, dict(service_name="a", service_key="pdkey-unit-0123456789abcdef")),
    (datadog_pagerduty_service_info, dict(service_names=["a"])),
    (cloudflare_pagerduty_destination_info, dict()),
]


@pytest.mark.parametrize("module, options", MODULES)
def test_missing_requests_library_is_reported_before_anything_is_sent(sandbox, state, monkeypatch, capsys, module, options):
    monkeypatch.setattr("ansible_collections.oncall.pagerduty.plugins.module_utils._module.HAS_REQUESTS", False)
    code, result = run_main(module, task(sandbox, module, **options), capsys)
    assert code == 1 and "Failed to import the required Python library (requests)" in result["msg"]
    assert journal_calls(state) == []


@pytest.mark.parametrize("module, options", MODULES)
def test_every_input_problem_is_reported_at_once_and_nothing_is_sent(sandbox, state, capsys, module, options):
    code, result = run_main(module, task(sandbox, module, timeout=0, retries=99, **options), capsys)
    assert code == 1
    assert [p.split(" ")[0] for p in result["invalid_options"]] == ["timeout", "retries"]
    assert journal_calls(state) == []


def test_an_api_error_fails_cleanly_with_its_fields(sandbox, state, capsys):
    state.add_faults({"method": "GET", "status": 403, "body": {"errors": ["Forbidden"]}, "times": None})
    options = task(sandbox, datadog_pagerduty_service_info, service_names=["a"])
    code, result = run_main(datadog_pagerduty_service_info, options, capsys)
    assert code == 1
    assert result["msg"].startswith("Datadog API GET /api/v1/integration/pagerduty/configuration/services/a "
                                    "returned HTTP 403: Forbidden. ")
    assert (result["status"], result["api_errors"]) == (403, ["Forbidden"])
    assert result["request"] == {"method": "GET", "path": "/api/v1/integration/pagerduty/configuration/services/a"}


@pytest.mark.parametrize("diff_mode", [False, True])
def test_the_diff_is_returned_only_in_diff_mode(sandbox, state, capsys, diff_mode):
    options = task(sandbox, datadog_pagerduty_service, service_name="a", service_key="pdkey-unit-0123456789abcdef",
                   _ansible_diff=diff_mode)
    code, result = run_main(datadog_pagerduty_service, options, capsys)
    assert (code, result["changed"]) == (0, True)
    assert ("diff" in result) is diff_mode
