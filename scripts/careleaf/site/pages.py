"""The download site's content: each leaflet's downloads, cover and pages, rendered.

``careleaf.site.update`` decides whether the site must be remade and writes it; this
module makes it, only when something changed: it parses the sources, finds the
outputs each leaflet has, takes the cover out of the EPUB (the very bytes the ebook
shows; drawn anew only for a leaflet without one), makes its thumbnail, and renders
the ``site`` layout's templates with typed contexts: ``index.html`` and ``opds.xml``
once (the root: the languages), ``language.html`` and ``language-opds.xml`` for each
language (``<lang>/index.html``, ``<lang>/opds.xml``: its leaflets, in its words), the
layout's ``template`` (``leaflet.html``) for each leaflet. Every page has the language
switcher, each language named in itself and linking to the page's leaflet in it when
there is one. Every path a page names is relative, so the site works from any
address, or from a disk.
"""

from __future__ import annotations

import io
import posixpath
import unicodedata
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Report, display_path
from careleaf.formats.epub import NAMESPACE, identifier
from careleaf.i18n.languages import language, native_name
from careleaf.i18n.messages import SOURCE_LANGUAGE, Messages, messages_for
from careleaf.outputs import Variant, output_path
from careleaf.pipeline.make import publishable
from careleaf.pipeline.manifest import Manifest
from careleaf.pipeline.plan import record_facts
from careleaf.pipeline.records import built_from
from careleaf.project import Project, topic_slug
from careleaf.render.cover import cover_alt, cover_png
from careleaf.render.html import render_template, template_variables
from careleaf.site.model import (
    INDEX,
    LANGUAGE_PAGES,
    NAVIGATION,
    OPDS,
    THUMBNAIL_WIDTH,
    TOPIC_PAGES,
    Download,
    Entry,
    Files,
    LanguageGroup,
    LanguageLink,
    LeafletPageContext,
    Listing,
    Navigation,
    Original,
    SiteContext,
    Topic,
    from_page,
)
from careleaf.site.search import search_index
from careleaf.site.seo import leaflet_json_ld, site_files
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet
from careleaf.source.translations import Status

_CONTAINER = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_OPF = {"opf": "http://www.idpf.org/2007/opf"}


def leaflet_entries(manifest: Manifest, report: Report, brand: Brand, offered: list[Layout],
                    sources: list[Path], listing: Listing | None = None) -> list[Entry]:
    """Each valid leaflet with the downloads it has, as ``manifest`` (what each output
    was built from, and how it was written) tells; a source with errors is left out.
    With a ``listing`` (the publish gate's), only its leaflets, and of each only the
    files it allows."""
    project = manifest.project
    # The same leaflets as the build builds. Their errors are the build's and the
    # check's to report: a failing build is not one to show, so the site need not
    # keep what it had of them.
    loaded = load_leaflets(project, Report(), sources)
    leaflets, translations = publishable(project, loaded, Report(), brand)
    # Their shapes, so a translation's outputs are judged as a build judges them.
    record_facts(manifest, [*loaded, *(status.original for status in translations.values()
                                       if status.original is not None)])
    if listing is not None:
        leaflets = [leaflet for leaflet in leaflets if listing.allows(leaflet)]
    listed = {leaflet.path.resolve() for leaflet in leaflets}
    return [entry_of(manifest, report, brand, offered, leaflet,
                     original_of(translations.get(leaflet.path), listed), listing)
            for leaflet in leaflets]


def entry_of(manifest: Manifest, report: Report, brand: Brand, offered: list[Layout],
             leaflet: Leaflet, original: Original | None, listing: Listing | None = None, *,
             as_on_disk: bool = False) -> Entry:
    """``leaflet``'s entry. ``as_on_disk`` offers its downloads as they are on disk, even
    those older than its source, without asking the manifest: serve's page of an edit,
    shown at once, before they are rebuilt."""
    downloads = _downloads(manifest, report, brand, leaflet, offered, as_on_disk)
    return Entry(leaflet, f"{leaflet.lang}/{leaflet.id}/",
                 tuple(download for download in downloads
                       if listing is None or listing.offers(leaflet, download.file)),
                 identifier(leaflet),
                 cover_alt(leaflet, brand, messages_for(manifest.project.layouts_dir,
                                                        leaflet.lang)),
                 original)


