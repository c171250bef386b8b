"""`trainplan report`: writes the chosen format, byte-stable with --generated-at; bad input is one line, no file."""

from __future__ import annotations

import io
import os
import re

import pytest

from planner.cli import main

FIXED = ["--generated-at", "2026-11-25T09:30:00Z"]


def test_report_writes_an_xlsx_for_a_preset(tmp_path, capsys):
    out = tmp_path / "bert.xlsx"
    assert main(["report", "bert-base", "--format", "xlsx", "--out", str(out), *FIXED]) == 0
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert workbook.sheetnames == ["summary", "key options", "options", "totals", "assumptions", "sources",
                                   "price snapshots", "equivalences"]
    summary = {(r[0], r[1]): r[2] for r in workbook["summary"].iter_rows(min_row=2, values_only=True)}
    # BERT base (Strubell Table 3): 64 V100 x 79.2 h = 5,068.8 GPU-hours.
    assert summary[("workload", "gpu_hours")] == pytest.approx(5068.8)
    assert summary[("report", "generated_at")] == "2026-11-25T09:30:00Z"
    assert "wrote" in capsys.readouterr().err


def test_same_flags_give_the_same_markdown_bytes(tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    for path in (first, second):
        assert main(["report", "--gpu", "a100-sxm4-80gb", "--gpus", "8", "--hours", "24", "--format", "md",
                     "--out", str(path), *FIXED]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert "| gpu_hours | 192 | GPU·h |" in first.read_text()  # 8 GPUs x 24 h


@pytest.mark.parametrize("args,message", [
    (["--format", "odt"], "format 'odt': not allowed; allowed: pdf, docx, html, md, csv, xlsx"),
    (["--format", "md", "--out-dir"], "unrecognized arguments"),
    (["--format", "md", "--generated-at", "tomorrow"], "generated_at 'tomorrow'"),
])
def test_bad_report_flags_are_one_line_exit_2_and_write_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "report.out"
    argv = ["report", "bert-base", "--out", str(out), *args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert os.listdir(tmp_path) == []


def test_report_into_a_missing_directory_fails_before_computing(tmp_path, capsys):
    assert main(["report", "bert-base", "--format", "pdf", "--out", str(tmp_path / "nope" / "r.pdf")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_report_takes_the_power_and_grid_flags_of_estimate(tmp_path):
    out = tmp_path / "r.md"
    args = ["--gpu-w", "250", "--host-w", "0", "--grid-intensity", "400", "--pue", "1.1"]
    assert main(["report", "bert-base", "--format", "md", "--out", str(out), *args,
                 "--generated-at", "2026-11-25T09:30:00Z"]) == 0
    text = out.read_text(encoding="utf-8")
    # 64 GPUs x 250 W x 79.2 h x PUE 1.1 / 1000 = 1,393.92 kWh; x 400 g/kWh = 557.6 kg
    assert "the same GPU-hours draw 1,394 kWh and emit 557.6 kg CO2e" in text
    assert main(["report", "bert-base", "--format", "md", "--out", str(out), "--max-hours", "20",
                 "--server", "none", "--generated-at", "2026-11-25T09:30:00Z"]) == 0
    key = out.read_text(encoding="utf-8").split("## Key options")[1].split("##")[0]
    assert "owned" not in key


def _verb_parser(verb: str):
    import argparse

    from planner.cli import build_parser

    parser = build_parser(verbs=(verb,))
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[verb]


def _flags(parser, group_title: str | None = None) -> set[str]:
    groups = [g for g in parser._action_groups if group_title is None or g.title == group_title]
    return {s for g in groups for a in g._group_actions for s in a.option_strings} - {"-h", "--help"}


def test_report_takes_every_flag_of_estimate_and_the_feasibility_flags_of_compare():
    report = _verb_parser("report")
    estimate = _verb_parser("estimate")
    compare = _verb_parser("compare")
    # --format is both verbs' output choice (estimate: table/csv/json; report: the file format)
    assert _flags(estimate) - _flags(report) == set()
    feasibility = _flags(compare, "feasibility (memory, deadline)")
    assert "--deadline" in feasibility and "--sharding" in feasibility  # the group the check reads exists
    assert feasibility - _flags(report) == set()
    # and each shared flag means the same: same destination, same default
    by_flag = {s: a for a in report._actions for s in a.option_strings}
    for other in (estimate, compare):
        for action in other._actions:
            for flag in set(action.option_strings) & (_flags(estimate) | feasibility) - {"--format"}:
                assert (by_flag[flag].dest, by_flag[flag].default) == (action.dest, action.default), flag


def test_report_passes_the_water_and_memory_flags_on(tmp_path):
    out = tmp_path / "r.xlsx"
    argv = ["report", "--gpu", "a100-sxm4-80gb", "--gpus", "8", "--hours", "24", "--params", "1e9", "--format",
            "xlsx", "--out", str(out), "--server", "nvidia-dgx-a100", "--wue", "0.5", "--sharding", "zero2", *FIXED]
    assert main(argv) == 0
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))["assumptions"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    # the owned room's WUE given on the command line is the one the owned rows' water rests on
    wue = [r for name, r in rows.items() if str(name).startswith("wue_owned")]
    assert wue and all(r[1] == 0.5 for r in wue)
    assert "zero2" in str(rows["memory_precision_optimiser_sharding"][1])


def test_a_measured_run_reaches_the_report_and_its_paragraph(tmp_path):
    import json

    measured = tmp_path / "measured.json"
    measured.write_text(json.dumps({
        "schema": "trainplan.measurement/1", "command": "python train.py", "host": "node1",
        "started_at": "2025-06-01T10:00:00+00:00", "wall_s": 3600.0, "exit_code": 0,
        "gpu": {"measured": True, "model": "Tesla V100-SXM2-16GB", "count": 2, "avg_w": 500.0, "avg_w_per_gpu": 250.0},
        "cpu": {"measured": True, "avg_w": 60.0, "zones": ["package-0"]},
        "dram": {"measured": True, "avg_w": 20.0, "zones": ["dram"]}}))
    out = tmp_path / "r.md"
    assert main(["report", "--power", str(measured), "--gpu", "v100-sxm2-16gb", "--gpus", "8", "--hours", "79.2",
                 "--pue", "1.1", "--grid", "USA", "--format", "md", "--out", str(out), *FIXED]) == 0
    paragraph = out.read_text(encoding="utf-8").split("## Justification of resources")[1].split("##")[0]
    assert "the GPU power we measured on our own run (250 W per GPU" in paragraph
    # as `estimate --power`: host (60 + 20) W for 2 GPUs -> 40 W/GPU x 8 = 320 W; job 8 x 250 + 320 = 2,320 W;
    # E = 1.1 x 79.2 h x 2,320 W / 1000 = 202.1184 kWh; x 383.55 g/kWh (USA, Ember 2024) = 77.52 kg
    assert "the same GPU-hours draw 202.1 kWh and emit 77.52 kg CO2e" in paragraph
    assert "8 GPUs for 79.2 h" in paragraph


def test_justification_states_what_a_dedicated_alternative_buys_up_front(tmp_path):
    # llama2-7b's cheapest alternative is a dedicated DGX H100 purchase: 32 servers x 269,000 x 1.10 = 9,468,800 USD
    # up front, charged far less once the book value they keep is credited; the paragraph must say both
    out = tmp_path / "r.md"
    assert main(["report", "llama2-7b", "--format", "md", "--out", str(out)]) == 0
    text = " ".join(out.read_text(encoding="utf-8").split())
    assert re.search(r"\(dedicated\) at \$[\d,]+ \(buying 32 servers for \$9,468,800 up front; the value they keep "
                     r"after the project is credited\)", text)
