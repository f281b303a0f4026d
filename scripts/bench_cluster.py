"""What a build on a Dask cluster costs, measured here, and projected to a big cluster.

``careleaf build --scheduler`` (``pipeline.cluster``) sends one task per output and one
per output's proofs to a Dask cluster; the client, one process, sends each task its
work, gets bytes back, writes them and records them. This measures, on this machine,
with real Dask (no mocks) and a real synthetic catalogue (``bench_catalogue``):

1. ``overhead``: trivial tasks submitted as ``pipeline.cluster`` submits them (one
   ``client.submit`` each, a window of 2 x threads in flight, results taken as they
   end) on a ``LocalCluster`` of two single-threaded worker processes (as
   ``--scheduler local``), and on a scheduler and two workers each a process of its own
   (``dask scheduler``, ``dask worker --nthreads 1``), where the client's CPU and the
   scheduler's are measured apart; then with arguments and results of the sizes
   careleaf's tasks have, and with a window of 256 (what 128 threads get).
2. ``tasks``: every task of a cold build of the catalogue, run in this process as a
   worker runs it (``remote.run``) and written and recorded as the client does
   (``tasks.store``, ``Manifest.record``): the pickled bytes each way (protocol 5, as
   Dask), the worker's CPU, the client's CPU per step, the bytes written, the bundle.
3. ``local_build``: ``careleaf build -j1``, its "built PATH (x.xx s)" lines by layout.
4. ``cluster_build``: ``careleaf build --scheduler tcp://...`` on the scheduler and two
   workers of 1, at N/4 and N leaflets: the client's, the scheduler's and the workers'
   CPU per task as the slope between the two (start-up costs cancel out).

Then ``project`` takes the issue's case (5,000 leaflets x 10 languages x 7 layouts on
8 machines x 16 cores) and bounds the build's time by each resource: the workers'
CPU, the scheduler's CPU, the client's CPU and its serial wait for each result, the
network at the client and at the scheduler, and the client's disk. Every figure is a
median of ``rounds`` runs; the load average is kept with each part (other jobs share
this machine). ``python scripts/bench_cluster.py`` prints a table and writes
``build/bench-cluster.json``; ``measure`` and ``project`` are for ``bench.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import operator
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench_catalogue import make_project

if TYPE_CHECKING:
    from distributed import Client, Future

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "build" / "bench-cluster.json"
DASK = Path(sys.executable).with_name("dask")
TICKS = os.sysconf("SC_CLK_TCK")
LINE_RE = re.compile(r"^(built|failed|proofs|proofs failed)\s+(\S.*?) \((\d+\.\d+) s\)$")
SUMMARY_RE = re.compile(r"(\d+) built, (\d+) up to date, (\d+) failed"
                        r"(?:; proofs of (\d+) PDFs? drawn(?:, (\d+) failed)?)?")
PROTOCOL = 5  # what Dask pickles with
IDLE_S = 10.0


class BenchError(Exception):
    """Something broke (a command failed, a worker never came): not a slow result."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (not its children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- A cluster of processes: `dask scheduler` and `dask worker --nthreads 1` ------------

