# -*- coding: utf-8 -*-
# Copyright (c) 2026, oncall.pagerduty contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make bench`: wall time of an in-sync converge of N existing Datadog PagerDuty service objects, four ways.

(a) the single-object module looped over N names, (b) ansible.builtin.uri GETs looped over N names (what users
write today), (c) one module task with `services:` (parallel reads), (d) one uri GET (the floor), plus a play with
no task (ansible-playbook start-up) as a reference. Each variant runs `--runs` times per latency of the sandbox;
the median wall time is reported, and every run's requests are checked in the sandbox journal (an in-sync
converge sends exactly N GETs, 1 for (d), nothing else). Then the cost of one module start: the AnsiballZ
payloads of ping, uri and this module timed by hand, and their import times (python -X importtime).

The playbooks are in tools/bench/; docs/performance.md explains the results.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import collections
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
from urllib.parse import quote

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOKS = os.path.join(REPO, "tools", "bench")
MODULE = "ansible_collections.oncall.pagerduty.plugins.modules.datadog_pagerduty_service"

# The sandbox package (tests/sandbox/): its credentials and paths, how to start it and its control API.
sys.path.insert(0, os.path.join(REPO, "tests"))
from sandbox import facts  # noqa: E402
from sandbox.client import SandboxClient  # noqa: E402
from sandbox.process import SandboxProcess  # noqa: E402

RECAP_RE = re.compile(r"localhost\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")
PLAYBOOK_TIMEOUT = 900
TARGET_N = 40
# The targets of issue "Scale": (name, numerator, denominator, limit).
TARGETS = (("c/d", "c", "d", 1.2), ("a/b", "a", "b", 1.0))
RATIOS = (("a", "b"), ("c", "b"), ("c", "d"))
REQUESTS_PACKAGES = frozenset(["requests", "urllib3", "charset_normalizer", "chardet", "idna", "certifi"])


class Variant:
    """One way of doing the work: a playbook and the GETs an in-sync converge must send."""

    def __init__(self, key, playbook, title, expected, loop=False):
        self.key = key
        self.playbook = playbook
        self.title = title
        self.expected = expected  # callable(names) -> the names that must each be read once
        self.loop = loop  # one task per object: long runs, measured --loop-runs times
        self.has_tasks = key != "start"

    def expected_paths(self, names):
        return [service_path(name) for name in self.expected(names)]


VARIANTS = (
    Variant("start", "start.yml", "ansible-playbook start, no task (reference)", lambda names: []),
    Variant("a", "a_module_loop.yml", "loop of datadog_pagerduty_service", list, loop=True),
    Variant("b", "b_uri_loop.yml", "loop of ansible.builtin.uri GET", list, loop=True),
    Variant("c", "c_module_batch.yml", "one datadog_pagerduty_service, services:", list),
    Variant("d", "d_uri_one.yml", "one ansible.builtin.uri GET (floor)", lambda names: names[:1]),
)


# ---------------------------------------------------------------------------------------------
# Small helpers (unit-tested in tests/unit/tools/test_bench.py)


def service_path(name):
    return "%s/%s" % (facts.DATADOG_SERVICES_PATH, quote(name, safe=""))


def service_names(count):
    return ["bench-service-%03d" % index for index in range(count)]


def service_key(index):
    return "bench0key%023d" % index


def parse_latencies(text):
    """'0,50' -> [0, 50]: milliseconds, integers where they are whole."""
    values = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        value = float(part)
        if value < 0 or math.isnan(value) or math.isinf(value):
            raise ValueError("a latency must be a number of milliseconds >= 0, got %r" % part)
        values.append(int(value) if value == int(value) else value)
    if not values:
        raise ValueError("no latency given")
    return values


def parse_recap(output):
    """(ok, changed, unreachable, failed) of localhost from the PLAY RECAP, or None."""
    match = RECAP_RE.search(output)
    return tuple(int(group) for group in match.groups()) if match else None


