"""Surfaces: SymPy derivatives against finite differences, critical points against the
literature, the weather data against pandas and numpy.linalg.lstsq, and the safe parser."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import surfaces
from surfaces import UnknownSurfaceError, UnsafeExpressionError, classify_hessian
from surfaces.errors import SurfaceError

CUSTOM = [
    "x**2 + 3*sin(y)",
    "exp(-x**2/4)*cos(2*y) + x*y**3/10",
    "log(1 + x**2 + y**2) - atan2(y, 3)",
]
ALL = [*surfaces.names(), *CUSTOM]

# Independent numpy transcriptions of the textbook formulas (not the SymPy expressions).
NUMPY_FORMULAS = {
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    "rastrigin": lambda x, y: (
        20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y)
    ),
    "saddle": lambda x, y: x**2 - y**2,
    "monkey_saddle": lambda x, y: x**3 - 3 * x * y**2,
    "himmelblau": lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    "plateau": lambda x, y: 1 - np.exp(-(x**2 + y**2) / (2 * 1.5**2)),
    "bowl": lambda x, y: (x**2 + y**2) / 2,
    "narrow_bowl": lambda x, y: (x**2 + 20 * y**2) / 2,
    CUSTOM[0]: lambda x, y: x**2 + 3 * np.sin(y),
}

# Himmelblau's critical points as published (Himmelblau 1972; e.g. Wikipedia's table):
# four minima of value 0, four saddles and a local maximum of 181.617.
HIMMELBLAU_MINIMA = [
    (3.0, 2.0),
    (-2.805118, 3.131312),
    (-3.779310, -3.283186),
    (3.584428, -1.848126),
]
HIMMELBLAU_SADDLES = [
    (0.086677, 2.884254),
    (-3.073026, -0.081353),
    (3.385154, 0.073852),
    (-0.127961, -1.953715),
]
HIMMELBLAU_MAXIMUM = (-0.270845, -0.923039)


def _points_in(surface: surfaces.Surface, n: int, seed: int) -> np.ndarray:
    """``n`` seeded uniform points inside the surface's domain, kept off its edges."""
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.domain
    u = rng.uniform(0.05, 0.95, size=(n, 2))
    return np.column_stack([x0 + u[:, 0] * (x1 - x0), y0 + u[:, 1] * (y1 - y0)])


def _assert_close(actual, expected, rtol: float, atol: np.ndarray) -> None:
    """``|actual - expected| <= atol + rtol |expected|`` with a per-point ``atol``."""
    err = np.abs(actual - expected)
    bound = atol + rtol * np.abs(expected)
    worst = np.unravel_index(np.argmax(err - bound), err.shape)
    assert (err <= bound).all(), (
        f"at {worst}: {actual[worst]!r} vs {expected[worst]!r} (allowed {bound[worst]:.3g})"
    )


