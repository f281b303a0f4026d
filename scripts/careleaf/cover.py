"""The ebook's cover: a picture made from the leaflet's title and the clinic's brand.

Reading apps show the cover in their library, so every ebook gets one: the
clinic's colour band and name, the title large, the summary beneath. It is drawn
with Pillow from the fonts the PDFs use, with no metadata in the PNG, so the
same leaflet always gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from careleaf.brand import Brand
from careleaf.model import Leaflet

SIZE = (1200, 1800)
FONT_FOLDERS = (Path("/usr/share/fonts/truetype/open-sans"),
                Path("/usr/share/fonts/truetype/dejavu"))
FONTS = {"bold": ("OpenSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
         "regular": ("OpenSans-Regular.ttf", "DejaVuSans.ttf")}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def cover_png(leaflet: Leaflet, brand: Brand) -> bytes:
    image = Image.new("RGB", SIZE, brand.colours["background"])
    draw = ImageDraw.Draw(image)
    width, margin = SIZE[0], 90
    draw.rectangle((0, 0, width, 520), fill=brand.colours["primary"])
    on_primary = brand.colours["on_primary"]
    draw.text((margin, 120), "PATIENT INFORMATION", font=_font("bold", 40), fill=on_primary)
    y = 200
    for line in _wrap(brand.organisation, _font("regular", 52), width - 2 * margin):
        draw.text((margin, y), line, font=_font("regular", 52), fill=on_primary)
        y += 70
    y = 620
    for line in _wrap(leaflet.title, _font("bold", 110), width - 2 * margin):
        draw.text((margin, y), line, font=_font("bold", 110), fill=brand.colours["primary"])
        y += 140
    y += 40
    for line in _wrap(leaflet.summary, _font("regular", 54), width - 2 * margin):
        draw.text((margin, y), line, font=_font("regular", 54), fill=brand.colours["text"])
        y += 76
    buffer = io.BytesIO()
    # A few flat colours and their anti-aliased edges: 64 palette entries look the same,
    # halve the file and encode faster than full RGB.
    image.quantize(64, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()


def cover_alt(leaflet: Leaflet, brand: Brand) -> str:
    return f"Cover: {leaflet.title}. Patient information from {brand.organisation}."


def _font(weight: str, size: int) -> Font:
    for folder in FONT_FOLDERS:
        for name in FONTS[weight]:
            if (folder / name).is_file():
                return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def _wrap(text: str, font: Font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
