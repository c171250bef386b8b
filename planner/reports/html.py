"""A report as one self-contained HTML file: inline CSS, the chart as inline SVG, no external resource.

The same structure as the PDF (justification, key options, chart, method, then the appendix), readable on
a phone: a viewport, fluid text, and each table in its own horizontally scrolling box. Each numeric cell
shows its column's display format (``planner.columns``) and carries the full-precision value in ``data-value``.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from planner.columns import column_format
from planner.reports.chart import chart_svg
from planner.reports.model import Report
from planner.reports.water_time import start_months_image, start_months_title

#: The options table's columns in the appendix (every column is in the CSV and XLSX).
OPTION_COLUMNS = ("option", "chosen", "provider", "region", "pricing", "gpu", "gpu_count", "wall_hours", "gpu_hours",
                  "energy_kwh", "cost_usd", "cost_usd_low", "cost_usd_high", "co2e_kg", "co2e_embodied_kg", "water_l",
                  "feasible", "pareto")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:1.5rem auto;
padding:0 1rem;color:#1b1f24;line-height:1.5;font-size:1rem}
h1{font-size:1.5rem;line-height:1.25}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.05rem;margin-top:1.5rem}p.justification{font-size:1.05rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;vertical-align:top;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th{background:#f6f8fa}
tr.chosen td{background:#fff4e5;font-weight:600}.meta{color:#57606a;font-size:.9rem}
figure{margin:1rem 0}svg{max-width:100%;height:auto}ol.sources li{margin-bottom:.3rem;overflow-wrap:anywhere}
""".strip()


def _cell(column: str, value: object) -> str:
    fmt = column_format(column)
    shown = fmt.show(value)
    if fmt.kind != "text" and isinstance(value, int | float | np.integer | np.floating) \
            and not isinstance(value, bool | np.bool_):
        return f'<td class="num" data-value="{float(value)!r}">{escape(shown)}</td>'
    return f"<td>{escape(shown)}</td>"


def html_table(table: pd.DataFrame, table_id: str, headers: list[str] | None = None) -> str:
    """An HTML table with an id, human headers, in a scrolling box; rows of a ``chosen`` option get class
    ``chosen`` (as does the first row of the key options)."""
    names = headers or [column_format(str(c)).header for c in table.columns]
    head = "".join(f"<th>{escape(n)}</th>" for n in names)
    if "chosen" in table.columns:
        chosen = table["chosen"].tolist()
    elif "role" in table.columns:
        chosen = table["role"].astype(str).str.startswith("chosen").tolist()
    else:
        chosen = [False] * len(table)
    body = "".join(
        ('<tr class="chosen">' if is_chosen else "<tr>") +
        "".join(_cell(c, v) for c, v in zip(table.columns, row, strict=True)) + "</tr>"
        for row, is_chosen in zip(table.itertuples(index=False), chosen, strict=True))
    return f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def render_html(report: Report) -> bytes:
    """The whole report as one UTF-8 HTML document."""
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    svg = chart_svg(report)
    counts = f"{report.compared_count:,} options compared" + (
        f", {report.feasible_count:,} feasible" if report.feasible_count != report.compared_count else "")
    sections = [
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">Generated at <time id="generated-at">{escape(report.generated_at)}</time> (UTC) · '
        f"prices fetched: {escape(snapshots)} · {escape(counts)}</p>",
        f'<h2>Justification of resources</h2><p class="justification" id="justification">'
        f"{escape(report.justification)}</p>",
        "<h2>Key options</h2>" + html_table(report.key_table, "key-options"),
        "<h2>Key figures</h2><ul id=\"summary\">" + "".join(f"<li>{escape(s)}</li>" for s in report.summary) + "</ul>",
    ]
    if svg:
        sections.append(f"<figure>{svg}</figure>")
    if len(report.start_months):
        title = start_months_title(report.chosen_label)
        bars = start_months_image(report.start_months, "svg", "CO2e by start month (location-based)")
        sections.append(f"<h2>{escape(title)}</h2>" + (f"<figure>{bars}</figure>" if bars else "")
                        + html_table(report.start_months, "start-months"))
    sections.append("<h2>Method</h2><ol id=\"method\">" + "".join(f"<li>{escape(s)}</li>" for s in report.method)
                    + "</ol>")
    if report.notes:
        sections.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(s)}</li>" for s in report.notes) + "</ul>")
    options = report.table[[c for c in OPTION_COLUMNS if c in report.table.columns]]
    assumptions = report.assumptions.assign(ref=report.assumptions["ref"].map(lambda r: f"[{r}]"))
    sections += [
        "<h2>Appendix</h2>",
        "<h3>A. Options compared</h3>" + html_table(options, "options"),
        "<h3>B. Totals of the chosen option</h3>" + html_table(report.totals, "totals",
                                                               ["Quantity", "Unit", "Central", "Low", "High"]),
        "<h3>C. Assumptions (source: the numbered sources in D)</h3>" + html_table(
            assumptions[["name", "value", "unit", "ref", "as_of", "note"]], "assumptions",
            ["Name", "Value", "Unit", "Source", "Date", "Note"]),
        '<h3>D. Sources</h3><ol class="sources" id="sources">' + "".join(
            f'<li value="{r.ref}">{escape(r.source)}{escape(f" ({r.as_of})") if r.as_of else ""}. '
            f"<small>Used for: {escape(r.used_for)}.</small></li>" for r in report.sources.itertuples()) + "</ol>",
        "<h3>E. Price snapshots</h3>" + html_table(report.price_snapshots, "price-snapshots"),
        "<h3>F. Equivalences of the chosen option's CO2e</h3>" + html_table(report.equivalences, "equivalences"),
    ]
    document = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>\n"
                + "\n".join(sections) + "\n</body></html>\n")
    return document.encode("utf-8")
