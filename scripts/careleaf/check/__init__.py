"""Check: ``careleaf check`` reads every output back and holds each leaflet to the gates.

``runner`` is the orchestrator; ``gates`` names every check once (the ``Check``
records that feed ``--skip``, the reports and their schema). ``readback`` reads a
PDF or EPUB from disk; ``completeness`` proves every cause and treatment is in every
output, ``contacts`` that the brand's contact details are in each whole, ``written``
that every other file a build wrote (imposed sheets, proofs) is whole, and
``page_list`` that the ebook's page list matches the print. ``quality``,
``readability`` (with ``syllables``) and ``lint`` are the content gates, and
``catalogue`` warns of a title two leaflets of one language share;
``epubcheck`` and ``ace`` run the external validators; ``reports`` writes
``check.json`` and ``junit.xml``.
"""
