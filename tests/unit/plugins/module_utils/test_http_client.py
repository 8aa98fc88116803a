# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import os
import re
import socket
import threading

import pytest
import requests

from ansible_collections.oncall.pagerduty.plugins.module_utils import _http_client as http_client
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError, HttpClient
from ansible_collections.oncall.pagerduty.tests.unit.conftest import Answer

GALAXY_YML = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")


def make_client(server, fake_time, **kwargs):
    kwargs.setdefault("retries", 3)
    return HttpClient(server.url, vendor="Acme", sleep=fake_time.sleep, clock=fake_time.time, **kwargs)


def test_json_in_and_out_with_user_agent(scripted, fake_time):
    scripted.script(Answer(201, {"id": 7}))
    response = make_client(scripted, fake_time, headers={"X-Key": "k"}).request("POST", "/things", body={"name": "a"})
    assert (response.status, response.body) == (201, {"id": 7})
    sent = scripted.requests[0]
    assert sent["body"] == {"name": "a"}
    assert sent["headers"]["Content-Type"] == "application/json"
    assert sent["headers"]["X-Key"] == "k"
    assert re.match(r"oncall\.pagerduty/\d+\.\d+\.\d+ python-requests/", sent["headers"]["User-Agent"])


def test_user_agent_version_matches_galaxy_yml():
    with open(GALAXY_YML) as handle:
        version = re.search(r"^version:\s*['\"]?([^'\"\s]+)", handle.read(), re.M).group(1)
    assert http_client.COLLECTION_VERSION == version


@pytest.mark.parametrize("answer", [
    Answer(204, None),
    Answer(200, "<html>ok</html>", content_type="text/html"),
    Answer(200, "   ", content_type="application/json"),
])
def test_empty_and_non_json_success_bodies(scripted, fake_time, answer):
    scripted.script(answer)
    response = make_client(scripted, fake_time).request("DELETE", "/things/1")
    assert response.body is None
    assert 200 <= response.status < 300


def test_429_honours_retry_after_seconds_then_succeeds(scripted, fake_time):
    scripted.script(Answer(429, {"errors": ["slow down"]}, headers={"Retry-After": "7"}), Answer(200, {"ok": True}))
    assert make_client(scripted, fake_time).request("GET", "/x").body == {"ok": True}
    assert len(fake_time.waits) == 1 and 7 <= fake_time.waits[0] < 7.3


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_an_http_date_is_honoured(scripted, fake_time, status):
    when = email.utils.formatdate(fake_time.now + 12, usegmt=True)
    scripted.script(Answer(status, None, headers={"Retry-After": when}), Answer(200, {}))
    make_client(scripted, fake_time).request("GET", "/x")
    assert fake_time.waits_between(12, 12.25) == 1
    assert scripted.calls() == [("GET", "/x")] * 2


def test_429_honours_x_ratelimit_reset_and_retries_even_a_post(scripted, fake_time):
    scripted.script(Answer(429, "<html>Too Many Requests</html>", content_type="text/html", headers={"X-RateLimit-Reset": "3"}),
                    Answer(201, {"created": True}))
    response = make_client(scripted, fake_time).request("POST", "/x", body={})
    assert response.status == 201
    assert 3 <= fake_time.waits[0] < 3.3
    assert scripted.calls() == [("POST", "/x"), ("POST", "/x")]


def test_retry_after_is_capped_at_60_seconds(scripted, fake_time):
    scripted.script(Answer(429, None, headers={"Retry-After": "3600"}), Answer(200, {}))
    make_client(scripted, fake_time).request("GET", "/x")
    assert http_client.MAX_RETRY_WAIT == 60
    assert fake_time.waits_between(60, 60.25) == 1
    assert scripted.calls() == [("GET", "/x")] * 2


def test_429_pauses_every_later_request_of_the_client(scripted, fake_time):
    client = make_client(scripted, fake_time)
    scripted.script(Answer(429, None, headers={"Retry-After": "5"}), Answer(200, {}))
    client.request("GET", "/a")
    fake_time.now -= 4  # as if another thread asks one second after the pause began
    scripted.script(Answer(200, {}))
    client.request("GET", "/b")
    assert len(fake_time.waits) == 2 and 4 <= fake_time.waits[1] < 4.3


