"""Contact details a reader can tap on the site's pages: ``tel:`` and ``mailto:`` links.

A patient reading a leaflet on a phone should reach the clinic with one tap. The
``contact_links`` filter takes a piece of a page as the site's templates render it
(HTML: the clinic's contact block, the footer, the urgent-help line, the leaflet's
sections) and makes each phone number and e-mail address in its text a link. They
are recognised as ``careleaf.i18n.ltr_runs`` recognises them for the ``isolate``
filter (digit groups with at least ``MIN_PHONE_DIGITS`` digits; an address with an
``@``), so what reads as one number left to right is one link, and in the brand's
urgent-help line (``URGENT_CLASSES``) a short number too: every number there is one
to call (111, 999). Text inside a link, a script or a title is left alone, and so is a
number that is a date (``2026-03-01``) or a count in thousands (``120 000``). The
PDFs and the EPUB never pass through it: only the site's templates call it.

A ``tel:`` address is the number's digits, its leading ``+`` kept (and an ``(0)`` after
it dropped: ``+44 (0)1632 960000`` dials as ``+441632960000``). A link to a number of
several groups, or an e-mail address, is isolated left to right (``dir="ltr"``), as the
``isolate`` filter isolates them: in an Arabic sentence the groups would otherwise be
laid out right to left. A number that is one group of digits reads the same in either
direction and is not isolated, so "NHS 111" keeps its order in a right-to-left line.

It lives beside the other filters, which ``render.html`` registers: the site's stage comes
after the render's, which may not import from it.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup

from careleaf.i18n.ltr_runs import EMAIL, MIN_PHONE_DIGITS, PHONE

#: Elements whose class says they hold the brand's urgent-help line.
URGENT_CLASSES = frozenset({"urgent", "urgent-line"})
#: The fewest digits of a number to call in the urgent-help line: 111, 999, 112.
MIN_URGENT_DIGITS = 3
#: Elements whose text is never made a link: a link already, or text that is not shown.
_LEFT_ALONE = frozenset({"a", "button", "option", "script", "style", "textarea", "title"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})
#: A tag or a comment; the text between them is what gets links.
_TOKEN = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w:-]*)([^>]*?)(/?)\s*>", re.DOTALL)
_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RUN = re.compile(f"{EMAIL.pattern}|{PHONE.pattern}")
#: Numbers that are not phone numbers: a date, a count grouped in thousands.
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")
_THOUSANDS = re.compile(r"[1-9]\d{0,2}[ \u00a0.]\d{3}")


def contact_links(fragment: str) -> Markup:
    """``fragment`` (HTML, or plain text to escape) with its phone numbers and e-mail
    addresses made ``tel:`` and ``mailto:`` links."""
    text = fragment if isinstance(fragment, Markup) else Markup.escape(fragment)
    open_elements: list[tuple[str, bool, bool]] = []  # name, left alone, urgent
    out: list[str] = []
    for index, piece in enumerate(_TOKEN.split(str(text))):
        if index % 2:  # a tag or a comment
            _follow(piece, open_elements)
            out.append(piece)
        elif any(alone for _name, alone, _urgent in open_elements):
            out.append(piece)
        else:
            urgent = any(urgent for _name, _alone, urgent in open_elements)
            out.append(_linked(piece, MIN_URGENT_DIGITS if urgent else MIN_PHONE_DIGITS))
    return Markup("".join(out))


def _follow(tag: str, open_elements: list[tuple[str, bool, bool]]) -> None:
    """Keep ``open_elements`` the elements ``tag`` is inside of, after it."""
    match = _TAG.fullmatch(tag)
    if match is None:
        return  # a comment or a doctype
    closing, name, attributes, self_closing = match.groups()
    name = name.lower()
    if closing:
        names = [open_name for open_name, _alone, _urgent in open_elements]
        if name in names:  # an element left open inside it ends with it
            del open_elements[len(names) - 1 - names[::-1].index(name):]
    elif name not in _VOID and not self_closing:
        found = _CLASS.search(attributes)
        classes = set((found.group(1) or found.group(2)).split()) if found else set()
        open_elements.append((name, name in _LEFT_ALONE, bool(classes & URGENT_CLASSES)))


def _linked(text: str, min_digits: int) -> str:
    """Escaped ``text`` with each e-mail address and phone number in it a link."""
    out, start = [], 0
    for match in _RUN.finditer(text):
        run = match.group()
        href = f"mailto:{run}" if EMAIL.fullmatch(run) else _tel(run, min_digits)
        if href is None:
            continue
        isolated = "" if run.isdigit() else ' dir="ltr"'
        out += [text[start:match.start()], f'<a href="{href}"{isolated}>{run}</a>']
        start = match.end()
    return "".join([*out, text[start:]])


def _tel(run: str, min_digits: int) -> str | None:
    """The ``tel:`` address of a phone number; None if ``run`` is not one."""
    digits = [char for char in run if char.isdigit()]
    if len(digits) < min_digits or _DATE.fullmatch(run) or _THOUSANDS.fullmatch(run):
        return None
    if run.startswith("+"):
        digits = [char for char in run.replace("(0)", "") if char.isdigit()]
    # Any script's digits (Arabic-Indic ones too) dial as ASCII digits.
    number = "".join(str(unicodedata.digit(char)) for char in digits)
    return f"tel:{'+' if run.startswith('+') else ''}{number}"

