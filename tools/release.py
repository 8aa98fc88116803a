# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make release VERSION=x.y.z`: the one writer of the collection's version.

galaxy.yml's `version` is the collection's one version number. The User-Agent sends it from
COLLECTION_VERSION in plugins/module_utils/_http_client.py, because a module runs on the target
host from an AnsiballZ payload that carries its module_utils but neither galaxy.yml nor
MANIFEST.json: the number travels in the code. This script writes both, and nothing else ever
does; tests/unit/plugins/module_utils/test_http_client.py fails when they differ, and
`--verify` checks the built tarball.

    release.py VERSION           check, then write the release (galaxy.yml, COLLECTION_VERSION,
                                 antsibull-changelog release: changelog.yaml, CHANGELOG.md,
                                 fragments consumed)
    release.py --verify VERSION  after `make build`: the tarball of VERSION holds VERSION in its
                                 MANIFEST.json, User-Agent and CHANGELOG.md

Before anything is written, VERSION must be a semantic version X.Y.Z (or X.Y.Z-PRERELEASE):
newer than every release in changelogs/changelog.yaml; not older than galaxy.yml's version (equal
only while that version is unreleased); at least the bump the fragments call for (semantic
versioning: breaking changes or removed features need a new major version, new features, plugins
or deprecations a new minor one; a first release may be any version); every plugin not yet
announced must say `version_added: VERSION`; exactly one fragment holds the release_summary. Then
tools/check_changelog.py makes the release of VERSION in a staging copy; only if every check
passes is the checkout changed. A refused VERSION changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

import semantic_version
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
GALAXY_YML = "galaxy.yml"
HTTP_CLIENT = os.path.join("plugins", "module_utils", "_http_client.py")
CHANGELOG_YAML = os.path.join("changelogs", "changelog.yaml")
FRAGMENTS = os.path.join("changelogs", "fragments")
CHANGELOG_MD = "CHANGELOG.md"
PRELUDE = "release_summary"

# Semantic versioning 2.0.0, without build metadata (a collection version is what Galaxy sorts).
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$")
# The lines this script rewrites: matched whole, each exactly once.
GALAXY_VERSION_LINE = re.compile(r"^version:[ \t]*['\"]?([^'\"\s#]+)['\"]?[ \t]*$", re.M)
CONSTANT_LINE = re.compile(r"^COLLECTION_VERSION = \"([^\"]*)\"$", re.M)
DOC_VERSION_ADDED = re.compile(r"^version_added:[ \t]*['\"]?([^'\"\s#]+)", re.M)

# Fragment sections by the version part they need to change (semantic versioning, as Ansible's
# collection guidelines apply it); any other section (bugfixes, security_fixes, known_issues,
# trivial) needs a new patch version.
MAJOR_SECTIONS = ("breaking_changes", "removed_features")
MINOR_SECTIONS = ("major_changes", "minor_changes", "deprecated_features")
# Plugin directories whose files antsibull-changelog announces from `version_added`.
NOT_ANNOUNCED_DIRS = ("module_utils", "doc_fragments", "plugin_utils")


class ReleaseError(Exception):
    """A refused or failed release: every problem, and whether the checkout was changed."""

    def __init__(self, problems, changed=False):
        super(ReleaseError, self).__init__("\n".join(problems))
        self.problems = list(problems)
        self.changed = changed


# ---------------------------------------------------------------------------------------------
# Pure parts: versions, fragments, the two version lines


def is_semver(text):
    return isinstance(text, str) and SEMVER.match(text) is not None


def parse(text):
    return semantic_version.Version(text)


def required_bump(sections, new_plugins=False):
    """The smallest version part the fragments' sections (and new plugins or roles) need changed."""
    sections = set(sections)
    if sections.intersection(MAJOR_SECTIONS):
        return "major"
    if new_plugins or sections.intersection(MINOR_SECTIONS) or any(s.startswith("add ") for s in sections):
        return "minor"
    return "patch"


def bumped(version, bump):
    """The lowest version after `version` that changes the `bump` part; before 1.0.0 a major bump
    is a minor one (semantic versioning: anything may change in 0.y.z)."""
    current = parse(version)
    if bump == "major" and current.major == 0:
        bump = "minor"
    if bump == "major":
        return "%d.0.0" % (current.major + 1)
    if bump == "minor":
        return "%d.%d.0" % (current.major, current.minor + 1)
    if current.prerelease:  # 1.1.0-rc.1 -> 1.1.0
        return "%d.%d.%d" % (current.major, current.minor, current.patch)
    return "%d.%d.%d" % (current.major, current.minor, current.patch + 1)


def latest(versions):
    versions = [v for v in versions if is_semver(v)]
    return max(versions, key=parse) if versions else None


