"""`trainplan measure` and `trainplan estimate --power`: hand-computed energy, one-line errors, Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from planner import api
from planner.cli import main

MEASURED = {
    "schema": "trainplan.measurement/1", "command": "python train.py", "host": "node1",
    "started_at": "2025-06-01T10:00:00+00:00", "wall_s": 3600.0, "exit_code": 0,
    "gpu": {"measured": True, "model": "Tesla V100-SXM2-16GB", "count": 2, "avg_w": 500.0, "avg_w_per_gpu": 250.0},
    "cpu": {"measured": True, "avg_w": 60.0, "zones": ["package-0"]},
    "dram": {"measured": True, "avg_w": 20.0, "zones": ["dram"]},
}


@pytest.fixture
def measured_file(tmp_path):
    path = tmp_path / "measured.json"
    path.write_text(json.dumps(MEASURED))
    return path


def test_estimate_with_measured_power_hand_checked(measured_file, capsys):
    assert main(["estimate", "--power", str(measured_file), "--gpu", "v100-sxm2-16gb", "--gpus", "8", "--hours",
                 "79.2", "--pue", "1.1", "--grid", "USA", "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    # host (60 + 20) W for 2 GPUs -> 40 W/GPU · 8 = 320 W; job 8 · 250 + 320 = 2320 W
    # E = 1.1 · 79.2 h · 2320 W / 1000 = 202.1184 kWh; grid USA 383.55 g/kWh (Ember 2024) -> 77.5225 kg
    assert row["power_w"] == pytest.approx(2320.0) and row["power_measured"] is True
    assert row["energy_kwh"] == pytest.approx(202.1184)
    assert row["co2e_kg"] == pytest.approx(202.1184 * 0.38355)


def test_estimate_table_lists_the_measured_assumptions(measured_file, capsys):
    assert main(["estimate", "--power", str(measured_file), "--gpu", "v100-sxm2-16gb", "--gpus", "8", "--hours",
                 "10"]) == 0
    out = capsys.readouterr().out
    assert "gpu_w_measured" in out and "cpu_w_measured" in out and "tdp_v100" not in out


def test_api_measured_power_defaults_to_the_measured_gpu_count(measured_file):
    profile = api.measured_power(str(measured_file))
    assert profile.gpu_w == 250.0 and profile.host_w == pytest.approx(80.0) and profile.measured
    assert api.measured_power(str(measured_file), 4).host_w == pytest.approx(160.0)


@pytest.mark.parametrize("args,field", [
    (["measure", "--interval", "0.01s", "--", "true"], "interval 0.01 s: must be >= 0.05"),
    (["measure", "--interval", "1 furlong", "--", "true"], "interval '1 furlong'"),
    (["measure", "--duration", "0s", "--", "true"], "duration 0"),
    (["measure", "--gpu-index", "x", "--", "true"], "gpu-index 'x'"),
    (["measure", "--out", "/nonexistent-dir/m.json", "--", "true"], "does not exist"),
    (["measure"], "command: give the command"),
])
def test_measure_bad_input_is_one_line_and_exit_2(args, field, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and field in lines[0], lines


def test_measure_refuses_to_overwrite_without_force(measured_file, capsys):
    assert main(["measure", "--out", str(measured_file), "--", "true"]) == 2
    assert "--force" in capsys.readouterr().err
    assert json.loads(measured_file.read_text()) == MEASURED


def test_measure_passes_the_exit_code_and_writes_the_file(tmp_path, capfd):
    out = tmp_path / "m.json"
    code = "import sys; print('child output'); sys.exit(3)"
    assert main(["measure", "--interval", "0.1s", "--out", str(out), "--", sys.executable, "-c", code]) == 3
    captured = capfd.readouterr()
    assert captured.out == "child output\n"
    record = json.loads(out.read_text())
    assert record["exit_code"] == 3 and record["argv"][1:] == ["-c", code]
    assert f"wrote {out}" in captured.err


def test_ctrl_c_stops_both_and_still_writes_the_file(tmp_path):
    out = tmp_path / "m.json"
    proc = subprocess.Popen([sys.executable, "-m", "planner.cli", "measure", "--interval", "0.1s", "--out", str(out),
                             "--", sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(30)"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 130
    record = json.loads(out.read_text())
    assert record["stopped_by"] == "interrupt" and record["exit_code"] == 130 and record["wall_s"] < 15
