"""Section 5: beyond plain descent.

``SGDEscape``: noisy gradients shake a share of 100 seeded runs out of a shallow valley.
``HeavyBall``: Momentum's velocity rolls over the bump where plain descent stops.
``AdamMoments``: Adam's two running averages, per coordinate, and its bias correction.
``OptimizerRace``: SGD, Momentum and Adam, each tuned the same way, race on Rosenbrock.

Every run comes from :mod:`optim.presets`, which the tests check.
"""

from manim import *

from optim import BIAS_CORRECTION, FORMULAS, presets
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.labels import Readout, Typesetter, formula, label
from scenes.common.landscape import ContourMap, Landscape
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer, Swarm
from scenes.common.three_d import StillCameraScene
from surfaces import get

# Footnotes (settings, how a race is made fair) in a grey light enough to read on the dark
# background at 480p, still quieter than the labels.


class StillOverlays(StillCameraScene):
    """Overlays that never change shape are pinned to the frame without an updater.

    ``fixed`` gives each overlay an updater, for parts a readout gains later; but
    Manim redraws, on every frame, each mobject with an updater and every mobject
    added after it, which would include the swarm's trails and the paths.
    """

    def pin(self, *mobjects):
        """Fix ``mobjects`` to the frame (titles, labels, verdicts: not readouts)."""
        self.fixed(*mobjects)
        for m in mobjects:
            m.clear_updaters()
        return mobjects[0]


