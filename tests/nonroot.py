"""Run a test body as an unprivileged user, so permission checks are real even when the suite runs as root.

Not a test module. ``as_nobody(func, *args)`` forks; the child imports what the body needs (already
imported by the parent: the interpreter lives under /root, which ``nobody`` cannot read), drops to
``nobody`` with ``setgid``/``setuid``, runs ``func(*args)`` and sends back its result (or its exception
text) through a pipe. When the suite already runs unprivileged, ``func`` simply runs in a child the same way.
"""

from __future__ import annotations

import logging
import os
import pickle
import pwd
import tempfile
import traceback
from pathlib import Path


def nobody_ids() -> tuple[int, int]:
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


def shared_tmp() -> Path:
    """A fresh folder under /tmp that an unprivileged child can reach (pytest's tmp_path is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="trainplan-nonroot-"))
    folder.chmod(0o755)
    return folder


def as_nobody(func, *args):
    """``func(*args)`` in a forked child running as ``nobody`` (when we are root); its result, or RuntimeError."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            # As in a real process: no logging handlers (pytest's capture handlers are the parent's), so a
            # warning reaches stderr through logging's last resort, as a user would see it.
            logging.getLogger().handlers.clear()
            if os.geteuid() == 0:
                uid, gid = nobody_ids()
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
            payload = ("ok", func(*args))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            payload = ("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        with os.fdopen(write_end, "wb") as out:
            pickle.dump(payload, out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "error":
        raise RuntimeError(value)
    return value
