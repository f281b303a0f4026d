"""The download site in a real browser: Debian's Chromium, driven by Playwright.

``careleaf serve`` runs as a subprocess on a throwaway project with one leaflet,
and one Chromium for the whole session (the system's, never a downloaded one)
opens its pages. They must load without console errors, every link and picture
must answer with the right content type, axe-core must find no accessibility
violation, and an edit must reload the open page. Screenshots land in the
repository's ``build/screenshots/`` for people to look at.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from serving import Served, fetch, serving

from careleaf.project import SITE_FOLDERS
from careleaf.site.server import EVENTS
from conftest import MINIMAL, REPO

SCREENSHOTS = REPO / "build" / "screenshots"
#: The content type each kind of link must be served with ("" is a folder: its index.html).
EXPECTED_TYPES = {"": "text/html", ".html": "text/html", ".css": "text/css",
                  ".epub": "application/epub+zip", ".pdf": "application/pdf",
                  ".png": "image/png", ".jpg": "image/jpeg", ".svg": "image/svg+xml",
                  ".xml": "application/atom+xml", ".js": "text/javascript"}
#: Files whose name, not suffix, says what they are.
EXPECTED_BY_NAME = {"opensearch.xml": "application/opensearchdescription+xml"}
#: A rebuild renders a PDF, an EPUB and the site: seconds, but CI machines can be slow.
RELOAD_TIMEOUT = 60.0
LINKS_SCRIPT = """() => [...document.querySelectorAll('[href], [src], [srcset]')].flatMap(e => [
    e.getAttribute('href'), e.getAttribute('src'),
    ...(e.getAttribute('srcset') || '').split(',').map(s => s.trim().split(/\\s+/)[0]),
  ].filter(Boolean).map(value => new URL(value, document.baseURI).href))"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("serve")) as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def leaflet_url(served: Served) -> str:
    return f"{served.url}en/minimal/index.html"


def record_errors(page: Page) -> list[str]:
    """Console errors, uncaught exceptions and failed requests of ``page``, as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text} ({m.location['url']})")
            if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    # Leaving a page aborts its reload event stream, and any image still loading
    # (net::ERR_ABORTED): no error. That every link and image answers is checked apart,
    # by assert_links_answer.
    page.on("requestfailed", lambda r: None if EVENTS in r.url or r.failure == "net::ERR_ABORTED"
            else errors.append(f"request failed: {r.url} {r.failure}"))
    return errors


def linked_urls(page: Page, origin: str) -> set[str]:
    """Every ``href``, ``src`` and ``srcset`` URL of the page on the site, without fragments."""
    urls: list[str] = page.evaluate(LINKS_SCRIPT)
    return {urldefrag(url).url for url in urls if url.startswith(origin)}


def assert_links_answer(page: Page, origin: str) -> set[str]:
    urls = linked_urls(page, origin)
    wrong = []
    for url in sorted(urls):
        suffix = PurePosixPath(urlsplit(url).path).suffix if not url.endswith("/") else ""
        response = page.request.get(url)
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        expected = EXPECTED_BY_NAME.get(PurePosixPath(urlsplit(url).path).name) or \
            EXPECTED_TYPES.get(suffix.lower(), f"(no expectation for '{suffix}')")
        if response.status != 200 or kind != expected:
            wrong.append(f"{url}: {response.status} {kind!r}, expected 200 {expected!r}")
    assert not wrong, f"links of {page.url} that do not answer right:\n" + "\n".join(wrong)
    return urls


def assert_accessible(page: Page) -> None:
    violations: list[dict[str, Any]] = Axe().run(page).response["violations"]
    lines = [f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>\n" + "\n".join(
        f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}"
        for node in v["nodes"]) for v in violations]
    assert not violations, f"axe-core found {len(violations)} violation(s) on {page.url}:\n" \
        + "\n".join(lines)


def eventually(page: Page, script: str, timeout: float = RELOAD_TIMEOUT) -> None:
    """Wait until ``script`` is true in the page, across the page's own reloads."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if page.evaluate(script):
                return
        except PlaywrightError:
            pass  # the page is reloading right now
        time.sleep(0.2)
    raise AssertionError(f"{script} never became true on {page.url} in {timeout} s")


