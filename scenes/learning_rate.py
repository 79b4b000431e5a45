"""Section 3: the learning rate, a Goldilocks problem.

Three runs of gradient descent on the same parabola from the same start, side
by side and in step, in the order the narration names them: too small, just
right, too large. The too-large run is flagged as diverged by ``optim`` and its
numbers are shown growing; the loss curves and the stability limit
``alpha < 2 / L`` (L from the SymPy Hessian) complete the picture.
"""

import sympy as sp
from manim import *

from optim import run
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.fades import fade_out_all
from scenes.common.labels import Readout, Typesetter, formula, label
from scenes.common.narration import NarratedScene
from surfaces import get

#: Left to right on screen, in the order the narration names them.
KINDS = ("small", "right", "large")
TITLES = {"small": "too small", "large": "too large", "right": "just right"}


class LearningRate(NarratedScene, Scene):
    function = "x**2"
    start = (-2.0, 0.0)
    lrs = {"small": 0.02, "right": 0.35, "large": 1.1}
    steps = 45
    x_span = 5.0
    # A coordinate beyond this counts as diverged: 500 times the start's distance.
    bound = 1e3
    # The loss chart's vertical range, in powers of ten.
    log_range = (-8, 8)

    def construct(self):
        surface = get(self.function)
        curvature = float(surface.hess(np.array([0.0, 0.0]))[0, 0])  # L of the quadratic
        limit = 2 / curvature
        runs = {
            k: run(
                surface,
                "gd",
                start=self.start,
                lr=self.lrs[k],
                steps=self.steps,
                tol=0,
                bound=self.bound,
            )
            for k in KINDS
        }
        t = ValueTracker(0)

        def shown(k: str) -> int:
            return int(min(t.get_value(), runs[k].n_steps))

        panels = VGroup(*[self.panel(surface, runs[k], k, shown) for k in KINDS])
        panels.arrange(RIGHT, buff=0.55).to_edge(UP, buff=0.25)
        chart, curves = self.loss_chart(runs, t)
        chart.to_corner(DL, buff=0.3)

        # The update rule, written as alpha is named, in the lower right that the chart
        # and the stability scale share later; under it f(x) from the surface's own SymPy
        # expression and f'(x) from its gradient.
        rule = formula(r"x_{t+1} = x_t - \alpha\, f'(x_t)", scale=0.85)
        slope_tex = sp.latex(surface.gradient_exprs[0])
        f_tex = formula(rf"f(x) = {surface.latex}, \quad f'(x) = {slope_tex}", scale=0.85)
        VGroup(rule, f_tex).arrange(DOWN, buff=0.3).move_to([3.7, -0.85, 0])
        scale = self.alpha_line(limit, surface).move_to([3.7, -2.5, 0])
        (stable, unstable, line, mark, mark_label, dots, words, title) = scale

        with self.narrate(
            "How big a step? That is the learning rate, alpha: "
            "same function, same start, three choices."
        ) as beat:
            self.play(
                LaggedStart(*[FadeIn(p.frame, shift=DOWN * 0.2) for p in panels], lag_ratio=0.3),
                run_time=beat.until("alpha"),
            )
            self.play(
                LaggedStart(*[FadeIn(p.alpha) for p in panels], lag_ratio=0.3),
                Write(rule),
                run_time=beat.until("function"),
            )
            self.play(Write(f_tex), run_time=beat.until("start"))
            self.play(
                *[FadeIn(p.marker, scale=2.5) for p in panels],
                *[FadeIn(p.reads) for p in panels],
                FadeIn(chart),
                run_time=beat.until("three"),
            )
            self.play(
                LaggedStart(*[FadeIn(p.verdict) for p in panels], lag_ratio=0.4),
                run_time=beat.remaining(),
            )

        def around(m, top: float = 0.12):
            """A frame ``buff`` 0.12 around ``m``, ``top`` above it (clear of an axis line)."""
            box = SurroundingRectangle(m, buff=0.12, color=style.INK, stroke_width=2.5)
            return box.stretch_to_fit_height(box.height - 0.12 + top, about_edge=DOWN)

        box = around(panels[0])
        with self.narrate(
            "Too small: it crawls. Just right: it settles in a few steps. "
            "Too large: it overshoots, further each time, its numbers growing without bound."
        ) as beat:
            # The three runs go in step; a frame moves to whichever one is named,
            # and to the too-large run's numbers when they are.
            cues = [beat.at(c) for c in ("small", "right", "large", "numbers")]
            moves = [Wait(cues[0]), Create(box, run_time=0.5)]
            # The numbers' box is made now, before they grow: as wide as the panel,
            # so "9.69 x 10^5" still fits inside it when the frame arrives.
            reads = panels[2].reads
            width = Line(panels[2].frame.get_left(), panels[2].frame.get_right()).set_y(
                reads.get_y()
            )
            numbers = VGroup(reads, width.set_opacity(0))
            for i, target in enumerate((panels[1], panels[2], numbers)):
                moves += [
                    Wait(max(cues[i + 1] - cues[i] - 0.5, 0.01)),
                    Transform(box, around(target, top=0.07), run_time=0.5),
                ]
            # What changes with the step goes last: Manim redraws each frame the first
            # mobject that changes and all after it, and keeps the rest as a background.
            live = [*[p.marker for p in panels], *[p.reads for p in panels], *chart[-2:]]
            self.add(*live)
            self.play(
                t.animate(run_time=beat.remaining() * 0.97, rate_func=linear).set_value(self.steps),
                Succession(*moves),
            )
            # The runs are over: what they drew stays as it is, and is drawn once.
            for m in live:
                m.clear_updaters()

        # optim stops a run at its last step inside the bound: the numbers shown are that
        # step's, and the next one left the bound.
        flag = label(
            f"diverged after step {runs['large'].n_steps}", color=style.BAD, size=20
        ).next_to(panels[2].reads, DOWN, buff=0.12)
        with self.narrate(
            "The loss curves: one falls slowly, one plunges, one climbs until it is flagged "
            "as diverged."
        ) as beat:
            self.play(FadeOut(box), run_time=beat.until("falls"))
            for k, cue in zip(KINDS, ("falls", "plunges", "climbs"), strict=True):
                self.wait_until(beat, cue)
                glow = curves[k].copy().set_stroke(width=9, color=style.LR_COLORS[k])
                self.play(ShowPassingFlash(glow, time_width=0.6), run_time=1.0)
            self.wait_until(beat, "flagged")
            self.play(
                FadeIn(flag, shift=UP * 0.1),
                Transform(box, around(VGroup(panels[2].reads, flag), top=0.07)),
            )

        with self.narrate(
            "On a quadratic with curvature L, steps are stable only for alpha below two over L: "
            f"here L is {curvature:g}, so below {limit:g}."
        ) as beat:
            # The rule makes way for the stability scale; f(x) and f'(x) move up in its place.
            self.play(
                FadeOut(box),
                # Gone before f(x) arrives in its place, so the two never overprint.
                FadeOut(rule, rate_func=squish_rate_func(smooth, 0, 0.45)),
                f_tex.animate(rate_func=squish_rate_func(smooth, 0.5, 1)).move_to(rule),
                Create(line),
                FadeIn(stable),
                FadeIn(unstable),
                FadeIn(words),
                run_time=beat.until("steps"),
            )
            # The rule is written as it is said, so it stands whole for the rest of the line.
            self.play(Write(title), run_time=beat.until("alpha"))
            # The three choices land on the scale as alpha is named, the limit between them.
            self.play(
                LaggedStart(*[FadeIn(d, scale=2) for d in dots], lag_ratio=0.5),
                run_time=beat.until("two"),
            )
            self.play(Create(mark), FadeIn(mark_label), run_time=beat.until("here"))
            self.play(Indicate(mark_label, scale_factor=1.3), run_time=beat.remaining(minimum=0.8))
        fade_out_all(self)

    def panel(self, surface, traj, kind: str, shown) -> VGroup:
        """One run: the parabola, the iterates as a bouncing path, and readouts.

        Parts are kept as attributes so they can be introduced one at a time:
        ``frame`` (axes and curve), ``alpha`` (the title), ``marker`` (the path),
        ``reads`` (the readouts) and ``verdict`` (too small / just right / too large).
        """
        color = style.LR_COLORS[kind]
        xs = np.linspace(-self.x_span, self.x_span, 100)
        ys = surface(np.stack([xs, np.zeros_like(xs)], axis=-1))
        y_top = float(ys.max())
        axes = Axes(
            x_range=[-self.x_span, self.x_span, 1],
            y_range=[0, y_top, 2],
            x_length=3.7,
            y_length=2.1,
            axis_config={"color": style.MUTED, "include_tip": False, "include_ticks": False},
        )
        curve = axes.plot_line_graph(
            xs, ys, add_vertex_dots=False, line_color=style.INK, stroke_width=2
        )
        x_path = traj.positions[:, 0]
        inside = np.abs(x_path) <= self.x_span
        # Draw only the iterates that fit on the chart; past that an arrow says
        # "off the chart" and the readouts keep counting.
        last_inside = int(np.argmin(inside)) - 1 if not inside.all() else len(x_path) - 1

        def path():
            k = shown(kind)
            j = min(k, last_inside)
            pts = axes_points(axes, x_path[: j + 1], traj.losses[: j + 1])
            line = VMobject(stroke_color=color, stroke_width=2.5)
            if len(pts) > 1:
                line.set_points_as_corners(pts)
            if k > last_inside:
                # Off the chart: the arrow points the way it went, kept inside the frame.
                away = Arrow(pts[-1], pts[-1] + UP * 0.3, buff=0, color=color, stroke_width=4)
                return VGroup(line, away)
            return VGroup(line, Dot(pts[-1], color=color, radius=0.07))

        alpha = label(f"α = {traj.optimizer.params['lr']:g}", color=color, size=24)
        verdict = label(TITLES[kind], color=color, size=24)
        VGroup(alpha, verdict).arrange(RIGHT, buff=0.35).next_to(axes, UP, buff=0.12)
        xv = Readout("x =", lambda: float(x_path[shown(kind)]), decimals=3, size=20)
        loss = Readout(
            "loss =",
            lambda: float(traj.losses[shown(kind)]),
            decimals=4,
            size=20,
        )
        reads = VGroup(xv, loss).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        reads.next_to(axes, DOWN, buff=0.22).align_to(axes, LEFT).shift(RIGHT * 0.3)
        group = VGroup(axes, curve, always_redraw(path), alpha, verdict, reads)
        group.frame = VGroup(axes, curve)
        group.marker, group.alpha, group.verdict, group.reads = group[2], alpha, verdict, reads
        return group

    def loss_chart(self, runs, t) -> tuple[VGroup, dict]:
        """Loss against step for the three runs on a log scale, drawn as they run.

        The chart plots ``log10(loss) - lo`` so its floor is the x-axis; the tick
        labels are the losses themselves (10^-8 ... 10^8), one label per tick.
        A curve that leaves the chart stops at its edge with an arrowhead.
        """
        lo, hi = self.log_range
        tick = 4
        axes = Axes(
            x_range=[0, self.steps, 5],
            y_range=[0, hi - lo, tick],
            x_length=6.0,
            y_length=2.6,
            axis_config={"color": style.MUTED, "include_tip": False},
            x_axis_config={"numbers_to_include": [0, 15, 30, 45], "font_size": 22},
        )
        y_labels = VGroup()
        for e in range(lo, hi + 1, tick):
            text = "1" if e == 0 else rf"10^{{{e}}}"
            y_labels.add(
                formula(text, scale=0.6, color=style.MUTED).next_to(
                    axes.c2p(0, e - lo), LEFT, buff=0.15
                )
            )
        ylab = (
            label("loss (log scale)", color=style.MUTED, size=18)
            .next_to(VGroup(axes, y_labels), UP, buff=0.1)
            .align_to(y_labels, LEFT)
        )
        digits = Typesetter.get(size=18)  # the step label is set anew every frame

        # The step the three runs have reached, read off the chart's own time axis.
        cursor = always_redraw(
            lambda: VGroup(
                DashedLine(
                    axes.c2p(t.get_value(), 0),
                    axes.c2p(t.get_value(), hi - lo),
                    color=style.MUTED,
                    stroke_width=1.5,
                    dash_length=0.06,
                ),
                # Below the tick numbers, so it doubles as the x-axis label.
                digits.set(f"step {int(t.get_value())}", style.MUTED).next_to(
                    axes.c2p(t.get_value(), 0), DOWN, buff=0.62
                ),
            )
        )
        logs = {k: np.log10(np.maximum(runs[k].losses, 1e-300)) for k in KINDS}
        drawn = {}

        def curve(k):
            def draw():
                n = int(min(t.get_value(), runs[k].n_steps))
                group = VGroup()
                if n < 1:
                    return group
                y = logs[k][: n + 1]
                outside = np.flatnonzero((y < lo) | (y > hi))
                stop = int(outside[0]) if len(outside) else n + 1
                pts = axes_points(axes, np.arange(stop), y[:stop] - lo)
                if len(outside):
                    # Cut where the curve crosses the chart's edge, and point on.
                    edge = lo if y[stop] < lo else hi
                    a = (edge - y[stop - 1]) / (y[stop] - y[stop - 1])
                    cross = axes_points(axes, stop - 1 + a, edge - lo)
                    pts = np.vstack([pts, cross[None]])
                    direction = DOWN if edge == lo else UP
                    group.add(
                        Triangle(color=style.LR_COLORS[k], fill_opacity=1, stroke_width=0)
                        .scale(0.07)
                        .rotate(PI if edge == lo else 0)
                        .move_to(cross + direction * 0.06)
                    )
                if len(pts) >= 2:
                    group.add(
                        VMobject(
                            stroke_color=style.LR_COLORS[k], stroke_width=3
                        ).set_points_as_corners(pts)
                    )
                return group

            drawn[k] = always_redraw(draw)
            return drawn[k]

        lines = VGroup(*[curve(k) for k in KINDS])
        return VGroup(axes, y_labels, ylab, lines, cursor), drawn

    def alpha_line(self, limit: float, surface) -> VGroup:
        """The learning rates against the stability limit 2 / L."""
        curvature_tex = sp.latex(surface.hessian_exprs[0, 0])
        top = 1.5 * limit
        line = NumberLine(
            x_range=[0, top, limit / 4], length=5.4, color=style.MUTED, include_numbers=False
        )
        stable = Line(line.n2p(0), line.n2p(limit), color=style.GOOD, stroke_width=10).set_opacity(
            0.35
        )
        unstable = Line(
            line.n2p(limit), line.n2p(top), color=style.BAD, stroke_width=10
        ).set_opacity(0.35)
        mark = DashedLine(
            line.n2p(limit) + UP * 0.45, line.n2p(limit) + DOWN * 0.12, color=style.INK
        )
        mark_label = formula(rf"\frac{{2}}{{L}} = {limit:g}", scale=0.6).next_to(
            mark, UP, buff=0.05
        )
        dots = VGroup()
        for k in KINDS:
            a = self.lrs[k]
            d = Dot(line.n2p(a), color=style.LR_COLORS[k], radius=0.09)
            tag = label(f"{a:g}", color=style.LR_COLORS[k], size=20).next_to(d, DOWN, buff=0.15)
            dots.add(VGroup(d, tag))
        words = VGroup(
            label("stable", color=style.GOOD, size=18).next_to(stable, UP, buff=0.12),
            label("diverges", color=style.BAD, size=18).next_to(unstable, UP, buff=0.12),
            # The axis is alpha; each dot's tag is its value.
            label("α", color=style.MUTED, size=24).next_to(line, LEFT, buff=0.25),
        )
        title = formula(
            rf"\text{{stable iff }} 0 < \alpha < \frac{{2}}{{L}}, \quad L = f''(x) = {curvature_tex}",
            scale=0.6,
        ).next_to(line, DOWN, buff=0.65)
        return VGroup(stable, unstable, line, mark, mark_label, dots, words, title)
