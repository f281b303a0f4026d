"""Render: a ``Leaflet`` and a ``Layout`` become one HTML document via Jinja2.

Templates receive a typed ``RenderContext`` (the leaflet, the layout, the
careleaf version) and nothing else; autoescaping is always on and undefined
names are errors, so a typo in a template fails loudly with its file and line
instead of printing an empty string into a patient leaflet. The layouts' own words
come from ``_()`` and dates from ``long_date``, both in the language of the render's
``Messages`` (``careleaf.i18n.messages``): the leaflet's, or the site page's; ``_in()``
gives a message in another language (the site's root names each language's leaflets
in that language), ``language_name`` a language's name in itself.

Jinja2 is imported by the functions that use it, not at the top: the pipeline and the
site import this module even for a build with nothing to render.
"""

from __future__ import annotations

import functools
import math
import re
import string
import traceback
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from markupsafe import Markup

from careleaf import __version__
from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import CareleafError, Diagnostic, Location
from careleaf.i18n import bidi, ltr_runs
from careleaf.i18n.languages import native_name
from careleaf.i18n.messages import Messages, babel_locale, english, messages_for
from careleaf.render.contacts import contact_links
from careleaf.render.qr import MIN_MODULE_MM, QUIET_ZONE, qr_data_uri, qr_modules
from careleaf.source.model import Leaflet

if TYPE_CHECKING:
    import jinja2
    from _typeshed import DataclassInstance


@dataclass(frozen=True)
class RenderContext:
    """Everything a leaflet's template can use, and nothing else. A site page's context
    (``site.model.LeafletPageContext``) is this one with the site's names added."""

    leaflet: Leaflet
    layout: Layout
    brand: Brand
    #: Where the QR code and the ebook line point: the brand's address for the ebook.
    ebook_url: str
    careleaf_version: str = __version__

    @classmethod
    def of(cls, leaflet: Leaflet, layout: Layout, brand: Brand) -> RenderContext:
        return cls(leaflet, layout, brand, brand.ebook_url(leaflet.lang, leaflet.id))


def template_variables(context: DataclassInstance) -> dict[str, object]:
    """A typed context as template variables: each of its fields under its own name."""
    return {f.name: getattr(context, f.name) for f in fields(context)}


def qr_mm(url: str, size_mm: float) -> float:
    """The printed width of ``url``'s QR code: the layout's size, or more for a long
    address, so that no module is under 0.4 mm (smaller ones do not scan reliably)."""
    needed = (qr_modules(url) + 2 * QUIET_ZONE) * MIN_MODULE_MM
    return max(size_mm, math.ceil(needed * 2) / 2)


def qr_code(url: str, size_mm: float) -> str:
    """A vector QR code for ``url`` as a data URI, ``qr_mm`` wide with its quiet zone."""
    return qr_data_uri(url, qr_mm(url, size_mm))


#: The messages of the template being rendered. Environments are shared by every
#: render of a layout chain, so the language cannot be one of their globals; a context
#: variable is per render (and per thread), and imported macros see it too.
_MESSAGES: ContextVar[Messages] = ContextVar("careleaf_messages")


def translate(msgid: str, /, **values: object) -> str | Markup:
    """``_()`` in templates: ``{{ _("Phone {phone}", phone=brand.phone) }}``."""
    return _MESSAGES.get().markup(msgid, **values)


def translate_in(layouts_dir: Path, lang: str, msgid: str, /, **values: object) -> str | Markup:
    """``_in()`` in templates: a message in ``lang``, not the page's language. The site's
    root names each language's leaflets in that language:
    ``{{ _in(language.lang, "Leaflets: {count}", count=3) }}``. ``careleaf messages``
    extracts its second argument like ``_()``'s first."""
    return messages_for(layouts_dir, lang).markup(msgid, **values)


def number(value: int, lang: str | None = None) -> str:
    """A count as the page's language (or ``lang``) writes it: ``1,234``, ``1.234``."""
    locale = (babel_locale(lang) if lang else None) or _MESSAGES.get().locale
    return format_decimal(value, locale=locale)


def isolate(text: str, direction: str | None = None) -> Markup:
    """``text`` kept in its own direction inside a paragraph of ``direction``.

    A clinic's English phone line in an Arabic leaflet would otherwise be reordered by
    the bidi algorithm ("999." shows as ".999"). Text with no strong character of the
    paragraph's direction (English in Arabic; digits alone, which read left to right)
    is isolated whole in its own; in any text, each phone number, e-mail and web
    address (``i18n.ltr_runs``) is isolated left to right where the line runs right to
    left, and kept on one line. Without ``direction`` (a page of either direction, as
    the site's footer) text that has a direction is isolated in it.

    Isolated means ``<span dir="...">``. WeasyPrint 70 parses ``unicode-bidi`` but lays
    nothing out by it, and has no rule for ``<bdi>`` (both showed "999." as ".999"), but
    it sets a span with ``dir`` as a line of its own in that direction, placed as one
    block: isolation. Browsers and reading systems isolate an element with ``dir`` too
    (HTML's ``[dir] { unicode-bidi: isolate }``). Unicode's isolate characters
    (U+2066…U+2069) work in Pango as well, but they would be copied with the text.
    """
    own = _isolated_in(text, direction)
    parts = ltr_runs.pieces(text)
    if own and len(parts) == 1 and parts[0][1]:  # a phone number alone: one span
        return Markup('<span dir="{}" class="unbroken">{}</span>').format(own, text)
    inner = Markup("").join(_run(part, own or direction) if run else Markup.escape(part)
                            for part, run in parts)
    return _in_direction(inner, own)


