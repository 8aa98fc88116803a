# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sandbox's own tests call it over HTTP: a sandbox of each test module's own, and short helpers for its APIs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest
import requests

from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.server import Sandbox

DD = {"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY}
SERVICES = facts.DATADOG_SERVICES_PATH
ACCOUNT = facts.CLOUDFLARE_ACCOUNT_ID
CF = {"Authorization": "Bearer " + facts.CLOUDFLARE_API_TOKEN}
PD = facts.CLOUDFLARE_PREFIX + facts.cloudflare_destinations_path()
GLOBAL_KEY = {"X-Auth-Email": facts.CLOUDFLARE_EMAIL, "X-Auth-Key": facts.CLOUDFLARE_API_KEY}
HEX32 = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def sandbox():
    """A sandbox of this test module alone (not the session's): what these tests count is theirs only."""
    with Sandbox() as box:
        yield box


@pytest.fixture()
def api(sandbox):
    """A session on a freshly reset sandbox; ``api.url`` is the base URL."""
    session = requests.Session()
    session.url = sandbox.url
    assert session.post(sandbox.url + "/_sandbox/reset").json() == {"ok": True}
    yield session
    session.close()


def call(api, method, path, headers=None, **kwargs):
    return api.request(method, api.url + path, headers=headers, **kwargs)


def ctl(api, method, what, body=None):
    response = api.request(method, api.url + "/_sandbox/" + what, json=body)
    return response


def journal(api):
    return ctl(api, "GET", "journal").json()["requests"]


def dd_create(api, name, key="k" * 32):
    return call(api, "POST", SERVICES, DD, json={"service_name": name, "service_key": key})


def cf_link(api, token):
    return call(api, "GET", PD + "/connect/" + token, CF)
