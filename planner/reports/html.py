"""A report as one self-contained HTML file: inline CSS, the chart as inline SVG, no external resource.

Each numeric cell shows ``display_number`` and carries the full-precision value in ``data-value``.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from planner.reports.chart import chart_svg
from planner.reports.model import Report, display_number
from planner.reports.water_time import start_months_image, start_months_title

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;
color:#1b1f24;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.2rem .45rem;vertical-align:top;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f6f8fa}
tr.chosen td{background:#fff4e5;font-weight:600}.meta{color:#57606a}
figure{margin:1rem 0}svg{max-width:100%;height:auto}
""".strip()


def _cell(value: object) -> str:
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        shown = display_number(value)
        return f'<td class="num" data-value="{float(value)!r}">{escape(shown)}</td>'
    return f"<td>{escape(display_number(value))}</td>"


def html_table(table: pd.DataFrame, table_id: str) -> str:
    """An HTML table with an id; rows of a ``chosen`` option get class ``chosen``."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    chosen = table["chosen"].tolist() if "chosen" in table.columns else [False] * len(table)
    body = "".join(
        ('<tr class="chosen">' if is_chosen else "<tr>") + "".join(_cell(v) for v in row) + "</tr>"
        for row, is_chosen in zip(table.itertuples(index=False), chosen, strict=True))
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def render_html(report: Report) -> bytes:
    """The whole report as one UTF-8 HTML document."""
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    svg = chart_svg(report)
    sections = [
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">Generated at: <time id="generated-at">{escape(report.generated_at)}</time> (UTC) · '
        f"Price snapshots: {escape(snapshots)} · Chosen option: {escape(report.chosen_label)}</p>",
        "<h2>Summary</h2><ul id=\"summary\">" + "".join(f"<li>{escape(s)}</li>" for s in report.summary) + "</ul>",
        "<h2>Workload</h2>" + html_table(report.workload, "workload"),
        "<h2>Totals (chosen option)</h2>" + html_table(report.totals, "totals"),
    ]
    if len(report.option_ranges):
        sections.append("<h2>Ranges across the options compared</h2>" + html_table(report.option_ranges, "ranges"))
    if svg:
        sections.append(f"<figure>{svg}</figure>")
    if len(report.start_months):
        title = start_months_title(report.chosen_label)
        bars = start_months_image(report.start_months, "svg", "CO2e by start month (location-based)")
        sections.append(f"<h2>{escape(title)}</h2>" + (f"<figure>{bars}</figure>" if bars else "")
                        + html_table(report.start_months, "start-months"))
    sections += [
        "<h2>Options compared</h2>" + html_table(report.table, "options"),
        "<h2>Equivalences</h2>" + html_table(report.equivalences, "equivalences"),
        "<h2>Method</h2><ul id=\"method\">" + "".join(f"<li>{escape(s)}</li>" for s in report.method) + "</ul>",
    ]
    if report.notes:
        sections.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(s)}</li>" for s in report.notes) + "</ul>")
    sections += [
        "<h2>Assumptions</h2>" + html_table(report.assumptions, "assumptions"),
        "<h2>Sources</h2>" + html_table(report.sources, "sources"),
        "<h2>Price snapshots</h2>" + html_table(report.price_snapshots, "price-snapshots"),
    ]
    document = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title>'
                f"<style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n")
    return document.encode("utf-8")
