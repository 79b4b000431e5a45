"""The film's colours as hex strings: one palette for scenes, captions and figures.

Plain Python, so matplotlib figures (``assets/figures.py``) use it without Manim;
:mod:`scenes.common.style` turns it into Manim colours.
"""

from __future__ import annotations

BACKGROUND = "#0E1116"
PANEL = "#161B22"  # figure and inset backgrounds, a step above the background
PANEL_GRID = "#222A35"
INK = "#E8EAED"  # body text
MUTED = "#8A94A6"  # secondary text, axes
ACCENT = "#FFD166"  # the climber, highlights
GRADIENT = "#EF476F"  # gradient arrows (uphill)
DESCENT = "#06D6A0"  # steps downhill, minus the gradient
GOOD, BAD = "#06D6A0", "#EF476F"

#: One colour per optimizer, everywhere.
OPTIMIZER_COLORS = {
    "gd": "#4CC9F0",
    "sgd": "#F72585",
    "momentum": "#FF9F1C",
    "nesterov": "#FFBF69",
    "adagrad": "#B5179E",
    "rmsprop": "#7209B7",
    "adam": "#80ED99",
    "newton": "#F8F9FA",
    # Drawn on one narrow valley beside gd's cyan and Newton's white: far apart from both.
    "lbfgs": ACCENT,
    "nelder-mead": BAD,
}

#: Learning-rate story colours: too small, too large, just right.
LR_COLORS = {"small": "#4CC9F0", "large": BAD, "right": GOOD}

#: Height colour scale for landscapes, low to high (a dark-to-warm "terrain").
HEIGHT_SCALE = ["#16213E", "#1F3F6B", "#285E8E", "#3480A6", "#4FA3B3", "#85C4C0", "#C9E8E0"]
#: The same landscape "in the dark", before the lights come on: blue-grey faces a few
#: steps above the background, legible at 480p, and a grid line that traces the shape.
NIGHT_SCALE = ["#16202E", "#22324A", "#34496A"]
NIGHT_GRID = "#5A7399"
