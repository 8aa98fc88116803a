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

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import ansible.module_utils.common.warnings as common_warnings
import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._cloudflare import (
    DEFAULT_API_URL,
    CloudflarePagerDutyApi,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError, HttpClient
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.pki import make_pki
from ansible_collections.oncall.pagerduty.tests.sandbox.server import Sandbox

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19: the arguments a module reads are basic._ANSIBLE_ARGS
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


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

    def waits_between(self, low, high):
        """How many waits there were, when each was between low and high seconds; else the waits themselves."""
        return len(self.waits) if all(low <= wait <= high for wait in self.waits) else self.waits


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def instant_waits(monkeypatch):
    """Every HttpClient of the test waits instantly on a FakeTime (its clock jumps forward); `.waits` lists the waits."""
    fake = FakeTime()
    monkeypatch.setattr(HttpClient, "sleep", staticmethod(fake.sleep))
    monkeypatch.setattr(HttpClient, "clock", staticmethod(fake.time))
    return fake


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
def no_cloudflare_environment(monkeypatch):
    """The Cloudflare modules read only the task's options, not the environment's fallbacks."""
    for name in ("CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL",
                 "CLOUDFLARE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


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


@pytest.fixture
def cloudflare_api(sandbox, state):
    """The Cloudflare adapter on a freshly reset sandbox, each request tried twice (retries=1)."""
    return CloudflarePagerDutyApi.from_options(cloudflare_options(sandbox.cloudflare_url, timeout=5, retries=1))


def journal_calls(state):
    """(method, raw path) of every request the sandbox received, in order."""
    return [(entry["method"], entry["path"]) for entry in state.journal_view()]


def journal_answers(state):
    """(method, raw path, status) of every request the sandbox received, in order; status None: dropped unanswered."""
    return [(entry["method"], entry["path"], entry["status"]) for entry in state.journal_view()]


def in_any_order(calls):
    """Requests sent in parallel, to compare whatever order they came in."""
    return sorted(calls, key=repr)


def wait_for_late_answers(state, seconds=5.0):
    """Wait until the sandbox has answered every request it received: a slow answer comes after its client left."""
    deadline = time.monotonic() + seconds
    while any(entry["status"] is None for entry in state.journal_view()):
        assert time.monotonic() < deadline, "still unanswered: %r" % journal_answers(state)
        time.sleep(0.01)


def task_status(result):
    """ok, changed or failed: how ansible-playbook would show the module's result."""
    if result.get("failed"):
        return "failed"
    return "changed" if result["changed"] else "ok"


def assert_no_secret_shown(result, *values):
    """The module's JSON result (msg, warnings and every other field) shows no credential of the sandbox and none of
    values (service keys, tokens); nor a value Ansible had to mask, nor a Python traceback."""
    text = json.dumps(result)
    shown = [value for value in facts.SECRETS + values if value in text]
    assert shown == [], "secret values in the module's output: %s" % text
    assert "********" not in text, "the module tried to show a no_log value: %s" % text
    assert "Traceback (most recent call last)" not in text


def run_main(target, args, capsys):
    """Run a module's main() as Ansible would; returns its exit code and its JSON result."""
    # A module process starts with no warnings; in one test process, ansible-core before 2.19 keeps them.
    for name in ("_global_warnings", "_global_deprecations"):
        getattr(common_warnings, name).clear()
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            target.main()
    return exited.value.code, json.loads(capsys.readouterr().out)


def warning_texts(result):
    """The texts of a module result's warnings: ansible-core 2.19 and later wrap each in a summary."""
    return [w["event"]["msg"] if isinstance(w, dict) else w for w in result.get("warnings", [])]


def run_checked(target, args, capsys, *secrets):
    """run_main, and check that it exits 1 exactly when it failed, showing no secret (assert_no_secret_shown)."""
    code, result = run_main(target, args, capsys)
    assert code == (1 if result.get("failed") else 0)
    assert_no_secret_shown(result, *secrets)
    return result


def forget_faults_and_requests(state):
    """Before a re-run: no fault left, and an empty journal to hold the re-run's requests alone."""
    state.faults_clear()
    state.journal_clear()


# -- the Cloudflare adapter against the scripted server --------------------------------------------
# What the adapter's tests (tests/unit/plugins/module_utils/test_cloudflare_adapter_*.py) share. They import these
# under short names: SECRET, TOKEN, UUID_TOKEN, PATH, ELIGIBLE_PATH, ELIGIBILITY, envelope, ok, refused, params, raised.

CLOUDFLARE_SECRET = "cf-token-0123456789abcdefghijklmnopqrstuv"  # the api_token of cloudflare_params()
CLOUDFLARE_TOKEN = "5f0c3b1e9a7d4c2b8e6f1a3d5c7b9e0f"  # a connection token (token_id)
CLOUDFLARE_UUID_TOKEN = "5f0c3b1e-9a7d-4c2b-8e6f-1a3d5c7b9e0f"  # the same, as a UUID with dashes
CLOUDFLARE_PATH = facts.cloudflare_destinations_path()
CLOUDFLARE_ELIGIBLE_PATH = facts.cloudflare_eligible_path()
# The eligibility as Cloudflare answers it: a map from each delivery mechanism to a list of one item.
CLOUDFLARE_ELIGIBILITY = dict((kind, [{"eligible": True, "ready": True, "type": kind}])
                              for kind in ("email", "pagerduty", "webhook"))


def cloudflare_envelope(result=None, success=True, errors=None, messages=None, with_result=True):
    """The body of a Cloudflare answer: success, errors, messages, and the result unless with_result is false."""
    body = {"success": success, "errors": errors or [], "messages": messages or []}
    if with_result:
        body["result"] = result
    return body


def cloudflare_ok(result=None, status=200, **kwargs):
    return Answer(status, cloudflare_envelope(result, **kwargs))


def cloudflare_refused(status, *errors):
    return Answer(status, cloudflare_envelope(None, success=False, errors=list(errors)))


def cloudflare_params(**overrides):
    """The adapter's options as a module holds them: the sandbox's account, CLOUDFLARE_SECRET, and overrides."""
    values = dict(account_id=facts.CLOUDFLARE_ACCOUNT_ID, api_token=CLOUDFLARE_SECRET, api_key=None, email=None,
                  api_url=DEFAULT_API_URL, validate_certs=True, ca_path=None, timeout=30, retries=3)
    values.update(overrides)
    return values


@pytest.fixture
def make_api(scripted, fake_time):
    """make_api(**overrides): the Cloudflare adapter on the scripted server, its options cloudflare_params(**overrides),
    its waits on fake_time."""
    def make(**overrides):
        options = cloudflare_params(api_url=scripted.url + "/client/v4/", **overrides)
        result = CloudflarePagerDutyApi.from_options(options)
        result.client.sleep, result.client.clock = fake_time.sleep, fake_time.time
        return result
    return make


@pytest.fixture
def api(make_api):
    """The Cloudflare adapter on the scripted server (Datadog's and the sandbox's tests define an api of their own)."""
    return make_api()


def raised_api_error(call):
    """The ApiError call() raises."""
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value
