"""The search page in a real browser: Debian's Chromium, driven by Playwright.

``careleaf serve`` runs on a throwaway project of four leaflets (three English, one
Spanish); "chamomile" is in the body of one of them only. A reader types it into the
English search page, and that leaflet must come first; the page must pass axe-core
at a phone's width and a desktop's with its results shown. Opened from disk
(``file://``), where browsers do not let Pagefind load its index, and without
JavaScript, the page must say so and offer the A-Z and the topics. Screenshots land
in ``build/screenshots/search-*.png`` for people to look at.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, ViewportSize, expect
from serving import Served, fetch, serving_project

from conftest import MINIMAL, REPO

SCREENSHOTS = REPO / "build" / "screenshots"
WORD = "chamomile"
#: The leaflets by source path; only ``en/sleep`` has ``WORD``, in its body.
LEAFLETS = {
    "en/minimal": MINIMAL,
    "en/aches": MINIMAL.replace("title: Leg cramps", "title: Aching joints")
                       .replace("  - cramp\n", "  - joints\n"),
    "en/sleep": MINIMAL.replace("title: Leg cramps", "title: Sleeping well")
                       .replace("  - cramp\n", "  - sleep\n  - cramp\n")
                       .replace("A warm bath can help the muscle relax.",
                                f"A cup of {WORD} tea can help you relax."),
    "es/calambres": MINIMAL.replace("title: Leg cramps", "title: Calambres en las piernas"),
    # Chinese is not written with spaces between words: Pagefind's extended build splits it.
    "zh-Hans/tuichoujin": MINIMAL.replace("title: Leg cramps", "title: 腿抽筋")
                                 .replace("What brings on leg cramps", "引起腿抽筋的原因")
                                 .replace("Leg cramps are sudden, painful tightening of a "
                                          "muscle.", "腿抽筋是指腿部肌肉突然疼痛地收缩。"),
}
#: How long a search may take to show its results (the first loads Pagefind).
SEARCH_TIMEOUT = 15_000
#: The status once a search has answered (not "Searching…"), in any language.
ANSWERED = "#search-status[data-state=answered]"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("search-serve")
    shutil.copytree(REPO / "layouts", root / "layouts")
    (root / "careleaf.toml").write_text('layouts = ["a4", "epub"]\n', encoding="utf-8")
    for key, text in LEAFLETS.items():
        (root / "source" / key).parent.mkdir(parents=True, exist_ok=True)
        (root / "source" / f"{key}.md").write_text(text, encoding="utf-8")
    with serving_project(root) as running:
        wait_for_search_page(running)
        yield running


def wait_for_search_page(served: Served) -> None:
    deadline = time.monotonic() + 30
    while fetch(f"{served.url}en/search/index.html")[0] != 200:
        assert time.monotonic() < deadline, served.transcript()
        time.sleep(0.1)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def record_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error"
            else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def search(page: Page, words: str) -> None:
    """Type ``words`` into the page's search form and press Enter, as a reader does."""
    page.get_by_label("Words to search for").fill(words)
    page.get_by_label("Words to search for").press("Enter")


def results(page: Page) -> list[str]:
    """The title of each result, in order, once the search has answered."""
    expect(page.locator(ANSWERED)).to_be_visible(timeout=SEARCH_TIMEOUT)
    return [title.inner_text() for title in page.locator("#search-results h2").all()]


def test_a_word_in_one_leaflets_body_finds_it_first(served: Served, page: Page) -> None:
    errors = record_errors(page)
    page.goto(f"{served.url}en/search/index.html")
    search(page, WORD)
    assert results(page)[0] == "Sleeping well"
    expect(page.locator("#search-status")).to_have_text(f"Leaflets found for “\u2068{WORD}"
                                                         "\u2069”: \u20681\u2069")
    # The address names the search, so it can be shared and Back returns to it.
    assert page.url.endswith(f"en/search/index.html?q={WORD}")
    first = page.locator("#search-results h2 a").first
    assert first.get_attribute("href") == "../../en/sleep/index.html"  # relative
    excerpt = page.locator("#search-results .excerpt").first
    expect(excerpt.locator("mark")).to_have_text(WORD)
    first.click()
    expect(page.locator("h1")).to_have_text("Sleeping well")
    assert not errors


def test_the_search_page_runs_the_search_in_its_address(served: Served, page: Page) -> None:
    # As the site header's search form sends it (GET, q=).
    page.goto(f"{served.url}en/search/index.html?q=warm+bath")
    assert sorted(results(page)) == ["Aching joints", "Leg cramps"]  # equally good
    assert page.get_by_label("Words to search for").input_value() == "warm bath"
    for link in page.locator("#search-results a, #search-results img").all():
        address = link.get_attribute("href") or link.get_attribute("src") or ""
        assert fetch(urljoin(page.url, address))[0] == 200, address


