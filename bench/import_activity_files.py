"""How long the GPX and TCX readers take on a file near the 50 MB limit, and how much memory.

Run: .venv/bin/python bench/import_activity_files.py [--points 200000] [--runs 3]

Writes, in a temporary folder, a GPX of ``--points`` track points in the
Health app's own layout (``<trkpt lon lat>`` with elevation, time, speed,
course and accuracy; 200,000 points is 40 MiB) and a TCX of four fifths as
many trackpoints (time, position, altitude, distance, heart rate; 45 MiB),
then reads each ``--runs`` times, every run in a fresh process so its peak
memory is its own. Prints the median CPU seconds, wall seconds and peak RSS
of ``rows()``, and for GPX the parts: the hardened check
(``hardening.parse_small_xml``) and gpxpy's parse. No database: the store's
writing of one session per file is not where the time goes.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="Apple Health Export"'
    ' xmlns="http://www.topografix.com/GPX/1/1">\n <metadata><time>2024-05-01T06:00:00Z</time>'
    "</metadata>\n <trk>\n  <name>Route 2024-05-01 6:00am</name>\n  <type>walking</type>\n"
    "  <trkseg>\n"
)
TCX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<TrainingCenterDatabase'
    ' xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">\n<Activities>'
    '<Activity Sport="Running"><Id>2024-05-01T06:00:00Z</Id>\n<Lap StartTime="2024-05-01T06:00:00Z">'
    "<TotalTimeSeconds>60000</TotalTimeSeconds><DistanceMeters>100000</DistanceMeters>"
    "<Calories>900</Calories><Track>\n"
)
START = datetime(2024, 5, 1, 6, 0, tzinfo=UTC)


def write_gpx(path: Path, points: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(GPX_HEAD)
        for i in range(points):
            lat, lon = 51.5 + 0.01 * math.sin(i / 500), -0.12 + 0.01 * math.cos(i / 700)
            t = START + timedelta(seconds=i * 0.4)
            f.write(f'   <trkpt lon="{lon:.6f}" lat="{lat:.6f}"><ele>{10 + i % 7:.6f}</ele>'
                    f"<time>{t:%Y-%m-%dT%H:%M:%S}Z</time><extensions><speed>1.234567</speed>"
                    "<course>123.45</course><hAcc>4.123</hAcc><vAcc>3.456</vAcc></extensions>"
                    "</trkpt>\n")
        f.write("  </trkseg>\n </trk>\n</gpx>\n")


def write_tcx(path: Path, points: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(TCX_HEAD)
        for i in range(points):
            t = START + timedelta(seconds=i * 0.3)
            f.write(f"<Trackpoint><Time>{t:%Y-%m-%dT%H:%M:%S.%f}Z</Time><Position>"
                    f"<LatitudeDegrees>51.5{i % 1000:03d}</LatitudeDegrees><LongitudeDegrees>"
                    f"-0.1{i % 999:03d}</LongitudeDegrees></Position><AltitudeMeters>12.5"
                    f"</AltitudeMeters><DistanceMeters>{i * 0.5:.1f}</DistanceMeters>"
                    "<HeartRateBpm><Value>140</Value></HeartRateBpm></Trackpoint>\n")
        f.write("</Track></Lap></Activity></Activities></TrainingCenterDatabase>\n")


ONE_RUN = r"""
import json, resource, sys, time
from datetime import UTC, datetime
sys.path.insert(0, sys.argv[3])
what, path = sys.argv[1], sys.argv[2]
now = datetime(2026, 12, 7, tzinfo=UTC)
wall, cpu = time.perf_counter(), time.process_time()
if what in ("gpx", "tcx"):
    import importlib
    rows = list(importlib.import_module(f"kindstep.importers.{what}").rows(path, now=now))
    result = [getattr(r, "minutes", None) for r in rows]
elif what == "check":
    from kindstep.importers.hardening import parse_small_xml
    parse_small_xml(open(path, "rb").read(), what="this GPX file")
    result = None
else:  # gpxpy alone, on the text the GPX reader hands it
    import gpxpy
    from kindstep.importers.gpx import _decode
    result = len(gpxpy.parse(_decode(open(path, "rb").read())).tracks)
print(json.dumps({"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "result": result}))
"""


def measure(what: str, path: Path, runs: int) -> dict:
    found = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", ONE_RUN, what, str(path), str(ROOT)],
                             capture_output=True, text=True, check=True)
        found.append(json.loads(out.stdout))
    return {key: statistics.median(r[key] for r in found) for key in ("cpu", "wall", "rss_mb")} | {
        "result": found[0]["result"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        gpx, tcx = Path(folder) / "big.gpx", Path(folder) / "big.tcx"
        write_gpx(gpx, args.points)
        write_tcx(tcx, args.points * 4 // 5)
        for label, what, path in (("GPX rows()", "gpx", gpx), ("  hardened check", "check", gpx),
                                  ("  gpxpy.parse", "gpxpy", gpx), ("TCX rows()", "tcx", tcx)):
            m = measure(what, path, args.runs)
            size = path.stat().st_size / 2**20
            print(f"{label:18} {size:5.1f} MB  cpu {m['cpu']:6.2f} s  wall {m['wall']:6.2f} s"
                  f"  peak RSS {m['rss_mb']:5.0f} MB  -> {m['result']}")


if __name__ == "__main__":
    main()
