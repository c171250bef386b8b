"""Scaling efficiency: how much of its GPUs' speed a job keeps when spread over them, by interconnect class.

An option runs the job within one instance (NVLink/NVSwitch or PCIe; TPU slices over their inter-chip
interconnect), across instances on an RDMA-class fabric (InfiniBand, EFA, GPUDirect), or across instances on
ordinary Ethernet. Efficiency is the share of perfect linear scaling kept [0, 1]:

one instance
    1 (the measured MFU figures this tool converts with are of such jobs and of RDMA clusters).
RDMA fabric, n GPUs
    ``e = f^(log2(n / 8))`` for n > 8 with ``f = (0.42 / 0.47)^(1 / log2(4608 / 96)) = 0.980`` per doubling:
    NVIDIA's Megatron-LM strong scaling of GPT-3 175B from 96 to 4,608 H100 at a fixed batch ("reduction in
    MFU from 47% to 42%", shipped ``mfu`` table).
Ethernet across k instances
    data-parallel gradient all-reduce that the network cannot hide: per step each instance moves
    ``2 · 2Ψ · (k − 1) / k`` bytes (ring all-reduce of 2-byte gradients, Patarasuk & Yuan 2009; NCCL's bus
    bandwidth convention) over its NIC of ``bw`` [bytes/s], while its G GPUs compute ``6Ψ · B · G / n`` FLOP at
    ``R`` FLOP/s each (B: global batch in tokens). The ratio ``c = t_comm / t_compute = (2/3) · R · (k − 1) /
    (bw · B)`` does not depend on Ψ, and ``e = 1 / (1 + c)`` (no overlap: a conservative bound). Fully
    sharded training (ZeRO-3 / FSDP) moves 1.5x the bytes of plain data parallelism (Rajbhandari et al. 2020,
    Sec. 7.2.2: 3Ψ against 2Ψ), so ``c`` is multiplied by ``comm_factor`` = 1.5 there.

Relative efficiency: a workload's own hours already include its own scaling losses, so an option's hours
are divided by ``e_option / e_workload``, the workload taken to have run on an RDMA cluster of its GPU count
(every published run in the shipped data did: Meta RSC, MosaicML, NVIDIA, TII on SageMaker/EFA).
"""

from __future__ import annotations

import numpy as np

from planner.defaults import Assumption

FABRICS = ("rdma", "ethernet")
INTRA = ("nvlink", "pcie", "ici")
#: Communication of fully sharded training relative to plain data parallelism (ZeRO paper Sec. 7.2.2).
ZERO3_COMM_FACTOR = 1.5
#: GPUs of one 8-GPU NVLink node: the reference of the RDMA rule.
NODE_GPUS = 8.0
RDMA_FACTOR_PER_DOUBLING = (0.42 / 0.47) ** (1.0 / np.log2(4608.0 / 96.0))

RDMA_RULE = Assumption(
    "scaling_rdma_per_doubling", round(float(RDMA_FACTOR_PER_DOUBLING), 4), "efficiency kept per doubling of GPUs",
    "NVIDIA Megatron-LM README, strong scaling of GPT-3 175B from 96 to 4,608 H100 at batch 1,152: MFU 47% -> 42% "
    "(shipped mfu table): (0.42/0.47)^(1/log2(48)) = 0.980", "",
    "applied above 8 GPUs on InfiniBand / EFA / GPUDirect fabrics: e = 0.980^log2(n/8)")
ETHERNET_RULE = Assumption(
    "scaling_ethernet_allreduce", "e = 1 / (1 + (2/3) R (k-1) / (bw B))", "",
    "Ring all-reduce of 2-byte gradients, 2(k-1)/k of the gradient bytes per instance per step (Patarasuk & Yuan "
    "2009, J. Parallel Distrib. Comput. 69(2); NCCL performance docs, bus bandwidth); compute 6 N B / n FLOP per "
    "GPU per step (Kaplan et al. 2020); no overlap of communication with compute", "2026",
    "R: the option GPU's achieved FLOP/s (peak x default MFU x throughput ratio); bw: the instance's network "
    "bandwidth (instance_interconnect / server_interconnect); B: global batch in tokens")
GLOBAL_BATCH_TOKENS = Assumption(
    "global_batch_tokens", 4.0e6, "tokens per optimiser step",
    "Touvron et al. 2023, Llama 2, Table 1: global batch size 4M tokens for every size", "2023",
    "the data-parallel step over which gradients are all-reduced (Ethernet scaling rule)")


def rdma_efficiency(gpus: object) -> np.ndarray:
    """Scaling efficiency of ``gpus`` GPUs on an RDMA-class fabric: ``0.980^log2(n / 8)``, 1 up to 8 GPUs."""
    n = np.asarray(gpus, float)
    doublings = np.log2(np.maximum(n, NODE_GPUS) / NODE_GPUS)
    return RDMA_FACTOR_PER_DOUBLING ** doublings


def ethernet_efficiency(instances: object, achieved_flops_per_gpu: object, network_gbps: object,
                        batch_tokens: float = float(GLOBAL_BATCH_TOKENS.value), comm_factor: float = 1.0
                        ) -> np.ndarray:
    """Scaling efficiency of data parallelism over ``instances`` Ethernet-linked instances.

    ``e = 1 / (1 + (2/3) · R · (k − 1) / (bw · B))``
    instances : k [-]; achieved_flops_per_gpu : R [FLOP/s]; network_gbps : the instance's NIC [Gb/s];
    batch_tokens : B [tokens per step]; comm_factor : bytes moved relative to plain data parallelism (1.5 for
    ZeRO-3 / FSDP). 1 for one instance.
    """
    k = np.asarray(instances, float)
    bw = np.asarray(network_gbps, float) * 1e9 / 8.0
    with np.errstate(divide="ignore", invalid="ignore"):
        c = comm_factor * (2.0 / 3.0) * np.asarray(achieved_flops_per_gpu, float) * np.maximum(k - 1.0, 0.0) / (bw * batch_tokens)
    return 1.0 / (1.0 + np.nan_to_num(c, nan=0.0))


def scaling_efficiency(gpus: object, instances: object, rdma: object, achieved_flops_per_gpu: object,
                       network_gbps: object, batch_tokens: float = float(GLOBAL_BATCH_TOKENS.value),
                       comm_factor: float = 1.0) -> np.ndarray:
    """Efficiency of a job on ``gpus`` GPUs in ``instances`` instances: 1 within one instance, else the RDMA
    rule (``rdma`` true) or the Ethernet all-reduce rule. Arrays broadcast."""
    k = np.asarray(instances, float)
    one = k <= 1.0
    on_rdma = rdma_efficiency(gpus)
    # Ethernet is never better than an RDMA fabric at the same size: the lower of the two rules.
    by_fabric = np.where(np.asarray(rdma, bool), on_rdma, np.minimum(on_rdma, ethernet_efficiency(
        k, achieved_flops_per_gpu, network_gbps, batch_tokens, comm_factor)))
    return np.where(one, 1.0, by_fabric)


def scaling_assumptions(batch: Assumption = GLOBAL_BATCH_TOKENS) -> list[Assumption]:
    """The assumptions behind ``scaling_efficiency``; ``batch`` is the global batch used (given, else Llama 2's
    4M tokens)."""
    return [RDMA_RULE, ETHERNET_RULE, batch]
