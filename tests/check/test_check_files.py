"""``careleaf check`` reads back every file a build makes, and ``publish`` offers no other.

Through the real CLI: a booklet's imposed sheets and every PNG proof are read back
(damage, a lost page, a sheet side whose words are not its pages' are errors at the
file); freshness comes from the build manifest, so a touched but unchanged source is
not stale; and ``careleaf publish`` holds back a leaflet with a download the check did
not pass as it is now (damaged, left over from a failed build, or never read back),
and the site then does not offer it.
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
#: The full check the publish gate needs (no --skip, no --layout), then publish.
FULL_CHECK = ("check", "--today", TODAY, "--no-reports")
PUBLISH = ("publish", "--today", TODAY)
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


def test_a_print_shop_proof_is_read_back_too(approved: TmpProject) -> None:
    # Print-shop files are refused for a draft: the leaflet is approved.
    assert approved.run("build", "--layout", "a4", "--print-ready").exit_code == 0
    assert approved.run(*CHECK, "--layout", "a4", "--strict").exit_code == 0
    proof = approved.root / "build/en/minimal/print/proofs/minimal-a4-1.png"
    half(proof)
    result = approved.run(*CHECK, "--layout", "a4")
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


@pytest.fixture
def published(approved: TmpProject) -> TmpProject:
    """``en/minimal``, approved, as an A5 booklet and an EPUB: built, checked, published."""
    approved.write("careleaf.toml", 'layouts = ["booklet-a5", "epub"]\n')
    publish_all(approved)
    return approved


def publish_all(project: TmpProject) -> None:
    """build → full check → publish, as ``make`` runs them; each must succeed."""
    result = project.publish("--today", TODAY)
    assert result.exit_code == 0, result.output


def refusals(stderr: str) -> list[str]:
    """The publish gate's errors: one per leaflet held back."""
    return [line for line in errors(stderr) if line.endswith("; not published")]


def site_index(project: TmpProject) -> str:
    """The site's root, its English index, which lists the English leaflets (there is
    none while no English leaflet is published), and the pages of the English leaflets,
    which alone offer the files for printing in the clinic (a booklet's sheets)."""
    site = project.root / "build/site"
    pages = (site / "index.html", site / "en/index.html", *sorted(site.glob("en/*/index.html")))
    return "".join(page.read_text(encoding="utf-8") for page in pages if page.is_file())


def test_a_damaged_download_holds_the_leaflet_back(published: TmpProject) -> None:
    imposed = published.output("en", "minimal", IMPOSED)
    source = published.root / "source/en/minimal.md"
    site = published.root / "build/site/en/minimal"
    size = imposed.stat().st_size
    os.truncate(imposed, 2000)
    # Damaged after the check: the gate sees it is not the file the check passed.
    result = published.run(*PUBLISH)
    assert result.exit_code == 1
    held = refusals(result.stderr)
    assert len(held) == 1 and errors(result.stderr) == held, result.stderr
    assert held[0].startswith(f"{source}: error: "), held
    # The damaged file itself is named, and what to do about it.
    assert (f"{imposed} is 2,000 bytes, but the build wrote {size:,}: run 'careleaf build'"
            in held[0]), held
    assert not site.exists()
    assert "minimal-booklet-a5.pdf" not in site_index(published)
    # The check finds it, at the file; publish then refuses the leaflet at its source.
    check = published.run(*FULL_CHECK)
    assert check.exit_code == 1
    found = errors(check.stderr)
    assert [line.split(": error: ")[0] for line in found] == [str(imposed)] * 2, found
    assert f"{imposed}: error: is 2,000 bytes, but the build wrote {size:,}" in check.stderr
    result = published.run(*PUBLISH)
    assert result.exit_code == 1
    held = refusals(result.stderr)
    assert len(held) == 1 and errors(result.stderr) == held, result.stderr
    assert held[0].startswith(f"{source}: error: 'careleaf check' found errors: "
                              f"build/en/minimal/{IMPOSED}: is 2,000 bytes"), held
    assert held[0].endswith("(and 1 more); not published"), held
    assert not site.exists()
    assert IMPOSED not in site_index(published)
    # Built again and checked: published again, the whole sheets offered.
    publish_all(published)
    assert IMPOSED in site_index(published)
    assert (site / IMPOSED).read_bytes() == imposed.read_bytes()
    assert published.run(*FULL_CHECK, "--strict").exit_code == 0


def test_an_output_whose_build_failed_holds_the_leaflet_back(approved: TmpProject) -> None:
    approved.write("careleaf.toml", 'layouts = ["trifold-a4", "epub"]\n')
    publish_all(approved)
    trifold = approved.output("en", "minimal", "minimal-trifold-a4.pdf")
    source = approved.root / "source/en/minimal.md"
    source.write_text(source.read_text() + "".join(
        f"\n### Extra advice {n} {{#extra-{n}}}\n\n" + "Keep warm and rest well. " * 30 + "\n"
        for n in range(12)))
    result = approved.run("build")
    assert result.exit_code == 1  # too long for the tri-fold; the EPUB is built
    assert trifold.is_file()  # the old one stays, but it is not this leaflet any more
    assert approved.run(*FULL_CHECK).exit_code == 1
    result = approved.run(*PUBLISH)
    assert result.exit_code == 1
    held = refusals(result.stderr)
    assert len(held) == 1 and errors(result.stderr) == held, result.stderr
    assert held[0].startswith(f"{source}:") and str(trifold) in held[0], held
    assert ": error: 'careleaf check' found errors: " in held[0]
    # Neither the old tri-fold nor the new EPUB: the leaflet is not offered at all.
    assert not (approved.root / "build/site/en/minimal").exists()
    index = site_index(approved)
    assert "minimal-trifold-a4.pdf" not in index and "minimal.epub" not in index


def test_the_site_offers_no_download_the_check_did_not_read(approved: TmpProject) -> None:
    approved.write("careleaf.toml", 'layouts = ["epub"]\n')
    publish_all(approved)
    source = approved.root / "source/en/minimal.md"
    site = approved.root / "build/site/en/minimal"
    # A booklet built since the check: not offered, and the leaflet is held back.
    approved.write("careleaf.toml", 'layouts = ["booklet-a5", "epub"]\n')
    assert approved.run("build").exit_code == 0
    result = approved.run(*PUBLISH)
    assert result.exit_code == 1
    assert refusals(result.stderr) == [
        f"{source}: error: {approved.output('en', 'minimal', 'minimal-booklet-a5.pdf')} is "
        "not the file 'careleaf check' passed (it was built again since): run 'careleaf "
        "check'; not published"], result.stderr
    assert not site.exists()
    # A check told to look at some layouts only does not count for publishing.
    assert approved.run(*FULL_CHECK, "--layout", "epub", "--strict").exit_code == 0
    result = approved.run(*PUBLISH)
    assert result.exit_code == 1
    assert "was last checked with --skip or --layout" in result.stderr
    assert not site.exists()
    assert approved.run(*FULL_CHECK, "--strict").exit_code == 0
    assert approved.run(*PUBLISH).exit_code == 0
    assert (site / IMPOSED).is_file() and IMPOSED in site_index(approved)
    approved.write("careleaf.toml", 'layouts = ["epub"]\n')
    publish_all(approved)  # the site now offers the EPUB alone
    assert sorted(path.name for path in site.iterdir() if path.suffix in (".pdf", ".epub")) \
        == ["minimal.epub"]
    assert "minimal-booklet-a5" not in site_index(approved)
