"""The benchmark behind ``make bench``: careleaf against its floor and its peer, in one run.

It writes a synthetic catalogue of N two-page leaflets (``bench_catalogue``) into a
temporary project, then measures, each whole command in a fresh process:

- cold builds with ``--jobs 1`` and ``--jobs 2`` (the catalogue's layouts, as
  ``[tool.careleaf]`` lists them), no-op rebuilds (also of a catalogue of
  ``--noop-n`` leaflets) and a one-leaflet edit;
- the floor: careleaf's own a4 HTML laid out by WeasyPrint alone, against the a4
  render task of a default build and its proofs' task (in-process, ``bench_workers``;
  wall and CPU time), and against a whole cold a4 build per leaflet. Proofs are part
  of every default build (a later tier: ``formats.proofs``), so the render's ratio
  is shown with them too;
- the peer: per file, ``pandoc`` to HTML, ``weasyprint`` to PDF, ``pandoc`` to EPUB,
  against careleaf building the same two outputs (wall and CPU time); without
  Pandoc, a lower bound of the peer (a new Python importing WeasyPrint per file);
- careleaf's EPUB: a cold EPUB-only build per leaflet, and in-process the A4 laid
  out alone and the EPUB task given its page starts;
- the peak memory of cold builds at N/4 and N, and of cold a4 + EPUB builds at the
  ``--memory-n`` sizes;
- the download site of a bigger catalogue (``--site-n``, 200 leaflets from
  ``synthetic.py``): its making, its search index (time, size on disk) and what one
  search costs a phone (``bench_site``);
- the live preview, ``careleaf serve``, on the repository's leaflet and its
  translations: from a one-word save of the English original to its web page and its
  A4 PDF showing it over HTTP, against the watcher's own latency and WeasyPrint alone
  on that leaflet, and the translations' outputs that edit rebuilt (``bench_serve``).
  ``--part build``, ``--part site`` or ``--part serve`` runs one part only.

It prints a table (measurement, value, baseline, ratio, target, verdict), the
issue's targets last, and writes ``build/bench.json`` (``bench_report``). A missed
target is FAIL, never hidden; n/a when its baseline cannot be measured here. The
exit code is 0 for a complete report and non-zero only when something broke.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_catalogue import edit_one_sentence, make_project, subset_project
from bench_report import ROUNDS, Results, git_state, make_rows, print_table, write_report
from bench_serve import SERVE_ROUNDS, ServeResults, measure_serve, serve_rows
from bench_site import SiteResults, measure_site, site_rows, site_worker
from bench_workers import PDF_VARIANT, WORKERS, BenchError
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.project import Project

SUMMARY_RE = re.compile(r"(\d+) built, (\d+) up to date, (\d+) failed[;,\w ]* in")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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


def run(cmd: list[str], *, check: bool = True) -> Run:
    """Run ``cmd`` to completion: wall time (perf_counter) and peak RSS from wait4; unless
    ``check`` is off, a non-zero exit is an error."""
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
    if check and proc.returncode != 0:
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


def worker(kind: str, root: Path, out: Path) -> dict[str, Any]:
    """An in-process measurement (``bench_workers``) run in a process of its own."""
    result = run([sys.executable, str(Path(__file__).resolve()), "--worker", kind,
                  "--root", str(root), "--out", str(out)])
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    report["process_s"] = result.seconds
    return report


# --- Measurements -----------------------------------------------------------------------

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
    runs: dict[str, list[dict[str, Any]]] = {"floor": [], "careleaf": [], "epub": []}
    for index in range(ROUNDS):
        for kind, found in runs.items():
            found.append(worker(kind, root, scratch / f"{kind}-{index}"))
    res.floor, res.careleaf_a4, res.careleaf_epub = (median_run(runs[key])
                                                     for key in ("floor", "careleaf", "epub"))
    for name, chosen in (("floor (WeasyPrint alone)", res.floor),
                         ("careleaf a4 render task", res.careleaf_a4),
                         ("careleaf epub task, page starts known", res.careleaf_epub)):
        log(f"  {name}: " + ", ".join(f"{m:.1f}" for m in chosen["run_means_ms"])
            + " ms/leaflet")


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median mean time per leaflet, with every run's mean alongside."""
    ordered = sorted(runs, key=lambda run: statistics.mean(run["ms"]))
    chosen = dict(ordered[len(ordered) // 2])
    chosen["run_means_ms"] = [statistics.mean(run["ms"]) for run in runs]
    return chosen


def measure_peer(root: Path, sources: list[Path], out: Path, res: Results) -> None:
    """The per-file route: pandoc to HTML, weasyprint to PDF, pandoc to EPUB, one at a time
    (without Pandoc, ``measure_peer_floor`` alone gives a lower bound of it)."""
    try:
        import pypandoc

        pandoc = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        log("  peer route: not measured (pypandoc-binary is not installed)")
        return
    res.peer_available, started = True, time.perf_counter()
    styles = [arg for path in load_layouts(Project(root), Report())["a4"].stylesheets
              for arg in ("-s", str(path))]
    out.mkdir(parents=True)
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


def measure_peer_floor(sources: list[Path], res: Results) -> None:
    """Per file, a new Python that imports WeasyPrint: less than the peer's PDF step
    alone, so careleaf's throughput against it is a lower bound of the real ratio."""
    code = "import weasyprint"
    res.peer_floor_ms = [run([sys.executable, "-c", code]).seconds * 1000 for _ in sources]
    log(f"  peer lower bound: {sum(res.peer_floor_ms) / 1000:.2f} s for {len(sources)} files")


def measure_noop_big(tmp: Path, n: int, seed: int, res: Results) -> None:
    """No-op rebuilds of a catalogue of ``n`` leaflets, after one untimed build."""
    res.noop_n = n
    root = tmp / f"noop-{n}"
    sources = make_project(root, n, seed)
    expected = len(buildable_layouts(root)) * n
    built = run([sys.executable, "-m", "careleaf", "build", "-C", str(root), "-j2"], check=False)
    # A leaflet some layout refuses (large print cuts off a long review date) would be
    # tried again by every rebuild: it takes the text of one that built.
    failed = {line.split("/")[-2] for line in built.stdout.splitlines()
              if line.startswith("failed ")}
    for source in (source for source in sources if source.stem in failed):
        log(f"  no-op catalogue: {source.stem} failed to build; given {sources[0].stem}'s text")
        shutil.copyfile(sources[0] if sources[0].stem not in failed else sources[-1], source)
    if failed:
        careleaf_build(root, "-j2")
    for _ in range(5):
        result = careleaf_build(root)
        if summary(result) != (0, expected, 0):
            raise BenchError(f"the no-op rebuild of {n} did work: {summary(result)}")
        res.noop_big_s.append(result.seconds)
    log(f"  no-op rebuild of {n}: {statistics.median(res.noop_big_s) * 1000:.0f} ms")


def measure_dask(tmp: Path, n: int, seed: int, res: Results) -> None:
    """Cold a4 + EPUB builds of ``n`` leaflets, in turn: the local executor with 2 jobs,
    and a ``LocalCluster`` of 2 single-threaded worker processes (its start included)."""
    res.dask_n = n
    root = tmp / f"dask-{n}"
    make_project(root, n, seed)
    both = ("--layout", "a4", "--layout", "epub")
    for _ in range(2):
        res.dask_local_s.append(careleaf_build(root, "-j2", *both, cold=True).seconds)
        res.dask_s.append(careleaf_build(root, "-j2", "--scheduler", "local", *both,
                                         cold=True).seconds)
    shutil.rmtree(root)
    log(f"  cold a4+epub of {n}: local {statistics.median(res.dask_local_s):.1f} s, "
        f"Dask LocalCluster {statistics.median(res.dask_s):.1f} s")


def measure_memory(tmp: Path, sizes: list[int], seed: int, res: Results) -> None:
    """Peak RSS of a cold a4 + EPUB build (proofs included) at each catalogue size."""
    for n in sizes:
        root = tmp / f"memory-{n}"
        make_project(root, n, seed)
        result = cold_build(root, 2 * n, "--jobs", "2", "--layout", "a4", "--layout", "epub")
        res.memory_kib[str(n)] = result.maxrss_kib
        shutil.rmtree(root)
        log(f"  peak RSS, a4 + epub, N={n}: {result.maxrss_kib / 1024:.0f} MiB")


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


def measure(tmp: Path, args: argparse.Namespace) -> Results:
    started, n = time.perf_counter(), args.n
    res = Results(n, args.seed, load_start=os.getloadavg()[0], git_start=git_state())
    root = tmp / "catalogue"
    sources = make_project(root, n, args.seed)
    res.layouts = buildable_layouts(root)
    res.outputs_per_leaflet = len(res.layouts)
    log(f"catalogue: {n} leaflets in {root}")
    warm_up(tmp, sources)
    measure_in_process(root, tmp / "scratch", res)
    measure_cold_builds(root, res)  # ends with a full --jobs 2 build: the state rebuilds need
    count_pages(root, res)
    measure_rebuilds(root, sources, res)
    measure_small(tmp, sources, res)
    measure_peer_floor(sources, res)
    measure_peer(root, sources, tmp / "peer", res)
    measure_noop_big(tmp, args.noop_n, args.seed, res)
    measure_memory(tmp, args.memory_n, args.seed, res)
    measure_dask(tmp, args.dask_n, args.seed, res)
    res.load_end = os.getloadavg()[0]
    res.bench_s = time.perf_counter() - started
    res.git_end = git_state()
    return res


def measure_site_part(tmp: Path, n: int, seed: int) -> SiteResults:
    """The download site of ``n`` synthetic leaflets (``bench_site``)."""
    log(f"site catalogue: {n} leaflets")
    site = measure_site(tmp, n, seed, lambda root, count: cold_build(root, count).seconds,
                        lambda root, out: worker("site", root, out))
    log("  site from nothing: " + ", ".join(f"{run['cold_s']:.2f} s" for run in site.runs))
    return site


def measure_serve_part(tmp: Path, rounds: int) -> ServeResults:
    """``careleaf serve`` on the repository's leaflets: ``rounds`` edits (``bench_serve``)."""
    log(f"serve: {rounds} edits of the repository's leaflet, after a warm-up edit")

    def build(root: Path) -> float:
        result = careleaf_build(root)
        built, _, failed = summary(result)
        if failed or not built:
            raise BenchError(f"the build before serve: {summary(result)}\n{result.stdout}")
        return result.seconds

    serve = measure_serve(tmp, build, lambda root, out: worker("floor", root, out), rounds)
    log(f"  serve part: {serve.part_s:.0f} s")
    return serve


# --- Command line -----------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=20, help="leaflets in the catalogue (20)")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the catalogue (2026)")
    # The sizes by default: no-op rebuilds and Dask at 100, memory 100 -> 1,000.
    parser.add_argument("--noop-n", type=int, default=100,
                        help="leaflets of the no-op rebuild's target (100)")
    parser.add_argument("--memory-n", type=int, nargs=2, metavar=("SMALL", "LARGE"),
                        default=[100, 1000],
                        help="catalogue sizes whose peak memory is compared (100 1000)")
    parser.add_argument("--dask-n", type=int, default=100,
                        help="leaflets of the Dask LocalCluster against local comparison (100)")
    parser.add_argument("--site-n", type=int, default=200,
                        help="leaflets in the site's catalogue (200)")
    parser.add_argument("--serve-rounds", type=int, default=SERVE_ROUNDS,
                        help=f"edits measured in careleaf serve ({SERVE_ROUNDS})")
    parser.add_argument("--part", choices=("all", "build", "site", "serve"), default="all",
                        help="the builds, the download site and its search, the live "
                        "preview (serve), or all of them (all)")
    parser.add_argument("--worker", choices=sorted([*WORKERS, "site"]), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.n < 2 or args.site_n < 2:
        parser.error("--n and --site-n must be at least 2")
    if args.serve_rounds < 1:
        parser.error("--serve-rounds must be at least 1")
    return args


def run_worker(args: argparse.Namespace) -> int:
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps({**WORKERS, "site": site_worker}[args.worker](args.root, args.out)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args)
    started, load, git = time.perf_counter(), os.getloadavg()[0], git_state()
    res, site, serve = None, None, None
    try:
        with tempfile.TemporaryDirectory(prefix="careleaf-bench-") as tmp:
            if args.part in ("all", "build"):
                res = measure(Path(tmp), args)
            if args.part in ("all", "site"):
                site = measure_site_part(Path(tmp), args.site_n, args.seed)
            if args.part in ("all", "serve"):
                serve = measure_serve_part(Path(tmp), args.serve_rounds)
    except BenchError as exc:
        log(f"bench: error: {exc}")
        return 1
    rows = ((make_rows(res) if res else []) + (site_rows(site) if site else [])
            + (serve_rows(serve) if serve else []))
    print_table(rows)
    sizes = " and ".join([*([f"{res.n} leaflets built"] if res else []),
                          *([f"a site of {site.n}"] if site else []),
                          *([f"{len(serve.rounds)} edits in serve"] if serve else [])])
    print(f"\n{sizes}, {os.cpu_count()} cores, {time.perf_counter() - started:.0f} s in all; "
          f"1-min load average {load:.2f} before the run, {os.getloadavg()[0]:.2f} after "
          "(above ~0.3, other processes were sharing the machine: compare ratios, not times)")
    if git != git_state():
        print(f"warning: the checkout changed during the run ({git} -> {git_state()}): some "
              "numbers may come from different code")
    write_report(res, rows, PDF_VARIANT, site, serve)
    return 0

if __name__ == "__main__":
    sys.exit(main())
