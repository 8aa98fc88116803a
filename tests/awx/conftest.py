# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One sandbox process for the AWX-engine tests, reset for each test."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.tests.sandbox.client import SandboxClient
from ansible_collections.oncall.pagerduty.tests.sandbox.process import SandboxProcess


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory):
    with SandboxProcess(str(tmp_path_factory.mktemp("sandbox") / "sandbox.log")) as process:
        yield process


@pytest.fixture
def sandbox(sandbox_process):
    client = SandboxClient(sandbox_process.url)
    client.reset()
    offset = sandbox_process.log_size()
    yield client
    assert not sandbox_process.problems(offset), sandbox_process.log_text(offset)
