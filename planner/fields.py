"""Every input field trainplan accepts, with its unit and its allowed range, and the one check that applies them.

The CLI flags, workload files, plan files, measurement files, the app's URL and widgets and ``planner.api``
all read numbers through ``check``: a quantity in the field's unit (``planner.units.parse_quantity``: a bare
number is in the field's unit), finite, inside the documented range (every field has an upper bound, so no
input can make the model do unbounded work or produce inf), a whole number where the field counts things;
booleans are never numbers. Text and list inputs have length limits too (``MAX_TEXT_CHARS``,
``MAX_LIST_ITEMS``). The ``checked`` decorator applies ``check`` to every parameter of an ``api`` function
whose name is a field here.

The ranges are bounds of plausibility, not of the model: e.g. 10^6 GPUs is beyond any cluster built
(the largest announced, 2025, are about 2 x 10^5), 10^6 h of wall-clock time is 114 years.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from planner.errors import PlanError
from planner.units import parse_quantity

#: Longest text input (names, ids, titles) read; longer is refused.
MAX_TEXT_CHARS = 200
#: Most items in one list input (providers, regions, GPUs, cloud entries, portfolio entries, demand years).
MAX_LIST_ITEMS = 500
#: Largest workload, plan or measurement file read [bytes].
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Field:
    """One numeric input: its unit (None: a pure number), its range and whether it counts whole things.

    The range is ``[low, high]``; ``low_open`` / ``high_open`` exclude an end. ``as_int`` returns an int.
    """

    name: str
    unit: str | None
    low: float
    high: float
    meaning: str
    low_open: bool = False
    high_open: bool = False
    whole: bool = False
    as_int: bool = False

    def range_text(self) -> str:
        """``(0, 1e+06] h`` or ``whole number 1 to 1,000,000``: the range as help and messages print it."""
        if self.whole:
            return f"whole number {self.low:,.0f} to {self.high:,.0f}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}{' ' + self.shown_unit if self.unit else ''}"

    @property
    def shown_unit(self) -> str:
        """The unit as messages print it (``h``, ``s``, ``W``, ``g/kWh``)."""
        return {"hour": "h", "second": "s"}.get(self.unit or "", self.unit or "")

    def help(self, text: str) -> str:
        """An argparse help string: ``text`` and the allowed range (``%`` escaped for argparse)."""
        return f"{text}; {self.range_text()}".replace("%", "%%")


def _f(name: str, unit: str | None, low: float, high: float, meaning: str, **kw: bool) -> Field:
    return Field(name, unit, low, high, meaning, **kw)


_FIELDS = (
    # workload
    _f("gpu_count", None, 1, 1_000_000, "GPUs used in parallel", whole=True),
    _f("hours", "hour", 0, 1e6, "wall-clock time of one run", low_open=True),
    _f("gpu_hours", "hour", 0, 1e10, "GPU-hours of one run", low_open=True),
    _f("parameters", None, 0, 1e15, "model parameters", low_open=True),
    _f("tokens", None, 0, 1e16, "training tokens", low_open=True),
    _f("batch_tokens", None, 1, 1e9, "global batch, tokens per optimiser step"),
    _f("flops", None, 0, 1e30, "training compute [FLOP]", low_open=True),
    _f("mfu", None, 0, 1, "model-FLOPs utilisation", low_open=True),
    _f("repeats", None, 0, 1e6, "runs of the workload (tuning, experiments)", low_open=True),
    # power, grid and facility
    _f("pue", None, 1, 4, "power usage effectiveness"),
    _f("owned_pue", None, 1, 4, "PUE of the owned server room"),
    _f("gpu_power_fraction", None, 0, 1, "average GPU power as a fraction of TDP", low_open=True),
    _f("gpu_w", "W", 0, 5000, "average power per GPU", low_open=True),
    _f("host_w", "W", 0, 1e8, "CPU + DRAM power of the whole job"),
    _f("grid_gco2e_per_kwh", "g/kWh", 0, 2000, "grid carbon intensity"),
    _f("electricity_usd_per_kwh", "USD/kWh", 0, 10, "electricity price"),
    # owned servers
    _f("price_usd", "USD", 0, 1e8, "purchase price of one server", low_open=True),
    _f("lifetime_years", None, 0, 30, "server lifetime [years]", low_open=True),
    _f("utilisation", None, 0, 1, "busy share of the owned GPU-hours", low_open=True),
    _f("maintenance_pct_per_year", None, 0, 100, "maintenance [% of price per year]"),
    _f("staff_usd_per_server_year", None, 0, 1e7, "staff cost [USD per server-year]"),
    _f("hosting_usd_per_kw_month", None, 0, 1e4, "hosting [USD per kW-month]"),
    _f("resale_fraction", None, 0, 1, "resale value as a fraction of price", high_open=True),
    _f("overhead_pct_of_capex", None, 0, 1000, "overhead [% of capital cost]"),
    # comparison
    # the full cost of owning (planner.owned_cost, issue 14)
    _f("network_storage_pct_of_capex", None, 0, 1000, "network, storage and fabric [% of server capex]"),
    _f("power_w", "W", 0, 1e6, "busy wall power of one server", low_open=True),
    _f("idle_power_w", "W", 0, 1e6, "idle wall power of one server"),
    _f("idle_power_fraction", None, 0, 1, "idle power as a fraction of busy power"),
    _f("facility_capex_usd_per_kw", None, 0, 1e6, "space/power/cooling capital [USD per kW]"),
    _f("facility_life_years", None, 0, 100, "life of the facility's plant [years]", low_open=True),
    _f("colocation_usd_per_kw_month", None, 0, 1e4, "colocation [USD per kW-month]"),
    _f("staff_fte_base", None, 0, 1000, "staff per cluster [FTE]"),
    _f("staff_fte_per_server", None, 0, 10, "staff per server beyond the first 50 [FTE]"),
    _f("staff_usd_per_fte_year", None, 0, 1e7, "loaded salary [USD per FTE-year]"),
    _f("cluster_servers", None, 0, 1e6, "servers sharing the cluster's staff", low_open=True),
    _f("discount_rate", None, 0, 1, "real discount rate per year"),
    _f("fa_rate", None, 0, 2, "F&A (indirect cost) rate on MTDC"),
    _f("peak_month_factor", None, 1, 12, "peak month's load over the annual average"),
    _f("job_length_cv", None, 0, 100, "coefficient of variation of job lengths"),
    _f("max_wall_hours", "hour", 0, 1e6, "longest acceptable wall-clock time", low_open=True),
    _f("spot_interruptions_per_hour", None, 0, 100, "spot interruptions per instance-hour"),
    _f("checkpoint_interval_hours", "hour", 0, 1e4, "checkpoint interval on spot", low_open=True),
    _f("restart_hours", "hour", 0, 1e4, "restart time after an interruption"),
    _f("throughput_ratio", None, 0, 1000, "speed-up over the workload's GPU", low_open=True),
    _f("monte_carlo", None, 0, 10_000, "Monte Carlo draws (0 = none)", whole=True, as_int=True),
    _f("seed", None, 0, 2**32 - 1, "Monte Carlo seed", whole=True, as_int=True),
    _f("top", None, 1, 10_000, "options printed", whole=True, as_int=True),
    # procurement
    _f("horizon_years", None, 1, 30, "planning horizon [years]", whole=True),
    _f("demand_gpu_hours", "hour", 0, 1e10, "GPU-hours demanded in a year"),
    _f("growth", None, -1, 10, "yearly growth (0.2 = +20% a year)", low_open=True),
    _f("target_utilisation", None, 0, 1, "target utilisation of the cluster", low_open=True, high_open=True),
    _f("spot_overhead_fraction", None, 0, 10, "extra spot GPU-hours for preemption"),
    _f("mean_job_hours", "hour", 0, 1e5, "mean job length", low_open=True),
    _f("job_gpus", None, 1, 1_000_000, "GPUs one job holds", whole=True),
    _f("runs", None, 0, 1e6, "runs of a portfolio workload in a year"),
    _f("usd_per_gpu_hour", "USD/hour", 0, 1000, "a quoted cloud price per GPU-hour", low_open=True),
    # hybrid owned + cloud plans (planner/hybrid.py)
    _f("demand_gpu_hours_by_month", "hour", 0, 1e9, "GPU-hours demanded in a month"),
    _f("seasonality", None, 0, 1e6, "a month's weight in its year's demand"),
    _f("spot_share", None, 0, 1, "share of the overflow spot capacity carries"),
    _f("commitment_gpus", None, 0, 1e6, "cloud GPUs committed for the horizon"),
    _f("availability", None, 0, 1, "share of hours an owned server is up", low_open=True),
    _f("utilisation_cap", None, 0, 1, "highest load the owned fleet carries", low_open=True),
    _f("max_wait_hours", "hour", 0, 1e5, "longest mean queue wait on the owned servers", low_open=True),
    _f("capex_budget_usd", None, 0, 1e12, "capex budget over the horizon [USD]"),
    _f("min_on_premises_share", None, 0, 1, "least share of the demand served on premises"),
    _f("carbon_price_usd_per_t", None, 0, 1e5, "carbon price [USD per t CO2e]"),
    # measuring and prices
    _f("interval", "second", 0.05, 3600, "sampling period"),
    _f("duration", "second", 0, 1e8, "longest measured run", low_open=True),
    _f("max_age_days", None, 0, 36_500, "age after which prices are stale [days]"),
)
#: Every numeric field by name.
FIELDS: dict[str, Field] = {f.name: f for f in _FIELDS}

#: Text parameters of ``planner.api`` functions (ids, zones, names), checked for type and length.
TEXT_FIELDS = ("preset_name", "gpu", "precision", "name", "provider", "region", "pricing", "grid_zone",
               "site_zone", "electricity_zone", "server", "demand_gpu", "title", "server_id", "kind")
#: List parameters (strings, each checked as text), checked for type and length.
LIST_FIELDS = ("providers", "regions", "gpus", "countries", "servers")
#: Numeric fields that also take a list (one value per year).
LIST_NUMBER_FIELDS = ("demand_gpu_hours", "runs", "demand_gpu_hours_by_month", "seasonality")
#: Mapping parameters (text key -> the named numeric field), e.g. compare's per-GPU throughput ratios.
MAP_FIELDS = {"throughput_ratios": "throughput_ratio"}
#: Parameters that are booleans (and nothing else: 1 is not True).
BOOL_FIELDS = ("whole_servers", "force", "credit_residual")

#: A grid intensity without a unit below this [gCO2e/kWh] is most likely in kg/kWh (as papers print it).
GRID_BARE_MINIMUM = 5.0


def check(name: str, value: object, label: str | None = None) -> Any:
    """``value`` read as field ``name``: a float in the field's unit (an int for counts), or PlanError.

    label : the name to print (default ``name``), e.g. ``portfolio entry 2 gpu_count``.
    """
    field = FIELDS[name]
    shown = label or name
    if isinstance(value, bool):
        raise PlanError(f"{shown} {value!r}: a boolean is not a number; expected {field.range_text()}")
    number = parse_quantity(shown, value, field.unit) if field.unit else _plain_number(field, shown, value)
    if name == "grid_gco2e_per_kwh" and not _has_unit(value) and 0 < number < GRID_BARE_MINIMUM:
        raise PlanError(f"{shown} {number:g}: below {GRID_BARE_MINIMUM:g} gCO2e/kWh without a unit; did you mean "
                        f"{number:g} kg/kWh? Give the unit ('{number:g} kg/kWh' or '{number * 1000:g} g/kWh')")
    return _in_range(field, shown, number)


def _has_unit(value: object) -> bool:
    return not isinstance(value, int | float | np.integer | np.floating) and \
        not (isinstance(value, str) and _is_bare(value))


def _is_bare(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _plain_number(field: Field, shown: str, value: object) -> float:
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = parse_quantity(shown, value, "dimensionless")  # '50 %' is 0.5
        except PlanError:
            raise PlanError(f"{shown} {value[:40]!r}: not a number; expected {field.range_text()}") from None
    else:
        raise PlanError(f"{shown} {str(value)[:40]!r}: not a number; expected {field.range_text()}")
    if not math.isfinite(number):
        raise PlanError(f"{shown} {value}: must be a finite number")
    return number


def _in_range(field: Field, shown: str, number: float) -> Any:
    unit = f" {field.shown_unit}" if field.unit else ""
    if field.whole and (number < field.low or number > field.high or number != int(number)):
        raise PlanError(f"{shown} {number:g}: must be a {field.range_text()}")
    low_bad = number <= field.low if field.low_open else number < field.low
    high_bad = number >= field.high if field.high_open else number > field.high
    if low_bad:
        raise PlanError(f"{shown} {number:g}{unit}: must be {'>' if field.low_open else '>='} {field.low:g}; "
                        f"allowed: {field.range_text()}")
    if high_bad:
        raise PlanError(f"{shown} {number:g}{unit}: must be {'<' if field.high_open else '<='} {field.high:g}; "
                        f"allowed: {field.range_text()}")
    if field.whole and number != int(number):
        raise PlanError(f"{shown} {number:g}: must be a {field.range_text()}")
    return int(number) if field.as_int else float(number)


def text(name: str, value: object, *, required: bool = False) -> str | None:
    """A text input: a string of at most ``MAX_TEXT_CHARS`` characters without control characters."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise PlanError(f"{name} {str(value)[:40]!r}: must be text")
    if len(value) > MAX_TEXT_CHARS:
        raise PlanError(f"{name} '{value[:40]}…': too long ({len(value):,} characters); at most {MAX_TEXT_CHARS}")
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise PlanError(f"{name} {value[:40]!r}: control characters are not allowed")
    return value


