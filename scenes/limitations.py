"""Section 9: limitations, and what comes next.

``DeepGradients``: local minima and saddles recalled; gradient sizes per layer of three
deep networks, on a log scale (vanishing, exploding, healthy).
``Conditioning``: steps to converge against the condition number, for GD and tuned momentum.
``BeyondGradients``: Newton, L-BFGS and Nelder-Mead beside gradient descent on Rosenbrock.
``Closing``: the climber from the hook reaches its valley; the end card.

Every number comes from :mod:`optim.presets` and :mod:`models.presets`, which the tests check.
"""

from manim import *

from models import presets as deep
from optim import presets, run
from scenes.common import style
from scenes.common.charts import axes_points
from scenes.common.labels import Typesetter, heading, label
from scenes.common.landscape import ContourMap, Landscape
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer
from scenes.hook import Hook
from surfaces import get

_WORDS = {1: "ten", 2: "a hundred", 3: "a thousand", 4: "ten thousand",
          5: "a hundred thousand", 6: "a million", 7: "ten million"}  # fmt: skip
# Twice and five times 10^k, for ratios nearer those than a power of ten.
_TWICE = {1: "twenty", 2: "two hundred", 3: "two thousand", 4: "twenty thousand",
          5: "two hundred thousand", 6: "two million"}  # fmt: skip
_HALVES = {1: "fifty", 2: "five hundred", 3: "five thousand", 4: "fifty thousand",
           5: "half a million", 6: "five million"}  # fmt: skip
SPOKEN = sorted(
    [(float(k), w) for k, w in _WORDS.items()]
    + [(k + np.log10(2), w) for k, w in _TWICE.items()]
    + [(k + np.log10(5), w) for k, w in _HALVES.items()]
)


def times_in_words(ratio: float) -> str:
    """``ratio`` as a narrator says it: the nearest (in log scale) of 1, 2 and 5 times
    a power of ten, from ten to ten million ("half a million" for 495,771, "two
    hundred" for 180)."""
    x = float(np.clip(np.log10(ratio), 1, 7))
    return min(SPOKEN, key=lambda kw: abs(kw[0] - x))[1]


def hedged_times(ratio: float) -> str:
    """:func:`times_in_words` with the word that makes it true: "nearly two hundred"
    for 180, "over two hundred" for 230, plain within 2%."""
    words = times_in_words(ratio)
    said = 10 ** dict((w, k) for k, w in SPOKEN)[words]
    if abs(ratio / said - 1) <= 0.02:
        return words
    return f"{'nearly' if ratio < said else 'over'} {words}"


def log_bars(norms: np.ndarray, lo: int, hi: int, color, width: float = 3.2, height: float = 3.6):
    """Bars of ``norms`` (one per layer) on a log axis from ``10^lo`` to ``10^hi``."""
    n = len(norms)
    # One spare unit: bar i spans i + 0.6 to i + 1.4, clear of the y axis and its ticks.
    axes = Axes(
        x_range=[0, n + 1, 1],
        y_range=[0, hi - lo, 1],
        x_length=width,
        y_length=height,
        axis_config={"color": style.MUTED, "include_tip": False},
        x_axis_config={"include_ticks": False},
        y_axis_config={"tick_size": 0.04},
    )
    bars = VGroup()
    for i, v in enumerate(norms):
        top = float(np.clip(np.log10(v) - lo, 0.02, hi - lo))
        corners = axes_points(axes, [i + 0.6, i + 1.4, i + 1.4, i + 0.6], [0, 0, top, top])
        bars.add(Polygon(*corners, fill_color=color, fill_opacity=0.85, stroke_width=0))
    ticks = VGroup(
        *[
            MathTex(f"10^{{{e}}}", color=style.INK)
            .scale(0.6)
            .next_to(axes.c2p(0, e - lo), LEFT, 0.1)
            for e in range(lo, hi + 1, 2)
        ]
    )
    first = label("first", size=19, color=style.MUTED).next_to(axes.c2p(1, 0), DOWN, 0.1)
    last = label("last layer", size=19, color=style.MUTED).next_to(axes.c2p(n, 0), DOWN, 0.1)
    return VGroup(axes, ticks, first, last), bars


