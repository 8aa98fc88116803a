# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module's read-compare-act, against the in-process sandbox: results and the exact requests sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._datadog import DatadogPagerDutyApi
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service as module
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service_info as info_module
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    datadog_options,
    journal_calls as calls,
    run_checked,
    run_main,
)

SERVICES = "/api/v1/integration/pagerduty/configuration/services"
KEY = "pdkey-unit-0123456789abcdef0123"
NEW_KEY = "pdkey-unit-fedcba9876543210fedc"
NOT_FOUND = {"status": 404, "body": {"errors": ["Service not found"]}}


@pytest.fixture
def api(sandbox, state):
    return DatadogPagerDutyApi.from_options(datadog_options(sandbox.url, timeout=5, retries=1))


def seed(state, **services):
    state.seed({"datadog": {"services": dict((name, {"service_key": key}) for name, key in services.items())}})


def keys(state):
    return dict((name, item["service_key"]) for name, item in state.snapshot()["datadog"]["services"].items())


def test_create(api, state):
    result = module.converge(api, "payments", KEY, "present", "on_create", check_mode=False)
    assert result == dict(changed=True, service={"service_name": "payments"}, key_sent=True,
                          diff=dict(before={}, after={"service_name": "payments"}))
    assert calls(state) == [("GET", SERVICES + "/payments"), ("POST", SERVICES)]
    assert keys(state) == {"payments": KEY}


def test_existing_object_is_ok_with_one_read(api, state):
    seed(state, payments=KEY)
    result = module.converge(api, "payments", NEW_KEY, "present", "on_create", check_mode=False)
    assert (result["changed"], result["key_sent"]) == (False, False)
    assert result["diff"]["before"] == result["diff"]["after"]
    assert calls(state) == [("GET", SERVICES + "/payments")]
    assert keys(state) == {"payments": KEY}


def test_update_key_always_puts_the_key_and_hides_it_in_the_diff(api, state):
    seed(state, payments=KEY)
    result = module.converge(api, "payments", NEW_KEY, "present", "always", check_mode=False)
    assert result["changed"] and result["key_sent"]
    assert result["diff"] == dict(before={"service_name": "payments", "service_key": "(hidden)"},
                                  after={"service_name": "payments", "service_key": "(hidden, replaced)"})
    assert calls(state) == [("GET", SERVICES + "/payments"), ("PUT", SERVICES + "/payments")]
    assert keys(state) == {"payments": NEW_KEY}
    assert KEY not in json.dumps(result) and NEW_KEY not in json.dumps(result)


def test_update_key_always_on_a_new_object_creates_once(api, state):
    result = module.converge(api, "payments", KEY, "present", "always", check_mode=False)
    assert result["changed"]
    assert calls(state) == [("GET", SERVICES + "/payments"), ("POST", SERVICES)]


@pytest.mark.parametrize("existing, state_wanted, update_key, changed", [
    (False, "present", "on_create", True),
    (True, "present", "on_create", False),
    (True, "present", "always", True),
    (True, "absent", "on_create", True),
    (False, "absent", "on_create", False),
])
def test_check_mode_predicts_and_only_reads(api, state, existing, state_wanted, update_key, changed):
    if existing:
        seed(state, payments=KEY)
    result = module.converge(api, "payments", NEW_KEY, state_wanted, update_key, check_mode=True)
    assert result["changed"] is changed
    assert calls(state) == [("GET", SERVICES + "/payments")]
    assert keys(state) == ({"payments": KEY} if existing else {})


def test_absent_deletes_then_is_ok(api, state):
    seed(state, payments=KEY)
    first = module.converge(api, "payments", None, "absent", "on_create", check_mode=False)
    second = module.converge(api, "payments", None, "absent", "on_create", check_mode=False)
    assert (first["changed"], second["changed"]) == (True, False)
    assert first["diff"] == dict(before={"service_name": "payments"}, after={})
    assert calls(state) == [("GET", SERVICES + "/payments"), ("DELETE", SERVICES + "/payments"),
                            ("GET", SERVICES + "/payments")]
    assert keys(state) == {}


