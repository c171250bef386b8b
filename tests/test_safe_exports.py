"""Exports are safe with hostile user text (issue 17 item 5): Markdown escapes it, XLSX stores it as a string
(never a formula) without XML-illegal characters, CSV cells never start a formula, the PDF embeds fonts for
CJK and emoji and names any character none of its fonts can print."""

from __future__ import annotations

import io

import pytest

from planner import api
from planner.reports import render

FIXED = "2026-11-25T09:30:00Z"


def report(title: str | None = None, name: str = "custom workload"):
    workload, chosen = api.make_workload(gpu="t4", gpu_count=1, hours=2, name=name)
    return api.report(workload, chosen, generated_at=FIXED, title=title)


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                     "[click](javascript:alert(1))", "![x](http://tracker.invalid/p.png)"])
def test_markdown_prints_user_text_literally(hostile):
    text = render(report(title=hostile, name=hostile), "md").decode()
    assert hostile not in text  # neither in the heading nor in the workload table or the summary
    import re

    # no unescaped markup: every '<', '[' and '!' of the user text carries its backslash
    assert not re.search(r"(?<!\\)<(script|img)", text) and not re.search(r"(?<!\\)!(?<!\\)\[", text)
    assert not re.search(r"(?<!\\)\]\(javascript", text)


def test_markdown_escaping_keeps_the_characters_when_rendered():
    # CommonMark: a backslash before ASCII punctuation is the punctuation itself.
    text = render(report(title="a <b> & [c]"), "md").decode()
    assert text.splitlines()[0] == r"# a \<b\> \& \[c\]"


def test_xlsx_writes_a_formula_looking_title_as_text():
    import openpyxl

    hostile = '=HYPERLINK("http://evil.invalid","click")'
    data = render(report(title=hostile, name="+1+1"), "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for row in workbook["summary"].iter_rows() for c in row if c.value in (hostile, "+1+1")]
    assert len(cells) >= 2 and all(c.data_type == "s" for c in cells)
    for sheet in workbook:
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_xlsx_strips_control_characters_it_cannot_hold():
    import dataclasses

    import openpyxl

    # The CLI and the library refuse control characters in a title; a Report built otherwise is still safe.
    data = render(dataclasses.replace(report(), title="\x01x\x1fy"), "xlsx")  # IllegalCharacterError before
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    titles = [c.value for row in workbook["summary"].iter_rows() for c in row if c.value == "xy"]
    assert titles == ["xy"] and workbook.properties.title == "xy"


def _pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    return " ".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).split())


def test_pdf_embeds_fonts_for_cjk_and_emoji_and_the_text_extracts_back():
    from planner.reports.pdf import FALLBACK_FONTS

    absent = [str(path) for _, path in FALLBACK_FONTS if not path.is_file()]
    if absent:
        pytest.skip(f"fallback fonts not installed (apt-get install fonts-droid-fallback fonts-symbola): {absent}")
    data = render(report(title="训练成本 🚀 ok", name="ジョブ 🌱"), "pdf")
    text = _pdf_text(data)
    assert "训练成本 🚀 ok" in text and "ジョブ 🌱" in text  # CJK from Droid, 🚀 🌱 from Symbola
    assert "not in the embedded font" not in text and "?" not in text.split("ok")[0]
    assert b"/FontName /MPDFAA+DroidSansFallback" in data and b"/FontName /MPDFAA+Symbola" in data  # subsets
    assert render(report(title="训练成本 🚀 ok", name="ジョブ 🌱"), "pdf") == data  # still byte-stable


def test_pdf_names_the_characters_no_font_can_print():
    text = _pdf_text(render(report(title="llama 🦙 ok"), "pdf"))  # U+1F999 (Unicode 11): in none of the fonts
    assert "llama ? ok" in text
    assert "1 distinct character(s) of the text are not in the embedded font (DejaVu Sans" in text
    assert "U+1F999" in text


def test_pdf_of_text_the_font_covers_has_no_replacement_note():
    pypdf = pytest.importorskip("pypdf")
    data = render(report(title="Größe × Dauer ≈ 2 h"), "pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "Größe × Dauer ≈ 2 h" in text and "not in the embedded font" not in text


def test_the_cli_refuses_control_characters_in_a_title(tmp_path, capsys):
    from planner.cli import main

    assert main(["report", "--gpu", "t4", "--gpus", "1", "--hours", "2", "--format", "xlsx", "--out",
                 str(tmp_path / "r.xlsx"), "--title", "\x01x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "control characters are not allowed" in err[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("cell, written", [
    ("=1+1", "'=1+1"), ("+1+1", "'+1+1"), ("-1+1", "'-1+1"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("-0.5", "-0.5"), ("+1,200", "+1,200"), ("-3e-4", "-3e-4"), ("a=b", "a=b"), ("x\x01y\x7f", "xy"),
    ("\x01=1", "'=1"),  # a control character in front does not hide a formula
])
def test_csv_text_never_starts_a_formula(cell, written):
    from planner.reports.safe_text import csv_text

    assert csv_text(cell) == written


def _plan_with_cloud_named(tmp_path, name: str):
    from pathlib import Path

    example = (Path(__file__).resolve().parents[1] / "examples" / "cluster_plan.toml").read_text()
    assert 'name = "negotiated 3-year commitment"' in example
    path = tmp_path / "plan.toml"
    path.write_text(example.replace('name = "negotiated 3-year commitment"', f"name = {name!r}".replace("'", '"')))
    return path


def test_procure_csv_files_and_stdout_write_a_formula_name_as_text(tmp_path, capsys):
    import csv

    from planner.cli import main

    hostile = "=HYPERLINK(http://evil.invalid)"
    plan = _plan_with_cloud_named(tmp_path, hostile)
    assert main(["procure", str(plan), "--out-dir", str(tmp_path / "out"), "--format", "csv"]) == 0
    outputs = {p.name: p.read_text() for p in (tmp_path / "out").glob("*.csv")}
    outputs["stdout"] = capsys.readouterr().out
    found = 0
    for name, text in outputs.items():
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                # a text cell may start with '-' or '+' only as a plain number
                assert not cell.startswith(("=", "@", "\t", "\r")), (name, cell)
                if cell.startswith(("-", "+")):
                    float(cell.replace(",", ""))
                found += cell == "'" + hostile
    assert found >= 3  # the option's rows in breakeven, carbon and the summary, each kept (quoted) as typed


def test_hybrid_markdown_escapes_the_plan_names(tmp_path):
    from pathlib import Path

    from planner.cli import main

    example = (Path(__file__).resolve().parents[1] / "examples" / "hybrid_plan.toml").read_text()
    hostile = "<img src=x onerror=alert(1)>"
    plan = tmp_path / "plan.toml"
    plan.write_text(example.replace('region = "us-central1"\n', f'region = "us-central1"\nname = "{hostile}"\n'
                                    'usd_per_gpu_hour = 3.0\n', 1))
    assert main(["procure", str(plan), "--hybrid", "--out-dir", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "hybrid.md").read_text()
    assert hostile not in text and r"\<img src\=x onerror\=alert\(1\)\>" in text
