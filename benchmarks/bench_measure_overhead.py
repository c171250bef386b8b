"""Overhead of `trainplan measure`: the measuring process's own CPU time while a command runs, against a
plain run of the same command and against CodeCarbon's tracker, in one pytest run.

    python -m pytest benchmarks/bench_measure_overhead.py --benchmark-enable -q -s

Metric: CPU seconds (user + system) of *this* process over the run (``resource.getrusage(RUSAGE_SELF)``:
every thread of the measurer, the command's own CPU excluded), and the sampler thread's own CPU time
(``time.thread_time`` inside it, written to the record as ``sampler_cpu_s``). The command sleeps, so it
competes for no core. CodeCarbon (optional extra ``[bench]``) is skipped when not installed.
"""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
import time
import warnings

import pytest
from fake_sensors import fake_pynvml, rapl_zone

from planner.measure.runner import run_measured

SECONDS = 3.0
COMMAND = [sys.executable, "-c", f"import time; time.sleep({SECONDS})"]
ROUNDS = 3


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measured(benchmark, label, run):
    """Run ``run`` ROUNDS times under pytest-benchmark; record and print the measurer's CPU per wall second."""
    cpu, wall, sampler = [], [], []

    def once():
        c0, t0 = _cpu_s(), time.perf_counter()
        sampler_s = run()
        cpu.append(_cpu_s() - c0)
        wall.append(time.perf_counter() - t0)
        if sampler_s is not None:
            sampler.append(sampler_s)

    benchmark.pedantic(once, rounds=ROUNDS, iterations=1)
    cpu_s = sorted(cpu)[len(cpu) // 2]
    wall_s = sorted(wall)[len(wall) // 2]
    benchmark.extra_info.update({"measurer_cpu_s": cpu_s, "wall_s": wall_s,
                                 "measurer_cpu_pct_of_one_core": 100 * cpu_s / wall_s,
                                 "sampler_thread_cpu_s": max(sampler) if sampler else None})
    line = f"{label:<52} wall {wall_s:6.2f} s   measurer CPU {1000 * cpu_s:8.1f} ms ({100 * cpu_s / wall_s:.3f}% of a core)"
    if sampler:
        line += f"   sampler thread {1000 * sorted(sampler)[len(sampler) // 2]:.2f} ms"
    print("\n" + line)


def test_plain_run(benchmark):
    _measured(benchmark, "plain run", lambda: subprocess.run(COMMAND, check=True) and None)


@pytest.mark.parametrize("interval_s", [1.0, 0.1])
def test_trainplan_sampler_this_hosts_sensors(benchmark, interval_s):
    def run():
        return run_measured(COMMAND, interval_s=interval_s)[1]["sampler_cpu_s"]

    _measured(benchmark, f"trainplan measure, this host's sensors, {interval_s:g} s", run)


@pytest.mark.parametrize("interval_s", [1.0, 0.1])
def test_trainplan_sampler_8_gpus_4_rapl_zones(benchmark, tmp_path, interval_s):
    # A two-socket host's four RAPL files read from disk, and eight GPUs through the pynvml double (the double
    # costs Python calls only: a real driver call costs more, measured by benchmarks/gpu_power_check.py).
    for directory, name in [("intel-rapl:0", "package-0"), ("intel-rapl:0:0", "dram"), ("intel-rapl:1", "package-1"),
                            ("intel-rapl:1:0", "dram")]:
        rapl_zone(tmp_path, directory, name, 1_000_000)
    nvml = fake_pynvml(power_mw=(300_000,) * 8, util_pct=(90,) * 8, names=("NVIDIA H100 80GB HBM3",) * 8,
                       limit_mw=(700_000,) * 8, energy_mj=[[1_000]] * 8)

    def run():
        return run_measured(COMMAND, interval_s=interval_s, rapl_root=tmp_path, nvml_module=nvml)[1]["sampler_cpu_s"]

    _measured(benchmark, f"trainplan measure, 8 GPU double + 4 RAPL files, {interval_s:g} s", run)


def test_codecarbon_offline_tracker(benchmark, tmp_path):
    codecarbon = pytest.importorskip("codecarbon", reason="CodeCarbon not installed: pip install -e '.[bench]'")
    logging.getLogger("codecarbon").setLevel(logging.ERROR)
    os.environ.setdefault("CODECARBON_LOG_LEVEL", "error")

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tracker = codecarbon.OfflineEmissionsTracker(
                country_iso_code="USA", measure_power_secs=1, log_level="error", save_to_file=False,
                output_dir=str(tmp_path), allow_multiple_runs=True)
            tracker.start()
            subprocess.run(COMMAND, check=True)
            tracker.stop()
        return None

    _measured(benchmark, "CodeCarbon OfflineEmissionsTracker, 1 s", run)
