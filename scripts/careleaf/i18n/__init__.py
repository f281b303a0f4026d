"""Languages: what careleaf knows of each language and writes in it.

``languages`` (direction, script, fonts, hyphenation), ``bidi`` (the Unicode
Bidirectional Algorithm, for text read back from a PDF), ``ltr_runs`` (phone numbers,
e-mail and web addresses: runs that read left to right in every language),
``messages`` (the layouts' interface words from ``layouts/messages/<lang>.po``) and
``catalogue`` (extracting those words into ``careleaf.pot``: the ``careleaf messages``
command).
"""