def factor_text(norms: np.ndarray) -> str:
    """How the first layer's gradient compares with the last one's, in a few characters."""
    r = norms[0] / norms[-1]
    if r < 0.1:
        return f"first ÷ last = 1/{1 / r:,.0f}"
    if r > 10:
        return f"first ÷ last = {r:,.0f}"
    return f"first ÷ last = {r:.2f}"


class DeepGradients(NarratedScene, Scene):
    study = deep.DeepStudy()
    rastrigin_lr = 0.002
    climbers = 40

    def recall(self) -> VGroup:
        """Two small maps the film has shown: climbers stuck in Rastrigin's dips, and a saddle."""
        ras, sad = get("rastrigin"), get("saddle")
        left = ContourMap(ras, levels=8, x_length=5.8, y_length=5.8, stroke_width=1.2)
        starts = np.random.default_rng(3).uniform(-4.5, 4.5, (self.climbers, 2))
        ends = run(ras, "gd", start=starts, lr=self.rastrigin_lr, steps=200, tol=1e-3).final
        dots = VGroup(*[Dot(p, radius=0.06, color=style.ACCENT) for p in left.to_scene(ends)])
        # The best valley, which none of the climbers finds.
        best = Star(n=5, outer_radius=0.17, color=style.GOOD, fill_opacity=1)
        best.move_to(left.to_scene(np.array(ras.minima[0].point)))
        right = ContourMap(sad, levels=10, x_length=5.8, y_length=5.8, stroke_width=1.2)
        crawl = run(sad, "gd", start=(1.8, -1e-3), lr=0.05, steps=120, tol=1e-6).positions
        self.crawl = crawl[np.abs(crawl).max(axis=1) <= 2.0]
        # The step nearest the saddle point, where the steps are shortest.
        saddle_point = np.array(sad.critical_guesses[0])
        self.crawl_near = int(np.argmin(np.linalg.norm(self.crawl - saddle_point, axis=1)))
        maps = VGroup(VGroup(left, dots, best), right).arrange(RIGHT, buff=0.9)
        # What the dots and the star are, under the left map's name.
        key_dot = VGroup(Dot(radius=0.06, color=style.ACCENT),
                         label("where runs ended", size=20, color=style.MUTED)
                         ).arrange(RIGHT, buff=0.12)  # fmt: skip
        key_star = VGroup(Star(n=5, outer_radius=0.1, color=style.GOOD, fill_opacity=1),
                          label("global minimum", size=20, color=style.MUTED)
                          ).arrange(RIGHT, buff=0.12)  # fmt: skip
        keys = VGroup(key_dot, key_star).arrange(RIGHT, buff=0.4)
        names = VGroup(
            label("local minima", size=26, color=style.INK).next_to(maps[0], DOWN, 0.2),
            label("saddle points", size=26, color=style.INK).next_to(maps[1], DOWN, 0.2),
        )
        keys.next_to(names[0], DOWN, 0.15)
        return VGroup(maps, names, keys)

    def construct(self):
        norms = deep.layer_gradients(self.study)
        cases = self.study.cases
        lo = int(np.floor(np.log10(min(v.min() for v in norms.values()))))
        hi = int(np.ceil(np.log10(max(v.max() for v in norms.values()))))
        colors = [style.BAD, style.ACCENT, style.GOOD]
        groups = VGroup()
        for case, color in zip(cases, colors, strict=True):
            frame, bars = log_bars(norms[case.title], lo, hi, color)
            title = label(case.title, size=19, color=color).next_to(frame, UP, buff=0.25)
            groups.add(VGroup(title, frame, bars))
        groups.arrange(RIGHT, buff=0.6).move_to(DOWN * 0.1)
        panels = VGroup(*[VGroup(g[0], g[1]) for g in groups])
        bar_sets = [g[2] for g in groups]
        header = label(
            f"gradient size per layer, {self.study.depth} hidden layers of {self.study.width}",
            size=24,
            color=style.INK,
        ).to_edge(UP, buff=0.5)
        vanish = norms[cases[0].title]
        explode = norms[cases[1].title]
        shrink = hedged_times(vanish[-1] / vanish[0])
        grow = hedged_times(explode[0] / explode[-1])

        recall = self.recall().move_to(ORIGIN)
        (minima, dots, best), saddle = recall[0]
        # Made where the map now is: the walk is linear in steps, so the dot lingers
        # near the saddle, where the steps are short.
        crawl = PathTracer(self.crawl, saddle.to_scene, color=style.ACCENT, stroke_width=3,
                           radius=0.07)  # fmt: skip
        key_dot, key_star = recall[2]
        with self.narrate(
            "Gradient descent has limits: it finds a valley, not the best one, and saddles slow it."
        ) as beat:
            # Both maps at once, then what each shows as the line names it.
            self.play(FadeIn(minima), FadeIn(saddle), FadeIn(recall[1]), run_time=1.0)
            self.wait_until(beat, "valley")
            self.play(FadeIn(dots, lag_ratio=0.05), FadeIn(key_dot), run_time=1.0)
            self.wait_until(beat, "best one")
            self.play(FadeIn(best, scale=0.5), Flash(best, color=style.GOOD), FadeIn(key_star),
                      run_time=0.8)  # fmt: skip
            # In from "saddles", slowing as "slow it" is said, at the saddle as the line
            # ends; it crawls out after the line.
            self.wait_until(beat, "saddles")
            self.add(crawl)
            self.play(crawl.walk(to=self.crawl_near, run_time=beat.remaining()))
        self.play(crawl.walk(run_time=1.8))
        self.wait(0.4)  # the crawl's end, seen before the networks come

        with self.narrate(
            "Deep networks add one more: gradients that shrink or grow layer by layer."
        ) as beat:
            self.play(FadeOut(recall), FadeOut(crawl), run_time=0.5)
            self.play(FadeIn(header, shift=DOWN * 0.2), run_time=0.6)
            self.play(
                LaggedStart(*[FadeIn(p) for p in panels], lag_ratio=0.3),
                run_time=beat.until("gradients"),
            )
            self.play(
                *[
                    LaggedStart(*[GrowFromEdge(b, DOWN) for b in bars], lag_ratio=0.15)
                    for bars in bar_sets
                ],
                run_time=beat.remaining(),
            )

        with self.narrate(
            f"With sigmoids and small weights, the first layer's gradient is {shrink} times "
            "smaller than the last: early layers barely learn. With large weights it grows "
            f"{grow} times: training turns unstable. ReLU with He initialisation keeps every "
            "layer in the same range."
        ) as beat:
            # What the sentence then says about those layers, when it says it:
            # (cue, animation, run time) per network.
            follow_ups = [
                [
                    ("first", Flash(bar_sets[0][0].get_top(), color=style.INK), 0.8),
                    ("than", Indicate(bar_sets[0][-1], color=style.INK, scale_factor=1.15), 0.9),
                    (
                        "early layers",
                        Indicate(VGroup(*bar_sets[0][:4]), color=style.INK, scale_factor=1.15),
                        1.2,
                    ),
                ],
                [("unstable", Wiggle(VGroup(*bar_sets[1][:4]), scale_value=1.08), 1.2)],
                [
                    (
                        "same range",
                        Create(self.range_band(bar_sets[2])),
                        1.2,
                    )
                ],
            ]
            for i, cue in enumerate(("sigmoids", "large weights", "relu")):
                self.wait_until(beat, cue)
                note = self.factor_note(bar_sets[i], panels[i][1], norms[cases[i].title], colors[i])
                self.play(
                    Indicate(panels[i][0], color=colors[i], scale_factor=1.1),
                    bar_sets[i].animate.set_fill(opacity=1.0),
                    *[
                        b.animate.set_fill(opacity=0.35)
                        for j, bs in enumerate(bar_sets)
                        if j != i
                        for b in bs
                    ],
                    GrowArrow(note[0]),
                    FadeIn(note[1], shift=UP * 0.1),
                    run_time=1.5,
                )
                for cue2, show, seconds in follow_ups[i]:
                    self.wait_until(beat, cue2)
                    self.play(show, run_time=seconds)
            self.play(
                *[b.animate.set_fill(opacity=0.85) for bs in bar_sets for b in bs], run_time=0.8
            )
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)

    def range_band(self, bars: VGroup) -> Rectangle:
        """A band around the bars' tops: the range every layer's gradient stays in."""
        tops = [b.get_top()[1] for b in bars]
        band = Rectangle(
            width=bars.width + 0.16,
            height=max(tops) - min(tops) + 0.24,
            color=style.GOOD,
            stroke_width=3,
        )
        return band.move_to([bars.get_center()[0], (max(tops) + min(tops)) / 2, 0])

    def factor_note(self, bars: VGroup, frame: VGroup, norms: np.ndarray, color) -> VGroup:
        """An arrow from the last layer's bar top to the first one's, and the ratio above it."""
        start, end = bars[-1].get_top(), bars[0].get_top()
        arrow = Arrow(start, end, buff=0.05, color=style.INK, stroke_width=3,
                      max_tip_length_to_length_ratio=0.06)  # fmt: skip
        text = label(factor_text(norms), size=21, color=color)
        text.next_to(frame, DOWN, buff=0.15)
        return VGroup(arrow, text)


