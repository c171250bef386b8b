"""Grid carbon intensity for the shipped database: one location-based value per place, its latest year, sourced.

Pure functions over the shared CSVs (``shared/data/carbon``), used by ``build_data.py``:

- :func:`cloud_region_grid`: each cloud region's grid intensity. GCP: Google's latest yearly region file.
  AWS and Azure: the EPA eGRID2023 state rate where the region's US state is known, eGRID2023's national
  rate for US regions without one (GovCloud); the Canadian provinces take Google's own latest value for its
  region in the same province (Montreal, Toronto); everything else Ember's latest year for the country.
- :func:`zone_grid`: the site zones. Countries, the EU and the world get Ember's latest year (replacing
  the older codecarbon/OWID snapshot); the derived Canadian province rows, which have no year, are dropped.

Every row keeps ``source``, ``year`` and a ``basis`` that says what the number counts (location-based,
lifecycle or combustion). Market-based figures (Google's CFE share) stay in their own column.
"""

from __future__ import annotations

import pandas as pd

EMBER_SOURCE = "Ember Yearly Electricity Data (CC BY 4.0), via shared/data/carbon/grid_intensity_yearly.csv: {version}"
EGRID_NATIONAL = "US-EGRID-NATIONAL"
# Google's region in the same province as an AWS/Azure region whose province is known (Google's own
# location-based value for that grid is finer than Canada's national average).
PROVINCE_GCP_REGION = {"CA-QC": "northamerica-northeast1", "CA-ON": "northamerica-northeast2"}
BASIS = {
    "gcp": "location-based: Google's grid carbon intensity for the region (average gross operational emissions)",
    "egrid": "location-based: EPA eGRID2023 CO2e total output emission rate (combustion only)",
    "ember": "location-based: Ember lifecycle CO2e of domestic generation (country)",
}


def latest_per(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The row of the latest ``year`` for each value of ``key``."""
    return frame.sort_values([key, "year"], kind="mergesort").groupby(key, sort=True).tail(1).set_index(key)


def cloud_region_grid(regions: pd.DataFrame, gcp_yearly: pd.DataFrame, ember_yearly: pd.DataFrame,
                      zones: pd.DataFrame) -> pd.DataFrame:
    """``cloud_regions`` with ``grid_gco2e_per_kwh``, ``year``, ``source``, ``basis`` (and GCP's CFE) from the
    latest data; raises ValueError for a region no rule covers (no silent fallback)."""
    google = latest_per(gcp_yearly, "region")
    ember = latest_per(ember_yearly, "zone")
    states = zones[zones["level"].isin(["us_state", "country_egrid"])].set_index("zone")
    out = regions.copy()
    values, years, sources, bases, cfe = [], [], [], [], []
    for row in regions.itertuples(index=False):
        subdivision = row.subdivision if isinstance(row.subdivision, str) else ""
        google_region = row.region if row.provider == "gcp" else PROVINCE_GCP_REGION.get(subdivision)
        if google_region is not None:
            hit = google.loc[google_region]
            value, year, basis = hit["grid_gco2e_per_kwh"], hit["year"], BASIS["gcp"]
            source = str(hit["source"])
            if row.provider != "gcp":
                source = f"{source}; Google's {google_region} value for the same province ({subdivision})"
            share = hit["google_cfe_fraction"] * 100 if row.provider == "gcp" else float("nan")
        elif row.country_iso3 == "USA":
            zone = subdivision if subdivision.startswith("US-") else EGRID_NATIONAL
            hit = states.loc[zone]
            value, year, basis, source = hit["gco2e_per_kwh"], hit["year"], BASIS["egrid"], str(hit["source"])
            if zone == EGRID_NATIONAL:
                source += "; national rate (the region's state is not published)"
            share = float("nan")
        elif row.country_iso3 in ember.index:
            hit = ember.loc[row.country_iso3]
            value, year, basis = hit["gco2e_per_kwh"], hit["year"], BASIS["ember"]
            source = EMBER_SOURCE.format(version=hit["source_version"])
            share = float("nan")
        else:
            raise ValueError(f"cloud region {row.provider} {row.region}: no grid intensity for {row.country_iso3}")
        values.append(float(value))
        years.append(int(year))
        sources.append(source)
        bases.append(basis)
        cfe.append(round(float(share), 6) if share == share else None)
    out["grid_gco2e_per_kwh"] = values
    out["year"] = years
    out["google_cfe_pct"] = cfe
    out["source"] = sources
    out["basis"] = bases
    return out


def zone_grid(zones: pd.DataFrame, ember_yearly: pd.DataFrame) -> pd.DataFrame:
    """``grid_intensity`` with countries, EU and WORLD at Ember's latest year, and no row without a year."""
    ember = latest_per(ember_yearly, "zone")
    names = zones.drop_duplicates("zone").set_index("zone")["name"]
    keep = zones[~zones["level"].isin(["country", "world", "ca_province"]) | zones["zone"].eq("US-EPA-2018")]
    rows = []
    for zone, hit in ember.iterrows():
        rows.append({"zone": zone, "name": names.get(zone, "EU-27" if zone == "EU" else zone),
                     "level": "world" if zone == "WORLD" else ("region" if zone == "EU" else "country"),
                     "gco2e_per_kwh": float(hit["gco2e_per_kwh"]), "year": int(hit["year"]),
                     "basis": f"gCO2e/kWh, {hit['basis']}",
                     "source": EMBER_SOURCE.format(version=hit["source_version"])
                     if str(hit["source"]).startswith("Ember") else f"{hit['source']}: {hit['source_version']}"})
    out = pd.concat([pd.DataFrame(rows), keep.loc[:, ["zone", "name", "level", "gco2e_per_kwh", "year", "basis",
                                                      "source"]]], ignore_index=True)
    if out["year"].isna().any():
        raise ValueError("grid_intensity: a row without a year")
    out["year"] = out["year"].astype(int)
    return out.sort_values(["level", "zone"], kind="mergesort").reset_index(drop=True)
