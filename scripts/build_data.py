"""Build the package's shipped SQLite database from ``../shared/data`` and ``data_src/``.

    python scripts/build_data.py                 # writes planner/data/trainplan.sqlite
    python scripts/build_data.py --out /tmp/x.sqlite --shared ../shared

Every table keeps each row's source; tables also get a ``retrieved`` date (when the data was gathered,
from the folder's README) where the source rows carry no date of their own. The build is
deterministic: the same inputs give the same tables and rows, which a test checks against the
committed file. Rows that fail a price check are not shipped as offers; they are listed in
``price_anomalies`` and printed.
"""

from __future__ import annotations

import argparse
import hashlib
import sqlite3
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grid_build import cloud_region_grid, zone_grid  # noqa: E402

from pricing.cache import ensure_schema, write_snapshot  # noqa: E402
from pricing.shipped import shipped_offers  # noqa: E402

DEFAULT_OUT = REPO / "planner" / "data" / "trainplan.sqlite"
# The nearest ``shared/`` folder above the checkout (a worktree may sit one level deeper than the main one).
DEFAULT_SHARED = next((p / "shared" for p in REPO.parents if (p / "shared" / "data").is_dir()), REPO.parent / "shared")

# Dates the shared data folders were gathered (their READMEs), stored with rows that carry no date.
RETRIEVED = {"carbon": "2026-11-24", "hardware": "2026-11-24", "prices": "2026-11-24", "workloads": "2026-11-25"}

# (table name, path under shared/data or data_src, retrieved key or None)
TABLES = (
    ("gpus", "hardware/gpus.csv", "hardware"),
    ("servers", "hardware/servers.csv", "hardware"),
    ("electricity_prices", "hardware/electricity_prices.csv", "hardware"),
    ("ownership_defaults", "hardware/ownership_defaults.csv", "hardware"),
    ("cloud_regions", "carbon/cloud_regions.csv", "carbon"),
    ("grid_intensity", "carbon/grid_intensity.csv", "carbon"),
    ("pue", "carbon/pue.csv", "carbon"),
    ("embodied", "carbon/embodied.csv", "carbon"),
    ("ccf_coefficients", "carbon/ccf_coefficients.csv", "carbon"),
    ("ccf_emission_factors", "carbon/ccf_emission_factors.csv", "carbon"),
    ("energy_mix_2019", "carbon/energy_mix_2019_strubell.csv", "carbon"),
    ("strubell_constants", "carbon/strubell_2019_constants.csv", "carbon"),
    ("gcp_2019_prices", "prices/gcp_2019_strubell.csv", "prices"),
    ("spot_interruption", "prices/spot_interruption.csv", "prices"),
    ("published_runs", "workloads/published_runs.csv", "workloads"),
    ("mfu", "workloads/mfu.csv", "workloads"),
)
LOCAL_TABLES = (
    ("gpus_extra", "gpus_extra.csv"),
    ("gcp_host_map", "gcp_host_map.csv"),
    ("strubell2019_inputs", "strubell2019_inputs.csv"),
    ("gpu_memory_bandwidth", "gpu_memory_bandwidth.csv"),
    ("instance_interconnect", "instance_interconnect.csv"),
    ("server_interconnect", "server_interconnect.csv"),
    ("retired_sizes", "retired_sizes.csv"),
    ("local_zone_spot", "local_zone_spot.csv"),  # AWS spot minima of the extract that include a Local Zone
    ("fx_rates", "fx_rates.csv"),  # ECB reference rates: electricity prices published in EUR and CAD -> USD
)
# Mapping tables the price clients read at run time: stored as text, exactly as written.
TEXT_TABLES = (
    ("accelerator_map", "accelerator_map.csv"),
    ("gcp_machine_types", "gcp_machine_types.csv"),
    ("azure_vm_sizes", "azure_vm_sizes.csv"),
)

