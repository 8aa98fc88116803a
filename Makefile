# oncall.pagerduty: development and CI entry points (GNU make).
#
# From a fresh clone with only python3 and make: every target sets up what it needs.
#   make venv         .venv/ with requirements-dev.txt and the collection visible to Ansible
#   make test         unit, docs, docsite, changelog, lint, build, sanity, molecule, integration, awx, matrix (.ci/run)
#   make help         all targets

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

COLLECTION_NAMESPACE := oncall
COLLECTION_NAME := pagerduty

# The main line: the full suite runs on the newest ansible-core the whole toolchain supports (2.21), which
# needs Python 3.12 or newer; the venv is made from the machine's CPython 3.13 (pyenv). Other lines: make matrix.
MAIN_PYTHON_VERSION ?= 3.13
# ansible-test's --python: the version of the interpreter the venv is made from.
ANSIBLE_TEST_PYTHON ?= $(MAIN_PYTHON_VERSION)
# Every target Python the collection claims (README: Python 3.9+ where the tasks run). The full
# sanity suite runs on ANSIBLE_TEST_PYTHON; the version-dependent tests (compile, import) on each.
TARGET_PYTHONS ?= 3.9 3.10 3.11 3.12 3.13
# The machine's other CPythons live under pyenv; its shims refuse versions that are not selected,
# so interpreters are called by their full path (see pyenv_python).
PYENV_VERSIONS := $(shell pyenv root 2>/dev/null)/versions
# The newest installed X.Y.Z of a version X.Y, e.g. $(call pyenv_bin,3.9) -> .../versions/3.9.18/bin
pyenv_bin = $(lastword $(sort $(wildcard $(PYENV_VERSIONS)/$(1).*/bin)))
space := $(subst ,, )
PYTHON ?= $(or $(call pyenv_bin,$(MAIN_PYTHON_VERSION)),$(error no CPython $(MAIN_PYTHON_VERSION) under $(PYENV_VERSIONS): set PYTHON=/path/to/python3.13))/python$(MAIN_PYTHON_VERSION)

VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VENV_STAMP := $(VENV)/.requirements.stamp
COLLECTIONS_DIR := $(VENV)/collections
COLLECTION_LINK := $(COLLECTIONS_DIR)/ansible_collections/$(COLLECTION_NAMESPACE)/$(COLLECTION_NAME)
BUILD_DIR := $(CURDIR)/.build
SANITY_DIR := $(BUILD_DIR)/sanity/ansible_collections/$(COLLECTION_NAMESPACE)/$(COLLECTION_NAME)
DIST_DIR := $(BUILD_DIR)/dist

# Extra arguments, e.g. make sanity SANITY_ARGS="--test validate-modules"
SANITY_ARGS ?=
UNIT_ARGS ?=
INTEGRATION_ARGS ?=
AWX_ARGS ?=
# pytest-xdist workers for the integration tests (0: run serially in one process)
INTEGRATION_WORKERS ?= 2
LINT_ARGS ?=
DEMO_ARGS ?=
# e.g. make bench BENCH_ARGS="--quick --json .bench/results.json"
BENCH_ARGS ?=

# Everything below runs with the venv first on PATH and this collection visible to Ansible.
export PATH := $(BIN):$(PATH)
export VIRTUAL_ENV := $(VENV)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS_DIR)
# Interpreter discovery on a pyenv machine finds shims of Python versions that are installed but
# not selected (/root/.pyenv/shims/python3.13 -> "command not found"): run modules on the
# venv's Python unless a play or inventory sets ansible_python_interpreter.
export ANSIBLE_PYTHON_INTERPRETER := $(PY)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# No .retry files, no cowsay, no warnings about the (unset) inventory in pytest runs.
export ANSIBLE_RETRY_FILES_ENABLED := False
export ANSIBLE_NOCOWS := 1
export ANSIBLE_LOCALHOST_WARNING := False
export ANSIBLE_INVENTORY_UNPARSED_WARNING := False
ifneq ($(strip $(CI)),)
# Plain logs on CI.
export ANSIBLE_NOCOLOR := 1
export ANSIBLE_FORCE_COLOR := 0
export PY_COLORS := 0
export NO_COLOR := 1
ANSIBLE_TEST_COLOR := --color no
endif

