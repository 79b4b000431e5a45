"""What ``optim.run`` can minimize: the objective protocol, defined once.

An objective is anything with a dimension, a value and a gradient that
evaluate along the last axis, as :func:`scipy.optimize.rosen` does: ``p`` of
shape ``(..., dim)`` gives values ``(...)`` and gradients ``(..., dim)``. The
SymPy surfaces, the weather MSE and the NumPy network all satisfy it.

A *data* objective is a mean over examples; it also says how many examples it
has and gives the mean gradient over a subset of them, which is what
mini-batches need. Second-order methods ask for a Hessian, ``hess(p)`` of
shape ``(..., dim, dim)``, which only some objectives have.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

Array = np.ndarray


@runtime_checkable
class Objective(Protocol):
    """A differentiable scalar function of ``dim`` parameters.

    Attributes
    ----------
    name
        Shown in listings and JSON.
    dim
        Number of parameters.
    start
        A default start point ``(dim,)`` (optional: ``run`` then needs ``start``).
    """

    name: str

    @property
    def dim(self) -> int: ...

    def __call__(self, p: Array) -> Array:
        """Value at ``p`` ``(..., dim)``: shape ``(...)``."""
        ...

    def grad(self, p: Array) -> Array:
        """Gradient at ``p`` ``(..., dim)``: shape ``(..., dim)``."""
        ...


@runtime_checkable
class DataObjective(Objective, Protocol):
    """An objective that is the mean of a per-example loss over ``n_examples`` examples."""

    @property
    def n_examples(self) -> int: ...

    def batch_grad(self, p: Array, idx: Array) -> Array:
        """Mean gradient over examples ``idx``.

        ``p`` has shape ``(n, dim)`` and ``idx`` shape ``(n, batch)``: row ``k``
        of ``idx`` is the mini-batch of point ``k``. Returns ``(n, dim)``.
        """
        ...


def is_data(objective: Any) -> bool:
    """Whether ``objective`` can be sampled in mini-batches."""
    return isinstance(objective, DataObjective)


def has_hessian(objective: Any) -> bool:
    """Whether ``objective`` has a ``hess`` (Newton's method needs one)."""
    return callable(getattr(objective, "hess", None))


def value_and_grad(objective: Objective, p: Array) -> tuple[Array, Array]:
    """Value and gradient at ``p``, in one pass where the objective offers one.

    A network computes both from one forward pass (``value_and_grad``); a
    surface evaluates its two compiled expressions.
    """
    both = getattr(objective, "value_and_grad", None)
    if callable(both):
        return both(p)
    return objective(p), objective.grad(p)
