"""write_report: checks format and path before writing, replaces atomically, leaves no partial file."""

from __future__ import annotations

import os

import pytest
from report_samples import sample_rendering, sample_report

import planner.reports as reports
from planner.errors import PlanError
from planner.reports import REPORT_FORMATS, render, write_report


@pytest.fixture(scope="module")
def report():
    return sample_report()


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_the_same_report_gives_the_same_bytes(fmt):
    assert render(sample_report(chosen_index=None), fmt) == sample_rendering(fmt)


def test_write_report_writes_the_rendered_bytes_and_nothing_else(report, tmp_path):
    path = write_report(report, "md", tmp_path / "report.md")
    assert path.read_bytes() == render(report, "md")
    assert os.listdir(tmp_path) == ["report.md"]


def test_unknown_format_is_a_one_line_error_and_writes_nothing(report, tmp_path):
    with pytest.raises(PlanError, match=r"^format 'odt': not allowed; allowed: pdf, docx, html, md, csv, xlsx$"):
        write_report(report, "odt", tmp_path / "report.odt")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("where,message", [
    ("missing/report.md", "does not exist"),
    ("a-file/report.md", "does not exist"),
    ("a-dir", "is a directory"),
])
def test_unusable_paths_are_one_line_errors(report, tmp_path, where, message):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-dir").mkdir()
    with pytest.raises(PlanError, match=message) as err:
        write_report(report, "md", tmp_path / where)
    assert "\n" not in str(err.value)
    assert sorted(os.listdir(tmp_path)) == ["a-dir", "a-file"]


def test_read_only_directory_is_a_one_line_error(report):
    # Run as nobody (tests/nonroot.py): root may write anywhere, so the check would never be exercised.
    from nonroot import as_nobody, shared_tmp

    locked = shared_tmp()  # root's, 0755: read-only for nobody

    def attempt() -> str:
        try:
            write_report(report, "md", locked / "report.md")
        except PlanError as exc:
            return str(exc)
        return "written"

    message = as_nobody(attempt)
    assert "is not writable" in message and "\n" not in message
    assert os.listdir(locked) == []


def test_a_failure_while_rendering_keeps_the_old_file_and_leaves_no_temporary(report, tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old report")

    def broken(_report, _fmt):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(reports, "render", broken)
    with pytest.raises(RuntimeError):
        write_report(report, "pdf", target)
    assert target.read_bytes() == b"old report" and os.listdir(tmp_path) == ["report.pdf"]


def test_a_failure_while_writing_removes_the_temporary_file(report, tmp_path, monkeypatch):
    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(PlanError, match=r"could not write \(No space left on device\)"):
        write_report(report, "csv", tmp_path / "report.csv")
    assert os.listdir(tmp_path) == []
