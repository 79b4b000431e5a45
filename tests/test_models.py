"""The NumPy network: backprop against central finite differences, training to a known
accuracy, vanishing and exploding gradients, and ``python -m models``."""

from __future__ import annotations

import json

import numpy as np
import pytest

import optim
from datasets import circles, moons, seattle_weather
from models import MLP, ModelError
from models.cli import main

ACTIVATIONS = ["tanh", "sigmoid", "relu"]


def _finite_differences(f, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.empty_like(p)
    for i in range(len(p)):
        e = np.zeros_like(p)
        e[i] = h
        out[i] = (f(p + e) - f(p - e)) / (2 * h)
    return out


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b)))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_classification_gradient_equals_finite_differences(activation):
    data = moons(40, seed=1)
    net = MLP((2, 5, 4, 2), activation, "cross_entropy", data.X, data.y, init="he", seed=3)
    # Away from the start so that biases are non-zero and every path matters.
    p = net.start + 0.1 * np.random.default_rng(0).standard_normal(net.dim)
    assert _relative_error(net.grad(p), _finite_differences(net, p)) < 1e-6


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_regression_gradient_equals_finite_differences(activation):
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
    net = MLP((3, 6, 1), activation, "mse", X, y, seed=5)
    p = net.start + 0.1 * rng.standard_normal(net.dim)
    assert _relative_error(net.grad(p), _finite_differences(net, p)) < 1e-6


def test_linear_network_mse_is_least_squares():
    # No hidden layer: the network is y = w x + b, and its MSE is the weather surface's.
    data = seattle_weather()
    net = MLP((1, 1), "tanh", "mse", data.X, data.y)
    w, b = data.least_squares()
    p = np.array([w, b])
    np.testing.assert_allclose(net(p), np.mean((w * data.x + b - data.y) ** 2), rtol=1e-12)
    np.testing.assert_allclose(net.grad(p), 0.0, atol=1e-9)


def test_mini_batch_gradient_is_the_mean_over_its_examples():
    data = moons(50, seed=4)
    net = MLP((2, 4, 2), "tanh", "cross_entropy", data.X, data.y)
    idx = np.array([[3, 7, 11], [0, 1, 2]])
    p = np.stack([net.start, net.start + 0.5])
    got = net.batch_grad(p, idx)
    for k in range(2):
        sub = MLP((2, 4, 2), "tanh", "cross_entropy", data.X[idx[k]], data.y[idx[k]])
        np.testing.assert_allclose(got[k], sub.grad(p[k]), rtol=1e-12, atol=1e-15)


def test_many_parameter_vectors_at_once():
    data = circles(60, seed=0)
    net = MLP((2, 8, 2), "relu", "cross_entropy", data.X, data.y, init="he")
    ps = net.start + 0.3 * np.random.default_rng(1).standard_normal((5, net.dim))
    values, grads = net.value_and_grad(ps)
    assert values.shape == (5,) and grads.shape == (5, net.dim)
    for k in range(5):
        np.testing.assert_allclose(values[k], net(ps[k]), rtol=1e-13)
        np.testing.assert_allclose(grads[k], net.grad(ps[k]), rtol=1e-12, atol=1e-15)


def test_flat_layout_is_w_row_major_then_b():
    net = MLP((2, 3, 1), "tanh", "mse", np.zeros((4, 2)), np.zeros(4))
    p = np.arange(net.dim, dtype=float)
    (W1, b1), (W2, b2) = net.unflatten(p)
    np.testing.assert_array_equal(W1, [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(b1, [6, 7, 8])
    np.testing.assert_array_equal(W2, [[9], [10], [11]])
    np.testing.assert_array_equal(b2, [12])
    np.testing.assert_array_equal(net.flatten([W1, W2], [b1, b2]), p)


def test_forward_shows_each_layer():
    data = moons(20, seed=0)
    net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y)
    fwd = net.forward(net.start)
    assert [a.shape for a in fwd.post] == [(20, 16), (20, 16), (20, 2)]
    np.testing.assert_array_equal(fwd.post[0], np.tanh(fwd.pre[0]))
    np.testing.assert_array_equal(fwd.post[-1], fwd.pre[-1])  # linear output


def test_tanh_network_trained_with_adam_separates_two_moons():
    data = moons(200, seed=0)
    net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y, seed=0)
    traj = optim.run(net, "adam", lr=0.01, steps=1000, batch_size=32, tol=0, record_every=None)
    assert net.accuracy(traj.final) >= 0.95
    assert traj.losses[-1] < 0.1 * traj.losses[0]
    assert traj.positions.shape == (2, net.dim)  # start and end only


def test_initialisations():
    X, y = np.zeros((3, 400)), np.zeros(3)
    he = MLP((400, 300, 1), "relu", "mse", X, y, init="he", seed=0).unflatten(
        MLP((400, 300, 1), "relu", "mse", X, y, init="he", seed=0).start
    )
    assert abs(he[0][0].std() - np.sqrt(2 / 400)) < 0.01 * np.sqrt(2 / 400) * 10
    net = MLP((400, 300, 1), "relu", "mse", X, y, init="xavier", seed=0)
    W = net.unflatten(net.start)[0][0]
    bound = np.sqrt(6 / 700)
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound
    np.testing.assert_allclose(W.std(), bound / np.sqrt(3), rtol=0.01)
    poor = MLP((400, 300, 1), "relu", "mse", X, y, init="normal:0.01", seed=0)
    np.testing.assert_allclose(poor.unflatten(poor.start)[0][0].std(), 0.01, rtol=0.01)
    np.testing.assert_array_equal(net.unflatten(net.start)[0][1], 0.0)


