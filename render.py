"""Render the film: every scene in parallel, cached, joined, chaptered and captioned.

``python render.py --all`` renders each scene of ``scenes/order.py`` in its own Manim
process (``--jobs N`` at a time, or on a Dask cluster with ``--dask ADDRESS``), keeps each
finished scene in a cache under ``DIR/scenes/``, and joins them without re-encoding the
video into ``DIR/gradient-descent-explained.mp4`` with one chapter per storyboard section,
one AAC audio track, ``DIR/gradient-descent-explained.srt`` and ``DIR/chapters.txt``.

Exit codes: 0 done, 1 a scene failed (the others are kept), 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import hashlib
import importlib
import importlib.metadata
import importlib.util
import io
import json
import multiprocessing
import os
import queue as queue_module
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
PROG = "render.py"
NAME = "gradient-descent-explained"
VIDEO_TITLE = "Gradient descent, explained"
DEFAULT_ORDER = "scenes.order:ORDER"
QUALITIES = ("l", "m", "h", "p", "k")
#: Bump when the cached scene format changes, so old entries are not reused.
CACHE_FORMAT = 1

#: What every scene may depend on besides its own file (paths relative to the project root).
#: Their content is part of every scene's cache key and travels to the workers.
SHARED_INPUTS = ("manim.cfg", "scenes/__init__.py", "scenes/common", "optim", "surfaces", "assets")
#: Shipped to the workers as well, but only in a key when a scene imports it.
BUNDLE_INPUTS = (*SHARED_INPUTS, "scenes")

#: The one audio format of the joined film (scenes are normalized to PCM at this rate first).
AUDIO_RATE = 48000
AUDIO_BITRATE = "128k"


class UsageError(Exception):
    """Bad input: reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print the whole usage block
        raise UsageError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    what = p.add_mutually_exclusive_group()
    what.add_argument("--all", action="store_true", help="render every scene and join the film")
    what.add_argument("--scene", nargs="+", metavar="NAME", help="render only these scenes")
    what.add_argument("--list", action="store_true", help="list the scenes in order and exit")
    p.add_argument(
        "-q",
        "--quality",
        choices=QUALITIES,
        default="h",
        help="Manim quality preset: l=480p15 m=720p30 h=1080p60 p=1440p60 k=2160p60 (default h)",
    )
    p.add_argument(
        "--jobs",
        "-j",
        type=_positive_int,
        default=_cores(),
        help="parallel renders (default: cores)",
    )
    p.add_argument("--out", type=Path, default=None, help="output folder (default build/)")
    p.add_argument("--dry-run", action="store_true", help="show what would render, render nothing")
    p.add_argument("--dask", metavar="ADDRESS", help="render on a Dask distributed scheduler")
    p.add_argument(
        "--burn-subtitles",
        action="store_true",
        help="burn the captions into the picture (re-encodes the video)",
    )
    p.add_argument(
        "--piper-model",
        type=Path,
        metavar="PATH",
        help="speak with this Piper voice model (.onnx; needs: pip install piper-tts)",
    )
    # For tests and experiments: another running order, another project folder.
    p.add_argument("--order", default=None, help=argparse.SUPPRESS)
    p.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    return p


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# The running order
# ---------------------------------------------------------------------------------------------


def load_order(spec: str, root: Path) -> tuple[Any, ...]:
    """``MODULE:ATTR`` or ``path/to/file.py:ATTR`` -> the sequence of entries it names."""
    module_name, _, attr = spec.partition(":")
    attr = attr or "ORDER"
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_absolute() and not path.exists():
                path = root / path
            mod_spec = importlib.util.spec_from_file_location(f"_gde_order_{path.stem}", path)
            if mod_spec is None or mod_spec.loader is None or not path.exists():
                raise UsageError(f"--order: no such file: {path}")
            module = importlib.util.module_from_spec(mod_spec)
            sys.modules[mod_spec.name] = module  # dataclasses look their module up
            mod_spec.loader.exec_module(module)
        else:
            if str(root) not in sys.path:
                sys.path.insert(0, str(root))
            module = importlib.import_module(module_name)
        order = tuple(getattr(module, attr))
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"cannot load the scene order {spec!r}: {exc}") from None
    for entry in order:
        for name in ("scene", "path", "section", "section_title"):
            if not hasattr(entry, name):
                raise UsageError(f"scene order {spec!r}: entry {entry!r} has no {name!r}")
    names = [e.scene for e in order]
    if len(set(names)) != len(names):
        raise UsageError(f"scene order {spec!r} names a scene twice")
    return order


def scene_file(entry: Any, root: Path) -> Path:
    path = Path(entry.path)
    return path if path.is_absolute() else root / path


# ---------------------------------------------------------------------------------------------
# Cache keys and the source bundle the workers render from
# ---------------------------------------------------------------------------------------------


def _files_under(root: Path, rels: Iterable[str]) -> list[Path]:
    out: set[Path] = set()
    for rel in rels:
        p = root / rel
        if p.is_file():
            out.add(p)
        elif p.is_dir():
            for f in p.rglob("*"):
                if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                    out.add(f)
    return sorted(out)


def _hash_files(h: Any, files: Iterable[Path], root: Path) -> None:
    for f in files:
        try:
            rel = f.relative_to(root).as_posix()
        except ValueError:
            rel = f.name
        h.update(f"{rel}\0{f.stat().st_size}\0".encode())
        h.update(f.read_bytes())


