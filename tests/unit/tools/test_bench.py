# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The helpers of tools/bench.py (`make bench`): argument parsing, request checks, recap and import-time parsing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import os
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.oncall.pagerduty.tests.sandbox import facts

BENCH_PY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "bench.py"))


def _load_bench():
    spec = importlib.util.spec_from_file_location("oncall_pagerduty_bench", BENCH_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()

PATH_A = facts.DATADOG_SERVICES_PATH + "/a"
PATH_B = facts.DATADOG_SERVICES_PATH + "/b"


def get(path, status=200, method="GET"):
    return {"vendor": "datadog", "method": method, "path": path, "status": status, "time": 1.0}


# ---------------------------------------------------------------------------------------------
# Options


def test_defaults():
    args = bench.parse_args([])
    assert (args.n, args.runs, args.loop_runs, args.latency_ms, args.concurrency) == (40, 5, 5, [0, 50], 16)
    assert args.json is None and not args.pipelining


def test_quick_is_a_smoke_test():
    args = bench.parse_args(["--quick", "--n", "99"])
    assert (args.n, args.runs, args.loop_runs, args.module_start_runs) == (10, 1, 1, 5)


def test_loop_runs_follow_runs_by_default():
    assert bench.parse_args(["--runs", "2"]).loop_runs == 2
    assert bench.parse_args(["--runs", "2", "--loop-runs", "4"]).loop_runs == 4


@pytest.mark.parametrize("argv", [["--concurrency", "0"], ["--concurrency", "33"], ["--n", "0"], ["--runs", "0"],
                                  ["--latency-ms", "-5"], ["--latency-ms", "fast"], ["--latency-ms", ","]])
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert "error" in capsys.readouterr().err


def test_parse_latencies():
    assert bench.parse_latencies("0,50") == [0, 50]
    assert bench.parse_latencies(" 12.5 , 100 ,") == [12.5, 100]
    assert isinstance(bench.parse_latencies("50.0")[0], int)


# ---------------------------------------------------------------------------------------------
# What each variant must send


def test_expected_requests_of_each_variant():
    names = bench.service_names(3)
    expected = dict((variant.key, variant.expected_paths(names)) for variant in bench.VARIANTS)
    assert expected["start"] == []
    assert expected["d"] == [bench.service_path(names[0])]
    for key in ("a", "b", "c"):
        assert expected[key] == [bench.service_path(name) for name in names]
    assert [v.key for v in bench.VARIANTS if v.loop] == ["a", "b"]


def test_service_path_encodes_the_whole_segment():
    assert bench.service_path("a b/c+d") == facts.DATADOG_SERVICES_PATH + "/a%20b%2Fc%2Bd"


def test_names_and_keys_are_distinct():
    names = bench.service_names(40)
    assert len(set(names)) == 40 and all(bench.service_path(n).endswith("/" + n) for n in names)
    assert len(set(bench.service_key(i) for i in range(40))) == 40


def test_exactly_the_expected_gets_pass():
    assert bench.journal_problems([get(PATH_B), get(PATH_A)], [PATH_A, PATH_B]) == []
    assert bench.journal_problems([], []) == []


@pytest.mark.parametrize("journal, fragment", [
    ([get(PATH_A)], "1 requests instead of 2"),
    ([get(PATH_A), get(PATH_A)], "unexpected or repeated"),
    ([get(PATH_A), get(PATH_B), get(PATH_B)], "3 requests instead of 2"),
    ([get(PATH_A), get(PATH_B, method="PUT")], "other than GET"),
    ([get(PATH_A), get(PATH_B, status=404)], "not answered 200"),
    ([get(PATH_A), get(PATH_B, status=None)], "not answered 200"),
])
def test_anything_else_is_reported(journal, fragment):
    problems = bench.journal_problems(journal, [PATH_A, PATH_B])
    assert any(fragment in problem for problem in problems), problems


def test_run_problems():
    assert bench.run_problems(0, (1, 0, 0, 0), [get(PATH_A)], [PATH_A]) == []
    assert bench.run_problems(0, None, [], [], has_tasks=False) == []
    assert "no PLAY RECAP" in bench.run_problems(0, None, [], [])[0]
    assert "exited with 2" in bench.run_problems(2, (1, 0, 0, 1), [], [])[0]
    assert "changed=1" in bench.run_problems(0, (1, 1, 0, 0), [], [])[0]


def test_parse_recap():
    output = "PLAY RECAP ****\nlocalhost                  : ok=1    changed=0    unreachable=0    failed=0    skipped=0\n"
    assert bench.parse_recap(output) == (1, 0, 0, 0)
    assert bench.parse_recap("PLAY RECAP ****\n\n") is None


# ---------------------------------------------------------------------------------------------
# Results


def test_summary_and_targets():
    records = []
    for key, seconds in (("a", [10.0, 12.0, 11.0]), ("b", [20.0, 22.0, 21.0]), ("c", [2.6, 2.4, 2.5]), ("d", [2.0, 2.0, 2.0])):
        for index, value in enumerate(seconds):
            records.append(dict(variant=key, latency_ms=0, run=index, seconds=value, cpu_s=value / 2, other_cpus=0.1, requests=1,
                                span_s=0.1, problems=[]))
    summary = bench.summarise(records, [0])
    assert summary[("a", 0)]["median"] == 11.0 and summary[("a", 0)]["cpu"] == 5.5
    assert (summary[("a", 0)]["min"], summary[("a", 0)]["max"]) == (10.0, 12.0)
    verdicts = dict((v["target"], v) for v in bench.targets_of(summary, [0], 40))
    assert verdicts["c/d"]["value"] == pytest.approx(1.25) and not verdicts["c/d"]["passed"]
    assert verdicts["a/b"]["value"] == pytest.approx(11.0 / 21.0) and verdicts["a/b"]["passed"]
    assert all(v["at_target_n"] for v in verdicts.values())
    assert not bench.targets_of(summary, [0], 10)[0]["at_target_n"]


def test_a_missing_variant_fails_its_target():
    verdicts = bench.targets_of({}, [50], 40)
    assert verdicts and all(v["value"] is None and not v["passed"] and not v["measured"] for v in verdicts)
    assert bench.ratio(1.0, 0) is None and bench.ratio(None, 1.0) is None


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |   _io
import time:      1000 |       1500 | ansible.module_utils.basic
import time:       300 |        300 |     urllib3.util
import time:       500 |        800 |   urllib3
import time:       700 |       1500 | requests
import time:       400 |        400 |   ansible_collections.oncall.pagerduty.plugins.module_utils._http_client
import time:        50 |        450 | ansible_collections.oncall.pagerduty.plugins.modules.datadog_pagerduty_service
import time:        10 |         10 | ansible_collections
"""


def test_parse_importtime():
    entries = bench.parse_importtime("noise\n" + IMPORTTIME)
    assert entries[0] == (120, 120, 1, "_io")
    assert entries[2] == (300, 300, 2, "urllib3.util")
    assert entries[6] == (50, 450, 0, "ansible_collections.oncall.pagerduty.plugins.modules.datadog_pagerduty_service")
    assert len(entries) == 8


def test_import_origins_and_groups():
    entries = bench.parse_importtime(IMPORTTIME)
    by_origin = bench.sum_self_times(entries, bench.import_origin)
    assert by_origin == {
        "standard library (and other)": 0.12,
        "ansible.module_utils (ansible-core)": 1.0,
        "requests, urllib3, charset_normalizer, idna, certifi": 1.5,
        "oncall.pagerduty (module, module_utils)": 0.45,
        "ansible_collections (namespace packages)": 0.01,
    }
    extra = bench.sum_self_times(entries, bench.import_group, exclude=frozenset(["_io", "ansible.module_utils.basic"]))
    assert extra == {"urllib3": 0.8, "requests": 0.7, "oncall.pagerduty _http_client": 0.4,
                     "oncall.pagerduty datadog_pagerduty_service": 0.05, "ansible_collections": 0.01}
    assert bench.import_group("ansible.module_utils.common.validation") == "ansible.module_utils.common"


def test_median_of_dicts_counts_missing_keys_as_zero():
    assert bench.median_of_dicts([{"a": 1.0}, {"a": 3.0, "b": 2.0}, {"a": 2.0}]) == {"a": 2.0, "b": 0.0}


def test_import_summary():
    summary = bench.import_summary([bench.parse_importtime(IMPORTTIME)] * 3, frozenset(["_io"]))
    assert summary["total_ms"] == pytest.approx(3.08)
    assert "_io" not in summary["extra_by_group"] and summary["modules"] == 8


def test_find_payloads(tmp_path):
    (tmp_path / "ansible-tmp-1").mkdir()
    (tmp_path / "ansible-tmp-1" / "AnsiballZ_ping.py").write_text("")
    (tmp_path / "ansible-tmp-2").mkdir()
    (tmp_path / "ansible-tmp-2" / "AnsiballZ_datadog_pagerduty_service.py").write_text("")
    (tmp_path / "ansible-tmp-2" / "args").write_text("")
    payloads = bench.find_payloads(str(tmp_path))
    assert sorted(payloads) == ["datadog_pagerduty_service", "ping"]


# ---------------------------------------------------------------------------------------------
# Playbooks and process handling


@pytest.mark.parametrize("variant", bench.VARIANTS, ids=lambda v: v.key)
def test_playbooks_are_plays_on_localhost_without_facts(variant):
    with open(os.path.join(bench.PLAYBOOKS, variant.playbook), encoding="utf-8") as handle:
        plays = yaml.safe_load(handle)
    assert len(plays) == 1 and plays[0]["hosts"] == "localhost" and plays[0]["gather_facts"] is False
    tasks = plays[0]["tasks"]
    assert len(tasks) == (0 if variant.key == "start" else 1)
    for task in tasks:
        module = [key for key in task if key.startswith(("ansible.builtin.", "oncall.pagerduty."))]
        assert len(module) == 1
        assert ("loop" in task) == variant.loop


def test_vars_file(tmp_path):
    path = bench.write_vars(str(tmp_path), "http://127.0.0.1:1", bench.service_names(2), 4)
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    assert data["bench_concurrency"] == 4 and data["bench_url"] == "http://127.0.0.1:1"
    assert [s["service_name"] for s in data["bench_services"]] == bench.service_names(2)
    assert data["ansible_python_interpreter"]


def test_environment_is_isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    monkeypatch.setenv("ANSIBLE_CONFIG", "/nonexistent.cfg")
    env = bench.ansible_env(str(tmp_path), "http://127.0.0.1:1")
    assert "DD_SITE" not in env and "ANSIBLE_CONFIG" not in env
    assert env["DD_HOST"] == "http://127.0.0.1:1" and env["ANSIBLE_PIPELINING"] == "False"
    assert env["ANSIBLE_LOCAL_TEMP"].startswith(str(tmp_path)) and env["ANSIBLE_REMOTE_TMP"].startswith(str(tmp_path))
    assert bench.ansible_env(str(tmp_path), "http://x", pipelining=True)["ANSIBLE_PIPELINING"] == "True"


def test_machine_busy_seconds_grows():
    first = bench.machine_busy_seconds()
    if first is None:
        pytest.skip("no /proc/stat")
    sum(range(3000000))
    assert bench.machine_busy_seconds() >= first


def test_variants_option():
    assert bench.parse_args([]).variants == ["start", "a", "b", "c", "d"]
    assert bench.parse_args(["--variants", "c, d"]).variants == ["c", "d"]
    with pytest.raises(SystemExit):
        bench.parse_args(["--variants", "c,e"])


def test_targets_of_variants_not_run_are_skipped():
    summary = {("c", 0): dict(median=1.0), ("d", 0): dict(median=1.0)}
    verdicts = dict((v["target"], v) for v in bench.targets_of(summary, [0], 40))
    assert verdicts["c/d"]["passed"] and verdicts["c/d"]["measured"]
    assert not verdicts["a/b"]["passed"] and not verdicts["a/b"]["measured"]


def test_paired_ratios_compare_runs_of_the_same_round():
    records = [dict(variant="a", latency_ms=0, run=0, seconds=9.0), dict(variant="b", latency_ms=0, run=0, seconds=10.0),
               dict(variant="a", latency_ms=0, run=1, seconds=22.0), dict(variant="b", latency_ms=0, run=1, seconds=20.0),
               dict(variant="a", latency_ms=0, run=2, seconds=8.0), dict(variant="b", latency_ms=0, run=2, seconds=10.0),
               dict(variant="c", latency_ms=0, run=0, seconds=1.0), dict(variant="state", latency_ms=0, run=None, seconds=None)]
    paired = bench.paired_ratios(records, [0])
    assert paired[("a", "b", 0)] == pytest.approx(0.9)
    assert paired[("c", "b", 0)] == pytest.approx(0.1)
    assert paired[("c", "d", 0)] is None


def test_stop_playbook_kills_every_process_of_the_run(tmp_path):
    marker = str(tmp_path / "oncall-bench-marker")
    # A parent and a child in its own session, like ansible-playbook and its workers, both naming the marker.
    code = ("import subprocess, sys, time; "
            "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', sys.argv[1]], start_new_session=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code, marker])  # pylint: disable=consider-using-with
    deadline = time.time() + 10
    while len(bench.processes_of(marker)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert len(bench.processes_of(marker)) == 2
    bench.stop_playbook(parent, marker)
    deadline = time.time() + 10
    while bench.processes_of(marker) and time.time() < deadline:
        time.sleep(0.05)
    assert bench.processes_of(marker) == [] and parent.returncode is not None
