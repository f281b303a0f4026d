"""A run of the build: where its tasks run (``Runner``) and what came of it (``BuildResult``).

Apart from the orchestrator (``build``), which hands them to its working half
(``make``): the half loaded only when there is work must not import the orchestrator
back, and the commands reach both names through ``build`` without paying for that half.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from careleaf.design.brand import Brand
from careleaf.design.layouts import Layout
from careleaf.pipeline.records import LeafletFacts


@dataclass(frozen=True)
class Runner:
    """Where the tasks run: ``jobs`` local workers, or the Dask ``scheduler`` named
    (``pipeline.cluster``); ``say`` shows a line of what the cluster tells the user.
    ``stop``, asked after each task, ends the build early when it says so (serve: a
    newer save): no task starts after, those running end and are recorded."""

    jobs: int | None = None
    scheduler: str | None = None
    say: Callable[[str], None] = print
    stop: Callable[[], bool] | None = None


@dataclass
class BuildResult:
    built: list[Path] = field(default_factory=list)
    fresh: list[Path] = field(default_factory=list)
    failed: list[Path] = field(default_factory=list)
    #: The outputs whose proofs were drawn, or failed to be (their PDF is as it is).
    proofs: list[Path] = field(default_factory=list)
    proofs_failed: list[Path] = field(default_factory=list)
    #: Ended early by the runner's ``stop``: the outputs not started are left stale.
    stopped: bool = False
    #: The brand built for (None if its file has errors) and every layout of the
    #: project: what later stages, such as the download site, need without reloading.
    brand: Brand | None = None
    layouts: dict[str, Layout] = field(default_factory=dict)
    #: The facts of every leaflet of the project that loads (built now or not), by source.
    catalogue: dict[Path, LeafletFacts] = field(default_factory=dict)
