"""Running an optimizer on an objective: the :class:`Trajectory` scenes draw.

One run carries many start points at once (positions ``(steps + 1, n, dim)``).
Each point stops on its own: at the step budget, when its gradient norm falls
below ``tol``, or when it diverges (a non-finite value or gradient, or a
coordinate beyond ``bound``). A stopped point stays where it stopped, so arrays
never hold NaN; ``n_steps`` says how many steps each point took.

Losses are recorded at every step. Positions, gradients and optimizer states
are recorded every ``record_every`` steps (and at the last step), so a network
with hundreds of parameters can train for thousands of steps in little memory.
"""

from __future__ import annotations

import inspect
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optim.base import Array, Optimizer
from optim.errors import InvalidParameterError, UnknownOptimizerError
from optim.objective import Objective, is_data, value_and_grad
from optim.rules import OPTIMIZERS
from optim.sampling import GradientSampler, Sampling, resolve
from optim.scipy_methods import METHODS, Method, minimize_run
from surfaces import get

STOP_STEPS, STOP_TOL, STOP_DIVERGED = "steps", "tol", "diverged"


def make(name: str | Optimizer | Method, **params: Any) -> Optimizer | Method:
    """An optimizer by name with hyperparameters (torch names); defaults for the rest.

    Raises
    ------
    UnknownOptimizerError
        For a name that is not registered.
    InvalidParameterError
        For a hyperparameter out of range or one the optimizer does not take.
    """
    if isinstance(name, Optimizer | Method):
        if params:
            raise InvalidParameterError(
                "give hyperparameters to make(name, ...), not to a built one"
            )
        return name
    factories = {**OPTIMIZERS, **METHODS}
    if not isinstance(name, str) or name not in factories:
        shown = repr(name) if len(repr(name)) <= 40 else repr(name)[:40] + "..."
        raise UnknownOptimizerError(
            f"unknown optimizer {shown}; choose one of {', '.join(factories)}"
        )
    factory = factories[name]
    accepted = inspect.signature(factory).parameters
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"{name} does not take {', '.join(unknown)}; its hyperparameters are "
            f"{', '.join(accepted) or 'none'}"
        )
    return factory(**params)


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The record of one run.

    Attributes
    ----------
    objective
        What was minimized (a surface, the weather MSE, a network).
    positions
        ``(R, n, dim)`` at the recorded steps ``recorded_steps`` (``(R, dim)``
        for a single start); with ``record_every=1``, ``R = T + 1``, the start first.
    losses
        ``(T + 1, n)``: the objective's value after every step.
    grads
        ``(R, n, dim)``: the exact gradient at each recorded position (what a
        sampled run estimated is in ``used_grads``).
    used_grads
        ``(R - 1, n, dim)``: the gradient of the update that left each recorded
        position.
    states
        Optimizer state by name (``velocity``, ``m``, ``v``...), each like
        ``positions``; index 0 is the initial state.
    recorded_steps
        ``(R,)``: the step number of each recorded row.
    n_steps, diverged, stopped
        Per point: steps taken, whether it diverged, and why it stopped
        (``"steps"``, ``"tol"`` or ``"diverged"``).
    n_fev, n_gev
        Per point: evaluations of the value and of the exact gradient the run
        made (mini-batch gradients are not counted).
    sampling
        The gradient sampling as used (``batch_size``, ``noise``).
    """

    objective: Objective
    optimizer: Optimizer | Method
    positions: Array
    losses: Array
    grads: Array
    used_grads: Array
    states: dict[str, Array]
    n_steps: Any
    diverged: Any
    stopped: Any
    seed: int | None
    recorded_steps: Array
    n_fev: Any
    n_gev: Any
    sampling: Sampling = field(default_factory=Sampling)
    batched: bool = True

    @property
    def start(self) -> Array:
        return self.positions[0]

    @property
    def final(self) -> Array:
        return self.positions[-1]

    def path(self, i: int = 0) -> Array:
        """The recorded positions point ``i`` actually visited, its last position last."""
        n = int(self.n_steps if not self.batched else self.n_steps[i])
        rows = int(np.searchsorted(self.recorded_steps, n)) + 1
        return self.positions[:rows] if not self.batched else self.positions[:rows, i]

    def step_lengths(self) -> Array:
        """Distance between consecutive recorded positions: the speed of the run."""
        return np.linalg.norm(np.diff(self.positions, axis=0), axis=-1)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of a single-start run (keys as the CLI documents them)."""
        if self.batched:
            raise InvalidParameterError("to_dict() describes one start point; run with one start")
        k = len(self.path())
        out: dict[str, Any] = {
            "surface": self.objective.name,
            "optimizer": self.optimizer.name,
            "params": dict(self.optimizer.params),
            "start": self.positions[0].tolist(),
            "xs": self.positions[:k].tolist(),
            "losses": self.losses[: int(self.n_steps) + 1].tolist(),
            "grads": self.grads[:k].tolist(),
            "diverged": bool(self.diverged),
            "stopped": str(self.stopped),
            "seed": self.seed,
            "evaluations": {"value": int(self.n_fev), "gradient": int(self.n_gev)},
        }
        if not self.sampling.exact:
            out["sampling"] = self.sampling.to_dict()
        dataset = getattr(self.objective, "dataset", None)
        if dataset is not None:
            out["dataset"] = dataset.to_dict()
        return out


