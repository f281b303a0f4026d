"""Builds that meet an unlucky machine: a full disk, a broken manifest, leftovers of
killed builds, a strict umask. Each runs the real CLI; none may end in a traceback, and
every output written before must stay as it was.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import MINIMAL, TmpProject

SOURCE = "source/en/minimal.md"
MANIFEST = "build/.careleaf-manifest.json"


def careleaf(project: TmpProject, *args: str, umask: int | None = None,
             file_limit: int | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own, with a umask or a file size limit."""
    def limits() -> None:
        if umask is not None:
            os.umask(umask)
        if file_limit is not None:  # writes past it fail with EFBIG, as a full disk would
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run([sys.executable, "-m", "careleaf", args[0], "-C", str(project.root),
                           *args[1:]], capture_output=True, text=True, timeout=300,
                          preexec_fn=limits, check=False)


def outputs(project: TmpProject) -> dict[str, bytes]:
    """Every file under build/ but the manifest and the cache, by path."""
    build = project.root / "build"
    return {p.relative_to(build).as_posix(): p.read_bytes() for p in sorted(build.rglob("*"))
            if p.is_file() and p.name != ".careleaf-manifest.json"
            and ".careleaf-cache" not in p.parts}


def temp_files(project: TmpProject) -> list[Path]:
    return sorted((project.root / "build").rglob(".*.tmp"))


# --- a full disk, or any error while writing -------------------------------------------

def test_write_errors_are_one_line_per_output_and_old_outputs_stay(minimal: TmpProject
                                                                   ) -> None:
    assert careleaf(minimal, "build").returncode == 0
    before = outputs(minimal)
    minimal.write(SOURCE, MINIMAL.replace("Leg cramps are", "Cramps in the leg are"))
    result = careleaf(minimal, "build", file_limit=20_000)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    # The PDF (about 60 KB) cannot be written, nor its proofs or the EPUB past 20 KB.
    assert any(line.startswith("build/en/minimal/") or "/build/en/minimal/" in line
               for line in errors), result.stderr
    assert all("could not be written" in line for line in errors), result.stderr
    assert outputs(minimal) == before  # every earlier output byte for byte
    assert temp_files(minimal) == []
    result = careleaf(minimal, "build")  # with room again, the outputs catch up
    assert result.returncode == 0, result.stderr
    assert "2 built" in result.stdout


@contextmanager
def tiny_disk(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(folder)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("needs root to mount a small tmpfs (the EFBIG test covers the rest)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path) -> None:
    """Fill ``disk`` to the last byte."""
    for name, chunk in (("filler", 65536), ("filler2", 1)):
        try:
            with open(disk / name, "wb") as handle:
                while True:
                    handle.write(b"\0" * chunk)
                    handle.flush()
        except OSError:
            continue


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_a_full_disk_is_an_error_at_each_file_not_a_traceback(minimal: TmpProject) -> None:
    with tiny_disk(minimal.root / "build", "16m") as disk:
        assert careleaf(minimal, "build").returncode == 0
        before = outputs(minimal)
        minimal.write(SOURCE, MINIMAL.replace("Leg cramps are", "Cramps in the leg are"))
        fill(disk)
        result = careleaf(minimal, "build")
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert "No space left on device" in result.stderr
        assert all(": error: " in line for line in result.stderr.splitlines()
                   if "No space" in line), result.stderr
        assert {k: v for k, v in outputs(minimal).items() if not k.startswith("filler")} \
            == before
        (disk / "filler").unlink(missing_ok=True)
        (disk / "filler2").unlink(missing_ok=True)
        result = careleaf(minimal, "build")
        assert result.returncode == 0, result.stderr
        assert "2 built" in result.stdout


# --- the manifest ----------------------------------------------------------------------

def test_a_manifest_with_nonsense_entries_rebuilds_without_a_traceback(minimal: TmpProject
                                                                       ) -> None:
    assert minimal.run("build").exit_code == 0
    manifest = minimal.root / MANIFEST
    data = json.loads(manifest.read_text())
    for entry in data["outputs"].values():
        entry["inputs"] = [None]
    manifest.write_text(json.dumps(data))
    result = minimal.run("build")
    assert (result.exit_code, result.exception) == (0, None), result.output
    assert "2 built" in result.stdout


def test_a_manifest_that_is_a_folder_is_an_error(minimal: TmpProject) -> None:
    (minimal.root / MANIFEST).mkdir(parents=True)
    result = minimal.run("build")
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{minimal.root / MANIFEST}: error: is a folder" in result.stderr \
        or "build/.careleaf-manifest.json: error: is a folder" in result.stderr, result.stderr
    assert minimal.output("en", "minimal", "minimal-a4.pdf").is_file()


def test_an_empty_layouts_list_in_the_manifest_does_not_skip_the_leaflet(
        minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    manifest = minimal.root / MANIFEST
    data = json.loads(manifest.read_text())
    data["sources"][SOURCE]["layouts"] = []
    manifest.write_text(json.dumps(data))
    minimal.output("en", "minimal", "minimal-a4.pdf").unlink()
    result = minimal.run("build")
    assert result.exit_code == 0, result.output
    assert "1 built" in result.stdout
    assert minimal.output("en", "minimal", "minimal-a4.pdf").is_file()


# --- leftovers and permissions ----------------------------------------------------------

def test_temporary_files_of_killed_builds_are_swept_everywhere(minimal: TmpProject) -> None:
    assert minimal.run("build").exit_code == 0
    dead = 2 ** 22 + 1  # above the kernel's default pid_max: no such process
    folders = ["build", "build/.careleaf-cache/pages", "build/en/minimal",
               "build/en/minimal/proofs", "build/site", "build/site/en/minimal"]
    left = [minimal.write(f"{folder}/.x.pdf.{dead}.tmp", b"half") for folder in folders]
    alive = minimal.write(f"build/en/minimal/.y.pdf.{os.getpid()}.tmp", b"being written")
    minimal.write(f"build/.careleaf-writing.{dead}", b"")  # the killed build's mark
    minimal.write(SOURCE, MINIMAL.replace("Leg cramps are", "Cramps in the leg are"))
    assert minimal.run("build").exit_code == 0
    assert [path for path in left if path.exists()] == []
    assert alive.exists()  # a running build's file is not touched


def test_the_site_is_readable_by_a_web_server_whatever_the_umask(approved: TmpProject
                                                                 ) -> None:
    for command in (("build",), ("check", "--today", "2026-12-06"),
                    ("publish", "--today", "2026-12-06")):  # as make runs them
        result = careleaf(approved, *command, umask=0o077)
        assert result.returncode == 0, result.stdout + result.stderr
    site = approved.root / "build" / "site"
    assert (site / "en" / "minimal" / "minimal-a4.pdf").is_file()
    for path in [site, *site.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o755 if path.is_dir() else 0o644
        assert mode & wanted == wanted, f"{path}: {oct(mode)}"
    pdf = approved.output("en", "minimal", "minimal-a4.pdf")
    assert stat.S_IMODE(pdf.stat().st_mode) & 0o644 == 0o644
