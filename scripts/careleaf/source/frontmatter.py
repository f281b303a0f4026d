"""Front matter: the YAML block at the top of a source, checked key by key.

Every key is checked for presence, type and spelling, and every problem is
reported at the line of the key (or of the value inside a list) that caused it.
PyYAML's node tree is kept next to the constructed values for exactly that:
plain ``yaml.safe_load`` forgets where things were. Every text in the values is
kept with its key and line too, for the character rules of ``validate``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from careleaf.errors import Report
from careleaf.project import LANG_RE
from careleaf.source.model import Reference

REQUIRED_KEYS = ("title", "summary", "version", "reviewed", "next_review", "sources")
OPTIONAL_KEYS = ("authors", "keywords", "lang", "layouts", "translation_of", "original_version",
                 "status", "owner", "approved_by", "approved_on")
#: What ``status`` may say. A leaflet without one is a draft: built, never published.
STATUSES = ("draft", "approved")
#: What an approved leaflet must also say, and why, for the message that asks for it.
APPROVAL_KEYS = {"owner": "the person or team responsible for it",
                 "approved_by": "who signed it off",
                 "approved_on": "the date they signed it off"}
KNOWN_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
FENCE = "---"
_SENTENCE_END = re.compile(r"[.!?\u3002]['\"\u201d\u2019)]*\s*(\S)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class FrontMatter:
    """The checked front matter; ``lines`` maps each key to its 1-based line."""

    title: str = ""
    summary: str = ""
    version: str = ""
    reviewed: date | None = None
    next_review: date | None = None
    sources: tuple[Reference, ...] = ()
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    #: The line of each keyword (the catalogue check names it).
    keyword_lines: tuple[int, ...] = ()
    lang: str | None = None
    #: The layouts this leaflet is made in, when it narrows the project's list.
    layouts: tuple[str, ...] | None = None
    #: The language of the original this translates, and the original's version it
    #: was made from (``translation_of`` and ``original_version``).
    translation_of: str | None = None
    original_version: str | None = None
    #: Document control: ``draft`` (the default) or ``approved``, and who and when.
    status: str = "draft"
    owner: str | None = None
    approved_by: str | None = None
    approved_on: date | None = None
    lines: dict[str, int] = field(default_factory=dict)
    #: Every text in the values, as (key, line, text), for the character rules of
    #: ``validate``: each of them ends up as metadata somewhere.
    texts: list[tuple[str, int, str]] = field(default_factory=list)


class _Loader(yaml.SafeLoader):
    """SafeLoader that reports a value it cannot construct (``2026-02-30``) at its line."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {_shown(node.value)} ({exc})", node.start_mark) from exc


