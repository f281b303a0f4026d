"""Page proofs: every page of a finished PDF as a PNG image, for review by eye.

``write_proofs`` renders each page with PDFium (pypdfium2) and saves it as
``<folder>/<stem>-<n>.png``, numbered from 1. Each image is written atomically,
and proofs of the same stem left over from a longer earlier version are removed,
so the folder always shows exactly the current pages. The PNG bytes depend only
on the PDF and the dpi: Pillow writes them with fixed settings and no metadata
(no timestamps, no text chunks, no physical size). ``render_page`` gives one page
as a Pillow image, for tests and for decoding QR codes.

PDFium and Pillow are imported by the functions that use them: the pipeline imports
this module even for a build with nothing to do, which must not pay for loading them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.files import write_atomic

if TYPE_CHECKING:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    from PIL import Image

#: zlib level for proof PNGs: fixed so the bytes never depend on Pillow's default.
PNG_COMPRESS_LEVEL = 1  # 30 ms a page against 43 ms at 6, files as small


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
    build writes them together with the PDF, so a failed write leaves the old set."""
    _check_dpi(dpi)
    _check_stem(stem)
    with _open(pdf) as document:
        return {folder / f"{stem}-{index + 1}.png": png_bytes(_render(document, index, dpi))
                for index in range(len(document))}


def png_bytes(image: Image.Image) -> bytes:
    """``image`` as PNG bytes with fixed settings and no metadata chunks."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


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
