"""The HTML reader: a saved web page's article, its structure kept, its debris reported.

Which text is the article is trafilatura's call; what shape that text has is the page's.
The page is walked once into blocks (``walk``: headings with their levels, paragraphs,
list entries, a bold lead-in as ``lead``, a heading's or its ``<section>``'s ``id`` as
``anchor``), trafilatura extracts the main content from the same page, and the two runs
are lined up (``difflib``, in reading order): a page block that trafilatura kept is
kept with the page's own markup and full text (trafilatura drops the ids, turns ``<ol>``
into ``<ul>`` and drops the words inside ``<time>``), and every other block is a
``Dropped`` with a reason read from its ancestors' tags, classes and roles (cookie
banner, navigation, advertising, related articles, comments, footer...). ``walk`` is
also how the Word reader (``docx``) reads mammoth's clean HTML.

Why trafilatura and not readability-lxml (measured in December 2026, trafilatura
2.3.1 and readability-lxml 0.9, on ``tests/fixtures/import/leg-cramps-article.html``
(22 article blocks, 33 debris blocks) and careleaf's own page of
``chronic-muscle-spasms`` (36 leaflet blocks, 21 page-furniture blocks)):

=================  ========================  ========================  ========
library            article page              careleaf's own page       time
=================  ========================  ========================  ========
trafilatura        22/22 kept*, 33/33 gone   36/36 kept, 8/21 gone     5-7 ms
readability-lxml   22/22 kept, 28/33 gone    35/36 kept, 9/21 gone     4-6 ms
=================  ========================  ========================  ========

(* the h1 goes to trafilatura's metadata rather than its text; the reader keeps the
page's h1 as the title either way.) readability kept the byline, "5 min read", the
"Share this" row, the advertisement inside the article body and the newsletter
sign-up, the debris the issue names; trafilatura kept none of them. On careleaf's own
page neither can know that the "About this leaflet" box, the downloads and the urgent
line are the template's, not the leaflet's (readability also lost the summary), so a
page careleaf made (``<meta name="generator" content="careleaf ...">``, or in its
EPUB, whose meta ebooklib drops, a masthead and item sections) has that furniture
taken out by its class names, and the rest is the leaflet without asking trafilatura
(which, on the EPUB's page with no ``<main>``, dropped every heading), so a page
imported back keeps its section and item ids. Nothing is ever fetched: trafilatura
gets a string, never a URL.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.ingest.model import Block, BlockKind, Document, Dropped, ImportProblem

if TYPE_CHECKING:
    from lxml import etree
    from lxml.html import HtmlElement

NO_ARTICLE = ("no article text found: save the page again with its content, "
              "or copy the text into a .txt file")
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
#: Elements whose own text is a block of its own.
TEXT_BLOCKS = {*HEADINGS, "p", "li", "dt", "dd", "figcaption", "td", "th", "pre",
               "caption", "summary", "blockquote"}
#: Elements that hold blocks; text directly inside one is a paragraph of its own.
CONTAINERS = {"html", "body", "div", "section", "article", "main", "header", "footer",
              "aside", "nav", "figure", "form", "ul", "ol", "dl", "table", "thead",
              "tbody", "tfoot", "tr", "details", "fieldset", "address", "center"}
BLOCK_TAGS = TEXT_BLOCKS | CONTAINERS
#: Never visible text.
SKIP = {"head", "script", "style", "noscript", "template", "svg", "math", "iframe",
        "object", "select", "textarea", "input"}
BOLD = {"strong", "b"}
#: Debris by the words in an element's tag, id, class, role or label; the first
#: rule that matches the nearest such element says why it went.
REASONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (why, re.compile(words)) for why, words in (
        ("cookie banner", r"cookie|consent|gdpr|onetrust|cmp"),
        ("comments", r"comments?|disqus|replies|discussion"),
        ("advertising", r"ad|ads|advert\w*|advertisement|sponsor\w*|promo\w*|banner-ad"),
        ("related articles", r"related|recommended|read-next|more-stories|also"),
        ("share buttons", r"share|sharing|social"),
        ("newsletter sign-up", r"newsletter|subscribe|signup"),
        ("navigation", r"nav|navigation|menu|breadcrumbs?|skip|search|banner"),
        ("footer", r"footer|contentinfo"),
        ("byline", r"byline|author|dateline|meta|read-time|reading-time"),
    ))
TEXT_REASONS = ((r"^advertisement$", "advertising"), (r"\b\d+\s*min(ute)?s? read\b", "byline"),
                (r"^share this\b", "share buttons"))
#: A careleaf page's own furniture (layouts/base/leaflet.html, layouts/site/), by class:
#: the template's, not the leaflet's, so not imported back.
CARELEAF_FURNITURE = ("draft-mark", "kicker", "dates", "jump", "urgent-line", "urgent",
                      "contact", "about", "downloads-section", "site-header", "site-nav",
                      "site-bar", "more-about", "site-footer", "skip-link")


@dataclass(frozen=True)
class Found:
    """A block of the page and the element it came from (for reasons and alignment)."""

    block: Block
    element: HtmlElement


def read(path: Path, data: bytes) -> Document:
    """A saved web page → its article as blocks, with everything else as ``Dropped``."""
    root = parse(data)
    furniture = careleaf_furniture(root)
    found = walk(root, lambda element, _: f"line {element.sourceline}")
    kept = article(root, found, furniture)
    if not any(f.block.kind != "heading" for f in found if id(f) in kept):
        raise ImportProblem(NO_ARTICLE)
    blocks = tuple(f.block for f in found if id(f) in kept)
    dropped = tuple(Dropped(whole(f.block), reason(f, furniture), f.block.where)
                    for f in found if id(f) not in kept)
    return Document(path=path, kind="html", blocks=blocks, title=title(root, blocks),
                    authors=authors(root), origin=origin(root), lang=language(root),
                    dropped=dropped)


def parse(data: bytes) -> HtmlElement:
    """The page's tree; a file with no markup at all is no web page."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(xhtml_as_html(data))
    except (lxml.etree.ParserError, ValueError) as error:
        raise ImportProblem(f"{NO_ARTICLE} ({error})") from None
    return root


