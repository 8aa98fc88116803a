# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the Datadog modules accept: service names that need percent-encoding, and bad input, which
fails naming the option, before any request is sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from datadog_tasks import POST, SERVICES_PATH

# name -> the raw path segment Datadog must receive: percent-encoded, nothing kept safe.
ODD_NAMES = {
    "payments team": "payments%20team",
    u"caf\u00e9 \u2615 paiements": "caf%C3%A9%20%E2%98%95%20paiements",
    "c++ builds": "c%2B%2B%20builds",
    "100% uptime": "100%25%20uptime",
    "a+b%20c": "a%2Bb%2520c",  # a literal %20 must not be decoded into a space
}
KEYS = dict((name, "pdkey-odd-name-%02d-5f3759df0badc0de" % index) for index, name in enumerate(ODD_NAMES))


def raw(method, name):
    return (method, "%s/%s" % (SERVICES_PATH, ODD_NAMES[name]))


def test_odd_names_are_created_read_rerun_and_deleted(run_playbook, sandbox, datadog):
    names = list(ODD_NAMES)
    created = run_playbook(
        [datadog.service("create %s" % name, service_name=name, service_key=KEYS[name]) for name in names]
        + [datadog.info("read back", service_names=names)])

    for name in names:
        assert created.status("create %s" % name) == "changed"
        assert created.result("create %s" % name)["service"] == {"service_name": name}
    assert created.result("read back")["services"] == [{"service_name": name} for name in names]
    assert created.result("read back")["missing"] == []
    assert sandbox.datadog_services() == KEYS
    calls = sandbox.calls("datadog")
    assert calls[:2 * len(names)] == [call for name in names for call in (raw("GET", name), POST)]
    assert sorted(calls[2 * len(names):]) == sorted(raw("GET", name) for name in names)

    sandbox.clear_journal()
    rest = run_playbook(
        [datadog.service("re-run %s" % name, service_name=name, service_key=KEYS[name]) for name in names]
        + [datadog.service("delete %s" % name, service_name=name, state="absent") for name in names]
        + [datadog.info("read again", service_names=names)])

    for name in names:
        assert rest.status("re-run %s" % name) == "ok"
        assert rest.status("delete %s" % name) == "changed"
    assert rest.result("read again")["services"] == []
    assert rest.result("read again")["missing"] == names
    calls = sandbox.calls("datadog")
    assert calls[:3 * len(names)] == ([raw("GET", name) for name in names]
                                      + [call for name in names for call in (raw("GET", name), raw("DELETE", name))])
    assert sorted(calls[3 * len(names):]) == sorted(raw("GET", name) for name in names)
    assert sandbox.datadog_services() == {}


KEY = "pdkey-bad-input-0123456789abcdef"
ONE_SERVICE = dict(service_name="payments", service_key=KEY)
BATCH = dict(service_name=None, service_key=None)


def entry(name, key=KEY):
    return dict(service_name=name, service_key=key)


