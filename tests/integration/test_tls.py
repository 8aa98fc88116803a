# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""validate_certs and ca_path over a real TLS handshake, for both vendors, with the CA-bundle
variables unset and with them naming a bundle that does not hold the sandbox's CA (as on many
corporate images and execution environments). The task's options must win either way."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.sandbox.client import SandboxClient
from ansible_collections.oncall.pagerduty.tests.sandbox.pki import make_pki
from ansible_collections.oncall.pagerduty.tests.sandbox.process import SandboxProcess
from cloudflare_tasks import DELETE_ALL, ELIGIBILITY, LIST, PAYMENTS, CloudflareTasks, destinations, seed_destinations
from datadog_tasks import GET, POST, DatadogTasks
from integration_harness import PlaybookRunner

KEY = "pdkey-tls-0123456789abcdef"
SERVICE = "tls-payments"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(str(tmp_path_factory.mktemp("pki")))


@pytest.fixture(scope="module")
def tls_sandbox_process(tmp_path_factory, pki):
    log = tmp_path_factory.mktemp("tls-sandbox") / "sandbox.log"
    process = SandboxProcess(str(log), tls_cert=pki.server_cert, tls_key=pki.server_key).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def tls_sandbox(tls_sandbox_process, pki):
    client = SandboxClient(tls_sandbox_process.url, ca_file=pki.ca_cert)
    assert client.url.startswith("https://")
    client.reset()
    offset = tls_sandbox_process.log_size()
    yield client
    problems = tls_sandbox_process.problems(offset)
    assert not problems, "the sandbox logged errors during this test:\n%s" % "\n\n".join(problems)


@pytest.fixture(params=["bundle-variables-unset", "bundle-variables-unrelated"])
def ca_env(request, pki):
    """The CA-bundle variables of the run (the harness starts every run from an empty environment)."""
    if request.param == "bundle-variables-unset":
        return {}
    return {"REQUESTS_CA_BUNDLE": pki.unrelated_ca_cert, "CURL_CA_BUNDLE": pki.unrelated_ca_cert}


@pytest.fixture
def run_tls_playbook(tmp_path, tls_sandbox, secrets):
    return PlaybookRunner(tmp_path, secrets, sandbox=tls_sandbox)


def assert_certificate_refused(run, task, ca_env):
    message = run.failure(task)["msg"]
    assert "TLS error: the server's certificate was refused: " in message, message
    assert "certificate verify failed" in message, message
    if ca_env:
        assert "the CA bundle that REQUESTS_CA_BUNDLE names (%s)" % ca_env["REQUESTS_CA_BUNDLE"] in message, message
    else:
        assert "the default CA bundle of requests (certifi)" in message, message


def test_datadog_ca_path_and_validate_certs_win_over_the_environment(run_tls_playbook, tls_sandbox, pki, ca_env):
    datadog = DatadogTasks(tls_sandbox.datadog_url)
    run = run_tls_playbook([
        datadog.service("with ca_path", service_name=SERVICE, service_key=KEY, ca_path=pki.ca_cert),
        datadog.service("without ca_path", ignore_errors=True, service_name=SERVICE, service_key=KEY),
        datadog.service("validate_certs false", service_name=SERVICE, service_key=KEY, validate_certs=False),
        datadog.info("info with ca_path", register="info", service_names=[SERVICE], ca_path=pki.ca_cert),
    ], env=ca_env)

    assert run.status("with ca_path") == "changed"
    assert_certificate_refused(run, "without ca_path", ca_env)
    assert run.status("validate_certs false") == "ok"
    assert run.result("info with ca_path")["services"] == [{"service_name": SERVICE}]
    # The refused handshake sent nothing, and was not retried.
    assert tls_sandbox.calls("datadog") == [GET(SERVICE), POST, GET(SERVICE), GET(SERVICE)]
    assert tls_sandbox.datadog_services() == {SERVICE: KEY}


def test_cloudflare_ca_path_and_validate_certs_win_over_the_environment(run_tls_playbook, tls_sandbox, pki, ca_env):
    cloudflare = CloudflareTasks(tls_sandbox.cloudflare_url)
    seed_destinations(tls_sandbox, [PAYMENTS])
    run = run_tls_playbook([
        cloudflare.info("info with ca_path", ca_path=pki.ca_cert),
        cloudflare.destination("without ca_path", ignore_errors=True, services=["payments"]),
        cloudflare.destination("validate_certs false", state="absent", validate_certs=False),
    ], env=ca_env)

    assert run.result("info with ca_path")["services"] == [PAYMENTS]
    assert_certificate_refused(run, "without ca_path", ca_env)
    assert run.status("validate_certs false") == "changed"
    assert tls_sandbox.calls("cloudflare") == [LIST, ELIGIBILITY, LIST, DELETE_ALL]
    assert destinations(tls_sandbox) == []
