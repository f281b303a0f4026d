"""Right-to-left and CJK typesetting: direction, mirrored layouts, fonts, line breaking.

An Arabic and a Simplified Chinese leaflet (``tests/fixtures/scripts``) are built once
with the real layouts, WeasyPrint, pypdf and ebooklib, and read back: the documents'
``dir`` and ``lang``, the EPUB spine's page progression, the tri-fold's panels and the
booklet's binding mirrored for Arabic only, the Arabic and CJK fonts embedded, no
hyphens in either. A character that no installed font has fails the PDF at its line.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from lxml import etree
from PIL import Image, ImageChops, ImageFont
from pypdf import PdfReader
from test_impose import ROLL_FOLD, SHEET, booklet, panels, x_positions

from careleaf.check.epubcheck import run_epubcheck
from careleaf.design.brand import load_brand
from careleaf.design.layouts import load_layouts
from careleaf.errors import Report
from careleaf.formats.impose import saddle_order, saddle_stitch, trifold
from careleaf.formats.panels import FLAP_ID
from careleaf.formats.proofs import render_page
from careleaf.i18n.languages import language
from careleaf.render.cover import _font, cover_png
from careleaf.render.html import render_html
from careleaf.source.load import load_leaflet
from conftest import APPROVAL, FIXTURES, MINIMAL, REPO, TmpProject

SCRIPTS = FIXTURES / "scripts"
LAYOUTS = ["a4", "trifold-a4", "booklet-a5", "epub"]
#: The default brand's primary colour, which fills the cover panel of a tri-fold.
PRIMARY = (0x0A, 0x55, 0x61)
OPF = "http://www.idpf.org/2007/opf"
XHTML = "http://www.w3.org/1999/xhtml"


def stand_in_catalogues(layouts: Path, languages: list[str]) -> None:
    """English words for languages the repository has no catalogue for: these tests are
    about typesetting, and a leaflet needs its language's catalogue to be built."""
    from babel.messages.pofile import read_po, write_po

    folder = layouts / "messages"
    if not (folder / "careleaf.pot").is_file():
        return
    for lang in languages:
        if (folder / f"{lang}.po").exists():
            continue
        with (folder / "careleaf.pot").open("rb") as stream:
            catalogue = read_po(stream, locale=lang.replace("-", "_"))
        for message in catalogue:
            if message.id:
                message.string = message.id
        with (folder / f"{lang}.po").open("wb") as stream:
            write_po(stream, catalogue)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """The Arabic and Chinese leaflets, built in every layout these tests read."""
    root = tmp_path_factory.mktemp("scripts")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(SCRIPTS / "source", root / "source")
    (root / "careleaf.toml").write_text(f"layouts = {LAYOUTS!r}\n".replace("'", '"'),
                                        encoding="utf-8")
    stand_in_catalogues(root / "layouts", ["ar", "zh-Hans"])
    for source in (root / "source").glob("*/*.md"):  # approved, so that they are published
        text = source.read_text(encoding="utf-8")
        source.write_text(re.sub(r"(?m)^(next_review: .*\n)", lambda m: m[1] + APPROVAL, text),
                          encoding="utf-8")
    project = TmpProject(root)
    result = project.run("build", "--no-proofs")
    assert result.exit_code == 0, result.output
    for command in (("check", "--today", "2026-12-06"), ("publish", "--today", "2026-12-06")):
        assert project.run(*command).exit_code == 0, command
    return project


def pdf(project: TmpProject, lang: str, name: str) -> PdfReader:
    return PdfReader(project.output(lang, "minimal", f"minimal-{name}.pdf"))


def laid_out(project: TmpProject, lang: str, source: Path | None = None) -> Any:
    """The leaflet laid out by WeasyPrint in the a4 layout: its boxes, before any PDF."""
    from careleaf.project import Project

    report = Report()
    where = Project(project.root)
    leaflet = load_leaflet(source or project.root / f"source/{lang}/minimal.md", where, report)
    layout = load_layouts(where, report)["a4"]
    brand = load_brand(where, "default", report)
    assert leaflet is not None and brand is not None, [str(d) for d in report]
    html = render_html(leaflet, layout, brand)
    return weasyprint.HTML(string=html, base_url=project.root.as_uri() + "/").render(
        stylesheets=[weasyprint.CSS(filename=str(path)) for path in layout.stylesheets])


def boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", []):
        yield from boxes(child)