class SGDEscape(StillOverlays):
    preset = presets.Escape()
    phi, theta = 58, -90
    zoom = 1.0
    # Each noisy trail is drawn through every third recorded step: the same scribble to
    # the eye, a third of the segments for Cairo to stroke (the markers walk every step).
    trail_vertices = 67

    def construct(self):
        result = presets.escape(self.preset)
        s = get(self.preset.surface)
        # Log heights tame the steep outer walls so the two valleys read at a glance.
        land = Landscape(
            s,
            resolution=36,
            heights="log",
            log_scale=1.5,
            opacity=1.0,
            show_axes=False,
            x_length=9.0,
            y_length=6.0,
            z_length=2.6,
        )
        land.shift(-land.mesh.get_center() + DOWN * 0.2)

        def on_land(p):
            return land.to_scene(p, lift=0.04)

        gd = PathTracer(
            result.gd.positions, on_land, color=style.OPTIMIZER_COLORS["gd"], radius=0.1
        )
        # A flat dot turned to the camera: as round as a sphere here (no shading), one shape
        # to draw per frame instead of 64 faces.
        self.renderer.camera.add_fixed_orientation_mobjects(gd.marker)
        noisy = result.noisy.positions  # (T + 1, runs, 2)
        sgd_color = style.OPTIMIZER_COLORS["sgd"]
        swarm = Swarm(on_land(noisy), color=sgd_color, max_vertices=self.trail_vertices)
        dots, trails = swarm.dots, swarm.trails

        shallow = label("shallow valley", size=22, color=style.INK)
        deep = label("deeper valley", size=22, color=style.INK)
        f_tex = formula(r"f(x, y) = " + s.latex, scale=0.6).to_corner(UL)
        title = VGroup(
            label("stochastic gradient descent (SGD)", size=28, color=sgd_color),
            label("each step's gradient from a small random sample", size=20, color=style.FOOTNOTE),
        ).arrange(DOWN, aligned_edge=RIGHT, buff=0.12)
        title.to_corner(UR, buff=0.35)

        with self.narrate(
            "Stochastic gradient descent: noisy gradients from small samples."
        ) as beat:
            # Named as it is said: the title is revealed with the surface.
            self.pin(title[0])
            self.bake(land)  # never changes: painted once into the background
            self.reveal(run_time=0.6)
            self.pin(title[1])
            self.play(FadeIn(title[1], shift=UP * 0.1), run_time=beat.until("noisy"))
            front = s.domain[1][0]
            for text, p in ((shallow, result.shallower), (deep, result.deeper)):
                text.move_to(self.frame_point(land, (p[0], front), DOWN * 0.35))
            shallow.align_to(deep, DOWN)
            self.pin(f_tex, shallow, deep)
            self.play(
                Write(f_tex),
                LaggedStart(FadeIn(shallow, shift=UP * 0.2), FadeIn(deep, shift=UP * 0.2),
                            lag_ratio=0.5),
                run_time=beat.remaining(),
            )  # fmt: skip

        with self.narrate("Plain descent stays in the shallow valley.") as beat:
            self.add(gd)
            self.play(FadeIn(gd.marker, scale=0.5), run_time=beat.until("stays"))
            self.play(
                gd.walk(run_time=beat.remaining(), rate_func=rate_functions.ease_out_sine),
                Indicate(shallow, scale_factor=1.15),
            )
            # Still from here on: a mobject with an updater is redrawn every frame,
            # and so is everything added after it (the swarm).
            gd.clear_updaters()

        n = self.preset.runs
        with self.narrate(f"{n} noisy runs: the jitter shakes some over the ridge.") as beat:
            self.add(*swarm)  # history, trails, dots: see Swarm
            self.play(FadeIn(dots), run_time=0.4)
            # Most of the travel is in the early, large steps: give them most of the time.
            swarm.advance(self, len(noisy) - 1, beat.remaining(), pieces=6,
                          rate_func=rate_functions.ease_in_sine)  # fmt: skip
            swarm.stop()

        escaped = result.escaped
        counted = ValueTracker(0)
        verdict = label(
            f"{escaped} of {n} noisy runs reached the deeper valley", size=26, color=style.GOOD
        ).to_edge(DOWN, buff=0.4)
        counter = Readout(
            "in the deeper valley:", counted.get_value, integer=True, size=26, color=style.GOOD
        ).move_to(verdict)
        gd_where = "reached the deeper" if result.gd_deep else "stayed in the shallow"
        gd_note = label(
            f"plain descent: {gd_where} valley", size=22, color=style.OPTIMIZER_COLORS["gd"]
        )
        gd_note.next_to(verdict, UP, buff=0.15)
        # Runs are judged left to right, so the count climbs as the eye sweeps the valleys.
        order = np.argsort(result.noisy.final[:, 0])
        deep_so_far = np.cumsum(result.deep[order])
        with self.narrate(f"{escaped} of the {n} reach the deeper valley. Noise can help.") as beat:
            self.fixed(counter)
            self.play(FadeIn(counter), run_time=0.3)
            # The markers are judged one by one, each over a few places of the sweep, and the
            # count follows. An updater driven by one tracker sets the colours: an animation
            # per marker would copy all hundred first, and recolour each on every frame.
            rank = np.argsort(order)  # each run's place in the sweep
            verdict_colors = [ManimColor(style.GOOD if d else style.MUTED) for d in result.deep]
            start_color, fade = ManimColor(sgd_color), 4

            shown = np.zeros(n)  # how far each marker has turned to its verdict's colour

            def judge(_group, alpha):
                t = alpha * (n + fade)
                now = np.clip((t - rank) / fade, 0, 1)
                for j in np.flatnonzero(now != shown):  # only the few turning this frame
                    dots[j].set_color(start_color.interpolate(verdict_colors[j], now[j]))
                shown[:] = now
                counted.set_value(deep_so_far[int(np.clip(t - fade, 0, n - 1))])

            sweep = ValueTracker(0)
            dots.add_updater(lambda m: judge(m, sweep.get_value()))
            self.play(sweep.animate.set_value(1), run_time=beat.until("noise") - 0.4,
                      rate_func=linear)  # fmt: skip
            dots.clear_updaters()
            counter.clear_updaters()
            counted.set_value(escaped)

            # The trails take their verdict's colour at once, as the verdict appears: a fade
            # would stroke all hundred again on every frame of it.
            for trail, color, d in zip(trails, verdict_colors, result.deep, strict=True):
                trail.set_stroke(color=color, opacity=0.45 if d else 0.12)
            # The count leaves before the sentence comes, so the lines never stack up
            # (morphing the readout's glyphs into the sentence's would cost seconds).
            self.play(FadeOut(counter, shift=UP * 0.2), run_time=0.25)
            self.remove(counter)
            self.pin(verdict, gd_note)
            self.play(FadeIn(verdict, shift=UP * 0.2), FadeIn(gd_note, shift=UP * 0.2),
                      run_time=0.35)  # fmt: skip
            # Brought to the front, so that indicating them redraws only them each frame.
            self.add(deep, gd)
            # Each in its own colour: the valley in the verdict's green, plain descent's ball
            # in its blue (one highlight colour for both read as if it had got there).
            self.play(Indicate(deep, color=style.GOOD, scale_factor=1.2),
                      Indicate(gd.marker, color=style.OPTIMIZER_COLORS["gd"], scale_factor=1.6),
                      run_time=max(0.5, beat.remaining()))  # fmt: skip
        self.fade_to_black()

    def frame_point(self, land: Landscape, p, offset) -> np.ndarray:
        """Where the surface point ``p`` appears on screen, shifted by ``offset``."""
        return self.screen_point(land.to_scene(np.asarray(p, dtype=float))) + offset


