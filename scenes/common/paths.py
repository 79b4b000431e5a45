"""Trajectories on screen: a marker walking computed positions, leaving a trail.

The positions come from :func:`optim.run`; a ``to_scene`` function (from a
:class:`~scenes.common.landscape.Landscape` or
:class:`~scenes.common.landscape.ContourMap`) places them. A
:class:`~manim.ValueTracker` holds the (fractional) step, so one animation of
the tracker moves marker, trail and readouts together.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import (
    Arrow,
    Dot,
    Dot3D,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from scenes.common import style

ToScene = Callable[[np.ndarray], np.ndarray]


def interpolate_path(points: np.ndarray, s: float) -> np.ndarray:
    """The point a fraction of the way between step ``floor(s)`` and the next."""
    k = int(np.clip(np.floor(s), 0, len(points) - 1))
    if k >= len(points) - 1:
        return points[-1]
    return points[k] + (s - k) * (points[k + 1] - points[k])


class PathTracer(VGroup):
    """A marker and its trail along ``positions`` (``(T + 1, 2)`` surface coordinates).

    Parameters
    ----------
    positions
        The path, start first, as :attr:`optim.Trajectory.positions` gives it.
    to_scene
        Maps ``(..., 2)`` surface points to ``(..., 3)`` scene points.
    color
        Marker and trail colour (an optimizer's colour, say).
    three_d
        Draw the marker as a small sphere that stays round from any camera angle.
    footprints
        Leave a small dot at every visited position as well as the trail.
    vectors
        Optional ``(T + 1, 2)`` vectors in surface units, one per step (minus the
        gradient, a velocity, the step taken), drawn as an arrow from the marker.
    vector_length
        Draw every vector arrow with this scene length (direction only), for
        vectors whose size would be unreadable; None keeps true proportions.
    vector_max
        Cap on an arrow's length in surface units: a vector of size ``r`` is drawn
        ``vector_max * tanh(r / vector_max)`` long, so short ones keep their true size,
        long ones grow more slowly and none exceeds the cap (direction unchanged).
    vector_bounds
        ``((x0, x1), (y0, y1))``: an arrow that would leave this box is shortened
        (direction unchanged) so that its tip stays inside, on the surface.
    """

    def __init__(
        self,
        positions: np.ndarray,
        to_scene: ToScene,
        color=style.ACCENT,
        radius: float = 0.08,
        stroke_width: float = 3.0,
        three_d: bool = False,
        footprints: bool = False,
        vectors: np.ndarray | None = None,
        vector_color=style.DESCENT,
        vector_length: float | None = None,
        vector_max: float | None = None,
        vector_bounds: tuple[tuple[float, float], tuple[float, float]] | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.positions = np.asarray(positions, dtype=float)
        self.scene_points = to_scene(self.positions)
        self._trail_index = _visible_vertices(self.scene_points)
        self.step = ValueTracker(0)
        if three_d:
            self.marker = Dot3D(radius=radius, color=color, resolution=(8, 8))
            # Drawn after the terrain's faces instead of depth-sorted among them,
            # so the climber is never hidden by the slope it stands on.
            for face in self.marker.family_members_with_points():
                face.shade_in_3d = False
        else:
            self.marker = Dot(radius=radius, color=color)
        self.trail = VMobject(stroke_color=color, stroke_width=stroke_width)
        self.prints = VGroup()
        self.footprints = footprints
        self.color = color
        self.to_scene = to_scene
        self.vectors = None if vectors is None else np.asarray(vectors, dtype=float)
        self.vector_color, self.vector_length = vector_color, vector_length
        self.vector_max, self.vector_bounds = vector_max, vector_bounds
        self.arrow = VGroup()
        self.redraw(self)
        self.add(self.trail, self.prints, self.arrow, self.marker)
        self.add_updater(self.redraw)

    @property
    def n_steps(self) -> int:
        return len(self.positions) - 1

    def current(self) -> np.ndarray:
        """Surface coordinates of the marker now."""
        return interpolate_path(self.positions, self.step.get_value())

    def redraw(self, _mob=None) -> None:
        """Draw the marker, trail, footprints and arrow at the current step (its updater)."""
        s = self.step.get_value()
        k = int(np.clip(np.floor(s), 0, self.n_steps))
        head = interpolate_path(self.scene_points, s)
        idx = self._trail_index[self._trail_index <= k]
        pts = np.vstack([self.scene_points[idx], head[None]])
        if len(pts) >= 2:
            self.trail.set_points_as_corners(pts)
        self.marker.move_to(head)
        if self.vectors is not None:
            self._draw_vector(k, head)
        if self.footprints:
            while len(self.prints) < k + 1:
                i = len(self.prints)
                self.prints.add(
                    Dot(self.scene_points[i], radius=0.035, color=self.color, fill_opacity=0.8)
                )

    def _draw_vector(self, k: int, head: np.ndarray) -> None:
        v = self.vectors[min(k, len(self.vectors) - 1)]
        here = interpolate_path(self.positions, self.step.get_value())
        v = capped_vector(here, v, self.vector_max, self.vector_bounds)
        tip = self.to_scene(here + v) - self.to_scene(here)
        norm = float(np.linalg.norm(tip))
        if norm < 1e-9:
            self.arrow.become(VGroup())
            return
        if self.vector_length is not None:
            tip = tip * self.vector_length / norm
        self.arrow.become(
            Arrow(
                head,
                head + tip,
                buff=0,
                color=self.vector_color,
                stroke_width=4,
                max_tip_length_to_length_ratio=0.3,
            )
        )

    def walk(self, to: float | None = None, run_time: float = 3.0, **kwargs):
        """An animation moving the marker to step ``to`` (default: the end)."""
        target = self.n_steps if to is None else to
        return self.step.animate(
            run_time=run_time, rate_func=kwargs.pop("rate_func", linear)
        ).set_value(target)


def capped_vector(here: np.ndarray, v: np.ndarray, cap=None, bounds=None) -> np.ndarray:
    """``v`` from ``here`` shortened (same direction) to at most ``cap`` and to stay in ``bounds``.

    See :class:`PathTracer`'s ``vector_max`` and ``vector_bounds``.
    """
    v = np.asarray(v, dtype=float)
    r = float(np.linalg.norm(v))
    if r < 1e-12:
        return v
    if cap is not None:
        v = v * (cap * np.tanh(r / cap) / r)
    if bounds is not None:
        t = 1.0
        for c in range(2):
            lo, hi = bounds[c]
            if v[c] > 1e-12:
                t = min(t, max(0.0, (hi - here[c]) / v[c]))
            elif v[c] < -1e-12:
                t = min(t, max(0.0, (lo - here[c]) / v[c]))
        v = v * t
    return v


def _visible_vertices(points: np.ndarray, eps: float = 0.01) -> np.ndarray:
    """Indices of the path vertices worth drawing: each at least ``eps`` from the last kept.

    Thousands of tiny steps along a valley floor look the same as a few dozen
    on screen but cost Cairo a segment each, every frame.
    """
    keep, last = [0], points[0]
    for i in range(1, len(points)):
        if np.linalg.norm(points[i] - last) >= eps:
            keep.append(i)
            last = points[i]
    return np.array(keep)


def step_arrow(start: np.ndarray, end: np.ndarray, color=style.DESCENT, **kwargs) -> Arrow:
    """A straight arrow between two scene points (a step, a gradient)."""
    return Arrow(start, end, buff=0, color=color, stroke_width=4, **kwargs)


class Swarm(VGroup):
    """Many markers walking computed paths at once, each leaving a faint trail.

    ``scene_paths`` is ``(T + 1, n, 3)``: the paths of a vectorized run, already
    placed in the scene (``landscape.to_scene(traj.positions)``). Animate
    :attr:`step` between :meth:`follow` and :meth:`stop`; ``dots[j]`` and
    ``trails[j]`` are run ``j``'s, to recolour one by one.

    Every frame, Cairo strokes each moving trail again and Manim prepares each
    moving mobject, so a hundred trails and markers cost most of a frame.
    :meth:`advance` keeps that down, for scenes that need it:

    - it walks in pieces and freezes the trails walked so far into
      :attr:`history` between them, so each frame strokes only the newest piece.
      Add the swarm as its parts, ``scene.add(*swarm)``, so that Manim keeps what
      is frozen in its cached background;
    - while it walks, all trails are one mobject (:attr:`live`) and all markers
      another (:attr:`cloud`), in the swarm's colour;
    - :meth:`stop` gives each run its own trail and marker back.

    ``max_vertices`` draws each trail through at most this many recorded
    positions, at evenly spaced steps (the same steps for every run; the
    markers still walk every step).
    """

    def __init__(
        self,
        scene_paths: np.ndarray,
        color=style.ACCENT,
        radius: float = 0.05,
        stroke_width: float = 1.2,
        trail_opacity: float = 0.35,
        max_vertices: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.paths = np.asarray(scene_paths, dtype=float)
        last, n = self.paths.shape[0] - 1, self.paths.shape[1]
        budget = last + 1 if max_vertices is None else max(2, min(max_vertices, last + 1))
        #: The steps each trail is drawn through.
        self.vertices = np.unique(np.round(np.linspace(0, last, budget)).astype(int))
        self.since = 0  # the step the live trails start at (what is before is in history)
        self.merged = False
        self.step = ValueTracker(0)
        self.dots = VGroup(*[Dot(radius=radius, color=color) for _ in range(n)])
        self.dot_shape = self.dots[0].points.copy()  # around the origin
        trail_style = dict(stroke_color=color, stroke_width=stroke_width,
                           stroke_opacity=trail_opacity)  # fmt: skip
        self.trails = VGroup(*[VMobject(**trail_style) for _ in range(n)])
        self.history = VGroup()
        self.live = VMobject(**trail_style)
        self.cloud = VMobject(fill_color=color, fill_opacity=1, stroke_width=0)
        self.add(self.history, self.live, self.trails, self.cloud, self.dots)
        self.place()

    def _drawn(self, start: int) -> tuple[np.ndarray, np.ndarray]:
        """The trail vertices from step ``start`` up to the current step, and the heads."""
        s = self.step.get_value()
        i = int(min(s, len(self.paths) - 2))
        head = self.paths[i] + min(s - i, 1.0) * (self.paths[i + 1] - self.paths[i])
        v = self.vertices
        return v[(v >= start) & (v <= i)], head

    def place(self, _mob=None) -> None:
        """Move every marker to the current step and redraw the live trails behind them."""
        idx, head = self._drawn(self.since)
        if self.merged:
            self.live.set_points(_corner_curves(np.vstack([self.paths[idx], head[None]])))
            self.cloud.set_points((head[:, None] + self.dot_shape[None]).reshape(-1, 3))
            return
        for j, (dot, trail) in enumerate(zip(self.dots, self.trails, strict=True)):
            dot.move_to(head[j])
            trail.set_points_as_corners(np.vstack([self.paths[idx, j], head[j][None]]))

    def follow(self) -> None:
        """Keep markers and trails on :attr:`step` while it is animated."""
        # On the first part that moves: Manim redraws each frame a mobject with an
        # updater and everything after it, and keeps what is before it cached.
        first = self.live if self.merged else self.trails
        first.add_updater(self.place)

    def stop(self) -> None:
        """Stop following :attr:`step`; each run has its own trail and marker again."""
        self.live.remove_updater(self.place)
        self.trails.remove_updater(self.place)
        self.merged, self.since = False, 0
        for part in (self.live, self.cloud):
            part.clear_points()
        for dot in self.dots:
            if not dot.has_points():
                dot.set_points(self.dot_shape.copy())
        self.history.remove(*self.history.submobjects)
        self.place()

    def bake(self) -> None:
        """Freeze the trails drawn so far (up to the last vertex passed) into :attr:`history`."""
        idx, _head = self._drawn(self.since)
        if len(idx) < 2:
            return
        self.history.add(
            VMobject().set_points(_corner_curves(self.paths[idx])).match_style(self.live)
        )
        self.since = int(idx[-1])
        self.place()

    def face(self, rotation: np.ndarray) -> Swarm:
        """Draw the markers as discs facing a still camera (``camera.generate_rotation_matrix()``;
        its ``get_rotation_matrix`` lags until the first frame is drawn).

        Round on screen whether the markers are separate or merged into :attr:`cloud`,
        with no per-frame work (Manim's fixed-orientation mobjects are re-projected one
        by one every frame, and cannot be merged).
        """
        right, up = np.asarray(rotation, dtype=float)[:2]
        flat = self.dot_shape  # around the origin
        self.dot_shape = np.outer(flat[:, 0], right) + np.outer(flat[:, 1], up)
        for dot in self.dots:
            if dot.has_points():
                dot.set_points(dot.get_center() + self.dot_shape)
        self.place()
        return self

    def gather(self, runs: np.ndarray) -> VGroup:
        """The trails and markers of ``runs`` (a mask or indices) as two mobjects,
        ``VGroup(trails, markers)``, which take their place (their own are emptied).

        To restyle many finished runs at once: Cairo strokes one path of many
        pieces much faster than many paths, and Manim prepares one mobject, not
        hundreds, each frame.
        """
        idx = np.arange(len(self.dots))[runs]
        trails = VMobject().match_style(self.trails[idx[0]])
        markers = VMobject().match_style(self.dots[idx[0]])
        for j in idx:
            trails.append_points(self.trails[j].points)
            markers.append_points(self.dots[j].points)
            self.trails[j].clear_points()
            self.dots[j].clear_points()
        return VGroup(trails, markers)

    def advance(self, scene, to: float, run_time: float, pieces: int = 8, rate_func=linear) -> None:
        """Play the markers to step ``to`` in ``pieces`` plays, with a :meth:`bake` before
        each; ``rate_func`` spreads the steps over the time (piece by piece, each piece at
        a steady pace). Trails and markers are merged meanwhile: call :meth:`stop` after."""
        self.merged = True
        for dot, trail in zip(self.dots, self.trails, strict=True):
            dot.clear_points()
            trail.clear_points()
        self.place()
        self.follow()
        start = self.step.get_value()
        for t in np.linspace(0, 1, pieces + 1)[1:]:
            self.bake()
            scene.play(
                self.step.animate.set_value(start + (to - start) * rate_func(t)),
                run_time=run_time / pieces,
                rate_func=linear,
            )


def _corner_curves(points: np.ndarray) -> np.ndarray:
    """Straight-segment Bezier points for ``(k, n, 3)`` vertices: one subpath per run ``j``,
    as ``set_points_as_corners`` makes for one."""
    if len(points) < 2:
        return np.zeros((0, 3))
    a, b = points[:-1], points[1:]
    curves = np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=2)  # (k-1, n, 4, 3)
    return curves.transpose(1, 0, 2, 3).reshape(-1, 3)
