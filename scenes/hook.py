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
    feel_radius = 0.3  # how far the climber can "feel", in surface units
    arrow_length = 0.8  # on screen; the true step is far too short to see
    zoom = 0.92
    # Seen from behind the start, looking down the walk into the valley: the
    # valley's far wall faces the camera and nothing stands between it and the ball.
    phi, theta = 40, 60
    # The terrain around the walk, not the whole surface: a square centred on the
    # path with this much room (surface units) on every side, so the valley lies
    # well inside the mesh.
    margin = 1.2
    z_length = 3.5

    def setup_terrain(self):
        surface = get(self.surface)
        self.traj = run(surface, "gd", start=self.start, lr=self.lr, steps=self.steps, tol=self.tol)
        lo, hi = self.traj.positions.min(axis=0), self.traj.positions.max(axis=0)
        centre, half = (lo + hi) / 2, (hi - lo).max() / 2 + self.margin
        self.terrain = Landscape(
            surface,
            resolution=30,
            domain=((centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)),
            heights="log",
            log_scale=20,
            colors=style.NIGHT_SCALE,
            grid_color=style.NIGHT_GRID,
            opacity=1.0,
            show_axes=False,
            z_length=self.z_length,
        )
        # A little to the screen's left, so the caption bottom right clears the
        # terrain's front corner.
        screen_left = np.array([np.sin(self.theta * DEGREES), -np.cos(self.theta * DEGREES), 0])
        self.terrain.shift(-self.terrain.mesh.get_center() + OUT * 0.6 + 1.0 * screen_left)
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

    def ring(self, center: np.ndarray, radius: float, color) -> VMobject:
        """A lit patch of terrain around the surface point ``center``."""
        angles = np.linspace(0, TAU, 33)
        pts = center + radius * np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        patch = VMobject(fill_color=color, fill_opacity=0.3, stroke_color=color, stroke_width=2)
        return patch.set_points_as_corners(self.terrain.to_scene(pts, lift=0.03))

    def tilt_arrow(self) -> Arrow:
        """Uphill at the start: the direction of the gradient the climber feels."""
        p0, g0 = self.traj.positions[0], self.traj.grads[0]
        up = p0 + self.feel_radius * 2.6 * g0 / np.linalg.norm(g0)
        start = self.terrain.to_scene(p0, lift=0.06)
        return step_arrow(start, self.terrain.to_scene(up, lift=0.06), color=style.GRADIENT)

    def next_step_arrow(self) -> VMobject:
        """The direction of the next step: minus the gradient where the climber stands.

        Full length while the ground is steep; as the slope flattens towards the
        valley it shrinks with the square root of the gradient's length, to nothing.
        """
        k = min(int(self.climber.step.get_value()), self.climber.n_steps - 1)
        here = self.climber.marker.get_center()
        way = self.climber.scene_points[k + 1] - self.climber.scene_points[k]
        steep = np.linalg.norm(self.traj.grads[k]) / np.linalg.norm(self.traj.grads[0])
        length = self.arrow_length * min(1.0, float(np.sqrt(steep)))
        if length < 0.08:
            return VMobject()
        tip = here + length * way / max(np.linalg.norm(way), 1e-9)
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
        valley = self.ring(traj.final, radius=0.55, color=style.GOOD)
        with self.narrate(
            "Imagine standing on a mountainside at night, blindfolded. Somewhere below is a valley."
        ) as beat:
            # Painted once into the background until it changes colour at the end.
            self.bake(self.terrain)
            self.reveal(run_time=beat.until("night"))
            self.play(FadeIn(climber, scale=0.5), run_time=beat.until("somewhere"))
            # A glimpse of the goal the climber cannot see, lit as it is named.
            self.play(FadeIn(valley), run_time=beat.until("valley") + 0.4)

        patch = always_redraw(self.feel_patch)
        uphill = self.tilt_arrow()
        slope = label(f"slope {np.linalg.norm(traj.grads[0]):.1f}", color=style.GRADIENT, size=26)
        # Beside the arrow's tip, where the eye is: the slope is the arrow's.
        slope.next_to(self.screen_point(uphill.get_end()), DOWN, buff=0.2)
        with self.narrate(
            "All you can feel is the ground under your feet: which way it tilts, and how steeply."
        ) as beat:
            # Out of sight again: only the ground underfoot can be felt.
            self.play(FadeOut(valley), run_time=beat.until("ground"))
            self.play(FadeIn(patch), run_time=beat.until("which way"))
            self.play(GrowArrow(uphill), run_time=beat.until("how steeply"))
            self.fixed(slope)
            self.play(FadeIn(slope, shift=DOWN * 0.2), Indicate(uphill, scale_factor=1.3),
                      run_time=beat.remaining() * 0.7)  # fmt: skip
        self.play(FadeOut(uphill), FadeOut(slope), run_time=0.4)

        arrow = always_redraw(self.next_step_arrow)
        counter = always_redraw(self.step_counter)
        with self.narrate(
            "So you step the steepest way down. Then you feel again, and step again."
        ) as beat:
            first = self.next_step_arrow()
            self.play(GrowArrow(first), run_time=beat.until("way down"))
            self.remove(first)
            self.add(arrow)
            self.play(climber.walk(to=1, run_time=beat.until("then"), rate_func=smooth))
            self.fixed(counter)
            self.play(climber.walk(to=traj.n_steps * 0.55, run_time=beat.remaining()))

        with self.narrate("The ground flattens, the steps shrink, and you reach a valley.") as beat:
            self.play(climber.walk(run_time=beat.until("reach"), rate_func=smooth))
            # Arrived: the valley glimpsed at the start is lit again around the climber.
            self.remove(arrow)
            self.play(FadeIn(valley), run_time=beat.remaining(minimum=0.5))

        day = self.terrain.copy().color_by_height(style.HEIGHT_SCALE)
        day.mesh.set_stroke(color=style.BACKGROUND, width=0.5)
        word = heading("gradient descent", size=style.TITLE_SIZE, color=style.ACCENT)
        loop = VGroup(
            *[
                label(t, color=style.MUTED if t == "→" else style.INK, size=28)
                for t in ("feel the slope", "→", "step downhill", "→", "repeat")
            ]
        ).arrange(RIGHT, buff=0.2)
        # In the empty corner below the terrain's right arm: nothing to hide behind a plate.
        caption = VGroup(word, loop).arrange(DOWN, buff=0.25, aligned_edge=RIGHT)
        caption.to_corner(DR, buff=0.45)
        with self.narrate(
            "Feel the slope, step downhill, repeat: that loop is gradient descent, "
            "and it trains every neural network."
        ) as beat:
            # Each part of the loop appears as it is named.
            self.add_fixed_in_frame_mobjects(loop[0])
            self.unbake()  # lit by day: a mobject again while it changes
            self.play(FadeOut(patch), FadeOut(counter), FadeOut(valley), Transform(self.terrain, day),
                      FadeIn(loop[0], shift=UP * 0.2), run_time=beat.until("step downhill"))  # fmt: skip
            self.bake(self.terrain)  # still again
            self.add_fixed_in_frame_mobjects(loop[1], loop[2])
            self.play(FadeIn(loop[1:3], shift=UP * 0.2), run_time=beat.until("repeat"))
            self.add_fixed_in_frame_mobjects(loop[3], loop[4])
            self.play(FadeIn(loop[3:], shift=UP * 0.2), run_time=beat.until("gradient descent"))
            self.add_fixed_in_frame_mobjects(word)
            self.play(Write(word), run_time=beat.until("every neural network"))
            self.play(Indicate(word, scale_factor=1.1), run_time=beat.remaining() * 0.8)
        self.fade_to_black(run_time=0.6)
