"""The site's full-text search: a Pagefind index of the leaflet pages, and its script.

Pagefind (https://pagefind.app) indexes static pages ahead of time into a bundle of
small files, ``pagefind/…`` at the site root: a browser fetches only the index chunks
and result fragments a search needs, so searching costs a phone a few tens of
kilobytes and needs no server of the clinic's. The index is split by each page's
``<html lang>``: a language's search page finds that language's leaflets only.

The binary comes from the ``pagefind-bin-extended`` wheel (pinned), whose build also
splits Chinese and Japanese text into words (the plain build indexes a Chinese
sentence as one word). It runs once per site as a command over a temporary copy of
the leaflet pages (each ``Entry.page`` of the site, rendered already): 0.05 s for 30
pages, where Pagefind's Python API (the ``pagefind`` package), whose client polls its
service every tenth of a second for each answer, takes 3.3 s and waits for ever when
the binary dies; the command either succeeds or says why. What the leaflet
template marks is what gets indexed: ``data-pagefind-body`` (only the leaflet, not the
header and footer), its title, summary, topics, sections and language (``meta`` and
``filter`` attributes); what every leaflet page repeats (the kicker, dates, urgent line,
contact details, downloads) is left out by ``REPEATED``, so a word in them does not
find every leaflet. The search page's own script (``search.js`` of the site layout)
is copied beside the bundle.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

from careleaf.design.layouts import Layout
from careleaf.errors import CareleafError, Diagnostic, Location
from careleaf.site.model import Files, LanguageGroup

#: Where the bundle and the search page's script go, from the site root.
BUNDLE, SCRIPT = "pagefind/", "scripts/search.js"
#: The site layout's file copied to ``SCRIPT``.
SCRIPT_SOURCE = "search.js"
#: Parts of every leaflet page that are the same, or nearly, on all of them.
REPEATED = (".kicker", ".dates", ".jump", ".translation", ".urgent", ".urgent-line",
            ".downloads-section", ".contact", ".about")
#: Pagefind's ready-made search interfaces: the site draws its own, so they stay out.
UNUSED = re.compile(r"pagefind-(?:component-|modular-)?ui\.(?:js|css)|pagefind-highlight\.js")
#: Indexing a clinic's leaflets takes well under a second; a hung binary must not hang
#: the build (or serve) for ever.
TIMEOUT = 120.0


def search_index(layout: Layout, groups: tuple[LanguageGroup, ...], files: Files) -> Files:
    """The search index's files (``pagefind/…``) and the search page's script, made from
    the leaflet pages in ``files``; ``CareleafError`` when Pagefind fails."""
    found: Files = {}
    script = next((folder / SCRIPT_SOURCE for folder in layout.chain
                   if (folder / SCRIPT_SOURCE).is_file()), None)
    if script is not None:
        found[SCRIPT] = script.read_bytes()
    pages = {entry.page: files[entry.page] for group in groups for entry in group.entries
             if entry.page in files}
    if pages:  # Pagefind refuses a site without pages; the search page says "no results"
        found.update(_bundle(pages, layout))
    return found


def _bundle(pages: Files, layout: Layout) -> Files:
    """Pagefind's bundle for ``pages`` (site paths), less the interfaces the site does not use."""
    with tempfile.TemporaryDirectory(prefix="careleaf-search-") as temp:
        site = Path(temp) / "site"
        for name, content in pages.items():
            target = site / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.read_bytes())
        _run_pagefind(site, layout)
        bundle = site / BUNDLE
        return {BUNDLE + path.relative_to(bundle).as_posix(): path.read_bytes()
                for path in sorted(bundle.rglob("*"))
                if path.is_file() and not UNUSED.fullmatch(path.name)}


def pagefind_binary() -> Path:
    """The pinned Pagefind binary, shipped inside the ``pagefind-bin-extended`` wheel."""
    from pagefind_bin_extended import get_executable  # type: ignore[import-untyped]

    binary: Path = get_executable()
    return binary


def _run_pagefind(site: Path, layout: Layout) -> None:
    """Index ``site`` into ``site/pagefind``; its failure is a ``CareleafError``."""
    try:
        binary = pagefind_binary()
    except (ImportError, FileNotFoundError) as exc:
        _fail(layout.folder, f"the site's search needs Pagefind, which is not installed ({exc}); "
              "install careleaf's dependencies again: pip install -c scripts/constraints.txt -e .")
    command = [str(binary), "--site", str(site), "--keep-index-url", "--quiet",
               "--exclude-selectors", ", ".join(REPEATED)]
    # Its own folder as the working one, and none of the writer's PAGEFIND_* settings:
    # no stray pagefind.yml or environment variable changes the index.
    environment = {name: value for name, value in os.environ.items()
                   if not name.upper().startswith("PAGEFIND")}
    try:
        done = subprocess.run(command, cwd=site.parent, env=environment, capture_output=True,
                              text=True, errors="replace", timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        _fail(binary, f"Pagefind did not finish indexing the leaflet pages in {TIMEOUT:.0f} s; "
              "the site was not updated")
    except OSError as exc:
        _fail(binary, f"Pagefind could not be run ({exc.strerror or exc}); the site was not "
              "updated (install careleaf's dependencies again)")
    if done.returncode != 0 or not (site / BUNDLE / "pagefind.js").is_file():
        _fail(layout.folder / layout.template, f"Pagefind could not index the leaflet pages "
              f"({_said(done)}); does the template mark each leaflet's text with "
              "data-pagefind-body? The site was not updated")


def _said(done: subprocess.CompletedProcess[str]) -> str:
    """What Pagefind said, on one line: it may print an error twice (and with --quiet,
    nothing else)."""
    lines = (line.strip() for line in (done.stderr + done.stdout).splitlines())
    return " ".join(dict.fromkeys(line for line in lines if line)) or \
        f"exit code {done.returncode}"


def _fail(path: Path, message: str) -> NoReturn:
    raise CareleafError(Diagnostic(Location(path), message))
