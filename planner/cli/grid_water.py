"""Flags and printing shared by the verbs that place a job in time and count its water (issue 19).

``--start YYYY-MM`` (compare, estimate, report), ``--grid-basis flat|trend|projection``, the owned room's
``--cooling`` / ``--wue``, and compare's ``--best-start FROM:TO`` table. Nothing is computed here.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from planner.errors import PlanError

if TYPE_CHECKING:  # the flags are registered without importing pandas; the model validates the values
    import pandas as pd

#: Shown in --help; the allowed values are checked (and listed in the error) by planner.grid_time / water.
GRID_BASES_HELP = "flat, trend or projection"
COOLING_HELP = "air, evaporative, evaporative_hot, liquid or unknown"


def add_time_water_args(parser: argparse.ArgumentParser, best_start: bool = False) -> None:
    group = parser.add_argument_group("when the job runs, and water")
    group.add_argument("--start", help="start month YYYY-MM: location-based CO2e over the job's wall-clock "
                       "(Ember monthly profile, yearly trend); default: the places' annual figures")
    group.add_argument("--grid-basis", default="trend",
                       help=f"future grid years: {GRID_BASES_HELP} (IEA where published); default trend")
    group.add_argument("--cooling", default="unknown",
                       help=f"owned room's cooling, for its on-site water: {COOLING_HELP} (default: US average)")
    group.add_argument("--wue", type=float, help="owned room's water usage effectiveness [L/kWh of IT energy]")
    if best_start:
        group.add_argument("--best-start", metavar="FROM:TO",
                           help="window of start months, e.g. 2027-01:2027-12: the best month per option")


def window(text: str) -> tuple[str, str]:
    """``FROM:TO`` -> (FROM, TO), both months checked before anything is computed."""
    from planner import api

    first, sep, last = str(text).partition(":")
    if not sep or not first or not last:
        raise PlanError(f"best-start '{text}': expected FROM:TO, e.g. 2027-01:2027-12")
    api.start_window(first.strip(), last.strip())
    return first.strip(), last.strip()


def print_best_start(rows: pd.DataFrame, text: str, basis: str, top: int, fmt: str) -> None:
    """The best start month per option (the first ``top`` rows shown)."""
    from planner import api
    from planner.cli.common import emit

    first, last = window(text)
    summary, _ = api.best_start_months(rows, first, last, basis, top=top)
    shown = summary.drop(columns=["row"], errors="ignore")  # no rows: nothing feasible
    if fmt != "table":
        emit(shown, fmt)
        return
    emit(shown, "table", f"Best month to start, {first} to {last} (location-based CO2e kg, grid basis {basis})")


def water_line(table: pd.DataFrame) -> str:
    row = table.iloc[0]
    return (f"water of the first option: {row['water_l']:,.0f} L ({row['water_l_low']:,.0f}-{row['water_l_high']:,.0f}): "
            f"{row['water_basis']}")
