# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Loopback sandbox that imitates the Datadog and Cloudflare PagerDuty APIs.
# Datadog is served at the root, Cloudflare under /client/v4 and a control API (state, journal,
# faults, settings, rate limits, PagerDuty authorisation) under /_sandbox/.
# Standard library only. What it accepts and where (credentials, account, paths): facts.py.
# See README.md beside this file.

import argparse
import copy
import json
import math
import re
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

try:
    from . import facts
except ImportError:  # run as a script (python tests/sandbox/server.py): this directory is sys.path[0]
    import facts

DEFAULT_RATE_LIMITS = {"datadog": (12000, 60), "cloudflare": (1200, 300)}
DEFAULT_SETTINGS = {
    "latency_ms": 0,
    "datadog_integration_enabled": True,
    "datadog_delete_status": 204,
    "cloudflare_empty_result": "empty_list",
    "cloudflare_pagerduty_eligible": True,
}

DATADOG_FORBIDDEN = {
    "status": "error",
    "code": 403,
    "errors": ["Forbidden"],
    "statuspage": "http://status.datadoghq.com",
    "twitter": "http://twitter.com/datadogops",
    "email": "support@datadoghq.com",
}

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

FAULT_KEYS = ("method", "path", "times", "status", "body", "content_type", "headers", "delay_ms", "drop")


