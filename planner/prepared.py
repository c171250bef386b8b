"""The comparison engine's inputs that depend only on the price snapshot and the shipped data, built once.

``prepare_cloud`` joins every offer with the catalog (TDP, memory), its region (grid range, carbon-free
share, country), its provider's PUE, its instance's host power, its spot interruption hazard range, its
on-demand sibling (the high end of a spot price), its assumption ids and its price assumption row.
``prepare_owned`` does the same for owned server options. Both are pure; ``cloud_for`` and ``owned_for``
memoise them per input object, so a new price snapshot (a new offers frame) or new owned options are
prepared again and the same ones are reused: the per-workload pass (``planner.compare``) is then column
arithmetic on these arrays.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from planner import defaults, spot, text
from planner.catalog import _THROUGHPUT_COLUMNS, PRECISIONS, Catalog
from planner.defaults import Assumption
from planner.energy import kwh_per_gpu_hour
from planner.errors import PlanError
from planner.ownership import HOURS_PER_YEAR, OwnedServer, staff_share_usd_per_server_year
from planner.ranges import Range
from planner.text import distinct_codes

RESERVED_TERM_HOURS = {"reserved_1y": HOURS_PER_YEAR, "reserved_3y": 3 * HOURS_PER_YEAR,
                       "savings_plan_1y": HOURS_PER_YEAR, "savings_plan_3y": 3 * HOURS_PER_YEAR}  # paid every hour
ASSUMPTION_COLUMNS = ("name", "value", "unit", "source", "as_of", "note")
#: Text columns of a prepared cloud offer (object arrays); every other prepared column is float.
CLOUD_TEXT = ("provider", "region", "location", "country", "instance_type", "pricing", "gpu")


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


@dataclass(frozen=True, eq=False)
class PreparedCloud:
    """Every offer of one snapshot joined with what the engine needs, as aligned arrays (one per offer).

    text : ``CLOUD_TEXT`` columns (object arrays)
    values : gpus_per_instance G, is_spot (0/1), term_hours [h], tdp_w [W], memory_gb [GB per GPU],
    host_w_per_instance [W], pue [-], kwh_at_tdp (PUE · TDP / 1000) and host_kwh_per_gpu_hour (PUE · host / G /
    1000) [kWh per GPU-h], price [USD per instance-hour], price_high (spot: up to the on-demand
    price), rate_low/central/high [interruptions per instance-hour], grid_low/central/high [g/kWh],
    cfe_pct [%], embodied_kg_per_gpu_hour [kg/GPU-h]
    ids / ids_spot_given : ``;``-joined assumption names per offer (spot hazard from the data / from
    the user); on_demand_row / spot_row : position of the same instance's on-demand / spot offer (-1)
    price_rows, band_rows : the price assumption of each offer, the AWS band assumption (``band_row``)
    tdp_assumptions, region_assumptions : every GPU's TDP; every region's grid intensity and carbon-free share
    gpu_code : index of each offer's GPU into ``gpus``; peaks : {precision: {gpu: (TFLOP/s, column)}}
    """

    size: int
    text: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    ids: np.ndarray
    ids_spot_given: np.ndarray
    on_demand_row: np.ndarray
    spot_row: np.ndarray
    price_rows: pd.DataFrame
    band_rows: pd.DataFrame
    band_row: np.ndarray
    tdp_assumptions: pd.DataFrame
    region_assumptions: pd.DataFrame
    gpus: tuple[str, ...]
    gpu_code: np.ndarray
    peaks: dict[str, dict[str, tuple[float, str]]]
    regions: frozenset[str]
    countries: frozenset[str]
    country_of: dict[tuple[str, str], str | None]


@dataclass(frozen=True, eq=False)
class PreparedOwned:
    """Owned server options as aligned arrays (one per option); ``options`` keeps them for assumptions; ``rates``
    keeps the engine's owned rates at each bound (``planner.compare``)."""

    options: tuple[OwnedOption, ...]
    text: dict[str, np.ndarray]
    values: dict[str, np.ndarray]
    ids: np.ndarray
    #: ``coefficients.owned_rates`` per (rows, bound, settings): they depend on these options, not the workload
    rates: dict[tuple[object, ...], dict[str, object]] = field(default_factory=dict)


# --- Pieces ---------------------------------------------------------------------------------------------

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


