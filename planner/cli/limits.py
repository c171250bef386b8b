"""Every ``trainplan`` flag read through ``planner.fields``: its allowed range in ``--help``, checked as it is parsed.

``annotate(parser)`` walks every subcommand once: a flag whose destination is a numeric field gets the
field's check as its argparse ``type`` (so ``--gpus 1e-300`` or ``--monte-carlo 10**9`` stops with one line
before any work) and its range appended to its help; text flags get the text check (length, no control
characters); paths are limited to ``MAX_PATH_CHARS``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from planner.errors import PlanError
from planner.fields import FIELDS, MAX_FILE_BYTES, MAX_LIST_ITEMS, MAX_TEXT_CHARS, check, text

#: Longest path accepted on the command line.
MAX_PATH_CHARS = 4096

#: Flag destination -> the field it is (where the two names differ).
DEST_FIELDS = {
    "params": "parameters", "max_hours": "max_wall_hours", "lifetime": "lifetime_years",
    "resale": "resale_fraction", "maintenance_pct": "maintenance_pct_per_year",
    "electricity_price": "electricity_usd_per_kwh", "interruptions_per_hour": "spot_interruptions_per_hour",
    "checkpoint_hours": "checkpoint_interval_hours", "grid_intensity": "grid_gco2e_per_kwh",
}
#: Flag destinations that are paths (longer limit than other text).
PATH_DESTS = ("out", "out_dir", "plan", "power", "workload")
#: Destinations left as argparse reads them (the measured command and its arguments).
RAW_DESTS = ("cmd", "gpu_index", "ratio", "help")


def _field_type(name: str, flag: str) -> Callable[[str], object]:
    def parse(value: str) -> object:
        try:
            return check(name, value, flag)
        except PlanError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = name
    return parse


def _text_type(flag: str, limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise argparse.ArgumentTypeError(f"{flag}: {len(value):,} characters; at most {limit:,}")
        try:
            return text(flag, value, required=True) if limit == MAX_TEXT_CHARS else _no_control(flag, value)
        except PlanError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _no_control(flag: str, value: str) -> str:
    if any(ord(c) < 32 for c in value):
        raise PlanError(f"{flag} {value[:40]!r}: control characters are not allowed")
    return value


def limits_epilog() -> str:
    """The limits every verb shares, for the end of its ``--help`` (each number's own range is on its flag)."""
    from pricing.cache_faults import MAX_CACHE_BYTES, MAX_SNAPSHOT_ROWS

    return (f"Limits: each number's range follows 'allowed:' on its flag; text at most {MAX_TEXT_CHARS} characters "
            f"(paths {MAX_PATH_CHARS:,}); lists at most {MAX_LIST_ITEMS} items; workload, plan and measurement files "
            f"at most {MAX_FILE_BYTES:,} bytes of UTF-8; rows: at most {int(FIELDS['top'].high):,} "
            f"printed (--top), a price snapshot of at most {MAX_SNAPSHOT_ROWS:,} offers and a price cache of at most "
            f"{MAX_CACHE_BYTES // 2**20:,} MiB (larger ones are left out with a warning).")


#: Plan-file keys whose ranges ``procure --help`` states (the file has no flags to carry them).
PLAN_KEYS = ("horizon_years", "demand_gpu_hours", "growth", "target_utilisation", "job_gpus", "mean_job_hours",
             "monte_carlo", "seed")


def plan_limits() -> str:
    return "Plan file ranges: " + "; ".join(f"{key} {FIELDS[key].range_text()}" for key in PLAN_KEYS) + \
        " (every key: README, Procurement)."


def annotate(parser: argparse.ArgumentParser) -> None:
    """Give every numeric flag of every subcommand its field's check and range, every text flag a length limit,
    and every subcommand's help the shared limits."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            epilog = limits_epilog()
            for verb, sub in {id(sub): (verb, sub) for verb, sub in action.choices.items()}.values():
                own = plan_limits() + " " if verb == "procure" else ""
                sub.epilog = f"{sub.epilog}\n\n{own}{epilog}" if sub.epilog else own + epilog
                annotate(sub)
            continue
        if action.dest in RAW_DESTS or action.nargs == 0 or action.choices is not None:
            continue
        flag = action.option_strings[-1] if action.option_strings else action.dest
        name = DEST_FIELDS.get(action.dest, action.dest)
        if name in FIELDS:
            field = FIELDS[name]
            action.type = _field_type(name, name)
            if action.help and "allowed:" not in action.help:
                action.help = f"{action.help}; allowed: {field.range_text()}"
        elif action.type is None:
            limit = MAX_PATH_CHARS if action.dest in PATH_DESTS else MAX_TEXT_CHARS
            action.type = _text_type(flag, limit)

