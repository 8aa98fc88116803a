# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The parts of tools/release.py (`make release VERSION=x.y.z`) that decide: which VERSION is refused and why,
the semantic-versioning bump the fragments call for, the two version lines it writes, and the checks of the built
tarball. A refused VERSION changes no file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import io
import json
import os
import tarfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RELEASE_PY = os.path.join(ROOT, "tools", "release.py")


_SPEC = importlib.util.spec_from_file_location("oncall_pagerduty_release", RELEASE_PY)
release = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(release)

MODULE_SOURCE = '''
DOCUMENTATION = r"""
module: thing
short_description: A thing
version_added: %s
description:
  - A description with RV(x): a colon that is not valid YAML, which must not matter.
options:
  name:
    version_added: 9.9.9
"""
'''


@pytest.mark.parametrize("version", ["1.0.0", "0.1.0", "10.20.30", "1.0.0-rc.1", "2.0.0-alpha"])
def test_semantic_versions_are_accepted(version):
    assert release.is_semver(version)


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0.0", "1.0.0+build.1", "1.0.0-", "", None, " 1.0.0"])
def test_anything_else_is_no_version(version):
    assert not release.is_semver(version)
    assert "is not a semantic version" in release.version_problems(version, "0.1.0", set(), "patch")[0]


@pytest.mark.parametrize("sections,new_plugins,bump", [
    ({"bugfixes", "security_fixes", "trivial", "release_summary", "known_issues"}, False, "patch"),
    ({"bugfixes", "minor_changes"}, False, "minor"),
    ({"major_changes"}, False, "minor"),
    ({"deprecated_features"}, False, "minor"),
    ({"add object.role"}, False, "minor"),
    ({"bugfixes"}, True, "minor"),
    ({"minor_changes", "breaking_changes"}, False, "major"),
    ({"removed_features"}, True, "major"),
])
def test_the_bump_the_fragments_call_for(sections, new_plugins, bump):
    assert release.required_bump(sections, new_plugins) == bump


@pytest.mark.parametrize("version,bump,expected", [
    ("1.2.3", "patch", "1.2.4"),
    ("1.2.3", "minor", "1.3.0"),
    ("1.2.3", "major", "2.0.0"),
    ("0.3.1", "major", "0.4.0"),  # anything may change before 1.0.0
    ("1.1.0-rc.1", "patch", "1.1.0"),
])
def test_bumped(version, bump, expected):
    assert release.bumped(version, bump) == expected


def test_a_first_release_may_be_galaxy_yml_s_unreleased_version_or_newer():
    assert release.version_problems("1.0.0", "0.1.0", set(), "minor") == []
    assert release.version_problems("0.1.0", "0.1.0", set(), "minor") == []
    assert release.version_problems("0.0.1", "0.1.0", set(), "minor") == ["0.0.1 is older than galaxy.yml's version, 0.1.0"]


def test_a_release_is_newer_than_the_latest_by_the_bump_the_fragments_call_for():
    released = {"1.0.0", "1.1.0"}
    assert release.version_problems("1.1.1", "1.1.0", released, "patch") == []
    assert release.version_problems("1.2.0", "1.1.0", released, "minor") == []
    assert release.version_problems("1.2.0-rc.1", "1.1.0", released, "minor") == []
    assert release.version_problems("2.0.0", "1.1.0", released, "major") == []
    assert release.version_problems("1.1.1", "1.1.0", released, "minor") == [
        "the changelog fragments call for a new minor version after 1.1.0: VERSION must be 1.2.0 or newer"]
    assert release.version_problems("1.1.0", "1.1.0", released, "patch") == ["1.1.0 is already released (changelogs/changelog.yaml)"]
    assert release.version_problems("1.0.5", "1.1.0", released, "patch") == [
        "1.0.5 is not newer than the latest release, 1.1.0", "1.0.5 is older than galaxy.yml's version, 1.1.0"]


