# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every module, both vendors, under injected faults: 429 storms (with each vendor's headers and
with HTML bodies), 500/502/503/504 with JSON, HTML and empty bodies, connections dropped before and
after the request was applied, and answers slower than `timeout`.

Each case asserts the outcome (success within the retry budget, or a failure naming the status
and its cause), the exact requests the sandbox received, that no write was duplicated (a Datadog
create whose answer was lost is re-checked with a GET; a Cloudflare token create or link is never
resent once it may have been applied), the waits the client chose, and that re-running converges
to `ok` with no write.

The matrix runs each module's main() in-process against the sandbox over HTTP (the value is in
the client logic); two playbooks prove one case of every fault kind per vendor through
ansible-playbook, at -vvvv, with their re-runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as cf_module
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination_info as cf_info_module
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service as dd_module
from ansible_collections.oncall.pagerduty.plugins.modules import datadog_pagerduty_service_info as dd_info_module

from integration_harness import SANDBOX_SECRETS
from reliability_support import (
    ANY,
    CF_CONNECT_PATH,
    CF_CONNECT_REGEX,
    CF_INFO_MODULE,
    CF_LINK_REGEX,
    CF_LIST_PATH,
    CF_LIST_REGEX,
    CF_MODULE,
    CF_SHOWN_LINK_PATH,
    CF_SHOWN_PATH,
    DD_INFO_MODULE,
    DD_MODULE,
    DD_POST_REGEX,
    SERVICES_PATH,
    Control,
    Findings,
    ModuleDriver,
    SecretAudit,
    assert_calls,
    audit_runs,
    calls_of,
    cf_connection,
    clean_failure_problems,
    dd_connection,
    dd_path,
    dd_regex,
    destination,
    secret_value,
    settle,
    split_journal,
    task,
    token_value,
    write_audit,
)

PHRASES = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
STATUSES = (500, 502, 503, 504)
BODIES = ("json", "html", "empty")

OLD_KEY = secret_value("pdkey", "payments-old")
KEYS = dict((name, secret_value("pdkey", name)) for name in ("payments", "checkout", "search"))
PAYMENTS = destination("payments")
CHECKOUT = destination("checkout")
LINK_TOKEN = token_value("in-process-link")
SLOW_TIMEOUT = 0.5


def html_page(status):
    return "<html><head><title>%d %s</title></head><body><h1>%s</h1><hr>nginx</body></html>" % (
        status, PHRASES[status], PHRASES[status])


def cf_error_code(status):
    return 10000 + status


def fault_answer(vendor, status, body):
    """The faulty answer: status, body (JSON in the vendor's error shape, an HTML page, or empty), headers."""
    answer = dict(status=status)
    if body == "json" and vendor == "datadog":
        answer["body"] = {"errors": [PHRASES[status] if status != 429 else
                                     "Rate limit of 12000 requests in 60 seconds reached. Please try again later."]}
    elif body == "json":
        code, message = (971, "Please wait and consider throttling your request speed") if status == 429 else (
            cf_error_code(status), PHRASES[status])
        answer["body"] = {"success": False, "errors": [{"code": code, "message": message}], "messages": [],
                          "result": None}
    elif body == "html":
        answer.update(body=html_page(status), content_type="text/html")
    if status == 429:
        # Each vendor's own way to say how long to wait, 1 s to keep the suite fast.
        if vendor == "datadog":
            answer["headers"] = {"X-RateLimit-Limit": "12000", "X-RateLimit-Period": "60",
                                 "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1"}
        else:
            answer["headers"] = {"Retry-After": "1", "Ratelimit": '"default";r=0;t=1',
                                 "Ratelimit-Policy": '"default";q=1200;w=300'}
    return answer


def cause_text(vendor, status, body):
    """What the failure message must say about the answer."""
    if body == "json" and vendor == "datadog":
        return PHRASES[status] if status != 429 else "Rate limit of 12000 requests in 60 seconds reached"
    if body == "json":
        return "971: Please wait" if status == 429 else "%d: %s" % (cf_error_code(status), PHRASES[status])
    return "(HTML body)" if body == "html" else "(empty body)"


# ---------------------------------------------------------------------------------------------
# Operations: what each module sends, and what it must send under each fault


class Expect:
    """What a case must show: status, requests, message parts, state, and the re-runs that converge."""

    def __init__(self, status, calls, msg=(), state=None, reruns=(), unordered=0, result=None):
        self.status = status
        self.calls = calls
        self.msg = list(msg)
        self.state = state            # callable(sandbox) -> list of problems
        self.reruns = list(reruns)    # [Rerun]
        self.unordered = unordered
        self.result = result          # callable(result) -> list of problems


class Rerun:
    def __init__(self, status, calls, args=None, unordered=0, authorize=None):
        self.status = status
        self.calls = calls            # list, or callable(previous outcomes) -> list
        self.args = args              # dict of overrides, or callable(previous outcomes) -> dict
        self.unordered = unordered
        self.authorize = authorize    # services to authorise for pending tokens before this run


def dd_state(**expected):
    def check(sandbox):
        actual = sandbox.datadog_services()
        return [] if actual == expected else ["Datadog state %r, expected %r" % (sorted(actual), sorted(expected))]
    return check


def cf_state(names, tokens=None, used=None):
    def check(sandbox):
        state = sandbox.state()["cloudflare"]
        problems = []
        actual = sorted(d["name"] for d in state["destinations"])
        if actual != sorted(names):
            problems.append("destinations %r, expected %r" % (actual, sorted(names)))
        if tokens is not None and len(state["tokens"]) != tokens:
            problems.append("%d tokens, expected %d" % (len(state["tokens"]), tokens))
        if used is not None:
            actual_used = dict((t, r["used"]) for t, r in state["tokens"].items())
            if actual_used != used:
                problems.append("tokens used: %r, expected %r" % (actual_used, used))
        return problems
    return check


