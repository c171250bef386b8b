"""The comparison engine: one workload against every cloud offer and owned server, as one tidy table.

A row is one way of getting the compute: a cloud offer (provider, region, instance type, pricing) or an
owned server configuration in one accounting mode (``dedicated`` purchase or ``shared`` cluster) at one
site. Every row is computed by the same column expressions (``evaluate_cloud``, ``evaluate_owned``), at
the low, central and high ends of its uncertain inputs (``planner.ranges``) and, on request, over a seeded
Monte Carlo.

Cloud rows
    The workload's GPU-hours move to the offer's GPU through the peak-throughput ratio at the workload's
    precision (``catalog.throughput_ratio``, or the user's ratio for that GPU): ``H = H_w / r``. The
    workload's GPU count ``n`` is kept; instances are billed whole, so ``k = ⌈n / G⌉`` instances of ``G``
    GPUs are rented and ``k·G − n`` GPUs are billed but idle (their idle power is not counted: none is
    sourced). Wall time ``t = H / n · (1 + o)`` with the spot overhead ``o`` (``planner.spot``, 0 for
    other pricing). Cost ``= k · price_per_instance_hour · max(t, term)`` (term = 8760 h or 26280 h for
    reserved 1y/3y pricing: the commitment is paid in full). Energy ``= PUE · t · (n · TDP · f + host) / 1000``
    with the host = ``defaults.host_power_w(vCPUs, GiB)`` of one instance × n / G (the default host share
    per GPU where the shape is unknown, e.g. TPUs). CO2e ``= E · I_region / 1000`` (location-based);
    market-based ``= CO2e · (1 − CFE)`` where Google publishes a carbon-free-energy share, otherwise NaN
    and labelled 'no data'.
Owned rows
    ``planner.ownership``: *dedicated* buys ``⌈n / G⌉`` servers (fractional with ``whole_servers=False``,
    as the paper's 7.25) and pays capex (less resale), upkeep over the wall time and electricity; wall
    time = H / (servers · G). *shared* pays ``H`` × the cluster's cost per busy GPU-hour; wall time = H / n.
Embodied CO2e (both)
    Manufacturing CO2e per GPU amortised over the busy GPU-hours of a lifetime:
    ``e = (E_gpu + E_server / G_server) / (8760 · L · u)`` [kg/GPU-h], times the GPU-hours the row holds
    (billed GPUs × wall hours for cloud, the project's GPU-hours for owned).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner import defaults, feasibility, spot, throughput
from planner.carbon import co2e_kg
from planner.catalog import Catalog
from planner.defaults import Assumption
from planner.energy import training_energy_kwh
from planner.errors import PlanError, fraction, non_negative, positive, unknown
from planner.ownership import (
    ACCOUNTING_MODES,
    HOURS_PER_YEAR,
    OwnedServer,
    dedicated_project_cost_usd,
    embodied_kg_per_gpu_hour,
    energy_kwh_per_gpu_hour,
    shared_cost_usd_per_gpu_hour,
)
from planner.ranges import BOUNDS, DEFAULT_PERCENTILES, Range, at_bound, monte_carlo
from planner.workload import Workload
from pricing.schema import PRICING_MODELS, PROVIDERS

#: Option kinds and the extra provider name of owned rows (``providers=['owned']`` keeps only them).
OPTION_KINDS = ("cloud", "owned")
OWNED = "owned"
SORT_KEYS = {"cost": "cost_usd", "co2e": "co2e_total_kg", "time": "wall_hours"}
#: Outputs that carry ``_low`` / ``_high`` (and Monte Carlo ``_pNN``) columns.
RANGED = ("cost_usd", "energy_kwh", "co2e_kg", "co2e_embodied_kg", "wall_hours")
RESERVED_TERM_HOURS = {"reserved_1y": HOURS_PER_YEAR, "reserved_3y": 3 * HOURS_PER_YEAR}
ASSUMPTION_COLUMNS = ("name", "value", "unit", "source", "as_of", "note")
#: Text columns of the row-input frames (everything else is a float array the evaluators read).
_TEXT_COLUMNS = frozenset({"option_kind", "provider", "region", "location", "country", "instance_type", "server",
                           "accounting_mode", "pricing", "gpu", "assumption_ids", "ratio_name", "ratio_method",
                           "sizing_reason", "intra", "interconnect_name"})

#: Column order of the result table.
COLUMNS = (
    "option_kind", "provider", "region", "location", "country", "instance_type", "server", "accounting_mode",
    "pricing", "gpu", "gpu_count", "instances", "billed_gpus", "throughput_ratio", "spot_overhead_fraction",
    "gpu_hours", "wall_hours", "energy_kwh", "co2e_kg", "co2e_market_kg", "co2e_market_basis", "co2e_embodied_kg",
    "co2e_total_kg", "cost_usd", "on_demand_cost_usd", "spot_cost_usd", "power_measured",
    *(f"{c}_{b}" for c in RANGED for b in ("low", "high")), "pareto", "feasible", "infeasible_reason",
    "ratio_method", "scaling_efficiency", "interconnect", "network_gbps", "memory_required_gb", "gpu_memory_gb",
    "assumption_ids",
)


@dataclass(frozen=True)
class OwnedOption:
    """An owned server configuration at a site, with what the engine needs beyond ``OwnedServer``.

    tdp_w : board power of one GPU [W]; host_w_per_gpu : host share of one GPU [W]
    site_zone / site_name / country : the grid zone, its name and ISO-3 country (None if not a country)
    grid : the site's grid intensity as a Range [gCO2e/kWh]; assumptions : the inputs behind it
    """

    server: OwnedServer
    tdp_w: float
    host_w_per_gpu: float
    site_zone: str
    site_name: str
    country: str | None
    grid: Range
    assumptions: tuple[Assumption, ...]


@dataclass(frozen=True)
class Settings:
    """Overrides of the engine's defaults; None means the sourced default and its range.

    throughput_ratios : {gpu id: speed relative to the workload's GPU} (fixes that GPU's ratio)
    gpu_power_fraction : average GPU draw / TDP in (0, 1]
    spot_interruptions_per_hour : per instance [1/h], replaces every provider's rate
    checkpoint_interval_hours, restart_hours : [h]
    owned_utilisation, owned_lifetime_years, maintenance_pct_per_year : fix those owned inputs' ranges
    whole_servers : dedicated purchases buy whole servers (False: fractional, as the paper)
    monte_carlo : draws (0 = none); seed : numpy Generator seed; percentiles : reported
    """

    throughput_ratios: Mapping[str, float] = field(default_factory=dict)
    gpu_power_fraction: float | None = None
    spot_interruptions_per_hour: float | None = None
    checkpoint_interval_hours: float | None = None
    restart_hours: float | None = None
    owned_utilisation: float | None = None
    owned_lifetime_years: float | None = None
    maintenance_pct_per_year: float | None = None
    whole_servers: bool = True
    monte_carlo: int = 0
    seed: int = 0
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES
    measured_gpu_w: Mapping[str, float] = field(default_factory=dict)
    measured_source: str = ""

    def __post_init__(self) -> None:
        for gpu, ratio in self.throughput_ratios.items():
            positive(f"throughput ratio of {gpu}", ratio)
        if self.gpu_power_fraction is not None:
            fraction("gpu_power_fraction", self.gpu_power_fraction)
        for gpu, watts in self.measured_gpu_w.items():
            positive(f"measured power of {gpu}", watts, "W")
        if self.spot_interruptions_per_hour is not None:
            non_negative("spot_interruptions_per_hour", self.spot_interruptions_per_hour, "1/h")
        if self.checkpoint_interval_hours is not None:
            non_negative("checkpoint_interval_hours", self.checkpoint_interval_hours, "h")
        if self.restart_hours is not None:
            non_negative("restart_hours", self.restart_hours, "h")
        if self.owned_utilisation is not None:
            fraction("utilisation", self.owned_utilisation)
        if self.owned_lifetime_years is not None:
            positive("lifetime_years", self.owned_lifetime_years, "years")
        if self.maintenance_pct_per_year is not None:
            non_negative("maintenance_pct_per_year", self.maintenance_pct_per_year)
        non_negative("monte_carlo", self.monte_carlo)
        for q in self.percentiles:
            if not 0 <= q <= 100:
                raise PlanError(f"percentile {q:g}: must be in [0, 100]")


@dataclass(frozen=True)
class Comparison:
    """The result: one row per option, and every assumption any row used.

    table : see ``COLUMNS`` (plus ``<output>_pNN`` with a Monte Carlo), sorted by cost, index 0..n-1
    assumptions : columns name, value, unit, source, as_of, note; ``table.assumption_ids`` lists the
    names (``;``-separated) each row used
    """

    table: pd.DataFrame
    assumptions: pd.DataFrame
    notes: tuple[str, ...] = ()

    def assumptions_for(self, row_index: int) -> pd.DataFrame:
        """The assumptions behind one row of ``table`` (by index label)."""
        if row_index not in self.table.index:
            raise PlanError(f"row {row_index}: not in the table (0..{len(self.table) - 1})")
        names = str(self.table.at[row_index, "assumption_ids"]).split(";")
        by_name = self.assumptions.set_index("name")
        return by_name.loc[[n for n in names if n in by_name.index]].reset_index()


# --- Pure column expressions ---------------------------------------------------------------------------

def evaluate_cloud(rows: Mapping[str, np.ndarray], x: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Outputs of cloud rows for one set of inputs ``x`` (scalars or arrays; they broadcast).

    rows : workload_gpu_hours [GPU·h on the workload's GPU], gpu_count n, instances k, gpus_per_instance G,
    billed_gpus, is_spot (0/1), term_hours [h], tdp_w [W], host_w [W, the job's host share], pue [-],
    embodied_kg_per_gpu_hour [kg/GPU-h]
    x : ratio [-], power_fraction [-], grid [g/kWh], price [USD per instance-hour], spot_rate [1/h per
    instance], checkpoint [h], restart [h]
    """
    plain_gpu_hours = rows["workload_gpu_hours"] / x["ratio"]
    rate = spot.job_interruptions_per_hour(rows["instances"], x["spot_rate"])
    overhead = rows["is_spot"] * spot.overhead_fraction(rate, x["checkpoint"], x["restart"])
    gpu_hours = plain_gpu_hours * (1.0 + overhead)
    wall = gpu_hours / rows["gpu_count"]
    cost = rows["instances"] * x["price"] * np.maximum(wall, rows["term_hours"])
    energy = training_energy_kwh(wall, rows["tdp_w"] * x["power_fraction"], rows["gpu_count"], rows["host_w"], 0.0,
                                 rows["pue"])
    return {
        "gpu_hours": gpu_hours,
        "wall_hours": wall,
        "cost_usd": cost,
        "energy_kwh": energy,
        "co2e_kg": co2e_kg(energy, x["grid"]),
        "co2e_embodied_kg": rows["billed_gpus"] * wall * rows["embodied_kg_per_gpu_hour"],
        "spot_overhead_fraction": overhead + 0.0 * wall,
    }