def voice_setting() -> str:
    """What decides whether scenes speak: ``GDE_VOICE`` and the speech engines installed."""
    wanted = os.environ.get("GDE_VOICE", "").strip()
    if wanted == "none":
        return "GDE_VOICE=none"
    engines = [n for n in ("text2wave", "flite", "espeak-ng") if shutil.which(n)]
    slt = any(Path("/usr/share/festival/voices").glob("*/cmu_us_slt_arctic_hts"))
    piper = os.environ.get("GDE_PIPER_MODEL", "")
    if piper and Path(piper).is_file():
        piper = f"{piper}@{Path(piper).stat().st_mtime_ns}"
    return f"GDE_VOICE={wanted};engines={','.join(engines)};slt={slt};piper={piper}"


def manim_version() -> str:
    try:
        return importlib.metadata.version("manim")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


@dataclass
class SceneCheck:
    """A scene's file, read once: its class is there, and which sibling scenes it imports."""

    ok: bool
    error: str = ""
    imports: list[Path] = field(default_factory=list)


def check_scene(entry: Any, root: Path) -> SceneCheck:
    """Static checks before any rendering: the file exists, parses, and defines the class.

    (Manim itself would quietly render another scene of a one-scene file.)
    """
    path = scene_file(entry, root)
    shown = entry.path
    if not path.is_file():
        return SceneCheck(False, f"{shown} does not exist")
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        return SceneCheck(False, f"{shown}:{exc.lineno}: SyntaxError: {exc.msg}")
    if not any(isinstance(n, ast.ClassDef) and n.name == entry.scene for n in tree.body):
        return SceneCheck(False, f"{shown} defines no class {entry.scene}")
    return SceneCheck(True, imports=_sibling_imports(path, tree, root))


def _sibling_imports(path: Path, tree: ast.Module, root: Path) -> list[Path]:
    """Scene modules (``scenes/x.py``, not ``scenes/common``) that a scene file imports."""
    found: list[Path] = []
    todo = [(path, tree)]
    seen = {path}
    while todo:
        current, node_tree = todo.pop()
        for node in ast.walk(node_tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = (
                        ".".join(current.parent.relative_to(root).parts)
                        if _under(current, root)
                        else ""
                    )
                    mod = f"{base}.{node.module}" if node.module else base
                else:
                    mod = node.module or ""
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                if len(parts) < 2 or parts[0] != "scenes" or parts[1] == "common":
                    continue
                cand = root / "scenes" / f"{parts[1]}.py"
                if cand.is_file() and cand not in seen:
                    seen.add(cand)
                    found.append(cand)
                    with contextlib.suppress(SyntaxError, OSError):
                        todo.append((cand, ast.parse(cand.read_bytes())))
    return sorted(found)


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def scene_key(entry: Any, root: Path, quality: str, shared: str, check: SceneCheck) -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}\0{entry.scene}\0{quality}\0{shared}\0".encode())
    _hash_files(h, [scene_file(entry, root), *check.imports], root)
    return h.hexdigest()


def shared_digest(root: Path) -> str:
    """Everything that all scenes share, in one hash (computed once per run)."""
    h = hashlib.sha256()
    h.update(f"manim={manim_version()}\0{voice_setting()}\0".encode())
    _hash_files(h, _files_under(root, SHARED_INPUTS), root)
    return h.hexdigest()


def make_bundle(root: Path, extra: Iterable[Path]) -> bytes:
    """The project's sources as a gzipped tar, so workers need no shared filesystem."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for f in _files_under(root, BUNDLE_INPUTS):
            tar.add(f, arcname=f.relative_to(root).as_posix())
        for f in extra:
            tar.add(f, arcname=bundle_path(f, root))
    return buf.getvalue()


def bundle_path(path: Path, root: Path) -> str:
    """Where a scene file sits inside the bundle."""
    if _under(path, root):
        return path.relative_to(root).as_posix()
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    return f"_external/{digest}/{path.name}"


# ---------------------------------------------------------------------------------------------
# The worker: one scene, one Manim process. Module-level, takes and returns plain data, so it
# runs the same in a local process pool and on a Dask worker on another machine.
# ---------------------------------------------------------------------------------------------

_PROGRESS: Any = None  # a multiprocessing queue in local workers, None elsewhere
_RUNNING: dict[str, Any] = {}  # the Manim process and work folder of the current scene

_ANIMATION = re.compile(r"Animation (\d+): (.*?):\s+(\d+)%\|.*?\|\s*(\d+)/(\d+)")
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit))\b:?\s*(.*)$")


def _init_local_worker(progress: Any) -> None:
    """Local pool workers: report progress, leave Ctrl-C to the parent, stop Manim on TERM."""
    global _PROGRESS
    _PROGRESS = progress
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)


def _on_terminate(signum: int, frame: Any) -> None:
    proc = _RUNNING.get("proc")
    if proc is not None and proc.poll() is None:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    work = _RUNNING.get("work")
    if work:
        shutil.rmtree(work, ignore_errors=True)
    os._exit(128 + signum)


def _report(scene: str, kind: str, **data: Any) -> None:
    if _PROGRESS is None:
        return
    with contextlib.suppress(Exception):
        _PROGRESS.put_nowait((scene, kind, data))


def _ffprobe(path: str) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-show_chapters",
         "-of", "json", path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    return json.loads(out)


def _video_seconds(info: dict) -> Fraction:
    """A file's video length, exactly: frames / frame rate."""
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    frames = video.get("nb_frames")
    rate = video.get("r_frame_rate") or video.get("avg_frame_rate")
    if frames and rate and rate != "0/0":
        return int(frames) / Fraction(rate)
    return Fraction(video.get("duration") or info["format"]["duration"]).limit_denominator(100000)


def _error_line(text: str, returncode: int) -> str:
    last = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "│╭╰┃━─":
            continue
        if _EXCEPTION.match(line):
            last = line
    return last or f"manim exited with status {returncode}"


