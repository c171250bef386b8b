"""Achieved training throughput across GPUs: how many times faster one GPU trains the workload than another.

Replaces the peak-FLOP ratio as the default conversion (peak ratios count a B200 as 7.2 A100s and an H100 as
3.2; MosaicML's MPT-7B benchmark measured 2.29 for A100-80GB -> H100). In order of preference:

1. **Measured, same model** — both GPUs have a published model-FLOPs utilisation (MFU) for the same model
   in the shipped ``mfu`` table (MosaicML llm-foundry benchmarks: MPT 7B/30B/70B on A100-40GB, A100-80GB and
   H100): ``r = (MFU_t · peak_t) / (MFU_s · peak_s)`` at the bf16 tensor peak the MFU is quoted against. The
   central value is the model nearest in size to the workload (the median without a size); the range is the
   lowest and highest over the models both GPUs share.
2. **Estimated, roofline** — otherwise the speed-up lies between the compute ceiling ``r_peak = peak_t /
   peak_s`` (at the workload's precision: tensor-core rate for mixed precision) and the memory-bandwidth
   ceiling ``r_bw = BW_t / BW_s``: central ``√(r_peak · r_bw)``, range ``[min, max]``. Checked against rule 1:
   A100-80GB -> H100 gives √(3.17 · 1.64) = 2.28 against 2.29 measured (MPT-7B).
3. **Peak only** — where a GPU has no memory bandwidth in the data: ``r_peak`` with the ±25% judgement band
   (``defaults.THROUGHPUT_RATIO_SPREAD``), and the assumption says so.

A user ratio for a GPU (``--ratio GPU=R``) replaces all of this for that GPU. Pure functions over frames.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from planner import defaults
from planner.catalog import Catalog
from planner.defaults import Assumption

RATIO_COLUMNS = ["gpu", "ratio_low", "ratio_central", "ratio_high", "ratio_name", "ratio_method"]
#: Precisions whose MFU rows are comparable (mixed-precision tensor-core training, or not stated).
_MFU_PRECISIONS = ("bf16", "fp16", "not stated")
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*B\b", re.IGNORECASE)

ROOFLINE = Assumption(
    "throughput_roofline", "sqrt(peak ratio x bandwidth ratio)", "x (central; range = the two ratios)",
    "trainplan method: achieved speed-up between the compute ceiling (peak TFLOP/s at the workload's precision, "
    "gpus table) and the memory-bandwidth ceiling (gpu_memory_bandwidth, NVIDIA/AMD/Google datasheets); checked "
    "against MosaicML llm-foundry MPT-7B: A100-80GB -> H100 sqrt(3.17 x 1.64) = 2.28 vs 2.29 measured", "2026")


def model_size(name: str) -> float | None:
    """Parameters in a model name: 'MPT 7B' -> 7e9, 'GPT-3 175B (…)' -> 1.75e11; None if none."""
    hit = _SIZE.search(str(name))
    return float(hit.group(1)) * 1e9 if hit else None


def usable_mfu(mfu: pd.DataFrame) -> pd.DataFrame:
    """Rows of the ``mfu`` table that measure mixed-precision (or unstated) training on a catalog GPU."""
    if mfu is None or mfu.empty:
        return pd.DataFrame(columns=["model", "gpu", "mfu", "source"])
    precision = mfu["precision"].astype(str).str.lower()
    keep = precision.str.startswith(_MFU_PRECISIONS) & ~precision.str.contains("fp8") & (mfu["gpu"] != "other")
    return mfu[keep & mfu["mfu"].notna()].reset_index(drop=True)


def mfu_by_gpu(mfu: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """{gpu: {model: median MFU}} of the usable rows (``usable_mfu``)."""
    return _medians(usable_mfu(mfu))


def _medians(rows: pd.DataFrame) -> dict[str, dict[str, float]]:
    """``mfu_by_gpu`` of rows already narrowed by ``usable_mfu``."""
    medians = rows.groupby(["gpu", "model"])["mfu"].median()
    out: dict[str, dict[str, float]] = {}
    for (gpu, model), value in medians.items():
        out.setdefault(str(gpu), {})[str(model)] = float(value)
    return out


def measured_ratio(mfu: pd.DataFrame | dict[str, dict[str, float]], peaks_bf16: Mapping[str, float], source: str,
                   target: str, parameters: float | None = None) -> tuple[float, float, float, str] | None:
    """Speed-up of ``target`` over ``source`` from the models both have an MFU for, or None.

    mfu : the ``mfu`` table, or its ``mfu_by_gpu`` medians.
    ``r_m = (MFU_t,m · peak_t) / (MFU_s,m · peak_s)`` per shared model m; returns (lowest, central, highest,
    the models used) with central = the model nearest the workload's size in log terms (median without one).
    """
    by_gpu = mfu if isinstance(mfu, dict) else mfu_by_gpu(mfu)
    s, t = by_gpu.get(source, {}), by_gpu.get(target, {})
    shared = sorted(set(s) & set(t))
    if not shared or not peaks_bf16.get(source) or not peaks_bf16.get(target):
        return None
    ratios = pd.Series({m: float(t[m] * peaks_bf16[target] / (s[m] * peaks_bf16[source])) for m in shared})
    sizes = {m: model_size(m) for m in shared}
    if parameters and all(sizes.values()):
        nearest = min(shared, key=lambda m: abs(np.log(sizes[m] / parameters)))  # type: ignore[operator]
        central, basis = float(ratios[nearest]), f"{nearest} (nearest in size)"
    else:
        central, basis = float(ratios.median()), "median of " + ", ".join(shared)
    detail = "; ".join(f"{m}: MFU {t[m]:.4g} x {peaks_bf16[target]:g} / ({s[m]:.4g} x {peaks_bf16[source]:g}) = "
                       f"{ratios[m]:.3f}" for m in shared)
    return float(ratios.min()), central, float(ratios.max()), f"{basis}; {detail}"


def roofline_ratio(peak_s: float, peak_t: float, bw_s: float, bw_t: float) -> tuple[float, float, float]:
    """(lowest, central, highest) speed-up between the compute and bandwidth ceilings: central ``√(r_p · r_b)``."""
    r_peak, r_bw = peak_t / peak_s, bw_t / bw_s
    return min(r_peak, r_bw), float(np.sqrt(r_peak * r_bw)), max(r_peak, r_bw)


def ratio_table(catalog: Catalog, source_gpu: str, precision: str, gpus: Iterable[str],
                overrides: Mapping[str, float] | None = None, mfu: pd.DataFrame | None = None,
                parameters: float | None = None) -> tuple[pd.DataFrame, list[Assumption], list[str]]:
    """Per option GPU: the speed-up Range over ``source_gpu`` (low = the *highest* speed-up, fewest hours),
    its assumption, and notes for GPUs that cannot be converted.

    Returns (frame with ``RATIO_COLUMNS``; ratio_method is user | same | measured | roofline | peak,
    assumptions, notes).
    """
    overrides = dict(overrides or {})
    data = _lookups(catalog, mfu)
    peaks, columns = data["peaks"][precision], data["columns"][precision]
    bandwidth, bf16 = data["bandwidth"], data["peaks"]["bf16"]
    lo, _, hi = defaults.THROUGHPUT_RATIO_SPREAD
    use_measured = precision in ("bf16", "fp16") and mfu is not None
    medians = data["medians"] if use_measured else {}
    records, assumptions, notes = [], [], []
    base_peak = peaks.get(source_gpu, np.nan)
    base_bw = bandwidth.get(source_gpu, np.nan)
    unit = f"x {source_gpu}"
    for gpu in sorted(set(gpus)):
        name = f"throughput_ratio_{gpu}"
        if gpu in overrides:
            r = float(overrides[gpu])
            records.append((gpu, r, r, r, name, "user"))
            assumptions.append(Assumption(name, r, unit, "user input", ""))
            continue
        if gpu == source_gpu:
            records.append((gpu, 1.0, 1.0, 1.0, name, "same"))
            assumptions.append(Assumption(name, 1.0, unit, "same GPU as the workload", ""))
            continue
        measured = measured_ratio(medians, bf16, source_gpu, gpu, parameters) if use_measured else None
        if measured is not None:
            low, central, high, detail = measured
            records.append((gpu, high, central, low, name, "measured"))
            sources = "; ".join(sorted(data["sources"].get(gpu, set()) | data["sources"].get(source_gpu, set())))
            assumptions.append(Assumption(name, central, unit, f"measured MFU of the same models: {sources}", "",
                                          f"achieved ratio (range {low:.3f}-{high:.3f}); {detail}"))
            continue
        target_peak = peaks.get(gpu, np.nan)
        if not target_peak > 0 or not base_peak > 0:
            notes.append(f"{gpu}: skipped, no peak {precision} throughput in the catalog to convert "
                         f"{source_gpu} hours (give a throughput ratio for it)")
            continue
        target_bw = bandwidth.get(gpu, np.nan)
        column_t, column_s = columns.get(gpu, ""), columns.get(source_gpu, "")
        if target_bw > 0 and base_bw > 0:
            low, central, high = roofline_ratio(base_peak, target_peak, base_bw, target_bw)
            records.append((gpu, high, central, low, name, "roofline"))
            assumptions.append(Assumption(
                name, central, unit, "estimate: gpus table peak TFLOP/s and gpu_memory_bandwidth (datasheets)", "",
                f"sqrt(peak {target_peak:g}/{base_peak:g} ({column_t} / {column_s}) x bandwidth "
                f"{target_bw:g}/{base_bw:g} GB/s); range {low:.3f}-{high:.3f}"))
        else:
            ratio = target_peak / base_peak
            records.append((gpu, ratio * hi, ratio, ratio * lo, name, "peak"))
            assumptions.append(Assumption(
                name, ratio, unit, "estimate: gpus table peak TFLOP/s only (no memory bandwidth in the data)", "",
                f"peak {precision} ratio {gpu} {target_peak:g} TFLOP/s ({column_t}) / {source_gpu} {base_peak:g} "
                f"TFLOP/s ({column_s}); range x{lo:g}-x{hi:g} (throughput_ratio_spread)"))
    return pd.DataFrame(records, columns=RATIO_COLUMNS), assumptions, notes


# Per (catalog, mfu table): peaks, bandwidths and MFU medians as dicts, built once (the shipped catalog and
# table never change at run time; the objects are kept here so their ids are not reused).
_LOOKUPS: dict[tuple[int, int], tuple[object, object, dict]] = {}


def _lookups(catalog: Catalog, mfu: pd.DataFrame | None) -> dict:
    key = (id(catalog), id(mfu))
    if key not in _LOOKUPS:
        gpus = catalog.gpus.drop_duplicates("gpu").set_index("gpu")
        bandwidth = (pd.to_numeric(gpus["memory_bandwidth_gbs"], errors="coerce") if "memory_bandwidth_gbs" in gpus
                     else pd.Series(np.nan, index=gpus.index))
        frames = {p: catalog.peak_tflops(p) for p in ("fp32", "fp16", "bf16")}
        used = usable_mfu(mfu)
        sources: dict[str, set[str]] = {}
        mfu_rows: dict[str, list[float]] = {}  # each GPU's rows in table order, one pass
        for gpu, source, value in zip(used["gpu"].astype(str), used["source"].astype(str), used["mfu"], strict=True):
            sources.setdefault(gpu, set()).add(source)
            mfu_rows.setdefault(gpu, []).append(float(value))
        data = {"peaks": {p: {g: float(v) for g, v in zip(f["gpu"], f["tflops"], strict=True) if v > 0}
                          for p, f in frames.items()},
                "columns": {p: dict(zip(f["gpu"], f["column"], strict=True)) for p, f in frames.items()},
                "bandwidth": {g: float(v) for g, v in bandwidth.items() if v > 0},
                "memory_gb": {g: float(v) for g, v in pd.to_numeric(gpus["memory_gb"], errors="coerce").items()
                              if v > 0},
                "medians": _medians(used), "sources": sources,
                "mfu_rows": mfu_rows,
                "mfu_all": [float(v) for v in used["mfu"]]}
        if len(_LOOKUPS) > 16:
            _LOOKUPS.clear()
        _LOOKUPS[key] = (catalog, mfu, data)
    return _LOOKUPS[key][2]


def default_mfu(mfu: pd.DataFrame | None, gpu: str, catalog: Catalog | None = None) -> tuple[float, str]:
    """The model-FLOPs utilisation assumed on ``gpu`` without a user value, and where it comes from.

    The median of the shipped table's mixed-precision rows on that GPU; the median of all its GPU rows for a
    GPU it does not cover. ``catalog``: reuse its memoised lookups.
    """
    if catalog is not None:
        data = _lookups(catalog, mfu)
        own, every = data["mfu_rows"].get(gpu, []), data["mfu_all"]
    else:
        rows = usable_mfu(mfu)
        own, every = list(rows.loc[rows["gpu"] == gpu, "mfu"]), list(rows["mfu"])
    if own:
        return float(np.median(own)), f"median of {len(own)} mfu rows on {gpu}"
    return float(np.median(every)), f"median of all {len(every)} GPU mfu rows ({gpu} has none)"


def achieved_flops_per_gpu(catalog: Catalog, mfu: pd.DataFrame | None, gpu: str, precision: str) -> float:
    """``peak(gpu, precision) · MFU_default(gpu)`` [FLOP/s]; 0 where the catalog has no peak."""
    peak = _lookups(catalog, mfu)["peaks"][precision].get(gpu, 0.0)
    return peak * 1e12 * default_mfu(mfu, gpu, catalog)[0] if peak and mfu is not None else peak * 1e12 * 0.4


def predicted_gpu_hours(parameters: float, tokens: float, peak_tflops: float, mfu: float) -> float:
    """GPU-hours of a run from its compute alone: ``6·N·D / (peak · 1e12 · MFU) / 3600`` [GPU·h]."""
    return 6.0 * parameters * tokens / (peak_tflops * 1e12 * mfu) / 3600.0


def published_predictions(runs: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Each verified published run with parameters, tokens and a catalog GPU, predicted from its compute alone.

    ``H = 6·N·D / (peak_bf16 · MFU_default(gpu)) / 3600`` against the published GPU-hours, or, where only GPUs
    and days are published (MPT), ``GPUs · days · 24`` (derived, and the ``basis`` column says so).
    Columns: run_id, model, gpu, params, tokens, mfu, mfu_basis, predicted_gpu_hours, published_gpu_hours,
    basis, error (predicted / published − 1).
    """
    known = set(catalog.gpu_ids())
    peaks = catalog.peak_tflops("bf16").set_index("gpu")["tflops"]
    records = []
    for row in runs.itertuples():
        if row.verified != "yes" or row.gpu not in known or pd.isna(row.params_b) or pd.isna(row.tokens_b):
            continue
        if "INCONSISTENT" in str(row.notes):
            continue
        if pd.notna(row.gpu_hours):
            published, basis = float(row.gpu_hours), "published GPU-hours"
        elif pd.notna(row.gpu_count) and pd.notna(row.days):
            published, basis = float(row.gpu_count) * float(row.days) * 24.0, "GPUs x days x 24 (derived)"
        else:
            continue
        mfu_value, mfu_basis = default_mfu(catalog.mfu, row.gpu)
        predicted = predicted_gpu_hours(float(row.params_b) * 1e9, float(row.tokens_b) * 1e9, float(peaks[row.gpu]),
                                        mfu_value)
        records.append({"run_id": row.run_id, "model": row.model, "gpu": row.gpu, "params": float(row.params_b) * 1e9,
                        "tokens": float(row.tokens_b) * 1e9, "mfu": mfu_value, "mfu_basis": mfu_basis,
                        "predicted_gpu_hours": predicted, "published_gpu_hours": published, "basis": basis,
                        "error": predicted / published - 1.0})
    return pd.DataFrame(records)


def gpu_memory_gb(catalog: Catalog) -> dict[str, float]:
    """{gpu id: memory per GPU [GB]} of the catalog (memoised with its other lookups)."""
    return _lookups(catalog, catalog.mfu)["memory_gb"]
