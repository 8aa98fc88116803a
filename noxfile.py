# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The support matrix (make matrix): the unit tests and the playbook-level slice of the integration tests on
every ansible-core line the collection claims, each on a controller Python it supports, and the slice again with
a target Python 3.9 that has only requests (ONCALL_TARGET_PYTHON). The full suite runs on the main line (make test).

nox keeps each line's virtualenv (make runs it with --reuse-existing-virtualenvs): warm runs install nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import nox

# ansible-core line -> the controller Python its sessions run on (one the line supports). The main line, 2.21 on
# Python 3.13, runs the full suite in make test, the slice included.
LINES = {"2.16": "3.11", "2.17": "3.11", "2.18": "3.12", "2.19": "3.11", "2.20": "3.12"}
SLICE = "tests/integration/test_support_slice.py"

nox.options.error_on_missing_interpreters = True


@nox.session(name="core")
@nox.parametrize("python,line", [(python, line) for line, python in LINES.items()], ids=list(LINES))
def core(session, line):
    session.install("ansible-core~=%s.0" % line, "-r", "requirements-test.txt", "-r", "requirements.txt")
    session.run("ansible", "--version", silent=False)
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "tests/unit",
                "--ignore=tests/unit/tools")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", SLICE)
    target = os.environ.get("ONCALL_TARGET_PYTHON")
    if target:
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", SLICE,
                    env={"ONCALL_TARGET_PYTHON": target})
