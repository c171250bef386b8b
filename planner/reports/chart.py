"""The cost-vs-CO2e scatter of a report's options, as PNG bytes (PDF) or an SVG string (HTML).

Matplotlib's object API with the Agg canvas (no pyplot state, safe in a server). The output is made
byte-stable: the SVG id salt is fixed and the date / software metadata are left out.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from planner.reports.model import Report, display_number

_STYLE = {"svg.hashsalt": "trainplan-report", "svg.fonttype": "none", "font.family": "DejaVu Sans",
          "font.size": 9}


def plotted_points(report: Report) -> pd.DataFrame:
    """The options with a finite, positive cost [USD] and CO2e [kg]: what the chart shows."""
    table = report.table
    cost = pd.to_numeric(table["cost_usd"], errors="coerce")
    co2e = pd.to_numeric(table["co2e_kg"], errors="coerce")
    keep = np.isfinite(cost) & np.isfinite(co2e) & (cost > 0) & (co2e > 0)
    return table.loc[keep].assign(cost_usd=cost[keep].astype(float), co2e_kg=co2e[keep].astype(float))


def _figure(report: Report) -> Figure | None:
    points = plotted_points(report)
    if points.empty:
        return None
    fig = Figure(figsize=(7.0, 3.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    pareto = points["pareto"].fillna(False).astype(bool) if "pareto" in points.columns else \
        pd.Series(False, index=points.index)
    chosen = points["chosen"].astype(bool)
    rest = ~chosen & ~pareto
    ax.scatter(points.loc[rest, "cost_usd"], points.loc[rest, "co2e_kg"], s=18, color="#9aa5b1", label="option")
    if pareto.any():
        ax.scatter(points.loc[pareto & ~chosen, "cost_usd"], points.loc[pareto & ~chosen, "co2e_kg"], s=24,
                   color="#1f77b4", label="Pareto-optimal")
    if chosen.any():
        ax.scatter(points.loc[chosen, "cost_usd"], points.loc[chosen, "co2e_kg"], s=70, marker="*", color="#d62728",
                   label="chosen", zorder=3)
    for axis, column in (("x", "cost_usd"), ("y", "co2e_kg")):
        values = points[column]
        if values.max() / values.min() > 20:
            (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(lambda v, _: display_number(v)))
    ax.set_xlabel("cost [USD]")
    ax.set_ylabel("CO2e [kg]")
    ax.set_title("Cost vs CO2e of the options compared")
    ax.grid(True, which="major", linewidth=0.4, alpha=0.6)
    ax.legend(loc="best", frameon=False)
    fig.tight_layout()
    return fig


def chart_png(report: Report, dpi: int = 150) -> bytes | None:
    """The scatter as PNG bytes (None when no option has both a cost and a CO2e)."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(report)
        if fig is None:
            return None
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def chart_svg(report: Report) -> str | None:
    """The scatter as an SVG document without the XML prolog, for inlining in HTML (None when nothing to plot)."""
    with matplotlib.rc_context(_STYLE):
        fig = _figure(report)
        if fig is None:
            return None
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]
