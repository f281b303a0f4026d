"""The site's model: the typed records its pages and feed are drawn from.

A ``Download`` is one file offered for a leaflet, an ``Entry`` a leaflet as the site
lists it, a ``LanguageGroup`` one language's leaflets (its index and feed), a
``LanguageLink`` one language in the language switcher; ``SiteContext`` and
``LeafletPageContext`` are what the ``site`` layout's templates get. ``Listing`` is
what the publish gate lets the site offer. ``site_dir`` says where a brand's site (and
serve's preview of it) goes.

The site's addresses: ``index.html`` (the languages) and ``opds.xml`` (the catalogue's
navigation feed, one entry per language) at the root, with ``sitemap.xml`` and
``robots.txt``; for each language, ``<lang>/index.html``, its A-Z (``<lang>/a-z/``),
its topics (``<lang>/topics/``, one page per keyword: ``<lang>/topics/<slug>/``), its
search page (``<lang>/search/``), its feeds and the OpenSearch description (the
``LanguageGroup`` names them); ``<lang>/<id>/`` for each leaflet, its page, downloads
and cover. ``Topic`` is one keyword of one language and the leaflets that have it.
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
from careleaf.project import Project, topic_slug
from careleaf.render.html import RenderContext
from careleaf.site.letters import Letter, by_letter
from careleaf.source.model import Leaflet

#: The layout folder that draws the site; its templates are its contract.
SITE_LAYOUT = "site"
INDEX, OPDS = "index.html", "opds.xml"
#: Each language's pages: its template, and the ``LanguageGroup`` property naming the file.
LANGUAGE_PAGES = (("language.html", "page"), ("language-opds.xml", "feed"),
                  ("a-z.html", "a_to_z"), ("topics.html", "topics_page"),
                  ("search.html", "search_page"), ("opds-all.xml", "all_feed"),
                  ("opds-new.xml", "new_feed"), ("topics-opds.xml", "topics_feed"),
                  ("updates.xml", "updates_feed"), ("opensearch.xml", "opensearch"))
#: Each topic's pages: its template, and the ``Topic`` property naming the file.
TOPIC_PAGES = (("topic.html", "page"), ("topic-opds.xml", "feed"))
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

    @property
    def for_patients(self) -> bool:
        """Whether a patient can use it (read it, print it at home): its layout says
        (``audience``); imposed sheets, to fold and staple, are the clinic's."""
        return self.layout.audience == "patients" and not self.imposed


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
class Topic:
    """One keyword of one language and its leaflets (by title): a page and a feed."""

    lang: str
    #: The keyword as its leaflets spell it most often (ties: the first by title).
    name: str
    slug: str
    entries: tuple[Entry, ...]

    @property
    def folder(self) -> str:
        return f"{self.lang}/topics/{self.slug}/"

    @property
    def page(self) -> str:
        return f"{self.folder}{INDEX}"

    @property
    def feed(self) -> str:
        return f"{self.folder}{OPDS}"


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
    #: Its keywords, by name; a leaflet with no keyword is in none.
    topics: tuple[Topic, ...] = ()

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
        """Its OPDS navigation feed: all its ebooks, the newest, and by topic."""
        return f"{self.lang}/{OPDS}"

    @property
    def a_to_z(self) -> str:
        return f"{self.lang}/a-z/{INDEX}"

    @property
    def topics_page(self) -> str:
        return f"{self.lang}/topics/{INDEX}"

    @property
    def search_page(self) -> str:
        return f"{self.lang}/search/{INDEX}"

    @property
    def all_feed(self) -> str:
        """The OPDS acquisition feed of all its ebooks, by title."""
        return f"{self.lang}/opds-all.xml"

    @property
    def new_feed(self) -> str:
        """The OPDS acquisition feed of its ebooks, the most recently reviewed first."""
        return f"{self.lang}/opds-new.xml"

    @property
    def topics_feed(self) -> str:
        """The OPDS navigation feed of its topics, each to the topic's acquisition feed."""
        return f"{self.lang}/topics/{OPDS}"

    @property
    def updates_feed(self) -> str:
        """The Atom feed of new and updated leaflets, for feed readers (by ``reviewed``)."""
        return f"{self.lang}/updates.xml"

    @property
    def opensearch(self) -> str:
        return f"{self.lang}/opensearch.xml"

    @property
    def newest(self) -> tuple[Entry, ...]:
        """Its entries, the most recently reviewed first (then by title)."""
        return tuple(sorted(self.entries, key=lambda e: e.leaflet.reviewed, reverse=True))

    @property
    def letters(self) -> tuple[Letter[Entry], ...]:
        """Its entries under the first letters of their titles: the A-Z (``letters``)."""
        return by_letter(self.entries, lambda entry: entry.leaflet.title, self.lang)

    def topics_of(self, entry: Entry) -> tuple[Topic, ...]:
        """The topics ``entry`` is in, in the order of its keywords."""
        slugs = [topic_slug(keyword) for keyword in entry.leaflet.keywords]
        by_slug = {topic.slug: topic for topic in self.topics}
        return tuple(by_slug[slug] for slug in dict.fromkeys(slugs) if slug in by_slug)

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
    #: ``NAVIGATION``: the root's feed and each language's are navigation feeds.
    feed_type: str
    #: The page's language (None on the root): its A-Z, topics, search and feeds.
    group: LanguageGroup | None = None


@dataclass(frozen=True, kw_only=True)
class SiteContext:
    """What the root's pages get (``index.html``, ``opds.xml``: every language) and each
    language's (``LANGUAGE_PAGES``, with ``language``; ``TOPIC_PAGES``, with ``topic``)."""

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
    #: On a topic's page and feed: the topic.
    topic: Topic | None = None
    careleaf_version: str = __version__


@dataclass(frozen=True, kw_only=True)
class LeafletPageContext(RenderContext):
    """What a leaflet's page gets: the names ``base/leaflet.html`` uses (its
    ``ebook_url`` is the ebook beside the page), and the site's."""

    entry: Entry
    root: str
    stylesheets: tuple[str, ...]
    navigation: Navigation
    #: The leaflet's language: its topics ("More about back pain"), A-Z and search.
    language: LanguageGroup
    #: The page's schema.org ``MedicalWebPage`` as JSON, for search engines (``seo``).
    json_ld: str = ""


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