def items(name: str, value: object, limit: int = MAX_LIST_ITEMS) -> list:
    """A list input of at most ``limit`` items (a tuple or list; a string is not a list)."""
    if not isinstance(value, list | tuple | np.ndarray):
        raise PlanError(f"{name} {str(value)[:40]!r}: must be a list")
    if len(value) > limit:
        raise PlanError(f"{name}: {len(value):,} items; at most {limit:,}")
    return list(value)


def boolean(name: str, value: object) -> bool:
    """A yes/no input: only ``True`` or ``False`` (``1``, ``"yes"`` are refused)."""
    if not isinstance(value, bool | np.bool_):
        raise PlanError(f"{name} {str(value)[:40]!r}: must be true or false")
    return bool(value)


def check_keys(field: str, given: Mapping[str, object], allowed: tuple[str, ...] | list[str]) -> None:
    """Refuse a mapping with a key not in ``allowed``, naming it and listing the allowed keys."""
    if not isinstance(given, Mapping):
        raise PlanError(f"{field}: must be a table of keys ({', '.join(allowed)})")
    extra = sorted(str(k) for k in set(given) - set(allowed))
    if extra:
        raise PlanError(f"{field}: unknown key '{extra[0]}'; allowed: {', '.join(allowed)}")


F = TypeVar("F", bound=Callable[..., Any])


