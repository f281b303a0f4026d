"""Test helper: the real ``careleaf serve`` as a subprocess on a throwaway project.

The browser tests and the HTTP tests both start the command a writer runs, on a
copy of the repository's layouts holding the small ``en/minimal`` leaflet, wait
until it answers, and read its output as it comes, so a test can wait for a
line such as ``source/en/minimal.md:5: error:``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from conftest import MINIMAL, REPO

#: The first build renders a PDF, an EPUB and the site; generous for a slow CI machine.
START_TIMEOUT = 120.0


@dataclass
class Served:
    """A running ``careleaf serve``: its URL, its project and everything it printed."""

    url: str
    root: Path
    process: subprocess.Popen[str]
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)

    def write(self, relative: str, text: str) -> None:
        (self.root / relative).write_text(text, encoding="utf-8")

    def wait_for_output(self, pattern: str, timeout: float, stream: str = "stderr") -> str:
        """The first line of ``stream`` matching ``pattern``, waiting up to ``timeout``."""
        lines = self.stderr if stream == "stderr" else self.stdout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.process.poll() is not None
            time.sleep(0.2 if exited else 0.1)  # after an exit, its last lines arrive
            for line in list(lines):
                if re.search(pattern, line):
                    return line
            if exited:
                break
        raise AssertionError(f"serve printed no line matching {pattern!r} on {stream} in "
                             f"{timeout} s (exit code {self.process.poll()}):\n"
                             f"{self.transcript()}")

    def wait_for_output_after(self, start: int, pattern: str, timeout: float) -> str:
        """The first stdout line from line ``start`` on matching ``pattern``, waiting up to
        ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.process.poll() is not None
            for line in self.stdout[start:]:
                if re.search(pattern, line.rstrip("\n")):
                    return line
            if exited:
                break
            time.sleep(0.05)
        raise AssertionError(f"serve printed no line matching {pattern!r} after line {start} "
                             f"in {timeout} s (exit code {self.process.poll()}):\n"
                             f"{self.transcript()}")

    def transcript(self) -> str:
        return "".join(["stdout:\n", *self.stdout, "stderr:\n", *self.stderr])

    def stop(self) -> int:
        """Ctrl-C, as a person stops it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.wait()

    def wait(self, timeout: float = 30) -> int:
        """The exit code, once the process has ended and all its output has been read."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        for reader in self.readers:
            reader.join(timeout)
        return code


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def make_project(root: Path) -> Path:
    """A project like the ``minimal`` fixture's: the real layouts, one leaflet, two layouts."""
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "source" / "en").mkdir(parents=True)
    (root / "source" / "en" / "minimal.md").write_text(MINIMAL, encoding="utf-8")
    (root / "careleaf.toml").write_text('layouts = ["a4", "epub"]\n', encoding="utf-8")
    return root


def start_serve(root: Path, *args: str) -> Served:
    """Start ``careleaf serve`` in ``root`` on a free port (unless ``args`` name one)."""
    port = [] if "--port" in args else ["--port", str(free_port())]
    command = [sys.executable, "-m", "careleaf", "serve", "--no-proofs", *port, *args]
    process = subprocess.Popen(command, cwd=root, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    served = Served("", root, process)
    assert process.stdout is not None and process.stderr is not None
    for stream, lines in ((process.stdout, served.stdout), (process.stderr, served.stderr)):
        served.readers.append(threading.Thread(target=_collect, args=(stream, lines),
                                               daemon=True))
        served.readers[-1].start()
    return served


@contextmanager
def serving(root: Path) -> Iterator[Served]:
    """``careleaf serve`` on a new project in ``root``, answering at ``served.url``."""
    with serving_project(make_project(root)) as served:
        yield served


@contextmanager
def serving_project(root: Path) -> Iterator[Served]:
    """``careleaf serve`` on the project at ``root``, answering at ``served.url``."""
    served = start_serve(root)
    try:
        line = served.wait_for_output(r"Serving .* at http://", START_TIMEOUT, "stdout")
        served.url = line.split(" at ")[1].split()[0]
        _wait_until_answering(served)
        yield served
    finally:
        if served.process.poll() is None:
            served.stop()


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lowercase names) and body, for any status."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, _lower(error.headers.items()), error.read()


def _lower(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def _collect(stream: IO[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line)


def _wait_until_answering(served: Served) -> None:
    deadline, last = time.monotonic() + 30, ""
    while time.monotonic() < deadline:
        try:
            status = fetch(served.url)[0]
        except OSError as exc:
            status, last = 0, str(exc)
        if status == 200:
            return
        last = last if status == 0 else f"status {status}"
        time.sleep(0.1)
    raise AssertionError(f"{served.url} never answered 200 ({last}):\n{served.transcript()}")
