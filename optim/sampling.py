"""Sampled gradients: mini-batches on data objectives, Gaussian noise on any objective.

Sampling is an option of :func:`optim.run`, independent of the update rule:
``run(weather, "adam", batch_size=32)`` is mini-batch Adam. ``sgd`` carries
defaults (``batch_size=1`` on data, ``noise=1`` elsewhere) so that "SGD" means
what it says without options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from optim.base import Array, Optimizer, check_nonnegative
from optim.errors import InvalidParameterError
from optim.objective import Objective, is_data


@dataclass(frozen=True)
class Sampling:
    """How a run's gradients are sampled.

    Attributes
    ----------
    batch_size
        Examples per mini-batch, or ``None`` for the full batch.
    noise
        Standard deviation of the Gaussian noise added to each gradient coordinate.
    """

    batch_size: int | None = None
    noise: float = 0.0

    @property
    def exact(self) -> bool:
        """Whether every step sees the exact, full-batch gradient."""
        return self.batch_size is None and self.noise == 0

    def to_dict(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "noise": self.noise}

    def shown_in(self, params: dict[str, Any], data: bool) -> dict[str, Any]:
        """An optimizer's ``params`` with its sampling entries as this run used them.

        ``sgd`` carries ``noise`` and ``batch_size`` among its hyperparameters;
        its defaults (noise 1, batch 1) apply by kind of objective, so the
        entries are rewritten from the resolved sampling: ``noise`` always,
        ``batch_size`` on a data objective (``None``: the full batch).
        """
        shown = {**params, "noise": self.noise}
        if data:
            shown["batch_size"] = self.batch_size
        return shown


def resolve(
    objective: Objective, opt: Optimizer, batch_size: Any = None, noise: Any = None
) -> Sampling:
    """The sampling of one run: what was asked, else the optimizer's defaults.

    A batch size of at least the objective's number of examples resolves to
    ``None``, the full batch (see :func:`optim.run`).

    Raises
    ------
    InvalidParameterError
        For a batch size that is not a positive integer, a batch size on an
        objective without examples, or a negative or non-finite noise.
    """
    data = is_data(objective)
    if batch_size is None:
        batch_size = opt.sampling.get("batch_size") if data else None
    else:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer):
            raise InvalidParameterError(f"batch_size must be an integer >= 1, got {batch_size!r}")
        if batch_size < 1:
            raise InvalidParameterError(f"batch_size must be an integer >= 1, got {batch_size}")
        if not data:
            raise InvalidParameterError(
                f"batch_size needs an objective made of examples; {objective.name!r} has none "
                "(use noise for a noisy gradient)"
            )
    if batch_size is not None and batch_size >= objective.n_examples:
        batch_size = None  # a batch that holds every example is the full batch
    if noise is None:
        noise = 0.0 if data else opt.sampling.get("noise", 0.0)
    noise = check_nonnegative("noise", noise)
    return Sampling(None if batch_size is None else int(batch_size), noise)


class GradientSampler:
    """The gradient each update sees: exact, from a mini-batch, and/or with noise.

    Each start point walks through its own shuffled epochs: a batch is drawn
    without replacement, and a new epoch starts when fewer than a batch remain,
    as a DataLoader with ``shuffle=True, drop_last=True`` would.
    """

    def __init__(
        self, objective: Objective, sampling: Sampling, n: int, rng: np.random.Generator
    ) -> None:
        self.objective, self.sampling, self.rng = objective, sampling, rng
        if sampling.batch_size is not None:
            self.n_examples = objective.n_examples
            self.perm = np.empty((n, 0), dtype=np.intp)

    def __call__(self, x: Array, exact: Array) -> Array:
        """The sampled gradient at ``x`` ``(n, dim)``, given the ``exact`` one there."""
        g = exact
        if self.sampling.batch_size is not None:
            g = self.objective.batch_grad(x, self.next_batch(len(x)))
        if self.sampling.noise:
            g = g + self.sampling.noise * self.rng.standard_normal(g.shape)
        return g

    def next_batch(self, n: int) -> Array:
        """Indices ``(n, batch_size)``: the next mini-batch of every point."""
        size = self.sampling.batch_size
        if self.perm.shape[1] < size:
            self.perm = self.rng.permuted(np.tile(np.arange(self.n_examples), (n, 1)), axis=1)
        idx, self.perm = self.perm[:, :size], self.perm[:, size:]
        return idx
