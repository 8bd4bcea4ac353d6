"""Values every template may use."""

from __future__ import annotations

NAV = (
    ("today", "Today"),
    ("move", "Move"),
    ("log", "Log"),
    ("history", "History"),
    ("rhythm", "Rhythm"),
    ("checkins", "Check-ins"),
    ("insights", "Insights"),
    ("experiments", "Experiments"),
    ("why", "Why it helps"),
    ("import", "Import"),
    ("settings", "Settings"),
)


_LINKS: list[tuple[str, str, str]] = []


def site(request) -> dict:
    """The navigation (name, label, path), with the current page's name for aria-current."""
    if not _LINKS:  # reversed once per process: the URLs never change while it runs
        from django.urls import reverse

        _LINKS.extend((name, label, reverse(name)) for name, label in NAV)
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {"nav": _LINKS, "current": current}
