"""Feasibility of compared options: deadline sizing (cloud and dedicated purchase), memory, the slow rule,
impossible deadlines and the same-GPU switch, hand-computed through ``api.compare``."""

from __future__ import annotations

import pytest

from planner import api
from planner.errors import PlanError
from planner.memory import activation_gb_per_gpu
from planner.options import headline_options, report_subset
from planner.scaling import RDMA_FACTOR_PER_DOUBLING
from planner.workload import from_hours
from tests.test_compare import offer, offers

P5 = offer("aws", "us-east-1", "p5.48xlarge", "h100-sxm5-80gb", 8, 192.0, 2048.0, "on_demand", 98.32)
T4_METAL = offer("aws", "us-east-1", "g4dn.metal", "t4", 8, 96.0, 384.0, "on_demand", 7.82)


def h100_job(catalog, parameters=None):
    return from_hours(catalog, "job", "h100-sxm5-80gb", 8, 72.0, parameters=parameters)


def test_deadline_sizes_cloud_instances_hand_computed(catalog):
    result = api.compare(h100_job(catalog), offers=offers(P5), servers=[], deadline="36 h")
    row = result.table.iloc[0]
    # 576 GPU-h on the same GPU. 2 instances: 576 / (16 x 0.9801) = 36.73 h > 36 h; 3 instances:
    # e = 0.9801^log2(24/8) = 0.9686 -> 576 / (24 x 0.9686) = 24.78 h <= 36 h
    e3 = RDMA_FACTOR_PER_DOUBLING ** 1.584962500721156
    assert (row["instances"], row["gpu_count"]) == (3, 24)
    assert row["scaling_efficiency"] == pytest.approx(e3)
    assert row["wall_hours"] == pytest.approx(576 / (24 * e3))
    assert row["cost_usd"] == pytest.approx(3 * 98.32 * 576 / (24 * e3))
    assert row["feasible"] and row["infeasible_reason"] == ""


def test_deadline_changes_the_dedicated_purchase(catalog):
    kwargs = dict(offers=offers(P5), providers=["owned"], servers=["nvidia-dgx-h100"])
    plain = api.compare(h100_job(catalog), **kwargs).table
    sized = api.compare(h100_job(catalog), deadline="36 h", **kwargs).table
    one = plain[plain["accounting_mode"] == "dedicated"].iloc[0]
    three = sized[sized["accounting_mode"] == "dedicated"].iloc[0]
    assert (one["instances"], three["instances"], three["gpu_count"]) == (1, 3, 24)
    # A dedicated purchase pays per server-hour held (straight-line depreciation with the book value credited,
    # upkeep, facility: a) plus electricity per kWh (p = $0.1241, EIA US commercial):
    # cost = s · t · a + p · E. One server for 72 h fixes a; three servers for t3 = 576 / (24 · 0.9686) = 24.78 h
    # hold 3 x 24.78 = 74.3 server-hours, and draw 1 / 0.9686 = 1.0324x the energy (more GPU-hours).
    e3 = RDMA_FACTOR_PER_DOUBLING ** 1.584962500721156
    t3 = 576 / (24 * e3)
    p = 0.1241
    a = (one["cost_usd"] - p * one["energy_kwh"]) / 72
    assert three["wall_hours"] == pytest.approx(t3)
    assert three["energy_kwh"] == pytest.approx(one["energy_kwh"] / e3)
    assert three["cost_usd"] == pytest.approx(3 * t3 * a + p * one["energy_kwh"] / e3)


def test_memory_rules_out_too_few_gpus_and_sizes_them_with_a_deadline(catalog):
    job = h100_job(catalog, parameters=70e9)
    row = api.compare(job, offers=offers(P5), servers=[]).table.iloc[0]
    # ZeRO-3: 16 B x 70e9 / 8 = 140 GB + activations > 80 GB
    act = activation_gb_per_gpu(70e9)
    assert row["memory_required_gb"] == pytest.approx(140 + act)
    assert not row["feasible"] and row["infeasible_reason"].startswith("memory")
    # a long deadline sizes it to memory: 1120 / (80 - 6.53) = 15.2 -> 16 GPUs = 2 instances
    sized = api.compare(job, offers=offers(P5), servers=[], deadline="30 day").table.iloc[0]
    assert sized["instances"] == 2 and sized["memory_required_gb"] == pytest.approx(70 + act)
    assert sized["feasible"]


