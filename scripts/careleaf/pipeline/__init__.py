"""Pipeline: the ``careleaf build`` command, from the plan to the files on disk.

``build`` is the orchestrator; ``manifest`` (with its ``records``) knows what every
output was built from, so only what changed is rebuilt; ``plan`` decides from it what
is stale, without parsing any source; ``orphans`` removes what no leaflet owns any more.
That is all a build with nothing to do imports. When there is work, ``build`` hands it
to its working half, ``make``, loaded by name: it loads the stale sources, has
``schedule`` lay the work out as a ``graph`` of ``tasks`` (one per output, per output's
proofs, per printed layout an ebook needs alone) and runs it with ``workers``, the local
executor (in this process, or a pool of long-lived workers), or ``cluster``, on a Dask
cluster whose workers run ``remote``. ``runs`` holds what a run is given and gives back.
"""