def _fd_gradient(f, p: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Central differences of the value: (f(p + h e_i) - f(p - h e_i)) / 2h, per point."""
    out = np.empty_like(p)
    for i in range(2):
        e = np.zeros(2)
        e[i] = 1.0
        step = h[:, None] * e
        out[:, i] = (f(p + step) - f(p - step)) / (2 * h)
    return out


def _fd_hessian(f, p: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Central second differences of the value, per point: (n, 2, 2)."""
    out = np.empty((len(p), 2, 2))
    eye = np.eye(2)
    for i in range(2):
        for j in range(2):
            ei, ej = h[:, None] * eye[i], h[:, None] * eye[j]
            out[:, i, j] = (f(p + ei + ej) - f(p + ei - ej) - f(p - ei + ej) + f(p - ei - ej)) / (
                4 * h**2
            )
    return out


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_central_differences(name):
    s = surfaces.get(name)
    p = _points_in(s, 25, seed=1)
    h = 1e-6 * np.maximum(1.0, np.abs(p).max(axis=1))
    fd = _fd_gradient(s, p, h)
    g = s.grad(p)
    # Truncation is O(h^2 f''') and rounding O(eps |f| / h): scale the absolute part by |f|.
    atol = 1e-7 * np.maximum(1.0, np.abs(s(p)))[:, None]
    _assert_close(g, fd, rtol=1e-6, atol=atol)


@pytest.mark.parametrize("name", ALL)
def test_hessian_matches_central_differences(name):
    s = surfaces.get(name)
    p = _points_in(s, 25, seed=2)
    h = 1e-4 * np.maximum(1.0, np.abs(p).max(axis=1))
    fd = _fd_hessian(s, p, h)
    hess = s.hess(p)
    assert hess.shape == (25, 2, 2)
    np.testing.assert_allclose(hess, np.swapaxes(hess, 1, 2), rtol=0, atol=1e-9)
    atol = 1e-4 * np.maximum(1.0, np.abs(s(p)))[:, None, None]
    _assert_close(hess, fd, rtol=1e-4, atol=atol)


@pytest.mark.parametrize("name", sorted(NUMPY_FORMULAS))
def test_value_matches_textbook_formula(name):
    s = surfaces.get(name)
    p = _points_in(s, 50, seed=3)
    expected = NUMPY_FORMULAS[name](p[:, 0], p[:, 1])
    np.testing.assert_allclose(s(p), expected, rtol=1e-12, atol=1e-12)


def test_mse_value_matches_numpy_mean_of_squares():
    s = surfaces.get("mse")
    data = s.dataset
    for w, b in _points_in(s, 20, seed=4):
        direct = np.mean((w * data.x + b - data.y) ** 2)
        assert s(np.array([w, b])) == pytest.approx(direct, rel=1e-10)


@pytest.mark.parametrize("name", ALL)
def test_evaluation_along_the_last_axis(name):
    s = surfaces.get(name)
    (x0, x1), (y0, y1) = s.domain
    xs, ys = np.meshgrid(np.linspace(x0, x1, 7), np.linspace(y0, y1, 5))
    grid = np.stack([xs, ys], axis=-1)
    flat = grid.reshape(-1, 2)

    assert np.shape(s(grid)) == (5, 7)
    assert s.grad(grid).shape == (5, 7, 2)
    assert s.hess(grid).shape == (5, 7, 2, 2)
    assert np.shape(s(flat)) == (35,)
    assert s.grad(flat).shape == (35, 2)
    assert s.hess(flat).shape == (35, 2, 2)
    assert np.shape(s(flat[3])) == ()
    assert s.grad(flat[3]).shape == (2,)
    assert s.hess(flat[3]).shape == (2, 2)

    np.testing.assert_array_equal(s(grid).reshape(-1), s(flat))
    np.testing.assert_array_equal(s.grad(grid).reshape(-1, 2), s.grad(flat))
    np.testing.assert_array_equal(s.hess(grid).reshape(-1, 2, 2), s.hess(flat))
    for k in (0, 17, 34):
        assert float(s(flat[k])) == s(flat)[k]
        np.testing.assert_array_equal(s.grad(flat[k]), s.grad(flat)[k])
        # Lists work as well as arrays.
        assert float(s(list(flat[k]))) == s(flat)[k]
    # The grid helper is the same evaluation over the domain.
    gx, gy, gz = s.grid(9)
    np.testing.assert_array_equal(gz, s(np.stack([gx, gy], axis=-1)))


def test_wrong_last_axis_is_refused():
    s = surfaces.get("bowl")
    with pytest.raises(SurfaceError):
        s(np.zeros(3))
    with pytest.raises(SurfaceError):
        s.grad(np.zeros((4, 1)))


# --- critical points --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "point", "value"),
    [
        ("rosenbrock", (1.0, 1.0), 0.0),
        ("rastrigin", (0.0, 0.0), 0.0),
        ("bowl", (0.0, 0.0), 0.0),
        ("narrow_bowl", (0.0, 0.0), 0.0),
        ("plateau", (0.0, 0.0), 0.0),
        ("himmelblau", (3.0, 2.0), 0.0),
    ],
)
def test_known_global_minima(name, point, value):
    s = surfaces.get(name)
    p = np.array(point)
    assert float(s(p)) == pytest.approx(value, abs=1e-15)
    np.testing.assert_allclose(s.grad(p), 0.0, atol=1e-8)
    assert s.classify(p) == "minimum"
    # ... and the surface's own list of critical points has it, as a minimum.
    assert any(np.allclose(c.point, point, atol=1e-9) for c in s.minima)


