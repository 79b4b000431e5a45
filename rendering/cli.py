"""The command line: arguments, bad input as one line, and main."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rendering
from rendering.errors import UsageError
from rendering.order import load_order
from rendering.run import Run
from rendering.settings import DEFAULT_ORDER, PROG, QUALITIES, ROOT
from rendering.sources import is_under
from scenes.common import speech


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
    p = _Parser(prog=PROG, description=rendering.__doc__.splitlines()[0])
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
    p.add_argument("--out", type=_folder, default=None, help="output folder (default build/)")
    p.add_argument(
        "--force",
        action="store_true",
        help="render the chosen scenes again even if they are cached",
    )
    p.add_argument(
        "--timeout",
        type=_positive_int,
        metavar="SECONDS",
        default=None,
        help="stop a scene's render after this long (default: generous, from the scene's "
        "length and the quality)",
    )
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
        help="speak with this Piper voice model (.onnx, its config beside it as .onnx.json; "
        "default: the bundled en_US voice)",
    )
    # For tests and experiments: another running order, another project folder.
    p.add_argument("--order", default=None, help=argparse.SUPPRESS)
    p.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    return p


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name")
    return Path(text)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _output_folder(out: Path, root: Path, create: bool) -> Path:
    out = out.expanduser().absolute()
    build = root / "build"
    if is_under(out, root) and not is_under(out, build):
        # Workers render from a bundle of the project's files: outputs there would bloat it,
        # and a film written over the sources is not what anyone wants.
        raise UsageError(
            f"--out {out}: inside the project's sources; use {build} or a folder elsewhere"
        )
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
        voice = _voice(args.piper_model)
        if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
            raise UsageError("ffmpeg and ffprobe are needed (Debian: apt-get install ffmpeg)")
        if args.dask is not None:
            _check_dask_address(args.dask)
        # Last: the only check that creates something.
        out = _output_folder(args.out or root / "build", root, create=not args.dry_run)
        return Run(args, list(order), selected, root, out, voice).go()
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


def _voice(piper_model: Path | None) -> speech.Voice | None:
    """The voice of this run: ``GDE_VOICE`` and ``--piper-model``, checked."""
    if piper_model is not None:
        if not piper_model.is_file():
            raise UsageError(f"--piper-model: no model file at {piper_model}")
        config = Path(f"{piper_model}.json")
        if not config.is_file():
            raise UsageError(f"--piper-model: no voice config beside the model at {config}")
        if importlib.util.find_spec("piper") is None:
            raise UsageError(
                "--piper-model needs the piper-tts package: .venv/bin/pip install piper-tts"
            )
    model = str(piper_model.resolve()) if piper_model else ""
    try:
        return speech.detect(os.environ.get(speech.VOICE_VAR, ""), model)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _check_dask_address(address: str) -> None:
    """Fail within seconds on an address where no Dask scheduler answers.

    Dask's own client would retry for a while, or wait forever on a port where something
    else listens (a dashboard), and print a traceback on its way out.
    """
    if importlib.util.find_spec("distributed") is None:
        raise UsageError("--dask needs the 'distributed' package (pip install distributed)")
    if not address.strip():
        raise UsageError("--dask: an empty address (expected tcp://HOST:PORT)")
    shown = address if len(address) <= 80 else address[:77] + "..."
    try:
        reply = asyncio.run(_ask_identity(address.strip(), DASK_PROBE_SECONDS))
    except TimeoutError:
        raise UsageError(
            f"cannot reach the Dask scheduler at {shown}: no answer within {DASK_PROBE_SECONDS:g} s"
        ) from None
    except Exception as exc:  # any failure to talk is the same bad input
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise UsageError(f"cannot reach the Dask scheduler at {shown}: {reason}") from None
    if not isinstance(reply, dict) or reply.get("type") != "Scheduler":
        raise UsageError(f"what answers at {shown} is not a Dask scheduler")


#: How long --dask waits for a scheduler to answer before calling the address bad input.
DASK_PROBE_SECONDS = 5.0


async def _ask_identity(address: str, seconds: float) -> Any:
    """Connect to ``address`` and ask it who it is, all within ``seconds``."""
    from distributed.comm import connect

    async def ask() -> Any:
        comm = await connect(address, timeout=seconds)
        try:
            await comm.write({"op": "identity", "reply": True})
            return await comm.read()
        finally:
            comm.abort()

    return await asyncio.wait_for(ask(), seconds)


def _list(order: Sequence[Any]) -> int:
    width = max((len(e.scene) for e in order), default=0)
    for e in order:
        print(f"{e.scene:<{width}}  {e.section}  {e.section_title}")
    return 0
