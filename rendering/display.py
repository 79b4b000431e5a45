"""Display: a live rich progress on a terminal, one line per event elsewhere; the summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rendering.outcome import Outcome
from rendering.times import clock


class Display:
    """A run's progress: live bars on a terminal, else one line per event."""

    def __init__(self, total: int, console: Any, live: bool):
        self.total = total
        self.done = 0
        self.console = console
        self.live = live
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
            text = f"· {scene}: cached ({clock(outcome.seconds, 1)})"
        else:
            text = (
                f"✓ {scene}: rendered {clock(outcome.seconds, 1)} of video "
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
    """The run's scenes as a rich table: section, length, render time, status."""
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
            clock(o.seconds, 1),
            f"{o.render_time:.1f} s" if o.status != "cached" and o.render_time else "–",
            f"[{styles.get(o.status, 'yellow')}]{o.status}[/]",
        )
    return table


def console() -> Any:
    """A rich console; off a terminal, wide enough that lines do not wrap."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(width=max(100, console.width), soft_wrap=False)
    return console
