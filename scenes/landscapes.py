"""Section 4: what goes wrong on real landscapes.

``RastriginClimbers``: many climbers (one vectorized run) settle in different dips.
``SaddleCrawl``: a run near the ridge of x^2 - y^2 crawls past the saddle point.
``PlateauStall``: progress nearly stops on a wide flat plain.
``RosenbrockZigzag``: plain GD zig-zags down the banana-shaped valley.
"""

import sympy as sp
from manim import *

from optim import run
from scenes.common import style
from scenes.common.charts import live_chart
from scenes.common.labels import Readout, formula, label
from scenes.common.landscape import ContourMap, Landscape
from scenes.common.narration import NarratedScene
from scenes.common.paths import PathTracer, Swarm
from scenes.common.three_d import StillCameraScene
from surfaces import get


def exp_latex(expr) -> str:
    """SymPy's LaTeX for ``expr`` with each ``exp(u)`` written ``\\exp(u)``, ``u`` factored."""
    written = sp.Function("exp")
    shown = expr.replace(lambda e: isinstance(e, sp.exp), lambda e: written(sp.factor(e.args[0])))
    return sp.latex(shown).replace(r"\operatorname{exp}", r"\exp")


class RastriginClimbers(StillCameraScene):
    surface = "rastrigin"
    n_climbers = 250
    seed = 3
    lr = 0.002
    zoom = 0.9
    # Lower than the surface's default view, and taller, so the bowl under the bumps shows.
    phi = 62

    def construct(self):
        s = get(self.surface)
        # A fine mesh (7 faces per bump) with faint outlines, so each bump reads as a
        # smooth hill on the bowl rather than a few outlined fins. It is drawn once.
        land = Landscape(
            s, resolution=72, opacity=1.0, show_axes=False, z_length=2.8, x_length=7.5, y_length=7.5
        )
        land.mesh.set_stroke(width=0.4, opacity=0.3)
        # Low enough that its far peaks stay clear of the name and formula above it.
        land.shift(-land.mesh.get_center() + DOWN * 0.5)
        starts = np.random.default_rng(self.seed).uniform(-4.5, 4.5, (self.n_climbers, 2))
        traj = run(s, "gd", start=starts, lr=self.lr, steps=200, tol=1e-3)
        final = traj.final
        # Every climber stops at a minimum (|grad| < tol); equal stops are one valley.
        dips = np.unique(np.round(final, 2), axis=0)
        valleys = len(dips)
        best = min(s.minima, key=lambda c: c.value)
        winners = np.linalg.norm(final - np.array(best.point), axis=1) < 1e-2
        swarm = Swarm(land.to_scene(traj.positions, lift=0.05), radius=0.066, stroke_width=1.5,
                      trail_opacity=0.6, max_vertices=80)  # fmt: skip
        # Round dots facing the camera, not flat discs seen edge-on as dashes.
        swarm.face(self.renderer.camera.generate_rotation_matrix())
        dots, trails = swarm.dots, swarm.trails
        marks = VGroup(
            *[Dot(q, radius=0.06, color=style.INK) for q in land.to_scene(dips, lift=0.03)]
        )
        self.renderer.camera.add_fixed_orientation_mobjects(*marks, use_static_center_func=True)
        name = label("Rastrigin's function", color=style.INK, size=28)
        f_tex = formula(r"f(x, y) = " + s.latex, scale=0.72)
        VGroup(name, f_tex).arrange(DOWN, aligned_edge=LEFT, buff=0.2).to_corner(UL, buff=0.35)

        with self.narrate(
            "Rastrigin's function is a bowl covered in bumps, with a local minimum in every dip."
        ) as beat:
            # Named as the voice names it, over the fade up.
            self.fixed(name)
            self.bake(land)  # never changes: painted once into the background
            self.reveal(name)
            self.fixed(f_tex)
            self.play(Write(f_tex), run_time=beat.until("local minimum"))
            # The dips the climbers will find, lit one after another.
            self.play(
                LaggedStart(*[FadeIn(m, scale=0.5) for m in marks], lag_ratio=0.05),
                run_time=beat.remaining() * 0.85,
            )

        count = label(f"{valleys} different valleys", color=style.INK).to_corner(UR, buff=0.35)
        with self.narrate(
            f"Drop {self.n_climbers} climbers at random. "
            f"Each settles in the dip it started in: {valleys} valleys in all."
        ) as beat:
            # The dips' marks go before the climbers come, so the two are never mistaken.
            self.play(FadeOut(marks), run_time=0.5)
            self.add(*swarm)  # history, trails, dots: see Swarm
            self.play(FadeIn(dots, lag_ratio=0.01), run_time=beat.until("each"))
            # They descend while "each settles in the dip it started in" is said.
            swarm.advance(self, traj.n_steps.max(), beat.until(str(valleys)), pieces=6,
                          rate_func=rate_functions.ease_out_sine)  # fmt: skip
            swarm.stop()
            self.fixed(count)
            self.play(FadeIn(count), run_time=beat.remaining() * 0.6)

        n_win = int(winners.sum())
        # Two lines, right-aligned under the count, clear of the formula on the left.
        found = (
            VGroup(
                label(f"{n_win} of {self.n_climbers} found", color=style.GOOD),
                label("the global minimum", color=style.GOOD),
            )
            .arrange(DOWN, aligned_edge=RIGHT, buff=0.1)
            .next_to(count, DOWN, aligned_edge=RIGHT, buff=0.2)
        )
        # The global minimum marked in the frame, over whatever bump stands in front of it.
        at_best = self.screen_point(land.to_scene(np.array(best.point), lift=0.05))
        ring = Circle(radius=0.16, color=style.GOOD, stroke_width=4).move_to(at_best)
        core = Dot(at_best, radius=0.07, color=style.GOOD)
        # To the right: the winners' trails come down from the upper left.
        tag = label("global minimum", color=style.GOOD, size=24)
        tag.next_to(at_best, RIGHT, buff=1.4).shift(DOWN * 0.15)
        tag_bg = BackgroundRectangle(tag, color=style.BACKGROUND, fill_opacity=0.95, buff=0.1)
        # The tail stops well short of the label, the tip short of the ring.
        tail = tag_bg.get_left() + LEFT * 0.18
        head = at_best + 0.24 * normalize(tail - at_best)
        pointer = Arrow(
            tail, head, buff=0, color=style.GOOD, stroke_width=5,
            max_tip_length_to_length_ratio=0.3, max_stroke_width_to_length_ratio=20,
        )  # fmt: skip
        best_mark = VGroup(ring, core, tag_bg, tag, pointer)
        with self.narrate(
            f"Only {n_win} found the global minimum. Gradient descent finds "
            "a valley, not the best valley."
        ) as beat:
            self.fixed(found, best_mark)
            self.play(
                *[
                    AnimationGroup(
                        d.animate.set_color(style.GOOD).scale(2.0),
                        tr.animate.set_stroke(color=style.GOOD, width=3, opacity=1),
                    )
                    for d, tr, w in zip(dots, trails, winners, strict=True)
                    if w
                ],
                FadeIn(found),
                Create(ring),
                FadeIn(core, scale=0.5),
                FadeIn(tag_bg),
                FadeIn(tag, shift=DOWN * 0.1),
                GrowArrow(pointer),
                run_time=beat.until("gradient descent"),
            )
            # The rest dim slowly while the lesson is said: gathered into one trail
            # and one cloud, drawn under the winners and the labels as before.
            lost_trails, lost_dots = lost = swarm.gather(~winners)
            self.add(lost)
            won = np.flatnonzero(winners)
            self.add(*[trails[j] for j in won], *[dots[j] for j in won], found, best_mark)
            self.play(
                lost_dots.animate.set_color(style.MUTED).set_opacity(0.75),
                lost_trails.animate.set_stroke(opacity=0.25),
                run_time=beat.remaining() * 0.85,
            )
        self.fade_to_black(run_time=0.6)


