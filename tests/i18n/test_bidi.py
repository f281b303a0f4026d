"""The Unicode Bidirectional Algorithm of the read-back (``careleaf.i18n.bidi``), the
runs that always read left to right (``i18n.ltr_runs``) and the template's ``isolate``.

The algorithm is the whole of UAX #9 (python-bidi's binding of the Rust crate
unicode-bidi): the cases below are those the hand-written subset it replaced got
wrong (explicit overrides, isolates, bracket pairs), and those it got right.
Hebrew letters stand for UAX #9's capitals (strong right to left).
"""

from __future__ import annotations

import pytest

from careleaf.i18n.bidi import (
    LRI,
    PDI,
    direction,
    isolated,
    levels,
    logical_order,
    reading_order,
    reorder,
)
from careleaf.i18n.ltr_runs import email_addresses, pieces
from careleaf.render.html import address, isolate

PHONE = "01632 960 000"
#: The same number in Arabic-Indic digits.
ARABIC_INDIC = "".join(chr(0x660 + int(c)) if c.isdigit() else c for c in PHONE)


def shown(text: str, rtl: bool) -> str:
    """``text`` in visual order, left to right (mirrored brackets not drawn mirrored)."""
    return "".join(reorder(list(text), levels(list(text), rtl)))


def test_levels_of_an_arabic_line_with_latin_and_digits() -> None:
    text = "خذ 500 mg"
    assert levels(list(text), rtl=True) == [1, 1, 1, 2, 2, 2, 1, 2, 2]
    assert levels(list(text), rtl=False) == [1, 1, 1, 2, 2, 2, 0, 0, 0]


def test_an_isolate_keeps_a_phone_number_left_to_right_in_arabic() -> None:
    assert shown(f"الهاتف: {PHONE}", rtl=True) == "000 960 01632 :فتاهلا"
    assert shown(f"الهاتف: {LRI}{PHONE}{PDI}", rtl=True) == f"{PDI}01632 960 000{LRI} :فتاهلا"
    # Isolates nest: Hebrew inside an isolate inside English.
    assert shown("abc \u2067שמש 12\u2069 x", rtl=False) == "abc \u206712 שמש\u2069 x"


def test_explicit_overrides_and_embeddings() -> None:
    assert shown("a\u202ebc\u202cd", rtl=False) == "a\u202e\u202ccbd"  # RLO … PDF
    assert shown("a\u202dבג\u202cd", rtl=False) == "a\u202dבג\u202cd"  # LRO keeps order
    # RLE raises Latin to an even level inside an odd one: its words keep their order.
    assert levels(list("a \u202bb c\u202c d"), rtl=False)[3:6] == [2, 2, 2]


def test_bracket_pairs_take_the_direction_of_what_they_hold() -> None:
    # UAX #9's example for rule N0, "AB(CD[&ef]!)gh" in a right-to-left paragraph, shows
    # as "gh(![ef&]DC)BA": here with its brackets not mirrored, as a PDF stores them.
    assert shown("אב(גד[&ef]!)gh", rtl=True) == "gh)!]ef&[דג(בא"


def test_units_of_several_characters_and_beyond_the_basic_plane() -> None:
    assert levels(["\U00020000", "ب", "fi", ""], rtl=False) == [0, 1, 0, 0]
    assert logical_order(["fi", " ", "ﻻ", "ب"], rtl=True) == ["ب", "ﻻ", " ", "fi"]


def test_reading_order_round_trip() -> None:
    written = "رقم الهاتف 01632 960 000 ثم NHS 111 الآن."
    assert reading_order(written, rtl=True) == written
    assert reading_order("خذ 500 mg الآن", rtl=True) == reading_order("خذ mg 500 الآن", rtl=True)
    assert reading_order("Take 500 mg now", rtl=False) == "Take 500 mg now"
    # Line by line: the second line's context does not reach the first.
    assert reading_order(f"أ {PHONE}\nب", rtl=True) == f"أ {PHONE}\nب"
    # Marks and isolates steer the layout and are not read back.
    assert reading_order(f"الهاتف {isolated(PHONE, 'ltr')}", rtl=True) == "الهاتف 000 960 01632"
    assert reading_order("\u200fabc", rtl=False) == "abc"


