"""Any objective in optim.run: the protocol, mini-batches and noise for every optimizer,
sparse recording, Newton's method, and scipy's L-BFGS and Nelder-Mead."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

import optim
import surfaces
from datasets import circles, moons
from models import MLP
from optim import DataObjective, InvalidParameterError, Objective
from optim.sampling import GradientSampler, Sampling

EVERY_RULE = ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


class OneHot:
    """A data objective whose example i has gradient e_i: a batch's gradient names it."""

    name = "one-hot"

    def __init__(self, n: int) -> None:
        self.dim = self.n_examples = n
        self.start = np.zeros(n)

    def __call__(self, p):
        return np.zeros(np.shape(p)[:-1])

    def grad(self, p):
        return np.full(np.shape(p), 1.0 / self.n_examples)

    def batch_grad(self, p, idx):
        return np.eye(self.n_examples)[idx].mean(axis=1)


def test_every_kind_of_objective_satisfies_the_protocol():
    data = moons(20, seed=0)
    net = MLP((2, 3, 2), "tanh", "cross_entropy", data.X, data.y)
    for obj in (surfaces.get("rosenbrock"), surfaces.get("x**2 + y"), net, OneHot(4)):
        assert isinstance(obj, Objective)
    assert isinstance(surfaces.get("mse"), DataObjective)
    assert isinstance(net, DataObjective)
    assert not isinstance(surfaces.get("rosenbrock"), DataObjective)


def test_a_plain_object_is_not_an_objective():
    with pytest.raises(InvalidParameterError, match="objective"):
        optim.run(object(), "gd")


# --- mini-batches -----------------------------------------------------------------------


@pytest.mark.parametrize("name", EVERY_RULE)
def test_a_batch_of_every_example_is_the_full_batch(name):
    data = circles(64, seed=2)
    net = MLP((2, 5, 2), "tanh", "cross_entropy", data.X, data.y)
    kw = dict(lr=0.01, steps=30, tol=0, noise=0.0)
    # sgd samples one example by default; on the full batch its update is gd's.
    full = optim.run(net, "gd" if name == "sgd" else name, **kw)
    whole = optim.run(net, name, batch_size=64, **kw)
    np.testing.assert_array_equal(whole.positions, full.positions)
    assert whole.sampling.exact


@pytest.mark.parametrize("batch_size", [64, 65, 1000])
def test_a_batch_larger_than_the_data_is_the_full_batch(batch_size):
    # Documented at run: batch_size >= n_examples means the full batch, never an error.
    data = circles(64, seed=2)
    net = MLP((2, 5, 2), "tanh", "cross_entropy", data.X, data.y)
    kw = dict(lr=0.05, steps=20, tol=0, seed=3)
    whole = optim.run(net, "adam", batch_size=batch_size, **kw)
    assert whole.sampling.batch_size is None
    # The reference: Adam on the exact gradient, from grad itself, written out.
    p, m, v = net.start.copy(), np.zeros(net.dim), np.zeros(net.dim)
    for t in range(1, 21):
        g = net.grad(p)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        p = p - 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        np.testing.assert_allclose(whole.positions[t], p, rtol=1e-12, atol=1e-14)


def _weather_and_a_network():
    data = moons(200, seed=3)
    net = MLP((2, 8, 8, 2), "tanh", "cross_entropy", data.X, data.y, seed=1)
    return [surfaces.get("mse"), net]


@pytest.mark.parametrize("index", [0, 1], ids=["weather-mse", "mlp"])
def test_a_full_size_batch_through_the_mini_batch_path_is_the_gradient(index):
    # run() turns batch_size >= n into the full batch before sampling, so no run sends a
    # batch of every example through batch_grad; this test takes that path itself.
    obj = _weather_and_a_network()[index]
    n, rng = obj.n_examples, np.random.default_rng(4)
    p = obj.start + rng.normal(size=(3, obj.dim))
    full = obj.grad(p)
    perm = np.stack([rng.permutation(n) for _ in range(3)])
    np.testing.assert_allclose(obj.batch_grad(p, perm), full, rtol=1e-12, atol=1e-12)
    # The sampler's own draw: each point's batch is a permutation of every example, and
    # the gradient it hands the update (never the exact one given, NaN here) is grad's.
    sampler = GradientSampler(obj, Sampling(batch_size=n), 3, rng)
    idx = sampler.next_batch(3)
    np.testing.assert_array_equal(np.sort(idx, axis=1), np.tile(np.arange(n), (3, 1)))
    assert not np.array_equal(idx[0], np.arange(n))
    used = sampler(p, np.full_like(p, np.nan))
    np.testing.assert_allclose(used, full, rtol=1e-12, atol=1e-12)
    if index == 0:
        # The weather line in closed form: grad = (2/n) A^T (A theta - y), A = [x, 1].
        design = np.column_stack([obj.dataset.x, np.ones(n)])
        closed = 2 / n * (design.T @ (design @ p.T - obj.dataset.y[:, None])).T
        np.testing.assert_allclose(used, closed, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [*EVERY_RULE, "newton"])  # the weather MSE has a Hessian
