# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's Cloudflare API (cloudflare_api.py): the envelope, auth and routing errors, the connect flow with its
one-time tokens, rate limits and the plan's eligibility."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.state import ControlError
from ansible_collections.oncall.pagerduty.tests.unit.sandbox.conftest import (
    ACCOUNT,
    CF,
    DD,
    GLOBAL_KEY,
    HEX32,
    PD,
    SERVICES,
    call,
    cf_link,
    ctl,
)


def test_cloudflare_list_envelope_and_headers(api):
    response = call(api, "GET", PD, CF)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Ratelimit"] == '"default";r=1199;t=300'
    assert response.headers["Ratelimit-Policy"] == '"default";q=1200;w=300'
    body = response.json()
    assert body["success"] is True and body["errors"] == [] and body["messages"] == [] and body["result"] == []
    assert body["result_info"]["count"] == 0

    ctl(api, "POST", "settings", {"cloudflare_empty_result": "null"})
    assert call(api, "GET", PD, CF).json()["result"] is None
    ctl(api, "POST", "state", {"cloudflare": {"destinations": [{"id": "a" * 32, "name": "Ops"}, "Ops"]}})
    result = call(api, "GET", PD, CF).json()["result"]
    assert result[0] == {"id": "a" * 32, "name": "Ops"}
    assert result[1]["name"] == "Ops" and HEX32.match(result[1]["id"])


def test_cloudflare_global_key_auth(api):
    assert call(api, "GET", PD, GLOBAL_KEY).status_code == 200


def _cf_error(response):
    body = response.json()
    assert body["success"] is False and body["result"] is None and body["messages"] == []
    assert response.headers["Content-Type"] == "application/json"
    return response.status_code, body["errors"]


def _chain(*codes):
    messages = {6102: "Invalid format for X-Auth-Email header", 6103: "Invalid format for X-Auth-Key header",
                6111: "Invalid format for Authorization header"}
    return [{"code": 6003, "message": "Invalid request headers", "error_chain": [{"code": c, "message": messages[c]} for c in codes]}]


AUTH_ERROR = [{"code": 10000, "message": "Authentication error"}]


@pytest.mark.parametrize("headers, status, errors", [
    ({"Authorization": "Bearer wrong-token"}, 401, AUTH_ERROR),
    ({"Authorization": facts.CLOUDFLARE_API_TOKEN}, 400, _chain(6111)),
    ({"Authorization": "Bearer "}, 400, _chain(6111)),
    ({"Authorization": "Basic abc"}, 400, _chain(6111)),
    ({}, 400, _chain(6102, 6103)),
    ({"X-Auth-Email": facts.CLOUDFLARE_EMAIL}, 400, _chain(6103)),
    ({"X-Auth-Key": facts.CLOUDFLARE_API_KEY}, 400, _chain(6102)),
    (dict(GLOBAL_KEY, **{"X-Auth-Key": "bad key!"}), 400, _chain(6103)),
    (dict(GLOBAL_KEY, **{"X-Auth-Email": "not-an-email"}), 400, _chain(6102)),
    (dict(GLOBAL_KEY, **{"X-Auth-Key": "wrong-key"}), 403, AUTH_ERROR),
    (dict(GLOBAL_KEY, **{"X-Auth-Email": "other@example.com"}), 403, AUTH_ERROR),
])
def test_cloudflare_auth_errors(api, headers, status, errors):
    response = call(api, "DELETE", PD, headers)
    assert _cf_error(response) == (status, errors)
    assert "Ratelimit" not in response.headers


def test_cloudflare_routing_errors(api):
    other = call(api, "GET", PD.replace(ACCOUNT, "f" * 32), CF)
    assert _cf_error(other) == (403, AUTH_ERROR)
    bad = call(api, "GET", "/client/v4/accounts/not-an-id/alerting/v3/destinations/pagerduty", CF)
    message = "Could not route to /accounts/not-an-id/alerting/v3/destinations/pagerduty, perhaps your object identifier is invalid?"
    assert _cf_error(bad) == (404, [{"code": 7003, "message": message}])
    no_route = [{"code": 7000, "message": "No route for that URI"}]
    for method, path in (("GET", "/client/v4/nothing"), ("PUT", PD), ("GET", PD + "/connect"), ("POST", PD), ("GET", "/client/v4")):
        assert _cf_error(call(api, method, path, CF)) == (404, no_route)
    assert _cf_error(call(api, "GET", "/client/v4/nothing")) == (404, no_route)
    garbage = call(api, "GET", PD + "/connect/zzz", CF)
    assert _cf_error(garbage)[0] == 404 and _cf_error(garbage)[1][0]["code"] == 7003


