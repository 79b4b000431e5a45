"""Gradient descent and its variants, as pure (init, update) pairs, and runs over surfaces.

>>> from optim import run
>>> traj = run("rosenbrock", "adam", lr=0.05, steps=500)
>>> traj.positions.shape, traj.stopped
((501, 2), 'steps')
"""

from optim.base import Optimizer, Schedule
from optim.errors import InvalidParameterError, OptimError, UnknownOptimizerError
from optim.rules import (
    FORMULAS,
    OPTIMIZERS,
    STOP_FORMULA,
    adagrad,
    adam,
    gd,
    momentum,
    nesterov,
    rmsprop,
    sgd,
)
from optim.trajectory import Trajectory, make, run

__all__ = [
    "FORMULAS",
    "OPTIMIZERS",
    "STOP_FORMULA",
    "InvalidParameterError",
    "OptimError",
    "Optimizer",
    "Schedule",
    "Trajectory",
    "UnknownOptimizerError",
    "adagrad",
    "adam",
    "gd",
    "make",
    "momentum",
    "nesterov",
    "rmsprop",
    "run",
    "sgd",
]
