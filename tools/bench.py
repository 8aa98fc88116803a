# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make bench`: what one `services:` task costs as the batch grows, and how it paces itself under a rate limit.

The cost curve: one oncall.pagerduty.datadog_pagerduty_service task with `services:` of N existing objects (in sync:
N GETs, nothing changes) for each N of --n and each sandbox latency of --latency-ms, against the floor: one
ansible.builtin.uri task that GETs one object. Per point: the wall time of ansible-playbook, the time per object
beyond the floor, the wall time, CPU time and peak RSS of the module process (recorded by a wrapper interpreter), and
the 429s. Pacing: the same task with --pacing-n objects against a simulated limit (--rate-limit), once from a fresh
window and once from a window that other clients have almost spent. Every run's requests are checked in the sandbox
journal. The playbooks are in tools/bench/; docs/performance.md explains the results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import collections
import http.client
import json
import math
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote, urlsplit

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOKS = os.path.join(REPO, "tools", "bench")
BATCH_PLAYBOOK = "services_batch.yml"
FLOOR_PLAYBOOK = "uri_floor.yml"

# The sandbox package (tests/sandbox/): its credentials and paths, how to start it and its control API.
sys.path.insert(0, os.path.join(REPO, "tests"))
from sandbox import facts  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402

RECAP_RE = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")
PLAYBOOK_TIMEOUT = 300  # seconds; a pacing run of 1,000 objects at 100 per 10 s takes about 100
# The goals of issue "Scale" (points 1, 3 and 4).
SMALL_N = 40  # one services: task of 40 objects costs at most 1.2 x one uri GET
SMALL_N_RATIO = 1.2
COST_RATIO = 1.25  # per object at the largest N and the highest latency: at most 1.25 x the larger limit
MEMORY_RATIO = 1.1  # peak RSS at the largest N: at most 1.1 x that at the smallest ("flat in N")
PACING_RATIO = 1.1  # pacing: wall time at most 1.1 x the floor N / limit x period, and no 429
SPENT_LEFT = 5  # the spent-window case starts with this many requests left in the window

# ansible_python_interpreter: runs the real interpreter as a child and appends its peak RSS, wall and CPU time to a log.
# -S: no site import, so that the wrapper adds about 10 ms, the same to the batch and to the floor.
WRAPPER = """#!{python} -S
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv({python!r}, [{python!r}] + sys.argv[1:])
dummy, status, usage = os.wait4(pid, 0)
with open({log!r}, "a") as handle:
    handle.write("%d %.4f %.4f\\n" % (usage.ru_maxrss, time.perf_counter() - started, usage.ru_utime + usage.ru_stime))
sys.exit(os.waitstatus_to_exitcode(status))
"""


# ---------------------------------------------------------------------------------------------
# Small helpers (unit-tested in tests/unit/tools/test_bench.py)


def service_path(name):
    return "%s/%s" % (facts.DATADOG_SERVICES_PATH, quote(name, safe=""))


def service_names(count):
    return ["bench-service-%04d" % index for index in range(count)]


def service_key(index):
    return "bench0key%023d" % index


def parse_numbers(text, what, integer=False):
    """'0,50' -> [0, 50]: numbers >= 0 (> 0 when integer), integers where they are whole."""
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        value = float(part)
        if value < 0 or math.isnan(value) or math.isinf(value) or (integer and (value < 1 or value != int(value))):
            raise ValueError("%s must be %s, got %r" % (what, "whole numbers >= 1" if integer else "numbers >= 0", part))
        values.append(int(value) if value == int(value) else value)
    if not values:
        raise ValueError("no %s given" % what)
    return values


