# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# What the sandbox remembers (the vendors' objects, the journal, the faults, the settings, the
# rate-limit windows) and the control API under /_sandbox/ that reads and changes it.

import copy
import json
import math
import re
import threading
import time
import uuid

try:
    from . import facts
    from .replies import json_reply
except ImportError:  # run as a script (python tests/sandbox/server.py): this directory is sys.path[0]
    import facts
    from replies import json_reply

DEFAULT_RATE_LIMITS = {"datadog": (12000, 60), "cloudflare": (1200, 300)}
DEFAULT_SETTINGS = {
    "latency_ms": 0,
    "datadog_integration_enabled": True,
    "datadog_delete_status": 204,
    "cloudflare_empty_result": "empty_list",
    "cloudflare_pagerduty_eligible": True,
}

FAULT_KEYS = ("method", "path", "times", "status", "body", "content_type", "headers", "delay_ms", "drop")


class ControlError(Exception):
    """A bad control API call: answered with ``{"error": message}``."""

    def __init__(self, message, status=400):
        super(ControlError, self).__init__(message)
        self.message = message
        self.status = status


def new_id():
    """A new id of 32 hex digits, as Cloudflare gives destinations and connection tokens."""
    return uuid.uuid4().hex


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


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


def control_reply(state, method, sub, body):
    """The answer of the control API to ``method`` on /_sandbox``sub``."""
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
