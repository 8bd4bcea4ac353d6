#!/usr/bin/env python3
"""Draw kindstep's phone icons (the favicon's calm green circle and smile) as PNGs.

Run from the checkout: ``.venv/bin/python scripts/make_icons.py``. It writes
``kindstep/web/static/kindstep/icons/``: ``icon-192.png`` and ``icon-512.png``
(the circle on a clear background, for "any" use), ``maskable-192.png`` and
``maskable-512.png`` (full-bleed, the drawing inside the central 80% safe zone
that Android's masks keep, per the W3C manifest spec's "maskable" purpose), and
``apple-touch-icon.png`` (180 px, opaque: iOS rounds the corners itself).
Drawn four times larger and scaled down, for smooth edges. Pillow comes with
matplotlib, already a dependency.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = "#2f5f57"
"""The site's accent colour (``--accent`` in kindstep.css); the manifest's theme colour."""
WHITE = "#ffffff"
OUT = Path(__file__).resolve().parents[1] / "kindstep" / "web" / "static" / "kindstep" / "icons"
SCALE = 4


def draw(size: int, *, full_bleed: bool, circle: float) -> Image.Image:
    """The icon at ``size`` px; ``circle`` is the circle's diameter as a share of the side."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), ACCENT if full_bleed else (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    r = big * circle / 2
    c = big / 2
    if not full_bleed:
        pen.ellipse((c - r, c - r, c + r, c + r), fill=ACCENT)
    # The favicon's smile: an arc in the lower half of the circle, round-ended.
    width = max(2, round(r * 0.17))
    box = (c - r * 0.45, c - r * 0.55, c + r * 0.45, c + r * 0.42)
    pen.arc(box, start=30, end=150, fill=WHITE, width=width)
    for angle in (30, 150):  # round caps at both ends of the arc
        rx, ry = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
        x = c + rx * math.cos(math.radians(angle))
        y = (box[1] + box[3]) / 2 + ry * math.sin(math.radians(angle))
        inner = width / 2
        # Pillow draws an arc's stroke inside its box: step in by half the width.
        x -= math.cos(math.radians(angle)) * inner
        y -= math.sin(math.radians(angle)) * inner
        pen.ellipse((x - inner, y - inner, x + inner, y + inner), fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, full_bleed=False, circle=0.92).save(OUT / f"icon-{size}.png", optimize=True)
        draw(size, full_bleed=True, circle=0.8).save(OUT / f"maskable-{size}.png", optimize=True)
    draw(180, full_bleed=True, circle=0.84).convert("RGB").save(OUT / "apple-touch-icon.png",
                                                              optimize=True)
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.name}: {Image.open(path).size[0]} px, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
