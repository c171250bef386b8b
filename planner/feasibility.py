"""Can an option really train the workload? Sizing to a deadline, and the ``feasible`` / ``infeasible_reason``
columns of every compared row. Pure column functions over the comparison engine's row frames.

Sizing
    An option's GPU-hours at the workload's own scaling are ``H₁ = H_w / r`` (``planner.throughput``). On
    ``n = k · G`` GPUs in ``k`` instances (servers) of ``G`` it takes ``t(k) = H₁ / (n · e(n, k) / e_w)`` with
    the scaling efficiency ``e`` of its interconnect (``planner.scaling``) relative to the workload's own
    ``e_w``. With a deadline ``D`` each option gets the fewest whole instances with ``t(k) ≤ D`` (spot rows:
    ``t(k) · (1 + o(k)) ≤ D`` with the engine's central spot overhead ``o(k)``, which grows with the
    instances, ``planner.spot``) and at least the instances whose memory holds the model; without a deadline
    it keeps the workload's GPU count.
Reasons (``infeasible_reason``, ``; ``-joined; empty when feasible)
    ``memory``   the training state per GPU (``planner.memory``) exceeds the GPU's memory;
    ``deadline`` no whole number of instances up to ``MAX_JOB_GPUS`` finishes in time;
    ``scaling``  more GPUs would be within ``MAX_JOB_GPUS`` but the interconnect's efficiency falls so fast
    that adding them cannot meet the deadline;
    ``no price`` the option has no cost;
    ``slow``     without a deadline: wall-clock above ``SLOW_MULTIPLE`` × the workload's own.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner import scaling, spot
from planner.defaults import Assumption
from planner.errors import PlanError, positive
from planner.memory import MemoryModel, memory_assumptions, min_gpus_to_fit, required_gb_per_gpu
from planner.ranges import BOUNDS, Range
from planner.text import format_distinct

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
    """

    workload_wall_hours: float
    workload_gpus: float
    base_flops_per_gpu: float = 0.0
    memory: MemoryModel = field(default_factory=MemoryModel)
    deadline_hours: float | None = None
    slow_multiple: float = float(SLOW_MULTIPLE.value)
    gpu_memory_gb: dict[str, float] = field(default_factory=dict)
    max_gpus: float = float(MAX_JOB_GPUS.value)
    whole_instances: bool = True
    batch: Assumption = scaling.GLOBAL_BATCH_TOKENS

    def __post_init__(self) -> None:
        if self.deadline_hours is not None:
            positive("deadline", self.deadline_hours, "h")
        positive("slow_multiple", self.slow_multiple)

    @property
    def batch_tokens(self) -> float:
        """The Ethernet rule's global batch [tokens per optimiser step]: the value of ``batch``."""
        return float(self.batch.value)

    @property
    def workload_efficiency(self) -> float:
        """The workload's own scaling efficiency (taken on an RDMA cluster of its GPU count)."""
        return float(scaling.rdma_efficiency(self.workload_gpus))


@dataclass(frozen=True)
class Options:
    """The user's feasibility inputs and the tables they use (what ``compare`` needs to build a ``Plan``).

    memory : the model's memory needs; deadline_hours : [h] or None; slow_multiple : see ``SLOW_MULTIPLE``
    mfu : the shipped ``mfu`` table (measured ratios, default MFU); instance_interconnect /
    server_interconnect : the shipped interconnect tables (None: no scaling model, efficiency 1); batch : the
    global batch in tokens of the Ethernet rule (``batch_assumption``)
    """

    memory: MemoryModel = field(default_factory=MemoryModel)
    deadline_hours: float | None = None
    slow_multiple: float = float(SLOW_MULTIPLE.value)
    mfu: pd.DataFrame | None = None
    instance_interconnect: pd.DataFrame | None = None
    server_interconnect: pd.DataFrame | None = None
    batch: Assumption = scaling.GLOBAL_BATCH_TOKENS