@dataclass
class Processes:
    """A scheduler and its single-threaded workers, each a process of its own on
    127.0.0.1: the plain-machines deployment of docs/cluster.md, on one machine."""

    folder: Path
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    address: str = ""

    def start(self, n_workers: int) -> None:
        info = self.folder / "scheduler.json"
        self.scheduler = _spawn([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 "--no-dashboard", "--scheduler-file", str(info)],
                                self.folder / "scheduler.log")
        deadline = time.monotonic() + 60
        while not (info.exists() and info.stat().st_size > 0):
            if time.monotonic() > deadline or self.scheduler.poll() is not None:
                raise BenchError(f"the scheduler did not start: see {self.folder}")
            time.sleep(0.1)
        self.address = json.loads(info.read_text())["address"]
        for index in range(n_workers):
            self.workers.append(_spawn(
                [str(DASK), "worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                 "--no-nanny", "--no-dashboard", "--death-timeout", "60"],
                self.folder / f"worker-{index}.log"))

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of the scheduler, and of all workers together."""
        assert self.scheduler is not None
        return cpu_of(self.scheduler.pid), sum(cpu_of(worker.pid) for worker in self.workers)

    def stop(self) -> None:
        started = [*self.workers, *([self.scheduler] if self.scheduler else [])]
        for process in started:
            if process.poll() is None:
                process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def processes(folder: Path, n_workers: int) -> Iterator[Processes]:
    cluster = Processes(folder)
    try:
        cluster.start(n_workers)
        yield cluster
    finally:
        cluster.stop()


# --- 1. Per-task overhead: trivial tasks, submitted as pipeline.cluster submits ---------

@dataclass(frozen=True)
class Loop:
    """One run of the submit loop: ``tasks`` calls of ``fn`` with ``window`` in flight."""

    name: str
    fn: Callable[..., Any]
    arg: Callable[[int], Any]
    tasks: int
    window: int


def submit_loop(client: Client, loop: Loop, workers: list[str]) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds for ``loop``: one ``client.submit``
    per task with its own key, never more than ``window`` running, each result taken
    (``future.result()``) as ``wait(..., FIRST_COMPLETED)`` hands it back."""
    from distributed import wait

    running: set[Future[Any]] = set()
    submitted = done = 0
    wall, cpu = time.perf_counter(), time.process_time()
    while done < loop.tasks:
        while len(running) < loop.window and submitted < loop.tasks:
            running.add(client.submit(loop.fn, loop.arg(submitted),
                                      key=f"bench-{submitted}-{time.time_ns()}",
                                      workers=workers, allow_other_workers=False, pure=False))
            submitted += 1
        finished = wait(list(running), timeout=120, return_when="FIRST_COMPLETED")
        for future in finished.done:
            running.discard(future)
            future.result()
            done += 1
    return time.perf_counter() - wall, time.process_time() - cpu


def measure_overhead(folder: Path, loops: list[Loop], rounds: int) -> dict[str, Any]:
    """Each loop on a LocalCluster (the trivial one only) and on separate processes:
    ms per task of wall, of this (the client's) process's CPU, of the scheduler's CPU."""
    from distributed import Client, LocalCluster

    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(rounds):
        # As --scheduler local: the scheduler runs in this process, the workers apart.
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None,
                          silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
            workers = list(client.scheduler_info()["workers"])
            trivial = loops[0]
            submit_loop(client, Loop("warm-up", operator.neg, int, 50, 4), workers)
            wall, cpu = submit_loop(client, trivial, workers)
            runs.setdefault(f"local-cluster {trivial.name}", []).append(
                {"wall_ms": wall / trivial.tasks * 1000,
                 "client_and_scheduler_cpu_ms": cpu / trivial.tasks * 1000})
        with processes(folder, 2) as procs, Client(procs.address) as client:
            client.wait_for_workers(2, timeout=60)
            workers = list(client.scheduler_info()["workers"])
            submit_loop(client, Loop("warm-up", operator.neg, int, 50, 4), workers)
            for loop in loops:
                scheduler_cpu, worker_cpu = procs.cpu()
                wall, cpu = submit_loop(client, loop, workers)
                scheduler_after, worker_after = procs.cpu()
                runs.setdefault(f"processes {loop.name}", []).append(
                    {"wall_ms": wall / loop.tasks * 1000,
                     "client_cpu_ms": cpu / loop.tasks * 1000,
                     "scheduler_cpu_ms": (scheduler_after - scheduler_cpu) / loop.tasks * 1000,
                     "workers_cpu_ms": (worker_after - worker_cpu) / loop.tasks * 1000})
            # Results fetched from the workers themselves, not through the scheduler
            # (Dask's distributed.client.direct-to-workers; careleaf leaves the default).
            with Client(procs.address, direct_to_workers=True) as direct:
                loop = next(loop for loop in loops if "result" in loop.name)
                scheduler_cpu, worker_cpu = procs.cpu()
                wall, cpu = submit_loop(direct, loop, workers)
                scheduler_after, worker_after = procs.cpu()
                runs.setdefault(f"processes {loop.name}, direct", []).append(
                    {"wall_ms": wall / loop.tasks * 1000,
                     "client_cpu_ms": cpu / loop.tasks * 1000,
                     "scheduler_cpu_ms": (scheduler_after - scheduler_cpu) / loop.tasks * 1000,
                     "workers_cpu_ms": (worker_after - worker_cpu) / loop.tasks * 1000})
        log(f"  overhead round done (load {load()})")
    return {name: {key: round(median([run[key] for run in values]), 3) for key in values[0]}
            | {"tasks": next(loop.tasks for loop in loops if loop.name in name),
               "rounds": len(values)}
            for name, values in runs.items()}


def overhead_loops(tasks: int, sent: int, returned: int) -> list[Loop]:
    """The trivial loop first; then a 20 ms task with a window of 4 and of 256; then
    results and arguments of careleaf's median sizes (random bytes: incompressible)."""
    payload = os.urandom(sent)
    return [Loop("trivial (window 4)", operator.neg, int, tasks, 4),
            Loop("20 ms task (window 4)", time.sleep, lambda _: 0.02, tasks // 5, 4),
            Loop("20 ms task (window 256)", time.sleep, lambda _: 0.02, tasks // 5, 256),
            Loop(f"{returned} B result (window 4)", os.urandom, lambda _: returned, tasks // 2, 4),
            Loop(f"{sent} B argument (window 4)", len, lambda _: payload, tasks // 2, 4)]


# --- 2. The real tasks: bytes each way, the worker's CPU, the client's CPU --------------

@dataclass
class TaskCost:
    kind: str  # the layout's name, "proofs:<layout>" or "pages"
    ok: bool
    sent: int  # pickled work + needs + images + root + identity
    returned: int  # pickled (Made, diagnostics, seconds)
    written: int  # bytes of the files written
    files: int  # files written (each fsynced by the client)
    worker_cpu: float
    client_prepare_cpu: float  # loaded() (a proof set's PDFs read) + images + pickling
    client_unpickle_cpu: float
    client_store_cpu: float
    client_store_wall: float  # with the disk's fsync of each file
    client_record_cpu: float


def task_costs(root: Path) -> dict[str, Any]:
    """A cold build of the project at ``root`` run task by task in this process, the
    worker's half (``remote.run``, with the bundle laid out under $TMPDIR as a worker
    does) apart from the client's (preparing, unpickling, ``store``, recording)."""
    from careleaf.design.brand import DEFAULT_BRAND, load_brand
    from careleaf.design.layouts import load_layouts, select_layouts
    from careleaf.errors import Report
    from careleaf.pipeline.make import inputs_of, publishable
    from careleaf.pipeline.manifest import Manifest, toolchain_digest
    from careleaf.pipeline.plan import Plan
    from careleaf.pipeline.remote import Bundle, identity, images_of, run
    from careleaf.pipeline.schedule import Schedule
    from careleaf.pipeline.tasks import PagesWork, ProofWork, RenderWork, Result, loaded, store
    from careleaf.project import Project
    from careleaf.source.load import load_leaflets

    shutil.rmtree(root / "build", ignore_errors=True)
    project, report = Project(root), Report()
    available = load_layouts(project, report)
    brand = load_brand(project, DEFAULT_BRAND, report)
    if brand is None:
        raise BenchError(f"no brand: {report.diagnostics}")
    plan = Plan(project, Manifest(project), toolchain_digest(), brand,
                select_layouts(project, report, None, available), available,
                print_ready=False, proofs=True)
    cpu = time.process_time()
    sources = project.sources()
    stale = plan.stale_outputs(sources, True, [], None)
    leaflets, _ = publishable(project, load_leaflets(project, report, list(stale)), report, brand)
    graph = Schedule(plan).graph(leaflets, stale)
    load_cpu = time.process_time() - cpu
    tracemalloc.start()  # again, traced: what the client holds of each leaflet's tasks
    held = publishable(project, load_leaflets(project, Report(), list(stale)), Report(), brand)
    held_graph = Schedule(plan).graph(held[0], stale)
    held_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held, held_graph
    renders = {task.work.target: task.work for task in graph.tasks.values()
               if isinstance(task.work, RenderWork)}
    cpu = time.process_time()
    inputs = {target: plan.manifest.hash_inputs(inputs_of(project, work.job.leaflet))
              for target, work in renders.items()}
    hash_cpu = time.process_time() - cpu
    bundle, expected = Bundle.of(root), identity()
    costs: list[TaskCost] = []
    while (taken := graph.take()) is not None:
        task, results = taken
        cpu = time.process_time()
        work = loaded(task.work, results)
        images = images_of(work, root)
        needs = {key: Result("built", 0.0, page_starts=result.page_starts)
                 for key, result in results.items()}
        sent = len(pickle.dumps((work, needs, images, str(root), expected), protocol=PROTOCOL))
        prepare = time.process_time() - cpu
        cpu = time.process_time()
        made, diagnostics, seconds = run(work, needs, bundle, images, str(root), expected)
        worker = time.process_time() - cpu
        back = pickle.dumps((made, diagnostics, seconds), protocol=PROTOCOL)
        cpu = time.process_time()
        pickle.loads(back)
        unpickle = time.process_time() - cpu
        store_cpu = store_wall = record_cpu = 0.0
        written = files = 0
        if made is None:
            result = Result("failed", 0.0, diagnostics)
        else:
            cpu, wall = time.process_time(), time.perf_counter()
            result = store(work, made)
            store_cpu, store_wall = time.process_time() - cpu, time.perf_counter() - wall
            written, files = sum(record.size for record in result.files.values()), len(result.files)
            cpu = time.process_time()
            if isinstance(work, RenderWork):
                look = plan.look(work.job.layout, work.job.print_ready)
                plan.manifest.record(work.target, inputs[work.target], look, plan.toolchain,
                                     result.files)
            elif isinstance(work, ProofWork):
                plan.manifest.record_proofs(work.target, result.pictured, result.files)
            record_cpu = time.process_time() - cpu
        if isinstance(work, RenderWork):
            kind = work.job.layout.name
        elif isinstance(work, PagesWork):
            kind = "pages"
        else:
            kind = f"proofs:{renders[work.target].job.layout.name}"
        costs.append(TaskCost(kind, made is not None, sent, len(back), written, files, worker,
                              prepare, unpickle, store_cpu, store_wall, record_cpu))
        graph.finish(task.id, result)
    wall = time.perf_counter()
    cpu = time.process_time()
    plan.manifest.save()
    save = {"cpu_s": time.process_time() - cpu, "wall_s": time.perf_counter() - wall,
            "bytes": plan.manifest.path.stat().st_size}
    return {"leaflets": len(leaflets), "load_cpu_s": load_cpu, "hash_cpu_s": hash_cpu,
            "held_bytes": held_bytes,
            "bundle_bytes": len(pickle.dumps(bundle, protocol=PROTOCOL)),
            "bundle_files": len(bundle.files), "manifest_save": save,
            "pdf_layouts": sorted({w.job.layout.name for w in renders.values()
                                   if w.job.layout.format == "pdf"}),
            "tasks": [asdict(cost) for cost in costs]}


def summarise_tasks(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind of task: the medians over rounds of each round's per-task figure.

    CPU figures are means per task leaving out each kind's first task in a round (its
    worker's warm-up, paid once per worker process): a total is a count times a mean.
    Sizes are means (every task of a kind sends and returns about the same)."""
    kinds = sorted({cost["kind"] for run in runs for cost in run["tasks"]})
    by_kind: dict[str, dict[str, float]] = {}
    for kind in kinds:
        rows: dict[str, list[float]] = {}
        for run in runs:
            costs = [cost for cost in run["tasks"] if cost["kind"] == kind]
            steady = costs[1:] or costs
            for key in ("worker_cpu", "client_prepare_cpu", "client_unpickle_cpu",
                        "client_store_cpu", "client_store_wall", "client_record_cpu"):
                rows.setdefault(key + "_ms", []).append(
                    statistics.fmean(cost[key] for cost in steady) * 1000)
            rows.setdefault("worker_cpu_median_ms", []).append(
                median([cost["worker_cpu"] for cost in costs]) * 1000)
            for key in ("sent", "returned", "written"):
                rows.setdefault(key + "_bytes", []).append(
                    statistics.fmean(cost[key] for cost in costs))
            rows.setdefault("files", []).append(statistics.fmean(cost["files"] for cost in costs))
            rows.setdefault("tasks", []).append(len(costs))
            rows.setdefault("failed", []).append(sum(not cost["ok"] for cost in costs))
        by_kind[kind] = {key: round(median(values), 3) for key, values in rows.items()}
    first = runs[0]
    leaflets = first["leaflets"]
    return {"by_kind": by_kind, "leaflets": leaflets, "pdf_layouts": first["pdf_layouts"],
            "bundle_bytes": first["bundle_bytes"], "bundle_files": first["bundle_files"],
            "client_load_cpu_ms_per_leaflet": round(
                median([run["load_cpu_s"] for run in runs]) / leaflets * 1000, 3),
            "client_hash_cpu_ms_per_output": round(
                median([run["hash_cpu_s"] / sum(not c["kind"].startswith(("proofs", "pages"))
                                                 for c in run["tasks"]) for run in runs])
                * 1000, 3),
            "client_held_kb_per_leaflet": round(
                median([run["held_bytes"] for run in runs]) / leaflets / 1e3, 1),
            "manifest_bytes_per_leaflet": round(
                median([run["manifest_save"]["bytes"] for run in runs]) / leaflets),
            "manifest_save_cpu_ms_per_leaflet": round(
                median([run["manifest_save"]["cpu_s"] for run in runs]) / leaflets * 1000, 3)}


# --- 3. and 4. Real builds, each a process of its own ------------------------------------

@dataclass(frozen=True)
class Build:
    wall_s: float
    cpu_s: float  # the build process and its waited-for children
    maxrss_mib: float
    stdout: str
    stderr: str

    def tasks(self) -> int:
        """Outputs built or failed, and proof sets drawn or failed (one task each)."""
        match = SUMMARY_RE.search(self.stdout)
        if match is None:
            raise BenchError(f"no summary line in careleaf's output:\n{self.stdout[-2000:]}")
        built, _, failed, proofs, proofs_failed = (int(g or 0) for g in match.groups())
        return built + failed + proofs + proofs_failed


def careleaf_build(root: Path, *options: str) -> Build:
    """A cold ``careleaf build`` of ``root``: wall, CPU and peak RSS from wait4."""
    shutil.rmtree(root / "build", ignore_errors=True)
    command = [sys.executable, "-m", "careleaf", "build", "-C", str(root), *options]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err,
                                   env={**os.environ, "CI": "1"})
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        build = Build(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                      out.read().decode(), err.read().decode())
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: a leaflet's own error
        raise BenchError(f"{' '.join(command)} failed:\n{build.stderr[-2000:]}")
    return build


def kind_of(path: str, layouts: list[str]) -> str:
    if path.endswith(".epub"):
        return "epub"
    stem = Path(path).stem
    return next((name for name in sorted(layouts, key=len, reverse=True)
                 if stem.endswith(f"-{name}")), "?")


def measure_local_build(root: Path, layouts: list[str], rounds: int) -> dict[str, Any]:
    """``careleaf build -j1``: the seconds it prints per output (wall, in one process),
    median by layout, and the whole build's CPU against the sum of those seconds."""
    per_round: list[dict[str, Any]] = []
    for _ in range(rounds):
        before = load()
        build = careleaf_build(root, "-j1")
        seconds: dict[str, list[float]] = {}
        for line in build.stdout.splitlines():
            if (match := LINE_RE.match(line)) is not None:
                status, path, value = match.groups()
                kind = kind_of(path, layouts)
                kind = f"proofs:{kind}" if status.startswith("proofs") else kind
                seconds.setdefault(kind, []).append(float(value))
        printed = sum(map(sum, seconds.values()))
        per_round.append({"load": before, "wall_s": build.wall_s, "cpu_s": build.cpu_s,
                          "printed_s": printed, "tasks": build.tasks(),
                          "median_s": {kind: median(v) for kind, v in seconds.items()},
                          "mean_s": {kind: statistics.fmean(v) for kind, v in seconds.items()}})
        log(f"  careleaf build -j1: {build.wall_s:.1f} s wall, {build.cpu_s:.1f} s CPU, "
            f"printed {printed:.1f} s (load {before})")
    kinds = sorted(per_round[0]["median_s"])
    return {"rounds": per_round,
            "median_s": {kind: round(median([r["median_s"].get(kind, 0.0) for r in per_round]), 3)
                         for kind in kinds},
            "mean_s": {kind: round(median([r["mean_s"].get(kind, 0.0) for r in per_round]), 3)
                       for kind in kinds},
            "cpu_s": round(median([r["cpu_s"] for r in per_round]), 2),
            "printed_s": round(median([r["printed_s"] for r in per_round]), 2),
            "wall_s": round(median([r["wall_s"] for r in per_round]), 2),
            "tasks": per_round[0]["tasks"]}


def measure_cluster_build(folder: Path, roots: list[Path], rounds: int) -> dict[str, Any]:
    """``careleaf build --scheduler tcp://...`` on a scheduler and two single-threaded
    workers, each a process: at each size in ``roots`` (smaller first), the client's,
    the scheduler's and the workers' CPU; per task, the slope from the smaller to the
    larger catalogue (what one more task costs, start-up left out)."""
    samples: list[list[dict[str, float]]] = []
    with processes(folder, 2) as procs:
        careleaf_build(roots[0], "--scheduler", procs.address)  # warm-up: imports, bundle
        # What the scheduler and workers spend with nothing to do (heartbeats...), per
        # second: taken out of each build's figures before the slope.
        scheduler, workers = procs.cpu()
        time.sleep(IDLE_S)
        scheduler_after, workers_after = procs.cpu()
        idle = {"scheduler_cpu_s": (scheduler_after - scheduler) / IDLE_S,
                "workers_cpu_s": (workers_after - workers) / IDLE_S}
        for _ in range(rounds):
            sizes = []
            for root in roots:
                before, (scheduler, workers) = load(), procs.cpu()
                build = careleaf_build(root, "--scheduler", procs.address)
                scheduler_after, workers_after = procs.cpu()
                sizes.append({"tasks": build.tasks(), "wall_s": build.wall_s,
                              "client_cpu_s": build.cpu_s,
                              "client_maxrss_mib": build.maxrss_mib,
                              "scheduler_cpu_s": scheduler_after - scheduler,
                              "workers_cpu_s": workers_after - workers,
                              "leaflets": len(list((root / "source").rglob("*.md")))})
                log(f"  careleaf build --scheduler ({sizes[-1]['leaflets']} leaflets, "
                    f"{sizes[-1]['tasks']} tasks): {build.wall_s:.1f} s wall, client "
                    f"{build.cpu_s:.1f} s CPU (load {before})")
            samples.append(sizes)
        worker_rss = [peak_rss_mib(worker.pid) for worker in procs.workers]
    small, large = ([run[i] for run in samples] for i in (0, -1))

    def slope(key: str, per: str = "tasks") -> float:
        def busy(sample: dict[str, float]) -> float:
            return sample[key] - idle.get(key, 0.0) * sample["wall_s"]
        return median([(busy(b) - busy(a)) / (b[per] - a[per])
                       for a, b in zip(small, large, strict=True)])

    return {"runs": samples, "idle_cpu_s_per_s": {k: round(v, 4) for k, v in idle.items()},
            "client_cpu_ms_per_task": round(slope("client_cpu_s") * 1000, 3),
            "scheduler_cpu_ms_per_task": round(slope("scheduler_cpu_s") * 1000, 3),
            "workers_cpu_ms_per_task": round(slope("workers_cpu_s") * 1000, 3),
            "wall_ms_per_task": round(slope("wall_s") * 1000, 3),
            "client_rss_mib": round(median([b["client_maxrss_mib"] for b in large]), 1),
            "worker_peak_rss_mib": round(max(worker_rss), 1)}


# --- Everything, and the projection -----------------------------------------------------

def measure(tmp: Path, n: int, seed: int, rounds: int = 3) -> dict[str, Any]:
    """Every measurement, on catalogues of ``n`` and ``n // 4`` leaflets made in ``tmp``."""
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "load_start": load(),
                                           "python": sys.version.split()[0]},
                               "n": n, "seed": seed, "rounds": rounds}
    root, small = tmp / f"catalogue-{n}", tmp / f"catalogue-{max(2, n // 4)}"
    make_project(root, n, seed)
    make_project(small, max(2, n // 4), seed)
    log(f"tasks of a cold build of {n} leaflets, in this process:")
    runs = []
    for _ in range(rounds):
        before = load()
        runs.append(task_costs(root))
        log(f"  {len(runs[-1]['tasks'])} tasks (load {before})")
    results["tasks"] = summarise_tasks(runs) | {"load": load()}
    kinds = results["tasks"]["by_kind"]
    sent = round(median([k["sent_bytes"] for k in kinds.values()]))
    returned = round(median([k["returned_bytes"] for k in kinds.values()]))
    log("per-task overhead, trivial tasks:")
    folder = tmp / "dask"
    folder.mkdir(exist_ok=True)
    results["overhead"] = measure_overhead(folder, overhead_loops(2000, sent, returned),
                                           rounds) | {"load": load()}
    log("careleaf build -j1:")
    layouts = [kind for kind in kinds if ":" not in kind and kind != "pages"]
    results["local_build"] = measure_local_build(root, layouts, rounds) | {"load": load()}
    log("careleaf build --scheduler tcp://127.0.0.1 (2 workers):")
    results["cluster_build"] = measure_cluster_build(folder, [small, root], rounds) | {
        "load": load()}
    results["machine"]["load_end"] = load()
    return results


@dataclass(frozen=True)
class Case:
    """The build to project to, and the assumptions (stated) it is projected with."""

    leaflets: int = 5000
    languages: int = 10
    machines: int = 8
    cores: int = 16
    #: Of the workers' CPU: the tail of the build, uneven tasks, a worker's start.
    efficiency: float = 0.85
    proofs: bool = True
    bandwidths_gbit: tuple[float, ...] = (1.0, 10.0)
    #: The client's disk, written sequentially file by file (a local SSD writes more).
    disk_mb_s: float = 200.0
    #: A round trip on the cluster's network (the client waits two per result).
    rtt_ms: float = 0.2


def project(measured: dict[str, Any], case: Case = Case()) -> dict[str, Any]:
    """The case's build time as the largest of what each resource alone allows."""
    tasks_m = measured["tasks"]
    kinds = tasks_m["by_kind"]
    layouts = [kind for kind in kinds if ":" not in kind and kind != "pages"]
    proof_kinds = [kind for kind in kinds if kind.startswith("proofs:")] if case.proofs else []
    editions = case.leaflets * case.languages
    outputs, proof_tasks = editions * len(layouts), editions * len(proof_kinds)
    tasks = outputs + proof_tasks
    threads = case.machines * case.cores
    chosen = [*layouts, *proof_kinds]
    cpu_per_edition = sum(kinds[kind]["worker_cpu_ms"] for kind in chosen) / 1000
    sent = sum(kinds[kind]["sent_bytes"] for kind in chosen) * editions
    returned = sum(kinds[kind]["returned_bytes"] for kind in chosen) * editions
    written = sum(kinds[kind]["written_bytes"] for kind in chosen) * editions
    bundle = tasks_m["bundle_bytes"] * threads
    over = measured["overhead"]
    # What a window of 256 (2 x 128 threads) adds to each wait() over a window of 4,
    # when one result ends per wait. Not in the client's bound: when the client is
    # what is slow, many results have ended by each wait, and it is shared among them.
    window_extra = max(0.0, over["processes 20 ms task (window 256)"]["client_cpu_ms"]
                       - over["processes 20 ms task (window 4)"]["client_cpu_ms"])
    cluster = measured["cluster_build"]
    client_ms = cluster["client_cpu_ms_per_task"]
    scheduler_ms = cluster["scheduler_cpu_ms_per_task"]
    # The scheduler's idle work (mostly heartbeats) grows with the workers, each
    # heartbeating less often as there are more (distributed.scheduler.heartbeat_interval).
    from distributed.scheduler import heartbeat_interval

    idle_share = (cluster["idle_cpu_s_per_s"]["scheduler_cpu_s"] * threads / 2
                  * heartbeat_interval(2) / heartbeat_interval(threads))
    # Parts of the client's time per task, from the in-process run and the loops.
    steps = {key: sum(kinds[kind][key] for kind in chosen) / len(chosen)
             for key in ("client_prepare_cpu_ms", "client_unpickle_cpu_ms",
                         "client_store_cpu_ms", "client_record_cpu_ms")}
    # What the client waits for the disk per task beyond its CPU: an fsync per file.
    io_wait_ms = max(0.0, sum(kinds[kind]["client_store_wall_ms"]
                              - kinds[kind]["client_store_cpu_ms"] for kind in chosen)
                     / len(chosen))
    files = sum(kinds[kind]["files"] for kind in chosen) * editions
    steps["client_load_cpu_ms"] = tasks_m["client_load_cpu_ms_per_leaflet"] * editions / tasks
    steps["client_hash_cpu_ms"] = tasks_m["client_hash_cpu_ms_per_output"] * outputs / tasks
    steps["dask_submit_wait_gather_cpu_ms"] = over["processes trivial (window 4)"]["client_cpu_ms"]
    bounds: dict[str, float] = {
        "compute (workers' CPU / threads)": cpu_per_edition * editions / threads,
        f"compute at {case.efficiency:.0%} efficiency":
            cpu_per_edition * editions / threads / case.efficiency,
        "scheduler CPU (one event loop)":
            tasks * scheduler_ms / 1000 / max(1e-3, 1 - idle_share),
        "client CPU (one process: submit, gather, write, record)": tasks * client_ms / 1000,
    }
    for gbit in case.bandwidths_gbit:
        bps = gbit * 1e9 / 8
        # The client waits for each result in turn: fetched by the scheduler from the
        # worker, then sent on to the client (Dask's default: not direct to workers).
        serial = (tasks * (client_ms + io_wait_ms + 2 * case.rtt_ms) / 1000
                  + 2 * returned / bps)
        bounds[f"client serial (CPU + fsync + result hops) at {gbit:g} Gbit/s"] = serial
        bounds[f"client network at {gbit:g} Gbit/s"] = max(sent, returned) / bps
        bounds[f"scheduler network at {gbit:g} Gbit/s (all bytes pass it)"] = (
            (sent + returned + bundle) / bps)
    bounds[f"client disk at {case.disk_mb_s:g} MB/s"] = written / (case.disk_mb_s * 1e6)
    bound = max(bounds, key=lambda name: bounds[name] if "efficiency" in name
                or not name.startswith("compute") else 0.0)
    return {"case": asdict(case), "editions": editions, "outputs": outputs,
            "proof_tasks": proof_tasks, "tasks": tasks, "threads": threads,
            "cpu_s_per_edition": round(cpu_per_edition, 3),
            "total_cpu_h": round(cpu_per_edition * editions / 3600, 1),
            "sent_gb": round(sent / 1e9, 2), "returned_gb": round(returned / 1e9, 2),
            "written_gb": round(written / 1e9, 2), "bundle_to_all_mb": round(bundle / 1e6, 1),
            "client_ms_per_task": round(client_ms, 3),
            "client_io_wait_ms_per_task": round(io_wait_ms, 3), "files": files,
            "window_256_extra_ms": round(window_extra, 3),
            "client_steps_ms_per_task": {key: round(value, 3) for key, value in steps.items()},
            "scheduler_ms_per_task": round(scheduler_ms, 3),
            "scheduler_idle_share": round(idle_share, 3),
            "client_held_gb": round(tasks_m["client_held_kb_per_leaflet"] * editions / 1e6, 1),
            "manifest_gb": round(tasks_m["manifest_bytes_per_leaflet"] * editions / 1e9, 2),
            "bounds_s": {name: round(value, 1) for name, value in bounds.items()},
            "bound": bound, "hours": round(bounds[bound] / 3600, 2)}


def print_report(measured: dict[str, Any], projections: list[dict[str, Any]]) -> None:
    kinds = measured["tasks"]["by_kind"]
    local = measured["local_build"]
    print(f"\nMachine: {measured['machine']}")
    print(f"\nPer task, {measured['tasks']['leaflets']} leaflets, median of "
          f"{measured['rounds']} rounds (CPU: mean per task without the first):")
    print(f"{'kind':<24}{'tasks':>6}{'worker CPU ms':>15}{'-j1 median s':>15}"
          f"{'sent KB':>9}{'back KB':>9}{'written KB':>12}{'files':>6}{'store+rec ms':>14}"
          f"{'store wall':>11}")
    for kind, row in kinds.items():
        print(f"{kind:<24}{row['tasks']:>6.0f}{row['worker_cpu_ms']:>15.1f}"
              f"{local['median_s'].get(kind, 0.0):>15.3f}{row['sent_bytes'] / 1e3:>9.1f}"
              f"{row['returned_bytes'] / 1e3:>9.1f}{row['written_bytes'] / 1e3:>12.1f}"
              f"{row['files']:>6.1f}"
              f"{row['client_store_cpu_ms'] + row['client_record_cpu_ms']:>14.2f}"
              f"{row['client_store_wall_ms']:>11.2f}")
    print(f"bundle (layouts/, sent once to every worker): "
          f"{measured['tasks']['bundle_bytes'] / 1e3:.0f} KB, "
          f"{measured['tasks']['bundle_files']} files")
    print(f"-j1 build: {local['wall_s']} s wall, {local['cpu_s']} s CPU, printed "
          f"{local['printed_s']} s for {local['tasks']} tasks")
    print("\nDask overhead per task (ms), median of rounds:")
    for name, row in measured["overhead"].items():
        if isinstance(row, dict):
            print(f"  {name:<44} " + ", ".join(f"{k} {v}" for k, v in row.items()))
    cluster = measured["cluster_build"]
    print("\ncareleaf build --scheduler tcp:// (2 workers), per task (slope N/4 -> N): "
          f"client {cluster['client_cpu_ms_per_task']} ms CPU, scheduler "
          f"{cluster['scheduler_cpu_ms_per_task']} ms, workers "
          f"{cluster['workers_cpu_ms_per_task']} ms; peak RSS client "
          f"{cluster['client_rss_mib']} MiB, worker {cluster['worker_peak_rss_mib']} MiB; "
          f"idle CPU s/s {cluster['idle_cpu_s_per_s']}")
    for result in projections:
        case = result["case"]
        print(f"\nProjection: {case['leaflets']} leaflets x {case['languages']} languages = "
              f"{result['outputs']} outputs + {result['proof_tasks']} proof sets = "
              f"{result['tasks']} tasks on {result['threads']} single-threaded workers")
        print(f"  {result['total_cpu_h']} CPU-hours; sent {result['sent_gb']} GB, back "
              f"{result['returned_gb']} GB, written {result['written_gb']} GB; client "
              f"{result['client_ms_per_task']} ms CPU + {result['client_io_wait_ms_per_task']} ms "
              f"fsync per task; client memory "
              f"~{result['client_held_gb']} GB held; manifest ~{result['manifest_gb']} GB")
        for name, seconds in sorted(result["bounds_s"].items(), key=lambda item: -item[1]):
            mark = "  <- bound" if name == result["bound"] else ""
            print(f"  {name:<62}{seconds / 3600:>8.2f} h{mark}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20, help="leaflets in the catalogue")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="careleaf-bench-cluster-") as tmp:
        try:
            measured = measure(Path(tmp), args.n, args.seed, args.rounds)
        except BenchError as exc:
            log(f"bench_cluster: {exc}")
            return 1
    projections = [project(measured), project(measured, Case(proofs=False))]
    print_report(measured, projections)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"measured": measured, "projections": projections},
                                   indent=1) + "\n", encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
