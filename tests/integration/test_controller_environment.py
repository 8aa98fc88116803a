# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the controller's environment may change and what it may not: proxies and the CA bundle come
from it (test_tls.py); a ~/.netrc entry for the API host never replaces the task's credentials."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from cloudflare_tasks import ELIGIBILITY, LIST, PAYMENTS, seed_destinations
from datadog_tasks import GET

NETRC_PASSWORD = "netrc-password-5e1c0a9d"
SERVICE = "netrc-payments"


def test_a_netrc_entry_for_the_api_host_does_not_replace_the_credentials(run_playbook, sandbox, cloudflare, datadog):
    # curl, git and requests users often keep one for their own tools; requests would send it as Basic auth.
    netrc = os.path.join(run_playbook.home, ".netrc")
    os.makedirs(run_playbook.home, exist_ok=True)
    with open(netrc, "w") as handle:
        handle.write("machine 127.0.0.1 login someone password %s\n" % NETRC_PASSWORD)
    os.chmod(netrc, 0o600)
    seed_destinations(sandbox, [PAYMENTS])
    run = run_playbook([
        cloudflare.info("cloudflare with its bearer token"),
        datadog.info("datadog with its keys", service_names=[SERVICE]),
    ])

    assert run.status("cloudflare with its bearer token") == "ok"
    assert run.result("cloudflare with its bearer token")["services"] == [PAYMENTS]
    assert run.status("datadog with its keys") == "ok"
    assert sandbox.calls_with_status("cloudflare") == [LIST + (200,), ELIGIBILITY + (200,)]
    assert sandbox.calls_with_status("datadog") == [GET(SERVICE) + (404,)]
    assert NETRC_PASSWORD not in run.stdout