CATALOG_SOURCE = {
    "aws": "skypilot-org/skypilot-catalog@2c3d7ea7 catalogs/v9/aws/vms.csv (public AWS list prices; spot = minimum over the "
           "region's zones at catalog build time, 2025 or later; the catalog's zones may include Local Zones), extracted "
           "in shared/data/prices/aws_gpu_vms.csv",
    "gcp": "skypilot-org/skypilot-catalog@2c3d7ea7 catalogs/v9/gcp/vms.csv (accelerator + host VM rows summed; spot = min over "
           "zones), extracted in shared/data/prices/gcp_gpu_vms.csv and gcp_host_vms.csv; A2/A3/G2 in us-central1, us-east4, "
           "us-west1, europe-west4, asia-southeast1 from shared/data/prices/gcp_accelerator_list_prices.csv (list prices)",
    "azure": "skypilot-org/skypilot-catalog@098741e7 catalogs/v6/azure/vms.csv (public Azure retail prices, 9 US regions), "
             "extracted in shared/data/prices/azure_gpu_vms.csv",
}
SNAPSHOT_FETCHED_AT = RETRIEVED["prices"]
# The sources' own dates (shared/data/prices/README.md): SkyPilot's catalog commits are undated (2025 or later).
_SKYPILOT_DATE = "unknown (SkyPilot catalog commit date not recorded; 2025 or later)"
SOURCE_DATE = {"aws": _SKYPILOT_DATE, "azure": _SKYPILOT_DATE,
               "gcp": _SKYPILOT_DATE + "; A2/A3/G2 list prices in 5 regions 2026-07-30"}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace({"": None})


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns whose every non-empty cell is a number become REAL; the rest stay TEXT."""
    out = frame.copy()
    for column in out.columns:
        values = out[column].dropna()
        if len(values) and pd.to_numeric(values, errors="coerce").notna().all():
            out[column] = pd.to_numeric(out[column])
    return out


def _markdown_table(text: str, heading: str) -> pd.DataFrame:
    """The first pipe table under a ``## heading`` line of a Markdown file."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## ") and heading in line)
    rows = []
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    header, body = rows[0], [r for r in rows[2:]]
    return pd.DataFrame(body, columns=header)


def _reference_tables(reference: Path) -> dict[str, pd.DataFrame]:
    """The paper's published figures (Tables 1, 3, 4), kept as text: they are the comparison column only."""
    text = reference.read_text(encoding="utf-8")
    source = "Strubell, Ganesh & McCallum 2019 (ACL), as transcribed in shared/reference/strubell2019.md"
    tables = {
        "strubell2019_table1": _markdown_table(text, "Table 1"),
        "strubell2019_table3": _markdown_table(text, "Table 3"),
        "strubell2019_table4": _markdown_table(text, "Table 4"),
    }
    for frame in tables.values():
        frame.columns = [c.replace(" ", "_").replace("·", "_").lower() for c in frame.columns]
        frame["source"] = source
    return tables


def validate_interconnect(frames: dict[str, pd.DataFrame]) -> None:
    """Fail the build on an interconnect or bandwidth row the scaling model cannot use (a class it does not
    know, a non-positive bandwidth, a missing source)."""
    fabrics, intra = ("rdma", "ethernet"), ("nvlink", "pcie", "ici")
    for name in ("instance_interconnect", "server_interconnect"):
        frame = frames[name]
        bad = frame[~frame["fabric"].isin(fabrics) | ~frame["intra"].isin(intra)
                    | ~(pd.to_numeric(frame["network_gbps"], errors="coerce") > 0) | frame["source"].isna()]
        if len(bad):
            raise SystemExit(f"data_src/{name}.csv: bad rows (fabric {fabrics}, intra {intra}, network_gbps > 0, "
                             f"source): {bad.iloc[0].to_dict()}")
    kinds = frames["instance_interconnect"]["match_kind"]
    if not kinds.isin(("exact", "prefix")).all():
        raise SystemExit("data_src/instance_interconnect.csv: match_kind must be exact or prefix")
    bandwidth = frames["gpu_memory_bandwidth"]
    if not (pd.to_numeric(bandwidth["memory_bandwidth_gbs"], errors="coerce") > 0).all() or \
            bandwidth["gpu"].duplicated().any():
        raise SystemExit("data_src/gpu_memory_bandwidth.csv: one row per gpu with memory_bandwidth_gbs > 0")


