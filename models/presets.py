"""Deep networks the film's section 9 compares: per-layer gradient sizes at initialisation.

One place for the settings, shared by the scene and its tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datasets import moons
from models.mlp import MLP


@dataclass(frozen=True)
class DeepCase:
    """One deep network: what it is called on screen, its activation and initialisation."""

    title: str
    activation: str
    init: str


@dataclass(frozen=True)
class DeepStudy:
    """Networks of ``depth`` hidden layers of ``width`` neurons on two moons, one per case."""

    depth: int = 10
    width: int = 16
    samples: int = 200
    seed: int = 0
    cases: tuple[DeepCase, ...] = (
        DeepCase("sigmoid, small random weights", "sigmoid", "normal:0.3"),
        DeepCase("tanh, large random weights", "tanh", "normal:2"),
        DeepCase("ReLU, He initialisation", "relu", "he"),
    )

    def network(self, case: DeepCase) -> MLP:
        data = moons(self.samples, seed=self.seed)
        layers = (2, *[self.width] * self.depth, 2)
        return MLP(layers, case.activation, "cross_entropy", data.X, data.y, case.init, self.seed)


def layer_gradients(study: DeepStudy = DeepStudy()) -> dict[str, np.ndarray]:
    """Per case: the norm of dLoss/dW for each layer at the initial weights, first layer first."""
    out = {}
    for case in study.cases:
        net = study.network(case)
        out[case.title] = net.layer_grad_norms(net.start)
    return out
