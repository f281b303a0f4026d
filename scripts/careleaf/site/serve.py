"""``careleaf serve``: a preview of the download site on localhost, rebuilt and reloaded
on every edit.

``serve`` binds the port first (so a busy port fails at once), builds the outputs
exactly as ``careleaf build`` does and a preview of the site, ``build/preview``, which
unlike the published site shows every leaflet, drafts (bannered) and all, because
writers preview their drafts there. It serves that folder (``site.server``) and
watches ``source/``, ``layouts/`` and the configuration with watchfiles. After each
save, ``site.preview`` rebuilds in the order the writer looks (the saved leaflet's
page, its A4, then the rest); after each step whose files changed, every open page
reloads. Errors are shown over every page (``site.overlay``) as soon as they are
found, with the last good page below them, and printed. A save made while work is
pending supersedes it: the work starts again with every path changed since.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType

import click

from careleaf.errors import display_path
from careleaf.project import Project
from careleaf.site.preview import Rebuilds, Settings
from careleaf.site.server import Site, bind, bind_error, url_of

__all__ = ["Settings", "serve"]

#: Files whose changes rebuild the site, besides everything in source/ and layouts/.
CONFIG_FILES = ("pyproject.toml", "careleaf.toml")
#: watchfiles' grouping of changes: a batch is given once no change came for ``STEP``
#: ms (the latency a save waits for), or after ``DEBOUNCE`` ms of steady changes.
WATCH_STEP_MS = 50
WATCH_DEBOUNCE_MS = 400


def serve(project: Project, settings: Settings, host: str, port: int) -> int:
    """Build, serve and rebuild until Ctrl-C; the exit code (2 if the port cannot be used)."""
    try:
        httpd = bind(host, port)
    except OSError as exc:
        click.echo(f"error: cannot serve on {host}:{port}: {bind_error(exc)}", err=True)
        return 2
    _interrupt_main_process_only()
    watcher = _Watcher(project)  # before the first build, so no edit made during it is lost
    rebuilds = Rebuilds(project, settings, watcher.pending)
    try:
        site = Site(rebuilds.first())
        site.refresh(rebuilds.folder, rebuilds.problems)
        httpd.start(site)
        rebuilds.show = lambda problems, touched: _show(site, httpd.site_changed,
                                                        rebuilds.folder, problems, touched)
        click.echo(f"Serving {display_path(site.folder)} at {url_of(httpd)} (Ctrl-C to stop)")
        while True:
            _update(rebuilds, watcher)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        watcher.close()
        httpd.stop()
    return 0


def _update(rebuilds: Rebuilds, watcher: _Watcher) -> None:
    """Wait for a save and bring the preview up to date; a newer save made meanwhile
    supersedes the work left, which starts again with every path changed since."""
    click.echo("Waiting for changes.")
    changed = watcher.next_batch()
    while True:
        click.echo(f"Changed: {_describe(changed)}; rebuilding")
        if rebuilds.after(changed):
            return
        changed |= watcher.next_batch()


def _show(site: Site, changed: Callable[[], None], folder: Path, problems: tuple[str, ...],
          touched: list[Path] | None) -> None:
    """Open pages reload when a step changed the site's files or its errors."""
    if site.refresh(folder, problems, touched):
        changed()
        click.echo("The site changed: open pages reload.")


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

    def pending(self) -> bool:
        """Whether a change came since the last ``next_batch``."""
        return not self._changes.empty()

    def next_batch(self) -> set[Path]:
        """The paths changed since the last call, waiting for at least one."""
        while True:
            try:
                batch = self._changes.get(timeout=0.5)  # a timeout keeps Ctrl-C working
            except queue.Empty:
                continue
            while not self._changes.empty():  # edits made during the last build: one rebuild
                batch |= self._changes.get()
            return {Path(path) for path in batch}

    def close(self) -> None:
        self._stop.set()

    def _pump(self, paths: Iterable[Path], keep: Callable[..., bool], recursive: bool) -> None:
        import watchfiles

        for batch in watchfiles.watch(*paths, watch_filter=keep, recursive=recursive,
                                      stop_event=self._stop, step=WATCH_STEP_MS,
                                      debounce=WATCH_DEBOUNCE_MS,
                                      raise_interrupt=False):
            self._changes.put({path for _, path in batch})


def _is_config(change: object, path: str) -> bool:
    return Path(path).name in CONFIG_FILES


def _describe(paths: set[Path]) -> str:
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
