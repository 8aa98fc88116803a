# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Layer 1: the one HTTP client every vendor adapter uses. It knows no vendor."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import os
import random
import ssl
import threading
import time
import traceback

try:
    import requests
    import requests.adapters
    import requests.utils
    import urllib3.exceptions
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

COLLECTION_NAME = "oncall.pagerduty"
# galaxy.yml's version, sent in the User-Agent. Never edit it by hand: `make release VERSION=x.y.z`
# (tools/release.py) writes both, and a unit test fails when they differ. A module runs on the target
# from an AnsiballZ payload that holds its module_utils but no galaxy.yml or MANIFEST.json, so the
# number travels in the code instead of being read from a file at run time.
COLLECTION_VERSION = "1.0.0"

RETRYABLE_STATUSES = frozenset([429, 500, 502, 503, 504])
# Answers after which the server may have applied the request: a write is sent again only when
# it is idempotent or its recheck found it not applied. A 429 certainly was not applied.
MAYBE_APPLIED_STATUSES = frozenset([500, 501, 502, 503, 504, 505, 506, 507, 508, 509, 510, 511])
# Usually a gateway's own answer, the backend untouched: a later 404 to a DELETE is not taken as ours.
GATEWAY_STATUSES = frozenset([502, 503])
MAX_RETRY_WAIT = 60.0
# Where requests looks, in this order, for the CAs to trust when neither ca_path nor validate_certs says.
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0


class ApiError(Exception):
    """A request that failed: carries what a user needs to understand it, never a credential."""

    def __init__(self, method, path, status=None, messages=None, reason=None, maybe_applied=False, vendor=None,
                 attempts=1, hint=None, after_unclear=False, retryable=True):
        self.method = method
        self.path = path
        self.status = status
        self.messages = list(messages or [])
        self.reason = reason
        self.maybe_applied = maybe_applied
        self.vendor = vendor
        self.attempts = attempts
        self.hint = hint
        # An earlier try of this request may have been applied although its answer was lost.
        self.after_unclear = after_unclear
        # Whether trying again can help; the client retries only the statuses it knows to be passing.
        self.retryable = retryable
        super(ApiError, self).__init__(method, path, status)

    def __str__(self):
        return self.describe()

    def describe(self):
        where = "%s %s" % (self.method, self.path)
        if self.vendor:
            where = "%s API %s" % (self.vendor, where)
        if self.status is None:
            text = "%s failed: %s" % (where, self.reason or "no answer")
        else:
            text = "%s returned HTTP %s" % (where, self.status)
            if self.messages:
                text += ": %s" % "; ".join(self.messages)
            elif self.reason:
                text += " (%s)" % self.reason
        if self.attempts > 1:
            text += " (after %d attempts)" % self.attempts
        if self.hint:
            text += ". %s" % self.hint
        return text

    def to_result(self):
        """Fields for fail_json, so playbooks can branch on them."""
        return dict(
            status=self.status,
            api_errors=self.messages,
            request=dict(method=self.method, path=self.path),
        )


class Response:
    """What a successful call returns: status, headers and the decoded JSON body (or None).

    resent_after_unclear: an earlier try of this request may have been applied (its answer was lost),
    so e.g. a 404 to a DELETE may mean that our own earlier try deleted the object.
    landed_unseen: a write whose answer was lost, found applied by the caller's recheck (status is None).
    """

    def __init__(self, status, headers, body, text, resent_after_unclear=False, landed_unseen=False):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = text
        self.resent_after_unclear = resent_after_unclear
        self.landed_unseen = landed_unseen


def parse_body(text, content_type):
    """JSON when it is JSON, else None: empty bodies, HTML error pages and plain text all occur."""
    if not text or not text.strip():
        return None
    if "json" in (content_type or "").lower() or text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return None
    return None


def _header_number(headers, name):
    try:
        return float(headers.get(name, "").strip())
    except (AttributeError, ValueError):
        return None


