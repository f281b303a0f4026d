"""DAISY Ace: the EPUB accessibility checker, run on built EPUBs, each violation a diagnostic.

``make setup`` installs Ace (npm ``@daisy/ace``, pinned by ``scripts/ace/package-lock.json``)
into ``scripts/ace/node_modules``. Ace runs the axe rules in a headless Chromium started
by Puppeteer; Puppeteer's own browser download is skipped, and ``scripts/ace/chromium``
wraps the machine's Chromium with the flags a closed network needs. Each run starts a
browser (about 3 s), so like EPUBCheck it is a check step, never part of a build. Every
violation, whatever its impact (minor, moderate, serious, critical), is an error.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careleaf.errors import Report, display_path

ACE_DIR = Path(__file__).resolve().parents[2] / "ace"
#: The Puppeteer front end of the ``@daisy/ace`` package (its plain ``ace`` needs Electron).
ACE_JS = ACE_DIR / "node_modules" / "@daisy" / "ace" / "bin" / "ace-puppeteer.js"
BROWSER_WRAPPER = ACE_DIR / "chromium"
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Violation:
    """One failed Ace assertion: the rule, its impact, what is wrong and where."""

    rule: str
    impact: str
    message: str
    location: str

    def __str__(self) -> str:
        return f"ace: {self.rule} ({self.impact}): {self.message} [{self.location}]"


def run_ace(epub: Path, report: Report) -> bool:
    """Check ``epub`` with Ace; report each violation at it. True when Ace ran."""
    tools = _tools()
    if isinstance(tools, str):
        report.error(epub, None, f"cannot run Ace: {tools} is not installed (run 'make setup')")
        return False
    with tempfile.TemporaryDirectory(prefix="careleaf-ace-") as folder:
        result = _ace_report(*tools, epub, Path(folder))
    if isinstance(result, str):
        report.error(epub, None, f"Ace failed: {result}")
        return False
    for violation in violations(result):
        report.error(epub, None, str(violation))
    return True


def _tools() -> tuple[str, str] | str:
    """The paths of Node.js and Chromium, or the name of what is missing."""
    node, chromium = shutil.which("node"), shutil.which("chromium")
    if node is None:
        return "Node.js"
    if not ACE_JS.is_file() or not os.access(BROWSER_WRAPPER, os.X_OK):
        return f"Ace ({display_path(ACE_DIR / 'node_modules')})"
    if chromium is None:
        return "Chromium"
    return node, chromium


def _ace_report(node: str, chromium: str, epub: Path, folder: Path) -> dict[str, Any] | str:
    """Run Ace into ``folder``; its parsed report.json, or what went wrong."""
    out = folder / "report"
    command = [node, str(ACE_JS), "--force", "--outdir", str(out),
               "--tempdir", str(folder / "work"), str(epub.resolve())]
    try:
        completed = subprocess.run(command, capture_output=True, check=False,
                                   timeout=TIMEOUT_SECONDS, env=_environment(chromium, folder))
    except subprocess.TimeoutExpired:
        return f"no result after {TIMEOUT_SECONDS} s"
    try:
        data: dict[str, Any] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        output = (completed.stderr + completed.stdout).decode("utf-8", "replace")
        return _errors(output) or f"exit status {completed.returncode} and no report"
    return data


def _errors(output: str) -> str:
    """Ace's own error lines from its console output, without colours or repeats."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    lines = [" ".join(line.split(":", 1)[1].split()) for line in plain.splitlines()
             if line.startswith("error:")]
    found = "; ".join(dict.fromkeys(line for line in lines if line))
    return found[:500] if found else plain.strip()[-500:]


def _environment(chromium: str, folder: Path) -> dict[str, str]:
    """Ace's environment: our Chromium wrapper, and settings and logs kept in ``folder``."""
    env = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=str(BROWSER_WRAPPER),
               CARELEAF_CHROMIUM=chromium, PUPPETEER_SKIP_DOWNLOAD="1")
    # Ace reads a user config and writes a log per run under the XDG folders, and Chromium
    # keeps crash-report settings there: pointing them into the temporary folder makes a
    # result independent of the user's settings and leaves nothing behind in their home.
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        env[name] = str(folder / name.lower())
    return env


def violations(report: dict[str, Any]) -> list[Violation]:
    """Every failed assertion of an Ace report.json, in document order."""
    return [_violation(subject, assertion) for subject, assertion in _failures(report)]


def _failures(report: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    # Ace nests one assertion per finding inside one assertion per checked document.
    for document in report.get("assertions", []):
        subject = document.get("earl:testSubject", {})
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") == "fail":
                yield subject, assertion


def _violation(subject: dict[str, Any], assertion: dict[str, Any]) -> Violation:
    test, result = assertion.get("earl:test", {}), assertion.get("earl:result", {})
    # axe lists every way the rule could have passed, one per line; the first says it best.
    lines = str(result.get("dct:description") or test.get("dct:description", "")).splitlines()
    where = str(subject.get("url", "?")).lstrip("/")
    css = result.get("earl:pointer", {}).get("css", [])
    return Violation(rule=str(test.get("dct:title", "?")),
                     impact=str(test.get("earl:impact", "unknown")),
                     message=lines[0].strip() if lines else "(no description)",
                     location=f"{where}: {', '.join(css)}" if css else where)
