"""A report as Markdown (GitHub tables), ready to paste into a justification of resources."""

from __future__ import annotations

import pandas as pd

from planner.reports.model import Report, display_number
from planner.reports.safe_text import escape_user_text, markdown_escape
from planner.reports.water_time import start_months_title


def markdown_table(table: pd.DataFrame) -> str:
    """A pipe table: header = column names (unit-suffixed), cells via ``display_number``; '|' escaped."""
    def cell(value: object) -> str:
        return display_number(value).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(cell(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(table[c]) and table[c].dtype != bool else "---"
                          for c in table.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def render_markdown(report: Report) -> bytes:
    """The whole report as UTF-8 Markdown: summary, workload, totals, options, method, assumptions, sources."""
    report = escape_user_text(report, markdown_escape)  # a title or name like '<script>' prints as typed
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    parts = [
        f"# {report.title}",
        f"- **Generated at:** {report.generated_at} (UTC)\n- **Price snapshots:** {snapshots}\n"
        f"- **Chosen option:** {report.chosen_label}",
        "## Summary",
        "\n".join(f"- {line}" for line in report.summary),
        "## Workload",
        markdown_table(report.workload),
        "## Totals (chosen option)",
        markdown_table(report.totals),
    ]
    if len(report.option_ranges):
        parts += ["## Ranges across the options compared", markdown_table(report.option_ranges)]
    if len(report.start_months):
        parts += [f"## {start_months_title(report.chosen_label)}", markdown_table(report.start_months)]
    parts += [
        "## Options compared",
        markdown_table(report.table),
        "## Equivalences",
        markdown_table(report.equivalences),
        "## Method",
        "\n".join(f"- {line}" for line in report.method),
    ]
    if report.notes:
        parts += ["## Notes", "\n".join(f"- {line}" for line in report.notes)]
    parts += [
        "## Assumptions",
        markdown_table(report.assumptions),
        "## Sources",
        markdown_table(report.sources),
        "## Price snapshots",
        markdown_table(report.price_snapshots),
    ]
    return ("\n\n".join(parts) + "\n").encode("utf-8")
