"""Narrated beats: a line of narration sets the run time of the animations under it.

The pattern of manim-voiceover, small and offline::

    with self.narrate("The climber feels the slope under its feet.") as beat:
        self.play(Create(arrows), run_time=beat.duration)

Each beat becomes a subcaption (so the scene's ``.srt`` lines up with the
speech) and, when a speech engine is available, an audio clip placed at the
beat's start. Without an engine the duration is estimated from a natural
speaking rate and the scene renders silent with captions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from scenes.common import speech

#: Narration speed used when no voice sets the timing (words per second, ~155 wpm).
WORDS_PER_SECOND = 2.6
#: Silence after each line, so sentences do not run into each other.
GAP = 0.35


def estimate_duration(text: str) -> float:
    """Seconds a narrator takes to say ``text`` at a natural rate."""
    words = len(text.split())
    # Commas and full stops are short pauses.
    pauses = sum(text.count(c) for c in ",;:") * 0.15 + sum(text.count(c) for c in ".?!") * 0.25
    return max(1.0, words / WORDS_PER_SECOND + pauses)


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


@dataclass
class Beat:
    """A narrated beat: the text, how long it is spoken, and when each word is said."""

    text: str
    duration: float
    start: float
    scene: object
    words: list[Word] = field(default_factory=list)

    def at(self, cue: str, occurrence: int = 1) -> float:
        """Seconds from the beat's start to where ``cue`` (a word or a few) is said.

        Raises ``KeyError`` naming the beat when the narration does not say it,
        so a cue cannot silently drift when the text is edited.
        """
        keys = [normalize(c) for c in cue.split()]
        seen = 0
        for i in range(len(self.words) - len(keys) + 1):
            if [w.key for w in self.words[i : i + len(keys)]] == keys:
                seen += 1
                if seen == occurrence:
                    return self.words[i].start
        raise KeyError(f"cue {cue!r} (#{occurrence}) is not in the narration {self.text[:60]!r}")

    def until(self, cue: str, occurrence: int = 1, minimum: float = 1 / 15) -> float:
        """Seconds from now until ``cue`` is said (at least ``minimum``): a run time
        that makes the next animation start on the word."""
        return max(minimum, self.at(cue, occurrence) - self.elapsed)

    @property
    def elapsed(self) -> float:
        return self.scene.renderer.time - self.start

    def remaining(self, minimum: float = 1 / 15) -> float:
        """Time left in the beat, for a last animation that should end with the line."""
        return max(minimum, self.duration - self.elapsed)


class NarratedScene:
    """Mixin for Manim scenes: ``with self.narrate(text) as beat: ...``.

    Use as ``class Hook(NarratedScene, ThreeDScene)``. The voice comes from
    :mod:`scenes.common.speech`; without one (``GDE_VOICE=none``) the scene is silent.
    """

    @contextmanager
    def narrate(self, text: str) -> Iterator[Beat]:
        text = " ".join(text.split())
        clip = speech.synthesize(text)
        spoken = clip.duration if clip else estimate_duration(text)
        duration = spoken + GAP
        start = self.renderer.time
        self.add_subcaption(text, duration=spoken)
        if clip:
            self.add_sound(str(clip.path))
        beat = Beat(text, duration, start, self, estimate_word_times(text, spoken))
        yield beat
        # The voice sets the pace: if the animations were shorter, hold the frame.
        left = duration - beat.elapsed
        if left > 1e-3:
            self.wait(left)

    def wait_until(self, beat: Beat, cue: str, occurrence: int = 1) -> None:
        """Hold the picture until ``cue`` is said (nothing if it has been said already)."""
        left = beat.at(cue, occurrence) - beat.elapsed
        if left > 1e-3:
            self.wait(left)
