# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared by the test_reliability_*.py files (it holds no test itself).

- task builders for the four modules, pointed at the sandbox;
- `Control`: a tiny script that a playbook calls through the pipe lookup between two tasks to
  seed the sandbox, queue faults, switch rate limits, authorise Cloudflare tokens, snapshot the
  state and leave a marker request in the journal, so one ansible-playbook run can hold many
  independent cases and the journal can be cut into one exact slice per case;
- `ModuleDriver`: runs a module's main() in-process against the real sandbox over HTTP and
  records every wait the HTTP client asked for;
- `SecretAudit`: counts raw occurrences of every secret value in outputs, results and the files
  a run leaves behind, and appends the counts to reliability-secret-audit.jsonl.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shlex
import sys
import time
from collections import Counter
from urllib.parse import quote, unquote

from ansible.module_utils.testing import patch_module_args

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import HttpClient
from ansible_collections.oncall.pagerduty.tests.sandbox import facts

# ---------------------------------------------------------------------------------------------
# The sandbox's credentials and paths (tests/sandbox/facts.py)

DD_API_KEY = facts.DATADOG_API_KEY
DD_APP_KEY = facts.DATADOG_APP_KEY
CF_TOKEN = facts.CLOUDFLARE_API_TOKEN
CF_EMAIL = facts.CLOUDFLARE_EMAIL
CF_GLOBAL_KEY = facts.CLOUDFLARE_API_KEY
ACCOUNT_ID = facts.CLOUDFLARE_ACCOUNT_ID

DD_MODULE = "oncall.pagerduty.datadog_pagerduty_service"
DD_INFO_MODULE = "oncall.pagerduty.datadog_pagerduty_service_info"
CF_MODULE = "oncall.pagerduty.cloudflare_pagerduty_destination"
CF_INFO_MODULE = "oncall.pagerduty.cloudflare_pagerduty_destination_info"

SERVICES_PATH = facts.DATADOG_SERVICES_PATH
CF_PREFIX = facts.CLOUDFLARE_PREFIX
CF_SHOWN_PATH = facts.cloudflare_destinations_path()
CF_LIST_PATH = CF_PREFIX + CF_SHOWN_PATH
CF_CONNECT_PATH = CF_LIST_PATH + "/connect"
CF_SHOWN_LINK_PATH = CF_SHOWN_PATH + "/connect/{token_id}"

MARK_PREFIX = "/_mark/"
ANY = object()  # a journal status that depends on timing (a slow request answered after its client left)


def dd_path(name):
    return "%s/%s" % (SERVICES_PATH, quote(name, safe=""))


def dd_regex(name):
    """A fault path regex matching exactly the item path of this Datadog service object."""
    return "^%s$" % dd_path(name).replace("+", r"\+").replace(".", r"\.")


DD_POST_REGEX = "^%s$" % SERVICES_PATH
CF_LIST_REGEX = "^%s$" % CF_LIST_PATH
CF_CONNECT_REGEX = "^%s$" % CF_CONNECT_PATH
CF_LINK_REGEX = "^%s/[^/]+$" % CF_CONNECT_PATH


def secret_value(kind, tag, length=16):
    """A distinctive, reproducible secret: 'pdkey-rel-<tag>-<hex>'."""
    return "%s-rel-%s-%s" % (kind, tag, hashlib.sha1(("%s/%s" % (kind, tag)).encode()).hexdigest()[:length])


def token_value(tag):
    """A reproducible Cloudflare connection token (32 hex characters): a secret."""
    return hashlib.sha1(("cf-token/%s" % tag).encode()).hexdigest()[:32]


def destination(name, tag=None):
    """A Cloudflare destination {"id", "name"} with a reproducible 32-hex id."""
    return {"id": hashlib.md5(("dest/%s" % (tag or name)).encode()).hexdigest(), "name": name}


# ---------------------------------------------------------------------------------------------
# Task builders


def dd_connection(url, **overrides):
    options = dict(api_key=DD_API_KEY, app_key=DD_APP_KEY, api_url=url)
    options.update(overrides)
    return options


