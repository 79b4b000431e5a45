"""Palette and typography: one look for the whole film.

The colours are :mod:`scenes.palette`'s, as Manim colours; every optimizer has one
colour, used in scenes, captions and figures alike.
"""

from __future__ import annotations

from manim import ManimColor

from scenes import palette

BACKGROUND = ManimColor(palette.BACKGROUND)
INK = ManimColor(palette.INK)
MUTED = ManimColor(palette.MUTED)
ACCENT = ManimColor(palette.ACCENT)
GRADIENT = ManimColor(palette.GRADIENT)
DESCENT = ManimColor(palette.DESCENT)
GOOD, BAD = ManimColor(palette.GOOD), ManimColor(palette.BAD)
OPTIMIZER_COLORS = {name: ManimColor(c) for name, c in palette.OPTIMIZER_COLORS.items()}
LR_COLORS = {name: ManimColor(c) for name, c in palette.LR_COLORS.items()}
HEIGHT_SCALE = [ManimColor(c) for c in palette.HEIGHT_SCALE]
NIGHT_SCALE = [ManimColor(c) for c in palette.NIGHT_SCALE]
NIGHT_GRID = ManimColor(palette.NIGHT_GRID)
#: Small print (settings, fairness lines): between MUTED and INK, readable at 480p.
FOOTNOTE = MUTED.interpolate(INK, 0.55)

FONT = "DejaVu Sans"
TITLE_SIZE = 44
HEADING_SIZE = 34
LABEL_SIZE = 24
FORMULA_SCALE = 0.8