@pytest.mark.parametrize("retries, answer, messages, shown", [
    pytest.param(3, Answer(503, {"errors": ["busy"]}), ["busy"], "503: busy", id="503"),
    pytest.param(4, Answer(429, None), [], "429 (empty body)", id="429"),
])
def test_without_a_header_backs_off_exponentially_up_to_the_budget_then_gives_up(scripted, fake_time, retries, answer,
                                                                                 messages, shown):
    scripted.script(*[answer] * (retries + 1))
    with pytest.raises(ApiError) as caught:
        make_client(scripted, fake_time, retries=retries).request("GET", "/x")
    assert len(scripted.requests) == retries + 1
    # About 1, 2, 4 (, 8) s: each between half and all of 2 ** attempt.
    assert len(fake_time.waits) == retries
    for attempt, wait in enumerate(fake_time.waits):
        assert 2 ** attempt / 2.0 <= wait <= 2 ** attempt
    error = caught.value
    assert (error.status, error.messages, error.method, error.path) == (answer.status, messages, "GET", "/x")
    assert str(error) == "Acme API GET /x returned HTTP %s (after %d attempts)" % (shown, retries + 1)


def test_a_5xx_does_not_wait_for_the_rate_limit_window_its_headers_announce(scripted, fake_time):
    """Datadog sends X-RateLimit-Reset (up to 60 s away) with every answer: only on a 429 does it mean "wait"."""
    window = {"X-RateLimit-Limit": "12000", "X-RateLimit-Period": "60", "X-RateLimit-Remaining": "11873",
              "X-RateLimit-Reset": "45"}
    scripted.script(Answer(503, {"errors": ["Service Unavailable"]}, headers=window), Answer(200, {}))
    make_client(scripted, fake_time).request("GET", "/x")
    assert fake_time.waits_between(0.5, 1.0) == 1  # the first backoff


def test_429_pauses_the_requests_of_every_thread(scripted, fake_time):
    """A rate limit concerns the credential: the requests other threads send during the pause wait for it too."""
    client = make_client(scripted, fake_time)
    others = [threading.Thread(target=client.request, args=("GET", "/%d" % index)) for index in range(2)]

    def sleep(seconds):
        fake_time.waits.append(seconds)
        if len(fake_time.waits) == 1:  # the pause after the 429: the other threads send their requests during it
            for thread in others:
                thread.start()
            for thread in others:
                thread.join()
            fake_time.now += seconds

    client.sleep = sleep
    scripted.script(Answer(429, None, headers={"Retry-After": "5"}), *[Answer(200, {}) for dummy in range(3)])
    client.request("GET", "/first")
    assert scripted.calls()[0] == scripted.calls()[3] == ("GET", "/first")
    assert sorted(scripted.calls()[1:3]) == [("GET", "/0"), ("GET", "/1")]
    assert fake_time.waits == [fake_time.waits[0]] * 3 and 5 <= fake_time.waits[0] <= 5.25


def test_retries_zero_means_one_try(scripted, fake_time):
    scripted.script(Answer(500, None))
    with pytest.raises(ApiError) as caught:
        make_client(scripted, fake_time, retries=0).request("GET", "/x")
    assert str(caught.value) == "Acme API GET /x returned HTTP 500 (empty body)"
    assert fake_time.waits == []


def test_5xx_on_a_post_is_not_retried_because_it_may_have_been_applied(scripted, fake_time):
    scripted.script(Answer(500, "<html><body>Internal error</body></html>", content_type="text/html"))
    with pytest.raises(ApiError) as caught:
        make_client(scripted, fake_time).request("POST", "/x", body={})
    assert len(scripted.requests) == 1
    assert caught.value.maybe_applied
    assert str(caught.value) == "Acme API POST /x returned HTTP 500 (HTML body)"


def test_caller_can_declare_a_post_safe_to_retry(scripted, fake_time):
    scripted.script(Answer(502, None), Answer(200, {}))
    make_client(scripted, fake_time).request("POST", "/search", body={}, idempotent=True)
    assert len(scripted.requests) == 2


