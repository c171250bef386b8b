"""Training memory per GPU: weights, gradients and optimiser state by precision and optimiser, sharded or not,
plus an activation allowance. Pure functions over scalars and arrays.

Model states (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion Parameter
Models", SC20, Sec. 3.1 and Sec. 5, Fig. 1): with ``Ψ`` parameters, mixed-precision training keeps 2Ψ bytes of
fp16/bf16 weights, 2Ψ of fp16/bf16 gradients and ``K·Ψ`` of optimiser state, K = 12 for Adam (fp32 master
weights, momentum and variance): 16Ψ bytes in all. Over ``N_d`` data-parallel GPUs the ZeRO stages hold per GPU

    none   (plain data parallel)         (2 + 2 + K) · Ψ
    zero1  (optimiser state sharded)     (2 + 2) · Ψ + K · Ψ / N_d
    zero2  (+ gradients sharded)         2 · Ψ + (2 + K) · Ψ / N_d
    zero3  (+ weights sharded; = FSDP)   (2 + 2 + K) · Ψ / N_d

Pure fp32 training keeps 4-byte weights and gradients and no master copy (Adam: K = 8, its two moments).

Activations (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models",
arXiv 2205.05198, Sec. 4.1 and 5): with full activation recomputation a transformer stores its layer inputs,
``2·s·b·h·L`` bytes, and re-materialises one layer at a time, ``s·b·h·34`` bytes (the ``5·a·s/h`` attention
term is dropped: FlashAttention, Dao et al. 2022, never stores the attention matrix). The hidden size ``h``
and layers ``L`` come from the parameter count through ``N ≈ 12·L·h²`` (Kaplan et al. 2020, Sec. 2.1) at
Llama's aspect ratio ``h / L = 128`` (Touvron et al. 2023, LLaMA, Table 2: 7B has h 4096 and 32 layers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from planner.defaults import Assumption
from planner.errors import choice, non_negative, positive

#: Optimisers whose state size is known, and the bytes of state per parameter they keep (fp32 moments).
#: Adam / AdamW: momentum + variance (Kingma & Ba 2015; ZeRO paper's K = 12 adds the 4-byte fp32 master copy);
#: SGD with momentum: one buffer; Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
#: Sec. 2: "Lion ... only keeps track of the momentum"): one buffer.
OPTIMISER_STATE_BYTES = {"adam": 8.0, "adamw": 8.0, "sgd": 4.0, "lion": 4.0}
OPTIMISERS = tuple(OPTIMISER_STATE_BYTES)
#: ZeRO stages (``fsdp`` = PyTorch FSDP FULL_SHARD, the same partitioning as ZeRO-3).
SHARDING = ("none", "zero1", "zero2", "zero3", "fsdp")
#: Mixed precision keeps a 4-byte fp32 master copy of the weights beside 2-byte weights and gradients.
MIXED_PRECISIONS = ("fp16", "bf16")

MEMORY_MODEL = Assumption(
    "memory_model_states", "16 bytes/param (mixed-precision Adam), sharded per ZeRO stage", "bytes per parameter",
    "Rajbhandari et al. 2020, ZeRO (SC20), Sec. 3.1: mixed-precision Adam holds 2+2+12 = 16 bytes per parameter; "
    "Sec. 5 / Fig. 1: per-GPU memory of ZeRO stages 1-3 over N_d data-parallel GPUs", "2020",
    "fp32 training: 4+4 bytes plus the optimiser's moments; SGD-momentum and Lion keep one 4-byte moment.")
ACTIVATION_RULE = Assumption(
    "activation_rule", "2·s·h·L + 34·s·h bytes per sequence (full recomputation)", "bytes per GPU",
    "Korthikanti et al. 2022 (arXiv 2205.05198), Sec. 4.1 and 5: 2sbhL stored with full activation "
    "recomputation, plus one layer's 34sbh re-materialised (attention scores not stored: FlashAttention, Dao et "
    "al. 2022); h, L from N = 12·L·h² (Kaplan et al. 2020) at h/L = 128 (LLaMA 7B: 4096 / 32)", "2022",
    "micro-batch 1 sequence; give activation_gb to use your own figure.")
ACTIVATION_SEQ_LEN = Assumption(
    "activation_seq_len", 4096.0, "tokens",
    "Llama 2 context length 4096 (Touvron et al. 2023, Llama 2, Sec. 2.2 / Table 1)", "2023",
    "the sequence length of the activation allowance")
HIDDEN_PER_LAYER = 128.0


@dataclass(frozen=True)
class MemoryModel:
    """What the memory check needs: the model size and how it is trained.

    parameters : parameter count Ψ [-], or None (unknown: no check)
    model_memory_gb : the whole model's training state (weights + gradients + optimiser) [GB], replacing
    bytes/param × Ψ when given
    precision : fp32, fp16 or bf16; optimiser : one of OPTIMISERS; sharding : one of SHARDING
    activation_gb : activation memory per GPU [GB], replacing the rule when given
    seq_len : tokens per sequence for the activation rule
    """

    parameters: float | None = None
    model_memory_gb: float | None = None
    precision: str = "bf16"
    optimiser: str = "adam"
    sharding: str = "zero3"
    activation_gb: float | None = None
    seq_len: float = float(ACTIVATION_SEQ_LEN.value)

    def __post_init__(self) -> None:
        if self.parameters is not None:
            positive("parameters", self.parameters)
        if self.model_memory_gb is not None:
            non_negative("model_memory_gb", self.model_memory_gb, "GB")
        if self.activation_gb is not None:
            non_negative("activation_gb", self.activation_gb, "GB")
        choice("precision", self.precision, ("fp32", *MIXED_PRECISIONS))
        choice("optimiser", self.optimiser, OPTIMISERS)
        choice("sharding", self.sharding, SHARDING)
        positive("seq_len", self.seq_len)

    @property
    def known(self) -> bool:
        """True when the model's size is known (parameters or model_memory_gb), so memory can be checked."""
        return self.parameters is not None or self.model_memory_gb is not None


