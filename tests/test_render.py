"""render.py: parsing and bad input, joining, chapters, captions, caching, failures, Ctrl-C, Dask.

Everything renders tiny fixture scenes (tests/fixtures/render_project, about a second each
at -ql) from a copy of that project in a temporary folder, never the film's own scenes.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest
import srt
import webvtt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # render.py is a script at the project root, not a package
    sys.path.insert(0, str(ROOT))

import render  # noqa: E402
from rendering.cache import scene_key  # noqa: E402
from rendering.captions import join_captions  # noqa: E402
from rendering.chapters import chapters_for, ffmetadata  # noqa: E402
from rendering.checks import check_scene  # noqa: E402
from rendering.dependencies import Project, scene_statements  # noqa: E402
from rendering.files import TMP_MARK  # noqa: E402
from rendering.media import ffprobe  # noqa: E402
from rendering.order import load_order  # noqa: E402
from rendering.settings import VOICE_MODULE  # noqa: E402
from rendering.times import clock  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "render_project"
NAME = "gradient-descent-explained"
FRAME = 1 / 15  # -ql renders at 15 frames per second


# --- helpers ---------------------------------------------------------------------------------


def copy_project(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def run(project: Path, out: Path, *args: str, order: str = "ORDER") -> tuple[int, str, str]:
    """render.main on the fixture project at -ql; returns (exit code, stdout, stderr)."""
    argv = ["--root", str(project), "--order", f"{project / 'order.py'}:{order}"]
    argv += ["--out", str(out), "-q", "l", *args]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = render.main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def report(out: Path) -> dict:
    return json.loads((out / "render-report.json").read_text())


def statuses(out: Path) -> dict[str, str]:
    return {s["scene"]: s["status"] for s in report(out)["scenes"]}


def copy_film(film: dict, dest: Path) -> tuple[Path, Path]:
    """A private copy of the rendered fixture project and its output folder."""
    project = copy_project(dest / "project")
    out = dest / "out"
    shutil.copytree(film["out"], out)
    return project, out


def cues(text: str) -> list[tuple[int, int, str]]:
    """SRT text as (start ms, end ms, text)."""
    ms = 1000
    return [
        (round(c.start.total_seconds() * ms), round(c.end.total_seconds() * ms), c.content)
        for c in srt.parse(text)
    ]


def keys(project: Path, order: str = "ORDER", quality: str = "l", voice: str = "festival"):
    """Every scene's cache key, computed from the sources as a run would."""
    entries = load_order(f"{project / 'order.py'}:{order}", project)
    sources = Project(project)
    return {e.scene: scene_key(e, sources, quality, voice) for e in entries}


