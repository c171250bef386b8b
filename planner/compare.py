"""The comparison engine: one workload against every cloud offer and owned server, as one tidy table.

A row is one way of getting the compute: a cloud offer (provider, region, instance type, pricing) or an
owned server configuration in one accounting mode (``dedicated`` purchase or ``shared`` cluster) at one
site. Every row is computed by the same column expressions: each kind's coefficients, then one pass from them
to every output (``planner.coefficients``, through ``evaluate_cloud`` and ``evaluate_owned``; an owned row's
rates, which do not depend on the workload, are kept per bound between calls), at the low, central and high
ends of its uncertain inputs (``planner.ranges``) and, on request, over a seeded Monte Carlo.

Cloud rows
    The workload's GPU-hours move to the offer's GPU through the achieved-throughput ratio at the
    workload's precision (``planner.throughput``: measured MFU of the same models, else the roofline between
    the peak and memory-bandwidth ratios; or the user's ratio for that GPU) and the relative scaling
    efficiency of the option's interconnect (``planner.scaling``): ``H = H_w / (r · e)``. Without a
    deadline the workload's GPU count ``n`` is kept; instances are billed whole, so ``k = ⌈n / G⌉``
    instances of ``G`` GPUs are rented and ``k·G − n`` GPUs are billed but idle (their idle power is not
    counted: none is sourced). With a deadline every option is sized to the fewest whole instances that
    finish in time (``planner.feasibility``), which also marks each row ``feasible`` or gives its
    ``infeasible_reason`` (memory, deadline, scaling, no price, slow). Wall time ``t = H / n · (1 + o)`` with the spot overhead ``o`` (``planner.spot``, 0 for
    other pricing). Cost ``= k · price_per_instance_hour · max(t, term)`` (term = 8760 h or 26280 h for
    reserved 1y/3y pricing: the commitment is paid in full). Energy ``= PUE · t · (n · TDP · f + host) / 1000``
    with the host = ``defaults.host_power_w(vCPUs, GiB)`` of one instance × n / G (the default host share
    per GPU where the shape is unknown, e.g. TPUs). CO2e ``= E · I_region / 1000`` (location-based);
    market-based ``= CO2e · (1 − CFE)`` where Google publishes a carbon-free-energy share, otherwise NaN
    and labelled 'no data'.
Owned rows
    ``planner.ownership`` over the one owned-cost model (``planner.owned_cost``): *dedicated* buys ``⌈n / G⌉``
    servers (fractional with ``whole_servers=False``, as the paper's 7.25) and pays capex and its network
    share less the book value left after the project, upkeep, staff and facility over the wall time and
    electricity; wall time = H / (servers · G). *shared* pays ``H`` × the cluster's full cost per busy GPU-hour
    (capital recovery, idle hours' electricity included); wall time = H / n.
Embodied CO2e (both)
    The time-share rule (Software Carbon Intensity spec, Cloud Carbon Footprint): a row carries
    ``e = (E_gpu + E_server / G_server) / (8760 · L)`` [kg/GPU-h] for each GPU-hour it reserves (billed GPUs ×
    wall hours for cloud and dedicated purchases, the project's GPU-hours on a shared cluster).
"""


from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from planner import coefficients, defaults, feasibility, prepared, text, throughput
from planner.catalog import Catalog
from planner.defaults import Assumption
from planner.energy import kwh_per_gpu_hour
from planner.errors import PlanError, fraction, non_negative, positive, unknown
from planner.owned_cost import staff_fte
from planner.ownership import ACCOUNTING_MODES, capex_usd
from planner.prepared import (  # noqa: F401 - re-exported: the engine's public names
    ASSUMPTION_COLUMNS,
    RESERVED_TERM_HOURS,
    OwnedOption,
    PreparedCloud,
    PreparedOwned,
    region_grid,
    zone_country,
)
from planner.ranges import BOUNDS, DEFAULT_PERCENTILES, Range, at_bound, monte_carlo
from planner.text import format_distinct
from planner.workload import Workload
from pricing.schema import PRICING_MODELS, PROVIDERS

#: Option kinds and the extra provider name of owned rows (``providers=['owned']`` keeps only them).
OPTION_KINDS = ("cloud", "owned")
OWNED = "owned"
SORT_KEYS = {"cost": "cost_usd", "co2e": "co2e_total_kg", "time": "wall_hours"}
#: Ties broken as the headline picks break them (``planner.options.HEADLINE_PICKS``): the first row by each
#: sort is the cheapest, lowest-carbon or fastest card.
SORT_ORDER = {"cost": ("cost_usd", "co2e_total_kg", "wall_hours"), "co2e": ("co2e_total_kg", "cost_usd", "wall_hours"),
              "time": ("wall_hours", "cost_usd", "co2e_total_kg")}
#: Outputs that carry ``_low`` / ``_high`` (and Monte Carlo ``_pNN``) columns.
RANGED = ("cost_usd", "energy_kwh", "co2e_kg", "co2e_embodied_kg", "wall_hours")
#: Outputs with Monte Carlo percentiles (the total CO2e is drawn as a sum, not summed from percentiles).
SAMPLED = (*RANGED, "co2e_total_kg")
#: What the ranking (sort by cost, then total CO2e) and the Pareto front read: the central values (every
#: input at its central value, the default) or the Monte Carlo median.
STATISTICS = ("central", "p50")

#: Column order of the result table.
COLUMNS = (
    "option_kind", "provider", "region", "location", "country", "instance_type", "server", "accounting_mode",
    "pricing", "gpu", "gpu_count", "instances", "billed_gpus", "throughput_ratio", "spot_overhead_fraction",
    "gpu_hours", "wall_hours", "energy_kwh", "co2e_kg", "co2e_market_kg", "co2e_market_basis", "co2e_embodied_kg",
    "co2e_total_kg", "cost_usd", "on_demand_cost_usd", "spot_cost_usd", "purchase_usd", "power_measured", "pue",
    "grid_gco2e_per_kwh", *(f"{c}_{b}" for c in RANGED for b in ("low", "high")), "pareto", "feasible",
    "infeasible_reason", "ratio_method", "scaling_efficiency", "interconnect", "network_gbps", "memory_required_gb",
    "gpu_memory_gb", "assumption_ids",
)
_TEXT = ("option_kind", "provider", "region", "location", "country", "instance_type", "server", "accounting_mode",
         "pricing", "gpu", "co2e_market_basis", "assumption_ids", "central_outside_band", "infeasible_reason",
         "ratio_method", "interconnect")
_MARKET_BASIS = "google hourly CFE% (market-based, incl. procurement)"


