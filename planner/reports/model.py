"""The report model: one result (workload, chosen and compared options, totals, ranges, assumptions,
sources, price snapshots, method, plain-language summary) built by one pure function.

The model does not know how its options table was made: any table with some of ``OPTION_COLUMNS``
(at least ``cost_usd`` and ``co2e_kg``) will do, from ``api.estimate_workload`` rows or a comparison.
Numbers stay floats here; the renderers only format them (``display_number``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from planner import answers, defaults
from planner.columns import PRICING_WORDS, readable
from planner.defaults import Assumption
from planner.errors import PlanError
from planner.reports import water_time
from planner.reports.citations import cited_works
from planner.units import convert
from planner.workload import Workload

#: Columns an options table may carry, in the order reports show them (others follow, as given).
OPTION_COLUMNS = (
    "option_kind", "provider", "region", "location", "instance_type", "server", "accounting_mode", "pricing", "gpu",
    "gpu_count", "gpu_hours", "wall_hours", "energy_kwh", "energy_kwh_low", "energy_kwh_high", "co2e_kg",
    "co2e_kg_low", "co2e_kg_high", "co2e_market_kg", "co2e_embodied_kg", "cost_usd", "cost_usd_low",
    "cost_usd_high", "water_l", "water_l_low", "water_l_high", "pareto",
)
REQUIRED_OPTION_COLUMNS = ("cost_usd", "co2e_kg")
ASSUMPTION_COLUMNS = ("name", "value", "unit", "source", "as_of", "note")

#: Quantities totalled for the chosen option: (column, unit).
TOTAL_QUANTITIES = (
    ("gpu_hours", "GPU·h"), ("wall_hours", "h"), ("energy_kwh", "kWh"), ("co2e_kg", "kg CO2e"),
    ("co2e_market_kg", "kg CO2e"), ("co2e_embodied_kg", "kg CO2e"), ("cost_usd", "USD"), ("water_l", "L"),
)

#: Rows of Strubell et al. 2019 Table 1 used as equivalences, by the start of their ``consumption`` text.
TABLE1_ROWS = ("Air travel", "American life", "Car, average")


@dataclass(frozen=True, eq=False)
class Report:
    """Everything a report shows; renderers format it and compute nothing.

    table : the tidy options table (``option`` label, ``chosen`` flag, then ``OPTION_COLUMNS`` present)
    totals : the chosen option's quantity, unit, central, low, high (low/high NaN where no range)
    option_ranges : across the feasible compared options: quantity, unit, min, max, min_option, max_option
        (each option in words, ``option_prose``)
    equivalences : comparison, kg_co2e_each, times (chosen CO2e / kg each), source, as_of
    assumptions : name, value, unit, source (its full text: which page, table, figure), as_of, note, ``ref`` (the
        numbers in ``sources`` of the works that source names, as text: "3" or "3, 17")
    sources : ``ref`` (1, 2, …), source (a cited work: no repository paths), as_of, used_for; each work once
    justification : the "justification of resources" paragraph, ready to paste
    key_table : the options a reviewer compares: role, option, gpu, gpu_count, wall_hours, gpu_hours, cost_usd,
        co2e_total_kg (operational + embodied; ``co2e_kg`` where the options have no embodied CO2e)
    compared_count / feasible_count : options compared (after filters) and, of those, feasible
    """

    title: str
    generated_at: str
    workload: pd.DataFrame
    gpu_hours: float
    chosen_label: str
    table: pd.DataFrame
    totals: pd.DataFrame
    option_ranges: pd.DataFrame
    assumptions: pd.DataFrame
    sources: pd.DataFrame
    price_snapshots: pd.DataFrame
    equivalences: pd.DataFrame
    method: tuple[str, ...]
    summary: tuple[str, ...]
    notes: tuple[str, ...]
    justification: str = ""
    key_table: pd.DataFrame | None = None
    compared_count: int = 0
    feasible_count: int = 0
    #: the chosen option started in each month of a window (``water_time.START_MONTH_COLUMNS``); empty: none
    start_months: pd.DataFrame = field(default_factory=water_time.start_month_rows)

    @property
    def price_snapshot_dates(self) -> tuple[str, ...]:
        """The distinct ``fetched_at`` dates of the price snapshots behind the costs, sorted."""
        return tuple(sorted(set(self.price_snapshots["fetched_at"].astype(str)))) if len(self.price_snapshots) else ()

    @property
    def reader_key_table(self) -> pd.DataFrame:
        """``key_table`` as a reader sees it (PDF, HTML, Markdown, DOCX): the option labels' pricing in words
        ("on-demand", "1-year reserved"); ``key_table`` itself keeps the ids the CSV and XLSX carry."""
        table = self.key_table.copy()
        if "option" in table.columns:
            table["option"] = table["option"].astype(str).map(readable)
        return table

    @property
    def chosen(self) -> pd.Series:
        """The chosen option's row of ``table``."""
        return self.table[self.table["chosen"]].iloc[0]

    def summary_table(self) -> pd.DataFrame:
        """The report's scalar content as one long table: section, item, value, unit (the XLSX summary sheet)."""
        rows: list[tuple[str, str, object, str]] = [
            ("report", "title", self.title, ""),
            ("report", "generated_at", self.generated_at, "UTC"),
            ("report", "price_snapshot_dates", ", ".join(self.price_snapshot_dates), ""),
            ("report", "chosen_option", self.chosen_label, ""),
        ]
        rows += [("workload", r.item, r.value, r.unit) for r in self.workload.itertuples()]
        for r in self.totals.itertuples():
            rows += [("totals", f"{r.quantity} {bound}", getattr(r, bound), r.unit)
                     for bound in ("central", "low", "high") if not _missing(getattr(r, bound))]
        for r in self.option_ranges.itertuples():
            rows += [("option_ranges", f"{r.quantity} min", r.min, r.unit),
                     ("option_ranges", f"{r.quantity} max", r.max, r.unit)]
        rows += [("equivalences", r.comparison, r.times, "×") for r in self.equivalences.itertuples()]
        rows += [("summary", str(i + 1), text, "") for i, text in enumerate(self.summary)]
        rows += [("method", str(i + 1), text, "") for i, text in enumerate(self.method)]
        rows += [("notes", str(i + 1), text, "") for i, text in enumerate(self.notes)]
        rows += [("start_months", r.start, r.co2e_kg, "kg CO2e") for r in self.start_months.itertuples()]
        return pd.DataFrame(rows, columns=["section", "item", "value", "unit"])


