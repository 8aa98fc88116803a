# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Layer 2: Datadog. Base URL, auth, error reading and the service-object calls."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import quote

from ansible.module_utils.basic import env_fallback

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import (
    ApiError,
    HttpClient,
)
from ansible_collections.oncall.pagerduty.plugins.module_utils._options import (
    api_url_problem,
    secret_header_problem,
    transport_argument_spec,
    transport_option_problems,
)

VENDOR = "Datadog"
SITES = (
    "datadoghq.com",
    "us3.datadoghq.com",
    "us5.datadoghq.com",
    "ap1.datadoghq.com",
    "ap2.datadoghq.com",
    "uk1.datadoghq.com",
    "datadoghq.eu",
    "ddog-gov.com",
    "us2.ddog-gov.com",
)
DEFAULT_SITE = "datadoghq.com"
SERVICES_PATH = "/api/v1/integration/pagerduty/configuration/services"
# The integration-level object: its GET lists every service object (keys masked). Undocumented since 2020 but still
# read by Datadog's own Terraform provider. Never written: a PUT replaces the whole integration's configuration.
INTEGRATION_PATH = "/api/v1/integration/pagerduty"

SERVICE_NOT_FOUND = "Service not found"
INTEGRATION_NOT_FOUND = "Pagerduty Integration not found"
ALREADY_EXISTS = "Service already exists"


def datadog_argument_spec(**module_options):
    """The connection options every Datadog module shares, plus the module's own."""
    spec = dict(
        api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["DD_API_KEY"])),
        app_key=dict(type="str", required=True, no_log=True, aliases=["application_key"],
                     fallback=(env_fallback, ["DD_APP_KEY"])),
        site=dict(type="str", default=DEFAULT_SITE, choices=list(SITES), fallback=(env_fallback, ["DD_SITE"])),
        api_url=dict(type="str", fallback=(env_fallback, ["DD_HOST"])),
    )
    spec.update(transport_argument_spec())
    spec.update(module_options)
    return spec


def connection_option_problems(params):
    """Errors in the connection options, found before anything is sent."""
    problems = transport_option_problems(params)
    for option in ("api_key", "app_key"):
        if not (params.get(option) or "").strip():
            problems.append("%s must not be empty (set it or the %s environment variable)"
                            % (option, "DD_API_KEY" if option == "api_key" else "DD_APP_KEY"))
        elif secret_header_problem(params, option):
            problems.append(secret_header_problem(params, option))
    if params.get("api_url"):
        problem = api_url_problem(params["api_url"])
        if problem:
            problems.append(problem)
    return problems


def base_url(params):
    if params.get("api_url"):
        return params["api_url"].rstrip("/")
    return "https://api.%s" % (params.get("site") or DEFAULT_SITE)


MAX_NAME_LENGTH = 255  # PagerDuty's own limit for a service name


def addressable(name):
    """Whether a request path can name this service object (Datadog can list some that it cannot address)."""
    return bool(name and name.strip()) and "/" not in name and name not in (".", "..")


def service_name_problem(name, option="service_name"):
    """Why Datadog cannot address this name, or None. A name with '/' can be created but never read again."""
    if name is None or not name.strip():
        return "%s must not be empty or blank" % option
    if len(name) > MAX_NAME_LENGTH:
        return "%s is %d characters long; PagerDuty service names have at most %d" % (option, len(name), MAX_NAME_LENGTH)
    if "/" in name:
        return ("%s %r contains '/': Datadog cannot address such a service object once created "
                "(its router answers 404 to %%2F), so it is refused" % (option, name))
    if name in (".", ".."):
        return ("%s %r cannot be addressed: HTTP clients and proxies resolve it as a path segment, "
                "so it is refused" % (option, name))
    return None


def error_messages(body, text):
    """Every error body shape Datadog sends: {"errors": [str]}, the proxy's page, or nothing."""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, str):
            errors = [errors]
        if isinstance(errors, list):
            messages = []
            for item in errors:
                if isinstance(item, dict):
                    item = item.get("detail") or item.get("title") or item.get("message") or str(item)
                messages.append(str(item))
            return messages
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return [body[key]]
    return []


class IntegrationNotInstalled(ApiError):
    """The org has no PagerDuty integration: every call answers 404, but nothing is 'absent'."""

    def describe(self):
        return ("Datadog's PagerDuty integration is not installed in this organization: %s. "
                "Install the PagerDuty integration tile in Datadog (Integrations > PagerDuty) and connect "
                "your PagerDuty account first; service objects can only be managed after that."
                % super(IntegrationNotInstalled, self).describe())


class ListingUnavailable(ApiError):
    """The organization's service objects cannot be listed: nothing may be inferred about which exist."""

    def describe(self):
        return ("Datadog cannot list the PagerDuty service objects of this organization: %s. The list comes from "
                "GET %s, which Datadog no longer documents and may refuse. Read service objects by name instead "
                "(service_names of oncall.pagerduty.datadog_pagerduty_service_info), and leave purge_services off"
                % (super(ListingUnavailable, self).describe(), INTEGRATION_PATH))


AUTH_HINT = ("Check api_key and app_key (the application key needs integrations_read to read and manage_integrations "
             "to change) and that site or api_url is the organization's Datadog site")