class Reply:
    """One HTTP answer: status, extra headers and body bytes."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers=None, body=b""):
        self.status = status
        self.headers = list(headers or [])
        self.body = body


class ControlError(Exception):
    """A bad control API call: answered with ``{"error": message}``."""

    def __init__(self, message, status=400):
        super(ControlError, self).__init__(message)
        self.message = message
        self.status = status


def json_reply(status, payload, headers=None):
    hdrs = [("Content-Type", "application/json")]
    hdrs.extend(headers or [])
    return Reply(status, hdrs, json.dumps(payload).encode("utf-8"))


def empty_reply(status, content_type=None, headers=None):
    hdrs = [("Content-Type", content_type)] if content_type else []
    hdrs.extend(headers or [])
    return Reply(status, hdrs, b"")


def new_id():
    return uuid.uuid4().hex


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


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number_text(value):
    return str(int(value)) if value == int(value) else str(value)


class SandboxState:
    """Everything the sandbox remembers; every access holds ``lock``."""

    def __init__(self, latency_ms=0):
        self.lock = threading.RLock()
        self.default_latency_ms = latency_ms
        self.services = {}
        self.destinations = []
        self.tokens = {}
        self.journal = []
        self.faults = []
        self.settings = {}
        self.rate_limits = {}
        self.windows = {}
        self.reset()

    # -- whole state -------------------------------------------------------------------------

    def reset(self):
        with self.lock:
            self.services = {}        # name -> service_key
            self.destinations = []    # [{"id", "name"}]
            self.tokens = {}          # token -> {"authorized": None | [{"id","name"}], "used": bool}
            self.journal = []
            self.faults = []
            self.settings = dict(DEFAULT_SETTINGS, latency_ms=self.default_latency_ms)
            self.rate_limits = {"datadog": None, "cloudflare": None}
            self.windows = {"datadog": None, "cloudflare": None}

    def snapshot(self):
        with self.lock:
            return {
                "datadog": {"services": dict((name, {"service_key": key}) for name, key in self.services.items())},
                "cloudflare": {
                    "destinations": copy.deepcopy(self.destinations),
                    "tokens": copy.deepcopy(self.tokens),
                },
            }

    def seed(self, data):
        if not isinstance(data, dict) or set(data) - {"datadog", "cloudflare"}:
            raise ControlError("state must be an object with 'datadog' and/or 'cloudflare'")
        services = destinations = tokens = None
        datadog = data.get("datadog")
        if datadog is not None:
            if not isinstance(datadog, dict) or set(datadog) - {"services"}:
                raise ControlError("'datadog' must be an object with 'services'")
            services = self._parse_services(datadog.get("services", {}))
        cloudflare = data.get("cloudflare")
        if cloudflare is not None:
            if not isinstance(cloudflare, dict) or set(cloudflare) - {"destinations", "tokens"}:
                raise ControlError("'cloudflare' must be an object with 'destinations' and/or 'tokens'")
            if "destinations" in cloudflare:
                destinations = self._parse_destinations(cloudflare["destinations"])
            if "tokens" in cloudflare:
                tokens = self._parse_tokens(cloudflare["tokens"])
        with self.lock:
            if services is not None:
                self.services = services
            if destinations is not None:
                self.destinations = destinations
            if tokens is not None:
                self.tokens = tokens
        return self.snapshot()

    @staticmethod
    def _parse_services(value):
        if not isinstance(value, dict):
            raise ControlError("'services' must be an object {name: {\"service_key\": key}}")
        services = {}
        for name, item in value.items():
            key = item.get("service_key") if isinstance(item, dict) else item
            if not isinstance(key, str):
                raise ControlError("service %r needs a string 'service_key'" % name)
            services[name] = key
        return services

    @staticmethod
    def _parse_destinations(value):
        if value is None:
            return []
        if not isinstance(value, list):
            raise ControlError("destinations must be a list of names or {\"id\", \"name\"} objects")
        result = []
        for item in value:
            if isinstance(item, str):
                result.append({"id": new_id(), "name": item})
            elif isinstance(item, dict) and isinstance(item.get("name"), str) and set(item) <= {"id", "name"}:
                ident = item.get("id") or new_id()
                if not isinstance(ident, str):
                    raise ControlError("a destination id must be a string")
                result.append({"id": ident, "name": item["name"]})
            else:
                raise ControlError("each destination must be a name or an object {\"id\", \"name\"}")
        return result

    def _parse_tokens(self, value):
        if not isinstance(value, dict):
            raise ControlError("'tokens' must be an object {token: {\"authorized\": [...], \"used\": bool}}")
        tokens = {}
        for token, item in value.items():
            item = item or {}
            if not isinstance(item, dict) or set(item) - {"authorized", "used"}:
                raise ControlError("token %r must be an object with 'authorized' and/or 'used'" % token)
            authorized = item.get("authorized")
            tokens[token] = {
                "authorized": None if authorized is None else self._parse_destinations(authorized),
                "used": bool(item.get("used", False)),
            }
        return tokens

    # -- journal -----------------------------------------------------------------------------

    def journal_open(self, vendor, method, raw_path):
        entry = {"vendor": vendor, "method": method, "path": raw_path, "status": None, "time": time.time()}
        with self.lock:
            self.journal.append(entry)
        return entry

    def journal_close(self, entry, status):
        with self.lock:
            entry["status"] = status

    def journal_view(self):
        with self.lock:
            return [dict(entry) for entry in self.journal]

    def journal_clear(self):
        with self.lock:
            self.journal = []

    # -- faults ------------------------------------------------------------------------------

    def add_faults(self, data):
        items = data if isinstance(data, list) else [data]
        parsed = [self._parse_fault(item) for item in items]
        with self.lock:
            self.faults.extend(parsed)
        return self.faults_view()

    @staticmethod
    def _parse_fault(item):
        if not isinstance(item, dict):
            raise ControlError("a fault must be a JSON object")
        unknown = set(item) - set(FAULT_KEYS)
        if unknown:
            raise ControlError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
        fault = dict((key, item.get(key)) for key in FAULT_KEYS)
        if fault["method"] is not None:
            if not isinstance(fault["method"], str):
                raise ControlError("'method' must be a string")
            fault["method"] = fault["method"].upper()
        if fault["path"] is not None:
            if not isinstance(fault["path"], str):
                raise ControlError("'path' must be a regular expression string")
            try:
                re.compile(fault["path"])
            except re.error as exc:
                raise ControlError("'path' is not a valid regular expression: %s" % exc)
        fault["times"] = item.get("times", 1)
        if fault["times"] is not None and (not _is_int(fault["times"]) or fault["times"] < 1):
            raise ControlError("'times' must be an integer >= 1, or null for unlimited")
        if fault["status"] is not None and (not _is_int(fault["status"]) or not 100 <= fault["status"] <= 599):
            raise ControlError("'status' must be an HTTP status code")
        if fault["content_type"] is not None and not isinstance(fault["content_type"], str):
            raise ControlError("'content_type' must be a string")
        if fault["headers"] is not None:
            if not isinstance(fault["headers"], dict):
                raise ControlError("'headers' must be an object")
            fault["headers"] = dict((str(k), str(v)) for k, v in fault["headers"].items())
        if fault["delay_ms"] is not None and (not _is_number(fault["delay_ms"]) or fault["delay_ms"] < 0):
            raise ControlError("'delay_ms' must be a number >= 0")
        if fault["drop"] not in (None, "before", "after"):
            raise ControlError("'drop' must be 'before' or 'after'")
        if fault["drop"] is not None and fault["status"] is not None:
            raise ControlError("a fault either answers ('status') or drops the connection ('drop'), not both")
        answer_only = [key for key in ("body", "content_type", "headers") if key in item]
        if answer_only and fault["status"] is None:
            raise ControlError("%s need 'status'" % ", ".join(answer_only))
        return fault

    def take_fault(self, method, raw_path):
        with self.lock:
            for index, fault in enumerate(self.faults):
                if fault["method"] is not None and fault["method"] != method:
                    continue
                if fault["path"] is not None and not re.search(fault["path"], raw_path):
                    continue
                if fault["times"] is not None:
                    fault["times"] -= 1
                    if fault["times"] <= 0:
                        del self.faults[index]
                return dict(fault)
        return None

    def faults_view(self):
        with self.lock:
            return copy.deepcopy(self.faults)

    def faults_clear(self):
        with self.lock:
            self.faults = []

    # -- settings and rate limits ------------------------------------------------------------

    def update_settings(self, data):
        if not isinstance(data, dict):
            raise ControlError("settings must be a JSON object")
        unknown = set(data) - set(DEFAULT_SETTINGS)
        if unknown:
            raise ControlError("unknown settings: %s" % ", ".join(sorted(unknown)))
        if "latency_ms" in data and (not _is_number(data["latency_ms"]) or data["latency_ms"] < 0):
            raise ControlError("'latency_ms' must be a number >= 0")
        for flag in ("datadog_integration_enabled", "cloudflare_pagerduty_eligible"):
            if flag in data and not isinstance(data[flag], bool):
                raise ControlError("'%s' must be true or false" % flag)
        if "datadog_delete_status" in data and data["datadog_delete_status"] not in (200, 204):
            raise ControlError("'datadog_delete_status' must be 204 or 200")
        if "cloudflare_empty_result" in data and data["cloudflare_empty_result"] not in ("empty_list", "null"):
            raise ControlError("'cloudflare_empty_result' must be 'empty_list' or 'null'")
        with self.lock:
            self.settings.update(data)
            return dict(self.settings)

    def settings_view(self):
        with self.lock:
            return dict(self.settings)

    def set_rate_limit(self, data):
        if not isinstance(data, dict) or set(data) - {"vendor", "limit", "period"}:
            raise ControlError("body must be {\"vendor\", \"limit\", \"period\"}")
        vendor = data.get("vendor")
        if vendor not in DEFAULT_RATE_LIMITS:
            raise ControlError("'vendor' must be 'datadog' or 'cloudflare'")
        limit = data.get("limit")
        period = data.get("period", DEFAULT_RATE_LIMITS[vendor][1])
        if limit is not None:
            if not _is_int(limit) or limit < 0:
                raise ControlError("'limit' must be an integer >= 0, or null to switch the simulation off")
            if not _is_number(period) or period <= 0:
                raise ControlError("'period' must be a number of seconds > 0")
        with self.lock:
            self.rate_limits[vendor] = None if limit is None else (limit, period)
            self.windows[vendor] = None
        return self.rate_limits_view()

    def rate_limits_view(self):
        with self.lock:
            return dict((vendor, None if value is None else {"limit": value[0], "period": value[1]})
                        for vendor, value in self.rate_limits.items())

    def count_request(self, vendor):
        """Count one request in the vendor's fixed window: (limit, period, remaining, reset, refused)."""
        with self.lock:
            simulated = self.rate_limits[vendor]
            limit, period = simulated or DEFAULT_RATE_LIMITS[vendor]
            now = time.monotonic()
            window = self.windows[vendor]
            if window is None or now >= window[0] + period:
                window = self.windows[vendor] = [now, 0]
            window[1] += 1
            elapsed = now - window[0]
            reset = max(1, int(math.ceil(period - elapsed - 1e-6)))
            remaining = max(0, limit - window[1])
            refused = simulated is not None and window[1] > limit
            return limit, period, remaining, reset, refused

    # -- cloudflare --------------------------------------------------------------------------

    def authorize(self, data):
        if not isinstance(data, dict) or set(data) - {"token_id", "services"}:
            raise ControlError("body must be {\"token_id\": T, \"services\": [...]}")
        token = data.get("token_id")
        if not isinstance(token, str):
            raise ControlError("'token_id' must be a string")
        services = self._parse_destinations(data.get("services"))
        if not services:
            raise ControlError("'services' must name at least one PagerDuty service")
        with self.lock:
            if token not in self.tokens:
                raise ControlError("unknown token %r" % token, 404)
            if self.tokens[token]["used"]:
                raise ControlError("token %r was already used" % token, 409)
            self.tokens[token]["authorized"] = services
            return {"token_id": token, "authorized": copy.deepcopy(services)}


class SandboxHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP server that can close its open keep-alive connections."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, server_address, state, verbose=False, ssl_context=None):
        if ":" in server_address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.verbose = verbose
        self.ssl_context = ssl_context
        self.connections = set()
        self.connections_lock = threading.Lock()
        ThreadingHTTPServer.__init__(self, server_address, SandboxHandler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn) that can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            SandboxHandler(request, client_address, self)
            return
        # The handshake runs in the request's own thread, so a slow or refusing client blocks no one.
        request.settimeout(SandboxHandler.timeout)
        try:
            request = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a client that does not trust our certificate hung up: what TLS tests expect
        try:
            SandboxHandler(request, client_address, self)
        finally:
            request.close()

    def close_connections(self):
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SandboxHandler(BaseHTTPRequestHandler):
    """Routes a request to the control API, Datadog or Cloudflare."""

    protocol_version = "HTTP/1.1"
    server_version = "oncall-pagerduty-sandbox"
    sys_version = ""
    timeout = 120

    # -- plumbing ----------------------------------------------------------------------------

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self):
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            BaseHTTPRequestHandler.finish(self)
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        if self.server.verbose:
            BaseHTTPRequestHandler.log_message(self, format, *args)

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        return self.rfile.read(length) if length else b""

    def send_reply(self, reply):
        try:
            phrase = HTTPStatus(reply.status).phrase
        except ValueError:
            phrase = "Status %d" % reply.status
        lines = ["HTTP/1.1 %d %s" % (reply.status, phrase),
                 "Server: %s" % self.server_version,
                 "Date: %s" % self.date_time_string()]
        lines.extend("%s: %s" % (name, value) for name, value in reply.headers)
        lines.append("Content-Length: %d" % len(reply.body))
        if self.close_connection:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if self.command != "HEAD":
            data += reply.body
        self.wfile.write(data)
        self.log_request(reply.status, len(reply.body))

    def drop(self):
        self.close_connection = True
        self.log_message('"%s" dropped without an answer', self.requestline)

    # -- dispatch ----------------------------------------------------------------------------

    def dispatch(self):
        state = self.server.state
        method = self.command
        raw_path = self.path
        path = raw_path.split("?", 1)[0]
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.send_reply(json_reply(400, {"error": "unreadable request body"}))
            return
        if path == facts.CONTROL_PREFIX or path.startswith(facts.CONTROL_PREFIX + "/"):
            self.send_reply(self.control(method, path[len(facts.CONTROL_PREFIX):], body))
            return

        if path == facts.CLOUDFLARE_PREFIX or path.startswith(facts.CLOUDFLARE_PREFIX + "/"):
            vendor = "cloudflare"
        elif path.startswith("/api/"):
            vendor = "datadog"
        else:
            vendor = "unknown"
        entry = state.journal_open(vendor, method, raw_path)
        fault = state.take_fault(method, raw_path)
        delay_ms = state.settings_view()["latency_ms"] + ((fault or {}).get("delay_ms") or 0)
        if delay_ms:
            time.sleep(delay_ms / 1000.0)
        if fault and fault["drop"] == "before":
            self.drop()
            return
        if fault and fault["status"] is not None:
            reply = self.fault_reply(fault)
        else:
            try:
                if vendor == "datadog":
                    reply = self.datadog(method, path, body)
                elif vendor == "cloudflare":
                    reply = self.cloudflare(method, path[len(facts.CLOUDFLARE_PREFIX):])
                else:
                    reply = empty_reply(404, "text/html")
            except Exception:  # pylint: disable=broad-except
                traceback.print_exc()
                reply = json_reply(500, {"errors": ["sandbox internal error"]})
        if fault and fault["drop"] == "after":
            self.drop()
            return
        state.journal_close(entry, reply.status)
        self.send_reply(reply)

    @staticmethod
    def fault_reply(fault):
        body = fault["body"]
        content_type = fault["content_type"]
        if body is None:
            data = b""
        elif isinstance(body, str):
            data = body.encode("utf-8")
            content_type = content_type or "text/plain; charset=utf-8"
        else:
            data = json.dumps(body).encode("utf-8")
            content_type = content_type or "application/json"
        headers = [("Content-Type", content_type)] if content_type else []
        headers.extend((fault["headers"] or {}).items())
        return Reply(fault["status"], headers, data)

    # -- control API -------------------------------------------------------------------------

    def control(self, method, sub, body):
        state = self.server.state
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
        except ValueError:
            return json_reply(400, {"error": "the control API takes a JSON body"})
        routes = {
            ("POST", "/reset"): lambda: state.reset() or {"ok": True},
            ("GET", "/health"): lambda: {"ok": True},
            ("GET", "/journal"): lambda: {"requests": state.journal_view()},
            ("DELETE", "/journal"): lambda: state.journal_clear() or {"requests": []},
            ("GET", "/faults"): lambda: {"faults": state.faults_view()},
            ("POST", "/faults"): lambda: {"faults": state.add_faults(data)},
            ("DELETE", "/faults"): lambda: state.faults_clear() or {"faults": []},
            ("GET", "/settings"): state.settings_view,
            ("POST", "/settings"): lambda: state.update_settings(data),
            ("GET", "/ratelimit"): state.rate_limits_view,
            ("POST", "/ratelimit"): lambda: state.set_rate_limit(data),
            ("GET", "/state"): state.snapshot,
            ("POST", "/state"): lambda: state.seed(data),
            ("POST", "/cloudflare/authorize"): lambda: state.authorize(data),
        }
        action = routes.get((method, sub.rstrip("/") or "/"))
        if action is None:
            if any(route == (sub.rstrip("/") or "/") for _verb, route in routes):
                return json_reply(405, {"error": "method %s not allowed on %s%s" % (method, facts.CONTROL_PREFIX, sub)})
            return json_reply(404, {"error": "no control route %s %s%s" % (method, facts.CONTROL_PREFIX, sub)})
        try:
            return json_reply(200, action())
        except ControlError as exc:
            return json_reply(exc.status, {"error": exc.message})

    # -- Datadog -----------------------------------------------------------------------------

    def datadog(self, method, path, body):
        state = self.server.state
        api_key = self.headers.get("DD-API-KEY")
        if not api_key:
            return json_reply(403, {"errors": ["API key required"]})
        if api_key != facts.DATADOG_API_KEY or self.headers.get("DD-APPLICATION-KEY") != facts.DATADOG_APP_KEY:
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
            error = self.datadog_validate(payload, ("service_name", "service_key") if operation == "create" else ("service_key",))
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

    @staticmethod
    def datadog_validate(payload, fields):
        for field in fields:
            if not isinstance(payload.get(field), str):
                return "'%s' should be string" % field
        for field in fields:
            if not payload[field].strip():
                return "%s cannot be blank" % field
        return None

    # -- Cloudflare --------------------------------------------------------------------------

    def cloudflare(self, method, sub):
        state = self.server.state
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

        refusal = self.cloudflare_auth()
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

    def cloudflare_auth(self):
        """None when the credentials are the sandbox's, else the refusal Cloudflare sends."""
        authorization = self.headers.get("Authorization")
        if authorization is not None:
            match = BEARER_RE.match(authorization.strip())
            if not match:
                return cf_reply(400, errors=[_cf_error(CF_ERR_HEADERS, [CF_ERR_AUTHZ_FORMAT])])
            if match.group(1) != facts.CLOUDFLARE_API_TOKEN:
                return cf_reply(401, errors=[_cf_error(CF_ERR_AUTH)])
            return None
        email = (self.headers.get("X-Auth-Email") or "").strip()
        key = (self.headers.get("X-Auth-Key") or "").strip()
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


