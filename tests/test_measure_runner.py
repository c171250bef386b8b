"""The runner on real short child commands: exit codes passed through, Ctrl-C and --duration still write the file."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

import pytest
from fake_sensors import fake_pynvml, rapl_zone

from planner.errors import PlanError
from planner.measure.runner import run_measured

SLEEP = [sys.executable, "-c", "import time; time.sleep(0.3)"]


@pytest.fixture
def rapl_root(tmp_path):
    root = tmp_path / "powercap"
    rapl_zone(root, "intel-rapl:0", "package-0", 5_000)
    return root


@pytest.mark.parametrize("code", [0, 3])
def test_exit_code_passed_through_and_file_written(tmp_path, rapl_root, code):
    out = tmp_path / "m.json"
    status, record = run_measured([sys.executable, "-c", f"import sys, time; time.sleep(0.3); sys.exit({code})"],
                                  interval_s=0.05, out_path=out, rapl_root=rapl_root, nvml_module=fake_pynvml())
    assert status == code and record["exit_code"] == code
    assert json.loads(out.read_text()) == record
    assert record["wall_s"] >= 0.3 and record["stopped_by"] is None
    # the double always reads 250,000 mW: a constant 250 W averages to exactly 250 W
    assert record["gpu"]["avg_w_per_gpu"] == pytest.approx(250.0) and record["gpu"]["samples"] >= 3
    # the fake counter never moves: 0 J, 0 W, measured (not null)
    assert record["cpu"]["measured"] and record["cpu"]["avg_w"] == 0.0
    assert record["sampler_cpu_s"] is not None and record["sampler_cpu_s"] >= 0


def test_missing_sensors_said_in_one_line_and_written_as_null(tmp_path):
    lines: list[str] = []
    status, record = run_measured(SLEEP, interval_s=0.1, rapl_root=tmp_path / "none",
                                  nvml_module=fake_pynvml(init_error="NVML Shared Library Not Found"), say=lines.append)
    assert status == 0 and len(lines) == 1
    assert "GPU (no NVIDIA driver" in lines[0] and "CPU and DRAM (no powercap interface" in lines[0]
    assert record["gpu"]["avg_w"] is None and record["cpu"]["avg_w"] is None and record["dram"]["avg_w"] is None
    assert record["wall_s"] >= 0.3


def test_sigint_is_forwarded_and_the_file_still_written(tmp_path, rapl_root):
    out, ready = tmp_path / "m.json", tmp_path / "ready"

    def interrupt_when_the_child_runs():
        deadline = time.monotonic() + 15
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=interrupt_when_the_child_runs)
    thread.start()
    try:
        status, record = run_measured(
            [sys.executable, "-c", f"import pathlib, time; pathlib.Path({str(ready)!r}).touch(); time.sleep(20)"],
            interval_s=0.05, out_path=out, rapl_root=rapl_root, nvml_module=fake_pynvml())
    finally:
        thread.join()
    # Python dies of the forwarded SIGINT (KeyboardInterrupt re-raised as the signal): 128 + 2
    assert status == 130 and record["stopped_by"] == "interrupt"
    assert record["wall_s"] < 10
    assert json.loads(out.read_text())["gpu"]["avg_w_per_gpu"] == pytest.approx(250.0)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_duration_stops_the_command(tmp_path, rapl_root):
    status, record = run_measured([sys.executable, "-c", "import time; time.sleep(20)"], interval_s=0.05,
                                  duration_s=0.3, rapl_root=rapl_root, nvml_module=fake_pynvml(), grace_s=5)
    assert status == 130 and record["stopped_by"] == "duration"
    assert 0.3 <= record["wall_s"] < 10


def test_failed_readings_are_dropped_and_counted(rapl_root):
    _, record = run_measured(SLEEP, interval_s=0.05, rapl_root=rapl_root, nvml_module=fake_pynvml(fail_reads=2))
    assert "2 sensor reading(s) failed" in record["notes"][0]
    assert record["gpu"]["avg_w_per_gpu"] == pytest.approx(250.0)


def test_cuda_visible_devices_without_gpu_index_is_noted(rapl_root, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")
    _, record = run_measured(SLEEP[:2] + ["pass"], interval_s=0.05, rapl_root=rapl_root, nvml_module=fake_pynvml())
    assert any("--gpu-index" in note for note in record["notes"])


def test_unknown_command_is_a_plan_error(rapl_root):
    with pytest.raises(PlanError, match="command 'no-such-command-xyz': cannot run it"):
        run_measured(["no-such-command-xyz"], rapl_root=rapl_root, nvml_module=fake_pynvml())
