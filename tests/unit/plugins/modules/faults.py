# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the fault tests (test_*_faults.py) script and expect: each vendor's error answers, the sets of them a test is
parametrized with, how a failure message shows an answer, and the waits and delays they use.

The sandbox takes an answer as the status, body, content_type and headers of a fault (state.add_faults).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

REASONS = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
# The answers of the fault tests, by their id: a 5xx with a JSON error, an HTML page or an empty body; a 429 with the
# vendor's JSON error or an HTML page, and the vendor's rate-limit headers.
SERVER_ERRORS = [pytest.param(status, body, id="%d-%s" % (status, body))
                 for status in (500, 502, 503, 504) for body in ("json", "html", "empty")]
RATE_LIMITS = [pytest.param(429, "json", id="429-json"), pytest.param(429, "html", id="429-html")]
# SERVER_ERRORS in two halves, each with every status and every body: a request's test that answers one 5xx (then
# success) takes the first, its test that answers a 5xx to every try the second, so that it meets all twelve.
SERVER_ERRORS_ONCE = SERVER_ERRORS[0::2]
SERVER_ERRORS_ALWAYS = SERVER_ERRORS[1::2]
BODY_SHOWN = {"html": " (HTML body)", "empty": " (empty body)"}
BACKOFF = (0.5, 1.0)  # the first exponential backoff, in seconds
AS_TOLD = (1.0, 1.25)  # the 1 s a 429 of the fault tests asks for (Retry-After or X-RateLimit-Reset), and jitter
LATE_MS = 300  # a slow answer comes this late: after SLOW's timeout, and after the requests the client sends meanwhile
SLOW = dict(timeout=0.1)


def answered(method, path):
    """The journal entry of a request as a function of the status it was answered (None: dropped unanswered), so that
    a test lists its requests as get(404), post(None)."""
    def entry(status):
        return (method, path, status)
    return entry


def error_page(status):
    """The HTML page a proxy in front of an API answers with."""
    return "<html><head><title>%d %s</title></head><body><h1>%s</h1><hr>nginx</body></html>" % (
        status, REASONS[status], REASONS[status])


def fault_answer(status, body, json_body, headers):
    answer = dict(status=status, headers=headers) if status == 429 else dict(status=status)
    if body == "json":
        answer["body"] = json_body
    elif body == "html":
        answer.update(body=error_page(status), content_type="text/html")
    return answer


def retried_faults(error, drops=("before", "after")):
    """Faults after which the request is sent again and succeeds, with what the journal shows for the faulted try:
    SERVER_ERRORS_ONCE answered by error(status, body), their status; a connection dropped before (or after) the
    request was applied, None."""
    return [pytest.param(error(*param.values), param.values[0], id=param.id) for param in SERVER_ERRORS_ONCE] + [
        pytest.param(dict(drop=drop), None, id="dropped-" + drop) for drop in drops]


DATADOG_RATE_LIMIT_ERROR = "Rate limit of 12000 requests in 60 seconds reached. Please try again later."
# Datadog's rate-limit headers, the window's reset 1 s away (the client waits 1 s and up to 0.25 s of jitter).
DATADOG_RATE_LIMIT_HEADERS = {"X-RateLimit-Limit": "12000", "X-RateLimit-Period": "60", "X-RateLimit-Remaining": "0",
                              "X-RateLimit-Reset": "1"}


def datadog_error(status, body):
    """A fault answer as Datadog sends it ({"errors": [text]}, a 429 with its headers), a proxy's page, or no body."""
    text = DATADOG_RATE_LIMIT_ERROR if status == 429 else REASONS[status]
    return fault_answer(status, body, {"errors": [text]}, DATADOG_RATE_LIMIT_HEADERS)


def datadog_error_shown(status, body):
    """How a failure message shows an answer of datadog_error."""
    text = DATADOG_RATE_LIMIT_ERROR if status == 429 else REASONS[status]
    return "returned HTTP %d%s" % (status, BODY_SHOWN.get(body, ": " + text))


CLOUDFLARE_RATE_LIMIT_ERROR = (971, "Please wait and consider throttling your request speed")
# Cloudflare's rate-limit headers, Retry-After 1 s (the client waits 1 s and up to 0.25 s of jitter).
CLOUDFLARE_RATE_LIMIT_HEADERS = {"Retry-After": "1", "Ratelimit": '"default";r=0;t=1',
                                 "Ratelimit-Policy": '"default";q=1200;w=300'}


def cloudflare_error(status, body):
    """A fault answer in Cloudflare's envelope (code 10000 + status; 971 and its headers for a 429), a proxy's page,
    or no body."""
    code, message = CLOUDFLARE_RATE_LIMIT_ERROR if status == 429 else (10000 + status, REASONS[status])
    envelope = {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}
    return fault_answer(status, body, envelope, CLOUDFLARE_RATE_LIMIT_HEADERS)


def cloudflare_error_shown(status, body):
    """How a failure message shows an answer of cloudflare_error."""
    code, message = CLOUDFLARE_RATE_LIMIT_ERROR if status == 429 else (10000 + status, REASONS[status])
    return "returned HTTP %d%s" % (status, BODY_SHOWN.get(body, ": %d: %s" % (code, message)))
