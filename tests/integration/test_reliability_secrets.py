# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The secrets audit: every failure path that carries a secret, at -vvvv with --diff, and check mode.

Every playbook of the test_reliability_* files runs at -vvvv with --diff, and each is audited
(reliability_support.audit_runs): stdout, stderr, the recorded results (diffs included) and every
file left under the run's HOME and TMPDIR (Ansible's local and remote temp dirs) are searched for every
secret value the run used: Datadog api/app keys, service keys, the Cloudflare token and global key,
connection tokens (the ones given as token_id, and those created during the run). The counts go to
reliability-secret-audit.jsonl in pytest's session temp dir; every scenario must count 0.

This file adds the failure paths where a secret is closest to the output: refused credentials, a
failed request whose body holds a key, a token in the URL of a request that fails in every way a
connection can (refused, TLS, timeout, 404/400 answers), the whole create-authorise-link hand-off,
and check mode (which must send no write: for Cloudflare, the link is a GET but uses the token up).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from integration_harness import closed_port
from reliability_support import (
    CF_CONNECT_PATH,
    CF_LIST_PATH,
    CF_MODULE,
    DD_INFO_MODULE,
    DD_MODULE,
    SERVICES_PATH,
    SecretAudit,
    audit_runs,
    calls_of,
    cf_connection,
    clean_failure_problems,
    dd_connection,
    dd_regex,
    destination,
    mark_task,
    secret_value,
    settle,
    split_journal,
    task,
    token_value,
    write_audit,
)

KEYS = dict((name, secret_value("pdkey", "secrets-" + name)) for name in ("payments", "rotate", "dropped", "check"))
NEW_KEY = secret_value("pdkey", "secrets-rotate-new")
WRONG_API_KEY = secret_value("dd-api-key", "wrong")
WRONG_APP_KEY = secret_value("dd-app-key", "wrong")
WRONG_CF_TOKEN = secret_value("cf-token", "wrong")
WRONG_GLOBAL_KEY = secret_value("cf-global-key", "wrong")
TOKENS = dict((name, token_value("secrets-" + name)) for name in (
    "unknown", "unauthorised", "used", "refused", "tls", "slow", "dropped", "spaced", "check"))
PAYMENTS = destination("payments")
LEDGER = destination("ledger")


