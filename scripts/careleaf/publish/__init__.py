"""Publishing: the stage after ``check`` that decides what reaches patients.

``gate`` says which leaflets may be published and why the others may not;
``archive`` keeps each published version that leaves the site; ``run`` is the
orchestrator of ``careleaf publish``; ``register`` is the leaflet register an
information-governance lead reads.
"""
