# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tests/sandbox/process.py (starting and stopping the sandbox) and client.py (its control API)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
import time

import pytest

from ansible_collections.oncall.pagerduty.tests.sandbox import facts, process
from ansible_collections.oncall.pagerduty.tests.sandbox.client import ControlApiError, SandboxClient
from ansible_collections.oncall.pagerduty.tests.sandbox.process import SandboxProcess

PROCESS_PY = process.__file__


def test_starts_answers_and_always_stops(tmp_path):
    sandbox = SandboxProcess(str(tmp_path / "sandbox.log"), latency_ms=5)
    sandbox.stop()  # nothing to stop yet
    with sandbox:
        assert sandbox.running() and sandbox.pid
        assert sandbox.url.startswith("http://127.0.0.1:")
        assert sandbox.datadog_url == sandbox.url
        assert sandbox.cloudflare_url == sandbox.url + facts.CLOUDFLARE_PREFIX
        assert sandbox.log_text().startswith(facts.LISTENING_LINE + sandbox.url + "\n")
        client = SandboxClient(sandbox.url)
        assert client.health() == {"ok": True}
        assert client.settings()["latency_ms"] == 5
        assert client.cloudflare_url == sandbox.cloudflare_url
    assert not sandbox.running() and sandbox.returncode == 0
    assert sandbox.problems() == []
    sandbox.stop()


def test_a_sandbox_that_cannot_start_is_reported_with_its_log(tmp_path):
    sandbox = SandboxProcess(str(tmp_path / "sandbox.log"), tls_cert=str(tmp_path / "missing.pem"))
    with pytest.raises(RuntimeError, match="exited with 1 before listening") as caught:
        sandbox.start()
    assert "FileNotFoundError" in str(caught.value)
    assert not sandbox.running()


def test_the_client_reports_a_refused_control_call(tmp_path):
    with SandboxProcess(str(tmp_path / "sandbox.log")) as sandbox:
        client = SandboxClient(sandbox.url)
        with pytest.raises(ControlApiError, match="answered 400"):
            client.settings(datadog_delete_status=418)
        client.seed_datadog({"web": "key-web-0123456789"})
        assert client.datadog_services() == {"web": "key-web-0123456789"}
        client.reset()
        assert client.datadog_services() == {} and client.journal() == []


def test_log_problems_leave_out_clients_that_hung_up():
    hung_up = "Traceback (most recent call last):\n  ...\nBrokenPipeError: [Errno 32] Broken pipe"
    broken = "Traceback (most recent call last):\n  ...\nKeyError: 'x'"
    text = "%sline\n%s\n%s\n" % (facts.LISTENING_LINE, hung_up, broken)
    assert process.log_problems(text) == [broken]
    assert process.log_problems(facts.LISTENING_LINE + "http://127.0.0.1:1\n") == []


def run_cli(*argv):
    return subprocess.run([sys.executable, PROCESS_PY] + list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=True, timeout=60)


def alive(pid):
    return process._alive(pid)  # pylint: disable=protected-access


def test_command_line_start_outlives_the_command_and_stop_ends_it(tmp_path):
    state_file = str(tmp_path / "sandbox.json")
    started = json.loads(run_cli("start", "--state-file", state_file, "--log-file", str(tmp_path / "sandbox.log"),
                                 "--latency-ms", "3").stdout)
    try:
        with open(state_file, encoding="utf-8") as handle:
            assert json.load(handle) == started
        assert os.stat(state_file).st_mode & 0o777 == 0o600
        assert SandboxClient(started["url"]).settings()["latency_ms"] == 3
        assert run_cli("stop", "--state-file", state_file).stdout == "stopped the sandbox (PID %d)\n" % started["pid"]
        assert not alive(started["pid"]) and not os.path.exists(state_file)
        assert run_cli("stop", "--state-file", state_file).stdout == "nothing to stop\n"
    finally:
        if alive(started["pid"]):
            os.kill(started["pid"], 9)


def test_stop_leaves_alone_a_process_that_is_not_the_recorded_sandbox(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=str(tmp_path))  # pylint: disable=consider-using-with
    try:
        state_file = str(tmp_path / "sandbox.json")
        with open(state_file, "w", encoding="utf-8") as handle:
            json.dump({"url": "http://127.0.0.1:1", "pid": other.pid}, handle)
        assert process.stop_detached(state_file) is None
        time.sleep(0.1)
        assert other.poll() is None and not os.path.exists(state_file)
    finally:
        other.kill()
        other.wait()
