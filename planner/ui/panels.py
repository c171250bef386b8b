"""The app's Streamlit panels: each reads widgets or shows a ``planner`` result; none computes a number.

Widgets keep their values in ``st.session_state`` under the keys of ``state.DEFAULTS``; the first run of a
session fills them from the URL's query parameters, and every run writes them back, so a link reproduces
the view. Library calls are cached, keyed on the inputs: ``st.cache_resource`` (shared, not copied) for what
every run reads, ``st.cache_data`` for the rest.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from planner import answers, api, defaults, options
from planner.answers import CompareAnswers
from planner.columns import PRICING_WORDS
from planner.errors import PlanError, unknown
from planner.reports.safe_text import csv_safe
from planner.ui import carbon_time, charts, hybrid, state, time_water_panels
from planner.ui.cards import Card, show_cards
from planner.ui.tables import display, readable, show_table
from planner.ui.vega import show_chart, split
from pricing.schema import PRICING_MODELS, PROVIDERS

_LINK_PROBLEMS = "_link_problems"
#: Regions shown in the per-region bar chart (the cheapest first).
BAR_REGIONS = 25


# --- cached library calls -------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def presets_table() -> pd.DataFrame:
    return api.presets_table()


@st.cache_resource(show_spinner=False)
def gpu_ids() -> list[str]:
    return api.catalog_table("gpus")["gpu"].tolist()


@st.cache_resource(show_spinner=False)
def priced_servers() -> list[str]:
    """Catalog servers with a sourced price and GPU: the owned configurations the app can price."""
    servers = api.catalog_table("servers")
    return servers.loc[servers["price_usd"].notna() & servers["gpu"].notna(), "server"].tolist()


@st.cache_resource(show_spinner=False, max_entries=16)
def provider_regions(provider: str) -> list[str]:
    return sorted(api.filtered_offers(provider)["region"].unique())


@st.cache_resource(show_spinner=False)
def offer_regions() -> list[str]:
    return sorted(api.filtered_offers()["region"].unique())


@st.cache_data(show_spinner=False, max_entries=64)
def gpu_regions(server: str, pricing: str) -> pd.DataFrame:
    """Regions offering the GPU of ``server`` at ``pricing``, cheapest first (``api.gpu_regions``)."""
    gpu = api.catalog_table("servers").set_index("server").loc[server, "gpu"]
    return api.gpu_regions(str(gpu), pricing)


@st.cache_resource(show_spinner=False, max_entries=128)
def workload_estimate(workload_kwargs: dict, estimate_kwargs: dict) -> tuple:
    """``(workload, preset, estimate)`` for the inputs; a PlanError propagates (and is not cached). Shared, not
    copied, like the other look-ups of this section that every run makes: callers only read them."""
    workload, chosen = api.make_workload(**workload_kwargs)
    return workload, chosen, api.estimate_workload(workload, chosen, **estimate_kwargs)


@st.cache_data(show_spinner=False, max_entries=64)
def breakeven(kwargs: dict) -> object:
    """``api.breakeven_curve`` for the own-vs-rent inputs (a ``BreakEven``)."""
    kwargs = dict(kwargs)
    return api.breakeven_curve(kwargs.pop("server"), **kwargs)


@st.cache_data(show_spinner=False, max_entries=32)
def procurement_plan(kwargs: dict) -> tuple:
    """``(plan, headline)`` of ``api.procurement_plan`` for the procurement inputs."""
    kwargs = dict(kwargs)
    plan = api.procurement_plan(kwargs.pop("server"), **kwargs)
    return plan, api.procurement_headline(plan)


@st.cache_data(show_spinner=False, ttl=3600)
def snapshot_ages() -> pd.DataFrame:
    return api.price_snapshot_ages()


def report_bytes(fmt: str, values: dict, generated_at: datetime | None = None) -> bytes:
    """The report of the current view in ``fmt`` (``planner.reports.REPORT_FORMATS``).

    ``api.report`` of the workload, the compare view's comparison (the same rows, filters and current choice
    as the cards and the table) and the current choice (none chosen: the cheapest feasible option).
    """
    from planner.reports import render

    workload_kwargs, estimate_kwargs = state.workload_kwargs(values), state.estimate_kwargs(values)
    workload, chosen = api.make_workload(**workload_kwargs)
    view = current_view(values)
    report = api.report(workload, chosen, **estimate_kwargs, comparison=view.comparison,
                        chosen_row=None if view.current is None else view.current.name,
                        generated_at=generated_at or datetime.now(UTC))
    return render(report, fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def cached_report_bytes(fmt: str, values: dict) -> bytes:
    return report_bytes(fmt, values)


# --- inputs ---------------------------------------------------------------------------------------------------
def _check_list(key: str, field: str, allowed: list[str], values: dict, problems: list[str]) -> None:
    bad = [v for v in values[key] if v not in allowed]
    for item in bad:
        problems.append(f"link parameter {key}: {unknown(field, item, allowed)}")
    values[key] = [v for v in values[key] if v in allowed]


def init_state() -> None:
    """On a session's first run, fill every input from the URL (defaults for what the URL lacks)."""
    if _LINK_PROBLEMS in st.session_state:
        return
    values, problems = state.from_query(st.query_params.to_dict())
    servers = priced_servers()
    lists = {"preset": ("workload preset", presets_table()["preset"].tolist()), "gpu": ("gpu", gpu_ids()),
             "provider": ("provider", [state.ANY, *PROVIDERS]), "pricing": ("pricing", [state.ANY, *PRICING_MODELS]),
             "own_server": ("server", servers), "proc_server": ("server", servers)}
    for key, (field, allowed) in lists.items():
        if values[key] not in allowed:
            problems.append(f"link parameter {key}: {unknown(field, values[key], allowed)}")
            values[key] = state.DEFAULTS[key]
    if values["region"] != state.ANY and (values["provider"] == state.ANY
                                          or values["region"] not in provider_regions(values["provider"])):
        problems.append(f"link parameter region '{values['region']}': not a region of provider "
                        f"'{values['provider']}'; kept {state.ANY}")
        values["region"] = state.ANY
    _check_list("cmp_regions", "region", offer_regions(), values, problems)
    _check_list("cmp_gpus", "gpu", gpu_ids(), values, problems)
    _check_list("cmp_servers", "server", servers, values, problems)
    for key, server, pricing in (("own_clouds", "own_server", "own_pricing"),
                                 ("proc_clouds", "proc_server", "proc_pricing")):
        _check_list(key, "cloud region", _cloud_items(values[server], values[pricing]), values, problems)
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[_LINK_PROBLEMS] = problems


