# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret in the most verbose output Ansible can produce, for both vendors: the everyday tasks,
the failure paths where a secret is closest to the output, check mode, and former leaks.

The harness checks every run of every test (stdout, stderr, the recorded results with their diffs,
and every file the run left in its directory, HOME and TMPDIR); these runs go at -vvvv --diff
through the paths that carry a secret: refused credentials, a failed request whose body holds a
key, a token in the URL of a request that fails in every way a connection can, the whole
create-authorise-link hand-off, and check mode (which must send no write: for Cloudflare, the link
is a GET but uses the token up).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.oncall.pagerduty.tests.sandbox import facts

from cloudflare_tasks import (
    API_TOKEN,
    CONNECT_PATH,
    CREATE_TOKEN,
    ELIGIBILITY,
    EMAIL,
    GLOBAL_KEY,
    LINK,
    LIST,
    PAYMENTS,
    WRONG_GLOBAL_KEY,
    WRONG_TOKEN,
    destinations,
    seed_tokens,
    tokens,
)
from datadog_tasks import (
    API_KEY,
    APP_KEY,
    PAYMENTS_KEY,
    PAYMENTS_NEW_KEY,
    SERVICES_PATH,
    WRONG_API_KEY,
    WRONG_APP_KEY,
    path_regex,
)
from integration_harness import closed_port


def test_datadog_vvvv_output_never_holds_a_secret(run_playbook, sandbox, datadog, secrets):
    run = run_playbook([
        datadog.service("link payments", service_name="payments", service_key=PAYMENTS_KEY),
        datadog.service("rotate payments", service_name="payments", service_key=PAYMENTS_NEW_KEY, update_key="always"),
        datadog.service("refused", ignore_errors=True, service_name="payments", service_key=PAYMENTS_NEW_KEY,
                        update_key="always", api_key=WRONG_API_KEY, app_key=WRONG_APP_KEY),
    ], verbosity=4, diff=True)

    assert run.statuses() == [("link payments", "changed"), ("rotate payments", "changed"), ("refused", "failed")]
    assert run.failure("refused")["status"] == 403
    assert sandbox.datadog_services() == {"payments": PAYMENTS_NEW_KEY}
    # The output is really the verbose one: module arguments and connection details are shown...
    assert "ESTABLISH LOCAL CONNECTION" in run.output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert "module_args" in run.output
    # ...and the harness checked every secret used; this spells the check out.
    used = {API_KEY, APP_KEY, PAYMENTS_KEY, PAYMENTS_NEW_KEY, WRONG_API_KEY, WRONG_APP_KEY}
    assert used <= secrets.values
    for secret in used:
        assert secret not in run.output
        assert secret not in run.results_text


LINK_TOKEN = "d4c3b2a1f0e94d8c7b6a5f4e3d2c1b0a"
USED_TOKEN = "e1f2a3b4c5d64e7f8a9b0c1d2e3f4a5b"


