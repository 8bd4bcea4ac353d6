"""kindstep's own export (``kindstep export``), read back as a stream of parts.

The export is one JSON object: ``format``, ``version``, ``exported_at``,
``settings`` and then one array of rows per section
(``kindstep/store/export_erase.py`` writes it). An export holding years of
Apple Health samples can be hundreds of megabytes, so it is never parsed
whole: :func:`parts` walks the top-level object and yields each value, and
each section's rows one at a time, so memory stays flat whatever the size.
Whitespace and line breaks may differ (a file passed through a formatter is
still read); what the parts mean is the store's business
(``kindstep/store/restore.py``). Parse only: no Django, no clock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from kindstep.importers.rows import ImportRefused

__all__ = ["FORMAT", "Part", "parts"]

FORMAT = "kindstep-export"
"""The ``format`` a kindstep export names itself by."""

MAX_VALUE_CHARS = 16 * 1024 * 1024
"""One row (or the settings) larger than this is not something kindstep wrote: refused."""

_CHUNK = 64 * 1024
_SPACE = " \t\r\n"


@dataclass(frozen=True, slots=True)
class Part:
    """One top-level value (``index`` is None) or one row of a section (``index`` from 1)."""

    key: str
    value: object
    index: int | None = None


class _Reader:
    """A window over the text, refilled as the decoder needs more of it."""

    def __init__(self, handle):
        self.handle = handle
        self.buf = ""
        self.pos = 0
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, char: str, where: str) -> None:
        if self.peek() != char:
            raise ImportRefused("This kindstep export is damaged or cut short: kindstep expected "
                                "more of it here. Exporting it again may help.", where)
        self.pos += 1

    def value(self, where: str) -> object:
        """The JSON value that starts here, reading more of the file as it needs."""
        decoder = json.JSONDecoder()
        self.peek()
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                value, end = None, -1
            # A number at the end of the window may go on in the next chunk: read on to be sure.
            if end != -1 and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            if len(self.buf) - self.pos > MAX_VALUE_CHARS or not self._more():
                if end != -1:
                    self.pos = end
                    return value
                raise ImportRefused("This kindstep export is damaged or cut short here. "
                                    "Exporting it again may help.", where)


def parts(path: str | os.PathLike, sections: frozenset[str] | set[str]) -> Iterator[Part]:
    """Each top-level value of the export at ``path``, and each row of the named ``sections``.

    A key in ``sections`` whose value is an array yields one Part per row
    (``index`` counting from 1); every other key yields its whole value.
    Raises ImportRefused, saying where, for text that is not one JSON object.
    """
    try:
        handle = open(path, encoding="utf-8")
    except OSError as error:
        raise ImportRefused(f"kindstep could not open this file ({error.strerror}).") from None
    with handle:
        try:
            yield from _walk(_Reader(handle), sections)
        except UnicodeDecodeError:
            raise ImportRefused("This file is not a kindstep export: it is not UTF-8 text. "
                                "Exporting it again may help.") from None


def _walk(reader: _Reader, sections) -> Iterator[Part]:
    if reader.peek() == "\ufeff":
        reader.pos += 1
    reader.expect("{", "at its start")
    if reader.peek() == "}":
        reader.pos += 1
    else:
        while True:
            key = reader.value("a section name")
            if not isinstance(key, str):
                raise ImportRefused("This kindstep export is damaged: a section has no name.")
            reader.expect(":", f"after {key!r}")
            if key in sections and reader.peek() == "[":
                yield from _rows(reader, key)
            else:
                yield Part(key, reader.value(f"in {key!r}"))
            following = reader.peek()
            reader.pos += 1
            if following == "}":
                break
            if following != ",":
                raise ImportRefused("This kindstep export is damaged or cut short. Exporting it "
                                    "again may help.", f"after {key!r}")
    if reader.peek() != "":
        raise ImportRefused("This kindstep export has something after its end. Exporting it "
                            "again may help.")


def _rows(reader: _Reader, key: str) -> Iterator[Part]:
    reader.expect("[", key)
    if reader.peek() == "]":
        reader.pos += 1
        return
    index = 0
    while True:
        index += 1
        yield Part(key, reader.value(f"{key}, row {index}"), index)
        following = reader.peek()
        reader.pos += 1
        if following == "]":
            return
        if following != ",":
            raise ImportRefused("This kindstep export is damaged or cut short. Exporting it "
                                "again may help.", f"{key}, row {index}")
