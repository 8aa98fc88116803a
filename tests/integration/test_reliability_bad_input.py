# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bad input to the four modules: every case fails with a message naming the option, shows no Python
traceback, and sends NOTHING (the sandbox journal stays empty).

The matrix is two ansible-playbook runs at -vvvv (one per vendor, each case a task with
ignore_errors); the sandbox journal must be empty after each. Inputs that are not refused as they
should be are reproduced in-process below, each marked xfail(strict=True).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service as dd_module

from reliability_support import (
    ACCOUNT_ID,
    CF_INFO_MODULE,
    CF_MODULE,
    DD_INFO_MODULE,
    DD_MODULE,
    Findings,
    ModuleDriver,
    audit_runs,
    calls_of,
    cf_connection,
    clean_failure_problems,
    dd_connection,
    secret_value,
    task,
    token_value,
)

KEY = secret_value("pdkey", "bad-input")
GLOBAL_KEY = secret_value("cf-global-key", "bad-input")
TOKEN = token_value("bad-input")
NO = object()  # leave the option out


def dd(**options):
    return dict(dd_connection("{url}", service_name="payments", service_key=KEY), **options)


def cf(**options):
    return dict(cf_connection("{url}/client/v4", services=["payments"]), **options)


def batch(*entries, **options):
    return dd(service_name=NO, service_key=NO, services=list(entries), **options)


def entry(name, key=KEY):
    return dict(service_name=name, service_key=key)


