"""A base for 3D scenes that keep the camera still while paths animate.

Cairo draws static mobjects once and reuses them as the background, so a
terrain costs almost nothing per frame as long as neither it nor the camera
moves. Fades in and out are done with a full-screen cover over a still
terrain for the same reason.
"""

from __future__ import annotations

import numpy as np
from manim import DEGREES, FadeIn, FadeOut, FullScreenRectangle, ThreeDScene

from scenes.common import style
from scenes.common.landscape import default_camera
from scenes.common.narration import NarratedScene
from surfaces import get


class StillCameraScene(NarratedScene, ThreeDScene):
    """Camera placed once from class attributes; flat colours; cover fades.

    ``phi`` and ``theta`` (degrees) default to the surface's own view
    (:func:`scenes.common.landscape.default_camera`) when the scene names a ``surface``.
    """

    phi: float | None = None
    theta: float | None = None
    zoom = 1.0

    def setup(self):
        super().setup()
        phi, theta = default_camera(get(self.surface)) if hasattr(self, "surface") else (60, -60)
        phi = phi if self.phi is None else self.phi
        theta = theta if self.theta is None else self.theta
        self.set_camera_orientation(phi=phi * DEGREES, theta=theta * DEGREES, zoom=self.zoom)
        # Cairo's shading adds up to half-white to lit faces and washes out the
        # height colours; the colour scale and grid lines carry the shape instead.
        self.renderer.camera.should_apply_shading = False
        self.pinned: list = []
        self.baked: list = []  # painted into the background: see bake
        self.cover = FullScreenRectangle(
            fill_color=style.BACKGROUND, fill_opacity=1, stroke_width=0
        )

    def fixed(self, *mobjects):
        """Pin 2D overlays (titles, readouts) to the frame and add them; returns the first.

        Parts they gain later (a readout rebuilds its digits with ``become``) are pinned in
        the frame they appear (:meth:`update_mobjects`); unpinned, the camera would project
        them into the 3D world and a digit would float over the terrain for a frame.
        """
        self.add_fixed_in_frame_mobjects(*mobjects)
        # Only parts with updaters can gain glyphs (a readout's value); re-pinning whole
        # overlays every frame would walk every glyph of every label.
        self.pinned.extend(m for root in mobjects for m in root.get_family() if m.updaters)
        return mobjects[0]

    def update_mobjects(self, dt: float) -> None:
        super().update_mobjects(dt)
        # After every updater has run and before the frame is drawn. (An updater on each
        # overlay would pin a frame late, parents updating before their children, and
        # would make Cairo redraw the overlay every frame as a moving mobject.)
        if self.pinned:
            self.renderer.camera.add_fixed_in_frame_mobjects(*self.pinned)

    def screen_point(self, point) -> np.ndarray:
        """Where the 3D scene point ``point`` appears in the frame, for a label fixed there."""
        return self.renderer.camera.project_point(np.asarray(point, dtype=float))

    def bake(self, *mobjects) -> None:
        """Paint still mobjects (a terrain) into the camera's background, once.

        Cairo otherwise draws every still mobject again at the start of each play and
        wait (about a second for a fine terrain at 1080p). Painted, they leave the scene:
        nothing may move or restyle them until :meth:`unbake`, and whatever the scene
        shows is drawn over them, as it would be over a terrain drawn first.
        """
        camera = self.renderer.camera
        camera.reset()
        camera.capture_mobjects(list(mobjects))
        camera.set_background(camera.pixel_array.copy())
        camera.reset()
        self.baked += mobjects
        self.remove(*mobjects)

    def unbake(self) -> None:
        """Put what :meth:`bake` painted back in the scene, behind everything, as mobjects."""
        self.renderer.camera.init_background()
        self.add(*self.baked)
        self.bring_to_back(*self.baked)
        self.baked = []

    def reveal(self, *mobjects, run_time: float = 1.5):
        """Add ``mobjects`` and fade up from black without redrawing them per frame."""
        self.add(*mobjects)
        self.add_fixed_in_frame_mobjects(self.cover)
        self.play(FadeOut(self.cover), run_time=run_time)

    def fade_to_black(self, run_time: float = 0.8):
        self.add_fixed_in_frame_mobjects(self.cover)
        self.play(FadeIn(self.cover), run_time=run_time)
