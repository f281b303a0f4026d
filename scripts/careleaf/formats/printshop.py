"""Print-shop files: what ``careleaf build --print-ready`` writes for a press.

A print shop preflights a PDF before it goes near a plate. It wants PDF/X-4 (an
output intent naming the press's CMYK profile, embedded), colour in CMYK only, the
paper's size as the TrimBox, 3 mm of bleed round it (the BleedBox, into which every
colour that touches the paper's edge runs on) and crop marks outside the bleed, in a
slug (the MediaBox), so that they are cut away with it. A tri-fold goes as the sheet
it is printed on, outside and inside, with fold marks in the slug at its folds.

How careleaf makes one, in ``formats.pdf``'s order:

1. ``stylesheet``, added to the layout's: 3 mm of bleed on every page (WeasyPrint paints
   page backgrounds into it; a layout runs other edge colours into it with the
   ``--bleed`` variable), the press profile as ``@color-profile device-cmyk``, and the
   brand's colours as the designer's CMYK (``device-cmyk()``, from ``Brand.cmyk``);
2. ``write_options`` and ``finisher``: WeasyPrint writes ``pdf/x-4`` with a fixed
   document identifier (it would make a random one, and careleaf's outputs are the
   same bytes build after build), and the output intent says which profile and
   printing condition it is (WeasyPrint names the profile only);
3. ``print_file``: every other colour made CMYK (``formats.cmyk``), a tri-fold's panels
   imposed on its sheet (``impose.trifold_with_bleed``), and on each page its boxes,
   slug and marks, drawn in registration colour (all four inks). Links are dropped:
   they do nothing on paper, and PDF/X wants no annotations on the printed page.

The file is untagged: it is for the press; the tagged reading-order PDF beside it is
for readers. pypdf is imported by the functions that use it.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careleaf.design.brand import DEFAULT_PRINT_PROFILE, Brand
from careleaf.design.contrast import parse_colour
from careleaf.errors import CareleafError, Diagnostic, Location
from careleaf.formats import impose
from careleaf.formats.cmyk import CMYK, RGB8, Converter, NotConvertible, Operation, Recolourer
from careleaf.formats.fetcher import project_url
from careleaf.formats.job import Job

if TYPE_CHECKING:
    from pypdf import PageObject, PdfWriter

PDF_VARIANT = "pdf/x-4"
MM = 72 / 25.4
#: The bleed round the paper, and the slug round the bleed, where the marks are.
BLEED_MM = 3.0
SLUG_MM = 7.0
#: Marks run from 1 mm outside the bleed, 5 mm long: clear of anything printed.
MARK_FROM_MM = BLEED_MM + 1.0
MARK_LENGTH_MM = 5.0
MARK_WIDTH_PT = 0.25
#: Registration colour: every ink, so that marks show on every plate.
REGISTRATION = (1.0, 1.0, 1.0, 1.0)
#: Where printing conditions (FOGRA39, CGATS TR 006…) are registered.
REGISTRY = "http://www.color.org"
Box = tuple[float, float, float, float]


def stylesheet(brand: Brand, root: Path) -> str:
    """The print-shop rules: bleed, the press profile, the brand's CMYK."""
    profile = press_profile(brand, root)
    url = project_url(root, profile) if profile.is_relative_to(root) else profile.as_uri()
    return (f"@page {{ bleed: {BLEED_MM:g}mm; }}\n"
            f'@color-profile device-cmyk {{ src: url("{url}"); '
            "components: cyan, magenta, yellow, black; }\n"
            f":root {{ --bleed: {BLEED_MM:g}mm !important; {brand.print_variables()} }}\n")


def press_profile(brand: Brand, root: Path) -> Path:
    """The press's ICC profile; an error at the brand file if there is none."""
    path = brand.print_profile_path(root)
    if not path.is_file():
        raise CareleafError(Diagnostic(Location(brand.path), (
            f"print-shop files need the CMYK profile of a press, and {path} is missing: "
            "name your print shop's profile in 'print_profile', or install Debian's "
            "'ghostscript' package (scripts/system-deps.sh), which brings the generic one")))
    return path


