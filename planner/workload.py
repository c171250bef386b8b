"""Training workloads: measured/published hours on a named GPU, or a compute budget that becomes GPU-hours.

Two ways in, one dataclass out:

- hours × GPU count on a named GPU (what papers publish), ``from_hours`` / ``from_gpu_hours``;
- a compute budget, ``C ≈ 6 · N · D`` FLOPs for a dense transformer of N parameters trained on D
  tokens (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Sec. 2.1), run at a
  model-FLOPs utilisation (MFU) of the GPU's peak: ``t = C / (n_gpu · peak · MFU)``, ``from_compute``.

``repeats`` multiplies a run for hyper-parameter tuning and experimentation (Strubell et al. 2019,
Table 1's "w/ tuning & experimentation"). ``convert`` moves a workload to another GPU through the
catalog's achieved-throughput ratio (``planner.throughput``) and says it is an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from planner.catalog import PRECISIONS, Catalog
from planner.errors import choice, fraction, positive

#: Bounds on compute-budget inputs: far beyond any published run (Llama 3.1 405B: ~3.8e25 FLOP).
MAX_COUNT = 1e16
MAX_FLOPS = 1e32

#: Training FLOPs per parameter per token for a dense transformer (forward + backward), Kaplan et al. 2020.
FLOPS_PER_PARAM_TOKEN = 6.0


@dataclass(frozen=True)
class Workload:
    """One training job.

    gpu : catalog GPU id; gpu_count : GPUs used in parallel [-]
    hours : wall-clock hours of one run [h]; repeats : how many runs (tuning) [-]
    precision : the precision its FLOPs run at (for GPU-to-GPU conversion)
    notes : how the figures were obtained (estimates say so)
    parameters : the model's parameter count where known (memory fit), else None
    batch_tokens : its global batch [tokens per optimiser step] where known (the Ethernet scaling rule), else
    None (Llama 2's 4M is used); batch_basis : the ``defaults.PUBLISHED_BATCHES`` key it is from ('' = given)
    """

    name: str
    gpu: str
    gpu_count: float
    hours: float
    repeats: float = 1.0
    precision: str = "bf16"
    source: str = "user input"
    notes: tuple[str, ...] = field(default=())
    parameters: float | None = None
    batch_tokens: float | None = None
    batch_basis: str = ""

    @property
    def gpu_hours(self) -> float:
        """GPU-hours of all runs: ``n_gpu · t · repeats`` [GPU·h]."""
        return self.gpu_count * self.hours * self.repeats

    @property
    def wall_hours(self) -> float:
        """Wall-clock hours of all runs back to back on ``gpu_count`` GPUs [h]."""
        return self.hours * self.repeats


def _validated(workload: Workload, catalog: Catalog) -> Workload:
    gpu = catalog.gpu(workload.gpu).gpu  # raises with close matches for an unknown id
    positive("gpu_count", workload.gpu_count)
    positive("hours", workload.hours, "h")
    positive("repeats", workload.repeats)
    choice("precision", workload.precision, PRECISIONS)
    return replace(workload, gpu=gpu)


def from_hours(catalog: Catalog, name: str, gpu: str, gpu_count: float, hours: float, repeats: float = 1.0,
               precision: str = "bf16", source: str = "user input", notes: tuple[str, ...] = (),
               parameters: float | None = None) -> Workload:
    """A workload from wall-clock hours on ``gpu_count`` GPUs (``parameters``: the model's size, if known)."""
    if parameters is not None:
        positive("parameters", parameters, maximum=MAX_COUNT)
    return _validated(Workload(name, gpu, float(gpu_count), float(hours), float(repeats), precision, source, notes,
                               parameters), catalog)


def from_gpu_hours(catalog: Catalog, name: str, gpu: str, gpu_hours: float, gpu_count: float, repeats: float = 1.0,
                   precision: str = "bf16", source: str = "user input", notes: tuple[str, ...] = ()) -> Workload:
    """A workload from total GPU-hours of one run, spread over ``gpu_count`` GPUs: ``t = GPU·h / n``."""
    positive("gpu_hours", gpu_hours, "GPU·h")
    positive("gpu_count", gpu_count)
    return from_hours(catalog, name, gpu, gpu_count, gpu_hours / gpu_count, repeats, precision, source, notes)


def training_flops(parameters: float, tokens: float) -> float:
    """Training compute of a dense transformer [FLOP]: ``C = 6 · N · D`` (Kaplan et al. 2020)."""
    return (FLOPS_PER_PARAM_TOKEN * positive("parameters", parameters, maximum=MAX_COUNT)
            * positive("tokens", tokens, maximum=MAX_COUNT))


def from_compute(catalog: Catalog, name: str, gpu: str, gpu_count: float, flops: float, mfu: float,
                 repeats: float = 1.0, precision: str = "bf16", source: str = "user input") -> Workload:
    """A workload from a compute budget.

    ``t = C / (n_gpu · peak_TFLOPs · 1e12 · MFU) / 3600``  [h]

    flops : training compute C [FLOP]; mfu : model-FLOPs utilisation in (0, 1] [-]
    """
    positive("flops", flops, "FLOP", maximum=MAX_FLOPS)
    fraction("mfu", mfu)
    positive("gpu_count", gpu_count)
    peak, column = catalog.gpu(gpu).tflops(choice("precision", precision, PRECISIONS))
    hours = flops / (gpu_count * peak * 1e12 * mfu) / 3600.0
    note = (f"hours from compute: {flops:.4g} FLOP / ({gpu_count:g} GPUs x {peak:g} TFLOP/s peak ({column}) "
            f"x MFU {mfu:g})")
    return from_hours(catalog, name, gpu, gpu_count, hours, repeats, precision, source, (note,))


def convert(catalog: Catalog, workload: Workload, to_gpu: str, gpu_count: float | None = None,
            ratio: float | None = None) -> Workload:
    """The same training moved to another GPU (and optionally another GPU count).

    ``GPU·h_new = GPU·h_old / r`` with the achieved throughput ratio at the workload's precision
    (``Catalog.throughput_ratio``, ``planner.throughput``; or a user-given ``ratio``); wall-clock hours scale with ``n_old / n_new`` (perfect scaling assumed).
    Always an estimate, and the notes say so.
    """
    target = catalog.gpu(to_gpu).gpu
    count = workload.gpu_count if gpu_count is None else positive("gpu_count", gpu_count)
    if ratio is None:
        if target == workload.gpu:
            ratio, note = 1.0, ""
        else:
            ratio, note = catalog.throughput_ratio(workload.gpu, target, workload.precision, workload.parameters)
    else:
        positive("throughput ratio", ratio)
        note = f"estimate: user-given throughput ratio {ratio:g} ({target} vs {workload.gpu})"
    hours = workload.hours * workload.gpu_count / (count * ratio)
    notes = workload.notes + ((note,) if note else ())
    if count != workload.gpu_count:
        notes += (f"estimate: {workload.gpu_count:g} -> {count:g} GPUs with perfect scaling",)
    if target == workload.gpu and count == workload.gpu_count:
        return workload
    return replace(workload, gpu=target, gpu_count=float(count), hours=hours, notes=notes)
