"""Spot / preemptible capacity: how often it is reclaimed, and the extra hours that costs a training job.

A job that checkpoints every ``c`` hours and needs ``r`` hours to restart loses, per interruption,
on average half a checkpoint interval of work plus the restart:

    overhead = λ_job · (c / 2 + r)        (extra hours per hour of uninterrupted training)
    λ_job    = k · λ                      (k instances; a synchronous job stops when any one is reclaimed)

``λ`` [interruptions per instance-hour] comes from the shipped ``spot_interruption`` table:

- AWS: the Spot Instance Advisor band of the instance type in the region (share of capacity reclaimed over
  the trailing month), ``λ = share / 730 h`` with the band's midpoint (``defaults.AWS_SPOT_BANDS_PCT``);
  types or regions without a band use the advisor's global '<10%'.
- GCP: the documented 5-15% of preemptible VMs per day, ``λ = share / 24 h``; Azure publishes no stored
  figure, so its Spot VMs use the same rate (said in the assumption's note).

This is a first-order model: work lost in a re-run is not itself interrupted again, and checkpoint
writing time is not charged (it is small next to the interval for asynchronous checkpoints).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner import defaults
from planner.units import Num

HOURS_PER_DAY = 24.0
#: Assumption ids every spot row lists after its hazard's.
SPOT_IDS_SUFFIX = ";spot_checkpoint_interval_hours;spot_restart_hours"


def rate_per_hour_from_share(share_pct: Num, period_hours: Num) -> Num:
    """Interruptions per instance-hour from the share of instances reclaimed in a period.

    ``λ = (share / 100) / T``  [1/h]; share [%], T [h]. Each reclaimed instance counts once per period.
    """
    return share_pct / 100.0 / period_hours


def job_interruptions_per_hour(instances: Num, rate_per_instance_hour: Num) -> Num:
    """``λ_job = k · λ`` [1/h]: any of ``k`` instances being reclaimed stops a synchronous job."""
    return instances * rate_per_instance_hour


def overhead_fraction(interruptions_per_hour: Num, checkpoint_interval_hours: Num, restart_hours: Num) -> Num:
    """Expected extra hours per hour of training: ``λ_job · (c / 2 + r)`` [-].

    interruptions_per_hour : λ_job [1/h]; checkpoint_interval_hours : c [h]; restart_hours : r [h].
    Applied to wall hours, GPU-hours, cost and energy alike: ``t_spot = t · (1 + overhead)``.
    """
    return interruptions_per_hour * (checkpoint_interval_hours / 2.0 + restart_hours)


def aws_bands(spot_table: pd.DataFrame) -> pd.DataFrame:
    """The AWS advisor bands per (region, instance_type): columns region, instance_type, band."""
    rows = spot_table[(spot_table["provider"] == "aws") & (spot_table["region"] != "all")]
    rows = rows[rows["band_or_rate"].isin(defaults.AWS_SPOT_BANDS_PCT)]
    return (rows.rename(columns={"instance_type_or_family": "instance_type", "band_or_rate": "band"})
            [["region", "instance_type", "band", "as_of"]].drop_duplicates(["region", "instance_type"]))


def interruption_rates(offers: pd.DataFrame, spot_table: pd.DataFrame) -> pd.DataFrame:
    """Low / central / high interruptions per instance-hour for each offer row (aligned to its index).

    Columns: ``rate_low``, ``rate_central``, ``rate_high`` [1/h], ``rate_basis`` (what the rate is
    from, e.g. ``aws band 5-10% (us-east-1 p4d.24xlarge)``) and ``rate_name`` (the assumption name).
    Non-spot rows get 0 (and an empty basis).
    """
    out = pd.DataFrame(index=offers.index)
    bands = aws_bands(spot_table)
    merged = offers[["provider", "region", "instance_type"]].reset_index().merge(
        bands, on=["region", "instance_type"], how="left").set_index("index").reindex(offers.index)
    is_aws = offers["provider"] == "aws"
    band = merged["band"].where(is_aws & merged["band"].notna(), "<10%")
    pct = pd.DataFrame(band.map(defaults.AWS_SPOT_BANDS_PCT).tolist(), index=offers.index,
                       columns=["low", "central", "high"])
    daily = np.asarray(defaults.GCP_PREEMPTION_PCT_PER_DAY, dtype=float)
    is_spot = (offers["pricing"] == "spot").to_numpy()
    for i, bound in enumerate(("low", "central", "high")):
        aws_rate = rate_per_hour_from_share(pct[bound].to_numpy(float), defaults.HOURS_PER_MONTH)
        other = rate_per_hour_from_share(daily[i], HOURS_PER_DAY)
        out[f"rate_{bound}"] = np.where(is_spot, np.where(is_aws.to_numpy(), aws_rate, other), 0.0)
    has_band = is_aws & merged["band"].notna()
    basis = np.where(has_band, "aws advisor band " + band + " (" + offers["region"] + " " + offers["instance_type"] + ")",
                     np.where(is_aws, "aws advisor global rate <10% (no band for this type/region)",
                              np.where(offers["provider"] == "gcp", "gcp documented 5-15% per day",
                                       "azure: no stored rate; gcp's 5-15% per day used")))
    out["rate_basis"] = np.where(is_spot, basis, "")
    name = np.where(has_band, "spot_band_aws_" + offers["region"] + "_" + offers["instance_type"],
                    np.where(is_aws, "aws_spot_band_mapping", "gcp_preemption_pct_per_day"))
    out["rate_name"] = np.where(is_spot, name, "")
    out["rate_as_of"] = np.where(has_band, merged["as_of"].fillna(""), "")
    return out