def version_problems(version, galaxy_version, released, bump):
    """Why VERSION cannot be the next release ([] if it can).

    released: the versions in changelogs/changelog.yaml; bump: required_bump() of what is unreleased.
    """
    if not is_semver(version):
        return ["VERSION=%s is not a semantic version: give X.Y.Z (e.g. 1.0.0), or X.Y.Z-PRERELEASE" % (version or "(empty)")]
    problems = []
    new = parse(version)
    if version in released:
        problems.append("%s is already released (changelogs/changelog.yaml)" % version)
    last = latest(released)
    if last is not None and version not in released:
        if new <= parse(last):
            problems.append("%s is not newer than the latest release, %s" % (version, last))
        else:
            floor = bumped(last, bump)
            base = semantic_version.Version(major=new.major, minor=new.minor, patch=new.patch)
            if base < parse(floor):
                problems.append("the changelog fragments call for a new %s version after %s: VERSION must be %s or newer"
                                % (bump, last, floor))
    if is_semver(galaxy_version):
        # Equal is fine while galaxy.yml's version is unreleased (then it is the version in the making).
        if new < parse(galaxy_version):
            problems.append("%s is older than galaxy.yml's version, %s" % (version, galaxy_version))
    else:
        problems.append("galaxy.yml's version %r is not a semantic version" % (galaxy_version,))
    return problems


def planned_version(galaxy_version, released, bump, added_versions=()):
    """The release the unreleased fragments and plugins describe, for `make changelog` to stage: galaxy.yml's
    version while it is unreleased, else the bump after the latest release; raised to the newest
    `version_added` of a plugin not yet announced."""
    candidates = [v for v in added_versions if is_semver(v)]
    if is_semver(galaxy_version) and galaxy_version not in released:
        candidates.append(galaxy_version)
    last = latest(released)
    if last is not None:
        candidates.append(bumped(last, bump))
    if not candidates:
        return galaxy_version
    return max(candidates, key=parse)


def set_galaxy_version(text, version):
    """galaxy.yml's text with its top-level version line set to VERSION (the rest untouched)."""
    found = GALAXY_VERSION_LINE.findall(text)
    if len(found) != 1:
        raise ValueError("galaxy.yml: expected one top-level 'version:' line, found %d" % len(found))
    return GALAXY_VERSION_LINE.sub(lambda m: m.group(0).replace(m.group(1), version, 1), text, count=1)


def set_constant(text, version):
    """_http_client.py's text with its COLLECTION_VERSION line set to VERSION (the rest untouched)."""
    found = CONSTANT_LINE.findall(text)
    if len(found) != 1:
        raise ValueError("%s: expected one line 'COLLECTION_VERSION = \"X.Y.Z\"', found %d" % (HTTP_CLIENT, len(found)))
    return CONSTANT_LINE.sub('COLLECTION_VERSION = "%s"' % version, text, count=1)


def read_constant(text):
    found = CONSTANT_LINE.findall(text)
    return found[0] if len(found) == 1 else None


