"""Django's SQLite backend, opening a locked kindstep file through SQLCipher.

A plain file is opened exactly as Django's own ``sqlite3`` backend opens it.
A locked one (``kindstep/store/lock.py``) is opened with SQLCipher's driver
and the key the interface put in ``lock.KEYS`` after asking for the
passphrase; with no key there, the connection is refused with a kind
:class:`~kindstep.store.lock.LockRefused` and nothing is read. The name ends
in ``sqlite3`` and the vendor stays ``sqlite``, so every check for SQLite
holds for both.
"""

from __future__ import annotations

import datetime
import decimal
import os
from collections.abc import Mapping
from itertools import tee

from django.db.backends.sqlite3 import base as django_sqlite
from django.db.backends.sqlite3._functions import register as register_functions

from kindstep.store import lock

_cipher = None


def _driver():
    """SQLCipher's DB-API module, with Django's converters and adapters (loaded on first use)."""
    global _cipher
    if _cipher is None:
        from sqlcipher3 import dbapi2

        for name, converter in (("bool", b"1".__eq__),
                                ("date", django_sqlite.decoder(django_sqlite.parse_date)),
                                ("time", django_sqlite.decoder(django_sqlite.parse_time)),
                                ("datetime", django_sqlite.decoder(django_sqlite.parse_datetime)),
                                ("timestamp", django_sqlite.decoder(django_sqlite.parse_datetime))):
            dbapi2.register_converter(name, converter)
        dbapi2.register_adapter(decimal.Decimal, str)
        dbapi2.register_adapter(datetime.date, django_sqlite.adapt_date)
        dbapi2.register_adapter(datetime.datetime, django_sqlite.adapt_datetime)
        _cipher = dbapi2
    return _cipher


def _cursor_class(dbapi2):
    """Django's cursor wrapper ("%s" placeholders), made on SQLCipher's own cursor type."""

    class CipherCursorWrapper(dbapi2.Cursor):
        convert_query = django_sqlite.SQLiteCursorWrapper.convert_query

        def execute(self, query, params=None):
            if params is None:
                return super().execute(query)
            names = list(params) if isinstance(params, Mapping) else None
            return super().execute(self.convert_query(query, param_names=names), params)

        def executemany(self, query, param_list):
            peekable, param_list = tee(iter(param_list))
            first = next(peekable, None)
            names = list(first) if first and isinstance(first, Mapping) else None
            return super().executemany(self.convert_query(query, param_names=names), param_list)

    return CipherCursorWrapper


class DatabaseWrapper(django_sqlite.DatabaseWrapper):
    """SQLite, or SQLCipher when the file is locked."""

    _cipher_cursor = None

    def get_new_connection(self, conn_params):
        path = os.path.abspath(str(conn_params["database"]))
        if not lock.known_locked(path):  # never opens the file: see lock.is_locked
            self.Database = django_sqlite.Database
            return super().get_new_connection(conn_params)
        key = lock.KEYS.get(path)
        if key is None:
            raise lock.LockRefused("This kindstep file is locked. Unlock it with its passphrase "
                                   "first; nothing was read.")
        dbapi2 = _driver()
        self.Database = dbapi2  # errors are translated from SQLCipher's own classes
        params = dict(conn_params)
        params["detect_types"] = dbapi2.PARSE_DECLTYPES | dbapi2.PARSE_COLNAMES
        conn = dbapi2.connect(**params)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {lock._pragma(key)}")
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                conn.execute(init_command)
        self._cipher_cursor = _cursor_class(dbapi2)
        return conn

    def create_cursor(self, name=None):
        if self.Database is not django_sqlite.Database and self._cipher_cursor is not None:
            return self.connection.cursor(factory=self._cipher_cursor)
        return super().create_cursor(name)
