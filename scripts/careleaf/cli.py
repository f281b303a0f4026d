"""The command line: ``careleaf build``, ``check``, ``layouts`` and ``serve``.

Each command finds the project, runs one stage, prints every diagnostic as
``path:line: severity: message`` to stderr and exits 0 when clean, 1 on errors
(or on warnings with ``--strict``), 2 on a usage mistake. A user's mistake never
ends in a traceback; a traceback means a bug in careleaf.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

from careleaf import __version__
from careleaf.check.gates import SKIPPABLE
from careleaf.check.reports import CheckRun, print_summary, write_reports
from careleaf.check.runner import run_checks
from careleaf.design.layouts import load_layouts
from careleaf.errors import CareleafError, Report, display_path, print_diagnostics
from careleaf.files import writing_under
from careleaf.i18n.catalogue import update_template
from careleaf.pipeline.build import Progress
from careleaf.pipeline.build import build as run_build
from careleaf.project import Project
from careleaf.site.publish import update_site
from careleaf.site.serve import Settings
from careleaf.site.serve import serve as run_serve

project_option = click.option(
    "-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("."), show_default=True, help="The project folder (or any folder inside it).")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
layout_option = click.option("--layout", "layouts", multiple=True, metavar="NAME",
                             help="Only this layout (repeatable). Default: every layout.")
brand_option = click.option("--brand", default="default", show_default=True, metavar="NAME",
                            help="The clinic brand, layouts/brands/NAME.yml. Outputs of a "
                                 "brand other than the default go to build/brands/NAME/.")
sources_argument = click.argument("sources", nargs=-1,
                                  type=click.Path(dir_okay=False, path_type=Path))


class _Commands(click.Group):
    """careleaf's commands; an I/O error no stage could report at its file (a disk that
    filled up, a folder that went away) ends as one ``path: error:`` line, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            where = display_path(exc.filename) if isinstance(exc.filename, str) else "careleaf"
            click.echo(f"{where}: error: {exc.strerror or exc}; outputs written before this "
                       "are intact (free some space, or check the folder, and run it again)",
                       err=True)
            sys.exit(1)


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="careleaf")
def main() -> None:
    """careleaf: patient-information leaflets as print-ready PDF and accessible EPUB."""


def _project(folder: Path) -> Project:
    try:
        return Project.find(folder)
    except CareleafError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def _finish(report: Report, strict: bool, summary: str,
            before_summary: Callable[[], None] | None = None) -> None:
    print_diagnostics(report, lambda line: click.echo(line, err=True))
    if before_summary:
        before_summary()
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    click.echo(f"{summary}; {counts}" if len(report) else summary)
    sys.exit(1 if report.failed(strict) else 0)


def _sources(project: Project, sources: tuple[Path, ...]) -> list[Path] | None:
    """SOURCES as given, each of which must be a ``source/<lang>/<id>.md`` of the project.

    Only the folder is resolved: a source that is a link (out of the project, to
    another source) keeps its name, and the stages that read it say what it is.
    """
    chosen = [path.absolute().parent.resolve() / path.name for path in sources]
    for path in chosen:
        if path.parent.parent != project.source_dir.resolve() or path.suffix != ".md":
            raise click.BadParameter(f"{display_path(path)} is not a source/<lang>/<id>.md "
                                     f"file of the project at {display_path(project.root)}",
                                     param_hint="SOURCES")
    return chosen or None


@main.command()
@project_option
@layout_option
@sources_argument
@brand_option
@click.option("--print-ready", is_flag=True,
              help="Also write print-shop PDFs (3 mm bleed, crop marks) under print/.")
@click.option("--proofs/--no-proofs", default=True, show_default=True,
              help="Write PNG pictures of every PDF page under proofs/.")
