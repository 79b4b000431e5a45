"""Seeded two-class toy sets in the plane, generated in NumPy.

The same constructions as scikit-learn's ``make_moons`` and ``make_circles``
(half the points in each class, Gaussian noise of standard deviation
``noise``), drawn from :func:`numpy.random.default_rng` so a seed fixes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from datasets.errors import DatasetError


@dataclass(frozen=True, eq=False)
class Labeled:
    """Points ``X`` ``(n, 2)`` with integer class labels ``y`` ``(n,)``."""

    X: np.ndarray
    y: np.ndarray
    name: str
    source: str

    def __len__(self) -> int:
        return len(self.y)

    def to_dict(self) -> dict[str, Any]:
        return {"X": self.X.tolist(), "y": self.y.tolist(), "source": self.source}


def _check(samples: int, noise: float, seed: int) -> None:
    if isinstance(samples, bool) or not isinstance(samples, int | np.integer) or samples < 2:
        raise DatasetError(f"samples must be an integer >= 2, got {samples!r}")
    if samples > 1_000_000:
        raise DatasetError(f"samples must be at most 1000000, got {samples}")
    if not isinstance(noise, int | float) or not np.isfinite(noise) or noise < 0:
        raise DatasetError(f"noise must be a finite number >= 0, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DatasetError(f"seed must be an integer >= 0, got {seed!r}")


def _split(samples: int) -> tuple[int, int]:
    first = samples // 2
    return first, samples - first


def moons(samples: int = 200, noise: float = 0.1, seed: int = 0) -> Labeled:
    """Two interleaving half circles: class 0 on top, class 1 below and shifted."""
    _check(samples, noise, seed)
    rng = np.random.default_rng(seed)
    n0, n1 = _split(samples)
    t0, t1 = np.linspace(0, np.pi, n0), np.linspace(0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((samples, 2))
    y = np.repeat([0, 1], [n0, n1])
    order = rng.permutation(samples)
    return Labeled(X[order], y[order], "moons", f"two moons, numpy seed {seed}, noise {noise}")


def circles(samples: int = 200, noise: float = 0.1, seed: int = 0, factor: float = 0.5) -> Labeled:
    """Two concentric circles: class 0 outside (radius 1), class 1 inside (radius ``factor``)."""
    _check(samples, noise, seed)
    if not 0 < factor < 1:
        raise DatasetError(f"factor must be in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    n0, n1 = _split(samples)
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.vstack([outer, inner]) + noise * rng.standard_normal((samples, 2))
    y = np.repeat([0, 1], [n0, n1])
    order = rng.permutation(samples)
    return Labeled(X[order], y[order], "circles", f"two circles, numpy seed {seed}, noise {noise}")


#: Classification sets by name.
CLASSIFICATION: dict[str, Callable[..., Labeled]] = {"moons": moons, "circles": circles}


def load(name: str, samples: int = 200, seed: int = 0, noise: float = 0.1) -> Labeled:
    """A classification set by name (``moons`` or ``circles``)."""
    if name not in CLASSIFICATION:
        shown = name if len(name) <= 40 else name[:40] + "..."
        raise DatasetError(f"unknown dataset {shown!r}; choose one of {', '.join(CLASSIFICATION)}")
    return CLASSIFICATION[name](samples=samples, noise=noise, seed=seed)
