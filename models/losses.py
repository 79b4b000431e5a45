"""Losses over a batch of examples: mean softmax cross-entropy and mean squared error.

Each takes the network's outputs ``(..., N, k)`` and targets ``(..., N)`` and
returns the mean loss ``(...)`` and its gradient with respect to the outputs,
the first link of backpropagation's chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import log_softmax, softmax

Array = np.ndarray


class Loss(NamedTuple):
    name: str
    value_and_grad: Callable[[Array, Array], tuple[Array, Array]]
    classification: bool


def cross_entropy(logits: Array, y: Array) -> tuple[Array, Array]:
    r"""Mean of :math:`-\log \mathrm{softmax}(z_i)_{y_i}`; its gradient is
    :math:`(\mathrm{softmax}(z_i) - \mathrm{onehot}(y_i)) / N`."""
    n = logits.shape[-2]
    labels = np.broadcast_to(y, logits.shape[:-1])[..., None]
    picked = np.take_along_axis(log_softmax(logits, axis=-1), labels, axis=-1)[..., 0]
    dlogits = softmax(logits, axis=-1)
    np.put_along_axis(dlogits, labels, np.take_along_axis(dlogits, labels, -1) - 1, axis=-1)
    return -picked.mean(axis=-1), dlogits / n


def mean_squared_error(out: Array, y: Array) -> tuple[Array, Array]:
    r"""Mean of :math:`(\hat y_i - y_i)^2` over examples (one output); gradient
    :math:`2 (\hat y_i - y_i) / N`."""
    n = out.shape[-2]
    err = out[..., 0] - y
    return (err * err).mean(axis=-1), (2 / n) * err[..., None]


LOSSES = {
    "cross_entropy": Loss("cross_entropy", cross_entropy, True),
    "mse": Loss("mse", mean_squared_error, False),
}
