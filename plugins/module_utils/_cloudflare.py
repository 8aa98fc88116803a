# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Layer 2: Cloudflare. Base URL, auth, the response envelope and the PagerDuty destination calls."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
from urllib.parse import quote

from ansible.module_utils.basic import env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import (
    ApiError,
    HttpClient,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._options import (
    api_url_problem,
    transport_argument_spec,
    transport_option_problems,
)

VENDOR = "Cloudflare"
DEFAULT_API_URL = "https://api.cloudflare.com/client/v4"
DESTINATIONS_PATH = "/accounts/%s/alerting/v3/destinations/pagerduty"
ELIGIBLE_PATH = "/accounts/%s/alerting/v3/destinations/eligible"
# Cloudflare's notifications documentation on who may use PagerDuty (the plan decides; the API only says yes or no).
PAGERDUTY_PLAN = "PagerDuty is available if the account has at least one zone on a Business or higher plan"
# Cloudflare's error code for a refusal of the credentials or their permissions (401 and 403 alike).
AUTHENTICATION_ERROR = 10000
# What error messages show instead of the one-time token, which is a secret.
TOKEN_PLACEHOLDER = "{token_id}"

# Used with fullmatch: `$` would also match before a final line break.
HEX32 = re.compile(r"[0-9a-fA-F]{32}")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def cloudflare_argument_spec(**module_options):
    """The account, credential and endpoint options every Cloudflare module shares, plus the module's own."""
    spec = dict(
        # Not required=True: our own check names the environment variable too.
        account_id=dict(type="str", fallback=(env_fallback, ["CLOUDFLARE_ACCOUNT_ID"])),
        api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["CLOUDFLARE_API_TOKEN"])),
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["CLOUDFLARE_API_KEY"])),
        email=dict(type="str", fallback=(env_fallback, ["CLOUDFLARE_EMAIL"])),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["CLOUDFLARE_BASE_URL"])),
    )
    spec.update(transport_argument_spec())
    spec.update(module_options)
    return spec


def account_id_problem(account_id):
    """Why account_id is not a Cloudflare account ID, or None. The value is not echoed: it may be a pasted secret."""
    value = account_id or ""
    if HEX32.fullmatch(value):
        return None
    if HEX32.fullmatch(value.strip()):
        return "account_id has spaces or line breaks around it; remove them"
    if not value.strip():
        return "account_id must not be empty (set it or the CLOUDFLARE_ACCOUNT_ID environment variable)"
    if "@" in value:
        return ("account_id looks like an email address; it must be the account ID, 32 hexadecimal characters "
                "(Cloudflare dashboard: Account Home, the account's menu, Copy account ID)")
    return ("account_id must be the Cloudflare account ID, 32 hexadecimal characters (Cloudflare dashboard: "
            "Account Home, the account's menu, Copy account ID); the value given has %d characters%s"
            % (len(value), "" if len(value) != 32 else " that are not all hexadecimal"))


def _is_set(params, option):
    return bool((params.get(option) or "").strip())


ENV_NAMES = dict(api_token="CLOUDFLARE_API_TOKEN", api_key="CLOUDFLARE_API_KEY", email="CLOUDFLARE_EMAIL")


def resolve_credentials(params, environ=None):
    """The options with the credentials that will be used: when one way to authenticate comes from the task and
    the other only from the environment, the task wins, and the other way's values are dropped (never sent).

    A value equal to its environment variable is taken to come from it (Ansible's fallback leaves no other trace).
    Returns a new dict; params is left as it is.
    """
    environ = os.environ if environ is None else environ
    resolved = dict(params)

    def from_env(option):
        return not _is_set(params, option) or params[option] == environ.get(ENV_NAMES[option])

    token, global_key = _is_set(params, "api_token"), _is_set(params, "api_key") or _is_set(params, "email")
    if not (token and global_key):
        return resolved
    token_from_env = from_env("api_token")
    global_key_from_env = from_env("api_key") and from_env("email")
    if token_from_env and not global_key_from_env:
        resolved["api_token"] = None
    elif global_key_from_env and not token_from_env:
        resolved["api_key"] = resolved["email"] = None
    return resolved


