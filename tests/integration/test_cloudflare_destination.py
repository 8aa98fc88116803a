# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""cloudflare_pagerduty_destination from a playbook: services already connected, a missing one,
the two-run connection hand-off with check mode at each step, tokens that cannot be linked,
removal, and the diff. Each test asserts what the user sees and the exact requests sent."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from cloudflare_tasks import (
    ACCOUNT_ID,
    CHECKOUT,
    CREATE_TOKEN,
    DASHBOARD_PATH,
    DELETE_ALL,
    ELIGIBILITY,
    LINK,
    LIST,
    PAYMENTS,
    SHOWN_LINK_PATH,
    destinations,
    seed_destinations,
    seed_tokens,
    tokens,
    writes,
)

SEARCH = {"id": "7d9f3e1c5b2a48e6a0c4f2d8b6e1a3c5", "name": "search"}
OPS_EU = {"id": "2a6c8e0f4b1d43a597c3e5f7a9b1d3e5", "name": "ops"}
OPS_US = {"id": "9e7c5a3b1f0d42e8b6a4c2e0f8d6b4a2", "name": "ops"}

# Connection tokens seeded in the sandbox: distinctive, and secrets like any token.
UNAUTHORISED_TOKEN = "5f0c3b1e9a7d4c2b8e6f1a3d5c7b9e0f"
USED_TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
UNKNOWN_TOKEN = "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f"
OTHER_SERVICES_TOKEN = "0f9e8d7c6b5a44392817a6b5c4d3e2f1"

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def as_uuid(hex_id):
    return "%s-%s-%s-%s-%s" % (hex_id[:8], hex_id[8:12], hex_id[12:16], hex_id[16:20], hex_id[20:])


def test_already_connected_is_ok_with_a_single_list_per_task(run_playbook, sandbox, cloudflare):
    seeded = seed_destinations(sandbox, [PAYMENTS, CHECKOUT, OPS_EU, OPS_US])
    run = run_playbook([
        cloudflare.destination("any service will do"),
        cloudflare.destination("by name", services=["payments", "checkout"]),
        cloudflare.destination("by id", services=[CHECKOUT["id"]]),
        cloudflare.destination("by id as an upper-case UUID", services=[as_uuid(CHECKOUT["id"]).upper()]),
        cloudflare.destination("by name and by id", services=["payments", OPS_US["id"]]),
        cloudflare.destination("a name two services share", services=["ops"]),
        cloudflare.destination("by name, re-run", services=["payments", "checkout"]),
    ])

    tasks = ["any service will do", "by name", "by id", "by id as an upper-case UUID", "by name and by id",
             "a name two services share", "by name, re-run"]
    assert run.statuses() == [(task, "ok") for task in tasks]
    for task in tasks:
        result = run.result(task)
        assert result["changed"] is False
        assert result["services"] == seeded, task
        assert result["missing"] == [], task
        assert "diff" not in result  # only with --diff
        assert "token_id" not in result and "next_step" not in result
    for task in tasks:
        if task != "a name two services share":
            assert not run.result(task).get("warnings"), task
    # Both services are connected, so it is ok; the user learns how to pick one.
    assert run.result("a name two services share")["warnings"] == [
        'services: "ops" is the name of 2 connected PagerDuty services (ids %s, %s); give an id to designate one '
        "of them" % (OPS_EU["id"], OPS_US["id"])]
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,)] * len(tasks)
    assert destinations(sandbox) == seeded and tokens(sandbox) == {}


