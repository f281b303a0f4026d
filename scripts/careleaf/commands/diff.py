"""``careleaf diff``: what changed in a leaflet since an earlier version of it.

The earlier version is an older copy of the file (OLD_FILE), the file at a git
revision (``--rev``), or the file as committed when its front-matter ``version`` was
set (``--since``); with none of them, ``--rev HEAD``: what changed since the last
commit. The report (text, HTML or JSON, from ``careleaf.source.diff_report``) goes to
the terminal or to ``-o FILE``. A mistake is a ``path:line: error:`` line and exit
status 1 (2 for a usage mistake); finding differences is not a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from careleaf.commands import finish, project_of, project_option, sources_of
from careleaf.errors import CareleafError, Report, display_path
from careleaf.files import make_folder, write_atomic
from careleaf.project import Project
from careleaf.source.diff import compare
from careleaf.source.diff_report import Versions, render_html, render_json, render_text
from careleaf.source.history import History, leaflet_at, leaflet_from_copy
from careleaf.source.load import load_leaflet
from careleaf.source.model import Leaflet


@click.command(name="diff")
@project_option
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("old_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rev", metavar="REV", help="Compare with SOURCE as committed at this git "
              "revision (HEAD~3, a tag, a commit). Default: HEAD.")
@click.option("--since", metavar="VERSION", help="Compare with SOURCE as committed when its "
              "front-matter 'version' was set to VERSION.")
@click.option("--format", "form", type=click.Choice(["text", "html", "json"]), default="text",
              show_default=True, help="Text for a terminal, a printable HTML page for a "
              "reviewer, or JSON for tools.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file instead of the terminal.")
def diff(project_dir: Path, source: Path, old_file: Path | None, rev: str | None,
         since: str | None, form: str, output: Path | None) -> None:
    """What changed in SOURCE since an earlier version: OLD_FILE, --rev or --since.

    Items and sections added, removed, moved or changed (by id, with the words that
    changed), and front-matter changes.
    """
    project = project_of(project_dir)
    if sum(choice is not None for choice in (old_file, rev, since)) > 1:
        raise click.UsageError("give one of OLD_FILE, --rev and --since, not more")
    path = _source(project, source)
    new = _load(path, project)
    try:
        old, old_label = _earlier(new, project, old_file, rev, since)
    except CareleafError as exc:
        finish(exc.report, False, "nothing compared")
        return
    versions = Versions(display_path(path), old_label, f"the working copy, version {new.version}")
    result = compare(old, new)
    if form == "json":
        text = render_json(result, versions)
    elif form == "html":
        text = render_html(result, versions)
    else:
        text = render_text(result, versions, color=output is None and "NO_COLOR" not in os.environ)
    _write(text, output)


def _source(project: Project, source: Path) -> Path:
    try:
        chosen = sources_of(project, (source,))
    except click.BadParameter as exc:
        exc.param_hint = "SOURCE"
        raise
    assert chosen is not None
    return chosen[0]


def _load(path: Path, project: Project) -> Leaflet:
    """Today's leaflet; its errors (not its warnings, which are the check's) end the run."""
    found = Report()
    leaflet = load_leaflet(path, project, found)
    if leaflet is None:
        finish(Report(found.errors), False, f"{display_path(path)} does not load, so it cannot "
               "be compared; fix the errors first")
    assert leaflet is not None
    return leaflet


def _earlier(new: Leaflet, project: Project, old_file: Path | None, rev: str | None,
             since: str | None) -> tuple[Leaflet, str]:
    """The earlier version of ``new`` to compare with, and how the report names it."""
    path = new.path
    if old_file is not None:
        old = leaflet_from_copy(old_file, path, project)
        return old, f"{display_path(old_file)}, version {old.version}"
    history = History(path)
    if since is not None:
        revision = history.at_version(since, new.key_lines.get("version"))
        return leaflet_at(revision, path, project), revision.label
    revision = history.at(rev or "HEAD")
    old = leaflet_at(revision, path, project)
    return old, f"{revision.label}, version {old.version}"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    make_folder(output.absolute().parent)
    write_atomic(output, text.encode("utf-8"))
    click.echo(f"wrote {display_path(output)}")