class SaddleCrawl(StillCameraScene):
    surface = "saddle"
    start = (1.8, -1e-3)
    lr = 0.05
    zoom = 0.95  # the saddle's default view looks from the -y side (see CAMERAS)

    def construct(self):
        s = get(self.surface)
        land = Landscape(
            s, resolution=24, opacity=0.95, show_axes=False, z_length=2.6, x_length=6, y_length=6
        )
        land.shift(-land.mesh.get_center() + LEFT * 2.0)
        traj = run(s, "gd", start=self.start, lr=self.lr, steps=120, tol=1e-6)
        inside = np.abs(traj.positions).max(axis=1) <= 2.0
        end = int(np.argmin(inside)) - 1 if not inside.all() else len(inside) - 1
        path = traj.positions[: end + 1]
        speed = traj.step_lengths()[:end]
        slowest = int(np.argmin(speed))
        climber = PathTracer(path, lambda p: land.to_scene(p, lift=0.04), three_d=True, radius=0.09)
        saddle_pt = s.saddles[0].point
        ring = Circle(radius=0.12, color=style.INK, stroke_width=3).move_to(
            land.to_scene(np.array(saddle_pt))
        )
        f_tex = formula(r"f(x, y) = " + s.latex, scale=0.7).to_corner(UL)
        chart, _axes = live_chart(speed, climber.step, y_label="speed: distance per step")
        chart.to_corner(DR, buff=0.5).shift(UP * 0.4)
        speed_now = Readout(
            "speed",
            lambda: float(speed[min(int(climber.step.get_value()), len(speed) - 1)]),
            decimals=4,
            size=22,
            color=style.ACCENT,
        )
        speed_now.next_to(chart, UP, buff=0.45).align_to(chart, LEFT)

        # Two walks from the centre drawn on the surface: up along x, down along y.
        reach = np.linspace(0, 1.7, 30)
        ways = {}
        # Downhill toward the camera (-y), where the saddle's front falls away in view.
        for name, direction, color, side in (
            ("uphill", (1.0, 0.0), style.GRADIENT, UP * 0.3 + RIGHT * 0.8),
            ("downhill", (0.0, -1.0), style.DESCENT, DOWN * 0.35),
        ):
            pts = land.to_scene(reach[:, None] * np.array(direction), lift=0.03)
            curve = VMobject(stroke_color=color, stroke_width=5).set_points_as_corners(pts)
            tag = label(name, size=24, color=color).move_to(self.screen_point(pts[-1]) + side)
            ways[name] = (curve, tag)
        zero = MathTex(r"\nabla f = 0", color=style.INK).scale(0.7)
        zero.move_to(self.screen_point(ring.get_center()) + UP * 0.45 + LEFT * 0.6)

        with self.narrate(
            "A saddle: uphill one way, downhill the other. At its centre the gradient is zero, "
            "but it is not a minimum."
        ) as beat:
            self.bake(land)  # never changes: painted once into the background
            self.reveal()
            self.fixed(f_tex)
            self.play(Write(f_tex), run_time=beat.until("uphill"))
            for name, cue in (("uphill", "downhill"), ("downhill", "at its centre")):
                curve, tag = ways[name]
                self.fixed(tag)
                self.play(Create(curve), FadeIn(tag), run_time=beat.until(cue))
            self.play(Create(ring), run_time=beat.until("gradient is zero"))
            self.fixed(zero)
            self.play(FadeIn(zero, shift=UP * 0.1), run_time=0.6)
            self.play(
                *[FadeOut(m) for pair in ways.values() for m in pair],
                run_time=beat.remaining() * 0.8,
            )

        with self.narrate(
            "A climber started just off the ridge slows to a crawl near the centre, "
            "where it is almost flat."
        ) as beat:
            self.add(climber)
            self.fixed(chart, speed_now)
            self.play(FadeIn(chart), FadeIn(speed_now), run_time=0.8)
            self.play(climber.walk(to=slowest, run_time=beat.remaining() * 0.9, rate_func=linear))

        note = label(
            f"slowest at step {slowest}, next to the saddle point", size=20, color=style.MUTED
        )
        note.next_to(chart, DOWN, buff=0.25).align_to(chart, RIGHT)
        with self.narrate(
            "A tiny tilt finally tips it off down the other slope, "
            "after many steps spent doing almost nothing."
        ) as beat:
            self.fixed(note)
            self.play(FadeIn(note), run_time=0.6)
            self.play(climber.walk(run_time=beat.remaining() * 0.8, rate_func=linear))
        self.fade_to_black(run_time=0.6)


