"""Activity deadlines in the words plans use, and the quarter they are due in.

Plans write "Succesivt avslut Q4", "Kontinuerligt, uppföljning Q4", "Sept Q3" or "Redovisat
till KS hösten -18". The text is kept as written; this module is the one reader of the
quarter it names, which is what activities are sorted and judged by.
"""

from __future__ import annotations

import re

_QUARTER = re.compile(r"\b(?:Q|K|kv\.?\s*|kvartal\s*)([1-4])\b", re.IGNORECASE)
_TERTIAL = re.compile(r"\b(?:T|tertial\s*)([1-3])\b", re.IGNORECASE)
# Month words and seasons, the last quarter they fall in. Longest spellings first.
_MONTHS = (
    ("januari", 1),
    ("februari", 1),
    ("mars", 1),
    ("april", 2),
    ("maj", 2),
    ("juni", 2),
    ("juli", 3),
    ("augusti", 3),
    ("september", 3),
    ("oktober", 4),
    ("november", 4),
    ("december", 4),
    ("jan", 1),
    ("feb", 1),
    ("mar", 1),
    ("apr", 2),
    ("jun", 2),
    ("jul", 3),
    ("aug", 3),
    ("sept", 3),
    ("sep", 3),
    ("okt", 4),
    ("nov", 4),
    ("dec", 4),
    ("våren", 2),
    ("vår", 2),
    ("sommaren", 3),
    ("hösten", 4),
    ("höst", 4),
    ("vintern", 4),
    ("årsskiftet", 4),
    ("helår", 4),
    ("hela året", 4),
)
_TERTIAL_END_QUARTER = {1: 2, 2: 3, 3: 4}


def due_quarter(text: str) -> int | None:
    """The quarter (1–4) a deadline text names, or None for ongoing work with no quarter.

    A quarter written out wins ("Kontinuerligt, uppföljning Q4" → 4); otherwise a tertial,
    then the last month or season the text names ("Redovisat till KS hösten -18" → 4).
    """
    quarters = [int(match) for match in _QUARTER.findall(text)]
    if quarters:
        return max(quarters)
    tertials = [int(match) for match in _TERTIAL.findall(text)]
    if tertials:
        return _TERTIAL_END_QUARTER[max(tertials)]
    lowered = text.lower()
    found = [
        quarter
        for word, quarter in _MONTHS
        if re.search(rf"(?<![a-zåäö]){re.escape(word)}(?![a-zåäö])", lowered)
    ]
    return max(found) if found else None