def by_class(document: Any, name: str) -> Any:
    page = document.pages[0]._page_box
    return next(box for box in boxes(page) if box.element is not None
                and name in (box.element.get("class") or "").split())


# --- language facts --------------------------------------------------------------------

@pytest.mark.parametrize(("tag", "script", "direction", "hyphenation"), [
    ("en", "Latn", "ltr", True), ("es", "Latn", "ltr", True), ("ru", "Cyrl", "ltr", True),
    ("ar", "Arab", "rtl", False), ("ur", "Arab", "rtl", False), ("he", "Hebr", "rtl", False),
    ("pa-Arab", "Arab", "rtl", False), ("zh-Hans", "Hans", "ltr", False),
    ("zh-TW", "Hant", "ltr", False), ("ja", "Jpan", "ltr", False), ("xx", "Latn", "ltr", False),
])
def test_language_facts_come_from_the_tag(tag: str, script: str, direction: str,
                                          hyphenation: bool) -> None:
    facts = language(tag)
    assert (facts.script, facts.direction, facts.hyphenation) == (script, direction,
                                                                   hyphenation)


def test_each_script_has_fonts_that_cover_it() -> None:
    assert language("ar").fonts[:2] == ("Noto Naskh Arabic", "Noto Sans Arabic")
    assert language("zh-Hans").fonts[0] == "Noto Sans CJK SC"
    assert language("zh-Hant").fonts[0] == "Noto Sans CJK TC"
    assert language("en").fonts == ("Open Sans", "DejaVu Sans")
    assert language("zh-Hans").cjk and not language("ar").cjk


# --- direction in every document -------------------------------------------------------

@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("zh-Hans", "ltr")])
def test_documents_say_their_language_and_direction(built: TmpProject, lang: str,
                                                    direction: str) -> None:
    page = (built.root / "build/site" / lang / "minimal/index.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="{direction}">' in page
    with zipfile.ZipFile(built.output(lang, "minimal", "minimal.epub")) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
        chapter = etree.fromstring(book.read("EPUB/leaflet.xhtml"))
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    spine = opf.find(f"{{{OPF}}}spine")
    assert spine is not None and spine.get("page-progression-direction") == direction
    assert chapter.get("dir") == direction and chapter.get("lang") == lang
    assert chapter.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    body = nav.find(f"{{{XHTML}}}body")
    assert body is not None and body.get("dir") == direction
    catalogue = pdf(built, lang, "a4").root_object
    assert str(catalogue["/Lang"]) == lang
    # Shown side by side, a right-to-left PDF's page 2 is left of page 1.
    preferences: Any = catalogue["/ViewerPreferences"]
    assert (preferences.get("/Direction") == "/R2L") == (direction == "rtl")
    assert preferences["/DisplayDocTitle"]  # PDF/UA's own preference kept


# --- mirrored print layouts ------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "zh-Hans"])
def test_print_layout_mirrors_for_right_to_left(built: TmpProject, lang: str) -> None:
    rtl = lang == "ar"
    document = laid_out(built, lang)
    qr, text = by_class(document, "masthead-qr"), by_class(document, "masthead-text")
    assert (qr.position_x < text.position_x) == rtl  # the QR code ends the line
    item = by_class(document, "item")
    assert (item.border_right_width > 0, item.border_left_width > 0) == (rtl, not rtl)
    items = next(box for box in boxes(document.pages[0]._page_box)
                 if box.element_tag == "ul")
    assert (items.padding_right > items.padding_left) == rtl  # the list indent
    margins = {box.at_keyword: box for box in document.pages[0]._page_box.children
               if hasattr(box, "at_keyword")}
    footer = "@bottom-right" if rtl else "@bottom-left"
    assert any(getattr(box, "element", None) is not None
               and "running-footer" in (box.element.get("class") or "")
               for box in boxes(margins[footer]))


def pixel(image: Image.Image, x: float, y: float) -> Any:
    """The colour at a fraction of the image's width and height."""
    return image.getpixel((int(x * image.width), int(y * image.height)))


@pytest.mark.parametrize("lang", ["ar", "zh-Hans"])
def test_trifold_panels_run_right_to_left_for_arabic(built: TmpProject, lang: str) -> None:
    rtl = lang == "ar"
    path = built.output(lang, "minimal", "minimal-trifold-a4.pdf")
    outside = render_page(path, 0, 20)
    # The cover (panel 1) is the panel filled with the brand colour: the right third of
    # the outside left to right, the left third right to left.
    assert (pixel(outside, 1 / 6, 0.9) == PRIMARY) == rtl
    assert (pixel(outside, 5 / 6, 0.9) == PRIMARY) == (not rtl)
    # The inside flap (panel 2), with its questions and notes, is at the other end.
    reader = PdfReader(path)
    width = float(reader.pages[0].mediabox.width)
    flap = reader.named_destinations[FLAP_ID]
    assert reader.get_destination_page_number(flap) == 0 and flap.left is not None
    assert (flap.left > 2 * width / 3) == rtl and (flap.left < width / 3) == (not rtl)
    # The text begins inside, on panel 3: the inside's first third in reading order.
    start = reader.named_destinations["causes"]
    assert reader.get_destination_page_number(start) == 1 and start.left is not None
    assert (start.left > 2 * width / 3) == rtl and (start.left < width / 3) == (not rtl)


@pytest.mark.parametrize("lang", ["ar", "zh-Hans"])
def test_booklet_is_bound_on_the_right_for_arabic(built: TmpProject, lang: str) -> None:
    rtl = lang == "ar"
    reader = PdfReader(built.output(lang, "minimal", "minimal-booklet-a5-imposed.pdf"))
    # Page 2, inside the front cover, is on the back of the first sheet: at its left
    # when the booklet is bound on the left, at its right when bound on the right.
    start = reader.named_destinations["causes"]
    assert reader.get_destination_page_number(start) == 1 and start.left is not None
    assert (start.left < float(reader.pages[1].mediabox.width) / 2) == (not rtl)


def test_right_to_left_saddle_stitch_swaps_every_pair() -> None:
    assert saddle_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]
    assert saddle_order(8, "rtl") == [(1, 8), (7, 2), (3, 6), (5, 4)]
    imposed = PdfReader(io.BytesIO(saddle_stitch(booklet(8), *SHEET, "rtl")))
    where = x_positions(imposed.pages[0], r"PAGE \d+")
    assert where["PAGE 1"] < SHEET[0] / 2 < where["PAGE 8"]