def checked(func: F) -> F:
    """Check every parameter of ``func`` named in ``FIELDS``, ``TEXT_FIELDS``, ``LIST_FIELDS`` or ``BOOL_FIELDS``.

    ``None`` means "not given" and is passed through. Numbers arrive converted (``'3.3 day'`` -> 79.2).
    """
    signature = inspect.signature(func)
    names = [p for p in signature.parameters
             if p in FIELDS or p in TEXT_FIELDS or p in LIST_FIELDS or p in BOOL_FIELDS or p in MAP_FIELDS]

    required = {p: param.default for p, param in signature.parameters.items()
                if param.default is not inspect.Parameter.empty and param.default is not None
                and param.kind is not inspect.Parameter.VAR_KEYWORD}

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise PlanError(f"{func.__name__}: {exc}") from None
        for name, value in bound.arguments.items():
            if value is None and name in required:  # e.g. growth=None: not "not given", its default is a number
                raise PlanError(f"{name} None: give a value (default {required[name]!r}) or leave it out")
        for name in names:
            if name not in bound.arguments or bound.arguments[name] is None:
                continue
            bound.arguments[name] = check_parameter(name, bound.arguments[name])
        return func(*bound.args, **bound.kwargs)

    return wrapper  # type: ignore[return-value]


