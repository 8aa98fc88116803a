# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Throwaway certificates for serving the sandbox over HTTPS, made with the openssl command.

make_pki(directory) writes a private CA, a server certificate it signed for 127.0.0.1, ::1 and
localhost, and a second, unrelated CA: the bundle a machine's REQUESTS_CA_BUNDLE points to
when it does not know the sandbox's CA.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

DAYS = "2"
# EC keys: made in milliseconds, where RSA keys take a noticeable share of a test's time.
NEW_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
CA_EXTENSIONS = ["-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 "-addext", "subjectKeyIdentifier=hash"]
# What strict verifiers (Python 3.13's default context) require of a server certificate.
SERVER_EXTENSIONS = """\
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,IP:::1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
"""


class Pki:
    """Paths of the files make_pki wrote."""

    def __init__(self, directory):
        self.directory = directory
        self.ca_cert = os.path.join(directory, "ca.pem")
        self.ca_key = os.path.join(directory, "ca.key")
        self.server_cert = os.path.join(directory, "server.pem")
        self.server_key = os.path.join(directory, "server.key")
        self.unrelated_ca_cert = os.path.join(directory, "unrelated-ca.pem")


def _openssl(*args):
    completed = subprocess.run(("openssl",) + args, capture_output=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], completed.stderr.decode("utf-8", "replace")))


def _make_ca(cert, key, common_name):
    _openssl("req", "-x509", *(NEW_KEY + ["-keyout", key, "-out", cert, "-days", DAYS,
                                          "-subj", "/O=oncall.pagerduty tests/CN=%s" % common_name] + CA_EXTENSIONS))


def make_pki(directory):
    """Write a CA, a server certificate it signed and an unrelated CA into directory; return a Pki."""
    os.makedirs(directory, exist_ok=True)
    pki = Pki(directory)
    _make_ca(pki.ca_cert, pki.ca_key, "sandbox test CA")
    _make_ca(pki.unrelated_ca_cert, os.path.join(directory, "unrelated-ca.key"), "unrelated test CA")
    csr = os.path.join(directory, "server.csr")
    extensions = os.path.join(directory, "server.ext")
    with open(extensions, "w") as handle:
        handle.write(SERVER_EXTENSIONS)
    _openssl("req", "-new", *(NEW_KEY + ["-keyout", pki.server_key, "-out", csr, "-subj", "/CN=localhost"]))
    _openssl("x509", "-req", "-in", csr, "-CA", pki.ca_cert, "-CAkey", pki.ca_key, "-CAcreateserial",
             "-out", pki.server_cert, "-days", DAYS, "-extfile", extensions)
    return pki
