"""Cutting an export's XML into byte ranges that can be parsed on their own.

Exports list their Records at the top level, one per line, so the XML can
be cut before any ``\n <Record `` (:data:`SPLIT_AT`). A :class:`Part` names
a range by two targets; each side finds the same cut from its target, so
neighbouring parts agree without talking to each other. Used by
:mod:`kindstep.importers.apple_health.parallel`; a plain import never cuts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from kindstep.importers import hardening
from kindstep.importers.apple_health.dates import DATE_RE, NO_MAX_DAY, export_max_day, valid_day

if TYPE_CHECKING:
    from kindstep.importers.apple_health.parse import ParseResult
    from kindstep.importers.apple_health.source import ExportSource

SPLIT_AT = b"\n <Record "
"""Where the XML may be cut for parsing in several processes: before a top-level Record."""


@dataclass(frozen=True, slots=True)
class Part:
    """One byte range of the XML, parsed on its own (in a process of its own).

    The range starts at the first :data:`SPLIT_AT` at or after ``lo`` (at 0
    for the first part) and ends at the first one at or after ``hi`` (at the
    end of the file for the last part), so neighbours agree on the cut
    without talking to each other. A cut that does not fall between two
    top-level elements leaves one of the parts unparseable; the caller then
    parses the whole file in one process, which gives the true answer.
    """

    lo: int | None
    """None for the first part."""
    hi: int | None
    """None for the last part."""
    max_day: str = NO_MAX_DAY
    """What the ExportDate read before this part set the last allowed day to."""


def split_targets(size: int, n: int, skip_cost: float = 0.0) -> list[tuple[int | None, int | None]]:
    """``n`` ``(lo, hi)`` targets over ``size`` bytes (see :class:`Part`) of about equal work.

    ``skip_cost`` is what reading past a byte before a part costs relative to
    parsing it (a zip member must be inflated from its start), so later parts
    get a little less to parse.

    >>> split_targets(100, 2)
    [(None, 50), (50, None)]
    >>> split_targets(100, 2, 0.1)
    [(None, 53), (53, None)]
    >>> split_targets(1000, 2, 0.03)
    [(None, 508), (508, None)]
    """
    r = skip_cost
    w = size / n if r <= 0 else size * r / (1 - (1 - r) ** n)
    cuts = [round(size / n * k if r <= 0 else w * (1 - (1 - r) ** k) / r) for k in range(1, n)]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def head_max_day(source: ExportSource, limit: int = 2 * 1024 * 1024) -> str:
    """The last allowed day as the prolog's ExportDate sets it (a guess the parts then confirm)."""
    head = b""
    with source.open_xml() as fp:
        while len(head) < limit and SPLIT_AT not in head:
            more = fp.read(64 * 1024)
            if not more:
                break
            head += more
    cut = head.find(SPLIT_AT)
    m = re.search(rb'<ExportDate value="([^"&<]*)"', head[: cut if cut >= 0 else len(head)])
    if m is not None:
        value = m.group(1).decode("utf-8", "replace")
        if DATE_RE.fullmatch(value) and valid_day(value[:10]):
            return export_max_day(value)
    return NO_MAX_DAY


def range_reader(fp: BinaryIO, part: Part, res: ParseResult, chunk: int = hardening.CHUNK) -> Callable[[], bytes]:
    """A ``read()`` returning the bytes of ``part`` only, about ``chunk`` bytes at a time, then b""."""
    pat = SPLIT_AT
    keep = len(pat) - 1
    raw_read = fp.read
    buf = b""
    pos = 0  # absolute offset of buf[0]
    eof = done = False

    def more() -> bool:
        nonlocal buf, eof
        data = b"" if eof else raw_read(chunk)
        if not data:
            eof = True
            return False
        buf += data
        return True

    if part.lo is not None:  # skip to the first cut at or after lo
        if isinstance(fp, io.BufferedReader):  # a plain file: no need to read what is skipped
            fp.seek(part.lo)
            pos = part.lo
        while True:
            i = buf.find(pat, max(0, part.lo - pos))
            if i >= 0:
                pos += i
                buf = buf[i:]
                break
            drop = max(0, len(buf) - keep)
            pos += drop
            buf = buf[drop:]
            if not more():
                done = True  # no cut after lo: the part before this one reads to the end
                break

    def read() -> bytes:
        nonlocal buf, pos, done, eof
        if done:
            return b""
        if not buf and not eof:
            data = raw_read(chunk)
            if not data:
                eof = done = True
                return b""
            if part.hi is None or pos + len(data) <= part.hi:
                # No cut can start in these bytes: on they go as they came, with no copy.
                pos += len(data)
                res.bytes_read += len(data)
                return data
            buf = data
        if part.hi is None:  # what was read past while looking for the start: all of it
            out, buf = buf, b""
            pos += len(out)
            res.bytes_read += len(out)
            return out
        while len(buf) < chunk + keep and more():
            pass
        i = buf.find(pat, max(0, part.hi - pos))
        if i >= 0:
            out, buf, done = buf[:i], b"", True
            res.bytes_read += len(out)
            return out
        if eof:
            out, buf, done = buf, b"", True
        else:
            out = buf[: len(buf) - keep]
            buf = buf[len(out):]
            pos += len(out)
        res.bytes_read += len(out)
        return out

    return read