.PHONY: help venv unit integration awx matrix sanity lint changelog build test demo bench clean get-pip-stand-in docs molecule docsite docsite-browser

help:  ## Show the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 22

# ---------------------------------------------------------------------------------------------
# Environment

# A venv of another Python (an older checkout's) is made anew.
$(PY): $(if $(filter $(MAIN_PYTHON_VERSION),$(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)),,FORCE)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)

FORCE:

# Re-installs only when a requirements file changed (or the venv was recreated).
$(VENV_STAMP): requirements.txt requirements-dev.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -q -r requirements-dev.txt 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	touch $@

venv: $(VENV_STAMP)  ## .venv/ with the dev requirements; the collection linked into .venv/collections
	@mkdir -p $(dir $(COLLECTION_LINK))
	@# relative link: .venv/collections/ansible_collections/oncall/pagerduty -> ../../../..
	@if [ "$$(readlink '$(COLLECTION_LINK)' 2>/dev/null)" != "../../../.." ]; then \
	  if [ -e '$(COLLECTION_LINK)' ] && [ ! -L '$(COLLECTION_LINK)' ]; then \
	    echo "$(COLLECTION_LINK) exists and is not a symlink: remove it" >&2; exit 1; fi; \
	  rm -f '$(COLLECTION_LINK)'; ln -s ../../../.. '$(COLLECTION_LINK)'; fi

# ansible-test bootstraps pip in the venvs it makes with a get-pip script from a host that is not
# a package registry; an offline stand-in in its cache (~/.ansible/test/cache) replaces it.
get-pip-stand-in: venv
	@$(PY) tools/get_pip_offline.py --install-stand-in

# ---------------------------------------------------------------------------------------------
# Tests

unit: venv  ## Unit tests (tests/unit), with coverage of plugins/ (at least 90%)
	$(PY) -m pytest tests/unit --cov=$(CURDIR)/plugins --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=90 $(UNIT_ARGS)

integration: venv  ## Integration tests (tests/integration: ansible-playbook against the sandbox)
	$(PY) -m pytest tests/integration $(if $(filter-out 0,$(INTEGRATION_WORKERS)),-n $(INTEGRATION_WORKERS)) $(INTEGRATION_ARGS)

# Every playbook and task example of the README, docs/ and the role README, run as AWX runs a job
# (ansible-runner, credentials injected from docs/awx/*-credential-type.yml), audited for secrets.
awx: venv  ## The documented examples as AWX jobs (ansible-runner) against the sandbox
	$(PY) -m pytest tests/awx -n 2 $(AWX_ARGS)

# The support matrix (noxfile.py): unit tests and the playbook slice on every ansible-core line, each on a
# controller Python it supports, and the slice with a target Python 3.9 that has only requests. nox lives in
# a venv of its own (it needs an attrs that galaxy-importer refuses); the venvs are kept in .matrix/.
MATRIX_DIR := $(CURDIR)/.matrix
NOX := $(MATRIX_DIR)/nox/bin/nox
TARGET_PYTHON_VENV := $(MATRIX_DIR)/target-3.9
MATRIX_ARGS ?=

$(NOX):
	$(PYTHON) -m venv $(MATRIX_DIR)/nox
	$(MATRIX_DIR)/nox/bin/pip install --disable-pip-version-check -q "nox>=2025.2,<2027"

$(TARGET_PYTHON_VENV)/.stamp:
	"$(call pyenv_bin,3.9)/python3.9" -m venv $(TARGET_PYTHON_VENV)
	$(TARGET_PYTHON_VENV)/bin/pip install --disable-pip-version-check -q requests
	touch $@

