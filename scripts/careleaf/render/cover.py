"""The ebook's cover: a picture made from the leaflet's title and the clinic's brand.

Reading apps show the cover in their library, so every ebook gets one: the
clinic's colour band and name, the title large, the summary beneath. It is drawn
with Pillow from the fonts the PDFs use, with no metadata in the PNG, so the
same leaflet always gives the same bytes. The text is drawn once as ink coverage and
each band of rows is given its two colours, a palette picture made directly: a
third of the time of drawing in full colour and reducing the colours afterwards.

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
    from PIL import Image, ImageDraw, ImageFont

    #: What Pillow draws text with: a font file, or its built-in font when none is found.
    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

SIZE = (1200, 1800)
MARGIN = 90
#: The band that marks a draft's cover: the red of the draft mark on its pages.
DRAFT_COLOUR = "#b3261e"
DRAFT_BAND = (0, SIZE[1] - 260, SIZE[0], SIZE[1] - 80)
#: The height of the clinic's colour band at the top, and where the title starts.
BAND, TITLE_TOP = 520, 620
#: Text is drawn as coverage (0 to ``INK``), then set in ``LEVELS`` shades per band.
INK, LEVELS = 255, 16
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
#: The style names that fonts give each weight (DejaVu calls its regular "Book").
STYLES = {"bold": ("Bold",), "regular": ("Regular", "Book")}
#: Closing punctuation that may not begin a line of Chinese or Japanese (kinsoku).
#: Written as escapes: several look like their ASCII twins (also included).
NO_LINE_START = ("\uff0c\u3002\u3001\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f\u300b\u3009"
                 "\u3011\u2026,.;:!?)")


@dataclass(frozen=True)
class _Region:
    """Rows ``top`` to ``bottom`` of the cover: text in ``ink`` on ``ground``."""

    top: int
    bottom: int
    ink: str
    ground: str


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

    # The text is drawn once, as ink coverage; each band of rows then takes its own two
    # colours (``_regions``), so the picture is made as a palette image directly.
    ink = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(ink)
    own = _setting(leaflet, own_text=True)
    other = _setting(leaflet, own_text=False)  # the clinic's words may be in any language
    # The kicker is an interface word, in the leaflet's language like the title.
    kicker = (messages or english()).gettext("Patient information").upper()
    _lines(draw, kicker, own, ("bold", 40), INK, (120, 0))
    _lines(draw, brand.organisation, other, ("regular", 52), INK, (200, 70))
    y = _lines(draw, leaflet.title, own, ("bold", 110), INK, (TITLE_TOP, 140))
    _lines(draw, leaflet.summary, own, ("regular", 54), INK, (y + 40, 76))
    if leaflet.is_draft:  # across the foot of the cover, where no title can hide it
        draw.rectangle(DRAFT_BAND, fill=0)
        _lines(draw, draft_mark(messages).upper(), own, ("bold", 64), INK,
               (SIZE[1] - 215, 80))
    return _palette_png(ink, _regions(brand, y + 20, leaflet.is_draft))


def _regions(brand: Brand, title_end: int, draft: bool) -> list[_Region]:
    """The bands of rows, top to bottom, and the ink and ground colours of each."""
    colours = brand.colours
    regions = [_Region(0, BAND, colours["on_primary"], colours["primary"]),
               _Region(BAND, title_end, colours["primary"], colours["background"]),
               _Region(title_end, SIZE[1], colours["text"], colours["background"])]
    if draft:
        regions.append(_Region(DRAFT_BAND[1], DRAFT_BAND[3], "#ffffff", DRAFT_COLOUR))
    return regions


def _palette_png(ink: Image.Image, regions: list[_Region]) -> bytes:
    """``ink`` as a palette PNG: in each region, ``LEVELS`` shades from ground to ink
    (anti-aliased edges look the same as in full colour, at a third of the bytes)."""
    from PIL import Image, ImageColor

    picture = Image.new("P", SIZE, 0)
    palette: list[int] = []
    for index, region in enumerate(regions):  # a later region is drawn over an earlier
        ground, colour = ImageColor.getrgb(region.ground), ImageColor.getrgb(region.ink)
        palette += [round(g + (c - g) * level / (LEVELS - 1))
                    for level in range(LEVELS) for g, c in zip(ground, colour, strict=False)]
        box = (0, region.top, SIZE[0], min(region.bottom, SIZE[1]))
        if box[3] > box[1]:
            shades = [index * LEVELS + round(v * (LEVELS - 1) / 255) for v in range(256)]
            picture.paste(ink.crop(box).point(shades), box[:2])
    picture.putpalette(palette)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()


def cover_inputs(leaflet: Leaflet, brand: Brand, messages: Messages | None = None
                 ) -> tuple[str, ...]:
    """Everything ``cover_png`` draws from, besides careleaf's code and the fonts: the
    address of a cover kept between builds (``files.Store``). Keep it beside the drawing."""
    words = messages or english()
    return ("cover", leaflet.lang, leaflet.title, leaflet.summary, str(leaflet.is_draft),
            brand.organisation, repr(sorted(brand.colours.items())),
            words.gettext("Patient information"), draft_mark(messages))


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
           fill: int, place: tuple[int, int]) -> int:
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
            return _truetype(file, index, size)
    if found:  # none has them all: the language's own font boxes the fewest
        return _truetype(*found[0], size)
    return ImageFont.load_default(size)


@cache
def _truetype(file: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size, read once per process (every cover sets the same few)."""
    from PIL import ImageFont

    return ImageFont.truetype(str(file), size, index=index)


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
