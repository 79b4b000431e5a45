"""Atomic writes: every output of the project is written beside its place, then renamed."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: What the temporary names contain, so a later run can sweep what a killed one left.
TMP_MARK = ".tmp-"


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write (a file or a folder), renamed onto ``path``.

    The rename happens only when the block finishes without an exception; otherwise the
    temporary is removed and ``path`` keeps what it had. The temporary keeps ``path``'s
    suffix, so tools that pick a format by extension (ffmpeg, matplotlib) still do.

    Parameters
    ----------
    path : Path
        The final location. Its folder must exist.

    Yields
    ------
    Path
        The temporary location, not yet created.
    """
    path = Path(path)
    tmp = temporary_sibling(path)
    try:
        yield tmp
        if tmp.is_dir() and path.is_dir():
            # os.replace cannot rename a folder onto a non-empty one: move the old one aside
            # first (a rename, so readers see the old folder or none, never half of one).
            discard(path)
        os.replace(tmp, path)
    finally:
        remove(tmp)


def temporary_sibling(path: Path) -> Path:
    """A unique temporary name beside ``path`` that :func:`sweep` recognizes."""
    return path.with_name(f".{path.stem}{TMP_MARK}{uuid.uuid4().hex[:12]}{path.suffix}")


def discard(path: Path) -> None:
    """Remove a file or folder by first renaming it aside, so it never lingers half-removed."""
    trash = temporary_sibling(path)
    try:
        os.replace(path, trash)
    except FileNotFoundError:
        return
    remove(trash)


def sweep(folder: Path, older_than: float = 0.0) -> list[Path]:
    """Remove the temporaries a killed process left in ``folder``; returns what went.

    Parameters
    ----------
    folder : Path
        Where to look (not recursively).
    older_than : float
        Only temporaries not touched for this many seconds: a folder other processes may be
        writing into right now needs a margin; one this process holds a lock on does not.
    """
    gone = []
    now = time.time()
    for tmp in Path(folder).glob(f".*{TMP_MARK}*"):
        with contextlib.suppress(OSError):
            if now - tmp.lstat().st_mtime >= older_than:
                remove(tmp)
                gone.append(tmp)
    return gone


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` whole, or leave ``path`` as it was."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)


def remove(path: Path) -> None:
    """Remove a file or a folder tree if it is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
