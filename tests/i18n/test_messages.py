"""Message catalogues: the layouts' interface words and dates in the leaflet's language.

A Spanish leaflet is built for real (WeasyPrint, ebooklib) and read back with pypdf
and lxml; a language without a catalogue, or a catalogue that lacks messages, fails
its leaflet with one error naming the missing messages; the committed template
(``careleaf.pot``) must hold exactly what the templates and code ask for, and no
template may print a word that is not a message.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import jinja2
import pytest
from babel.messages.pofile import read_po
from lxml import etree, html
from pypdf import PdfReader

from careleaf.errors import CareleafError
from careleaf.i18n.catalogue import extract, signature
from careleaf.i18n.messages import babel_locale, english, messages_for
from careleaf.project import Project
from careleaf.render.html import css_content
from conftest import APPROVAL, FIXTURES, REPO, TmpProject

SPANISH = (FIXTURES / "spanish/source/es/calambres.md").read_text(encoding="utf-8")
MESSAGES = REPO / "layouts" / "messages"
XHTML = {"x": "http://www.w3.org/1999/xhtml"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
OPF = {"opf": "http://www.idpf.org/2007/opf"}
DC = {"dc": "http://purl.org/dc/elements/1.1/"}
#: The draft mark, as the Spanish catalogue words it (the fixture is a draft).
BORRADOR = "BORRADOR \u2013 no es para pacientes"


@pytest.fixture
def spanish(project: TmpProject, monkeypatch: pytest.MonkeyPatch) -> TmpProject:
    """A project holding the Spanish leaflet ``es/calambres``; paths print relative."""
    project.write("source/es/calambres.md", SPANISH)
    monkeypatch.chdir(project.root)
    return project


def template_ids() -> list[str]:
    with (MESSAGES / "careleaf.pot").open("rb") as handle:
        return [str(m.id) for m in read_po(handle) if m.id]


# --- a Spanish leaflet ----------------------------------------------------------------------

def test_spanish_pdf_has_spanish_interface_words_and_dates(spanish: TmpProject) -> None:
    result = spanish.run("build", "--no-proofs", "--layout", "a4")
    assert result.exit_code == 0, result.output
    text = PdfReader(spanish.output("es", "calambres", "calambres-a4.pdf")).pages[0]
    words = " ".join(text.extract_text().split())
    for spanish_words in ("Página 1 de 1", "Versión 2.1", "Revisado el 1 de marzo de 2026",
                          "Próxima revisión: 20 de noviembre de 2036",
                          "Escanee para obtener el libro electrónico", "Teléfono 01632",
                          "Cuando necesite ayuda urgente:", "Escrito por Autora de prueba.",
                          "Basado en: Fuente de prueba.", "No sustituye los consejos"):
        assert spanish_words in words, spanish_words
    assert "INFORMACIÓN PARA PACIENTES" in words.upper()
    for english_words in ("Page 1", "Reviewed", "Next review", "March", "November",
                          "Scan for", "Phone", "Patient information", "Written by"):
        assert english_words not in words, english_words


def test_spanish_epub_has_spanish_navigation_landmarks_and_cover(spanish: TmpProject) -> None:
    """A draft: its cover and title carry the draft mark in Spanish too."""
    assert spanish.run("build", "--no-proofs").exit_code == 0
    with zipfile.ZipFile(spanish.output("es", "calambres", "calambres.epub")) as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
        cover = etree.fromstring(book.read("EPUB/cover.xhtml"))
        chapter = etree.fromstring(book.read("EPUB/leaflet.xhtml"))
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    navs = {n.get(EPUB_TYPE): n for n in nav.iterfind(".//x:nav", XHTML)}
    assert nav.findtext(".//x:title", namespaces=XHTML) == "Índice"
    assert navs["toc"].findtext("x:h2", namespaces=XHTML) == "Índice"
    assert navs["landmarks"].findtext("x:h2", namespaces=XHTML) == "Guía"
    assert [a.text for a in navs["landmarks"].iterfind(".//x:a", XHTML)] == [
        "Portada", "Calambres en las piernas", "Índice"]
    assert navs["page-list"].findtext("x:h2", namespaces=XHTML) == "Páginas"
    assert cover.findtext(".//x:title", namespaces=XHTML) == "Portada"
    img = cover.find(".//x:img", XHTML)
    assert img is not None and img.get("alt") == (
        "Portada: Calambres en las piernas. Información para pacientes de Riverside "
        f"Community Clinic. {BORRADOR}.")
    assert opf.findtext(".//dc:title", namespaces=DC) == (
        f"[{BORRADOR}] Calambres en las piernas")
    section = chapter.find(".//x:section[@class='about']", XHTML)
    assert section is not None
    about = " ".join("".join(str(text) for text in section.itertext()).split())
    assert about.startswith("Sobre este folleto Escrito por Autora de prueba.")
    assert ("Versión 2.1, revisada el 1 de marzo de 2026; próxima revisión prevista el 20 de "
            "noviembre de 2036.") in about
    summary = opf.findtext(".//opf:meta[@property='schema:accessibilitySummary']",
                           namespaces=OPF)
    assert summary is not None and summary.startswith("Un folleto breve de texto")


def test_spanish_leaflet_page_of_the_site_is_in_spanish(spanish: TmpProject) -> None:
    """Approved, so that ``careleaf publish`` puts it on the site."""
    spanish.write("source/es/calambres.md", SPANISH.replace(
        "next_review: 2036-11-20\n", f"next_review: 2036-11-20\n{APPROVAL}"))
    for command in (("build", "--no-proofs"), ("check", "--today", "2026-12-06"),
                    ("publish", "--today", "2026-12-06")):
        result = spanish.run(*command)
        assert result.exit_code == 0, result.output
    root = html.parse(str(spanish.root / "build/site/es/calambres/index.html")).getroot()
    assert root.get("lang") == "es"
    assert root.findtext(".//h2[@id='downloads-heading']") == "Descargas"
    assert root.findtext(".//a[@class='skip-link']") == "Ir al folleto"
    dates = root.find(".//p[@class='dates']")
    assert dates is not None and " ".join(dates.text_content().split()) == (
        "Revisado el 1 de marzo de 2026 · próxima revisión prevista el 20 de noviembre de "
        "2036 · versión 2.1")
    links = [" ".join(a.text_content().split())
             for a in root.iterfind(".//ul[@class='downloads']//a")]
    assert [link.rsplit(",", 1)[0] for link in links] == [
        "Libro electrónico (EPUB)", "Imprimir en casa (A4)"]
    assert not root.xpath("//*[@lang='en']")  # nothing of the page is left in English


# --- missing translations -------------------------------------------------------------------

def test_language_without_catalogue_fails_saying_how_to_make_it(spanish: TmpProject) -> None:
    """... and is not published: approved, so the catalogue is why."""
    spanish.write("source/fr/crampes.md", SPANISH.replace(
        "next_review: 2036-11-20\n", f"next_review: 2036-11-20\n{APPROVAL}"))
    shutil.copy(MESSAGES / "es.po", spanish.root / "layouts/messages/fr.po")
    assert spanish.run("build", "--no-proofs").exit_code == 0
    outputs = [spanish.output("fr", "crampes", name)
               for name in ("crampes-a4.pdf", "crampes.epub")]
    before = [path.read_bytes() for path in outputs]
    (spanish.root / "layouts/messages/fr.po").unlink()
    result = spanish.run("build", "--no-proofs", "--force")
    ids = template_ids()
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"layouts/messages/fr.po: error: there is no French catalogue, so none of the "
        f"{len(ids)} interface words of the layouts has a translation: run 'careleaf "
        "messages init fr' to make it, and translate every message"]
    assert "2 built, 0 up to date, 2 failed" in result.stdout  # Spanish still built
    assert [path.read_bytes() for path in outputs] == before
    # The check has its own say (its outputs were made while fr.po was there); whatever
    # it passed, the publish gate refuses a language without its catalogue.
    assert not isinstance(spanish.run("check", "--today", "2026-12-06").exception, Exception)
    result = spanish.run("publish", "--today", "2026-12-06")
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if "fr/crampes" in line] == [
        "source/fr/crampes.md: error: the catalogue of its language "
        "(layouts/messages/fr.po) is missing or incomplete: run 'careleaf messages' to see "
        "what it lacks; not published"]
    assert not (spanish.root / "build/site/fr").exists()


@pytest.mark.parametrize("how", ["removed", "empty", "fuzzy"])
def test_catalogue_missing_two_messages_names_exactly_those(spanish: TmpProject,
                                                            how: str) -> None:
    catalogue = spanish.root / "layouts/messages/es.po"
    text = catalogue.read_text(encoding="utf-8")
    for msgid, msgstr in (("Page {page} of {pages}", "Página {page} de {pages}"),
                          ("Next review {date}", "Próxima revisión: {date}")):
        entry = f'msgid "{msgid}"\nmsgstr "{msgstr}"\n'
        assert entry in text
        text = text.replace(entry, {"removed": "", "empty": f'msgid "{msgid}"\nmsgstr ""\n',
                                    "fuzzy": f"#, fuzzy\n{entry}"}[how])
    catalogue.write_text(text, encoding="utf-8")
    result = spanish.run("build", "--no-proofs")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        'layouts/messages/es.po: error: 2 messages have no Spanish translation: '
        '"Next review {date}", "Page {page} of {pages}"; add them (template: '
        'layouts/messages/careleaf.pot)']
    assert not spanish.output("es", "calambres", "calambres-a4.pdf").exists()


def test_translation_that_drops_a_placeholder_is_an_error_at_its_line(
        spanish: TmpProject) -> None:
    catalogue = spanish.root / "layouts/messages/es.po"
    lines = catalogue.read_text(encoding="utf-8").splitlines(keepends=True)
    line = lines.index('msgid "Page {page} of {pages}"\n') + 1
    lines[line] = 'msgstr "Página {pagina}"\n'
    catalogue.write_text("".join(lines), encoding="utf-8")
    result = spanish.run("build", "--no-proofs")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f'layouts/messages/es.po:{line}: error: the translation of "Page {{page}} of '
        '{pages}" must use {page} and {pages}, like the original']


def test_changed_catalogue_rebuilds_only_its_language(spanish: TmpProject) -> None:
    spanish.write("source/en/minimal.md", (FIXTURES / "minimal/source/en/minimal.md")
                  .read_text(encoding="utf-8"))
    assert spanish.run("build", "--no-proofs").exit_code == 0
    catalogue = spanish.root / "layouts/messages/es.po"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(
        'msgstr "Página {page} de {pages}"', 'msgstr "Pág. {page} de {pages}"'), encoding="utf-8")
    result = spanish.run("build", "--no-proofs")
    assert result.exit_code == 0, result.output
    assert "2 built, 2 up to date, 0 failed" in result.stdout
    text = PdfReader(spanish.output("es", "calambres", "calambres-a4.pdf")).pages[0]
    assert "Pág. 1 de 1" in text.extract_text()


# --- the template and the catalogues --------------------------------------------------------

def test_committed_template_is_up_to_date_with_templates_and_code() -> None:
    with (MESSAGES / "careleaf.pot").open("rb") as handle:
        committed = read_po(handle)
    assert signature(committed) == signature(extract(Project(REPO))), (
        "layouts/messages/careleaf.pot is out of date: run 'make messages'")


def test_new_template_word_makes_the_template_stale_and_the_catalogues_short(
        spanish: TmpProject) -> None:
    template = spanish.root / "layouts/print/leaflet.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "{% block masthead %}", '{% block masthead %}\n<p>{{ _("Keep this leaflet") }}</p>'),
        encoding="utf-8")
    stale = spanish.run("messages", "--check")
    assert (stale.exit_code, stale.stderr.splitlines()[0]) == (1, (
        "layouts/messages/careleaf.pot: error: out of date with the templates and code: run "
        "'careleaf messages' (make messages) to update it"))
    updated = spanish.run("messages")
    assert updated.exit_code == 1  # written, but now no catalogue is complete
    assert 'msgid "Keep this leaflet"' in (spanish.root / "layouts/messages/careleaf.pot"
                                            ).read_text(encoding="utf-8")
    assert ('layouts/messages/es.po: error: 1 message has no Spanish translation: "Keep this '
            'leaflet"; add them (template: layouts/messages/careleaf.pot)'
            ) in updated.stderr.splitlines()
    assert spanish.run("messages", "--check").exit_code == 1  # es, ar, zh-Hans lack it
    assert spanish.run("build", "--no-proofs").exit_code == 1


@pytest.mark.parametrize("lang", ["es", "ar", "zh-Hans"])
def test_shipped_catalogue_is_complete(lang: str) -> None:
    messages = messages_for(REPO / "layouts", lang)
    assert set(template_ids()) <= set(messages.translations)
    assert messages.gettext("Page {page} of {pages}", page=2, pages=4) != "Page 2 of 4"


def test_regional_variant_uses_its_languages_catalogue() -> None:
    latin_american = messages_for(REPO / "layouts", "es-419")
    assert (latin_american.lang, latin_american.gettext("Contents")) == ("es-419", "Índice")
    assert messages_for(REPO / "layouts", "es").lang == "es"


def test_unknown_language_has_no_catalogue() -> None:
    with pytest.raises(CareleafError, match=r"fr.po: error: there is no French catalogue"):
        messages_for(REPO / "layouts", "fr")


#: What each ``{{ … }}`` of a template becomes when looking for words outside messages.
PLACEHOLDER = "\ufffc"


def template_markup(path: Path) -> str:
    """The template's own markup: each expression a placeholder, each tag and comment gone."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    tokens = env.lex(path.read_text(encoding="utf-8"))
    return "".join(value if kind == "data" else PLACEHOLDER
                   for _line, kind, value in tokens if kind in ("data", "variable_begin"))


