"""Loss surfaces: each a SymPy expression with derived value, gradient and Hessian.

>>> from surfaces import get
>>> s = get("rosenbrock")
>>> s([1.0, 1.0]), s.grad([[-1.5, 2.0], [1.0, 1.0]]).shape
(0.0, (2, 2))

``get`` accepts a registered name or a custom expression in ``x`` and ``y``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from surfaces import analytic
from surfaces.base import CriticalPoint, Surface, classify_hessian
from surfaces.data import DataSurface, mse
from surfaces.errors import SurfaceError, UnknownSurfaceError, UnsafeExpressionError
from surfaces.expression import X, Y, parse_expression

#: Registered surfaces, in the order listings show them.
REGISTRY: dict[str, Callable[[], Surface]] = {
    "rosenbrock": analytic.rosenbrock,
    "rastrigin": analytic.rastrigin,
    "saddle": analytic.saddle,
    "monkey_saddle": analytic.monkey_saddle,
    "himmelblau": analytic.himmelblau,
    "plateau": analytic.plateau,
    "bowl": analytic.bowl,
    "narrow_bowl": analytic.narrow_bowl,
    "two_valleys": analytic.two_valleys,
    "bumpy_valley": analytic.bumpy_valley,
    "mse": mse,
}

__all__ = [
    "REGISTRY",
    "CriticalPoint",
    "DataSurface",
    "Surface",
    "SurfaceError",
    "UnknownSurfaceError",
    "UnsafeExpressionError",
    "classify_hessian",
    "from_expression",
    "get",
    "names",
]


def names() -> list[str]:
    """Names of the registered surfaces."""
    return list(REGISTRY)


@cache
def _registered(name: str) -> Surface:
    return REGISTRY[name]()


def from_expression(text: str, domain: float = 3.0) -> Surface:
    """A surface from an expression in x and y, parsed safely (see :mod:`surfaces.expression`)."""
    expr = parse_expression(text)
    return Surface(
        name=text.strip(),
        expr=expr,
        variables=(X, Y),
        domain=((-domain, domain), (-domain, domain)),
        start=(domain * 0.6, domain * 0.4),
        description="custom expression",
    )


def get(name_or_expr: str | Surface) -> Surface:
    """A registered surface by name, or a custom one from an expression in x and y.

    Raises
    ------
    UnknownSurfaceError
        For a plain identifier that is not registered (a typo, most likely).
    UnsafeExpressionError
        For an expression that is not plain arithmetic in x and y.
    """
    if isinstance(name_or_expr, Surface):
        return name_or_expr
    key = str(name_or_expr).strip()
    if key in REGISTRY:
        return _registered(key)
    if key.isidentifier() and key not in ("x", "y"):
        shown = key if len(key) <= 40 else key[:40] + "..."
        raise UnknownSurfaceError(
            f"unknown surface {shown!r}; choose one of {', '.join(REGISTRY)} "
            "or give an expression in x and y"
        )
    return from_expression(key)
