"""Word cues of narrated beats: every word has a time, in order, inside its beat, and an
animation run ``until`` a word, or a ``wait_until`` it, ends on that word."""

from __future__ import annotations

import itertools
import json
import math
import shutil
from types import SimpleNamespace

import pytest
import srt
from manim import Wait, tempconfig

from optim import presets
from rendering.caption_split import MAX_CHARS
from rendering.media import ffprobe
from scenes.common import speech
from scenes.common.narration import GAP, Beat, NarratedScene, estimate_duration, estimate_word_times
from scenes.common.words import Word, spoken
from scenes.limitations import Conditioning

TEXT = "Momentum, the heavy ball, rolls through the bump. The heavy ball keeps going."


def _beat(seconds: float = 6.0) -> Beat:
    return Beat(TEXT, seconds + GAP, 0.0, None, estimate_word_times(TEXT, seconds))


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


def test_a_number_takes_as_long_as_it_is_to_say():
    assert spoken("1,460,") == "one thousand four hundred sixty"
    assert spoken("10,362") == "ten thousand three hundred sixty-two"
    assert spoken("0.75.") == "zero point seven five"
    assert spoken("2D") == "2D" and spoken("1e-05") == "1e-05" and spoken("bump.") == "bump."
    words = estimate_word_times("It took 10,362 steps.", 3.0)
    took, number = words[1], words[2]
    assert number.end - number.start > 4 * (took.end - took.start)
    assert estimate_duration("It took 10,362 steps.") > estimate_duration("It took many steps.") + 1


# --- cues in a scene's time: Beat.until and NarratedScene.wait_until ----------------------


class Clock(NarratedScene):
    """A narrated scene without Manim: ``play`` and ``wait`` move its clock on, whole
    frames at a time as Manim's do; captions and sounds are noted."""

    FRAME = 1 / 15

    def __init__(self):
        self.renderer = SimpleNamespace(time=0.0)
        self.waits: list[float] = []
        self.captions: list[tuple[str, float, float]] = []
        self.sounds: list[str] = []

    def play(self, run_time: float) -> None:
        self.renderer.time += math.ceil(run_time / self.FRAME - 1e-9) * self.FRAME

    def wait(self, duration: float) -> None:
        self.waits.append(duration)
        self.play(duration)

    def add_subcaption(self, text: str, duration: float, offset: float = 0) -> None:
        start = self.renderer.time + offset
        self.captions.append((text, start, start + duration))

    def add_sound(self, path: str) -> None:
        self.sounds.append(path)


@pytest.fixture
def silent(monkeypatch):
    monkeypatch.setenv(speech.VOICE_VAR, "none")
    speech.current.cache_clear()
    yield Clock()
    speech.current.cache_clear()


def test_until_runs_an_animation_to_the_word_from_wherever_the_scene_is(silent):
    scene = silent
    scene.play(2.0)  # an earlier line's last animation
    with scene.narrate(TEXT) as beat:
        assert beat.start == 2.0
        assert beat.until("bump") == pytest.approx(beat.at("bump"))
        scene.play(0.6)  # nine frames
        assert beat.until("bump") == pytest.approx(beat.at("bump") - 0.6)
        # Animations run until one cue and then the next start on the next word.
        for cue in ("heavy ball", "rolls", "bump"):
            scene.play(beat.until(cue))
            assert beat.elapsed == pytest.approx(beat.at(cue), abs=Clock.FRAME)
        assert beat.until("heavy ball", occurrence=2) == pytest.approx(
            beat.words[9].start - beat.elapsed
        )
        # A word already said leaves the shortest animation, or the one asked for.
        assert beat.until("momentum") == pytest.approx(1 / 15)
        assert beat.until("momentum", minimum=0.4) == 0.4
        with pytest.raises(KeyError, match="valley"):
            beat.until("valley")


