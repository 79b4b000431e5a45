"""Landscapes: a ``surfaces`` entry drawn as a 3D terrain or a 2D contour map.

Both map surface coordinates to scene points the same way for a whole array
of points (``(..., 2)`` in, ``(..., 3)`` out), so trajectories from ``optim``
can be drawn on either view without the scene doing any geometry.
"""

from __future__ import annotations

from collections.abc import Sequence

import contourpy
import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    MathTex,
    Surface,
    ThreeDAxes,
    VGroup,
    VMobject,
    interpolate_color,
)

from scenes.common import style
from scenes.common.charts import axes_points
from surfaces import Surface as LossSurface


def _height_transform(kind: str, scale: float = 1.0):
    """Display height from loss: ``"linear"``, or ``"log"``: ``log(1 + f / scale)``.

    A larger ``scale`` keeps the bottom of each basin round (quadratic) while
    still taming tall peaks.
    """
    if kind == "log":
        return lambda z: np.log1p(np.asarray(z) / scale)
    if kind == "linear":
        return lambda z: z
    raise ValueError(f"heights must be 'linear' or 'log', not {kind!r}")


#: A camera that shows each surface's character (phi, theta in degrees). The paths
#: drawn over a terrain are never hidden by it, so a view must keep them on faces
#: turned toward the camera: the saddle is seen from -y, where it falls toward us,
#: and the plateau from high up, so its basin is not behind its rim.
CAMERAS = {
    "rosenbrock": (55, -120),
    "rastrigin": (52, -60),
    "saddle": (62, -80),
    "monkey_saddle": (60, -60),
    "himmelblau": (62, -110),
    "plateau": (42, -60),
    "mse": (60, -50),
}


def default_camera(surface: LossSurface) -> tuple[float, float]:
    """``(phi, theta)`` in degrees for viewing ``surface`` (a generic 3/4 view otherwise)."""
    return CAMERAS.get(surface.name, (60, -60))


def contour_lines(
    surface: LossSurface,
    to_scene,
    levels: int,
    transform,
    domain,
    colors: Sequence = style.HEIGHT_SCALE,
    grid: int = 160,
    stroke_width: float = 2.0,
    z_range: tuple[float, float] | None = None,
) -> VGroup:
    """Level curves of ``surface`` (evenly spaced in display height), placed by ``to_scene``."""
    (x0, x1), (y0, y1) = domain
    xs, ys = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    z = transform(surface(np.stack([xs, ys], axis=-1)))
    lo, hi = (
        (float(transform(z_range[0])), float(transform(z_range[1])))
        if z_range
        else (float(z.min()), float(np.percentile(z, 97)))
    )
    gen = contourpy.contour_generator(xs, ys, z)
    lines = VGroup()
    for k, level in enumerate(np.linspace(lo, hi, levels + 2)[1:-1]):
        a = k / max(levels - 1, 1) * (len(colors) - 1)
        i = min(int(a), len(colors) - 2)
        color = interpolate_color(colors[i], colors[i + 1], a - i)
        for seg in gen.lines(level):
            if len(seg) < 2:
                continue
            line = VMobject(stroke_color=color, stroke_width=stroke_width, fill_opacity=0)
            # A dense grid makes the polyline smooth; no spline needed.
            line.set_points_as_corners(to_scene(seg))
            lines.add(line)
    return lines


class StillSurface(Surface):
    """A Surface whose faces never change by themselves.

    Every frame, Manim walks each mobject's family calling ``update``; a terrain's
    thousands of faces have no updaters, and walking them took about a quarter of a 3D
    scene's render time (cProfile of OptimizerRace at 1080p60).
    """

    def update(self, dt: float = 0, recursive: bool = True):
        if self.updaters:
            return super().update(dt, recursive)
        return self