def keep_inputs() -> None:
    """Keep every input's value while its widget is not drawn (a closed tab's widgets do not run, and
    Streamlit forgets the state of a widget that did not run): re-assigning a key makes it the page's own."""
    for key in state.DEFAULTS:
        if key in st.session_state and key != "tab":
            st.session_state[key] = st.session_state[key]


def _cloud_items(server: str, pricing: str) -> list[str]:
    regions = gpu_regions(server, pricing)
    return (regions["provider"] + ":" + regions["region"]).tolist()


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
    side.selectbox("Pricing", [state.ANY, *PRICING_MODELS], key="pricing", format_func=lambda v: PRICING_LABELS.get(v, v))
    side.text_input("PUE (blank: the provider's)", key="pue")
    side.text_input("Grid zone (blank: the region's, else USA)", key="grid",
                    help="ISO-3 country (DEU), US state (US-CA), WORLD, US-EPA-2018; see `trainplan catalog grid`")
    time_water_panels.sidebar_time()


def current_values() -> dict[str, object]:
    """Every input's value (the default for a widget not drawn in this run)."""
    return {key: st.session_state.get(key, state.DEFAULTS[key]) for key in state.DEFAULTS}


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
    if value is None or pd.isna(value):
        return "–"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"


def stale_banner() -> None:
    """A warning at the top of the page when a price snapshot in use is older than the staleness threshold."""
    ages = snapshot_ages()
    stale = ages[ages["stale"]]
    if not stale.empty:
        days = int(defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS.value)
        listed = ", ".join(f"{r.provider} ({r.age_days} days, {r.origin})" for r in stale.itertuples())
        st.warning(f"Prices older than {days} days: {listed}. Cloud costs may be out of date; refresh them with "
                   "`trainplan prices refresh`.")


