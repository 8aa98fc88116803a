# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harness itself: its leak check fires, on the output and on the files a run leaves, and
secrets must be distinctive."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from integration_harness import SecretLeak, Secrets


def test_a_printed_secret_fails_the_run(run_playbook):
    secret = "pdkey-leak-canary-0123456789abcdef"
    with pytest.raises(SecretLeak) as caught:
        run_playbook([{"name": "print it", "ansible.builtin.debug": {"msg": "the key is {{ leaked }}"}}],
                     extra_vars={"leaked": secret}, secrets=[secret])
    # The report locates the leak without repeating the secret.
    assert "in stdout" in str(caught.value) and "in recorded results" in str(caught.value)
    assert secret not in str(caught.value)


def test_a_secret_in_a_file_left_behind_fails_the_run(run_playbook):
    secret = "pdkey-left-canary-fedcba9876543210"
    with pytest.raises(SecretLeak) as caught:
        run_playbook([{"name": "write it", "ansible.builtin.copy": {
            "content": "{{ leaked }}", "dest": "{{ lookup('ansible.builtin.env', 'TMPDIR') }}/left.txt"}}],
            extra_vars={"leaked": secret}, secrets=[secret])
    assert "in tmp/left.txt" in str(caught.value)
    assert secret not in str(caught.value)
    assert run_playbook.leftovers() == ["tmp/left.txt"]


def test_short_secrets_are_refused():
    with pytest.raises(ValueError, match="distinctive"):
        Secrets(["hunter2"])
