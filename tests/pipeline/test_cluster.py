"""The build on a real Dask cluster: ``dask scheduler`` and ``dask worker`` processes
on 127.0.0.1, and ``careleaf build --scheduler`` run as a user would, in a process of
its own.

What must hold: the outputs are byte for byte those of the local executor; a worker
killed with SIGKILL in the middle of the build costs nothing (Dask runs its tasks
again elsewhere, and the client, which writes every file, leaves nothing half-written);
a scheduler that cannot be reached is one line and exit status 2; and a worker whose
careleaf differs from the client's is refused, and runs nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from test_toolchain import comment, copy_package

from careleaf.pipeline.remote import Bundle, rebase
from conftest import MINIMAL, REPO

DASK = Path(sys.executable).with_name("dask")
#: The formats' kinds: a PDF, an imposed booklet (sheets beside it), a tri-fold,
#: and the EPUB, which takes the A4's page starts; proofs of every PDF.
LAYOUTS = ("a4", "booklet-a5", "trifold-a4", "epub")
#: Files of the build that are the client's own records, not outputs.
RECORDS = (".careleaf-manifest.json", ".careleaf-cache")


@dataclass
class Cluster:
    """A scheduler and its workers, each a process of its own."""

    folder: Path
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    address: str = ""

    def start_scheduler(self) -> None:
        info = self.folder / "scheduler.json"
        self.scheduler = _start([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                 "--no-dashboard", "--scheduler-file", str(info)],
                                self.folder / "scheduler.log")
        _until(lambda: info.exists() and info.stat().st_size > 0, "the scheduler to start")
        self.address = json.loads(info.read_text())["address"]

    def start_worker(self, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        """A single-threaded worker with no nanny: its PID is the worker itself."""
        log = self.folder / f"worker-{len(self.workers)}.log"
        worker = _start([str(DASK), "worker", self.address, "--host", "127.0.0.1",
                         "--nthreads", "1", "--no-nanny", "--no-dashboard",
                         "--death-timeout", "60"], log, env)
        self.workers.append(worker)
        _until(lambda: "Registered to" in log.read_text(errors="replace"),
               f"worker {len(self.workers)} to join")
        return worker

    def stop(self) -> None:
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers, *([self.scheduler] if self.scheduler else [])]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _start(command: list[str], log: Path, env: dict[str, str] | None = None
           ) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})


def _until(condition: object, what: str, timeout: float = 60) -> None:
    """Wait, bounded, for ``condition()`` (polled: these are other processes' states)."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    running = Cluster(tmp_path)
    running.start_scheduler()
    try:
        yield running
    finally:
        running.stop()


def catalogue(root: Path) -> Path:
    """The repository's three leaflets (en, es, ar) and one with an image."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "source", root / "source")
    (root / "source/en/img").mkdir()
    Image.new("RGB", (16, 16), (10, 85, 97)).save(root / "source/en/img/bath.png")
    (root / "source/en/bath.md").write_text(MINIMAL + "\n![A warm bath](img/bath.png)\n",
                                            encoding="utf-8")
    return root


def careleaf(root: Path, *args: str, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "careleaf", "build", "-C", str(root),
               *(arg for name in LAYOUTS for arg in ("--layout", name)), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "CI": "", **(env or {})}, check=False)


def outputs(root: Path) -> dict[str, bytes]:
    """Every file of the build but the client's records, by name."""
    build = root / "build"
    return {path.relative_to(build).as_posix(): path.read_bytes()
            for path in sorted(build.rglob("*")) if path.is_file()
            and not any(part in RECORDS for part in path.relative_to(build).parts)}


@pytest.fixture(scope="module")
def local_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The catalogue built by the local executor: what every cluster build must equal."""
    root = catalogue(tmp_path_factory.mktemp("local"))
    result = careleaf(root, "--jobs", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    return outputs(root)


def test_a_cluster_build_is_byte_identical_to_the_local_one(
        cluster: Cluster, tmp_path: Path, local_outputs: dict[str, bytes]) -> None:
    cluster.start_worker()
    cluster.start_worker()
    root = catalogue(tmp_path / "project")
    result = careleaf(root, "--scheduler", cluster.address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    done = [line for line in result.stdout.splitlines() if line.startswith("built ")]
    made = outputs(root)
    assert sorted(made) == sorted(local_outputs)
    assert [name for name in made if made[name] != local_outputs[name]] == []
    assert any(name.endswith(".png") for name in made)  # proofs were drawn, on the cluster
    again = careleaf(root, "--scheduler", cluster.address)  # nothing to do: no cluster needed
    assert re.search(rf"^0 built, {len(done)} up to date, 0 failed", again.stdout, re.M), \
        again.stdout


def test_a_worker_killed_mid_build_costs_nothing(
        cluster: Cluster, tmp_path: Path, local_outputs: dict[str, bytes]) -> None:
    victim = cluster.start_worker()
    cluster.start_worker()
    root = catalogue(tmp_path / "project")
    command = [sys.executable, "-m", "careleaf", "build", "-C", str(root), "--scheduler",
               cluster.address, *(arg for name in LAYOUTS for arg in ("--layout", name))]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, "CI": ""})
    assert build.stdout is not None
    seen = []
    for line in build.stdout:  # the first output written: the rest are still to make
        seen.append(line)
        if line.startswith("built "):
            victim.send_signal(signal.SIGKILL)
            break
    rest, errors = build.communicate(timeout=900)
    assert victim.wait(timeout=10) == -signal.SIGKILL
    assert build.returncode == 0, "".join(seen) + rest + errors
    made = outputs(root)
    assert sorted(made) == sorted(local_outputs)
    assert [name for name in made if made[name] != local_outputs[name]] == []
    leftovers = [path for path in (root / "build").rglob("*") if ".tmp" in path.name
                 or path.name.startswith(".careleaf-writing")]
    assert leftovers == []


def test_an_unreachable_scheduler_is_one_line_and_status_2(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = catalogue(tmp_path / "project")
    result = careleaf(root, "--scheduler", f"tcp://127.0.0.1:{port}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"careleaf: error: the Dask scheduler at tcp://127.0.0.1:{port} "
                               "could not be reached")
    assert not (root / "build").exists() or outputs(root) == {}


def test_the_scheduler_may_come_from_the_environment_or_the_project(tmp_path: Path) -> None:
    root = catalogue(tmp_path / "project")
    from_env = careleaf(root, env={"CARELEAF_SCHEDULER": "tcp://127.0.0.1:1"})
    assert from_env.returncode == 2 and "tcp://127.0.0.1:1 could not" in from_env.stderr
    (root / "pyproject.toml").write_text('[tool.careleaf]\nscheduler = "tcp://127.0.0.1:2"\n',
                                         encoding="utf-8")
    from_config = careleaf(root)
    assert from_config.returncode == 2 and "tcp://127.0.0.1:2 could not" in from_config.stderr
    given = careleaf(root, "--scheduler", "none", "--layout", "a4")  # the flag comes first
    assert given.returncode == 0, given.stdout + given.stderr
    bad = careleaf(root, "--scheduler", "127.0.0.1")
    assert bad.returncode == 2 and "is not a Dask scheduler's address" in bad.stderr


def test_a_worker_with_other_careleaf_code_is_refused(
        cluster: Cluster, tmp_path: Path, local_outputs: dict[str, bytes]) -> None:
    code = copy_package(tmp_path)
    comment(code / "careleaf" / "formats" / "epub.py")  # another toolchain digest
    mark = tmp_path / "the-other-worker-made-something"
    tasks = code / "careleaf" / "pipeline" / "tasks.py"  # it would say if it ran a task
    tasks.write_text(tasks.read_text(encoding="utf-8").replace(
        '    if isinstance(work, RenderWork):\n        job, rendered',
        f'    Path({str(mark)!r}).touch()\n    if isinstance(work, RenderWork):\n'
        '        job, rendered', 1), encoding="utf-8")
    cluster.start_worker(env={"PYTHONPATH": str(code)})
    broken = tmp_path / "broken" / "careleaf"  # a machine where careleaf does not import
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('a broken install')\n")
    cluster.start_worker(env={"PYTHONPATH": str(broken.parent)})
    root = catalogue(tmp_path / "project")
    alone = careleaf(root, "--scheduler", cluster.address)
    assert alone.returncode == 2, alone.stdout + alone.stderr
    assert "refused: it differs from this machine in careleaf's code" in alone.stderr
    assert "careleaf's rendering code or the renderers" in alone.stderr
    assert "refused: careleaf could not run there" in alone.stderr, alone.stderr
    assert "no Dask worker of" in alone.stderr and "Traceback" not in alone.stderr
    cluster.start_worker()
    result = careleaf(root, "--scheduler", cluster.address)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.count("refused") == 2, result.stderr
    assert not mark.exists()
    assert outputs(root) == local_outputs


def test_paths_move_to_the_worker_and_back(tmp_path: Path) -> None:
    from careleaf.errors import Diagnostic, Location

    here, there = tmp_path / "project", tmp_path / "worker"
    found = Diagnostic(Location(here / "source/en/a.md", 3), "m")
    moved = rebase({"k": (found, [here / "x"], Path("/usr/share/fonts"))}, here, there)
    assert moved["k"][0].location.path == there / "source/en/a.md"
    assert moved["k"][1] == [there / "x"] and moved["k"][2] == Path("/usr/share/fonts")
    assert rebase(moved, there, here) == {"k": (found, [here / "x"], Path("/usr/share/fonts"))}


def test_the_bundle_is_the_layouts_folder_by_content(tmp_path: Path) -> None:
    shutil.copytree(REPO / "layouts", tmp_path / "a" / "layouts")
    shutil.copytree(REPO / "layouts", tmp_path / "b" / "layouts")
    first, second = Bundle.of(tmp_path / "a"), Bundle.of(tmp_path / "b")
    assert first.digest == second.digest and first.files
    comment(tmp_path / "b" / "layouts" / "a4" / "layout.yml")
    assert Bundle.of(tmp_path / "b").digest != first.digest


def test_two_builds_whose_images_differ_never_share_a_worker_folder(tmp_path: Path) -> None:
    from careleaf.pipeline.remote import with_images, worker_root

    shutil.copytree(REPO / "layouts", tmp_path / "layouts")
    root = worker_root(Bundle.of(tmp_path))
    first = with_images(root, (("source/en/img/a.png", b"first"),))
    second = with_images(root, (("source/en/img/a.png", b"second"),))
    assert first != second and with_images(root, ()) == root
    assert (first / "source/en/img/a.png").read_bytes() == b"first"
    assert (second / "source/en/img/a.png").read_bytes() == b"second"
    assert (second / "layouts/a4/layout.yml").samefile(root / "layouts/a4/layout.yml")
    assert with_images(root, (("source/en/img/a.png", b"first"),)) == first


def test_when_its_only_worker_is_lost_what_was_made_is_kept(
        cluster: Cluster, tmp_path: Path) -> None:
    only = cluster.start_worker()
    root = catalogue(tmp_path / "project")
    command = [sys.executable, "-m", "careleaf", "build", "-C", str(root), "--scheduler",
               cluster.address, *(arg for name in LAYOUTS for arg in ("--layout", name))]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env={**os.environ, "CI": ""})
    assert build.stdout is not None
    made = 0
    for line in build.stdout:
        if line.startswith("built "):
            made += 1
            only.send_signal(signal.SIGKILL)
            break
    _, errors = build.communicate(timeout=300)
    # Its tasks (and the layouts it held) are lost with it: each output not yet written
    # fails with a clear error, or the build stops when no worker is left; never a trace.
    assert build.returncode in (1, 2), errors
    assert "Traceback" not in errors
    assert ("the Dask cluster lost the task" in errors
            or "every Dask worker this build used has left" in errors), errors
    cluster.start_worker()
    again = careleaf(root, "--scheduler", cluster.address)
    assert again.returncode == 0, again.stdout + again.stderr
    summary = re.search(r"^\d+ built, (\d+) up to date", again.stdout, re.M)
    assert summary is not None, again.stdout
    assert int(summary.group(1)) >= made  # what was written before the loss was recorded
