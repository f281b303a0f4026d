"""Pipeline: the ``careleaf build`` command, from the plan to the files on disk.

``build`` is the orchestrator; ``manifest`` knows what every output was built from,
so only what changed is rebuilt (``records``: the records its file holds);
``workers`` renders and writes the outputs, in this process or a pool of workers.
"""
