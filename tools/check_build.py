# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make build`, second half: check the collection tarball that `ansible-galaxy collection build` made.

1. Contents. The tarball holds README.md, LICENSE, MANIFEST.json, FILES.json, meta/runtime.yml,
   the files meta/execution-environment.yml names, changelogs/changelog.yaml, plugins/, roles/,
   docs/ and playbooks/; nothing generated or for development only (.venv, .build, .ci, tools,
   Makefile, .git, tests/output, __pycache__, *.pyc, caches, coverage, benchmarks, tarballs);
   exactly the source files git knows (tracked, or untracked and not ignored) minus galaxy.yml's
   build_ignore; and FILES.json and MANIFEST.json agree with it and with galaxy.yml.
2. galaxy-importer (`python -m galaxy_importer.main TARBALL`, with GALAXY_IMPORTER_CONFIG set to
   tools/galaxy-importer.cfg: no ansible-test, no container engine). It exits 0 on lint warnings
   and even on some documentation errors, so its output is read: any ERROR or WARNING line fails
   the check. Its result must list every module (with documentation) and every role.
3. `ansible-builder create` on a minimal execution-environment definition that installs the
   collection from the tarball (no container engine: it only writes the build context).
4. The tarball installed with `ansible-galaxy collection install --force -p EMPTY_DIR`; then
   tools/check_docs.py renders every module and role with ansible-doc from that copy only, and
   `ansible-builder introspect` on it finds the Python and system requirements that
   meta/execution-environment.yml points to (requirements.txt, bindep.txt).

Usage: check_build.py --dist DIR --work DIR [--skip-importer]
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

import yaml

import release as release_tool

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))

# What ansible-galaxy always leaves out, besides build_ignore (ansible.galaxy.collection): these
# patterns on the path, and directories of these names at any depth.
GALAXY_DEFAULT_IGNORES = ("MANIFEST.json", "FILES.json", "galaxy.yml", "galaxy.yaml", ".git", "*.pyc", "*.retry", "tests/output")
GALAXY_IGNORED_DIRS = {"CVS", ".bzr", ".hg", ".git", ".svn", "__pycache__", ".tox"}
# Never in a release, whatever build_ignore says: (path component, or pattern on the whole path).
FORBIDDEN_COMPONENTS = {".venv", ".build", ".ci", ".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache",
                        ".tox", ".cache", ".benchmarks", ".bench", "htmlcov", ".github", ".idea", ".vscode", ".ansible"}
FORBIDDEN_PATTERNS = ("tools", "tools/*", "Makefile", "tests/output", "tests/output/*", "galaxy.yml", "requirements-dev.txt", "requirements-test.txt",
                      "*.pyc", "*.pyo", "*.tar.gz", ".coverage", ".coverage.*", "coverage.xml", "*.retry", "*.swp", "*~",
                      "changelogs/.plugin-cache.yaml", "importer_result.json", ".gitignore", ".ansible-lint", "pytest.ini")
GENERATED = ("MANIFEST.json", "FILES.json")
REQUIRED = ("README.md", "LICENSE", "MANIFEST.json", "FILES.json", "meta/runtime.yml", "changelogs/changelog.yaml")
REQUIRED_DIRS = ("plugins/modules", "roles", "docs", "playbooks")


def say(text):
    print(text, flush=True)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def git_files(root):
    """Files git knows (tracked, or untracked and not ignored) that exist; None outside git."""
    try:
        out = subprocess.check_output(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                      stderr=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError):
        return None
    names = (n for n in out.decode("utf-8", "surrogateescape").split("\0") if n)
    return {n for n in names if os.path.isfile(os.path.join(root, n)) and not os.path.islink(os.path.join(root, n))}


def ignored(path, patterns):
    """ansible-galaxy's rule: a file is left out when it, or a directory above it, matches a pattern."""
    parts = path.split("/")
    if GALAXY_IGNORED_DIRS.intersection(parts[:-1]):
        return True
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes for pattern in patterns)


