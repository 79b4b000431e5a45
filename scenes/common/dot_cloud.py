"""Many small dots as one mobject.

A :class:`~manim.VGroup` of a thousand :class:`~manim.Dot` s costs Cairo and
every animation a thousand mobjects per frame; one VMobject holding all the
circles as separate closed subpaths draws the same picture at a fraction of
the cost (a fade interpolates one mobject, not a thousand).
"""

from __future__ import annotations

import numpy as np
from manim import Dot, VMobject


def dot_cloud(points: np.ndarray, radius: float, color, opacity: float = 1.0) -> VMobject:
    """Filled circles of ``radius`` at ``points`` ``(n, 3)`` (scene coordinates)."""
    template = Dot(radius=radius).points  # the circle's Bézier control points, at the origin
    points = np.asarray(points, dtype=float)
    cloud = VMobject(fill_color=color, fill_opacity=opacity, stroke_width=0)
    if len(points):
        cloud.set_points((template[None] + points[:, None, :]).reshape(-1, 3))
    return cloud