def build_report(
    workload: Workload,
    estimate_table: pd.DataFrame,
    options_table: pd.DataFrame | None,
    assumptions: Sequence[Assumption] | pd.DataFrame,
    price_snapshots: pd.DataFrame,
    generated_at: datetime | str,
    chosen_index: int | None = None,
    title: str | None = None,
    *,
    table1: pd.DataFrame | None = None,
    compared: pd.DataFrame | None = None,
    own_inputs: bool = False,
    start_months: pd.DataFrame | None = None,
    chosen_reason: str = "",
) -> Report:
    """Assemble a report from a workload, its estimate row, compared options and their assumptions.

    estimate_table : ``api.estimate_workload(...).table`` (one row: gpu_hours, energy_kwh, co2e_kg,
        cost_usd_low / _central / _high [USD], …)
    options_table : compared options with some of ``OPTION_COLUMNS`` (any row order; may be None or empty)
    assumptions : every input behind the numbers (Assumptions or a DataFrame of ``ASSUMPTION_COLUMNS``)
    price_snapshots : ``pricing.store.current_snapshots()`` (provider, fetched_at, source, origin, …)
    generated_at : when the report is generated (the one field that is not from the data), UTC
    chosen_index : position of the chosen option in ``options_table``; None: the estimate row is the
        chosen option (its cost range: cheapest offer, median and dearest on-demand offer)
    table1 : Strubell et al. 2019 Table 1 (``consumption``, ``co2e_lb``, ``source``); default: shipped
    """
    stamp = utc_stamp(generated_at)
    if estimate_table is None or len(estimate_table) != 1:
        raise PlanError("estimate_table: must hold exactly one row (api.estimate_workload(...).table)")
    estimate_row = estimate_table.iloc[0]
    options = _normalised_options(options_table)
    if chosen_index is None:
        table = pd.concat([_estimate_option(estimate_row), options], ignore_index=True)
        ordered = ["option"] + [c for c in OPTION_COLUMNS if c in table.columns]
        table = table[ordered + [c for c in table.columns if c not in ordered]]
        chosen_at = 0
    else:
        if isinstance(chosen_index, bool) or not isinstance(chosen_index, int | np.integer) \
                or not 0 <= chosen_index < len(options):
            raise PlanError(f"chosen_index {chosen_index}: must be a row position of options_table, "
                            f"0 to {len(options) - 1}" if len(options) else
                            f"chosen_index {chosen_index}: options_table has no rows; leave it unset")
        table, chosen_at = options, int(chosen_index)
    table.insert(1, "chosen", np.arange(len(table)) == chosen_at)
    chosen = table.iloc[chosen_at]

    snapshots = _snapshots(price_snapshots)
    equivalences, equivalence_assumptions = _equivalences(_value(chosen, "co2e_kg"), table1)
    all_assumptions = _dated_prices(pd.concat([_assumption_frame(assumptions),
                                               _assumption_frame(equivalence_assumptions)], ignore_index=True),
                                    snapshots)
    totals = _totals(chosen)
    if compared is None:
        compared = table if chosen_index is not None else options
    else:
        compared = _normalised_options(compared)
    usable = answers.feasible_rows(compared)  # an option that cannot run says nothing about the cost
    ranges = _option_ranges(usable)
    notes = tuple(str(n) for n in estimate_table.attrs.get("notes", ()))
    all_assumptions, sources = _numbered_sources(all_assumptions, snapshots)
    key = key_options(table if compared is None or len(compared) == 0 else compared, chosen)
    found = answers.compare_answers(compared) if len(compared) else None
    justification = _justification(workload, chosen, key, found, equivalences, snapshots,
                                   estimate_row if own_inputs else None, chosen_reason, compared,
                                   _measured_gpu_w(chosen, all_assumptions))
    return Report(
        title=title or f"Compute resources for training: {_what(workload)}",
        generated_at=stamp,
        workload=_workload_table(workload),
        gpu_hours=float(workload.gpu_hours),
        chosen_label=str(chosen["option"]),
        table=table,
        totals=totals,
        option_ranges=ranges,
        assumptions=all_assumptions,
        sources=sources,
        price_snapshots=snapshots,
        equivalences=equivalences,
        method=method_text(table),
        summary=_summary(workload, chosen, totals, ranges, equivalences, len(usable),
                         "feasible " if len(usable) < len(compared) else ""),
        notes=notes,
        justification=justification,
        key_table=key,
        compared_count=len(compared),
        feasible_count=found.feasible if found is not None else len(compared),
        start_months=water_time.start_month_rows(start_months),
    )


# --- Formatting shared by the renderers ---------------------------------------------------------------


