"""``careleaf serve``: a preview of the download site on localhost, rebuilt and reloaded
on every edit.

``serve`` binds the port first (so a busy port fails at once), builds the outputs
exactly as ``careleaf build`` does and a preview of the site, ``build/preview``, which
unlike the published site shows every leaflet, drafts (bannered) and all, because
writers preview their drafts there. It serves that folder (``site.server``) and
watches ``source/``, ``layouts/`` and the configuration with watchfiles. Each change
runs the same incremental build again; when the preview's files changed, every open
page reloads. A build with errors prints them and leaves the last good preview in
place, and it keeps being served.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import click

from careleaf.design.brand import DEFAULT_BRAND
from careleaf.errors import Report, display_path, print_diagnostics
from careleaf.pipeline.build import build
from careleaf.project import Project
from careleaf.site.model import site_dir
from careleaf.site.server import Site, bind, bind_error, url_of
from careleaf.site.update import update_preview

#: Files whose changes rebuild the site, besides everything in source/ and layouts/.
CONFIG_FILES = ("pyproject.toml", "careleaf.toml")


@dataclass(frozen=True)
class Settings:
    """What to build: the same choices ``careleaf build`` is given."""

    layouts: list[str] | None = None
    brand: str = DEFAULT_BRAND
    proofs: bool = True
    jobs: int | None = None


def serve(project: Project, settings: Settings, host: str, port: int) -> int:
    """Build, serve and rebuild until Ctrl-C; the exit code (2 if the port cannot be used)."""
    try:
        httpd = bind(host, port)
    except OSError as exc:
        click.echo(f"error: cannot serve on {host}:{port}: {bind_error(exc)}", err=True)
        return 2
    _interrupt_main_process_only()
    watcher = _Watcher(project)  # before the first build, so no edit made during it is lost
    try:
        site = Site(rebuild(project, settings, first=True))
        httpd.start(site)
        click.echo(f"Serving {display_path(site.folder)} at {url_of(httpd)} (Ctrl-C to stop)")
        while True:
            click.echo(f"Changed: {_describe(watcher.next_batch())}; rebuilding")
            if site.refresh(rebuild(project, settings)):
                httpd.site_changed()
                click.echo("The site changed: open pages reload.")
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        watcher.close()
        httpd.stop()
    return 0


def rebuild(project: Project, settings: Settings, *, first: bool = False) -> Path:
    """Build the outputs as ``careleaf build`` does, then the preview; print what went wrong.

    After the first build, a build with errors leaves the site as it was: the site
    would drop the leaflet that failed, and the writer would lose the page being fixed.
    """
    report, started = Report(), time.perf_counter()
    result = build(project, report, layout_names=settings.layouts, brand_name=settings.brand,
                   proofs=settings.proofs, jobs=settings.jobs)
    kept = bool(report.errors) and not first
    if not kept:
        update_preview(project, report, result)
    print_diagnostics(report, lambda line: click.echo(line, err=True), click.echo)
    click.echo(f"{len(result.built)} built, {len(result.fresh)} up to date, "
               f"{len(result.failed)} failed in {time.perf_counter() - started:.2f} s; "
               f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
               + ("; still serving the last good site" if kept else ""))
    return site_dir(project, settings.brand, preview=True)


class _Watcher:
    """Edits to ``source/``, ``layouts/`` and the configuration, gathered in the background."""

    def __init__(self, project: Project) -> None:
        import watchfiles

        self._changes: queue.Queue[set[str]] = queue.Queue()
        self._stop = threading.Event()
        # Two watchers: the project folder itself holds build/ and maybe .venv/, which must
        # not be watched (every build would trigger the next), so only its top level is.
        watchers = [((project.source_dir, project.layouts_dir), watchfiles.DefaultFilter(), True),
                    ((project.root,), _is_config, False)]
        for paths, keep, recursive in watchers:
            threading.Thread(target=self._pump, args=(paths, keep, recursive),
                             name="careleaf-watch", daemon=True).start()

    def next_batch(self) -> set[str]:
        """The paths changed since the last call, waiting for at least one."""
        while True:
            try:
                batch = self._changes.get(timeout=0.5)  # a timeout keeps Ctrl-C working
            except queue.Empty:
                continue
            while not self._changes.empty():  # edits made during the last build: one rebuild
                batch |= self._changes.get()
            return batch

    def close(self) -> None:
        self._stop.set()

    def _pump(self, paths: Iterable[Path], keep: Callable[..., bool], recursive: bool) -> None:
        import watchfiles

        for batch in watchfiles.watch(*paths, watch_filter=keep, recursive=recursive,
                                      stop_event=self._stop, debounce=400,
                                      raise_interrupt=False):
            self._changes.put({path for _, path in batch})


def _is_config(change: object, path: str) -> bool:
    return Path(path).name in CONFIG_FILES


def _describe(paths: set[str]) -> str:
    shown = sorted(display_path(path) for path in paths)
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")


def _interrupt_main_process_only() -> None:
    """Ctrl-C stops serve; render workers forked during a build ignore it and finish
    their leaflet, so the pool shuts down without a traceback from each worker."""
    main_pid = os.getpid()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        if os.getpid() == main_pid:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
