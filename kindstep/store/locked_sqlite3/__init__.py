"""Django's SQLite backend, able to open a locked (SQLCipher) kindstep file: see ``base.py``."""
