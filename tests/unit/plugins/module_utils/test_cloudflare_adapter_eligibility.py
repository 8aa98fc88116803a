# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Cloudflare adapter's eligibility read (GET .../destinations/eligible), and the refused list it explains."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.oncall.pagerduty.plugins.module_utils import _cloudflare as cloudflare
from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import ApiError
from ansible_collections.oncall.pagerduty.tests.unit.conftest import (
    CLOUDFLARE_ELIGIBILITY as ELIGIBILITY,
    CLOUDFLARE_ELIGIBLE_PATH as ELIGIBLE_PATH,
    CLOUDFLARE_PATH as PATH,
    cloudflare_envelope as envelope,
    cloudflare_ok as ok,
    cloudflare_refused as refused,
    raised_api_error as raised,
)


# -- eligibility ---------------------------------------------------------------------------------

def pagerduty(*entries):
    return dict(ELIGIBILITY, pagerduty=list(entries))


@pytest.mark.parametrize("result, expected", [
    (ELIGIBILITY, (True, True)),
    (pagerduty({"eligible": False, "ready": True, "type": "pagerduty"}), (False, True)),
    (pagerduty({"eligible": False, "ready": False}), (False, False)),  # no type: the key says it
    (pagerduty({"eligible": False}, {"eligible": True}), (True, None)),  # one entry that allows it is enough
    (pagerduty({"eligible": True, "type": "webhook"}), (None, None)),  # another mechanism's entry is not read
    (pagerduty({"eligible": "yes", "ready": 1}, "junk", None), (None, None)),  # not booleans: Cloudflare did not say
    (pagerduty(), (None, None)),
    (dict(ELIGIBILITY, pagerduty={"eligible": False, "ready": True}), (False, True)),  # one item, not in a list
    (dict(ELIGIBILITY, pagerduty=None), (None, None)),
    ({"email": ELIGIBILITY["email"]}, (None, None)),  # no pagerduty key: unknown, not "not eligible"
    ({}, (None, None)),
])
def test_the_eligibility_of_pagerduty_is_read_from_the_map(api, scripted, result, expected):
    scripted.script(ok(result))
    assert api.read_eligibility() == dict(zip(("eligible", "ready"), expected))


@pytest.mark.parametrize("result", [None, [], ["pagerduty"], "pagerduty"])
def test_an_eligibility_that_is_not_a_map_is_an_error(api, scripted, result):
    scripted.script(ok(result))
    assert str(raised(api.read_eligibility)) == ("Cloudflare API GET %s returned HTTP 200 (the result is not a map of "
                                                 "delivery mechanisms)" % ELIGIBLE_PATH)


@pytest.mark.parametrize("status, errors, expected", [
    (403, [{"code": 17100, "message": "not on this plan"}], True),
    (403, [{"message": "no code"}, "plain"], True),
    (403, [], True),
    (403, [{"code": 10000, "message": "Authentication error"}], False),  # credentials: eligibility refused alike
    (403, [{"code": 1, "message": "x"}, {"code": 10000, "message": "Authentication error"}], False),
    (401, [{"code": 17100, "message": "not on this plan"}], False),
    (400, [{"code": 17100, "message": "not on this plan"}], False),
    (404, [], False),
    (429, [], False),
])
def test_only_a_403_other_than_a_refusal_of_the_credentials_may_be_the_plan(status, errors, expected):
    error = ApiError("GET", PATH, status, cloudflare.error_messages(envelope(success=False, errors=errors)))
    assert cloudflare.may_be_the_plan(error) is expected


def test_a_list_refused_by_the_plan_is_not_eligible_with_the_refusal(api, scripted):
    scripted.script(refused(403, {"code": 17100, "message": "not on this plan"}),
                    ok(pagerduty({"eligible": False, "ready": True, "type": "pagerduty"})))
    with pytest.raises(cloudflare.NotEligible) as caught:
        api.list_services_or_not_eligible()
    assert caught.value.eligibility == dict(eligible=False, ready=True)
    assert caught.value.refusal.status == 403 and caught.value.refusal.messages == ["17100: not on this plan"]
    assert str(caught.value) == str(caught.value.refusal)
    assert scripted.calls() == [("GET", "/client/v4" + PATH), ("GET", "/client/v4" + ELIGIBLE_PATH)]


@pytest.mark.parametrize("eligibility", [
    ok(ELIGIBILITY),
    ok(pagerduty()),
    ok([]),
    refused(403, {"code": 17100, "message": "not on this plan"}),
])
def test_a_refused_list_the_eligibility_does_not_explain_is_raised_as_it_is(make_api, scripted, eligibility):
    scripted.script(refused(403, {"code": 17100, "message": "not on this plan"}), eligibility)
    error = raised(make_api(retries=0).list_services_or_not_eligible)
    assert (error.path, error.status, error.messages) == (PATH, 403, ["17100: not on this plan"])
    assert len(scripted.calls()) == 2


def test_a_list_that_answers_needs_no_eligibility(api, scripted):
    scripted.script(ok([]))
    assert api.list_services_or_not_eligible() == []
    assert len(scripted.calls()) == 1
