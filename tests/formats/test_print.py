"""Print layouts: paper sizes and large print, read back from the real PDFs."""

from __future__ import annotations

from pathlib import Path

from pypdf import PageObject, PdfReader

from careleaf.formats.proofs import render_page
from conftest import COMPLETENESS_ONLY, TmpProject, long_leaflet


def text_sizes(path: Path) -> dict[str, float]:
    """Every text run of the PDF with its rendered size in points."""
    sizes: dict[str, float] = {}
    for page in PdfReader(path).pages:
        def visit(text: str, cm: list[float], tm: list[float], font: object,
                  size: float) -> None:
            if text.strip():
                sizes[text.strip()] = min(sizes.get(text.strip(), 1e9),
                                          size * abs(tm[3]) * abs(cm[3]))
        page.extract_text(visitor_text=visit)
    return sizes


def test_paper_sizes(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "a4", "--layout", "letter").exit_code == 0
    for name, size in (("a4", (595, 842)), ("letter", (612, 792))):
        for page in PdfReader(minimal.output("en", "minimal", f"minimal-{name}.pdf")).pages:
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == size
    assert minimal.run("check", "--strict").exit_code == 1  # large-print/epub not built
    result = minimal.run("check", "--layout", "a4", "--layout", "letter", "--strict")
    assert result.exit_code == 0, result.output


def test_large_print_never_goes_under_16pt_and_body_is_18pt(minimal: TmpProject) -> None:
    minimal.write("source/en/minimal.md", (minimal.root / "source/en/minimal.md").read_text()
                  .replace("can cramp later.", "can *really* cramp later."))
    assert minimal.run("build", "--layout", "large-print").exit_code == 0
    pdf = minimal.output("en", "minimal", "minimal-large-print.pdf")
    sizes = text_sizes(pdf)
    assert min(sizes.values()) >= 16 - 0.01, sorted(sizes.items(), key=lambda kv: kv[1])[:5]
    body = [size for text, size in sizes.items() if "Not drinking enough water" in text]
    assert body and min(body) >= 18 - 0.01
    assert minimal.run("check", "--layout", "large-print", "--strict").exit_code == 0


def test_large_print_uses_bold_not_italics_for_emphasis(minimal: TmpProject) -> None:
    minimal.write("source/en/minimal.md", (minimal.root / "source/en/minimal.md").read_text()
                  .replace("can cramp later.", "can *really* cramp later."))
    assert minimal.run("build", "--layout", "large-print", "--layout", "a4").exit_code == 0

    def fonts(name: str) -> set[str]:
        reader = PdfReader(minimal.output("en", "minimal", f"minimal-{name}.pdf"))
        return {str(font.get_object()["/BaseFont"]) for page in reader.pages
                for font in page["/Resources"]["/Font"].values()}  # type: ignore[index]

    assert any("Italic" in font for font in fonts("a4"))  # the emphasis is really there
    assert not any("Italic" in font for font in fonts("large-print")), fonts("large-print")


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_booklet_is_padded_to_a_multiple_of_4_and_imposed_in_saddle_stitch_order(
        minimal: TmpProject) -> None:
    long_leaflet(minimal, 9)
    assert minimal.run("build", "--layout", "booklet-a5").exit_code == 0
    booklet = minimal.output("en", "minimal", "minimal-booklet-a5.pdf")
    pages = page_texts(booklet)
    assert len(pages) % 4 == 0 and len(pages) >= 8  # covers and Notes: test_booklet.py
    a5 = PdfReader(booklet).pages[0].mediabox
    assert (round(float(a5.width)), round(float(a5.height))) == (420, 595)
    imposed = PdfReader(minimal.output("en", "minimal", "minimal-booklet-a5-imposed.pdf"))
    n = len(pages)
    assert len(imposed.pages) == n // 2
    for side, page in enumerate(imposed.pages):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (842, 595)
        left, right = (n - side, side + 1) if side % 2 == 0 else (side + 1, n - side)
        halves = _text_by_half(page, float(box.width))
        for half, number in (("left", left), ("right", right)):
            assert _first_line(pages[number - 1]) in " ".join(halves[half].split()), \
                (side, half, number)
    assert minimal.run("check", "--layout", "booklet-a5", "--strict",
                       *COMPLETENESS_ONLY).exit_code == 0


def _first_line(text: str) -> str:
    """A page's first line of text, not the draft mark's, its spaces as one."""
    return next(" ".join(line.split()) for line in text.splitlines()
                if line.strip() and "DRAFT" not in line)


def _text_by_half(page: PageObject, width: float) -> dict[str, str]:
    """The text runs in each half of a sheet side."""
    found = {"left": "", "right": ""}

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        x = cm[4] + tm[4] * cm[0]
        found["left" if x < width / 2 else "right"] += text + "\n"

    page.extract_text(visitor_text=visit)
    return found


