"""``careleaf publish``: the download site of what the publish gate lets through."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from careleaf.commands import (
    brand_option,
    finish,
    project_of,
    project_option,
    strict_option,
    today_option,
)
from careleaf.errors import Report, display_path
from careleaf.publish.run import publish as run_publish


@click.command()
@project_option
@brand_option
@today_option
@strict_option
def publish(project_dir: Path, brand: str, today: datetime | None, strict: bool) -> None:
    """Write the download site and OPDS catalogue (build/site/) of the leaflets that are
    approved, not overdue, and passed 'careleaf check' as they are now; say why each
    other leaflet is held back."""
    project, report = project_of(project_dir), Report()
    result = run_publish(project, report, brand_name=brand,
                         today=today.date() if today else date.today())
    held = len(result.decisions) - len(result.published)
    finish(report, strict, f"published {len(result.published)} leaflet(s)"
           + (f", held back {held}" if held else "")
           + (f" in {display_path(result.site)}" if result.site else ""))