class Op:
    """One thing a module does, the request a fault targets, and how an idempotent retry looks."""

    vendor = None
    id = None
    module = None
    fault_method = None
    fault_path = None
    idempotent = True

    def seed(self, sandbox):
        pass

    def args(self):
        raise NotImplementedError

    def connection(self, sandbox, retries, timeout):
        if self.vendor == "datadog":
            return dd_connection(sandbox.datadog_url, retries=retries, timeout=timeout)
        return cf_connection(sandbox.cloudflare_url, retries=retries, timeout=timeout)

    # idempotent operations: before + target * n + success + after
    before = ()
    target = None
    success = None
    after_ok = ()
    after_exhausted = ()

    def success_status(self, kind):  # pylint: disable=unused-argument
        return self.success

    def recovered(self, kind, calls):
        """Expect after the target was answered with `statuses` and then succeeded."""
        raise NotImplementedError

    def exhausted(self, calls, msg):
        raise NotImplementedError

    def shown_target(self):
        method, path = self.target
        return method, path[len("/client/v4"):] if path.startswith("/client/v4") else path

    def expect(self, kind, outcome, status, body):
        n = 2 if kind == "429" and outcome == "recover" else 1
        # What the journal shows for the faulted request: its status, null for a dropped
        # connection, and whatever a slow request was answered after its client had left.
        status = {"slow": ANY, "drop_before": None, "drop_after": None}.get(kind, status)
        if outcome == "recover":
            faulted = [status] * n
            calls = list(self.before) + [self.target + (s,) for s in faulted] + \
                [self.target + (self.success_status(kind),)] + list(self.after_ok)
            return self.recovered(kind, calls)
        attempts = 2
        calls = list(self.before) + [self.target + (status,)] * attempts + list(self.after_exhausted)
        method, shown = self.shown_target()
        vendor = "Datadog" if self.vendor == "datadog" else "Cloudflare"
        msg = ["%s API %s %s" % (vendor, method, shown), "(after 2 attempts)"]
        if kind in ("429", "5xx"):
            msg += ["returned HTTP %d" % status, cause_text(self.vendor, status, body)]
        elif kind == "slow":
            msg += ["no answer within timeout=%ss" % SLOW_TIMEOUT]
        else:
            msg += ["connection lost before an answer"]
        return self.exhausted(calls, msg)


def G404(name):  # pylint: disable=invalid-name
    return ("GET", dd_path(name), 404)


def G200(name):  # pylint: disable=invalid-name
    return ("GET", dd_path(name), 200)


def DD_POST(status):  # pylint: disable=invalid-name
    return ("POST", SERVICES_PATH, status)


def CF_POST(status):  # pylint: disable=invalid-name
    return ("POST", CF_CONNECT_PATH, status)


P201 = DD_POST(201)
L200 = ("GET", CF_LIST_PATH, 200)


def K(token, status):  # pylint: disable=invalid-name
    return ("GET", "%s/%s" % (CF_CONNECT_PATH, token), status)


class DDRead(Op):
    vendor, id, module = "datadog", "dd-read", dd_module
    target = ("GET", dd_path("payments"))
    fault_method, fault_path = "GET", dd_regex("payments")
    success = 404
    after_ok = (P201,)

    def args(self):
        return dict(service_name="payments", service_key=KEYS["payments"])

    def recovered(self, kind, calls):
        return Expect("changed", calls, state=dd_state(payments=KEYS["payments"]),
                      reruns=[Rerun("ok", [G200("payments")])])

    def exhausted(self, calls, msg):
        return Expect("failed", calls, msg, state=dd_state(),
                      reruns=[Rerun("changed", [G404("payments"), P201]), Rerun("ok", [G200("payments")])])


class DDUpdate(Op):
    vendor, id, module = "datadog", "dd-update", dd_module
    target = ("PUT", dd_path("payments"))
    fault_method, fault_path = "PUT", dd_regex("payments")
    before = (G200("payments"),)
    success = 200

    def seed(self, sandbox):
        sandbox.seed_datadog({"payments": OLD_KEY})

    def args(self):
        return dict(service_name="payments", service_key=KEYS["payments"], update_key="always")

    def recovered(self, kind, calls):
        return Expect("changed", calls, state=dd_state(payments=KEYS["payments"]),
                      reruns=[Rerun("ok", [G200("payments")], args=dict(update_key="on_create"))])

    def exhausted(self, calls, msg):
        # update_key=always reports changed on every run by design; on_create is the converged run.
        return Expect("failed", calls, msg, state=dd_state(payments=OLD_KEY),
                      reruns=[Rerun("changed", [G200("payments"), ("PUT", dd_path("payments"), 200)]),
                              Rerun("ok", [G200("payments")], args=dict(update_key="on_create"))])


class DDDelete(Op):
    vendor, id, module = "datadog", "dd-delete", dd_module
    target = ("DELETE", dd_path("payments"))
    fault_method, fault_path = "DELETE", dd_regex("payments")
    before = (G200("payments"),)

    def seed(self, sandbox):
        sandbox.seed_datadog({"payments": OLD_KEY})

    def args(self):
        return dict(service_name="payments", state="absent")

    def success_status(self, kind):
        # After a lost answer to an applied DELETE the retry finds nothing (404), which is success too.
        return {"drop_after": 404, "slow": ANY}.get(kind, 204)

    def recovered(self, kind, calls):
        return Expect("changed", calls, state=dd_state(), reruns=[Rerun("ok", [G404("payments")])])

    def exhausted(self, calls, msg):
        return Expect("failed", calls, msg, state=dd_state(payments=OLD_KEY),
                      reruns=[Rerun("changed", [G200("payments"), ("DELETE", dd_path("payments"), 204)]),
                              Rerun("ok", [G404("payments")])])


class DDInfo(Op):
    vendor, id, module = "datadog", "dd-info", dd_info_module
    target = ("GET", dd_path("payments"))
    fault_method, fault_path = "GET", dd_regex("payments")
    before = (G404("checkout"),)
    success = 200

    def seed(self, sandbox):
        sandbox.seed_datadog({"payments": OLD_KEY})

    def args(self):
        return dict(service_names=["payments", "checkout"])

    def check_result(self, result):
        if (result.get("services"), result.get("missing")) != ([{"service_name": "payments"}], ["checkout"]):
            return ["services/missing: %r / %r" % (result.get("services"), result.get("missing"))]
        return []

    def recovered(self, kind, calls):
        return Expect("ok", calls, unordered=len(calls), result=self.check_result,
                      reruns=[Rerun("ok", [G200("payments"), G404("checkout")], unordered=2)])

    def exhausted(self, calls, msg):
        return Expect("failed", calls, msg, unordered=len(calls),
                      reruns=[Rerun("ok", [G200("payments"), G404("checkout")], unordered=2)])


