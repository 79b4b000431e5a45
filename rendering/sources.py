"""The bundle the workers render from: the project's files the scenes need, as one tar."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterable
from pathlib import Path


def files_under(paths: Iterable[Path]) -> list[Path]:
    """The files among ``paths`` and under the folders among them (no compiled Python)."""
    out: set[Path] = set()
    for p in paths:
        if p.is_file():
            out.add(p)
        elif p.is_dir():
            for f in p.rglob("*"):
                if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                    out.add(f)
    return sorted(out)


def is_under(path: Path, root: Path) -> bool:
    """Whether ``path`` is inside the folder ``root``."""
    return Path(path).resolve().is_relative_to(Path(root).resolve())


def make_bundle(root: Path, paths: Iterable[Path]) -> bytes:
    """``paths`` (files and folders) as a gzipped tar, so workers need no shared filesystem.

    Files under ``root`` keep their place; others go where :func:`bundle_path` puts them.
    """
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for f in files_under(paths):
            tar.add(f, arcname=bundle_path(f, root))
    return buf.getvalue()


def bundle_path(path: Path, root: Path) -> str:
    """Where a file sits inside the bundle."""
    if is_under(path, root):
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return f"_external/{digest}/{path.name}"
