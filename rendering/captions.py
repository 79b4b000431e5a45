"""The film's captions: the scenes' joined into one SRT, and a word-timed WebVTT.

Read and written with the ``srt`` and ``webvtt-py`` packages. The scenes' captions are
already split the broadcast way (:mod:`rendering.caption_split`, used by the narration),
so the film's SRT and VTT follow the same split.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction

import srt
import webvtt

from rendering.times import to_ms
from scenes.common.words import Word


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


def join_words(scene_lines: Sequence[Sequence[dict]], lengths: Sequence[Fraction]) -> list[Word]:
    """The film's spoken words, from each scene's narrated lines (``Scene.words.json``:
    ``{"text", "start", "end", "words": [[text, start, end], ...]}``), shifted by the
    scene's start; words said after the scene's end are dropped."""
    out: list[Word] = []
    offset = Fraction(0)
    for lines, length in zip(scene_lines, lengths, strict=True):
        for text, start, stop in (row for line in lines for row in line["words"]):
            if start < length:
                out.append(Word(text, float(offset) + start, float(offset + min(stop, length))))
        offset += length
    return out


def _vtt_time(seconds: float) -> str:
    # WebVTT writes SRT's timestamp with a full stop for the comma.
    ms = to_ms(Fraction(seconds).limit_denominator(10**6))
    return srt.timedelta_to_srt_timestamp(_at(ms)).replace(",", ".")


def word_timed_vtt(captions_srt: str, words: Sequence[Word]) -> str:
    """The captions as WebVTT, each word after a caption's first preceded by a timestamp
    tag (``<00:00:01.250>``) at which it is said, for players that highlight the spoken word.

    A caption whose words (by time) do not read as its text keeps its text untagged.
    """
    vtt = webvtt.WebVTT()
    eps = 0.0015  # SRT times are whole milliseconds
    w = 0
    for cue in srt.parse(captions_srt):
        start, stop = cue.start.total_seconds(), cue.end.total_seconds()
        while w < len(words) and words[w].start < start - eps:
            w += 1
        inside = []
        k = w
        while k < len(words) and words[k].start < stop - eps:
            inside.append(words[k])
            k += 1
        lines = cue.content.split("\n")
        if [x.text for x in inside] == " ".join(lines).split():
            tagged, q = [], 0
            for line in lines:
                parts = []
                for token in line.split():
                    word = inside[q]
                    q += 1
                    late = q > 1 and start + eps < word.start < stop - eps
                    parts.append(f"<{_vtt_time(word.start)}>{token}" if late else token)
                tagged.append(" ".join(parts))
            lines = tagged
            w = k
        vtt.captions.append(webvtt.Caption(_vtt_time(start), _vtt_time(stop), lines))
    return vtt.content