class PlateauStall(StillCameraScene):
    surface = "plateau"
    lr = 0.5
    zoom = 0.9

    def construct(self):
        s = get(self.surface)
        land = Landscape(
            s,
            resolution=32,
            opacity=0.95,
            show_axes=False,
            z_length=2.4,
            x_length=6.5,
            y_length=6.5,
            # Stop the colour scale at mid-tones: on a near-white plain the yellow climber vanished.
            colors=style.HEIGHT_SCALE[:5],
        )
        land.shift(-land.mesh.get_center() + LEFT * 2.0 + DOWN * 0.4)
        traj = run(s, "gd", lr=self.lr, steps=600, tol=1e-5)
        losses = traj.losses
        # How long the loss stays within 1% of where it started: the stall (the last
        # step still within it, so the readout the walk stops on agrees with the words).
        stall = int(np.argmax(losses < 0.99 * losses[0])) - 1
        climber = PathTracer(
            traj.positions, lambda p: land.to_scene(p, lift=0.04), three_d=True, radius=0.09
        )
        chart, _ = live_chart(losses, climber.step, y_label="loss")
        chart.to_corner(DR, buff=0.5).shift(UP * 0.3)
        k = climber.step
        reads = (
            VGroup(
                Readout("step", lambda: k.get_value(), integer=True, size=22, color=style.MUTED),
                Readout("loss", lambda: float(losses[int(k.get_value())]), decimals=4, size=22),
                Readout(
                    "‖∇f‖",
                    lambda: float(np.linalg.norm(traj.grads[int(k.get_value())])),
                    decimals=4,
                    size=22,
                ),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            .next_to(chart, UP, buff=0.4)
            .align_to(chart, LEFT)
        )
        # Top right, over empty background: at top left it touched the plain's far corner.
        # exp(...) on the line, its exponent factored, instead of e with two tiny
        # fractions in superscript (unreadable at 480p).
        f_tex = formula(r"f(x, y) = " + exp_latex(s.expr), scale=0.75).to_corner(UR)

        with self.narrate("A plateau: a wide, nearly flat plain around a narrow basin."):
            self.bake(land)  # never changes: painted once into the background
            self.reveal(climber)
            self.fixed(f_tex)
            self.play(Write(f_tex))

        with self.narrate(
            "On the plain the gradient is almost zero: "
            f"for {stall} steps the loss changes by less than one percent."
        ) as beat:
            self.fixed(chart, reads)
            self.play(FadeIn(chart), FadeIn(reads), run_time=0.8)
            self.play(climber.walk(to=stall, run_time=beat.remaining() * 0.9, rate_func=linear))

        with self.narrate(
            "At the basin's edge it finally drops: "
            "a loss curve that stalls for ages, then suddenly falls."
        ) as beat:
            self.play(climber.walk(run_time=beat.remaining() * 0.7, rate_func=linear))
        self.fade_to_black(run_time=0.6)


class RosenbrockZigzag(NarratedScene, Scene):
    surface = "rosenbrock"
    lr = 1e-3
    steps = 4000

    def construct(self):
        s = get(self.surface)
        # The map in the middle: its magnified inset stands to its left, beside the
        # zig-zag's corner of the map, so the leader lines between them stay short.
        cmap = ContourMap(s, heights="log", levels=18, x_length=5.9, y_length=5.9).move_to(
            LEFT * 1.05 + DOWN * 0.2
        )
        traj = run(s, "gd", lr=self.lr, steps=self.steps, tol=1e-5)
        # The climber is yellow in every landscape of the film.
        tracer = PathTracer(traj.positions, cmap.to_scene, color=style.ACCENT, stroke_width=2)
        minimum = np.array(s.minima[0].point)
        star = Star(n=5, outer_radius=0.16, color=style.GOOD, fill_opacity=1).move_to(
            cmap.to_scene(minimum)
        )
        name = label("Rosenbrock's function", color=style.INK, size=28)
        # The conventional (1 - x)^2 + 100 (y - x^2)^2: SymPy's terms in the order they
        # were written, instead of its default sort (100 (-x^2 + y)^2).
        f_tex = formula(r"f(x, y) = " + sp.latex(s.expr, order="old"), scale=0.6)
        VGroup(name, f_tex).arrange(DOWN, aligned_edge=LEFT, buff=0.3).to_corner(UR, buff=0.4)
        k = tracer.step
        reads = (
            VGroup(
                Readout("step", lambda: k.get_value(), integer=True, color=style.MUTED),
                Readout("loss", lambda: float(traj.losses[int(k.get_value())]), decimals=4),
                # How far the climber still is from the star, in the star's colour.
                Readout(
                    "distance to minimum",
                    lambda: float(np.linalg.norm(traj.positions[int(k.get_value())] - minimum)),
                    decimals=2,
                    color=style.GOOD,
                ),
            )
            .arrange(DOWN, aligned_edge=LEFT)
            .next_to(f_tex, DOWN, buff=0.6)
            .align_to(f_tex, LEFT)
        )
        dist = float(np.linalg.norm(traj.final - minimum))
        zig = 80
        # A magnified view of the first steps: the zig-zag is a few hundredths wide.
        first = traj.positions[: zig + 1]
        lo, hi = first.min(axis=0), first.max(axis=0)
        half = 0.6 * float(np.max(hi - lo)) + 0.02
        mid = (lo + hi) / 2
        window = ((mid[0] - half, mid[0] + half), (mid[1] - half, mid[1] + half))
        inset = ContourMap(s, heights="log", levels=14, x_length=2.5, y_length=2.5, domain=window)
        inset.axes.set_stroke(opacity=0)
        frame = SurroundingRectangle(inset, color=style.MUTED, buff=0.05, stroke_width=1.5)
        inset_group = VGroup(inset, frame).to_edge(LEFT, buff=0.3)
        inset_title = label(f"first {zig} steps,\nmagnified", color=style.MUTED, size=18)
        box = Rectangle(
            width=cmap.axes.x_length * 2 * half / (s.domain[0][1] - s.domain[0][0]),
            height=cmap.axes.y_length * 2 * half / (s.domain[1][1] - s.domain[1][0]),
            color=style.MUTED,
            stroke_width=1.5,
        ).move_to(cmap.to_scene(mid))
        # Level with the box (its title above it still in the frame).
        inset_group.set_y(min(box.get_y(), 3.3 - inset_group.height / 2))
        inset_title.next_to(inset_group, UP, buff=0.1)
        # Placed once the inset has moved: a tracer places its path when it is made.
        zoomed = PathTracer(
            first, inset.to_scene, color=style.ACCENT, stroke_width=2.5, radius=0.05
        )
        zoomed.step.add_updater(lambda m: m.set_value(min(k.get_value(), zig)))
        # Leader lines from the magnified box to its inset, beside it on the left.
        leaders = VGroup(
            *[
                DashedLine(box.get_corner(c1), frame.get_corner(c2), dash_length=0.08).set_stroke(
                    color=style.MUTED, width=1.2, opacity=0.8
                )
                for c1, c2 in ((UL, UR), (DL, DR))
            ]
        )

        with self.narrate(
            "Rosenbrock's function hides its minimum at the end of a long, curved valley."
        ):
            # Named as the voice names it.
            self.play(
                Create(cmap.lines, lag_ratio=0.02), FadeIn(cmap.axes), FadeIn(name), run_time=2
            )
            self.play(Write(f_tex), FadeIn(star, scale=0.5))

        with self.narrate(
            "The steepest way down points across the valley, not along it, "
            "so gradient descent zig-zags from wall to wall."
        ) as beat:
            self.add(tracer)
            self.play(
                FadeIn(reads),
                Create(box),
                Create(leaders),
                FadeIn(inset_group),
                FadeIn(inset_title),
                run_time=0.8,
            )
            # Manim redraws every mobject listed after the first moving one; sending
            # the static inset to the back lets Cairo draw its contours only once.
            self.bring_to_back(inset_group, box, leaders, inset_title)
            self.add(zoomed, zoomed.step)
            self.play(tracer.walk(to=zig, run_time=beat.remaining() * 0.9, rate_func=linear))

        outcome = (
            f"after {traj.n_steps} steps it is still {dist:.2f} away"
            if traj.stopped == "steps"
            else f"it stops after {traj.n_steps} steps"
        )
        with self.narrate(f"Then it creeps along the flat floor: {outcome}.") as beat:
            stuck = traj.stopped == "steps"
            self.play(
                tracer.walk(
                    run_time=beat.until("still") if stuck else beat.remaining() * 0.8,
                    rate_func=rate_functions.ease_in_out_sine,
                )
            )
            if stuck:
                # The distance lights up as the voice says it.
                self.play(
                    Indicate(reads[2], color=style.GOOD, scale_factor=1.1),
                    run_time=max(0.8, beat.remaining() * 0.9),
                )
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)
