"""The ebook's page list: the pages of the printed A4 leaflet, marked in the EPUB.

Each marker is checked against the real PDF: the words just after it must open
that page, and the words just before it must end the previous one.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from lxml import etree
from pypdf import PdfReader

from careleaf.formats.page_starts import PageStart, mark_pages
from conftest import MINIMAL, TmpProject

OPS = "http://www.idpf.org/2007/ops"
XHTML = "http://www.w3.org/1999/xhtml"
NS = {"x": XHTML, "epub": OPS}


def long_overview(project: TmpProject, paragraphs: int) -> None:
    """A leaflet whose opening runs over several A4 pages, breaking mid-paragraph."""
    # Numbered sentences: no run of words repeats, so a misplaced marker cannot pass.
    overview = "\n\n".join(
        " ".join(f"Tip {p}-{n}: rest the sore muscle and drink water." for n in range(14))
        for p in range(paragraphs))
    project.write("source/en/minimal.md", MINIMAL.replace(
        "Leg cramps are sudden, painful tightening of a muscle.", overview))


def epub_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as book:
        return book.read(name)


def pdf_pages(path: Path) -> list[list[str]]:
    texts = [page.extract_text() for page in PdfReader(path).pages]
    return [text.replace("\u2010\n", "").split() for text in texts]


def contains(words: list[str], run: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


def find(node: Any, path: str) -> list[Any]:
    return list(node.xpath(path, namespaces=NS))


def markers(content: bytes) -> list[Any]:
    return find(etree.fromstring(content), "//x:span[@epub:type='pagebreak']")


def words_around(marker: Any, count: int) -> tuple[list[str], list[str]]:
    before = " ".join(find(marker, "preceding::text()[not(ancestor::x:head)]")).split()
    after = " ".join(find(marker, "following::text()")).split()
    return before[-count:], after[:count]


def test_every_printed_page_is_marked_where_it_begins(minimal: TmpProject) -> None:
    long_overview(minimal, 9)
    assert minimal.run("build").exit_code == 0
    pages = pdf_pages(minimal.output("en", "minimal", "minimal-a4.pdf"))
    assert len(pages) >= 3
    epub = minimal.output("en", "minimal", "minimal.epub")
    found = markers(epub_member(epub, "EPUB/leaflet.xhtml"))
    assert [m.get("aria-label") for m in found] == [str(n) for n in range(1, len(pages) + 1)]
    inside_paragraph = 0
    for number, marker in enumerate(found[1:], start=2):
        before, after = words_around(marker, 6)
        assert contains(pages[number - 1], after), (number, after)
        assert contains(pages[number - 2], before), (number, before)
        inside_paragraph += marker.getparent().tag == f"{{{XHTML}}}p"
    assert inside_paragraph >= 1  # the long overview breaks inside a paragraph


def test_nav_has_a_hidden_page_list_and_the_opf_names_the_print_edition(
        minimal: TmpProject) -> None:
    long_overview(minimal, 9)
    assert minimal.run("build").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    nav = etree.fromstring(epub_member(epub, "EPUB/nav.xhtml"))
    page_list = find(nav, "//x:nav[@epub:type='page-list']")
    assert len(page_list) == 1 and page_list[0].get("hidden") is not None
    links = find(page_list[0], ".//x:a")
    page_count = len(PdfReader(minimal.output("en", "minimal", "minimal-a4.pdf")).pages)
    assert [a.text for a in links] == [str(n) for n in range(1, page_count + 1)]
    content = epub_member(epub, "EPUB/leaflet.xhtml").decode()
    for link in links:
        assert f'id="{link.get("href").split("#")[1]}"' in content
    opf = epub_member(epub, "EPUB/content.opf").decode()
    edition = "https://leaflets.riverside-clinic.example.org/en/minimal/minimal-a4.pdf"
    assert f"<dc:source>{edition}</dc:source>" in opf
    assert f'<meta property="pageBreakSource">{edition}</meta>' in opf
    assert "printPageNumbers</meta>" in opf
    assert f"the {page_count}-page printed leaflet" in opf


def test_page_list_needs_no_a4_build_and_follows_a4_layout_changes(
        minimal: TmpProject) -> None:
    long_overview(minimal, 9)
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    assert not minimal.output("en", "minimal", "minimal-a4.pdf").exists()
    pages_before = len(markers(epub_member(epub, "EPUB/leaflet.xhtml")))
    assert pages_before >= 3
    # Bigger print type in the A4 layout: more printed pages, so the ebook is rebuilt.
    css = minimal.root / "layouts" / "print" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { font-size: 16pt; }\n",
                   encoding="utf-8")
    result = minimal.run("build", "--layout", "epub")
    assert result.exit_code == 0 and "1 built" in result.output, result.output
    assert len(markers(epub_member(epub, "EPUB/leaflet.xhtml"))) > pages_before


def test_without_page_list_there_are_no_markers_and_no_page_claims(
        minimal: TmpProject) -> None:
    config = minimal.root / "layouts" / "epub" / "layout.yml"
    config.write_text("\n".join(line for line in config.read_text().splitlines()
                                if not line.startswith("page_list")) + "\n")
    assert minimal.run("build", "--layout", "epub").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    assert markers(epub_member(epub, "EPUB/leaflet.xhtml")) == []
    opf = epub_member(epub, "EPUB/content.opf").decode()
    assert "printPageNumbers" not in opf and "<dc:source>" not in opf
    assert b"page-list" not in epub_member(epub, "EPUB/nav.xhtml")


@pytest.mark.parametrize("value", ["trifold-a4", "nowhere", "epub"])
def test_page_list_must_name_a_pdf_layout_of_printed_pages(minimal: TmpProject,
                                                           value: str) -> None:
    config = minimal.root / "layouts" / "epub" / "layout.yml"
    lines = config.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("page_list"))
    config.write_text(config.read_text().replace("page_list: a4", f"page_list: {value}"))
    result = minimal.run("build", "--layout", "epub")
    assert result.exit_code == 1
    assert (f"layouts/epub/layout.yml:{line}: error: 'page_list' names '{value}', which is "
            "not a PDF layout") in result.output


def test_marker_goes_before_the_word_even_across_inline_markup() -> None:
    document: Any = lxml.html.document_fromstring(
        "<html><body><section id='s'><h2>Title</h2><p>One <strong>two thr</strong>ee four "
        "<em>five</em> six</p><ul><li>first</li><li>second</li></ul></section></body></html>")
    body = document.body
    missing = mark_pages(body, [PageStart(2, "s", 1, 3), PageStart(3, "s", 1, 4),
                                PageStart(4, "s", 3, 0), PageStart(5, "gone", 0, 0)])
    html = lxml.html.tostring(body, encoding="unicode")
    # "thr</strong>ee" is one word; page 3 starts at "five", inside <em>.
    assert ('<p>One <strong>two thr</strong>ee <span id="page_2" role="doc-pagebreak" '
            'epub:type="pagebreak" aria-label="2"></span>four <em><span id="page_3" '
            'role="doc-pagebreak" epub:type="pagebreak" aria-label="3"></span>five</em> six</p>'
            ) in html
    assert ('<li><span id="page_4" role="doc-pagebreak" epub:type="pagebreak" '
            'aria-label="4"></span>second</li>') in html
    assert missing == ["5"] and html.endswith('aria-label="5"></span></body>')


def test_check_proves_the_page_list_against_the_pdf(minimal: TmpProject) -> None:
    from test_check import rewrite_epub

    long_overview(minimal, 9)
    assert minimal.run("build").exit_code == 0
    assert minimal.run("check").exit_code == 0
    epub = minimal.output("en", "minimal", "minimal.epub")
    marker = 'role="doc-pagebreak" epub:type="pagebreak" aria-label="2"/>'

    def move_page_2(data: bytes) -> bytes:  # to the start of the text: page 1's words
        text = data.decode()
        start = text.index('<span id="page_2"')
        text = text[:start] + text[start + len('<span id="page_2" ') + len(marker):]
        opening = text.index("<p>Tip 0-0")
        return (text[:opening] + f'<span id="page_2" {marker}' + text[opening:]).encode()

    rewrite_epub(epub, "EPUB/leaflet.xhtml", move_page_2)
    result = minimal.run("check")
    assert result.exit_code == 1
    assert ("minimal.epub: error: page 2 is marked before 'tip 0 0 rest', which is not on "
            "page 2 of") in result.output, result.output


def test_check_sees_an_ebook_left_behind_by_a_reflowed_pdf(minimal: TmpProject) -> None:
    long_overview(minimal, 9)
    assert minimal.run("build").exit_code == 0
    pages = len(PdfReader(minimal.output("en", "minimal", "minimal-a4.pdf")).pages)
    css = minimal.root / "layouts" / "print" / "print.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nbody { font-size: 16pt; }\n",
                   encoding="utf-8")
    assert minimal.run("build", "--layout", "a4").exit_code == 0
    now = len(PdfReader(minimal.output("en", "minimal", "minimal-a4.pdf")).pages)
    assert now > pages
    result = minimal.run("check")
    assert result.exit_code == 1
    assert f"minimal.epub: error: the page list has {pages} entries but " in result.output
    assert f"minimal-a4.pdf has {now} pages; rebuild the ebook" in result.output