def card_number(value: float) -> str:
    """A number on a narrow card: as ``_number`` (no unit: the unit is in the card's label) below a million,
    then in millions ('1.72 M'; the card's help gives the whole number)."""
    if value is None or pd.isna(value) or abs(value) < 1e6:
        return _number(value)
    return f"{value / 1e6:,.2f} M"


def _exact(value: float, unit: str) -> str:
    return f" ({value:,.0f} {unit})" if value is not None and pd.notna(value) and abs(value) >= 1e6 else ""


def estimate_cards(result: object) -> None:
    """The workload's cards: GPU-hours, wall-clock, GPUs, and the energy, CO2e and water at the current choice.

    Six cards share a row (one element, ``cards.show_cards``), so each unit is in its card's label ("Energy
    (kWh)") and the value is a number that fits ('1,049'; '1.72 M' above a million).
    """
    row = result.table.iloc[0]
    water, water_help = carbon_time.water_card(row, unit=False)
    basis = f". Basis: {row['co2e_basis']}" if isinstance(row.get("co2e_basis"), str) else ""
    show_cards([
        Card("GPU-hours", card_number(row["gpu_hours"]),
             "GPU-hours of the workload (all runs)" + _exact(row["gpu_hours"], "GPU-hours")),
        Card("Wall-clock (h)", card_number(row["wall_hours"]),
             "Hours from start to end of all runs" + _exact(row["wall_hours"], "h")),
        # the GPU's name under the card: a value of '8 × p100-pcie-16gb' does not fit a card
        Card("GPUs", f"{row['gpu_count']:g}", f"{row['gpu_count']:g} × {row['gpu']}", note=str(row["gpu"])),
        Card("Energy (kWh)", card_number(row["energy_kwh"]), "At your current choice (sidebar): its provider's PUE "
             "and its region's grid" + _exact(row["energy_kwh"], "kWh")),
        Card("CO2e (kg)", card_number(row["co2e_kg"]), "Operational, location-based, at your current choice"
             + _exact(row["co2e_kg"], "kg") + basis),
        Card("Water (L)", water, water_help),
    ])
    for note in result.table.attrs.get("notes", ()):
        st.caption(f"Note: {readable(note)}")


#: Pricing models in words (the data's names are snake_case).
PRICING_LABELS = PRICING_WORDS
#: The compare table's orders, in words (``state.SORTS``).
SORT_LABELS = {"cost": "cost", "co2e": "CO2e (operational + embodied)", "time": "wall-clock"}
#: Columns of the compare table shown by default, in order (every column with "All columns").
COMPARE_COLUMNS = ("provider", "region", "instance_type", "server", "accounting_mode", "pricing", "gpu", "cost_usd",
                   "co2e_total_kg", "wall_hours", "gpu_count", "gpu_hours", "energy_kwh", "co2e_kg", "co2e_embodied_kg",
                   "co2e_market_kg", "feasible", "infeasible_reason", "pareto", "location")


def option_name(row: pd.Series) -> str:
    if row.get("option_kind") == "owned" or pd.notna(row.get("server")):
        return f"owned {row.get('server')} ({row.get('gpu')}, {row.get('accounting_mode')}) at {row.get('region')}"
    pricing = row.get("pricing")
    return f"{row.get('provider')} {row.get('region')} {row.get('instance_type')} ({row.get('gpu')}, " \
           f"{PRICING_LABELS.get(pricing, pricing)})"


def current_choice(table: pd.DataFrame, values: dict[str, object], gpu: str) -> pd.Series | None:
    """The sidebar's provider and region in the comparison: its cheapest row on the workload's GPU."""
    given = state.estimate_kwargs(values)
    return options.current_option(table, given["provider"], given["region"], given["pricing"], gpu)