def test_a_missing_service_fails_naming_it_and_how_to_connect_without_writing(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    run = run_playbook([
        cloudflare.destination("checkout is missing", ignore_errors=True, services=["payments", "checkout"]),
        cloudflare.destination("an id nobody connected", ignore_errors=True, services=[SEARCH["id"]]),
        cloudflare.destination("checkout is missing, check mode", ignore_errors=True, check_mode=True,
                               services=["payments", "checkout"]),
    ])

    for task, missing in (("checkout is missing", "checkout"), ("an id nobody connected", SEARCH["id"]),
                          ("checkout is missing, check mode", "checkout")):
        result = run.failure(task)
        assert result["msg"].startswith(
            'These PagerDuty services are not connected to Cloudflare account %s: "%s" (connected now: "payments"). '
            % (ACCOUNT_ID, missing)), result["msg"]
        # How to connect: the dashboard, or the two runs of this module.
        assert "Cloudflare's API cannot choose PagerDuty services: a person authorises them in PagerDuty" in result["msg"]
        assert DASHBOARD_PATH in result["msg"]
        assert "create_token: true" in result["msg"] and "token_id" in result["msg"]
        assert result["missing"] == [missing]
        assert result["services"] == [PAYMENTS]
        assert result["changed"] is False
        assert "status" not in result  # not an API error
    # Check mode fails too: the task could not succeed without check mode either.
    assert sandbox.calls("cloudflare") == [LIST] * 3
    assert destinations(sandbox) == [PAYMENTS] and tokens(sandbox) == {}


def test_connect_in_two_runs_with_check_mode_at_each_step(run_playbook, sandbox, cloudflare, secrets):
    wanted = ["payments", CHECKOUT["id"]]  # one by name, one by id

    # Run 1: nothing is connected; get a connection token (first as a dry run).
    first = run_playbook([
        cloudflare.destination("would create a token", check_mode=True, services=wanted, create_token=True),
        cloudflare.destination("create a token", services=wanted, create_token=True),
    ], diff=True)

    assert first.statuses() == [("would create a token", "changed"), ("create a token", "changed")]
    dry = first.result("would create a token")
    assert "token_id" not in dry
    assert dry["next_step"].startswith(
        "Check mode: no token was created. Without check mode, this task creates a one-time PagerDuty connection "
        "token for Cloudflare account %s, returns it as token_id, and the next steps are: 1. " % ACCOUNT_ID)
    assert dry["missing"] == wanted
    assert dry["services"] == []
    assert dry["warnings"] == [dry["next_step"]]

    created = first.result("create a token")
    token = created["token_id"]  # by design in the result: the next run needs it
    assert HEX32.match(token), token
    assert created["next_step"] == (
        "A one-time PagerDuty connection token was created for Cloudflare account %s and returned as token_id; it is "
        "a secret, keep it out of logs. Next: 1. In the Cloudflare dashboard, open %s. 2. Log in to PagerDuty and "
        'authorise these services: "payments" ("%s": destination ids are assigned by Cloudflare when a service is '
        "linked, so give the PagerDuty service names in services instead). 3. Run this task again with token_id set "
        "to the returned token_id and without create_token: that links the services to the account and checks them."
        % (ACCOUNT_ID, DASHBOARD_PATH, CHECKOUT["id"]))
    assert dry["next_step"].endswith(created["next_step"].split(" Next: ", 1)[1])
    assert created["warnings"] == [created["next_step"]]
    assert created["missing"] == wanted and created["services"] == []
    assert created["diff"] == {"before": {"services": []},
                               "after": {"services": [], "connection_token": "(created, returned as token_id)"}}
    # The token is in the result only: not in the step text, the warnings, or the non-verbose output.
    assert token not in created["next_step"]
    assert not any(token in warning for warning in created["warnings"])
    assert token not in first.output
    assert "[WARNING]: A one-time PagerDuty connection token was created" in first.output

    # One token made: the dry run made none. Each read the eligibility first. Nothing connected yet.
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,),
                                                       LIST + (200,), ELIGIBILITY + (200,), CREATE_TOKEN + (201,)]
    assert tokens(sandbox) == {token: {"authorized": None, "used": False}}
    assert destinations(sandbox) == []

    # The person in the browser authorises the services in PagerDuty for this token.
    sandbox.cloudflare_authorize(token, [PAYMENTS, CHECKOUT])
    sandbox.clear_journal()
    secrets.add(token, "the token being linked")  # an input from now on: it must not show

    # Run 2: link the token (first as a dry run), then re-run with the token still in the task.
    link = dict(services=wanted, token_id="{{ cloudflare_token_id }}")
    second = run_playbook([
        cloudflare.destination("would link", check_mode=True, **link),
        cloudflare.destination("link", **link),
        cloudflare.destination("re-run with the used token still in the task", **link),
    ], diff=True, extra_vars={"cloudflare_token_id": token})

    assert second.statuses() == [("would link", "changed"), ("link", "changed"),
                                 ("re-run with the used token still in the task", "ok")]
    would = second.result("would link")
    # Check mode cannot know what the token brings: the entries as requested stand in for them.
    assert would["services"] == [{"id": None, "name": "payments"}, {"id": CHECKOUT["id"], "name": None}]
    assert would["missing"] == []
    assert would["diff"] == {"before": {"services": []}, "after": {"services": sorted(wanted)}}
    linked = second.result("link")
    assert linked["services"] == [PAYMENTS, CHECKOUT]
    assert linked["missing"] == []
    assert linked["diff"] == {"before": {"services": []}, "after": {"services": ["checkout", "payments"]}}
    again = second.result("re-run with the used token still in the task")
    assert again["changed"] is False
    assert again["services"] == [PAYMENTS, CHECKOUT] and again["missing"] == []
    assert again["diff"] == {"before": {"services": ["checkout", "payments"]},
                             "after": {"services": ["checkout", "payments"]}}
    for task in ("would link", "link", "re-run with the used token still in the task"):
        assert "token_id" not in second.result(task) and "next_step" not in second.result(task)
        assert not second.result(task).get("warnings")
    # What --diff prints for the link: the names that got connected.
    assert '+    "services": [\n+        "checkout",\n+        "payments"\n+    ]' in second.stdout

    # The dry run sent no link; the link was sent once; the re-run only listed.
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (200,),
        LIST + (200,), LINK(token) + (200,), LIST + (200,),
        LIST + (200,),
    ]
    assert destinations(sandbox) == [PAYMENTS, CHECKOUT]
    assert tokens(sandbox)[token]["used"] is True


