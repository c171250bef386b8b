"""User text made safe for each export: escaped in Markdown, plain strings in XLSX, covered or named in PDF.

User text is what the report did not compute: the title and the workload's name (from ``--title``, a
workload file's ``name`` or ``api.make_workload(name=...)``). Everything else is trainplan's own text.

- Markdown: user text has every ASCII punctuation character backslash-escaped (CommonMark), so
  ``<script>``, ``<img onerror=…>``, ``[link](javascript:…)`` or ``# heading`` print as the characters typed.
- XLSX: text cells are written as strings, never formulas (``=HYPERLINK(…)`` is shown, not run), with the
  control characters XML cannot hold removed.
- PDF: characters the embedded font lacks (CJK, emoji with DejaVu Sans) are replaced by '?' and a note
  lists them, instead of vanishing silently.
"""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Callable, Iterable

import pandas as pd

from planner.reports.model import Report

_PUNCTUATION = set(string.punctuation) - {"|"}  # table cells escape | themselves
#: Characters XML 1.0 (so XLSX) cannot hold: C0 controls other than tab, newline, carriage return.
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def user_strings(report: Report) -> list[str]:
    """The report's user-given text: its title and the workload's name (longest first)."""
    names = [report.title]
    table = report.workload
    if {"item", "value"} <= set(table.columns):
        names += [str(v) for v in table.loc[table["item"] == "name", "value"]]
    return sorted({n for n in names if n}, key=len, reverse=True)


def markdown_escape(text: str) -> str:
    """``text`` shown literally in Markdown: ASCII punctuation backslash-escaped, line breaks and controls spaces."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return "".join(f"\\{c}" if c in _PUNCTUATION else c for c in text)


def map_text(report: Report, change: Callable[[str], str]) -> Report:
    """A copy of ``report`` with ``change`` applied to every string in it (fields, tuples, table cells)."""
    updates: dict[str, object] = {}
    for field in dataclasses.fields(report):
        value = getattr(report, field.name)
        if isinstance(value, str):
            updates[field.name] = change(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            updates[field.name] = tuple(change(v) for v in value)
        elif isinstance(value, pd.DataFrame):
            table = value.copy()
            for column in table.columns:
                if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
                    table[column] = table[column].map(lambda v: change(v) if isinstance(v, str) else v)
            updates[field.name] = table
    return dataclasses.replace(report, **updates)


def escape_user_text(report: Report, escape: Callable[[str], str]) -> Report:
    """``report`` with every occurrence of its user text replaced by ``escape(user text)``."""
    names = user_strings(report)
    if not names:
        return report
    pattern = re.compile("|".join(re.escape(n) for n in names))
    return map_text(report, lambda text: pattern.sub(lambda m: escape(m.group(0)), text))


def xlsx_text(text: str) -> str:
    """Text an XLSX cell can hold: the control characters XML forbids removed."""
    return ILLEGAL_XML.sub("", text)


def covered_text(report: Report, has_glyph: Callable[[str], bool]) -> tuple[Report, list[str]]:
    """``report`` with each character the font lacks replaced by '?', and the distinct characters replaced."""
    missing: dict[str, None] = {}

    def cover(text: str) -> str:
        out = []
        for char in text:
            if char in "\n\t" or has_glyph(char):
                out.append(char)
            else:
                missing[char] = None
                out.append("?")
        return "".join(out)

    return map_text(report, cover), list(missing)


def replaced_note(characters: Iterable[str], font: str) -> str:
    """The note a PDF carries when characters were replaced."""
    shown = list(characters)
    listed = " ".join(f"U+{ord(c):04X}" for c in shown[:12]) + (" …" if len(shown) > 12 else "")
    return (f"{len(shown)} distinct character(s) of the text are not in the embedded font ({font}) and are "
            f"printed as '?': {listed}; the Markdown, HTML and XLSX reports keep them")