def make_plan(options: Options, workload_wall_hours: float, workload_gpus: float, base_flops_per_gpu: float,
              whole_instances: bool = True, gpu_memory_gb: dict[str, float] | None = None) -> Plan:
    """A ``Plan`` from the user's options and the workload's figures (``gpu_memory_gb``: {gpu: GB} for rows
    whose inputs carry no memory, e.g. owned servers)."""
    return Plan(workload_wall_hours=workload_wall_hours, workload_gpus=workload_gpus,
                base_flops_per_gpu=base_flops_per_gpu, memory=options.memory, deadline_hours=options.deadline_hours,
                slow_multiple=options.slow_multiple, whole_instances=whole_instances,
                gpu_memory_gb=dict(gpu_memory_gb or {}), batch=options.batch)


def _efficiency(plan: Plan, gpus: np.ndarray, instances: np.ndarray, rdma: np.ndarray, flops: np.ndarray,
                gbps: np.ndarray) -> np.ndarray:
    factor = scaling.ZERO3_COMM_FACTOR if plan.memory.sharding in ("zero3", "fsdp") else 1.0
    return scaling.scaling_efficiency(gpus, instances, rdma, flops, gbps, plan.batch_tokens,
                                      factor) / plan.workload_efficiency


def _spot_overhead(rows: dict[str, np.ndarray], ranges: dict[str, Range], instances: np.ndarray) -> np.ndarray:
    """Central spot overhead at ``instances`` (``planner.spot``, as the engine computes it); 0 off spot."""
    if "spot_rate" not in ranges or "is_spot" not in rows:
        return np.zeros(np.shape(instances))
    x = {name: np.asarray(r.central, float) for name, r in ranges.items()}
    rate = spot.job_interruptions_per_hour(instances, x["spot_rate"])
    wait = spot.capacity_wait_hours(instances, x["availability"], x["capacity_wait"])
    return np.asarray(rows["is_spot"], float) * spot.overhead_fraction(rate, x["checkpoint"], x["restart"], wait)


