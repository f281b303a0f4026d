"""Diff reports: a ``LeafletDiff`` as text for a terminal, HTML for a reviewer, JSON for tools.

All three show the same things in the same order: which versions were compared, the
front-matter keys that changed, then by section each part added, removed, moved or
changed, with the words that changed. The text marks words as git's word diff does
(``[-old-]{+new+}``), so it reads the same with or without colour; the HTML page is
one self-contained file (its style inline, no script, no network), printable on
paper, with removed and added words struck through and underlined as well as
coloured, so a black-and-white print shows them too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape

from careleaf.source.diff import Change, FieldChange, LeafletDiff, Plain, Words

KINDS = ("added", "removed", "moved", "changed")
_RED, _GREEN, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[0m"


@dataclass(frozen=True)
class Versions:
    """What was compared, as a reader is told: the source and a label for each side."""

    source: str
    old: str
    new: str


def lines_of(words: tuple[Words, ...]) -> list[list[Words]]:
    """The runs of a word diff cut at line breaks: one list of runs per line."""
    lines: list[list[Words]] = [[]]
    for run in words:
        for number, piece in enumerate(run.text.split("\n")):
            if number:
                lines.append([])
            if piece:
                lines[-1].append(Words(run.op, piece))
    return lines


def text_lines(change: Change) -> list[list[Words]]:
    """The lines a report shows under a part's heading: its text, and its title only when
    the title's words changed (the heading shows the title)."""
    lines = lines_of(change.words)
    title_changed = "changed" in change.kinds and any(run.op != "same" for run in lines[0])
    return lines if change.part == "overview" or title_changed else lines[1:]


def summary(diff: LeafletDiff) -> str:
    """``2 items changed, 1 added; 3 front-matter keys changed``, or that nothing did."""
    items = [f"{diff.count(kind)} {kind}" for kind in KINDS if diff.count(kind)]
    parts = []
    if items:
        parts.append(f"items: {', '.join(items)}")
    others = len(diff.changes) - len(diff.items)
    if others:
        parts.append(f"{others} change(s) to the overview or section headings and introductions")
    if diff.front_matter:
        parts.append(f"{len(diff.front_matter)} front-matter key(s) changed")
    return "; ".join(parts) if parts else "no difference"


def shown(value: Plain) -> str:
    """A front-matter value on one line: ``(not set)``, text, or a list's entries."""
    if value is None:
        return "(not set)"
    if isinstance(value, dict):
        url = value.get("url")
        return f"{value.get('title')}" + (f" <{url}>" if url else "")
    if isinstance(value, list):
        return "[" + "; ".join(shown(entry) for entry in value) + "]"
    return value


# --- text ------------------------------------------------------------------------------

def render_text(diff: LeafletDiff, versions: Versions, color: bool = False) -> str:
    """The report for a terminal (``color`` adds ANSI colours to the marked words)."""
    head = [f"{versions.source}: {versions.old} -> {versions.new}"]
    if diff.identical:
        return (f"{head[0]}\nNo difference: the front matter, overview, sections and items "
                f"are the same in both versions.\n")
    out = [*head, f"  {summary(diff)}"]
    if diff.front_matter:
        out += ["", "Front matter"]
        out += [_text_field(change) for change in diff.front_matter]
    section = None
    for change in diff.changes:
        if change.part == "overview":
            out += ["", "Overview"]
        elif change.section != section:
            section = change.section
            title = _section_title(diff, section)
            out += ["", f"Section {section}" + (f": {title}" if title else "")]
        out += _text_change(change, color)
    return "\n".join(out) + "\n"


def _section_title(diff: LeafletDiff, section_id: str) -> str:
    section = diff.new.section(section_id) or diff.old.section(section_id)
    return section.title if section else ""


def _text_field(change: FieldChange) -> str:
    at = f"  (line {change.line})" if change.line else ""
    old, new = change.old, change.new
    if isinstance(old, list) and isinstance(new, list):
        # A list says which entries came and went: a whole list twice is hard to compare.
        gone = [shown(entry) for entry in old if entry not in new]
        came = [shown(entry) for entry in new if entry not in old]
        said = [*(f"added {entry}" for entry in came), *(f"removed {entry}" for entry in gone)]
        return f"  {change.key}: {'; '.join(said) or 'the same entries in another order'}{at}"
    return f"  {change.key}: {shown(old)} -> {shown(new)}{at}"


def _text_change(change: Change, color: bool) -> list[str]:
    if change.part == "overview":
        head = "  changed  overview"
    else:
        title = f' "{change.title}"' if change.title else ""
        moved = f" (from section {change.moved_from})" if change.moved_from else ""
        head = f"  {', '.join(change.kinds):<8} {change.name}{title}{moved}"
    if change.line:
        head += f"  line {change.line}" + (" before" if change.kinds == ("removed",) else "")
    if change.markup_only:
        return [head, "      only the formatting or a link changed; the words are the same"]
    if change.kinds == ("added",) or change.kinds == ("removed",):
        mark = "+" if change.kinds == ("added",) else "-"
        return [head] + [f"    {mark} {_plain_line(line)}" for line in text_lines(change)]
    # A changed part shows the lines (title, paragraphs) with changed words in them.
    changed = [line for line in text_lines(change) if any(r.op != "same" for r in line)]
    return [head] + [f"      {_marked_line(line, color)}" for line in changed]


def _plain_line(line: list[Words]) -> str:
    return "".join(run.text for run in line)


