"""What a person reads on a page, checked: sentence case and the words list (tests/words.py).

Pure (no Django), so browser tests in local mode can use it too.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from tests.words import unkind

NAMES = {"I", "OpenID", "Connect", "WebAuthn", "TOTP", "ID", "PHQ-9", "GAD-7", "Help"}
"""Words that keep their capital wherever they stand (names, acronyms, the Help now link)."""

TAGS = {"title", "h1", "h2", "h3", "button", "label", "a", "legend", "summary", "th"}


class _Texts(HTMLParser):
    """The text of each heading, button, label, link, legend and title on a page, and the
    page's whole visible text."""

    def __init__(self):
        super().__init__()
        self.open: list[list] = []
        self.items: list[str] = []
        self.text: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1
        if tag in TAGS:
            self.open.append([tag, ""])
        for name, value in attrs:
            if name in {"placeholder", "aria-label", "title"} and value:
                self.items.append(value)
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"}:
            self.items.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1
        if self.open and self.open[-1][0] == tag:
            self.items.append(self.open.pop()[1])

    def handle_data(self, data):
        if self.hidden:
            return
        self.text.append(data)
        for item in self.open:
            item[1] += data


def not_sentence_case(text: str) -> list[str]:
    """The words in ``text`` capitalised where a sentence would not capitalise them."""
    found = []
    for sentence in re.split(r"(?<=[.!?:·(])\s*|\s+[-–—]\s+", " ".join(text.split())):
        words = re.findall(r"[A-Za-z][\w'’-]*", sentence)
        found += [w for w in words[1:] if w[0].isupper() and not w.isupper() and w not in NAMES]
    return found


def check(html: str) -> list[str]:
    """What on the page is not in kindstep's words."""
    parser = _Texts()
    parser.feed(html)
    problems = [f"{item.strip()!r}: {words}" for item in parser.items
                if (words := not_sentence_case(unescape(item)))]
    return problems + [f"unkind: {w}" for w in unkind(unescape(" ".join(parser.text)))]
