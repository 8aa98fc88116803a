# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Cloudflare's PagerDuty destinations API, served under /client/v4: route, identifiers, auth,
# account, rate limit, then the operation, each answer in Cloudflare's envelope (README.md, "Cloudflare").

import math
import re
from urllib.parse import unquote

try:
    from . import facts
    from .replies import json_reply
    from .state import new_id
except ImportError:  # run as a script (python tests/sandbox/server.py): this directory is sys.path[0]
    import facts
    from replies import json_reply
    from state import new_id

CF_ERR_AUTH = (10000, "Authentication error")
CF_ERR_HEADERS = (6003, "Invalid request headers")
CF_ERR_EMAIL_FORMAT = (6102, "Invalid format for X-Auth-Email header")
CF_ERR_KEY_FORMAT = (6103, "Invalid format for X-Auth-Key header")
CF_ERR_AUTHZ_FORMAT = (6111, "Invalid format for Authorization header")
CF_ERR_NO_ROUTE = (7000, "No route for that URI")
CF_ERR_RATE = (971, "Please wait and consider throttling your request speed")
CF_ERR_TOKEN_NOT_FOUND = (17002, "PagerDuty connection token not found or already used")
CF_ERR_TOKEN_NOT_AUTHORIZED = (17003, "PagerDuty authorization was not completed for this token: "
                                      "a person must pick the PagerDuty services to connect before the token can be linked")

CF_ROUTE_RE = re.compile(r"^/accounts/([^/]+)/alerting/v3/destinations/pagerduty(/connect(?:/([^/]+))?)?$")
CF_ELIGIBLE_RE = re.compile(r"^/accounts/([^/]+)/alerting/v3/destinations/eligible$")
CF_ERR_NOT_ELIGIBLE = (17100, "PagerDuty destinations are not available on this account's plan")
HEX32_RE = re.compile(r"^[0-9a-fA-F]{32}$")
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
BEARER_RE = re.compile(r"^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9._~+/=-]+)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
GLOBAL_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _cf_error(code_message, chain=None):
    item = {"code": code_message[0], "message": code_message[1]}
    if chain:
        item["error_chain"] = [{"code": c, "message": m} for c, m in chain]
    return item


def cf_reply(status, result=None, errors=None, headers=None, with_result=True, result_info=None):
    payload = {"success": not errors, "errors": errors or [], "messages": []}
    if with_result:
        payload["result"] = result
    if result_info is not None:
        payload["result_info"] = result_info
    return json_reply(status, payload, headers)


def cloudflare_reply(state, request_headers, method, sub):
    """The answer to a Cloudflare request; ``sub`` is its path after /client/v4, without the query."""
    match = CF_ROUTE_RE.match(sub) or CF_ELIGIBLE_RE.match(sub)
    operation = None
    if match and match.re is CF_ELIGIBLE_RE:
        operation = "eligible" if method == "GET" else None
    elif match:
        if match.group(2) is None:
            operation = {"GET": "list", "DELETE": "delete"}.get(method)
        elif match.group(3) is None:
            operation = "connect" if method == "POST" else None
        else:
            operation = "link" if method == "GET" else None
    if operation is None:
        return cf_reply(404, errors=[_cf_error(CF_ERR_NO_ROUTE)])
    account = unquote(match.group(1), errors="replace")
    token = unquote(match.group(3), errors="replace") if match.re is CF_ROUTE_RE and match.group(3) else None
    if not HEX32_RE.match(account) or (token is not None and not (HEX32_RE.match(token) or UUID_RE.match(token))):
        message = "Could not route to %s, perhaps your object identifier is invalid?" % sub
        return cf_reply(404, errors=[{"code": 7003, "message": message}])

    refusal = _auth_refusal(request_headers)
    if refusal is not None:
        return refusal
    if account != facts.CLOUDFLARE_ACCOUNT_ID:
        return cf_reply(403, errors=[_cf_error(CF_ERR_AUTH)])

    limit, period, remaining, reset, refused = state.count_request("cloudflare")
    headers = [("Ratelimit", '"default";r=%d;t=%d' % (remaining, reset)),
               ("Ratelimit-Policy", '"default";q=%d;w=%d' % (limit, int(math.ceil(period))))]
    if refused:
        return cf_reply(429, errors=[_cf_error(CF_ERR_RATE)], headers=headers + [("Retry-After", str(reset))])

    eligible = state.settings_view()["cloudflare_pagerduty_eligible"]
    if operation in ("list", "connect", "link") and not eligible:
        return cf_reply(403, errors=[_cf_error(CF_ERR_NOT_ELIGIBLE)], headers=headers)
    with state.lock:
        if operation == "eligible":
            result = dict((kind, [{"eligible": kind != "pagerduty" or eligible, "ready": True, "type": kind}])
                          for kind in ("email", "webhook", "pagerduty"))
            return cf_reply(200, result, headers=headers)
        if operation == "list":
            result = [dict(item) for item in state.destinations]
            info = {"page": 1, "per_page": 1000, "count": len(result), "total_count": len(result), "total_pages": 1}
            if not result and state.settings["cloudflare_empty_result"] == "null":
                result = None
            return cf_reply(200, result, headers=headers, result_info=info)
        if operation == "delete":
            state.destinations = []
            return cf_reply(200, headers=headers, with_result=False)
        if operation == "connect":
            new_token = new_id()
            state.tokens[new_token] = {"authorized": None, "used": False}
            return cf_reply(201, {"id": new_token}, headers=headers)
        record = state.tokens.get(token)
        if record is None or record["used"]:
            return cf_reply(404, errors=[_cf_error(CF_ERR_TOKEN_NOT_FOUND)], headers=headers)
        if not record["authorized"]:
            return cf_reply(400, errors=[_cf_error(CF_ERR_TOKEN_NOT_AUTHORIZED)], headers=headers)
        known = set(item["id"] for item in state.destinations)
        for item in record["authorized"]:
            if item["id"] not in known:
                state.destinations.append(dict(item))
                known.add(item["id"])
        record["used"] = True
        return cf_reply(200, {"id": token}, headers=headers)


def _auth_refusal(request_headers):
    """None when the credentials are the sandbox's, else the refusal Cloudflare sends."""
    authorization = request_headers.get("Authorization")
    if authorization is not None:
        match = BEARER_RE.match(authorization.strip())
        if not match:
            return cf_reply(400, errors=[_cf_error(CF_ERR_HEADERS, [CF_ERR_AUTHZ_FORMAT])])
        if match.group(1) != facts.CLOUDFLARE_API_TOKEN:
            return cf_reply(401, errors=[_cf_error(CF_ERR_AUTH)])
        return None
    email = (request_headers.get("X-Auth-Email") or "").strip()
    key = (request_headers.get("X-Auth-Key") or "").strip()
    chain = []
    if not EMAIL_RE.match(email):
        chain.append(CF_ERR_EMAIL_FORMAT)
    if not GLOBAL_KEY_RE.match(key):
        chain.append(CF_ERR_KEY_FORMAT)
    if chain:
        return cf_reply(400, errors=[_cf_error(CF_ERR_HEADERS, chain)])
    if email.lower() != facts.CLOUDFLARE_EMAIL or key != facts.CLOUDFLARE_API_KEY:
        return cf_reply(403, errors=[_cf_error(CF_ERR_AUTH)])
    return None
