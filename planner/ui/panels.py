"""The app's Streamlit panels: each reads widgets or shows a ``planner.api`` result; none computes a number.

Widgets keep their values in ``st.session_state`` under the keys of ``state.DEFAULTS``; the first run of a
session fills them from the URL's query parameters, and every run writes them back, so a link reproduces
the view.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner import api, defaults
from planner.errors import PlanError, unknown
from planner.ui import charts, state
from pricing.schema import PRICING_MODELS, PROVIDERS

_LINK_PROBLEMS = "_link_problems"


# --- cached library calls -------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def presets_table() -> pd.DataFrame:
    return api.presets_table()


@st.cache_data(show_spinner=False)
def gpu_ids() -> list[str]:
    return api.catalog_table("gpus")["gpu"].tolist()


@st.cache_data(show_spinner=False)
def provider_regions(provider: str) -> list[str]:
    return sorted(api.filtered_offers(provider)["region"].unique())


@st.cache_data(show_spinner=False, max_entries=128)
def workload_estimate(workload_kwargs: dict, estimate_kwargs: dict) -> tuple:
    """``(workload, preset, estimate)`` for the inputs; a PlanError propagates (and is not cached)."""
    workload, chosen = api.make_workload(**workload_kwargs)
    return workload, chosen, api.estimate_workload(workload, chosen, **estimate_kwargs)


@st.cache_data(show_spinner=False, max_entries=128)
def options_table(workload_kwargs: dict, providers: tuple[str, ...], pricing: str, pue: object) -> tuple:
    """``(table, assumptions, engine)``: the comparison engine's table when present, else the per-region table."""
    workload, chosen = api.make_workload(**workload_kwargs)
    pue_value = None if pue in ("", None) else pue
    if hasattr(api, "compare"):
        result = api.compare(workload, chosen, providers=list(providers), pricing=[pricing])
        return result.table, result.assumptions, "compare"
    result = api.region_estimates(workload, chosen, providers=providers, pricing=pricing, pue=pue_value)
    return result.table, result.assumptions, "region_estimates"


@st.cache_data(show_spinner=False, ttl=3600)
def snapshot_ages() -> pd.DataFrame:
    return api.price_snapshot_ages()


# --- inputs ---------------------------------------------------------------------------------------------------
def init_state() -> None:
    """On a session's first run, fill every input from the URL (defaults for what the URL lacks)."""
    if _LINK_PROBLEMS in st.session_state:
        return
    values, problems = state.from_query(st.query_params.to_dict())
    lists = {"preset": ("workload preset", presets_table()["preset"].tolist()), "gpu": ("gpu", gpu_ids()),
             "provider": ("provider", [state.ANY, *PROVIDERS]), "pricing": ("pricing", [state.ANY, *PRICING_MODELS])}
    for key, (field, allowed) in lists.items():
        if values[key] not in allowed:
            problems.append(f"link parameter {key}: {unknown(field, values[key], allowed)}")
            values[key] = state.DEFAULTS[key]
    if values["region"] != state.ANY and (values["provider"] == state.ANY
                                          or values["region"] not in provider_regions(values["provider"])):
        problems.append(f"link parameter region '{values['region']}': not a region of provider "
                        f"'{values['provider']}'; kept {state.ANY}")
        values["region"] = state.ANY
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[_LINK_PROBLEMS] = problems


def workload_panel() -> None:
    """Sidebar: a preset or a custom workload (GPU, count, and hours | GPU-hours | params × tokens at an MFU)."""
    side = st.sidebar
    side.header("Workload")
    side.radio("Workload from", state.MODES, key="mode", horizontal=True,
               format_func={"preset": "a preset", "custom": "my own numbers"}.get)
    if st.session_state["mode"] == "preset":
        table = presets_table()
        side.selectbox("Preset", table["preset"].tolist(), key="preset",
                       help="The paper's models (Strubell et al. 2019 Table 3), its LISA case study (Table 4), "
                            "and published modern runs")
        side.caption(table.set_index("preset").loc[st.session_state["preset"], "description"])
    else:
        side.selectbox("GPU", gpu_ids(), key="gpu")
        side.number_input("GPUs in parallel", key="gpus", step=1.0, format="%g")
        side.radio("Size given as", state.HOW, key="how", horizontal=True,
                   format_func={"hours": "hours", "gpu_hours": "GPU-hours", "compute": "params × tokens"}.get)
        how = st.session_state["how"]
        if how == "hours":
            side.text_input("Wall-clock hours of one run", key="hours", help="a number of hours, or e.g. '3.3 day'")
        elif how == "gpu_hours":
            side.text_input("GPU-hours of one run", key="gpu_hours", help="a number, or e.g. '2000 hour'")
        else:
            side.number_input("Parameters", key="params", format="%.3e")
            side.number_input("Training tokens", key="tokens", format="%.3e")
            side.number_input("MFU (model-FLOPs utilisation)", key="mfu", format="%.2f", step=0.05,
                              help="in (0, 1]: achieved model FLOP/s over the GPUs' peak")
    side.number_input("Runs (repeats for tuning)", key="repeats", step=1.0, format="%g",
                      help="Every run costs and emits the same; tuning multiplies the total")


