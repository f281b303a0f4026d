"""The font check: every character a PDF shows must have a glyph in an installed font.

Pango, under WeasyPrint, takes each character from the first family of the CSS
``font-family`` list that has it, then from any installed font (fontconfig). When
no font has it, WeasyPrint draws the font's ``.notdef`` glyph, an empty box, and
logs a warning naming the character. ``formats.pdf`` collects those warnings while
it writes; here each missing character becomes an error at the first line that
holds it (the leaflet's source, else the brand file), and the PDF is not written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.errors import Report
from careleaf.source.model import Leaflet


def missing_glyphs(characters: Iterable[str], leaflet: Leaflet, brand: Brand,
                   layout: Layout) -> Report:
    """One error per character without a glyph, at the line where it is written."""
    report = Report()
    for char in dict.fromkeys(characters):
        path, line = _written_at(char, (leaflet.path, brand.path))
        where = "" if path else f"; it is in the {layout.name} layout's templates or styles"
        report.error(path or layout.folder, line,
                     f"the character {describe(char)} has no glyph in any installed font, "
                     f"so the PDF would show an empty box{where}; the {layout.name} PDF was "
                     "not written: replace the character, or install a font that has it")
    return report


def describe(char: str) -> str:
    """``'ب' (U+0628 ARABIC LETTER BEH)``; the code alone for what cannot be shown."""
    name = unicodedata.name(char, "")
    if not name and unicodedata.category(char) == "Co":
        name = "private use"  # a symbol font's slot: text pasted from Word's Symbol font
    code = f"U+{ord(char):04X}"
    if char.isprintable():
        return f"'{char}' ({code} {name})" if name else f"'{char}' ({code})"
    return f"{code} ({name})" if name else code


def _written_at(char: str, files: Iterable[Path]) -> tuple[Path | None, int | None]:
    """The first file and line holding ``char``, literally or as an HTML character reference."""
    code = ord(char)
    pattern = re.compile(rf"{re.escape(char)}|&#[xX]0*{code:x};|&#0*{code};", re.IGNORECASE)
    for path in files:
        try:
            # Not splitlines(): it also splits at U+2028 and the like, which editors do not.
            lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        except OSError:
            continue
        for number, text in enumerate(lines, start=1):
            if pattern.search(text):
                return path, number
    return None, None
