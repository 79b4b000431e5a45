"""What became of one scene in a run: shown while running, summed up, reported."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass
class Outcome:
    """One scene's result: its status, length, render time, error, sound and host."""

    entry: Any
    status: str  # rendered | cached | failed | missing | interrupted | pending
    seconds: Fraction | None = None
    render_time: float | None = None
    error: str = ""
    had_audio: bool = False
    host: str = ""
