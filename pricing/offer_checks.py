"""Checks every price row must pass before it is used, the same at build and at refresh.

Each check returns the rows it sets aside, with a reason; :func:`check_offers` runs them in order and
splits a table of offers into the rows kept and the anomalies (``ANOMALY_COLUMNS``). A row that fails
is never priced silently: it is listed by ``trainplan prices status --anomalies``.

The checks, in order:

1. spot above on-demand for the same VM (provider, region, instance_type): BOTH rows set aside, since
   either may be the wrong one (a non-list SKU in the on-demand slot makes on-demand look cheap);
   spot equal to on-demand: the spot row set aside (catalogs use it as a "no spot data" placeholder).
2. on-demand price per GPU outside :data:`PRICE_BAND` times the reference price of the same instance type
   (same GPU, same host shape) at the same provider: the median over its regions of trusted rows where
   there are some, else of all rows. The row and its spot partner are set aside. (Comparing whole VMs of
   different shapes would not do: a 1-GPU VM with 64 vCPUs costs 4x a 1-GPU VM with 4 per GPU.)
3. A100 80 GB cheaper per GPU than A100 40 GB at the same provider and region (on-demand): both sides set
   aside (the 80 GB part is never sold below the 40 GB one).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

ANOMALY_COLUMNS = ("provider", "region", "instance_type", "gpu", "pricing", "usd_per_hour", "usd_per_gpu_hour",
                   "reason")
#: Allowed on-demand USD per GPU-hour as a multiple of the same GPU's reference price at the same provider.
#: Google's list prices for one GPU differ by region by at most 1.29x (H100: europe-west4 14.07 vs
#: us-central1 11.06 per GPU-hour, shared/data/prices/gcp_accelerator_list_prices.csv, 2026-07-30); AWS's by
#: at most 1.5x, and Middle East GCP regions sit at 1.6x (G2 me-central2). With the median over regions as
#: the reference, no AWS or Azure row of the shipped extract falls below 0.8x; the known GCP non-list (DWS)
#: SKUs sit at 0.40-0.71x (A3 High 0.49x; A2 High asia-northeast3 0.71x, whose A100 part 1.70586 is Google's
#: "attached to DWS Defined Duration VMs" price in Seoul).
PRICE_BAND = (0.75, 2.0)
#: Fewest regions an instance type needs for its median to be a reference (two regions give no middle).
MIN_BAND_REGIONS = 3
REASON_SPOT_ABOVE = "spot above on-demand (both rows set aside)"
REASON_SPOT_EQUAL = "spot equal to on-demand: no spot discount data"
REASON_BAND = "on-demand outside {lo:g}-{hi:g}x the median of the same instance type over its regions"
REASON_BAND_PARTNER = "spot row of an on-demand row outside the price band"
REASON_A100 = "A100 80 GB priced below A100 40 GB in the same region (both set aside)"

_VM = ["provider", "region", "instance_type"]


def _aside(rows: pd.DataFrame, reason: str | pd.Series) -> pd.DataFrame:
    out = rows.assign(reason=reason)
    return out.loc[:, list(ANOMALY_COLUMNS)]


def spot_pair_anomalies(offers: pd.DataFrame) -> pd.Index:
    """Index labels of rows failing check 1, and the reason of each (as a Series over those labels)."""
    od = offers[offers["pricing"] == "on_demand"]
    spot = offers[offers["pricing"] == "spot"]
    pair = spot.reset_index().merge(od.reset_index(), on=_VM, suffixes=("_spot", "_od"))
    above = pair[pair["usd_per_hour_spot"] > pair["usd_per_hour_od"] * (1 + 1e-9)]
    equal = pair[(pair["usd_per_hour_spot"] - pair["usd_per_hour_od"]).abs() <= 1e-9 * pair["usd_per_hour_od"]]
    reasons = pd.Series(dtype=object)
    for labels, reason in ((above["index_spot"], REASON_SPOT_ABOVE), (above["index_od"], REASON_SPOT_ABOVE),
                           (equal["index_spot"], REASON_SPOT_EQUAL)):
        reasons = pd.concat([reasons, pd.Series(reason, index=labels.to_numpy(), dtype=object)])
    return reasons[~reasons.index.duplicated()]


def reference_prices(offers: pd.DataFrame, min_regions: int = 1) -> dict[tuple[str, str], float]:
    """(provider, instance_type) -> median on-demand USD per GPU-hour of ``offers`` over regions, for the instance
    types priced in at least ``min_regions`` regions."""
    od = offers[offers["pricing"] == "on_demand"]
    grouped = od.groupby(["provider", "instance_type"])["usd_per_gpu_hour"].agg(["median", "count"])
    grouped = grouped[grouped["count"] >= min_regions]
    return {key: float(value) for key, value in grouped["median"].items()}


def band_anomalies(offers: pd.DataFrame, reference: Mapping[tuple[str, str], float],
                   band: tuple[float, float] = PRICE_BAND) -> pd.Series:
    """Reasons for on-demand rows outside ``band`` x reference, and for their spot partners (check 2)."""
    lo, hi = band
    reasons = {}
    od = offers[offers["pricing"] == "on_demand"]
    bad_vms = set()
    for label, row in od.iterrows():
        ref = reference.get((row["provider"], row["instance_type"]))
        if ref is None:
            continue
        ratio = row["usd_per_gpu_hour"] / ref
        if not lo <= ratio <= hi:
            reasons[label] = REASON_BAND.format(lo=lo, hi=hi)
            bad_vms.add((row["provider"], row["region"], row["instance_type"]))
    spot = offers[offers["pricing"] == "spot"]
    for label, row in spot.iterrows():
        if (row["provider"], row["region"], row["instance_type"]) in bad_vms:
            reasons[label] = REASON_BAND_PARTNER
    return pd.Series(reasons, dtype=object)


def a100_anomalies(offers: pd.DataFrame) -> pd.Series:
    """Reasons for the A100 rows of a (provider, region) where 80 GB is cheaper per GPU than 40 GB (check 3)."""
    od = offers[(offers["pricing"] == "on_demand") & offers["gpu"].str.startswith("a100-")]
    reasons = {}
    for _, group in od.groupby(["provider", "region"]):
        big = group[group["gpu"].str.endswith("80gb")]
        small = group[group["gpu"].str.endswith("40gb")]
        if len(big) and len(small) and big["usd_per_gpu_hour"].median() < small["usd_per_gpu_hour"].median():
            for label in (*big.index, *small.index):
                reasons[label] = REASON_A100
    return pd.Series(reasons, dtype=object)


def check_offers(offers: pd.DataFrame, reference: Mapping[tuple[str, str], float] | None = None,
                 band: tuple[float, float] = PRICE_BAND,
                 retired: Mapping[tuple[str, str], str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows kept, rows set aside with ``reason``), running the three checks in order.

    reference : (provider, instance_type) -> trusted USD per GPU-hour; one not in it is compared with the
        median of its rows that passed check 1 (None: that median for every one)
    retired : (provider, instance_type) -> retirement date; those rows are set aside first
    """
    table = offers.reset_index(drop=True)
    anomalies = []
    if retired:
        gone = pd.Series([retired.get((p, i)) for p, i in zip(table["provider"], table["instance_type"], strict=True)],
                         index=table.index, dtype=object)
        gone = gone[gone.notna()]
        if len(gone):
            anomalies.append(_aside(table.loc[gone.index], "retired on " + gone.astype(str)))
            table = table.drop(index=gone.index)
    spot = spot_pair_anomalies(table)
    if len(spot):
        anomalies.append(_aside(table.loc[spot.index], spot))
        table = table.drop(index=spot.index)
    refs = reference_prices(table, MIN_BAND_REGIONS)
    refs.update(reference or {})
    band_bad = band_anomalies(table, refs, band)
    if len(band_bad):
        anomalies.append(_aside(table.loc[band_bad.index], band_bad))
        table = table.drop(index=band_bad.index)
    a100 = a100_anomalies(table)
    if len(a100):
        anomalies.append(_aside(table.loc[a100.index], a100))
        table = table.drop(index=a100.index)
    aside = (pd.concat(anomalies, ignore_index=True) if anomalies
             else pd.DataFrame(columns=list(ANOMALY_COLUMNS)))
    # a spot row whose on-demand partner went in checks 2-3 cannot be checked against it: it goes too
    gone = set(map(tuple, aside.loc[aside["pricing"] == "on_demand", _VM].to_numpy()))
    in_gone = pd.Series([tuple(v) in gone for v in table[_VM].to_numpy()], index=table.index, dtype=bool)
    orphan = table[(table["pricing"] == "spot") & in_gone]
    if len(orphan):
        aside = pd.concat([aside, _aside(orphan, REASON_BAND_PARTNER.replace("outside the price band",
                                                                               "set aside"))], ignore_index=True)
        table = table.drop(index=orphan.index)
    return table.reset_index(drop=True), aside.reset_index(drop=True)
