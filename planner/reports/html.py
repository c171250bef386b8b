"""A report as one self-contained HTML file: inline CSS, the chart as inline SVG, no external resource.

The same structure as the PDF (justification, key options, chart, method, then the appendix: the inputs, a
kind's per-option inputs on one line, citing the numbered sources; each cited work once), readable on a phone:
a viewport, fluid text, and on a narrow screen each table row set as a card of "label: value" lines instead of
a table wider than the screen. Each numeric cell shows its column's display format (``planner.columns``) and
carries the full-precision value in ``data-value``. Every option and input in full: the CSV and XLSX reports.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from planner.columns import column_format
from planner.reports.chart import chart_svg
from planner.reports.inputs import grouped_inputs
from planner.reports.model import Report, display_number, drawn_on_text, source_line
from planner.reports.water_time import start_months_image, start_months_title

#: The inputs table's columns and headers (as in the PDF's appendix).
INPUT_HEADERS = ["Input", "Value", "Unit", "Source", "Date"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:1.5rem auto;
padding:0 1rem;color:#1b1f24;line-height:1.5;font-size:1rem;overflow-wrap:break-word}
h1{font-size:1.5rem;line-height:1.25}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.05rem;margin-top:1.5rem}p.justification{font-size:1.05rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.25rem .45rem;vertical-align:top;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th{background:#f6f8fa}
tr.chosen td{background:#fff4e5;font-weight:600}.meta{color:#57606a;font-size:.9rem}
figure{margin:1rem 0}svg{max-width:100%;height:auto}ol.sources li{margin-bottom:.3rem;overflow-wrap:anywhere}
@media (max-width:40rem){
table,tbody,tr,td{display:block;width:auto}thead{position:absolute;left:-9999px}
tr{border:1px solid #d0d7de;border-radius:4px;margin:.6rem 0;padding:.3rem .6rem}
td,td.num{border:0;padding:.1rem 0;text-align:left;white-space:normal}td:empty{display:none}
td[data-label]::before{content:attr(data-label) ": ";font-weight:600;color:#57606a}
#inputs td{display:inline;padding-right:.3rem}#inputs td:first-child{display:block;font-weight:600}
#inputs td:empty{display:none}#inputs td::before{content:none}#inputs td:nth-child(n+4)::before{content:"· ";color:#57606a}
}
""".strip()


def _cell(column: str, value: object, label: str) -> str:
    fmt = column_format(column)
    shown = fmt.show(value)
    labelled = f' data-label="{escape(label)}"'
    if fmt.kind != "text" and isinstance(value, int | float | np.integer | np.floating) \
            and not isinstance(value, bool | np.bool_):
        return f'<td class="num"{labelled} data-value="{float(value)!r}">{escape(shown)}</td>'
    return f"<td{labelled}>{escape(shown)}</td>"


def html_table(table: pd.DataFrame, table_id: str, headers: list[str] | None = None) -> str:
    """An HTML table with an id, human headers, in a scrolling box (a card per row on a phone: each cell
    carries its header in ``data-label``); rows of a ``chosen`` option get class ``chosen`` (as does the
    first row of the key options)."""
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
        "".join(_cell(c, v, n) for c, v, n in zip(table.columns, row, names, strict=True)) + "</tr>"
        for row, is_chosen in zip(table.itertuples(index=False), chosen, strict=True))
    return f'<div class="scroll"><table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def inputs_table(report: Report) -> pd.DataFrame:
    """The appendix's inputs as shown: input (a kind's label with its unit), value, unit, ref ``[n]``, date."""
    inputs = grouped_inputs(report.assumptions)
    return pd.DataFrame({
        "input": [f"{r.input}, {r.unit}" if r.grouped else r.input for r in inputs.itertuples()],
        "value": inputs["value"], "unit": ["" if r.grouped else r.unit for r in inputs.itertuples()],
        "ref": [f"[{r}]" for r in inputs["ref"]], "as_of": inputs["as_of"]})


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
        "<h2>Key options</h2>" + html_table(report.reader_key_table, "key-options"),
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
    if len(report.equivalences):
        items = "; ".join(f"{display_number(r.times, 2)} × {r.comparison} ({display_number(r.kg_co2e_each)} kg each, "
                          f"{r.as_of})" for r in report.equivalences.itertuples())
        sections.append(f"<h2>The chosen option's operational CO2e equals</h2><p id=\"equivalences\">"
                        f"{escape(items)}.</p>")
    if report.notes:
        sections.append("<h2>Notes</h2><ul>" + "".join(f"<li>{escape(s)}</li>" for s in report.notes) + "</ul>")
    sections += [
        "<h2>Appendix</h2>",
        f"<p>{escape(drawn_on_text(report))}, with every column and range, are in the CSV and XLSX versions of this "
        "report; the XLSX also gives each input's full source text.</p>",
        "<h3>A. Inputs (the source column cites the numbered sources in B)</h3>"
        + html_table(inputs_table(report), "inputs", INPUT_HEADERS),
        '<h3>B. Sources</h3><ol class="sources" id="sources">' + "".join(
            f'<li value="{r.ref}">{escape(source_line(r.source, r.as_of))}.</li>' for r in report.sources.itertuples())
        + "</ol>",
    ]
    document = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>\n"
                + "\n".join(sections) + "\n</body></html>\n")
    return document.encode("utf-8")
