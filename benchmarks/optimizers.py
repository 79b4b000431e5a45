"""How fast is a vectorized run? Adam on Rastrigin from many random start points.

    .venv/bin/python benchmarks/optimizers.py            # 10,000 points x 1,000 steps
    .venv/bin/python benchmarks/optimizers.py --points 2000 --loop-points 20

Times ``optim.run`` with all start points in one call (with and without recording
the optimizer state), beside a plain Python loop calling ``optim.run`` once per
start point. The loop runs on a subset and is extrapolated to the full count
(it scales linearly in the number of points); such rows are marked. Wall time is
``time.perf_counter``, best of ``--repeats``; CPU time (``time.process_time``) is
shown too, as it is steadier on a shared machine.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.table import Table

import optim
import surfaces


def _time(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best wall and best CPU seconds of ``repeats`` calls."""
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--loop-points", type=int, default=100, help="subset for the loop")
    parser.add_argument("--repeats", type=int, default=3, help="for the vectorized runs")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    surface = surfaces.get("rastrigin")
    (x0, x1), (y0, y1) = surface.domain
    rng = np.random.default_rng(args.seed)
    starts = np.column_stack([rng.uniform(x0, x1, args.points), rng.uniform(y0, y1, args.points)])
    common = dict(steps=args.steps, tol=0.0, lr=args.lr)

    # Warm up: compile the lambdified functions, touch the code paths.
    optim.run(surface, "adam", start=starts[:8], steps=5, tol=0.0, lr=args.lr)

    rows: list[tuple[str, int, float, float, bool]] = []
    for record in (False, True):
        wall, cpu = _time(
            lambda record=record: optim.run(
                surface, "adam", start=starts, record_state=record, **common
            ),
            args.repeats,
        )
        label = f"vectorized, record_state={record}"
        rows.append((label, args.points, wall, cpu, False))

    subset = starts[: args.loop_points]

    def loop() -> None:
        for p in subset:
            optim.run(surface, "adam", start=p, **common)

    wall, cpu = _time(loop, 1)
    rows.append(("per-point loop", len(subset), wall, cpu, False))
    scale = args.points / len(subset)
    rows.append(("per-point loop", args.points, wall * scale, cpu * scale, True))

    table = Table(
        title=(
            f"optim.run: adam on rastrigin, {args.steps:,} steps, tol=0 "
            f"(best of {args.repeats} for vectorized runs)"
        )
    )
    table.add_column("method")
    table.add_column("points", justify="right")
    table.add_column("wall s", justify="right")
    table.add_column("cpu s", justify="right")
    table.add_column("point-steps / s (wall)", justify="right")
    table.add_column("note")
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
    vec = rows[0][2]
    loop_full = rows[-1][2]
    console.print(
        f"vectorized (no state) is {loop_full / vec:,.0f}x faster than the per-point loop "
        f"(extrapolated); {vec / (args.points * args.steps) * 1e9:.1f} ns per point-step."
    )


if __name__ == "__main__":
    main()
