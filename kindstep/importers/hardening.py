"""File limits and hardening: every importer reads its files through here.

Nothing here extracts a file to disk, fetches anything or expands an entity.
This is the one way in for zips and XML; crisis help is elsewhere
(:mod:`kindstep.core.safety`).

- Sizes: :func:`check_file_size` (a file on disk) and :func:`read_limited`
  (a small file's bytes, gzip undone, refused past a limit: GPX, TCX, FIT).
- Zips: :func:`open_zip` (``path, limits -> SafeZip``) with ``members()``,
  ``open(name)`` and ``read(name)``: refuses zip bombs (total size, ratio,
  member count), names outside their place (``../``, absolute, ``C:\\``,
  backslashes), links, encrypted and nested archives.
- XML, always through expat with entity declarations, external entities
  and (by default) any DOCTYPE refused — defusedxml's rules, kept here so
  that every format follows one set:

  - :func:`xml_parser`: such a parser, for readers that set their own handlers;
  - :func:`feed_xml`: parse a byte stream in chunks, always finishing the
    parse (so truncation is an error), refusing over-long tokens, and turning
    expat errors into :class:`ImportRefused` with a line and column;
  - :func:`parse_small_xml`: both of these with nesting bounded by
    ``limits.max_depth``, calling ``start``/``end``/``text`` handlers: how
    TCX is read, and how a GPX file is checked before gpxpy reads it;
  - :func:`strip_internal_dtd`: the prolog with its ``<!DOCTYPE …[…]>``
    replaced by as many newlines, so line numbers in later messages stay
    right. Every Apple Health export carries an internal DTD subset; it is
    cut out before parsing instead of being refused, so real exports import
    and no entity can ever be declared.

Everything raises :class:`~kindstep.importers.rows.ImportRefused` with a
message saying where and what to try. The module is a little over 600
lines because it is one thing: every check a file passes before a reader
sees it, kept together so that no format can go round one.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO
from xml.parsers import expat

from kindstep.importers.rows import ImportRefused

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


@dataclass(frozen=True, slots=True)
class Limits:
    """How big and how deep a file may be before kindstep declines to read it.

    The defaults follow the usual zip-bomb and XML-bomb guidance (bounded
    sizes, compression ratio, member count, nesting and token length; see
    the Python documentation's "XML vulnerabilities" and zipfile notes, and
    docs/design.md, "Files kindstep reads"), raised where real Apple Health
    exports are known to be bigger (3.1 GB of XML, 7.4 million records).
    """

    max_file_bytes: int = 4 * GIB
    """A zip or a bare file on disk; real exports reach a few GB."""
    max_members: int = 20_000
    """A year of daily workouts with routes is ~400 members; 20k leaves room."""
    max_total_uncompressed: int = 16 * GIB
    """Sum of the members' declared sizes."""
    max_member_bytes: int = 8 * GIB
    """One member, uncompressed (export.xml of the largest known export is 3.1 GB)."""
    max_ratio: float = 200.0
    """A member that inflates more than this (and is over ``ratio_floor`` bytes) is a bomb."""
    ratio_floor: int = 1 * MIB
    max_token_bytes: int = 4 * MIB
    """One XML tag with its attributes; Apple's longest are a few KB."""
    max_items: int = 50_000_000
    """Elements an importer will take from one file."""
    max_depth: int = 64


DEFAULT_LIMITS = Limits()

CHUNK = 1 * MIB
"""Bytes handed to the XML parser at a time; memory per import is a few of these."""

ACTIVITY_FILE_BYTES = 50 * MIB
"""GPX, TCX and FIT files (after gzip is undone) above this are refused: they are read whole,
and a whole day of one-second points written as GPX or TCX is about 20-30 MB."""


# ---------------------------------------------------------------------------
# Zip files
# ---------------------------------------------------------------------------

_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse_name(name: str) -> str | None:
    """Why a member name is unsafe, or None when it is fine."""
    if not name:
        return "a member has an empty name"
    if "\\" in name:
        return f"the member {name!r} uses a backslash in its path"
    if name.startswith("/") or _DRIVE.match(name):
        return f"the member {name!r} has an absolute path"
    if "\x00" in name:
        return f"the member {name!r} has a NUL character in its name"
    if ".." in PurePosixPath(name).parts:
        return f"the member {name!r} points outside the archive ('..')"
    return None


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


