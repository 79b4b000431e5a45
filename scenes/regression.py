"""Section 7: linear regression from scratch on real weather data.

``WeatherLine``: the data (today's high against tomorrow's, all 1,460 days),
the model ``y_hat = w x + b``, the mean squared error and its two partial
derivatives (SymPy, from the per-example loss the code uses), and the loss
as a function of ``w`` alone, a parabola with a sliding tangent.

``WeatherBowl``: the MSE bowl over ``(w, b)`` in 3D with gradient descent on
it while the fitted line moves in sync; the raw bowl is a trench where descent
crawls, the standardised one is round and descent lands on the least-squares
line; and a learning rate past the stability limit diverges.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from manim import *

from optim import run
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.dot_cloud import dot_cloud
from scenes.common.labels import Readout, formula, label
from scenes.common.landscape import Landscape
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer
from scenes.common.three_d import StillCameraScene
from scenes.common.weather import START, WeatherPlot, condition_number, standardized
from surfaces import get
from surfaces.data import SAMPLE_LOSS, b, w

#: SymPy's term order for printing: graded, so ``w x_i`` comes before ``b`` as in
#: the model ``y_hat = w x + b`` (its default puts ``b`` first).
ORDER = "grlex"


def loss_latex(n: int) -> str:
    """The mean of the per-example loss the code differentiates, as SymPy prints it."""
    return rf"\frac{{1}}{{{n}}} \sum_{{i=1}}^{{{n}}} {sp.latex(SAMPLE_LOSS, order=ORDER)}"


def gradient_latex(variable: sp.Symbol, n: int) -> str:
    """``dL/dv`` as SymPy derives it from the per-example loss the code differentiates."""
    term = sp.latex(sp.factor(sp.diff(SAMPLE_LOSS, variable)), order=ORDER)
    return (
        rf"\frac{{\partial L}}{{\partial {variable}}} = \frac{{1}}{{{n}}}"
        rf"\sum_{{i=1}}^{{{n}}} {term}"
    )


def legible_ticks(plot: WeatherPlot, factor: float) -> None:
    """Scale the axes' numbers up, each kept against its axis."""
    for n in plot.axes.x_axis.numbers:
        n.scale(factor, about_edge=UP)
    for n in plot.axes.y_axis.numbers:
        n.scale(factor, about_edge=RIGHT)


def layered_days(plot: WeatherPlot) -> list[np.ndarray]:
    """Swap the plot's 1,460 Dots for a few dot clouds, and return which days each holds.

    A VGroup of Dots costs Cairo 1,460 draws a frame whenever the scatter moves or
    grows; a dot cloud is one draw. But a cloud fills overlapping circles once, and
    temperatures come in half degrees, so many days share a spot: the day that is the
    k-th at its spot goes in the k-th cloud, and the clouds stack as the Dots did,
    brighter where days coincide.
    """
    first = plot.dots[0]
    centres = np.array([d.get_center() for d in plot.dots])
    _, spot = np.unique(centres.round(6), axis=0, return_inverse=True)
    rank = np.zeros(len(centres), dtype=int)
    seen: dict[int, int] = {}
    for i, k in enumerate(spot.ravel()):
        rank[i] = seen.get(k, 0)
        seen[k] = rank[i] + 1
    layers = [np.flatnonzero(rank == r) for r in range(rank.max() + 1)]
    plot.remove(plot.dots)
    plot.dots = VGroup(
        *[
            dot_cloud(
                centres[days],
                radius=first.width / 2,
                color=first.get_fill_color(),
                opacity=first.get_fill_opacity(),
            )
            for days in layers
        ]
    )
    plot.add(plot.dots)
    return layers


def quadrant_line(plot: WeatherPlot, w: float, b: float, **kwargs) -> Line:
    """``plot.line(w, b)`` cut where it leaves the quadrant the axes draw (x, y >= 0),
    so it never runs left of the y-axis or under the x-axis."""
    line = plot.line(w, b, **kwargs)
    a, c = line.get_start(), line.get_end()
    origin = plot.axes.c2p(0, 0)
    lo, hi = 0.0, 1.0
    for i in (0, 1):  # keep the part of a + t (c - a) with coordinate i >= the origin's
        da = a[i] - origin[i]
        dc = c[i] - origin[i]
        if da < 0 and dc < 0:
            return line.set_opacity(0)  # wholly outside: nothing to draw
        if da < 0:
            lo = max(lo, da / (da - dc))
        elif dc < 0:
            hi = min(hi, da / (da - dc))
    if lo >= hi:
        return line.set_opacity(0)
    return line.put_start_and_end_on(a + lo * (c - a), a + hi * (c - a))


