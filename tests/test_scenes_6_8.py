"""Sections 6-8: what the scenes claim on screen holds in the data they draw.

Each test rebuilds a scene's data from the scene's own class attributes, as
the scene does, and checks the claim the picture or the narration makes.
"""

from __future__ import annotations

import numpy as np
import pytest

from optim import run
from scenes.common.weather import condition_number, standardized
from surfaces import get

# --- section 7: linear regression on the weather -------------------------------------


def test_weather_scatter_is_every_day_and_close_to_linear():
    data = get("mse").dataset
    assert len(data) == 1460
    assert np.corrcoef(data.x, data.y)[0, 1] > 0.9


def test_gradient_formulas_on_screen_are_the_surface_gradient():
    """The SymPy formulas shown, evaluated on the data, equal the surface's gradient."""
    import sympy as sp

    from scenes.common.weather import START
    from scenes.regression import gradient_latex
    from surfaces.data import SAMPLE_LOSS, b, w, xi, yi

    s = get("mse")
    x, y = s.dataset.x, s.dataset.y
    shown = []
    for v in (w, b):
        term = sp.lambdify((w, b, xi, yi), sp.factor(sp.diff(SAMPLE_LOSS, v)))
        shown.append(np.mean(term(*START, x, y)))
    np.testing.assert_allclose(shown, s.grad(np.array(START)), rtol=1e-10)
    assert r"\frac{\partial L}{\partial w}" in gradient_latex(w, len(x))
    assert "1460" in gradient_latex(b, len(x))
    # Printed in the model's order, w x + b, from the same SymPy expression.
    from scenes.regression import loss_latex

    assert r"w x_{i} + b - y_{i}" in gradient_latex(w, len(x))
    assert r"\left(w x_{i} + b - y_{i}\right)^{2}" in loss_latex(len(x))


def test_parabola_tangent_comes_to_rest_where_the_slope_vanishes():
    from scenes.regression import WeatherLine as S

    s = get(S.surface)
    b0 = S.start[1]
    ws = np.linspace(*S.w_span, S.rest_samples)
    loss = s(np.stack([ws, np.full_like(ws, b0)], axis=-1))
    w_rest = ws[np.argmin(loss)]
    start_slope = s.grad(np.array(S.start))[0]
    assert start_slope < 0  # downhill is to the right: w grows, the line swings up
    # The readout at rest rounds to 0.0 or +-0.1: as flat as the tangent is drawn.
    assert abs(s.grad(np.array([w_rest, b0]))[0]) < 0.15
    assert S.w_span[0] < S.start[0] < w_rest < S.w_span[1]


def test_raw_bowl_is_a_trench_where_descent_crawls():
    from scenes.regression import WeatherBowl as S

    raw = get(S.surface)
    kappa = condition_number(raw)
    assert 1500 < kappa < 2500  # "curved 1,961 times more sharply across than along"
    limit = 2 / np.linalg.eigvalsh(raw.hess(np.zeros(2)))[-1]
    assert 0.5 * limit < S.raw_lr < limit  # a fair step: most of the stable range
    traj = run(raw, "gd", start=S.start, lr=S.raw_lr, steps=S.raw_steps, tol=0)
    assert not traj.diverged
    assert traj.losses[-1] > 2 * raw.minima[0].value  # still far from the bottom
    (x0, x1), (y0, y1) = S.raw_domain
    inside = (traj.positions[:, 0] >= x0) & (traj.positions[:, 0] <= x1)
    inside &= (traj.positions[:, 1] >= y0) & (traj.positions[:, 1] <= y1)
    assert inside.all()  # the whole path is on the drawn terrain


def test_standardising_makes_the_bowl_round_and_keeps_the_best_line():
    st = standardized()
    assert condition_number(st.surface) == pytest.approx(1.0, abs=1e-9)
    assert st.curvature == pytest.approx(2.0)
    best_raw = np.array(get("mse").dataset.least_squares())
    np.testing.assert_allclose(st.to_raw(st.surface.minima[0].point), best_raw, atol=1e-9)
    p = np.array([[0.3, -2.0], [1.1, 7.5]])
    np.testing.assert_allclose(st.to_raw(st.to_standard(p)), p)
    # The same line has the same loss on both surfaces: only its parameters changed.
    np.testing.assert_allclose(st.surface(st.to_standard(p)), get("mse")(p))


