"""``careleaf check``: every gate on every leaflet, every output read back, the reports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import click

from careleaf.check.gates import SKIPPABLE
from careleaf.check.reports import CheckRun, print_summary, write_reports
from careleaf.check.runner import run_checks
from careleaf.check.verdicts import save_verdicts
from careleaf.commands import (
    brand_option,
    finish,
    layout_option,
    project_of,
    project_option,
    sources_argument,
    sources_of,
    strict_option,
    today_option,
)
from careleaf.errors import Report, display_path
from careleaf.files import writing_under
from careleaf.project import Project

T = TypeVar("T")


@click.command()
@project_option
@layout_option
@sources_argument
@brand_option
@click.option("--epubcheck/--no-epubcheck", default=False,
              help="Also validate every EPUB with EPUBCheck (needs Java; ~3 s per EPUB).")
@click.option("--ace/--no-ace", default=False,
              help="Also check every EPUB's accessibility with DAISY Ace (needs Node.js and "
                   "Chromium; ~3 s per EPUB). Every Ace violation is an error.")
@today_option
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
    project, report = project_of(project_dir), Report()
    run, verdicts = run_checks(
        project, report, today=today.date() if today else date.today(), strict=strict,
        layout_names=list(layouts) or None, sources=sources_of(project, sources),
        brand_name=brand, epubcheck=epubcheck, ace=ace, skip=set(skipped))
    written = _write_reports(run, report) if reports else []
    _write(run.project, report, lambda: save_verdicts(project, brand, verdicts))
    outputs = sum(len(result.coverage) for result in run.leaflets)
    finish(report, strict, f"checked {len(run.leaflets)} leaflet(s) and {outputs} output(s)"
            + (f"; reports in {display_path(written[0].parent)}" if written else ""),
            before_summary=lambda: print_summary(run))


def _write_reports(run: CheckRun, report: Report) -> list[Path]:
    return _write(run.project, report, lambda: write_reports(run)) or []


def _write(project: Project, report: Report, write: Callable[[], T]) -> T | None:
    """``write`` under the build folder's mark; an I/O error is an error, not a traceback."""
    try:
        with writing_under(project.build_dir):
            return write()
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else project.build_dir
        report.error(where, None, f"could not be written: {exc.strerror or exc}; the "
                     "previous file is unchanged")
        return None