@click.option("--force", is_flag=True, help="Rebuild even the outputs that are up to date.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for rendering. Default: the number of cores.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
@click.option("--site/--no-site", default=True, show_default=True,
              help="Then update the download site and OPDS catalogue in build/site/.")
@strict_option
def build(project_dir: Path, layouts: tuple[str, ...], sources: tuple[Path, ...], brand: str,
          print_ready: bool, proofs: bool, force: bool, jobs: int | None, quiet: bool,
          site: bool, strict: bool) -> None:
    """Build every leaflet (or SOURCES) in every layout, skipping what is up to date."""
    project, report, started = _project(project_dir), Report(), time.perf_counter()
    with _progress(quiet) as progress:
        result = run_build(project, report, layout_names=list(layouts) or None,
                           sources=_sources(project, sources), brand_name=brand,
                           print_ready=print_ready, proofs=proofs, force=force, jobs=jobs,
                           progress=progress)
        if site:
            update_site(project, report, result, progress)
    _finish(report, strict, f"{len(result.built)} built, {len(result.fresh)} up to date, "
            f"{len(result.failed)} failed in {time.perf_counter() - started:.2f} s")


@contextmanager
def _progress(quiet: bool) -> Iterator[Progress]:
    """A progress bar on a terminal; one plain line per output elsewhere (CI logs)."""
    if quiet or not sys.stdout.isatty() or os.environ.get("CI") or os.environ.get("NO_COLOR"):
        def line(path: Path, status: str, seconds: float) -> None:
            if not quiet and status != "fresh":
                click.echo(f"{status:6} {display_path(path)} ({seconds:.2f} s)")
        yield line
        return
    from rich.progress import Progress as Bar

    with Bar(transient=True) as bar:
        task = bar.add_task("building", total=None)

        def advance(path: Path, status: str, seconds: float) -> None:
            if status == "failed":
                bar.console.print(f"failed {display_path(path)}")
            bar.update(task, advance=1, description=f"{status} {path.name}")
        yield advance


@main.command()
@project_option
@layout_option
@sources_argument
@brand_option
@click.option("--epubcheck/--no-epubcheck", default=False,
              help="Also validate every EPUB with EPUBCheck (needs Java; ~3 s per EPUB).")
@click.option("--ace/--no-ace", default=False,
              help="Also check every EPUB's accessibility with DAISY Ace (needs Node.js and "
                   "Chromium; ~3 s per EPUB). Every Ace violation is an error.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Compare review dates with this date (YYYY-MM-DD) instead of the clock, "
                   "so CI results do not change overnight.")
@click.option("--reports/--no-reports", default=True, show_default=True,
              help="Write build/reports/check.json and build/reports/junit.xml.")
@click.option("--skip", "skipped", multiple=True, type=click.Choice(SKIPPABLE),
              help="Leave out one of the content gates (repeat for more), e.g. while drafting.")
@strict_option
def check(project_dir: Path, layouts: tuple[str, ...], sources: tuple[Path, ...], brand: str,
          epubcheck: bool, ace: bool, today: datetime | None, reports: bool,
          skipped: tuple[str, ...], strict: bool) -> None:
    """Validate the sources, run the content quality gates, and prove every cause and
    treatment is in every output."""
    project, report = _project(project_dir), Report()
    run, site_files = run_checks(
        project, report, today=today.date() if today else date.today(), strict=strict,
        layout_names=list(layouts) or None, sources=_sources(project, sources),
        brand_name=brand, epubcheck=epubcheck, ace=ace, skip=set(skipped))
    written = _write_reports(run, report) if reports else []
    outputs = sum(len(result.coverage) for result in run.leaflets)
    _finish(report, strict, f"checked {len(run.leaflets)} leaflet(s) and {outputs} output(s)"
            + (f", {site_files} file(s) of the download site" if site_files else "")
            + (f"; reports in {display_path(written[0].parent)}" if written else ""),
            before_summary=lambda: print_summary(run))


def _write_reports(run: CheckRun, report: Report) -> list[Path]:
    try:
        with writing_under(run.project.build_dir):
            return write_reports(run)
    except OSError as exc:
        report.error(run.project.build_dir / "reports", None, f"could not be written: "
                     f"{exc.strerror or exc}; the previous reports are unchanged")
        return []


@main.command(name="layouts")
@project_option
def list_layouts(project_dir: Path) -> None:
    """List the layouts of the project."""
    project, report = _project(project_dir), Report()
    for layout in load_layouts(project, report).values():
        kind = layout.format or "base"
        parent = f" (extends {layout.chain[1].name})" if len(layout.chain) > 1 else ""
        click.echo(f"{layout.name:15} {kind:5} {layout.description}{parent}")
    if len(report):
        _finish(report, False, f"{len(report.errors)} layout(s) with errors")


@main.command(name="messages")
@project_option
@click.option("--check", "check_only", is_flag=True,
              help="Only say whether layouts/messages/careleaf.pot is up to date (exit 1 if "
                   "not); write nothing.")
def messages_command(project_dir: Path, check_only: bool) -> None:
    """Extract the layouts' interface words into layouts/messages/careleaf.pot, and say
    what each catalogue (layouts/messages/<lang>.po) lacks."""
    project, report = _project(project_dir), Report()
    _finish(report, False, update_template(project, report, write=not check_only))


@main.command()
@project_option
@layout_option
@brand_option
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HOST",
              help="The address to listen on (127.0.0.1: this computer only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              metavar="N", help="The port to listen on (0: any free port).")
@click.option("--proofs/--no-proofs", default=True, show_default=True,
              help="Write PNG pictures of every PDF page under proofs/.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for rendering. Default: the number of cores.")
def serve(project_dir: Path, layouts: tuple[str, ...], brand: str, host: str, port: int,
          proofs: bool, jobs: int | None) -> None:
    """Build, serve the download site on HOST:PORT, rebuild and reload pages on every edit."""
    settings = Settings(list(layouts) or None, brand, proofs, jobs)
    sys.exit(run_serve(_project(project_dir), settings, host, port))
