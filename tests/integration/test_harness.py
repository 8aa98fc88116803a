# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harness itself: its leak check fires, and secrets must be distinctive."""

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


def test_short_secrets_are_refused():
    with pytest.raises(ValueError, match="distinctive"):
        Secrets(["hunter2"])
