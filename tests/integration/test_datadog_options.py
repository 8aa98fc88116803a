# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad options fail naming the option, before any request is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

KEY = "pdkey-options-0123456789abcdef"

# task title -> (module options, what the message must contain)
CASES = {
    "unknown site": (dict(site="datadoghq.example"), ["site", "datadoghq.example"]),
    "api_url without scheme": (dict(api_url="api.datadoghq.com"), ["api_url", "api.datadoghq.com"]),
    "api_url with another scheme": (dict(api_url="ftp://api.datadoghq.com"), ["api_url", "http://"]),
    "api_url with spaces": (dict(api_url="http://127.0.0.1:1/a b"), ["api_url"]),
    "timeout 0": (dict(timeout=0), ["timeout", "greater than 0"]),
    "negative retries": (dict(retries=-1), ["retries"]),
    "missing service_key": (dict(service_key=None), ["service_key", "state=present"]),
    "blank service_key": (dict(service_key="   "), ["service_key", "state=present"]),
    "blank api_key": (dict(api_key="  "), ["api_key", "DD_API_KEY"]),
    "missing ca_path": (dict(ca_path="/nonexistent/oncall-pagerduty/ca.pem"), ["ca_path", "does not exist"]),
}


def test_bad_options_fail_naming_the_option_and_send_nothing(run_playbook, sandbox, datadog):
    tasks = []
    for title, (overrides, dummy) in CASES.items():
        params = dict(service_name="payments", service_key=KEY)
        params.update(overrides)
        if params["service_key"] is None:
            del params["service_key"]
        # The sandbox stays the default endpoint: a request that slipped through would be journaled.
        tasks.append(datadog.service(title, ignore_errors=True, **params))
    tasks.append(datadog.service("no credentials at all", ignore_errors=True, connection=False,
                                 api_url=sandbox.datadog_url, service_name="payments", service_key=KEY))
    tasks.append(datadog.info("info with timeout 0", ignore_errors=True, service_names=["payments"], timeout=0))
    run = run_playbook(tasks)

    for title, (dummy, expected) in CASES.items():
        message = run.failure(title)["msg"]
        for text in expected:
            assert text in message, (title, text, message)
    missing = run.failure("no credentials at all")["msg"]
    assert "api_key" in missing and "app_key" in missing
    assert "timeout" in run.failure("info with timeout 0")["msg"]
    assert sandbox.journal() == []
