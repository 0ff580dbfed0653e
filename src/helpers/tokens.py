"""Word tokenisation with character offsets, shared by NER, actors, sentiment and stance.

Words are runs of letters, digits and Arabic combining marks; every other visible
character (punctuation, quotes, brackets) is a token of its own, as in ANERcorp.
Decimal numbers (``3.5``, ``٣٫٥``) stay one token.
"""

from __future__ import annotations

import re
from functools import lru_cache

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
TOKEN_RE = re.compile(rf"\d+(?:[.,\u066b]\d+)+|[\w{_MARKS}]+|[^\w\s{_MARKS}]")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words and punctuation tokens of ``text``.

    >>> s = "قوات حفتر، لغّمت 3.5 كم."
    >>> [s[a:b] for a, b in word_spans(s)]
    ['قوات', 'حفتر', '،', 'لغّمت', '3.5', 'كم', '.']
    """
    return list(_spans(text))


@lru_cache(maxsize=8192)
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    # one sentence is tokenised by NER, actors, sentiment (once per mention) and stance
    return tuple(m.span() for m in TOKEN_RE.finditer(text))


def words(text: str) -> list[str]:
    """The tokens of ``text`` as strings (see :func:`word_spans`).

    >>> words("تدعم باريس حفتر.")
    ['تدعم', 'باريس', 'حفتر', '.']
    """
    return [text[a:b] for a, b in word_spans(text)]
