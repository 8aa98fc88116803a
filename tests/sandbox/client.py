# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A client of the sandbox's control API (/_sandbox/...), for the tests, tools/demo.py and tools/bench.py.

Standard library only: plain http.client, no proxy, no retries.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import ssl
from urllib.parse import urlsplit

from . import facts


class ControlApiError(AssertionError):
    """The control API answered something other than 200."""


class SandboxClient:
    """The control API of the sandbox at url (http://HOST:PORT, as the sandbox printed it).

    ca_file: the CA to trust when the sandbox serves HTTPS.
    """

    def __init__(self, url, ca_file=None, timeout=30):
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        self.host = parts.hostname
        self.port = parts.port
        self.timeout = timeout
        self.ssl_context = ssl.create_default_context(cafile=ca_file) if parts.scheme == "https" else None

    @property
    def datadog_url(self):
        return self.url

    @property
    def cloudflare_url(self):
        return self.url + facts.CLOUDFLARE_PREFIX

    def call(self, method, path, body=None):
        """One control call: path below /_sandbox (e.g. "/reset"); body, if any, sent as JSON. The parsed answer."""
        if self.ssl_context is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        else:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout, context=self.ssl_context)
        try:
            data = None if body is None else json.dumps(body).encode("utf-8")
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, facts.CONTROL_PREFIX + path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read().decode("utf-8")
        finally:
            conn.close()
        parsed = json.loads(payload) if payload else None
        if response.status != 200:
            raise ControlApiError("sandbox control %s %s answered %s: %s" % (method, path, response.status, payload))
        return parsed

    # state
    def reset(self):
        self.call("POST", "/reset")

    def health(self):
        return self.call("GET", "/health")

    def state(self):
        return self.call("GET", "/state")

    def seed(self, state):
        """Replace parts of the state: {"datadog": {"services": {name: key}}, "cloudflare": {...}}."""
        return self.call("POST", "/state", state)

    # journal
    def journal(self, vendor=None):
        """Every request received since the last reset, in order: {vendor, method, path, status, time}."""
        entries = self.call("GET", "/journal")["requests"]
        return [e for e in entries if vendor is None or e["vendor"] == vendor]

    def calls(self, vendor=None):
        """(method, raw path) of every vendor request, in order: what exact-sequence assertions compare."""
        return [(e["method"], e["path"]) for e in self.journal(vendor)]

    def calls_with_status(self, vendor=None):
        return [(e["method"], e["path"], e["status"]) for e in self.journal(vendor)]

    def clear_journal(self):
        self.call("DELETE", "/journal")

    # faults, settings, rate limits
    def add_fault(self, **fault):
        """One fault: method, path (regex on the raw path), times (default 1, None = always),
        status, body, content_type, headers, delay_ms, drop ('before' | 'after')."""
        return self.call("POST", "/faults", fault)["faults"]

    def add_faults(self, faults):
        return self.call("POST", "/faults", list(faults))["faults"]

    def faults(self):
        return self.call("GET", "/faults")["faults"]

    def clear_faults(self):
        self.call("DELETE", "/faults")

    def settings(self, **changes):
        """Change settings (latency_ms, datadog_integration_enabled, datadog_delete_status,
        cloudflare_empty_result) and return them all; with no argument, just return them."""
        if changes:
            return self.call("POST", "/settings", changes)
        return self.call("GET", "/settings")

    def ratelimit(self, vendor, limit, period=None):
        """Simulate a vendor's rate limit (limit requests per period seconds); limit=None switches it off."""
        body = {"vendor": vendor, "limit": limit}
        if period is not None:
            body["period"] = period
        return self.call("POST", "/ratelimit", body)

    # vendor shortcuts
    def datadog_services(self):
        """{name: service_key} of the Datadog service objects."""
        services = self.state()["datadog"]["services"]
        return dict((name, item["service_key"]) for name, item in services.items())

    def seed_datadog(self, services):
        """Replace the Datadog service objects with {name: service_key}."""
        return self.seed({"datadog": {"services": dict(services)}})

    def cloudflare_authorize(self, token_id, services):
        return self.call("POST", "/cloudflare/authorize", {"token_id": token_id, "services": list(services)})
