"""How fast is a vectorized run? Adam on Rastrigin from many random start points.

    .venv/bin/python benchmarks/optimizers.py            # 10,000 points x 1,000 steps
    .venv/bin/python benchmarks/optimizers.py --points 2000 --loop-points 200

Times ``optim.run`` with all start points in one call (without recording, and
recording every step with the optimizer state, as scenes do), beside a plain
Python loop: one start point at a time, one coordinate at a time, Python floats
and ``math`` only, Rastrigin's gradient and torch.optim.Adam's update written
out with the same hyperparameters. The loop runs on the first ``--loop-points``
points and is extrapolated to the full count (it is linear in the number of
points); its final points are checked against the vectorized run's. Wall time is
``time.perf_counter``, best of ``--repeats``; CPU time (``time.process_time``) is
shown too, as it is steadier on a shared machine.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table

import optim
import surfaces

A = 10.0  # Rastrigin's amplitude, as surfaces.get("rastrigin") defines it
BETAS, EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults, which optim's adam shares


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """Best wall and best CPU seconds of ``repeats`` calls, and the last result."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu), out


def loop_adam(starts: list[list[float]], steps: int, lr: float) -> list[list[float]]:
    r"""Adam on Rastrigin, one point and one coordinate at a time, in Python floats.

    Rastrigin ``2A + \sum_i (x_i^2 - A \cos 2\pi x_i)`` has ``\partial_i f = 2 x_i + 2\pi A
    \sin 2\pi x_i``; the update is torch.optim.Adam's (documented algorithm, no weight decay):
    ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g^2``, ``m^ = m / (1 - b1^t)``,
    ``v^ = v / (1 - b2^t)``, ``x -= lr m^ / (sqrt(v^) + eps)``.
    """
    b1, b2 = BETAS
    two_pi = 2 * math.pi
    finals = []
    for start in starts:
        p = [float(c) for c in start]
        m = [0.0] * len(p)
        v = [0.0] * len(p)
        for t in range(1, steps + 1):
            c1, c2 = 1 - b1**t, 1 - b2**t
            for k in range(len(p)):
                g = 2 * p[k] + two_pi * A * math.sin(two_pi * p[k])
                m[k] = b1 * m[k] + (1 - b1) * g
                v[k] = b2 * v[k] + (1 - b2) * g * g
                p[k] -= lr * (m[k] / c1) / (math.sqrt(v[k] / c2) + EPS)
        finals.append(p)
    return finals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--loop-points", type=int, default=1_000, help="subset for the loop")
    parser.add_argument("--repeats", type=int, default=3, help="for the vectorized runs")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    surface = surfaces.get("rastrigin")
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(args.seed)
    starts = np.column_stack([rng.uniform(x0, x1, args.points), rng.uniform(y0, y1, args.points)])
    common = dict(steps=args.steps, tol=0.0, lr=args.lr, betas=BETAS, eps=EPS)

    # Warm up: compile the lambdified functions, touch the code paths.
    optim.run(surface, "adam", start=starts[:8], steps=5, tol=0.0, lr=args.lr)

    rows: list[tuple[str, int, float, float, bool]] = []
    finals = None
    for label, record in (("no record", dict(record_every=None, record_state=False)),
                          ("all recorded", dict(record_every=1))):  # fmt: skip
        wall, cpu, traj = _time(
            lambda record=record: optim.run(surface, "adam", start=starts, **record, **common),
            args.repeats,
        )
        finals = traj.final if finals is None else finals
        rows.append((f"optim.run, {label}", args.points, wall, cpu, False))

    subset = starts[: args.loop_points].tolist()
    wall, cpu, loop_finals = _time(lambda: loop_adam(subset, args.steps, args.lr), 1)
    rows.append(("plain Python loop", len(subset), wall, cpu, False))
    scale = args.points / len(subset)
    rows.append(("plain Python loop", args.points, wall * scale, cpu * scale, True))
    gap = float(np.abs(np.array(loop_finals) - finals[: len(subset)]).max())

    table = Table(
        title=(
            f"Adam (lr={args.lr}, betas={BETAS}, eps={EPS}) on rastrigin, "
            f"{args.steps:,} steps, tol=0 (best of {args.repeats} for optim.run)"
        )
    )
    for col in ("method", "points", "wall s", "cpu s", "point-steps / s (wall)", "note"):
        table.add_column(col, justify="left" if col in ("method", "note") else "right")
    for label, n, wall, cpu, extrapolated in rows:
        note = f"extrapolated from {len(subset)} points" if extrapolated else "measured"
        table.add_row(
            label,
            f"{n:,}",
            f"{wall:.3f}",
            f"{cpu:.3f}",
            f"{n * args.steps / wall:,.0f}",
            note,
        )
    console = Console(width=120)
    console.print(table)
    vec, loop_full = rows[0][2], rows[-1][2]
    console.print(
        f"optim.run (no record) is {loop_full / vec:,.0f}x faster than the plain loop "
        f"(extrapolated); {vec / (args.points * args.steps) * 1e9:.1f} ns per point-step.\n"
        f"On the {len(subset)} points both ran, their final points differ by at most {gap:.1e}."
    )
    if not gap <= 1e-8:
        sys.exit(f"the loop and optim.run disagree by {gap:.1e}")


if __name__ == "__main__":
    main()
