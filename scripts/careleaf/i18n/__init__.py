"""Languages: what careleaf knows of each language and writes in it.

``languages`` (direction, script, fonts, hyphenation), ``bidi`` (the Unicode
Bidirectional Algorithm, for text read back from a PDF), ``messages`` (the layouts'
interface words from ``layouts/messages/<lang>.po``) and ``catalogue`` (extracting
those words into ``careleaf.pot``: the ``careleaf messages`` command).
"""
