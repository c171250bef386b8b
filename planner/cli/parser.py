"""The argparse parser every ``trainplan`` verb uses: one-line errors (light: no pandas, no pint)."""

from __future__ import annotations

import argparse

from planner.errors import PlanError


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (PlanError, so main prints it once and exits 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise PlanError(f"{self.prog}: {message}")
