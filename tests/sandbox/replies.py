# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# The answers every part of the sandbox builds: the vendor APIs, the control API and the faults.

import json


class Reply:
    """One HTTP answer: status, extra headers and body bytes."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers=None, body=b""):
        self.status = status
        self.headers = list(headers or [])
        self.body = body


def json_reply(status, payload, headers=None):
    hdrs = [("Content-Type", "application/json")]
    hdrs.extend(headers or [])
    return Reply(status, hdrs, json.dumps(payload).encode("utf-8"))


def empty_reply(status, content_type=None, headers=None):
    hdrs = [("Content-Type", content_type)] if content_type else []
    hdrs.extend(headers or [])
    return Reply(status, hdrs, b"")
