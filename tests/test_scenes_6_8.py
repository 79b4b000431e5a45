"""Sections 6-8: what the scenes claim on screen holds in the data they draw.

Each test rebuilds a scene's data from the scene's own class attributes, as
the scene does, and checks the claim the picture or the narration makes.
"""

from __future__ import annotations

import numpy as np
import pytest

from optim import run
from scenes.common.weather import condition_number, standardized
from surfaces import get

# --- section 7: linear regression on the weather -------------------------------------


def test_weather_scatter_is_every_day_and_close_to_linear():
    data = get("mse").dataset
    assert len(data) == 1460
    assert np.corrcoef(data.x, data.y)[0, 1] > 0.9


def test_gradient_formulas_on_screen_are_the_surface_gradient():
    """The SymPy formulas shown, evaluated on the data, equal the surface's gradient."""
    import sympy as sp

    from scenes.regression import START, gradient_latex
    from surfaces.data import SAMPLE_LOSS, b, w, xi, yi

    s = get("mse")
    x, y = s.dataset.x, s.dataset.y
    shown = []
    for v in (w, b):
        term = sp.lambdify((w, b, xi, yi), sp.factor(sp.diff(SAMPLE_LOSS, v)))
        shown.append(np.mean(term(*START, x, y)))
    np.testing.assert_allclose(shown, s.grad(np.array(START)), rtol=1e-10)
    assert r"\frac{\partial L}{\partial w}" in gradient_latex(w, len(x))
    assert "1460" in gradient_latex(b, len(x))


def test_parabola_tangent_comes_to_rest_where_the_slope_vanishes():
    from scenes.regression import WeatherLine as S

    s = get(S.surface)
    b0 = S.start[1]
    ws = np.linspace(*S.w_span, 200)
    loss = s(np.stack([ws, np.full_like(ws, b0)], axis=-1))
    w_rest = ws[np.argmin(loss)]
    start_slope = s.grad(np.array(S.start))[0]
    assert start_slope < 0  # downhill is to the right: w grows, the line swings up
    assert abs(s.grad(np.array([w_rest, b0]))[0]) < 0.02 * abs(start_slope)
    assert S.w_span[0] < S.start[0] < w_rest < S.w_span[1]


def test_raw_bowl_is_a_trench_where_descent_crawls():
    from scenes.regression import WeatherBowl as S

    raw = get(S.surface)
    kappa = condition_number(raw)
    assert 1500 < kappa < 2500  # "curved 1,961 times more sharply across than along"
    limit = 2 / np.linalg.eigvalsh(raw.hess(np.zeros(2)))[-1]
    assert 0.5 * limit < S.raw_lr < limit  # a fair step: most of the stable range
    traj = run(raw, "gd", start=S.start, lr=S.raw_lr, steps=S.raw_steps, tol=0)
    assert not traj.diverged
    assert traj.losses[-1] > 2 * raw.minima[0].value  # still far from the bottom
    (x0, x1), (y0, y1) = S.raw_domain
    inside = (traj.positions[:, 0] >= x0) & (traj.positions[:, 0] <= x1)
    inside &= (traj.positions[:, 1] >= y0) & (traj.positions[:, 1] <= y1)
    assert inside.all()  # the whole path is on the drawn terrain


def test_standardising_makes_the_bowl_round_and_keeps_the_best_line():
    st = standardized()
    assert condition_number(st.surface) == pytest.approx(1.0, abs=1e-9)
    assert st.curvature == pytest.approx(2.0)
    best_raw = np.array(get("mse").dataset.least_squares())
    np.testing.assert_allclose(st.to_raw(st.surface.minima[0].point), best_raw, atol=1e-9)
    p = np.array([[0.3, -2.0], [1.1, 7.5]])
    np.testing.assert_allclose(st.to_raw(st.to_standard(p)), p)
    # The same line has the same loss on both surfaces: only its parameters changed.
    np.testing.assert_allclose(st.surface(st.to_standard(p)), get("mse")(p))


def test_regression_ends_within_1e_4_of_least_squares():
    from scenes.regression import WeatherBowl as S

    st = standardized()
    start = st.to_standard(np.array(S.start))
    traj = run(st.surface, "gd", start=start, lr=S.lr, steps=S.steps, tol=0)
    w, b = st.to_raw(traj.final)
    ls_w, ls_b = get("mse").dataset.least_squares()
    assert abs(w - ls_w) < 1e-4 and abs(b - ls_b) < 1e-4
    # Both pairs print the same to the four decimals shown.
    assert f"{w:.4f} {b:.4f}" == f"{ls_w:.4f} {ls_b:.4f}"
    # The path stays on the drawn part of the bowl.
    m = np.array(st.surface.minima[0].point)
    assert (np.abs(traj.positions - m) <= S.half_width).all()


def test_too_large_learning_rate_diverges_and_is_flagged():
    from scenes.regression import WeatherBowl as S

    st = standardized()
    assert S.large_lr > 2 / st.curvature > S.lr
    start = st.to_standard(np.array(S.start))
    traj = run(
        st.surface, "gd", start=start, lr=S.large_lr, steps=S.large_steps, tol=0, bound=S.bound
    )
    assert traj.diverged and traj.stopped == "diverged"
    assert np.isfinite(traj.losses).all()
    assert traj.losses[-1] > 1e4 * traj.losses[0]  # "climbs toward infinity"
    # Each step overshoots further: the distance to the minimum grows every step.
    m = np.array(st.surface.minima[0].point)
    dist = np.linalg.norm(traj.positions[: int(traj.n_steps) + 1] - m, axis=1)
    assert (np.diff(dist) > 0).all()
