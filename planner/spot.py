"""Spot / preemptible capacity: how often it is reclaimed, and the extra hours that costs a training job.

One model, used by the comparison engine (``planner.compare``) and by procurement (``api.procurement_plan``,
``api.breakeven_curve``), so an offer's overhead is the same number in both. A synchronous job on ``k``
instances that checkpoints every ``c`` hours stops whenever any instance is reclaimed; each interruption
loses, on average, half a checkpoint interval of work, the restart ``r`` and the wait ``w_k`` for
replacement capacity:

    overhead = λ_job · (c / 2 + r + w_k)            (extra hours per hour of uninterrupted training)
    λ_job    = k · λ                                (interruptions per job-hour)
    w_k      = D · (1 − A^k)                        (availability term: capacity for k instances at once)

``λ`` [interruptions per instance-hour] is a hazard, anchored on the only provider statement with a time
base: Google's 5-15% of preemptible VMs preempted per day, ``λ = −ln(1 − p) / 24 h`` (central 10%/day:
0.00439/h, one interruption per 228 instance-hours). The AWS Spot Instance Advisor band is **not** a
hazard: it is the share of an instance type's Spot instances that AWS interrupted over the trailing month,
whatever each ran for (dividing it by 730 h, as trainplan did before, assumes every instance ran the whole
month and gives an 8×H100 node more than a year between interruptions). The band is used as a relative
index only: ``λ = λ_google · band / global``, with the advisor's global rate '<10%' (midpoint 5%) as the
average Spot instance. Types or regions without a band take the global rate; Azure (no stored rate) takes
Google's. The availability term compounds with ``k`` because reclaims come together (co-interruptions of
one type in one zone fall within 3 minutes in over 92% of cases, Spot-and-Scoot, 2026): ``A`` is the chance
one replacement instance is there at once and ``D`` the wait when it is not, both trainplan judgements with
wide ranges (``defaults.SPOT_AVAILABILITY_RANGE``, ``defaults.SPOT_CAPACITY_WAIT_RANGE``).

First order: work lost in a re-run is not itself interrupted again; checkpoint writing time is not charged.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner import defaults, text
from planner.units import Num

HOURS_PER_DAY = 24.0
#: Assumption ids every spot row lists after its hazard's.
SPOT_IDS_SUFFIX = (";spot_checkpoint_interval_hours;spot_restart_hours;spot_instance_availability;"
                   "spot_capacity_wait_hours")


def hazard_from_daily_share(share_pct: Num) -> Num:
    """Interruptions per instance-hour from the share of VMs preempted per day: ``λ = −ln(1 − p/100) / 24 h``.

    A constant hazard λ reclaims ``1 − e^(−24 λ)`` of the VMs running through a day; share [%].
    """
    return -np.log1p(-np.asarray(share_pct, dtype=float) / 100.0) / HOURS_PER_DAY


def hazard_from_band(band_pct: Num, global_pct: Num, reference_per_hour: Num) -> Num:
    """An AWS band as a hazard relative to the advisor's global rate: ``λ = λ_ref · band / global`` [1/h]."""
    return reference_per_hour * np.asarray(band_pct, dtype=float) / global_pct


def job_interruptions_per_hour(instances: Num, rate_per_instance_hour: Num) -> Num:
    """``λ_job = k · λ`` [1/h]: any of ``k`` instances being reclaimed stops a synchronous job."""
    return instances * rate_per_instance_hour


def capacity_wait_hours(instances: Num, availability: Num, wait_hours: Num) -> Num:
    """Expected wait for replacement capacity after an interruption: ``w_k = D · (1 − A^k)`` [h].

    instances : k; availability : A, the chance one replacement instance is there at once [-];
    wait_hours : D, the wait when capacity is short [h]. One instance rarely waits; 64 nearly always do.
    """
    return wait_hours * (1.0 - _power(availability, instances))


