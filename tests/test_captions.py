"""Captions: the broadcast split, the film's word-timed WebVTT, a narrated render whose
captions show each word while it is spoken, and a short film (its first two scenes, joined
by render.py) whose joined and burned-in captions keep the split."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import srt
import webvtt

import render
import rendering.join as joining
from rendering.caption_split import MAX_CHARS, MAX_SECONDS, MIN_SECONDS, split_captions, wrap
from rendering.captions import join_captions, join_words, word_timed_vtt
from rendering.media import ffprobe
from rendering.settings import NAME
from scenes.common.words import Word, estimate_word_times
from scenes.order import ORDER

LONG = (
    "Real loss landscapes are rarely one smooth bowl. This is Rastrigin's function: a bowl "
    "covered in bumps, with a local minimum in every dip, and a single global minimum at the "
    "centre. Gradient descent, started at random, stops in whichever dip it lands in; "
    "momentum and noise can carry it over the smaller bumps, but not all of them."
)


def check_limits(captions, words, end=None):
    """The broadcast rules, and that the captions are the words, in order, each on screen
    while it is said."""
    assert [w for c in captions for w in c.words] == list(words)
    for c in captions:
        assert 1 <= len(c.lines) <= 2
        assert all(len(line) <= MAX_CHARS for line in c.lines)
        assert MIN_SECONDS - 1e-9 <= c.end - c.start <= MAX_SECONDS + 1e-9
        for w in c.words:
            assert c.start <= w.start < c.end
    for a, b in itertools.pairwise(captions):
        assert a.end <= b.start + 1e-9
    if end is not None:
        assert captions[-1].end >= end - 1e-9


def test_a_long_line_splits_within_the_limits_at_sentence_and_clause_ends():
    words = estimate_word_times(LONG, 24.0)
    captions = split_captions(words, end=24.0)
    check_limits(captions, words, end=24.0)
    assert len(captions) >= 5
    # Sentences never continue into a caption's first line from the previous caption.
    for c in captions[:-1]:
        assert c.words[-1].text[-1] in ".,;:" or c.words[-1].key in ("and", "but")
    assert captions[0].text == "Real loss landscapes are\nrarely one smooth bowl."


def test_short_lines_stay_whole_and_last_at_least_a_second():
    words = [Word("Yes.", 0.1, 0.4)]
    (only,) = split_captions(words, end=0.4)
    assert only.text == "Yes." and only.end - only.start == pytest.approx(MIN_SECONDS)


def test_two_lines_break_at_punctuation_and_not_after_a_weak_word():
    assert wrap("Then you feel the slope again, and step again.".split()) == [
        "Then you feel the slope again,",
        "and step again.",
    ]
    lines = wrap("Step after step the ground flattens out and the steps get shorter".split())
    assert lines and not lines[0].endswith((" the", " and"))
    assert wrap(["x" * 30] * 3) is None


def test_every_caption_of_a_long_paragraph_fits_whatever_the_pace():
    for seconds in (30.0, 45.0, 90.0):  # 3.5 to 1.2 words a second
        words = estimate_word_times(LONG + " " + LONG, seconds)
        check_limits(split_captions(words, end=seconds), words, end=seconds)


def test_word_timed_vtt_tags_each_later_word_inside_its_cue():
    lines = [
        {
            "text": "Feel the slope, step downhill.",
            "start": 0.5,
            "end": 2.5,
            "words": [
                [w.text, w.start + 0.5, w.end + 0.5]
                for w in estimate_word_times("Feel the slope, step downhill.", 2.0)
            ],
        }
    ]
    words = join_words([lines, lines], [Fraction(3), Fraction(3)])
    assert [w.start for w in words][5] == pytest.approx(3.5)  # the second scene starts at 3 s
    captions = [
        srt.Subtitle(0, srt.timedelta(seconds=c.start), srt.timedelta(seconds=c.end), c.text)
        for c in split_captions(words[:5], end=2.5)
    ]
    scene_srt = srt.compose(captions)
    film_srt = join_captions([scene_srt, scene_srt], [Fraction(3), Fraction(3)])
    text = word_timed_vtt(film_srt, words)
    cues = webvtt.from_string(text)
    assert len(cues) == 2
    assert cues[1].start == "00:00:03.500"
    assert cues[0].raw_text.startswith("Feel <00:00:00.")
    assert cues[0].text == "Feel the slope, step downhill."  # tags are not text


# --- a narrated render, with the default voice --------------------------------------------


#: The film's first two scenes: a short film, made as the film is.
SHORT = ("Title", "Hook")


@pytest.fixture(scope="module")
def short_film(tmp_path_factory) -> Path:
    """Title and Hook rendered (-ql) and joined by render.py: the film's pipeline, short."""
    out = tmp_path_factory.mktemp("short_film")
    order = [e for e in ORDER if e.scene in SHORT]
    assert render.main(["--all", "-q", "l", "--out", str(out)], order=order) == 0
    return out


@pytest.fixture(scope="module")
def narrated(short_film) -> Path:
    (entry,) = (short_film / "scenes").glob("Hook-l-*")
    return entry