def doc_version_added(source):
    """The top-level version_added of a plugin's DOCUMENTATION (None without one), read without importing it."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                # The top-level key, read as text: no YAML parse, so a doc in the making cannot stop a check.
                found = DOC_VERSION_ADDED.search(node.value.value)
                return found.group(1) if found else None
    return None


# ---------------------------------------------------------------------------------------------
# The checkout


def read(root, path):
    with io.open(os.path.join(root, path), encoding="utf-8") as handle:
        return handle.read()


def write(root, path, text):
    with io.open(os.path.join(root, path), "w", encoding="utf-8", newline="") as handle:
        handle.write(text)


def load_yaml(root, path):
    return yaml.safe_load(read(root, path)) or {}


def galaxy_info(root=REPO):
    return load_yaml(root, GALAXY_YML)


def releases(root=REPO):
    path = os.path.join(root, CHANGELOG_YAML)
    return (load_yaml(root, CHANGELOG_YAML).get("releases") or {}) if os.path.isfile(path) else {}


def fragments(root=REPO):
    """{file name: content} of the changelog fragments (.yml and .yaml: config ignore_other_fragment_extensions)."""
    folder = os.path.join(root, FRAGMENTS)
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    return {n: load_yaml(root, os.path.join(FRAGMENTS, n)) for n in names if n.endswith((".yml", ".yaml"))}


def plugins(root=REPO):
    """[(plugin type, name, version_added)] of the plugins antsibull-changelog announces."""
    found = []
    base = os.path.join(root, "plugins")
    for plugin_type in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        folder = os.path.join(base, plugin_type)
        if plugin_type in NOT_ANNOUNCED_DIRS or not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and not name.startswith("_"):
                source = read(folder, name)
                found.append((plugin_type, name[:-3], doc_version_added(source)))
    return found


def announced(all_releases):
    """{(plugin type, name)} that some release announces as new."""
    names = set()
    for release in all_releases.values():
        names.update(("modules", m["name"]) for m in release.get("modules") or [])
        for plugin_type, entries in (release.get("plugins") or {}).items():
            names.update((plugin_type, p["name"]) for p in entries or [])
    return names


def unreleased(root=REPO):
    """(fragment sections, plugins not yet announced) of the checkout."""
    sections = set()
    for content in fragments(root).values():
        sections.update(content if isinstance(content, dict) else {})
    known = announced(releases(root))
    new_plugins = [(t, n, added) for t, n, added in plugins(root) if (t, n) not in known]
    return sections, new_plugins


def release_problems(version, root=REPO):
    """Every reason the checkout cannot be released as VERSION ([] if it can)."""
    all_releases = releases(root)
    released = set(str(v) for v in all_releases)
    galaxy_version = str(galaxy_info(root).get("version"))
    sections, new_plugins = unreleased(root)
    problems = version_problems(version, galaxy_version, released, required_bump(sections, bool(new_plugins)))
    if problems:  # the rest would only tell how to release a VERSION that cannot be
        return problems
    for plugin_type, name, added in new_plugins:
        if added != version:
            problems.append("plugins/%s/%s.py: new in this release, but its DOCUMENTATION says version_added: %s:"
                            " set it to %s" % (plugin_type, name, added, version))
    content = fragments(root)
    if not content and not new_plugins:
        problems.append("nothing to release: changelogs/fragments/ is empty")
    summaries = [n for n, c in content.items() if isinstance(c, dict) and PRELUDE in c]
    if len(summaries) != 1:
        problems.append("%s fragments hold a %s (%s): the release needs exactly one, e.g. changelogs/fragments/%s.yml"
                        " with '%s: ...', what a user reads first" % (
                            len(summaries), PRELUDE, ", ".join(summaries) or "none", version, PRELUDE))
    try:
        set_galaxy_version(read(root, GALAXY_YML), version)
        set_constant(read(root, HTTP_CLIENT), version)
    except ValueError as error:
        problems.append(str(error))
    return problems


def run(args, cwd=REPO):
    # antsibull-changelog finds the plugins with ansible-doc on a collections path of its own; a
    # collections path from the environment (make's) would confuse it (see check_changelog.py).
    env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS")}
    print("$ " + " ".join(args), flush=True)
    return subprocess.call(args, cwd=cwd, env=env)


def release(version, root=REPO):
    problems = release_problems(version, root)
    if problems:
        raise ReleaseError(problems)
    if run([sys.executable, os.path.join(HERE, "check_changelog.py"), "--version", version], cwd=root) != 0:
        raise ReleaseError(["the release of %s failed in a staging copy (see above)" % version])
    if run(["antsibull-changelog", "lint"], cwd=root) != 0:
        raise ReleaseError(["antsibull-changelog lint failed (see above)"])

    # From here on the checkout changes: the two version lines first, then the changelog.
    write(root, GALAXY_YML, set_galaxy_version(read(root, GALAXY_YML), version))
    write(root, HTTP_CLIENT, set_constant(read(root, HTTP_CLIENT), version))
    print("version %s written to %s and %s (COLLECTION_VERSION)" % (version, GALAXY_YML, HTTP_CLIENT))
    if run(["antsibull-changelog", "release", "--version", version, "--reload-plugins"], cwd=root) != 0:
        raise ReleaseError(["antsibull-changelog release failed (see above)"], changed=True)
    if version not in releases(root) or not os.path.isfile(os.path.join(root, CHANGELOG_MD)):
        raise ReleaseError(["antsibull-changelog release wrote no release %s or no %s" % (version, CHANGELOG_MD)], changed=True)
    print("release %s: %s, %s and %s written; fragments consumed" % (version, CHANGELOG_YAML, CHANGELOG_MD, GALAXY_YML))


# ---------------------------------------------------------------------------------------------
# The built tarball


def user_agent_of(http_client_source):
    """The User-Agent an HttpClient built from this _http_client.py source sends."""
    with tempfile.TemporaryDirectory(prefix="oncall-release-") as folder:
        path = os.path.join(folder, "_http_client.py")
        with io.open(path, "w", encoding="utf-8") as handle:
            handle.write(http_client_source)
        spec = importlib.util.spec_from_file_location("oncall_pagerduty_release_http_client", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.HttpClient("http://127.0.0.1:9", vendor="release check").session.headers["User-Agent"]


def md_headings(text):
    """[(level, text)] of a Markdown file's ATX headings, backslash escapes removed (antsibull-changelog
    writes '## v1\\.0\\.0')."""
    return [(len(hashes), re.sub(r"\\(.)", r"\1", title))
            for hashes, title in re.findall(r"^(#+) +(.+?)[ \t]*$", text, re.M)]


def release_sections(text, version):
    """The section headings under '## vVERSION' of antsibull-changelog's Markdown (None without that heading)."""
    sections, inside = None, False
    for level, title in md_headings(text):
        if level == 2:
            inside = title == "v%s" % version
            if inside:
                sections = []
        elif level == 3 and inside:
            sections.append(title)
    return sections


