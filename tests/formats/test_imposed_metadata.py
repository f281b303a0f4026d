"""Imposed sheets keep what readers need: title, language, DisplayDocTitle and XMP.

Built with the real CLI, read back with pypdf and lxml, and checked by an independent
PDF/UA checker (``pdfua``, on pikepdf) against what it says of the reading-order PDF.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from pdfua import validate
from pypdf import PdfReader
from pypdf.generic import BooleanObject, DictionaryObject, StreamObject

from careleaf.formats.pdfmeta import NAMESPACES, iso_date
from conftest import MINIMAL, REPO, TmpProject

IMPOSED = ("minimal-booklet-a5-imposed.pdf", "minimal-trifold-a4.pdf")
READING_ORDER = "minimal-booklet-a5.pdf"
#: What pdfua says of every untagged file: the imposed sheets are untagged on purpose
#: (formats/impose.py says why), so these three are expected and nothing else is.
UNTAGGED = {"UA-01-002", "UA-01-005", "UA-28-004"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal leaflet built as a booklet and a tri-fold; its output folder."""
    root = tmp_path_factory.mktemp("imposed")
    shutil.copytree(REPO / "layouts", root / "layouts")
    project = TmpProject(root)
    project.write("careleaf.toml", 'layouts = ["booklet-a5", "trifold-a4"]\n')
    project.write("source/en/minimal.md", MINIMAL)
    result = project.run("build")
    assert result.exit_code == 0, result.output
    return Path(project.output("en", "minimal", ""))


def xmp(reader: PdfReader) -> etree._Element:
    stream = reader.root_object["/Metadata"].get_object()
    assert isinstance(stream, StreamObject)
    assert (str(stream["/Type"]), str(stream["/Subtype"])) == ("/Metadata", "/XML")
    return etree.fromstring(stream.get_data())


def entry(root: DictionaryObject, name: str, key: str) -> object:
    """A catalogue dictionary's entry as a Python value (pypdf's booleans are not bool)."""
    value = root[name].get_object()
    assert isinstance(value, DictionaryObject)
    flag = value[key]
    return flag.value if isinstance(flag, BooleanObject) else flag


def xpath(tree: etree._Element, path: str) -> list[str]:
    return [str(value) for value in tree.xpath(path, namespaces=NAMESPACES)]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", IMPOSED)
def test_imposed_file_has_the_sources_info_language_and_title_display(
        built: Path, name: str) -> None:
    source, imposed = PdfReader(built / READING_ORDER), PdfReader(built / name)
    assert source.metadata and imposed.metadata
    for key in ("/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer",
                "/CreationDate", "/ModDate"):
        assert imposed.metadata[key] == source.metadata[key], key
    root = imposed.root_object
    assert str(root["/Lang"]) == str(source.root_object["/Lang"]) == "en"
    assert entry(root, "/ViewerPreferences", "/DisplayDocTitle") is True
    # Untagged, and honest about it: no structure tree, and no claim to be tagged.
    assert "/StructTreeRoot" not in root
    assert entry(root, "/MarkInfo", "/Marked") is False


@pytest.mark.parametrize("name", IMPOSED)
def test_imposed_file_has_an_xmp_packet_that_agrees_with_its_info(
        built: Path, name: str) -> None:
    imposed = PdfReader(built / name)
    info, tree = imposed.metadata, xmp(imposed)
    assert info and info.title
    titles = tree.xpath("//dc:title/rdf:Alt/rdf:li", namespaces=NAMESPACES)
    assert {li.get(XML_LANG): li.text for li in titles} == {  # type: ignore[union-attr]
        "x-default": info.title, "en": info.title}
    assert xpath(tree, "//dc:creator/rdf:Seq/rdf:li/text()") == [info.author]
    assert xpath(tree, "//dc:language/rdf:Bag/rdf:li/text()") == ["en"]
    assert xpath(tree, "//pdf:Producer/text()") == [info.producer]
    # The source's dates, never the clock: the build stays byte-reproducible.
    assert xpath(tree, "//xmp:CreateDate/text()") == [iso_date(str(info["/CreationDate"]))]
    assert xpath(tree, "//xmp:ModifyDate/text()") == [iso_date(str(info["/ModDate"]))]
    assert not tree.xpath("//*[local-name()='part']")  # no PDF/UA claim


@pytest.mark.parametrize("name", IMPOSED)
def test_independent_checker_flags_only_the_untagged_rules_on_imposed_files(
        built: Path, name: str) -> None:
    reading_order = {f.rule_id for f in validate(str(built / READING_ORDER)).findings}
    imposed = {f.rule_id for f in validate(str(built / name)).findings}
    assert imposed - reading_order <= UNTAGGED, imposed


def test_pdf_dates_become_xmp_dates_as_precise_as_they_were() -> None:
    assert iso_date("D:20260301") == "2026-03-01"
    assert iso_date("D:2026") == "2026"
    assert iso_date("D:20260301120502Z") == "2026-03-01T12:05:02Z"
    assert iso_date("D:20260301120502+01'00'") == "2026-03-01T12:05:02+01:00"
    assert iso_date("D:202603011205-05'30") == "2026-03-01T12:05-05:30"
    assert iso_date("yesterday") is None
