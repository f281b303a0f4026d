"""The orchestrator of ``careleaf import``: each input file becomes a draft source.

For each input, in order: its kind from its suffix (an old ``.doc`` or an unknown
suffix is an error before anything is read); its size and kind of file from ``stat``
(``MAX_IMPORT_BYTES``; a FIFO or a folder is refused unopened); its bytes, read
defensively; its reader, imported only now (``READERS``: a text import never loads
the PDF library, and a reader that is missing says so instead of failing the
others); the draft's structure, id and language; the draft written atomically, never
over an existing source without ``force``; the report, beside the build's other
reports. Every problem is a ``path: error:`` (``path:line:`` for a text input) in the
run's report; the other inputs are still imported.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from careleaf.config import Config
from careleaf.errors import Report
from careleaf.files import UnreadableFile, file_problem, read_regular, write_all_atomic
from careleaf.ingest.markdown import render
from careleaf.ingest.model import Document, ImportProblem
from careleaf.ingest.report import (
    Imported,
    dumps,
    json_report,
    measure,
    report_paths,
    text_report,
    warnings,
)
from careleaf.ingest.structure import short_id, structure
from careleaf.project import ID_RE, LANG_RE, MAX_SOURCE_BYTES, Project, id_length_problem

#: Each suffix's reader, ``module:function``, imported when an input needs it.
READERS = {
    ".txt": "careleaf.ingest.text:read",
    ".text": "careleaf.ingest.text:read",
    ".md": "careleaf.ingest.text:read",
    ".markdown": "careleaf.ingest.text:read",
    ".html": "careleaf.ingest.html:read",
    ".htm": "careleaf.ingest.html:read",
    ".xhtml": "careleaf.ingest.html:read",  # an ebook's content document
    ".docx": "careleaf.ingest.docx:read",
    ".pdf": "careleaf.ingest.pdf:read",
}
#: Formats careleaf cannot read, and what to do instead.
CONVERT = {
    ".doc": "old Word format: open it in Word or LibreOffice and save it as .docx, then "
            "import the .docx",
}
#: Text is at most a source's size; a Word document, a PDF or a saved page carries
#: images and fonts, so it may be bigger, though no leaflet needs more than this.
MAX_IMPORT_BYTES = {".txt": MAX_SOURCE_BYTES, ".text": MAX_SOURCE_BYTES,
                    ".md": MAX_SOURCE_BYTES, ".markdown": MAX_SOURCE_BYTES}
MAX_DOCUMENT_BYTES = 20_000_000
_TEXT = frozenset(MAX_IMPORT_BYTES)

Reader = Callable[[Path, bytes], Document]


@dataclass(frozen=True)
class Options:
    lang: str | None = None
    leaflet_id: str | None = None
    force: bool = False
    today: date = field(default_factory=date.today)


def import_files(project: Project, config: Config, inputs: list[Path], options: Options,
                 report: Report) -> list[Imported]:
    """Import each of ``inputs``; the problems of those that fail go to ``report``."""
    done = []
    for path in inputs:
        started = time.perf_counter()
        try:
            result = _import_one(project, config, path, options)
        except ImportProblem as exc:
            report.error(path, _line(exc.where) if path.suffix.lower() in _TEXT else None,
                         exc.message if not exc.where or _line(exc.where) else
                         f"{exc.message} ({exc.where})")
            continue
        result.seconds = time.perf_counter() - started
        _write_reports(project, result)
        report.diagnostics.extend(result.warnings)
        done.append(result)
    return done


def _import_one(project: Project, config: Config, path: Path, options: Options) -> Imported:
    document = _reader(path)(path, _read(path))
    lang = options.lang or document.lang or "en"
    if not LANG_RE.match(lang):
        raise ImportProblem(f"'{lang}' is not a language tag like en, es, ar or zh-Hans: "
                            "give one with --lang")
    draft = structure(document, lang, config.import_headings)
    target = project.source_dir / lang / f"{_leaflet_id(draft.title, options)}.md"
    if (target.exists() or target.is_symlink()) and not options.force:
        raise ImportProblem(f"{_shown(project, target)} already exists: use --force to "
                            "replace it, or --id to import it under another id")
    written = render(draft, options.today)
    write_all_atomic({target: written.text.encode("utf-8")})
    gates = measure(project, config, target, written, options.today)
    return Imported(path, target, draft, written, warnings(draft, written, target), gates)


def _reader(path: Path) -> Reader:
    suffix = path.suffix.lower()
    if suffix in CONVERT:
        raise ImportProblem(CONVERT[suffix])
    if suffix not in READERS:
        known = ", ".join(sorted(READERS))
        raise ImportProblem(f"cannot import '{suffix or path.name}' files; careleaf imports "
                            f"{known}")
    module, _, name = READERS[suffix].partition(":")
    try:
        reader: Reader = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        missing = "careleaf's reader" if exc.name == module else f"the package '{exc.name}'"
        raise ImportProblem(f"cannot import {suffix} files: {missing} is not installed "
                            "(install careleaf's requirements: make install)") from None
    return reader


def _read(path: Path) -> bytes:
    limit = MAX_IMPORT_BYTES.get(path.suffix.lower(), MAX_DOCUMENT_BYTES)
    try:
        # Looked at with stat before it is opened: too big, a FIFO or a folder is refused.
        if (problem := file_problem(path, limit)) is not None:
            raise UnreadableFile(problem)
        return read_regular(path, limit)
    except UnreadableFile as exc:
        raise ImportProblem(f"{exc}; careleaf imports files of at most {limit:,} bytes"
                            if "bytes" in str(exc) else str(exc)) from None


def _leaflet_id(title: str, options: Options) -> str:
    """``--id``, else the title slugged and cut to the longest id; checked like any id."""
    leaflet_id = options.leaflet_id or short_id(title)
    if not ID_RE.match(leaflet_id):
        hint = "" if options.leaflet_id else f" (made from the title '{title}')"
        raise ImportProblem(f"'{leaflet_id}' is not a leaflet id{hint}: give one with --id, "
                            "using lowercase letters, digits and single hyphens")
    if (problem := _id_length(leaflet_id)) is not None:
        raise ImportProblem(problem)
    return leaflet_id


def _id_length(leaflet_id: str) -> str | None:
    problem = id_length_problem(leaflet_id)
    return problem.replace("rename the file", "give a shorter --id") if problem else None


def _write_reports(project: Project, result: Imported) -> None:
    text, data = report_paths(project, result.draft.lang, result.path.stem)
    write_all_atomic({text: ("\n".join(text_report(result)) + "\n").encode("utf-8"),
                      data: dumps(json_report(result)).encode("utf-8")})


def _line(where: str) -> int | None:
    """The line number of a reader's ``where`` ("line 14"), if it is a line."""
    number = where.removeprefix("line ").strip()
    return int(number) if where.startswith("line ") and number.isdigit() else None


def _shown(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)
