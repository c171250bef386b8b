"""Hybrid plans: how many servers to own and what to burst to cloud, from keyword arguments or a plan file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from planner import defaults, demand, hybrid, procurement
from planner import spot as spot_model
from planner.api.owned import owned_server
from planner.api.plans import BASIS_KEYS, PLAN_KEYS, _cloud_options, _keys, procurement_demand
from planner.defaults import Assumption
from planner.errors import PlanError, non_negative
from planner.fields import checked
from planner.ownership import OwnedServer
from planner.plan_file import check_plan_types
from planner.shipped import load

HYBRID_KEYS = ("demand_gpu_hours_by_month", "seasonality", "on_demand", "spot", "spot_share", "commitment",
               "commitment_gpus", "availability", "utilisation_cap", "max_wait_hours", "capex_budget_usd",
               "min_on_premises_share", "carbon_price_usd_per_t")
#: Procurement plan keys a hybrid plan does not use (the procurement model's own outputs), said in its notes.
UNUSED_PLAN_KEYS = ("peak_month_factor", "job_length_cv", "monte_carlo", "seed", "start_year", "grid_basis")


def _effective(table: pd.DataFrame) -> pd.Series:
    return procurement.effective_usd_per_gpu_hour(table["usd_per_gpu_hour"], table["throughput_ratio"],
                                                  table["overhead_fraction"])


def _pick(cloud: pd.DataFrame, field: str, name: str | None, pricings: tuple[str, ...]) -> hybrid.CloudChoice:
    """The named cloud option, or the cheapest priced one of the given pricing models (per server GPU-hour)."""
    priced = cloud[cloud["usd_per_gpu_hour"].notna()]
    if name is not None:
        hit = priced[priced["option"] == name]
        if hit.empty:
            raise PlanError(f"hybrid {field} '{name}': not a priced cloud option of the plan; priced: "
                            f"{', '.join(priced['option']) or 'none'}")
        return hybrid.CloudChoice.from_row(hit.iloc[0])
    of_kind = priced[priced["pricing"].isin(pricings)]
    if of_kind.empty:
        raise PlanError(f"hybrid {field}: no priced {'/'.join(pricings)} cloud option in the plan; add a [[clouds]] "
                        "entry with one (or a usd_per_gpu_hour quote)")
    return hybrid.CloudChoice.from_row(of_kind.loc[_effective(of_kind).idxmin()])


def _monthly_demand(server: OwnedServer, years: int | None, *, demand_gpu_hours: object, growth: float,
                    demand_gpu: str | None, precision: str | None, portfolio: Sequence[Mapping[str, object]] | None,
                    by_month: Sequence[float] | None,
                    seasonality: Sequence[float] | None) -> tuple[np.ndarray, tuple[str, ...], Assumption]:
    """GPU-hours per month on the server's GPU: a month list as given, or yearly totals × the profile."""
    profile = defaults.SEASONALITY if seasonality is None else defaults.SEASONALITY.with_value(
        ", ".join(f"{w:g}" for w in demand.seasonality_profile(seasonality) * demand.MONTHS_PER_YEAR))
    if by_month is not None:
        if demand_gpu_hours is not None or portfolio:
            raise PlanError("demand: give demand_gpu_hours_by_month or demand_gpu_hours/portfolio, not both")
        months = demand.validated_months(by_month)
        notes: tuple[str, ...] = ()
        catalog = load().catalog
        source = catalog.gpu(demand_gpu or server.gpu).gpu
        if source != server.gpu:
            ratio, note = catalog.throughput_ratio(source, server.gpu, precision or str(defaults.DEFAULT_PRECISION.value))
            months, notes = months / ratio, (f"demand moved from {source} to {server.gpu}: {note}",)
        return months, notes, Assumption("seasonality", "as given by month", "", "user input", "")
    if years is None:
        years = len(demand_gpu_hours) if isinstance(demand_gpu_hours, list | tuple) else \
            int(defaults.PROCUREMENT_HORIZON_YEARS.value)
    yearly, notes = procurement_demand(server.gpu, procurement.horizon(years), demand_gpu_hours=demand_gpu_hours,
                                       growth=growth, demand_gpu=demand_gpu, precision=precision, portfolio=portfolio)
    return demand.monthly_from_yearly(yearly, seasonality), notes, profile


