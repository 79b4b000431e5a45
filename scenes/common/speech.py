"""Offline text to speech, cached by text and voice.

Engines, most natural first: a Piper neural voice when ``GDE_PIPER_MODEL`` names
a model file (``render.py --piper-model PATH``; needs ``pip install piper-tts``),
festival with the HTS voice ``cmu_us_slt_arctic_hts`` (Debian's
festvox-us-slt-hts), flite, espeak-ng. ``GDE_VOICE`` picks one by name
(``piper``, ``festival``, ``flite``, ``espeak-ng``, ``none``). Clips are loudness-normalized
with ffmpeg's loudnorm and stored under ``build/voice/`` by a hash of text and voice.
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

CACHE = Path(os.environ.get("GDE_VOICE_CACHE", "build/voice"))


@dataclass(frozen=True)
class Clip:
    path: Path
    duration: float


def _festival(text_file: Path, out: Path) -> list[str]:
    return [
        "text2wave",
        "-eval",
        "(voice_cmu_us_slt_arctic_hts)",
        str(text_file),
        "-o",
        str(out),
    ]


def _flite(text_file: Path, out: Path) -> list[str]:
    return ["flite", "-f", str(text_file), "-o", str(out)]


def _espeak(text_file: Path, out: Path) -> list[str]:
    return ["espeak-ng", "-v", "en-us", "-s", "160", "-f", str(text_file), "-w", str(out)]


def _piper(text_file: Path, out: Path) -> list[str]:
    # Piper reads the text on stdin; the file is passed by synthesize() below.
    model = os.environ["GDE_PIPER_MODEL"]
    return [sys.executable, "-m", "piper", "--model", model, "--output_file", str(out)]


ENGINES = {
    "piper": ("piper", _piper),
    "festival": ("text2wave", _festival),
    "flite": ("flite", _flite),
    "espeak-ng": ("espeak-ng", _espeak),
}


@cache
def engine() -> str | None:
    """The voice in use: ``GDE_VOICE`` if set, else the first engine installed."""
    wanted = os.environ.get("GDE_VOICE", "").strip()
    if wanted == "none":
        return None
    if os.environ.get("GDE_PIPER_MODEL") and wanted in ("", "piper"):
        return "piper"
    if wanted:
        if wanted not in ENGINES:
            raise ValueError(f"GDE_VOICE={wanted!r}: choose one of {', '.join(ENGINES)} or none")
        return wanted if shutil.which(ENGINES[wanted][0]) else None
    if shutil.which("text2wave") and _festival_voice_present():
        return "festival"
    for name in ("flite", "espeak-ng"):
        if shutil.which(ENGINES[name][0]):
            return name
    return None


def _festival_voice_present() -> bool:
    return any(Path("/usr/share/festival/voices").glob("*/cmu_us_slt_arctic_hts"))


def wav_duration(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def synthesize(text: str) -> Clip | None:
    """A normalized WAV of ``text`` in the current voice, or None without an engine."""
    voice = engine()
    if voice is None:
        return None
    voice_id = f"{voice}:{os.environ.get('GDE_PIPER_MODEL', '')}" if voice == "piper" else voice
    key = hashlib.sha256(f"{voice_id}\n{text}".encode()).hexdigest()[:20]
    path = CACHE / f"{key}.wav"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            src, raw = Path(tmp) / "line.txt", Path(tmp) / "raw.wav"
            src.write_text(text + "\n")
            subprocess.run(
                ENGINES[voice][1](src, raw),
                input=text.encode() if voice == "piper" else None,
                check=True,
                capture_output=True,
            )
            norm = Path(tmp) / "norm.wav"
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-i",
                    str(raw),
                    "-af",
                    "loudnorm=I=-16:TP=-1.5:LRA=11",
                    "-ar",
                    "48000",
                    "-ac",
                    "1",
                    str(norm),
                ],
                check=True,
                capture_output=True,
            )
            # Rename into place, so a cache entry is never half-written.
            tmp_final = path.with_suffix(".part")
            shutil.move(norm, tmp_final)
            tmp_final.replace(path)
    return Clip(path, wav_duration(path))
