"""The scenes: every one renders to a video (through render.py, at the lowest
quality), every one is narrated and captioned, and what each claims on screen
holds in the data it draws.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import srt

import render
from optim import run
from rendering.media import ffprobe
from scenes.order import ORDER, SECTIONS
from surfaces import get

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    """The whole film at -ql, rendered once for this module."""
    out = tmp_path_factory.mktemp("film")
    code = render.main(["--all", "-q", "l", "--out", str(out)])
    report = json.loads((out / "render-report.json").read_text())
    return code, out, report


# --- smoke: every scene renders --------------------------------------------------------


@pytest.mark.render
def test_every_scene_renders_to_a_video(film):
    code, _, report = film
    failed = {s["scene"]: s["error"] for s in report["scenes"] if s["status"] == "failed"}
    assert failed == {}
    assert code == 0
    assert [s["scene"] for s in report["scenes"]] == [e.scene for e in ORDER]
    for s in report["scenes"]:
        assert s["length"] > 3, s


@pytest.mark.render
def test_joined_film_has_one_chapter_per_section_and_one_audio_track(film):
    _, out, report = film
    info = ffprobe(out / "gradient-descent-explained.mp4")
    titles = [c["tags"]["title"] for c in info["chapters"]]
    assert titles == [SECTIONS[k] for k in sorted({e.section for e in ORDER})]
    kinds = [s["codec_type"] for s in info["streams"] if s["codec_type"] in ("video", "audio")]
    assert sorted(kinds) == ["audio", "video"]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["codec_name"] == "aac"
    assert abs(float(audio["duration"]) - float(video["duration"])) < 0.1
    total = sum(s["length"] for s in report["scenes"])
    assert abs(float(info["format"]["duration"]) - total) < 0.2


@pytest.mark.render
def test_captions_cover_every_scene_in_order_without_overlap(film):
    _, out, report = film
    cues = [
        (c.start.total_seconds() * 1000, c.end.total_seconds() * 1000, c.content)
        for c in srt.parse((out / "gradient-descent-explained.srt").read_text())
    ]
    assert cues
    ends = 0
    for start, end, text in cues:
        assert start >= ends and end > start and text.strip()
        ends = end
    # Each scene's span of the film holds at least one caption: every scene is narrated.
    t = 0.0
    for s in report["scenes"]:
        inside = [c for c in cues if t * 1000 <= c[0] < (t + s["length"]) * 1000]
        assert inside, f"no narration in {s['scene']}"
        t += s["length"]
    assert cues[-1][1] <= t * 1000 + 1


def test_every_scene_in_the_order_exists_and_narrates():
    for entry in ORDER:
        tree = ast.parse((ROOT / entry.path).read_text())
        classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
        assert entry.scene in classes, entry
        calls = [
            n
            for n in ast.walk(classes[entry.scene])
            if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "narrate"
        ]
        assert calls, f"{entry.scene} has no narration"


@pytest.mark.render
def test_silent_path_renders_with_captions(tmp_path):
    """Without a voice the scene still renders, silent, with its captions."""
    env = {**os.environ, "GDE_VOICE": "none"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "manim",
            "render",
            "-ql",
            "--media_dir",
            str(tmp_path),
            "scenes/title.py",
            "Title",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    video = next(tmp_path.rglob("Title.mp4"))
    srt = video.with_suffix(".srt")
    assert srt.exists() and "Gradient descent" in srt.read_text()
    assert not [s for s in ffprobe(video)["streams"] if s["codec_type"] == "audio"]


# --- what the scenes claim holds in their data ------------------------------------------


def test_goldilocks_large_rate_diverges_and_the_others_do_not():
    from scenes.learning_rate import LearningRate as S

    surface = get(S.function)
    curvature = float(surface.hess(np.zeros(2))[0, 0])
    runs = {
        k: run(surface, "gd", start=S.start, lr=lr, steps=S.steps, tol=0, bound=S.bound)
        for k, lr in S.lrs.items()
    }
    assert runs["large"].diverged and runs["large"].stopped == "diverged"
    assert not runs["small"].diverged and not runs["right"].diverged
    assert S.lrs["small"] < S.lrs["right"] < 2 / curvature < S.lrs["large"]
    for traj in runs.values():
        assert np.isfinite(traj.positions).all() and np.isfinite(traj.losses).all()
    # Too small is still far from the bottom when the budget runs out; just right is not.
    assert runs["small"].losses[-1] > 1e3 * runs["right"].losses[-1]
    # The large run overshoots: it changes sign every step.
    x = runs["large"].path()[:, 0]
    assert (np.sign(x[1:]) == -np.sign(x[:-1])).all()


def test_rastrigin_climbers_end_in_more_than_one_basin():
    from scenes.landscapes import RastriginClimbers as S

    starts = np.random.default_rng(S.seed).uniform(-4.5, 4.5, (S.n_climbers, 2))
    traj = run(S.surface, "gd", start=starts, lr=S.lr, steps=200, tol=1e-3)
    # Climbers that stopped within 0.01 of each other share a basin; the minima
    # are a lattice about 1 apart, so this cannot merge two of them.
    basins = np.unique(np.round(traj.final, 2), axis=0)
    assert 10 < len(basins) < S.n_climbers
    surface = get(S.surface)
    # Every climber stopped at a (local) minimum: zero gradient, positive-definite Hessian.
    assert (np.linalg.norm(surface.grad(traj.final), axis=1) < 1e-3).all()
    assert (np.linalg.eigvalsh(surface.hess(traj.final)) > 0).all()
    winners = np.linalg.norm(traj.final, axis=1) < 1e-2  # the global minimum is the origin
    assert 0 < winners.sum() < S.n_climbers / 10


def test_saddle_run_is_slowest_next_to_the_saddle_point():
    from scenes.landscapes import SaddleCrawl as S

    traj = run(S.surface, "gd", start=S.start, lr=S.lr, steps=120, tol=1e-6)
    inside = np.abs(traj.positions).max(axis=1) <= 2.0
    path = traj.positions[: int(np.argmin(inside))]
    speed = np.linalg.norm(np.diff(path, axis=0), axis=1)
    slowest = int(np.argmin(speed))
    dist = np.linalg.norm(path, axis=1)
    assert dist[slowest] == pytest.approx(dist.min(), abs=0.02)
    assert speed[slowest] < speed[0] / 20 and speed[slowest] < speed[-1] / 20
    assert get(S.surface).classify(np.zeros(2)) == "saddle"


def test_plateau_stalls_then_drops():
    from scenes.landscapes import PlateauStall as S

    traj = run(S.surface, "gd", lr=S.lr, steps=600, tol=1e-5)
    stall = int(np.argmax(traj.losses < 0.99 * traj.losses[0])) - 1
    assert traj.losses[stall] >= 0.99 * traj.losses[0] > traj.losses[stall + 1]
    assert stall > 0.5 * traj.n_steps
    assert traj.losses[-1] < 1e-6 and traj.stopped == "tol"


def test_gd_on_rosenbrock_oscillates_across_the_valley():
    from scenes.landscapes import RosenbrockZigzag as S

    traj = run(S.surface, "gd", lr=S.lr, steps=S.steps, tol=1e-5)
    x, y = traj.positions[:, 0], traj.positions[:, 1]
    across = y - x**2  # signed distance-like offset from the valley floor y = x^2
    flips = np.count_nonzero(np.sign(across[1:81]) != np.sign(across[:80]))
    assert flips > 10
    assert not traj.diverged and traj.losses[-1] < traj.losses[0] / 100


def test_hook_climber_reaches_a_valley_by_gradient_descent():
    from scenes.hook import Hook as S

    traj = run(S.surface, "gd", start=S.start, lr=S.lr, steps=S.steps, tol=S.tol)
    assert traj.stopped == "tol"
    minima = [np.array(c.point) for c in get(S.surface).minima]
    assert min(np.linalg.norm(traj.final - m) for m in minima) < 1e-3


def _goldilocks_runs():
    from scenes.learning_rate import LearningRate as S

    surface = get(S.function)
    runs = {
        k: run(surface, "gd", start=S.start, lr=lr, steps=S.steps, tol=0, bound=S.bound)
        for k, lr in S.lrs.items()
    }
    return S, surface, runs


def test_goldilocks_panels_follow_the_narrations_order():
    from scenes.learning_rate import KINDS

    # "Too small ... Just right ... Too large": left to right in that order.
    assert KINDS == ("small", "right", "large")


def test_goldilocks_loss_curves_fall_slowly_plunge_and_climb():
    S, _, runs = _goldilocks_runs()
    lo, hi = S.log_range
    # What the chart draws: each run's losses up to where it stopped.
    logs = {k: np.log10(np.maximum(r.losses[: r.n_steps + 1], 1e-300)) for k, r in runs.items()}
    # One falls slowly: always down, by less than two decades, and stays on the chart.
    assert (np.diff(logs["small"]) < 0).all() and logs["small"][0] - logs["small"][-1] < 2
    assert (lo <= logs["small"]).all() and (logs["small"] <= hi).all()
    # One plunges: it leaves the chart through its floor within a few steps.
    assert (np.diff(logs["right"]) < 0).all()
    assert int(np.argmax(logs["right"] < lo)) <= 10
    # One climbs, and stays on the chart until it is stopped.
    assert (np.diff(logs["large"]) > 0).all() and logs["large"].max() <= hi


def test_goldilocks_shows_f_and_its_curvature_from_sympy():
    import sympy as sp

    _, surface, _ = _goldilocks_runs()

    # f(x) = x^2 on screen is the surface's own LaTeX; L = f''(x) its Hessian entry.
    assert surface.latex == "x^{2}"
    assert sp.latex(surface.hessian_exprs[0, 0]) == "2"
    assert float(surface.hess(np.zeros(2))[0, 0]) == 2.0


def test_derivative1d_slides_through_both_signs_and_stops_on_a_flat_minimum():
    from scenes.derivatives import Derivative1D as S

    surface = get(S.function)
    # Where the point rests as the voice says "positive", then "negative".
    (pos,), (neg,) = (surface.grad(np.array([x, 0.0]))[:1] for x in (S.positive_at, S.negative_at))
    assert pos > 0.05 and neg < -0.05
    bottom = run(surface, "gd", start=(S.negative_at, 0.0), lr=0.05, steps=500, tol=1e-9).final
    # "slope 0: a minimum": zero slope, and curving up.
    assert abs(surface.grad(bottom)[0]) < 1e-6
    assert surface.hess(bottom)[0, 0] > 0


def test_partials_height_scale_covers_the_whole_surface():
    from scenes.derivatives import Partials as S

    s = get(S.surface)
    (x0, x1), (y0, y1) = S.domain
    gx, gy = np.meshgrid(np.linspace(x0, x1, 301), np.linspace(y0, y1, 301))
    highest = float(s(np.stack([gx, gy], axis=-1)).max())
    # No face is clipped flat at the top of the scale (the old pale ledge).
    assert S.top(s) >= 0.999 * highest
    # The slopes on screen are the gradient's components at the point.
    g = s.grad(np.array(S.point))
    assert f"{g[0]:.1f}" == "30.0" and f"{g[1]:.1f}" == "6.0"


def test_gradient_field_minus_gradient_grows_then_shrinks_to_nothing_before_the_stop():
    from scenes.derivatives import GradientField as S

    traj = run(S.surface, "gd", start=S.start, lr=S.lr, steps=200, tol=S.tol)
    norm = np.linalg.norm(traj.grads, axis=-1)
    peak = int(np.argmax(norm))
    # "The gradient grows, then shrinks to nothing": it rises to its peak, and after
    # it only falls, to under the tolerance.
    assert peak > 0 and (np.diff(norm[: peak + 1]) > 0).all()
    assert (np.diff(norm[peak:]) < 0).all()
    assert traj.stopped == "tol" and norm[-1] < S.tol
    # Drawn in true proportion, the peak arrow is one scene unit long; the last
    # is under a thousandth of that, a point.
    assert norm[-1] / norm[peak] < 1e-3


def test_a_fixed_readout_pins_the_digits_it_gains_in_the_frame_they_appear():
    from scenes.common.labels import Readout
    from scenes.common.three_d import StillCameraScene

    scene = StillCameraScene()
    scene.setup()
    value = [1.5]
    readout = scene.fixed(Readout("loss", lambda: value[0], decimals=2))
    value[0] = 123456.25  # more glyphs: the readout rebuilds its value
    scene.update_mobjects(0.5)
    pinned = scene.renderer.camera.fixed_in_frame_mobjects
    assert readout.value.get_family() and all(m in pinned for m in readout.get_family())
    assert not readout.get_updaters()  # a still overlay, so Cairo draws it once


def test_integer_readouts_group_thousands_as_the_rest_of_the_film_does():
    from scenes.common.labels import Readout

    assert Readout("steps", lambda: 21900, integer=True).value.text == "21,900"


def test_a_readout_sets_its_digits_exactly_where_pango_would():
    from manim import Text

    from scenes.common import style
    from scenes.common.labels import Typesetter

    for size in (style.LABEL_SIZE, 20):
        setter = Typesetter.get(style.FONT, size)
        for s in ("0.1297", "-984.447", "9.69 × 10⁻⁵", "21,900", "−0.12", "step 43"):
            pango = Text(s, font=style.FONT, font_size=size, disable_ligatures=True)
            ours = setter.set(s).move_to(pango)
            visible = [g for c, g in zip(s, pango, strict=True) if not c.isspace()]
            assert len(ours) == len(visible) and ours.text == s
            for a, b in zip(visible, ours, strict=True):
                assert np.allclose(a.points, b.points, atol=1e-6)


def test_a_readout_changes_its_glyphs_in_place_and_never_draws_one_twice():
    from scenes.common.labels import Readout

    value = [123456.25]
    readout = Readout("loss", lambda: value[0], decimals=2)
    glyphs = list(readout.value.submobjects)
    for v, text in ((1.5, "1.50"), (-0.25, "−0.25"), (98765.0, "9.88 × 10⁴")):
        value[0] = v
        readout.value.update(0)
        assert readout.value.text == text
        drawn = readout.value.family_members_with_points()
        assert len(drawn) == len(text.replace(" ", ""))  # one outline a character
        # The same objects as before: Manim draws, to the end of a play, the parts a
        # mobject had when the play began.
        assert all(any(g is d for d in drawn) for g in glyphs[: len(drawn)])
