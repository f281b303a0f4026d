"""The manifest's file: its records, and how each is written to JSON and read back.

``build/.careleaf-manifest.json`` has a section of records per kind, each by key:
``outputs`` (what each output was built from, and the files written for it),
``sources`` (the ``layouts:`` each source asked for), ``notes`` (warnings a load gave),
``leaflets`` (each leaflet's ``LeafletFacts``, as ``loaded_facts`` takes them from
the loaded leaflet: what the catalogue check needs of it, and what its translations
show of it, its ``shape``; kept so that a build which does not load it still knows;
``careleaf check`` takes them the same way) and ``shapes`` (the value of each other
shaped input, a catalogue's render shape, and the files it was worked out of).

A shaped input (``shaped``) stands for what an output shows of a file, not its bytes:
a translation's original's shape (``source/en/x.md#shape``), and a catalogue's render
shape with its template's (``layouts/messages/es.po#render``). Its value is known while
the files it was worked out of are the bytes it was recorded of.

An output's proofs have a record of their own inside the output's (``Proofs``): they
are drawn by a task of their own after the output is recorded, so an output can be
fresh while its proofs are missing, and the next build draws only those. Each proof set
names the PDF bytes it pictures, so a PDF built again into the same bytes keeps its
pictures.

Reading is lenient: a malformed record is dropped (what it was about is rebuilt or
loaded again), and a file of another version counts as empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from careleaf.errors import Severity, display_path

if TYPE_CHECKING:  # only a type here: a build with nothing to do loads no leaflet
    from careleaf.project import Project
    from careleaf.source.model import Leaflet

T = TypeVar("T")
#: Bumped by hand when the manifest's shape changes: an older manifest is read as empty,
#: so everything is rebuilt once. A new section needs no bump: a manifest without it has
#: no records there (``leaflets``, added later, is filled in by the next build).
#: 3: proofs recorded apart from their output's files. 4: each leaflet's shape, which a
#: translation's outputs record of their original instead of its bytes. (``shapes``, a
#: catalogue's render shape, came later: a section, no bump.)
MANIFEST_VERSION = 4


class FileRecord(NamedTuple):
    """A file as the build wrote it: its size and time (a cheap test) and its hash. A named
    tuple, not a dataclass: a build with nothing to do reads one per file of every output,
    and a frozen dataclass costs three times more to make."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path, data: bytes) -> FileRecord:
        info = path.stat()
        return cls(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def pictured(hashes: Iterable[str]) -> str:
    """What a set of proofs pictures: one digest of its PDF files' hashes."""
    return hashlib.sha256("\0".join(sorted(hashes)).encode()).hexdigest()


@dataclass(frozen=True)
class Proofs:
    """An output's proofs: the PDF bytes they picture (``pictured``) and their files."""

    source: str
    files: dict[str, FileRecord]


@dataclass(frozen=True)
class OutputRecord:
    """What one output was built from, and every file written for it."""

    #: The output's layouts, brand and bleed (see ``build``), and careleaf's toolchain.
    look: str
    toolchain: str
    #: Each input (project-relative) and the hash of its bytes taken *before* rendering:
    #: an edit made while the output was being rendered no longer matches.
    inputs: dict[str, str]
    #: Each file written (build-relative): the output and its imposed sheets.
    files: dict[str, FileRecord]
    #: Its proofs, once drawn (None: not drawn, or drawn of other bytes).
    proofs: Proofs | None = None

    @property
    def all_files(self) -> dict[str, FileRecord]:
        """Every file written for the output: its own, then its proofs."""
        return {**self.files, **(self.proofs.files if self.proofs else {})}

    @cached_property
    def source(self) -> str:
        """What proofs of this output picture: its files as written (worked out once: a
        build with nothing to do asks it of every PDF)."""
        return pictured(record.sha256 for record in self.files.values())


@dataclass(frozen=True)
class Notes:
    """Warnings about a source found when it was last loaded (a translation's original
    moved on), valid while the files they are about hash as ``inputs`` says."""

    inputs: dict[str, str]
    #: Each warning's (or note's) line, message, check and severity.
    warnings: tuple[tuple[int | None, str, str, Severity], ...]


class LeafletFacts(NamedTuple):
    """A leaflet as the catalogue check sees it (``check.catalogue``): its language, title
    and keywords, each with its line (1-based; None if unknown); and as its translations
    see it (``shape``). A named tuple, not a dataclass: a build with nothing to do imports
    this, and pays for each class made."""

    lang: str
    title: str
    title_line: int | None
    #: Each keyword as the front matter spells it, and the line it is on.
    keywords: tuple[tuple[str, int | None], ...]
    #: ``shape_of`` the leaflet ("": not known).
    shape: str = ""

    def to_json(self, digest: str) -> dict[str, object]:
        """The manifest's record: these facts, valid while the source hashes to ``digest``."""
        # Keywords as one object, each one's line by name (half the bytes of a list of
        # pairs): a leaflet's second mention of a keyword says nothing the first does not.
        first: dict[str, int | None] = {}
        for name, line in self.keywords:
            first.setdefault(name, line)
        return {"digest": digest, "lang": self.lang, "title": self.title,
                "title_line": self.title_line, "keywords": first, "shape": self.shape}


def loaded_facts(leaflets: Iterable[Leaflet]) -> dict[Path, LeafletFacts]:
    """The ``LeafletFacts`` of loaded ``leaflets``, by source."""
    return {leaflet.path: LeafletFacts(leaflet.lang, leaflet.title,
                                       leaflet.key_lines.get("title"),
                                       tuple(zip(leaflet.keywords, leaflet.keyword_lines,
                                                 strict=True)), shape_of(leaflet))
            for leaflet in leaflets}


def shape_of(leaflet: Leaflet) -> str:
    """What a translation shows of ``leaflet``, its original, as a short digest: whether
    it is a translation itself, its ``version`` (the outdated check, the "older version"
    note) and its sections' ids, each with its items' ids, in order (the translation must
    have the same). Nothing of its text: no output of a translation shows any of it."""
    shown = [leaflet.translation_of, leaflet.version,
             [[section.id, [item.id for item in section.items]] for section in leaflet.sections]]
    return hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]