def split(text: str, path: Path, report: Report) -> tuple[str, str, int] | None:
    """Cut ``text`` into (yaml, body, first body line), or report why it cannot be."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        report.error(path, 1, "missing front matter: the file must start with a line '---'")
        return None
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in (FENCE, "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    report.error(path, 1, "front matter is not closed: add a line '---' after it")
    return None


def parse(source: str, path: Path, first_line: int, report: Report) -> FrontMatter:
    """Parse and check the YAML between the fences; ``first_line`` is its first line."""
    front = FrontMatter()
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        line, message = _yaml_problem(exc, first_line)
        report.error(path, line, f"front matter is not valid YAML: {message}")
        return front
    except yaml.YAMLError as exc:
        report.error(path, first_line, f"front matter is not valid YAML: {exc}")
        return front
    except RecursionError:
        report.error(path, first_line, "front matter is nested too deeply")
        return front
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        report.error(path, first_line, "front matter must be a set of 'key: value' lines")
        return front
    _Checker(path, first_line, report, front).run(node, data)
    return front


class _Checker:
    """Checks each key of a front-matter mapping and fills in a ``FrontMatter``."""

    def __init__(self, path: Path, first_line: int, report: Report, front: FrontMatter) -> None:
        self.path, self.first_line, self.report, self.front = path, first_line, report, front
        self.value_lines: dict[str, yaml.Node] = {}

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def error(self, node: yaml.Node, message: str) -> None:
        self.report.error(self.path, self.line(node), message)

    def run(self, node: yaml.MappingNode, data: dict[Any, Any]) -> None:
        for key_node, value_node in node.value:
            key = key_node.value
            if key in self.front.lines:
                self.error(key_node, f"duplicate key '{key}'")
                continue
            self.front.lines[str(key)] = self.line(key_node)
            # An alias (*name) is the anchor's node, which sits earlier in the file:
            # report a mistake in its value at the key that uses it.
            aliased = value_node.start_mark.line < key_node.start_mark.line
            self.value_lines[str(key)] = key_node if aliased else value_node
            if key not in KNOWN_KEYS:
                self.error(key_node, _unknown_key_message(str(key)))
        for key in REQUIRED_KEYS:
            if key not in self.front.lines:
                self.report.error(self.path, self.first_line - 1, f"missing required key '{key}'")
        for key in KNOWN_KEYS:
            if key in self.front.lines:
                getattr(self, f"check_{key}")(self.value_lines[key], data[key])
        self.check_approval()
        self.front.texts = [(str(key_node.value), self.line(scalar), str(scalar.value))
                            for key_node, value_node in node.value
                            for scalar in _scalars(value_node)]

    def text(self, node: yaml.Node, value: Any, key: str) -> str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.error(node, f"'{key}' must be non-empty text")
        return ""

    def check_title(self, node: yaml.Node, value: Any) -> None:
        self.front.title = self.text(node, value, "title")

    def check_summary(self, node: yaml.Node, value: Any) -> None:
        summary = self.text(node, value, "summary")
        if _more_than_one_sentence(summary):
            self.error(node, "'summary' must be one sentence")
        self.front.summary = summary

    def version_text(self, node: yaml.Node, value: Any, key: str) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self.error(node, f"'{key}' must be text: write {key}: \"{node.value}\"")
            return ""
        return self.text(node, value, key)

    def check_version(self, node: yaml.Node, value: Any) -> None:
        self.front.version = self.version_text(node, value, "version")

    def check_original_version(self, node: yaml.Node, value: Any) -> None:
        self.front.original_version = self.version_text(node, value, "original_version") or None

    def check_translation_of(self, node: yaml.Node, value: Any) -> None:
        if isinstance(value, str) and LANG_RE.match(value.strip()):
            self.front.translation_of = value.strip()
        else:
            written = "nothing" if value is None else _shown(value)
            self.error(node, "'translation_of' must be the language tag of the original, like "
                       f"en, es or zh-Hans, not {written}")

    def date(self, node: yaml.Node, value: Any, key: str) -> date | None:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        written = _shown(node.value) if isinstance(node, yaml.ScalarNode) else _shown(value)
        self.error(node, f"'{key}' must be a date written YYYY-MM-DD, not {written}")
        return None

    def check_reviewed(self, node: yaml.Node, value: Any) -> None:
        self.front.reviewed = self.date(node, value, "reviewed")

    def check_next_review(self, node: yaml.Node, value: Any) -> None:
        self.front.next_review = self.date(node, value, "next_review")
        reviewed = self.front.reviewed
        if self.front.next_review and reviewed and self.front.next_review <= reviewed:
            self.error(node, f"'next_review' ({self.front.next_review}) must be after "
                       f"'reviewed' ({reviewed})")

    def check_sources(self, node: yaml.Node, value: Any) -> None:
        if not isinstance(value, list) or not value or not isinstance(node, yaml.SequenceNode):
            self.error(node, "'sources' must be a list with at least one source")
            return
        pairs = zip(node.value, value, strict=True)
        refs = (self.reference(item_node, item) for item_node, item in pairs)
        self.front.sources = tuple(ref for ref in refs if ref)

    def reference(self, node: yaml.Node, value: Any) -> Reference | None:
        if isinstance(value, str) and value.strip():
            return Reference(value.strip())
        if not isinstance(value, dict) or not isinstance(node, yaml.MappingNode):
            self.error(node, "a source must be text or {title: ..., url: ...}")
            return None
        ok = True
        for key_node, _ in node.value:
            if key_node.value not in ("title", "url"):
                ok = False
                hint = difflib.get_close_matches(str(key_node.value), ["title", "url"], 1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.error(key_node, f"unknown key '{key_node.value}' in a source{extra}")
        title, url = value.get("title"), value.get("url")
        if not isinstance(title, str) or not title.strip():
            self.error(node, "a source needs a 'title'")
            ok = False
        if url is not None and (not isinstance(url, str) or not _is_web_url(url)):
            url_node = next((v for k, v in reversed(node.value) if k.value == "url"), node)
            self.error(url_node, f"a source's 'url' must be an http(s) address, not {_shown(url)}")
            ok = False
        return Reference(str(title).strip(), url) if ok else None

    def names(self, node: yaml.Node, value: Any, key: str) -> tuple[str, ...]:
        """A list of text entries; a wrong entry is reported at its own line."""
        if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{key}' must be a list of non-empty text entries")
            return ()
        pairs = zip(node.value, value, strict=True)
        wrong = [item_node for item_node, v in pairs if not (isinstance(v, str) and v.strip())]
        for item_node in wrong:
            self.error(item_node, f"'{key}' must be a list of non-empty text entries")
        return () if wrong else tuple(v.strip() for v in value)

    def check_authors(self, node: yaml.Node, value: Any) -> None:
        self.front.authors = self.names(node, value, "authors")

    def check_keywords(self, node: yaml.Node, value: Any) -> None:
        self.front.keywords = self.names(node, value, "keywords")
        if self.front.keywords and isinstance(node, yaml.SequenceNode):
            self.front.keyword_lines = tuple(self.line(item) for item in node.value)

    def check_layouts(self, node: yaml.Node, value: Any) -> None:
        self.front.layouts = self.names(node, value, "layouts") or None

    def check_lang(self, node: yaml.Node, value: Any) -> None:
        self.front.lang = self.text(node, value, "lang") or None

    def check_status(self, node: yaml.Node, value: Any) -> None:
        if isinstance(value, str) and value.strip() in STATUSES:
            self.front.status = value.strip()
            return
        self.error(node, f"'status' must be {' or '.join(STATUSES)}, not "
                   f"{_shown(value)}: a draft is built for review and never published")

    def check_owner(self, node: yaml.Node, value: Any) -> None:
        self.front.owner = self.text(node, value, "owner") or None

    def check_approved_by(self, node: yaml.Node, value: Any) -> None:
        self.front.approved_by = self.text(node, value, "approved_by") or None

    def check_approved_on(self, node: yaml.Node, value: Any) -> None:
        self.front.approved_on = self.date(node, value, "approved_on")

    def check_approval(self) -> None:
        """An approved leaflet says who owns it and who signed off what, and when.

        Sign-off comes after the review it signs off: an ``approved_on`` before
        ``reviewed`` means the content was reviewed (and maybe changed) again since it
        was approved, so the approval no longer covers it.
        """
        front, line = self.front, self.front.lines.get("status")
        if front.status != "approved" or line is None:
            return
        for key, meaning in APPROVAL_KEYS.items():
            if key not in front.lines:
                self.report.error(self.path, line, f"'status: approved' needs '{key}' "
                                  f"({meaning}): add it, or write 'status: draft'")
        if front.approved_on and front.reviewed and front.approved_on < front.reviewed:
            self.report.error(self.path, front.lines["approved_on"],
                              f"'approved_on' ({front.approved_on}) is before 'reviewed' "
                              f"({front.reviewed}): the leaflet was reviewed again after it "
                              "was approved; have it approved again and update "
                              "'approved_on', or write 'status: draft'")
        if front.approved_on and front.next_review and front.approved_on >= front.next_review:
            self.report.error(self.path, front.lines["approved_on"],
                              f"'approved_on' ({front.approved_on}) must be before "
                              f"'next_review' ({front.next_review})")


def _scalars(node: yaml.Node) -> Iterator[yaml.ScalarNode]:
    """Every text in ``node``, each node once: an alias (``*name``) is its anchor's node,
    and a "billion laughs" file reuses a few nodes billions of times."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            yield current
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(child for pair in reversed(current.value) for child in reversed(pair))


