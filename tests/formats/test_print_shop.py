"""Print-shop files (``build --print-ready``), read back as a print shop's preflight would:
PDF/X-4 with a CMYK output intent, colour in CMYK only, TrimBox inside BleedBox inside
MediaBox with the marks in the slug, a tri-fold as its imposed sheet; Ghostscript
renders them and qpdf finds them sound. pikepdf (qpdf) reads them, independently of
the pypdf that wrote them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import zxingcpp
from PIL import Image

from careleaf.formats.proofs import render_page
from conftest import COMPLETENESS_ONLY, TmpProject

MM = 72 / 25.4
BLEED, SLUG = 3 * MM, 10 * MM  # the slug's outer edge, from the trim
#: Colour operators of PDF content streams; RGB and grey ones must not appear.
COLOUR = {"rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "SC", "scn", "SCN"}
NOT_CMYK = {"rg", "RG", "g", "G"}
GHOSTSCRIPT_PROFILES = Path("/usr/share/color/icc/ghostscript")
#: The default brand's designer CMYK for 'primary' and 'text' (layouts/brands/default.yml).
PRIMARY, TEXT = (0.9, 0.25, 0.3, 0.6), (0.0, 0.0, 0.0, 1.0)


def shop_file(project: TmpProject, layout: str) -> Path:
    return project.root / "build/en/minimal/print" / f"minimal-{layout}.pdf"


Found = list[tuple[str, tuple[Any, ...]]]


def colours(pdf: pikepdf.Pdf) -> Found:
    """Every colour operation of every page and of every form XObject and tiling pattern
    they draw, as (operator, operands); ``cs``/``CS`` give the colour space's family."""
    found: Found = []
    seen: set[tuple[int, int]] = set()

    def walk(owner: Any, resources: Any) -> None:
        spaces = resources.get("/ColorSpace", {}) if resources is not None else {}
        for instruction in pikepdf.parse_content_stream(owner):
            operands, name = instruction.operands, str(instruction.operator)
            if name in ("cs", "CS"):
                found.append((name, (space_family(operands[0], spaces),)))
            elif name in COLOUR:
                found.append((name, tuple(map(number_or_name, operands))))
        for key in ("/XObject", "/Pattern"):
            for child in (resources.get(key, {}) if resources is not None else {}).values():
                if child.objgen in seen or child.get("/Subtype") == "/Image":
                    continue
                seen.add(child.objgen)
                walk(child, child.get("/Resources"))

    for page in pdf.pages:
        walk(page, page.get("/Resources"))
    return found


def number_or_name(operand: Any) -> float | str:
    """A colour operand: a number, or the name of a pattern."""
    return str(operand) if isinstance(operand, pikepdf.Name) else float(operand)


def space_family(name: Any, spaces: Any) -> str:
    """``/DeviceCMYK``, or what a named colour space resource is (ICCBased with N)."""
    if str(name) in ("/DeviceCMYK", "/DeviceRGB", "/DeviceGray", "/Pattern"):
        return str(name)
    space = spaces[str(name)]
    if str(space[0]) == "/ICCBased":
        return f"/ICCBased {int(space[1].get('/N'))}"
    return str(space[0])


def assert_cmyk_only(pdf: pikepdf.Pdf) -> Found:
    """Colour operators CMYK only, on every page and form; and no image, gradient or
    transparency group in RGB or grey (an image's soft mask is transparency, not ink)."""
    found = colours(pdf)
    assert found, "no colour at all"
    assert not [entry for entry in found if entry[0] in NOT_CMYK]
    # A pattern's colours are its own content's, or its gradient's: checked below.
    assert {entry[1][0] for entry in found if entry[0] in ("cs", "CS")} <= {
        "/DeviceCMYK", "/ICCBased 4", "/Pattern"}
    assert all(len(values) == 4 for operator, values in found
               if operator in ("k", "K", "sc", "SC", "scn", "SCN")
               and not isinstance(values[-1], str))
    soft = masks(pdf)
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream) or obj.objgen in soft:
            continue
        if obj.get("/Subtype") == "/Image" and not obj.get("/ImageMask"):
            assert obj.get("/ColorSpace") == "/DeviceCMYK"
        for key in ("/CS", "/ColorSpace"):
            assert obj.get(key) not in ("/DeviceRGB", "/DeviceGray"), (key, obj)
    return found