@pytest.mark.parametrize("name", surfaces.names())
def test_listed_critical_points_are_critical(name):
    s = surfaces.get(name)
    assert s.critical_points, "every surface lists at least one critical point"
    scale = max(1.0, float(np.abs(s.hess(np.zeros(2))).max()))
    for c in s.critical_points:
        p = np.array(c.point)
        np.testing.assert_allclose(s.grad(p), 0.0, atol=1e-8 * scale)
        assert c.value == pytest.approx(float(s(p)), abs=1e-12)
        eig = np.linalg.eigvalsh(s.hess(p))
        expected = {
            (True, False): "minimum",
            (False, True): "maximum",
        }.get((bool((eig > 1e-9).all()), bool((eig < -1e-9).all())))
        if expected is None:
            expected = "saddle" if (eig > 1e-9).any() and (eig < -1e-9).any() else "degenerate"
        assert c.kind == expected


def test_himmelblau_four_minima_at_literature_coordinates():
    s = surfaces.get("himmelblau")
    assert len(s.minima) == 4
    for lit in HIMMELBLAU_MINIMA:
        # The published coordinates (6 decimals) are within 1e-6 of the refined minima.
        assert float(s(np.array(lit))) == pytest.approx(0.0, abs=1e-9)
        match = [c for c in s.minima if np.allclose(c.point, lit, atol=1e-6)]
        assert len(match) == 1
        (c,) = match
        assert c.value == pytest.approx(0.0, abs=1e-20)
        np.testing.assert_allclose(s.grad(np.array(c.point)), 0.0, atol=1e-8)
        assert s.classify(c.point) == "minimum"


def test_himmelblau_saddles_and_maximum():
    s = surfaces.get("himmelblau")
    kinds = sorted(c.kind for c in s.critical_points)
    assert kinds == ["maximum", "minimum", "minimum", "minimum", "minimum"] + ["saddle"] * 4
    saddles = [c for c in s.critical_points if c.kind == "saddle"]
    for lit in HIMMELBLAU_SADDLES:
        assert any(np.allclose(c.point, lit, atol=1e-5) for c in saddles), lit
    for c in saddles:
        eig = np.linalg.eigvalsh(s.hess(np.array(c.point)))
        assert eig[0] < 0 < eig[1]
    (mx,) = [c for c in s.critical_points if c.kind == "maximum"]
    np.testing.assert_allclose(mx.point, HIMMELBLAU_MAXIMUM, atol=1e-5)
    assert mx.value == pytest.approx(181.617, abs=1e-3)
    assert (np.linalg.eigvalsh(s.hess(np.array(mx.point))) < 0).all()
    np.testing.assert_allclose(s.grad(np.array(mx.point)), 0.0, atol=1e-8)


def test_saddle_origin_is_indefinite():
    s = surfaces.get("saddle")
    o = np.zeros(2)
    np.testing.assert_array_equal(s.grad(o), [0.0, 0.0])
    np.testing.assert_array_equal(s.hess(o), [[2.0, 0.0], [0.0, -2.0]])
    assert s.classify(o) == "saddle"
    assert [c.kind for c in s.saddles] == ["saddle"]


def test_monkey_saddle_origin_is_degenerate():
    s = surfaces.get("monkey_saddle")
    o = np.zeros(2)
    np.testing.assert_array_equal(s.grad(o), [0.0, 0.0])
    np.testing.assert_array_equal(s.hess(o), np.zeros((2, 2)))
    assert s.classify(o) == "degenerate"
    assert [c.kind for c in s.saddles] == ["degenerate"]
    # Three downhill directions: the value is negative along angles pi/3, pi, 5pi/3.
    for angle in (np.pi / 3, np.pi, 5 * np.pi / 3):
        assert float(s(0.1 * np.array([np.cos(angle), np.sin(angle)]))) < 0


def test_rastrigin_local_minima_near_lattice_are_minima():
    s = surfaces.get("rastrigin")
    for c in s.minima:
        np.testing.assert_allclose(c.point, np.round(c.point), atol=0.02)
        # Off the origin, a local minimum is strictly above the global one.
        if np.any(np.round(c.point)):
            assert c.value > 0.9


