# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's integration-level read (Datadog's listing) and Cloudflare's eligibility endpoint."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.server import ControlError

DD = {"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}
CF = {"Authorization": "Bearer " + facts.CLOUDFLARE_API_TOKEN}


def test_datadog_integration_read_lists_every_object_with_keys_masked(sandbox, state):
    state.seed({"datadog": {"services": {"web": "k" * 32, "a b": "k" * 32}}})
    response = requests.get(sandbox.url + facts.DATADOG_INTEGRATION_PATH, headers=DD, timeout=10)
    assert response.status_code == 200 and response.headers["X-RateLimit-Limit"] == "12000"
    body = response.json()
    assert body["services"] == [{"service_name": "web", "service_key": "*****"},
                                {"service_name": "a b", "service_key": "*****"}]
    assert body["api_token"] == "*****" and "k" * 32 not in response.text
    state.update_settings({"datadog_integration_enabled": False})
    response = requests.get(sandbox.url + facts.DATADOG_INTEGRATION_PATH, headers=DD, timeout=10)
    assert (response.status_code, response.json()) == (404, {"errors": ["Pagerduty Integration not found"]})


def test_a_write_to_the_integration_object_changes_nothing_and_is_journaled(sandbox, state):
    state.seed({"datadog": {"services": {"web": "k" * 32}}})
    response = requests.put(sandbox.url + facts.DATADOG_INTEGRATION_PATH, headers=DD, json={}, timeout=10)
    assert response.status_code == 200
    assert list(state.snapshot()["datadog"]["services"]) == ["web"]
    assert [(e["method"], e["path"]) for e in state.journal_view()] == [("PUT", facts.DATADOG_INTEGRATION_PATH)]


def test_cloudflare_eligibility_in_both_states(sandbox, state):
    eligible = sandbox.cloudflare_url + facts.cloudflare_eligible_path()
    result = requests.get(eligible, headers=CF, timeout=10).json()["result"]
    assert result["pagerduty"] == [{"eligible": True, "ready": True, "type": "pagerduty"}]
    assert sorted(result) == ["email", "pagerduty", "webhook"]
    state.update_settings({"cloudflare_pagerduty_eligible": False})
    assert requests.get(eligible, headers=CF, timeout=10).json()["result"]["pagerduty"][0]["eligible"] is False
    for method, path in (("GET", ""), ("POST", "/connect")):
        url = sandbox.cloudflare_url + facts.cloudflare_destinations_path() + path
        response = requests.request(method, url, headers=CF, timeout=10)
        assert response.status_code == 403 and response.json()["errors"][0]["code"] == 17100
    with pytest.raises(ControlError, match="'cloudflare_pagerduty_eligible' must be true or false"):
        state.update_settings({"cloudflare_pagerduty_eligible": "no"})
