"""What ``careleaf check`` passed: the record the publish gate reads.

The check is where every output is read back and every gate is run; publishing must
take only what it passed, as it was when it passed. So after a run, each leaflet
checked gets a verdict in ``build/.careleaf-checked.json`` (one per brand): the hash
of its source as the check read it, the errors the check found in it or its outputs
(and in the project's shared files, which concern every leaflet), whether every gate
and layout was run, and the hash of each file of each output that read back whole,
complete and fresh. ``careleaf publish`` offers a file only if its bytes still hash as
recorded here, so an output rebuilt, replaced or edited after the check is not
published until a check passes it again.

A run limited with ``--layout`` or ``--skip`` records verdicts that are not
``complete``; the gate refuses those. Saving merges over the file on disk, so a check
of some sources leaves the others' verdicts as they were.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from careleaf.errors import Diagnostic
from careleaf.files import write_atomic
from careleaf.outputs import owner
from careleaf.pipeline.manifest import Manifest
from careleaf.project import Project
from careleaf.source.model import Leaflet

#: Bumped when a verdict changes shape: older records are then ignored (not trusted).
VERSION = 1
NAME = ".careleaf-checked.json"


@dataclass(frozen=True)
class Verdict:
    """One leaflet as the last check of it found it."""

    #: The source's hash when the check loaded it ("-" if it could not be read).
    source_sha: str
    #: Every gate and every layout was run (no ``--skip``, no ``--layout``).
    complete: bool
    #: The errors found in it, its outputs, or the project's shared files: (line, text).
    errors: tuple[tuple[int | None, str], ...]
    #: Each file of each output that passed (build-relative name): its sha256.
    files: dict[str, str] = field(default_factory=dict)
    #: The date the review gate compared with (``--today``).
    today: str = ""


def record_path(project: Project, brand_name: str) -> Path:
    """``build/.careleaf-checked.json``, or ``build/brands/<name>/…`` for another brand."""
    return project.brand_dir(brand_name) / NAME


def verdict_of(project: Project, manifest: Manifest, leaflet: Leaflet,
               diagnostics: Iterable[Diagnostic], passed: Iterable[Path], *,
               complete: bool, today: str) -> Verdict:
    """The verdict on ``leaflet`` from a run's ``diagnostics`` and the outputs (resolved)
    that read back whole and complete, ``passed``."""
    mine = (leaflet.lang, leaflet.id)
    errors: list[tuple[int | None, str]] = []
    shared: list[tuple[int | None, str]] = []
    for diagnostic in diagnostics:
        if diagnostic.severity != "error":
            continue
        whose = owner(project, diagnostic.location.path)
        if whose == mine and diagnostic.location.path.resolve() == leaflet.path.resolve():
            errors.append((diagnostic.location.line, diagnostic.message))
        elif whose == mine:  # one of its outputs: say which
            errors.append((None, f"{_shown(project, diagnostic.location.path)}: "
                                 f"{diagnostic.message}"))
        elif whose is None:  # a layout, the brand, the configuration: every leaflet's
            shared.append((None, f"{diagnostic.location}: {diagnostic.message}"))
    name = leaflet.path.relative_to(project.root).as_posix()
    return Verdict(manifest.hash_input(name) or "-", complete, tuple(errors + shared),
                   _files(project, manifest, mine, passed), today)


def _shown(project: Project, path: Path) -> str:
    """A path as the project's own (``build/en/x/x-a4.pdf``), whatever the working folder."""
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _files(project: Project, manifest: Manifest, mine: tuple[str, str],
           passed: Iterable[Path]) -> dict[str, str]:
    files = {}
    for output in passed:
        entry = manifest.entries.get(manifest.key(output))
        if entry is None or owner(project, output) != mine or manifest.damaged(output):
            continue
        files.update({name: record.sha256 for name, record in entry.files.items()})
    return files


def load_verdicts(project: Project, brand_name: str) -> dict[str, Verdict]:
    """The recorded verdicts by ``<lang>/<id>``; none if the record is missing or odd."""
    try:
        data: Any = json.loads(record_path(project, brand_name).read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            return {}
        return {str(key): _verdict(value) for key, value in data["leaflets"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}  # unread or unreadable: nothing is trusted, nothing is published


def _verdict(value: Any) -> Verdict:
    errors = tuple((line if isinstance(line, int) else None, str(text))
                   for line, text in value["errors"])
    files = {str(name): str(sha) for name, sha in value["files"].items()}
    return Verdict(str(value["source_sha"]), value["complete"] is True, errors, files,
                   str(value.get("today", "")))


def save_verdicts(project: Project, brand_name: str, verdicts: dict[str, Verdict]) -> None:
    """Write ``verdicts`` over the record on disk (others' verdicts kept). ``OSError``."""
    recorded = load_verdicts(project, brand_name)
    recorded.update(verdicts)
    data = {"version": VERSION, "leaflets": {
        key: {"source_sha": v.source_sha, "complete": v.complete,
              "errors": [list(error) for error in v.errors], "files": v.files,
              "today": v.today}
        for key, v in sorted(recorded.items())}}
    write_atomic(record_path(project, brand_name), json.dumps(data, indent=1).encode())
