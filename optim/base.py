"""What an optimizer is: a pair of pure functions over a small immutable state.

Following ``jax.example_libraries.optimizers`` and optax::

    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = params + updates

``params`` and ``grads`` have shape ``(..., dim)``, so one call advances many
start points at once. States are NamedTuples of arrays plus the step count
``t`` (1 for the first update), so a run can record them step by step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from optim.errors import InvalidParameterError

Array = np.ndarray
Schedule = Callable[[int], float]


class Optimizer(NamedTuple):
    """An optimizer: its name, the hyperparameters as used, and ``init``/``update``.

    ``sampling`` holds the default gradient sampling of optimizers defined by
    it (``sgd``: ``batch_size`` on data objectives, ``noise`` on the others);
    :func:`optim.run` can sample for any optimizer. ``bind``, where set, makes
    the optimizer for one objective (Newton's method takes the objective's
    Hessian); ``run`` calls it before the first step.
    """

    name: str
    params: dict[str, Any]
    init: Callable[[Array], NamedTuple]
    update: Callable[[Array, NamedTuple, Array], tuple[Array, NamedTuple]]
    sampling: Mapping[str, Any] = MappingProxyType({})
    bind: Callable[[Any], Optimizer] | None = None

    @property
    def state_names(self) -> tuple[str, ...]:
        """Names of the per-coordinate state arrays (``velocity``, ``m``, ``v``...)."""
        probe = self.init(np.zeros(2))
        return tuple(k for k, v in probe._asdict().items() if isinstance(v, np.ndarray))


def as_schedule(lr: float | Schedule) -> Schedule:
    """A learning rate as a function of the step ``t`` (1-based)."""
    if callable(lr):
        return lr
    check_positive("lr", lr)
    value = float(lr)
    return lambda t: value


def check_finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise InvalidParameterError(f"{name} must be finite, got {value}")
    return float(value)


def check_positive(name: str, value: float) -> float:
    if check_finite(name, value) <= 0:
        raise InvalidParameterError(f"{name} must be > 0, got {value}")
    return float(value)


def check_nonnegative(name: str, value: float) -> float:
    if check_finite(name, value) < 0:
        raise InvalidParameterError(f"{name} must be >= 0, got {value}")
    return float(value)


def check_unit(name: str, value: float, closed: bool = False) -> float:
    """``value`` in [0, 1) (or [0, 1] when ``closed``)."""
    v = check_finite(name, value)
    if v < 0 or v > 1 or (v == 1 and not closed):
        raise InvalidParameterError(f"{name} must be in [0, 1{']' if closed else ')'}, got {value}")
    return v