@dataclass(frozen=True, eq=False)
class CompareView:
    """Everything the compare view shows for one input state, made once (``compare_view``) and read-only."""

    comparison: object
    table: pd.DataFrame
    current: pd.Series | None
    answers: CompareAnswers
    scatter: dict
    bars: tuple  # through ``vega.split``
    bar_regions: int
    _shown: dict = dataclasses.field(default_factory=dict, repr=False)

    def shown(self, sort: str, rows: int | None, all_columns: bool) -> ShownRows:
        """The rows in ``sort`` order, the first ``rows`` of them ready to draw, and their scatter; made once
        per order, row limit and column set of this view."""
        key = (sort, rows, all_columns)
        if key not in self._shown:
            ranked = answers.ranked_rows(self.table, sort)
            first = ranked if rows is None else ranked.head(rows)
            columns = [c for c in COMPARE_COLUMNS if c in self.table.columns]
            if all_columns:
                columns += [c for c in self.table.columns if c not in COMPARE_COLUMNS]
            scatter = self.scatter if len(first) == len(ranked) else charts.cost_co2e_scatter(self.table, first.index)
            self._shown[key] = ShownRows(ranked=ranked, count=len(first), table=display(first[columns]),
                                         scatter=split(scatter))
        return self._shown[key]


@dataclass(frozen=True)
class ShownRows:
    """What the compare table and chart draw for one order and row limit (``CompareView.shown``)."""

    ranked: pd.DataFrame  # every row, in the order (the download)
    count: int  # rows drawn
    table: tuple  # the first ``count`` rows through ``tables.display``
    scatter: tuple  # through ``vega.split``


@st.cache_resource(show_spinner=False, max_entries=64)
def compare_view(workload_kwargs: dict, compare_kwargs: dict, choice: dict) -> CompareView:
    """The comparison of one input state with its answers and chart specifications (not copied per run:
    a later run with the same inputs costs a dictionary look-up). A PlanError propagates, not cached."""
    workload, chosen = api.make_workload(**workload_kwargs)
    compared = api.compare(workload, chosen, **compare_kwargs)
    table = compared.table
    current = options.current_option(table, choice["provider"], choice["region"], choice["pricing"], workload.gpu)
    regions = options.best_per_region(answers.feasible_rows(table), top=BAR_REGIONS)
    return CompareView(comparison=compared, table=table, current=current,
                       answers=answers.compare_answers(table, current),
                       scatter=charts.cost_co2e_scatter(table), bars=split(charts.region_bars(regions)),
                       bar_regions=len(regions))


def current_view(values: dict[str, object]) -> CompareView:
    workload_kwargs = state.workload_kwargs(values)
    choice = {k: state.estimate_kwargs(values)[k] for k in ("provider", "region", "pricing")}
    return compare_view(workload_kwargs, state.compare_kwargs(values), choice)


def option_cards(view: CompareView) -> None:
    """The cloud cost range and the cheapest, lowest-carbon and fastest option, from the same filtered rows (one
    row of cards, ``cards.show_cards``)."""
    found, current = view.answers, view.current
    if found.has_cloud_cost:
        cost = _usd(found.cloud_cost_low) if found.cloud_options == 1 else \
            f"{_usd(found.cloud_cost_low)} – {_usd(found.cloud_cost_high)}"
        row = [Card("Cloud cost", cost, f"The {found.cloud_cost_method}.",
                    note=f"{found.cloud_options:,} cloud options, cheapest to dearest")]
    else:
        row = [Card("Cloud cost", "no cloud option", "No feasible cloud option passes the filters.")]
    picks = found.picks
    if len(picks) == 0:
        show_cards(row, [1.6, 1, 1, 1])
        st.warning("No option with a cost passes the filters: widen them.")
        return
    vs = " vs your choice"
    kinds = (("cheapest", "Cheapest", "cost_usd", _usd),
             ("lowest_carbon", "Lowest carbon", "co2e_total_kg", lambda v: _number(v, "kg")),
             ("fastest", "Fastest", "wall_hours", lambda v: _number(v, "h")))
    for pick, title, column, show in kinds:
        pick_row = picks.loc[pick]
        delta = pick_row[f"delta_{column}"]
        row.append(Card(title, show(pick_row[column]), "CO2e: operational + embodied" if pick == "lowest_carbon"
                        else None, delta=None if pd.isna(delta) else f"{show(delta)}{vs}",
                        note=f"{option_name(pick_row)}: {_usd(pick_row['cost_usd'])} · "
                        f"{_number(pick_row['co2e_total_kg'], 'kg CO2e')} · {_number(pick_row['wall_hours'], 'h')}"
                        + (f" · {_number(pick_row['water_l'], 'L water')}" if "water_l" in pick_row else "")
                        + (f" · buys {_usd(pick_row['purchase_usd'])} of servers up front (the cost credits the "
                           "value they keep)" if pd.notna(pick_row.get("purchase_usd")) else "")))
    show_cards(row, [1.6, 1, 1, 1])
    if current is None:
        st.caption("Pick a provider and region in the sidebar (on the workload's GPU, within the filters) to see "
                   "how each option differs from your choice.")
    else:
        st.caption(f"Your choice: {option_name(current)}, {_usd(current['cost_usd'])}, "
                   f"{_number(current['co2e_total_kg'], 'kg CO2e')}, {_number(current['wall_hours'], 'h')}.")


