"""``careleaf check`` reads back every file a build publishes, and the site offers no other.

Through the real CLI: a booklet's imposed sheets and every PNG proof are read back
(damage, a lost page, a sheet side whose words are not its pages' are errors at the
file); freshness comes from the build manifest, so a touched but unchanged source is
not stale; and the download site leaves out, and the check refuses, a download that
was not read back.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from conftest import COMPLETENESS_ONLY, TmpProject

TODAY = "2026-12-06"
CHECK = ("check", "--today", TODAY, "--no-reports", *COMPLETENESS_ONLY)
IMPOSED = "minimal-booklet-a5-imposed.pdf"


@pytest.fixture
def booklet(minimal: TmpProject) -> TmpProject:
    """``en/minimal`` built as an A5 booklet (and its imposed sheets) and an EPUB."""
    minimal.write("careleaf.toml", 'layouts = ["booklet-a5", "epub"]\n')
    result = minimal.run("build")
    assert result.exit_code == 0, result.output
    return minimal


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line]


def rewrite_pdf(path: Path, pages: Callable[[list[int]], list[int]]) -> None:
    """Write ``path`` again with the pages ``pages`` picks (0-based), in that order."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    writer = PdfWriter()
    for index in pages(list(range(len(reader.pages)))):
        writer.add_page(reader.pages[index])
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())


def test_a_fresh_booklet_and_trifold_pass_with_every_file_read(booklet: TmpProject) -> None:
    assert booklet.run("build", "--layout", "trifold-a4").exit_code == 0
    result = booklet.run(*CHECK, "--strict")
    assert result.exit_code == 0, result.output
    result = booklet.run(*CHECK, "--strict", "--layout", "trifold-a4", "--layout", "epub")
    assert result.exit_code == 0, result.output


def test_a_truncated_imposed_booklet_is_an_error_at_it(booklet: TmpProject) -> None:
    imposed = booklet.output("en", "minimal", IMPOSED)
    size = imposed.stat().st_size
    os.truncate(imposed, 2000)
    result = booklet.run(*CHECK, "--strict")
    assert result.exit_code == 1
    assert (f"{imposed}: error: is 2,000 bytes, but the build wrote {size:,}: it was "
            "truncated or replaced; run 'careleaf build' to make it again") in result.stderr
    assert f"{imposed}: error: cannot be read as a PDF" in result.stderr
    assert all(line.startswith(str(imposed)) for line in errors(result.stderr)), result.stderr


