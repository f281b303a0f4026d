"""careleaf's own outputs imported back with the real CLI keep the source's ids: the
ebook's content document (an XHTML page), as a web page would be saved."""

from __future__ import annotations

import re
import zipfile

from conftest import REPO, TmpProject

IDS = re.compile(r"(?m)^#{2,3} .*\{#([a-z0-9-]+)\}$")


def test_the_ebook_page_imported_back_has_the_sources_ids(project: TmpProject) -> None:
    source = REPO / "source" / "en" / "chronic-muscle-spasms.md"
    project.write("source/en/chronic-muscle-spasms.md", source.read_text(encoding="utf-8"))
    assert project.run("build", "--layout", "epub").exit_code == 0
    epub = project.output("en", "chronic-muscle-spasms", "chronic-muscle-spasms.epub")
    page = project.root / "leaflet.xhtml"
    with zipfile.ZipFile(epub) as book:
        page.write_bytes(book.read("EPUB/leaflet.xhtml"))
    result = project.run("import", str(page), "--id", "back")
    assert result.exit_code == 0, result.output
    back = (project.root / "source" / "en" / "back.md").read_text(encoding="utf-8")
    assert IDS.findall(back) == IDS.findall(source.read_text(encoding="utf-8"))
    assert len(IDS.findall(back)) == 16
    assert "status: draft" in back
    # The summary, set as its own line under the title, is said once: in the front matter.
    summary = "What can cause muscle spasms that keep coming back"
    assert back.count(summary) == 1 and f'summary: "{summary}' in back


def test_a_web_pages_known_sections_take_careleafs_ids(project: TmpProject) -> None:
    """The page calls its treatment section "#relief": recognised by its words
    ("How to ease a cramp"), it becomes careleaf's treatment section."""
    page = project.root / "article.html"
    page.write_bytes((REPO / "tests/fixtures/import/leg-cramps-article.html").read_bytes())
    result = project.run("import", str(page), "--id", "cramps")
    assert result.exit_code == 0, result.output
    draft = (project.root / "source/en/cramps.md").read_text(encoding="utf-8")
    sections = re.findall(r"(?m)^## .*\{#([a-z0-9-]+)\}$", draft)
    assert sections == ["causes", "treatment", "see-a-doctor"]


SPANISH = """\
¿No encontraste lo que buscabas?

Los calambres en las piernas son contracciones dolorosas y repentinas de un músculo.

Por Ana López
4 minutos de lectura

Causas de los calambres

- Músculos cansados después de hacer ejercicio.
- No beber suficiente agua.

Cómo aliviar un calambre

- Estire el músculo con suavidad hasta que pase el calambre.

Cuándo consultar a un médico

Consulte a un médico si los calambres vuelven cada noche.

Artículos relacionados
"""


def test_spanish_text_has_its_sections_recognised_and_its_debris_dropped(
        project: TmpProject) -> None:
    page = project.write("calambres.txt", SPANISH)
    result = project.run("import", str(page), "--lang", "es", "--id", "calambres")
    assert result.exit_code == 0, result.output
    draft = (project.root / "source/es/calambres.md").read_text(encoding="utf-8")
    sections = re.findall(r"(?m)^## .*\{#([a-z0-9-]+)\}$", draft)
    assert sections == ["causes", "treatment", "see-a-doctor"]
    assert len(re.findall(r"(?m)^### ", draft)) == 3  # one item per list entry
    for debris in ("No encontraste", "Ana López", "minutos de lectura", "relacionados"):
        assert debris not in draft, debris
        assert debris in result.output  # reported as dropped, not lost silently
