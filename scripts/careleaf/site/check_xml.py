"""Read the site's XML back as ebook apps, feed readers and search engines do.

``careleaf.site.check`` reads the pages; this module reads the rest: every ``.xml`` file
of the site must be well-formed. An Atom feed (the OPDS catalogue, each language's
feed of new and updated leaflets) must have its id, title and date, and so must each
of its entries; its links must name files of the site, with true lengths. Every feed
of the catalogue (``opds*.xml``) must be reachable from its start, ``opds.xml``. The
sitemap's addresses and an OpenSearch description's must be the site's own, under the
brand's ``base_url``, and name its files; ``robots.txt`` must name the sitemap, and
the sitemap list every page but the search pages.

A link is the site's when it is relative, or absolute under ``base_url``; any other
address (the clinic's website, a reference) is not the site's to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from careleaf.errors import Report, display_path
from careleaf.site.model import INDEX, OPDS
from careleaf.site.seo import ROBOTS, SITEMAP, SITEMAP_NS, XHTML_NS

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
#: What an Atom feed, and each of its entries, must have (RFC 4287).
REQUIRED = ("id", "title", "updated")
#: The search pages: no search engine should list them (robots.txt keeps it off them).
SEARCH_PAGE = f"search/{INDEX}"


@dataclass(frozen=True)
class SiteFiles:
    """The site as its links see it: its folder, and the address it is published at."""

    folder: Path
    #: ``base_url`` with one final slash; empty when the brand cannot be read.
    base: str

    def external(self, href: str) -> bool:
        """An address of another site: not the site's to check."""
        parts = urlsplit(href)
        return bool(parts.scheme or parts.netloc) and not self.absolute(href)

    def absolute(self, href: str) -> bool:
        return bool(self.base) and href.startswith(self.base)

    def target(self, source: Path, href: str) -> Path | None:
        """The file of the site ``href`` in ``source`` names (a folder: its index), or
        None if there is none."""
        if self.absolute(href):
            path = urlsplit(href[len(self.base):]).path
            named = self.folder / unquote(path)
        else:
            path = urlsplit(href).path
            named = source.parent / unquote(path)
        target = (named / INDEX if not path or path.endswith("/") else named).resolve()
        inside = target.is_relative_to(self.folder.resolve())
        return target if inside and target.is_file() else None


def line_of(element: etree._Element) -> int | None:
    """The line ``element`` starts on, if the parser knew it."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) else None


def read_xml(path: Path, report: Report | None = None) -> etree._Element | None:
    """The root of the XML file at ``path``, or None (an error in ``report``, if given)."""
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False,
                                                      no_network=True)).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        if report is not None:
            report.error(path, None, f"not well-formed XML, which no app can read: {exc}")
        return None


def check_documents(site: SiteFiles, report: Report) -> int:
    """Check every XML file of the site, the catalogue's reach and ``robots.txt``; the
    number of XML files read."""
    documents = sorted(site.folder.rglob("*.xml"))
    for path in documents:
        root = read_xml(path, report)
        if root is None:
            continue
        if root.tag == f"{ATOM}feed":
            _check_feed(site, path, root, report)
        elif root.tag == f"{{{SITEMAP_NS}}}urlset":
            _check_sitemap(site, path, root, report)
        elif root.tag == f"{OPENSEARCH}OpenSearchDescription":
            for url in root.iter(f"{OPENSEARCH}Url"):
                _check_address(site, path, url, str(url.get("template", "")), report)
    _check_reach(site, report)
    _check_robots(site, report)
    return len(documents)


def _check_feed(site: SiteFiles, feed: Path, root: etree._Element, report: Report) -> None:
    for element in (root, *root.iterfind(f"{ATOM}entry")):
        missing = [name for name in REQUIRED if not element.findtext(f"{ATOM}{name}")]
        if missing:
            what = "the feed" if element is root else "an entry"
            report.error(feed, line_of(element), f"{what} has no {', '.join(missing)}, "
                         "which Atom requires")
    for link in root.iter(f"{ATOM}link"):
        href, line = str(link.get("href", "")), line_of(link)
        if site.external(href):
            continue
        target = site.target(feed, href)
        if target is None:
            report.error(feed, line, f"links to '{href}', which is not a file of the site")
        elif (length := link.get("length")) is not None and length != str(
                target.stat().st_size):
            mismatch(report, feed, line, target, f"gives '{href}' a length of {length} "
                     f"bytes, but the file has {target.stat().st_size}")


def mismatch(report: Report, page: Path, line: int | None, target: Path, message: str) -> None:
    """A page that misdescribes a file it is older than is stale; otherwise it is wrong."""
    if target.stat().st_mtime > page.stat().st_mtime:
        report.warning(page, line, f"{message}: the file changed after the site was made; "
                       "run 'careleaf publish' to update the site")
    else:
        report.error(page, line, message)


def _check_address(site: SiteFiles, path: Path, element: etree._Element, address: str,
                   report: Report) -> None:
    """An address a search engine keeps apart from the site: the site's, absolute."""
    if not site.base:
        return  # no brand to say where the site is: the brand's errors say why
    if not site.absolute(address):
        report.error(path, line_of(element), f"names '{address}', which is not an "
                     f"address of the site (under {site.base})")
    elif site.target(path, address) is None:
        report.error(path, line_of(element), f"names '{address}', which is not a file "
                     "of the site")