class Conditioning(NarratedScene, Scene):
    study = presets.Conditioning()

    def construct(self):
        steps = presets.conditioning(self.study)
        kappas = np.array(self.study.kappas, dtype=float)
        top = int(np.ceil(np.log10(steps["gd"].max())))
        axes = Axes(
            x_range=[0, np.log10(kappas.max()), 1],
            y_range=[0, top, 1],
            x_length=7.0,
            y_length=4.0,
            axis_config={"color": style.MUTED, "include_tip": False, "tick_size": 0.05},
        ).shift(DOWN * 0.7 + LEFT * 1.6)
        ticks = VGroup(
            *[
                MathTex(f"10^{{{e}}}", color=style.INK)
                .scale(0.65)
                .next_to(axes.c2p(e, 0), DOWN, 0.12)
                for e in range(int(np.log10(kappas.max())) + 1)
            ],
            *[
                MathTex(f"10^{{{e}}}", color=style.INK)
                .scale(0.65)
                .next_to(axes.c2p(0, e), LEFT, 0.12)
                # From 10^1: the x axis's 10^0 labels the corner, the two would touch.
                for e in range(1, top + 1)
            ],
        )
        x_lab = label("condition number: steepest ÷ flattest curvature", size=20, color=style.MUTED)
        x_lab.next_to(axes, DOWN, buff=0.6)
        y_lab = label("steps to converge", size=20, color=style.MUTED).next_to(axes, UP, buff=0.2)
        y_lab.align_to(axes, LEFT)
        series = VGroup()
        names = {"gd": "gradient descent", "momentum": "tuned momentum"}
        for name, values in steps.items():
            color = style.OPTIMIZER_COLORS[name]
            pts = axes_points(axes, np.log10(kappas), np.log10(np.maximum(values, 1)))
            line = VMobject(stroke_color=color, stroke_width=4).set_points_as_corners(pts)
            dots = VGroup(*[Dot(p, radius=0.06, color=color) for p in pts])
            tag = label(f"{names[name]}: {values[-1]:,}", size=20, color=color)
            tag.next_to(pts[-1], RIGHT, buff=0.3)
            series.add(VGroup(line, dots, tag))
        # The valleys large while the line describes them, then a strip above the chart.
        bowls = self.bowls(kappas[[0, 2, 4]], size=3.6).move_to(DOWN * 0.4)
        strip = self.bowls(kappas[[0, 2, 4]]).to_edge(UP, buff=0.35).shift(RIGHT * 3.6)
        header = heading("Ill-conditioning", size=30).to_corner(UL, buff=0.5)

        with self.narrate(
            "Ill-conditioning: a valley far steeper across than along. That ratio is the "
            "condition number."
        ) as beat:
            self.play(FadeIn(header), FadeIn(bowls[0][0]), run_time=0.6)
            self.play(
                LaggedStart(*[FadeIn(b[0]) for b in bowls[1:]], lag_ratio=0.5),
                run_time=beat.until("along"),
            )
            self.wait_until(beat, "condition number")
            self.play(LaggedStart(*[FadeIn(b[1], shift=UP * 0.1) for b in bowls], lag_ratio=0.3),
                      run_time=beat.remaining(minimum=0.8))  # fmt: skip

        gd, ball = series
        with self.narrate(
            f"Steps grow in proportion to it: {steps['gd'][-1]:,} at {kappas[-1]:,.0f}."
        ) as beat:
            # The chart (the bowls mostly out of its way before it comes), its line drawn
            # as "in proportion to it" is said, and the step count shown as the voice
            # says the number.
            chart = AnimationGroup(Create(axes), FadeIn(ticks), FadeIn(x_lab), FadeIn(y_lab))
            self.play(LaggedStart(Transform(bowls, strip), chart, lag_ratio=0.5),
                      run_time=beat.until("proportion"))  # fmt: skip
            self.play(Create(gd[0]), LaggedStart(*[FadeIn(d) for d in gd[1]], lag_ratio=0.2),
                      run_time=beat.until(f"{steps['gd'][-1]:,}"))  # fmt: skip
            self.play(FadeIn(gd[2], shift=LEFT * 0.2), run_time=0.6)

        with self.narrate(
            f"Tuned momentum: {steps['momentum'][-1]:,}, but tuned to curvatures we rarely know."
        ) as beat:
            said = f"{steps['momentum'][-1]:,}"
            self.play(Create(ball[0]), LaggedStart(*[FadeIn(d) for d in ball[1]], lag_ratio=0.2),
                      run_time=beat.until(said))  # fmt: skip
            self.play(FadeIn(ball[2], shift=LEFT * 0.2), run_time=0.6)
            self.wait_until(beat, "but")
            # From "but" to "know": at its largest on "curvatures".
            self.play(
                Indicate(ball[2], color=style.OPTIMIZER_COLORS["momentum"], scale_factor=1.08),
                run_time=beat.until("know"),
            )
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)

    def bowls(self, kappas, size: float = 1.9) -> VGroup:
        """Level sets of three of the bowls, from round to narrow, with their condition
        numbers, each ``size`` wide."""
        out = VGroup()
        for kappa in kappas:
            s = get(f"x**2/2 + {kappa:g}*y**2/2")
            # Levels up to f = 2 so that each bowl shows whole ellipses, however narrow.
            cmap = ContourMap(s, levels=5, x_length=size, y_length=size, stroke_width=2.5,
                              domain=((-2, 2), (-2, 2)), z_range=(0.0, 2.0))  # fmt: skip
            cmap.axes.set_stroke(opacity=0)
            tag = (
                MathTex(rf"\kappa = {kappa:g}", color=style.INK)
                .scale(0.75 * max(1.0, size / 2.6))
                .next_to(cmap, DOWN, 0.1 * size / 1.9)
            )
            out.add(VGroup(cmap, tag))
        return out.arrange(RIGHT, buff=0.4 * size / 1.9)


