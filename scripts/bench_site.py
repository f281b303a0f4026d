"""The download site's part of ``make bench`` (``--part site``): its search, at scale.

On a synthetic catalogue (``synthetic.py``: 200 leaflets by default, English and some
Spanish, built as EPUBs, the only outputs a site needs to look real: the download and
the cover it takes), ``bench.py`` measures, with the helpers here:

- the site stage, ``site.update.build_site`` (serve's preview: every page, the covers
  and thumbnails, the search index), from nothing and with nothing changed, in a fresh
  process (``site_worker``), and of it the Pagefind step alone (``search_index``);
- the index on disk: every file of ``pagefind/``, by kind (``index_sizes``);
- what one search costs a phone (``search_cost``): Pagefind's scripts (its script, its
  worker's and its entry file), its WebAssembly, the language's metadata, filters and
  index chunks, and the fragments of five results, summed from the files; and what
  Chromium really fetched for a few searches on the site's own search page, served
  over HTTP (``browser_searches``).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

import synthetic
from bench_report import REPORT, ROUNDS, Row, msec, sec, verdict
from careleaf.errors import Report
from careleaf.project import Project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Response

#: What readers of the synthetic catalogue might type: a topic many leaflets have, a
#: condition few have, a word of one section, and a Spanish one on the Spanish page.
QUERIES = (("en", "back pain"), ("en", "heel"), ("en", "inhaler"), ("es", "calambres"))
#: Results whose fragment a search page fetches, for the sum from the files.
RESULTS = 5
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
#: Pagefind's files by kind: how their names end.
KINDS = {"index chunks": ".pf_index", "fragments": ".pf_fragment", "filters": ".pf_filter",
         "metadata": ".pf_meta", "WebAssembly": ".pagefind", "scripts and entry": ""}


def site_worker(root: Path, _out: Path) -> dict[str, Any]:
    """``build_site`` from nothing, then again with nothing changed: seconds, and the
    Pagefind step's seconds (its function wrapped in a timer)."""
    started = time.perf_counter()
    from careleaf.site import pages
    from careleaf.site.update import record_path

    import_s = time.perf_counter() - started
    searches: list[float] = []
    # The name the site's pages call, timed where it is looked up.
    vars(pages)["search_index"] = _timed(vars(pages)["search_index"], searches)
    project, report = Project(root), Report()
    folder = project.build_dir / "preview"
    shutil.rmtree(folder, ignore_errors=True)
    record_path(folder).unlink(missing_ok=True)
    (made, cold), (_, fresh) = _site(project, report), _site(project, report)
    if made is None or report.errors or not searches:
        raise RuntimeError(f"the site was not made ({made}, {len(searches)} indexings): "
                           + "; ".join(map(str, report)))
    # Made again when nothing changed (careleaf's code edited meanwhile?): said, not hidden.
    return {"import_s": import_s, "cold_s": cold, "fresh_s": fresh, "search_s": searches[0],
            "fresh_remade": len(searches) > 1, "folder": str(made),
            "warnings": [str(d) for d in report.warnings]}


def _site(project: Project, report: Report) -> tuple[Path | None, float]:
    """serve's preview of the project, as a build brings it up to date; and its seconds
    (the layouts and brand read first, as the build has them)."""
    from careleaf.design.brand import DEFAULT_BRAND, load_brand
    from careleaf.design.layouts import load_layouts, select_layouts
    from careleaf.site.update import build_site

    layouts, brand = load_layouts(project, report), load_brand(project, DEFAULT_BRAND, report)
    if brand is None or "site" not in layouts:
        raise RuntimeError("no brand or no site layout: " + "; ".join(map(str, report)))
    offered = select_layouts(project, Report(), None, layouts)
    began = time.perf_counter()
    folder = build_site(project, report, brand, offered, site_layout=layouts["site"])
    return folder, time.perf_counter() - began


def _timed(function: Any, seconds: list[float]) -> Any:
    @functools.wraps(function)
    def timed(*args: Any) -> Any:
        began = time.perf_counter()
        try:
            return function(*args)
        finally:
            seconds.append(time.perf_counter() - began)
    return timed


def index_sizes(folder: Path) -> dict[str, Any]:
    """The bytes and number of the files of ``folder/pagefind`` in all and by kind, and
    the bytes of the leaflet pages they index."""
    files = [path for path in (folder / "pagefind").rglob("*") if path.is_file()]
    kinds = {kind: [p for p in files if _kind(p) == kind] for kind in KINDS}
    pages = [path for path in folder.glob("*/*/index.html")
             if path.parent.name not in ("a-z", "topics", "search")]
    return {"bytes": sum(p.stat().st_size for p in files), "files": len(files),
            "kinds": {kind: [sum(p.stat().st_size for p in found), len(found)]
                      for kind, found in kinds.items()},
            "pages": len(pages), "pages_bytes": sum(p.stat().st_size for p in pages)}


