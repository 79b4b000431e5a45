"""One run per output folder: a lock, and the sweep of what a killed run left there."""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from rendering.files import remove, sweep

#: The lock file inside the output folder (kept between runs; who holds it is written in it).
LOCK_NAME = ".render.lock"


@contextlib.contextmanager
def output_lock(out: Path, say: TextIO | None = None) -> Iterator[None]:
    """Hold the output folder for this run; wait, saying for whom, while another run holds it.

    The lock is the kernel's (``flock``): it goes away with the process that held it, however
    that process ended, so a killed run never leaves the folder locked.
    """
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK_NAME, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another run"
            print(f"waiting for {holder}, which is using {out}", file=say or sys.stderr, flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        started = time.strftime("%H:%M:%S")
        fh.write(f"render.py (pid {os.getpid()} on {socket.gethostname()}, since {started})\n")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def sweep_leftovers(out: Path, folders: list[Path]) -> int:
    """Remove what a killed run left in ``out`` (call with the lock held); returns the count.

    Its scene work folders (``work/``), its join folder and its half-written temporaries in
    ``out`` and ``folders`` (the scene cache, the logs).
    """
    gone = 0
    work = out / "work"
    if work.is_dir():
        for leftover in work.iterdir():
            remove(leftover)
            gone += 1
    for folder in (out, *folders):
        gone += len(sweep(folder))
    for leftover in out.glob(".join-*"):  # join folders of older versions
        remove(leftover)
        gone += 1
    return gone