@pytest.mark.parametrize(
    ("matrix", "kind"),
    [
        ([[1.0, 0.0], [0.0, 2.0]], "minimum"),
        ([[2.0, 1.0], [1.0, 2.0]], "minimum"),
        ([[1e-3, 0.0], [0.0, 5.0]], "minimum"),
        ([[-1.0, 0.0], [0.0, -3.0]], "maximum"),
        ([[-2.0, 1.0], [1.0, -2.0]], "maximum"),
        ([[1.0, 0.0], [0.0, -1.0]], "saddle"),
        ([[1.0, 2.0], [2.0, 1.0]], "saddle"),  # eigenvalues 3 and -1
        ([[0.0, 1.0], [1.0, 0.0]], "saddle"),  # eigenvalues 1 and -1
        ([[0.0, 0.0], [0.0, 0.0]], "degenerate"),
        ([[1.0, 0.0], [0.0, 0.0]], "degenerate"),
        ([[0.0, 0.0], [0.0, -4.0]], "degenerate"),
        ([[1.0, 1.0], [1.0, 1.0]], "degenerate"),  # eigenvalues 2 and 0
        ([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]], "saddle"),
    ],
)
def test_classify_hessian(matrix, kind):
    assert classify_hessian(np.array(matrix)) == kind


# --- LaTeX ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_latex_is_a_nonempty_string(name):
    latex = surfaces.get(name).latex
    assert isinstance(latex, str)
    assert latex.strip()


def test_rosenbrock_latex_is_sympy_latex_of_expr():
    s = surfaces.get("rosenbrock")
    assert s.latex == sp.latex(s.expr)
    x, y = sp.symbols("x y", real=True)
    assert sp.simplify(s.expr - ((1 - x) ** 2 + 100 * (y - x**2) ** 2)) == 0


def test_mse_latex_shows_the_mean_of_squares():
    latex = surfaces.get("mse").latex
    assert r"\frac{1}{1460}" in latex
    assert r"\sum_{i=1}^{1460}" in latex


# --- the weather data surface -----------------------------------------------------------


def test_weather_dataset_is_next_days_temperature():
    from vega_datasets import local_data

    data = surfaces.get("mse").dataset
    assert len(data) == 1460
    assert data.x.shape == data.y.shape == (1460,)
    np.testing.assert_array_equal(data.y[:-1], data.x[1:])
    # Independently from the raw records: today's and tomorrow's temp_max by date.
    raw = local_data.seattle_weather().sort_values("date")
    temps = raw["temp_max"].to_numpy(dtype=float)
    assert len(temps) == 1461
    np.testing.assert_array_equal(data.x, temps[:-1])
    np.testing.assert_array_equal(data.y, temps[1:])
    assert "NOAA" in data.source
    assert "seattle" in data.source.lower()


def test_mse_minimum_is_least_squares():
    s = surfaces.get("mse")
    data = s.dataset
    design = np.column_stack([data.x, np.ones_like(data.x)])
    (w, b), *_ = np.linalg.lstsq(design, data.y, rcond=None)
    (c,) = s.minima
    np.testing.assert_allclose(c.point, (w, b), rtol=1e-9)
    assert c.value == pytest.approx(np.mean((w * data.x + b - data.y) ** 2), rel=1e-10)
    # The Hessian is (2/n) X^T X, constant.
    np.testing.assert_allclose(
        s.hess(np.array([0.3, -2.0])), 2 * design.T @ design / len(data), rtol=1e-10
    )
    g = s.grad(np.array([w, b]))
    np.testing.assert_allclose(g, 0.0, atol=1e-9)


def test_mse_batch_and_sample_gradients_agree_with_the_full_gradient():
    s = surfaces.get("mse")
    data = s.dataset
    n = len(data)
    p = _points_in(s, 4, seed=5)
    idx = np.tile(np.arange(n), (4, 1))
    np.testing.assert_allclose(s.batch_grad(p, idx), s.grad(p), rtol=1e-10, atol=1e-10)
    for q in p:
        per_example = s.sample_grads(q)
        assert per_example.shape == (n, 2)
        residual = q[0] * data.x + q[1] - data.y
        np.testing.assert_allclose(
            per_example, np.column_stack([2 * residual * data.x, 2 * residual]), rtol=1e-12
        )
        np.testing.assert_allclose(per_example.mean(axis=0), s.grad(q), rtol=1e-10, atol=1e-10)
    # A batch of chosen rows is the mean over exactly those rows.
    rows = np.array([[0, 5, 9], [100, 101, 1459], [7, 7, 7], [3, 2, 1]])
    for q, r in zip(p, rows, strict=True):
        expected = s.sample_grads(q)[r].mean(axis=0)
        np.testing.assert_allclose(s.batch_grad(q[None], r[None])[0], expected, rtol=1e-12)


# --- custom expressions -----------------------------------------------------------------