def size(rows: dict[str, np.ndarray], ranges: dict[str, Range], plan: Plan, gpu: np.ndarray,
         link: dict[str, np.ndarray], per_unit: str, units: str
         ) -> tuple[dict[str, np.ndarray], dict[str, Range], dict[str, np.ndarray]]:
    """Row arrays sized to the plan, the ratio Range scaled by each row's relative scaling efficiency, and the
    feasibility columns.

    rows : the engine's row arrays with workload_gpu_hours, gpu_count, billed_gpus, memory_gb, ``per_unit``
    (GPUs per instance or server), ``units`` (instances, or servers: NaN for shared owned rows), and
    optionally is_spot (the energy rows carry per GPU-hour, unchanged by the count); ranges["ratio"] : the throughput ratio
    gpu : each row's GPU id; link : ``interconnect_of_offers`` / ``interconnect_of_servers``
    Returns (rows, ranges, fit) with fit = throughput_ratio (per GPU, before scaling), scaling_efficiency,
    interconnect, network_gbps, memory_required_gb, gpu_memory_gb, sizing_reason, ids (``;name`` suffixes).
    With a deadline the GPU count becomes the sized instances' GPUs (all billed GPUs work).
    """
    rows = dict(rows)
    size_ = len(gpu)
    g = np.asarray(rows[per_unit], float)
    n_old = np.asarray(rows["gpu_count"], float)
    ratio = np.broadcast_to(np.asarray(ranges["ratio"].central, float), (size_,))
    h1 = np.asarray(rows["workload_gpu_hours"], float) / ratio
    rdma = np.asarray(link["fabric_rdma"], float) > 0
    gbps = np.asarray(link["network_gbps"], float)
    flops = plan.base_flops_per_gpu * ratio
    memory = np.asarray(rows["memory_gb"], float) if "memory_gb" in rows else np.full(size_, np.nan)
    if np.isnan(memory).any():  # owned rows carry no memory: the catalog's figure for their GPU
        memory = np.where(np.isnan(memory), np.array([plan.gpu_memory_gb.get(str(x), np.nan) for x in gpu]), memory)
    need_gpus = min_gpus_to_fit(plan.memory, memory)
    whole = plan.whole_instances

    def rounded(x: np.ndarray) -> np.ndarray:
        return np.ceil(x - 1e-9) if whole else x

    units_now = np.asarray(rows[units], float)
    reason = np.full(size_, "", dtype=object)
    if plan.deadline_hours is None:
        n = n_old
        k = np.where(np.isnan(units_now), np.ceil(n / g - 1e-9), units_now)
    else:
        target = plan.deadline_hours
        k_mem = np.where(np.isfinite(need_gpus), rounded(need_gpus / g), 1.0)
        k_perfect = h1 * plan.workload_efficiency / (target * g)
        k = np.maximum(np.maximum(rounded(k_perfect), k_mem), 1.0 if whole else 1e-9)
        cap = np.maximum(np.floor(plan.max_gpus / g), 1.0)
        for _ in range(200):
            e = _efficiency(plan, k * g, k, rdma, flops, gbps) / (1.0 + _spot_overhead(rows, ranges, k))
            late = (h1 / (k * g * e) > target * (1 + 1e-9)) & (k <= cap)
            if not late.any():
                break
            k = np.where(late, np.maximum(rounded(h1 / (target * g * e)), k + (1.0 if whole else 1e-6)), k)
        over = k > cap
        reason = np.where(over & (k_perfect * g > plan.max_gpus), "deadline",
                          np.where(over, "scaling", "")).astype(object)
        k = np.minimum(k, cap)
        n = k * g
        rows["gpu_count"] = n
        rows["billed_gpus"] = n
        rows[units] = np.where(np.isnan(units_now), np.nan, k)
    e_rel = _efficiency(plan, n, k, rdma, flops, gbps)
    ranges = {**ranges, "ratio": Range(*(np.asarray(ranges["ratio"].at(b), float) * e_rel for b in BOUNDS))}
    names = ";" + ";".join(plan_assumption_names(plan))
    one = k <= 1
    fabric = np.where(rdma, "rdma", "ethernet").astype(object)
    fit = {
        "throughput_ratio": ratio.copy(),
        "scaling_efficiency": e_rel,
        "interconnect": np.where(one, link["intra"], fabric).astype(object),
        "network_gbps": gbps,
        "memory_required_gb": required_gb_per_gpu(plan.memory, n) + 0.0 * n,
        "gpu_memory_gb": memory,
        "sizing_reason": reason,
        "ids": format_distinct(lambda x: (f";{x}" if x else "") + names, np.asarray(link["name"], dtype=object)),
    }
    return rows, ranges, fit


def _texts(mask: np.ndarray, make: object, *columns: np.ndarray) -> np.ndarray:
    """``make(*values)`` where ``mask`` holds, '' elsewhere (formatted once per distinct flagged value)."""
    out = np.full(len(mask), "", dtype=object)
    rows = np.flatnonzero(mask)
    if len(rows):
        out[rows] = format_distinct(make, *(np.asarray(c)[rows] for c in columns))  # type: ignore[arg-type]
    return out