def auth_problems(params):
    """Exactly one way to authenticate: api_token, or email with api_key."""
    token, key, email = (_is_set(params, o) for o in ("api_token", "api_key", "email"))
    if token and (key or email):
        both = "api_key" if key else "email"
        return ["api_token and %s are both set (from the task or the CLOUDFLARE_API_TOKEN and CLOUDFLARE_%s environment "
                "variables): use either api_token, or email with api_key, not both" % (both, both.upper())]
    if key and not email:
        return ["api_key is set but email is not: the global API key needs the email address of its user "
                "(email or CLOUDFLARE_EMAIL); or use api_token instead"]
    if email and not key:
        return ["email is set but api_key is not: email is only used with the global API key "
                "(api_key or CLOUDFLARE_API_KEY); or use api_token instead"]
    if not token and not key:
        return ["no credentials: set api_token (or the CLOUDFLARE_API_TOKEN environment variable), or email and "
                "api_key (CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY)"]
    return []


def connection_option_problems(params):
    """Errors in the connection options (after resolve_credentials), found before anything is sent."""
    problems = transport_option_problems(params)
    problem = account_id_problem(params.get("account_id"))
    if problem:
        problems.append(problem)
    problems.extend(auth_problems(params))
    # An empty api_url (CLOUDFLARE_BASE_URL set to "" by a credential's injector) means the default.
    problem = api_url_problem(params["api_url"]) if params.get("api_url") else None
    if problem:
        problems.append(problem)
    return problems


def looks_like_id(value):
    """True for a Cloudflare destination id or connection token: 32 hex characters or a dashed UUID."""
    value = value or ""
    return bool(HEX32.fullmatch(value) or UUID.fullmatch(value))


def _same_id(a, b):
    return a.replace("-", "").lower() == b.replace("-", "").lower()


def designates(service, wanted):
    """Whether a requested entry (a name, or an id with or without dashes) designates this connected service."""
    if wanted in (service["name"], service["id"]):
        return True
    return looks_like_id(wanted) and looks_like_id(service["id"]) and _same_id(service["id"], wanted)


def missing_from(connected, requested):
    """The requested entries that designate no connected service, each once, in the order given."""
    missing = []
    for wanted in requested:
        if wanted not in missing and not any(designates(s, wanted) for s in connected):
            missing.append(wanted)
    return missing


def connected_names(services):
    """The services' names (their ids where they have none), sorted."""
    return sorted(str(s["name"] if s.get("name") not in (None, "") else s["id"]) for s in services)


def token_id_problem(token_id, option="token_id"):
    """Why token_id cannot be a connection token, or None. Never shows the value: it is a secret."""
    value = token_id or ""
    if looks_like_id(value):
        return None
    if looks_like_id(value.strip()):
        return "%s has spaces or line breaks around it; remove them" % option
    if not value.strip():
        return "%s must not be empty" % option
    return ("%s must be the connection token returned by create_token=true: 32 hexadecimal characters, "
            "or a UUID with dashes (36 characters); the value given has %d characters" % (option, len(value)))


def base_url(params):
    return (params.get("api_url") or DEFAULT_API_URL).strip().rstrip("/")


def auth_headers(params):
    """Bearer token, or the global key with its email: never both."""
    if _is_set(params, "api_token"):
        return {"Authorization": "Bearer %s" % params["api_token"].strip()}
    return {"X-Auth-Email": params["email"].strip(), "X-Auth-Key": params["api_key"].strip()}


def _error_items(body):
    if not isinstance(body, dict):
        return []
    errors = body.get("errors")
    if isinstance(errors, (dict, str)):
        errors = [errors]
    return errors if isinstance(errors, list) else []


def _format_item(item):
    """`6003: Invalid request headers (6111: Invalid format for Authorization header)`."""
    if not isinstance(item, dict):
        return str(item)
    message = item.get("message")
    code = item.get("code")
    text = str(message) if message not in (None, "") else "(no message)"
    if code not in (None, ""):
        text = "%s: %s" % (code, text)
    chain = item.get("error_chain")
    if isinstance(chain, list) and chain:
        text += " (%s)" % "; ".join(_format_item(link) for link in chain)
    return text


def error_messages(body, text=None):
    """Cloudflare's error texts from an envelope: its errors with their chains, else its messages."""
    messages = [_format_item(item) for item in _error_items(body)]
    if not messages and isinstance(body, dict) and isinstance(body.get("messages"), list):
        messages = [_format_item(item) for item in body["messages"]]
    return messages