class DDBatch(Op):
    """services: three objects in one task; reads in parallel, writes one at a time."""
    vendor, id, module = "datadog", "dd-batch", dd_module
    target = ("GET", dd_path("checkout"))
    fault_method, fault_path = "GET", dd_regex("checkout")
    before = (G404("payments"), G404("search"))
    success = 404
    after_ok = (P201, P201, P201)
    after_exhausted = (P201, P201)

    def args(self):
        return dict(services=[dict(service_name=name, service_key=KEYS[name])
                              for name in ("payments", "checkout", "search")], concurrency=3)

    def recovered(self, kind, calls):
        return Expect("changed", calls, unordered=len(calls) - 3, state=dd_state(**KEYS),
                      reruns=[Rerun("ok", [G200(n) for n in KEYS], unordered=3)])

    def exhausted(self, calls, msg):
        msg = ["1 of 3 service objects failed (the others were applied): checkout: "] + msg

        def check(result):
            flags = [(r["service_name"], bool(r.get("failed")), r["changed"]) for r in result.get("results", [])]
            expected = [("payments", False, True), ("checkout", True, False), ("search", False, True)]
            return [] if flags == expected else ["results %r" % flags]

        return Expect("failed", calls, msg, unordered=len(calls) - 2, result=check,
                      state=dd_state(payments=KEYS["payments"], search=KEYS["search"]),
                      reruns=[Rerun("changed", [G200("payments"), G404("checkout"), G200("search"), P201], unordered=3),
                              Rerun("ok", [G200(n) for n in KEYS], unordered=3)])


class CFList(Op):
    vendor = "cloudflare"
    target = ("GET", CF_LIST_PATH)
    fault_method, fault_path = "GET", CF_LIST_REGEX
    success = 200

    def seed(self, sandbox):
        sandbox.seed({"cloudflare": {"destinations": [PAYMENTS]}})

    def check_result(self, result):
        return [] if result.get("services") == [PAYMENTS] else ["services %r" % result.get("services")]

    def recovered(self, kind, calls):
        return Expect("ok", calls, result=self.check_result, reruns=[Rerun("ok", [L200])])

    def exhausted(self, calls, msg):
        return Expect("failed", calls, msg, reruns=[Rerun("ok", [L200])])


class CFInfo(CFList):
    id, module = "cf-info", cf_info_module

    def args(self):
        return {}


class CFCheck(CFList):
    id, module = "cf-check", cf_module

    def args(self):
        return dict(services=["payments"])


class CFDelete(Op):
    vendor, id, module = "cloudflare", "cf-delete", cf_module
    target = ("DELETE", CF_LIST_PATH)
    fault_method, fault_path = "DELETE", CF_LIST_REGEX
    before = (L200,)
    success = 200

    def seed(self, sandbox):
        sandbox.seed({"cloudflare": {"destinations": [PAYMENTS, CHECKOUT]}})

    def args(self):
        return dict(state="absent")

    def recovered(self, kind, calls):
        return Expect("changed", calls, state=cf_state([]), reruns=[Rerun("ok", [L200])])

    def exhausted(self, calls, msg):
        return Expect("failed", calls, msg, state=cf_state(["payments", "checkout"]),
                      reruns=[Rerun("changed", [L200, ("DELETE", CF_LIST_PATH, 200)]), Rerun("ok", [L200])])


def unclear_cause(kind, status, vendor, body):
    if kind == "5xx":
        return ["returned HTTP %d" % status, cause_text(vendor, status, body)]
    if kind == "slow":
        return ["no answer within timeout=%ss" % SLOW_TIMEOUT]
    return ["connection lost before an answer"]


class DDCreate(Op):
    """The POST: never blindly repeated. A lost or 5xx answer is re-checked with a GET first."""
    vendor, id, module = "datadog", "dd-create", dd_module
    fault_method, fault_path = "POST", DD_POST_REGEX
    idempotent = False

    def args(self):
        return dict(service_name="payments", service_key=KEYS["payments"])

    def expect(self, kind, outcome, status, body):
        done = dict(state=dd_state(payments=KEYS["payments"]), reruns=[Rerun("ok", [G200("payments")])])
        again = [Rerun("changed", [G404("payments"), P201]), Rerun("ok", [G200("payments")])]
        post = DD_POST
        if kind == "429":  # certainly not applied: resent without a re-check
            if outcome == "recover":
                return Expect("changed", [G404("payments"), post(429), post(429), P201], **done)
            return Expect("failed", [G404("payments"), post(429), post(429)],
                          ["Datadog API POST %s returned HTTP 429" % SERVICES_PATH, cause_text("datadog", 429, body),
                           "(after 2 attempts)"], state=dd_state(), reruns=again)
        if kind == "5xx" and outcome == "exhaust":
            return Expect("failed", [G404("payments"), post(status), G404("payments"), post(status), G404("payments")],
                          ["Datadog API POST %s returned HTTP %d" % (SERVICES_PATH, status),
                           cause_text("datadog", status, body)], state=dd_state(), reruns=again)
        if kind == "drop_after":  # applied: the re-check finds it, no second POST
            return Expect("changed", [G404("payments"), post(None), G200("payments")], **done)
        first = {"5xx": status, "drop_before": None, "slow": ANY}[kind]
        return Expect("changed", [G404("payments"), post(first), G404("payments"), P201], **done)


class CFToken(Op):
    """create_token: the POST is never resent once it may have reached Cloudflare (only 429 is retried)."""
    vendor, id, module = "cloudflare", "cf-token", cf_module
    fault_method, fault_path = "POST", CF_CONNECT_REGEX
    idempotent = False

    def args(self):
        return dict(services=["payments"], create_token=True)

    @staticmethod
    def flow(create=True):
        """Re-runs that converge: (create a token,) the person authorises it, link it, then ok."""
        steps = []
        if create:
            steps.append(Rerun("changed", [L200, ("POST", CF_CONNECT_PATH, 201)]))

        def link_calls(outs):
            return [L200, K(outs[-1].result["token_id"], 200), L200]

        def link_args(outs):
            return dict(create_token=False, token_id=outs[-1].result["token_id"])

        steps.append(Rerun("changed", link_calls, args=link_args,
                           authorize=[PAYMENTS]))
        steps.append(Rerun("ok", [L200], args=dict(create_token=False)))
        return steps

    def expect(self, kind, outcome, status, body):
        post = CF_POST
        if kind == "429":
            if outcome == "recover":
                def check(result):
                    return [] if len(result.get("token_id") or "") == 32 else ["no token_id returned"]
                return Expect("changed", [L200, post(429), post(429), post(201)], state=cf_state([], tokens=1),
                              result=check, reruns=self.flow(create=False))
            return Expect("failed", [L200, post(429), post(429)],
                          ["Cloudflare API POST %s/connect returned HTTP 429" % CF_SHOWN_PATH,
                           cause_text("cloudflare", 429, body), "(after 2 attempts)"],
                          state=cf_state([], tokens=0), reruns=self.flow())
        first = {"5xx": status, "drop_before": None, "drop_after": None, "slow": ANY}[kind]
        applied = kind in ("drop_after", "slow")
        msg = ["Creating a connection token had no clear outcome (Cloudflare API POST %s/connect" % CF_SHOWN_PATH,
               "Run this task again for a new one"] + unclear_cause(kind, status, "cloudflare", body)
        return Expect("failed", [L200, post(first)], msg, state=cf_state([], tokens=1 if applied else 0),
                      reruns=self.flow())


