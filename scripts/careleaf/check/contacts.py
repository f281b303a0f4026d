"""Verify: the clinic's contact details read back whole from every output.

A leaflet is no use to a patient who cannot reach the clinic: the brand's phone
number, web address, the e-mail address(es) of its feedback line and its postal
address must each be in every PDF and EPUB, whole and in the order they are written.
In a right-to-left leaflet this is where the bidi algorithm bites: a phone number is
digit groups parted by spaces, which an Arabic line places right to left unless the
template isolates it, and which a line break leaves as two numbers.

A PDF is read line by line (``Readback.lines``), each run of Latin words and digits
as it shows, so a number whole on its line reads whole whatever stands beside it.
The phone number, web and e-mail addresses must each be on one line; an address
may run over up to ``MAX_ADDRESS_LINES`` lines, a part on each in order. An EPUB
has no lines (a reading system sets them): its words must hold each whole. What
is looked for is the text as the template shows it, isolated in its own direction
(``bidi.isolated``), read back the same way. A miss is an error at the brand file's
key, where the clinic's details are written, naming the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from careleaf.check.readback import Readback, words
from careleaf.design.brand import KNOWN, Brand
from careleaf.errors import Report, display_path
from careleaf.i18n.bidi import direction, isolated, reading_order
from careleaf.i18n.ltr_runs import email_addresses
from careleaf.yamlfile import read_mapping

CHECK = "completeness"
#: The lines an address may take in a narrow column (a tri-fold's panel).
MAX_ADDRESS_LINES = 3


@dataclass(frozen=True)
class Contact:
    #: The brand file's key that holds it (an e-mail address without a key of its own
    #: is in the ``feedback`` line).
    key: str
    #: What it is, for messages: "phone number".
    label: str
    text: str
    #: Whether it must be on one line.
    unbroken: bool


def contacts(brand: Brand) -> list[Contact]:
    """The brand's contact details that every output shows."""
    found = [Contact("phone", "phone number", brand.phone, True),
             Contact("website", "web address", brand.website, True),
             *(Contact("feedback_email", "e-mail address", address, True)
               for address in email_addresses(brand.feedback)),
             Contact("address", "address", brand.address, False)]
    return [contact for contact in found if contact.text]


def check_contacts(brand: Brand, readback: Readback, target: Path, report: Report) -> None:
    """An error at the brand file for each contact detail not whole in ``readback``."""
    mapping = read_mapping(brand.path, KNOWN, Report())
    flat = [word for page in readback.pages for word in page]
    for contact in contacts(brand):
        wanted = expected_words(contact.text, readback.visual_rtl)
        if not wanted or _whole(readback, flat, wanted, contact.unbroken):
            continue
        if _scattered(readback, flat, wanted):
            where = "on one line" if contact.unbroken and readback.lines else "in reading order"
            problem = f"is not whole {where} (split, or its parts out of order) in"
        else:
            problem = "is missing from"
        line = (mapping.line(contact.key) or mapping.line("feedback")) if mapping else None
        report.error(brand.path, line,
                     f"the brand's {contact.label} '{contact.text}' {problem} the "
                     f"{readback.kind} text of {display_path(target)}", CHECK)


def expected_words(text: str, rtl: bool | None) -> list[str]:
    """The words of ``text`` as an output that isolates it reads back: as written, in a
    format that keeps the written order (``rtl`` None); else laid out in its own
    direction inside a paragraph of ``rtl``, read each run as it shows."""
    if rtl is None:
        return words(text)
    own = direction(text) or "ltr"  # digits alone read left to right
    return words(reading_order(isolated(text, own), rtl, ltr_numbers=True))


def _whole(readback: Readback, flat: list[str], wanted: list[str], unbroken: bool) -> bool:
    if not readback.lines:
        return _at(flat, wanted) is not None
    lines = readback.lines
    if unbroken:
        return any(_at(line, wanted) is not None for line in lines)
    return any(_across(lines[index:index + MAX_ADDRESS_LINES], wanted)
               for index in range(len(lines)))


def _scattered(readback: Readback, flat: list[str], wanted: list[str]) -> bool:
    """Whether all of ``wanted`` is near one of its first word: on that line or the
    next ones (a PDF), or in the words that follow it (an EPUB)."""
    if readback.lines:
        lines = readback.lines
        near = [{word for line in lines[index:index + MAX_ADDRESS_LINES] for word in line}
                for index, line in enumerate(lines) if wanted[0] in line]
    else:
        near = [set(flat[index:index + 3 * len(wanted)])
                for index, word in enumerate(flat) if word == wanted[0]]
    return any(set(wanted) <= words_near for words_near in near)


def _across(lines: list[list[str]], wanted: list[str]) -> bool:
    """Whether ``wanted`` is on ``lines[0]``, or begins there and goes on, part by part,
    on the lines after it: each part whole on its line."""
    if not lines or not wanted:
        return not wanted
    first = lines[0]
    for start in (i for i, word in enumerate(first) if word == wanted[0]):
        size = 0
        while (size < len(wanted) and start + size < len(first)
               and first[start + size] == wanted[size]):
            size += 1
        if size == len(wanted) or _across(lines[1:], wanted[size:]):
            return True
    return False


def _at(have: list[str], wanted: list[str]) -> int | None:
    """Where ``wanted`` starts in ``have``, if it is there whole."""
    size = len(wanted)
    return next((i for i in range(len(have) - size + 1) if have[i:i + size] == wanted), None)
