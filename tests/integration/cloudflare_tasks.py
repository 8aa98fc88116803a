# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Builders of Cloudflare tasks for the integration playbooks, and the requests they must send.

The Cloudflare counterpart of datadog_tasks.py (it holds no test), with the fixture `cloudflare`
and helpers that read and seed the sandbox's Cloudflare state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.sandbox import facts

DESTINATION_MODULE = "oncall.pagerduty.cloudflare_pagerduty_destination"
INFO_MODULE = "oncall.pagerduty.cloudflare_pagerduty_destination_info"

# What the sandbox accepts (tests/sandbox/facts.py).
ACCOUNT_ID = facts.CLOUDFLARE_ACCOUNT_ID
API_TOKEN = facts.CLOUDFLARE_API_TOKEN
EMAIL = facts.CLOUDFLARE_EMAIL
GLOBAL_KEY = facts.CLOUDFLARE_API_KEY

PREFIX = facts.CLOUDFLARE_PREFIX
# The path Cloudflare's errors show, and the path requested (under PREFIX).
SHOWN_PATH = facts.cloudflare_destinations_path()
DESTINATIONS_PATH = PREFIX + SHOWN_PATH
CONNECT_PATH = DESTINATIONS_PATH + "/connect"
DASHBOARD_PATH = "Notifications > Destinations > PagerDuty > Connect"
# What errors show instead of a connection token, which is a secret.
SHOWN_LINK_PATH = SHOWN_PATH + "/connect/{token_id}"

# The four requests the modules may send, as the journal records them: (method, raw path).
LIST = ("GET", DESTINATIONS_PATH)
DELETE_ALL = ("DELETE", DESTINATIONS_PATH)
CREATE_TOKEN = ("POST", CONNECT_PATH)
WRITES = ("POST", "DELETE")


def LINK(token_id):  # pylint: disable=invalid-name
    return ("GET", "%s/%s" % (CONNECT_PATH, token_id))


def list_path(account_id):
    return PREFIX + facts.cloudflare_destinations_path(account_id)


def writes(calls):
    """The requests of a journal that change something: POST, DELETE, and linking a token (a GET)."""
    return [call for call in calls if call[0] in WRITES or call[1].startswith(CONNECT_PATH)]


class CloudflareTasks:
    """Tasks for one sandbox: account, API token and api_url filled in unless connection=False."""

    def __init__(self, api_url):
        self.api_url = api_url

    def connection(self, **overrides):
        options = dict(account_id=ACCOUNT_ID, api_token=API_TOKEN, api_url=self.api_url)
        options.update(overrides)
        return dict((key, value) for key, value in options.items() if value is not None)

    def global_key_connection(self, **overrides):
        return self.connection(api_token=None, email=EMAIL, api_key=GLOBAL_KEY, **overrides)

    @staticmethod
    def _task(module, title, options, register, ignore_errors, check_mode, no_log):
        task = {"name": title, module: options}
        if register:
            task["register"] = register
        if ignore_errors:
            task["ignore_errors"] = True
        if check_mode is not None:
            task["check_mode"] = check_mode
        if no_log:
            task["no_log"] = True
        return task

    def _options(self, connection, params):
        if connection is True:
            options = self.connection()
        elif connection == "global_key":
            options = self.global_key_connection()
        else:
            options = {}
        options.update(params)
        return dict((key, value) for key, value in options.items() if value is not None)

    def destination(self, title, connection=True, register=None, ignore_errors=False, check_mode=None, no_log=False,
                    **params):
        """A cloudflare_pagerduty_destination task named title.

        connection: True (API token), "global_key" (email and global API key) or False (none).
        An option given as None is left out (to drop one of the connection options).
        """
        return self._task(DESTINATION_MODULE, title, self._options(connection, params), register, ignore_errors,
                          check_mode, no_log)

    def info(self, title, connection=True, register=None, ignore_errors=False, check_mode=None, **params):
        """A cloudflare_pagerduty_destination_info task named title."""
        return self._task(INFO_MODULE, title, self._options(connection, params), register, ignore_errors,
                          check_mode, False)


@pytest.fixture
def cloudflare(sandbox):
    """Cloudflare task builders pointed at the sandbox (import it into a test file to use it)."""
    return CloudflareTasks(sandbox.cloudflare_url)


def destinations(sandbox):
    """The connected PagerDuty destinations of the sandbox account: [{"id", "name"}]."""
    return sandbox.state()["cloudflare"]["destinations"]


def tokens(sandbox):
    """{token: {"authorized", "used"}} of the sandbox account."""
    return sandbox.state()["cloudflare"]["tokens"]


def seed_destinations(sandbox, items):
    """Replace the destinations with items ({"id","name"} or plain names, which get new ids)."""
    return sandbox.seed({"cloudflare": {"destinations": list(items)}})["cloudflare"]["destinations"]


def seed_tokens(sandbox, items):
    """Replace the connection tokens with {token: {"authorized": [...] | None, "used": bool}}."""
    return sandbox.seed({"cloudflare": {"tokens": dict(items)}})["cloudflare"]["tokens"]


def assert_clean_failure(run, task):
    """Failed with a message, and no Python traceback anywhere the user looks."""
    result = run.result(task)
    assert run.status(task) == "failed", (task, result)
    assert result["msg"]
    for field in ("module_stderr", "module_stdout"):
        assert field not in result, "%s: %s" % (field, result[field])
    # ansible-core 2.19 adds exception="(traceback unavailable)" to every failure without one.
    assert result.get("exception") in (None, "(traceback unavailable)"), result["exception"]
    assert "Traceback" not in run.output
    # A no_log value that reached a message would be masked by Ansible: the message would show stars.
    assert "********" not in result["msg"], result["msg"]
    return result


# Connected services the tests seed, with the ids Cloudflare would have given them.
PAYMENTS = {"id": "8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a", "name": "payments"}
CHECKOUT = {"id": "1b4e28ba2fa1411d9e4b7c6f0a5d3e21", "name": "checkout"}
