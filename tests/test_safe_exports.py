"""Exports are safe with hostile user text (issue 17 item 5): Markdown escapes it, XLSX stores it as a string
(never a formula) without XML-illegal characters, the PDF names the characters its font cannot print."""

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


def test_pdf_names_the_characters_its_font_cannot_print():
    pypdf = pytest.importorskip("pypdf")
    data = render(report(title="训练成本 🦙 ok"), "pdf")  # CJK and a llama: not in DejaVu Sans
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "???? ? ok" in text.replace("\n", " ")
    assert "5 distinct character(s) of the text are not in the embedded font (DejaVu Sans)" in " ".join(text.split())
    assert "U+8BAD" in text and "U+1F999" in text  # 训 and 🦙


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