def _hint(status, has_messages, account_id, uses_token, explain_not_found=True):
    """The usual cause of a refusal, told by its status (Cloudflare uses code 10000 for both 401 and 403)."""
    credentials = "api_token" if uses_token else "email and api_key"
    if status == 400 and not explain_not_found:
        return None
    if status == 400:
        return ("Cloudflare could not read the credentials: check the format of %s (no quotes, spaces or line breaks)"
                % credentials)
    if status == 401:
        return "Cloudflare did not accept the credentials: check %s" % credentials
    if status == 403:
        who = ("the API token has the Notifications permission there (Read to list, Edit to connect or delete)"
               if uses_token else "email and api_key are right and their user is a member of the account")
        return ("Cloudflare refused this to these credentials: check that account_id %s is an account they can reach, "
                "that %s, and that the account may use PagerDuty (%s)" % (account_id, who, PAGERDUTY_PLAN))
    if status == 429:
        return ("Cloudflare's rate limit was reached (1200 requests per 5 minutes per user, shared with the dashboard "
                "and every other tool; over it, every call is refused for the next five minutes): run again later, "
                "or raise retries")
    if status == 404 and not explain_not_found:
        return None
    if status == 404 and has_messages:
        return "Cloudflare knows no such address: check account_id and api_url"
    if status == 404:
        return "This is not a Cloudflare answer: check api_url"
    return None


def read_envelope(method, path, response):
    """The `result` of a successful answer (None when null or absent). The one place the envelope is read.

    A 2xx (201 included) is a success only when its body is an envelope saying `success: true`.
    """
    body = response.body
    if not isinstance(body, dict) or not isinstance(body.get("success"), bool):
        # Something answered 2xx, but not Cloudflare: whether a write got through is unknown.
        raise ApiError(method, path, response.status, reason="not a Cloudflare answer: no JSON envelope",
                       hint="Check api_url", maybe_applied=True, vendor=VENDOR)
    if not body["success"]:
        raise ApiError(method, path, response.status, error_messages(body), reason="success: false", vendor=VENDOR)
    return body.get("result")


def _error_code(message):
    """The code an error text of error_messages starts with (`10000: Authentication error`), or None."""
    code = message.split(":", 1)[0] if ":" in message else ""
    return int(code) if code.isdigit() else None


def may_be_the_plan(error):
    """Whether a refusal may come from the account's plan, so that reading the eligibility can tell: a 403 that is
    not Cloudflare's refusal of the credentials or their permissions (code 10000). The eligibility read needs the
    same permissions as the list, so after a 10000 it would be refused alike."""
    return error.status == 403 and AUTHENTICATION_ERROR not in [_error_code(m) for m in error.messages]


def _flag(entries, key):
    """True when an entry says so, False when entries say so and none says True, None when none says."""
    values = [entry.get(key) for entry in entries if isinstance(entry.get(key), bool)]
    return (True in values) if values else None


def pagerduty_eligibility(result):
    """{"eligible", "ready"} of PagerDuty from the eligibility map (type -> [{eligible, ready, type}]).

    Each is True or False as Cloudflare says, or None when its answer does not say: no `pagerduty` key, an empty
    list, entries without the flag. A missing key is not read as "not eligible": Cloudflare documents no such
    meaning, and a module must never refuse on a guess. An entry of another `type` is ignored; a single entry given
    as a map instead of a list is read too.
    """
    entries = result.get("pagerduty")
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        entries = []
    entries = [e for e in entries if isinstance(e, dict) and e.get("type") in (None, "pagerduty")]
    return dict(eligible=_flag(entries, "eligible"), ready=_flag(entries, "ready"))


class NotEligible(Exception):
    """A refused request that the eligibility explains: Cloudflare says the account may not use PagerDuty."""

    def __init__(self, refusal, eligibility):
        super(NotEligible, self).__init__(str(refusal))
        self.refusal = refusal  # the ApiError of the refused request
        self.eligibility = eligibility  # {"eligible": False, "ready"}


LINK_NOT_AUTHORISED = "not_authorised"
LINK_USED_OR_UNKNOWN = "used_or_unknown"
LINK_RATE_LIMITED = "rate_limited"


def link_refusal(error):
    """Why Cloudflare refused to link a token, from its answer: nobody finished authorising it (400), it is unknown
    or used up (404), or the rate limit (429). None for any other failure."""
    return {400: LINK_NOT_AUTHORISED, 404: LINK_USED_OR_UNKNOWN, 429: LINK_RATE_LIMITED}.get(error.status)