def original_of(status: Status | None, listed: set[Path]) -> Original | None:
    """What a translation's entry says of its original (which the check found)."""
    if status is None or status.original is None:
        return None
    original = status.original
    shown = original.path.resolve() in listed
    return Original(original.lang, f"{original.lang}/{original.id}/{INDEX}" if shown else None,
                    status.outdated)


def _downloads(manifest: Manifest, report: Report, brand: Brand, leaflet: Leaflet,
               offered: list[Layout], as_on_disk: bool = False) -> list[Download]:
    """The leaflet's outputs built from its inputs as they are now (``as_on_disk``: any
    there), each file as the build wrote it (so as ``careleaf check`` reads it back),
    the EPUB first."""
    found = []
    for layout in (layout for layout in offered if leaflet.wants(layout.name)):
        target = output_path(manifest.project, leaflet.path, layout, Variant(brand.name))
        names = (target.name, *layout.extra_names(leaflet.id))
        damaged = set() if as_on_disk else _left_out(manifest, report, target, names)
        if damaged is None:
            continue
        for index, name in enumerate(names):
            path = target.with_name(name)
            if path.is_file() and path.resolve() not in damaged:
                found.append(Download(layout, name, f"{leaflet.lang}/{leaflet.id}/{name}",
                                      path.stat().st_size, path, imposed=index > 0))
    return sorted(found, key=lambda download: download.layout.format != "epub")


def _left_out(manifest: Manifest, report: Report, target: Path,
              names: tuple[str, ...]) -> set[Path] | None:
    """The files of ``target`` not as the build wrote them (resolved), with a warning for
    each of ``names`` among them; None to leave all out: ``target`` is missing or stale."""
    if not target.is_file():
        return None  # never built, or failed: its errors were reported then
    if changed := manifest.changed_inputs(target):
        report.warning(target, None, f"{_stale(manifest, changed)}: the download site leaves "
                       "it out until 'careleaf build' updates it")
        return None
    offered = {target.with_name(name).resolve() for name in names}
    damaged = {path.resolve(): reason for path, reason in manifest.damaged(target)}
    for path in sorted(offered & set(damaged)):
        report.warning(path, None, f"{damaged[path]}: the download site leaves it out "
                       "until 'careleaf build' makes it again")
    return set(damaged)


def _stale(manifest: Manifest, changed: list[str]) -> str:
    if changed == ["never built"]:
        return f"has no record of being built in {display_path(manifest.path)}"
    return f"was built {built_from(manifest.project, changed)}"


def render_pages(project: Project, brand: Brand, layout: Layout, entries: list[Entry],
                 files: Files, folder: Path) -> None:
    """Add every file of the site to ``files``; ``folder`` is the site as it is now."""
    stylesheets = _stylesheet_names(layout)
    for name, path in zip(stylesheets, layout.stylesheets, strict=True):
        files[name] = path.read_bytes()
    if brand.logo:
        files[str(from_page(brand, "").logo)] = (project.root / brand.logo).read_bytes()
    groups = _languages(entries, brand)
    by_lang = {group.lang: group for group in groups}
    for entry in entries:
        group = by_lang[entry.leaflet.lang]
        _leaflet_files(entry, brand, layout, stylesheets, files, folder,
                       _navigation(groups, group, entry), groups)
    for group in groups:
        _language_files(group, groups, brand, layout, stylesheets, files)
    context = SiteContext(
        languages=groups, language=None, lang=SOURCE_LANGUAGE,
        direction=language(SOURCE_LANGUAGE).direction, layout=layout,
        brand=from_page(brand, ""), root="", stylesheets=stylesheets,
        navigation=_navigation(groups, None), feed_id=_feed_id(brand),
        updated=_updated(entries))
    for name in (INDEX, OPDS):
        files[name] = render_template(layout, name, **template_variables(context)).encode()
    files.update(site_files(groups, brand))
    files.update(search_index(layout, groups, files))


