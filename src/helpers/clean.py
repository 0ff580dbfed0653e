"""Cleaning in two layers (see DESIGN.md).

1. **Model text** (:func:`clean_text`, column ``articles.text``): what the NER, sentiment
   and stance models read and what every offset refers to. It stays close to the text as
   written: Unicode NFC (Arabic presentation forms as plain letters), tatweel and
   invisible marks removed, glued punctuation given its space, whitespace tidied with
   line breaks kept (a headline is a line), and diacritics removed (see
   :func:`clean_text` for why).
2. **Match key** (:func:`match_key`): for comparing and merging words and names, never for
   display. Unicode NFKC, Persian/Urdu letters as their Arabic forms (ی -> ي, ک -> ك),
   alef variants unified, alef maqsura -> yaa, taa marbuta -> haa, no diacritics
   (camel-tools' normalisers and dediacritiser).

``raw_text`` (as read) is always kept beside ``text`` by :func:`clean_articles`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

TATWEEL = "\u0640"

# Invisible format characters that carry no meaning for the models: BOM / zero-width
# no-break space, zero-width space, ZWNJ, ZWJ, LRM, RLM, Arabic letter mark, the bidi
# embeddings/overrides/isolates, word joiner and soft hyphen.
INVISIBLE = (
    "\ufeff\u200b\u200c\u200d\u200e\u200f\u061c"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2060\u00ad"
)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}{TATWEEL}]+")

# Arabic letters (hamza..yaa, plus the extended letters used for names and loanwords).
ARABIC_LETTER = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06fc"
_AR = f"[{ARABIC_LETTER}]"

# A full stop glued to the next word: at least two Arabic letters on both sides, so that
# one-letter Arabic abbreviations such as "د.ب.أ" (dpa) or "أ.ف.ب" (AFP) stay as written.
# Latin abbreviations (U.S.), decimals (3.5), dates (15.06.2020), URLs and e-mail
# addresses are never touched because they are not Arabic letters on both sides; Arabic
# text inside URLs and e-mail addresses is protected explicitly (_PROTECTED).
_GLUED_STOP = re.compile(rf"(?<={_AR}{_AR})\.(?={_AR}{_AR})")
# Arabic question mark, exclamation mark, semicolon and comma glued to a following word.
_GLUED_MARK = re.compile(rf"(?<=\S)([؟!؛،])(?={_AR})")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Arabic presentation forms (contextual glyph shapes and ligatures, U+FB50-U+FDFF and
# U+FE70-U+FEFF), found in text copied from PDFs: NFKC gives the plain letters.
_PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")

#: Persian, Urdu and Kurdish letters mapped to the Arabic letter they stand for in the
#: match key (a Persian keyboard types ی and ک for Arabic ي and ك).
PERSIAN_TO_ARABIC = str.maketrans({
    "\u06cc": "\u064a",  # ی Farsi yeh -> ي
    "\u06d0": "\u064a",  # ې -> ي
    "\u06d2": "\u064a",  # ے Urdu yeh barree -> ي
    "\u06d3": "\u064a",  # ۓ -> ي
    "\u06a9": "\u0643",  # ک keheh -> ك
    "\u06aa": "\u0643",  # ڪ swash kaf -> ك
    "\u06d5": "\u0647",  # ە Kurdish ae -> ه
    "\u06c0": "\u0647",  # ۀ heh with yeh above -> ه
    "\u06c1": "\u0647",  # ہ heh goal -> ه
    "\u06c2": "\u0647",  # ۂ -> ه
    "\u06be": "\u0647",  # ھ heh doachashmee -> ه
    "\u06c3": "\u0629",  # ۃ teh marbuta goal -> ة (then ه, like every taa marbuta)
})

# runs of whitespace other than the line break that are not already one plain space
_HSPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")
_SPACE_AROUND_NEWLINE = re.compile(r" +\n|\n +")
_ANY_SPACE = re.compile(r"\s{2,}|[^\S ]")
_MANY_NEWLINES = re.compile(r"\n{3,}")


def normalize_presentation_forms(text: str) -> str:
    """Replace Arabic presentation forms (glyph shapes and ligatures, U+FB50-U+FDFF and
    U+FE70-U+FEFF, common in text copied from PDFs) by the letters they show (NFKC);
    every other character is left as it is.

    >>> normalize_presentation_forms("\ufedf\ufef4\ufe92\ufef4\ufe8e") == "ليبيا"
    True
    """
    if not _PRESENTATION_RE.search(text):
        return text
    return _PRESENTATION_RE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def remove_invisible(text: str) -> str:
    """Remove tatweel and invisible format characters (BOM, LRM/RLM, zero-width ...).

    >>> remove_invisible("\\u200fليبيـــا\\u200b")
    'ليبيا'
    """
    return _INVISIBLE_RE.sub("", text)


def normalize_whitespace(text: str) -> str:
    """Tidy whitespace but keep line breaks: CRLF/CR -> LF, tabs and no-break spaces ->
    one space, no spaces at line ends, at most one empty line in a row, no blank
    lines at the start or end.

    >>> normalize_whitespace("تعاون تركي روسي \\r\\n\\r\\n\\r\\n على  صعيد\\u00a0آخر ")
    'تعاون تركي روسي\\n\\nعلى صعيد آخر'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    text = _HSPACE.sub(" ", text)
    while _SPACE_AROUND_NEWLINE.search(text):  # " \n \n" needs two passes
        text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


