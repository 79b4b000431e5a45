"""Narration split into captions the way broadcasters do.

At most two lines of at most 42 characters, each caption on screen between one and seven
seconds, broken at sentence ends, then clause boundaries, timed from the words' times.
The narration (:mod:`scenes.common.narration`) makes each scene's subcaptions with
:func:`split_captions`; the film's SRT and WebVTT (:mod:`rendering.captions`) join those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scenes.common.words import Word

#: Broadcast caption limits: characters per line (of two at most), seconds on screen.
MAX_CHARS = 42
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
