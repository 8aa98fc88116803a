# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Builders of Cloudflare tasks for the integration playbooks, the requests they must send, and
helpers that read and seed the sandbox's Cloudflare state: the counterpart of datadog_tasks.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.tests.sandbox import facts

from integration_harness import VendorTasks

DESTINATION_MODULE = "oncall.pagerduty.cloudflare_pagerduty_destination"
INFO_MODULE = "oncall.pagerduty.cloudflare_pagerduty_destination_info"

# What the sandbox accepts (tests/sandbox/facts.py), and credentials it refuses.
ACCOUNT_ID = facts.CLOUDFLARE_ACCOUNT_ID
API_TOKEN = facts.CLOUDFLARE_API_TOKEN
EMAIL = facts.CLOUDFLARE_EMAIL
GLOBAL_KEY = facts.CLOUDFLARE_API_KEY
WRONG_TOKEN = "cf-wrong-api-token-4d1e8a0c7b93f25e"
WRONG_GLOBAL_KEY = "cf-wrong-global-key-b7e3c91d05a2f648"

PREFIX = facts.CLOUDFLARE_PREFIX
# The path Cloudflare's errors show, and the path requested (under PREFIX).
SHOWN_PATH = facts.cloudflare_destinations_path()
DESTINATIONS_PATH = PREFIX + SHOWN_PATH
CONNECT_PATH = DESTINATIONS_PATH + "/connect"
DASHBOARD_PATH = "Notifications > Destinations > PagerDuty > Connect"
# What errors show instead of a connection token, which is a secret.
SHOWN_LINK_PATH = SHOWN_PATH + "/connect/{token_id}"

# Whether the account's plan lets it use PagerDuty: read by the info module after the list, and by the destination
# module before it creates a token and after a list refused for another reason than the credentials.
ELIGIBLE_PATH = PREFIX + facts.cloudflare_eligible_path()
SHOWN_ELIGIBLE_PATH = facts.cloudflare_eligible_path()

# The five requests the modules may send, as the journal records them: (method, raw path).
LIST = ("GET", DESTINATIONS_PATH)
ELIGIBILITY = ("GET", ELIGIBLE_PATH)
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


class CloudflareTasks(VendorTasks):
    """Cloudflare tasks: account, API token and api_url filled in unless connection=False;
    connection="global_key" gives the email and global API key instead of the token."""

    def connection(self, **overrides):
        options = dict(account_id=ACCOUNT_ID, api_token=API_TOKEN, api_url=self.api_url)
        options.update(overrides)
        return dict((key, value) for key, value in options.items() if value is not None)

    def global_key_connection(self, **overrides):
        return self.connection(api_token=None, email=EMAIL, api_key=GLOBAL_KEY, **overrides)

    def connection_options(self, connection):
        if connection == "global_key":
            return self.global_key_connection()
        return self.connection() if connection else {}

    def destination(self, title, connection=True, **params):
        """A cloudflare_pagerduty_destination task named title."""
        return self.build(DESTINATION_MODULE, title, connection, params)

    def info(self, title, connection=True, **params):
        """A cloudflare_pagerduty_destination_info task named title."""
        return self.build(INFO_MODULE, title, connection, params)


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


# Connected services the tests seed, with the ids Cloudflare would have given them.
PAYMENTS = {"id": "8c3d9b1f0e2a4d6c8b7a9f1e3d5c7b9a", "name": "payments"}
CHECKOUT = {"id": "1b4e28ba2fa1411d9e4b7c6f0a5d3e21", "name": "checkout"}
