# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: record_results
type: aggregate
short_description: Record every task result as JSON lines, for the integration tests
description:
  - Appends one JSON object per task result (and per loop item) to a file, so that a test can
    assert on C(changed), C(failed), C(msg), C(diff) and every other returned field.
  - Each object also holds when the task started on its host and when its result came (C(started),
    C(ended), seconds since the epoch), so that a test can tell which requests a task sent.
  - Used by C(tests/integration/conftest.py); not part of the collection's plugins.
options:
  path:
    description: The file to append to. Nothing is written when it is not set.
    type: path
    env:
      - name: RECORD_RESULTS_PATH
requirements:
  - enabled with ANSIBLE_CALLBACKS_ENABLED=record_results
"""

import json
import time

from ansible.plugins.callback import CallbackBase


def _result_data(result):
    # ansible-core 2.19 offers `result`; older versions only `_result`.
    data = getattr(result, "result", None)
    if data is None:
        data = result._result
    return data


def _task(result):
    return getattr(result, "task", None) or result._task


def _host_name(result):
    host = getattr(result, "host", None) or result._host
    return host.get_name()


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._started = {}

    def v2_runner_on_start(self, host, task):
        self._started[(host.get_name(), task._uuid)] = time.time()

    def _record(self, result, status, item=False):
        path = self.get_option("path")
        if not path:
            return
        data = _result_data(result)
        if status == "ok" and data.get("changed"):
            status = "changed"
        record = {
            "task": result.task_name,
            "action": _task(result).action,
            "host": _host_name(result),
            "status": status,
            "item": item,
            "result": data,
            "started": self._started.get((_host_name(result), _task(result)._uuid)),
            "ended": time.time(),
        }
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True, default=str, ensure_ascii=False) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_runner_item_on_ok(self, result):
        self._record(result, "ok", item=True)

    def v2_runner_item_on_failed(self, result):
        self._record(result, "failed", item=True)

    def v2_runner_item_on_skipped(self, result):
        self._record(result, "skipped", item=True)