class CFLink(Op):
    """Linking a token (a GET that uses the token up): never resent once it may have been applied."""
    vendor, id, module = "cloudflare", "cf-link", cf_module
    fault_method, fault_path = "GET", CF_LINK_REGEX
    idempotent = False

    def seed(self, sandbox):
        sandbox.seed({"cloudflare": {"destinations": [],
                                     "tokens": {LINK_TOKEN: {"authorized": [PAYMENTS], "used": False}}}})

    def args(self):
        return dict(services=["payments"], token_id=LINK_TOKEN)

    def expect(self, kind, outcome, status, body):
        linked = dict(state=cf_state(["payments"], used={LINK_TOKEN: True}), reruns=[Rerun("ok", [L200])])
        again = [Rerun("changed", [L200, K(LINK_TOKEN, 200), L200]), Rerun("ok", [L200])]
        if kind == "429":
            if outcome == "recover":
                return Expect("changed", [L200, K(LINK_TOKEN, 429), K(LINK_TOKEN, 429), K(LINK_TOKEN, 200), L200],
                              **linked)
            return Expect("failed", [L200, K(LINK_TOKEN, 429), K(LINK_TOKEN, 429)],
                          ["Could not link the connection token", "Cloudflare API GET %s returned HTTP 429"
                           % CF_SHOWN_LINK_PATH, "(after 2 attempts)"],
                          state=cf_state([], used={LINK_TOKEN: False}), reruns=again)
        if kind == "drop_after":  # applied: the list taken afterwards shows it
            return Expect("changed", [L200, K(LINK_TOKEN, None), L200], **linked)
        first = {"5xx": status, "drop_before": None, "slow": ANY}[kind]
        msg = ["Linking the connection token had no clear outcome (Cloudflare API GET %s" % CF_SHOWN_LINK_PATH,
               "Run this task again"] + unclear_cause(kind, status, "cloudflare", body)
        if kind == "slow":  # the link lands after the module listed again: the next run is ok
            return Expect("failed", [L200, K(LINK_TOKEN, ANY), L200], msg,
                          state=cf_state(["payments"], used={LINK_TOKEN: True}), reruns=[Rerun("ok", [L200])])
        return Expect("failed", [L200, K(LINK_TOKEN, first), L200], msg,
                      state=cf_state([], used={LINK_TOKEN: False}), reruns=again)


DD_OPS = [DDRead(), DDCreate(), DDUpdate(), DDDelete(), DDInfo(), DDBatch()]
CF_OPS = [CFInfo(), CFCheck(), CFDelete(), CFToken(), CFLink()]


# ---------------------------------------------------------------------------------------------
# The matrix


class Case:
    def __init__(self, op, kind, outcome, status=None, body=None):
        self.op = op
        self.kind = kind          # 429 | 5xx | drop_before | drop_after | slow
        self.outcome = outcome    # recover | exhaust
        self.status = status
        self.body = body

    @property
    def id(self):
        parts = [self.kind, self.op.id, self.outcome]
        if self.status:
            parts.append(str(self.status))
        if self.body:
            parts.append(self.body)
        return "-".join(parts)

    def retries(self):
        return 2 if self.kind == "429" and self.outcome == "recover" else 1

    def timeout(self):
        return SLOW_TIMEOUT if self.kind == "slow" else 5

    def faults(self):
        times = {"recover": 2 if self.kind == "429" else 1, "exhaust": None}[self.outcome]
        fault = dict(method=self.op.fault_method, path=self.op.fault_path, times=times)
        if self.kind in ("429", "5xx"):
            fault.update(fault_answer(self.op.vendor, self.status, self.body))
        elif self.kind == "slow":
            # Slow enough that the client gives up; a POST must land after the re-check's re-POST.
            fault["delay_ms"] = 2500 if isinstance(self.op, DDCreate) else 1200
        else:
            fault["drop"] = "before" if self.kind == "drop_before" else "after"
        return [fault]

    def expected_waits(self):
        """(how many, low, high) seconds: Retry-After / X-RateLimit-Reset 1 s (+ up to 0.25 s jitter) on 429,
        else exponential backoff from 0.5-1 s."""
        if self.kind == "429":
            return (2 if self.outcome == "recover" else 1), 0.9, 1.3
        if isinstance(self.op, DDCreate):  # one backoff before the re-POST, none when the re-check found it
            return (0 if self.kind == "drop_after" else 1), 0.5, 1.0
        if not self.op.idempotent:  # Cloudflare token create and link: never resent, so never a wait
            return 0, 0, 0
        return 1, 0.5, 1.0  # one retry (retries: 1), after the first backoff


def build_cases():
    cases = []
    combos = [(s, b) for s in STATUSES for b in BODIES]
    dd_slots = [(op, o) for op in DD_OPS for o in ("recover", "exhaust")]
    ops = dict((op.id, op) for op in CF_OPS)
    cf_slots = [(ops["cf-info"], "recover"), (ops["cf-info"], "exhaust"), (ops["cf-check"], "recover"),
                (ops["cf-check"], "exhaust"), (ops["cf-delete"], "recover"), (ops["cf-delete"], "exhaust")] + \
        [(ops["cf-token"], "recover"), (ops["cf-link"], "recover")] * 3
    for slots in (dd_slots, cf_slots):
        for (op, outcome), (status, body) in zip(slots, combos):
            cases.append(Case(op, "5xx", outcome, status, body))
    for index, op in enumerate(DD_OPS + CF_OPS):
        bodies = ("json", "html") if index % 2 == 0 else ("html", "json")
        cases.append(Case(op, "429", "recover", 429, bodies[0]))
        cases.append(Case(op, "429", "exhaust", 429, bodies[1]))
    for op in DD_OPS + CF_OPS:
        cases.append(Case(op, "drop_before", "recover"))
        cases.append(Case(op, "drop_after", "recover"))
        cases.append(Case(op, "slow", "recover"))
    for op in (DD_OPS[0], CF_OPS[0]):
        cases.append(Case(op, "drop_before", "exhaust"))
    for op in (DD_OPS[4], CF_OPS[1]):
        cases.append(Case(op, "slow", "exhaust"))
    return cases


