"""``trainplan app``: start the Streamlit app on the shipped data."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path


def _app(args: argparse.Namespace) -> int:
    app = Path(__file__).resolve().parents[2] / "streamlit_app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
               "--server.headless", "true" if args.headless else "false", "--browser.gatherUsageStats", "false"]
    return subprocess.call(command)


def register(subparsers: argparse._SubParsersAction) -> None:
    app = subparsers.add_parser("app", help="open the interactive what-if app (Streamlit)")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--headless", action="store_true", help="do not open a browser")
    app.set_defaults(func=_app)
