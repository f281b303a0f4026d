"""The build engine as processes see it: reproducible bytes, parallel workers, kill -9."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from pypdf import PdfReader

from conftest import MINIMAL, TmpProject


def careleaf(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "careleaf", *args, "-C", str(root)],
                          capture_output=True, text=True, timeout=300, check=False)


def digests(build: Path) -> dict[str, str]:
    """The outputs' hashes (not the download site's copies of them)."""
    return {p.relative_to(build).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(build.rglob("*")) if p.suffix in (".pdf", ".epub")
            and p.relative_to(build).parts[0] != "site"}


def catalogue(project: TmpProject, count: int) -> None:
    for n in range(count):
        project.write(f"source/en/leaflet-{n}.md",
                      MINIMAL.replace("title: Leg cramps", f"title: Leg cramps {n}"))


def test_two_clean_builds_in_new_processes_are_byte_identical(project: TmpProject) -> None:
    catalogue(project, 3)
    assert careleaf(project.root, "build", "--jobs", "2").returncode == 0
    first = digests(project.root / "build")
    assert len(first) == 6
    subprocess.run(["rm", "-rf", str(project.root / "build")], check=True)
    assert careleaf(project.root, "build", "--jobs", "1").returncode == 0
    assert digests(project.root / "build") == first


def test_jobs_2_builds_everything_and_one_failure_does_not_stop_the_rest(
        project: TmpProject) -> None:
    catalogue(project, 4)
    project.write("source/en/broken.md", MINIMAL.replace("{#causes}", "{#kauses}"))
    result = careleaf(project.root, "build", "--jobs", "2")
    assert result.returncode == 1
    assert "8 built, 0 up to date, 2 failed" in result.stdout
    assert "source/en/broken.md:15: error: the 'causes' section is missing" in result.stderr
    assert len(digests(project.root / "build")) == 8


def test_kill_9_never_leaves_a_truncated_file_under_a_final_name(project: TmpProject) -> None:
    catalogue(project, 12)
    build = project.root / "build"
    process = subprocess.Popen(
        [sys.executable, "-m", "careleaf", "build", "--jobs", "2", "-C", str(project.root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(build.rglob("*.pdf"))) < 2:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finals = [p for p in build.rglob("*") if p.is_file() and not p.name.startswith(".")]
    pdfs = [p for p in finals if p.suffix == ".pdf"]
    assert 2 <= len(pdfs) < 12, "the kill should land mid-build"
    for path in finals:
        if path.suffix == ".pdf":
            assert path.read_bytes().rstrip().endswith(b"%%EOF")
            assert len(PdfReader(path).pages) >= 1
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                assert book.testzip() is None
    result = careleaf(project.root, "build")
    assert result.returncode == 0, result.stderr
    assert careleaf(project.root, "check").returncode == 0
    assert not list(build.rglob(".*.tmp")), "temporary files of the killed build are swept"
