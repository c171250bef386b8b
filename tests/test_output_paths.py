"""Every file the CLI writes goes through planner.files (issue 17 item 3): checked before any work, written
atomically, and any OS failure is one line with exit 2 — for compare --out, procure --out-dir, measure --out
and report --out. Permission cases run as ``nobody`` (tests/nonroot.py) so root's rights do not hide them."""

from __future__ import annotations

import os

import pytest
from cli_capture import run_cli as run
from nonroot import as_nobody, shared_tmp

from planner import files
from planner.cli import build_parser
from planner.errors import PlanError


def refused(*argv: str) -> str:
    code, _, err = run(*argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, (argv, code, err)
    return lines[0]


COMPARE = ["compare", "--gpu", "t4", "--gpus", "1", "--hours", "2", "--server", "none", "--provider", "aws",
           "--format", "csv"]
PLAN = 'server = "nvidia-dgx-h100"\ndemand_gpu_hours = 10000\n'


@pytest.mark.parametrize("target, message", [
    ("missing/t.csv", "does not exist"),
    (".", "unknown file type"),
    ("sub", "is a directory"),
    ("/proc/t.csv", "could not write"),
    ("x" * 300 + ".csv", "file name longer than 255 bytes"),
    ("", "give a file path"),
])
def test_compare_out_faults_are_one_line(tmp_path, monkeypatch, target, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub.csv").mkdir()
    if target == "sub":
        target = "sub.csv"
    line = refused(*COMPARE, "--out", target)
    assert message in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub.csv"]  # nothing written, no temporary left


def test_compare_out_replaces_the_file_whole(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old")
    code, _, err = run(*COMPARE, "--out", str(out))
    assert code == 0, err
    text = out.read_text()
    assert text.startswith("option_kind,") or "cost_usd" in text.splitlines()[0]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_procure_out_dir_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "plan.toml").write_text(PLAN)
    (tmp_path / "taken").write_text("x")
    assert "exists and is not a folder" in refused("procure", str(tmp_path / "plan.toml"), "--out-dir",
                                                   str(tmp_path / "taken"))


def test_procure_out_dir_is_written_whole(tmp_path):
    (tmp_path / "plan.toml").write_text(PLAN)
    code, _, err = run("procure", str(tmp_path / "plan.toml"), "--out-dir", str(tmp_path / "out"), "--format", "csv")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "summary.csv" in names and not [n for n in names if n.endswith(".part")]


@pytest.mark.parametrize("target, message", [("", "give a file path"), ("DIR", "is a directory")])
def test_measure_out_faults_are_one_line_before_the_command_runs(tmp_path, target, message):
    target = str(tmp_path) if target == "DIR" else target
    marker = tmp_path / "ran"
    line = refused("measure", "--out", target, "--force", "--", "touch", str(marker))
    assert message in line and not marker.exists()


@pytest.mark.parametrize("generated_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1970-01-01"])
def test_report_generated_at_out_of_range_is_one_line(tmp_path, generated_at):
    line = refused("report", "bert-base", "--format", "md", "--out", str(tmp_path / "r.md"),
                   "--generated-at", generated_at)
    assert "generated_at" in line and "between 1980 and 2999" in line
    assert list(tmp_path.iterdir()) == []


def test_writes_into_a_folder_this_user_cannot_write_are_one_line(tmp_path):
    folder = shared_tmp()  # owned by root, 0755: read-only for nobody
    (folder / "plan.toml").write_text(PLAN)
    os.chmod(folder / "plan.toml", 0o644)
    build_parser()
    run("report", "bert-base", "--format", "md", "--out", str(tmp_path / "warm.md"))  # import while root
    run("procure", str(folder / "plan.toml"), "--format", "csv")

    def attempts() -> list[tuple[int, str]]:
        results = []
        for argv in (
            [*COMPARE, "--out", str(folder / "t.csv")],
            ["procure", str(folder / "plan.toml"), "--out-dir", str(folder / "out"), "--format", "csv"],
            ["report", "bert-base", "--format", "md", "--out", str(folder / "r.md")],
            ["measure", "--out", str(folder / "m.json"), "--", "true"],
        ):
            code, _, err = run(*argv)
            results.append((code, err.strip()))
        return results

    for code, err in as_nobody(attempts):
        assert code == 2 and len(err.splitlines()) == 1 and "is not writable" in err, err
    assert sorted(p.name for p in folder.iterdir()) == ["plan.toml"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    target.write_text("old")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(PlanError, match=r"^out '.*t\.csv': could not write \(No space left on device\)$"):
        files.write_bytes("out", target, b"new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_reading_refuses_folders_fifos_big_and_non_utf8_files(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "big").write_bytes(b"a" * 20)
    (tmp_path / "latin").write_bytes(b"caf\xe9")
    for name, message in (("fifo", "not a regular file"), ("latin", "not UTF-8 text (byte 0xe9 at offset 3)"),
                          ("missing", "not found"), (".", "is a directory")):
        with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
            files.read_text("plan", tmp_path / name)
    with pytest.raises(PlanError, match="20 bytes; at most 10"):
        files.read_text("plan", tmp_path / "big", max_bytes=10)