def _variations(server: OwnedServer, owned: hybrid.OwnedCosts, overflow: hybrid.Overflow, policy: hybrid.Policy,
                spot_overhead: float) -> list[hybrid.Variation]:
    """The tornado's inputs: the procurement tornado's sourced ranges (``procurement.default_ranges``) that a
    hybrid plan has, plus availability, the utilisation cap, spot's share and its overhead."""
    def on_server(field: str, factor: bool = False):
        def apply(value: float):
            varied = replace(server, **{field: getattr(server, field) * value if factor else value})
            return hybrid.owned_costs(varied, owned.availability), overflow, policy
        return apply

    def idle(value: float):
        return hybrid.owned_costs(replace(server, idle_power_w=value * server.power_w), owned.availability), \
            overflow, policy

    def cloud_price(value: float):
        def scaled(choice: hybrid.CloudChoice | None) -> hybrid.CloudChoice | None:
            return None if choice is None else replace(choice, usd_per_gpu_hour=choice.usd_per_gpu_hour * value)
        return owned, replace(overflow, on_demand=scaled(overflow.on_demand), spot=scaled(overflow.spot),
                              commitment=scaled(overflow.commitment)), policy

    def on_policy(field: str):
        return lambda value: (owned, overflow, replace(policy, **{field: value}))

    appliers = {
        "cloud_price": cloud_price,
        "cloud_price_trend_pct_per_year": on_policy("cloud_price_trend_pct_per_year"),
        "overhead_pct_of_capex": on_server("overhead_pct_of_capex"),
        "idle_power_fraction": idle,
        "pue": on_server("pue"),
        "electricity_usd_per_kwh": on_server("electricity_usd_per_kwh"),
        "lifetime_years": on_server("lifetime_years"),
        "maintenance_pct_per_year": on_server("maintenance_pct_per_year"),
        "price_usd": on_server("price_usd", factor=True),
    }
    centrals = {"cloud_price": 1.0, "price_usd": 1.0, "cloud_price_trend_pct_per_year": policy.cloud_price_trend_pct_per_year,
                "idle_power_fraction": server.idle_power_w / server.power_w, "discount_rate": policy.discount_rate,
                "fa_rate": overflow.fa_rate}
    if policy.basis == "npv":
        appliers["discount_rate"] = on_policy("discount_rate")
    if policy.view == "grant":
        appliers["fa_rate"] = lambda value: (owned, replace(overflow, fa_rate=value), policy)
    out = [hybrid.Variation(r.name, r.unit, centrals.get(r.name, getattr(server, r.name, 0.0)), r.low, r.high, r.source,
                            appliers[r.name])
           for r in procurement.default_ranges() if r.name in appliers]
    out.append(hybrid.Variation("availability", "fraction", owned.availability, defaults.OWNED_AVAILABILITY_RANGE[0],
                                defaults.OWNED_AVAILABILITY_RANGE[2], defaults.OWNED_AVAILABILITY.source,
                                lambda v: (replace(owned, availability=v), overflow, policy)))
    if policy.max_wait_hours is None:
        out.append(hybrid.Variation("utilisation_cap", "fraction", policy.utilisation_cap,
                                    defaults.OWNED_UTILISATION_RANGE[0], defaults.OWNED_UTILISATION_RANGE[2],
                                    defaults.OWNED_UTILISATION.source,
                                    lambda v: (owned, overflow, replace(policy, utilisation_cap=v))))
    if overflow.spot is not None and overflow.spot_share > 0:
        spot = overflow.spot

        def on_spot(value: float):
            return owned, replace(overflow, spot=replace(spot, overhead_fraction=value)), policy
        out.append(hybrid.Variation(
            "spot_share", "fraction of the overflow", overflow.spot_share, 0.0, 1.0,
            "logical bounds, not a sourced range: no spot capacity (all on-demand) to all of the overflow on spot",
            lambda v: (owned, replace(overflow, spot_share=v), policy)))
        out.append(hybrid.Variation("spot_overhead_fraction", "fraction of GPU-hours", spot_overhead, 0.0,
                                    spot_overhead * float(spot_model.high_to_central(1.0)),  # a server-sized job: one instance
                                    "planner.spot: 0 (never interrupted) to every spot input at its high end", on_spot))
    return out