def flag(columns: dict[str, np.ndarray], plan: Plan) -> dict[str, np.ndarray]:
    """``feasible`` and ``infeasible_reason`` arrays for evaluated comparison columns (see module doc)."""
    required = np.asarray(columns["memory_required_gb"], float)
    memory = np.asarray(columns["gpu_memory_gb"], float)
    wall = np.asarray(columns["wall_hours"], float)
    gpus = np.asarray(columns["gpu_count"], float)
    sized = np.asarray(columns["sizing_reason"], dtype=object)
    short = ~np.isnan(required) & ~np.isnan(memory) & (required > memory)
    parts = [_texts(short, lambda r, m: f"memory: needs {r:,.1f} GB per GPU, has {m:,.0f} GB", required, memory)]
    if plan.deadline_hours is not None:
        deadline = plan.deadline_hours
        late = (wall > deadline * (1 + 1e-9)) | (sized != "")
        parts.append(_texts(late, lambda s, w, n: f"{s or 'deadline'}: {w:,.4g} h on {n:,.0f} GPUs > deadline "
                            f"{deadline:,.4g} h", sized, wall, gpus))
    else:
        limit = plan.slow_multiple * plan.workload_wall_hours
        own, multiple = plan.workload_wall_hours, plan.slow_multiple
        parts.append(_texts(wall > limit * (1 + 1e-9),
                            lambda w: f"slow: {w:,.0f} h > {multiple:g}x the workload's {own:,.4g} h", wall))
    parts.append(np.where(np.isnan(np.asarray(columns["cost_usd"], float)), "no price", "").astype(object))
    reasons = parts[0]
    for part in parts[1:]:
        both = (reasons != "") & (part != "")
        reasons = np.where(both, reasons + "; " + part, reasons + part)
    return {"infeasible_reason": reasons.astype(object), "feasible": reasons == ""}


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
        if table["infeasible_reason"].astype(str).str.contains("deadline|scaling", regex=True).any():
            raise PlanError(fastest_message(table, deadline_hours))


def plan_assumption_names(plan: Plan) -> list[str]:
    """Names of ``plan_assumptions`` (for each row's ``assumption_ids``)."""
    return [a.name for a in plan_assumptions(plan)]


def plan_assumptions(plan: Plan) -> list[Assumption]:
    """The assumptions behind sizing and flags."""
    out = [*memory_assumptions(plan.memory), *scaling.scaling_assumptions(plan.batch), MAX_JOB_GPUS]
    if plan.deadline_hours is None:
        out.append(SLOW_MULTIPLE.with_value(plan.slow_multiple, SLOW_MULTIPLE.source) if plan.slow_multiple !=
                   float(SLOW_MULTIPLE.value) else SLOW_MULTIPLE)
    else:
        out.append(Assumption("deadline_hours", plan.deadline_hours, "h", "user input", ""))
    return out


def no_interconnect(size: int) -> dict[str, np.ndarray]:
    """Every row on an RDMA cluster like the workload's own (no interconnect table: no scaling penalty)."""
    return {"fabric_rdma": np.ones(size), "network_gbps": np.full(size, np.nan),
            "intra": np.full(size, "unknown", dtype=object), "name": np.full(size, "", dtype=object)}


