"""The download site: ``build/site/``, with an index, a page per leaflet and an OPDS feed.

After the outputs are built, the site puts them where the QR codes point,
``<lang>/<id>/<file>`` (hard links when the file system allows, copies otherwise),
beside a web page of each leaflet, its cover and a thumbnail; ``index.html`` lists
every leaflet by language and ``opds.xml`` offers every EPUB to ebook apps. The
``site`` layout folder draws all of it; this module only gathers what exists. An
output is offered only if the manifest says it was built from its files as they are
now and is intact, so a leaflet whose build failed is listed without the failed (or
damaged) downloads, with a warning. The site
is a function of its inputs, so a digest over them (sources, the outputs offered, the
site layout, the brand, careleaf's code), recorded beside the site, lets a build with
nothing new skip this stage without parsing a source or importing a renderer.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf import __version__
from careleaf.brand import Brand
from careleaf.errors import CareleafError, Report
from careleaf.files import (
    is_in_use,
    is_temp_file,
    make_folder,
    temp_name,
    write_atomic,
    writing_under,
)
from careleaf.formats import Variant, output_path
from careleaf.layouts import Layout, load_layouts
from careleaf.manifest import Manifest, toolchain_digest
from careleaf.model import Leaflet
from careleaf.project import Project

if TYPE_CHECKING:
    from careleaf.build import BuildResult, Progress

#: The layout folder that draws the site; its templates are its contract.
SITE_LAYOUT = "site"
INDEX, OPDS = "index.html", "opds.xml"
COVER, THUMBNAIL = "cover.png", "cover-thumbnail.png"
#: Twice the width the index shows it at, so it stays sharp on phone screens.
THUMBNAIL_WIDTH = 240
MEDIA_TYPES = {"pdf": "application/pdf", "epub": "application/epub+zip"}
#: Beside the site, not in it: the site folder is published as it is.
RECORD = ".careleaf-site.json"
#: Bumped when what the site is made of changes shape, so old records never match.
_FORMAT = "1"


def format_size(size: int) -> str:
    """A file size as people read it: ``812 bytes``, ``48 KB``, ``1.2 MB`` (powers of 1000);
    pages show it in their own language with the ``file_size`` filter."""
    from careleaf.messages import english

    return english().file_size(size)


@dataclass(frozen=True)
class Download:
    """One file offered for a leaflet: a layout's output or the imposed sheets beside it."""

    layout: Layout
    #: The file name, beside the leaflet's page; ``path`` is the same from the site root.
    name: str
    path: str
    size: int
    #: The built file the site's copy is made from.
    file: Path
    imposed: bool = False

    @property
    def size_text(self) -> str:
        return format_size(self.size)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES.get(self.layout.format or "", "application/octet-stream")


@dataclass(frozen=True)
class Original:
    """What a translation's entry says of the leaflet it translates."""

    lang: str
    #: The original's page, from the site root; None when the site does not list it.
    page: str | None
    #: The original's ``version`` moved on since the translation was made from it.
    outdated: bool


@dataclass(frozen=True)
class Entry:
    """A leaflet as the site lists it; every path is relative to the site root."""

    leaflet: Leaflet
    folder: str
    downloads: tuple[Download, ...]
    #: The EPUB's ``dc:identifier``: an OPDS entry is the same book as the file.
    identifier: str
    cover_alt: str
    #: For a translation: the original it was made from.
    original: Original | None = None

    @property
    def page(self) -> str:
        return f"{self.folder}{INDEX}"

    @property
    def cover(self) -> str:
        return f"{self.folder}{COVER}"

    @property
    def thumbnail(self) -> str:
        return f"{self.folder}{THUMBNAIL}"

    @property
    def epub(self) -> Download | None:
        return next((d for d in self.downloads if d.layout.format == "epub" and not d.imposed),
                    None)


@dataclass(frozen=True)
class Language:
    lang: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class SiteContext:
    """What ``index.html`` and ``opds.xml`` get: every leaflet, grouped by language."""

    languages: tuple[Language, ...]
    layout: Layout
    #: The brand, its ``logo`` a path from the page being drawn.
    brand: Brand
    #: The way from the page to the site root (``""``, or ``"../../"`` from a leaflet).
    root: str
    stylesheets: tuple[str, ...]
    feed_id: str
    #: The newest review date of the feed's leaflets, as an Atom date.
    updated: str
    careleaf_version: str = __version__


