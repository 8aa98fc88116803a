# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make changelog`, second half: generate the next release's changelog in a staging copy.

The repository is never modified. The collection's galaxy.yml, changelogs/, plugins/, roles/,
meta/ and CHANGELOG.md are copied into TMP/ansible_collections/NS/NAME, a temporary directory
outside any git work tree (with `vcs: auto`, antsibull-changelog would otherwise list the copy's
files with git and find none). There:

- once a release exists, CHANGELOG.md is what `antsibull-changelog generate` makes of
  changelogs/changelog.yaml (it is generated, never edited by hand), and galaxy.yml's version is
  released or newer than the latest release;
- when there is something unreleased (fragments, or a plugin no release announces), the next
  release is made as `make release` would make it: of --version, or else of the version the
  checkout plans (tools/release.py planned_version: galaxy.yml's version while unreleased, else
  the semantic-versioning bump after the latest release that the fragments call for, raised to
  the newest version_added of a plugin not yet announced). A release_summary fragment is added
  as a release manager would, unless one exists. Then:
  - `antsibull-changelog release --is-collection --version V` prints no warning;
  - every fragment was consumed (config: keep_fragments false);
  - changelogs/changelog.yaml passes `antsibull-changelog lint-changelog-yaml --strict`, and
    `antsibull-changelog lint` passes;
  - the release holds changes;
- every module in plugins/modules/ and every role in roles/ is announced as new in this release
  or an earlier one (modules are found by antsibull-changelog itself, from their version_added;
  a role needs a fragment with an `add object.role` section);
- CHANGELOG.md names the release as a heading (antsibull-changelog's Markdown output,
  changelogs/config.yaml).

Usage: check_changelog.py [--keep] [--version X.Y.Z]   (--keep: leave the copy and print where it is)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time


# tools/release.py (this script's directory is first on sys.path): versions, fragments, plugins.
import release as release_tool

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COPIED = ("galaxy.yml", "changelogs", "plugins", "roles", "meta", "CHANGELOG.md")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".plugin-cache.yaml")


def run(failures, args, cwd, what, quiet_ok=False):
    """Run a command in the staging copy; a failure, or a WARNING or ERROR line, is a failure."""
    # antsibull-changelog finds the plugins with ansible-doc on a collections path of its own that
    # holds the staging copy; a collections path from the environment (make's, which holds the
    # checkout) confuses it into finding none.
    env = {key: value for key, value in os.environ.items() if key not in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS")}
    completed = subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True, check=False)
    output = completed.stdout.strip()
    warnings = [line for line in output.splitlines() if line.lstrip().upper().startswith(("WARNING", "ERROR"))]
    if completed.returncode != 0 or warnings:
        failures.append("%s: exit status %d\n%s" % (what, completed.returncode, output))
    elif not quiet_ok and output:
        print(output)
    return completed.returncode == 0


def stage(staging, namespace, name):
    copy = os.path.join(staging, "ansible_collections", namespace, name)
    os.makedirs(copy)
    for item in COPIED:
        source = os.path.join(REPO, item)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(copy, item), ignore=IGNORED)
        elif os.path.isfile(source):
            shutil.copy2(source, os.path.join(copy, item))
    return copy


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    keep, version = False, None
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--keep":
            keep = True
        elif arg == "--version" and args:
            version = args.pop(0)
        else:
            raise SystemExit(__doc__)
    started = time.monotonic()
    galaxy = release_tool.galaxy_info(REPO)
    namespace, name, galaxy_version = galaxy["namespace"], galaxy["name"], str(galaxy["version"])
    fqcn = "%s.%s" % (namespace, name)
    released = [str(v) for v in release_tool.releases(REPO)]
    sections, new_plugins = release_tool.unreleased(REPO)
    pending = bool(release_tool.fragments(REPO)) or bool(new_plugins)
    if version is None and pending:
        version = release_tool.planned_version(galaxy_version, released, release_tool.required_bump(sections, bool(new_plugins)),
                                               [plugin[2] for plugin in new_plugins if plugin[2]])
    staging = tempfile.mkdtemp(prefix="oncall-changelog-")
    try:
        return check(stage(staging, namespace, name), fqcn, galaxy_version, released, version, started)
    finally:
        if keep:
            print("staging copy kept in " + staging)
        else:
            shutil.rmtree(staging, ignore_errors=True)


