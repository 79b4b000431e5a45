"""Narrated beats: a line of narration sets the run time of the animations under it.

The pattern of manim-voiceover, small and offline::

    with self.narrate("The climber feels the slope under its feet.") as beat:
        self.play(Create(arrows), run_time=beat.duration)

Each beat becomes subcaptions, split as broadcasters split captions and timed by
its words (so the scene's ``.srt`` lines up with the speech), and, when a speech
engine is available, an audio clip placed at the beat's start. Without an engine
the duration is estimated from a natural speaking rate and the scene renders
silent with captions.

Word cues (``beat.at("momentum")``, ``self.wait_until(beat, "momentum")``) use the
times Piper reports for each word, or times estimated from the text for the other
voices, so the same scene code renders everywhere. The scene's words, timed from its
start, are written beside its video as ``Scene.words.json`` for the film's word-timed
WebVTT.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rendering.caption_split import split_captions
from rendering.files import write_atomic
from scenes.common import speech
from scenes.common.words import Word, estimate_word_times, normalize, spoken

__all__ = ["GAP", "Beat", "NarratedScene", "Word", "estimate_duration", "estimate_word_times"]

#: Narration speed used when no voice sets the timing (words per second, ~155 wpm).
WORDS_PER_SECOND = 2.6
#: Silence after each line, so sentences do not run into each other.
GAP = 0.35


def estimate_duration(text: str) -> float:
    """Seconds a narrator takes to say ``text`` at a natural rate (numbers as said:
    "1,460" is four words)."""
    words = sum(len(spoken(w).split()) for w in text.split())
    # Commas and full stops are short pauses.
    pauses = sum(text.count(c) for c in ",;:") * 0.15 + sum(text.count(c) for c in ".?!") * 0.25
    return max(1.0, words / WORDS_PER_SECOND + pauses)


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
        """Speak ``text`` while the block's animations play; hold the frame until it ends."""
        text = " ".join(text.split())
        clip = speech.synthesize(text)
        spoken = clip.duration if clip else estimate_duration(text)
        duration = spoken + GAP
        start = self.renderer.time
        words = list(clip.words) if clip and clip.words else estimate_word_times(text, spoken)
        for caption in split_captions(words, end=spoken):
            self.add_subcaption(
                caption.text, duration=caption.end - caption.start, offset=caption.start
            )
        if clip:
            self.add_sound(str(clip.path))
        self.narrated_lines().append(
            {
                "text": text,
                "start": round(start, 4),
                "end": round(start + spoken, 4),
                "words": [
                    [w.text, round(start + w.start, 4), round(start + w.end, 4)] for w in words
                ],
            }
        )
        beat = Beat(text, duration, start, self, words)
        yield beat
        # The voice sets the pace: if the animations were shorter, hold the frame.
        left = duration - beat.elapsed
        if left > 1e-3:
            self.wait(left)

    def narrated_lines(self) -> list[dict]:
        """The lines narrated so far, as ``Scene.words.json`` holds them: each line's
        ``text``, when its speech starts and ends (``start``, ``end``), and its ``words``
        as ``[text, start, end]``, in seconds from the scene's start."""
        if not hasattr(self, "narrated"):
            self.narrated: list[dict] = []
        return self.narrated

    def tear_down(self) -> None:
        """Write the scene's words beside its captions (``Scene.words.json``), for the VTT."""
        super().tear_down()
        plan = getattr(self.renderer.file_writer, "output_plan", None)
        srt_file = getattr(plan, "subcaption_file", None)
        if srt_file is not None and self.narrated_lines():
            srt_file.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(srt_file.with_suffix(".words.json"), json.dumps(self.narrated_lines()))

    def wait_until(self, beat: Beat, cue: str, occurrence: int = 1) -> None:
        """Hold the picture until ``cue`` is said (nothing if it has been said already),
        to within a frame: Manim holds a still picture for whole frames, rounded down."""
        left = beat.at(cue, occurrence) - beat.elapsed
        if left > 1e-3:
            self.wait(left)