def test_cloudflare_vvvv_output_never_holds_a_secret(run_playbook, sandbox, cloudflare, secrets):
    seed_tokens(sandbox, {LINK_TOKEN: {"authorized": [PAYMENTS], "used": False},
                          USED_TOKEN: {"authorized": [PAYMENTS], "used": True}})
    run = run_playbook([
        cloudflare.info("list with the API token"),
        cloudflare.info("list with the global API key", connection="global_key"),
        cloudflare.destination("link with token_id", services=["payments"], token_id="{{ link_token }}"),
        cloudflare.destination("link a used token", ignore_errors=True, services=["checkout"],
                               token_id="{{ used_token }}"),
        cloudflare.info("wrong API token", ignore_errors=True, api_token=WRONG_TOKEN),
        cloudflare.destination("wrong global API key", ignore_errors=True, connection="global_key",
                               api_key=WRONG_GLOBAL_KEY, state="absent"),
        # The documented way to keep a created token out of the logs.
        cloudflare.destination("create a token under no_log", services=["checkout"], create_token=True,
                               no_log=True),
    ], verbosity=4, diff=True, extra_vars={"link_token": LINK_TOKEN, "used_token": USED_TOKEN},
        secrets=[LINK_TOKEN, USED_TOKEN])

    assert run.statuses() == [
        ("list with the API token", "ok"), ("list with the global API key", "ok"), ("link with token_id", "changed"),
        ("link a used token", "failed"), ("wrong API token", "failed"), ("wrong global API key", "failed"),
        ("create a token under no_log", "changed"),
    ]
    assert run.result("link a used token")["status"] == 404
    assert run.result("wrong API token")["status"] == 401
    assert run.result("wrong global API key")["status"] == 403
    assert sandbox.calls_with_status("cloudflare") == [
        LIST + (200,), ELIGIBILITY + (200,), LIST + (200,), ELIGIBILITY + (200,),
        LIST + (200,), LINK(LINK_TOKEN) + (200,), LIST + (200,),
        LIST + (200,), LINK(USED_TOKEN) + (404,), LIST + (200,),
        LIST + (401,), LIST + (403,),
        LIST + (200,), ELIGIBILITY + (200,), CREATE_TOKEN + (201,),
    ]
    assert destinations(sandbox) == [PAYMENTS]
    created = set(tokens(sandbox)) - {LINK_TOKEN, USED_TOKEN}
    assert len(created) == 1

    # The output is really the verbose one: module arguments and connection details are shown...
    assert "ESTABLISH LOCAL CONNECTION" in run.output
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert "module_args" in run.output
    # ...and the harness checked every secret used; this spells the check out.
    used = {API_TOKEN, GLOBAL_KEY, WRONG_TOKEN, WRONG_GLOBAL_KEY, LINK_TOKEN, USED_TOKEN}
    assert used <= secrets.values
    for secret in used | created:
        assert secret not in run.output
        assert secret not in run.results_text


KEYS = {
    "payments": "pdkey-vvvv-payments-1594ab7c25207449",
    "rotate": "pdkey-vvvv-rotate-900e81bb2694e473",
    "dropped": "pdkey-vvvv-dropped-99d83c09268ff587",
    "check": "pdkey-vvvv-check-49bba429a9ca9fe2",
}
ROTATED_KEY = "pdkey-vvvv-rotated-7909a4b4416a3dd3"
# Connection tokens, each for one case (a token is a secret, whether Cloudflare knows it or not).
TOKENS = {
    "unknown": "a8b338d4abbe9702147e9e9c155e9a9b",
    "unauthorised": "2d39ce702a67a6bbc0ae61e778a8753c",
    "used": "9a6388f2632f13c2358730b985839885",
    "refused": "3bf360fd264598a4fc83089397cda99c",
    "tls": "0d71ac5b4cf5a3bfa8b60b766305ebdc",
    "slow": "b6247bc91154a64ba6837f942f8418cd",
    "dropped": "4eff30533b882fde015f099b18927f1f",
    "spaced": "e0329bb06cb691409dae15e28f5154cb",
    "check": "d72b7ceb979def64778cec97a1e5e582",
}
LEDGER = {"id": "5e7a1c3b9d2f48e6a0b4c8d2f6e1a3b5", "name": "ledger"}


