"""The data surface: mean squared error of a line fitted to real weather records.

The data (:func:`datasets.seattle_weather`) pairs today's maximum temperature
with tomorrow's; the model is ``y = w x + b``.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from datasets import Dataset, seattle_weather
from surfaces.base import Surface

w, b = sp.symbols("w b", real=True)
xi, yi = sp.symbols("x_i y_i", real=True)

#: Loss of one example: the squared error of the line at (x_i, y_i).
SAMPLE_LOSS = (w * xi + b - yi) ** 2


class DataSurface(Surface):
    """A loss that is the mean of a per-example loss over a dataset.

    The full loss is expanded symbolically (the sum of squares collapses to a
    quadratic in ``w, b`` whose coefficients are data moments), so value,
    gradient and Hessian are SymPy-derived like any other surface. For
    mini-batches, :meth:`batch_grad` evaluates the symbolic per-example gradient
    on the chosen rows.
    """

    @property
    def n_examples(self) -> int:
        """How many examples the loss averages over (what mini-batches draw from)."""
        return len(self.dataset)

    def batch_grad(self, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Mean per-example gradient over rows ``idx``.

        ``p`` has shape ``(n, 2)`` and ``idx`` shape ``(n, batch)``: row ``k`` of
        ``idx`` is the mini-batch of point ``k``. Returns ``(n, 2)``.
        """
        fs = _sample_grad_funcs()
        xs, ys = self.dataset.x[idx], self.dataset.y[idx]
        wk, bk = p[:, :1], p[:, 1:2]
        return np.stack([np.mean(f(wk, bk, xs, ys), axis=1) for f in fs], axis=-1)

    def sample_grads(self, p: np.ndarray) -> np.ndarray:
        """Gradient of every single example at one point ``p`` (2,): shape ``(n_data, 2)``."""
        fs = _sample_grad_funcs()
        return np.stack([f(p[0], p[1], self.dataset.x, self.dataset.y) for f in fs], axis=-1)


@cache
def _sample_grad_funcs() -> tuple:
    return tuple(
        sp.lambdify((w, b, xi, yi), sp.diff(SAMPLE_LOSS, v), modules="numpy") for v in (w, b)
    )


def mse(dataset: Dataset | None = None) -> DataSurface:
    """Mean squared error of ``y = w x + b`` on ``dataset`` (default: Seattle weather)."""
    data = dataset or seattle_weather()
    n = len(data)
    # (1/n) sum (w x_i + b - y_i)^2 expanded: every coefficient is a data moment.
    mx, my = float(np.mean(data.x)), float(np.mean(data.y))
    mxx, mxy, myy = (float(np.mean(v)) for v in (data.x**2, data.x * data.y, data.y**2))
    expr = w**2 * mxx + 2 * w * b * mx + b**2 - 2 * w * mxy - 2 * b * my + myy
    w_star, b_star = data.least_squares()
    i = sp.Idx("i")
    term = sp.Sum((w * sp.Indexed("x", i) + b - sp.Indexed("y", i)) ** 2, (i, 1, n))
    shown = rf"\frac{{1}}{{{n}}} {sp.latex(term)}"
    return DataSurface(
        name="mse",
        expr=expr,
        variables=(w, b),
        domain=((-0.5, 2.0), (-10.0, 25.0)),
        start=(-0.25, 20.0),
        critical_guesses=((w_star, b_star),),
        description="MSE of tomorrow's max temperature ~ w * today's + b (Seattle weather)",
        latex_override=shown,
        dataset=data,
    )
