"""The report's lines on water and on when the job runs (issue 19): text only, from the options' own columns."""

from __future__ import annotations

import math

import pandas as pd

#: Option columns this part adds to a report, beside CO2e.
WATER_COLUMNS = ("water_l", "water_l_low", "water_l_high")


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return number


def summary_lines(chosen: pd.Series) -> list[str]:
    """Water beside CO2e, each with its basis, for the chosen option (nothing where the columns are absent)."""
    lines = []
    water = _number(chosen.get("water_l"))
    if not math.isnan(water):
        low, high = _number(chosen.get("water_l_low")), _number(chosen.get("water_l_high"))
        spread = f" (range {low:,.0f} to {high:,.0f} L)" if not (math.isnan(low) or math.isnan(high)) else ""
        basis = chosen.get("water_basis")
        lines.append(f"Water: about {water:,.0f} L{spread}: on-site cooling (WUE × IT energy) plus the water of "
                     f"generating the electricity (EWIF × grid energy)"
                     + (f"; basis {basis}." if isinstance(basis, str) and basis else "."))
    basis = chosen.get("co2e_basis")
    if isinstance(basis, str) and basis:
        lines.append(f"CO2e basis: {basis}.")
    return lines


def justification_sentences(chosen: pd.Series) -> list[str]:
    """The justification paragraph's water sentence, and when the job runs (nothing where not computed)."""
    out = []
    water = _number(chosen.get("water_l"))
    if not math.isnan(water):
        low, high = _number(chosen.get("water_l_low")), _number(chosen.get("water_l_high"))
        spread = f" ({low:,.0f} to {high:,.0f} L)" if not (math.isnan(low) or math.isnan(high)) else ""
        out.append(f"Its water footprint is about {water:,.0f} L{spread}: data-centre cooling plus the water "
                   "used to generate its electricity.")
    basis = chosen.get("co2e_basis")
    if isinstance(basis, str) and basis.startswith("location-based from "):
        out.append(f"Its CO2e is for the job's own months ({basis.split(' over ')[0].removeprefix('location-based ')}"
                   ", the grid's monthly profile and trend).")
    return out


def method_lines(table: pd.DataFrame) -> list[str]:
    """The water and grid-over-time formulas, when the options carry them."""
    lines = []
    if "water_l" in table.columns:
        lines.append("Water: W = E / PUE · WUE + E · EWIF [L], with WUE the site's water usage effectiveness [L per "
                     "kWh of IT energy] (provider reports; owned rooms by cooling type) and EWIF the water "
                     "consumed per kWh generated on the grid; on-site and off-site are reported apart, and their "
                     "ranges combine the low (high) energy with the low (high) factors.")
    if "co2e_basis" in table.columns:
        lines.append("When the job runs: I(t) = I_base · Y(year) · S(month), with Y the zone's yearly series "
                     "(observed, else its log-linear trend over the last 5 years or a published projection) "
                     "relative to the base intensity's year and S the Ember monthly shape (mean 1); the job's "
                     "energy is spread evenly over its wall-clock from the start month. Location-based only; "
                     "market-based CO2e keeps the annual carbon-free-energy share.")
    return lines


#: Columns of a report's month-by-month table (the chosen option started in each month).
START_MONTH_COLUMNS = ("start", "co2e_kg", "co2e_kg_low", "co2e_kg_high", "best")


def start_month_rows(long: pd.DataFrame | None) -> pd.DataFrame:
    """The chosen option's rows of ``api.best_start_months`` as the report shows them (``START_MONTH_COLUMNS``)."""
    if long is None or long.empty:
        return pd.DataFrame(columns=list(START_MONTH_COLUMNS))
    rows = long[["start", "co2e_kg", "co2e_kg_low", "co2e_kg_high"]].copy()
    rows["best"] = long["rank"].to_numpy() == 1
    return rows.reset_index(drop=True)


def _start_figure(rows: pd.DataFrame, title: str) -> object:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 2.8))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = list(range(len(rows)))
    colours = ["#2ca02c" if b else "#9aa5b1" for b in rows["best"]]
    ax.bar(x, rows["co2e_kg"], color=colours)
    ax.vlines(x, rows["co2e_kg_low"], rows["co2e_kg_high"], color="#333333", linewidth=1)
    ax.set_xticks(x, rows["start"], rotation=45, ha="right")
    ax.set_ylabel("CO2e [kg]")
    ax.set_title(title)
    ax.grid(True, axis="y", linewidth=0.4, alpha=0.6)
    fig.tight_layout()
    return fig


def start_months_image(rows: pd.DataFrame, fmt: str, title: str) -> bytes | str | None:
    """The month-by-month bars as PNG bytes (``png``) or an inline SVG string (``svg``); None when empty."""
    import io

    import matplotlib

    from planner.reports.chart import _STYLE

    if rows.empty:
        return None
    with matplotlib.rc_context(_STYLE):
        fig = _start_figure(rows, title)
        if fmt == "png":
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=150, metadata={"Software": None})  # type: ignore[attr-defined]
            return buffer.getvalue()
        text_buffer = io.StringIO()
        fig.savefig(text_buffer, format="svg", metadata={"Date": None, "Creator": None})  # type: ignore[attr-defined]
    text = text_buffer.getvalue()
    return text[text.index("<svg"):]


def start_months_title(chosen_label: str) -> str:
    return f"CO2e by start month (location-based), chosen option: {chosen_label}"
