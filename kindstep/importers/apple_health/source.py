"""Opening an export: a zip (read in place, never extracted) or a bare ``export.xml``.

:class:`ExportSource` finds the XML and the workout route files beside it.
In a zip, ``export.xml`` is found by sniffing the first KB of each ``.xml``
member for ``<HealthData`` (its name is localized: ``exportar.xml``,
``导出.xml``); ``export_cda.xml`` is ignored. Unsafe zips are refused by
:mod:`kindstep.importers.hardening` before anything is read.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Self

from kindstep.importers import hardening
from kindstep.importers.apple_health.routes import RouteSummary, route_summary_of
from kindstep.importers.hardening import DEFAULT_LIMITS, Limits
from kindstep.importers.rows import ImportRefused


class ExportSource:
    """An opened export: the XML stream, its size, and the route files beside it."""

    def __init__(self, path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.limits = limits
        self.zip: hardening.SafeZip | None = None
        self.xml_name = ""
        self.xml_size = 0
        self._base: Path | None = None
        hardening.check_file_size(self.path, limits)
        if hardening.is_zip(self.path):
            self.zip = hardening.open_zip(self.path, limits)
            try:
                self.xml_name = self._find_xml()
            except BaseException:
                self.zip.close()
                raise
            self.xml_size = self.zip.size(self.xml_name)
            self._root = str(PurePosixPath(self.xml_name).parent)
        else:
            self.xml_name = self.path.name
            self.xml_size = self.path.stat().st_size
            self._base = self.path.parent

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def _find_xml(self) -> str:
        assert self.zip is not None
        found = []
        for name in self.zip.members():
            if not name.lower().endswith(".xml") or PurePosixPath(name).name == "export_cda.xml":
                continue
            with self.zip.open(name) as fp:
                head = fp.read(4096)
            if b"<HealthData" in head or b"<!DOCTYPE HealthData" in head:
                found.append(name)
        if not found:
            raise ImportRefused(
                "This zip holds no Apple Health export (an XML file starting with <HealthData>)."
                " On the iPhone: Health, your picture, Export All Health Data.",
                str(self.path),
            )
        # The phone's layout first (apple_health_export/export.xml), then the largest.
        found.sort(key=lambda n: (n.count("/") != 1, -self.zip.size(n)))  # type: ignore[union-attr]
        return found[0]

    def open_xml(self) -> BinaryIO:
        if self.zip is not None:
            return self.zip.open(self.xml_name)
        return open(self.path, "rb")

    def where(self) -> str:
        return f"{self.path.name}: {self.xml_name}" if self.zip is not None else self.path.name

    def route_member(self, path: str) -> str | None:
        """The zip member or file a ``FileReference path`` names, if it exists and is safe."""
        rel = path.lstrip("/")
        if not rel or "\\" in rel or ".." in PurePosixPath(rel).parts:
            return None
        if self.zip is not None:
            name = f"{self._root}/{rel}" if self._root not in ("", ".") else rel
            return name if name in self._members() else None
        assert self._base is not None
        candidate = self._base / rel
        try:
            if candidate.is_symlink() or not candidate.is_file():
                return None
            candidate.resolve().relative_to(self._base.resolve())
        except (OSError, ValueError):
            return None
        return str(candidate)

    def _members(self) -> set[str]:
        if not hasattr(self, "_member_set"):
            self._member_set = set(self.zip.members()) if self.zip is not None else set()
        return self._member_set

    def route_members(self) -> list[str]:
        """Every ``.gpx`` file of the export (zip members or files under ``workout-routes/``)."""
        if self.zip is not None:
            return [n for n in self.zip.members() if n.lower().endswith(".gpx")]
        assert self._base is not None
        folder = self._base / "workout-routes"
        if not folder.is_dir() or folder.is_symlink():
            return []
        return [str(p) for p in sorted(folder.glob("*.gpx")) if p.is_file() and not p.is_symlink()]

    def read_route(self, member: str) -> RouteSummary:
        """Points and length of one route file; a damaged route yields a ``problem``, never an error."""
        try:
            if self.zip is not None:
                return route_summary_of(lambda: self.zip.open(member), member, self.limits)
            if os.path.getsize(member) > 256 * hardening.MIB:
                return RouteSummary(member, problem="the route file is larger than 256 MB")
            return route_summary_of(lambda: open(member, "rb"), member, self.limits)
        except ImportRefused as exc:
            return RouteSummary(member, problem=str(exc))
        except OSError as exc:
            return RouteSummary(member, problem=f"could not be opened ({exc.strerror})")


def open_export(path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS) -> ExportSource:
    """Open an export zip or XML, refusing unsafe zips and zips with no export in them."""
    return ExportSource(path, limits)

