"""Chapters: one per storyboard section, as ffmetadata and as a video description."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rendering.captions import _ms


@dataclass
class Chapter:
    title: str
    start_ms: int
    end_ms: int


def chapters_for(entries: Sequence[Any], lengths: Sequence[Fraction]) -> list[Chapter]:
    """One chapter per storyboard section; consecutive scenes of a section merge."""
    chapters: list[Chapter] = []
    offset = Fraction(0)
    last_section = object()
    for entry, length in zip(entries, lengths, strict=True):
        start, offset = offset, offset + length
        if chapters and entry.section == last_section:
            chapters[-1].end_ms = _ms(offset)
        else:
            chapters.append(Chapter(entry.section_title, _ms(start), _ms(offset)))
        last_section = entry.section
    return chapters


def _ffmeta_escape(text: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def ffmetadata(chapters: Sequence[Chapter], title: str) -> str:
    lines = [";FFMETADATA1", f"title={_ffmeta_escape(title)}", ""]
    for c in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={c.start_ms}",
            f"END={c.end_ms}",
            f"title={_ffmeta_escape(c.title)}",
            "",
        ]
    return "\n".join(lines)


def youtube_timestamp(ms: int) -> str:
    """``0:05``, ``12:34``, ``1:02:03``: as a video description shows chapters."""
    s = ms // 1000
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def chapters_text(chapters: Sequence[Chapter]) -> str:
    return "".join(f"{youtube_timestamp(c.start_ms)} {c.title}\n" for c in chapters)
