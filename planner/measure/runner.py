"""Run a command while sampling GPU, CPU and DRAM power, then write the measurement record (an I/O module).

The command runs in its own process group: Ctrl-C (SIGINT) or SIGTERM sent to trainplan is forwarded
to that group once (a second Ctrl-C kills it), sampling stops when the command ends, and the record is
written in every case with what was measured. ``--duration`` stops the command the same way. A sampling
thread wakes every ``interval_s``, reads NVML and the RAPL counters, and sleeps; all arithmetic is done
once at the end by ``planner.measure.record``. Because the command has its own process group, it cannot read
from the terminal (it would be stopped with SIGTTIN): training scripts rarely do; redirect stdin if one does.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from planner.errors import PlanError
from planner.measure.nvml import NvmlGpus, NvmlUnavailable
from planner.measure.rapl import POWERCAP_ROOT, RaplUnavailable, find_zones, read_energy_uj
from planner.measure.record import GpuSeries, RaplSeries, exit_status, measurement_record

#: Seconds a stopped command gets to exit after SIGINT, then after SIGTERM, before SIGKILL.
STOP_GRACE_S = 10.0


class _Sampler(threading.Thread):
    """Reads every source at start, every ``interval_s``, and once more when stopped."""

    def __init__(self, interval_s: float, gpus: NvmlGpus | None, gpu_series: GpuSeries | None, zones: list,
                 rapl_series: RaplSeries | None) -> None:
        super().__init__(name="trainplan-sampler", daemon=True)
        self.interval_s = interval_s
        self.gpus, self.gpu_series = gpus, gpu_series
        self.zones, self.rapl_series = zones, rapl_series
        self.stop_event = threading.Event()
        self.first_sample = threading.Event()
        self.t0 = time.monotonic()
        self.cpu_s: float | None = None
        self.dropped = 0

    def sample(self) -> None:
        t = time.monotonic() - self.t0
        if self.gpus is not None and self.gpu_series is not None:
            try:
                power, util, energy = self.gpus.read()
            except self.gpus.error:
                self.dropped += 1
            else:
                self.gpu_series.t_s.append(t)
                self.gpu_series.power_w.append(power)
                self.gpu_series.util_pct.append(util)
                if energy is not None and self.gpu_series.energy_mj is not None:
                    self.gpu_series.energy_mj.append(energy)
        if self.rapl_series is not None:
            try:
                counters = read_energy_uj(self.zones)
            except (OSError, ValueError):
                self.dropped += 1
            else:
                self.rapl_series.t_s.append(t)
                self.rapl_series.energy_uj.append(counters)

    def run(self) -> None:
        start = time.thread_time()
        self.sample()
        self.first_sample.set()
        beat = 1
        # Deadlines from the start, not sleeps after each read, so the period does not drift over a day.
        while not self.stop_event.wait(max(0.0, self.t0 + beat * self.interval_s - time.monotonic())):
            self.sample()
            beat += 1
        self.sample()
        self.cpu_s = time.thread_time() - start


def _signal_group(child: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(child.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _stop(child: subprocess.Popen, grace_s: float) -> None:
    """SIGINT the command's group, then SIGTERM, then SIGKILL, each after ``grace_s`` without exit."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        _signal_group(child, sig)
        try:
            child.wait(timeout=grace_s)
            return
        except subprocess.TimeoutExpired:
            continue


def open_sources(rapl_root: Path = POWERCAP_ROOT, nvml_module: ModuleType | None = None,
                 gpu_indices: Sequence[int] | None = None) -> tuple[NvmlGpus | None, str | None, list, str | None]:
    """Open NVML and the RAPL zones: (gpus or None, why not, zones, why not)."""
    try:
        gpus, gpu_reason = NvmlGpus(nvml_module, gpu_indices), None
    except NvmlUnavailable as exc:
        gpus, gpu_reason = None, str(exc)
    try:
        zones, rapl_reason = find_zones(rapl_root), None
    except RaplUnavailable as exc:
        zones, rapl_reason = [], str(exc)
    return gpus, gpu_reason, zones, rapl_reason