def parse_rate_limit(text):
    """'100/10' -> (100, 10): requests per period in seconds."""
    match = re.match(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*$", text)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ValueError("expected LIMIT/PERIOD, e.g. 100/10 (requests per seconds), got %r" % text)
    period = float(match.group(2))
    return int(match.group(1)), int(period) if period == int(period) else period


def parse_recap(output):
    """(ok, changed, unreachable, failed) of localhost from the PLAY RECAP, or None."""
    match = RECAP_RE.search(output)
    return tuple(int(group) for group in match.groups()) if match else None


def status_counts(entries):
    return dict(collections.Counter(entry["status"] for entry in entries))


def journal_problems(entries, expected_paths, allow_429=False):
    """Why the requests of one run are not exactly one GET answered 200 per expected path, or [].

    allow_429: GETs refused for the rate limit are not counted (they are reported on their own).
    """
    problems = []
    others = ["%s %s -> %s" % (e["method"], e["path"], e["status"]) for e in entries if e["method"] != "GET"]
    if others:
        problems.append("requests other than GET: %s" % ", ".join(others[:5]))
    gets = [e for e in entries if e["method"] == "GET" and not (allow_429 and e["status"] == 429)]
    failed = ["%s %s -> %s" % (e["method"], e["path"], e["status"]) for e in gets if e["status"] != 200]
    if failed:
        problems.append("GETs not answered 200: %s" % ", ".join(failed[:5]))
    if len(gets) != len(expected_paths):
        problems.append("%d GETs instead of %d" % (len(gets), len(expected_paths)))
    got = collections.Counter(e["path"] for e in gets)
    wanted = collections.Counter(expected_paths)
    missing = sorted((wanted - got).elements())
    extra = sorted((got - wanted).elements())
    if missing:
        problems.append("%d expected GETs missing (first: %s)" % (len(missing), missing[0]))
    if extra:
        problems.append("%d unexpected or repeated GETs (first: %s)" % (len(extra), extra[0]))
    return problems


def run_problems(rc, recap, journal, expected_paths, allow_429=False):
    problems = []
    if rc != 0:
        problems.append("ansible-playbook exited with %s" % rc)
    if recap is None:
        problems.append("no PLAY RECAP for localhost")
    elif recap[1] or recap[2] or recap[3]:
        problems.append("recap changed=%d unreachable=%d failed=%d (an in-sync converge changes nothing)" % recap[1:])
    return problems + journal_problems(journal, expected_paths, allow_429)


def parse_module_log(text):
    """The wrapper's lines: [{maxrss_kib, seconds, cpu}], one per module process, in order."""
    processes = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 3:
            processes.append(dict(maxrss_kib=int(fields[0]), seconds=float(fields[1]), cpu=float(fields[2])))
    return processes


def bursts(entries, gap=1.0):
    """The requests grouped where nothing was sent for `gap` seconds: [{start, end, requests, refused}], start and end
    relative to the first request; refused: [(seconds, path)] of those answered 429."""
    times = sorted((e["time"], e["path"], e["status"]) for e in entries if e.get("time") is not None)
    groups = []
    for when, path, status in times:
        if not groups or when - groups[-1]["last"] >= gap:
            groups.append(dict(first=when, last=when, requests=0, refused=[]))
        group = groups[-1]
        group["last"] = when
        group["requests"] += 1
        if status == 429:
            group["refused"].append((when, path))
    origin = times[0][0] if times else 0.0
    return [dict(start=g["first"] - origin, end=g["last"] - origin, requests=g["requests"],
                 refused=[(round(when - origin, 3), path) for when, path in g["refused"]]) for g in groups]


def median_or_none(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def per_object_ms(batch_seconds, floor_seconds, n):
    """Milliseconds per object that the batch costs beyond the floor."""
    if batch_seconds is None or floor_seconds is None:
        return None
    return (batch_seconds - floor_seconds) / n * 1000.0


def targets_of(summary, ns, latencies, concurrency, pacing=None):
    """The goals of issue "Scale": [{name, value, limit, passed, detail}] (value None: not measured)."""
    verdicts = []

    def add(name, value, limit, detail):
        # A negative value is noise (e.g. a batch measured faster than the floor): it passes nothing.
        verdicts.append(dict(name=name, value=value, limit=limit, passed=value is not None and 0 <= value <= limit, detail=detail))

    def cell(kind, n, latency_ms, field="seconds"):
        return (summary.get((kind, n, latency_ms)) or {}).get(field)

    if SMALL_N in ns:
        for latency_ms in latencies:
            floor = cell("floor", 1, latency_ms)
            batch = cell("batch", SMALL_N, latency_ms)
            add("batch of %d / floor at %s ms" % (SMALL_N, latency_ms), batch / floor if batch and floor else None, SMALL_N_RATIO,
                "one services: task of %d objects against one uri GET (wall time)" % SMALL_N)
    top_n, top_latency, low_latency = max(ns), max(latencies), min(latencies)
    if top_latency > low_latency:
        cost = per_object_ms(cell("batch", top_n, top_latency), cell("floor", 1, top_latency), top_n)
        cpu_floor = per_object_ms(cell("batch", top_n, low_latency), cell("floor", 1, low_latency), top_n)
        latency_limit = float(top_latency) / concurrency
        bound = max(latency_limit, cpu_floor) if cpu_floor is not None else None
        add("per object at N=%d, %s ms" % (top_n, top_latency), cost / bound if cost is not None and bound else None, COST_RATIO,
            "%s ms per object against the larger of the latency limit %.2f ms (latency / concurrency %d) and the CPU "
            "floor %s ms (the same batch at %s ms)" % (_fmt(cost), latency_limit, concurrency, _fmt(cpu_floor), low_latency))
        verdicts[-1]["bound"] = bound
    low_n = min(ns)
    if top_n > low_n:
        for latency_ms in latencies:
            small, big = cell("batch", low_n, latency_ms, "maxrss_kib"), cell("batch", top_n, latency_ms, "maxrss_kib")
            growth = "%+.1f KiB per object" % ((big - small) / float(top_n - low_n)) if big and small else "-"
            add("peak RSS N=%d / N=%d at %s ms" % (top_n, low_n, latency_ms), big / float(small) if big and small else None,
                MEMORY_RATIO, "the module process: %s MiB against %s MiB, %s" % (_mib(big), _mib(small), growth))
    for case in pacing or []:
        if case["spent"]:
            continue  # reported, not a goal: it shows what the first requests of a run do in a window others spent
        add("pacing wall / floor (N=%d)" % case["n"], case["seconds"] / case["floor_s"], PACING_RATIO,
            "%.1f s against N / limit x period = %.0f s" % (case["seconds"], case["floor_s"]))
        add("pacing 429s (N=%d)" % case["n"], case["refused"], 0, "requests refused for the rate limit")
    return verdicts


def _fmt(value, digits=2):
    return "-" if value is None else "%.*f" % (digits, value)


def _mib(kib):
    return "-" if kib is None else "%.1f" % (kib / 1024.0)


# ---------------------------------------------------------------------------------------------
# The picture (SVG by hand: no plotting library to install)


def _esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _nice_step(span):
    """A round grid step for an axis of this span: 1, 2, 2.5 or 5 times a power of ten, about 4 steps."""
    if span <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span / 4.0))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power * 4 >= span)


