# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The integration harness: ansible-playbook runs against the sandbox, each checked for leaked secrets.

Vendor-neutral: the fixtures in conftest.py wire these together with the sandbox, which
tests/sandbox/ starts (process.py) and controls (client.py); vendor task builders live in their
own files (datadog_tasks.py, cloudflare_tasks.py) and build their tasks with task() below.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import atexit
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import yaml

from ansible_collections.oncall.pagerduty.tests.sandbox import facts

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
CALLBACK_DIR = os.path.join(HERE, "callback_plugins")
CALLBACK_NAME = "record_results"

# The credentials the sandbox accepts: treated as secrets in every run.
SANDBOX_SECRETS = facts.SECRETS
# Module options whose literal values in a playbook are registered as secrets automatically.
SECRET_OPTIONS = frozenset(["service_key", "api_key", "app_key", "application_key", "api_token", "token_id"])
# Environment variables whose values are registered as secrets automatically.
SECRET_ENV_RE = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD)", re.IGNORECASE)
# Below this length a value could appear in output by chance: tests must use distinctive secrets.
MIN_SECRET_LENGTH = 12
# The files of a run that hold secrets by design (extra vars are how users pass vault values), and
# the ones that copy its output; every other file a run leaves is searched for secrets.
INPUT_FILES = ("playbook.yml", "extra_vars.json")
OUTPUT_FILES = ("stdout.txt", "stderr.txt", "results.jsonl")


def collections_path():
    """The directory holding ansible_collections/oncall/pagerduty that points at this checkout.

    tests/conftest.py puts it on sys.path (making tests/output/collections/... when needed).
    """
    real_root = os.path.realpath(REPO_ROOT)
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "ansible_collections", "oncall", "pagerduty")
        if os.path.isdir(candidate) and os.path.realpath(candidate) == real_root:
            return os.path.abspath(entry)
    raise RuntimeError("no ansible_collections/oncall/pagerduty on sys.path points at %s "
                       "(tests/conftest.py should have made one)" % REPO_ROOT)


def ansible_bin(name):
    """A console script of the Python running the tests (the venv's ansible-playbook)."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    if not os.path.exists(path):
        raise RuntimeError("%s not found beside %s: install ansible-core into this environment" % (name, sys.executable))
    return path


_ALIASES = {"dir": None, "count": itertools.count(1), "lock": threading.Lock()}


def short_alias(path):
    """A short path (a symlink in one folder under the system temp dir) that leads to path.

    ansible-core 2.21's controller binds an AF_UNIX socket (its local RPC host) in a pymp-* folder under
    TMPDIR, and Linux refuses a socket path over 107 bytes ("Local RPC server did not start." after 5 s):
    pytest's tmp_path is deeper than that leaves room for. The files stay under path, where the audit scans.
    """
    with _ALIASES["lock"]:
        if _ALIASES["dir"] is None:
            _ALIASES["dir"] = tempfile.mkdtemp(prefix="ocpd-")
            atexit.register(shutil.rmtree, _ALIASES["dir"], True)
        link = os.path.join(_ALIASES["dir"], str(next(_ALIASES["count"])))
    os.symlink(path, link)
    return link


def target_python():
    """The interpreter the modules run on: ONCALL_TARGET_PYTHON (the support matrix's Python 3.9 with only
    requests, as an execution environment on RHEL has), else the controller's own."""
    return os.environ.get("ONCALL_TARGET_PYTHON") or sys.executable


