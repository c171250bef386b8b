"""The app's tables: a library table under human headers with units and number formats (``planner.columns``).

Every table on every tab goes through ``show_table``: headers such as "Cost (USD)", costs as "$1,614",
integers as integers, percentages with their column's decimals, yes/no columns as ticks, a blank cell (not
"None") where a value does not apply, and the data's snake_case words in words ("on-demand").
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from planner.columns import column_format, readable

#: Text columns that hold long phrases: drawn wide so a reader sees them without widening the column.
WIDE = {"option": 300, "source": "large", "note": "medium", "name": "medium", "description": "large",
        "infeasible_reason": "medium", "verdict": "large"}


def _readable_cells(series: pd.Series) -> pd.Series:
    return series.map(lambda v: readable(v) if isinstance(v, str) else v)


def _is_flag(series: pd.Series) -> bool:
    """A yes/no column, also when pandas holds it as objects (True, False and missing)."""
    if pd.api.types.is_bool_dtype(series):
        return True
    if series.dtype != object:
        return False
    values = series.dropna()
    return len(values) > 0 and all(isinstance(v, bool | np.bool_) for v in values)


def _plain_format(series: pd.Series) -> str:
    """A number format for a column ``planner.columns`` does not list: whole numbers as integers, others with
    decimals fitting their size (the same for every cell of the column)."""
    values = pd.to_numeric(series, errors="coerce").dropna()
    values = values[np.isfinite(values)]
    if values.empty or (values == values.round()).all():
        return "%,d"
    largest = float(values.abs().max())
    return "%,.0f" if largest >= 100 else "%,.2f" if largest >= 0.1 else "%.3g"


def _as_text(value: object) -> str:
    """A cell of a column mixing numbers and text ('0.8 / 1.0 / 1.25'): numbers to 6 significant figures."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        return f"{float(value):,.6g}"
    return str(value)


def display(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, object]]:
    """A library table ready for ``st.dataframe``: its cells as drawn and its column configuration.

    Percentages are drawn ×100 (``planner.columns`` keeps fractions); missing text is ''; a column mixing
    numbers and text becomes text.
    """
    cells: dict[str, pd.Series] = {}
    config: dict[str, object] = {}
    for column in table.columns:
        fmt, series = column_format(column), table[column]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if _is_flag(series):
            config[column] = st.column_config.CheckboxColumn(fmt.header)
        elif numeric and fmt.kind == "percent":
            cells[column] = series * 100
            config[column] = st.column_config.NumberColumn(fmt.header, format=f"%.{fmt.decimals}f%%")
        elif numeric and fmt.kind == "text":  # a number column planner.columns does not list
            config[column] = st.column_config.NumberColumn(fmt.header, format=_plain_format(series))
        elif numeric:
            config[column] = st.column_config.NumberColumn(fmt.header, format=fmt.printf)
        else:
            if series.dtype == object:
                mixed = series.dropna().map(lambda v: isinstance(v, int | float | np.integer | np.floating)
                                            and not isinstance(v, bool | np.bool_)).any()
                cells[column] = _readable_cells(series.map(_as_text) if mixed else series.fillna(""))
            elif pd.api.types.is_string_dtype(series):
                cells[column] = _readable_cells(series.fillna(""))
            config[column] = st.column_config.TextColumn(fmt.header, width=WIDE.get(column))
    return (table.assign(**cells) if cells else table), config


def show_table(table: pd.DataFrame | tuple[pd.DataFrame, dict[str, object]], height: int | str = "auto",
               key: str | None = None) -> None:
    """A library table under human headers (``planner.columns``); blank, not None, where a value is missing.

    table : a library table, or one already through ``display`` (a page that shows it again keeps that)
    """
    shown, config = table if isinstance(table, tuple) else display(table)
    st.dataframe(shown, hide_index=True, width="stretch", height=height, placeholder="", column_config=config,
                 key=key)
