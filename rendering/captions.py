"""The film's captions, joined from its scenes' (read and written with the ``srt`` package)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction

import srt

from rendering.times import to_ms


def _at(ms: int) -> timedelta:
    return timedelta(milliseconds=ms)


def join_captions(srts: Sequence[str], lengths: Sequence[Fraction]) -> str:
    """The film's captions: each scene's shifted by its start, clipped to its end, renumbered.

    Parameters
    ----------
    srts : sequence of str
        Each scene's captions as SRT text, in film order.
    lengths : sequence of Fraction
        Each scene's length in seconds.

    Returns
    -------
    str
        SRT text in which no cue overlaps the next (a cue ends when the next begins).
    """
    cues: list[srt.Subtitle] = []
    offset = Fraction(0)
    for text, length in zip(srts, lengths, strict=True):
        start, end = _at(to_ms(offset)), _at(to_ms(offset + length))
        for cue in sorted(srt.parse(text), key=lambda c: (c.start, c.end)):
            begin, stop = start + cue.start, min(start + cue.end, end)
            if begin < stop and cue.content.strip():
                cues.append(srt.Subtitle(0, begin, stop, cue.content.strip()))
        offset += length
    tidy = []
    for i, cue in enumerate(cues):
        if i + 1 < len(cues):
            cue.end = min(cue.end, cues[i + 1].start)
        if cue.start < cue.end:
            tidy.append(cue)
    return srt.compose(tidy, reindex=True, start_index=1)