def build(shared: Path, out: Path) -> pd.DataFrame:
    """Write the database to ``out`` (replacing it). Returns the price anomalies kept out of the offers."""
    data = shared / "data"
    frames: dict[str, pd.DataFrame] = {}
    inputs: list[tuple[str, str]] = []
    for table, rel, retrieved in TABLES:
        frame = _read(data / rel)
        frame["retrieved"] = RETRIEVED[retrieved]
        frames[table] = _numeric(frame)
        inputs.append((f"shared/data/{rel}", hashlib.sha256((data / rel).read_bytes()).hexdigest()))
    for table, rel in LOCAL_TABLES:
        frames[table] = _numeric(_read(REPO / "data_src" / rel))
        inputs.append((f"data_src/{rel}", hashlib.sha256((REPO / "data_src" / rel).read_bytes()).hexdigest()))
    for table, rel in TEXT_TABLES:
        frames[table] = pd.read_csv(REPO / "data_src" / rel, dtype=str, keep_default_na=False)
        inputs.append((f"data_src/{rel}", hashlib.sha256((REPO / "data_src" / rel).read_bytes()).hexdigest()))
    validate_interconnect(frames)
    reference = shared / "reference" / "strubell2019.md"
    frames.update(_reference_tables(reference))
    inputs.append(("shared/reference/strubell2019.md", hashlib.sha256(reference.read_bytes()).hexdigest()))

    yearly = {}
    for name in ("grid_intensity_yearly", "gcp_region_carbon_yearly"):
        yearly[name] = _numeric(_read(data / "carbon" / f"{name}.csv"))
        inputs.append((f"shared/data/carbon/{name}.csv",
                       hashlib.sha256((data / "carbon" / f"{name}.csv").read_bytes()).hexdigest()))
    # One location-based intensity per place, its latest year (scripts/grid_build.py).
    zones = frames["grid_intensity"]
    frames["cloud_regions"] = cloud_region_grid(frames["cloud_regions"], yearly["gcp_region_carbon_yearly"],
                                                yearly["grid_intensity_yearly"], zones)
    frames["grid_intensity"] = zone_grid(zones, yearly["grid_intensity_yearly"]).assign(retrieved=RETRIEVED["carbon"])
    # A GPU in data_src/gpus_extra.csv with the id of a shared row replaces it (the row says why).
    frames["gpus"] = frames["gpus"][~frames["gpus"]["gpu"].isin(frames["gpus_extra"]["gpu"])].reset_index(drop=True)
    prices = {name: _numeric(_read(data / "prices" / f"{name}.csv"))
              for name in ("aws_gpu_vms", "azure_gpu_vms", "gcp_gpu_vms", "gcp_host_vms",
                           "gcp_accelerator_list_prices")}
    for name in prices:
        inputs.append((f"shared/data/prices/{name}.csv",
                       hashlib.sha256((data / "prices" / f"{name}.csv").read_bytes()).hexdigest()))
    offers, anomalies = shipped_offers(
        prices["aws_gpu_vms"], prices["azure_gpu_vms"], prices["gcp_gpu_vms"], prices["gcp_host_vms"],
        frames["gcp_host_map"], frames["cloud_regions"], _numeric(frames["accelerator_map"]),
        fetched_at=SNAPSHOT_FETCHED_AT, sources=CATALOG_SOURCE,
        gcp_list=prices["gcp_accelerator_list_prices"], retired=frames["retired_sizes"],
        local_zone_spot=frames["local_zone_spot"],
    )
    frames["price_anomalies"] = anomalies
    frames.update(time_and_water_tables(data, inputs))
    frames["build_inputs"] = pd.DataFrame(inputs, columns=["path", "sha256"]).drop_duplicates(ignore_index=True)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        for table in sorted(frames):
            frames[table].to_sql(table, conn, index=False)
        ensure_schema(conn)
        for provider in ("aws", "azure", "gcp"):
            write_snapshot(conn, provider, offers[offers["provider"] == provider], SNAPSHOT_FETCHED_AT,
                           CATALOG_SOURCE[provider], source_date=SOURCE_DATE[provider])
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    tmp.replace(out)
    return anomalies


# --- Grid intensity over time, and water (issue 19) -------------------------------------------------------

#: When the shared folders' time series and water files were gathered (their READMEs: "added 2026-12-01").
TIME_WATER_RETRIEVED = "2026-12-01"
#: Keys of the series sources stored once in ``grid_series_sources`` (rows carry the key, not the long text).
_SERIES_KEYS = {"Ember Yearly Electricity Data (country_overview_yearly)": "ember_yearly",
                "Our World in Data grapher carbon-intensity-electricity (Ember/Energy Institute based)": "owid_fill"}


