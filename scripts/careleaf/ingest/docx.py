"""The Word reader: a ``.docx`` → mammoth's semantic HTML → the HTML reader's walk.

mammoth turns the document's styles into clean HTML (Heading 1-6 → ``h1``-``h6``,
Title → ``h1``, bulleted and numbered lists → ``ul``/``ol``, bold runs → ``strong``),
so a bold "Rest." opening a paragraph becomes a lead-in and a Heading 2 a section, by
the same ``html.walk`` that reads web pages. Nothing of a Word document is debris, so
every block is kept. mammoth's warnings (a paragraph style it has no mapping for, which
it turns into a plain paragraph, text kept) are ignored: the text is all there, and the
report is about text that went missing. The title and authors come from the
document's core properties (``docProps/core.xml``), the title falling back to the first
heading.

A file that is not a zip is an old Word ``.doc`` (an OLE container) renamed, a
password-protected ``.docx`` (also an OLE container, with an ``EncryptionInfo``
stream) or not a Word document at all; each is an ``ImportProblem`` that says what to
do.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from careleaf.ingest.html import walk
from careleaf.ingest.model import Document, ImportProblem

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
#: Word's Title style is the document's title; Subtitle is a paragraph.
STYLE_MAP = "p[style-name='Title'] => h1:fresh\np[style-name='Subtitle'] => p:fresh"
CORE = {"dc": "http://purl.org/dc/elements/1.1/",
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}


def read(path: Path, data: bytes) -> Document:
    """A Word document → its headings, paragraphs and list entries."""
    archive = open_docx(data)
    html = convert(archive, data)
    import lxml.html

    root = lxml.html.document_fromstring(f"<html><body>{html}</body></html>")
    blocks = tuple(f.block for f in walk(root, lambda _, n: f"paragraph {n + 1}"))
    if not blocks:
        raise ImportProblem("the document has no text: nothing to import")
    title, authors, lang = properties(archive)
    first = next((b.text for b in blocks if b.kind == "heading"), "")
    return Document(path=path, kind="docx", blocks=blocks, title=title or first,
                    authors=authors, origin=path.name, lang=lang)


def open_docx(data: bytes) -> zipfile.ZipFile:
    """The document's zip, or an ``ImportProblem`` saying what the file is instead."""
    if data.startswith(OLE):
        if ENCRYPTED in data:
            raise ImportProblem("the document is password-protected: open it in Word, "
                                "remove the password (File > Info > Protect Document), "
                                "save it and import it again")
        raise ImportProblem("this is an old Word document (.doc), not a .docx: open it in "
                            "Word or LibreOffice and save it as .docx (Word Document)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise ImportProblem("not a readable Word document (.docx): the file is damaged "
                            "or of another kind; open it in Word and save it as .docx "
                            "again") from None
    return archive


def convert(archive: zipfile.ZipFile, data: bytes) -> str:
    """mammoth's HTML of the document (its warnings ignored: see the module's note)."""
    import mammoth

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP)
    except Exception as error:  # mammoth raises whatever its XML or zip reading meets
        raise ImportProblem(f"not a readable Word document (.docx): {error}; open it in "
                            "Word and save it as .docx again") from None
    return str(result.value)


def properties(archive: zipfile.ZipFile) -> tuple[str, tuple[str, ...], str]:
    """(title, authors, language) from ``docProps/core.xml``, empty where it is silent."""
    import lxml.etree

    try:
        xml = archive.read("docProps/core.xml")
        core = lxml.etree.fromstring(xml, lxml.etree.XMLParser(resolve_entities=False,
                                                                no_network=True))
    except (KeyError, lxml.etree.XMLSyntaxError):
        return "", (), ""

    def field(name: str) -> str:
        return " ".join(str(core.findtext(name, "", CORE) or "").split())

    names = tuple(n.strip() for n in field("dc:creator").replace(";", ",").split(",")
                  if n.strip())
    return field("dc:title"), names, field("dc:language").split("-")[0].lower()