class HeavyBall(StillOverlays):
    preset = presets.HeavyBall()
    phi, theta = 44, -90
    zoom = 1.0
    arrow_scale = 0.35  # velocity to surface units on screen (its true step is a tenth)
    arrow_max = 0.9  # the longest arrow, in surface units
    arrow_margin = 0.12  # how far inside the surface's edge an arrow's tip stays

    def construct(self):
        p = self.preset
        gd_traj, ball_traj = presets.heavy_ball(p)
        s = get(p.surface)
        land = Landscape(
            s,
            resolution=44,
            heights="log",
            log_scale=1.0,
            opacity=1.0,
            show_axes=False,
            x_length=11.5,
            y_length=5.6,
            z_length=1.6,
        )
        land.shift(-land.mesh.get_center() + DOWN * 0.45)

        def on_land(q):
            return land.to_scene(q, lift=0.05)

        gd = PathTracer(gd_traj.positions, on_land, color=style.OPTIMIZER_COLORS["gd"], radius=0.1)
        velocity = ball_traj.states["velocity"]
        ball = PathTracer(
            ball_traj.positions,
            on_land,
            color=style.OPTIMIZER_COLORS["momentum"],
            radius=0.13,
            # The arrow shows where the velocity carries the ball: minus v.
            vectors=-velocity * self.arrow_scale,
            vector_color=style.OPTIMIZER_COLORS["momentum"],
            # Its direction is what matters: long ones are capped, and none leaves the
            # surface (into the captions below it or the black above it).
            vector_max=self.arrow_max,
            vector_bounds=[(lo + self.arrow_margin, hi - self.arrow_margin) for lo, hi in s.domain],
        )
        rule = formula(FORMULAS["momentum"], scale=0.7).to_corner(UR, buff=0.35)
        names = VGroup(
            label("gradient descent", size=22, color=style.OPTIMIZER_COLORS["gd"]),
            label("momentum", size=22, color=style.OPTIMIZER_COLORS["momentum"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        names.to_corner(UL, buff=0.35)
        settings = label(
            f"same start; gradient descent α = {p.lr:g}, momentum α = {p.momentum_lr:g}, "
            f"β = {p.momentum:g} (same top speed α / (1 − β))",
            size=18,
            color=style.FOOTNOTE,
        ).to_edge(DOWN, buff=0.3)
        k = ball.step
        speed = Readout(
            "|v|",
            lambda: float(np.linalg.norm(velocity[min(int(k.get_value()), len(velocity) - 1)])),
            decimals=2,
            size=22,
            color=style.OPTIMIZER_COLORS["momentum"],
        )
        speed.next_to(rule, DOWN, buff=0.2).align_to(rule, RIGHT)

        for tracer in (gd, ball):
            # Flat dots turned to the camera: round as spheres look here (no shading), and
            # one shape to draw on every frame instead of 64 faces.
            self.renderer.camera.add_fixed_orientation_mobjects(tracer.marker)

        stopped = gd_traj.n_steps
        verdict = VGroup(
            label(
                f"gradient descent: stuck in the dip after {stopped} steps",
                size=22,
                color=style.OPTIMIZER_COLORS["gd"],
            ),
            label(
                f"momentum: at the bottom after {ball_traj.n_steps} steps",
                size=22,
                color=style.OPTIMIZER_COLORS["momentum"],
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        verdict.next_to(settings, UP, buff=0.25)

        # The bump is a tenth of the valley's depth: too low to see on the terrain, so a
        # dashed line marks its crest (the surface's saddle) across the valley, named above it.
        crest = s.saddles[0].point[0]
        (_x0, _x1), (y0, y1) = s.domain
        across = np.linspace(y0 + 0.1, y1 - 0.1, 40)
        ridge = DashedVMobject(
            VMobject().set_points_smoothly(
                land.to_scene(np.column_stack([np.full_like(across, crest), across]), lift=0.06)
            ),
            num_dashes=16,
            dashed_ratio=0.6,
        ).set_stroke(style.INK, width=4.5, opacity=1.0)
        bump = label("bump", size=22, color=style.INK)
        # Just above the far rim (the projection lands a little above where Cairo draws it).
        bump.next_to(self.screen_point(land.to_scene(np.array([crest, y1]))), UP, buff=0.15)
        bump.shift(DOWN * 0.35)

        # Fixing a mobject adds it: each overlay is fixed just before it fades in.
        with self.narrate(
            "Momentum. Plain descent zig-zags down this valley and stops at a bump."
        ) as beat:
            self.bake(land)  # never changes: painted once into the background
            self.reveal(run_time=1.0)
            self.pin(names[0])
            self.play(FadeIn(names[0]), run_time=beat.until("plain"))
            self.add(gd)
            self.play(gd.walk(to=6, run_time=beat.until("stops"), rate_func=linear))
            self.add(ridge)
            self.pin(bump)
            self.play(
                gd.walk(run_time=beat.remaining() * 0.6, rate_func=rate_functions.ease_out_sine),
                Create(ridge),
                FadeIn(bump, shift=DOWN * 0.1),
            )
            self.pin(verdict[0])
            self.play(FadeIn(verdict[0], shift=UP * 0.2), Indicate(gd.marker, scale_factor=1.5),
                      run_time=max(0.6, beat.remaining()))  # fmt: skip
            gd.clear_updaters()  # still from here: only the ball is redrawn

        with self.narrate(
            "Momentum keeps a velocity: the gradient plus beta times the old one."
        ) as beat:
            self.add(ball)
            ball.clear_updaters()  # still until it rolls: no redrawing on every frame
            self.pin(names[1], settings)
            self.play(FadeIn(names[1]), FadeIn(settings), FadeIn(ball.marker, scale=0.5),
                      run_time=beat.until("the gradient"))  # fmt: skip
            self.pin(rule)
            self.play(Write(rule), run_time=beat.remaining() * 0.9)

        # Said while the ball swings: its swing across dies out as its speed along grows.
        with self.narrate(
            "Its swing across the valley dies out; along it, the pushes add up. "
            "It rolls over the bump and settles at the bottom."
        ) as beat:
            self.fixed(speed)
            # Rolling from here, after every overlay: Manim redraws each frame the first
            # mobject that changes and everything after it.
            ball.add_updater(ball.redraw)
            self.add(ball)
            self.play(FadeIn(speed), run_time=0.4)
            over = int(np.argmax(ball_traj.positions[:, 0] < s.saddles[0].point[0]))
            self.play(ball.walk(to=over, run_time=beat.until("bump"), rate_func=linear))
            # Settled as the line ends on "at the bottom", which its verdict says.
            rolling = max(0.5, beat.until("at the bottom"))
            self.play(
                ball.walk(run_time=rolling, rate_func=rate_functions.ease_out_sine),
                Indicate(bump, color=style.OPTIMIZER_COLORS["momentum"], run_time=rolling),
            )
            self.pin(verdict[1])
            self.play(FadeIn(verdict[1], shift=UP * 0.2), Indicate(ball.marker, scale_factor=1.5),
                      run_time=max(0.6, beat.remaining()))  # fmt: skip
        self.wait(2.0)  # both verdicts read together before the scene fades
        self.fade_to_black()


class CoordinateBars(VGroup):
    """One row per quantity, one signed bar per coordinate, redrawn from ``(T + 1, 2)`` arrays.

    Each row has its own scale (its largest magnitude over the run), so a row
    compares the two coordinates with each other, as the narration does.
    """

    gap = 0.95  # between the x and y columns

    def __init__(self, rows, step, bar_width: float = 1.15, height: float = 0.28, **kwargs):
        super().__init__(**kwargs)
        self.step, self.bar_width = step, bar_width
        self.digits = Typesetter.get(size=24)  # the numbers change every step: set fast
        self.lines = VGroup()
        self.cells = []
        for name, values, color in rows:
            scale = float(np.max(np.abs(values))) or 1.0
            cells = VGroup()
            for c in range(2):
                # An invisible box as wide as both directions keeps the columns apart.
                box = Rectangle(width=2 * bar_width, height=height, stroke_opacity=0)
                # The zero line stands out past the bar, so each bar reads from its own zero.
                axis = Line(UP * height * 0.9, DOWN * height * 0.9, color=style.INK,
                            stroke_width=2.5)  # fmt: skip
                bar = Rectangle(width=0.01, height=height, fill_color=color, fill_opacity=0.9,
                                stroke_width=0)  # fmt: skip
                num = self.digits.set("0.00", color)
                cell = VGroup(box, axis, bar, num)
                cell.color = color
                cell.values, cell.scaled = values[:, c], values[:, c] / scale
                cells.add(cell)
            # A wide gap, a divider in it: x's bar to the right and y's to the left must not
            # read as one broken bar.
            cells.arrange(RIGHT, buff=self.gap)
            tex = MathTex(name, color=color).scale(0.7)
            self.lines.add(VGroup(tex, cells).arrange(RIGHT, buff=0.35))
            self.cells += list(cells)
        self.lines.arrange(DOWN, aligned_edge=RIGHT, buff=0.34)
        first = self.lines[0][1]
        self.divider = Line(
            self.lines.get_top() + UP * 0.45,
            self.lines.get_bottom(),
            color=style.MUTED,
            stroke_width=1.5,
        ).set_x((first[0].get_right()[0] + first[1].get_left()[0]) / 2)
        self.head = VGroup(
            MathTex("x", color=style.MUTED).scale(0.7).next_to(first[0], UP, buff=0.12),
            MathTex("y", color=style.MUTED).scale(0.7).next_to(first[1], UP, buff=0.12),
        )
        self.add(self.head, self.divider, self.lines)
        self.shown = -1
        self.redraw(self)
        self.add_updater(self.redraw)

    def index(self) -> int:
        """The step shown: the update the marker is taking (1 once it leaves the start)."""
        return int(max(1, np.ceil(self.step.get_value() - 1e-9)))

    def redraw(self, _mob) -> None:
        k = self.index()
        if k == self.shown:  # values change once per step
            return
        self.shown = k
        for cell in self.cells:
            _box, axis, bar, num = cell
            i = min(k, len(cell.scaled) - 1)
            w = float(cell.scaled[i]) * self.bar_width
            bar.stretch_to_fit_width(max(abs(w), 0.01))
            bar.move_to(axis.get_center() + RIGHT * w / 2)
            text = f"{float(cell.values[i]):.2f}".replace("-", "−")
            Typesetter.show(num, self.digits.set(text, cell.color).next_to(axis, DOWN, buff=0.06))


class AdamMoments(NarratedScene, Scene):
    preset = presets.AdamDemo()

    def construct(self):
        p = self.preset
        traj = presets.adam_demo(p)
        s = get(p.surface)
        beta1, beta2 = p.betas
        m_hat = presets.bias_corrected(traj.states["m"], beta1)
        v_hat = presets.bias_corrected(traj.states["v"], beta2)
        steps = np.vstack([np.zeros((1, 2)), np.diff(traj.positions, axis=0)])
        grads = np.vstack([traj.grads[:1], traj.grads[:-1]])  # the gradient each update used
        ratio = abs(traj.grads[0, 1] / traj.grads[0, 0])

        cmap = ContourMap(s, levels=14, heights="log", log_scale=2.0, x_length=4.8, y_length=4.8,
                          axis_labels=("x", "y"))  # fmt: skip
        cmap.to_corner(DL, buff=0.5)
        adam_color = style.OPTIMIZER_COLORS["adam"]
        tracer = PathTracer(traj.positions, cmap.to_scene, color=adam_color, footprints=True,
                            radius=0.07)  # fmt: skip
        rules = VGroup(*[formula(part, scale=0.6) for part in FORMULAS["adam"].split(r", \quad")])
        rules.arrange(RIGHT, buff=0.5).to_edge(UP, buff=0.25)
        bars = CoordinateBars(
            [
                (r"g", grads, style.GRADIENT),
                (r"\hat m", m_hat, adam_color),
                (r"\sqrt{\hat v}", np.sqrt(v_hat), style.ACCENT),
                (r"\text{step}", steps, style.DESCENT),
            ],
            tracer.step,
        )
        bars.to_edge(RIGHT, buff=0.4).align_to(cmap, UP).shift(UP * 0.3)
        row = list(bars.lines)  # g, m, sqrt(v), step
        name = label("Adam: adaptive moment estimation", size=26, color=adam_color)
        name.next_to(rules, DOWN, buff=0.25)

        # Manim redraws on every frame the first mobject that changes and all that come
        # after it, and caches the rest: the path and the bars, which change as the marker
        # walks, are kept after the formulas and the chart.
        live = [tracer, bars, *row[1:]]

        def on_top():
            self.add(*[m for m in live if m in self.mobjects])

        with self.narrate(
            "Adam keeps two averages per coordinate: m of the gradient, v of its square."
        ) as beat:
            self.play(Create(cmap.lines, lag_ratio=0.02), FadeIn(cmap[1:]), FadeIn(name),
                      run_time=1.4)  # fmt: skip
            self.add(tracer)
            # The rows after the first join the scene as they fade in (adding the bars
            # would show them at once); the bars' updater redraws every row all along.
            bars.lines.remove(*row[1:])
            self.play(FadeIn(bars.head), FadeIn(bars.divider), FadeIn(row[0]),
                      run_time=beat.until("m"))  # fmt: skip
            self.add(bars)
            self.play(Write(rules[0]), FadeIn(row[1], shift=RIGHT * 0.2),
                      run_time=beat.until("v"))  # fmt: skip
            self.play(
                Write(rules[1]),
                FadeIn(row[2], shift=RIGHT * 0.2),
                tracer.walk(to=1),
                run_time=beat.remaining() * 0.9,
            )

        with self.narrate(
            f"The step is m over root v: a slope {ratio:.0f} times steeper gets the same step."
        ) as beat:
            on_top()
            self.play(Write(rules[2]), FadeIn(row[3], shift=RIGHT * 0.2),
                      run_time=beat.until("a slope"))  # fmt: skip
            on_top()
            self.play(tracer.walk(to=4, run_time=beat.until("gets"), rate_func=linear))
            self.play(
                Indicate(row[3], color=style.DESCENT, scale_factor=1.05),
                tracer.walk(to=7, rate_func=linear),
                run_time=beat.remaining() * 0.9,
            )

        # Step 1's y moments, raw and corrected: started at zero, the raw ones are a tenth
        # and a thirtieth of the gradient; corrected, both are the gradient's size again.
        m1, v1 = traj.states["m"][1, 1], traj.states["v"][1, 1]
        mh1, vh1 = m_hat[1, 1], v_hat[1, 1]
        example = VGroup(
            MathTex(rf"t = 1:\quad m_y = {m1:.2f}", r"\;\to\;", rf"\hat m_y = {mh1:.2f}"),
            MathTex(rf"\sqrt{{v_y}} = {np.sqrt(v1):.2f}", r"\;\to\;",
                    rf"\sqrt{{\hat v_y}} = {np.sqrt(vh1):.2f}"),
        )  # fmt: skip
        for line in example:
            line.scale(0.62)
            line[0].set_color(style.FOOTNOTE)
            line[1:].set_color(adam_color)
        example.arrange(DOWN, buff=0.22)
        example[1].shift(RIGHT * (example[0][1].get_x() - example[1][1].get_x()))  # arrows aligned
        example.next_to(row[-1], DOWN, buff=0.45).align_to(row[-1], RIGHT)
        raw, corrected = (
            VGroup(example[0][0], example[1][0]),
            VGroup(*example[0][1:], *example[1][1:]),
        )
        correction = formula(BIAS_CORRECTION, scale=0.7).move_to(name)
        with self.narrate(
            "Starting at zero, both are too small at first; bias correction scales them up."
        ) as beat:
            self.play(FadeIn(raw, shift=UP * 0.15), run_time=beat.until("too small"))
            on_top()
            self.play(Indicate(raw, color=style.INK, scale_factor=1.1),
                      run_time=max(0.5, beat.until("bias") - 0.45))  # fmt: skip
            # Written as "bias correction" is said, and kept to the scene's end.
            self.play(FadeOut(name), run_time=0.2)
            self.play(Write(correction), run_time=0.8)
            on_top()
            self.play(FadeIn(corrected, shift=RIGHT * 0.2), run_time=max(0.5, beat.remaining()))

        # One library a line: on one line they would not fit beside the map.
        uses = VGroup(
            *[
                label(text, size=22, color=adam_color)
                for text in ("torch.optim.Adam", "tf.keras.optimizers.Adam", "optax.adam")
            ]
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        uses.move_to(example).align_to(example, UP)
        with self.narrate("It's the default in PyTorch, TensorFlow and JAX.") as beat:
            self.play(
                tracer.walk(
                    run_time=beat.remaining() * 0.9, rate_func=rate_functions.ease_in_out_sine
                ),
                Succession(
                    Wait(max(0.1, beat.until("pytorch") - 0.4)),
                    FadeOut(example, shift=UP * 0.2, run_time=0.4),
                    FadeIn(uses, shift=UP * 0.2, run_time=0.8),
                ),
            )
        bars.clear_updaters()
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)


def log_loss_chart(
    losses: dict[str, np.ndarray],
    step: ValueTracker,
    finish: float,
    decades: tuple[int, int],
    x_length: float = 4.6,
    y_length: float = 2.6,
) -> tuple[VGroup, Axes]:
    """Loss against step on a log scale, one curve per runner up to ``step``, a finish line."""
    n = max(len(v) for v in losses.values()) - 1
    lo, hi = decades
    # The axes run from 0 to hi - lo decades, so the step axis sits at the bottom.
    axes = Axes(
        x_range=[0, n, n // 3],
        y_range=[0, hi - lo, 1],
        x_length=x_length,
        y_length=y_length,
        axis_config={"color": style.MUTED, "include_tip": False},
        y_axis_config={"include_ticks": True, "tick_size": 0.05},
        x_axis_config={"include_ticks": False},
    )
    ticks = VGroup(
        *[
            MathTex(f"10^{{{e}}}", color=style.MUTED)
            .scale(0.62)
            .next_to(axes.c2p(0, e - lo), LEFT, 0.1)
            for e in range(lo, hi + 1, 2)
        ]
    )
    line = DashedLine(
        axes.c2p(0, np.log10(finish) - lo),
        axes.c2p(n, np.log10(finish) - lo),
        color=style.INK,
        dash_length=0.06,
    ).set_stroke(width=1.5, opacity=0.7)
    tag = label("finish", size=16, color=style.INK).next_to(line, RIGHT, buff=0.08)
    x_lab = label("step", size=18, color=style.MUTED).next_to(axes, DOWN, buff=0.1)
    x_lab.align_to(axes, RIGHT)
    y_lab = label("loss (log scale)", size=18, color=style.MUTED).next_to(axes, UP, buff=0.3)
    y_lab.align_to(axes, LEFT).shift(LEFT * 0.45)
    steps = np.arange(n + 1)

    def curve(values, color):
        logs = np.log10(np.clip(values, 10.0**lo, 10.0**hi)) - lo

        def draw() -> VMobject:
            k = int(np.clip(step.get_value(), 1, len(values) - 1))
            pts = axes_points(axes, steps[: k + 1], logs[: k + 1])
            return VMobject(stroke_color=color, stroke_width=3).set_points_as_corners(pts)

        return always_redraw(draw)

    curves = VGroup(*[curve(v, style.OPTIMIZER_COLORS[name]) for name, v in losses.items()])
    return VGroup(axes, ticks, line, tag, x_lab, y_lab, curves), axes


NAMES = {"sgd": "SGD", "momentum": "Momentum", "adam": "Adam", "nesterov": "Nesterov",
         "rmsprop": "RMSprop", "gd": "gradient descent"}  # fmt: skip


class OptimizerRace(StillOverlays):
    preset = presets.Race()
    # From high above the valley's near side, so its floor (where the runners go) is in view.
    phi, theta = 38, -100
    zoom = 0.85

    def construct(self):
        p = self.preset
        runners = presets.race(p)
        by_name = {r.name: r for r in runners}
        s = get(p.surface)
        # The surface's own view, reaching far enough back for every runner's path:
        # Adam's first step (lr in each coordinate) lands on the view's far edge.
        (x0, x1), (y0, y1) = s.domain
        pts = np.vstack([r.trajectory.positions for r in runners])
        domain = ((min(x0, pts[:, 0].min()), max(x1, pts[:, 0].max())),
                  (min(y0, pts[:, 1].min()), max(y1, pts[:, 1].max() + 0.25)))  # fmt: skip
        land = Landscape(s, resolution=40, heights="log", log_scale=1.0, opacity=1.0,
                         show_axes=False, x_length=6.5, y_length=6.5, z_length=2.0,
                         domain=domain)  # fmt: skip
        land.shift(-land.mesh.get_center() + LEFT * 3.65 + DOWN * 0.2)
        k = ValueTracker(0)
        tracers = {}
        for name in p.runners:
            r = by_name[name]
            tr = PathTracer(
                r.trajectory.positions,
                lambda q: land.to_scene(q, lift=0.05),
                color=style.OPTIMIZER_COLORS[name],
                radius=0.09,
                stroke_width=3,
            )
            # A flat dot turned to face the camera looks as a sphere does here (no shading)
            # and is one shape to draw instead of 64 faces, on every frame of the race.
            self.renderer.camera.add_fixed_orientation_mobjects(tr.marker)
            # Still until the start: an updater makes Manim redraw a mobject every frame.
            tr.clear_updaters()
            tracers[name] = tr
        star = Star(n=5, outer_radius=0.14, color=style.GOOD, fill_opacity=1)
        star.move_to(land.to_scene(np.array(s.minima[0].point), lift=0.08))
        losses = {name: by_name[name].trajectory.losses for name in p.runners}
        # Up to the decade above the highest loss (Adam's first steps), so no curve leaves the
        # axes for the label above them.
        top = int(np.ceil(np.log10(max(float(v.max()) for v in losses.values()))))
        chart, _ = log_loss_chart(losses, k, p.finish, (-5, top))
        chart.to_corner(UR, buff=0.45)

        def loss_now(name):
            return lambda: float(losses[name][int(min(k.get_value(), len(losses[name]) - 1))])

        rows = VGroup()
        for name in p.runners:
            color = style.OPTIMIZER_COLORS[name]
            rows.add(
                VGroup(
                    label(NAMES[name], size=22, color=color),
                    MathTex(rf"\alpha = {by_name[name].lr:g}", color=color).scale(0.6),
                    Readout("loss", loss_now(name), decimals=3, size=22, color=color),
                )
            )
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.22).next_to(chart, DOWN, buff=0.45)
        # Between the surface and the frame's right edge, the badge column included.
        x0 = 0.25
        columns = [0.0, 1.87, 3.29]  # name, learning rate, loss; the badge follows at 5.18
        for row in rows:
            for part, x in zip(row, columns, strict=True):
                part.move_to([x0 + x, row[0].get_y(), 0], aligned_edge=LEFT)

        def badge_for(row, text, color):
            return label(text, size=20, color=color).move_to(
                [x0 + 5.18, row[0].get_y(), 0], aligned_edge=LEFT
            )

        grid = p.grid
        fair = label(
            f"each α: lowest loss after {p.steps} steps, from the same {len(grid)} rates "
            f"{grid[0]:g} … {grid[-1]:g}",
            size=18,
            color=style.FOOTNOTE,
        ).to_edge(DOWN, buff=0.3)
        order = [r for r in runners if r.finished_at is not None]
        out = [r for r in runners if r.finished_at is None]

        names = [NAMES[name] for name in p.runners]
        # Manim redraws on every frame the first mobject that changes and all that come after
        # it, and caches the rest. So the runners, still until the start, come before the
        # overlays that fade in; from the start on, they, the loss readouts and the chart's
        # curves, which change on every frame, are kept after everything else.
        live = [*tracers.values(), *[row[2] for row in rows], chart[-1]]

        def on_top():
            self.add(*[m for m in live if m in self.mobjects])

        with self.narrate(
            f"A fair race: {', '.join(names[:-1])} and {names[-1]}, each with its best "
            "learning rate from the same grid."
        ) as beat:
            self.bake(land)  # never changes: painted once into the background
            self.reveal(star, run_time=0.5)
            # The chart's frame from the start, empty until the race fills it.
            self.pin(chart[:-1])
            self.play(FadeIn(chart[:-1]), run_time=0.4)
            self.add(*tracers.values())
            # Each runner's row fades in as its name is said.
            for row, name in zip(rows, names, strict=True):
                self.wait_until(beat, name)
                self.pin(*row[:2])
                self.fixed(row[2])
                self.play(*[FadeIn(part, shift=RIGHT * 0.2) for part in row], run_time=0.35)
            self.wait_until(beat, "each")
            self.pin(fair)
            self.play(
                FadeIn(fair, shift=UP * 0.2),
                LaggedStart(*[Indicate(row[1], scale_factor=1.15) for row in rows], lag_ratio=0.4),
                run_time=beat.remaining() * 0.9,
            )

        self.fixed(chart[-1])
        on_top()
        for tr in tracers.values():
            # The race's step first, then the tracer redraws at it.
            tr.add_updater(lambda m: m.step.set_value(k.get_value()))
            tr.add_updater(tr.redraw)
        ordinals = ["1st", "2nd", "3rd", "4th", "5th"]
        first = order[0].finished_at if order else p.steps // 2
        with self.narrate("Go! Loss on a log scale, down to the finish line.") as beat:
            self.play(FadeIn(chart[-1]), run_time=0.5)
            # The race runs while the line is spoken; the leader crosses as it ends.
            self.play(k.animate.set_value(first - 1), run_time=beat.remaining(), rate_func=linear)

        said = []
        if order:
            said.append(
                f"{NAMES[order[0].name]} finishes first"
                + "".join(f", then {NAMES[r.name]}" for r in order[1:])
                + "."
            )
        if out:
            said.append(f"{' and '.join(NAMES[r.name] for r in out)} never gets there.")
        with self.narrate(" ".join(said)) as beat:
            for i, r in enumerate(order):
                if i:
                    self.play(
                        k.animate.set_value(r.finished_at),
                        run_time=beat.until(NAMES[r.name]),
                        rate_func=linear,
                    )
                else:
                    k.set_value(r.finished_at)
                row = rows[p.runners.index(r.name)]
                badge = badge_for(
                    row, f"{ordinals[i]} · {r.finished_at}", style.OPTIMIZER_COLORS[r.name]
                )
                self.pin(badge)
                on_top()
                self.play(FadeIn(badge, scale=1.15), Indicate(tracers[r.name].marker, scale_factor=1.8),
                          run_time=0.6)  # fmt: skip
            # Whoever has not finished runs out the step budget.
            self.play(
                k.animate.set_value(p.steps),
                run_time=beat.until("never") if out else beat.remaining() * 0.8,
                rate_func=linear,
            )
            if out:
                late = VGroup(
                    *[
                        badge_for(rows[p.runners.index(r.name)], "no finish", style.MUTED)
                        for r in out
                    ]
                )
                self.pin(late)
                on_top()
                self.play(FadeIn(late, scale=1.15), run_time=0.6)
            for tr in tracers.values():
                tr.clear_updaters()  # the race is over: still again
        self.fade_to_black()