def curve_svg(panels, title, note):
    """Panels side by side, each {label, lines: [(name, colour, [(n, value)])], guides: [(name, colour, dash, at_0, per_n)]}:
    a line per series against N, and straight guides y = at_0 + per_n x N (dash: the SVG stroke-dasharray)."""
    rows = max(len(item["lines"]) + len(item["guides"]) for item in panels)
    width, bottom, left, gap, panel, plot_h = 760, 44, 56, 70, 290, 200
    top = 64 + 13 * rows
    height = top + plot_h + bottom
    xs = sorted(set(n for item in panels for dummy, dummy2, points in item["lines"] for n, dummy3 in points)) or [1]
    x_max = max(xs) * 1.08
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" '
           'font-size="11">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="16" font-size="13" font-weight="bold">%s</text>' % (left, _esc(title)),
           '<text x="%d" y="30" fill="#555">%s</text>' % (left, _esc(note))]
    for index, item in enumerate(panels):
        x0 = left + index * (panel + gap)
        values = [v for dummy, dummy2, points in item["lines"] for dummy3, v in points if v is not None]
        values += [at_0 + per_n * n for dummy, dummy2, dummy3, at_0, per_n in item["guides"] for n in (0, x_max)]
        step = _nice_step(max(values + [0.0]) - min(values + [0.0]))
        y_min = step * math.floor(min(values + [0.0]) / step)
        y_max = step * math.ceil(max(values + [step]) * 1.05 / step)

        def px(n, x0=x0):
            return x0 + panel * n / x_max

        def py(value, y_min=y_min, y_max=y_max):
            return top + plot_h - plot_h * (value - y_min) / (y_max - y_min)

        out.append('<text x="%d" y="50" font-weight="bold">%s</text>' % (x0, _esc(item["label"])))
        legend = [(name, colour, "") for name, colour, dummy in item["lines"]]
        legend += [(name, colour, ' stroke-dasharray="%s"' % dash) for name, colour, dash, dummy, dummy2 in item["guides"]]
        for row, (name, colour, dash) in enumerate(legend):
            out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>'
                       % (x0, 60 + 13 * row, x0 + 18, 60 + 13 * row, colour, dash))
            out.append('<text x="%d" y="%d">%s</text>' % (x0 + 22, 64 + 13 * row, _esc(name)))
        value = y_min
        while value <= y_max + step / 1000.0:
            out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (x0, py(value), x0 + panel, py(value)))
            out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (x0 - 4, py(value) + 4, round(value, 3)))
            value += step
        for n in xs:
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (px(n), top + plot_h + 14, n))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">N (objects in the services: batch)</text>'
                   % (x0 + panel / 2.0, top + plot_h + 30))
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>' % (x0, top, x0, top + plot_h))
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#333"/>' % (x0, py(0.0), x0 + panel, py(0.0)))
        for name, colour, dash, at_0, per_n in item["guides"]:
            out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-dasharray="%s"/>'
                       % (x0, py(at_0), x0 + panel, py(at_0 + per_n * x_max), colour, dash))
        for name, colour, points in item["lines"]:
            points = [(n, v) for n, v in points if v is not None]
            if points:
                out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>'
                           % (colour, " ".join("%.1f,%.1f" % (px(n), py(v)) for n, v in points)))
                out.extend('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(n), py(v), colour) for n, v in points)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def picture(summary, ns, latencies, concurrency, verdicts=()):
    """The SVG of the curve: the batch's time beyond the floor (its slope: the cost per object) and the module's peak RSS
    against N, a line per latency, with the latency limit N x latency / concurrency and the goal on the cost."""
    colours = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b")
    cost = dict(label="wall time beyond the floor (s)", lines=[], guides=[])
    memory = dict(label="module process peak RSS (MiB)", lines=[], guides=[])
    for index, latency_ms in enumerate(latencies):
        floor = (summary.get(("floor", 1, latency_ms)) or {}).get("seconds")
        cells = [(n, summary.get(("batch", n, latency_ms)) or {}) for n in ns]
        colour = colours[index % len(colours)]
        cost["lines"].append(("%s ms latency" % latency_ms, colour,
                              [(n, c["seconds"] - floor if c.get("seconds") is not None and floor is not None else None) for n, c in cells]))
        memory["lines"].append(("%s ms latency" % latency_ms, colour,
                                [(n, c["maxrss_kib"] / 1024.0 if c.get("maxrss_kib") else None) for n, c in cells]))
        if latency_ms:
            cost["guides"].append(("latency limit: N x %s ms / %d" % (latency_ms, concurrency), colour, "5,4", 0.0,
                                   latency_ms / 1000.0 / concurrency))
    goal = next((v for v in verdicts if v["name"].startswith("per object") and v.get("bound")), None)
    if goal:
        cost["guides"].append(("goal: N x %.2f x %.2f ms (the larger limit)" % (goal["limit"], goal["bound"]), "#000", "2,3", 0.0,
                               goal["limit"] * goal["bound"] / 1000.0))
    floor_rss = median_or_none([(summary.get(("floor", 1, latency_ms)) or {}).get("maxrss_kib") for latency_ms in latencies])
    if floor_rss:
        memory["guides"].append(("one uri task (the floor)", "#7f7f7f", "5,4", floor_rss / 1024.0, 0.0))
    others = median_or_none([row.get("other_cpus") for row in summary.values()])
    note = "median of the runs; floor: one uri task with one GET; other processes kept %s of the CPUs busy meanwhile" % _fmt(others, 1)
    return curve_svg([cost, memory], "One services: task of N objects in sync (make bench)", note)


# ---------------------------------------------------------------------------------------------
# The machine and the environment


def read_text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


def machine_info():
    cpu = re.search(r"^model name\s*:\s*(.+)$", read_text("/proc/cpuinfo"), re.MULTILINE)
    memory = re.search(r"^MemTotal:\s*(\d+) kB", read_text("/proc/meminfo"), re.MULTILINE)
    try:
        from importlib.metadata import version  # pylint: disable=import-outside-toplevel
        versions = dict((name, version(name)) for name in ("ansible-core", "requests", "urllib3"))
    except Exception:  # pylint: disable=broad-except
        versions = {}
    return dict(nproc=os.cpu_count(), cpu=cpu.group(1).strip() if cpu else "unknown",
                memory_gib=round(int(memory.group(1)) / 1024.0 / 1024.0, 1) if memory else None,
                python=sys.version.split()[0], versions=versions)


def load_average():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def ansible_playbook_path():
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    found = beside if os.path.exists(beside) else shutil.which("ansible-playbook")
    if not found:
        raise RuntimeError("ansible-playbook not found beside %s nor on PATH: run `make bench` (or .venv/bin/python tools/bench.py)"
                           % sys.executable)
    return found


def collections_path():
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(REPO, ".venv", "collections")


def ansible_env(workdir, url):
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("DD_") or name in ("ANSIBLE_CONFIG", "ANSIBLE_KEEP_REMOTE_FILES"):
            del env[name]
    env.update(
        DD_API_KEY=facts.DATADOG_API_KEY, DD_APP_KEY=facts.DATADOG_APP_KEY, DD_HOST=url,
        ANSIBLE_COLLECTIONS_PATH=collections_path(),
        ANSIBLE_LOCAL_TEMP=os.path.join(workdir, "local-tmp"),
        ANSIBLE_REMOTE_TMP=os.path.join(workdir, "remote-tmp"),
        ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_LOCALHOST_WARNING="False",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="False", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0",
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    )
    return env


def write_wrapper(workdir):
    """The interpreter wrapper (see WRAPPER) and the log it appends to."""
    path, log = os.path.join(workdir, "python-wrapper"), os.path.join(workdir, "module-processes.log")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(WRAPPER.format(python=sys.executable, log=log))
    os.chmod(path, 0o755)
    return path, log


def write_vars(workdir, url, names, concurrency, interpreter):
    path = os.path.join(workdir, "bench-vars-%d.json" % len(names))
    data = dict(
        ansible_python_interpreter=interpreter,
        bench_url=url, bench_api_key=facts.DATADOG_API_KEY, bench_app_key=facts.DATADOG_APP_KEY, bench_concurrency=concurrency,
        bench_services=[dict(service_name=name, service_key=service_key(index)) for index, name in enumerate(names)],
    )
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    return path


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid):
    """CPU seconds a process (e.g. the sandbox, which is not waited for) has used so far, or None."""
    fields = read_text("/proc/%s/stat" % pid).rsplit(")", 1)[-1].split()
    if len(fields) < 13:
        return None
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))


