"""Print production helpers: PNG page proofs, scannable QR codes and WCAG contrast.

Proofs and QR codes are tested on real PDFs made by WeasyPrint and read back with
PDFium; the QR code is decoded from the rendered page with zxing-cpp, the way a
phone camera would see the printed leaflet.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint
import zxingcpp
from PIL import Image

from careleaf.design.contrast import MIN_CONTRAST, contrast_ratio, parse_colour, relative_luminance
from careleaf.formats.proofs import render_page, write_proofs
from careleaf.render.qr import qr_data_uri, qr_modules, qr_svg

URL = "https://leaflets.example.org/en/chronic-muscle-spasms/chronic-muscle-spasms.epub"
MM_PER_INCH = 25.4


def make_pdf(path: Path, pages: int) -> Path:
    """A real A5 PDF of ``pages`` pages, each with a big dark heading."""
    body = "".join(f'<h1 style="page-break-before: always">Page {n}</h1><p>Text {n}.</p>'
                   for n in range(1, pages + 1))
    html = f"<style>@page {{ size: A5; margin: 15mm }} h1 {{ font-size: 40pt }}</style>{body}"
    weasyprint.HTML(string=html).write_pdf(path)
    return path


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("pdfs")
    return {n: make_pdf(folder / f"pages-{n}.pdf", n) for n in (3, 4)}


def dark_pixels(image: Image.Image) -> int:
    return sum(image.convert("L").point(lambda v: 255 if v < 128 else 0).histogram()[255:])


# --- proofs ---------------------------------------------------------------------------

def test_proofs_one_png_per_page_at_the_dpi(pdfs: dict[int, Path], tmp_path: Path) -> None:
    paths = write_proofs(pdfs[3], tmp_path / "proofs", "leaflet")
    assert [p.name for p in paths] == ["leaflet-1.png", "leaflet-2.png", "leaflet-3.png"]
    for path in paths:
        with Image.open(path) as image:
            assert image.format == "PNG" and image.mode == "RGB"
            width, height = image.size
            # A5 is 148 x 210 mm: about 559 x 794 pixels at 96 dpi.
            assert abs(width - 148 / MM_PER_INCH * 96) <= 1
            assert abs(height - 210 / MM_PER_INCH * 96) <= 1
            assert dark_pixels(image) > 500  # the heading is there, not a blank page
            assert image.getpixel((2, 2)) == (255, 255, 255)  # the margin is white
    assert not list((tmp_path / "proofs").glob(".*.tmp"))


def test_proofs_follow_the_dpi(pdfs: dict[int, Path], tmp_path: Path) -> None:
    with Image.open(write_proofs(pdfs[3], tmp_path, "big", dpi=150)[0]) as image:
        assert abs(image.size[0] - 148 / MM_PER_INCH * 150) <= 1


def test_proofs_are_byte_identical_across_runs(pdfs: dict[int, Path], tmp_path: Path) -> None:
    first = [p.read_bytes() for p in write_proofs(pdfs[3], tmp_path / "a", "leaflet")]
    second = [p.read_bytes() for p in write_proofs(pdfs[3], tmp_path / "b", "leaflet")]
    assert first == second
    again = [p.read_bytes() for p in write_proofs(pdfs[3], tmp_path / "a", "leaflet")]
    assert again == first
    assert len(set(first)) == 3  # the pages really differ


def test_stale_proofs_of_a_longer_version_are_removed(pdfs: dict[int, Path],
                                                      tmp_path: Path) -> None:
    assert len(write_proofs(pdfs[4], tmp_path, "leaflet")) == 4
    others = [tmp_path / name for name in ("other-4.png", "leaflet-a4-4.png", "leaflet-04.png")]
    for other in others:
        other.write_bytes(b"not ours")
    paths = write_proofs(pdfs[3], tmp_path, "leaflet")
    assert len(paths) == 3
    assert not (tmp_path / "leaflet-4.png").exists()
    assert all(path.exists() for path in paths + others)


def test_render_page_and_bad_arguments(pdfs: dict[int, Path], tmp_path: Path) -> None:
    assert render_page(pdfs[3], 2, 72).size == pytest.approx((420, 596), abs=1)
    with pytest.raises(IndexError, match="has no page 3"):
        render_page(pdfs[3], 3, 72)
    with pytest.raises(ValueError, match="dpi"):
        write_proofs(pdfs[3], tmp_path, "leaflet", dpi=0)
    with pytest.raises(ValueError, match="stem"):
        write_proofs(pdfs[3], tmp_path, "../leaflet")
    assert not list(tmp_path.iterdir())


# --- QR codes -------------------------------------------------------------------------

def test_qr_svg_is_a_plain_vector_document_of_the_given_size() -> None:
    modules = qr_modules(URL)
    svg = qr_svg(URL, 25)
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert 'width="25mm" height="25mm"' in svg
    assert f'viewBox="0 0 {modules + 8} {modules + 8}"' in svg  # 4-module quiet zone
    assert f"<title>QR code: {URL}</title>" in svg
    assert "<image" not in svg and "<?xml" not in svg
    assert 'stroke="#000"' in svg and 'fill="#fff"' in svg
    assert qr_svg(URL, 25) == svg
    assert qr_data_uri(URL, 25).startswith("data:image/svg+xml;base64,")
    assert qr_modules("a") == 21  # a regular QR code, never a Micro QR code


def test_qr_code_scans_from_the_printed_pdf_at_the_right_size(tmp_path: Path) -> None:
    html = (f'<style>@page {{ size: A5; margin: 20mm }}</style><p>Read this on your phone:</p>'
            f'<img src="{qr_data_uri(URL, 25)}" style="width:25mm;height:25mm">')
    pdf = tmp_path / "qr.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    dpi = 300
    image = render_page(pdf, 0, dpi)

    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [URL]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode

    # The quiet zone is white on white, so measure the dark modules only.
    modules = qr_modules(URL)
    qr_area = image.crop((0, round(30 / MM_PER_INCH * dpi), image.width, image.height))
    box = qr_area.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    assert box is not None
    expected = 25 / MM_PER_INCH * dpi * modules / (modules + 8)
    assert box[2] - box[0] == pytest.approx(expected, rel=0.03)
    assert box[3] - box[1] == pytest.approx(expected, rel=0.03)


def test_qr_refuses_modules_too_small_to_scan() -> None:
    long_url = URL + "?" + "x" * 200
    with pytest.raises(ValueError, match=r"under the 0.4 mm .* at least [\d.]+ mm"):
        qr_svg(long_url, 10)
    modules = qr_modules(URL)
    qr_svg(URL, 0.4 * (modules + 8))  # exactly the limit is fine
    with pytest.raises(ValueError, match="positive"):
        qr_svg(URL, 0)
    with pytest.raises(ValueError, match="non-empty"):
        qr_modules("")


# --- contrast -------------------------------------------------------------------------

def test_contrast_known_values() -> None:
    assert contrast_ratio("#000", "#fff") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1.0)
    assert contrast_ratio("#777", "#fff") == pytest.approx(4.48, abs=0.005)
    assert contrast_ratio("#777", "#fff") < MIN_CONTRAST
    assert contrast_ratio("#767676", "#fff") == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio("#767676", "#FFFFFF") >= MIN_CONTRAST
    assert contrast_ratio("#0a5561", "#fff") >= MIN_CONTRAST  # careleaf's accent colour


def test_contrast_is_symmetric_and_forms_agree() -> None:
    pairs = [("#0a5561", "#ffffff"), ("#777", "#000"), ("rgb(10, 85, 97)", "#fe0")]
    for a, b in pairs:
        assert contrast_ratio(a, b) == contrast_ratio(b, a)
    assert parse_colour("#0a5561") == parse_colour("rgb(10, 85, 97)")
    assert parse_colour(" RGB( 255 ,0,0 ) ") == (1.0, 0.0, 0.0)
    assert parse_colour("rgb(100%, 0%, 50%)") == (1.0, 0.0, 0.5)
    assert parse_colour("#abc") == parse_colour("#aabbcc")
    assert relative_luminance((0.0, 0.0, 0.0)) == 0.0
    assert relative_luminance((1.0, 1.0, 1.0)) == pytest.approx(1.0)


@pytest.mark.parametrize("bad", ["", "red", "#12", "#1234", "#ggg", "0a5561", "rgb(1, 2)",
                                 "rgb(1, 2, 3, 4)", "rgba(1, 2, 3, 0.5)", "rgb(256, 0, 0)",
                                 "rgb(-1, 0, 0)", "rgb(101%, 0%, 0%)", "rgb(a, b, c)"])
def test_bad_colours_are_refused_clearly(bad: str) -> None:
    with pytest.raises(ValueError, match="not a colour"):
        parse_colour(bad)
