"""Times as people read them, and as milliseconds."""

from __future__ import annotations

import math
from fractions import Fraction


def to_ms(seconds: Fraction | float) -> int:
    """Seconds to whole milliseconds, rounded."""
    return round(Fraction(seconds) * 1000)


def clock(seconds: Fraction | float | None, digits: int = 0) -> str:
    """``0:05``, ``12:34.5``, ``1:02:03``: minutes and seconds, hours only when there are some.

    Parameters
    ----------
    seconds : Fraction, float or None
        The time; None reads as a dash.
    digits : int
        Decimals of the seconds. They are cut, not rounded, so a time never reads as later
        than it is (a chapter at 5.999 s starts at ``0:05``, as video sites show it).
    """
    if seconds is None:
        return "–"
    scale = 10**digits
    units = math.floor(Fraction(seconds) * scale)
    whole, frac = divmod(units, scale)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    sec = f"{s:02d}" + (f".{frac:0{digits}d}" if digits else "")
    return f"{h}:{m:02d}:{sec}" if h else f"{m}:{sec}"