def region_grid(regions: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Per cloud region: location-based intensity (central) and a low/high from its zone's other figure.

    The second figure is the grid_intensity row of the region's subdivision (US state, eGRID2023) or else
    its country (OWID/Ember, 2022-2023): a different year and source from the region's own factor.
    """
    # one dict of the zones' intensities (the first row of a zone), looked up per region
    zones = grid["zone"].to_numpy(dtype=object)
    intensity = dict(zip(zones[::-1], grid["gco2e_per_kwh"].to_numpy(float)[::-1], strict=True))
    listed = np.array([s in intensity for s in regions["subdivision"].to_numpy(dtype=object)], dtype=bool)
    zone = regions["subdivision"].where(listed, regions["country_iso3"])
    central = regions["grid_gco2e_per_kwh"].astype(float)
    other = np.array([intensity.get(z, np.nan) for z in zone.to_numpy(dtype=object)], dtype=float)
    other = np.where(np.isnan(other), central.to_numpy(float), other)
    return pd.DataFrame({
        "provider": regions["provider"], "region": regions["region"], "location": regions["location"],
        "country": regions["country_iso3"], "grid_central": central, "grid_low": np.minimum(central, other),
        "grid_high": np.maximum(central, other), "grid_zone": zone, "cfe_pct": regions["google_cfe_pct"],
        "grid_year": regions["year"], "grid_source": regions["source"],
    })


def peak_table(catalog: Catalog) -> dict[str, dict[str, tuple[float, str]]]:
    """{precision: {gpu: (peak dense TFLOP/s, the column it came from)}} for GPUs with a positive peak."""
    out: dict[str, dict[str, tuple[float, str]]] = {}
    for precision in PRECISIONS:
        table = catalog.peak_tflops(precision)
        out[precision] = {g: (float(t), str(c)) for g, t, c in zip(table["gpu"], table["tflops"], table["column"],
                                                                   strict=True) if t > 0}
    assert set(out) == set(_THROUGHPUT_COLUMNS)
    return out


def _frame(assumptions: Sequence[Assumption]) -> pd.DataFrame:
    return pd.DataFrame([{c: getattr(a, c) for c in ASSUMPTION_COLUMNS} for a in assumptions],
                        columns=list(ASSUMPTION_COLUMNS))


@dataclass(frozen=True, eq=False)
class AssumptionRows:
    """Assumption rows as one object array per ``ASSUMPTION_COLUMNS`` column (cheap to filter and join)."""

    columns: dict[str, np.ndarray]

    @classmethod
    def of(cls, rows: pd.DataFrame | Sequence[Assumption]) -> AssumptionRows:
        if isinstance(rows, pd.DataFrame):
            return cls({c: rows[c].to_numpy(dtype=object) for c in ASSUMPTION_COLUMNS})
        columns = {c: np.empty(len(rows), dtype=object) for c in ASSUMPTION_COLUMNS}
        for c in ASSUMPTION_COLUMNS:
            columns[c][:] = [getattr(a, c) for a in rows]
        return cls(columns)

    @property
    def names(self) -> np.ndarray:
        return self.columns["name"]


@dataclass(frozen=True, eq=False)
class UniqueRows:
    """Assumption rows kept for many comparisons (a snapshot's prices, grids, TDPs): each name once, its text
    columns as Arrow strings and its names hashed once (``first_by_name`` then only looks names up in it)."""

    text: dict[str, pa.ChunkedArray]
    value: np.ndarray
    index: pd.Index
    overlaps: dict[int, tuple[UniqueRows, np.ndarray]] = field(default_factory=dict)

    @classmethod
    def of(cls, parts: Sequence[pd.DataFrame | AssumptionRows | Sequence[Assumption]]) -> UniqueRows:
        frame = first_by_name(parts)
        return cls({c: text.arrow_strings(frame[c].to_numpy(dtype=object)) for c in ASSUMPTION_COLUMNS if c != "value"},
                   frame["value"].to_numpy(dtype=object), pd.Index(frame["name"].to_numpy(dtype=object), dtype=object))

    def __len__(self) -> int:
        return len(self.value)

    def overlap(self, other: UniqueRows) -> np.ndarray:
        """True where this part's name is also one of ``other``'s (computed once per pair)."""
        hit = self.overlaps.get(id(other))
        if hit is None or hit[0] is not other:
            hit = self.overlaps[id(other)] = (other, self.index.isin(other.index))
        return hit[1]


def first_by_name(parts: Sequence[pd.DataFrame | AssumptionRows | UniqueRows | Sequence[Assumption]]
                  ) -> pd.DataFrame:
    """Assumption rows one part after the other, each name's first row only, as one frame with a fresh index:
    ``pd.concat(frames).drop_duplicates('name')`` (text columns ``str``, ``value`` objects). A ``UniqueRows``
    part is not hashed again: the few names of the other parts are looked up in it."""
    seen: set[str] = set()  # the names kept from parts that are not UniqueRows
    kept: list[UniqueRows] = []
    chunks: dict[str, list] = {c: [] for c in ASSUMPTION_COLUMNS}
    for part in parts:
        if isinstance(part, UniqueRows):
            drop = np.zeros(len(part), dtype=bool)
            if seen:
                at = part.index.get_indexer(_names(list(seen)))
                drop[at[at >= 0]] = True
            for earlier in kept:
                drop |= part.overlap(earlier)
            keep = pa.array(~drop) if drop.any() else None
            for c in ASSUMPTION_COLUMNS:
                if c == "value":
                    chunks[c].append(part.value[~drop] if keep is not None else part.value)
                else:
                    chunks[c].append(part.text[c].filter(keep) if keep is not None else part.text[c])
            kept.append(part)
            continue
        rows = part if isinstance(part, AssumptionRows) else AssumptionRows.of(part)
        names = pd.Series(rows.names, dtype=object)  # hashed as objects
        keep = ~names.duplicated(keep="first").to_numpy()
        if seen:
            keep &= ~names.isin(seen).to_numpy()
        for earlier in kept:
            keep &= earlier.index.get_indexer(_names(rows.names)) < 0
        seen.update(rows.names[keep])
        for c, values in rows.columns.items():
            chunks[c].append(values[keep] if c == "value" else text.arrow_strings(values[keep]))
    return pd.DataFrame({c: pd.Series(np.concatenate(v) if v else np.zeros(0, dtype=object), dtype=object)
                         if c == "value" else text.str_chunks(v) for c, v in chunks.items()})


def _names(names: Sequence[str] | np.ndarray) -> pd.Index:
    """Names as an object Index (a list would become a str Index, slow to match against an object one)."""
    values = np.empty(len(names), dtype=object)
    values[:] = list(names)
    return pd.Index(values, dtype=object)


def snapshot_assumptions(cloud: PreparedCloud, positions: np.ndarray) -> tuple[UniqueRows, UniqueRows]:
    """(every GPU's TDP, the regions' grid rows + the price rows of ``positions`` + their AWS bands, each name once):
    the comparison's assumptions that depend only on the snapshot and the kept offers, built once per both."""
    key = positions.tobytes()
    memo = _SNAPSHOT_ASSUMPTIONS.setdefault(id(cloud), (cloud, {}))
    if memo[0] is not cloud:
        memo = _SNAPSHOT_ASSUMPTIONS[id(cloud)] = (cloud, {})
    hit = memo[1].get(key)
    if hit is None:
        bands = np.unique(cloud.band_row[positions])
        tdp = memo[1].get(b"tdp") or UniqueRows.of([cloud.tdp_assumptions])
        memo[1][b"tdp"] = tdp
        hit = memo[1][key] = (tdp, UniqueRows.of(
            [cloud.region_assumptions, cloud.price_rows.iloc[positions], cloud.band_rows.iloc[bands[bands >= 0]]]))
        if len(memo[1]) > 32:
            memo[1].pop(next(k for k in memo[1] if k != b"tdp"))
    if len(_SNAPSHOT_ASSUMPTIONS) > 4:
        _SNAPSHOT_ASSUMPTIONS.pop(next(iter(_SNAPSHOT_ASSUMPTIONS)))
    return hit


def arrow_text(cloud: PreparedCloud) -> dict[str, pa.Array]:
    """The prepared offers' ``CLOUD_TEXT`` columns as Arrow strings, converted once per snapshot."""
    hit = _ARROW_TEXT.get(id(cloud))
    if hit is None or hit[0] is not cloud:
        hit = _ARROW_TEXT[id(cloud)] = (cloud, {c: text.arrow_strings(cloud.text[c]) for c in CLOUD_TEXT})
        if len(_ARROW_TEXT) > 4:
            _ARROW_TEXT.pop(next(iter(_ARROW_TEXT)))
    return hit[1]


_ARROW_TEXT: dict[int, tuple[PreparedCloud, dict[str, pa.Array]]] = {}


#: ``snapshot_assumptions`` per prepared snapshot (held, so its id is not reused) and kept offers.
_SNAPSHOT_ASSUMPTIONS: dict[int, tuple[PreparedCloud, dict[bytes, object]]] = {}


def _join(parts: Sequence[np.ndarray | str], size: int) -> np.ndarray:
    columns = [np.asarray(p, dtype=object) if not isinstance(p, str) else np.full(size, p, dtype=object)
               for p in parts]
    return np.array([";".join(x for x in row if x) for row in zip(*columns, strict=True)], dtype=object)


def _siblings(instance: np.ndarray, pricing: np.ndarray, kind: str) -> np.ndarray:
    """Per offer, the position of the first offer of the same (provider, region, instance_type) priced ``kind``
    (-1 where there is none); ``instance``: each offer's code of that triple (``text.distinct_codes``)."""
    rows = np.flatnonzero(pricing == kind)
    first = np.full(int(instance.max()) + 1 if len(instance) else 0, len(instance), dtype=np.int64)
    np.minimum.at(first, instance[rows], rows)
    position = first[instance]
    return np.where(position < len(instance), position, -1)


# --- Cloud ----------------------------------------------------------------------------------------------

def _with_regions(offers: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """``offers.merge(table, on=["provider", "region"], how="left")`` for a table with one row per region: each
    offer takes its region's row by position (a merge cost an estimate's ~100 offers 5-6 ms)."""
    keys = ["provider", "region"]
    row_of = {k: i for i, k in enumerate(zip(table["provider"].to_numpy(dtype=object),
                                             table["region"].to_numpy(dtype=object), strict=True))}
    others = [c for c in table.columns if c not in keys]
    if len(row_of) != len(table) or set(others) & set(offers.columns):
        return offers.merge(table, on=keys, how="left")
    position = np.array([row_of.get(k, -1) for k in zip(offers["provider"].to_numpy(dtype=object),
                                                         offers["region"].to_numpy(dtype=object), strict=True)],
                        dtype=np.int64)
    if (position < 0).any():
        return offers.merge(table, on=keys, how="left")
    right = table[others].iloc[position].reset_index(drop=True)
    return pd.concat([offers.reset_index(drop=True), right], axis=1)


def prepare_cloud(catalog: Catalog, offers: pd.DataFrame, regions: pd.DataFrame, grid: pd.DataFrame,
                  spot_table: pd.DataFrame) -> PreparedCloud:
    """Join every offer with the catalog, its region, PUE, host power, spot hazard and ids (see ``PreparedCloud``).

    Raises PlanError for an offer whose region has no grid intensity.
    """
    offers = offers.reset_index(drop=True)
    table = region_grid(regions, grid)
    joined = _with_regions(offers, table.drop(columns=["location"]))
    if joined["grid_central"].isna().any():
        missing = joined.loc[joined["grid_central"].isna(), ["provider", "region"]].drop_duplicates()
        raise PlanError("region: no grid intensity for " + ", ".join(missing["provider"] + " " + missing["region"]))
    size = len(joined)
    gpus = catalog.gpus.drop_duplicates("gpu").set_index("gpu")
    per_instance = joined["gpu_count"].astype(float).to_numpy()
    has_shape = joined["vcpus"].notna().to_numpy()
    host_instance = np.where(has_shape,
                             defaults.host_power_w(joined["vcpus"].astype(float).fillna(0).to_numpy(),
                                                   joined["memory_gib"].astype(float).fillna(0).to_numpy()),
                             defaults.default_host_power_per_gpu_w() * per_instance)
    pricing = joined["pricing"].to_numpy(dtype=object)
    is_spot = (pricing == "spot").astype(float)
    price = joined["usd_per_hour"].astype(float).to_numpy()
    instance, _ = distinct_codes(joined["provider"], joined["region"], joined["instance_type"])
    on_demand_row = _siblings(instance, pricing, "on_demand")
    spot_row = _siblings(instance, pricing, "spot")
    on_demand_price = np.where(on_demand_row >= 0, price[np.maximum(on_demand_row, 0)], np.nan)
    # Spot is stored as the cheapest zone's snapshot price; it can rise to the on-demand price (AWS's default
    # maximum price), so that is the high end. On-demand and reserved list prices are the same in every zone.
    price_high = np.where(is_spot > 0, np.fmax(price, np.nan_to_num(on_demand_price, nan=price)), price)
    bands = spot.aws_bands(spot_table)
    rates = spot.interruption_rates(joined, spot_table, bands)
    # A GPU's share of its host: the host's embodied CO2e grows with its memory where the instance shape gives it
    # (CCF/Teads: base + kg per GB; an instance of G of the host's 8 GPUs holds G/8 of its memory), else BLOOM's.
    host_per_gpu_gb = joined["memory_gib"].astype(float).to_numpy() * 1.073741824 / per_instance
    gpus_per_host = float(defaults.CLOUD_GPUS_PER_SERVER.value)
    host_share = np.where(np.isnan(host_per_gpu_gb) | (host_per_gpu_gb <= 0),
                          float(defaults.EMBODIED_SERVER_KG.value) / gpus_per_host,
                          float(defaults.EMBODIED_HOST_BASE_KG.value) / gpus_per_host
                          + host_per_gpu_gb * float(defaults.EMBODIED_DRAM_KG_PER_GB.value))
    embodied_per_gpu = float(defaults.EMBODIED_GPU_KG.value) + host_share
    # The time-share rule (SCI, CCF): a rented GPU-hour carries 1 / (8760 · L) of its GPU's embodied CO2e.
    embodied_rate = embodied_per_gpu / (HOURS_PER_YEAR * float(defaults.CLOUD_LIFETIME_YEARS.value))
    pue = joined["provider"].map({p: float(a.value) for p, a in defaults.PUE.items()}).to_numpy(float)
    tdp = joined["gpu"].map(gpus["tdp_w"]).astype(float).to_numpy()
    values = {
        "gpus_per_instance": per_instance,
        "is_spot": is_spot,
        "term_hours": joined["pricing"].map(RESERVED_TERM_HOURS).fillna(0.0).to_numpy(float),
        "tdp_w": tdp,
        "memory_gb": joined["gpu"].map(gpus["memory_gb"]).astype(float).to_numpy(),
        "host_w_per_instance": host_instance,
        "pue": pue,
        # the energy of one GPU-hour at its full TDP and of its host share (``energy.kwh_per_gpu_hour``)
        "kwh_at_tdp": kwh_per_gpu_hour(pue, tdp),
        "host_kwh_per_gpu_hour": kwh_per_gpu_hour(pue, host_instance / per_instance),
        "price": price,
        "price_high": price_high,
        "rate_low": rates["rate_low"].to_numpy(float),
        "rate_central": rates["rate_central"].to_numpy(float),
        "rate_high": rates["rate_high"].to_numpy(float),
        "grid_low": joined["grid_low"].to_numpy(float),
        "grid_central": joined["grid_central"].to_numpy(float),
        "grid_high": joined["grid_high"].to_numpy(float),
        "cfe_pct": joined["cfe_pct"].to_numpy(float),
        "embodied_kg_per_gpu_hour": embodied_rate,
    }
    text = {c: joined[c].to_numpy(dtype=object) for c in CLOUD_TEXT}
    price_rows = pd.DataFrame({
        "name": "price_" + joined["provider"] + "_" + joined["region"] + "_" + joined["instance_type"] + "_"
        + joined["pricing"],
        "value": price, "unit": "USD/instance-hour", "source": joined["source"],
        "as_of": joined["fetched_at"].astype(str), "note": joined["gpu_count"].map("{:g} GPU(s) per instance".format)})
    is_spot_row = is_spot > 0
    spot_ids = rates["rate_name"].to_numpy(dtype=object) + spot.SPOT_IDS_SUFFIX
    given_ids = np.full(size, "spot_interruptions_per_hour" + spot.SPOT_IDS_SUFFIX, dtype=object)
    host_ids = np.where(has_shape, "host_w_per_vcpu;host_w_per_gib",
                        "host_w_per_vcpu;host_w_per_gib;host_vcpus_per_gpu;host_gib_per_gpu")
    cfe_ids = np.where(joined["cfe_pct"].notna().to_numpy(), ("google_cfe_" + joined["region"]).to_numpy(dtype=object), "")
    embodied_ids = "embodied_gpu_kg;embodied_server_kg;cloud_gpus_per_server;cloud_lifetime_years;cloud_utilisation"

    def ids_with(spot_part: np.ndarray) -> np.ndarray:
        return _join([("pue_" + joined["provider"]).to_numpy(dtype=object), ("tdp_" + joined["gpu"]).to_numpy(dtype=object),
                      "gpu_power_fraction_of_tdp", "gpu_power_fraction_range", host_ids,
                      ("throughput_ratio_" + joined["gpu"]).to_numpy(dtype=object), "throughput_ratio_spread",
                      ("grid_intensity_" + joined["provider"] + "_" + joined["region"]).to_numpy(dtype=object), cfe_ids,
                      price_rows["name"].to_numpy(dtype=object), np.where(is_spot_row, spot_part, ""), embodied_ids],
                     size)

    band_mask = rates["rate_name"].str.startswith("spot_band_aws_").to_numpy()
    band_names = rates["rate_name"].to_numpy(dtype=object)
    band_source = spot_table.loc[(spot_table["provider"] == "aws") & (spot_table["region"] != "all"), "source"]
    band_rows = pd.DataFrame({"name": "spot_band_aws_" + bands["region"] + "_" + bands["instance_type"],
                              "value": bands["band"], "unit": "share of Spot instances interrupted per month (band)",
                              "source": band_source.iloc[0] if len(band_source) else "", "as_of": bands["as_of"],
                              "note": "converted with aws_spot_band_mapping"}).drop_duplicates("name").reset_index(drop=True)
    band_index = pd.Series(np.arange(len(band_rows)), index=band_rows["name"].to_numpy())
    band_row = np.where(band_mask, pd.Series(band_names).map(band_index).fillna(-1).to_numpy(float), -1).astype(int)
    codes, uniques = pd.factorize(joined["gpu"])
    return PreparedCloud(
        size=size, text=text, values=values, ids=ids_with(spot_ids), ids_spot_given=ids_with(given_ids),
        on_demand_row=on_demand_row, spot_row=spot_row, price_rows=price_rows, band_rows=band_rows,
        band_row=band_row, tdp_assumptions=tdp_assumptions(catalog),
        region_assumptions=region_assumptions(regions),
        gpus=tuple(str(u) for u in uniques), gpu_code=np.asarray(codes, int), peaks=peak_table(catalog),
        regions=frozenset(str(r) for r in joined["region"]),
        countries=frozenset(str(c) for c in regions["country_iso3"].dropna()),
        country_of={(str(p), str(r)): (None if pd.isna(c) else str(c)) for p, r, c in
                    zip(regions["provider"], regions["region"], regions["country_iso3"], strict=True)},
    )


def tdp_assumptions(catalog: Catalog) -> pd.DataFrame:
    """Every catalog GPU's TDP as an assumption row."""
    gpus = catalog.gpus.drop_duplicates("gpu")
    return _frame([Assumption(f"tdp_{g.gpu}", float(g.tdp_w), "W", str(g.source), "", str(g.name))
                   for g in gpus.itertuples() if pd.notna(g.tdp_w)])


def region_assumptions(regions: pd.DataFrame) -> pd.DataFrame:
    """Every cloud region's grid intensity and (Google) carbon-free share as assumption rows."""
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
    return pd.concat([grid_rows, cfe_rows], ignore_index=True)


# --- Owned ----------------------------------------------------------------------------------------------

def prepare_owned(options: Sequence[OwnedOption]) -> PreparedOwned:
    """Owned options as aligned arrays: the server's inputs, its site and its assumption ids."""
    options = tuple(options)
    s = [o.server for o in options]

    def floats(values: list[float]) -> np.ndarray:
        return np.asarray(values, dtype=float)

    text = {
        "region": np.array([o.site_zone for o in options], dtype=object),
        "location": np.array([o.site_name for o in options], dtype=object),
        "country": np.array([o.country for o in options], dtype=object),
        "server": np.array([x.server for x in s], dtype=object),
        "gpu": np.array([x.gpu for x in s], dtype=object),
    }
    values = {
        "gpus_per_server": floats([x.gpu_count for x in s]),
        "tdp_w": floats([o.tdp_w for o in options]),
        "memory_gb": np.full(len(options), np.nan),
        "host_w_per_gpu": floats([o.host_w_per_gpu for o in options]),
        "price_usd": floats([x.price_usd for x in s]),
        "overhead_pct": floats([x.overhead_pct_of_capex for x in s]),
        "resale_fraction": floats([x.resale_fraction for x in s]),
        "staff_usd": floats([x.staff_usd_per_server_year for x in s]),
        "hosting_usd_per_kw_month": floats([x.hosting_usd_per_kw_month for x in s]),
        "pue": floats([x.pue for x in s]),
        "electricity_usd_per_kwh": floats([x.electricity_usd_per_kwh for x in s]),
        "embodied_kg_per_server": floats([x.embodied_kg for x in s]),
        # The full-cost conventions (planner.owned_cost): idle draw, facility capital, capital recovery,
        # residual credit and staff per cluster.
        "idle_fraction": floats([x.idle_power_w / x.power_w for x in s]),
        "facility_usd_per_kw_year": floats([x.facility_usd_per_kw_year for x in s]),
        "discount_rate": floats([x.discount_rate for x in s]),
        "credit_residual": floats([float(x.credit_residual) for x in s]),
        "staff_fte_base": floats([x.staff_fte_base for x in s]),
        "staff_fte_per_server": floats([x.staff_fte_per_server for x in s]),
        "staff_free_servers": floats([x.staff_free_servers for x in s]),
        "staff_usd_per_fte_year": floats([x.staff_usd_per_fte_year for x in s]),
        "staff_usd_shared": floats([float(staff_share_usd_per_server_year(x)) for x in s]),
        "utilisation": floats([x.utilisation for x in s]),
        "lifetime": floats([x.lifetime_years for x in s]),
        "maintenance": floats([x.maintenance_pct_per_year for x in s]),
        "grid_low": floats([float(o.grid.low) for o in options]),  # type: ignore[arg-type]
        "grid_central": floats([float(o.grid.central) for o in options]),  # type: ignore[arg-type]
        "grid_high": floats([float(o.grid.high) for o in options]),  # type: ignore[arg-type]
    }
    ids = np.array([";".join(dict.fromkeys([
        f"price_{o.server.server}", f"tdp_{o.server.gpu}", "gpu_power_fraction_of_tdp", "gpu_power_fraction_range",
        f"throughput_ratio_{o.server.gpu}", "throughput_ratio_spread", *(a.name for a in o.assumptions),
        "owned_utilisation_range", "owned_lifetime_range", "maintenance_pct_range"])) for o in options], dtype=object)
    return PreparedOwned(options, text, values, ids)


# --- Memo: prepared once per input object ------------------------------------------------------------------

class _IdentityMemo:
    """The last few results of a function of large inputs, keyed by the inputs' identities.

    The inputs are held, so an id cannot be reused by another object while its entry lives.
    """

    def __init__(self, function: Callable[..., object], size: int = 4) -> None:
        self.function = function
        self.size = size
        self.entries: OrderedDict[tuple[int, ...], tuple[tuple[object, ...], object]] = OrderedDict()

    def __call__(self, *args: object) -> object:
        key = tuple(id(a) for a in args)
        hit = self.entries.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], args, strict=True)):
            self.entries.move_to_end(key)
            return hit[1]
        value = self.function(*args)
        self.entries[key] = (args, value)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        self.entries.clear()


_cloud_memo = _IdentityMemo(prepare_cloud)
_owned_memo = _IdentityMemo(lambda options: prepare_owned(options))


def cloud_for(catalog: Catalog, offers: pd.DataFrame, regions: pd.DataFrame, grid: pd.DataFrame,
              spot_table: pd.DataFrame) -> PreparedCloud:
    """``prepare_cloud`` of these exact objects, reused while they are the ones passed."""
    return _cloud_memo(catalog, offers, regions, grid, spot_table)  # type: ignore[return-value]


def owned_for(options: Sequence[OwnedOption]) -> PreparedOwned:
    """``prepare_owned`` of this exact sequence object (pass the same tuple to reuse it)."""
    if not isinstance(options, tuple):
        return prepare_owned(options)
    return _owned_memo(options)  # type: ignore[return-value]


def clear() -> None:
    """Forget every prepared input (tests; a refreshed snapshot is a new frame and needs no clearing)."""
    _cloud_memo.clear()
    _owned_memo.clear()
    _SNAPSHOT_ASSUMPTIONS.clear()
    _ARROW_TEXT.clear()
