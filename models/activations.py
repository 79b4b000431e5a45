"""Activation functions and their derivatives, for the hidden layers of :mod:`models.mlp`."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit

Array = np.ndarray


class Activation(NamedTuple):
    """``f(z)`` and ``f'(z)``; the derivative also gets ``a = f(z)``, which is cheaper
    for tanh and the sigmoid."""

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]


ACTIVATIONS = {
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1 - a * a),
    # expit is the sigmoid without overflow for large negative z.
    "sigmoid": Activation("sigmoid", expit, lambda z, a: a * (1 - a)),
    "relu": Activation("relu", lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
}
