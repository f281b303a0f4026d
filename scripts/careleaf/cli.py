"""The command line: ``careleaf new``, ``import``, ``build``, ``check``, ``publish``,
``register``, ``diff``, ``layouts``, ``messages``, ``serve``.

The commands live in ``careleaf.commands``, one module each, and a command's module
is loaded only when it runs, so a build with nothing to do loads no more than the
build needs. A user's mistake never ends in a traceback (an I/O error no stage
could place is one ``path: error:`` line here); a traceback means a bug in careleaf.
"""

from __future__ import annotations

import gc
import importlib
import sys

import click

from careleaf import __version__
from careleaf.errors import display_path

#: Each command and where it lives: loaded when it runs (or ``--help`` lists them),
#: so a build never pays for importing the check, the server or the catalogue tools.
COMMANDS = {
    "build": "careleaf.commands.build:build",
    "check": "careleaf.commands.check:check",
    "diff": "careleaf.commands.diff:diff",
    "import": "careleaf.commands.import_:import_command",
    "layouts": "careleaf.commands.layouts:list_layouts",
    "messages": "careleaf.commands.messages:messages_command",
    "new": "careleaf.commands.new:new",
    "publish": "careleaf.commands.publish:publish",
    "register": "careleaf.commands.register:register",
    "serve": "careleaf.commands.serve:serve",
}


class _Commands(click.Group):
    """careleaf's commands; an I/O error no stage could report at its file (a disk that
    filled up, a folder that went away) ends as one ``path: error:`` line, not a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, name = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command)
        _settle()
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            where = display_path(exc.filename) if isinstance(exc.filename, str) else "careleaf"
            click.echo(f"{where}: error: {exc.strerror or exc}; outputs written before this "
                       "are intact (free some space, or check the folder, and run it again)",
                       err=True)
            sys.exit(1)


def _settle() -> None:
    """Once per process, when a command's code is imported: what the process holds then
    (modules, classes, tables) lives as long as it does. Its garbage collected once and
    the rest frozen (``gc.freeze``), the cycle collector never walks it again, neither
    while the command runs nor as the interpreter exits: some 10 ms of the 0.14 s of a
    build with nothing to do. Workers forked later (``pipeline.workers``) share those
    pages instead of copying them when their own collector first walks them."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


@click.group(cls=_Commands)
@click.version_option(__version__, prog_name="careleaf")
def main() -> None:
    """careleaf: patient-information leaflets as print-ready PDF and accessible EPUB."""


