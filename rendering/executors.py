"""Executors: a local process pool, or an existing Dask distributed cluster."""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from rendering.errors import UsageError
from rendering.worker import init_local_worker, render_scene


class LocalPool:
    """A process pool whose workers can be stopped at once (Ctrl-C), Manim and all."""

    def __init__(self, jobs: int):
        ctx = multiprocessing.get_context("spawn")
        self.progress = ctx.Queue()
        self.executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=ctx,
            initializer=init_local_worker,
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
        # Ship the package's code with the task (render_scene and the helpers it calls from
        # other modules), so workers need no copy of render.py or rendering/.
        cloudpickle.register_pickle_by_value(sys.modules[__package__])
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