class PressProfile:
    """The press profile as WeasyPrint uses one when it writes a PDF, holding the file's
    own bytes. WeasyPrint's ``ColorProfile`` embeds lcms's re-serialisation of the
    profile instead, which is not the print shop's file (smaller: lcms rewrites it) and
    fails outright for some version 4 profiles ("Could not determine profile size")."""

    def __init__(self, loaded: Any, data: bytes) -> None:
        self.src, self.rendering_intent = loaded.src, loaded.rendering_intent
        self.components, self.name = loaded.components, loaded.name
        self.content = data
        #: Set by WeasyPrint while writing: the profile's stream in that PDF.
        self.pdf_reference: Any = None


def press_profiles(loaded: dict[str, Any], job: Job) -> dict[str, Any]:
    """The profiles ``stylesheet``'s rule loaded, for one document's ``color_profiles``:
    the press profile with its file's bytes (a new object each time: WeasyPrint notes
    where it wrote it in the object)."""
    data = press_profile(job.brand, job.project.root).read_bytes()
    return {name: PressProfile(profile, data) for name, profile in loaded.items()}


def identifier(job: Job) -> str:
    """The file's permanent identifier (32 hex digits): the same for every build of
    this leaflet, layout and brand, as PDF means a file identifier to be."""
    name = "\0".join(("careleaf print-shop file", job.brand.name, job.leaflet.key,
                      job.layout.name))
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


def write_options(job: Job) -> dict[str, Any]:
    """WeasyPrint's ``write_pdf`` options for a print-shop file."""
    return {"pdf_variant": PDF_VARIANT, "pdf_identifier": identifier(job).encode()}


def finisher(job: Job) -> Callable[[Any, Any], None]:
    """Fix what WeasyPrint's PDF/X-4 leaves random or vague: the XMP document id, and
    the output intent's names for the profile and its printing condition."""
    document_id = f"uuid:{uuid.UUID(hex=identifier(job))}".encode()
    entries = _intent_entries(job.brand, press_profile(job.brand, job.project.root))

    def finish(document: Any, pdf: Any) -> None:
        import pydyf

        metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
        xmp = b"".join(metadata.stream)
        metadata.stream = [re.sub(rb"xmp\.did:[0-9a-f-]+", document_id, xmp)]
        if not pdf.catalog.get("OutputIntents"):
            raise CareleafError(Diagnostic(Location(job.brand.path), "the press profile "
                                           "could not be read as an ICC profile"))
        intent = pdf.catalog["OutputIntents"][0]
        for key, value in entries.items():
            intent[key] = pydyf.String(value)

    return finish


def _intent_entries(brand: Brand, profile: Path) -> dict[str, str]:
    """The output intent's OutputConditionIdentifier, RegistryName, Info and OutputCondition."""
    described = _description(profile.read_bytes())
    if brand.print_condition:
        return {"OutputConditionIdentifier": brand.print_condition, "RegistryName": REGISTRY,
                "Info": described, "OutputCondition": described}
    if profile == DEFAULT_PRINT_PROFILE:
        described += (f" (Ghostscript's generic coated-offset profile {profile.name}, "
                      "not a print shop's own)")
    else:
        described += f" ({profile.name}, the print shop's profile)"
    return {"OutputConditionIdentifier": "Custom", "Info": described,
            "OutputCondition": described}


@functools.lru_cache(maxsize=4)
def _description(profile: bytes) -> str:
    from PIL import ImageCms

    found = ImageCms.ImageCmsProfile(io.BytesIO(profile)).profile.profile_description
    return str(found or "CMYK press profile").strip()


