"""The weather regression as sections 7 and 8 draw it.

The raw MSE bowl of ``y = w x + b`` on Seattle temperatures is a narrow trench
(the Hessian's eigenvalues differ about 2,000-fold), so plain gradient descent
crawls. Standardising the input, ``z = (x - mean) / std``, makes the bowl
round without changing the best line: :func:`standardized` builds that
surface with the same SymPy machinery (:func:`surfaces.data.mse`), and
:func:`to_raw` / :func:`to_standard` convert a line between the two sets of
parameters. :class:`WeatherPlot` is the scatter of all days with a line on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from manim import DOWN, LEFT, RIGHT, Axes, Dot, Line, VGroup

from datasets import Dataset, seattle_weather
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.labels import label
from surfaces.data import DataSurface, mse

#: The poor first guess sections 7 and 8 start from, in degrees: y = -0.2 x + 11.5.
START = (-0.2, 11.5)


@dataclass(frozen=True)
class Standardized:
    """The MSE surface over standardised inputs, and how to go back to degrees."""

    surface: DataSurface
    mean: float
    std: float

    @property
    def curvature(self) -> float:
        """The bowl's largest curvature L (Hessian eigenvalue): steps diverge past 2 / L."""
        return float(np.linalg.eigvalsh(self.surface.hess(np.zeros(2)))[-1])

    def to_raw(self, p: np.ndarray) -> np.ndarray:
        """``(w', b')`` of ``y = w' z + b'`` as ``(w, b)`` of ``y = w x + b``; ``(..., 2)``."""
        p = np.asarray(p, dtype=float)
        w = p[..., 0] / self.std
        return np.stack([w, p[..., 1] - w * self.mean], axis=-1)

    def to_standard(self, p: np.ndarray) -> np.ndarray:
        """The inverse of :meth:`to_raw`."""
        p = np.asarray(p, dtype=float)
        return np.stack([p[..., 0] * self.std, p[..., 1] + p[..., 0] * self.mean], axis=-1)


@cache
def standardized() -> Standardized:
    """The weather MSE with today's temperature standardised (mean 0, spread 1)."""
    data = seattle_weather()
    mean, std = float(data.x.mean()), float(data.x.std())
    z = Dataset(
        x=(data.x - mean) / std,
        y=data.y,
        source=data.source,
        x_label="today's max temperature, standardised",
        y_label=data.y_label,
    )
    return Standardized(mse(z), mean, std)


def condition_number(surface: DataSurface) -> float:
    """Largest over smallest eigenvalue of the (constant) Hessian: how elongated the bowl is."""
    ev = np.linalg.eigvalsh(surface.hess(np.zeros(2)))
    return float(ev[-1] / ev[0])


class WeatherPlot(VGroup):
    """Every day as a dot, today's high against tomorrow's, on labelled axes.

    ``line(w, b)`` draws ``y = w x + b`` across the plot, clipped to it.
    """

    X_RANGE = (-5.0, 40.0)
    Y_RANGE = (-5.0, 40.0)

    def __init__(
        self,
        x_length: float = 5.6,
        y_length: float = 5.0,
        dot_radius: float = 0.027,
        font_size: int = 18,
        **kwargs,
    ):
        super().__init__(**kwargs)
        data = seattle_weather()
        self.data = data
        self.axes = Axes(
            x_range=[*self.X_RANGE, 10],
            y_range=[*self.Y_RANGE, 10],
            x_length=x_length,
            y_length=y_length,
            tips=False,
            axis_config={"color": style.MUTED, "font_size": font_size, "stroke_width": 1.5},
            x_axis_config={"numbers_to_include": [0, 10, 20, 30]},
            y_axis_config={"numbers_to_include": [0, 10, 20, 30]},
        )
        self.x_label = label("today's high (°C)", size=font_size, color=style.MUTED)
        self.x_label.next_to(self.axes.x_axis, DOWN, buff=0.35).align_to(self.axes, LEFT)
        self.x_label.shift(RIGHT * self.axes.x_length * 0.45)
        self.y_label = label("tomorrow's high (°C)", size=font_size, color=style.MUTED)
        self.y_label.rotate(np.pi / 2).next_to(self.axes.y_axis, LEFT, buff=0.4)
        pts = axes_points(self.axes, data.x, data.y)
        self.dots = VGroup(
            *[
                Dot(p, radius=dot_radius, color=style.OPTIMIZER_COLORS["gd"], fill_opacity=0.6)
                for p in pts
            ]
        )
        self.add(self.axes, self.x_label, self.y_label, self.dots)

    def line(self, w: float, b: float, color=style.ACCENT, stroke_width: float = 4) -> Line:
        """``y = w x + b`` between where it enters and leaves the plot."""
        (x0, x1), (y0, y1) = self.X_RANGE, self.Y_RANGE
        xs = np.linspace(x0, x1, 400)
        ys = w * xs + b
        inside = (ys >= y0) & (ys <= y1)
        if not inside.any():
            xs, ys = np.array([x0, x1]), np.clip(np.array([w * x0 + b, w * x1 + b]), y0, y1)
        else:
            xs, ys = xs[inside][[0, -1]], ys[inside][[0, -1]]
        a, c = axes_points(self.axes, xs, ys)
        return Line(a, c, color=color, stroke_width=stroke_width)
