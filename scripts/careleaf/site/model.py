"""The site's model: the typed records its pages and feed are drawn from.

A ``Download`` is one file offered for a leaflet, an ``Entry`` a leaflet as the site
lists it, ``SiteContext`` and ``LeafletPageContext`` what the ``site`` layout's
templates get. ``Listing`` is what the publish gate lets the site offer. ``site_dir``
says where a brand's site (and serve's preview of it) goes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from careleaf import __version__
from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.i18n.messages import english
from careleaf.outputs import FORMATS
from careleaf.project import Project
from careleaf.render.html import RenderContext
from careleaf.source.model import Leaflet

#: The layout folder that draws the site; its templates are its contract.
SITE_LAYOUT = "site"
INDEX, OPDS = "index.html", "opds.xml"
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


@dataclass(frozen=True)
class LanguageGroup:
    """The leaflets of one language, as the index and the feed list them."""

    lang: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class SiteContext:
    """What ``index.html`` and ``opds.xml`` get: every leaflet, grouped by language."""

    languages: tuple[LanguageGroup, ...]
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


@dataclass(frozen=True, kw_only=True)
class LeafletPageContext(RenderContext):
    """What a leaflet's page gets: the names ``base/leaflet.html`` uses (its
    ``ebook_url`` is the ebook beside the page), and the site's."""

    entry: Entry
    root: str
    stylesheets: tuple[str, ...]


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
