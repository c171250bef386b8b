"""Scaling efficiency by interconnect class: the Megatron-LM RDMA rule and the Ethernet all-reduce rule."""

from __future__ import annotations

import numpy as np
import pytest

from planner.scaling import (
    RDMA_FACTOR_PER_DOUBLING,
    ethernet_efficiency,
    rdma_efficiency,
    scaling_efficiency,
)


def test_rdma_rule_reproduces_megatron_strong_scaling():
    # (0.42 / 0.47)^(1 / log2(48)) = 0.8936^(1/5.585) = 0.9801 per doubling
    assert RDMA_FACTOR_PER_DOUBLING == pytest.approx(0.9801, abs=1e-4)
    assert rdma_efficiency(4608) / rdma_efficiency(96) == pytest.approx(0.42 / 0.47)
    assert rdma_efficiency(np.array([1.0, 8.0])) == pytest.approx([1.0, 1.0])
    assert rdma_efficiency(16) == pytest.approx(RDMA_FACTOR_PER_DOUBLING)


def test_ethernet_rule_hand_computed():
    # R = 100 TFLOP/s, 11 instances on 25 Gb/s = 3.125e9 B/s, B = 4e6 tokens:
    # c = (2/3) x 1e14 x 10 / (3.125e9 x 4e6) = 6.667e14 / 1.25e16 = 0.05333 -> e = 1 / 1.05333 = 0.9494
    assert ethernet_efficiency(11, 100e12, 25.0, 4e6) == pytest.approx(1 / (1 + 2 / 3 * 1e14 * 10 / (3.125e9 * 4e6)))
    assert ethernet_efficiency(11, 100e12, 25.0, 4e6) == pytest.approx(0.9494, abs=1e-4)
    # ZeRO-3 moves 1.5x the bytes: c = 0.08 -> 0.9259
    assert ethernet_efficiency(11, 100e12, 25.0, 4e6, 1.5) == pytest.approx(1 / 1.08)
    assert ethernet_efficiency(1, 100e12, 25.0) == 1.0


def test_one_instance_is_perfect_and_ethernet_never_beats_rdma():
    e = scaling_efficiency(gpus=np.array([8.0, 16.0, 16.0, 64.0]), instances=np.array([1.0, 2.0, 2.0, 64.0]),
                           rdma=np.array([False, True, False, False]), achieved_flops_per_gpu=100e12,
                           network_gbps=np.array([10.0, 400.0, 1000.0, 8.0]), batch_tokens=4e6)
    assert e[0] == 1.0
    assert e[1] == pytest.approx(RDMA_FACTOR_PER_DOUBLING)
    # a fast Ethernet pair would compute 0.9987 by the all-reduce rule: capped at the RDMA rule's 0.980
    assert e[2] == pytest.approx(RDMA_FACTOR_PER_DOUBLING)
    # 64 single-GPU VMs on 8 Gb/s: c = (2/3) x 1e14 x 63 / (1e9 x 4e6) = 1.05 -> e = 0.4878
    assert e[3] == pytest.approx(1 / (1 + 2 / 3 * 1e14 * 63 / (1e9 * 4e6)))


def test_the_ethernet_rule_takes_the_workloads_batch():
    # hand: k = 16 instances, R = 1e14 FLOP/s, 100 Gb/s = 1.25e10 B/s; BERT's batch 256 x 512 = 131,072 tokens:
    # c = (2/3) * 1e14 * 15 / (1.25e10 * 131,072) = 0.6104, e = 1 / 1.6104 = 0.621; Llama 2's 4M: c = 0.02, e = 0.980
    from planner.scaling import ethernet_efficiency

    assert float(ethernet_efficiency(16, 1e14, 100, 131_072)) == pytest.approx(1 / (1 + 1e15 / 1.6384e15), rel=1e-9)
    assert float(ethernet_efficiency(16, 1e14, 100, 4e6)) == pytest.approx(1 / 1.02, rel=1e-9)
    from planner import api

    # the bert-base preset carries BERT's published batch (Devlin et al.); a given batch wins; a workload without
    # one takes Llama 2's 4M. The smaller batch only ever lowers an Ethernet row's efficiency, and does lower some
    bert = api.compare("bert-base", providers=["aws"])
    given = api.compare("bert-base", providers=["aws"], batch_tokens=4e6)
    rows = bert.assumptions.set_index("name")
    assert rows.loc["global_batch_tokens", "value"] == 131_072 and "Devlin" in rows.loc["global_batch_tokens", "source"]
    assert given.assumptions.set_index("name").loc["global_batch_tokens", "source"] == "user input"
    moved, _ = api.make_workload("bert-base", gpu="h100-sxm5-80gb")  # the model's batch moves with it
    assert moved.batch_tokens == 131_072
    llama = api.compare("llama2-7b", providers=["aws"]).assumptions.set_index("name")
    assert llama.loc["global_batch_tokens", "value"] == 4e6
    key = ["instance_type", "region", "pricing"]
    both = bert.table.merge(given.table, on=key, suffixes=("", "_4m"))
    assert (both["scaling_efficiency"] <= both["scaling_efficiency_4m"] + 1e-12).all()
    ethernet = both[(both["interconnect"] == "ethernet") & (both["instances"] > 1)]
    assert (ethernet["scaling_efficiency"] < ethernet["scaling_efficiency_4m"] - 1e-6).any()

def test_compare_and_report_take_the_batch_as_a_flag(tmp_path):
    # --batch-tokens reaches the engine: the CSV's efficiencies equal the library's with the same batch
    import pandas as pd

    from planner import api
    from planner.cli import main

    out = tmp_path / "c.csv"
    assert main(["compare", "bert-base", "--provider", "aws", "--batch-tokens", "131072", "--out", str(out)]) == 0
    shown = pd.read_csv(out).sort_values(["instance_type", "region", "pricing"]).reset_index(drop=True)
    library = api.compare("bert-base", providers=["aws"], batch_tokens=131_072).table
    library = library.sort_values(["instance_type", "region", "pricing"]).reset_index(drop=True)
    assert shown["scaling_efficiency"].tolist() == pytest.approx(library["scaling_efficiency"].tolist())
    assert main(["report", "bert-base", "--batch-tokens", "131072", "--format", "md",
                 "--out", str(tmp_path / "r.md")]) == 0