def state_bytes_per_parameter(precision: str, optimiser: str) -> tuple[float, float, float]:
    """Bytes per parameter of (weights, gradients, optimiser state incl. any fp32 master copy).

    Mixed precision (fp16/bf16): 2, 2, 4 + moments (Adam: 2, 2, 12 = 16, ZeRO paper Sec. 3.1).
    fp32: 4, 4, moments (Adam: 4, 4, 8 = 16).
    """
    choice("optimiser", optimiser, OPTIMISERS)
    moments = OPTIMISER_STATE_BYTES[optimiser]
    if choice("precision", precision, ("fp32", *MIXED_PRECISIONS)) == "fp32":
        return 4.0, 4.0, moments
    return 2.0, 2.0, 4.0 + moments


def model_state_gb_per_gpu(parameters: object, gpus: object, precision: str = "bf16", optimiser: str = "adam",
                           sharding: str = "zero3", model_memory_gb: float | None = None) -> np.ndarray:
    """Weights + gradients + optimiser state on each GPU [GB = 1e9 bytes], per ZeRO stage.

    parameters : Ψ [-] (ignored when model_memory_gb is given); gpus : data-parallel GPUs N_d [-], scalar or array
    model_memory_gb : the whole model's training state [GB]; it is split in the bytes/param proportions
    Returns GB per GPU (arrays broadcast).
    """
    choice("sharding", sharding, SHARDING)
    w, g, o = state_bytes_per_parameter(precision, optimiser)
    n = np.asarray(gpus, float)
    if model_memory_gb is not None:
        scale = float(model_memory_gb) * 1e9 / (w + g + o)
    else:
        scale = float(np.asarray(parameters, float))
    if sharding == "none":
        per = np.full(np.shape(n), w + g + o)
    elif sharding == "zero1":
        per = w + g + o / n
    elif sharding == "zero2":
        per = w + (g + o) / n
    else:
        per = (w + g + o) / n
    return per * scale / 1e9


