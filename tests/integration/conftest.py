# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the integration tests: one sandbox per pytest process (xdist worker), reset for
every test, run_playbook, which runs ansible-playbook and checks every run for leaked secrets, and
the task builders pointed at the sandbox."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.sandbox.client import SandboxClient
from ansible_collections.oncall.pagerduty.tests.sandbox.process import SandboxProcess

from integration_harness import SANDBOX_SECRETS, PlaybookRunner, SandboxTasks, Secrets
from cloudflare_tasks import CloudflareTasks
from datadog_tasks import DatadogTasks


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory):
    """The sandbox server of this pytest process, started once and stopped at the end."""
    log_dir = tmp_path_factory.mktemp("sandbox")
    process = SandboxProcess(str(log_dir / "sandbox.log")).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def sandbox(sandbox_process):
    """The control API of a freshly reset sandbox. Fails the test if the sandbox logged an error."""
    if not sandbox_process.running():
        pytest.fail("the sandbox exited with %s; its log:\n%s" % (sandbox_process.returncode, sandbox_process.log_text()))
    client = SandboxClient(sandbox_process.url)
    client.reset()
    log_offset = sandbox_process.log_size()
    yield client
    problems = sandbox_process.problems(log_offset)
    assert not problems, "the sandbox logged errors during this test:\n%s" % "\n\n".join(problems)


@pytest.fixture
def secrets():
    """The secret values of this test; add more with secrets.add(value)."""
    return Secrets(SANDBOX_SECRETS)


@pytest.fixture
def run_playbook(tmp_path, sandbox, secrets):
    """run_playbook(tasks | play | plays | yaml_text, check=False, diff=False, verbosity=0, env=None,
    extra_vars=None, expect_rc=0, secrets=()) -> PlaybookRun (rc, stdout, stderr, records, result(task),
    failure(task), requests(task, journal)); run_playbook.runs, .check_again(more_secrets), .leftovers()."""
    return PlaybookRunner(tmp_path, secrets, sandbox=sandbox)


@pytest.fixture
def datadog(sandbox):
    """Datadog task builders pointed at the sandbox."""
    return DatadogTasks(sandbox.datadog_url)


@pytest.fixture
def cloudflare(sandbox):
    """Cloudflare task builders pointed at the sandbox."""
    return CloudflareTasks(sandbox.cloudflare_url)


@pytest.fixture
def sandbox_tasks(sandbox):
    """Tasks that call the sandbox's control API from inside a playbook, between two of its tasks."""
    return SandboxTasks(sandbox.url)
