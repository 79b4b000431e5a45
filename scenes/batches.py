"""Section 8: batch, stochastic and mini-batch gradient descent.

``BatchSizes``: three runs of gradient descent on the (standardised) weather
bowl, the same learning rate and start, differing only in how many examples
each step averages: all 1,460, one, or 32. They race on one clock, the number
of per-example gradients evaluated, so the picture shows what each step
costs. A table gives what each needed to come within 5% of the best loss,
and a scatter of the 1,460 per-example gradients shows why a sample's
gradient is a noisy estimate of the full one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import *

from optim import Trajectory, run
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.dot_cloud import dot_cloud
from scenes.common.labels import Readout, formula, label
from scenes.common.landscape import ContourMap
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer
from scenes.common.weather import START, standardized


@dataclass(frozen=True)
class BatchRun:
    """One of the three runs and what it cost."""

    name: str
    batch: int  # examples per step
    traj: Trajectory
    target: float  # the loss all three must reach

    @property
    def steps_per_pass(self) -> int:
        """Updates in one shuffled pass over the data. The sampler deals whole batches
        and reshuffles when fewer than a batch remain (``drop_last``): 1,460 days make
        45 batches of 32, and the 20 left over wait for the next shuffle."""
        n = self.traj.objective.n_examples
        return n // self.batch

    @property
    def gradients_per_pass(self) -> int:
        """Per-example gradients one pass evaluates: its updates times the batch."""
        return self.steps_per_pass * self.batch

    @property
    def left_over(self) -> int:
        """Examples a pass leaves for the next shuffle (whole batches only)."""
        return self.traj.objective.n_examples - self.gradients_per_pass

    @property
    def reached(self) -> int:
        """First step whose loss is at most the target (-1: never)."""
        hit = np.flatnonzero(self.traj.losses <= self.target)
        return int(hit[0]) if len(hit) else -1

    @property
    def gradients_to_target(self) -> int:
        """Per-example gradients evaluated before the loss first reached the target."""
        return self.reached * self.batch

    @property
    def passes(self) -> float:
        """Passes over the data before the loss first reached the target."""
        return self.gradients_to_target / self.traj.objective.n_examples

    @property
    def share_within(self) -> float:
        """Share of the last pass's steps whose loss is within the target: 1 once settled."""
        return float(np.mean(self.traj.losses[-self.steps_per_pass :] <= self.target))

    @property
    def settled_loss(self) -> float:
        """Mean loss over the run's last pass over the data: where it keeps wandering."""
        return float(np.mean(self.traj.losses[-self.steps_per_pass :]))


