"""Values every template may use."""

from __future__ import annotations

NAV = (
    ("today", "Today"),
    ("move", "Move"),
    ("log", "Log"),
    ("history", "History"),
    ("rhythm", "Rhythm"),
    ("checkins", "Check-ins"),
    ("why", "Why it helps"),
    ("settings", "Settings"),
)


def site(request) -> dict:
    """The navigation, with the current page marked for screen readers."""
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {"nav": NAV, "current": current}
