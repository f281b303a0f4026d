"""Load: source files on disk become validated ``Leaflet`` objects.

This is the first stage of every command. It reads bytes defensively (only a
regular file inside ``source/``, as ``Project.source_problem`` judges it without
opening it; a size limit; encoding; binary garbage), splits front matter from
body, and hands each part to its parser, then to ``validate``. A source with any error yields no
leaflet, so later stages never see half-checked input, and its errors are all
in the report.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from careleaf.errors import Report
from careleaf.files import UnreadableFile, read_regular
from careleaf.project import ID_RE, LANG_RE, MAX_SOURCE_BYTES, SITE_FOLDERS, Project
from careleaf.source.body import parse_body
from careleaf.source.frontmatter import parse as parse_front_matter
from careleaf.source.frontmatter import split
from careleaf.source.model import Leaflet
from careleaf.source.validate import check_characters, validate


def load_leaflets(project: Project, report: Report, paths: list[Path] | None = None
                  ) -> list[Leaflet]:
    """Every source that passes validation; the errors of the others go to ``report``."""
    loaded = (load_leaflet(path, project, report) for path in paths or project.sources())
    return [leaflet for leaflet in loaded if leaflet is not None]


def load_leaflet(path: Path, project: Project, report: Report) -> Leaflet | None:
    local = Report()
    _check_names(path, path.parent.name, path.stem, local)
    data = read_source_bytes(path, project, local)
    text = decode_source(data, path, local) if data is not None else None
    leaflet = None
    if data is not None and text is not None:
        leaflet = load_text(text, path, project, local, hashlib.sha256(data).hexdigest())
    report.extend(local)
    return None if local.errors else leaflet


def load_text(text: str, path: Path, project: Project, report: Report,
              digest: str = "") -> Leaflet | None:
    """The leaflet ``text`` holds, read as the source at ``path`` (its language, id and
    the folder its images are found from): an earlier version of it from git, say.
    ``digest`` is the hash of the bytes ``text`` was decoded from, when read from a file."""
    local = Report()
    lang, leaflet_id = path.parent.name, path.stem
    parts = split(text, path, local)
    if parts is None:
        report.extend(local)
        return None
    yaml_text, body_text, body_line = parts
    front = parse_front_matter(yaml_text, path, 2, local)
    body = parse_body(body_text, path, body_line, project.root, local)
    validate(path, lang, front, body, local)
    check_characters(path, body_text, body_line, body, local)
    report.extend(local)
    if local.errors or front.reviewed is None or front.next_review is None:
        return None
    return Leaflet(
        path=path, lang=lang, id=leaflet_id, title=front.title, summary=front.summary,
        version=front.version, reviewed=front.reviewed, next_review=front.next_review,
        sources=front.sources, authors=front.authors, keywords=front.keywords,
        overview_html=body.overview_html, overview_blocks=body.overview_blocks,
        sections=tuple(body.sections), images=tuple(body.images),
        layouts=front.layouts, layouts_line=front.lines.get("layouts"),
        overview_located=body.overview_located, key_lines=dict(front.lines),
        keyword_lines=front.keyword_lines,
        translation_of=front.translation_of, original_version=front.original_version,
        status=front.status, owner=front.owner, approved_by=front.approved_by,
        approved_on=front.approved_on, digest=digest,
    )


def _check_names(path: Path, lang: str, leaflet_id: str, report: Report) -> None:
    if not LANG_RE.match(lang):
        report.error(path, None, f"folder '{lang}' is not a language tag like en, es, ar "
                     "or zh-Hans")
    if not ID_RE.match(leaflet_id):
        report.error(path, None, f"file name '{path.name}' is not a leaflet id: use lowercase "
                     "letters, digits and single hyphens, like chronic-muscle-spasms.md")
    elif leaflet_id in SITE_FOLDERS:
        report.error(path, None, f"'{leaflet_id}' is the name of a page of the download site "
                     f"(<lang>/{leaflet_id}/): give the file another name, like "
                     f"{leaflet_id}-leaflet.md")


def read_source(path: Path, project: Project, report: Report) -> str | None:
    """The file's text with a BOM removed and line endings made ``\\n``, or None."""
    data = read_source_bytes(path, project, report)
    return decode_source(data, path, report) if data is not None else None


def read_source_bytes(path: Path, project: Project, report: Report) -> bytes | None:
    """The file's bytes, or None after an error: what is not a source (a FIFO, a device,
    a folder, a link out of ``source/``, an id too long, a file too big) is one found
    before the file is opened."""
    if (problem := project.source_problem(path)) is not None:
        report.error(path, None, problem)
        return None
    try:
        return read_regular(path, MAX_SOURCE_BYTES)
    except UnreadableFile as exc:  # swapped for something else since it was looked at
        report.error(path, None, str(exc))
        return None


def decode_source(data: bytes, path: Path, report: Report) -> str | None:
    """``data`` as text: UTF-8 without NUL bytes; else None after an error at its line."""
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        report.error(path, line, "this is a binary file, not a text source")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        # Characters, not bytes, as an editor counts them (and a BOM is not one).
        column = len(data[line_start : exc.start].decode("utf-8-sig")) + 1
        report.error(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column "
                     f"{column}); save the file as UTF-8")
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
