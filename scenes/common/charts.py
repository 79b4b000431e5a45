"""Small live charts (a value against the step) and vectorized axis mapping."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Axes, ValueTracker, VGroup, VMobject, always_redraw

from scenes.common import style
from scenes.common.labels import label


def axes_points(axes: Axes, x, y) -> np.ndarray:
    """``axes.c2p`` for whole arrays at once: ``(n, 3)`` scene points.

    ``Axes.c2p`` maps one point per call; a chart redrawn every frame with
    hundreds of points spends most of its time there.
    """
    origin = axes.c2p(0, 0)
    ex, ey = axes.c2p(1, 0) - origin, axes.c2p(0, 1) - origin
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return origin + x[..., None] * ex + y[..., None] * ey


def live_chart(
    values: np.ndarray,
    tracker: ValueTracker,
    x_length: float = 3.6,
    y_length: float = 1.8,
    color=style.ACCENT,
    y_label: str = "",
    x_label: str = "step",
) -> tuple[VGroup, Axes]:
    """A chart of ``values`` against step, drawn up to ``tracker``'s (integer) step."""
    n = len(values) - 1
    top = float(np.max(values)) * 1.1 or 1.0
    axes = Axes(
        x_range=[0, n, max(n // 4, 1)],
        y_range=[0, top, top / 2],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": style.MUTED, "include_tip": False, "include_ticks": False},
    )
    ylab = label(y_label, color=style.MUTED, size=18).next_to(axes, UP, buff=0.08)
    xlab = label(x_label, color=style.MUTED, size=18).next_to(axes, DOWN, buff=0.08)
    ylab.align_to(axes, LEFT)
    xlab.align_to(axes, RIGHT)
    steps = np.arange(n + 1)

    def curve() -> VMobject:
        # Mapped on every redraw, so the curve follows the chart wherever it is moved.
        k = int(np.clip(tracker.get_value(), 1, n))
        pts = axes_points(axes, steps[: k + 1], values[: k + 1])
        return VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(pts)

    return VGroup(axes, ylab, xlab, always_redraw(curve)), axes