def journal_problems(entries, expected_paths):
    """Why the requests of one run are not exactly one GET per expected path (answered 200), or []."""
    problems = []
    others = ["%s %s -> %s" % (e["method"], e["path"], e["status"]) for e in entries if e["method"] != "GET"]
    if others:
        problems.append("requests other than GET: %s" % ", ".join(others[:5]))
    failed = ["%s %s -> %s" % (e["method"], e["path"], e["status"]) for e in entries if e["method"] == "GET" and e["status"] != 200]
    if failed:
        problems.append("GETs not answered 200: %s" % ", ".join(failed[:5]))
    if len(entries) != len(expected_paths):
        problems.append("%d requests instead of %d" % (len(entries), len(expected_paths)))
    got = collections.Counter(e["path"] for e in entries if e["method"] == "GET")
    wanted = collections.Counter(expected_paths)
    missing = sorted((wanted - got).elements())
    extra = sorted((got - wanted).elements())
    if missing:
        problems.append("%d expected GETs missing (first: %s)" % (len(missing), missing[0]))
    if extra:
        problems.append("%d unexpected or repeated GETs (first: %s)" % (len(extra), extra[0]))
    return problems


def run_problems(rc, recap, journal, expected_paths, has_tasks=True):
    problems = []
    if rc != 0:
        problems.append("ansible-playbook exited with %s" % rc)
    if recap is None:
        if has_tasks:
            problems.append("no PLAY RECAP for localhost")
    elif recap[1] or recap[2] or recap[3]:
        problems.append("recap changed=%d unreachable=%d failed=%d (an in-sync converge changes nothing)" % recap[1:])
    return problems + journal_problems(journal, expected_paths)


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def parse_importtime(text):
    """The lines of `python -X importtime` as [(self_us, cumulative_us, depth, module)], in the order printed."""
    entries = []
    for line in text.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:"):].split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # the header line
        name = fields[2][1:] if fields[2].startswith(" ") else fields[2]
        depth = (len(name) - len(name.lstrip(" "))) // 2
        entries.append((int(fields[0]), int(fields[1]), depth, name.strip()))
    return entries


def import_origin(module):
    """Where an imported module comes from, coarsely: what the import time is spent on."""
    top = module.split(".", 1)[0]
    if module.startswith("ansible_collections.oncall.pagerduty"):
        return "oncall.pagerduty (module, module_utils)"
    if top == "ansible_collections":
        return "ansible_collections (namespace packages)"
    if top == "ansible":
        return "ansible.module_utils (ansible-core)"
    if top in REQUESTS_PACKAGES:
        return "requests, urllib3, charset_normalizer, idna, certifi"
    return "standard library (and other)"


def import_group(module):
    """A finer key than import_origin: the package or the collection file."""
    parts = module.split(".")
    if module.startswith("ansible_collections.oncall.pagerduty.plugins.") and len(parts) > 5:
        return "oncall.pagerduty " + ".".join(parts[5:])
    if parts[0] == "ansible":
        return ".".join(parts[:3])
    return parts[0]


def sum_self_times(entries, key, exclude=frozenset()):
    """{key(module): milliseconds}: the self times (each module's own import, children excluded) summed."""
    totals = collections.defaultdict(float)
    for self_us, dummy_cumulative, dummy_depth, module in entries:
        if module not in exclude:
            totals[key(module)] += self_us / 1000.0
    return dict(totals)


def median_of_dicts(dicts):
    """{key: median over the dicts, a missing key counting as 0}."""
    keys = set()
    for item in dicts:
        keys.update(item)
    return dict((key, statistics.median([item.get(key, 0.0) for item in dicts])) for key in keys)


def median_or_none(values):
    values = [value for value in values if value is not None]
    return statistics.median(values) if values else None


def format_seconds(value):
    return "-" if value is None else "%.2f" % value


def format_ratio(value):
    return "-" if value is None else "%.2f" % value


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
        ansible_core = version("ansible-core")
    except Exception:  # pylint: disable=broad-except
        ansible_core = "unknown"
    return dict(
        nproc=os.cpu_count(),
        cpu=cpu.group(1).strip() if cpu else "unknown",
        memory_gib=round(int(memory.group(1)) / 1024.0 / 1024.0, 1) if memory else None,
        python=sys.version.split()[0],
        python_executable=sys.executable,
        ansible_core=ansible_core,
        platform=sys.platform,
    )


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
    default = os.path.join(REPO, ".venv", "collections")
    return os.environ.get("ANSIBLE_COLLECTIONS_PATH") or default