def test_4xx_is_not_retried_and_keeps_the_api_texts(scripted, fake_time):
    scripted.script(Answer(400, {"errors": ["service_key cannot be blank"]}))
    with pytest.raises(ApiError) as caught:
        make_client(scripted, fake_time).request("PUT", "/x", body={})
    assert caught.value.to_result() == dict(status=400, api_errors=["service_key cannot be blank"],
                                            request=dict(method="PUT", path="/x"))


def test_expected_missing_status_is_returned_not_raised(scripted, fake_time):
    scripted.script(Answer(404, {"errors": ["Service not found"]}))
    response = make_client(scripted, fake_time).request("GET", "/x", expected_missing=(404,))
    assert (response.status, response.body) == (404, {"errors": ["Service not found"]})


def test_custom_error_reader(scripted, fake_time):
    scripted.script(Answer(403, {"success": False, "errors": [{"code": 10000, "message": "Authentication error"}]}))
    client = make_client(scripted, fake_time, error_messages=lambda body, text: ["%(code)s: %(message)s" % e for e in body["errors"]])
    with pytest.raises(ApiError, match="10000: Authentication error"):
        client.request("GET", "/x")


def test_dropped_connection_on_get_is_retried(scripted, fake_time):
    scripted.script(Answer(drop=True), Answer(200, {"ok": 1}))
    assert make_client(scripted, fake_time).request("GET", "/x").body == {"ok": 1}
    assert len(scripted.requests) == 2


def test_dropped_connection_on_post_is_not_resent(scripted, fake_time):
    scripted.script(Answer(drop=True))
    with pytest.raises(ApiError) as caught:
        make_client(scripted, fake_time).request("POST", "/x", body={})
    assert len(scripted.requests) == 1
    assert caught.value.maybe_applied and caught.value.status is None
    assert "connection lost before an answer" in str(caught.value)


def test_a_lost_write_is_rechecked_and_counts_as_done_when_it_landed(scripted, fake_time):
    scripted.script(Answer(drop=True))
    rechecks = []
    response = make_client(scripted, fake_time).request("POST", "/things", body={}, idempotent=False,
                                                        recheck=lambda: rechecks.append(1) or True)
    assert (response.status, response.landed_unseen) == (None, True)
    assert (scripted.calls(), rechecks, fake_time.waits) == ([("POST", "/things")], [1], [])


def test_a_lost_write_is_resent_once_its_recheck_found_it_missing(scripted, fake_time):
    scripted.script(Answer(drop=True), Answer(201, {"id": 1}))
    response = make_client(scripted, fake_time).request("POST", "/things", body={}, idempotent=False,
                                                        recheck=lambda: False)
    assert (response.status, response.resent_after_unclear, response.landed_unseen) == (201, True, False)
    assert scripted.calls() == [("POST", "/things")] * 2
    assert len(fake_time.waits) == 1 and 0.5 <= fake_time.waits[0] <= 1.0


def test_a_5xx_write_is_rechecked_then_resent_and_a_conflict_after_it_is_marked(scripted, fake_time):
    scripted.script(Answer(500), Answer(400, {"errors": ["exists"]}))
    with pytest.raises(ApiError) as raised:
        make_client(scripted, fake_time).request("POST", "/things", body={}, idempotent=False, recheck=lambda: False)
    # The 400 may answer our own first try, which landed late: the adapter decides with after_unclear.
    assert (raised.value.status, raised.value.after_unclear, raised.value.attempts) == (400, True, 2)
    assert scripted.calls() == [("POST", "/things")] * 2


def test_a_write_rechecked_missing_every_time_gives_up_after_the_retries(scripted, fake_time):
    scripted.script(*[Answer(drop=True)] * 3)
    with pytest.raises(ApiError) as raised:
        client = make_client(scripted, fake_time, retries=2)
        client.request("POST", "/things", body={}, idempotent=False, recheck=lambda: False)
    assert (raised.value.attempts, raised.value.maybe_applied) == (3, True)
    assert len(scripted.calls()) == 3 and len(fake_time.waits) == 2