@pytest.mark.render
def test_every_word_of_every_line_has_a_time_in_order_inside_its_line(narrated):
    lines = json.loads((narrated / "scene.words.json").read_text())
    assert lines
    for line in lines:
        words = [Word(*row) for row in line["words"]]
        assert [w.text for w in words] == line["text"].split()
        assert line["start"] <= words[0].start
        assert words[-1].end <= line["end"] + 1e-3
        for w in words:
            assert w.start <= w.end
        for a, b in itertools.pairwise(words):
            assert a.end <= b.start + 1e-3


@pytest.mark.render
def test_scene_captions_obey_the_limits_and_show_each_word_while_it_is_said(narrated):
    lines = json.loads((narrated / "scene.words.json").read_text())
    words = [Word(*row) for line in lines for row in line["words"]]
    cues = list(srt.parse((narrated / "scene.srt").read_text()))
    assert [t for c in cues for t in c.content.split()] == [w.text for w in words]
    i = 0
    for c in cues:
        rows = c.content.split("\n")
        assert len(rows) <= 2 and all(len(r) <= MAX_CHARS for r in rows)
        seconds = (c.end - c.start).total_seconds()
        assert MIN_SECONDS - 0.002 <= seconds <= MAX_SECONDS + 0.002
        for _ in c.content.split():
            # Each word starts while its caption is up (SRT keeps whole milliseconds).
            assert c.start.total_seconds() - 0.001 <= words[i].start < c.end.total_seconds()
            i += 1


def check_srt_limits(text: str) -> list[srt.Subtitle]:
    """The broadcast limits on an SRT: at most two lines of at most 42 characters, each
    caption 1 to 7 s (SRT keeps whole milliseconds), none overlapping the next."""
    cues = list(srt.parse(text))
    assert cues
    for c in cues:
        rows = c.content.split("\n")
        assert 1 <= len(rows) <= 2 and all(0 < len(r) <= MAX_CHARS for r in rows), c
        seconds = (c.end - c.start).total_seconds()
        assert MIN_SECONDS - 0.002 <= seconds <= MAX_SECONDS + 0.002, c
    for a, b in itertools.pairwise(cues):
        assert a.end <= b.start
    return cues


def scene_entries(out: Path) -> list[Path]:
    """A render's scene folders, in film order."""
    report = json.loads((out / "render-report.json").read_text())
    return [next((out / "scenes").glob(f"{s['scene']}-l-*")) for s in report["scenes"]]


@pytest.mark.render
def test_the_joined_films_captions_obey_the_limits_and_keep_every_word(short_film):
    """The film's SRT, as render.py joins it (each scene's captions shifted, clipped at its
    end, overlaps trimmed), still splits as broadcasters do."""
    cues = check_srt_limits((short_film / f"{NAME}.srt").read_text())
    entries = scene_entries(short_film)
    assert [e.name.split("-")[0] for e in entries] == list(SHORT)
    words = [row[0] for e in entries for line in json.loads((e / "scene.words.json").read_text())
             for row in line["words"]]  # fmt: skip
    assert [t for c in cues for t in c.content.split()] == words
    # The second scene's captions start after the first scene's end.
    title = json.loads((short_film / "render-report.json").read_text())["scenes"][0]["length"]
    first = len(list(srt.parse((entries[0] / "scene.srt").read_text())))
    assert cues[first].start.total_seconds() >= title - 0.001


def gray_frame(video: Path, seconds: float) -> np.ndarray:
    """The frame shown at ``seconds``, in grey levels."""
    info = ffprobe(video)
    stream = next(s for s in info["streams"] if s["codec_type"] == "video")
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(stream["height"], stream["width"]).astype(float)


@pytest.mark.render
def test_burned_in_subtitles_are_the_split_captions(short_film, tmp_path, monkeypatch):
    """--burn-subtitles hands ffmpeg the film's split captions, and they show in the picture."""
    out = tmp_path / "out"
    shutil.copytree(short_film, out)
    burned: list[str] = []

    def ffmpeg(args, cwd, limit):
        if "subtitles=captions.srt" in args:
            burned.append((Path(cwd) / "captions.srt").read_text(encoding="utf-8"))
        return real(args, cwd, limit)

    real = joining.run_ffmpeg
    monkeypatch.setattr(joining, "run_ffmpeg", ffmpeg)
    order = [e for e in ORDER if e.scene in SHORT]
    code = render.main(["--all", "-q", "l", "--out", str(out), "--burn-subtitles"], order=order)
    assert code == 0
    assert json.loads((out / "render-report.json").read_text())["video"]["status"] == "joined"
    (text,) = burned
    assert text == (out / f"{NAME}.srt").read_text() == (short_film / f"{NAME}.srt").read_text()
    cues = check_srt_limits(text)
    # Burned where a caption shows: the bottom of the picture differs from the scene's own
    # video there, and the top does not.
    first = cues[0]
    middle = (first.start + first.end).total_seconds() / 2
    title = scene_entries(out)[0] / "scene.mov"
    film, scene = gray_frame(out / f"{NAME}.mp4", middle), gray_frame(title, middle)
    rows = len(film)
    assert np.abs(film[-rows // 4 :] - scene[-rows // 4 :]).mean() > 3 * max(
        np.abs(film[: rows // 2] - scene[: rows // 2]).mean(), 0.5
    )
