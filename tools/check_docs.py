# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make docs`, first half: ansible-doc renders every module and every role of the collection.

ansible-doc exits 0 even for a plugin it cannot find (it only prints a warning), so each page is
checked for what it must hold, and any warning or error ansible-doc prints fails the check:

- `ansible-doc -t module -l NS.NAME` lists exactly the modules in plugins/modules/;
- `ansible-doc -t module --json` gives each module its DOCUMENTATION, EXAMPLES and RETURN;
- `ansible-doc NS.NAME.MODULE` renders each module (text) with its options, examples and return
  values, from this checkout (the path it names is under the collection root);
- `ansible-doc -t role NS.NAME.ROLE` renders each role's entry points with every option of its
  meta/argument_specs.yml.

The collection must be visible to Ansible (make exports ANSIBLE_COLLECTIONS_PATH, where
.venv/collections links to this checkout); --collections-path checks an installed copy instead
(tools/check_build.py does, on the built tarball installed into an empty directory).

Usage: check_docs.py [--root DIR] [--collections-path DIR] [--ansible-doc PATH]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOISE = re.compile(r"^\s*\[(WARNING|ERROR)\]|^ERROR!", re.MULTILINE)
# ansible-core 2.21's `ansible-doc -t role` looks at every collection, its own internal ansible._protomatter too,
# and warns that this one has no MANIFEST.json (ansible/ansible#85689): nothing to do with the collection checked.
# Only this exact warning is dropped; any other fails.
KNOWN_CORE_NOISE = re.compile(
    r"^\[WARNING\]: Collection at '[^'\n]*/ansible/_internal/ansible_collections/ansible/_protomatter' does not "
    r"have a MANIFEST\.json file, nor has it galaxy\.yml: cannot detect version\.\n?", re.MULTILINE)
MODULE_SECTIONS = ("OPTIONS", "EXAMPLES:", "RETURN VALUES:")


class Failures(list):
    def add(self, what, why):
        self.append("%s: %s" % (what, why))


def collection_name(root):
    """NS.NAME from galaxy.yml (a source tree) or MANIFEST.json (an installed collection)."""
    if os.path.isfile(os.path.join(root, "galaxy.yml")):
        with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
            info = yaml.safe_load(handle)
    else:
        with open(os.path.join(root, "MANIFEST.json"), encoding="utf-8") as handle:
            info = json.load(handle)["collection_info"]
    return "%s.%s" % (info["namespace"], info["name"])


def module_names(root):
    folder = os.path.join(root, "plugins", "modules")
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".py") and not name.startswith("_"))


def role_specs(root):
    """{role: {entry point: [option names]}} from each role's meta/argument_specs.yml."""
    roles = {}
    folder = os.path.join(root, "roles")
    for role in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        spec_file = os.path.join(folder, role, "meta", "argument_specs.yml")
        if not os.path.isfile(spec_file):
            roles[role] = None
            continue
        with open(spec_file, encoding="utf-8") as handle:
            specs = yaml.safe_load(handle)["argument_specs"]
        roles[role] = {entry: sorted((spec or {}).get("options") or {}) for entry, spec in specs.items()}
    return roles


def run(ansible_doc, args, env):
    started = time.monotonic()
    completed = subprocess.run([ansible_doc] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True, check=False)
    return completed, time.monotonic() - started


def check_output(failures, what, completed):
    """rc 0, something on stdout, and no warning or error anywhere."""
    if completed.returncode != 0:
        failures.add(what, "exit status %d: %s" % (completed.returncode, completed.stderr.strip()[-2000:]))
        return False
    stderr = KNOWN_CORE_NOISE.sub("", completed.stderr)
    noise = NOISE.findall(stderr) or NOISE.findall(completed.stdout)
    if noise:
        failures.add(what, "ansible-doc printed warnings or errors:\n%s" % (stderr.strip() or completed.stdout.strip()))
        return False
    if not completed.stdout.strip():
        failures.add(what, "empty output")
        return False
    return True


def shown_path(text):
    match = re.search(r"^> \S+:? \**([\w.]+)\**\s+\(([^)]+)\)", text, re.MULTILINE)
    return match.group(2) if match else None