def placement_panel() -> None:
    """Sidebar: where the headline estimate runs (provider, region, pricing) and optional PUE / grid overrides."""
    side = st.sidebar
    side.header("Your current choice")
    side.selectbox("Provider", [state.ANY, *PROVIDERS], key="provider")
    provider = st.session_state["provider"]
    regions = [state.ANY] if provider == state.ANY else [state.ANY, *provider_regions(provider)]
    if st.session_state["region"] not in regions:
        st.session_state["region"] = state.ANY
    side.selectbox("Region", regions, key="region", disabled=provider == state.ANY)
    side.selectbox("Pricing", [state.ANY, *PRICING_MODELS], key="pricing")
    side.text_input("PUE (blank: the provider's)", key="pue")
    side.text_input("Grid zone (blank: the region's, else USA)", key="grid",
                    help="ISO-3 country (DEU), US state (US-CA), WORLD, US-EPA-2018; see `trainplan catalog grid`")


def current_values() -> dict[str, object]:
    return {key: st.session_state[key] for key in state.DEFAULTS}


def sync_query_params(values: dict[str, object]) -> None:
    """Mirror the inputs into the URL so a link reproduces this view."""
    wanted = state.to_query(values)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def link_problems() -> None:
    for message in st.session_state.get(_LINK_PROBLEMS, []):
        st.error(message)


# --- results --------------------------------------------------------------------------------------------------
def _number(value: float, unit: str = "") -> str:
    if value is None or pd.isna(value):
        return "–"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}{' ' + unit if unit else ''}"


def _usd(value: float) -> str:
    return "–" if value is None or pd.isna(value) else f"${value:,.0f}"


def stale_banner() -> None:
    """A warning at the top of the page when a price snapshot in use is older than PRICE_STALE_DAYS."""
    ages = snapshot_ages()
    stale = ages[ages["stale"]]
    if not stale.empty:
        days = int(defaults.PRICE_STALE_DAYS.value)
        listed = ", ".join(f"{r.provider} ({r.age_days} days, {r.origin})" for r in stale.itertuples())
        st.warning(f"Prices older than {days} days: {listed}. Cloud costs may be out of date; refresh prices "
                   "with the pricing clients.")


def estimate_cards(result: object) -> None:
    """Headline cards of one estimate: GPU-hours, wall-clock, energy, CO2e and the cloud cost range."""
    row = result.table.iloc[0]
    top = st.columns([1, 1, 2])
    top[0].metric("Energy", _number(row["energy_kwh"], "kWh"))
    top[1].metric("CO2e", _number(row["co2e_kg"], "kg"))
    cost = "no offer" if pd.isna(row["cost_usd_low"]) else (
        _usd(row["cost_usd_low"]) if pd.isna(row["cost_usd_high"])
        else f"{_usd(row['cost_usd_low'])} – {_usd(row['cost_usd_high'])}")
    top[2].metric("Cloud cost", cost, help="GPU-hours × the cheapest offer – × the dearest on-demand offer "
                                           "(matching your provider, region and pricing)")
    second = st.columns([1, 1, 2])
    second[0].metric("GPU-hours", _number(row["gpu_hours"], "GPU-h"))
    second[1].metric("Wall-clock", _number(row["wall_hours"], "h"))
    second[2].metric("GPUs", f"{row['gpu_count']:g} × {row['gpu']}")
    for note in result.table.attrs.get("notes", ()):
        st.caption(f"Note: {note}")


COLUMN_CONFIG = {
    "cost_usd": st.column_config.NumberColumn("cost (USD)", format="%.0f"),
    "cost_usd_low": st.column_config.NumberColumn("cost low (USD)", format="%.0f"),
    "cost_usd_high": st.column_config.NumberColumn("cost high (USD)", format="%.0f"),
    "co2e_kg": st.column_config.NumberColumn("CO2e (kg)", format="%.1f"),
    "energy_kwh": st.column_config.NumberColumn("energy (kWh)", format="%.1f"),
    "gpu_hours": st.column_config.NumberColumn("GPU-hours", format="%.1f"),
    "wall_hours": st.column_config.NumberColumn("wall-clock (h)", format="%.1f"),
    "grid_gco2e_per_kwh": st.column_config.NumberColumn("grid (gCO2e/kWh)", format="%.0f"),
    "pue": st.column_config.NumberColumn("PUE", format="%.3f"),
    "pareto": st.column_config.CheckboxColumn("Pareto front"),
}


#: Columns first in the compare table (the rest follow in the library's order).
LEADING_COLUMNS = ("provider", "region", "location", "server", "pricing", "cost_usd", "co2e_kg", "energy_kwh",
                   "wall_hours", "pareto", "instance_type", "gpu", "gpu_count", "gpu_hours")


def _option_name(row: pd.Series) -> str:
    where = row.get("region") if pd.notna(row.get("region")) else row.get("server", "")
    return f"{row.get('provider') or 'owned'} {where}"


