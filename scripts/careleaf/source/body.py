"""The Markdown body: overview, ``##`` sections and ``###`` items, as typed parts.

CommonMark is parsed with markdown-it-py, then the top-level token stream is cut
at ``##`` and ``###`` headings. Everything a writer can get wrong here is
reported at its line: raw HTML (refused, never passed through to a renderer
that would fetch what it points at), ``#`` headings, images without alt text or
outside the project, and malformed ``{#id}`` suffixes.

markdown-it is imported when the first body is parsed, not with this module: loading a
project imports it, and a build with nothing new parses no Markdown.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from careleaf.errors import Report
from careleaf.project import ID_RE
from careleaf.source.images import resolve_image
from careleaf.source.model import Block, Image, Item, Section

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.parser_inline import RuleFuncInlineType
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

_ID_SUFFIX = re.compile(r"\s*\{#([^}]*)\}\s*$")
LINK_SCHEMES = ("http", "https", "mailto", "tel")
#: Lines that hold only list or quote markers carry no text of their own.
_ONLY_MARKERS = re.compile(r"^[\s>*+\-\d.)|:]*$")
#: Blocks whose lines a reader sees; every line of text must fall in one of them.
_LEAVES = ("inline", "fence", "code_block", "html_block", "hr", "heading_open", "table_open")


@functools.cache
def markdown() -> MarkdownIt:
    """The one Markdown dialect careleaf reads: CommonMark, tables, typographic quotes.
    Built once, on first use, and shared by every body parsed after it."""
    from markdown_it import MarkdownIt, rules_inline

    md = MarkdownIt("commonmark", {"html": True, "typographer": True})
    # Keep every link and image as a token so careleaf can refuse it with its line,
    # instead of markdown-it quietly leaving `[x](javascript:…)` as plain text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.inline.ruler.at("html_inline", _noting_line(rules_inline.html_inline))
    md.inline.ruler.at("image", _noting_line(rules_inline.image))
    return md.enable(["table", "strikethrough", "replacements", "smartquotes"])


def _noting_line(rule: RuleFuncInlineType) -> RuleFuncInlineType:
    """``rule``, also noting in the token's meta on which line of its paragraph it starts."""

    def noted(state: StateInline, silent: bool) -> bool:
        start = state.pos
        found = rule(state, silent)
        if found and not silent:
            state.tokens[-1].meta["line"] = state.src.count("\n", 0, start)
        return found

    return noted


@dataclass
class Body:
    overview_html: Markup = field(default_factory=Markup)
    overview_blocks: tuple[str, ...] = ()
    overview_located: tuple[Block, ...] = ()
    overview_line: int = 1
    sections: list[Section] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


@dataclass
class _Heading:
    level: int
    id: str | None
    title: str
    title_html: Markup
    line: int


def slug(text: str) -> str:
    """An id from heading text: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def inline_text(token: Token) -> str:
    """The words of an inline token as a reader sees them (no markup, no image alt)."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