class Sandbox:
    """The sandbox server, for use in-process: ``Sandbox().start()``, ``.url``, ``.shutdown()``."""

    def __init__(self, host="127.0.0.1", port=0, latency_ms=0, verbose=False, tls_cert=None, tls_key=None):
        """tls_cert, tls_key: PEM files of a server certificate and its key, to serve HTTPS."""
        self.state = SandboxState(latency_ms)
        ssl_context = None
        if tls_cert:
            ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ssl_context.load_cert_chain(tls_cert, tls_key)
        self.httpd = SandboxHTTPServer((host, port), self.state, verbose, ssl_context)
        self.host = host
        self.port = self.httpd.server_address[1]
        url_host = "[%s]" % host if ":" in host else host
        self.url = "%s://%s:%d" % ("https" if tls_cert else "http", url_host, self.port)
        self.datadog_url = self.url
        self.cloudflare_url = self.url + facts.CLOUDFLARE_PREFIX
        self._thread = None

    def start(self):
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="sandbox-%d" % self.port, daemon=True)
            self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread until ``shutdown`` (from another thread) or a signal."""
        self.httpd.serve_forever()

    def reset(self):
        self.state.reset()

    def shutdown(self):
        """Stop serving, close open connections and the listening socket."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self.httpd.close_connections()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.shutdown()


def make_server(host="127.0.0.1", port=0, latency_ms=0, verbose=False, tls_cert=None, tls_key=None):
    """A bound, not yet started, ``Sandbox``."""
    return Sandbox(host, port, latency_ms, verbose, tls_cert, tls_key)


def _stop(signum, frame):  # pylint: disable=unused-argument
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Datadog and Cloudflare PagerDuty API sandbox")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    parser.add_argument("--latency-ms", type=float, default=0, help="delay added to every API request, in milliseconds")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain)")
    parser.add_argument("--tls-key", help="the PEM private key of --tls-cert (default: in the --tls-cert file)")
    args = parser.parse_args(argv)
    if args.tls_key and not args.tls_cert:
        parser.error("--tls-key needs --tls-cert")
    latency = int(args.latency_ms) if args.latency_ms == int(args.latency_ms) else args.latency_ms
    sandbox = make_server(args.host, args.port, latency, args.verbose, args.tls_cert, args.tls_key)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(facts.LISTENING_LINE + sandbox.url, flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.httpd.close_connections()
        sandbox.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