def test_index_and_leaflet_pages_load_cleanly(served: Served, page: Page) -> None:
    errors = record_errors(page)
    page.goto(served.url)
    languages = {url for url in assert_links_answer(page, served.url)
                 if re.fullmatch(r"/[^/]+/(index\.html)?", urlsplit(url).path)}
    assert languages == {f"{served.url}en/index.html"}
    page.goto(f"{served.url}en/index.html")
    leaflets = {url for url in assert_links_answer(page, served.url)
                if re.fullmatch(r"/[^/]+/[^/]+/(index\.html)?", urlsplit(url).path)
                and PurePosixPath(urlsplit(url).path).parts[2] not in SITE_FOLDERS}
    assert {url.removesuffix("index.html") for url in leaflets} == {
        leaflet_url(served).removesuffix("index.html")}
    for url in sorted(leaflets):
        page.goto(url)
        downloads = {PurePosixPath(link).suffix for link in assert_links_answer(page, served.url)}
        assert {".epub", ".pdf"} <= downloads, url
    assert not errors


def test_index_and_leaflet_page_pass_axe(served: Served, page: Page) -> None:
    for index in ("", "en/index.html"):
        page.goto(f"{served.url}{index}")
        assert_accessible(page)
    page.goto(leaflet_url(served))
    assert_accessible(page)


def test_screenshots_for_people_to_look_at(served: Served, browser: Browser, page: Page) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(served.url)
    page.screenshot(path=SCREENSHOTS / "index.png", full_page=True)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                device_scale_factor=2)
    try:
        leaflet = phone.new_page()
        leaflet.goto(leaflet_url(served))
        leaflet.screenshot(path=SCREENSHOTS / "leaflet-phone.png", full_page=True)
        # Nothing may need sideways scrolling on a phone.
        assert leaflet.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        phone.close()
    for name in ("index.png", "leaflet-phone.png"):
        assert (SCREENSHOTS / name).read_bytes().startswith(b"\x89PNG")


def test_reload_script_is_served_but_never_written(served: Served) -> None:
    status, headers, body = fetch(served.url)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b"/__careleaf__/events" in body
    pages = sorted((served.root / "build" / "preview").rglob("*.html"))
    assert pages
    for path in pages:  # the search page's script and JSON-LD are the site's own
        assert b"__careleaf__" not in path.read_bytes(), path


def test_open_page_reloads_after_edits(served: Served, page: Page) -> None:
    page.goto(leaflet_url(served))
    page.evaluate("window.careleafMarker = true")  # gone once the page reloads
    start = len(served.stdout)
    served.write("source/en/minimal.md", MINIMAL.replace("title: Leg cramps",
                                                         "title: Night cramps"))
    expect(page.locator("body")).to_contain_text("Night cramps", timeout=RELOAD_TIMEOUT * 1000)
    # serve reloads the page after each step (the page, its PDF, the rest): wait for the
    # last, so the marker set next belongs to a page no reload of this save replaces.
    eventually(page, "window.careleafMarker === undefined")
    served.wait_for_output_after(start, r"^Waiting for changes\.$", RELOAD_TIMEOUT)
    version = re.findall(r"since=([\w-]+)", fetch(leaflet_url(served))[2].decode())[0]
    eventually(page, f"document.documentElement.outerHTML.includes('since={version}')")

    page.evaluate("window.careleafMarker = true")
    css = served.root / "layouts" / "site" / "site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nhtml { --careleaf-test: 1; }\n",
                   encoding="utf-8")
    eventually(page, "getComputedStyle(document.documentElement)"
                     ".getPropertyValue('--careleaf-test').trim() === '1'")
    assert page.evaluate("window.careleafMarker === undefined")


def test_source_error_is_printed_and_last_good_site_stays(served: Served, page: Page) -> None:
    page.goto(leaflet_url(served))
    good = page.locator("h1").inner_text()
    source = served.root / "source" / "en" / "minimal.md"
    good_source = source.read_text(encoding="utf-8")
    source.write_text(re.sub(r"^version: .*$", "version: [2.1", good_source, count=1,
                             flags=re.M), encoding="utf-8")
    served.wait_for_output(r"^source/en/minimal\.md:\d+: error: ", RELOAD_TIMEOUT)
    status, _, body = fetch(leaflet_url(served))
    assert status == 200 and good.encode() in body
    # The open page shows the error by itself, over the last good page.
    banner = page.locator("#careleaf-problems")
    expect(banner).to_contain_text("source/en/minimal.md:", timeout=RELOAD_TIMEOUT * 1000)
    expect(banner).to_contain_text("error: front matter is not valid YAML")
    expect(page.locator("h1")).to_have_text(good)
    page.reload()
    expect(page.locator("h1")).to_have_text(good)
    expect(banner).to_be_visible()
    source.write_text(good_source, encoding="utf-8")  # fixed: the banner goes by itself
    expect(banner).to_have_count(0, timeout=RELOAD_TIMEOUT * 1000)
