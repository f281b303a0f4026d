"""Diagnostics: every problem careleaf finds, with the file and line it belongs to.

Stages never stop at the first mistake. They add ``Diagnostic`` records to a
``Report`` and carry on, so a writer sees every problem in one run, printed as
``path:line: error: message`` (the form compilers and Sphinx use, which editors
and CI systems turn into clickable links). ``CareleafError`` is the one
exception type careleaf raises for a user's mistake; anything else is a bug.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: A note is information a writer should see (a leaflet is a draft), not a problem:
#: it never fails a run, not even with ``--strict``.
Severity = Literal["error", "warning", "note"]


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working folder when inside it."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        return text
    return text if rel.startswith("..") else rel


@dataclass(frozen=True)
class Location:
    """A place in a file: the path and, when known, a 1-based line."""

    path: Path
    line: int | None = None

    def __str__(self) -> str:
        shown = display_path(self.path)
        return f"{shown}:{self.line}" if self.line else shown


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    message: str
    severity: Severity = "error"
    #: Which check found it (``readability``, ``review``, ``completeness``…), for reports
    #: that group problems per leaflet and check; empty for loading and building.
    check: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


@dataclass
class Report:
    """Collects diagnostics from every stage of a run."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, path: Path, line: int | None, message: str, check: str = "") -> None:
        self.diagnostics.append(Diagnostic(Location(path, line), message, "error", check))

    def warning(self, path: Path, line: int | None, message: str, check: str = "") -> None:
        self.diagnostics.append(Diagnostic(Location(path, line), message, "warning", check))

    def note(self, path: Path, line: int | None, message: str, check: str = "") -> None:
        self.diagnostics.append(Diagnostic(Location(path, line), message, "note", check))

    def extend(self, other: Report) -> None:
        self.diagnostics.extend(other.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    @property
    def notes(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "note"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.diagnostics)

    def __len__(self) -> int:
        return len(self.diagnostics)


def print_diagnostics(report: Report, echo: Callable[[str], object],
                      echo_note: Callable[[str], object] | None = None) -> None:
    """Hand each diagnostic of ``report`` to ``echo`` as a line, each file's in line order
    (as an editor lists them): the one printer of every command that reports. Notes go
    to ``echo_note`` when given: they say what happened (a leaflet is a draft), like a
    command's progress lines, and belong with them on stdout, not among the problems."""
    for diagnostic in sorted(report, key=lambda d: (str(d.location.path), d.location.line or 0)):
        (echo_note if echo_note and diagnostic.severity == "note" else echo)(str(diagnostic))


class CareleafError(Exception):
    """A user's mistake that stops one unit of work; carries its diagnostics."""

    def __init__(self, report: Report | Diagnostic) -> None:
        if isinstance(report, Diagnostic):
            report = Report([report])
        self.report = report
        super().__init__("\n".join(str(d) for d in report))


class Unreachable(Exception):
    """A service a command was told to use (a Dask scheduler) cannot be reached, or
    cannot do the work: said in one line, and the command exits with status 2."""
