"""Captions: narration split the way broadcasters do, joined into the film's SRT and WebVTT.

Read and written with the ``srt`` and ``webvtt-py`` packages. :func:`split_captions` cuts
a narration line into captions of at most two lines of 42 characters, each on screen
between one and seven seconds, breaking at sentence and clause boundaries, timed by its
words; the scenes' captions (Manim's subcaptions) and the film's follow that split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


#: Broadcast caption limits: lines per caption, characters per line, seconds on screen.
MAX_LINES, MAX_CHARS = 2, 42
MIN_SECONDS, MAX_SECONDS = 1.0, 7.0
#: Speech a caption may cover: room under MAX_SECONDS for it to stay until the next one.
MAX_SPEECH = 6.5
#: Words a clause often starts with: a caption may end before them.
CLAUSE_WORDS = frozenset(
    "and but or so because which where while when then that whose if as than".split()
)
#: Words a first line should not end on (it would leave them hanging from the second).
WEAK_ENDINGS = frozenset("a an the of to in on at by for with and or its their our your".split())


@dataclass(frozen=True)
class Caption:
    """One caption: its words (with their times), when it shows, and its lines."""

    start: float
    end: float
    words: tuple[Word, ...]

    @property
    def lines(self) -> list[str]:
        """The caption's text wrapped into at most two lines (a longer word stands alone)."""
        return wrap([w.text for w in self.words]) or [" ".join(w.text for w in self.words)]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def wrap(texts: Sequence[str]) -> list[str] | None:
    """``texts`` (words) as one line, or two balanced ones, of at most MAX_CHARS; None if
    they do not fit. Two lines break after punctuation when they can, never after a weak
    word ("the", "of") when they can help it, and lean bottom-heavy.
    """
    one = " ".join(texts)
    if len(one) <= MAX_CHARS:
        return [one]
    best: tuple[float, list[str]] | None = None
    for m in range(1, len(texts)):
        top, bottom = " ".join(texts[:m]), " ".join(texts[m:])
        if len(top) > MAX_CHARS or len(bottom) > MAX_CHARS:
            continue
        cost = abs(len(top) - len(bottom)) + (0.5 if len(top) > len(bottom) else 0.0)
        cost -= 20 if texts[m - 1][-1] in ",;:.?!" else 0
        cost += 10 if texts[m - 1].lower() in WEAK_ENDINGS else 0
        if best is None or cost < best[0]:
            best = (cost, [top, bottom])
    return best[1] if best else None


def _break_score(words: Sequence[Word], k: int) -> int:
    """How good a place it is to end a caption before ``words[k]``: 3 a sentence's end,
    2 a clause's (punctuation), 1 before a clause word, 0 elsewhere."""
    last = words[k - 1].text.rstrip("\"')]")
    if last[-1:] in (".", "?", "!"):
        return 3
    if last[-1:] in (",", ";", ":", "—", "–") or words[k].text in ("—", "–", "-"):
        return 2
    return 1 if words[k].key in CLAUSE_WORDS else 0


def _orphaned(words: Sequence[Word], k: int) -> bool:
    """Ending a caption before ``words[k]`` would leave fewer than four words of the
    sentence (or line) for the next one, or just three: "and how steeply." alone."""
    for m in range(k, min(k + 3, len(words))):
        if words[m].text.rstrip("\"')]")[-1:] in (".", "?", "!"):
            return True
    return len(words) - k < 3


def _fits(words: Sequence[Word]) -> bool:
    return (
        words[-1].end - words[0].start <= MAX_SPEECH and wrap([w.text for w in words]) is not None
    )


def _sentence_inside(words: Sequence[Word], i: int, j: int) -> int:
    """Where the caption ``words[i:j]`` should end: before the next sentence when one
    starts inside it (a second long, at least), unless that sentence starts its second line.
    """
    texts = [w.text for w in words[i:j]]
    for k in range(j - 1, i, -1):
        if _break_score(words, k) == 3 and words[k - 1].end - words[i].start >= MIN_SECONDS:
            lines = wrap(texts) or []
            if len(lines) == 2 and lines[0] == " ".join(texts[: k - i]):
                return j
            return k
    return j


def split_captions(words: Sequence[Word], end: float | None = None) -> list[Caption]:
    """One narration line's words as broadcast captions.

    Each caption holds as many words as fit in two lines of 42 characters and 6.5 s of
    speech, ending at the last sentence end, else clause boundary, inside that span
    (a caption shorter than a second, a clause break in its first 40 %, or one that
    leaves a word or two of the sentence on their own is not worth it). A caption shows from its first word until the next caption starts; the last
    until ``end`` (default: its last word's end), and at least a second.

    Parameters
    ----------
    words : sequence of Word
        The line's words, in order, with their times.
    end : float, optional
        When the line's speech ends.

    Returns
    -------
    list of Caption
    """
    groups: list[Sequence[Word]] = []
    i, n = 0, len(words)
    while i < n:
        j = i + 1
        while j < n and _fits(words[i : j + 1]):
            j += 1
        if j < n:
            best = None
            for k in range(i + 1, j + 1):
                score = _break_score(words, k) if k < j else 0
                if score < 3 and _orphaned(words, k):
                    score = -1
                long_enough = words[k - 1].end - words[i].start >= MIN_SECONDS
                if score < 3 and (k - i) * 5 < (j - i) * 2:
                    score = 0
                if long_enough and (best is None or (score, k) > best):
                    best = (score, k)
            j = best[1] if best else j
        j = _sentence_inside(words, i, j)
        groups.append(words[i:j])
        i = j
    out = []
    for g, group in enumerate(groups):
        start = group[0].start
        if g + 1 < len(groups):
            stop = groups[g + 1][0].start
        else:
            stop = max(group[-1].end, end if end is not None else group[-1].end)
        stop = min(max(stop, start + MIN_SECONDS), start + MAX_SECONDS)
        if g + 1 < len(groups):  # never over the next caption, even for very fast speech
            stop = min(stop, groups[g + 1][0].start)
        out.append(Caption(start, stop, tuple(group)))
    return out


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
