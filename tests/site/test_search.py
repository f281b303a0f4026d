"""The site's search index: Pagefind's bundle, made by the real binary from the leaflet
pages the site renders, read back as a browser would get it.

Each test makes serve's preview of a small project (no outputs are built: the pages
are all the index needs) and reads ``pagefind/``: its languages, each leaflet's
fragment (the text Pagefind indexed, with its meta and filters) and its size.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from careleaf.design.brand import load_brand
from careleaf.errors import Report
from careleaf.project import Project
from careleaf.site.search import BUNDLE, SCRIPT
from careleaf.site.update import build_site
from conftest import MINIMAL, REPO, TmpProject

#: Two English leaflets and a Spanish one; "kombucha" is only in the body of one.
LEAFLETS = {
    "en/minimal": MINIMAL.replace("  - cramp\n", "  - cramp\n  - Night pain\n"),
    "en/aches": MINIMAL.replace("title: Leg cramps", "title: Aching joints").replace(
        "A warm bath can help", "A warm bath or a cup of kombucha can help"),
    "es/calambres": MINIMAL.replace("title: Leg cramps", "title: Calambres en las piernas"),
}
#: What Pagefind's compressed files start with, once unzipped.
SIGNATURE = b"pagefind_dcd"
#: What a phone fetches to search one language, at most: the script, its worker, the
#: language's WebAssembly, and the index's entry, meta and chunks.
PHONE_BUDGET = 200_000


def make_site(project: TmpProject,
              leaflets: dict[str, str] | None = None) -> tuple[Path | None, Report]:
    """Serve's preview of ``leaflets`` (``LEAFLETS``), made by the site's own code and
    offering no downloads: its folder (None if it could not be made) and the report."""
    for key, text in (LEAFLETS if leaflets is None else leaflets).items():
        project.write(f"source/{key}.md", text)
    found = Project.find(project.root)
    report = Report()
    brand = load_brand(found, "default", report)
    assert brand is not None, [str(d) for d in report]
    return build_site(found, report, brand, []), report


def made(project: TmpProject, leaflets: dict[str, str] | None = None) -> Path:
    """``make_site``'s folder, which it must make without an error."""
    folder, report = make_site(project, leaflets)
    assert folder is not None and not report.errors, [str(d) for d in report]
    return folder


def unpacked(path: Path) -> bytes:
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(SIGNATURE), path
    return data[len(SIGNATURE):]


def fragments(folder: Path, lang: str) -> dict[str, dict[str, Any]]:
    """Each indexed page of ``lang`` by its URL: its text, meta and filters."""
    found = [json.loads(unpacked(path))
             for path in (folder / BUNDLE / "fragment").glob(f"{lang}_*.pf_fragment")]
    return {fragment["url"]: fragment for fragment in found}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    shutil.copytree(REPO / "layouts", root / "layouts")
    project = TmpProject(root)
    project.write("careleaf.toml", 'layouts = ["a4", "epub"]\n')
    return made(project)


def test_each_language_has_its_own_index_of_its_leaflets(site: Path) -> None:
    entry = json.loads((site / BUNDLE / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert {lang: value["page_count"] for lang, value in entry["languages"].items()} == {
        "en": 2, "es": 1}
    # From the site root, whatever folder it is published in: the search page's script
    # (copied beside the bundle) makes each one a link relative to the page.
    assert set(fragments(site, "en")) == {"/en/aches/index.html", "/en/minimal/index.html"}
    assert set(fragments(site, "es")) == {"/es/calambres/index.html"}
    assert (site / SCRIPT).read_bytes() == (REPO / "layouts/site/search.js").read_bytes()


def test_each_leaflet_has_its_meta_and_its_topics_sections_and_language_as_filters(
        site: Path) -> None:
    page = fragments(site, "en")["/en/minimal/index.html"]
    assert page["meta"]["title"] == "Leg cramps"
    assert page["meta"]["summary"] == "What brings on leg cramps and what helps."
    assert page["meta"]["image"] == "en/minimal/cover-thumbnail.png"
    assert (site / page["meta"]["image"]).is_file()
    filters = page["filters"]
    # The topics by their names on the topics pages, which the search page links to.
    assert sorted(filters["topic"]) == ["Night pain", "cramp"]
    assert sorted(filters["section"]) == ["Causes", "Treatment", "When to see a doctor"]
    assert filters["language"] == ["en"]
    assert list((site / BUNDLE / "filter").glob("en_*.pf_filter"))


def test_only_the_leaflet_is_indexed_not_what_every_page_repeats(site: Path) -> None:
    text = fragments(site, "en")["/en/minimal/index.html"]["content"]
    assert text.startswith("Leg cramps. What brings on leg cramps and what helps.")
    assert "Stretch the muscle gently until the cramp eases." in text
    # The header, navigation and footer; the kicker, dates, downloads, contact block,
    # the about section and the urgent line: the same words on every leaflet's page.
    for repeated in ("Skip to", "All leaflets", "Catalogue for ebook apps", "Patient information",
                     "Reviewed", "Download", "Phone", "About this leaflet", "Written by",
                     "When you need help urgently", "general information"):
        assert repeated not in text, repeated
    assert "kombucha" in fragments(site, "en")["/en/aches/index.html"]["content"]
    assert "kombucha" not in text


def test_only_what_the_search_page_uses_is_shipped_and_it_is_small(site: Path) -> None:
    files = {path.relative_to(site / BUNDLE).as_posix(): path.stat().st_size
             for path in (site / BUNDLE).rglob("*") if path.is_file()}
    assert "pagefind.js" in files and "pagefind-worker.js" in files
    assert not [name for name in files if "-ui." in name or "highlight" in name]
    phone = sum(size for name, size in files.items()
                if name in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind",
                            "pagefind-entry.json")
                or name.startswith(("pagefind.en_", "index/en_", "filter/en_")))
    assert phone < PHONE_BUDGET, (phone, files)
    # One fragment per leaflet, fetched only for the results shown.
    assert all(size < 4_000 for name, size in files.items() if name.startswith("fragment/"))


def test_a_page_without_pagefind_body_is_not_indexed(project: TmpProject) -> None:
    # A clinic's own leaflet template that marks the text of only some leaflets.
    template = project.root / "layouts/site/leaflet.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace(
        '<main id="main" data-pagefind-body>',
        '<main id="main"{% if leaflet.id != "aches" %} data-pagefind-body{% endif %}>'),
        encoding="utf-8")
    folder = made(project)
    assert b"data-pagefind-body" not in (folder / "en/aches/index.html").read_bytes()
    assert set(fragments(folder, "en")) == {"/en/minimal/index.html"}


def test_a_site_without_leaflets_has_the_search_page_and_no_index(project: TmpProject) -> None:
    folder = made(project, {})
    assert (folder / SCRIPT).is_file()
    assert not (folder / BUNDLE).exists()


def test_pagefind_failing_is_an_error_at_the_template_and_no_site(project: TmpProject) -> None:
    # Every page marks an empty element as its text: Pagefind has nothing to index.
    template = project.root / "layouts/site/leaflet.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace('<main id="main" data-pagefind-body>',
                                     '<main id="main"><span data-pagefind-body></span>'),
                        encoding="utf-8")
    folder, report = make_site(project)
    assert folder is None
    (error,) = report.errors
    assert error.location.path == template
    assert "Pagefind could not index the leaflet pages (Error: Pagefind was not able to " \
        "build an index." in error.message
    assert "data-pagefind-body" in error.message
    assert not (project.root / "build/preview").exists()