def activation_gb_per_gpu(parameters: float, seq_len: float = float(ACTIVATION_SEQ_LEN.value),
                          micro_batch: float = 1.0) -> float:
    """Activation memory on one GPU with full recomputation [GB] (Korthikanti et al. 2022, Sec. 5).

    ``h = (N · (h/L) / 12)^(1/3)``, ``L = h / (h/L)``; ``A = 2·s·b·h·L + 34·s·b·h`` bytes.
    """
    hidden = (positive("parameters", parameters) * HIDDEN_PER_LAYER / 12.0) ** (1.0 / 3.0)
    layers = hidden / HIDDEN_PER_LAYER
    return (2.0 * seq_len * micro_batch * hidden * layers + 34.0 * seq_len * micro_batch * hidden) / 1e9


def required_gb_per_gpu(model: MemoryModel, gpus: object) -> np.ndarray:
    """Training memory each GPU must hold [GB]: model states (sharded per ``model.sharding``) + activations.

    NaN where the model's size is unknown (no check is made).
    """
    n = np.asarray(gpus, float)
    if not model.known:
        return np.full(np.shape(n), np.nan)
    states = model_state_gb_per_gpu(model.parameters, n, model.precision, model.optimiser, model.sharding,
                                    model.model_memory_gb)
    if model.activation_gb is not None:
        activations = model.activation_gb
    elif model.parameters is not None:
        activations = activation_gb_per_gpu(model.parameters, model.seq_len)
    else:
        activations = 0.0
    return states + activations


def fits(required_gb: object, gpu_memory_gb: object) -> np.ndarray:
    """True where the GPU's memory holds the requirement; True where the requirement is unknown (NaN)."""
    required, memory = np.asarray(required_gb, float), np.asarray(gpu_memory_gb, float)
    return np.isnan(required) | np.isnan(memory) | (required <= memory)


def min_gpus_to_fit(model: MemoryModel, gpu_memory_gb: object) -> np.ndarray:
    """The fewest GPUs of ``gpu_memory_gb`` [GB] that hold the model (ZeRO stages shard over them) [-].

    inf where no count fits (unsharded states above the memory, or activations alone above it); 1 where the
    model's size is unknown.
    """
    memory = np.asarray(gpu_memory_gb, float)
    if not model.known:
        return np.ones(np.shape(memory))
    fixed = required_gb_per_gpu(model, np.inf)  # what stays on every GPU however many share the states
    sharded_one = required_gb_per_gpu(model, 1.0) - fixed
    room = memory - fixed
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.where(sharded_one > 0, np.ceil(sharded_one / room - 1e-9), 1.0)
    return np.where(room > 0, np.maximum(n, 1.0), np.inf)


def memory_assumptions(model: MemoryModel) -> list[Assumption]:
    """The assumptions behind a memory check (empty when the model's size is unknown)."""
    if not model.known:
        return []
    out = [MEMORY_MODEL,
           Assumption("memory_precision_optimiser_sharding", f"{model.precision} / {model.optimiser} / "
                      f"{model.sharding}", "", "workload (default: bf16 mixed precision, Adam, ZeRO-3/FSDP)", "")]
    if model.model_memory_gb is not None:
        out.append(Assumption("model_memory_gb", model.model_memory_gb, "GB (whole model's training state)",
                              "user input", ""))
    else:
        out.append(Assumption("model_parameters", model.parameters, "parameters", "workload", ""))
    if model.activation_gb is not None:
        out.append(Assumption("activation_gb", model.activation_gb, "GB per GPU", "user input", ""))
    elif model.parameters is not None:
        out += [ACTIVATION_RULE, ACTIVATION_SEQ_LEN]
    return out