def cf_connection(url, **overrides):
    options = dict(account_id=ACCOUNT_ID, api_token=CF_TOKEN, api_url=url)
    options.update(overrides)
    return options


def task(title, module, options, ignore_errors=False, register=None, no_log=False, environment=None):
    """One task; an option given as None is left out."""
    result = {"name": title, module: dict((k, v) for k, v in options.items() if v is not None)}
    if ignore_errors:
        result["ignore_errors"] = True
    if register:
        result["register"] = register
    if no_log:
        result["no_log"] = True
    if environment:
        result["environment"] = environment
    return result


# ---------------------------------------------------------------------------------------------
# Driving the sandbox from inside a playbook

CONTROL_SCRIPT = r'''
import http.client, json, sys
from urllib.parse import quote

spec_path, label = sys.argv[1], sys.argv[2]
with open(spec_path) as handle:
    spec = json.load(handle)
actions = spec["steps"][label]

def call(method, path, body=None):
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
    data = None if body is None else json.dumps(body).encode("utf-8")
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
    response = conn.getresponse()
    payload = response.read().decode("utf-8")
    conn.close()
    if method == "GET" and path.startswith("/_mark/"):
        return None
    if response.status != 200:
        raise SystemExit("sandbox control %s %s answered %s: %s" % (method, path, response.status, payload))
    return json.loads(payload) if payload else None

for action in actions:
    kind = action["do"]
    if kind == "snapshot":
        with open(spec["snapshots"] + "/" + quote(label, safe="") + ".json", "w") as handle:
            json.dump(call("GET", "/_sandbox/state"), handle)
    elif kind == "clear_faults":
        call("DELETE", "/_sandbox/faults")
    elif kind == "ratelimit":
        call("POST", "/_sandbox/ratelimit", action["body"])
    elif kind == "seed":
        call("POST", "/_sandbox/state", action["body"])
    elif kind == "faults":
        call("POST", "/_sandbox/faults", action["body"])
    elif kind == "authorize":
        tokens = call("GET", "/_sandbox/state")["cloudflare"]["tokens"]
        for token, record in tokens.items():
            if not record["used"] and not record["authorized"]:
                call("POST", "/_sandbox/cloudflare/authorize", {"token_id": token, "services": action["services"]})
    elif kind == "mark":
        call("GET", "/_mark/" + quote(label, safe=""))
print("step %s done" % label)
'''


class Control:
    """Steps a playbook runs between its tasks (through the pipe lookup, on the controller).

    Each step: snapshot the state (as it is after the previous tasks), clear faults and rate-limit
    simulations, then seed, switch rate limits, queue faults, authorise pending Cloudflare tokens,
    and finally send GET /_mark/<label>, which the journal records (vendor "unknown") and
    split_journal cuts on. Nothing secret goes through the playbook's output: the spec stays in a
    file outside the run's directories.
    """

    def __init__(self, directory, sandbox_url):
        self.directory = str(directory)
        self.snapshots = os.path.join(self.directory, "snapshots")
        os.makedirs(self.snapshots, exist_ok=True)
        self.script = os.path.join(self.directory, "control.py")
        self.spec_path = os.path.join(self.directory, "spec.json")
        with open(self.script, "w", encoding="utf-8") as handle:
            handle.write(CONTROL_SCRIPT)
        host_port = sandbox_url.split("//", 1)[1]
        host, port = host_port.rsplit(":", 1)
        self.spec = {"host": host, "port": int(port), "snapshots": self.snapshots, "steps": {}}

    def step(self, label, seed=None, faults=None, ratelimit=None, authorize=None):
        if label in self.spec["steps"]:
            raise ValueError("step %r defined twice" % label)
        actions = [{"do": "snapshot"}, {"do": "clear_faults"},
                   {"do": "ratelimit", "body": {"vendor": "datadog", "limit": None}},
                   {"do": "ratelimit", "body": {"vendor": "cloudflare", "limit": None}}]
        if seed is not None:
            actions.append({"do": "seed", "body": seed})
        for body in ratelimit or ():
            actions.append({"do": "ratelimit", "body": body})
        if faults:
            actions.append({"do": "faults", "body": list(faults)})
        if authorize:
            actions.append({"do": "authorize", "services": list(authorize)})
        actions.append({"do": "mark"})
        self.spec["steps"][label] = actions
        self._save()
        command = " ".join(shlex.quote(part) for part in (sys.executable, self.script, self.spec_path, label))
        return {"name": "step %s" % label,
                "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.pipe', %s) }}" % json.dumps(command)}}

    def _save(self):
        with open(self.spec_path, "w", encoding="utf-8") as handle:
            json.dump(self.spec, handle)

    def snapshot(self, label):
        """The sandbox state saved by step `label`, i.e. the state after the tasks before it."""
        with open(os.path.join(self.snapshots, quote(label, safe="") + ".json"), encoding="utf-8") as handle:
            return json.load(handle)


