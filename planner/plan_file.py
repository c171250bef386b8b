"""The shape of a procurement plan file: which keys hold tables, which hold lists of tables, and their limits.

Values inside are checked by ``planner.fields`` (numbers, text, booleans) when the plan is built; this
module refuses a plan whose structure is wrong (``site = "US-CA"``, ``portfolio = [1, 2]``) with one line
naming the key, before any of it is used.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.errors import PlanError
from planner.fields import MAX_TEXT_CHARS

#: Keys that hold one table (``[site]``, ``[owned]``).
TABLE_KEYS = ("site", "owned")
#: Keys that hold a list of tables (``[[clouds]]``, ``[[portfolio]]``) and the most entries each may have.
TABLE_LIST_KEYS = {"clouds": 50, "portfolio": 100}


def check_plan_types(config: Mapping[str, object]) -> None:
    """Refuse a plan whose tables are not tables or whose lists of tables hold something else."""
    if not isinstance(config, Mapping):
        raise PlanError("plan: must be a table of keys (server, demand_gpu_hours, …)")
    server = config.get("server")
    if server is not None and (not isinstance(server, str) or len(server) > MAX_TEXT_CHARS):
        raise PlanError(f"server {str(server)[:40]!r}: must be a catalog server id (text)")
    for key in TABLE_KEYS:
        if key in config and not isinstance(config[key], Mapping):
            raise PlanError(f"{key} {str(config[key])[:40]!r}: must be a table ([{key}] with keys)")
    for key, limit in TABLE_LIST_KEYS.items():
        if key not in config:
            continue
        entries = config[key]
        if not isinstance(entries, list | tuple):
            raise PlanError(f"{key} {str(entries)[:40]!r}: must be a list of tables ([[{key}]] entries)")
        if len(entries) > limit:
            raise PlanError(f"{key}: {len(entries)} entries; at most {limit}")
        for i, entry in enumerate(entries, start=1):
            if not isinstance(entry, Mapping):
                raise PlanError(f"{key} entry {i} {str(entry)[:40]!r}: must be a table ([[{key}]] with keys)")
