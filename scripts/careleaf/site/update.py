"""The download site: ``build/site/``, with an index, a page per leaflet and an OPDS feed.

After the outputs are built, the site puts them where the QR codes point,
``<lang>/<id>/<file>`` (hard links when the file system allows, copies otherwise),
beside a web page of each leaflet, its cover and a thumbnail; each language's
``<lang>/index.html`` lists its leaflets and ``<lang>/opds.xml`` offers their EPUBs to
ebook apps, and the root's ``index.html`` and ``opds.xml`` lead to each language. The
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
from collections.abc import Callable, Sequence
from pathlib import Path

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout, load_layouts, select_layouts
from careleaf.errors import CareleafError, Report
from careleaf.files import (
    is_in_use,
    is_temp_file,
    make_folder,
    temp_name,
    write_atomic,
    writing_under,
)
from careleaf.outputs import Variant, output_path
from careleaf.pipeline.build import BuildResult
from careleaf.pipeline.manifest import Manifest, toolchain_digest
from careleaf.pipeline.plan import Progress
from careleaf.pipeline.records import RENDER, shaped
from careleaf.project import Project
from careleaf.site.model import SITE_LAYOUT, Entry, Files, Listing, site_dir
from careleaf.site.pages import leaflet_entries, render_pages

#: Bumped when what the site is made of changes shape, so old records never match.
_FORMAT = "2"
#: Told of the site's entries when it is remade (serve keeps them, to redo one page).
Seen = Callable[[list[Entry]], None]
#: The modules that shape the site's bytes (not serve's, nor the site check's).
SITE_CODE = ("site.update", "site.pages", "site.model", "site.search", "site.seo",
             "site.letters")


def update_preview(project: Project, report: Report, result: BuildResult,
                   progress: Progress | None = None, seen: Seen | None = None) -> Path | None:
    """After a build: serve's preview of its brand's site, drafts included, offering every
    configured layout that exists (not only those the build was limited to). None when
    the brand could not be read. ``seen`` hears of the entries when the site is remade."""
    if result.brand is None:
        return None
    offered = select_layouts(project, Report(), None, result.layouts)  # errors: the build's
    return build_site(project, report, result.brand, offered,
                      site_layout=result.layouts.get(SITE_LAYOUT), progress=progress, seen=seen)


def build_site(project: Project, report: Report, brand: Brand, layouts: Sequence[Layout], *,
               site_layout: Layout | None = None, progress: Progress | None = None,
               listing: Listing | None = None, seen: Seen | None = None) -> Path | None:
    """Bring the download site of ``brand`` up to date; return its folder, or None when
    it could not be (no site layout, a template mistake, a write error).

    With a ``listing`` (the publish gate's) it is the site itself, ``build/site``, and
    offers only what the listing allows; without, it is serve's preview,
    ``build/preview``, of every leaflet built (drafts bannered).

    ``layouts`` are the layouts whose outputs the site offers (those without a format
    are ignored); of them, it offers what exists for every source of the project,
    whatever the last build was limited to. ``site_layout`` is the layout that draws
    the site, looked up as ``layouts/site`` when not given. The stage costs a few
    milliseconds when nothing changed since the last call. Problems go to ``report``:
    an output older than its source is left out with a warning; a source with errors
    is left out silently (its errors are the build's to report); a template mistake is
    an error at its line, and the previous site stays as it was. ``progress``, if
    given, hears of the site folder once: ``built``, ``fresh`` or ``failed``; ``seen``,
    of the site's entries, when it is remade.
    """
    folder = site_dir(project, brand.name, preview=listing is None)
    started = time.perf_counter()
    site_layout = site_layout or _find_site_layout(project, report)
    if site_layout is None:
        return None
    offered = [layout for layout in layouts if layout.format]
    sources = project.sources()
    # Read once: the digest and the downloads both ask what each output was built from.
    manifest = Manifest(project)
    digest = _inputs_digest(manifest, brand, site_layout, offered, sources, listing)
    if _is_current(folder, digest):
        if progress:
            progress(folder, "fresh", 0.0)
        return folder
    files = _make(manifest, report, brand, site_layout, offered, sources, folder, listing, seen)
    with writing_under(folder.parent):  # a killed build's temporary files are swept
        written = files is not None and _written(folder, files, digest, report)
    if progress:
        progress(folder, "built" if written else "failed", time.perf_counter() - started)
    return folder if written else None


def _find_site_layout(project: Project, report: Report) -> Layout | None:
    layout = load_layouts(project, Report()).get(SITE_LAYOUT)
    if layout is None:
        report.warning(project.layouts_dir / SITE_LAYOUT, None, "no 'site' layout (a folder "
                       "with a valid layout.yml): the download site was not built")
    return layout


def _inputs_digest(manifest: Manifest, brand: Brand, site_layout: Layout,
                   offered: list[Layout], sources: list[Path], listing: Listing | None) -> str:
    """A hash over everything the site is made of, computed without parsing a source.

    A source that cannot be one (a FIFO, a device, a folder, an id too long to name
    its outputs) is never opened: its problem stands for it, and it has no outputs.
    """
    sha, project = hashlib.sha256(), manifest.project

    def add(*parts: object) -> None:
        sha.update("\0".join(map(str, parts)).encode() + b"\n")

    # The site's own code and the render path.
    add(_FORMAT, toolchain_digest(*SITE_CODE),
        site_layout.digest(), brand.name, brand.digest(project.root), *map(repr, offered),
        *(listing.digest_lines() if listing is not None else ["preview"]))
    extra_inputs = set[str]()
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
    # The images of each leaflet, which its page shows, and a translation's original's
    # shape (its version: the page says when the translation is of an older one), or "-"
    # (an unreadable file; a shape not known till a build loads the original again).
    # And the catalogue of each render shape: the site shows every message, an output's
    # record only those an output can show (``records.RENDER``).
    for name in sorted(extra_inputs):
        add(name, manifest.hash_input(name) or "-")
        if (of := shaped(name)) is not None and of.kind == RENDER:
            add(of.file, manifest.hash_input(of.file) or "-")
    return sha.hexdigest()


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed since it was listed
        return None


def record_path(folder: Path) -> Path:
    """Beside the site, not in it (the site folder is published as it is)."""
    return folder.parent / f".careleaf-{folder.name}.json"


def _is_current(folder: Path, digest: str) -> bool:
    """Made from these inputs, and every file still as written (by size and time: a
    page edited by hand or a download replaced is put right by the next run)."""
    try:
        record = json.loads(record_path(folder).read_text(encoding="utf-8"))
        return bool(record["digest"] == digest and all(
            _stamp(folder / name) == list(stamp) for name, stamp in record["files"].items()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def _make(manifest: Manifest, report: Report, brand: Brand, site_layout: Layout,
          offered: list[Layout], sources: list[Path], folder: Path,
          listing: Listing | None, seen: Seen | None) -> Files | None:
    """Every file of the site, in memory (outputs by path); None after a template error."""
    local = Report()
    entries = leaflet_entries(manifest, local, brand, offered, sources, listing)
    if seen is not None:
        seen(entries)
    files: Files = {}
    try:
        render_pages(manifest.project, brand, site_layout, entries, files, folder)
    except CareleafError as exc:
        local.extend(exc.report)
    report.extend(local)
    return None if local.errors else files


def _written(folder: Path, files: Files, digest: str, report: Report) -> bool:
    """Write the site, then its record; an I/O error (a full disk) is an error, and the
    next build tries again (each file is whole: the old one or the new one)."""
    try:
        _write(folder, files)
        stamps = {name: _stamp(folder / name) for name in sorted(files)}
        write_atomic(record_path(folder), json.dumps({"digest": digest, "files": stamps}).encode())
    except OSError as exc:
        where = Path(exc.filename) if isinstance(exc.filename, str) else folder
        report.error(where, None, f"could not be written: {exc.strerror or exc}; the download "
                     "site is incomplete until a build succeeds (free some space, or check "
                     "the folder's permissions, and build again)")
        return False
    return True


def write_files(folder: Path, files: Files) -> None:
    """Write what changed of ``files`` (each file atomically); leave the rest of the site."""
    for name, content in files.items():
        target = folder / name
        if isinstance(content, Path):
            _link(content, target)
        elif not (target.is_file() and target.read_bytes() == content):
            write_atomic(target, content)


def _write(folder: Path, files: Files) -> None:
    """Write what changed (each file atomically), then remove what the site no longer has."""
    write_files(folder, files)
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