def retry_after_seconds(headers, now=None, rate_limited=True):
    """Seconds the server asked us to wait, from Retry-After (delta or HTTP date) or, on a 429, X-RateLimit-Reset.

    X-RateLimit-Reset comes with every answer of some APIs (the end of the current window, up to a minute away):
    it means "wait" only when the request was refused for the rate limit.
    """
    value = headers.get("Retry-After")
    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed:
                now = time.time() if now is None else now
                return max(0.0, email.utils.mktime_tz(parsed) - now)
    reset = _header_number(headers, "X-RateLimit-Reset") if rate_limited else None
    return None if reset is None else max(0.0, reset)


def backoff_seconds(attempt, rng=random.random):
    """Exponential backoff (base 2) with jitter: about 1, 2, 4, ... seconds, capped."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
    return ceiling / 2.0 + ceiling / 2.0 * rng()


def default_error_messages(body, text):
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            return [str(e) for e in errors]
    return []


class RateBudget:
    """Paces requests inside the budget the server reports on every answer (X-RateLimit-Remaining, the requests
    the window still allows, and X-RateLimit-Reset, the seconds until it resets), so that none is refused.

    Within a window the count only grows, so the lowest Remaining seen is the newest state, and it includes every
    request answered so far. Requests still in flight may not be counted yet: they count against it. With nothing
    left: wait for the answers in flight, which tell the exact count, and when none is in flight, for the reset.
    While a window's budget is unknown, one request goes first and the others wait for its answer: a burst into a
    window that other clients of the same organization have nearly spent would be refused.
    """

    def __init__(self, clock, sleep):
        self.clock = clock
        self.sleep = sleep
        self._condition = threading.Condition()
        self._in_flight = 0
        self._remaining = None  # unknown until an answer of the window tells
        self._answered = False  # an answer came in this window (with or without the headers)
        self._window_end = 0.0

    def take(self):
        """Wait until the budget allows one more request, and count it as in flight."""
        with self._condition:
            while True:
                if self._remaining is not None and self.clock() >= self._window_end:
                    self._remaining, self._answered = None, False  # a new window
                if self._remaining is None and (self._answered or not self._in_flight):
                    break  # the first request of a window, or a server that reports no budget
                if self._remaining is not None and self._remaining - self._in_flight > 0:
                    break
                if self._in_flight:
                    self._condition.wait(1.0)
                    continue
                delay = self._window_end - self.clock()
                self._condition.release()
                try:
                    self.sleep(delay)
                finally:
                    self._condition.acquire()
            self._in_flight += 1

    def settle(self, headers):
        """Record the answer of a request taken before (headers None: it got no answer)."""
        with self._condition:
            self._in_flight -= 1
            self._answered = self._answered or headers is not None
            remaining = _header_number(headers or {}, "X-RateLimit-Remaining")
            reset = _header_number(headers or {}, "X-RateLimit-Reset")
            if remaining is not None and reset is not None and (self._remaining is None or remaining < self._remaining):
                self._remaining = remaining
                self._window_end = self.clock() + reset
            self._condition.notify_all()


class HttpClient:
    """A requests.Session with timeouts, TLS settings, retries and one error type.

    vendor: the name used in error messages.
    error_messages: callable(body, text) -> list of str, the vendor's way of reading errors.
    sleep, clock: how to wait and read the time; tests replace them (per client, or on the class for every client).
    """

    sleep = staticmethod(time.sleep)
    clock = staticmethod(time.time)

    def __init__(self, base_url, headers=None, vendor=None, timeout=30, validate_certs=True, ca_path=None,
                 retries=3, error_messages=None, pool_size=10, sleep=None, clock=None, user_agent_extra=None):
        if not HAS_REQUESTS:
            raise RuntimeError("the Python library requests is required")
        self.base_url = base_url.rstrip("/")
        self.vendor = vendor
        self.timeout = timeout
        self.retries = retries
        self.error_messages = error_messages or default_error_messages
        if sleep is not None:
            self.sleep = sleep
        if clock is not None:
            self.clock = clock
        self._pause_lock = threading.Lock()
        self._not_before = 0.0
        # Looked up at each call, so that a test replacing sleep or clock on the class reaches the budget too.
        self.budget = RateBudget(lambda: self.clock(), lambda seconds: self.sleep(seconds))  # pylint: disable=unnecessary-lambda
        self.session = requests.Session()
        # The environment is read once, here, not by requests at every request: its per-request reading
        # also takes a password from ~/.netrc, which would replace the Authorization header the vendor's
        # credentials set (a Cloudflare bearer token), and costs a tenth of the client's CPU in a batch.
        self.session.trust_env = False
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=max(1, pool_size), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # The task's options win over the environment's CA bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE),
        # which applies, as requests users expect, only when neither option is set.
        self.ca_bundle_variable = None
        if not validate_certs:
            self.verify = False
            # The task asked for it: a warning on the module's stderr would only add noise.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        elif ca_path:
            self.verify = ca_path
        else:
            self.ca_bundle_variable = next((name for name in CA_BUNDLE_VARIABLES if os.environ.get(name)), None)
            self.verify = os.environ[self.ca_bundle_variable] if self.ca_bundle_variable else True
        user_agent = "%s/%s python-requests/%s" % (COLLECTION_NAME, COLLECTION_VERSION, requests.__version__)
        if user_agent_extra:
            user_agent += " " + user_agent_extra
        self.session.headers.update({"User-Agent": user_agent, "Accept": "application/json"})
        self.session.headers.update(headers or {})
        # The caller's headers carry credentials: never let an exception text repeat them.
        self._header_values = sorted((str(v) for v in (headers or {}).values() if v), key=len, reverse=True)

    def _scrub(self, text):
        for value in self._header_values:
            text = text.replace(value, "********")
            text = text.replace(repr(value)[1:-1], "********")
        return text

    def close(self):
        self.session.close()

    def _describe_tls_refusal(self, exc):
        """The certificate problem, and which trusted CAs it was checked against: a user who set neither
        option may not know that REQUESTS_CA_BUNDLE chose them."""
        if self.ca_bundle_variable:
            trusted = "the CA bundle that %s names (%s)" % (self.ca_bundle_variable, self.verify)
        elif self.verify is not True:
            trusted = "the CA file or directory of ca_path (%s)" % self.verify
        else:
            trusted = "the default CA bundle of requests (certifi)"
        return ("TLS error: the server's certificate was refused: %s. It was checked against %s. Set ca_path to "
                "the CA that signed it, or validate_certs=false only for an endpoint you trust" % (_short(exc), trusted))

    def _wait_for_rate_limit(self):
        with self._pause_lock:
            delay = self._not_before - self.clock()
        if delay > 0:
            self.sleep(delay)

    def _pause_everyone(self, seconds):
        # A 429 concerns the whole credential, so every request of this client waits, not just one.
        with self._pause_lock:
            self._not_before = max(self._not_before, self.clock() + seconds)

    @classmethod
    def from_options(cls, options, base_url, headers, vendor, error_messages=None, pool_size=1):
        """A client set up from a task's transport options (validate_certs, ca_path, timeout, retries)."""
        return cls(base_url, headers=headers, vendor=vendor, timeout=options.get("timeout") or 30,
                   validate_certs=options.get("validate_certs", True), ca_path=options.get("ca_path"),
                   retries=options.get("retries", 3), error_messages=error_messages, pool_size=pool_size)

    def request(self, method, path, body=None, idempotent=None, expected_missing=(), recheck=None):
        """Send one logical request, retrying where that is safe. Returns a Response or raises ApiError.

        idempotent: whether the request may be sent again after the server may have applied it
        (defaults to True for GET, PUT, DELETE, HEAD). A 429 or a connection that was never made
        is retried whatever this says, because the server cannot have applied it.
        expected_missing: statuses returned as a Response instead of raising (e.g. 404 on a read).
        recheck: for a write that is not idempotent, a callable that tells (True/False) whether a try
        whose answer was lost has landed. True ends the request with Response.landed_unseen set;
        False makes the write safe to send again. Without it such a write is never resent.
        """
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
        url = self.base_url + path
        kwargs = dict(timeout=self.timeout, verify=self.verify)
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["headers"] = {"Content-Type": "application/json"}
        attempt = 0
        unclear = False  # an earlier try may have been applied although its answer was lost
        while True:
            self._wait_for_rate_limit()
            wait = None
            self.budget.take()
            try:
                raw = self.session.request(method, url, **kwargs)
            except requests.exceptions.RequestException as exc:
                self.budget.settle(None)
                error = self._exception_error(method, path, exc, attempt, unclear)
            else:
                self.budget.settle(raw.headers)
                text = raw.text
                parsed = parse_body(text, raw.headers.get("Content-Type"))
                status = raw.status_code
                if 200 <= status < 300 or status in expected_missing:
                    return Response(status, raw.headers, parsed, text, resent_after_unclear=unclear)
                error = ApiError(method, path, status=status, messages=self.error_messages(parsed, text),
                                 reason=_status_reason(raw, text), vendor=self.vendor, attempts=attempt + 1,
                                 maybe_applied=status in MAYBE_APPLIED_STATUSES, after_unclear=unclear)
                if status not in RETRYABLE_STATUSES:
                    raise error
                wait = retry_after_seconds(raw.headers, now=self.clock(), rate_limited=status == 429)
                if wait is not None:
                    wait = min(MAX_RETRY_WAIT, wait) + random.random() * 0.25

            if error.maybe_applied and not idempotent:
                if recheck is None:
                    raise error
                if recheck():
                    return Response(None, {}, None, "", resent_after_unclear=unclear, landed_unseen=True)
                unclear = True  # not there yet, but it may still land: a conflict on the resend may be our own
            elif error.maybe_applied and error.status not in GATEWAY_STATUSES:
                unclear = True
            if not error.retryable or attempt >= self.retries:
                raise error
            wait = backoff_seconds(attempt) if wait is None else wait
            if error.status == 429:
                self._pause_everyone(wait)
                self._wait_for_rate_limit()
            else:
                self.sleep(wait)
            attempt += 1

    def _exception_error(self, method, path, exc, attempt, unclear):
        """The ApiError for a request that got no answer; .retryable False when trying again cannot help."""
        if _certificate_refused(exc):
            # The handshake failed before the request was sent, and will fail again the same way.
            reason, maybe_applied, retryable = self._describe_tls_refusal(exc), False, False
        elif isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)):
            # ConnectTimeout is both: nothing reached the server.
            reason, maybe_applied, retryable = _describe_exception(exc, self.timeout), not _never_sent(exc), True
        else:
            reason, maybe_applied, retryable = _describe_exception(exc, self.timeout), True, False
        return ApiError(method, path, reason=self._scrub(reason), vendor=self.vendor, maybe_applied=maybe_applied,
                        attempts=attempt + 1, after_unclear=unclear, retryable=retryable)