class SafeZip:
    """A zip whose directory passed every check; members are read, never extracted."""

    def __init__(self, zf: zipfile.ZipFile, path: Path, limits: Limits):
        self._zf = zf
        self.path = path
        self.limits = limits
        self._infos = {i.filename: i for i in zf.infolist()}

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zf.close()

    def members(self) -> list[str]:
        """Names of the regular files, skipping folders and macOS ``__MACOSX``/``.DS_Store`` litter."""
        return [
            n
            for n, i in self._infos.items()
            if not i.is_dir() and not _is_mac_litter(n)
        ]

    def size(self, name: str) -> int:
        """The member's declared uncompressed size."""
        return self._infos[name].file_size

    def open(self, name: str) -> BinaryIO:
        """A stream of the member's bytes, stopped at its declared size."""
        info = self._infos.get(name)
        if info is None:
            raise ImportRefused("The zip holds no member with this name.", name)
        try:
            raw = self._zf.open(info)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError,
                NotImplementedError) as exc:
            raise ImportRefused(
                f"This part of the zip could not be opened ({exc}). The file may be damaged;"
                " try exporting or copying it again.",
                name,
            ) from None
        return _CountingReader(raw, name, info.file_size)

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The whole member, refusing anything over ``max_bytes``."""
        limit = max_bytes if max_bytes is not None else self.limits.max_member_bytes
        if self._infos[name].file_size > limit:
            raise ImportRefused(
                f"This member is larger than the {limit // MIB} MB kindstep reads.", name
            )
        with self.open(name) as fp:
            return fp.read(limit + 1)[: limit + 1]


def _is_mac_litter(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return "__MACOSX" in parts or parts[-1] == ".DS_Store" or parts[-1].startswith("._")


class _CountingReader:
    """Reads a zip member, counting bytes; a member that grows past its declared size is refused."""

    def __init__(self, raw: IO[bytes], name: str, declared: int):
        self._raw = raw
        self.name = name
        self.declared = declared
        self.read_bytes = 0

    def stop_early(self) -> None:
        """Say this member will not be read to its end, so its CRC is not worked out.

        zipfile checks a member's CRC only once it reaches the end; a reader
        that stops before (one part of a file parsed in parts) computes it for
        nothing, at a tenth of inflating's cost. Only for a reader some other
        one reads to the end, checking it.
        """
        if getattr(self._raw, "_expected_crc", None) is not None:
            self._raw._expected_crc = None  # zipfile's own switch: no CRC when none is expected

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._raw.read(n)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise ImportRefused(
                f"This part of the zip is damaged ({exc}). Try exporting or copying it again.",
                self.name,
            ) from None
        except Exception as exc:  # zlib.error and friends from a corrupt stream
            raise ImportRefused(
                f"This part of the zip could not be unpacked ({type(exc).__name__}: {exc})."
                " Try exporting or copying it again.",
                self.name,
            ) from None
        self.read_bytes += len(data)
        if self.read_bytes > self.declared:
            raise ImportRefused(
                "This member unpacks to more bytes than the zip says it holds, so kindstep"
                " stopped reading it. The file may be damaged or crafted.",
                self.name,
            )
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _CountingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_zip(path: str | os.PathLike) -> bool:
    """Whether the file starts like a zip archive (local header or empty archive)."""
    try:
        with open(path, "rb") as fp:
            head = fp.read(4)
    except OSError:
        return False
    return head in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def check_file_size(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> int:
    """The file's size, refusing a missing, unreadable, empty or oversize file."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise ImportRefused(f"kindstep could not open this file ({exc.strerror}).", str(p)) from None
    if not stat.S_ISREG(st.st_mode):
        raise ImportRefused("This is not a regular file; please give the export file itself.", str(p))
    if st.st_size == 0:
        raise ImportRefused("This file is empty. Try exporting or copying it again.", str(p))
    if st.st_size > limits.max_file_bytes:
        raise ImportRefused(
            f"This file is larger ({st.st_size // MIB} MB) than the"
            f" {limits.max_file_bytes // MIB} MB kindstep reads.",
            str(p),
        )
    return st.st_size


