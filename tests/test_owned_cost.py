"""The one owned-cost model (planner/owned_cost.py): capital recovery, book value, facility, staff, a server-year,
a rented GPU-hour with F&A, break-even; hand-computed."""

from __future__ import annotations

import numpy as np
import pytest

from planner import api, owned_cost
from planner.errors import PlanError


def test_capital_recovery_factor_and_equivalent_annual_cost():
    # CRF(7%, 5) = 0.07 / (1 - 1.07^-5) = 0.07 / 0.287014 = 0.243891; at 0%: 1/5
    assert owned_cost.capital_recovery_factor(0.07, 5) == pytest.approx(0.2438907)
    assert owned_cost.capital_recovery_factor(0.0, 5) == pytest.approx(0.2)
    # a present value of 100,000 over 5 years at 7% is 24,389.07 a year
    assert owned_cost.equivalent_annual_cost(100000.0, 0.07, 5) == pytest.approx(24389.07, abs=0.01)
    assert owned_cost.discount_factor(0.07, 2) == pytest.approx(1 / 1.1449)


def test_book_value_falls_straight_to_the_salvage():
    # K = 1; 5-year life, 20% salvage: age 0 -> 1, age 2.5 -> 0.2 + 0.8 · 0.5 = 0.6, age 5 and later -> 0.2
    assert owned_cost.book_value_fraction(np.array([0.0, 2.5, 5.0, 7.0]), 5.0, 0.2).tolist() == \
        pytest.approx([1.0, 0.6, 0.2, 0.2])
    # capital over the life with that salvage at 0%: K (1 - 0.2) / 5 = 0.16 K a year
    assert owned_cost.capital_usd_per_server_year(1.0, 5.0, 0.0, 0.2) == pytest.approx(0.16)


def test_facility_in_house_colocation_or_none():
    # in-house: 11,000 USD/kW · CRF(7%, 20) = 11,000 · 0.0943929 = 1,038.32 USD per kW-year
    assert owned_cost.facility_usd_per_kw_year("in_house", 11000.0, 20.0, 0.07, 196.0) == pytest.approx(1038.32, abs=0.01)
    assert owned_cost.facility_usd_per_kw_year("colocation", 11000.0, 20.0, 0.07, 196.0) == pytest.approx(2352.0)
    assert owned_cost.facility_usd_per_kw_year("none", 11000.0, 20.0, 0.07, 196.0) == 0.0
    with pytest.raises(PlanError, match=r"^facility 'cave': not allowed; allowed: in_house, colocation, none$"):
        owned_cost.facility_usd_per_kw_year("cave", 1.0, 1.0, 0.0, 1.0)


def test_staff_is_per_cluster_not_per_server():
    # half an FTE for up to 50 servers, then 0.005 FTE per server: 10 -> 0.5, 150 -> 0.5 + 0.5 = 1.0, none -> 0
    assert owned_cost.staff_fte(np.array([0.0, 10.0, 150.0]), 0.5, 0.005, 50.0).tolist() == \
        pytest.approx([0.0, 0.5, 1.0])


def test_a_server_year_of_full_cost_hand_computed():
    # P 100,000, network 10% -> K 110,000 · CRF(7%, 5) 0.243891 = 26,827.98; maintenance 10% = 10,000;
    # staff share 5,000; facility (500 + 12 · 0 hosting) · 4 kW = 2,000;
    # electricity 1.5 · 8,760 · (0.6 · 4,000 + 0.4 · 1,000) / 1000 = 36,792 kWh · 0.10 = 3,679.20
    year = owned_cost.owned_usd_per_server_year(100000.0, 10.0, 5.0, 0.07, 0.0, 10.0, 5000.0, 500.0, 0.0, 4000.0,
                                                1000.0, 0.6, 1.5, 0.10)
    assert year == pytest.approx(110000 * 0.2438907 + 10000 + 5000 + 2000 + 3679.20, abs=0.05)
    # a busy GPU-hour: / (8,760 · 8 · 0.6 = 42,048)
    assert owned_cost.owned_usd_per_gpu_hour(year, 8, 0.6) == pytest.approx(year / 42048)


def test_a_rented_gpu_hour_with_fa():
    # 3.00 list, 10% spot rework, twice as fast: 3 · 1.1 / 2 = 1.65; F&A 55%: 2.5575
    assert owned_cost.cloud_usd_per_gpu_hour(3.0, 2.0, 0.1) == pytest.approx(1.65)
    assert owned_cost.cloud_usd_per_gpu_hour(3.0, 2.0, 0.1, fa_rate=0.55) == pytest.approx(2.5575)


@pytest.mark.parametrize("price", [1.0, 2.0, 4.0])
def test_breakeven_utilisation_plugged_back_makes_owning_cost_the_cloud_price(price):
    # u* = (F + e_i) / (p - e_b + e_i): at u*, F/u + e_b + e_i (1 - u)/u = p
    fixed, e_busy, e_idle = 0.5, 0.075, 0.02
    u = float(owned_cost.breakeven_utilisation(fixed, price, e_busy, e_idle))
    assert fixed / u + e_busy + e_idle * (1 - u) / u == pytest.approx(price)
    assert np.isnan(owned_cost.breakeven_utilisation(fixed, 0.05, e_busy, e_idle))  # below electricity: never


def test_owned_server_embodied_grows_with_its_sourced_memory():
    # DGX A100, 1,024 GB RAM: host 1,100 + 1,024 · 533/384 = 2,521.33 kg, + 8 GPUs · 150 = 3,721.33 kg (CCF/Teads)
    server, assumptions = api.owned_server("nvidia-dgx-a100")
    assert server.embodied_kg == pytest.approx(1100 + 1024 * 533 / 384 + 1200)
    assert {"embodied_host_base_kg", "embodied_dram_kg_per_gb"} <= {a.name for a in assumptions}
    # no RAM sourced for the DGX H100: BLOOM's 2,500 kg server, + 1,200 for the GPUs
    assert api.owned_server("nvidia-dgx-h100")[0].embodied_kg == pytest.approx(3700.0)


