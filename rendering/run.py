"""One run: plan the scenes, render what is not cached, join the film, report."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import queue as queue_module
import shutil
import subprocess
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from rendering.cache import Cache, meta_seconds, scene_key
from rendering.checks import SceneCheck, check_scene
from rendering.dependencies import Project
from rendering.display import Display, console, summary_table
from rendering.executors import DaskPool, LocalPool
from rendering.files import sweep, write_atomic
from rendering.join import JoinError, join
from rendering.lock import output_lock, sweep_leftovers
from rendering.order import scene_file
from rendering.outcome import Outcome
from rendering.settings import (
    CACHE_FORMAT,
    CONFIG_FILE,
    NAME,
    REMOTE_TEX_STORE,
    REMOTE_VOICE_CACHE,
    VIDEO_TITLE,
)
from rendering.sources import bundle_path, make_bundle
from rendering.times import clock
from scenes.common import speech

#: A scene's render time limit: a base plus this many seconds per second of the scene, at each
#: quality (about 5-10x what this 2-core machine needs, so only a hung render reaches it).
TIME_LIMIT_BASE = 300
TIME_LIMIT_PER_SECOND = {"l": 4, "m": 10, "h": 25, "p": 50, "k": 100}
#: The length assumed for a scene never rendered before.
EXPECTED_SCENE_SECONDS = 120
#: Free space below which a failed join is blamed on the disk, in bytes.
LOW_DISK = 200 * 2**20
#: Temporaries in the shared voice and formula caches older than this are a killed
#: process's leftovers.
SHARED_SWEEP_AGE = 600


@dataclass
class Planned:
    """A scene of the order, checked, with its cache key when it can be rendered."""

    entry: Any
    check: SceneCheck
    key: str = ""

    @property
    def scene(self) -> str:
        return self.entry.scene


class Run:
    """One run of render.py: plan, render what is not cached, join, report."""

    def __init__(
        self,
        args: argparse.Namespace,
        order: list,
        selected: list,
        root: Path,
        out: Path,
        voice: speech.Voice | None,
    ):
        self.args = args
        self.voice = voice
        self.order = order
        self.selected = selected
        self.root = root
        self.out = out
        self.quality = args.quality
        self.cache = Cache(out, args.quality, repair=not args.dry_run)
        self.console = console()
        self.project = Project(root)
        self.outcomes: dict[str, Outcome] = {}
        self.t0 = time.monotonic()

    # -- planning -------------------------------------------------------------------------------

    def plan(self) -> dict[str, Planned]:
        """Check every scene of the order and compute its cache key."""
        voice = self.voice.id if self.voice else "none"
        plans = {}
        for entry in self.order:
            check = check_scene(entry, self.root)
            p = Planned(entry, check)
            if check.ok:
                p.key = scene_key(entry, self.project, self.quality, voice)
            plans[entry.scene] = p
        return plans

    def go(self) -> int:
        plans = self.plan()
        if self.args.dry_run:
            return self.dry_run(plans)
        with output_lock(self.out):
            return self.locked_go(plans)

    def locked_go(self, plans: dict[str, Planned]) -> int:
        """The run proper, with the output folder to itself."""
        self.cache.dir.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(self.out, [self.cache.dir, self.out / "logs"])
        # The voice and formula caches are shared by runs on other output folders: spare
        # what is recent.
        for shared in ("voice", "tex"):
            sweep(self.root / "build" / shared, older_than=SHARED_SWEEP_AGE)
        to_render: list[Planned] = []
        for entry in self.selected:
            p = plans[entry.scene]
            if not p.check.ok:
                self.outcomes[entry.scene] = Outcome(entry, "failed", error=p.check.error)
                continue
            meta = None if self.args.force else self.cache.lookup(entry.scene, p.key)
            if entry.scene in self.cache.damaged:
                print(
                    f"{entry.scene}: its cached render is damaged "
                    f"({self.cache.damaged[entry.scene]}); rendering it again",
                    file=sys.stderr,
                )
            if meta is not None:
                self.outcomes[entry.scene] = Outcome(
                    entry, "cached", meta_seconds(meta), meta.get("render_time"), "",
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
            elif entry.scene in self.cache.damaged:
                status = (
                    f"[yellow]would render[/] (cache damaged: {self.cache.damaged[entry.scene]})"
                )
            elif self.args.force:
                status = "[yellow]would render[/] (--force)"
            elif meta is not None:
                status = f"[cyan]cached[/] ({clock(meta_seconds(meta), 1)})"
            else:
                status = "[yellow]would render[/]"
            table.add_row(entry.scene, str(entry.section), str(entry.path), status)
        self.console.print(table)
        n = sum(
            1
            for e in self.selected
            if plans[e.scene].check.ok
            and (self.args.force or self.cache.lookup(e.scene, plans[e.scene].key) is None)
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
        inputs = {self.root / CONFIG_FILE}
        for p in plans:
            inputs |= self.project.bundle_inputs(scene_file(p.entry, self.root))
        bundle = make_bundle(self.root, inputs)
        voice_cache = REMOTE_VOICE_CACHE if dask else str(self.root / "build" / "voice")
        scene_env = speech.environment(self.voice, voice_cache)
        futures: dict[Future, Planned] = {}
        try:
            for p in plans:
                job = {
                    "scene": p.scene,
                    "script": bundle_path(scene_file(p.entry, self.root), self.root),
                    "quality": self.quality,
                    "bundle": bundle,
                    "scene_env": scene_env,
                    "work_parent": None if dask else str(self.out / "work"),
                    "time_limit": self.time_limit(p.scene),
                    "tex_store": REMOTE_TEX_STORE if dask else str(self.root / "build" / "tex"),
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

    def time_limit(self, scene: str) -> float:
        """How long a scene may render: ``--timeout``, or generous from its last length."""
        if self.args.timeout:
            return float(self.args.timeout)
        seconds = self.cache.previous_seconds(scene) or EXPECTED_SCENE_SECONDS
        return float(TIME_LIMIT_BASE + TIME_LIMIT_PER_SECOND[self.quality] * seconds)

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
            with contextlib.suppress(OSError):  # a log is a help, not a reason to stop
                logs.mkdir(exist_ok=True)
                write_atomic(logs / f"{p.scene}.log", result["log"])
        if result.get("ok"):
            try:
                meta = self.cache.store(p.scene, p.key, result)
            except OSError as exc:  # a full disk: this scene fails, the run goes on
                result = {**result, "ok": False, "error": f"cannot keep the render: {exc}"}
        if result.get("ok"):
            outcome = Outcome(
                p.entry, "rendered", meta_seconds(meta), meta["render_time"], "",
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
                missing = [
                    e.scene
                    for e in self.order
                    if not plans[e.scene].check.ok
                    or self.cache.lookup(e.scene, plans[e.scene].key) is None
                ]
                kept = "left as it was" if final.exists() else "not written"
                names = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
                damaged = [
                    f"{m}'s cached render is damaged" for m in missing if m in self.cache.damaged
                ]
                return (
                    {"status": "not joined", "missing_scenes": len(missing)},
                    [f"not joined: {len(missing)} of {len(self.order)} scenes are not rendered "
                     f"({names}); {final.name} {kept}", *damaged],
                    False,
                )  # fmt: skip
            metas.append(meta)
            dirs.append(self.cache.entry_dir(entry.scene, p.key))
        lengths = [meta_seconds(m) for m in metas]
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
        outputs = [
            final,
            self.out / f"{NAME}.srt",
            self.out / f"{NAME}.vtt",
            self.out / "chapters.txt",
        ]
        if all(p.exists() for p in outputs) and key_file.exists() and key_file.read_text() == key:
            total = sum(lengths, Fraction(0))
            messages.append(f"video up to date: {final} ({clock(total, 1)})")
            return (
                {"status": "up to date", "path": str(final), "duration": float(total)},
                messages,
                False,
            )
        try:
            joined = join(self.out, self.order, dirs, lengths, self.args.burn_subtitles)
        except (JoinError, OSError, subprocess.SubprocessError) as exc:
            free = shutil.disk_usage(self.out).free
            disk = f" (the disk holding it has {free // 1024} kB free)" if free < LOW_DISK else ""
            messages.append(f"joining failed: {exc}{disk}; {final.name} left as it was")
            return {"status": "failed", "error": str(exc)}, messages, True
        write_atomic(key_file, key)
        n = len(joined["chapters"])
        messages.append(f"video: {final} ({clock(joined['duration'], 1)}, {n} chapters)")
        messages.append(f"captions: {self.out / (NAME + '.srt')}, word-timed {NAME}.vtt")
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
            write_atomic(self.out / "render-report.json", json.dumps(report, indent=1) + "\n")
