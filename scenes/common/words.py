"""Spoken words and their times: what a voice's alignment gives, or an estimate from the text.

A :class:`Word` is one whitespace-separated word of a narration line (punctuation kept),
with when it is said, in seconds from the start of its line. Piper reports real times
(:mod:`scenes.common.piper_voice`); the other voices do not, so :func:`estimate_word_times`
spreads the words over the spoken length and the same scene code renders everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "- - twenty thirty forty fifty sixty seventy eighty ninety".split()
_LARGE = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
#: A number as the narration writes it: 7, 1460, 1,460, 0.75.
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Word:
    """A spoken word and when it is said, in seconds from the start of its beat."""

    text: str
    start: float
    end: float

    @property
    def key(self) -> str:
        """The word as cues name it: lower case, without punctuation."""
        return normalize(self.text)


def normalize(word: str) -> str:
    """A word as cues name it: lower case, letters, digits, inner apostrophes and hyphens."""
    return "".join(c for c in word.lower() if c.isalnum() or c in "'-").strip("'-")


def _integer(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else "")
    if n < 1000:
        return f"{_ONES[n // 100]} hundred" + (f" {_integer(n % 100)}" if n % 100 else "")
    size, name = next((size, name) for size, name in _LARGE if n >= size)
    return f"{_integer(n // size)} {name}" + (f" {_integer(n % size)}" if n % size else "")


def spoken(word: str) -> str:
    """``word`` as a voice says it, for estimating how long that takes: a number spelled
    out ("1,460," is "one thousand four hundred sixty", "0.75" "zero point seven five"),
    any other word as written."""
    number = _NUMBER.fullmatch(word.strip(".,;:!?\"'()"))
    if number is None:
        return word
    said = _integer(int(number[1].replace(",", "")))
    if number[2]:
        said += " point " + " ".join(_ONES[int(d)] for d in number[2])
    return said


def estimate_word_times(text: str, seconds: float) -> list[Word]:
    """Word times spread over ``seconds`` by how long each word is to say
    (its letters, a number's spelled out), punctuation as short pauses.

    Used when the voice gives no alignment (festival, flite, espeak-ng, silent),
    so scene code with word cues renders the same everywhere.
    """
    words = text.split()
    if not words:
        return []
    weights = []
    for w in words:
        pause = 2.0 if w[-1] in ".?!" else 1.0 if w[-1] in ",;:" else 0.0
        said = spoken(w).split()
        weights.append((sum(len(normalize(s)) + 2.0 for s in said), pause))
    total = sum(a + b for a, b in weights)
    scale = seconds / total
    out, t = [], 0.0
    for w, (length, pause) in zip(words, weights, strict=True):
        out.append(Word(w, t, t + length * scale))
        t += (length + pause) * scale
    return out


def scaled(words: list[Word], factor: float) -> list[Word]:
    """The same words with every time multiplied by ``factor`` (a clip resampled or trimmed)."""
    return [Word(w.text, w.start * factor, w.end * factor) for w in words]