matrix: venv $(NOX) $(TARGET_PYTHON_VENV)/.stamp  ## Unit tests + playbook slice on every ansible-core line (2.16 to 2.21), target Python 3.9
	PATH="$(subst $(space),:,$(foreach v,3.11 3.12 3.13,$(call pyenv_bin,$(v)))):$$PATH" \
	  ONCALL_TARGET_PYTHON=$(TARGET_PYTHON_VENV)/bin/python \
	  $(NOX) -f noxfile.py --reuse-existing-virtualenvs --envdir $(MATRIX_DIR)/envs $(MATRIX_ARGS)

# ansible-test runs only from a real .../ansible_collections/oncall/pagerduty directory: sanity
# runs on a synchronised copy in .build/sanity (git's file list; tests/output kept warm). The
# per-test sanity venvs are cached by ansible-test in ~/.ansible/test/venv.
sanity: get-pip-stand-in  ## ansible-test sanity (no ignore file) on a copy in .build/sanity, compile+import on every target Python
	@$(PY) tools/stage_collection.py $(CURDIR) $(SANITY_DIR)
	cd $(SANITY_DIR) && env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_PYTHON_INTERPRETER \
	  ansible-test sanity --python $(ANSIBLE_TEST_PYTHON) $(ANSIBLE_TEST_COLOR) $(SANITY_ARGS)
	@set -e; for version in $(filter-out $(ANSIBLE_TEST_PYTHON),$(TARGET_PYTHONS)); do \
	  bin="$$(ls -d $(PYENV_VERSIONS)/$$version.*/bin 2>/dev/null | sort -V | tail -n 1)"; \
	  if [ -z "$$bin" ]; then echo "no Python $$version under $(PYENV_VERSIONS): the sanity tests of target Python $$version cannot run" >&2; exit 1; fi; \
	  echo "ansible-test sanity --test compile --test import --python $$version ($$bin)"; \
	  (cd $(SANITY_DIR) && PATH="$$bin:$$PATH" env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_PYTHON_INTERPRETER \
	    ansible-test sanity --test compile --test import --python $$version $(ANSIBLE_TEST_COLOR)); \
	done

lint: venv  ## ansible-lint --profile production (configured in .ansible-lint)
	ansible-lint --profile production $(LINT_ARGS)

changelog: venv  ## antsibull-changelog lint; the next release's changelog generated in a staging copy
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml --strict changelogs/changelog.yaml
	$(PY) tools/check_changelog.py

# ansible-doc renders every module and role (it exits 0 on a plugin it cannot find: the output is
# checked), and antsibull-docs lints the documentation as the Ansible docsite would build it.
docs: venv  ## ansible-doc renders every module and role; antsibull-docs lint-collection-docs
	$(PY) tools/check_docs.py
	antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs dependent --disallow-unknown-collection-refs .

# The documentation site: tools/build_docsite.py (antsibull-docs sphinx-init and its build.sh; the guides
# rendered from their Markdown) writes it to .build/docsite/build/html, then tests/docsite opens it in
# Debian's chromium, headless (selenium): option tables, guides, links between pages, and a screenshot of
# each module page and the role page in .build/docsite/screenshots/. The tools have a venv of their own
# (tests/docsite/requirements.txt: myst-parser needs an older docutils than .venv's); chromium and
# chromium-driver are installed with apt-get when missing (as root, or through sudo).
DOCSITE_DIR := $(BUILD_DIR)/docsite
DOCSITE_VENV := $(BUILD_DIR)/docsite-venv
DOCSITE_APT := chromium chromium-driver fonts-dejavu-core
DOCSITE_ARGS ?=