def machine_busy_seconds():
    """CPU seconds every process of the machine has used since boot (user, nice, system, irq, softirq), or None."""
    fields = read_text("/proc/stat").split("\n", 1)[0].split()
    if len(fields) < 8 or fields[0] != "cpu":
        return None
    user, nice, system, dummy_idle, dummy_iowait, irq, softirq = [int(value) for value in fields[1:8]]
    return (user + nice + system + irq + softirq) / float(os.sysconf("SC_CLK_TCK"))


def run_playbook(playbook, vars_path, env, workdir, sandbox_pid=None):
    """ansible-playbook -i localhost, -c local: {seconds, cpu, sandbox_cpu, other_cpus, rc, output}.

    cpu: CPU seconds of ansible-playbook, its workers and the module processes (all waited for).
    sandbox_cpu: CPU seconds the sandbox used meanwhile.
    other_cpus: how many CPUs the rest of the machine kept busy meanwhile, on average.
    """
    argv = [ansible_playbook_path(), "-i", "localhost,", "-c", "local", "-e", "@" + vars_path, os.path.join(PLAYBOOKS, playbook)]
    cpu, busy, sandbox = children_cpu_seconds(), machine_busy_seconds(), process_cpu_seconds(sandbox_pid)
    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,  # pylint: disable=consider-using-with
                               stdin=subprocess.DEVNULL, universal_newlines=True)
    try:
        output = process.communicate(timeout=PLAYBOOK_TIMEOUT)[0]
    except BaseException:
        stop_playbook(process, workdir)
        raise
    seconds = time.perf_counter() - started
    cpu = children_cpu_seconds() - cpu
    sandbox = None if sandbox is None else (process_cpu_seconds(sandbox_pid) or sandbox) - sandbox
    other = None if busy is None else max(0.0, machine_busy_seconds() - busy - cpu - (sandbox or 0.0)) / seconds
    return dict(seconds=seconds, cpu=cpu, sandbox_cpu=sandbox, other_cpus=other, rc=process.returncode, output=output)


