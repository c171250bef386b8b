"""The price offers in use, read again only when a price file changes (so the engine's preparation is reused)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pricing import store

_last: tuple[tuple[object, ...], pd.DataFrame] | None = None


def _state(path: Path) -> tuple[object, ...]:
    """(path, inode, size, mtime) of a file and of its SQLite write-ahead log; None parts where absent."""
    parts: list[object] = [str(path)]
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            stat = candidate.stat()
            parts.append((stat.st_ino, stat.st_size, stat.st_mtime_ns))
        except OSError:
            parts.append(None)
    return tuple(parts)


def current_offers() -> pd.DataFrame:
    """``pricing.store.current_offers()``, the same frame object while neither price database changes.

    A refresh (a new snapshot in the user cache) changes the cache file or its WAL, and the next call
    reads the offers again; the comparison engine then prepares the new frame once
    (``planner.prepared.cloud_for``). Treat the frame as read-only.
    """
    global _last
    key = (_state(store.shipped_path()), _state(store.user_cache_path()))
    if _last is None or _last[0] != key:
        _last = (key, store.current_offers())
    return _last[1]


_by_gpu: dict[tuple[int, str], pd.DataFrame] = {}


def offers_of_gpu(gpu: str) -> pd.DataFrame:
    """The current offers of one GPU, the same frame object while the snapshot is the same.

    An estimate needs only its GPU's offers: the engine then prepares this small frame once per GPU and
    snapshot (``planner.prepared.cloud_for``) instead of the whole catalog.
    """
    offers = current_offers()
    key = (id(offers), gpu)
    if key not in _by_gpu:
        if len(_by_gpu) > 64 or any(k[0] != id(offers) for k in _by_gpu):
            _by_gpu.clear()
        _by_gpu[key] = offers[offers["gpu"] == gpu].reset_index(drop=True)
    return _by_gpu[key]