def repair_glued_punctuation(text: str) -> str:
    """Give a glued full stop (and ``؟ ! ؛ ،``) its missing space before the next Arabic word.

    Only a full stop between two Arabic words of at least two letters each is repaired,
    so decimals, dates, Latin abbreviations, one-letter Arabic abbreviations
    (``د.ب.أ``), URLs and e-mail addresses stay as written.

    >>> repair_glued_punctuation("قوات حفتر.وقال الوزير إن 3.5 مليون ...")
    'قوات حفتر. وقال الوزير إن 3.5 مليون ...'
    >>> repair_glued_punctuation("نقلت د.ب.أ عن U.S. officials")
    'نقلت د.ب.أ عن U.S. officials'
    """
    protected = [m.span() for m in _URL.finditer(text)]
    if "@" in text:
        protected += [m.span() for m in _EMAIL.finditer(text)]
    out: list[str] = []
    last = 0
    for start, end in sorted(protected):
        if start < last:  # an e-mail address inside a URL
            continue
        out.append(_repair_segment(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(_repair_segment(text[last:]))
    return "".join(out)


def _repair_segment(segment: str) -> str:
    segment = _GLUED_STOP.sub(". ", segment)
    return _GLUED_MARK.sub(r"\1 ", segment)


def clean_text(raw: str, *, keep_diacritics: bool = False) -> str:
    """The model text: what NER, sentiment and stance read; every offset refers to it.

    Steps: Unicode NFC, with Arabic presentation forms replaced by the letters they show
    (:func:`normalize_presentation_forms`); tatweel and invisible marks (U+200E/U+200F,
    zero-width characters, BOM, bidi controls) removed; glued punctuation repaired
    (:func:`repair_glued_punctuation`); whitespace tidied with line breaks kept
    (:func:`normalize_whitespace`), because headlines are lines without final
    punctuation; diacritics (harakat, tanwin, shadda, sukun, dagger alef) removed.

    Why diacritics go: CAMeLBERT's model cards say its pre-training text had diacritics
    and kashida removed with CAMeL Tools, and ANERcorp, on which both CAMeLBERT-NER and
    the bundled model were fine-tuned, is practically undiacritised. camel-tools' own NER
    (``camel_tools/ner/__init__.py``) does no dediacritisation before tokenising, so
    it must happen here: with ``do_lower_case=False`` (needed to keep hamza, see
    DESIGN.md) a diacritic would reach the WordPiece vocabulary and split ``لغّمت`` into
    rare pieces. Letters, hamza and madda are kept, and the reader can always compare
    with ``raw_text``. Pass ``keep_diacritics=True`` to keep them (e.g. for display).

    >>> clean_text("قوات حفتر.وقال إنها لغّمت الطرق\\u200f")
    'قوات حفتر. وقال إنها لغمت الطرق'
    >>> clean_text("عنوان بلا نقطة  \\r\\nالنص ـــ الجلَوس")
    'عنوان بلا نقطة\\nالنص الجلوس'
    """
    if not isinstance(raw, str):
        raise TypeError(f"clean_text expects a string, got {type(raw).__name__}; "
                        "convert the value with str() or drop missing texts first.")
    text = normalize_presentation_forms(unicodedata.normalize("NFC", raw))
    text = remove_invisible(text)
    if not keep_diacritics:
        text = dediac_ar(text)
    text = repair_glued_punctuation(text)
    return normalize_whitespace(text)


def clean_articles(articles: pd.DataFrame, *, keep_diacritics: bool = False) -> pd.DataFrame:
    """Return a copy of ``articles`` with ``text`` filled from ``raw_text`` by :func:`clean_text`.

    ``raw_text`` is left as read, so the two can be compared side by side.
    """
    if "raw_text" not in articles.columns:
        raise KeyError("clean_articles needs a 'raw_text' column; build the table with "
                       "helpers.corpus.load_corpus().")
    out = articles.copy()
    out["text"] = [clean_text(t, keep_diacritics=keep_diacritics) for t in out["raw_text"]]
    return out


def match_key(text: str) -> str:
    """Key for matching and merging: Unicode NFKC (presentation forms and ligatures become
    plain letters), Persian/Urdu letters as their Arabic forms (:data:`PERSIAN_TO_ARABIC`:
    ی -> ي, ک -> ك, ۀ ہ ھ ە -> ه ...), no diacritics, tatweel or invisible marks, alef
    variants unified, alef maqsura -> yaa, taa marbuta -> haa, spaces collapsed.

    >>> match_key("الجلَوس إلى المدينة")
    'الجلوس الي المدينه'
    >>> match_key("لغّمت") == match_key("لغمت")
    True
    >>> match_key("ترکیا") == match_key("تركيا") == match_key("\ufe97\ufeae\ufedb\ufef4\ufe8e")
    True
    """
    if type(text) is str and len(text) <= _SHORT_KEY:  # words and names: hot, and repeated
        return _short_match_key(text)
    return _match_key(text)


#: strings up to this length (words, names) have their match key cached
_SHORT_KEY = 64


@lru_cache(maxsize=262_144)
def _short_match_key(text: str) -> str:
    return _match_key(text)


def _match_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(PERSIAN_TO_ARABIC)
    text = remove_invisible(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return _ANY_SPACE.sub(" ", text).strip()


#: Shortest stem left after removing proclitics.
MIN_STEM = 2


@lru_cache(maxsize=65536)
def clitic_candidates(key: str) -> tuple[str, ...]:
    """Forms of a match key with its proclitics removed: the key itself first, then ever
    shorter forms (conjunction و/ف, preposition ب/ل/ك, article ال, ل + ال written لل; the
    article kept and dropped). A stem keeps at least :data:`MIN_STEM` letters.

    >>> clitic_candidates("وللامم")
    ('وللامم', 'للامم', 'الامم', 'لامم', 'امم')
    >>> clitic_candidates("لندن")  # a name starting like a preposition gets a (wrong) form too
    ('لندن', 'ندن')
    """
    found = [key]
    for conj in ("", "و", "ف"):
        for prep in ("", "ب", "ل", "ك"):
            for article in (False, True):
                if not (conj or prep or article):
                    continue
                prefix = conj + (("لل" if prep == "ل" else prep + "ال") if article else prep)
                if not key.startswith(prefix) or len(key) - len(prefix) < MIN_STEM:
                    continue
                stem = key[len(prefix):]
                found.extend(["ال" + stem, stem] if article else [stem])
    return tuple(sorted(dict.fromkeys(found), key=lambda k: (k != key, -len(k))))


def strip_clitics(word: str, *, verbs: bool = False) -> list[str]:
    """Candidate match keys of one word: :func:`clitic_candidates` of its match key, least
    stripped first. With ``verbs=True`` (lexicon and stance triggers, never names) the
    future prefix س before an imperfect verb is removed too: سيهاجم -> يهاجم. This is the
    clitic stripper of actors, sentiment and stance. (The bundled NER model's features keep
    their own, stricter one, :func:`helpers.ner_bundled.strip_proclitics`: with this one
    its cross-validated F1 drops by half a point, see its model card.)

    >>> strip_clitics("وبالحكومة")
    ['وبالحكومه', 'بالحكومه', 'الحكومه', 'حكومه']
    >>> strip_clitics("للجيش")
    ['للجيش', 'الجيش', 'لجيش', 'جيش']
    >>> strip_clitics("وسيهاجم", verbs=True)[-1]
    'يهاجم'
    >>> "ياسي" in strip_clitics("السياسي", verbs=True)  # never after the article or on a nisba
    False
    """
    key = match_key(word)
    forms = list(clitic_candidates(key))
    if verbs and not key.endswith(_NISBA_ENDINGS):
        # the future prefix س: never after the article, nor before a nisba ending
        # ((ال)سياسي is not ال + س + ياسي, يأس)
        forms += [f[1:] for f in forms if len(f) > 3 and f[0] == "س" and f[1] in "يتنا"
                  and "ال" not in key[:len(key) - len(f)]]
    return list(dict.fromkeys(forms))


_NISBA_ENDINGS = ("ي", "يه", "يين", "يون", "يات")


_DIACRITIC_RE = re.compile("[\u064b-\u0652\u0670]")
_INVISIBLE_ANY = re.compile(f"[{INVISIBLE}]")


def show_invisible(text: str) -> str:
    """Make invisible marks visible for display, e.g. ``<U+200F>`` for a right-to-left mark.

    >>> show_invisible("\u200fليبيا")
    '<U+200F>ليبيا'
    """
    return _INVISIBLE_ANY.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def cleaning_changes(raw: str) -> pd.DataFrame:
    """What :func:`clean_text` changes in ``raw``, one row per changed word.

    Columns: ``change`` (glued punctuation, diacritics, tatweel, invisible mark, Unicode
    NFC), ``raw`` (invisible marks shown as ``<U+200F>``), ``text`` (the cleaned word)
    and ``match_key``. Whitespace changes are not listed.

    >>> cleaning_changes("قوات حفتر.وقال إنها لغّمت")[["change", "text"]].values.tolist()
    [['glued punctuation', 'حفتر. وقال'], ['diacritics', 'لغمت']]
    """
    rows = []
    for chunk in raw.split():
        cleaned = clean_text(chunk)
        if cleaned == chunk:
            continue
        nfc = unicodedata.normalize("NFC", chunk)
        changes = [
            name
            for name, hit in [
                ("glued punctuation", cleaned.count(" ") > chunk.count(" ")),
                ("diacritics", bool(_DIACRITIC_RE.search(nfc))),
                ("tatweel", TATWEEL in chunk),
                ("invisible mark", bool(_INVISIBLE_ANY.search(chunk))),
                ("Unicode NFC", nfc != chunk),
            ]
            if hit
        ]
        rows.append((", ".join(changes), show_invisible(chunk), cleaned, match_key(cleaned)))
    return pd.DataFrame(rows, columns=["change", "raw", "text", "match_key"])