class WeatherLine(NarratedScene, Scene):
    """The data, the line, the loss, its derivatives, and the parabola in ``w``."""

    surface = "mse"
    start = START
    n_residuals = 60
    seed = 7
    w_span = (-0.5, 1.7)
    rest_samples = 2001  # w values searched for where the tangent comes to rest

    def construct(self):
        s = get(self.surface)
        data = s.dataset
        n = len(data)
        w0, b0 = self.start

        plot = WeatherPlot(x_length=6.0, y_length=6.0).to_edge(LEFT, buff=0.8).shift(DOWN * 0.3)
        legible_ticks(plot, 1.7)
        source = label("Seattle, 2012–2015 · NOAA daily records", size=20, color=style.MUTED)
        source.next_to(plot.axes, UP, buff=0.25).align_to(plot.axes, LEFT)
        layers = layered_days(plot)
        shown = ValueTracker(0)

        # The line's w moves with a tracker (b stays at the guess): the tangent
        # on the parabola and the line on the scatter read the same tracker.
        w_now = ValueTracker(w0)
        fit = always_redraw(lambda: quadrant_line(plot, w_now.get_value(), b0))

        col = 3.6  # centre of the right-hand column
        model = formula(r"\hat y = w\,x + b", scale=0.95).move_to([col, 3.2, 0])
        loss_tex = formula(r"L(w, b) = " + loss_latex(n), scale=0.62).move_to([col, 2.35, 0])
        dw_tex = formula(gradient_latex(w, n), scale=0.58, color=style.GRADIENT)
        db_tex = formula(gradient_latex(b, n), scale=0.58, color=style.GRADIENT)
        # Right of the column's centre, to make room for the tag naming who derived them.
        derivs = VGroup(dw_tex, db_tex).arrange(DOWN, buff=0.25).move_to([col + 0.5, 0.8, 0])
        sympy_tag = label("SymPy:", size=20, color=style.MUTED).next_to(derivs, LEFT, buff=0.15)
        loss_now = Readout(
            "L =",
            lambda: float(s(np.array([w_now.get_value(), b0]))),
            decimals=2,
            size=22,
        )
        # The plot's top-left corner holds no days: room for the readout, clear of the axis.
        loss_now.move_to(plot.axes.c2p(2.5, 36), aligned_edge=LEFT)

        rng = np.random.default_rng(self.seed)
        picked = rng.choice(n, self.n_residuals, replace=False)
        residuals = VGroup(
            *[
                Line(
                    axes_points(plot.axes, data.x[i], data.y[i]),
                    axes_points(plot.axes, data.x[i], w0 * data.x[i] + b0),
                    color=style.GRADIENT,
                    stroke_width=1.6,
                    stroke_opacity=0.8,
                )
                for i in picked
            ]
        )

        # The scatter opens centred, and moves left as the model is written beside it.
        centred = RIGHT * (-VGroup(plot, source).get_center()[0])
        plot.shift(centred)
        source.shift(centred)
        with self.narrate(
            f"{n:,} days of Seattle weather: today's high against tomorrow's."
        ) as beat:
            self.play(Create(plot.axes), FadeIn(plot.x_label, plot.y_label, source), run_time=1.2)
            # The first k days, in date order: of each cloud's circles, those of days < k.
            every = [cloud.points.copy() for cloud in plot.dots]
            per_day = len(every[0]) // len(layers[0])

            def grow(group: VGroup) -> None:
                k = int(shown.get_value())
                for cloud, pts, days in zip(group, every, layers, strict=True):
                    cloud.set_points(pts[: int(np.searchsorted(days, k)) * per_day])

            days = plot.dots.copy().add_updater(grow)
            self.add(days)
            self.play(
                shown.animate.set_value(n), run_time=beat.remaining() * 0.95, rate_func=linear
            )
        # The drawn-in dots become the plot itself from here on.
        self.clear()
        self.add(plot, source)

        with self.narrate("Nearly a straight line, so fit y hat equals w x plus b.") as beat:
            self.play(
                plot.animate.shift(-centred),
                source.animate.shift(-centred),
                run_time=beat.until("so"),
            )
            self.play(Write(model), run_time=beat.until("plus"))
            self.play(Create(fit), run_time=beat.remaining(minimum=1.0))

        with self.narrate(
            "From a poor guess, square each day's error and average: the mean squared error."
        ) as beat:
            # A flash along the line, not a pulse that would grow it past the axes.
            self.play(
                ShowPassingFlash(
                    quadrant_line(plot, w0, b0, color=style.INK, stroke_width=8), time_width=0.6
                ),
                run_time=beat.until("square"),
            )
            # The gaps from line to dot as the errors are named, the formula as they
            # are averaged, and its value as the loss is named.
            self.play(Create(residuals, lag_ratio=0.05), run_time=beat.until("and average"))
            self.play(Write(loss_tex), run_time=beat.until("the mean"))
            self.play(
                FadeIn(loss_now, shift=UP * 0.1),
                Indicate(loss_tex, color=None),
                run_time=beat.remaining(minimum=0.8),
            )

        with self.narrate("SymPy derives its slopes, along w and along b.") as beat:
            self.play(FadeOut(residuals), FadeIn(sympy_tag), run_time=0.5)
            self.play(Write(dw_tex), run_time=beat.until("and along"))
            self.play(Write(db_tex), run_time=min(1.2, beat.remaining() * 0.8))

        # The parabola: L(w, b0) over a span of w, with the tangent at the tracker.
        ws = np.linspace(*self.w_span, 200)
        slice_loss = s(np.stack([ws, np.full_like(ws, b0)], axis=-1))
        top = float(slice_loss.max())
        chart = Axes(
            x_range=[self.w_span[0], self.w_span[1], 0.5],
            y_range=[0, top * 1.05, top / 2],
            x_length=4.6,
            y_length=2.3,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False},
        ).move_to([col, -2.2, 0])
        parabola = VMobject(stroke_color=style.INK, stroke_width=3).set_points_smoothly(
            axes_points(chart, ws, slice_loss)
        )
        chart_title = formula(rf"L(w,\ b = {b0:g})", scale=0.55, color=style.MUTED)
        chart_title.next_to(chart, UP, buff=0.08).align_to(chart, LEFT)
        w_axis = formula("w", scale=0.6, color=style.MUTED).next_to(chart.x_axis, RIGHT, buff=0.1)

        def here() -> np.ndarray:
            return np.array([w_now.get_value(), b0])

        def tangent() -> VGroup:
            p = here()
            slope = float(s.grad(p)[0])
            a = axes_points(chart, p[0], float(s(p)))
            # A fixed on-screen length, along the tangent's direction on the chart.
            d = axes_points(chart, p[0] + 1e-3, float(s(p)) + 1e-3 * slope) - a
            d = d / np.linalg.norm(d) * 0.7
            return VGroup(
                Line(a - d, a + d, color=style.GRADIENT, stroke_width=4),
                Dot(a, radius=0.07, color=style.ACCENT),
            )

        slope_now = Readout(
            "∂L/∂w =",
            lambda: float(s.grad(here())[0]),
            decimals=1,
            size=20,
            color=style.GRADIENT,
        )
        slope_now.next_to(chart, UP, buff=0.08).align_to(chart, RIGHT)
        # Where the tangent comes to rest: the lowest point of the drawn slice.
        # (on a fine grid, so the slope there reads as flat as the tangent looks)
        fine = np.linspace(*self.w_span, self.rest_samples)
        fine_loss = s(np.stack([fine, np.full_like(fine, b0)], axis=-1))
        w_rest = float(fine[np.argmin(fine_loss)])
        rule = formula(
            r"w \leftarrow w - \alpha\,\frac{\partial L}{\partial w}",
            scale=0.62,
            color=style.DESCENT,
        )
        rule.move_to([col, 0.95, 0])

        with self.narrate("Fix b, and the loss in w alone is a parabola.") as beat:
            # dL/db stays up while the chart is drawn: it leaves as b is held fixed.
            self.play(
                Create(chart),
                Write(w_axis),
                FadeIn(chart_title),
                run_time=beat.until("the loss"),
            )
            self.play(
                Create(parabola),
                FadeOut(db_tex),
                FadeOut(sympy_tag),
                run_time=beat.until("parabola"),
            )
            tan = always_redraw(tangent)
            self.play(FadeIn(tan), FadeIn(slope_now), run_time=beat.remaining(minimum=0.6))

        with self.narrate(
            "Step against the slope: w slides down the curve, and the line swings up."
        ) as beat:
            # dL/dw keeps its size (its subscripts stay legible); the rule goes below it.
            self.play(
                FadeIn(rule.next_to(dw_tex, DOWN, buff=0.3), shift=DOWN * 0.1),
                run_time=beat.until("w slides"),
            )
            self.play(
                w_now.animate.set_value(w_rest),
                run_time=beat.remaining() * 0.92,
                rate_func=rate_functions.ease_out_cubic,
            )
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)