def converge_existing(api, state, fault, state_wanted, update_key="on_create"):
    """converge() of payments, which exists with KEY, to NEW_KEY (or absent) while the sandbox plays fault once."""
    seed(state, payments=KEY)
    state.add_faults(fault)
    key = NEW_KEY if state_wanted == "present" else None
    return module.converge(api, "payments", key, state_wanted, update_key, check_mode=False)


def test_delete_that_someone_else_finished_first_is_ok_not_changed(api, state):
    result = converge_existing(api, state, dict(NOT_FOUND, method="DELETE"), "absent")
    assert result["changed"] is False
    assert result["diff"] == dict(before={}, after={})
    assert calls(state) == [("GET", SERVICES + "/payments"), ("DELETE", SERVICES + "/payments")]


def test_delete_whose_answer_was_lost_then_404_counts_as_ours(api, state):
    result = converge_existing(api, state, {"method": "DELETE", "drop": "after"}, "absent")
    assert result["changed"] is True
    assert calls(state) == [("GET", SERVICES + "/payments"), ("DELETE", SERVICES + "/payments"),
                            ("DELETE", SERVICES + "/payments")]
    assert keys(state) == {}


def test_create_that_loses_a_race_ends_ok(api, state):
    result = converge_existing(api, state, dict(NOT_FOUND, method="GET"), "present")
    assert result["changed"] is False and result["key_sent"] is False
    assert result["diff"]["before"] == result["diff"]["after"] == {"service_name": "payments"}
    assert calls(state) == [("GET", SERVICES + "/payments"), ("POST", SERVICES)]
    assert keys(state) == {"payments": KEY}


def test_create_that_loses_a_race_with_update_key_always_sends_the_key(api, state):
    result = converge_existing(api, state, dict(NOT_FOUND, method="GET"), "present", update_key="always")
    assert result["changed"]
    assert calls(state) == [("GET", SERVICES + "/payments"), ("POST", SERVICES), ("PUT", SERVICES + "/payments")]
    assert keys(state) == {"payments": NEW_KEY}


def test_create_whose_answer_is_lost_is_read_back_not_resent(api, state):
    state.add_faults({"method": "POST", "drop": "after"})
    result = module.converge(api, "payments", KEY, "present", "on_create", check_mode=False)
    assert result["changed"]
    assert calls(state) == [("GET", SERVICES + "/payments"), ("POST", SERVICES), ("GET", SERVICES + "/payments")]


@pytest.mark.parametrize("params, problem", [
    (dict(service_name="a/b", service_key=KEY, state="present"), "contains '/'"),
    (dict(service_name="", service_key=KEY, state="present"), "service_name must not be empty or blank"),
    (dict(service_name=" \t", service_key=None, state="absent"), "service_name must not be empty or blank"),
    (dict(service_name="ok", service_key=None, state="present"), "service_key must not be empty or blank when state=present"),
    (dict(service_name="ok", service_key="  ", state="present"), "service_key must not be empty or blank when state=present"),
])
def test_desired_problems(params, problem):
    problems = module.desired_problems(dict(params, update_key="on_create"))
    assert len(problems) == 1 and problem in problems[0]


def test_no_problem_for_absent_without_key():
    assert module.desired_problems(dict(service_name="ok", service_key=None, state="absent", update_key="on_create")) == []


def connection(sandbox, **extra):
    return datadog_options(sandbox.url, retries=0, **extra)


def test_main_reports_bad_input_without_sending(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, service_name="a/b", service_key=KEY, timeout=0), capsys)
    assert code == 1 and result["failed"]
    assert "service_name 'a/b' contains '/'" in result["msg"] and "timeout must be" in result["msg"]
    assert calls(state) == []


