"""Language facts from a BCP 47 tag: script, writing direction, hyphenation, fonts.

A leaflet's language is its folder name (``ar``, ``zh-Hans``, ``pt-BR``). From that
tag alone this module says what the typesetting needs to know: the script (an
explicit script subtag, else the likely script from CLDR's data in Babel), whether
the script runs right to left, whether pyphen has a hyphenation dictionary for
the language, which typefaces cover the script, and (``native_name``) what the
language is called in itself, as the site's language switcher names it.

The documents take their fonts from the layouts' CSS (``:lang()`` rules in
``base.css``); ``fonts`` here is for what has no stylesheet: the generated cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

Direction = Literal["ltr", "rtl"]

#: ISO 15924 scripts written right to left (Unicode's bidi class R or AL).
RTL_SCRIPTS = frozenset({"Adlm", "Arab", "Hebr", "Mand", "Mend", "Nkoo", "Rohg", "Samr",
                         "Syrc", "Thaa", "Yezi"})
#: Scripts whose lines break between characters, not at spaces: no hyphens, ever.
CJK_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore"})
#: Scripts that never hyphenate a word at a line end (Arabic stretches or moves it).
UNHYPHENATED_SCRIPTS = RTL_SCRIPTS | CJK_SCRIPTS | {"Thai", "Laoo", "Khmr", "Mymr"}

#: Typefaces for text in any script; Open Sans is the design's, DejaVu a wide fallback.
BASE_FONTS = ("Open Sans", "DejaVu Sans")
#: Typefaces that cover each script, best first, before ``BASE_FONTS``.
SCRIPT_FONTS: dict[str, tuple[str, ...]] = {
    "Arab": ("Noto Naskh Arabic", "Noto Sans Arabic"),
    "Hebr": ("Noto Sans Hebrew",),
    "Hans": ("Noto Sans CJK SC",),
    "Hant": ("Noto Sans CJK TC",),
    "Jpan": ("Noto Sans CJK JP",),
    "Kore": ("Noto Sans CJK KR",),
}


@dataclass(frozen=True)
class Language:
    """What a language tag says about how its text is set."""

    tag: str
    #: ISO 15924 code, like ``Latn``, ``Arab`` or ``Hans``.
    script: str
    direction: Direction
    #: pyphen has a dictionary for it, and its script hyphenates at all.
    hyphenation: bool
    #: Font families that cover the script, best first.
    fonts: tuple[str, ...]

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def cjk(self) -> bool:
        """Lines break between characters (no spaces between words)."""
        return self.script in CJK_SCRIPTS


@cache
def language(tag: str) -> Language:
    """The facts for BCP 47 ``tag``; an unknown language is taken as Latin script."""
    script = script_of(tag)
    return Language(
        tag=tag, script=script,
        direction="rtl" if script in RTL_SCRIPTS else "ltr",
        hyphenation=script not in UNHYPHENATED_SCRIPTS and _has_dictionary(tag),
        fonts=SCRIPT_FONTS.get(script, ()) + BASE_FONTS)


def script_of(tag: str) -> str:
    """The script subtag of ``tag``, else the language's likely script (CLDR), else Latn."""
    from babel.core import get_global

    parts = tag.replace("_", "-").split("-")
    explicit = [part.title() for part in parts[1:] if len(part) == 4 and part.isalpha()]
    if explicit:
        return explicit[0]
    likely: Mapping[str, str] = get_global("likely_subtags")
    regions = [part.upper() for part in parts[1:] if len(part) in (2, 3)]
    for key in ([f"{parts[0].lower()}_{region}" for region in regions] + [parts[0].lower()]):
        subtags = likely.get(key, "").split("_")
        if len(subtags) > 1 and len(subtags[1]) == 4:
            return subtags[1]
    return "Latn"


def _has_dictionary(tag: str) -> bool:
    import pyphen  # type: ignore[import-untyped]

    return pyphen.language_fallback(tag.replace("-", "_")) is not None


@cache
def native_name(tag: str) -> str:
    """The language of ``tag`` named in itself, as a list of languages shows it:
    ``English``, ``Español``, ``العربية``, ``中文 (简体)``. The name is CLDR's (Babel's
    ``get_display_name`` in the language itself), its first letter a capital, as a name
    standing alone in a menu is written; a tag Babel has no name for is shown as it is."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return tag
    name = locale.get_display_name(locale) or tag
    return name[:1].upper() + name[1:]