def xhtml_as_html(data: bytes) -> bytes | str:
    """XHTML (an EPUB's pages) as HTML: read as XML, so ``<span/>`` is empty rather
    than the start of a span that swallows the page, namespaces and all let go."""
    import lxml.etree

    if b"http://www.w3.org/1999/xhtml" not in data[:2000]:
        return data
    try:
        tree = lxml.etree.fromstring(data, lxml.etree.XMLParser(resolve_entities=False,
                                                                  no_network=True))
    except lxml.etree.XMLSyntaxError:
        return data
    for element in tree.iter():
        if isinstance(element.tag, str):
            element.tag = lxml.etree.QName(element).localname
    lxml.etree.cleanup_namespaces(tree)
    return str(lxml.etree.tostring(tree, method="html", encoding="unicode"))


def walk(root: HtmlElement, where: Callable[[HtmlElement, int], str]) -> list[Found]:
    """Every visible block of clean or messy HTML, in reading order: the shared walk of
    the HTML and Word readers. ``where`` names a block's place (element, its index)."""
    found: list[Found] = []
    kind: BlockKind
    for element, kind, level in _blocks(root):
        lead, text = lead_and_text(element)
        if not (lead or text):
            continue
        anchor = heading_anchor(element) if kind == "heading" else ""
        block = Block(kind, text, level, lead, where(element, len(found)), anchor)
        found.append(Found(block, element))
    return found


def _blocks(element: HtmlElement) -> Iterator[tuple[HtmlElement, BlockKind, int]]:
    """(element, kind, level) for each block-making element under ``element``."""
    for child in element.iterchildren():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in SKIP or not tag or hidden(child):
            continue
        if tag in HEADINGS:
            yield child, "heading", HEADINGS[tag]
        elif tag == "li":
            yield child, "item", 0
        elif tag in TEXT_BLOCKS:
            yield child, "paragraph", 0
        elif tag in CONTAINERS:
            yield child, "paragraph", 0  # its own loose text, if any (see lead_and_text)
        if tag in CONTAINERS or tag in TEXT_BLOCKS:
            yield from _blocks(child)


def hidden(element: HtmlElement) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return (element.get("hidden") is not None or element.get("aria-hidden") == "true"
            or "display:none" in style)


