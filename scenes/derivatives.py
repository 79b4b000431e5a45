"""Section 2: derivatives and gradients.

``Derivative1D``: a tangent line slides along a curve with a live slope readout.
``Partials``: two slices through the climber's terrain and their slopes.
``GradientField``: gradient arrows over the contour map, the update rule, and
when to stop. Every slope, arrow and formula comes from ``surfaces`` (SymPy)
and every path from ``optim``.
"""

import sympy as sp
from manim import *

from optim import FORMULAS, STOP_FORMULA, run
from scenes.common import style
from scenes.common.fades import fade_out_all
from scenes.common.labels import Readout, formula, label
from scenes.common.landscape import ContourMap, Landscape
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer
from scenes.common.three_d import StillCameraScene
from surfaces import get

X_COLOR = ManimColor("#4CC9F0")
Y_COLOR = ManimColor("#F72585")


class Derivative1D(NarratedScene, Scene):
    """The derivative as the slope of a sliding tangent line."""

    function = "x**4/4 - x**2 + x/2 + 1"
    x_range = (-2.1, 2.1)
    # Where the point rests while the voice names each sign: f' > 0 there, then f' < 0.
    positive_at, negative_at = -0.7, 0.85

    def construct(self):
        surface = get(self.function)  # a function of x alone: y never appears

        def f(x):
            return float(surface(np.array([x, 0.0])))

        def slope(x):
            return float(surface.grad(np.array([x, 0.0]))[0])

        xs = np.linspace(*self.x_range, 200)
        ys = surface(np.stack([xs, np.zeros_like(xs)], axis=-1))
        pad = 0.15 * (ys.max() - ys.min())
        axes = Axes(
            x_range=[*self.x_range, 1],
            y_range=[ys.min() - pad, ys.max() + pad, 1],
            x_length=8,
            y_length=4.2,
            axis_config={"color": style.MUTED, "include_tip": False},
        ).to_edge(DOWN, buff=0.6)
        curve = axes.plot(f, x_range=self.x_range, color=style.INK, stroke_width=3)
        f_tex = formula(r"f(x) = " + surface.latex).to_corner(UL)
        df_tex = formula(r"f'(x) = " + sp.latex(surface.gradient_exprs[0]))
        df_tex.next_to(f_tex, DOWN, aligned_edge=LEFT)

        x = ValueTracker(-1.6)
        dot = always_redraw(
            lambda: Dot(axes.c2p(x.get_value(), f(x.get_value())), color=style.ACCENT)
        )

        def tangent():
            # A fixed length on screen, however steep: the slope shows as the angle.
            x0 = x.get_value()
            p = axes.c2p(x0, f(x0))
            d = axes.c2p(x0 + 1, f(x0) + slope(x0)) - p
            d = 1.1 * d / np.linalg.norm(d)
            return Line(p - d, p + d, color=style.ACCENT)

        def downhill():
            x0, s = x.get_value(), slope(x.get_value())
            if abs(s) < 0.05:
                return VGroup()
            p = axes.c2p(x0, f(x0)) + DOWN * 0.35
            return Arrow(p, p + 0.7 * RIGHT * -np.sign(s), buff=0, color=style.DESCENT)

        readout = Readout(
            "slope  f'(x) =",
            lambda: slope(x.get_value()),
            color=style.ACCENT,
        )
        readout.move_to([2.2, 3.2, 0], aligned_edge=LEFT)
        names = axes.get_axis_labels(
            formula("x", color=style.MUTED, scale=0.8),
            formula("f(x)", color=style.MUTED, scale=0.8),
        )

        with self.narrate("Start in one dimension: a curve, f of x.") as beat:
            self.play(Create(axes), FadeIn(names), run_time=beat.until("dimension"))
            self.play(Create(curve), run_time=beat.until("f"))
            self.play(Write(f_tex), run_time=beat.remaining(minimum=0.8))

        tan = always_redraw(tangent)
        with self.narrate(
            "The tangent line matches the curve's steepness: its slope is the derivative, "
            "f prime of x."
        ) as beat:
            self.play(FadeIn(dot, scale=2), Create(tan), run_time=beat.until("matches"))
            # Rock the point a little: the line keeps touching and turns with the curve.
            self.play(
                x.animate.set_value(-1.1), run_time=beat.until("slope"), rate_func=there_and_back
            )
            self.play(FadeIn(readout), run_time=beat.until("derivative"))
            self.play(Write(df_tex), run_time=beat.remaining(minimum=1.0))

        arrow = always_redraw(downhill)
        with self.narrate(
            "Where the slope is positive, downhill is to the left; where negative, to the right."
        ) as beat:
            self.add(arrow)
            # Each sign is on screen as it is named: at the positive slope (arrow
            # left) by "positive", at the negative one (arrow right) by "negative".
            self.play(
                x.animate.set_value(self.positive_at),
                run_time=beat.until("positive"),
                rate_func=smooth,
            )
            self.wait_until(beat, "left")
            self.play(
                x.animate.set_value(self.negative_at),
                run_time=beat.until("negative") + 0.2,
                rate_func=smooth,
            )

        # The bottom is found by descent itself, not typed in.
        bottom = float(
            run(surface, "gd", start=(self.negative_at, 0.0), lr=0.05, steps=500, tol=1e-9).final[0]
        )
        # Below the x-axis, where the graph leaves room, pointing up at the bottom:
        # clear of the curve, the level tangent and the axis line.
        at_bottom = axes.c2p(bottom, f(bottom))
        flat_text = label("slope 0: a minimum", color=style.GOOD).move_to(
            axes.c2p(bottom, ys.min() / 2 - pad)
        )
        flat = VGroup(
            flat_text,
            Arrow(
                flat_text.get_top(),
                at_bottom + DOWN * 0.12,
                buff=0.08,
                color=style.GOOD,
                stroke_width=3,
                max_tip_length_to_length_ratio=0.2,
            ),
        )
        # The dip the point slides into is a minimum, not the curve's lowest point:
        # "a minimum", which is what the label says.
        with self.narrate("At a minimum the slope is zero: no direction is downhill.") as beat:
            self.play(x.animate.set_value(bottom), run_time=beat.until("zero"), rate_func=smooth)
            self.play(FadeIn(flat, shift=DOWN * 0.1), Indicate(readout.value), run_time=1.2)
        fade_out_all(self)


