"""Imposition: booklets and tri-folds on real WeasyPrint PDFs, read back with pypdf."""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, Destination, DictionaryObject

from careleaf.check.readback import read_pdf
from careleaf.formats.impose import pad_to_multiple, saddle_order, saddle_stitch, trifold

SHEET = (841.89, 595.28)  # A4 landscape
ROLL_FOLD = ((2, 6, 1), (3, 4, 5))


@cache
def render(css: str, body: str) -> bytes:
    """A real leaflet-like PDF: tagged (PDF/UA-1) as careleaf writes them."""
    html = (f'<html lang="en-GB"><head><title>Test leaflet</title><style>{css}</style>'
            f"</head><body>{body}</body></html>")
    data: bytes = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return data


def booklet(pages: int, last_page_size: str = "A5") -> bytes:
    css = ("@page { size: A5 } section { break-after: page } h1 { font-size: 40pt }"
           f"@page :nth({pages}) {{ size: {last_page_size} }}")
    return render(css, "".join(
        f'<section><h1 id="page-{k}">PAGE {k}</h1><h2 id="sub-{k}">Sub {k}</h2>'
        f'<p><a href="#page-1">Back to the start</a></p></section>'
        for k in range(1, pages + 1)))


def panels(narrow: tuple[int, ...] = (2, 5), count: int = 6) -> bytes:
    """Tri-fold panels 100 mm wide, the ``narrow`` ones 97 mm; h1 > h2 > h3 headings."""
    css = "".join(f"@page :nth({k}) {{ size: 97mm 210mm }}" for k in narrow)
    return render("@page { size: 100mm 210mm; margin: 8mm } section { break-after: page }"
                  + css, "".join(
                      f'<section><h1 id="panel-{k}">PANEL {k}</h1>'
                      f'<h2 id="more-{k}">More {k}</h2>'
                      + (f'<h3 id="deep-{k}">Deep {k}</h3>' if k % 2 else "")
                      + f"<p>Text of panel {k}.</p></section>" for k in range(1, count + 1)))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_size(page: PageObject) -> tuple[float, float]:
    return round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)


def x_positions(page: PageObject, pattern: str) -> dict[str, float]:
    """Where each text run matching ``pattern`` starts on the page, in page space."""
    found: dict[str, float] = {}

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if re.fullmatch(pattern, text.strip()):
            found[text.strip()] = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]

    page.extract_text(visitor_text=visit)
    return found


def labels(page: PageObject, word: str) -> list[str]:
    return re.findall(rf"{word} \d+", page.extract_text())


def outline_tree(pdf: PdfReader, entries: list[Any], sheet_of: dict[int, int] | None = None
                 ) -> list[tuple[str, int, list[Any]]]:
    """(title, page, children) per outline entry; pages mapped through ``sheet_of``."""
    tree: list[tuple[str, int, list[Any]]] = []
    for entry in entries:
        if isinstance(entry, list):
            tree[-1][2].extend(outline_tree(pdf, entry, sheet_of))
        else:
            page = pdf.get_destination_page_number(entry)
            assert page is not None
            tree.append((str(entry.title), sheet_of[page] if sheet_of else page, []))
    return tree


def destinations(pdf: PdfReader) -> dict[str, Destination]:
    return dict(pdf.named_destinations)


# --- padding ---------------------------------------------------------------------------

@pytest.mark.parametrize(("pages", "padded"), [(5, 8), (8, 8), (1, 4), (4, 4)])
def test_pad_to_a_multiple_of_four(pages: int, padded: int) -> None:
    original = booklet(pages)
    result = pad_to_multiple(original, 4)
    assert len(reader(result).pages) == padded
    if pages == padded:
        assert result == original  # nothing to do: the very same bytes


def test_padding_pages_are_blank_and_sized_like_the_last_page() -> None:
    padded = reader(pad_to_multiple(booklet(5, last_page_size="A6"), 4))
    assert page_size(padded.pages[0]) == (419.53, 595.28)  # A5
    assert page_size(padded.pages[4]) == (297.64, 419.53)  # A6
    for page in padded.pages[5:]:
        assert page_size(page) == (297.64, 419.53)
        assert page.extract_text().strip() == ""
    assert labels(padded.pages[4], "PAGE") == ["PAGE 5"]


