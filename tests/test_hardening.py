"""Issue 17's reproducers, each a regression test: one line and exit 2 (or a right answer), never a traceback.

The CLI runs in-process (``main``) with stdout/stderr captured; ``_bounded`` fails a case that takes more
than a few seconds (the hang reproducers once ran without end).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import time

import pytest

from planner import api
from planner.cli import main
from planner.errors import PlanError

EST = ["estimate", "--gpu", "t4", "--gpus", "1", "--hours", "2"]


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    assert time.monotonic() - start < 20, f"{argv} took {time.monotonic() - start:.1f} s"
    return code, out.getvalue(), err.getvalue()


def refused(*argv: str) -> str:
    code, _, err = cli(*argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("trainplan: error: "), (argv, code, err)
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("hours", ["9**9**9h", "9**9**9 h", "2**2000 h", " ", "(1 h", "1/0 h", "1 h/s", "50 %"])
def test_bad_hours_strings_are_refused_quickly(hours):
    line = refused("estimate", "--gpu", "t4", "--gpus", "1", "--hours", hours)
    assert "hours" in line


def test_a_dimensionless_power_is_not_read_as_watts():
    assert "expected a power" in refused(*EST, "--gpu-w", "400 W/kW")


def test_a_tiny_gpu_count_is_refused_not_turned_into_nan():
    assert "gpu_count 1e-300: must be a whole number" in refused("estimate", "--gpu", "t4", "--gpus", "1e-300",
                                                                  "--hours", "2")


def test_a_grid_intensity_printed_in_kg_is_refused_with_the_hint():
    line = refused(*EST, "--grid-intensity", "0.545")
    assert "did you mean 0.545 kg/kWh?" in line


def test_a_grid_intensity_with_a_unit_is_converted():
    code, out, _ = cli(*EST, "--grid-intensity", "0.545 kg/kWh", "--format", "json")
    assert code == 0
    row = json.loads(out)[0]
    # energy 2 h x (70 W x 0.8? defaulted) is whatever the model says; CO2e must be energy x 545 g/kWh.
    assert row["co2e_kg"] == pytest.approx(row["energy_kwh"] * 0.545, rel=1e-9)


# The ignored-flag reproducers (preset + --hours, workload file + flags, --grid + --region, --gpu-w + --power,
# --ratio in another case, ...) are one case each in tests/test_ignored_flags.py.


@pytest.mark.parametrize("argv, field", [
    (["compare", "bert-base", "--monte-carlo", "1000000000"], "monte_carlo"),
    (["compare", "bert-base", "--monte-carlo", "50000"], "monte_carlo"),
    (["compare", "bert-base", "--seed", "-1"], "seed"),
    (["compare", "bert-base", "--top", "-5"], "top"),
])
def test_unbounded_work_is_refused_before_it_starts(argv, field):
    assert field in refused(*argv)


@pytest.mark.parametrize("plan, field", [
    ('demand_gpu_hours = "abc"', "demand_gpu_hours 'abc'"),
    ('demand_gpu_hours = 100\nsite = "US-CA"', "site 'US-CA': must be a table"),
    ('demand_gpu_hours = 100\nportfolio = [1, 2]', "portfolio entry 1 '1': must be a table"),
    ('demand_gpu_hours = 100\ngrowth = true', "growth True: a boolean is not a number"),
    ('demand_gpu_hours = 100\nhorizon_years = 100000', "horizon_years 100000: must be a whole number 1 to 30"),
    ('demand_gpu_hours = 100\nhorizon_years = 1e15', "horizon_years 1e+15"),
    ('demand_gpu_hours = 100\n[owned]\ngpu_power_fraction = 5', "owned gpu_power_fraction 5: must be <= 1"),
    ('demand_gpu_hours = 100\n[owned]\ngpu_power_fraction = -0.05', "owned gpu_power_fraction -0.05: must be > 0"),
    ('demand_gpu_hours = 100\nwhole_servers = 1', "whole_servers '1': must be true or false"),
    ('demand_gpu_hours = 100\nbogus = 1', "plan: unknown key 'bogus'; allowed: server, "),
    ('demand_gpu_hours = 100\n[site]\ngrid = "USA"', "site: unknown key 'grid'; allowed: grid_zone"),
    ('demand_gpu_hours = 100\n[[clouds]]\nprovider = "gcp"\nusd_per_gpu_hour = 2\nname = "q"\n'
     '[[clouds]]\nprovider = "gcp"\nusd_per_gpu_hour = 3\nname = "q"', "clouds: two entries named 'q'"),
])
def test_bad_plan_files_are_one_line(tmp_path, plan, field):
    path = tmp_path / "plan.toml"
    path.write_text('server = "nvidia-dgx-h100"\n' + plan + "\n")
    assert field in refused("procure", str(path))


def test_a_job_wider_than_the_cluster_is_refused_not_an_infinite_wait(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('server = "nvidia-dgx-h100"\ndemand_gpu_hours = 10000\njob_gpus = 1000\nmean_job_hours = 10\n')
    # 10,000 GPU-h at 0.6 of 8,760 h per GPU needs one 8-GPU server: a 1,000-GPU job never starts.
    assert "job_gpus 1000: more GPUs than the cluster has in year 1 (8)" in refused("procure", str(path))


@pytest.mark.parametrize("content", [b"\xff\xfe\x00bad", b"gpu = \"t4\"\n\xe9\n"])
def test_non_utf8_workload_and_plan_files_are_one_line(tmp_path, content):
    (tmp_path / "job.toml").write_bytes(content)
    assert "not UTF-8 text" in refused("compare", str(tmp_path / "job.toml"))
    assert "not UTF-8 text" in refused("procure", str(tmp_path / "job.toml"))


def test_a_plan_path_that_is_a_directory_is_one_line(tmp_path):
    assert "is a directory" in refused("procure", str(tmp_path))


def test_deeply_nested_files_are_one_line(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    assert "power file" in refused(*EST, "--power", str(tmp_path / "deep.json"))
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 10_000 + "]" * 10_000)
    assert "workload file" in refused("compare", str(tmp_path / "deep.yaml"))


def test_a_fifo_is_not_opened(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.toml")
    assert "not a regular file" in refused("procure", str(tmp_path / "pipe.toml"))


def test_a_string_power_in_a_measurement_file_is_one_line(tmp_path):
    record = {"gpu": {"avg_w_per_gpu": 250.0, "count": 1}, "cpu": {"avg_w": "fifty"}}
    (tmp_path / "m.json").write_text(json.dumps(record))
    assert "cpu.avg_w 'fifty'" in refused(*EST, "--power", str(tmp_path / "m.json"))


@pytest.mark.parametrize("kwargs, message", [
    ({"gpu": "t4", "gpu_count": True, "hours": 1}, "gpu_count True: a boolean is not a number"),
    ({"gpu": "t4", "gpu_count": 1.5, "hours": 1}, "gpu_count 1.5: must be a whole number"),
    ({"gpu": "t4", "gpu_count": 1, "hours": "1 h/s"}, "wrong unit"),
    ({"gpu": "t4", "gpu_count": 1, "hours": [1]}, "hours"),
    ({"gpu": 5, "gpu_count": 1, "hours": 1}, "gpu '5': must be text"),
    ({"gpu": "t4" * 500, "gpu_count": 1, "hours": 1}, "too long"),
    ({"gpu": "t4", "gpu_count": 1, "hours": 1, "bogus": 1}, "make_workload: got an unexpected keyword"),
])
def test_the_library_raises_plan_error_for_bad_input(kwargs, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(")):
        api.make_workload(**kwargs)


def test_a_library_result_from_good_input_is_finite_and_non_negative():
    workload, _ = api.make_workload(gpu="t4", gpu_count=1, hours="90 min")
    row = api.estimate_workload(workload).table.iloc[0]
    assert row["wall_hours"] == pytest.approx(1.5)
    for column in ("energy_kwh", "co2e_kg", "gpu_hours"):
        assert math.isfinite(row[column]) and row[column] > 0


# Found by the long fuzz profile (tests/test_fuzz_entry_points.py), each once a TypeError or a hang.
@pytest.mark.parametrize("call, message", [
    (lambda: api.breakeven_curve("nvidia-dgx-a100", electricity_usd_per_kwh=[1, 2]),
     r"^electricity_usd_per_kwh \[1, 2\]: must be one number, not a list$"),
    (lambda: api.breakeven_curve("nvidia-dgx-a100", lifetime_years=[1, 2]), r"^lifetime_years \[1, 2\]: must be one"),
    (lambda: api.procurement_plan("nvidia-dgx-h100", demand_gpu_hours=1000, growth=None),
     r"^growth None: give a value \(default 0.0\) or leave it out$"),
    (lambda: api.compare(api.make_workload(gpu="t4", gpu_count=1, hours=1)[0], monte_carlo=None),
     r"^monte_carlo None: give a value"),
])
def test_lists_for_numbers_and_none_for_numbers_are_plan_errors(call, message):
    with pytest.raises(PlanError, match=message):
        call()


def test_a_plan_that_grows_past_any_cluster_is_refused_not_queued_for_ever():
    # 3.3e6 GPU-h growing 179%/year for 9 years at 10% utilisation: year 7 needs ~1.8 million GPUs, and the
    # M/M/c recursion runs once per slot; it once ran for minutes.
    started = time.monotonic()
    with pytest.raises(PlanError, match=r"^demand_gpu_hours: year 7 needs 1,781,456 GPUs, more than 1,000,000"):
        api.procurement_plan("nvidia-dgx-h100", horizon_years=9, demand_gpu_hours=3308660.7, growth=1.79,
                             target_utilisation=0.1, mean_job_hours=1.0)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("extra", [[], ["--start", "2027-01", "--best-start", "2027-01:2027-03", "--assumptions"],
                                   ["--format", "json", "--best-start", "2027-01:2027-03", "--start", "2027-01"]])
def test_a_comparison_with_no_feasible_option_says_so(tmp_path, extra):
    # 70e9 parameters unsharded need 70e9 x 16 B = 1,120 GB per GPU: no GPU holds it, every row is infeasible;
    # the table view once raised IndexError on the empty top rows, --best-start a KeyError.
    (tmp_path / "job.toml").write_text('gpu = "a100-sxm4-80gb"\ngpus = 8\nhours = 40\nparameters = 7e10\n'
                                       'sharding = "none"\n')
    code, out, err = cli("compare", str(tmp_path / "job.toml"), *extra)
    assert code == 0 and "Traceback" not in err, err
    if "--format" in extra:
        assert out.split() == ["[]", "[]"]  # no top rows, no best months
    else:
        assert "(0 feasible)" in out and "no feasible option to show" in out


def test_streamlit_run_from_the_repository_binds_localhost():
    # `trainplan app` passes --server.address 127.0.0.1 (tests/test_cli_app.py); a plain `streamlit run` reads this.
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"


@pytest.mark.parametrize("verb", ["estimate", "compare", "report", "procure", "reproduce", "catalog", "prices",
                                  "measure", "app"])
def test_every_verb_states_its_limits_in_help(verb):
    code, out, _ = cli(verb, "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "text at most 200 characters" in text and "lists at most 500 items" in text
    assert "files at most 1,000,000 bytes" in text and "rows: at most 10,000 printed (--top)" in text
    assert "price snapshot of at most 200,000 offers" in text
    if verb == "compare":
        assert "draws for percentiles 5/50/95 (0 = none); allowed: whole number 0 to 10,000" in text
    if verb == "procure":
        assert "horizon_years whole number 1 to 30" in text and "monte_carlo whole number 0 to 10,000" in text
