"""Workload files (TOML, or YAML) turned into ``api.make_workload`` keyword arguments, validated by key.

The file is read by the caller (the CLI); this module only parses its text, so a bad file gives one
line naming the key. Keys::

    preset = "bert-base"        # optional: start from a preset (then gpu / gpus move it)
    name = "my model"
    gpu = "h100-sxm5-80gb"      # catalog id
    gpus = 8                    # GPUs in parallel
    hours = "3.3 day"           # or gpu_hours, or flops / params + tokens with mfu
    gpu_hours = 1000
    params = 7e9
    tokens = 1e12
    flops = 4.2e22
    mfu = 0.4
    repeats = 1
    precision = "bf16"

Comparison keys (``trainplan compare``; flags given on the command line win)::

    deadline = "30 day"         # every option sized to finish in time, or infeasible
    same_gpu = true             # only offers of the workload's own GPU
    optimiser = "adam"          # memory check: adam, adamw, sgd, lion
    sharding = "zero3"          # none, zero1, zero2, zero3, fsdp
    model_memory_gb = 112       # the whole model's training state, instead of params x bytes/param
    activation_gb = 4           # activation memory per GPU
"""

from __future__ import annotations

import difflib
import tomllib

from planner.errors import PlanError

#: File key -> ``api.make_workload`` keyword.
KEYS = {"preset": "preset_name", "name": "name", "gpu": "gpu", "gpus": "gpu_count", "gpu_count": "gpu_count",
        "hours": "hours", "gpu_hours": "gpu_hours", "params": "parameters", "parameters": "parameters",
        "tokens": "tokens", "flops": "flops", "mfu": "mfu", "repeats": "repeats", "precision": "precision"}
#: File key -> ``api.compare`` keyword (the comparison's own inputs, not the workload's).
COMPARE_KEYS = {"deadline": "deadline", "same_gpu": "same_gpu", "optimiser": "optimiser", "optimizer": "optimiser",
                "sharding": "sharding", "model_memory_gb": "model_memory_gb", "activation_gb": "activation_gb"}
SUFFIXES = (".toml", ".yaml", ".yml")
_NUMBERS = ("gpu_count", "parameters", "tokens", "flops", "mfu", "repeats", "model_memory_gb", "activation_gb")


def parse_workload_text(text: str, suffix: str) -> dict[str, object]:
    """Keyword arguments for ``api.make_workload`` from a workload file's text.

    suffix : ``.toml``, ``.yaml`` or ``.yml``. Raises PlanError naming the file key for unknown keys,
    values of the wrong type, or a file that does not parse.
    """
    suffix = suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanError(f"workload file '{suffix}': unknown type; allowed: {', '.join(SUFFIXES)}")
    try:
        if suffix == ".toml":
            raw = tomllib.loads(text)
        else:
            import yaml

            raw = yaml.safe_load(text) or {}
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"workload file: not valid TOML ({exc})") from None
    except RecursionError:
        raise PlanError("workload file: nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - yaml's error family; reworded to one line
        if type(exc).__module__.startswith("yaml"):
            raise PlanError(f"workload file: not valid YAML ({str(exc).splitlines()[0]})") from None
        raise
    if not isinstance(raw, dict):
        raise PlanError("workload file: expected a table of keys (gpu, gpus, hours, …)")
    kwargs: dict[str, object] = {}
    for key, value in raw.items():
        if key not in KEYS and key not in COMPARE_KEYS:
            allowed = {**KEYS, **COMPARE_KEYS}
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise PlanError(f"workload file: unknown key '{str(key)[:40]}'{hint}; allowed: {', '.join(allowed)}")
        target = KEYS.get(key) or COMPARE_KEYS[key]
        if target == "same_gpu" and not isinstance(value, bool):
            raise PlanError(f"workload file key '{key}' {value!r}: must be true or false")
        if target in ("optimiser", "sharding") and not isinstance(value, str):
            raise PlanError(f"workload file key '{key}' {value!r}: must be a string")
        if target == "deadline" and (isinstance(value, bool) or not isinstance(value, int | float | str)):
            raise PlanError(f"workload file key '{key}' {value!r}: must be a number (hours) or a quantity string")
        if target in _NUMBERS and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise PlanError(f"workload file key '{key}' {value!r}: must be a number")
        if target in ("preset_name", "name", "gpu", "precision") and not isinstance(value, str):
            raise PlanError(f"workload file key '{key}' {value!r}: must be a string")
        if target in ("hours", "gpu_hours") and (isinstance(value, bool) or not isinstance(value, int | float | str)):
            raise PlanError(f"workload file key '{key}' {value!r}: must be a number (hours) or a quantity string")
        kwargs[target] = value
    return kwargs


def split_compare_keys(kwargs: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """(``api.make_workload`` keywords, ``api.compare`` keywords) of a parsed workload file."""
    compare_names = set(COMPARE_KEYS.values())
    return ({k: v for k, v in kwargs.items() if k not in compare_names},
            {k: v for k, v in kwargs.items() if k in compare_names})