class Partials(StillCameraScene):
    """Partial derivatives as the slopes of two slices through a surface."""

    surface = "himmelblau"
    domain = ((-4.0, 4.0), (-4.0, 4.0))
    point = (-1.0, -1.0)  # where the climber started
    phi, theta, zoom = 62, -60, 0.85

    @classmethod
    def top(cls, s) -> float:
        """The highest loss on the drawn domain (a 101 x 101 grid of it)."""
        (x0, x1), (y0, y1) = cls.domain
        gx, gy = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
        return float(s(np.stack([gx, gy], axis=-1)).max())

    def construct(self):
        s = get(self.surface)
        # The height scale reaches the surface's highest point on this domain
        # (f(0, -4) = 306 on the front rim): a lower top clipped the rim into a
        # flat pale ledge with a sawtooth edge, one face at a time.
        top = self.top(s)
        land = Landscape(
            s,
            resolution=32,
            domain=self.domain,
            z_range=(0, top),
            x_length=6,
            y_length=6,
            z_length=3.2 * top / 260,
            opacity=0.8,
            # Cairo draws lines after the faces, so axes through the terrain or
            # contours on the floor would show through its walls. The x and y
            # directions are drawn instead along the floor's two front edges,
            # which the terrain never covers from this camera.
            show_axes=False,
        )
        # Moved one unit left on screen (the camera's left, for theta = -60 degrees)
        # and a little up: the readouts bottom right and the formulas top left
        # stay clear of the terrain and its x and y arrows.
        screen_left = np.array([-np.sin(-self.theta * DEGREES), -np.cos(-self.theta * DEGREES), 0])
        land.shift(-land.mesh.get_center() + 1.0 * screen_left + OUT * 0.6)
        (x0, x1), (y0, y1) = self.domain
        pad = 0.6

        def floor(x, y):
            return land.axes_point(np.array(x), np.array(y), land.z_lo)

        x_axis = Arrow(
            floor(x0, y0 - pad), floor(x1 + 0.8, y0 - pad), buff=0, color=X_COLOR, stroke_width=4
        )
        y_axis = Arrow(
            floor(x1 + pad, y0), floor(x1 + pad, y1 + 0.8), buff=0, color=Y_COLOR, stroke_width=4
        )
        x_name = formula("x", color=X_COLOR).move_to(floor(x1 + 1.3, y0 - pad))
        y_name = formula("y", color=Y_COLOR).move_to(floor(x1 + pad, y1 + 1.3))

        p0 = np.array(self.point)
        grad = s.grad(p0)
        here = Dot3D(land.to_scene(p0), radius=0.14, color=style.ACCENT)
        for face in here.family_members_with_points():
            face.shade_in_3d = False  # drawn over the translucent terrain, never inside it

        def slice_curve(axis: int, color) -> VMobject:
            t = np.linspace(*self.domain[axis], 80)
            pts = np.repeat(p0[None], len(t), axis=0)
            pts[:, axis] = t
            return VMobject(stroke_color=color, stroke_width=4).set_points_smoothly(
                land.to_scene(pts)
            )

        def tangent(axis: int, color) -> Line:
            d = np.zeros(2)
            d[axis] = 1.2
            a, b = p0 - d, p0 + d
            za, zb = s(p0) - 1.2 * grad[axis], s(p0) + 1.2 * grad[axis]
            return Line(
                land.axes_point(a[0], a[1], za),
                land.axes_point(b[0], b[1], zb),
                color=color,
                stroke_width=5,
            )

        f_tex = formula(r"f(x, y) = " + s.latex, scale=0.6).to_corner(UL)
        dfx = formula(
            r"\frac{\partial f}{\partial x} = " + sp.latex(s.gradient_exprs[0]),
            scale=0.6,
            color=X_COLOR,
        )
        dfy = formula(
            r"\frac{\partial f}{\partial y} = " + sp.latex(s.gradient_exprs[1]),
            scale=0.6,
            color=Y_COLOR,
        )
        VGroup(dfx, dfy).arrange(DOWN, aligned_edge=LEFT).next_to(f_tex, DOWN, aligned_edge=LEFT)
        at = f"({self.point[0]:g}, {self.point[1]:g})"
        vx = (
            label(f"slope along x at {at}:  {grad[0]:.1f}", color=X_COLOR)
            .to_corner(DR)
            .shift(UP * 0.6)
        )
        vy = label(f"slope along y at {at}:  {grad[1]:.1f}", color=Y_COLOR).to_corner(DR)

        def on_top():
            # Re-added last, so it is drawn over the slices and tangents through it.
            self.remove(here)
            self.add(here)

        with self.narrate(
            "In two dimensions, f depends on x and y, and the slope on which way you face."
        ) as beat:
            # Up from black at once: the terrain is there as "two dimensions" is said.
            self.reveal(land, run_time=0.5)
            self.fixed(f_tex)
            self.play(Write(f_tex), run_time=beat.until("x"))
            self.add_fixed_orientation_mobjects(x_name, y_name)
            self.play(GrowArrow(x_axis), FadeIn(x_name), run_time=beat.until("y"))
            self.play(GrowArrow(y_axis), FadeIn(y_name), run_time=beat.until("slope"))
            self.play(FadeIn(here, scale=3), run_time=beat.until("which"))
            self.play(Flash(here, color=style.ACCENT, flash_radius=0.35), run_time=1.0)

        with self.narrate(
            "Slice along x, holding y fixed: that slice's slope is the partial derivative "
            "with respect to x."
        ) as beat:
            self.play(
                Create(slice_curve(0, X_COLOR)),
                # A flash of colour, not a swell: scaled, the arrow ran over its letter.
                Indicate(x_axis, color=style.INK, scale_factor=1.0),
                run_time=beat.until("slope"),
            )
            self.play(Create(tangent(0, X_COLOR)), run_time=beat.until("partial"))
            on_top()
            self.fixed(dfx)
            self.fixed(vx)
            self.play(Write(dfx), FadeIn(vx), run_time=2.0)

        with self.narrate(
            "Along y, holding x fixed: the partial derivative with respect to y."
        ) as beat:
            self.play(
                Create(slice_curve(1, Y_COLOR)),
                Indicate(y_axis, color=style.INK, scale_factor=1.0),
                run_time=beat.until("partial"),
            )
            self.play(Create(tangent(1, Y_COLOR)), run_time=beat.until("respect"))
            on_top()
            self.fixed(dfy)
            self.fixed(vy)
            self.play(Write(dfy), FadeIn(vy), run_time=beat.remaining(minimum=1.2))

        grad_tex = (
            formula(
                rf"\nabla f = \begin{{bmatrix}} \partial f / \partial x \\ \partial f / \partial y \end{{bmatrix}}"
                rf" = \begin{{bmatrix}} {grad[0]:.1f} \\ {grad[1]:.1f} \end{{bmatrix}}",
                scale=0.7,
            )
            .to_edge(RIGHT)
            .shift(UP * 0.8)
        )
        with self.narrate("Stack them into one vector: the gradient.") as beat:
            self.fixed(grad_tex)
            self.play(Write(grad_tex), run_time=beat.until("gradient"))
            # Indicate, not Circumscribe: its frame would not be pinned to the screen.
            self.play(Indicate(grad_tex, color=style.ACCENT, scale_factor=1.1), run_time=1.2)
        self.fade_to_black(run_time=0.6)


