"""The fuzz harness of ``tests/test_fuzz_entry_points.py`` (not a test module): strategies, the issue's corpus,
and the checks every case must pass, with a tally of outcomes.

Every case ends in one of: ``accepted`` (exit 0 / a result whose numbers are finite and non-negative),
``rejected`` (exit 2 with exactly one ``trainplan: error:`` line / a one-line ``PlanError``). Anything else
is a failure and is tallied before the assertion fails: ``traceback`` (another exception or exit code),
``hang`` (the case ran past ``CASE_SECONDS``), ``wrong number`` (NaN, inf or a negative in a result),
``bad message`` (an error of several lines).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from hypothesis import strategies as st

from planner.errors import PlanError

#: Longest a single case may take [s] before it counts as a hang (the issue's hangs never ended).
CASE_SECONDS = 30
#: outcome tallies: (entry point, outcome) -> count; the long profile prints them.
TALLY: Counter[tuple[str, str]] = Counter()
#: Lines a verb may print on stderr besides its one error (the shipped prices' staleness warning).
WARNING_PREFIXES = ("warning: ", "trainplan: warning: ", "price cache ")


class Hang(Exception):
    """A case ran past ``CASE_SECONDS``."""


@contextlib.contextmanager
def time_limit(seconds: float = CASE_SECONDS) -> Iterator[None]:
    """Raise ``Hang`` in the main thread if the block runs longer than ``seconds``."""
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"ran past {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _fail(entry: str, outcome: str, detail: str) -> None:
    TALLY[(entry, outcome)] += 1
    raise AssertionError(f"{entry}: {outcome}: {detail}")


# --- the corpus -------------------------------------------------------------------------------------
QUANTITY_CORPUS = ["9**9**9 h", "9**9**9h", "2**2000 h", " ", "", "(1 h", "1/0 h", "1 h/s", "50 %", "400 W/kW",
                   "1e400 h", "-0 h", "nan", "inf", "-inf", "1e-300", "3.3 day", "90 min", "24h", "0.4 kW",
                   "0.545", "0.545 kg/kWh", "545 g/kWh", "__import__('os')", "1 parsec", "1 degC", "1_000",
                   "1,000", "٣", "1e308 h", "10 furlongs", "1 h h", "h", "1 kWh", "12 USD/hour", "\x00", "1\n2"]
NUMBER_CORPUS = ["1e-300", "-1", "0", "1e15", "1e400", "nan", "inf", "true", "abc", "1000000000", "50000",
                 "100000", "1.5", "8", "64", "0.5", "5", "-0.05", "2", " "]
GPU_CORPUS = ["t4", "v100-sxm2-16gb", "a100-sxm4-80gb", "h100-sxm5-80gb", "H100-SXM5-80GB", "tpu-v3", "v101", "",
              "gtx-1080-ti", "x" * 300]
PRESETS = ["bert-base", "transformer-big", "llama2-7b", "lisa", "nas", "bert-bse", ""]

quantities = st.one_of(
    st.sampled_from(QUANTITY_CORPUS),
    st.from_regex(r"\A-?\d{1,7}(\.\d{1,3})?([eE]-?\d{1,4})? ?(h|hour|day|min|s|W|kW|g/kWh|kg/kWh|%|h/s|W/kW|)\Z"),
    st.text(max_size=24),
)
numbers_text = st.one_of(st.sampled_from(NUMBER_CORPUS), quantities,
                         st.floats(allow_nan=True, allow_infinity=True).map(repr),
                         st.integers(-(10**30), 10**30).map(str))
plain_values = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20),
                         st.floats(allow_nan=True, allow_infinity=True), quantities,
                         st.sampled_from(["8", "24 h", "1e15", "true", [1, 2], {"a": 1}]))




def mostly(good: st.SearchStrategy, bad: st.SearchStrategy = plain_values) -> st.SearchStrategy:
    """Three in four draws from ``good`` (so results get checked, not only refusals), else from ``bad``."""
    return st.one_of(good, good, good, bad)


def one_bad(good: dict[str, st.SearchStrategy], bad: st.SearchStrategy = plain_values) -> st.SearchStrategy:
    """A valid keyword set, or the same with one key given a hostile value (about half and half)."""
    def spoil(pair: tuple[dict, tuple[str, object] | None]) -> dict:
        values, change = pair
        return values if change is None else {**values, change[0]: change[1]}

    return st.tuples(st.fixed_dictionaries(good), st.one_of(st.none(), st.tuples(st.sampled_from(list(good)), bad))
                     ).map(spoil)


VALID_GPUS = ["t4", "v100-sxm2-16gb", "a100-sxm4-80gb", "h100-sxm5-80gb", "p100-pcie-16gb", "tpu-v3"]
#: A plausible value of each workload / estimate field (numbers, or quantity text in another unit).
GOOD = {
    "gpu_count": st.integers(1, 4096),
    "hours": st.one_of(st.floats(0.01, 1e5), st.floats(0.01, 1e3).map(lambda d: f"{d:.3g} day")),
    "gpu_hours": st.floats(1, 1e8),
    "parameters": st.floats(1e6, 1e12), "tokens": st.floats(1e8, 1e13), "flops": st.floats(1e15, 1e26),
    "mfu": st.floats(0.05, 1.0), "repeats": st.integers(1, 100),
    "pue": st.floats(1.0, 3.0), "gpu_power_fraction": st.floats(0.05, 1.0),
    "gpu_w": st.one_of(st.floats(10, 1500), st.floats(0.01, 1.5).map(lambda k: f"{k:.3g} kW")),
    "host_w": st.floats(0, 1e5),
    "grid_gco2e_per_kwh": st.one_of(st.floats(5, 1500), st.floats(0.005, 1.5).map(lambda k: f"{k:.4g} kg/kWh")),
}


# --- checks -------------------------------------------------------------------------------------------------
def run_cli(entry: str, argv: list[str]) -> str:
    """Run the CLI in-process; 'accepted' or 'rejected', else tally the failure and raise AssertionError."""
    from planner.cli import main

    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    try:
        with time_limit(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # --help
                code = exc.code if isinstance(exc.code, int) else 2
    except Hang:
        _fail(entry, "hang", f"{argv!r} ran past {CASE_SECONDS} s")
    except Exception as exc:  # noqa: BLE001 - the point: nothing but PlanError may escape main
        _fail(entry, "traceback", f"{argv!r}: {type(exc).__name__}: {exc}")
    text = err.getvalue()
    if "Traceback" in text:
        _fail(entry, "traceback", f"{argv!r}: {text[-500:]}")
    if code == 2:
        errors = [line for line in text.strip().splitlines() if not line.startswith(WARNING_PREFIXES)]
        if len(errors) != 1 or not errors[0].startswith("trainplan: error: "):
            _fail(entry, "bad message", f"{argv!r}: {text!r}")
        TALLY[(entry, "rejected")] += 1
        return "rejected"
    if code != 0:
        _fail(entry, "traceback", f"{argv!r}: exit {code}: {text[-300:]}")
    # The result verbs' JSON; reproduce prints the paper's tables, where a blank is the paper's own gap.
    if argv[:1] in (["estimate"], ["compare"], ["procure"]) and argv[argv.index("--format") + 1:][:1] == ["json"]:
        _check_json(entry, argv, out.getvalue())
    TALLY[(entry, "accepted")] += 1
    assert time.monotonic() - started < CASE_SECONDS
    return "accepted"


#: Result columns that are quantities and so must be finite and >= 0 where present (None: not applicable).
NON_NEGATIVE = ("gpu_hours", "wall_hours", "energy_kwh", "co2e_kg", "co2e_lb", "co2e_embodied_kg", "cost_usd",
                "cost_usd_low", "cost_usd_central", "cost_usd_high", "instances", "total_usd", "servers_bought",
                "fleet_servers", "wait_hours", "usd_per_gpu_hour", "kwh", "water_l")
#: Columns that may be empty ('no data') but, when present, are finite and >= 0.
MAY_BE_EMPTY = ("co2e_market_kg", "instances", "cost_usd", "cost_usd_low", "cost_usd_high", "cost_usd_central", "wait_hours",
                "usd_per_gpu_hour", "water_l")


def _check_json(entry: str, argv: list[str], text: str) -> None:
    try:
        records = json.loads(text) if text.strip() else []
    except ValueError:
        return  # a verb whose json is not one table (none today); nothing to check
    for record in records if isinstance(records, list) else []:
        for column in NON_NEGATIVE:
            if isinstance(record, dict) and column in record:
                value = record[column]
                if value is None and column in MAY_BE_EMPTY:
                    continue
                if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                    _fail(entry, "wrong number", f"{argv!r}: {column} = {value!r}")


def check_table(entry: str, table, columns: tuple[str, ...] = NON_NEGATIVE) -> None:
    """A result table's quantity columns: finite and >= 0 (NaN allowed only in ``MAY_BE_EMPTY``)."""
    import numpy as np

    for column in columns:
        if column not in getattr(table, "columns", ()):
            continue
        values = np.asarray(table[column], dtype=float)
        bad = np.isinf(values) | (values < 0) | (np.isnan(values) & (column not in MAY_BE_EMPTY))
        if bad.any():
            _fail(entry, "wrong number", f"{column} = {values[bad][:3].tolist()}")


