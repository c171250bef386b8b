"""The app's inputs as URL query parameters: one flat, string-valued record, so a link reproduces a view.

Pure parsing, no Streamlit: ``from_query`` reads a query-parameter mapping into the inputs (keeping the
default, and reporting why, for a value that is not a number or not one of the allowed choices), and
``to_query`` writes the inputs back. Lists travel comma-separated (``cmp_providers=aws,owned``). Values that
depend on the data (presets, GPUs, regions, servers) are checked against the catalog by ``planner.ui.panels``
and ``planner.api`` later.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner import defaults
from planner.errors import PlanError
from planner.fields import MAX_TEXT_CHARS, check
from pricing.schema import PROVIDERS

MODES = ("preset", "custom")
HOW = ("hours", "gpu_hours", "compute")
ANY = "any"
OWNED = "owned"
COMPARE_PROVIDERS = (*PROVIDERS, OWNED)
COMPARE_PRICING = ("on_demand", "spot")
CLOUD_PRICING = ("on_demand", "spot")
#: The app's tabs; only the open one runs (its label is the ``tab`` query parameter).
TABS = ("Compare", "Own vs rent", "Procurement", "Assumptions and sources", "Export")

#: Longest link parameter read, and most items in a list parameter.
MAX_LINK_CHARS = 20 * MAX_TEXT_CHARS
MAX_LIST_ITEMS = 200

#: Every input with its default; the key is both the query parameter and the widget's session-state key.
DEFAULTS: dict[str, object] = {
    "tab": TABS[0],
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
    # When the job runs (blank: annual averages) and how future grids are made; the best-start window.
    "start": "",
    "grid_basis": "trend",
    "best_from": "",
    "best_to": "",
    # Compare view filters: an empty list means no filter (every region, GPU, priced server).
    "cmp_providers": list(COMPARE_PROVIDERS),
    "cmp_pricing": ["on_demand"],
    "cmp_regions": [],
    "cmp_gpus": [],
    "cmp_servers": [],
    "cmp_max_hours": "",
    "cmp_deadline": "",
    "cmp_gpu_scope": "all",
    "cmp_site": "USA",
    # The compare table's order (planner.compare.SORT_KEYS, as `trainplan compare --sort`) and rows shown.
    "cmp_sort": "cost",
    "cmp_rows": "100",
    # Own vs rent: one owned server at a site against cloud prices (empty clouds: each provider's cheapest).
    "own_server": "nvidia-dgx-1-v100",
    "own_site": "USA",
    "own_lifetime": float(defaults.OWNED_LIFETIME_YEARS.value),
    "own_util": float(defaults.OWNED_UTILISATION.value),
    "own_elec": "",
    "own_pue": float(defaults.PUE["owned"].value),
    "own_pricing": "on_demand",
    "own_clouds": [],
    # Procurement: a shared cluster over several years (empty clouds: each provider's cheapest region).
    "proc_server": "nvidia-dgx-h100",
    "proc_years": float(defaults.PROCUREMENT_HORIZON_YEARS.value),
    "proc_demand": 150000.0,
    "proc_growth": 0.2,
    "proc_util": float(defaults.OWNED_UTILISATION.value),
    "proc_site": "USA",
    "proc_pricing": "on_demand",
    "proc_clouds": [],
    # Hybrid (under Procurement): spot's share of the overflow, carbon price (planner/ui/hybrid.py).
    "hyb_spot_share": 0.0,
    "hyb_carbon": float(defaults.CARBON_PRICE_USD_PER_T.value),
}
NUMBERS = ("gpus", "params", "tokens", "mfu", "repeats", "own_lifetime", "own_util", "own_pue", "proc_years",
           "proc_demand", "proc_growth", "proc_util", "hyb_spot_share", "hyb_carbon")
#: Each number input's field in ``planner.fields`` and its widget's range (a slider or number input raises on
#: a value outside its own range, so a link's number must fit both; None: the field's range alone).
NUMBER_FIELDS: dict[str, tuple[str, tuple[float, float] | None]] = {
    "gpus": ("gpu_count", None), "params": ("parameters", None), "tokens": ("tokens", None), "mfu": ("mfu", None),
    "repeats": ("repeats", None), "own_lifetime": ("lifetime_years", (0.25, 30.0)),
    "own_util": ("utilisation", (0.01, 1.0)), "own_pue": ("owned_pue", (1.0, 3.0)),
    "proc_years": ("horizon_years", (1.0, 15.0)), "proc_demand": ("demand_gpu_hours", None),
    "proc_growth": ("growth", None), "proc_util": ("target_utilisation", (0.05, 0.95)),
    "hyb_spot_share": ("spot_share", (0.0, 1.0)), "hyb_carbon": ("carbon_price_usd_per_t", None),
}
#: Text inputs that hold a number or quantity (blank allowed), checked as their field when a link sets them.
TEXT_NUMBERS = {"hours": "hours", "gpu_hours": "gpu_hours", "pue": "pue"}
#: planner.grid_time.GRID_BASES (repeated here so this module stays free of pandas; a test keeps them equal).
GRID_BASES = ("flat", "trend", "projection")
#: The compare table's orders (planner.compare.SORT_KEYS; repeated here so this module stays free of pandas; a
#: test keeps them equal) and how many rows it shows (the first 100 by default; "all": every row).
SORTS = ("cost", "co2e", "time")
ROW_LIMITS = ("100", "all")
#: The compare view's GPU scope: every GPU (hours converted), or only the workload's own (``api.compare(same_gpu)``).
GPU_SCOPES = ("all", "same")
CHOICES = {"tab": TABS, "mode": MODES, "how": HOW, "grid_basis": GRID_BASES, "own_pricing": CLOUD_PRICING,
           "proc_pricing": CLOUD_PRICING, "cmp_gpu_scope": GPU_SCOPES,
           "cmp_sort": SORTS, "cmp_rows": ROW_LIMITS}
#: List inputs and their allowed items (None: checked against the data by the panels).
LISTS: dict[str, tuple[str, ...] | None] = {
    "cmp_providers": COMPARE_PROVIDERS, "cmp_pricing": COMPARE_PRICING, "cmp_regions": None, "cmp_gpus": None,
    "cmp_servers": None, "own_clouds": None, "proc_clouds": None,
}


def from_query(params: Mapping[str, object]) -> tuple[dict[str, object], list[str]]:
    """Inputs from query parameters: (values, messages about the parameters that were ignored).

    Unknown keys are ignored silently (links from newer versions); a number that does not parse or a choice
    outside its allowed values keeps its default and yields a one-line message naming the parameter; a list
    keeps its allowed items and names the others.
    """
    values = {k: list(v) if isinstance(v, list) else v for k, v in DEFAULTS.items()}
    problems = []
    for key, default in DEFAULTS.items():
        if key not in params:
            continue
        raw = params[key]
        text = str(raw[-1] if isinstance(raw, list | tuple) else raw).strip()
        if any(ord(c) < 32 for c in text):
            problems.append(f"link parameter {key} {text[:40]!r}: control characters are not allowed; kept the "
                            "default")
            continue
        if len(text) > MAX_LINK_CHARS:
            problems.append(f"link parameter {key}: {len(text):,} characters; at most {MAX_LINK_CHARS:,}; kept the "
                            "default")
            continue
        if key in LISTS:
            chosen = item_list(text)
            if len(chosen) > MAX_LIST_ITEMS:
                problems.append(f"link parameter {key}: {len(chosen):,} items; at most {MAX_LIST_ITEMS}; kept the "
                                "default")
                continue
            allowed = LISTS[key]
            bad = [p for p in chosen if allowed is not None and p not in allowed]
            if bad:
                problems.append(f"link parameter {key}='{text}': {', '.join(bad)} not allowed; allowed: "
                                f"{', '.join(allowed or ())}")
            values[key] = [p for p in chosen if p not in bad]
            continue
        if key in NUMBERS:
            try:
                values[key] = link_number(key, text)
            except PlanError as exc:
                problems.append(f"link parameter {key}: {exc}; kept {default:g}")
            continue
        if key in TEXT_NUMBERS and text:
            try:
                check(TEXT_NUMBERS[key], text, key)
            except PlanError as exc:
                problems.append(f"link parameter {key}: {exc}; kept {default!r}")
                continue
        if key in CHOICES and text not in CHOICES[key]:
            problems.append(f"link parameter {key}='{text}': not allowed; allowed: {', '.join(CHOICES[key])}")
            continue
        values[key] = text
    return values, problems


def link_number(key: str, text: str) -> float:
    """A number input from a link: its field's check, then its widget's range (PlanError naming which)."""
    field, widget = NUMBER_FIELDS[key]
    number = float(check(field, text, key))
    if widget is not None and not widget[0] <= number <= widget[1]:
        raise PlanError(f"{key} {number:g}: outside this input's range {widget[0]:g} to {widget[1]:g}")
    return number


def to_query(values: Mapping[str, object]) -> dict[str, str]:
    """Query parameters for the inputs: every key of ``DEFAULTS``, numbers written with ``repr`` precision."""
    out = {}
    for key in DEFAULTS:
        value = values.get(key, DEFAULTS[key])
        if key in NUMBERS:
            out[key] = repr(float(value))
        elif key in LISTS:
            out[key] = ",".join(value)
        else:
            out[key] = str(value)
    return out


def item_list(text: str) -> list[str]:
    """``'aws,gcp'`` → ``['aws', 'gcp']`` (blank items dropped)."""
    return [p.strip() for p in str(text).split(",") if p.strip()]


#: Earlier name of ``item_list``.
provider_list = item_list


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


def _given(values: Mapping[str, object], key: str) -> object:
    value = values[key]
    return None if value in (ANY, "", None) else value


def time_kwargs(values: Mapping[str, object]) -> dict[str, object]:
    """``start`` and ``grid_basis`` when a start month is given (blank: the places' annual figures, no keys)."""
    start = str(values.get("start") or "").strip()
    return {"start": start, "grid_basis": values.get("grid_basis", "trend")} if start else {}


def estimate_kwargs(values: Mapping[str, object]) -> dict[str, object]:
    """Keyword arguments of ``api.estimate_workload`` for the inputs ("any" and blanks become None)."""
    return {"provider": _given(values, "provider"), "region": _given(values, "region"),
            "pricing": _given(values, "pricing"), "pue": _given(values, "pue"), "grid_zone": _given(values, "grid"),
            **time_kwargs(values)}


def _number_or_none(field: str, text: object) -> float | None:
    """A blank text input is None; anything else must parse as a number (a PlanError names the field)."""
    if text in ("", None):
        return None
    try:
        return float(str(text).strip())
    except ValueError:
        raise PlanError(f"{field} '{text}': not a number; give a number or leave it blank") from None


def compare_kwargs(values: Mapping[str, object]) -> dict[str, object]:
    """Keyword arguments of ``api.compare`` for the compare view's filters (empty lists: no filter)."""
    return {
        "providers": list(values["cmp_providers"]), "pricing": list(values["cmp_pricing"]),
        "regions": list(values["cmp_regions"]) or None, "gpus": list(values["cmp_gpus"]) or None,
        "servers": list(values["cmp_servers"]) or None,
        "max_wall_hours": _number_or_none("max wall-clock hours", values["cmp_max_hours"]),
        "site_zone": str(values["cmp_site"]).strip() or "USA",
        "deadline": str(values.get("cmp_deadline", "")).strip() or None,
        "same_gpu": values.get("cmp_gpu_scope", "all") == "same",
        **time_kwargs(values),
    }


def row_limit(values: Mapping[str, object]) -> int | None:
    """How many compare rows to show: ``cmp_rows`` as a number, None for "all"."""
    rows = str(values.get("cmp_rows", DEFAULTS["cmp_rows"]))
    return None if rows == "all" else int(rows)


def cloud_entries(items: list[str], pricing: str) -> list[dict[str, str]] | None:
    """``['aws:us-east-1']`` → procurement cloud entries ``[{provider, region, pricing}]``; empty → None."""
    entries = []
    for item in items:
        provider, _, region = item.partition(":")
        entries.append({"provider": provider, "region": region, "pricing": pricing})
    return entries or None


def breakeven_kwargs(values: Mapping[str, object]) -> dict[str, object]:
    """Arguments of ``api.breakeven_curve`` for the own-vs-rent inputs (server first, then keywords)."""
    return {
        "server": values["own_server"], "site_zone": str(values["own_site"]).strip() or "USA",
        "lifetime_years": float(values["own_lifetime"]), "utilisation": float(values["own_util"]),
        "pue": float(values["own_pue"]),
        "electricity_usd_per_kwh": _number_or_none("electricity price (USD/kWh)", values["own_elec"]),
        "pricing": values["own_pricing"], "clouds": cloud_entries(list(values["own_clouds"]), values["own_pricing"]),
    }


def procurement_kwargs(values: Mapping[str, object], default_clouds: list[str]) -> dict[str, object]:
    """Arguments of ``api.procurement_plan`` for the procurement inputs (server first, then keywords).

    default_clouds : ``provider:region`` items used when none is chosen (each provider's cheapest region)
    """
    clouds = list(values["proc_clouds"]) or list(default_clouds)
    return {
        "server": values["proc_server"], "horizon_years": float(values["proc_years"]),
        "demand_gpu_hours": float(values["proc_demand"]), "growth": float(values["proc_growth"]),
        "target_utilisation": float(values["proc_util"]),
        "site": {"grid_zone": str(values["proc_site"]).strip() or "USA"},
        "clouds": cloud_entries(clouds, values["proc_pricing"]) or [],
        "grid_basis": values.get("grid_basis", "trend"),
    }