def test_read_timeout_is_retried_for_get_and_named(scripted, fake_time):
    scripted.script(Answer(200, {}, delay=1.0), Answer(200, {}, delay=1.0))
    with pytest.raises(ApiError) as caught:
        make_client(scripted, fake_time, timeout=0.2, retries=1).request("GET", "/slow")
    assert str(caught.value) == "Acme API GET /slow failed: no answer within timeout=0.2s (after 2 attempts)"
    assert len(scripted.requests) == 2


def unused_port():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_refused_connection_is_retried_even_for_post_and_never_applied(fake_time):
    client = HttpClient("http://127.0.0.1:%d" % unused_port(), vendor="Acme", retries=2,
                        sleep=fake_time.sleep, clock=fake_time.time)
    with pytest.raises(ApiError) as caught:
        client.request("POST", "/x", body={})
    assert len(fake_time.waits) == 2
    assert not caught.value.maybe_applied
    assert re.match(r"Acme API POST /x failed: could not connect: .*Connection refused", str(caught.value))


@pytest.mark.parametrize("options, verify", [
    (dict(validate_certs=False), False),
    (dict(ca_path="/etc/ca.pem"), "/etc/ca.pem"),
    (dict(), "/env/bundle.pem"),
])
def test_tls_options_win_over_the_ca_bundle_variables(monkeypatch, options, verify):
    """The cause of a bug: requests lets REQUESTS_CA_BUNDLE replace a Session's verify, but not a
    request's own verify=False or CA path, so the client sends its choice with every request."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/bundle.pem")
    session = requests.Session()
    session.verify = False
    assert session.merge_environment_settings("https://h/x", {}, None, None, None)["verify"] == "/env/bundle.pem"
    client = HttpClient("https://h", **options)
    assert client.session.merge_environment_settings("https://h/x", {}, None, client.verify, None)["verify"] == verify


def test_proxies_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    session = HttpClient("https://api.example").session
    settings = session.merge_environment_settings("https://api.example/x", {}, None, None, None)
    assert settings["proxies"]["https"] == "http://proxy.example:3128"


def test_no_proxy_is_honoured_for_the_api_host(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "api.example")
    assert HttpClient("https://api.example").session.proxies == {}


def test_a_netrc_entry_never_replaces_the_credentials_header(scripted, fake_time, tmp_path, monkeypatch):
    """requests, left to read the environment at each request, takes a password from ~/.netrc for the
    API host and sends it as Basic auth in place of the Authorization header the vendor's token set."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    scripted.script(Answer(200, {}))
    make_client(scripted, fake_time, headers={"Authorization": "Bearer the-token"}).request("GET", "/x")
    assert scripted.requests[0]["headers"]["Authorization"] == "Bearer the-token"


def test_tls_failure_is_explained(fake_time):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def answer_plain_http():
        conn, dummy = server.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        conn.close()

    threading.Thread(target=answer_plain_http, daemon=True).start()
    client = HttpClient("https://127.0.0.1:%d" % port, vendor="Acme", retries=0, sleep=fake_time.sleep, clock=fake_time.time)
    with pytest.raises(ApiError, match="TLS error: .*validate_certs and ca_path"):
        client.request("GET", "/x")
    server.close()


@pytest.mark.parametrize("headers, expected", [
    ({"Retry-After": "2"}, 2.0),
    ({"Retry-After": "soon"}, None),
    ({"X-RateLimit-Reset": "9"}, 9.0),
    ({"Retry-After": "1", "X-RateLimit-Reset": "9"}, 1.0),
    ({}, None),
])
def test_retry_after_seconds(headers, expected):
    assert http_client.retry_after_seconds(headers, now=0) == expected


def test_an_exception_never_repeats_a_header_value(fake_time):
    # requests refuses a header with a line break and quotes the value in its message.
    client = HttpClient("http://127.0.0.1:9", headers={"X-Key": "secret-value-0123\n"}, vendor="Acme", retries=0,
                        sleep=fake_time.sleep, clock=fake_time.time)
    with pytest.raises(ApiError) as caught:
        client.request("GET", "/x")
    assert "secret-value-0123" not in str(caught.value)
