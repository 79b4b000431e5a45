"""``python -m optim`` as a user runs it: a subprocess from the project root.

Every invocation the tests need is started once, concurrently, by a module fixture
(each costs an interpreter start-up); the tests then look at the results.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import optim
import surfaces

ROOT = Path(__file__).resolve().parents[1]


def _run_args(surface: str, optimizer: str, *extra: str) -> tuple[str, ...]:
    return ("run", "--surface", surface, "--optimizer", optimizer, *extra)


# name -> (CLI arguments, the same run as keyword arguments of optim.run; None: no comparison)
RUNS: dict[str, tuple[tuple[str, ...], dict | None]] = {
    "rosenbrock-adam": (
        _run_args("rosenbrock", "adam", "--lr", "0.05", "--steps", "50"),
        dict(surface="rosenbrock", optimizer="adam", lr=0.05, steps=50),
    ),
    "custom": (
        _run_args("x**2 + 3*sin(y)", "gd", "--lr", "0.1", "--start", "1", "2", "--steps", "30"),
        dict(surface="x**2 + 3*sin(y)", optimizer="gd", lr=0.1, start=(1.0, 2.0), steps=30),
    ),
    "parabola": (
        _run_args(
            "1.5*x^2", "gd", "--lr", "0.1", "--start", "2", "1", "--steps", "20", "--tol", "0"
        ),
        dict(surface="1.5*x^2", optimizer="gd", lr=0.1, start=(2.0, 1.0), steps=20, tol=0.0),
    ),
    "mse": (
        _run_args("mse", "gd", "--lr", "1e-4", "--steps", "20"),
        dict(surface="mse", optimizer="gd", lr=1e-4, steps=20),
    ),
    "mse-sgd": (
        _run_args(
            "mse", "sgd", "--lr", "1e-4", "--batch-size", "4", "--seed", "3", "--steps", "15"
        ),
        dict(surface="mse", optimizer="sgd", lr=1e-4, batch_size=4, seed=3, steps=15),
    ),
    "sgd-noise": (
        _run_args("bowl", "sgd", "--lr", "0.1", "--noise", "0.3", "--seed", "5", "--steps", "15"),
        dict(surface="bowl", optimizer="sgd", lr=0.1, noise=0.3, seed=5, steps=15),
    ),
    "mse-adam-minibatch": (
        _run_args(
            "mse", "adam", "--lr", "0.1", "--batch-size", "32", "--seed", "2", "--steps", "40"
        ),
        dict(surface="mse", optimizer="adam", lr=0.1, batch_size=32, seed=2, steps=40),
    ),
    "newton": (
        _run_args("rosenbrock", "newton", "--steps", "20"),
        dict(surface="rosenbrock", optimizer="newton", steps=20),
    ),
    "lbfgs": (
        _run_args("rosenbrock", "lbfgs", "--maxcor", "5", "--steps", "200"),
        dict(surface="rosenbrock", optimizer="lbfgs", maxcor=5, steps=200),
    ),
    "nelder-mead": (
        _run_args("himmelblau", "nelder-mead", "--steps", "300"),
        dict(surface="himmelblau", optimizer="nelder-mead", steps=300),
    ),
    "momentum-flags": (
        _run_args(
            "himmelblau",
            "momentum",
            *("--lr", "0.002", "--momentum", "0.8", "--dampening", "0.1"),
            *("--weight-decay", "0.01", "--steps", "25"),
        ),
        dict(
            surface="himmelblau",
            optimizer="momentum",
            lr=0.002,
            momentum=0.8,
            dampening=0.1,
            weight_decay=0.01,
            steps=25,
        ),
    ),
    "gd-nesterov": (
        _run_args("bowl", "gd", "--lr", "0.1", "--momentum", "0.5", "--nesterov", "--steps", "10"),
        dict(surface="bowl", optimizer="gd", lr=0.1, momentum=0.5, nesterov=True, steps=10),
    ),
    "adam-flags": (
        _run_args("bowl", "adam", "--lr", "0.1", "--betas", "0.8", "0.99", "--eps", "1e-6"),
        dict(surface="bowl", optimizer="adam", lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    ),
    "adagrad-flags": (
        _run_args("bowl", "adagrad", "--lr-decay", "0.1", "--initial-accumulator-value", "0.2"),
        dict(surface="bowl", optimizer="adagrad", lr_decay=0.1, initial_accumulator_value=0.2),
    ),
    "rmsprop-flags": (
        _run_args("bowl", "rmsprop", "--alpha", "0.9", "--steps", "12"),
        dict(surface="bowl", optimizer="rmsprop", alpha=0.9, steps=12),
    ),
    "tol-stop": (
        _run_args("bowl", "gd", "--lr", "0.5", "--tol", "1e-3"),
        dict(surface="bowl", optimizer="gd", lr=0.5, tol=1e-3),
    ),
    "diverging": (
        _run_args("bowl", "gd", "--lr", "5"),
        dict(surface="bowl", optimizer="gd", lr=5.0),
    ),
    # The gradient of |theta| is 0/0 at the origin, where gd with lr 1 lands from (1, 0).
    "nan-gradient": (
        _run_args("sqrt(x**2 + y**2)", "gd", "--lr", "1", "--start", "1", "0"),
        None,
    ),
    # Values may start with a minus: a negative start, an expression with a leading minus.
    "negative values": (
        _run_args("-x**2/4 + y**2", "gd", "--start", "-1e-3", "2", "--steps", "5"),
        dict(surface="-x**2/4 + y**2", optimizer="gd", start=(-1e-3, 2.0), steps=5),
    ),
}
# Defaults through the CLI (momentum and nesterov share gd's path; all are checked
# in-process in test_optimizers.py).
DEFAULTS_VIA_CLI = ["gd", "sgd", "adagrad", "rmsprop", "adam"]
for _name in DEFAULTS_VIA_CLI:
    RUNS[f"defaults-{_name}"] = (
        _run_args("bowl", _name, "--steps", "5"),
        dict(surface="bowl", optimizer=_name, steps=5),
    )

CSV_RUNS = ["rosenbrock-adam", "mse", "diverging"]

BAD: dict[str, tuple[str, ...]] = {
    "unknown surface": _run_args("nosuch", "gd"),
    "unknown optimizer": _run_args("bowl", "adamw"),
    "lr 0": _run_args("bowl", "gd", "--lr", "0"),
    "lr -1": _run_args("bowl", "gd", "--lr", "-1"),
    "lr nan": _run_args("bowl", "gd", "--lr", "nan"),
    "lr inf": _run_args("bowl", "gd", "--lr", "inf"),
    "betas 1 0.9": _run_args("bowl", "adam", "--betas", "1", "0.9"),
    "momentum -1": _run_args("bowl", "momentum", "--momentum", "-1"),
    "adam momentum": _run_args("bowl", "adam", "--momentum", "0.9"),
    "nesterov without momentum": _run_args("bowl", "gd", "--nesterov"),
    "start one value": _run_args("bowl", "gd", "--start", "1"),
    "start nan": _run_args("bowl", "gd", "--start", "1", "nan"),
    "start letters": _run_args("bowl", "gd", "--start", "a", "b"),
    "steps 0": _run_args("bowl", "gd", "--steps", "0"),
    "tol -1": _run_args("bowl", "gd", "--tol", "-1"),
    "batch size 0": _run_args("mse", "sgd", "--batch-size", "0"),
    "unsafe import": _run_args("__import__('os')", "gd"),
    "unsafe system": _run_args("__import__('os').system('echo hacked')", "gd"),
    "syntax error": _run_args("x +", "gd"),
    "huge constant": _run_args("(((9**99)**99)**99)**99", "gd"),
    "complex constant": _run_args("x*log(-1)", "gd"),
    "not finite at start": _run_args("log(x)", "gd", "--start", "-1", "1"),
    "no surface": ("run", "--optimizer", "gd"),
    "no command": (),
    # Hostile or unlucky input that once hung, leaked tracebacks or was silently misread.
    "exp of a huge log": _run_args("exp(2**99*log(3))", "gd"),
    "exp of another huge log": _run_args("exp(9**99*log(9))", "gd"),
    "exp beyond float": _run_args("exp(99999*log(9))+x", "gd"),
    "exp beyond float times x": _run_args("exp(5000*log(2))*x", "gd"),
    "499-digit integer": _run_args("9" * 495 + "*x", "gd"),
    "power tower": _run_args("**".join(["x"] * 166), "gd"),
    "sqrt with two arguments": _run_args("sqrt(x, y)", "gd"),
    "log with a base": _run_args("log(x, 0)", "gd"),
    "full-width x": _run_args("\uff58**2", "gd"),
    "long unknown name": _run_args("a" * 400, "gd"),
    "seed -1": _run_args("bowl", "gd", "--seed", "-1"),
    "steps too many": _run_args("bowl", "gd", "--steps", "10000000000"),
    "lbfgs with lr": _run_args("bowl", "lbfgs", "--lr", "0.1"),
}


def _cli(args: tuple[str, ...]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "optim", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def results() -> dict[object, subprocess.CompletedProcess]:
    calls: dict[object, tuple[str, ...]] = {"list": ("list",)}
    calls.update({("json", k): args for k, (args, _) in RUNS.items()})
    calls.update({("csv", k): (*RUNS[k][0], "--format", "csv") for k in CSV_RUNS})
    calls.update({("bad", k): args for k, args in BAD.items()})
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {key: pool.submit(_cli, args) for key, args in calls.items()}
        return {key: f.result() for key, f in futures.items()}


def _reject_constant(name: str):
    raise AssertionError(f"non-standard JSON constant {name}")


def _json(results, key: str) -> dict:
    proc = results[("json", key)]
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.endswith("\n") and proc.stdout.count("\n") == 1
    return json.loads(proc.stdout, parse_constant=_reject_constant)


# --- list -------------------------------------------------------------------------------


def test_list_names_every_surface_and_optimizer(results):
    proc = results["list"]
    assert proc.returncode == 0
    assert proc.stderr == ""
    words = {line.split()[0] for line in proc.stdout.splitlines() if line.startswith("  ")}
    assert set(surfaces.names()) <= words
    assert set(optim.OPTIMIZERS) <= words
    assert "surfaces:" in proc.stdout and "optimizers:" in proc.stdout


# --- run, JSON --------------------------------------------------------------------------


@pytest.mark.parametrize("key", [k for k, (_, same) in RUNS.items() if same is not None])
def test_json_run_agrees_with_optim_run(results, key):
    out = _json(results, key)
    keys = {
        "surface",
        "optimizer",
        "params",
        "start",
        "xs",
        "losses",
        "grads",
        "diverged",
        "stopped",
    }
    assert keys <= set(out)
    kwargs = dict(RUNS[key][1])
    surface, optimizer = kwargs.pop("surface"), kwargs.pop("optimizer")
    kwargs.setdefault("tol", 1e-6)  # the CLI's defaults
    kwargs.setdefault("seed", 0)
    kwargs.setdefault("steps", 100)
    traj = optim.run(surface, optimizer, **kwargs)
    path = traj.path()
    assert out["optimizer"] == optimizer
    assert out["surface"] == surfaces.get(surface).name
    assert out["params"] == traj.optimizer.params
    assert out["start"] == out["xs"][0] == traj.start.tolist()
    assert out["xs"] == path.tolist()
    assert out["losses"] == traj.losses[: len(path)].tolist()
    assert out["grads"] == traj.grads[: len(path)].tolist()
    assert len(out["xs"]) == len(out["losses"]) == len(out["grads"]) == traj.n_steps + 1
    assert out["diverged"] is traj.diverged
    assert out["evaluations"] == {"value": traj.n_fev, "gradient": traj.n_gev}
    assert out.get("sampling") == (None if traj.sampling.exact else traj.sampling.to_dict())
    assert out["stopped"] == traj.stopped
    assert ("dataset" in out) == (surface == "mse")


@pytest.mark.parametrize(
    ("name", "defaults"),
    [
        ("gd", dict(lr=1e-3, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0)),
        (
            "sgd",
            dict(
                lr=1e-3,
                momentum=0.0,
                dampening=0.0,
                nesterov=False,
                weight_decay=0.0,
                noise=1.0,
                batch_size=1,
            ),
        ),
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
def test_json_params_carry_every_default(results, name, defaults):
    # torch.optim's documented defaults, written out here.
    assert _json(results, f"defaults-{name}")["params"] == defaults


def test_json_flags_reach_the_optimizer(results):
    assert _json(results, "adam-flags")["params"]["betas"] == [0.8, 0.99]
    assert _json(results, "adam-flags")["params"]["eps"] == 1e-6
    p = _json(results, "momentum-flags")["params"]
    assert (p["momentum"], p["dampening"], p["weight_decay"]) == (0.8, 0.1, 0.01)
    assert _json(results, "gd-nesterov")["params"]["nesterov"] is True
    p = _json(results, "adagrad-flags")["params"]
    assert (p["lr_decay"], p["initial_accumulator_value"]) == (0.1, 0.2)
    assert _json(results, "rmsprop-flags")["params"]["alpha"] == 0.9
    assert _json(results, "mse-sgd")["params"]["batch_size"] == 4
    assert _json(results, "sgd-noise")["params"]["noise"] == 0.3


def test_json_parabola_follows_the_closed_form(results):
    # f = 1.5 x^2, lr .1: x_t = (1 - .3)^t x_0, y untouched.
    out = _json(results, "parabola")
    xs = np.array(out["xs"])
    assert xs.shape == (21, 2)
    np.testing.assert_allclose(xs[:, 0], 2.0 * 0.7 ** np.arange(21), rtol=1e-12)
    np.testing.assert_array_equal(xs[:, 1], 1.0)
    assert out["surface"] == "1.5*x^2"
    assert out["stopped"] == "steps" and out["diverged"] is False


def test_json_custom_expression(results):
    out = _json(results, "custom")
    assert out["surface"] == "x**2 + 3*sin(y)"
    xs, grads = np.array(out["xs"]), np.array(out["grads"])
    np.testing.assert_allclose(grads, np.column_stack([2 * xs[:, 0], 3 * np.cos(xs[:, 1])]))
    np.testing.assert_allclose(out["losses"], xs[:, 0] ** 2 + 3 * np.sin(xs[:, 1]))


def test_json_mse_carries_the_dataset(results):
    out = _json(results, "mse")
    data = surfaces.get("mse").dataset
    assert set(out["dataset"]) >= {"x", "y", "source"}
    assert out["dataset"]["x"] == data.x.tolist()
    assert out["dataset"]["y"] == data.y.tolist()
    assert len(out["dataset"]["x"]) == 1460
    assert "NOAA" in out["dataset"]["source"]
    w, b = out["start"]
    x, y = np.array(out["dataset"]["x"]), np.array(out["dataset"]["y"])
    assert out["losses"][0] == pytest.approx(np.mean((w * x + b - y) ** 2), rel=1e-12)


def test_json_tol_stop(results):
    out = _json(results, "tol-stop")
    # gd on the bowl with lr .5 halves the gradient each step.
    assert out["stopped"] == "tol"
    assert np.linalg.norm(out["grads"][-1]) < 1e-3 <= np.linalg.norm(out["grads"][-2])


def test_diverging_run_exits_zero_with_clean_json(results):
    proc = results[("json", "diverging")]
    assert proc.returncode == 0
    assert "NaN" not in proc.stdout and "Infinity" not in proc.stdout
    out = _json(results, "diverging")
    assert out["diverged"] is True
    assert out["stopped"] == "diverged"
    assert np.isfinite(np.array(out["xs"])).all()
    assert np.isfinite(np.array(out["losses"])).all()
    assert np.isfinite(np.array(out["grads"])).all()
    # On the bowl gd with lr 5 multiplies by -4 each step.
    xs = np.array(out["xs"])
    np.testing.assert_allclose(xs, np.array(out["start"]) * (-4.0) ** np.arange(len(xs))[:, None])


def test_non_finite_gradient_is_a_divergence_not_a_crash(results):
    proc = results[("json", "nan-gradient")]
    assert "NaN" not in proc.stdout
    out = _json(results, "nan-gradient")
    assert out["diverged"] is True and out["stopped"] == "diverged"
    assert out["xs"] == [[1.0, 0.0]]


# --- run, CSV ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", CSV_RUNS)
def test_csv_agrees_with_json(results, key):
    proc = results[("csv", key)]
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["step", "x", "y", "loss", "grad_x", "grad_y"]
    out = _json(results, key)
    body = rows[1:]
    assert len(body) == len(out["xs"])
    for i, row in enumerate(body):
        assert int(row[0]) == i
        x, y, loss, gx, gy = (float(v) for v in row[1:])
        assert [x, y] == out["xs"][i]
        assert loss == out["losses"][i]
        assert [gx, gy] == out["grads"][i]


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(BAD))
def test_bad_input_is_one_line_and_exit_code_2(results, key):
    proc = results[("bad", key)]
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.endswith("\n")
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("python -m optim: error:")
    assert "hacked" not in proc.stderr
    assert len(proc.stderr) < 400  # names are shortened, never echoed whole


def test_a_full_device_is_one_line_and_exit_1():
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "optim", *_run_args("bowl", "gd", "--steps", "3")],
            cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
        )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "No space left" in proc.stderr