def _certificate_refused(exc):
    """True when TLS verification refused the server's certificate (unknown CA, wrong host name, expired)."""
    inner = exc
    for dummy in range(6):
        if isinstance(inner, ssl.SSLCertVerificationError):
            return True
        reason = getattr(inner, "reason", None)
        first = inner.args[0] if getattr(inner, "args", None) else None
        inner = reason if isinstance(reason, BaseException) else first
        if not isinstance(inner, BaseException):
            return False
    return False


def _never_sent(exc):
    """True when the connection was never made, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _describe_exception(exc, timeout):
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error: %s (see validate_certs and ca_path)" % _short(exc)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out after %ss" % timeout
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer within timeout=%ss" % timeout
    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy error: %s" % _short(exc)
    if isinstance(exc, requests.exceptions.ConnectionError):
        if _never_sent(exc):
            return "could not connect: %s" % _short(exc)
        return "connection lost before an answer: %s" % _short(exc)
    return _short(exc)


def _short(exc):
    """The innermost reason, which is what a user can act on; urllib3 wraps it several times."""
    inner = exc
    for dummy in range(5):
        first = inner.args[0] if getattr(inner, "args", None) else None
        if isinstance(getattr(inner, "reason", None), BaseException):
            inner = inner.reason
        elif isinstance(first, BaseException):
            inner = first
        elif isinstance(inner, urllib3.exceptions.ProtocolError) and len(inner.args) > 1:
            inner = inner.args[1]
        else:
            break
    text = str(inner)
    if "): " in text and text.startswith(("HTTPConnection", "HTTPSConnection", "<urllib3")):
        text = text.split("): ", 1)[1]
    return text or inner.__class__.__name__


def _status_reason(raw, text):
    content_type = (raw.headers.get("Content-Type") or "").lower()
    if not text.strip():
        return "empty body"
    if "html" in content_type or text.lstrip().lower().startswith("<"):
        return "HTML body"
    return None