#: What ends the name of a shaped input, by kind: a source's shape (``shape_of``: kept
#: with its facts), a catalogue's render shape (``i18n.render_shape``: in ``shapes``).
SHAPE, RENDER = "#shape", "#render"
#: What a change to a shaped input is, in a writer's words, by kind.
CHANGES = {SHAPE: "the sections or version of", RENDER: "the interface words of"}


class Shaped(NamedTuple):
    """A shaped input's name taken apart: the file it is of, and its kind (``SHAPE``...)."""

    file: str
    kind: str


class ShapeRecord(NamedTuple):
    """A shaped input's ``value``, known while the files it was worked out of hash as
    ``inputs`` says (project-relative names)."""

    inputs: dict[str, str]
    value: str


def known_value(record: ShapeRecord | None, hash_file: Callable[[str], str | None]
                ) -> str | None:
    """The value of ``record`` if every file it was worked out of hashes now as it did
    (``hash_file``: None if unreadable); else None, not known till worked out again."""
    if record is None or not record.value or not record.inputs:
        return None
    same = all((hash_file(name) or "-") == digest for name, digest in record.inputs.items())
    return record.value if same else None


def shape_input(source: Path) -> Path:
    """The input that stands for what a translation shows of ``source``, its original."""
    return source.with_name(source.name + SHAPE)


def render_input(catalogue: Path) -> Path:
    """The input that stands for what a leaflet's outputs show of ``catalogue``, its
    language's, and of the template it is checked against: one input, since the shape
    is of the two together (which messages are the site's alone, whether it is complete)."""
    return catalogue.with_name(catalogue.name + RENDER)


def shaped(name: str) -> Shaped | None:
    """The file and kind of the shaped input ``name``; None for a file's bytes."""
    for kind in (SHAPE, RENDER):
        if name.endswith(kind):
            return Shaped(name[:-len(kind)], kind)
    return None


def built_from(project: Project, changed: Iterable[str]) -> str:
    """Input names of ``changed_inputs`` in a writer's words: ``from an older
    source/es/x.md and before a change to the sections or version of source/en/x.md``
    (or ``to the interface words of layouts/messages/es.po``)."""
    files: list[str] = []
    shapes: dict[str, list[str]] = {}
    for name in changed:
        of = shaped(name)
        shown = display_path(project.root / (name if of is None else of.file))
        (files if of is None else shapes.setdefault(of.kind, [])).append(shown)
    parts = [f"from an older {', '.join(files)}"] if files else []
    parts += [f"before a change to {CHANGES[kind]} {', '.join(names)}"
              for kind, names in shapes.items()]
    return " and ".join(parts)


def to_json(entries: dict[str, OutputRecord], sources: dict[str, tuple[str, list[str] | None]],
            notes: dict[str, Notes], facts: dict[str, tuple[str, LeafletFacts]],
            shapes: dict[str, ShapeRecord]) -> dict[str, object]:
    """The manifest's file, each section's records in the order of their keys."""
    return {
        "version": MANIFEST_VERSION,
        "outputs": {key: _entry_json(entry) for key, entry in sorted(entries.items())},
        "sources": {key: {"digest": digest, "layouts": layouts}
                    for key, (digest, layouts) in sorted(sources.items())},
        "notes": {key: {"inputs": n.inputs, "warnings": [list(w) for w in n.warnings]}
                  for key, n in sorted(notes.items())},
        "leaflets": {key: f.to_json(digest) for key, (digest, f) in sorted(facts.items())},
        "shapes": {key: {"inputs": s.inputs, "value": s.value}
                   for key, s in sorted(shapes.items())},
    }


