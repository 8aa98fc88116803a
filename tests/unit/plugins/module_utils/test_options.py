# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options every vendor shares (_options.py: timeout, retries, ca_path and the shape of api_url), tested
once, through each vendor's connection_option_problems. The checks of a vendor's own options (Cloudflare's account_id
and credentials, Datadog's keys) are in test_cloudflare_adapter_options.py and test_datadog.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare as cloudflare
from ansible_collections.oncall.pagerduty.plugins.module_utils import _datadog as datadog
from ansible_collections.oncall.pagerduty.tests.sandbox import facts


def task_options(argument_spec, **options):
    """The options a module checks: the default of every option of argument_spec, then options."""
    return dict(dict((name, spec.get("default")) for name, spec in argument_spec.items()), **options)


# Each vendor's connection_option_problems, and good options for it.
VENDORS = [
    pytest.param(cloudflare.connection_option_problems,
                 task_options(cloudflare.cloudflare_argument_spec(), account_id=facts.CLOUDFLARE_ACCOUNT_ID,
                              api_token=facts.CLOUDFLARE_API_TOKEN),
                 id="cloudflare"),
    pytest.param(datadog.connection_option_problems,
                 task_options(datadog.datadog_argument_spec(), api_key=facts.DATADOG_API_KEY,
                              app_key=facts.DATADOG_APP_KEY),
                 id="datadog"),
]


@pytest.mark.parametrize("problems, good", VENDORS)
@pytest.mark.parametrize("overrides, fragment", [
    (dict(api_url="api.cloudflare.com/client/v4"), "must be an absolute http:// or https:// URL"),
    (dict(api_url="api.datadoghq.com"), "api_url 'api.datadoghq.com' must be an absolute http:// or https:// URL"),
    (dict(api_url="ftp://x"), "must be an absolute http:// or https:// URL"),
    (dict(api_url="https://api.cloudflare.com/client/v4?x=1"), "without query"),
    (dict(api_url="https://x/?a=1"), "without query"),
    (dict(api_url="http://x:99999"), "is not a valid URL"),
    (dict(timeout=0), "timeout must be a number of seconds greater than 0"),
    (dict(retries=-1), "retries must be between 0 and 10"),
    (dict(retries=11), "retries must be between 0 and 10"),
    (dict(ca_path="/nonexistent/ca.pem"), "ca_path /nonexistent/ca.pem does not exist"),
])
def test_a_wrong_connection_option_is_the_one_problem_named(problems, good, overrides, fragment):
    found = problems(dict(good, **overrides))
    assert len(found) == 1 and fragment in found[0]


@pytest.mark.parametrize("problems, good", VENDORS)
@pytest.mark.parametrize("overrides", [
    dict(),
    dict(api_url="http://127.0.0.1:8080/client/v4/"),
    dict(api_url="https://api.datadoghq.eu"),
])
def test_good_connection_options_have_no_problems(problems, good, overrides):
    assert problems(dict(good, **overrides)) == []
