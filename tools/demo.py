# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make demo`: start the sandbox, run playbooks/demo.yml in check+diff mode, apply, re-apply, summarise."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOK = os.path.join(REPO, "playbooks", "demo.yml")
CONNECT_PLAYBOOK = os.path.join(REPO, "playbooks", "cloudflare_connect.yml")
WRITES = ("POST", "PUT", "DELETE")

# The sandbox package (tests/sandbox/): its credentials and paths, how to start it and its control API.
sys.path.insert(0, os.path.join(REPO, "tests"))
from sandbox import facts  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402


def seed(sandbox):
    # Something to clean up in Datadog, and two services already connected in Cloudflare, as in a real organisation.
    sandbox.seed({
        "datadog": {"services": {"legacy-billing": {"service_key": "demo0legacy0key00000000000000000"}}},
        "cloudflare": {"destinations": ["payments", "checkout api"]},
    })


def is_write(entry):
    # Linking a Cloudflare token is a GET that changes the account.
    return entry["method"] in WRITES or "/connect/" in entry["path"]


def run_phase(sandbox, title, extra_args, env, playbook=PLAYBOOK):
    sandbox.clear_journal()
    shown = os.path.relpath(playbook, REPO)
    print("\n" + "=" * 100 + "\n== %s: ansible-playbook %s %s\n" % (title, shown, " ".join(extra_args)) + "=" * 100, flush=True)
    completed = subprocess.run(["ansible-playbook", playbook] + extra_args, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    print(completed.stdout, flush=True)
    recap = re.search(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", completed.stdout)
    journal = sandbox.journal()
    writes = [entry for entry in journal if is_write(entry)]
    return dict(title=title, rc=completed.returncode, changed=int(recap.group(2)) if recap else None,
                failed=int(recap.group(4)) if recap else None, requests=len(journal), writes=len(writes))


def connect_hand_off(sandbox, env):
    """The Cloudflare two-run hand-off, with this script playing the person in the browser."""
    phases = [run_phase(sandbox, "4. connect", [], env, CONNECT_PLAYBOOK)]
    tokens = sandbox.state()["cloudflare"]["tokens"]
    fresh = [token for token, item in tokens.items() if not item["used"]]
    if len(fresh) != 1:
        sys.exit("expected one new connection token in the sandbox, found %d" % len(fresh))
    print("== (the person authorises \"search+ranking\" in PagerDuty for the token: POST /_sandbox/cloudflare/authorize)")
    sandbox.cloudflare_authorize(fresh[0], ["search+ranking"])
    link_args = ["-e", "cloudflare_connect_token=" + fresh[0]]
    phases.append(run_phase(sandbox, "5. link", link_args, env, CONNECT_PLAYBOOK))
    phases.append(run_phase(sandbox, "6. re-run", link_args, env, CONNECT_PLAYBOOK))
    return phases


def main():
    home = tempfile.mkdtemp(prefix="oncall-demo-")
    process = SandboxProcess(os.path.join(home, "sandbox.log"))
    try:
        process.start()
        sandbox = SandboxClient(process.url)
        seed(sandbox)
        env = dict(os.environ, DD_API_KEY=facts.DATADOG_API_KEY, DD_APP_KEY=facts.DATADOG_APP_KEY, DD_HOST=sandbox.datadog_url,
                   CLOUDFLARE_API_TOKEN=facts.CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID=facts.CLOUDFLARE_ACCOUNT_ID,
                   CLOUDFLARE_BASE_URL=sandbox.cloudflare_url,
                   ANSIBLE_LOCAL_TEMP=os.path.join(home, "tmp"), ANSIBLE_REMOTE_TMP=os.path.join(home, "remote"),
                   ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_LOCALHOST_WARNING="False",
                   ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_PYTHON_INTERPRETER=sys.executable)
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO, ".venv", "collections"))
        print("sandbox: %s (Datadog at the root, credentials from DD_API_KEY / DD_APP_KEY / DD_HOST;\n"
              "         Cloudflare under %s, from CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID / CLOUDFLARE_BASE_URL)"
              % (sandbox.url, facts.CLOUDFLARE_PREFIX))
        phases = [
            run_phase(sandbox, "1. preview", ["--check", "--diff"], env),
            run_phase(sandbox, "2. apply", ["--diff"], env),
            run_phase(sandbox, "3. re-apply", [], env),
        ]
        phases += connect_hand_off(sandbox, env)
        sandbox_problems = process.problems()
    finally:
        process.stop()
        shutil.rmtree(home, ignore_errors=True)

    print("=" * 100 + "\nSummary\n" + "=" * 100)
    print("%-14s %4s %14s %7s %9s %7s" % ("run", "rc", "changed tasks", "failed", "requests", "writes"))
    for phase in phases:
        print("%-14s %4d %14s %7s %9d %7d" % (
            phase["title"], phase["rc"], phase["changed"], phase["failed"], phase["requests"], phase["writes"]))
    preview, apply, reapply, token, link, relink = phases
    verdicts = [
        ("the preview sent no write request", preview["writes"] == 0 and preview["rc"] == 0),
        ("the preview announced the changes the apply made", preview["changed"] == apply["changed"] and apply["changed"] > 0),
        ("the apply succeeded", apply["rc"] == 0),
        ("the re-apply changed nothing and wrote nothing", reapply["rc"] == 0 and reapply["changed"] == 0 and reapply["writes"] == 0),
        ("Cloudflare: a missing service got a connection token and the steps to follow", token["rc"] == 0 and token["changed"] == 1),
        ("Cloudflare: the token linked what the person authorised", link["rc"] == 0 and link["changed"] == 1),
        ("Cloudflare: the run after that was ok and wrote nothing", relink["rc"] == 0 and relink["changed"] == 0 and relink["writes"] == 0),
        ("the sandbox logged no error", not sandbox_problems),
    ]
    for problem in sandbox_problems:
        print("sandbox error:\n%s" % problem)
    for text, good in verdicts:
        print("%s %s" % ("OK  " if good else "FAIL", text))
    return 0 if all(good for dummy, good in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
