"""The live preview's part of ``make bench`` (``--part serve``): from a save to what the
writer sees (issue 19, "edit to preview in under a second").

On a copy of the repository's project (its leaflet in English, Spanish and Arabic, every
layout of its ``[tool.careleaf]``), built once so that serve starts warm, ``bench.py``
starts the real ``careleaf serve`` (a free port, the default settings: proofs drawn) and
reads what it prints. Each round saves a one-word change to the overview of the English
original (open, write, close, as an editor saves; a new word every round) and polls over
HTTP on 127.0.0.1, with a deadline:

- save -> the leaflet's web page (``/en/chronic-muscle-spasms/``) holds the new word;
- save -> the A4 PDF that page links to holds it (its text read by pypdf, whenever the
  bytes served change);
- once serve is idle again: the output files of the translations (every file under
  ``build/<lang>/chronic-muscle-spasms/`` of the other languages, proofs apart) whose
  inode or ``st_mtime_ns`` changed. Idle is serve's line ``Waiting for changes.``; a serve
  whose code does not print it yet is idle once its summary line of the rebuild has
  been followed by ``The site changed`` (the report says which was used).

The baselines come from the same run: the watcher's own latency (``watchfiles.watch``
over a temporary folder with serve's debounce and step, from a save to the batch) and
WeasyPrint alone laying out the same leaflet's A4 (``bench_workers.floor_worker`` on a
project holding that leaflet only). The first round is a warm-up, left out; the rest are
reported as medians, with the worst round.
"""

from __future__ import annotations

import io
import json
import os
import queue
import random
import re
import shutil
import signal
import statistics
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bench_catalogue import copy_config
from bench_report import REPO, ROUNDS, Row, msec, sec, verdict
from bench_workers import BenchError

LEAFLET = "chronic-muscle-spasms"
ORIGINAL = "en"
SOURCE = Path("source") / ORIGINAL / f"{LEAFLET}.md"
#: The word of the overview's first sentence that each round replaces with a new one.
WORD = "suddenly"
#: Measured rounds, after one warm-up edit.
SERVE_ROUNDS = 5
#: serve's line once all work for the last save is done (its contract with this bench).
IDLE_LINE = "Waiting for changes."
SUMMARY_RE = re.compile(r"\d+ built, \d+ up to date, \d+ failed")
SERVING_RE = re.compile(r"^Serving .* at (http://\S+/)")
#: Bounds on every wait, generous: a slow machine must not break the bench, only slow it.
START_TIMEOUT, SHOW_TIMEOUT, IDLE_TIMEOUT, STOP_TIMEOUT = 180.0, 60.0, 180.0, 30.0
#: Between two polls: the resolution of the times measured, and little load on serve.
POLL_S = 0.02
#: The issue's targets: the page within this of the watcher, the A4 within this many
#: times WeasyPrint's own layout of it (plus the watcher).
PAGE_OVER_WATCHER_S, A4_OVER_FLOOR = 0.3, 1.5
#: watchfiles' defaults, which serve used before it named them.
DEFAULT_DEBOUNCE_MS, DEFAULT_STEP_MS = 400, 50

#: A file's identity and last write: a file rewritten in place or replaced differs.
Stamp = tuple[int, int]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The project, its saves, its files --------------------------------------------------------

def copy_project(root: Path, languages: tuple[str, ...] | None = None) -> Path:
    """The repository's layouts, layout list (as ``careleaf.toml``) and sources at ``root``;
    only the ``languages`` given, if any."""
    source = REPO / "source"

    def others(folder: str, names: list[str]) -> list[str]:
        if languages is None or Path(folder) != source:
            return []
        return [name for name in names if (source / name).is_dir() and name not in languages]

    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(source, root / "source", ignore=others)
    copy_config(root)
    return root