#: The filters under "More filters", with their names in its label.
MORE_FILTERS = {"cmp_regions": "regions", "cmp_gpus": "option GPUs", "cmp_servers": "owned servers",
                "cmp_site": "site"}


def compare_filters() -> None:
    """The compare view's filters (each an input mirrored in the URL)."""
    # Wide enough for the four provider chips (aws, gcp, azure, owned) and the on-demand one beside their icons.
    row = st.columns([2.75, 1.5, 0.9, 0.95, 1.2])
    row[0].multiselect("Providers", list(state.COMPARE_PROVIDERS), key="cmp_providers")
    row[1].multiselect("Pricing (cloud)", list(state.COMPARE_PRICING), key="cmp_pricing",
                       format_func=PRICING_LABELS.get)
    row[2].text_input("Max wall-clock (h, blank: any)", key="cmp_max_hours")
    row[3].text_input("Deadline (e.g. 30 day; blank: none)", key="cmp_deadline",
                      help="every option is sized to the whole instances or servers that finish in time, or marked "
                      "infeasible")
    row[4].selectbox("GPUs", list(state.GPU_SCOPES), key="cmp_gpu_scope",
                     format_func=lambda v: "all (converted)" if v == "all" else "same GPU only",
                     help="same GPU only: offers of the workload's own GPU, no conversion")
    # Drawn only while open (four long lists cost the browser a third of a second); closed, their values stay
    # (keep_inputs) and the label names the ones set. A link that sets one opens it.
    active = [name for key, name in MORE_FILTERS.items() if st.session_state.get(key) != state.DEFAULTS[key]]
    section = st.expander("More filters: regions, GPUs, owned servers, site" + (
        f" (set: {', '.join(active)})" if active else ""), key="_more_filters", on_change="rerun",
        expanded=bool(active))
    if not section.open:
        return
    with section:
        row = st.columns(2)
        row[0].multiselect("Regions (none: all)", offer_regions(), key="cmp_regions")
        row[1].multiselect("Option GPUs (none: all; hours converted by achieved throughput)", gpu_ids(), key="cmp_gpus")
        row = st.columns([2, 1])
        row[0].multiselect("Owned servers (none: every catalog server with a price)", priced_servers(),
                           key="cmp_servers")
        row[1].text_input("Site of owned servers (grid zone)", key="cmp_site",
                          help="ISO-3 country (DEU), US state (US-CA), WORLD; its grid and electricity price")


