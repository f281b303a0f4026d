"""The ebook's cover: a picture made from the leaflet's title and the clinic's brand.

Reading apps show the cover in their library, so every ebook gets one: the
clinic's colour band and name, the title large, the summary beneath. It is drawn
with Pillow from the fonts the PDFs use, with no metadata in the PNG, so the
same leaflet always gives the same bytes.

Each line of text is set in the first typeface of its language's list
(``careleaf.i18n.languages``) that has every one of its characters, and shaped by
libraqm, so Arabic letters join. A right-to-left leaflet's cover is aligned to
the right; Chinese and Japanese lines break between characters, not at spaces.

Pillow is imported by the functions that draw, not at the top: the site imports this
module even when no cover needs drawing.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from careleaf.design.brand import Brand
from careleaf.i18n.languages import Direction
from careleaf.i18n.messages import Messages, english
from careleaf.source.model import Leaflet

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

    #: What Pillow draws text with: a font file, or its built-in font when none is found.
    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

SIZE = (1200, 1800)
MARGIN = 90
#: The band that marks a draft's cover: the red of the draft mark on its pages.
DRAFT_COLOUR = "#b3261e"
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
#: The style names that fonts give each weight (DejaVu calls its regular "Book").
STYLES = {"bold": ("Bold",), "regular": ("Regular", "Book")}
#: Closing punctuation that may not begin a line of Chinese or Japanese (kinsoku).
#: Written as escapes: several look like their ASCII twins (also included).
NO_LINE_START = ("\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f\u300b\u3009"
                 "\u3011\u2026,.;:!?)")


@dataclass(frozen=True)
class _Setting:
    """How to set a run of text: fonts to choose from, direction, language, breaks."""

    fonts: tuple[str, ...]
    #: None lets libraqm take the direction from the text's first strong letter.
    direction: Direction | None
    language: str | None
    cjk: bool
    #: The side lines start from: the leaflet's reading direction.
    align: Direction


def cover_png(leaflet: Leaflet, brand: Brand, messages: Messages | None = None) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", SIZE, brand.colours["background"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 520), fill=brand.colours["primary"])
    own = _setting(leaflet, own_text=True)
    other = _setting(leaflet, own_text=False)  # the clinic's words may be in any language
    on_primary = brand.colours["on_primary"]
    # The kicker is an interface word, in the leaflet's language like the title.
    kicker = (messages or english()).gettext("Patient information").upper()
    _lines(draw, kicker, own, ("bold", 40), on_primary, (120, 0))
    _lines(draw, brand.organisation, other, ("regular", 52), on_primary, (200, 70))
    y = _lines(draw, leaflet.title, own, ("bold", 110), brand.colours["primary"], (620, 140))
    _lines(draw, leaflet.summary, own, ("regular", 54), brand.colours["text"], (y + 40, 76))
    if leaflet.is_draft:  # across the foot of the cover, where no title can hide it
        draw.rectangle((0, SIZE[1] - 260, SIZE[0], SIZE[1] - 80), fill=DRAFT_COLOUR)
        _lines(draw, draft_mark(messages).upper(), own, ("bold", 64), "#ffffff",
               (SIZE[1] - 215, 80))
    buffer = io.BytesIO()
    # A few flat colours and their anti-aliased edges: 64 palette entries look the same,
    # halve the file and encode faster than full RGB.
    image.quantize(64, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()


def cover_alt(leaflet: Leaflet, brand: Brand, messages: Messages | None = None) -> str:
    """The cover's text alternative, in the language of ``messages`` (English if none)."""
    # Translators: the text alternative of the ebook's cover picture, read by screen
    # readers; {title} is the leaflet's title, {organisation} the clinic's name.
    alt = (messages or english()).gettext(
        "Cover: {title}. Patient information from {organisation}.", title=leaflet.title,
        organisation=brand.organisation)
    return f"{alt} {draft_mark(messages)}." if leaflet.is_draft else alt


def draft_mark(messages: Messages | None = None) -> str:
    """What marks a leaflet not yet approved, wherever it shows (pages, title, cover)."""
    # Translators: marks every page, the title and the ebook cover of a leaflet that is
    # not yet approved for patients.
    return (messages or english()).gettext("DRAFT – not for patients")  # noqa: RUF001 (a dash, as typeset)