@checked
def hybrid_plan(
    server: str,
    *,
    horizon_years: float | None = None,
    demand_gpu_hours: object = None,
    growth: float = 0.0,
    demand_gpu: str | None = None,
    precision: str | None = None,
    portfolio: Sequence[Mapping[str, object]] | None = None,
    demand_gpu_hours_by_month: Sequence[float] | None = None,
    seasonality: Sequence[float] | None = None,
    clouds: Sequence[Mapping[str, object]] = (),
    on_demand: str | None = None,
    spot: str | None = None,
    spot_share: float = 0.0,
    commitment: str | None = None,
    commitment_gpus: float = 0.0,
    spot_overhead_fraction: float | None = None,
    availability: float | None = None,
    utilisation_cap: float | None = None,
    target_utilisation: float | None = None,
    max_wait_hours: float | None = None,
    mean_job_hours: float | None = None,
    job_gpus: float | None = None,
    capex_budget_usd: float | None = None,
    min_on_premises_share: float = 0.0,
    carbon_price_usd_per_t: float | None = None,
    basis: Mapping[str, object] | None = None,
    site: Mapping[str, object] | None = None,
    owned: Mapping[str, object] | None = None,
    whole_servers: bool = True,
) -> hybrid.HybridPlan:
    """Own part of the demand and burst the rest: every fleet size from 0 to all-owned, month by month.

    server, site, owned, clouds, demand_gpu_hours, growth, portfolio, mean_job_hours, job_gpus : as
    ``procurement_plan``. demand_gpu_hours_by_month : a month list instead of yearly totals; seasonality :
    12 weights spreading each year (default flat, ``defaults.SEASONALITY``).
    on_demand / spot / commitment : option names from ``clouds`` (default: the cheapest priced of that kind;
    spot only with spot_share > 0, a commitment only with commitment_gpus > 0).
    availability : share of hours a server is up (``defaults.OWNED_AVAILABILITY``); utilisation_cap (or the
    plan's target_utilisation): highest owned load without max_wait_hours; max_wait_hours : owned queue cap [h].
    capex_budget_usd, min_on_premises_share : constraints; carbon_price_usd_per_t [USD/t];
    basis : the procurement cost basis (keys ``BASIS_KEYS``: money npv|cash, view institution|grant,
    discount_rate, fa_rate, credit_residual, cloud_price_trend_pct_per_year,
    hardware_price_performance_pct_per_year). Returns a ``hybrid.HybridPlan``.
    """
    if not whole_servers:
        raise PlanError("whole_servers false: a hybrid plan sizes whole servers; remove it")
    site, owned = dict(site or {}), dict(owned or {})
    basis_given = dict(basis or {})
    _keys("basis", basis_given, BASIS_KEYS)
    cost_basis = procurement.Basis(**basis_given)  # type: ignore[arg-type]
    server_, server_assumptions = owned_server(server, **site, **owned,  # type: ignore[arg-type]
                                               discount_rate=cost_basis.discount_rate,
                                               credit_residual=cost_basis.credit_residual)
    # The plan's cap and basis replace the ownership defaults; staff is counted for the fleet itself.
    server_assumptions = tuple(a for a in server_assumptions if a.name not in (
        defaults.OWNED_UTILISATION.name, defaults.DISCOUNT_RATE.name, defaults.SHARED_CLUSTER_SERVERS.name))
    months, notes, profile = _monthly_demand(
        server_, None if horizon_years is None else int(procurement.horizon(horizon_years)),
        demand_gpu_hours=demand_gpu_hours, growth=growth, demand_gpu=demand_gpu, precision=precision,
        portfolio=portfolio, by_month=demand_gpu_hours_by_month, seasonality=seasonality)

    spot_given = None
    if spot_overhead_fraction is not None:
        spot_given = Assumption("spot_overhead_fraction", non_negative("spot_overhead_fraction", spot_overhead_fraction),
                                "fraction of GPU-hours", "user input", "", "replaces the spot model for every option")
    cloud, cloud_assumptions = _cloud_options(load().catalog, server_.gpu, clouds, spot_given,
                                              float(job_gpus) if job_gpus else float(server_.gpu_count))
    overflow = hybrid.Overflow(
        on_demand=_pick(cloud, "on_demand", on_demand, ("on_demand",)),
        spot=_pick(cloud, "spot", spot, ("spot",)) if spot_share > 0 or spot else None,
        spot_share=spot_share,
        commitment=_pick(cloud, "commitment", commitment, ("reserved_1y", "reserved_3y"))
        if commitment_gpus > 0 or commitment else None,
        commitment_gpus=commitment_gpus, fa_rate=cost_basis.fa_rate)

    def pick(default: Assumption, value: float | None) -> Assumption:
        return default if value is None else default.with_value(value)

    chosen = {
        "availability": pick(defaults.OWNED_AVAILABILITY, availability),
        "carbon": pick(defaults.CARBON_PRICE_USD_PER_T, carbon_price_usd_per_t),
    }
    cap_value = utilisation_cap if utilisation_cap is not None else target_utilisation
    cap = (defaults.OWNED_UTILISATION if cap_value is None else
           Assumption("utilisation_cap", cap_value, "fraction", "user input", ""))
    policy = hybrid.Policy(
        utilisation_cap=float(cap.value), max_wait_hours=max_wait_hours, mean_job_hours=mean_job_hours,
        job_gpus=job_gpus, capex_budget_usd=capex_budget_usd, min_on_premises_share=min_on_premises_share,
        discount_rate=cost_basis.discount_rate, carbon_price_usd_per_t=float(chosen["carbon"].value),
        basis=cost_basis.money, view=cost_basis.view,
        cloud_price_trend_pct_per_year=cost_basis.cloud_price_trend_pct_per_year,
        hardware_price_performance_pct_per_year=cost_basis.hardware_price_performance_pct_per_year)
    costs = hybrid.owned_costs(server_, float(chosen["availability"].value))
    spot_assumption = spot_given or Assumption(
        "spot_overhead_fraction", float(overflow.spot.overhead_fraction) if overflow.spot is not None else 0.0,
        "fraction of GPU-hours", "planner.spot model for the chosen spot option (see its spot_overhead_ row)", "",
        "tornado: 0 (never interrupted) to spot.high_to_central x this (every spot input at its high end)")
    assumptions = server_assumptions + (cap if max_wait_hours is None else
                                        Assumption("max_wait_hours", max_wait_hours, "h", "user input", ""),
                                        profile, spot_assumption, *chosen.values(), *cost_basis.assumptions(),
                                        defaults.CLOUD_LIFETIME_YEARS,
                                        defaults.CLOUD_UTILISATION, defaults.CLOUD_GPUS_PER_HOST) + cloud_assumptions
    used = [o.option for o in (overflow.commitment, overflow.spot, overflow.on_demand) if o is not None]
    notes += (f"overflow: {' -> '.join(used)}" + (f" (spot carries {spot_share:.0%} of what the commitment leaves)"
                                                   if overflow.spot is not None else ""),
              f"cost basis: {cost_basis.describe()}",
              f"idle power {server_.idle_power_w:,.0f} W per server (busy {server_.power_w:,.0f} W): idle hours are "
              "charged in cost and CO2e",
              f"owned embodied CO2e by time share: {server_.embodied_kg:,.0f} kg per server over "
              f"{costs.lifetime_months} months of life")
    return hybrid.hybrid_plan(months, costs, overflow, policy,
                              variations=_variations(server_, costs, overflow, policy, float(spot_assumption.value)),
                              assumptions=tuple(dict.fromkeys(assumptions)), notes=notes)


def hybrid_plan_from_config(config: Mapping[str, object]) -> hybrid.HybridPlan:
    """A hybrid plan from a parsed plan file: the procurement keys (``PLAN_KEYS``) and a ``[hybrid]`` table."""
    check_plan_types(config)
    _keys("plan", config, (*PLAN_KEYS, "hybrid"))
    if "server" not in config:
        raise PlanError("server: required (a catalog server id; see `trainplan catalog servers`)")
    section = config.get("hybrid") or {}
    if not isinstance(section, Mapping):
        raise PlanError("hybrid: must be a table ([hybrid]) of keys: " + ", ".join(HYBRID_KEYS))
    _keys("hybrid", section, HYBRID_KEYS)
    kwargs = {k: v for k, v in config.items() if k not in ("server", "hybrid", *UNUSED_PLAN_KEYS)}
    kwargs.update(section)
    plan = hybrid_plan(str(config["server"]), **kwargs)  # type: ignore[arg-type]
    unused = [k for k in UNUSED_PLAN_KEYS if k in config]
    if unused:
        plan = replace(plan, notes=plan.notes + (f"not used by the hybrid plan (procurement only): {', '.join(unused)}",))
    return plan