def save(path: Path, text: str) -> float:
    """Write ``path`` as an editor saves it (open, write, close); the time it was closed."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
    return time.perf_counter()


def new_word(used: set[str]) -> str:
    """A word found nowhere in the leaflet or its outputs: letters only, never used before."""
    while True:
        word = "zq" + "".join(random.choices(string.ascii_lowercase, k=6))
        if word not in used:
            used.add(word)
            return word


def stamps(folders: list[Path], build: Path) -> dict[str, Stamp]:
    """Every file under ``folders`` (relative to ``build``): inode and ``st_mtime_ns``. A
    file that goes away while it is listed (a build replacing it) is left out."""
    found: dict[str, Stamp] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            try:
                status = path.stat()
            except OSError:
                continue
            if path.is_file():
                found[path.relative_to(build).as_posix()] = (status.st_ino, status.st_mtime_ns)
    return found


def changed(before: dict[str, Stamp], after: dict[str, Stamp]) -> list[str]:
    """Files written, replaced, made or removed between the two listings."""
    return sorted(name for name in before.keys() | after.keys()
                  if before.get(name) != after.get(name))


def is_proof(name: str) -> bool:
    return "/proofs/" in name


def outputs_of(build: Path, files: list[str]) -> list[str]:
    """The outputs ``files`` belong to, by the build's manifest (a booklet is two files);
    a file the manifest does not list counts as an output of its own."""
    try:
        manifest = json.loads((build / ".careleaf-manifest.json").read_text(encoding="utf-8"))
        owner = {name: key for key, entry in manifest["outputs"].items()
                 for name in entry.get("files", {key: None})}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        owner = {}
    return sorted({owner.get(name, name) for name in files})


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        body: bytes = response.read()
        return body


def pdf_text(data: bytes) -> str:
    """The PDF's text with all white space removed (a line may break anywhere)."""
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


# --- The serve process ----------------------------------------------------------------------

