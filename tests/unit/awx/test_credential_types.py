# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documented AWX credential types are the tested ones, and inject what the modules read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
from ansible.module_utils.basic import env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils._cloudflare import cloudflare_argument_spec
from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import datadog_argument_spec
from ansible_collections.oncall.pagerduty.tests.awx import credential_types

AWX_MD = os.path.join(os.path.dirname(credential_types.DOCS_AWX), "awx.md")
SPECS = {"datadog": datadog_argument_spec(), "cloudflare": cloudflare_argument_spec()}
VENDORS = sorted(credential_types.FILES)


def env_fallbacks(spec):
    """{environment variable: option} of every option that falls back to the environment."""
    found = {}
    for option, settings in spec.items():
        fallback = settings.get("fallback")
        if fallback and fallback[0] is env_fallback:
            found.update((name, option) for name in fallback[1])
    return found


@pytest.mark.parametrize("vendor", VENDORS)
def test_docs_awx_md_shows_the_file_as_it_is(vendor):
    with open(credential_types.path(vendor), encoding="utf-8") as handle:
        text = handle.read()
    with open(AWX_MD, encoding="utf-8") as handle:
        assert "```yaml\n%s```" % text in handle.read()


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_injector_sets_exactly_the_variables_the_modules_read(vendor):
    credential_type = credential_types.load(vendor)
    assert sorted(credential_type["injectors"]["env"]) == sorted(env_fallbacks(SPECS[vendor]))


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_secret_option_is_a_secret_input(vendor):
    credential_type = credential_types.load(vendor)
    options = env_fallbacks(SPECS[vendor])
    injected = dict((name, template) for name, template in credential_type["injectors"]["env"].items())
    for field in credential_type["inputs"]["fields"]:
        variables = [name for name, template in injected.items() if "{{ %s" % field["id"] in template]
        no_log = any(SPECS[vendor][options[name]].get("no_log") for name in variables)
        assert bool(field.get("secret")) == no_log, (vendor, field["id"])


def test_injectors_render_values_and_leave_unset_optional_inputs_empty():
    datadog = credential_types.load("datadog")
    rendered = credential_types.render_injectors(datadog, dict(api_key="dd-api-0123456789", app_key="dd-app-0123456789",
                                                               site="datadoghq.eu"))
    assert rendered["env"] == {"DD_API_KEY": "dd-api-0123456789", "DD_APP_KEY": "dd-app-0123456789",
                               "DD_SITE": "datadoghq.eu", "DD_HOST": ""}
    cloudflare = credential_types.load("cloudflare")
    rendered = credential_types.render_injectors(cloudflare, dict(account_id="a" * 32, api_token="cf-token-0123456789"))
    assert rendered["env"] == {"CLOUDFLARE_ACCOUNT_ID": "a" * 32, "CLOUDFLARE_API_TOKEN": "cf-token-0123456789",
                               "CLOUDFLARE_EMAIL": "", "CLOUDFLARE_API_KEY": "", "CLOUDFLARE_BASE_URL": ""}


def test_rendering_refuses_unknown_or_missing_inputs():
    datadog = credential_types.load("datadog")
    with pytest.raises(ValueError, match="not in the credential type"):
        credential_types.render_injectors(datadog, dict(api_key="k", app_key="a", site="datadoghq.com", token="x"))
    with pytest.raises(ValueError, match="required inputs"):
        credential_types.render_injectors(datadog, dict(api_key="k", site="datadoghq.com"))
