# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare adapter's options, checked before sending: argument spec, account_id, credentials, token_id."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.basic import env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare as cloudflare
from ansible_collections.oncall.pagerduty.tests.sandbox.facts import CLOUDFLARE_ACCOUNT_ID as ACCOUNT
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    CLOUDFLARE_SECRET as SECRET,
    CLOUDFLARE_TOKEN as TOKEN,
    CLOUDFLARE_UUID_TOKEN as UUID_TOKEN,
    cloudflare_params as params,
)


# -- options -------------------------------------------------------------------------------------

def test_argument_spec_reads_cloudflares_own_environment_variables():
    spec = cloudflare.cloudflare_argument_spec(extra=dict(type="str"))
    env = dict((name, option["fallback"][1]) for name, option in spec.items() if "fallback" in option)
    assert env == dict(account_id=["CLOUDFLARE_ACCOUNT_ID"], api_token=["CLOUDFLARE_API_TOKEN"],
                       api_key=["CLOUDFLARE_API_KEY"], email=["CLOUDFLARE_EMAIL"], api_url=["CLOUDFLARE_BASE_URL"])
    assert all(option["fallback"][0] is env_fallback for option in spec.values() if "fallback" in option)
    assert sorted(name for name, option in spec.items() if option.get("no_log")) == ["api_key", "api_token"]
    assert spec["api_url"]["default"] == "https://api.cloudflare.com/client/v4"
    assert {"validate_certs", "ca_path", "timeout", "retries", "extra"} <= set(spec)


@pytest.mark.parametrize("value", [ACCOUNT, ACCOUNT.upper()])
def test_an_account_id_is_32_hex_characters(value):
    assert cloudflare.account_id_problem(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("023e105f4ecef8ad9ca31a8372d0c35", "the value given has 31 characters"),
    ("023e105f4ecef8ad9ca31a8372d0c353ab", "the value given has 34 characters"),
    ("023e105f-4ecef8ad9ca31a8372d0c3", "the value given has 31 characters"),
    ("zz3e105f4ecef8ad9ca31a8372d0c353", "32 characters that are not all hexadecimal"),
    ("ops@example.com", "account_id looks like an email address"),
    (" %s\n" % ACCOUNT, "account_id has spaces or line breaks around it"),
    ("%s\n" % ACCOUNT, "account_id has spaces or line breaks around it"),
    ("", "account_id must not be empty (set it or the CLOUDFLARE_ACCOUNT_ID environment variable)"),
    (None, "account_id must not be empty"),
])
def test_a_wrong_account_id_is_explained(value, fragment):
    problem = cloudflare.account_id_problem(value)
    assert fragment in problem


def test_a_wrong_account_id_is_not_echoed_it_may_be_a_pasted_secret():
    problem = cloudflare.account_id_problem(SECRET)
    assert SECRET not in problem
    assert "must be the Cloudflare account ID, 32 hexadecimal characters" in problem
    assert "the value given has %d characters" % len(SECRET) in problem


@pytest.mark.parametrize("overrides", [
    dict(),
    dict(api_token=None, email="ops@example.com", api_key="global-key"),
])
def test_one_auth_scheme_is_accepted(overrides):
    assert cloudflare.auth_problems(params(**overrides)) == []


@pytest.mark.parametrize("overrides, expected", [
    (dict(api_key="global-key", email="ops@example.com"),
     "api_token and api_key are both set (from the task or the CLOUDFLARE_API_TOKEN and CLOUDFLARE_API_KEY environment "
     "variables): use either api_token, or email with api_key, not both"),
    (dict(email="ops@example.com"),
     "api_token and email are both set (from the task or the CLOUDFLARE_API_TOKEN and CLOUDFLARE_EMAIL environment "
     "variables): use either api_token, or email with api_key, not both"),
    (dict(api_token=None, api_key="global-key"),
     "api_key is set but email is not: the global API key needs the email address of its user (email or "
     "CLOUDFLARE_EMAIL); or use api_token instead"),
    (dict(api_token=None, email="ops@example.com"),
     "email is set but api_key is not: email is only used with the global API key (api_key or CLOUDFLARE_API_KEY); "
     "or use api_token instead"),
    (dict(api_token=None),
     "no credentials: set api_token (or the CLOUDFLARE_API_TOKEN environment variable), or email and api_key "
     "(CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)"),
    (dict(api_token="  "),
     "no credentials: set api_token (or the CLOUDFLARE_API_TOKEN environment variable), or email and api_key "
     "(CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)"),
])
def test_auth_problems_name_the_options(overrides, expected):
    assert cloudflare.auth_problems(params(**overrides)) == [expected]