def render_scene(job: dict) -> dict:
    """Render one scene and return its normalized video as bytes, with captions and timings.

    ``job``: scene, script (path inside the bundle), quality, bundle (bytes), env (dict),
    work_parent (a folder for temporary files, or None for the system's), voice_cache.
    """
    t0 = time.monotonic()
    scene = job["scene"]
    parent = job.get("work_parent")
    if parent:
        os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f"{os.getpid()}-{scene}-", dir=parent)
    _RUNNING["work"] = work
    result: dict[str, Any] = {"scene": scene, "ok": False, "host": socket.gethostname()}
    try:
        _report(scene, "start")
        src = os.path.join(work, "src")
        with tarfile.open(fileobj=io.BytesIO(job["bundle"]), mode="r:gz") as tar:
            tar.extractall(src, filter="data")
        media = os.path.join(work, "media")
        env = dict(os.environ)
        env.update(job.get("env") or {})
        env["GDE_VOICE_CACHE"] = job.get("voice_cache") or os.path.join(
            tempfile.gettempdir(), "gde-voice"
        )
        env["COLUMNS"] = "200"  # Manim's rich log: no wrapped error lines
        cmd = [
            sys.executable, "-m", "manim", "render", f"-q{job['quality']}",
            job["script"], scene, "--media_dir", media,
            "--disable_caching", "--silent", "--progress_bar", "display",
        ]  # fmt: skip
        log_path = os.path.join(work, "manim.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                cmd,
                cwd=src,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.PIPE,
                start_new_session=True,  # Ctrl-C reaches the parent, which stops us cleanly
            )
            _RUNNING["proc"] = proc
            err = _pump_progress(scene, proc)
            returncode = proc.wait()
            _RUNNING.pop("proc", None)
        with open(log_path, "rb") as fh:
            out_text = fh.read().decode("utf-8", "replace")
        log_text = out_text + "\n" + err
        result["log"] = log_text[-20000:]
        if returncode != 0:
            result["error"] = _error_line(err + "\n" + out_text, returncode)
            return result
        movies = sorted(Path(media).glob(f"videos/*/*/{scene}.mp4"), key=os.path.getmtime)
        if not movies:
            result["error"] = f"manim wrote no {scene}.mp4"
            return result
        movie = movies[-1]
        srt = movie.with_suffix(".srt")
        _report(scene, "post")
        info = _ffprobe(str(movie))
        seconds = _video_seconds(info)
        had_audio = any(s["codec_type"] == "audio" for s in info["streams"])
        normalized = os.path.join(work, "scene.mov")
        _normalize(str(movie), normalized, seconds, had_audio)
        with open(normalized, "rb") as fh:
            result["mov"] = fh.read()
        result.update(
            ok=True,
            srt=srt.read_text(encoding="utf-8") if srt.exists() else "",
            seconds=[seconds.numerator, seconds.denominator],
            had_audio=had_audio,
        )
        return result
    except Exception as exc:  # reported as this scene's failure, never the run's
        result["error"] = f"{type(exc).__name__}: {exc}"
        return result
    finally:
        result["render_time"] = time.monotonic() - t0
        _RUNNING.pop("work", None)
        shutil.rmtree(work, ignore_errors=True)


def _pump_progress(scene: str, proc: subprocess.Popen) -> str:
    """Read Manim's stderr (tqdm bars) as it comes; report animation progress; keep the text."""
    chunks: list[bytes] = []
    pending = b""
    last_sent = 0.0
    last_anim = -1
    assert proc.stderr is not None
    while True:
        chunk = proc.stderr.read1(65536)
        if not chunk:
            break
        chunks.append(chunk)
        pending += chunk
        *lines, pending = re.split(rb"[\r\n]", pending)
        for raw in lines:
            m = _ANIMATION.search(raw.decode("utf-8", "replace"))
            if not m:
                continue
            index, name, done, total = int(m[1]), m[2], int(m[4]), int(m[5])
            now = time.monotonic()
            if index != last_anim or now - last_sent > 0.25 or done == total:
                _report(scene, "animation", index=index, name=name, done=done, total=total)
                last_sent, last_anim = now, index
    text = b"".join(chunks).decode("utf-8", "replace")
    # Keep what a person would read: the last state of each progress line.
    return "\n".join(part.rsplit("\r", 1)[-1] for part in text.split("\n"))


def _normalize(src: str, dst: str, seconds: Fraction, had_audio: bool) -> None:
    """Same streams in every scene: the video as it is, and PCM audio exactly as long.

    Silent scenes get silence. PCM (no encoder delay) keeps the join exact; the film's one
    AAC track is encoded once, at the join.
    """
    length = f"{float(seconds):.6f}"
    if had_audio:
        audio_in: list[str] = []
        audio_map = "0:a:0"
        afilter = [
            "-af",
            f"aresample={AUDIO_RATE},aformat=sample_fmts=s16:channel_layouts=mono,"
            f"apad=whole_dur={length},atrim=end={length}",
        ]
    else:
        audio_in = ["-f", "lavfi", "-t", length, "-i", f"anullsrc=r={AUDIO_RATE}:cl=mono"]
        audio_map = "1:a:0"
        afilter = []
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, *audio_in,
         "-map", "0:v:0", "-map", audio_map, "-c:v", "copy", *afilter,
         "-c:a", "pcm_s16le", "-map_metadata", "-1", "-f", "mov", dst],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"status {proc.returncode}"]
        raise RuntimeError(f"ffmpeg could not normalize the scene: {lines[-1]}")


# ---------------------------------------------------------------------------------------------
# The scene cache: DIR/scenes/<Scene>-<quality>-<key>/{scene.mov, scene.srt, meta.json}
# ---------------------------------------------------------------------------------------------


@dataclass
class Planned:
    entry: Any
    check: SceneCheck
    key: str = ""

    @property
    def scene(self) -> str:
        return self.entry.scene


