"""Workload files: TOML/YAML keys become make_workload arguments; bad files give one line naming the key."""

from __future__ import annotations

import pytest

from planner import api
from planner.errors import PlanError
from planner.workload_file import parse_workload_text


def test_toml_workload_file_builds_the_workload():
    kwargs = parse_workload_text('name = "mine"\ngpu = "h100-sxm5-80gb"\ngpus = 8\nhours = "2 day"\n', ".toml")
    workload, _ = api.make_workload(**kwargs)
    assert workload.gpu_hours == pytest.approx(8 * 48)  # 8 GPUs x 48 h


def test_yaml_file_with_a_preset():
    kwargs = parse_workload_text("preset: bert-base\nrepeats: 2\n", ".yaml")
    assert kwargs == {"preset_name": "bert-base", "repeats": 2}


@pytest.mark.parametrize("text,suffix,message", [
    ("hourz = 3", ".toml", r"^workload file: unknown key 'hourz' \(did you mean hours\?\); allowed: preset, name, gpu, "),
    ('gpus = "eight"', ".toml", r"^workload file key 'gpus' 'eight': must be a number"),
    ("gpu = 5", ".toml", r"^workload file key 'gpu' 5: must be a string"),
    ("gpu = [", ".toml", r"^workload file: not valid TOML"),
    ("gpu: [", ".yml", r"^workload file: not valid YAML"),
    ("- a\n- b", ".yaml", r"^workload file: expected a table of keys"),
    ("gpu = 'x'", ".json", r"^workload file '.json': unknown type"),
])
def test_bad_workload_files_name_the_key(text, suffix, message):
    with pytest.raises(PlanError, match=message):
        parse_workload_text(text, suffix)