@pytest.mark.parametrize(("pages", "problem"), [
    (lambda pages: pages[:-1], "has {n1} pages, but imposing the {n} pages of {booklet} "
                               "gives {n2}; run 'careleaf build' to impose it again"),
    (lambda pages: [pages[1], *pages[1:]],
     "side 1 does not hold the words of pages {n} and 1 of {booklet}: "),
])
def test_an_imposed_booklet_that_lost_a_page_is_an_error(
        booklet: TmpProject, pages: Callable[[list[int]], list[int]], problem: str) -> None:
    reading = booklet.output("en", "minimal", "minimal-booklet-a5.pdf")
    imposed = booklet.output("en", "minimal", IMPOSED)
    count = len(PdfReader(reading).pages)
    rewrite_pdf(imposed, pages)
    result = booklet.run(*CHECK)
    assert result.exit_code == 1
    wanted = problem.format(n=count, n1=count // 2 - 1, n2=count // 2, booklet=reading)
    assert f"{imposed}: error: {wanted}" in result.stderr, result.stderr


def test_a_trifold_that_lost_a_side_is_an_error(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "trifold-a4").exit_code == 0
    trifold = minimal.output("en", "minimal", "minimal-trifold-a4.pdf")
    rewrite_pdf(trifold, lambda pages: pages[:1])
    result = minimal.run(*CHECK, "--layout", "trifold-a4")
    assert result.exit_code == 1
    assert (f"{trifold}: error: has 1 pages, but a tri-fold is 2; run 'careleaf build' to "
            "impose it again") in result.stderr


def half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def square(path: Path) -> None:
    Image.new("RGB", (300, 300), "white").save(path, format="PNG")


def jpeg(path: Path) -> None:
    with Image.open(path) as image:
        image.convert("RGB").save(path, format="JPEG")


@pytest.mark.parametrize(("damage", "problem"), [
    (half, "cannot be read as a PNG picture"),
    (square, "is 300 x 300 pixels, which is not the shape of page 1 of {pdf}"),
    (jpeg, "is a JPEG picture, not a PNG"),
])
def test_a_damaged_proof_is_an_error_at_it(booklet: TmpProject, damage: Callable[[Path], None],
                                           problem: str) -> None:
    proof = booklet.root / "build/en/minimal/proofs/minimal-booklet-a5-imposed-1.png"
    damage(proof)
    result = booklet.run(*CHECK)
    assert result.exit_code == 1
    wanted = problem.format(pdf=booklet.output("en", "minimal", IMPOSED))
    assert f"{proof}: error: {wanted}" in result.stderr, result.stderr
    assert all(line.startswith(str(proof)) for line in errors(result.stderr)), result.stderr


def test_a_deleted_proof_is_one_error_at_it(booklet: TmpProject) -> None:
    proof = booklet.root / "build/en/minimal/proofs/minimal-booklet-a5-2.png"
    proof.unlink()
    result = booklet.run(*CHECK)
    assert result.exit_code == 1
    assert errors(result.stderr) == [f"{proof}: error: is missing: it was deleted or moved; "
                                     "run 'careleaf build' to make it again"]


def test_a_print_shop_proof_is_read_back_too(minimal: TmpProject) -> None:
    assert minimal.run("build", "--layout", "a4", "--print-ready").exit_code == 0
    assert minimal.run(*CHECK, "--layout", "a4", "--strict").exit_code == 0
    proof = minimal.root / "build/en/minimal/print/proofs/minimal-a4-1.png"
    half(proof)
    result = minimal.run(*CHECK, "--layout", "a4")
    assert result.exit_code == 1
    assert f"{proof}: error: cannot be read as a PNG picture" in result.stderr


def test_a_touched_source_is_not_stale_but_a_changed_one_is(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    source = minimal.root / "source/en/minimal.md"
    later = source.stat().st_mtime + 100
    os.utime(source, (later, later))
    result = minimal.run(*CHECK, "--strict")
    assert result.exit_code == 0, result.output
    source.write_text(source.read_text() + "\n")  # the same leaflet, other bytes
    result = minimal.run(*CHECK)
    assert result.exit_code == 0, result.output
    for name in ("minimal-a4.pdf", "minimal.epub"):
        assert (f"{minimal.output('en', 'minimal', name)}: warning: was built from an older "
                f"{source}; run 'careleaf build' to update it") in result.stderr
    assert minimal.run(*CHECK, "--strict").exit_code == 1


def test_the_site_leaves_out_a_damaged_download(booklet: TmpProject) -> None:
    imposed = booklet.output("en", "minimal", IMPOSED)
    size = imposed.stat().st_size
    os.truncate(imposed, 2000)
    result = booklet.run("build", "--layout", "epub")  # the booklet is not looked at
    assert result.exit_code == 0, result.output
    assert (f"{imposed}: warning: is 2,000 bytes, but the build wrote {size:,}: the download "
            "site leaves it out until 'careleaf build' makes it again") in result.stderr
    site = booklet.root / "build/site"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert IMPOSED not in index and "minimal-booklet-a5.pdf" in index
    assert not (site / "en/minimal" / IMPOSED).exists()
    found = errors(booklet.run(*CHECK).stderr)  # at the file, none at the site
    assert [line.split(": error: ")[0] for line in found] == [str(imposed)] * 2, found
    assert booklet.run("build").exit_code == 0
    assert IMPOSED in (site / "index.html").read_text(encoding="utf-8")
    assert booklet.run(*CHECK, "--strict").exit_code == 0


def test_the_site_leaves_out_an_output_whose_build_failed(minimal: TmpProject) -> None:
    minimal.write("careleaf.toml", 'layouts = ["trifold-a4", "epub"]\n')
    assert minimal.run("build").exit_code == 0
    trifold = minimal.output("en", "minimal", "minimal-trifold-a4.pdf")
    source = minimal.root / "source/en/minimal.md"
    source.write_text(source.read_text() + "".join(
        f"\n### Extra advice {n} {{#extra-{n}}}\n\n" + "Keep warm and rest well. " * 30 + "\n"
        for n in range(12)))
    result = minimal.run("build")
    assert result.exit_code == 1  # too long for the tri-fold; the EPUB is built
    assert trifold.is_file()  # the old one stays, but it is not this leaflet any more
    assert (f"{trifold}: warning: was built from an older {source}: the download site "
            "leaves it out until 'careleaf build' updates it") in result.stderr
    index = (minimal.root / "build/site/index.html").read_text(encoding="utf-8")
    assert "minimal-trifold-a4.pdf" not in index and "minimal.epub" in index


def test_the_site_offers_no_download_the_check_did_not_read(booklet: TmpProject) -> None:
    booklet.write("careleaf.toml", 'layouts = ["epub"]\n')  # the site still has the booklet
    copy = booklet.root / "build/site/en/minimal" / IMPOSED
    result = booklet.run(*CHECK)
    assert result.exit_code == 1
    assert (f"{copy}: error: is offered for download, but the check did not read back "
            f"{booklet.output('en', 'minimal', IMPOSED)}, which it stands for") in result.stderr
    # A check told to look at some layouts only does not judge the others' downloads.
    booklet.write("careleaf.toml", 'layouts = ["booklet-a5", "epub"]\n')
    assert booklet.run(*CHECK, "--layout", "epub", "--strict").exit_code == 0
    assert booklet.run("build").exit_code == 0
    booklet.write("careleaf.toml", 'layouts = ["epub"]\n')
    assert booklet.run("build").exit_code == 0  # the site now offers the EPUB alone
    assert booklet.run(*CHECK, "--strict").exit_code == 0