@dataclass
class Outcome:
    entry: Any
    status: str  # rendered | cached | failed | missing | interrupted | pending
    seconds: Fraction | None = None
    render_time: float | None = None
    error: str = ""
    had_audio: bool = False
    host: str = ""


class Cache:
    def __init__(self, out: Path, quality: str):
        self.dir = out / "scenes"
        self.quality = quality

    def entry_dir(self, scene: str, key: str) -> Path:
        return self.dir / f"{scene}-{self.quality}-{key[:16]}"

    def lookup(self, scene: str, key: str) -> dict | None:
        d = self.entry_dir(scene, key)
        try:
            meta = json.loads((d / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        if meta.get("key") != key or not (d / "scene.mov").is_file():
            return None
        return meta

    def store(self, scene: str, key: str, result: dict) -> dict:
        """Write a finished scene atomically: into a temporary folder, then rename."""
        self.dir.mkdir(parents=True, exist_ok=True)
        final = self.entry_dir(scene, key)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{scene}-", dir=self.dir))
        try:
            tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
            (tmp / "scene.mov").write_bytes(result["mov"])
            (tmp / "scene.srt").write_text(result.get("srt", ""), encoding="utf-8")
            meta = {
                "key": key,
                "scene": scene,
                "quality": self.quality,
                "seconds": result["seconds"],
                "had_audio": result["had_audio"],
                "render_time": result["render_time"],
                "host": result.get("host", ""),
                "rendered_at": time.time(),
            }
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
            if final.exists():
                shutil.rmtree(final)
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        # One entry per scene and quality: drop the entries this one replaces.
        for old in self.dir.glob(f"{scene}-{self.quality}-*"):
            if old != final and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        return meta

    def sweep(self) -> None:
        """Remove temporary folders left by a run that was killed."""
        for tmp in self.dir.glob(".tmp-*"):
            if time.time() - tmp.stat().st_mtime > 60:
                shutil.rmtree(tmp, ignore_errors=True)


def _seconds(meta: dict) -> Fraction:
    num, den = meta["seconds"]
    return Fraction(num, den)


# ---------------------------------------------------------------------------------------------
# Joining: concat demuxer (video copied), one AAC track, chapters, captions
# ---------------------------------------------------------------------------------------------


@dataclass
class Chapter:
    title: str
    start_ms: int
    end_ms: int


def chapters_for(entries: Sequence[Any], lengths: Sequence[Fraction]) -> list[Chapter]:
    """One chapter per storyboard section; consecutive scenes of a section merge."""
    chapters: list[Chapter] = []
    offset = Fraction(0)
    last_section = object()
    for entry, length in zip(entries, lengths, strict=True):
        start, offset = offset, offset + length
        if chapters and entry.section == last_section:
            chapters[-1].end_ms = _ms(offset)
        else:
            chapters.append(Chapter(entry.section_title, _ms(start), _ms(offset)))
        last_section = entry.section
    return chapters


def _ms(t: Fraction | float) -> int:
    return round(Fraction(t) * 1000)


def _ffmeta_escape(text: str) -> str:
    return re.sub(r"([=;#\\\n])", r"\\\1", text)


def ffmetadata(chapters: Sequence[Chapter], title: str) -> str:
    lines = [";FFMETADATA1", f"title={_ffmeta_escape(title)}", ""]
    for c in chapters:
        lines += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={c.start_ms}",
            f"END={c.end_ms}",
            f"title={_ffmeta_escape(c.title)}",
            "",
        ]
    return "\n".join(lines)


def youtube_timestamp(ms: int) -> str:
    """``0:05``, ``12:34``, ``1:02:03``: as a video description shows chapters."""
    s = ms // 1000
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def chapters_text(chapters: Sequence[Chapter]) -> str:
    return "".join(f"{youtube_timestamp(c.start_ms)} {c.title}\n" for c in chapters)


_SRT_TIME = re.compile(
    r"(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d+):(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
)


def parse_srt(text: str) -> list[tuple[int, int, str]]:
    """SRT text -> [(start_ms, end_ms, text)]."""
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = _SRT_TIME.search(line)
            if m:
                g = [int(x) for x in m.groups()]
                start = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + int(m[4].ljust(3, "0"))
                end = ((g[4] * 60 + g[5]) * 60 + g[6]) * 1000 + int(m[8].ljust(3, "0"))
                body = "\n".join(lines[i + 1 :]).strip()
                if body:
                    cues.append((start, end, body))
                break
    return cues


def srt_time(ms: int) -> str:
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def format_srt(cues: Sequence[tuple[int, int, str]]) -> str:
    return "".join(
        f"{i}\n{srt_time(s)} --> {srt_time(e)}\n{t}\n\n" for i, (s, e, t) in enumerate(cues, 1)
    )


def join_captions(srts: Sequence[str], lengths: Sequence[Fraction]) -> str:
    """The film's captions: each scene's shifted by its start, clipped to its end, renumbered."""
    cues: list[tuple[int, int, str]] = []
    offset = Fraction(0)
    for text, length in zip(srts, lengths, strict=True):
        start_ms, end_ms = _ms(offset), _ms(offset + length)
        for s, e, body in sorted(parse_srt(text)):
            s, e = start_ms + s, min(start_ms + e, end_ms)
            if s < e:
                cues.append((s, e, body))
        offset += length
    # No overlaps: a cue ends when the next begins.
    tidy = []
    for i, (s, e, body) in enumerate(cues):
        if i + 1 < len(cues):
            e = min(e, cues[i + 1][0])
        if s < e:
            tidy.append((s, e, body))
    return format_srt(tidy)


def _write_atomic(path: Path, data: bytes | str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


class JoinError(Exception):
    pass


def join(
    out: Path,
    entries: Sequence[Any],
    dirs: Sequence[Path],
    lengths: Sequence[Fraction],
    burn: bool,
) -> dict:
    """Join the cached scenes into the film; every output is written whole, then renamed."""
    chapters = chapters_for(entries, lengths)
    total = sum(lengths, Fraction(0))
    captions = join_captions([(d / "scene.srt").read_text(encoding="utf-8") for d in dirs], lengths)
    final = out / f"{NAME}.mp4"
    work = Path(tempfile.mkdtemp(prefix=".join-", dir=out))
    try:
        listing = "".join(
            "file '{}'\n".format(str((d / "scene.mov").resolve()).replace("'", "'\\''"))
            for d in dirs
        )
        (work / "scenes.txt").write_text(listing, encoding="utf-8")
        (work / "chapters.ffmeta").write_text(ffmetadata(chapters, VIDEO_TITLE), encoding="utf-8")
        (work / "captions.srt").write_text(captions, encoding="utf-8")
        joined = work / "joined.mp4"
        _ffmpeg(
            ["-f", "concat", "-safe", "0", "-i", "scenes.txt",
             "-f", "ffmetadata", "-i", "chapters.ffmeta",
             "-map", "0:v:0", "-map", "0:a:0", "-map_metadata", "1", "-map_chapters", "1",
             "-c:v", "copy", "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "1",
             "-movflags", "+faststart", "-f", "mp4", "joined.mp4"],
            cwd=work,
        )  # fmt: skip
        if burn:
            _ffmpeg(
                ["-i", "joined.mp4", "-map", "0", "-map_metadata", "0", "-map_chapters", "0",
                 "-vf", "subtitles=captions.srt", "-c:v", "libx264", "-preset", "medium",
                 "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "copy",
                 "-movflags", "+faststart", "-f", "mp4", "burned.mp4"],
                cwd=work,
            )  # fmt: skip
            joined = work / "burned.mp4"
        info = _ffprobe(str(joined))
        check = verify(info, total, len(chapters), burn)
        _write_atomic(out / f"{NAME}.srt", captions)
        _write_atomic(out / "chapters.txt", chapters_text(chapters))
        os.replace(joined, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"path": str(final), "chapters": [c.__dict__ for c in chapters], **check}


def _ffmpeg(args: list[str], cwd: Path) -> None:
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", *args], cwd=cwd, capture_output=True, text=True
    )
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise JoinError(f"ffmpeg failed: {lines[-1] if lines else proc.returncode}")


def verify(info: dict, total: Fraction, n_chapters: int, burn: bool) -> dict:
    """The joined film has what it should: the right length, one AAC track as long, chapters."""
    streams = info["streams"]
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    if len(video) != 1 or len(audio) != 1 or audio[0]["codec_name"] != "aac":
        raise JoinError(f"joined video has {len(video)} video and {len(audio)} audio streams")
    v_len = float(video[0].get("duration") or info["format"]["duration"])
    a_len = float(audio[0].get("duration") or 0)
    fps = Fraction(video[0].get("r_frame_rate") or video[0]["avg_frame_rate"])
    frame = 1 / float(fps) if fps else 0.05
    if abs(v_len - float(total)) > frame + 1e-6:
        raise JoinError(f"joined video is {v_len:.3f} s, the scenes add up to {float(total):.3f} s")
    if abs(a_len - v_len) > 0.1:
        raise JoinError(f"audio track is {a_len:.3f} s, the video {v_len:.3f} s")
    if len(info.get("chapters", [])) != n_chapters:
        raise JoinError(f"joined video has {len(info.get('chapters', []))} chapters")
    return {"duration": v_len, "audio_duration": a_len}


# ---------------------------------------------------------------------------------------------
# Display: a live rich progress on a terminal, one line per event elsewhere
# ---------------------------------------------------------------------------------------------


def _clock(seconds: float | Fraction | None) -> str:
    if seconds is None:
        return "–"
    s = float(seconds)
    m, s = divmod(s, 60)
    return f"{int(m)}:{s:04.1f}"


class Display:
    def __init__(self, total: int, console: Any, live: bool):
        self.total = total
        self.done = 0
        self.console = console
        self.live = live
        self.started = time.monotonic()
        self.tasks: dict[str, Any] = {}
        self.progress = None
        if live:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<22}"),
                BarColumn(bar_width=30),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
            )
            self.overall = self.progress.add_task("scenes", total=total, detail=f"0/{total} done")

    def __enter__(self):
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()

    def _line(self, text: str) -> None:
        if self.progress is not None:
            self.progress.console.print(text, highlight=False)
        else:
            print(text, flush=True)

    def started_scene(self, scene: str, where: str = "rendering") -> None:
        if self.progress is not None:
            if scene not in self.tasks:
                self.tasks[scene] = self.progress.add_task(scene, total=None, detail=where)
        else:
            self._line(f"[{self.done}/{self.total}] {scene}: {where}")

    def animation(self, scene: str, index: int, name: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        self.started_scene(scene)
        label = name if len(name) <= 28 else name[:27] + "…"
        self.progress.update(
            self.tasks[scene], total=total, completed=done, detail=f"animation {index} {label}"
        )

    def postprocess(self, scene: str) -> None:
        if self.progress is not None and scene in self.tasks:
            self.progress.update(self.tasks[scene], detail="normalizing audio")

    def finished(self, outcome: Outcome) -> None:
        self.done += 1
        scene = outcome.entry.scene
        if outcome.status == "failed":
            text = f"✗ {scene}: failed: {outcome.error}"
        elif outcome.status == "cached":
            text = f"· {scene}: cached ({_clock(outcome.seconds)})"
        else:
            text = (
                f"✓ {scene}: rendered {_clock(outcome.seconds)} of video "
                f"in {outcome.render_time:.1f} s"
            )
        if self.progress is not None:
            task = self.tasks.pop(scene, None)
            if task is not None:
                self.progress.remove_task(task)
            self.progress.update(
                self.overall, completed=self.done, detail=f"{self.done}/{self.total} done"
            )
            self._line(text)
        else:
            self._line(f"[{self.done}/{self.total}] {text}")


def summary_table(outcomes: Sequence[Outcome]) -> Any:
    from rich.table import Table

    table = Table(title="scenes", title_justify="left")
    table.add_column("scene")
    table.add_column("section", justify="right")
    table.add_column("length", justify="right")
    table.add_column("render time", justify="right")
    table.add_column("status")
    styles = {"rendered": "green", "cached": "cyan", "failed": "bold red"}
    for o in outcomes:
        table.add_row(
            o.entry.scene,
            str(o.entry.section),
            _clock(o.seconds),
            f"{o.render_time:.1f} s" if o.status != "cached" and o.render_time else "–",
            f"[{styles.get(o.status, 'yellow')}]{o.status}[/]",
        )
    return table


# ---------------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------------


class LocalPool:
    """A process pool whose workers can be stopped at once (Ctrl-C), Manim and all."""

    def __init__(self, jobs: int):
        ctx = multiprocessing.get_context("spawn")
        self.progress = ctx.Queue()
        self.executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=ctx,
            initializer=_init_local_worker,
            initargs=(self.progress,),
        )

    def submit(self, job: dict) -> Future:
        return self.executor.submit(render_scene, job)

    def stop(self) -> None:
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            with contextlib.suppress(Exception):
                p.terminate()
        for p in processes:
            with contextlib.suppress(Exception):
                p.join(timeout=10)
        self.close_queue()

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.close_queue()

    def close_queue(self) -> None:
        with contextlib.suppress(Exception):
            self.progress.close()
            self.progress.cancel_join_thread()


