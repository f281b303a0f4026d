"""Shared test helpers: throwaway projects built from small fixture trees.

Each test gets its own project folder under ``tmp_path`` with a copy of the
repository's real layouts, so tests render with the real templates, WeasyPrint,
ebooklib and pypdf, and never touch the repository's own ``build/``. The browser tests
(the site's, the register's) share one Chromium, ``browser``: Playwright's synchronous
API allows one at a time in a run.
"""

from __future__ import annotations

import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from careleaf.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
MINIMAL = (FIXTURES / "minimal" / "source" / "en" / "minimal.md").read_text(encoding="utf-8")
#: What makes a leaflet one the publish gate may let through (the fixtures are drafts,
#: which every stage but publishing treats alike).
APPROVAL = ("status: approved\nowner: Test team\napproved_by: Test Approver\n"
            "approved_on: 2026-03-01\n")
APPROVED = MINIMAL.replace("next_review: 2036-03-01\n", f"next_review: 2036-03-01\n{APPROVAL}")
#: Debian's Chromium, never a downloaded one: no GPU, no sandbox (containers, root) and
#: none of its background traffic, which would flood a closed network with requests.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
#: For tests of the completeness check, whose made-up text reads badly on purpose.
COMPLETENESS_ONLY = ("--skip", "readability", "--skip", "plain-language", "--skip", "fill")


@dataclass
class TmpProject:
    root: Path

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str) -> Result:
        """Run the real CLI in-process against this project."""
        return CliRunner().invoke(main, [args[0], "-C", str(self.root), *args[1:]])

    def publish(self, *today: str) -> Result:
        """build → check → publish, as ``make`` runs them; the last command's result,
        or the first that failed."""
        for command in (("build",), ("check", *today), ("publish", *today)):
            result = self.run(*command)
            if result.exit_code != 0:
                break
        return result

    def output(self, lang: str, leaflet_id: str, name: str) -> Path:
        return self.root / "build" / lang / leaflet_id / name


def long_leaflet(project: TmpProject, paragraphs: int) -> None:
    """The minimal leaflet with ``paragraphs`` extra items of 150 words in 'Treatment':
    long enough to need more pages, or not to fit a tri-fold."""
    extra = "".join(f"\n### Extra advice {n} {{#extra-{n}}}\n\n" + "Keep warm and rest well. " * 30
                    + "\n" for n in range(paragraphs))
    project.write("source/en/minimal.md",
                  MINIMAL.replace("\n## When to see a doctor", extra + "\n## When to see a doctor"))


def copy_repository(root: Path, layouts: list[str] | None = None) -> Path:
    """A copy of the repository's project at ``root``: its layouts and its leaflets (an
    English original and its translations), building ``layouts`` if given."""
    for folder in ("layouts", "source"):
        shutil.copytree(REPO / folder, root / folder)
    if layouts is not None:
        (root / "careleaf.toml").write_text(f"layouts = {json.dumps(layouts)}\n",
                                            encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> TmpProject:
    """An empty project with the repository's layouts."""
    shutil.copytree(REPO / "layouts", tmp_path / "layouts")
    (tmp_path / "source").mkdir()
    # Two layouts keep most tests fast; tests of other layouts name them with --layout.
    (tmp_path / "careleaf.toml").write_text('layouts = ["a4", "epub"]\n', encoding="utf-8")
    return TmpProject(tmp_path)


@pytest.fixture
def minimal(project: TmpProject) -> TmpProject:
    """A project holding the one small valid leaflet ``en/minimal``."""
    project.write("source/en/minimal.md", MINIMAL)
    return project


@pytest.fixture
def approved(project: TmpProject) -> TmpProject:
    """A project holding ``en/minimal``, approved: what ``careleaf publish`` publishes."""
    project.write("source/en/minimal.md", APPROVED)
    return project


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole run, driven by Playwright (imported only when needed)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; the browser tests drive "
                    "Debian's Chromium. Install it with 'make setup' (scripts/system-deps.sh) "
                    "or 'sudo apt-get install chromium'.", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class CountingServer:
    """A local HTTP server that records every connection: careleaf must make none."""

    address: str
    hits: list[str] = field(default_factory=list)


@contextmanager
def counting_server(body: bytes = b"body { color: red }") -> Iterator[CountingServer]:
    server = CountingServer("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def handle(self) -> None:  # counts even a connection that sends no valid request
            server.hits.append(f"connection from {self.client_address}")
            super().handle()

        def do_GET(self) -> None:
            server.hits.append(f"GET {self.path}")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.address = f"127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
