# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""main() of the Cloudflare destination module and its info module: bad options, credentials, API errors, check/diff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination_info as info_module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import journal_calls as calls, run_main, warning_texts
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules.cloudflare_destination import (
    ACCOUNT, CHECKOUT, CONNECT, DASHBOARD, ELIGIBLE, LIST, PAYMENTS, SEARCH, TOKEN, connected, connection, names, seed)

pytestmark = pytest.mark.usefixtures("no_cloudflare_environment")


# -- main ----------------------------------------------------------------------------------------

def test_main_reports_bad_input_without_sending(sandbox, state, capsys):
    args = connection(sandbox, account_id="ops@example.com", api_key=facts.CLOUDFLARE_API_KEY, state="absent",
                      services=["payments"])
    code, result = run_main(module, args, capsys)
    assert code == 1 and result["failed"]
    assert result["msg"].startswith("Invalid options: account_id looks like an email address")
    assert "api_token and api_key are both set" in result["msg"]
    assert "services cannot be used with state=absent" in result["msg"]
    assert len(result["invalid_options"]) == 3
    assert calls(state) == []


def test_main_takes_the_credentials_from_cloudflares_environment_variables(sandbox, state, capsys, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    monkeypatch.setenv("CLOUDFLARE_EMAIL", facts.CLOUDFLARE_EMAIL)
    monkeypatch.setenv("CLOUDFLARE_API_KEY", facts.CLOUDFLARE_API_KEY)
    monkeypatch.setenv("CLOUDFLARE_BASE_URL", sandbox.cloudflare_url)
    seed(state, PAYMENTS)
    code, result = run_main(info_module, {}, capsys)
    assert code == 0 and result["services"] == [PAYMENTS]


def test_main_fails_with_the_api_error_and_no_secret(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, api_token="wrong-token-abcdef"), capsys)
    assert code == 1
    assert result["msg"] == ("Cloudflare API GET %s returned HTTP 401: 10000: Authentication error. Cloudflare did not "
                             "accept the credentials: check api_token" % LIST[10:])
    assert (result["status"], result["api_errors"]) == (401, ["10000: Authentication error"])
    assert "wrong-token-abcdef" not in json.dumps(result)


def test_main_reports_a_foreign_account_as_refused(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, account_id="f" * 32), capsys)
    assert code == 1 and result["status"] == 403
    assert "check that account_id %s is an account they can reach" % ("f" * 32) in result["msg"]
    # Code 10000 refuses the credentials: the eligibility, which needs the same permissions, is not read.
    assert [method for method, path in calls(state)] == ["GET"]


def test_main_create_token_returns_it_and_warns_with_the_steps(sandbox, state, capsys):
    code, result = run_main(module, connection(sandbox, services=["payments"], create_token=True), capsys)
    assert code == 0 and result["changed"] is True
    token = result["token_id"]
    assert token in state.snapshot()["cloudflare"]["tokens"]
    assert warning_texts(result) == [result["next_step"]]
    assert token not in result["next_step"]
    assert "diff" not in result


def test_main_link_failure_never_shows_the_token(sandbox, state, capsys):
    state.seed({"cloudflare": {"tokens": {TOKEN: {}}}})
    code, result = run_main(module, connection(sandbox, services=["payments"], token_id=TOKEN), capsys)
    assert code == 1 and "Could not link the connection token" in result["msg"]
    assert result["request"]["path"] == CONNECT[10:] + "/{token_id}"
    assert TOKEN not in json.dumps(result)


def test_main_connect_flow_with_check_and_diff_mode(sandbox, state, capsys):
    seed(state, **{TOKEN: [PAYMENTS]})
    args = connection(sandbox, services=["payments"], token_id=TOKEN, _ansible_diff=True)
    code, result = run_main(module, dict(args, _ansible_check_mode=True), capsys)
    assert code == 0 and result["changed"] is True
    assert result["diff"] == names([], ["payments"])
    assert connected(state) == []
    code, result = run_main(module, args, capsys)
    assert code == 0 and result["changed"] is True and result["services"] == [PAYMENTS]
    assert result["diff"] == names([], ["payments"])
    code, result = run_main(module, args, capsys)
    assert code == 0 and result["changed"] is False
    assert [c for c in calls(state) if "/connect" in c[1]] == [("GET", CONNECT + "/" + TOKEN)]


def test_main_fails_with_missing_names_and_services_listed(sandbox, state, capsys):
    seed(state, SEARCH)
    code, result = run_main(module, connection(sandbox, services=["payments"]), capsys)
    assert code == 1 and result["missing"] == ["payments"] and result["services"] == [SEARCH]
    assert "create_token: true" in result["msg"] and DASHBOARD in result["msg"]


def test_main_absent_with_diff(sandbox, state, capsys):
    seed(state, PAYMENTS)
    code, result = run_main(module, connection(sandbox, state="absent", _ansible_diff=True), capsys)
    assert code == 0 and result["changed"] is True and result["services"] == []
    assert result["diff"] == names(["payments"], [])
    assert connected(state) == []


# -- info ----------------------------------------------------------------------------------------

def test_info_lists_the_connected_services_and_changes_nothing(sandbox, state, capsys):
    seed(state, PAYMENTS, CHECKOUT)
    code, result = run_main(info_module, connection(sandbox, _ansible_check_mode=True), capsys)
    assert code == 0 and result["changed"] is False
    assert result["services"] == [PAYMENTS, CHECKOUT]
    assert (result["eligible"], result["ready"]) == (True, True)
    assert calls(state) == [("GET", LIST), ("GET", ELIGIBLE)]


def test_info_fails_with_the_api_error(sandbox, state, capsys):
    code, result = run_main(info_module, connection(sandbox, api_token=None, email=facts.CLOUDFLARE_EMAIL,
                                                    api_key="wrong key"), capsys)
    assert code == 1 and result["status"] == 400
    assert result["api_errors"] == ["6003: Invalid request headers (6103: Invalid format for X-Auth-Key header)"]
    assert "wrong key" not in json.dumps(result)


def test_info_refuses_bad_options_before_sending(sandbox, state, capsys):
    code, result = run_main(info_module, connection(sandbox, api_token=None), capsys)
    assert code == 1 and "no credentials: set api_token" in result["msg"]
    assert calls(state) == []
