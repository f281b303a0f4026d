"""Browsing the site in Chromium: the ways into the leaflets work with JavaScript off,
and the pages pass axe-core at a phone's and a desktop's width.

The site is ``test_browse``'s (``browse_site``: English, Spanish and Arabic leaflets
with keywords), opened from its folder as a clinic's USB stick or a disk would be. With
JavaScript off, a reader clicks from a language's page through the A to Z, or through
the topics, to a leaflet; the search box still sends its words to the search page.
axe-core checks a language's page, its A to Z, a topic's page and a leaflet's page, in
English and in Arabic (right to left), at 390 and 1280 px; nothing may need sideways
scrolling. Screenshots land in the repository's ``build/screenshots/`` (``browse-*``)
for people to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from test_browse import browse_site, site

from conftest import REPO, TmpProject

SCREENSHOTS = REPO / "build" / "screenshots"
WIDTHS = (390, 1280)
#: The pages axe-core checks, and the name of each one's screenshot.
PAGES = {
    "en/index.html": "en-index", "en/a-z/index.html": "en-a-z",
    "en/topics/index.html": "en-topics", "en/topics/foot-pain/index.html": "en-topic",
    "en/heel-pain/index.html": "en-leaflet", "ar/index.html": "ar-index",
    "ar/a-z/index.html": "ar-a-z", "ar/topics/ألم-القدم/index.html": "ar-topic",
    "ar/heel-pain/index.html": "ar-leaflet",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> TmpProject:
    return browse_site(tmp_path_factory)


@pytest.fixture
def no_script(browser: Browser) -> Iterator[Page]:
    """A phone-sized tab with JavaScript turned off."""
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def open_page(tab: Page, built: TmpProject, name: str) -> None:
    tab.goto((site(built) / name).as_uri())


def test_the_a_to_z_reaches_a_leaflet_with_javascript_off(built: TmpProject,
                                                          no_script: Page) -> None:
    open_page(no_script, built, "en/index.html")
    no_script.get_by_role("navigation", name="Site").get_by_role("link", name="A to Z").click()
    expect(no_script.locator("h1")).to_have_text("Leaflets A to Z")
    no_script.locator(".letters-nav").get_by_role("link", name="H", exact=True).click()
    assert no_script.url.endswith("/en/a-z/index.html#letter-H")
    no_script.locator("#main").get_by_role("link", name="Heel pain", exact=True).click()
    expect(no_script.locator("h1")).to_have_text("Heel pain")
    assert no_script.url.endswith("/en/heel-pain/index.html")
    # In Arabic, from a letter on the language's page (الربو is filed under ر).
    open_page(no_script, built, "ar/index.html")
    no_script.locator("ul.letters").get_by_role("link", name="ر", exact=True).click()
    no_script.locator("#main").get_by_role("link", name="الربو", exact=True).click()
    expect(no_script.locator("h1")).to_have_text("الربو")


def test_the_topics_reach_a_leaflet_with_javascript_off(built: TmpProject,
                                                        no_script: Page) -> None:
    open_page(no_script, built, "en/heel-pain/index.html")
    no_script.get_by_role("navigation", name="Site").get_by_role("link", name="Topics").click()
    no_script.locator(".topic-list").get_by_role("link", name="Foot pain").click()
    expect(no_script.locator("h1")).to_have_text("Foot pain")
    no_script.get_by_role("heading", name="Ankle sprain").get_by_role("link").click()
    expect(no_script.locator("h1")).to_have_text("Ankle sprain")
    # An Arabic topic's folder, percent-encoded in the link, opens from a disk too; and a
    # leaflet's page leads to its topics ("More about").
    open_page(no_script, built, "ar/heel-pain/index.html")
    no_script.locator(".more-about").get_by_role("link").first.click()
    expect(no_script.locator("h1")).to_have_text("ألم القدم")
    no_script.get_by_role("heading", name="تشنجات الساق").get_by_role("link").click()
    expect(no_script.locator("h1")).to_have_text("تشنجات الساق")


def test_the_search_box_sends_its_words_without_javascript(built: TmpProject,
                                                           no_script: Page) -> None:
    open_page(no_script, built, "en/a-z/index.html")
    box = no_script.get_by_role("searchbox", name="Search the leaflets")
    box.fill("heel pain")
    box.press("Enter")
    no_script.wait_for_url("**/en/search/index.html?q=heel+pain")


def violations(tab: Page) -> list[str]:
    found: list[dict[str, Any]] = Axe().run(tab).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(
        ", ".join(map(str, node["target"])) for node in v["nodes"]) for v in found]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pages_pass_axe_and_fit_the_screen(built: TmpProject, browser: Browser,
                                               width: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        tab = context.new_page()
        found = {}
        for name, shot in PAGES.items():
            open_page(tab, built, name)
            found[name] = violations(tab)
            # Nothing needs sideways scrolling, in either direction.
            assert tab.evaluate("document.documentElement.scrollWidth") <= width, name
            path = SCREENSHOTS / f"browse-{shot}-{width}.png"
            tab.screenshot(path=path, full_page=True)
            assert path.read_bytes().startswith(b"\x89PNG")
        assert found == {name: [] for name in PAGES}
    finally:
        context.close()