def _language_files(group: LanguageGroup, groups: tuple[LanguageGroup, ...], brand: Brand,
                    layout: Layout, stylesheets: tuple[str, ...], files: Files) -> None:
    """A language's pages and feeds (``LANGUAGE_PAGES``) and each of its topics'
    (``TOPIC_PAGES``), in its words."""
    messages = messages_for(layout.folder.parent, group.lang)
    pages: list[tuple[str, str, Topic | None]] = [
        (template, str(getattr(group, name)), None) for template, name in LANGUAGE_PAGES]
    pages += [(template, str(getattr(topic, name)), topic)
              for topic in group.topics for template, name in TOPIC_PAGES]
    for template, name, topic in pages:
        root = "../" * name.count("/")
        context = SiteContext(
            languages=groups, language=group, lang=group.lang, direction=group.direction,
            layout=layout, brand=from_page(brand.in_language(group.lang), root), root=root,
            stylesheets=stylesheets, navigation=_navigation(groups, group),
            feed_id=group.feed_id if name == group.feed else _feed_id(brand, name),
            updated=group.updated, topic=topic)
        files[name] = render_template(layout, template, messages,
                                      **template_variables(context)).encode()


def _navigation(groups: tuple[LanguageGroup, ...], group: LanguageGroup | None,
                entry: Entry | None = None) -> Navigation:
    """The ``Navigation`` of a page in ``group``'s language (None: the root), of
    ``entry``'s page if given: each language links to the entry's translation in it,
    if the site has one."""
    switcher = []
    for other in groups:
        same = other.translation(entry.leaflet) if entry else None
        switcher.append(LanguageLink(other.lang, same.page if same else other.page,
                                     group is not None and other.lang == group.lang))
    if group is None:
        return Navigation(tuple(switcher), None, OPDS, NAVIGATION)
    return Navigation(tuple(switcher), group.page, group.feed, NAVIGATION, group)


def leaflet_page(brand: Brand, layout: Layout, entries: list[Entry], entry: Entry) -> Files:
    """``entry``'s page, its images and its downloads, as the site of ``entries`` has
    them (its language switcher, its topics): what serve shows of an edit at once,
    before the rest of the site (the indexes, feeds, search, its cover) is remade."""
    files: Files = {}
    groups = _languages(entries, brand)
    group = next(group for group in groups if group.lang == entry.leaflet.lang)
    _page_files(entry, brand, layout, _stylesheet_names(layout), files,
                _navigation(groups, group, entry), groups)
    return files


def _stylesheet_names(layout: Layout) -> tuple[str, ...]:
    return tuple(f"styles/{index}-{path.name}" for index, path in enumerate(layout.stylesheets))


def _leaflet_files(entry: Entry, brand: Brand, layout: Layout, stylesheets: tuple[str, ...],
                   files: Files, folder: Path, navigation: Navigation,
                   groups: tuple[LanguageGroup, ...]) -> None:
    """Its page, images and downloads (``_page_files``), its cover and thumbnail."""
    _page_files(entry, brand, layout, stylesheets, files, navigation, groups)
    brand = brand.in_language(entry.leaflet.lang)
    cover = _cover(entry, brand, messages_for(layout.folder.parent, entry.leaflet.lang))
    files[entry.cover] = cover
    files[entry.thumbnail] = _thumbnail(cover, folder / entry.cover, folder / entry.thumbnail)


def _page_files(entry: Entry, brand: Brand, layout: Layout, stylesheets: tuple[str, ...],
                files: Files, navigation: Navigation, groups: tuple[LanguageGroup, ...]
                ) -> None:
    root = "../" * entry.folder.count("/")
    epub = entry.epub.name if entry.epub else ""
    brand = brand.in_language(entry.leaflet.lang)  # its sentences in the page's language
    page = LeafletPageContext(entry.leaflet, layout, from_page(brand, root), epub,
                              entry=entry, root=root, stylesheets=stylesheets,
                              navigation=navigation, language=_group(groups, entry),
                              json_ld=leaflet_json_ld(entry, brand, groups))
    messages = messages_for(layout.folder.parent, entry.leaflet.lang)
    files[entry.page] = render_template(layout, layout.template, messages,
                                        **template_variables(page)).encode()
    for image in entry.leaflet.images:  # where the page's HTML (like the EPUB's) names it
        files[entry.folder + image.src] = image.path.read_bytes()
    for download in entry.downloads:
        files[download.path] = download.file


def _group(groups: tuple[LanguageGroup, ...], entry: Entry) -> LanguageGroup:
    return next(group for group in groups if group.lang == entry.leaflet.lang)


def _languages(entries: list[Entry], brand: Brand) -> tuple[LanguageGroup, ...]:
    """The entries by language, each language's by title; the project's default language
    (careleaf's source language, English) first, then the others by name."""
    by_lang: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: (e.leaflet.title.casefold(), e.leaflet.id)):
        by_lang.setdefault(entry.leaflet.lang, []).append(entry)
    return tuple(LanguageGroup(lang, tuple(by_lang[lang]), _feed_id(brand, lang),
                               _updated(by_lang[lang]), _topics(lang, by_lang[lang]))
                 for lang in sorted(by_lang, key=language_order))