@dataclass(frozen=True)
class LeafletPageContext:
    """What a leaflet's page gets: the names ``base/leaflet.html`` uses, and the site's."""

    leaflet: Leaflet
    layout: Layout
    brand: Brand
    #: The ebook beside the page, for the base template's ebook line.
    ebook_url: str
    entry: Entry
    root: str
    stylesheets: tuple[str, ...]
    careleaf_version: str = __version__


#: Each file of the site: the bytes to write, or a built file to link (or copy).
Files = dict[str, bytes | Path]


def site_dir(project: Project, brand_name: str = "default") -> Path:
    """``build/site``; ``build/brands/<name>/site`` for a brand other than the default."""
    return project.brand_dir(brand_name) / "site"


def update_site(project: Project, report: Report, result: BuildResult,
                progress: Progress | None = None) -> Path | None:
    """After a build: the site of its brand, offering every configured layout that exists
    (not only those the build was limited to). None when the brand could not be read."""
    from careleaf.build import select_layouts

    if result.brand is None:
        return None
    offered = select_layouts(project, Report(), None, result.layouts)  # errors: the build's
    return build_site(project, report, result.brand, offered,
                      site_layout=result.layouts.get(SITE_LAYOUT), progress=progress)


def build_site(project: Project, report: Report, brand: Brand, layouts: Sequence[Layout], *,
               site_layout: Layout | None = None, progress: Progress | None = None) -> Path:
    """Bring the download site of ``brand`` up to date; return its folder.

    ``layouts`` are the layouts whose outputs the site offers (those without a format
    are ignored); of them, it offers what exists for every source of the project,
    whatever the last build was limited to. ``site_layout`` is the layout that draws
    the site, looked up as ``layouts/site`` when not given. The stage costs a few
    milliseconds when nothing changed since the last call. Problems go to ``report``:
    an output older than its source is left out with a warning; a source with errors
    is left out silently (its errors are the build's to report); a template mistake is
    an error at its line, and the previous site stays as it was. ``progress``, if
    given, hears of the site folder once: ``built``, ``fresh`` or ``failed``.
    """
    folder, started = site_dir(project, brand.name), time.perf_counter()
    site_layout = site_layout or _find_site_layout(project, report)
    if site_layout is None:
        return folder
    offered = [layout for layout in layouts if layout.format]
    sources = project.sources()
    digest = _inputs_digest(project, brand, site_layout, offered, sources)
    if _is_current(folder, digest):
        if progress:
            progress(folder, "fresh", 0.0)
        return folder
    files = _make(project, report, brand, site_layout, offered, sources, folder)
    with writing_under(folder.parent):  # a killed build's temporary files are swept
        written = files is not None and _written(folder, files, digest, report)
    if progress:
        progress(folder, "built" if written else "failed", time.perf_counter() - started)
    return folder


def _find_site_layout(project: Project, report: Report) -> Layout | None:
    layout = load_layouts(project, Report()).get(SITE_LAYOUT)
    if layout is None:
        report.warning(project.layouts_dir / SITE_LAYOUT, None, "no 'site' layout (a folder "
                       "with a valid layout.yml): the download site was not built")
    return layout


def _inputs_digest(project: Project, brand: Brand, site_layout: Layout,
                   offered: list[Layout], sources: list[Path]) -> str:
    """A hash over everything the site is made of, computed without parsing a source.

    A source that cannot be one (a FIFO, a device, a folder, an id too long to name
    its outputs) is never opened: its problem stands for it, and it has no outputs.
    """
    sha = hashlib.sha256()

    def add(*parts: object) -> None:
        sha.update("\0".join(map(str, parts)).encode() + b"\n")

    add(_FORMAT, toolchain_digest(), site_layout.digest(), brand.name,
        brand.digest(project.root), *map(repr, offered))
    manifest, extra_inputs = Manifest(project), set[str]()
    for source in sources:
        if (problem := project.source_problem(source)) is not None:
            add(source, problem)  # never opened, and no output of it is looked for
            continue
        name = source.relative_to(project.root).as_posix()
        add(source, manifest.hash_input(name) or "-", _mtime(source))
        for layout in offered:
            target = output_path(project, source, layout, Variant(brand.name))
            for path in (target, *(target.with_name(n) for n in layout.extra_names(source.stem))):
                stat = path.stat() if path.is_file() else None
                add(path, stat and (stat.st_size, stat.st_mtime_ns))
            entry = manifest.entries.get(manifest.key(target))
            extra_inputs.update(entry.inputs if entry else ())
    for name in sorted(extra_inputs):  # the images of each leaflet, which its page shows
        add(name, manifest.hash_input(name) or "-")  # a regular file of a sane size, or "-"
    return sha.hexdigest()


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed since it was listed
        return None


