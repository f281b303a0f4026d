"""Known sections, and the words of their usual headings in each language.

careleaf knows a section by its id, never by its heading: ``{#see-a-doctor}`` gets the
layouts' highlighted box, ``{#causes}`` and ``{#treatment}`` are required, and a
translation is compared with its original id by id. A writer who types
``## When to see a doctor`` and forgets the ``{#id}`` gets an id made from the words
(``when-to-see-a-doctor``) and silently loses all that, so the checks recognise the
usual headings of each known section in the leaflet's language and name the id to add.

``HEADINGS`` is plain data (section id, then language, then headings as this project's
translators write them) so that anything else that recognises sections from heading
words, such as an importer of documents that have no ids, reads the same lists.

Matching is by words, tolerant of how a heading is typed: case, accents and Arabic
vowel marks are folded, Arabic letter variants are unified (alef with hamza or madda,
teh marbuta, alef maksura, tatweel), and punctuation is ignored. A heading matches a
phrasing when the phrasing's words appear in it in that order, with any other words
before, between or after them: "¿Cuándo debe ir al médico?" matches "Cuándo ir al
médico", and "When should you see a doctor?" matches "See a doctor".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

#: Section id -> language -> the usual headings of that section in that language.
HEADINGS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "causes": {
        "en": ("Causes", "What can cause", "What may cause", "Why it happens",
               "Why does it happen"),
        "es": ("Causas", "¿Qué puede causar?", "¿Qué causa?", "¿Por qué ocurre?",
               "¿Por qué pasa?"),
        "ar": ("الأسباب", "أسباب", "ما الذي قد يسبب", "ما الذي يسبب", "لماذا يحدث"),
    },
    "symptoms": {
        "en": ("Symptoms", "Signs and symptoms", "What it feels like"),
        "es": ("Síntomas", "Signos y síntomas", "¿Qué se siente?"),
        "ar": ("الأعراض", "أعراض", "العلامات والأعراض"),
    },
    "treatment": {
        "en": ("Treatment", "Treatments", "How to ease", "How to treat", "How to prevent",
               "What helps", "Things you can try", "What you can do", "Self-care"),
        "es": ("Tratamiento", "Tratamientos", "Cómo aliviar", "Cómo tratar", "Cómo prevenir",
               "¿Qué ayuda?", "Cosas que puede probar", "¿Qué puede hacer?"),
        "ar": ("العلاج", "علاج", "كيف تخفف", "كيف تعالج", "كيف تقي", "ما الذي يساعد",
               "ما يمكنك فعله"),
    },
    "see-a-doctor": {
        "en": ("When to see a doctor", "See a doctor", "See your doctor", "See a GP", "See your GP",
               "When to get help", "Get medical help", "Seek medical help",
               "Seek medical advice", "Call a doctor", "Call your doctor",
               "Contact your doctor", "Contact your GP"),
        "es": ("Cuándo ir al médico", "¿Cuándo consultar a un médico?",
               "Cuándo consultar al médico", "Cuándo acudir al médico",
               "Cuándo ver a un médico", "Consulte a su médico", "Cuándo buscar ayuda médica",
               "Cuándo pedir ayuda"),
        "ar": ("متى تراجع الطبيب", "متى تزور الطبيب", "متى يجب مراجعة الطبيب",
               "متى تستشير الطبيب", "متى تذهب إلى الطبيب", "متى تطلب المساعدة الطبية",
               "راجع الطبيب", "راجع طبيبك", "استشر الطبيب", "استشر طبيبك"),
    },
}

#: Arabic letters typed in more than one way, each folded to one (tatweel, the
#: stretching stroke, to nothing). Hamza and madda are combining marks once decomposed.
_ARABIC_VARIANTS = str.maketrans({"\u0629": "\u0647", "\u0649": "\u064a", "\u0640": None})
_WORD = re.compile(r"\w+")


def words(text: str) -> tuple[str, ...]:
    """The words of ``text`` folded for comparison: lower case, no accents or vowel marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return tuple(_WORD.findall(bare.translate(_ARABIC_VARIANTS).replace("_", " ")))


def known_section(heading: str, lang: str) -> str | None:
    """The id of the known section ``heading`` reads as in ``lang``, or None.

    When phrasings of several sections match, the longest phrasing wins ("When to see
    a doctor about the causes" is about seeing a doctor); a tie goes to the section
    listed first in ``HEADINGS``.
    """
    heading_words = words(heading)
    best: tuple[int, str] | None = None
    for section_id, phrasings in _phrasings(_language(lang)):
        for phrasing in phrasings:
            if _in_order(phrasing, heading_words) and (best is None or len(phrasing) > best[0]):
                best = (len(phrasing), section_id)
    return best[1] if best else None


def _language(lang: str) -> str:
    """``lang`` if headings are listed for it, else its language subtag (``es-MX`` -> ``es``)."""
    listed = {language for by_language in HEADINGS.values() for language in by_language}
    return lang if lang in listed else lang.split("-")[0]


@cache
def _phrasings(lang: str) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """Each known section with its headings in ``lang`` as folded words, folded once."""
    return tuple((section_id, tuple(words(heading) for heading in by_language.get(lang, ())))
                 for section_id, by_language in HEADINGS.items())


def _in_order(phrasing: tuple[str, ...], heading: tuple[str, ...]) -> bool:
    remaining = iter(heading)
    # ``in`` consumes the iterator up to each match, so the words must come in order.
    return bool(phrasing) and all(word in remaining for word in phrasing)
