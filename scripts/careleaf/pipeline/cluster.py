"""The Dask executor: a build's task graph run by a Dask cluster, the client writing.

``careleaf build --scheduler tcp://HOST:8786`` (or ``[tool.careleaf] scheduler``, or
``CARELEAF_SCHEDULER``) sends each task to a cluster's workers instead of the local
pool; ``--scheduler local`` starts a ``LocalCluster`` of single-threaded worker
processes on 127.0.0.1. The graph (``pipeline.graph``) is the same: this executor takes
the tasks that may start, as the local one does, and keeps every worker thread busy
with one and one more queued.

Workers need no shared file system. The project's ``layouts/`` folder goes to every
worker once, as bytes (``remote.Bundle``, scattered); each task carries its leaflet
(parsed, with its text), its images' bytes and, for proofs, its PDFs' bytes; a worker
gives back bytes (``tasks.Made``), and this process writes them atomically and
records them (``tasks.store``), so a worker that crashes never leaves a half-written
file. Dask runs a task again elsewhere when its worker dies.

Before any task, every worker's ``remote.identity`` (careleaf's rendering code, the
renderers' versions, the fonts) is compared with this machine's: a worker that differs
is refused, with a warning naming it and what differs, and no task runs on it; with no
worker left, the build stops with an error. A scheduler that cannot be reached is one
line and exit status 2.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careleaf.errors import CareleafError, Diagnostic, Location, Unreachable
from careleaf.pipeline.graph import Graph, Task
from careleaf.pipeline.remote import Bundle, Refused, differences, identity, images_of, run
from careleaf.pipeline.tasks import PagesWork, Result, Work, loaded, store

if TYPE_CHECKING:
    from distributed import Client, Future

Done = tuple[Task[Work], Result]
#: Seconds to reach a scheduler, and to wait for a first worker, before giving up.
CONNECT_TIMEOUT = 10
#: Seconds a scheduler may have no worker before the build gives up (a batch system's
#: worker jobs may still be queued).
FIRST_WORKER_TIMEOUT = 60
#: How often a build waiting on the cluster checks that a worker it may use is left.
LIVENESS_S = 5.0


class DaskExecutor(contextlib.AbstractContextManager["DaskExecutor"]):
    """Runs task graphs on a Dask cluster; writes and records in this process."""

    def __init__(self, address: str, root: Path, workers: int | None = None,
                 warn: Callable[[str], None] | None = None) -> None:
        self.root, self._warn = root, warn or (lambda message: None)
        self._cluster, self.client = _connect(address, workers)
        self._address = str(self.client.scheduler_info().get("address", address))
        self._seen: set[str] = set()  # workers whose identity was asked
        self._next_look = time.monotonic() + LIVENESS_S
        try:
            self._expected = identity()
            self.workers = self._accepted()
            self._count_threads()
            bundle = Bundle.of(root)
            self._bundle = self.client.scatter(bundle, broadcast=True, hash=False,
                                               workers=self.workers)
        except BaseException:
            self.close()
            raise

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address, when the scheduler serves one (a cluster of this
        machine's serves it only if Bokeh is installed here)."""
        if "dashboard" not in self.client.scheduler_info().get("services", {}):
            return None
        if self._cluster is not None and importlib.util.find_spec("bokeh") is None:
            return None
        return str(self.client.dashboard_link)

    def _accepted(self, workers: list[str] | None = None, required: bool = True) -> list[str]:
        """Of ``workers`` (all, by default), those whose identity is this machine's; each
        other one is named. With none, and ``required``, the build cannot go on."""
        found: dict[str, dict[str, str] | BaseException] = self.client.run(
            identity, workers=workers, on_error="return")
        self._seen.update(found)
        good = [address for address, theirs in found.items() if theirs == self._expected]
        for address, theirs in sorted(found.items()):
            if isinstance(theirs, BaseException):  # careleaf missing or broken there
                self._warn(f"Dask worker {address} refused: careleaf could not run there "
                           f"({type(theirs).__name__}: {_reason(theirs)}); install careleaf "
                           "and its dependencies there (see docs/cluster.md)")
            elif theirs != self._expected:
                self._warn(f"Dask worker {address} refused: it differs from this machine in "
                           f"{differences(self._expected, theirs)}; install the same careleaf, "
                           "WeasyPrint and fonts there (see docs/cluster.md)")
        if not good and required:
            raise Unreachable(f"no Dask worker of {self._address} can build these outputs "
                              "byte for byte as this machine would (see the warnings above)")
        return good

    def run(self, graph: Graph[Work, Result]) -> Iterator[Done]:
        """Each task and its result as it ends, as ``LocalExecutor.run``."""
        from distributed import wait
        from distributed.client import FuturesCancelledError

        running: dict[Future[Any], tuple[Task[Work], Work, float]] = {}
        while True:
            while len(running) < 2 * self.threads and (taken := graph.take()) is not None:
                task, sent = taken[0], self._submit(*taken)
                if isinstance(sent, Result):  # its PDFs could not be read here
                    yield task, sent
                    graph.finish(task.id, sent)
                    continue
                running[sent[1]] = (task, sent[0], time.perf_counter())
            if not running:
                return
            self._look_for_workers()
            try:
                done = wait(list(running), timeout=LIVENESS_S, return_when="FIRST_COMPLETED").done
            except TimeoutError:  # nothing ended for a while: is any worker left to use?
                self._check_workers()
                continue
            except FuturesCancelledError:  # tasks lost with their worker: failed, below
                done = {future for future in running if future.status != "pending"}
            for future, outcome in self._outcomes(list(done)):
                task, sent_work, started = running.pop(future)
                result = self._result(outcome, task, sent_work, started)
                yield task, result
                graph.finish(task.id, result)

    def _outcomes(self, done: list[Future[Any]]) -> Iterator[tuple[Future[Any], Any]]:
        """What each finished future gave: those that succeeded fetched in one round trip
        (not one per task); one at a time if that fails (a result lost with its worker);
        an exception for each one that failed."""
        fine = [future for future in done if future.status == "finished"]
        try:
            results = self.client.gather(fine)
        except Exception:
            fine, results = [], []
        yield from zip(fine, results, strict=True)
        gathered = {id(future) for future in fine}
        for future in (future for future in done if id(future) not in gathered):
            try:
                yield future, future.result()
            except Exception as exc:  # judged by _result
                yield future, exc

    def _look_for_workers(self) -> None:
        """Workers that joined since the last look (a queued Slurm job, a restarted
        worker) are checked, and used if they are this machine's kind."""
        if time.monotonic() < self._next_look:
            return
        self._next_look = time.monotonic() + LIVENESS_S
        new = [address for address in self.client.scheduler_info()["workers"]
               if address not in self._seen]
        if new:
            self.workers += self._accepted(new, required=False)
            self._count_threads()

    def _submit(self, task: Task[Work], inputs: dict[str, Result]
                ) -> tuple[Work, Future[Any]] | Result:
        """Send the task with what it reads (a proof set's PDFs are read here, now), and
        of the results it needs only the page starts: all a worker uses of them."""
        try:
            work = loaded(task.work, inputs)
            images = images_of(work, self.root)
        except CareleafError as exc:
            return Result("failed", 0.0, list(exc.report.diagnostics))
        except OSError as exc:
            return _failed(task.work, f"could not be read ({exc.strerror or exc}); build again")
        needs = {key: Result("built", 0.0, page_starts=result.page_starts)
                 for key, result in inputs.items()}
        future = self.client.submit(run, work, needs, self._bundle, images, str(self.root),
                                    self._expected, key=f"careleaf-{task.id}-{time.time_ns()}",
                                    workers=self.workers, allow_other_workers=False,
                                    pure=False)
        return work, future

    def _result(self, outcome: Any, task: Task[Work], work: Work, started: float) -> Result:
        """Write what the worker made; its failure, or a lost task, as an error."""
        try:
            if isinstance(outcome, BaseException):
                raise outcome
            made, diagnostics, _ = outcome
        except Refused as exc:
            return _failed(task.work, f"was not made: a Dask worker differs from this machine "
                           f"in {exc}")
        except Exception as exc:
            if _bug(exc):
                raise
            return _failed(task.work, f"was not made: the Dask cluster lost the task "
                           f"({type(exc).__name__}: {exc}); build again")
        if made is None:
            return Result("failed", time.perf_counter() - started, diagnostics)
        try:
            result = store(work, made)
        except CareleafError as exc:
            return Result("failed", time.perf_counter() - started,
                          [*diagnostics, *exc.report.diagnostics])
        result.seconds, result.diagnostics = time.perf_counter() - started, diagnostics
        return result

    def _count_threads(self) -> None:
        """The threads of the workers this build uses: a task in flight for each, and
        one more queued, keep them busy."""
        known = self.client.scheduler_info()["workers"]
        self.threads = sum(known[address]["nthreads"] for address in self.workers
                           if address in known) or 1

    def _check_workers(self) -> None:
        """Stop waiting when no worker this build may use is left in the cluster."""
        alive = set(self.client.scheduler_info()["workers"])
        if not alive & set(self.workers):
            raise Unreachable(f"every Dask worker this build used has left "
                              f"{self._address}; build again")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()

    def __exit__(self, *_: object) -> None:
        self.close()