def test_mini_batches_are_seeded(name):
    s = surfaces.get("mse")
    kw = dict(lr=1e-3, batch_size=16, steps=60, tol=0, start=[[0.0, 0.0], [1.0, 5.0]])
    a, b = optim.run(s, name, seed=5, **kw), optim.run(s, name, seed=5, **kw)
    c = optim.run(s, name, seed=6, **kw)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.used_grads, b.used_grads)
    assert not np.array_equal(a.positions, c.positions)
    # The two start points draw their own batches.
    assert not np.array_equal(a.used_grads[:, 0], a.used_grads[:, 1])


@pytest.mark.parametrize("name", ["gd", "adam", "momentum"])
@pytest.mark.parametrize("batch", [1, 2, 3])
def test_each_epoch_uses_every_example_once(name, batch):
    obj = OneHot(6)
    traj = optim.run(obj, name, lr=1e-3, batch_size=batch, steps=12, tol=0, start=np.zeros((3, 6)))
    counts = (traj.used_grads * batch).round().astype(int)  # (steps, points, examples)
    per_epoch = 6 // batch
    for epoch in range(12 // per_epoch):
        used = counts[epoch * per_epoch : (epoch + 1) * per_epoch].sum(axis=0)
        np.testing.assert_array_equal(used, np.ones((3, 6)))


def test_an_epoch_that_cannot_fill_a_batch_is_dropped():
    # 5 examples in batches of 2: two batches per epoch, the fifth example waits.
    traj = optim.run(OneHot(5), "gd", lr=1e-3, batch_size=2, steps=8, tol=0)
    counts = (traj.used_grads * 2).round().astype(int)
    for epoch in range(4):
        assert counts[2 * epoch : 2 * epoch + 2].sum() == 4
        assert counts[2 * epoch : 2 * epoch + 2].max() == 1


def test_mini_batch_adam_trains_the_weather_line():
    s = surfaces.get("mse")
    w, b = s.minima[0].point
    traj = optim.run(s, "adam", lr=0.1, batch_size=32, steps=3000, tol=0, seed=1)
    assert traj.sampling.batch_size == 32
    assert abs(traj.final[0] - w) < 0.05 and abs(traj.final[1] - b) < 1.0
    assert not np.allclose(traj.used_grads, traj.grads[:-1])


def test_noise_for_any_optimizer_is_gaussian():
    starts = np.zeros((2000, 2))
    traj = optim.run("x + y", "adam", noise=0.5, steps=3, tol=0, start=starts, seed=2)
    noise = (traj.used_grads - traj.grads[:-1]).reshape(-1, 2)
    np.testing.assert_allclose(noise.std(axis=0), 0.5, rtol=0.05)
    assert traj.sampling.noise == 0.5


def test_batch_size_on_an_objective_without_examples_is_refused():
    with pytest.raises(InvalidParameterError, match="examples"):
        optim.run("rosenbrock", "adam", batch_size=8)


# --- recording --------------------------------------------------------------------------


def test_record_every_k_steps_keeps_the_same_run():
    full = optim.run("rosenbrock", "adam", lr=0.05, steps=503, tol=0)
    sparse = optim.run("rosenbrock", "adam", lr=0.05, steps=503, tol=0, record_every=100)
    np.testing.assert_array_equal(sparse.recorded_steps, [0, 100, 200, 300, 400, 500, 503])
    np.testing.assert_array_equal(sparse.positions, full.positions[sparse.recorded_steps])
    np.testing.assert_array_equal(sparse.grads, full.grads[sparse.recorded_steps])
    np.testing.assert_array_equal(sparse.states["m"], full.states["m"][sparse.recorded_steps])
    np.testing.assert_array_equal(sparse.used_grads, full.used_grads[sparse.recorded_steps[:-1]])
    np.testing.assert_array_equal(sparse.losses, full.losses)
    only_ends = optim.run("rosenbrock", "adam", lr=0.05, steps=503, tol=0, record_every=None)
    np.testing.assert_array_equal(only_ends.positions, full.positions[[0, -1]])


def test_sparse_path_of_points_that_stop_early():
    starts = np.array([[0.5, 0.5], [3.0, 3.0]])
    full = optim.run("x**2 + y**2", "gd", lr=0.4, steps=50, tol=1e-3, start=starts)
    sparse = optim.run(
        "x**2 + y**2", "gd", lr=0.4, steps=50, tol=1e-3, start=starts, record_every=3
    )
    for i in range(2):
        np.testing.assert_array_equal(sparse.path(i)[-1], full.path(i)[-1])
        np.testing.assert_array_equal(sparse.path(i)[0], starts[i])


def test_a_network_with_hundreds_of_parameters_records_little():
    data = moons(100, seed=0)
    net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y)
    traj = optim.run(net, "adam", lr=0.01, steps=200, record_every=50, record_state=False)
    assert traj.positions.shape == (5, net.dim)
    assert traj.losses.shape == (201,)


