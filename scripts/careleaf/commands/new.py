"""``careleaf new ID``: a new leaflet source from a commented template.

The template (``new-leaflet.md``, beside this module) has every required key and the
causes, treatment and see-a-doctor sections with one placeholder item each, so the
new leaflet builds at once as a draft, and the editor replaces text rather than
looking up rules. Its review dates are today and a year from today, valid dates the
editor is told to set when a clinician reviews it; as a draft it is never published.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from string import Template

import click

from careleaf.commands import project_of, project_option
from careleaf.errors import display_path
from careleaf.project import ID_RE, LANG_RE, id_length_problem

TEMPLATE = Path(__file__).with_name("new-leaflet.md")


def _check_id(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not ID_RE.match(value):
        raise click.BadParameter(f"{value!r} is not a leaflet id: use lowercase letters "
                                 "and digits, with single hyphens between words, such as "
                                 "'chronic-muscle-spasms'")
    if (problem := id_length_problem(value)) is not None:
        raise click.BadParameter(problem.removesuffix("; rename the file"))
    return value


def _check_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not LANG_RE.match(value):
        raise click.BadParameter(f"{value!r} is not a language tag such as en, es, "
                                 "zh-Hans or en-GB")
    return value


@click.command()
@project_option
@click.argument("leaflet_id", metavar="ID", callback=_check_id)
@click.option("--lang", default="en", show_default=True, callback=_check_lang,
              help="The language: the source goes to source/LANG/ID.md.")
@click.option("--force", is_flag=True, help="Overwrite a source that already exists.")
def new(project_dir: Path, leaflet_id: str, lang: str, force: bool) -> None:
    """Write a new leaflet source, source/LANG/ID.md, from a commented template with
    every required key and the causes, treatment and see-a-doctor sections; it builds
    at once as a draft. Prints its path."""
    project = project_of(project_dir)
    path = project.source_dir / lang / f"{leaflet_id}.md"
    if (path.exists() or path.is_symlink()) and not force:
        click.echo(f"{display_path(path)}: error: already exists; it was left as it is "
                   "(use --force to replace it with a new leaflet)", err=True)
        sys.exit(1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(leaflet_text(leaflet_id, date.today()), encoding="utf-8")
    click.echo(display_path(path))


def leaflet_text(leaflet_id: str, today: date) -> str:
    """The template filled in for ``leaflet_id``: a title from the id, today's dates."""
    title = leaflet_id.replace("-", " ").capitalize()
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        title=title, lower=title.lower(), today=today.isoformat(),
        next_review=_a_year_after(today).isoformat())


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: the next year has no such day
        return day.replace(year=day.year + 1, day=28)
