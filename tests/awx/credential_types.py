# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The credential types of docs/awx/, and their injectors rendered as AWX renders them.

AWX renders each injector template with Jinja2 in an immutable sandbox, the credential's
inputs as the context; an input left empty is not in the context (so `default('')` applies).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

DOCS_AWX = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs", "awx")
FILES = {"datadog": "datadog-credential-type.yml", "cloudflare": "cloudflare-credential-type.yml"}


def path(vendor):
    return os.path.join(DOCS_AWX, FILES[vendor])


def load(vendor):
    """The credential type of a vendor: {name, kind, inputs, injectors}."""
    with open(path(vendor), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def secret_fields(credential_type):
    return [field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")]


def render_injectors(credential_type, inputs):
    """{"env": {...}, "extra_vars": {...}} that AWX would inject for a credential with these inputs."""
    known = set(field["id"] for field in credential_type["inputs"]["fields"])
    unknown = set(inputs) - known
    if unknown:
        raise ValueError("inputs not in the credential type %r: %s" % (credential_type["name"], sorted(unknown)))
    missing = [name for name in credential_type["inputs"].get("required", []) if not inputs.get(name)]
    if missing:
        raise ValueError("required inputs of %r missing: %s" % (credential_type["name"], missing))
    context = dict((name, value) for name, value in inputs.items() if value not in (None, ""))
    environment = ImmutableSandboxedEnvironment()
    rendered = {}
    for kind in ("env", "extra_vars"):
        templates = credential_type.get("injectors", {}).get(kind, {})
        rendered[kind] = dict((name, environment.from_string(template).render(**context))
                              for name, template in templates.items())
    return rendered
