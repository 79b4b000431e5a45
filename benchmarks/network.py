"""How fast does the NumPy network train? One run of a 2-16-16-2 tanh MLP with Adam.

    .venv/bin/python benchmarks/network.py                 # 1,000 steps, batch 32, 1,000 points
    .venv/bin/python benchmarks/network.py --loop-steps 100   # the loop extrapolated

Times ``optim.run`` on :class:`models.MLP` (the whole mini-batch through each
layer as one matrix product) beside a plain Python loop that trains the same
network example by example: forward and backward per example with NumPy
vectors, the batch gradient their mean, the Adam update written out. Both use
the same batches, and their final parameters are compared. The loop runs
``--loop-steps`` steps (extrapolated when fewer than ``--steps``: it is linear in
steps); a disagreement beyond 1e-9 ends the script with an error.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from rich.console import Console
from rich.table import Table

import optim
from datasets import moons
from models import MLP


def loop_grad(net: MLP, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Mean gradient over examples ``idx``, one example at a time in Python."""
    params = net.unflatten(p)
    dW = [np.zeros_like(W) for W, _ in params]
    db = [np.zeros_like(b) for _, b in params]
    for i in idx:
        a, acts = net.X[i], [net.X[i]]
        for k, (W, b) in enumerate(params):
            z = a @ W + b
            a = np.tanh(z) if k < len(params) - 1 else z
            acts.append(a)
        e = np.exp(a - a.max())
        delta = e / e.sum()
        delta[net.y[i]] -= 1
        for k in range(len(params) - 1, -1, -1):
            dW[k] += np.outer(acts[k], delta)
            db[k] += delta
            if k:
                delta = (params[k][0] @ delta) * (1 - acts[k] ** 2)
    return net.flatten([w / len(idx) for w in dW], [b / len(idx) for b in db])


def loop_adam(net: MLP, batches: np.ndarray, lr: float) -> np.ndarray:
    """Adam (torch's defaults) written out, on :func:`loop_grad`."""
    p, m, v = net.start.copy(), np.zeros(net.dim), np.zeros(net.dim)
    for t, idx in enumerate(batches, start=1):
        g = loop_grad(net, p, idx)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        p = p - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return p


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--loop-steps", type=int, default=1_000, help="steps the loop runs")
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()

    data = moons(args.points, seed=0)
    net = MLP((2, 16, 16, 2), "tanh", "cross_entropy", data.X, data.y, seed=0)
    kw = dict(lr=args.lr, batch_size=args.batch_size, tol=0.0, seed=0, record_state=False)

    t0 = time.perf_counter()
    traj = optim.run(net, "adam", steps=args.steps, record_every=None, **kw)
    vectorized = time.perf_counter() - t0

    # The loop replays the batches the vectorized run drew (same seed, same sampler).
    probe = optim.run(net, "adam", steps=args.loop_steps, **kw)
    rng = np.random.default_rng(0)
    batches, perm = [], np.empty(0, dtype=int)
    for _ in range(args.loop_steps):
        if len(perm) < args.batch_size:
            perm = rng.permuted(np.tile(np.arange(len(data)), (1, 1)), axis=1)[0]
        batches.append(perm[: args.batch_size])
        perm = perm[args.batch_size :]
    t0 = time.perf_counter()
    p_loop = loop_adam(net, np.array(batches), args.lr)
    loop = time.perf_counter() - t0
    agree = float(np.abs(p_loop - probe.final).max())

    table = Table(
        title=(
            f"2-16-16-2 tanh MLP, Adam lr={args.lr}, batch {args.batch_size}, "
            f"{args.points:,} points ({net.dim} parameters)"
        )
    )
    for col in ("method", "steps", "wall s", "steps / s", "note"):
        table.add_column(col, justify="left" if col in ("method", "note") else "right")
    table.add_row(
        "optim.run (batched layers)",
        f"{args.steps:,}",
        f"{vectorized:.3f}",
        f"{args.steps / vectorized:,.0f}",
        f"accuracy {float(net.accuracy(traj.final)):.3f}, loss {traj.losses[-1]:.4f}",
    )
    table.add_row(
        "per-example Python loop",
        f"{args.loop_steps:,}",
        f"{loop:.3f}",
        f"{args.loop_steps / loop:,.0f}",
        "measured",
    )
    full = loop * args.steps / args.loop_steps
    if args.loop_steps != args.steps:
        table.add_row(
            "per-example Python loop",
            f"{args.steps:,}",
            f"{full:.3f}",
            f"{args.steps / full:,.0f}",
            f"extrapolated from {args.loop_steps} steps",
        )
    console = Console(width=120)
    console.print(table)
    console.print(
        f"optim.run is {full / vectorized:,.0f}x faster than the per-example loop; after "
        f"{args.loop_steps} steps their parameters differ by at most {agree:.1e}.\n"
        f"optim.run also computes the loss on all {args.points:,} points after every step "
        "(the loss curve); the loop does not."
    )
    if not agree <= 1e-9:
        sys.exit(f"the loop and optim.run disagree by {agree:.1e}")


if __name__ == "__main__":
    main()
