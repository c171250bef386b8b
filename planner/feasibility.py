"""Can an option really train the workload? Sizing to a deadline, and the ``feasible`` / ``infeasible_reason``
columns of every compared row. Pure column functions over the comparison engine's row frames.

Sizing
    An option's GPU-hours at the workload's own scaling are ``H₁ = H_w / r`` (``planner.throughput``). On
    ``n = k · G`` GPUs in ``k`` instances (servers) of ``G`` it takes ``t(k) = H₁ / (n · e(n, k) / e_w)`` with
    the scaling efficiency ``e`` of its interconnect (``planner.scaling``) relative to the workload's own
    ``e_w``. With a deadline ``D`` each option gets the fewest whole instances with ``t(k) ≤ D`` (spot rows:
    ``t(k) ≤ D / (1 + o)`` with the default spot overhead ``o``, since interruptions add hours) and at least
    the instances whose memory holds the model; without a deadline it keeps the workload's GPU count.
Reasons (``infeasible_reason``, ``; ``-joined; empty when feasible)
    ``memory``   the training state per GPU (``planner.memory``) exceeds the GPU's memory;
    ``deadline`` no whole number of instances up to ``MAX_JOB_GPUS`` finishes in time;
    ``scaling``  more GPUs would be within ``MAX_JOB_GPUS`` but the interconnect's efficiency falls so fast
    that adding them cannot meet the deadline;
    ``no price`` the option has no cost;
    ``slow``     without a deadline: wall-clock above ``SLOW_MULTIPLE`` × the workload's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import defaults, scaling
from planner.defaults import Assumption
from planner.errors import PlanError, positive
from planner.memory import MemoryModel, memory_assumptions, min_gpus_to_fit, required_gb_per_gpu
from planner.ranges import BOUNDS, Range

REASONS = ("memory", "deadline", "scaling", "no price", "slow")

SLOW_MULTIPLE = Assumption(
    "slow_multiple", 3.0, "x the workload's wall-clock",
    "trainplan rule: without a deadline an option taking more than 3x the workload's own wall-clock is not "
    "offered as a way to run it (an A100-class job moved to a V100 takes about 2.5x: Volta is the oldest "
    "generation kept)", "2026", "give a deadline to size every option to it instead")
MAX_JOB_GPUS = Assumption(
    "max_job_gpus", 16384.0, "GPUs",
    "Largest published training job in the shipped mfu table: Llama 3.1 405B on 16,384 H100 (Llama Team 2024, "
    "Table 4)", "2024", "a deadline needing more GPUs than this is infeasible")
DEFAULT_DEADLINE_DAYS = Assumption(
    "default_deadline_days", 30.0, "days",
    "trainplan's default for presets without a published GPU count: a month of wall-clock, between the shipped "
    "published runs MPT-7B (9.5 days) and Falcon-40B ('two months')", "2026",
    "the preset gets the fewest whole 8-GPU servers that finish its GPU-hours in this time")
UNKNOWN_NETWORK_GBPS = 10.0


@dataclass(frozen=True)
class Plan:
    """What the feasibility check needs beyond the row frames.

    memory : the model's memory needs (``MemoryModel()``: unknown, no check)
    deadline_hours : the wall-clock every option must meet [h], or None (keep the workload's GPU count)
    workload_wall_hours : the workload's own wall-clock [h]; workload_gpus : its GPU count
    base_flops_per_gpu : the workload GPU's achieved FLOP/s (peak x default MFU), for the Ethernet rule
    gpu_memory_gb : {gpu id: memory per GPU [GB]}
    """

    workload_wall_hours: float
    workload_gpus: float
    base_flops_per_gpu: float = 0.0
    memory: MemoryModel = field(default_factory=MemoryModel)
    deadline_hours: float | None = None
    gpu_memory_gb: dict[str, float] = field(default_factory=dict)
    slow_multiple: float = float(SLOW_MULTIPLE.value)
    max_gpus: float = float(MAX_JOB_GPUS.value)
    batch_tokens: float = float(scaling.GLOBAL_BATCH_TOKENS.value)
    whole_instances: bool = True

    def __post_init__(self) -> None:
        if self.deadline_hours is not None:
            positive("deadline", self.deadline_hours, "h")
        positive("slow_multiple", self.slow_multiple)

    @property
    def workload_efficiency(self) -> float:
        """The workload's own scaling efficiency (taken on an RDMA cluster of its GPU count)."""
        return float(scaling.rdma_efficiency(self.workload_gpus))


@dataclass(frozen=True)
class Options:
    """The user's feasibility inputs and the tables they use (what ``compare`` needs to build a ``Plan``).

    memory : the model's memory needs; deadline_hours : [h] or None; slow_multiple : see ``SLOW_MULTIPLE``
    mfu : the shipped ``mfu`` table (measured ratios, default MFU); instance_interconnect /
    server_interconnect : the shipped interconnect tables (None: no scaling model, efficiency 1)
    """

    memory: MemoryModel = field(default_factory=MemoryModel)
    deadline_hours: float | None = None
    slow_multiple: float = float(SLOW_MULTIPLE.value)
    mfu: pd.DataFrame | None = None
    instance_interconnect: pd.DataFrame | None = None
    server_interconnect: pd.DataFrame | None = None


def make_plan(options: Options, workload_wall_hours: float, workload_gpus: float, base_flops_per_gpu: float,
              gpu_memory_gb: dict[str, float], whole_instances: bool = True) -> Plan:
    """A ``Plan`` from the user's options and the workload's figures."""
    return Plan(workload_wall_hours=workload_wall_hours, workload_gpus=workload_gpus,
                base_flops_per_gpu=base_flops_per_gpu, memory=options.memory, deadline_hours=options.deadline_hours,
                gpu_memory_gb=gpu_memory_gb, slow_multiple=options.slow_multiple, whole_instances=whole_instances)


def _efficiency(plan: Plan, gpus: np.ndarray, instances: np.ndarray, rdma: np.ndarray, flops: np.ndarray,
                gbps: np.ndarray) -> np.ndarray:
    factor = scaling.ZERO3_COMM_FACTOR if plan.memory.sharding in ("zero3", "fsdp") else 1.0
    return scaling.scaling_efficiency(gpus, instances, rdma, flops, gbps, plan.batch_tokens,
                                      factor) / plan.workload_efficiency


def size(rows: pd.DataFrame, ranges: dict[str, Range], plan: Plan, per_unit: str, units: str,
         spot_overhead: float = float(defaults.SPOT_OVERHEAD_FRACTION.value)
         ) -> tuple[pd.DataFrame, dict[str, Range]]:
    """Rows sized to the plan, and the ratio Range scaled by each row's relative scaling efficiency.

    rows : the engine's row inputs with workload_gpu_hours, gpu_count, billed_gpus, gpu, throughput_ratio,
    ``per_unit`` (GPUs per instance or server), ``units`` (instances or servers; NaN for shared owned rows),
    fabric_rdma (0/1), network_gbps, and optionally host_w (scaled with the GPU count) and is_spot
    Adds scaling_efficiency, memory_required_gb, gpu_memory_gb and sizing_reason; with a deadline, the GPU
    count becomes the sized instances' GPUs.
    """
    rows = rows.copy()
    g = rows[per_unit].to_numpy(float)
    n_old = rows["gpu_count"].to_numpy(float)
    h1 = rows["workload_gpu_hours"].to_numpy(float) / rows["throughput_ratio"].to_numpy(float)
    rdma = rows["fabric_rdma"].to_numpy(float) > 0
    gbps = rows["network_gbps"].to_numpy(float)
    flops = plan.base_flops_per_gpu * rows["throughput_ratio"].to_numpy(float)
    memory = rows["gpu"].map(plan.gpu_memory_gb).to_numpy(float)
    need_gpus = min_gpus_to_fit(plan.memory, memory)
    rounding = np.ceil if plan.whole_instances else (lambda x: x)
    reason = np.full(len(rows), "", dtype=object)
    if plan.deadline_hours is None:
        n = n_old
        k = rows[units].to_numpy(float) if units in rows else np.ceil(n / g - 1e-9)
        k = np.where(np.isnan(k), np.ceil(n / g - 1e-9), k)
    else:
        spot = rows["is_spot"].to_numpy(float) if "is_spot" in rows else np.zeros(len(rows))
        target = plan.deadline_hours / (1.0 + spot * spot_overhead)
        k_mem = np.where(np.isfinite(need_gpus), rounding(need_gpus / g - 1e-9), 1.0)
        k_perfect = h1 * plan.workload_efficiency / (target * g)
        k = np.maximum(np.maximum(rounding(k_perfect - 1e-9), k_mem), 1.0 if plan.whole_instances else 1e-9)
        cap = np.maximum(np.floor(plan.max_gpus / g), 1.0)
        for _ in range(200):
            e = _efficiency(plan, k * g, k, rdma, flops, gbps)
            wall = h1 / (k * g * e)
            late = (wall > target * (1 + 1e-9)) & (k <= cap)
            if not late.any():
                break
            step = rounding(h1 / (target * g * e) - 1e-9)
            k = np.where(late, np.maximum(step, k + (1.0 if plan.whole_instances else 1e-6)), k)
        over = k > cap
        reason = np.where(over & (k_perfect * g > plan.max_gpus), "deadline", np.where(over, "scaling", ""))
        k = np.minimum(k, cap)
        n = k * g
        if "host_w" in rows:
            rows["host_w"] = rows["host_w"].to_numpy(float) * n / n_old
        rows["gpu_count"] = n
        rows["billed_gpus"] = n
        if units in rows:
            rows[units] = np.where(rows[units].isna(), np.nan, k)
        if "instances" in rows and units != "instances":
            rows["instances"] = np.where(rows["instances"].isna(), np.nan, k)
    e_rel = _efficiency(plan, n, k, rdma, flops, gbps)
    rows["scaling_efficiency"] = e_rel
    rows["memory_required_gb"] = required_gb_per_gpu(plan.memory, n)
    rows["gpu_memory_gb"] = memory
    rows["sizing_reason"] = reason
    ids = [n for n in (plan_assumption_names(plan)) if n]
    extra = ";" + ";".join(ids)
    if "interconnect_name" in rows:
        rows["assumption_ids"] = rows["assumption_ids"].astype(str) + np.where(
            rows["interconnect_name"].astype(str) != "", ";" + rows["interconnect_name"].astype(str), "") + extra
    else:
        rows["assumption_ids"] = rows["assumption_ids"].astype(str) + extra
    ranges = {**ranges, "ratio": Range(*(np.asarray(ranges["ratio"].at(b), float) * e_rel for b in BOUNDS))}
    return rows, ranges


def flag(table: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """``feasible`` and ``infeasible_reason`` for every row of an evaluated comparison table (see module doc)."""
    table = table.copy()
    parts: list[np.ndarray] = []
    required, memory = table["memory_required_gb"].to_numpy(float), table["gpu_memory_gb"].to_numpy(float)
    short = ~np.isnan(required) & ~np.isnan(memory) & (required > memory)
    parts.append(np.where(short, [f"memory: needs {r:,.1f} GB per GPU, has {m:,.0f} GB" for r, m in
                                  zip(required, memory, strict=True)], ""))
    wall = table["wall_hours"].to_numpy(float)
    sized = table["sizing_reason"].astype(str).to_numpy()
    gpus = table["gpu_count"].to_numpy(float)
    if plan.deadline_hours is not None:
        late = wall > plan.deadline_hours * (1 + 1e-9)
        text = [f"{s or 'deadline'}: {w:,.0f} h on {n:,.0f} GPUs > deadline {plan.deadline_hours:,.0f} h"
                for s, w, n in zip(sized, wall, gpus, strict=True)]
        parts.append(np.where(late | (sized != ""), text, ""))
    else:
        limit = plan.slow_multiple * plan.workload_wall_hours
        parts.append(np.where(wall > limit * (1 + 1e-9),
                              [f"slow: {w:,.0f} h > {plan.slow_multiple:g}x the workload's {plan.workload_wall_hours:,.0f} h"
                               for w in wall], ""))
    parts.append(np.where(table["cost_usd"].isna().to_numpy(), "no price", ""))
    reasons = ["; ".join(p for p in row if p) for row in zip(*parts, strict=True)]
    table["infeasible_reason"] = reasons
    table["feasible"] = [not r for r in reasons]
    return table


def fastest_message(table: pd.DataFrame, deadline_hours: float) -> str:
    """One line for a deadline no option meets: the fastest option and its time."""
    row = table.sort_values("wall_hours", kind="mergesort").iloc[0]
    what = row["instance_type"] if isinstance(row.get("instance_type"), str) else row.get("server")
    return (f"deadline {deadline_hours:,.4g} h: no option finishes in time; the fastest is {row['provider']} "
            f"{row['region']} {what} ({row['pricing']}, {row['gpu_count']:,.0f} x {row['gpu']}) at "
            f"{row['wall_hours']:,.4g} h")


def check_any_feasible_in_time(table: pd.DataFrame, deadline_hours: float | None) -> None:
    """Raise the one-line ``fastest_message`` when a deadline leaves no feasible row."""
    if deadline_hours is not None and len(table) and not table["feasible"].any():
        in_time_reasons = table["infeasible_reason"].str.contains("deadline|scaling", regex=True)
        if in_time_reasons.all():
            raise PlanError(fastest_message(table, deadline_hours))


def plan_assumption_names(plan: Plan) -> list[str]:
    """Names of ``plan_assumptions`` (for each row's ``assumption_ids``)."""
    return [a.name for a in plan_assumptions(plan)]


def plan_assumptions(plan: Plan) -> list[Assumption]:
    """The assumptions behind sizing and flags."""
    out = [*memory_assumptions(plan.memory), *scaling.scaling_assumptions(), MAX_JOB_GPUS]
    if plan.deadline_hours is None:
        out.append(SLOW_MULTIPLE.with_value(plan.slow_multiple, SLOW_MULTIPLE.source) if plan.slow_multiple !=
                   float(SLOW_MULTIPLE.value) else SLOW_MULTIPLE)
    else:
        out += [Assumption("deadline_hours", plan.deadline_hours, "h", "user input", ""),
                defaults.SPOT_OVERHEAD_FRACTION]
    return out


def interconnect_of_offers(offers: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Per offer: fabric_rdma (0/1), network_gbps and the interconnect rule's name, by exact instance type or
    the longest matching prefix in ``instance_interconnect``; unknown types get 10 Gb/s Ethernet."""
    rdma = np.zeros(len(offers))
    gbps = np.full(len(offers), UNKNOWN_NETWORK_GBPS)
    intra = np.full(len(offers), "unknown", dtype=object)
    names = np.full(len(offers), "interconnect_unknown", dtype=object)
    best = np.full(len(offers), -1)
    types = offers["instance_type"].astype(str).to_numpy()
    providers = offers["provider"].astype(str).to_numpy()
    for row in table.itertuples():
        match = str(row.match)
        hit = (providers == row.provider) & (
            (types == match) if row.match_kind == "exact" else np.char.startswith(types.astype(str), match))
        length = 10_000 if row.match_kind == "exact" else len(match)
        better = hit & (length > best)
        best = np.where(better, length, best)
        rdma = np.where(better, float(row.fabric == "rdma"), rdma)
        gbps = np.where(better, float(row.network_gbps), gbps)
        intra = np.where(better, row.intra, intra)
        names = np.where(better, f"interconnect_{row.provider}_{match.strip()}", names)
    return pd.DataFrame({"fabric_rdma": rdma, "network_gbps": gbps, "intra": intra, "interconnect_name": names},
                        index=offers.index)


def interconnect_assumptions(table: pd.DataFrame) -> pd.DataFrame:
    """The interconnect table's rows as assumption rows (name, value, unit, source, as_of, note)."""
    return pd.DataFrame({
        "name": "interconnect_" + table["provider"] + "_" + table["match"].astype(str).str.strip(),
        "value": table["fabric"] + " " + table["network_gbps"].map("{:g}".format) + " Gb/s",
        "unit": "fabric, network per instance", "source": table["source"], "as_of": "2026-11",
        "note": "within: " + table["intra"]})


def server_interconnect_assumptions(table: pd.DataFrame) -> pd.DataFrame:
    """The server interconnect table's rows as assumption rows."""
    return pd.DataFrame({
        "name": "interconnect_" + table["server"].astype(str),
        "value": table["fabric"] + " " + table["network_gbps"].map("{:g}".format) + " Gb/s",
        "unit": "fabric, network per server", "source": table["source"], "as_of": "2026-11",
        "note": "within: " + table["intra"]})
