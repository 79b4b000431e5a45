"""Section 9's claims, asserted on the runs its scenes draw (optim.presets, models.presets)."""

from __future__ import annotations

import numpy as np
import pytest

from models import presets as deep
from optim import presets


@pytest.fixture(scope="module")
def gradients():
    return deep.layer_gradients()


def test_vanishing_gradients_in_a_deep_sigmoid_network(gradients):
    norms = gradients["sigmoid, small random weights"]
    assert len(norms) == deep.DeepStudy.depth + 1
    assert norms[0] < 1e-4 * norms[-1]  # orders of magnitude below the last layer's
    assert (np.diff(np.log(norms)) > 0).all()


def test_narrated_ratios_are_the_bars_ratios_in_round_words(gradients):
    """The spoken ratios ("half a million times smaller", "two hundred times") lie within
    a factor of 1.6 of the first-to-last ratios the bars show (1, 2 and 5 times a power
    of ten are at most 0.4 apart on a log scale)."""
    from scenes.limitations import SPOKEN, times_in_words

    vanish = gradients["sigmoid, small random weights"]
    explode = gradients["tanh, large random weights"]
    for ratio in (vanish[-1] / vanish[0], explode[0] / explode[-1]):
        said = dict((w, k) for k, w in SPOKEN)[times_in_words(ratio)]
        assert abs(said - np.log10(ratio)) < np.log10(1.6)
    assert times_in_words(495_771) == "half a million"
    assert times_in_words(180) == "two hundred"


def test_exploding_gradients_in_a_deep_tanh_network_with_large_weights(gradients):
    norms = gradients["tanh, large random weights"]
    assert norms[0] > 100 * norms[-1]
    assert (np.diff(np.log(norms)) < 0).all()


def test_relu_with_he_initialisation_keeps_every_layer_in_scale(gradients):
    norms = gradients["ReLU, He initialisation"]
    assert norms.max() < 10 * norms.min()


def test_steps_grow_with_the_condition_number():
    study = presets.Conditioning()
    steps = presets.conditioning(study)
    kappas = np.array(study.kappas)
    i, j = list(kappas).index(100), list(kappas).index(1000)
    # Gradient descent: about kappa / 2 * ln(1 / eps) steps, so 10x kappa is about 10x steps.
    assert 8 < steps["gd"][j] / steps["gd"][i] < 12
    # Tuned momentum: about sqrt(kappa), so 10x kappa is about 3x steps.
    assert 2.5 < steps["momentum"][j] / steps["momentum"][i] < 4.5
    assert (steps["momentum"][1:] < steps["gd"][1:]).all()
    assert steps["gd"][0] == steps["momentum"][0] == 1  # a round bowl: one exact step


def test_newton_and_lbfgs_need_far_fewer_steps_than_gd_on_rosenbrock():
    runs = presets.next_methods()
    gd = runs["gd"]
    assert gd.stopped == "steps"  # still not at the tolerance after 20,000 steps
    for name in ("newton", "lbfgs", "nelder-mead"):
        assert runs[name].stopped == "tol"
        assert runs[name].n_steps * 100 < gd.n_steps
        np.testing.assert_allclose(runs[name].final, [1.0, 1.0], atol=1e-3)
    assert runs["newton"].n_steps < runs["lbfgs"].n_steps < runs["nelder-mead"].n_steps
    assert runs["nelder-mead"].n_gev == 0  # it never asks for a gradient


def test_gradient_descent_reaches_rosenbrocks_valley_floor_at_once_then_crawls():
    """BeyondGradients says: on the valley floor in a few steps, then 20,000 along it."""
    from optim.presets import valley_entry

    gd = presets.next_methods()["gd"]
    x, y = gd.positions[:, 0], gd.positions[:, 1]
    floor = valley_entry(gd.positions)
    assert 0 < floor < 50
    # From then on it stays on the floor, within 0.01 of y = x².
    assert (np.abs(y - x**2)[floor:] < 0.01).all()
    # It crawls: the distance to the minimum shrinks slowly all the way.
    d = np.linalg.norm(gd.positions - [1.0, 1.0], axis=1)
    assert d[gd.n_steps // 4] > 0.1 and d[-1] < 1e-3


def test_hedged_ratios_say_nearly_or_over_unless_the_round_word_is_right():
    from scenes.limitations import hedged_times

    assert hedged_times(180) == "nearly two hundred"
    assert hedged_times(230) == "over two hundred"
    assert hedged_times(201) == "two hundred"
    assert hedged_times(495_771) == "half a million"  # within 2%
    assert hedged_times(450_000) == "nearly half a million"
