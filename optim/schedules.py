"""Learning-rate schedules, as torch.optim.lr_scheduler defines them (per step, t from 1)."""

from __future__ import annotations

import math

from optim.base import Schedule, check_nonnegative, check_positive, check_unit


def constant(lr: float) -> Schedule:
    """``lr_t = lr``."""
    lr = check_positive("lr", lr)
    return lambda t: lr


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """``lr_t = lr * gamma ** floor((t - 1) / step_size)`` (StepLR)."""
    lr, gamma = check_positive("lr", lr), check_unit("gamma", gamma, closed=True)
    step_size = int(check_positive("step_size", step_size))
    return lambda t: lr * gamma ** ((t - 1) // step_size)


def exponential(lr: float, gamma: float) -> Schedule:
    """``lr_t = lr * gamma ** (t - 1)`` (ExponentialLR)."""
    lr, gamma = check_positive("lr", lr), check_unit("gamma", gamma, closed=True)
    return lambda t: lr * gamma ** (t - 1)


def cosine(lr: float, t_max: int, eta_min: float = 0.0) -> Schedule:
    """``lr_t = eta_min + (lr - eta_min) (1 + cos(pi (t - 1) / t_max)) / 2`` (CosineAnnealingLR)."""
    lr, eta_min = check_positive("lr", lr), check_nonnegative("eta_min", eta_min)
    t_max = int(check_positive("t_max", t_max))
    return lambda t: eta_min + (lr - eta_min) * (1 + math.cos(math.pi * (t - 1) / t_max)) / 2
