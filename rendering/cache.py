"""Cache keys, and the scene cache.

One entry per scene and quality: ``DIR/scenes/<Scene>-<quality>-<key>/`` with ``scene.mov``,
``scene.srt`` and ``meta.json``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

from rendering.checks import SceneCheck
from rendering.order import scene_file
from rendering.settings import CACHE_FORMAT, SHARED_INPUTS
from rendering.sources import _files_under


def _hash_files(h: Any, files: Iterable[Path], root: Path) -> None:
    for f in files:
        try:
            rel = f.relative_to(root).as_posix()
        except ValueError:
            rel = f.name
        h.update(f"{rel}\0{f.stat().st_size}\0".encode())
        h.update(f.read_bytes())


def voice_setting() -> str:
    """What decides whether scenes speak: ``GDE_VOICE`` and the speech engines installed."""
    wanted = os.environ.get("GDE_VOICE", "").strip()
    if wanted == "none":
        return "GDE_VOICE=none"
    engines = [n for n in ("text2wave", "flite", "espeak-ng") if shutil.which(n)]
    slt = any(Path("/usr/share/festival/voices").glob("*/cmu_us_slt_arctic_hts"))
    piper = os.environ.get("GDE_PIPER_MODEL", "")
    if piper and Path(piper).is_file():
        piper = f"{piper}@{Path(piper).stat().st_mtime_ns}"
    return f"GDE_VOICE={wanted};engines={','.join(engines)};slt={slt};piper={piper}"


def manim_version() -> str:
    try:
        return importlib.metadata.version("manim")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def scene_key(entry: Any, root: Path, quality: str, shared: str, check: SceneCheck) -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}\0{entry.scene}\0{quality}\0{shared}\0".encode())
    _hash_files(h, [scene_file(entry, root), *check.imports], root)
    return h.hexdigest()


def shared_digest(root: Path) -> str:
    """Everything that all scenes share, in one hash (computed once per run)."""
    h = hashlib.sha256()
    h.update(f"manim={manim_version()}\0{voice_setting()}\0".encode())
    _hash_files(h, _files_under(root, SHARED_INPUTS), root)
    return h.hexdigest()


class Cache:
    def __init__(self, out: Path, quality: str):
        self.dir = out / "scenes"
        self.quality = quality

    def entry_dir(self, scene: str, key: str) -> Path:
        return self.dir / f"{scene}-{self.quality}-{key[:16]}"

    def lookup(self, scene: str, key: str) -> dict | None:
        d = self.entry_dir(scene, key)
        try:
            meta = json.loads((d / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        if meta.get("key") != key or not (d / "scene.mov").is_file():
            return None
        return meta

    def store(self, scene: str, key: str, result: dict) -> dict:
        """Write a finished scene atomically: into a temporary folder, then rename."""
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.entry_dir(scene, key)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{scene}-", dir=self.dir))
        try:
            tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
            (tmp / "scene.mov").write_bytes(result["mov"])
            (tmp / "scene.srt").write_text(result.get("srt", ""), encoding="utf-8")
            meta = {
                "key": key,
                "scene": scene,
                "quality": self.quality,
                "seconds": result["seconds"],
                "had_audio": result["had_audio"],
                "render_time": result["render_time"],
                "host": result.get("host", ""),
                "rendered_at": time.time(),
            }
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        # One entry per scene and quality: drop the entries this one replaces.
        for old in self.dir.glob(f"{scene}-{self.quality}-*"):
            if old != final and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return meta

    def sweep(self) -> None:
        """Remove temporary folders left by a run that was killed."""
        for tmp in self.dir.glob(".tmp-*"):
            if time.time() - tmp.stat().st_mtime > 60:
                shutil.rmtree(tmp, ignore_errors=True)


def _seconds(meta: dict) -> Fraction:
    num, den = meta["seconds"]
    return Fraction(num, den)
