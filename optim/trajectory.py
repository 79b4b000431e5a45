"""Running an optimizer on a surface: the :class:`Trajectory` scenes draw.

One run carries many start points at once (positions ``(steps + 1, n, dim)``).
Each point stops on its own: at the step budget, when its gradient norm falls
below ``tol``, or when it diverges (a non-finite value or gradient, or a
coordinate beyond ``bound``). A stopped point stays where it stopped, so arrays
never hold NaN; ``n_steps`` says how many steps each point took.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optim.base import Array, Optimizer
from optim.errors import InvalidParameterError, UnknownOptimizerError
from optim.rules import OPTIMIZERS
from surfaces import DataSurface, Surface, get

STOP_STEPS, STOP_TOL, STOP_DIVERGED = "steps", "tol", "diverged"


def make(name: str | Optimizer, **params: Any) -> Optimizer:
    """An optimizer by name with hyperparameters (torch names); defaults for the rest.

    Raises
    ------
    UnknownOptimizerError
        For a name that is not registered.
    InvalidParameterError
        For a hyperparameter out of range or one the optimizer does not take.
    """
    if isinstance(name, Optimizer):
        if params:
            raise InvalidParameterError(
                "give hyperparameters to make(name, ...), not to a built one"
            )
        return name
    if name not in OPTIMIZERS:
        raise UnknownOptimizerError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}"
        )
    factory = OPTIMIZERS[name]
    accepted = inspect.signature(factory).parameters
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"{name} does not take {', '.join(unknown)}; its hyperparameters are "
            f"{', '.join(accepted)}"
        )
    return factory(**params)


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The record of one run.

    Attributes
    ----------
    positions
        ``(T + 1, n, dim)``, the start first (``(T + 1, dim)`` for a single start).
    losses
        ``(T + 1, n)``: the surface's value at each position.
    grads
        ``(T + 1, n, dim)``: the exact gradient at each position (what a
        stochastic optimizer estimated is in ``used_grads``).
    used_grads
        ``(T, n, dim)``: the gradient each update actually used.
    states
        Optimizer state per step by name (``velocity``, ``m``, ``v``...), each
        ``(T + 1, n, dim)``; index 0 is the initial state.
    n_steps, diverged, stopped
        Per point: steps taken, whether it diverged, and why it stopped
        (``"steps"``, ``"tol"`` or ``"diverged"``).
    """

    surface: Surface
    optimizer: Optimizer
    positions: Array
    losses: Array
    grads: Array
    used_grads: Array
    states: dict[str, Array]
    n_steps: Array
    diverged: Array
    stopped: Array
    seed: int | None
    batched: bool = field(default=True)

    @property
    def start(self) -> Array:
        return self.positions[0]

    @property
    def final(self) -> Array:
        return self.positions[-1]

    def path(self, i: int = 0) -> Array:
        """The positions point ``i`` actually visited: ``(n_steps[i] + 1, dim)``."""
        if not self.batched:
            return self.positions[: int(self.n_steps) + 1]
        return self.positions[: int(self.n_steps[i]) + 1, i]

    def step_lengths(self) -> Array:
        """Distance moved by each update, ``(T,)`` (or ``(T, n)``): the speed of the run."""
        return np.linalg.norm(np.diff(self.positions, axis=0), axis=-1)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a single-start run (keys as the CLI documents them)."""
        if self.batched:
            raise InvalidParameterError("to_dict() describes one start point; run with one start")
        k = int(self.n_steps) + 1
        out: dict[str, Any] = {
            "surface": self.surface.name,
            "optimizer": self.optimizer.name,
            "params": dict(self.optimizer.params),
            "start": self.positions[0].tolist(),
            "xs": self.positions[:k].tolist(),
            "losses": self.losses[:k].tolist(),
            "grads": self.grads[:k].tolist(),
            "diverged": bool(self.diverged),
            "stopped": str(self.stopped),
            "seed": self.seed,
        }
        if isinstance(self.surface, DataSurface):
            data = self.surface.dataset
            out["dataset"] = {"x": data.x.tolist(), "y": data.y.tolist(), "source": data.source}
        return out


def _as_starts(start: Any, dim: int) -> tuple[Array, bool]:
    try:
        p = np.array(start, dtype=float)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"start must be numbers, got {start!r}") from None
    batched = p.ndim == 2
    if p.ndim not in (1, 2) or p.shape[-1] != dim or p.size == 0:
        raise InvalidParameterError(
            f"start must have shape ({dim},) or (n, {dim}), got {np.shape(p)}"
        )
    if not np.isfinite(p).all():
        raise InvalidParameterError("start must be finite")
    return np.atleast_2d(p), batched


def _finite(loss: Array, g: Array) -> Array:
    """Per point: value and every gradient coordinate finite (column by column, which
    is much faster than a reduction over a short last axis)."""
    ok = np.isfinite(loss)
    for k in range(g.shape[-1]):
        ok &= np.isfinite(g[:, k])
    return ok


def _beyond(x: Array, bound: float) -> Array:
    """Per point: some coordinate beyond ``bound`` in absolute value."""
    out = np.abs(x[:, 0]) > bound
    for k in range(1, x.shape[-1]):
        out |= np.abs(x[:, k]) > bound
    return out


def _check_steps(steps: Any) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise InvalidParameterError(f"steps must be an integer >= 1, got {steps!r}")
    return int(steps)


class _GradientOracle:
    """Exact gradients, or the sampled ones a stochastic optimizer sees."""

    def __init__(self, surface: Surface, opt: Optimizer, n: int, rng: np.random.Generator):
        self.surface, self.rng = surface, rng
        self.noise = opt.params.get("noise", 0.0) if opt.stochastic else 0.0
        self.batch = opt.params.get("batch_size") if opt.stochastic else None
        self.data = isinstance(surface, DataSurface) and self.batch is not None
        if self.data:
            self.n_data = len(surface.dataset)
            self.batch = min(self.batch, self.n_data)
            self.perm = np.empty((n, 0), dtype=np.intp)

    def __call__(self, x: Array, exact: Array) -> Array:
        if self.data:
            return self.surface.batch_grad(x, self._next_batch(len(x)))
        if self.noise:
            return exact + self.noise * self.rng.standard_normal(exact.shape)
        return exact

    def _next_batch(self, n: int) -> Array:
        # Each point walks through its own shuffled epoch; a new one starts when
        # fewer than a batch remain, as a DataLoader with drop_last would.
        if self.perm.shape[1] < self.batch:
            self.perm = self.rng.permuted(np.tile(np.arange(self.n_data), (n, 1)), axis=1)
        idx, self.perm = self.perm[:, : self.batch], self.perm[:, self.batch :]
        return idx


# Overflow and 0/0 are how divergence shows; they are detected and reported per point,
# so numpy's floating-point warnings (which would reach a CLI user's stderr) are off.
@np.errstate(over="ignore", invalid="ignore", divide="ignore")
def run(
    surface: str | Surface,
    optimizer: str | Optimizer = "gd",
    start: Any = None,
    steps: int = 100,
    tol: float = 1e-6,
    seed: int | None = 0,
    bound: float = 1e6,
    record_state: bool = True,
    **params: Any,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start`` for at most ``steps`` updates.

    Parameters
    ----------
    surface, optimizer
        Names (or a custom expression for the surface) or built objects.
        Extra keyword ``params`` are the optimizer's hyperparameters.
    start
        ``(dim,)`` or ``(n, dim)``; defaults to the surface's start point.
    steps
        Step budget (>= 1).
    tol
        Stop a point once its exact gradient norm is below ``tol``; 0 disables.
    seed
        Seeds the noise and mini-batch sampling; equal seeds give identical runs.
    bound
        A coordinate beyond ``bound`` in absolute value counts as divergence.
    record_state
        Keep the optimizer state per step (memory: two arrays like ``positions``).
    """
    surface = get(surface)
    opt = make(optimizer, **params)
    x, batched = _as_starts(surface.start if start is None else start, surface.dim)
    steps = _check_steps(steps)
    tol = float(tol)
    if not np.isfinite(tol) or tol < 0:
        raise InvalidParameterError(f"tol must be >= 0, got {tol}")
    n, dim = x.shape
    rng = np.random.default_rng(seed)
    oracle = _GradientOracle(surface, opt, n, rng)

    positions = np.empty((steps + 1, n, dim))
    losses = np.empty((steps + 1, n))
    grads = np.empty((steps + 1, n, dim))
    # A deterministic optimizer uses the exact gradient: used_grads is then grads[:-1].
    used = np.empty((steps, n, dim)) if opt.stochastic else None
    state = opt.init(x)
    state_names = [k for k, v in state._asdict().items() if isinstance(v, np.ndarray)]
    states = {k: np.empty((steps + 1, n, dim)) for k in state_names} if record_state else {}
    for k in states:
        states[k][0] = getattr(state, k)

    loss, g = surface(x), surface.grad(x)
    if not _finite(loss, g).all():
        bad = x[~_finite(loss, g)][0].tolist()
        raise InvalidParameterError(
            f"the surface's value or gradient is not finite at the start point {bad}"
        )
    positions[0], losses[0], grads[0] = x, loss, g
    n_steps = np.zeros(n, dtype=int)
    active = np.ones(n, dtype=bool)
    stopped = np.full(n, STOP_STEPS, dtype=object)
    diverged = np.zeros(n, dtype=bool)

    # Each step evaluates the value and gradient once, at the new point; the gradient
    # is kept for the next step.
    t = 0
    for t in range(1, steps + 1):
        if tol > 0:
            done = active & (np.sqrt(np.einsum("ij,ij->i", g, g)) < tol)
            if done.any():
                stopped[done], active = STOP_TOL, active & ~done
                if not active.any():
                    t -= 1
                    break
        g_used = oracle(x, g)
        if used is not None:
            used[t - 1] = g_used
        delta, new_state = opt.update(g_used, state, x)
        x_new = x + delta
        loss_new, g_new = surface(x_new), surface.grad(x_new)
        # A non-finite coordinate makes the loss non-finite too.
        bad = ~_finite(loss_new, g_new) | _beyond(x_new, bound)
        bad &= active
        if bad.any():
            diverged |= bad
            stopped[bad] = STOP_DIVERGED
            active = active & ~bad
        if active.all():
            x, state, loss, g = x_new, new_state, loss_new, g_new
        else:
            # Stopped points keep their last position, gradient and state.
            keep = active[:, None]
            x = np.where(keep, x_new, x)
            loss = np.where(active, loss_new, loss)
            g = np.where(keep, g_new, g)
            state = new_state._replace(
                **{k: np.where(keep, getattr(new_state, k), getattr(state, k)) for k in state_names}
            )
        n_steps += active
        positions[t], losses[t], grads[t] = x, loss, g
        for k in states:
            states[k][t] = getattr(state, k)
        if not active.any():
            break

    T = t + 1
    result = dict(
        positions=positions[:T],
        losses=losses[:T],
        grads=grads[:T],
        used_grads=(grads if used is None else used)[: T - 1],
        states={k: v[:T] for k, v in states.items()},
        n_steps=n_steps,
        diverged=diverged,
        stopped=stopped.astype(str),
    )
    if not batched:
        result = {
            k: ({s: a[:, 0] for s, a in v.items()} if isinstance(v, dict) else _squeeze(k, v))
            for k, v in result.items()
        }
    return Trajectory(surface, opt, seed=seed, batched=batched, **result)


def _squeeze(key: str, a: Array) -> Any:
    if key in ("n_steps", "diverged", "stopped"):
        return a[0].item()
    return a[:, 0]