class GradientField(NarratedScene, Scene):
    """The gradient field over the contour map, the update rule, and the stopping rule."""

    surface = "himmelblau"
    start = (-1.0, -1.0)
    lr = 0.005
    tol = 1e-3
    grid = 13

    def construct(self):
        s = get(self.surface)
        cmap = ContourMap(
            s,
            heights="log",
            log_scale=20,
            levels=14,
            x_length=7.0,
            y_length=7.0,
        ).to_edge(LEFT, buff=0.4)
        (x0, x1), (y0, y1) = s.domain
        gx, gy = np.meshgrid(
            np.linspace(x0, x1, self.grid + 2)[1:-1], np.linspace(y0, y1, self.grid + 2)[1:-1]
        )
        pts = np.stack([gx, gy], axis=-1).reshape(-1, 2)
        g = s.grad(pts)
        norm = np.linalg.norm(g, axis=-1)
        # Arrow length grows with the gradient, compressed so both gentle and
        # steep regions stay readable; direction is exact.
        length = 0.12 + 0.3 * (norm / norm.max()) ** 0.4
        per_unit = (x1 - x0) / cmap.axes.x_length  # surface units per scene unit
        ends = pts + g / norm[:, None] * (length * per_unit)[:, None]
        arrows = VGroup(
            *[
                Arrow(
                    a,
                    b,
                    buff=0,
                    stroke_width=2.5,
                    color=style.GRADIENT,
                    max_tip_length_to_length_ratio=0.35,
                )
                for a, b in zip(cmap.to_scene(pts), cmap.to_scene(ends), strict=True)
            ]
        )

        traj = run(s, "gd", start=self.start, lr=self.lr, steps=200, tol=self.tol)
        # The arrow at the climber is minus the gradient, the way each step goes,
        # in TRUE PROPORTION: one fixed scale for the whole walk, chosen so the
        # largest gradient on the path draws ``longest`` scene units. As the
        # readout falls from ~50 to under the tolerance, the arrow shrinks with it
        # (to a point at the end), which is what the narration asks us to watch.
        longest = 1.0
        per_unit = (x1 - x0) / cmap.axes.x_length  # surface units per scene unit
        g_scale = longest * per_unit / float(np.linalg.norm(traj.grads, axis=-1).max())
        peak = int(np.argmax(np.linalg.norm(traj.grads, axis=-1)))  # the steepest step
        tracer = PathTracer(
            traj.positions,
            cmap.to_scene,
            color=style.ACCENT,
            footprints=True,
            vectors=-traj.grads * g_scale,
        )
        here = cmap.to_scene(traj.positions[0])
        up0 = Arrow(
            here,
            cmap.to_scene(traj.positions[0] + traj.grads[0] * g_scale),
            buff=0,
            color=style.GRADIENT,
            stroke_width=4,
            max_tip_length_to_length_ratio=0.3,
        )
        down0 = Arrow(
            here,
            cmap.to_scene(traj.positions[0] - traj.grads[0] * g_scale),
            buff=0,
            color=style.DESCENT,
            stroke_width=4,
            max_tip_length_to_length_ratio=0.3,
        )
        # The arrows' names sit on a plate of the background, off their tips, so no
        # contour line runs through them.
        up_tex = formula(r"\nabla f", scale=0.95, color=style.GRADIENT)
        up_tex.add_background_rectangle(color=style.BACKGROUND, opacity=0.85, buff=0.06)
        up_tex.next_to(here, UL, 0.04)  # behind the arrow: clear of the axis and the small contour
        down_tex = formula(r"-\nabla f", scale=0.95, color=style.DESCENT)
        down_tex.add_background_rectangle(color=style.BACKGROUND, opacity=0.85, buff=0.06)
        down_tex.next_to(down0.get_end(), DL, 0.04)
        panel_x = 3.8
        # The gradient from the last scene, on the right as the voice names it.
        grad_def = formula(
            r"\nabla f = \begin{bmatrix} \partial f / \partial x \\ \partial f / \partial y \end{bmatrix}",
            scale=0.7,
            color=style.GRADIENT,
        ).move_to([panel_x, 2.7, 0])
        rule = formula(FORMULAS["gd"], scale=0.85)
        stop = formula(r"\text{stop when } " + STOP_FORMULA, scale=0.7)
        rule.move_to([panel_x, 1.4, 0])
        gnorm = Readout(
            "‖∇f‖ =",
            lambda: float(np.linalg.norm(s.grad(tracer.current()))),
            decimals=4,
        )
        steps = Readout(
            "step",
            lambda: tracer.step.get_value(),
            integer=True,
            color=style.MUTED,
        )
        VGroup(steps, gnorm).arrange(DOWN, aligned_edge=LEFT).move_to([panel_x, -0.1, 0])
        stop.move_to([panel_x, -1.7, 0])
        verdict = label(
            f"stopped after {traj.n_steps} steps: ‖∇f‖ < {self.tol:g}", color=style.GOOD, size=22
        ).next_to(stop, DOWN, buff=0.4)

        # One arrow to look at closely: the one nearest the climber's start, and
        # the level curve through its foot (the nearest drawn contour).
        pick = int(np.argmin(np.linalg.norm(pts - np.array(self.start), axis=-1)))
        foot = cmap.to_scene(pts[pick])

        def distance(line):
            return float(np.min(np.linalg.norm(line.points - foot, axis=1)))

        level = min(cmap.lines, key=distance)
        # The point the arrow is drawn at, visible under its tail.
        foot_dot = Dot(foot, radius=0.07, color=style.INK)

        with self.narrate(
            "Seen from above: a contour map, with the gradient as an arrow at every point, "
            "pointing uphill across the contours."
        ) as beat:
            # The whole map at once, there as it is named (drawn line by line, it was
            # still scattered pieces when the voice said "contour map").
            self.play(FadeIn(cmap.lines), FadeIn(cmap.axes), run_time=beat.until("contour") + 0.2)
            self.add(cmap)
            self.play(Write(grad_def), run_time=beat.until("arrow"))
            self.play(
                LaggedStart(*[GrowArrow(a) for a in arrows], lag_ratio=0.01),
                run_time=beat.until("pointing"),
            )
            focus = arrows[pick]
            others = VGroup(*[a for i, a in enumerate(arrows) if i != pick])
            self.play(
                others.animate.set_opacity(0.25),
                focus.animate.set_opacity(1).scale(2.5, about_point=focus.get_start()),
                FadeIn(foot_dot, scale=2),
                run_time=beat.until("across"),
            )
            glow = level.copy().set_stroke(color=style.INK, width=5)
            self.play(ShowPassingFlash(glow, time_width=0.5), run_time=beat.remaining(minimum=1.2))

        # Between the lines: the map's dot slides to the climber's start and becomes
        # the climber (one dot, never two), the readouts start there (step 0 and its
        # gradient), and the gradient there is drawn and named.
        self.play(
            focus.animate.set_opacity(0.25).scale(1 / 2.5, about_point=focus.get_start()),
            ReplacementTransform(foot_dot, tracer.marker),
            FadeIn(steps),
            FadeIn(gnorm),
            run_time=0.5,
        )
        self.play(GrowArrow(up0), FadeIn(up_tex), run_time=0.6)
        with self.narrate(
            "To go down, step against it, scaled by a learning rate, alpha: "
            "that is the whole algorithm."
        ) as beat:
            self.wait_until(beat, "step")
            # One name at a time: the gradient's leaves, the arrow turns round, and
            # only then is it named minus the gradient. The rule is written from
            # "step" to "algorithm", as the voice says its parts.
            swing = beat.until("scaled") - 0.25
            self.play(
                Succession(
                    FadeOut(up_tex, run_time=0.25),
                    ReplacementTransform(up0, down0, path_arc=PI, run_time=swing),
                    FadeIn(down_tex, run_time=0.4),
                ),
                Write(rule, run_time=beat.until("algorithm")),
            )
            self.play(Circumscribe(rule, color=style.ACCENT, buff=0.12), run_time=1.2)
            self.remove(tracer.marker, down0)
            self.add(tracer)

        with self.narrate(
            "Repeat: the gradient grows, then shrinks to nothing. "
            "Stop when it falls below a tolerance, or the step budget runs out."
        ) as beat:
            self.play(FadeOut(down_tex), run_time=0.4)
            # It grows to its peak as "grows" is said, then shrinks to the tolerance.
            self.play(tracer.walk(to=peak, run_time=beat.until("then"), rate_func=rush_into))
            self.play(
                tracer.walk(run_time=beat.until("tolerance"), rate_func=rush_from),
                Succession(Wait(beat.until("stop")), Write(stop, run_time=1.2)),
            )
            self.play(
                FadeIn(verdict), Indicate(gnorm, color=style.GOOD), run_time=beat.until("budget")
            )
            self.play(Indicate(steps), run_time=1.0)
        fade_out_all(self)
