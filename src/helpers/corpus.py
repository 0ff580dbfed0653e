"""Load a corpus of Arabic news into the ``articles`` table (schema.ARTICLES).

``load_corpus`` reads a pasted string, one file, a folder (recursively, in sorted order)
or a list of these. Formats, by file extension:

* ``.txt``: the article text, optionally preceded by a front-matter block::

      ---
      title: اجتماع في القاهرة حول ليبيا
      date: 2020-06-06
      source: وكالة الأنباء
      url: https://example.org/article
      ---
      النص ...

  Known keys: ``title``, ``date``, ``date_precision``, ``date_note``, ``source``,
  ``url``, ``id``, ``kind``; any other key goes to the ``extra`` column.
* ``.jsonl`` (one JSON object per line) and ``.json`` (one object or a list): key
  ``text`` plus the keys above; other keys go to ``extra``. A line may say
  ``"kind": "chronology"``.
* ``.csv`` / ``.tsv``: one article per row; columns named like the keys above, or a
  mapping ``csv_columns={"text": "body", "date": "published", "title": "headline"}``.
* ``.html`` / ``.htm`` saved pages: main text and title extracted with trafilatura,
  the publication date with htmldate (through trafilatura, then htmldate directly).

Encodings are detected (or forced with ``encoding=``): UTF-8 with or without BOM (a
mostly-UTF-8 file with a few damaged bytes stays UTF-8), UTF-16/32 (BOM or not) and legacy
Arabic code pages such as Windows-1256 (charset-normalizer, accepted only when the
result is plausibly Arabic prose). Dates: ISO forms, day-first numeric dates, Arabic
month names (Egyptian ``يونيو``, Levantine ``حزيران``, Maghrebi ``جوان``, or two of
them as in ``4 أبريل/نيسان 2019``), English month names and Arabic-Indic digits;
month-only and year-only dates get ``date_precision`` "month" / "year".

Bad input never disappears silently, and one bad file never stops the others: the report
(:func:`get_load_report`, or the second value of :func:`read_corpus`) has one row per
problem with the file, the problem and the action (what was done, then how to fix it):
empty file, binary or random bytes, damaged UTF-8 (kept, with the damaged bytes' lines
and offsets), non-Arabic document, Persian or Urdu document (a note), duplicate (same
:func:`helpers.clean.match_key` text: the copy with the most metadata is kept), malformed
date (article kept with NaT), saved page without a date (a note), unsupported extension,
malformed CSV row or JSON record, unreadable file (permissions), special file (a FIFO,
socket or device: never opened), symbolic link loop or broken link, hidden file or
folder (name starting with '.'), very long text (a note). Actions that start with
``skipped`` (or say ``nothing loaded``) mean the input was not analysed; the others are
notes (:func:`split_report`). Only a missing path raises an error. ``README*`` files
inside a folder are documentation and are left out without a row.

Note: ``pd.concat`` of two tables that both carry a report in ``attrs`` fails in
pandas (it compares the attrs); pass a list of sources to ``load_corpus`` instead of
concatenating, or use :func:`read_corpus`, which returns the report separately.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import errno
import hashlib
import io
import json
import os
import re
import stat
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .clean import ARABIC_LETTER, clean_text, match_key
from .paths import CORPUS_DIR, REPO_ROOT
from .schema import ARTICLES, LOAD_REPORT
from .sentences import with_headline

EXTRA = "extra"  # column after schema.ARTICLES: dict of the keys we do not know, or None
TEXT_EXTENSIONS = {".txt", ".text"}
FORMATS = {
    **dict.fromkeys(TEXT_EXTENSIONS, "text"),
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
}
KNOWN_KEYS = ("id", "title", "date", "date_precision", "date_note", "source", "url", "kind")
KINDS = ("article", "chronology")
PRECISIONS = ("day", "month", "year")
TEXT_SOURCE = "<text>"


# --------------------------------------------------------------------------- dates

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_MONTH_NAMES = {
    # Egyptian / Gulf (transliterated Latin names), with common spellings
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12,
    # Levantine / Iraqi (Syriac names)
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
    "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
    "كانون الأول": 12,
    # Maghrebi (Algeria, Tunisia; Morocco)
    "جانفي": 1, "فيفري": 2, "أفريل": 4, "ماي": 5, "جوان": 6, "جويلية": 7, "أوت": 8,
    "يوليوز": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
    # English
    **{m: i + 1 for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split())},
    **{m: i + 1 for i, m in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split())},
    "sept": 9,
}
_MONTHS = {match_key(k).lower(): v for k, v in _MONTH_NAMES.items()}
_MONTH_RE = "|".join(sorted((re.escape(k) for k in _MONTHS), key=len, reverse=True))
_WEEKDAYS = re.compile(
    r"\b(?:الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday)\b"
)
_MONTH_PAIR = rf"({_MONTH_RE})(?:\s*[/(\-–]\s*({_MONTH_RE})\s*\)?)?"
_DATE_PATTERNS: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                r"(?:z|[+-]\d{2}:?\d{2})?)?"), "day", ("y", "m", "d")),
    (re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})"), "day", ("y", "m", "d")),
    (re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"), "day", ("d", "m", "y")),
    (re.compile(r"(\d{4})[-/](\d{1,2})"), "month", ("y", "m")),
    (re.compile(r"(\d{1,2})[-/](\d{4})"), "month", ("m", "y")),
    (re.compile(r"(\d{4})"), "year", ("y",)),
    (re.compile(rf"(\d{{1,2}})\s+(?:من\s+)?{_MONTH_PAIR}\s*(\d{{4}})"), "day",
     ("d", "mn", "mn2", "y")),
    (re.compile(rf"{_MONTH_PAIR}\s+(\d{{1,2}})\s+(\d{{4}})"), "day", ("mn", "mn2", "d", "y")),
    (re.compile(rf"{_MONTH_PAIR}\s*(\d{{4}})"), "month", ("mn", "mn2", "y")),
]


def _normalise_date_string(value: str) -> str:
    s = unicodedata.normalize("NFC", value).translate(_DIGITS)
    s = match_key(s).lower()
    s = _WEEKDAYS.sub(" ", s)
    s = s.replace("،", " ").replace(",", " ").replace("\u066c", "")
    s = re.sub(r"(?<=\d)\s*م\b", "", s)  # "2020م": Gregorian marker
    return re.sub(r"\s+", " ", s).strip(" .")


def parse_date(value: object, precision: str | None = None) -> tuple[pd.Timestamp, str | None]:
    """Parse a date as found in news metadata; return ``(timestamp, precision)``.

    ``precision`` is "day", "month" or "year" (the timestamp is then the first day of
    the month or year); a missing value gives ``(NaT, None)``. A value that is present
    but cannot be read raises ``ValueError`` with the reason. An explicit ``precision``
    (e.g. from front matter) overrides the one implied by the format.

    >>> parse_date("4 أبريل/نيسان 2019")
    (Timestamp('2019-04-04 00:00:00'), 'day')
    >>> parse_date("حزيران ٢٠٢٠")
    (Timestamp('2020-06-01 00:00:00'), 'month')
    >>> parse_date("2020")
    (Timestamp('2020-01-01 00:00:00'), 'year')
    """
    if precision is not None and precision not in PRECISIONS:
        raise ValueError(f"date_precision {precision!r} is not one of {', '.join(PRECISIONS)}")
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return pd.NaT, None
    if isinstance(value, pd.Timestamp | _dt.date):
        ts = pd.Timestamp(value)
        return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize(), precision or "day"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"a date must be text, got {type(value).__name__}")
    if not value.strip():
        return pd.NaT, None
    s = _normalise_date_string(value)
    if re.search(r"\d\s*(?:ه|هـ)\b|هجري", s):
        raise ValueError("Hijri dates are not supported; give the Gregorian date")
    for pattern, implied, parts in _DATE_PATTERNS:
        m = pattern.fullmatch(s)
        if not m:
            continue
        got = dict(zip(parts, m.groups(), strict=True))
        month = _month_from(got) if "mn" in got else int(got.get("m") or 1)
        year, day = int(got["y"]), int(got.get("d") or 1)
        if not 1000 <= year <= 2999:
            raise ValueError(f"year {year} is out of range")
        try:
            ts = pd.Timestamp(year=year, month=month, day=day)
        except ValueError as exc:
            raise ValueError(f"no such day ({exc})") from None
        prec = precision or implied
        if prec == "month":
            ts = ts.replace(day=1)
        elif prec == "year":
            ts = ts.replace(month=1, day=1)
        return ts, prec
    raise ValueError("unrecognised date format; use YYYY-MM-DD, YYYY-MM, YYYY or '4 أبريل 2019'")


def _month_from(got: dict[str, str | None]) -> int:
    first = _MONTHS[got["mn"] or ""]
    second = got.get("mn2")
    if second is not None and _MONTHS[second] != first:
        raise ValueError(f"the two month names disagree ({got['mn']} / {second})")
    return first


# --------------------------------------------------------------------------- bytes

_ARABIC_RE = re.compile(f"[{ARABIC_LETTER}]")
_LETTER_RE = re.compile(r"[^\W\d_]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def arabic_ratio(text: str) -> float:
    """Share of letters in ``text`` that are Arabic letters (0 when there are no letters).

    >>> round(arabic_ratio("ليبيا Libya"), 2)
    0.5
    """
    if len(text) > 300_000:  # a sample of the beginning, middle and end is enough
        mid = len(text) // 2
        text = text[:100_000] + text[mid - 50_000 : mid + 50_000] + text[-100_000:]
    letters = sum(1 for _ in _LETTER_RE.finditer(text))
    return sum(1 for _ in _ARABIC_RE.finditer(text)) / letters if letters else 0.0


# Letters that Urdu writes and Arabic never does (ٹ ڈ ڑ ں ھ ہ ے), and common Persian
# words that are not Arabic words, as match keys (ی/ک already read as ي/ك).
_URDU_LETTERS = re.compile("[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06d2]")
# Persian function words as Persian writes them (with ی and ک): compared as written, not by
# match key, which would turn آنها into انها = Arabic أنها. Words Arabic also uses (هم، شد)
# are left out.
_PERSIAN_WORDS = frozenset((
    "است", "را", "که", "می", "های", "برای", "از", "شده", "کرد", "بود", "نیز",
    "دارد", "کند", "آنها", "ایران", "خواهد", "باید", "میان", "این", "آن", "یک"))
_PERSIAN_MIN_WORDS = 3
_WORD_RE = re.compile(f"[{ARABIC_LETTER}]+")


def persian_or_urdu(text: str) -> str | None:
    """``"Urdu"``, ``"Persian"`` or ``None`` (Arabic, or too little text to tell), from
    letters Urdu uses and Arabic does not (at least 1% of the Arabic-script letters) and
    from common Persian words (at least 4% of the words). Arabic typed on a Persian
    keyboard (ی/ک for ي/ك) stays Arabic.

    >>> persian_or_urdu("وزیر امور خارجه ایران گفت که این سفر برای گفتگو است و از آن حمایت می کند")
    'Persian'
    >>> persian_or_urdu("قال وزیر الخارجیة الترکی إن أنقرة تدعم الحکومة") is None
    True
    """
    sample = text[:50_000]
    words = _WORD_RE.findall(sample)
    if len(words) < 8:
        return None
    letters = sum(map(len, words))
    if len(_URDU_LETTERS.findall(sample)) >= 0.01 * letters:
        return "Urdu"
    persian = sum(1 for w in words if w in _PERSIAN_WORDS)
    return "Persian" if persian >= max(_PERSIAN_MIN_WORDS, 0.04 * len(words)) else None


def _plausible(text: str) -> bool:
    """Decoded text that looks like Arabic prose, not mojibake or binary."""
    return _prose(text) and arabic_ratio(text) >= 0.5


def _prose(text: str) -> bool:
    """Decoded text that looks like prose in some script: few control characters, spaces
    between words, mostly letters. Random bytes map to letters in a legacy code page, but
    they have almost no spaces (one byte value in 256)."""
    if not text or len(_CONTROL_RE.findall(text)) > 0.01 * len(text):
        return False
    sample = text[:20000]
    if len(text) > 40 and sum(c.isspace() for c in sample) < 0.04 * len(sample):
        return False  # prose has spaces; bytes that merely map to letters do not
    visible = [c for c in sample if not c.isspace()]
    letters = sum(1 for c in visible if c.isalpha())
    return bool(visible) and letters >= 0.5 * len(visible)


_DECLARED_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _plausible_markup(html: str) -> bool:
    return _plausible(_MARKUP.sub(" ", html))


def _prose_markup(html: str) -> bool:
    return _prose(_MARKUP.sub(" ", html))


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
#: UTF-8 is kept (damaged bytes replaced) while the file has at least this many valid
#: multi-byte characters per invalid byte; Windows-1256 Arabic almost never forms one.
UTF8_MIN_VALID_PER_INVALID = 10


@dataclass(frozen=True)
class Damage:
    """Invalid UTF-8 bytes of a mostly-UTF-8 file: their byte offsets and line numbers."""

    offsets: tuple[int, ...]
    lines: tuple[int, ...]

    def describe(self, limit: int = 5) -> str:
        """e.g. ``3 damaged byte(s) in UTF-8 at line(s) 2, 7 (byte offsets 120, 121, 340)``."""
        def first(values: tuple[int, ...]) -> str:
            shown = ", ".join(map(str, values[:limit]))
            return shown + (f", ... ({len(values) - limit} more)" if len(values) > limit else "")
        return (f"{len(self.offsets)} damaged byte(s) in UTF-8 at line(s) "
                f"{first(tuple(dict.fromkeys(self.lines)))} (byte offsets {first(self.offsets)})")


def utf8_damage(data: bytes) -> tuple[Damage, int]:
    """The invalid bytes of ``data`` read as UTF-8, and the number of valid multi-byte
    (non-ASCII) characters; ``Damage((), ())`` for valid UTF-8. One linear pass.

    >>> damage, valid = utf8_damage("ليبيا".encode() + b"\\xff")
    >>> damage.offsets, damage.lines, valid
    ((10,), (1,), 5)
    """
    offsets: list[int] = []
    _DAMAGE.offsets = offsets
    try:
        data.decode("utf-8", errors=_DAMAGE_HANDLER)
    finally:
        _DAMAGE.offsets = None
    bad_leads = sum(1 for off in offsets if data[off] >= 0xC0)
    valid = sum(data.count(bytes([b])) for b in range(0xC0, 0x100)) - bad_leads
    lines, line, last = [], 1, 0
    for off in offsets[:1000]:  # ascending: count the line breaks once
        line += data.count(b"\n", last, off)
        lines.append(line)
        last = off
    return Damage(tuple(offsets), tuple(lines)), valid


_DAMAGE = threading.local()
_DAMAGE_HANDLER = "helpers-corpus-record"


def _record_damage(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    if getattr(_DAMAGE, "offsets", None) is not None:
        _DAMAGE.offsets.extend(range(exc.start, exc.end))
    return "\ufffd", exc.end


codecs.register_error(_DAMAGE_HANDLER, _record_damage)


def decode_bytes(data: bytes, *, html: bool = False,
                 encoding: str | None = None) -> tuple[str, str, int]:
    """Decode a file's bytes: return ``(text, encoding, n_replaced)``.

    Order: byte-order mark; UTF-16 without BOM (when NUL bytes occur); strict UTF-8;
    UTF-8 with a few damaged bytes (at least :data:`UTF8_MIN_VALID_PER_INVALID` valid
    multi-byte characters per invalid byte, or at most 3 invalid bytes in a short text
    with more valid characters than that: each invalid byte is replaced by U+FFFD and
    counted in ``n_replaced``; :func:`utf8_damage` says where); for HTML, the charset the
    page declares; charset-normalizer's guess, then Windows-1256 and ISO-8859-6, each
    accepted only when the decoded text (without markup, for HTML) is plausibly Arabic
    prose; last, a guess that gives prose in another script (the Arabic check of the
    loader then reports it). ``encoding`` forces one encoding (strict). Raises
    ``ValueError`` (binary file, undecodable bytes) otherwise; random bytes are refused.

    >>> decode_bytes("ليبيا".encode("cp1256"))[:2]
    ('ليبيا', 'cp1256')
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding, 0
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"undecodable bytes: not valid {encoding} (byte offset "
                             f"{exc.start})") from None
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", " with BOM"), 0
            except UnicodeDecodeError:
                raise ValueError(f"undecodable bytes: the file starts with a {name} "
                                 "byte-order mark but is not valid in that encoding") from None
    if b"\x00" in data:  # Arabic UTF-16 without BOM is also valid UTF-8 (bytes < 0x80)
        for name in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return text, name, 0
        raise ValueError("binary file (contains NUL bytes and is not UTF-16 text)")
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    damage, valid = utf8_damage(data)
    invalid = len(damage.offsets)
    if valid >= UTF8_MIN_VALID_PER_INVALID * invalid or (invalid <= 3 and valid > invalid):
        return data.decode("utf-8", errors="replace"), "utf-8", len(damage.offsets)
    plausible = _plausible_markup if html else _plausible
    if html and (m := _DECLARED_CHARSET.search(data[:4096])):
        declared = m.group(1).decode("ascii").lower()
        try:
            text = data.decode(declared)
            if plausible(text):
                return text, declared, 0
        except (UnicodeDecodeError, LookupError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guesses = [best.encoding] if best is not None else []
    for name in dict.fromkeys([*guesses, "cp1256", "iso8859_6"]):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if plausible(text):
            return text, name, 0
    if best is not None and (_prose_markup if html else _prose)(str(best)):
        return str(best), best.encoding, 0  # e.g. a Latin-1 page: the Arabic check reports it
    raise ValueError("undecodable bytes: not text in UTF-8, UTF-16 or an Arabic code page "
                     "(random or binary data?)")


# --------------------------------------------------------------------------- records


@dataclass
class _Loader:
    kind: str
    csv_columns: dict[str, str] | None
    min_arabic_ratio: float
    encoding: str | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    report: list[tuple[str, str, str]] = field(default_factory=list)
    order: dict[str, int] = field(default_factory=dict)  # file -> position in reading order

    def note(self, where: str, problem: str, action: str) -> None:
        self.seen(where)
        self.report.append((where, problem, action))

    def seen(self, where: str) -> None:
        self.order.setdefault(where, len(self.order))

    # one item of ``source``
    def add_source(self, item: str | Path) -> None:
        if isinstance(item, str) and not _looks_like_path(item):
            self.add_record({}, item, path=TEXT_SOURCE, where=TEXT_SOURCE,
                            default_id="text-" + _short_hash(item), parse_front=True)
            return
        path = Path(item).expanduser()
        if not path.exists():
            if path.is_symlink():  # exists() is False for a broken link or a loop
                self.note(_display(path, None), *_bad_link(path))
                return
            raise FileNotFoundError(
                f"No such file or folder: '{item}'. Check the spelling; a relative path is "
                f"read from the current folder ('{Path.cwd().name}/', which is notebooks/ "
                "inside a notebook), so use an absolute path or helpers.paths.CORPUS_DIR. "
                "To load text itself, pass a string that contains the text."
            )
        if path.is_dir():
            entries = _list_folder(path)
            if not entries:
                self.note(_display(path, None), "no files in the folder", "nothing loaded")
            for file, problem, action in entries:
                if problem is None:
                    self.add_file(file, root=path)
                else:
                    self.note(_display(file, path), problem, action or "skipped")
        else:
            self.add_file(path, root=None)

    def add_file(self, path: Path, root: Path | None) -> None:
        shown = _display(path, root)
        self.seen(shown)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            self.note(shown, f"cannot be read: {exc.strerror or exc}", _UNREADABLE)
            return
        if not stat.S_ISREG(mode):  # a FIFO would block open() forever: never open one
            self.note(shown, f"special file: {_special_kind(mode)}, not a regular file",
                      "skipped; only regular files are read: save the article as a file")
            return
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            self.note(shown, f"unsupported extension '{path.suffix or '(none)'}'",
                      "skipped; save it as .txt, .jsonl, .csv or .html")
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.note(shown, f"cannot be read: {exc.strerror or exc}", _UNREADABLE)
            return
        if not data.strip(b" \t\r\n\x00"):
            self.note(shown, "empty file", "skipped; put the article's text in the file")
            return
        try:
            text, encoding, replaced = decode_bytes(data, html=fmt == "html",
                                                    encoding=self.encoding)
        except ValueError as exc:
            fix = ("omit --encoding (encoding= in Python) to detect the encoding"
                   if self.encoding else "save it as UTF-8 text, or name its encoding with "
                   "--encoding (encoding= in Python), e.g. --encoding cp1256")
            self.note(shown, str(exc), f"skipped; {fix}")
            return
        if replaced:
            damage, _ = utf8_damage(data)
            self.note(shown, f"undecodable bytes: {damage.describe()}",
                      "analysed; each damaged byte replaced by U+FFFD (�); re-save the file "
                      "as UTF-8 to repair it")
        if encoding not in ("utf-8", "utf-8 with BOM") and self.encoding is None:
            self.note(shown, f"not UTF-8: detected {encoding}",
                      "decoded; if the text looks wrong, name the encoding with --encoding "
                      "(encoding= in Python)")
        stem = _id_from_path(path, root)
        if fmt == "text":
            self.add_record({}, text, path=shown, where=shown, default_id=stem, parse_front=True)
        elif fmt == "html":
            self.add_html(text, shown, stem)
        elif fmt in ("jsonl", "json"):
            self.add_json(text, shown, stem, lines=fmt == "jsonl")
        else:
            self.add_csv(text, shown, stem, sep="\t" if path.suffix.lower() == ".tsv" else ",")

    def add_html(self, html: str, shown: str, stem: str) -> None:
        import htmldate
        import trafilatura

        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        body = getattr(doc, "text", None) if doc is not None else None
        if not body or not body.strip():
            self.note(shown, "no main text found in the HTML page",
                      "skipped; copy the article's text into a .txt file")
            return
        date = doc.date or htmldate.find_date(html, extensive_search=False)
        if not date:
            self.note(shown, "no publication date found in the saved page",
                      "analysed undated (left out of the timelines); to date it, save the "
                      "text as .txt with a 'date: YYYY-MM-DD' front-matter line")
        meta = {"title": doc.title, "date": date, "url": doc.url,
                "source": doc.sitename or doc.hostname,
                "date_note": "from the page's metadata (htmldate)" if date else None}
        self.add_record(meta, body, path=shown, where=shown, default_id=stem)

    def _columns(self) -> dict[str, str]:
        """Our key -> the user's column/key name (``csv_columns``)."""
        return {k: v for k, v in (self.csv_columns or {}).items() if v}

    def add_json(self, text: str, shown: str, stem: str, *, lines: bool) -> None:
        if lines:
            items: list[tuple[int, Any]] = []
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    items.append((n, json.loads(line)))
                except json.JSONDecodeError as exc:
                    self.note(f"{shown}:{n}", f"invalid JSON ({exc.msg})",
                              "line skipped; fix the line (one JSON object per line)")
        else:
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                self.note(shown, f"invalid JSON ({exc.msg}, line {exc.lineno})",
                          "skipped; fix the JSON (a list of objects with a 'text' key)")
                return
            items = list(enumerate(obj if isinstance(obj, list) else [obj], start=1))
        ours = {theirs: key for key, theirs in self._columns().items()}
        text_key = self._columns().get("text", "text")
        for n, obj in items:
            where = f"{shown}:{n}"
            if not isinstance(obj, dict) or not isinstance(obj.get(text_key), str):
                keys = ", ".join(map(str, obj)) if isinstance(obj, dict) else type(obj).__name__
                self.note(where, f"record without a {text_key!r} string (keys: {keys})",
                          "skipped; name the text key with --text-column "
                          "(csv_columns={'text': ...} in Python)")
                continue
            meta = {ours.get(k, k): v for k, v in obj.items() if k != text_key}
            self.add_record(meta, obj[text_key], path=shown, where=where,
                            default_id=f"{stem}-{n:04d}")

    def add_csv(self, text: str, shown: str, stem: str, *, sep: str) -> None:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
        try:
            header = next(rows, None)
            good: list[tuple[int, list[str]]] = []
            for row in rows:
                if not any(cell.strip() for cell in row):
                    continue
                if header is not None and len(row) != len(header):
                    self.note(f"{shown}:line {rows.line_num}",
                              f"malformed CSV row: {len(row)} field(s), the header has "
                              f"{len(header)}", "row skipped; quote fields that contain "
                              f"'{sep}' or line breaks, then load again")
                    continue
                good.append((rows.line_num, row))
        except csv.Error as exc:
            self.note(shown, f"malformed CSV ({exc}, line {rows.line_num})",
                      "skipped; fix the quoting on that line")
            return
        if not header:
            self.note(shown, "empty CSV (no header)", "skipped; the first line must name "
                      "the columns, e.g. text,title,date")
            return
        header = [c.strip() for c in header]
        mapping = self._columns()
        lower = {c.lower(): c for c in header}
        for key in ("text", *KNOWN_KEYS):
            if key not in mapping and key in lower:
                mapping[key] = lower[key]
        missing = [c for c in mapping.values() if c not in header]
        if missing or "text" not in mapping:
            problem = (f"column(s) {missing} not in the CSV" if missing
                       else "no 'text' column")
            self.note(shown, f"{problem} (columns: {', '.join(header)})",
                      "skipped; name the columns with --text-column/--title-column/"
                      "--date-column (csv_columns={'text': ...} in Python)")
            return
        ours = {theirs: key for key, theirs in mapping.items()}
        for n, (line, row) in enumerate(good, start=1):
            meta = {ours.get(col, col): (val if val != "" else None)
                    for col, val in zip(header, row, strict=True)}
            body = meta.pop("text") or ""
            self.add_record(meta, body, path=shown, where=f"{shown}:line {line}",
                            default_id=f"{stem}-{n:04d}")

    def add_record(self, meta: dict[str, Any], raw: str, *, path: str, where: str,
                   default_id: str, parse_front: bool = False) -> None:
        self.seen(where)
        if parse_front:
            front, raw, problems = split_front_matter(raw)
            for problem in problems:
                self.note(where, problem, "read the rest of the file")
            meta = {**front, **meta}
        meta = {str(k).strip().lower(): v for k, v in meta.items()}
        extra = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
        precision = _str_or_none(meta.get("date_precision"))
        try:
            date, precision = parse_date(meta.get("date"), precision)
        except ValueError as exc:
            self.note(where, f"malformed date {meta.get('date')!r}: {exc}",
                      "kept the article; date set to NaT")
            date, precision = pd.NaT, None
        kind = _str_or_none(meta.get("kind")) or self.kind
        if kind not in KINDS:
            self.note(where, f"unknown kind {kind!r}", f"kept as {self.kind!r}")
            kind = self.kind
        self.records.append({
            "article_id": _str_or_none(meta.get("id")) or default_id,
            "title": _str_or_none(meta.get("title")),
            "date": date,
            "date_precision": precision,
            "date_note": _str_or_none(meta.get("date_note")),
            "source": _str_or_none(meta.get("source")),
            "url": _str_or_none(meta.get("url")),
            "kind": kind,
            "path": path,
            "raw_text": raw,
            "text": None,
            EXTRA: extra or None,
            "_where": where,
        })

    def finish(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        candidates: list[tuple[dict[str, Any], str, str]] = []  # record, where, text digest
        for rec in self.records:
            where = rec.pop("_where")
            rec["text"] = clean_text(rec["raw_text"])
            if not rec["text"]:
                self.note(where, "empty file" if where == rec["path"] else "empty text",
                          "skipped; put the article's text in it")
                continue
            ratio = arabic_ratio(rec["text"])
            if ratio < self.min_arabic_ratio:
                self.note(where, f"non-Arabic document ({ratio:.0%} of its letters are Arabic)",
                          f"skipped (minimum {self.min_arabic_ratio:.0%}); to analyse it "
                          "anyway pass --min-arabic-ratio 0 (min_arabic_ratio=0 in Python)")
                continue
            language = persian_or_urdu(rec["text"])
            if language:
                self.note(where, f"looks like {language}, not Arabic (its common words and "
                          "letters)", "analysed as Arabic, with Persian/Urdu letters matched "
                          "as their Arabic forms; the models know Arabic only, so expect "
                          "fewer entities; move the file out of the input to leave it out")
            if len(rec["text"]) > LONG_TEXT:
                self.note(where, f"long text ({len(rec['text']):,} characters)",
                          "analysed; this can take minutes: split it into articles (one per "
                          "file) to follow progress")
            digest = hashlib.sha1(match_key(rec["text"]).encode("utf-8")).hexdigest()
            candidates.append((rec, where, digest))
        best: dict[str, int] = {}  # digest -> index of the copy kept
        for i, (rec, _, digest) in enumerate(candidates):
            if digest not in best or _metadata(rec) > _metadata(candidates[best[digest]][0]):
                best[digest] = i
        kept: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        for i, (rec, where, digest) in enumerate(candidates):
            if best[digest] != i:
                winner, winner_where, _ = candidates[best[digest]]
                fields = [k for k in _METADATA if _has(winner, k) and not _has(rec, k)]
                why = (f"it has {', '.join(fields)}" if fields else "it comes first")
                self.note(where, f"duplicate of {winner['article_id']} ({winner_where}; same "
                          "normalised text)", f"skipped; the copy in {winner_where} is kept "
                          f"because {why}")
                continue
            rec["article_id"] = _unique_id(rec["article_id"], seen_ids, where, self)
            if rec["title"] is None:
                rec["title"] = _first_line(rec["text"])
            else:  # titles are text: the headline becomes the first line (H3, #13.1)
                rec["text"] = with_headline(rec["title"], rec["text"])
            kept.append(rec)
        articles = pd.DataFrame(kept, columns=[*ARTICLES.columns, EXTRA])
        articles["date"] = pd.to_datetime(articles["date"]).astype("datetime64[ns]")
        # report rows in reading order (checks made at the end are listed with their file)
        rows = sorted(enumerate(self.report), key=lambda ir: (self.order[ir[1][0]], ir[0]))
        report = pd.DataFrame([row for _, row in rows], columns=LOAD_REPORT.columns)
        return articles, report


#: Metadata that decides which of two duplicate copies is kept (more is better).
_METADATA = ("date", "title", "source", "url")


def _has(rec: dict[str, Any], key: str) -> bool:
    return not (rec[key] is None or rec[key] is pd.NaT)


def _metadata(rec: dict[str, Any]) -> int:
    return sum(_has(rec, k) for k in _METADATA)


#: Texts longer than this (characters) get a note in the load report.
LONG_TEXT = 500_000


def split_front_matter(text: str) -> tuple[dict[str, str], str, list[str]]:
    """Split an optional ``---`` front-matter block from a text.

    Returns ``(metadata, body, problems)``. Lines are ``key: value``; ``#`` starts a
    comment line; quotes around a value are removed.

    >>> split_front_matter("---\\ntitle: عنوان\\ndate: 2020-06-15\\n---\\nالنص")
    ({'title': 'عنوان', 'date': '2020-06-15'}, 'النص', [])
    """
    stripped = text.lstrip("\ufeff")
    m = re.match(r"---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*(?:\r?\n|\Z)", stripped, re.S | re.M)
    if not stripped.startswith("---"):
        return {}, text, []
    if not m:
        return {}, text, ["front matter starts with '---' but is never closed by '---'"]
    meta: dict[str, str] = {}
    problems: list[str] = []
    for line in m.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            problems.append(f"front-matter line not understood: {line.strip()!r}")
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta[key.strip().lower()] = value
    return meta, stripped[m.end():], problems


def _unique_id(article_id: str, seen: set[str], where: str, loader: _Loader) -> str:
    new, n = article_id, 1
    while new in seen:
        n += 1
        new = f"{article_id}-{n}"
    if new != article_id:
        loader.note(where, f"article_id {article_id!r} already used", f"renamed to {new!r}")
    seen.add(new)
    return new


def _first_line(text: str, width: int = 100) -> str:
    line = text.split("\n", 1)[0]
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def _str_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = str(value).strip()
    return s or None


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def _looks_like_path(s: str) -> bool:
    """A string names a file/folder unless it is clearly text (a newline, or it does not
    exist and looks like prose)."""
    if "\n" in s or len(s) > 1024:
        return False
    if Path(s).expanduser().exists():
        return True
    stripped = s.strip()
    if Path(stripped).suffix.lower() in FORMATS and " " not in Path(stripped).suffix:
        return True
    return (("/" in stripped or "\\" in stripped) and " " not in stripped) or (
        bool(stripped) and not _ARABIC_RE.search(stripped) and " " not in stripped)


_UNREADABLE = ("skipped; make it readable (chmod u+r FILE) or copy it to a folder you own, "
               "then load again")
_SPECIAL = {stat.S_ISFIFO: "named pipe (FIFO)", stat.S_ISSOCK: "socket",
            stat.S_ISCHR: "character device", stat.S_ISBLK: "block device"}


def _special_kind(mode: int) -> str:
    return next((name for test, name in _SPECIAL.items() if test(mode)), "not a regular file")


def _bad_link(path: Path) -> tuple[str, str]:
    """Problem and action for a symbolic link that leads nowhere (a loop or a broken link)."""
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 raises RuntimeError for a loop
        return ("symbolic link loop (the link leads back to itself)",
                "skipped; point the link at a file (ls -l shows its target) or remove it")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ("symbolic link loop (the link leads back to itself)",
                    "skipped; point the link at a file (ls -l shows its target) or remove it")
        return (f"broken symbolic link (target {os.readlink(path)!r} does not exist)",
                "skipped; point the link at an existing file or remove it")
    return "symbolic link cannot be followed", "skipped; replace the link by the file"


def _hidden(entry: os.DirEntry[str], path: Path) -> tuple[str, str]:
    dots = len(entry.name) - len(entry.name.lstrip("."))
    what = "folder" if entry.is_dir(follow_symlinks=False) else "file"
    problem = f"hidden {what} (its name starts with {'.' * dots!r})"
    fix = f"rename it without the leading {'dots' if dots > 1 else 'dot'} to load it"
    if what == "file" and path.suffix.lower() in FORMATS:
        return problem, f"skipped; {fix}"
    return problem, f"not read (hidden files are not articles); {fix}"


def _list_folder(folder: Path) -> list[tuple[Path, str | None, str | None]]:
    """Everything in ``folder`` (recursively): ``(path, None, None)`` for a regular file to
    read, ``(path, problem, action)`` for what is not read: hidden entries (names starting
    with '.'), special files (FIFO, socket, device: never opened), broken links, symbolic
    link loops, links back to a folder already read, folders that cannot be listed.
    ``README*`` files are documentation and are left out without a row."""
    entries: list[tuple[Path, str | None, str | None]] = []
    visited = {os.path.realpath(folder)}

    def visit(directory: Path) -> None:
        try:
            with os.scandir(directory) as it:
                found = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            entries.append((directory, f"folder cannot be read: {exc.strerror or exc}",
                            _UNREADABLE.replace("chmod u+r", "chmod u+rx")))
            return
        for entry in found:
            path = Path(entry.path)
            if entry.name.startswith("."):
                entries.append((path, *_hidden(entry, path)))
                continue
            if entry.name.lower().startswith("readme"):
                continue
            try:
                mode = path.stat().st_mode  # follows links
            except OSError as exc:
                if entry.is_symlink():
                    entries.append((path, *_bad_link(path)))
                else:
                    entries.append((path, f"cannot be read: {exc.strerror or exc}",
                                    _UNREADABLE))
                continue
            if stat.S_ISDIR(mode):
                real = os.path.realpath(path)
                if real in visited:
                    entries.append((path, "symbolic link loop (a link to a folder already read)",
                                    "skipped; its files are read once, from the folder itself"))
                    continue
                visited.add(real)
                visit(path)
            elif stat.S_ISREG(mode):
                entries.append((path, None, None))
            else:
                entries.append((path, f"special file: {_special_kind(mode)}, not a regular "
                                "file", "skipped; only regular files are read: save the "
                                "article as a file"))

    visit(folder)
    return sorted(entries, key=lambda e: _relative_posix(e[0], folder))


def _relative_posix(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(path, folder)).as_posix()


def _display(path: Path, root: Path | None) -> str:
    """A path to show: relative to the repository, else to the loaded folder, else the name.
    Links are shown by their own name, not their target's."""
    absolute = Path(os.path.abspath(path))
    for base in (REPO_ROOT, root):
        if base is None:
            continue
        try:
            return absolute.relative_to(os.path.abspath(base)).as_posix()
        except ValueError:
            pass
    return path.name


def _id_from_path(path: Path, root: Path | None) -> str:
    if root is not None:
        rel = path.relative_to(root).with_suffix("")
        return "/".join(rel.parts)
    return path.stem


def _as_items(source: str | Path | Iterable[str | Path] | None) -> list[str | Path]:
    if source is None:
        return [CORPUS_DIR]
    if isinstance(source, str | Path):
        return [source]
    return list(source)


def read_corpus(
    source: str | Path | Iterable[str | Path] | None = None,
    *,
    kind: str = "article",
    csv_columns: dict[str, str] | None = None,
    min_arabic_ratio: float = 0.3,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like :func:`load_corpus` but return ``(articles, report)`` separately."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}: use a Python codec name such "
                             "as utf-8, cp1256 or iso8859_6") from None
    loader = _Loader(kind=kind, csv_columns=csv_columns, min_arabic_ratio=min_arabic_ratio,
                     encoding=encoding)
    for item in _as_items(source):
        loader.add_source(item)
    return loader.finish()


def load_corpus(
    source: str | Path | Iterable[str | Path] | None = None,
    *,
    kind: str = "article",
    csv_columns: dict[str, str] | None = None,
    min_arabic_ratio: float = 0.3,
    encoding: str | None = None,
) -> pd.DataFrame:
    """Load articles into the ``articles`` table (schema.ARTICLES plus ``extra``).

    ``source``: the text of an article (a string with a line break, or a string that is
    not a path), a file, a folder (read recursively in sorted order), or a list of these;
    ``None`` loads the embedded corpus (``data/corpus/``). ``kind`` is the default kind
    of the records ("article" or "chronology"). ``csv_columns`` maps our names to the
    column names of a CSV (or the keys of JSON/JSONL records), e.g. ``{"text": "body",
    "date": "published"}``. Documents whose letters are less than ``min_arabic_ratio``
    Arabic are skipped (0 keeps them all). ``encoding`` (e.g. ``"cp1256"``) reads every
    file in that encoding instead of detecting it.

    ``text`` is ``helpers.clean.clean_text(raw_text)``. The report of bad inputs
    (columns file, problem, action) travels with the table: read it with
    :func:`get_load_report`.

    >>> arts = load_corpus("قالت الأمم المتحدة إن المحادثات ستستأنف في جنيف.")
    >>> arts[["article_id", "path", "kind"]].values.tolist()
    [['text-0d5a2652ad', '<text>', 'article']]
    """
    articles, report = read_corpus(source, kind=kind, csv_columns=csv_columns,
                                   min_arabic_ratio=min_arabic_ratio, encoding=encoding)
    return set_load_report(articles, report)


SKIP_ACTION = re.compile(r"^\s*(?:skipped|row skipped|line skipped|nothing loaded)",
                         re.IGNORECASE)


def split_report(report: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a load report into ``(skipped, notes)``: rows whose action says the input was
    not analysed (it starts with "skipped" or "nothing loaded") and rows that only note
    something about an input that was analysed (damaged bytes replaced, a date set to NaT,
    a Persian document, a hidden file left alone).

    >>> report = pd.DataFrame([["a.txt", "empty file", "skipped; ..."],
    ...                        ["b.txt", "not UTF-8: detected cp1256", "decoded; ..."]],
    ...                       columns=LOAD_REPORT.columns)
    >>> [len(part) for part in split_report(report)]
    [1, 1]
    """
    report = pd.DataFrame(report, columns=LOAD_REPORT.columns)
    skipped = report["action"].astype(str).str.match(SKIP_ACTION)
    return (report[skipped].reset_index(drop=True), report[~skipped].reset_index(drop=True))


def set_load_report(articles: pd.DataFrame, report: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """Attach a load report (file, problem, action) to ``articles`` and return it.

    It is stored in ``articles.attrs["load_report"]`` as a list of plain records, not a
    DataFrame, so that ``pd.concat`` and ``to_parquet`` keep working on the table.
    """
    table = pd.DataFrame(report, columns=LOAD_REPORT.columns)
    articles.attrs["load_report"] = table.astype(object).where(table.notna(), None).to_dict(
        "records")
    return articles


def get_load_report(articles: pd.DataFrame) -> pd.DataFrame:
    """The report of inputs that could not be read (or were read with a problem) while
    loading ``articles``: one row per problem, columns file, problem, action.

    >>> arts = load_corpus("قالت الأمم المتحدة إن المحادثات ستستأنف في جنيف.")
    >>> get_load_report(arts).empty
    True
    """
    return pd.DataFrame(list(articles.attrs.get("load_report", [])), columns=LOAD_REPORT.columns)


def read_jsonl_lines(lines: dict[int, str], *, path: str | Path, kind: str = "article",
                     csv_columns: dict[str, str] | None = None,
                     min_arabic_ratio: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read some lines of a JSON Lines file, ``{line number: line}``, as
    :func:`read_corpus` reads the whole file: same article ids (``<stem>-<line>``), same
    report rows (``<file>:<line>``). Used to analyse an archive in partitions
    (:mod:`helpers.archive`).

    >>> rows, report = read_jsonl_lines({3: '{"text": "قالت الأمم المتحدة إن المحادثات ستستأنف."}'},
    ...                                 path="archive.jsonl")
    >>> rows["article_id"].tolist()
    ['archive-0003']
    """
    loader = _Loader(kind=kind, csv_columns=csv_columns, min_arabic_ratio=min_arabic_ratio)
    shown = _display(Path(path), None)
    loader.seen(shown)
    last = max(lines, default=0)
    text = "\n".join(lines.get(n, "") for n in range(1, last + 1))
    loader.add_json(text, shown, _id_from_path(Path(path), None), lines=True)
    return loader.finish()