def test_runs_of_latin_and_digits_read_as_they_show() -> None:
    visual = "1 River Road · 01632 960 000 :فتاهلا"  # a contact line, left to right
    assert "".join(logical_order(list(visual), rtl=True)) == (
        "الهاتف: River Road · 01632 960 000 1")  # the algorithm's reading
    assert "".join(logical_order(list(visual), rtl=True, ltr_numbers=True)) == (
        "الهاتف: 1 River Road · 01632 960 000")  # each number whole
    phone = isolated(PHONE, "ltr")
    assert reading_order(phone, rtl=True, ltr_numbers=True) == PHONE
    assert reading_order(f"الهاتف {phone}", rtl=True, ltr_numbers=True) == f"الهاتف {PHONE}"


def test_direction_is_the_first_strong_characters() -> None:
    assert direction("01632 Riverside عيادة") == "ltr"
    assert direction("(عيادة) Riverside") == "rtl"
    assert direction(PHONE) is None


@pytest.mark.parametrize(("text", "runs"), [
    (f"Call {PHONE} now", [PHONE]),
    ("Call +44 (0)1632 960-000.", ["+44 (0)1632 960-000"]),
    ("Tell us: leaflets@riverside-clinic.example.org.", ["leaflets@riverside-clinic.example.org"]),
    ("See https://riverside-clinic.example.org/leaflets, or www.example.org.",
     ["https://riverside-clinic.example.org/leaflets", "www.example.org"]),
    (f"اتصل بالرقم {ARABIC_INDIC} الآن", [ARABIC_INDIC]),
    # Not phone numbers: too few digits, a postcode, a version, a range, a date.
    ("Call NHS 111 or 999; RV1 2AB; version 2.1; 3-5 days; 25 March 2026", []),
])
def test_runs_that_always_read_left_to_right(text: str, runs: list[str]) -> None:
    assert [piece for piece, run in pieces(text) if run] == runs
    assert "".join(piece for piece, _run in pieces(text)) == text


def test_email_addresses() -> None:
    assert email_addresses("Write to a@b.org or c.d@e-f.example.org.") == [
        "a@b.org", "c.d@e-f.example.org"]


def test_the_isolate_filter() -> None:
    # Wholly the other direction: one span; its e-mail address kept on one line.
    assert isolate("Tell us: a@b.org", "rtl") == (
        '<span dir="ltr">Tell us: <span class="unbroken">a@b.org</span></span>')
    # Arabic text: each phone number, e-mail and web address isolated on its own.
    assert isolate(f"اتصل بالرقم {PHONE} أو NHS 111.", "rtl") == (
        f'اتصل بالرقم <span dir="ltr" class="unbroken">{PHONE}</span> أو NHS 111.')
    assert isolate("1.1", "rtl") == '<span dir="ltr">1.1</span>'  # a version
    assert isolate("1.1", "ltr") == "1.1"
    assert isolate(PHONE, "ltr") == f'<span class="unbroken">{PHONE}</span>'
    # Text in both directions is left to the paragraph's, as its writer set it.
    assert isolate("Chronic spasms (مقال)", "rtl") == "Chronic spasms (مقال)"
    # Without a direction (the site's footer, on pages of both): its own, always.
    assert isolate("Riverside") == '<span dir="ltr">Riverside</span>'
    assert isolate("<·>") == "&lt;·&gt;"


def test_the_address_filter_breaks_only_after_commas() -> None:
    assert address("1 River Road, Riverside RV1 2AB", "rtl") == (
        '<span dir="ltr"><span class="unbroken">1 River Road,</span> '
        '<span class="unbroken">Riverside RV1 2AB</span></span>')
    assert address("12 شارع النيل، القاهرة", "rtl") == (
        '<span class="unbroken">12 شارع النيل،</span> <span class="unbroken">القاهرة</span>')
