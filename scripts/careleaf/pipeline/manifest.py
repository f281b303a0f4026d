"""The build manifest: what each output was last built from, and what was written.

For every output, ``build/.careleaf-manifest.json`` records the hash of each file
it was built from (its source and images), taken once *before* rendering; for a
translation, not its original's bytes but its original's shape (``records.shape_of``:
its version, its sections' and items' ids), since none of the original's text is in
the translation's outputs; of its language's catalogue of interface words, half of
them the site's, its render shape (``i18n.render_shape``); the look of its
layouts and brand; careleaf's toolchain (the code on the render path and the
renderers' versions: ``toolchain_digest``); and the size, time and hash of every file
written for it (the output, imposed sheets) and, apart, of its proofs (``records``).
An output is fresh when its inputs still hash the same and its files are as written
(size and time first, the hash only when the time moved), so an edit made during a
render, or a file truncated or replaced since, is rebuilt. Its proofs are judged
apart (``proofs_fresh``): proofs that failed, or were never drawn, are drawn again
without making the PDF again. Deciding that needs no Markdown parsing
and no renderer, so a build with nothing to do never imports WeasyPrint. Warnings
a source gave when it was loaded (a translation whose original moved on) are kept
too, and said again by builds that do not load it, while their files are the same.
So are each leaflet's title and keywords (``LeafletFacts``), which the catalogue check
needs of every leaflet, loaded this time or not, and its shape: an original's shape is
known while its bytes are those it was recorded of, and unknown once they change
until it is loaded again (``undecided``); so is a catalogue's render shape, recorded
with the hashes of the catalogue and template it was worked out of.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from careleaf import __version__
from careleaf.errors import Diagnostic, Location
from careleaf.files import UnreadableFile, read_regular, write_atomic
from careleaf.pipeline.records import (
    SECTIONS,
    SHAPE,
    FileRecord,
    LeafletFacts,
    Notes,
    OutputRecord,
    Proofs,
    Shaped,
    ShapeRecord,
    known_value,
    merge,
    parse,
    shaped,
    to_json,
)
from careleaf.project import Project

#: Distributions whose version changes what an output looks like: the renderers
#: (WeasyPrint, pydyf, ebooklib), and what draws, parses or lays out on the way (Jinja2,
#: markdown-it, fontTools, Pillow, pypdf imposing, PDFium drawing the proofs, segno the
#: QR codes, lxml the EPUB's markup, tinycss2 the CSS, Babel dates, Pyphen hyphenation).
RENDERERS = ("weasyprint", "pydyf", "ebooklib", "jinja2", "markdown_it_py", "fonttools",
             "pillow", "pypdf", "pypdfium2", "segno", "lxml", "tinycss2", "babel", "pyphen")
#: The stages whose code shapes the bytes of an output, in pipeline order: a source is
#: read (``source``) and set in its layouts and brand (``design``) and its language
#: (``i18n``), rendered to HTML (``render``) and made a PDF or an EPUB (``formats``).
#: Editing any of their modules, even a comment, makes every output stale; editing code
#: elsewhere (the pipeline, the site, the check, the CLI) never does.
#:
#: One digest serves every format: an EPUB's page list is laid out by the PDF renderer
#: (``formats.pdf``, in its PDF's task or ``printed_page_starts``), so an edit of
#: ``formats/pdf.py`` rightly makes the EPUBs stale too; only an edit of
#: ``formats/epub.py`` rebuilds PDFs needlessly.
RENDER_PATH = ("source", "design", "i18n", "render", "formats")
#: Bumped by hand when code outside ``RENDER_PATH`` changes the bytes of an output (or
#: of the download site), as Sphinx bumps ``ENV_VERSION``: the core modules the render
#: path leans on (``project``'s limits and patterns, ``config``, ``yamlfile`` reading
#: layout.yml and the brand, ``outputs``' file names, ``files`` writing), or
#: ``pipeline.tasks``, which writes the bytes a format gives it and has
#: ``formats.proofs`` draw the proofs (it chooses which files and the proofs' dpi).
OUTPUT_VERSION = 1
_DIST_INFO = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)\.dist-info$")


def toolchain_digest(*also: str) -> str:
    """What shapes the bytes of an output, besides its inputs, layouts and brand: the
    code of ``RENDER_PATH``, ``OUTPUT_VERSION``, careleaf's version (which outputs name)
    and the renderers' versions. A change to any of them makes every output stale.

    ``also`` names more of careleaf's modules, relative to the package (``"site.pages"``),
    for what more code shapes: the download site. Costs about a millisecond: the files
    are read and hashed, never parsed.
    """
    sha = hashlib.sha256()
    package = Path(__file__).parents[1]
    paths = [path for stage in RENDER_PATH for path in (package / stage).rglob("*.py")]
    paths += [package.joinpath(*name.split(".")).with_suffix(".py") for name in also]
    for path in sorted(set(paths)):
        sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    sha.update(f"{OUTPUT_VERSION}\0{__version__}\0".encode())
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


#: No input of a leaflet (source, image, catalogue) is anywhere near this; a bigger one
#: is hashed as unreadable, so its output is rebuilt and the loader says why.
MAX_INPUT_BYTES = 64_000_000


class Manifest:
    """``build/.careleaf-manifest.json``: read once per build, saved at its end (and
    once the outputs are made, before their proofs: a build stopped while drawing
    them keeps its outputs)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.path = project.build_dir / ".careleaf-manifest.json"
        #: The build folder's and the project's names, each ending in a separator.
        self._build, self._root = (os.path.join(folder, "") for folder in
                                   (project.build_dir, project.root))
        #: Hash of each input read in this run, by project-relative name (None: unreadable).
        self.file_hashes: dict[str, str | None] = {}
        self.entries: dict[str, OutputRecord] = {}
        #: Per source: a hash of its bytes and the ``layouts:`` it asked for then.
        self.sources: dict[str, tuple[str, list[str] | None]] = {}
        self.notes: dict[str, Notes] = {}
        #: Per source: a hash of its bytes and its facts for the catalogue check then.
        self.facts: dict[str, tuple[str, LeafletFacts]] = {}
        #: Per shaped input but a source's: its value and the files it is of.
        self.shapes: dict[str, ShapeRecord] = {}
        #: What this run changed, by section and key: only that is merged into the file
        #: on save, so two builds at once do not undo each other's records.
        self._changed: dict[str, set[str]] = {name: set() for name in SECTIONS}
        self.entries, self.sources, self.notes, self.facts, self.shapes = parse(self._read())

    def _read(self) -> object:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # missing or unreadable: every output is rebuilt

    def key(self, output: Path) -> str:
        return _relative(output, self.project.build_dir, self._build)

    def _name(self, source: Path) -> str:
        """A project file's name in the manifest: project-relative, POSIX."""
        return _relative(source, self.project.root, self._root)

    def hash_input(self, name: str) -> str | None:
        """The hash of a project file's bytes now (once per run); None if unreadable. For
        a shaped input (``records.shaped``), its recorded value if the files it was worked
        out of are still the bytes it was recorded of, else None: not known till they are
        loaded (never kept in ``file_hashes``, so values recorded later are seen)."""
        if name in self.file_hashes:
            return self.file_hashes[name]
        if (of := shaped(name)) is not None:
            return self._shape(name, of)
        try:
            data = read_regular(self.project.root / name, MAX_INPUT_BYTES)
        except UnreadableFile:
            data = None
        self.file_hashes[name] = None if data is None else hashlib.sha256(data).hexdigest()
        return self.file_hashes[name]

    def _shape(self, name: str, of: Shaped) -> str | None:
        """The value recorded of the shaped input ``name`` if the files it was worked out
        of still hash the same: a source's shape is kept with its facts, others apart."""
        if of.kind == SHAPE:
            digest, facts = self.facts.get(of.file, ("", None))
            record = ShapeRecord({of.file: digest}, facts.shape) if facts else None
        else:
            record = self.shapes.get(name)
        return known_value(record, self.hash_input)

    def record_shape(self, shaped_input: Path, files: dict[Path, str], value: str) -> None:
        """``shaped_input`` (not a source's shape: ``record_facts``) has ``value``, worked
        out of ``files``, each hashed as given ("-": unreadable) when it was read."""
        key = self._name(shaped_input)
        self.shapes[key] = ShapeRecord({self._name(path): digest
                                        for path, digest in files.items()}, value)
        self._changed["shapes"].add(key)

    def hash_inputs(self, inputs: Iterable[Path]) -> dict[str, str]:
        """Each input's hash, taken now: call it before rendering what they make."""
        names = [self._name(p) for p in inputs]
        return {name: self.hash_input(name) or "-" for name in names}

    def is_fresh(self, output: Path, look: str, toolchain: str) -> bool:
        """Built from the inputs as they are now, for this look, and every file intact
        (its proofs apart: ``proofs_fresh`` says whether those are)."""
        entry = self.entries.get(self.key(output))
        return (entry is not None and not self.changed_inputs(output, look, toolchain)
                and not self._problems(entry.files))

    def proofs_fresh(self, output: Path) -> bool:
        """Its proofs picture its files as written, and are as they were written."""
        entry = self.entries.get(self.key(output))
        return (entry is not None and entry.proofs is not None
                and entry.proofs.source == entry.source and not self._problems(entry.proofs.files))

    def changed_inputs(self, output: Path, look: str | None = None,
                       toolchain: str | None = None) -> list[str]:
        """What differs from when ``output`` was built: input names, ``layout`` (its
        look) or ``careleaf`` (the toolchain); ``["never built"]`` without a record."""
        entry = self.entries.get(self.key(output))
        if entry is None:
            return ["never built"]
        changed = [name for name, digest in entry.inputs.items()
                   if self.hash_input(name) != digest]
        changed += ["layout"] if look is not None and look != entry.look else []
        return changed + (["careleaf"] if toolchain not in (None, entry.toolchain) else [])

    def undecided(self, output: Path, look: str, toolchain: str) -> bool:
        """Whether ``output``, its files intact, differs from its record only in shapes not
        known now (their sources changed since they were loaded): loading those tells
        whether it is stale."""
        entry = self.entries.get(self.key(output))
        changed = self.changed_inputs(output, look, toolchain)
        return (entry is not None and bool(changed) and not self._problems(entry.files)
                and all(shaped(name) and self.hash_input(name) is None for name in changed))

    def recorded_files(self, output: Path) -> list[Path]:
        """Every file the last build of ``output`` wrote, its proofs too (none if it has
        no record)."""
        entry = self.entries.get(self.key(output))
        return [self.project.build_dir / name for name in entry.all_files] if entry else []

    def damaged(self, output: Path) -> list[tuple[Path, str]]:
        """Files of ``output`` that are not as the build wrote them, and how.

        Size and time first; the hash only when the time moved (a copy, a touch).
        """
        entry = self.entries.get(self.key(output))
        if entry is None:
            return [(output, "has no record of being built")]
        return self._problems(entry.all_files)

    def _problems(self, files: dict[str, FileRecord]) -> list[tuple[Path, str]]:
        return [(self.project.build_dir / name, problem) for name, record in files.items()
                if (problem := self._file_problem(name, record)) is not None]

    def _file_problem(self, name: str, record: FileRecord) -> str | None:
        # A name, not a Path: a build with nothing to do looks at every file of every output.
        path = name if os.path.isabs(name) else self._build + name
        try:
            info = os.stat(path)
        except OSError:
            return "is missing"
        if not stat.S_ISREG(info.st_mode):  # from the same stat: one call per file
            return "is not a regular file"
        if info.st_size != record.size:
            return f"is {info.st_size:,} bytes, but the build wrote {record.size:,}"
        if info.st_mtime_ns == record.mtime_ns:
            return None
        try:
            data = read_regular(Path(path), record.size)
            same = hashlib.sha256(data).hexdigest() == record.sha256
        except UnreadableFile as exc:
            return str(exc)
        return None if same else "changed since the build wrote it"

    def record(self, output: Path, inputs: dict[str, str], look: str, toolchain: str,
               files: dict[Path, FileRecord]) -> list[Path]:
        """``output`` was built from ``inputs`` (hashed before rendering) into ``files``.

        Its proofs are kept if they picture the very bytes written now (a build that made
        the same PDF again); else they are forgotten, and returned: pictures of another
        PDF, for the caller to delete."""
        key, old = self.key(output), self.entries.get(self.key(output))
        entry = OutputRecord(look, toolchain, dict(inputs),
                             {self.key(path): rec for path, rec in files.items()})
        kept = old.proofs if old and old.proofs and old.proofs.source == entry.source else None
        self.entries[key] = replace(entry, proofs=kept)
        self._changed["outputs"].add(key)
        stale = old.proofs.files if old and old.proofs and kept is None else {}
        return [self.project.build_dir / name for name in stale if name not in entry.files]

    def record_proofs(self, output: Path, source: str, files: dict[Path, FileRecord]) -> bool:
        """The proofs of ``output`` in ``files``, drawn from the PDF bytes ``source`` names
        (``records.pictured``); False, and nothing recorded, if the output's record is
        gone or its bytes are others now."""
        key, entry = self.key(output), self.entries.get(self.key(output))
        if entry is None or entry.source != source:
            return False
        drawn = Proofs(source, {self.key(path): rec for path, rec in files.items()})
        self.entries[key] = replace(entry, proofs=drawn)
        self._changed["outputs"].add(key)
        return True

    def forget(self, output: Path) -> None:
        """``output`` failed: whatever is on disk is no longer what a build recorded."""
        key = self.key(output)
        if self.entries.pop(key, None) is not None:
            self._changed["outputs"].add(key)

    def recorded_layouts(self, source: Path) -> list[str] | None:
        """The ``layouts:`` an unchanged source asked for; None if it did not, or changed."""
        key = self._name(source)
        digest, layouts = self.sources.get(key, ("", None))
        return layouts if digest and digest == self.hash_input(key) else None

    def knows_layouts(self, source: Path) -> bool:
        """Whether the ``layouts:`` recorded for ``source`` are of its bytes as they are now
        (then ``recorded_layouts`` None means it asks for none in particular)."""
        key = self._name(source)
        digest = self.sources.get(key, ("", None))[0]
        return bool(digest) and digest == self.hash_input(key)

    def record_layouts(self, source: Path, digest: str, layouts: tuple[str, ...] | None
                       ) -> None:
        """``source``, whose bytes hashed to ``digest`` when loaded, asks for ``layouts``."""
        key = self._name(source)
        self.sources[key] = (digest, list(layouts) if layouts else None)
        self._changed["sources"].add(key)

    def record_notes(self, source: Path, inputs: dict[str, str],
                     warnings: list[Diagnostic]) -> None:
        """Keep ``warnings`` about ``source`` for builds that do not load it again, as long
        as ``inputs`` (the source, and what the warnings compare it with) stay the same."""
        key = self._name(source)
        self.notes.pop(key, None)
        if warnings:
            self.notes[key] = Notes(dict(inputs), tuple(
                (d.location.line, d.message, d.check, d.severity) for d in warnings))
        self._changed["notes"].add(key)

    def notes_outdated(self, source: Path) -> bool:
        """Whether warnings were kept about ``source`` that are no longer about the files
        as they are now (a translation's original changed, its shape not): loading it
        again says them anew."""
        notes = self.notes.get(self._name(source))
        return notes is not None and any(self.hash_input(n) != d for n, d in notes.inputs.items())

    def recorded_notes(self, source: Path) -> list[Diagnostic]:
        """The warnings kept about ``source``, if the files they are about are unchanged."""
        notes = self.notes.get(self._name(source))
        if notes is None or any(self.hash_input(n) != d for n, d in notes.inputs.items()):
            return []
        return [Diagnostic(Location(source, line), message, severity, check)
                for line, message, check, severity in notes.warnings]

    def record_facts(self, source: Path, digest: str, facts: LeafletFacts) -> None:
        """``source``, whose bytes hashed to ``digest`` when loaded, has these ``facts``."""
        key = self._name(source)
        self.facts[key] = (digest, facts)
        self._changed["leaflets"].add(key)

    def knows_facts(self, source: Path) -> bool:
        """Whether the facts recorded of ``source`` are of its bytes as they are now."""
        key = self._name(source)
        return self.facts.get(key, ("", None))[0] == self.hash_input(key)

    def current_facts(self, sources: Iterable[Path]) -> tuple[dict[Path, LeafletFacts], bool]:
        """The facts of each of ``sources`` whose bytes are as when they were recorded;
        the records of any other source (deleted, renamed) are dropped: True if any were.
        One pass, each name made once: a build with nothing to do calls this."""
        names = {self._name(source): source for source in sources}
        gone = [key for key in self.facts if key not in names]
        for key in gone:
            del self.facts[key]
            self._changed["leaflets"].add(key)
        current = {}
        for name, source in names.items():
            digest, facts = self.facts.get(name, ("", None))
            if facts is not None and digest == self.hash_input(name):
                current[source] = facts
        return current, bool(gone)

    def save(self) -> None:
        """Write what this run changed over the manifest as it is on disk now (another
        build may have saved since this one read it). ``OSError`` if it cannot be written."""
        entries, sources, notes, facts, shapes = theirs = parse(self._read())
        merge(self.entries, entries, self._changed["outputs"])
        merge(self.sources, sources, self._changed["sources"])
        merge(self.notes, notes, self._changed["notes"])
        merge(self.facts, facts, self._changed["leaflets"])
        merge(self.shapes, shapes, self._changed["shapes"])
        write_atomic(self.path, json.dumps(to_json(*theirs), indent=1).encode())


def _relative(path: Path, folder: Path, prefix: str) -> str:
    """``path.relative_to(folder).as_posix()``; from the text when it starts with ``prefix``
    (``folder``'s, with a separator), as every output and source of a project does:
    pathlib's way would cost a build with nothing to do milliseconds."""
    text = str(path)
    if text.startswith(prefix):
        return text[len(prefix):].replace(os.sep, "/")
    return path.relative_to(folder).as_posix()
