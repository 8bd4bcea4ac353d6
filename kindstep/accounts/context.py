"""What kindstep's account pages (Django templates) share with its other pages (Jinja2)."""

from __future__ import annotations


def nav(request) -> dict:
    """The site's navigation (the same list items as every kindstep page) for a signed-in
    person; an anonymous visitor sees only the way in, and Help now in the footer."""
    from django.urls import reverse

    from kindstep.web.jinja import site_nav

    signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
    here = "account_home"
    return {
        "kindstep_nav": site_nav(here) if signed_in else "",
        "kindstep_nav_phone": site_nav(here, "phone") if signed_in else "",
        "kindstep_nav_more": site_nav(here, "more") if signed_in else "",
        "kindstep_help_url": reverse("help_now"),
        "kindstep_home_url": reverse("today"),
    }
