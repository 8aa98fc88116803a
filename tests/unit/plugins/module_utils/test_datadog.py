# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _datadog as datadog
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import Answer

SERVICES = "/api/v1/integration/pagerduty/configuration/services"
NOT_FOUND = Answer(404, {"errors": ["Service not found"]})
NO_INTEGRATION = Answer(404, {"errors": ["Pagerduty Integration not found"]})


def params(**overrides):
    values = dict(api_key=facts.DATADOG_API_KEY, app_key=facts.DATADOG_APP_KEY, site="datadoghq.com", api_url=None,
                  validate_certs=True, ca_path=None, timeout=30, retries=3)
    values.update(overrides)
    return values


@pytest.fixture
def api(scripted, fake_time):
    result = datadog.DatadogPagerDutyApi.from_options(params(api_url=scripted.url + "/"))
    result.client.sleep, result.client.clock = fake_time.sleep, fake_time.time
    return result


@pytest.mark.parametrize("site", datadog.SITES)
def test_base_url_for_every_site(site):
    assert datadog.base_url(params(site=site)) == "https://api." + site


def test_api_url_wins_over_site():
    assert datadog.base_url(params(site="datadoghq.eu", api_url="http://127.0.0.1:8080/")) == "http://127.0.0.1:8080"


def test_auth_headers_are_sent(api, scripted):
    scripted.script(Answer(200, {"service_name": "a"}))
    api.get_service("a")
    headers = scripted.requests[0]["headers"]
    assert headers["DD-API-KEY"] == facts.DATADOG_API_KEY
    assert headers["DD-APPLICATION-KEY"] == facts.DATADOG_APP_KEY


@pytest.mark.parametrize("name, path", [
    ("payments", "payments"),
    ("on call", "on%20call"),
    ("a+b", "a%2Bb"),
    ("100%", "100%25"),
    ("caf\u00e9 \u2615", "caf%C3%A9%20%E2%98%95"),
    ("a?b#c&d=e", "a%3Fb%23c%26d%3De"),
])
def test_names_are_percent_encoded_with_nothing_kept_safe(api, scripted, name, path):
    scripted.script(Answer(200, {"service_name": name}))
    assert api.get_service(name) == {"service_name": name}
    assert scripted.calls() == [("GET", SERVICES + "/" + path)]


@pytest.mark.parametrize("name", ["", "   ", "a/b", "/", None])
def test_unaddressable_names_are_refused(name):
    assert datadog.service_name_problem(name)


def test_ordinary_names_are_accepted():
    assert datadog.service_name_problem("on call + 100%") is None


@pytest.mark.parametrize("answer", [
    Answer(200, "<html><body>Welcome to our proxy</body></html>", content_type="text/html"),
    Answer(200, {"data": []}),
    Answer(204, None),
])
def test_a_2xx_read_that_is_not_datadogs_is_never_read_as_present(api, scripted, answer):
    scripted.script(answer)
    with pytest.raises(ApiError, match=r"not a Datadog answer: no service_name in the body; check api_url or site"):
        api.get_service("a")


def test_service_not_found_means_absent(api, scripted):
    scripted.script(NOT_FOUND)
    assert api.get_service("a") is None


@pytest.mark.parametrize("method", ["get", "delete", "create", "update"])
def test_integration_not_installed_is_an_explained_failure(api, scripted, method):
    scripted.script(NO_INTEGRATION)
    call = {"get": lambda: api.get_service("a"), "delete": lambda: api.delete_service("a"),
            "create": lambda: api.create_service("a", "k"), "update": lambda: api.update_service("a", "k")}[method]
    with pytest.raises(datadog.IntegrationNotInstalled) as caught:
        call()
    assert "PagerDuty integration is not installed" in str(caught.value)
    assert "returned HTTP 404: Pagerduty Integration not found" in str(caught.value)


def test_a_404_that_is_not_datadogs_is_never_read_as_absent(api, scripted):
    scripted.script(Answer(404, "", content_type="text/html"))
    with pytest.raises(ApiError, match=r"returned HTTP 404 \(not a Datadog answer; check api_url or site\)"):
        api.get_service("a")


def test_create_sends_name_and_key(api, scripted):
    scripted.script(Answer(201, {"service_name": "a"}))
    assert api.create_service("a", "k" * 32) is True
    assert scripted.requests[0]["body"] == {"service_name": "a", "service_key": "k" * 32}