def ansible_env(workdir, url, pipelining=False):
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
        ANSIBLE_PIPELINING="True" if pipelining else "False",
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    )
    return env


def write_vars(workdir, url, names, concurrency):
    path = os.path.join(workdir, "bench-vars.json")
    data = dict(
        ansible_python_interpreter=sys.executable,
        bench_url=url, bench_api_key=facts.DATADOG_API_KEY, bench_app_key=facts.DATADOG_APP_KEY, bench_concurrency=concurrency,
        bench_services=[dict(service_name=name, service_key=service_key(index)) for index, name in enumerate(names)],
    )
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    return path


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds():
    """CPU seconds every process of the machine has used since boot (user, nice, system, irq, softirq), or None."""
    fields = read_text("/proc/stat").split("\n", 1)[0].split()
    if len(fields) < 8 or fields[0] != "cpu":
        return None
    user, nice, system, dummy_idle, dummy_iowait, irq, softirq = [int(value) for value in fields[1:8]]
    return (user + nice + system + irq + softirq) / float(os.sysconf("SC_CLK_TCK"))


def run_playbook(playbook, vars_path, env, workdir):
    """ansible-playbook -i localhost, -c local: {seconds (wall), cpu, other_cpus, rc, output}.

    cpu: CPU seconds of ansible-playbook, its workers and the module processes (all waited for).
    other_cpus: how many CPUs the rest of the machine (other processes, the sandbox) kept busy meanwhile, on average.
    """
    argv = [ansible_playbook_path(), "-i", "localhost,", "-c", "local", "-e", "@" + vars_path, os.path.join(PLAYBOOKS, playbook)]
    cpu, busy = children_cpu_seconds(), machine_busy_seconds()
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
    other = None if busy is None else max(0.0, machine_busy_seconds() - busy - cpu) / seconds
    return dict(seconds=seconds, cpu=cpu, other_cpus=other, rc=process.returncode, output=output)


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


def seed(sandbox, names, latency_ms):
    sandbox.reset()
    sandbox.seed_datadog((name, service_key(index)) for index, name in enumerate(names))
    sandbox.settings(latency_ms=latency_ms)


def measure_variant(sandbox, variant, names, vars_path, env, workdir, latency_ms, run_index):
    sandbox.clear_journal()
    run = run_playbook(variant.playbook, vars_path, env, workdir)
    seconds, rc, output = run["seconds"], run["rc"], run["output"]
    journal = sandbox.journal()
    recap = parse_recap(output)
    problems = run_problems(rc, recap, journal, variant.expected_paths(names), variant.has_tasks)
    times = [entry["time"] for entry in journal if entry.get("time") is not None]
    record = dict(variant=variant.key, latency_ms=latency_ms, run=run_index, seconds=seconds, cpu_s=run["cpu"], other_cpus=run["other_cpus"], rc=rc,
                  requests=len(journal), gets=sum(1 for entry in journal if entry["method"] == "GET"),
                  span_s=(max(times) - min(times)) if times else None, problems=problems)
    if problems:
        log = os.path.join(workdir, "failed-%s-%sms-run%d.log" % (variant.key, latency_ms, run_index))
        with open(log, "w", encoding="utf-8") as handle:
            handle.write(output)
        record["log"] = log
    return record