def forbidden(path):
    parts = path.split("/")
    if FORBIDDEN_COMPONENTS.intersection(parts):
        return True
    return any(fnmatch.fnmatch(path, pattern) for pattern in FORBIDDEN_PATTERNS)


def check_contents(tarball, galaxy, failures):
    with tarfile.open(tarball, "r:gz") as archive:
        members = archive.getmembers()
        files = {}
        for member in members:
            name = member.name[2:] if member.name.startswith("./") else member.name
            if member.isfile():
                files[name] = archive.extractfile(member).read()
            elif not member.isdir():
                failures.append("contents: %s is neither a file nor a directory (%s)" % (name, member.type))
        dirs = {m.name.rstrip("/") for m in members if m.isdir()}

    names = sorted(files)
    for name in names + sorted(dirs):
        if forbidden(name):
            failures.append("contents: %s must not be in a release" % name)
    for name in REQUIRED:
        if name not in files:
            failures.append("contents: %s is missing" % name)
    for folder in REQUIRED_DIRS:
        if not any(n.startswith(folder + "/") for n in names):
            failures.append("contents: nothing under %s/" % folder)

    # The files the execution-environment metadata names, and every module and role of the checkout.
    ee_meta = yaml.safe_load(files.get("meta/execution-environment.yml", b"{}")) or {}
    for kind, path in sorted((ee_meta.get("dependencies") or {}).items()):
        if isinstance(path, str) and path not in files:
            failures.append("contents: meta/execution-environment.yml names %s (%s) but it is not in the tarball" % (path, kind))
    for module in sorted(os.listdir(os.path.join(REPO, "plugins", "modules"))):
        if module.endswith(".py") and "plugins/modules/" + module not in files:
            failures.append("contents: plugins/modules/%s is missing" % module)

    # Exactly git's source files minus build_ignore.
    known = git_files(REPO)
    if known is None:
        say("note: not a git checkout: the tarball is not compared with git's file list")
    else:
        patterns = list(GALAXY_DEFAULT_IGNORES) + list(galaxy.get("build_ignore") or [])
        patterns.append("%s-%s-*.tar.gz" % (galaxy["namespace"], galaxy["name"]))
        expected = {n for n in known if not ignored(n, patterns)}
        shipped = set(names) - set(GENERATED)
        for name in sorted(shipped - expected):
            failures.append("contents: %s is not a source file git knows (generated? stray?)" % name)
        for name in sorted(expected - shipped):
            failures.append("contents: %s is a source file, not in build_ignore, but missing from the tarball" % name)

    # MANIFEST.json and FILES.json agree with galaxy.yml and with the tarball.
    try:
        manifest = json.loads(files["MANIFEST.json"])
        file_list = json.loads(files["FILES.json"])
    except (KeyError, ValueError) as error:
        failures.append("contents: MANIFEST.json or FILES.json unreadable: %s" % error)
        return names
    info = manifest.get("collection_info") or {}
    for key in ("namespace", "name", "version"):
        if str(info.get(key)) != str(galaxy[key]):
            failures.append("MANIFEST.json: %s is %r, galaxy.yml says %r" % (key, info.get(key), galaxy[key]))
    fileinfo = manifest.get("file_manifest_file") or {}
    if fileinfo.get("chksum_sha256") != sha256(files["FILES.json"]):
        failures.append("MANIFEST.json: the checksum of FILES.json does not match")
    listed = {}
    for entry in file_list.get("files") or []:
        if entry["name"] != ".":
            listed[entry["name"]] = entry
    for name, entry in sorted(listed.items()):
        if entry["ftype"] == "file":
            if name not in files:
                failures.append("FILES.json: lists %s, which is not in the tarball" % name)
            elif entry.get("chksum_sha256") != sha256(files[name]):
                failures.append("FILES.json: wrong checksum for %s" % name)
        elif entry["ftype"] == "dir" and name not in dirs:
            failures.append("FILES.json: lists directory %s, which is not in the tarball" % name)
    for name in sorted(set(names) - set(listed) - set(GENERATED)):
        failures.append("FILES.json: does not list %s" % name)
    return names


