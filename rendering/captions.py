"""Captions: SRT parsing and formatting, and the film's captions joined from its scenes'."""

from __future__ import annotations

import re
from collections.abc import Sequence
from fractions import Fraction


def _ms(t: Fraction | float) -> int:
    return round(Fraction(t) * 1000)


_SRT_TIME = re.compile(
    r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
)


def parse_srt(text: str) -> list[tuple[int, int, str]]:
    """SRT text -> [(start_ms, end_ms, text)]."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = _SRT_TIME.search(line)
            if m:
                g = [int(x) for x in m.groups()]
                start = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + int(m[4].ljust(3, "0"))
                end = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + int(m[8].ljust(3, "0"))
                body = "\n".join(lines[i + 1 :]).strip()
                if body:
                    cues.append((start, end, body))
                break
    return cues


def srt_time(ms: int) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def format_srt(cues: Sequence[tuple[int, int, str]]) -> str:
    return "".join(
        f"{i}\n{srt_time(s)} --> {srt_time(e)}\n{t}\n\n" for i, (s, e, t) in enumerate(cues, 1)
    )


def join_captions(srts: Sequence[str], lengths: Sequence[Fraction]) -> str:
    """The film's captions: each scene's shifted by its start, clipped to its end, renumbered."""
    cues: list[tuple[int, int, str]] = []
    offset = Fraction(0)
    for text, length in zip(srts, lengths, strict=True):
        start_ms, end_ms = _ms(offset), _ms(offset + length)
        for s, e, body in sorted(parse_srt(text)):
            s, e = start_ms + s, min(start_ms + e, end_ms)
            if s < e:
                cues.append((s, e, body))
        offset += length
    # No overlaps: a cue ends when the next begins.
    tidy = []
    for i, (s, e, body) in enumerate(cues):
        if i + 1 < len(cues):
            e = min(e, cues[i + 1][0])
        if s < e:
            tidy.append((s, e, body))
    return format_srt(tidy)
