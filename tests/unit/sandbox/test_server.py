# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's server (server.py): HTTP/1.1 keep-alive, concurrent requests and its command line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import re
import signal
import subprocess
import sys

import requests

from ansible_collections.oncall.pagerduty.tests.sandbox.process import SERVER_SCRIPT
from ansible_collections.oncall.pagerduty.tests.unit.sandbox.conftest import DD, SERVICES, ctl, journal


def test_keep_alive_and_content_length(sandbox):
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=5)
    try:
        conn.request("POST", "/_sandbox/reset")
        reset = conn.getresponse()
        assert reset.version == 11 and reset.read() == b'{"ok": true}'
        for path in (SERVICES + "/x", "/nothing", SERVICES + "/a%2Fb"):
            conn.request("GET", path, headers=DD)
            response = conn.getresponse()
            assert response.getheader("Content-Length") == str(len(response.read()))
            assert response.getheader("Connection") is None
        assert conn.sock is not None
    finally:
        conn.close()


def test_concurrent_requests(api):
    import concurrent.futures  # pylint: disable=import-outside-toplevel

    def work(index):
        with requests.Session() as session:
            created = session.post(api.url + SERVICES, headers=DD, json={"service_name": "s%d" % index, "service_key": "k"})
            return created.status_code, session.get(api.url + SERVICES + "/s%d" % index, headers=DD).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(work, range(40))) == {(201, 200)}
    assert len(ctl(api, "GET", "state").json()["datadog"]["services"]) == 40
    assert len(journal(api)) == 80


def test_command_line_start_and_sigterm():
    process = subprocess.Popen([sys.executable, SERVER_SCRIPT, "--port", "0", "--latency-ms", "5"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        line = process.stdout.readline().strip()
        match = re.match(r"^sandbox listening on (http://127\.0\.0\.1:(\d+))$", line)
        assert match and int(match.group(2)) > 0, line
        assert requests.get(match.group(1) + "/_sandbox/settings", timeout=5).json()["latency_ms"] == 5
        assert requests.get(match.group(1) + SERVICES + "/x", headers=DD, timeout=5).status_code == 404
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()