# case id -> (module, options, texts the message must contain: the option's name first)
CASES = {
    # datadog_pagerduty_service
    "dd-name-empty": (DD_MODULE, dd(service_name=""), ["service_name must not be empty or blank"]),
    "dd-name-blank": (DD_MODULE, dd(service_name="   "), ["service_name must not be empty or blank"]),
    "dd-name-with-slash": (DD_MODULE, dd(service_name="payments/eu"), ["service_name 'payments/eu' contains '/'",
                                                                       "cannot address"]),
    "dd-key-missing": (DD_MODULE, dd(service_key=NO), ["service_key must not be empty or blank when state=present"]),
    "dd-site-unknown": (DD_MODULE, dd(api_url=NO, site="datadoghq.co"), ["site", "datadoghq.co", "datadoghq.eu"]),
    "dd-api_url-no-scheme": (DD_MODULE, dd(api_url="api.datadoghq.com"),
                             ["api_url 'api.datadoghq.com' must be an absolute http:// or https:// URL"]),
    "dd-api_url-bad-port": (DD_MODULE, dd(api_url="http://127.0.0.1:99999"), ["api_url", "is not a valid URL"]),
    "dd-no-credentials": (DD_MODULE, dd(api_key=NO, app_key=NO), ["api_key", "app_key", "missing required"]),
    "dd-api_key-blank": (DD_MODULE, dd(api_key="   "), ["api_key must not be empty", "DD_API_KEY"]),
    "dd-timeout-0": (DD_MODULE, dd(timeout=0), ["timeout must be a number of seconds greater than 0"]),
    "dd-timeout-wrong-type": (DD_MODULE, dd(timeout="soon"), ["timeout", "float"]),
    "dd-retries-99": (DD_MODULE, dd(retries=99), ["retries must be between 0 and 10, got 99"]),
    "dd-ca_path-missing": (DD_MODULE, dd(ca_path="/nonexistent/oncall/ca.pem"), ["ca_path", "does not exist"]),
    "dd-every-problem-at-once": (DD_MODULE, dd(service_name="a/b", timeout=0, retries=99),
                                 ["service_name 'a/b' contains '/'", "timeout must be", "retries must be"]),
    "dd-name-and-services": (DD_MODULE, dd(services=[entry("checkout")], service_key=NO),
                             ["mutually exclusive", "service_name|services"]),
    "dd-neither-name-nor-services": (DD_MODULE, dd(service_name=NO),
                                     ["one of the following is required: service_name, services"]),
    "dd-batch-concurrency-0": (DD_MODULE, batch(entry("payments"), concurrency=0),
                               ["concurrency must be between 1 and 32, got 0"]),
    "dd-batch-duplicate-name": (DD_MODULE, batch(entry("payments"), entry("payments")),
                                ["services[1].service_name 'payments' is listed more than once"]),
    "dd-batch-blank-name": (DD_MODULE, batch(entry("payments"), entry("  ")),
                            ["services[1].service_name must not be empty or blank"]),
    "dd-batch-slash-name": (DD_MODULE, batch(entry("a/b")), ["services[0].service_name 'a/b' contains '/'"]),
    "dd-batch-key-missing": (DD_MODULE, batch(dict(service_name="payments")),
                             ["services[0].service_key must not be empty or blank when state=present"]),
    # datadog_pagerduty_service_info
    "ddi-names-slash-and-blank": (DD_INFO_MODULE, dd_connection("{url}", service_names=["ok", "x/y", " "]),
                                  ["service_names[1] 'x/y' contains '/'", "service_names[2] must not be empty"]),
    "ddi-concurrency-0": (DD_INFO_MODULE, dd_connection("{url}", service_names=["ok"], concurrency=0),
                          ["concurrency must be between 1 and 32, got 0"]),
    "ddi-names-wrong-type": (DD_INFO_MODULE, dd_connection("{url}", service_names={"payments": 1}),
                             ["service_names", "list"]),
    # cloudflare_pagerduty_destination
    "cf-account-empty": (CF_MODULE, cf(account_id=""), ["account_id must not be empty"]),
    "cf-account-short": (CF_MODULE, cf(account_id="0123abcd"),
                         ["account_id must be the Cloudflare account ID", "8 characters"]),
    "cf-account-10k": (CF_MODULE, cf(account_id="a" * 10000), ["account_id must be", "10000 characters"]),
    "cf-account-email": (CF_MODULE, cf(account_id="ops@example.com"), ["account_id looks like an email address"]),
    "cf-account-newline": (CF_MODULE, cf(account_id=ACCOUNT_ID + "\n"),
                           ["account_id has spaces or line breaks around it"]),
    "cf-account-path": (CF_MODULE, cf(account_id="../../user/tokens"), ["account_id must be the Cloudflare account ID"]),
    "cf-token-and-key": (CF_MODULE, cf(api_key=GLOBAL_KEY, email="ops@example.com"),
                         ["api_token and api_key are both set"]),
    "cf-key-without-email": (CF_MODULE, cf(api_token=NO, api_key=GLOBAL_KEY), ["api_key is set but email is not"]),
    "cf-no-credentials": (CF_MODULE, cf(api_token=NO), ["no credentials: set api_token"]),
    "cf-token_id-malformed": (CF_MODULE, cf(token_id="not-a-connection-token"),
                              ["token_id must be the connection token", "22 characters"]),
    "cf-token_id-10k": (CF_MODULE, cf(token_id="f" * 10000), ["token_id must be", "10000 characters"]),
    "cf-token_id-with-create_token": (CF_MODULE, cf(token_id=TOKEN, create_token=True),
                                      ["token_id and create_token=true are mutually exclusive"]),
    "cf-services-blank-entry": (CF_MODULE, cf(services=["payments", " "]), ["services[1] must not be empty or blank"]),
    "cf-absent-with-services": (CF_MODULE, cf(state="absent"), ["services cannot be used with state=absent"]),
    "cf-api_url-empty": (CF_MODULE, cf(api_url=""), ["api_url '' must be an absolute http:// or https:// URL"]),
    "cf-create_token-wrong-type": (CF_MODULE, cf(create_token="maybe"), ["create_token", "bool"]),
    # cloudflare_pagerduty_destination_info
    "cfi-account-bad": (CF_INFO_MODULE, cf_connection("{url}/client/v4", account_id="nope"),
                        ["account_id must be", "4 characters"]),
    "cfi-timeout-0": (CF_INFO_MODULE, cf_connection("{url}/client/v4", timeout=0), ["timeout must be"]),
}