def changed(before: dict, after: dict) -> set[str]:
    return {scene for scene in before if before[scene] != after[scene]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def processes_mentioning(text: str) -> list[int]:
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if text.encode() in cmdline.read_bytes():
                pids.append(int(cmdline.parent.name))
    return [p for p in pids if p != os.getpid()]


# --- the film: the fixture project rendered once, shared by the tests that only read it ------


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("film")
    project = copy_project(base / "project")
    out = base / "out"
    code, stdout, stderr = run(project, out, "--all", "--jobs", "2")
    assert code == 0, stdout + stderr
    first = report(out)  # later tests run again in the same folder
    return {"project": project, "out": out, "stdout": stdout, "report": first}


# --- argument parsing and bad input ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--all", "-q", "x"], "invalid choice: 'x'"),
        (["--scene", "Nope"], "unknown scene 'Nope'; valid scenes: One, Two, Three"),
        ([], "say what to render"),
        (["--all", "--scene", "One"], "not allowed with argument"),
        (["--all", "--jobs", "0"], "must be at least 1"),
        (["--all", "--jobs", "many"], "not a whole number"),
        (["--all", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, needle):
    code = render.main(
        ["--root", str(FIXTURE), "--order", f"{FIXTURE / 'order.py'}:ORDER",
         "--out", str(tmp_path / "out"), *args]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("render.py: error: ")
    assert needle in err
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_cannot_be_written(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    for out in (blocker / "build", blocker):
        code = render.main(
            ["--root", str(FIXTURE), "--order", f"{FIXTURE / 'order.py'}:ORDER",
             "--out", str(out), "--all"]
        )  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2
        assert err.count("\n") == 1 and err.startswith("render.py: error: --out ")
    assert blocker.read_text() == "not a folder\n"


def test_an_order_that_cannot_be_loaded(tmp_path, capsys):
    code = render.main(["--order", f"{tmp_path / 'nope.py'}:ORDER", "--list"])
    assert code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_bad_input_from_the_command_line_has_no_traceback(tmp_path):
    for args in (["--all", "-q", "z"], ["--scene", "Nope"]):
        proc = subprocess.run(
            [sys.executable, str(ROOT / "render.py"), "--root", str(FIXTURE),
             "--order", f"{FIXTURE / 'order.py'}:ORDER", "--out", str(tmp_path), *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "valid scenes: One, Two, Three" in proc.stderr


def test_list_shows_the_scenes_in_order_with_their_sections(capsys):
    code = render.main(
        ["--root", str(FIXTURE), "--order", f"{FIXTURE / 'order.py'}:ORDER", "--list"]
    )
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines] == ["One", "Two", "Three"]
    assert lines[0].endswith("Shapes arrive") and lines[2].endswith("Words leave")


def test_dry_run_renders_nothing(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    code, stdout, _ = run(project, out, "--all", "--dry-run")
    assert code == 0
    assert stdout.count("would render") == 4  # three scenes and the total
    assert "would render 3 of 3 scenes" in stdout
    assert not out.exists()


def test_dry_run_on_a_rendered_film_shows_the_cache(film, tmp_path):
    code, stdout, _ = run(film["project"], film["out"], "--all", "--dry-run")
    assert code == 0
    assert stdout.count("cached") == 3
    assert "would render 0 of 3 scenes" in stdout
    assert "would join 3 scenes" in stdout


# --- pure helpers ----------------------------------------------------------------------------


def test_clock_reads_as_people_read_times():
    assert clock(0) == "0:00"
    assert clock(Fraction(5_999, 1000)) == "0:05"  # cut, not rounded: as video sites show
    assert clock(65) == "1:05"
    assert clock(3_723) == "1:02:03"
    assert clock(Fraction(59_960, 1000), 1) == "0:59.9"
    assert clock(None) == "–"


def test_chapters_merge_consecutive_scenes_of_a_section():
    class E:
        def __init__(self, section):
            self.section, self.section_title = section, f"S{section}"

    entries = [E(0), E(1), E(1), E(2), E(1)]
    lengths = [Fraction(1), Fraction(2), Fraction(3), Fraction(1, 2), Fraction(1)]
    chapters = chapters_for(entries, lengths)
    assert [(c.title, c.start_ms, c.end_ms) for c in chapters] == [
        ("S0", 0, 1000),
        ("S1", 1000, 6000),
        ("S2", 6000, 6500),
        ("S1", 6500, 7500),
    ]
    meta = ffmetadata(chapters, "A; title = #1")
    assert meta.startswith(";FFMETADATA1\ntitle=A\\; title \\= \\#1\n")
    assert meta.count("[CHAPTER]") == 4 and "TIMEBASE=1/1000" in meta


def test_captions_are_shifted_clipped_and_renumbered():
    a = "1\n00:00:00,000 --> 00:00:00,800\nfirst\n\n2\n00:00:00,500 --> 00:00:03,000\nsecond\n"
    b = "1\n00:00:00,100 --> 00:00:00,400\nthird\nline two\n\n2\n00:00:09,000 --> 00:00:09,500\nx\n"
    text = join_captions([a, b], [Fraction(1), Fraction(2)])
    assert cues(text) == [
        (0, 500, "first"),  # ends where the next begins
        (500, 1000, "second"),  # clipped at the end of its scene
        (1100, 1400, "third\nline two"),
        # the cue past the end of the second scene is dropped
    ]
    assert text.startswith("1\n00:00:00,000 --> 00:00:00,500\nfirst\n\n2\n")


def test_a_formula_compiled_for_one_scene_is_not_compiled_again_for_the_next(tmp_path, monkeypatch):
    from manim import config
    from manim.utils.tex_file_writing import tex_to_svg_file

    from rendering.worker import keep_tex, seed_tex

    store = tmp_path / "store"
    first, second = tmp_path / "first" / "Tex", tmp_path / "second" / "Tex"
    seed_tex(store, first)  # no store yet: an empty tex folder
    monkeypatch.setitem(config, "tex_dir", str(first))
    compiled = tex_to_svg_file(r"\nabla f(x) = 2x", environment="align*")
    keep_tex(first, store)
    (store / f".half{TMP_MARK}1.svg").write_text("<svg")  # a killed run's temporary
    seed_tex(store, second)
    assert sorted(p.name for p in second.iterdir()) == [compiled.name]
    assert (second / compiled.name).stat().st_ino == (store / compiled.name).stat().st_ino
    # With no LaTeX to be found, the next scene's Manim still gets its formula.
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    monkeypatch.setitem(config, "tex_dir", str(second))
    assert tex_to_svg_file(r"\nabla f(x) = 2x", environment="align*") == second / compiled.name
    # Storing again keeps the store's file as it is.
    before = (store / compiled.name).stat().st_mtime_ns
    keep_tex(second, store)
    assert (store / compiled.name).stat().st_mtime_ns == before


# --- cache keys: what re-renders after an edit ----------------------------------------------


def test_a_comment_or_docstring_edit_changes_no_key(tmp_path):
    project = copy_project(tmp_path / "project")
    before = keys(project) | keys(project, "PAIR")
    edit(
        project / "scenes" / "two.py",
        "    def construct(self):\n",
        "    def construct(self):\n        # why\n",
    )
    edit(project / "scenes" / "pair.py", "The shape a scene draws.", "What a scene\n    draws.")
    edit(project / "scenes" / "one.py", '"""A square, with two captions."""', "# A square.")
    edit(project / "optim" / "pace.py", "    return 0.8", "    # a comment\n\n    return (0.8)")
    assert keys(project) | keys(project, "PAIR") == before


def test_a_scene_edit_changes_that_scene_only(tmp_path):
    project = copy_project(tmp_path / "project")
    pair = project / "scenes" / "pair.py"
    before = keys(project, "PAIR")
    edit(pair, 'shape("square")', 'shape("triangle")')
    after = keys(project, "PAIR")
    assert changed(before, after) == {"Left"}
    edit(pair, "run = 0.5", "run = 0.6")  # the base class both use
    assert changed(after, keys(project, "PAIR")) == {"Left", "Right"}


def test_an_optim_edit_changes_exactly_the_scenes_importing_it(tmp_path):
    project = copy_project(tmp_path / "project")
    before = keys(project)
    edit(project / "optim" / "pace.py", "return 0.8", "return 0.9")
    after = keys(project)
    assert changed(before, after) == {"Three"}
    # Project packages are found where they are, not from a list: a new one counts too.
    (project / "extra").mkdir()
    (project / "extra" / "__init__.py").write_text("SIDE = 2.0\n")
    edit(
        project / "scenes" / "one.py",
        "from manim import",
        "from extra import SIDE\nfrom manim import",
    )
    edit(project / "scenes" / "one.py", "Square()", "Square(side_length=SIDE)")
    with_extra = keys(project)
    edit(project / "extra" / "__init__.py", "2.0", "3.0")
    assert changed(with_extra, keys(project)) == {"One"}


def test_data_files_a_module_names_are_in_the_key(tmp_path):
    project = copy_project(tmp_path / "project")
    (project / "optim" / "pace.csv").write_text("fade\n0.8\n")
    edit(project / "optim" / "pace.py", "    return 0.8", '    return 0.8 if "pace.csv" else 0')
    before = keys(project)
    (project / "optim" / "pace.csv").write_text("fade\n0.9\n")
    assert changed(before, keys(project)) == {"Three"}


def test_quality_and_manim_config_change_every_key(tmp_path):
    project = copy_project(tmp_path / "project")
    before = keys(project)
    assert changed(before, keys(project, quality="h")) == {"One", "Two", "Three"}
    (project / "manim.cfg").write_text((project / "manim.cfg").read_text() + "frame_rate = 30\n")
    assert changed(before, keys(project)) == {"One", "Two", "Three"}


def test_a_voice_change_changes_every_narrated_scene_and_no_other():
    film = Project(ROOT)
    entries = load_order("scenes.order:ORDER", ROOT)
    narrated = {
        e.scene for e in entries if VOICE_MODULE in film.scene(ROOT / e.path, e.scene).modules
    }
    assert narrated == {e.scene for e in entries}  # every scene of the film speaks
    festival = {e.scene: scene_key(e, film, "l", "festival") for e in entries}
    silent = {e.scene: scene_key(e, film, "l", "none") for e in entries}
    assert changed(festival, silent) == narrated
    # The fixture scenes do not speak: the voice is not in their keys.
    assert keys(FIXTURE, voice="festival") == keys(FIXTURE, voice="espeak-ng")


def test_editing_a_piper_models_config_changes_the_voice(tmp_path):
    from scenes.common.speech import Voice

    model = tmp_path / "voice.onnx"
    model.write_bytes(b"model")
    config = tmp_path / "voice.onnx.json"
    config.write_text('{"length_scale": 1.0}')
    before = Voice("piper", str(model)).id
    assert Voice("piper", str(model)).id == before
    os.utime(config, ns=(1, 1))  # the config edited, the model not
    assert Voice("piper", str(model)).id != before


def test_an_unknown_voice_is_bad_input(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GDE_VOICE", "bogus")
    project = copy_project(tmp_path / "project")
    code, _, stderr = run(project, tmp_path / "out", "--all")
    assert code == 2
    assert stderr.count("\n") == 1 and "GDE_VOICE='bogus'" in stderr
    assert not (tmp_path / "out").exists()  # checked before any work, not once per scene


def test_static_checks_catch_missing_files_and_classes(tmp_path):
    project = copy_project(tmp_path / "project")
    order = load_order(f"{project / 'order.py'}:UNWRITTEN", project)
    assert check_scene(order[0], project).ok
    assert check_scene(order[1], project).error == "scenes/later.py does not exist"
    (project / "scenes" / "later.py").write_text(
        "from manim import Scene\n\nclass Sooner(Scene):\n"
    )
    assert "SyntaxError" in check_scene(order[1], project).error
    (project / "scenes" / "later.py").write_text(
        "from manim import Scene\n\nclass Sooner(Scene): ...\n"
    )
    assert check_scene(order[1], project).error == "scenes/later.py defines no class Later"


# --- rendering and joining -------------------------------------------------------------------


@pytest.mark.render
def test_first_run_renders_every_scene(film):
    r = film["report"]
    assert {s["scene"]: s["status"] for s in r["scenes"]} == {
        "One": "rendered",
        "Two": "rendered",
        "Three": "rendered",
    }
    assert r["exit_code"] == 0 and r["video"]["status"] == "joined"
    assert [s["had_audio"] for s in r["scenes"]] == [False, True, False]
    assert "video:" in film["stdout"] and "scenes" in film["stdout"]  # the summary table
    assert not (film["out"] / "work").exists()


@pytest.mark.render
def test_joined_video_has_chapters_one_aac_track_and_the_scenes_length(film):
    info = ffprobe(film["out"] / f"{NAME}.mp4")
    video = [s for s in info["streams"] if s["codec_type"] == "video"]
    audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
    assert len(video) == 1 and len(audio) == 1
    assert audio[0]["codec_name"] == "aac"
    # One chapter per storyboard section, in order, with the section titles.
    titles = [c["tags"]["title"] for c in info["chapters"]]
    assert titles == ["Shapes arrive", "Words leave"]
    # The length is the sum of the scenes' (measured on the cached scene files), within a frame.
    scenes = sorted((film["out"] / "scenes").glob("*/scene.mov"))
    assert len(scenes) == 3
    total = sum(float(ffprobe(p)["format"]["duration"]) for p in scenes)
    length = float(info["format"]["duration"])
    assert abs(length - total) <= FRAME
    assert abs(length - sum(s["length"] for s in report(film["out"])["scenes"])) <= FRAME
    assert abs(float(audio[0]["duration"]) - float(video[0]["duration"])) <= 0.1
    # The second chapter starts where the second section's first scene starts (1.0 + 1.2 s).
    assert float(info["chapters"][1]["start_time"]) == pytest.approx(2.2, abs=0.002)
    assert float(info["chapters"][-1]["end_time"]) == pytest.approx(length, abs=FRAME)


@pytest.mark.render
def test_captions_are_well_formed_and_inside_the_video(film):
    text = (film["out"] / f"{NAME}.srt").read_text()
    length = float(ffprobe(film["out"] / f"{NAME}.mp4")["format"]["duration"])
    blocks = text.strip().split("\n\n")
    stamp = r"\d{2}:\d{2}:\d{2},\d{3}"
    for i, block in enumerate(blocks, 1):
        lines = block.split("\n")
        assert lines[0] == str(i)
        assert re.fullmatch(f"{stamp} --> {stamp}", lines[1])
        assert lines[2:] and all(lines[2:])
    found = cues(text)
    assert [c[2] for c in found] == [
        "A square appears.",
        "It waits.",
        "A tone plays.",
        "A caption longer than its scene.",
    ]
    for (s, e, _), nxt in zip(found, [*found[1:], None], strict=True):
        assert 0 <= s < e <= length * 1000 + 1
        if nxt:
            assert e <= nxt[0]
    assert found[2][0] == 1000  # the second scene starts at 1 s
    assert found[3][1] == pytest.approx(length * 1000, abs=1)  # clipped at the end
    # The WebVTT holds the same captions (these scenes narrate nothing: no word tags).
    vtt = webvtt.from_string((film["out"] / f"{NAME}.vtt").read_text())
    assert [c.text for c in vtt] == [c[2] for c in found]
    stamps = [f"00:00:{ms // 1000:02d}.{ms % 1000:03d}" for ms, _, _ in found]
    assert [c.start for c in vtt] == stamps


@pytest.mark.render
def test_chapters_txt_is_a_video_description(film):
    lines = (film["out"] / "chapters.txt").read_text().splitlines()
    assert lines == ["0:00 Shapes arrive", "0:02 Words leave"]


@pytest.mark.render
def test_second_run_renders_nothing(film):
    code, stdout, _ = run(film["project"], film["out"], "--all")
    assert code == 0
    assert statuses(film["out"]) == {"One": "cached", "Two": "cached", "Three": "cached"}
    assert report(film["out"])["video"]["status"] == "up to date"
    assert "rendered" not in stdout


@pytest.mark.render
def test_editing_one_scene_renders_only_that_scene(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    before = (out / f"{NAME}.mp4").read_bytes()
    scene = project / "scenes" / "two.py"
    scene.write_text(scene.read_text().replace("self.wait(0.7)", "self.wait(0.5)"))
    code, _, stderr = run(project, out, "--all")
    assert code == 0, stderr
    assert statuses(out) == {"One": "cached", "Two": "rendered", "Three": "cached"}
    assert report(out)["video"]["status"] == "joined"
    assert (out / f"{NAME}.mp4").read_bytes() != before
    assert float(ffprobe(out / f"{NAME}.mp4")["format"]["duration"]) == pytest.approx(
        3.4, abs=FRAME
    )
    assert len(list((out / "scenes").glob("Two-l-*"))) == 1  # the old entry is replaced


@pytest.mark.render
def test_a_comment_edit_renders_nothing_and_an_optim_edit_renders_its_scenes(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    pace = project / "optim" / "pace.py"
    edit(
        project / "scenes" / "two.py",
        "    def construct(self):\n",
        "    def construct(self):\n        # why\n",
    )
    edit(pace, "Seconds a word takes to fade out.", "How long a fade takes.")
    code, _, stderr = run(project, out, "--all")
    assert code == 0, stderr
    assert statuses(out) == {"One": "cached", "Two": "cached", "Three": "cached"}
    assert report(out)["video"]["status"] == "up to date"
    edit(pace, "return 0.8", "return 0.6")
    code, _, stderr = run(project, out, "--all")
    assert code == 0, stderr
    assert statuses(out) == {"One": "cached", "Two": "cached", "Three": "rendered"}
    assert float(ffprobe(out / f"{NAME}.mp4")["format"]["duration"]) == pytest.approx(
        3.4, abs=FRAME
    )


@pytest.mark.render
def test_some_scenes_with_the_others_cached_still_make_the_film(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    (out / f"{NAME}.mp4").unlink()
    code, _, _ = run(project, out, "--scene", "three")  # names match case-insensitively
    assert code == 0
    assert statuses(out) == {"Three": "cached"}
    assert report(out)["video"]["status"] == "joined"
    assert (out / f"{NAME}.mp4").exists()


@pytest.mark.render
def test_a_failing_scene_keeps_the_others_and_the_previous_film(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    before = (out / f"{NAME}.mp4").read_bytes()
    code, stdout, stderr = run(project, out, "--all", order="FAILING")
    assert code == 1
    assert statuses(out) == {"One": "cached", "Boom": "failed", "Three": "cached"}
    boom = next(s for s in report(out)["scenes"] if s["scene"] == "Boom")
    assert boom["error"] == "RuntimeError: deliberate failure in the Boom fixture scene"
    assert "FAILED Boom: RuntimeError: deliberate failure in the Boom fixture scene" in stderr
    assert (out / "logs" / "Boom.log").exists()
    assert (out / f"{NAME}.mp4").read_bytes() == before  # untouched, not half-written
    assert "left as it was" in stdout
    assert not [p for p in out.iterdir() if p.name.startswith(".join-") or TMP_MARK in p.name]


@pytest.mark.render
def test_a_scene_not_written_yet_fails_alone_and_no_film_is_written(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    for p in out.glob(f"{NAME}.*"):
        p.unlink()
    code, _, stderr = run(project, out, "--all", order="UNWRITTEN")
    assert code == 1
    assert statuses(out) == {"One": "cached", "Later": "failed"}
    assert "FAILED Later: scenes/later.py does not exist" in stderr
    assert not list(out.glob(f"{NAME}.*"))


@pytest.mark.render
def test_burned_in_subtitles_keep_chapters_and_length(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    code, _, stderr = run(project, out, "--all", "--burn-subtitles")
    assert code == 0, stderr
    assert report(out)["video"]["status"] == "joined"  # a different film: joined again
    info = ffprobe(out / f"{NAME}.mp4")
    assert len(info["chapters"]) == 2
    assert float(info["format"]["duration"]) == pytest.approx(3.6, abs=FRAME)
    assert [s["codec_type"] for s in info["streams"]][:2] == ["video", "audio"]


@pytest.mark.render
def test_ctrl_c_stops_the_workers_and_the_next_run_resumes(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "render.py"), "--root", str(project),
           "--order", f"{project / 'order.py'}:SLEEPY", "--out", str(out), "-ql", "--all",
           "--jobs", "2"]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # As in a terminal, whatever the test runner's own signal settings.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 90
        while not list((out / "scenes").glob("One-l-*/meta.json")):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        while not [p for p in processes_mentioning(str(out)) if p != proc.pid]:
            assert time.monotonic() < deadline  # the sleepy scene's Manim is running
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, output
    assert "Traceback" not in output
    assert "interrupted: 1 finished scenes are kept" in output
    time.sleep(0.5)
    assert processes_mentioning(str(out)) == []  # no worker or Manim left behind
    assert statuses(out) == {"One": "rendered", "Sleepy": "interrupted"}
    assert not (out / "work").exists() or not any((out / "work").iterdir())
    code, stdout, _ = run(project, out, "--all", "--dry-run", order="SLEEPY")
    assert code == 0 and "would render 1 of 2 scenes" in stdout


@pytest.mark.render
def test_dask_cluster_renders_and_ships_the_scenes_back(tmp_path):
    distributed = pytest.importorskip("distributed")
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        code, stdout, stderr = run(
            project, out, "--all", "--dask", cluster.scheduler_address, order="SILENT"
        )
        with distributed.Client(cluster) as client:
            # The task's code travelled with it: the worker never imported render.py
            # or the rendering package from a shared filesystem.
            imported = client.run(
                lambda: any(m == "render" or m.startswith("rendering") for m in sys.modules)
            )
    assert code == 0, stdout + stderr
    assert not any(imported.values())
    r = report(out)
    assert r["executor"] == f"dask:{cluster.scheduler_address}"
    assert statuses(out) == {"One": "rendered", "Three": "rendered"}
    info = ffprobe(out / f"{NAME}.mp4")
    assert [c["tags"]["title"] for c in info["chapters"]] == ["Shapes arrive", "Words leave"]
    assert float(info["format"]["duration"]) == pytest.approx(2.4, abs=FRAME)
    assert "the video is silent, with captions only" in stdout


def test_bad_dask_address_is_bad_input(tmp_path, capsys):
    pytest.importorskip("distributed")
    project = copy_project(tmp_path / "project")
    code, _, stderr = run(project, tmp_path / "out", "--all", "--dask", "tcp://127.0.0.1:9")
    assert code == 2
    assert stderr.count("\n") == 1 and "cannot reach the Dask scheduler" in stderr


@pytest.mark.parametrize("present", [(), ("voice.onnx",)])
def test_piper_model_errors_are_one_line(tmp_path, present):
    model = tmp_path / "voice.onnx"
    for name in present:
        (tmp_path / name).write_bytes(b"not really a model")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "render.py"), "--all", "--piper-model", str(model)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    missing = "no voice config" if present else "no model file"
    assert missing in proc.stderr


def test_statements_a_scene_needs_from_its_file():
    tree = ast.parse(
        "import numpy as np\nfrom manim import *\nfrom optim import run\nconfig.frame_rate = 30\n"
        "N = 3\ndef helper():\n    return np.ones(N)\n"
        "class A(Scene):\n    def construct(self):\n        helper()\n"
        "class B(Scene):\n    def construct(self):\n        run()\n"
    )
    kept = [ast.unparse(s).split("\n")[0] for s in scene_statements(tree, "A")]
    assert kept == [
        "import numpy as np",
        "from manim import *",
        "config.frame_rate = 30",
        "N = 3",
        "def helper():",
        "class A(Scene):",
    ]


# --- hardening: time limits, kills, damaged caches, concurrent runs, bad places ----------------


def start_render(project: Path, out: Path, *args: str, order: str = "ORDER") -> subprocess.Popen:
    """render.py as a user starts it, in its own process group, output captured."""
    cmd = [sys.executable, str(ROOT / "render.py"), "--root", str(project),
           "--order", f"{project / 'order.py'}:{order}", "--out", str(out), "-ql", *args]  # fmt: skip
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def wait_for(condition, seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.1)


@pytest.mark.render
def test_a_scene_past_its_time_limit_is_stopped_and_reported(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    proc = start_render(project, out, "--all", "--jobs", "2", "--timeout", "8", order="SLEEPY")
    try:
        output, _ = proc.communicate(timeout=90)  # Sleepy alone would take two minutes
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, output
    assert statuses(out) == {"One": "rendered", "Sleepy": "failed"}
    sleepy = next(s for s in report(out)["scenes"] if s["scene"] == "Sleepy")
    assert sleepy["error"].startswith("timed out: stopped after 8 s")
    assert "FAILED Sleepy: timed out" in output
    assert processes_mentioning(str(out)) == []


@pytest.mark.render
def test_a_killed_run_takes_manim_with_it_and_the_next_run_sweeps_its_leftovers(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    proc = start_render(project, out, "--all", "--jobs", "2", order="SLEEPY")
    try:
        wait_for(lambda: list((out / "scenes").glob("One-l-*/meta.json")), 90, "One to render")
        # Manim's processes run in a session of their own, out of the group's reach.
        wait_for(lambda: [p for p in processes_mentioning(str(out)) if p != proc.pid], 60, "Manim")
        os.killpg(proc.pid, signal.SIGKILL)  # no handler runs: the kernel must do the cleaning
        proc.wait(timeout=10)
        wait_for(lambda: processes_mentioning(str(out)) == [], 10, "Manim to die with its worker")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert any((out / "work").iterdir())  # the killed scene's work folder is left behind
    (out / ".join-0123abcd").mkdir()  # as older versions left them
    (out / f".{NAME}{TMP_MARK}0123abcd.mp4").write_bytes(b"half a film")
    (out / "scenes" / f".Sleepy-l-0123{TMP_MARK}0123abcd").mkdir()
    code, _, stderr = run(project, out, "--scene", "One", order="SLEEPY")
    assert code == 0, stderr
    assert statuses(out) == {"One": "cached"}
    assert not any((out / "work").iterdir()) if (out / "work").exists() else True
    leftovers = [p.name for d in (out, out / "scenes") for p in d.iterdir() if p.name[0] == "."]
    assert set(leftovers) <= {".render.lock"}


@pytest.mark.render
def test_a_damaged_cached_scene_is_named_and_rendered_again(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    (out / f"{NAME}.mp4").unlink()
    movie = next((out / "scenes").glob("Two-l-*/scene.mov"))
    movie.write_bytes(movie.read_bytes()[:2000])  # as a full disk leaves it
    code, stdout, stderr = run(project, out, "--all")
    assert code == 0, stdout + stderr
    assert "Two: its cached render is damaged (scene.mov is 2000 bytes" in stderr
    assert statuses(out) == {"One": "cached", "Two": "rendered", "Three": "cached"}
    assert float(ffprobe(out / f"{NAME}.mp4")["format"]["duration"]) == pytest.approx(
        3.6, abs=FRAME
    )


@pytest.mark.render
def test_a_damaged_scene_that_was_not_asked_for_is_named_when_the_film_cannot_be_joined(
    film, tmp_path
):
    project, out = copy_film(film, tmp_path)
    srt = next((out / "scenes").glob("Three-l-*/scene.srt"))
    srt.write_text(srt.read_text().replace("1", "2"))  # same size, other bytes
    code, stdout, _ = run(project, out, "--scene", "One")
    assert code == 0
    assert "not joined: 1 of 3 scenes are not rendered (Three)" in stdout
    assert "Three's cached render is damaged" in stdout
    code, stdout, stderr = run(project, out, "--all")
    assert code == 0, stdout + stderr
    assert statuses(out) == {"One": "cached", "Two": "cached", "Three": "rendered"}


@pytest.mark.render
def test_force_renders_cached_scenes_again(film, tmp_path):
    project, out = copy_film(film, tmp_path)
    code, stdout, _ = run(project, out, "--scene", "One", "--force", "--dry-run")
    assert code == 0 and "would render 1 of 1 scenes" in stdout
    code, _, stderr = run(project, out, "--scene", "One", "--force")
    assert code == 0, stderr
    assert statuses(out) == {"One": "rendered"}
    assert len(list((out / "scenes").glob("One-l-*"))) == 1


@pytest.mark.render
def test_two_runs_on_one_folder_take_turns_and_render_each_scene_once(tmp_path):
    project = copy_project(tmp_path / "project")
    out = tmp_path / "out"
    first = start_render(project, out, "--all", "--jobs", "1")
    second = None
    try:
        lock = out / ".render.lock"
        wait_for(lambda: lock.exists() and f"pid {first.pid} " in lock.read_text(), 60, "lock")
        second = start_render(project, out, "--all", "--jobs", "1")
        first_out, _ = first.communicate(timeout=120)
        second_out, _ = second.communicate(timeout=120)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert first.returncode == 0 and second.returncode == 0, first_out + second_out
    assert f"waiting for render.py (pid {first.pid} on " in second_out
    assert statuses(out) == {"One": "cached", "Two": "cached", "Three": "cached"}  # the second's
    assert report(out)["video"]["status"] == "up to date"
    assert f"{NAME}.mp4" in first_out


def test_outputs_inside_the_sources_or_nowhere_are_refused(tmp_path, capsys):
    project = copy_project(tmp_path / "project")
    for out in ("", " ", str(project), str(project / "scenes" / "out")):
        code = render.main(
            ["--root", str(project), "--order", f"{project / 'order.py'}:ORDER",
             "--out", out, "--all"]
        )  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2, out
        assert err.count("\n") == 1 and err.startswith("render.py: error: "), err
    assert sorted(p.name for p in project.iterdir()) == sorted(
        p.name for p in FIXTURE.iterdir() if p.name != "__pycache__"
    )


def _silent_listener() -> tuple[socket.socket, int]:
    """A port where something accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


@pytest.mark.parametrize("kind", ["empty", "garbage", "scheme", "silent", "http"])
def test_a_dask_address_without_a_scheduler_fails_within_seconds(tmp_path, kind):
    pytest.importorskip("distributed")
    servers = []
    if kind in ("silent", "http"):
        server, port = _silent_listener()
        servers.append(server)
        if kind == "http":  # a dashboard: it answers, in HTTP
            server.close()
            http = subprocess.Popen(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            servers.append(http)
            wait_for(lambda: _accepts(port), 10, "the HTTP server")
        address = f"tcp://127.0.0.1:{port}"
    else:
        address = {"empty": "", "garbage": "no port here", "scheme": "nope://host:8786"}[kind]
    try:
        t0 = time.monotonic()
        proc = start_render(FIXTURE, tmp_path / "out", "--all", "--dask", address)
        output, _ = proc.communicate(timeout=30)
        elapsed = time.monotonic() - t0
    finally:
        for s in servers:
            s.kill() if isinstance(s, subprocess.Popen) else s.close()
    assert proc.returncode == 2, output
    assert len(output.strip().splitlines()) == 1 and "Traceback" not in output, output
    assert output.startswith("render.py: error: ")
    assert elapsed < 20


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def small_disk(tmp_path):
    """A 100 kB file system (tmpfs; needs root, as the set-up does), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=100k", "tmpfs", str(mount)], capture_output=True
    )
    if proc.returncode != 0:
        pytest.skip("cannot mount a small file system here (not root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.render
def test_a_full_disk_fails_scenes_in_one_line_each_and_the_next_run_heals(small_disk, tmp_path):
    project = copy_project(tmp_path / "project")
    out = small_disk / "out"
    proc = start_render(project, out, "--all", "--jobs", "2")
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 1, output
    assert "Traceback" not in output
    assert "No space left on device" in output
    assert not (out / f"{NAME}.mp4").exists()
    leftovers = [p for d in (out, out / "scenes") if d.exists() for p in d.iterdir()]
    assert not [p for p in leftovers if TMP_MARK in p.name or p.name.startswith(".join")]
    subprocess.run(["mount", "-o", "remount,size=4m", str(small_disk)], check=True)
    proc = start_render(project, out, "--all", "--jobs", "2")
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output
    assert float(ffprobe(out / f"{NAME}.mp4")["format"]["duration"]) == pytest.approx(
        3.6, abs=FRAME
    )