def _yaml_problem(exc: yaml.MarkedYAMLError, first_line: int) -> tuple[int, str]:
    """The line and text of a YAML error, with where the broken part began when elsewhere."""
    mark = exc.problem_mark or exc.context_mark
    line = first_line + mark.line if mark else first_line
    message = str(exc.problem or exc)
    if exc.context and exc.context_mark and first_line + exc.context_mark.line != line:
        message += f" ({exc.context} that starts on line {first_line + exc.context_mark.line})"
    return line, message


def _more_than_one_sentence(text: str) -> bool:
    """A full stop followed by more text that does not go on in lower case or digits.

    "e.g. after a meal" and "version 2.1 of" stay one sentence; "It hurts. Rest." does not.
    """
    return any(not (m[1].islower() or m[1].isdigit()) for m in _SENTENCE_END.finditer(text))


def _shown(value: Any) -> str:
    """A value for a message: short text as written, anything else by its kind.

    Never the repr of a list or mapping: YAML aliases can make a tiny file expand
    into billions of entries ("billion laughs"), and printing them would never end.
    """
    if isinstance(value, str | int | float | date) and not isinstance(value, bool):
        text = repr(value if isinstance(value, str) else str(value))
        return text if len(text) <= 60 else text[:57] + "...'"
    if isinstance(value, list):
        return "a list"
    return "a set of keys" if isinstance(value, dict) else f"a {type(value).__name__}"


def _unknown_key_message(key: str) -> str:
    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{key}'{hint}; known keys: {', '.join(KNOWN_KEYS)}"


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)
