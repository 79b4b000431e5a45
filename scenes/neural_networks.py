"""Section 6: how a neural network learns.

``NetworkLearns``: a small tanh network (2-5-5-2, :class:`models.MLP`) on the
two moons. Its edges show its real weights; a forward pass lights the
neurons with the real activations of one point and ends in the network's
guess and loss; a backward pass hands every layer its gradient (the real
per-layer gradient sizes); then plain gradient descent (``optim.run``) trains
it on all the points while the decision regions sharpen, the loss falls and
the accuracy climbs, every frame drawn from the recorded run.
"""

from __future__ import annotations

import numpy as np
from manim import *

from datasets import moons
from models import MLP
from optim import FORMULAS, run
from scenes.common import style
from scenes.common.charts import axes_points, live_chart
from scenes.common.labels import Readout, formula, label
from scenes.common.narration import NarratedScene
from scenes.common.network import (
    CLASS_COLORS,
    NetworkDiagram,
    class_probabilities,
    region_colors,
)

CLASS_NAMES = ("yellow", "blue")


def region_image(prob_1: np.ndarray) -> np.ndarray:
    """The decision regions as an RGBA image (rows top to bottom) from class-1
    probabilities on a grid whose rows run bottom to top."""
    rgb = region_colors(prob_1)
    rgba = np.concatenate([rgb, np.ones((*rgb.shape[:-1], 1))], axis=-1)
    return np.ascontiguousarray((255 * rgba[::-1]).round().astype(np.uint8))


def moons_network(layers: tuple[int, ...], samples: int, noise: float, seed: int) -> MLP:
    """The network and its data, as the scene and its tests build them."""
    data = moons(samples, noise=noise, seed=seed)
    return MLP(tuple(layers), "tanh", "cross_entropy", data.X, data.y, seed=seed)


