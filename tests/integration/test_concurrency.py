# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Several runs converging the same desired state at once: four ansible-playbook processes started
together (held at a barrier so that they really overlap), one play over four inventory hosts
without run_once, and four runs linking the same connection token. Every run succeeds, the final
state is right, no object is created twice (one 201 per name; the losers end ok through "Service
already exists"), and re-running is ok everywhere."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import shlex
import sys
import threading
from collections import Counter

from cloudflare_tasks import CHECKOUT, CONNECT_PATH, LIST, PAYMENTS, destinations
from datadog_tasks import service_path
from integration_harness import PlaybookRunner, Secrets

RUNS = 4
NAMES = ["payments", "checkout", "search api", "billing+eu", "ledger", "auth", "notifications", "edge"]
KEYS = dict((name, "pdkey-parallel-%d-7c9e2b4f1a3d5e6b" % index) for index, name in enumerate(NAMES))
CONNECTED = [PAYMENTS, CHECKOUT]
LATENCY_MS = 250  # every API request takes 0.25 s, so that the runs overlap for real


def barrier_task(folder):
    """Holds each run until all RUNS runs have reached it, so that the tasks after it really overlap.

    A pipe lookup: it runs in the controller, without the cost of a module.
    """
    folder = shlex.quote(str(folder))
    command = "mkdir -p %s && touch %s/$$ && until [ $(ls %s | wc -l) -ge %d ]; do sleep 0.02; done" % (
        folder, folder, folder, RUNS)
    return {"name": "wait for the other runs",
            "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.pipe', %s) }}" % json.dumps(command)}}


def runners_for(tmp_path, secrets, sandbox):
    # One Secrets per runner (the runs are threads); check_all_again below takes them all.
    return [PlaybookRunner(tmp_path / ("runner%d" % index), Secrets(secrets.values), sandbox=sandbox)
            for index in range(RUNS)]


def run_together(runners, playbook, **options):
    """Start one ansible-playbook per runner at once (one thread each); return their runs in order."""
    runs, errors = [None] * len(runners), []

    def one(index):
        try:
            runs[index] = runners[index](playbook, diff=True, verbosity=4, **options)
        except Exception as exc:  # pylint: disable=broad-except
            errors.append("run %d: %s" % (index + 1, exc))

    threads = [threading.Thread(target=one, args=(index,)) for index in range(len(runners))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert not errors, "\n\n".join(errors)
    return runs


def check_all_again(runners):
    """Every run against every secret any run learnt (keys read from the sandbox after each run)."""
    learnt = set().union(*(runner.secrets.values for runner in runners))
    for runner in runners:
        runner.check_again(learnt)


def desired_tasks(datadog, cloudflare, prefix=""):
    return [
        datadog.service(prefix + "datadog services", concurrency=4,
                        services=[dict(service_name=name, service_key=KEYS[name]) for name in NAMES]),
        cloudflare.destination(prefix + "cloudflare destinations", services=["payments", "checkout"]),
    ]


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
            if e["method"] in ("POST", "PUT", "DELETE") or e["path"].startswith(CONNECT_PATH + "/")]


def assert_converged(sandbox):
    assert sandbox.datadog_services() == KEYS
    assert destinations(sandbox) == CONNECTED


def test_four_playbooks_at_once_converge_and_create_each_object_once(sandbox, datadog, cloudflare, secrets, tmp_path):
    sandbox.seed({"cloudflare": {"destinations": CONNECTED}})
    sandbox.settings(latency_ms=LATENCY_MS)
    runners = runners_for(tmp_path, secrets, sandbox)
    runs = run_together(runners, [barrier_task(tmp_path / "barrier-1")] + desired_tasks(datadog, cloudflare))

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
    assert reads == Counter(dict((service_path(name), RUNS) for name in NAMES))
    assert [(method, path) for method, path in writes(journal) if method != "POST"] == []
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,)] * RUNS
    assert_converged(sandbox)

    # Re-run, four at once again: ok everywhere, reads only.
    sandbox.clear_journal()
    reruns = run_together(runners, [barrier_task(tmp_path / "barrier-2")] + desired_tasks(datadog, cloudflare))
    for run in reruns:
        assert run.statuses()[1:] == [("datadog services", "ok"), ("cloudflare destinations", "ok")]
    assert writes(sandbox.journal()) == []
    assert_converged(sandbox)
    check_all_again(runners)