def _connect(address: str, workers: int | None) -> tuple[Any, Client]:
    """A client of the scheduler at ``address``, or of a new ``LocalCluster``."""
    # Imported here: only a build on a cluster pays for Dask (about half a second).
    from distributed import Client, LocalCluster

    if address == "local":
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address=None,
                               silence_logs=50)
        return cluster, Client(cluster)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise Unreachable(f"the Dask scheduler at {address} could not be reached "
                          f"({_reason(exc)}); start it (dask scheduler) or check the address "
                          "given by --scheduler, [tool.careleaf] scheduler or "
                          "CARELEAF_SCHEDULER") from None
    try:
        client.wait_for_workers(1, timeout=FIRST_WORKER_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise Unreachable(f"the Dask scheduler at {address} has no worker ({_reason(exc)}); "
                          "start one (dask worker " + address + ")") from None
    return None, client


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _bug(exc: Exception) -> bool:
    """An exception from careleaf's own code on the worker (a bug, shown with its
    traceback), rather than the cluster's (a lost worker, a cancelled task)."""
    from distributed.client import FutureCancelledError

    lost = ("KilledWorker", "CommClosedError", "FutureCancelledError", "FuturesCancelledError",
            "CancelledError", "TimeoutError")
    return not isinstance(exc, FutureCancelledError) and type(exc).__name__ not in lost


def _failed(work: Work, message: str) -> Result:
    where = work.job.leaflet.path if isinstance(work, PagesWork) else work.target
    return Result("failed", 0.0, [Diagnostic(Location(where), message)])


