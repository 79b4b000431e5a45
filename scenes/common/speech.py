"""Offline text to speech, cached by text and voice: the one place that knows the voices.

Engines, most natural first: a Piper neural voice when given a model file
(``render.py --piper-model PATH``; needs ``pip install piper-tts``), festival with the HTS
voice ``cmu_us_slt_arctic_hts`` (Debian's festvox-us-slt-hts), flite, espeak-ng.
``GDE_VOICE`` picks one by name (``piper``, ``festival``, ``flite``, ``espeak-ng``, ``none``).

:func:`detect` chooses the voice; render.py calls it once per run and hands each scene
process the result as :func:`environment`, which :func:`current` reads back (a scene
rendered with ``manim`` directly detects its voice the same way). Clips are
loudness-normalized with ffmpeg's loudnorm and stored under ``build/voice/`` by a hash of
text and voice.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rendering.files import atomic_path

#: The environment of a scene process: which voice, which Piper model, where clips go.
VOICE_VAR, MODEL_VAR, CACHE_VAR = "GDE_VOICE", "GDE_PIPER_MODEL", "GDE_VOICE_CACHE"
#: The clip cache when the environment names none (relative to the working folder).
DEFAULT_CACHE = "build/voice"
#: The festival voice used, and where Debian installs it.
FESTIVAL_VOICE = "cmu_us_slt_arctic_hts"
FESTIVAL_VOICES = Path("/usr/share/festival/voices")

#: Engine name -> the program it runs.
PROGRAMS = {
    "piper": sys.executable,
    "festival": "text2wave",
    "flite": "flite",
    "espeak-ng": "espeak-ng",
}


@dataclass(frozen=True)
class Clip:
    """A spoken line: its normalized WAV file and its length in seconds."""

    path: Path
    duration: float


@dataclass(frozen=True)
class Voice:
    """A speaking voice: an engine, and for Piper the model file."""

    engine: str
    model: str = ""

    @property
    def id(self) -> str:
        """What identifies the sound this voice makes (cache keys): engine and model."""
        if not self.model:
            return self.engine
        with_time = Path(self.model)
        stamp = with_time.stat().st_mtime_ns if with_time.is_file() else 0
        return f"{self.engine}:{self.model}@{stamp}"

    def command(self, text_file: Path, out: Path) -> list[str]:
        """The command that speaks ``text_file`` into the WAV file ``out``."""
        if self.engine == "piper":  # Piper reads the text on stdin (see synthesize)
            return [sys.executable, "-m", "piper", "--model", self.model, "--output_file", str(out)]
        if self.engine == "festival":
            return [
                "text2wave",
                "-eval",
                f"(voice_{FESTIVAL_VOICE})",
                str(text_file),
                "-o",
                str(out),
            ]
        if self.engine == "flite":
            return ["flite", "-f", str(text_file), "-o", str(out)]
        return ["espeak-ng", "-v", "en-us", "-s", "160", "-f", str(text_file), "-w", str(out)]


def detect(wanted: str = "", piper_model: str = "") -> Voice | None:
    """The voice to speak with, or None for a silent film.

    Parameters
    ----------
    wanted : str
        An engine name (``GDE_VOICE``), ``none``, or empty for the most natural one installed.
    piper_model : str
        A Piper model file; with ``wanted`` empty or ``piper`` it makes the voice Piper.

    Raises
    ------
    ValueError
        ``wanted`` names no engine.
    """
    wanted = wanted.strip()
    if wanted == "none":
        return None
    if piper_model and wanted in ("", "piper"):
        return Voice("piper", piper_model)
    if wanted:
        if wanted not in PROGRAMS:
            raise ValueError(f"GDE_VOICE={wanted!r}: choose one of {', '.join(PROGRAMS)} or none")
        if wanted == "piper":  # Piper without a model cannot speak
            return None
        return Voice(wanted) if shutil.which(PROGRAMS[wanted]) else None
    if shutil.which("text2wave") and any(FESTIVAL_VOICES.glob(f"*/{FESTIVAL_VOICE}")):
        return Voice("festival")
    for name in ("flite", "espeak-ng"):
        if shutil.which(PROGRAMS[name]):
            return Voice(name)
    return None


def environment(voice: Voice | None, cache_dir: str) -> dict[str, str]:
    """The environment a scene process needs to speak with ``voice`` (read by :func:`current`).

    ``cache_dir`` may start with ``~``: it is expanded where the scene renders.
    """
    return {
        VOICE_VAR: voice.engine if voice else "none",
        MODEL_VAR: voice.model if voice else "",
        CACHE_VAR: cache_dir,
    }


@cache
def current() -> Voice | None:
    """The voice of this process, from its environment (see :func:`environment`)."""
    return detect(os.environ.get(VOICE_VAR, ""), os.environ.get(MODEL_VAR, ""))


def wav_duration(path: Path) -> float:
    """A WAV file's length in seconds."""
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def synthesize(text: str) -> Clip | None:
    """A normalized WAV of ``text`` in the current voice, or None without a voice."""
    voice = current()
    if voice is None:
        return None
    cache_dir = Path(os.environ.get(CACHE_VAR) or DEFAULT_CACHE).expanduser()
    key = hashlib.sha256(f"{voice.id}\n{text}".encode()).hexdigest()[:20]
    path = cache_dir / f"{key}.wav"
    if not path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            src, raw = Path(tmp) / "line.txt", Path(tmp) / "raw.wav"
            src.write_text(text + "\n")
            subprocess.run(
                voice.command(src, raw),
                input=text.encode() if voice.engine == "piper" else None,
                check=True,
                capture_output=True,
            )
            with atomic_path(path) as norm:
                subprocess.run(
                    ["ffmpeg", "-v", "error", "-y", "-i", str(raw),
                     "-af", "loudnorm=I=-16:TP=-1.5:LRA=11", "-ar", "48000", "-ac", "1",
                     "-f", "wav", str(norm)],
                    check=True,
                    capture_output=True,
                )  # fmt: skip
    return Clip(path, wav_duration(path))