$(DOCSITE_VENV)/.requirements.stamp: tests/docsite/requirements.txt requirements.txt requirements-dev.txt requirements-test.txt
	test -x $(DOCSITE_VENV)/bin/python || $(PYTHON) -m venv $(DOCSITE_VENV)
	$(DOCSITE_VENV)/bin/pip install --disable-pip-version-check --progress-bar off -q -r $< 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; }
	touch $@

docsite-browser:
	@dpkg -s $(DOCSITE_APT) >/dev/null 2>&1 && exit 0; \
	if ! command -v apt-get >/dev/null; then sudo=none; \
	elif [ "$$(id -u)" = 0 ]; then sudo=; elif command -v sudo >/dev/null; then sudo=sudo; else sudo=none; fi; \
	if [ "$$sudo" = none ]; then \
	  echo "make docsite needs Debian's packages $(DOCSITE_APT): run make as root or with sudo (apt-get installs them), or install them" >&2; \
	  exit 1; fi; \
	echo "apt-get install $(DOCSITE_APT)"; \
	$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DOCSITE_APT) >/dev/null

docsite: venv $(DOCSITE_VENV)/.requirements.stamp docsite-browser  ## HTML docs site (antsibull-docs) in .build/docsite/build/html, checked in headless chromium; screenshots in .build/docsite/screenshots/
	PATH="$(DOCSITE_VENV)/bin:$$PATH" $(DOCSITE_VENV)/bin/python tools/build_docsite.py $(DOCSITE_DIR)
	DOCSITE_HTML=$(DOCSITE_DIR)/build/html DOCSITE_SCREENSHOTS=$(DOCSITE_DIR)/screenshots \
	  $(DOCSITE_VENV)/bin/python -m pytest tests/docsite $(DOCSITE_ARGS)

build: venv  ## Build into .build/dist; check the tarball, galaxy-importer, install, ansible-builder create
	@mkdir -p $(DIST_DIR)
	ansible-galaxy collection build --force --output-path $(DIST_DIR)
	$(PY) tools/check_build.py --dist $(DIST_DIR) --work $(BUILD_DIR)/check-build

# The only writer of the version (galaxy.yml, and the User-Agent's COLLECTION_VERSION from it).
# tools/release.py refuses a VERSION that is no semantic version, not newer than the latest
# release, or a smaller bump than the fragments call for, and proves the release in a staging copy
# (tools/check_changelog.py) before it changes anything; then `antsibull-changelog release` writes
# changelogs/changelog.yaml and CHANGELOG.md and consumes the fragments; then the build gate runs,
# and the tarball is checked for VERSION (MANIFEST.json, User-Agent, CHANGELOG.md).
.PHONY: release
VERSION ?=
release: venv  ## VERSION=x.y.z: set the version, antsibull-changelog release (CHANGELOG.md), build + gate
	$(PY) tools/release.py '$(VERSION)'
	$(MAKE) --no-print-directory build
	$(PY) tools/release.py --verify '$(VERSION)' $(DIST_DIR)

# The role's scenarios (extensions/molecule/: default, check_mode) on localhost, without a container
# engine; each starts and stops its own sandbox.
molecule: venv  ## molecule test --all (the role against the sandbox)
	molecule test --all

# Fast layers first.
test: unit docs docsite changelog lint build sanity molecule integration awx matrix  ## Every test layer (what .ci/run runs)

# ---------------------------------------------------------------------------------------------
# Demo and benchmarks

demo: venv  ## Demo against the sandbox (tools/demo.py)
	$(PY) tools/demo.py $(DEMO_ARGS)

bench: venv  ## Benchmarks (tools/bench.py; not part of make test)
	$(PY) tools/bench.py $(BENCH_ARGS)

clean:  ## Remove the venv, staging copies and every generated file
	rm -rf $(VENV) $(BUILD_DIR) tests/output .pytest_cache htmlcov .bench .benchmarks coverage.xml \
	  changelogs/.plugin-cache.yaml
	rm -f .coverage .coverage.*
	find . -name .git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
