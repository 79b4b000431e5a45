"""The project's source files: which ones, and the bundle the workers render from."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterable
from pathlib import Path

from rendering.settings import BUNDLE_INPUTS


def _files_under(root: Path, rels: Iterable[str]) -> list[Path]:
    out: set[Path] = set()
    for rel in rels:
        p = root / rel
        if p.is_file():
            out.add(p)
        elif p.is_dir():
            for f in p.rglob("*"):
                if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                    out.add(f)
    return sorted(out)


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def make_bundle(root: Path, extra: Iterable[Path]) -> bytes:
    """The project's sources as a gzipped tar, so workers need no shared filesystem."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for f in _files_under(root, BUNDLE_INPUTS):
            tar.add(f, arcname=f.relative_to(root).as_posix())
        for f in extra:
            tar.add(f, arcname=bundle_path(f, root))
    return buf.getvalue()


def bundle_path(path: Path, root: Path) -> str:
    """Where a scene file sits inside the bundle."""
    if _under(path, root):
        return path.relative_to(root).as_posix()
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return f"_external/{digest}/{path.name}"