def _entry_json(entry: OutputRecord) -> dict[str, object]:
    data: dict[str, object] = {"look": entry.look, "toolchain": entry.toolchain,
                               "inputs": entry.inputs, "files": _files_json(entry.files)}
    if entry.proofs is not None:
        data["proofs"] = {"source": entry.proofs.source,
                          "files": _files_json(entry.proofs.files)}
    return data


def _files_json(files: dict[str, FileRecord]) -> dict[str, list[object]]:
    return {name: [r.size, r.mtime_ns, r.sha256] for name, r in files.items()}


#: The file's sections of records, in the order of ``Parsed``.
SECTIONS = ("outputs", "sources", "notes", "leaflets", "shapes")
Parsed = tuple[dict[str, OutputRecord], dict[str, tuple[str, list[str] | None]],
               dict[str, Notes], dict[str, tuple[str, LeafletFacts]], dict[str, ShapeRecord]]


def parse(data: object) -> Parsed:
    """The manifest's records; each malformed one is dropped (its output is rebuilt),
    and a manifest of another version or shape counts as empty."""
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}, {}, {}, {}, {}
    return (_section(data, "outputs", _entry), _section(data, "sources", _source),
            _section(data, "notes", _notes), _section(data, "leaflets", _leaflet),
            _section(data, "shapes", _shape))


def merge(mine: dict[str, T], theirs: dict[str, T], keys: set[str]) -> None:
    """Put a run's records of ``keys`` into ``theirs``, a section as the file has it now
    (a key the run dropped, dropped)."""
    for key in keys:
        theirs.pop(key, None)
        if key in mine:
            theirs[key] = mine[key]


def _section(data: dict[str, object], name: str, read: Callable[[Any], T | None]
             ) -> dict[str, T]:
    section = data.get(name)
    if not isinstance(section, dict):
        return {}
    parsed = {key: read(value) for key, value in section.items() if isinstance(key, str)}
    return {key: value for key, value in parsed.items() if value is not None}


def _hashes(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()):
        return None
    return dict(value)


def _files(value: Any) -> dict[str, FileRecord]:
    return {str(name): FileRecord(int(size), int(mtime), str(sha))
            for name, (size, mtime, sha) in value.items()}


def _entry(value: Any) -> OutputRecord | None:
    try:
        files, inputs = _files(value["files"]), _hashes(value["inputs"])
        if inputs is None or not files:
            return None
        proofs = value.get("proofs")
        drawn = Proofs(str(proofs["source"]), _files(proofs["files"])) if proofs else None
        return OutputRecord(str(value["look"]), str(value["toolchain"]), inputs, files, drawn)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _source(value: Any) -> tuple[str, list[str] | None] | None:
    try:
        digest, layouts = str(value["digest"]), value["layouts"]
    except (TypeError, KeyError):
        return None
    if layouts is None:
        return digest, None
    if not isinstance(layouts, list) or not layouts or not all(
            isinstance(name, str) for name in layouts):
        return None  # an empty or odd list would make a build skip the leaflet silently
    return digest, layouts


def _severity(value: Any) -> Severity:
    return "note" if value == "note" else "warning"  # never "error": errors are said anew


def _notes(value: Any) -> Notes | None:
    try:
        inputs = _hashes(value["inputs"])
        warnings = tuple((w[0] if isinstance(w[0], int) else None, str(w[1]), str(w[2]),
                          _severity(w[3] if len(w) > 3 else "warning"))
                         for w in value["warnings"])
    except (TypeError, KeyError, IndexError):
        return None
    return Notes(inputs, warnings) if inputs is not None else None


def _leaflet(value: Any) -> tuple[str, LeafletFacts] | None:
    """A record of ``LeafletFacts.to_json``: (digest, facts)."""
    try:
        keywords = tuple((str(name), _line(line)) for name, line in value["keywords"].items())
        return str(value["digest"]), LeafletFacts(str(value["lang"]), str(value["title"]),
                                                  _line(value["title_line"]), keywords,
                                                  str(value["shape"]))
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _shape(value: Any) -> ShapeRecord | None:
    """A record of the ``shapes`` section; one of no files or no value is dropped (the
    shape is worked out again, and its outputs judged by it)."""
    try:
        inputs, shape = _hashes(value["inputs"]), value["value"]
    except (TypeError, KeyError):
        return None
    if not inputs or not isinstance(shape, str) or not shape:
        return None
    return ShapeRecord(inputs, shape)


def _line(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
