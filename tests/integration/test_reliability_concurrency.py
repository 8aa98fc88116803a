# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Several runs converging the same desired state at once: four ansible-playbook processes started
together (held at a barrier so that they really overlap), and one play over four inventory hosts
without run_once. Every run succeeds, the final state is right, no object is created twice (one
201 per name; the losers end ok through "Service already exists"), and re-running is ok everywhere.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shlex
import subprocess
import sys
import threading
from collections import Counter


from integration_harness import PlaybookRunner, Secrets, collections_path
from reliability_support import (
    CF_CONNECT_PATH,
    CF_LINK_REGEX,
    CF_LIST_PATH,
    CF_MODULE,
    DD_MODULE,
    MARK_PREFIX,
    SecretAudit,
    audit_runs,
    cf_connection,
    dd_connection,
    dd_path,
    destination,
    mark_task,
    secret_value,
    task,
    token_value,
    write_audit,
)

RUNS = 4
NAMES = ["payments", "checkout", "search api", "billing+eu", "ledger", "auth", "notifications", "edge"]
KEYS = dict((name, secret_value("pdkey", "parallel-" + name)) for name in NAMES)
CONNECTED = [destination("payments"), destination("checkout")]
LATENCY_MS = 250  # every API request takes 0.25 s, so that the runs overlap for real

BARRIER_SCRIPT = r'''
import os, sys, time
folder, parties = sys.argv[1], int(sys.argv[2])
os.makedirs(folder, exist_ok=True)
open(os.path.join(folder, str(os.getpid())), "w").close()
deadline = time.time() + 120
while len(os.listdir(folder)) < parties:
    if time.time() > deadline:
        raise SystemExit("barrier: only %d of %d runs arrived" % (len(os.listdir(folder)), parties))
    time.sleep(0.02)
print("all %d runs released" % parties)
'''


def desired_tasks(sandbox, prefix=""):
    return [
        task(prefix + "datadog services", DD_MODULE,
             dd_connection(sandbox.datadog_url, services=[dict(service_name=n, service_key=KEYS[n]) for n in NAMES],
                           concurrency=4)),
        task(prefix + "cloudflare destinations", CF_MODULE,
             cf_connection(sandbox.cloudflare_url, services=["payments", "checkout"])),
    ]


def barrier_task(folder):
    script = os.path.join(folder, "barrier.py")
    if not os.path.exists(script):
        os.makedirs(folder, exist_ok=True)
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(BARRIER_SCRIPT)
    command = " ".join(shlex.quote(p) for p in (sys.executable, script, os.path.join(folder, "arrived"), str(RUNS)))
    return {"name": "wait for the other runs",
            "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.pipe', %s) }}" % json.dumps(command)}}


