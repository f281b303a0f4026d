"""The catalogue check: a title two leaflets of one language share, keywords only one uses.

``careleaf build`` says both from what its manifest keeps of every leaflet (so a build
with nothing to do still says them, and parses nothing); ``careleaf check`` warns of
the title too, from the leaflets it loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from careleaf.check.catalogue import keyword_summary, title_key
from careleaf.pipeline.records import LeafletFacts
from conftest import MINIMAL, TmpProject

KEYWORDS = "keywords:\n  - cramp\n"
MANIFEST = "build/.careleaf-manifest.json"


def leaflet(title: str, *keywords: str) -> str:
    """The minimal leaflet with another title and keywords (one a line, from line 13)."""
    listed = "keywords:\n" + "".join(f"  - {keyword}\n" for keyword in keywords)
    return MINIMAL.replace("title: Leg cramps", f"title: {title}").replace(KEYWORDS, listed)


@pytest.fixture
def catalogue(project: TmpProject) -> TmpProject:
    """Three English leaflets, EPUB only (quick): two share a title in another case and
    spacing; ``night-cramps`` has a typo ("leg pian") and a keyword of its own."""
    project.write("careleaf.toml", 'layouts = ["epub"]\n')
    project.write("source/en/leg-cramps.md", leaflet("Leg cramps", "cramp", "leg pain"))
    project.write("source/en/cramps.md", leaflet("leg  Cramps", "cramp", "leg pain"))
    project.write("source/en/night-cramps.md",
                  leaflet("Night cramps", "cramp", "leg pian", "warmth"))
    return project


def where(project: TmpProject, name: str, line: int) -> str:
    return f"{project.root / 'source/en' / name}:{line}"


def test_a_shared_title_is_one_warning_naming_both_files(catalogue: TmpProject) -> None:
    result = catalogue.run("build")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert warnings == [
        f"{where(catalogue, 'leg-cramps.md', 2)}: warning: title \"Leg cramps\" is also the "
        f"title of {where(catalogue, 'cramps.md', 2)}, as \"leg  Cramps\": 2 leaflets in 'en' "
        "that readers cannot tell apart in lists and search results; give each its own "
        "title, or if one replaces another, remove the old one"]
    assert "1 warning(s)" in result.stdout


def test_the_check_warns_of_the_shared_title_too(catalogue: TmpProject) -> None:
    assert catalogue.run("build").exit_code == 0
    result = catalogue.run("check", "--skip", "readability", "--skip", "plain-language")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "is also the title of" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(f"{where(catalogue, 'leg-cramps.md', 2)}: warning: ")
    assert f"{where(catalogue, 'cramps.md', 2)}" in warnings[0]
    # A check of one source says it only at that source, from the build's record of the other.
    named = catalogue.run("check", str(catalogue.root / "source/en/cramps.md"),
                          "--skip", "readability", "--skip", "plain-language")
    assert f"{where(catalogue, 'cramps.md', 2)}: warning: title \"leg  Cramps\" is also the " \
           f"title of {where(catalogue, 'leg-cramps.md', 2)}" in named.stderr


def test_single_use_keywords_are_listed_by_every_build(catalogue: TmpProject) -> None:
    listed = (f"keywords used by only one leaflet (a typo?): en: \"leg pian\" "
              f"({where(catalogue, 'night-cramps.md', 14)}, like \"leg pain\"), \"warmth\" "
              f"({where(catalogue, 'night-cramps.md', 15)})")
    first = catalogue.run("build")
    assert listed in first.stdout.splitlines(), first.stdout
    again = catalogue.run("build")  # nothing to do: from the manifest
    assert "0 built, 3 up to date" in again.stdout
    assert listed in again.stdout.splitlines()
    assert again.stdout.splitlines()[-1].startswith("0 built")  # the summary stays last


def test_a_build_of_some_sources_speaks_of_them_only(catalogue: TmpProject) -> None:
    assert catalogue.run("build").exit_code == 0
    result = catalogue.run("build", str(catalogue.root / "source/en/night-cramps.md"))
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert '"leg pian"' in result.stdout
    result = catalogue.run("build", str(catalogue.root / "source/en/cramps.md"))
    assert "leg pian" not in result.stdout
    assert f"{where(catalogue, 'cramps.md', 2)}: warning: title" in result.stderr


def test_a_build_with_nothing_to_do_parses_no_source(catalogue: TmpProject) -> None:
    assert catalogue.run("build").exit_code == 0
    code = ("import sys\nfrom careleaf.cli import main\n"
            f"try:\n    main(['build', '-C', {str(catalogue.root)!r}])\n"
            "except SystemExit as exc:\n    print('exit', exc.code)\n"
            "print('markdown_it' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "leg pian" in out and out.splitlines()[-2:] == ["exit 0", "False"]


def test_a_renamed_or_deleted_source_is_gone_from_the_facts(catalogue: TmpProject) -> None:
    assert catalogue.run("build").exit_code == 0
    source = catalogue.root / "source/en/cramps.md"
    source.rename(source.with_name("leg-cramps-2.md"))
    renamed = catalogue.run("build")
    assert where(catalogue, "leg-cramps-2.md", 2) in renamed.stderr
    assert str(source) not in renamed.stderr
    recorded = json.loads((catalogue.root / MANIFEST).read_text(encoding="utf-8"))["leaflets"]
    assert sorted(recorded) == ["source/en/leg-cramps-2.md", "source/en/leg-cramps.md",
                                "source/en/night-cramps.md"]
    (catalogue.root / "source/en/leg-cramps-2.md").unlink()
    deleted = catalogue.run("build")
    assert deleted.exit_code == 0 and "warning" not in deleted.stderr
    # "leg pain" is now night-cramps' typo of a keyword only leg-cramps uses: both listed.
    assert '"leg pain"' in deleted.stdout and '"leg pian"' in deleted.stdout


def test_one_title_in_two_languages_is_no_problem(catalogue: TmpProject) -> None:
    catalogue.write("source/es/leg-cramps.md", MINIMAL.replace("title: Leg cramps",
                                                               "title: Leg Cramps"))
    catalogue.write("source/en/cramps.md", leaflet("Cramp at night", "cramp", "leg pain"))
    result = catalogue.run("build")
    assert "is also the title" not in result.output
    # Spanish has one leaflet: nothing to compare its keywords with, so none listed.
    assert "es:" not in result.stdout


def test_an_older_manifest_is_filled_in_once(catalogue: TmpProject) -> None:
    """A manifest from before the facts were kept: the next build loads each source once
    for them (and builds nothing); the one after reads them from the manifest."""
    assert catalogue.run("build").exit_code == 0
    path = catalogue.root / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["leaflets"]
    path.write_text(json.dumps(data), encoding="utf-8")
    result = catalogue.run("build")
    assert "0 built, 3 up to date" in result.stdout and '"leg pian"' in result.stdout
    assert "is also the title" in result.stderr
    assert len(json.loads(path.read_text(encoding="utf-8"))["leaflets"]) == 3


def test_titles_are_compared_as_readers_tell_them_apart() -> None:
    assert title_key("Heel  pain.") == title_key("heel pain") == title_key("HEEL PAIN")
    assert title_key("Heel pain: what helps") == title_key("Heel pain — what helps")
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "Heel")  # as East Asian text has them
    assert title_key(f"{full_width} pain") == title_key("heel pain")
    assert title_key("Dolor de espalda") != title_key("Dolor de espaldas")
    # Marks belong to their letters: a word is not cut at them.
    assert title_key("Café") == title_key("CAFE\u0301") != title_key("Cafe")
    assert title_key("الربو") != title_key("الربو عند الأطفال")


def test_a_long_list_is_cut_short_per_language() -> None:
    facts = {Path(f"source/en/l{n}.md"): LeafletFacts("en", f"L{n}", 2, ((f"own {n}", 12),
                                                                        ("shared", 13)))
             for n in range(9)}
    facts |= {Path(f"source/es/l{n}.md"): LeafletFacts("es", f"L{n}", 2, (("común", 12),))
              for n in range(2)}
    assert keyword_summary(facts) == [
        'keywords used by only one leaflet (a typo?): en: "own 0" (source/en/l0.md:12), '
        '"own 1" (source/en/l1.md:12), "own 2" (source/en/l2.md:12), "own 3" '
        '(source/en/l3.md:12), "own 4" (source/en/l4.md:12) and 4 more']
    facts[Path("source/es/l1.md")] = LeafletFacts("es", "L1", 2, (("comun x", 12),))
    lines = keyword_summary(facts)
    assert lines[0] == "keywords used by only one leaflet (a typo?):"
    assert lines[1].startswith('  en: "own 0"') and lines[1].endswith("and 4 more")
    assert lines[2:] == ['  es: "común" (source/es/l0.md:12), "comun x" (source/es/l1.md:12)']
    assert keyword_summary({}) == []
