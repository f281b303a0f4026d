"""Render: a ``Leaflet`` and a ``Layout`` become one HTML document via Jinja2.

Templates receive a typed ``RenderContext`` (the leaflet, the layout, the
careleaf version) and nothing else; autoescaping is always on and undefined
names are errors, so a typo in a template fails loudly with its file and line
instead of printing an empty string into a patient leaflet.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2

from careleaf import __version__
from careleaf.brand import Brand
from careleaf.errors import CareleafError, Diagnostic, Location
from careleaf.layouts import Layout
from careleaf.model import Leaflet


@dataclass(frozen=True)
class RenderContext:
    """Everything a template can use, and nothing else."""

    leaflet: Leaflet
    layout: Layout
    brand: Brand
    careleaf_version: str = __version__

    @property
    def ebook_url(self) -> str:
        return self.brand.ebook_url(self.leaflet.lang, self.leaflet.id)


def qr_mm(url: str, size_mm: float) -> float:
    """The printed width of ``url``'s QR code: the layout's size, or more for a long
    address, so that no module is under 0.4 mm (smaller ones do not scan reliably)."""
    from careleaf.qr import MIN_MODULE_MM, QUIET_ZONE, qr_modules

    needed = (qr_modules(url) + 2 * QUIET_ZONE) * MIN_MODULE_MM
    return max(size_mm, math.ceil(needed * 2) / 2)


def qr_code(url: str, size_mm: float) -> str:
    """A vector QR code for ``url`` as a data URI, ``qr_mm`` wide with its quiet zone."""
    from careleaf.qr import qr_data_uri

    return qr_data_uri(url, qr_mm(url, size_mm))


def long_date(value: date) -> str:
    """``2026-11-20`` as ``20 November 2026``: unambiguous for every English reader."""
    return f"{value.day} {value:%B %Y}"


def environment(layout: Layout) -> jinja2.Environment:
    own = [jinja2.FileSystemLoader(folder) for folder in layout.chain]
    by_name = jinja2.PrefixLoader({f.name: jinja2.FileSystemLoader(f) for f in layout.chain})
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*own, by_name]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = long_date
    env.globals["qr_code"] = qr_code
    env.globals["qr_mm"] = qr_mm
    return env


#: One environment per layout chain: Jinja caches compiled templates (and reloads
#: a template whose file changed), so each leaflet after the first skips parsing.
_ENVIRONMENTS: dict[tuple[Path, ...], jinja2.Environment] = {}


def render_html(leaflet: Leaflet, layout: Layout, brand: Brand) -> str:
    """The layout's main template rendered for ``leaflet``; template mistakes raise."""
    context = RenderContext(leaflet, layout, brand)
    return render_template(layout, layout.template, leaflet=context.leaflet,
                           layout=context.layout, brand=context.brand,
                           ebook_url=context.ebook_url,
                           careleaf_version=context.careleaf_version)


def render_template(layout: Layout, name: str, /, **variables: object) -> str:
    """The template ``name`` of ``layout``'s chain rendered with ``variables``.

    A mistake in a template raises ``CareleafError`` pointing at the template's line.
    """
    env = _ENVIRONMENTS.get(layout.chain) or _ENVIRONMENTS.setdefault(
        layout.chain, environment(layout))
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateNotFound as exc:
        where = Location(layout.folder / "layout.yml")
        raise CareleafError(Diagnostic(where, f"template '{exc.name}' not found in the "
                                       f"{layout.name} layout or the layouts it extends")) from None
    except jinja2.TemplateSyntaxError as exc:
        where = Location(Path(exc.filename or layout.folder), exc.lineno)
        raise CareleafError(Diagnostic(where, f"template error: {exc.message}")) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError) as exc:
        raise CareleafError(Diagnostic(_template_location(exc, layout),
                                       f"template error: {exc}")) from None


def _template_location(exc: BaseException, layout: Layout) -> Location:
    """The innermost template frame of ``exc``: Jinja maps its line back to the template."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xhtml", ".xml", ".j2")):
            return Location(Path(frame.filename), frame.lineno)
    return Location(layout.folder)
