# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every module of the collection runs around its read-compare-act (run_module)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.oncall.pagerduty.plugins.module_utils._http_client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiError,
)


class TaskFailure(Exception):
    """The desired state cannot be reached by this run: msg says why and what to do; result goes to fail_json."""

    def __init__(self, msg, **result):
        super(TaskFailure, self).__init__(msg)
        self.msg = msg
        self.result = result


def fail_on_problems(module, problems):
    """Refuse bad input before any request: every problem named, nothing sent."""
    if problems:
        module.fail_json(msg="Invalid options: %s." % "; ".join(problems), invalid_options=problems)


def run_module(module, api_class, act, task_problems=None, pool_size=1):
    """Run a module: the requests check; the task's options resolved (api_class.resolve_options) and every problem
    in them reported at once before anything is sent (api_class.option_problems and task_problems(params)); the
    adapter made from them (api_class.from_options); then act(api, params), the module's read-compare-act, which
    returns the result. An ApiError or TaskFailure becomes a clean failure that keeps the result's fields; warnings
    are shown; the diff is returned only in diff mode.
    """
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    params = api_class.resolve_options(module.params)
    fail_on_problems(module, api_class.option_problems(params) + (task_problems(params) if task_problems else []))
    api = api_class.from_options(params, pool_size=pool_size)
    try:
        result = act(api, params)
    except ApiError as error:
        # The vendor, method, path, status and the API's own texts; never a credential.
        result = dict(error.to_result(), msg=str(error), failed=True)
    except TaskFailure as failure:
        result = dict(failure.result, msg=failure.msg, failed=True)
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if not module._diff:
        result.pop("diff", None)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)
