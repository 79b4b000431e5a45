"""Section 3: the learning rate, a Goldilocks problem.

Three runs of gradient descent on the same parabola from the same start, side
by side and in step: too small, too large, just right. The too-large run is
flagged as diverged by ``optim`` and its numbers are shown growing; the loss
curves and the stability limit ``alpha < 2 / L`` (L from the SymPy Hessian)
complete the picture.
"""

from manim import *

from optim import run
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.labels import Readout, formula, label
from scenes.common.narration import NarratedScene
from surfaces import get

KINDS = ("small", "large", "right")
TITLES = {"small": "too small", "large": "too large", "right": "just right"}


class LearningRate(NarratedScene, Scene):
    function = "x**2"
    start = (-2.0, 0.0)
    lrs = {"small": 0.02, "right": 0.35, "large": 1.1}
    steps = 45
    x_span = 5.0
    # A coordinate beyond this counts as diverged: 500 times the start's distance.
    bound = 1e3

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

        panels = VGroup()
        for k in KINDS:
            panels.add(self.panel(surface, runs[k], k, shown))
        panels.arrange(RIGHT, buff=0.6).to_edge(UP, buff=0.3)
        counter = Readout("step", lambda: t.get_value(), integer=True, color=style.MUTED)
        counter.move_to([2.3, 0.0, 0], aligned_edge=LEFT)

        chart = self.loss_chart(runs, t).to_corner(DL, buff=0.45)
        scale = self.alpha_line(limit, curvature).to_corner(DR, buff=0.6).shift(UP * 0.3)

        with self.narrate(
            "How big should each step be? That is the learning rate, alpha. "
            "Same function, same start, three choices."
        ):
            self.play(LaggedStart(*[FadeIn(p, shift=DOWN * 0.2) for p in panels], lag_ratio=0.3))
            self.play(FadeIn(chart), FadeIn(counter))

        with self.narrate(
            "Too small, and it crawls. Just right, and it settles in a few steps. "
            "Too large, and it overshoots, bounces from side to side, and flies off, "
            "its numbers growing without bound."
        ) as beat:
            self.play(
                t.animate.set_value(self.steps), run_time=beat.remaining() * 0.92, rate_func=linear
            )

        flag = label(
            f"diverged at step {runs['large'].n_steps + 1}", color=style.BAD, size=20
        ).next_to(panels[1], DOWN, buff=0.1)
        with self.narrate(
            "On the loss curves, on a log scale, one falls slowly, one plunges, and one climbs. "
            "The run is stopped and flagged as diverged, not crashed."
        ):
            self.play(FadeIn(flag), Indicate(chart, scale_factor=1.03, color=None))

        with self.narrate(
            f"On a quadratic with curvature L, steps are stable only when alpha is below two over L. "
            f"Here L is {curvature:g}, so the limit is {limit:g}, and our three choices sit on either side of it."
        ):
            self.play(FadeIn(scale, shift=UP * 0.2))
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)

    def panel(self, surface, traj, kind: str, shown) -> VGroup:
        """One run: the parabola, the iterates as a bouncing path, and readouts."""
        color = style.LR_COLORS[kind]
        xs = np.linspace(-self.x_span, self.x_span, 100)
        ys = surface(np.stack([xs, np.zeros_like(xs)], axis=-1))
        y_top = float(ys.max())
        axes = Axes(
            x_range=[-self.x_span, self.x_span, 1],
            y_range=[0, y_top, 2],
            x_length=3.7,
            y_length=2.3,
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
                away = Arrow(pts[-1], pts[-1] + UP * 0.6, buff=0, color=color, stroke_width=4)
                return VGroup(line, away)
            return VGroup(line, Dot(pts[-1], color=color, radius=0.07))

        title = label(
            f"α = {traj.optimizer.params['lr']:g}   {TITLES[kind]}", color=color, size=24
        ).next_to(axes, UP, buff=0.12)
        xv = Readout("x =", lambda: float(x_path[shown(kind)]), decimals=3, size=20)
        loss = Readout("loss =", lambda: float(traj.losses[shown(kind)]), decimals=4, size=20)
        reads = VGroup(xv, loss).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        reads.next_to(axes, DOWN, buff=0.15).align_to(axes, LEFT).shift(RIGHT * 0.3)
        return VGroup(axes, curve, always_redraw(path), title, reads)

    def loss_chart(self, runs, t) -> VGroup:
        """log10(loss) against step for the three runs, drawn as they run."""
        lo, hi = -8, 8
        axes = Axes(
            x_range=[0, self.steps, 5],
            y_range=[lo, hi, 3],
            x_length=6.2,
            y_length=2.7,
            axis_config={"color": style.MUTED, "include_tip": False, "font_size": 18},
            y_axis_config={"numbers_to_include": [-8, -4, 0, 4, 8]},
            x_axis_config={"numbers_to_include": [0, 15, 30, 45]},
        )
        ylab = (
            formula(r"\log_{10} \text{loss}", scale=0.5, color=style.MUTED)
            .next_to(axes, UP, buff=0.05)
            .align_to(axes, LEFT)
        )
        xlab = (
            label("step", color=style.MUTED, size=18)
            .next_to(axes.x_axis, DOWN, buff=0.05)
            .align_to(axes, RIGHT)
        )

        def curves():
            group = VGroup()
            for k in KINDS:
                traj = runs[k]
                n = int(min(t.get_value(), traj.n_steps))
                if n < 1:
                    continue
                logs = np.log10(np.maximum(traj.losses[: n + 1], 1e-300))
                # A curve that leaves the chart is cut at the edge, not flattened along it.
                within = np.flatnonzero((logs < lo) | (logs > hi))
                stop = int(within[0]) + 1 if len(within) else n + 1
                pts = axes_points(axes, np.arange(stop), np.clip(logs[:stop], lo, hi))
                if len(pts) < 2:
                    continue
                group.add(
                    VMobject(stroke_color=style.LR_COLORS[k], stroke_width=3).set_points_as_corners(
                        pts
                    )
                )
            return group

        return VGroup(axes, ylab, xlab, always_redraw(curves))

    def alpha_line(self, limit: float, curvature: float) -> VGroup:
        """The learning rates against the stability limit 2 / L."""
        top = 1.5 * limit
        line = NumberLine(
            x_range=[0, top, limit / 4], length=5.6, color=style.MUTED, include_numbers=False
        )
        stable = Line(line.n2p(0), line.n2p(limit), color=style.GOOD, stroke_width=10).set_opacity(
            0.35
        )
        unstable = Line(
            line.n2p(limit), line.n2p(top), color=style.BAD, stroke_width=10
        ).set_opacity(0.35)
        mark = DashedLine(line.n2p(limit) + UP * 0.5, line.n2p(limit) + DOWN * 0.3, color=style.INK)
        mark_label = formula(rf"\frac{{2}}{{L}} = {limit:g}", scale=0.6).next_to(
            mark, UP, buff=0.05
        )
        dots = VGroup()
        for k in KINDS:
            a = self.lrs[k]
            d = Dot(line.n2p(a), color=style.LR_COLORS[k], radius=0.09)
            tag = formula(rf"{a:g}", scale=0.5, color=style.LR_COLORS[k]).next_to(
                d, DOWN, buff=0.15
            )
            dots.add(d, tag)
        words = VGroup(
            label("stable", color=style.GOOD, size=18).next_to(stable, UP, buff=0.12),
            label("diverges", color=style.BAD, size=18).next_to(unstable, UP, buff=0.12),
        )
        title = formula(
            rf"\text{{stable iff }} 0 < \alpha < \frac{{2}}{{L}}, \quad L = f''(x) = {curvature:g}",
            scale=0.6,
        ).next_to(line, DOWN, buff=0.7)
        return VGroup(stable, unstable, line, mark, mark_label, dots, words, title)