def _reraise_typed(error):
    if error.status == 404 and INTEGRATION_NOT_FOUND in error.messages:
        raise IntegrationNotInstalled(error.method, error.path, error.status, error.messages, vendor=VENDOR)
    if error.status in (401, 403) and not error.hint:
        error.hint = AUTH_HINT
    raise error


def _check_service_not_found(method, path, response):
    """Accept a 404 only when Datadog says the service is absent; every other 404 is an error."""
    messages = error_messages(response.body, response.text)
    if INTEGRATION_NOT_FOUND in messages:
        raise IntegrationNotInstalled(method, path, 404, messages, vendor=VENDOR)
    if SERVICE_NOT_FOUND not in messages:
        # A router's or a wrong api_url's 404 must never be read as "absent", or we would create blindly.
        raise ApiError(method, path, 404, messages, reason="not a Datadog answer; check api_url or site", vendor=VENDOR)


class DatadogPagerDutyApi:
    """The four calls on PagerDuty service objects, with Datadog's answers turned into plain results."""

    def __init__(self, client):
        self.client = client

    vendor = VENDOR

    @staticmethod
    def resolve_options(params):
        """The options as they will be used: Datadog's need no resolving (see CloudflarePagerDutyApi)."""
        return params

    @staticmethod
    def option_problems(params):
        return connection_option_problems(params)

    @classmethod
    def from_options(cls, params, pool_size=1):
        headers = {"DD-API-KEY": params["api_key"], "DD-APPLICATION-KEY": params["app_key"]}
        return cls(HttpClient.from_options(params, base_url(params), headers, VENDOR, error_messages, pool_size))

    @staticmethod
    def service_path(name):
        return "%s/%s" % (SERVICES_PATH, quote(name, safe=""))

    def _call(self, method, path, body=None, expected_missing=(), idempotent=None):
        try:
            return self.client.request(method, path, body=body, expected_missing=expected_missing, idempotent=idempotent)
        except ApiError as error:
            _reraise_typed(error)

    def get_service(self, name):
        """The service object as {"service_name": ...}, or None when it does not exist."""
        path = self.service_path(name)
        response = self._call("GET", path, expected_missing=(404,))
        if response.status == 404:
            _check_service_not_found("GET", path, response)
            return None
        if not isinstance(response.body, dict) or not isinstance(response.body.get("service_name"), str):
            # A proxy's or a wrong api_url's page must never be read as "exists", or we would skip or delete blindly.
            raise ApiError("GET", path, response.status, reason="not a Datadog answer: no service_name in the body; "
                           "check api_url or site", vendor=VENDOR)
        return {"service_name": response.body["service_name"]}

    def list_services(self):
        """The names of every service object of the organization, from the integration-level read.

        Raises ListingUnavailable when Datadog refuses that read or answers something else than the list.
        """
        try:
            response = self.client.request("GET", INTEGRATION_PATH)
        except ApiError as error:
            if error.status == 404 and INTEGRATION_NOT_FOUND in error.messages:
                _reraise_typed(error)
            if error.status in (401, 403, 404, 405, 410):
                hint = AUTH_HINT if error.status in (401, 403) else None
                raise ListingUnavailable(error.method, error.path, error.status, error.messages, reason=error.reason,
                                         vendor=VENDOR, hint=hint)
            _reraise_typed(error)
        services = response.body.get("services") if isinstance(response.body, dict) else None
        if not isinstance(services, list) or not all(isinstance(item, dict) and isinstance(item.get("service_name"), str)
                                                     for item in services):
            raise ListingUnavailable("GET", INTEGRATION_PATH, response.status, vendor=VENDOR,
                                     reason="the answer holds no list of services")
        return [item["service_name"] for item in services]

    def read_services(self, names, concurrency=1):
        """Read many objects over the one session, `concurrency` at a time.

        Returns {name: True (exists) | False (absent) | ApiError}: one failed read does not hide the others.
        """
        def exists(name):
            try:
                return self.get_service(name) is not None
            except ApiError as error:
                return error

        unique = list(dict.fromkeys(names))
        if concurrency <= 1 or len(unique) <= 1:
            return dict((name, exists(name)) for name in unique)
        from concurrent.futures import ThreadPoolExecutor  # only batches pay for it: every module start counts

        with ThreadPoolExecutor(max_workers=min(concurrency, len(unique))) as pool:
            return dict(zip(unique, pool.map(exists, unique)))

    def create_service(self, name, key):
        """Create the object. Returns True if this call created it, False if it already existed (a lost race).

        A POST whose answer was lost is never blindly repeated: the client asks a read whether it landed.
        """
        try:
            self.client.request("POST", SERVICES_PATH, body={"service_name": name, "service_key": key},
                                idempotent=False, recheck=lambda: self.get_service(name) is not None)
        except ApiError as error:
            if error.status == 400 and ALREADY_EXISTS in error.messages:
                # After a try whose answer was lost, the object found is most likely the one that try made.
                return error.after_unclear
            _reraise_typed(error)
        return True

    def update_service(self, name, key):
        self._call("PUT", self.service_path(name), body={"service_key": key})

    def delete_service(self, name):
        """Delete the object. Returns False when someone else deleted it first (a DELETE answered 404).

        A 404 after a try whose answer was lost counts as ours: that try most likely deleted it.
        """
        path = self.service_path(name)
        response = self._call("DELETE", path, expected_missing=(404,))
        if response.status == 404:
            _check_service_not_found("DELETE", path, response)
            return response.resent_after_unclear
        return True
