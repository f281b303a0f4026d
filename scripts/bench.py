"""The benchmark behind ``make bench``: careleaf against its floor and its peer, in one run.

It writes a synthetic catalogue of N two-page leaflets (varied deterministically
from ``source/en/chronic-muscle-spasms.md``) into a temporary project, then
measures, each whole command in a fresh process:

- cold builds with ``--jobs 1`` and ``--jobs 2`` (the catalogue's layouts, as
  ``[tool.careleaf]`` lists them), a no-op rebuild and a one-leaflet edit;
- the floor: careleaf's own a4 HTML laid out by WeasyPrint alone, against
  careleaf's PDF time per leaflet (whole process; in-process with and without
  the PNG proofs a build writes by default);
- the peer: per file, ``pandoc`` to HTML, ``weasyprint`` to PDF, ``pandoc`` to EPUB,
  against careleaf building the same two outputs (wall and CPU time);
- careleaf's EPUB time per leaflet, and the peak memory of a cold build at N/4 and N;
- the download site of a bigger catalogue (``--site-n``, 200 leaflets from
  ``synthetic.py``): its making, its search index (time, size on disk) and what one
  search costs a phone (``bench_site.py``). ``--part build`` or ``--part site`` runs
  one half only.

It prints a table (measurement, value, baseline, ratio, target, pass/fail) and
writes ``build/bench.json``. A missed target is reported as FAIL, never hidden;
the exit code is 0 for a complete report and non-zero only when something broke.
The in-process numbers come from this same file run as a worker (``--worker``).
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import logging
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import synthetic
from bench_site import RESULTS, browser_searches, index_sizes, search_cost, site_worker
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project

if TYPE_CHECKING:
    from careleaf.design.brand import Brand
    from careleaf.design.layouts import Layout

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "source" / "en" / "chronic-muscle-spasms.md"
REPORT = REPO / "build" / "bench.json"
#: Repeats of the measurements that are cheap enough to repeat; the median is reported.
ROUNDS = 3
PDF_VARIANT = "pdf/ua-1"  # what careleaf writes (careleaf.formats.pdf.PDF_VARIANT)
SUMMARY_RE = re.compile(r"(\d+) built, (\d+) up to date, (\d+) failed in")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")

QUALIFIERS = ("Chronic", "Recurring", "Night-time", "Persistent", "Exercise-related")
PARTS = ("muscle spasms", "leg cramps", "back spasms", "neck spasms", "calf cramps",
         "foot cramps", "hand cramps", "shoulder spasms")
AUDIENCES = ("", " in adults", " in older people", " in sport")
EXTRA_CAUSES = (
    ("Dehydration", "dehydration", "Not drinking enough fluid upsets the balance of salts "
     "in your muscles. Hot weather, heavy sweating and being sick make this more likely."),
    ("Low potassium or magnesium", "low-minerals", "Your muscles need potassium, magnesium "
     "and calcium to work properly. Low levels can lead to cramps."),
    ("Some medicines", "medicines", "Some medicines, such as water tablets and statins, can "
     "cause cramps. Do not stop a medicine without talking to your doctor first."),
    ("Pregnancy", "pregnancy", "Leg cramps are common in the later months of pregnancy. "
     "They usually stop after the baby is born."),
    ("A trapped nerve", "trapped-nerve", "A trapped nerve in your spine can cause cramping "
     "pain in your legs. It often gets worse the longer you walk."),
)
EXTRA_TREATMENTS = (
    ("Drink enough fluid", "fluids", "Drink water regularly through the day, and more when "
     "it is hot. Pale yellow urine is a good sign that you drink enough."),
    ("Gentle exercise", "gentle-exercise", "Regular gentle exercise, such as walking or "
     "swimming, keeps your muscles strong. Warm up before you start."),
    ("Pain relief", "pain-relief", "A pharmacist can advise you on pain relief you can buy. "
     "Always follow the instructions on the packet."),
    ("Check your shoes", "footwear", "Shoes that fit well and support your feet ease the "
     "strain on your leg muscles. Avoid high heels for long periods."),
    ("Stretch before bed", "bedtime-stretch", "If spasms wake you at night, stretch your "
     "calves gently before bed. Hold each stretch for about 30 seconds."),
)


class BenchError(Exception):
    """Something broke (a command failed, an output is missing): not a missed target."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- The synthetic catalogue ------------------------------------------------------------

@dataclass
class Block:
    """A ``##`` or ``###`` heading line and the paragraphs under it."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[Block] = field(default_factory=list)


def parse_sample(text: str) -> tuple[list[str], list[Block]]:
    """The sample's overview paragraphs and its sections (each with its items)."""
    body = text.split("\n---\n", 1)[1]
    overview: list[str] = []
    sections: list[Block] = []
    for line in filter(str.strip, body.splitlines()):
        if line.startswith("## "):
            sections.append(Block(line))
        elif line.startswith("### "):
            sections[-1].items.append(Block(line))
        elif not sections:
            overview.append(line)
        else:
            (sections[-1].items or [sections[-1]])[-1].paragraphs.append(line)
    return overview, sections


