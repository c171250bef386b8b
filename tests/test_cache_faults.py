"""Faults of the user price cache (issue 17 item 4), run as the unprivileged user ``nobody``.

The suite often runs as root, for whom every folder is writable; these tests fork and drop to ``nobody``
(``tests/nonroot.py``) so a read-only shared install is what the code really meets. Each case: the verb
exits 0 with the shipped prices (or the healthy cache's), and one warning line says what was wrong.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3

import pytest
from nonroot import as_nobody, shared_tmp

from planner.cli import build_parser, main
from planner.errors import PlanError
from pricing import store
from pricing.cache import open_for_write, open_readonly, read_newest, write_snapshot


def _shipped_aws(n: int = 20):
    conn = open_readonly(store.shipped_path())
    try:
        _, offers = read_newest(conn)
    finally:
        conn.close()
    rows = offers[offers["provider"] == "aws"].head(n).copy()
    rows["fetched_at"] = "2026-11-30T00:00:00+00:00"
    return rows


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cache_dir(monkeypatch):
    """A cache folder owned by root (so read-only for ``nobody``) and the CLI imported for the child."""
    folder = shared_tmp() / "cache"
    folder.mkdir()
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(folder))
    warm = shared_tmp()
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(warm / "none"))
    build_parser()
    _run("prices", "status", "--format", "csv")  # every module the verb needs, imported while root can read them
    _run("prices", "status")
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(folder))
    store._checked.clear()
    store._warnings.clear()
    store._ignored.clear()
    return folder


def _status_as_nobody() -> tuple[int, str, str]:
    return as_nobody(_run, "prices", "status", "--format", "csv")


def test_a_healthy_wal_cache_in_a_read_only_folder_is_read_not_set_aside(cache_dir):
    rows = _shipped_aws()
    rows["usd_per_gpu_hour"] = rows["usd_per_gpu_hour"] * 0 + 1.2345  # a price the shipped data lacks
    conn = open_for_write(cache_dir / "prices.sqlite")
    write_snapshot(conn, "aws", rows, "2026-11-30T00:00:00+00:00", "test refresh")
    conn.close()
    code, out, err = _status_as_nobody()
    assert code == 0, err
    aws = [line for line in out.splitlines() if line.startswith("aws,")]
    assert aws and "user cache" in aws[0], out
    assert "unreadable" not in err and "moved aside" not in err and "ignored" not in err, err
    assert sorted(os.listdir(cache_dir)) == ["prices.sqlite"]  # nothing renamed, nothing created


def test_a_damaged_cache_that_cannot_be_moved_aside_is_ignored_with_a_warning(cache_dir):
    (cache_dir / "prices.sqlite").write_bytes(b"this is not a database" * 100)
    code, out, err = _status_as_nobody()
    assert code == 0
    assert "is not a SQLite database and cannot be moved aside (Permission denied): ignored; using the shipped " \
        "prices" in err
    assert "Traceback" not in err and "user cache" not in out
    assert sorted(os.listdir(cache_dir)) == ["prices.sqlite"]


def test_a_cache_folder_that_is_a_file_is_explained(monkeypatch, cache_dir):
    blocker = cache_dir.parent / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(blocker))
    code, _, err = _status_as_nobody()
    assert code == 0 and f"its folder {blocker} is not a folder: ignored" in err

    def open_to_write() -> str:
        try:
            store.open_user_cache_for_write()
        except PlanError as exc:
            return str(exc)
        return "opened"

    message = as_nobody(open_to_write)  # where a refresh writes: one line, not NotADirectoryError
    assert "\n" not in message and "is unusable: its folder" in message and "TRAINPLAN_CACHE_DIR" in message


def test_a_cache_file_that_is_a_folder_or_a_fifo_is_explained_and_never_opened(cache_dir):
    (cache_dir / "prices.sqlite").mkdir()
    code, _, err = _status_as_nobody()
    assert code == 0 and "is a folder, not a file: ignored" in err
    (cache_dir / "prices.sqlite").rmdir()
    os.mkfifo(cache_dir / "prices.sqlite")
    store._ignored.clear()
    code, _, err = _status_as_nobody()  # opening the FIFO would block this test for ever
    assert code == 0 and "not a regular file (a pipe, socket or device): ignored" in err


def _tampered(cache_dir, sql: str) -> None:
    conn = open_for_write(cache_dir / "prices.sqlite")
    write_snapshot(conn, "aws", _shipped_aws(), "2026-11-30T00:00:00+00:00", "test refresh")
    conn.execute("PRAGMA ignore_check_constraints = 1")
    with conn:
        conn.execute(sql)
    conn.close()


@pytest.mark.parametrize("sql, problem", [
    ("UPDATE offers SET usd_per_gpu_hour = -1.0 WHERE rowid IN (SELECT rowid FROM offers LIMIT 3)",
     "3 offers with impossible prices (not in (0, 200] USD per GPU-hour)"),
    ("UPDATE offers SET usd_per_gpu_hour = 5e6 WHERE rowid IN (SELECT rowid FROM offers LIMIT 1)",
     "1 offers with impossible prices"),
    ("UPDATE price_snapshots SET row_count = 999", "says it holds 999 offers but has 20"),
    ("UPDATE price_snapshots SET fetched_at = '2999-01-01T00:00:00+00:00'", "impossible date '2999-01-01"),
    ("UPDATE price_snapshots SET fetched_at = '2026-02-30T00:00:00+00:00'", "impossible date '2026-02-30"),
])
def test_impossible_rows_are_detected_and_the_shipped_prices_used(cache_dir, sql, problem):
    _tampered(cache_dir, sql)
    code, out, err = _status_as_nobody()
    assert code == 0
    assert f"price cache {cache_dir / 'prices.sqlite'}: aws snapshot" in err and problem in err, err
    assert "using the shipped aws prices" in err
    aws = [line for line in out.splitlines() if line.startswith("aws,")]
    assert aws and "shipped" in aws[0] and "user cache" not in aws[0]


def test_negative_cache_prices_never_reach_a_cost(cache_dir):
    _tampered(cache_dir, "UPDATE offers SET usd_per_gpu_hour = -2.0, usd_per_hour = -16.0")

    def cheapest() -> float:
        from planner import api

        return float(api.price_offers(provider="aws")["usd_per_gpu_hour"].min())

    assert as_nobody(cheapest) > 0


def test_the_unprivileged_child_really_cannot_write_the_cache_folder(cache_dir):
    if os.geteuid() != 0:
        pytest.skip("already unprivileged: nothing to drop")

    def try_write() -> str:
        try:
            (cache_dir / "probe").write_text("x")
        except PermissionError:
            return "refused"
        return "written"

    assert as_nobody(try_write) == "refused"
    assert sqlite3.sqlite_version_info >= (3, 22)  # read-only WAL needs 3.22+


@pytest.fixture
def refresh_imported(cache_dir):
    """What a refresh imports (boto3 included), imported while root can still read the interpreter's files."""
    import pricing.aws  # noqa: F401
    import pricing.refresh  # noqa: F401
    from planner.shipped import load

    load()
    return cache_dir