def options_for(options, url):
    result = {}
    for key, value in options.items():
        if value is NO:
            continue
        result[key] = value.format(url=url) if key == "api_url" and isinstance(value, str) else value
    return result


@pytest.mark.parametrize("vendor", ["datadog", "cloudflare"])
def test_bad_input_fails_naming_the_option_and_sends_nothing(vendor, run_playbook, sandbox, tmp_path_factory, tmp_path):
    cases = dict((case, spec) for case, spec in CASES.items() if case.startswith({"datadog": "dd", "cloudflare": "cf"}[vendor]))
    assert len(cases) >= 15
    run = run_playbook([task(case, module, options_for(options, sandbox.url), ignore_errors=True)
                        for case, (module, options, dummy) in cases.items()], diff=True, verbosity=4)

    findings = Findings()
    for case, (module, options, texts) in cases.items():
        record = run.record(case)
        msg = record["result"].get("msg") or ""
        findings.check(record["status"] == "failed", case, "status %s: %s" % (record["status"], msg[:300]))
        for text in texts:
            findings.check(text in msg, case, "%r not in %r" % (text, msg))
        problems = clean_failure_problems(record["result"], recorded=True)
        findings.check(not problems, case, "not a clean failure: %s" % problems)
    findings.check("Traceback (most recent call last)" not in run.output, "output", "a Python traceback was shown")
    # Zero requests for every case: the journal of the whole run is empty.
    findings.check(sandbox.journal() == [], "journal", "requests sent: %s" % calls_of(sandbox.journal()))
    audit_runs(tmp_path_factory, "bad input, %s (%d cases)" % (vendor, len(cases)), [tmp_path], run_playbook.runs,
               run_playbook.secrets, extra_values=[TOKEN])
    findings.assert_none()


def test_the_matrix_covers_the_four_modules():
    assert len(CASES) >= 30
    assert set(m for m, o, t in CASES.values()) == {DD_MODULE, DD_INFO_MODULE, CF_MODULE, CF_INFO_MODULE}


# ---------------------------------------------------------------------------------------------
# Inputs that are not refused as they should be: exact reproductions, in-process.


def refused_without_request(driver, sandbox, options, option):
    args = dict(dd_connection(sandbox.datadog_url), **options)
    try:
        outcome = driver.run(dd_module, args)
    except Exception as exc:  # pylint: disable=broad-except
        pytest.fail("main() raised %s: %s (Ansible shows this as a module crash with a traceback)"
                    % (exc.__class__.__name__, exc))
    journal = calls_of(sandbox.journal())
    assert outcome.status == "failed" and option in outcome.result["msg"], outcome.result
    assert clean_failure_problems(outcome.result) == []
    assert journal == [], "requests sent: %s" % journal


def test_a_10k_character_name_is_refused_before_sending(sandbox, monkeypatch):
    refused_without_request(ModuleDriver(monkeypatch), sandbox,
                            dict(service_name="n" * 10000, service_key=KEY, retries=0), "service_name")


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_segment_names_are_refused_before_sending(name, sandbox, monkeypatch):
    refused_without_request(ModuleDriver(monkeypatch), sandbox, dict(service_name=name, service_key=KEY, retries=0),
                            "service_name")


def test_a_dict_as_service_name_is_refused(sandbox, monkeypatch):
    refused_without_request(ModuleDriver(monkeypatch), sandbox,
                            dict(service_name={"team": "payments"}, service_key=KEY, retries=0), "service_name")


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_timeout_nan_or_inf_is_refused(value, sandbox, monkeypatch):
    refused_without_request(ModuleDriver(monkeypatch), sandbox,
                            dict(service_name="payments", service_key=KEY, timeout=value, retries=0), "timeout")