#: ``(rows' option_kind/provider/region/country, central wall hours) -> (low, central, high)`` grid factors.
GridFactor = Callable[[Mapping[str, np.ndarray], np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


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
    statistic : what the ranking and the Pareto front read (``STATISTICS``; ``p50`` needs a Monte Carlo
    with the 50th percentile)
    Conventions of a published run, applied to every row as given (how ``estimate`` reproduces a paper):
    pue [-] (replaces every PUE), grid_gco2e_per_kwh [g/kWh] (every row's grid, no range),
    job_power_w [W] (the job's summed CPU + DRAM + GPU draw, replaces n · TDP · f + host; cloud rows),
    host_w [W] (the job's CPU + DRAM draw, replaces the instance shape's; cloud rows)
    grid_factor : when the job runs (``api.at_start``): called with the rows' option_kind, provider, region
    and country and their central wall hours, returns (low, central, high) factors on each row's grid range,
    so the ranges and the Monte Carlo carry the grid trend's spread (``planner.grid_time``)
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
    statistic: str = "central"
    pue: float | None = None
    grid_gco2e_per_kwh: float | None = None
    job_power_w: float | None = None
    host_w: float | None = None
    convention_source: str = ""
    grid_factor: GridFactor | None = None

    def __post_init__(self) -> None:
        if self.statistic not in STATISTICS:
            raise PlanError(f"statistic '{self.statistic}': not allowed; allowed: {', '.join(STATISTICS)}")
        if self.statistic == "p50" and not (self.monte_carlo and 50.0 in self.percentiles):
            raise PlanError("statistic 'p50': needs a Monte Carlo (monte_carlo > 0) reporting the 50th percentile")
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
        if self.pue is not None and self.pue < 1:
            raise PlanError(f"pue {self.pue:g}: must be >= 1")
        if self.grid_gco2e_per_kwh is not None:
            non_negative("grid_gco2e_per_kwh", self.grid_gco2e_per_kwh, "gCO2e/kWh")
        if self.job_power_w is not None:
            positive("job_power_w", self.job_power_w, "W")
        if self.host_w is not None:
            non_negative("host_w", self.host_w, "W")
        for q in self.percentiles:
            if not 0 <= q <= 100:
                raise PlanError(f"percentile {q:g}: must be in [0, 100]")


@dataclass(frozen=True)
class Comparison:
    """The result: one row per option, and every assumption any row used.

    table : see ``COLUMNS`` (plus, with a Monte Carlo, ``<output>_pNN`` for ``SAMPLED`` and
    ``central_outside_band``: the outputs whose central value lies outside the lowest-highest reported
    percentiles, ``;``-separated, '' if none): feasible rows first, each part sorted by cost then total CO2e
    at ``statistic``, index 0..n-1
    assumptions : columns name, value, unit, source, as_of, note; ``table.assumption_ids`` lists the
    names (``;``-separated) each row used
    statistic : what the ranking and the ``pareto`` flag read (``STATISTICS``)
    """

    table: pd.DataFrame
    assumptions: pd.DataFrame
    notes: tuple[str, ...] = ()
    statistic: str = "central"

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
    billed_gpus, term_hours [h], kwh_at_tdp [PUE · TDP / 1000, kWh per GPU-h],
    host_kwh_per_gpu_hour [PUE · the job's host share / n / 1000], pue [-], embodied_kg_per_gpu_hour
    [kg/GPU-h], optionally job_power_w [W, the job's summed draw where given, else NaN]
    x : ratio [-], power_fraction [-], grid [g/kWh], price [USD per instance-hour], spot_rate [1/h per
    instance; 0 off spot], checkpoint [h], restart [h], availability [-], capacity_wait [h]

    ``o = k · λ · (c/2 + r + D · (1 − A^k))`` (``planner.spot``; λ = 0 off spot);
    ``H = H_w / r · (1 + o)``, ``t = H / n``, ``cost = k · price · max(t, term)``,
    ``E = PUE · t · (n · TDP · f + host) / 1000 = H · (PUE · TDP · f + PUE · host / n) / 1000``
    (``PUE · t · P_job / 1000`` where the job's power is given), ``CO2e = E · I / 1000``, embodied
    ``= billed · t · e``: the coefficients of ``planner.coefficients`` and its one pass.
    """
    c = coefficients.cloud_coefficients(rows, x)
    out = coefficients.evaluate(rows["workload_gpu_hours"], c)
    out["spot_overhead_fraction"] = c["overhead"]
    return out


def evaluate_owned(rows: Mapping[str, np.ndarray], x: Mapping[str, object],
                   rates: Mapping[str, object] | None = None) -> dict[str, np.ndarray]:
    """Outputs of owned rows (both accounting modes) for one set of inputs ``x``, by ``planner.owned_cost``.

    rows : workload_gpu_hours, gpu_count n (the job's), gpus_per_server G, servers (dedicated; NaN for
    shared), is_dedicated (0/1), billed_gpus, tdp_w, host_w_per_gpu [W], price_usd, overhead_pct,
    resale_fraction, staff_usd (the row's staff share per server-year), hosting_usd_per_kw_month, pue,
    electricity_usd_per_kwh, embodied_kg_per_server, idle_fraction, facility_usd_per_kw_year, discount_rate,
    credit_residual (0/1)
    x : ratio, power_fraction, grid, utilisation [-], lifetime [years], maintenance [% per year]
    rates : ``coefficients.owned_rates(rows, x)`` when already computed for these rows and inputs

    ``H = H_w / r``, ``t = H / n`` (the job runs on its own n GPUs: a deadline sizes n to every GPU bought;
    without one a 1-GPU job on a bought 8-GPU server still takes its GPU-hours on one GPU). A dedicated purchase
    of S servers pays ``S · K · (1 − b) + S · opex · t / 8760 + E · price_kWh`` (``ownership.dedicated_cost_terms``);
    a shared row ``H ×`` the cluster's full cost per busy GPU-hour and its share of the idle hours' energy;
    embodied CO2e is the time share of the GPU-hours each row reserves (billed GPUs × t, or H).
    """
    if rates is None:
        rates = coefficients.owned_rates(rows, x)
    out = coefficients.evaluate(rows["workload_gpu_hours"], coefficients.owned_coefficients(rows, x, rates))
    out["spot_overhead_fraction"] = 0.0
    return out


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


def top_options(table: pd.DataFrame, sort: str = "cost", n: int | None = 10, statistic: str = "central",
                include_infeasible: bool = False) -> pd.DataFrame:
    """The best ``n`` feasible rows by ``cost`` (USD), ``co2e`` (operational + embodied kg) or ``time`` (wall
    hours); ``include_infeasible`` ranks every row.

    statistic : ``central`` (the columns themselves) or ``p50`` (their Monte Carlo medians).
    """
    if sort not in SORT_KEYS:
        raise PlanError(f"sort '{sort}': not allowed; allowed: {', '.join(SORT_KEYS)}")
    if statistic not in STATISTICS:
        raise PlanError(f"statistic '{statistic}': not allowed; allowed: {', '.join(STATISTICS)}")
    if "feasible" in table and not include_infeasible:
        table = table[table["feasible"].astype(bool)]
    keys = [SORT_KEYS[sort], *(c for c in SORT_ORDER[sort][1:] if c in table)] if statistic == "central" else \
        [f"{SORT_KEYS[sort]}_p50", "cost_usd_p50"]
    ordered = table.sort_values(keys, kind="mergesort")
    return ordered if n is None else ordered.head(int(positive("top", n)))


# --- Per-workload inputs: throughput ratios, then the rows' arrays and ranges ------------------------------

def throughput_ratios(catalog: Catalog, workload: Workload, gpus: Iterable[str], overrides: Mapping[str, float],
                      mfu: pd.DataFrame | None = None
                      ) -> tuple[dict[str, tuple[float, float, float]], list[Assumption], list[str], dict[str, str]]:
    """Per option GPU: the ratio (low, central, high) (ordered by effect: low = fastest), its assumption, skips
    and the method (user, same, measured, roofline, peak).

    ``planner.throughput.ratio_table``: measured MFU of the same models, else the roofline between the peak
    and memory-bandwidth ratios, else the peak ratio; user ratios win. The ratios are speed-ups over the
    workload's GPU: ``low`` is the *highest* speed-up (fewest hours).
    """
    key = (id(catalog), id(mfu), workload.gpu, workload.precision, workload.parameters, frozenset(gpus),
           tuple(sorted(overrides.items())))
    hit = _RATIOS.get(key)
    if hit is None or hit[0] is not catalog or hit[1] is not mfu:
        frame, assumptions, notes = throughput.ratio_table(catalog, workload.gpu, workload.precision, gpus, overrides,
                                                           mfu, workload.parameters)
        ratios = {r.gpu: (float(r.ratio_low), float(r.ratio_central), float(r.ratio_high)) for r in frame.itertuples()}
        hit = (catalog, mfu, ratios, assumptions, notes, dict(zip(frame["gpu"], frame["ratio_method"], strict=True)))
        if len(_RATIOS) > 256:
            _RATIOS.clear()
        _RATIOS[key] = hit
    _, _, ratios, assumptions, notes, methods = hit
    return dict(ratios), list(assumptions), list(notes), dict(methods)


#: ``throughput_ratios`` per (catalog, MFU table, workload GPU, precision, size, option GPUs, overrides): they
#: depend on the shipped data and those only, so a second workload on the same GPU reuses them.
_RATIOS: dict[tuple[object, ...], tuple] = {}


def _ratio_arrays(names: Sequence[str], codes: np.ndarray,
                  ratios: Mapping[str, tuple[float, float, float]]) -> np.ndarray:
    """(3, rows) ratios per row from its GPU code (NaN where the GPU has no ratio)."""
    table = np.array([ratios.get(g, (np.nan, np.nan, np.nan)) for g in names], dtype=float).reshape(-1, 3)
    return table[codes].T


def cloud_inputs(cloud: PreparedCloud, keep: np.ndarray, workload: Workload,
                 ratios: Mapping[str, tuple[float, float, float]], settings: Settings
                 ) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Range]]:
    """The kept offers' row arrays and uncertain inputs for one workload (column arithmetic only).

    keep : positions into ``cloud``; offers whose GPU has no ratio are dropped. Returns (positions kept,
    rows for ``evaluate_cloud``, Ranges). ``k = ⌈n / G⌉`` instances; host share = host of one instance · n / G.
    """
    ratio = _ratio_arrays(cloud.gpus, cloud.gpu_code[keep], ratios)
    has_ratio = ~np.isnan(ratio[1])
    keep, ratio = keep[has_ratio], ratio[:, has_ratio]
    v = {name: values[keep] for name, values in cloud.values.items()}
    n = float(workload.gpu_count)
    size = len(keep)
    instances = np.ceil(n / v["gpus_per_instance"] - 1e-9)
    rows = {
        "workload_gpu_hours": np.full(size, workload.gpu_hours),
        "gpu_count": np.full(size, n),
        "instances": instances,
        "gpus_per_instance": v["gpus_per_instance"],
        "billed_gpus": instances * v["gpus_per_instance"],
        "is_spot": v["is_spot"],
        "term_hours": v["term_hours"],
        "memory_gb": v["memory_gb"],
        "pue": v["pue"] if settings.pue is None else np.full(size, settings.pue),
        "kwh_at_tdp": v["kwh_at_tdp"],
        "host_kwh_per_gpu_hour": v["host_kwh_per_gpu_hour"],
        "embodied_kg_per_gpu_hour": v["embodied_kg_per_gpu_hour"],
    }
    if settings.pue is not None or settings.host_w is not None:  # a convention given: the energy rates again
        host_per_gpu = v["host_w_per_instance"] / v["gpus_per_instance"] if settings.host_w is None else \
            np.full(size, settings.host_w / n)
        rows["kwh_at_tdp"] = kwh_per_gpu_hour(rows["pue"], v["tdp_w"])
        rows["host_kwh_per_gpu_hour"] = kwh_per_gpu_hour(rows["pue"], host_per_gpu)
    if settings.job_power_w is not None:
        rows["job_power_w"] = np.full(size, settings.job_power_w)
    if settings.spot_interruptions_per_hour is not None:
        spot_rate = Range.fixed(np.where(v["is_spot"] > 0, settings.spot_interruptions_per_hour, 0.0))
    else:
        spot_rate = Range(v["rate_low"], v["rate_central"], v["rate_high"])
    ranges = {
        "ratio": Range(ratio[0], ratio[1], ratio[2]),
        "power_fraction": _power_fraction(settings),
        "grid": _grid(v, settings),
        "price": Range(v["price"], v["price"], v["price_high"]),
        "spot_rate": spot_rate,
        "checkpoint": _fixed_or(settings.checkpoint_interval_hours, defaults.SPOT_CHECKPOINT_INTERVAL_RANGE),
        "restart": _fixed_or(settings.restart_hours, defaults.SPOT_RESTART_RANGE),
        "availability": Range(*defaults.SPOT_AVAILABILITY_RANGE),
        "capacity_wait": Range(*defaults.SPOT_CAPACITY_WAIT_RANGE),
    }
    return keep, rows, ranges


def owned_inputs(owned: PreparedOwned, keep: np.ndarray, workload: Workload,
                 ratios: Mapping[str, tuple[float, float, float]], settings: Settings,
                 modes: Sequence[str] = ACCOUNTING_MODES) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray],
                                                                   dict[str, Range]]:
    """Per (kept option, mode) row arrays and uncertain inputs; returns (option positions, is_dedicated, rows, ranges).

    Dedicated buys ``⌈n / G⌉`` servers (``n / G`` with ``whole_servers=False``); shared holds ``n`` GPUs.
    """
    codes = {g: i for i, g in enumerate(dict.fromkeys(owned.text["gpu"]))}
    names = list(codes)
    ratio = _ratio_arrays(names, np.array([codes[g] for g in owned.text["gpu"][keep]], dtype=int), ratios)
    keep = keep[~np.isnan(ratio[1])]
    positions = np.repeat(keep, len(modes))
    dedicated = np.tile(np.array([m == "dedicated" for m in modes], dtype=float), len(keep))
    ratio = _ratio_arrays(names, np.array([codes[g] for g in owned.text["gpu"][positions]], dtype=int), ratios)
    v = {name: values[positions] for name, values in owned.values.items()}
    n = float(workload.gpu_count)
    size = len(positions)
    per_server = v["gpus_per_server"]
    wanted = np.ceil(n / per_server - 1e-9) if settings.whole_servers else n / per_server
    servers = np.where(dedicated > 0, wanted, np.nan)
    rows = {
        "workload_gpu_hours": np.full(size, workload.gpu_hours), "gpu_count": np.full(size, n),
        "gpus_per_server": per_server, "servers": servers, "is_dedicated": dedicated,
        "billed_gpus": np.where(dedicated > 0, servers * per_server, n),
        **{k: v[k] for k in ("tdp_w", "memory_gb", "host_w_per_gpu", "price_usd", "overhead_pct", "resale_fraction",
                             "hosting_usd_per_kw_month", "pue", "electricity_usd_per_kwh",
                             "embodied_kg_per_server", "idle_fraction", "facility_usd_per_kw_year", "discount_rate",
                             "credit_residual")},
        # Staff per cluster (planner.owned_cost.staff_fte): a purchase's own servers, or the shared cluster's.
        "staff_usd": np.where(dedicated > 0, v["staff_usd"] + v["staff_usd_per_fte_year"] * staff_fte(
            np.ceil(np.nan_to_num(servers, nan=1.0) - 1e-9), v["staff_fte_base"], v["staff_fte_per_server"],
            v["staff_free_servers"]) / np.maximum(np.ceil(np.nan_to_num(servers, nan=1.0) - 1e-9), 1.0),
            v["staff_usd_shared"]),
    }
    if settings.pue is not None:
        rows["pue"] = np.full(size, settings.pue)
    util_lo, _, util_hi = defaults.OWNED_UTILISATION_RANGE
    life_lo, _, life_hi = defaults.OWNED_LIFETIME_RANGE
    maint_lo, _, maint_hi = defaults.MAINTENANCE_PCT_RANGE

    def ranged(column: str, override: float | None, low_end: float, high_end: float) -> Range:
        if override is not None:
            return Range.fixed(v[column])
        return Range(np.full(size, low_end), v[column], np.full(size, high_end))

    ranges = {
        "ratio": Range(ratio[0], ratio[1], ratio[2]),
        "power_fraction": _power_fraction(settings),
        "grid": _grid(v, settings),
        # Higher utilisation and longer life lower the cost and embodied CO2e per GPU-hour: they are the low end.
        "utilisation": ranged("utilisation", settings.owned_utilisation, util_hi, util_lo),
        "lifetime": ranged("lifetime", settings.owned_lifetime_years, life_hi, life_lo),
        "maintenance": ranged("maintenance", settings.maintenance_pct_per_year, maint_lo, maint_hi),
    }
    return positions, dedicated, rows, ranges


def _grid(v: Mapping[str, np.ndarray], settings: Settings) -> Range:
    if settings.grid_gco2e_per_kwh is not None:
        return Range.fixed(np.full(len(v["grid_central"]), settings.grid_gco2e_per_kwh))
    return Range(v["grid_low"], v["grid_central"], v["grid_high"])


def _convention_ids(ids: np.ndarray, settings: Settings) -> np.ndarray:
    """A row's assumption ids with the given conventions in place of the defaults they replace."""
    if settings.pue is None and settings.grid_gco2e_per_kwh is None and settings.job_power_w is None and \
            settings.host_w is None:
        return ids
    out = []
    for joined in ids:
        names = str(joined).split(";")
        if settings.pue is not None:
            names = [("pue_given" if n.startswith("pue_") else n) for n in names]
        if settings.grid_gco2e_per_kwh is not None:
            names = [("grid_intensity_given" if n.startswith(("grid_intensity_", "google_cfe_")) else n)
                     for n in names]
        if settings.job_power_w is not None:
            names = [n for n in names if not n.startswith(("tdp_", "gpu_power_fraction", "host_"))] + ["job_power_w"]
        elif settings.host_w is not None:
            names = [n for n in names if not n.startswith("host_")] + ["host_w_given"]
        out.append(";".join(dict.fromkeys(names)))
    return np.array(out, dtype=object)


def _power_fraction(settings: Settings) -> Range:
    if settings.gpu_power_fraction is not None:
        return Range.fixed(settings.gpu_power_fraction)
    return Range(*defaults.GPU_POWER_FRACTION_RANGE)


def _fixed_or(value: float | None, triple: tuple[float, float, float]) -> Range:
    return Range.fixed(value) if value is not None else Range(*triple)


def _apply_measured(gpu: np.ndarray, rows: dict[str, np.ndarray], ranges: dict[str, Range], ids: np.ndarray,
                    settings: Settings) -> tuple[dict[str, np.ndarray], dict[str, Range], np.ndarray, np.ndarray]:
    """Rows whose GPU was measured (``trainplan measure``) use the measured W per GPU, not TDP × fraction.

    The measured draw replaces ``tdp_w`` and its power fraction is fixed at 1 (no TDP-fraction range);
    the row's ``power_measured`` flag and its assumption ids say so.
    """
    if not settings.measured_gpu_w:
        return rows, ranges, ids, np.zeros(len(gpu), dtype=bool)
    measured = pd.Series(gpu).map(dict(settings.measured_gpu_w)).to_numpy(float)
    has = ~np.isnan(measured)
    if not has.any():
        return rows, ranges, ids, has
    if "kwh_at_tdp" in rows:  # cloud rows carry their energy per GPU-hour at the draw per GPU
        rows = {**rows, "kwh_at_tdp": np.where(has, kwh_per_gpu_hour(rows["pue"], measured), rows["kwh_at_tdp"])}
    else:
        rows = {**rows, "tdp_w": np.where(has, measured, rows["tdp_w"])}
    fraction_range = ranges["power_fraction"]
    ranges = {**ranges, "power_fraction": Range(*(
        np.where(has, 1.0, np.broadcast_to(np.asarray(fraction_range.at(b), float), len(gpu))) for b in BOUNDS))}
    # a measured row's power is the measured W: its TDP and TDP-fraction ids give way to the measurement's
    ids = np.array([";".join([n for n in str(i).split(";") if not n.startswith(("tdp_", "gpu_power_fraction"))]
                             + [f"gpu_w_measured_{g}"]) if h else i for i, g, h in zip(ids, gpu, has, strict=True)],
                   dtype=object)
    return rows, ranges, ids, has


def owned_range_assumptions() -> list[Assumption]:
    """The ranges used for owned inputs, as assumptions (sources are those of the central defaults)."""
    def note(name: str, triple: tuple[float, float, float], base: Assumption) -> Assumption:
        return Assumption(name, " / ".join(f"{v:g}" for v in triple), f"{base.unit} (low/central/high)", base.source,
                          base.as_of, base.note)
    return [note("owned_utilisation_range", defaults.OWNED_UTILISATION_RANGE, defaults.OWNED_UTILISATION),
            note("owned_lifetime_range", defaults.OWNED_LIFETIME_RANGE, defaults.OWNED_LIFETIME_YEARS),
            note("maintenance_pct_range", defaults.MAINTENANCE_PCT_RANGE, defaults.MAINTENANCE_PCT_PER_YEAR)]


# --- The whole comparison ------------------------------------------------------------------------------

Evaluator = Callable[..., dict[str, np.ndarray]]
#: ``(bound, inputs at it) -> coefficients.owned_rates`` of one comparison's owned rows, kept between calls.
Rates = Callable[[str, Mapping[str, object]], Mapping[str, object]]


def _at(evaluate: Evaluator, rows: Mapping[str, np.ndarray], x: Mapping[str, object], bound: str,
        rates: Rates | None) -> dict[str, np.ndarray]:
    return evaluate(rows, x) if rates is None else evaluate(rows, x, rates(bound, x))


def _owned_rates(own: PreparedOwned, positions: np.ndarray, dedicated: np.ndarray, rows: Mapping[str, np.ndarray],
                 settings: Settings) -> Rates:
    """The owned rows' rates at a bound, computed once per (options, rows, bound, settings) and then reused:
    they depend on the servers, the site, the settings and the inputs, not on the workload
    (``coefficients.owned_rates``; the workload's own numbers are in ``owned_coefficients``)."""
    key = (positions.tobytes(), dedicated.tobytes(), settings.pue, settings.gpu_power_fraction,
           tuple(sorted(settings.measured_gpu_w.items())), settings.owned_utilisation, settings.owned_lifetime_years,
           settings.maintenance_pct_per_year)

    def at(bound: str, x: Mapping[str, object]) -> Mapping[str, object]:
        hit = own.rates.get((bound, key))
        if hit is None:
            if len(own.rates) > 64:
                own.rates.clear()
            hit = own.rates[(bound, key)] = coefficients.owned_rates(rows, x)
        return hit
    return at


def _evaluate_all(rows: Mapping[str, np.ndarray], ranges: Mapping[str, Range], evaluate: Evaluator,
                  settings: Settings, size: int, kind: str, rates: Rates | None = None) -> dict[str, np.ndarray]:
    """Every output at the low, central and high inputs and, with a Monte Carlo, its percentiles per row.

    The Monte Carlo's random streams are named by ``kind`` (``cloud``/``owned``): independent across kinds.
    rates : the owned rows' rates at each bound (the Monte Carlo computes them from each block's draws).
    """
    out = {}
    for bound in BOUNDS:
        result = _at(evaluate, rows, at_bound(ranges, bound), bound, rates)
        for name, values in result.items():
            key = name if bound == "central" else f"{name}_{bound}"
            if bound == "central" or name in RANGED:
                out[key] = np.broadcast_to(np.asarray(values, float), (size,))
    if settings.monte_carlo:
        def run(block: Mapping[str, object], x: Mapping[str, object]) -> dict[str, np.ndarray]:
            result = evaluate(block, x)  # type: ignore[arg-type]
            # wall hours first: embodied CO2e (and an on-demand cost) are multiples of it, found and scaled
            return {**{k: result[k] for k in ("wall_hours", *RANGED)},
                    "co2e_total_kg": result["co2e_kg"] + result["co2e_embodied_kg"]}
        stats = monte_carlo(run, rows, ranges, size, settings.monte_carlo, settings.seed, settings.percentiles,
                            stream=kind)
        for name, values in stats.items():
            for q, row in zip(settings.percentiles, values, strict=True):
                out[f"{name}_p{q:g}"] = row
    return out


def _timed_grid(ranges: dict[str, Range], rows: Mapping[str, np.ndarray], evaluate: Evaluator, settings: Settings,
                where: Mapping[str, np.ndarray], rates: Rates | None = None) -> dict[str, Range]:
    """The grid range times ``settings.grid_factor`` over each row's central wall-clock (unchanged without one)."""
    if settings.grid_factor is None:
        return ranges
    wall = np.asarray(_at(evaluate, rows, at_bound(ranges, "central"), "central", rates)["wall_hours"], float)
    low, central, high = settings.grid_factor(where, np.broadcast_to(wall, (len(where["region"]),)))
    grid = ranges["grid"]
    return {**ranges, "grid": Range(np.asarray(grid.low, float) * np.minimum(low, central),
                                    np.asarray(grid.central, float) * central,
                                    np.asarray(grid.high, float) * np.maximum(high, central))}


def _isin(values: np.ndarray, allowed: Sequence[str]) -> np.ndarray:
    return np.isin(values.astype(str), np.asarray(list(allowed), dtype=str))


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
    (central wall time). ``feasibility_options`` (``planner.feasibility``): memory fit, deadline sizing,
    scaling by interconnect and the MFU table for measured ratios; every row gets ``feasible`` and
    ``infeasible_reason``. The Pareto flag is computed on cost_usd vs co2e_total_kg of the feasible rows after
    filtering.
    What depends only on the offers, the shipped data and the owned options is prepared once
    (``planner.prepared``; pass the same objects again to reuse it); this pass is column arithmetic.
    """
    settings = settings or Settings()
    options = feasibility_options or feasibility.Options()
    if options.mfu is None and catalog.mfu is not None:
        options = replace(options, mfu=catalog.mfu)
    cloud = prepared.cloud_for(catalog, offers, regions, grid, spot_table)
    own = prepared.owned_for(owned if isinstance(owned, tuple) else tuple(owned)) if len(owned) else None
    providers = _validate_filter("provider", providers, (*PROVIDERS, OWNED))
    pricing = _validate_filter("pricing", pricing, PRICING_MODELS)
    for m in modes:
        if m not in ACCOUNTING_MODES:
            raise PlanError(f"accounting mode '{m}': not allowed; allowed: {', '.join(ACCOUNTING_MODES)}")
    gpus = _validate_filter("gpu", gpus, catalog.gpus["gpu"])
    region_names = _validate_filter("region", region_names, cloud.regions)
    known_countries = set(cloud.countries) | {o.country for o in owned if o.country}
    countries = _validate_filter("country", [c.upper() for c in countries] if countries else countries,
                                 known_countries)
    if max_wall_hours is not None:
        positive("max_wall_hours", max_wall_hours, "h")

    mask = np.ones(cloud.size, dtype=bool)
    owned_mask = np.ones(len(owned), dtype=bool)
    if providers is not None:
        mask &= _isin(cloud.text["provider"], providers)
        owned_mask &= OWNED in providers
    if region_names is not None:
        mask &= _isin(cloud.text["region"], region_names)
    if pricing is not None:
        mask &= _isin(cloud.text["pricing"], pricing)
    if gpus is not None:
        mask &= _isin(cloud.text["gpu"], gpus)
        if own is not None:
            owned_mask &= _isin(own.text["gpu"], gpus)
    if countries is not None:
        country = np.array([cloud.country_of.get((p, r)) for p, r in zip(cloud.text["provider"], cloud.text["region"],
                                                                            strict=True)], dtype=object)
        mask &= _isin(country, countries)
        if own is not None:
            owned_mask &= _isin(own.text["country"], countries)
    keep = np.flatnonzero(mask)
    owned_keep = np.flatnonzero(owned_mask) if own is not None else np.zeros(0, dtype=int)

    ratio_gpus = {cloud.gpus[c] for c in np.unique(cloud.gpu_code[keep])}
    if own is not None:
        ratio_gpus |= set(own.text["gpu"][owned_keep])
    ratios, ratio_assumptions, notes, methods = throughput_ratios(catalog, workload, ratio_gpus,
                                                                  settings.throughput_ratios, options.mfu)
    plan = _plan(catalog, workload, options, settings)

    parts: list[dict[str, np.ndarray]] = []
    cloud_positions = np.zeros(0, dtype=int)
    if len(keep):
        cloud_positions, rows, ranges = cloud_inputs(cloud, keep, workload, ratios, settings)
        if len(cloud_positions):
            ids = (cloud.ids_spot_given if settings.spot_interruptions_per_hour is not None else cloud.ids)[
                cloud_positions]
            gpu = cloud.text["gpu"][cloud_positions]
            link = _cloud_interconnect(cloud.text["provider"][cloud_positions],
                                       cloud.text["instance_type"][cloud_positions], options.instance_interconnect)
            rows, ranges, fit = feasibility.size(rows, ranges, plan, gpu, link, "gpus_per_instance", "instances")
            ids = _convention_ids(ids + fit["ids"], settings)
            rows, ranges, ids, measured = _apply_measured(gpu, rows, ranges, ids, settings)
            ranges = _timed_grid(ranges, rows, evaluate_cloud, settings, {
                "option_kind": np.full(len(cloud_positions), "cloud", dtype=object),
                **{c: cloud.text[c][cloud_positions] for c in ("provider", "region", "country")}})
            size = len(cloud_positions)
            out = _evaluate_all(rows, ranges, evaluate_cloud, settings, size, "cloud")
            cfe = cloud.values["cfe_pct"][cloud_positions]
            parts.append({
                "option_kind": np.full(size, "cloud", dtype=object),
                **{c: cloud.text[c][cloud_positions] for c in ("provider", "region", "location", "country",
                                                               "instance_type", "pricing", "gpu")},
                "server": np.full(size, None, dtype=object), "accounting_mode": np.full(size, None, dtype=object),
                "gpu_count": rows["gpu_count"], "instances": rows["instances"], "billed_gpus": rows["billed_gpus"],
                "throughput_ratio": np.asarray(ranges["ratio"].central, float), "cfe_pct": cfe,
                "purchase_usd": np.full(size, np.nan),
                "power_measured": measured, "assumption_ids": ids, "_position": cloud_positions, "pue": rows["pue"],
                "grid_gco2e_per_kwh": np.broadcast_to(np.asarray(ranges["grid"].central, float), (size,)), **out,
                **_fit_columns(fit, gpu, methods),
            })
    if own is not None and len(owned_keep):
        positions, dedicated, rows, ranges = owned_inputs(own, owned_keep, workload, ratios, settings, modes)
        if len(positions):
            size = len(positions)
            gpu = own.text["gpu"][positions]
            link = _server_interconnect(own.text["server"][positions], options.server_interconnect)
            rows, ranges, fit = feasibility.size(rows, ranges, plan, gpu, link, "gpus_per_server", "servers")
            ids = _convention_ids(own.ids[positions] + fit["ids"],
                                  Settings(pue=settings.pue, grid_gco2e_per_kwh=settings.grid_gco2e_per_kwh))
            rows, ranges, ids, measured = _apply_measured(gpu, rows, ranges, ids, settings)
            rates = _owned_rates(own, positions, dedicated, rows, settings)
            ranges = _timed_grid(ranges, rows, evaluate_owned, settings, {
                "option_kind": np.full(size, "owned", dtype=object), "provider": np.full(size, OWNED, dtype=object),
                **{c: own.text[c][positions] for c in ("region", "country")}}, rates)
            out = _evaluate_all(rows, ranges, evaluate_owned, settings, size, "owned", rates)
            parts.append({
                "option_kind": np.full(size, "owned", dtype=object), "provider": np.full(size, OWNED, dtype=object),
                "region": own.text["region"][positions], "location": own.text["location"][positions],
                "country": own.text["country"][positions], "instance_type": np.full(size, None, dtype=object),
                "server": own.text["server"][positions],
                "accounting_mode": np.where(dedicated > 0, "dedicated", "shared").astype(object),
                "pricing": np.full(size, OWNED, dtype=object), "gpu": gpu, "gpu_count": rows["gpu_count"],
                "instances": rows["servers"], "billed_gpus": rows["billed_gpus"],
                "throughput_ratio": np.asarray(ranges["ratio"].central, float), "cfe_pct": np.full(size, np.nan),
                # what a dedicated purchase pays up front (its cost_usd credits the value kept after the project)
                "purchase_usd": np.where(dedicated > 0, rows["servers"] * capex_usd(rows["price_usd"],
                                                                                    rows["overhead_pct"]), np.nan),
                "power_measured": measured, "assumption_ids": ids, "_position": np.full(size, -1), "pue": rows["pue"],
                "grid_gco2e_per_kwh": np.broadcast_to(np.asarray(ranges["grid"].central, float), (size,)), **out,
                **_fit_columns(fit, gpu, methods),
            })
    if not parts:
        raise PlanError("filters: no cloud offer or owned server matches; loosen providers, regions, gpus, pricing "
                        "or countries")
    columns = {name: np.concatenate([np.asarray(p[name]) for p in parts]) for name in parts[0]}
    if max_wall_hours is not None:
        fits = columns["wall_hours"] <= max_wall_hours
        if not fits.any():
            raise PlanError(f"max_wall_hours {max_wall_hours:g}: no option finishes in time; the fastest takes "
                            f"{float(columns['wall_hours'].min()):,.1f} h")
        columns = {name: values[fits] for name, values in columns.items()}
        cloud_positions = cloud_positions[np.isin(cloud_positions, columns["_position"])]
    columns.update(feasibility.flag(columns, plan))
    table = _finish(columns, cloud, settings)
    feasibility.check_any_feasible_in_time(table, plan.deadline_hours)
    extra = [feasibility.plan_frame(plan, options)]
    assumptions = _assumptions(cloud, cloud_positions, workload, ratio_assumptions,
                               [o for o, k in zip(owned, owned_mask, strict=True) if k] if own is not None else [],
                               settings, base_assumptions, extra)
    return Comparison(table, assumptions, (*workload.notes, *notes, _statistic_note(settings)), settings.statistic)


def _statistic_note(settings: Settings) -> str:
    if settings.statistic == "p50":
        return ("ranked by the Monte Carlo median cost (then median total CO2e); the Pareto front is on the "
                "median cost vs median total CO2e")
    return ("ranked by central cost (then central total CO2e), every input at its central value; the Pareto front "
            "is on central cost vs central total CO2e" + (
                "; central values are modes, so a skewed input (spot price up to on demand) can put them outside "
                "the percentiles: see central_outside_band" if settings.monte_carlo else ""))


def job_row(gpu_hours: float, gpu_count: float, pue: float, grid_gco2e_per_kwh: float, *, tdp_w: float = 0.0,
            host_w: float = 0.0, job_power_w: float | None = None, usd_per_gpu_hour: float = float("nan"),
            power_fraction: Range | None = None) -> dict[str, float]:
    """One job on its own GPUs, billed per GPU-hour if priced, by ``evaluate_cloud`` (the engine's formulas).

    ``n`` GPUs as ``n`` one-GPU units (no whole instances, no spot), the given PUE and grid; power
    ``n · TDP · f + host`` or the job's summed ``job_power_w``; ``cost = n · price · t``. Returns the central,
    ``_low`` and ``_high`` outputs (``RANGED``) and the central ``gpu_hours``.
    """
    rows = {
        "workload_gpu_hours": np.array([float(gpu_hours)]), "gpu_count": np.array([float(gpu_count)]),
        "instances": np.array([float(gpu_count)]), "gpus_per_instance": np.array([1.0]),
        "billed_gpus": np.array([float(gpu_count)]), "is_spot": np.array([0.0]), "term_hours": np.array([0.0]),
        "kwh_at_tdp": np.array([kwh_per_gpu_hour(float(pue), float(tdp_w))]),
        "host_kwh_per_gpu_hour": np.array([kwh_per_gpu_hour(float(pue), float(host_w) / float(gpu_count))]),
        "pue": np.array([float(pue)]), "embodied_kg_per_gpu_hour": np.array([0.0]),
    }
    if job_power_w is not None:
        rows["job_power_w"] = np.array([float(job_power_w)])
    ranges = {"ratio": Range.fixed(1.0), "power_fraction": power_fraction or Range.fixed(1.0),
              "grid": Range.fixed(float(grid_gco2e_per_kwh)), "price": Range.fixed(float(usd_per_gpu_hour)),
              "spot_rate": Range.fixed(0.0), "checkpoint": Range.fixed(0.0), "restart": Range.fixed(0.0),
              "availability": Range.fixed(1.0), "capacity_wait": Range.fixed(0.0)}
    out: dict[str, float] = {}
    for bound in BOUNDS:
        for name, values in evaluate_cloud(rows, at_bound(ranges, bound)).items():
            if bound == "central" or name in RANGED:
                out[name if bound == "central" else f"{name}_{bound}"] = float(np.asarray(values).reshape(-1)[0])
    return out


def site_row(catalog: Catalog, workload: Workload, pue: float, grid_gco2e_per_kwh: float,
             settings: Settings | None = None) -> dict[str, float]:
    """The workload on its own GPUs in a room of one's own (no offer, no price): ``job_row`` with the engine's rules.

    The default host share per GPU (or ``settings.host_w``), TDP × the power fraction range (or the measured W,
    or ``settings.job_power_w``), the given PUE and grid. Cost NaN.
    """
    settings = settings or Settings()
    gpu = catalog.gpu(workload.gpu)
    n = float(workload.gpu_count)
    measured = settings.measured_gpu_w.get(workload.gpu)
    return job_row(workload.gpu_hours, n, pue, grid_gco2e_per_kwh,
                   tdp_w=gpu.tdp_w if measured is None else float(measured),
                   host_w=defaults.default_host_power_per_gpu_w() * n if settings.host_w is None else settings.host_w,
                   job_power_w=settings.job_power_w,
                   power_fraction=Range.fixed(1.0) if measured is not None else _power_fraction(settings))


def _finish(columns: dict[str, np.ndarray], cloud: PreparedCloud, settings: Settings) -> pd.DataFrame:
    """Derived columns (market-based and total CO2e, sibling costs, Pareto, band flags), sorted for ranking."""
    cfe = columns.pop("cfe_pct")
    position = columns.pop("_position")
    has_cfe = ~np.isnan(cfe)
    columns["co2e_market_kg"] = np.where(has_cfe, columns["co2e_kg"] * (1.0 - cfe / 100.0), np.nan)
    columns["co2e_market_basis"] = np.where(has_cfe, _MARKET_BASIS, "no data").astype(object)
    columns["co2e_total_kg"] = columns["co2e_kg"] + columns["co2e_embodied_kg"]
    local = np.full(cloud.size + 1, -1)  # prepared position -> row here (-1: not in the table); index -1 stays -1
    is_cloud = position >= 0
    local[position[is_cloud]] = np.flatnonzero(is_cloud)
    for name, sibling in (("on_demand_cost_usd", cloud.on_demand_row), ("spot_cost_usd", cloud.spot_row)):
        row = np.where(is_cloud, local[np.where(is_cloud, sibling[np.maximum(position, 0)], -1)], -1)
        columns[name] = np.where(row >= 0, columns["cost_usd"][np.maximum(row, 0)], np.nan)
    cost, co2e = ("cost_usd", "co2e_total_kg") if settings.statistic == "central" else (
        "cost_usd_p50", "co2e_total_kg_p50")
    feasible = columns["feasible"].astype(bool)
    pareto = np.zeros(len(feasible), dtype=bool)
    pareto[feasible] = pareto_front(columns[cost][feasible], columns[co2e][feasible])
    columns["pareto"] = pareto
    columns.pop("sizing_reason", None)
    order = np.lexsort((columns[co2e], columns[cost], ~feasible))
    extra = [c for c in columns if c not in COLUMNS and "_p" in c and c.rsplit("_p", 1)[0] in SAMPLED]
    if settings.monte_carlo:
        low_q, high_q = f"{min(settings.percentiles):g}", f"{max(settings.percentiles):g}"
        outside = [(columns[o] < columns[f"{o}_p{low_q}"] * (1 - 1e-9))
                   | (columns[o] > columns[f"{o}_p{high_q}"] * (1 + 1e-9)) for o in SAMPLED]
        columns["central_outside_band"] = format_distinct(
            lambda *flags: ";".join(o for o, f in zip(SAMPLED, flags, strict=True) if f), *outside)
        extra.append("central_outside_band")
    # Text without a Python step per row (pandas' own conversion of 190,000 strings costs more than the
    # arithmetic): a cloud row's offer text is its prepared offer's (``prepared.CLOUD_TEXT``, converted to
    # Arrow once per snapshot), the few owned rows' are converted here; other text in one Arrow pass.
    owned_rows = np.flatnonzero(~is_cloud)
    source_row = np.where(is_cloud, position, cloud.size)
    source_row[owned_rows] = cloud.size + np.arange(len(owned_rows))
    source_row = source_row[order]
    offer_text = prepared.arrow_text(cloud)
    data = {}
    for name in (*COLUMNS, *extra):
        values = np.asarray(columns[name])
        if name in offer_text:
            data[name] = text.str_take(pa.concat_arrays([offer_text[name], text.arrow_strings(values[owned_rows])]),
                                       source_row)
        elif name in _TEXT:
            data[name] = text.str_array(values[order])
        else:
            data[name] = values[order]
    return pd.DataFrame(data)


def _plan(catalog: Catalog, workload: Workload, options: feasibility.Options, settings: Settings
          ) -> feasibility.Plan:
    """The feasibility plan of one workload: its wall-clock, GPUs and achieved FLOP/s per GPU (peak x default
    MFU, for the Ethernet scaling rule)."""
    base = throughput.achieved_flops_per_gpu(catalog, options.mfu, workload.gpu, workload.precision)
    return feasibility.make_plan(options, workload.wall_hours, workload.gpu_count, base, settings.whole_servers,
                                 throughput.gpu_memory_gb(catalog))


def _cloud_interconnect(providers: np.ndarray, types: np.ndarray, table: pd.DataFrame | None
                        ) -> dict[str, np.ndarray]:
    """Each offer's fabric (rdma 0/1), network Gb/s, link within an instance and rule name; without a table
    every row is taken as an RDMA cluster like the workload's own (no scaling penalty)."""
    if table is None:
        return feasibility.no_interconnect(len(types))
    return feasibility.interconnect_of_offers(providers, types, table)


def _server_interconnect(servers: np.ndarray, table: pd.DataFrame | None) -> dict[str, np.ndarray]:
    if table is None:
        return feasibility.no_interconnect(len(servers))
    return feasibility.interconnect_of_servers(servers, table)


def _fit_columns(fit: dict[str, np.ndarray], gpu: np.ndarray, methods: Mapping[str, str]) -> dict[str, np.ndarray]:
    return {"ratio_method": format_distinct(lambda g: methods.get(g, ""), np.asarray(gpu, dtype=object)),
            **{k: fit[k] for k in ("scaling_efficiency", "interconnect", "network_gbps", "memory_required_gb",
                                   "gpu_memory_gb", "sizing_reason")}}


def _validate_filter(field_name: str, values: Sequence[str] | None, allowed: Iterable[str]) -> list[str] | None:
    if values is None:
        return None
    values = [str(v) for v in values]
    allowed = sorted({str(a) for a in allowed})
    for value in values:
        if value not in allowed:
            raise unknown(field_name, value, allowed)
    return values


def _assumptions(cloud: PreparedCloud, positions: np.ndarray, workload: Workload,
                 ratio_assumptions: list[Assumption], owned: Sequence[OwnedOption], settings: Settings,
                 base: Sequence[Assumption], extra: Sequence[pd.DataFrame] = ()) -> pd.DataFrame:
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
        defaults.EMBODIED_SERVER_KG, defaults.EMBODIED_HOST_BASE_KG, defaults.EMBODIED_DRAM_KG_PER_GB, defaults.CLOUD_LIFETIME_YEARS,
        defaults.AWS_SPOT_BANDS, defaults.GCP_PREEMPTION, checkpoint, restart, defaults.SPOT_INSTANCE_AVAILABILITY,
        defaults.SPOT_CAPACITY_WAIT_HOURS, *owned_range_assumptions(),
        *ratio_assumptions,
    ]
    tail = []
    for gpu, watts in settings.measured_gpu_w.items():
        tail.append(Assumption(f"gpu_w_measured_{gpu}", float(watts), "W per GPU", settings.measured_source or
                                "measured", "", "replaces TDP x fraction for this GPU's rows"))
    for name, value, unit in (("pue_given", settings.pue, "-"),
                              ("grid_intensity_given", settings.grid_gco2e_per_kwh, "gCO2e/kWh"),
                              ("job_power_w", settings.job_power_w, "W (CPU + DRAM + GPUs of the job)"),
                              ("host_w_given", settings.host_w, "W (CPU + DRAM of the job)")):
        if value is not None:
            tail.append(Assumption(name, float(value), unit, settings.convention_source or "given", "",
                                   "a convention applied to every row as given"))
    if settings.spot_interruptions_per_hour is not None:
        tail.append(Assumption("spot_interruptions_per_hour", settings.spot_interruptions_per_hour,
                                "per instance-hour", "user input", ""))
    for option in owned:
        tail.extend(option.assumptions)
    tdp, snapshot = prepared.snapshot_assumptions(cloud, positions)
    return prepared.first_by_name([fixed, tdp, tail, snapshot, *extra])