def masks(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    """Soft masks, grey by definition (transparency, not ink): an image's, and the
    transparency group of a graphics state's soft mask, with the gradients it draws."""
    found: set[tuple[int, int]] = set()
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        resources: Any = obj.get("/Resources", obj)
        states: Any = resources.get("/ExtGState", pikepdf.Dictionary())
        for soft in [obj.get("/SMask"), *(state.get("/SMask") for state in states.values())]:
            if isinstance(soft, pikepdf.Stream):
                found.add(soft.objgen)
            elif isinstance(soft, pikepdf.Dictionary) and "/G" in soft:
                found.add(soft.G.objgen)
                inside: Any = soft.G.get("/Resources", pikepdf.Dictionary())
                shadings: Any = inside.get("/Shading", pikepdf.Dictionary())
                found |= {shading.objgen for shading in shadings.values()}
    return found


def rounded(box: Any) -> list[float]:
    return [round(float(value), 1) for value in box]


def grown(box: list[float], by: float) -> list[float]:
    return rounded([box[0] - by, box[1] - by, box[2] + by, box[3] + by])


def assert_boxes(page: pikepdf.Page, width: float, height: float) -> None:
    """TrimBox the paper, BleedBox 3 mm round it, MediaBox (the slug) 10 mm round it."""
    trim = [0.0, 0.0, width, height]
    assert rounded(page.TrimBox) == rounded(trim)
    assert rounded(page.BleedBox) == grown(trim, BLEED)
    assert rounded(page.MediaBox) == grown(trim, SLUG)
    assert "/CropBox" not in page.obj and "/Annots" not in page.obj


def assert_ghostscript_and_qpdf_accept(path: Path) -> None:
    ghostscript = subprocess.run(
        ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-dPDFSTOPONERROR",
         "-sDEVICE=nullpage", str(path)], capture_output=True, text=True, timeout=120)
    assert ghostscript.returncode == 0 and not ghostscript.stderr.strip(), ghostscript.stderr
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


def assert_pdf_x4(pdf: pikepdf.Pdf, condition: str = "Custom") -> Any:
    """PDF/X-4 identification and an output intent with an embedded CMYK profile."""
    assert pdf.pdf_version == "1.6"
    intent = pdf.Root.OutputIntents[0]
    assert intent.S == "/GTS_PDFX" and intent.Type == "/OutputIntent"
    assert str(intent.OutputConditionIdentifier) == condition
    profile = intent.DestOutputProfile
    assert int(profile.N) == 4
    header = profile.read_bytes()[:128]
    assert header[36:40] == b"acsp" and header[16:20] == b"CMYK" and header[12:16] == b"prtr"
    metadata = pdf.open_metadata()
    assert metadata.get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
    assert str(metadata.get("xmpMM:DocumentID")).startswith("uuid:")
    assert pdf.docinfo.Trapped == pikepdf.Name("/False")
    assert len(pdf.trailer.ID) == 2
    return intent


def test_print_ready_a4_is_pdf_x4_in_cmyk_with_marks_in_the_slug(approved: TmpProject) -> None:
    assert approved.run("build", "--layout", "a4", "--print-ready").exit_code == 0
    path = shop_file(approved, "a4")
    with pikepdf.open(path) as pdf:
        intent = assert_pdf_x4(pdf)
        assert "Artifex CMYK SWOP Profile" in str(intent.Info)
        found = assert_cmyk_only(pdf)
        for page in pdf.pages:
            assert_boxes(page, 595.28, 841.89)
    # The brand's colours are the designer's CMYK; nothing is in rich black but the
    # marks, which are in registration colour (every ink), drawn with K.
    inks = {values for operator, values in found if len(values) == 4}
    assert PRIMARY in inks and TEXT in inks
    assert [ink for ink in inks if min(ink) > 0.5] == [(1.0, 1.0, 1.0, 1.0)]
    assert {operator for operator, values in found if values == (1.0,) * 4} == {"K"}
    # The marks are in the slug: the strip above the bleed has them, the bleed at the
    # bottom left corner (white paper there) has none.
    picture = render_page(path, 0, 150)
    scale = 150 / 72
    strip = picture.crop((0, 0, picture.width, round((SLUG - BLEED) * scale) - 2))
    assert strip.getextrema() != ((255, 255), (255, 255), (255, 255))
    bottom = picture.height - round(SLUG * scale)
    corner = picture.crop((round((SLUG - BLEED) * scale) + 2, bottom + 2,
                           round(SLUG * scale) - 2, bottom + round(BLEED * scale) - 2))
    assert corner.getextrema() == ((255, 255), (255, 255), (255, 255))
    # The QR code, now black ink, still reads.
    assert [r.text for r in zxingcpp.read_barcodes(render_page(path, 0, 300))] == [
        "https://leaflets.riverside-clinic.example.org/en/minimal/minimal.epub"]
    assert_ghostscript_and_qpdf_accept(path)
    # Byte for byte the same when built again.
    before = path.read_bytes()
    assert approved.run("build", "--layout", "a4", "--print-ready", "--force").exit_code == 0
    assert path.read_bytes() == before