def run_benchmark(sandbox, args, names, vars_path, env, workdir):
    records = []
    variants = [variant for variant in VARIANTS if variant.key in args.variants]
    warmed = False
    for latency_ms in args.latency_ms:
        seed(sandbox, names, latency_ms)
        if not warmed:
            # Disk caches and .pyc files: the short variants once, not counted.
            for variant in variants:
                if variant.key in ("start", "c", "d"):
                    run_playbook(variant.playbook, vars_path, env, workdir)
            warmed = True
        total = max(args.runs, args.loop_runs)
        for run_index in range(total):
            # Rotate the order from run to run so that no variant always follows the same one.
            shift = run_index % len(variants)
            done = []
            for variant in variants[shift:] + variants[:shift]:
                if run_index >= (args.loop_runs if variant.loop else args.runs):
                    continue
                record = measure_variant(sandbox, variant, names, vars_path, env, workdir, latency_ms, run_index)
                records.append(record)
                other = "" if record["other_cpus"] is None else " (other %.1f)" % record["other_cpus"]
                done.append("%s %.2fs%s%s" % (variant.key, record["seconds"], other, "" if not record["problems"] else " FAILED"))
            progress("  latency %s ms, run %d/%d: %s" % (latency_ms, run_index + 1, total, ", ".join(done)))
        state = sandbox.datadog_services()
        if sorted(state) != sorted(names):
            records.append(dict(variant="state", latency_ms=latency_ms, run=None, seconds=None, problems=[
                "the sandbox holds %d service objects after the runs instead of the %d seeded" % (len(state), len(names))]))
    return records


def summarise(records, latencies):
    """{(variant, latency): {median, min, max, requests: [per run], problems: [...]}}"""
    summary = {}
    for variant in VARIANTS:
        for latency_ms in latencies:
            runs = [r for r in records if r["variant"] == variant.key and r["latency_ms"] == latency_ms]
            if not runs:
                continue
            seconds = [r["seconds"] for r in runs]
            spans = [r["span_s"] for r in runs if r.get("span_s") is not None]
            summary[(variant.key, latency_ms)] = dict(
                median=statistics.median(seconds), min=min(seconds), max=max(seconds), runs=len(runs),
                cpu=statistics.median([r["cpu_s"] for r in runs]),
                other_cpus=median_or_none([r.get("other_cpus") for r in runs]),
                requests=[r["requests"] for r in runs], span=statistics.median(spans) if spans else None,
                problems=[p for r in runs for p in r["problems"]])
    return summary


def median_of(summary, variant, latency_ms, field="median"):
    return (summary.get((variant, latency_ms)) or {}).get(field)


def paired_ratios(records, latencies):
    """{(top, bottom, latency): median of top/bottom over the runs where both ran (same run index, adjacent in time)}."""
    result = {}
    for latency_ms in latencies:
        seconds = dict(((r["variant"], r["run"]), r["seconds"]) for r in records if r["latency_ms"] == latency_ms and r.get("seconds"))
        for top, bottom in RATIOS:
            values = [seconds[(top, run)] / seconds[(bottom, run)] for (variant, run) in seconds if variant == top and (bottom, run) in seconds]
            result[(top, bottom, latency_ms)] = statistics.median(values) if values else None
    return result


def targets_of(summary, latencies, n):
    verdicts = []
    for name, numerator, denominator, limit in TARGETS:
        for latency_ms in latencies:
            value = ratio(median_of(summary, numerator, latency_ms), median_of(summary, denominator, latency_ms))
            measured = median_of(summary, numerator, latency_ms) is not None or median_of(summary, denominator, latency_ms) is not None
            verdicts.append(dict(target=name, limit=limit, latency_ms=latency_ms, value=value, measured=measured,
                                 passed=value is not None and value <= limit, at_target_n=n == TARGET_N))
    return verdicts


# ---------------------------------------------------------------------------------------------
# One module start


def find_payloads(remote_tmp):
    payloads = {}
    for root, dummy_dirs, files in os.walk(remote_tmp):
        for name in files:
            if name.startswith("AnsiballZ_") and name.endswith(".py"):
                payloads[name[len("AnsiballZ_"):-len(".py")]] = os.path.join(root, name)
    return payloads


def time_command(argv, env, reps):
    """Median and min wall seconds and median CPU seconds of `reps` runs (after one unmeasured run), and the last output."""
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=120)
    seconds, cpus = [], []
    output = ""
    for dummy in range(reps):
        cpu = children_cpu_seconds()
        started = time.perf_counter()
        completed = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                                   check=False, timeout=120)
        seconds.append(time.perf_counter() - started)
        cpus.append(children_cpu_seconds() - cpu)
        output = completed.stdout
        if completed.returncode != 0:
            raise RuntimeError("%s exited with %s: %s" % (" ".join(argv), completed.returncode, completed.stderr[-2000:]))
    return dict(median=statistics.median(seconds), min=min(seconds), cpu=statistics.median(cpus)), output