def processes_of(marker):
    """The processes (not this one) whose command line holds marker: this run's unique work directory."""
    pids = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                if marker.encode("utf-8") in handle.read():
                    pids.append(int(entry))
        except OSError:
            continue
    return pids


def stop_playbook(process, workdir):
    """Interrupt ansible-playbook so that it stops its workers, then kill whatever of this run is left.

    Ansible's workers start their own sessions, so neither killing ansible-playbook nor its process group reaches them;
    every process of this run names the work directory on its command line (the vars file, the payload path).
    """
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
    for pid in processes_of(workdir):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def progress(text):
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    """One sandbox, one work directory, and the runs made against them."""

    def __init__(self, sandbox, sandbox_pid, args, workdir):
        self.sandbox = sandbox
        self.sandbox_pid = sandbox_pid
        self.args = args
        self.workdir = workdir
        self.env = ansible_env(workdir, sandbox.datadog_url)
        self.interpreter, self.module_log = write_wrapper(workdir)
        self.names = service_names(max(args.n + [args.pacing_n, args.spent_n]))
        self.vars = {}

    def vars_for(self, n):
        if n not in self.vars:
            self.vars[n] = write_vars(self.workdir, self.sandbox.datadog_url, self.names[:n], self.args.concurrency, self.interpreter)
        return self.vars[n]

    def prepare(self, latency_ms, rate_limit=None):
        self.sandbox.reset()
        self.sandbox.seed_datadog((name, service_key(index)) for index, name in enumerate(self.names))
        self.sandbox.settings(latency_ms=latency_ms)
        if rate_limit:
            self.sandbox.ratelimit("datadog", rate_limit[0], rate_limit[1])

    def run(self, kind, n, latency_ms, run_index, allow_429=False):
        """One playbook run, checked: the floor (one uri GET) or a batch of n objects."""
        self.sandbox.clear_journal()
        if os.path.exists(self.module_log):
            os.unlink(self.module_log)
        playbook = FLOOR_PLAYBOOK if kind == "floor" else BATCH_PLAYBOOK
        run = run_playbook(playbook, self.vars_for(max(n, 1)), self.env, self.workdir, self.sandbox_pid)
        journal = self.sandbox.journal()
        processes = parse_module_log(read_text(self.module_log))
        problems = run_problems(run["rc"], parse_recap(run["output"]), journal, [service_path(name) for name in self.names[:n]],
                                allow_429)
        if len(processes) != 1:
            problems.append("%d module processes recorded by the interpreter wrapper instead of 1" % len(processes))
        module = processes[0] if len(processes) == 1 else {}
        record = dict(kind=kind, n=n, latency_ms=latency_ms, run=run_index, seconds=run["seconds"], cpu=run["cpu"],
                      sandbox_cpu=run["sandbox_cpu"], other_cpus=run["other_cpus"], module_seconds=module.get("seconds"),
                      module_cpu=module.get("cpu"), maxrss_kib=module.get("maxrss_kib"), requests=len(journal),
                      statuses=status_counts(journal), refused=sum(1 for e in journal if e["status"] == 429), problems=problems)
        if problems:
            record["log"] = os.path.join(self.workdir, "failed-%s-%d-%sms-run%s.log" % (kind, n, latency_ms, run_index))
            with open(record["log"], "w", encoding="utf-8") as handle:
                handle.write(run["output"])
        return record, journal

    def curve(self):
        """The floor and every N, --runs times per latency, the order rotated from run to run."""
        records = []
        points = [("floor", 1)] + [("batch", n) for n in self.args.n]
        for latency_ms in self.args.latency_ms:
            self.prepare(latency_ms)
            for kind, n in points[:2]:  # disk caches and .pyc files: once, not counted
                run_playbook(FLOOR_PLAYBOOK if kind == "floor" else BATCH_PLAYBOOK, self.vars_for(n), self.env, self.workdir)
            for run_index in range(self.args.runs):
                shift = run_index % len(points)
                done = []
                for kind, n in points[shift:] + points[:shift]:
                    record = self.run(kind, n, latency_ms, run_index)[0]
                    records.append(record)
                    done.append("%s %.2fs%s" % ("floor" if kind == "floor" else "N=%d" % n, record["seconds"],
                                                " FAILED" if record["problems"] else ""))
                other = median_or_none([r["other_cpus"] for r in records[-len(points):]])
                progress("  latency %s ms, run %d/%d: %s (other %s)" % (latency_ms, run_index + 1, self.args.runs, ", ".join(done), _fmt(other, 1)))
            if sorted(self.sandbox.datadog_services()) != sorted(self.names):
                records.append(dict(kind="state", n=None, latency_ms=latency_ms, run=None, seconds=None, problems=[
                    "the sandbox no longer holds the %d service objects seeded" % len(self.names)]))
        return records

    def pacing(self, n, spent):
        """One batch of n against the simulated limit, from a fresh window or from one with SPENT_LEFT requests left."""
        limit, period = self.args.rate_limit
        self.prepare(0, self.args.rate_limit)
        if spent:  # at 0 ms latency: the window must still be open when the playbook's first request comes
            spend_budget(self.sandbox.datadog_url, service_path(self.names[0]), max(0, limit - SPENT_LEFT))
        self.sandbox.settings(latency_ms=self.args.pacing_latency_ms)
        record, journal = self.run("batch", n, self.args.pacing_latency_ms, "pacing-spent" if spent else "pacing", allow_429=True)
        record.update(spent=spent, limit=limit, period=period, floor_s=float(n) / limit * period, bursts=bursts(journal))
        return record


