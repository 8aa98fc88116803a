# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Makes `ansible_collections.oncall.pagerduty` importable for pytest, from any checkout location."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def collections_dir():
    """A directory holding ansible_collections/oncall/pagerduty: the real one, or a link made under tests/output."""
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:-1] == ["ansible_collections", "oncall"] and parts[-1] == "pagerduty":
        return os.sep.join(parts[:-3])
    base = os.path.join(REPO_ROOT, "tests", "output", "collections")
    link = os.path.join(base, "ansible_collections", "oncall", "pagerduty")
    if not os.path.exists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        try:
            os.symlink(os.path.relpath(REPO_ROOT, os.path.dirname(link)), link)
        except FileExistsError:  # another pytest worker made it first
            pass
    return base


COLLECTIONS_DIR = collections_dir()
if COLLECTIONS_DIR not in sys.path:
    sys.path.insert(0, COLLECTIONS_DIR)