def test_tokens_that_cannot_be_linked_fail_clearly(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    seed_tokens(sandbox, {
        UNAUTHORISED_TOKEN: {"authorized": None, "used": False},
        USED_TOKEN: {"authorized": [CHECKOUT], "used": True},
        OTHER_SERVICES_TOKEN: {"authorized": [SEARCH], "used": False},
    })
    tokens_by_var = {"unauthorised": UNAUTHORISED_TOKEN, "used": USED_TOKEN, "unknown": UNKNOWN_TOKEN,
                     "other": OTHER_SERVICES_TOKEN}
    wanted = ["payments", "checkout"]

    def task(title, var):
        return cloudflare.destination(title, ignore_errors=True, services=wanted, token_id="{{ token_%s }}" % var)

    run = run_playbook([
        task("token nobody authorised", "unauthorised"),
        task("token already used", "used"),
        task("token unknown", "unknown"),
        task("token authorised for other services", "other"),
    ], extra_vars=dict(("token_%s" % var, value) for var, value in tokens_by_var.items()),
        secrets=list(tokens_by_var.values()))

    refused = {
        "token nobody authorised": (400, "17003: PagerDuty authorization was not completed for this token: a person "
                                         "must pick the PagerDuty services to connect before the token can be linked"),
        "token already used": (404, "17002: PagerDuty connection token not found or already used"),
        "token unknown": (404, "17002: PagerDuty connection token not found or already used"),
    }
    for title, (status, api_error) in refused.items():
        result = run.failure(title)
        assert result["msg"].startswith(
            "Could not link the connection token to Cloudflare account %s: Cloudflare API GET %s returned HTTP %d: %s. "
            % (ACCOUNT_ID, SHOWN_LINK_PATH, status, api_error)), result["msg"]
        assert "only after a person authorised services in PagerDuty for it" in result["msg"]
        if status == 400:  # not authorised yet: the same token still works once a person finishes
            assert result["msg"].endswith("do that and run this task again with the same token_id.")
        else:
            assert "create_token: true" in result["msg"] and DASHBOARD_PATH in result["msg"]
        assert result["status"] == status
        assert result["api_errors"] == [api_error]
        assert result["request"] == {"method": "GET", "path": SHOWN_LINK_PATH}  # the token is a secret
        assert result["changed"] is False
        assert result["services"] == [PAYMENTS] and result["missing"] == ["checkout"]

    # Linked, but the person authorised other services: the token is spent, search came in, checkout did not.
    result = run.failure("token authorised for other services")
    assert result["msg"] == (
        'Linked the connection token to Cloudflare account %s, but these services are still not connected: "checkout" '
        '(connected now: "payments", "search"). They were not authorised in PagerDuty for this token, which is now '
        'used up. To connect them, run this task with create_token: true for a new token and follow its steps, or '
        'connect in the Cloudflare dashboard (%s), and authorise these services: "payments", "checkout", and the ones '
        'connected now that you still need ("search").' % (ACCOUNT_ID, DASHBOARD_PATH))
    assert result["changed"] is True  # search was connected
    assert result["services"] == [PAYMENTS, SEARCH] and result["missing"] == ["checkout"]
    assert "status" not in result

    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (200,), LINK(UNAUTHORISED_TOKEN) + (400,),
        # A 404 is followed by one more list: another run may have used the token to connect what we need.
        LIST + (200,), LINK(USED_TOKEN) + (404,), LIST + (200,),
        LIST + (200,), LINK(UNKNOWN_TOKEN) + (404,), LIST + (200,),
        LIST + (200,), LINK(OTHER_SERVICES_TOKEN) + (200,), LIST + (200,),
    ]
    state = tokens(sandbox)
    assert state[UNAUTHORISED_TOKEN] == {"authorized": None, "used": False}  # still usable once authorised
    assert state[OTHER_SERVICES_TOKEN]["used"] is True
    assert destinations(sandbox) == [PAYMENTS, SEARCH]