def lead_and_text(element: HtmlElement) -> tuple[str, str]:
    """An element's own text (nested blocks left to themselves), with a bold lead-in
    (``<p><strong>Rest.</strong> Stop…``) apart; a paragraph all in bold has none."""
    children = [c for c in element.iterchildren() if c.tag not in SKIP]
    first = children[0] if children else None
    if (first is not None and first.tag in BOLD and not clean(element.text)
            and first.tag not in BLOCK_TAGS):
        lead, rest = clean(inline_text(first)), clean(first.tail or "") + " "
        rest += "".join(inline_text(c) + (c.tail or "") for c in children[1:]
                        if c.tag not in BLOCK_TAGS)
        if lead and clean(rest):
            return lead, clean(rest)
    return "", clean(own_text(element))


def own_text(element: HtmlElement) -> str:
    """The text of ``element`` outside its nested blocks."""
    parts = [element.text or ""]
    for child in element.iterchildren():
        inline = isinstance(child.tag, str) and child.tag not in BLOCK_TAGS | SKIP
        parts.append(inline_text(child) if inline and not hidden(child) else " ")
        parts.append(child.tail or "")
    return "".join(parts)


def inline_text(element: HtmlElement) -> str:
    if element.tag == "br":
        return " "
    parts = [element.text or ""]
    for child in element.iterchildren():
        if isinstance(child.tag, str) and child.tag not in SKIP and not hidden(child):
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def clean(text: str | None) -> str:
    """Whitespace collapsed, soft hyphens gone; smart quotes kept as they are."""
    return " ".join((text or "").replace("\u00ad", "").split())


def heading_anchor(heading: HtmlElement) -> str:
    """The id the page gives a heading: its own, an ``<a id>`` inside it, or that of the
    ``<section>`` it opens. Word's hidden bookmarks (``_Toc…``, ``_GoBack``) are not ids."""
    ids = [heading.get("id") or ""]
    ids += [a.get("id") or a.get("name") or "" for a in heading.iter("a")]
    parent = heading.getparent()
    if parent is not None and parent.tag in {"section", "article"} and opens(parent, heading):
        ids.append(parent.get("id") or "")
    return next((i for i in ids if i and not i.startswith("_")), "")


def opens(section: HtmlElement, heading: HtmlElement) -> bool:
    """Whether ``heading`` is the first heading of ``section``."""
    first = next((e for e in section.iter(*HEADINGS)), None)
    return first is heading


def careleaf_furniture(root: HtmlElement) -> set[HtmlElement]:
    """On a page careleaf made, the elements its templates add around the leaflet."""
    generator = str(root.xpath("string(//meta[@name='generator']/@content)"))
    epub = root.xpath("//header[@class='masthead'] and //section[@class='item']")
    if not (generator.startswith("careleaf") or epub):  # ebooklib drops the meta
        return set()
    return {element for element in root.iter()
            if isinstance(element.tag, str)
            and set((element.get("class") or "").split()) & set(CARELEAF_FURNITURE)}


def article(root: HtmlElement, found: list[Found], furniture: set[HtmlElement]) -> set[int]:
    """The ``id``s of the found blocks that trafilatura says are the article."""
    candidates = [f for f in found if not any(n in furniture for n in marked(f))]
    if furniture:  # careleaf's own page: all but its furniture is the leaflet
        return {id(f) for f in candidates}
    candidates = [f for f in candidates if not never_article(f)]
    extracted = extract(root)
    if not extracted:
        raise ImportProblem(NO_ARTICLE)
    ours = [squash(whole(f.block)) for f in candidates]
    matcher = difflib.SequenceMatcher(None, ours, extracted, autojunk=False)
    kept: set[int] = set()
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        for index in range(i1, i2):
            if op == "equal" or (op == "replace" and similar(ours[index], extracted[j1:j2])):
                kept.add(id(candidates[index]))
    kept |= title_heading(found, kept)
    return kept


def marked(found: Found) -> list[HtmlElement]:
    """The elements whose markup says what a block is: its own and its ancestors, and,
    for a container's loose text, the inline elements that hold it."""
    inline = [c for c in found.element.iterchildren() if c.tag not in BLOCK_TAGS]
    return [*lineage(found.element), *(inline if found.element.tag in CONTAINERS else [])]


def never_article(found: Found) -> bool:
    """A cookie banner, a comment or anything in a ``<nav>``: debris even when the
    extractor takes it (it does, on a page with nothing else)."""
    in_nav = any(n.tag == "nav" or n.get("role") == "navigation" for n in marked(found))
    return in_nav or reason(found, set()) in ("cookie banner", "comments")


