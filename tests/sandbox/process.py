# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Start and stop the sandbox (server.py) as a process: how the integration tests, tools/demo.py,
tools/bench.py and molecule all do it. Standard library only.

From Python, a child process that ends with stop() (or the with block):

    with SandboxProcess(log_path, latency_ms=0, tls_cert=None, tls_key=None) as sandbox:
        sandbox.url, sandbox.datadog_url, sandbox.cloudflare_url

From a shell or a playbook, a sandbox that outlives the command (molecule's create and destroy):

    python tests/sandbox/process.py start --state-file DIR/sandbox.json --log-file DIR/sandbox.log [--latency-ms N]
    python tests/sandbox/process.py stop --state-file DIR/sandbox.json
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

try:
    from . import facts
except ImportError:  # run as a script (python tests/sandbox/process.py): this directory is sys.path[0]
    import facts

SERVER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py")
LISTENING_RE = re.compile(r"^%s(https?://\S+)$" % re.escape(facts.LISTENING_LINE))
# What a sandbox log may hold without it being a problem: a client hung up on a slow answer.
HARMLESS_LOG_ERRORS = ("BrokenPipeError", "ConnectionResetError", "ConnectionAbortedError")


def log_problems(text):
    """The tracebacks in a sandbox log that are not just a client hanging up."""
    problems = []
    for block in re.split(r"\n(?=-{20,}|Traceback )", text):
        if "Traceback" in block and not any(name in block for name in HARMLESS_LOG_ERRORS):
            problems.append(block.strip())
    return problems


class SandboxProcess:
    """`python tests/sandbox/server.py --port 0` as a child process, its stdout and stderr in log_path.

    new_session: start it in a session of its own, so that a Ctrl-C in the terminal reaches only
    its parent (which stops it) or so that it outlives its parent (start_detached).
    cwd: its working directory (start_detached recognises it by it).
    """

    def __init__(self, log_path, latency_ms=0, tls_cert=None, tls_key=None, host="127.0.0.1", cwd=None,
                 new_session=False):
        self.log_path = log_path
        self.latency_ms = latency_ms
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.host = host
        self.cwd = cwd
        self.new_session = new_session
        self.process = None
        self.url = None
        self._log = None

    def argv(self):
        argv = [sys.executable, "-u", SERVER_SCRIPT, "--host", self.host, "--port", "0"]
        if self.latency_ms:
            argv += ["--latency-ms", str(self.latency_ms)]
        if self.tls_cert:
            argv += ["--tls-cert", self.tls_cert]
        if self.tls_key:
            argv += ["--tls-key", self.tls_key]
        return argv

    def start(self, timeout=20.0):
        """Start it and wait for its first line, `sandbox listening on URL`; returns self."""
        self._log = open(self.log_path, "wb")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(self.argv(), stdout=self._log, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                                        stdin=subprocess.DEVNULL, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                                        cwd=self.cwd, start_new_session=self.new_session)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            match = LISTENING_RE.match(text.split("\n", 1)[0]) if "\n" in text else None
            if match:
                self.url = match.group(1)
                return self
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the sandbox exited with %s before listening:\n%s" % (self.process.returncode, text))
            time.sleep(0.02)
        self.stop()
        raise RuntimeError("the sandbox did not print '%s...' within %ss; its log:\n%s"
                           % (facts.LISTENING_LINE, timeout, self.log_text()))

    @property
    def pid(self):
        return None if self.process is None else self.process.pid

    @property
    def datadog_url(self):
        return self.url

    @property
    def cloudflare_url(self):
        return None if self.url is None else self.url + facts.CLOUDFLARE_PREFIX

    def running(self):
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self):
        return None if self.process is None else self.process.poll()

    def log_text(self, offset=0):
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def log_size(self):
        return os.path.getsize(self.log_path)

    def problems(self, offset=0):
        """The tracebacks it logged (from offset on) that are not just a client hanging up."""
        return log_problems(self.log_text(offset))

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL after timeout seconds. Safe to call in any state, and again."""
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self.detach()

    def detach(self):
        """Close this process's handle on the log, leaving the sandbox as it is."""
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self):
        return self if self.process is not None else self.start()

    def __exit__(self, *exc_info):
        self.stop()


# ---------------------------------------------------------------------------------------------
# A sandbox that outlives the command that started it, recorded in a state file


def start_detached(state_file, log_file, latency_ms=0, timeout=20.0):
    """Start a sandbox in a session of its own, working in the state file's directory, and record
    {"url", "pid"} in state_file; returns that record. It runs until stop_detached(state_file)."""
    directory = os.path.dirname(os.path.abspath(state_file))
    sandbox = SandboxProcess(log_file, latency_ms, cwd=directory, new_session=True).start(timeout)
    sandbox.detach()
    record = {"url": sandbox.url, "pid": sandbox.pid}
    descriptor = os.open(state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")
    return record


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except (OSError, IndexError):
        return True


def _is_sandbox_in(pid, directory):
    """Whether pid still runs server.py in directory: the PID may have been reused since (a run that was killed)."""
    if not os.path.isdir("/proc"):
        return _alive(pid)
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            argv = handle.read().decode("utf-8", "replace").split("\0")
        cwd = os.readlink("/proc/%d/cwd" % pid)
    except OSError:
        return False
    return SERVER_SCRIPT in argv and os.path.realpath(cwd) == os.path.realpath(directory) and _alive(pid)


def stop_detached(state_file, timeout=15.0):
    """Stop the sandbox that start_detached recorded in state_file, if it is still that sandbox, and
    forget it. Returns its PID if it was stopped, None if nothing was recorded or it had ended."""
    if not os.path.exists(state_file):
        return None
    with open(state_file, encoding="utf-8") as handle:
        pid = json.load(handle)["pid"]
    stopped = None
    if _is_sandbox_in(pid, os.path.dirname(os.path.abspath(state_file))):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        stopped = pid
    os.remove(state_file)
    return stopped


def main(argv=None):
    parser = argparse.ArgumentParser(description="Start a sandbox in the background and record it, or stop a recorded one")
    commands = parser.add_subparsers(dest="command")
    commands.required = True
    start = commands.add_parser("start", help="start tests/sandbox/server.py; print and record {\"url\", \"pid\"}")
    start.add_argument("--state-file", required=True, help="where to record the sandbox (JSON); it works in this file's directory")
    start.add_argument("--log-file", required=True, help="the sandbox's stdout and stderr")
    start.add_argument("--latency-ms", type=float, default=0, help="delay added to every API request, in milliseconds")
    stop = commands.add_parser("stop", help="stop the sandbox recorded in --state-file and forget it")
    stop.add_argument("--state-file", required=True)
    args = parser.parse_args(argv)
    if args.command == "start":
        latency = int(args.latency_ms) if args.latency_ms == int(args.latency_ms) else args.latency_ms
        try:
            print(json.dumps(start_detached(args.state_file, args.log_file, latency)))
        except RuntimeError as exc:
            sys.exit(str(exc))
        return 0
    pid = stop_detached(args.state_file)
    print("nothing to stop" if pid is None else "stopped the sandbox (PID %d)" % pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