def read_limited(source: str | os.PathLike | bytes | BinaryIO, what: str,
                 limit: int = ACTIVITY_FILE_BYTES) -> bytes:
    """The bytes of ``source`` (gzip undone), refusing more than ``limit`` bytes.

    ``what`` names the kind of file in messages ("GPX", "activity").
    """
    try:
        if isinstance(source, bytes | bytearray | memoryview):
            data = bytes(source[: limit + 1])
        elif isinstance(source, str | os.PathLike):
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
        else:
            data = source.read(limit + 1)
    except OSError as error:
        raise ImportRefused(f"The {what} file could not be opened: {error.strerror or error}.") from None
    if len(data) > limit:
        raise ImportRefused(
            f"This {what} file is larger than {limit // MIB} MB, kindstep's limit "
            "for one file. Splitting it, or exporting a shorter period, will help."
        )
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = unzipped.read(limit + 1)
        except (OSError, EOFError, ValueError):
            raise ImportRefused(
                f"This {what} file is gzip-compressed but the compressed data is incomplete "
                "or damaged. Downloading it again may help."
            ) from None
        if len(data) > limit:
            raise ImportRefused(f"This {what} file unpacks to more than {limit // MIB} MB.")
    return data


def open_zip(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> SafeZip:
    """Open a zip after checking its whole directory; raise ImportRefused naming the first problem.

    Refuses: a damaged or truncated archive, more than ``max_members``
    members, a declared total or member size over the limits, a member
    compressed more than ``max_ratio`` times (above ``ratio_floor`` bytes),
    unsafe names, symbolic links, encrypted members, nested zips, and
    duplicate names.
    """
    p = Path(path)
    check_file_size(p, limits)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ImportRefused(
            f"This zip file is damaged or incomplete ({exc}). This often happens when a"
            " download or copy was interrupted; try exporting or copying it again.",
            str(p),
        ) from None
    try:
        _check_directory(zf, limits)
    except BaseException:
        zf.close()
        raise
    return SafeZip(zf, p, limits)


def _check_directory(zf: zipfile.ZipFile, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ImportRefused(
            f"This zip holds {len(infos)} files, more than the {limits.max_members} kindstep"
            " opens. Is it the right file?",
            "zip directory",
        )
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        why = _refuse_name(name)
        if why:
            raise ImportRefused(f"kindstep does not read zips where {why}.", name)
        if name in seen:
            raise ImportRefused("This zip holds two members with the same name.", name)
        seen.add(name)
        if _is_link(info):
            raise ImportRefused("This zip holds a link to another place; kindstep does not follow links.", name)
        if info.flag_bits & 0x1:
            raise ImportRefused("This member is encrypted; please export without a password.", name)
        if info.is_dir():
            continue
        if name.lower().endswith((".zip", ".jar", ".gz", ".7z")) and not name.lower().endswith(
                (".gpx.gz", ".tcx.gz", ".fit.gz")):  # Strava's activity files: undone by read_limited
            raise ImportRefused("This zip holds another archive inside it; kindstep reads one level only.", name)
        if info.file_size > limits.max_member_bytes:
            raise ImportRefused(
                f"This member would unpack to {info.file_size // MIB} MB, more than the"
                f" {limits.max_member_bytes // MIB} MB kindstep reads.",
                name,
            )
        if info.file_size > limits.ratio_floor and (
            info.compress_size == 0 or info.file_size / info.compress_size > limits.max_ratio
        ):
            raise ImportRefused(
                "This member is compressed far more than real exports are"
                f" (over {limits.max_ratio:.0f} to 1), which is how zip bombs look.",
                name,
            )
        total += info.file_size
        if total > limits.max_total_uncompressed:
            raise ImportRefused(
                f"This zip would unpack to more than {limits.max_total_uncompressed // GIB} GB.",
                "zip directory",
            )


# ---------------------------------------------------------------------------
# XML
# ---------------------------------------------------------------------------

_DOCTYPE = re.compile(rb"<!DOCTYPE\b")
_SUBSET_END = re.compile(rb"\]\s*>")
_ROOT = re.compile(rb"<[A-Za-z_]")


def strip_internal_dtd(head: bytes, max_dtd_bytes: int = 1 * MIB) -> tuple[bytes, bool]:
    """``head`` with its DOCTYPE declaration replaced by the same number of newlines.

    Returns the new bytes and whether a DOCTYPE was found. Only a DOCTYPE in
    the prolog (before the first element) is touched. The internal subset
    is found by its closing ``]>`` rather than parsed, so Apple's broken
    iOS 16.0/16.1 DTD (an ATTLIST left open) and stray ``>`` lines import.
    Raises ImportRefused when the declaration does not end within
    ``max_dtd_bytes``.

    >>> strip_internal_dtd(b'<?xml version="1.0"?>\\n<!DOCTYPE a [\\n<!ELEMENT a EMPTY>\\n]>\\n<a/>')
    (b'<?xml version="1.0"?>\\n\\n\\n\\n<a/>', True)
    """
    m = _DOCTYPE.search(head)
    if m is None:
        return head, False
    # Only in the prolog: no element may start before it (comments and PIs may).
    prolog = re.sub(rb"<!--.*?-->|<\?.*?\?>", b"", head[: m.start()], flags=re.S)
    if _ROOT.search(prolog):
        return head, False
    start = m.start()
    tail_from = head.find(b">", m.end())
    bracket = head.find(b"[", m.end())
    if bracket != -1 and (tail_from == -1 or bracket < tail_from):
        end_m = _SUBSET_END.search(head, bracket)
        if end_m is None:
            if len(head) - start >= max_dtd_bytes:
                raise ImportRefused(
                    "The file's DTD (its opening declarations) is far longer than Apple's;"
                    " kindstep stopped reading.",
                    "line 2",
                )
            raise ImportRefused(
                "The file's DTD (its opening declarations) never ends, so the file looks cut short."
                " Try exporting or copying it again.",
                "line 2",
            )
        end = end_m.end()
    else:
        if tail_from == -1:
            raise ImportRefused("The file's DOCTYPE declaration never ends.", "line 2")
        end = tail_from + 1
    newlines = head.count(b"\n", start, end)
    return head[:start] + b"\n" * newlines + head[end:], True


def xml_parser(
    *, forbid_dtd: bool = True, encoding: str | None = None, intern_names: bool = True,
    what: str = "this file",
) -> expat.XMLParserType:
    """A pyexpat parser that refuses entity declarations and external references.

    With ``forbid_dtd`` (the default) any DOCTYPE is refused too — right for
    GPX, TCX and anything else with no business carrying one. Apple Health
    exports are read with :func:`strip_internal_dtd` first, so their parser
    never sees a DTD at all. ``intern_names=False`` gives element and
    attribute names as new strings instead of looking each one up in a table
    first (the names still compare equal; only ``is`` would tell them apart).
    ``what`` ("this GPX file") begins the refusals' sentences.
    """
    p = expat.ParserCreate(encoding) if intern_names else expat.ParserCreate(encoding, intern=None)
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    subject = what[:1].upper() + what[1:]

    def where() -> str:
        return f"line {p.CurrentLineNumber}"

    def refuse_entity(*_args: object) -> None:
        raise ImportRefused(
            f"{subject} declares XML entities, which real exports never do and which can be"
            " used to attack a computer; kindstep does not read it.", where())

    def refuse_external(*_args: object) -> int:
        raise ImportRefused(
            f"{subject} refers to an outside resource (an external entity); kindstep never"
            " fetches those and does not read the file.", where())

    def refuse_doctype(*_args: object) -> None:
        raise ImportRefused(
            f"{subject} carries a document type declaration (DTD), which this kind of file"
            " never needs; kindstep leaves such files alone to keep your computer safe.",
            where())

    p.EntityDeclHandler = refuse_entity
    p.UnparsedEntityDeclHandler = refuse_entity
    p.ExternalEntityRefHandler = refuse_external
    if forbid_dtd:
        p.StartDoctypeDeclHandler = refuse_doctype
    return p


def xml_error(exc: expat.ExpatError, what: str = "the file") -> ImportRefused:
    """An expat error as a kind ImportRefused naming line and column, with a hint."""
    code = expat.errors.messages.get(exc.code, str(exc))
    hint = _HINTS.get(code, "The file may be damaged; try exporting it again.")
    return ImportRefused(
        f"kindstep could not read {what}: {code}. {hint}",
        f"line {exc.lineno}, column {exc.offset}",
    )


_HINTS = {
    expat.errors.XML_ERROR_NO_ELEMENTS: "The file ends early; it may have been cut short while"
    " exporting or copying, so exporting it again may help.",
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "The file ends in the middle of an element; it was"
    " probably cut short while exporting or copying, so exporting it again may help.",
    expat.errors.XML_ERROR_INVALID_TOKEN: "There is a character here that XML does not allow"
    " (often a stray control character or text saved in another encoding). Exporting again"
    " from the phone usually gives a clean file.",
    expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE: "One element names the same attribute twice."
    " Exporting again from the phone usually gives a clean file.",
    expat.errors.XML_ERROR_UNDEFINED_ENTITY: "The file uses an entity that was never declared"
    " (kindstep does not read entity declarations).",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "There is more content after the end of the"
    " document.",
    expat.errors.XML_ERROR_INCORRECT_ENCODING: "The file says one text encoding but uses another.",
    expat.errors.XML_ERROR_UNKNOWN_ENCODING: "The file uses a text encoding kindstep does not know;"
    " UTF-8 always works.",
}


C0_CONTROLS = bytes(c for c in range(32) if c not in (9, 10, 13))
"""Characters XML 1.0 never allows; iOS has written ``\\x0b`` into exports."""


def feed_xml(
    parser: expat.XMLParserType,
    chunks: Iterable[bytes],
    *,
    limits: Limits = DEFAULT_LIMITS,
    what: str = "the file",
    after_chunk: Callable[[int], None] | None = None,
) -> int:
    """Parse ``chunks`` to the end, always finishing the parse; returns bytes parsed.

    Truncation becomes an error (``Parse(b"", True)``), a single tag longer
    than ``limits.max_token_bytes`` is refused (which also bounds expat
    2.5's re-parsing of large tokens), and expat errors become ImportRefused
    with line and column. ``after_chunk(bytes_so_far)`` runs after each chunk.
    """
    fed = 0
    parse = parser.Parse
    try:
        for chunk in chunks:
            parse(chunk, False)
            fed += len(chunk)
            if fed - parser.CurrentByteIndex > limits.max_token_bytes:
                raise ImportRefused(
                    f"One element in {what} is longer than"
                    f" {limits.max_token_bytes // MIB} MB, far beyond anything a real export"
                    " holds; kindstep stopped reading.",
                    f"line {parser.CurrentLineNumber}",
                )
            if after_chunk is not None:
                after_chunk(fed)
        parse(b"", True)
    except expat.ExpatError as exc:
        raise xml_error(exc, what) from None
    except LookupError as exc:  # the declaration names an encoding expat and Python do not know
        name = str(exc).split(":")[-1].strip()
        raise ImportRefused(
            f"kindstep could not read {what}: it says it is written in an encoding kindstep does"
            f" not know ({name}). Exporting it again usually gives a clean file.",
            "line 1",
        ) from None
    return fed


def read_chunks(fp: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """Chunks of ``size`` bytes from a binary stream until it ends."""
    read = fp.read
    while True:
        data = read(size)
        if not data:
            return
        yield data


def parse_small_xml(
    data: bytes | BinaryIO,
    start: Callable[[str, dict[str, str]], None] | None = None,
    *,
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    what: str = "the file",
) -> None:
    """Parse a GPX/TCX-like document with DOCTYPE refused, calling ``start``/``end``/``text``.

    Elements nested deeper than ``limits.max_depth`` are refused as they
    open, before any handler sees them. With no handlers at all this is the
    check a document passes before another library (gpxpy) parses it. Spaces
    before the XML declaration (Strava writes TCX files so) are passed over,
    since XML allows nothing there.
    """
    p = xml_parser(forbid_dtd=True, what=what)
    p.buffer_text = True
    depth = 0
    max_depth = limits.max_depth

    def _start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > max_depth:
            raise ImportRefused(
                f"Elements in {what} are nested deeper than {max_depth} levels; real files never are.",
                f"line {p.CurrentLineNumber}",
            )
        if start is not None:
            start(name, attrs)

    def _end(name: str) -> None:
        nonlocal depth
        depth -= 1
        if end is not None:
            end(name)

    p.StartElementHandler = _start
    p.EndElementHandler = _end
    if text is not None:
        p.CharacterDataHandler = text
    chunks = [_declaration_first(data)] if isinstance(data, bytes) else read_chunks(data)
    feed_xml(p, chunks, limits=limits, what=what)


def _declaration_first(data: bytes) -> bytes:
    """``data`` without white space before its ``<?xml`` declaration (after any UTF-8 BOM).

    >>> _declaration_first(b"  <?xml version='1.0'?><a/>"), _declaration_first(b" <a/>")
    (b"<?xml version='1.0'?><a/>", b' <a/>')
    """
    bom = b"\xef\xbb\xbf" if data[:3] == b"\xef\xbb\xbf" else b""
    body = data[len(bom):]
    stripped = body.lstrip()
    if len(stripped) != len(body) and stripped.startswith(b"<?xml"):
        return bom + stripped
    return data
