"""Render times of the whole film: cold, warm, and after editing one scene.

    .venv/bin/python benchmarks/render.py                 # 480p15 and 1080p60, --jobs 2
    .venv/bin/python benchmarks/render.py -q l --edit Hook

For each quality, on a copy of the project in a temporary folder (so the working tree and
its build/ are left alone, and the voice clips are made afresh): a cold render of the film,
a warm re-run with nothing changed, and a re-run after editing one scene's class. Prints
the times, the film's length and their ratio, per scene too, against the targets of a
2-core machine (cold at most 0.5x the film's length at 480p15 and 2x at 1080p60, warm at
most 15 s, an edited scene at most its own render time plus 10 s).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rendering.settings import NAME  # noqa: E402
from rendering.times import clock  # noqa: E402
from scenes.common import speech  # noqa: E402

PRESETS = {"l": "480p15", "m": "720p30", "h": "1080p60", "p": "1440p60", "k": "2160p60"}
#: Cold render time as a multiple of the film's length, at most (a 2-core machine).
COLD_TARGET = {"l": 0.5, "h": 2.0}
WARM_TARGET = 15.0
EDIT_SLACK = 10.0
#: Not part of the project: left out of the copy.
SKIP = shutil.ignore_patterns(".venv", ".git", "build", "media", "__pycache__", "*.egg-info")


def cpu_seconds() -> float:
    """CPU time (user + system) of this process's finished children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def render(
    python: str, project: Path, out: Path, quality: str, jobs: int
) -> tuple[float, float, dict]:
    """Run render.py on the whole film; returns (wall-clock s, CPU s, its report).

    The CPU time (render.py, its workers, Manim, ffmpeg) does not grow when other work
    shares the machine; divided by the cores used it is the wall time of an idle machine.
    """
    cmd = [python, str(project / "render.py"), "--all", "-q", quality, "--jobs", str(jobs),
           "--out", str(out), "--root", str(project)]  # fmt: skip
    t0, c0 = time.monotonic(), cpu_seconds()
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True)
    wall, cpu = time.monotonic() - t0, cpu_seconds() - c0
    if proc.returncode != 0:
        sys.exit(f"render.py failed ({proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr}")
    return wall, cpu, json.loads((out / "render-report.json").read_text())


def edit_scene(project: Path, scene: str) -> Path:
    """Change one scene's class (a new class attribute), as a person editing it would."""
    for path in sorted((project / "scenes").glob("*.py")):
        text = path.read_text()
        m = re.search(rf"^class {scene}\b.*:\n", text, flags=re.M)
        if m:
            path.write_text(text[: m.end()] + "    benchmark_edit = 1\n" + text[m.end() :])
            return path
    sys.exit(f"no class {scene} under scenes/")


def verdict(value: float, limit: float) -> str:
    return "ok" if value <= limit else "over"


def copy_project(dest: Path, head: bool) -> None:
    """The working tree (or the last commit) into ``dest``, without builds and caches."""
    if not head:
        shutil.copytree(ROOT, dest, ignore=SKIP)
        return
    dest.mkdir()
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def bench(python: str, quality: str, jobs: int, scene: str, head: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="gde-bench-") as tmp:
        project = Path(tmp) / "project"
        copy_project(project, head)
        out = Path(tmp) / "out"
        load = os.getloadavg()[0]
        cold, cold_cpu, report = render(python, project, out, quality, jobs)
        scenes = report["scenes"]
        length = sum(s["length"] for s in scenes)
        print(f"\n== {PRESETS[quality]}, --jobs {jobs}: the film is {clock(length, 1)} "
              f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after) ==")  # fmt: skip
        print(f"{'scene':<20}{'length':>9}{'render':>9}{'ratio':>8}")
        for s in scenes:
            ratio = s["render_time"] / s["length"]
            print(f"{s['scene']:<20}{s['length']:>8.1f}s{s['render_time']:>8.1f}s{ratio:>7.2f}x")
        busy = sum(s["render_time"] for s in scenes)
        print(f"{'(sum of scenes)':<20}{length:>8.1f}s{busy:>8.1f}s{busy / length:>7.2f}x")
        cores = min(jobs, os.cpu_count() or 1)
        idle = cold_cpu / cores
        line = (f"cold: {cold:.1f} s for {length:.1f} s of film = {cold / length:.2f}x; "
                f"CPU {cold_cpu:.0f} s / {cores} cores = {idle:.1f} s = {idle / length:.2f}x")  # fmt: skip
        if quality in COLD_TARGET:
            target = COLD_TARGET[quality]
            line += f" (target {target}x: {verdict(cold / length, target)} wall, "
            line += f"{verdict(idle / length, target)} CPU)"
        print(line)

        warm, _, report = render(python, project, out, quality, jobs)
        assert all(s["status"] == "cached" for s in report["scenes"]), report
        print(f"warm, nothing changed: {warm:.1f} s (target {WARM_TARGET:g} s: "
              f"{verdict(warm, WARM_TARGET)})")  # fmt: skip

        own = next(s["render_time"] for s in scenes if s["scene"] == scene)
        edited = edit_scene(project, scene)
        again, again_cpu, report = render(python, project, out, quality, jobs)
        rendered = [s["scene"] for s in report["scenes"] if s["status"] == "rendered"]
        now = next(s["render_time"] for s in report["scenes"] if s["scene"] == scene)
        limit = own + EDIT_SLACK
        print(f"after editing {scene} ({edited.relative_to(project)}): {again:.1f} s, "
              f"re-rendered {rendered}; the scene {now:.1f} s, the rest (plan, join) "
              f"{again - now:.1f} s, CPU {again_cpu:.0f} s (target {own:.1f} + {EDIT_SLACK:g} s: "
              f"{verdict(again, limit)})")  # fmt: skip
        assert (out / f"{NAME}.mp4").exists()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quality", nargs="+", choices=PRESETS, default=["l", "h"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--edit", default="Derivative1D", metavar="SCENE", help="scene to edit")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter to render with (another Manim)"
    )
    parser.add_argument(
        "--head", action="store_true", help="render the last commit, not the working tree"
    )
    args = parser.parse_args(argv)
    version = subprocess.run(
        [args.python, "-c", "import importlib.metadata as m; print(m.version('manim'))"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    voice = speech.detect(os.environ.get(speech.VOICE_VAR, ""))
    print(f"Manim {version}; voice: {voice.engine if voice else 'none'}")
    for quality in args.quality:
        bench(args.python, quality, args.jobs, args.edit, args.head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
