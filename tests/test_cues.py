"""Word cues of narrated beats: every word has a time, in order, inside its beat."""

from __future__ import annotations

import itertools

import pytest

from scenes.common.narration import Beat, estimate_word_times

TEXT = "Momentum, the heavy ball, rolls through the bump. The heavy ball keeps going."


def _beat(spoken: float = 6.0) -> Beat:
    return Beat(TEXT, spoken + 0.35, 0.0, None, estimate_word_times(TEXT, spoken))


def test_every_word_has_a_time_in_order_inside_the_beat():
    words = estimate_word_times(TEXT, 6.0)
    assert [w.text for w in words] == TEXT.split()
    assert words[0].start == 0.0
    for a, b in itertools.pairwise(words):
        assert a.start < a.end <= b.start
    assert 5.5 < words[-1].end <= 6.0  # the final full stop's pause ends the speech


def test_cues_name_words_and_phrases_case_and_punctuation_free():
    beat = _beat()
    words = beat.words
    assert beat.at("momentum") == 0.0
    assert beat.at("Heavy ball") == words[2].start
    assert beat.at("heavy ball", occurrence=2) == words[9].start
    assert beat.at("bump") == words[7].start
    with pytest.raises(KeyError, match="valley"):
        beat.at("valley")
    with pytest.raises(KeyError):
        beat.at("heavy ball", occurrence=3)