CASES = build_cases()


@pytest.fixture(scope="module")
def inprocess_audit(tmp_path_factory):
    """Every in-process result of this module, audited for secrets once at the end."""
    texts = {}
    yield texts
    audit = SecretAudit(list(SANDBOX_SECRETS) + [OLD_KEY, LINK_TOKEN] + list(KEYS.values()))
    record = audit.report("in-process fault matrix", texts)
    write_audit(tmp_path_factory, record)
    assert record["occurrences"] == 0, record["hits"]


def run_case(case, sandbox, driver, audit_texts):
    op = case.op
    op.seed(sandbox)
    sandbox.add_faults(case.faults())
    args = dict(op.connection(sandbox, case.retries(), case.timeout()), **op.args())
    outcome = driver.run(op.module, args)
    if case.kind == "slow":
        settle(sandbox)
    expect = op.expect(case.kind, case.outcome, case.status, case.body)
    audit_texts[case.id] = outcome.text
    assert SecretAudit(list(SANDBOX_SECRETS) + [OLD_KEY, LINK_TOKEN] + list(KEYS.values())).count(
        {"result": outcome.text})[1] == []

    journal = sandbox.journal()
    context = "%s: result %s" % (case.id, outcome.result)
    assert outcome.status == expect.status, context
    assert_calls(calls_of(journal), expect.calls, expect.unordered, context)
    for part in expect.msg:
        assert part in outcome.result.get("msg", ""), "%r not in %r" % (part, outcome.result.get("msg"))
    if expect.status == "failed":
        assert clean_failure_problems(outcome.result) == [], context
    if expect.result:
        assert expect.result(outcome.result) == [], context
    if expect.state:
        assert expect.state(sandbox) == [], context

    # No duplicated write: at most one 201 per object and one successful link. (The exact request lists above
    # also show that a Datadog re-POST always follows a GET re-check, and that a Cloudflare token POST or link
    # is sent again only after a 429.)
    posts = [e for e in journal if e["method"] == "POST"]
    assert len([e for e in posts if e["status"] == 201]) <= (3 if op.id == "dd-batch" else 1)
    links = [e for e in journal if e["path"].startswith(CF_CONNECT_PATH + "/")]
    assert len([e for e in links if e["status"] == 200]) <= 1

    # The client waited as each vendor asked (1 s + jitter), or backed off exponentially.
    count, low, high = case.expected_waits()
    if expect.unordered:  # parallel reads: a read still queued when a 429 came waits for the pause too
        assert len(outcome.waits) >= count, "waits %r" % outcome.waits
        high = max(high, 1.3)
        low = 0
    else:
        assert len(outcome.waits) == count, "waits %r" % outcome.waits
    assert all(low <= w <= high for w in outcome.waits), "waits %r not in [%s, %s]" % (outcome.waits, low, high)

    # Re-running converges to ok.
    outcomes = [outcome]
    sandbox.clear_faults()
    for index, rerun in enumerate(expect.reruns):
        if rerun.authorize:
            for token, record in sandbox.state()["cloudflare"]["tokens"].items():
                if not record["used"] and not record["authorized"]:
                    sandbox.cloudflare_authorize(token, rerun.authorize)
        sandbox.clear_journal()
        overrides = rerun.args(outcomes) if callable(rerun.args) else (rerun.args or {})
        result = driver.run(op.module, dict(args, **overrides))
        audit_texts["%s rerun %d" % (case.id, index)] = result.text
        expected_calls = rerun.calls(outcomes) if callable(rerun.calls) else rerun.calls
        context = "%s rerun %d: %s" % (case.id, index + 1, result.result)
        assert result.status == rerun.status, context
        assert_calls(calls_of(sandbox.journal()), expected_calls, rerun.unordered, context)
        outcomes.append(result)
    assert outcomes[-1].status == "ok"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_in_process(case, sandbox, monkeypatch, inprocess_audit):
    run_case(case, sandbox, ModuleDriver(monkeypatch), inprocess_audit)


# ---------------------------------------------------------------------------------------------
# Waits and budgets that need no real sleeping: the client's sleep is recorded, not slept.


def test_retry_after_is_capped_at_60_seconds(sandbox, monkeypatch):
    driver = ModuleDriver(monkeypatch, fake_sleep=True)
    sandbox.seed({"cloudflare": {"destinations": [PAYMENTS]}})
    sandbox.add_fault(method="GET", path=CF_LIST_REGEX, times=1, **dict(
        fault_answer("cloudflare", 429, "json"), headers={"Retry-After": "3600"}))
    outcome = driver.run(cf_info_module, cf_connection(sandbox.cloudflare_url, retries=1))
    assert outcome.status == "ok"
    assert len(outcome.waits) == 1 and 59.9 <= outcome.waits[0] <= 60.25
    assert [e["status"] for e in sandbox.journal()] == [429, 200]


def test_retry_after_as_an_http_date_is_honoured(sandbox, monkeypatch):
    import email.utils
    import time
    driver = ModuleDriver(monkeypatch, fake_sleep=True)
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    sandbox.add_fault(method="GET", path=CF_LIST_REGEX, times=1, status=503, headers={"Retry-After": when})
    outcome = driver.run(cf_info_module, cf_connection(sandbox.cloudflare_url, retries=1))
    assert outcome.status == "ok"
    assert len(outcome.waits) == 1 and 17 <= outcome.waits[0] <= 20.3


def test_429_without_a_header_backs_off_exponentially_up_to_the_budget(sandbox, monkeypatch):
    driver = ModuleDriver(monkeypatch, fake_sleep=True)
    sandbox.add_fault(method="GET", path=dd_regex("payments"), times=None, status=429)
    outcome = driver.run(dd_info_module, dict(dd_connection(sandbox.datadog_url, retries=4),
                                              service_names=["payments"]))
    assert outcome.status == "failed" and "returned HTTP 429 (empty body) (after 5 attempts)" in outcome.result["msg"]
    assert len(sandbox.journal()) == 5
    # about 1, 2, 4, 8 s: each between half and all of 2**attempt
    assert len(outcome.waits) == 4 and all(2 ** i / 2 <= w <= 2 ** i for i, w in enumerate(outcome.waits))