def test_slow_rule_without_deadline_and_picks_from_feasible_rows(catalog):
    result = api.compare(h100_job(catalog), offers=offers(P5, T4_METAL), servers=[])
    t4 = result.table[result.table["gpu"] == "t4"].iloc[0]
    # roofline T4 / H100: sqrt(65.13/989.4 x 320/3350) = sqrt(0.06583 x 0.09552) = 0.07930 -> 72 / 0.0793 = 908 h
    ratio = (65.13 / 989.4 * 320 / 3350) ** 0.5
    assert t4["throughput_ratio"] == pytest.approx(ratio)
    assert t4["wall_hours"] == pytest.approx(72 / ratio)
    assert not t4["feasible"] and t4["infeasible_reason"].startswith("slow")  # 908 h > 3 x 72 h
    assert set(headline_options(result.table)["gpu"]) == {"h100-sxm5-80gb"}
    rows, _, _ = report_subset(result.table, result.assumptions)
    assert set(rows["gpu"]) == {"h100-sxm5-80gb"}
    assert not result.table.loc[~result.table["feasible"], "pareto"].any()


def test_deadline_no_option_meets_gives_the_fastest(catalog):
    # 576 H100-hours in 0.02 h need 28,800 GPUs, beyond the 16,384 of the largest published job; the fastest
    # is then P5 at 16,384 GPUs: 576 / (16384 x 0.9801^log2(2048)) = 0.0439 h
    fastest = 576 / (16384 * RDMA_FACTOR_PER_DOUBLING ** 11)
    with pytest.raises(PlanError, match=r"deadline 0\.02 h: no option finishes in time; the fastest is aws us-east-1 "
                                        rf"p5\.48xlarge \(on_demand, 16,384 x h100-sxm5-80gb\) at {fastest:.4g} h"):
        api.compare(h100_job(catalog), offers=offers(P5, T4_METAL), servers=[], deadline="0.02 h")


def test_same_gpu_keeps_only_the_workloads_gpu(catalog):
    result = api.compare(h100_job(catalog), offers=offers(P5, T4_METAL), servers=[], same_gpu=True)
    assert set(result.table["gpu"]) == {"h100-sxm5-80gb"}
    assert (result.table["throughput_ratio"] == 1.0).all()
    with pytest.raises(PlanError, match="same_gpu"):
        api.compare(h100_job(catalog), offers=offers(P5, T4_METAL), servers=[], same_gpu=True, gpus=["t4"])


@pytest.mark.parametrize("kwargs,field", [
    ({"deadline": "-3 day"}, "deadline"),
    ({"deadline": "3 kg"}, "deadline"),
    ({"optimiser": "adagrad"}, "optimiser"),
    ({"sharding": "zero9"}, "sharding"),
    ({"model_memory_gb": -5.0}, "model_memory_gb"),
])
def test_bad_feasibility_input_is_one_line(catalog, kwargs, field):
    with pytest.raises(PlanError, match=field):
        api.compare(h100_job(catalog), offers=offers(P5), servers=[], **kwargs)


def test_gpus_for_deadline_hand_computed():
    from planner.feasibility import gpus_for_deadline

    # 576 GPU-h from 8 GPUs within 36 h: 16 GPUs take 576 / (16 x 0.9801) = 36.73 h; 24 take 24.78 h -> 24
    assert gpus_for_deadline(576.0, 36.0, 8.0, 8.0) == 24.0
    assert gpus_for_deadline(576.0, 72.0, 8.0, 8.0) == 8.0
    assert gpus_for_deadline(576.0, 0.001, 8.0, 8.0) == float("inf")


def test_portfolio_deadline_sets_the_largest_job_and_says_so():
    # BERT base: 5,068.8 V100 GPU-h a run; within 2 days on DGX-1 (8 V100, InfiniBand) from its own 64 GPUs:
    # e(64) = 0.9801^3 = 0.9414. 13 servers: 104 GPUs, e = 0.9801^log2(13) = 0.9282 -> 5068.8 / (104 x 0.9282 /
    # 0.9414) = 49.4 h > 48 h; 14 servers: 112 GPUs, e = 0.9262 -> 46.0 h -> 112 GPUs
    portfolio = [{"preset": "bert-base", "runs": 2, "deadline": "2 day"}]
    demand, notes = api.procurement_demand("v100-sxm2-16gb", 1, portfolio=portfolio)
    assert demand == pytest.approx([10137.6])  # the deadline changes when, not how many GPU-hours
    assert any("needs 112 GPUs at once" in n for n in notes)
    plan = api.procurement_plan("nvidia-dgx-1-v100", demand_gpu_hours=None, portfolio=portfolio, horizon_years=1)
    assert not plan.years["job_fits"].iloc[0]  # 10,138 GPU-h a year need 2 servers; the job needs 14 at once


def test_owned_servers_are_checked_for_memory_too(catalog):
    # 1e12 parameters: 16 TB of training state, 2,000 GB per GPU over 8 GPUs, on any 8-GPU server
    job = h100_job(catalog, parameters=1e12)
    table = api.compare(job, offers=offers(P5), servers=["nvidia-dgx-h100"]).table
    owned = table[table["option_kind"] == "owned"]
    assert len(owned) == 2 and (owned["gpu_memory_gb"] == 80).all()
    assert not owned["feasible"].any() and owned["infeasible_reason"].str.startswith("memory").all()