def summary(names):
    top = {}
    for name in names:
        key = name.split("/", 1)[0] + ("/" if "/" in name else "")
        top[key] = top.get(key, 0) + 1
    return ", ".join("%s %d" % (key, count) if key.endswith("/") else key for key, count in sorted(top.items()))


def run(args, **kwargs):
    started = time.monotonic()
    completed = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                               check=False, **kwargs)
    return completed, time.monotonic() - started


def check_importer(tarball, work, env, failures):
    folder = os.path.join(work, "importer")
    os.makedirs(folder)
    env = dict(env, GALAXY_IMPORTER_CONFIG=os.path.join(HERE, "galaxy-importer.cfg"))
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)
    completed, seconds = run([sys.executable, "-m", "galaxy_importer.main", tarball], cwd=folder, env=env)
    lines = completed.stdout.splitlines()
    errors = [line for line in lines if re.match(r"\s*(ERROR|CRITICAL)\b", line)]
    warnings = [line for line in lines if re.match(r"\s*WARNING\b", line)]
    if completed.returncode != 0 or errors or warnings or not any("Importer processing completed successfully" in l for l in lines):
        failures.append("galaxy-importer: exit status %d, %d error(s), %d warning(s):\n%s" % (
            completed.returncode, len(errors), len(warnings), completed.stdout.strip()))
    else:
        say("ok   galaxy-importer: no error, no warning (%.1f s)" % seconds)
    for line in errors + warnings:
        say("     " + line)
    result_file = os.path.join(folder, "importer_result.json")
    if os.path.isfile(result_file):
        with open(result_file, encoding="utf-8") as handle:
            result = json.load(handle)
        contents = {(c["content_type"], c["name"]) for c in result.get("contents") or []}
        documented = {(c["content_type"], c["content_name"]) for c in (result.get("docs_blob") or {}).get("contents") or []
                      if c.get("doc_strings")}
        for module in sorted(os.listdir(os.path.join(REPO, "plugins", "modules"))):
            if module.endswith(".py") and not module.startswith("_"):
                if ("module", module[:-3]) not in contents:
                    failures.append("galaxy-importer: module %s is not in its result" % module[:-3])
                elif ("module", module[:-3]) not in documented:
                    failures.append("galaxy-importer: module %s has no documentation in its result" % module[:-3])
        for role in sorted(os.listdir(os.path.join(REPO, "roles"))):
            if ("role", role) not in contents:
                failures.append("galaxy-importer: role %s is not in its result" % role)
        say("     galaxy-importer found: %s" % ", ".join("%s %s" % pair for pair in sorted(contents)))


def check_ee(tarball, work, env, failures):
    folder = os.path.join(work, "ee")
    os.makedirs(folder)
    shutil.copy2(tarball, folder)
    name = os.path.basename(tarball)
    definition = {
        "version": 3,
        # Never pulled: `create` only writes the build context (a Containerfile and _build/).
        "images": {"base_image": {"name": "ghcr.io/ansible-community/community-ee-minimal:latest"}},
        "dependencies": {"galaxy": {"collections": [{"name": "/build/collections/" + name, "type": "file"}]}},
        "additional_build_files": [{"src": name, "dest": "collections"}],
    }
    with open(os.path.join(folder, "execution-environment.yml"), "w", encoding="utf-8") as handle:
        handle.write("---\n" + yaml.safe_dump(definition, sort_keys=False))
    context = os.path.join(folder, "context")
    completed, seconds = run(["ansible-builder", "create", "--file", "execution-environment.yml", "--context", context,
                              "--output-filename", "Containerfile"], cwd=folder, env=env)
    copied = os.path.join(context, "_build", "collections", name)
    requirements = os.path.join(context, "_build", "requirements.yml")
    problems = []
    if completed.returncode != 0:
        problems.append("exit status %d" % completed.returncode)
    if not os.path.isfile(os.path.join(context, "Containerfile")):
        problems.append("no Containerfile")
    if not os.path.isfile(copied) or sha256(open(copied, "rb").read()) != sha256(open(tarball, "rb").read()):
        problems.append("the tarball is not in the context")
    if not os.path.isfile(requirements) or name not in open(requirements, encoding="utf-8").read():
        problems.append("_build/requirements.yml does not install the tarball")
    if problems:
        failures.append("ansible-builder create: %s\n%s" % ("; ".join(problems), completed.stdout.strip()))
    else:
        say("ok   ansible-builder create: build context in %s (%.1f s)" % (os.path.relpath(context, REPO), seconds))


