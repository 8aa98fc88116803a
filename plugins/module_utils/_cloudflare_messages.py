# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the Cloudflare modules tell the person: what is missing, the next step of the hand-off, and why an account
cannot use PagerDuty."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.oncall.pagerduty.plugins.module_utils._cloudflare import (
    LINK_NOT_AUTHORISED,
    LINK_RATE_LIMITED,
    PAGERDUTY_PLAN,
    connected_names,
    designates,
    looks_like_id,
)

DASHBOARD_PATH = "Notifications > Destinations > PagerDuty > Connect"

NEW_TOKEN_ADVICE = ("run this task with create_token: true for a new token and follow its steps, or connect in the "
                    "Cloudflare dashboard (%s)" % DASHBOARD_PATH)

# What to do after Cloudflare refused a link, by the reason the adapter read from its answer.
LINK_ADVICE = {
    LINK_NOT_AUTHORISED: "if nobody has finished authorising services in PagerDuty for it yet, do that and run this "
                         "task again with the same token_id",
    LINK_RATE_LIMITED: "the token was not used, so run this task again later with the same token_id",
}


def quoted(text):
    return '"%s"' % text


def quoted_list(items):
    return ", ".join(quoted(i) for i in items) or "none"


def ambiguity_warnings(connected, requested):
    warnings = []
    for wanted in dict.fromkeys(requested):
        hits = [s for s in connected if designates(s, wanted)]
        if len(hits) > 1:
            warnings.append("services: %s is the name of %d connected PagerDuty services (ids %s); give an id to "
                            "designate one of them" % (quoted(wanted), len(hits), ", ".join(s["id"] for s in hits)))
    return warnings


def what_is_missing(account_id, connected, requested, missing):
    if not connected and not requested:
        return "PagerDuty is not connected to Cloudflare account %s." % account_id
    if not connected:
        return "PagerDuty is not connected to Cloudflare account %s, so these services are missing: %s." % (
            account_id, quoted_list(missing))
    return "These PagerDuty services are not connected to Cloudflare account %s: %s (connected now: %s)." % (
        account_id, quoted_list(missing), quoted_list(connected_names(connected)))


def what_to_authorise(connected, requested):
    # A destination id is assigned by Cloudflare when a service is linked: nobody can pick it in PagerDuty.
    names = [wanted for wanted in dict.fromkeys(requested) if not looks_like_id(wanted)]
    ids = [wanted for wanted in dict.fromkeys(requested) if looks_like_id(wanted)
           and not any(designates(s, wanted) for s in connected)]
    text = "these services: %s" % quoted_list(names) if names else "the services Cloudflare should page"
    if ids:
        text += (" (%s: destination ids are assigned by Cloudflare when a service is linked, so give the PagerDuty "
                 "service names in services instead)" % quoted_list(ids))
    extra = connected_names([s for s in connected if not any(designates(s, wanted) for wanted in requested)])
    if extra:
        text += ", and the ones connected now that you still need (%s)" % quoted_list(extra)
    return text


def not_connected(account_id, connected, requested, missing):
    """Why the task fails without create_token or token_id, and both ways to connect."""
    return ("%s Cloudflare's API cannot choose PagerDuty services: a person authorises them in PagerDuty. Either "
            "connect in the Cloudflare dashboard (%s, then authorise %s) and run this task again, or run it with "
            "create_token: true, which returns a connection token and the steps to follow, then run it with "
            "token_id set to that token." % (what_is_missing(account_id, connected, requested, missing),
                                             DASHBOARD_PATH, what_to_authorise(connected, requested)))


def next_step(account_id, connected, requested, check_mode):
    steps = ("1. In the Cloudflare dashboard, open %s. 2. Log in to PagerDuty and authorise %s. 3. Run this task "
             "again with token_id set to the returned token_id and without create_token: that links the services "
             "to the account and checks them." % (DASHBOARD_PATH, what_to_authorise(connected, requested)))
    if check_mode:
        return ("Check mode: no token was created. Without check mode, this task creates a one-time PagerDuty "
                "connection token for Cloudflare account %s, returns it as token_id, and the next steps are: %s"
                % (account_id, steps))
    return ("A one-time PagerDuty connection token was created for Cloudflare account %s and returned as token_id; "
            "it is a secret, keep it out of logs. Next: %s" % (account_id, steps))


def token_outcome_unclear(error):
    return ("Creating a connection token had no clear outcome (%s). A token may have been created, but it is unknown "
            "and will never be linked, which is harmless. Run this task again for a new one." % error)


def link_refused(account_id, error, refusal):
    advice = LINK_ADVICE.get(refusal, "if it was used or has expired, %s" % NEW_TOKEN_ADVICE)
    return ("Could not link the connection token to Cloudflare account %s: %s. A token links once, and only after a "
            "person authorised services in PagerDuty for it; %s." % (account_id, error, advice))


def link_outcome_unclear(error, account_id, after, requested, missing):
    return ("Linking the connection token had no clear outcome (%s), and the list taken afterwards shows it did not "
            "connect everything. %s Run this task again: if the token was used up, it will say so."
            % (error, what_is_missing(account_id, after, requested, missing)))


def linked_nothing(account_id):
    return ("Linked the connection token to Cloudflare account %s, but no PagerDuty service is connected: no service "
            "was authorised in PagerDuty for this token. The token is used up: %s." % (account_id, NEW_TOKEN_ADVICE))


def linked_without(account_id, after, requested, missing):
    return ("Linked the connection token to Cloudflare account %s, but these services are still not connected: %s "
            "(connected now: %s). They were not authorised in PagerDuty for this token, which is now used up. To "
            "connect them, %s, and authorise %s." % (account_id, quoted_list(missing), quoted_list(connected_names(after)),
                                                     NEW_TOKEN_ADVICE, what_to_authorise(after, requested)))


def not_eligible(account_id, eligible_path):
    """Why PagerDuty cannot be used, and what to do: the plan requirement, as Cloudflare's documentation puts it."""
    return ("PagerDuty is not available to Cloudflare account %s: Cloudflare says the account is not eligible for "
            "PagerDuty destinations (GET %s answered eligible: false). Cloudflare's notifications documentation: %s. "
            "Put a zone of the account on a Business or higher plan, then run this task again."
            % (account_id, eligible_path, PAGERDUTY_PLAN))


def token_not_eligible(account_id, eligible_path):
    """Before creating a connection token (in check mode too): the account cannot use PagerDuty."""
    return "No connection token can be created. %s" % not_eligible(account_id, eligible_path)


def refused_not_eligible(account_id, eligible_path, error):
    """A refused request explained by the eligibility: the request, its status and Cloudflare's own texts first.

    The error's hint is left out: it points at the credentials, which the eligibility read has just cleared."""
    refused = copy.copy(error)
    refused.hint = None
    return "%s. %s" % (refused.describe(), not_eligible(account_id, eligible_path))


def eligibility_unknown(account_id, error):
    """The info module listed the services but could not read the eligibility: eligible is returned as null."""
    return ("Could not read whether Cloudflare account %s may use PagerDuty (%s), so eligible is null; the services "
            "were listed." % (account_id, error))
