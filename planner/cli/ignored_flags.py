"""Flags that would change nothing: each is an error naming what wins, or (a flag over a file's key) one warning line.

Issue 17 found flags ignored with byte-identical output; every such pair the verbs have is listed here, each
one checked before any computing where the flags alone decide it (``tests/test_ignored_flags.py``, one case
per pair). Conflicts the library also refuses (a preset with hours, ``--gpu-w`` with ``--power``, ``--grid``
with ``--region``, ...) are raised by ``planner.api`` itself, so the app and library callers get them too.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from planner.errors import PlanError

#: compare flags that only change owned-server rows, and those that only change spot rows.
OWNED_FLAGS = {"site": "--site", "electricity_zone": "--electricity-zone", "electricity_price": "--electricity-price",
               "utilisation": "--utilisation", "lifetime": "--lifetime", "owned_pue": "--owned-pue",
               "maintenance_pct": "--maintenance-pct", "resale": "--resale",
               "fractional_servers": "--fractional-servers", "cooling": "--cooling", "wue": "--wue"}
SPOT_FLAGS = {"interruptions_per_hour": "--interruptions-per-hour", "checkpoint_hours": "--checkpoint-hours",
              "restart_hours": "--restart-hours"}
#: Parser defaults of the flags above that have one (a flag left at its default was not given).
DEFAULTS = {"site": "USA", "cooling": "unknown", "grid_basis": "trend"}
#: compare's memory-check inputs: they change nothing while the model's size is unknown.
MEMORY_FLAGS = {"optimiser": "--optimiser", "sharding": "--sharding", "activation_gb": "--activation-gb"}


def given(args: argparse.Namespace, dest: str) -> bool:
    """True when the flag ``dest`` was given (not left at its parser default, not an unset switch)."""
    value = getattr(args, dest, None)
    return value is not None and value is not False and value != DEFAULTS.get(dest)


def _items(values: list[str] | str | None) -> list[str]:
    values = [values] if isinstance(values, str) else values or []
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def refuse_grid_basis_without_start(args: argparse.Namespace) -> None:
    """``--grid-basis`` reads future grid years, which only a ``--start`` month brings in."""
    if given(args, "grid_basis") and not getattr(args, "start", None):
        raise PlanError(f"--grid-basis {args.grid_basis}: it applies to the months after --start; without --start "
                        "the places' annual figures are used, so it would change nothing; add --start YYYY-MM or "
                        "drop it")


def refuse_ignored_estimate_flags(args: argparse.Namespace) -> None:
    """estimate: the flags its one chosen option cannot use (checked before any computing)."""
    refuse_grid_basis_without_start(args)
    length = "--hours" if args.hours is not None else "--gpu-hours" if args.gpu_hours is not None else None
    if args.precision is not None and args.workload is None and length:
        raise PlanError(f"--precision {args.precision}: {length} sets the run's length on --gpu itself, and precision "
                        "only reads a GPU's peak FLOP/s (a compute budget, a preset moved to another GPU, compare's "
                        "options), so it would change nothing here; drop it")
    if args.params is not None and args.workload is None and length:
        which = length
        raise PlanError(f"--params: {which} sets the run's length, and the model's size only feeds compare's "
                        "memory check, so it would change nothing here; drop it (or add --tokens and --mfu instead "
                        f"of {which})")
    if args.provider:
        for dest, flag in (("cooling", "--cooling"), ("wue", "--wue")):
            if given(args, dest):
                raise PlanError(f"{flag}: --provider {args.provider} prices a cloud region, whose own water figures "
                                f"win; {flag} describes a room of your own (no --provider); drop one of them")


def refuse_ignored_compare_flags(args: argparse.Namespace) -> None:
    """compare: a flag that cannot change any row, or any printed line, is an error naming what wins."""
    refuse_grid_basis_without_start(args)
    servers, providers, pricing = _items(args.server), _items(args.provider), _items(args.pricing)
    no_owned = servers == ["none"] or (providers and "owned" not in providers)
    why = "--server none" if servers == ["none"] else f"--provider {','.join(providers)}"
    for dest, flag in OWNED_FLAGS.items():
        if no_owned and given(args, dest):
            raise PlanError(f"{flag}: {why} leaves owned servers out, so it would change nothing; drop one of them")
    if pricing and "spot" not in pricing:
        for dest, flag in SPOT_FLAGS.items():
            if given(args, dest):
                raise PlanError(f"{flag}: --pricing {','.join(pricing)} leaves spot offers out, so it would change "
                                "nothing; drop one of them")
    if args.seed != 0 and not args.monte_carlo:
        raise PlanError(f"--seed {args.seed}: it seeds the Monte Carlo draws, and --monte-carlo is 0 (none), so it "
                        "would change nothing; add --monte-carlo N or drop it")
    if args.format != "table":
        for dest, flag in (("columns", "--columns"), ("assumptions", "--assumptions")):
            if given(args, dest):
                raise PlanError(f"{flag}: it shapes the printed table; --format {args.format} writes every column of "
                                "the top rows (and --out the full table), so it would change nothing; drop one of them")


def refuse_memory_flags_without_size(parameters: float | None, kwargs: Mapping[str, object]) -> None:
    """compare: optimiser, sharding and activation memory only matter once the model's size is known (and the
    optimiser, beside a whole-state ``--model-memory-gb``, only when some of that state is not sharded)."""
    sharding = kwargs.get("sharding") or "zero3"
    if kwargs.get("model_memory_gb") is not None and kwargs.get("optimiser") is not None and \
            sharding in ("zero3", "fsdp", "none"):
        # model_memory_gb is the whole state; the optimiser only splits it into the parts zero1/zero2 shard
        raise PlanError(f"optimiser: --model-memory-gb gives the whole training state, and with sharding {sharding} "
                        "its split between weights, gradients and optimiser does not change the memory per GPU, "
                        "so it would change nothing; drop it, or use --sharding zero1 or zero2")
    if parameters is not None or kwargs.get("model_memory_gb") is not None:
        return
    for key, flag in MEMORY_FLAGS.items():
        if kwargs.get(key) is not None:
            raise PlanError(f"{flag.lstrip('-')}: the memory check needs the model's size (--params, or parameters in "
                            "the preset or file, or --model-memory-gb); without it no option is checked, so it "
                            "would change nothing; give the size or drop it")


def file_keys_overridden(from_file: Mapping[str, object], flags: Mapping[str, object]) -> list[str]:
    """One warning line per workload-file key that a flag replaces (the flag wins)."""
    return [f"warning: --{key.replace('_', '-')} {flags[key]!s} replaces the workload file's {key} "
            f"{from_file[key]!s} (the flag wins)"
            for key in from_file if flags.get(key) is not None and flags[key] != from_file[key]]


def refuse_ignored_report_flags(args: argparse.Namespace) -> None:
    """report: the owned site without owned servers, the grid basis without a start month."""
    refuse_grid_basis_without_start(args)
    if _items(args.server) == ["none"] and given(args, "site"):
        raise PlanError(f"--site {args.site}: --server none leaves owned servers out of the options compared, so "
                        "it would change nothing; drop one of them")
