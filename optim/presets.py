"""Tuned settings and runs of the film's sections 5 and 9, in one place.

The scenes, the tests and the figures all call these, so what the film shows
is what the tests assert. Each preset is a frozen dataclass (change a field
with :func:`dataclasses.replace`); each function runs it and returns arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optim.schedules import cosine
from optim.trajectory import Trajectory, run
from surfaces import get


@dataclass(frozen=True)
class Escape:
    """SGD's noise against a shallow valley: many seeded noisy runs beside plain GD.

    The noisy runs anneal their learning rate (cosine, to zero), so each one
    settles; the valley it ends in is where plain descent from its last
    position converges.
    """

    surface: str = "two_valleys"
    start: tuple[float, float] = (1.6, 1.0)
    runs: int = 100
    steps: int = 200
    lr: float = 0.1
    noise: float = 2.5
    seed: int = 1
    gd_lr: float = 0.05


@dataclass(frozen=True)
class EscapeResult:
    gd: Trajectory
    noisy: Trajectory
    #: Per noisy run: whether it ended in the deeper valley.
    deep: np.ndarray
    #: The two minima: (deeper, shallower) as points.
    deeper: np.ndarray
    shallower: np.ndarray

    @property
    def escaped(self) -> int:
        return int(self.deep.sum())

    @property
    def gd_deep(self) -> bool:
        """Whether plain gradient descent ended in the deeper valley."""
        return _nearest(self.gd.final[None], self.deeper, self.shallower)[0]


def _nearest(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per point: nearer to ``a`` than to ``b``."""
    return np.linalg.norm(points - a, axis=-1) < np.linalg.norm(points - b, axis=-1)


def escape(preset: Escape = Escape()) -> EscapeResult:
    """Plain GD and ``preset.runs`` noisy runs from the same start."""
    s = get(preset.surface)
    deeper, shallower = (np.array(m.point) for m in sorted(s.minima, key=lambda m: m.value))
    gd = run(s, "gd", start=preset.start, lr=preset.gd_lr, steps=2000, tol=1e-6)
    noisy = run(
        s,
        "sgd",
        start=np.tile(preset.start, (preset.runs, 1)),
        lr=cosine(preset.lr, preset.steps),
        noise=preset.noise,
        steps=preset.steps,
        tol=0,
        seed=preset.seed,
    )
    settled = run(s, "gd", start=noisy.final, lr=preset.gd_lr, steps=5000, tol=1e-8)
    return EscapeResult(gd, noisy, _nearest(settled.final, deeper, shallower), deeper, shallower)


@dataclass(frozen=True)
class HeavyBall:
    """Plain GD and Momentum down a narrow valley with a bump, at the same top speed.

    Momentum's step on a steady slope grows to ``lr / (1 - momentum)`` times the
    gradient, so it runs with ``lr * (1 - momentum)``: both then move equally
    fast where the slope is steady, and differ only in how they remember it.
    """

    surface: str = "bumpy_valley"
    start: tuple[float, float] = (4.5, 1.2)
    lr: float = 0.4
    momentum: float = 0.9
    steps: int = 400
    tol: float = 1e-4

    @property
    def momentum_lr(self) -> float:
        return self.lr * (1 - self.momentum)


def heavy_ball(preset: HeavyBall = HeavyBall()) -> tuple[Trajectory, Trajectory]:
    """``(gd, momentum)`` from the same start."""
    kw = dict(start=preset.start, steps=preset.steps, tol=preset.tol)
    gd = run(preset.surface, "gd", lr=preset.lr, **kw)
    ball = run(preset.surface, "momentum", lr=preset.momentum_lr, momentum=preset.momentum, **kw)
    return gd, ball


@dataclass(frozen=True)
class AdamDemo:
    """Adam on a bowl twenty times steeper across (y) than along (x)."""

    surface: str = "narrow_bowl"
    start: tuple[float, float] = (-2.5, 2.0)
    lr: float = 0.1
    steps: int = 60
    betas: tuple[float, float] = (0.9, 0.999)


def adam_demo(preset: AdamDemo = AdamDemo()) -> Trajectory:
    """Adam's run with its moments ``m`` and ``v`` recorded at every step."""
    return run(preset.surface, "adam", start=preset.start, lr=preset.lr, steps=preset.steps,
               tol=0, betas=preset.betas)  # fmt: skip