def shuffle_sentences(paragraph: str, rng: random.Random) -> str:
    """The paragraph with its first sentence kept and the others in a random order."""
    first, *rest = SENTENCE_RE.split(paragraph)
    rng.shuffle(rest)
    return " ".join([first, *rest])


def vary_items(items: list[Block], extras: tuple[tuple[str, str, str], ...],
               rng: random.Random) -> list[Block]:
    """Drop one or two items, add one from ``extras``: new content, no longer than the sample."""
    kept = rng.sample(items, len(items) - rng.randint(1, 2))
    added = [Block(f"### {title} {{#{item_id}}}", [text])
             for title, item_id, text in rng.sample(extras, 1)]
    varied = [Block(item.heading, [shuffle_sentences(p, rng) for p in item.paragraphs])
              for item in kept] + added
    rng.shuffle(varied)
    return varied


def front_matter(title: str, rng: random.Random) -> str:
    reviewed = date(2026, 1, 5) + timedelta(days=rng.randrange(320))
    summary = (f"What can cause {title[0].lower()}{title[1:]} that keep coming back, "
               "and simple ways to ease and prevent them.")
    keywords = ["muscle spasm", "cramp", "stretching", title.lower()]
    return "\n".join([
        "---", f"title: {json.dumps(title)}", f"summary: {json.dumps(summary)}",
        f'version: "1.{rng.randrange(6)}"', f"reviewed: {reviewed.isoformat()}",
        f"next_review: {(reviewed + timedelta(days=365)).isoformat()}",
        "sources:", '  - title: "Chronic muscle spasms: causes and treatment (web article)"',
        "authors:", "  - careleaf editorial team", "keywords:",
        *(f"  - {json.dumps(word)}" for word in keywords), "---", ""])


def leaflet_text(title: str, sample: tuple[list[str], list[Block]], rng: random.Random) -> str:
    overview, sections = sample
    lines = [front_matter(title, rng), *(shuffle_sentences(p, rng) + "\n" for p in overview)]
    topic = title[0].lower() + title[1:]
    for section in sections:
        lines.append(section.heading.replace("chronic muscle spasms", topic) + "\n")
        lines.extend(shuffle_sentences(p, rng) + "\n" for p in section.paragraphs)
        items = section.items
        if "{#causes}" in section.heading:
            items = vary_items(items, EXTRA_CAUSES, rng)
        elif "{#treatment}" in section.heading:
            items = vary_items(items, EXTRA_TREATMENTS, rng)
        for item in items:
            lines.extend([item.heading + "\n", *(p + "\n" for p in item.paragraphs)])
    return "\n".join(lines)


