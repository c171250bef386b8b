"""User text made safe for each export: escaped in Markdown, plain strings in XLSX, covered or named in PDF.

User text is what the report did not compute: the title and the workload's name (from ``--title``, a
workload file's ``name`` or ``api.make_workload(name=...)``). Everything else is trainplan's own text.

- Markdown: user text has every ASCII punctuation character backslash-escaped (CommonMark), so
  ``<script>``, ``<img onerror=…>``, ``[link](javascript:…)`` or ``# heading`` print as the characters typed.
- XLSX: text cells are written as strings, never formulas (``=HYPERLINK(…)`` is shown, not run), with the
  control characters XML cannot hold removed.
- CSV (reports, ``compare --out``, ``procure --out-dir``, ``--format csv``, the app's downloads): a text cell
  that starts with ``= + - @``, a tab or a carriage return gets a leading ``'`` (OWASP's CSV-injection rule),
  unless it is a plain number such as ``-0.5``; control characters are removed.
- PDF: DejaVu Sans, with Droid Sans Fallback (CJK) and Symbola (symbols, emoji) embedded where the text
  needs them; a character none of them holds is replaced by '?' and a note lists it, never dropped silently.
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
#: What a spreadsheet reads as the start of a formula in a CSV cell (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters removed from CSV text (tab, newline and carriage return are CSV's own).
CSV_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A plain number written as text ("-0.5", "+1,200", "-3e-4"): a spreadsheet reads it as that number, nothing more.
PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


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


def map_cells(table: pd.DataFrame, change: Callable[[str], str]) -> pd.DataFrame:
    """A copy of ``table`` with ``change`` applied to every text cell (other cells untouched)."""
    table = table.copy()
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(lambda v: change(v) if isinstance(v, str) else v)
    return table


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
            updates[field.name] = map_cells(value, change)
    return dataclasses.replace(report, **updates)


def escaper(names: Iterable[str], escape: Callable[[str], str]) -> Callable[[str], str]:
    """A function that replaces each occurrence of any of ``names`` (user text) in a string by ``escape(name)``."""
    names = sorted({n for n in names if n}, key=len, reverse=True)
    if not names:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(n) for n in names))
    return lambda text: pattern.sub(lambda m: escape(m.group(0)), text)


def escape_user_text(report: Report, escape: Callable[[str], str]) -> Report:
    """``report`` with every occurrence of its user text replaced by ``escape(user text)``."""
    names = user_strings(report)
    return map_text(report, escaper(names, escape)) if names else report


def code_span(text: str) -> str:
    """``text`` as one Markdown code span, however many backticks it holds (CommonMark: a longer fence)."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


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


def csv_text(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows and never runs: controls removed, a formula start quoted."""
    text = CSV_CONTROLS.sub("", text)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_safe(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``csv_text`` applied to every text cell (numbers, booleans and blanks untouched)."""
    text_columns = [c for c in table.columns if table[c].dtype == object or pd.api.types.is_string_dtype(table[c])]
    if not text_columns:
        return table
    safe = table.copy()
    for column in text_columns:
        safe[column] = safe[column].map(lambda v: csv_text(v) if isinstance(v, str) else v)
    safe.columns = [csv_text(c) if isinstance(c, str) else c for c in safe.columns]
    return safe