def under(path, folder):
    real = os.path.realpath(path)
    base = os.path.realpath(folder)
    return real == base or real.startswith(base + os.sep)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--root", default=REPO, help="the collection's source tree (its galaxy.yml, plugins/, roles/)")
    parser.add_argument("--collections-path", help="check the copy installed here instead (sets ANSIBLE_COLLECTIONS_PATH)")
    parser.add_argument("--ansible-doc", default="ansible-doc")
    args = parser.parse_args(argv)

    fqcn = collection_name(args.root)
    modules = module_names(args.root)
    roles = role_specs(args.root)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", PAGER="cat")
    env.pop("ANSIBLE_COLLECTIONS_PATHS", None)
    if args.collections_path:
        env["ANSIBLE_COLLECTIONS_PATH"] = os.path.abspath(args.collections_path)
        env["ANSIBLE_COLLECTIONS_SCAN_SYS_PATH"] = "False"
        expected_home = os.path.join(os.path.abspath(args.collections_path), "ansible_collections", *fqcn.split("."))
    else:
        expected_home = args.root

    failures = Failures()
    started = time.monotonic()
    calls = {"list": ["-t", "module", "-l", fqcn, "--json"],
             "json": ["-t", "module", "--json"] + ["%s.%s" % (fqcn, m) for m in modules]}
    calls.update(("module " + m, ["-t", "module", "%s.%s" % (fqcn, m)]) for m in modules)
    calls.update(("role " + r, ["-t", "role", "%s.%s" % (fqcn, r)]) for r in roles)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(run, args.ansible_doc, call, env) for name, call in calls.items()}
        results = {name: future.result() for name, future in futures.items()}

    listed, seconds = results["list"]
    if check_output(failures, "ansible-doc -t module -l " + fqcn, listed):
        names = sorted(json.loads(listed.stdout))
        wanted = ["%s.%s" % (fqcn, m) for m in modules]
        if names != wanted:
            failures.add("ansible-doc -t module -l " + fqcn, "lists %s, plugins/modules/ holds %s" % (names, wanted))

    documented, seconds = results["json"]
    if check_output(failures, "ansible-doc -t module --json", documented):
        docs = json.loads(documented.stdout)
        for module in modules:
            name = "%s.%s" % (fqcn, module)
            doc = docs.get(name) or {}
            for part in ("doc", "examples", "return"):
                if not doc.get(part):
                    failures.add(name, "no %s in ansible-doc --json" % part.upper())
            if doc.get("doc") and not doc["doc"].get("short_description"):
                failures.add(name, "no short_description")

    for module in modules:
        name = "%s.%s" % (fqcn, module)
        page, seconds = results["module " + module]
        if not check_output(failures, "ansible-doc " + name, page):
            continue
        if not page.stdout.startswith("> MODULE %s " % name):
            failures.add("ansible-doc " + name, "does not start with '> MODULE %s': %r" % (name, page.stdout[:200]))
        for section in MODULE_SECTIONS:
            if not re.search(r"^%s" % re.escape(section), page.stdout, re.MULTILINE):
                failures.add("ansible-doc " + name, "no %s section" % section.rstrip(":"))
        path = shown_path(page.stdout)
        if path is None or not under(path, expected_home):
            failures.add("ansible-doc " + name, "rendered from %s, not from %s" % (path, expected_home))
        print("ok   ansible-doc %s: %d lines (%.1f s)" % (name, page.stdout.count("\n"), seconds))

    for role, entries in roles.items():
        name = "%s.%s" % (fqcn, role)
        page, seconds = results["role " + role]
        if entries is None:
            failures.add(name, "the role has no meta/argument_specs.yml: ansible-doc cannot document it")
            continue
        if not check_output(failures, "ansible-doc -t role " + name, page):
            continue
        text = page.stdout
        if not re.match(r"> ROLE: \**%s\**" % re.escape(name), text):
            failures.add("ansible-doc -t role " + name, "does not start with '> ROLE: %s': %r" % (name, text[:200]))
        path = shown_path(text)
        if path is None or not under(path, expected_home):
            failures.add("ansible-doc -t role " + name, "rendered from %s, not from %s" % (path, expected_home))
        for entry, options in entries.items():
            if not re.search(r"^ENTRY POINT: \**%s\**" % re.escape(entry), text, re.MULTILINE):
                failures.add("ansible-doc -t role " + name, "entry point %s is not shown" % entry)
            missing = [option for option in options if not re.search(r"^[\s=*-]*%s\b" % re.escape(option), text, re.MULTILINE)]
            if missing:
                failures.add("ansible-doc -t role " + name, "options of %s not shown: %s" % (entry, ", ".join(missing)))
        print("ok   ansible-doc -t role %s: %d lines, %d entry point(s) (%.1f s)" % (
            name, text.count("\n"), len(entries), seconds))

    for failure in failures:
        print("FAIL " + failure)
    print("%s: %d module(s) and %d role(s) checked with ansible-doc in %.1f s, %d failure(s)" % (
        fqcn, len(modules), len(roles), time.monotonic() - started, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
