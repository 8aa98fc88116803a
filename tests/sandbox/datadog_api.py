# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Datadog's PagerDuty integration API, served at the root: keys, route, rate limit, integration
# switch, validation, then the operation (README.md, "Datadog").

import json
from urllib.parse import unquote

try:
    from . import facts
    from .replies import empty_reply, json_reply
except ImportError:  # run as a script (python tests/sandbox/server.py): this directory is sys.path[0]
    import facts
    from replies import empty_reply, json_reply

DATADOG_FORBIDDEN = {
    "status": "error",
    "code": 403,
    "errors": ["Forbidden"],
    "statuspage": "http://status.datadoghq.com",
    "twitter": "http://twitter.com/datadogops",
    "email": "support@datadoghq.com",
}


def _number_text(value):
    return str(int(value)) if value == int(value) else str(value)


def datadog_reply(state, request_headers, method, path, body):
    """The answer to a Datadog request; ``path`` is without its query."""
    api_key = request_headers.get("DD-API-KEY")
    if not api_key:
        return json_reply(403, {"errors": ["API key required"]})
    if api_key != facts.DATADOG_API_KEY or request_headers.get("DD-APPLICATION-KEY") != facts.DATADOG_APP_KEY:
        return json_reply(403, DATADOG_FORBIDDEN, [("Via", "haproxy")])

    operation = name = None
    if path == facts.DATADOG_INTEGRATION_PATH:
        # The undocumented integration-level object: read by Datadog's Terraform provider; a write replaces
        # the whole integration, so the sandbox answers it like Datadog (and the journal shows it).
        operation = "integration_read" if method == "GET" else "integration_write"
    elif path == facts.DATADOG_SERVICES_PATH:
        operation = "create" if method == "POST" else None
    elif path.startswith(facts.DATADOG_SERVICES_PATH + "/"):
        segment = path[len(facts.DATADOG_SERVICES_PATH) + 1:]
        if segment and "/" not in segment and "%2f" not in segment.lower():
            operation = {"GET": "read", "PUT": "update", "DELETE": "delete"}.get(method)
            name = unquote(segment, errors="replace")
    if operation is None:
        return empty_reply(404, "text/html")

    limit, period, remaining, reset, refused = state.count_request("datadog")
    period_text = _number_text(period)
    headers = [("X-RateLimit-Limit", str(limit)), ("X-RateLimit-Period", period_text),
               ("X-RateLimit-Remaining", str(remaining)), ("X-RateLimit-Reset", str(reset))]
    if refused:
        message = "Rate limit of %d requests in %s seconds reached. Please try again later." % (limit, period_text)
        return json_reply(429, {"errors": [message]}, headers)
    settings = state.settings_view()
    if not settings["datadog_integration_enabled"]:
        return json_reply(404, {"errors": ["Pagerduty Integration not found"]}, headers)

    payload = {}
    if operation in ("create", "update"):
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
        except ValueError:
            return json_reply(400, {"errors": ["Invalid JSON"]}, headers)
        if not isinstance(payload, dict):
            payload = {}
        error = _validation_error(payload, ("service_name", "service_key") if operation == "create" else ("service_key",))
        if error:
            return json_reply(400, {"errors": [error]}, headers)

    with state.lock:
        if operation == "integration_read":
            return json_reply(200, {
                "show_all_incidents": False, "filter_services": [], "subdomain": "sandbox",
                "schedules": ["https://sandbox.pagerduty.com/schedules/X123VF"], "api_token": "*****",
                "services": [{"service_name": n, "service_key": "*****"} for n in state.services]}, headers)
        if operation == "integration_write":
            return json_reply(200, {"errors": []}, headers)
        if operation == "create":
            name = payload["service_name"]
            if name in state.services:
                return json_reply(400, {"errors": ["Service already exists"]}, headers)
            state.services[name] = payload["service_key"]
            return json_reply(201, {"service_name": name}, headers)
        if name not in state.services:
            return json_reply(404, {"errors": ["Service not found"]}, headers)
        if operation == "read":
            return json_reply(200, {"service_name": name}, headers)
        if operation == "update":
            state.services[name] = payload["service_key"]
            return json_reply(200, {"service_name": name}, headers)
        del state.services[name]
        if settings["datadog_delete_status"] == 200:
            return json_reply(200, {}, headers)
        return empty_reply(204, None, headers)


def _validation_error(payload, fields):
    """Datadog's text for the first of ``fields`` that is not a string, then the first that is blank."""
    for field in fields:
        if not isinstance(payload.get(field), str):
            return "'%s' should be string" % field
    for field in fields:
        if not payload[field].strip():
            return "%s cannot be blank" % field
    return None
