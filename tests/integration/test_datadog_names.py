# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Service names that need percent-encoding, and names Datadog cannot address."""

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


def test_names_datadog_cannot_address_are_refused_before_any_request(run_playbook, sandbox, datadog):
    key = "pdkey-refused-name-7e57c0ffee123456"
    run = run_playbook([
        datadog.service("slash", ignore_errors=True, service_name="a/b", service_key=key),
        datadog.service("slash, absent", ignore_errors=True, service_name="team/legacy", state="absent"),
        datadog.service("empty", ignore_errors=True, service_name="", service_key=key),
        datadog.service("blank", ignore_errors=True, service_name="   ", service_key=key),
        datadog.info("info", ignore_errors=True, service_names=["payments", "a/b", " "]),
    ])

    for task in ("slash", "slash, absent", "empty", "blank", "info"):
        run.failure(task)
    for task in ("slash", "slash, absent", "empty", "blank"):
        assert "service_name" in run.result(task)["msg"]
    assert "'a/b' contains '/'" in run.result("slash")["msg"]
    assert "'team/legacy' contains '/'" in run.result("slash, absent")["msg"]
    assert "must not be empty or blank" in run.result("empty")["msg"]
    assert "must not be empty or blank" in run.result("blank")["msg"]
    info = run.result("info")["msg"]
    assert "service_names[1] 'a/b' contains '/'" in info
    assert "service_names[2] must not be empty or blank" in info
    assert "service_names[0]" not in info
    assert sandbox.journal() == []
    assert sandbox.datadog_services() == {}