def test_regression_ends_within_1e_4_of_least_squares():
    from scenes.regression import WeatherBowl as S

    st = standardized()
    start = st.to_standard(np.array(S.start))
    traj = run(st.surface, "gd", start=start, lr=S.lr, steps=S.steps, tol=0)
    w, b = st.to_raw(traj.final)
    ls_w, ls_b = get("mse").dataset.least_squares()
    assert abs(w - ls_w) < 1e-4 and abs(b - ls_b) < 1e-4
    # Both pairs print the same to the four decimals shown.
    assert f"{w:.4f} {b:.4f}" == f"{ls_w:.4f} {ls_b:.4f}"
    # The path stays on the drawn part of the bowl.
    m = np.array(st.surface.minima[0].point)
    assert (np.abs(traj.positions - m) <= S.half_width).all()


def test_too_large_learning_rate_diverges_and_is_flagged():
    from scenes.regression import WeatherBowl as S

    st = standardized()
    assert S.large_lr > 2 / st.curvature > S.lr
    start = st.to_standard(np.array(S.start))
    traj = run(
        st.surface, "gd", start=start, lr=S.large_lr, steps=S.large_steps, tol=0, bound=S.bound
    )
    assert traj.diverged and traj.stopped == "diverged"
    assert np.isfinite(traj.losses).all()
    assert traj.losses[-1] > 1e4 * traj.losses[0]  # "climbs toward infinity"
    # Each step overshoots further: the distance to the minimum grows every step.
    m = np.array(st.surface.minima[0].point)
    dist = np.linalg.norm(traj.positions[: int(traj.n_steps) + 1] - m, axis=1)
    assert (np.diff(dist) > 0).all()
    # "diverged after step n_steps": the last finite step is what the counter shows.
    assert np.isfinite(traj.positions[int(traj.n_steps)]).all()


def test_raw_trench_domain_is_centred_on_the_minimum():
    from scenes.regression import WeatherBowl as S

    ls = np.array(get(S.surface).dataset.least_squares())
    (x0, x1), (y0, y1) = S.raw_domain
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    np.testing.assert_allclose(centre, ls, atol=0.02)


def test_fitted_lines_stay_inside_the_drawn_axes():
    from scenes.common.weather import START, WeatherPlot
    from scenes.regression import quadrant_line

    plot = WeatherPlot()
    origin = plot.axes.c2p(0, 0)
    # The first guess (which would run left of the y-axis unclipped), a fit, a steep
    # diverging line.
    for w, b in (START, (0.92, 1.25), (-10.1, 102.2), (40.0, -300.0)):
        line = quadrant_line(plot, w, b)
        if line.get_stroke_opacity() == 0:
            continue
        for end in (line.get_start(), line.get_end()):
            assert end[0] >= origin[0] - 1e-9 and end[1] >= origin[1] - 1e-9
            x, y = plot.axes.p2c(end)
            assert y == pytest.approx(w * x + b, abs=1e-6 * max(1.0, abs(b)))


# --- section 8: batch, stochastic and mini-batch ---------------------------------------


@pytest.fixture(scope="module")
def batch_runs_8():
    from scenes.batches import BatchSizes as S
    from scenes.batches import batch_runs

    return S, batch_runs(S.lr, S.passes, S.batches, S.within, S.seed)


def test_three_runs_share_start_rate_and_bowl_and_differ_in_batch(batch_runs_8):
    S, runs = batch_runs_8
    n = standardized().surface.n_examples
    assert sorted(r.batch for r in runs.values()) == [1, 32, n]
    starts = {tuple(r.traj.positions[0]) for r in runs.values()}
    assert len(starts) == 1
    assert {r.traj.optimizer.params["lr"] for r in runs.values()} == {S.lr}
    # Each was given the same work: passes * n per-example gradients, to a whole step.
    for r in runs.values():
        assert r.traj.n_steps * r.batch >= S.passes * n > (r.traj.n_steps - 1) * r.batch
    assert runs["full batch"].steps_per_pass == 1
    assert runs["mini-batch"].steps_per_pass == 45  # 45 batches of 32; 20 days wait
    assert runs["stochastic"].steps_per_pass == n


