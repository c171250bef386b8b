"""A report's tidy options table as CSV: one row per option, unit-suffixed headers (``cost_usd``, ``energy_kwh``,
``co2e_kg``), numbers rounded to what the inputs support (cents; kWh, kg, hours to 3 decimals) but never to
fewer than 4 significant figures; whole counts (GPUs, instances) as integers."""

from __future__ import annotations

import math

import pandas as pd

from planner.columns import column_format
from planner.reports.model import Report
from planner.reports.safe_text import csv_safe


def _rounded(column: str, values: pd.Series) -> pd.Series:
    if not pd.api.types.is_float_dtype(values):
        return values
    fmt = column_format(column)
    finite = values.dropna()
    if fmt.kind == "int" and len(finite) and (finite == finite.round()).all():
        return values.round().astype("Int64")  # counts print as 112, not 112.0; blank where missing
    places = 2 if fmt.kind == "usd" and fmt.decimals == 0 else fmt.decimals + 3 if fmt.kind == "usd" else 3

    def one(value: float) -> float:
        if not math.isfinite(value) or value == 0:
            return value
        keep = max(places, 3 - math.floor(math.log10(abs(value))))  # >= 4 significant figures
        return round(value, keep)

    return values.map(one)


def render_csv(report: Report) -> bytes:
    """``report.table`` as UTF-8 CSV with ``\\n`` line ends, blank where a value does not apply."""
    table = csv_safe(report.table.apply(lambda column: _rounded(str(column.name), column)))
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")
