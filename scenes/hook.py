"""Section 1: the blindfolded mountain climber.

A climber on a dark terrain feels only the ground under its feet (a small lit
patch and the downhill step), steps, feels again, and reaches a valley. Its
steps are a real gradient-descent run on Himmelblau's function.
"""

from manim import *

from optim import run
from scenes.common import style
from scenes.common.labels import heading, label
from scenes.common.landscape import Landscape
from scenes.common.paths import PathTracer, step_arrow
from scenes.common.three_d import StillCameraScene
from surfaces import get


class Hook(StillCameraScene):
    surface = "himmelblau"
    start = (-1.0, -1.0)
    lr = 0.005
    steps = 60
    tol = 1e-3
    feel_radius = 0.5  # how far the climber can "feel", in surface units
    arrow_length = 0.8  # on screen; the true step is far too short to see
    zoom = 1.05

    def setup_terrain(self):
        surface = get(self.surface)
        self.terrain = Landscape(
            surface,
            resolution=30,
            heights="log",
            log_scale=20,
            colors=style.NIGHT_SCALE,
            grid_color=style.NIGHT_GRID,
            opacity=1.0,
            show_axes=False,
            z_length=2.6,
        )
        self.terrain.shift(-self.terrain.mesh.get_center() + OUT * 0.3)
        self.traj = run(surface, "gd", start=self.start, lr=self.lr, steps=self.steps, tol=self.tol)
        self.climber = PathTracer(
            self.traj.positions,
            lambda p: self.terrain.to_scene(p, lift=0.04),
            color=style.ACCENT,
            radius=0.1,
            three_d=True,
            footprints=True,
        )

    def feel_patch(self) -> VMobject:
        """The ground the climber can feel: a lit ring of terrain around its feet."""
        c = self.climber.current()
        angles = np.linspace(0, TAU, 25)
        ring = c + self.feel_radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        patch = VMobject(fill_color=style.ACCENT, fill_opacity=0.25, stroke_color=style.ACCENT)
        patch.set_stroke(width=1.5, opacity=0.8)
        return patch.set_points_as_corners(self.terrain.to_scene(ring, lift=0.02))

    def next_step_arrow(self) -> Arrow:
        """The direction of the next step: minus the gradient where the climber stands."""
        k = min(int(self.climber.step.get_value()), self.climber.n_steps - 1)
        here = self.climber.marker.get_center()
        way = self.climber.scene_points[k + 1] - self.climber.scene_points[k]
        tip = here + self.arrow_length * way / max(np.linalg.norm(way), 1e-9)
        return step_arrow(here, tip, max_tip_length_to_length_ratio=0.3)

    def step_counter(self) -> Text:
        k = int(self.climber.step.get_value())
        if getattr(self, "_shown_step", None) != k:
            self._shown_step = k
            self._counter = label(f"step {k} of {self.traj.n_steps}", color=style.MUTED)
            self._counter.to_corner(UR)
        return self._counter

    def construct(self):
        self.setup_terrain()
        climber, traj = self.climber, self.traj
        with self.narrate(
            "Imagine standing on a mountainside at night, blindfolded. "
            "Somewhere below is a valley, and you want to get there."
        ):
            self.reveal(self.terrain, run_time=2.0)
            self.play(FadeIn(climber, scale=0.5))

        patch = always_redraw(self.feel_patch)
        with self.narrate(
            "You cannot see the valley. All you can feel is the ground right under your feet: "
            "which way it tilts, and how steeply."
        ):
            self.play(FadeIn(patch), run_time=1.5)

        arrow = always_redraw(self.next_step_arrow)
        with self.narrate(
            "So you feel for the steepest way down, and take one small step that way."
        ) as beat:
            first = self.next_step_arrow()
            self.play(GrowArrow(first), run_time=1.0)
            self.remove(first)
            self.add(arrow)
            self.play(climber.walk(to=1, run_time=beat.remaining() * 0.6, rate_func=smooth))

        counter = always_redraw(self.step_counter)
        with self.narrate(
            "Then you feel the slope again, and step again. Your footprints trace the way down."
        ) as beat:
            self.fixed(counter)
            self.play(climber.walk(to=traj.n_steps * 0.55, run_time=beat.remaining()))

        with self.narrate(
            "Step after step the ground flattens out, the steps get shorter, "
            "and you arrive in a valley."
        ) as beat:
            self.play(climber.walk(run_time=beat.remaining() * 0.7, rate_func=smooth))
        self.remove(arrow)

        day = self.terrain.copy().color_by_height(style.HEIGHT_SCALE)
        day.mesh.set_stroke(color=style.BACKGROUND, width=0.5)
        word = heading("gradient descent", size=style.TITLE_SIZE, color=style.ACCENT)
        loop = label("feel the slope  →  step downhill  →  repeat", color=style.INK, size=28)
        caption = VGroup(word, loop).arrange(DOWN, buff=0.25).to_edge(UP, buff=0.4)
        plate = BackgroundRectangle(caption, color=style.BACKGROUND, fill_opacity=0.8, buff=0.2)
        with self.narrate(
            "Feel the slope, step downhill, repeat. That loop is gradient descent, "
            "and it is how every neural network is trained."
        ):
            self.play(FadeOut(patch), FadeOut(counter), Transform(self.terrain, day), run_time=1.5)
            self.add_fixed_in_frame_mobjects(plate, word)
            self.play(FadeIn(plate), Write(word), run_time=1.2)
            self.add_fixed_in_frame_mobjects(loop)
            self.play(FadeIn(loop, shift=DOWN * 0.2), run_time=1.0)
        self.fade_to_black()