def _power(base: Num, exponent: Num) -> Num:
    """``base ** exponent``; for a (1, draws) base and a (rows, 1) exponent of few distinct values (instance
    counts in a Monte Carlo block), each distinct row once, then copied (the same values); for one positive
    base and a row of exponents, ``e^(k · ln A)`` (an exponential per row costs a third of a power)."""
    if np.ndim(base) == 0 and isinstance(exponent, np.ndarray) and exponent.ndim == 1 and float(base) > 0:
        return np.exp(exponent * math.log(base))
    if isinstance(base, np.ndarray) and isinstance(exponent, np.ndarray) and base.ndim == 2 and \
            exponent.ndim == 2 and base.shape[0] == 1 and exponent.shape[1] == 1 and exponent.shape[0] > 8:
        values, inverse = np.unique(exponent[:, 0], return_inverse=True)
        if 4 * len(values) <= exponent.shape[0]:
            return (base ** values[:, None])[inverse.reshape(-1)]
    return base ** exponent


def overhead_fraction(interruptions_per_hour: Num, checkpoint_interval_hours: Num, restart_hours: Num,
                      capacity_wait: Num = 0.0) -> Num:
    """Expected extra hours per hour of training: ``λ_job · (c / 2 + r + w_k)`` [-].

    interruptions_per_hour : λ_job [1/h]; checkpoint_interval_hours : c [h]; restart_hours : r [h];
    capacity_wait : w_k [h] (``capacity_wait_hours``). Applied to wall hours, GPU-hours, cost and energy
    alike: ``t_spot = t · (1 + overhead)``; the instances are held (and billed) while the job waits.
    """
    return interruptions_per_hour * (checkpoint_interval_hours / 2.0 + restart_hours + capacity_wait)


def aws_bands(spot_table: pd.DataFrame) -> pd.DataFrame:
    """The AWS advisor bands per (region, instance_type): columns region, instance_type, band, as_of."""
    rows = spot_table[(spot_table["provider"] == "aws") & (spot_table["region"] != "all")]
    rows = rows[rows["band_or_rate"].isin(defaults.AWS_SPOT_BANDS_PCT)]
    return (rows.rename(columns={"instance_type_or_family": "instance_type", "band_or_rate": "band"})
            [["region", "instance_type", "band", "as_of"]].drop_duplicates(["region", "instance_type"]))


def interruption_rates(offers: pd.DataFrame, spot_table: pd.DataFrame, bands: pd.DataFrame | None = None
                       ) -> pd.DataFrame:
    """Low / central / high interruptions per instance-hour for each offer row (aligned to its index).

    Columns: ``rate_low``, ``rate_central``, ``rate_high`` [1/h], ``rate_basis`` (what the rate is
    from, e.g. ``aws advisor band 5-10% (us-east-1 p4d.24xlarge)``) and ``rate_name`` (the assumption name).
    Non-spot rows get 0 (and an empty basis). Every bound uses Google's per-day share at the same bound.
    bands : ``aws_bands(spot_table)`` where the caller has it already.
    """
    # Computed once per distinct (provider, region, instance type, pricing), then taken per offer: a few
    # operations on small arrays whatever the row count (pandas' per-operation cost dominated an estimate's
    # ~100 offers; a synthetic snapshot of 100 copies of each offer has no more distinct places than one).
    bands = aws_bands(spot_table) if bands is None else bands
    band_region, band_type, band_pct, band_as_of = (bands[c].to_numpy(dtype=object)
                                                    for c in ("region", "instance_type", "band", "as_of"))
    band_of = dict(zip(zip(band_region, band_type, strict=True), zip(band_pct, band_as_of, strict=True), strict=True))
    keys = [offers[c] for c in ("provider", "region", "instance_type", "pricing")]
    codes, first = text.distinct_codes(*keys)
    provider, region, instance_type, pricing = (np.asarray(k.array.take(first), dtype=object) for k in keys)
    found = [band_of.get(k) for k in zip(region, instance_type, strict=True)]
    is_aws = provider == "aws"
    has_band = is_aws & np.array([f is not None for f in found], dtype=bool)
    band = np.array([f[0] if f is not None and aws else defaults.AWS_SPOT_GLOBAL_BAND
                     for f, aws in zip(found, is_aws, strict=True)], dtype=object)
    pct = np.array([defaults.AWS_SPOT_BANDS_PCT[b] for b in band], dtype=float).reshape(len(band), 3)
    reference = hazard_from_daily_share(np.asarray(defaults.GCP_PREEMPTION_PCT_PER_DAY, dtype=float))
    global_pct = defaults.AWS_SPOT_BANDS_PCT[defaults.AWS_SPOT_GLOBAL_BAND][1]
    is_spot = pricing == "spot"
    out = pd.DataFrame(index=offers.index)
    for i, bound in enumerate(("low", "central", "high")):
        aws_rate = hazard_from_band(pct[:, i], global_pct, reference[i])
        out[f"rate_{bound}"] = np.where(is_spot, np.where(is_aws, aws_rate, reference[i]), 0.0)[codes]
    basis = np.where(has_band, "aws advisor band " + band + " (" + region + " " + instance_type + ")",
                     np.where(is_aws, "aws advisor global rate <10% (no band for this type/region)",
                              np.where(provider == "gcp", "gcp documented 5-15% per day",
                                       "azure: no stored rate; gcp's 5-15% per day used")))
    out["rate_basis"] = np.where(is_spot, basis, "").astype(object)[codes]
    name = np.where(has_band, "spot_band_aws_" + region + "_" + instance_type,
                    np.where(is_aws, "aws_spot_band_mapping", "gcp_preemption_pct_per_day"))
    out["rate_name"] = np.where(is_spot, name, "").astype(object)[codes]
    as_of = np.array(["" if f is None or pd.isna(f[1]) else f[1] for f in found], dtype=object)
    out["rate_as_of"] = np.where(has_band, as_of, "").astype(object)[codes]
    return out