def importtime_runs(argv, env, reps):
    """The parsed -X importtime output of `reps` runs."""
    runs = []
    for dummy in range(reps):
        completed = subprocess.run([sys.executable, "-X", "importtime"] + argv, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, universal_newlines=True, check=False, timeout=120)
        runs.append(parse_importtime(completed.stderr))
    return runs


def import_summary(runs, baseline_modules=frozenset()):
    """Medians over runs: total import ms, ms by origin, and the top groups not imported by the baseline."""
    return dict(
        total_ms=statistics.median([sum(e[0] for e in entries) / 1000.0 for entries in runs]),
        by_origin=median_of_dicts([sum_self_times(entries, import_origin) for entries in runs]),
        extra_by_group=median_of_dicts([sum_self_times(entries, import_group, exclude=baseline_modules) for entries in runs]),
        modules=len(runs[-1]) if runs else 0,
    )


def measure_module_start(sandbox, vars_path, env, workdir, reps):
    """Keep the AnsiballZ payloads of one run of tools/bench/module_start.yml and time them by hand."""
    sandbox.settings(latency_ms=0)
    remote = os.path.join(workdir, "kept-payloads")
    keep_env = dict(env, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=remote)
    run = run_playbook("module_start.yml", vars_path, keep_env, workdir)
    if run["rc"] != 0:
        raise RuntimeError("module_start.yml failed:\n%s" % run["output"][-3000:])
    payloads = find_payloads(remote)
    wanted = ("ping", "uri", "datadog_pagerduty_service")
    if any(name not in payloads for name in wanted):
        raise RuntimeError("AnsiballZ payloads missing under %s: found %s" % (remote, sorted(payloads)))

    result = dict(reps=reps, process={}, payload_imports={}, venv_imports={})
    commands = [("python -c pass", [sys.executable, "-c", "pass"])] + [(name, [sys.executable, payloads[name]]) for name in wanted]
    for label, argv in commands:
        timing, output = time_command(argv, env, reps)
        if label != "python -c pass" and '"failed": true' in output:
            raise RuntimeError("the %s payload failed: %s" % (label, output[-2000:]))
        result["process"][label] = timing

    import_reps = max(3, min(reps, 7))
    ping_runs = importtime_runs([payloads["ping"]], env, import_reps)
    ping_modules = frozenset(e[3] for entries in ping_runs for e in entries)
    result["payload_imports"]["ping"] = import_summary(ping_runs)
    for name in ("uri", "datadog_pagerduty_service"):
        result["payload_imports"][name] = import_summary(importtime_runs([payloads[name]], env, import_reps), ping_modules)

    # The same imports from the venv, where .pyc files are cached (AnsiballZ imports from a zip, compiling each time).
    venv_env = dict(env, PYTHONPATH=collections_path().split(os.pathsep)[0])
    basic_runs = importtime_runs(["-c", "import ansible.module_utils.basic"], venv_env, import_reps)
    basic_modules = frozenset(e[3] for entries in basic_runs for e in entries)
    result["venv_imports"]["ansible.module_utils.basic"] = import_summary(basic_runs)
    result["venv_imports"]["ansible.modules.uri"] = import_summary(
        importtime_runs(["-c", "import ansible.modules.uri"], venv_env, import_reps), basic_modules)
    result["venv_imports"]["datadog_pagerduty_service"] = import_summary(
        importtime_runs(["-c", "import " + MODULE], venv_env, import_reps), basic_modules)
    return result


# ---------------------------------------------------------------------------------------------
# The report


