# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Builders of Datadog tasks for the integration playbooks, and the paths they must request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import quote

from ansible_collections.oncall.pagerduty.tests.sandbox import facts

SERVICE_MODULE = "oncall.pagerduty.datadog_pagerduty_service"
INFO_MODULE = "oncall.pagerduty.datadog_pagerduty_service_info"
SERVICES_PATH = facts.DATADOG_SERVICES_PATH

# What the sandbox accepts (tests/sandbox/facts.py).
API_KEY = facts.DATADOG_API_KEY
APP_KEY = facts.DATADOG_APP_KEY


def service_path(name):
    """The raw path Datadog must be asked for: the name percent-encoded, nothing kept safe."""
    return "%s/%s" % (SERVICES_PATH, quote(name, safe=""))


def path_regex(name):
    """A sandbox fault path matching exactly this service object's path."""
    return "^%s$" % re.escape(service_path(name))


def GET(name):  # pylint: disable=invalid-name
    return ("GET", service_path(name))


def PUT(name):  # pylint: disable=invalid-name
    return ("PUT", service_path(name))


def DELETE(name):  # pylint: disable=invalid-name
    return ("DELETE", service_path(name))


POST = ("POST", SERVICES_PATH)


class DatadogTasks:
    """Tasks for one sandbox: connection options filled in unless connection=False."""

    def __init__(self, api_url):
        self.api_url = api_url

    def connection(self, **overrides):
        options = dict(api_key=API_KEY, app_key=APP_KEY, api_url=self.api_url)
        options.update(overrides)
        return options

    def _task(self, module, title, connection, register, ignore_errors, params):
        options = self.connection() if connection else {}
        options.update(params)
        task = {"name": title, module: options}
        if register:
            task["register"] = register
        if ignore_errors:
            task["ignore_errors"] = True
        return task

    def service(self, title, connection=True, register=None, ignore_errors=False, **params):
        """A datadog_pagerduty_service task named title."""
        return self._task(SERVICE_MODULE, title, connection, register, ignore_errors, params)

    def info(self, title, connection=True, register=None, ignore_errors=False, **params):
        """A datadog_pagerduty_service_info task named title."""
        return self._task(INFO_MODULE, title, connection, register, ignore_errors, params)