def check_parameter(name: str, value: object) -> object:
    """One named parameter checked as its kind (number field, text, list of text, boolean)."""
    if name in FIELDS:
        if isinstance(value, list | tuple | np.ndarray) and name not in LIST_NUMBER_FIELDS:
            raise PlanError(f"{name} {str(value)[:40]}: must be one number, not a list")
        if isinstance(value, list | tuple | np.ndarray):
            each = "year" if name in ("demand_gpu_hours", "runs") else "item"
            return [check(name, v, f"{name} ({each} {i})") for i, v in enumerate(items(name, value), start=1)]
        return check(name, value)
    if name in BOOL_FIELDS:
        return boolean(name, value)
    if name in MAP_FIELDS:
        field = MAP_FIELDS[name]
        if not isinstance(value, Mapping):
            raise PlanError(f"{name} {str(value)[:40]!r}: must be a mapping of GPU id to number")
        items(name, list(value))
        return {text(f"{name} key", k, required=True): check(field, v, f"{name} '{k}'") for k, v in value.items()}
    if name in LIST_FIELDS:
        return [text(f"{name} (item {i})", v, required=True) for i, v in enumerate(items(name, value), start=1)]
    if isinstance(value, list | tuple):  # e.g. compare's pricing: a list of choices
        return [text(f"{name} (item {i})", v, required=True) for i, v in enumerate(items(name, value), start=1)]
    return text(name, value)


