"""Importers: files in, rows out one at a time. Parse only; no Django, no database.

Each importer module offers ``rows(path_or_stream, ...) -> Iterator[Row]``
yielding the values in :mod:`kindstep.importers.rows`. De-duplication
against the database happens once, in the store's import action, by each
row's ``key`` (its natural key).
"""
