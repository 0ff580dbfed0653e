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

Encodings are detected: UTF-8 with or without BOM, UTF-16/32 (BOM or not) and legacy
Arabic code pages such as Windows-1256 (charset-normalizer, accepted only when the
result is mostly Arabic letters). Dates: ISO forms, day-first numeric dates, Arabic
month names (Egyptian ``يونيو``, Levantine ``حزيران``, Maghrebi ``جوان``, or two of
them as in ``4 أبريل/نيسان 2019``), English month names and Arabic-Indic digits;
month-only and year-only dates get ``date_precision`` "month" / "year".

Bad input never disappears silently: the report (:func:`get_load_report`, or
the second value of :func:`read_corpus`) has one row per problem with the file, the
problem and what was done: empty file, binary file, undecodable bytes, non-Arabic
document, duplicate (same :func:`helpers.clean.match_key` text: the first is kept),
malformed date (article kept with NaT), unsupported extension, unreadable record.
A missing path or an unreadable file raises an error that names it and the fix.
Hidden files and ``README*`` files inside a folder are skipped without a report row.

Note: ``pd.concat`` of two tables that both carry a report in ``attrs`` fails in
pandas (it compares the attrs); pass a list of sources to ``load_corpus`` instead of
concatenating, or use :func:`read_corpus`, which returns the report separately.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .clean import ARABIC_LETTER, clean_text, match_key
from .paths import CORPUS_DIR, REPO_ROOT
from .schema import ARTICLES, LOAD_REPORT

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


class CorpusReadError(OSError):
    """A corpus file exists but cannot be read (permissions, I/O error)."""


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


class _Skip(Exception):  # noqa: N818 - internal signal, carries a report row
    def __init__(self, problem: str, action: str = "skipped"):
        super().__init__(problem)
        self.problem, self.action = problem, action


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


def _plausible(text: str) -> bool:
    """Decoded text that looks like Arabic prose, not mojibake or binary."""
    if not text or len(_CONTROL_RE.findall(text)) > 0.01 * len(text):
        return False
    if len(text) > 40 and sum(c.isspace() for c in text[:20000]) < 0.04 * min(len(text), 20000):
        return False  # prose has spaces; bytes that merely map to letters do not
    return arabic_ratio(text) >= 0.5