def print_file(job: Job, data: bytes) -> bytes:
    """WeasyPrint's PDF/X-4 made a print-shop file: CMYK only, padded or a tri-fold
    imposed on its sheet, every page with its bleed and slug, and marks in the slug."""
    layout = job.layout
    if layout.impose != "trifold" or layout.sheet is None:
        padded = impose.pad_to_multiple(data, layout.pad_to) if layout.pad_to else data
        return _write(_recoloured(job, padded, ()))
    panels = _write(_recoloured(job, data, None))
    order = (layout.fold_order[0], layout.fold_order[1])
    sheets, folds = impose.trifold_with_bleed(impose.fill_panels(panels, layout.panels),
                                              *layout.sheet, order, job.leaflet.direction,
                                              BLEED_MM * MM)
    writer = _rewrite(sheets, None, folds)
    _pdfx_from(writer, data)
    return _write(writer)


def _recoloured(job: Job, data: bytes, folds: Sequence[Sequence[float]] | None) -> PdfWriter:
    """``_rewrite`` with the press's converter; an error at the layout for a colour that
    cannot be made CMYK."""
    profile = press_profile(job.brand, job.project.root).read_bytes()
    try:
        return _rewrite(data, _converter(profile, _brand_inks(job.brand)), folds)
    except NotConvertible as exc:
        raise CareleafError(Diagnostic(Location(job.layout.folder), (
            f"cannot make the print-shop file of {job.leaflet.key} CMYK: {exc}; use sRGB "
            "colours (#rrggbb, rgb()) and RGB or grey images"))) from None


def _brand_inks(brand: Brand) -> tuple[tuple[RGB8, CMYK], ...]:
    """Each brand colour's RGB (8-bit) and the designer's CMYK for it."""
    inks: dict[RGB8, CMYK] = {}
    for key, ink in sorted(brand.cmyk.items()):
        red, green, blue = (round(part * 255) for part in parse_colour(brand.colours[key]))
        inks.setdefault((red, green, blue), ink)
    return tuple(sorted(inks.items()))


@functools.lru_cache(maxsize=4)
def _converter(profile: bytes, inks: tuple[tuple[RGB8, CMYK], ...]) -> Converter:
    return Converter(profile, dict(inks))


def _rewrite(data: bytes, converter: Converter | None,
             folds: Sequence[Sequence[float]] | None) -> PdfWriter:
    """``data`` cloned, its colours made CMYK (with a converter) and, unless ``folds``
    is None, each page given its boxes, slug and marks (page ``n``'s folds, from its
    trim's left edge, are ``folds[n]``)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ContentStream

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    recolour = Recolourer(writer, converter) if converter is not None else None
    for number, page in enumerate(writer.pages):
        if recolour is not None:
            operations = recolour.page(page)
        else:
            content = page.get_contents()
            operations = content.operations if content is not None else []
        if folds is not None:
            operations = _slugged(page, operations, folds[number] if number < len(folds) else ())
            page.pop("/Annots", None)
        content = ContentStream(None, writer)
        content.operations = operations
        page.replace_contents(content)
        page.compress_content_streams()
    writer.pdf_header = "%PDF-1.6"  # PDF/X-4 is PDF 1.6
    return writer


def _slugged(page: PageObject, operations: list[Operation],
             folds: Sequence[float]) -> list[Operation]:
    """Boxes for ``page`` (trim inside bleed inside the slug), its content clipped to the
    bleed, and the marks drawn in the slug."""
    from pypdf.generic import RectangleObject

    trim = _trim(page)
    bleed, media = _grown(trim, BLEED_MM * MM), _grown(trim, (BLEED_MM + SLUG_MM) * MM)
    page.mediabox = RectangleObject(media)
    page.bleedbox = RectangleObject(bleed)
    page.trimbox = RectangleObject(trim)
    for key in ("/CropBox", "/ArtBox"):
        page.pop(key, None)
    left, bottom, right, top = bleed
    clip = [_op(b"re", left, bottom, right - left, top - bottom), ([], b"W"), ([], b"n")]
    return [([], b"q"), *clip, *operations, ([], b"Q"), *_marks(trim, folds)]


def _trim(page: PageObject) -> Box:
    """The paper: the TrimBox, or a padding page's MediaBox less the bleed it has."""
    if "/TrimBox" in page:
        box = page.trimbox
        return float(box.left), float(box.bottom), float(box.right), float(box.top)
    return _grown(tuple(float(v) for v in page.mediabox), -BLEED_MM * MM)  # type: ignore[arg-type]


