"""Shared fixtures: the shipped data, its catalog, and an isolated user price cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.shipped import load

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_user_cache(tmp_path, monkeypatch):
    """Every test gets an empty per-user price cache, so a developer's refreshed prices never leak in."""
    monkeypatch.setenv("TRAINPLAN_CACHE_DIR", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache"


@pytest.fixture(scope="session")
def data():
    return load()


@pytest.fixture(scope="session")
def catalog(data):
    return data.catalog


# Property tests must not fail on timing: the suite runs on 2 shared cores where one example can take
# far longer than hypothesis's default 200 ms deadline.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("trainplan", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("trainplan")