def test_secret_bearing_failures_and_check_mode_at_vvvv(run_playbook, sandbox, secrets, tmp_path, tmp_path_factory):
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
        dict(method="PUT", path=dd_regex("rotate"), times=None, status=500, body={"errors": ["Internal Server Error"]}),
        dict(method="POST", path="^%s$" % SERVICES_PATH, times=1, drop="before"),
        dict(method="GET", path="%s/%s$" % (CF_CONNECT_PATH, TOKENS["slow"]), times=1, delay_ms=1500),
        dict(method="GET", path="%s/%s$" % (CF_CONNECT_PATH, TOKENS["dropped"]), times=1, drop="before"),
    ])

    def dd(**options):
        return dd_connection(sandbox.datadog_url, **options)

    def cf(**options):
        return cf_connection(sandbox.cloudflare_url, **options)

    tls_url = sandbox.cloudflare_url.replace("http://", "https://")
    refused_url = "http://127.0.0.1:%d/client/v4" % closed_port()
    cases = [
        # label, task options, module, expected status, check_mode
        ("dd refused keys", DD_MODULE, dd(service_name="payments", service_key=KEYS["payments"],
                                          api_key=WRONG_API_KEY, app_key=WRONG_APP_KEY), "failed"),
        ("dd info refused keys", DD_INFO_MODULE, dd(service_names=["payments"], app_key=WRONG_APP_KEY), "failed"),
        ("dd key rotation answered 500", DD_MODULE, dd(service_name="rotate", service_key=NEW_KEY,
                                                       update_key="always", retries=1), "failed"),
        ("dd create dropped, re-checked, resent", DD_MODULE, dd(service_name="dropped", service_key=KEYS["dropped"],
                                                                retries=1), "changed"),
        ("cf refused token", CF_MODULE, cf(api_token=WRONG_CF_TOKEN, services=["payments"]), "failed"),
        ("cf refused global key", CF_MODULE, cf(api_token=None, email="sandbox@example.com",
                                                api_key=WRONG_GLOBAL_KEY), "failed"),
        ("cf link unknown token", CF_MODULE, cf(services=["payments"], token_id=TOKENS["unknown"]), "failed"),
        ("cf link unauthorised token", CF_MODULE, cf(services=["payments"], token_id=TOKENS["unauthorised"]), "failed"),
        ("cf link used token", CF_MODULE, cf(services=["payments"], token_id=TOKENS["used"]), "failed"),
        ("cf link, connection refused", CF_MODULE, cf(services=["payments"], token_id=TOKENS["refused"],
                                                      api_url=refused_url, retries=0), "failed"),
        ("cf link, TLS error", CF_MODULE, cf(services=["payments"], token_id=TOKENS["tls"], api_url=tls_url,
                                             retries=0), "failed"),
        ("cf link slower than timeout", CF_MODULE, cf(services=["payments"], token_id=TOKENS["slow"], timeout=1),
         "failed"),
        ("cf link dropped", CF_MODULE, cf(services=["ledger"], token_id=TOKENS["dropped"]), "failed"),
        ("cf token_id with spaces around it", CF_MODULE, cf(services=["payments"],
                                                            token_id=" %s\n" % TOKENS["spaced"]), "failed"),
        ("cf create a token (no_log)", CF_MODULE, cf(services=["search"], create_token=True), "changed"),
        ("cf link the created token", CF_MODULE, cf(services=["search"], token_id="{{ created.token_id }}"), "changed"),
        # Check mode: reads only. A Cloudflare link is a GET, but it uses the token up: it is a write.
        ("check: dd create", DD_MODULE, dd(service_name="new", service_key=KEYS["check"]), "changed", True),
        ("check: dd rotate", DD_MODULE, dd(service_name="check", service_key=NEW_KEY, update_key="always"),
         "changed", True),
        ("check: dd delete", DD_MODULE, dd(service_name="check", state="absent"), "changed", True),
        ("check: cf link", CF_MODULE, cf(services=["checkout"], token_id=TOKENS["check"]), "changed", True),
        ("check: cf create token", CF_MODULE, cf(services=["checkout"], create_token=True), "changed", True),
        ("check: cf delete all", CF_MODULE, cf(state="absent"), "changed", True),
    ]
    tasks = []
    for case in cases:
        label, module, options, dummy = case[:4]
        tasks.append(mark_task(sandbox.url, label))
        if label == "cf link the created token":
            tasks.append({"name": "the person authorises the token", "no_log": True, "ansible.builtin.uri": {
                "url": sandbox.url + "/_sandbox/cloudflare/authorize", "method": "POST", "body_format": "json",
                "body": {"token_id": "{{ created.token_id }}", "services": ["search"]}}})
        entry = task(label, module, options, ignore_errors=True,
                     register="created" if label == "cf create a token (no_log)" else None,
                     no_log=label == "cf create a token (no_log)")
        if len(case) > 4:
            entry["check_mode"] = True
        tasks.append(entry)
    run = run_playbook(tasks, diff=True, verbosity=4)
    settle(sandbox)

    parts = split_journal(sandbox.journal())
    problems = []
    for case in cases:
        label, dummy, dummy2, expected = case[:4]
        record = run.record(label)
        if record["status"] != expected:
            problems.append("%s: %s, expected %s: %s" % (label, record["status"], expected, record["result"].get("msg")))
        if expected == "failed":
            problems += ["%s: %s" % (label, p) for p in clean_failure_problems(record["result"], recorded=True)]
        if len(case) > 4:  # check mode: no write
            sent = calls_of(parts.get(label, []))
            if any(m != "GET" or p.startswith(CF_CONNECT_PATH + "/") for m, p, s in sent):
                problems.append("%s: check mode sent a write: %s" % (label, sent))
    assert not problems, "\n".join(problems)
    # What the failures say, without the secret: the path shows {token_id}, the cause is named.
    for label, text in (("cf link, connection refused", "could not connect"), ("cf link, TLS error", "TLS error"),
                        ("cf link slower than timeout", "no answer within timeout=1.0s"),
                        ("cf link dropped", "connection lost before an answer"),
                        ("cf link used token", "17002"), ("cf link unauthorised token", "17003"),
                        ("cf token_id with spaces around it", "token_id has spaces or line breaks around it"),
                        ("dd key rotation answered 500", "returned HTTP 500: Internal Server Error")):
        msg = run.result(label)["msg"]
        assert text in msg, (label, msg)
    for label in ("cf link slower than timeout", "cf link dropped", "cf link used token"):
        assert "/connect/{token_id}" in run.result(label)["msg"], run.result(label)["msg"]
    # The verbose output is really the verbose one.
    assert "ESTABLISH LOCAL CONNECTION" in run.output and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in run.output
    assert calls_of(parts["check: cf link"]) == [("GET", CF_LIST_PATH, 200)]
    assert sandbox.datadog_services()["check"] == KEYS["check"]

    created = [t for t in sandbox.state()["cloudflare"]["tokens"] if t not in TOKENS.values()]
    assert len(created) == 1  # the no_log create; check mode created none
    record = audit_runs(tmp_path_factory, "secret-bearing failures and check mode", [tmp_path], run_playbook.runs,
                        secrets, extra_values=list(TOKENS.values()) + created +
                        [WRONG_API_KEY, WRONG_APP_KEY, WRONG_CF_TOKEN, WRONG_GLOBAL_KEY, NEW_KEY])
    assert record["occurrences"] == 0 and record["leftover_files"] == []
    assert {"datadog api_key", "datadog app_key", "pagerduty service_key", "cloudflare api_token",
            "cloudflare global api_key", "cloudflare token_id"} <= set(record["kinds"])


