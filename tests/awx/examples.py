# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every YAML example of the README, docs/ and the role README, as a playbook that can run.

An example is a ```yaml block of a Markdown file. A list of plays runs as it is; a list of tasks
runs in a play on localhost; anything else (a credential type, an execution environment) is data.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os
import re

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENTS = ["README.md"] + sorted(os.path.relpath(p, REPO) for p in glob.glob(os.path.join(REPO, "docs", "*.md"))) + [
    "roles/pagerduty_integrations/README.md"]
BLOCK_RE = re.compile(r"^( *)```yaml\n(.*?)^\1```", re.M | re.S)


class Example:
    def __init__(self, document, line, text):
        self.document = document
        self.line = line
        self.text = text
        self.data = yaml.safe_load(text)
        self.id = "%s: %s" % (document, self.title())

    def title(self):
        """The name of the first play or task, or the first key of data: stable when the text around moves."""
        first = self.data[0] if isinstance(self.data, list) and self.data else self.data
        if isinstance(first, dict):
            return str(first.get("name") or next(iter(first), ""))
        return "line %d" % self.line

    @property
    def kind(self):
        """play | tasks | data"""
        if isinstance(self.data, list) and self.data and all(isinstance(i, dict) for i in self.data):
            if all("hosts" in item for item in self.data):
                return "play"
            if all("name" in item for item in self.data):
                return "tasks"
        return "data"

    def playbook(self):
        """The example as a list of plays."""
        if self.kind == "play":
            return self.data
        return [{"name": "Example from %s" % self.id, "hosts": "localhost", "gather_facts": False, "tasks": self.data}]


def examples():
    found = []
    for document in DOCUMENTS:
        with open(os.path.join(REPO, document), encoding="utf-8") as handle:
            text = handle.read()
        for match in BLOCK_RE.finditer(text):
            indent = len(match.group(1))
            body = "".join(line[indent:] + "\n" for line in match.group(2).splitlines())
            found.append(Example(document, text.count("\n", 0, match.start()) + 1, body))
    return found