def test_absent_removes_every_service_once_then_is_ok(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS, CHECKOUT, OPS_EU])
    run = run_playbook([
        cloudflare.destination("would remove them all", state="absent", check_mode=True),
        cloudflare.destination("remove them all", state="absent"),
        cloudflare.destination("remove them all again", state="absent"),
    ], diff=True)

    assert run.statuses() == [("would remove them all", "changed"), ("remove them all", "changed"),
                              ("remove them all again", "ok")]
    removal = {"before": {"services": ["checkout", "ops", "payments"]}, "after": {"services": []}}
    for task in ("would remove them all", "remove them all"):
        assert run.result(task)["services"] == []
        assert run.result(task)["diff"] == removal
    assert run.result("remove them all again")["services"] == []
    assert run.result("remove them all again")["diff"] == {"before": {"services": []}, "after": {"services": []}}
    for task in ("would remove them all", "remove them all", "remove them all again"):
        assert "missing" not in run.result(task) and "token_id" not in run.result(task)
    # What --diff prints (twice: the dry run and the removal).
    assert run.stdout.count('-    "services": [\n-        "checkout",\n-        "ops",\n-        "payments"\n-    ]\n'
                            '+    "services": []') == 2

    # The dry run listed only; one DELETE; the re-run listed only.
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), LIST + (200,), DELETE_ALL + (200,), LIST + (200,)]
    assert writes(sandbox.calls("cloudflare")) == [DELETE_ALL]
    assert destinations(sandbox) == []


def test_a_dry_run_of_the_whole_play_writes_nothing(run_playbook, sandbox, cloudflare):
    seed_destinations(sandbox, [PAYMENTS])
    seed_tokens(sandbox, {OTHER_SERVICES_TOKEN: {"authorized": [CHECKOUT], "used": False}})
    before = sandbox.state()["cloudflare"]
    run = run_playbook([
        cloudflare.destination("create a token", services=["payments", "checkout"], create_token=True),
        cloudflare.destination("link", services=["payments", "checkout"], token_id="{{ token }}"),
        cloudflare.destination("remove them all", state="absent"),
    ], check=True, diff=True, extra_vars={"token": OTHER_SERVICES_TOKEN}, secrets=[OTHER_SERVICES_TOKEN])

    assert run.statuses() == [("create a token", "changed"), ("link", "changed"), ("remove them all", "changed")]
    assert "token_id" not in run.result("create a token")
    assert run.result("create a token")["next_step"].startswith("Check mode: no token was created.")
    assert run.result("link")["services"] == [PAYMENTS, {"id": None, "name": "checkout"}]
    assert run.result("link")["diff"] == {"before": {"services": ["payments"]},
                                          "after": {"services": ["checkout", "payments"]}}
    assert run.result("remove them all")["diff"] == {"before": {"services": ["payments"]}, "after": {"services": []}}
    # No POST .../connect, no GET .../connect/{token}, no DELETE: three lists, and the eligibility read before the
    # token that would be created.
    assert sandbox.calls("cloudflare") == [LIST, ELIGIBILITY, LIST, LIST]
    assert sandbox.state()["cloudflare"] == before
