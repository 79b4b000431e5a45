"""Cache keys, and the scene cache.

One entry per scene and quality: ``DIR/scenes/<Scene>-<quality>-<key>/`` with ``scene.mov``,
``scene.srt``, ``scene.words.json`` and ``meta.json``, which holds each file's size and
SHA-256: an entry is used only while its files are exactly what was rendered.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import subprocess
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

from rendering.dependencies import Project, digest
from rendering.files import atomic_path, discard
from rendering.media import ffprobe, video_seconds
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


#: The files of a cache entry, besides ``meta.json``.
ENTRY_FILES = ("scene.mov", "scene.srt", "scene.words.json")


class Cache:
    """The rendered scenes of one quality, each under its key, checked before use.

    Parameters
    ----------
    out : Path
        The output folder; entries live in ``out/scenes``.
    quality : str
        Manim's quality preset.
    repair : bool
        Remove a damaged entry when one is found (only with the output folder's lock held).
    """

    def __init__(self, out: Path, quality: str, repair: bool = False):
        self.dir = out / "scenes"
        self.quality = quality
        self.repair = repair
        #: Scenes whose entry was found damaged, with what was wrong.
        self.damaged: dict[str, str] = {}
        self._checked: dict[tuple[str, str], dict | None] = {}

    def entry_dir(self, scene: str, key: str) -> Path:
        return self.dir / f"{scene}-{self.quality}-{key[:16]}"

    def lookup(self, scene: str, key: str) -> dict | None:
        """The entry's meta if it is there and whole (checked once per run), else None."""
        if (scene, key) not in self._checked:
            self._checked[scene, key] = self._check(scene, key)
        return self._checked[scene, key]

    def _check(self, scene: str, key: str) -> dict | None:
        d = self.entry_dir(scene, key)
        try:
            meta = json.loads((d / "meta.json").read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            meta = {}
        problem = entry_problem(d, meta, key)
        if problem is None:
            return meta
        self.damaged[scene] = problem
        if self.repair:
            discard(d)
        return None

    def store(self, scene: str, key: str, result: dict) -> dict:
        """Write a finished scene whole (a folder renamed into place) and return its meta."""
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.entry_dir(scene, key)
        contents = {
            "scene.mov": result["mov"],
            "scene.srt": result.get("srt", "").encode("utf-8"),
            "scene.words.json": (result.get("words") or "[]").encode("utf-8"),
        }
        meta = {
            "key": key,
            "scene": scene,
            "quality": self.quality,
            "seconds": result["seconds"],
            "had_audio": result["had_audio"],
            "render_time": result["render_time"],
            "host": result.get("host", ""),
            "rendered_at": time.time(),
            "files": {name: fingerprint(data) for name, data in contents.items()},
        }
        with atomic_path(final) as tmp:
            tmp.mkdir()
            for name, data in contents.items():
                (tmp / name).write_bytes(data)
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        self._checked[scene, key] = meta
        # One entry per scene and quality: drop the entries this one replaces.
        for old in self.dir.glob(f"{scene}-{self.quality}-*"):
            if old != final and old.is_dir():
                discard(old)
        return meta

    def previous_seconds(self, scene: str) -> Fraction | None:
        """The length of the scene's last render at any quality, if one is kept."""
        lengths = []
        for meta_file in self.dir.glob(f"{scene}-*-*/meta.json"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
                lengths.append(meta_seconds(json.loads(meta_file.read_text())))
        return max(lengths, default=None)


def fingerprint(data: bytes) -> dict:
    """What a cached file must still be: its size and SHA-256."""
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def entry_problem(entry: Path, meta: dict, key: str) -> str | None:
    """What is wrong with a cache entry (truncated, altered, missing files), or None."""
    if meta.get("key") != key or "seconds" not in meta:
        return "its meta.json is unreadable or not this scene's"
    files = meta.get("files")
    if not isinstance(files, dict):  # written before entries had fingerprints
        return _probe_problem(entry / "scene.mov", meta)
    for name in ENTRY_FILES:
        expected = files.get(name)
        path = entry / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if not isinstance(expected, dict) or size != expected.get("size"):
            return f"{name} is {size} bytes, expected {(expected or {}).get('size')}"
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected.get("sha256"):
            return f"{name} is not the file that was rendered (its checksum differs)"
    return None


def _probe_problem(movie: Path, meta: dict) -> str | None:
    """For entries without fingerprints: the video must decode to the length it had."""
    try:
        info = ffprobe(movie)
        seconds = video_seconds(info)
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, StopIteration):
        return "scene.mov cannot be read"
    expected = meta_seconds(meta)
    if abs(seconds - expected) > Fraction(1, 10):
        return f"scene.mov is {float(seconds):.1f} s long, expected {float(expected):.1f} s"
    if not any(s.get("codec_type") == "audio" for s in info.get("streams", [])):
        return "scene.mov has no audio track"
    return None
