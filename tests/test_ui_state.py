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
        "link parameter gpus='eight': not a number; kept 8",
        "link parameter how='days': not allowed; allowed: hours, gpu_hours, compute",
        "link parameter cmp_providers='aws,oracle': oracle not allowed; allowed: aws, gcp, azure",
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
