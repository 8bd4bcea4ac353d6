"""What a person's database already stores of their Apple Health records, for an import to leave out.

A newer full export repeats every stored row. Rather than refuse each at
insert, an import looks them up a batch at a time (:func:`not_stored`): on
Django's connection in the importing process, and — when the export is
parsed in parts — in each helper process through :class:`StoredRecords`,
which opens the SQLite file read-only with plain ``sqlite3`` (a helper
loads no Django). Both read the same table by the same statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import quote


def not_stored(rows: list[list], person: int, stored_type: Callable[[int], int | None],
               execute: Callable[[str, tuple], Iterable[tuple]]) -> list[list]:
    """``rows`` less those ``person``'s stored records already hold (same natural key).

    Rows of one type and kind are looked up together over their span of start
    dates, on the natural-key index (person, type, start, kind, key): a newer
    full export repeats every stored row, and a few range reads per batch
    cost far less than a refused insert per row. ``stored_type`` maps a row's
    type id to the stored one (None: no such type stored yet); ``execute``
    runs a statement with ``%s`` placeholders and returns its rows.
    """
    spans: dict[tuple[int, str], list[str]] = {}
    for r in rows:
        span = spans.get((r[2], r[1]))
        if span is None:
            spans[(r[2], r[1])] = [r[6], r[6]]
        elif r[6] < span[0]:
            span[0] = r[6]
        elif r[6] > span[1]:
            span[1] = r[6]
    found: set[bytes] = set()
    for (tid, kind), (lo, hi) in spans.items():
        stored = stored_type(tid)
        if stored is not None:
            found.update(bytes(k) for (k,) in execute(
                "SELECT key FROM kindstep_health_record WHERE person_id = %s AND type_id = %s"
                " AND start_date BETWEEN %s AND %s AND kind = %s", (person, stored, lo, hi, kind)))
    if not found:
        return rows
    return [r for r in rows if r[0] not in found]


class StoredRecords:
    """A helper process's view of one person's stored records (a ``KnownRows`` of the parallel path).

    Named to the helpers as ``"kindstep.store.health_stored:StoredRecords"``
    with ``db`` (the SQLite file) and ``person`` (the id). The importing
    process holds the write lock, so what is stored now stays stored until
    it merges; read-only, and only committed rows are seen.
    """

    def __init__(self, db: str, person: int):
        import sqlite3

        self.db = sqlite3.connect("file:" + quote(db) + "?mode=ro", uri=True, isolation_level=None)
        self.person = int(person)
        self.types: dict[str, int | None] = {}

    def _type(self, name: str) -> int | None:
        if name not in self.types:
            row = self.db.execute("SELECT id FROM kindstep_health_type WHERE name = ?", (name,)).fetchone()
            self.types[name] = row[0] if row else None
        return self.types[name]

    def leave_out(self, rows: list[list], type_names: dict[int, str]) -> list[list]:
        """``rows`` less those stored; ``type_names`` maps the rows' type ids to names."""
        return not_stored(rows, self.person, lambda lid: self._type(type_names[lid]),
                          lambda sql, params: self.db.execute(sql.replace("%s", "?"), params))

    def close(self) -> None:
        self.db.close()
