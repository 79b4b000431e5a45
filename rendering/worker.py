"""The worker: one scene, one Manim process.

Module-level, takes and returns plain data, so it runs the same in a local process pool and
on a Dask worker on another machine. On Dask the code travels by value (see
``rendering.executors.DaskPool``): what ``render_scene`` calls must be plain data, the
standard library, or code in this package, which a Dask worker never imports.
"""

from __future__ import annotations

import contextlib
import io
import os
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
from fractions import Fraction
from pathlib import Path
from typing import Any

from rendering.files import write_atomic
from rendering.media import ffprobe, normalize, video_seconds

_PROGRESS: Any = None  # a multiprocessing queue in local workers, None elsewhere
_RUNNING: dict[str, Any] = {}  # the Manim process and work folder of the current scene

_ANIMATION = re.compile(r"Animation (\d+): (.*?):\s+(\d+)%\|.*?\|\s*(\d+)/(\d+)")
_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit))\b:?\s*(.*)$")


def init_local_worker(progress: Any) -> None:
    """Local pool workers: report progress, leave Ctrl-C to the parent, stop Manim on TERM,
    and die with the parent however it dies (a SIGKILL leaves no handler a chance)."""
    global _PROGRESS
    _PROGRESS = progress
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_terminate)
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:  # the parent died before we asked
        os._exit(1)


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the thread that started it dies (elsewhere: no-op)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def dying_with_parent(cmd: list[str]) -> list[str]:
    """``cmd`` set to die with the process that starts it, however that process dies.

    util-linux's setpriv sets the parent-death signal and execs the command (a preexec_fn
    would do the same, but is unsafe in a process with threads). Looked up where the command
    runs, as a Dask worker may lack it: then the command stops only on the worker's signals.
    """
    if shutil.which("setpriv") is None:
        return cmd
    return ["setpriv", "--pdeathsig", "KILL", "--", *cmd]


def _on_terminate(signum: int, frame: Any) -> None:
    proc = _RUNNING.get("proc")
    if proc is not None and proc.poll() is None:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    work = _RUNNING.get("work")
    if work:
        shutil.rmtree(work, ignore_errors=True)
    os._exit(128 + signum)


def _stop(proc: subprocess.Popen, timed_out: threading.Event) -> None:
    """Kill a Manim process that ran out of time, and everything it started (its session)."""
    timed_out.set()
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


def _report(scene: str, kind: str, **data: Any) -> None:
    if _PROGRESS is None:
        return
    with contextlib.suppress(Exception):
        _PROGRESS.put_nowait((scene, kind, data))


def _error_line(text: str, returncode: int) -> str:
    last = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "│╭╰┃━─":
            continue
        if _EXCEPTION.match(line):
            last = line
    return last or f"manim exited with status {returncode}"


def seed_tex(store: Path, tex_dir: Path) -> None:
    """Give a scene's Manim the formulas earlier scenes compiled (linked, not copied).

    Manim names each compiled formula by a hash of its whole LaTeX source and skips the
    compilation when the SVG exists: a formula compiled once serves every later scene.
    Manim never rewrites an SVG it finds, so the links are safe to share.
    """
    tex_dir.mkdir(parents=True, exist_ok=True)
    if not store.is_dir():
        return
    for svg in store.glob("[!.]*.svg"):  # not the temporaries of a store in progress
        with contextlib.suppress(OSError):
            try:
                os.link(svg, tex_dir / svg.name)
            except OSError:  # another file system
                shutil.copyfile(svg, tex_dir / svg.name)


def keep_tex(tex_dir: Path, store: Path) -> None:
    """Add the formulas this scene compiled to the store, each file whole (atomic rename)."""
    with contextlib.suppress(OSError):  # a store that cannot be written only costs time
        store.mkdir(parents=True, exist_ok=True)
        for svg in tex_dir.glob("[!.]*.svg"):
            if not (store / svg.name).exists():
                write_atomic(store / svg.name, svg.read_bytes())


