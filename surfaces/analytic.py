"""The analytic test functions of optimization, each defined once in SymPy."""

from __future__ import annotations

import sympy as sp

from surfaces.base import Surface

x, y = sp.symbols("x y", real=True)
XY = (x, y)


def rosenbrock(a: float = 1, b: float = 100) -> Surface:
    """Rosenbrock's banana: ``(a - x)^2 + b (y - x^2)^2``, minimum 0 at ``(a, a^2)``."""
    a, b = sp.nsimplify(a), sp.nsimplify(b)
    return Surface(
        name="rosenbrock",
        expr=(a - x) ** 2 + b * (y - x**2) ** 2,
        variables=XY,
        domain=((-2.0, 2.0), (-1.0, 3.0)),
        start=(-1.5, 2.0),
        critical_guesses=((float(a), float(a) ** 2),),
        description="curved narrow valley; minimum 0 at (1, 1)",
    )


def rastrigin(A: float = 10) -> Surface:
    """Rastrigin in 2D: ``2A + sum(x_i^2 - A cos(2 pi x_i))``, global minimum 0 at the origin."""
    A = sp.nsimplify(A)
    # Local minima sit near the integer lattice; a few are listed for tests and labels.
    guesses = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (-1.0, 2.0), (0.5, 0.0)]
    return Surface(
        name="rastrigin",
        expr=2 * A + (x**2 - A * sp.cos(2 * sp.pi * x)) + (y**2 - A * sp.cos(2 * sp.pi * y)),
        variables=XY,
        domain=((-5.12, 5.12), (-5.12, 5.12)),
        start=(3.2, 2.1),
        critical_guesses=tuple(guesses),
        description="egg-crate of many local minima; global minimum 0 at (0, 0)",
    )


def saddle() -> Surface:
    """The hyperbolic paraboloid ``x^2 - y^2``: a saddle point at the origin."""
    return Surface(
        name="saddle",
        expr=x**2 - y**2,
        variables=XY,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        start=(1.8, 1e-3),
        critical_guesses=((0.0, 0.0),),
        description="x^2 - y^2; gradient zero at the origin, which is not a minimum",
    )


def monkey_saddle() -> Surface:
    """``x^3 - 3 x y^2``: three valleys meet at a degenerate saddle at the origin."""
    return Surface(
        name="monkey_saddle",
        expr=x**3 - 3 * x * y**2,
        variables=XY,
        domain=((-1.5, 1.5), (-1.5, 1.5)),
        start=(0.6, 0.1),
        critical_guesses=((0.0, 0.0),),
        description="x^3 - 3xy^2; a saddle with three downhill directions (zero Hessian)",
    )


def himmelblau() -> Surface:
    """Himmelblau's ``(x^2 + y - 11)^2 + (x + y^2 - 7)^2``: four minima of value 0."""
    minima = [(3.0, 2.0), (-2.805, 3.131), (-3.779, -3.283), (3.584, -1.848)]
    saddles = [(0.087, 2.884), (-3.073, -0.081), (3.385, 0.074), (-0.128, -1.954)]
    return Surface(
        name="himmelblau",
        expr=(x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        variables=XY,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        start=(0.0, 0.0),
        critical_guesses=(*minima, *saddles, (-0.271, -0.923)),
        description="four equal minima, four saddles and one maximum",
    )


def plateau(width: float = 1.5) -> Surface:
    """A narrow basin in a wide, nearly flat plain: ``1 - exp(-(x^2 + y^2) / (2 w^2))``.

    Far from the origin the gradient decays like a Gaussian, so plain gradient
    descent started out on the plain barely moves: the plateau problem.
    """
    w = sp.nsimplify(width)
    return Surface(
        name="plateau",
        expr=1 - sp.exp(-(x**2 + y**2) / (2 * w**2)),
        variables=XY,
        domain=((-6.0, 6.0), (-6.0, 6.0)),
        start=(4.5, 3.0),
        critical_guesses=((0.0, 0.0),),
        z_range=(0.0, 1.0),
        description="wide flat plain around a narrow basin; gradient nearly zero far out",
    )


def two_valleys(tilt: float = 0.5) -> Surface:
    """A shallow valley beside a deeper one: ``(x^2 - 1)^2 + tilt x + 3 y^2 / 5``.

    The tilt lowers the valley at negative x; a ridge near x = 0.13 separates
    them, so plain gradient descent started on the right stays on the right.
    """
    t = sp.nsimplify(tilt)
    return Surface(
        name="two_valleys",
        expr=(x**2 - 1) ** 2 + t * x + sp.Rational(3, 5) * y**2,
        variables=XY,
        domain=((-2.2, 2.2), (-2.2, 2.2)),
        start=(1.6, 1.0),
        critical_guesses=((-1.06, 0.0), (0.93, 0.0), (0.13, 0.0)),
        description="a shallow valley (right) beside a deeper one (left)",
    )


def bumpy_valley(height: float = 0.6, at: float = 2.0, width: float = 0.35) -> Surface:
    """A long narrow valley with a bump across its floor.

    ``x^2 / 10 + 2 y^2 + height * exp(-(x - at)^2 / (2 width^2))``: curvatures
    0.2 along the valley and 4 across it (condition number 20), and a bump
    that leaves a small dip on its far side from the minimum at the origin.
    """
    h, a, w = sp.nsimplify(height), sp.nsimplify(at), sp.nsimplify(width)
    return Surface(
        name="bumpy_valley",
        expr=x**2 / 10 + 2 * y**2 + h * sp.exp(-((x - a) ** 2) / (2 * w**2)),
        variables=XY,
        domain=((-3.5, 5.0), (-1.6, 1.6)),
        start=(4.5, 1.2),
        critical_guesses=((0.0, 0.0), (2.67, 0.0), (1.95, 0.0)),
        description="narrow valley (condition number 20) with a bump across its floor",
    )


def quadratic(a: float = 1, b: float = 1, name: str | None = None) -> Surface:
    """The bowl ``(a x^2 + b y^2) / 2``: curvatures ``a`` and ``b``, condition number ``max/min``.

    Gradient descent is stable on it iff ``0 < lr < 2 / max(a, b)``.
    """
    a_, b_ = sp.nsimplify(a), sp.nsimplify(b)
    kappa = max(a, b) / min(a, b)
    return Surface(
        name=name or f"quadratic({a:g},{b:g})",
        expr=(a_ * x**2 + b_ * y**2) / 2,
        variables=XY,
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        start=(-2.5, 2.0),
        critical_guesses=((0.0, 0.0),),
        description=f"quadratic bowl, curvatures {a:g} and {b:g} (condition number {kappa:g})",
    )


def bowl() -> Surface:
    """The isotropic bowl ``(x^2 + y^2) / 2``."""
    return quadratic(1, 1, name="bowl")


def narrow_bowl(condition: float = 20) -> Surface:
    """An ill-conditioned bowl ``(x^2 + kappa y^2) / 2`` with condition number ``kappa``."""
    return quadratic(1, condition, name="narrow_bowl")
