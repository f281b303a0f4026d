"""Layouts: folders under ``layouts/`` that say how a leaflet looks in one format.

A layout is ``layout.yml`` plus Jinja2 templates and CSS. ``extends`` names a
parent layout: templates are looked up in the layout first, then its parents,
and each parent's template is also reachable as ``<parent>/<file>`` so a child
can ``{% extends "base/leaflet.html" %}`` and override blocks. Stylesheets add
up along the chain, parent first. Everything a layout can say lives in its
folder; the code here only reads it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from careleaf.errors import Report
from careleaf.project import Project
from careleaf.yamlfile import read_mapping

FORMAT_EXTENSIONS = {"pdf": "pdf", "epub": "epub"}
KNOWN_KEYS = ("name", "description", "format", "extends", "page_size", "stylesheets",
              "template", "output", "qr_size")
#: Printed size of the QR code to the ebook, quiet zone included, unless a layout says.
DEFAULT_QR_MM = 25.0
DEFAULT_TEMPLATE = "leaflet.html"
DEFAULT_OUTPUT = "{id}-{layout}.{ext}"


@dataclass(frozen=True)
class Layout:
    name: str
    folder: Path
    description: str
    #: ``pdf`` or ``epub``; None for a base layout that only exists to be extended.
    format: str | None
    page_size: str | None
    #: Width of the QR code to the ebook in millimetres (``qr_size: 20mm``).
    qr_size_mm: float
    template: str
    output: str
    #: This layout's folder first, then each parent's.
    chain: tuple[Path, ...]
    #: Every stylesheet of the chain, the base's first.
    stylesheets: tuple[Path, ...]

    def output_name(self, leaflet_id: str) -> str:
        ext = FORMAT_EXTENSIONS.get(self.format or "", "")
        return self.output.format(id=leaflet_id, layout=self.name, ext=ext)

    def digest(self) -> str:
        """A hash of every file in the chain's folders: changes when the look can change."""
        sha = hashlib.sha256()
        for folder in self.chain:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                sha.update(path.relative_to(folder.parent).as_posix().encode() + b"\0")
                sha.update(path.read_bytes())
        return sha.hexdigest()


def load_layouts(project: Project, report: Report) -> dict[str, Layout]:
    """Every layout folder of the project that is well formed, by name."""
    raw: dict[str, tuple[Path, dict[str, Any]]] = {}
    for config in sorted(project.layouts_dir.glob("*/layout.yml")):
        data = _read_config(config, report)
        if data is not None:
            raw[config.parent.name] = (config, data)
    layouts: dict[str, Layout] = {}
    for name in raw:
        layout = _resolve(name, raw, report, ())
        if layout is not None:
            layouts[name] = layout
    return layouts


def _read_config(config: Path, report: Report) -> dict[str, Any] | None:
    mapping = read_mapping(config, KNOWN_KEYS, report)
    if mapping is None:
        return None
    data, ok = mapping.data, True
    for key, value in data.items():
        line = mapping.line(key)
        if key == "stylesheets":
            ok &= _check_stylesheets(config, mapping.nodes[key], value, report)
        elif not isinstance(value, str) or not value.strip():
            report.error(config, line, f"'{key}' must be non-empty text")
            ok = False
        elif key == "output" and (problem := _output_problem(value)):
            report.error(config, line, f"'output' {problem}")
            ok = False
        elif key == "qr_size" and _millimetres(value) is None:
            report.error(config, line, "'qr_size' must be a length in millimetres, like 25mm")
            ok = False
    if data.get("name", config.parent.name) != config.parent.name:
        report.error(config, mapping.line("name"), f"'name' is '{data['name']}' but the folder "
                     f"is '{config.parent.name}'")
        ok = False
    if data.get("format") not in (None, *FORMAT_EXTENSIONS):
        report.error(config, mapping.line("format"),
                     f"'format' must be one of {', '.join(FORMAT_EXTENSIONS)}")
        ok = False
    return data if ok else None


def _millimetres(text: str) -> float | None:
    number = text.strip().removesuffix("mm").strip()
    try:
        value = float(number)
    except ValueError:
        return None
    return value if text.strip().endswith("mm") and value > 0 else None


def _output_problem(pattern: str) -> str | None:
    """Why an ``output`` pattern is unusable, or None: it must name one file."""
    try:
        name = pattern.format(id="leaflet", layout="layout", ext="pdf")
    except (KeyError, IndexError, ValueError) as exc:
        return f"can only use {{id}}, {{layout}} and {{ext}} ({exc!s} is not one of them)"
    if "/" in name or "\\" in name or name in (".", "..") or name.startswith("."):
        return "must be a file name, not a path"
    if "{id}" not in pattern:
        return "must contain {id}, or every leaflet would write the same file"
    return None


def _check_stylesheets(config: Path, node: yaml.Node, value: Any, report: Report) -> bool:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        report.error(config, node.start_mark.line + 1, "'stylesheets' must be a list of file names")
        return False
    ok = True
    folder = config.parent.resolve()
    for entry_node, entry in zip(node.value, value, strict=True):
        path = (folder / entry).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            report.error(config, entry_node.start_mark.line + 1,
                         f"stylesheet '{entry}' is not a file inside {config.parent.name}/")
            ok = False
    return ok


def _resolve(name: str, raw: dict[str, tuple[Path, dict[str, Any]]], report: Report,
             seen: tuple[str, ...]) -> Layout | None:
    config, data = raw[name]
    parent: Layout | None = None
    if (parent_name := data.get("extends")) is not None:
        if parent_name in (*seen, name):
            loop = " -> ".join((*seen, name, parent_name))
            report.error(config, None, f"'extends' makes a loop: {loop}")
            return None
        if parent_name not in raw:
            report.error(config, None, f"'extends' names '{parent_name}', which is not a layout "
                         "folder with a valid layout.yml")
            return None
        parent = _resolve(parent_name, raw, report, (*seen, name))
        if parent is None:
            return None
    def inherit(key: str, default: Any) -> Any:
        return data.get(key, getattr(parent, key) if parent else default)
    own_sheets = tuple(config.parent / s for s in data.get("stylesheets", []))
    return Layout(
        name=name, folder=config.parent, description=str(data.get("description", "")),
        format=inherit("format", None), page_size=inherit("page_size", None),
        qr_size_mm=(_millimetres(data["qr_size"]) or DEFAULT_QR_MM) if "qr_size" in data
        else parent.qr_size_mm if parent else DEFAULT_QR_MM,
        template=inherit("template", DEFAULT_TEMPLATE),
        # Never inherited: a child must not overwrite its parent's files.
        output=str(data.get("output", DEFAULT_OUTPUT)),
        chain=(config.parent, *(parent.chain if parent else ())),
        stylesheets=(*(parent.stylesheets if parent else ()), *own_sheets),
    )