def test_right_to_left_trifold_mirrors_each_side() -> None:
    imposed = PdfReader(io.BytesIO(trifold(panels(), *SHEET, ROLL_FOLD, "rtl")))
    for side, order in zip(imposed.pages, [(1, 6, 2), (5, 4, 3)], strict=True):
        where = x_positions(side, r"PANEL \d")
        assert sorted(where, key=where.__getitem__) == [f"PANEL {k}" for k in order]
    wide = 100 * 72 / 25.4
    assert x_positions(imposed.pages[0], r"PANEL 1")["PANEL 1"] < wide  # cover at the left


# --- fonts -----------------------------------------------------------------------------

def embedded_fonts(reader: PdfReader) -> dict[str, list[str]]:
    """Base font name (subset tag removed) -> the font-file keys of its descriptor."""
    fonts: dict[str, list[str]] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            fonts[name] = [key for key in descriptor if key.startswith("/FontFile")]
    return fonts


def test_arabic_and_chinese_fonts_are_embedded(built: TmpProject) -> None:
    arabic = embedded_fonts(pdf(built, "ar", "a4"))
    assert arabic["Noto-Naskh-Arabic"] == ["/FontFile2"]
    assert arabic["Noto-Naskh-Arabic-Bold"] == ["/FontFile2"]
    chinese = embedded_fonts(pdf(built, "zh-Hans", "a4"))
    assert chinese["Noto-Sans-CJK-SC"] == ["/FontFile3"]  # CFF outlines
    assert not [name for name in chinese if "CJK-JP" in name]  # Chinese, not Japanese forms
    assert all(files for files in [*arabic.values(), *chinese.values()])


def test_a_character_without_a_glyph_fails_the_pdf_at_its_line(project: TmpProject) -> None:
    project.write("source/en/symbols.md",
                  (SCRIPTS / "missing-glyph.md").read_text(encoding="utf-8"))
    result = project.run("build", "--no-proofs")
    assert result.exit_code == 1
    tail = ("has no glyph in any installed font, so the PDF would show an empty box; the a4 "
            "PDF was not written: replace the character, or install a font that has it")
    assert (f"source/en/symbols.md:33: error: the character U+F0B7 (private use) {tail}"
            in result.output)
    # Written as an HTML character reference in the source, found all the same.
    assert (f"source/en/symbols.md:40: error: the character U+E000 (private use) {tail}"
            in result.output)
    assert result.output.count("error:") == 2
    assert not project.output("en", "symbols", "symbols-a4.pdf").exists()
    assert project.output("en", "symbols", "symbols.epub").exists()