def test_secret_bearing_failures_and_check_mode_at_vvvv(run_playbook, sandbox, sandbox_tasks, datadog, cloudflare,
                                                        secrets):
    sandbox.seed({
        "datadog": {"services": {"rotate": KEYS["rotate"], "check": KEYS["check"]}},
        "cloudflare": {"destinations": [], "tokens": {
            TOKENS["unauthorised"]: {"authorized": None, "used": False},
            TOKENS["used"]: {"authorized": [PAYMENTS], "used": True},
            TOKENS["slow"]: {"authorized": [PAYMENTS], "used": False},
            TOKENS["dropped"]: {"authorized": [LEDGER], "used": False},
            TOKENS["check"]: {"authorized": [PAYMENTS], "used": False},
        }}})
    sandbox.add_faults([
        dict(method="PUT", path=path_regex("rotate"), times=None, status=500, body={"errors": ["Internal Server Error"]}),
        dict(method="POST", path="^%s$" % SERVICES_PATH, times=1, drop="before"),
        dict(method="GET", path="%s/%s$" % (CONNECT_PATH, TOKENS["slow"]), times=1, delay_ms=1500),
        dict(method="GET", path="%s/%s$" % (CONNECT_PATH, TOKENS["dropped"]), times=1, drop="before"),
    ])
    tls_url = sandbox.cloudflare_url.replace("http://", "https://")
    refused_url = "http://127.0.0.1:%d/client/v4" % closed_port()

    def link(title, token, **options):
        return cloudflare.destination(title, ignore_errors=True, services=["payments"], token_id=token, **options)

    failures = [
        datadog.service("dd refused keys", ignore_errors=True, service_name="payments", service_key=KEYS["payments"],
                        api_key=WRONG_API_KEY, app_key=WRONG_APP_KEY),
        datadog.info("dd info refused keys", ignore_errors=True, service_names=["payments"], app_key=WRONG_APP_KEY),
        datadog.service("dd key rotation answered 500", ignore_errors=True, service_name="rotate",
                        service_key=ROTATED_KEY, update_key="always", retries=1),
        cloudflare.destination("cf refused token", ignore_errors=True, api_token=WRONG_TOKEN, services=["payments"]),
        cloudflare.destination("cf refused global key", ignore_errors=True, api_token=None, email=EMAIL,
                               api_key=WRONG_GLOBAL_KEY),
        link("cf link unknown token", TOKENS["unknown"]),
        link("cf link unauthorised token", TOKENS["unauthorised"]),
        link("cf link used token", TOKENS["used"]),
        link("cf link, connection refused", TOKENS["refused"], api_url=refused_url, retries=0),
        link("cf link, TLS error", TOKENS["tls"], api_url=tls_url, retries=0),
        link("cf link slower than timeout", TOKENS["slow"], timeout=1),
        cloudflare.destination("cf link dropped", ignore_errors=True, services=["ledger"], token_id=TOKENS["dropped"]),
        link("cf token_id with spaces around it", " %s\n" % TOKENS["spaced"]),
    ]
    dropped_create = datadog.service("dd create dropped, re-checked, resent", service_name="dropped",
                                     service_key=KEYS["dropped"], retries=1)
    hand_off = [
        cloudflare.destination("cf create a token (no_log)", services=["search"], create_token=True,
                               register="created", no_log=True),
        sandbox_tasks.cloudflare_authorize("the person authorises the token", "{{ created.token_id }}", ["search"]),
        cloudflare.destination("cf link the created token", services=["search"], token_id="{{ created.token_id }}"),
    ]
    # Check mode: reads only. A Cloudflare link is a GET, but it uses the token up: it is a write.
    check_mode = [
        datadog.service("check: dd create", service_name="new", service_key=KEYS["check"]),
        datadog.service("check: dd rotate", service_name="check", service_key=ROTATED_KEY, update_key="always"),
        datadog.service("check: dd delete", service_name="check", state="absent"),
        cloudflare.destination("check: cf link", services=["checkout"], token_id=TOKENS["check"]),
        cloudflare.destination("check: cf create token", services=["checkout"], create_token=True),
        cloudflare.destination("check: cf delete all", state="absent"),
    ]
    run = run_playbook(failures + [dropped_create] + hand_off + [dict(item, check_mode=True) for item in check_mode],
                       diff=True, verbosity=4)

    journal = sandbox.journal()
    for item in failures:
        run.failure(item["name"])
    for item in [dropped_create, hand_off[0], hand_off[2]] + check_mode:
        assert run.status(item["name"]) == "changed", (item["name"], run.result(item["name"]))
    for item in check_mode:
        sent = [(e["method"], e["path"]) for e in run.requests(item["name"], journal)]
        assert all(method == "GET" and not path.startswith(CONNECT_PATH + "/") for method, path in sent), sent
    # What the failures say, without the secret: the path shows {token_id}, the cause is named.
    for title, text in (("cf link, connection refused", "could not connect"), ("cf link, TLS error", "TLS error"),
                        ("cf link slower than timeout", "no answer within timeout=1.0s"),
                        ("cf link dropped", "connection lost before an answer"),
                        ("cf link used token", "17002"), ("cf link unauthorised token", "17003"),
                        ("cf token_id with spaces around it", "token_id has spaces or line breaks around it"),
                        ("dd key rotation answered 500", "returned HTTP 500: Internal Server Error")):
        assert text in run.result(title)["msg"], (title, run.result(title)["msg"])
    for title in ("cf link slower than timeout", "cf link dropped", "cf link used token"):
        assert "/connect/{token_id}" in run.result(title)["msg"], run.result(title)["msg"]
    # The verbose output is really the verbose one.
    assert "ESTABLISH LOCAL CONNECTION" in run.output and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert [(e["method"], e["path"], e["status"]) for e in run.requests("check: cf link", journal)] == [LIST + (200,)]
    assert sandbox.datadog_services()["check"] == KEYS["check"]

    created = [token for token in tokens(sandbox) if token not in TOKENS.values()]
    assert len(created) == 1  # the no_log create; check mode created none
    run_playbook.check_again(created)
    assert run_playbook.leftovers() == []
    # Every kind of secret was searched for: Datadog keys, service keys, Cloudflare token and key, token_id.
    assert set(facts.SECRETS) | set(KEYS.values()) | set(TOKENS.values()) | {
        ROTATED_KEY, WRONG_API_KEY, WRONG_APP_KEY, WRONG_TOKEN, WRONG_GLOBAL_KEY} | set(created) <= secrets.values