def shown_text(markup: str) -> list[str]:
    """What a reader sees or hears of ``markup``: text, and text alternatives and labels."""
    root: html.HtmlElement = html.fromstring(f"<div>{markup}</div>")
    for hidden in root.xpath("//style"):
        hidden.drop_tree()
    labels = root.xpath("//@alt | //@title | //@aria-label | //meta[@name='description']/@content")
    assert isinstance(labels, list)
    return [root.text_content(), *(str(label) for label in labels)]


@pytest.mark.parametrize("path", sorted(p for p in (REPO / "layouts").rglob("*")
                                        if p.suffix in (".html", ".xml")),
                         ids=lambda p: p.relative_to(REPO / "layouts").as_posix())
def test_templates_print_no_word_that_is_not_a_message(path: Path) -> None:
    words = [word for text in shown_text(template_markup(path))
             for word in re.findall(r"[^\W\d_]{2,}", text.replace(PLACEHOLDER, " "))]
    assert words == [], f"{path}: wrap these in _(\"…\") and run 'make messages'"


# --- dates, sizes, CSS ----------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "20 November 2026"), ("en-US", "November 20, 2026"),
    ("es", "20 de noviembre de 2026"), ("ar", "20 نوفمبر 2026"), ("zh-Hans", "2026年11月20日")])
def test_dates_are_written_the_locales_long_way(lang: str, expected: str) -> None:
    assert babel_locale(lang) is not None
    messages = english(lang) if lang.startswith("en") else messages_for(REPO / "layouts", lang)
    assert messages.format_date(date(2026, 11, 20)) == expected


def test_file_sizes_in_spanish() -> None:
    spanish = messages_for(REPO / "layouts", "es")
    assert [spanish.file_size(n) for n in (1, 812, 48_400, 1_234_567)] == [
        "1 byte", "812 bytes", "48 KB", "1,2 MB"]


def test_css_content_quotes_words_and_keeps_counters() -> None:
    assert css_content('Página {page} de {pages}', page="counter(page)",
                       pages="counter(pages)") == (
        '"Página " counter(page) " de " counter(pages)')
    assert css_content('第 {page} 页"</style>', page="counter(page)") == (
        '"第 " counter(page) " 页\\22 \\3c /style\\3e "')
