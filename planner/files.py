"""Reading input files and writing output files for the CLI and the library's writers (an I/O module).

One reader and one writer, so every file trainplan touches fails the same way: a one-line ``PlanError``
naming the flag and the path, never an OS traceback.

- ``read_text``: a regular file (not a directory, FIFO or device: opening a FIFO would block), at most
  ``MAX_FILE_BYTES``, UTF-8.
- ``check_output``: before any work, that the target can be written (parent is a folder that exists and
  is writable, target is not a folder or a special file, the name fits the file system).
- ``write_bytes``: render in memory first, then a temporary file beside the target, renamed over it
  (``os.replace``), so a failure never leaves a partial or half-replaced file; any OS error is one line.
- ``write_folder``: a folder of files, each written as above.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from planner.errors import PlanError
from planner.fields import MAX_FILE_BYTES

#: Longest file name most file systems accept [bytes].
MAX_NAME_BYTES = 255


def _shown(path: object) -> str:
    text = str(path)
    return text if len(text) <= 80 else text[:77] + "…"


def _why(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def read_text(field: str, path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes``, or a one-line PlanError naming ``field``."""
    shown = _shown(path)
    if not str(path).strip():
        raise PlanError(f"{field}: give a file path")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PlanError(f"{field} '{shown}': not found") from None
    except OSError as exc:
        raise PlanError(f"{field} '{shown}': cannot read it ({_why(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise PlanError(f"{field} '{shown}': is a directory; give a file")
    if not stat.S_ISREG(info.st_mode):
        raise PlanError(f"{field} '{shown}': not a regular file (a pipe, socket or device); give a file")
    if info.st_size > max_bytes:
        raise PlanError(f"{field} '{shown}': {info.st_size:,} bytes; at most {max_bytes:,}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise PlanError(f"{field} '{shown}': cannot read it ({_why(exc)})") from None
    if len(data) > max_bytes:
        raise PlanError(f"{field} '{shown}': more than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanError(f"{field} '{shown}': not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") \
            from None


def check_output(field: str, path: str | os.PathLike[str], suffixes: Iterable[str] | None = None,
                 force: bool = True) -> Path:
    """The target path, checked for writing without writing anything (PlanError naming ``field``).

    suffixes : allowed file endings (e.g. ``(".csv", ".parquet")``), None for any
    force : False refuses an existing file
    """
    if path is None or not str(path).strip():
        raise PlanError(f"{field}: give a file path")
    shown = _shown(path)
    target = Path(path).expanduser()
    if suffixes is not None:
        allowed = tuple(suffixes)
        if target.suffix.lower() not in allowed:
            raise PlanError(f"{field} '{shown}': unknown file type; allowed: {', '.join(allowed)}")
    if len(target.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise PlanError(f"{field} '{shown}': file name longer than {MAX_NAME_BYTES} bytes")
    parent = target.parent if str(target.parent) else Path(".")
    try:
        if target.is_dir():
            raise PlanError(f"{field} '{shown}': is a directory; give a file name")
        if target.exists() or target.is_symlink():
            if not force:
                raise PlanError(f"{field} '{shown}': exists; choose another file or pass --force to overwrite it")
            if target.exists() and not stat.S_ISREG(os.stat(target).st_mode):
                raise PlanError(f"{field} '{shown}': not a regular file; give a file name")
        if not parent.is_dir():
            raise PlanError(f"{field} '{shown}': folder '{_shown(parent)}' does not exist")
    except OSError as exc:
        raise PlanError(f"{field} '{shown}': cannot use this path ({_why(exc)})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PlanError(f"{field} '{shown}': folder '{_shown(parent)}' is not writable")
    return parent.resolve() / target.name


def write_bytes(field: str, path: str | os.PathLike[str], data: bytes, suffixes: Iterable[str] | None = None,
                force: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file beside it, then ``os.replace``); the path written."""
    target = check_output(field, path, suffixes, force)
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".part", dir=target.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
        temporary = None
    except OSError as exc:
        raise PlanError(f"{field} '{_shown(path)}': could not write ({_why(exc)})") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    return target


def check_folder(field: str, folder: str | os.PathLike[str]) -> Path:
    """An output folder: an existing, writable folder, or a new one whose parent exists and is writable."""
    if folder is None or not str(folder).strip():
        raise PlanError(f"{field}: give a folder path")
    shown = _shown(folder)
    target = Path(folder).expanduser()
    try:
        if target.exists() and not target.is_dir():
            raise PlanError(f"{field} '{shown}': exists and is not a folder")
        parent = target if target.is_dir() else (target.parent if str(target.parent) else Path("."))
        if not parent.is_dir():
            raise PlanError(f"{field} '{shown}': folder '{_shown(parent)}' does not exist")
    except OSError as exc:
        raise PlanError(f"{field} '{shown}': cannot use this path ({_why(exc)})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PlanError(f"{field} '{shown}': folder '{_shown(parent)}' is not writable")
    return target


def write_folder(field: str, folder: str | os.PathLike[str], files: Mapping[str, bytes]) -> Path:
    """Write each ``name -> bytes`` into ``folder`` (created if missing, one level), each file atomically."""
    target = check_folder(field, folder)
    try:
        target.mkdir(exist_ok=True)
    except OSError as exc:
        raise PlanError(f"{field} '{_shown(folder)}': could not create it ({_why(exc)})") from None
    for name, data in files.items():
        write_bytes(field, target / name, data)
    return target
