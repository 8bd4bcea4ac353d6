"""Small readers for rendered pages: the text, a field's message, a form's CSRF token."""

from __future__ import annotations

import html
import re

from markupsafe import escape


def page(response) -> str:
    """The response body as text."""
    return response.content.decode()


def shows(response, text: str) -> bool:
    """True when ``text`` appears in the page, escaped exactly as a template escapes it."""
    return escape(text) in page(response)


def field_error(response, field_id: str) -> str | None:
    """The message shown beside the field ``field_id`` (``<p ... id="minutes-error">``), or None."""
    found = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', page(response), re.S
    )
    return html.unescape(found.group(1)) if found else None


def csrf_token(response) -> str:
    """The token a rendered form carries in its hidden input."""
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(response))
    assert found, "the page has no form with a CSRF token"
    return found.group(1)