class BeyondGradients(NarratedScene, Scene):
    preset = presets.NextMethods()

    def construct(self):
        p = self.preset
        runs = presets.next_methods(p)
        s = get(p.surface)
        # Taller than Rosenbrock's usual box: Newton's second step lands far below the valley.
        cmap = ContourMap(s, heights="log", levels=16, x_length=5.8, y_length=7.3,
                          domain=((-2.0, 2.0), (-3.0, 3.2)))  # fmt: skip
        cmap.to_edge(LEFT, buff=0.4)
        star = Star(n=5, outer_radius=0.15, color=style.GOOD, fill_opacity=1)
        star.move_to(cmap.to_scene(np.array(s.minima[0].point)))
        names = {"gd": "gradient descent", "newton": "Newton", "lbfgs": "L-BFGS",
                 "nelder-mead": "Nelder-Mead"}  # fmt: skip
        # L-BFGS and Nelder-Mead end on the same stretch of valley: L-BFGS is a wide
        # band, dimmed when Nelder-Mead comes; Nelder-Mead a thin line over it with a
        # large dot at each of its points, so both stay visible.
        widths = {"gd": 3, "newton": 3, "lbfgs": 7, "nelder-mead": 2.5}
        tracers = {
            n: PathTracer(
                t.positions,
                cmap.to_scene,
                color=style.OPTIMIZER_COLORS[n],
                stroke_width=widths[n],
                radius=0.07,
                footprints=n not in ("gd", "nelder-mead"),
            )
            for n, t in runs.items()
        }
        # A dark edge keeps each path apart from the contour lines it lies on.
        for n, tr in tracers.items():
            if n == "nelder-mead":  # drawn over L-BFGS's band, which must show around it
                continue
            tr.trail.set_stroke(color=style.BACKGROUND, width=tr.trail.stroke_width + 3,
                                background=True)  # fmt: skip
        header = VGroup(*[label(h, size=22, color=style.MUTED)
                          for h in ("method", "steps", "f evals", "∇f evals")])  # fmt: skip
        rows = [header]
        # Each count runs up while its path is drawn where it is the step count plus a
        # fixed number (one evaluation at the start); a count spent unevenly along the
        # path (L-BFGS's line searches, Nelder-Mead's simplex) appears when it ends.
        live, late = {}, {}
        digits = Typesetter.get(style.FONT, 24)  # the live counts: set fast as they change
        for n, t in runs.items():
            color = style.OPTIMIZER_COLORS[n]
            cells, row_live, row_late = [], [], []
            for final in (t.n_steps, t.n_fev, t.n_gev):
                extra = final - t.n_steps
                counts_up = 0 <= extra <= 1 and final > 0
                shown = f"{extra if counts_up else final:,}"
                cells.append(digits.set(shown, color) if counts_up else label(shown, 24, color))
                (row_live if counts_up else row_late if final > 0 else []).append(
                    (cells[-1], extra)
                )
            live[n], late[n] = row_live, [c for c, _ in row_late]
            rows.append(VGroup(label(names[n], size=24, color=color), *cells))
        table = VGroup(*rows)
        x0, columns = 0.0, [0.0, 3.15, 4.45, 5.7]
        for i, row in enumerate(table):
            for part, x in zip(row, columns, strict=True):
                part.move_to([x0 + x, -0.8 * i, 0], aligned_edge=LEFT)
        # Headers on one line: by their tops ("steps" has a descender, centring lifts it).
        for part in header[1:]:
            part.align_to(header[0], UP)
        table.next_to(cmap, RIGHT, buff=0.35).to_edge(UP, buff=0.8)
        gd, newton, lbfgs, nm = (runs[k] for k in ("gd", "newton", "lbfgs", "nelder-mead"))

        def counter(n: str, extra: int, anchor: np.ndarray):
            def count(m: Mobject) -> None:
                """One count, rebuilt only when it changes, as faint as its row while the
                row fades in."""
                text = f"{round(tracers[n].step.get_value()) + extra:,}"
                if text != m.text:
                    new = digits.set(text, style.OPTIMIZER_COLORS[n]).move_to(anchor, LEFT)
                    Typesetter.show(m, new)

            return count

        for n, cells in live.items():
            for cell, extra in cells:
                cell.add_updater(counter(n, extra, cell.get_left()))

        # Until a late count appears, a faint ellipsis holds its place: a blank cell
        # beside counting ones reads as a missing number.
        pending = {
            n: [label("…", 24, style.MUTED).move_to(c.get_left(), LEFT) for c in cells]
            for n, cells in late.items()
        }

        def row(i: int, n: str) -> VGroup:
            """Row ``i`` of the table, an ellipsis for each count that appears at the end."""
            cells = [m for m in table[i] if all(m is not c for c in late[n])]
            return VGroup(*cells, *pending[n])

        def counts(n: str) -> list[Animation]:
            """The counts that appear at the end of ``n``'s path, in their ellipses' place."""
            return [FadeIn(c) for c in late[n]] + [FadeOut(p) for p in pending[n]]

        def stop(n: str) -> None:
            for cell, _ in live[n]:
                cell.clear_updaters()

        # Nelder-Mead's points, each a dot with a dark rim, added as its walk reaches them.
        nm_tracer = tracers["nelder-mead"]
        nm_dots = VGroup()

        def grow_dots(m: VGroup) -> None:
            k = int(np.floor(nm_tracer.step.get_value()))
            while len(m) < k + 1:
                m.add(Dot(nm_tracer.scene_points[len(m)], radius=0.05,
                          color=style.OPTIMIZER_COLORS["nelder-mead"], stroke_color=style.BACKGROUND,
                          stroke_width=1.5))  # fmt: skip

        note = label("Newton also evaluates the Hessian at every step", size=20, color=style.MUTED)
        note.next_to(table, DOWN, buff=0.45).align_to(table, LEFT)
        floor = presets.valley_entry(gd.positions)

        def dim(tracer: PathTracer, trail: float = 0.5) -> list[Animation]:
            """A finished path steps back (stroke and dots only: its trail has no fill).
            Played unpacked: an AnimationGroup of the parts' ``.animate`` would take them
            out of the tracer. Gradient descent's trail keeps more of its stroke: it lies
            on the valley floor among the densest contours, where half its opacity is
            invisible."""

            def fade(_m: Mobject, a: float) -> None:
                o = 1 - 0.5 * a
                tracer.trail.set_stroke(opacity=1 - (1 - trail) * a)
                tracer.marker.set_fill(opacity=o)
                tracer.prints.set_fill(opacity=0.8 * o)

            return [UpdateFromAlphaFunc(Mobject(), fade)]

        with self.narrate(
            f"What comes next? On Rosenbrock, gradient descent reaches the valley floor in "
            f"{floor} steps, then crawls along it: {gd.n_steps:,} steps."
        ) as beat:
            self.play(
                Create(cmap.lines, lag_ratio=0.02), FadeIn(cmap.axes), FadeIn(star), run_time=1.5
            )
            self.add(tracers["gd"])
            self.play(FadeIn(header), FadeIn(table[1]), run_time=0.6)
            # The first steps drop onto the valley floor, the rest crawl along it.
            self.play(tracers["gd"].walk(to=floor, run_time=beat.until("then")))
            # ... and the count reaches its last step as the voice says it.
            self.play(tracers["gd"].walk(run_time=beat.until(f"{gd.n_steps:,}"), rate_func=linear))
            stop("gd")

        with self.narrate(
            f"Newton's method uses the curvature, the Hessian: {newton.n_steps} steps."
        ) as beat:
            self.add(tracers["newton"])
            self.play(
                FadeIn(row(2, "newton")),
                *dim(tracers["gd"], trail=0.85),
                run_time=beat.until("method"),  # the row in while its name is said
            )
            self.play(tracers["newton"].walk(run_time=beat.until(str(newton.n_steps))))
            stop("newton")
            self.play(FadeIn(note), *counts("newton"), run_time=0.4)

        with self.narrate(
            f"L-BFGS estimates it from recent gradients: {lbfgs.n_steps}. "
            f"Nelder-Mead uses no gradient at all: {nm.n_steps}."
        ) as beat:
            self.add(tracers["lbfgs"])
            # The row apart from the walk: an animated row's counters would not run.
            self.play(FadeIn(row(3, "lbfgs")), *dim(tracers["newton"]), run_time=0.4)
            # Each walk ends, its count at its last step, as the voice says the count;
            # Nelder-Mead's row comes in between, by its name.
            self.play(tracers["lbfgs"].walk(run_time=beat.until(str(lbfgs.n_steps))))
            stop("lbfgs")
            self.add(nm_tracer, nm_dots)
            nm_dots.add_updater(grow_dots)
            self.play(*counts("lbfgs"), FadeIn(row(4, "nelder-mead")),
                      *dim(tracers["lbfgs"], trail=0.3),
                      run_time=beat.until("nelder-mead", minimum=0.4))  # fmt: skip
            same = 2 if nm.n_steps == lbfgs.n_steps else 1  # one number said twice: its second
            self.play(nm_tracer.walk(run_time=beat.until(str(nm.n_steps), occurrence=same)))
            stop("nelder-mead")
            nm_dots.clear_updaters()
            self.play(*counts("nelder-mead"), run_time=0.4)

        road = VGroup(
            label("adaptive optimizers · learned optimizers", size=24, color=style.INK),
            label("second-order methods at scale", size=24, color=style.INK),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        road.next_to(note, DOWN, buff=1.0).align_to(table, LEFT)
        with self.narrate(
            "Adaptive and learned optimizers go further, all built on the same simple idea."
        ) as beat:
            # Written while the clause that names it is said.
            self.play(Write(road), run_time=beat.until("all built"))
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)