def run_together(runners, playbooks):
    """Start every ansible-playbook at once (one thread each); return their runs in order."""
    runs, errors = [None] * len(runners), []

    def one(index):
        try:
            runs[index] = runners[index](playbooks[index], diff=True, verbosity=4)
        except Exception as exc:  # pylint: disable=broad-except
            errors.append("run %d: %s" % (index + 1, exc))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(runners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert not errors, "\n\n".join(errors)
    return runs


def batch_changes(results_by_run):
    """{name: number of runs that reported creating it}, from each run's per-service results."""
    changed = Counter()
    for results in results_by_run:
        for entry in results:
            assert not entry.get("failed"), entry
            if entry["changed"]:
                changed[entry["service_name"]] += 1
    return changed


def posts(journal):
    return Counter(e["status"] for e in journal if e["method"] == "POST")


def writes(journal):
    return [(e["method"], e["path"]) for e in journal
            if e["method"] in ("POST", "PUT", "DELETE") or e["path"].startswith(CF_CONNECT_PATH + "/")]


def assert_converged(sandbox):
    assert sandbox.datadog_services() == KEYS
    assert sandbox.state()["cloudflare"]["destinations"] == CONNECTED


def test_four_playbooks_at_once_converge_and_create_each_object_once(sandbox, secrets, tmp_path,
                                                                     tmp_path_factory):
    sandbox.seed({"cloudflare": {"destinations": CONNECTED}})
    sandbox.settings(latency_ms=LATENCY_MS)
    # One Secrets per runner (the runs are threads); the audit below takes them all.
    runners = [PlaybookRunner(tmp_path / ("run%d" % i), Secrets(secrets.values), sandbox=sandbox)
               for i in range(RUNS)]
    barrier = str(tmp_path_factory.mktemp("barrier"))
    runs = run_together(runners, [[barrier_task(barrier)] + desired_tasks(sandbox)] * RUNS)

    journal = sandbox.journal()
    for run in runs:
        assert run.status("cloudflare destinations") == "ok"
        assert run.status("datadog services") in ("ok", "changed")
    # Each object was created by exactly one run; the others found it (GET 200) or lost the race (POST 400).
    changes = batch_changes(run.result("datadog services")["results"] for run in runs)
    assert changes == Counter(dict((name, 1) for name in NAMES)), changes
    statuses = posts(journal)
    assert statuses[201] == len(NAMES)
    assert set(statuses) <= {201, 400}, statuses
    assert statuses[400] >= 1, "the runs did not overlap: no create lost a race (%s)" % statuses
    # Every run read every object once; no update, no delete; Cloudflare was only listed.
    reads = Counter(e["path"] for e in journal if e["method"] == "GET" and e["vendor"] == "datadog")
    assert reads == Counter(dict((dd_path(n), RUNS) for n in NAMES))
    assert [(m, p) for m, p in writes(journal) if m != "POST"] == []
    assert [(e["method"], e["path"], e["status"]) for e in journal if e["vendor"] == "cloudflare"] == \
        [("GET", CF_LIST_PATH, 200)] * RUNS
    assert_converged(sandbox)

    # Re-run, four at once again: ok everywhere, reads only.
    sandbox.clear_journal()
    barrier = str(tmp_path_factory.mktemp("barrier"))
    reruns = run_together(runners, [[barrier_task(barrier)] + desired_tasks(sandbox)] * RUNS)
    for run in reruns:
        assert run.statuses()[1:] == [("datadog services", "ok"), ("cloudflare destinations", "ok")]
    assert writes(sandbox.journal()) == []
    assert_converged(sandbox)
    for runner in runners:
        secrets.values |= runner.secrets.values
    record = audit_runs(tmp_path_factory, "concurrency: %d playbooks at once, twice" % RUNS, [tmp_path],
                        runs + reruns, secrets)
    assert record["occurrences"] == 0


def test_one_play_over_four_hosts_without_run_once_converges(run_playbook, sandbox, secrets, tmp_path,
                                                             tmp_path_factory):
    sandbox.seed({"cloudflare": {"destinations": CONNECTED}})
    sandbox.settings(latency_ms=LATENCY_MS)
    hosts = ["host%d" % i for i in range(1, RUNS + 1)]
    plays = [
        {"name": "inventory", "hosts": "localhost", "tasks": [
            {"name": "add the hosts", "ansible.builtin.add_host": {
                "name": "{{ item }}", "groups": "fleet", "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable}, "loop": hosts}]},
        {"name": "converge", "hosts": "fleet", "tasks": desired_tasks(sandbox)},
        {"name": "converge again", "hosts": "fleet",
         "tasks": [dict(mark_task(sandbox.url, "rerun"), run_once=True)] + desired_tasks(sandbox, "rerun ")},
    ]
    run = run_playbook(plays, diff=True, verbosity=4)

    journal = sandbox.journal()
    cut = next(i for i, e in enumerate(journal) if e["path"] == MARK_PREFIX + "rerun")
    first, second = journal[:cut], journal[cut + 1:]
    records = dict((task_name, run.task_records(task_name)) for task_name in
                   ("datadog services", "cloudflare destinations", "rerun datadog services",
                    "rerun cloudflare destinations"))
    for task_name, task_records in records.items():
        assert sorted(r["host"] for r in task_records) == hosts, task_name
    assert all(r["status"] in ("ok", "changed") for r in records["datadog services"])
    assert all(r["status"] == "ok" for r in records["cloudflare destinations"])
    changes = batch_changes(r["result"]["results"] for r in records["datadog services"])
    assert changes == Counter(dict((name, 1) for name in NAMES)), changes
    statuses = posts(first)
    assert statuses[201] == len(NAMES) and set(statuses) <= {201, 400}, statuses
    assert statuses[400] >= 1, "the hosts did not overlap: no create lost a race (%s)" % statuses
    assert [e for e in first if e["method"] in ("PUT", "DELETE")] == []
    # The re-run: ok on every host, reads only.
    for task_name in ("rerun datadog services", "rerun cloudflare destinations"):
        assert [r["status"] for r in records[task_name]] == ["ok"] * RUNS, task_name
    assert writes(second) == []
    assert len([e for e in second if e["vendor"] == "datadog"]) == RUNS * len(NAMES)
    assert_converged(sandbox)
    audit_runs(tmp_path_factory, "concurrency: one play over %d hosts" % RUNS, [tmp_path], run_playbook.runs, secrets)


DRIVER_SCRIPT = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible.module_utils.testing import patch_module_args
from ansible_collections.oncall.pagerduty.plugins.modules import cloudflare_pagerduty_destination as module
with open(sys.argv[2]) as handle:
    args = json.load(handle)
with patch_module_args(args):
    module.main()
'''

SHARED_TOKEN = token_value("shared-by-four-runs")


def test_runs_linking_the_same_token_at_once_all_succeed(sandbox, tmp_path, tmp_path_factory):
    sandbox.seed({"cloudflare": {"destinations": [], "tokens": {
        SHARED_TOKEN: {"authorized": CONNECTED, "used": False}}}})
    # Each link is answered after 3 s, so that every run has listed before the first link lands.
    sandbox.add_fault(method="GET", path=CF_LINK_REGEX, times=RUNS, delay_ms=3000)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER_SCRIPT)
    args = tmp_path / "args.json"
    args.write_text(json.dumps(dict(cf_connection(sandbox.cloudflare_url, services=["payments", "checkout"],
                                                  token_id=SHARED_TOKEN))))
    env = dict((k, v) for k, v in os.environ.items() if "PROXY" not in k.upper())
    processes = [subprocess.Popen([sys.executable, str(driver), collections_path(), str(args)],  # pylint: disable=consider-using-with
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for dummy in range(RUNS)]
    outputs = [p.communicate(timeout=120) for p in processes]
    results = [json.loads(out.decode()) for out, err in outputs]
    texts = dict(("run%d" % i, (out + err).decode()) for i, (out, err) in enumerate(outputs))
    record = SecretAudit(["sandbox-token", SHARED_TOKEN]).report("concurrency: %d runs link one token" % RUNS, texts)
    write_audit(tmp_path_factory, record)
    assert record["occurrences"] == 0, record["hits"]

    links = [e for e in sandbox.journal() if e["path"].startswith(CF_CONNECT_PATH + "/")]
    assert len(links) == RUNS and sorted(e["status"] for e in links) == [200] + [404] * (RUNS - 1)
    assert sorted(d["name"] for d in sandbox.state()["cloudflare"]["destinations"]) == ["checkout", "payments"]
    failures = [r["msg"] for r in results if r.get("failed")]
    assert failures == [], failures
    assert sorted(r["changed"] for r in results) == [False] * (RUNS - 1) + [True]
