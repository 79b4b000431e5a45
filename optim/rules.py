"""The update rules, with torch.optim's names, defaults and conventions.

Each factory validates its hyperparameters and returns an :class:`Optimizer`.
``g`` is the gradient at the current point; weight decay, where given, adds
``weight_decay * theta`` to it first. ``t`` counts updates from 1.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from optim.base import (
    Array,
    Optimizer,
    Schedule,
    as_schedule,
    check_finite,
    check_nonnegative,
    check_unit,
)
from optim.errors import InvalidParameterError
from optim.objective import has_hessian


def _lr_value(lr: float | Schedule) -> float | str:
    return "schedule" if callable(lr) else float(lr)


class SGDState(NamedTuple):
    t: int
    velocity: Array


def _sgd_family(
    name: str,
    lr: float | Schedule,
    momentum: float,
    dampening: float,
    nesterov: bool,
    weight_decay: float,
    sampling: dict | None = None,
) -> Optimizer:
    schedule = as_schedule(lr)
    momentum = check_nonnegative("momentum", momentum)
    dampening = check_unit("dampening", dampening, closed=True)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    if nesterov and (momentum <= 0 or dampening != 0):
        raise InvalidParameterError("nesterov needs momentum > 0 and dampening = 0")

    def init(params: Array) -> SGDState:
        return SGDState(0, np.zeros_like(params, dtype=float))

    def update(g: Array, state: SGDState, params: Array) -> tuple[Array, SGDState]:
        r"""Momentum SGD as torch.optim.SGD.

        .. math::
            b_1 = g_1,\quad b_t = \mu\, b_{t-1} + (1 - \tau)\, g_t,\quad
            d_t = g_t + \mu\, b_t \text{ (nesterov) or } b_t,\quad
            \theta \leftarrow \theta - \alpha\, d_t
        """
        t = state.t + 1
        if weight_decay:
            g = g + weight_decay * params
        if momentum == 0:
            return -schedule(t) * g, SGDState(t, state.velocity)
        b = g if t == 1 else momentum * state.velocity + (1 - dampening) * g
        d = g + momentum * b if nesterov else b
        return -schedule(t) * d, SGDState(t, b)

    params = {
        "lr": _lr_value(lr),
        "momentum": momentum,
        "dampening": dampening,
        "nesterov": bool(nesterov),
        "weight_decay": weight_decay,
        **(sampling or {}),
    }
    return Optimizer(name, params, init, update, sampling=MappingProxyType(sampling or {}))


def gd(
    lr: float | Schedule = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Gradient descent on the exact gradient (torch.optim.SGD's update).

    .. math:: \theta \leftarrow \theta - \alpha g_t
    """
    return _sgd_family("gd", lr, momentum, dampening, nesterov, weight_decay)


def sgd(
    lr: float | Schedule = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
    noise: float = 1.0,
    batch_size: int = 1,
) -> Optimizer:
    """Stochastic gradient descent: gd's update on a sampled gradient (mini-batch or noise).

    On data objectives each step uses the mean gradient of ``batch_size``
    examples (1 = pure stochastic), drawn without replacement within an epoch.
    On analytic surfaces the exact gradient gets seeded Gaussian noise of
    standard deviation ``noise`` per coordinate. These are sgd's defaults;
    :func:`optim.run` takes ``batch_size`` and ``noise`` for every optimizer.
    """
    noise = check_nonnegative("noise", noise)
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise InvalidParameterError(f"batch_size must be an integer >= 1, got {batch_size}")
    sampling = {"noise": noise, "batch_size": int(batch_size)}
    return _sgd_family("sgd", lr, momentum, dampening, nesterov, weight_decay, sampling)


