"""Optimizers: closed forms, first steps worked by hand from the torch.optim formulas
(/work/shared/REFERENCES.md), Goh's momentum rate, least squares, stochastic
gradients, vectorized runs, stopping, recorded state, bad input and schedules."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

import optim
import optim.cli
import surfaces
from datasets import Dataset
from optim import InvalidParameterError, OptimError, UnknownOptimizerError
from optim.schedules import constant, cosine, exponential, step_decay
from surfaces.analytic import quadratic
from surfaces.data import mse

DETERMINISTIC = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]

# The quadratic of the hand-worked examples: f = x^2/2 + 2 y^2, so g = (x, 4 y).
# From theta_0 = (1, 0.5) the first gradient is g_1 = (1, 2).
HAND = "x**2/2 + 2*y**2"
THETA0 = (1.0, 0.5)


def _all_finite(traj: optim.Trajectory) -> bool:
    arrays = [traj.positions, traj.losses, traj.grads, traj.used_grads, *traj.states.values()]
    return all(np.isfinite(a).all() for a in arrays)


def _two_steps(optimizer: str, **params) -> np.ndarray:
    traj = optim.run(HAND, optimizer, start=THETA0, steps=2, tol=0, **params)
    assert traj.positions.shape == (3, 2)
    np.testing.assert_array_equal(traj.positions[0], THETA0)
    return traj.positions


# --- gradient descent on (a/2) x^2 --------------------------------------------------------


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3, 0.5, 0.6, 0.66])
def test_gd_on_a_parabola_is_geometric(lr):
    # f = 1.5 x^2 is (a/2) x^2 with a = 3: x_t = (1 - lr a)^t x_0; y has no gradient.
    a, x0, y0, steps = 3.0, 2.5, -1.25, 60
    traj = optim.run("1.5*x**2", "gd", lr=lr, start=(x0, y0), steps=steps, tol=0)
    t = np.arange(steps + 1)
    np.testing.assert_allclose(
        traj.positions[:, 0], (1 - lr * a) ** t * x0, rtol=1e-12, atol=1e-300
    )
    np.testing.assert_array_equal(traj.positions[:, 1], y0)
    np.testing.assert_allclose(traj.losses, 1.5 * traj.positions[:, 0] ** 2, rtol=1e-14)
    np.testing.assert_allclose(traj.grads[:, 0], a * traj.positions[:, 0], rtol=1e-14)
    assert not traj.diverged
    assert traj.stopped == "steps"
    assert traj.n_steps == steps


@pytest.mark.parametrize(("a", "b"), [(3.0, 0.5), (1.0, 10.0)])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_gd_on_a_quadratic_bowl_per_axis(a, b, fraction):
    lr = fraction * 2 / max(a, b)
    traj = optim.run(quadratic(a, b), "gd", lr=lr, start=(1.0, -2.0), steps=40, tol=0)
    t = np.arange(41)
    expected = np.column_stack([(1 - lr * a) ** t, -2.0 * (1 - lr * b) ** t])
    np.testing.assert_allclose(traj.positions, expected, rtol=1e-11, atol=1e-300)
    assert not traj.diverged


@pytest.mark.parametrize("lr", [0.67, 0.7, 0.8, 1.0, 2.0, 10.0])
def test_gd_diverges_above_two_over_a(lr):
    a, x0, steps, bound = 3.0, 2.5, 5000, 1e6
    traj = optim.run("1.5*x**2", "gd", lr=lr, start=(x0, 0.0), steps=steps, tol=1e-6)
    assert traj.diverged is True
    assert traj.stopped == "diverged"
    assert _all_finite(traj)
    assert len(traj.positions) < steps + 1  # truncated
    # |x_t| = |1 - lr a|^t |x_0| first passes the bound at t*: t* - 1 good steps were kept.
    factor = abs(1 - lr * a)
    t_star = math.floor(math.log(bound / x0) / math.log(factor)) + 1
    assert traj.n_steps == t_star - 1
    path = traj.path()
    np.testing.assert_allclose(path[:, 0], (1 - lr * a) ** np.arange(len(path)) * x0, rtol=1e-10)
    assert np.abs(traj.positions).max() <= bound


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.6, 0.66])
def test_gd_does_not_diverge_below_two_over_a(lr):
    traj = optim.run("1.5*x**2", "gd", lr=lr, start=(2.5, 0.0), steps=5000, tol=1e-6)
    assert traj.diverged is False
    assert traj.stopped == "tol"
    assert abs(traj.final[0]) < 1e-6


# --- first steps by hand ----------------------------------------------------------------


def test_gd_first_steps_by_hand():
    # theta_1 = (1, .5) - .1 (1, 2) = (.9, .3); g_2 = (.9, 1.2); theta_2 = (.81, .18).
    p = _two_steps("gd", lr=0.1)
    np.testing.assert_allclose(p[1:], [[0.9, 0.3], [0.81, 0.18]], rtol=1e-14)


def test_momentum_first_steps_by_hand():
    # b_1 = g_1 = (1, 2): theta_1 = (.9, .3). g_2 = (.9, 1.2),
    # b_2 = .9 (1, 2) + (.9, 1.2) = (1.8, 3.0): theta_2 = (.9 - .18, .3 - .3) = (.72, 0).
    p = _two_steps("momentum", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(p[1:], [[0.9, 0.3], [0.72, 0.0]], rtol=1e-14, atol=1e-15)
    # The same through gd(momentum=...), torch's SGD.
    np.testing.assert_array_equal(_two_steps("gd", lr=0.1, momentum=0.9), p)


def test_momentum_with_dampening_first_steps_by_hand():
    # b_1 = g_1 (dampening does not touch the first step): theta_1 = (.9, .3).
    # b_2 = .9 (1, 2) + (1 - .5) (.9, 1.2) = (1.35, 2.4): theta_2 = (.765, .06).
    p = _two_steps("momentum", lr=0.1, momentum=0.9, dampening=0.5)
    np.testing.assert_allclose(p[1:], [[0.9, 0.3], [0.765, 0.06]], rtol=1e-14)


def test_nesterov_first_steps_by_hand():
    # b_1 = g_1 = (1, 2); d_1 = g_1 + .9 b_1 = (1.9, 3.8): theta_1 = (.81, .12).
    # g_2 = (.81, .48); b_2 = .9 (1, 2) + g_2 = (1.71, 2.28);
    # d_2 = g_2 + .9 b_2 = (2.349, 2.532): theta_2 = (.5751, -.1332).
    p = _two_steps("nesterov", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(p[1:], [[0.81, 0.12], [0.5751, -0.1332]], rtol=1e-13)
    np.testing.assert_array_equal(_two_steps("gd", lr=0.1, momentum=0.9, nesterov=True), p)


def test_adam_first_steps_by_hand():
    # eps = 0. m_1 = .1 g_1, v_1 = .001 g_1^2: m_hat = g_1, v_hat = g_1^2, a step of lr = .1
    # in each coordinate: theta_1 = (.9, .4). g_2 = (.9, 1.6);
    # m_2 = .9 (.1, .2) + .1 (.9, 1.6) = (.18, .34);
    # v_2 = .999 (.001, .004) + .001 (.81, 2.56) = (.001809, .006556);
    # m_hat = m_2 / (1 - .9^2) = m_2 / .19, v_hat = v_2 / (1 - .999^2) = v_2 / .001999.
    p = _two_steps("adam", lr=0.1, betas=(0.9, 0.999), eps=0.0)
    step2 = 0.1 * np.array([0.18, 0.34]) / 0.19 / np.sqrt(np.array([0.001809, 0.006556]) / 0.001999)
    np.testing.assert_allclose(p[1], [0.9, 0.4], rtol=1e-14)
    np.testing.assert_allclose(p[2], np.array([0.9, 0.4]) - step2, rtol=1e-12)


def test_adam_first_step_has_size_lr_in_every_coordinate():
    # Gradients of very different sizes; a zero gradient coordinate does not move.
    s = surfaces.get("1e-3*x + 50*y**2")
    starts = np.array([[0.0, 3.0], [1.0, -0.2], [-4.0, 1e-4], [2.0, 0.0]])
    for lr in (1e-3, 0.05, 0.7):
        traj = optim.run(s, "adam", lr=lr, start=starts, steps=1, tol=0)
        step = np.abs(traj.positions[1] - traj.positions[0])
        g = s.grad(starts)
        assert (g[:, 0] != 0).all()
        # lr |g| / (|g| + eps): lr up to eps / |g| (at most 1e-5 here) where g != 0.
        np.testing.assert_allclose(step, lr * np.abs(g) / (np.abs(g) + 1e-8), rtol=1e-12)
        np.testing.assert_allclose(step[:, 0], lr, rtol=1e-5)
        np.testing.assert_allclose(step[:3, 1], lr, rtol=1e-5)
        assert step[3, 1] == 0.0
        # ... against the gradient's sign.
        np.testing.assert_array_equal(
            np.sign(traj.positions[1] - traj.positions[0])[:3], -np.sign(g[:3])
        )


def test_rmsprop_first_steps_by_hand():
    # eps = 0. v_1 = .01 g_1^2: theta_1 = theta_0 - .01 g_1 / (.1 |g_1|) = (.9, .4).
    # g_2 = (.9, 1.6); v_2 = .99 (.01, .04) + .01 (.81, 2.56) = (.018, .0652).
    p = _two_steps("rmsprop", lr=0.01, alpha=0.99, eps=0.0)
    np.testing.assert_allclose(p[1], [0.9, 0.4], rtol=1e-14)
    expected = [0.9 - 0.01 * 0.9 / math.sqrt(0.018), 0.4 - 0.01 * 1.6 / math.sqrt(0.0652)]
    np.testing.assert_allclose(p[2], expected, rtol=1e-13)


def test_rmsprop_centered_and_momentum_by_hand():
    # centered: denominator sqrt(v_1 - gavg_1^2) = sqrt(.01 - .0001) |g_1|.
    p = _two_steps("rmsprop", lr=0.01, alpha=0.99, eps=0.0, centered=True)
    step = 0.01 / math.sqrt(0.0099)
    np.testing.assert_allclose(p[1], [1 - step, 0.5 - step], rtol=1e-14)
    # momentum .5: buf_1 = g_1 / sqrt(v_1) = (10, 10): theta_1 = (.9, .4);
    # buf_2 = .5 buf_1 + g_2 / sqrt(v_2).
    p = _two_steps("rmsprop", lr=0.01, alpha=0.99, eps=0.0, momentum=0.5)
    np.testing.assert_allclose(p[1], [0.9, 0.4], rtol=1e-14)
    buf2 = [5 + 0.9 / math.sqrt(0.018), 5 + 1.6 / math.sqrt(0.0652)]
    np.testing.assert_allclose(p[2], [0.9 - 0.01 * buf2[0], 0.4 - 0.01 * buf2[1]], rtol=1e-13)


def test_adagrad_first_steps_by_hand():
    # eps = 0, lr_decay = .5. s_1 = g_1^2 = (1, 4): theta_1 = theta_0 - .1 sign(g_1) = (.9, .4).
    # lr_2 = .1 / (1 + .5); g_2 = (.9, 1.6); s_2 = (1.81, 6.56).
    p = _two_steps("adagrad", lr=0.1, lr_decay=0.5, eps=0.0)
    np.testing.assert_allclose(p[1], [0.9, 0.4], rtol=1e-14)
    lr2 = 0.1 / 1.5
    expected = [0.9 - lr2 * 0.9 / math.sqrt(1.81), 0.4 - lr2 * 1.6 / math.sqrt(6.56)]
    np.testing.assert_allclose(p[2], expected, rtol=1e-13)
    # Without decay lr_2 = lr.
    p = _two_steps("adagrad", lr=0.1, eps=0.0)
    expected = [0.9 - 0.1 * 0.9 / math.sqrt(1.81), 0.4 - 0.1 * 1.6 / math.sqrt(6.56)]
    np.testing.assert_allclose(p[2], expected, rtol=1e-13)


def test_adagrad_initial_accumulator_by_hand():
    # s_1 = 1 + g_1^2 = (2, 5).
    p = _two_steps("adagrad", lr=0.1, eps=0.0, initial_accumulator_value=1.0)
    np.testing.assert_allclose(p[1], [1 - 0.1 / math.sqrt(2), 0.5 - 0.2 / math.sqrt(5)], rtol=1e-14)


def test_gd_weight_decay_by_hand():
    # g_1 + .5 theta_0 = (1.5, 2.25): theta_1 = (.85, .275).
    p = _two_steps("gd", lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(p[1], [0.85, 0.275], rtol=1e-14)


# On y^2 from (2, 0) the gradient is zero; weight decay .5 makes it (1, 0).
WEIGHT_DECAY_FIRST_STEP = {
    "gd": dict(params=dict(lr=0.1), x1=2 - 0.1),
    "sgd": dict(params=dict(lr=0.1, noise=0.0), x1=2 - 0.1),
    "momentum": dict(params=dict(lr=0.1, momentum=0.9), x1=2 - 0.1),
    "nesterov": dict(params=dict(lr=0.1, momentum=0.9), x1=2 - 0.1 * 1.9),
    # eps > 0 here: the y gradient stays 0, and 0 / (0 + 0) would be NaN (as in torch).
    "adagrad": dict(params=dict(lr=0.1, eps=1e-10), x1=2 - 0.1 / (1 + 1e-10)),
    "rmsprop": dict(params=dict(lr=0.01, eps=1e-8), x1=2 - 0.01 / (math.sqrt(0.01) + 1e-8)),
    "adam": dict(params=dict(lr=0.1, eps=1e-8), x1=2 - 0.1 / (1 + 1e-8)),
}


@pytest.mark.parametrize("name", list(WEIGHT_DECAY_FIRST_STEP))
def test_weight_decay_adds_lambda_theta(name):
    case = WEIGHT_DECAY_FIRST_STEP[name]
    traj = optim.run(
        "y**2", name, start=(2.0, 0.0), steps=1, tol=0, weight_decay=0.5, **case["params"]
    )
    np.testing.assert_allclose(traj.positions[1], [case["x1"], 0.0], rtol=1e-14)
    # used_grads is the loss gradient (zero); the decay term is added inside the update.
    np.testing.assert_array_equal(traj.used_grads[0], [0.0, 0.0])
    assert not traj.diverged
    assert traj.optimizer.params["weight_decay"] == 0.5


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adagrad", "adam"])
def test_no_weight_decay_no_move_at_zero_gradient(name):
    traj = optim.run("y**2", name, start=(2.0, 0.0), steps=3, tol=0, lr=0.1)
    np.testing.assert_array_equal(traj.positions, [[2.0, 0.0]] * 4)


# --- momentum: Goh's rate -----------------------------------------------------------------


@pytest.mark.parametrize("start", [(1.0, 1.0), (2.0, -0.5), (0.0, 1.0), (1.0, 0.0), (-3.0, 0.2)])
def test_momentum_rate_on_ill_conditioned_quadratic(start):
    mu, L = 1.0, 100.0
    kappa = L / mu
    rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    lr = (2 / (math.sqrt(L) + math.sqrt(mu))) ** 2
    beta = rate**2
    steps = 150
    traj = optim.run(
        quadratic(mu, L), "momentum", lr=lr, momentum=beta, start=start, steps=steps, tol=0
    )
    err = np.linalg.norm(traj.positions, axis=1)
    t = np.arange(steps + 1)
    envelope = err[0] * rate**t
    # Within a factor linear in t of rate^t (and not faster than rate^t).
    assert (err <= 2 * (1 + t) * envelope).all()
    assert (err[1:] >= 0.5 * envelope[1:]).all()
    # The observed per-step rate late in the run is rate, up to the (1 + t) factor.
    observed = (err[150] / err[100]) ** (1 / 50)
    assert rate <= observed <= rate * 1.02
    # Plain gd at its best step size 2 / (mu + L) only reaches (kappa - 1) / (kappa + 1).
    gd = optim.run(quadratic(mu, L), "gd", lr=2 / (mu + L), start=start, steps=steps, tol=0)
    assert np.linalg.norm(gd.final) > 1e6 * err[-1]


# --- convergence ------------------------------------------------------------------------

CONVERGENT = {
    "gd": dict(lr=0.05),
    "sgd": dict(lr=0.05, noise=0.0),
    "momentum": dict(lr=0.02),
    "nesterov": dict(lr=0.02),
    "adagrad": dict(lr=0.5),
    "adam": dict(lr=0.05),
}


@pytest.mark.parametrize("surface", ["bowl", "narrow_bowl"])
@pytest.mark.parametrize("name", list(CONVERGENT))
def test_every_optimizer_converges_on_a_bowl(surface, name):
    starts = [(-2.5, 2.0), (1.0, -1.0), (2.9, 0.1)]
    traj = optim.run(surface, name, start=starts, steps=5000, tol=1e-8, **CONVERGENT[name])
    assert list(traj.stopped) == ["tol"] * 3
    assert not traj.diverged.any()
    np.testing.assert_allclose(traj.final, 0.0, atol=1e-7)
    assert (traj.losses[-1] < 1e-14).all()


@pytest.mark.parametrize("surface", ["bowl", "narrow_bowl"])
def test_rmsprop_reaches_the_bowl_within_lr(surface):
    # With a constant lr RMSprop ends in a 2-cycle of amplitude lr / 2 on a quadratic
    # (x = +-lr/2 gives v = g^2, hence steps of exactly lr): it gets within lr, no closer.
    lr = 0.01
    starts = [(-2.5, 2.0), (1.0, -1.0), (2.9, 0.1)]
    traj = optim.run(surface, "rmsprop", lr=lr, start=starts, steps=5000, tol=1e-8)
    assert not traj.diverged.any()
    assert np.abs(traj.final).max() <= lr
    # ... while a decaying lr takes it all the way.
    decayed = optim.run(surface, "rmsprop", lr=exponential(lr, 0.998), start=starts, steps=5000)
    assert np.abs(decayed.final).max() < 1e-6


def _least_squares(data) -> tuple[np.ndarray, np.ndarray]:
    design = np.column_stack([data.x, np.ones_like(data.x)])
    solution, *_ = np.linalg.lstsq(design, data.y, rcond=None)
    hessian = 2 * design.T @ design / len(data.x)
    return solution, np.linalg.eigvalsh(hessian)


def test_gd_on_weather_mse_reaches_least_squares():
    s = surfaces.get("mse")
    solution, (lmin, lmax) = _least_squares(s.dataset)
    lr = 2 / (lmax + lmin)  # below 2 / lmax
    traj = optim.run(s, "gd", lr=lr, steps=40000, tol=1e-10)
    assert traj.stopped == "tol"
    # |theta - theta*| <= |grad| / lmin at a quadratic.
    np.testing.assert_allclose(traj.final, solution, rtol=0, atol=1e-10 / lmin * 1.01)
    np.testing.assert_allclose(traj.final, solution, rtol=1e-9)


def test_gd_on_weather_mse_diverges_above_two_over_lmax():
    s = surfaces.get("mse")
    _, (_, lmax) = _least_squares(s.dataset)
    assert optim.run(s, "gd", lr=2.05 / lmax, steps=5000).diverged
    assert not optim.run(s, "gd", lr=1.95 / lmax, steps=5000).diverged


# --- stochastic gradients ---------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 32, 1460])
def test_sgd_on_mse_is_reproducible(batch_size):
    kw = dict(lr=2e-4, batch_size=batch_size, steps=200, tol=0)
    a = optim.run("mse", "sgd", seed=7, **kw)
    b = optim.run("mse", "sgd", seed=7, **kw)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.used_grads, b.used_grads)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.losses[-10:].mean() < a.losses[0]
    if batch_size < 1460:
        c = optim.run("mse", "sgd", seed=8, **kw)
        assert not np.array_equal(a.positions, c.positions)
        # The sampled gradient is not the exact one.
        assert not np.allclose(a.used_grads, a.grads[:-1])


def test_sgd_full_batch_is_gd():
    s = surfaces.get("mse")
    kw = dict(lr=1e-3, steps=100, tol=0)
    full = optim.run(s, "sgd", batch_size=len(s.dataset), **kw)
    gd = optim.run(s, "gd", **kw)
    np.testing.assert_allclose(full.used_grads, full.grads[:-1], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(full.positions, gd.positions, rtol=1e-10, atol=1e-12)


def test_sgd_batch_of_one_uses_one_examples_gradient():
    s = surfaces.get("mse")
    data = s.dataset
    traj = optim.run(s, "sgd", lr=1e-4, batch_size=1, steps=30, tol=0, seed=3)
    for t in range(30):
        w, b = traj.positions[t]
        residual = w * data.x + b - data.y
        per_example = np.column_stack([2 * residual * data.x, 2 * residual])
        distance = np.abs(per_example - traj.used_grads[t]).max(axis=1)
        assert distance.min() <= 1e-12 * max(1.0, np.abs(traj.used_grads[t]).max())


def test_sgd_mini_batches_are_epochs_without_replacement():
    # A dataset where each example's gradient reveals which rows were drawn: with x = 0
    # the b-gradient of example i is 2 (b - y_i), and y_i = 2^i makes batch sums unique.
    n_data, batch, epochs = 20, 3, 3
    y = 2.0 ** np.arange(n_data)
    data = Dataset(np.zeros(n_data), y, "synthetic", "x", "y")
    s = mse(data)
    per_epoch = n_data // batch  # the incomplete last batch is dropped
    steps = per_epoch * epochs
    starts = np.array([[0.0, 0.0], [1.0, 5.0]])
    traj = optim.run(s, "sgd", lr=1e-9, batch_size=batch, steps=steps, tol=0, seed=11, start=starts)
    for k in range(len(starts)):
        drawn = []
        for t in range(steps):
            b = traj.positions[t, k, 1]
            g_b = traj.used_grads[t, k, 1]
            total = round(batch * (b - g_b / 2))  # sum of y_i over the batch
            rows = [i for i in range(n_data) if total >> i & 1]
            assert len(rows) == batch, (t, total)
            assert traj.used_grads[t, k, 0] == 0.0
            drawn.append(rows)
        for e in range(epochs):
            epoch = [i for rows in drawn[e * per_epoch : (e + 1) * per_epoch] for i in rows]
            assert len(set(epoch)) == len(epoch) == per_epoch * batch
        # Epochs are reshuffled.
        assert drawn[:per_epoch] != drawn[per_epoch : 2 * per_epoch]


def test_sgd_json_shows_the_sampling_it_used(capsys):
    # sgd's defaults are noise 1 on a surface and batches of 1 on data, where it adds no
    # noise: its params must show what was used, as its sampling does.
    assert optim.cli.main(["run", "--surface", "mse", "--optimizer", "sgd", "--batch-size",
                           "8", "--steps", "3"]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out["params"]["noise"] == out["sampling"]["noise"] == 0.0
    assert out["params"]["batch_size"] == out["sampling"]["batch_size"] == 8
    # No noise reaches the update: with x = 0 and y_i = 2^i, the w-gradient is exactly 0
    # and the b-gradient 2 (b - mean of the batch's y_i) names exactly 8 distinct rows.
    data = Dataset(np.zeros(20), 2.0 ** np.arange(20), "synthetic", "x", "y")
    traj = optim.run(mse(data), "sgd", lr=1e-9, batch_size=8, steps=5, tol=0, seed=2)
    assert traj.optimizer.params["noise"] == traj.sampling.noise == 0.0
    for t in range(5):
        assert traj.used_grads[t, 0] == 0.0
        total = 8 * (traj.positions[t, 1] - traj.used_grads[t, 1] / 2)
        assert abs(total - round(total)) < 1e-6  # noise of size 1 would be ~4 off
        assert bin(round(total)).count("1") == 8
    # A batch of every example is the full batch, and says so in both places.
    full = optim.run(mse(data), "sgd", batch_size=20, steps=2).to_dict()
    assert full["params"]["batch_size"] is None and "sampling" not in full
    # On a surface, sgd's default noise is applied and shown alike.
    bowl = optim.run("bowl", "sgd", steps=2).to_dict()
    assert bowl["params"]["noise"] == bowl["sampling"]["noise"] == 1.0


def test_sgd_noise_on_analytic_surface_is_seeded_gaussian():
    starts = np.random.default_rng(0).uniform(-2, 2, size=(100, 2))
    kw = dict(lr=0.05, noise=0.5, steps=100, tol=0, start=starts)
    a = optim.run("bowl", "sgd", seed=1, **kw)
    b = optim.run("bowl", "sgd", seed=1, **kw)
    c = optim.run("bowl", "sgd", seed=2, **kw)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.used_grads, b.used_grads)
    assert not np.array_equal(a.positions, c.positions)
    noise = (a.used_grads - a.grads[:-1]).reshape(-1, 2)
    assert noise.shape == (10000, 2)
    assert np.abs(noise.mean(axis=0)).max() < 0.02  # 4 standard errors
    np.testing.assert_allclose(noise.std(axis=0), 0.5, rtol=0.03)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.04
    # The exact gradients are still recorded in grads.
    np.testing.assert_allclose(a.grads, a.positions, rtol=1e-15)


@pytest.mark.parametrize(
    "params",
    [dict(lr=1e-3), dict(lr=5e-4, momentum=0.9), dict(lr=5e-4, momentum=0.8, nesterov=True)],
)
def test_sgd_without_noise_is_gd_exactly(params):
    kw = dict(start=[(-1.5, 2.0), (0.3, 0.4), (2.0, -1.0)], steps=100, tol=0, **params)
    sgd = optim.run("himmelblau", "sgd", noise=0.0, **kw)
    gd = optim.run("himmelblau", "gd", **kw)
    np.testing.assert_array_equal(sgd.positions, gd.positions)
    np.testing.assert_array_equal(sgd.used_grads, gd.used_grads)
    np.testing.assert_array_equal(sgd.states["velocity"], gd.states["velocity"])


# --- vectorized runs --------------------------------------------------------------------


@pytest.mark.parametrize("name", DETERMINISTIC)
@pytest.mark.parametrize("surface", ["himmelblau", "rastrigin", "plateau"])
def test_vectorized_run_equals_separate_runs(name, surface):
    starts = np.random.default_rng(4).uniform(-4, 4, size=(6, 2))
    kw = dict(lr=0.002, steps=40, tol=0)
    batch = optim.run(surface, name, start=starts, **kw)
    assert batch.positions.shape == (41, 6, 2)
    assert batch.losses.shape == (41, 6)
    assert batch.grads.shape == (41, 6, 2)
    assert batch.used_grads.shape == (40, 6, 2)
    assert batch.n_steps.shape == batch.diverged.shape == batch.stopped.shape == (6,)
    for i, start in enumerate(starts):
        one = optim.run(surface, name, start=start, **kw)
        assert one.positions.shape == (41, 2)
        assert one.losses.shape == (41,)
        np.testing.assert_array_equal(batch.positions[:, i], one.positions)
        np.testing.assert_array_equal(batch.losses[:, i], one.losses)
        np.testing.assert_array_equal(batch.grads[:, i], one.grads)
        for k, v in one.states.items():
            np.testing.assert_array_equal(batch.states[k][:, i], v)
        np.testing.assert_array_equal(batch.path(i), one.path())


def test_single_start_shapes_and_scalars():
    traj = optim.run("rosenbrock", "adam", lr=0.05, steps=500)
    assert traj.positions.shape == (501, 2)
    assert traj.losses.shape == (501,)
    assert traj.grads.shape == (501, 2)
    assert traj.used_grads.shape == (500, 2)
    assert isinstance(traj.n_steps, int)
    assert isinstance(traj.diverged, bool)
    assert traj.stopped == "steps"
    np.testing.assert_array_equal(traj.start, surfaces.get("rosenbrock").start)
    # Recorded values are the surface's at the recorded positions.
    s = surfaces.get("rosenbrock")
    np.testing.assert_array_equal(traj.losses, s(traj.positions))
    np.testing.assert_array_equal(traj.grads, s.grad(traj.positions))
    # A batch of one is still a batch.
    one = optim.run("rosenbrock", "adam", lr=0.05, steps=5, start=[[-1.5, 2.0]])
    assert one.positions.shape == (6, 1, 2)


# --- stopping ---------------------------------------------------------------------------


@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-9])
def test_tol_stops_where_the_gradient_norm_drops_below(tol):
    # On the bowl g = theta and gd gives |theta_t| = .9^t |theta_0|: the first t with
    # .9^t |theta_0| < tol is where it stops.
    start = np.array([-2.5, 2.0])
    traj = optim.run("bowl", "gd", lr=0.1, start=start, steps=10000, tol=tol)
    r0 = np.linalg.norm(start)
    t_star = math.ceil(math.log(tol / r0) / math.log(0.9))
    assert traj.stopped == "tol"
    assert traj.n_steps == t_star
    assert traj.positions.shape == (t_star + 1, 2)
    assert np.linalg.norm(traj.grads[-1]) < tol <= np.linalg.norm(traj.grads[-2])


def test_tol_zero_disables_stopping():
    traj = optim.run("bowl", "gd", lr=0.5, start=(0.0, 0.0), steps=25, tol=0)
    assert traj.stopped == "steps"
    assert traj.n_steps == 25
    np.testing.assert_array_equal(traj.positions, np.zeros((26, 2)))
    # With a tolerance, a start at the minimum stops before any step.
    traj = optim.run("bowl", "gd", lr=0.5, start=(0.0, 0.0), steps=25, tol=1e-12)
    assert traj.stopped == "tol"
    assert traj.n_steps == 0
    assert traj.positions.shape == (1, 2)


def test_per_point_stopping_in_a_batch():
    # f = (3 x^2 + y^2) / 2 with lr .7: x is multiplied by -1.1 per step (diverges unless
    # it starts at 0), y by .3 (converges).
    s = quadratic(3, 1)
    starts = np.array([[1.0, 1.0], [0.0, 1.0], [2.0, -1.0], [0.0, -2.0], [0.0, 0.0]])
    bound, tol = 1e6, 1e-6
    traj = optim.run(s, "gd", lr=0.7, start=starts, steps=1000, tol=tol, bound=bound)
    np.testing.assert_array_equal(traj.diverged, [True, False, True, False, False])
    assert list(traj.stopped) == ["diverged", "tol", "diverged", "tol", "tol"]
    assert _all_finite(traj)
    assert np.abs(traj.positions).max() <= bound
    for i, x0 in ((0, 1.0), (2, 2.0)):
        t_star = math.floor(math.log(bound / x0) / math.log(1.1)) + 1
        assert traj.n_steps[i] == t_star - 1
    for i, y0 in ((1, 1.0), (3, 2.0)):
        assert traj.n_steps[i] == math.ceil(math.log(tol / y0) / math.log(0.3))
        assert np.linalg.norm(s.grad(traj.final[i])) < tol
    assert traj.n_steps[4] == 0
    # A stopped point stays where it stopped.
    for i in range(len(starts)):
        k = traj.n_steps[i]
        np.testing.assert_array_equal(
            traj.positions[k:, i],
            np.broadcast_to(traj.positions[k, i], traj.positions[k:, i].shape),
        )
        assert len(traj.path(i)) == k + 1
    # The run lasts until the last active point stops (here: diverges at step 145).
    assert traj.n_steps.max() == 144
    assert len(traj.positions) == 146


def test_non_finite_gradient_counts_as_divergence():
    # |theta| has value 0 but gradient 0/0 at the origin; gd with lr 1 from (1, 0) lands
    # exactly there in one step.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # handled, not warned about
        traj = optim.run("sqrt(x**2 + y**2)", "gd", lr=1.0, start=(1.0, 0.0), steps=10)
    assert traj.diverged and traj.stopped == "diverged"
    assert traj.n_steps == 0
    assert _all_finite(traj)
    np.testing.assert_array_equal(traj.path(), [[1.0, 0.0]])


@pytest.mark.parametrize(
    ("expr", "start"),
    [("log(x)", (-1.0, 0.0)), ("sqrt(x)", (0.0, 1.0)), ("1/x + y", (0.0, 1.0))],
)
def test_start_where_the_surface_is_not_finite_is_refused(expr, start):
    with pytest.raises(InvalidParameterError):
        optim.run(expr, "gd", start=start)
    with pytest.raises(InvalidParameterError):
        optim.run(expr, "gd", start=[(1.0, 1.0), start])


def test_bound_is_a_divergence_threshold():
    traj = optim.run("bowl", "gd", lr=2.5, start=(1.0, 0.0), steps=100, bound=10.0)
    # x_t = (-1.5)^t: |x_6| = 11.4 > 10, so 5 steps are kept.
    assert traj.diverged and traj.n_steps == 5


# --- recorded state ---------------------------------------------------------------------


def test_momentum_velocity_is_recorded():
    traj = optim.run(HAND, "momentum", lr=0.1, momentum=0.9, start=THETA0, steps=5, tol=0)
    v = traj.states["velocity"]
    assert v.shape == traj.positions.shape
    np.testing.assert_array_equal(v[0], [0.0, 0.0])
    np.testing.assert_allclose(v[1], [1.0, 2.0], rtol=1e-15)  # b_1 = g_1
    np.testing.assert_allclose(v[2], [1.8, 3.0], rtol=1e-14)  # b_2 = .9 b_1 + g_2
    # theta_t = theta_{t-1} - lr b_t throughout.
    np.testing.assert_allclose(np.diff(traj.positions, axis=0), -0.1 * v[1:], rtol=1e-12)


def test_adam_moments_are_recorded():
    starts = np.array([[1.0, 0.5], [-2.0, 0.1], [0.3, -1.0]])
    traj = optim.run(HAND, "adam", lr=0.1, start=starts, steps=4, tol=0)
    assert set(traj.states) == {"m", "v"}
    for k in ("m", "v"):
        assert traj.states[k].shape == traj.positions.shape == (5, 3, 2)
        np.testing.assert_array_equal(traj.states[k][0], 0.0)
    g1 = traj.grads[0]
    np.testing.assert_allclose(traj.states["m"][1], 0.1 * g1, rtol=1e-14)
    np.testing.assert_allclose(traj.states["v"][1], 0.001 * g1**2, rtol=1e-14)
    g2 = traj.grads[1]
    np.testing.assert_allclose(traj.states["m"][2], 0.09 * g1 + 0.1 * g2, rtol=1e-13)
    np.testing.assert_allclose(
        traj.states["v"][2], 0.999 * 0.001 * g1**2 + 0.001 * g2**2, rtol=1e-13
    )


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("gd", {"velocity"}),
        ("adagrad", {"sum"}),
        ("rmsprop", {"v", "g_avg", "buf"}),
        ("adam", {"m", "v"}),
    ],
)
def test_state_names_and_record_state_off(name, keys):
    on = optim.run("himmelblau", name, lr=0.01, steps=10, tol=0)
    assert set(on.states) == keys
    for v in on.states.values():
        assert v.shape == on.positions.shape
    off = optim.run("himmelblau", name, lr=0.01, steps=10, tol=0, record_state=False)
    assert off.states == {}
    np.testing.assert_array_equal(on.positions, off.positions)


def test_adagrad_sum_is_recorded():
    traj = optim.run(
        HAND, "adagrad", lr=0.1, start=THETA0, steps=3, tol=0, initial_accumulator_value=0.5
    )
    s = traj.states["sum"]
    np.testing.assert_array_equal(s[0], [0.5, 0.5])
    np.testing.assert_allclose(s[1:], 0.5 + np.cumsum(traj.grads[:-1] ** 2, axis=0), rtol=1e-14)


# --- bad input --------------------------------------------------------------------------


def test_exception_hierarchy():
    for cls in (InvalidParameterError, UnknownOptimizerError):
        assert issubclass(cls, OptimError)
        assert issubclass(cls, ValueError)


@pytest.mark.parametrize(
    "params",
    [
        dict(lr=0),
        dict(lr=-0.1),
        dict(lr=float("nan")),
        dict(lr=float("inf")),
        dict(lr="0.1"),
        dict(lr=True),
        dict(lr=None),
    ],
)
@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_bad_learning_rates(name, params):
    with pytest.raises(InvalidParameterError):
        optim.run("bowl", name, **params)
    with pytest.raises(InvalidParameterError):
        optim.make(name, **params)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("adam", dict(betas=(1.0, 0.999))),
        ("adam", dict(betas=(0.9, 1.0))),
        ("adam", dict(betas=(-0.1, 0.999))),
        ("adam", dict(betas=(0.9, float("nan")))),
        ("adam", dict(betas=(0.9,))),
        ("adam", dict(betas=0.9)),
        ("adam", dict(eps=-1e-8)),
        ("rmsprop", dict(alpha=1.0)),
        ("rmsprop", dict(alpha=-0.5)),
        ("rmsprop", dict(momentum=-0.1)),
        ("gd", dict(momentum=-1.0)),
        ("sgd", dict(momentum=-0.5)),
        ("momentum", dict(momentum=-0.9)),
        ("momentum", dict(momentum=0.0)),
        ("nesterov", dict(momentum=0.0)),
        ("gd", dict(dampening=1.5)),
        ("gd", dict(nesterov=True, momentum=0.9, dampening=0.1)),
        ("gd", dict(nesterov=True)),  # needs momentum
        ("nesterov", dict(dampening=0.5)),
        ("gd", dict(weight_decay=-0.1)),
        ("adagrad", dict(lr_decay=-1.0)),
        ("adagrad", dict(initial_accumulator_value=-1.0)),
        ("sgd", dict(noise=-1.0)),
        ("sgd", dict(batch_size=0)),
        ("sgd", dict(batch_size=2.5)),
        ("sgd", dict(batch_size=True)),
        ("adam", dict(momentum=0.9)),  # not an Adam hyperparameter
        ("gd", dict(betas=(0.9, 0.99))),
        ("momentum", dict(nesterov=True)),
        ("adagrad", dict(alpha=0.9)),
        ("gd", dict(batch_size=4)),  # bowl has no examples to batch
        ("gd", dict(noise=-0.1)),
        ("adam", dict(noise=float("nan"))),
        ("lbfgs", dict(lr=0.1)),
        ("lbfgs", dict(maxcor=0)),
        ("nelder-mead", dict(noise=0.1)),
        ("rmsprop", dict(learning_rate=0.1)),
    ],
)
def test_bad_hyperparameters(name, params):
    with pytest.raises(InvalidParameterError):
        optim.run("bowl", name, **params)


@pytest.mark.parametrize(
    "start",
    [
        [1.0],
        [1.0, 2.0, 3.0],
        [],
        [[1.0, 2.0], [3.0]],
        [[1.0, 2.0, 3.0]],
        [[[1.0, 2.0]]],
        np.zeros((0, 2)),
        [1.0, float("nan")],
        [float("inf"), 0.0],
        [[0.0, 0.0], [1.0, float("nan")]],
        ["a", "b"],
        "12",
        [1.0, None],
        3.0,
    ],
)
def test_malformed_start(start):
    with pytest.raises(InvalidParameterError):
        optim.run("bowl", "gd", start=start)


@pytest.mark.parametrize("steps", [0, -1, 1.5, 2.0, "10", None, True])
def test_bad_steps(steps):
    with pytest.raises(InvalidParameterError):
        optim.run("bowl", "gd", steps=steps)


@pytest.mark.parametrize("tol", [-1e-6, float("nan"), float("inf")])
def test_bad_tol(tol):
    with pytest.raises(InvalidParameterError):
        optim.run("bowl", "gd", tol=tol)


@pytest.mark.parametrize("name", ["adamw", "SGD", "", "bfgs"])
def test_unknown_optimizer(name):
    with pytest.raises(UnknownOptimizerError) as info:
        optim.run("bowl", name)
    assert "adam" in str(info.value)  # lists the choices
    with pytest.raises(UnknownOptimizerError):
        optim.make(name)


def test_built_optimizer_takes_no_more_parameters():
    opt = optim.make("adam", lr=0.1)
    assert optim.make(opt) is opt
    with pytest.raises(InvalidParameterError):
        optim.run("bowl", opt, lr=0.2)


def test_steps_as_numpy_integer_is_fine():
    assert optim.run("bowl", "gd", steps=np.int64(3), tol=0).n_steps == 3


# --- defaults and schedules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "defaults"),
    [
        ("gd", dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)),
        ("momentum", dict(lr=1e-3, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0)),
        ("nesterov", dict(lr=1e-3, momentum=0.9, dampening=0.0, nesterov=True, weight_decay=0.0)),
        ("adam", dict(lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0)),
        (
            "rmsprop",
            dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
        ),
        (
            "adagrad",
            dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
        ),
    ],
)
def test_torch_defaults(name, defaults):
    assert optim.make(name).params == defaults


@pytest.mark.parametrize("t", [1, 2, 3, 10, 11, 25, 50, 51, 100, 101])
def test_schedules_match_torch_formulas(t):
    # torch counts epochs e = t - 1 from 0.
    e = t - 1
    assert constant(0.3)(t) == 0.3
    assert step_decay(0.3, step_size=10, gamma=0.5)(t) == pytest.approx(0.3 * 0.5 ** (e // 10))
    assert exponential(0.3, gamma=0.97)(t) == pytest.approx(0.3 * 0.97**e)
    assert cosine(0.3, t_max=50, eta_min=0.01)(t) == pytest.approx(
        0.01 + (0.3 - 0.01) * (1 + math.cos(math.pi * e / 50)) / 2
    )


def test_schedule_landmarks():
    assert step_decay(1.0, 3)(3) == 1.0
    assert step_decay(1.0, 3)(4) == pytest.approx(0.1)
    assert cosine(1.0, 10)(1) == 1.0
    assert cosine(1.0, 10)(6) == pytest.approx(0.5)
    assert cosine(1.0, 10, eta_min=0.2)(11) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "build",
    [
        lambda: constant(0),
        lambda: step_decay(0.1, 0),
        lambda: step_decay(0.1, 10, gamma=1.5),
        lambda: exponential(-0.1, 0.9),
        lambda: exponential(0.1, -0.9),
        lambda: cosine(0.1, 0),
        lambda: cosine(0.1, 10, eta_min=-1.0),
        lambda: cosine(float("nan"), 10),
    ],
)
def test_bad_schedules(build):
    with pytest.raises(InvalidParameterError):
        build()


def test_gd_with_exponential_schedule_closed_form():
    # x_t = x_0 prod_{k=1}^{t} (1 - a lr_k) with lr_k = .2 * .9^(k - 1), a = 3.
    traj = optim.run("1.5*x**2", "gd", lr=exponential(0.2, 0.9), start=(2.0, 1.0), steps=30, tol=0)
    lrs = 0.2 * 0.9 ** np.arange(30)
    expected = 2.0 * np.concatenate([[1.0], np.cumprod(1 - 3 * lrs)])
    np.testing.assert_allclose(traj.positions[:, 0], expected, rtol=1e-12)
    assert traj.optimizer.params["lr"] == "schedule"


def test_adam_with_schedule_uses_lr_t():
    # The first step has size lr_1 = .1; later ones use lr_t = 1e-3 and stay that small
    # (|m_hat| / sqrt(v_hat) <= 1 / sqrt(1 - beta2) roughly; here well under 2).
    seen = []

    def schedule(t):
        seen.append(t)
        return 0.1 if t == 1 else 1e-3

    traj = optim.run("bowl", "adam", lr=schedule, start=(1.0, -1.0), steps=5, tol=0)
    np.testing.assert_allclose(traj.positions[1], [0.9, -0.9], rtol=1e-7)
    assert seen == [1, 2, 3, 4, 5]
    assert np.abs(np.diff(traj.positions[1:], axis=0)).max() < 2e-3