def test_trifold_is_one_sheet_of_two_pages_and_passes_the_check(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "trifold-a4", "--layout", "trifold-letter"
                       ).exit_code == 0
    for name, size in (("trifold-a4", (842, 595)), ("trifold-letter", (792, 612))):
        reader = PdfReader(minimal.output("en", "minimal", f"minimal-{name}.pdf"))
        assert len(reader.pages) == 2
        for page in reader.pages:
            box = page.mediabox
            assert (round(float(box.width)), round(float(box.height))) == size
        # The outside of the sheet reads: inside flap, back panel, front cover.
        outside = reader.pages[0].extract_text()
        assert outside.index("Leg cramps") < outside.index("Riverside Community Clinic")
        sizes = text_sizes(minimal.output("en", "minimal", f"minimal-{name}.pdf"))
        assert min(sizes.values()) >= 9 - 0.01
    result = minimal.run("check", "--layout", "trifold-a4", "--layout", "trifold-letter",
                         "--strict", "--skip", "fill")
    assert result.exit_code == 0, result.output
    # A leaflet this short leaves inside panels blank, and check says so (issue 15:
    # the panels are not balanced yet).
    result = minimal.run("check", "--layout", "trifold-a4")
    assert "warning: the trifold-a4 layout leaves panel 5 of 6" in result.output


def test_a_leaflet_too_long_for_the_trifold_fails_with_the_sections_that_overflow(
        minimal: TmpProject) -> None:
    long_leaflet(minimal, 12)
    result = minimal.run("build", "--layout", "trifold-a4", "--layout", "a4")
    assert result.exit_code == 1
    source = minimal.root / "source" / "en" / "minimal.md"
    assert (f"{source}: error: does not fit the trifold-a4 layout: 2 of 3 sections overflow "
            "('Treatment', 'When to see a doctor'); shorten it or use another layout"
            ) in result.stderr
    assert not minimal.output("en", "minimal", "minimal-trifold-a4.pdf").exists()
    assert minimal.output("en", "minimal", "minimal-a4.pdf").exists()


def test_print_ready_has_bleed_a_slug_and_trim_box(approved: TmpProject) -> None:
    """TrimBox (the paper) inside BleedBox (3 mm more) inside MediaBox (the slug, 7 mm
    more, where the marks are): ``test_print_shop`` checks the rest of a print file."""
    assert approved.run("build", "--layout", "a4", "--print-ready").exit_code == 0
    shop = approved.root / "build/en/minimal/print/minimal-a4.pdf"
    page = PdfReader(shop).pages[0]
    bleed, slug = 3 / 25.4 * 72, 10 / 25.4 * 72
    trim, media, box = page.trimbox, page.mediabox, page.bleedbox
    assert [round(float(v), 1) for v in trim] == [0, 0, 595.3, 841.9]
    assert [round(float(v), 1) for v in box] == [round(-bleed, 1), round(-bleed, 1),
                                                 round(595.28 + bleed, 1),
                                                 round(841.89 + bleed, 1)]
    assert [round(float(v), 1) for v in media] == [round(-slug, 1), round(-slug, 1),
                                                   round(595.28 + slug, 1),
                                                   round(841.89 + slug, 1)]
    fonts = page["/Resources"]["/Font"]  # type: ignore[index]
    for ref in fonts.values():
        descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
    normal = PdfReader(approved.output("en", "minimal", "minimal-a4.pdf")).pages[0]
    assert [float(v) for v in normal.mediabox] == [float(v) for v in normal.trimbox]
    # The brand band at the top runs into the bleed: the strip above the trim is coloured
    # like the band on the paper, and the slug above the bleed is white.
    picture = render_page(shop, 0, 72)
    middle, top = picture.width // 2, round(slug - bleed)
    band = picture.getpixel((middle, round(slug) + 3))
    assert band != (255, 255, 255)
    assert picture.getpixel((middle, top + 1)) == band
    assert picture.getpixel((middle, top - 2)) == (255, 255, 255)
    assert approved.run("check", "--layout", "a4", "--strict").exit_code == 0


def test_every_pdf_page_gets_a_png_proof(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "a4", "--layout", "booklet-a5").exit_code == 0
    proofs = minimal.root / "build/en/minimal/proofs"
    names = sorted(p.name for p in proofs.glob("*.png"))
    booklet = len(PdfReader(minimal.output("en", "minimal", "minimal-booklet-a5.pdf")).pages)
    assert names == sorted(["minimal-a4-1.png",
                            *(f"minimal-booklet-a5-{n}.png" for n in range(1, booklet + 1)),
                            *(f"minimal-booklet-a5-imposed-{n}.png"
                              for n in range(1, booklet // 2 + 1))])
    assert minimal.run("build", "--layout", "a4", "--force", "--no-proofs").exit_code == 0


def test_a_sheet_too_small_for_the_booklet_is_an_error_at_the_layout(minimal: TmpProject) -> None:
    config = minimal.root / "layouts/booklet-a5/layout.yml"
    config.write_text(config.read_text().replace("sheet: 297mm 210mm", "sheet: 210mm 148mm"))
    result = minimal.run("build", "--layout", "booklet-a5", "--no-proofs")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{config}: error: cannot impose en/minimal:" in result.stderr
