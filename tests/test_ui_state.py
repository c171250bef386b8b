"""The app's inputs in the URL: parsing query parameters, writing them back, and mapping them to api calls."""

from __future__ import annotations

from planner.ui import state


def test_missing_parameters_take_the_defaults():
    values, problems = state.from_query({})
    assert values == state.DEFAULTS and problems == []


def test_query_parameters_round_trip():
    values, _ = state.from_query({"mode": "custom", "gpu": "a100-sxm4-80gb", "gpus": "16", "how": "compute",
                                  "params": "7e9", "tokens": "2e12", "mfu": "0.45", "cmp_providers": "gcp,aws"})
    assert values["gpus"] == 16.0 and values["params"] == 7e9 and values["cmp_providers"] == ["gcp", "aws"]
    again, problems = state.from_query(state.to_query(values))
    assert again == values and problems == []


def test_a_bad_number_or_choice_keeps_the_default_and_says_why():
    values, problems = state.from_query({"gpus": "eight", "how": "days", "cmp_providers": "aws,oracle"})
    assert values["gpus"] == 8.0 and values["how"] == "hours" and values["cmp_providers"] == ["aws"]
    assert problems == [
        "link parameter gpus: gpus 'eight': not a number; expected whole number 1 to 1,000,000; kept 8",
        "link parameter how='days': not allowed; allowed: hours, gpu_hours, compute",
        "link parameter cmp_providers='aws,oracle': oracle not allowed; allowed: aws, gcp, azure, owned",
    ]


def test_workload_kwargs_pass_only_what_the_mode_uses():
    values = dict(state.DEFAULTS, mode="custom", how="gpu_hours", gpu_hours="2000", repeats=3.0)
    assert state.workload_kwargs(values) == {"gpu": "h100-sxm5-80gb", "gpu_count": 8.0, "repeats": 3.0,
                                             "gpu_hours": "2000"}
    assert state.workload_kwargs(state.DEFAULTS) == {"preset_name": "bert-base", "repeats": 1.0}


def test_estimate_kwargs_turn_any_and_blank_into_none():
    values = dict(state.DEFAULTS, provider="gcp", region="us-west1", pue="1.2")
    assert state.estimate_kwargs(values) == {"provider": "gcp", "region": "us-west1", "pricing": None, "pue": "1.2",
                                             "grid_zone": None}


def test_compare_kwargs_turn_empty_lists_and_blanks_into_no_filter():
    kwargs = state.compare_kwargs(state.DEFAULTS)
    assert kwargs == {"providers": ["aws", "gcp", "azure", "owned"], "pricing": ["on_demand"], "regions": None,
                      "gpus": None, "servers": None, "max_wall_hours": None, "site_zone": "USA", "deadline": None,
                      "same_gpu": False}
    values = dict(state.DEFAULTS, cmp_regions=["us-east-1"], cmp_max_hours="72", cmp_site=" US-CA ")
    kwargs = state.compare_kwargs(values)
    assert kwargs["regions"] == ["us-east-1"] and kwargs["max_wall_hours"] == 72.0 and kwargs["site_zone"] == "US-CA"
    kwargs = state.compare_kwargs(dict(state.DEFAULTS, cmp_deadline=" 30 day ", cmp_gpu_scope="same"))
    assert kwargs["deadline"] == "30 day" and kwargs["same_gpu"] is True


def test_a_blank_number_is_none_and_text_is_an_error_naming_the_field():
    import pytest

    from planner.errors import PlanError

    with pytest.raises(PlanError, match="max wall-clock hours 'soon': not a number"):
        state.compare_kwargs(dict(state.DEFAULTS, cmp_max_hours="soon"))
    assert state.breakeven_kwargs(state.DEFAULTS)["electricity_usd_per_kwh"] is None


def test_cloud_items_become_procurement_entries_or_the_defaults():
    values = dict(state.DEFAULTS, own_clouds=["aws:us-east-1"], own_pricing="spot")
    assert state.breakeven_kwargs(values)["clouds"] == [{"provider": "aws", "region": "us-east-1", "pricing": "spot"}]
    assert state.breakeven_kwargs(state.DEFAULTS)["clouds"] is None  # the library picks each provider's cheapest
    plan = state.procurement_kwargs(state.DEFAULTS, ["gcp:us-central1"])
    assert plan["clouds"] == [{"provider": "gcp", "region": "us-central1", "pricing": "on_demand"}]
    assert plan["server"] == "nvidia-dgx-h100" and plan["site"] == {"grid_zone": "USA"}


def test_list_inputs_round_trip_through_the_url():
    values, _ = state.from_query({"cmp_pricing": "spot,on_demand", "own_clouds": "aws:us-east-1,gcp:us-west1",
                                  "proc_years": "3"})
    assert values["cmp_pricing"] == ["spot", "on_demand"] and values["own_clouds"] == ["aws:us-east-1", "gcp:us-west1"]
    again, problems = state.from_query(state.to_query(values))
    assert again == values and problems == []