# --- line breaking and hyphenation -----------------------------------------------------

@pytest.mark.parametrize("lang", ["ar", "zh-Hans"])
def test_no_hyphens_or_letter_spacing_in_arabic_and_chinese(built: TmpProject,
                                                           lang: str) -> None:
    text = [box for box in boxes(laid_out(built, lang).pages[0]._page_box)
            if type(box).__name__ == "TextBox"]
    assert text and {box.style["hyphens"] for box in text} == {"none"}
    assert {box.style["letter_spacing"] for box in text} == {"normal"}


def test_epubs_pass_epubcheck(built: TmpProject) -> None:
    """The spine's direction and the documents' ``dir`` are valid EPUB 3. (Ace runs on
    the repository's own leaflets, in test_ace.py.)"""
    report = Report()
    for lang in ("ar", "zh-Hans"):
        assert run_epubcheck(built.output(lang, "minimal", "minimal.epub"), report)
    assert [str(d) for d in report] == []


def test_english_keeps_the_layouts_hyphenation(project: TmpProject) -> None:
    project.write("source/en/minimal.md", MINIMAL)
    document = laid_out(project, "en", project.root / "source/en/minimal.md")
    kicker = by_class(document, "kicker")
    assert kicker.style["hyphens"] == "manual" and kicker.style["letter_spacing"] != "normal"


def test_chinese_lines_break_between_characters_without_hyphens(built: TmpProject) -> None:
    source = (built.root / "source/zh-Hans/minimal.md").read_text(encoding="utf-8")
    paragraph = next(line for line in source.splitlines() if line.startswith("腿抽筋是"))
    text = pdf(built, "zh-Hans", "a4").pages[0].extract_text()
    assert paragraph not in text  # it wraps onto a second line, between two characters,
    assert paragraph in text.replace("\n", "")  # with nothing added: no hyphen, no space


# --- the cover -------------------------------------------------------------------------

def ink(image: Image.Image, top: int, bottom: int) -> tuple[int, int]:
    """Leftmost and rightmost x of anything not white between two rows."""
    band = image.convert("RGB").crop((0, top, image.width, bottom))
    plain = Image.new("RGB", band.size, (255, 255, 255))
    marks = ImageChops.difference(band, plain).convert("L").point(lambda v: 255 if v > 40 else 0)
    bounds = marks.getbbox()
    assert bounds is not None
    return bounds[0], bounds[2]


def test_cover_of_an_arabic_leaflet_is_right_aligned_in_an_arabic_font(
        built: TmpProject) -> None:
    from careleaf.project import Project

    report = Report()
    where = Project(built.root)
    brand = load_brand(where, "default", report)
    assert brand is not None
    covers: dict[str, Image.Image] = {}
    for lang in ("ar", "zh-Hans"):
        leaflet = load_leaflet(built.root / f"source/{lang}/minimal.md", where, report)
        assert leaflet is not None
        covers[lang] = Image.open(io.BytesIO(cover_png(leaflet, brand)))
    left, right = ink(covers["ar"], 620, 760)  # the title's line
    assert right > 1100 and left > 300  # ends at the right margin, short of the left
    left, right = ink(covers["zh-Hans"], 620, 760)
    assert left < 100 and right < 900
    title = _font(language("ar").fonts, "bold", 110, "تشنجات الساق")
    assert isinstance(title, ImageFont.FreeTypeFont)
    assert title.getname() == ("Noto Naskh Arabic", "Bold")
    latin = _font(language("ar").fonts, "regular", 52, "Riverside Clinic")
    assert isinstance(latin, ImageFont.FreeTypeFont)
    assert latin.getname()[0] == "Open Sans"  # Latin falls through to a font that has it


def test_brand_text_keeps_its_own_direction_inside_a_right_to_left_leaflet() -> None:
    from careleaf.render.html import isolate

    assert isolate("call 999.", "rtl") == '<span dir="ltr">call 999.</span>'
    # A phone number is also kept on one line (its parts would read as two numbers).
    assert isolate("01632 960 000", "rtl") == (
        '<span dir="ltr" class="unbroken">01632 960 000</span>')
    assert isolate("عيادة", "rtl") == "عيادة"
    assert isolate("Riverside <Clinic>", "ltr") == "Riverside &lt;Clinic&gt;"
    assert isolate("عيادة", "ltr") == '<span dir="rtl">عيادة</span>'