def _wue_regions(wue: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Published WUE rows that name a cloud region id, one row per (provider, region, year).

    ``us-east-1 (N. Virginia)`` and ``eastus and eastus2 (Virginia)`` name region ids; a row is kept only
    where a word of its parenthetical place appears in the region's location in ``cloud_regions`` (so
    ``westus (Washington)``, Azure westus being California, and ``northeurope (Finland)``, northeurope
    being Ireland, are left out as ambiguous).
    """
    providers = {"AWS": "aws", "Microsoft Azure": "azure"}
    location = regions.set_index(["provider", "region"])["location"].str.lower()
    records = []
    for row in wue.itertuples(index=False):
        provider = providers.get(row.provider)
        scope = str(row.scope_region_or_site)
        if provider is None or "(" not in scope:
            continue
        ids, place = scope.split("(", 1)
        words = [w for w in place.rstrip(")").replace(",", " ").lower().split() if len(w) >= 4]
        for region in (part.strip() for part in ids.split(" and ")):
            where = location.get((provider, region))
            if where is None or not any(w in where for w in words):
                continue
            records.append({"provider": provider, "region": region, "year": int(row.year),
                            "wue_l_per_kwh": float(row.wue_l_per_kwh), "metric": row.metric, "source": row.source,
                            "source_date": row.source_date, "note": f"published as '{scope}'"})
    out = pd.DataFrame(records).drop_duplicates(["provider", "region", "year"], keep="first")
    return out.sort_values(["provider", "region", "year"], kind="mergesort").reset_index(drop=True)


def _check(frame: pd.DataFrame, name: str, column: str) -> None:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any() or (values < 0).any():
        raise SystemExit(f"{name}: {column} must be a number >= 0 in every row")


def time_and_water_tables(data: Path, inputs: list[tuple[str, str]]) -> dict[str, pd.DataFrame]:
    """Yearly and monthly grid series, the IEA projection, WUE and the water intensity of electricity.

    ``grid_yearly`` (Ember, 216 zones) and ``grid_monthly`` (Ember monthly, 90 zones) carry a ``source_key``
    into ``grid_series_sources`` (source, basis, version); ``gcp_region_carbon_yearly`` (Google, per region);
    ``grid_projection`` (IEA forecast, data_src); ``wue_onsite`` (+ the derived Google fleet row) and
    ``wue_region`` (the rows that name a region id); ``ewif_by_zone``, ``ewif_by_technology``.
    """
    def shared(rel: str) -> pd.DataFrame:
        inputs.append((f"shared/data/{rel}", hashlib.sha256((data / rel).read_bytes()).hexdigest()))
        return _read(data / rel)

    def local(rel: str) -> pd.DataFrame:
        inputs.append((f"data_src/{rel}", hashlib.sha256((REPO / "data_src" / rel).read_bytes()).hexdigest()))
        return _read(REPO / "data_src" / rel)

    yearly = shared("carbon/grid_intensity_yearly.csv")
    monthly = shared("carbon/grid_intensity_monthly.csv")
    sources = yearly.drop_duplicates("source")[["source", "basis", "source_version"]].copy()
    sources["source_key"] = sources["source"].map(_SERIES_KEYS)
    if sources["source_key"].isna().any():
        raise SystemExit(f"grid_intensity_yearly: unknown source {sources.loc[sources['source_key'].isna(), 'source']}")
    month_source = monthly["source"].unique()
    if len(month_source) != 1:
        raise SystemExit("grid_intensity_monthly: expected one source for every row")
    sources = pd.concat([sources, pd.DataFrame([{
        "source_key": "ember_monthly", "source": month_source[0].split(", ember-climate")[0],
        "basis": "lifecycle CO2e per kWh of generation, as Ember reports it; used for the seasonal shape only "
                 "(each year rescaled to the yearly level)", "source_version": month_source[0]}])],
        ignore_index=True)
    sources["retrieved"] = TIME_WATER_RETRIEVED
    yearly = yearly.assign(source_key=yearly["source"].map(_SERIES_KEYS))[["zone", "year", "gco2e_per_kwh",
                                                                           "source_key"]]
    monthly = monthly.assign(source_key="ember_monthly")[["zone", "year", "month", "gco2e_per_kwh", "source_key"]]
    monthly = _numeric(monthly)
    if not monthly["month"].between(1, 12).all():
        raise SystemExit("grid_intensity_monthly: month must be 1..12")
    gcp = shared("carbon/gcp_region_carbon_yearly.csv")
    projection = local("grid_projection_iea.csv")
    wue = pd.concat([shared("water/wue_onsite.csv"), local("wue_derived.csv")], ignore_index=True)
    ewif_zone = shared("water/ewif_by_zone.csv")
    ewif_tech = shared("water/ewif_by_technology.csv")
    for frame, name, column in ((yearly, "grid_yearly", "gco2e_per_kwh"), (monthly, "grid_monthly", "gco2e_per_kwh"),
                                (gcp, "gcp_region_carbon_yearly", "grid_gco2e_per_kwh"),
                                (projection, "grid_projection", "gco2_per_kwh"), (wue, "wue_onsite", "wue_l_per_kwh"),
                                (ewif_zone, "ewif_by_zone", "l_per_kwh")):
        _check(frame, name, column)
    regions = _read(data / "carbon" / "cloud_regions.csv")
    tables = {"grid_series_sources": sources, "grid_yearly": yearly, "grid_monthly": monthly,
              "gcp_region_carbon_yearly": gcp, "grid_projection": projection, "wue_onsite": wue,
              "wue_region": _wue_regions(_numeric(wue.dropna(subset=["year"])), regions),
              "ewif_by_zone": ewif_zone, "ewif_by_technology": ewif_tech}
    out = {}
    for name, frame in tables.items():
        frame = frame.copy()
        if "retrieved" not in frame.columns:
            frame["retrieved"] = TIME_WATER_RETRIEVED
        out[name] = _numeric(frame)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder (default: ../shared)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    anomalies = build(args.shared, args.out)
    counts = anomalies.groupby("reason").size()
    print(f"wrote {args.out}")
    for reason, count in counts.items():
        print(f"  kept out of offers: {count:4d} rows: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