@dataclass
class Serving:
    """A running ``careleaf serve``: what it printed, each stdout line with its time read."""

    process: subprocess.Popen[str]
    lines: list[tuple[float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)
    url: str = ""

    def printed(self, start: int = 0) -> list[str]:
        return [line for _, line in self.lines[start:]]

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(f"serve exited with {self.process.returncode}:\n{self.transcript()}")

    def transcript(self, last: int = 30) -> str:
        return "\n".join(["stdout:", *self.printed()[-last:], "stderr:", *self.errors[-last:]])

    def wait_until(self, found: Callable[[list[str]], int | None], start: int, timeout: float,
                   what: str) -> tuple[int, float]:
        """The index of the line ``found`` picks among those printed from ``start`` on, and
        when it was read: waiting up to ``timeout`` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            exited = self.process.poll() is not None
            lines = self.lines[start:]
            index = found([line for _, line in lines])
            if index is not None:
                return start + index, lines[index][0]
            if exited:
                break
            time.sleep(POLL_S)
        raise BenchError(f"serve: {what} not seen in {timeout:.0f} s (exit code "
                         f"{self.process.poll()}):\n{self.transcript()}")


def start_serve(root: Path) -> Serving:
    """``careleaf serve`` on ``root``, on a port the system chooses, its output read as it
    comes (unbuffered) by a thread per stream."""
    command = [sys.executable, "-m", "careleaf", "serve", "-C", str(root), "--port", "0"]
    process = subprocess.Popen(command, cwd=root, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    serving = Serving(process)
    assert process.stdout is not None and process.stderr is not None
    for target, stream in ((_read_timed, process.stdout), (_read, process.stderr)):
        lines = serving.lines if stream is process.stdout else serving.errors
        serving.readers.append(threading.Thread(target=target, args=(stream, lines),
                                                daemon=True))
        serving.readers[-1].start()
    return serving


def _read_timed(stream: IO[str], lines: list[tuple[float, str]]) -> None:
    for line in stream:
        lines.append((time.perf_counter(), line.rstrip("\n")))


def _read(stream: IO[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


def stop_serve(serving: Serving) -> None:
    """Ctrl-C, as a writer stops it; killed if it has not stopped in ``STOP_TIMEOUT``."""
    if serving.process.poll() is None:
        serving.process.send_signal(signal.SIGINT)
    try:
        serving.process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        serving.process.kill()
        serving.process.wait()
    for reader in serving.readers:
        reader.join(STOP_TIMEOUT)


def idle_line(lines: list[str]) -> int | None:
    """Where serve said it was idle again (all work for the save done) among ``lines``."""
    return next((i for i, line in enumerate(lines) if line.strip() == IDLE_LINE), None)


# --- The baselines ----------------------------------------------------------------------------

def watch_settings() -> tuple[int, int]:
    """serve's debounce and step (ms): its constants, or the values it passed before."""
    from careleaf.site import serve

    return (int(getattr(serve, "WATCH_DEBOUNCE_MS", DEFAULT_DEBOUNCE_MS)),
            int(getattr(serve, "WATCH_STEP_MS", DEFAULT_STEP_MS)))


def watcher_latency(folder: Path, rounds: int, debounce: int, step: int) -> list[float]:
    """Seconds from a save to ``watchfiles.watch`` yielding its batch, with serve's filter,
    debounce and step, over a folder of its own: ``rounds`` saves after the first reported."""
    import watchfiles

    folder.mkdir(parents=True)
    path = folder / "leaflet.md"
    path.write_text("A first version.\n", encoding="utf-8")
    reported: queue.Queue[float] = queue.Queue()
    stop = threading.Event()

    def pump() -> None:
        for _ in watchfiles.watch(folder, watch_filter=watchfiles.DefaultFilter(),
                                  recursive=True, debounce=debounce, step=step,
                                  stop_event=stop, raise_interrupt=False):
            reported.put(time.perf_counter())

    thread = threading.Thread(target=pump, name="bench-watch", daemon=True)
    thread.start()
    try:
        # The watcher is ready once it reports a save: save until one is reported.
        deadline = time.perf_counter() + 30
        while True:
            save(path, "A version saved before the watcher was ready.\n")
            try:
                reported.get(timeout=2 * (debounce + step) / 1000)
                break
            except queue.Empty:
                if time.perf_counter() > deadline:
                    raise BenchError("watchfiles reported no save in 30 s") from None
        latencies = []
        for index in range(rounds):
            while not reported.empty():  # a late second batch of the last save: not this one
                reported.get_nowait()
            saved = save(path, f"Version {index}.\n")
            try:
                latencies.append(reported.get(timeout=30) - saved)
            except queue.Empty:
                raise BenchError(f"watchfiles did not report save {index} in 30 s") from None
        return latencies
    finally:
        stop.set()
        thread.join(timeout=10)


def weasyprint_alone(tmp: Path, worker: Callable[[Path, Path], dict[str, Any]]) -> list[float]:
    """ms of WeasyPrint alone laying out the leaflet's A4 (careleaf's HTML): the bench's
    floor worker on a project holding only that leaflet, ``ROUNDS`` processes, each after
    its own warm-up render."""
    root = copy_project(tmp / "serve-floor", languages=(ORIGINAL,))
    return [ms for index in range(ROUNDS)
            for ms in worker(root, tmp / f"serve-floor-{index}")["ms"]]


# --- A round: one save, watched until serve is idle -------------------------------------------

@dataclass
class Round:
    word: str
    #: Seconds from the save to the page, and to the A4 PDF, showing the word over HTTP
    #: (the time the response was read), and to serve's line saying it is idle.
    page_s: float = 0.0
    a4_s: float = 0.0
    idle_s: float = 0.0
    #: Files of the translations' folders under build/ written, replaced, made or removed
    #: by the round: outputs' files, the outputs they belong to, and proofs.
    translation_files: list[str] = field(default_factory=list)
    translation_outputs: list[str] = field(default_factory=list)
    translation_proofs: list[str] = field(default_factory=list)
    #: The leaflet's other outputs (not its A4, not proofs) still as before the save when
    #: its page showed the word, and rewritten before serve was idle.
    later_than_page: list[str] = field(default_factory=list)
    #: Every line serve printed from the save to the idle line.
    printed: list[str] = field(default_factory=list)


@dataclass
class Scene:
    """The running serve and what a round needs to know of the project."""

    serving: Serving
    root: Path
    text: str
    page_url: str
    pdf_url: str
    words: set[str] = field(default_factory=set)

    @property
    def build(self) -> Path:
        return self.root / "build"

    def translations(self) -> list[Path]:
        return [folder for folder in sorted(self.build.glob(f"*/{LEAFLET}"))
                if folder.parent.name not in (ORIGINAL, "preview")]

    def own(self) -> dict[str, Stamp]:
        """The edited leaflet's outputs but its A4 and the proofs."""
        return {name: stamp for name, stamp in
                stamps([self.build / ORIGINAL / LEAFLET], self.build).items()
                if not is_proof(name) and Path(name).name != Path(self.pdf_url).name}


def measure_round(scene: Scene) -> Round:
    """Save a new word, poll the page and the PDF until both show it, then wait for serve
    to be idle and see which files of the translations were written."""
    serving, result = scene.serving, Round(new_word(scene.words))
    translations, own = stamps(scene.translations(), scene.build), scene.own()
    served_pdf, start = _poll(scene.pdf_url), len(serving.lines)
    saved = save(scene.root / SOURCE, scene.text.replace(WORD, result.word, 1))
    at_page: dict[str, Stamp] = {}
    page_seen = a4_seen = False
    deadline = saved + SHOW_TIMEOUT
    while not (page_seen and a4_seen):
        serving.check_running()
        if time.perf_counter() > deadline:
            raise BenchError(f"'{result.word}' not shown in {SHOW_TIMEOUT:.0f} s: page "
                             f"{page_seen}, A4 PDF {a4_seen}\n{serving.transcript()}")
        if not page_seen:
            page = _poll(scene.page_url)
            if result.word.encode() in page:
                page_seen, result.page_s, at_page = True, time.perf_counter() - saved, scene.own()
        if not a4_seen:
            pdf = _poll(scene.pdf_url)
            seen = time.perf_counter()
            if pdf and pdf != served_pdf:
                served_pdf = pdf
                a4_seen = result.word in pdf_text(pdf)
                result.a4_s = seen - saved
        time.sleep(POLL_S)
    end, idle_at = serving.wait_until(idle_line, start, IDLE_TIMEOUT,
                                      "idle after the save")
    result.idle_s = idle_at - saved
    result.printed = serving.printed(start)[: end - start + 1]
    written = changed(translations, stamps(scene.translations(), scene.build))
    result.translation_files = [name for name in written if not is_proof(name)]
    result.translation_outputs = outputs_of(scene.build, result.translation_files)
    result.translation_proofs = [name for name in written if is_proof(name)]
    rewritten = changed(own, scene.own())
    result.later_than_page = [name for name in rewritten if at_page.get(name) == own.get(name)]
    return result


def _poll(url: str) -> bytes:
    """The body at ``url``; nothing while serve cannot answer (it may be replacing it)."""
    try:
        return fetch(url)
    except (urllib.error.URLError, OSError):
        return b""


# --- The part -----------------------------------------------------------------------------

@dataclass
class ServeResults:
    leaflet: str = f"{ORIGINAL}/{LEAFLET}"
    rounds_n: int = SERVE_ROUNDS
    watch_debounce_ms: int = DEFAULT_DEBOUNCE_MS
    watch_step_ms: int = DEFAULT_STEP_MS
    #: Seconds from a save to watchfiles' batch, each round.
    watcher_s: list[float] = field(default_factory=list)
    #: ms of WeasyPrint alone on the leaflet's A4, each process.
    floor_ms: list[float] = field(default_factory=list)
    #: The build before serve starts, and serve's start to its first answer.
    build_s: float = 0.0
    start_s: float = 0.0
    warmup: Round | None = None
    rounds: list[Round] = field(default_factory=list)
    #: serve's stderr: its warnings (a traceback breaks the bench).
    stderr: list[str] = field(default_factory=list)
    load_start: float = 0.0
    load_end: float = 0.0
    part_s: float = 0.0


def measure_serve(tmp: Path, build: Callable[[Path], float],
                  worker: Callable[[Path, Path], dict[str, Any]],
                  rounds: int = SERVE_ROUNDS) -> ServeResults:
    """The part: the baselines, then ``rounds`` measured edits (after a warm-up one) in a
    real serve, on a copy of the repository's project built once by ``build``."""
    started = time.perf_counter()
    res = ServeResults(rounds_n=rounds, load_start=os.getloadavg()[0])
    res.floor_ms = weasyprint_alone(tmp, worker)
    log(f"  WeasyPrint alone, {ORIGINAL}/{LEAFLET} a4: "
        + ", ".join(f"{ms:.0f}" for ms in res.floor_ms) + " ms")
    res.watch_debounce_ms, res.watch_step_ms = watch_settings()
    res.watcher_s = watcher_latency(tmp / "serve-watched", rounds, res.watch_debounce_ms,
                                    res.watch_step_ms)
    log(f"  watcher alone: median {statistics.median(res.watcher_s) * 1000:.0f} ms")
    root = copy_project(tmp / "serve-project")
    text = (root / SOURCE).read_text(encoding="utf-8")
    if WORD not in text.split("\n---\n", 1)[-1].split("\n\n", 1)[0]:
        raise BenchError(f"the overview of {SOURCE} no longer holds '{WORD}': choose another")
    res.build_s = build(root)
    serving = start_serve(root)
    try:
        scene = _started(serving, root, text, res)
        res.warmup = measure_round(scene)
        log(f"  warm-up edit: page {res.warmup.page_s:.2f} s, idle {res.warmup.idle_s:.2f} s")
        for _ in range(rounds):
            done = measure_round(scene)
            res.rounds.append(done)
            log(f"  edit '{done.word}': page {done.page_s:.2f} s, A4 {done.a4_s:.2f} s, idle "
                f"{done.idle_s:.2f} s; translations: {len(done.translation_outputs)} outputs "
                f"({len(done.translation_files)} files), {len(done.translation_proofs)} "
                "proofs written")
    finally:
        stop_serve(serving)
        res.stderr = serving.errors
    if any("Traceback" in line for line in serving.errors):
        raise BenchError(f"serve printed a traceback:\n{serving.transcript(100)}")
    res.load_end, res.part_s = os.getloadavg()[0], time.perf_counter() - started
    return res


def _started(serving: Serving, root: Path, text: str, res: ServeResults) -> Scene:
    """Once serve answers and is idle: the page's and its A4 PDF's addresses."""
    began = time.perf_counter()
    index, _ = serving.wait_until(
        lambda lines: next((i for i, line in enumerate(lines) if SERVING_RE.match(line)), None),
        0, START_TIMEOUT, "its 'Serving ... at' line")
    match = SERVING_RE.match(serving.printed()[index])
    assert match is not None
    serving.url = match.group(1)
    serving.wait_until(idle_line, 0, START_TIMEOUT, "idle after its start")
    page_url = f"{serving.url}{ORIGINAL}/{LEAFLET}/"
    try:
        page = fetch(page_url).decode()
    except OSError as exc:
        raise BenchError(f"{page_url}: {exc}\n{serving.transcript()}") from exc
    res.start_s = time.perf_counter() - began
    links = re.findall(r'href="([^"]*-a4\.pdf)"', page)
    if not links:
        raise BenchError(f"{page_url} links to no A4 PDF (a name ending in -a4.pdf)")
    return Scene(serving, root, text, page_url, urllib.parse.urljoin(page_url, links[0]))


# --- Rows of the report -------------------------------------------------------------------

def serve_rows(res: ServeResults) -> list[Row]:
    rounds, n = res.rounds, len(res.rounds)
    watcher, floor = statistics.median(res.watcher_s), statistics.median(res.floor_ms) / 1000
    page, a4 = [r.page_s for r in rounds], [r.a4_s for r in rounds]
    idle = [r.idle_s for r in rounds]
    outputs = [len(r.translation_outputs) for r in rounds]
    files = [len(r.translation_files) for r in rounds]
    proofs = [len(r.translation_proofs) for r in rounds]
    later = [len(r.later_than_page) for r in rounds]
    page_limit, a4_limit = PAGE_OVER_WATCHER_S + watcher, A4_OVER_FLOOR * floor + watcher
    summary = next((line for line in reversed(rounds[-1].printed) if SUMMARY_RE.search(line)),
                   "(no summary line)")
    return [
        Row(f"serve: watcher alone (watchfiles, debounce {res.watch_debounce_ms} ms, step "
            f"{res.watch_step_ms} ms), save -> batch, median of {len(res.watcher_s)}",
            msec(watcher * 1000), f"max {msec(max(res.watcher_s) * 1000)}"),
        Row(f"serve: WeasyPrint alone, {res.leaflet} a4, warm (median of {len(res.floor_ms)})",
            msec(floor * 1000)),
        Row(f"serve: warm build of the project before serve, {res.leaflet} + translations",
            sec(res.build_s)),
        Row(f"serve: save -> serve idle again (all work done), median of {n}", _spread(idle)),
        Row("  serve's summary of the last edit", summary),
        Row("  other outputs of the leaflet made after its page showed (median)",
            f"{statistics.median(later):g}", target="(no target)"),
        Row("serve part: 1-min load average before, after",
            f"{res.load_start:.2f}, {res.load_end:.2f}", f"{os.cpu_count()} cores"),
        Row(f"TARGET serve: save -> {res.leaflet}'s web page shows the edit, median of {n}",
            _spread(page), f"watcher {msec(watcher * 1000)}",
            f"{statistics.median(page) / page_limit:.2f}",
            f"<= {PAGE_OVER_WATCHER_S:g} s + watcher = {sec(page_limit)}",
            verdict(statistics.median(page) <= page_limit)),
        Row(f"TARGET serve: save -> its A4 PDF shows the edit, median of {n}", _spread(a4),
            f"WeasyPrint alone {msec(floor * 1000)}",
            f"{statistics.median(a4) / a4_limit:.2f}",
            f"<= {A4_OVER_FLOOR:g} x WeasyPrint + watcher = {sec(a4_limit)}",
            verdict(statistics.median(a4) <= a4_limit)),
        Row(f"TARGET serve: translations' outputs rebuilt by a body edit, max of {n}",
            f"{max(outputs)} ({max(files)} files; + {max(proofs)} proofs)", "", "", "0",
            verdict(max(files) == 0 and max(proofs) == 0)),
    ]


def _spread(seconds: list[float]) -> str:
    return f"{sec(statistics.median(seconds))} (max {max(seconds):.2f})"