def test_owned_server_power_typical_or_modelled_and_idle():
    # DGX H100: the sourced training draw 0.76 · 10,200 W = 7,752 W; idle 0.2 of it = 1,550.4 W
    h100, _ = api.owned_server("nvidia-dgx-h100")
    assert h100.power_w == pytest.approx(7752.0) and h100.idle_power_w == pytest.approx(1550.4)
    # modelled from its shape: 8 · 700 W + 96 vCPU · 2.12 + 680 GiB · 0.392 = 5,600 + 470.08 = 6,070.08 W
    modelled, _ = api.owned_server("nvidia-dgx-h100", busy_power="modelled")
    assert modelled.power_w == pytest.approx(6070.08)
    # DGX A100 with its sourced 1,024 GB: 8 · 400 + 96 · 2.12 + 1,024 · 0.392 = 3,200 + 203.52 + 401.41 = 3,804.93 W
    assert api.owned_server("nvidia-dgx-a100")[0].power_w == pytest.approx(3200 + 203.52 + 1024 * 0.392)


def test_a_sourced_idle_draw_of_the_server_row_beats_the_generic_fraction(monkeypatch):
    from planner.api import owned as owned_api
    from planner.shipped import ShippedData, load

    data = load()
    servers = data["servers"].copy()
    servers.loc[servers["server"] == "nvidia-dgx-h100", "idle_w"] = 2000.0
    monkeypatch.setattr(owned_api, "load", lambda: ShippedData({**data.tables, "servers": servers}))
    server, assumptions = owned_api.owned_server("nvidia-dgx-h100")
    assert server.idle_power_w == 2000.0
    assert any(a.name == "idle_power_w" and a.value == 2000.0 for a in assumptions)


def test_one_embodied_rule_for_a_server_year_in_compare_and_procure():
    # One DGX H100 (3,700 kg, 5 years) held for a year: E / L = 740 kg, whether bought for an 8-GPU, 8,760-hour
    # project (compare, dedicated) or held by a one-year plan (procure)
    from planner.shipped import load
    from planner.workload import from_hours
    workload = from_hours(load().catalog, "year", "h100-sxm5-80gb", 8, 8760.0)
    row = api.compare(workload, providers=["owned"], servers=["nvidia-dgx-h100"],
                      accounting_modes=("dedicated",)).table.iloc[0]
    assert row["co2e_embodied_kg"] == pytest.approx(3700 / 5)
    plan = api.procurement_plan("nvidia-dgx-h100", horizon_years=1, demand_gpu_hours=[8 * 8760 * 0.6])
    owned = plan.carbon[plan.carbon["option"] == "owned"]
    assert owned["embodied_co2e_kg"].sum() == pytest.approx(3700 / 5)


def test_dedicated_rows_state_the_purchase_up_front():
    # a dedicated purchase's cost credits the book value it keeps; its purchase is what the project must buy first:
    # servers x price x (1 + network share), e.g. 32 DGX H100 x 269,000 x 1.10 = 9,468,800 USD
    from planner import api

    table = api.compare("llama2-7b", providers=["owned"]).table
    dedicated = table[table["accounting_mode"] == "dedicated"]
    assert len(dedicated) and table.loc[table["accounting_mode"] == "shared", "purchase_usd"].isna().all()
    for row in dedicated.itertuples():
        server, _ = api.owned_server(row.server)
        assert row.purchase_usd == pytest.approx(row.instances * server.price_usd
                                                 * (1 + server.overhead_pct_of_capex / 100))
    dgx = dedicated[dedicated["server"] == "nvidia-dgx-h100"].iloc[0]
    assert dgx.instances == 32 and dgx.purchase_usd == pytest.approx(32 * 269_000 * 1.10)
    assert dgx.purchase_usd > 50 * dgx.cost_usd  # a 13-day project is charged a small part of what it buys


def test_compare_takes_a_preset_name_and_refuses_other_types():
    # a notebook writes api.compare('llama2-7b'): the same rows as the preset's own workload and preset
    workload, preset = api.make_workload("llama2-7b")
    by_name = api.compare("llama2-7b", providers=["owned"]).table
    by_object = api.compare(workload, preset, providers=["owned"]).table
    assert by_name["cost_usd"].tolist() == by_object["cost_usd"].tolist()
    for bad in (3, None, 2.5):
        with pytest.raises(PlanError, match="workload: expected a Workload"):
            api.compare(bad)


def test_a_dedicated_purchase_runs_the_job_on_its_own_gpus():
    # a 1-GPU, 3-hour A100 job bought as one 8-GPU DGX A100 server: it still runs on 1 GPU, so its wall-clock is
    # its GPU-hours (3 h / the server GPU's throughput ratio), not GPU-hours / 8; the purchase is the whole server
    workload, preset = api.make_workload(gpu="a100-sxm4-80gb", gpu_count=1, hours=3)
    table = api.compare(workload, preset, providers=["owned"], servers=["nvidia-dgx-a100"]).table
    row = table[table["accounting_mode"] == "dedicated"].iloc[0]
    assert row.gpu_count == 1 and row.instances == 1 and row.billed_gpus == 8
    assert row.wall_hours == pytest.approx(3.0 / row.throughput_ratio) and row.gpu_hours == pytest.approx(row.wall_hours * row.gpu_count)