@pytest.mark.parametrize(("layout", "sheet", "folds"), [
    ("trifold-a4", (297 * MM, 210 * MM), ([97, 197], [100, 200])),
    ("trifold-letter", (792.0, 612.0), ([91.1, 185.25], [94.15, 188.3])),
])
def test_a_trifold_goes_to_the_print_shop_as_its_sheet_with_fold_marks(
        approved: TmpProject, layout: str, sheet: tuple[float, float],
        folds: tuple[list[float], list[float]]) -> None:
    assert approved.run("build", "--layout", layout, "--print-ready").exit_code == 0
    path = shop_file(approved, layout)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2  # outside, inside
        assert_pdf_x4(pdf)
        assert_cmyk_only(pdf)
        for side, page in enumerate(pdf.pages):
            assert_boxes(page, *sheet)
            wanted = sorted(fold * MM for fold in folds[side] for _ in ("top", "bottom"))
            assert dashed_lines(page) == pytest.approx(wanted, abs=0.2)
    # The cover (right of the outside) is coloured into the bleed at the sheet's edge,
    # and the slug beyond the bleed is white (72 dpi: a pixel a point).
    outside = render_page(path, 0, 72)
    right, middle = round(SLUG + sheet[0]), outside.height // 2 - 40
    cover = outside.getpixel((right + 2, middle))
    assert cover != (255, 255, 255) and cover == outside.getpixel((right - 20, middle))
    assert outside.getpixel((right + 10, middle)) == (255, 255, 255)
    assert_ghostscript_and_qpdf_accept(path)
    # Every section is found on the sheet, read in reading order (as the normal one).
    assert approved.run("check", "--layout", layout, "--strict", *COMPLETENESS_ONLY).exit_code == 0


def dashed_lines(page: pikepdf.Page) -> list[float]:
    """Where each dashed line of the marks (a fold mark) starts across the page, sorted.
    The marks come last, in registration colour."""
    starts: list[float] = []
    marks = dashed = False
    for instruction in pikepdf.parse_content_stream(page):
        operands, operator = instruction.operands, instruction.operator
        if str(operator) == "K":
            marks = [float(value) for value in operands] == [1.0] * 4
            dashed = False
        elif str(operator) == "d":
            dashed = len(operands[0]) > 0
        elif marks and dashed and str(operator) == "m":
            starts.append(float(operands[0]))
    return sorted(starts)


def test_gradients_and_transparency_in_a_layout_are_made_cmyk(approved: TmpProject) -> None:
    """WeasyPrint 70 writes a gradient's RGB stops under /DeviceCMYK when the output intent
    is CMYK, and its transparent gradients as soft masks: the stops are converted, the
    masks stay masks."""
    approved.write("layouts/shop/layout.yml", "name: shop\ndescription: gradients\n"
                   "format: pdf\nextends: a4\nstylesheets:\n  - shop.css\n")
    approved.write("layouts/shop/shop.css",
                   ".masthead { background: linear-gradient(90deg, #b3261e, #0a5561); }\n"
                   ".item { background: radial-gradient(#fff4e0, rgba(10, 85, 97, 0.3)); }\n")
    assert approved.run("build", "--layout", "shop", "--print-ready").exit_code == 0
    path = shop_file(approved, "shop")
    with pikepdf.open(path) as pdf:
        assert_cmyk_only(pdf)
        soft = masks(pdf)
        shadings = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                    and "/ShadingType" in obj and obj.objgen not in soft]
        assert shadings and all(shading.ColorSpace == "/DeviceCMYK" for shading in shadings)
        stops = [list(map(float, part[end])) for shading in shadings
                 for part in shading.Function.get("/Functions", [shading.Function])
                 for end in ("/C0", "/C1")]
        assert all(len(stop) == 4 for stop in stops) and PRIMARY in map(tuple, stops)
    assert_ghostscript_and_qpdf_accept(path)


