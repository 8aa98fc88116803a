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

from integration_harness import VendorTasks

SERVICES_PATH = facts.DATADOG_SERVICES_PATH
# The integration-level object: its GET lists every service object; no module may ever write it.
INTEGRATION_PATH = facts.DATADOG_INTEGRATION_PATH

SERVICE_MODULE = "oncall.pagerduty.datadog_pagerduty_service"
INFO_MODULE = "oncall.pagerduty.datadog_pagerduty_service_info"

# What the sandbox accepts (tests/sandbox/facts.py).
API_KEY = facts.DATADOG_API_KEY
APP_KEY = facts.DATADOG_APP_KEY
# Keys the tests use, distinctive so that the secret check can search for them.
PAYMENTS_KEY = "pdkey-payments-0123456789abcdef"
PAYMENTS_NEW_KEY = "pdkey-payments-rotated-fedcba9876543210"
BILLING_KEY = "pdkey-billing-2b7e151628aed2a6"
CHECKOUT_KEY = "pdkey-checkout-6bc1bee22e409f96"
CHECKOUT_NEW_KEY = "pdkey-checkout-rotated-ae2d8a571e03ac9c"
LEGACY_KEY = "pdkey-legacy-3c4fcf098815f7ab"
WRONG_API_KEY = "wrong-dd-api-key-9e1f0c3b5a7d4e28"
WRONG_APP_KEY = "wrong-dd-app-key-41c7e2b9d05a6f13"


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
LIST = ("GET", INTEGRATION_PATH)


class DatadogTasks(VendorTasks):
    """Datadog tasks: api_key, app_key and api_url filled in unless connection=False."""

    def connection(self, **overrides):
        options = dict(api_key=API_KEY, app_key=APP_KEY, api_url=self.api_url)
        options.update(overrides)
        return options

    def service(self, title, connection=True, **params):
        """A datadog_pagerduty_service task named title."""
        return self.build(SERVICE_MODULE, title, connection, params)

    def info(self, title, connection=True, **params):
        """A datadog_pagerduty_service_info task named title."""
        return self.build(INFO_MODULE, title, connection, params)