class WeatherBowl(StillCameraScene):
    """The MSE bowl in 3D: a crawl on the raw trench, a straight run on the round bowl,
    the least-squares line reached, and a learning rate that diverges."""

    surface = "mse"
    start = START
    raw_lr = 0.0025  # 80% of the raw bowl's limit 2 / L (L: its largest curvature)
    raw_steps = 300
    # Centred on the least-squares minimum (0.92, 1.25), so the trench's lowest
    # point is inside the drawn surface, with the whole path on it.
    raw_domain = ((-0.4, 2.25), (-10.5, 13.0))
    phi = 48  # high enough to see into the round bowl's centre over its near rim
    lr = 0.1
    steps = 120
    large_lr = 1.05  # the standardised bowl's limit is 2 / 2 = 1
    large_steps = 120
    bound = 1e3
    # Half-width of the standardised view around the minimum, in both w' and b',
    # so the bowl is drawn at its true (round) proportions.
    half_width = 14.0

    def pin(self, *mobjects) -> None:
        """Fix static overlays to the frame without adding them (their animation does)."""
        self.renderer.camera.add_fixed_in_frame_mobjects(*mobjects)

    def construct(self):
        raw = get(self.surface)
        st = standardized()
        ls_w, ls_b = raw.dataset.least_squares()
        kappa = condition_number(raw)
        raw_run = run(raw, "gd", start=self.start, lr=self.raw_lr, steps=self.raw_steps, tol=0)
        s_start = st.to_standard(np.array(self.start))
        std_run = run(st.surface, "gd", start=s_start, lr=self.lr, steps=self.steps, tol=0)
        big_run = run(
            st.surface,
            "gd",
            start=s_start,
            lr=self.large_lr,
            steps=self.large_steps,
            tol=0,
            bound=self.bound,
        )
        gd_w, gd_b = st.to_raw(std_run.final)

        # --- the raw trench ---------------------------------------------------------
        land = Landscape(
            raw,
            resolution=30,
            domain=self.raw_domain,
            # Log heights: the trench floor is shallow next to its walls, and
            # would be invisible at a linear scale.
            heights="log",
            log_scale=20.0,
            z_range=(0.0, 1000.0),
            x_length=6.4,
            y_length=6.4,
            z_length=3.0,
            show_axes=False,
        )
        land.shift(-land.mesh.get_center() + LEFT * 2.6 + DOWN * 0.4)
        tracer = PathTracer(
            raw_run.positions, lambda p: land.to_scene(p, lift=0.06), three_d=True, radius=0.09
        )

        # Numbers and labels as large as the readouts under it: legible at 480p.
        inset = WeatherPlot(x_length=3.3, y_length=2.9, dot_radius=0.016, font_size=20)
        layered_days(inset)
        inset.to_corner(UR, buff=0.35)
        # The line on the scatter reads the current climber: ``line_at`` is swapped
        # when the scene moves to the standardised bowl.
        self.line_at = lambda: tracer.current()
        self.step_at = lambda: tracer.step.get_value()
        # The numbers show the run's values at the step the counter shows (the line
        # glides with the marker between steps): ``at_step`` is swapped with ``line_at``.
        self.at_step = lambda k: raw_run.positions[k]

        def shown_step() -> int:
            return int(np.floor(self.step_at() + 0.5))

        def shown() -> np.ndarray:
            return np.asarray(self.at_step(shown_step()), dtype=float)

        fit = always_redraw(lambda: quadrant_line(inset, *self.line_at(), stroke_width=3))
        step_now = Readout(
            "step",
            shown_step,
            integer=True,
            size=20,
            color=style.MUTED,
        )
        w_now = Readout("w =", lambda: float(shown()[0]), decimals=4, size=20)
        b_now = Readout("b =", lambda: float(shown()[1]), decimals=4, size=20)
        l_now = Readout("L =", lambda: float(raw(shown())), decimals=2, size=20)
        reads = VGroup(step_now, w_now, b_now, l_now).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        reads.next_to(inset, DOWN, buff=0.35).align_to(inset.axes, LEFT)

        w0, b0 = self.start
        restart = label(
            f"start again from w = {w0:g}, b = {b0:g}: now w and b move together",
            size=20,
            color=style.INK,
        ).to_corner(DL, buff=0.35)
        with self.narrate(
            "Over w and b, the loss is a bowl; descent walks down it, and the line follows."
        ) as beat:
            # Static parts first and without updaters, so Cairo draws them once:
            # whatever follows the first moving mobject is redrawn every frame.
            self.pin(inset, restart)
            self.bake(land)  # still until the bowl is swapped: painted once
            self.reveal(inset, tracer, restart)
            self.fixed(fit, reads)
            self.play(FadeIn(fit), FadeIn(reads), run_time=0.8)
            self.play(tracer.walk(to=40, run_time=beat.remaining() * 0.95, rate_func=smooth))

        verdict = label(
            f"after {self.raw_steps} steps: L = {raw_run.losses[-1]:.1f}, "
            f"best possible {raw.minima[0].value:.2f}",
            size=20,
            color=style.BAD,
        ).to_corner(DL, buff=0.35)
        trench = label(
            f"curvature across / along the trench: {kappa:,.0f}", size=20, color=style.INK
        ).next_to(verdict, UP, buff=0.15, aligned_edge=LEFT)
        with self.narrate(
            f"But it is a trench, {kappa:,.0f} times more curved across than along: "
            f"after {self.raw_steps} steps, descent is still far off."
        ) as beat:
            self.pin(verdict, trench)
            # The walk ends as its step count is said, and the verdict comes with it.
            self.play(
                tracer.walk(run_time=beat.until("after"), rate_func=linear),
                FadeOut(restart, run_time=0.6),
                # The ratio on screen as it is said.
                Succession(Wait(beat.until(f"{kappa:,.0f}")), FadeIn(trench, run_time=0.8)),
            )
            self.play(FadeIn(verdict), run_time=beat.remaining(minimum=0.6))

        # --- the round bowl --------------------------------------------------------
        m = np.array(st.surface.minima[0].point)
        h = self.half_width
        dom = ((m[0] - h, m[0] + h), (m[1] - h, m[1] + h))
        round_land = Landscape(
            st.surface,
            resolution=30,
            domain=dom,
            z_range=(0.0, float(st.surface(m + np.array([h, h])))),
            x_length=5.6,
            y_length=5.6,
            z_length=2.2,
            show_axes=False,
        )
        # Lower than the trench: seen from higher up, its far rim stands taller on screen,
        # and must stay under the formula in the corner.
        round_land.shift(-round_land.mesh.get_center() + LEFT * 2.6 + DOWN * 1.0)
        std_tracer = PathTracer(
            std_run.positions,
            lambda p: round_land.to_scene(p, lift=0.06),
            three_d=True,
            radius=0.09,
        )
        # Two lines, so the far corner of the bowl stands clear of it.
        z_tex = formula(
            rf"&z = \frac{{x - {st.mean:.1f}}}{{{st.std:.1f}}}"
            rf"\\[2pt] &\hat y = w' z + b' = w\,x + b",
            scale=0.6,
        )
        # Under the readouts, on the dark background, clear of the mesh.
        z_tex.next_to(reads, DOWN, buff=0.45).align_to(reads, LEFT)
        with self.narrate("The cure: standardise the input, and the bowl turns round.") as beat:
            self.pin(z_tex)
            self.play(Write(z_tex), run_time=beat.until("and the bowl"))
            self.fade_to_black(run_time=0.6)
            self.unbake()
            self.remove(land, tracer, verdict, trench)
            self.line_at = lambda: st.to_raw(std_tracer.current())
            self.step_at = lambda: std_tracer.step.get_value()
            self.at_step = lambda k: st.to_raw(std_run.positions[k])
            self.bake(round_land)  # never changes: painted once into the background
            self.play(FadeOut(self.cover), run_time=beat.remaining(minimum=0.6))
            # Added after the fade: the marker is drawn over everything, the cover too.
            self.add(std_tracer)

        # A two-row table: the names in one column, the values in another, so the
        # two runs' w and b stand under each other.
        names = VGroup(
            label("gradient descent:", size=20, color=style.GOOD),
            label("least squares:", size=20, color=style.INK),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        values = VGroup(
            label(f"w = {gd_w:.4f},  b = {gd_b:.4f}", size=20, color=style.GOOD),
            label(f"w = {ls_w:.4f},  b = {ls_b:.4f}", size=20, color=style.INK),
        )
        column = names.get_right()[0] + 0.3  # the values' common left edge
        for name, value in zip(names, values, strict=True):
            value.next_to(name, RIGHT).shift(RIGHT * (column - value.get_left()[0]))
        done = VGroup(names, values).to_corner(DL, buff=0.35)
        with self.narrate("Now descent lands on the least-squares line, to four decimals.") as beat:
            self.play(FadeIn(std_tracer.marker, scale=0.4), run_time=0.4)
            self.play(
                std_tracer.walk(run_time=beat.until("line"), rate_func=smooth),
            )
            self.pin(done)
            self.play(FadeIn(done), run_time=0.6)
        # Held, fully legible, before the next line replaces it.
        self.wait(0.5)

        # --- too large a step -------------------------------------------------------
        inside = (np.abs(big_run.positions - m) <= h).all(axis=1)
        last = int(np.argmin(inside)) - 1 if not inside.all() else len(inside) - 1
        big_tracer = PathTracer(
            big_run.positions[: last + 1],
            lambda p: round_land.to_scene(p, lift=0.06),
            color=style.BAD,
            three_d=True,
            radius=0.09,
        )
        self.big_step = ValueTracker(0)
        big_lr = (
            label(
                f"α = {self.large_lr:g} > 2 / curvature = 2 / {st.curvature:g}"
                f" = {2 / st.curvature:g}:  unstable",
                size=20,
                color=style.BAD,
            )
            .to_corner(DL, buff=0.35)
            .shift(UP * 0.45)
        )
        flag = label(
            f"diverged after step {int(big_run.n_steps)}: stopped and flagged",
            size=20,
            color=style.BAD,
        ).next_to(big_lr, DOWN, buff=0.15, aligned_edge=LEFT)
        with self.narrate(
            "Too large a learning rate, and the loss climbs toward infinity: "
            "the run is flagged as diverged."
        ) as beat:
            self.pin(big_lr)
            # The table leaves before the new line comes, so the two never overlap.
            self.play(FadeOut(done), run_time=0.35)
            self.play(FadeIn(big_lr), run_time=0.45)
            self.add(big_tracer)
            # The readouts and the line now follow the diverging run, past the
            # edge of the drawn bowl too.
            self.line_at = lambda: st.to_raw(
                big_run.positions[min(int(self.big_step.get_value()), int(big_run.n_steps))]
            )
            self.step_at = lambda: self.big_step.get_value()
            self.at_step = lambda k: st.to_raw(big_run.positions[min(k, int(big_run.n_steps))])
            walk_time = beat.until("the loss")
            self.play(
                big_tracer.walk(run_time=walk_time, rate_func=linear),
                # Same clock as the marker, so the readouts and line show its step.
                self.big_step.animate(run_time=walk_time, rate_func=linear).set_value(last),
            )
            self.play(
                self.big_step.animate.set_value(int(big_run.n_steps)),
                run_time=beat.until("the run"),
                rate_func=rate_functions.ease_in_quad,
            )
            self.pin(flag)
            self.play(FadeIn(flag, shift=UP * 0.1), run_time=0.6)
            # Held long enough to read before the fade; pulsed about its left edge, so it
            # keeps the left edge of the line above (Indicate would grow it both ways).
            self.play(
                flag.animate(rate_func=there_and_back).scale(1.05, about_edge=LEFT),
                run_time=beat.remaining(minimum=1.0),
            )
        self.fade_to_black()
