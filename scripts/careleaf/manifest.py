"""The build manifest: which inputs each output was last built from.

For every output, ``build/.careleaf-manifest.json`` records the files it was
built from (its source and images, and a translation's original, which it is
compared with) and a hash over their contents, the layout folders along the
``extends`` chain, careleaf's own code and the versions of the renderers. An
output whose hash still matches, recomputed from the files as they are now, is
fresh. Deciding that needs no Markdown parsing and no renderer, so a build with
nothing to do never imports WeasyPrint. Warnings a source gave when it was
loaded (a translation whose original moved on) are kept too, and said again by
builds that do not load it, for as long as the files they are about are the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from careleaf.errors import Diagnostic, Location
from careleaf.files import write_atomic
from careleaf.project import Project

#: Distributions whose version changes what an output looks like.
RENDERERS = ("weasyprint", "pydyf", "ebooklib", "jinja2", "markdown_it_py", "fonttools",
             "pillow")
_DIST_INFO = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)\.dist-info$")


def toolchain_digest() -> str:
    """careleaf's code and the renderer versions: a change here rebuilds everything."""
    sha = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    sha.update(repr(sorted(_installed_versions().items())).encode())
    return sha.hexdigest()


def _installed_versions() -> dict[str, str]:
    """Versions from ``*.dist-info`` folder names: as exact as importlib.metadata, 20x cheaper."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if (match := _DIST_INFO.match(name)) is not None:
                key = match["name"].lower().replace("-", "_").replace(".", "_")
                if key in RENDERERS:
                    found.setdefault(key, match["version"])
    return found


def files_digest(root: Path, names: Iterable[str], look: str, toolchain: str,
                 cache: dict[str, str] | None = None) -> str | None:
    """A hash over the files ``names`` (relative to ``root``) as they are now; None when
    one of them is gone. ``cache`` keeps each file's own hash for one run: a source
    read for its first output is not read again for the six others."""
    sha = hashlib.sha256(f"{toolchain}\0{look}\0".encode())
    for name in names:
        own = cache.get(name) if cache is not None else None
        if own is None:
            try:
                own = hashlib.sha256((root / name).read_bytes()).hexdigest()
            except OSError:
                return None
            if cache is not None:
                cache[name] = own
        sha.update(f"{name}\0{own}\0".encode())
    return sha.hexdigest()


@dataclass(frozen=True)
class Entry:
    digest: str
    #: Project-relative POSIX paths of the files the output was built from.
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Notes:
    """Warnings about a source found when it was last loaded (a translation's original
    moved on), valid while the files they are about hash to ``digest``."""

    inputs: tuple[str, ...]
    digest: str
    #: Each warning's line, message and check.
    warnings: tuple[tuple[int | None, str, str], ...]


class Manifest:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.path = project.build_dir / ".careleaf-manifest.json"
        self.entries: dict[str, Entry] = {}
        #: Hash of each file read in this run, by project-relative name.
        self.file_hashes: dict[str, str] = {}
        #: Per source: a hash of its bytes and the ``layouts:`` it asked for then.
        self.sources: dict[str, tuple[str, list[str] | None]] = {}
        self.notes: dict[str, Notes] = {}
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            for key, value in loaded["outputs"].items():
                self.entries[key] = Entry(str(value["digest"]), tuple(value["inputs"]))
            for key, value in loaded.get("sources", {}).items():
                self.sources[key] = (str(value["digest"]), value["layouts"])
            for key, value in loaded.get("notes", {}).items():
                self.notes[key] = Notes(tuple(value["inputs"]), str(value["digest"]),
                                        tuple((w[0], str(w[1]), str(w[2]))
                                              for w in value["warnings"]))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            self.entries, self.sources, self.notes = {}, {}, {}  # unreadable: rebuild all

    def key(self, output: Path) -> str:
        return output.relative_to(self.project.build_dir).as_posix()

    def is_fresh(self, output: Path, look: str, toolchain: str) -> bool:
        entry = self.entries.get(self.key(output))
        if entry is None or not output.is_file():
            return False
        return files_digest(self.project.root, entry.inputs, look, toolchain,
                            self.file_hashes) == entry.digest

    def record(self, output: Path, inputs: list[Path], look: str, toolchain: str
               ) -> None:
        names = tuple(p.relative_to(self.project.root).as_posix() for p in inputs)
        # Files are hashed anew: what was rendered is what is on disk now.
        digest = files_digest(self.project.root, names, look, toolchain)
        if digest is not None:
            self.entries[self.key(output)] = Entry(digest, names)

    def recorded_layouts(self, source: Path) -> list[str] | None:
        """The ``layouts:`` an unchanged source asked for; None if it did not, or changed."""
        key = source.relative_to(self.project.root).as_posix()
        digest, layouts = self.sources.get(key, ("", None))
        return layouts if digest and digest == self._hash(key) else None

    def _hash(self, name: str) -> str | None:
        if name not in self.file_hashes:
            try:
                data = (self.project.root / name).read_bytes()
            except OSError:
                return None
            self.file_hashes[name] = hashlib.sha256(data).hexdigest()
        return self.file_hashes[name]

    def record_layouts(self, source: Path, layouts: tuple[str, ...] | None) -> None:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        key = source.relative_to(self.project.root).as_posix()
        self.sources[key] = (digest, list(layouts) if layouts is not None else None)

    def record_notes(self, source: Path, inputs: list[Path], warnings: list[Diagnostic],
                     toolchain: str) -> None:
        """Keep ``warnings`` about ``source`` for builds that do not load it again, as long
        as ``inputs`` (the source, and what the warnings compare it with) stay the same."""
        key = source.relative_to(self.project.root).as_posix()
        names = tuple(p.relative_to(self.project.root).as_posix() for p in inputs)
        digest = files_digest(self.project.root, names, "", toolchain)
        self.notes.pop(key, None)
        if warnings and digest is not None:
            self.notes[key] = Notes(names, digest, tuple(
                (d.location.line, d.message, d.check) for d in warnings))

    def recorded_notes(self, source: Path, toolchain: str) -> list[Diagnostic]:
        """The warnings kept about ``source``, if the files they are about are unchanged."""
        notes = self.notes.get(source.relative_to(self.project.root).as_posix())
        if notes is None or files_digest(self.project.root, notes.inputs, "", toolchain,
                                         self.file_hashes) != notes.digest:
            return []
        return [Diagnostic(Location(source, line), message, "warning", check)
                for line, message, check in notes.warnings]

    def save(self) -> None:
        outputs = {key: {"digest": e.digest, "inputs": list(e.inputs)}
                   for key, e in sorted(self.entries.items())}
        sources = {key: {"digest": digest, "layouts": layouts}
                   for key, (digest, layouts) in sorted(self.sources.items())}
        notes = {key: {"inputs": list(n.inputs), "digest": n.digest,
                       "warnings": [list(w) for w in n.warnings]}
                 for key, n in sorted(self.notes.items())}
        data = {"outputs": outputs, "sources": sources, "notes": notes}
        write_atomic(self.path, json.dumps(data, indent=1).encode())

