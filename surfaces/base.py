"""The :class:`Surface`: one SymPy expression, and everything derived from it.

A surface is defined once, symbolically. Its value, gradient and Hessian are
obtained by SymPy (``diff`` then ``lambdify``) and evaluated along the last
axis, like :func:`scipy.optimize.rosen`: ``p`` may be one point ``(2,)``, a batch
``(n, 2)`` or a meshgrid stacked as ``(rows, cols, 2)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import sympy as sp

from surfaces.errors import SurfaceError

Array = np.ndarray
Interval = tuple[float, float]


def _lambdify_stack(variables: Sequence[sp.Symbol], exprs: Sequence[sp.Expr]) -> Callable:
    """Compile ``exprs`` into one function of a ``(..., dim)`` array.

    Constant entries (a Hessian of a quadratic, say) come back from lambdify as
    Python scalars; they are broadcast to the input's shape so the result always
    has shape ``(..., len(exprs))``.
    """
    funcs = [sp.lambdify(variables, e, modules="numpy") for e in exprs]

    def evaluate(p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        if p.shape[-1:] != (len(variables),):
            raise SurfaceError(
                f"expected points with last axis {len(variables)}, got shape {p.shape}"
            )
        args = [p[..., i] for i in range(len(variables))]
        out = np.empty((*p.shape[:-1], len(exprs)))
        for k, f in enumerate(funcs):
            out[..., k] = f(*args)
        return out

    return evaluate


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes, classified from the Hessian."""

    point: tuple[float, ...]
    value: float
    kind: str  # "minimum", "maximum", "saddle" or "degenerate"


def classify_hessian(h: Array, rtol: float = 1e-9) -> str:
    """Classify a symmetric Hessian by the signs of its eigenvalues.

    Returns ``"minimum"`` (positive definite), ``"maximum"`` (negative definite),
    ``"saddle"`` (indefinite) or ``"degenerate"`` (singular and semi-definite,
    where the second-derivative test says nothing, as at the monkey saddle).
    """
    eig = np.linalg.eigvalsh(np.asarray(h, dtype=float))
    scale = max(float(np.max(np.abs(eig))), 1.0)
    pos, neg = eig > rtol * scale, eig < -rtol * scale
    if pos.all():
        return "minimum"
    if neg.all():
        return "maximum"
    if pos.any() and neg.any():
        return "saddle"
    return "degenerate"


@dataclass(frozen=True, eq=False)
class Surface:
    """A scalar function of two variables, with its symbolic derivatives.

    Parameters
    ----------
    name
        Registry name (``"rosenbrock"``) or the expression text for custom surfaces.
    expr
        The SymPy expression.
    variables
        The symbols it is a function of, in coordinate order.
    domain
        Plotting box, one ``(low, high)`` interval per variable.
    start
        A default start point that shows the surface's character.
    critical_guesses
        Approximate critical points; each is refined by Newton's method on the
        symbolic gradient (``sympy.nsolve``) and classified from the Hessian.
    z_range
        Height range for drawing; computed from a grid over the domain if omitted.
    description
        One line, for listings.
    latex_override
        Replaces ``sympy.latex(expr)`` where another form reads better (the data
        surface shows its sum, not the expanded quadratic).
    dataset
        For data surfaces, the :class:`surfaces.data.Dataset` the loss averages over.
    """

    name: str
    expr: sp.Expr
    variables: tuple[sp.Symbol, ...]
    domain: tuple[Interval, ...]
    start: tuple[float, ...]
    critical_guesses: tuple[tuple[float, ...], ...] = ()
    z_range: Interval | None = None
    description: str = ""
    latex_override: str | None = None
    dataset: object | None = field(default=None, repr=False)

    @property
    def dim(self) -> int:
        return len(self.variables)

    @property
    def latex(self) -> str:
        """LaTeX of the defining expression, as MathTex shows it."""
        return self.latex_override or sp.latex(self.expr)

    @cached_property
    def gradient_exprs(self) -> tuple[sp.Expr, ...]:
        return tuple(sp.diff(self.expr, v) for v in self.variables)

    @cached_property
    def hessian_exprs(self) -> sp.Matrix:
        return sp.hessian(self.expr, self.variables)

    @cached_property
    def _f(self) -> Callable:
        return _lambdify_stack(self.variables, [self.expr])

    @cached_property
    def _grad(self) -> Callable:
        return _lambdify_stack(self.variables, self.gradient_exprs)

    @cached_property
    def _hess(self) -> Callable:
        return _lambdify_stack(self.variables, list(self.hessian_exprs))

    def __call__(self, p: Array) -> Array:
        """Value at ``p`` of shape ``(..., dim)``; returns shape ``(...)``."""
        return self._f(p)[..., 0]

    def grad(self, p: Array) -> Array:
        """Gradient at ``p`` of shape ``(..., dim)``; returns shape ``(..., dim)``."""
        return self._grad(p)

    def hess(self, p: Array) -> Array:
        """Hessian at ``p`` of shape ``(..., dim)``; returns ``(..., dim, dim)``."""
        h = self._hess(p)
        return h.reshape((*h.shape[:-1], self.dim, self.dim))

    def classify(self, p: Sequence[float]) -> str:
        """Second-derivative test at ``p``: minimum, maximum, saddle or degenerate."""
        return classify_hessian(self.hess(np.asarray(p, dtype=float)))

    @cached_property
    def critical_points(self) -> tuple[CriticalPoint, ...]:
        """Known critical points, refined to machine precision and classified."""
        out = []
        for guess in self.critical_guesses:
            try:
                sol = sp.nsolve(self.gradient_exprs, self.variables, guess, prec=30)
                p = tuple(float(c) for c in sol)
            except (ValueError, ZeroDivisionError):
                # nsolve needs an invertible Jacobian; degenerate points (the
                # monkey saddle) are exact already, so keep the guess.
                p = tuple(float(c) for c in guess)
            out.append(CriticalPoint(p, float(self(np.array(p))), self.classify(p)))
        return tuple(out)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.critical_points if c.kind == "minimum")

    @property
    def saddles(self) -> tuple[CriticalPoint, ...]:
        # The monkey saddle's Hessian is zero: the test is silent, but the point
        # is a saddle by construction, so "degenerate" is listed here as well.
        return tuple(c for c in self.critical_points if c.kind in ("saddle", "degenerate"))

    def grid(self, resolution: int = 64) -> tuple[Array, Array, Array]:
        """A meshgrid over the domain: ``(X, Y, Z)``, each ``(resolution, resolution)``."""
        (x0, x1), (y0, y1) = self.domain
        xs, ys = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
        return xs, ys, self(np.stack([xs, ys], axis=-1))

    @cached_property
    def height_range(self) -> Interval:
        """``z_range`` if given, else the span of the surface over its domain."""
        if self.z_range is not None:
            return self.z_range
        _, _, z = self.grid(96)
        return float(np.min(z)), float(np.max(z))
