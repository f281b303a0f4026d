"""``careleaf register``: the leaflet register, as CSV and as a page to print.

The register is a report: an overdue leaflet, a draft or a source with errors is a
row, never an error, so the exit status is 0 whenever both files were written.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from careleaf.commands import brand_option, finish, project_of, project_option, today_option
from careleaf.errors import Report, display_path
from careleaf.files import writing_under
from careleaf.publish.register import Register, gather, write_register


@click.command()
@project_option
@brand_option
@today_option
def register(project_dir: Path, brand: str, today: datetime | None) -> None:
    """Write the leaflet register, build/reports/register.csv and register.html (under
    build/brands/NAME/ for another brand): one row per leaflet and language with its
    status, owner, approval, review dates, reading grade, translations, outputs, and
    whether it is published and why not."""
    project, report = project_of(project_dir), Report()
    found = gather(project, report, brand_name=brand,
                   today=today.date() if today else date.today(), today_given=today is not None)
    written: list[Path] = []
    if found is not None:
        try:
            with writing_under(project.build_dir):
                written = write_register(project, found)
        except OSError as exc:
            where = Path(exc.filename) if isinstance(exc.filename, str) else project.build_dir
            report.error(where, None, f"could not be written: {exc.strerror or exc}; the "
                         "previous register is unchanged")
    for path in written:
        click.echo(display_path(path))
    finish(report, False, _summary(found) if found and written else "no register written")


def _summary(found: Register) -> str:
    counts = found.summary
    return (f"register of {len(found.rows)} leaflet(s): {counts['approved']} approved, "
            f"{counts['draft']} draft, {counts['with errors']} with errors, "
            f"{counts['overdue']} overdue, {counts['due soon']} due soon, "
            f"{counts['held back']} held back, {counts['on the site']} on the site "
            f"(review dates as of {found.today.isoformat()})")