def as_starts(start: Any, dim: int) -> tuple[Array, bool]:
    """Start points as ``(n, dim)`` and whether the caller gave a batch."""
    try:
        p = np.array(start, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidParameterError("start must be numbers") from None
    batched = p.ndim == 2
    if p.ndim not in (1, 2) or p.shape[-1] != dim or p.size == 0:
        raise InvalidParameterError(
            f"start must have shape ({dim},) or (n, {dim}), got {np.shape(p)}"
        )
    if not np.isfinite(p).all():
        raise InvalidParameterError("start must be finite")
    return np.atleast_2d(p), batched


def _finite(loss: Array, g: Array) -> Array:
    """Per point: value and every gradient coordinate finite (column by column for a
    short last axis, which is much faster than a reduction over it)."""
    if g.shape[-1] > 8:
        return np.isfinite(loss) & np.isfinite(g).all(axis=-1)
    ok = np.isfinite(loss)
    for k in range(g.shape[-1]):
        ok &= np.isfinite(g[:, k])
    return ok


def _beyond(x: Array, bound: float) -> Array:
    """Per point: some coordinate beyond ``bound`` in absolute value."""
    if x.shape[-1] > 8:
        return (np.abs(x) > bound).any(axis=-1)
    out = np.abs(x[:, 0]) > bound
    for k in range(1, x.shape[-1]):
        out |= np.abs(x[:, k]) > bound
    return out


def _check_int(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InvalidParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _check_number(name: str, value: Any, positive: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    v = float(value)
    if math.isnan(v) or v < 0 or (positive and v == 0) or (v == math.inf and not positive):
        raise InvalidParameterError(f"{name} must be {'> 0' if positive else '>= 0'}, got {v}")
    return v


def _check_memory(rows: int, n: int, dim: int, arrays: int) -> None:
    """Refuse up front a record that cannot fit in memory, with the size it would need."""
    need = 8 * rows * n * dim * arrays
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if need > total // 2:
        raise InvalidParameterError(
            f"recording this run needs {need / 2**30:.1f} GiB, more than half of this "
            f"machine's {total / 2**30:.1f} GiB; lower steps or the number of start points, "
            "or record less (record_every, record_state=False)"
        )


class _Recorder:
    """Rows of positions, gradients and states at steps 0, k, 2k, ... and the last."""

    def __init__(self, steps: int, every: int | None, n: int, dim: int, state_names: list[str]):
        self.every = every
        rows = 2 if every is None else steps // every + 2
        _check_memory(rows, n, dim, 3 + len(state_names))
        self.steps = np.zeros(rows, dtype=int)
        self.positions = np.empty((rows, n, dim))
        self.grads = np.empty((rows, n, dim))
        self.used = np.empty((rows, n, dim))
        self.states = {k: np.empty((rows, n, dim)) for k in state_names}
        self.rows = 0

    def due(self, t: int) -> bool:
        return t == 0 or (self.every is not None and t % self.every == 0)

    def add(self, t: int, x: Array, g: Array, state: Any) -> None:
        r = self.rows
        self.steps[r], self.positions[r], self.grads[r] = t, x, g
        for k, a in self.states.items():
            a[r] = getattr(state, k)
        self.rows += 1

    def add_used(self, t: int, g_used: Array) -> None:
        """The gradient of update ``t``, kept when it leaves a recorded position."""
        if self.rows and self.steps[self.rows - 1] == t - 1:
            self.used[self.rows - 1] = g_used

    def finish(self, t: int, x: Array, g: Array, state: Any) -> None:
        if self.steps[self.rows - 1] != t:
            self.add(t, x, g, state)


# Overflow and 0/0 are how divergence shows; they are detected and reported per point,
# so numpy's floating-point warnings (which would reach a CLI user's stderr) are off.
@np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore")
def run(
    objective: str | Objective,
    optimizer: str | Optimizer | Method = "gd",
    start: Any = None,
    steps: int = 100,
    tol: float = 1e-6,
    seed: int | None = 0,
    bound: float = 1e6,
    record_state: bool = True,
    record_every: int | None = 1,
    batch_size: int | None = None,
    noise: float | None = None,
    **params: Any,
) -> Trajectory:
    """Run ``optimizer`` on ``objective`` from ``start`` for at most ``steps`` updates.

    Parameters
    ----------
    objective, optimizer
        Names (or a custom expression in x and y for the surface) or built
        objects; any :class:`optim.objective.Objective` runs. Extra keyword
        ``params`` are the optimizer's hyperparameters (torch.optim's names).
    start
        ``(dim,)`` or ``(n, dim)``; defaults to the objective's ``start``.
    steps
        Step budget (>= 1).
    tol
        Stop a point once its exact gradient norm is below ``tol``; 0 disables.
    seed
        Seeds the noise and mini-batch sampling; equal seeds give identical runs.
    bound
        A coordinate beyond ``bound`` in absolute value counts as divergence.
    record_state
        Keep the optimizer state at the recorded steps.
    record_every
        Record positions, gradients and states every this many steps (and at
        the last); ``None`` keeps only the start and the end. Losses are
        recorded at every step regardless.
    batch_size
        Mini-batch size on a data objective (``None``: the full batch; ``sgd``
        defaults to 1). Every optimizer can run on mini-batches. A batch of at
        least ``n_examples`` is the full batch: every step then takes the exact
        gradient, and the run equals the one with ``batch_size=None`` (as
        torch's ``DataLoader`` yields one batch of everything when the batch is
        larger than the data). So a sweep of batch sizes may go past the data's
        size; ``Trajectory.sampling.batch_size`` is then ``None``.
    noise
        Standard deviation of Gaussian noise added to every gradient
        coordinate (``sgd`` defaults to 1 on objectives without examples).

    Raises
    ------
    optim.OptimError
        For bad arguments (a typed :class:`InvalidParameterError` or
        :class:`UnknownOptimizerError`); ``surfaces.SurfaceError`` for a bad
        surface name or expression.
    """
    objective = get(objective) if isinstance(objective, str) else objective
    if not isinstance(objective, Objective):
        raise InvalidParameterError(
            "objective must be a surface name, an expression, or an object with "
            "name, dim, __call__ and grad"
        )
    opt = make(optimizer, **params)
    default_start = getattr(objective, "start", None)
    if start is None and default_start is None:
        raise InvalidParameterError(f"{objective.name} has no default start; give start")
    x, batched = as_starts(default_start if start is None else start, objective.dim)
    steps = _check_int("steps", steps)
    tol = _check_number("tol", tol, positive=False)
    bound = _check_number("bound", bound, positive=True)
    if seed is not None:
        seed = _check_int("seed", seed, low=0)
    if record_every is not None:
        record_every = _check_int("record_every", record_every)
    if isinstance(opt, Method):
        if batch_size is not None or noise:
            raise InvalidParameterError(f"{opt.name} uses exact gradients: no batch_size or noise")
        return _unbatch(minimize_run(objective, opt, x, steps, tol, bound), batched, None)
    if opt.bind is not None:
        opt = opt.bind(objective)
    sampling = resolve(objective, opt, batch_size, noise)
    if opt.sampling:
        # sgd lists its sampling among its hyperparameters: shown as resolved, so the
        # JSON's params and sampling come from one source and cannot disagree.
        opt = opt._replace(params=sampling.shown_in(opt.params, is_data(objective)))
    return _iterate(objective, opt, x, batched, steps, tol, seed, bound, record_state,
                    record_every, sampling)  # fmt: skip


def _iterate(
    objective: Objective,
    opt: Optimizer,
    x: Array,
    batched: bool,
    steps: int,
    tol: float,
    seed: int | None,
    bound: float,
    record_state: bool,
    record_every: int | None,
    sampling: Sampling,
) -> Trajectory:
    n, dim = x.shape
    sampler = GradientSampler(objective, sampling, n, np.random.default_rng(seed))
    state = opt.init(x)
    state_names = [k for k, v in state._asdict().items() if isinstance(v, np.ndarray)]
    rec = _Recorder(steps, record_every, n, dim, state_names if record_state else [])
    losses = np.empty((steps + 1, n))

    loss, g = value_and_grad(objective, x)
    if not _finite(loss, g).all():
        raise InvalidParameterError(
            "the objective's value or gradient is not finite at a start point"
        )
    losses[0] = loss
    rec.add(0, x, g, state)
    n_steps = np.zeros(n, dtype=int)
    active = np.ones(n, dtype=bool)
    stopped = np.full(n, STOP_STEPS, dtype=object)
    diverged = np.zeros(n, dtype=bool)

    # Each step evaluates the value once, at the new point, and the exact gradient when
    # something needs it: the tolerance, an update without mini-batches, or a recorded
    # row. A mini-batch run with tol=0 thus pays for its batches and the loss only.
    exact_needed = tol > 0 or sampling.batch_size is None
    t = 0
    for t in range(1, steps + 1):
        if tol > 0:
            done = active & (np.sqrt(np.einsum("ij,ij->i", g, g)) < tol)
            if done.any():
                stopped[done], active = STOP_TOL, active & ~done
                if not active.any():
                    t -= 1
                    break
        g_used = sampler(x, g)
        rec.add_used(t, g_used)
        delta, new_state = opt.update(g_used, state, x)
        x_new = x + delta
        if exact_needed or rec.due(t) or t == steps:
            loss_new, g_new = value_and_grad(objective, x_new)
            finite = _finite(loss_new, g_new)
        else:
            loss_new, g_new = objective(x_new), None
            finite = np.isfinite(loss_new)
        # A non-finite coordinate makes the loss non-finite too.
        bad = (~finite | _beyond(x_new, bound)) & active
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
            g = None if g is None or g_new is None else np.where(keep, g_new, g)
            state = new_state._replace(
                **{k: np.where(keep, getattr(new_state, k), getattr(state, k)) for k in state_names}
            )
        n_steps += active
        losses[t] = loss
        if rec.due(t):
            rec.add(t, x, g, state)
        if not active.any():
            break
    rec.finish(t, x, objective.grad(x) if g is None else g, state)

    R = rec.rows
    used = rec.grads if sampling.exact else rec.used
    result = dict(
        positions=rec.positions[:R],
        losses=losses[: t + 1],
        grads=rec.grads[:R],
        used_grads=used[: R - 1],
        states={k: v[:R] for k, v in rec.states.items()},
        n_steps=n_steps,
        diverged=diverged,
        stopped=stopped.astype(str),
        n_fev=n_steps + 1,
        n_gev=n_steps + 1 if exact_needed else np.full(n, rec.rows),
    )
    traj = Trajectory(
        objective, opt, seed=seed, recorded_steps=rec.steps[:R], sampling=sampling, **result
    )
    return _unbatch(traj, batched, seed)


_PER_POINT = ("n_steps", "diverged", "stopped", "n_fev", "n_gev")
_PER_ROW = ("positions", "losses", "grads", "used_grads")


def _unbatch(traj: Trajectory, batched: bool, seed: int | None) -> Trajectory:
    """A single start's run: arrays without the point axis, scalars per point."""
    if batched:
        return traj
    changes: dict[str, Any] = {k: getattr(traj, k)[0].item() for k in _PER_POINT}
    changes.update({k: getattr(traj, k)[:, 0] for k in _PER_ROW})
    changes["states"] = {k: v[:, 0] for k, v in traj.states.items()}
    fields = {f: getattr(traj, f) for f in traj.__dataclass_fields__}
    return Trajectory(**{**fields, **changes, "batched": False, "seed": seed})
