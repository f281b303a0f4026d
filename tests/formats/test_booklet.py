"""The A5 booklet: a front cover, the body pages, Notes pages as padding, a back cover.

Built once for the module with real WeasyPrint and read back with pypdf: the minimal
leaflet (cover, one body page, one Notes page, back cover: 4 pages), a long one (cover,
ten body pages, back cover: 12 pages, so the Notes page is taken out), and the
repository's leaflet in English (four body pages, two Notes pages) and Arabic (right to
left: three body pages, three Notes pages). ``pad_to_multiple`` is also tested on its
own, on small WeasyPrint PDFs.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import weasyprint
import zxingcpp
from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from careleaf.formats.impose import PADDING_PAGE, pad_to_multiple
from careleaf.formats.proofs import render_page
from conftest import APPROVED, COMPLETENESS_ONLY, REPO, TmpProject, long_leaflet

BOOKLET = "booklet-a5"
REPOSITORY = "chronic-muscle-spasms"
#: What the back cover's urgent-help line and contact block begin with, in English.
URGENT = "When you need help urgently:"
PHONE = "Phone 01632 960 000"
#: The clinic's number, in the contact block only, in any language.
CLINIC_PHONE = "01632 960 000"
NOTES = {"en": "Notes", "ar": "ملاحظات"}
MM = 72 / 25.4


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """en/minimal (approved), en/long and the repository's leaflet in English and
    Arabic, as booklets."""
    project = TmpProject(tmp_path_factory.mktemp("booklet"))
    shutil.copytree(REPO / "layouts", project.root / "layouts")
    project.write("careleaf.toml", f'layouts = ["{BOOKLET}"]\n')
    long_leaflet(project, 9)
    (project.root / "source/en/minimal.md").rename(project.root / "source/en/long.md")
    long = project.root / "source/en/long.md"  # its own title: two alike are a warning
    long.write_text(long.read_text(encoding="utf-8").replace(
        "title: Leg cramps", "title: Leg cramps (long version)", 1), encoding="utf-8")
    project.write("source/en/minimal.md", APPROVED)
    for lang in ("en", "ar"):  # the Arabic one is a translation of the English one
        shutil.copy(REPO / "source" / lang / f"{REPOSITORY}.md",
                    project.write(f"source/{lang}/{REPOSITORY}.md", ""))
    result = project.run("build")
    assert result.exit_code == 0, result.stderr
    return project


def booklet(project: TmpProject, lang: str, leaflet_id: str, imposed: bool = False
            ) -> PdfReader:
    suffix = "-imposed" if imposed else ""
    return PdfReader(project.output(lang, leaflet_id, f"{leaflet_id}-{BOOKLET}{suffix}.pdf"))


def texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def folios(page: PageObject) -> list[tuple[int, float]]:
    """Each run of digits alone low on the page: (its number, the x of its start). A
    page number is one; so may be a date's day or year in a right-to-left footer."""
    found: list[tuple[int, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        y = cm[5] + tm[5] * cm[3]
        if re.fullmatch(r"\d+", text.strip()) and y < 17 * MM:
            found.append((int(text.strip()), cm[4] + tm[4] * cm[0]))

    page.extract_text(visitor_text=visit)
    return found


def x_of(page: PageObject, words: str) -> float:
    """Where the first text run holding ``words`` starts on the page."""
    found: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if words in text:
            found.append(cm[4] + tm[4] * cm[0])

    page.extract_text(visitor_text=visit)
    assert found, f"{words!r} is not on the page"
    return found[0]


def structure(node: Any) -> Iterator[DictionaryObject]:
    """Every structure element under ``node``, in reading order."""
    kids: Any = node.get_object().get("/K")
    kids = kids.get_object() if kids is not None else ArrayObject()
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        element = kid.get_object()
        if isinstance(element, DictionaryObject) and "/S" in element:
            yield element
            yield from structure(element)


def page_index(reader: PdfReader, element: DictionaryObject) -> int:
    pages = [page.indirect_reference.idnum for page in reader.pages
             if page.indirect_reference is not None]
    return pages.index(element.raw_get("/Pg").idnum)


# --- the covers --------------------------------------------------------------------------

def test_the_front_cover_is_page_one_with_the_title_the_clinic_and_no_footer(
        built: TmpProject) -> None:
    reader = booklet(built, "en", "minimal")
    cover = texts(reader)[0]
    for words in ("Leg cramps", "What brings on leg cramps and what helps.",
                  "Riverside Community Clinic", "PATIENT INFORMATION"):
        assert words in cover
    assert "Version 2.1" not in cover and not folios(reader.pages[0])  # no running footer
    # The title is the document's first heading, on the cover, in the tagged structure
    # and in the outline.
    headings = [(str(e["/S"]), page_index(reader, e)) for e in
                structure(reader.root_object["/StructTreeRoot"]) if str(e["/S"])[1] == "H"]
    assert headings[0] == ("/H1", 0)
    first = reader.outline[0]
    assert not isinstance(first, list) and first.title == "Leg cramps"
    assert reader.get_destination_page_number(first) == 0
    # The cover is the clinic's colour to its edges.
    picture = render_page(built.output("en", "minimal", f"minimal-{BOOKLET}.pdf"), 0, 20)
    for x, y in ((1, 1), (picture.width - 2, picture.height - 2), (picture.width // 2, 5)):
        assert picture.getpixel((x, y)) == (10, 85, 97)


def test_the_back_cover_is_the_last_page_with_urgent_line_contact_dates_and_qr(
        built: TmpProject) -> None:
    reader = booklet(built, "en", "minimal")
    back = " ".join(texts(reader)[-1].split())
    for words in (URGENT, "Riverside Community Clinic", PHONE, "Version 2.1",
                  "Next review 1 March 2036", "Scan for the ebook of this leaflet"):
        assert words in back
    assert "Leg cramps" not in back and not folios(reader.pages[-1])  # no running footer
    assert "Notes" not in back
    pdf = built.output("en", "minimal", f"minimal-{BOOKLET}.pdf")
    codes = zxingcpp.read_barcodes(render_page(pdf, len(reader.pages) - 1, 300))
    assert [code.text for code in codes] == [
        "https://leaflets.riverside-clinic.example.org/en/minimal/minimal.epub"]
    assert all(CLINIC_PHONE not in text for text in texts(reader)[:-1])  # the back only


# --- padding: Notes pages before the back cover -----------------------------------------

@pytest.mark.parametrize(("lang", "leaflet_id", "body", "notes"),
                         [("en", "minimal", 1, 1), ("en", "long", 10, 0),
                          ("en", REPOSITORY, 4, 2), ("ar", REPOSITORY, 3, 3)])
def test_the_page_count_is_a_multiple_of_4_with_notes_pages_before_the_back_cover(
        built: TmpProject, lang: str, leaflet_id: str, body: int, notes: int) -> None:
    pages = texts(booklet(built, lang, leaflet_id))
    assert len(pages) % 4 == 0 and len(pages) == 1 + body + notes + 1
    kinds = ["notes" if text.lstrip().startswith(NOTES[lang]) else
             "back" if CLINIC_PHONE in text else "page" for text in pages]
    assert kinds == ["page"] * (1 + body) + ["notes"] * notes + ["back"]


def test_body_pages_number_their_outer_edge_and_no_other_page_is_numbered(
        built: TmpProject) -> None:
    for lang, leaflet_id, body in (("en", "long", 10), ("ar", REPOSITORY, 3)):
        reader = booklet(built, lang, leaflet_id)
        width = float(reader.pages[0].mediabox.width)
        for index, page in enumerate(reader.pages):
            number = index + 1
            places = [x for folio, x in folios(page) if folio == number]
            if not 2 <= number <= body + 1:  # the covers and the Notes pages
                assert places == [], (lang, number)
                continue
            # Left to right, even pages are left-hand pages; right to left, odd ones.
            left_hand = (number % 2 == 0) == (lang != "ar")
            assert len(places) == 1 and (places[0] < width / 2) == left_hand, (lang, number)


def test_repeated_notes_pages_are_artifacts_and_a_dropped_one_leaves_nothing(
        built: TmpProject) -> None:
    for lang, leaflet_id, in (("ar", REPOSITORY), ("en", "long"), ("en", "minimal")):
        reader = booklet(built, lang, leaflet_id)
        tree = reader.root_object["/StructTreeRoot"]
        marked = {page_index(reader, e) for e in structure(tree) if "/Pg" in e}
        keys = [int(key) for key in tree["/ParentTree"]["/Nums"][::2]]  # type: ignore[index]
        notes = [n for n, text in enumerate(texts(reader))
                 if text.lstrip().startswith(NOTES[lang])]
        # The first Notes page keeps its id (the fill check measures the text before
        # it); with the page taken out, the id goes too.
        padding = reader.named_destinations.get(PADDING_PAGE)
        assert (reader.get_destination_page_number(padding) if padding else None) == (
            notes[0] if notes else None), leaflet_id
        for index, page in enumerate(reader.pages):
            repeat = index in notes[1:]
            assert ("/StructParents" in page) != repeat, (leaflet_id, index)
            assert (index in marked) != repeat, (leaflet_id, index)
            if repeat:
                assert b"/MCID" not in page.get_contents().get_data()  # type: ignore[union-attr]
            else:
                key: Any = page["/StructParents"]
                assert int(key) in keys
    # The long leaflet's Notes page was taken out whole: no page object is left over.
    data = built.output("en", "long", f"long-{BOOKLET}.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 12
    assert "Notes" not in "".join(texts(booklet(built, "en", "long")))


# --- the saddle-stitched sheets ---------------------------------------------------------

@pytest.mark.parametrize(("lang", "leaflet_id", "title"),
                         [("en", "minimal", "Leg cramps"), ("ar", REPOSITORY, "التشنجات")])
def test_the_first_sheet_has_the_back_cover_and_the_front_cover_side_by_side(
        built: TmpProject, lang: str, leaflet_id: str, title: str) -> None:
    sheet = booklet(built, lang, leaflet_id, imposed=True).pages[0]
    half = float(sheet.mediabox.width) / 2
    front, back = x_of(sheet, title), x_of(sheet, CLINIC_PHONE)
    # Left to right the spine is on the left: the back cover is the sheet's left half
    # and the front cover its right one; right to left, the other way round.
    assert (back < half < front) == (lang == "en")
    assert (front < half < back) == (lang == "ar")


def test_the_booklets_pass_the_check(built: TmpProject) -> None:
    result = built.run("check", "--strict", *COMPLETENESS_ONLY)
    assert result.exit_code == 0, result.output


# --- pad_to_multiple with a padding page, on its own -------------------------------------

def with_padding(body: int, bookmarked: bool = False) -> bytes:
    """``body`` A5 pages, the padding page, a back page: tagged, as careleaf writes them."""
    level = "" if bookmarked else ' style="bookmark-level: none"'
    pages = [f'<section id="p{n}"><h1>PAGE {n}</h1></section>' for n in range(1, body + 1)]
    pages += [f'<section id="{PADDING_PAGE}"><h2{level}>PADDING</h2><p>Lines</p></section>',
              '<section id="back"><p>BACK</p></section>']
    html = ('<html lang="en"><head><title>Padding</title><style>@page { size: A5 } '
            'section { break-after: page }</style></head><body>'
            + "".join(pages) + "</body></html>")
    data: bytes = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return data


@pytest.mark.parametrize(("body", "labels"), [
    (1, ["PAGE 1", "PADDING", "PADDING", "BACK"]),  # repeated once
    (2, ["PAGE 1", "PAGE 2", "PADDING", "BACK"]),  # kept as it is
    (3, ["PAGE 1", "PAGE 2", "PAGE 3", "BACK"]),  # taken out
    (4, ["PAGE 1", "PAGE 2", "PAGE 3", "PAGE 4", "PADDING", "PADDING", "PADDING", "BACK"]),
])
def test_the_padding_page_is_repeated_kept_or_taken_out(body: int, labels: list[str]) -> None:
    reader = PdfReader(io.BytesIO(pad_to_multiple(with_padding(body), 4)))
    assert [page.extract_text().split("\n")[0] for page in reader.pages] == labels
    padding = {PADDING_PAGE} if "PADDING" in labels else set()
    assert set(reader.named_destinations) == (
        {f"p{n}" for n in range(1, body + 1)} | {"back"} | padding)
    assert [entry.title for entry in reader.outline  # type: ignore[union-attr]
            ] == [f"PAGE {n}" for n in range(1, body + 1)]
    for name, destination in reader.named_destinations.items():
        page = reader.get_destination_page_number(destination)
        assert page is not None
        wanted = {"back": "BACK", PADDING_PAGE: "PADDING"}.get(name, f"PAGE {name[1:]}")
        assert labels[page] == wanted and (name != PADDING_PAGE or page == labels.index(wanted))
    marked = {page_index(reader, e) for e in structure(reader.root_object["/StructTreeRoot"])
              if "/Pg" in e}
    kept = [n for n, label in enumerate(labels) if label != "PADDING" or
            n == labels.index("PADDING")]
    assert marked == set(kept)


def test_a_padding_page_with_a_bookmark_is_refused() -> None:
    with pytest.raises(ValueError, match="bookmark"):
        pad_to_multiple(with_padding(3, bookmarked=True), 4)
