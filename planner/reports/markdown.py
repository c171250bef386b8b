"""A report as Markdown (GitHub tables): the justification paragraph, key options and method first, ready to
paste into a proposal, then the appendix (options, totals, assumptions citing numbered sources, sources)."""

from __future__ import annotations

import pandas as pd

from planner.columns import column_format, is_numeric
from planner.reports.model import Report, display_number
from planner.reports.safe_text import escape_user_text, markdown_escape
from planner.reports.water_time import start_months_title


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame, human: bool = False) -> str:
    """A pipe table, '|' escaped. ``human``: headers with units and cells in the column's display format
    (``planner.columns``); else the column names and ``display_number`` cells."""
    def cell(column: str, value: object) -> str:
        return _escape(column_format(column).show(value) if human else display_number(value))

    names = [column_format(str(c)).header if human else str(c) for c in table.columns]
    header = "| " + " | ".join(_escape(n) for n in names) + " |"
    def numeric(c: str) -> bool:
        return is_numeric(c) if human else pd.api.types.is_numeric_dtype(table[c]) and table[c].dtype != bool
    rule = "|" + "|".join("---:" if numeric(c) else "---" for c in table.columns) + "|"
    body = ["| " + " | ".join(cell(c, v) for c, v in zip(table.columns, row, strict=True)) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def render_markdown(report: Report) -> bytes:
    """The whole report as UTF-8 Markdown."""
    report = escape_user_text(report, markdown_escape)  # a title or name like '<script>' prints as typed
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    counts = f"{report.compared_count:,} options compared" + (
        f", {report.feasible_count:,} feasible" if report.feasible_count != report.compared_count else "")
    assumptions = report.assumptions.assign(source=report.assumptions["ref"].map(lambda r: f"[{r}]"))
    parts = [
        f"# {report.title}",
        f"- **Generated at:** {report.generated_at} (UTC)\n- **Price snapshots:** {snapshots}\n"
        f"- **Chosen option:** {report.chosen_label}\n- **Options:** {counts}",
        "## Justification of resources",
        report.justification,
        "## Key options",
        markdown_table(report.reader_key_table, human=True),
        "## Key figures",
        "\n".join(f"- {line}" for line in report.summary),
    ]
    if len(report.start_months):
        parts += [f"## {start_months_title(report.chosen_label)}", markdown_table(report.start_months)]
    parts += [
        "## Method",
        "\n".join(f"{i}. {line}" for i, line in enumerate(report.method, start=1)),
    ]
    if report.notes:
        parts += ["## Notes", "\n".join(f"- {line}" for line in report.notes)]
    parts += [
        "## Appendix",
        "### A. Options compared",
        markdown_table(report.table),
        "### Workload",
        markdown_table(report.workload),
        "### B. Totals of the chosen option",
        markdown_table(report.totals),
        "### C. Assumptions (source: the numbered sources in D)",
        markdown_table(assumptions[["name", "value", "unit", "source", "as_of", "note"]]),
        "### D. Sources",
        "\n".join(f"{r.ref}. {_escape(r.source)}{f' ({r.as_of})' if r.as_of else ''}. Used for: {_escape(r.used_for)}."
                  for r in report.sources.itertuples()),
        "### E. Price snapshots",
        markdown_table(report.price_snapshots),
        "### F. Equivalences of the chosen option's CO2e",
        markdown_table(report.equivalences),
    ]
    return ("\n\n".join(parts) + "\n").encode("utf-8")
