"""``python -m models``: a small network's loss and gradients, or a training run, as JSON.

Bad input gets one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

import datasets
from datasets import DatasetError
from models.errors import ModelError
from models.mlp import MLP
from optim import OptimError, run
from optim.cli import (
    Parser,
    UsageError,
    add_optimizer_flags,
    number,
    optimizer_params,
    values_may_start_with_minus,
    write_stdout,
)

#: Datasets the CLI knows, and the loss each is trained with.
DATASETS = {"moons": "cross_entropy", "circles": "cross_entropy", "weather": "mse"}


def _layers(text: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"layers must be comma-separated integers, got {text[:40]!r}"
        ) from None
    return widths


def _network_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", type=_layers, required=True, help="widths, e.g. 2,16,16,2")
    p.add_argument("--activation", default="tanh", help="tanh|sigmoid|relu")
    p.add_argument("--init", default="xavier", help="xavier|he|normal:SCALE")
    p.add_argument("--dataset", choices=tuple(DATASETS), default="moons")
    p.add_argument("--samples", type=int, default=200, help="points (moons, circles)")
    p.add_argument("--data-noise", type=number, default=0.1, help="noise (moons, circles)")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m models", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    g = sub.add_parser("grad", help="loss and gradient at the seeded initial parameters")
    _network_flags(g)
    g.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("train", help="train with an optimizer; report the final parameters")
    _network_flags(t)
    add_optimizer_flags(t)
    return parser


def network(args: argparse.Namespace) -> MLP:
    """The network the flags describe, on its dataset (the seed fixes both)."""
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
    if args.dataset == "weather":
        data = datasets.seattle_weather()
        X, y = data.X, data.y
    else:
        data = datasets.load(args.dataset, args.samples, args.seed, args.data_noise)
        X, y = data.X, data.y
    n_out = 1 if DATASETS[args.dataset] == "mse" else int(y.max()) + 1
    if len(args.layers) < 2 or args.layers[0] != X.shape[1] or args.layers[-1] != n_out:
        raise UsageError(
            f"--layers must start with {X.shape[1]} (inputs) and end with {n_out} "
            f"({'one prediction' if n_out == 1 else 'classes'}) for {args.dataset}"
        )
    return MLP(args.layers, args.activation, DATASETS[args.dataset], X, y, args.init, args.seed)


def describe(net: MLP, params: np.ndarray) -> dict[str, Any]:
    """The JSON keys both commands print, at ``params``."""
    value, grad = net.value_and_grad(params)
    return {
        "layers": list(net.layers),
        "activation": net.activation,
        "init": net.init,
        "loss": net.loss,
        "X": net.X.tolist(),
        "y": net.y.tolist(),
        "params": params.tolist(),
        "value": float(value),
        "grad": grad.tolist(),
        "layer_grad_norms": net.layer_grad_norms(params).tolist(),
    }


def _train(args: argparse.Namespace) -> dict[str, Any]:
    net = network(args)
    traj = run(
        net,
        args.optimizer,
        steps=args.steps,
        tol=args.tol,
        seed=args.seed,
        record_every=None,
        record_state=False,
        **optimizer_params(args),
    )
    out = describe(net, traj.final)
    out.update(
        optimizer=traj.optimizer.name,
        hyperparameters=dict(traj.optimizer.params),
        steps=int(traj.n_steps),
        stopped=str(traj.stopped),
        diverged=bool(traj.diverged),
        losses=traj.losses[: int(traj.n_steps) + 1].tolist(),
    )
    if net.loss_fn.classification:
        out["accuracy"] = float(net.accuracy(traj.final))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    try:
        args = build_parser().parse_args(
            values_may_start_with_minus(sys.argv[1:] if argv is None else argv)
        )
        result = describe(n := network(args), n.start) if args.command == "grad" else _train(args)
        out = json.dumps(result, allow_nan=False) + "\n"
    except (UsageError, OptimError, ModelError, DatasetError) as exc:
        print(f"python -m models: error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a non-finite loss cannot be written as JSON
        print(f"python -m models: error: {exc}", file=sys.stderr)
        return 2
    return write_stdout(out, "python -m models")