def test_create_that_loses_a_race_reports_existing(api, scripted):
    scripted.script(Answer(400, {"errors": ["Service already exists"]}))
    assert api.create_service("a", "k") is False


def test_create_whose_answer_was_lost_is_checked_by_reading_not_resent(api, scripted):
    scripted.script(Answer(drop=True), Answer(200, {"service_name": "a"}))
    assert api.create_service("a", "k") is True
    assert scripted.calls() == [("POST", SERVICES), ("GET", SERVICES + "/a")]


def test_create_that_failed_with_5xx_and_did_not_land_is_sent_again(api, scripted, fake_time):
    scripted.script(Answer(500, None), NOT_FOUND, Answer(201, {"service_name": "a"}))
    assert api.create_service("a", "k") is True
    assert scripted.calls() == [("POST", SERVICES), ("GET", SERVICES + "/a"), ("POST", SERVICES)]
    assert len(fake_time.waits) == 1


def test_create_validation_error_is_not_retried(api, scripted):
    scripted.script(Answer(400, {"errors": ["service_key cannot be blank"]}))
    with pytest.raises(ApiError, match="Datadog API POST .* returned HTTP 400: service_key cannot be blank"):
        api.create_service("a", "")


def test_update_puts_only_the_key(api, scripted):
    scripted.script(Answer(200, {"service_name": "a b"}))
    api.update_service("a b", "new")
    assert scripted.requests[0]["method"] == "PUT"
    assert scripted.requests[0]["path"] == SERVICES + "/a%20b"
    assert scripted.requests[0]["body"] == {"service_key": "new"}


@pytest.mark.parametrize("answer", [Answer(204, None), Answer(200, {"service_name": "a"}), Answer(202, "")])
def test_any_2xx_to_delete_is_success(api, scripted, answer):
    scripted.script(answer)
    assert api.delete_service("a") is True


def test_delete_answered_404_means_already_absent(api, scripted):
    scripted.script(NOT_FOUND)
    assert api.delete_service("a") is False


@pytest.mark.parametrize("body, expected", [
    ({"errors": ["Forbidden"], "status": "error", "code": 403}, ["Forbidden"]),
    ({"errors": ["API key required"]}, ["API key required"]),
    ({"errors": "single"}, ["single"]),
    ({"errors": [{"detail": "bad thing", "title": "Bad"}]}, ["bad thing"]),
    ({"error": "oops"}, ["oops"]),
    (None, []),
    (["unexpected"], []),
])
def test_error_messages_read_every_body_shape(body, expected):
    assert datadog.error_messages(body, "") == expected


def test_403_from_the_front_proxy_names_everything(api, scripted):
    scripted.script(Answer(403, {"status": "error", "code": 403, "errors": ["Forbidden"]}, headers={"Via": "haproxy"}))
    with pytest.raises(ApiError) as caught:
        api.get_service("a")
    assert str(caught.value) == "Datadog API GET %s/a returned HTTP 403: Forbidden. %s" % (SERVICES, datadog.AUTH_HINT)
    assert facts.DATADOG_API_KEY not in repr(caught.value.__dict__)


# The options every vendor shares (timeout, retries, ca_path, the shape of api_url): test_options.py.

@pytest.mark.parametrize("key", ["api_key", "app_key"])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_key_is_the_one_connection_problem(key, value):
    problems = datadog.connection_option_problems(params(**{key: value}))
    assert len(problems) == 1 and "%s must not be empty" % key in problems[0]


def test_create_whose_lost_answer_landed_after_the_recheck_counts_as_ours(api, scripted, fake_time):
    # The POST timed out, the re-check read found nothing yet, the re-POST meets the object our first try made.
    scripted.script(Answer(drop=True), NOT_FOUND, Answer(400, {"errors": ["Service already exists"]}))
    assert api.create_service("a", "k") is True
    assert scripted.calls() == [("POST", SERVICES), ("GET", SERVICES + "/a"), ("POST", SERVICES)]


def test_5xx_waits_backoff_not_the_rate_limit_window(api, scripted, fake_time):
    scripted.script(Answer(503, {"errors": ["busy"]}, headers={"X-RateLimit-Reset": "55"}), Answer(200, {"service_name": "a"}))
    api.get_service("a")
    assert len(fake_time.waits) == 1 and fake_time.waits[0] <= 1.0
