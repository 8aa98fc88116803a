# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Jobs run as AWX runs them: ansible-runner on a private data directory laid out as AWX lays it.

- project/: the playbook, and collections/ansible_collections/oncall/pagerduty (this checkout), where
  AWX installs a project's collections;
- inventory/hosts: localhost with a local connection;
- env/envvars: what the attached credentials' injectors write (tests/awx/credential_types.py renders
  them from docs/awx/*.yml), plus ANSIBLE_COLLECTIONS_PATH as AWX sets it;
- env/extravars: the job's extra variables;
- env/cmdline: the job type: Check is `--check --diff`, Run is `-vvv` (verbosity 3, with diff).

The results are read from the job events ansible-runner writes under artifacts/<ident>/job_events,
the records AWX stores.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import sys

import ansible_runner
import yaml

from ansible_collections.oncall.pagerduty.tests.awx import credential_types

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JOB_TYPES = {"check": ["--check", "--diff"], "run": ["-vvv", "--diff"]}
# ansible-runner writes artifacts/<ident>/command with the whole process environment (credentials included),
# mode 0600, before the job starts; AWX does not keep it (it stores the job events, and the job's environment
# with secrets redacted). Every other file under artifacts/ is audited.
RUNNER_ENVIRONMENT_FILE = "command"


class Job:
    """One finished job: its status, rc, events and every artifact file's text."""

    def __init__(self, private_data_dir, runner):
        self.status = runner.status
        self.rc = runner.rc
        self.artifact_dir = runner.config.artifact_dir
        self.events = []
        for path in sorted(glob.glob(os.path.join(self.artifact_dir, "job_events", "*.json")),
                           key=lambda p: int(os.path.basename(p).split("-", 1)[0])):
            with open(path, encoding="utf-8") as handle:
                self.events.append(json.load(handle))
        self.stdout = runner.stdout.read()

    def task_events(self, kind):
        return [e for e in self.events if e.get("event") == kind]

    def results(self):
        """(task name, event kind, changed) of every task result on a host."""
        kinds = ("runner_on_ok", "runner_on_failed", "runner_on_unreachable", "runner_on_skipped")
        return [(e["event_data"].get("task"), e["event"], bool(e["event_data"].get("res", {}).get("changed")))
                for e in self.events if e.get("event") in kinds]

    def failures(self):
        return [(e["event_data"].get("task"), e["event_data"].get("res", {}).get("msg")) for e in self.events
                if e.get("event") in ("runner_on_failed", "runner_on_unreachable")
                and not e["event_data"].get("ignore_errors")]

    def artifact_texts(self):
        """{relative path: text} of every artifact file AWX could store (see RUNNER_ENVIRONMENT_FILE)."""
        texts = {}
        for root, dummy, files in os.walk(self.artifact_dir):
            for name in files:
                path = os.path.join(root, name)
                relative = os.path.relpath(path, self.artifact_dir)
                if relative == RUNNER_ENVIRONMENT_FILE:
                    continue
                with open(path, encoding="utf-8", errors="replace") as handle:
                    texts[relative] = handle.read()
        return texts


def credential_env(inputs_by_vendor):
    """The env/envvars the attached credentials inject: {vendor: inputs} -> {variable: value}."""
    env = {}
    for vendor, inputs in inputs_by_vendor.items():
        env.update(credential_types.render_injectors(credential_types.load(vendor), inputs)["env"])
    return env


def run_job(private_data_dir, playbook, job_type, credentials, extra_vars):
    """Lay out the private data directory and run the job with ansible-runner; returns a Job."""
    project = os.path.join(private_data_dir, "project")
    collection_link = os.path.join(project, "collections", "ansible_collections", "oncall", "pagerduty")
    if not os.path.exists(collection_link):
        os.makedirs(os.path.dirname(collection_link))
        os.symlink(COLLECTION_ROOT, collection_link)
    for directory in ("inventory", "env"):
        os.makedirs(os.path.join(private_data_dir, directory), exist_ok=True)
    with open(os.path.join(project, "site.yml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump(playbook, handle, sort_keys=False)
    with open(os.path.join(private_data_dir, "inventory", "hosts"), "w", encoding="utf-8") as handle:
        handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    # ansible-playbook of this Python's environment, as the execution environment's own is on its PATH.
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    envvars = dict(credential_env(credentials), ANSIBLE_COLLECTIONS_PATH=os.path.join(project, "collections"), PATH=path,
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False", ANSIBLE_NOCOLOR="1", ANSIBLE_LOCALHOST_WARNING="False")
    files = {"envvars": envvars, "extravars": extra_vars, "cmdline": " ".join(JOB_TYPES[job_type])}
    for name, content in files.items():
        with open(os.path.join(private_data_dir, "env", name), "w", encoding="utf-8") as handle:
            handle.write(content if isinstance(content, str) else json.dumps(content))
    runner = ansible_runner.run(private_data_dir=private_data_dir, playbook="site.yml", quiet=True,
                                suppress_env_files=True)
    return Job(private_data_dir, runner)