def option_cards(table: pd.DataFrame, current: pd.Series | None) -> None:
    """Cards for the cheapest, lowest-carbon and fastest options, with their difference from the current one."""
    picks = api.headline_options(table, current).set_index("pick")
    if picks.empty:
        return
    vs = " vs your choice"
    cols = st.columns(3)
    cards = (("cheapest", "Cheapest", "cost_usd", _usd),
             ("lowest_carbon", "Lowest carbon", "co2e_kg", lambda v: _number(v, "kg")),
             ("fastest", "Fastest", "wall_hours", lambda v: _number(v, "h")))
    for col, (pick, title, column, show) in zip(cols, cards, strict=True):
        row = picks.loc[pick]
        delta = row[f"delta_{column}"]
        col.metric(f"{title}: {_option_name(row)}", show(row[column]),
                   delta=None if pd.isna(delta) else f"{show(delta)}{vs}", delta_color="inverse")
        col.caption(f"{_usd(row['cost_usd'])} · {_number(row['co2e_kg'], 'kg CO2e')} · "
                    f"{_number(row['wall_hours'], 'h')}")
    if current is None:
        st.caption("Pick a provider and region in the sidebar to see how each option differs from your choice.")


def render_compare(values: dict[str, object]) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Compare view: filters, headline options, a sortable table, cost-CO2e scatter, per-region bars, CSV.

    Returns ``(table, assumptions)`` or None. Uses ``api.compare`` (owned servers, GPU conversion) when the comparison engine is present; until then
    ``api.region_estimates``: the workload on its own GPU in every cloud region that offers it.
    """
    left, right = st.columns([2, 1])
    left.multiselect("Providers", list(PROVIDERS), key="cmp_providers")
    right.radio("Pricing", state.COMPARE_PRICING, key="cmp_pricing", horizontal=True)
    providers = tuple(st.session_state["cmp_providers"])
    try:
        table, assumptions, engine = options_table(state.workload_kwargs(values), providers,
                                                   st.session_state["cmp_pricing"], values["pue"])
    except PlanError as exc:
        st.error(str(exc))
        return None
    if engine != "compare":
        st.caption("Cloud regions offering this workload's GPU. Owned servers and other GPUs join this view with "
                   "the comparison engine.")
    if table.empty:
        st.info("No cloud region in the price data offers this GPU at these prices; try another pricing or GPU.")
        return None
    current = None
    if values["provider"] != state.ANY and values["region"] != state.ANY:
        hit = table[(table["provider"] == values["provider"]) & (table["region"] == values["region"])]
        current = hit.iloc[0] if len(hit) else None
    option_cards(table, current)
    order = [c for c in LEADING_COLUMNS if c in table] + [c for c in table if c not in LEADING_COLUMNS]
    st.dataframe(table, hide_index=True, column_config=COLUMN_CONFIG, column_order=order, width="stretch")
    st.download_button("Download the table (CSV)", table.to_csv(index=False).encode(), file_name="trainplan-options.csv",
                       mime="text/csv")
    st.altair_chart(charts.cost_co2e_scatter(table), width="stretch")
    st.altair_chart(charts.region_bars(table), width="content")
    return table, assumptions


def render_own_vs_rent() -> None:
    if hasattr(api, "break_even"):
        st.info("Own-vs-rent: the break-even view is wired up with the procurement model's merge.")
    else:
        st.info("Own vs rent: arrives with the procurement model (owned-server settings and the break-even chart).")


def render_procurement() -> None:
    if hasattr(api, "procurement_plan"):
        st.info("Procurement: the multi-year plan view is wired up with the procurement model's merge.")
    else:
        st.info("Procurement: arrives with the procurement model (a multi-year plan for a cluster).")


def render_assumptions(result: object, compared: pd.DataFrame | None) -> None:
    """Every input behind the numbers shown, with source and date, and the price snapshots' age."""
    st.subheader("Price snapshots in use")
    st.dataframe(snapshot_ages(), hide_index=True, width="stretch",
                 column_config={"age_days": st.column_config.NumberColumn("age (days)")})
    threshold = defaults.PRICE_STALE_DAYS
    st.caption(f"Stale after {threshold.value:g} {threshold.unit}: {threshold.source}.")
    st.subheader("Assumptions behind the headline estimate")
    st.dataframe(api.assumptions_table([*result.assumptions, threshold]), hide_index=True, width="stretch")
    if compared is not None:
        with st.expander("Assumptions behind the compare table (every region's grid, PUE and prices)"):
            st.dataframe(compared, hide_index=True, width="stretch")


def render_exports(result: object, table: pd.DataFrame | None) -> None:
    st.download_button("Headline estimate (CSV)", result.table.to_csv(index=False).encode(),
                       file_name="trainplan-estimate.csv", mime="text/csv")
    st.download_button("Assumptions (CSV)", api.assumptions_table(result.assumptions).to_csv(index=False).encode(),
                       file_name="trainplan-assumptions.csv", mime="text/csv")
    if table is not None:
        st.download_button("Compare table (CSV)", table.to_csv(index=False).encode(),
                           file_name="trainplan-options.csv", mime="text/csv", key="export_options")
    st.caption("Report formats (PDF, spreadsheet) arrive with the report feature.")