_DECLARED_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_MARKUP = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _plausible_markup(html: str) -> bool:
    return _plausible(_MARKUP.sub(" ", html))


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def decode_bytes(data: bytes, *, html: bool = False) -> tuple[str, str, int]:
    """Decode a file's bytes: return ``(text, encoding, n_replaced)``.

    Order: byte-order mark; UTF-16 without BOM (when NUL bytes occur); strict UTF-8;
    for HTML, the charset the page declares; UTF-8 with a few damaged bytes (replaced
    by U+FFFD, counted in ``n_replaced``); charset-normalizer's guess, then
    Windows-1256 and ISO-8859-6, each accepted only when the decoded text (without
    markup, for HTML) is mostly Arabic letters. Raises ``ValueError`` (binary file or
    undecodable bytes) otherwise.

    >>> decode_bytes("ليبيا".encode("cp1256"))[:2]
    ('ليبيا', 'cp1256')
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.replace("-sig", " with BOM"), 0
            except UnicodeDecodeError:
                raise ValueError(f"undecodable bytes: the file starts with a {encoding} "
                                 "byte-order mark but is not valid in that encoding") from None
    if b"\x00" in data:  # Arabic UTF-16 without BOM is also valid UTF-8 (bytes < 0x80)
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return text, encoding, 0
        raise ValueError("binary file (contains NUL bytes and is not UTF-16 text)")
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    plausible = _plausible_markup if html else _plausible
    if html and (m := _DECLARED_CHARSET.search(data[:4096])):
        declared = m.group(1).decode("ascii").lower()
        try:
            text = data.decode(declared)
            if plausible(text):
                return text, declared, 0
        except (UnicodeDecodeError, LookupError):
            pass
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    if replaced <= max(3, 0.001 * len(text)) and plausible(text):
        return text, "utf-8", replaced
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guesses = [best.encoding] if best is not None else []
    for encoding in dict.fromkeys([*guesses, "cp1256", "iso8859_6"]):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if plausible(text):
            return text, encoding, 0
    if best is not None:
        text = str(best)
        if len(_CONTROL_RE.findall(text)) < 0.01 * len(text):
            return text, best.encoding, 0  # e.g. a Latin-1 page: the Arabic check reports it
        raise ValueError("binary file (control characters in every encoding tried)")
    raise ValueError("undecodable bytes: not UTF-8, UTF-16 or an Arabic code page")


# --------------------------------------------------------------------------- records


@dataclass
class _Loader:
    kind: str
    csv_columns: dict[str, str] | None
    min_arabic_ratio: float
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
            raise FileNotFoundError(
                f"No such file or folder: '{item}'. Check the spelling; a relative path is "
                f"read from the current folder ('{Path.cwd().name}/', which is notebooks/ "
                "inside a notebook), so use an absolute path or helpers.paths.CORPUS_DIR. "
                "To load text itself, pass a string that contains the text."
            )
        if path.is_dir():
            files = _list_folder(path)
            if not files:
                self.note(_display(path, None), "no files in the folder", "nothing loaded")
            for file in files:
                self.add_file(file, root=path)
        else:
            self.add_file(path, root=None)

    def add_file(self, path: Path, root: Path | None) -> None:
        shown = _display(path, root)
        self.seen(shown)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            self.note(shown, f"unsupported extension '{path.suffix or '(none)'}'",
                      "skipped; save it as .txt, .jsonl, .csv or .html")
            return
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorpusReadError(
                f"Cannot read '{path}': {exc.strerror or exc}. Check that the file is "
                "readable (e.g. chmod u+r), or copy it to a folder you own, then load again."
            ) from exc
        if not data.strip(b" \t\r\n\x00"):
            self.note(shown, "empty file", "skipped")
            return
        try:
            text, encoding, replaced = decode_bytes(data, html=fmt == "html")
        except ValueError as exc:
            self.note(shown, str(exc), "skipped")
            return
        if replaced:
            self.note(shown, f"undecodable bytes: {replaced} invalid byte sequence(s) in "
                      "UTF-8", "kept; each replaced by U+FFFD (�)")
        if encoding not in ("utf-8", "utf-8 with BOM"):
            self.note(shown, f"not UTF-8: detected {encoding}", "decoded")
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
            self.note(shown, "no main text found in the HTML page", "skipped")
            return
        date = doc.date or htmldate.find_date(html, extensive_search=False)
        meta = {"title": doc.title, "date": date, "url": doc.url,
                "source": doc.sitename or doc.hostname,
                "date_note": "from the page's metadata (htmldate)" if date else None}
        self.add_record(meta, body, path=shown, where=shown, default_id=stem)

    def add_json(self, text: str, shown: str, stem: str, *, lines: bool) -> None:
        if lines:
            items: list[tuple[int, Any]] = []
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    items.append((n, json.loads(line)))
                except json.JSONDecodeError as exc:
                    self.note(f"{shown}:{n}", f"invalid JSON ({exc.msg})", "line skipped")
        else:
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                self.note(shown, f"invalid JSON ({exc.msg}, line {exc.lineno})", "skipped")
                return
            items = list(enumerate(obj if isinstance(obj, list) else [obj], start=1))
        for n, obj in items:
            where = f"{shown}:{n}"
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                self.note(where, "record without a 'text' string", "skipped")
                continue
            meta = {k: v for k, v in obj.items() if k != "text"}
            self.add_record(meta, obj["text"], path=shown, where=where,
                            default_id=f"{stem}-{n:04d}")

    def add_csv(self, text: str, shown: str, stem: str, *, sep: str) -> None:
        try:
            table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            self.note(shown, f"malformed CSV ({str(exc).strip()})", "skipped")
            return
        mapping = dict(self.csv_columns or {})
        lower = {c.lower().strip(): c for c in table.columns}
        for key in ("text", *KNOWN_KEYS):
            if key not in mapping and key in lower:
                mapping[key] = lower[key]
        missing = [c for c in mapping.values() if c not in table.columns]
        if missing or "text" not in mapping:
            problem = (f"column(s) {missing} not in the CSV" if missing
                       else "no 'text' column")
            self.note(shown, f"{problem} (columns: {', '.join(map(str, table.columns))})",
                      "skipped; pass csv_columns={'text': 'your text column', ...}")
            return
        ours = {theirs: key for key, theirs in mapping.items()}
        for n, row in enumerate(table.to_dict("records"), start=1):
            meta = {ours.get(col, col): (val if val != "" else None) for col, val in row.items()}
            body = meta.pop("text") or ""
            self.add_record(meta, body, path=shown, where=f"{shown}:row {n}",
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
        kept: list[dict[str, Any]] = []
        seen_text: dict[str, str] = {}
        seen_ids: set[str] = set()
        for rec in self.records:
            where = rec.pop("_where")
            rec["text"] = clean_text(rec["raw_text"])
            if not rec["text"]:
                self.note(where, "empty file" if where == rec["path"] else "empty text", "skipped")
                continue
            ratio = arabic_ratio(rec["text"])
            if ratio < self.min_arabic_ratio:
                self.note(where, f"non-Arabic document ({ratio:.0%} of its letters are Arabic)",
                          f"skipped (min_arabic_ratio={self.min_arabic_ratio})")
                continue
            digest = hashlib.sha1(match_key(rec["text"]).encode("utf-8")).hexdigest()
            if digest in seen_text:
                self.note(where, f"duplicate of {seen_text[digest]} (same normalised text)",
                          "skipped; the first copy is kept")
                continue
            seen_text[digest] = rec["article_id"]
            rec["article_id"] = _unique_id(rec["article_id"], seen_ids, where, self)
            if rec["title"] is None:
                rec["title"] = _first_line(rec["text"])
            kept.append(rec)
        articles = pd.DataFrame(kept, columns=[*ARTICLES, EXTRA])
        articles["date"] = pd.to_datetime(articles["date"]).astype("datetime64[ns]")
        # report rows in reading order (checks made at the end are listed with their file)
        rows = sorted(enumerate(self.report), key=lambda ir: (self.order[ir[1][0]], ir[0]))
        report = pd.DataFrame([row for _, row in rows], columns=LOAD_REPORT)
        return articles, report


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


def _list_folder(folder: Path) -> list[Path]:
    files = []
    for p in folder.rglob("*"):
        rel = p.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not p.is_file():
            continue
        if p.name.lower().startswith("readme"):
            continue
        files.append(p)
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def _display(path: Path, root: Path | None) -> str:
    """A path to show: relative to the repository, else to the loaded folder, else the name."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        pass
    if root is not None:
        try:
            return resolved.relative_to(root.resolve()).as_posix()
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
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like :func:`load_corpus` but return ``(articles, report)`` separately."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    loader = _Loader(kind=kind, csv_columns=csv_columns, min_arabic_ratio=min_arabic_ratio)
    for item in _as_items(source):
        loader.add_source(item)
    return loader.finish()