def display_number(value: object, significant: int = 4) -> str:
    """A number as a person reads it: integers with thousands separators at >= 1,000, else 4 significant figures.

    The shown value is within 0.05 % of the true one (|x| < 1,000: 4 significant figures; |x| >= 1,000:
    rounded to the unit). Missing values are ''; booleans 'yes'/'no'; text is returned as it is.
    """
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    number = float(value)
    if number == 0:
        return "0"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    decimals = max(significant - 1 - math.floor(math.log10(abs(number))), 0)
    text = f"{number:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def display_usd(value: object) -> str:
    """``$1,234`` (whole dollars at >= $1,000), ``$3.90`` (cents below), ``$0.0042`` (2 significant figures
    below a cent); '' when missing."""
    if _missing(value):
        return ""
    number = abs(float(value))
    sign = "-$" if float(value) < 0 else "$"
    if round(number, 2) >= 1000 or number == 0:  # $999.996 reads $1,000, not $1000.00
        return sign + display_number(number)
    return sign + (f"{number:.2f}" if number >= 0.01 else f"{number:.2g}")


def plural(count: float, word: str) -> str:
    """``1 GPU``, ``8 GPUs``, ``2.5 GPUs`` (the count as ``display_number`` prints it)."""
    return f"{display_number(count)} {word}" + ("" if float(count) == 1 else "s")


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


# --- Pieces -------------------------------------------------------------------------------------------