def test_default_budget_is_three_retries(sandbox, monkeypatch):
    driver = ModuleDriver(monkeypatch, fake_sleep=True)
    sandbox.add_fault(method="GET", path=CF_LIST_REGEX, times=None, status=502, body=html_page(502),
                      content_type="text/html")
    outcome = driver.run(cf_info_module, cf_connection(sandbox.cloudflare_url))
    assert "returned HTTP 502 (HTML body) (after 4 attempts)" in outcome.result["msg"]
    assert len(sandbox.journal()) == 4 and len(outcome.waits) == 3


def test_datadog_5xx_does_not_wait_for_the_rate_limit_window(sandbox, monkeypatch):
    """Every Datadog answer carries X-RateLimit-Reset (up to 60 s away): only a 429 means "wait that long"."""
    driver = ModuleDriver(monkeypatch, fake_sleep=True)
    sandbox.add_fault(method="GET", path=dd_regex("payments"), times=1, status=503,
                      body={"errors": ["Service Unavailable"]},
                      headers={"X-RateLimit-Limit": "12000", "X-RateLimit-Period": "60",
                               "X-RateLimit-Remaining": "11873", "X-RateLimit-Reset": "45"})
    outcome = driver.run(dd_info_module, dict(dd_connection(sandbox.datadog_url, retries=1),
                                              service_names=["payments"]))
    assert outcome.status == "ok"
    assert outcome.waits and outcome.waits[0] <= 1.0, "waited %r s after a 503" % outcome.waits


def test_slow_create_that_lands_after_the_recheck_still_reports_changed(sandbox, monkeypatch):
    """The re-POST after an unclear create meets 'Service already exists': that object is most likely ours."""
    driver = ModuleDriver(monkeypatch)
    # POST answered after 0.8 s, timeout 0.5 s: the GET re-check (at 0.5 s) sees nothing, the re-POST
    # (after a 0.5-1 s backoff) finds the object the first POST created at 0.8 s.
    sandbox.add_fault(method="POST", path=DD_POST_REGEX, times=1, delay_ms=800)
    outcome = driver.run(dd_module, dict(dd_connection(sandbox.datadog_url, retries=1, timeout=SLOW_TIMEOUT),
                                         service_name="payments", service_key=KEYS["payments"]))
    settle(sandbox)
    assert calls_of(sandbox.journal()) == [G404("payments"), ("POST", SERVICES_PATH, 201), G404("payments"),
                                           ("POST", SERVICES_PATH, 400)]
    assert sandbox.datadog_services() == {"payments": KEYS["payments"]}
    assert outcome.result["changed"] is True and outcome.result["key_sent"] is True, outcome.result


def test_429_pauses_every_parallel_read_of_a_batch(sandbox, monkeypatch):
    """The real rate-limit simulation (4 requests a second): six parallel reads and six writes all land."""
    driver = ModuleDriver(monkeypatch)
    sandbox.ratelimit("datadog", limit=4, period=1)
    names = ["svc-%d" % i for i in range(6)]
    keys = dict((n, secret_value("pdkey", n)) for n in names)
    outcome = driver.run(dd_module, dict(dd_connection(sandbox.datadog_url, retries=3),
                                         services=[dict(service_name=n, service_key=keys[n]) for n in names],
                                         concurrency=6))
    journal = sandbox.journal()
    assert outcome.status == "changed", outcome.result
    assert sandbox.datadog_services() == keys
    refused = [e for e in journal if e["status"] == 429]
    assert refused, "the simulation refused nothing"
    assert len([e for e in journal if e["method"] == "GET" and e["status"] == 404]) == 6
    assert len([e for e in journal if e["method"] == "POST" and e["status"] == 201]) == 6
    assert len(journal) == 12 + len(refused)
    # Each 429 paused the client for the reset the simulation announced (1 s), plus jitter.
    assert outcome.waits and max(outcome.waits) >= 0.9 and max(outcome.waits) <= 1.3


# ---------------------------------------------------------------------------------------------
# Playbook-level proof: one case of every fault kind per vendor, through ansible-playbook at -vvvv.


def R(status, calls, unordered=0, options=None, authorize=None, register=None, no_log=False):  # pylint: disable=invalid-name
    """A re-run in a fault playbook: expected status and requests, option overrides (None drops one)."""
    return dict(status=status, calls=calls, unordered=unordered, options=options or {}, authorize=authorize,
                register=register, no_log=no_log)


def G_(name, status):  # pylint: disable=invalid-name
    return ("GET", dd_path(name), status)


def L_(status):  # pylint: disable=invalid-name
    return ("GET", CF_LIST_PATH, status)


LINK_ANY = ("GET", ANY, 200)  # linking a token created during the run: its path holds that token


