"""Plain-language lint: what makes a leaflet hard to read, each at its source line.

Warnings, never errors: a writer may have a reason. Long sentences and
paragraphs, runs of capitals (they read as shouting and are harder to read),
headings nested too deep, glossary terms not explained where a reader first
meets them, and advice sections with no step the reader can take. The last two
are heuristics and say so in their messages. Sentences come from the same
splitter the readability scores use, so the two never disagree about what a
sentence is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from careleaf.check.readability import split_sentences, words
from careleaf.config import Lint
from careleaf.errors import Report
from careleaf.files import UnreadableFile, read_regular
from careleaf.project import MAX_SOURCE_BYTES
from careleaf.source.model import Block, Leaflet

CHECK = "plain-language"
#: Sections whose job is to tell the reader what to do.
ACTION_SECTIONS = ("treatment", "see-a-doctor")
#: Words that start an instruction in health leaflets ("Rest the muscle", "Call 111").
IMPERATIVES = frozenset({
    "add", "apply", "ask", "avoid", "bathe", "bend", "book", "breathe", "bring", "build",
    "call", "carry", "change", "check", "choose", "contact", "cool", "cover", "cut", "dial",
    "do", "don't", "drink", "eat", "follow", "get", "give", "go", "hold", "increase", "keep",
    "learn", "let", "lie", "lift", "limit", "look", "lower", "make", "massage", "move", "note",
    "pace", "phone", "plan", "practise", "practice", "put", "raise", "read", "reduce", "relax",
    "remember", "rest", "return", "rub", "see", "seek", "sip", "sit", "sleep", "soak", "speak",
    "stand", "start", "stay", "stop", "store", "stretch", "swap", "switch", "take", "talk",
    "tell", "text", "try", "use", "visit", "wait", "walk", "warm", "wash", "watch", "wear",
    "wrap", "write", "place", "press", "protect", "ease", "drop", "find", "have", "join",
    "share", "show", "turn", "ring", "attend", "arrange", "allow", "aim"})
#: Words that may come before the instruction itself: "Gently stretch", "But try".
_LEAD_INS = frozenset({"always", "also", "and", "but", "gently", "never", "please", "slowly",
                       "so", "then"})
#: A sentence starting with these puts its instruction after the comma: "If it hurts, stop".
_SUBORDINATORS = frozenset({"if", "when", "after", "before", "while", "once", "until",
                            "whenever"})
_CAPITALS = re.compile("^[A-Z][A-Z'\u2019-]*[A-Z]$")
_PUNCTUATION = ".,;:!?()\"\u201c\u201d\u2018\u2019"
_DASHES = ("\u2014", "\u2013")


@dataclass(frozen=True)
class Term:
    """A glossary entry: a word a reader may not know, and the plain words for it."""

    term: str
    explanation: str
    pattern: re.Pattern[str]


def lint(leaflet: Leaflet, limits: Lint, glossary: list[Term], report: Report) -> None:
    """Add a warning to ``report`` for every plain-language problem in ``leaflet``."""
    source = _source_lines(leaflet.path)
    located = list(_all_blocks(leaflet))
    for block in located:
        _check_block(leaflet.path, block, source, limits, report, leaflet.lang)
    english = leaflet.lang.split("-")[0] == "en"
    if glossary:
        _check_glossary(leaflet.path, located, glossary, report)
    if english:
        _check_actions(leaflet, report)


def _all_blocks(leaflet: Leaflet) -> Iterator[Block]:
    yield from leaflet.overview_located
    for section in leaflet.sections:
        yield from section.located
        for item in section.items:
            yield from item.located


def _check_block(path: Path, block: Block, source: list[str], limits: Lint,
                 report: Report, lang: str) -> None:
    if block.kind == "heading" and block.level > limits.heading_depth:
        report.warning(path, block.line, f"heading level {block.level} ('{'#' * block.level}') "
                       f"is deeper than {limits.heading_depth} levels; readers lose their "
                       "place: make it a '###' item or plain text", CHECK)
    _check_capitals(path, block, report, limits.capitals_run)
    if not block.is_prose:
        return
    sentences = split_sentences(block.text, lang)
    if block.kind == "paragraph" and len(sentences) > limits.paragraph_sentences:
        report.warning(path, block.line, f"paragraph of {len(sentences)} sentences (more than "
                       f"{limits.paragraph_sentences}); split it so each paragraph makes one "
                       "point", CHECK)
    for sentence in sentences:
        count = len(words(sentence))
        if count > limits.sentence_words:
            report.warning(path, _line_of(sentence, block, source),
                           f"sentence of {count} words (more than {limits.sentence_words}): "
                           f"'{_excerpt(sentence)}'; split it in two", CHECK)


def _check_capitals(path: Path, block: Block, report: Report, longest: int) -> None:
    run: list[str] = []
    for word in [*block.text.split(), ""]:
        if _CAPITALS.match(word.strip(_PUNCTUATION)):
            run.append(word)
            continue
        if len(run) >= longest:
            report.warning(path, block.line, f"'{' '.join(run)}' is in capitals: capitals read "
                           "as shouting and are harder to read; use bold for what matters",
                           CHECK)
        run = []


def _check_actions(leaflet: Leaflet, report: Report) -> None:
    """Each advice section, and each treatment, should tell the reader something to do."""
    for section in leaflet.sections:
        if section.id not in ACTION_SECTIONS:
            continue
        parts = [(section.title, section.line, [*section.located,
                  *(b for item in section.items for b in item.located)])]
        if section.id == "treatment":
            parts = [(item.title, item.line, list(item.located)) for item in section.items]
        for title, line, blocks in parts:
            if not any(_is_instruction(s) for b in blocks if b.is_prose
                       for s in split_sentences(b.text)):
                report.warning(leaflet.path, line, f"'{title}' gives the reader nothing to do "
                               "(no sentence starts with an instruction like 'Rest…' or "
                               "'Call…', as far as careleaf can tell); say what to do", CHECK)


def _is_instruction(sentence: str) -> bool:
    lowered = [w.lower() for w in words(sentence)]
    starts = [0]
    if lowered and lowered[0] in _SUBORDINATORS and "," in sentence:
        starts.append(len(words(sentence.split(",", 1)[0])))
    for start in starts:
        index = start
        while index < len(lowered) and lowered[index] in _LEAD_INS:
            index += 1
        if index < len(lowered) and lowered[index] in IMPERATIVES:
            return True
    return False


def _check_glossary(path: Path, blocks: list[Block], glossary: list[Term],
                    report: Report) -> None:
    """A term must be explained where a reader first meets it, not somewhere later.

    Met in a heading (``### Dystonia``), the text just under it may explain it.
    """
    readable = [b for b in blocks if b.is_prose or b.kind == "heading"]
    for term in glossary:
        for index, block in enumerate(readable):
            match = term.pattern.search(block.text)
            if match is None:
                continue
            following = next((b.text for b in readable[index + 1:] if b.is_prose), "")
            if not _explained(term, block.text, match, following):
                report.warning(path, block.line, f"'{match.group(0)}' is used without "
                               f"explanation (glossary: '{term.explanation}'); explain it "
                               "the first time, e.g. in brackets after it", CHECK)
            break


def _explained(term: Term, text: str, match: re.Match[str], following: str) -> bool:
    """Explained: in brackets after it, named ("called X") after a description, or the
    sentence (or the next paragraph) carries most of the glossary's plain words."""
    after, before = text[match.end():].lstrip(), text[:match.start()].rstrip().lower()
    if after.startswith(("(", *_DASHES, ", which", ", a ", ", an ", ", the ", ", or ", "is ",
                         "means ")):
        return True
    if before.endswith(("called", "call these", "call this", "known as", "call it")):
        return True
    wanted = {w.lower() for w in words(term.explanation) if len(w) > 3}
    near = {w.lower() for w in words(f"{text} {following}")}
    return bool(wanted) and len(wanted & near) * 2 >= len(wanted)


def _line_of(sentence: str, block: Block, source: list[str]) -> int:
    """The source line where ``sentence`` starts, within its block's lines."""
    head = " ".join(sentence.split()[:3])
    for number in range(block.line, block.end_line + 1):
        if number - 1 < len(source) and head and head in " ".join(source[number - 1].split()):
            return number
    return block.line


def _source_lines(path: Path) -> list[str]:
    """The source's lines as it is now; it may have changed (or been swapped for a pipe)
    since it was loaded, so it is read as carefully as the loader reads it."""
    try:
        data = read_regular(path, MAX_SOURCE_BYTES)
    except UnreadableFile:
        return []
    return data.decode("utf-8", "replace").removeprefix("\ufeff").splitlines()


def _excerpt(text: str, size: int = 60) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def load_glossary(path: Path, report: Report) -> list[Term]:
    """``term: plain explanation`` pairs from a YAML file; mistakes reported at their line."""
    if not path.is_file():
        return []
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        report.error(path, getattr(getattr(exc, "problem_mark", None), "line", -1) + 1 or None,
                     f"glossary is not valid YAML: {exc}", "glossary")
        return []
    if node is None:
        return []
    if not isinstance(node, yaml.MappingNode):
        report.error(path, 1, "the glossary must be 'term: plain explanation' lines", "glossary")
        return []
    terms = []
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode)
                and key.value.strip() and value.value.strip()):
            report.error(path, key.start_mark.line + 1, "each glossary entry must be "
                         "'term: plain explanation', both plain text", "glossary")
            continue
        name = key.value.strip()
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?:s|es)?(?!\w)", re.IGNORECASE)
        terms.append(Term(name, value.value.strip(), pattern))
    return terms


def glossary_path(source_dir: Path, lang: str) -> Path:
    """``source/<lang>/glossary.yml`` if there is one; English falls back to ``source/``."""
    own = source_dir / lang / "glossary.yml"
    return own if own.is_file() or lang.split("-")[0] != "en" else source_dir / "glossary.yml"