def extract(root: HtmlElement) -> list[str]:
    """trafilatura's main content, as the squashed text of each of its blocks. It gets
    the page as a string (never a URL), so it has nothing to fetch."""
    import lxml.etree
    import lxml.html
    import trafilatura

    xml = trafilatura.extract(lxml.html.tostring(root, encoding="unicode"),
                              output_format="xml", include_formatting=True,
                              include_comments=False, include_tables=True,
                              include_links=False, with_metadata=False, deduplicate=False)
    if not xml:
        return []
    tree = lxml.etree.fromstring(xml.encode("utf-8"))
    blocks = tree.iter("head", "p", "item", "cell", "quote", "code")
    texts = (squash("".join(str(t) for t in b.itertext())) if b.tag != "item"
             else squash(item_text(b)) for b in blocks)
    return [t for t in texts if t]


def item_text(item: etree._Element) -> str:
    """A trafilatura list entry's own text, its nested list left to its own entries."""
    parts = [item.text or ""]
    for child in item:
        if child.tag != "list":
            parts.append("".join(str(t) for t in child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def squash(text: str) -> str:
    """Text to compare: no whitespace at all (each side spaces inline markup its own way)."""
    return "".join(text.split()).casefold()


def similar(ours: str, theirs: list[str]) -> bool:
    """A page block trafilatura kept in another shape: nearly the same text (it drops
    words inside ``<time>``), or part of one of its blocks."""
    return any(difflib.SequenceMatcher(None, ours, t, autojunk=False).ratio() >= 0.8
               or (len(ours) >= 20 and ours in t) for t in theirs)


def title_heading(found: list[Found], kept: set[int]) -> set[int]:
    """The page's h1, which trafilatura takes for its metadata rather than its text: the
    last h1 before the first kept block (else the first h1), kept as the title."""
    if any(f.block.level == 1 and id(f) in kept for f in found if f.block.kind == "heading"):
        return set()
    first = next((n for n, f in enumerate(found) if id(f) in kept), len(found))
    h1s = [f for f in found if f.block.kind == "heading" and f.block.level == 1]
    before = [f for f in h1s if found.index(f) < first]
    chosen = before[-1] if before else (h1s[0] if h1s else None)
    return {id(chosen)} if chosen is not None else set()


def lineage(element: HtmlElement) -> Iterator[HtmlElement]:
    node: HtmlElement | None = element
    while node is not None:
        yield node
        node = node.getparent()


def whole(block: Block) -> str:
    return f"{block.lead} {block.text}".strip()


def reason(found: Found, furniture: set[HtmlElement]) -> str:
    """Why a block is not the article, as far as its markup and words tell."""
    text = whole(found.block).lower()
    for words, why in TEXT_REASONS:
        if re.search(words, text):
            return why
    for node in marked(found):
        if node in furniture:
            return "careleaf page furniture"
        marks = markup_words(node)
        for why, rule in REASONS:
            if any(rule.fullmatch(mark) for mark in marks):
                return why
    return "not part of the article"


def markup_words(node: HtmlElement) -> list[str]:
    """An element's tag, role, label and the words of its id and classes."""
    raw = " ".join(str(node.get(a) or "") for a in ("id", "class", "role", "aria-label"))
    return [str(node.tag), *(w for w in re.split(r"[\s_\-]+", raw.lower()) if w)]


def title(root: HtmlElement, blocks: tuple[Block, ...]) -> str:
    """The article's h1, else the page's ``<title>`` without the site's name."""
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    if h1:
        return h1
    return clean(root.findtext(".//title")).split(" | ")[0]


def authors(root: HtmlElement) -> tuple[str, ...]:
    names = str(root.xpath("string(//meta[@name='author']/@content)"))
    return tuple(n for n in (clean(part) for part in re.split(r"[,;]", names)) if n)


def origin(root: HtmlElement) -> str:
    """The page's own address: its canonical link, else its ``og:url``."""
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        url = clean(str(root.xpath(f"string({xpath})")))
        if url.startswith(("http://", "https://")):
            return url
    return ""


def language(root: HtmlElement) -> str:
    """``<html lang>``'s language, without its region (``en-GB`` → ``en``)."""
    tag = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or "")
    return tag.split("-")[0].strip().lower()
