"""``careleaf messages``: the interface words extracted into ``careleaf.pot``, and how
much of them each catalogue translates; ``careleaf messages init LANG``: a new
language's catalogue, made from the template."""

from __future__ import annotations

from pathlib import Path

import click

from careleaf.commands import finish, project_of, project_option
from careleaf.errors import Report
from careleaf.i18n.catalogue import init_catalogue, update_template


@click.group(name="messages", invoke_without_command=True)
@project_option
@click.option("--check", "check_only", is_flag=True,
              help="Only say whether layouts/messages/careleaf.pot is up to date (exit 1 if "
                   "not); write nothing.")
@click.pass_context
def messages_command(ctx: click.Context, project_dir: Path, check_only: bool) -> None:
    """Extract the layouts' interface words into layouts/messages/careleaf.pot, and say
    how much of them each catalogue (layouts/messages/<lang>.po) translates and what it
    lacks. 'careleaf messages init LANG' starts a new language's catalogue."""
    if ctx.invoked_subcommand is not None:
        if check_only:
            raise click.UsageError("--check is for 'careleaf messages' alone, not with "
                                   f"'{ctx.invoked_subcommand}'")
        return
    project, report = project_of(project_dir), Report()
    finish(report, False, update_template(project, report, write=not check_only))


@messages_command.command(name="init", short_help="Start the catalogue of a new language.")
@click.option("-C", "--project", "project_dir", type=click.Path(file_okay=False,
                                                                 path_type=Path),
              default=None, help="The project folder (or any folder inside it); default: "
                                 "the one given to 'messages', else the current folder.")
@click.argument("lang", metavar="LANG")
@click.pass_context
def init_command(ctx: click.Context, project_dir: Path | None, lang: str) -> None:
    """Make layouts/messages/LANG.po from the template: every message to translate,
    its translation empty, and the header filled in with the language and its plural
    forms. LANG is a language tag like the source folder's: fr, pt-BR, zh-Hans."""
    parent = ctx.parent.params.get("project_dir") if ctx.parent else None
    project, report = project_of(project_dir or parent or Path(".")), Report()
    finish(report, False, init_catalogue(project, lang, report))
