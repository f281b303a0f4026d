"""Colour contrast as WCAG 2.x defines it, for checking a layout's text colours.

``parse_colour`` reads the colour forms layouts use (``#rgb``, ``#rrggbb`` and
CSS ``rgb(r, g, b)`` with numbers from 0 to 255 or percentages) into sRGB
components from 0 to 1. ``relative_luminance`` and ``contrast_ratio`` follow the
WCAG 2.x formulas: the ratio runs from 1 (no contrast) to 21 (black on white)
and does not depend on which colour is the text. Normal-size text needs at
least ``MIN_CONTRAST`` (success criterion 1.4.3, level AA).
"""

from __future__ import annotations

import re

RGB = tuple[float, float, float]

#: WCAG 2.x level AA minimum for normal-size text.
MIN_CONTRAST = 4.5

_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})")
_FUNCTION = re.compile(r"rgb\(([^()]*)\)")
_COMPONENT = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(%?)")
_FORMS = "#rgb, #rrggbb or rgb(r, g, b)"


def parse_colour(text: str) -> RGB:
    """``text`` as sRGB components from 0 to 1; ValueError for anything else."""
    value = text.strip().lower()
    if (match := _HEX.fullmatch(value)) is not None:
        return _from_hex(match[1])
    if (match := _FUNCTION.fullmatch(value)) is not None:
        return _from_function(text, match[1])
    raise ValueError(f"not a colour: {text!r} (expected {_FORMS})")


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of sRGB components from 0 to 1: 0 black, 1 white."""
    red, green, blue = (_linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours, from 1 to 21, the same either way round."""
    lighter, darker = sorted((relative_luminance(parse_colour(c)) for c in (a, b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _from_hex(digits: str) -> RGB:
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    red, green, blue = (int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return red, green, blue


def _from_function(text: str, inside: str) -> RGB:
    parts = [part.strip() for part in inside.split(",")]
    if len(parts) != 3:
        raise ValueError(f"not a colour: {text!r} (rgb() needs exactly 3 components; "
                         f"expected {_FORMS})")
    red, green, blue = (_component(text, part) for part in parts)
    return red, green, blue


def _component(text: str, part: str) -> float:
    match = _COMPONENT.fullmatch(part)
    if match is None:
        raise ValueError(f"not a colour: {text!r} ({part!r} is not a number from 0 to 255 "
                         "or a percentage)")
    number, percent = float(match[1]), bool(match[2])
    limit = 100.0 if percent else 255.0
    if number > limit:
        unit = "%" if percent else ""
        raise ValueError(f"not a colour: {text!r} ({part!r} is over {limit:g}{unit})")
    return number / limit


def _linear(channel: float) -> float:
    """An sRGB component from 0 to 1, linearised (WCAG 2.x uses 0.03928 as the knee)."""
    if not 0.0 <= channel <= 1.0:
        raise ValueError(f"sRGB component {channel} is outside 0..1")
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4
