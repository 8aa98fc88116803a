# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""validate_certs and ca_path against a real TLS handshake, whatever CA-bundle variables the
environment holds. requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace a Session's verify
setting; the client must pass its choice with every request so that the task's options win."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import CA_BUNDLE_VARIABLES, ApiError, HttpClient

PING = "/_sandbox/health"

# The environments a task can meet: no CA-bundle variable, or one that names a bundle without our CA.
ENVIRONMENTS = {
    "no-bundle-variable": {},
    "REQUESTS_CA_BUNDLE-unrelated": {"REQUESTS_CA_BUNDLE": "unrelated"},
    "CURL_CA_BUNDLE-unrelated": {"CURL_CA_BUNDLE": "unrelated"},
    "both-unrelated": {"REQUESTS_CA_BUNDLE": "unrelated", "CURL_CA_BUNDLE": "unrelated"},
}


@pytest.fixture(params=sorted(ENVIRONMENTS))
def ca_environment(request, monkeypatch, pki):
    """Sets the CA-bundle variables of one environment; returns their names and values."""
    for name in CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    values = {}
    for name, which in ENVIRONMENTS[request.param].items():
        values[name] = pki.unrelated_ca_cert if which == "unrelated" else which
        monkeypatch.setenv(name, values[name])
    return values


def get(sandbox, sleeps, **tls_options):
    client = HttpClient(sandbox.url, vendor="Acme", retries=3, sleep=sleeps.append, **tls_options)
    try:
        return client.request("GET", PING)
    finally:
        client.close()


def test_ca_path_wins_over_the_environment(tls_sandbox, pki, ca_environment):
    assert get(tls_sandbox, [], ca_path=pki.ca_cert).status == 200


def test_validate_certs_false_wins_over_the_environment(tls_sandbox, pki, ca_environment):
    assert get(tls_sandbox, [], validate_certs=False, ca_path=None).status == 200


def test_a_refused_certificate_fails_at_once_and_says_what_was_trusted(tls_sandbox, ca_environment):
    sleeps = []
    with pytest.raises(ApiError) as raised:
        get(tls_sandbox, sleeps)
    message = str(raised.value)
    assert message.startswith("Acme API GET %s failed: TLS error: the server's certificate was refused: " % PING)
    assert "certificate verify failed" in message
    if ca_environment:
        name = "REQUESTS_CA_BUNDLE" if "REQUESTS_CA_BUNDLE" in ca_environment else "CURL_CA_BUNDLE"
        assert "the CA bundle that %s names (%s)" % (name, ca_environment[name]) in message
    else:
        assert "the default CA bundle of requests (certifi)" in message
    assert "Set ca_path to the CA that signed it" in message
    # Deterministic, and nothing was sent: no retry, no wait, not a write that may have landed.
    assert (raised.value.attempts, raised.value.maybe_applied, sleeps) == (1, False, [])
    assert tls_sandbox.state.journal_view() == []


def test_the_environment_bundle_applies_when_neither_option_is_set(tls_sandbox, pki, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", pki.ca_cert)
    assert get(tls_sandbox, []).status == 200


def test_a_wrong_ca_path_is_named_in_the_failure(tls_sandbox, pki, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", pki.ca_cert)
    with pytest.raises(ApiError) as raised:
        get(tls_sandbox, [], ca_path=pki.unrelated_ca_cert)
    assert "It was checked against the CA file or directory of ca_path (%s)." % pki.unrelated_ca_cert in str(raised.value)