def spend_budget(url, path, count):
    """Send count GETs as another client of the organization would, so that a run starts in a window almost spent."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        for dummy in range(count):
            connection.request("GET", path, headers={"DD-API-KEY": facts.DATADOG_API_KEY, "DD-APPLICATION-KEY": facts.DATADOG_APP_KEY})
            connection.getresponse().read()
    finally:
        connection.close()


def summarise(records):
    """{(kind, n, latency): medians of seconds, cpu, module_seconds, module_cpu, maxrss_kib, sandbox_cpu, other_cpus}."""
    groups = collections.defaultdict(list)
    for record in records:
        if record["kind"] in ("floor", "batch") and isinstance(record["run"], int):
            groups[(record["kind"], record["n"], record["latency_ms"])].append(record)
    summary = {}
    for key, runs in groups.items():
        row = dict((field, median_or_none([r.get(field) for r in runs]))
                   for field in ("seconds", "cpu", "module_seconds", "module_cpu", "maxrss_kib", "sandbox_cpu", "other_cpus"))
        row.update(runs=len(runs), refused=sum(r["refused"] for r in runs), problems=[p for r in runs for p in r["problems"]],
                   min=min(r["seconds"] for r in runs), max=max(r["seconds"] for r in runs))
        summary[key] = row
    return summary


# ---------------------------------------------------------------------------------------------
# The report


def report(args, info, summary, verdicts, pacing, loads, elapsed):
    lines = []
    out = lines.append
    versions = info.get("versions") or {}
    out("oncall.pagerduty benchmark: one services: task of N existing Datadog PagerDuty service objects, in sync (N GETs)")
    out("machine: %s CPU(s), %s, %s GiB RAM; Python %s; ansible-core %s, requests %s, urllib3 %s; load average %s at start, %s at end"
        % (info["nproc"], info["cpu"], info["memory_gib"], info["python"], versions.get("ansible-core"), versions.get("requests"),
           versions.get("urllib3"), "/".join(str(v) for v in loads[0] or []), "/".join(str(v) for v in loads[1] or [])))
    out("")
    out("cost curve: median of %d runs; concurrency %d; floor: one ansible.builtin.uri task, one GET" % (args.runs, args.concurrency))
    header = "%6s %8s %8s %7s %7s %12s %9s %9s %8s %8s %6s %6s  %s" % (
        "N", "latency", "wall s", "min s", "max s", "ms/object", "module s", "mod cpu", "RSS MiB", "sandbox", "429s", "other", "check")
    out(header)
    out("-" * len(header))
    for latency_ms in args.latency_ms:
        floor = summary.get(("floor", 1, latency_ms)) or {}
        for kind, n in [("floor", 1)] + [("batch", n) for n in args.n]:
            row = summary.get((kind, n, latency_ms))
            if not row:
                continue
            cost = None if kind == "floor" else per_object_ms(row["seconds"], floor.get("seconds"), n)
            out("%6s %5s ms %8.2f %7.2f %7.2f %12s %9s %9s %8s %8s %6d %6s  %s" % (
                "floor" if kind == "floor" else n, latency_ms, row["seconds"], row["min"], row["max"], _fmt(cost),
                _fmt(row["module_seconds"]), _fmt(row["module_cpu"]), _mib(row["maxrss_kib"]), _fmt(row["sandbox_cpu"]),
                row["refused"], _fmt(row["other_cpus"], 1), "ok" if not row["problems"] else "FAIL"))
    out("ms/object: (wall of the batch - wall of the floor) / N. module s, mod cpu, RSS: the module process (wall, CPU, peak RSS).")
    out("sandbox: CPU seconds of the sandbox during the run. other: CPUs that other processes kept busy (of %s): above 0.3 "
        "the wall times are inflated." % info["nproc"])
    others = median_or_none([row.get("other_cpus") for row in summary.values()])
    if others is not None and others > 0.3:
        out("WARNING: other processes kept %.1f CPUs busy (median): the wall times, and the goals judged on them, are not those "
            "of an idle machine; the CPU columns are steadier." % others)
    for case in pacing:
        out("")
        if case["spent"]:
            out("pacing from a spent window: N=%d, limit %d per %s s, latency %s ms, %d of the window used by another client first"
                % (case["n"], case["limit"], case["period"], case["latency_ms"], case["limit"] - SPENT_LEFT))
        else:
            out("pacing: N=%d, limit %d per %s s, latency %s ms, fresh window" % (case["n"], case["limit"], case["period"], case["latency_ms"]))
        versus = "" if case["spent"] else " = %.2f x the floor N / limit x period = %.0f s" % (case["seconds"] / case["floor_s"], case["floor_s"])
        out("  wall %.1f s%s; 429s: %d; requests: %s; module CPU %s s, peak RSS %s MiB; check %s"
            % (case["seconds"], versus, case["refused"],
               ", ".join("%s x%d" % item for item in sorted(case["statuses"].items(), key=str)), _fmt(case["module_cpu"]),
               _mib(case["maxrss_kib"]), "ok" if not case["problems"] else "FAIL"))
        for index, burst in enumerate(case["bursts"]):
            refused = burst["refused"]
            note = ""
            if refused:
                note = "; 429: %s" % ", ".join("%s at +%.3f s" % (path.rsplit("/", 1)[-1], when) for when, path in refused[:20])
                if len(refused) > 20:
                    note += ", ... (%d in all)" % len(refused)
            out("  burst %2d: +%7.3f s to +%7.3f s, %4d requests%s" % (index + 1, burst["start"], burst["end"], burst["requests"], note))
    out("")
    out("goals (issue \"Scale\"):")
    for verdict in verdicts:
        out("  %s  %s <= %s: %s (%s)" % ("PASS" if verdict["passed"] else ("FAIL" if verdict["value"] is not None else "SKIP"),
                                         verdict["name"], verdict["limit"], _fmt(verdict["value"]), verdict["detail"]))
    out("")
    out("total benchmark time: %.0f s" % elapsed)
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tools/bench.py", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--n", default="40,400,1000", help="batch sizes of the cost curve, comma-separated (default %(default)s)")
    parser.add_argument("--latency-ms", default="0,50", help="sandbox latencies of the cost curve, comma-separated (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each point of the curve; the median is reported (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrency of the batch, 1 to 32 (default %(default)s)")
    parser.add_argument("--rate-limit", default="100/10", help="pacing: the simulated limit, requests/seconds (default %(default)s)")
    parser.add_argument("--pacing-n", type=int, default=1000, help="pacing: objects of the batch, 0 to skip (default %(default)s)")
    parser.add_argument("--pacing-latency-ms", type=float, default=50, help="pacing: sandbox latency (default %(default)s)")
    parser.add_argument("--spent-n", type=int, default=200,
                        help="pacing from a window another client has almost spent: objects, 0 to skip (default %(default)s)")
    parser.add_argument("--svg", metavar="PATH", help="write the picture of the curve (default docs/performance-curve.svg; "
                        "with --quick .bench/curve.svg)")
    parser.add_argument("--json", metavar="PATH", help="save the raw results as JSON")
    parser.add_argument("--quick", action="store_true", help="a short run: --n 10,40 --runs 1 --pacing-n 200 --spent-n 110")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.runs, args.pacing_n, args.spent_n = "10,40", 1, 200, 110
    if args.svg is None:
        args.svg = os.path.join(REPO, ".bench", "curve.svg") if args.quick else os.path.join(REPO, "docs", "performance-curve.svg")
    try:
        args.n = sorted(set(parse_numbers(args.n, "--n", integer=True)))
        args.latency_ms = parse_numbers(args.latency_ms, "--latency-ms")
        args.rate_limit = parse_rate_limit(args.rate_limit)
    except ValueError as exc:
        parser.error(str(exc))
    if args.pacing_latency_ms == int(args.pacing_latency_ms):
        args.pacing_latency_ms = int(args.pacing_latency_ms)
    if args.runs < 1 or min(args.pacing_n, args.spent_n, args.pacing_latency_ms) < 0:
        parser.error("--runs must be at least 1; --pacing-n, --spent-n and --pacing-latency-ms at least 0")
    if not 1 <= args.concurrency <= 32:
        parser.error("--concurrency must be between 1 and 32")
    return args


def _terminate(signum, frame):  # pylint: disable=unused-argument
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    began = time.perf_counter()
    loads = [load_average(), None]
    info = machine_info()
    workdir = tempfile.mkdtemp(prefix="oncall-bench-")
    # In a session of its own: a Ctrl-C reaches this script, which stops the sandbox last.
    process = SandboxProcess(os.path.join(workdir, "sandbox.log"), new_session=True)
    keep = False  # the work directory is kept when a check failed or the bench broke, not when interrupted
    try:
        ansible_playbook_path()
        bench = Bench(SandboxClient(process.start().url), process.pid, args, workdir)
        progress("sandbox %s; work directory %s; N=%s, latencies %s ms, %d runs; pacing N=%d and %d at %d/%s s"
                 % (bench.sandbox.url, workdir, ",".join(str(n) for n in args.n), ",".join(str(v) for v in args.latency_ms),
                    args.runs, args.pacing_n, args.spent_n, args.rate_limit[0], args.rate_limit[1]))
        records = bench.curve()
        pacing = []
        for n, spent in ((args.pacing_n, False), (args.spent_n, True)):
            if n:
                progress("  pacing N=%d at %d requests per %s s%s (about %.0f s)" % (
                    n, args.rate_limit[0], args.rate_limit[1], " from a spent window" if spent else "",
                    float(n) / args.rate_limit[0] * args.rate_limit[1]))
                pacing.append(bench.pacing(n, spent))
        loads[1] = load_average()
        summary = summarise(records)
        verdicts = targets_of(summary, args.n, args.latency_ms, args.concurrency, pacing)
        print(report(args, info, summary, verdicts, pacing, loads, time.perf_counter() - began))
        os.makedirs(os.path.dirname(os.path.abspath(args.svg)), exist_ok=True)
        with open(args.svg, "w", encoding="utf-8") as handle:
            handle.write(picture(summary, args.n, args.latency_ms, args.concurrency, verdicts))
        print("picture: %s" % os.path.relpath(args.svg))
        problems = [(r, p) for r in records + pacing for p in r["problems"]]
        for record, problem in problems:
            where = " (output: %s)" % record["log"] if record.get("log") else ""
            print("FAIL check: %s N=%s at %s ms, run %s: %s%s" % (record["kind"], record["n"], record["latency_ms"], record["run"], problem, where))
        if process.problems():
            print("WARNING: the sandbox logged errors (%s)" % process.log_path)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                config = dict((key, value) for key, value in vars(args).items() if key not in ("json", "svg", "quick"))
                json.dump(dict(config=config, machine=info, load_average=dict(start=loads[0], end=loads[1]),
                               elapsed_s=time.perf_counter() - began, runs=records, pacing=pacing, goals=verdicts,
                               summary=[dict(kind=k[0], n=k[1], latency_ms=k[2], **v) for k, v in sorted(summary.items(), key=str)]),
                          handle, indent=2)
            print("raw results: %s" % args.json)
        keep = bool(problems)
        return 1 if problems else 0
    except (KeyboardInterrupt, SystemExit):
        progress("interrupted: the sandbox is stopped")
        raise
    except Exception:
        keep = True
        raise
    finally:
        process.stop()
        if keep:
            progress("work directory kept for inspection: %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
