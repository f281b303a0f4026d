"""``careleaf import``: existing leaflets (text, web pages, Word, PDF) as draft sources.

Each FILE becomes ``source/<lang>/<id>.md`` (its path is printed), with a report of
what was found, dropped and what the quality gates think of it, printed and written
to ``build/reports/import/<lang>/<id>.txt`` and ``.json``. A problem with one FILE is a
``path: error:`` line; the others are still imported; the exit status is 1 if any
failed.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from careleaf.commands import project_of, project_option, today_option
from careleaf.config import load_config
from careleaf.errors import Report, display_path, print_diagnostics
from careleaf.ingest.report import dumps, json_report, text_report
from careleaf.ingest.run import Options, import_files


@click.command(name="import")
@project_option
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=True, path_type=Path))
@click.option("--lang", metavar="LANG", help="The language of the documents (en, es…). "
              "Default: what the document says, else en.")
@click.option("--id", "leaflet_id", metavar="ID", help="The draft's id (one FILE only). "
              "Default: made from the title.")
@click.option("--force", is_flag=True, help="Replace a source that already exists.")
@click.option("--format", "form", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="The report as text, or as JSON for tools.")
@today_option
def import_command(project_dir: Path, files: tuple[Path, ...], lang: str | None,
                   leaflet_id: str | None, force: bool, form: str,
                   today: datetime | None) -> None:
    """Import FILE... (.txt, .md, .html, .docx, .pdf) as draft leaflet sources."""
    if leaflet_id and len(files) > 1:
        raise click.UsageError("--id names one leaflet: give it with one FILE")
    project = project_of(project_dir)
    report = Report()
    config = load_config(project.root, report)
    options = Options(lang, leaflet_id, force, (today or datetime.now()).date())
    results = import_files(project, config, list(files), options, report)
    if form == "json":
        click.echo(dumps([json_report(result) for result in results]), nl=False)
    else:
        for result in results:
            click.echo(display_path(result.path))
            click.echo("\n".join(text_report(result)) + "\n")
    print_diagnostics(report, lambda line: click.echo(line, err=True))
    sys.exit(1 if report.errors else 0)