def dd_playbook_cases(url):
    """One case per fault kind: each seeds its own state, queues its faults, runs, then re-runs."""
    tags = ("storm", "html", "503", "500", "504", "before", "after", "slow-a", "slow-b", "slow-c")
    key = dict((tag, secret_value("pdkey", "pb-" + tag)) for tag in tags)
    conn = dd_connection(url)
    post = DD_POST

    def delete(status):
        return ("DELETE", dd_path("legacy"), status)

    slow = ("slow-a", "slow-b", "slow-c")
    return [
        dict(label="dd 429 storm with X-RateLimit-Reset", module=DD_MODULE,
             options=dict(conn, service_name="storm", service_key=key["storm"], retries=2),
             faults=[dict(method="GET", path=dd_regex("storm"), times=2, **fault_answer("datadog", 429, "json"))],
             status="changed", calls=[G_("storm", 429), G_("storm", 429), G404("storm"), P201],
             min_gaps=[(0, 1, 1.0), (1, 2, 1.0)], state={"storm": key["storm"]},
             reruns=[R("ok", [G200("storm")])]),
        dict(label="dd 429 with an HTML body on the create", module=DD_MODULE,
             options=dict(conn, service_name="html page", service_key=key["html"], retries=1),
             faults=[dict(method="POST", path=DD_POST_REGEX, times=1, **fault_answer("datadog", 429, "html"))],
             status="changed", calls=[G404("html page"), post(429), P201], min_gaps=[(1, 2, 1.0)],
             state={"html page": key["html"]}, reruns=[R("ok", [G200("html page")])]),
        dict(label="dd 503 JSON on the create", module=DD_MODULE,
             options=dict(conn, service_name="checkout", service_key=key["503"], retries=1),
             faults=[dict(method="POST", path=DD_POST_REGEX, times=1, **fault_answer("datadog", 503, "json"))],
             status="changed", calls=[G404("checkout"), post(503), G404("checkout"), P201],
             state={"checkout": key["503"]}, reruns=[R("ok", [G200("checkout")])]),
        dict(label="dd 500 HTML on every delete", module=DD_MODULE, seed={"datadog": {"services": {"legacy": key["500"]}}},
             options=dict(conn, service_name="legacy", state="absent", retries=1),
             faults=[dict(method="DELETE", path=dd_regex("legacy"), times=None, **fault_answer("datadog", 500, "html"))],
             status="failed", calls=[G200("legacy"), delete(500), delete(500)],
             msg=["Datadog API DELETE %s returned HTTP 500 (HTML body) (after 2 attempts)" % dd_path("legacy")],
             state={"legacy": key["500"]},
             reruns=[R("changed", [G200("legacy"), delete(204)]), R("ok", [G404("legacy")])]),
        dict(label="dd 504 empty on the info read", module=DD_INFO_MODULE,
             seed={"datadog": {"services": {"search": key["504"]}}},
             options=dict(conn, service_names=["search"], retries=1),
             faults=[dict(method="GET", path=dd_regex("search"), times=1, **fault_answer("datadog", 504, "empty"))],
             status="ok", calls=[G_("search", 504), G200("search")], reruns=[R("ok", [G200("search")])]),
        dict(label="dd create dropped before it was applied", module=DD_MODULE,
             options=dict(conn, service_name="dropped before", service_key=key["before"], retries=1),
             faults=[dict(method="POST", path=DD_POST_REGEX, times=1, drop="before")],
             status="changed", calls=[G404("dropped before"), post(None), G404("dropped before"), P201],
             state={"dropped before": key["before"]}, reruns=[R("ok", [G200("dropped before")])]),
        dict(label="dd create dropped after it was applied", module=DD_MODULE,
             options=dict(conn, service_name="dropped after", service_key=key["after"], retries=1),
             faults=[dict(method="POST", path=DD_POST_REGEX, times=1, drop="after")],
             status="changed", calls=[G404("dropped after"), post(None), G200("dropped after")],
             state={"dropped after": key["after"]}, reruns=[R("ok", [G200("dropped after")])]),
        dict(label="dd batch read slower than timeout", module=DD_MODULE,
             options=dict(conn, services=[dict(service_name=n, service_key=key[n]) for n in slow], timeout=1, retries=1),
             faults=[dict(method="GET", path=dd_regex("slow-b"), times=1, delay_ms=2000)],
             status="changed", calls=[G404("slow-a"), G_("slow-b", ANY), G404("slow-b"), G404("slow-c"), P201, P201, P201],
             unordered=4, state=dict((n, key[n]) for n in slow),
             reruns=[R("ok", [G200(n) for n in slow], unordered=3)]),
    ]


def cf_playbook_cases(url):
    conn = cf_connection(url)
    tokens = dict((t, token_value("pb-" + t)) for t in ("html", "after", "504"))
    post = CF_POST

    def seeded(token):
        return {"cloudflare": {"destinations": [], "tokens": {token: {"authorized": [PAYMENTS], "used": False}}}}

    return [
        dict(label="cf 429 storm with Retry-After", module=CF_INFO_MODULE,
             seed={"cloudflare": {"destinations": [PAYMENTS], "tokens": {}}}, options=dict(conn, retries=2),
             faults=[dict(method="GET", path=CF_LIST_REGEX, times=2, **fault_answer("cloudflare", 429, "json"))],
             status="ok", calls=[L_(429), L_(429), L200], min_gaps=[(0, 1, 1.0), (1, 2, 1.0)],
             reruns=[R("ok", [L200])]),
        dict(label="cf 429 with an HTML body on the link", module=CF_MODULE, seed=seeded(tokens["html"]),
             options=dict(conn, services=["payments"], token_id=tokens["html"], retries=1),
             faults=[dict(method="GET", path=CF_LINK_REGEX, times=1, **fault_answer("cloudflare", 429, "html"))],
             status="changed", calls=[L200, K(tokens["html"], 429), K(tokens["html"], 200), L200],
             min_gaps=[(1, 2, 1.0)], destinations=["payments"], reruns=[R("ok", [L200])]),
        dict(label="cf rate limit simulation on the token create", module=CF_MODULE, no_log=True, register="simulated",
             ratelimit=[{"vendor": "cloudflare", "limit": 1, "period": 1}],
             options=dict(conn, services=["payments"], create_token=True, retries=1),
             status="changed", calls=[L200, post(429), post(201)], min_gaps=[(1, 2, 0.9)], tokens=1,
             reruns=[R("changed", [L200, LINK_ANY, L200], authorize=[PAYMENTS],
                       options=dict(create_token=None, token_id="{{ simulated.token_id }}")),
                     R("ok", [L200], options=dict(create_token=None, token_id="{{ simulated.token_id }}"))]),
        dict(label="cf 502 HTML on the token create", module=CF_MODULE,
             options=dict(conn, services=["payments"], create_token=True, retries=3),
             faults=[dict(method="POST", path=CF_CONNECT_REGEX, times=1, **fault_answer("cloudflare", 502, "html"))],
             status="failed", calls=[L200, post(502)], tokens=0,
             msg=["Creating a connection token had no clear outcome (Cloudflare API POST %s/connect returned HTTP 502 "
                  "(HTML body))" % CF_SHOWN_PATH, "Run this task again for a new one"],
             reruns=[R("changed", [L200, post(201)], register="again", no_log=True),
                     R("changed", [L200, LINK_ANY, L200], authorize=[PAYMENTS],
                       options=dict(create_token=None, token_id="{{ again.token_id }}")),
                     R("ok", [L200], options=dict(create_token=None))]),
        dict(label="cf delete dropped before it was applied", module=CF_MODULE,
             seed={"cloudflare": {"destinations": [PAYMENTS, CHECKOUT], "tokens": {}}},
             options=dict(conn, state="absent", retries=1),
             faults=[dict(method="DELETE", path=CF_LIST_REGEX, drop="before")],
             status="changed", calls=[L200, ("DELETE", CF_LIST_PATH, None), ("DELETE", CF_LIST_PATH, 200)],
             destinations=[], reruns=[R("ok", [L200])]),
        dict(label="cf link dropped after it was applied", module=CF_MODULE, seed=seeded(tokens["after"]),
             options=dict(conn, services=["payments"], token_id=tokens["after"], retries=3),
             faults=[dict(method="GET", path=CF_LINK_REGEX, drop="after")],
             status="changed", calls=[L200, K(tokens["after"], None), L200], destinations=["payments"],
             reruns=[R("ok", [L200])]),
        dict(label="cf 504 empty on the link", module=CF_MODULE, seed=seeded(tokens["504"]),
             options=dict(conn, services=["payments"], token_id=tokens["504"], retries=3),
             faults=[dict(method="GET", path=CF_LINK_REGEX, **fault_answer("cloudflare", 504, "empty"))],
             status="failed", calls=[L200, K(tokens["504"], 504), L200], destinations=[],
             msg=["Linking the connection token had no clear outcome (Cloudflare API GET %s returned HTTP 504 "
                  "(empty body))" % CF_SHOWN_LINK_PATH],
             reruns=[R("changed", [L200, K(tokens["504"], 200), L200]), R("ok", [L200])]),
        dict(label="cf list slower than timeout", module=CF_MODULE,
             seed={"cloudflare": {"destinations": [PAYMENTS, CHECKOUT], "tokens": {}}},
             options=dict(conn, services=["payments", "checkout"], timeout=1, retries=1),
             faults=[dict(method="GET", path=CF_LIST_REGEX, times=1, delay_ms=2000)],
             status="ok", calls=[L_(ANY), L200], reruns=[R("ok", [L200])]),
    ]