# Former leaks, kept as regression tests. The secret values come from extra vars, as a vault would
# supply them (a literal in the play would be printed by ansible-core 2.19's error excerpt, which is
# not the module's doing).
LEAK_API_KEY = "dd-api-key-leak-services-92945ca80ee42c19"
LEAK_APP_KEY = "dd-app-key-leak-services-597e268beec53867"
PASTED_API_KEY = "dd-api-key-leak-newline-e31505f8fed00d5b\n"
TEXT_SERVICE_KEY = "pdkey-leak-services-text-4c1d7e9a2b6f"


def test_former_leaks_stay_closed(run_playbook, sandbox, datadog):
    keys = {"leak_api_key": LEAK_API_KEY, "leak_app_key": LEAK_APP_KEY, "pasted_api_key": PASTED_API_KEY,
            "text_service_key": TEXT_SERVICE_KEY}
    run = run_playbook([
        # services as text, as `ansible -a "services=[{...}]"` passes it: split into strings that hold the key.
        datadog.service("services as text", ignore_errors=True,
                        services="[{'service_name': 'payments', 'service_key': '{{ text_service_key }}'}]"),
        datadog.service("services as a list of names", ignore_errors=True, api_key="{{ leak_api_key }}",
                        app_key="{{ leak_app_key }}", services=["payments", "checkout"]),
        datadog.service("api_key with a line break", ignore_errors=True, api_key="{{ pasted_api_key }}",
                        service_name="payments", service_key="pdkey-leak-newline-1f45ef5950304930"),
    ], verbosity=4, extra_vars=keys, secrets=list(keys.values()))

    assert run.status("services as text") == "failed"
    assert "services must be a list of dicts" in run.result("services as text")["msg"]
    assert run.status("services as a list of names") == "failed"
    assert "services" in run.result("services as a list of names")["msg"]
    assert run.requests("services as a list of names", sandbox.journal()) == []
    # Fixed either way: the key is stripped (the task succeeds), or refused with a message naming api_key.
    if run.status("api_key with a line break") == "failed":
        assert "api_key" in run.result("api_key with a line break")["msg"]