def test_padding_keeps_outline_destinations_metadata_and_tagging() -> None:
    original, padded = reader(booklet(5)), reader(pad_to_multiple(booklet(5), 4))
    assert outline_tree(padded, padded.outline) == outline_tree(original, original.outline)
    assert [entry[0] for entry in outline_tree(padded, padded.outline)] == [
        f"PAGE {k}" for k in range(1, 6)]
    assert {name: padded.get_destination_page_number(dest)
            for name, dest in destinations(padded).items()} == {
        name: original.get_destination_page_number(dest)
        for name, dest in destinations(original).items()}
    assert {"page-1", "sub-5"} <= set(destinations(padded))
    assert padded.metadata is not None and padded.metadata.title == "Test leaflet"
    root = padded.root_object
    assert str(root["/Lang"]) == "en-GB"
    mark_info = root["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject) and mark_info["/Marked"]
    assert padded.xmp_metadata is not None
    tree = root["/StructTreeRoot"].get_object()
    assert isinstance(tree, DictionaryObject) and {"/K", "/ParentTree"} <= set(tree)
    # The structure still marks up the cloned pages, not copies of the old ones.
    pages = {page.indirect_reference.idnum for page in padded.pages[:5]
             if page.indirect_reference is not None}
    marked = {kid.get_object().raw_get("/Pg").idnum for kid in _struct_elements(tree)
              if "/Pg" in kid.get_object()}
    assert marked == pages


def _struct_elements(node: Any) -> list[Any]:
    kids = node.get_object().get("/K", [])
    kids = kids if isinstance(kids, list) else [kids]
    found = [kid for kid in kids if hasattr(kid.get_object(), "get")]
    return found + [deeper for kid in found for deeper in _struct_elements(kid)]


def test_padding_refuses_a_multiple_below_one() -> None:
    with pytest.raises(ValueError, match="multiple"):
        pad_to_multiple(booklet(1), 0)


# --- saddle stitch ---------------------------------------------------------------------

EXPECTED_SIDES = {
    4: [(4, 1), (2, 3)],
    8: [(8, 1), (2, 7), (6, 3), (4, 5)],
    12: [(12, 1), (2, 11), (10, 3), (4, 9), (8, 5), (6, 7)],
}


@pytest.mark.parametrize("pages", sorted(EXPECTED_SIDES))
def test_saddle_stitch_order_and_positions(pages: int) -> None:
    assert saddle_order(pages) == EXPECTED_SIDES[pages]
    source = reader(booklet(pages))
    imposed = reader(saddle_stitch(booklet(pages), *SHEET))
    assert len(imposed.pages) == pages // 2
    half = SHEET[0] / 2
    for side, (left, right) in zip(imposed.pages, EXPECTED_SIDES[pages], strict=True):
        assert page_size(side) == SHEET
        assert side["/Contents"].get_object()["/Filter"] == "/FlateDecode"  # type: ignore[index]
        assert labels(side, "PAGE") == [f"PAGE {left}", f"PAGE {right}"]
        where = x_positions(side, r"PAGE \d+")
        assert where[f"PAGE {left}"] < half < where[f"PAGE {right}"]
        for slot, number in enumerate((left, right)):  # unscaled, centred in its half
            page = source.pages[number - 1]
            offset = slot * half + (half - float(page.mediabox.width)) / 2
            was = x_positions(page, rf"PAGE {number}")[f"PAGE {number}"]
            assert where[f"PAGE {number}"] == pytest.approx(was + offset, abs=0.01)


def test_saddle_stitch_keeps_title_language_destinations_and_links() -> None:
    imposed = reader(saddle_stitch(booklet(8), *SHEET))
    assert imposed.metadata is not None and imposed.metadata.title == "Test leaflet"
    assert str(imposed.root_object["/Lang"]) == "en-GB"
    sheet_of = {number - 1: side for side, pair in enumerate(EXPECTED_SIDES[8])
                for number in pair}
    assert {name: imposed.get_destination_page_number(dest)
            for name, dest in destinations(imposed).items()} == {
        **{f"page-{k}": sheet_of[k - 1] for k in range(1, 9)},
        **{f"sub-{k}": sheet_of[k - 1] for k in range(1, 9)}}
    # Page 1 is the right half of the first side: its link moved with it.
    annotations = imposed.pages[0]["/Annots"].get_object()
    assert isinstance(annotations, ArrayObject)
    links = [a.get_object() for a in annotations]
    assert sorted(float(link["/Rect"][0]) > SHEET[0] / 2 for link in links) == [False, True]
    assert all(link["/Dest"] == "page-1" for link in links)


@pytest.mark.parametrize("pages", [1, 2, 5, 6])
def test_saddle_stitch_needs_a_multiple_of_four(pages: int) -> None:
    with pytest.raises(ValueError, match="multiple of 4"):
        saddle_stitch(booklet(pages), *SHEET)


def test_saddle_stitch_refuses_pages_wider_than_half_a_sheet() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        saddle_stitch(booklet(4), 595.28, 841.89)  # A4 portrait: halves narrower than A5


def test_imposing_is_reproducible() -> None:
    assert saddle_stitch(booklet(4), *SHEET) == saddle_stitch(booklet(4), *SHEET)
    assert trifold(panels(), *SHEET, ROLL_FOLD) == trifold(panels(), *SHEET, ROLL_FOLD)


# --- tri-fold --------------------------------------------------------------------------

def test_trifold_places_panels_edge_to_edge() -> None:
    imposed = reader(trifold(panels(), *SHEET, ROLL_FOLD))
    assert [page_size(page) for page in imposed.pages] == [SHEET, SHEET]
    wide, narrow = 100 * 72 / 25.4, 97 * 72 / 25.4
    edges = {  # each panel's left and right edge on its side
        1: (narrow + wide, SHEET[0]), 2: (0, narrow), 6: (narrow, narrow + wide),
        3: (0, wide), 4: (wide, 2 * wide), 5: (2 * wide, SHEET[0]),
    }
    for side, order in zip(imposed.pages, ROLL_FOLD, strict=True):
        where = x_positions(side, r"PANEL \d")
        assert sorted(where, key=where.__getitem__) == [f"PANEL {k}" for k in order]
        for k in order:
            left, right = edges[k]
            assert left + 22.6 < where[f"PANEL {k}"] < right  # inside its 8 mm margin
    source = reader(panels())
    was, now = destinations(source)["panel-1"].left, destinations(imposed)["panel-1"].left
    assert was is not None and now == pytest.approx(was + narrow + wide)


def test_trifold_text_comes_out_in_reading_order() -> None:
    imposed = reader(trifold(panels(), *SHEET, ROLL_FOLD))
    assert imposed.pages[0].extract_text().startswith("PANEL 1\nMore 1\nDeep 1\nText of panel 1.")
    assert labels(imposed.pages[0], "PANEL") == ["PANEL 1", "PANEL 2", "PANEL 6"]
    assert labels(imposed.pages[1], "PANEL") == ["PANEL 3", "PANEL 4", "PANEL 5"]


def test_trifold_rebuilds_outline_and_destinations_on_the_right_sheet() -> None:
    source, imposed = reader(panels()), reader(trifold(panels(), *SHEET, ROLL_FOLD))
    sheet_of = {panel - 1: side for side, order in enumerate(ROLL_FOLD) for panel in order}
    expected = outline_tree(source, source.outline, sheet_of)
    assert outline_tree(imposed, imposed.outline) == expected
    assert expected[0] == ("PANEL 1", 0, [("More 1", 0, [("Deep 1", 0, [])])])
    assert expected[2] == ("PANEL 3", 1, [("More 3", 1, [("Deep 3", 1, [])])])
    assert {name: imposed.get_destination_page_number(dest)
            for name, dest in destinations(imposed).items()} == {
        name: sheet_of[page] for name, dest in destinations(source).items()
        if (page := source.get_destination_page_number(dest)) is not None}
    assert len(destinations(imposed)) == 6 + 6 + 3
    assert imposed.metadata is not None and imposed.metadata.title == "Test leaflet"
    assert str(imposed.root_object["/Lang"]) == "en-GB"


def test_careleaf_readback_reads_a_trifold(tmp_path: Path) -> None:
    path = tmp_path / "trifold.pdf"
    path.write_bytes(trifold(panels(), *SHEET, ROLL_FOLD))
    back = read_pdf(path)
    assert [entry.title for entry in back.toc] == [f"PANEL {k}" for k in range(1, 7)]
    assert [child.title for child in back.toc[0].children] == ["More 1"]
    assert {"panel-1", "more-4", "deep-5"} <= back.anchors
    assert back.pages[0][:3] == ["panel", "1", "more"]


@pytest.mark.parametrize(("pdf", "order", "message"), [
    (lambda: panels(narrow=()), ROLL_FOLD, "wide together"),        # 300 mm of panels
    (lambda: panels(), ((2, 5, 1), (3, 4, 6)), "wide together"),   # 294 mm outside
    (lambda: panels(count=5), ROLL_FOLD, "exactly 6"),
    (lambda: panels(), ((1, 1, 2), (3, 4, 5)), "once each"),
    (lambda: panels(), ((2, 6, 1),), "once each"),
])
def test_trifold_refuses_panels_that_do_not_fill_the_sheet(
        pdf: Any, order: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        trifold(pdf(), *SHEET, order)
