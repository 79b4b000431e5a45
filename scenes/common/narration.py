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
from dataclasses import dataclass

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


@dataclass
class Beat:
    """A narrated beat: the text and how long it is spoken."""

    text: str
    duration: float
    start: float
    scene: object

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
        beat = Beat(text, duration, start, self)
        yield beat
        # The voice sets the pace: if the animations were shorter, hold the frame.
        left = duration - beat.elapsed
        if left > 1e-3:
            self.wait(left)