def test_one_play_over_four_hosts_without_run_once_converges(run_playbook, sandbox, datadog, cloudflare):
    sandbox.seed({"cloudflare": {"destinations": CONNECTED}})
    sandbox.settings(latency_ms=LATENCY_MS)
    hosts = ["host%d" % index for index in range(1, RUNS + 1)]
    plays = [
        {"name": "inventory", "hosts": "localhost", "tasks": [
            {"name": "add the hosts", "ansible.builtin.add_host": {
                "name": "{{ item }}", "groups": "fleet", "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable}, "loop": hosts}]},
        {"name": "converge", "hosts": "fleet", "tasks": desired_tasks(datadog, cloudflare)},
        {"name": "converge again", "hosts": "fleet", "tasks": desired_tasks(datadog, cloudflare, "rerun ")},
    ]
    run = run_playbook(plays, diff=True, verbosity=4)

    journal = sandbox.journal()
    rerun_started = run.window("rerun datadog services")[0]
    first = [e for e in journal if e["time"] < rerun_started]
    second = [e for e in journal if e["time"] >= rerun_started]
    records = dict((title, run.task_records(title)) for title in
                   ("datadog services", "cloudflare destinations", "rerun datadog services",
                    "rerun cloudflare destinations"))
    for title, task_records in records.items():
        assert sorted(r["host"] for r in task_records) == hosts, title
    assert all(r["status"] in ("ok", "changed") for r in records["datadog services"])
    assert all(r["status"] == "ok" for r in records["cloudflare destinations"])
    changes = batch_changes(r["result"]["results"] for r in records["datadog services"])
    assert changes == Counter(dict((name, 1) for name in NAMES)), changes
    statuses = posts(first)
    assert statuses[201] == len(NAMES) and set(statuses) <= {201, 400}, statuses
    assert statuses[400] >= 1, "the hosts did not overlap: no create lost a race (%s)" % statuses
    assert [e for e in first if e["method"] in ("PUT", "DELETE")] == []
    # The re-run: ok on every host, reads only.
    for title in ("rerun datadog services", "rerun cloudflare destinations"):
        assert [r["status"] for r in records[title]] == ["ok"] * RUNS, title
    assert writes(second) == []
    assert len([e for e in second if e["vendor"] == "datadog"]) == RUNS * len(NAMES)
    assert_converged(sandbox)


SHARED_TOKEN = "4c2a9e7b1d3f45a8b6c0e2d4f6a8b0c2"


def test_runs_linking_the_same_token_at_once_all_succeed(sandbox, cloudflare, secrets, tmp_path):
    sandbox.seed({"cloudflare": {"destinations": [], "tokens": {
        SHARED_TOKEN: {"authorized": CONNECTED, "used": False}}}})
    # Each link is answered after 3 s, so that every run has listed before the first link lands.
    sandbox.add_fault(method="GET", path="^%s/[^/]+$" % CONNECT_PATH, times=RUNS, delay_ms=3000)
    runners = runners_for(tmp_path, secrets, sandbox)
    runs = run_together(runners, [
        barrier_task(tmp_path / "barrier"),
        cloudflare.destination("link the shared token", services=["payments", "checkout"],
                               token_id="{{ shared_token }}"),
    ], extra_vars={"shared_token": SHARED_TOKEN}, secrets=[SHARED_TOKEN])

    links = [e for e in sandbox.journal() if e["path"].startswith(CONNECT_PATH + "/")]
    assert len(links) == RUNS and sorted(e["status"] for e in links) == [200] + [404] * (RUNS - 1)
    assert sorted(d["name"] for d in destinations(sandbox)) == ["checkout", "payments"]
    # One run linked; the others found the token used up, listed again, and saw everything connected.
    assert sorted(run.status("link the shared token") for run in runs) == ["changed"] + ["ok"] * (RUNS - 1)
    check_all_again(runners)