def test_the_planned_version_make_changelog_stages():
    # Before the first release: galaxy.yml's version, raised to a new plugin's version_added.
    assert release.planned_version("0.1.0", [], "minor", ["0.1.0"]) == "0.1.0"
    assert release.planned_version("0.1.0", [], "minor", ["1.0.0", "0.1.0"]) == "1.0.0"
    # After it: the bump the fragments call for.
    assert release.planned_version("1.0.0", ["1.0.0"], "patch") == "1.0.1"
    assert release.planned_version("1.0.0", ["1.0.0"], "minor", ["1.1.0"]) == "1.1.0"
    assert release.planned_version("1.0.0", ["1.0.0"], "major") == "2.0.0"


def test_the_two_version_lines_are_rewritten_and_nothing_else():
    galaxy = "---\nnamespace: oncall\nversion: 0.1.0\nbuild_ignore:\n  - x\n  version: nested\n"
    assert release.set_galaxy_version(galaxy, "1.0.0") == galaxy.replace("version: 0.1.0", "version: 1.0.0")
    assert release.set_galaxy_version(galaxy.replace("0.1.0", '"0.1.0"'), "1.0.0").count('version: "1.0.0"') == 1
    with pytest.raises(ValueError, match="expected one top-level 'version:' line, found 2"):
        release.set_galaxy_version(galaxy + "version: 0.2.0\n", "1.0.0")

    source = 'A = 1\n# comment: COLLECTION_VERSION = "x"\nCOLLECTION_VERSION = "0.1.0"\nB = COLLECTION_VERSION\n'
    written = release.set_constant(source, "1.0.0")
    assert written == source.replace('COLLECTION_VERSION = "0.1.0"', 'COLLECTION_VERSION = "1.0.0"')
    assert release.read_constant(written) == "1.0.0"
    with pytest.raises(ValueError, match="found 0"):
        release.set_constant("COLLECTION_VERSION = VERSION\n", "1.0.0")


def test_version_added_is_read_as_text_without_importing_or_parsing_the_doc():
    assert release.doc_version_added(MODULE_SOURCE % "1.0.0") == "1.0.0"
    assert release.doc_version_added(MODULE_SOURCE % '"1.1.0"') == "1.1.0"
    assert release.doc_version_added("X = 1\n") is None


