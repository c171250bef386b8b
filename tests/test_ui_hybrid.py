"""The app's hybrid panel: its arguments, its chart, and the page under AppTest showing the library's answer."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from planner import api
from planner.ui import panels, state
from planner.ui.hybrid import curve_chart, hybrid_kwargs

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
PROCUREMENT = {"server": "nvidia-dgx-h100", "horizon_years": 2.0, "demand_gpu_hours": 100000.0, "growth": 0.0,
               "target_utilisation": 0.7, "site": {"grid_zone": "US-CA"},
               "clouds": [{"provider": "aws", "region": "us-east-1", "pricing": "on_demand"}]}


def test_kwargs_offer_every_pricing_and_cap_the_owned_load():
    kwargs = hybrid_kwargs(PROCUREMENT, {"hyb_spot_share": 0.25, "hyb_carbon": 50.0})
    assert kwargs["clouds"] == [{"provider": "aws", "region": "us-east-1"}]
    assert kwargs["utilisation_cap"] == 0.7 and "target_utilisation" not in kwargs
    assert kwargs["spot_share"] == 0.25 and kwargs["carbon_price_usd_per_t"] == 50.0


def test_chart_plots_every_fleet_and_marks_the_optima():
    kwargs = hybrid_kwargs(PROCUREMENT, {"hyb_spot_share": 0.0, "hyb_carbon": 190.0})
    plan = api.hybrid_plan(kwargs.pop("server"), **kwargs)
    spec = curve_chart(plan.curve, plan.optima).to_dict()
    datasets = list(spec["datasets"].values())
    fleets = sorted({row["fleet_servers"] for data in datasets for row in data})
    assert fleets == plan.curve["fleet_servers"].tolist()
    assert len(spec["hconcat"]) == 2


def test_procurement_tab_shows_the_hybrid_answer_of_the_library():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["tab"] = "Procurement"
    at.query_params["hyb_spot_share"] = "0.5"
    at.run()
    assert not at.exception
    values = {**state.DEFAULTS, "hyb_spot_share": 0.5}
    assert at.slider(key="hyb_spot_share").value == 0.5
    shown = [i.value for i in at.info if i.value.startswith("Lowest cost: ")]
    assert len(shown) == 1
    # The same inputs through the library give the same sentence (default clouds: each provider's cheapest).
    regions = panels.gpu_regions(values["proc_server"], values["proc_pricing"])
    cheapest = regions[regions["cheapest_of_provider"]]
    kwargs = hybrid_kwargs(state.procurement_kwargs(values, (cheapest["provider"] + ":" + cheapest["region"]).tolist()),
                           values)
    assert shown[0] == api.hybrid_plan(kwargs.pop("server"), **kwargs).answer
