"""``trainplan app`` as a new user starts it: no terminal, a fresh HOME, stopped by a signal."""

from __future__ import annotations

import signal
import socket

import pytest
from app_server import app_output, start_app, wait_healthy

from planner.cli import build_parser
from planner.cli.app import STREAMLIT_OPTIONS, streamlit_argv


def _port_is_free(port: int) -> bool:
    """Nothing listens on the port and a new server could bind it (with SO_REUSEADDR, as servers do: the
    health checks' closed connections may sit in TIME_WAIT)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
        return True


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_app_serves_without_a_terminal_and_a_signal_frees_the_port(tmp_path, stop):
    home = tmp_path / "home"
    home.mkdir()  # a fresh machine: no ~/.streamlit/credentials.toml, so a non-headless Streamlit would ask
    process, url = start_app(tmp_path / "cache", home=home)
    port = int(url.rsplit(":", 1)[1])
    try:
        wait_healthy(process, url, timeout_s=60)
        assert not _port_is_free(port)
        process.send_signal(stop)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = app_output(process)
    assert f"serving {url}" in output
    assert "email" not in output.lower() and "usage statistics" not in output.lower()
    assert _port_is_free(port)
    assert not (home / ".streamlit").exists()


def test_app_command_binds_localhost_and_sets_streamlit_through_flags():
    args = build_parser().parse_args(["app"])
    assert (args.address, args.port) == ("127.0.0.1", 8501)
    argv = streamlit_argv("0.0.0.0", 9000)
    flags = dict(zip(argv[2::2], argv[3::2], strict=True))
    assert flags["--server.address"] == "0.0.0.0" and flags["--server.port"] == "9000"
    assert all(flags[f"--{k}"] == v for k, v in STREAMLIT_OPTIONS.items())
    # The Deploy button lives in the developer toolbar; usage statistics off; no browser or e-mail prompt.
    assert STREAMLIT_OPTIONS["client.toolbarMode"] == "viewer"
    assert STREAMLIT_OPTIONS["browser.gatherUsageStats"] == "false"
    assert STREAMLIT_OPTIONS["server.headless"] == "true"
