"""``careleaf messages``: the interface words extracted into ``careleaf.pot``."""

from __future__ import annotations

from pathlib import Path

import click

from careleaf.commands import finish, project_of, project_option
from careleaf.errors import Report
from careleaf.i18n.catalogue import update_template


@click.command(name="messages")
@project_option
@click.option("--check", "check_only", is_flag=True,
              help="Only say whether layouts/messages/careleaf.pot is up to date (exit 1 if "
                   "not); write nothing.")
def messages_command(project_dir: Path, check_only: bool) -> None:
    """Extract the layouts' interface words into layouts/messages/careleaf.pot, and say
    what each catalogue (layouts/messages/<lang>.po) lacks."""
    project, report = project_of(project_dir), Report()
    finish(report, False, update_template(project, report, write=not check_only))