def momentum(
    lr: float | Schedule = 1e-3,
    momentum: float = 0.9,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Heavy-ball momentum: torch.optim.SGD with momentum=0.9.

    .. math:: v_t = \beta v_{t-1} + g_t,\quad \theta \leftarrow \theta - \alpha v_t
    """
    if check_finite("momentum", momentum) <= 0:
        raise InvalidParameterError(f"momentum must be > 0, got {momentum}")
    return _sgd_family("momentum", lr, momentum, dampening, False, weight_decay)


def nesterov(
    lr: float | Schedule = 1e-3,
    momentum: float = 0.9,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Nesterov momentum: torch.optim.SGD with momentum=0.9, nesterov=True.

    .. math:: v_t = \beta v_{t-1} + g_t,\quad \theta \leftarrow \theta - \alpha (g_t + \beta v_t)
    """
    if check_finite("momentum", momentum) <= 0:
        raise InvalidParameterError(f"momentum must be > 0, got {momentum}")
    return _sgd_family("nesterov", lr, momentum, dampening, True, weight_decay)


class AdagradState(NamedTuple):
    t: int
    sum: Array


def adagrad(
    lr: float | Schedule = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> Optimizer:
    r"""AdaGrad: steps shrink with the sum of squared gradients (torch.optim.Adagrad).

    .. math::
        \alpha_t = \frac{\alpha}{1 + (t - 1)\,\eta},\quad s_t = s_{t-1} + g_t^2,\quad
        \theta \leftarrow \theta - \alpha_t \frac{g_t}{\sqrt{s_t} + \epsilon}
    """
    schedule = as_schedule(lr)
    lr_decay = check_nonnegative("lr_decay", lr_decay)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    acc0 = check_nonnegative("initial_accumulator_value", initial_accumulator_value)
    eps = check_nonnegative("eps", eps)

    def init(params: Array) -> AdagradState:
        return AdagradState(0, np.full_like(params, acc0, dtype=float))

    def update(g: Array, state: AdagradState, params: Array) -> tuple[Array, AdagradState]:
        t = state.t + 1
        if weight_decay:
            g = g + weight_decay * params
        lr_t = schedule(t) / (1 + (t - 1) * lr_decay)
        s = state.sum + g * g
        return -lr_t * g / (np.sqrt(s) + eps), AdagradState(t, s)

    params = {
        "lr": _lr_value(lr),
        "lr_decay": lr_decay,
        "weight_decay": weight_decay,
        "initial_accumulator_value": acc0,
        "eps": eps,
    }
    return Optimizer("adagrad", params, init, update)


class RMSpropState(NamedTuple):
    t: int
    v: Array
    g_avg: Array
    buf: Array


def rmsprop(
    lr: float | Schedule = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> Optimizer:
    r"""RMSprop: steps scaled by a running mean of squared gradients (torch.optim.RMSprop).

    .. math::
        v_t = \alpha v_{t-1} + (1 - \alpha) g_t^2,\quad
        \theta \leftarrow \theta - \gamma \frac{g_t}{\sqrt{v_t} + \epsilon}

    ``centered`` subtracts the squared running mean of ``g`` from ``v_t``;
    ``momentum`` keeps a buffer ``b_t = \mu b_{t-1} + g_t / (\sqrt{v_t} + \epsilon)``.
    """
    schedule = as_schedule(lr)
    alpha = check_unit("alpha", alpha)
    eps = check_nonnegative("eps", eps)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    momentum = check_nonnegative("momentum", momentum)

    def init(params: Array) -> RMSpropState:
        z = np.zeros_like(params, dtype=float)
        return RMSpropState(0, z, z.copy(), z.copy())

    def update(g: Array, state: RMSpropState, params: Array) -> tuple[Array, RMSpropState]:
        t = state.t + 1
        if weight_decay:
            g = g + weight_decay * params
        v = alpha * state.v + (1 - alpha) * g * g
        g_avg = alpha * state.g_avg + (1 - alpha) * g if centered else state.g_avg
        denom = np.sqrt(v - g_avg * g_avg if centered else v) + eps
        if momentum > 0:
            buf = momentum * state.buf + g / denom
            return -schedule(t) * buf, RMSpropState(t, v, g_avg, buf)
        return -schedule(t) * g / denom, RMSpropState(t, v, g_avg, state.buf)

    params = {
        "lr": _lr_value(lr),
        "alpha": alpha,
        "eps": eps,
        "weight_decay": weight_decay,
        "momentum": momentum,
        "centered": bool(centered),
    }
    return Optimizer("rmsprop", params, init, update)


class AdamState(NamedTuple):
    t: int
    m: Array
    v: Array


def adam(
    lr: float | Schedule = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
) -> Optimizer:
    r"""Adam: momentum and RMSprop scaling, bias-corrected (torch.optim.Adam).

    .. math::
        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,\\
        \hat m_t = \frac{m_t}{1 - \beta_1^t},\quad \hat v_t = \frac{v_t}{1 - \beta_2^t},\quad
        \theta \leftarrow \theta - \alpha \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
    """
    schedule = as_schedule(lr)
    try:
        beta1, beta2 = betas
    except (TypeError, ValueError):
        raise InvalidParameterError(f"betas must be two numbers, got {betas!r}") from None
    beta1, beta2 = check_unit("beta1", beta1), check_unit("beta2", beta2)
    eps = check_nonnegative("eps", eps)
    weight_decay = check_nonnegative("weight_decay", weight_decay)

    def init(params: Array) -> AdamState:
        z = np.zeros_like(params, dtype=float)
        return AdamState(0, z, z.copy())

    def update(g: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        t = state.t + 1
        if weight_decay:
            g = g + weight_decay * params
        m = beta1 * state.m + (1 - beta1) * g
        v = beta2 * state.v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        return -schedule(t) * m_hat / (np.sqrt(v_hat) + eps), AdamState(t, m, v)

    params = {
        "lr": _lr_value(lr),
        "betas": [beta1, beta2],
        "eps": eps,
        "weight_decay": weight_decay,
    }
    return Optimizer("adam", params, init, update)


class NewtonState(NamedTuple):
    t: int


def newton(lr: float | Schedule = 1.0) -> Optimizer:
    r"""Newton's method: the step that would reach the minimum of the local quadratic.

    .. math:: \theta \leftarrow \theta - \alpha\, H(\theta)^{-1} g_t

    ``lr`` damps the step (1: pure Newton, which reaches the minimum of a
    positive-definite quadratic in one step). Needs the objective's Hessian.
    """
    schedule = as_schedule(lr)

    def init(params: Array) -> NewtonState:
        return NewtonState(0)

    def unbound(g: Array, state: NewtonState, params: Array) -> tuple[Array, NewtonState]:
        raise InvalidParameterError("newton needs an objective's Hessian: run it with optim.run")

    def bind(objective: Any) -> Optimizer:
        if not has_hessian(objective):
            raise InvalidParameterError(
                f"newton needs a Hessian, and {getattr(objective, 'name', 'this objective')} "
                "has none; choose another optimizer"
            )

        def update(g: Array, state: NewtonState, params: Array) -> tuple[Array, NewtonState]:
            t = state.t + 1
            return -schedule(t) * _solve(objective.hess(params), g), NewtonState(t)

        return optimizer._replace(update=update, bind=None)

    optimizer = Optimizer("newton", {"lr": _lr_value(lr)}, init, unbound, bind=bind)
    return optimizer


def _solve(h: Array, g: Array) -> Array:
    """``h^{-1} g`` per point; a singular Hessian gets its pseudo-inverse (a flat direction
    then takes no step) rather than stopping every other point."""
    try:
        return np.linalg.solve(h, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.einsum("...ij,...j->...i", np.linalg.pinv(h), g)


#: Registered optimizers, in the order listings show them.
OPTIMIZERS = {
    "gd": gd,
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "newton": newton,
}

#: Each update rule as the video shows it (LaTeX). One source for scenes and docs.
FORMULAS = {
    "gd": r"x_{t+1} = x_t - \alpha\, \nabla f(x_t)",
    "sgd": r"x_{t+1} = x_t - \alpha\, \tilde g_t, \quad \tilde g_t = \frac{1}{|B|}\sum_{i \in B} \nabla \ell_i(x_t)",
    "momentum": r"v_t = \beta\, v_{t-1} + \nabla f(x_t), \quad x_{t+1} = x_t - \alpha\, v_t",
    "nesterov": r"v_t = \beta\, v_{t-1} + \nabla f(x_t), \quad x_{t+1} = x_t - \alpha\,(\nabla f(x_t) + \beta\, v_t)",
    "adagrad": r"s_t = s_{t-1} + g_t^2, \quad x_{t+1} = x_t - \frac{\alpha}{\sqrt{s_t} + \epsilon}\, g_t",
    "rmsprop": r"v_t = \rho\, v_{t-1} + (1-\rho)\, g_t^2, \quad x_{t+1} = x_t - \frac{\alpha}{\sqrt{v_t} + \epsilon}\, g_t",
    "adam": r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad x_{t+1} = x_t - \alpha\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}",
    "newton": r"x_{t+1} = x_t - \alpha\, H_f(x_t)^{-1}\, \nabla f(x_t)",
}
#: Adam's bias correction, the part of its rule the update above writes with hats.
BIAS_CORRECTION = (
    r"\hat m_t = \frac{m_t}{1 - \beta_1^t}, \quad \hat v_t = \frac{v_t}{1 - \beta_2^t}"
)
#: The stopping rule of :func:`optim.run`.
STOP_FORMULA = r"\|\nabla f(x_t)\| < \varepsilon \quad \text{or} \quad t = T"