def check(copy, fqcn, galaxy_version, released, version, started):
    failures = []
    changelog_md = os.path.join(copy, "CHANGELOG.md")

    if released:
        # The checked-in CHANGELOG.md is generated from changelog.yaml, never edited by hand.
        checked_in = open(changelog_md, encoding="utf-8").read() if os.path.isfile(changelog_md) else None
        if run(failures, ["antsibull-changelog", "generate", "--is-collection"], copy, "antsibull-changelog generate"):
            generated = open(changelog_md, encoding="utf-8").read() if os.path.isfile(changelog_md) else None
            if checked_in is None:
                failures.append("CHANGELOG.md is missing: `antsibull-changelog generate` makes it from changelogs/changelog.yaml")
            elif generated != checked_in:
                failures.append("CHANGELOG.md differs from what `antsibull-changelog generate` makes of"
                                " changelogs/changelog.yaml: run it (the changelog is generated, never edited by hand)")
        last = release_tool.latest(released)
        if galaxy_version not in released and not (release_tool.is_semver(galaxy_version) and last
                                                   and release_tool.parse(galaxy_version) > release_tool.parse(last)):
            failures.append("galaxy.yml's version %s is neither released nor newer than the latest release, %s"
                            % (galaxy_version, last))

    fragments_dir = os.path.join(copy, "changelogs", "fragments")
    if version is None:
        print("nothing unreleased (no fragments, every plugin announced): no release to stage")
    else:
        os.makedirs(fragments_dir, exist_ok=True)
        if not any("release_summary" in content for content in release_tool.fragments(copy).values()):
            with open(os.path.join(fragments_dir, "zz-release-summary-check.yml"), "w", encoding="utf-8") as handle:
                handle.write("---\nrelease_summary: Release %s of ``%s`` (generated by make changelog as a check).\n" % (version, fqcn))
        if run(failures, ["antsibull-changelog", "release", "--is-collection", "--reload-plugins", "--version", version], copy,
               "antsibull-changelog release --version %s" % version):
            left = sorted(release_tool.fragments(copy))
            if left:
                failures.append("fragments not consumed by the release: %s" % ", ".join(left))
            run(failures, ["antsibull-changelog", "lint-changelog-yaml", "--strict", "changelogs/changelog.yaml"], copy,
                "antsibull-changelog lint-changelog-yaml --strict (after the release)")
            run(failures, ["antsibull-changelog", "lint"], copy, "antsibull-changelog lint (after the release)")

    releases = release_tool.releases(copy)
    if version is not None:
        release = releases.get(version)
        if not release:
            failures.append("changelogs/changelog.yaml has no release %s after the release" % version)
        else:
            changes = release.get("changes") or {}
            if not [section for section in changes if section != "release_summary"]:
                failures.append("release %s announces no change (only %s)" % (version, sorted(changes)))
            print("release %s: %s; %d new module(s), %d new role(s)" % (
                version, ", ".join("%s (%d)" % (section, len(items) if isinstance(items, list) else 1)
                                   for section, items in sorted(changes.items())),
                len(release.get("modules") or []), len(((release.get("objects") or {}).get("role")) or [])))
    announced_modules = {m["name"] for r in releases.values() for m in r.get("modules") or []}
    announced_roles = {o["name"] for r in releases.values() for o in (r.get("objects") or {}).get("role") or []}
    modules = sorted(n[:-3] for n in os.listdir(os.path.join(REPO, "plugins", "modules"))
                     if n.endswith(".py") and not n.startswith("_"))
    roles_dir = os.path.join(REPO, "roles")
    roles = sorted(os.listdir(roles_dir)) if os.path.isdir(roles_dir) else []
    for module in modules:
        if module not in announced_modules:
            failures.append("module %s.%s is announced as new in no release (its version_added must be the version"
                            " of the release that brings it)" % (fqcn, module))
    for role in roles:
        if role not in announced_roles:
            failures.append("role %s.%s is announced as new in no release: add a fragment with"
                            " 'add object.role: [{name: %s, description: ...}]'" % (fqcn, role, role))

    shown = version or release_tool.latest(released)
    if shown is not None:
        if not os.path.isfile(changelog_md):
            failures.append("CHANGELOG.md was not generated")
        else:
            with open(changelog_md, encoding="utf-8") as handle:
                text = handle.read()
            sections = release_tool.release_sections(text, shown)
            if sections is None:
                failures.append("CHANGELOG.md has no heading '## v%s'" % shown)
            else:
                print("CHANGELOG.md: %d lines, v%s with %s" % (text.count("\n"), shown, ", ".join(sections) or "no section"))

    for failure in failures:
        print("FAIL " + failure)
    print("changelog %s in a staging copy in %.1f s, %d failure(s)" % (
        "of release %s generated" % version if version else "checked", time.monotonic() - started, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
