# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The parts of tools/bench.py (`make bench`) that decide what it reports: options, request checks, the interpreter
wrapper that measures the module process, bursts and 429s, the goals, and the picture."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import subprocess
import sys
import time
from xml.etree import ElementTree

import pytest
import yaml

from ansible_collections.oncall.pagerduty.tests.sandbox import facts
from ansible_collections.oncall.pagerduty.tests.sandbox.server import Sandbox

BENCH_PY = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "bench.py"))


def _load_bench():
    spec = importlib.util.spec_from_file_location("oncall_pagerduty_bench", BENCH_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_bench()

PATH_A = facts.DATADOG_SERVICES_PATH + "/a"
PATH_B = facts.DATADOG_SERVICES_PATH + "/b"


def get(path, status=200, method="GET", when=1.0):
    return {"vendor": "datadog", "method": method, "path": path, "status": status, "time": when}


# ---------------------------------------------------------------------------------------------
# Options


def test_defaults_are_the_issue_s_curve_and_pacing_case():
    args = bench.parse_args([])
    assert (args.n, args.latency_ms, args.runs, args.concurrency) == ([40, 400, 1000], [0, 50], 5, 16)
    assert (args.rate_limit, args.pacing_n, args.pacing_latency_ms, args.spent_n) == ((100, 10), 1000, 50, 200)
    assert args.svg.endswith(os.path.join("docs", "performance-curve.svg")) and args.json is None


def test_quick_is_short_and_keeps_the_docs_picture():
    args = bench.parse_args(["--quick"])
    assert (args.n, args.runs, args.pacing_n, args.spent_n) == ([10, 40], 1, 200, 110)
    assert args.svg.endswith(os.path.join(".bench", "curve.svg"))
    assert bench.parse_args(["--quick", "--svg", "x.svg"]).svg == "x.svg"


@pytest.mark.parametrize("argv", [["--concurrency", "0"], ["--concurrency", "33"], ["--n", "0"], ["--n", "1.5"], ["--runs", "0"],
                                  ["--latency-ms", "-5"], ["--latency-ms", "fast"], ["--latency-ms", ","], ["--rate-limit", "100"],
                                  ["--rate-limit", "0/10"], ["--rate-limit", "10/0"], ["--pacing-n", "-1"]])
def test_bad_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert "error" in capsys.readouterr().err


def test_parse_numbers_and_rate_limit():
    assert bench.parse_numbers(" 12.5 , 100 ,", "x") == [12.5, 100]
    assert isinstance(bench.parse_numbers("50.0", "x")[0], int)
    assert bench.parse_args(["--n", "1000,40,40"]).n == [40, 1000]
    assert bench.parse_rate_limit("100/10") == (100, 10) and bench.parse_rate_limit(" 5 / 2.5 ") == (5, 2.5)


def test_names_keys_and_paths():
    names = bench.service_names(1000)
    assert len(set(names)) == 1000 and names == sorted(names)
    assert all(bench.service_path(n).endswith("/" + n) for n in names[:3])
    assert bench.service_path("a b/c+d") == facts.DATADOG_SERVICES_PATH + "/a%20b%2Fc%2Bd"
    assert len(set(bench.service_key(i) for i in range(1000))) == 1000


# ---------------------------------------------------------------------------------------------
# What each run must send


def test_exactly_the_expected_gets_pass():
    assert bench.journal_problems([get(PATH_B), get(PATH_A)], [PATH_A, PATH_B]) == []
    assert bench.journal_problems([], []) == []


@pytest.mark.parametrize("journal, fragment", [
    ([get(PATH_A)], "1 GETs instead of 2"),
    ([get(PATH_A), get(PATH_A)], "unexpected or repeated"),
    ([get(PATH_A), get(PATH_B), get(PATH_B)], "3 GETs instead of 2"),
    ([get(PATH_A), get(PATH_B), get(PATH_B, method="PUT")], "other than GET"),
    ([get(PATH_A), get(PATH_B, status=404)], "not answered 200"),
    ([get(PATH_A), get(PATH_B, status=None)], "not answered 200"),
    ([get(PATH_A), get(PATH_B, status=429), get(PATH_B)], "3 GETs instead of 2"),
])
def test_anything_else_is_reported(journal, fragment):
    problems = bench.journal_problems(journal, [PATH_A, PATH_B])
    assert any(fragment in problem for problem in problems), problems


def test_pacing_runs_set_429s_aside_but_still_need_every_read():
    journal = [get(PATH_A, status=429), get(PATH_B, status=429), get(PATH_A), get(PATH_B)]
    assert bench.journal_problems(journal, [PATH_A, PATH_B], allow_429=True) == []
    assert "missing" in " ".join(bench.journal_problems(journal[:3], [PATH_A, PATH_B], allow_429=True))


def test_run_problems_and_recap():
    recap = bench.parse_recap("PLAY RECAP ****\nlocalhost                  : ok=1    changed=0    unreachable=0    failed=0    skipped=0\n")
    assert recap == (1, 0, 0, 0) and bench.parse_recap("PLAY RECAP ****\n\n") is None
    assert bench.run_problems(0, recap, [get(PATH_A)], [PATH_A]) == []
    assert "no PLAY RECAP" in bench.run_problems(0, None, [], [])[0]
    assert "exited with 2" in bench.run_problems(2, (1, 0, 0, 1), [], [])[0]
    assert "changed=1" in bench.run_problems(0, (1, 1, 0, 0), [], [])[0]


def test_bursts_tell_which_requests_were_refused_and_when():
    journal = [get(PATH_A, when=100.0), get(PATH_B, status=429, when=100.02), get(PATH_B, when=110.5), get(PATH_A, when=110.9),
               dict(get(PATH_A), time=None)]
    result = bench.bursts(journal)
    assert [(b["start"], b["requests"]) for b in result] == [(0.0, 2), (pytest.approx(10.5), 2)]
    assert result[0]["refused"] == [(0.02, PATH_B)] and result[1]["refused"] == []
    assert bench.bursts([]) == []


# ---------------------------------------------------------------------------------------------
# The module process: the interpreter wrapper


def test_the_wrapper_records_the_peak_rss_of_its_child(tmp_path):
    interpreter, log = bench.write_wrapper(str(tmp_path))
    big = subprocess.run([interpreter, "-c", "x = bytearray(96 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"], check=False)
    small = subprocess.run([interpreter, "-c", "import sys; sys.exit(3)"], check=False)
    assert (big.returncode, small.returncode) == (0, 3)
    processes = bench.parse_module_log(open(log, encoding="utf-8").read())
    assert len(processes) == 2
    assert processes[0]["maxrss_kib"] >= 96 * 1024 > processes[1]["maxrss_kib"]
    assert all(p["seconds"] > 0 and p["cpu"] >= 0 for p in processes)


def test_process_cpu_seconds():
    assert bench.process_cpu_seconds(os.getpid()) >= 0
    assert bench.process_cpu_seconds(None) is None


def test_spend_budget_leaves_the_window_almost_spent():
    with Sandbox() as sandbox:
        sandbox.state.set_rate_limit({"vendor": "datadog", "limit": 10, "period": 60})
        sandbox.state.seed({"datadog": {"services": {"a": "key"}}})
        bench.spend_budget(sandbox.url, PATH_A, 8)
        assert bench.status_counts(sandbox.state.journal_view()) == {200: 8}
        assert sandbox.state.count_request("datadog")[2] == 1  # one left after this one


# ---------------------------------------------------------------------------------------------
# Results and goals


def _record(kind, n, latency_ms, seconds, maxrss_kib=40960, run=0):
    return dict(kind=kind, n=n, latency_ms=latency_ms, run=run, seconds=seconds, cpu=seconds / 2, module_seconds=seconds / 3,
                module_cpu=seconds / 4, maxrss_kib=maxrss_kib, sandbox_cpu=0.1, other_cpus=0.0, refused=0, problems=[])


def _summary():
    records = []
    for run, jitter in enumerate((0.0, 0.1, -0.1)):
        records += [_record("floor", 1, 0, 1.0 + jitter, run=run), _record("floor", 1, 50, 1.05 + jitter, run=run),
                    _record("batch", 40, 0, 1.1 + jitter, run=run), _record("batch", 40, 50, 1.3 + jitter, run=run),
                    _record("batch", 1000, 0, 3.0 + jitter, 43008, run=run), _record("batch", 1000, 50, 4.8 + jitter, 43008, run=run)]
    records.append(dict(kind="state", n=None, latency_ms=0, run=None, seconds=None, problems=["x"]))
    return bench.summarise(records)


def test_summary_takes_medians():
    summary = _summary()
    assert summary[("floor", 1, 0)]["seconds"] == 1.0 and (summary[("floor", 1, 0)]["min"], summary[("floor", 1, 0)]["max"]) == (0.9, 1.1)
    assert summary[("batch", 1000, 50)]["runs"] == 3 and summary[("batch", 1000, 50)]["cpu"] == pytest.approx(2.4)
    assert ("state", None, 0) not in summary


def test_goals():
    pacing = [dict(spent=False, n=1000, seconds=95.0, floor_s=100.0, refused=0),
              dict(spent=True, n=200, seconds=25.0, floor_s=20.0, refused=11)]
    verdicts = dict((v["name"], v) for v in bench.targets_of(_summary(), [40, 1000], [0, 50], 16, pacing))
    assert verdicts["batch of 40 / floor at 0 ms"]["value"] == pytest.approx(1.1) and verdicts["batch of 40 / floor at 0 ms"]["passed"]
    assert verdicts["batch of 40 / floor at 50 ms"]["value"] == pytest.approx(1.3 / 1.05) and not verdicts["batch of 40 / floor at 50 ms"]["passed"]
    # 3.75 ms per object at 50 ms against max(50 / 16 = 3.125, 2.0 at 0 ms)
    cost = verdicts["per object at N=1000, 50 ms"]
    assert cost["value"] == pytest.approx(3.75 / 3.125) and cost["passed"] and "3.12 ms" in cost["detail"]
    assert verdicts["peak RSS N=1000 / N=40 at 0 ms"]["value"] == pytest.approx(1.05)
    assert verdicts["pacing wall / floor (N=1000)"]["value"] == pytest.approx(0.95) and verdicts["pacing 429s (N=1000)"]["passed"]
    assert not any("N=200" in name for name in verdicts)  # the spent-window case is reported, not judged
    failed = bench.targets_of(_summary(), [40, 1000], [0, 50], 16, [dict(pacing[0], refused=3, seconds=120.0)])
    assert [v["passed"] for v in failed if v["name"].startswith("pacing")] == [False, False]


def test_goals_of_points_not_measured_are_not_passed():
    verdicts = bench.targets_of({}, [40, 1000], [0, 50], 16)
    assert verdicts and all(v["value"] is None and not v["passed"] for v in verdicts)
    assert bench.per_object_ms(None, 1.0, 10) is None and bench.per_object_ms(2.0, 1.0, 10) == pytest.approx(100.0)


def test_a_batch_measured_faster_than_the_floor_passes_nothing():
    summary = _summary()
    summary[("batch", 1000, 50)] = dict(summary[("batch", 1000, 50)], seconds=0.5)
    cost = [v for v in bench.targets_of(summary, [40, 1000], [0, 50], 16) if v["name"].startswith("per object")][0]
    assert cost["value"] < 0 and not cost["passed"]


def test_report_shows_every_point_and_the_refused_requests():
    args = bench.parse_args(["--n", "40,1000"])
    pacing = [dict(spent=True, n=200, seconds=25.0, floor_s=20.0, refused=1, limit=100, period=10, latency_ms=50, statuses={200: 200, 429: 1},
                   module_cpu=1.0, maxrss_kib=40960, problems=[], bursts=[dict(start=0.0, end=0.02, requests=16, refused=[(0.011, PATH_B)])])]
    info = dict(nproc=2, cpu="cpu", memory_gib=1.0, python="3", versions={})
    text = bench.report(args, info, _summary(), bench.targets_of(_summary(), args.n, args.latency_ms, 16, pacing), pacing, [None, None], 1.0)
    rows = [line.split() for line in text.splitlines()]
    points = [row[:2] for row in rows if row[:1] in (["floor"], ["40"], ["1000"])]
    assert points == [["floor", "0"], ["40", "0"], ["1000", "0"], ["floor", "50"], ["40", "50"], ["1000", "50"]]
    assert "b at +0.011 s" in text and "spent window" in text


def test_picture_is_an_svg_with_a_line_per_latency_and_the_limits():
    summary = _summary()
    svg = bench.picture(summary, [40, 1000], [0, 50], 16, bench.targets_of(summary, [40, 1000], [0, 50], 16))
    root = ElementTree.fromstring(svg)
    polylines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(polylines) == 4  # time beyond the floor and peak RSS, for 0 and 50 ms
    assert "latency limit: N x 50 ms / 16" in svg and "goal: N x 1.25 x 3.12 ms" in svg and "one uri task (the floor)" in svg
    assert svg.endswith("\n") and " \n" not in svg
    assert ElementTree.fromstring(bench.picture({}, [40], [0], 16)) is not None  # nothing measured: still a picture


def test_report_warns_when_the_machine_was_busy():
    args = bench.parse_args(["--n", "40,1000"])
    info = dict(nproc=2, cpu="cpu", memory_gib=1.0, python="3", versions={})
    quiet = bench.report(args, info, _summary(), [], [], [None, None], 1.0)
    busy = dict((key, dict(row, other_cpus=1.2)) for key, row in _summary().items())
    assert "WARNING" not in quiet and "kept 1.2 CPUs busy" in bench.report(args, info, busy, [], [], [None, None], 1.0)


# ---------------------------------------------------------------------------------------------
# Playbooks, files and process handling


@pytest.mark.parametrize("playbook, module", [(bench.BATCH_PLAYBOOK, "oncall.pagerduty.datadog_pagerduty_service"),
                                              (bench.FLOOR_PLAYBOOK, "ansible.builtin.uri")])
def test_playbooks_are_one_task_on_localhost_without_facts(playbook, module):
    with open(os.path.join(bench.PLAYBOOKS, playbook), encoding="utf-8") as handle:
        plays = yaml.safe_load(handle)
    assert len(plays) == 1 and plays[0]["hosts"] == "localhost" and plays[0]["gather_facts"] is False
    (task,) = plays[0]["tasks"]
    assert module in task and "loop" not in task
    if playbook == bench.BATCH_PLAYBOOK:
        assert task[module] == {"services": "{{ bench_services }}", "concurrency": "{{ bench_concurrency }}"}


def test_vars_file(tmp_path):
    path = bench.write_vars(str(tmp_path), "http://127.0.0.1:1", bench.service_names(2), 4, "/x/python-wrapper")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["bench_concurrency"] == 4 and data["bench_url"] == "http://127.0.0.1:1"
    assert [s["service_name"] for s in data["bench_services"]] == bench.service_names(2)
    assert data["ansible_python_interpreter"] == "/x/python-wrapper"


def test_environment_is_isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("DD_SITE", "datadoghq.eu")
    monkeypatch.setenv("ANSIBLE_CONFIG", "/nonexistent.cfg")
    env = bench.ansible_env(str(tmp_path), "http://127.0.0.1:1")
    assert "DD_SITE" not in env and "ANSIBLE_CONFIG" not in env
    assert env["DD_HOST"] == "http://127.0.0.1:1"
    assert env["ANSIBLE_LOCAL_TEMP"].startswith(str(tmp_path)) and env["ANSIBLE_REMOTE_TMP"].startswith(str(tmp_path))


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
