# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Options every vendor shares (TLS, timeout, retries) and the checks of option values."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
from urllib.parse import urlsplit

MAX_RETRIES = 10
MAX_CONCURRENCY = 32


def transport_argument_spec():
    return dict(
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        timeout=dict(type="float", default=30),
        retries=dict(type="int", default=3),
    )


def transport_option_problems(params):
    problems = []
    timeout = params.get("timeout")
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        problems.append("timeout must be a number of seconds greater than 0, got %s" % timeout)
    retries = params.get("retries")
    if retries is not None and not 0 <= retries <= MAX_RETRIES:
        problems.append("retries must be between 0 and %d, got %s" % (MAX_RETRIES, retries))
    ca_path = params.get("ca_path")
    if ca_path and not os.path.exists(ca_path):
        problems.append("ca_path %s does not exist" % ca_path)
    return problems


def secret_header_problem(params, option):
    """Why a credential cannot go into an HTTP header as it is, or None. Never shows the value."""
    value = params.get(option) or ""
    if value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "%s has spaces, line breaks or control characters around or in it; remove them" % option
    return None


def api_url_problem(url, option="api_url"):
    """Why url is not a usable base URL (http(s)://host[:port][/path]), or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        return "%s %r is not a valid URL: %s" % (option, url, exc)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "%s %r must be an absolute http:// or https:// URL, for example https://api.example.com" % (option, url)
    if parts.query or parts.fragment or port == 0 or any(c.isspace() for c in url.strip()):
        return "%s %r must be a plain base URL without query, fragment or spaces" % (option, url)
    return None


def concurrency_problem(value):
    """Why concurrency (parallel reads of a batch) is out of range, or None."""
    if not 1 <= value <= MAX_CONCURRENCY:
        return "concurrency must be between 1 and %d, got %s" % (MAX_CONCURRENCY, value)
    return None