def closed_port(host="127.0.0.1"):
    """A local port nobody listens on (bound, then released)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def fixed_windows(times, period):
    """How many requests each of the sandbox's fixed rate-limit windows received, from their journal times: a window
    starts with the first request after the previous window ended (tests/sandbox/README.md, Rate limits)."""
    counts, window_end = [], None
    for moment in sorted(times):
        if window_end is None or moment >= window_end:
            counts.append(0)
            window_end = moment + period
        counts[-1] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Secrets


class SecretLeak(AssertionError):
    pass


class Secrets:
    """The secret values of one test. Every run checks that none of them appears in its output."""

    def __init__(self, initial=()):
        self.values = set()
        for value in initial:
            self.add(value)

    def add(self, value, source="test"):
        if not isinstance(value, str) or not value.strip() or "{{" in value:
            return
        # A pasted value may carry spaces or a line break: what must not show is the value without them.
        value = value.strip()
        if len(value) < MIN_SECRET_LENGTH:
            raise ValueError("secret %r (from %s) is too short to be searched for reliably: use a distinctive "
                             "value of at least %d characters, e.g. 'pdkey-payments-0123456789abcdef'"
                             % (value, source, MIN_SECRET_LENGTH))
        self.values.add(value)

    def collect(self, data, source="playbook"):
        """Register the literal values of secret options found anywhere in a playbook structure."""
        if isinstance(data, dict):
            for key, value in data.items():
                if key in SECRET_OPTIONS and isinstance(value, str):
                    self.add(value, "%s option %s" % (source, key))
                else:
                    self.collect(value, source)
        elif isinstance(data, (list, tuple)):
            for item in data:
                self.collect(item, source)

    def collect_env(self, env):
        for name, value in (env or {}).items():
            if SECRET_ENV_RE.search(name):
                self.add(value, "environment variable %s" % name)

    def leaks(self, texts):
        """[(secret, where, context)] for every raw occurrence of a secret in {where: text}."""
        found = []
        for secret in sorted(self.values):
            for where, text in texts.items():
                start = text.find(secret)
                while start != -1:
                    context = text[max(0, start - 80):start + len(secret) + 80]
                    found.append((secret, where, context))
                    start = text.find(secret, start + 1)
        return found

    def assert_no_leak(self, texts):
        found = self.leaks(texts)
        if found:
            masks = dict((secret, "<SECRET %s...>" % secret[:4]) for secret, dummy, dummy2 in found)
            lines = []
            for secret, where, context in found:
                for value, mask in masks.items():
                    context = context.replace(value, mask)
                lines.append("  %s in %s: ...%s..." % (masks[secret], where, context.replace("\n", "\\n")))
            raise SecretLeak("%d raw occurrence(s) of secret values in the run's output:\n%s"
                             % (len(found), "\n".join(lines)))


# ---------------------------------------------------------------------------------------------
# Tasks


TASK_KEYWORDS = ("register", "ignore_errors", "check_mode", "no_log")


def task(title, module, options, register=None, ignore_errors=False, check_mode=None, no_log=False):
    """A task of module named title; an option given as None is left out."""
    result = {"name": title, module: dict((key, value) for key, value in options.items() if value is not None)}
    if register:
        result["register"] = register
    if ignore_errors:
        result["ignore_errors"] = True
    if check_mode is not None:
        result["check_mode"] = check_mode
    if no_log:
        result["no_log"] = True
    return result


class VendorTasks:
    """The task builders of one vendor's modules, pointed at one sandbox (DatadogTasks, CloudflareTasks).

    A builder takes the task's title; connection (True: the sandbox's credentials and URL, False:
    none); the task keywords of task(); and the module's options, an option given as None left out.
    """

    def __init__(self, api_url):
        self.api_url = api_url

    def connection(self, **overrides):
        raise NotImplementedError

    def connection_options(self, connection):
        return self.connection() if connection else {}

    def build(self, module, title, connection, params):
        keywords = dict((name, params.pop(name)) for name in TASK_KEYWORDS if name in params)
        options = self.connection_options(connection)
        options.update(params)
        return task(title, module, options, **keywords)


class SandboxTasks:
    """Tasks that call the sandbox's control API (as SandboxClient does) from inside a playbook.

    Only for a change that must happen between two tasks of one run; between runs, a test calls
    SandboxClient from Python. The tasks are no_log: a control call may carry a key or a token.
    """

    def __init__(self, url):
        self.url = url.rstrip("/")

    def call(self, title, method, path, body=None):
        """A task that sends one control call (path below /_sandbox, body sent as JSON) and expects 200."""
        options = {"url": self.url + facts.CONTROL_PREFIX + path, "method": method, "status_code": 200}
        if body is not None:
            options.update(body_format="json", body=body)
        return {"name": title, "ansible.builtin.uri": options, "no_log": True}

    def add_faults(self, title, faults):
        """Queue faults for the tasks that follow (see SandboxClient.add_fault)."""
        return self.call(title, "POST", "/faults", list(faults))

    def cloudflare_authorize(self, title, token_id, services):
        """The person in the browser authorises services in PagerDuty for a token (a template, usually)."""
        return self.call(title, "POST", "/cloudflare/authorize", {"token_id": token_id, "services": list(services)})


# ---------------------------------------------------------------------------------------------
# ansible-playbook


class SecretVars:
    """Moves literal secret option values out of a playbook into extra vars.

    Users keep keys in (vault) variables, not in task text; and ansible-core 2.19 quotes the
    source lines around a failed task in its error output, so a literal key in a playbook
    would be printed by Ansible itself. Each distinct value becomes {{ harness_secret_N }}.
    """

    PREFIX = "harness_secret_"

    def __init__(self):
        self.names = {}

    def variables(self):
        return dict((name, value) for value, name in self.names.items())

    def rewrite(self, data):
        if isinstance(data, dict):
            result = {}
            for key, value in data.items():
                if key in SECRET_OPTIONS and isinstance(value, str) and value.strip() and "{{" not in value:
                    name = self.names.setdefault(value, "%s%d" % (self.PREFIX, len(self.names) + 1))
                    result[key] = "{{ %s }}" % name
                else:
                    result[key] = self.rewrite(value)
            return result
        if isinstance(data, (list, tuple)):
            return [self.rewrite(item) for item in data]
        return data


class PlaybookRun:
    """What one ansible-playbook run showed: rc, stdout, stderr and every recorded task result."""

    def __init__(self, argv, rc, stdout, stderr, records, results_text, elapsed, left_files):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.records = records
        self.results_text = results_text
        self.elapsed = elapsed
        self.left_files = left_files  # {path: text} of what the run wrote besides its outputs

    @property
    def output(self):
        return self.stdout + self.stderr

    def task_records(self, task, items=False):
        return [r for r in self.records if r["task"] == task and r["item"] == items]

    def record(self, task):
        """The one record (not a loop item) of the task with this name."""
        matches = self.task_records(task)
        if len(matches) != 1:
            raise AssertionError("expected one result for task %r, found %d; tasks recorded: %s"
                                 % (task, len(matches), [r["task"] for r in self.records]))
        return matches[0]

    def result(self, task):
        """The result dict of the task with this name (changed, failed, msg, diff, ...)."""
        return self.record(task)["result"]

    def status(self, task):
        """ok | changed | failed | skipped | unreachable"""
        return self.record(task)["status"]

    def statuses(self):
        return [(r["task"], r["status"]) for r in self.records if not r["item"]]

    def window(self, task):
        """(started, ended): from the task's start on its first host to its last result (time.time())."""
        records = [r for r in self.records if r["task"] == task]
        if not records:
            raise AssertionError("no result for task %r" % task)
        return min(r["started"] for r in records), max(r["ended"] for r in records)

    def requests(self, task, journal):
        """The entries of a sandbox journal that arrived while the task ran: the requests it sent."""
        started, ended = self.window(task)
        return [entry for entry in journal if started <= entry["time"] <= ended]

    def calls(self, task, journal):
        """(method, raw path, status) of every request the task sent, in order."""
        return [(entry["method"], entry["path"], entry["status"]) for entry in self.requests(task, journal)]

    def texts(self):
        """{where: text} of everything a secret must not appear in."""
        texts = {"stdout": self.stdout, "stderr": self.stderr, "recorded results": self.results_text}
        texts.update(self.left_files)
        return texts

    def failure(self, task):
        """The result of a task that must have failed cleanly: a message, no Python traceback
        anywhere the user looks, and no no_log value masked into the message."""
        result = self.result(task)
        assert self.status(task) == "failed", (task, result)
        assert result.get("msg"), (task, result)
        for field in ("module_stderr", "module_stdout"):
            assert field not in result, "%s: %s: %s" % (task, field, result[field])
        # ansible-core 2.19 adds exception="(traceback unavailable)" to every failure without one.
        assert result.get("exception") in (None, "(traceback unavailable)"), (task, result["exception"])
        assert "Traceback" not in self.output
        # Ansible masks no_log values wherever they appear: stars in a message mean a secret reached it.
        assert "********" not in result["msg"], (task, result["msg"])
        return result

    def describe(self, tail=6000):
        return "argv: %s\nrc: %s\n--- stdout (tail) ---\n%s\n--- stderr (tail) ---\n%s" % (
            " ".join(self.argv), self.rc, self.stdout[-tail:], self.stderr[-tail:])


