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

        readout = Readout("slope  f'(x) =", lambda: slope(x.get_value()), color=style.ACCENT)
        readout.move_to([2.2, 3.2, 0], aligned_edge=LEFT)

        with self.narrate(
            "Let's make feeling the slope precise. Start in one dimension, with a curve f of x."
        ):
            self.play(Create(axes), Create(curve), run_time=2)
            self.play(Write(f_tex))

        tan = always_redraw(tangent)
        with self.narrate(
            "At any point, the tangent line touches the curve and matches its steepness. "
            "Its slope is the derivative, f prime of x."
        ):
            self.play(FadeIn(dot), Create(tan), FadeIn(readout))
            self.play(Write(df_tex))

        arrow = always_redraw(downhill)
        with self.narrate(
            "Slide along the curve. Where the slope is negative, downhill is to the right; "
            "where it is positive, downhill is to the left."
        ) as beat:
            self.add(arrow)
            self.play(
                x.animate.set_value(1.9),
                run_time=beat.remaining() * 0.9,
                rate_func=there_and_back_with_pause,
            )

        # The bottom is found by descent itself, not typed in.
        bottom = float(run(surface, "gd", start=(1.9, 0.0), lr=0.05, steps=500, tol=1e-9).final[0])
        with self.narrate(
            "At the bottom of a valley the slope is zero: there is no downhill direction left."
        ):
            self.play(x.animate.set_value(bottom), run_time=2.5, rate_func=smooth)
            flat = label("slope 0: a minimum", color=style.GOOD).next_to(
                axes.c2p(bottom, f(bottom)), DOWN, buff=0.5
            )
            self.play(FadeIn(flat))
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)


class Partials(StillCameraScene):
    """Partial derivatives as the slopes of two slices through a surface."""

    surface = "himmelblau"
    domain = ((-4.0, 4.0), (-4.0, 4.0))
    point = (-1.0, -1.0)  # where the climber started
    phi, theta, zoom = 65, -60, 0.8

    def construct(self):
        s = get(self.surface)
        land = Landscape(
            s,
            resolution=24,
            domain=self.domain,
            z_range=(0, 260),
            x_length=6,
            y_length=6,
            z_length=3.2,
            opacity=0.55,
            # Axes would be drawn over the terrain (Cairo draws lines last); the
            # floor's level curves give the sense of place instead.
            show_axes=False,
            floor_contours=12,
        )
        land.shift(-land.mesh.get_center() + LEFT * 1.2 + OUT * 0.2)
        p0 = np.array(self.point)
        grad = s.grad(p0)
        here = Dot3D(land.to_scene(p0), radius=0.12, color=style.ACCENT)
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

        with self.narrate(
            "In two dimensions the climber's terrain is a function of x and y, "
            "and the slope depends on which way you face."
        ):
            self.reveal(land, here)
            self.fixed(f_tex)
            self.play(Write(f_tex))

        with self.narrate(
            "Cut the surface along x, holding y fixed. The slope of that slice "
            "is the partial derivative of f with respect to x."
        ):
            self.play(Create(slice_curve(0, X_COLOR)), run_time=1.5)
            self.play(Create(tangent(0, X_COLOR)))
            self.fixed(dfx)
            self.fixed(vx)
            self.play(Write(dfx), FadeIn(vx))

        with self.narrate(
            "Cut along y, holding x fixed, and the slope of that slice is the partial derivative "
            "with respect to y."
        ):
            self.play(Create(slice_curve(1, Y_COLOR)), run_time=1.5)
            self.play(Create(tangent(1, Y_COLOR)))
            self.fixed(dfy)
            self.fixed(vy)
            self.play(Write(dfy), FadeIn(vy))

        grad_tex = (
            formula(
                rf"\nabla f = \begin{{bmatrix}} \partial f / \partial x \\ \partial f / \partial y \end{{bmatrix}}"
                rf" = \begin{{bmatrix}} {grad[0]:.1f} \\ {grad[1]:.1f} \end{{bmatrix}}",
                scale=0.7,
            )
            .to_edge(RIGHT)
            .shift(UP * 0.8)
        )
        with self.narrate(
            "Stack the partial derivatives into one vector and you have the gradient."
        ):
            self.fixed(grad_tex)
            self.play(Write(grad_tex))
        self.fade_to_black()


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
            x_length=6.4,
            y_length=6.4,
        ).to_edge(LEFT, buff=0.5)
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
        # The arrow at the climber is minus the gradient: the way each step goes.
        tracer = PathTracer(
            traj.positions,
            cmap.to_scene,
            color=style.ACCENT,
            footprints=True,
            vectors=-traj.grads,
            vector_length=0.6,
        )
        rule = formula(FORMULAS["gd"], scale=0.85)
        stop = formula(r"\text{stop when } " + STOP_FORMULA, scale=0.7)
        panel_x = 3.6
        rule.move_to([panel_x, 2.4, 0])
        gnorm = Readout(
            "‖∇f‖ =", lambda: float(np.linalg.norm(s.grad(tracer.current()))), decimals=4
        )
        steps = Readout("step", lambda: tracer.step.get_value(), integer=True, color=style.MUTED)
        VGroup(steps, gnorm).arrange(DOWN, aligned_edge=LEFT).move_to([panel_x, 0.2, 0])
        stop.move_to([panel_x, -1.6, 0])
        verdict = label(
            f"stopped after {traj.n_steps} steps: ‖∇f‖ < {self.tol:g}", color=style.GOOD, size=22
        ).next_to(stop, DOWN, buff=0.4)

        with self.narrate(
            "Seen from above, the terrain is a contour map, and the gradient is an arrow at every point. "
            "Each arrow points uphill, straight across the contour lines."
        ):
            self.play(Create(cmap.lines, lag_ratio=0.02), FadeIn(cmap.axes), run_time=2)
            self.add(cmap)
            self.play(LaggedStart(*[GrowArrow(a) for a in arrows], lag_ratio=0.01), run_time=2.5)

        with self.narrate(
            "To go down, step against the gradient, scaled by a small learning rate, alpha. "
            "That is the whole algorithm."
        ):
            self.play(arrows.animate.set_opacity(0.35), Write(rule), run_time=1.5)
            self.add(tracer)
            self.play(FadeIn(tracer.marker, scale=0.5))

        with self.narrate(
            "Repeat it, and watch the gradient shrink as the ground flattens. "
            "We stop when its length falls below a tolerance, or when the step budget runs out."
        ) as beat:
            self.play(FadeIn(steps), FadeIn(gnorm), Write(stop))
            self.play(tracer.walk(run_time=beat.remaining() * 0.85, rate_func=smooth))
            self.play(FadeIn(verdict))
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)