def test_a_leaflets_own_rgb_photo_is_made_cmyk(approved: TmpProject) -> None:
    source = approved.root / "source/en/minimal.md"
    approved.write("source/en/minimal.md",
                   source.read_text() + "\n![A warm bath](img/bath.png)\n")
    photo = Image.new("RGB", (64, 64))
    photo.putdata([(x * 4, 120, 255 - y * 4) for y in range(64) for x in range(64)])
    (approved.root / "source/en/img").mkdir(parents=True)
    photo.save(approved.root / "source/en/img/bath.png")
    assert approved.run("build", "--layout", "a4", "--print-ready").exit_code == 0
    with pikepdf.open(shop_file(approved, "a4")) as pdf:
        assert_cmyk_only(pdf)
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                  and obj.get("/Subtype") == "/Image" and obj.get("/Width") == 64]
        assert [image.ColorSpace for image in images] == ["/DeviceCMYK"]
        # Its top left is blue: much cyan ink, little yellow.
        ink = pikepdf.PdfImage(images[0]).as_pil_image().getpixel((0, 0))
        assert isinstance(ink, tuple) and ink[0] > 100 and ink[2] < 60


def test_the_brand_names_its_print_shops_profile_and_condition(approved: TmpProject) -> None:
    profile = approved.write("layouts/brands/press.icc",
                             (GHOSTSCRIPT_PROFILES / "ps_cmyk.icc").read_bytes())
    brand = approved.root / "layouts/brands/default.yml"
    brand.write_text(brand.read_text() + "print_profile: press.icc\n"
                     "print_condition: CGATS TR 001\n")
    assert approved.run("build", "--layout", "a4", "--print-ready").exit_code == 0
    with pikepdf.open(shop_file(approved, "a4")) as pdf:
        intent = assert_pdf_x4(pdf, "CGATS TR 001")
        assert str(intent.RegistryName) == "http://www.color.org"
        assert "Artifex PS CMYK Profile" in str(intent.Info)
        assert intent.DestOutputProfile.read_bytes() == profile.read_bytes()
    # A new profile from the print shop remakes the print-shop files, and only them.
    shutil.copyfile(GHOSTSCRIPT_PROFILES / "default_cmyk.icc", profile)
    result = approved.run("build", "--layout", "a4", "--print-ready")
    assert [line.split()[1] for line in result.stdout.splitlines()
            if line.startswith("built ")] == [str(shop_file(approved, "a4"))]
    assert "1 built, 1 up to date" in result.stdout


@pytest.mark.parametrize(("line", "message"), [
    ("cmyk:\n  primary: [90, 25, 30]\n",
     "cmyk 'primary' must be four percentages from 0 to 100, [cyan, magenta, yellow, "
     "black], not [90, 25, 30]"),
    ("cmyk:\n  primary: [100, 100, 100, 100]\n",
     "cmyk 'primary' [100.0, 100.0, 100.0, 100.0] puts 400% ink on the paper; presses "
     "take at most 300%"),
    ("cmyk:\n  primry: [0, 0, 0, 100]\n", "unknown key 'primry' (did you mean 'primary'?)"),
    ("print_profile: missing.icc\n", "print profile 'missing.icc' must be an existing .icc"),
    ("print_profile: screen.icc\n", "print profile 'screen.icc' is a RGB mntr profile, not "
     "the CMYK output (prtr) profile of a press"),
    ("print_condition: FOGRA39\n", "'print_condition' names what 'print_profile' is for"),
])
def test_print_settings_mistakes_are_errors_at_their_line(
        approved: TmpProject, line: str, message: str) -> None:
    approved.write("layouts/brands/screen.icc", (GHOSTSCRIPT_PROFILES / "srgb.icc").read_bytes())
    brand = approved.root / "layouts/brands/default.yml"
    text = brand.read_text()
    text = text[:text.index("cmyk:")] if line.startswith("cmyk:") else text
    brand.write_text(text + line)
    number = len(text.splitlines()) + (2 if line.startswith("cmyk:") else 1)
    result = approved.run("build", "--layout", "a4", "--print-ready")
    assert result.exit_code == 1
    assert f"{brand}:{number}: error: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_only_the_print_shop_sheet_may_read_the_default_profiles_folder(
        approved: TmpProject) -> None:
    """The sandbox lets the print-shop stylesheet read the system profile, and nothing
    else: a layout's stylesheet asking for a file there is refused, print-ready or not."""
    approved.write("layouts/peek/layout.yml", "name: peek\ndescription: peeks\n"
                   "format: pdf\nextends: a4\nstylesheets:\n  - peek.css\n")
    approved.write("layouts/peek/peek.css", '.masthead { background-image: url('
                   f'"{(GHOSTSCRIPT_PROFILES / "srgb.icc").as_uri()}"); }}\n')
    result = approved.run("build", "--layout", "peek", "--print-ready")
    assert result.exit_code == 1
    assert "srgb.icc' for en/minimal: it is outside the project" in result.stderr
    assert not shop_file(approved, "peek").exists()