class _Parser:
    def __init__(self, path: Path, first_line: int, root: Path, report: Report) -> None:
        self.path, self.first_line, self.root, self.report = path, first_line, root, report
        self.body = Body(overview_line=first_line)

    def line(self, token: Token) -> int:
        return self.first_line + (token.map[0] if token.map else 0)

    def error(self, line: int, message: str) -> None:
        self.report.error(self.path, line, message)

    def parse(self, text: str) -> Body:
        tokens = markdown().parse(text)
        self.inspect(tokens, self.first_line)
        self.check_nothing_dropped(text, tokens)
        overview, *chunks = self.split(tokens)
        body = self.body
        body.overview_html, body.overview_blocks, body.overview_located = self.render(overview[1])
        self.sections(chunks)
        return self.body

    def inspect(self, tokens: list[Token], line: int) -> None:
        """Refuse raw HTML and ``#`` headings; check images. Recurses into inline children."""
        for token in tokens:
            line = self.line(token) if token.map else line
            if token.type in ("html_block", "html_inline"):
                snippet = (token.content.strip().splitlines() or [""])[0][:60]
                self.error(line, f"raw HTML is not allowed ({snippet!r}); write Markdown instead")
            elif token.type == "heading_open" and token.tag == "h1":
                self.error(line, "a '#' heading is not allowed in the body: the title comes "
                                 "from the front matter; start sections with '##'")
            elif token.type == "image":
                self.image(token, line)
            elif token.type == "link_open":
                self.link(token, line)
            if token.children:
                self.inspect_inline(token.children, line)

    def check_nothing_dropped(self, text: str, tokens: list[Token]) -> None:
        """Every line with text must have been read: markdown-it stops, silently, at
        lists or quotes nested more than 20 deep, and that text would vanish."""
        covered: set[int] = set()
        for token in tokens:
            if token.type in _LEAVES and token.map:
                covered.update(range(token.map[0], token.map[1]))
        for number, line in enumerate(text.split("\n")):
            if number not in covered and not _ONLY_MARKERS.match(line):
                self.error(self.first_line + number, "this text is nested too deeply to be "
                           "read (lists or quotes inside each other more than a few levels); "
                           "flatten it")
                return

    def inspect_inline(self, children: list[Token], line: int) -> None:
        for child in children:
            self.inspect([child], line + child.meta.get("line", 0))

    def image(self, token: Token, line: int) -> None:
        src = str(token.attrs.get("src", ""))
        alt = inline_text(token) if token.children else token.content.strip()
        if not alt:
            self.error(line, f"image '{src[:80]}' needs alt text: write "
                             f"![what it shows]({src[:80]})")
        target, problem = resolve_image(src, self.path, self.root)
        if target is None:
            self.error(line, problem or f"image '{src}' cannot be used")
            return
        rel = target.relative_to(self.root.resolve()).as_posix()
        token.attrs["src"] = quote(rel)
        self.body.images.append(Image(rel, target, alt, line))

    def link(self, token: Token, line: int) -> None:
        href = str(token.attrs.get("href", "")).strip()
        scheme = urlsplit(href).scheme.lower()
        if scheme and scheme not in LINK_SCHEMES:
            self.error(line, f"link to '{href[:80]}' is not allowed: a link must be a web "
                             "address (http, https), mailto: or tel:")

    def split(self, tokens: list[Token]) -> list[tuple[_Heading | None, list[Token]]]:
        """Cut the token stream at top-level ``##``/``###`` headings."""
        chunks: list[tuple[_Heading | None, list[Token]]] = [(None, [])]
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "heading_open" and token.level == 0 and token.tag in ("h2", "h3"):
                chunks.append((self.heading(token, tokens[index + 1]), []))
                index += 3
                continue
            chunks[-1][1].append(token)
            index += 1
        return chunks

    def heading(self, open_token: Token, inline: Token) -> _Heading:
        line = self.line(open_token)
        children = list(inline.children or [])
        heading_id: str | None = None
        last_text = children[-1].content if children and children[-1].type == "text" else ""
        # The id as typed: the typographer has turned '..' into '…' in the text token.
        if (m := _ID_SUFFIX.search(last_text)) and (typed := _ID_SUFFIX.search(inline.content)):
            heading_id = typed.group(1).strip()
            last = children[-1].copy()
            last.content = children[-1].content[: m.start()]
            children[-1] = last
            if not ID_RE.match(heading_id):
                self.error(line, f"invalid id '{heading_id}': use lowercase letters, digits "
                                 "and single hyphens, like {#stretching}")
                heading_id = None
        stripped = inline.copy()
        stripped.children = children
        title = inline_text(stripped)
        if not title:
            self.error(line, "heading has no text")
        md = markdown()
        html = Markup(md.renderer.renderInline(children, md.options, {}).strip())  # type: ignore[attr-defined]
        return _Heading(int(open_token.tag[1]), heading_id, title, html, line)

    def render(self, tokens: list[Token]) -> tuple[Markup, tuple[str, ...], tuple[Block, ...]]:
        blocks = tuple(t for t in (inline_text(tok) if tok.type == "inline" else
                                   tok.content.strip() if tok.type in ("fence", "code_block")
                                   else "" for tok in tokens) if t)
        md = markdown()
        html = Markup(md.renderer.render(tokens, md.options, {}))
        return html, blocks, tuple(self.locate(tokens))

    def locate(self, tokens: list[Token]) -> list[Block]:
        """Each block of text with its kind, from the tokens that open around it."""
        located, context, level = [], ["paragraph"], 0
        for token in tokens:
            if token.type == "heading_open":
                level = int(token.tag[1:])
            if token.type in ("list_item_open", "th_open", "td_open", "heading_open"):
                context.append({"list_item_open": "list_item", "heading_open": "heading"}
                               .get(token.type, "table_cell"))
            elif token.type in ("list_item_close", "th_close", "td_close", "heading_close"):
                context.pop()
            if token.type in ("inline", "fence", "code_block") and token.map:
                text = inline_text(token) if token.type == "inline" else token.content.strip()
                kind = context[-1] if token.type == "inline" else "code"
                if text:
                    located.append(Block(text, kind, self.line(token),
                                         self.first_line + token.map[1] - 1,
                                         level if kind == "heading" else 0))
        return located

    def make_id(self, heading: _Heading) -> str:
        if heading.id:
            return heading.id
        made = slug(heading.title)
        if not made and heading.title:
            self.error(heading.line, f"cannot make an id from '{heading.title}': "
                                     "add one at the end of the heading, like {#my-id}")
        return made

    def sections(self, chunks: list[tuple[_Heading | None, list[Token]]]) -> None:
        section: tuple[_Heading, list[Token], list[Item]] | None = None
        for heading, tokens in chunks:
            assert heading is not None  # only the first chunk, the overview, has none
            if heading.level == 2:
                self.close(section)
                section = (heading, tokens, [])
            elif section is None:
                self.error(heading.line, "a '###' heading must come after a '##' section heading")
            else:
                html, blocks, located = self.render(tokens)
                section[2].append(Item(self.make_id(heading), heading.title, heading.title_html,
                                       html, blocks, heading.line, located))
        self.close(section)

    def close(self, section: tuple[_Heading, list[Token], list[Item]] | None) -> None:
        if section is None:
            return
        heading, tokens, items = section
        html, blocks, located = self.render(tokens)
        self.body.sections.append(Section(self.make_id(heading), heading.title, heading.title_html,
                                          html, blocks, tuple(items), heading.line, located))


def parse_body(text: str, path: Path, first_line: int, root: Path, report: Report) -> Body:
    """Parse a leaflet body that starts at ``first_line`` of ``path``."""
    return _Parser(path, first_line, root, report).parse(text)