class CloudflarePagerDutyApi:
    """The four calls on an account's PagerDuty destinations and the eligibility read, with Cloudflare's answers turned
    into plain results."""

    def __init__(self, client, account_id, uses_token=True):
        self.client = client
        self.account_id = account_id
        self.uses_token = uses_token
        self.path = DESTINATIONS_PATH % quote(account_id, safe="")
        self.eligible_path = ELIGIBLE_PATH % quote(account_id, safe="")

    vendor = VENDOR

    @staticmethod
    def resolve_options(params):
        return resolve_credentials(params)

    @staticmethod
    def option_problems(params):
        return connection_option_problems(params)

    @classmethod
    def from_options(cls, params, pool_size=1):
        client = HttpClient.from_options(params, base_url(params), auth_headers(params), VENDOR, error_messages, pool_size)
        return cls(client, params["account_id"], uses_token=_is_set(params, "api_token"))

    def _call(self, method, path, shown_path=None, idempotent=None, explain_not_found=True):
        """One request; returns the Response, its envelope's result in .result.

        shown_path replaces path in errors (to hide a secret); explain_not_found=False when a 404 is an answer
        about the object (an unknown token) rather than a wrong address.
        """
        shown_path = shown_path or path
        try:
            response = self.client.request(method, path, idempotent=idempotent)
        except ApiError as error:
            error.path = shown_path
            if error.status is not None and not error.hint:
                error.hint = _hint(error.status, bool(error.messages), self.account_id, self.uses_token, explain_not_found)
            raise
        response.result = read_envelope(method, shown_path, response)
        return response

    def list_services(self):
        """The connected PagerDuty services as [{"id", "name"}], in the API's order; [] for none (`result: null`)."""
        response = self._call("GET", self.path)
        result = response.result
        if result is None:
            return []
        if not isinstance(result, list):
            raise ApiError("GET", self.path, response.status, reason="the result is not a list", vendor=VENDOR)
        services = []
        for item in result:
            if isinstance(item, dict) and item.get("id") is not None:
                services.append({"id": str(item["id"]), "name": item.get("name")})
        return services

    def read_eligibility(self):
        """Whether the account may use PagerDuty destinations: {"eligible", "ready"}, each True, False or None
        (see pagerduty_eligibility). A read: allowed in check mode."""
        response = self._call("GET", self.eligible_path)
        if not isinstance(response.result, dict):
            raise ApiError("GET", self.eligible_path, response.status, reason="the result is not a map of delivery "
                           "mechanisms", vendor=VENDOR)
        return pagerduty_eligibility(response.result)

    def list_services_or_not_eligible(self):
        """list_services; when Cloudflare refuses it and says the account is not eligible for PagerDuty, NotEligible.

        The eligibility is read only after a refusal that may come from the plan (may_be_the_plan). When it cannot
        be read, or does not say False, the refusal is raised as it is: never a guess.
        """
        try:
            return self.list_services()
        except ApiError as error:
            refusal = error
        eligibility = None
        if may_be_the_plan(refusal):
            try:
                eligibility = self.read_eligibility()
            except ApiError:
                pass
        if eligibility is None or eligibility["eligible"] is not False:
            raise refusal
        raise NotEligible(refusal, eligibility)

    def delete_all(self):
        """Remove EVERY PagerDuty destination of the account: the API has no call that removes one."""
        self._call("DELETE", self.path)

    def create_token(self):
        """Create a one-time connection token and return it (a secret).

        A POST whose answer was lost is not sent again: the client retries it only when it certainly never
        reached Cloudflare (no connection made, or 429). Resending would in fact be harmless, since a token that
        nobody links is just a spare one, but a re-run of the task does the same, and says so (see the module).
        """
        path = self.path + "/connect"
        response = self._call("POST", path, idempotent=False)
        token = response.result.get("id") if isinstance(response.result, dict) else None
        if not token:
            raise ApiError("POST", path, response.status, reason="the answer holds no token id", vendor=VENDOR)
        return str(token)

    def link_token(self, token_id):
        """Link what a person authorised in PagerDuty for this token to the account: the return leg of the hand-off.

        Although a GET, it consumes the one-time token, so it is never resent once it may have reached Cloudflare
        (idempotent=False); the caller lists the services again to learn whether it was applied.
        """
        path = "%s/connect/%s" % (self.path, quote(token_id, safe=""))
        shown = "%s/connect/%s" % (self.path, TOKEN_PLACEHOLDER)
        self._call("GET", path, shown_path=shown, idempotent=False, explain_not_found=False)
