"""Writing a report to disk: the one I/O module of ``planner.reports``.

Everything is checked before a byte is written (format, directory exists and is writable, the target
is not a directory), the report is rendered in memory, written to a temporary file beside the target
and renamed over it, so a failure never leaves a partial or half-replaced file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from planner.errors import PlanError, choice
from planner.reports.model import Report


def check_target(fmt: str, path: str | os.PathLike[str]) -> Path:
    """Validate a format and an output path without writing anything; the resolved path."""
    from planner.reports import REPORT_FORMATS

    choice("format", fmt, REPORT_FORMATS)
    target = Path(path).expanduser()
    if not str(path).strip():
        raise PlanError("out: give a file path")
    parent = target.parent.resolve() if str(target.parent) else Path.cwd()
    if target.is_dir():
        raise PlanError(f"out '{path}': is a directory; give a file name")
    if not parent.is_dir():
        raise PlanError(f"out '{path}': directory '{parent}' does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PlanError(f"out '{path}': directory '{parent}' is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise PlanError(f"out '{path}': file exists and is not writable")
    return parent / target.name


def write_report(report: Report, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Render ``report`` as ``fmt`` and write it to ``path`` atomically; the path written."""
    from planner.reports import render

    target = check_target(fmt, path)
    data = render(report, fmt)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise PlanError(f"out '{path}': could not write ({exc.strerror or exc})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
