"""Source: a writer's ``source/<lang>/<id>.md`` becomes a validated, typed ``Leaflet``.

``load`` reads the file defensively and hands the front matter to ``frontmatter`` and
the Markdown to ``body`` (with ``images``, checked before any renderer sees them);
``validate`` holds the result to the contract in ``source/README.md``; ``model`` is
the one typed model every later stage reads; ``translations`` compares a translation
with its original.
"""
