"""A hybrid plan as a report section: Markdown (the answer, optima, curve, timing, tornado) and the curve as SVG.

The curve chart: total cost (the plan's basis) and CO2e against the owned fleet size, the three optima
marked. Matplotlib's object API with the Agg canvas, byte-stable as ``planner.reports.chart``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from planner.hybrid import HybridPlan
from planner.reports.markdown import markdown_table as plain_table
from planner.reports.safe_text import code_span, escaper, map_cells, markdown_escape

_STYLE = {"svg.hashsalt": "trainplan-hybrid", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}

#: The curve's columns in the report (and the CLI table), in order.
CURVE_COLUMNS = ["fleet_servers", "capex_usd", "owned_usd", "cloud_usd", "fa_usd", "cash_usd", "npv_usd",
                 "co2e_kg", "owned_utilisation", "on_premises_share", "max_wait_hours",
                 "overflow_gpu_hours_commitment", "overflow_gpu_hours_spot", "overflow_gpu_hours_on_demand",
                 "feasible"]
OPTIMA_COLUMNS = ["choice", "fleet_servers", "cost_usd", "cash_usd", "npv_usd", "co2e_kg", "cost_plus_carbon_usd",
                  "owned_utilisation", "on_premises_share", "max_wait_hours"]


def _figure(plan: HybridPlan) -> Figure:
    table = plan.curve
    fig = Figure(figsize=(7.0, 3.4))
    FigureCanvasAgg(fig)
    cost_ax = fig.add_subplot()
    carbon_ax = cost_ax.twinx()
    cost_ax.plot(table["fleet_servers"], table["cost_usd"] / 1e6, color="#1f77b4", marker="o", ms=3, label="cost")
    carbon_ax.plot(table["fleet_servers"], table["co2e_kg"] / 1000, color="#2ca02c", marker="s", ms=3, label="CO2e")
    for row, colour, axis, column, scale in ((plan.optima.iloc[0], "#1f77b4", cost_ax, "cost_usd", 1e6),
                                             (plan.optima.iloc[1], "#2ca02c", carbon_ax, "co2e_kg", 1000)):
        axis.scatter([row.fleet_servers], [row[column] / scale], s=70, facecolors="none", edgecolors=colour,
                     linewidths=1.5, zorder=3)
    cost_ax.set_xlabel("owned servers (the rest of the demand bursts to cloud)")
    cost_ax.set_ylabel("cost [million USD]", color="#1f77b4")
    carbon_ax.set_ylabel("CO2e [t]", color="#2ca02c")
    cost_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    cost_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.2f}"))
    cost_ax.set_title("Cost and CO2e against owned fleet size (circles: lowest cost, lowest CO2e)")
    fig.tight_layout()
    return fig


def curve_svg(plan: HybridPlan) -> str:
    """Cost [USD] and CO2e [t] against owned servers, optima marked, as an SVG string."""
    with matplotlib.rc_context(_STYLE):
        buffer = io.StringIO()
        _figure(plan).savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def curve_png(plan: HybridPlan) -> bytes:
    """The same chart as PNG bytes (150 dpi)."""
    with matplotlib.rc_context(_STYLE):
        buffer = io.BytesIO()
        _figure(plan).savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()


def hybrid_markdown(plan: HybridPlan, command: str = "", chart_file: str | None = None,
                    user_text: Sequence[str] = ()) -> bytes:
    """The hybrid plan as a Markdown section (UTF-8): answer, optima, curve, timing, tornado, notes, inputs.

    user_text : the plan's own names (cloud options, jobs); escaped wherever they appear, so a name like
    ``<script>`` prints as typed (``planner.reports.safe_text``)."""
    safe = escaper(user_text, markdown_escape)

    def markdown_table(table: pd.DataFrame) -> str:
        return plain_table(map_cells(table, safe))

    years = plan.timing.drop(columns=["cash_total_usd", "npv_total_usd", "co2e_total_kg", "book_value_left_usd"])
    parts = [
        "## Own the base, rent the peaks: hybrid plan",
        safe(plan.answer),
        f"**Procurement timing.** {safe(plan.timing_verdict)}",
        *([f"Made with {code_span(command)}."] if command else []),
        "### Optima beside all-cloud and all-owned",
        markdown_table(plan.optima[OPTIMA_COLUMNS]),
        "### Cost and CO2e against the owned fleet",
        *([f"![cost and CO2e against owned servers]({chart_file})"] if chart_file else []),
        markdown_table(plan.curve[CURVE_COLUMNS]),
        "### Timing: buy in year 1 or stage by year",
        markdown_table(years),
        "### Sensitivity of the winning mix (tornado)",
        markdown_table(plan.sensitivity.drop(columns=["source"])),
        "### Notes",
        "\n".join(f"- {safe(n)}" for n in plan.notes) or "- none",
        "### Inputs",
        markdown_table(pd.DataFrame([a.__dict__ for a in plan.assumptions],
                                    columns=["name", "value", "unit", "source", "as_of", "note"]).drop(columns="note")),
    ]
    return ("\n\n".join(parts) + "\n").encode("utf-8")
