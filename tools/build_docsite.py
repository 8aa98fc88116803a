# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make docsite`, first half: the collection's HTML documentation site, built with antsibull-docs.

1. `antsibull-docs sphinx-init --use-current` writes a Sphinx project for the collection into DEST
   (conf.py, build.sh, rst/index.rst), as for a collection docsite on docs.ansible.com.
2. The guides become pages of the site, from their one source in Markdown, copied as they are
   (they are never converted nor kept twice): docs/ (every *.md with the files they link to) into
   rst/guides/, and the README's Cloudflare section as rst/guides/cloudflare.md. conf.py gets
   myst-parser to render them. rst/index.rst is replaced by a page that links the guides and the
   collection. antsibull-docs takes extra docs only as reStructuredText from docs/docsite/rst/,
   so the guides are not declared in docs/docsite/extra-docs.yml.
3. The generated build.sh: `antsibull-docs collection` writes a page per module and role (options,
   attributes, examples, return values), then `sphinx-build -W` makes the HTML in DEST/build/html;
   any warning (an unresolved reference, a link to a missing page or heading) fails the build.

No network is used: the docs.ansible.com references of the generated pages resolve through a small
local intersphinx inventory (INVENTORY below) instead of one downloaded from docs.ansible.com.

Run it with antsibull-docs, ansible-core, Sphinx, the Ansible theme and myst-parser first on PATH
(tests/docsite/requirements.txt) and the collection visible to Ansible (ANSIBLE_COLLECTIONS_PATH).

Usage: build_docsite.py DEST
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import subprocess
import sys
import zlib

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = "oncall.pagerduty"

# The README section that is the Cloudflare hand-off guide (its level-2 heading).
CLOUDFLARE_SECTION = "Cloudflare: PagerDuty notification destinations"

# The site's home page. The guides are every page under guides/: a new docs/*.md is listed at once.
INDEX_RST = """\
.. _docsite_root_index:

oncall.pagerduty
================

{description}

Every module and role, with its options, attributes, examples and return values, is in the
collection's reference; the guides explain how to run them in AWX, how the Cloudflare hand-off
works, how fast they are and how they fail.

.. toctree::
   :maxdepth: 1
   :caption: Guides
   :glob:

   guides/*

.. toctree::
   :maxdepth: 2
   :caption: Reference

   collections/oncall/pagerduty/index

.. toctree::
   :maxdepth: 1
   :caption: Indexes
   :glob:

   collections/index
   collections/index_*
   collections/environment_variables
"""

# Appended to the generated conf.py.
CONF_ADDITIONS = """

# ---- added by tools/build_docsite.py (make docsite) ----
# The guides are Markdown (docs/*.md, the README): myst-parser renders them.
extensions.append('myst_parser')
# Anchors for the headings that the guides link to (#the-machine and so on), as GitHub makes them.
myst_heading_anchors = 3
# Offline: the docs.ansible.com labels the generated pages refer to, from a local inventory.
intersphinx_mapping = {{'ansible_devel': (intersphinx_mapping['ansible_devel'][0], {inventory!r})}}
"""

# The labels of the Ansible documentation (docs.ansible.com, intersphinx name ansible_devel) that the
# pages antsibull-docs writes refer to: label -> (path on the site, title). sphinx-build -W fails on
# a label missing here.
INVENTORY = {
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values",
                             "Return Values"),
}


def run(cmd, cwd=None):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def galaxy_description():
    with open(os.path.join(REPO, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["description"]


def readme_section(title):
    """The README's level-2 section TITLE, as a page: its heading made level 1, code blocks kept."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    if "## " + title not in lines:
        raise SystemExit("README.md has no section '## %s' (the Cloudflare guide of the site)" % title)
    start = lines.index("## " + title)
    body, fenced = [], False
    for line in lines[start + 1:]:
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            break
        body.append(line)
    return "\n".join(["# " + title] + body).rstrip() + "\n"


def write_inventory(path):
    lines = "".join("%s std:label -1 %s %s\n" % (label, uri, title)
                    for label, (uri, title) in sorted(INVENTORY.items()))
    header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              "# The remainder of this file is compressed using zlib.\n")
    with open(path, "wb") as handle:
        handle.write(header.encode("utf-8") + zlib.compress(lines.encode("utf-8")))
    print("intersphinx inventory of ansible_devel, offline: %s" % ", ".join(sorted(INVENTORY)))


def main(argv):
    if len(argv) != 2:
        raise SystemExit(__doc__)
    dest = os.path.abspath(argv[1])
    if os.path.isdir(dest):
        shutil.rmtree(dest)
    os.makedirs(dest, mode=0o700)  # sphinx-init wants a directory only its owner can write

    run(["antsibull-docs", "sphinx-init", "--use-current", "--fail-on-error", "--dest-dir", dest,
         "--project", COLLECTION, "--copyright", "oncall.pagerduty contributors",
         "--title", "oncall.pagerduty documentation", "--html-short-title", COLLECTION, COLLECTION])

    rst = os.path.join(dest, "rst")
    guides = os.path.join(rst, "guides")
    shutil.copytree(os.path.join(REPO, "docs"), guides, ignore=shutil.ignore_patterns("docsite"))
    cloudflare = os.path.join(guides, "cloudflare.md")
    if os.path.exists(cloudflare):
        raise SystemExit("docs/cloudflare.md exists: the README's Cloudflare section needs another page name")
    with open(cloudflare, "w", encoding="utf-8") as handle:
        handle.write(readme_section(CLOUDFLARE_SECTION))
    with open(os.path.join(rst, "index.rst"), "w", encoding="utf-8") as handle:
        handle.write(INDEX_RST.format(description=galaxy_description()))

    inventory = os.path.join(dest, "ansible_devel.inv")
    write_inventory(inventory)
    with open(os.path.join(dest, "conf.py"), "a", encoding="utf-8") as handle:
        handle.write(CONF_ADDITIONS.format(inventory=inventory))

    run(["bash", os.path.join(dest, "build.sh")], cwd=dest)
    print("site: %s" % os.path.join(dest, "build", "html", "index.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
