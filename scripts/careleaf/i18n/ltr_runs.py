"""Runs that read left to right in every language: phone numbers, e-mail and web addresses.

Inside a right-to-left line each of them must be laid out on its own, left to right,
and kept on one line. A phone number is digits separated by spaces: the bidi
algorithm takes each group for a number of its own in the Arabic text and places
the groups right to left (``01632 960 000`` shows as ``000 960 01632``), and a line
break inside it leaves two numbers; a break at an address's hyphen leaves two
addresses. The render's ``isolate`` filter marks these runs (``pieces``); the
completeness check looks for the brand's whole in every output.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: A web address with its scheme or ``www.``, without the punctuation that ends a sentence.
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?')\]]")
#: Digit groups parted by single spaces, hyphens or dots, any of them in brackets, after
#: an optional "+": at least ``MIN_PHONE_DIGITS`` digits in all (fewer is a number such
#: as ``111`` or ``3-5``).
_GROUP = r"(?:\(\d+\)|\d+)"
PHONE = re.compile(rf"(?<![\w+.-])\+?{_GROUP}(?:[ \u00a0.-]?{_GROUP})*(?![\w-])")
MIN_PHONE_DIGITS = 6
_RUN = re.compile(f"{EMAIL.pattern}|{URL.pattern}|{PHONE.pattern}")


def pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into its runs that always read left to right (True) and the rest
    (False), in order; joined, the pieces are ``text``."""
    found: list[tuple[str, bool]] = []
    start = 0
    for match in _RUN.finditer(text):
        if not _is_run(match.group()):
            continue
        if match.start() > start:
            found.append((text[start:match.start()], False))
        found.append((match.group(), True))
        start = match.end()
    if start < len(text):
        found.append((text[start:], False))
    return found


def email_addresses(text: str) -> list[str]:
    return EMAIL.findall(text)


def _is_run(run: str) -> bool:
    """A match that is a phone number must have enough digits to be one."""
    if EMAIL.fullmatch(run) or URL.fullmatch(run):
        return True
    return sum(char.isdigit() for char in run) >= MIN_PHONE_DIGITS