def central_overhead(offers: pd.DataFrame, spot_table: pd.DataFrame, instances: Num) -> np.ndarray:
    """The overhead of each offer at every input's central value, as the engine computes its central row.

    instances : k per offer (or one k for all). 0 for offers that are not spot.
    """
    rates = interruption_rates(offers, spot_table)["rate_central"].to_numpy(float)
    checkpoint, restart = (float(defaults.SPOT_CHECKPOINT_INTERVAL_HOURS.value),
                           float(defaults.SPOT_RESTART_HOURS.value))
    wait = capacity_wait_hours(instances, float(defaults.SPOT_INSTANCE_AVAILABILITY.value),
                               float(defaults.SPOT_CAPACITY_WAIT_HOURS.value))
    return np.asarray(overhead_fraction(job_interruptions_per_hour(instances, rates), checkpoint, restart, wait),
                      dtype=float)


def assumptions() -> tuple[defaults.Assumption, ...]:
    """The spot model's shared assumptions (each offer adds its own hazard row)."""
    return (defaults.AWS_SPOT_BANDS, defaults.GCP_PREEMPTION, defaults.SPOT_CHECKPOINT_INTERVAL_HOURS,
            defaults.SPOT_RESTART_HOURS, defaults.SPOT_INSTANCE_AVAILABILITY, defaults.SPOT_CAPACITY_WAIT_HOURS)


def high_to_central(instances: Num) -> Num:
    """How many times its central value an overhead is with every input at its high end, for ``k`` instances.

    For the reference hazard (Google's 15% vs 10% per day) and the checkpoint, restart and capacity ranges of
    ``planner.defaults``: a tornado's high end for an overhead whose offer is not at hand (the low end is 0,
    never interrupted). One 8-GPU instance: 1.5426 · (0.5 + 1 + 0.8) / 0.55 = 6.45.
    """
    reference = hazard_from_daily_share(np.asarray(defaults.GCP_PREEMPTION_PCT_PER_DAY, dtype=float))

    def loss(i: int) -> Num:
        return (defaults.SPOT_CHECKPOINT_INTERVAL_RANGE[i] / 2.0 + defaults.SPOT_RESTART_RANGE[i]
                + capacity_wait_hours(instances, defaults.SPOT_AVAILABILITY_RANGE[i], defaults.SPOT_CAPACITY_WAIT_RANGE[i]))
    return reference[2] * loss(2) / (reference[1] * loss(1))