def render_scene(job: dict) -> dict:
    """Render one scene and return its normalized video as bytes, with captions and timings.

    Parameters
    ----------
    job : dict
        ``scene``; ``script``, the scene file's path inside the bundle; ``quality``;
        ``bundle``, the project's files as a gzipped tar (:func:`rendering.sources.make_bundle`);
        ``scene_env``, the settings of the scene process as environment variables (the
        voice: ``scenes.common.speech.environment``); ``work_parent``, a folder for
        temporary files, or None for the system's; ``time_limit``, seconds after which
        Manim is stopped and the scene reported as failed (None: no limit); ``tex_store``,
        a folder of compiled formulas shared by the scenes (``~`` is the worker's home), or
        None.

    Returns
    -------
    dict
        ``ok``, ``host``, ``render_time``, ``log``; when ok: ``mov`` (bytes), ``srt``,
        ``words`` (the narrated words' times as JSON, or empty), ``seconds`` ([numerator,
        denominator]), ``had_audio``; else ``error``.
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
        store = Path(job["tex_store"]).expanduser() if job.get("tex_store") else None
        if store is not None:
            seed_tex(store, Path(media) / "Tex")  # Manim's tex_dir: {media_dir}/Tex
        env = {**os.environ, **job["scene_env"]}
        env["COLUMNS"] = "200"  # Manim's rich log: no wrapped error lines
        cmd = [
            sys.executable, "-m", "manim", "render", f"-q{job['quality']}",
            job["script"], scene, "--media_dir", media,
            "--disable_caching", "--silent", "--progress_bar", "display",
        ]  # fmt: skip
        log_path = os.path.join(work, "manim.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                dying_with_parent(cmd),
                cwd=src,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.PIPE,
                start_new_session=True,  # Ctrl-C reaches the parent, which stops us cleanly
            )
            _RUNNING["proc"] = proc
            limit = job.get("time_limit")
            timed_out = threading.Event()
            timer = threading.Timer(limit, _stop, (proc, timed_out)) if limit else None
            if timer is not None:
                timer.daemon = True
                timer.start()
            try:
                err = _pump_progress(scene, proc)
                returncode = proc.wait()
            finally:
                if timer is not None:
                    timer.cancel()
            _RUNNING.pop("proc", None)
        with open(log_path, "rb") as fh:
            out_text = fh.read().decode("utf-8", "replace")
        log_text = out_text + "\n" + err
        result["log"] = log_text[-20000:]
        if timed_out.is_set():
            result["error"] = f"timed out: stopped after {limit:g} s (--timeout sets the limit)"
            return result
        if returncode != 0:
            result["error"] = _error_line(err + "\n" + out_text, returncode)
            return result
        if store is not None:
            keep_tex(Path(media) / "Tex", store)
        movies = sorted(Path(media).glob(f"videos/*/*/{scene}.mp4"), key=os.path.getmtime)
        if not movies:
            result["error"] = f"manim wrote no {scene}.mp4"
            return result
        movie = movies[-1]
        srt = movie.with_suffix(".srt")
        words = movie.with_suffix(".words.json")  # written by scenes.common.narration
        _report(scene, "post")
        info = ffprobe(str(movie))
        seconds = video_seconds(info)
        had_audio = any(s["codec_type"] == "audio" for s in info["streams"])
        normalized = os.path.join(work, "scene.mov")
        normalize(str(movie), normalized, seconds, had_audio)
        # ffmpeg can report success for a file a full disk cut short: measure what it wrote.
        written = video_seconds(ffprobe(normalized))
        if abs(written - seconds) > Fraction(1, 10):
            free = shutil.disk_usage(work).free // 1024
            result["error"] = (
                f"the scene's video came out {float(written):.1f} s long, not "
                f"{float(seconds):.1f} s ({free} kB free where it was written)"
            )
            return result
        with open(normalized, "rb") as fh:
            result["mov"] = fh.read()
        result.update(
            ok=True,
            srt=srt.read_text(encoding="utf-8") if srt.exists() else "",
            words=words.read_text(encoding="utf-8") if words.exists() else "",
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
