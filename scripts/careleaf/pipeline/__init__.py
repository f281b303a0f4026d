"""Pipeline: the ``careleaf build`` command, from the plan to the files on disk.

``build`` is the orchestrator; ``manifest`` (with its ``records``) knows what every
output was built from, so only what changed is rebuilt; ``plan`` decides what is stale
and lays the work out as a ``graph`` of ``tasks`` (one per output, per output's proofs,
per printed layout an ebook needs alone); ``workers`` is the local executor that runs
the graph, in this process or a pool of long-lived workers; ``cluster`` runs the same
graph on a Dask cluster, whose workers run ``remote``.
"""