def _deep(activation: str, init: str, depth: int = 10, width: int = 32) -> np.ndarray:
    data = moons(200, seed=0)
    net = MLP((2, *[width] * depth, 2), activation, "cross_entropy", data.X, data.y, init=init)
    return net.layer_grad_norms(net.start)


def test_deep_sigmoid_with_a_poor_init_has_vanishing_gradients():
    norms = _deep("sigmoid", "normal:0.1")
    assert norms[0] < 1e-4 * norms[-1]
    assert (np.diff(np.log(norms)) > 0).all()  # shrinking at every layer back


def test_deep_tanh_with_a_large_init_has_exploding_gradients():
    # ReLU with large weights scales activations up as fast as gradients, so every
    # layer's dW is huge alike; tanh keeps activations bounded and lets the
    # backward gain (weights x derivative > 1) compound layer by layer.
    norms = _deep("tanh", "normal:2", width=16)
    assert norms[0] > 100 * norms[-1]
    assert (np.diff(np.log(norms)) < 0).all()  # growing at every layer back


def test_deep_relu_with_he_init_keeps_gradients_in_scale():
    norms = _deep("relu", "he")
    assert norms.max() < 30 * norms.min()


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(layers=(2,)),
        dict(layers=(2, 0, 2)),
        dict(layers=(2, 2.5, 2)),
        dict(activation="softplus"),
        dict(loss="hinge"),
        dict(init="glorot"),
        dict(init="normal:0"),
        dict(init="normal:abc"),
        dict(layers=(3, 4, 2)),
        dict(layers=(2, 4, 1)),  # a class index 1 needs two outputs
    ],
)
def test_bad_networks_raise_model_error(kwargs):
    data = moons(10, seed=0)
    args = dict(layers=(2, 4, 2), activation="tanh", loss="cross_entropy", X=data.X, y=data.y)
    with pytest.raises(ModelError):
        MLP(**{**args, **kwargs})


def test_newton_refuses_a_network():
    data = moons(10, seed=0)
    net = MLP((2, 3, 2), "tanh", "cross_entropy", data.X, data.y)
    with pytest.raises(optim.InvalidParameterError, match="Hessian"):
        optim.run(net, "newton", steps=2)


# --- python -m models -------------------------------------------------------------------


def _cli(capsys, *argv: str) -> tuple[int, dict | None, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def test_cli_grad(capsys):
    code, out, _ = _cli(capsys, "grad", "--layers", "2,16,16,2", "--activation", "tanh",
                        "--init", "xavier", "--dataset", "moons", "--samples", "200", "--seed", "0")  # fmt: skip
    assert code == 0
    assert set(out) == {"layers", "activation", "init", "loss", "X", "y", "params", "value",
                        "grad", "layer_grad_norms"}  # fmt: skip
    data = moons(200, seed=0)
    net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y, seed=0)
    np.testing.assert_array_equal(out["X"], data.X)
    np.testing.assert_array_equal(out["params"], net.start)
    p = np.array(out["params"])
    assert out["value"] == pytest.approx(float(net(p)), rel=1e-14)
    np.testing.assert_allclose(out["grad"], _finite_differences(net, p), rtol=1e-5, atol=1e-9)
    dW = [np.linalg.norm(w) for w in net.backward(p).dW]
    np.testing.assert_allclose(out["layer_grad_norms"], dW, rtol=1e-14)
    assert out["loss"] == "cross_entropy"


def test_cli_train(capsys):
    code, out, _ = _cli(capsys, "train", "--layers", "2,16,16,2", "--optimizer", "adam",
                        "--lr", "0.01", "--steps", "400", "--batch-size", "32", "--seed", "0")  # fmt: skip
    assert code == 0
    assert len(out["losses"]) == 401
    assert out["accuracy"] >= 0.95
    assert out["losses"][-1] == pytest.approx(out["value"], rel=1e-12)
    assert out["hyperparameters"]["lr"] == 0.01


def test_cli_train_regression_on_weather(capsys):
    code, out, _ = _cli(capsys, "train", "--layers", "1,1", "--dataset", "weather",
                        "--optimizer", "adam", "--lr", "0.5", "--steps", "2000", "--tol", "0")  # fmt: skip
    assert code == 0
    assert "accuracy" not in out
    w, b = seattle_weather().least_squares()
    np.testing.assert_allclose(out["params"], [w, b], rtol=0.05)


@pytest.mark.parametrize(
    "argv",
    [
        ["grad", "--layers", "2,x"],
        ["grad", "--layers", "3,4,2"],
        ["grad", "--layers", "2,4,3"],
        ["grad", "--layers", "2,4,2", "--activation", "softplus"],
        ["grad", "--layers", "2,4,2", "--init", "normal:-1"],
        ["grad", "--layers", "2,4,2", "--seed", "-1"],
        ["grad", "--layers", "2,4,2", "--samples", "1"],
        ["grad", "--layers", "2,4,2", "--dataset", "mnist"],
        ["grad", "--layers", "2,4,2", "--data-noise", "nan"],
        ["train", "--layers", "2,4,2", "--optimizer", "newton"],
        ["train", "--layers", "2,4,2", "--optimizer", "adam", "--lr", "-1"],
        ["train", "--layers", "2,4,2", "--optimizer", "adam", "--batch-size", "0"],
        ["train", "--layers", "2,4,2"],
        ["fit"],
        [],
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(capsys, argv):
    code, _, err = _cli(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("python -m models: error: ")