def render_compare(values: dict[str, object]) -> CompareView | None:
    """Compare view: filters, the headline answers, a sortable table, cost-CO2e scatter, per-region bars, CSV.

    Returns the view shown, or None when the inputs are invalid (the error is on the page).
    """
    compare_filters()
    values = current_values()
    try:
        view = current_view(values)
    except PlanError as exc:
        st.error(str(exc))
        return None
    option_cards(view)
    table = view.table
    row = st.columns([1, 1, 1])
    row[0].selectbox("Sort by", list(state.SORTS), key="cmp_sort", format_func=SORT_LABELS.get,
                     help="Feasible options first, in this order (ties as the cards break them: the first row is "
                          "the card of the same name); the same orders as `trainplan compare --sort`")
    row[1].selectbox("Rows shown", list(state.ROW_LIMITS), key="cmp_rows",
                     format_func=lambda v: f"all {view.answers.rows:,}" if v == "all" else f"the first {v}",
                     help="The download holds every row in this order, whatever is shown")
    all_columns = row[2].toggle("All columns", key="cmp_all_columns",
                                help="Ranges (low/high), instance counts, throughput ratio, assumption ids, …")
    sort = str(st.session_state.get("cmp_sort", "cost"))
    shown = view.shown(sort, state.row_limit(current_values()), bool(all_columns))
    ranked = shown.ranked
    feasible = "" if view.answers.feasible == view.answers.rows else f" ({view.answers.feasible:,} feasible)"
    first = f"the first {shown.count:,} of " if shown.count < len(ranked) else ""
    st.caption(f"Showing {first}{view.answers.rows:,} options{feasible} by {SORT_LABELS[sort]}: every cloud offer "
               "(provider × region × instance × pricing) and owned server (dedicated purchase and shared cluster) "
               "that passes the filters. The cards above are from all of them. Click a column header to sort the "
               "rows shown. Owned rows use the sourced defaults at the site; vary them under Own vs rent.")
    show_table(shown.table, height=420)
    st.download_button(f"Download all {len(ranked):,} rows (CSV)", lambda: csv_safe(ranked).to_csv(index=False).encode(),
                       file_name="trainplan-options.csv", mime="text/csv", key="compare_csv", on_click="ignore")
    if view.comparison.notes:
        st.caption("\n".join(f"- Note: {readable(note)}" for note in view.comparison.notes))
    if shown.count < len(table):
        front = int(table["pareto"].sum()) if "pareto" in table else 0
        st.caption(f"The chart shows the {shown.count:,} options of the table and the {front:,} of the Pareto front "
                   f"(of all {len(table):,} options); show all rows to see every option.")
    show_chart(shown.scatter, width="stretch")
    st.markdown(f"**Cheapest option per region** (the {view.bar_regions} cheapest regions)")
    show_chart(view.bars, width="content")
    time_water_panels.render_start_months(table, values)
    return view


