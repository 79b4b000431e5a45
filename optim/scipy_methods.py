"""Baselines from :func:`scipy.optimize.minimize`: L-BFGS and Nelder-Mead.

They are not (init, update) rules: scipy runs its own loop, line searches
included. Every iterate is recorded through ``callback`` into the same
:class:`optim.Trajectory` the update rules produce, with the number of value
and gradient evaluations scipy asked for, so the film can compare paths and
costs on one surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from scipy.optimize import minimize

from optim.base import Array
from optim.errors import InvalidParameterError
from optim.objective import Objective

if TYPE_CHECKING:
    from optim.trajectory import Trajectory


class Method(NamedTuple):
    """A scipy method: its name here, its hyperparameters, and scipy's name for it."""

    name: str
    params: dict[str, Any]
    scipy_name: str
    uses_gradient: bool


def lbfgs(maxcor: int = 10) -> Method:
    """L-BFGS: a quasi-Newton method that builds curvature from the last ``maxcor`` gradients.

    scipy's L-BFGS-B without bounds, with its own line search.
    """
    if isinstance(maxcor, bool) or not isinstance(maxcor, int | np.integer) or maxcor < 1:
        raise InvalidParameterError(f"maxcor must be an integer >= 1, got {maxcor!r}")
    return Method("lbfgs", {"maxcor": int(maxcor)}, "L-BFGS-B", True)


def nelder_mead() -> Method:
    """Nelder-Mead: a simplex of points that reflects, expands and shrinks; no gradient."""
    return Method("nelder-mead", {}, "Nelder-Mead", False)


#: scipy methods by name, after the update rules in listings.
METHODS = {"lbfgs": lbfgs, "nelder-mead": nelder_mead}


def scipy_options(method: Method, steps: int) -> dict[str, Any]:
    """The ``options`` passed to :func:`scipy.optimize.minimize`."""
    options: dict[str, Any] = {"maxiter": steps}
    if method.name == "lbfgs":
        options["maxcor"] = method.params["maxcor"]
    return options


def minimize_one(
    objective: Objective, method: Method, x0: Array, steps: int, tol: float
) -> tuple[list[Array], Any, int, int]:
    """One scipy run from ``x0``: the iterates (start first), scipy's result, and the
    value and gradient evaluations it made."""
    counts = {"f": 0, "g": 0}

    def fun(p: Array) -> float:
        counts["f"] += 1
        return float(objective(p))

    def jac(p: Array) -> Array:
        counts["g"] += 1
        return np.asarray(objective.grad(p), dtype=float)

    iterates = [np.array(x0, dtype=float)]
    result = minimize(
        fun,
        x0,
        jac=jac if method.uses_gradient else None,
        method=method.scipy_name,
        tol=tol if tol > 0 else None,
        callback=lambda xk: iterates.append(np.array(xk, dtype=float)),
        options=scipy_options(method, steps),
    )
    return iterates, result, counts["f"], counts["g"]


@np.errstate(over="ignore", invalid="ignore")
def minimize_run(
    objective: Objective, method: Method, x: Array, steps: int, tol: float, bound: float
) -> Trajectory:
    """Every start of ``x`` ``(n, dim)`` minimized on its own, as one batched Trajectory.

    Shorter runs are padded with their last position, as stopped points are in
    :func:`optim.run`; a run that leaves ``bound`` or becomes non-finite is cut
    there and flagged diverged.
    """
    from optim.trajectory import STOP_DIVERGED, STOP_STEPS, STOP_TOL, Trajectory

    paths, stopped, diverged, n_fev, n_gev = [], [], [], [], []
    for x0 in x:
        iterates, result, nf, ng = minimize_one(objective, method, x0, steps, tol)
        path = np.array(iterates)
        bad = ~np.isfinite(path).all(axis=1) | (np.abs(path) > bound).any(axis=1)
        bad |= ~np.isfinite(objective(path))
        if bad.any():
            path = path[: int(np.argmax(bad))]
            stopped.append(STOP_DIVERGED)
        else:
            stopped.append(STOP_STEPS if result.nit >= steps else STOP_TOL)
        diverged.append(bool(bad.any()))
        paths.append(path)
        n_fev.append(nf)
        n_gev.append(ng)
    T = max(len(p) for p in paths)
    positions = np.stack([np.concatenate([p, np.repeat(p[-1:], T - len(p), 0)]) for p in paths], 1)
    grads = objective.grad(positions)
    return Trajectory(
        objective,
        method,
        positions=positions,
        losses=objective(positions),
        grads=grads,
        used_grads=grads[:-1],
        states={},
        n_steps=np.array([len(p) - 1 for p in paths]),
        diverged=np.array(diverged),
        stopped=np.array(stopped),
        seed=None,
        recorded_steps=np.arange(T),
        n_fev=np.array(n_fev),
        n_gev=np.array(n_gev),
    )