def run_api(entry: str, call: Callable[[], object], check: Callable[[object], None] | None = None) -> str:
    """Call the library; 'accepted' (result checked) or 'rejected' (one-line PlanError), else tally and raise."""
    try:
        with time_limit():
            result = call()
    except Hang:
        _fail(entry, "hang", f"ran past {CASE_SECONDS} s")
    except PlanError as exc:
        if "\n" in str(exc) or not str(exc):
            _fail(entry, "bad message", repr(str(exc)))
        TALLY[(entry, "rejected")] += 1
        return "rejected"
    except Exception as exc:  # noqa: BLE001 - the library raises PlanError for bad input, nothing else
        _fail(entry, "traceback", f"{type(exc).__name__}: {exc}")
    if check is not None:
        check(result)
    TALLY[(entry, "accepted")] += 1
    return "accepted"


# --- files --------------------------------------------------------------------------------------------------
def toml_value(value: object) -> str:
    """A TOML literal (no TOML writer is a dependency): strings JSON-quoted, NaN/inf as TOML spells them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def toml_text(mapping: dict) -> str:
    return "".join(f"{json.dumps(str(k))} = {toml_value(v)}\n" for k, v in mapping.items() if v is not None)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path


def fresh_dir(root: Path, counter: list[int]) -> Path:
    counter[0] += 1
    path = root / f"case{counter[0]}"
    path.mkdir()
    return path


def profile() -> str:
    """``ci`` (the default, under 90 s on 2 cores) or ``long`` (``TRAINPLAN_FUZZ=long``)."""
    return "long" if os.environ.get("TRAINPLAN_FUZZ") == "long" else "ci"
