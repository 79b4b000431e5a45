"""Static figures (matplotlib + seaborn), in the film's colours, from the same math.

    .venv/bin/python assets/figures.py [--out DIR]

writes ``weather_fit.png`` (the regression data with the least-squares line and
the line gradient descent finds) and ``optimizer_race.png`` (loss against step for
every optimizer from one start on Rosenbrock) into ``assets/`` by default.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display here, and none needed
import matplotlib.pyplot as plt
import numpy as np
import seaborn as sns

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from optim import run
from rendering.files import atomic_path
from scenes import palette
from surfaces import get

HERE = Path(__file__).resolve().parent

#: Learning rates that suit each optimizer on Rosenbrock from its default start.
RACE = {
    "gd": {"lr": 1e-3},
    "momentum": {"lr": 1e-3, "momentum": 0.9},
    "nesterov": {"lr": 1e-3, "momentum": 0.9},
    "adagrad": {"lr": 0.5},
    "rmsprop": {"lr": 1e-2},
    "adam": {"lr": 0.05},
}


def _theme() -> None:
    sns.set_theme(style="darkgrid", context="talk")
    plt.rcParams.update(
        {
            "figure.facecolor": palette.BACKGROUND,
            "axes.facecolor": palette.PANEL,
            "axes.edgecolor": palette.MUTED,
            "axes.labelcolor": palette.INK,
            "text.color": palette.INK,
            "xtick.color": palette.MUTED,
            "ytick.color": palette.MUTED,
            "grid.color": palette.PANEL_GRID,
        }
    )


def _save(fig, path: Path) -> None:
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight", format="png")
    finally:
        plt.close(fig)


def weather_fit(out: Path) -> Path:
    """Scatter of today's vs tomorrow's max temperature, the lstsq line and GD's line."""
    surface = get("mse")
    data = surface.dataset
    w_ls, b_ls = data.least_squares()
    traj = run(surface, "gd", lr=3e-3, steps=60_000, tol=1e-9)
    w_gd, b_gd = traj.final
    fig, ax = plt.subplots(figsize=(8, 6))
    sns.scatterplot(x=data.x, y=data.y, s=12, alpha=0.4, color=palette.MUTED, ax=ax, edgecolor=None)
    xs = np.linspace(data.x.min(), data.x.max(), 2)
    ax.plot(
        xs,
        w_ls * xs + b_ls,
        color=palette.GOOD,
        lw=4,
        label=f"least squares: y = {w_ls:.3f} x + {b_ls:.2f}",
    )
    ax.plot(
        xs,
        w_gd * xs + b_gd,
        "--",
        color=palette.OPTIMIZER_COLORS["gd"],
        lw=2,
        label=f"gradient descent ({traj.n_steps} steps): y = {w_gd:.3f} x + {b_gd:.2f}",
    )
    ax.set(xlabel=data.x_label, ylabel=data.y_label, title="Seattle 2012-2015 (NOAA)")
    ax.legend(loc="upper left", fontsize=11, facecolor=palette.PANEL, edgecolor=palette.MUTED)
    path = out / "weather_fit.png"
    _save(fig, path)
    return path


def optimizer_race(out: Path, steps: int = 1500) -> Path:
    """Loss against step on Rosenbrock for each optimizer, same start."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, params in RACE.items():
        traj = run("rosenbrock", name, steps=steps, tol=0, **params)
        ax.semilogy(
            traj.losses,
            color=palette.OPTIMIZER_COLORS[name],
            lw=2.5,
            label=f"{name} (lr {params['lr']:g})",
        )
    ax.set(xlabel="step", ylabel="loss (log scale)", title="Rosenbrock from (-1.5, 2)")
    ax.legend(fontsize=11, facecolor=palette.PANEL, edgecolor=palette.MUTED)
    path = out / "optimizer_race.png"
    _save(fig, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder (default: assets/)")
    args = parser.parse_args(argv)
    if not args.out.is_dir():
        print(f"figures: error: {args.out} is not a folder", file=sys.stderr)
        return 2
    _theme()
    for make in (weather_fit, optimizer_race):
        print(make(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
