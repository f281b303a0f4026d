"""The commands, one module each, and what they share: options, finding the project,
and finishing with every diagnostic and the exit status.

Each command finds the project, runs one stage's orchestrator, prints every
diagnostic as ``path:line: severity: message`` to stderr and exits 0 when clean, 1
on errors (or on warnings with ``--strict``), 2 on a usage mistake. ``careleaf.cli``
loads a command's module only when that command runs, so a build with nothing to do
never loads the check's or the server's code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import click

from careleaf.errors import CareleafError, Report, display_path, print_diagnostics
from careleaf.project import Project

project_option = click.option(
    "-C", "--project", "project_dir", type=click.Path(file_okay=False, path_type=Path),
    default=Path("."), show_default=True, help="The project folder (or any folder inside it).")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
layout_option = click.option("--layout", "layouts", multiple=True, metavar="NAME",
                             help="Only this layout (repeatable). Default: every layout.")
brand_option = click.option("--brand", default="default", show_default=True, metavar="NAME",
                            help="The clinic brand, layouts/brands/NAME.yml. Outputs of a "
                                 "brand other than the default go to build/brands/NAME/.")
today_option = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="Compare review dates with this date (YYYY-MM-DD) instead of the clock, so CI "
         "results do not change overnight.")
sources_argument = click.argument("sources", nargs=-1,
                                  type=click.Path(dir_okay=False, path_type=Path))


def project_of(folder: Path) -> Project:
    try:
        return Project.find(folder)
    except CareleafError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


def finish(report: Report, strict: bool, summary: str,
            before_summary: Callable[[], None] | None = None) -> None:
    print_diagnostics(report, lambda line: click.echo(line, err=True), click.echo)
    if before_summary:
        before_summary()
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    click.echo(f"{summary}; {counts}" if report.errors or report.warnings else summary)
    sys.exit(1 if report.failed(strict) else 0)


def sources_of(project: Project, sources: tuple[Path, ...]) -> list[Path] | None:
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