def tarball_problems(tarball, version, fqcn):
    """Why the built tarball is not the release of VERSION ([] if it is), and what was found."""
    with tarfile.open(tarball) as archive:
        files = {m.name[2:] if m.name.startswith("./") else m.name: m for m in archive.getmembers() if m.isfile()}

        def text(name):
            return archive.extractfile(files[name]).read().decode("utf-8") if name in files else None

        manifest = json.loads(text("MANIFEST.json") or "{}")
        changelog_md = text(CHANGELOG_MD)
        changelog = yaml.safe_load(text("changelogs/changelog.yaml") or "{}") or {}
        http_client = text("plugins/module_utils/_http_client.py")
        left = [n for n in files if n.startswith("changelogs/fragments/") and n.endswith((".yml", ".yaml"))]
    problems, found = [], {}
    found["MANIFEST.json"] = (manifest.get("collection_info") or {}).get("version")
    if found["MANIFEST.json"] != version:
        problems.append("MANIFEST.json: collection_info.version is %r" % (found["MANIFEST.json"],))
    if http_client is None:
        problems.append("plugins/module_utils/_http_client.py is missing")
    else:
        found["User-Agent"] = user_agent_of(http_client)
        if not found["User-Agent"].startswith("%s/%s " % (fqcn, version)):
            problems.append("the User-Agent is %r" % found["User-Agent"])
    if version not in (changelog.get("releases") or {}):
        problems.append("changelogs/changelog.yaml has no release %s" % version)
    if changelog_md is None:
        problems.append("%s is missing" % CHANGELOG_MD)
    else:
        found[CHANGELOG_MD] = release_sections(changelog_md, version)
        if found[CHANGELOG_MD] is None:
            problems.append("%s has no heading v%s" % (CHANGELOG_MD, version))
    if left:
        problems.append("changelog fragments left in the tarball: %s" % ", ".join(sorted(left)))
    return problems, found


def verify(version, dist, root=REPO):
    galaxy = galaxy_info(root)
    fqcn = "%s.%s" % (galaxy["namespace"], galaxy["name"])
    problems = []
    if str(galaxy.get("version")) != version:
        problems.append("galaxy.yml's version is %s" % galaxy.get("version"))
    if read_constant(read(root, HTTP_CLIENT)) != version:
        problems.append("%s: COLLECTION_VERSION is %r" % (HTTP_CLIENT, read_constant(read(root, HTTP_CLIENT))))
    tarball = os.path.join(dist, "%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], version))
    if not os.path.isfile(tarball):
        raise ReleaseError(problems + ["no %s: make build first" % tarball])
    tar_problems, found = tarball_problems(tarball, version, fqcn)
    problems.extend(tar_problems)
    if problems:
        raise ReleaseError(["%s: %s" % (os.path.basename(tarball), p) for p in problems])
    print("ok   %s: MANIFEST.json version %s, User-Agent %r" % (tarball, found["MANIFEST.json"], found["User-Agent"]))
    print("ok   %s in the tarball: v%s with %s" % (CHANGELOG_MD, version, ", ".join(found[CHANGELOG_MD])))
    print("Release %s is ready: commit galaxy.yml, %s, changelogs/ and %s, then tag it (e.g. git tag %s)."
          % (version, HTTP_CLIENT, CHANGELOG_MD, version))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    verifying = bool(argv) and argv[0] == "--verify"
    args = argv[1:] if verifying else argv
    if verifying and len(args) == 2:
        dist = args.pop()
    else:
        dist = os.path.join(REPO, ".build", "dist")
    if len(args) != 1 or not args[0] or args[0].startswith("-"):
        print("usage: make release VERSION=x.y.z   (tools/release.py [--verify] VERSION [DIST])", file=sys.stderr)
        return 2
    version = args[0]
    try:
        if verifying:
            verify(version, dist)
        else:
            release(version)
    except ReleaseError as error:
        if verifying:
            print("release %s: the build is not the release:" % version, file=sys.stderr)
        elif error.changed:
            print("release %s failed after galaxy.yml and %s were written: see `git status`, `git checkout --"
                  " galaxy.yml %s changelogs` undoes it" % (version, HTTP_CLIENT, HTTP_CLIENT), file=sys.stderr)
        else:
            print("release %s refused, nothing changed:" % version, file=sys.stderr)
        for problem in error.problems:
            print("  - " + problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