def _marked_line(line: list[Words], color: bool) -> str:
    out, before = [], "same"
    for run in line:
        # The space before a word stays outside the marks: "[-can-]", not "[- can-]";
        # words put in for removed ones follow them as git shows it: "[-can-]{+may+}".
        text = run.text.lstrip(" ")
        space = "" if before == "removed" else run.text[: len(run.text) - len(text)]
        before = run.op
        if run.op == "same":
            out.append(run.text)
        elif run.op == "removed":
            out.append(space + (_RED if color else "") + f"[-{text}-]" + (_RESET if color else ""))
        else:
            out.append(space + (_GREEN if color else "") + f"{{+{text}+}}"
                       + (_RESET if color else ""))
    return "".join(out)


# --- JSON ------------------------------------------------------------------------------

def render_json(diff: LeafletDiff, versions: Versions) -> str:
    """The report for tools: every change with its id, kinds, line and word runs."""
    data = {
        "source": versions.source,
        "key": diff.new.key,
        "old": {"label": versions.old, "version": diff.old.version},
        "new": {"label": versions.new, "version": diff.new.version},
        "identical": diff.identical,
        "items": {kind: diff.count(kind) for kind in KINDS},
        "front_matter": [{"key": c.key, "old": c.old, "new": c.new, "line": c.line}
                         for c in diff.front_matter],
        "changes": [_json_change(change) for change in diff.changes],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _json_change(change: Change) -> dict[str, object]:
    return {
        "part": change.part, "name": change.name, "section": change.section,
        "item": change.item or None, "title": change.title, "kinds": list(change.kinds),
        "moved_from": change.moved_from, "markup_only": change.markup_only,
        "line": change.line,
        "words": [{"op": run.op, "text": run.text} for run in change.words],
    }


# --- HTML ------------------------------------------------------------------------------

_STYLE = """
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1a1a1a; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
code { font-size: .9em; background: #f2f2f2; padding: 0 .2em; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: start; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid #ddd; }
.kind { display: inline-block; font-size: .8em; font-weight: 600; text-transform: uppercase;
        padding: 0 .4em; border: 1px solid currentColor; border-radius: 3px; }
.added .kind { color: #05631e; } .removed .kind { color: #a4000f; }
.moved .kind, .changed .kind { color: #7a4b00; }
.line, .versions { color: #555; }
.text p { margin: .3rem 0 .3rem 1rem; }
del { color: #a4000f; background: #fde7e9; text-decoration: line-through; }
ins { color: #05631e; background: #e3f5e6; text-decoration: underline; }
.unset { color: #555; font-style: italic; }
.change { break-inside: avoid; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  del, ins { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def render_html(diff: LeafletDiff, versions: Versions) -> str:
    """The report for a reviewer: one self-contained page, fit to print."""
    title = f"What changed in {diff.new.title} ({diff.new.key})"
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="versions">{escape(versions.source)}: from '
            f"<strong>{escape(versions.old)}</strong> to <strong>{escape(versions.new)}"
            f"</strong>.</p>", f"<p><strong>{escape(summary(diff).capitalize())}.</strong></p>",
            '<p class="versions">Removed words are <del>struck through</del>, added words are '
            "<ins>underlined</ins>.</p>"]
    if diff.front_matter:
        body += _html_front_matter(diff.front_matter)
    section = None
    for change in diff.changes:
        if change.part == "overview":
            body.append("<h2>Overview</h2>")
        elif change.section != section:
            section = change.section
            body.append(f"<h2>{escape(_section_title(diff, section))} "
                        f"<code>{escape(section)}</code></h2>")
        body += _html_change(change, diff.new.lang, diff.new.direction)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1" />\n'
            f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def _html_front_matter(changes: tuple[FieldChange, ...]) -> list[str]:
    rows = [f"<tr><th scope=\"row\"><code>{escape(c.key)}</code></th>"
            f"{_html_value(c.old, 'del')}{_html_value(c.new, 'ins')}"
            f"<td class=\"line\">{c.line or ''}</td></tr>" for c in changes]
    return ["<h2>Front matter</h2>", "<table>", "<thead><tr><th scope=\"col\">Key</th>"
            "<th scope=\"col\">Before</th><th scope=\"col\">After</th>"
            "<th scope=\"col\">Line</th></tr></thead>", "<tbody>", *rows, "</tbody>", "</table>"]


def _html_change(change: Change, lang: str, direction: str) -> list[str]:
    kinds = " ".join(change.kinds)
    label = "".join(f'<span class="kind">{escape(kind)}</span> ' for kind in change.kinds)
    name = "" if change.part == "overview" else f" <code>{escape(change.name)}</code>"
    moved = (f" (from section <code>{escape(change.moved_from)}</code>)"
             if change.moved_from else "")
    line = f' <span class="line">line {change.line}</span>' if change.line else ""
    out = [f'<article class="change {kinds}">',
           f"<h3>{label}{escape(change.title or 'Overview')}{name}{moved}{line}</h3>"]
    if change.markup_only:
        out.append("<p>Only the formatting or a link changed; the words are the same.</p>")
    out.append(f'<div class="text" lang="{escape(lang)}" dir="{escape(direction)}">')
    out += [f"<p>{_html_line(line_runs)}</p>" for line_runs in text_lines(change)]
    return [*out, "</div>", "</article>"]


def _html_line(line: list[Words]) -> str:
    tags = {"same": ("", ""), "removed": ("<del>", "</del>"), "added": ("<ins>", "</ins>")}
    out, before = [], "same"
    for run in line:
        text = run.text.lstrip(" ")  # the space before a word is not struck or underlined
        # Words put in for removed ones are set one space after them, wherever they were.
        space = " " if before == "removed" else run.text[: len(run.text) - len(text)]
        before = run.op
        out.append(f"{space}{tags[run.op][0]}{escape(text)}{tags[run.op][1]}")
    return "".join(out)


def _html_value(value: Plain, tag: str) -> str:
    if value is None:
        return '<td class="unset">not set</td>'
    return f"<td><{tag}>{escape(shown(value))}</{tag}></td>"
