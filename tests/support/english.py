"""Finding English on a page meant to be in French, Dutch or German: the text a person reads or hears (the page's
text, and the ``title``, ``aria-label``, ``placeholder`` and ``alt`` attributes), searched for words that are
English and nothing else in the fund's three languages. Proper names, codes and the usual acronyms (IBAN, BIC,
PDF, QR, INASTI, …) are not words of this list; ``ALLOWED`` holds the few phrases that are English on purpose."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: words that are English and not French, Dutch or German (not "is", "in", "was", "will", "also", "over", "plan",
#: "hand", "man", "die", "de", "on", "en", "an", "as" …)
TELLTALE = frozenset({
    "the", "and", "with", "which", "already", "cannot", "nothing", "should", "would", "been", "has", "have", "this",
    "these", "those", "your", "you", "yet", "not", "what", "when", "paid", "unpaid", "surcharge", "surcharges",
    "contribution", "contributions", "request", "requests", "quarter", "quarters", "payment", "payments", "waiver",
    "refused", "found", "unknown", "must", "only", "from", "by", "are", "were", "their", "there", "here",
    "than", "then", "whose", "who", "why", "debtor", "debt", "debts", "called", "owed", "within", "without",
    "until", "after", "before", "each", "every", "other", "any", "some", "asked", "ask", "month", "months", "year",
    "years", "day", "days", "files", "cases", "letter", "letters", "amount", "amounts", "down",
    "keep", "keeps", "running", "kept", "lost", "given", "gives", "takes", "costs", "saves", "changes", "apply",
    "applies", "allowed", "enforcement", "chosen", "choose"
})

#: text that may stay in English (a code, a proper name, a term of art); compared case-insensitively
ALLOWED = ("Open Banking",)

_WORD = re.compile(r"[^\W\d_]+")
_ATTRS = ("title", "aria-label", "placeholder", "alt")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg", "code", "pre"):
            self._skip += 1
        for name, value in attrs:
            if name in _ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg", "code", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def readable_text(html: str) -> list[str]:
    """The pieces of text of a page a person reads (or a screen reader says)."""
    p = _Text()
    p.feed(html)
    return [" ".join(t.split()) for t in p.parts if t.strip()]


def english(html: str) -> list[str]:
    """The pieces of text of the page that hold at least two English tell-tale words (one alone is often a name or
    a word shared with another language), or one followed by another English word of the list within the piece."""
    found = []
    for piece in readable_text(html):
        if " " not in piece and ("/" in piece or "_" in piece):
            continue  # a code: a transaction key, a parameter's name
        text = piece
        for ok in ALLOWED:
            text = re.sub(re.escape(ok), " ", text, flags=re.IGNORECASE)
        words = [w.lower() for w in _WORD.findall(text)]
        hits = [w for w in words if w in TELLTALE]
        if len(hits) >= 2 or (hits and len(words) <= 3):
            found.append(piece)
    return found
