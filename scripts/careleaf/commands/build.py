"""``careleaf build``: every leaflet (or SOURCES) in every layout.

The download site is not the build's: ``careleaf publish`` makes it, after ``careleaf
check``, of what the check passed (see ``careleaf.publish``). The catalogue as a whole is
checked each time, from what the build keeps of every leaflet (``check.catalogue``): a
title two leaflets share is a warning, and the keywords only one leaflet uses are listed
with the summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from careleaf.check.catalogue import check_titles, keyword_summary
from careleaf.commands import (
    brand_option,
    finish,
    layout_option,
    project_of,
    project_option,
    sources_argument,
    sources_of,
    strict_option,
)
from careleaf.config import SCHEDULER, load_config
from careleaf.errors import Report, Unreachable, display_path
from careleaf.pipeline.build import BuildResult, Runner
from careleaf.pipeline.build import build as run_build
from careleaf.pipeline.plan import Progress
from careleaf.project import Project


@click.command()
@project_option
@layout_option
@sources_argument
@brand_option
@click.option("--print-ready", is_flag=True,
              help="Also write print-shop PDFs under print/: PDF/X-4, CMYK, 3 mm bleed, "
              "crop marks in a slug; a tri-fold as its sheet.")
@click.option("--proofs/--no-proofs", default=True, show_default=True,
              help="Write PNG pictures of every PDF page under proofs/, after every "
              "output is made.")
@click.option("--force", is_flag=True, help="Rebuild even the outputs that are up to date.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for rendering. Default: the number of cores.")
@click.option("--scheduler", metavar="ADDRESS", envvar="CARELEAF_SCHEDULER",
              help="Run the work on a Dask cluster: its scheduler's address "
              "(tcp://HOST:8786), or 'local' for a cluster of this machine's processes; "
              "'none' for careleaf's own workers. Default: [tool.careleaf] scheduler, "
              "else careleaf's own workers. Also CARELEAF_SCHEDULER.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the summary.")
@strict_option
def build(project_dir: Path, layouts: tuple[str, ...], sources: tuple[Path, ...], brand: str,
          print_ready: bool, proofs: bool, force: bool, jobs: int | None,
          scheduler: str | None, quiet: bool, strict: bool) -> None:
    """Build every leaflet (or SOURCES) in every layout, skipping what is up to date."""
    project, report, started = project_of(project_dir), Report(), time.perf_counter()
    named = sources_of(project, sources)
    runner = Runner(jobs, _scheduler(project, scheduler), lambda line: click.echo(line, err=True))
    with _progress(quiet) as progress, _cluster_errors():
        result = run_build(project, report, layout_names=list(layouts) or None,
                           sources=named, brand_name=brand, print_ready=print_ready,
                           proofs=proofs, force=force, progress=progress, runner=runner)
    # Of the whole catalogue, but said only of the SOURCES named, if any.
    check_titles(result.catalogue, report, named)
    keywords = keyword_summary(result.catalogue, named)

    def print_keywords() -> None:
        for line in keywords:
            click.echo(line)

    # Just before the summary line, as ``careleaf check`` prints its table: the last
    # line stays the verdict that people and CI logs look for.
    finish(report, strict, f"{len(result.built)} built, {len(result.fresh)} up to date, "
            f"{len(result.failed)} failed{_proofs(result)} in "
            f"{time.perf_counter() - started:.2f} s", before_summary=print_keywords)


def _proofs(result: BuildResult) -> str:
    """The proofs drawn by their own tasks, after the outputs, when there were any."""
    if not result.proofs and not result.proofs_failed:
        return ""
    failed = f", {len(result.proofs_failed)} failed" if result.proofs_failed else ""
    drawn = len(result.proofs)
    return f"; proofs of {drawn} PDF{'' if drawn == 1 else 's'} drawn{failed}"


def _scheduler(project: Project, given: str | None) -> str | None:
    """The scheduler asked for, on the command line (or in the environment), else in
    the project's configuration; a malformed one is a usage error."""
    if given is None:
        return load_config(project.root, Report()).scheduler  # its errors: said by the build
    if not SCHEDULER.match(given):
        raise click.BadParameter(f"{given!r} is not a Dask scheduler's address such as "
                                 "tcp://10.0.0.5:8786, nor 'local' or 'none'",
                                 param_hint="--scheduler (or CARELEAF_SCHEDULER)")
    return given


@contextmanager
def _cluster_errors() -> Iterator[None]:
    """A cluster that cannot be reached, or has no worker to use: one line, status 2."""
    try:
        yield
    except Unreachable as exc:
        click.echo(f"careleaf: error: {exc}", err=True)
        sys.exit(2)


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
            if status in ("failed", "proofs failed"):
                bar.console.print(f"{status} {display_path(path)}")
            bar.update(task, advance=1, description=f"{status} {path.name}")
        yield advance
