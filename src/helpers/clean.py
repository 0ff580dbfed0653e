"""Cleaning in two layers: the model text and the match key (see DESIGN.md)."""

from __future__ import annotations

import re
import unicodedata

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

TATWEEL = "\u0640"


def match_key(text: str) -> str:
    """Key for matching and merging: no diacritics or tatweel, alef variants unified,
    alef maqsura -> yaa, taa marbuta -> haa, spaces collapsed.

    >>> match_key("الجلَوس إلى المدينة")
    'الجلوس الي المدينه'
    """
    text = unicodedata.normalize("NFC", text).replace(TATWEEL, "")
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return re.sub(r"\s+", " ", text).strip()