def _kind(path: Path) -> str:
    return next(kind for kind, end in KINDS.items() if path.name.endswith(end))


def search_cost(folder: Path, lang: str, results: int = RESULTS) -> dict[str, int]:
    """What one search on ``lang``'s page fetches, summed from the files: the upper bound
    of the index (every chunk of the language, where a search fetches only those of its
    words) and ``results`` fragments of the median size."""
    bundle = folder / "pagefind"

    def size(*patterns: str) -> int:
        return sum(p.stat().st_size for pattern in patterns for p in bundle.glob(pattern))

    wasm = f"wasm.{lang}.pagefind" if (bundle / f"wasm.{lang}.pagefind").is_file() else \
        "wasm.unknown.pagefind"
    fragments = sorted(p.stat().st_size for p in bundle.glob(f"fragment/{lang}_*"))
    cost = {"scripts": size("pagefind.js", "pagefind-worker.js", "pagefind-entry.json"),
            "wasm": size(wasm),
            "metadata": size(f"pagefind.{lang}_*.pf_meta"),
            "index chunks": size(f"index/{lang}_*"), "filters": size(f"filter/{lang}_*"),
            "fragments": round(statistics.median(fragments) * results) if fragments else 0}
    # The scripts are the only files not compressed already: a host that gzips them sends
    # about a quarter (the WebAssembly, chunks and fragments are gzip files themselves).
    scripts = sum(len(gzip.compress(path.read_bytes())) for path in bundle.glob("pagefind*.js*"))
    total = sum(cost.values())
    return {**cost, "total": total, "total_scripts_gzipped": total - cost["scripts"] + scripts}


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on a free local port, as a static host serves the site."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def browser_searches(folder: Path, screenshot: Path | None = None) -> list[dict[str, Any]]:
    """Each of ``QUERIES`` typed into its language's search page in Chromium with a
    phone's screen, in a fresh context (a phone's first search): the results shown, and
    the bytes fetched from ``pagefind/`` (and in all, the page included). The first
    search's screen goes to ``screenshot``, if given."""
    from playwright.sync_api import sync_playwright

    with serving(folder) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        found = [_search(browser, f"{base}{lang}/search/?q={quote_plus(words)}",
                         screenshot if index == 0 else None) | {"lang": lang, "query": words}
                 for index, (lang, words) in enumerate(QUERIES)]
        browser.close()
    return found


def _search(browser: Browser, address: str, screenshot: Path | None) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(address)
    page.wait_for_selector("#search-results li", timeout=30_000)
    page.wait_for_load_state("networkidle")
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    fetched = {response.url: len(response.body()) for response in responses}
    shown = page.locator("#search-results li").count()
    context.close()
    return _fetched(fetched, shown)


def _fetched(fetched: dict[str, int], shown: int) -> dict[str, Any]:
    bundle = {url: size for url, size in fetched.items() if "/pagefind/" in url}
    return {"results_shown": shown,
            "pagefind_bytes": sum(bundle.values()), "pagefind_requests": len(bundle),
            "fragments": sum(1 for url in bundle if url.endswith(".pf_fragment")),
            "all_bytes": sum(fetched.values()), "requests": len(fetched)}


# --- The part's measurements and rows in the report -----------------------------------------

@dataclass
class SiteResults:
    n: int
    seed: int
    #: The cold EPUB build of the catalogue: the outputs the site offers.
    epub_build_s: float = 0.0
    #: ``site_worker``'s report of each round.
    runs: list[dict[str, Any]] = field(default_factory=list)
    sizes: dict[str, Any] = field(default_factory=dict)
    #: ``search_cost`` by language.
    cost: dict[str, dict[str, int]] = field(default_factory=dict)
    searches: list[dict[str, Any]] = field(default_factory=list)
    screenshot: str = ""


def measure_site(tmp: Path, n: int, seed: int, cold_build: Callable[[Path, int], float],
                 worker: Callable[[Path, Path], dict[str, Any]]) -> SiteResults:
    """The site of ``n`` synthetic leaflets, made ``ROUNDS`` times from nothing, its
    EPUBs built first by ``cold_build`` and each round run by ``worker`` (bench.py's)."""
    res = SiteResults(n, seed)
    root = tmp / "site-catalogue"
    synthetic.make_catalogue(root, n, seed=seed, layouts=("epub",))
    res.epub_build_s = cold_build(root, n)
    res.runs = [worker(root, tmp / f"site-{index}") for index in range(ROUNDS)]
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
        *_search_rows(res, page),
    ]


def _search_rows(res: SiteResults, page: float) -> list[Row]:
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
