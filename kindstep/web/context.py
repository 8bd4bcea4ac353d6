"""The site navigation every page shows (``site_nav()`` in kindstep/web/jinja.py)."""

from __future__ import annotations

NAV = (
    ("today", "Today"),
    ("move", "Move"),
    ("log", "Log"),
    ("history", "History"),
    ("rhythm", "Rhythm"),
    ("plans", "Plans"),
    ("checkins", "Check-ins"),
    ("insights", "Insights"),
    ("experiments", "Experiments"),
    ("why", "Why it helps"),
    ("import", "Import"),
    ("settings", "Settings"),
)
"""(URL name, label) of each page in the navigation, in order."""

from django.conf import settings  # noqa: E402 - read only when a page is drawn

if settings.MODE == "server":
    NAV = (*NAV, ("groups", "Groups"))  # quiet peer groups, by invitation (kindstep/groups)
    NAV = (*NAV, ("account_home", "Account"))  # sign-in, passkeys, signing out, deleting

ON_A_PHONE = 5
"""How many of NAV a narrow screen shows in a row; the rest sit under "More pages"."""
