"""The local executor: a build's task graph run in this process or in a pool of workers.

A pool keeps its worker processes for the whole build, so each worker imports
WeasyPrint once and renders many leaflets, reusing its parsed stylesheets and font
configuration (a new process per leaflet would cost ~0.5 s each). The workers are
forked as soon as the build knows it has work, before it loads the sources, and
each readies its renderer (``warm_up``) while the build reads them: that set-up
costs no time of its own, and the workers hold none of the sources' memory (each
task brings its own leaflet).

The executor is small: it takes from the graph the tasks that may start, keeps every
worker busy with one and one more queued, and hands each result back as it comes.
The caller records it, and only then does the graph let the tasks that need it
start. A worker that dies (killed, out of memory) fails the tasks the pool had in
hand, each with an error, and a new pool runs the rest.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Protocol

from careleaf.errors import Diagnostic, Location
from careleaf.pipeline.graph import Graph, Task
from careleaf.pipeline.tasks import PagesWork, Result, Work, execute

Done = tuple[Task[Work], Result]


class Executor(Protocol):
    """What runs a build's graph: this module's ``LocalExecutor``, or a Dask cluster's
    (``pipeline.cluster``). Used as a context manager: leaving it stops its workers."""

    def run(self, graph: Graph[Work, Result]) -> Iterator[Done]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *_: object) -> None: ...


class LocalExecutor(contextlib.AbstractContextManager["LocalExecutor"]):
    """Runs task graphs in this process (one job) or in ``jobs`` long-lived workers."""

    def __init__(self, jobs: int, warm_up: Callable[[], None] | None = None) -> None:
        self.jobs, self._warm_up = jobs, warm_up
        self._pool = self._start() if jobs > 1 else None

    def _start(self) -> ProcessPoolExecutor:
        pool = _pool(self.jobs)
        if self._warm_up is not None:  # forks the workers now; each readies itself
            for _ in range(self.jobs):
                pool.submit(self._warm_up)
        return pool

    def run(self, graph: Graph[Work, Result]) -> Iterator[Done]:
        """Each task and its result as it ends. The graph learns of a result once the
        caller has taken it (and recorded it, or dropped the tasks that needed it)."""
        if self._pool is None:
            yield from _in_process(graph)
        else:
            yield from self._in_pool(graph)

    def _in_pool(self, graph: Graph[Work, Result]) -> Iterator[Done]:
        running: dict[Future[Result], Task[Work]] = {}
        while True:
            # One queued beyond the workers: a worker that finishes starts at once.
            while len(running) <= self.jobs and (taken := graph.take()) is not None:
                running[self._submit(taken[0], taken[1])] = taken[0]
            if not running:
                return
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            lost = False
            for future in finished:
                task = running.pop(future)
                result, broken = _result(future, task)
                lost |= broken
                yield task, result
                graph.finish(task.id, result)
            if lost:  # every task the dead pool had is failed by now: a new pool
                self.close()
                self._pool = _pool(self.jobs)

    def _submit(self, task: Task[Work], inputs: dict[str, Result]) -> Future[Result]:
        assert self._pool is not None
        return self._pool.submit(execute, task.work, inputs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __exit__(self, *_: object) -> None:
        self.close()


def _in_process(graph: Graph[Work, Result]) -> Iterator[Done]:
    while (taken := graph.take()) is not None:
        task, inputs = taken
        result = execute(task.work, inputs)
        yield task, result
        graph.finish(task.id, result)


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork: workers start at once with careleaf already imported (Linux); spawn elsewhere.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context(method))


def _result(future: Future[Result], task: Task[Work]) -> tuple[Result, bool]:
    """The task's result, or a failure if its worker died (True: the pool is lost).
    Any other exception is a bug in careleaf, and stops the build with its traceback."""
    try:
        return future.result(), False
    except BrokenProcessPool:
        where = _where(task.work)
        message = ("was not made: a worker process ended while the build was making it "
                   "or another output (killed, or out of memory?); build again")
        return Result("failed", 0.0, [Diagnostic(Location(where), message)]), True


def _where(work: Work) -> Path:
    return work.job.leaflet.path if isinstance(work, PagesWork) else work.target