def load_corpus(
    source: str | Path | Iterable[str | Path] | None = None,
    *,
    kind: str = "article",
    csv_columns: dict[str, str] | None = None,
    min_arabic_ratio: float = 0.3,
) -> pd.DataFrame:
    """Load articles into the ``articles`` table (schema.ARTICLES plus ``extra``).

    ``source``: the text of an article (a string with a line break, or a string that is
    not a path), a file, a folder (read recursively in sorted order), or a list of these;
    ``None`` loads the embedded corpus (``data/corpus/``). ``kind`` is the default kind
    of the records ("article" or "chronology"). ``csv_columns`` maps our names to CSV
    column names, e.g. ``{"text": "body", "date": "published"}``. Documents whose
    letters are less than ``min_arabic_ratio`` Arabic are skipped (0 keeps them all).

    ``text`` is ``helpers.clean.clean_text(raw_text)``. The report of bad inputs
    (columns file, problem, action) travels with the table: read it with
    :func:`get_load_report`.

    >>> arts = load_corpus("قالت الأمم المتحدة إن المحادثات ستستأنف في جنيف.")
    >>> arts[["article_id", "path", "kind"]].values.tolist()
    [['text-0d5a2652ad', '<text>', 'article']]
    """
    articles, report = read_corpus(source, kind=kind, csv_columns=csv_columns,
                                   min_arabic_ratio=min_arabic_ratio)
    return set_load_report(articles, report)


def set_load_report(articles: pd.DataFrame, report: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """Attach a load report (file, problem, action) to ``articles`` and return it.

    It is stored in ``articles.attrs["load_report"]`` as a list of plain records, not a
    DataFrame, so that ``pd.concat`` and ``to_parquet`` keep working on the table.
    """
    table = pd.DataFrame(report, columns=LOAD_REPORT)
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
    return pd.DataFrame(list(articles.attrs.get("load_report", [])), columns=LOAD_REPORT)