def _refresh_as_nobody(path) -> str:
    """A refresh whose fetch would fail the test if it ran: the child returns the one-line refusal."""
    import pricing.aws
    from pricing.refresh import refresh

    def fetch(*args, **kwargs):
        raise AssertionError("fetched although the cache cannot be written")

    pricing.aws.fetch = fetch  # the forked child's copy only
    try:
        refresh(["aws"], user_path=path)
    except PlanError as exc:
        return str(exc)
    return "no error"


def test_a_refresh_into_a_read_only_cache_fails_before_fetching_and_changes_nothing(refresh_imported):
    cache_dir = refresh_imported
    path = cache_dir / "prices.sqlite"
    conn = open_for_write(path)
    write_snapshot(conn, "aws", _shipped_aws(), "2026-11-30T00:00:00+00:00", "test refresh")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = path.read_bytes()
    message = as_nobody(_refresh_as_nobody, path)
    assert message == (f"price cache {path} is in a folder this user cannot write ({cache_dir}); nothing fetched, "
                       "nothing changed; set TRAINPLAN_CACHE_DIR to a folder you can write")
    assert path.read_bytes() == before


def test_a_refresh_whose_cache_folder_cannot_be_created_fails_before_fetching(refresh_imported):
    cache_dir = refresh_imported
    (cache_dir / "not-a-folder").write_text("x")
    path = cache_dir / "not-a-folder" / "sub" / "prices.sqlite"
    message = as_nobody(_refresh_as_nobody, path)  # a file where a folder must be (a child: the patch stays there)
    assert message.startswith(f"price cache {path} is unusable: its folder") or \
        message.startswith(f"price cache {path} cannot be created: {cache_dir / 'not-a-folder'} is not a folder")
    assert "nothing fetched" in message