def _grown(box: Box, by: float) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _marks(trim: Box, folds: Sequence[float]) -> list[Operation]:
    """Crop marks at the corners, registration targets mid-side, fold marks (dashed)
    at ``folds``, all in the slug, in registration colour."""
    left, bottom, right, top = trim
    near, far = MARK_FROM_MM * MM, (MARK_FROM_MM + MARK_LENGTH_MM) * MM
    lines: list[tuple[float, float, float, float]] = []
    for x, out_x in ((left, -1), (right, 1)):
        for y, out_y in ((bottom, -1), (top, 1)):
            lines.append((x + out_x * near, y, x + out_x * far, y))
            lines.append((x, y + out_y * near, x, y + out_y * far))
    middle, centre = (near + far) / 2, ((left + right) / 2, (bottom + top) / 2)
    targets = [(centre[0], top + middle), (centre[0], bottom - middle),
               (left - middle, centre[1]), (right + middle, centre[1])]
    operations = [([], b"q"), _op(b"K", *REGISTRATION), _op(b"w", MARK_WIDTH_PT), _dash()]
    operations += [op for line in lines for op in _line(*line)]
    operations += [op for target in targets for op in _target(*target)]
    if folds:
        operations.append(_dash(3.0, 2.0))
        for fold in folds:
            x = left + fold
            operations += [*_line(x, top + near, x, top + far),
                           *_line(x, bottom - near, x, bottom - far)]
    return [*operations, ([], b"Q")]


def _line(x0: float, y0: float, x1: float, y1: float) -> list[Operation]:
    return [_op(b"m", x0, y0), _op(b"l", x1, y1), ([], b"S")]


def _target(x: float, y: float) -> list[Operation]:
    """A registration target: a circle with a cross through it."""
    radius, arm, k = 1.5 * MM, MARK_LENGTH_MM / 2 * MM, 0.5523 * 1.5 * MM
    circle = [_op(b"m", x + radius, y)]
    for (x1, y1), (x2, y2), (x3, y3) in (
            ((x + radius, y + k), (x + k, y + radius), (x, y + radius)),
            ((x - k, y + radius), (x - radius, y + k), (x - radius, y)),
            ((x - radius, y - k), (x - k, y - radius), (x, y - radius)),
            ((x + k, y - radius), (x + radius, y - k), (x + radius, y))):
        circle.append(_op(b"c", x1, y1, x2, y2, x3, y3))
    return [*circle, ([], b"S"), *_line(x - arm, y, x + arm, y), *_line(x, y - arm, x, y + arm)]


def _op(operator: bytes, *numbers: float) -> Operation:
    from pypdf.generic import FloatObject

    return [FloatObject(round(number, 4)) for number in numbers], operator


def _dash(*lengths: float) -> Operation:
    """Dashes ``lengths`` long (on, off…); none: a solid line."""
    from pypdf.generic import ArrayObject, FloatObject, NumberObject

    return [ArrayObject([FloatObject(length) for length in lengths]), NumberObject(0)], b"d"


def _pdfx_from(writer: PdfWriter, data: bytes) -> None:
    """Give an imposed ``writer`` the PDF/X-4 identity of WeasyPrint's file ``data``:
    its XMP (PDF/X version, document id), output intent, /Info and file identifier."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    source = PdfReader(io.BytesIO(data))
    catalogue = source.root_object
    for key in ("/Metadata", "/OutputIntents"):
        writer.root_object[NameObject(key)] = catalogue.raw_get(key).clone(writer)
    info = source.trailer["/Info"].get_object()
    assert isinstance(info, DictionaryObject)
    writer._info = info  # its /Trapped is the name PDF/X asks for, not text
    # pypdf keeps a clone's identifier but makes none for a new document: set it.
    identifiers = source.trailer["/ID"].get_object()
    assert isinstance(identifiers, ArrayObject)
    writer._ID = identifiers.clone(writer)


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

