# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # TLS, timeout and retry options shared by every module of the collection.
    DOCUMENTATION = r"""
options:
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate.
      - Set to V(false) only for a test endpoint you trust; prefer O(ca_path) for a private CA.
      - Wins over the C(REQUESTS_CA_BUNDLE) and C(CURL_CA_BUNDLE) environment variables.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file (or a directory prepared with C(openssl rehash)) with the CA certificates to trust.
      - Wins over the C(REQUESTS_CA_BUNDLE) and C(CURL_CA_BUNDLE) environment variables.
      - When neither this nor O(validate_certs=false) is set, the bundle those variables name is trusted if
        one is set, else the bundle of C(certifi) that C(requests) ships with.
    type: path
  timeout:
    description:
      - Seconds to wait for the connection and for each answer.
      - A request without an answer in time counts as a connection error (see O(retries)).
    type: float
    default: 30
  retries:
    description:
      - How many times a request is retried after the first try, from 0 to 10.
      - Retried are answers C(429) (after the wait the API asks for in C(Retry-After) or C(X-RateLimit-Reset),
        capped at 60 seconds; the wait holds every request of the task), C(500), C(502), C(503) and C(504)
        (after C(Retry-After) if sent, else exponential backoff with jitter from about 1 second), and connection
        errors and timeouts (exponential backoff with jitter).
      - A write that the server may already have applied is never sent again blindly; the module reads
        the object back first.
    type: int
    default: 3
notes:
  - Proxies are taken from the usual environment variables (C(HTTPS_PROXY), C(HTTP_PROXY), C(NO_PROXY)).
  - A C(~/.netrc) file is not read; the credentials the task gives are the only ones sent.
  - The module runs where the task runs, normally C(localhost), and needs the Python library C(requests) there.
requirements:
  - requests
"""
