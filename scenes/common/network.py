"""A neural network as a diagram: layers of neurons joined by weighted edges.

It draws a :class:`models.MLP`'s real parameters: each edge's colour is the
sign of its weight and its width and opacity its size; each neuron can be lit
by its activation from :meth:`models.MLP.forward`. Nothing is computed here
but the mapping from numbers to looks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import Circle, Line, ManimColor, VGroup, interpolate_color

from scenes import palette
from scenes.common import style

#: Edge and neuron colours by sign: positive and negative.
POSITIVE = ManimColor(palette.GOOD)
NEGATIVE = ManimColor(palette.BAD)
#: The two classes of a two-class dataset (points, and the decision regions).
CLASS_COLORS = (ManimColor(palette.ACCENT), ManimColor(palette.OPTIMIZER_COLORS["gd"]))


def sign_color(v: float, size: float) -> ManimColor:
    """Background for 0, the sign's colour at full ``size`` (``size`` in [0, 1])."""
    return interpolate_color(style.BACKGROUND, POSITIVE if v >= 0 else NEGATIVE, size)


class NetworkDiagram(VGroup):
    """Layers of neurons (left to right) and every weight between them.

    Parameters
    ----------
    layers
        Widths from input to output, as :attr:`models.MLP.layers`.
    weights
        Per layer the weight matrix ``(fan_in, fan_out)``, as
        :meth:`models.MLP.unflatten` gives it (biases are not drawn as edges).
    scale
        The weight size drawn at full width; pass the largest ``|w|`` of the
        whole run so widths compare across training.
    """

    def __init__(
        self,
        layers: Sequence[int],
        weights: Sequence[np.ndarray],
        scale: float,
        width: float = 5.5,
        height: float = 4.2,
        radius: float = 0.2,
        max_stroke: float = 6.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.layers = tuple(layers)
        self.scale, self.max_stroke = float(scale), max_stroke
        xs = np.linspace(-width / 2, width / 2, len(layers))
        gap = height / max(max(layers) - 1, 1)
        self.neurons = VGroup()
        for x, n in zip(xs, layers, strict=True):
            ys = (np.arange(n) - (n - 1) / 2) * gap
            self.neurons.add(
                VGroup(
                    *[
                        Circle(
                            radius=radius,
                            stroke_color=style.INK,
                            stroke_width=2,
                            fill_color=style.BACKGROUND,
                            fill_opacity=1,
                        ).move_to([x, -y, 0])
                        for y in ys
                    ]
                )
            )
        self.edges = VGroup()
        for k in range(len(layers) - 1):
            group = VGroup()
            for i, a in enumerate(self.neurons[k]):
                for j, b in enumerate(self.neurons[k + 1]):
                    edge = Line(a.get_center(), b.get_center(), buff=radius)
                    edge.ij = (i, j)
                    group.add(edge)
            self.edges.add(group)
        self.add(self.edges, self.neurons)
        self.set_weights(weights)

    def set_weights(self, weights: Sequence[np.ndarray]) -> NetworkDiagram:
        """Colour and width every edge by its weight."""
        for group, W in zip(self.edges, weights, strict=True):
            for edge in group:
                w = float(W[edge.ij])
                size = min(abs(w) / self.scale, 1.0)
                edge.set_stroke(
                    color=POSITIVE if w >= 0 else NEGATIVE,
                    width=0.6 + self.max_stroke * size,
                    opacity=0.25 + 0.75 * size,
                )
        return self

    def lit(self, layer: int, values: np.ndarray, scale: float) -> VGroup:
        """A copy of ``layer``'s neurons lit by ``values`` (a forward pass's activations):
        the sign's colour, brighter for larger ``|v|``, full at ``scale``."""
        out = self.neurons[layer].copy()
        for neuron, v in zip(out, values, strict=True):
            neuron.set_fill(sign_color(float(v), min(abs(float(v)) / scale, 1.0)), opacity=1)
        return out

    def layer_center(self, k: int) -> np.ndarray:
        """Centre of layer ``k``'s neurons."""
        return self.neurons[k].get_center()


def class_probabilities(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis: the network's output logits as the probabilities
    its cross-entropy loss scores (shown on screen; the loss itself is the model's)."""
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def region_colors(prob_1: np.ndarray, opacity: float = 0.45) -> np.ndarray:
    """RGB ``(..., 3)`` in [0, 1] shading each point between the two class colours by
    the probability of class 1."""
    c0 = np.array(CLASS_COLORS[0].to_rgb())
    c1 = np.array(CLASS_COLORS[1].to_rgb())
    bg = np.array(style.BACKGROUND.to_rgb())
    p = np.asarray(prob_1, dtype=float)[..., None]
    # Confident points take the class colour; unsure ones (p near 1/2) stay dark,
    # so the boundary reads as a dark seam that sharpens as the network learns.
    sure = np.abs(2 * p - 1)
    return np.clip(bg + opacity * sure * ((1 - p) * c0 + p * c1 - bg), 0, 1)
