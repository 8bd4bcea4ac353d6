"""Importers: files in, rows out one at a time. Parse only; no Django, no database, no clock.

Each format's module offers ``rows(source, *, now, ...) -> Iterator[Row]``
yielding the values in :mod:`kindstep.importers.rows`; ``now`` is the
caller's clock (the importers never read one). De-duplication against the
database happens once, in the store's import action, by each row's ``key``
(its natural key).

Where things live:

- :mod:`~kindstep.importers.rows`: the rows, ``Skipped`` and ``ImportRefused``.
- :mod:`~kindstep.importers.hardening`: the one way in for files: size limits,
  zips checked member by member, XML through expat with DTDs and entities
  refused and nesting bounded.
- :mod:`~kindstep.importers.detect`: which format a path holds; a folder or
  zip of activity files.
- Activity files: :mod:`~kindstep.importers.gpx` (gpxpy), :mod:`~kindstep.importers.tcx`,
  :mod:`~kindstep.importers.fit` (fitdecode), and what the three share in
  :mod:`~kindstep.importers.sessions`.
- Journals: :mod:`~kindstep.importers.daylio`, :mod:`~kindstep.importers.bearable`,
  and what the two share in :mod:`~kindstep.importers.journals`.
- :mod:`~kindstep.importers.apple_health`: the Apple Health export.
"""
