"""The app's tables: a library table under human headers with units and number formats (``planner.columns``).

Every table on every tab goes through ``show_table``: headers such as "Cost (USD)", costs as "$1,614",
integers as integers, and a blank cell (not "None") where a value does not apply.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.columns import column_format


def column_config(columns: list[str], numeric: tuple[str, ...] = ()) -> dict[str, object]:
    """Streamlit column configuration from ``planner.columns``: human headers with units, number formats.

    numeric : the columns that hold numbers (an unlisted one gets a plain number format, not text)
    """
    config: dict[str, object] = {}
    for column in columns:
        fmt = column_format(column)
        if fmt.kind == "bool":
            config[column] = st.column_config.CheckboxColumn(fmt.header)
        elif fmt.kind == "text" and column in numeric:  # a number column planner.columns does not list
            config[column] = st.column_config.NumberColumn(fmt.header, format="%,.3g")
        elif fmt.kind == "text":
            config[column] = st.column_config.TextColumn(fmt.header, width="medium" if column in (
                "option", "source", "note") else None)
        else:
            config[column] = st.column_config.NumberColumn(fmt.header, format=fmt.printf)
    return config


def display(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, object]]:
    """A library table ready for ``st.dataframe``: missing text as '' and its column configuration."""
    text = [c for c in table.columns if column_format(c).kind == "text" and table[c].dtype == object]
    shown = table.assign(**{c: table[c].fillna("") for c in text}) if text else table
    numeric = tuple(c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])
                    and not pd.api.types.is_bool_dtype(table[c]))
    return shown, column_config(list(table), numeric)


def show_table(table: pd.DataFrame | tuple[pd.DataFrame, dict[str, object]], height: int | str = "auto",
               key: str | None = None) -> None:
    """A library table under human headers (``planner.columns``); blank, not None, where a value is missing.

    table : a library table, or one already through ``display`` (a page that shows it again keeps that)
    """
    shown, config = table if isinstance(table, tuple) else display(table)
    st.dataframe(shown, hide_index=True, width="stretch", height=height, placeholder="", column_config=config,
                 key=key)