class DaskPool:
    """Scenes as tasks on an existing Dask distributed cluster (results come back as bytes)."""

    progress = None

    def __init__(self, address: str):
        try:
            import cloudpickle
            from distributed import Client
        except ImportError:
            raise UsageError(
                "--dask needs the 'distributed' package (pip install distributed)"
            ) from None
        # Ship this module's code with the task, so workers need no copy of render.py.
        module = sys.modules[render_scene.__module__]
        if module.__name__ != "__main__":
            cloudpickle.register_pickle_by_value(module)
        try:
            self.client = Client(address, timeout="15s", set_as_default=False)
        except Exception as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.executor = self.client.get_executor(pure=False)

    def submit(self, job: dict) -> Future:
        # A local function cannot be pickled by reference, so Dask hands the task to
        # cloudpickle, which ships render_scene by value (registered above).
        def render_on_worker(job: dict, _render: Any = render_scene) -> dict:
            return _render(job)

        return self.executor.submit(render_on_worker, job)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.executor.shutdown(wait=False)
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------


def _output_folder(out: Path, create: bool) -> Path:
    out = out.expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: not a folder")
    if not create:
        parent = out
        while not parent.exists():
            parent = parent.parent
        if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
            raise UsageError(f"--out {out}: cannot create a folder under {parent}")
        return out
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return out


