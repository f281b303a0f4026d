"""What search engines read: each leaflet page's JSON-LD, the sitemap and robots.txt.

A leaflet's page describes itself as a schema.org ``MedicalWebPage`` (its title,
summary, language, review date, who approved it, the clinic that publishes it, the
translation it is of or has), so a search engine can show it as reviewed health
information. ``sitemap.xml`` lists every page a search should find, each with the
date it was last reviewed, and ties the same page in each language together
(``hreflang``); ``robots.txt`` names it and keeps crawlers off the search pages, whose
results are the leaflet pages the sitemap already lists.

These are the site's only absolute addresses (a search engine needs them), made from
the brand's ``base_url``, where the site is published, and the site's own paths:
``<base_url>/en/minimal/index.html`` is the page every link of the site names, so a
search engine sees one address for each page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import etree

from careleaf.design.brand import Brand
from careleaf.site.model import INDEX, Entry, Files, LanguageGroup

SITEMAP, ROBOTS = "sitemap.xml", "robots.txt"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: What would end the ``<script>`` element (or open a comment in it), as JSON escapes.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
#: A ``hreflang`` cluster: each language's version of one page, by language tag.
Alternates = dict[str, str]


def absolute(brand: Brand, path: str) -> str:
    """The address on the web of ``path`` (from the site root), percent-encoded."""
    return f"{brand.base_url.rstrip('/')}/{quote(path)}"


def leaflet_json_ld(entry: Entry, brand: Brand,
                    groups: Iterable[LanguageGroup] = ()) -> str:
    """The leaflet page's schema.org ``MedicalWebPage``, as JSON safe inside a script
    element; ``groups`` (the site's languages) find the translations of an original."""
    leaflet = entry.leaflet
    page: dict[str, Any] = {
        "@context": "https://schema.org", **_work(brand, entry.page, leaflet.lang),
        "name": leaflet.title, "description": leaflet.summary, "version": leaflet.version,
        "lastReviewed": leaflet.reviewed.isoformat(), "image": absolute(brand, entry.cover),
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "isAccessibleForFree": True, "publisher": _publisher(brand),
    }
    if leaflet.keywords:
        page["keywords"] = list(leaflet.keywords)
    if not leaflet.is_draft and leaflet.approved_by:
        # Who signed it off for patients: what "reviewed by" means on a health page.
        page["reviewedBy"] = {"@type": "Person", "name": leaflet.approved_by}
    if entry.original and entry.original.page:
        page["translationOfWork"] = _work(brand, entry.original.page, entry.original.lang)
    if translations := [_work(brand, other.page, other.leaflet.lang)
                        for other in _translations(entry, groups)]:
        page["workTranslation"] = translations
    return json.dumps(page, ensure_ascii=False).translate(_SCRIPT_SAFE)


def _work(brand: Brand, path: str, lang: str) -> dict[str, str]:
    url = absolute(brand, path)
    return {"@type": "MedicalWebPage", "@id": url, "url": url, "inLanguage": lang}


def _publisher(brand: Brand) -> dict[str, str]:
    organisation = {"@type": "Organization", "name": brand.organisation,
                    "url": brand.website or absolute(brand, INDEX), "telephone": brand.phone}
    if brand.address:
        organisation["address"] = brand.address
    return organisation


def _translations(entry: Entry, groups: Iterable[LanguageGroup]) -> list[Entry]:
    """The site's translations made from ``entry``, by language."""
    found = (group.translation(entry.leaflet) for group in groups
             if group.lang != entry.leaflet.lang)
    return [other for other in found if other and other.original
            and other.original.page == entry.page]


def site_files(groups: tuple[LanguageGroup, ...], brand: Brand) -> Files:
    """``sitemap.xml`` and ``robots.txt``."""
    return {SITEMAP: sitemap(groups, brand), ROBOTS: robots(groups, brand).encode()}


def sitemap(groups: tuple[LanguageGroup, ...], brand: Brand) -> bytes:
    """Every page a search should find (not the search pages): the root, then each
    language's index, A-Z, topics, topic pages and leaflet pages, each with its newest
    review; a page in several languages names each of them, itself included."""
    namespaces: Any = {None: SITEMAP_NS, "xhtml": XHTML_NS}  # None: the default one
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap=namespaces)
    indexes = {group.lang: group.page for group in groups} | {"x-default": INDEX}
    _url(urlset, brand, INDEX, _newest(e for g in groups for e in g.entries), indexes)
    for group in groups:
        _url(urlset, brand, group.page, _newest(group.entries), indexes)
        for name in ("a_to_z", "topics_page"):
            _url(urlset, brand, getattr(group, name), _newest(group.entries),
                 {other.lang: getattr(other, name) for other in groups})
        for topic in group.topics:
            _url(urlset, brand, topic.page, _newest(topic.entries), {})
        for entry in group.entries:
            _url(urlset, brand, entry.page, entry.leaflet.reviewed,
                 _leaflet_alternates(entry, groups))
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _url(urlset: etree._Element, brand: Brand, path: str, lastmod: date | None,
         alternates: Alternates) -> None:
    url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
    etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(brand, path)
    if lastmod is not None:
        etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = lastmod.isoformat()
    if len(alternates) > 1:  # one language alone needs no cluster
        for lang, other in alternates.items():
            etree.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=lang,
                             href=absolute(brand, other))


def _newest(entries: Iterable[Entry]) -> date | None:
    return max((entry.leaflet.reviewed for entry in entries), default=None)


def _leaflet_alternates(entry: Entry, groups: Iterable[LanguageGroup]) -> Alternates:
    """The leaflet's page in each language the site has it in."""
    return {group.lang: same.page for group in groups
            if (same := group.translation(entry.leaflet)) is not None}


def robots(groups: tuple[LanguageGroup, ...], brand: Brand) -> str:
    """Every page may be crawled but the search pages: a page of results is no page of
    its own, and the leaflets it finds are in the sitemap."""
    base = urlsplit(brand.base_url).path.rstrip("/")
    lines = ["# The search pages are left out: the leaflets they find are in the sitemap."]
    if base:
        lines.append(f"# Crawlers read robots.txt at the root of a host only: with the site "
                     f"at {base}/, these lines belong in that one.")
    lines += ["User-agent: *", "Allow: /",
              *(f"Disallow: {base}/{quote(group.search_page.removesuffix(INDEX))}"
                for group in groups),
              f"Sitemap: {absolute(brand, SITEMAP)}"]
    return "\n".join(lines) + "\n"
