# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Listing every service object (the integration-level read) and purge_services, through main(), against the
in-process sandbox: results, messages and the exact requests sent. No test may write the integration object."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import AUTH_HINT
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service as module
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service_info as info_module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    datadog_options,
    journal_calls,
    run_main,
    warning_texts,
)

KEY = "pdkey-listing-0123456789abcdef"
LIST = ("GET", facts.DATADOG_INTEGRATION_PATH)
POST = ("POST", facts.DATADOG_SERVICES_PATH)


def delete(name):
    return ("DELETE", "%s/%s" % (facts.DATADOG_SERVICES_PATH, quote(name, safe="")))


@pytest.fixture
def calls(state):
    """The requests of the test; after it, proof that none wrote the integration object."""
    yield lambda: journal_calls(state)
    assert not [c for c in journal_calls(state) if c[1] == facts.DATADOG_INTEGRATION_PATH and c[0] != "GET"]


def seed(state, *names):
    state.seed({"datadog": {"services": dict((name, "pdkey-seeded-%s-0123456789" % name) for name in names)}})


def names_in(state):
    return sorted(state.snapshot()["datadog"]["services"])


def batch(sandbox, services, check=False, **options):
    return datadog_options(sandbox.url, retries=0, services=services, purge_services=True, _ansible_check_mode=check,
                           _ansible_diff=True, **options)


def present(name):
    return dict(service_name=name, service_key=KEY)


def test_info_without_names_lists_every_object_in_one_read(sandbox, state, capsys, calls):
    seed(state, "payments", "checkout api", "a+b")
    code, result = run_main(info_module, datadog_options(sandbox.url), capsys)
    assert code == 0 and result["changed"] is False
    assert result["services"] == [{"service_name": n} for n in ("payments", "checkout api", "a+b")]
    assert result["missing"] == []
    assert calls() == [LIST]
    assert "*****" not in str(result)


def test_info_with_an_empty_list_of_names_reads_nothing(sandbox, state, capsys, calls):
    seed(state, "payments")
    code, result = run_main(info_module, datadog_options(sandbox.url, service_names=[]), capsys)
    assert (code, result["changed"], result["services"], result["missing"]) == (0, False, [], [])
    assert calls() == []


@pytest.mark.parametrize("status, body, expected", [
    (403, {"errors": ["Forbidden"]}, "returned HTTP 403: Forbidden. %s" % AUTH_HINT),
    (404, {"errors": ["Not Found"]}, "returned HTTP 404: Not Found"),
    (200, {"subdomain": "x"}, "the answer holds no list of services"),
    (200, {"services": [{"name": "x"}]}, "the answer holds no list of services"),
], ids=["refused-403", "unknown-404", "no-services-key", "services-of-another-shape"])
def test_a_listing_that_cannot_be_read_fails_and_points_to_reading_by_name(
        sandbox, state, capsys, calls, status, body, expected):
    state.add_faults({"method": "GET", "path": "^%s$" % facts.DATADOG_INTEGRATION_PATH, "status": status, "body": body})
    code, result = run_main(info_module, datadog_options(sandbox.url, retries=0), capsys)
    assert code == 1
    assert result["msg"].startswith("Datadog cannot list the PagerDuty service objects of this organization: "
                                    "Datadog API GET /api/v1/integration/pagerduty ")
    assert expected in result["msg"]
    assert "Read service objects by name instead (service_names of " in result["msg"]
    assert calls() == [LIST]


def test_an_organization_without_the_integration_is_told_so(sandbox, state, capsys, calls):
    state.update_settings({"datadog_integration_enabled": False})
    code, result = run_main(info_module, datadog_options(sandbox.url), capsys)
    assert code == 1 and "PagerDuty integration is not installed in this organization" in result["msg"]
    assert calls() == [LIST]


def test_purge_in_check_mode_names_what_would_go_and_writes_nothing(sandbox, state, capsys, calls):
    seed(state, "payments", "old-one", "old two")
    code, result = run_main(module, batch(sandbox, [present("payments"), present("new")], check=True), capsys)
    assert (code, result["changed"]) == (0, True)
    assert result["purged"] == ["old-one", "old two"]
    assert result["diff"] == {"before": {"new": {}, "old-one": {"service_name": "old-one"},
                                         "old two": {"service_name": "old two"}},
                              "after": {"new": {"service_name": "new"}, "old-one": {}, "old two": {}}}
    assert [(r["service_name"], r["state"], r["changed"], r.get("purged", False)) for r in result["results"]] == [
        ("payments", "present", False, False), ("new", "present", True, False),
        ("old-one", "absent", True, True), ("old two", "absent", True, True)]
    assert calls() == [LIST]
    assert names_in(state) == ["old two", "old-one", "payments"]


def test_purge_applies_then_a_rerun_is_ok_with_one_read(sandbox, state, capsys, calls):
    seed(state, "payments", "old-one", "old two")
    services = [present("payments"), present("new")]
    code, result = run_main(module, batch(sandbox, services), capsys)
    assert (code, result["changed"], result["purged"]) == (0, True, ["old-one", "old two"])
    assert calls() == [LIST, POST, delete("old-one"), delete("old two")]
    assert names_in(state) == ["new", "payments"]
    state.journal_clear()
    code, result = run_main(module, batch(sandbox, services), capsys)
    assert (code, result["changed"], result["purged"]) == (0, False, [])
    assert calls() == [LIST]


def test_purge_leaves_an_object_no_request_can_address_and_warns(sandbox, state, capsys, calls):
    seed(state, "payments", "team/legacy", "old-one")
    code, result = run_main(module, batch(sandbox, [present("payments")]), capsys)
    assert (code, result["changed"], result["purged"], result["not_purged"]) == (0, True, ["old-one"], ["team/legacy"])
    assert warning_texts(result) == ["purge_services left 'team/legacy': Datadog lists them, but their names cannot "
                                     "be addressed through its API (they contain '/'); remove them in Datadog's "
                                     "PagerDuty integration tile"]
    assert calls() == [LIST, delete("old-one")]
    state.journal_clear()
    code, result = run_main(module, batch(sandbox, [present("payments")]), capsys)
    assert (code, result["changed"], result["purged"], result["not_purged"]) == (0, False, [], ["team/legacy"])
    assert calls() == [LIST]


def test_purge_refuses_before_any_write_when_the_listing_fails(sandbox, state, capsys, calls):
    seed(state, "payments", "old-one")
    state.add_faults({"method": "GET", "path": "^%s$" % facts.DATADOG_INTEGRATION_PATH, "status": 403,
                      "body": {"errors": ["Forbidden"]}})
    code, result = run_main(module, batch(sandbox, [present("new"), dict(service_name="payments", state="absent")]),
                            capsys)
    assert code == 1 and result["msg"].startswith("Datadog cannot list the PagerDuty service objects")
    assert calls() == [LIST]
    assert names_in(state) == ["old-one", "payments"]


@pytest.mark.parametrize("options, expected", [
    (dict(services=[]), "services is empty and purge_services=true: that would delete every PagerDuty service object"),
    (dict(services=None, service_name="payments", service_key=KEY), "purge_services needs services"),
], ids=["empty-services", "without-services"])
def test_purge_without_a_list_is_refused_before_anything_is_sent(sandbox, state, capsys, calls, options, expected):
    seed(state, "payments")
    args = batch(sandbox, options.pop("services"), **options)
    if args["services"] is None:
        del args["services"]
    code, result = run_main(module, args, capsys)
    assert code == 1 and expected in result["msg"]
    assert calls() == []
    assert names_in(state) == ["payments"]
