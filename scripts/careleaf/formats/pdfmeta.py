"""PDF document metadata as an XMP packet, made from the /Info entries and the language.

An imposed file is written by pypdf, which writes no XMP of its own. Readers and
checkers (PDF/UA, library catalogues) look for the title and language in the XMP
packet, so the imposer writes one that says what the /Info dictionary says.

Nothing here reads the clock or makes an identifier: the dates come from the source
PDF's /Info, so the same source gives the same bytes (builds stay reproducible).
The packet claims no conformance (no ``pdfuaid:part``): only the imposer knows whether
the file it writes is tagged, and it is not.

Only the standard library is used, so importing this module costs nothing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

NAMESPACES = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: A PDF date: D:YYYY[MM[DD[HH[mm[SS]]]]] then Z, or +HH'mm' / -HH'mm' (ISO 32000-1 7.9.4).
_PDF_DATE = re.compile(r"D?:?(\d{4})(\d\d)?(\d\d)?(\d\d)?(\d\d)?(\d\d)?"
                       r"(?:(Z)|([+-])(\d\d)'?(\d\d)?'?)?$")

#: The xpacket wrapper every XMP reader expects; the id is the fixed one the spec names.
_HEAD = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_TAIL = '\n<?xpacket end="r"?>'

for _prefix, _uri in NAMESPACES.items():
    ET.register_namespace(_prefix, _uri)


def iso_date(pdf_date: str) -> str | None:
    """A PDF date string as an XMP (ISO 8601) date, as precise as it was; None if unreadable.

    ``D:20260301`` gives ``2026-03-01``; ``D:20260301120000+01'00'`` gives
    ``2026-03-01T12:00:00+01:00``. XMP allows a date without a time, so a day stays a day.
    """
    match = _PDF_DATE.match(pdf_date.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zulu, sign, tz_hour, tz_minute = match.groups()
    date = "-".join(part for part in (year, month, day) if part)
    if hour is None or day is None:
        return date
    time = f"{hour}:{minute or '00'}" + (f":{second}" if second else "")
    zone = "Z" if zulu else f"{sign}{tz_hour}:{tz_minute or '00'}" if sign else ""
    return f"{date}T{time}{zone}"


def xmp_packet(info: Mapping[str, str], language: str | None) -> bytes:
    """An XMP packet (UTF-8) that agrees with ``info`` (/Info keys, e.g. ``/Title``).

    Only entries present in ``info`` are written; ``language`` (the catalogue's /Lang)
    becomes dc:language and the language of the title and description.
    """
    description = ET.Element(_q("rdf:Description"), {_q("rdf:about"): ""})
    _alt(description, "dc:title", info.get("/Title"), language)
    _alt(description, "dc:description", info.get("/Subject"), language)
    _list(description, "dc:creator", "rdf:Seq", info.get("/Author"))
    _list(description, "dc:language", "rdf:Bag", language)
    _text(description, "pdf:Keywords", info.get("/Keywords"))
    _text(description, "pdf:Producer", info.get("/Producer"))
    _text(description, "xmp:CreatorTool", info.get("/Creator"))
    for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        _text(description, name, iso_date(info[key]) if key in info else None)
    meta = ET.Element(_q("x:xmpmeta"))
    ET.SubElement(meta, _q("rdf:RDF")).append(description)
    return (_HEAD + ET.tostring(meta, encoding="unicode") + _TAIL).encode("utf-8")


def _q(name: str) -> str:
    """``prefix:local`` as ElementTree's ``{uri}local``."""
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _alt(parent: ET.Element, name: str, value: str | None, language: str | None) -> None:
    """A language alternative: the default text, and the same text tagged ``language``.

    XMP readers pick ``x-default`` when they know no better; the tagged copy tells a
    screen reader which language the title is in.
    """
    if not value:
        return
    alt = ET.SubElement(ET.SubElement(parent, _q(name)), _q("rdf:Alt"))
    for tag in ("x-default", language):
        if tag:
            ET.SubElement(alt, _q("rdf:li"), {XML_LANG: tag}).text = value


def _list(parent: ET.Element, name: str, kind: str, value: str | None) -> None:
    """An ordered (rdf:Seq) or unordered (rdf:Bag) list holding ``value``."""
    if value:
        items = ET.SubElement(ET.SubElement(parent, _q(name)), _q(kind))
        ET.SubElement(items, _q("rdf:li")).text = value


def _text(parent: ET.Element, name: str, value: str | None) -> None:
    """A simple property, left out when there is no value."""
    if value:
        ET.SubElement(parent, _q(name)).text = value