def interconnect_of_offers(providers: np.ndarray, types: np.ndarray, table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per offer: fabric_rdma (0/1), network_gbps, intra (link within an instance) and the rule's assumption
    name, by exact instance type or the longest matching prefix in ``instance_interconnect``; types it does
    not list get 10 Gb/s Ethernet (``UNKNOWN_NETWORK_GBPS``)."""
    return dict(_offer_links(tuple(map(str, providers)), tuple(map(str, types)), _table_key(table)))


# The interconnect tables by id, so the per-offer lookup is memoised per (offers, table); a table kept here
# is never collected, so its id is never reused while a cached result refers to it.
_TABLES: dict[int, pd.DataFrame] = {}


def _table_key(table: pd.DataFrame) -> int:
    _TABLES[id(table)] = table
    return id(table)


@functools.lru_cache(maxsize=16)
def _offer_links(providers: tuple[str, ...], types: tuple[str, ...], key: int) -> tuple[tuple[str, np.ndarray], ...]:
    table = _TABLES[key]
    size = len(types)
    rdma, gbps = np.zeros(size), np.full(size, UNKNOWN_NETWORK_GBPS)
    intra = np.full(size, "unknown", dtype=object)
    names = np.full(size, "interconnect_unknown", dtype=object)
    best = np.full(size, -1)
    kinds = np.array(types, dtype=str)
    owners = np.array(providers, dtype=str)
    for row in table.itertuples():
        match = str(row.match)
        hit = (owners == row.provider) & ((kinds == match) if row.match_kind == "exact"
                                          else np.char.startswith(kinds, match))
        length = 10_000 if row.match_kind == "exact" else len(match)
        better = hit & (length > best)
        best = np.where(better, length, best)
        rdma = np.where(better, float(row.fabric == "rdma"), rdma)
        gbps = np.where(better, float(row.network_gbps), gbps)
        intra = np.where(better, row.intra, intra)
        names = np.where(better, f"interconnect_{row.provider}_{match.strip()}", names)
    return (("fabric_rdma", rdma), ("network_gbps", gbps), ("intra", intra), ("name", names))


def interconnect_of_servers(servers: np.ndarray, table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Per owned row: the server's fabric, network Gb/s and link from ``server_interconnect`` (unknown
    servers: 10 Gb/s Ethernet)."""
    return dict(_server_links(tuple(map(str, servers)), _table_key(table)))


@functools.lru_cache(maxsize=16)
def _server_links(servers: tuple[str, ...], key: int) -> tuple[tuple[str, np.ndarray], ...]:
    table = _TABLES[key]
    by = table.set_index("server")
    names = pd.Series(servers, dtype=object)
    known = names.isin(by.index).to_numpy()
    return (("fabric_rdma", names.map(by["fabric"]).eq("rdma").astype(float).to_numpy()),
            ("network_gbps", names.map(by["network_gbps"]).astype(float).fillna(UNKNOWN_NETWORK_GBPS).to_numpy()),
            ("intra", names.map(by["intra"]).fillna("unknown").to_numpy(dtype=object)),
            ("name", np.where(known, "interconnect_" + names.astype(str), "interconnect_unknown").astype(object)))


def plan_frame(plan: Plan, options: Options) -> pd.DataFrame:
    """Every assumption sizing and flags used, with the interconnect tables' rows, as one frame."""
    assumptions = tuple(plan_assumptions(plan))
    keys = (None if options.instance_interconnect is None else _table_key(options.instance_interconnect),
            None if options.server_interconnect is None else _table_key(options.server_interconnect))
    try:
        hash(assumptions)
    except TypeError:  # a value that cannot be a key: built afresh
        return _plan_frame.__wrapped__(assumptions, *keys)
    return _plan_frame(assumptions, *keys).copy()


@functools.lru_cache(maxsize=64)
def _plan_frame(assumptions: tuple[Assumption, ...], instance_key: int | None, server_key: int | None
                ) -> pd.DataFrame:
    """``plan_frame`` per (plan assumptions, interconnect tables): the tables do not change while they are used."""
    frames = [pd.DataFrame([a.__dict__ for a in assumptions])]
    if instance_key is not None:
        frames.append(interconnect_assumptions(_TABLES[instance_key]))
    if server_key is not None:
        frames.append(server_interconnect_assumptions(_TABLES[server_key]))
    frames.append(pd.DataFrame([{"name": "interconnect_unknown", "value": f"ethernet {UNKNOWN_NETWORK_GBPS:g} Gb/s",
                                 "unit": "fabric, network per instance", "source": "trainplan assumption for "
                                 "instance types the interconnect table does not list", "as_of": "2026", "note": ""}]))
    return pd.concat(frames, ignore_index=True)


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


def gpus_for_deadline(gpu_hours: float, deadline_hours: float, per_server: float, workload_gpus: float,
                      max_gpus: float = float(MAX_JOB_GPUS.value)) -> float:
    """The fewest whole servers' GPUs that finish ``gpu_hours`` (at the workload's own scaling on
    ``workload_gpus``) within ``deadline_hours`` on an RDMA cluster: the smallest ``n = G · k`` with
    ``gpu_hours / (n · e(n) / e(n_w)) ≤ D`` (``scaling.rdma_efficiency``); inf beyond ``max_gpus``."""
    positive("deadline", deadline_hours, "h")
    base = float(scaling.rdma_efficiency(workload_gpus))
    k = max(math.ceil(gpu_hours * base / (deadline_hours * per_server) - 1e-9), 1)
    while k * per_server <= max_gpus:
        n = k * per_server
        if gpu_hours / (n * float(scaling.rdma_efficiency(n)) / base) <= deadline_hours * (1 + 1e-9):
            return float(n)
        k += max(1, k // 50)
    return math.inf