def batch_runs(
    lr: float, passes: int, batches: dict[str, int], within: float, seed: int
) -> dict[str, BatchRun]:
    """The three runs from the shared start, each given the work of ``passes`` passes
    over the data: ``passes * n`` per-example gradients, rounded up to a whole step."""
    st = standardized()
    n = st.surface.n_examples
    start = st.to_standard(np.array(START))
    target = (1 + within) * st.surface.minima[0].value
    out = {}
    for name, size in batches.items():
        steps = -(-passes * n // size)
        traj = run(
            st.surface,
            "gd",
            start=start,
            lr=lr,
            steps=steps,
            tol=0,
            batch_size=None if size == n else size,
            seed=seed,
        )
        out[name] = BatchRun(name, size, traj, target)
    return out


#: The runs in the order the key lists them and the narration introduces them.
KEY_ORDER = ("full batch", "stochastic", "mini-batch")


def key_rows(runs: dict[str, BatchRun]) -> list[list[str]]:
    """The key's table as drawn: a header, then per run the gradients each step (an
    update) evaluates, the steps one pass over the data makes, and their product, the
    gradients one pass costs."""
    rows = [["", "gradients\nper step", "steps\nper pass", "gradients\nper pass"]]
    for k in KEY_ORDER:
        r = runs[k]
        rows.append([k, f"{r.batch:,}", f"{r.steps_per_pass:,}", f"{r.gradients_per_pass:,}"])
    return rows


def key_note(runs: dict[str, BatchRun]) -> str:
    """Why the mini-batch's pass is a little short of all the days."""
    r = runs["mini-batch"]
    return (
        f"{r.steps_per_pass} × {r.batch} = {r.gradients_per_pass:,}: "
        f"{r.left_over} days wait for the next shuffle"
    )


def work_saving(runs: dict[str, BatchRun]) -> float:
    """Per-example gradients the full batch needed to reach the target, over the
    mini-batches' (the table's passes-to-target column, divided)."""
    return runs["full batch"].gradients_to_target / runs["mini-batch"].gradients_to_target


def cost_line(runs: dict[str, BatchRun], within: float) -> str:
    """The narration over the cost table, its figures computed from the runs."""
    mini, sgd = runs["mini-batch"], runs["stochastic"]
    first = "first" if sgd.gradients_to_target < mini.gradients_to_target else "too"
    return (
        f"Mini-batches get within {within:.0%} of the best loss on "
        f"{work_saving(runs):.0f} times less work than the full batch. "
        f"Single examples get there {first}, but never settle."
    )


def grid(rows: list[list[str]], widths: list[float], colors: list) -> VGroup:
    """Rows of text cells in columns of the given widths, each cell's left edge on
    its column's; the first row is the header. ``colors``: one per row."""
    table = VGroup()
    for i, row in enumerate(rows):
        cells = VGroup()
        for text in row:
            # An empty corner cell still needs points to be placed: a space has none.
            cell = label(text or "run", size=20 if i == 0 else 21, color=colors[i])
            if not text:
                cell.set_opacity(0)
            cells.add(cell)
        cells.arrange(RIGHT, buff=0.2)
        table.add(cells)
    table.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
    # Columns line up: arrange moved whole rows, so re-place each cell's x.
    for cells in table:
        x = table.get_left()[0]
        for j, cell in enumerate(cells):
            cell.set_x(x + cell.width / 2)
            x += widths[j]
    return table


#: Column widths shared by the key and the cost table, so their columns line up.
WIDTHS = [1.75, 1.6, 1.55, 1.3]


def flash(mob: Mobject) -> Indicate:
    """Highlight by colour only: a row scaled about its centre would leave its columns."""
    return Indicate(mob, color=style.INK, scale_factor=1)


COLORS = {
    "full batch": style.OPTIMIZER_COLORS["gd"],
    "stochastic": style.OPTIMIZER_COLORS["sgd"],
    "mini-batch": style.GOOD,
}


class BatchSizes(NarratedScene, Scene):
    lr = 0.1  # the learning rate of section 7's run, for all three
    passes = 15
    batches = {"full batch": 1460, "stochastic": 1, "mini-batch": 32}
    within = 0.05  # "reach the same loss": within 5% of the least-squares loss
    seed = 0
    n_batch_means = 150  # mini-batch gradients drawn for the scatter
    view = ((-4.0, 11.0), (4.5, 19.5))  # (w', b') shown on the contour map

    def construct(self):
        st = standardized()
        surface = st.surface
        n = surface.n_examples
        runs = batch_runs(self.lr, self.passes, self.batches, self.within, self.seed)

        cmap = ContourMap(
            surface, levels=12, x_length=6.9, y_length=6.9, domain=self.view, grid=120
        ).to_edge(LEFT, buff=0.4)
        axis_w = formula("w'", scale=0.6, color=style.MUTED).next_to(
            cmap.axes.x_axis, DOWN, buff=0.1
        )
        axis_w.align_to(cmap.axes, RIGHT)
        axis_b = formula("b'", scale=0.6, color=style.MUTED).next_to(
            cmap.axes.y_axis, LEFT, buff=0.1
        )
        axis_b.align_to(cmap.axes, UP)
        best = Dot(cmap.to_scene(np.array(surface.minima[0].point)), color=style.INK, radius=0.06)
        best_label = label("least squares", size=16, color=style.INK).next_to(best, UP, buff=0.12)
        # The noisiest path first, so the smoother ones are drawn over it.
        order = ("stochastic", "mini-batch", "full batch")
        # Stochastic descent takes 1,460 steps per pass: its trail is drawn for the
        # first pass only (a scribble already; thousands more segments per frame
        # would cost Cairo seconds), and a dot shows where it wanders after that.
        shown = {k: runs[k].traj.positions for k in order}
        shown["stochastic"] = shown["stochastic"][: n + 1]
        tracers = {
            k: PathTracer(
                shown[k],
                cmap.to_scene,
                color=COLORS[k],
                stroke_width=1.5 if k == "stochastic" else 3,
                radius=0.08,
            )
            for k in order
        }
        sgd_path = runs["stochastic"].traj.positions
        tracers["stochastic"].trail.set_stroke(opacity=0.55)
        tracers["stochastic"].marker.set_opacity(0)
        sgd_dot = Dot(cmap.to_scene(sgd_path[0]), radius=0.08, color=COLORS["stochastic"])

        # One clock for all three: per-example gradients evaluated, on a log scale,
        # so the first cheap steps and the last expensive passes both get time.
        total = self.passes * n
        clock = ValueTracker(0.0)  # log10 of gradients evaluated

        def set_clock(u: float) -> None:
            clock.set_value(u)
            used = 10**u
            for k, tr in tracers.items():
                tr.step.set_value(min(used / runs[k].batch, tr.n_steps))
            sgd_dot.move_to(cmap.to_scene(sgd_path[min(int(used), len(sgd_path) - 1)]))

        def tick(u1: float, run_time: float) -> Animation:
            u0 = clock.get_value()
            return UpdateFromAlphaFunc(
                Mobject(), lambda _m, a: set_clock(u0 + a * (u1 - u0)), run_time=run_time
            )

        used_now = Readout(
            "gradients evaluated:",
            lambda: min(10 ** clock.get_value(), total),
            integer=True,
        )
        passes_now = Readout(
            "passes over the data:",
            lambda: min(10 ** clock.get_value(), total) / n,
            decimals=2,
            color=style.MUTED,
        )
        clock_box = VGroup(used_now, passes_now).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        clock_box.move_to([0.55, 3.2, 0], aligned_edge=LEFT)

        # The key is a table: what a step costs, how many steps a pass takes, and so
        # what a pass costs (the same, or nearly, whatever the batch).
        rows = key_rows(runs)
        keys = grid(rows, WIDTHS, [style.INK] + [COLORS[row[0]] for row in rows[1:]])
        keys.next_to(clock_box, DOWN, buff=0.35).align_to(clock_box, LEFT).shift(LEFT * 0.15)
        note = label(key_note(runs), size=18, color=style.FOOTNOTE)
        note.next_to(keys, DOWN, buff=0.14).align_to(keys, LEFT)
        per_pass = VGroup(*[row[-1] for row in keys])  # the column every run shares

        with self.narrate(
            "How many examples per step? Three answers race, timed by gradients evaluated."
        ) as beat:
            # The map and the three answers at once, then the runners and their clock.
            self.play(
                FadeIn(cmap.lines), FadeIn(cmap.axes), FadeIn(axis_w, axis_b, best, best_label),
                FadeIn(keys, lag_ratio=0.3), run_time=0.8,
            )  # fmt: skip
            self.add(*tracers.values(), sgd_dot)
            self.play(
                *[FadeIn(tracers[k].marker, scale=0.5) for k in ("mini-batch", "full batch")],
                FadeIn(sgd_dot, scale=0.5),
                flash(VGroup(*[row[0] for row in keys[1:]])),
                run_time=beat.until("race") + 0.4,
            )
            self.wait_until(beat, "timed")
            # The clock, and the column that says a pass costs every run the same.
            self.play(
                FadeIn(clock_box, shift=DOWN * 0.1),
                flash(per_pass),
                run_time=beat.remaining() * 0.9,
            )

        with self.narrate("Stochastic, one example per step: off at once, but staggering.") as beat:
            self.play(
                flash(keys[2]),
                FadeOut(best_label),
                tick(np.log10(40), beat.remaining() * 0.95),
            )

        with self.narrate("A mini-batch of 32 is still cheap, and much steadier.") as beat:
            self.play(
                flash(keys[3]),
                FadeIn(note, shift=UP * 0.1),
                tick(np.log10(n), beat.remaining() * 0.95),
            )

        with self.narrate(f"The full batch averages all {n:,}: one smooth step per pass.") as beat:
            self.play(
                flash(keys[1]),
                tick(np.log10(total), beat.remaining() * 0.95),
            )

        table = self.cost_table(runs)
        table.next_to(note, DOWN, buff=0.4).align_to(keys, LEFT)
        with self.narrate(cost_line(runs, self.within)) as beat:
            self.play(FadeIn(table[0]), FadeIn(table[2], shift=LEFT * 0.2), run_time=1.0)
            self.play(FadeIn(table[1], shift=LEFT * 0.2), run_time=beat.until("full batch"))
            self.wait_until(beat, "single")
            self.play(FadeIn(table[3], shift=LEFT * 0.2), run_time=0.6)
            # Highlighted by colour only (the columns keep their alignment): first to 5%,
            # then most of its last pass outside 5% and its mean loss highest.
            self.play(Indicate(table[3][1], color=style.INK, scale_factor=1), run_time=1.0)
            self.wait_until(beat, "never")
            self.play(
                Indicate(VGroup(*table[3][-2:]), color=style.INK, scale_factor=1),
                run_time=beat.remaining(minimum=0.8),
            )

        # Why the noise: every example's gradient at the start, and averages of 32.
        start = runs["full batch"].traj.positions[0]
        per_example = surface.sample_grads(start)
        full_grad = surface.grad(start)
        rng = np.random.default_rng(self.seed)
        idx = np.stack([rng.choice(n, 32, replace=False) for _ in range(self.n_batch_means)])
        batch_means = surface.batch_grad(np.repeat(start[None], len(idx), axis=0), idx)
        spread_one = float(np.sqrt(np.mean(np.sum((per_example - full_grad) ** 2, axis=1))))
        spread_32 = float(np.sqrt(np.mean(np.sum((batch_means - full_grad) ** 2, axis=1))))
        cloud = self.gradient_cloud(per_example, full_grad, batch_means)
        cloud.move_to([3.5, -1.3, 0])
        spreads = VGroup(
            label(f"one example: off by {spread_one:.1f} on average", size=18, color=style.INK),
            label(f"mean of 32: off by {spread_32:.1f}", size=18, color=COLORS["mini-batch"]),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        spreads.next_to(cloud, UP, buff=0.15).align_to(cloud, LEFT)
        for line in spreads[1:]:  # one left edge, whatever each line's first glyph
            line.align_to(spreads[0], LEFT)
        arrow = cloud[2]
        full_name = label("full gradient", size=18, color=style.INK)
        # Just under the gradient's horizontal axis, left of the arrow, above the batch
        # means; a dark backing keeps it legible over any dot that reaches it.
        full_name.next_to(arrow.get_start(), DOWN, buff=0.08)
        full_name.align_to(arrow.get_end() + LEFT * 0.1, RIGHT)
        full_name.add_background_rectangle(color=style.BACKGROUND, opacity=0.75, buff=0.04)
        full_name.set_z_index(2)
        with self.narrate(
            "Why the noise? Each example's gradient lands far from the full one. "
            "Averages of 32 land close."
        ) as beat:
            # The table leaves before the cloud's axes are drawn where it stood.
            self.play(FadeOut(table), FadeOut(keys), FadeOut(note), run_time=0.4)
            self.play(FadeIn(cloud[0]), run_time=0.4)
            self.play(FadeIn(cloud[1]), run_time=beat.until("lands far"))
            self.play(GrowArrow(arrow), FadeIn(full_name), run_time=beat.until("full one"))
            self.play(FadeIn(spreads[0]), run_time=beat.until("averages"))
            self.play(FadeIn(cloud[3]), FadeIn(spreads[1]), run_time=1.0)
            # Time to see the tight cluster of batch means before the scene ends.
            self.play(
                # Colour only: scaling about its centre would push its left edge out.
                Indicate(spreads[1], color=style.INK, scale_factor=1),
                run_time=beat.remaining(minimum=0.8),
            )
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)

    def cost_table(self, runs: dict[str, BatchRun]) -> VGroup:
        """Per run (its gradients per step are in the key above): passes until the loss
        first comes within the target, the share of the last pass spent within it, and
        the last pass's mean loss."""
        pct = f"{self.within:.0%}"
        head = [
            "",
            f"passes to\nreach {pct}",
            f"last pass\nwithin {pct}",
            "last pass\nmean loss",
        ]
        rows = [head]
        for k in ("full batch", "mini-batch", "stochastic"):
            r = runs[k]
            rows.append(
                [
                    k,
                    f"{r.passes:.2g}",
                    f"{r.share_within:.0%}",
                    f"{r.settled_loss:.2f}",
                ]
            )
        colors = [style.INK] + [COLORS[row[0]] for row in rows[1:]]
        return grid(rows, WIDTHS, colors)

    def gradient_cloud(self, grads: np.ndarray, full: np.ndarray, means: np.ndarray) -> VGroup:
        """Per-example gradients as dots, the full gradient as an arrow, batch means."""
        # Every example is drawn: the range is the cloud's full extent.
        lo, hi = grads.min(axis=0), grads.max(axis=0)
        pad = 0.05 * (hi - lo)
        lo, hi = np.minimum(lo - pad, 0), np.maximum(hi + pad, 0)  # keep the origin in view
        axes = Axes(
            x_range=[lo[0], hi[0], (hi[0] - lo[0]) / 4],
            y_range=[lo[1], hi[1], (hi[1] - lo[1]) / 4],
            x_length=4.6,
            y_length=3.4,
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False, "stroke_width": 1.5},
        )
        # Labels outside the box the dots fill: at the ends of the axes.
        xl = formula(r"\partial \ell_i / \partial w'", scale=0.5, color=style.MUTED)
        xl.next_to(axes.x_axis.get_start(), LEFT, buff=0.1)
        yl = formula(r"\partial \ell_i / \partial b'", scale=0.5, color=style.MUTED)
        yl.next_to(axes.y_axis.get_end(), UP, buff=0.08)
        dots = dot_cloud(
            axes_points(axes, grads[:, 0], grads[:, 1]),
            radius=0.022,
            color=style.OPTIMIZER_COLORS["sgd"],
            opacity=0.55,
        )
        arrow = Arrow(
            axes_points(axes, 0.0, 0.0),
            axes_points(axes, full[0], full[1]),
            buff=0,
            color=style.INK,
            stroke_width=5,
            max_tip_length_to_length_ratio=0.15,
        )
        mean_dots = dot_cloud(
            axes_points(axes, means[:, 0], means[:, 1]),
            radius=0.03,
            color=COLORS["mini-batch"],
            opacity=0.9,
        )
        return VGroup(VGroup(axes, xl, yl), dots, arrow, mean_dots)
