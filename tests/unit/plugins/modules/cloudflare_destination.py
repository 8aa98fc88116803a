# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the tests of the Cloudflare modules share: the sandbox's account, the paths its journal shows, services and a
token to seed, and short ways to seed, converge and give main() its options (test_cloudflare_destination_*.py); then
what the fault tests add (test_cloudflare_*_faults.py): the requests they script faults on, the journal entries they
expect, and their way to run main() and run it again.

The adapter they converge with is the cloudflare_api fixture (tests/unit/conftest.py).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils._module import TaskFailure
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    cloudflare_options,
    forget_faults_and_requests,
    journal_answers,
    run_checked,
    task_status,
    wait_for_late_answers,
)
from ansible_collections.oncall.pagerduty.tests.unit.plugins.modules import faults

ACCOUNT = facts.CLOUDFLARE_ACCOUNT_ID
LIST = "/client/v4/accounts/%s/alerting/v3/destinations/pagerduty" % ACCOUNT
CONNECT = LIST + "/connect"
ELIGIBLE = facts.CLOUDFLARE_PREFIX + facts.cloudflare_eligible_path()
PAYMENTS = {"id": "a" * 32, "name": "payments"}
CHECKOUT = {"id": "b" * 32, "name": "checkout"}
SEARCH = {"id": "c" * 32, "name": "search"}
TOKEN = "0123456789abcdef0123456789abcdef"
DASHBOARD = "Notifications > Destinations > PagerDuty > Connect"


def seed(state, *destinations, **tokens):
    """The sandbox with these destinations connected, and tokens ({token: services a person authorised for it})."""
    cloudflare = {"destinations": list(destinations)}
    cloudflare["tokens"] = dict((token, {"authorized": list(services)}) for token, services in tokens.items())
    state.seed({"cloudflare": cloudflare})


def converge(api, state="present", services=None, token_id=None, create_token=False, check_mode=False):
    return module.converge(api, state, services, token_id, create_token, check_mode)


def failure(api, **kwargs):
    """The TaskFailure converge(api, **kwargs) raises."""
    with pytest.raises(TaskFailure) as caught:
        converge(api, **kwargs)
    return caught.value


def connection(sandbox, **extra):
    """main()'s options: the sandbox's account and token, no retry, and extra."""
    return cloudflare_options(sandbox.cloudflare_url, retries=0, **extra)


def names(before, after):
    """The diff: the sorted names of the connected services before and after."""
    return dict(before={"services": before}, after={"services": after})


def connected(state):
    return state.snapshot()["cloudflare"]["destinations"]


# -- the fault tests -------------------------------------------------------------------------------
# Cloudflare under faults: the list (by both modules), the delete, and the connect flow of
# cloudflare_pagerduty_destination, the token create (POST .../connect) and the link (GET .../connect/{token_id}, which
# uses the token up); under 5xx with JSON, HTML and empty bodies, 429s, connections dropped before and after the
# request was applied, and answers slower than the timeout.
#
# Each test scripts the faults in the in-process sandbox, runs main(), and lists the exact requests it expects with the
# status the sandbox journalled (None: dropped unanswered), the waits the client chose (instantly, see instant_waits)
# and the re-runs that end ok. The list and delete are sent again after any fault; the create and link only after a
# 429, which certainly was not applied: after an unclear create the task says to run it again, after an unclear link
# it lists the destinations again to tell.

SHOWN = facts.cloudflare_destinations_path()  # the path failure messages show
LIST_REGEX = "^%s$" % LIST
CREATE_REGEX = "^%s$" % CONNECT
LINK_REGEX = "^%s/[^/]+$" % CONNECT
RETRIED = faults.retried_faults(faults.cloudflare_error)


def list_(status):
    return ("GET", LIST, status)


def create(status):
    return ("POST", CONNECT, status)


def eligible(status):
    return ("GET", ELIGIBLE, status)


def link(token, status):
    return ("GET", "%s/%s" % (CONNECT, token), status)


def connected_names(state):
    """The sorted names of the connected services (the fault tests import it as connected)."""
    return sorted(destination["name"] for destination in state.snapshot()["cloudflare"]["destinations"])


def tokens(state):
    """{token: used} of every token the sandbox knows."""
    return dict((token, record["used"]) for token, record in state.snapshot()["cloudflare"]["tokens"].items())


def run(sandbox, capsys, target, **args):
    """main() of target, each request tried twice (retries=1) unless args say otherwise.

    Its output shows no secret: no credential and no token_id it was given (a token it created is returned, by design).
    """
    options = dict(cloudflare_options(sandbox.cloudflare_url, retries=1, timeout=5), **args)
    return run_checked(target, options, capsys, TOKEN, *[args["token_id"]] if args.get("token_id") else [])


def rerun(sandbox, capsys, target, **args):
    """Run again with no fault left: the status and the requests of that run alone."""
    forget_faults_and_requests(sandbox.state)
    return task_status(run(sandbox, capsys, target, **args)), journal_answers(sandbox.state)


def connect(sandbox, capsys, **args):
    """The destination module for payments."""
    return run(sandbox, capsys, module, services=["payments"], **args)


def connect_again(sandbox, capsys, **args):
    """Connect again with no fault left: the result and the requests of that run alone."""
    forget_faults_and_requests(sandbox.state)
    return connect(sandbox, capsys, **args), journal_answers(sandbox.state)


# The two requests whose outcome can be unclear, and so are not sent again after a 5xx, a dropped connection or no answer
# within the timeout: the request to script a fault on, the options that send it, how the task's failure message
# starts (then it shows what went wrong), and what it advises.
CREATING = dict(request=dict(method="POST", path=CREATE_REGEX), args=dict(create_token=True),
                says="Creating a connection token had no clear outcome (Cloudflare API POST %s/connect " % SHOWN,
                advice="Run this task again for a new one.")
LINKING = dict(request=dict(method="GET", path=LINK_REGEX), args=dict(token_id=TOKEN),
               says="Linking the connection token had no clear outcome (Cloudflare API GET %s/connect/{token_id} " % SHOWN,
               advice="Run this task again")


def fails_unclear(sandbox, state, capsys, instant_waits, step, fault, shown, **args):
    """Connect payments by step (CREATING or LINKING) with fault scripted on its request, which the message shows as
    shown (its start): the task fails saying so and giving the step's advice, and sends nothing again (no wait).

    The requests it sent (a dropped one journalled None), once a slow answer has landed too.
    """
    state.add_faults(dict(step["request"], **fault))
    result = connect(sandbox, capsys, **dict(step["args"], **args))
    if "delay_ms" in fault:
        wait_for_late_answers(state)
    assert (task_status(result), instant_waits.waits) == ("failed", [])
    assert result["msg"].startswith(step["says"] + shown)
    assert step["advice"] in result["msg"]
    return journal_answers(state)
