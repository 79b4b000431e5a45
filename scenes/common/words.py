"""Spoken words and their times: what a voice's alignment gives, or an estimate from the text.

A :class:`Word` is one whitespace-separated word of a narration line (punctuation kept),
with when it is said, in seconds from the start of its line. Piper reports real times
(:mod:`scenes.common.piper_voice`); the other voices do not, so :func:`estimate_word_times`
spreads the words over the spoken length and the same scene code renders everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass


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


def estimate_word_times(text: str, spoken: float) -> list[Word]:
    """Word times spread over ``spoken`` seconds by length, punctuation as short pauses.

    Used when the voice gives no alignment (festival, flite, espeak-ng, silent),
    so scene code with word cues renders the same everywhere.
    """
    words = text.split()
    if not words:
        return []
    weights = []
    for w in words:
        pause = 2.0 if w[-1] in ".?!" else 1.0 if w[-1] in ",;:" else 0.0
        weights.append((len(normalize(w)) + 2.0, pause))
    total = sum(a + b for a, b in weights)
    scale = spoken / total
    out, t = [], 0.0
    for w, (length, pause) in zip(words, weights, strict=True):
        out.append(Word(w, t, t + length * scale))
        t += (length + pause) * scale
    return out


def scaled(words: list[Word], factor: float) -> list[Word]:
    """The same words with every time multiplied by ``factor`` (a clip resampled or trimmed)."""
    return [Word(w.text, w.start * factor, w.end * factor) for w in words]