def test_the_cli_refresh_into_a_read_only_cache_is_one_line(refresh_imported):
    def refresh_cli() -> tuple[int, str, str]:
        import pricing.aws

        pricing.aws.fetch = lambda *a, **k: (_ for _ in ()).throw(AssertionError("fetched"))
        try:
            return _run("prices", "refresh", "--provider", "aws")
        except SystemExit as exc:
            return int(exc.code), "", ""

    code, _, err = as_nobody(refresh_cli)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "cannot write" in lines[0] and "nothing fetched" in lines[0], err


def test_a_cache_of_a_newer_schema_in_a_read_only_folder_is_explained_and_ignored(cache_dir):
    from pricing.cache import SCHEMA_VERSION

    path = cache_dir / "prices.sqlite"
    conn = open_for_write(path)
    write_snapshot(conn, "aws", _shipped_aws(), "2026-11-30T00:00:00+00:00", "test refresh")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    code, out, err = _status_as_nobody()
    assert code == 0 and path.exists()  # cannot be set aside by nobody: left where it is, not read
    assert f"written by a newer trainplan (schema version {SCHEMA_VERSION + 1}; this one reads up to " \
           f"{SCHEMA_VERSION})" in err
    assert len([line for line in err.splitlines() if "newer trainplan" in line]) == 1
    assert "test refresh" not in out  # its snapshot is not listed as the one in use


@pytest.mark.parametrize("sql, problem", [
    # 20 offers with a limit of 10 per snapshot: not read at all, whatever row_count says
    ("UPDATE price_snapshots SET row_count = 20", "says it holds 20 offers, more than the 10 a snapshot may hold"),
    ("UPDATE price_snapshots SET row_count = 5", "says it holds 5 offers but has 0"),
])
def test_a_snapshot_with_too_many_offers_is_not_read(monkeypatch, cache_dir, sql, problem):
    import pricing.cache_faults

    monkeypatch.setattr(pricing.cache_faults, "MAX_SNAPSHOT_ROWS", 10)
    monkeypatch.setattr(store, "MAX_SNAPSHOT_ROWS", 10)
    _tampered(cache_dir, sql)
    code, out, err = _status_as_nobody()
    assert code == 0 and problem in err and "using the shipped aws prices" in err, err  # "has 0": never loaded


def test_a_cache_file_larger_than_the_limit_is_ignored(monkeypatch, cache_dir):
    monkeypatch.setattr(store, "MAX_CACHE_BYTES", 1000)
    _tampered(cache_dir, "UPDATE price_snapshots SET source = source")
    size = (cache_dir / "prices.sqlite").stat().st_size
    code, out, err = _status_as_nobody()
    assert code == 0
    assert f"price cache {cache_dir / 'prices.sqlite'} is {size:,} bytes, more than the 1,000 a price cache may " \
           "hold: ignored; using the shipped prices" in err


def test_a_damaged_cache_that_cannot_be_moved_aside_leaves_compare_working(monkeypatch, cache_dir):
    # The issue: renaming it aside raised PermissionError and `compare` crashed as well as `prices status`.
    compare = ("compare", "--gpu", "t4", "--gpus", "1", "--hours", "2", "--server", "none", "--provider", "aws",
               "--format", "json", "--top", "1")
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(shared_tmp() / "none"))
    assert _run(*compare)[0] == 0  # every module compare needs, imported while root can read them
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(cache_dir))
    store._checked.clear()
    store._warnings.clear()
    store._ignored.clear()
    (cache_dir / "prices.sqlite").write_bytes(b"this is not a database" * 100)
    code, out, err = as_nobody(_run, *compare)
    assert code == 0 and "Traceback" not in err
    assert "cannot be moved aside (Permission denied): ignored; using the shipped prices" in err
    import json

    assert json.loads(out)[0]["provider"] == "aws" and json.loads(out)[0]["cost_usd"] > 0
