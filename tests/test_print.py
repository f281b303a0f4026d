"""Print layouts: paper sizes and large print, read back from the real PDFs."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from conftest import TmpProject


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
