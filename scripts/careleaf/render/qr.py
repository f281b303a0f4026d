"""QR codes for print: a URL as a vector SVG of an exact printed size.

``qr_svg`` makes a regular (never Micro) QR code with segno at error correction
level M, black modules on white, with the standard 4-module quiet zone. The SVG
has no XML declaration, its drawing is in module units (``viewBox``) and its
``width`` and ``height`` are the whole symbol, quiet zone included, in mm. It
carries a ``<title>`` naming the URL for screen readers. ``qr_data_uri`` wraps
it as a base64 ``data:`` URI that WeasyPrint embeds as an ``<img>``. A code
printed with modules smaller than ``MIN_MODULE_MM`` does not scan reliably, so
``qr_svg`` refuses sizes that would make them so. segno is imported when the first
code is made, not with this module, which every build imports.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from typing import TYPE_CHECKING

from careleaf.render.qrmask import make_qr

if TYPE_CHECKING:
    import segno

#: Smallest module (one dark or light square) that scans reliably in print, in mm.
MIN_MODULE_MM = 0.4
#: The quiet zone on each side, in modules (the standard's minimum for QR codes).
QUIET_ZONE = 4
ERROR_LEVEL = "m"


def qr_modules(url: str) -> int:
    """The symbol's width in modules, without the quiet zone."""
    return len(_make(url).matrix)


@functools.lru_cache(maxsize=256)
def qr_svg(url: str, size_mm: float) -> str:
    """The QR code for ``url`` as an SVG document ``size_mm`` wide and high."""
    code = _make(url)
    _check_size(url, len(code.matrix), size_mm)
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", border=QUIET_ZONE, scale=1, omitsize=True, xmldecl=False,
              nl=False, dark="#000", light="#fff", title=f"QR code: {url}")
    svg = buffer.getvalue().decode("utf-8")
    size = _length(size_mm)
    return svg.replace("<svg ", f'<svg width="{size}mm" height="{size}mm" ', 1)


def qr_data_uri(url: str, size_mm: float) -> str:
    """``qr_svg`` as a ``data:image/svg+xml;base64,...`` URI for an ``<img src>``."""
    encoded = base64.b64encode(qr_svg(url, size_mm).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


@functools.lru_cache(maxsize=256)  # each leaflet asks for its code in every print layout
def _make(url: str) -> segno.QRCode:
    if not url:
        raise ValueError("a QR code needs a non-empty URL")
    # boost_error=False: exactly level M, as specified, not whatever fits in the same
    # version. segno's code, its mask chosen faster (``render.qrmask``).
    return make_qr(url, ERROR_LEVEL)


def _check_size(url: str, modules: int, size_mm: float) -> None:
    if not math.isfinite(size_mm) or size_mm <= 0:
        raise ValueError(f"QR code size must be a positive number of mm, not {size_mm}")
    module_mm = size_mm / (modules + 2 * QUIET_ZONE)
    if module_mm < MIN_MODULE_MM - 1e-9:  # a computed limit may round just under
        smallest = MIN_MODULE_MM * (modules + 2 * QUIET_ZONE)
        raise ValueError(
            f"a {size_mm:g} mm QR code for {url!r} has {module_mm:.3f} mm modules "
            f"({modules} + {2 * QUIET_ZONE} quiet-zone modules across), under the "
            f"{MIN_MODULE_MM} mm that scans reliably in print; make it at least "
            f"{smallest:.1f} mm or shorten the URL")


def _length(value: float) -> str:
    """A number for an SVG attribute: shortest exact form, no trailing ``.0``."""
    text = repr(float(value))
    return text.removesuffix(".0")