class Landscape(VGroup):
    """A loss surface as a coloured 3D terrain over labelled axes.

    Parameters
    ----------
    surface
        The :class:`surfaces.Surface` to draw.
    resolution
        Faces per side of the mesh (Cairo's cost grows with its square).
    heights, log_scale
        ``"linear"``, or ``"log"`` for ``log(1 + f / log_scale)``, for surfaces like
        Rosenbrock whose values span orders of magnitude.
    z_range
        Loss values to map to the vertical extent; defaults to the surface's.
    colors
        Height colour scale, low to high.
    floor_contours
        Number of level curves drawn on the floor under the terrain (0: none).
    axis_labels
        Labels for the three axes, e.g. ``("x", "y", "f")``; shown with the axes.
    """

    def __init__(
        self,
        surface: LossSurface,
        resolution: int = 32,
        heights: str = "linear",
        log_scale: float = 1.0,
        z_range: tuple[float, float] | None = None,
        x_length: float = 7.0,
        y_length: float = 7.0,
        z_length: float = 3.0,
        colors: Sequence[str] = style.HEIGHT_SCALE,
        opacity: float = 0.9,
        grid_color=None,
        show_axes: bool = True,
        domain: tuple[tuple[float, float], tuple[float, float]] | None = None,
        floor_contours: int = 0,
        axis_labels: tuple[str, str, str] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.surface = surface
        self.transform = _height_transform(heights, log_scale)
        (x0, x1), (y0, y1) = domain or surface.domain
        lo, hi = z_range or surface.height_range
        self.z_lo, self.z_hi = float(self.transform(lo)), float(self.transform(hi))
        self.axes = ThreeDAxes(
            x_range=[x0, x1, (x1 - x0) / 4],
            y_range=[y0, y1, (y1 - y0) / 4],
            z_range=[self.z_lo, self.z_hi, (self.z_hi - self.z_lo) / 4],
            x_length=x_length,
            y_length=y_length,
            z_length=z_length,
            axis_config={"color": style.MUTED, "stroke_width": 1.5, "include_ticks": False},
            tips=False,
        )
        basis = self._basis()  # fixed while the mesh is built; c2p per vertex is slow
        self.mesh = StillSurface(
            lambda u, v: self._place(basis, u, v, self.height(np.array([u, v]))),
            u_range=[x0, x1],
            v_range=[y0, y1],
            resolution=(resolution, resolution),
            fill_opacity=opacity,
            stroke_width=0.5,
            stroke_color=grid_color or style.BACKGROUND,
            checkerboard_colors=False,
        )
        self.color_by_height(colors)
        # The axes always belong to the group, so shifting the landscape moves the
        # coordinate mapping with it; hidden axes are merely transparent.
        if not show_axes:
            self.axes.set_stroke(opacity=0)
        self.floor = VGroup()
        if floor_contours:
            self.floor = contour_lines(
                surface,
                lambda p: self._place(basis, p[..., 0], p[..., 1], self.z_lo),
                floor_contours,
                self.transform,
                domain or surface.domain,
                colors=colors,
                stroke_width=1.5,
                z_range=z_range,
            )
        self.add(self.floor, self.mesh, self.axes)
        if show_axes and axis_labels:
            self.labels = self.axes.get_axis_labels(
                *[MathTex(t, color=style.MUTED).scale(0.7) for t in axis_labels]
            )
            self.add(self.labels)

    def color_by_height(self, colors: Sequence[str]) -> Landscape:
        """Colour each face by its height, ``colors[0]`` at the bottom."""
        n = len(colors) - 1
        z0, z1 = self.axes.c2p(0, 0, self.z_lo)[2], self.axes.c2p(0, 0, self.z_hi)[2]
        for face in self.mesh:
            a = np.clip((face.get_center()[2] - z0) / (z1 - z0), 0, 1) * n
            k = min(int(a), n - 1)
            face.set_fill(interpolate_color(colors[k], colors[k + 1], a - k))
        return self

    def height(self, p: np.ndarray) -> np.ndarray:
        """Display height (in axis units) of the surface at ``p`` ``(..., 2)``."""
        z = self.transform(self.surface(p))
        return np.clip(z, self.z_lo, self.z_hi)

    def to_scene(self, p: np.ndarray, lift: float = 0.0) -> np.ndarray:
        """Scene points on the terrain above surface points ``p`` ``(..., 2)``; ``(..., 3)``."""
        p = np.asarray(p, dtype=float)
        return self.axes_point(p[..., 0], p[..., 1], self.height(p)) + lift * np.array([0, 0, 1.0])

    def _basis(self) -> tuple[np.ndarray, ...]:
        origin = self.axes.c2p(0, 0, 0)
        return (
            origin,
            self.axes.c2p(1, 0, 0) - origin,
            self.axes.c2p(0, 1, 0) - origin,
            self.axes.c2p(0, 0, 1) - origin,
        )

    @staticmethod
    def _place(basis, x, y, z) -> np.ndarray:
        origin, ex, ey, ez = basis
        x, y, z = np.broadcast_arrays(x, y, z)
        return origin + x[..., None] * ex + y[..., None] * ey + z[..., None] * ez

    def axes_point(self, x, y, z) -> np.ndarray:
        """Vectorized ``axes.c2p``: arrays of coordinates to ``(..., 3)`` scene points.

        The basis is read from the axes on every call, so it follows the
        landscape wherever it has been moved.
        """
        return self._place(self._basis(), x, y, z)


class ContourMap(VGroup):
    """A loss surface seen from above: level curves coloured by height, over 2D axes.

    Levels are spaced evenly in the display height (linear or log), so a
    surface like Rosenbrock shows its valley rather than one ring per hundred.
    """

    def __init__(
        self,
        surface: LossSurface,
        levels: int = 14,
        heights: str = "linear",
        log_scale: float = 1.0,
        x_length: float = 6.0,
        y_length: float = 6.0,
        colors: Sequence[str] = style.HEIGHT_SCALE,
        grid: int = 160,
        stroke_width: float = 2.0,
        domain: tuple[tuple[float, float], tuple[float, float]] | None = None,
        axis_labels: tuple[str, str] | None = None,
        z_range: tuple[float, float] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.surface = surface
        transform = _height_transform(heights, log_scale)
        (x0, x1), (y0, y1) = domain or surface.domain
        self.axes = Axes(
            x_range=[x0, x1, (x1 - x0) / 4],
            y_range=[y0, y1, (y1 - y0) / 4],
            x_length=x_length,
            y_length=y_length,
            axis_config={"color": style.MUTED, "stroke_width": 1.5, "include_ticks": False},
            tips=False,
        )
        self.lines = contour_lines(
            surface,
            self.to_scene,
            levels,
            transform,
            ((x0, x1), (y0, y1)),
            colors=colors,
            grid=grid,
            stroke_width=stroke_width,
            z_range=z_range,
        )
        self.add(self.lines, self.axes)
        if axis_labels:
            xl = MathTex(axis_labels[0], color=style.MUTED).scale(0.7)
            yl = MathTex(axis_labels[1], color=style.MUTED).scale(0.7)
            xl.next_to(self.axes.x_axis, DOWN, buff=0.15).align_to(self.axes.x_axis, RIGHT)
            yl.next_to(self.axes.y_axis, LEFT, buff=0.15).align_to(self.axes.y_axis, UP)
            self.add(xl, yl)

    def to_scene(self, p: np.ndarray) -> np.ndarray:
        """Scene points for surface points ``p`` ``(..., 2)``; ``(..., 3)``."""
        p = np.asarray(p, dtype=float)
        return axes_points(self.axes, p[..., 0], p[..., 1])
