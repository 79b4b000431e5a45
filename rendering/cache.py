"""Cache keys, and the scene cache.

One entry per scene and quality: ``DIR/scenes/<Scene>-<quality>-<key>/`` with ``scene.mov``,
``scene.srt`` and ``meta.json``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from rendering.dependencies import Project, digest
from rendering.files import TMP_MARK, atomic_path, remove
from rendering.order import scene_file
from rendering.settings import CACHE_FORMAT, CONFIG_FILE, VOICE_MODULE


def manim_version() -> str:
    """The installed Manim's version."""
    try:
        return importlib.metadata.version("manim")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def scene_key(entry: Any, project: Project, quality: str, voice: str) -> str:
    """The cache key of one scene: a hash of everything its picture and sound depend on.

    Parameters
    ----------
    entry : Any
        The scene's entry in the running order (``scene``, ``path``).
    project : Project
        The project the scene belongs to (its sources, parsed once per run).
    quality : str
        Manim's quality preset.
    voice : str
        The voice's identity (``Voice.id``, or ``none``); only narrated scenes (those that
        reach ``settings.VOICE_MODULE``) depend on it.
    """
    path = scene_file(entry, project.root)
    deps = project.scene(path, entry.scene)
    configs = {project.root / CONFIG_FILE, path.parent / CONFIG_FILE}
    payload = {
        "format": CACHE_FORMAT,
        "scene": entry.scene,
        "quality": quality,
        "manim": manim_version(),
        "voice": voice if VOICE_MODULE in deps.modules else None,
        "config": sorted(digest(c.read_bytes()) for c in configs if c.is_file()),
        "code": deps.parts,
        "data": deps.data,
        "packages": deps.packages,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def meta_seconds(meta: dict) -> Fraction:
    """A cached scene's exact length in seconds."""
    num, den = meta["seconds"]
    return Fraction(num, den)


class Cache:
    """The rendered scenes of one quality, each under its key."""

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
        """Write a finished scene whole (a folder renamed into place) and return its meta."""
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.entry_dir(scene, key)
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
        with atomic_path(final) as tmp:
            tmp.mkdir()
            (tmp / "scene.mov").write_bytes(result["mov"])
            (tmp / "scene.srt").write_text(result.get("srt", ""), encoding="utf-8")
            (tmp / "scene.words.json").write_text(result.get("words") or "[]", encoding="utf-8")
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        # One entry per scene and quality: drop the entries this one replaces.
        for old in self.dir.glob(f"{scene}-{self.quality}-*"):
            if old != final and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return meta

    def sweep(self) -> None:
        """Remove temporary folders left by a run that was killed."""
        for tmp in self.dir.glob(f".*{TMP_MARK}*"):
            if time.time() - tmp.stat().st_mtime > 60:
                remove(tmp)