def test_custom_expression_value_and_gradient():
    s = surfaces.get("x**2 + 3*sin(y)")
    assert s.name == "x**2 + 3*sin(y)"
    p = np.array([[0.5, -1.0], [2.0, 0.25], [-1.5, 3.0]])
    np.testing.assert_allclose(s(p), p[:, 0] ** 2 + 3 * np.sin(p[:, 1]), rtol=1e-14)
    np.testing.assert_allclose(
        s.grad(p), np.column_stack([2 * p[:, 0], 3 * np.cos(p[:, 1])]), rtol=1e-14
    )
    np.testing.assert_allclose(
        s.hess(p[1]), [[2.0, 0.0], [0.0, -3 * np.sin(0.25)]], rtol=1e-14, atol=0
    )


@pytest.mark.parametrize(
    ("caret", "power"),
    [
        ("x^2", "x**2"),
        ("x^2 + y^3", "x**2 + y**3"),  # not x^(2 + y)^3, as Python's XOR would group it
        ("2*x^2 - y^2/3", "2*x**2 - y**2/3"),
        ("x^-2 + 1", "x**-2 + 1"),
        ("(x + y)^2", "(x + y)**2"),
        ("x^2^2", "x**4"),  # right-associative, as in mathematics
    ],
)
def test_caret_means_power(caret, power):
    a, b = surfaces.get(caret), surfaces.get(power)
    assert sp.simplify(a.expr - b.expr) == 0
    x, y = sp.symbols("x y", real=True)
    p = np.array([[1.5, -2.0], [0.3, 0.7]])
    np.testing.assert_allclose(a(p), sp.lambdify((x, y), b.expr)(p[:, 0], p[:, 1]), rtol=1e-14)


def test_decimals_are_exact_and_constants_known():
    s = surfaces.get("0.1*x + pi*y + e")
    x, y = sp.symbols("x y", real=True)
    assert sp.simplify(s.expr - (sp.Rational(1, 10) * x + sp.pi * y + sp.E)) == 0


def test_registered_names_are_not_parsed_and_are_cached():
    assert surfaces.get("rosenbrock") is surfaces.get("  rosenbrock ")
    s = surfaces.get("bowl")
    assert surfaces.get(s) is s


UNSAFE = [
    "__import__('os').system('ls')",
    "__import__('os')",
    "x.real",
    "x.__class__",
    "lambda: 1",
    "[x]",
    "(x, y)",
    "{x: y}",
    "x if y else 1",
    "x == y",
    "x < y",
    "x and y",
    "open('f')",
    "eval('1')",
    "9**9**9",
    "(((9**99)**99)**99)**99",  # a bounded exponent on an ever larger base
    "x**(10**6)",
    "foo(x)",
    "z + x",
    "x + y + t",
    "",
    "   ",
    "x +",
    "sin(x, y)",
    "sin()",
    "sin(x=1)",
    "'a' + x",
    "1j * x",
    "True * x",
    "1/0",
    "x + sqrt(-1)",  # complex constants: not a real surface
    "x*log(-1)",
    "asin(2)*x",
    "(-2)^0.5 + y",
    "x @ y",
    "x // y",
    "x % y",
    "~x",
    "x[0]",
    "f'{x}'",
    "+".join(["x"] * 300),  # too long
]


@pytest.mark.parametrize("text", UNSAFE)
def test_unsafe_or_invalid_expressions_are_refused(text):
    with pytest.raises(UnsafeExpressionError):
        surfaces.get(text)


@pytest.mark.parametrize("text", ["foo", "rosenbrok", "Rosenbrock", "sin", "z", "import"])
def test_plain_unknown_identifiers_are_unknown_surfaces(text):
    with pytest.raises(UnknownSurfaceError) as info:
        surfaces.get(text)
    assert "rosenbrock" in str(info.value)  # the message lists the choices


def test_surface_errors_are_value_errors():
    for cls in (UnknownSurfaceError, UnsafeExpressionError):
        assert issubclass(cls, SurfaceError)
        assert issubclass(cls, ValueError)


def test_parsing_never_evaluates_python(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for text in (
        "__import__('os').system('touch pwned')",
        "open('pwned', 'w')",
        "__import__('pathlib').Path('pwned').touch()",
    ):
        with pytest.raises(UnsafeExpressionError):
            surfaces.get(text)
    assert not (tmp_path / "pwned").exists()
