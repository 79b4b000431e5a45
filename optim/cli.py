"""``python -m optim``: compute one trajectory, or list what there is.

Bad input gets one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Sequence

import surfaces
from optim.errors import OptimError
from optim.rules import OPTIMIZERS
from optim.scipy_methods import METHODS
from optim.trajectory import run

# CLI flag -> hyperparameter name; only flags the user gave are passed on, so
# each optimizer's own defaults apply to the rest. batch_size and noise are
# run's sampling options, passed the same way.
HYPERPARAMETERS = {
    "lr": "lr",
    "momentum": "momentum",
    "dampening": "dampening",
    "nesterov": "nesterov",
    "weight_decay": "weight_decay",
    "betas": "betas",
    "eps": "eps",
    "alpha": "alpha",
    "lr_decay": "lr_decay",
    "initial_accumulator_value": "initial_accumulator_value",
    "maxcor": "maxcor",
    "noise": "noise",
    "batch_size": "batch_size",
}


class UsageError(Exception):
    """Bad command-line input: reported as one line with exit code 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (argparse prints the whole usage)."""

    def error(self, message: str):
        raise UsageError(message)


def number(text: str) -> float:
    """argparse type: a finite float."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def add_optimizer_flags(r: argparse.ArgumentParser) -> None:
    """The optimizer, its hyperparameters, sampling, steps and seed: shared with ``python -m models``."""
    r.add_argument("--optimizer", required=True, help="|".join([*OPTIMIZERS, *METHODS]))
    r.add_argument("--lr", type=number)
    r.add_argument("--momentum", type=number)
    r.add_argument("--dampening", type=number)
    r.add_argument("--nesterov", action="store_true", default=None)
    r.add_argument("--weight-decay", type=number)
    r.add_argument("--betas", type=number, nargs=2, metavar=("BETA1", "BETA2"))
    r.add_argument("--eps", type=number)
    r.add_argument("--alpha", type=number)
    r.add_argument("--lr-decay", type=number)
    r.add_argument("--initial-accumulator-value", type=number)
    r.add_argument("--maxcor", type=int, help="lbfgs: gradients kept for curvature")
    r.add_argument("--noise", type=number, help="gradient noise (any optimizer; sgd defaults to 1)")
    r.add_argument(
        "--batch-size",
        type=int,
        help="mini-batch size (data objectives, any optimizer); at least the number of "
        "examples: the full batch",
    )
    r.add_argument("--steps", type=int, default=100)
    r.add_argument("--tol", type=number, default=1e-6, help="gradient-norm tolerance; 0 disables")
    r.add_argument("--seed", type=int, default=0)


def optimizer_params(args: argparse.Namespace) -> dict:
    """Hyperparameters (and sampling) the user gave, as ``optim.run`` keywords."""
    params = {
        key: getattr(args, flag)
        for flag, key in HYPERPARAMETERS.items()
        if getattr(args, flag) is not None
    }
    if "betas" in params:
        params["betas"] = tuple(params["betas"])
    return params


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m optim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("list", help="list surfaces and optimizers")
    r = sub.add_parser("run", help="compute one trajectory and write it to stdout")
    r.add_argument("--surface", required=True, help="a surface name or an expression in x and y")
    add_optimizer_flags(r)
    r.add_argument("--start", type=number, nargs=2, metavar=("X", "Y"))
    r.add_argument("--format", choices=("json", "csv"), default="json")
    return parser


def _list() -> str:
    lines = ["surfaces:"]
    for name in surfaces.names():
        lines.append(f"  {name:<14} {surfaces.get(name).description}")
    lines.append("optimizers:")
    for name, factory in {**OPTIMIZERS, **METHODS}.items():
        lines.append(f"  {name:<14} {factory.__doc__.strip().splitlines()[0]}")
    return "\n".join(lines) + "\n"


def _csv(result: dict) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["step", "x", "y", "loss", "grad_x", "grad_y"])
    for i, (p, loss, g) in enumerate(
        zip(result["xs"], result["losses"], result["grads"], strict=True)
    ):
        writer.writerow([i, *(repr(v) for v in p), repr(loss), *(repr(v) for v in g)])
    return buf.getvalue()


def _trajectory(args: argparse.Namespace) -> str:
    traj = run(
        args.surface,
        args.optimizer,
        start=args.start,
        steps=args.steps,
        tol=args.tol,
        seed=args.seed,
        **optimizer_params(args),
    )
    result = traj.to_dict()
    if args.format == "csv":
        return _csv(result)
    return json.dumps(result, allow_nan=False) + "\n"


def values_may_start_with_minus(argv: Sequence[str]) -> list[str]:
    """Let values such as ``--start -1e-3 2`` or ``--surface "-x**2"`` through argparse.

    argparse reads any word that starts with ``-`` and is not a plain number as an
    option. These CLIs have only long options (and ``-h``), so a word with one
    leading dash is a value; a leading space marks it so for argparse, and
    numbers and expressions ignore the space.
    """
    return [f" {a}" if a.startswith("-") and a[1:2] not in ("", "-", "h") else a for a in argv]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    try:
        args = build_parser().parse_args(
            values_may_start_with_minus(sys.argv[1:] if argv is None else argv)
        )
        out = _list() if args.command == "list" else _trajectory(args)
    except (UsageError, OptimError, surfaces.SurfaceError) as exc:
        print(f"python -m optim: error: {exc}", file=sys.stderr)
        return 2
    return write_stdout(out, "python -m optim")


def write_stdout(out: str, prog: str) -> int:
    """Write a command's whole output; returns the exit code (1 if it could not be written).

    Output is built whole before writing, so an error never leaves half a result.
    """
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a full disk, a closed terminal
        print(f"{prog}: error: cannot write the output: {exc.strerror}", file=sys.stderr)
        return 1
    return 0
