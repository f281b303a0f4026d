"""Clinic brands: contact details on every print, colours checked, QR code to the ebook."""

from __future__ import annotations

import shutil
import zipfile

import pytest
import zxingcpp
from pypdf import PdfReader

from careleaf.formats.proofs import render_page
from careleaf.render.qr import qr_modules
from conftest import REPO, TmpProject

DEFAULT = (REPO / "layouts/brands/default.yml").read_text()
EBOOK = "https://leaflets.riverside-clinic.example.org/en/minimal/minimal.epub"


def decode_qr(pdf: object, page: int = 0, dpi: int = 300) -> list[zxingcpp.Result]:
    return list(zxingcpp.read_barcodes(render_page(pdf, page, dpi)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("layout", "size_mm"), [("a4", 25), ("letter", 25),
                                                 ("booklet-a5", 20), ("trifold-a4", 25)])
def test_qr_code_decodes_to_the_ebook_url_at_the_promised_size(
        minimal: TmpProject, layout: str, size_mm: float) -> None:
    assert minimal.run("build", "--layout", layout, "--no-proofs").exit_code == 0
    pdf = minimal.output("en", "minimal", f"minimal-{layout}.pdf")
    pages = len(PdfReader(pdf).pages)
    found = [(n, r) for n in range(pages) for r in decode_qr(pdf, n)]
    assert [r.text for _, r in found] == [EBOOK]
    modules = qr_modules(EBOOK)
    corners = found[0][1].position
    width_px = abs(corners.top_right.x - corners.top_left.x)
    symbol_mm = width_px / 300 * 25.4
    assert symbol_mm == pytest.approx(size_mm * modules / (modules + 8), rel=0.04)


def test_print_layouts_show_the_contact_block_and_urgent_line(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "a4", "--layout", "large-print").exit_code == 0
    for name in ("a4", "large-print"):
        text = " ".join(p.extract_text() for p in PdfReader(
            minimal.output("en", "minimal", f"minimal-{name}.pdf")).pages).replace("\n", " ")
        assert "Riverside Community Clinic" in text and "01632 960 000" in text
        assert "When you need help urgently: If you feel very unwell, call NHS 111." in text


def test_a_brand_builds_into_its_own_folder_and_leaves_others_alone(minimal: TmpProject) -> None:
    urgent = DEFAULT[DEFAULT.index("urgent:\n"):DEFAULT.index("feedback:\n")]
    minimal.write("layouts/brands/hilltop.yml", DEFAULT.replace(
        "Riverside Community Clinic", "Hilltop Surgery").replace(
        "logo: default-logo.svg\n", "").replace(
        "https://leaflets.riverside-clinic.example.org", "https://hilltop.example.org/leaflets"
    ).replace(urgent, 'urgent: "In an emergency, call 911."\n'))  # English alone
    assert minimal.run("build").exit_code == 0
    default_pdf = minimal.output("en", "minimal", "minimal-a4.pdf")
    before = default_pdf.read_bytes()
    result = minimal.run("build", "--brand", "hilltop")
    assert result.exit_code == 0, result.output
    assert "2 built" in result.stdout
    branded = minimal.root / "build/brands/hilltop/en/minimal"
    text = PdfReader(branded / "minimal-a4.pdf").pages[0].extract_text()
    assert "Hilltop Surgery" in text and "Riverside Community Clinic" not in text
    assert "In an emergency, call 911." in text.replace("\n", " ")
    assert [r.text for r in decode_qr(branded / "minimal-a4.pdf")] == [
        "https://hilltop.example.org/leaflets/en/minimal/minimal.epub"]
    with zipfile.ZipFile(branded / "minimal.epub") as book:
        assert b"<dc:publisher>Hilltop Surgery</dc:publisher>" in book.read("EPUB/content.opf")
    assert default_pdf.read_bytes() == before
    assert "0 built, 2 up to date" in minimal.run("build").stdout
    assert minimal.run("check", "--brand", "hilltop", "--strict").exit_code == 0


def test_low_contrast_colours_are_an_error_naming_both(minimal: TmpProject) -> None:
    path = minimal.write("layouts/brands/pale.yml", DEFAULT.replace(
        'text: "#1b1b1b"', 'text: "#999999"').replace('primary: "#0a5561"', 'primary: "#66c2cc"'))
    result = minimal.run("build", "--brand", "pale")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    line = line_of('  text: "#1b1b1b"')
    on_primary = line_of('  on_primary: "#ffffff"')
    assert f"{path}:{line}: error: 'text' #999999 on 'background' #ffffff has a contrast of " \
        "2.85:1; WCAG AA needs at least 4.5:1 for text" in errors
    assert f"{path}:{on_primary}: error: 'on_primary' #ffffff on 'primary' #66c2cc has a " \
        "contrast of 2.07:1; WCAG AA needs at least 4.5:1 for text" in errors
    assert not (minimal.root / "build/brands/pale").exists()


def line_of(start: str) -> int:
    """The 1-based line of the default brand file that starts with ``start``."""
    return next(n for n, line in enumerate(DEFAULT.splitlines(), 1) if line.startswith(start))


@pytest.mark.parametrize(("change", "message"), [
    (("organisation:", "organization:"), "unknown key 'organization' (did you mean "
     "'organisation'?)"),
    (("base_url: \"https://leaflets.riverside-clinic.example.org\"", "base_url: ftp://x"),
     "'base_url' must be an http(s) address"),
    (("logo: default-logo.svg", "logo: ../../../etc/passwd"),
     "'logo' must be a file name inside layouts/brands/"),
    (('  tint: "#eef5f6"', '  tint: "light blue"'),
     "colour 'tint': not a colour: 'light blue'"),
])
def test_brand_file_mistakes(minimal: TmpProject, change: tuple[str, str],
                             message: str) -> None:
    assert change[0] in DEFAULT
    line = line_of(change[0])
    path = minimal.write("layouts/brands/bad.yml", DEFAULT.replace(*change))
    result = minimal.run("build", "--brand", "bad")
    assert result.exit_code == 1
    errors = [e for e in result.stderr.splitlines() if ": error: " in e]
    assert any(e.startswith(f"{path}:{line}: error: {message}") for e in errors), errors


def test_unknown_brand_lists_the_brands(minimal: TmpProject) -> None:
    result = minimal.run("build", "--brand", "nope")
    assert result.exit_code == 1
    assert "error: no brand 'nope' (available: default)" in result.stderr


def test_a_long_address_gets_a_bigger_qr_code_that_still_scans(minimal: TmpProject) -> None:
    long_id = "persistent-night-leg-cramps-in-older-people"
    minimal.write(f"source/en/{long_id}.md", (minimal.root / "source/en/minimal.md").read_text())
    assert minimal.run("build", "--layout", "booklet-a5", "--no-proofs").exit_code == 0
    pdf = minimal.output("en", long_id, f"{long_id}-booklet-a5.pdf")
    url = f"https://leaflets.riverside-clinic.example.org/en/{long_id}/{long_id}.epub"
    found = decode_qr(pdf, len(PdfReader(pdf).pages) - 1)  # on the booklet's back cover
    assert [r.text for r in found] == [url]
    modules = qr_modules(url)
    width_mm = abs(found[0].position.top_right.x - found[0].position.top_left.x) / 300 * 25.4
    assert width_mm / modules >= 0.4 * 0.97  # every module at least 0.4 mm


def test_layouts_linked_from_outside_the_project_give_an_error_not_a_traceback(
        minimal: TmpProject, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("shared") / "layouts"
    shutil.move(minimal.root / "layouts", elsewhere)
    (minimal.root / "layouts").symlink_to(elsewhere)
    result = minimal.run("build")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert ("layouts/brands/default.yml:" in result.stderr
            and "error: logo 'default-logo.svg' is outside the project" in result.stderr)
    assert "Traceback" not in result.output