def _topics(lang: str, entries: list[Entry]) -> tuple[Topic, ...]:
    """The keywords of ``entries`` (in title order) as topics, by name; keywords that are
    one folder name (``Back pain``, ``back pain``) are one topic."""
    spellings: dict[str, Counter[str]] = {}
    members: dict[str, list[Entry]] = {}
    for entry in entries:
        for keyword in entry.leaflet.keywords:
            slug = topic_slug(keyword)
            spellings.setdefault(slug, Counter())[keyword] += 1
            if entry not in members.setdefault(slug, []):
                members[slug].append(entry)
    topics = [Topic(lang, spellings[slug].most_common(1)[0][0], slug, tuple(members[slug]))
              for slug in members]
    return tuple(sorted(topics, key=lambda topic: (topic.name.casefold(), topic.slug)))


def language_order(lang: str) -> tuple[bool, str, str]:
    """Where ``lang`` comes among the site's languages: the default first, then by name.

    "By name" is by each language's name in itself, as a reader scans the list: the
    letters without their accents, in any case (``Español`` sorts as ``espanol``), then
    Unicode's order, which puts the scripts in the order of Unicode's collation: Latin
    (Deutsch, English, Español, Français), Greek, Cyrillic, Hebrew, Arabic (العربية),
    the scripts of India, then Chinese, Japanese and Korean. The tag breaks a tie."""
    decomposed = unicodedata.normalize("NFKD", native_name(lang))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return lang != SOURCE_LANGUAGE, letters, lang


def _feed_id(brand: Brand, name: str | None = None) -> str:
    """Stable for as long as the clinic publishes at the same address; each feed of the
    site (``name``, a language: its navigation feed) has its own."""
    address = brand.base_url.rstrip("/") + (f"/{name}" if name else "")
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'opds:{address}')}"


def _updated(entries: Iterable[Entry]) -> str:
    """The newest review among the ebooks: a date from the sources, so the feed is
    the same bytes on every build."""
    dates = [entry.leaflet.reviewed for entry in entries if entry.epub]
    return f"{max(dates).isoformat() if dates else '1970-01-01'}T00:00:00Z"


def _cover(entry: Entry, brand: Brand, messages: Messages) -> bytes:
    """The EPUB's cover image, so the site shows exactly what the ebook does; drawn
    the same way for a leaflet without an EPUB."""
    if entry.epub is not None:
        try:
            with zipfile.ZipFile(entry.epub.file) as book:
                name = _cover_name(book)
                if name is not None:
                    return book.read(name)
        except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
            pass  # an unreadable EPUB is the check's to report
    return cover_png(entry.leaflet, brand, messages)


def _cover_name(book: zipfile.ZipFile) -> str | None:
    """The zip entry of the package's ``cover-image`` item, found as reading apps do."""
    container = etree.fromstring(book.read("META-INF/container.xml"))
    package = container.find(".//c:rootfile", _CONTAINER)
    if package is None:
        return None
    opf_name = str(package.get("full-path", ""))
    opf = etree.fromstring(book.read(opf_name))
    for item in opf.iterfind(".//opf:manifest/opf:item", _OPF):
        if "cover-image" in str(item.get("properties", "")).split():
            return posixpath.normpath(posixpath.join(posixpath.dirname(opf_name),
                                                     str(item.get("href"))))
    return None


def _thumbnail(cover: bytes, old_cover: Path, old_thumbnail: Path) -> bytes:
    """A small copy of the cover; the one already in the site while the cover is the same."""
    if old_thumbnail.is_file() and old_cover.is_file() and old_cover.read_bytes() == cover:
        return old_thumbnail.read_bytes()
    from PIL import Image

    with Image.open(io.BytesIO(cover)) as image:
        height = round(image.height * THUMBNAIL_WIDTH / image.width)
        # The reducing gap shrinks by whole factors first: half the time, the same look.
        small = image.convert("RGB").resize((THUMBNAIL_WIDTH, height),
                                            Image.Resampling.LANCZOS, reducing_gap=2.0)
    buffer = io.BytesIO()
    small.quantize(64, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG",
                                                               compress_level=9)
    return buffer.getvalue()
