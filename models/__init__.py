"""A small neural network in NumPy, trained by :mod:`optim` like any other objective.

>>> import optim
>>> from datasets import moons
>>> from models import MLP
>>> data = moons(200, seed=0)
>>> net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y)
>>> traj = optim.run(net, "adam", lr=0.01, steps=500, batch_size=32, record_every=None)
>>> float(net.accuracy(traj.final)) > 0.95
True
"""

from models.activations import ACTIVATIONS, Activation
from models.errors import ModelError
from models.losses import LOSSES, Loss
from models.mlp import MLP, Backward, Forward, parse_init

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "Activation",
    "Backward",
    "Forward",
    "Loss",
    "ModelError",
    "parse_init",
]