def test_a_record_that_cannot_fit_is_refused_with_its_size():
    with pytest.raises(InvalidParameterError, match="GiB"):
        optim.run("rosenbrock", "gd", steps=10**10)


# --- Newton -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_newton_reaches_a_positive_definite_quadratic_minimum_in_one_step(seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(2, 2))
    a = m @ m.T + 0.1 * np.eye(2)  # positive definite
    c = rng.normal(size=2)
    expr = f"{a[0, 0] / 2}*x**2 + {a[0, 1]}*x*y + {a[1, 1] / 2}*y**2 + {c[0]}*x + {c[1]}*y"
    traj = optim.run(expr, "newton", start=rng.normal(size=2) * 3, steps=5, tol=1e-9)
    np.testing.assert_allclose(traj.positions[1], np.linalg.solve(a, -c), rtol=1e-9, atol=1e-9)
    assert traj.n_steps == 1 and traj.stopped == "tol"


class Quadratic:
    """f(p) = p^T A p / 2 + b^T p in any dimension, with its Hessian A: the objective
    protocol (name, dim, value, grad) plus the ``hess`` that newton asks for."""

    name = "n-d quadratic"

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a, self.b, self.dim = a, b, len(b)

    def __call__(self, p):
        return 0.5 * np.einsum("...i,ij,...j->...", p, self.a, p) + p @ self.b

    def grad(self, p):
        return p @ self.a + self.b  # A is symmetric

    def hess(self, p):
        return np.broadcast_to(self.a, (*np.shape(p)[:-1], self.dim, self.dim))


@pytest.mark.parametrize("seed", range(5))
def test_newton_reaches_an_n_dimensional_quadratic_minimum_in_one_step(seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(6, 6))
    a = m @ m.T + 0.5 * np.eye(6)  # positive definite
    b = rng.normal(size=6)
    obj = Quadratic(a, b)
    assert isinstance(obj, Objective)
    starts = rng.normal(size=(4, 6)) * 3
    traj = optim.run(obj, "newton", start=starts, steps=5, tol=1e-9)
    minimum = -np.linalg.inv(a) @ b  # the closed form -A^{-1} b
    np.testing.assert_allclose(traj.positions[1], np.tile(minimum, (4, 1)), rtol=1e-9, atol=1e-9)
    assert (traj.n_steps == 1).all() and (traj.stopped == "tol").all()


def test_damped_newton_takes_a_fraction_of_the_step():
    traj = optim.run("x**2 + 3*y**2", "newton", lr=0.25, start=(4.0, -2.0), steps=3, tol=0)
    np.testing.assert_allclose(
        traj.positions[1:], [[3.0, -1.5], [2.25, -1.125], [1.6875, -0.84375]]
    )


def test_newton_walks_to_a_saddle():
    # Newton seeks zero gradient, not low loss: the saddle's centre in one step.
    traj = optim.run("saddle", "newton", start=(0.5, 0.3), steps=3, tol=1e-9)
    np.testing.assert_allclose(traj.positions[1], [0.0, 0.0], atol=1e-12)


