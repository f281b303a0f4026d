"""Small YAML configuration files (layout.yml, brands) read with their line numbers.

Configuration files are short mappings of settings. This reads one, keeps the
line of every key so that mistakes are reported where they are, and turns an
unknown key into an error that suggests the nearest known one.
"""

from __future__ import annotations

import contextlib
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from careleaf.errors import Report

#: The longest file given to libyaml (see ``_parse``): no configuration file is near it.
_LIBYAML_MAX = 16_000


@dataclass(frozen=True)
class Mapping:
    path: Path
    data: dict[str, Any]
    #: Line of each key, 1-based.
    lines: dict[str, int]
    nodes: dict[str, yaml.Node]

    def line(self, key: str) -> int | None:
        return self.lines.get(key)


def read_mapping(path: Path, known: tuple[str, ...], report: Report) -> Mapping | None:
    """The file's top-level mapping, or None when it cannot be read or has unknown keys."""
    try:
        node, data = _parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        report.error(path, mark.line + 1 if mark else None, f"cannot read {path.name}: {exc}")
        return None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        report.error(path, 1, f"{path.name} must be a set of 'key: value' lines")
        return None
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    nodes = {str(k.value): v for k, v in node.value}
    ok = True
    for key, line in lines.items():
        if key not in known:
            report.error(path, line, unknown_key(key, known))
            ok = False
    return Mapping(path, {str(k): v for k, v in data.items()}, lines, nodes) if ok else None


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The document's nodes (which know their lines) and what ``yaml.safe_load`` makes of
    them, parsed once: by libyaml when PyYAML has it, ten times quicker than PyYAML's own
    parser (every build reads every layout and brand). A document libyaml refuses is read
    again by PyYAML's, to say what is wrong as it says it; a long one is left to PyYAML's
    alone, as libyaml's composer can nest deep enough to overflow the stack."""
    if len(text) <= _LIBYAML_MAX and getattr(yaml, "__with_libyaml__", False):
        with contextlib.suppress(yaml.YAMLError):
            return _parse_with(yaml.CSafeLoader, text)
    return _parse_with(yaml.SafeLoader, text)


def _parse_with(kind: type[yaml.SafeLoader] | type[yaml.CSafeLoader], text: str
                ) -> tuple[yaml.Node | None, Any]:
    loader = kind(text)
    try:
        node = loader.get_single_node()
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def unknown_key(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, 1)
    return f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