# ---------------------------------------------------------------------------------------------
# Former leaks, kept as regression tests. The secret values come from extra vars, as a vault would
# supply them (a literal in the play would be printed by ansible-core 2.19's error excerpt, which is
# not the module's doing); the harness and the audit both look for them.

LEAK_API_KEY = secret_value("dd-api-key", "leak-services")
LEAK_APP_KEY = secret_value("dd-app-key", "leak-services")
NEWLINE_API_KEY = secret_value("dd-api-key", "leak-newline")


def leak_run(run_playbook, sandbox, tmp_path, tmp_path_factory, scenario, play_vars, options):
    plays = [{"name": scenario, "hosts": "localhost",
              "tasks": [task("leak", DD_MODULE, dd_connection(sandbox.datadog_url, **options), ignore_errors=True)]}]
    run = run_playbook(plays, verbosity=4, extra_vars=play_vars)
    audit = SecretAudit(list(play_vars.values()))
    record = audit.report(scenario, {}, roots=[tmp_path], extra=dict(runs=1, verbosity=[4]))
    write_audit(tmp_path_factory, record)
    return run, record


def test_services_as_a_list_of_names_leaks_no_key(run_playbook, sandbox, tmp_path, tmp_path_factory):
    run, record = leak_run(run_playbook, sandbox, tmp_path, tmp_path_factory, "leak: services as names",
                           {"leak_api_key": LEAK_API_KEY, "leak_app_key": LEAK_APP_KEY},
                           dict(api_key="{{ leak_api_key }}", app_key="{{ leak_app_key }}",
                                services=["payments", "checkout"]))
    assert run.status("leak") == "failed" and sandbox.journal() == []
    assert record["occurrences"] == 0, record["hits"]
    assert "services" in run.result("leak")["msg"], run.result("leak")["msg"]


def test_a_key_with_a_line_break_is_not_echoed(run_playbook, sandbox, tmp_path, tmp_path_factory):
    run, record = leak_run(run_playbook, sandbox, tmp_path, tmp_path_factory, "leak: api_key with a line break",
                           {"pasted_api_key": NEWLINE_API_KEY + "\n"},
                           dict(api_key="{{ pasted_api_key }}", service_name="payments",
                                service_key=secret_value("pdkey", "leak-newline")))
    assert record["occurrences"] == 0, record["hits"]
    # Fixed either way: the key is stripped (the task succeeds), or refused with a message naming api_key.
    if run.status("leak") == "failed":
        assert "api_key" in run.result("leak")["msg"], run.result("leak")["msg"]
