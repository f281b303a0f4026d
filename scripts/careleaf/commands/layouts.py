"""``careleaf layouts``: the layouts of the project, one line each."""

from __future__ import annotations

from pathlib import Path

import click

from careleaf.commands import finish, project_of, project_option
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report


@click.command(name="layouts")
@project_option
def list_layouts(project_dir: Path) -> None:
    """List the layouts of the project."""
    project, report = project_of(project_dir), Report()
    for layout in load_layouts(project, report).values():
        kind = layout.format or "base"
        parent = f" (extends {layout.chain[1].name})" if len(layout.chain) > 1 else ""
        click.echo(f"{layout.name:15} {kind:5} {layout.description}{parent}")
    if len(report):
        finish(report, False, f"{len(report.errors)} layout(s) with errors")
