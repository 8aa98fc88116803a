# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted HTTP server on loopback: each test lists the answers it expects to give, in order.

Like community.hrobot's expected-call lists, but over real HTTP: an unexpected extra request fails
the test, and every request received is recorded for assertions.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.pki import make_pki
from ansible_collections.oncall.pagerduty.tests.sandbox.server import Sandbox


class Answer:
    def __init__(self, status=200, body=None, headers=None, content_type=None, drop=False, delay=0.0):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type
        self.drop = drop
        self.delay = delay

    def encoded(self):
        if self.body is None:
            return b"", self.content_type
        if isinstance(self.body, (dict, list)):
            return json.dumps(self.body).encode("utf-8"), self.content_type or "application/json"
        return self.body.encode("utf-8"), self.content_type or "text/plain"


class ScriptedServer:
    def __init__(self):
        self.answers = []
        self.requests = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                with server.lock:
                    server.requests.append(dict(method=self.command, path=self.path, headers=dict(self.headers),
                                                body=json.loads(raw) if raw else None))
                    answer = server.answers.pop(0) if server.answers else Answer(599, {"errors": ["unexpected request"]})
                if answer.delay:
                    threading.Event().wait(answer.delay)
                if answer.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                payload, content_type = answer.encoded()
                self.send_response(answer.status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs=dict(poll_interval=0.02), daemon=True)
        self.thread.start()

    def script(self, *answers):
        self.answers.extend(answers)

    def calls(self):
        return [(r["method"], r["path"]) for r in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted():
    server = ScriptedServer()
    yield server
    server.close()
    assert not server.answers, "scripted answers left unused: %r" % [(a.status, a.body) for a in server.answers]


class FakeTime:
    """A clock that jumps forward when slept on: tests see every wait the client asked for, instantly."""

    def __init__(self):
        self.now = 1000000.0
        self.waits = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture(scope="session")
def sandbox():
    """The real sandbox, in-process, shared by the module tests; `state` resets it for each test."""
    with Sandbox() as server:
        yield server


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A throwaway CA, a server certificate it signed, and an unrelated CA (tests/sandbox/pki.py)."""
    return make_pki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture(scope="session")
def tls_sandbox(pki):
    """The real sandbox, in-process, over HTTPS with the certificate of ``pki``."""
    with Sandbox(tls_cert=pki.server_cert, tls_key=pki.server_key) as server:
        yield server


@pytest.fixture
def state(sandbox):
    sandbox.reset()
    return sandbox.state


def datadog_options(api_url, **overrides):
    """A Datadog task's connection options with the sandbox's keys, and overrides."""
    return dict(dict(api_key=facts.DATADOG_API_KEY, app_key=facts.DATADOG_APP_KEY, api_url=api_url), **overrides)


def cloudflare_options(api_url, **overrides):
    """A Cloudflare task's connection options with the sandbox's account and token, and overrides."""
    return dict(dict(account_id=facts.CLOUDFLARE_ACCOUNT_ID, api_token=facts.CLOUDFLARE_API_TOKEN, api_url=api_url),
                **overrides)


def journal_calls(state):
    """(method, raw path) of every request the sandbox received, in order."""
    return [(entry["method"], entry["path"]) for entry in state.journal_view()]


def run_main(target, args, capsys):
    """Run a module's main() as Ansible would; returns its exit code and its JSON result."""
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            target.main()
    return exited.value.code, json.loads(capsys.readouterr().out)