# task title -> (options over ONE_SERVICE and the connection (None leaves one out), what the message must say)
SERVICE_CASES = {
    "name empty": (dict(service_name=""), ["service_name must not be empty or blank"]),
    "name blank": (dict(service_name="   "), ["service_name must not be empty or blank"]),
    "name with a slash": (dict(service_name="a/b"), ["service_name 'a/b' contains '/'", "cannot address"]),
    "name with a slash, absent": (dict(service_name="team/legacy", service_key=None, state="absent"),
                                  ["service_name 'team/legacy' contains '/'"]),
    "service_key missing": (dict(service_key=None), ["service_key must not be empty or blank when state=present"]),
    "service_key blank": (dict(service_key="   "), ["service_key", "state=present"]),
    "unknown site, api_url unset": (dict(api_url=None, site="datadoghq.co"), ["site", "datadoghq.co", "datadoghq.eu"]),
    "unknown site beside api_url": (dict(site="datadoghq.example"), ["site", "datadoghq.example"]),
    "api_url without a scheme": (dict(api_url="api.datadoghq.com"),
                                 ["api_url 'api.datadoghq.com' must be an absolute http:// or https:// URL"]),
    "api_url with another scheme": (dict(api_url="ftp://api.datadoghq.com"), ["api_url", "http://"]),
    "api_url with spaces": (dict(api_url="http://127.0.0.1:1/a b"), ["api_url"]),
    "api_url with a bad port": (dict(api_url="http://127.0.0.1:99999"), ["api_url", "is not a valid URL"]),
    "no credentials": (dict(api_key=None, app_key=None), ["api_key", "app_key", "missing required"]),
    "api_key blank": (dict(api_key="   "), ["api_key must not be empty", "DD_API_KEY"]),
    "timeout 0": (dict(timeout=0), ["timeout must be a number of seconds greater than 0"]),
    "timeout not a number": (dict(timeout="soon"), ["timeout", "float"]),
    "retries 99": (dict(retries=99), ["retries must be between 0 and 10, got 99"]),
    "retries negative": (dict(retries=-1), ["retries"]),
    "ca_path missing": (dict(ca_path="/nonexistent/oncall-pagerduty/ca.pem"), ["ca_path", "does not exist"]),
    "every problem at once": (dict(service_name="a/b", timeout=0, retries=99),
                              ["service_name 'a/b' contains '/'", "timeout must be", "retries must be"]),
    "service_name and services": (dict(services=[entry("checkout")], service_key=None),
                                  ["mutually exclusive", "service_name|services"]),
    "neither service_name nor services": (dict(service_name=None),
                                          ["one of the following is required: service_name, services"]),
    "services: concurrency 0": (dict(BATCH, services=[entry("payments")], concurrency=0),
                                ["concurrency must be between 1 and 32, got 0"]),
    "services: a name twice": (dict(BATCH, services=[entry("payments"), entry("payments")]),
                               ["services[1].service_name 'payments' is listed more than once"]),
    "services: a blank name": (dict(BATCH, services=[entry("payments"), entry("  ")]),
                               ["services[1].service_name must not be empty or blank"]),
    "services: a name with a slash": (dict(BATCH, services=[entry("a/b")]),
                                      ["services[0].service_name 'a/b' contains '/'"]),
    "services: service_key missing": (dict(BATCH, services=[dict(service_name="payments")]),
                                      ["services[0].service_key must not be empty or blank when state=present"]),
}
INFO_CASES = {
    "info: a name with a slash and a blank one": (dict(service_names=["payments", "a/b", " "]),
                                                  ["service_names[1] 'a/b' contains '/'",
                                                   "service_names[2] must not be empty or blank"]),
    "info: concurrency 0": (dict(service_names=["payments"], concurrency=0),
                            ["concurrency must be between 1 and 32, got 0"]),
    "info: service_names not a list": (dict(service_names={"payments": 1}), ["service_names", "list"]),
    "info: timeout 0": (dict(service_names=["payments"], timeout=0), ["timeout must be"]),
}


def test_bad_input_fails_naming_the_option_and_sends_nothing(run_playbook, sandbox, datadog):
    # The sandbox stays the endpoint (unless a case drops api_url): a request that slipped through is journalled.
    tasks = [datadog.service(title, ignore_errors=True, **dict(ONE_SERVICE, **options))
             for title, (options, dummy) in SERVICE_CASES.items()]
    tasks += [datadog.info(title, ignore_errors=True, **options) for title, (options, dummy) in INFO_CASES.items()]
    run = run_playbook(tasks, diff=True, verbosity=4)

    for title, (dummy, expected) in list(SERVICE_CASES.items()) + list(INFO_CASES.items()):
        message = run.failure(title)["msg"]
        for text in expected:
            assert text in message, (title, text, message)
    # Only the names that are wrong are named.
    assert "service_names[0]" not in run.result("info: a name with a slash and a blank one")["msg"]
    assert sandbox.journal() == []
    assert sandbox.datadog_services() == {}
