# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Molecule cannot import tests/sandbox/facts.py: its vars file repeats the facts it needs, and must say the same."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.oncall.pagerduty.tests.sandbox import facts, process

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MOLECULE_VARS = os.path.join(REPO, "extensions", "molecule", "utils", "vars", "sandbox.yml")
PROJECT_DIR = "{{ lookup('ansible.builtin.env', 'MOLECULE_PROJECT_DIRECTORY') }}/"

# The molecule variables that hold a fact of the sandbox, and that fact.
MOLECULE_FACTS = {
    "sandbox_datadog_api_key": facts.DATADOG_API_KEY,
    "sandbox_datadog_app_key": facts.DATADOG_APP_KEY,
    "sandbox_cloudflare_api_token": facts.CLOUDFLARE_API_TOKEN,
    "sandbox_cloudflare_account_id": facts.CLOUDFLARE_ACCOUNT_ID,
    "sandbox_datadog_api_url": "{{ sandbox.url }}",
    "sandbox_cloudflare_api_url": "{{ sandbox.url }}" + facts.CLOUDFLARE_PREFIX,
}


@pytest.fixture(scope="module")
def molecule_vars():
    with open(MOLECULE_VARS, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.mark.parametrize("name", sorted(MOLECULE_FACTS))
def test_molecule_vars_say_what_the_sandbox_facts_say(molecule_vars, name):
    assert molecule_vars[name] == MOLECULE_FACTS[name]


def test_every_credential_of_the_molecule_vars_is_checked(molecule_vars):
    """A credential added to the vars file must be added to MOLECULE_FACTS."""
    credentials = set(name for name in molecule_vars if any(word in name for word in ("key", "token", "account", "email")))
    assert credentials <= set(MOLECULE_FACTS)


def test_molecule_starts_the_sandbox_with_process_py(molecule_vars):
    script = molecule_vars["sandbox_process_script"]
    assert script.startswith(PROJECT_DIR)
    assert os.path.realpath(os.path.join(REPO, script[len(PROJECT_DIR):])) == os.path.realpath(process.__file__)