class Closing(Hook):
    """The climber of the hook, in daylight, walks its whole way down; then the end card."""

    sources = (
        "Adam: Kingma & Ba, 2015",
        "Momentum: Goh, “Why Momentum Really Works”, Distill 2017;",
        "    Sutskever et al., 2013",
        "Weather: Seattle 2012–2015, NOAA public-domain records (vega_datasets)",
        "Update rules: torch.optim's documentation",
    )

    # The climber's valley inside the drawn ground, so it ends in a bowl, not on the
    # surface's rim: ground on every side of the minimum it reaches, (left, right,
    # near, far) of it. The near side is short and the terrain flat enough that the
    # near wall, seen from the camera's height, does not hide the bottom.
    margins = (2.6, 3.4, 1.6, 3.6)
    z_length = 2.0

    def setup_terrain(self):
        surface = get(self.surface)
        traj = run(surface, "gd", start=self.start, lr=self.lr, steps=self.steps, tol=self.tol)
        (cx, cy), (left, right, near, far) = traj.final, self.margins
        domain = ((cx - left, cx + right), (cy - near, cy + far))
        xs, ys = np.meshgrid(np.linspace(*domain[0], 64), np.linspace(*domain[1], 64))
        z = surface(np.stack([xs, ys], axis=-1))
        self.terrain = Landscape(
            surface,
            resolution=30,
            heights="log",
            log_scale=20,
            z_range=(float(z.min()), float(z.max())),
            opacity=1.0,
            show_axes=False,
            z_length=self.z_length,
            domain=domain,
        )
        self.terrain.shift(-self.terrain.mesh.get_center() + OUT * 0.3)
        self.traj = traj
        self.climber = PathTracer(
            traj.positions,
            lambda p: self.terrain.to_scene(p, lift=0.04),
            color=style.ACCENT,
            radius=0.1,
            three_d=True,
            footprints=True,
        )

    def construct(self):
        self.setup_terrain()
        self.terrain.color_by_height(style.HEIGHT_SCALE)
        self.terrain.mesh.set_stroke(color=style.BACKGROUND, width=0.5)
        climber = self.climber
        with self.narrate(
            "Feel the slope, step downhill, repeat: the climber reaches its valley."
        ) as beat:
            self.bake(self.terrain)  # never changes: painted once into the background
            self.reveal(climber, run_time=1.2)
            # In its valley as "valley" is said.
            self.play(climber.walk(run_time=beat.until("valley"), rate_func=smooth))
        self.fade_to_black(run_time=0.6)

        title = heading("Gradient Descent, Explained", size=style.TITLE_SIZE)
        credo = label("Every number in this film was computed.", size=32, color=style.ACCENT)
        refs = VGroup(*[label(s, size=23, color=style.INK) for s in self.sources])
        refs.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        # A continued line is indented under the one it continues.
        for ref, text in zip(refs, self.sources, strict=True):
            if text.startswith(" "):
                ref.shift(RIGHT * 0.5)
        card = VGroup(title, credo, refs).arrange(DOWN, buff=0.7)
        with self.narrate("Every number in this film was computed. Thanks for watching.") as beat:
            # Pinned to the frame without being added: each part appears with its animation.
            self.renderer.camera.add_fixed_in_frame_mobjects(card)
            self.play(Write(title), run_time=1.2)
            self.play(FadeIn(credo, shift=UP * 0.2), run_time=beat.until("thanks"))
            self.play(LaggedStart(*[FadeIn(r, shift=UP * 0.1) for r in refs], lag_ratio=0.3),
                      run_time=beat.remaining())  # fmt: skip
        self.wait(4.5)  # time to read the sources, as a still under 5 s
        self.play(FadeOut(card), run_time=0.8)