def render_own_vs_rent() -> None:
    """Own vs rent: one owned server's cost per busy GPU-hour against utilisation, and cloud price lines."""
    left, right = st.columns(2)
    left.selectbox("Owned server", priced_servers(), key="own_server")
    left.text_input("Site (grid zone)", key="own_site", help="ISO-3 country, US state (US-CA), WORLD")
    left.number_input("Lifetime (years)", key="own_lifetime", min_value=0.25, max_value=30.0, step=1.0, format="%g")
    left.slider("Expected utilisation (share of the year's hours busy)", key="own_util", min_value=0.01,
                max_value=1.0, step=0.01)
    right.text_input("Electricity price (USD/kWh; blank: the site's)", key="own_elec")
    right.number_input("PUE of the machine room", key="own_pue", min_value=1.0, max_value=3.0, step=0.05,
                       format="%.2f")
    right.radio("Cloud pricing", state.CLOUD_PRICING, key="own_pricing", horizontal=True, format_func=PRICING_LABELS.get)
    values = current_values()
    items = _cloud_items(values["own_server"], values["own_pricing"])
    if any(i not in items for i in st.session_state.get("own_clouds", [])):
        st.session_state["own_clouds"] = [i for i in st.session_state["own_clouds"] if i in items]
    right.multiselect("Cloud regions to compare (none: each provider's cheapest)", items, key="own_clouds")
    values = current_values()
    try:
        result = breakeven(state.breakeven_kwargs(values))
    except PlanError as exc:
        st.error(str(exc))
        return
    owned = result.owned.iloc[0]
    cards = st.columns(1 + min(len(result.clouds), 3))
    cards[0].metric(f"Owning at {owned['utilisation']:.0%} utilisation (USD per busy GPU-hour)",
                    f"${owned['owned_usd_per_gpu_hour']:.3f}",
                    help="USD per busy GPU-hour of the server's GPU: fixed costs over busy hours + electricity")
    for col, cloud in zip(cards[1:], result.clouds.itertuples(), strict=False):
        u = cloud.breakeven_utilisation
        shown = "never" if pd.isna(u) else ("above 100%" if u > 1 else f"{u:.1%}")
        col.metric(f"Break-even vs {cloud.provider} {cloud.region}".strip(), shown,
                   help=f"{cloud.option}: {cloud.cloud_usd_per_gpu_hour:.3f} USD per server-GPU-hour; owning is "
                        "cheaper above this utilisation")
    st.altair_chart(charts.breakeven_chart(result.curve, result.clouds, float(owned["utilisation"])),
                    width="stretch")
    show_table(result.clouds[["option", "cloud_usd_per_gpu_hour", "breakeven_utilisation", "usd_per_gpu_hour",
                              "throughput_ratio", "overhead_fraction", "gpu", "source"]])
    st.caption(f"Owned: fixed {owned['fixed_usd_per_server_year']:,.0f} USD per server-year (capital recovery, "
               f"network, facility, staff, maintenance), electricity {owned['electricity_usd_per_gpu_hour']:.3f} USD "
               f"per busy GPU-hour and {owned['idle_electricity_usd_per_gpu_hour']:.3f} per idle one. "
               "c(u) = C(u) / (8760 · n · u), C(u) the full cost of a server-year at utilisation u; break-even "
               "u* = (F + e_i) / (c_cloud − e_b + e_i), F the fixed cost per GPU-hour of capacity, e_b and e_i the "
               "electricity of a busy and an idle GPU-hour (planner.owned_cost).")


def render_procurement() -> None:
    """Procurement: a multi-year plan for a shared cluster against renting the same GPU-hours."""
    left, right = st.columns(2)
    left.selectbox("Server to buy", priced_servers(), key="proc_server")
    left.number_input("Years", key="proc_years", min_value=1.0, max_value=15.0, step=1.0, format="%g")
    left.number_input("Demand in year 1 (GPU-hours on the server's GPU)", key="proc_demand", min_value=0.0,
                      step=10000.0, format="%g")
    left.number_input("Growth per year (0.2 = +20%)", key="proc_growth", step=0.05, format="%.2f")
    right.slider("Target utilisation", key="proc_util", min_value=0.05, max_value=0.95, step=0.05)
    right.text_input("Site (grid zone)", key="proc_site")
    right.radio("Cloud pricing", state.CLOUD_PRICING, key="proc_pricing", horizontal=True,
                format_func=PRICING_LABELS.get)
    values = current_values()
    regions = gpu_regions(values["proc_server"], values["proc_pricing"])
    items = (regions["provider"] + ":" + regions["region"]).tolist()
    if any(i not in items for i in st.session_state.get("proc_clouds", [])):
        st.session_state["proc_clouds"] = [i for i in st.session_state["proc_clouds"] if i in items]
    right.multiselect("Cloud regions to compare (none: each provider's cheapest)", items, key="proc_clouds")
    values = current_values()
    cheapest = regions[regions["cheapest_of_provider"]]
    kwargs = state.procurement_kwargs(values, (cheapest["provider"] + ":" + cheapest["region"]).tolist())
    try:
        plan, headline = procurement_plan(kwargs)
    except PlanError as exc:
        st.error(str(exc))
        return
    st.info(readable(headline))
    owned = plan.summary.iloc[0]
    cards = st.columns(4)
    cards[0].metric(f"Owned TCO, {len(plan.years)} years", _usd(owned["total_usd"]))
    cards[1].metric("Owned per GPU-hour", f"${owned['usd_per_gpu_hour']:.3f}")
    cards[2].metric("Owned CO2e", _number(owned["co2e_kg"] / 1000, "t"),
                    help=f"Each calendar year's grid ({values.get('grid_basis', 'trend')}) on that year's energy; "
                         + (f"flat grid: {_number(owned['co2e_flat_kg'] / 1000, 't')}" if "co2e_flat_kg" in owned
                            else ""))
    time_water_panels.water_metric(cards[3], owned)
    st.altair_chart(charts.tco_by_year(plan.tco, plan.cloud), width="stretch")
    st.markdown("**Summary over the horizon**")
    show_table(plan.summary)
    st.markdown("**Demand, servers and queue per year**")
    show_table(plan.years)
    st.markdown("**Owned TCO per year (cash basis, USD)**")
    show_table(plan.tco)
    st.markdown("**Break-even against each cloud option**")
    show_table(plan.breakeven)
    time_water_panels.render_plan_carbon(plan, str(values.get("grid_basis", "trend")))
    for note in plan.notes:
        st.caption(f"Note: {note}")
    hybrid.render_hybrid(kwargs)


