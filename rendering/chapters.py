"""Chapters: one per storyboard section, as ffmetadata and as a video description."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from rendering.times import clock, to_ms


@dataclass
class Chapter:
    """A chapter of the film: a storyboard section's title and where it starts and ends."""

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
            chapters[-1].end_ms = to_ms(offset)
        else:
            chapters.append(Chapter(entry.section_title, to_ms(start), to_ms(offset)))
        last_section = entry.section
    return chapters


def _ffmeta_escape(text: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def ffmetadata(chapters: Sequence[Chapter], title: str) -> str:
    """ffmpeg's metadata file: the film's title and its chapters in milliseconds."""
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


def chapters_text(chapters: Sequence[Chapter]) -> str:
    """Chapters as a video description lists them: ``0:00 Title`` per line."""
    return "".join(f"{clock(Fraction(c.start_ms, 1000))} {c.title}\n" for c in chapters)