def test_wait_until_holds_the_picture_until_the_word_and_never_goes_back(silent):
    scene = silent
    with scene.narrate(TEXT) as beat:
        scene.wait_until(beat, "bump")
        assert scene.waits == [pytest.approx(beat.at("bump"))]
        assert beat.elapsed == pytest.approx(beat.at("bump"), abs=Clock.FRAME)
        scene.wait_until(beat, "heavy ball")  # said already: nothing to wait for
        scene.wait_until(beat, "bump")
        assert len(scene.waits) == 1
        scene.wait_until(beat, "heavy ball", occurrence=2)
        assert beat.elapsed == pytest.approx(beat.words[9].start, abs=Clock.FRAME)
        with pytest.raises(KeyError, match="valley"):
            scene.wait_until(beat, "valley")


def test_narrate_holds_the_frame_to_the_end_of_its_line_and_captions_its_words(silent):
    scene = silent
    with scene.narrate(TEXT) as beat:
        scene.play(beat.until("bump"))
    assert scene.renderer.time == pytest.approx(beat.duration, abs=Clock.FRAME)
    assert beat.duration == pytest.approx(estimate_duration(TEXT) + GAP)
    assert scene.sounds == []  # silent
    assert " ".join(text.replace("\n", " ") for text, _, _ in scene.captions) == TEXT
    (line,) = scene.narrated_lines()
    assert [w[0] for w in line["words"]] == TEXT.split()
    with scene.narrate("Then the next line.") as second:
        assert second.start == scene.narrated_lines()[1]["start"] == scene.renderer.time
        assert second.at("then") == 0.0


# --- a scene on cues, rendered with the voices that give no word times ---------------------


class RecordedConditioning(Conditioning):
    """Conditioning (its animations on word cues), noting when each animation (not a
    wait) starts."""

    def play(self, *animations, **kwargs):
        if not all(isinstance(a, Wait) for a in animations):
            self.starts = [*getattr(self, "starts", []), self.renderer.time]
        super().play(*animations, **kwargs)


@pytest.mark.render
@pytest.mark.parametrize("engine", ["none", "festival"])
def test_a_scene_on_cues_renders_with_estimated_word_times(engine, tmp_path, monkeypatch):
    if engine == "festival" and shutil.which("text2wave") is None:
        pytest.fail("festival is installed by scripts/setup.sh")
    monkeypatch.setenv(speech.VOICE_VAR, engine)
    monkeypatch.setenv(speech.MODEL_VAR, "")
    monkeypatch.setenv(speech.CACHE_VAR, str(tmp_path / "voice"))
    speech.current.cache_clear()
    try:
        with tempconfig({"quality": "low_quality", "media_dir": str(tmp_path / "media"),
                         "disable_caching": True, "progress_bar": "none"}):  # fmt: skip
            scene = RecordedConditioning()
            scene.render()
    finally:
        speech.current.cache_clear()
    video = next((tmp_path / "media").rglob("RecordedConditioning.mp4"))
    info = ffprobe(video)
    has_audio = any(s["codec_type"] == "audio" for s in info["streams"])
    assert has_audio == (engine == "festival")
    lines = json.loads(video.with_suffix(".words.json").read_text())
    assert float(info["format"]["duration"]) >= lines[-1]["end"]
    for line in lines:
        starts = [w[1] for w in line["words"]]
        assert [w[0] for w in line["words"]] == line["text"].split()
        assert line["start"] <= starts[0] and starts == sorted(starts)
        assert line["words"][-1][2] <= line["end"] + 1e-3
    # The animations cued to words start on them, to within a frame (Manim rounds an
    # animation up to whole frames, a still picture's hold down).
    steps = presets.conditioning(Conditioning.study)
    cues = [(0, "condition number"), (1, "proportion"), (1, f"{steps['gd'][-1]:,}"),
            (2, f"{steps['momentum'][-1]:,}"), (2, "but")]  # fmt: skip
    for i, cue in cues:
        words = [Word(*w) for w in lines[i]["words"]]
        said = Beat(lines[i]["text"], 0.0, 0.0, None, words).at(cue)
        assert any(abs(t - said) < 1 / 15 for t in scene.starts), (cue, said, scene.starts)
    cues_srt = list(srt.parse(video.with_suffix(".srt").read_text()))
    assert len(cues_srt) >= len(lines)
    for c in cues_srt:
        rows = c.content.split("\n")
        assert len(rows) <= 2 and all(len(r) <= MAX_CHARS for r in rows)