def test_cloudflare_connect_flow_and_one_time_tokens(api):
    created = call(api, "POST", PD + "/connect", CF)
    assert created.status_code == 201
    token = created.json()["result"]["id"]
    assert HEX32.match(token)
    assert ctl(api, "GET", "state").json()["cloudflare"]["tokens"] == {token: {"authorized": None, "used": False}}

    pending = cf_link(api, token)
    status, errors = _cf_error(pending)
    assert status == 400 and errors[0]["code"] == 17003 and "authorization was not completed" in errors[0]["message"]

    authorized = ctl(api, "POST", "cloudflare/authorize", {"token_id": token, "services": ["Ops", {"id": "b" * 32, "name": "DB"}, "Ops"]})
    assert authorized.status_code == 200
    assert [s["name"] for s in authorized.json()["authorized"]] == ["Ops", "DB", "Ops"]

    linked = cf_link(api, token)
    assert linked.status_code == 200
    assert linked.json()["result"] == {"id": token} and linked.json()["success"] is True
    listed = call(api, "GET", PD, CF).json()["result"]
    assert [s["name"] for s in listed] == ["Ops", "DB", "Ops"]
    assert all(HEX32.match(s["id"]) for s in listed) and len(set(s["id"] for s in listed)) == 3
    assert ctl(api, "GET", "state").json()["cloudflare"]["tokens"][token]["used"] is True

    reused = cf_link(api, token)
    assert _cf_error(reused) == (404, [{"code": 17002, "message": "PagerDuty connection token not found or already used"}])
    assert len(call(api, "GET", PD, CF).json()["result"]) == 3
    unknown = cf_link(api, "c" * 32)
    assert _cf_error(unknown)[0] == 404
    uuid_token = cf_link(api, "0c0ffee0-1234-4abc-8def-0123456789ab")
    assert _cf_error(uuid_token)[1][0]["code"] == 17002
    assert ctl(api, "POST", "cloudflare/authorize", {"token_id": token, "services": ["X"]}).status_code == 409

    second = call(api, "POST", PD + "/connect", CF).json()["result"]["id"]
    assert second != token
    ctl(api, "POST", "cloudflare/authorize", {"token_id": second, "services": ["Web"]})
    assert cf_link(api, second).status_code == 200
    assert [s["name"] for s in call(api, "GET", PD, CF).json()["result"]] == ["Ops", "DB", "Ops", "Web"]

    deleted = call(api, "DELETE", PD, CF)
    assert deleted.status_code == 200
    assert deleted.json() == {"success": True, "errors": [], "messages": []}
    assert call(api, "GET", PD, CF).json()["result"] == []


def test_cloudflare_authorize_errors(api):
    unknown = ctl(api, "POST", "cloudflare/authorize", {"token_id": "d" * 32, "services": ["Ops"]})
    assert unknown.status_code == 404 and "unknown token" in unknown.json()["error"]
    token = call(api, "POST", PD + "/connect", CF).json()["result"]["id"]
    assert ctl(api, "POST", "cloudflare/authorize", {"token_id": token, "services": []}).status_code == 400
    assert ctl(api, "POST", "cloudflare/authorize", {"token_id": token}).status_code == 400


def test_cloudflare_rate_limit(api):
    ctl(api, "POST", "ratelimit", {"vendor": "cloudflare", "limit": 1, "period": 2})
    first = call(api, "GET", PD, CF)
    assert first.status_code == 200
    assert first.headers["Ratelimit"] == '"default";r=0;t=2'
    assert first.headers["Ratelimit-Policy"] == '"default";q=1;w=2'
    refused = call(api, "POST", PD + "/connect", CF)
    assert _cf_error(refused) == (429, [{"code": 971, "message": "Please wait and consider throttling your request speed"}])
    assert refused.headers["Retry-After"] in ("1", "2")
    assert ctl(api, "GET", "state").json()["cloudflare"]["tokens"] == {}
    assert call(api, "GET", SERVICES + "/x", DD).status_code == 404


def test_cloudflare_eligibility_in_both_states(sandbox, state):
    eligible = sandbox.cloudflare_url + facts.cloudflare_eligible_path()
    result = requests.get(eligible, headers=CF, timeout=10).json()["result"]
    assert result["pagerduty"] == [{"eligible": True, "ready": True, "type": "pagerduty"}]
    assert sorted(result) == ["email", "pagerduty", "webhook"]
    state.update_settings({"cloudflare_pagerduty_eligible": False})
    assert requests.get(eligible, headers=CF, timeout=10).json()["result"]["pagerduty"][0]["eligible"] is False
    for method, path in (("GET", ""), ("POST", "/connect")):
        url = sandbox.cloudflare_url + facts.cloudflare_destinations_path() + path
        response = requests.request(method, url, headers=CF, timeout=10)
        assert response.status_code == 403 and response.json()["errors"][0]["code"] == 17100
    with pytest.raises(ControlError, match="'cloudflare_pagerduty_eligible' must be true or false"):
        state.update_settings({"cloudflare_pagerduty_eligible": "no"})
