"""``trainplan app``: serve the Streamlit app on the shipped data, headless, on 127.0.0.1 by default.

Streamlit runs in this process (``streamlit run`` through its own command-line entry point), so the
server is this process: Ctrl-C or SIGTERM to ``trainplan app`` reaches Streamlit's own signal handler,
which stops the server and frees the port; there is no child to leave behind. The modules ``trainplan``
already imported (pandas, pint, ``planner.api``) are reused by the app's first run.

Every Streamlit setting the command needs is passed as a flag (``STREAMLIT_OPTIONS``), so a fresh machine
needs no ``~/.streamlit`` file: headless (no browser, and no e-mail prompt, which Streamlit shows only
when not headless and no credentials file exists), no usage statistics, no developer toolbar (the
"Deploy" button), no file watcher.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

#: Streamlit configuration of ``trainplan app`` (``streamlit run --<option> <value>``).
STREAMLIT_OPTIONS: dict[str, str] = {
    "server.headless": "true",
    "server.showEmailPrompt": "false",
    "browser.gatherUsageStats": "false",
    "client.toolbarMode": "viewer",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "global.developmentMode": "false",
}
DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501


def app_script() -> Path:
    """The Streamlit script: ``streamlit_app.py``, installed as a top-level module beside ``planner``."""
    return Path(__file__).resolve().parents[2] / "streamlit_app.py"


def streamlit_argv(address: str, port: int) -> list[str]:
    """The ``streamlit run`` command line (without the program name) for an address and port."""
    argv = ["run", str(app_script()), "--server.address", address, "--server.port", str(port)]
    for option, value in STREAMLIT_OPTIONS.items():
        argv += [f"--{option}", value]
    return argv


def app_url(address: str, port: int) -> str:
    host = "localhost" if address in ("0.0.0.0", "::") else address  # noqa: S104 (a wildcard is reachable here)
    return f"http://{host}:{port}"


def _warm() -> None:
    """While the server starts and the browser loads the page: import the app's modules and load the shipped
    data and the comparison engine's per-snapshot tables (process-wide caches), so the first page does not
    wait for them. Failures are left to the page itself, which reports them."""
    try:
        from planner import api
        from planner.ui import panels, state  # noqa: F401 (the import is the work)

        workload, preset = api.make_workload(**state.workload_kwargs(state.DEFAULTS))
        api.compare(workload, preset, **state.compare_kwargs(state.DEFAULTS))
    except Exception:  # noqa: BLE001 (a warm-up must never take the server down)
        return


def _app(args: argparse.Namespace) -> int:
    from planner.errors import PlanError

    if not 0 < args.port < 65536:
        raise PlanError(f"port {args.port}: must be 1 to 65535")
    from streamlit.web import cli as streamlit_cli

    print(f"trainplan app: serving {app_url(args.address, args.port)} (Ctrl-C to stop)", flush=True)
    threading.Thread(target=_warm, name="trainplan-warm", daemon=True).start()
    try:
        streamlit_cli.main(args=streamlit_argv(args.address, args.port), prog_name="streamlit",
                           standalone_mode=False)
    except KeyboardInterrupt:
        pass
    sys.stdout.flush()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    app = subparsers.add_parser("app", help="serve the interactive what-if app (Streamlit) on 127.0.0.1:8501")
    app.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    app.add_argument("--address", default=DEFAULT_ADDRESS,
                     help=f"address to bind (default {DEFAULT_ADDRESS}: this machine only; 0.0.0.0: every interface)")
    app.add_argument("--headless", action="store_true", help=argparse.SUPPRESS)  # always headless now; kept for old scripts
    app.set_defaults(func=_app)
