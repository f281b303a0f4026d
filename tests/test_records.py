"""One record per format and one per check, and everything that names them agrees.

A ``Format`` (``careleaf.outputs.FORMATS``) names the code that renders and reads it
back as ``module:function`` strings, imported on first use: here each one resolves, to
a function of the stage that owns it. A ``Check`` (``careleaf.check.gates.CHECKS``)
names every tag a problem can carry: the report schema's enum, ``--skip``'s choices
and every tag written in the code are its names.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import click
import pytest

from careleaf.check.gates import CHECKS, SKIPPABLE
from careleaf.cli import main
from careleaf.outputs import FORMATS, Format, resolve
from test_architecture import PACKAGE, modules

NAMES = [check.name for check in CHECKS]


@pytest.mark.parametrize("record", FORMATS.values(), ids=list(FORMATS))
def test_a_format_names_its_renderer_in_formats_and_its_reader_in_check(record: Format) -> None:
    assert callable(resolve(record.renderer))
    assert callable(resolve(record.reader))
    assert record.renderer.startswith("careleaf.formats.")
    assert record.reader.startswith("careleaf.check.")
    for name in filter(None, (record.pages, record.prepare)):  # PDF: its layout alone, warm-up
        assert callable(resolve(name)) and name.startswith("careleaf.formats.")


def test_formats_are_filed_under_their_names() -> None:
    assert [record.name for record in FORMATS.values()] == list(FORMATS)
    extensions = [record.extension for record in FORMATS.values()]
    assert len(set(extensions)) == len(extensions)


def test_the_records_load_no_renderer() -> None:
    """Every stage reads the records; none of them loads WeasyPrint or ebooklib by it."""
    code = ("import sys, careleaf.outputs, careleaf.design.layouts, careleaf.site.model\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('weasyprint', 'ebooklib') or m in ('careleaf.formats.pdf', "
            "'careleaf.formats.epub')))")
    scripts = str(PACKAGE.parent)
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={"PYTHONPATH": scripts}).stdout
    assert loaded.strip() == "[]"


def test_the_report_schema_knows_every_check() -> None:
    schema = json.loads((PACKAGE / "check" / "check-report.schema.json").read_text())
    assert schema["$defs"]["check"]["enum"] == NAMES


def test_skip_offers_the_skippable_checks() -> None:
    command = main.get_command(click.Context(main), "check")
    assert command is not None
    skip = next(p for p in command.params if p.name == "skipped")
    assert isinstance(skip.type, click.Choice)
    assert list(skip.type.choices) == list(SKIPPABLE)
    assert SKIPPABLE == ("review", "required-sections", "readability", "plain-language", "fill")


def test_every_tag_in_the_code_is_a_check() -> None:
    """``CHECK = "..."`` constants and string tags given to ``report.error`` or ``warning``
    (the fourth argument, or ``check=``) are names of records."""
    tags = []
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for tag in _tags(node):
                tags.append(f"{module}: {tag}")
    assert tags, "no tag found: the scan is broken"
    assert [tag for tag in tags if tag.partition(": ")[2] not in NAMES] == []


def _tags(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CHECK"
                                            for t in node.targets):
        value = node.value.value if isinstance(node.value, ast.Constant) else None
        return [value] if isinstance(value, str) else []
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("error", "warning", "finding")):
        return []
    given = [*node.args[3:4], *(k.value for k in node.keywords if k.arg == "check")]
    return [arg.value for arg in given
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