def test_nothing_found_is_said_and_the_language_is_the_pages(served: Served,
                                                              page: Page) -> None:
    page.goto(f"{served.url}en/search/index.html")
    search(page, "zebra")
    assert results(page) == []
    expect(page.locator("#search-status")).to_contain_text("No leaflet found for")
    # Each language searches its own leaflets: the Spanish page never finds an English one.
    page.goto(f"{served.url}es/search/index.html?q={WORD}")
    assert results(page) == []
    page.goto(f"{served.url}es/search/index.html?q=calambres")
    assert results(page) == ["Calambres en las piernas"]


def test_a_word_inside_a_chinese_sentence_is_found(served: Served, page: Page) -> None:
    page.goto(f"{served.url}zh-Hans/search/index.html?q=肌肉")  # "muscle"
    assert results(page) == ["腿抽筋"]
    expect(page.locator("#search-results .excerpt mark").first).to_have_text("肌肉")


def test_a_topic_limits_the_search(served: Served, page: Page) -> None:
    page.goto(f"{served.url}en/search/index.html?q=warm")
    assert sorted(results(page)) == ["Aching joints", "Leg cramps", "Sleeping well"]
    page.get_by_label("Only in this topic").select_option("sleep")
    expect(page.locator("#search-results h2")).to_have_count(1, timeout=SEARCH_TIMEOUT)
    assert results(page) == ["Sleeping well"]
    assert "topic=sleep" in page.url
    topics = page.locator("#search-results .result-topics a")
    expect(topics).to_have_text(["Sleep", "Cramp"])  # as the topics pages name them
    assert topics.first.get_attribute("href") == "../../en/topics/sleep/index.html"


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_results_pass_axe_at_a_phones_width_and_a_desktops(
        served: Served, browser: Browser, name: str, viewport: ViewportSize) -> None:
    context = browser.new_context(viewport=viewport, device_scale_factor=2 if
                                  name == "phone" else 1, is_mobile=name == "phone")
    try:
        page = context.new_page()
        page.goto(f"{served.url}en/search/index.html?q=warm")
        assert len(results(page)) == 3
        page.locator("#search-results img").last.scroll_into_view_if_needed()  # lazy
        violations = Axe().run(page).response["violations"]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
        # Nothing may need sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"search-{name}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.read_bytes().startswith(b"\x89PNG")
    finally:
        context.close()


def test_opened_from_disk_the_page_says_search_needs_a_website(served: Served,
                                                                page: Page) -> None:
    preview = served.root / "build" / "preview"
    page.goto((preview / "en/search/index.html").as_uri() + f"?q={WORD}")
    status = page.locator("#search-status")
    expect(status).to_contain_text("not opened from a folder or a USB stick",
                                   timeout=SEARCH_TIMEOUT)
    expect(page.locator(".search-form")).to_be_hidden()
    assert_points_to_the_lists(page, preview)
    assert not Axe().run(page).response["violations"]  # the failure state too
    page.screenshot(path=SCREENSHOTS / "search-file.png", full_page=True)


def test_without_javascript_the_page_points_to_the_lists(served: Served,
                                                         browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{served.url}en/search/index.html?q={WORD}")
        expect(page.locator(".search-form")).to_be_hidden()
        expect(page.locator(".search-note")).to_be_visible()
        expect(page.locator(".search-note")).to_contain_text("Search needs JavaScript")
        assert_points_to_the_lists(page, None)
        page.screenshot(path=SCREENSHOTS / "search-no-javascript.png", full_page=True)
    finally:
        context.close()


def assert_points_to_the_lists(page: Page, folder: Path | None) -> None:
    """The visible links to the A-Z and the topics, which work without search."""
    links = {link.inner_text(): link.get_attribute("href")
             for link in page.locator("main a").all() if link.is_visible()}
    assert links == {"A to Z list": "../../en/a-z/index.html",
                     "list of topics": "../../en/topics/index.html"}
    if folder is not None:
        assert (folder / "en/a-z/index.html").is_file()
        assert (folder / "en/topics/index.html").is_file()


def test_words_typed_while_the_search_loads_are_searched_not_wiped(served: Served,
                                                                    page: Page) -> None:
    held: list[Route] = []  # the search's own script, held back till the reader has typed
    page.route("**/pagefind/pagefind.js", lambda route: held.append(route))
    page.goto(f"{served.url}en/search/index.html", wait_until="domcontentloaded")
    deadline = time.monotonic() + SEARCH_TIMEOUT / 1000
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright take the request
    assert held, "the search page never asked for pagefind/pagefind.js"
    page.get_by_label("Words to search for").fill("zebra")
    held[0].continue_()
    assert results(page) == []
    expect(page.locator("#search-status")).to_contain_text("No leaflet found for")
    expect(page.get_by_label("Words to search for")).to_have_value("zebra")
