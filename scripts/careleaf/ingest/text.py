"""The plain-text reader: text pasted or scraped from elsewhere, and Markdown files.

Plain text has no markup, so structure is recovered from how people lay text out:

- blocks are separated by blank lines;
- a **heading** is a block of one short line (at most ``HEADING_WORDS`` words) that
  does not end in a full stop, comma, colon or semicolon and is title-cased ("Common
  Causes of Chronic Muscle Spasms") or reads as a known section heading in English or
  Spanish ("When to see a doctor?");
- a **list entry** is a line starting ``-``, ``*``, ``•``, ``1.`` or ``1)``; the lines
  under it that do not start a new entry continue it;
- everything else is a **paragraph**, its lines joined with single spaces;
- a heading before anything else is the **title** (level 1).

A ``.md`` file is read the same way, but its ``#`` headings are headings (with their
``{#id}`` kept as the anchor, so a careleaf source imported back keeps its ids), its
front matter gives the title, and ``**bold**`` opening a paragraph is a lead-in.

**Web debris** is removed and recorded (``Dropped``), never silently: whole blocks that
match ``DEBRIS`` (a small list per language, all applied, since a text file does not
say its language), and the **tail** of a page: from a comment form or a "related
articles" heading after the article's text (``TAIL``), everything to the end is the
site's, not the article's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from careleaf.i18n.sections import known_section
from careleaf.ingest.model import Block, Document, Dropped, ImportProblem

#: A heading is short: longer lines are sentences that lost their full stop.
HEADING_WORDS = 12
#: Words that stay lower case in a title-cased heading ("Treatment for Muscle Spasms").
_MINOR = frozenset({"a", "an", "and", "as", "at", "but", "by", "de", "del", "el", "en",
                    "for", "from", "in", "into", "la", "las", "los", "of", "on", "or", "para",
                    "por", "the", "to", "vs", "with", "y"})
_LIST = re.compile(r"^\s*(?:[-*•‣◦]|\d{1,3}[.)])\s+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+\{#([a-z0-9-]+)\})?\s*#*\s*$")
_LEAD = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$")
#: Invisible characters no draft should carry (soft hyphen, zero-width space, BOM,
#: direction controls); a source with some of them would not even load.
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")

#: Blocks that are a web site's, not the article's, per language: (pattern, why). A
#: pattern must match the whole block (case ignored), so an article's sentence that
#: merely mentions cookies or sharing is kept.
DEBRIS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (r"couldn'?t find what you('re| are)? looking for\??", "site search prompt"),
        (r"(advertisement|advertising|sponsored( content)?|ad)", "advertising"),
        (r"(share( this)?( article| page| post)?|tweet|pin it|email|print)"
         r"( on \w+)?[:!.]?", "share buttons"),
        (r".*\bcookies?\b.*\b(accept|consent|privacy|we use|this (web)?site|browsing)\b.*"
         r"|.*\b(accept|we use)\b.*\bcookies?\b.*", "cookie banner"),
        (r"\d+\s*min(ute)?s?\s+read", "reading time"),
        (r"((written|posted|reviewed|medically reviewed|updated) )?by [A-Z][\w.' -]{0,60}"
         r"|(last )?(updated|published|posted)( on)?:? .{0,40}\d.{0,20}", "byline"),
        (r"(skip to (main )?content|back to top|home( [>\u203a\u00bb/] .*)?|menu|search)",
         "navigation"),
        (r"(subscribe|sign up)( to| for)? (our|the) newsletter.*", "newsletter sign-up"),
    ),
    "es": (
        (r"¿?no (encontraste|encuentras|encontró) lo que (buscabas|buscas|buscaba)\??",
         "site search prompt"),
        (r"(publicidad|anuncio|patrocinado)", "advertising"),
        (r"(compartir|comparte( este artículo)?|imprimir)( en \w+)?[:!.]?", "share buttons"),
        (r".*\bcookies?\b.*\b(acepta|aceptar|utiliza|usamos|política|navegando)\b.*",
         "cookie banner"),
        (r"\d+\s*min(utos)? de lectura", "reading time"),
        (r"(escrito |revisado )?por [A-Z][\w.' -]{0,60}"
         r"|(última )?actualizaci[oó]n:? .{0,40}\d.{0,20}", "byline"),
        (r"(ir al contenido|volver arriba|inicio( [>\u203a\u00bb/] .*)?|menú|buscar)",
         "navigation"),
        (r"(suscríbete|suscribirse)( a)? (nuestro|el) boletín.*", "newsletter sign-up"),
    ),
}
#: A block that starts the page's tail (comments, related links): it and every block
#: after it are dropped, once the article has begun.
TAIL: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        (r"(your thoughts on this|leave a (comment|reply)|\d+ comments?|comments|"
         r"add a comment|join the (discussion|conversation)|user avatar.*)[:.]?",
         "comments at the end of the page"),
        (r"(related( articles| posts| stories| reading)?|you (may|might) also like|"
         r"read (more|next)|recommended( for you)?|more (articles|from us))[:.]?",
         "related links at the end of the page"),
    ),
    "es": (
        (r"(tu opinión|deja (un|tu) comentario|\d+ comentarios?|comentarios|"
         r"añadir un comentario)[:.]?", "comments at the end of the page"),
        (r"(artículos relacionados|relacionados|también te puede interesar|"
         r"lee también|leer más|te recomendamos)[:.]?", "related links at the end of the page"),
    ),
}
_DEBRIS = tuple((re.compile(p, re.IGNORECASE), why) for rules in DEBRIS.values()
                for p, why in rules)
_TAIL = tuple((re.compile(p, re.IGNORECASE), why) for rules in TAIL.values()
              for p, why in rules)
_TAIL_WHYS = frozenset(why for _, why in _TAIL)


@dataclass(frozen=True)
class _Chunk:
    """Lines between blank lines, with the number of the first."""

    lines: tuple[str, ...]
    line: int

    @property
    def text(self) -> str:
        return clean(" ".join(self.lines))


def read(path: Path, data: bytes) -> Document:
    """The blocks of the text file ``path`` holding ``data``, with its debris dropped."""
    text = decode(data)
    markdown = path.suffix.lower() in (".md", ".markdown")
    title, first_line, text = _front_matter(text) if markdown else ("", 1, text)
    blocks: list[Block] = []
    dropped: list[Dropped] = []
    for chunk in _chunks(text, first_line):
        if _debris(chunk, blocks, dropped):
            continue
        blocks.extend(_blocks(chunk, markdown))
    if blocks and blocks[0].kind == "heading" and blocks[0].level == 2 and not markdown:
        # The first line of a text, a heading-like line before any paragraph, is its title.
        blocks[0] = replace(blocks[0], level=1)
    if not title and blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        title = blocks[0].text
    return Document(path=path, kind="text", blocks=tuple(blocks), title=title,
                    origin=path.name, dropped=tuple(dropped))


def decode(data: bytes) -> str:
    """``data`` as text with ``\\n`` line ends; an ImportProblem, located, if it is not text."""
    if b"\0" in data:
        line = data.count(b"\n", 0, data.index(b"\0")) + 1
        raise ImportProblem("this is a binary file, not text (it has NUL bytes); import "
                            "the document it came from, or save it as plain text",
                            f"line {line}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportProblem(f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); open it in a "
                            "text editor and save it as UTF-8, then import it again",
                            f"line {line}") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def clean(text: str) -> str:
    """One line of plain text: invisible characters gone, whitespace collapsed."""
    return re.sub(r"\s+", " ", _INVISIBLE.sub("", text)).strip()


def _front_matter(text: str) -> tuple[str, int, str]:
    """A Markdown file's title (from front matter, if any), its body's first line, its body."""
    match = re.match(r"---\n(.*?\n)(?:---|\.\.\.)\n", text, re.DOTALL)
    if match is None:
        return "", 1, text
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        front = None
    title = front.get("title") if isinstance(front, dict) else None
    return (clean(title) if isinstance(title, str) else "",
            match.group(0).count("\n") + 1, text[match.end():])


def _chunks(text: str, first_line: int) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    current: list[str] = []
    for number, line in enumerate([*text.split("\n"), ""], first_line):
        if line.strip():
            current.append(line)
        elif current:
            chunks.append(_Chunk(tuple(current), number - len(current)))
            current = []
    return chunks


def _debris(chunk: _Chunk, blocks: list[Block], dropped: list[Dropped]) -> bool:
    """Whether ``chunk`` is debris (recorded in ``dropped``); once a tail has started
    (after some of the article), everything is."""
    where = f"line {chunk.line}"
    start = next((d for d in dropped if d.why in _TAIL_WHYS), None)
    if start is not None:
        dropped.append(Dropped(chunk.text, f"after '{start.text}': {start.why}", where))
        return True
    # A tail needs an article before it: "Comments" as the first line is not one.
    rules = (*(_TAIL if blocks else ()), *_DEBRIS)
    why = next((why for pattern, why in rules if pattern.fullmatch(chunk.text)), None)
    if why is not None:
        dropped.append(Dropped(chunk.text, why, where))
    return why is not None


def _blocks(chunk: _Chunk, markdown: bool) -> list[Block]:
    first = chunk.lines[0].strip()
    if markdown and (match := _MD_HEADING.match(first)):
        heading = Block("heading", clean(match.group(2)), level=len(match.group(1)),
                        where=f"line {chunk.line}", anchor=match.group(3) or "")
        rest = _Chunk(chunk.lines[1:], chunk.line + 1)
        return [heading, *(_blocks(rest, markdown) if rest.lines else [])]
    if len(chunk.lines) == 1 and _is_heading(first):
        return [Block("heading", clean(first), level=2, where=f"line {chunk.line}")]
    if _LIST.match(first):
        return _list(chunk, markdown)
    return [_paragraph(chunk.text, "paragraph", chunk.line, markdown)]


def _is_heading(line: str) -> bool:
    """A short line with no closing full stop, title-cased or a known section's heading."""
    words = line.split()
    if not words or len(words) > HEADING_WORDS or line.endswith((".", ",", ";", ":")):
        return False
    if known_section(line, "en") or known_section(line, "es"):
        return True
    if line.endswith(("?", "!")):
        return False
    significant = [w for w in words if w.lower() not in _MINOR and w[0].isalpha()]
    return bool(significant) and words[0][0].isupper() and all(
        w[0].isupper() for w in significant)


def _list(chunk: _Chunk, markdown: bool) -> list[Block]:
    """One item per entry; a line that starts no entry continues the one before."""
    entries: list[tuple[int, list[str]]] = []
    for offset, line in enumerate(chunk.lines):
        if _LIST.match(line) or not entries:
            entries.append((chunk.line + offset, [_LIST.sub("", line, count=1)]))
        else:
            entries[-1][1].append(line)
    return [_paragraph(clean(" ".join(lines)), "item", line, markdown) for line, lines in entries]


def _paragraph(text: str, kind: str, line: int, markdown: bool) -> Block:
    """A paragraph or list entry; in Markdown, ``**Lead.** rest`` keeps its lead apart."""
    where = f"line {line}"
    if markdown and (match := _LEAD.match(text)):
        return Block("item" if kind == "item" else "paragraph", match.group(2),
                     lead=match.group(1).strip(), where=where)
    return Block("item" if kind == "item" else "paragraph", text, where=where)