def _is_current(folder: Path, digest: str) -> bool:
    try:
        record = json.loads((folder.parent / RECORD).read_text(encoding="utf-8"))
        return bool(record["digest"] == digest
                    and all((folder / name).is_file() for name in record["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _make(project: Project, report: Report, brand: Brand, site_layout: Layout,
          offered: list[Layout], sources: list[Path], folder: Path) -> Files | None:
    """Every file of the site, in memory (outputs by path); None after a template error."""
    from careleaf.site_pages import leaflet_entries, render_pages

    local = Report()
    entries = leaflet_entries(project, local, brand, offered, sources)
    files: Files = {}
    try:
        render_pages(project, brand, site_layout, entries, files, folder)
    except CareleafError as exc:
        local.extend(exc.report)
    report.extend(local)
    return None if local.errors else files


def _written(folder: Path, files: Files, digest: str, report: Report) -> bool:
    """Write the site, then its record; an I/O error (a full disk) is an error, and the
    next build tries again (each file is whole: the old one or the new one)."""
    try:
        _write(folder, files)
        write_atomic(folder.parent / RECORD,
                     json.dumps({"digest": digest, "files": sorted(files)}).encode())
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else folder
        report.error(where, None, f"could not be written: {exc.strerror or exc}; the download "
                     "site is incomplete until a build succeeds (free some space, or check "
                     "the folder's permissions, and build again)")
        return False
    return True


def _write(folder: Path, files: Files) -> None:
    """Write what changed (each file atomically), then remove what the site no longer has."""
    for name, content in files.items():
        target = folder / name
        if isinstance(content, Path):
            _link(content, target)
        elif not (target.is_file() and target.read_bytes() == content):
            write_atomic(target, content)
    for path in sorted(folder.rglob("*"), reverse=True):  # a folder's files come first
        if path.is_dir() and not path.is_symlink():
            if not any(path.iterdir()):
                path.rmdir()
        elif path.relative_to(folder).as_posix() not in files and not (
                is_temp_file(path) and is_in_use(path)):  # another build's, being written
            path.unlink(missing_ok=True)


def _link(source: Path, target: Path) -> None:
    """``target`` becomes ``source``: a hard link (no copy), else a copy; atomically."""
    if target.is_file() and (os.path.samefile(source, target) or _same_bytes(source, target)):
        return
    make_folder(target.parent)
    temp = temp_name(target)
    temp.unlink(missing_ok=True)
    try:
        os.link(source, temp)
        os.replace(temp, target)
    except OSError:  # another file system, or one without hard links
        temp.unlink(missing_ok=True)
        write_atomic(target, source.read_bytes())
    finally:
        # rename() does nothing when both names are links to one file (another build
        # linked the same output a moment ago), leaving the temporary name behind.
        temp.unlink(missing_ok=True)


def _same_bytes(first: Path, second: Path) -> bool:
    return first.stat().st_size == second.stat().st_size and first.read_bytes() == \
        second.read_bytes()


def page_variables(context: SiteContext | LeafletPageContext) -> dict[str, object]:
    """A typed context as template variables: its fields, each under its own name."""
    return {f.name: getattr(context, f.name) for f in fields(context)}


def from_page(brand: Brand, root: str) -> Brand:
    """``brand`` as a page ``root`` away from the site root sees it: its logo's copy."""
    if not brand.logo:
        return brand
    return replace(brand, logo=f"{root}logo{Path(brand.logo).suffix.lower()}")