def draft_title(leaflet: Leaflet, messages: Messages | None = None) -> str:
    """The leaflet's title, marked when it is a draft: what a reading app lists."""
    return f"[{draft_mark(messages)}] {leaflet.title}" if leaflet.is_draft else leaflet.title


def _setting(leaflet: Leaflet, *, own_text: bool) -> _Setting:
    from PIL import features

    language = leaflet.language
    # Without libraqm Pillow cannot shape at all, and refuses a direction.
    raqm = features.check("raqm")
    return _Setting(fonts=language.fonts,
                    direction=language.direction if own_text and raqm else None,
                    language=leaflet.lang if own_text and raqm else None,
                    cjk=language.cjk, align=language.direction)


def _lines(draw: ImageDraw.ImageDraw, text: str, setting: _Setting, face: tuple[str, int],
           fill: str, place: tuple[int, int]) -> int:
    """Draw ``text`` wrapped to the cover's width from ``place`` (top, line step);
    return where the next line would go."""
    y, step = place
    font = _font(setting.fonts, *face, text)
    x, anchor = (SIZE[0] - MARGIN, "ra") if setting.align == "rtl" else (MARGIN, "la")
    for line in _wrap(text, font, SIZE[0] - 2 * MARGIN, setting):
        draw.text((x, y), line, font=font, fill=fill, anchor=anchor,
                  direction=setting.direction, language=setting.language)
        y += step
    return y


def _wrap(text: str, font: Font, width: int, setting: _Setting) -> list[str]:
    """Lines that fit ``width``: broken at spaces, or between characters for CJK."""
    if setting.cjk:
        units = re.findall(rf"(?:[A-Za-z0-9]+|\S)[{re.escape(NO_LINE_START)}]*\s*", text)
    else:
        units = [f"{word} " for word in text.split()]
    lines: list[str] = []
    for unit in units:
        joined = lines[-1] + unit if lines else unit
        if lines and font.getlength(joined.rstrip(), direction=setting.direction,
                                    language=setting.language) <= width:
            lines[-1] = joined
        else:
            lines.append(unit)
    return [line.rstrip() for line in lines]


def _font(families: tuple[str, ...], weight: str, size: int, text: str) -> Font:
    """The first of ``families`` in ``weight`` that has every character of ``text``."""
    from PIL import ImageFont

    found = [path for family in families
             if (path := _installed().get((family, weight))) is not None]
    needed = {ord(char) for char in text if not char.isspace()}
    for file, index in found:
        if needed <= _characters(file, index):
            return ImageFont.truetype(str(file), size, index=index)
    if found:  # none has them all: the language's own font boxes the fewest
        return ImageFont.truetype(str(found[0][0]), size, index=found[0][1])
    return ImageFont.load_default(size)


@cache
def _installed() -> dict[tuple[str, str], tuple[Path, int]]:
    """(family, weight) -> (file, face index) of every installed font, first found wins."""
    from PIL import ImageFont

    fonts: dict[tuple[str, str], tuple[Path, int]] = {}
    files = sorted(path for folder in FONT_FOLDERS if folder.is_dir()
                   for path in folder.rglob("*")
                   if path.suffix.lower() in (".ttf", ".otf", ".ttc"))
    for file in files:
        for index in range(_face_count(file)):
            try:
                family, style = ImageFont.truetype(str(file), 10, index=index).getname()
            except OSError:  # a damaged or unsupported font file: not one to draw with
                continue
            for weight, styles in STYLES.items():
                if family and style in styles:
                    fonts.setdefault((family, weight), (file, index))
    return fonts


def _face_count(file: Path) -> int:
    """How many fonts the file holds: a collection (.ttc) has several."""
    if file.suffix.lower() != ".ttc":
        return 1
    with file.open("rb") as stream:
        header = stream.read(12)
    return int.from_bytes(header[8:12], "big") if header[:4] == b"ttcf" else 1


@cache
def _characters(file: Path, index: int) -> frozenset[int]:
    """The code points the font maps to a glyph."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(str(file), fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})
