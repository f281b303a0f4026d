"""serve's rebuilds, in the order the writer looks at them.

After a save of a few leaflets (``QUICK_MAX`` at most: more is a checkout, not a
writer), each is shown as soon as it can be: first its web page (``_pages``: loaded,
checked against its original, and its page alone rendered into the preview among the
site's other entries, in milliseconds), or its errors over the last good page; then
its first PDF layout (``_first_pdfs``: the A4, built as ``careleaf build`` builds it,
in this process, whose renderer is warm), with the page again so it offers it; then
everything else (``_everything``): the other layouts, the proofs and the rest of the
site, by the same incremental build as ``careleaf build``. An edit to a layout or the
configuration goes straight to that last step.

A newer save supersedes the work still pending: each step asks ``superseded`` before it
starts, and the last build stops handing out tasks once it says so (those running end
and are recorded against the inputs they were made from, so nothing is recorded
fresh that is not). The caller then starts again with every path changed since.
Between the steps the downloads the page offers may be older than its text: a preview
of a moment, never the published site, which only ``careleaf build`` makes.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from careleaf.design.brand import DEFAULT_BRAND, Brand
from careleaf.design.layouts import Layout, select_layouts
from careleaf.errors import CareleafError, Report, display_path, print_diagnostics
from careleaf.formats.job import Job
from careleaf.pipeline.build import BuildResult, Runner, build
from careleaf.pipeline.make import publishable
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.tasks import RenderWork, make_output
from careleaf.project import Project
from careleaf.site.model import SITE_LAYOUT, Entry, Original, site_dir
from careleaf.site.pages import entry_of, leaflet_entries, leaflet_page, original_of
from careleaf.site.update import update_preview, write_files
from careleaf.source.images import IMAGE_TYPES
from careleaf.source.load import load_leaflet
from careleaf.source.model import Leaflet

#: The most leaflets of one save shown one by one before the rest is built.
QUICK_MAX = 4
#: Called after each step with the errors now, as the build prints them, and the files
#: of the site it wrote (None: any may have changed).
Show = Callable[[tuple[str, ...], list[Path] | None], None]


@dataclass(frozen=True)
class Settings:
    """What to build: the same choices ``careleaf build`` is given."""

    layouts: list[str] | None = None
    brand: str = DEFAULT_BRAND
    proofs: bool = True
    jobs: int | None = None


class Rebuilds:
    """The preview of one project, brought up to date after each save."""

    def __init__(self, project: Project, settings: Settings,
                 superseded: Callable[[], bool]) -> None:
        self.project, self.settings, self.superseded = project, settings, superseded
        #: Told of the errors after each step (serve shows them over the pages).
        self.show: Show = lambda problems, touched: None
        self.folder = site_dir(project, settings.brand, preview=True)
        self._result = BuildResult()
        #: The site's entries (by source) as the last remade site had them; None: unknown.
        self._entries: dict[Path, Entry] | None = None
        #: Each leaflet whose page was shown since the last build, and its original.
        self._shown: dict[Path, tuple[Leaflet, Original | None]] = {}
        #: The errors of the last build, and those of the sources loaded since, by source.
        self._problems: dict[Path, list[str]] = {}
        #: The files of the last save: their errors are listed first.
        self._saved: set[Path] = set()
        #: Read once: a page of an edit offers its downloads as they are on disk (a big
        #: project's manifest costs milliseconds to read).
        self._manifest = Manifest(project)

    @property
    def problems(self) -> tuple[str, ...]:
        """The errors now, as the build prints them: those of the files just saved first
        (others, such as a translation that cannot be compared with them, follow)."""
        first = sorted(self._problems, key=lambda path: (path not in self._saved, path))
        return tuple(line for path in first for line in self._problems[path])

    def first(self) -> Path:
        """The first build, its site made whatever its errors; then what the first save
        needs is readied: the site's entries, and the renderer, by a first A4 made in
        memory (WeasyPrint imported, fonts, stylesheets and templates loaded)."""
        self._everything(first=True)
        if self._drawn():
            self._warm_up()
        return self.folder

    def after(self, changed: set[Path]) -> bool:
        """Bring the preview up to date after ``changed``; False if a newer save
        superseded the work before it was done."""
        edited, self._saved = self._edited(changed), changed
        if edited:
            self._pages(edited)
            if self.superseded():
                return False
            self._first_pdfs(edited)
            if self.superseded():
                return False
        return self._everything()

    def _edited(self, changed: set[Path]) -> list[Path]:
        """The leaflets saved, if that is all that changed (and the site can be drawn).
        An editor's temporary file, gone by now, is no change (sed, vim and others save
        through one)."""
        source_dir = self.project.source_dir
        changed = {path for path in changed
                   if path.exists() or not _temporary(path, source_dir)}
        sources = [path for path in changed if path.suffix == ".md" and path.is_file()
                   and path.is_relative_to(self.project.source_dir)]
        quick = self._drawn() and len(sources) == len(changed) <= QUICK_MAX
        return sorted(sources) if quick else []

    def _drawn(self) -> bool:
        """Whether a page can be drawn: the brand and the site layout load."""
        return self._result.brand is not None and SITE_LAYOUT in self._result.layouts

    def _pages(self, edited: list[Path]) -> None:
        """Each saved leaflet's web page, or its errors over the last good one."""
        self._shown.clear()
        touched: list[Path] = []
        for path in edited:
            started, report = time.perf_counter(), Report()
            leaflet = load_leaflet(path, self.project, report)
            leaflets, statuses = publishable(self.project, [leaflet] if leaflet else [],
                                             report, self._result.brand)
            self._problems[path] = [str(d) for d in report.errors]
            if not leaflets:
                _print(report)
                continue
            listed = {entry.leaflet.path.resolve() for entry in self._known().values()}
            self._shown[path] = (leaflets[0], original_of(statuses.get(path), listed))
            if (written := self._page(path)) is not None:
                touched += written
                _say(f"Page updated: {display_path(path)}", started)
        self.show(self.problems, touched)

    def _page(self, path: Path) -> list[Path] | None:
        """The leaflet's page among the site's entries, with its downloads as they are;
        the files written, or None after an error (a mistake in the site's templates, a
        full disk), which is shown with the leaflet's."""
        brand, offered, site_layout = self._site_parts()
        leaflet, original = self._shown[path]
        entries = self._known()
        entries[path] = entry = entry_of(self._manifest, Report(), brand, offered, leaflet,
                                         original, as_on_disk=True)
        report = Report()
        try:
            files = leaflet_page(brand, site_layout, list(entries.values()), entry)
            write_files(self.folder, files)
            return [self.folder / name for name in files]
        except CareleafError as exc:
            report.extend(exc.report)
        except OSError as exc:
            report.error(self.folder, None, f"could not be written ({exc.strerror or exc}); "
                         "free some space, or check the folder's permissions, and save again")
        self._problems[path] = [*self._problems.get(path, []), *map(str, report.errors)]
        _print(report)
        return None

    def _first_pdfs(self, edited: list[Path]) -> None:
        """Each saved leaflet's first PDF layout (the A4) made, in this process, then its
        page again, offering it."""
        printed = [layout for layout in self._layouts() if layout.format == "pdf"]
        touched: list[Path] = []
        for path in (path for path in edited if path in self._shown):
            leaflet = self._shown[path][0]
            layout = next((layout for layout in printed if leaflet.wants(layout.name)), None)
            if layout is None:
                continue
            started, report = time.perf_counter(), Report()
            result = build(self.project, report, layout_names=[layout.name], sources=[path],
                           brand_name=self.settings.brand, proofs=False, jobs=1)
            if report.errors:
                self._problems[path] = [str(d) for d in report.errors]
                _print(report)
            for target in result.built:
                touched += self._page(path) or []
                _say(f"{layout.name} updated: {display_path(target)}", started)
        self.show(self.problems, touched)

    def _everything(self, first: bool = False) -> bool:
        """Everything else, as ``careleaf build`` makes it, then the site; False if a
        newer save stopped it. After the first, a build with errors leaves the site as
        it was (it would drop the leaflet that failed, and the page being fixed)."""
        report, started = Report(), time.perf_counter()
        runner = Runner(self.settings.jobs, stop=None if first else self.superseded)
        result = build(self.project, report, layout_names=self.settings.layouts,
                       brand_name=self.settings.brand, proofs=self.settings.proofs,
                       runner=runner)
        self._result = result
        if result.stopped:
            _say(f"Superseded by a newer save after {len(result.built)} built", started)
            return False
        kept = bool(report.errors) and not first
        if not kept:
            update_preview(self.project, report, result, seen=self._seen)
        _print(report)
        click.echo(f"{len(result.built)} built, {len(result.fresh)} up to date, "
                   f"{len(result.failed)} failed in {time.perf_counter() - started:.2f} s; "
                   f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
                   + ("; still serving the last good site" if kept else ""))
        self._problems = {}
        for diagnostic in sorted(report.errors, key=lambda d: d.location.line or 0):
            self._problems.setdefault(diagnostic.location.path, []).append(str(diagnostic))
        self.show(self.problems, None)
        return True

    def _seen(self, entries: list[Entry]) -> None:
        self._entries = {entry.leaflet.path: entry for entry in entries}

    def _warm_up(self) -> None:
        """A leaflet's page and its first PDF layout made in memory, in this process (the
        templates compiled, WeasyPrint imported, fonts and stylesheets loaded): the first
        save's page and PDF then cost what every other one's do."""
        printed = [layout for layout in self._layouts() if layout.format == "pdf"]
        entries = list(self._known().values())
        if not entries:
            return
        brand, _, site_layout = self._site_parts()
        with contextlib.suppress(CareleafError):  # the builds say what is wrong
            leaflet_page(brand, site_layout, entries, entries[0])
            if printed:
                job = Job(self.project, entries[0].leaflet, printed[0],
                          brand.in_language(entries[0].leaflet.lang))
                make_output(RenderWork(job, self.folder / "warm-up"), {}, Report())

    def _layouts(self) -> list[Layout]:
        """The layouts built: those given, else the configured ones."""
        return select_layouts(self.project, Report(), self.settings.layouts,
                              self._result.layouts)

    def _site_parts(self) -> tuple[Brand, list[Layout], Layout]:
        """The brand, the layouts the site offers (every configured one) and its own."""
        result = self._result
        assert result.brand is not None  # checked by ``_edited``
        offered = [layout for layout in select_layouts(self.project, Report(), None,
                                                       result.layouts) if layout.format]
        return result.brand, offered, result.layouts[SITE_LAYOUT]

    def _known(self) -> dict[Path, Entry]:
        """The site's entries: those of the last remade site, else read now (once)."""
        if self._entries is None:
            brand, offered, _ = self._site_parts()
            self._entries = {entry.leaflet.path: entry for entry in leaflet_entries(
                Manifest(self.project), Report(), brand, offered, self.project.sources())}
        return self._entries


def _temporary(gone: Path, source_dir: Path) -> bool:
    """Whether ``gone``, a path no longer there, was nothing a build reads: in
    ``source/``, anything but a source or an image (elsewhere any file may be a layout's)."""
    return gone.is_relative_to(source_dir) and gone.suffix.lower() not in (".md",
                                                                           *IMAGE_TYPES)


def _print(report: Report) -> None:
    print_diagnostics(report, lambda line: click.echo(line, err=True), click.echo)


def _say(what: str, started: float) -> None:
    click.echo(f"{what} in {time.perf_counter() - started:.2f} s")