def report(args, info, summary, verdicts, module_start, loads, elapsed, paired=None):
    lines = []
    out = lines.append
    out("oncall.pagerduty benchmark: in-sync converge of N=%d existing Datadog PagerDuty service objects" % args.n)
    out("runs per latency: %d of start, c, d and %d of the loops a, b (median wall time reported); concurrency of (c): %d; pipelining: %s"
        % (args.runs, args.loop_runs, args.concurrency, "on" if args.pipelining else "off (ansible default)"))
    out("machine: %s CPU(s), %s, %s GiB RAM; Python %s; ansible-core %s; load average %s at start, %s at end"
        % (info["nproc"], info["cpu"], info["memory_gib"], info["python"], info["ansible_core"],
           "/".join(str(v) for v in loads[0] or []), "/".join(str(v) for v in loads[1] or [])))
    out("")
    header = "%-6s %-44s %8s %9s %7s %7s %7s %6s  %-16s %s" % ("", "variant", "latency", "median s", "min s", "max s", "cpu s",
                                                               "other", "requests/run", "check")
    out(header)
    out("-" * len(header))
    legend = ("cpu s: CPU time of ansible-playbook and all it ran (median), steadier than wall time on a busy machine; targets use wall time.\n"
              "other: CPUs kept busy by other processes during the run (median; %s CPUs in all): above 0.3 the wall times are inflated"
              % os.cpu_count())
    for variant in VARIANTS:
        for latency_ms in args.latency_ms:
            row = summary.get((variant.key, latency_ms))
            if not row:
                continue
            counts = row["requests"]
            shown = ("%d GET x%d" % (counts[0], len(counts))) if len(set(counts)) == 1 else "/".join(str(c) for c in counts)
            out("%-6s %-44s %5s ms %9s %7s %7s %7s %6s  %-16s %s" % (
                variant.key, variant.title, latency_ms, format_seconds(row["median"]), format_seconds(row["min"]),
                format_seconds(row["max"]), format_seconds(row["cpu"]), format_ratio(row["other_cpus"]), shown,
                "ok" if not row["problems"] else "FAIL"))
    out(legend)
    out("")
    wall_heads = "  ".join("%6s" % ("%s/%s" % pair) for pair in RATIOS)
    cpu_heads = "  ".join("%10s" % ("cpu %s/%s" % pair) for pair in RATIOS)
    paired_heads = "  ".join("%13s" % ("paired %s/%s" % pair) for pair in RATIOS)
    out("%-10s %s   %s   %s" % ("ratios", wall_heads, cpu_heads, paired_heads))
    for latency_ms in args.latency_ms:
        walls = [ratio(median_of(summary, top, latency_ms), median_of(summary, bottom, latency_ms)) for top, bottom in RATIOS]
        cpus = [ratio(median_of(summary, top, latency_ms, "cpu"), median_of(summary, bottom, latency_ms, "cpu")) for top, bottom in RATIOS]
        pairs = [(paired or {}).get((top, bottom, latency_ms)) for top, bottom in RATIOS]
        out("%7s ms %s   %s   %s" % (latency_ms, "  ".join("%6s" % format_ratio(value) for value in walls),
                                     "  ".join("%10s" % format_ratio(value) for value in cpus),
                                     "  ".join("%13s" % format_ratio(value) for value in pairs)))
    out("ratios of the medians (wall: the targets; cpu); paired: median over runs of the ratio of the two runs of the same round")
    out("")
    out("targets (issue \"Scale\", at N=%d):" % TARGET_N)
    for verdict in verdicts:
        note = "" if verdict["at_target_n"] else "  (measured at N=%d: indicative only)" % args.n
        out("  %s  %s <= %.1f at %s ms: %s%s" % (
            "PASS" if verdict["passed"] else ("FAIL" if verdict["measured"] else "SKIP"), verdict["target"], verdict["limit"], verdict["latency_ms"],
            format_ratio(verdict["value"]), note))
    out("")
    out("where the time goes (medians; wall s / cpu s):")
    for latency_ms in args.latency_ms:
        start, start_cpu = median_of(summary, "start", latency_ms), median_of(summary, "start", latency_ms, "cpu")
        if start is None:
            continue
        parts = ["ansible-playbook start %.2f / %.2f" % (start, start_cpu)]
        for key, label in (("a", "per item of (a)"), ("b", "per item of (b)")):
            if median_of(summary, key, latency_ms) is not None:
                parts.append("%s %.3f / %.3f" % (label, (median_of(summary, key, latency_ms) - start) / args.n,
                                                 (median_of(summary, key, latency_ms, "cpu") - start_cpu) / args.n))
        for key, label in (("c", "task (c)"), ("d", "task (d)")):
            if median_of(summary, key, latency_ms) is not None:
                parts.append("%s %.2f / %.2f" % (label, median_of(summary, key, latency_ms) - start,
                                                 median_of(summary, key, latency_ms, "cpu") - start_cpu))
        out("  %s ms: %s" % (latency_ms, "; ".join(parts)))
        span = median_of(summary, "c", latency_ms, "span")
        if span is not None:
            waves = int(math.ceil(args.n / float(args.concurrency)))
            out("  %s ms: (c) read %d objects in %d waves of %d: first to last request arrival %.3f s; latency adds about %.3f s"
                % (latency_ms, args.n, waves, args.concurrency, span, waves * latency_ms / 1000.0))
    payload = ((module_start or {}).get("process") or {}).get("datadog_pagerduty_service")
    first = args.latency_ms[0]
    if payload and median_of(summary, "a", first) is not None and median_of(summary, "start", first) is not None:
        per_item_cpu = (median_of(summary, "a", first, "cpu") - median_of(summary, "start", first, "cpu")) / args.n
        out("  per item of (a) at %s ms: %.3f cpu s, of which the module process (payload run by hand) %.3f and the controller %.3f"
            % (first, per_item_cpu, payload["cpu"], per_item_cpu - payload["cpu"]))
    if module_start:
        out("")
        out("one module start: the AnsiballZ payload of one task run by hand (%d runs, median; 0 ms latency):" % module_start["reps"])
        for label, value in module_start["process"].items():
            out("  %-44s %6.3f s (min %.3f, cpu %.3f)" % (label, value["median"], value["min"], value["cpu"]))
        out("")
        out("import time inside the payload (python -X importtime, ms, self times summed by origin, median of runs):")
        names = list(module_start["payload_imports"])
        origins = sorted(set(o for name in names for o in module_start["payload_imports"][name]["by_origin"]))
        out("  %-54s %s" % ("", "".join("%27s" % name for name in names)))
        for origin in origins:
            cells = "".join("%27.1f" % module_start["payload_imports"][name]["by_origin"].get(origin, 0.0) for name in names)
            out("  %-54s %s" % (origin, cells))
        out("  %-54s %s" % ("total", "".join("%27.1f" % module_start["payload_imports"][name]["total_ms"] for name in names)))
        for name in ("uri", "datadog_pagerduty_service"):
            extra = module_start["payload_imports"][name]["extra_by_group"]
            top = sorted(extra.items(), key=lambda item: -item[1])[:10]
            out("  %s imports on top of ping: %.1f ms; top: %s" % (
                name, sum(extra.values()), ", ".join("%s %.1f" % (group, ms) for group, ms in top)))
        out("")
        out("import from the venv (.pyc cached), python -X importtime -c 'import ...', ms, median of runs:")
        for name, data in module_start["venv_imports"].items():
            extra = data["extra_by_group"]
            if name == "ansible.module_utils.basic":
                out("  %-30s total %.1f ms" % (name, data["total_ms"]))
                continue
            top = sorted(extra.items(), key=lambda item: -item[1])[:8]
            out("  %-30s total %.1f ms, of which %.1f ms on top of ansible.module_utils.basic: %s" % (
                name, data["total_ms"], sum(extra.values()), ", ".join("%s %.1f" % (group, ms) for group, ms in top)))
    out("")
    out("total benchmark time: %.0f s" % elapsed)
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="tools/bench.py", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--n", type=int, default=TARGET_N, help="objects that exist (default %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each variant per latency; the median is reported (default %(default)s)")
    parser.add_argument("--loop-runs", type=int, default=None,
                        help="runs of the loops (a) and (b), which take 90%% of the time (default: --runs)")
    parser.add_argument("--latency-ms", default="0,50", help="sandbox latencies to measure, comma-separated (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrency of variant (c), 1 to 32 (default %(default)s)")
    parser.add_argument("--json", metavar="PATH", help="save the raw results as JSON")
    parser.add_argument("--quick", action="store_true", help="smoke test: --n 10 --runs 1, fewer module-start runs")
    parser.add_argument("--pipelining", action="store_true", help="run with ANSIBLE_PIPELINING=True (default: ansible's default, off)")
    parser.add_argument("--module-start-runs", type=int, default=15, help="runs of each AnsiballZ payload timed by hand (default %(default)s)")
    parser.add_argument("--skip-module-start", action="store_true", help="do not measure the module start")
    parser.add_argument("--variants", default=",".join(v.key for v in VARIANTS),
                        help="the variants to run, comma-separated (default %(default)s)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.runs, args.loop_runs, args.module_start_runs = 10, 1, 1, 5
    if args.loop_runs is None:
        args.loop_runs = args.runs
    try:
        args.latency_ms = parse_latencies(args.latency_ms)
    except ValueError as exc:
        parser.error("--latency-ms: %s" % exc)
    if min(args.n, args.runs, args.loop_runs, args.module_start_runs) < 1:
        parser.error("--n, --runs, --loop-runs and --module-start-runs must be at least 1")
    if not 1 <= args.concurrency <= 32:
        parser.error("--concurrency must be between 1 and 32")
    known = [v.key for v in VARIANTS]
    args.variants = [key.strip() for key in args.variants.split(",") if key.strip()]
    unknown = [key for key in args.variants if key not in known]
    if unknown or not args.variants:
        parser.error("--variants: choose among %s, got %s" % (", ".join(known), ", ".join(unknown) or "nothing"))
    return args


def _terminate(signum, frame):  # pylint: disable=unused-argument
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate)
    began = time.perf_counter()
    loads = [load_average(), None]
    info = machine_info()
    names = service_names(args.n)
    workdir = tempfile.mkdtemp(prefix="oncall-bench-")
    # In a session of its own: a Ctrl-C reaches this script, which stops the sandbox last.
    process = SandboxProcess(os.path.join(workdir, "sandbox.log"), new_session=True)
    keep = False  # the work directory is kept when a check failed or the bench broke, not when interrupted
    try:
        ansible_playbook_path()
        sandbox = SandboxClient(process.start().url)
        env = ansible_env(workdir, sandbox.datadog_url, pipelining=args.pipelining)
        vars_path = write_vars(workdir, sandbox.datadog_url, names, args.concurrency)
        progress("sandbox %s; work directory %s; N=%d, runs=%d, latencies %s ms"
                 % (sandbox.url, workdir, args.n, args.runs, ",".join(str(v) for v in args.latency_ms)))
        records = run_benchmark(sandbox, args, names, vars_path, env, workdir)
        module_start = None
        if not args.skip_module_start:
            progress("  module start: AnsiballZ payloads and import times")
            module_start = measure_module_start(sandbox, vars_path, env, workdir, args.module_start_runs)
        loads[1] = load_average()
        summary = summarise(records, args.latency_ms)
        verdicts = targets_of(summary, args.latency_ms, args.n)
        elapsed = time.perf_counter() - began
        paired = paired_ratios(records, args.latency_ms)
        print(report(args, info, summary, verdicts, module_start, loads, elapsed, paired))
        problems = [(r["variant"], r["latency_ms"], r["run"], p, r.get("log")) for r in records for p in r["problems"]]
        for variant, latency_ms, run_index, problem, log in problems:
            where = " (output: %s)" % log if log else ""
            print("FAIL check: (%s) at %s ms, run %s: %s%s" % (variant, latency_ms, run_index, problem, where))
        if process.problems():
            print("WARNING: the sandbox logged errors (%s)" % process.log_path)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                config = dict(n=args.n, runs=args.runs, loop_runs=args.loop_runs, variants=args.variants, latency_ms=args.latency_ms,
                              concurrency=args.concurrency, pipelining=args.pipelining)
                json.dump(dict(config=config, machine=info, load_average=dict(start=loads[0], end=loads[1]), elapsed_s=elapsed, runs=records,
                               summary=[dict(variant=k[0], latency_ms=k[1], **v) for k, v in sorted(summary.items(), key=str)],
                               paired_ratios=[dict(top=k[0], bottom=k[1], latency_ms=k[2], value=v) for k, v in sorted(paired.items(), key=str)],
                               targets=verdicts, module_start=module_start), handle, indent=2)
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