def _check_sitemap(site: SiteFiles, path: Path, root: etree._Element, report: Report) -> None:
    """Its addresses name files of the site, and it lists every page but the search's."""
    listed = set()
    for loc in root.iter(f"{{{SITEMAP_NS}}}loc"):
        _check_address(site, path, loc, (loc.text or "").strip(), report)
        listed.add(site.target(path, (loc.text or "").strip()))
    for link in root.iter(f"{{{XHTML_NS}}}link"):
        _check_address(site, path, link, str(link.get("href", "")), report)
    if path != site.folder / SITEMAP or not site.base:
        return
    for page in sorted(site.folder.rglob(INDEX)):
        search = page.relative_to(site.folder).as_posix().endswith(SEARCH_PAGE)
        if search and page.resolve() in listed:
            report.error(path, None, f"lists {display_path(page)}, a search page: search "
                         "engines should list the leaflets it finds, not its results")
        elif not search and page.resolve() not in listed:
            report.error(path, None, f"does not list {display_path(page)}, which search "
                         "engines should find")


def feed_links(site: SiteFiles, feed: Path) -> set[Path]:
    """The files of the site the feed at ``feed`` links to (resolved); none if unreadable."""
    root = read_xml(feed)
    if root is None:
        return set()  # check_documents said so
    return {target for link in root.iter(f"{ATOM}link")
            if (target := site.target(feed, str(link.get("href", ""))))}


def _check_reach(site: SiteFiles, report: Report) -> None:
    """Every feed of the catalogue can be reached from its start: an app sees no other."""
    start = (site.folder / OPDS).resolve()
    reached, waiting = {start}, [start]
    while waiting:
        for target in feed_links(site, waiting.pop()) - reached:
            if target.suffix == ".xml":
                reached.add(target)
                waiting.append(target)
    for feed in sorted(site.folder.rglob("opds*.xml")):
        if feed.resolve() not in reached:
            report.error(feed, None, f"cannot be reached from {display_path(site.folder / OPDS)}"
                         ": no feed of the catalogue leads to it")


def _check_robots(site: SiteFiles, report: Report) -> None:
    robots = site.folder / ROBOTS
    if not site.base:
        return
    wanted = f"Sitemap: {site.base}{SITEMAP}"
    try:
        lines = robots.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        report.error(robots, None, f"cannot be read, so search engines find no sitemap: {exc}")
        return
    if wanted not in lines:
        report.error(robots, None, f"does not name the sitemap: add the line '{wanted}'")