class NetworkLearns(NarratedScene, Scene):
    layers = (2, 5, 5, 2)
    samples = 200
    noise = 0.2
    seed = 0
    optimizer = "gd"
    lr = 0.3  # the largest of 0.3, 0.4, 0.5 whose loss never rises (no spikes)
    steps = 400
    # The plane shown, (x1, x2) ranges: every point well inside its frame.
    view = ((-1.7, 2.7), (-1.5, 1.8))
    pixels = 0.025  # decision-region grid step, in data units (drawn smoothed)

    def construct(self):
        net = moons_network(self.layers, self.samples, self.noise, self.seed)
        traj = run(net, self.optimizer, lr=self.lr, steps=self.steps, tol=0, record_every=1)
        params = traj.positions  # (steps + 1, dim): every step, for a smooth replay
        acc = net.accuracy(params)
        p0 = params[0]
        scale = max(float(np.abs(W).max()) for W, _ in net.unflatten(params))

        diagram = NetworkDiagram(
            self.layers, [W for W, _ in net.unflatten(p0)], scale=scale, width=4.5, height=4.6
        ).move_to([-3.3, 0.5, 0])  # the input values clear of the frame's left edge
        layer_names = VGroup(
            *[
                label(t, size=20, color=style.MUTED).next_to(diagram.neurons[k], UP, buff=0.3)
                for k, t in enumerate(("input", "hidden", "hidden", "output"))
            ]
        )
        for name in layer_names:
            name.set_y(diagram.neurons.get_top()[1] + 0.35)
        legend = VGroup(
            label("positive weight", size=22, color=style.GOOD),
            label("negative weight", size=22, color=style.BAD),
        ).arrange(RIGHT, buff=0.5)
        legend.next_to(diagram, DOWN, buff=0.55)

        # --- the data, and the plane the network carves up ---------------------------
        (x0, x1), (y0, y1) = self.view
        plane = Axes(
            x_range=[x0, x1, 1],
            y_range=[y0, y1, 1],
            x_length=5.0,
            y_length=5.0 * (y1 - y0) / (x1 - x0),
            tips=False,
            axis_config={"color": style.MUTED, "include_ticks": False, "stroke_width": 1},
        ).move_to([3.85, 1.45, 0])
        frame = SurroundingRectangle(plane, buff=0, color=style.MUTED, stroke_width=1.5)
        dots = VGroup(
            *[
                Dot(p, radius=0.045, color=CLASS_COLORS[c], stroke_width=0.8)
                for p, c in zip(axes_points(plane, *net.X.T), net.y, strict=True)
            ]
        )
        for d in dots:
            d.set_stroke(style.BACKGROUND, width=0.8)
        # Pixel centres of an image covering the plane exactly (rows bottom to top).
        nx, ny = round((x1 - x0) / self.pixels), round((y1 - y0) / self.pixels)
        gx = x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx
        gy = y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny
        grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
        step_now = ValueTracker(0)

        def guess(k: int) -> np.ndarray:
            """The network's probability of class 1 at every pixel, at step ``k``."""
            p = class_probabilities(net.forward(params[k], grid).post[-1])[:, 1]
            return p.reshape(ny, nx)

        region = ImageMobject(region_image(guess(0)))
        region.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        region.stretch_to_fit_width(frame.width).stretch_to_fit_height(frame.height)
        region.move_to(frame)

        # --- one point through the network ---------------------------------------------
        start_pred = net.predict(p0)
        wrong = np.flatnonzero(start_pred != net.y)
        i = int(wrong[0])  # a point the untrained network gets wrong
        point, truth = net.X[i], int(net.y[i])
        fwd = net.forward(p0, point[None])
        values = [fwd.inputs[0]] + [a[0] for a in fwd.post]
        probs = class_probabilities(fwd.post[-1][0])
        point_loss = float(net.backward(p0, point[None], np.array([truth])).value)
        ring = Circle(radius=0.14, color=style.INK, stroke_width=3).move_to(
            axes_points(plane, *point)
        )
        inputs = VGroup(
            *[
                label(f"{v:+.2f}".replace("-", "−"), size=22).next_to(n, LEFT, buff=0.12)
                for v, n in zip(point, diagram.neurons[0], strict=True)
            ]
        )
        outputs = VGroup(
            *[
                label(f"{CLASS_NAMES[c]} {probs[c]:.0%}", size=22, color=CLASS_COLORS[c]).next_to(
                    n, RIGHT, buff=0.12
                )
                for c, n in enumerate(diagram.neurons[-1])
            ]
        )
        verdict = VGroup(
            label(f"truth: {CLASS_NAMES[truth]}", size=24, color=CLASS_COLORS[truth]),
            label(f"loss = −log {probs[truth]:.2f} = {point_loss:.2f}", size=24, color=style.INK),
        ).arrange(RIGHT, buff=0.4)
        verdict.next_to(diagram, DOWN, buff=0.5)

        # --- backward: the real gradient size of each layer's weights -----------------
        # The gradient this one point's loss hands each layer's weights.
        point_back = net.backward(p0, point[None], np.array([truth]))
        norms = [float(np.linalg.norm(g)) for g in point_back.dW]
        grad_labels = VGroup()
        for k in range(len(self.layers) - 1):
            mid = (diagram.layer_center(k) + diagram.layer_center(k + 1)) / 2
            tint = interpolate_color(style.GRADIENT, WHITE, 0.3)
            # Two lines, name over value, each centred under its own layer of weights,
            # all three on one row: the fraction stacked, so each is narrower than a gap.
            grad_labels.add(
                VGroup(
                    formula(
                        rf"\left\| \dfrac{{\partial L}}{{\partial W_{k + 1}}} \right\|",
                        scale=0.7,
                        color=tint,
                    ),
                    formula(f"{norms[k]:.3f}", scale=0.7, color=tint),
                )
                .arrange(DOWN, buff=0.12)
                .move_to([mid[0], 0, 0])
                .next_to(diagram.neurons, DOWN, buff=0.3, coor_mask=UP)
            )

        def flash(k: int) -> AnimationGroup:
            """A pulse running backwards along every edge of layer ``k``."""
            pulses = [
                ShowPassingFlash(
                    Line(e.get_end(), e.get_start(), color=style.GRADIENT, stroke_width=5),
                    time_width=0.5,
                )
                for e in diagram.edges[k]
            ]
            return AnimationGroup(*pulses)

        # --- training ---------------------------------------------------------------------
        chart, _ = live_chart(
            traj.losses, step_now, x_length=3.0, y_length=1.5, y_label="loss (all points)"
        )
        chart.move_to([2.5, -2.55, 0])
        acc_now = Readout(
            "accuracy",
            lambda: 100 * float(acc[int(step_now.get_value())]),
            decimals=1,
            size=22,
        )
        step_read = Readout(
            "step",
            lambda: step_now.get_value(),
            integer=True,
            size=22,
            color=style.MUTED,
        )
        loss_read = Readout(
            "loss",
            lambda: float(traj.losses[int(step_now.get_value())]),
            decimals=3,
            size=22,
        )
        reads = VGroup(step_read, loss_read, acc_now).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        reads.move_to([5.4, -2.45, 0])
        percent = label("%", size=22).next_to(acc_now, RIGHT, buff=0.06)
        percent.add_updater(lambda m: m.next_to(acc_now, RIGHT, buff=0.06))
        rule = formula(FORMULAS["gd"], scale=0.85, color=style.DESCENT)
        rule.next_to(diagram, DOWN, buff=0.5)

        def follow_training(_m) -> None:
            k = int(step_now.get_value())
            diagram.set_weights([W for W, _ in net.unflatten(params[k])])
            region.pixel_array = region_image(guess(k))

        n_params = net.dim
        # Everything above is placed for the two-panel layout; the network is
        # introduced alone in the middle and slides left when the data arrives.
        intro = VGroup(diagram, layer_names, legend)
        centre = RIGHT * (-intro.get_center()[0])
        intro.shift(centre)
        with self.narrate(
            "Here is a small neural network: layers of neurons, a weight on every connection, "
            "green positive, red negative."
        ) as beat:
            self.play(
                LaggedStart(
                    *[FadeIn(layer, scale=0.8) for layer in diagram.neurons], lag_ratio=0.3
                ),
                FadeIn(layer_names),
                run_time=beat.until("a weight"),
            )
            self.play(Create(diagram.edges, lag_ratio=0.01), run_time=beat.until("green"))
            # Each colour's key as the line names it.
            self.play(FadeIn(legend[0], shift=UP * 0.1), run_time=beat.until("red"))
            self.play(FadeIn(legend[1], shift=UP * 0.1), run_time=beat.remaining())
            self.remove(*legend).add(legend)  # one mobject again, for the fade out

        with self.narrate("Its task: tell yellow points from blue.") as beat:
            self.play(
                intro.animate.shift(-centre),
                Create(frame),
                FadeIn(plane),
                run_time=beat.until("yellow"),
            )
            # Each class's points as the line names it (class 0 is yellow).
            yellow, blue = (
                VGroup(*[d for d, c in zip(dots, net.y, strict=True) if c == k]) for k in (0, 1)
            )
            self.play(FadeIn(yellow, lag_ratio=0.01), run_time=beat.until("blue"))
            self.play(FadeIn(blue, lag_ratio=0.01), run_time=beat.remaining())
            self.remove(yellow, blue).add(dots)

        with self.narrate("Forward pass: a point flows through the layers to a guess.") as beat:
            self.play(Create(ring), FadeOut(legend), FadeIn(inputs), run_time=beat.until("flows"))
            hold = beat.until("guess") / len(self.layers)
            for k in range(len(self.layers)):
                # Hidden layers are tanh (full brightness at 1); input and output are
                # scaled by their largest value.
                hidden = 0 < k < len(self.layers) - 1
                scale_k = 1.0 if hidden else max(float(np.abs(values[k]).max()), 1e-9)
                lit = diagram.lit(k, values[k], scale_k)
                if k == len(self.layers) - 1:
                    # The output neurons are the two classes: each in its class's
                    # colour (as its label and the points), brighter for more probable.
                    for c, neuron in enumerate(lit):
                        neuron.set_fill(
                            interpolate_color(
                                style.BACKGROUND, CLASS_COLORS[c], 0.3 + 0.7 * probs[c]
                            ),
                            opacity=1,
                        )
                anims = [Transform(diagram.neurons[k], lit)]
                if k < len(self.layers) - 1:
                    anims.append(
                        ShowPassingFlash(
                            diagram.edges[k].copy().set_stroke(style.ACCENT, width=3, opacity=1),
                            time_width=0.6,
                        )
                    )
                self.play(*anims, run_time=hold)
            self.play(FadeIn(outputs, shift=RIGHT * 0.1), run_time=beat.remaining())

        with self.narrate(
            f"It says {CLASS_NAMES[1 - truth]}; the point is {CLASS_NAMES[truth]}. "
            f"The loss says how wrong: {point_loss:.2f}."
        ) as beat:
            self.play(
                Indicate(outputs[1 - truth], color=style.BAD), run_time=beat.until("the point")
            )
            self.play(FadeIn(verdict[0], shift=UP * 0.1), run_time=beat.until("the loss"))
            # The loss is on screen as the voice reads it.
            self.play(FadeIn(verdict[1], shift=UP * 0.1), run_time=beat.until("wrong"))

        with self.narrate(
            "Backward pass: the chain rule carries the error back, "
            "giving each weight its partial derivative."
        ) as beat:
            self.play(FadeOut(verdict), run_time=0.4)
            # The line names no layer: the error goes back one layer per phrase. The
            # output layer's weights get theirs under "the chain rule", the second
            # hidden layer's under "carries the error back", the first layer's under
            # "giving each weight", its gradient in place as "partial derivative" is said.
            cues = ("carries", "giving", "partial derivative")
            for k, cue in zip(reversed(range(len(self.layers) - 1)), cues, strict=True):
                self.play(
                    flash(k), FadeIn(grad_labels[k], shift=UP * 0.1), run_time=beat.until(cue)
                )

        with self.narrate(
            f"Gradient descent nudges all {n_params} weights and biases against them, and repeats."
        ) as beat:
            # The gradient labels sit where the rule is written: out first.
            self.play(
                FadeOut(grad_labels), FadeOut(inputs), FadeOut(outputs), FadeOut(ring), run_time=0.5
            )
            self.play(Write(rule), run_time=beat.until("against"))
            # The regions fade in under the points and axes, not over them.
            self.add_foreground_mobjects(frame, plane, dots)
            self.play(
                *[diagram.neurons[k].animate.set_fill(style.BACKGROUND) for k in range(4)],
                FadeIn(region),
                run_time=beat.remaining(),
            )

        self.bring_to_back(region)
        self.remove_foreground_mobjects(frame, plane, dots)
        with self.narrate(
            f"In {self.steps} steps the boundary sharpens, the loss falls, and accuracy climbs."
        ) as beat:
            self.add(chart, reads, percent)
            self.play(FadeIn(chart), FadeIn(reads), FadeIn(percent), run_time=0.6)
            region.add_updater(follow_training)
            self.play(
                step_now.animate.set_value(self.steps),
                run_time=beat.remaining(),
                rate_func=rate_functions.ease_in_out_sine,
            )
            region.remove_updater(follow_training)

        uses = VGroup(
            label("the same loop, millions of weights:", size=20, color=style.MUTED),
            label("reading handwritten digits", size=22, color=style.INK),
            label("predicting house prices", size=22, color=style.INK),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        uses.next_to(diagram, DOWN, buff=0.35).align_to(diagram, LEFT)
        with self.narrate(
            "Scaled up to millions of weights, this loop reads handwritten digits "
            "and predicts house prices."
        ) as beat:
            # The rule sits where the uses are listed: out first.
            self.play(FadeOut(rule), run_time=0.4)
            self.play(FadeIn(uses[0]), run_time=beat.until("reads"))
            self.play(FadeIn(uses[1], shift=UP * 0.1), run_time=beat.until("and predicts"))
            # In as "prices" is said, then read while the line ends.
            self.play(FadeIn(uses[2], shift=UP * 0.1), run_time=beat.until("prices"))
        self.play(FadeOut(Group(*self.mobjects)), run_time=0.6)
