"""Section 5's claims, asserted on the runs its scenes draw (optim.presets)."""

from __future__ import annotations

import numpy as np
import pytest

import surfaces
from optim import presets


@pytest.fixture(scope="module")
def escape():
    return presets.escape()


def test_plain_descent_stays_in_the_shallow_valley(escape):
    assert not escape.gd_deep
    np.testing.assert_allclose(escape.gd.final, escape.shallower, atol=1e-5)
    s = surfaces.get(presets.Escape.surface)
    assert s(escape.deeper) < s(escape.shallower)


def test_a_computed_share_of_noisy_runs_reaches_the_deeper_valley(escape):
    # Neither none nor all: chance, stated as a count rather than one lucky seed.
    assert 20 <= escape.escaped <= 90
    assert escape.noisy.positions.shape[1] == presets.Escape.runs
    assert not escape.noisy.diverged.any()
    # All noisy runs start where plain descent starts.
    np.testing.assert_array_equal(escape.noisy.start, np.tile(presets.Escape.start, (100, 1)))
    # The count is reproducible from the seed.
    assert presets.escape().escaped == escape.escaped


def _sign_flips(y: np.ndarray) -> int:
    return int((np.sign(y[1:]) != np.sign(y[:-1])).sum())


def test_the_heavy_ball_rolls_over_the_bump_that_stops_gd():
    gd, ball = presets.heavy_ball()
    s = surfaces.get(presets.HeavyBall.surface)
    minima = sorted(s.minima, key=lambda m: m.value)
    np.testing.assert_allclose(gd.final, minima[1].point, atol=1e-3)  # the dip before the bump
    np.testing.assert_allclose(ball.final, minima[0].point, atol=1e-3)  # the valley's bottom
    assert gd.stopped == ball.stopped == "tol"
    # Momentum's velocity is what the formula says: v_t = beta v_{t-1} + grad f(x_t).
    v = ball.states["velocity"]
    np.testing.assert_allclose(v[2], 0.9 * v[1] + ball.grads[1], rtol=1e-12)


def test_gd_zigzags_across_the_valley_and_momentum_does_not():
    gd, ball = presets.heavy_ball()
    n = min(gd.n_steps, 20)
    assert _sign_flips(gd.positions[: n + 1, 1]) == n  # across the floor at every step
    assert _sign_flips(ball.positions[: n + 1, 1]) <= 3
    # The velocity builds along the valley: its x part grows for the first steps.
    vx = np.abs(ball.states["velocity"][:6, 0])
    assert (np.diff(vx) > 0).all()


def test_adam_moments_and_per_coordinate_steps():
    traj = presets.adam_demo()
    beta1, beta2 = presets.AdamDemo.betas
    m_hat = presets.bias_corrected(traj.states["m"], beta1)
    v_hat = presets.bias_corrected(traj.states["v"], beta2)
    # Bias correction: the first corrected mean is the first gradient itself,
    # while the raw average is a tenth of it.
    np.testing.assert_allclose(m_hat[1], traj.grads[0], rtol=1e-12)
    np.testing.assert_allclose(traj.states["m"][1], 0.1 * traj.grads[0], rtol=1e-12)
    # "Both are too small at first": so is the raw squared average (a thousandth of the
    # first squared gradient), and the correction scales both up at every step.
    np.testing.assert_allclose(v_hat[1], traj.grads[0] ** 2, rtol=1e-12)
    np.testing.assert_allclose(traj.states["v"][1], 1e-3 * traj.grads[0] ** 2, rtol=1e-12)
    for raw, corrected in ((traj.states["m"], m_hat), (traj.states["v"], v_hat)):
        assert (np.abs(corrected[1:]) >= np.abs(raw[1:])).all()
    # The step is lr * m_hat / (sqrt(v_hat) + eps), per coordinate.
    step = np.diff(traj.positions, axis=0)
    expected = -presets.AdamDemo.lr * m_hat[1:] / (np.sqrt(v_hat[1:]) + 1e-8)
    np.testing.assert_allclose(step, expected, rtol=1e-9, atol=1e-15)
    # The first step has size lr in both coordinates although y's gradient is 16x x's.
    g0 = np.abs(traj.grads[0])
    assert g0[1] / g0[0] == pytest.approx(16.0)
    np.testing.assert_allclose(np.abs(step[0]), presets.AdamDemo.lr, rtol=1e-6)


@pytest.fixture(scope="module")
def race():
    return presets.race()


def test_the_race_is_tuned_the_same_way_for_every_runner(race):
    grid = np.array(presets.Race.grid)
    for r in race:
        assert r.tuning.shape == grid.shape
        assert r.lr == grid[int(np.argmin(r.tuning))]
        assert r.trajectory.losses[-1] == pytest.approx(r.tuning.min())


def test_the_race_order(race):
    assert [r.name for r in race] == ["adam", "momentum", "sgd"]
    adam, momentum, sgd = race
    assert adam.finished_at < momentum.finished_at
    assert sgd.finished_at is None
    assert sgd.trajectory.losses.min() > presets.Race.finish
    for r in (adam, momentum):
        assert r.trajectory.losses[r.finished_at] < presets.Race.finish
        assert (r.trajectory.losses[: r.finished_at] >= presets.Race.finish).all()


def test_swarm_walked_in_pieces_draws_the_same_trails_as_one_walk():
    # SGDEscape walks its cloud in pieces (Swarm.advance), freezing what is walked into
    # a history and drawing the rest merged; after stop() every run's trail must be the
    # one a single walk draws, through the same vertex budget, markers on the last step.
    from manim import VMobject

    from scenes.common.paths import Swarm

    paths = np.random.default_rng(0).normal(size=(41, 5, 3)).cumsum(axis=0)
    swarm = Swarm(paths, max_vertices=15)
    swarm.merged = True
    for target in (7.5, 19.0, 33.25, 40.0):
        swarm.bake()
        swarm.step.set_value(target)
        swarm.place()
    pieces = [piece.points for piece in swarm.history]
    assert len(pieces) == 3 and swarm.live.has_points() and swarm.cloud.has_points()
    swarm.stop()
    assert len(swarm.history) == 0 and not swarm.live.has_points()
    kept = swarm.vertices[swarm.vertices <= 39]
    for j, (dot, trail) in enumerate(zip(swarm.dots, swarm.trails, strict=True)):
        expected = VMobject().set_points_as_corners(np.vstack([paths[kept, j], paths[-1, j]]))
        np.testing.assert_allclose(trail.points, expected.points)
        np.testing.assert_allclose(dot.get_center(), paths[-1, j], atol=1e-12)


def test_heavy_ball_arrows_are_capped_and_stay_on_the_surface():
    from scenes.common.paths import capped_vector

    _gd, ball = presets.heavy_ball()
    s = surfaces.get(presets.HeavyBall.surface)
    cap, margin = 0.9, 0.12
    bounds = [(lo + margin, hi - margin) for lo, hi in s.domain]
    for here, v in zip(ball.positions, -0.35 * ball.states["velocity"], strict=True):
        w = capped_vector(here, v, cap, bounds)
        assert np.linalg.norm(w) <= min(cap, np.linalg.norm(v)) + 1e-9
        if np.linalg.norm(w) > 1e-9:  # the direction is kept
            assert np.dot(w, v) / (np.linalg.norm(w) * np.linalg.norm(v)) > 1 - 1e-9
        for c in range(2):
            lo, hi = bounds[c]
            assert min(lo, here[c]) - 1e-9 <= here[c] + w[c] <= max(hi, here[c]) + 1e-9
