"""Palette and typography: one look for the whole film.

Every optimizer has one colour, used in scenes, captions and figures alike.
"""

from __future__ import annotations

from manim import ManimColor

BACKGROUND = ManimColor("#0E1116")
INK = ManimColor("#E8EAED")  # body text
MUTED = ManimColor("#8A94A6")  # secondary text, axes
ACCENT = ManimColor("#FFD166")  # the climber, highlights
GRADIENT = ManimColor("#EF476F")  # gradient arrows (uphill)
DESCENT = ManimColor("#06D6A0")  # steps downhill, minus the gradient
GOOD, BAD = ManimColor("#06D6A0"), ManimColor("#EF476F")

#: One colour per optimizer, everywhere.
OPTIMIZER_COLORS = {
    "gd": ManimColor("#4CC9F0"),
    "sgd": ManimColor("#F72585"),
    "momentum": ManimColor("#FF9F1C"),
    "nesterov": ManimColor("#FFBF69"),
    "adagrad": ManimColor("#B5179E"),
    "rmsprop": ManimColor("#7209B7"),
    "adam": ManimColor("#80ED99"),
}

#: Learning-rate story colours: too small, too large, just right.
LR_COLORS = {"small": ManimColor("#4CC9F0"), "large": BAD, "right": GOOD}

#: Height colour scale for landscapes, low to high (a dark-to-warm "terrain").
HEIGHT_SCALE = [
    ManimColor(c)
    for c in ("#16213E", "#1F3F6B", "#285E8E", "#3480A6", "#4FA3B3", "#85C4C0", "#C9E8E0")
]
#: The same landscape "in the dark", before the lights come on.
NIGHT_SCALE = [ManimColor(c) for c in ("#0B0F15", "#111822", "#19222F")]
NIGHT_GRID = ManimColor("#2A3648")

FONT = "DejaVu Sans"
TITLE_SIZE = 44
HEADING_SIZE = 34
LABEL_SIZE = 24
SMALL_SIZE = 20
FORMULA_SCALE = 0.8