def evaluate_owned(rows: Mapping[str, np.ndarray], x: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Outputs of owned rows (both accounting modes) for one set of inputs ``x``.

    rows : workload_gpu_hours, gpu_count n (the job's), gpus_per_server G, servers (dedicated; NaN for
    shared), is_dedicated (0/1), tdp_w, host_w_per_gpu [W], price_usd, overhead_pct, resale_fraction,
    staff_usd, hosting_usd_per_kw_month, pue, electricity_usd_per_kwh, embodied_kg_per_server
    x : ratio, power_fraction, grid, utilisation [-], lifetime [years], maintenance [% per year]
    """
    gpu_hours = rows["workload_gpu_hours"] / x["ratio"]
    power_w = rows["gpus_per_server"] * (rows["tdp_w"] * x["power_fraction"] + rows["host_w_per_gpu"])
    energy = gpu_hours * energy_kwh_per_gpu_hour(power_w, rows["gpus_per_server"], rows["pue"])
    dedicated = rows["is_dedicated"] > 0
    servers = np.where(dedicated, rows["servers"], 1.0)
    wall = gpu_hours / np.where(dedicated, servers * rows["gpus_per_server"], rows["gpu_count"])
    common = dict(price_usd=rows["price_usd"], overhead_pct_of_capex=rows["overhead_pct"],
                  resale_fraction=rows["resale_fraction"], maintenance_pct_per_year=x["maintenance"],
                  staff_usd_per_server_year=rows["staff_usd"], hosting_usd_per_kw_month=rows["hosting_usd_per_kw_month"],
                  power_w=power_w, gpu_count=rows["gpus_per_server"], pue=rows["pue"],
                  electricity_usd_per_kwh=rows["electricity_usd_per_kwh"])
    bought = dedicated_project_cost_usd(servers, gpu_hours, wall, **common)
    shared = gpu_hours * shared_cost_usd_per_gpu_hour(lifetime_years=x["lifetime"], utilisation=x["utilisation"],
                                                      **common)
    embodied = gpu_hours * embodied_kg_per_gpu_hour(rows["embodied_kg_per_server"], rows["gpus_per_server"],
                                                    x["lifetime"], x["utilisation"])
    return {
        "gpu_hours": gpu_hours,
        "wall_hours": wall,
        "cost_usd": np.where(dedicated, bought, shared),
        "energy_kwh": energy,
        "co2e_kg": co2e_kg(energy, x["grid"]),
        "co2e_embodied_kg": embodied,
        "spot_overhead_fraction": 0.0 * wall,
    }


def pareto_front(cost: np.ndarray, co2e: np.ndarray) -> np.ndarray:
    """True where no other row is at least as cheap and as clean and strictly better in one (ties: first).

    Sort by (cost, CO2e); a row is on the front when its CO2e is below every cheaper row's.
    """
    cost, co2e = np.asarray(cost, float), np.asarray(co2e, float)
    order = np.lexsort((co2e, cost))
    sorted_co2e = co2e[order]
    best_before = np.concatenate(([np.inf], np.minimum.accumulate(sorted_co2e)[:-1]))
    front = np.zeros(len(cost), dtype=bool)
    front[order] = sorted_co2e < best_before
    return front


def top_options(table: pd.DataFrame, sort: str = "cost", n: int | None = 10,
                include_infeasible: bool = False) -> pd.DataFrame:
    """The best ``n`` feasible rows by ``cost`` (USD), ``co2e`` (operational + embodied kg) or ``time`` (wall
    hours); ``include_infeasible`` ranks every row."""
    if sort not in SORT_KEYS:
        raise PlanError(f"sort '{sort}': not allowed; allowed: {', '.join(SORT_KEYS)}")
    if "feasible" in table and not include_infeasible:
        table = table[table["feasible"].astype(bool)]
    ordered = table.sort_values([SORT_KEYS[sort], "cost_usd"], kind="mergesort")
    return ordered if n is None else ordered.head(int(positive("top", n)))


# --- Inputs: GPUs, regions, offers ----------------------------------------------------------------------

def zone_country(zone: str) -> str | None:
    """ISO-3 country of a grid zone: ``USA``/``US-CA`` -> USA, ``CN-BJ`` -> CHN, ``SE3`` -> SWE; WORLD -> None."""
    zone = zone.upper()
    prefixes = {"US-": "USA", "CN-": "CHN", "CA-": "CAN", "SE": "SWE", "NO": "NOR", "FI": "FIN"}
    if len(zone) == 3 and zone.isalpha() and zone != "WORLD":
        return zone
    for prefix, country in prefixes.items():
        if zone.startswith(prefix):
            return country
    return None


def throughput_ratios(catalog: Catalog, workload: Workload, gpus: Iterable[str], overrides: Mapping[str, float],
                      mfu: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[Assumption], list[str]]:
    """Per option GPU: the speed-up Range over the workload's GPU (low = fastest), its assumption, skip notes.

    ``planner.throughput.ratio_table``: measured MFU of the same models, else the roofline between the peak
    and memory-bandwidth ratios, else the peak ratio; user ratios win.
    """
    return throughput.ratio_table(catalog, workload.gpu, workload.precision, gpus, overrides, mfu, workload.parameters)


def region_grid(regions: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Per cloud region: location-based intensity (central) and a low/high from its zone's other figure.

    The second figure is the grid_intensity row of the region's subdivision (US state, eGRID2023) or else
    its country (OWID/Ember, 2022-2023): a different year and source from the region's own factor.
    """
    zone = regions["subdivision"].where(regions["subdivision"].isin(grid["zone"]), regions["country_iso3"])
    other = zone.map(grid.drop_duplicates("zone").set_index("zone")["gco2e_per_kwh"])
    central = regions["grid_gco2e_per_kwh"].astype(float)
    other = other.fillna(central).astype(float)
    return pd.DataFrame({
        "provider": regions["provider"], "region": regions["region"], "location": regions["location"],
        "country": regions["country_iso3"], "grid_central": central, "grid_low": np.minimum(central, other),
        "grid_high": np.maximum(central, other), "grid_zone": zone, "cfe_pct": regions["google_cfe_pct"],
        "grid_year": regions["year"], "grid_source": regions["source"],
    })


def _validate_filter(field_name: str, values: Sequence[str] | None, allowed: Iterable[str]) -> list[str] | None:
    if values is None:
        return None
    values = [str(v) for v in values]
    allowed = sorted({str(a) for a in allowed})
    for value in values:
        if value not in allowed:
            raise unknown(field_name, value, allowed)
    return values


def _price_assumptions(offers: pd.DataFrame) -> pd.DataFrame:
    names = "price_" + offers["provider"] + "_" + offers["region"] + "_" + offers["instance_type"] + "_" + \
        offers["pricing"]
    return pd.DataFrame({"name": names, "value": offers["usd_per_hour"].astype(float), "unit": "USD/instance-hour",
                         "source": offers["source"], "as_of": offers["fetched_at"].astype(str),
                         "note": offers["gpu_count"].map("{:g} GPU(s) per instance".format)})


def _frame(assumptions: Iterable[Assumption]) -> pd.DataFrame:
    return pd.DataFrame([{c: getattr(a, c) for c in ASSUMPTION_COLUMNS} for a in assumptions],
                        columns=list(ASSUMPTION_COLUMNS))


def _join_ids(parts: Sequence[pd.Series | str], index: pd.Index) -> pd.Series:
    columns = [p.astype(str).tolist() if isinstance(p, pd.Series) else [p] * len(index) for p in parts]
    joined = [";".join(x for x in row if x) for row in zip(*columns, strict=True)]
    return pd.Series(joined, index=index, dtype=object)


# --- Cloud ---------------------------------------------------------------------------------------------

def cloud_rows(catalog: Catalog, workload: Workload, offers: pd.DataFrame, region_table: pd.DataFrame,
               spot_table: pd.DataFrame, ratios: pd.DataFrame, settings: Settings
               ) -> tuple[pd.DataFrame, dict[str, Range], pd.DataFrame]:
    """Per-offer row inputs, the uncertain inputs as Ranges, and the per-offer assumptions.

    Offers whose GPU has no ratio are dropped (the ratio frame says why).
    """
    offers = offers.merge(ratios, on="gpu", how="inner")
    offers = offers.merge(region_table.drop(columns=["location"]), on=["provider", "region"], how="left")
    if offers["grid_central"].isna().any():
        missing = offers.loc[offers["grid_central"].isna(), ["provider", "region"]].drop_duplicates()
        raise PlanError("region: no grid intensity for " + ", ".join(missing["provider"] + " " + missing["region"]))
    gpus = catalog.gpus.drop_duplicates("gpu").set_index("gpu")
    n = float(workload.gpu_count)
    per_instance = offers["gpu_count"].astype(float).to_numpy()
    instances = np.ceil(n / per_instance - 1e-9)
    host_instance = np.where(offers["vcpus"].notna(),
                             defaults.host_power_w(offers["vcpus"].astype(float).fillna(0).to_numpy(),
                                                   offers["memory_gib"].astype(float).fillna(0).to_numpy()),
                             defaults.default_host_power_per_gpu_w() * per_instance)
    pue = offers["provider"].map({p: float(a.value) for p, a in defaults.PUE.items()}).to_numpy(float)
    embodied_per_gpu = float(defaults.EMBODIED_GPU_KG.value) + float(defaults.EMBODIED_SERVER_KG.value) / float(
        defaults.CLOUD_GPUS_PER_SERVER.value)
    rows = {
        "workload_gpu_hours": np.full(len(offers), workload.gpu_hours),
        "gpu_count": np.full(len(offers), n),
        "instances": instances,
        "gpus_per_instance": per_instance,
        "billed_gpus": instances * per_instance,
        "is_spot": (offers["pricing"] == "spot").to_numpy(float),
        "term_hours": offers["pricing"].map(RESERVED_TERM_HOURS).fillna(0.0).to_numpy(float),
        "tdp_w": offers["gpu"].map(gpus["tdp_w"]).astype(float).to_numpy(),
        "host_w": host_instance * n / per_instance,
        "pue": pue,
        "embodied_kg_per_gpu_hour": np.full(len(offers), embodied_per_gpu / (
            HOURS_PER_YEAR * float(defaults.CLOUD_LIFETIME_YEARS.value) * float(defaults.CLOUD_UTILISATION.value))),
    }
    rates = spot.interruption_rates(offers, spot_table)
    price = offers["usd_per_hour"].astype(float).to_numpy()
    # Spot is stored as the cheapest zone's snapshot price; it can rise to the on-demand price (AWS's default
    # maximum price), so that is the high end. On-demand and reserved list prices are the same in every zone.
    on_demand = offers[["provider", "region", "instance_type"]].merge(
        offers.loc[offers["pricing"] == "on_demand", ["provider", "region", "instance_type", "usd_per_hour"]],
        on=["provider", "region", "instance_type"], how="left")["usd_per_hour"].to_numpy(float)
    price_high = np.where(rows["is_spot"] > 0, np.fmax(price, np.nan_to_num(on_demand, nan=price)), price)
    ranges = {
        "ratio": Range(offers["ratio_low"].to_numpy(float), offers["ratio_central"].to_numpy(float),
                       offers["ratio_high"].to_numpy(float)),
        "power_fraction": _power_fraction(settings),
        "grid": Range(offers["grid_low"].to_numpy(float), offers["grid_central"].to_numpy(float),
                      offers["grid_high"].to_numpy(float)),
        "price": Range(price, price, price_high),
        "spot_rate": (Range.fixed(np.where(rows["is_spot"] > 0, settings.spot_interruptions_per_hour, 0.0))
                      if settings.spot_interruptions_per_hour is not None else
                      Range(rates["rate_low"].to_numpy(float), rates["rate_central"].to_numpy(float),
                            rates["rate_high"].to_numpy(float))),
        "checkpoint": _fixed_or(settings.checkpoint_interval_hours, defaults.SPOT_CHECKPOINT_INTERVAL_RANGE),
        "restart": _fixed_or(settings.restart_hours, defaults.SPOT_RESTART_RANGE),
    }
    price_table = _price_assumptions(offers)
    spot_ids = ("spot_interruptions_per_hour" if settings.spot_interruptions_per_hour is not None
                else rates["rate_name"]) + ";spot_checkpoint_interval_hours;spot_restart_hours"
    spot_ids = spot_ids.where(offers["pricing"] == "spot", "") if isinstance(spot_ids, pd.Series) else \
        pd.Series(np.where(offers["pricing"] == "spot", spot_ids, ""), index=offers.index)
    host_ids = pd.Series(np.where(offers["vcpus"].notna(), "host_w_per_vcpu;host_w_per_gib",
                                  "host_w_per_vcpu;host_w_per_gib;host_vcpus_per_gpu;host_gib_per_gpu"),
                         index=offers.index)
    cfe_ids = pd.Series(np.where(offers["cfe_pct"].notna(), "google_cfe_" + offers["region"], ""), index=offers.index)
    ids = _join_ids(["pue_" + offers["provider"], "tdp_" + offers["gpu"], "gpu_power_fraction_of_tdp",
                     "gpu_power_fraction_range", host_ids, offers["ratio_name"], "throughput_ratio_spread",
                     "grid_intensity_" + offers["provider"] + "_" + offers["region"], cfe_ids, price_table["name"],
                     spot_ids, "embodied_gpu_kg;embodied_server_kg;cloud_gpus_per_server;cloud_lifetime_years;"
                     "cloud_utilisation"], offers.index)
    band_rows = offers.loc[rates["rate_name"].str.startswith("spot_band_aws_"), ["region", "instance_type"]]
    bands = spot.aws_bands(spot_table).merge(band_rows.drop_duplicates(), on=["region", "instance_type"])
    band_source = spot_table.loc[(spot_table["provider"] == "aws") & (spot_table["region"] != "all"), "source"]
    extra = pd.concat([
        price_table,
        pd.DataFrame({"name": "spot_band_aws_" + bands["region"] + "_" + bands["instance_type"], "value": bands["band"],
                      "unit": "share of Spot capacity reclaimed per month (band)",
                      "source": band_source.iloc[0] if len(band_source) else "", "as_of": bands["as_of"],
                      "note": "converted with aws_spot_band_mapping"}),
    ], ignore_index=True)
    meta = pd.DataFrame({
        "option_kind": "cloud", "provider": offers["provider"], "region": offers["region"],
        "location": offers["location"], "country": offers["country"], "instance_type": offers["instance_type"],
        "server": None, "accounting_mode": None, "pricing": offers["pricing"], "gpu": offers["gpu"],
        "throughput_ratio": offers["ratio_central"].to_numpy(float), "ratio_method": offers["ratio_method"],
        "cfe_pct": offers["cfe_pct"].to_numpy(float), "assumption_ids": ids.to_numpy(),
    })
    return pd.concat([meta, pd.DataFrame(rows)], axis=1), ranges, extra


def _power_fraction(settings: Settings) -> Range:
    if settings.gpu_power_fraction is not None:
        return Range.fixed(settings.gpu_power_fraction)
    return Range(*defaults.GPU_POWER_FRACTION_RANGE)


def _fixed_or(value: float | None, triple: tuple[float, float, float]) -> Range:
    return Range.fixed(value) if value is not None else Range(*triple)


# --- Owned ---------------------------------------------------------------------------------------------

def owned_rows(workload: Workload, options: Sequence[OwnedOption], ratios: pd.DataFrame, settings: Settings,
               modes: Sequence[str] = ACCOUNTING_MODES) -> tuple[pd.DataFrame, dict[str, Range]]:
    """Per (server, mode) row inputs and their uncertain inputs as Ranges (same order)."""
    ratio_by_gpu = ratios.set_index("gpu")
    records = []
    n = float(workload.gpu_count)
    for option in options:
        s = option.server
        if s.gpu not in ratio_by_gpu.index:
            continue
        r = ratio_by_gpu.loc[s.gpu]
        for accounting in modes:
            dedicated = accounting == "dedicated"
            servers = (np.ceil(n / s.gpu_count - 1e-9) if settings.whole_servers else n / s.gpu_count) \
                if dedicated else np.nan
            names = [f"price_{s.server}", f"tdp_{s.gpu}", "gpu_power_fraction_of_tdp", "gpu_power_fraction_range",
                     r["ratio_name"], "throughput_ratio_spread", *(a.name for a in option.assumptions),
                     "owned_utilisation_range", "owned_lifetime_range", "maintenance_pct_range"]
            records.append({
                "option_kind": "owned", "provider": OWNED, "region": option.site_zone, "location": option.site_name,
                "country": option.country, "instance_type": None, "server": s.server, "accounting_mode": accounting,
                "pricing": OWNED, "gpu": s.gpu, "gpu_count": n, "instances": servers,
                "billed_gpus": servers * s.gpu_count if dedicated else n,
                "throughput_ratio": float(r["ratio_central"]), "ratio_method": r["ratio_method"], "cfe_pct": np.nan,
                "assumption_ids": ";".join(dict.fromkeys(names)),
                "workload_gpu_hours": workload.gpu_hours, "gpus_per_server": float(s.gpu_count), "servers": servers,
                "is_dedicated": float(dedicated), "tdp_w": option.tdp_w, "host_w_per_gpu": option.host_w_per_gpu,
                "price_usd": s.price_usd, "overhead_pct": s.overhead_pct_of_capex, "resale_fraction": s.resale_fraction,
                "staff_usd": s.staff_usd_per_server_year, "hosting_usd_per_kw_month": s.hosting_usd_per_kw_month,
                "pue": s.pue, "electricity_usd_per_kwh": s.electricity_usd_per_kwh,
                "embodied_kg_per_server": s.embodied_kg,
                "ratio_low": r["ratio_low"], "ratio_central": r["ratio_central"], "ratio_high": r["ratio_high"],
                "grid_low": option.grid.low, "grid_central": option.grid.central, "grid_high": option.grid.high,
                "utilisation": s.utilisation, "lifetime": s.lifetime_years, "maintenance": s.maintenance_pct_per_year,
            })
    frame = pd.DataFrame(records)
    if frame.empty:
        return frame, {}
    util_lo, _, util_hi = defaults.OWNED_UTILISATION_RANGE
    life_lo, _, life_hi = defaults.OWNED_LIFETIME_RANGE
    maint_lo, _, maint_hi = defaults.MAINTENANCE_PCT_RANGE

    def ranged(column: str, override: float | None, low_end: float, high_end: float) -> Range:
        central = frame[column].to_numpy(float)
        if override is not None:
            return Range.fixed(central)
        return Range(np.full(len(frame), low_end), central, np.full(len(frame), high_end))

    ranges = {
        "ratio": Range(*(frame[f"ratio_{b}"].to_numpy(float) for b in BOUNDS)),
        "power_fraction": _power_fraction(settings),
        "grid": Range(*(frame[f"grid_{b}"].to_numpy(float) for b in BOUNDS)),
        # Higher utilisation and longer life lower the cost and embodied CO2e per GPU-hour: they are the low end.
        "utilisation": ranged("utilisation", settings.owned_utilisation, util_hi, util_lo),
        "lifetime": ranged("lifetime", settings.owned_lifetime_years, life_hi, life_lo),
        "maintenance": ranged("maintenance", settings.maintenance_pct_per_year, maint_lo, maint_hi),
    }
    return frame, ranges


def owned_range_assumptions() -> list[Assumption]:
    """The ranges used for owned inputs, as assumptions (sources are those of the central defaults)."""
    def note(name: str, triple: tuple[float, float, float], base: Assumption) -> Assumption:
        return Assumption(name, " / ".join(f"{v:g}" for v in triple), f"{base.unit} (low/central/high)", base.source,
                          base.as_of, base.note)
    return [note("owned_utilisation_range", defaults.OWNED_UTILISATION_RANGE, defaults.OWNED_UTILISATION),
            note("owned_lifetime_range", defaults.OWNED_LIFETIME_RANGE, defaults.OWNED_LIFETIME_YEARS),
            note("maintenance_pct_range", defaults.MAINTENANCE_PCT_RANGE, defaults.MAINTENANCE_PCT_PER_YEAR)]


# --- The whole comparison ------------------------------------------------------------------------------

def _evaluate_all(rows: pd.DataFrame, ranges: Mapping[str, Range], evaluate: object,
                  settings: Settings) -> pd.DataFrame:
    arrays = {c: rows[c].to_numpy(float) for c in rows.columns if c not in _TEXT_COLUMNS}
    out = {}
    for bound in BOUNDS:
        result = evaluate(arrays, at_bound(ranges, bound))  # type: ignore[operator]
        for name, values in result.items():
            key = name if bound == "central" else f"{name}_{bound}"
            if bound == "central" or name in RANGED:
                out[key] = np.broadcast_to(values, (len(rows),)).astype(float)
    if settings.monte_carlo:
        def run(x: dict[str, object]) -> dict[str, np.ndarray]:
            result = evaluate(arrays, x)  # type: ignore[operator]
            return {k: np.broadcast_to(result[k], np.broadcast_shapes(*(np.shape(v) for v in x.values()),
                                                                       (len(rows),))) for k in RANGED}
        stats = monte_carlo(run, ranges, settings.monte_carlo, settings.seed, settings.percentiles)
        for name, values in stats.items():
            for q, row in zip(settings.percentiles, values, strict=True):
                out[f"{name}_p{q:g}"] = row
    return pd.DataFrame(out, index=rows.index)


def compare(
    catalog: Catalog,
    workload: Workload,
    offers: pd.DataFrame,
    regions: pd.DataFrame,
    grid: pd.DataFrame,
    spot_table: pd.DataFrame,
    owned: Sequence[OwnedOption] = (),
    *,
    settings: Settings | None = None,
    providers: Sequence[str] | None = None,
    region_names: Sequence[str] | None = None,
    gpus: Sequence[str] | None = None,
    pricing: Sequence[str] | None = None,
    countries: Sequence[str] | None = None,
    max_wall_hours: float | None = None,
    modes: Sequence[str] = ACCOUNTING_MODES,
    base_assumptions: Sequence[Assumption] = (),
    feasibility_options: feasibility.Options | None = None,
) -> Comparison:
    """Every way of getting the compute for ``workload``, as a ``Comparison``.

    Filters (each validated against what the data holds; a bad value raises PlanError naming the field):
    providers (aws, gcp, azure, owned), region_names and pricing (cloud rows only), gpus (the option's GPU),
    countries (ISO-3, data residency: the cloud region's or owned site's country), max_wall_hours [h]
    (central wall time). The Pareto flag is computed on cost_usd vs co2e_total_kg of the feasible rows after
    filtering. ``feasibility_options`` (``planner.feasibility``): memory fit, deadline sizing, scaling by
    interconnect and the shipped MFU table for measured ratios; every row gets ``feasible`` and
    ``infeasible_reason``, and the table lists feasible rows first (each part sorted by cost).
    """
    options = feasibility_options or feasibility.Options()
    settings = settings or Settings()
    providers = _validate_filter("provider", providers, (*PROVIDERS, OWNED))
    pricing = _validate_filter("pricing", pricing, PRICING_MODELS)
    for m in modes:
        if m not in ACCOUNTING_MODES:
            raise PlanError(f"accounting mode '{m}': not allowed; allowed: {', '.join(ACCOUNTING_MODES)}")
    gpus = _validate_filter("gpu", gpus, catalog.gpus["gpu"])
    region_names = _validate_filter("region", region_names, offers["region"])
    known_countries = set(regions["country_iso3"].dropna()) | {o.country for o in owned if o.country}
    countries = _validate_filter("country", [c.upper() for c in countries] if countries else countries,
                                 known_countries)
    if max_wall_hours is not None:
        positive("max_wall_hours", max_wall_hours, "h")

    chosen = offers
    if providers is not None:
        chosen = chosen[chosen["provider"].isin(providers)]
        owned = owned if OWNED in providers else ()
    if region_names is not None:
        chosen = chosen[chosen["region"].isin(region_names)]
    if pricing is not None:
        chosen = chosen[chosen["pricing"].isin(pricing)]
    if gpus is not None:
        chosen = chosen[chosen["gpu"].isin(gpus)]
        owned = [o for o in owned if o.server.gpu in gpus]
    if countries is not None:
        country_of = regions.set_index(["provider", "region"])["country_iso3"]
        keys = pd.MultiIndex.from_frame(chosen[["provider", "region"]])
        chosen = chosen[country_of.reindex(keys).isin(countries).to_numpy()]
        owned = [o for o in owned if o.country in countries]
    chosen = chosen.reset_index(drop=True)

    ratio_gpus = set(chosen["gpu"]) | {o.server.gpu for o in owned}
    if options.mfu is None and catalog.mfu is not None:
        options = replace(options, mfu=catalog.mfu)
    ratios, ratio_assumptions, notes = throughput_ratios(catalog, workload, ratio_gpus, settings.throughput_ratios,
                                                         options.mfu)
    plan = _plan(catalog, workload, options, settings)
    parts, extras = [], []
    if len(chosen):
        rows, ranges, extra = cloud_rows(catalog, workload, chosen, region_grid(regions, grid), spot_table, ratios,
                                         settings)
        if len(rows):
            rows = pd.concat([rows, _interconnect(rows, options.instance_interconnect)], axis=1)
            rows, ranges = feasibility.size(rows, ranges, plan, "gpus_per_instance", "instances")
            rows, ranges = _apply_measured(rows, ranges, settings)
            parts.append(pd.concat([rows, _evaluate_all(rows, ranges, evaluate_cloud, settings)], axis=1))
        extras.append(extra)
        if options.instance_interconnect is not None:
            extras.append(feasibility.interconnect_assumptions(options.instance_interconnect))
    if owned:
        rows, ranges = owned_rows(workload, owned, ratios, settings, modes)
        if len(rows):
            rows = pd.concat([rows, _interconnect(rows, options.server_interconnect)], axis=1)
            rows, ranges = feasibility.size(rows, ranges, plan, "gpus_per_server", "servers")
            if options.server_interconnect is not None:
                extras.append(feasibility.server_interconnect_assumptions(options.server_interconnect))
            rows, ranges = _apply_measured(rows, ranges, settings)
            parts.append(pd.concat([rows, _evaluate_all(rows, ranges, evaluate_owned, settings)], axis=1))
    if not parts:
        raise PlanError("filters: no cloud offer or owned server matches; loosen providers, regions, gpus, pricing "
                        "or countries")
    table = pd.concat(parts, ignore_index=True)
    if max_wall_hours is not None:
        fastest = float(table["wall_hours"].min())
        table = table[table["wall_hours"] <= max_wall_hours]
        if table.empty:
            raise PlanError(f"max_wall_hours {max_wall_hours:g}: no option finishes in time; the fastest takes "
                            f"{fastest:,.1f} h")
    table = _finish(feasibility.flag(table, plan))
    feasibility.check_any_feasible_in_time(table, plan.deadline_hours)
    assumptions = _assumptions(catalog, workload, ratio_assumptions, extras, owned, regions, settings,
                               [*base_assumptions, *feasibility.plan_assumptions(plan), throughput.ROOFLINE])
    return Comparison(table, assumptions, tuple(workload.notes) + tuple(notes))


def _plan(catalog: Catalog, workload: Workload, options: feasibility.Options, settings: Settings
          ) -> feasibility.Plan:
    gpus = catalog.gpus.drop_duplicates("gpu").set_index("gpu")
    peak = catalog.peak_tflops(workload.precision).set_index("gpu")["tflops"]
    mfu = throughput.default_mfu(options.mfu, workload.gpu)[0] if options.mfu is not None else 0.4
    base = float(peak.get(workload.gpu, np.nan)) * 1e12 * mfu
    return feasibility.make_plan(options, workload.wall_hours, workload.gpu_count, base if base > 0 else 0.0,
                                 pd.to_numeric(gpus["memory_gb"], errors="coerce").to_dict(), settings.whole_servers)


def _interconnect(rows: pd.DataFrame, table: pd.DataFrame | None) -> pd.DataFrame:
    """Each row's fabric (rdma 0/1), network Gb/s and within-node link; without a table every row is taken
    as an RDMA cluster like the workload's own (no scaling penalty)."""
    if table is None:
        return pd.DataFrame({"fabric_rdma": 1.0, "network_gbps": np.nan, "intra": "unknown",
                             "interconnect_name": ""}, index=rows.index)
    if "server" in table.columns:
        by = table.set_index("server")
        servers = rows["server"]
        return pd.DataFrame({
            "fabric_rdma": servers.map(by["fabric"]).eq("rdma").astype(float).to_numpy(),
            "network_gbps": servers.map(by["network_gbps"]).astype(float).fillna(
                feasibility.UNKNOWN_NETWORK_GBPS).to_numpy(),
            "intra": servers.map(by["intra"]).fillna("unknown").to_numpy(),
            "interconnect_name": ("interconnect_" + servers.astype(str)).to_numpy()}, index=rows.index)
    return feasibility.interconnect_of_offers(rows, table)


def _apply_measured(rows: pd.DataFrame, ranges: dict[str, Range],
                    settings: Settings) -> tuple[pd.DataFrame, dict[str, Range]]:
    """Rows whose GPU was measured (``trainplan measure``) use the measured W per GPU, not TDP × fraction.

    The measured draw replaces ``tdp_w`` and its power fraction is fixed at 1 (no TDP-fraction range);
    the row's ``power_measured`` flag and its assumption ids say so.
    """
    rows = rows.copy()
    measured = rows["gpu"].map(dict(settings.measured_gpu_w)).to_numpy(float) if settings.measured_gpu_w else \
        np.full(len(rows), np.nan)
    has = ~np.isnan(measured)
    rows["power_measured"] = has
    if not has.any():
        return rows, ranges
    rows["tdp_w"] = np.where(has, measured, rows["tdp_w"].to_numpy(float))
    fraction_range = ranges["power_fraction"]
    ranges = {**ranges, "power_fraction": Range(*(
        np.where(has, 1.0, np.broadcast_to(np.asarray(fraction_range.at(b), float), len(rows))) for b in BOUNDS))}
    rows["assumption_ids"] = np.where(has, rows["assumption_ids"] + ";gpu_w_measured_" + rows["gpu"],
                                      rows["assumption_ids"])
    return rows, ranges


def _finish(table: pd.DataFrame) -> pd.DataFrame:
    table = table.copy()
    has_cfe = table["cfe_pct"].notna()
    table["co2e_market_kg"] = np.where(has_cfe, table["co2e_kg"] * (1.0 - table["cfe_pct"] / 100.0), np.nan)
    table["co2e_market_basis"] = np.where(has_cfe, "google hourly CFE% (market-based, incl. procurement)", "no data")
    table["co2e_total_kg"] = table["co2e_kg"] + table["co2e_embodied_kg"]
    key = ["provider", "region", "instance_type"]
    cloud = table[table["option_kind"] == "cloud"]
    for name, kind in (("on_demand_cost_usd", "on_demand"), ("spot_cost_usd", "spot")):
        side = cloud.loc[cloud["pricing"] == kind, [*key, "cost_usd"]].rename(columns={"cost_usd": name})
        table[name] = table[key].merge(side, on=key, how="left")[name].to_numpy()
    feasible = table["feasible"].to_numpy(bool)
    table["pareto"] = False
    table.loc[feasible, "pareto"] = pareto_front(table.loc[feasible, "cost_usd"].to_numpy(),
                                                 table.loc[feasible, "co2e_total_kg"].to_numpy())
    table["interconnect"] = np.where(table["fabric_rdma"] > 0, "rdma", "ethernet")
    table["interconnect"] = np.where(table["instances"].fillna(1) <= 1, table["intra"], table["interconnect"])
    table = table.sort_values(["feasible", "cost_usd", "co2e_total_kg"], ascending=[False, True, True],
                              kind="mergesort").reset_index(drop=True)
    extra = [c for c in table.columns if c not in COLUMNS and "_p" in c and c.rsplit("_p", 1)[0] in RANGED]
    return table[[*COLUMNS, *extra]]


def _assumptions(catalog: Catalog, workload: Workload, ratio_assumptions: list[Assumption],
                 extras: list[pd.DataFrame], owned: Sequence[OwnedOption], regions: pd.DataFrame, settings: Settings,
                 base: Sequence[Assumption]) -> pd.DataFrame:
    gpus = catalog.gpus.drop_duplicates("gpu")
    tdp = [Assumption(f"tdp_{g.gpu}", float(g.tdp_w), "W", str(g.source), "", str(g.name))
           for g in gpus.itertuples() if pd.notna(g.tdp_w)]
    power = defaults.GPU_POWER_FRACTION_OF_TDP
    if settings.gpu_power_fraction is not None:
        power = power.with_value(settings.gpu_power_fraction)
    checkpoint = defaults.SPOT_CHECKPOINT_INTERVAL_HOURS
    if settings.checkpoint_interval_hours is not None:
        checkpoint = checkpoint.with_value(settings.checkpoint_interval_hours)
    restart = defaults.SPOT_RESTART_HOURS
    if settings.restart_hours is not None:
        restart = restart.with_value(settings.restart_hours)
    fixed = [
        Assumption("workload_gpu_hours", workload.gpu_hours, f"GPU-h on {workload.gpu}", workload.source, "",
                   f"{workload.gpu_count:g} GPUs x {workload.hours:g} h x {workload.repeats:g} runs"),
        *base, *defaults.PUE.values(), power, defaults.GPU_POWER_FRACTION_RANGE_NOTE, *defaults.host_assumptions(),
        defaults.THROUGHPUT_RATIO_SPREAD_NOTE, defaults.CLOUD_GPUS_PER_SERVER, defaults.EMBODIED_GPU_KG,
        defaults.EMBODIED_SERVER_KG, defaults.CLOUD_LIFETIME_YEARS, defaults.CLOUD_UTILISATION,
        defaults.AWS_SPOT_BANDS, defaults.GCP_PREEMPTION, checkpoint, restart, *owned_range_assumptions(),
        *ratio_assumptions, *tdp,
    ]
    for gpu, watts in settings.measured_gpu_w.items():
        fixed.append(Assumption(f"gpu_w_measured_{gpu}", float(watts), "W per GPU", settings.measured_source or
                                "measured", "", "replaces TDP x fraction for this GPU's rows"))
    if settings.spot_interruptions_per_hour is not None:
        fixed.append(Assumption("spot_interruptions_per_hour", settings.spot_interruptions_per_hour,
                                "per instance-hour", "user input", ""))
    for option in owned:
        fixed.extend(option.assumptions)
    year = regions["year"].map(lambda y: "" if pd.isna(y) else str(int(y)))
    grid_rows = pd.DataFrame({
        "name": "grid_intensity_" + regions["provider"] + "_" + regions["region"],
        "value": regions["grid_gco2e_per_kwh"].astype(float), "unit": "gCO2e/kWh", "source": regions["source"],
        "as_of": year, "note": regions["location"] + ": location-based grid average; range from its zone's "
        "grid_intensity row (other year/source)"})
    gcp = regions[regions["google_cfe_pct"].notna()]
    cfe_rows = pd.DataFrame({"name": "google_cfe_" + gcp["region"], "value": gcp["google_cfe_pct"].astype(float),
                             "unit": "% carbon-free energy (hourly)", "source": gcp["source"],
                             "as_of": year[gcp.index], "note": "market-based CO2e = location-based x (1 - CFE)"})
    table = pd.concat([_frame(fixed), grid_rows, cfe_rows, *extras], ignore_index=True)
    return table.drop_duplicates("name", keep="first").reset_index(drop=True)