def titles(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` (id, title) pairs. Ids stay short, like catalogue codes: the ebook URL in
    each printed leaflet's QR code has the id twice, and a long URL makes the code too fine."""
    combos = [(q, p, a) for a in AUDIENCES for q in QUALIFIERS for p in PARTS]
    rng.shuffle(combos)
    pairs = []
    for index in range(n):
        qualifier, part, audience = combos[index % len(combos)]
        repeat = f" ({index // len(combos) + 1})" if index >= len(combos) else ""
        pairs.append((f"{slug(part)}-{index + 1}", f"{qualifier} {part}{audience}{repeat}"))
    return pairs


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_project(root: Path, n: int, seed: int) -> list[Path]:
    """A project at ``root`` with the repository's layouts and layout list (its
    ``[tool.careleaf]``, as ``careleaf.toml``) and ``n`` synthetic sources."""
    rng = random.Random(seed)
    sample = parse_sample(SAMPLE.read_text(encoding="utf-8"))
    shutil.copytree(REPO / "layouts", root / "layouts")
    copy_config(root)
    (root / "source" / "en").mkdir(parents=True)
    paths = []
    for leaflet_id, title in titles(n, rng):
        path = root / "source" / "en" / f"{leaflet_id}.md"
        path.write_text(leaflet_text(title, sample, rng), encoding="utf-8")
        paths.append(path)
    return sorted(paths)


def copy_config(root: Path) -> None:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    layouts = settings.get("tool", {}).get("careleaf", {}).get("layouts")
    if layouts:
        (root / "careleaf.toml").write_text(f"layouts = {json.dumps(layouts)}\n",
                                            encoding="utf-8")


def subset_project(root: Path, catalogue: Path, sources: list[Path]) -> None:
    """Another project at ``root`` with the catalogue's layouts and only ``sources``."""
    shutil.copytree(catalogue / "layouts", root / "layouts")
    if (catalogue / "careleaf.toml").is_file():
        shutil.copy2(catalogue / "careleaf.toml", root / "careleaf.toml")
    (root / "source" / "en").mkdir(parents=True)
    for path in sources:
        shutil.copy2(path, root / "source" / "en" / path.name)


# --- Running commands -------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    seconds: float
    #: User + system CPU time of the process and its waited-for descendants.
    cpu_s: float
    #: ru_maxrss of the process and its waited-for descendants: the largest one, in KiB.
    maxrss_kib: int
    stdout: str
    stderr: str


def run(cmd: list[str]) -> Run:
    """Run ``cmd`` to completion: wall time (perf_counter) and peak RSS from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
                     out.read().decode(), err.read().decode())
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited with {proc.returncode}:\n{result.stderr}")
    return result


def careleaf_build(root: Path, *options: str, cold: bool = False) -> Run:
    if cold:
        shutil.rmtree(root / "build", ignore_errors=True)
    return run([sys.executable, "-m", "careleaf", "build", "-C", str(root), *options])


def summary(result: Run) -> tuple[int, int, int]:
    """(built, up to date, failed) from careleaf's summary line."""
    match = SUMMARY_RE.search(result.stdout)
    if match is None:
        raise BenchError(f"no summary line in careleaf's output:\n{result.stdout}")
    built, fresh, failed = (int(group) for group in match.groups())
    return built, fresh, failed


def cold_build(root: Path, expected: int, *options: str) -> Run:
    """A cold build that must build ``expected`` outputs and fail none."""
    result = careleaf_build(root, *options, cold=True)
    if summary(result) != (expected, 0, 0):
        raise BenchError(f"cold build {' '.join(options)}: expected {expected} built, got "
                         f"{summary(result)}\n{result.stderr}")
    log(f"  cold build {' '.join(options) or '(defaults)'}: {result.seconds:.2f} s wall, "
        f"{result.cpu_s:.2f} s CPU")
    return result


def worker(kind: str, root: Path, out: Path, layout: str) -> dict[str, Any]:
    """This file run as an in-process worker; its JSON report."""
    result = run([sys.executable, str(Path(__file__).resolve()), "--worker", kind,
                  "--root", str(root), "--out", str(out), "--layout", layout])
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    report["process_s"] = result.seconds
    return report


# --- In-process workers (run in their own process by ``worker``) ---------------------------

def floor_worker(root: Path, _out: Path, layout_name: str) -> dict[str, Any]:
    """careleaf's HTML laid out by WeasyPrint alone: per-leaflet ms after one warm-up."""
    started = time.perf_counter()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from careleaf.render.html import render_html
    from careleaf.source.load import load_leaflet

    import_ms = ms_since(started)
    project, layout, brand = project_parts(root, layout_name)
    leaflets = [load_leaflet(path, project, Report()) for path in project.sources()]
    htmls = [render_html(leaflet, layout, brand) for leaflet in leaflets if leaflet is not None]
    fonts = FontConfiguration()
    sheets = [CSS(filename=str(path), font_config=fonts) for path in layout.stylesheets]
    base_url = root.as_uri() + "/"

    def render(html: str) -> None:
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=sheets, font_config=fonts, pdf_variant=PDF_VARIANT)

    with weasyprint_warnings() as warnings:
        result = {"import_ms": import_ms, **timed_each(render, htmls)}
    if any("ailed to load" in message for message in warnings):
        raise BenchError(f"the floor could not load everything careleaf loads: {warnings}")
    return result


@contextmanager
def weasyprint_warnings() -> Iterator[list[str]]:
    """WeasyPrint's warnings, collected (a resource it failed to load means less work)."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def careleaf_worker(root: Path, out: Path, layout_name: str) -> dict[str, Any]:
    """``render_task`` per leaflet after one warm-up, plus where its time goes."""
    started = time.perf_counter()
    from careleaf.files import write_atomic
    from careleaf.formats.job import Job
    from careleaf.pipeline.workers import Task, render_task
    from careleaf.render.html import render_html
    from careleaf.source.load import load_leaflets

    import_ms = ms_since(started)
    project, layout, brand = project_parts(root, layout_name)
    tasks = [Task(Job(project, leaflet, layout, brand), out / layout.output_name(leaflet.id))
             for leaflet in load_leaflets(project, Report())]

    def render(task: Task) -> None:
        if render_task(task).status != "built":
            raise BenchError(f"render_task failed for {task.job.leaflet.key}")

    result = {"import_ms": import_ms, **timed_each(render, tasks)}
    if layout.format == "pdf":  # the same without the PNG proofs the build writes by default
        bare = [replace(task, proofs=False) for task in tasks]
        result["no_proofs_ms"] = timed_each(render, bare)["ms"]
    result["html_ms"] = timed_each(lambda t: render_html(t.job.leaflet, t.job.layout, t.job.brand),
                                   tasks)["ms"]
    data = tasks[0].target.read_bytes()
    result["write_ms"] = timed_each(lambda t: write_atomic(out / "probe.bin", data), tasks)["ms"]
    return result


def project_parts(root: Path, layout_name: str) -> tuple[Project, Layout, Brand]:
    """The project at ``root``, one of its layouts and its default brand (as a build uses)."""
    from careleaf.design.brand import DEFAULT_BRAND, load_brand

    project, report = Project(root), Report()
    layout = load_layouts(project, report).get(layout_name)
    brand = load_brand(project, DEFAULT_BRAND, report)
    if layout is None or brand is None:
        raise BenchError(f"cannot load layout '{layout_name}' or the default brand: "
                         + "; ".join(map(str, report)))
    return project, layout, brand


def timed_each(action: Callable[[T], object], things: list[T]) -> dict[str, Any]:
    """One untimed warm-up on the first thing, then each thing timed: ms per thing."""
    started = time.perf_counter()
    action(things[0])
    warmup_ms = ms_since(started)
    times = []
    for thing in things:
        started = time.perf_counter()
        action(thing)
        times.append(ms_since(started))
    return {"warmup_ms": warmup_ms, "ms": times}


def ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


WORKERS = {"floor": floor_worker, "careleaf": careleaf_worker, "site": site_worker}


# --- Measurements -----------------------------------------------------------------------

@dataclass
class Results:
    n: int
    seed: int
    layouts: list[str] = field(default_factory=list)
    outputs_per_leaflet: int = 0
    a4_pages: dict[str, int] = field(default_factory=dict)
    cold_j1_s: float = 0.0
    cold_j2_s: float = 0.0
    cold_j1_maxrss_kib: int = 0
    cold_j2_maxrss_kib: int = 0
    cold_a4_epub_j2_s: float = 0.0
    #: CPU seconds (user + system, all processes) of that build and of the peer route.
    cold_a4_epub_j2_cpu_s: float = 0.0
    peer_cpu_s: float = 0.0
    cold_a4_epub_j2_bare_s: float = 0.0
    cold_a4_j1_s: float = 0.0
    cold_epub_s: list[float] = field(default_factory=list)
    python_start_s: list[float] = field(default_factory=list)
    noop_s: list[float] = field(default_factory=list)
    edit_s: list[float] = field(default_factory=list)
    edit_j1_s: list[float] = field(default_factory=list)
    edit_summaries: list[list[int]] = field(default_factory=list)
    edit_only_its_outputs: bool = False
    floor: dict[str, Any] = field(default_factory=dict)
    careleaf_a4: dict[str, Any] = field(default_factory=dict)
    careleaf_epub: dict[str, Any] = field(default_factory=dict)
    peer_s: float = 0.0
    peer_html_ms: list[float] = field(default_factory=list)
    peer_pdf_ms: list[float] = field(default_factory=list)
    peer_epub_ms: list[float] = field(default_factory=list)
    small_n: int = 0
    cold_small_j2_s: float = 0.0
    cold_small_maxrss_kib: int = 0
    #: 1-minute load average before and after (after includes this benchmark's own last
    #: step): other work on the machine distorts timings.
    load_start: float = 0.0
    load_end: float = 0.0
    #: Wall time of the whole benchmark.
    bench_s: float = 0.0
    #: The checkout's commit before and after (``+changes``: uncommitted edits).
    git_start: str | None = None
    git_end: str | None = None


def measure_cold_builds(root: Path, res: Results) -> None:
    """Cold builds, each once: all layouts with 1 and 2 jobs, a4 only, the peer's outputs
    (a4 + EPUB) with and without proofs; EPUB only ``ROUNDS`` times (it is quick)."""
    expected = res.outputs_per_leaflet * res.n
    j1 = cold_build(root, expected, "--jobs", "1")
    res.cold_j1_s, res.cold_j1_maxrss_kib = j1.seconds, j1.maxrss_kib
    a4, epub = ("--layout", "a4"), ("--layout", "epub")
    res.cold_epub_s = [cold_build(root, res.n, *epub).seconds for _ in range(ROUNDS)]
    res.cold_a4_j1_s = cold_build(root, res.n, "--jobs", "1", *a4).seconds
    both = cold_build(root, 2 * res.n, "--jobs", "2", *a4, *epub)
    res.cold_a4_epub_j2_s, res.cold_a4_epub_j2_cpu_s = both.seconds, both.cpu_s
    res.cold_a4_epub_j2_bare_s = cold_build(root, 2 * res.n, "--jobs", "2", "--no-proofs",
                                            *a4, *epub).seconds
    j2 = cold_build(root, expected, "--jobs", "2")
    res.cold_j2_s, res.cold_j2_maxrss_kib = j2.seconds, j2.maxrss_kib


def measure_rebuilds(root: Path, sources: list[Path], res: Results) -> None:
    """After a full build: no-op rebuilds, then one sentence of one source edited, 3 times."""
    res.python_start_s = [run([sys.executable, "-c", "pass"]).seconds for _ in range(5)]
    for _ in range(5):
        result = careleaf_build(root)
        if summary(result) != (0, res.outputs_per_leaflet * res.n, 0):
            raise BenchError(f"the no-op rebuild did work: {summary(result)} (did careleaf's "
                             "code change during the run?)")
        res.noop_s.append(result.seconds)
    log(f"  no-op rebuild: {statistics.median(res.noop_s) * 1000:.0f} ms")
    edited = sources[len(sources) // 2]
    checks = []
    for revision in range(2 * ROUNDS):  # default jobs and --jobs 1 in turn
        edit_one_sentence(edited, revision)
        result = careleaf_build(root, *(("--jobs", "1") if revision % 2 else ()))
        (res.edit_j1_s if revision % 2 else res.edit_s).append(result.seconds)
        res.edit_summaries.append(list(summary(result)))
        checks.append(rebuilt_only(result, edited, res))
    res.edit_only_its_outputs = all(checks)
    log(f"  one-leaflet edit: {statistics.median(res.edit_s) * 1000:.0f} ms (default jobs), "
        f"{statistics.median(res.edit_j1_s) * 1000:.0f} ms (--jobs 1)")


def edit_one_sentence(path: Path, revision: int) -> None:
    """Change the first sentence of the overview (the first paragraph after the header)."""
    text = path.read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    sentence = SENTENCE_RE.split(body.lstrip("\n").split("\n", 1)[0])[0]
    changed = f"{sentence[:-1]}, as revision {revision} says{sentence[-1]}"
    path.write_text(header + "\n---\n" + body.replace(sentence, changed, 1), encoding="utf-8")


def rebuilt_only(result: Run, edited: Path, res: Results) -> bool:
    """True when exactly the edited leaflet's outputs were built and all others were fresh."""
    per = res.outputs_per_leaflet
    # The download site is rebuilt after any edit; it is not a leaflet's output.
    built_lines = [line for line in result.stdout.splitlines()
                   if line.startswith("built ") and "/site (" not in line]
    own = all(f"/{edited.stem}/" in line for line in built_lines)
    return summary(result) == (per, per * (res.n - 1), 0) and own and len(built_lines) == per


def measure_in_process(root: Path, scratch: Path, res: Results) -> None:
    """Floor and careleaf in turn, ``ROUNDS`` times, so a busy moment hits both alike."""
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "a4": [], "epub": []}
    for index in range(ROUNDS):
        runs["floor"].append(worker("floor", root, scratch / f"floor-{index}", "a4"))
        runs["a4"].append(worker("careleaf", root, scratch / f"a4-{index}", "a4"))
        runs["epub"].append(worker("careleaf", root, scratch / f"epub-{index}", "epub"))
    res.floor, res.careleaf_a4, res.careleaf_epub = (median_run(runs[key])
                                                     for key in ("floor", "a4", "epub"))
    for name, chosen in (("floor (WeasyPrint alone)", res.floor),
                         ("careleaf a4 in-process", res.careleaf_a4),
                         ("careleaf epub in-process", res.careleaf_epub)):
        log(f"  {name}: " + ", ".join(f"{m:.1f}" for m in chosen["run_means_ms"])
            + " ms/leaflet")


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median mean time per leaflet, with every run's mean alongside."""
    ordered = sorted(runs, key=lambda run: statistics.mean(run["ms"]))
    chosen = dict(ordered[len(ordered) // 2])
    chosen["run_means_ms"] = [statistics.mean(run["ms"]) for run in runs]
    return chosen


def measure_peer(root: Path, sources: list[Path], out: Path, res: Results) -> None:
    """The per-file route: pandoc to HTML, weasyprint to PDF, pandoc to EPUB, one at a time."""
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    sheets = load_layouts(Project(root), Report())["a4"].stylesheets
    styles = [arg for path in sheets for arg in ("-s", str(path))]
    out.mkdir(parents=True)
    started = time.perf_counter()
    for source in sources:
        html, pdf, epub = (out / f"{source.stem}.{ext}" for ext in ("html", "pdf", "epub"))
        steps = (run([pandoc, str(source), "-o", str(html), "--standalone"]),
                 run([sys.executable, "-m", "weasyprint", str(html), str(pdf), *styles,
                      "--pdf-variant", PDF_VARIANT]),
                 run([pandoc, str(source), "-o", str(epub)]))
        for times, step in zip((res.peer_html_ms, res.peer_pdf_ms, res.peer_epub_ms), steps,
                               strict=True):
            times.append(step.seconds * 1000)
        res.peer_cpu_s += sum(step.cpu_s for step in steps)
    res.peer_s = time.perf_counter() - started
    log(f"  peer route: {res.peer_s:.2f} s wall, {res.peer_cpu_s:.2f} s CPU")


def measure_small(tmp: Path, sources: list[Path], res: Results) -> None:
    """The same cold build (--jobs 2, all layouts) on a quarter of the catalogue."""
    res.small_n = min(res.n, max(5, res.n // 4))
    small = tmp / "small"
    subset_project(small, sources[0].parents[2], sources[: res.small_n])
    result = cold_build(small, res.outputs_per_leaflet * res.small_n, "--jobs", "2")
    res.cold_small_j2_s, res.cold_small_maxrss_kib = result.seconds, result.maxrss_kib


def buildable_layouts(root: Path) -> list[str]:
    """The layouts a plain ``careleaf build`` of ``root`` builds."""
    from careleaf.design.layouts import select_layouts

    return [layout.name for layout in select_layouts(Project(root), Report(), None)]


def count_pages(root: Path, res: Results) -> None:
    from pypdf import PdfReader

    for pdf in sorted((root / "build").glob("*/*/*-a4.pdf")):
        res.a4_pages[pdf.parent.name] = len(PdfReader(pdf).pages)
    sample = next(iter(res.a4_pages))
    pages = sorted(res.a4_pages.values())
    log(f"  sample {sample}-a4.pdf: {res.a4_pages[sample]} pages (all a4 PDFs: "
        f"min {pages[0]}, median {statistics.median(pages):g}, max {pages[-1]})")


def warm_up(tmp: Path, sources: list[Path]) -> None:
    """One untimed build, so every measurement sees the same warm OS caches."""
    warm = tmp / "warm"
    subset_project(warm, sources[0].parents[2], sources[:2])
    careleaf_build(warm, "--jobs", "1")


def measure(tmp: Path, n: int, seed: int) -> Results:
    started = time.perf_counter()
    res = Results(n, seed, load_start=os.getloadavg()[0], git_start=git_state())
    root = tmp / "catalogue"
    sources = make_project(root, n, seed)
    res.layouts = buildable_layouts(root)
    res.outputs_per_leaflet = len(res.layouts)
    log(f"catalogue: {n} leaflets in {root}")
    warm_up(tmp, sources)
    measure_in_process(root, tmp / "scratch", res)
    measure_cold_builds(root, res)  # ends with a full --jobs 2 build: the state rebuilds need
    count_pages(root, res)
    measure_rebuilds(root, sources, res)
    measure_small(tmp, sources, res)
    measure_peer(root, sources, tmp / "peer", res)
    res.load_end = os.getloadavg()[0]
    res.bench_s = time.perf_counter() - started
    res.git_end = git_state()
    return res


# --- The report -------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    measurement: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = "info"


def verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def sec(seconds: float) -> str:
    return f"{seconds:.2f} s"


def msec(ms: float) -> str:
    return f"{ms:.1f} ms"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def build_rows(res: Results) -> list[Row]:
    j1, j2, per, n = res.cold_j1_s, res.cold_j2_s, res.outputs_per_leaflet, res.n
    noop, start = statistics.median(res.noop_s), statistics.median(res.python_start_s)
    edit, (built, fresh, _) = statistics.median(res.edit_s), res.edit_summaries[-1]
    pages = sorted(res.a4_pages.values())
    return [
        Row("a4 pages per leaflet (min/median/max)",
            f"{pages[0]}/{statistics.median(pages):g}/{pages[-1]}", target="~2"),
        Row(f"cold build, {per} layouts x {n}, --jobs 1", sec(j1)),
        Row("cold build, --jobs 2 (ratio: speedup j1/j2)", sec(j2), sec(j1), f"{j1 / j2:.2f}x"),
        Row("no-op rebuild, whole process, median of 5", msec(noop * 1000),
            f"python start {msec(start * 1000)}", f"{noop / start:.1f}x"),
        Row("one-leaflet edit rebuild, default -j, median of 3", msec(edit * 1000),
            f"cold -j2 {sec(j2)}", f"{edit / j2:.2f}"),
        Row("one-leaflet edit rebuild, --jobs 1, median of 3",
            msec(statistics.median(res.edit_j1_s) * 1000), f"default -j {msec(edit * 1000)}",
            f"{statistics.median(res.edit_j1_s) / edit:.2f}"),
        Row(f"edit rebuilt exactly its outputs ({2 * ROUNDS} edits)",
            f"{built} built, {fresh} fresh", "", "", f"{per} built, {per * (n - 1)} fresh",
            verdict(res.edit_only_its_outputs)),
    ]


def floor_rows(res: Results) -> list[Row]:
    floor = statistics.mean(res.floor["ms"])
    inproc = statistics.mean(res.careleaf_a4["ms"])
    bare = statistics.mean(res.careleaf_a4["no_proofs_ms"])
    whole = res.cold_a4_j1_s * 1000 / res.n
    return [
        Row("floor: WeasyPrint alone, a4, warm, per leaflet (median run of 3)", msec(floor)),
        Row("careleaf a4 in-process render_task / leaflet (median run of 3)", msec(inproc),
            msec(floor), f"{inproc / floor:.2f}", "<= 1.10", verdict(inproc / floor <= 1.10)),
        Row("careleaf a4 cold build -j1, wall / N", msec(whole), msec(floor),
            f"{whole / floor:.2f}", "<= 1.10", verdict(whole / floor <= 1.10)),
        Row("  the same without PNG proofs (Task.proofs=False)", msec(bare), msec(floor),
            f"{bare / floor:.2f}", "<= 1.10", verdict(bare / floor <= 1.10)),
        Row("  of which: Jinja HTML / leaflet", msec(statistics.mean(res.careleaf_a4["html_ms"]))),
        Row("  of which: fsync'd atomic write / leaflet",
            msec(statistics.mean(res.careleaf_a4["write_ms"]))),
    ]


def peer_rows(res: Results) -> list[Row]:
    peer, both, j2 = res.peer_s, res.cold_a4_epub_j2_s, res.cold_j2_s
    steps = (res.peer_html_ms, res.peer_pdf_ms, res.peer_epub_ms)
    both_cpu, bare = res.cold_a4_epub_j2_cpu_s, res.cold_a4_epub_j2_bare_s
    return [
        Row(f"peer: pandoc+weasyprint+pandoc per file, {res.n} files", sec(peer)),
        Row("  per leaflet (median): pandoc html + weasyprint + pandoc epub",
            " + ".join(f"{statistics.median(ms):.0f}" for ms in steps) + " ms"),
        Row("throughput: careleaf cold a4+epub -j2 (peer/careleaf)", sec(both), sec(peer),
            f"{peer / both:.2f}x", ">= 4x", verdict(peer / both >= 4)),
        Row("  the same in CPU time, all processes (peer/careleaf)", sec(both_cpu),
            sec(res.peer_cpu_s), f"{res.peer_cpu_s / both_cpu:.2f}x"),
        Row("  the same with --no-proofs (peer/careleaf)", sec(bare), sec(peer),
            f"{peer / bare:.2f}x"),
        Row(f"throughput: careleaf cold, all {res.outputs_per_leaflet} layouts -j2 "
            "(peer/careleaf)", sec(j2), sec(peer), f"{peer / j2:.2f}x", ">= 4x",
            verdict(peer / j2 >= 4)),
        *epub_rows(res),
    ]


def epub_rows(res: Results) -> list[Row]:
    pandoc = statistics.median(res.peer_epub_ms)
    cold = statistics.median(res.cold_epub_s) * 1000 / res.n
    inproc = statistics.mean(res.careleaf_epub["ms"])
    return [
        Row("careleaf EPUB cold --layout epub (default -j), wall / N, median of 3", msec(cold),
            f"pandoc {msec(pandoc)}", f"{cold / pandoc:.2f}"),
        Row("careleaf EPUB in-process render_task / leaflet (median run)", msec(inproc),
            f"pandoc {msec(pandoc)}", f"{inproc / pandoc:.2f}", "<= 15 ms", verdict(inproc <= 15)),
    ]


def memory_rows(res: Results) -> list[Row]:
    small, big = res.cold_small_maxrss_kib, res.cold_j2_maxrss_kib
    return [
        Row(f"peak RSS (largest process), cold -j2, N={res.small_n}", mib(small)),
        Row(f"peak RSS (largest process), cold -j2, N={res.n}", mib(big), mib(small),
            f"{big / small:.2f}", "flat as N grows"),
    ]


def make_rows(res: Results) -> list[Row]:
    return [*build_rows(res), *floor_rows(res), *peer_rows(res), *memory_rows(res)]


def print_table(rows: list[Row]) -> None:
    header = Row("measurement", "value", "baseline", "ratio", "target", "pass/fail")
    table = [list(asdict(row).values()) for row in (header, *rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
              .rstrip())
        if index == 0:
            print("  ".join("-" * width for width in widths))


def machine_info(peer: bool = True) -> dict[str, Any]:
    """What ran the benchmark; pandoc's version only when the peer ran (``--part site``
    needs no pandoc)."""
    if peer:
        import pypandoc
    return {
        "cpu_count": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "careleaf": metadata.version("careleaf"),
        "weasyprint": metadata.version("weasyprint"), "ebooklib": metadata.version("ebooklib"),
        "pagefind": metadata.version("pagefind-bin-extended"),
        "pandoc": pypandoc.get_pandoc_version() if peer else None,
        "libharfbuzz_subset": ctypes.util.find_library("harfbuzz-subset"),
    }


def git_state() -> str | None:
    """The checkout's commit, with ``+changes`` when the working tree differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], text=True, capture_output=True,
                              check=True).stdout.strip()

    try:
        commit, dirty = git("rev-parse", "HEAD"), git("status", "--porcelain", "-uno")
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+changes" if dirty else "")


# --- The download site and its search (``--part site``) ------------------------------------

@dataclass
class SiteResults:
    n: int
    seed: int
    #: The cold EPUB build of the catalogue: the outputs the site offers.
    epub_build_s: float = 0.0
    #: ``bench_site.site_worker``'s report of each round.
    runs: list[dict[str, Any]] = field(default_factory=list)
    sizes: dict[str, Any] = field(default_factory=dict)
    #: ``bench_site.search_cost`` by language.
    cost: dict[str, dict[str, int]] = field(default_factory=dict)
    searches: list[dict[str, Any]] = field(default_factory=list)
    screenshot: str = ""


def measure_site(tmp: Path, n: int, seed: int) -> SiteResults:
    """The site of ``n`` synthetic leaflets, made ``ROUNDS`` times from nothing."""
    res = SiteResults(n, seed)
    root = tmp / "site-catalogue"
    synthetic.make_catalogue(root, n, seed=seed, layouts=("epub",))
    log(f"site catalogue: {n} leaflets in {root}")
    res.epub_build_s = cold_build(root, n).seconds
    res.runs = [worker("site", root, tmp / f"site-{index}", "site") for index in range(ROUNDS)]
    log("  site from nothing: " + ", ".join(sec(run["cold_s"]) for run in res.runs))
    folder = Path(res.runs[-1]["folder"])
    res.sizes = index_sizes(folder)
    res.cost = {lang: search_cost(folder, lang) for lang in ("en", "es")}
    shot = REPORT.with_name("bench-search.png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    res.searches, res.screenshot = browser_searches(folder, shot), str(shot)
    return res


def kib(size: float) -> str:
    return f"{size / 1024:.1f} KiB"


def site_rows(res: SiteResults) -> list[Row]:
    cold = statistics.median(run["cold_s"] for run in res.runs)
    search = statistics.median(run["search_s"] for run in res.runs)
    fresh = statistics.median(run["fresh_s"] for run in res.runs)
    sizes, page = res.sizes, res.sizes["pages_bytes"] / max(1, res.sizes["pages"])
    return [
        Row(f"site: EPUB build of {res.n} leaflets, cold, default -j", sec(res.epub_build_s)),
        Row(f"site: whole site from nothing, {sizes['pages']} leaflet pages (median of "
            f"{ROUNDS})", sec(cold), f"EPUB build {sec(res.epub_build_s)}",
            f"{cold / res.epub_build_s:.2f}"),
        Row("  of which: Pagefind indexing alone (search_index)", sec(search), sec(cold),
            f"{search / cold:.2f}"),
        Row("site: nothing changed, build_site again", msec(fresh * 1000), target="no remake",
            verdict=verdict(not any(run["fresh_remade"] for run in res.runs))),
        Row(f"search index on disk: pagefind/, {sizes['files']} files", kib(sizes["bytes"]),
            f"the pages {kib(sizes['pages_bytes'])}",
            f"{sizes['bytes'] / sizes['pages_bytes']:.2f}"),
        *(Row(f"  {kind} ({count} files)", kib(size))
          for kind, (size, count) in sizes["kinds"].items()),
        *search_rows(res, page),
    ]


def search_rows(res: SiteResults, page: float) -> list[Row]:
    """What one search costs a phone: summed from the files, and fetched by Chromium."""
    rows = []
    for lang, cost in res.cost.items():
        rows += [Row(f"one search, from the files ({lang}: every chunk of it, {RESULTS} "
                     "fragments)", kib(cost["total"]), f"a page {kib(page)}",
                     f"{cost['total'] / page:.1f}"),
                 Row("  " + ", ".join(f"{part} {kib(size)}" for part, size in cost.items()
                                      if not part.startswith("total")), ""),
                 Row("  the same from a host that gzips the scripts",
                     kib(cost["total_scripts_gzipped"]))]
    return rows + [
        Row(f"first search in Chromium, 390 px: '{found['query']}' ({found['lang']}), "
            f"{found['pagefind_requests']} files, {found['fragments']} fragments",
            kib(found["pagefind_bytes"]), f"a page {kib(page)}",
            f"{found['pagefind_bytes'] / page:.1f}") for found in res.searches]


def write_report(res: Results | None, site: SiteResults | None, rows: list[Row]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "n": res and res.n,
        "site_n": site and site.n, "machine": machine_info(peer=res is not None),
        "peer_pdf_variant": PDF_VARIANT,
        "rows": [asdict(row) for row in rows],
        "failed_targets": [row.measurement for row in rows if row.verdict == "FAIL"],
        "results": res and asdict(res), "site": site and asdict(site),
    }
    REPORT.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten: {REPORT}")


# --- Command line -----------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20, help="leaflets in the catalogue (20)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the catalogue (2026)")
    parser.add_argument("--site-n", type=int, default=200,
                        help="leaflets in the site's catalogue (200)")
    parser.add_argument("--part", choices=("all", "build", "site"), default="all",
                        help="the builds, the download site and its search, or both (all)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--layout", default="a4", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.n < 2 or args.site_n < 2:
        parser.error("--n and --site-n must be at least 2")
    return args


def run_worker(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(WORKERS[args.worker](args.root, args.out, args.layout)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    started, load, git = time.perf_counter(), os.getloadavg()[0], git_state()
    res, site = None, None
    try:
        with tempfile.TemporaryDirectory(prefix="careleaf-bench-") as tmp:
            if args.part in ("all", "build"):
                res = measure(Path(tmp), args.n, args.seed)
            if args.part in ("all", "site"):
                site = measure_site(Path(tmp), args.site_n, args.seed)
    except BenchError as exc:
        log(f"bench: error: {exc}")
        return 1
    rows = (make_rows(res) if res else []) + (site_rows(site) if site else [])
    print_table(rows)
    sizes = " and ".join([*([f"{res.n} leaflets built"] if res else []),
                          *([f"a site of {site.n}"] if site else [])])
    print(f"\n{sizes}, {os.cpu_count()} cores, {time.perf_counter() - started:.0f} s in all; "
          f"1-min load average before the run {load:.2f} (above ~0.3, other processes were "
          "sharing the machine and these timings are slower than it can do)")
    if git != git_state():
        print(f"warning: the checkout changed during the run ({git} -> {git_state()}): some "
              "numbers may come from different code")
    write_report(res, site, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