def _console() -> Any:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(100, console.width), soft_wrap=False)
    return console


def _select(order: Sequence[Any], names: Sequence[str] | None) -> list[Any]:
    if not names:
        return list(order)
    by_name = {e.scene: e for e in order}
    lower = {e.scene.lower(): e for e in order}
    chosen: list[Any] = []
    for name in names:
        entry = by_name.get(name) or lower.get(name.lower())
        if entry is None:
            valid = ", ".join(e.scene for e in order)
            raise UsageError(f"unknown scene {name!r}; valid scenes: {valid}")
        if entry not in chosen:
            chosen.append(entry)
    return [e for e in order if e in chosen]  # film order


def main(
    argv: Sequence[str] | None = None,
    order: Sequence[Any] | None = None,
    root: Path | None = None,
) -> int:
    """Entry point; returns the exit code (0 done, 1 a scene failed, 2 bad input, 130 Ctrl-C)."""
    # A polite kill (SIGTERM) stops the workers as cleanly as Ctrl-C does.
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return _main(argv, order, root)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _main(argv: Sequence[str] | None, order: Sequence[Any] | None, root: Path | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        root = Path(args.root or root or ROOT).resolve()
        if order is None or args.order:
            order = load_order(args.order or DEFAULT_ORDER, root)
        if args.list:
            return _list(order)
        if not args.all and not args.scene:
            raise UsageError("say what to render: --all, or --scene NAME ... (see --list)")
        selected = _select(order, args.scene)
        out = _output_folder(args.out or root / "build", create=not args.dry_run)
        if args.dask:
            _check_dask_address(args.dask)
        if args.piper_model:
            _use_piper(args.piper_model)
        if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
            raise UsageError("ffmpeg and ffprobe are needed (Debian: apt-get install ffmpeg)")
        return Run(args, list(order), selected, root, out).go()
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _use_piper(model: Path) -> None:
    """Check a Piper voice can be used, and hand it to the scene processes."""
    if not model.is_file():
        raise UsageError(f"--piper-model: no model file at {model}")
    if importlib.util.find_spec("piper") is None:
        raise UsageError(
            "--piper-model needs the piper-tts package: .venv/bin/pip install piper-tts"
        )
    # The scene processes (and their voice cache key) read the model from here.
    os.environ["GDE_PIPER_MODEL"] = str(model.resolve())
    os.environ.setdefault("GDE_VOICE", "piper")


def _check_dask_address(address: str) -> None:
    """Fail fast on a scheduler that is not there (Dask itself would retry for a while)."""
    if importlib.util.find_spec("distributed") is None:
        raise UsageError("--dask needs the 'distributed' package (pip install distributed)")
    m = re.fullmatch(r"(?:tcp://)?\[?([^\]/]+?)\]?:(\d+)", address.strip())
    if not m:
        return  # another protocol (tls://, ucx://, ...): let Dask judge
    try:
        socket.create_connection((m[1], int(m[2])), timeout=5).close()
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _list(order: Sequence[Any]) -> int:
    width = max((len(e.scene) for e in order), default=0)
    for e in order:
        print(f"{e.scene:<{width}}  {e.section}  {e.section_title}")
    return 0


class Run:
    def __init__(
        self, args: argparse.Namespace, order: list, selected: list, root: Path, out: Path
    ):
        self.args = args
        self.order = order
        self.selected = selected
        self.root = root
        self.out = out
        self.quality = args.quality
        self.cache = Cache(out, args.quality)
        self.console = _console()
        self.outcomes: dict[str, Outcome] = {}
        self.t0 = time.monotonic()

    # -- planning -------------------------------------------------------------------------------

    def plan(self) -> dict[str, Planned]:
        shared = shared_digest(self.root)
        plans = {}
        for entry in self.order:
            check = check_scene(entry, self.root)
            p = Planned(entry, check)
            if check.ok:
                p.key = scene_key(entry, self.root, self.quality, shared, check)
            plans[entry.scene] = p
        return plans

    def go(self) -> int:
        plans = self.plan()
        if self.args.dry_run:
            return self.dry_run(plans)
        self.cache.dir.mkdir(parents=True, exist_ok=True)
        self.cache.sweep()
        to_render: list[Planned] = []
        for entry in self.selected:
            p = plans[entry.scene]
            if not p.check.ok:
                self.outcomes[entry.scene] = Outcome(entry, "failed", error=p.check.error)
                continue
            meta = self.cache.lookup(entry.scene, p.key)
            if meta is not None:
                self.outcomes[entry.scene] = Outcome(
                    entry, "cached", _seconds(meta), meta.get("render_time"), "",
                    meta.get("had_audio", False), meta.get("host", ""),
                )  # fmt: skip
            else:
                to_render.append(p)
        interrupted = False
        display = Display(len(self.selected), self.console, live=self.console.is_terminal)
        with display:
            for entry in self.selected:
                if entry.scene in self.outcomes:
                    display.finished(self.outcomes[entry.scene])
            if to_render:
                try:
                    self.render_all(to_render, display)
                except KeyboardInterrupt:
                    interrupted = True
        with contextlib.suppress(OSError):
            (self.out / "work").rmdir()  # only when empty
        return self.finish(plans, interrupted)

    def dry_run(self, plans: dict[str, Planned]) -> int:
        from rich.table import Table

        table = Table(title=f"dry run: quality {self.quality}, output {self.out}")
        for col in ("scene", "section", "file", "status"):
            table.add_column(col)
        cached_all = True
        for entry in self.order:
            p = plans[entry.scene]
            meta = self.cache.lookup(entry.scene, p.key) if p.check.ok else None
            cached_all &= meta is not None
            if entry not in self.selected:
                continue
            if not p.check.ok:
                status = f"[red]cannot render: {p.check.error}[/]"
            elif meta is not None:
                status = f"[cyan]cached[/] ({_clock(_seconds(meta))})"
            else:
                status = "[yellow]would render[/]"
            table.add_row(entry.scene, str(entry.section), str(entry.path), status)
        self.console.print(table)
        n = sum(
            1
            for e in self.selected
            if plans[e.scene].check.ok and self.cache.lookup(e.scene, plans[e.scene].key) is None
        )
        print(f"would render {n} of {len(self.selected)} scenes, with {self._jobs_text(n)}")
        if cached_all:
            print(f"would join {len(self.order)} scenes into {self.out / (NAME + '.mp4')}")
        return 0

    def _jobs_text(self, n: int) -> str:
        if self.args.dask:
            return f"the Dask cluster at {self.args.dask}"
        jobs = min(self.args.jobs, max(n, 1))
        return f"{jobs} parallel job{'s' if jobs > 1 else ''}"

    # -- rendering ------------------------------------------------------------------------------

    def render_all(self, plans: list[Planned], display: Display) -> None:
        dask = bool(self.args.dask)
        pool: LocalPool | DaskPool = (
            DaskPool(self.args.dask) if dask else LocalPool(min(self.args.jobs, len(plans)))
        )
        external = [
            scene_file(p.entry, self.root)
            for p in plans
            if not _under(scene_file(p.entry, self.root), self.root)
        ]
        bundle = make_bundle(self.root, external)
        env = {k: v for k, v in os.environ.items() if k in ("GDE_VOICE", "GDE_PIPER_MODEL")}
        futures: dict[Future, Planned] = {}
        try:
            for p in plans:
                job = {
                    "scene": p.scene,
                    "script": bundle_path(scene_file(p.entry, self.root), self.root),
                    "quality": self.quality,
                    "bundle": bundle,
                    "env": env,
                    "work_parent": None if dask else str(self.out / "work"),
                    "voice_cache": None if dask else str(self.root / "build" / "voice"),
                }
                futures[pool.submit(job)] = p
                if dask:
                    display.started_scene(p.scene, "on the Dask cluster")
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                self._drain(pool.progress, display)
                for fut in done:
                    self._collect(futures[fut], fut, display)
            self._drain(pool.progress, display)
        except KeyboardInterrupt:
            pool.stop()
            for p in futures.values():
                if p.scene not in self.outcomes:
                    self.outcomes[p.scene] = Outcome(p.entry, "interrupted")
            raise
        pool.close()

    def _drain(self, progress: Any, display: Display) -> None:
        if progress is None:
            return
        while True:
            try:
                scene, kind, data = progress.get_nowait()
            except (queue_module.Empty, OSError, ValueError, EOFError):
                return
            if kind == "start":
                display.started_scene(scene)
            elif kind == "animation":
                display.animation(scene, **data)
            elif kind == "post":
                display.postprocess(scene)

    def _collect(self, p: Planned, fut: Future, display: Display) -> None:
        try:
            result = fut.result()
        except Exception as exc:  # the worker itself died, or the cluster lost the task
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "render_time": None}
        logs = self.out / "logs"
        if result.get("log"):
            logs.mkdir(exist_ok=True)
            (logs / f"{p.scene}.log").write_text(result["log"], encoding="utf-8")
        if result.get("ok"):
            meta = self.cache.store(p.scene, p.key, result)
            outcome = Outcome(
                p.entry, "rendered", _seconds(meta), meta["render_time"], "",
                meta["had_audio"], meta.get("host", ""),
            )  # fmt: skip
        else:
            error = result.get("error") or "unknown error"
            outcome = Outcome(p.entry, "failed", render_time=result.get("render_time"), error=error)
        self.outcomes[p.scene] = outcome
        display.finished(outcome)

    # -- the end: join, report, summary ---------------------------------------------------------

    def finish(self, plans: dict[str, Planned], interrupted: bool) -> int:
        outcomes = [self.outcomes.get(e.scene) or Outcome(e, "pending") for e in self.selected]
        failed = [o for o in outcomes if o.status == "failed"]
        video: dict[str, Any] = {"status": "not joined"}
        messages: list[str] = []
        code = 0
        if interrupted:
            code = 130
            kept = sum(o.status in ("rendered", "cached") for o in outcomes)
            messages.append(
                f"interrupted: {kept} finished scenes are kept; run again to resume from there"
            )
        else:
            video, join_messages, join_failed = self.maybe_join(plans)
            messages += join_messages
            if failed or join_failed:
                code = 1
        self.write_report(outcomes, video, code)
        self.console.print(summary_table(outcomes))
        for o in failed:
            log = self.out / "logs" / f"{o.entry.scene}.log"
            where = f" (log: {log})" if log.exists() else ""
            print(f"FAILED {o.entry.scene}: {o.error}{where}", file=sys.stderr)
        for m in messages:
            print(m)
        if failed:
            print(
                f"{len(failed)} of {len(outcomes)} scenes failed; the others are kept in "
                f"{self.cache.dir}",
                file=sys.stderr,
            )
        print(f"done in {time.monotonic() - self.t0:.1f} s")
        return code

    def maybe_join(self, plans: dict[str, Planned]) -> tuple[dict, list[str], bool]:
        final = self.out / f"{NAME}.mp4"
        metas, dirs = [], []
        for entry in self.order:
            p = plans[entry.scene]
            meta = self.cache.lookup(entry.scene, p.key) if p.check.ok else None
            if meta is None:
                missing = sum(
                    1
                    for e in self.order
                    if not plans[e.scene].check.ok
                    or self.cache.lookup(e.scene, plans[e.scene].key) is None
                )
                kept = "left as it was" if final.exists() else "not written"
                return (
                    {"status": "not joined", "missing_scenes": missing},
                    [f"not joined: {missing} of {len(self.order)} scenes are not rendered; "
                     f"{final.name} {kept}"],
                    False,
                )  # fmt: skip
            metas.append(meta)
            dirs.append(self.cache.entry_dir(entry.scene, p.key))
        lengths = [_seconds(m) for m in metas]
        messages = []
        if not any(m.get("had_audio") for m in metas):
            messages.append(
                "note: no scene has sound (no speech engine, or GDE_VOICE=none): "
                "the video is silent, with captions only"
            )
        key = hashlib.sha256(
            json.dumps(
                [CACHE_FORMAT, [str(d.name) for d in dirs], [e.section_title for e in self.order],
                 [e.section for e in self.order], self.args.burn_subtitles, VIDEO_TITLE]
            ).encode()
        ).hexdigest()  # fmt: skip
        key_file = self.out / f".{NAME}.key"
        outputs = [final, self.out / f"{NAME}.srt", self.out / "chapters.txt"]
        if all(p.exists() for p in outputs) and key_file.exists() and key_file.read_text() == key:
            total = sum(lengths, Fraction(0))
            messages.append(f"video up to date: {final} ({_clock(total)})")
            return (
                {"status": "up to date", "path": str(final), "duration": float(total)},
                messages,
                False,
            )
        try:
            joined = join(self.out, self.order, dirs, lengths, self.args.burn_subtitles)
        except (JoinError, OSError, subprocess.CalledProcessError) as exc:
            messages.append(f"joining failed: {exc}; {final.name} left as it was")
            return {"status": "failed", "error": str(exc)}, messages, True
        _write_atomic(key_file, key)
        n = len(joined["chapters"])
        messages.append(f"video: {final} ({_clock(joined['duration'])}, {n} chapters)")
        messages.append(f"captions: {self.out / (NAME + '.srt')}")
        messages.append(f"chapters: {self.out / 'chapters.txt'}")
        return {"status": "joined", **joined}, messages, False

    def write_report(self, outcomes: list[Outcome], video: dict, code: int) -> None:
        report = {
            "quality": self.quality,
            "exit_code": code,
            "elapsed": time.monotonic() - self.t0,
            "executor": f"dask:{self.args.dask}" if self.args.dask else f"local:{self.args.jobs}",
            "scenes": [
                {
                    "scene": o.entry.scene,
                    "section": o.entry.section,
                    "status": o.status,
                    "length": float(o.seconds) if o.seconds is not None else None,
                    "render_time": o.render_time,
                    "error": o.error or None,
                    "had_audio": o.had_audio,
                    "host": o.host or None,
                }
                for o in outcomes
            ],
            "video": video,
        }
        with contextlib.suppress(OSError):
            _write_atomic(self.out / "render-report.json", json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
