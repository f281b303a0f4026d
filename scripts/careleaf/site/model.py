"""The site's model: the typed records its pages and feed are drawn from.

A ``Download`` is one file offered for a leaflet, an ``Entry`` a leaflet as the site
lists it, a ``LanguageGroup`` one language's leaflets (its index and feed), a
``LanguageLink`` one language in the language switcher; ``SiteContext`` and
``LeafletPageContext`` are what the ``site`` layout's templates get. ``Listing`` is
what the publish gate lets the site offer. ``site_dir`` says where a brand's site (and
serve's preview of it) goes.

The site's addresses: ``index.html`` (the languages) and ``opds.xml`` (the catalogue's
navigation feed, one entry per language) at the root; ``<lang>/index.html`` and
``<lang>/opds.xml`` (an acquisition feed) for each language; ``<lang>/<id>/`` for each
leaflet, its page, downloads and cover.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from careleaf import __version__
from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.i18n.languages import Direction, language, native_name
from careleaf.i18n.messages import english
from careleaf.outputs import FORMATS
from careleaf.project import Project
from careleaf.render.html import RenderContext
from careleaf.source.model import Leaflet

#: The layout folder that draws the site; its templates are its contract.
SITE_LAYOUT = "site"
INDEX, OPDS = "index.html", "opds.xml"
#: The templates of a language's index and feed (``index.html`` and ``opds.xml`` draw the root's).
LANGUAGE_INDEX, LANGUAGE_FEED = "language.html", "language-opds.xml"
#: The media types of the root's navigation feed and of each language's acquisition feed.
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
COVER, THUMBNAIL = "cover.png", "cover-thumbnail.png"
#: Twice the width the index shows it at, so it stays sharp on phone screens.
THUMBNAIL_WIDTH = 240


def format_size(size: int) -> str:
    """A file size as people read it: ``812 bytes``, ``48 KB``, ``1.2 MB`` (powers of 1000);
    pages show it in their own language with the ``file_size`` filter."""
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
        found = FORMATS.get(self.layout.format or "")
        return found.media_type if found else "application/octet-stream"


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


def translation_key(leaflet: Leaflet) -> tuple[str, str]:
    """The same for a leaflet and its translations (ids are the same in every language):
    the original's language and the id."""
    return leaflet.translation_of or leaflet.lang, leaflet.id


@dataclass(frozen=True)
class LanguageGroup:
    """The leaflets of one language: its index page and its feed list them."""

    lang: str
    entries: tuple[Entry, ...]
    #: Its feed's Atom ``id``, and the newest review date of its ebooks, as an Atom date.
    feed_id: str = ""
    updated: str = ""

    @property
    def name(self) -> str:
        """The language named in itself: ``Español``, ``العربية``."""
        return native_name(self.lang)

    @property
    def direction(self) -> Direction:
        return language(self.lang).direction

    @property
    def page(self) -> str:
        return f"{self.lang}/{INDEX}"

    @property
    def feed(self) -> str:
        return f"{self.lang}/{OPDS}"

    @property
    def ebooks(self) -> tuple[Entry, ...]:
        """The entries its feed offers: those with an EPUB."""
        return tuple(entry for entry in self.entries if entry.epub)

    def translation(self, leaflet: Leaflet) -> Entry | None:
        """``leaflet`` in this language (itself, its original or a translation), if listed."""
        key = translation_key(leaflet)
        return next((e for e in self.entries if translation_key(e.leaflet) == key), None)


@dataclass(frozen=True)
class LanguageLink:
    """One language in the language switcher, named in itself."""

    lang: str
    #: From the site root: the page's leaflet in that language, else the language's index.
    page: str
    #: The language of the page it is on: the link is marked ``aria-current``.
    current: bool

    @property
    def name(self) -> str:
        return native_name(self.lang)

    @property
    def direction(self) -> Direction:
        return language(self.lang).direction


@dataclass(frozen=True)
class Navigation:
    """What every page's header names besides the brand: the language switcher, the
    page's language index (None on the root) and the catalogue it offers, all from
    the site root; its templates see it as ``navigation``."""

    switcher: tuple[LanguageLink, ...]
    language_page: str | None
    feed: str
    #: ``NAVIGATION`` for the root's feed, ``ACQUISITION`` for a language's.
    feed_type: str


@dataclass(frozen=True, kw_only=True)
class SiteContext:
    """What ``index.html`` and ``opds.xml`` (the root: every language) and
    ``language.html`` and ``language-opds.xml`` (one ``language``) get."""

    #: Every language, the project's default first, then by name.
    languages: tuple[LanguageGroup, ...]
    #: The page's language: None on the root, which is in the default language.
    language: LanguageGroup | None
    #: The page's language tag and direction.
    lang: str
    direction: Direction
    layout: Layout
    #: The brand, its ``logo`` a path from the page being drawn.
    brand: Brand
    #: The way from the page to the site root (``""``, or ``"../"`` from a language's).
    root: str
    stylesheets: tuple[str, ...]
    navigation: Navigation
    #: The feed's Atom ``id``, and the newest review date of its ebooks.
    feed_id: str
    updated: str
    careleaf_version: str = __version__


@dataclass(frozen=True, kw_only=True)
class LeafletPageContext(RenderContext):
    """What a leaflet's page gets: the names ``base/leaflet.html`` uses (its
    ``ebook_url`` is the ebook beside the page), and the site's."""

    entry: Entry
    root: str
    stylesheets: tuple[str, ...]
    navigation: Navigation


#: Each file of the site: the bytes to write, or a built file to link (or copy).
Files = dict[str, bytes | Path]


@dataclass(frozen=True)
class Listing:
    """What the publish gate lets the site offer: for each leaflet published (its source,
    resolved), the built files (resolved) it may offer, each as the check passed it.

    The site without a listing is serve's preview: every leaflet, drafts included (its
    pages carry the draft banner), each with whatever of it is built and fresh.
    """

    files: dict[Path, frozenset[Path]]

    def allows(self, leaflet: Leaflet) -> bool:
        return leaflet.path.resolve() in self.files

    def offers(self, leaflet: Leaflet, path: Path) -> bool:
        return path.resolve() in self.files.get(leaflet.path.resolve(), frozenset())

    def digest_lines(self) -> list[str]:
        return [f"{source}:{','.join(sorted(map(str, files)))}"
                for source, files in sorted(self.files.items())]


def site_dir(project: Project, brand_name: str = "default", *, preview: bool = False) -> Path:
    """``build/site``; ``build/brands/<name>/site`` for a brand other than the default.
    Serve's preview, which shows drafts, is ``preview`` beside it: never the site."""
    return project.brand_dir(brand_name) / ("preview" if preview else "site")


def from_page(brand: Brand, root: str) -> Brand:
    """``brand`` as a page ``root`` away from the site root sees it: its logo's copy."""
    if not brand.logo:
        return brand
    return replace(brand, logo=f"{root}logo{Path(brand.logo).suffix.lower()}")
