"""Losses over a batch of examples: mean softmax cross-entropy and mean squared error.

Each takes the network's outputs ``(..., N, k)`` and targets ``(..., N)`` and
returns the mean loss ``(...)`` and its gradient with respect to the outputs,
the first link of backpropagation's chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

Array = np.ndarray


class Loss(NamedTuple):
    name: str
    value: Callable[[Array, Array], Array]
    value_and_grad: Callable[[Array, Array], tuple[Array, Array]]
    classification: bool


def _log_softmax_parts(logits: Array, y: Array) -> tuple[Array, Array, Array]:
    """Shifted logits, their exponentials' sums, and the one-hot targets (the max is
    subtracted first so that exp never overflows)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    onehot = np.asarray(y)[..., None] == np.arange(logits.shape[-1])
    return shifted, e, onehot


def cross_entropy_value(logits: Array, y: Array) -> Array:
    r"""Mean of :math:`-\log \mathrm{softmax}(z_i)_{y_i}` over the examples."""
    shifted, e, onehot = _log_softmax_parts(logits, y)
    picked = (shifted * onehot).sum(axis=-1)
    return (np.log(e.sum(axis=-1)) - picked).mean(axis=-1)


def cross_entropy(logits: Array, y: Array) -> tuple[Array, Array]:
    r"""The mean cross-entropy and its gradient :math:`(\mathrm{softmax}(z_i) - \mathrm{onehot}(y_i)) / N`."""
    shifted, e, onehot = _log_softmax_parts(logits, y)
    total = e.sum(axis=-1)
    value = (np.log(total) - (shifted * onehot).sum(axis=-1)).mean(axis=-1)
    return value, (e / total[..., None] - onehot) / logits.shape[-2]


def mse_value(out: Array, y: Array) -> Array:
    r"""Mean of :math:`(\hat y_i - y_i)^2` over examples (one output)."""
    err = out[..., 0] - y
    return (err * err).mean(axis=-1)


def mean_squared_error(out: Array, y: Array) -> tuple[Array, Array]:
    r"""The mean squared error and its gradient :math:`2 (\hat y_i - y_i) / N`."""
    err = out[..., 0] - y
    return (err * err).mean(axis=-1), (2 / out.shape[-2]) * err[..., None]


LOSSES = {
    "cross_entropy": Loss("cross_entropy", cross_entropy_value, cross_entropy, True),
    "mse": Loss("mse", mse_value, mean_squared_error, False),
}