def test_a_mini_batch_pass_is_what_the_sampler_deals(monkeypatch):
    """The key's 45 steps per pass: the sampler deals 45 batches of 32 distinct days,
    then reshuffles (the 20 left over wait), as a DataLoader with drop_last does."""
    import optim.sampling as sampling
    from scenes.batches import BatchSizes as S

    dealt = []
    deal = sampling.GradientSampler.next_batch

    def spy(self, n):
        idx = deal(self, n)
        dealt.append(idx[0].copy())
        return idx

    monkeypatch.setattr(sampling.GradientSampler, "next_batch", spy)
    s = standardized().surface
    run(s, "gd", lr=S.lr, steps=91, tol=0, batch_size=32, seed=S.seed)
    first, second = np.concatenate(dealt[:45]), np.concatenate(dealt[45:90])
    assert len(np.unique(first)) == len(np.unique(second)) == 45 * 32 == 1440
    # The 46th batch is a full 32 from the new shuffle, not the 20 left over.
    assert len(dealt[45]) == 32 and len(np.intersect1d(dealt[45], first)) > 0


def test_the_key_shows_what_a_step_and_a_pass_cost(batch_runs_8):
    """BatchSizes' key, as drawn: gradients per step, steps per pass, and their
    product, what a pass costs; every run pays (nearly) all the days per pass."""
    from scenes.batches import key_note, key_rows

    _, runs = batch_runs_8
    rows = key_rows(runs)
    assert rows[1:] == [
        ["full batch", "1,460", "1", "1,460"],
        ["stochastic", "1", "1,460", "1,460"],
        ["mini-batch", "32", "45", "1,440"],
    ]
    for name, per_step, steps, per_pass in rows[1:]:
        num = [int(v.replace(",", "")) for v in (per_step, steps, per_pass)]
        assert num[0] == runs[name].batch
        assert num[0] * num[1] == num[2] == runs[name].gradients_per_pass
        assert 1460 - num[0] < num[2] <= 1460  # a pass: every day but part of a batch
    assert key_note(runs) == "45 × 32 = 1,440: 20 days wait for the next shuffle"


def test_mini_batch_needs_fewer_gradients_than_the_full_batch_to_reach_the_same_loss(
    batch_runs_8,
):
    _, runs = batch_runs_8
    full, mini, sgd = runs["full batch"], runs["mini-batch"], runs["stochastic"]
    for r in (full, mini, sgd):
        assert r.reached > 0, r.name  # every run gets there
    assert mini.gradients_to_target < full.gradients_to_target / 10
    assert sgd.gradients_to_target < mini.gradients_to_target
    assert full.passes >= 5  # "it needs many passes"
    # The full batch moves smoothly: its loss never rises.
    assert (np.diff(full.traj.losses) <= 1e-12).all()


def test_the_narrated_work_saving_is_the_one_computed(batch_runs_8):
    """'Mini-batches get within 5% ... on 43 times less work than the full batch':
    the figure said is the gradients each needed to first come within 5% of the best
    loss, recounted here from the runs' losses, divided."""
    import re

    from scenes.batches import BatchSizes as S
    from scenes.batches import cost_line

    _, runs = batch_runs_8
    target = (1 + S.within) * standardized().surface.minima[0].value
    work = {}
    for k in ("full batch", "mini-batch"):
        r = runs[k]
        work[k] = int(np.argmax(r.traj.losses <= target)) * r.batch
    assert work == {"full batch": 14 * 1460, "mini-batch": 15 * 32}
    said = cost_line(runs, S.within)
    m = re.search(r"within (\d+)% of the best loss on (\d+) times less work", said)
    assert m and int(m[1]) == round(100 * S.within)
    assert int(m[2]) == round(work["full batch"] / work["mini-batch"]) == 43
    assert "Single examples get there first" in said


def test_single_examples_never_settle_and_mini_batches_nearly_do(batch_runs_8):
    S, runs = batch_runs_8
    best = standardized().surface.minima[0].value
    full, mini, sgd = runs["full batch"], runs["mini-batch"], runs["stochastic"]
    assert full.settled_loss < (1 + S.within) * best
    # For the same 15 passes of work, mini-batches end lower than the full batch.
    assert mini.settled_loss < full.settled_loss < 1.03 * best
    assert sgd.settled_loss > 1.1 * best  # still wandering after 15 passes
    # Noisier with smaller batches: the spread of the last pass's loss.
    last = {k: r.traj.losses[-r.steps_per_pass :] for k, r in runs.items()}
    assert last["stochastic"].std() > 3 * last["mini-batch"].std()


def test_the_cost_table_shows_mini_batches_settle_and_single_examples_do_not(batch_runs_8):
    """BatchSizes' table: share of the last pass within 5% of the best loss."""
    _, runs = batch_runs_8
    assert runs["full batch"].share_within == runs["mini-batch"].share_within == 1.0
    assert runs["stochastic"].share_within < 0.5  # "single examples never settle"


