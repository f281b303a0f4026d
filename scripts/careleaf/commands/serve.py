"""``careleaf serve``: build, serve the site on localhost, rebuild on every edit."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from careleaf.commands import brand_option, layout_option, project_of, project_option
from careleaf.site.serve import Settings
from careleaf.site.serve import serve as run_serve


@click.command()
@project_option
@layout_option
@brand_option
@click.option("--host", default="127.0.0.1", show_default=True, metavar="HOST",
              help="The address to listen on (127.0.0.1: this computer only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              metavar="N", help="The port to listen on (0: any free port).")
@click.option("--proofs/--no-proofs", default=True, show_default=True,
              help="Write PNG pictures of every PDF page under proofs/.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes for rendering. Default: the number of cores.")
def serve(project_dir: Path, layouts: tuple[str, ...], brand: str, host: str, port: int,
          proofs: bool, jobs: int | None) -> None:
    """Build, serve the download site on HOST:PORT, rebuild and reload pages on every edit."""
    settings = Settings(list(layouts) or None, brand, proofs, jobs)
    sys.exit(run_serve(project_of(project_dir), settings, host, port))