def utc_stamp(generated_at: datetime | str) -> str:
    """``2026-11-25T09:30:00Z``: a datetime (naive = UTC) or ISO 8601 text, in UTC to the second."""
    if isinstance(generated_at, str):
        try:
            generated_at = datetime.fromisoformat(generated_at.replace("Z", "+00:00"))
        except ValueError:
            raise PlanError(f"generated_at '{generated_at}': not an ISO 8601 date-time, e.g. 2026-11-25T09:30:00Z") \
                from None
    if not isinstance(generated_at, datetime):
        raise PlanError(f"generated_at '{generated_at}': not a date-time")
    if generated_at.tzinfo is None:
        generated_at = generated_at.replace(tzinfo=UTC)
    try:  # 0001-01-01T00:00:00+14:00 is before year 1 in UTC
        utc = generated_at.astimezone(UTC)
    except OverflowError:
        utc = None
    # File formats need a plausible year (a ZIP, inside XLSX, cannot hold a date before 1980).
    if utc is None or not 1980 <= utc.year <= 2999:
        raise PlanError(f"generated_at '{generated_at.isoformat()}': must be between 1980 and 2999 (UTC)")
    return utc.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def generated_datetime(report: Report) -> datetime:
    """The report's generation time as an aware UTC datetime (for file metadata)."""
    return datetime.strptime(report.generated_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def option_label(row: pd.Series) -> str:
    """``aws us-east-1 p4d.24xlarge on_demand``, ``owned dgx-a100 shared``: the option's defining fields."""
    kind = str(row.get("option_kind", "") or "")
    fields = ["provider", "region", "instance_type", "pricing"] if kind != "owned" else \
        ["server", "accounting_mode", "location"]
    parts = ["owned"] if kind == "owned" else []
    parts += [str(row[f]) for f in fields if f in row.index and not _missing(row[f]) and str(row[f])]
    return " ".join(parts) or kind or "option"


def _normalised_options(options_table: pd.DataFrame | None) -> pd.DataFrame:
    if options_table is None or len(options_table) == 0:
        return pd.DataFrame(columns=["option", *REQUIRED_OPTION_COLUMNS])
    missing = [c for c in REQUIRED_OPTION_COLUMNS if c not in options_table.columns]
    if missing:
        raise PlanError(f"options_table: missing column(s) {', '.join(missing)}; needs at least "
                        f"{', '.join(REQUIRED_OPTION_COLUMNS)}")
    ordered = [c for c in OPTION_COLUMNS if c in options_table.columns]
    ordered += [c for c in options_table.columns if c not in ordered and c not in ("option", "chosen")]
    table = options_table[ordered].reset_index(drop=True).copy()
    labels = options_table["option"].astype(str).tolist() if "option" in options_table.columns else \
        [option_label(row) for _, row in table.iterrows()]
    table.insert(0, "option", labels)
    return table


def _estimate_option(row: pd.Series) -> pd.DataFrame:
    """The estimate row in the options schema: cost = median on-demand offer, range cheapest to dearest."""
    option = {
        "option": f"estimate: {row['gpu']} x {display_number(row['gpu_count'])}, cloud offers of every provider",
        "option_kind": "cloud", "gpu": row["gpu"], "gpu_count": float(row["gpu_count"]),
        "gpu_hours": float(row["gpu_hours"]), "wall_hours": float(row["wall_hours"]),
        "energy_kwh": float(row["energy_kwh"]), "co2e_kg": float(row["co2e_kg"]),
        "cost_usd": _float(row.get("cost_usd_central")), "cost_usd_low": _float(row.get("cost_usd_low")),
        "cost_usd_high": _float(row.get("cost_usd_high")),
    }
    for column in ("co2e_kg_low", "co2e_kg_high", *water_time.WATER_COLUMNS, "water_basis", "co2e_basis"):
        if column in row.index:
            option[column] = row[column]
    return pd.DataFrame([option])


def _float(value: object) -> float:
    return float("nan") if _missing(value) else float(value)  # type: ignore[arg-type]


def _value(row: pd.Series, column: str) -> float:
    return _float(row[column]) if column in row.index else float("nan")


def _totals(chosen: pd.Series) -> pd.DataFrame:
    rows = []
    for column, unit in TOTAL_QUANTITIES:
        if column not in chosen.index or _missing(chosen[column]):
            continue
        rows.append({"quantity": column, "unit": unit, "central": float(chosen[column]),
                     "low": _value(chosen, f"{column}_low"), "high": _value(chosen, f"{column}_high")})
    return pd.DataFrame(rows, columns=["quantity", "unit", "central", "low", "high"])


def _option_ranges(options: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for column, unit in (("cost_usd", "USD"), ("co2e_kg", "kg CO2e"), ("energy_kwh", "kWh")):
        if column not in options.columns:
            continue
        values = pd.to_numeric(options[column], errors="coerce")
        if values.notna().sum() == 0:
            continue
        low, high = values.idxmin(), values.idxmax()
        rows.append({"quantity": column, "unit": unit, "min": float(values[low]), "max": float(values[high]),
                     "min_option": option_prose(options.loc[low]), "max_option": option_prose(options.loc[high])})
    return pd.DataFrame(rows, columns=["quantity", "unit", "min", "max", "min_option", "max_option"])


def _workload_table(workload: Workload) -> pd.DataFrame:
    rows = [
        ("name", workload.name, ""), ("gpu", workload.gpu, ""), ("gpu_count", float(workload.gpu_count), "GPUs"),
        ("hours_per_run", float(workload.hours), "h"), ("repeats", float(workload.repeats), "runs"),
        ("wall_hours", float(workload.wall_hours), "h"), ("gpu_hours", float(workload.gpu_hours), "GPU·h"),
        ("precision", workload.precision, ""), ("source", workload.source, ""),
    ]
    return pd.DataFrame(rows, columns=["item", "value", "unit"])


def _assumption_frame(assumptions: Sequence[Assumption] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(assumptions, pd.DataFrame):
        missing = [c for c in ASSUMPTION_COLUMNS if c not in assumptions.columns and c != "note"]
        if missing:
            raise PlanError(f"assumptions: missing column(s) {', '.join(missing)}; "
                            f"expected {', '.join(ASSUMPTION_COLUMNS)}")
        frame = assumptions.reindex(columns=list(ASSUMPTION_COLUMNS))
    else:
        frame = pd.DataFrame([asdict(a) for a in assumptions], columns=list(ASSUMPTION_COLUMNS))
    for column in ("name", "unit", "source", "as_of", "note"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame


def _dated_prices(assumptions: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    """Give undated price assumptions (source ``'<provider> <region> <instance>'``) their snapshot's date."""
    frame = assumptions.drop_duplicates(subset=["name", "unit", "source", "as_of", "note"], ignore_index=True)
    if snapshots.empty:
        return frame
    fetched = dict(zip(snapshots["provider"], snapshots["fetched_at"].astype(str), strict=True))
    provider = frame["source"].str.split(" ").str[0]
    undated_price = frame["unit"].str.startswith("USD/GPU-hour") & (frame["as_of"] == "") & provider.isin(fetched)
    frame.loc[undated_price, "as_of"] = provider[undated_price].map(fetched)
    return frame


def _snapshots(price_snapshots: pd.DataFrame | None) -> pd.DataFrame:
    columns = ["provider", "fetched_at", "origin", "source", "row_count"]
    if price_snapshots is None or price_snapshots.empty:
        return pd.DataFrame(columns=columns)
    # The snapshot's file path is left out: it names a local directory and would change the bytes per machine.
    frame = price_snapshots.reindex(columns=columns).sort_values(["provider", "fetched_at"], kind="mergesort")
    frame["fetched_at"] = frame["fetched_at"].astype(str)
    return frame.reset_index(drop=True)


def _sources(assumptions: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    rows: dict[str, dict[str, list[str]]] = {}
    for a in assumptions.itertuples():
        entry = rows.setdefault(a.source, {"as_of": [], "used_for": []})
        if a.as_of and a.as_of not in entry["as_of"]:
            entry["as_of"].append(a.as_of)
        entry["used_for"].append(a.name)
    for s in snapshots.itertuples():
        entry = rows.setdefault(str(s.source), {"as_of": [], "used_for": []})
        if s.fetched_at not in entry["as_of"]:
            entry["as_of"].append(s.fetched_at)
        entry["used_for"].append(f"price snapshot {s.provider} ({s.origin})")
    return pd.DataFrame([{"source": source, "as_of": "; ".join(e["as_of"]), "used_for": ", ".join(e["used_for"])}
                         for source, e in rows.items()], columns=["source", "as_of", "used_for"])


def _equivalences(co2e_kg: float, table1: pd.DataFrame | None) -> tuple[pd.DataFrame, tuple[Assumption, ...]]:
    """Chosen CO2e as counts of Strubell et al.'s Table 1 items and of EPA's passenger-vehicle year."""
    if table1 is None:
        from planner.shipped import load

        table1 = load()["strubell2019_table1"]
    rows, assumptions = [], []
    for start in TABLE1_ROWS:
        hit = table1[table1["consumption"].astype(str).str.startswith(start)]
        if hit.empty:
            raise PlanError(f"strubell2019_table1: no row starting '{start}' in the shipped data")
        item = hit.iloc[0]
        pounds = float(str(item["co2e_lb"]).replace(",", ""))
        kg = convert(pounds, "lb", "kg")
        label = str(item["consumption"])
        source = f"{item['source']}, Table 1: {label}, {item['co2e_lb']} lb CO2e"
        rows.append({"comparison": label, "kg_co2e_each": kg, "source": source, "as_of": "2019"})
        assumptions.append(Assumption(f"equivalence: {label}", kg, "kg CO2e", source, "2019",
                                      f"{item['co2e_lb']} lb x 0.45359237 kg/lb"))
    car = defaults.PASSENGER_VEHICLE_CO2_KG_PER_YEAR
    rows.append({"comparison": "Typical US passenger vehicle, 1 year (tailpipe CO2)", "kg_co2e_each": float(car.value),
                 "source": car.source, "as_of": car.as_of})
    assumptions.append(car)
    table = pd.DataFrame(rows, columns=["comparison", "kg_co2e_each", "source", "as_of"])
    table.insert(2, "times", co2e_kg / table["kg_co2e_each"])
    return table, tuple(assumptions)


def method_text(table: pd.DataFrame) -> tuple[str, ...]:
    """How each number was made, formulas written out; owned and embodied lines only when the table has them."""
    lines = [
        "GPU-hours: GPU·h = n_gpu · t · repeats, with t the wall-clock hours of one run [h].",
        "Energy (Strubell et al. 2019, eq. 1): E = PUE · t · (p_cpu + p_dram + n · p_gpu) / 1000 [kWh], powers in W. "
        "Without a measurement, p_gpu = TDP · f and p_cpu + p_dram = vCPUs · W/vCPU + GiB · W/GiB (Cloud Carbon "
        "Footprint coefficients).",
        "Operational emissions: CO2e = E · I / 1000 [kg], with I the location-based grid intensity of the region "
        "or zone [gCO2e/kWh].",
        "Cloud cost: cost = instance-hours × price per instance-hour [USD], whole instances billed; spot adds the "
        "expected rework after interruptions. Each option's range takes every uncertain input (GPU power, "
        "throughput ratio, spot rates, owned-server costs) at its low and high end; the cloud cost range is the "
        "cheapest to the dearest feasible cloud option compared.",
    ]
    if "co2e_market_kg" in table.columns:
        lines.append("Market-based emissions (co2e_market_kg): the same energy times the market-based emission "
                     "factor supplied with the options.")
    if "co2e_embodied_kg" in table.columns:
        lines.append("Embodied emissions: manufacturing CO2e spread over the busy GPU-hours of a lifetime, "
                     "e = (E_server + n · E_gpu) / (8760 · L · n · u) [kg/GPU·h], times the GPU-hours "
                     "(Luccioni et al. 2022).")
    if "option_kind" in table.columns and (table["option_kind"] == "owned").any():
        lines += [
            "Owned, shared cluster: c = (capex · (1 − resale) / L + opex) / (8760 · n · u) + PUE · P / n / 1000 · "
            "price_kWh [USD/GPU·h], with opex = price · m/100 + staff + hosting · 12 · kW [USD/year].",
            "Owned, dedicated: cost = s · capex · (1 − b) + s · opex · t / 8760 + E · price_kWh [USD] for s servers "
            "bought for the project, b the share of the price they are still worth after it (straight-line book "
            "value over the lifetime, or the resale share) credited: the purchase itself is s · capex.",
        ]
    lines += water_time.method_lines(table)
    lines.append("Equivalences: times = CO2e / CO2e of the item (Strubell et al. 2019 Table 1 figures converted at "
                 "0.45359237 kg/lb).")
    return tuple(lines)


def _summary(workload: Workload, chosen: pd.Series, totals: pd.DataFrame, ranges: pd.DataFrame,
             equivalences: pd.DataFrame, compared: int, feasible: str = "") -> tuple[str, ...]:
    by = totals.set_index("quantity")
    lines = [f"{workload.name}: {display_number(workload.gpu_hours)} GPU-hours ({display_number(workload.gpu_count)} × "
             f"{workload.gpu} for {display_number(workload.wall_hours)} h)."]
    parts = []
    if "cost_usd" in by.index:
        cost = by.loc["cost_usd"]
        spread = f" (range {display_usd(cost['low'])} to {display_usd(cost['high'])})" \
            if not (_missing(cost["low"]) or _missing(cost["high"])
                    or display_usd(cost["low"]) == display_usd(cost["high"])) else ""
        parts.append(f"about {display_usd(cost['central'])}{spread}")
    else:
        parts.append("no cloud price for this GPU")
    if "energy_kwh" in by.index:
        parts.append(f"{display_number(by.loc['energy_kwh', 'central'])} kWh")
    if "co2e_kg" in by.index:
        parts.append(f"{display_number(by.loc['co2e_kg', 'central'])} kg CO2e")
    lines.append(f"Chosen option ({chosen['option']}): " + ", ".join(parts) + ".")
    lines += water_time.summary_lines(chosen)
    if compared > 1 and len(ranges):
        rng = ranges.set_index("quantity")
        pieces = []
        if "cost_usd" in rng.index:
            pieces.append(f"cost runs from {display_usd(rng.loc['cost_usd', 'min'])} for "
                          f"{rng.loc['cost_usd', 'min_option']} to {display_usd(rng.loc['cost_usd', 'max'])} for "
                          f"{rng.loc['cost_usd', 'max_option']}")
        if "co2e_kg" in rng.index:
            pieces.append(f"CO2e from {display_number(rng.loc['co2e_kg', 'min'])} to "
                          f"{display_number(rng.loc['co2e_kg', 'max'])} kg")
        lines.append(f"Across the {compared:,} {feasible}options compared, " + " and ".join(pieces) + ".")
    if "co2e_kg" in by.index:
        table1 = equivalences.iloc[:-1]
        counts = "; ".join(f"{display_number(r.times, 2)} × '{r.comparison}'" for r in table1.itertuples())
        car = equivalences.iloc[-1]
        lines.append(f"{display_number(by.loc['co2e_kg', 'central'])} kg CO2e is about {counts} (Strubell et al. "
                     f"2019, Table 1), or {display_number(car['times'], 2)} years of a typical US passenger vehicle's "
                     "tailpipe CO2 (US EPA 2023).")
    return tuple(lines)


# --- The two pages a reviewer reads ------------------------------------------------------------------


def drawn_on_text(report: Report) -> str:
    """"The 19 options this report draws on (of 979 compared)": what the report's options table holds."""
    shown = len(report.table)
    option = "option" if shown == 1 else "options"
    if report.compared_count > shown:
        return f"The {shown:,} {option} this report draws on (of {report.compared_count:,} compared)"
    if report.compared_count < shown:  # the estimate row ahead of the options given
        return f"The {shown:,} {option} of this report (the estimate and the {report.compared_count:,} compared)"
    return f"The {shown:,} {option} compared"


def source_line(source: str, as_of: str) -> str:
    """A numbered source as listed: the work, then the dates of the inputs citing it that it does not name."""
    dates = [d for d in str(as_of or "").split("; ") if d and d[:4] not in str(source)]
    return f"{source} ({'; '.join(dates)})" if dates else str(source)


def co2e_column(table: pd.DataFrame) -> str:
    """``co2e_total_kg`` (operational + embodied) where the options have it, else ``co2e_kg``."""
    return "co2e_total_kg" if "co2e_total_kg" in table.columns else "co2e_kg"


#: The key table's columns, in order (``co2e_total_kg`` falls back to ``co2e_kg``).
KEY_COLUMNS = ("role", "option", "gpu", "gpu_count", "wall_hours", "gpu_hours", "cost_usd", "co2e_total_kg")
#: Most options in the key table: the chosen one, the three picks and each provider's cheapest.
KEY_ROWS = 8


def key_options(compared: pd.DataFrame, chosen: pd.Series) -> pd.DataFrame:
    """The options a reviewer compares: the chosen one, the cheapest, lowest-carbon and fastest feasible
    options, and the cheapest feasible option of each provider (owned servers: of each accounting mode),
    each once, the chosen first and then by cost; ``role`` says why each is there."""
    co2e = co2e_column(compared)
    labelled = compared if "option" in compared.columns else _normalised_options(compared)
    usable = answers.feasible_rows(labelled)
    roles: dict[str, list[str]] = {str(chosen["option"]): ["chosen"]}
    rows: dict[str, pd.Series] = {str(chosen["option"]): chosen}
    found = answers.compare_answers(labelled)
    names = {"cheapest": "cheapest", "lowest_carbon": "lowest carbon", "fastest": "fastest"}
    for pick, name in names.items():
        if pick in getattr(found.picks, "index", ()):
            row = labelled.loc[found.picks.loc[pick, "row"]]
            roles.setdefault(str(row["option"]), []).append(name)
            rows.setdefault(str(row["option"]), row)
    priced = usable.dropna(subset=["cost_usd"])
    if "provider" in priced.columns:
        group = priced["provider"].astype(str)
        if "accounting_mode" in priced.columns:
            group = group.where(priced["accounting_mode"].isna(), "owned " + priced["accounting_mode"].astype(str))
        for name, part in priced.sort_values("cost_usd", kind="mergesort").groupby(group, sort=False):
            row = part.iloc[0]
            label = str(row["option"])
            if label not in rows and len(rows) < KEY_ROWS:
                rows[label] = row
                roles[label] = [f"cheapest {name}"]
    ordered = [str(chosen["option"])] + sorted((k for k in rows if k != str(chosen["option"])),
                                               key=lambda k: _float(rows[k].get("cost_usd")))
    table = pd.DataFrame([rows[k] for k in ordered]).reset_index(drop=True)
    table.insert(0, "role", ["; ".join(roles[k]) for k in ordered])
    columns = [c if c != "co2e_total_kg" else co2e for c in KEY_COLUMNS]
    return table.reindex(columns=columns)


_PROVIDERS = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}
def option_prose(row: pd.Series) -> str:
    """An option in words: "AWS p4de.24xlarge instances in us-west-2 (on-demand)", "owned nvidia-dgx-h100
    servers in the United States (dedicated)"; its label where the defining fields are missing."""
    def text(column: str) -> str:
        value = row.get(column, "")
        return "" if _missing(value) or value is None else str(value)

    if text("option_kind") == "owned" and text("server"):
        where = f" in {_place(text('location'))}" if text("location") else ""
        mode = f" ({text('accounting_mode')})" if text("accounting_mode") else ""
        return f"owned {text('server')} servers{where}{mode}"
    if text("provider") and text("instance_type"):
        provider = _PROVIDERS.get(text("provider"), text("provider"))
        where = f" in {text('region')}" if text("region") else ""
        pricing = f" ({PRICING_WORDS.get(text('pricing'), text('pricing'))})" if text("pricing") else ""
        return f"{provider} {text('instance_type')} instances{where}{pricing}"
    return text("option") or option_label(row)


def _place(location: str) -> str:
    return f"the {location}" if location.startswith(("United ", "Netherlands", "Czech ")) else location


def _row_of(table: pd.DataFrame | None, key_row: pd.Series) -> pd.Series:
    """The key table's row with every column of its option (the key table keeps only its own columns)."""
    if table is not None and "option" in table.columns:
        match = table[table["option"].astype(str) == str(key_row["option"])]
        if len(match):
            return match.iloc[0]
    return key_row


def _measured_gpu_w(chosen: pd.Series, assumptions: pd.DataFrame) -> float | None:
    """The measured W per GPU behind the chosen option's energy (None: its power is a TDP default)."""
    flag = chosen.get("power_measured", False)
    if _missing(flag) or not bool(flag):
        return None
    names = assumptions["name"].astype(str)
    gpu = str(chosen.get("gpu", ""))
    rows = assumptions[(names == f"gpu_w_measured_{gpu}") | (names == "gpu_w_measured")]
    values = pd.to_numeric(rows["value"], errors="coerce").dropna()
    return float(values.iloc[0]) if len(values) else None


def _what(workload: Workload) -> str:
    """The workload's name, or for an unnamed one what it runs on: "8 × a100-sxm4-80gb for 24 h"."""
    if workload.name != "custom workload":
        return workload.name
    return f"{display_number(workload.gpu_count)} × {workload.gpu} for {display_number(workload.wall_hours)} h"


def _car_sentence(years: float) -> list[str]:
    """The CO2e in years (or, under a tenth of a year, days) of a typical US car; nothing under a day."""
    if years >= 0.1:
        amount = f"{display_number(years, 2)} years"
    elif years * 365.25 >= 1:
        amount = plural(float(display_number(years * 365.25, 2)), "day")
    else:
        return []
    return [f"The operational CO2e equals {amount} of a typical US passenger car's tailpipe CO2 (US EPA)."]


def _cost_text(row: pd.Series) -> str:
    cost = _float(row.get("cost_usd"))
    if math.isnan(cost):
        return "no price"
    low, high = _float(row.get("cost_usd_low")), _float(row.get("cost_usd_high"))
    if math.isnan(low) or math.isnan(high) or display_usd(low) == display_usd(high):
        return f"{display_usd(cost)} (a list price: no range)" if not math.isnan(low) else display_usd(cost)
    return f"{display_usd(cost)} (range {display_usd(low)} to {display_usd(high)})"


def _energy_text(row: pd.Series) -> str:
    """", draws 450 kWh (range 400 to 520)" ('' where the option has no energy)."""
    energy = _float(row.get("energy_kwh"))
    if math.isnan(energy):
        return ""
    low, high = _float(row.get("energy_kwh_low")), _float(row.get("energy_kwh_high"))
    spread = "" if math.isnan(low) or math.isnan(high) or display_number(low) == display_number(high) else \
        f" (range {display_number(low)} to {display_number(high)})"
    return f", draws {display_number(energy)} kWh{spread}"


def _co2e_text(row: pd.Series) -> str:
    operational = _float(row.get("co2e_kg"))
    low, high = _float(row.get("co2e_kg_low")), _float(row.get("co2e_kg_high"))
    spread = "" if math.isnan(low) or math.isnan(high) else f", range {display_number(low)} to {display_number(high)}"
    text = f"{display_number(operational)} kg CO2e from electricity (location-based{spread})"
    embodied = _float(row.get("co2e_embodied_kg"))
    if not math.isnan(embodied):
        text += f" plus {display_number(embodied)} kg embodied in the hardware"
    return text


def _justification(workload: Workload, chosen: pd.Series, key: pd.DataFrame, found: object,
                   equivalences: pd.DataFrame, snapshots: pd.DataFrame, estimate_row: pd.Series | None,
                   reason: str = "", compared: pd.DataFrame | None = None,
                   measured_gpu_w: float | None = None) -> str:
    """The justification-of-resources paragraph: what is trained, on what, GPU-hours, why this option, cost
    and CO2e with ranges, the alternatives, and where the numbers come from."""
    runs = f" ({display_number(workload.repeats)} runs)" if workload.repeats != 1 else ""
    name = "our model" if workload.name == "custom workload" else workload.name
    parts = [f"We request compute to train {name}{runs}: {display_number(workload.gpu_hours)} GPU-hours "
             f"on {workload.gpu} ({plural(workload.gpu_count, 'GPU')} for "
             f"{display_number(workload.wall_hours)} h of wall-clock time)."]
    gpu, hours = str(chosen.get("gpu", "") or workload.gpu), _float(chosen.get("gpu_hours"))
    count, wall = _float(chosen.get("gpu_count")), _float(chosen.get("wall_hours"))
    plan = f"We plan to run it on {option_prose(chosen)}"
    if not (math.isnan(count) or math.isnan(wall) or math.isnan(hours)):
        plan += (f": {display_number(count)} × {gpu} for {display_number(wall)} h, "
                 f"{display_number(hours)} GPU-hours billed")
        if gpu != workload.gpu:
            plan += f" (converted from {workload.gpu} by peak throughput: an estimate)"
    parts.append(plan + ".")
    role = str(key.iloc[0]["role"]) if len(key) else "chosen"
    others = [r for r in role.split("; ") if r != "chosen"]
    why = [reason] if reason else []
    if others:
        why.append(f"the {' and the '.join(others)} of the {display_number(getattr(found, 'rows', 1))} options "
                   "compared")
    if why:
        parts.append(f"It is {'; and '.join(why)}.")
    parts.append(f"It costs {_cost_text(chosen)}{_energy_text(chosen)} and emits {_co2e_text(chosen)}; the ranges "
                 "carry the uncertainty in power draw, throughput and prices.")
    if measured_gpu_w is not None:
        parts.append(f"Its energy rests on the GPU power we measured on our own run ({display_number(measured_gpu_w)} W "
                     "per GPU, recorded with trainplan measure), not on a share of the GPUs' rated power.")
    parts += water_time.justification_sentences(chosen)
    if found is not None and found.has_cloud_cost and found.cloud_options > 1:
        parts.append(f"The {display_number(found.cloud_options)} feasible cloud options compared cost "
                     f"{display_usd(found.cloud_cost_low)} to {display_usd(found.cloud_cost_high)}.")
    alternatives = []
    for i in range(1, len(key)):
        row, role = key.iloc[i], str(key.iloc[i]["role"])
        if role in ("cheapest", "lowest carbon", "fastest"):
            full = _row_of(compared, row)
            text = f"the {role} is {option_prose(full)} at {display_usd(row['cost_usd'])}"
            if str(full.get("accounting_mode", "")) == "dedicated":
                servers = full.get("instances")
                bought = (f"buying {display_number(servers)} server{'' if servers == 1 else 's'} for "
                          f"{display_usd(full['purchase_usd'])} up front"
                          if not _missing(full.get("purchase_usd")) and not _missing(servers) else "buying the servers")
                text += f" ({bought}; the value they keep after the project is credited)"
            alternatives.append(text)
    if alternatives:
        parts.append("Of the alternatives, " + "; ".join(alternatives) + ".")
    if estimate_row is not None:
        parts.append(f"With the facility and power figures we gave, the same GPU-hours draw "
                     f"{display_number(estimate_row['energy_kwh'])} kWh and emit "
                     f"{display_number(estimate_row['co2e_kg'])} kg CO2e.")
    car = equivalences.iloc[-1] if len(equivalences) else None
    if car is not None and not _missing(car["times"]):
        parts += _car_sentence(float(car["times"]))
    dates = ", ".join(sorted(set(snapshots["fetched_at"].astype(str).str[:10]))) if len(snapshots) else "undated"
    parts.append(f"Estimated with trainplan from cloud prices of {dates} and the numbered sources in the appendix.")
    return " ".join(parts)


#: trainplan's own data paths (``shared/data/…``, ``data_src/…``), with the word that introduces them.
_OWN_PATH = re.compile(r"(?:,?\s*\b(?:extracted in|extracted to|via|in|from|per the arithmetic notes in|see)\s+)?"
                       r"(?:\.\./)?(?:shared|data_src)/[\w./@-]+")
#: A bare data-file name (``ccf_coefficients.csv``) that does not follow an upstream ``owner/repo@commit``.
_BARE_FILE = re.compile(r"(?:\s*\b(?:and|via|in|see)\s+)?(?<![/\w.@-])[\w-]+\.(?:csv|md|json|ya?ml|toml|sqlite)\b")


def public_source(text: str) -> str:
    """A source as a reader cites it: trainplan's repository paths and data-file names taken out (upstream
    ``owner/repo@commit path`` citations kept), with the brackets and punctuation they leave tidied."""
    cleaned = _OWN_PATH.sub("", str(text))

    def bare(match: re.Match) -> str:
        before = cleaned[:match.start()].rstrip().rsplit(" ", 1)[-1]
        return match.group(0) if "@" in before else ""

    cleaned = _BARE_FILE.sub(bare, cleaned)
    cleaned = re.sub(r"\(\s*[,;:]?\s*\)", "", cleaned)
    cleaned = re.sub(r";\s*hours_used\b\s*", "", cleaned)
    cleaned = re.sub(r",?\s*\bextracted\b(?=\s*(?:[;(]|$))", "", cleaned)
    cleaned = re.sub(r"\(\s*[:;,]\s*", "(", cleaned)
    cleaned = re.sub(r"\s+([,;:.)])", r"\1", cleaned)
    cleaned = re.sub(r"[,;:]\s*\)", ")", cleaned)
    cleaned = re.sub(r"[,;]\s*:", ":", cleaned)
    cleaned = re.sub(r"([,;:])\1+", r"\1", cleaned)
    cleaned = re.sub(r"\s{2,}", " ", cleaned).strip(" ,;:")
    return cleaned or str(text)


def _numbered_sources(assumptions: pd.DataFrame, snapshots: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each cited work once, numbered in order of first use; every assumption cites its works' numbers (``ref``).

    An assumption's ``source`` keeps its full text (the detail: which page, table or figure); ``ref`` is the
    numbers of the works that text names (``citations.cited_works``: "3" or "3, 17"). A cloud price's source is
    its provider's price snapshot (the offer itself is in the assumption's note).
    """
    frame = assumptions.copy()
    snapshot_source = {str(r.provider): f"{r.source} ({r.provider} price snapshot)" for r in snapshots.itertuples()}
    provider = frame["source"].str.split(" ").str[0]
    is_price = frame["unit"].str.startswith("USD/GPU-hour") & provider.isin(snapshot_source)
    offer = frame["source"].where(is_price, "")
    frame.loc[is_price, "note"] = [f"{o}; {n}" if n else o for o, n in zip(offer[is_price], frame.loc[is_price, "note"],
                                                                            strict=True)]
    frame.loc[is_price, "source"] = provider[is_price].map(snapshot_source)
    frame["source"] = [public_source(s) if s else "not stated" for s in frame["source"]]
    frame["note"] = [public_source(n) if n else "" for n in frame["note"]]
    works = [cited_works(s) for s in frame["source"]]
    snapshot_works = {p: cited_works(public_source(snapshot_source[p])) for p in sorted(snapshot_source)}
    refs: dict[str, int] = {}
    for cited in [*works, *snapshot_works.values()]:
        for work in cited:
            refs.setdefault(work, len(refs) + 1)
    frame["ref"] = [", ".join(str(refs[w]) for w in cited) for cited in works]
    rows = []
    for work, ref in refs.items():
        used = [i for i, cited in enumerate(works) if work in cited]
        dates = sorted({d for d in frame["as_of"].iloc[used] if d})
        names = list(dict.fromkeys(frame["name"].iloc[used]))
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        if not names:
            shown = "price snapshot"
            dates = sorted({str(r.fetched_at)[:10] for r in snapshots.itertuples()
                            if work in snapshot_works[str(r.provider)]})
        rows.append({"ref": ref, "source": work, "as_of": "; ".join(dates), "used_for": shown})
    return frame, pd.DataFrame(rows, columns=["ref", "source", "as_of", "used_for"])