def run_measured(
    argv: Sequence[str],
    *,
    interval_s: float = 1.0,
    duration_s: float | None = None,
    out_path: Path | None = None,
    rapl_root: Path = POWERCAP_ROOT,
    nvml_module: ModuleType | None = None,
    gpu_indices: Sequence[int] | None = None,
    say: Callable[[str], None] = lambda line: None,
    grace_s: float = STOP_GRACE_S,
) -> tuple[int, dict]:
    """Run ``argv`` under the sampler; return (the command's exit status, the measurement record).

    interval_s : sampling period [s]; duration_s : stop the command after this long [s] (None: let it end);
    out_path : where to write the JSON record (also written after Ctrl-C); say : receives one-line notices
    (a missing GPU or RAPL). Signals are forwarded only when called from the main thread.
    """
    if not argv:
        raise PlanError("command: give the command to measure after `--`, e.g. trainplan measure -- python train.py")
    gpus, gpu_reason, zones, rapl_reason = open_sources(rapl_root, nvml_module, gpu_indices)
    missing = [f"GPU ({gpu_reason})"] * bool(gpu_reason) + [f"CPU and DRAM ({rapl_reason})"] * bool(rapl_reason)
    if missing:
        say(f"not measured, written as null: {'; '.join(missing)}")
    notes = []
    if gpus is not None and gpu_indices is None and os.environ.get("CUDA_VISIBLE_DEVICES"):
        notes.append(f"CUDA_VISIBLE_DEVICES={os.environ['CUDA_VISIBLE_DEVICES']} is set but every GPU NVML sees was "
                     "measured; pass --gpu-index to measure only the GPUs the command uses")
    gpu_series = None if gpus is None else GpuSeries(
        gpus.names, gpus.indices, gpus.power_limit_w, energy_mj=[] if gpus.has_energy_counter else None)
    rapl_series = RaplSeries([z.name for z in zones], [z.kind for z in zones], [z.max_range_uj for z in zones]) \
        if zones else None

    sampler = _Sampler(interval_s, gpus, gpu_series, zones, rapl_series)
    stopped_by: list[str] = []
    handlers: dict[int, object] = {}
    child: subprocess.Popen | None = None

    def forward(signum: int, frame: object) -> None:
        stopped_by.append("interrupt")
        if child is not None:
            _signal_group(child, signal.SIGKILL if stopped_by.count("interrupt") > 1 else signum)

    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    # Handlers first: a Ctrl-C at any point from here on is recorded and reaches the command once it runs.
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            handlers[sig] = signal.signal(sig, forward)
    try:
        sampler.start()
        sampler.first_sample.wait()
        t_start = time.monotonic()
        try:
            child = subprocess.Popen(list(argv), process_group=0)
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            raise PlanError(f"command '{argv[0]}': cannot run it ({exc.strerror or exc.__class__.__name__})") from None
        if stopped_by:
            _signal_group(child, signal.SIGINT)  # Ctrl-C came while it was starting
        try:
            returncode = child.wait(timeout=duration_s)
        except subprocess.TimeoutExpired:
            stopped_by.append("duration")
            _stop(child, grace_s)
            returncode = child.wait()
        wall_s = time.monotonic() - t_start
    finally:
        sampler.stop_event.set()
        if sampler.is_alive():
            sampler.join()
        for sig, previous in handlers.items():
            signal.signal(sig, signal.SIG_DFL if previous is None else previous)  # type: ignore[arg-type]
        if gpus is not None:
            gpus.close()
    if sampler.dropped:
        notes.append(f"{sampler.dropped} sensor reading(s) failed and were left out")
    record = measurement_record(
        argv, host=socket.gethostname(), started_at=started_at, wall_s=wall_s, exit_code=exit_status(returncode),
        stopped_by=stopped_by[0] if stopped_by else None, interval_s=interval_s, sampler_cpu_s=sampler.cpu_s,
        gpu=gpu_series, gpu_reason=gpu_reason, rapl=rapl_series, rapl_reason=rapl_reason, notes=notes)
    if out_path is not None:
        write_record(record, Path(out_path))
    return exit_status(returncode), record


def write_record(record: dict, path: Path) -> None:
    """Write the record as JSON, atomically (a reader never sees half a file)."""
    from planner.files import write_bytes

    write_bytes("out", path, (json.dumps(record, indent=2, allow_nan=False) + "\n").encode("utf-8"))
