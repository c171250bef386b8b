"""Run the ``trainplan`` CLI in-process and capture what it prints (shared by the CLI tests)."""

from __future__ import annotations

import contextlib
import io

from planner.cli import main


def run_cli(*argv: str) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``trainplan ARGV``; argparse's own exits are caught as codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()