def requirement_lines(path):
    with open(path, encoding="utf-8") as handle:
        lines = (line.split("#", 1)[0].strip() for line in handle)
        return sorted(line for line in lines if line)


def check_install(tarball, work, env, galaxy, failures):
    target = os.path.join(work, "installed")
    os.makedirs(target)
    env = dict(env, ANSIBLE_COLLECTIONS_PATH=target, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False")
    completed, seconds = run(["ansible-galaxy", "collection", "install", "--force", "--offline", "-p", target, tarball], env=env)
    installed = os.path.join(target, "ansible_collections", galaxy["namespace"], galaxy["name"])
    if completed.returncode != 0 or not os.path.isfile(os.path.join(installed, "MANIFEST.json")):
        failures.append("ansible-galaxy collection install: exit status %d\n%s" % (completed.returncode, completed.stdout.strip()))
        return
    say("ok   ansible-galaxy collection install --force -p %s (%.1f s)" % (os.path.relpath(target, REPO), seconds))

    completed, seconds = run([sys.executable, os.path.join(HERE, "check_docs.py"), "--root", installed,
                              "--collections-path", target], env=env)
    say("\n".join("     " + line for line in completed.stdout.strip().splitlines()))
    if completed.returncode != 0:
        failures.append("ansible-doc from the installed collection failed (see above)")

    pip_out, bindep_out = os.path.join(work, "introspect-requirements.txt"), os.path.join(work, "introspect-bindep.txt")
    completed, seconds = run(["ansible-builder", "introspect", "--write-pip", pip_out, "--write-bindep", bindep_out, target],
                             env=env)
    if completed.returncode != 0 or not os.path.isfile(pip_out) or not os.path.isfile(bindep_out):
        failures.append("ansible-builder introspect: exit status %d\n%s" % (completed.returncode, completed.stdout.strip()))
        return
    ee_meta = yaml.safe_load(open(os.path.join(installed, "meta", "execution-environment.yml"), encoding="utf-8"))
    deps = ee_meta.get("dependencies") or {}
    for kind, found_file in (("python", pip_out), ("system", bindep_out)):
        wanted = requirement_lines(os.path.join(installed, deps[kind])) if kind in deps else []
        found = requirement_lines(found_file)
        if found != wanted:
            failures.append("ansible-builder introspect: %s requirements %s, %s lists %s" % (kind, found, deps.get(kind), wanted))
    say("ok   ansible-builder introspect: python %s, system %s (%.1f s)" % (
        requirement_lines(pip_out), requirement_lines(bindep_out), seconds))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--dist", required=True, help="where `ansible-galaxy collection build` wrote the tarball")
    parser.add_argument("--work", required=True, help="scratch directory (emptied first)")
    parser.add_argument("--skip-importer", action="store_true", help="leave out galaxy-importer (the slowest step)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    galaxy = release_tool.galaxy_info(REPO)
    tarball = os.path.abspath(os.path.join(args.dist, "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"])))
    if not os.path.isfile(tarball):
        raise SystemExit("no %s: run ansible-galaxy collection build first (make build)" % tarball)
    work = os.path.abspath(args.work)
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", NO_COLOR="1")

    failures = []
    names = check_contents(tarball, galaxy, failures)
    if not failures:
        say("ok   contents of %s: %d files (%s)" % (os.path.relpath(tarball, REPO), len(names), summary(names)))
    if not args.skip_importer:
        check_importer(tarball, work, env, failures)
    check_ee(tarball, work, env, failures)
    check_install(tarball, work, env, galaxy, failures)

    for failure in failures:
        say("FAIL " + failure)
    say("%s: %d failure(s) in %.1f s" % (os.path.basename(tarball), len(failures), time.monotonic() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
