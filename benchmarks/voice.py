"""Voice figures: Piper against festival, the pronunciation list, and (given a render's
output folder) whether captions and speech line up.

    .venv/bin/python benchmarks/voice.py                 # speed and phonemes
    .venv/bin/python benchmarks/voice.py build           # ... and the film in build/
    .venv/bin/python benchmarks/voice.py --phonemes      # phonemes only, in a second

Speed: the narration lines of the render given (else those written as plain strings in
scenes/*.py), synthesized into a fresh clip cache with each voice, in one process; wall and CPU seconds (the machine may
be shared), and seconds of speech per second of CPU. Alignment, per rendered scene: the
share of words said while their caption is on screen, and the loudness of the scene's
audio inside words against between sentences (speech where the word times say).
Phonemes: what Piper's phonemizer (espeak-ng, as the voice's config sets it) reads for the
film's hard words, with the pronunciation table applied and without it; a listening proxy
that needs neither the voice model nor any synthesis.
"""

from __future__ import annotations

import argparse
import ast
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import srt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenes.common import piper_voice, pronunciation, speech  # noqa: E402
from scenes.common.words import Word  # noqa: E402

WORDS = ["Rosenbrock", "Rastrigin", "Himmelblau", "Nesterov", "Adam", "alpha", "beta",
         "nabla", "epsilon", "f prime", "f'", "0.01", "2.5", "2D", "3D", "∇f", "1e-05"]  # fmt: skip


def plain_lines(limit: int = 20) -> list[str]:
    """Narration written as plain strings in the scenes, in file order."""
    lines = []
    for path in sorted((ROOT / "scenes").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "narrate":
                if node.args and isinstance(node.args[0], ast.Constant):
                    lines.append(" ".join(str(node.args[0].value).split()))
    return lines[:limit]


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_voice(name: str, lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ.update({speech.VOICE_VAR: name, speech.MODEL_VAR: "", speech.CACHE_VAR: cache})
        speech.current.cache_clear()
        piper_voice.load.cache_clear()
        w0, c0 = time.perf_counter(), cpu()
        clips = [speech.synthesize(line) for line in lines]
        wall, used = time.perf_counter() - w0, cpu() - c0
        spoken = sum(c.duration for c in clips)
        words = sum(len(line.split()) for line in lines)
        print(f"{name:9s} {len(lines)} lines, {spoken:6.1f} s of speech, {words / spoken * 60:4.0f} "
              f"words/min: {wall:6.1f} s wall, {used:6.1f} s CPU, "
              f"{spoken / used:5.1f} s of speech per CPU second")  # fmt: skip


def phonemizer(model: Path):
    """Piper's phonemizer for ``model`` (its ``.json`` config): no ONNX session, nothing
    synthesized."""
    from piper import PiperConfig, PiperVoice

    config = PiperConfig.from_dict(json.loads(Path(f"{model}.json").read_text(encoding="utf-8")))
    return PiperVoice(session=None, config=config)


def phonemes(model: Path | None = None) -> None:
    """Each hard word's phonemes with the table and without it (``*``: the table changes them)."""
    voice = phonemizer(model or piper_voice.bundled_model())

    def read(text: str) -> str:
        return " ".join("".join(s) for s in voice.phonemize(text))

    said = {word: read(pronunciation.respell(word)) for word in WORDS}
    width = max(len(p) for p in said.values()) + 2
    print(f"    {'word':11s} {'with the table':{width}s} without")
    for word in WORDS:
        raw = read(word)
        mark = "*" if said[word] != raw else " "
        print(f"  {mark} {word:11s} {said[word]:{width}s} {raw}")


def scene_audio(mov: Path, rate: int = 16000) -> np.ndarray:
    pcm = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mov), "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
         "-f", "s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(pcm, "<i2").astype(float)


def alignment(out: Path) -> None:
    said = inside = 0
    loud_words, loud_gaps = [], []
    wpm = []
    for entry in sorted((out / "scenes").glob("*-*-*")):
        lines = json.loads((entry / "scene.words.json").read_text() or "[]")
        if not lines:
            continue
        words = [Word(*row) for line in lines for row in line["words"]]
        cues = list(srt.parse((entry / "scene.srt").read_text()))
        for w in words:
            said += 1
            inside += any(
                c.start.total_seconds() - 0.001 <= w.start < c.end.total_seconds() for c in cues
            )
        audio, rate = scene_audio(entry / "scene.mov"), 16000

        def rms(a: float, b: float, audio=audio, rate=rate) -> float:
            part = audio[int(a * rate) : int(b * rate)]
            return float(np.sqrt(np.mean(part**2))) if len(part) else np.nan

        loud_words += [rms(w.start, w.end) for w in words]
        for a, b in itertools.pairwise(words):
            if a.text[-1] in ".?!" and b.start - a.end > 0.15:  # between sentences
                loud_gaps.append(rms(a.end + 0.03, b.start - 0.03))
        for line in lines:
            wpm.append(len(line["words"]) / max(line["end"] - line["start"], 1e-3) * 60)
    print(f"  words said while their caption shows: {inside} of {said}")
    print(f"  loudness (RMS) inside words: median {np.nanmedian(loud_words):.0f}; "
          f"between sentences: median {np.nanmedian(loud_gaps):.0f} "
          f"({len(loud_gaps)} pauses)")  # fmt: skip
    print(f"  pace per line: median {np.median(wpm):.0f} words/min "
          f"(10-90 %: {np.percentile(wpm, 10):.0f}-{np.percentile(wpm, 90):.0f})")  # fmt: skip


def rendered_lines(out: Path) -> list[str]:
    """Every narrated line of a render (f-strings filled in), from its scenes' word files."""
    lines = []
    for entry in sorted((out / "scenes").glob("*-*-*")):
        path = entry / "scene.words.json"
        lines += [line["text"] for line in json.loads(path.read_text() or "[]")]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The voice's speed, phonemes and alignment.")
    parser.add_argument(
        "out",
        nargs="?",
        type=Path,
        help="a render's output folder (build): time its lines, check its film",
    )
    parser.add_argument(
        "--phonemes",
        action="store_true",
        help="only Piper's phonemes for the hard words, with and without the "
        "pronunciation table (no synthesis, no timing)",
    )
    parser.add_argument(
        "--piper-model",
        type=Path,
        default=None,
        metavar="PATH",
        help="phonemes of another Piper voice (default: the bundled one)",
    )
    args = parser.parse_args(argv)
    if not args.phonemes:
        lines = rendered_lines(args.out) if args.out else plain_lines()
        print("synthesis, fresh clip cache (Piper includes loading its model once):")
        for name in ("piper", "festival"):
            time_voice(name, lines)
    print("Piper's phonemes for the film's hard words (*: changed by the pronunciation table):")
    phonemes(args.piper_model)
    if args.out and not args.phonemes:
        print(f"captions and speech in {args.out}:")
        alignment(args.out)


if __name__ == "__main__":
    main()
