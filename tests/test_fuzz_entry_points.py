"""Fuzz every entry point (issue 17 item 6): all CLI verbs, the workload / plan / measurement files, the app's
link parameters (AppTest) and ``planner.api``. Each case must end in exit 0 or 2 with one error line (or a
result / one-line PlanError), no traceback, no NaN, inf or negative in a result, within ``CASE_SECONDS``.

Two profiles: ``ci`` (default; a few examples per entry point plus the issue's corpus, under 90 s on 2 cores)
and ``long`` (``TRAINPLAN_FUZZ=long python -m pytest tests/test_fuzz_entry_points.py -q -s``: hundreds of
examples per entry point; prints the tally of tried / rejected / accepted and every failure kind).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from fuzzing import (
    GOOD,
    GPU_CORPUS,
    NUMBER_CORPUS,
    PRESETS,
    QUANTITY_CORPUS,
    TALLY,
    VALID_GPUS,
    check_table,
    numbers_text,
    one_bad,
    plain_values,
    profile,
    quantities,
    run_api,
    run_cli,
    toml_text,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import api

LONG = profile() == "long"


def examples(ci: int, long: int):
    return settings(max_examples=long if LONG else ci, deadline=None, derandomize=not LONG,
                    suppress_health_check=list(HealthCheck), database=None)


ROOT = Path(tempfile.mkdtemp(prefix="trainplan-fuzz-"))
_counter = [0]


def case_dir() -> Path:
    _counter[0] += 1
    path = ROOT / f"case{_counter[0]}"
    path.mkdir()
    return path


@pytest.fixture(scope="module", autouse=True)
def tally_report():
    yield
    if LONG:
        entries = sorted({entry for entry, _ in TALLY})
        kinds = ("accepted", "rejected", "traceback", "hang", "wrong number", "bad message")
        lines = [f"{'entry point':28} {'tried':>6} " + " ".join(f"{k:>12}" for k in kinds)]
        for entry in entries:
            counts = [TALLY[(entry, k)] for k in kinds]
            lines.append(f"{entry:28} {sum(counts):6d} " + " ".join(f"{c:12d}" for c in counts))
        totals = [sum(TALLY[(e, k)] for e in entries) for k in kinds]
        lines.append(f"{'all':28} {sum(totals):6d} " + " ".join(f"{c:12d}" for c in totals))
        print("\n" + "\n".join(lines))
        out = Path(tempfile.gettempdir()) / "trainplan-fuzz-tally.json"
        out.write_text(json.dumps({f"{e}|{k}": n for (e, k), n in TALLY.items()}, indent=1))


# --- CLI verbs ----------------------------------------------------------------------------------------------
WORKLOAD_FLAGS = ["--gpus", "--hours", "--gpu-hours", "--params", "--tokens", "--flops", "--mfu", "--repeats"]
ESTIMATE_FLAGS = [*WORKLOAD_FLAGS, "--pue", "--gpu-power-fraction", "--gpu-w", "--host-w", "--grid-intensity"]
FLAG_FIELD = {"--gpus": "gpu_count", "--hours": "hours", "--gpu-hours": "gpu_hours", "--params": "parameters",
              "--tokens": "tokens", "--flops": "flops", "--mfu": "mfu", "--repeats": "repeats", "--pue": "pue",
              "--gpu-power-fraction": "gpu_power_fraction", "--gpu-w": "gpu_w", "--host-w": "host_w",
              "--grid-intensity": "grid_gco2e_per_kwh"}
TEXT_FLAGS = {"--provider": ["aws", "gcp", "azure", "ibm", "AWS", ""], "--region": ["us-east-1", "mars-1", ""],
              "--pricing": ["spot", "on_demand", "reserved_1y", "free"], "--grid": ["USA", "US-CA", "ZZ", "WORLD"],
              "--precision": ["fp16", "bf16", "fp8"], "--gpu": GPU_CORPUS}
flag_pairs = st.one_of(
    st.tuples(st.sampled_from(ESTIMATE_FLAGS), numbers_text),
    st.sampled_from(ESTIMATE_FLAGS).flatmap(lambda f: st.tuples(st.just(f), GOOD[FLAG_FIELD[f]].map(str))),
    st.sampled_from(ESTIMATE_FLAGS).flatmap(lambda f: st.tuples(st.just(f), GOOD[FLAG_FIELD[f]].map(str))),
    st.sampled_from(list(TEXT_FLAGS)).flatmap(lambda f: st.tuples(st.just(f), st.sampled_from(TEXT_FLAGS[f]))),
)


def _argv(head: list[str], pairs: list[tuple[str, str]], tail: list[str] = ()) -> list[str]:
    argv = list(head)
    for flag, value in pairs:
        argv += [flag, value] if not value.startswith("-") else [f"{flag}={value}"]
    return argv + list(tail)


base_workload = st.one_of(
    st.sampled_from(PRESETS).map(lambda p: [p] if p else []),
    st.tuples(st.sampled_from(VALID_GPUS), GOOD["gpu_count"], GOOD["hours"]).map(
        lambda t: ["--gpu", t[0], "--gpus", str(t[1]), "--hours", str(t[2])]),
    st.tuples(st.sampled_from(VALID_GPUS), GOOD["gpu_count"], GOOD["hours"]).map(
        lambda t: ["--gpu", t[0], "--gpus", str(t[1]), "--hours", str(t[2])]),
    st.just([]))


@examples(40, 500)
@given(workload=base_workload, pairs=st.lists(flag_pairs, max_size=4))
def test_estimate(workload, pairs):
    head = ["estimate", *workload]
    run_cli("cli estimate", _argv(head, pairs, ["--format", "json"]))


#: compare's switches and flag groups (the table view, memory, deadline, months, output shaping), including the
#: combinations that once crashed (no feasible row in the table view) or were silently ignored.
COMPARE_SWITCHES = [["--all"], ["--assumptions"], ["--columns", "all"], ["--columns", "gpu,cost_usd"],
                    ["--params", "7e10", "--sharding", "none"], ["--sharding", "zero1"], ["--optimiser", "sgd"],
                    ["--activation-gb", "5"], ["--model-memory-gb", "5000"], ["--deadline", "1 s"],
                    ["--deadline", "30 day"], ["--start", "2027-01"], ["--best-start", "2027-01:2027-03"],
                    ["--grid-basis", "flat"], ["--cooling", "liquid"], ["--wue", "2"], ["--same-gpu"],
                    ["--sort", "co2e"], ["--sort", "time"], ["--pricing", "spot"]]


@examples(10, 400)
@given(workload=base_workload, pairs=st.lists(flag_pairs, max_size=3),
       extra=st.lists(st.tuples(st.sampled_from(["--monte-carlo", "--seed", "--top", "--max-hours", "--utilisation",
                                                 "--lifetime", "--resale", "--owned-pue", "--ratio"]),
                                st.sampled_from([*NUMBER_CORPUS, "h100-sxm5-80gb=2", "H100-SXM5-80GB=2", "x=y"])),
                      max_size=3),
       switches=st.lists(st.sampled_from(COMPARE_SWITCHES), max_size=3),
       scope=st.sampled_from([["--server", "none", "--provider", "aws"], ["--server", "none", "--provider", "aws"],
                              ["--provider", "aws,owned", "--region", "us-east-1"]]),
       fmt=st.sampled_from(["json", "json", "table", "csv"]))
def test_compare(workload, pairs, extra, switches, scope, fmt):
    head = ["compare", *workload]
    tail = [*(a for switch in switches for a in switch), *scope, "--format", fmt]
    run_cli("cli compare", _argv(head, pairs + extra, tail))


@examples(8, 150)
@given(fmt=st.sampled_from(["md", "csv", "html", "xlsx", "pdf", "docx"]), title=st.one_of(st.none(), st.text(max_size=40)),
       stamp=st.one_of(st.none(), st.sampled_from(["0001-01-01T00:00:00+14:00", "2026-11-25T09:30:00Z", "x",
                                                    "9999-12-31T23:59:59-14:00", "1970-01-01"])),
       out=st.sampled_from(["r", "missing/r", "", "DIR", "x" * 300]))
def test_report(fmt, title, stamp, out):
    folder = case_dir()
    target = {"DIR": str(folder), "": ""}.get(out, str(folder / f"{out}.{fmt}"))
    argv = ["report", "--gpu", "t4", "--gpus", "1", "--hours", "2", "--format", fmt, "--out", target]
    if title is not None:
        argv += [f"--title={title}"]
    if stamp is not None:
        argv += ["--generated-at", stamp]
    run_cli("cli report", argv)


SMALL = ["reproduce", "catalog", "prices", "measure", "app"]
small_argv = st.one_of(
    st.tuples(st.just("reproduce"), st.sampled_from(["strubell2019", "x"]), st.sampled_from(["table", "json", "xml"]))
    .map(lambda t: [t[0], t[1], "--format", t[2]]),
    st.sampled_from(["gpus", "servers", "regions", "presets", "grid", "mfu", "tpus", ""]).map(lambda k: ["catalog", k]),
    st.tuples(st.sampled_from(NUMBER_CORPUS), st.sampled_from(["table", "csv", "json"]))
    .map(lambda t: ["prices", "status", "--max-age-days", t[0], "--format", t[1]]),
    st.tuples(st.sampled_from(["h100", "t4", "v101", ""]), st.sampled_from(["spot", "on_demand", "x"]),
              st.sampled_from(["aws", "gcp", "ibm"])).map(
        lambda t: ["prices", "list", "--gpu", t[0], "--pricing", t[1], "--provider", t[2], "--format", "csv"]),
    st.sampled_from(["aws", "gcp", "azure", "ibm"]).map(lambda p: ["prices", "diff", "--provider", p]),
    st.sampled_from(["0", "-1", "65536", "abc", "1e3", "99999999999"]).map(lambda p: ["app", "--port", p]),
)


@examples(15, 200)
@given(argv=small_argv)
def test_small_verbs(argv):
    run_cli(f"cli {argv[0]}", argv)


@examples(6, 80)
@given(interval=st.sampled_from(["1s", "0.05", "0.01s", "1 h/s", "9**9**9 s", "nan", "-1", "0.1 s"]),
       duration=st.sampled_from([None, "0.2 s", "0", "-1", "1e400", "24h"]),
       out=st.sampled_from(["m.json", "", "DIR", "missing/m.json"]))
def test_measure(interval, duration, out):
    folder = case_dir()
    target = {"DIR": str(folder), "": ""}.get(out, str(folder / out))
    argv = ["measure", "--interval", interval, "--out", target, "--force"]
    if duration is not None:
        argv += ["--duration", duration]
    run_cli("cli measure", [*argv, "--", "true"])


# --- files --------------------------------------------------------------------------------------------------
WORKLOAD_KEYS = ["preset", "name", "gpu", "gpus", "gpu_count", "hours", "gpu_hours", "params", "tokens", "flops",
                 "mfu", "repeats", "precision", "bogus"]


@examples(25, 300)
@given(good=st.fixed_dictionaries({"gpu": st.sampled_from(VALID_GPUS), "gpus": GOOD["gpu_count"],
                                    "hours": GOOD["hours"]}),
       entries=st.dictionaries(st.sampled_from(WORKLOAD_KEYS), plain_values, max_size=2),
       suffix=st.sampled_from([".toml", ".yaml"]),
       raw=st.one_of(st.none(), st.none(), st.none(), st.binary(max_size=40)))
def test_workload_files(good, entries, suffix, raw):
    entries = {**good, **entries}
    from planner.workload_file import parse_workload_text

    folder = case_dir()
    path = folder / f"job{suffix}"
    if raw is not None:
        path.write_bytes(raw)
    elif suffix == ".toml":
        path.write_text(toml_text(entries), encoding="utf-8")
    else:
        import yaml

        path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")

    def call():
        from planner.files import read_text

        kwargs = parse_workload_text(read_text("workload file", path), path.suffix)
        workload, chosen = api.make_workload(kwargs.pop("preset_name", None), **kwargs)
        return api.estimate_workload(workload, chosen).table

    run_api("file workload", call, lambda table: check_table("file workload", table))


PLAN_KEYS = ["horizon_years", "demand_gpu_hours", "growth", "target_utilisation", "whole_servers", "job_gpus",
             "mean_job_hours", "spot_overhead_fraction", "site", "owned", "clouds", "portfolio", "bogus"]
plan_values = st.one_of(plain_values, st.lists(plain_values, max_size=4),
                        st.dictionaries(st.sampled_from(["grid_zone", "price_usd", "gpu_power_fraction", "pue",
                                                         "lifetime_years", "x"]), plain_values, max_size=3))


@examples(10, 250)
@given(entries=st.one_of(st.just({}), st.dictionaries(st.sampled_from(PLAN_KEYS), plan_values, max_size=3),
                         st.fixed_dictionaries({"horizon_years": st.integers(1, 10), "growth": st.floats(-0.5, 2),
                                                "target_utilisation": st.floats(0.1, 0.9)})),
       demand=st.one_of(st.sampled_from([10000, 150000.0, [100, 200, 300, 400, 500], -1]), plain_values))
def test_plan_files(entries, demand):
    folder = case_dir()
    plan = {"server": "nvidia-dgx-h100", "demand_gpu_hours": demand, **entries}
    path = folder / "plan.toml"
    path.write_text(toml_text(plan), encoding="utf-8")
    run_cli("file plan (procure)", ["procure", str(path), "--format", "json"])


@examples(25, 300)
@given(kw=one_bad({"avg_w_per_gpu": st.floats(10, 1000), "count": st.integers(1, 16),
                   "model": st.sampled_from(["Tesla T4", "NVIDIA H100 80GB HBM3", ""]),
                   "cpu": st.one_of(st.none(), st.fixed_dictionaries({"avg_w": st.floats(0, 500)}))}),
       raw=st.one_of(st.none(), st.none(), st.none(), st.sampled_from(["[" * 5000, "{}", "null", "[]", "\xff"])))
def test_measurement_files(kw, raw):
    gpu = {k: kw[k] for k in ("avg_w_per_gpu", "count", "model")}
    cpu = kw["cpu"]
    folder = case_dir()
    path = folder / "m.json"
    if raw is not None:
        path.write_text(raw, encoding="utf-8")
    else:
        path.write_text(json.dumps({"gpu": gpu, "cpu": cpu}, default=str), encoding="utf-8")
    run_cli("file measurement", ["estimate", "--gpu", "t4", "--gpus", "1", "--hours", "2", "--power", str(path),
                                 "--format", "json"])


# --- planner.api --------------------------------------------------------------------------------------------
@examples(60, 600)
@given(kw=one_bad({"gpu": st.sampled_from(VALID_GPUS), "gpu_count": GOOD["gpu_count"], "hours": GOOD["hours"],
                   "repeats": GOOD["repeats"], "pue": st.one_of(st.none(), GOOD["pue"]),
                   "fraction": st.one_of(st.none(), GOOD["gpu_power_fraction"]),
                   "grid": st.one_of(st.none(), GOOD["grid_gco2e_per_kwh"]),
                   "gpu_w": st.one_of(st.none(), GOOD["gpu_w"])}))
def test_api_estimate(kw):
    def call():
        workload, chosen = api.make_workload(gpu=kw["gpu"], gpu_count=kw["gpu_count"], hours=kw["hours"],
                                             repeats=kw["repeats"])
        fraction = None if kw["gpu_w"] is not None else kw["fraction"]  # both: refused as a conflict, tested apart
        return api.estimate_workload(workload, chosen, pue=kw["pue"], gpu_power_fraction=fraction,
                                     grid_gco2e_per_kwh=kw["grid"], gpu_w=kw["gpu_w"]).table

    run_api("api estimate", call, lambda table: check_table("api estimate", table))


@examples(15, 200)
@given(server=st.sampled_from(["nvidia-dgx-a100", "strubell-8x-gtx1080ti", "nvidia-dgx-1-v100", "nope"]),
       kw=one_bad({"utilisation": st.floats(0.05, 1.0), "lifetime_years": st.integers(1, 10),
                   "electricity_usd_per_kwh": st.one_of(st.none(), st.floats(0.01, 1.0)),
                   "resale_fraction": st.one_of(st.none(), st.floats(0, 0.9))}))
def test_api_owned_and_breakeven(server, kw):
    def check(result):
        check_table("api breakeven", result.owned, ("owned_usd_per_gpu_hour",))

    run_api("api breakeven", lambda: api.breakeven_curve(server, **kw), check)


@examples(8, 150)
@given(kw=one_bad({"horizon_years": st.integers(1, 10), "demand_gpu_hours": st.floats(0, 1e7),
                   "growth": st.floats(-0.5, 3), "target_utilisation": st.floats(0.1, 0.95),
                   "job_gpus": st.one_of(st.none(), st.integers(1, 8)), "mean_job_hours": st.floats(0.5, 500)}))
def test_api_procurement(kw):
    def check(plan):
        check_table("api procurement", plan.summary, ("total_usd",))
        check_table("api procurement", plan.years)

    run_api("api procurement", lambda: api.procurement_plan("nvidia-dgx-h100", **kw), check)


@examples(8, 200)
@given(kw=one_bad({"gpu_count": GOOD["gpu_count"], "hours": GOOD["hours"], "monte_carlo": st.integers(0, 200),
                   "seed": st.integers(0, 2**32 - 1), "max_wall_hours": st.one_of(st.none(), st.floats(1, 1e6))}))
def test_api_compare(kw):
    def call():
        workload, chosen = api.make_workload(gpu="t4", gpu_count=kw["gpu_count"], hours=kw["hours"])
        return api.compare(workload, chosen, providers=["aws"], servers=[], regions=["us-east-1"],
                           monte_carlo=kw["monte_carlo"], seed=kw["seed"], max_wall_hours=kw["max_wall_hours"]).table

    run_api("api compare", call, lambda table: check_table("api compare", table))


# --- the app's link parameters (AppTest) --------------------------------------------------------------------
APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
LINK_KEYS = ["mode", "hours", "gpus", "gpu_hours", "repeats", "pue", "grid", "own_lifetime", "own_util", "own_pue",
             "proc_years", "proc_demand", "proc_util", "cmp_max_hours", "cmp_regions", "tab", "preset", "gpu"]


@examples(4, 150)
@given(query=st.dictionaries(st.sampled_from(LINK_KEYS),
                             st.one_of(st.sampled_from([*QUANTITY_CORPUS, *NUMBER_CORPUS, "custom", "Procurement",
                                                        "Own vs rent", ",".join(["r"] * 300)]), quantities),
                             max_size=4))
def test_app_links(query):
    from streamlit.testing.v1 import AppTest

    def call():
        at = AppTest.from_file(APP, default_timeout=CASE)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
        return at

    def check(at):
        if at.exception:
            TALLY[("app link", "traceback")] += 1
            raise AssertionError(f"{query!r}: {at.exception[0].value}")
        for error in at.error:
            if "\n" in error.value.strip():
                TALLY[("app link", "bad message")] += 1
                raise AssertionError(f"{query!r}: several lines: {error.value!r}")

    shown = []

    def check_and_note(at):
        check(at)
        shown.append(bool(at.error))

    if run_api("app link", call, check_and_note) == "accepted" and shown[-1]:
        # the page rendered and named the bad parameter in one line: a clear rejection, not an accepted link
        TALLY[("app link", "accepted")] -= 1
        TALLY[("app link", "rejected")] += 1


CASE = 60


@pytest.mark.parametrize("text", QUANTITY_CORPUS)
def test_issue_corpus_through_every_quantity_flag(text):
    for flag in ("--hours", "--gpu-hours", "--gpu-w", "--grid-intensity"):
        run_cli("cli corpus", ["estimate", "--gpu", "t4", "--gpus", "1", *(["--hours", "2"] if flag != "--hours"
                               and flag != "--gpu-hours" else []), f"{flag}={text}", "--format", "json"])