EMPTY_STATE = {"datadog": {"services": {}}, "cloudflare": {"destinations": [], "tokens": {}}}


def build_fault_playbook(control, cases):
    tasks = []
    for case in cases:
        seed = dict(EMPTY_STATE)
        seed.update(case.get("seed") or {})
        tasks.append(control.step(case["label"], seed=seed, faults=case.get("faults"), ratelimit=case.get("ratelimit")))
        tasks.append(task("%s: run" % case["label"], case["module"], case["options"], ignore_errors=True,
                          register=case.get("register"), no_log=case.get("no_log", False)))
        for index, rerun in enumerate(case["reruns"]):
            label = "%s: rerun %d" % (case["label"], index + 1)
            tasks.append(control.step(label, authorize=rerun["authorize"]))
            options = dict(case["options"])
            options.update(rerun["options"])
            tasks.append(task(label, case["module"], options, ignore_errors=True, register=rerun["register"],
                              no_log=rerun["no_log"]))
    tasks.append(control.step("end"))
    return tasks


def check_fault_playbook(run, sandbox, control, cases, findings):
    settle(sandbox)
    parts = split_journal(sandbox.journal())
    findings.check(parts[None] == [], "before the first case", "requests %r" % parts[None])
    for case in cases:
        label = case["label"]
        record = run.record("%s: run" % label)
        result = record["result"]
        findings.check(record["status"] == case["status"], label,
                       "status %s, expected %s: %s" % (record["status"], case["status"], result.get("msg")))
        entries = parts.get(label, [])
        findings.calls(label, calls_of(entries), case["calls"], case.get("unordered", 0))
        for first, second, gap in case.get("min_gaps", ()):
            if len(entries) > second:
                took = entries[second]["time"] - entries[first]["time"]
                findings.check(took >= gap, label, "request %d came %.2f s after request %d, expected >= %s s"
                               % (second, took, first, gap))
        for part in case.get("msg", ()):
            findings.check(part in (result.get("msg") or ""), label, "%r not in %r" % (part, result.get("msg")))
        if case["status"] == "failed":
            problems = clean_failure_problems(result, run.output, recorded=True)
            findings.check(not problems, label, "not a clean failure: %s" % problems)
        state = control.snapshot("%s: rerun 1" % label)  # taken right after the faulty run
        if "state" in case:
            services = dict((n, i["service_key"]) for n, i in state["datadog"]["services"].items())
            findings.check(services == case["state"], label, "Datadog state %r" % sorted(services))
        if "destinations" in case:
            names = sorted(d["name"] for d in state["cloudflare"]["destinations"])
            findings.check(names == sorted(case["destinations"]), label, "destinations %r" % names)
        if "tokens" in case:
            findings.check(len(state["cloudflare"]["tokens"]) == case["tokens"], label,
                           "%d tokens, expected %d" % (len(state["cloudflare"]["tokens"]), case["tokens"]))
        # No duplicated write: at most one 201 per object, at most one successful link.
        created = len([e for e in entries if e["method"] == "POST" and e["status"] == 201])
        findings.check(created <= max(1, len(case["options"].get("services") or []) if case["module"] == DD_MODULE
                                      else 1), label, "%d creates answered 201" % created)
        links = [e for e in entries if e["path"].startswith(CF_CONNECT_PATH + "/") and e["status"] == 200]
        findings.check(len(links) <= 1, label, "more than one link")
        for index, rerun in enumerate(case["reruns"]):
            rlabel = "%s: rerun %d" % (label, index + 1)
            rrecord = run.record(rlabel)
            findings.check(rrecord["status"] == rerun["status"], rlabel, "status %s, expected %s: %s"
                           % (rrecord["status"], rerun["status"], rrecord["result"].get("msg")))
            findings.calls(rlabel, calls_of(parts.get(rlabel, [])), rerun["calls"], rerun["unordered"])
        findings.check(case["reruns"][-1]["status"] == "ok", label, "the last re-run must be ok")


@pytest.mark.parametrize("vendor", ["datadog", "cloudflare"])
def test_every_fault_kind_through_ansible_playbook(vendor, run_playbook, sandbox, tmp_path_factory, tmp_path):
    control = Control(tmp_path_factory.mktemp("control"), sandbox.url)
    cases = dd_playbook_cases(sandbox.datadog_url) if vendor == "datadog" else cf_playbook_cases(sandbox.cloudflare_url)
    run = run_playbook(build_fault_playbook(control, cases), diff=True, verbosity=4)
    findings = Findings()
    check_fault_playbook(run, sandbox, control, cases, findings)
    created_tokens = list(sandbox.state()["cloudflare"]["tokens"])
    audit_runs(tmp_path_factory, "playbook faults (%s)" % vendor, [tmp_path], run_playbook.runs,
               run_playbook.secrets, extra_values=created_tokens)
    findings.assert_none()