def render_assumptions(result: object, view: CompareView | None) -> None:
    """Every input behind the numbers shown, with source and date, and the price snapshots' age."""
    st.subheader("Price snapshots in use")
    show_table(snapshot_ages())
    threshold = defaults.PRICE_SNAPSHOT_MAX_AGE_DAYS
    st.caption(f"Stale after {threshold.value:g} {threshold.unit}s: {threshold.source}.")
    st.subheader("Assumptions behind the headline estimate")
    show_table(_assumption_rows(api.assumptions_table([*result.assumptions, threshold])))
    if view is not None:
        table = api.assumptions_table(view.comparison.assumptions)
        st.subheader(f"Assumptions behind the comparison ({len(table):,})")
        st.caption("Every grid intensity, PUE, price and default the compare table used; each row's "
                   "`Assumptions used` column (Compare, All columns) names its own.")
        show_table(_assumption_rows(table), height=420)


def _assumption_rows(table: pd.DataFrame) -> pd.DataFrame:
    """An assumptions table as read: a number value to 6 significant figures ('2,500', '5.90642'), a text value
    ('0.7 / 1.0 / 1.0') as written; ``value_number`` dropped (it is the same number)."""
    numbers = table["value_number"]
    shown = numbers.map(lambda v: f"{v:,.6g}" if pd.notna(v) else "")
    return table.assign(value=shown.where(numbers.notna(), table["value"].astype(str))).drop(columns="value_number")


def render_exports(result: object, view: CompareView | None, values: dict[str, object]) -> None:
    """Download buttons: a report in every format and the tables as CSV, each made only when clicked."""
    from planner.reports import MIME_TYPES, REPORT_FORMATS

    if view is not None:
        st.markdown("**Report** for a grant proposal: a justification-of-resources paragraph, the key table, "
                    "the chart and the method on two pages, then every assumption with its numbered source. It "
                    "uses the Compare tab's filters and your choice (none chosen: the cheapest feasible option).")
        cols = st.columns(len(REPORT_FORMATS))
        frozen = {k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()}
        for col, fmt in zip(cols, REPORT_FORMATS, strict=True):
            col.download_button(f"Report ({fmt})", lambda fmt=fmt: cached_report_bytes(fmt, _thawed(frozen)),
                                file_name=f"trainplan-report.{fmt}", mime=MIME_TYPES[fmt], key=f"report_{fmt}",
                                on_click="ignore")
    st.markdown("**Tables**")
    cols = st.columns(3)
    cols[0].download_button("Headline estimate (CSV)", lambda: csv_safe(result.table).to_csv(index=False).encode(),
                            file_name="trainplan-estimate.csv", mime="text/csv", on_click="ignore")
    cols[1].download_button("Assumptions (CSV)",
                            lambda: csv_safe(api.assumptions_table(result.assumptions)).to_csv(index=False).encode(),
                            file_name="trainplan-assumptions.csv", mime="text/csv", on_click="ignore")
    if view is not None:
        cols[2].download_button("Compare table (CSV)", lambda: csv_safe(view.table).to_csv(index=False).encode(),
                                file_name="trainplan-options.csv", mime="text/csv", key="export_options",
                                on_click="ignore")


def _thawed(frozen: dict[str, object]) -> dict[str, object]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in frozen.items()}