# The options every vendor shares (timeout, retries, ca_path, the shape of api_url): test_options.py.

def test_an_account_id_that_is_not_one_is_the_one_connection_problem():
    problems = cloudflare.connection_option_problems(params(account_id="example.com"))
    assert len(problems) == 1 and "the value given has 11 characters" in problems[0]


def test_every_problem_is_reported_at_once():
    problems = cloudflare.connection_option_problems(params(account_id="x", api_key="k", timeout=-1, api_url="ftp://x"))
    assert len(problems) == 4


def test_an_empty_api_url_is_the_default_endpoint():
    # CLOUDFLARE_BASE_URL="" from a credential injector: the default endpoint
    assert cloudflare.connection_option_problems(params(api_url="")) == []
    assert cloudflare.base_url(params(api_url="")) == cloudflare.DEFAULT_API_URL


@pytest.mark.parametrize("value", [TOKEN, UUID_TOKEN, TOKEN.upper()])
def test_a_token_is_32_hex_characters_or_a_uuid(value):
    assert cloudflare.token_id_problem(value) is None


@pytest.mark.parametrize("value, fragment", [
    ("not-a-token-value-at-all", "the value given has 24 characters"),
    (TOKEN + "0", "the value given has 33 characters"),
    ("%s\n" % TOKEN, "token_id has spaces or line breaks around it"),
    ("", "token_id must not be empty"),
])
def test_a_wrong_token_is_explained_without_showing_it(value, fragment):
    problem = cloudflare.token_id_problem(value)
    assert fragment in problem
    assert not value.strip() or value.strip() not in problem


# -- credentials: the task's options over the environment's --------------------------------------

def _auth_params(**values):
    params = dict(api_token=None, api_key=None, email=None)
    params.update(values)
    return params


def test_task_token_wins_over_global_key_from_the_environment():
    environ = {"CLOUDFLARE_EMAIL": "ops@example.com", "CLOUDFLARE_API_KEY": "envkey0123456789"}
    params = _auth_params(api_token="task-token-0123456789", email="ops@example.com", api_key="envkey0123456789")
    given = dict(params)
    assert cloudflare.resolve_credentials(params, environ) == _auth_params(api_token="task-token-0123456789")
    assert params == given  # resolving leaves the task's options as they were


def test_task_global_key_wins_over_token_from_the_environment():
    environ = {"CLOUDFLARE_API_TOKEN": "env-token-0123456789"}
    params = _auth_params(api_token="env-token-0123456789", email="me@example.com", api_key="taskkey0123456789")
    assert cloudflare.resolve_credentials(params, environ) == _auth_params(email="me@example.com", api_key="taskkey0123456789")


@pytest.mark.parametrize("environ", [
    {},  # both in the task
    {"CLOUDFLARE_API_TOKEN": "t0123456789", "CLOUDFLARE_EMAIL": "a@b.c", "CLOUDFLARE_API_KEY": "k0123456789"},  # both from env
])
def test_two_ways_from_the_same_place_are_still_refused(environ):
    params = cloudflare.resolve_credentials(_auth_params(api_token="t0123456789", email="a@b.c", api_key="k0123456789"),
                                            environ)
    assert cloudflare.auth_problems(params)[0].startswith("api_token and api_key are both set")