def address(text: str, direction: str | None = None) -> Markup:
    """A postal address isolated as ``isolate`` isolates text, whose lines break only
    after its commas (Latin, Arabic, ideographic): "1 River Road, Riverside RV1 / 2AB"
    would part a postcode."""
    parts = (Markup('<span class="unbroken">{}</span>').format(part)
             for part in re.split(r"(?<=[,\u060c\u3001])\s+", text.strip()))
    return _in_direction(Markup(" ").join(parts), _isolated_in(text, direction))


def _isolated_in(text: str, direction: str | None) -> str | None:
    """The direction ``text`` is isolated in as a whole, if it has one of its own that is
    not the paragraph's: no strong character of ``direction`` (digits read left to right)."""
    own = bidi.direction(text) or ("ltr" if any(c.isdigit() for c in text) else direction)
    return own if own != direction and not _has_direction(text, direction) else None


def _in_direction(inner: Markup, own: str | None) -> Markup:
    return Markup('<span dir="{}">{}</span>').format(own, inner) if own else inner


def _has_direction(text: str, direction: str | None) -> bool:
    """Whether ``text`` has a strong character of ``direction`` (None: no)."""
    kinds = {"ltr": ("L",), "rtl": ("R", "AL")}.get(direction or "", ())
    return any(unicodedata.bidirectional(char) in kinds for char in text)


def _run(run: str, around: str | None) -> Markup:
    """A phone number, e-mail or web address on one line ("leaflets@riverside-" /
    "clinic.example.org" reads as two addresses), left to right in a right-to-left line."""
    if around == "rtl":
        return Markup('<span dir="ltr" class="unbroken">{}</span>').format(run)
    return Markup('<span class="unbroken">{}</span>').format(run)


def long_date(value: date) -> str:
    """``2026-11-20`` as the leaflet's language writes it: ``20 November 2026`` (British,
    unambiguous for every English reader), ``20 de noviembre de 2026``."""
    return _MESSAGES.get().format_date(value)


def file_size(size: int) -> str:
    """``48 KB``, ``1,2 MB``: a download's size in the language of the page."""
    return _MESSAGES.get().file_size(size)


def css_content(text: str, /, **fields: str) -> Markup:
    """A translated ``"Page {page} of {pages}"`` as the value of a CSS ``content``: its
    words as CSS strings, each ``{name}`` replaced by ``fields[name]`` (``counter(page)``)."""
    tokens: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(text):
        if literal:
            tokens.append('"' + "".join(_css_char(c) for c in literal) + '"')
        if name is not None:
            tokens.append(fields[name])  # a KeyError names the unknown field
    return Markup(" ".join(tokens) or '""')


def _css_char(char: str) -> str:
    # A backslash escape for what would end the string, or the <style> element.
    return f"\\{ord(char):x} " if char in '"\\<>\n' else char


def environment(layout: Layout) -> jinja2.Environment:
    """A Jinja environment over ``layout``'s chain of folders, with careleaf's filters
    and globals: strict (a typo is an error) and autoescaping."""
    import jinja2

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
    env.filters["isolate"] = isolate
    env.filters["address"] = address
    env.filters["css_content"] = css_content
    env.filters["file_size"] = file_size
    env.filters["number"] = number
    env.filters["language_name"] = native_name
    env.filters["contact_links"] = contact_links  # the site's tel: and mailto: links
    env.globals["_"] = translate
    env.globals["_in"] = functools.partial(translate_in, layout.folder.parent)
    env.globals["qr_code"] = qr_code
    env.globals["qr_mm"] = qr_mm
    return env


#: One environment per layout chain: Jinja caches compiled templates (and reloads
#: a template whose file changed), so each leaflet after the first skips parsing.
_ENVIRONMENTS: dict[tuple[Path, ...], jinja2.Environment] = {}


def render_html(leaflet: Leaflet, layout: Layout, brand: Brand,
                messages: Messages | None = None) -> str:
    """The layout's main template rendered for ``leaflet`` in its language; template
    mistakes, and a catalogue that lacks a translation, raise ``CareleafError``."""
    messages = messages or messages_for(layout.folder.parent, leaflet.lang)
    return render_template(layout, layout.template, messages,
                           **template_variables(RenderContext.of(
                               leaflet, layout, brand.in_language(leaflet.lang))))


def render_template(layout: Layout, name: str, messages: Messages | None = None, /,
                    **variables: object) -> str:
    """The template ``name`` of ``layout``'s chain rendered with ``variables``, its
    interface words from ``messages`` (English if not given).

    A mistake in a template raises ``CareleafError`` pointing at the template's line.
    """
    import jinja2

    env = _ENVIRONMENTS.get(layout.chain) or _ENVIRONMENTS.setdefault(
        layout.chain, environment(layout))
    token = _MESSAGES.set(messages or english())
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateNotFound as exc:
        where = Location(layout.folder / "layout.yml")
        raise CareleafError(Diagnostic(where, f"template '{exc.name}' not found in the "
                                       f"{layout.name} layout or the layouts it extends")) from None
    except jinja2.TemplateSyntaxError as exc:
        where = Location(Path(exc.filename or layout.folder), exc.lineno)
        raise CareleafError(Diagnostic(where, f"template error: {exc.message}")) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, LookupError) as exc:
        raise CareleafError(Diagnostic(_template_location(exc, layout),
                                       f"template error: {exc}")) from None
    finally:
        _MESSAGES.reset(token)


def _template_location(exc: BaseException, layout: Layout) -> Location:
    """The innermost template frame of ``exc``: Jinja maps its line back to the template."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xhtml", ".xml", ".j2")):
            return Location(Path(frame.filename), frame.lineno)
    return Location(layout.folder)
