"""The app's inputs as URL query parameters: one flat, string-valued record, so a link reproduces a view.

Pure parsing, no Streamlit: ``from_query`` reads a query-parameter mapping into the inputs (keeping the
default, and reporting why, for a value that is not a number or not one of the allowed choices), and
``to_query`` writes the inputs back. Values are checked against the catalog by ``planner.api`` later.
"""

from __future__ import annotations

from collections.abc import Mapping

from pricing.schema import PROVIDERS

MODES = ("preset", "custom")
HOW = ("hours", "gpu_hours", "compute")
ANY = "any"
COMPARE_PRICING = ("on_demand", "spot")

#: Every input with its default; the key is both the query parameter and the widget's session-state key.
DEFAULTS: dict[str, object] = {
    "mode": "preset",
    "preset": "bert-base",
    "gpu": "h100-sxm5-80gb",
    "gpus": 8.0,
    "how": "hours",
    "hours": "24",
    "gpu_hours": "192",
    "params": 7e9,
    "tokens": 1e12,
    "mfu": 0.4,
    "repeats": 1.0,
    "provider": ANY,
    "region": ANY,
    "pricing": ANY,
    "pue": "",
    "grid": "",
    "cmp_providers": list(PROVIDERS),
    "cmp_pricing": "on_demand",
}
NUMBERS = ("gpus", "params", "tokens", "mfu", "repeats")
CHOICES = {"mode": MODES, "how": HOW, "cmp_pricing": COMPARE_PRICING}


def from_query(params: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """Inputs from query parameters: (values, messages about the parameters that were ignored).

    Unknown keys are ignored silently (links from newer versions); a number that does not parse or a choice
    outside its allowed values keeps its default and yields a one-line message naming the parameter.
    """
    values = {k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS.items()}
    problems = []
    for key, default in DEFAULTS.items():
        if key not in params:
            continue
        raw = params[key]
        text = str(raw[-1] if isinstance(raw, list | tuple) else raw).strip()
        if key == "cmp_providers":
            chosen = provider_list(text)
            bad = [p for p in chosen if p not in PROVIDERS]
            if bad:
                problems.append(f"link parameter {key}='{text}': {', '.join(bad)} not allowed; allowed: "
                                f"{', '.join(PROVIDERS)}")
            values[key] = [p for p in chosen if p in PROVIDERS]
            continue
        if key in NUMBERS:
            try:
                values[key] = float(text)
            except ValueError:
                problems.append(f"link parameter {key}='{text}': not a number; kept {default:g}")
            continue
        if key in CHOICES and text not in CHOICES[key]:
            problems.append(f"link parameter {key}='{text}': not allowed; allowed: {', '.join(CHOICES[key])}")
            continue
        values[key] = text
    return values, problems


def to_query(values: Mapping[str, object]) -> dict[str, str]:
    """Query parameters for the inputs: every key of ``DEFAULTS``, numbers written with ``repr`` precision."""
    out = {}
    for key in DEFAULTS:
        value = values.get(key, DEFAULTS[key])
        if key in NUMBERS:
            out[key] = repr(float(value))
        elif key == "cmp_providers":
            out[key] = ",".join(value)
        else:
            out[key] = str(value)
    return out


def provider_list(text: str) -> list[str]:
    """``'aws,gcp'`` → ``['aws', 'gcp']`` (blank items dropped)."""
    return [p.strip() for p in str(text).split(",") if p.strip()]


def workload_kwargs(values: Mapping[str, object]) -> dict[str, object]:
    """Keyword arguments of ``api.make_workload`` for the inputs (only the fields the chosen mode uses)."""
    if values["mode"] == "preset":
        return {"preset_name": values["preset"], "repeats": values["repeats"]}
    kwargs: dict[str, object] = {"gpu": values["gpu"], "gpu_count": values["gpus"], "repeats": values["repeats"]}
    if values["how"] == "hours":
        kwargs["hours"] = values["hours"]
    elif values["how"] == "gpu_hours":
        kwargs["gpu_hours"] = values["gpu_hours"]
    else:
        kwargs.update(parameters=values["params"], tokens=values["tokens"], mfu=values["mfu"])
    return kwargs


def estimate_kwargs(values: Mapping[str, object]) -> dict[str, object]:
    """Keyword arguments of ``api.estimate_workload`` for the inputs ("any" and blanks become None)."""
    def given(key: str) -> object:
        value = values[key]
        return None if value in (ANY, "", None) else value

    return {"provider": given("provider"), "region": given("region"), "pricing": given("pricing"),
            "pue": given("pue"), "grid_zone": given("grid")}