@pytest.mark.parametrize("option, value, problem", [
    pytest.param("service_name", "n" * 10000, "service_name is 10000 characters long; PagerDuty service names have at "
                 "most 255", id="10k-character-name"),
    pytest.param("service_name", ".", "service_name '.' cannot be addressed", id="dot-name"),
    pytest.param("service_name", "..", "service_name '..' cannot be addressed", id="dot-dot-name"),
    pytest.param("service_name", {"team": "payments"}, "service_name must be a string, got dict", id="dict-name"),
    pytest.param("timeout", "nan", "timeout must be a number of seconds greater than 0, got nan", id="timeout-nan"),
    pytest.param("timeout", "inf", "timeout must be a number of seconds greater than 0, got inf", id="timeout-inf"),
])
def test_main_refuses_an_input_it_could_not_send_as_meant_before_sending(sandbox, state, capsys, option, value,
                                                                         problem):
    args = dict(service_name="payments", service_key=KEY)
    args[option] = value
    result = run_checked(module, connection(sandbox, **args), capsys, KEY)
    assert result["failed"] and problem in result["msg"]
    assert calls(state) == []


def test_main_fails_with_the_api_error_and_no_secret(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, app_key="wrong-app-key-abcdef", service_name="a", service_key=KEY), capsys)
    assert code == 1
    assert result["msg"].startswith("Datadog API GET %s/a returned HTTP 403: Forbidden. Check api_key and app_key" % SERVICES)
    assert (result["status"], result["api_errors"]) == (403, ["Forbidden"])
    assert "wrong-app-key-abcdef" not in json.dumps(result) and KEY not in json.dumps(result)


def test_main_without_diff_mode_returns_no_diff(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, service_name="a", service_key=KEY), capsys)
    assert code == 0 and result["changed"] and "diff" not in result


def test_main_with_diff_mode(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, service_name="a", service_key=KEY, _ansible_diff=True), capsys)
    assert result["diff"] == dict(before={}, after={"service_name": "a"})


def test_info_lists_present_and_missing_in_order(sandbox, state, capsys):
    seed(state, **{"b c": KEY, "a": KEY})
    code, result = run_main(info_module, connection(sandbox, service_names=["a", "zz", "b c"]), capsys)
    assert code == 0 and result["changed"] is False
    assert result["services"] == [{"service_name": "a"}, {"service_name": "b c"}]
    assert result["missing"] == ["zz"]
    # Reads run in parallel: one GET per name, in any order.
    assert sorted(calls(state)) == [("GET", SERVICES + "/a"), ("GET", SERVICES + "/b%20c"), ("GET", SERVICES + "/zz")]


def test_info_refuses_unaddressable_names_before_sending(sandbox, state, capsys):
    code, result = run_main(info_module, connection(sandbox, service_names=["ok", "x/y", " "]), capsys)
    assert code == 1
    assert "service_names[1] 'x/y' contains '/'" in result["msg"] and "service_names[2] must not be empty" in result["msg"]
    assert calls(state) == []


def test_info_with_integration_off_explains(sandbox, state, capsys):
    state.update_settings({"datadog_integration_enabled": False})
    code, result = run_main(info_module, connection(sandbox, service_names=["a"]), capsys)
    assert code == 1 and "PagerDuty integration is not installed" in result["msg"]


def entry(name, key=KEY, state="present", update_key="on_create"):
    return dict(service_name=name, service_key=key, state=state, update_key=update_key)


def test_batch_mixed_states_reads_all_then_writes_in_order(api, state):
    seed(state, old=KEY, keep=KEY)
    desired = [entry("new one"), entry("keep"), entry("old", None, "absent"), entry("gone", None, "absent")]
    result = module.converge_batch(api, desired, check_mode=False, concurrency=4)
    assert [(r["service_name"], r["changed"]) for r in result["results"]] == [
        ("new one", True), ("keep", False), ("old", True), ("gone", False)]
    journal = calls(state)
    assert sorted(journal[:4]) == sorted(("GET", SERVICES + "/" + n) for n in ("new%20one", "keep", "old", "gone"))
    assert journal[4:] == [("POST", SERVICES), ("DELETE", SERVICES + "/old")]
    assert keys(state) == {"new one": KEY, "keep": KEY}
    assert result["diff"] == dict(before={"new one": {}, "old": {"service_name": "old"}},
                                  after={"new one": {"service_name": "new one"}, "old": {}})