def as_plays(playbook):
    """A list of tasks, one play (dict) or a list of plays -> a list of plays."""
    if isinstance(playbook, dict):
        plays = [playbook]
    elif isinstance(playbook, (list, tuple)) and playbook and all(isinstance(p, dict) and "hosts" in p for p in playbook):
        plays = list(playbook)
    elif isinstance(playbook, (list, tuple)):
        plays = [{"name": "integration test", "tasks": list(playbook)}]
    else:
        raise TypeError("a playbook is YAML text, a list of tasks, a play or a list of plays")
    return [dict({"hosts": "localhost", "gather_facts": False}, **play) for play in plays]


class PlaybookRunner:
    """Runs ansible-playbook on localhost against this checkout's collection; one per test.

    Every run is checked for its exit code and for secret leaks: in stdout, stderr, the recorded
    results (diffs included) and every file it left in its directory, HOME and TMPDIR (Ansible's
    local and remote temp dirs). The run's files stay under tmp_path/run-N for inspection.
    """

    def __init__(self, tmp_path, secrets, sandbox=None, default_env=None):
        self.tmp_path = str(tmp_path)
        self.secrets = secrets
        self.sandbox = sandbox
        self.default_env = dict(default_env or {})
        self.runs = []

    @property
    def home(self):
        return os.path.join(self.tmp_path, "home")

    @property
    def tmp(self):
        return os.path.join(self.tmp_path, "tmp")

    def base_env(self, run_dir):
        home, tmp = self.home, self.tmp
        for path in (home, tmp):
            os.makedirs(path, exist_ok=True)
        bin_dir = os.path.dirname(sys.executable)
        return {
            "PATH": os.pathsep.join([bin_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
            "HOME": home,
            "TMPDIR": short_alias(tmp),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "ANSIBLE_HOME": os.path.join(home, ".ansible"),
            "ANSIBLE_LOCAL_TEMP": os.path.join(tmp, "ansible-local"),
            "ANSIBLE_REMOTE_TMP": os.path.join(tmp, "ansible-remote"),
            "ANSIBLE_COLLECTIONS_PATH": collections_path(),
            "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
            "ANSIBLE_CALLBACK_PLUGINS": CALLBACK_DIR,
            "ANSIBLE_CALLBACKS_ENABLED": CALLBACK_NAME,
            "RECORD_RESULTS_PATH": os.path.join(run_dir, "results.jsonl"),
            "ANSIBLE_STDOUT_CALLBACK": "default",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "NO_COLOR": "1",
            "ANSIBLE_NOCOWS": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_GATHERING": "explicit",
        }

    def __call__(self, playbook, check=False, diff=False, verbosity=0, env=None, extra_vars=None,
                 expect_rc=0, secrets=(), timeout=240):
        """Run a playbook (YAML text, tasks, a play or plays); return a PlaybookRun.

        Literal values of secret options (SECRET_OPTIONS) in tasks, plays or module_defaults are
        registered as secrets and moved to the extra-vars file (see SecretVars); YAML text is
        written as given.

        env: extra environment variables (values of *KEY*/*TOKEN* names become secrets).
        expect_rc: the exit code to assert (None: do not check). 2 = a task failed.
        secrets: more values that must not appear in the output.
        """
        run_dir = os.path.join(self.tmp_path, "run-%d" % (len(self.runs) + 1))
        os.makedirs(run_dir)
        secret_vars = SecretVars()
        if isinstance(playbook, str):
            text = playbook
            self.secrets.collect(yaml.safe_load(text))
        else:
            plays = as_plays(playbook)
            self.secrets.collect(plays)
            plays = secret_vars.rewrite(plays)
            text = yaml.safe_dump(plays, allow_unicode=True, sort_keys=False, width=1000)
        for value in secrets:
            self.secrets.add(value)
        self.secrets.collect(extra_vars or {}, "extra_vars")
        run_env = dict(self.default_env)
        if verbosity >= 4:
            # ansible-core 2.21 adds the module's arguments (invocation, no_log values masked) to results only when
            # asked; the most verbose output must show them, as earlier versions always did.
            run_env["ANSIBLE_INJECT_INVOCATION"] = "1"
        run_env.update(env or {})
        self.secrets.collect_env(run_env)

        playbook_path = os.path.join(run_dir, "playbook.yml")
        with open(playbook_path, "w", encoding="utf-8") as handle:
            handle.write(text)
        connection_vars = dict(ansible_connection="local", ansible_python_interpreter=target_python())
        connection_vars.update(secret_vars.variables())
        connection_vars.update(extra_vars or {})
        vars_path = os.path.join(run_dir, "extra_vars.json")
        with open(vars_path, "w", encoding="utf-8") as handle:
            json.dump(connection_vars, handle)

        argv = [sys.executable, ansible_bin("ansible-playbook"), "-i", "localhost,", "-e", "@" + vars_path]
        if check:
            argv.append("--check")
        if diff:
            argv.append("--diff")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        argv.append(playbook_path)

        process_env = self.base_env(run_dir)
        process_env.update(run_env)
        started = time.monotonic()
        try:
            completed = subprocess.run(argv, cwd=run_dir, env=process_env, stdin=subprocess.DEVNULL,
                                       capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError("ansible-playbook did not finish within %ss\n%s" % (timeout, exc.stdout))
        elapsed = time.monotonic() - started
        stdout = completed.stdout.decode("utf-8", "replace")
        stderr = completed.stderr.decode("utf-8", "replace")
        for name, text in (("stdout", stdout), ("stderr", stderr)):
            with open(os.path.join(run_dir, name + ".txt"), "w", encoding="utf-8") as handle:
                handle.write(text)
        results_text, records = "", []
        results_path = process_env["RECORD_RESULTS_PATH"]
        if os.path.exists(results_path):
            with open(results_path, encoding="utf-8") as handle:
                results_text = handle.read()
            records = [json.loads(line) for line in results_text.splitlines() if line.strip()]
        run = PlaybookRun(argv, completed.returncode, stdout, stderr, records, results_text, elapsed,
                          self.files_left(run_dir))
        self.runs.append(run)

        if self.sandbox is not None:
            # Keys that reached the sandbox (seeded ones included) must not come back either.
            for key in self.sandbox.datadog_services().values():
                self.secrets.add(key, "sandbox state")
        self.secrets.assert_no_leak(run.texts())
        if expect_rc is not None and run.rc != expect_rc:
            raise AssertionError("ansible-playbook exited with %s, expected %s\n%s" % (run.rc, expect_rc, run.describe()))
        return run

    def files_left(self, run_dir):
        """{path: text} of every file under the run's directory, HOME and TMPDIR but its inputs and outputs."""
        texts = {}
        for root in (run_dir, self.home, self.tmp):
            for folder, dummy, names in os.walk(root):
                for name in names:
                    if folder == run_dir and name in INPUT_FILES + OUTPUT_FILES:
                        continue
                    path = os.path.join(folder, name)
                    with open(path, "rb") as handle:
                        texts[os.path.relpath(path, self.tmp_path)] = handle.read().decode("utf-8", "replace")
        return texts

    def leftovers(self):
        """The files every run so far left in HOME and TMPDIR (paths under tmp_path)."""
        return sorted(set(path for run in self.runs for path in run.left_files
                          if path.split(os.sep)[0] in ("home", "tmp")))

    def check_again(self, more_secrets=()):
        """Check every run of the test again, with secrets learnt since (tokens created under no_log)."""
        for value in more_secrets:
            self.secrets.add(value, "learnt after the run")
        for run in self.runs:
            self.secrets.assert_no_leak(run.texts())