def mark_task(sandbox_url, label):
    """A task that only leaves GET /_mark/<label> in the journal (the url lookup runs on the controller)."""
    url = "%s%s%s" % (sandbox_url, MARK_PREFIX, quote(label, safe=""))
    return {"name": "mark %s" % label,
            "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.url', %s, errors='ignore') }}" % json.dumps(url)}}


def split_journal(entries):
    """{label: [entries after GET /_mark/<label> and before the next mark]}; key None before the first."""
    parts = {None: []}
    current = None
    for entry in entries:
        if entry["vendor"] == "unknown" and entry["path"].startswith(MARK_PREFIX):
            current = unquote(entry["path"][len(MARK_PREFIX):])
            parts[current] = []
        else:
            parts[current].append(entry)
    return parts


def settle(sandbox, seconds=6.0):
    """Wait until every request in the journal was answered or dropped (slow answers finish late)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = [e for e in sandbox.journal() if e["status"] is None and time.time() - e["time"] < 4.0]
        if not pending:
            return
        time.sleep(0.1)


def calls_of(entries):
    return [(e["method"], e["path"], e["status"]) for e in entries]


def match_calls(actual, expected, unordered_prefix=0):
    """Whether journal calls match the expectation. ANY stands for a status that depends on timing.

    unordered_prefix: how many first calls may come in any order (parallel reads).
    """
    if len(actual) != len(expected):
        return False

    def same(a, e):
        return a[0] == e[0] and (e[1] is ANY or a[1] == e[1]) and (e[2] is ANY or a[2] == e[2])

    head_a, head_e = list(actual[:unordered_prefix]), list(expected[:unordered_prefix])
    for item in head_e:
        found = next((i for i, a in enumerate(head_a) if same(a, item)), None)
        if found is None:
            return False
        head_a.pop(found)
    return all(same(a, e) for a, e in zip(actual[unordered_prefix:], expected[unordered_prefix:]))


def describe_calls(calls):
    return "\n".join("    %s %s -> %s" % (m, "ANY" if p is ANY else p, "ANY" if s is ANY else s) for m, p, s in calls)


def assert_calls(actual, expected, unordered_prefix=0, context=""):
    assert match_calls(actual, expected, unordered_prefix), (
        "%s\nexpected (first %d in any order):\n%s\nactual:\n%s"
        % (context, unordered_prefix, describe_calls(expected), describe_calls(actual)))


def clean_failure_problems(result, output="", recorded=False):
    """Why a failed result is not a clean failure: no message, a traceback, module output, masked secret.

    recorded: the result as the callback recorded it (the task status tells it failed, not a field).
    """
    problems = []
    if not recorded and not result.get("failed"):
        problems.append("did not fail")
    if not result.get("msg"):
        problems.append("no msg")
    for field in ("module_stderr", "module_stdout"):
        if field in result:
            problems.append("%s: %s" % (field, str(result[field])[:300]))
    if result.get("exception") not in (None, "(traceback unavailable)"):
        problems.append("exception: %s" % str(result["exception"])[:300])
    if "Traceback (most recent call last)" in json.dumps(result) or "Traceback (most recent call last)" in output:
        problems.append("a Python traceback was shown")
    if "********" in str(result.get("msg")):
        problems.append("the message holds a masked no_log value: %s" % result["msg"])
    return problems


class Findings:
    """Collects every failed check of a playbook with many cases, to report them all at once."""

    def __init__(self):
        self.problems = []

    def check(self, condition, case, text):
        if not condition:
            self.problems.append("[%s] %s" % (case, text))
        return condition

    def calls(self, case, actual, expected, unordered_prefix=0):
        ok = match_calls(actual, expected, unordered_prefix)
        return self.check(ok, case, "requests differ\nexpected (first %d in any order):\n%s\nactual:\n%s"
                          % (unordered_prefix, describe_calls(expected), describe_calls(actual)))

    def assert_none(self):
        assert not self.problems, "%d problem(s):\n%s" % (len(self.problems), "\n\n".join(self.problems))


# ---------------------------------------------------------------------------------------------
# In-process driver


class Outcome:
    def __init__(self, rc, result, text, waits, elapsed):
        self.rc = rc
        self.result = result
        self.text = text
        self.waits = waits
        self.elapsed = elapsed

    @property
    def status(self):
        if self.result.get("failed"):
            return "failed"
        return "changed" if self.result.get("changed") else "ok"


class ModuleDriver:
    """Runs a module's main() in this process, as the unit tests do, against the sandbox over HTTP.

    Every wait the HTTP client asks for is recorded; it is really slept unless fake_sleep is set, in
    which case the client's clock jumps forward instead (so a rate-limit pause is not waited twice).
    """

    def __init__(self, monkeypatch, fake_sleep=False):
        self.fake_sleep = fake_sleep
        self.offset = 0.0
        self.waits = []
        self.texts = []
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                     "all_proxy", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name, raising=False)
        original = HttpClient.__init__
        driver = self

        def init(client, *args, **kwargs):
            original(client, *args, **kwargs)
            real_sleep = client.sleep

            def sleep(seconds):
                driver.waits.append(seconds)
                if driver.fake_sleep:
                    driver.offset += seconds
                else:
                    real_sleep(seconds)

            client.sleep = sleep
            if driver.fake_sleep:
                client.clock = driver.clock

        monkeypatch.setattr(HttpClient, "__init__", init)

    def clock(self):
        return time.time() + self.offset

    def run(self, module, args, check=False, diff=True):
        params = dict((k, v) for k, v in args.items() if v is not None)
        params.update(_ansible_check_mode=check, _ansible_diff=diff)
        out = io.StringIO()
        first_wait = len(self.waits)
        started = time.monotonic()
        code = None
        with patch_module_args(params), contextlib.redirect_stdout(out):
            try:
                module.main()
            except SystemExit as exc:
                code = exc.code
        text = out.getvalue()
        self.texts.append(text)
        return Outcome(code, json.loads(text), text, self.waits[first_wait:], time.monotonic() - started)


# ---------------------------------------------------------------------------------------------
# Secret audit

SECRET_KINDS = {
    DD_API_KEY: "datadog api_key",
    DD_APP_KEY: "datadog app_key",
    CF_TOKEN: "cloudflare api_token",
    CF_GLOBAL_KEY: "cloudflare global api_key",
}
# Files a run is given as input: they hold secrets by design (extra vars are how users pass vault values).
INPUT_FILES = ("playbook.yml", "extra_vars.json")


def audit_dir(tmp_path_factory):
    """The directory shared by all xdist workers of this session (pytest's session temp dir)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


class SecretAudit:
    """Counts raw occurrences of secret values (and their stripped forms) in texts and files."""

    def __init__(self, values=(), kinds=None):
        self.kinds = dict(SECRET_KINDS)
        self.kinds.update(kinds or {})
        self.values = set()
        for value in values:
            self.add(value)

    def add(self, value, kind=None):
        if not isinstance(value, str) or not value.strip():
            return
        for variant in (value, value.strip()):
            if len(variant) >= 8:
                self.values.add(variant)
                if kind:
                    self.kinds.setdefault(variant, kind)

    def kind(self, value):
        if value in self.kinds:
            return self.kinds[value]
        value = value.strip()
        for prefix, kind in (("pdkey-", "pagerduty service_key"), ("dd-api-key-", "datadog api_key"),
                             ("dd-app-key-", "datadog app_key"), ("cf-token-", "cloudflare api_token"),
                             ("cf-global-key-", "cloudflare global api_key")):
            if value.startswith(prefix):
                return kind
        if len(value) >= 32 and all(c in "0123456789abcdef-" for c in value.lower()):
            return "cloudflare token_id"
        if "token" in value.lower():  # a malformed token_id given on purpose
            return "cloudflare token_id"
        return "other secret"

    def count(self, texts):
        """{kind: occurrences} over {where: text}, and [(kind, where)] of every hit."""
        counts = Counter()
        hits = []
        for value in sorted(self.values):
            for where, text in texts.items():
                found = text.count(value)
                if found:
                    counts[self.kind(value)] += found
                    hits.append((self.kind(value), where, found))
        return counts, hits

    def scan_run_dirs(self, roots):
        """Every file under roots, except a run's inputs: texts by path, and the files left in temp dirs."""
        texts, leftovers = {}, []
        for root in roots:
            for folder, dirs, files in os.walk(str(root)):
                for name in files:
                    path = os.path.join(folder, name)
                    if name in INPUT_FILES:
                        continue
                    rel = os.path.relpath(path, str(root))
                    if rel.split(os.sep)[0] in ("tmp", "home"):
                        leftovers.append(rel)
                    try:
                        with open(path, "rb") as handle:
                            texts[path] = handle.read().decode("utf-8", "replace")
                    except OSError:
                        continue
        return texts, leftovers

    def report(self, scenario, texts, roots=(), extra=None):
        """Count over texts and the files under roots; return the record (also appended to the audit file)."""
        file_texts, leftovers = self.scan_run_dirs(roots)
        all_texts = dict(texts)
        all_texts.update(file_texts)
        counts, hits = self.count(all_texts)
        record = dict(scenario=scenario, secrets=len(self.values),
                      kinds=sorted(set(self.kind(v) for v in self.values)),
                      texts=len(texts), files=len(file_texts), bytes=sum(len(t) for t in all_texts.values()),
                      leftover_files=sorted(leftovers), occurrences=sum(counts.values()),
                      by_kind=dict(counts), hits=["%s in %s (%d)" % hit for hit in hits])
        record.update(extra or {})
        return record


def write_audit(tmp_path_factory, record):
    path = os.path.join(str(audit_dir(tmp_path_factory)), "reliability-secret-audit.jsonl")
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(json.dumps(record, sort_keys=True) + "\n")
        fcntl.flock(handle, fcntl.LOCK_UN)


def audit_runs(tmp_path_factory, scenario, runner_dirs, runs, secrets, extra_values=(), expected_hits=()):
    """Audit playbook runs: their stdout, stderr, recorded results and every file they left.

    secrets: the harness's Secrets of the test (every literal secret of the playbooks is in it).
    expected_hits: kinds allowed to appear (a known bug reproduced on purpose); everything else must be 0.
    Returns the record.
    """
    audit = SecretAudit(secrets.values)
    for value in extra_values:
        audit.add(value)
    # The runs' stdout.txt, stderr.txt and results.jsonl are files under the runner's directory.
    record = audit.report(scenario, {}, roots=runner_dirs,
                          extra=dict(runs=len(runs), verbosity=sorted(set(_verbosity(r.argv) for r in runs))))
    write_audit(tmp_path_factory, record)
    unexpected = [hit for hit in record["hits"] if not any(hit.startswith(kind) for kind in expected_hits)]
    assert not unexpected, "secret values found: %s" % unexpected
    return record


def _verbosity(argv):
    for arg in argv:
        if arg.startswith("-v") and set(arg[1:]) == {"v"}:
            return len(arg) - 1
    return 0
