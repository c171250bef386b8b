"""Issue 17: no flag is silently ignored. One case per pair the issue lists (and per pair an audit of every
verb's flags found ignored with byte-identical output): each is an error naming what wins, takes effect, or
(a flag over a workload file's key) prints one warning line naming the winner.

The CLI runs in-process; an error must be one line, exit 2, naming the flag or field.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from cli_capture import run_cli as cli

from planner import api

EST = ["estimate", "--gpu", "t4", "--gpus", "1", "--hours", "2"]
CMP = ["compare", "--gpu", "t4", "--gpus", "1", "--hours", "2"]
REPORT = ["report", "--gpu", "t4", "--gpus", "1", "--hours", "2", "--format", "md"]
MEASURED = {"gpu": {"avg_w_per_gpu": 250.0, "count": 1}, "cpu": {"avg_w": 50.0}, "dram": {"avg_w": 10.0}}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("ignored")
    (folder / "job.toml").write_text('gpu = "t4"\ngpus = 1\nhours = 2\n')
    (folder / "m.json").write_text(json.dumps(MEASURED))
    return {"JOB": str(folder / "job.toml"), "POWER": str(folder / "m.json"), "OUT": str(folder / "r.md")}


# (case id, argv with placeholders, the start of the one error line after "trainplan: error: ")
ERRORS = [
    # --- listed in the issue ---
    ("preset+hours", ["estimate", "bert-base", "--hours", "1000"], "hours: the preset 'bert-base' fixes the run's"),
    ("preset+gpu-hours", ["estimate", "bert-base", "--gpu-hours", "1000"], "gpu_hours: the preset 'bert-base' fixes"),
    ("preset+gpu-power-fraction", ["estimate", "bert-base", "--gpu-power-fraction", "0.5"],
     "gpu_power_fraction: the preset 'bert-base' uses its published measured power (12,042 W)"),
    *[(f"workload-file+{flag}", ["compare", "JOB", f"--{flag}", value],
       f"--{flag}: the workload file 'JOB' describes the workload; put {flag} in the file")
      for flag, value in (("gpu", "v100-sxm2-16gb"), ("gpus", "2"), ("hours", "5"), ("gpu-hours", "5"),
                          ("params", "1e8"), ("tokens", "1e9"), ("flops", "1e18"), ("mfu", "0.4"), ("repeats", "2"),
                          ("precision", "fp32"))],
    ("grid+region", [*EST, "--grid", "DEU", "--provider", "aws", "--region", "us-east-1"],
     "grid_zone 'DEU': the region 'us-east-1' sets the grid"),
    ("gpu-w+power", [*EST, "--power", "POWER", "--gpu-w", "300"], "gpu_w: the measured power file sets the power"),
    # --- found by the audit of every verb's flags (each was byte-identical output, exit 0) ---
    ("preset+params", ["estimate", "bert-base", "--params", "1e8"], "parameters: the preset 'bert-base' fixes"),
    ("preset+tokens", ["estimate", "bert-base", "--tokens", "1e9"], "tokens: the preset 'bert-base' fixes"),
    ("preset+flops", ["estimate", "bert-base", "--flops", "1e18"], "flops: the preset 'bert-base' fixes"),
    ("preset+mfu", ["estimate", "bert-base", "--mfu", "0.4"], "mfu: the preset 'bert-base' fixes"),
    ("hours+mfu", [*EST, "--mfu", "0.4"], "mfu: hours sets the run's length"),
    ("hours+tokens", [*EST, "--tokens", "1e9"], "tokens: hours sets the run's length"),
    ("estimate-hours+params", [*EST, "--params", "1e8"], "--params: --hours sets the run's length"),
    ("estimate-hours+precision", [*EST, "--precision", "fp16"], "--precision fp16: --hours sets the run's length"),
    ("host-w+power", [*EST, "--power", "POWER", "--host-w", "30"], "host_w: the measured power file sets the power"),
    ("gpu-power-fraction+power", [*EST, "--power", "POWER", "--gpu-power-fraction", "0.5"],
     "gpu_power_fraction: the measured power file sets the GPU power"),
    ("gpu-power-fraction+gpu-w", [*EST, "--gpu-w", "300", "--gpu-power-fraction", "0.5"],
     "gpu_power_fraction: gpu_w sets the GPU power"),
    ("grid+grid-intensity", [*EST, "--grid", "DEU", "--grid-intensity", "300"],
     "grid_gco2e_per_kwh: give it or a grid zone, not both"),
    ("region-without-provider", [*EST, "--region", "us-east-1"], "region: give --provider too"),
    ("estimate-grid-basis-without-start", [*EST, "--grid-basis", "flat"], "--grid-basis flat: it applies to the"),
    ("estimate-provider+cooling", [*EST, "--provider", "aws", "--cooling", "liquid"],
     "--cooling: --provider aws prices a cloud region, whose own water figures win"),
    ("estimate-provider+wue", [*EST, "--provider", "aws", "--wue", "2"], "--wue: --provider aws prices a cloud"),
    ("compare-ratio-gpu-not-compared", [*CMP, "--option-gpu", "t4", "--ratio", "a100-sxm4-80gb=2"],
     "throughput_ratios 'a100-sxm4-80gb': no option compared runs on it (the filters leave: t4)"),
    ("compare-same-gpu+ratio", [*CMP, "--same-gpu", "--ratio", "A100-SXM4-80GB=2"],
     "throughput_ratios 'a100-sxm4-80gb': no option compared runs on it"),
    ("compare-seed-without-draws", [*CMP, "--seed", "5"], "--seed 5: it seeds the Monte Carlo draws"),
    ("compare-grid-basis-without-start", [*CMP, "--grid-basis", "projection"], "--grid-basis projection: it applies"),
    ("compare-columns+json", [*CMP, "--format", "json", "--columns", "gpu"], "--columns: it shapes the printed table"),
    ("compare-assumptions+csv", [*CMP, "--format", "csv", "--assumptions"], "--assumptions: it shapes the printed"),
    ("compare-site+cloud-only", [*CMP, "--provider", "aws", "--site", "DEU"],
     "--site: --provider aws leaves owned servers out"),
    ("compare-cooling+no-servers", [*CMP, "--server", "none", "--cooling", "liquid"],
     "--cooling: --server none leaves owned servers out"),
    ("compare-wue+cloud-only", [*CMP, "--provider", "gcp", "--wue", "3"], "--wue: --provider gcp leaves owned"),
    ("compare-interruptions+on-demand", [*CMP, "--pricing", "on_demand", "--interruptions-per-hour", "0.5"],
     "--interruptions-per-hour: --pricing on_demand leaves spot offers out"),
    ("compare-optimiser-without-size", [*CMP, "--optimiser", "sgd"], "optimiser: the memory check needs the model's"),
    ("compare-sharding-without-size", [*CMP, "--sharding", "none"], "sharding: the memory check needs the model's"),
    ("compare-activation-without-size", [*CMP, "--activation-gb", "5"], "activation-gb: the memory check needs"),
    # per GPU on 8 GPUs, 100 GB of state: zero3 100/8 = 12.5 GB and none 100 GB whatever the optimiser
    # (zero1: 34.4 GB with Adam, 41.7 GB with SGD, planner.memory.model_state_gb_per_gpu: there it matters)
    ("compare-optimiser+model-memory-zero3", [*CMP, "--model-memory-gb", "5", "--optimiser", "sgd"],
     "optimiser: --model-memory-gb gives the whole training state, and with sharding zero3 its split"),
    ("compare-optimiser+model-memory-none", [*CMP, "--model-memory-gb", "5", "--sharding", "none", "--optimiser",
                                             "lion"], "optimiser: --model-memory-gb gives the whole training state, "
                                                      "and with sharding none"),
    ("report-site+no-servers", [*REPORT, "--out", "OUT", "--server", "none", "--site", "DEU"],
     "--site DEU: --server none leaves owned servers out"),
    ("report-grid-basis-without-start", [*REPORT, "--out", "OUT", "--grid-basis", "flat"], "--grid-basis flat"),
]


@pytest.mark.parametrize("argv, expected", [pytest.param(a, e, id=i) for i, a, e in ERRORS])
def test_a_flag_that_would_change_nothing_is_a_one_line_error(files, argv, expected):
    argv = [files.get(a, a) for a in argv]
    expected = expected.replace("JOB", files["JOB"])
    code, out, err = cli(*argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, (argv, code, err)
    assert lines[0].startswith(f"trainplan: error: {expected}"), lines[0]


def test_the_audit_found_one_case_per_flag_pair():
    # The issue counted 21 ignored flags; the table above holds the 16 it names plus every further pair found.
    ids = [i for i, _, _ in ERRORS]
    assert len(ids) == len(set(ids)) and len(ids) >= 21


def test_a_ratio_with_a_gpu_id_in_another_case_takes_effect():
    # 8 A100 x 10 h = 80 GPU-h; on one 8-GPU H100 instance (no cross-instance term) at ratio 2: 80 / 2 = 40 GPU-h,
    # at ratio 4: 20 GPU-h, whatever case the id is written in (the 'H100-SXM5-80GB=2' was once dropped).
    workload, _ = api.make_workload(gpu="a100-sxm4-80gb", gpu_count=8, hours=10)

    def single_instance_gpu_hours(ratios):
        table = api.compare(workload, servers=[], gpus=["h100-sxm5-80gb"], pricing=["on_demand"],
                            throughput_ratios=ratios).table
        return table.loc[table["instances"] == 1, "gpu_hours"].tolist()

    lower, upper = single_instance_gpu_hours({"h100-sxm5-80gb": 2.0}), single_instance_gpu_hours({"H100-SXM5-80GB": 2.0})
    assert lower and lower == upper == pytest.approx([40.0] * len(lower), rel=1e-12)
    assert single_instance_gpu_hours({"H100-sxm5-80GB": 4.0}) == pytest.approx([20.0] * len(lower), rel=1e-12)


@pytest.mark.parametrize("key, file_value, flag, flag_value", [
    ("deadline", '"50 h"', "--deadline", "60 h"),
    ("optimiser", '"adam"', "--optimiser", "sgd"),
    ("sharding", '"zero3"', "--sharding", "none"),
])
def test_a_flag_over_a_workload_file_key_wins_and_says_so(tmp_path, key, file_value, flag, flag_value):
    base = 'gpu = "a100-sxm4-80gb"\ngpus = 8\nhours = 40\nparameters = 7e10\n'
    (tmp_path / "file.toml").write_text(base + f"{key} = {file_value}\n")
    (tmp_path / "flag.toml").write_text(base + f'{key} = "{flag_value}"\n')
    code, _, err = cli("compare", str(tmp_path / "file.toml"), flag, flag_value, "--out", str(tmp_path / "a.csv"))
    assert code == 0
    assert err.strip().splitlines() == [
        f"warning: {flag} {flag_value} replaces the workload file's {key} {file_value.strip(chr(34))} (the flag wins)"]
    code, _, err = cli("compare", str(tmp_path / "flag.toml"), "--out", str(tmp_path / "b.csv"))
    assert code == 0 and err == ""
    # The table with the flag is the table of a file that says the flag's value.
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))


def test_a_hybrid_table_without_the_hybrid_flag_is_named_in_one_warning(tmp_path):
    from pathlib import Path

    plan = Path(__file__).resolve().parents[1] / "examples" / "hybrid_plan.toml"
    code, out, err = cli("procure", str(plan), "--format", "json")
    assert code == 0 and json.loads(out)
    assert err.strip().splitlines() == ["warning: the plan's [hybrid] table is read only with --hybrid; this is the "
                                        "procurement plan (all owned vs cloud) without it"]
    code, _, err = cli("procure", str(plan), "--hybrid", "--format", "json")
    assert code == 0 and "warning" not in err