# --- scipy methods ----------------------------------------------------------------------


def _scipy_iterates(method: str, start, jac: bool, steps: int, tol: float):
    s = surfaces.get("rosenbrock")
    seen = [np.array(start, dtype=float)]
    result = minimize(
        lambda p: float(s(p)),
        np.array(start, dtype=float),
        jac=(lambda p: s.grad(p)) if jac else None,
        method=method,
        tol=tol,
        callback=lambda xk: seen.append(np.array(xk)),
        options={"maxiter": steps, **({"maxcor": 10} if jac else {})},
    )
    return np.array(seen), result


@pytest.mark.parametrize(("name", "scipy_name", "jac"), [("lbfgs", "L-BFGS-B", True),
                                                          ("nelder-mead", "Nelder-Mead", False)])  # fmt: skip
def test_scipy_methods_record_scipys_own_iterates(name, scipy_name, jac):
    start = (-1.5, 2.0)
    traj = optim.run("rosenbrock", name, start=start, steps=1000, tol=1e-10)
    iterates, result = _scipy_iterates(scipy_name, start, jac, 1000, 1e-10)
    np.testing.assert_array_equal(traj.positions, iterates)
    assert traj.n_steps == len(iterates) - 1
    # Nelder-Mead counts its converging iteration without calling back.
    assert result.nit - traj.n_steps in ((0,) if jac else (0, 1))
    assert traj.n_fev == result.nfev
    assert traj.n_gev == (result.njev if jac else 0)
    np.testing.assert_allclose(traj.final, [1.0, 1.0], atol=1e-4)
    assert traj.stopped == "tol"
    np.testing.assert_array_equal(traj.losses, surfaces.get("rosenbrock")(traj.positions))


def test_scipy_methods_batch_and_step_budget():
    starts = np.array([[-1.5, 2.0], [1.5, -0.5], [0.0, 0.0]])
    traj = optim.run("rosenbrock", "lbfgs", start=starts, steps=5, tol=1e-12)
    assert traj.positions.shape[1:] == (3, 2)
    assert list(traj.stopped) == ["steps"] * 3
    for i, s in enumerate(starts):
        one = optim.run("rosenbrock", "lbfgs", start=s, steps=5, tol=1e-12)
        np.testing.assert_array_equal(traj.path(i), one.positions)


def test_lbfgs_needs_far_fewer_steps_than_gd_on_rosenbrock():
    gd = optim.run("rosenbrock", "gd", lr=1e-3, steps=20000, tol=1e-4)
    lbfgs = optim.run("rosenbrock", "lbfgs", steps=20000, tol=1e-4)
    assert lbfgs.n_steps * 50 < gd.n_steps


# --- datasets ---------------------------------------------------------------------------


@pytest.mark.parametrize("make", [moons, circles])
def test_toy_datasets_are_seeded_and_balanced(make):
    a, b, c = make(101, seed=3), make(101, seed=3), make(101, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert a.X.shape == (101, 2) and a.y.shape == (101,)
    assert sorted(np.bincount(a.y)) == [50, 51]
    clean = make(200, noise=0.0, seed=0)
    radius = np.linalg.norm(clean.X, axis=1)
    if make is circles:
        np.testing.assert_allclose(radius[clean.y == 0], 1.0)
        np.testing.assert_allclose(radius[clean.y == 1], 0.5)
    else:
        np.testing.assert_allclose(radius[clean.y == 0], 1.0)
        np.testing.assert_allclose(np.linalg.norm(clean.X[clean.y == 1] - [1, 0.5], axis=1), 1.0)


# --- every bad argument is a typed error ------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(bound=-1.0),
        dict(bound=0.0),
        dict(bound=float("nan")),
        dict(bound="big"),
        dict(tol=float("nan")),
        dict(tol=-1e-3),
        dict(tol="0"),
        dict(seed=-1),
        dict(seed=1.5),
        dict(seed="7"),
        dict(steps=10**12),
        dict(steps=2.0),
        dict(record_every=0),
        dict(batch_size=2.5),
        dict(noise=-1.0),
        dict(start=[[1e400, 0.0]]),
    ],
)
def test_bad_run_arguments_raise_the_projects_typed_error(kwargs):
    with pytest.raises(optim.OptimError):
        optim.run("mse", "adam", **kwargs)