def help_for(name: str, text_: str) -> str:
    """``FIELDS[name].help(text_)``: a flag's help with its allowed range."""
    return FIELDS[name].help(text_)


def check_table(field: str, given: object, allowed: tuple[str, ...] | list[str]) -> dict:
    """A mapping of known keys whose values are checked by kind: numbers as their field (``FIELDS``), text as
    text, booleans as booleans; other keys (nested tables and lists) are returned as given for their owner.

    Unknown keys are refused naming the key and the allowed ones.
    """
    check_keys(field, given, allowed)  # type: ignore[arg-type]
    out = {}
    for key, value in given.items():  # type: ignore[attr-defined]
        label = str(key) if field == "plan" else f"{field} {key}"
        each = "year" if key in ("demand_gpu_hours", "runs") else "item"
        if value is None:
            out[key] = value
        elif key in FIELDS and isinstance(value, list | tuple) and key not in LIST_NUMBER_FIELDS:
            raise PlanError(f"{label} {str(value)[:40]}: must be one number, not a list")
        elif key in FIELDS:
            out[key] = [check(key, v, f"{label} ({each} {i})") for i, v in enumerate(items(label, value), start=1)] \
                if isinstance(value, list | tuple) else check(key, value, label)
        elif key in BOOL_FIELDS:
            out[key] = boolean(label, value)
        elif key in TEXT_FIELDS or key == "grid_zone":
            out[key] = text(label, value, required=True)
        else:
            out[key] = value
    return out
