"""Gradient descent and its variants, as pure (init, update) pairs, and runs over surfaces.

>>> from optim import run
>>> traj = run("rosenbrock", "adam", lr=0.05, steps=500)
>>> traj.positions.shape, traj.stopped
((501, 2), 'steps')
"""

from optim.base import Optimizer, Schedule
from optim.errors import InvalidParameterError, OptimError, UnknownOptimizerError
from optim.objective import DataObjective, Objective
from optim.rules import (
    BIAS_CORRECTION,
    FORMULAS,
    OPTIMIZERS,
    STOP_FORMULA,
    adagrad,
    adam,
    gd,
    momentum,
    nesterov,
    newton,
    rmsprop,
    sgd,
)
from optim.sampling import Sampling
from optim.scipy_methods import METHODS, Method, lbfgs, nelder_mead
from optim.trajectory import Trajectory, make, run

__all__ = [
    "BIAS_CORRECTION",
    "FORMULAS",
    "METHODS",
    "OPTIMIZERS",
    "STOP_FORMULA",
    "DataObjective",
    "InvalidParameterError",
    "Method",
    "Objective",
    "OptimError",
    "Optimizer",
    "Sampling",
    "Schedule",
    "Trajectory",
    "UnknownOptimizerError",
    "adagrad",
    "adam",
    "gd",
    "lbfgs",
    "make",
    "momentum",
    "nelder_mead",
    "nesterov",
    "newton",
    "rmsprop",
    "run",
    "sgd",
]