def test_per_example_gradients_average_to_the_full_gradient_and_batches_are_tighter():
    from scenes.batches import BatchSizes as S
    from scenes.common.weather import START

    st = standardized()
    s = st.surface
    start = st.to_standard(np.array(START))
    per_example = s.sample_grads(start)
    assert per_example.shape == (1460, 2)
    np.testing.assert_allclose(per_example.mean(axis=0), s.grad(start), rtol=1e-9)
    rng = np.random.default_rng(S.seed)
    idx = np.stack([rng.choice(1460, 32, replace=False) for _ in range(S.n_batch_means)])
    means = s.batch_grad(np.repeat(start[None], len(idx), axis=0), idx)
    one = np.sqrt(np.mean(np.sum((per_example - s.grad(start)) ** 2, axis=1)))
    many = np.sqrt(np.mean(np.sum((means - s.grad(start)) ** 2, axis=1)))
    # Averaging 32 examples shrinks the error by about sqrt(32) (sampling without
    # replacement, so a little more).
    assert 0.7 * np.sqrt(32) < one / many < 1.5 * np.sqrt(32)


# --- section 6: a neural network learns ---------------------------------------------------


@pytest.fixture(scope="module")
def network_run():
    from scenes.neural_networks import NetworkLearns as S
    from scenes.neural_networks import moons_network

    net = moons_network(S.layers, S.samples, S.noise, S.seed)
    traj = run(net, S.optimizer, lr=S.lr, steps=S.steps, tol=0, record_every=1)
    return S, net, traj


def test_network_loss_falls_below_0_1_and_accuracy_rises_above_95_percent(network_run):
    S, net, traj = network_run
    acc = net.accuracy(traj.positions)
    assert traj.losses[0] > 0.5 and traj.losses[-1] < 0.1
    assert acc[0] < 0.6 and acc[-1] > 0.95
    assert S.optimizer == "gd"  # plain gradient descent, the film's subject
    # No spikes: the loss never rises (the chart falls all the way).
    assert (np.diff(traj.losses) <= 1e-12).all()
    assert net.dim == 57  # "all 57 weights and biases"


def test_network_plane_shows_every_point_inside_its_frame(network_run):
    S, net, _ = network_run
    (x0, x1), (y0, y1) = S.view
    margin = 0.05 * min(x1 - x0, y1 - y0)  # a dot's width and more from every edge
    lo, hi = net.X.min(axis=0), net.X.max(axis=0)
    assert lo[0] - x0 > margin and x1 - hi[0] > margin
    assert lo[1] - y0 > margin and y1 - hi[1] > margin


def test_forward_and_backward_shown_are_the_networks_own(network_run):
    from scenes.common.network import class_probabilities

    _, net, traj = network_run
    p0 = traj.positions[0]
    wrong = np.flatnonzero(net.predict(p0) != net.y)
    assert len(wrong)  # the untrained network gets some point wrong
    i = int(wrong[0])
    x, truth = net.X[i], int(net.y[i])
    fwd = net.forward(p0, x[None])
    probs = class_probabilities(fwd.post[-1][0])
    assert probs.argmax() != truth and probs.sum() == pytest.approx(1.0)
    back = net.backward(p0, x[None], np.array([truth]))
    assert float(back.value) == pytest.approx(-np.log(probs[truth]))  # "loss = -log p"
    # The per-layer gradients shown are the model's: each layer gets a non-zero one.
    assert [g.shape for g in back.dW] == [(2, 5), (5, 5), (5, 2)]
    assert all(np.linalg.norm(g) > 0 for g in back.dW)


def test_network_diagram_edges_show_sign_and_size_of_the_real_weights(network_run):
    from scenes.common.network import NEGATIVE, POSITIVE, NetworkDiagram

    S, net, traj = network_run
    weights = [W for W, _ in net.unflatten(traj.positions[-1])]
    scale = max(float(np.abs(W).max()) for W in weights)
    diagram = NetworkDiagram(S.layers, weights, scale=scale)
    assert [len(g) for g in diagram.edges] == [10, 25, 10]
    for group, W in zip(diagram.edges, weights, strict=True):
        widths, sizes = [], []
        for edge in group:
            w = W[edge.ij]
            expected = POSITIVE if w >= 0 else NEGATIVE
            assert edge.get_stroke_color().to_hex() == expected.to_hex()
            widths.append(edge.get_stroke_width())
            sizes.append(abs(w))
        # Wider edges are larger weights: widths sort exactly as the sizes do.
        order = np.argsort(sizes, kind="stable")
        assert (np.diff(np.array(widths)[order]) >= -1e-9).all()
