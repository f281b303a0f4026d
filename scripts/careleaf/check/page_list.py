"""Check an ebook's page list against the printed PDF it claims to follow.

The EPUB says "page 2 begins here"; this reads both files back from disk and
proves it: the page list has one entry per printed page, each entry points at
a page-break marker in the content, and the words that follow marker N open
(or at least sit on) page N of the PDF. A reader told "see page 2" in a clinic
must land on the same words as the patient holding the paper.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from careleaf.check.readback import UnreadableOutput, read_output
from careleaf.errors import Report, display_path

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf"}
CHECK = "page-list"
#: Words after a marker that must be found on its printed page.
SAMPLE = 4
#: The text after a marker, but for the draft mark: the PDF repeats it on every page,
#: wherever its rotated words fall in the text layer.
FOLLOWING = "following::text()[not(ancestor::*[contains(concat(' ', @class, ' '), " \
    "' draft-mark ')])]"


def check_page_list(epub: Path, pdf: Path, report: Report) -> None:
    """Report every way the page list of ``epub`` disagrees with the pages of ``pdf``."""
    try:
        entries, documents = _page_list(epub)
        pdf_back = read_output(pdf, "pdf")
        printed = pdf_back.pages
    except (UnreadableOutput, OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        report.error(epub, None, f"cannot read the page list: {exc}", CHECK)
        return
    if len(entries) != len(printed):
        report.error(epub, None, f"the page list has {len(entries)} entries but "
                     f"{display_path(pdf)} has {len(printed)} pages; rebuild the ebook", CHECK)
    for number, (label, href) in enumerate(entries, start=1):
        name, _, fragment = href.partition("#")
        document = documents.get(name)
        found = _xpath(document, "//*[@id=$id]", id=fragment) if document is not None else []
        if label != str(number) or not found:
            report.error(epub, None, f"page list entry {number} ('{label}' -> {href}) does not "
                         "point at that page's marker", CHECK)
            continue
        following = pdf_back.source_words(" ".join(_xpath(found[0], FOLLOWING)))
        following = following[:SAMPLE]
        if number <= len(printed) and not _contains(printed[number - 1], following):
            report.error(epub, None, f"page {number} is marked before '{' '.join(following)}', "
                         f"which is not on page {number} of {display_path(pdf)}", CHECK)


def _page_list(epub: Path) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """The page list's (label, href) entries and the content documents they point into."""
    with zipfile.ZipFile(epub) as book:
        opf_path = _opf_path(book)
        opf = etree.fromstring(book.read(opf_path))
        folder = opf_path.rpartition("/")[0]
        nav_href = _xpath(opf, "//opf:item[contains(@properties, 'nav')]/@href")[0]
        nav = etree.fromstring(book.read(_join(folder, nav_href)))
        links = _xpath(nav, "//x:nav[@epub:type='page-list']//x:a")
        entries = [("".join(a.itertext()).strip(), a.get("href", "")) for a in links]
        names = {href.partition("#")[0] for _, href in entries}
        documents = {name: etree.fromstring(book.read(_join(folder, name))) for name in names}
    return entries, documents


def _opf_path(book: zipfile.ZipFile) -> str:
    container = etree.fromstring(book.read("META-INF/container.xml"))
    return str(_xpath(container, "//*[local-name()='rootfile']/@full-path")[0])


def _xpath(node: Any, path: str, **variables: str) -> list[Any]:
    return list(node.xpath(path, namespaces=NS, **variables))


def _join(folder: str, href: str) -> str:
    return f"{folder}/{href}" if folder else href


def _contains(have: list[str], wanted: list[str]) -> bool:
    size = len(wanted)
    return any(have[i:i + size] == wanted for i in range(len(have) - size + 1))