def make_checkout(tmp_path, version_added="1.0.0", summaries=1, galaxy_version="0.1.0"):
    root = str(tmp_path)
    for folder in ("changelogs/fragments", "plugins/modules", "plugins/module_utils"):
        os.makedirs(os.path.join(root, folder))
    files = {
        "galaxy.yml": "---\nnamespace: oncall\nname: pagerduty\nversion: %s\n" % galaxy_version,
        "changelogs/changelog.yaml": "---\nancestor: null\nreleases: {}\n",
        "changelogs/fragments/1-fix.yml": "---\nbugfixes:\n  - A fix.\n",
        "plugins/modules/thing.py": MODULE_SOURCE % version_added,
        "plugins/module_utils/_http_client.py": 'COLLECTION_VERSION = "%s"\n' % galaxy_version,
    }
    for index in range(summaries):
        files["changelogs/fragments/summary-%d.yml" % index] = "---\nrelease_summary: The summary.\n"
    for name, text in files.items():
        with io.open(os.path.join(root, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    return root


def snapshot(root):
    found = {}
    for folder, dummy, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as handle:
                found[os.path.relpath(os.path.join(folder, name), root)] = handle.read()
    return found


def test_a_releasable_checkout(tmp_path):
    root = make_checkout(tmp_path)
    assert release.release_problems("1.0.0", root) == []
    assert release.unreleased(root) == ({"bugfixes", "release_summary"}, [("modules", "thing", "1.0.0")])


def test_the_keep_file_of_the_fragments_folder_is_no_fragment(tmp_path):
    # It stays after a release consumed the fragments; make changelog reads what is left through fragments().
    root = make_checkout(tmp_path)
    open(os.path.join(root, "changelogs", "fragments", ".keep"), "w").close()
    assert sorted(release.fragments(root)) == ["1-fix.yml", "summary-0.yml"]


@pytest.mark.parametrize("version,kwargs,problem", [
    ("1.0", {}, "VERSION=1.0 is not a semantic version: give X.Y.Z (e.g. 1.0.0), or X.Y.Z-PRERELEASE"),
    ("0.0.1", {"version_added": "0.0.1"}, "0.0.1 is older than galaxy.yml's version, 0.1.0"),
    ("1.0.0", {"version_added": "0.1.0"},
     "plugins/modules/thing.py: new in this release, but its DOCUMENTATION says version_added: 0.1.0: set it to 1.0.0"),
    ("1.0.0", {"summaries": 0}, "0 fragments hold a release_summary (none): the release needs exactly one, e.g."
                                " changelogs/fragments/1.0.0.yml with 'release_summary: ...', what a user reads first"),
    ("1.0.0", {"summaries": 2}, "2 fragments hold a release_summary (summary-0.yml, summary-1.yml)"),
])
def test_a_refused_version_names_the_problem_and_changes_nothing(tmp_path, version, kwargs, problem):
    root = make_checkout(tmp_path, **kwargs)
    before = snapshot(root)
    with pytest.raises(release.ReleaseError) as raised:
        release.release(version, root)
    assert not raised.value.changed
    assert any(p.startswith(problem) for p in raised.value.problems), raised.value.problems
    assert snapshot(root) == before


def make_tarball(tmp_path, version, manifest_version=None, constant=None, heading=None, fragments=()):
    with io.open(os.path.join(ROOT, release.HTTP_CLIENT), encoding="utf-8") as handle:
        http_client = release.set_constant(handle.read(), constant or version)
    files = {
        "MANIFEST.json": json.dumps({"collection_info": {"version": manifest_version or version}}),
        "CHANGELOG.md": "# oncall\\.pagerduty Release Notes\n\n## %s\n\n### Bugfixes\n\n* A fix\\.\n" % (
            heading or "v" + version.replace(".", "\\.")),
        "changelogs/changelog.yaml": "---\nreleases:\n  %s:\n    release_date: '2026-01-01'\n" % version,
        "plugins/module_utils/_http_client.py": http_client,
    }
    files.update(("changelogs/fragments/%s" % name, "---\n") for name in fragments)
    files["changelogs/fragments/.keep"] = ""  # the folder's placeholder is no fragment
    path = os.path.join(str(tmp_path), "oncall-pagerduty-%s.tar.gz" % version)
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_the_sections_of_a_release_in_antsibull_changelog_s_markdown():
    text = ("# oncall\\.pagerduty Release Notes\n\n**Topics**\n\n<a id=\"v1-1-0\"></a>\n## v1\\.1\\.0\n\n"
            "### Release Summary\n\nText\\.\n\n### Bugfixes\n\n* A fix\\.\n\n## v1\\.0\\.0\n\n### Major Changes\n\n"
            "### Security Fixes\n\n### New Modules\n")
    assert release.release_sections(text, "1.1.0") == ["Release Summary", "Bugfixes"]
    assert release.release_sections(text, "1.0.0") == ["Major Changes", "Security Fixes", "New Modules"]
    assert release.release_sections(text, "1.0.1") is None


def test_the_tarball_of_the_release_holds_its_version_everywhere(tmp_path):
    problems, found = release.tarball_problems(make_tarball(tmp_path, "1.0.0"), "1.0.0", "oncall.pagerduty")
    assert problems == []
    assert found["MANIFEST.json"] == "1.0.0"
    assert found["User-Agent"].startswith("oncall.pagerduty/1.0.0 python-requests/")
    assert found["CHANGELOG.md"] == ["Bugfixes"]


def test_a_tarball_that_is_not_the_release_is_refused(tmp_path):
    tarball = make_tarball(tmp_path, "1.0.0", manifest_version="0.1.0", constant="0.1.0", heading="v0.1.0", fragments=["1-fix.yml"])
    problems = release.tarball_problems(tarball, "1.0.0", "oncall.pagerduty")[0]
    assert problems[0] == "MANIFEST.json: collection_info.version is '0.1.0'"
    assert problems[1].startswith("the User-Agent is 'oncall.pagerduty/0.1.0 python-requests/")
    assert problems[2:] == ["CHANGELOG.md has no heading v1.0.0", "changelog fragments left in the tarball: changelogs/fragments/1-fix.yml"]


def test_usage_without_a_version(capsys):
    assert release.main([""]) == 2
    assert release.main(["--verify"]) == 2
    assert "usage: make release VERSION=x.y.z" in capsys.readouterr().err