def bias_corrected(moment: np.ndarray, beta: float) -> np.ndarray:
    """``moment_t / (1 - beta^t)`` for a moment recorded at steps 0..T (step 0 stays 0)."""
    t = np.arange(len(moment), dtype=float).reshape(-1, *[1] * (moment.ndim - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(t > 0, moment / (1 - beta**t), 0.0)


@dataclass(frozen=True)
class Race:
    """SGD, Momentum and Adam from one start; each learning rate tuned the same way.

    Tuning: for every runner, the learning rate of ``grid`` with the lowest
    final loss after ``steps`` steps (a diverged run counts as infinitely
    bad). A runner finishes at the first step its loss is below ``finish``.
    """

    surface: str = "rosenbrock"
    start: tuple[float, float] = (-1.5, 2.0)
    runners: tuple[str, ...] = ("sgd", "momentum", "adam")
    steps: int = 600
    finish: float = 1e-2
    grid: tuple[float, ...] = tuple(float(v) for v in np.logspace(-4, 0, 9))
    seed: int = 0
    fixed: dict = field(default_factory=lambda: {"sgd": {"noise": 1.0}})


@dataclass(frozen=True)
class Runner:
    name: str
    lr: float
    trajectory: Trajectory
    #: Final loss for every learning rate of the grid (inf: diverged).
    tuning: np.ndarray
    #: First step with loss below the finish line, or None.
    finished_at: int | None


def tune(preset: Race, name: str) -> tuple[float, np.ndarray]:
    """The learning rate of ``preset.grid`` with the lowest final loss, and every final loss."""
    finals = []
    for lr in preset.grid:
        t = run(preset.surface, name, start=preset.start, lr=lr, steps=preset.steps, tol=0,
                seed=preset.seed, **preset.fixed.get(name, {}))  # fmt: skip
        finals.append(np.inf if t.diverged else float(t.losses[-1]))
    finals = np.array(finals)
    return float(preset.grid[int(np.argmin(finals))]), finals


def race(preset: Race = Race()) -> list[Runner]:
    """Every runner at its tuned learning rate, in finishing order (non-finishers last,
    by final loss)."""
    runners = []
    for name in preset.runners:
        lr, finals = tune(preset, name)
        t = run(preset.surface, name, start=preset.start, lr=lr, steps=preset.steps, tol=0,
                seed=preset.seed, **preset.fixed.get(name, {}))  # fmt: skip
        below = np.flatnonzero(t.losses < preset.finish)
        runners.append(Runner(name, lr, t, finals, int(below[0]) if len(below) else None))
    return sorted(
        runners,
        key=lambda r: (r.finished_at is None, r.finished_at or 0, r.trajectory.losses[-1]),
    )


@dataclass(frozen=True)
class Conditioning:
    """Steps to converge on ``(x^2 + kappa y^2) / 2`` as the condition number grows.

    Each method gets its best fixed settings for that bowl, which depend on
    the curvatures (that is the tuning cost): gradient descent
    ``lr = 2 / (L + mu)``; heavy-ball momentum ``lr = (2 / (sqrt(L) + sqrt(mu)))^2``,
    ``momentum = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2`` (REFERENCES.md).
    """

    kappas: tuple[float, ...] = (1, 3, 10, 30, 100, 300, 1000)
    start: tuple[float, float] = (1.0, 1.0)
    tol: float = 1e-6
    steps: int = 100_000


def conditioning(study: Conditioning = Conditioning()) -> dict[str, np.ndarray]:
    """Steps each method needed (``gd``, ``momentum``) per condition number."""
    out: dict[str, list[int]] = {"gd": [], "momentum": []}
    for kappa in study.kappas:
        surface = f"x**2/2 + {kappa:g}*y**2/2"
        L, mu = float(kappa), 1.0
        kw = dict(start=study.start, steps=study.steps, tol=study.tol)
        gd = run(surface, "gd", lr=2 / (L + mu), **kw)
        beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
        lr = (2 / (np.sqrt(L) + np.sqrt(mu))) ** 2
        if beta > 0:
            ball = run(surface, "momentum", lr=lr, momentum=beta, **kw)
        else:  # kappa = 1: the best heavy ball is plain descent
            ball = run(surface, "gd", lr=lr, **kw)
        out["gd"].append(gd.n_steps)
        out["momentum"].append(ball.n_steps)
    return {k: np.array(v) for k, v in out.items()}


@dataclass(frozen=True)
class NextMethods:
    """Gradient descent against Newton, L-BFGS and Nelder-Mead on Rosenbrock, one start."""

    surface: str = "rosenbrock"
    start: tuple[float, float] = (-1.5, 2.0)
    methods: tuple[str, ...] = ("gd", "newton", "lbfgs", "nelder-mead")
    gd_lr: float = 1e-3
    steps: int = 20_000
    tol: float = 1e-5


def next_methods(preset: NextMethods = NextMethods()) -> dict[str, Trajectory]:
    """Each method's run (``tol`` is the gradient norm for gd and Newton, scipy's tol else)."""
    out = {}
    for name in preset.methods:
        kw = {"lr": preset.gd_lr} if name == "gd" else {}
        out[name] = run(preset.surface, name, start=preset.start, steps=preset.steps,
                        tol=preset.tol, **kw)  # fmt: skip
    return out


def valley_entry(positions: np.ndarray, off: float = 0.01) -> int:
    """The step from which a path stays on Rosenbrock's valley floor: every iterate
    from it on is within ``off`` of the parabola y = x²."""
    p = np.asarray(positions, dtype=float)
    outside = np.flatnonzero(np.abs(p[:, 1] - p[:, 0] ** 2) >= off)
    return int(outside[-1]) + 1 if len(outside) else 0
