"""The synthetic catalogue of ``make bench`` (``scripts/synthetic.py``): 200 leaflets that
load as real ones do, with the topics and the few odd keywords of a real catalogue."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from careleaf.check.catalogue import check_titles, single_use_keywords
from careleaf.errors import Report
from careleaf.pipeline.records import loaded_facts
from careleaf.project import Project
from careleaf.source.load import load_leaflets
from careleaf.source.model import Leaflet
from conftest import REPO, TmpProject

sys.path.insert(0, str(REPO / "scripts"))  # the benchmark's scripts are not a package
import synthetic


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    """200 synthetic leaflets, written once for the module's tests."""
    root = tmp_path_factory.mktemp("synthetic")
    synthetic.make_catalogue(root, 200)
    return TmpProject(root)


@pytest.fixture(scope="module")
def leaflets(catalogue: TmpProject) -> list[Leaflet]:
    report = Report()
    loaded = load_leaflets(Project(catalogue.root), report)
    assert report.errors == [], report.errors[:3]
    return loaded


def test_every_leaflet_loads_and_most_are_english(leaflets: list[Leaflet]) -> None:
    assert len(leaflets) == 200
    assert Counter(leaflet.lang for leaflet in leaflets) == {"en": 172, "es": 28}
    assert all(not leaflet.is_draft for leaflet in leaflets)
    # Bodies differ: recombined, not copied.
    bodies = {leaflet.overview_blocks + tuple(i.id for s in leaflet.sections for i in s.items)
              for leaflet in leaflets}
    assert len(bodies) == 200


def test_topics_have_several_leaflets_and_a_few_keywords_only_one(
        catalogue: TmpProject, leaflets: list[Leaflet]) -> None:
    facts = loaded_facts(leaflets)
    report = Report()
    check_titles(facts, report)
    assert report.diagnostics == []  # every title once in its language
    single = single_use_keywords(facts)
    assert {use.keyword for use in single} >= {"back pian", "plantar fasciitis",
                                              "lumbalgia crónica"}
    assert len(single) <= 8
    assert next(use.like for use in single if use.keyword == "back pian") == "back pain"
    english = Counter(k for leaflet in leaflets if leaflet.lang == "en" for k in leaflet.keywords)
    assert sum(1 for count in english.values() if count >= 5) >= 15


def test_the_same_seed_writes_the_same_catalogue(catalogue: TmpProject, tmp_path: Path) -> None:
    again = synthetic.make_catalogue(tmp_path / "again", 200)
    for path in again:
        twin = catalogue.root / path.relative_to(tmp_path / "again")
        assert path.read_bytes() == twin.read_bytes(), path.name


def test_a_small_catalogue_builds(tmp_path: Path) -> None:
    synthetic.make_catalogue(tmp_path / "small", 8)
    result = TmpProject(tmp_path / "small").run("build")
    assert result.exit_code == 0, result.output
    assert "8 built, 0 up to date, 0 failed" in result.stdout
    assert ": warning: " not in result.output
