"""Page proofs: every page of a finished PDF as a PNG image, for review by eye.

``write_proofs`` renders each page with PDFium (pypdfium2) and saves it as
``<folder>/<stem>-<n>.png``, numbered from 1. Each image is written atomically,
and proofs of the same stem left over from a longer earlier version are removed,
so the folder always shows exactly the current pages. The PNG bytes depend only
on the PDF and the dpi: ``rgb_png`` writes PDFium's pixels with fixed settings and no
metadata (no timestamps, no text chunks, no physical size). ``render_page`` gives one page
as a Pillow image, for tests and for decoding QR codes.

PDFium and Pillow are imported by the functions that use them: the pipeline imports
this module even for a build with nothing to do, which must not pay for loading them.

When proofs are drawn (the policy). Proofs are for a person: a reviewer or a print
shop opens ``proofs/`` to see every page without a PDF viewer, and ``careleaf check``
reads back those a build recorded. No check, page or command needs them to judge a
leaflet (the print checks read the PDFs), so they never hold up an output: every
default build draws them, but as tasks of a later, lower tier than every output
(``pipeline.plan``), recorded apart, so a failed or unfinished proof costs only
itself and the next build draws just the missing ones. Drawn on demand instead, the
first look at a page would wait for PDFium and a stale set could be shown as
current; drawn only for some layouts, a reviewer would find pages missing; drawing
them for every default build, after the outputs, costs a fifth of an A4 render and
keeps ``proofs/`` always the pages as built. ``--no-proofs`` leaves them out (the
preview of ``careleaf serve``, which shows none, can). What was made cheap instead:
PDFium draws straight into the PNG's rows (``_PngRows``), and zlib at level 1.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from careleaf.files import write_atomic

if TYPE_CHECKING:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    from PIL import Image

#: zlib level for proof PNGs: fixed so the bytes never depend on a library's default.
PNG_COMPRESS_LEVEL = 1  # files as small as at 6, in half the time
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def render_page(pdf: Path, index: int, dpi: int) -> Image.Image:
    """Page ``index`` (0-based) of ``pdf`` as an RGB image at ``dpi``."""
    _check_dpi(dpi)
    with _open(pdf) as document:
        count = len(document)
        if not 0 <= index < count:
            raise IndexError(f"{pdf}: has no page {index} (it has {count} pages, 0-based)")
        return _render(document, index, dpi)


def write_proofs(pdf: Path, folder: Path, stem: str, dpi: int = 96) -> list[Path]:
    """Write ``folder/<stem>-<n>.png`` for every page; return their paths in page order."""
    proofs = proof_files(pdf.read_bytes(), folder, stem, dpi)
    for target, data in proofs.items():
        write_atomic(target, data)
    remove_stale_proofs(folder, stem, len(proofs))
    return list(proofs)


def proof_files(pdf: bytes, folder: Path, stem: str, dpi: int = 96) -> dict[Path, bytes]:
    """The PNG bytes of every page of ``pdf``, by the path ``write_proofs`` gives it: the
    build writes them together, so a failed write leaves the old set."""
    _check_dpi(dpi)
    _check_stem(stem)
    with _open(pdf) as document:
        return {folder / f"{stem}-{index + 1}.png": _page_png(document, index, dpi)
                for index in range(len(document))}


def _page_png(document: pdfium.PdfDocument, index: int, dpi: int) -> bytes:
    """One page as a PNG, straight from PDFium's pixels (no Pillow image, no copy)."""
    page, rows = document[index], _PngRows()
    try:
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True,  # RGB on white paper
                             bitmap_maker=rows.bitmap)
        if rows.raw is None:
            return png_bytes(bitmap.to_pil().convert("RGB"))
        return _png(rows.raw, bitmap.width, bitmap.height)
    finally:
        page.close()


class _PngRows:
    """A bitmap maker for PDFium that lays its RGB rows out as a PNG's raw data: each
    row after a filter byte (0: none). PDFium draws straight into what zlib reads,
    with no copy of every row to put the filter bytes in between (a tenth of a proof)."""

    def __init__(self) -> None:
        #: The PNG's raw data once a 3-byte RGB bitmap was made; None for other kinds.
        self.raw: memoryview | None = None

    def bitmap(self, width: int, height: int, format: int, rev_byteorder: bool = False
               ) -> Any:
        import ctypes

        import pypdfium2 as pdfium
        import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

        if format != pdfium_c.FPDFBitmap_BGR:
            return pdfium.PdfBitmap.new_native(width, height, format, rev_byteorder)
        stride = 1 + 3 * width
        memory = bytearray(stride * height + 1)  # filter bytes stay 0: PDFium fills pixels
        pixels = (ctypes.c_ubyte * (stride * height)).from_buffer(memory, 1)
        self.raw = memoryview(memory)[:stride * height]
        return pdfium.PdfBitmap.new_native(width, height, format, rev_byteorder,
                                           buffer=pixels, stride=stride)


def png_bytes(image: Image.Image) -> bytes:
    """``image`` as PNG bytes with fixed settings and no metadata chunks."""
    if image.mode == "RGB":
        return rgb_png(image.tobytes(), image.width, image.height, image.width * 3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def rgb_png(pixels: Any, width: int, height: int, stride: int) -> bytes:
    """RGB rows (``stride`` bytes apart, in anything with the buffer protocol: bytes,
    PDFium's ctypes array) as a PNG with no filter and no metadata."""
    view, row = memoryview(pixels).cast("B"), width * 3
    raw = b"".join(b"\0" + view[top:top + row] for top in range(0, height * stride, stride))
    return _png(raw, width, height)


def _png(raw: Any, width: int, height: int) -> bytes:
    """A PNG of 8-bit RGB ``raw`` data (each row after its filter byte), no metadata.

    Most of a proof is flat paper, which zlib shrinks as well unfiltered: Pillow's
    adaptive filtering doubled the time of a proof for files 20% larger.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join((PNG_SIGNATURE, _chunk(b"IHDR", header),
                     _chunk(b"IDAT", zlib.compress(raw, PNG_COMPRESS_LEVEL)), _chunk(b"IEND", b"")))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@contextmanager
def _open(pdf: Path | bytes) -> Iterator[pdfium.PdfDocument]:
    """The PDF as a PDFium document, closed (with its pages) however the block ends."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        yield document
    finally:
        document.close()


def _render(document: pdfium.PdfDocument, index: int, dpi: int) -> Image.Image:
    page = document[index]
    try:
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
        image: Image.Image = bitmap.to_pil().convert("RGB")  # a copy that owns its pixels
    finally:
        page.close()
    return image


def remove_stale_proofs(folder: Path, stem: str, pages: int) -> None:
    """Delete ``<stem>-<n>.png`` for every n beyond ``pages`` (from a longer earlier PDF)."""
    pattern = re.compile(rf"{re.escape(stem)}-([1-9][0-9]*)\.png")
    for path in folder.iterdir() if folder.is_dir() else ():
        match = pattern.fullmatch(path.name)
        if match is not None and int(match[1]) > pages:
            path.unlink(missing_ok=True)


def _check_dpi(dpi: int) -> None:
    if dpi <= 0:
        raise ValueError(f"dpi must be a positive number, not {dpi}")


def _check_stem(stem: str) -> None:
    if not stem or stem in {".", ".."} or "/" in stem or "\\" in stem:
        raise ValueError(f"proof stem must be a plain file name part, not {stem!r}")