def test_batch_in_sync_sends_exactly_one_get_per_object(api, state):
    names = ["svc-%02d" % i for i in range(20)]
    seed(state, **dict((n, KEY) for n in names))
    result = module.converge_batch(api, [entry(n) for n in names], check_mode=False, concurrency=8)
    assert not result["changed"]
    assert sorted(calls(state)) == sorted(("GET", SERVICES + "/" + n) for n in names)


def test_batch_check_mode_writes_nothing(api, state):
    seed(state, old=KEY)
    desired = [entry("a"), entry("old", None, "absent"), entry("b", update_key="always")]
    result = module.converge_batch(api, desired, check_mode=True, concurrency=3)
    assert [r["changed"] for r in result["results"]] == [True, True, True]
    assert all(method == "GET" for method, dummy in calls(state))
    assert keys(state) == {"old": KEY}


def test_batch_partial_failure_applies_the_others(api, state):
    state.add_faults({"method": "POST", "path": "", "status": 400, "body": {"errors": ["service_key cannot be blank"]}})
    desired = [entry("first"), entry("second"), entry("third")]
    result = module.converge_batch(api, desired, check_mode=False, concurrency=2)
    first, second, third = result["results"]
    assert first["failed"] and first["status"] == 400 and "service_key cannot be blank" in first["msg"]
    assert not second.get("failed") and second["changed"] and third["changed"]
    assert sorted(keys(state)) == ["second", "third"]
    assert result["changed"]


def test_batch_failed_read_skips_only_that_entry(api, state):
    state.add_faults({"method": "GET", "path": "/bad$", "status": 500, "times": 5})
    result = module.converge_batch(api, [entry("bad"), entry("good")], check_mode=False, concurrency=2)
    assert result["results"][0]["failed"] and result["results"][0]["status"] == 500
    assert result["results"][1]["changed"]
    assert ("POST", SERVICES) in calls(state) and sorted(keys(state)) == ["good"]


def test_main_batch_fails_listing_each_failure(sandbox, state, capsys):
    state.add_faults({"method": "POST", "status": 403, "body": {"errors": ["Forbidden"]}})
    services = [dict(service_name="x", service_key=KEY), dict(service_name="y", service_key=NEW_KEY)]
    code, result = run_main(module, connection(sandbox, services=services), capsys)
    assert code == 1
    assert result["msg"].startswith("1 of 2 service objects failed (the others were applied): x: Datadog API POST")
    assert [r["changed"] for r in result["results"]] == [False, True] and result["changed"]
    assert KEY not in json.dumps(result) and NEW_KEY not in json.dumps(result)


def test_main_batch_validates_every_entry_before_sending(sandbox, state, capsys):
    services = [dict(service_name="ok", service_key=KEY), dict(service_name="a/b", service_key=KEY),
                dict(service_name="ok", service_key=KEY), dict(service_name="nokey")]
    code, result = run_main(module, connection(sandbox, services=services, concurrency=0), capsys)
    assert code == 1
    for text in ("concurrency must be between 1 and 32", "services[1].service_name 'a/b' contains '/'",
                 "services[2].service_name 'ok' is listed more than once",
                 "services[3].service_key must not be empty or blank when state=present"):
        assert text in result["msg"]
    assert calls(state) == []


def test_main_batch_entry_inherits_top_level_state(sandbox, state, capsys):
    seed(state, a=KEY, b=KEY)
    code, result = run_main(module, connection(sandbox, state="absent", services=[dict(name="a"), dict(name="b")]), capsys)
    assert code == 0 and [r["state"] for r in result["results"]] == ["absent", "absent"]
    assert keys(state) == {}
