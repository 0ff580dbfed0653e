"""Download news pages politely and turn them into an ``articles`` table.

For users with network access: give a list of URLs (or a ``.txt`` file with one URL per
line) and get the same table :func:`helpers.corpus.load_corpus` returns for saved HTML
pages: each downloaded page is cached as an ``.html`` file and read by the loader itself
(trafilatura main text and title, htmldate date, cleaning), so a page gives the same
article whether it was downloaded here or saved by hand and loaded from disk.

Politeness rules, all on by default:

* one request at a time (no parallel downloads) and at least ``delay`` seconds between
  two requests to the same host;
* a ``timeout`` per request and ``retries`` further attempts on connection errors,
  time-outs, HTTP 429 and 5xx, by urllib3's :class:`~urllib3.util.Retry` (mounted on the
  ``requests`` session, GET only) with exponential back-off (``max(delay, 0.5) * 2**(n-1)``
  seconds before the n-th retry, the first one included); a ``Retry-After`` header is
  honoured (capped at :data:`MAX_RETRY_AFTER` seconds); other HTTP errors (404, 403) are
  not retried;
* an identifying ``User-Agent`` (:data:`DEFAULT_USER_AGENT`);
* every page is cached on disk (``.cache/pages/<sha256 of the URL>.html``), so a re-run
  does not download it again.

Without network, :class:`NetworkUnavailable` says so and what to do instead (save the pages
from a browser as ``.html`` files and load the folder).

>>> articles, report = fetch_urls(["https://example.org/ar/news/1"])  # doctest: +SKIP
>>> articles[["title", "date", "url"]]  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from . import __version__
from .paths import cache_dir as _default_cache_root
from .schema import ARTICLES, LOAD_REPORT

DEFAULT_USER_AGENT = (
    f"arabic-news-helpers/{__version__} (research notebooks for Arabic news analysis; "
    "one request at a time)"
)
#: HTTP statuses worth another attempt (rate limit, server trouble).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# Indirections so that tests can observe waiting without slowing down.
_sleep: Callable[[float], None] = time.sleep
_clock: Callable[[], float] = time.monotonic


class FetchError(RuntimeError):
    """A page could not be downloaded (the message says why and what to do)."""


class NetworkUnavailable(FetchError):
    """No page could be downloaded because the host cannot be reached at all."""


def is_url(text: str) -> bool:
    """True for an ``http://`` or ``https://`` address.

    >>> is_url("https://www.example.org/ar/ليبيا"), is_url("data/corpus")
    (True, False)
    """
    return bool(URL_RE.match(str(text).strip()))


def read_url_list(path: str | Path) -> list[str]:
    """The URLs of a text file with one URL per line (blank lines and ``#`` comments
    skipped). Raises ``ValueError`` naming the first line that is not a URL.

    >>> read_url_list("urls.txt")  # doctest: +SKIP
    ['https://example.org/ar/news/1', 'https://example.org/ar/news/2']
    """
    path = Path(path)
    urls = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_url(line):
            raise ValueError(f"{path.name}, line {number}: {line[:60]!r} is not an http(s) URL; "
                             "a URL list holds one address per line")
        urls.append(line)
    return urls


def looks_like_url_list(path: str | Path) -> bool:
    """True when ``path`` is a ``.txt`` file whose non-blank, non-comment lines are all URLs
    (an article never is).

    >>> looks_like_url_list("urls.txt")  # doctest: +SKIP
    True
    """
    path = Path(path)
    if path.suffix.lower() != ".txt" or not path.is_file() or path.stat().st_size > 1_000_000:
        return False
    try:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8-sig").splitlines()]
    except (UnicodeDecodeError, OSError):
        return False
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    return bool(lines) and all(is_url(ln) for ln in lines)


def page_cache_path(url: str, cache_dir: str | Path | None = None) -> Path:
    """Where the page of ``url`` is cached: ``<cache>/pages/<sha256(url)>.html``
    (``cache_dir`` given: ``<cache_dir>/<sha256(url)>.html``)."""
    folder = Path(cache_dir) if cache_dir is not None else _default_cache_root() / "pages"
    return folder / f"{hashlib.sha256(url.encode('utf-8')).hexdigest()}.html"


def decode_page(content: bytes, declared: str | None = None) -> str:
    """Decode a downloaded page: the charset of the HTTP header, else a ``<meta charset>``
    in the first 2 kB, else UTF-8, else a detected encoding (trafilatura's detector).

    >>> decode_page("<p>ليبيا</p>".encode("cp1256"), "windows-1256")
    '<p>ليبيا</p>'
    """
    candidates = [declared] if declared else []
    meta = _META_CHARSET.search(content[:2048])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for encoding in candidates:
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    from trafilatura.utils import decode_file

    return decode_file(content)


class PoliteRetry(Retry):
    """urllib3's :class:`~urllib3.util.Retry` with two changes for politeness: the first
    retry waits too (``backoff_factor`` seconds, then twice as long each time; urllib3's own
    first retry is immediate), and a ``Retry-After`` wait is never shorter than that
    back-off. Waits go through ``helpers.fetch._sleep`` (tests record them instead)."""

    def get_backoff_time(self) -> float:
        """``backoff_factor * 2**(n-1)`` seconds before the n-th retry, at most
        ``backoff_max``."""
        errors = len(self.history)
        if errors == 0:
            return 0.0
        return float(min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1)))

    def sleep(self, response: Any = None) -> None:
        """Wait before the next attempt: the back-off, or the server's ``Retry-After``
        (capped by ``retry_after_max``) when that is longer."""
        wait = self.get_backoff_time()
        if self.respect_retry_after_header and response is not None:
            wait = max(wait, self.get_retry_after(response) or 0.0)
        if wait > 0:
            _sleep(wait)


def retry_policy(retries: int = 2, backoff: float = 1.0) -> Retry:
    """The retry rule of :func:`fetch_urls`: up to ``retries`` further attempts of a GET on
    connection errors, time-outs and the statuses in :data:`RETRY_STATUSES`, waiting
    ``backoff * 2**(n-1)`` seconds before the n-th (or the server's ``Retry-After``, at most
    :data:`MAX_RETRY_AFTER`, when longer). When they are used up, the last answer is
    returned (not raised), so that its status can be reported.

    >>> policy = retry_policy(retries=3, backoff=0.5)
    >>> policy.total, sorted(policy.status_forcelist), policy.retry_after_max
    (3, [429, 500, 502, 503, 504], 60.0)
    """
    return PoliteRetry(total=retries, allowed_methods=frozenset({"GET"}),
                       status_forcelist=RETRY_STATUSES, backoff_factor=backoff,
                       respect_retry_after_header=True, retry_after_max=MAX_RETRY_AFTER,
                       raise_on_status=False)


def polite_session(user_agent: str = DEFAULT_USER_AGENT, *, retries: int = 2,
                   backoff: float = 1.0) -> requests.Session:
    """A ``requests`` session that identifies itself (``user_agent``), asks for Arabic
    HTML, and retries by :func:`retry_policy` (``retries``, ``backoff``) on http and https.

    >>> polite_session(retries=1).get_adapter("https://example.org").max_retries.total
    1
    """
    session = requests.Session()
    session.headers.update({"User-Agent": user_agent,
                            "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                            "Accept-Language": "ar,en;q=0.5"})
    adapter = HTTPAdapter(max_retries=retry_policy(retries, backoff))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _Politeness:
    """Remembers when each host was last asked, and waits ``delay`` seconds between two
    requests to the same host (counted from the end of the previous one, its retries
    included)."""

    def __init__(self, delay: float) -> None:
        self.delay = max(0.0, float(delay))
        self.last: dict[str, float] = {}

    def wait(self, host: str) -> None:
        if host in self.last:
            remaining = self.last[host] + self.delay - _clock()
            if remaining > 0:
                _sleep(remaining)
        self.last[host] = _clock()

    def done(self, host: str) -> None:
        self.last[host] = _clock()


def _attempts(session: requests.Session, url: str, response: Any = None) -> int | None:
    """How many requests were made for ``url`` (None when the session does not say)."""
    used = getattr(getattr(response, "raw", None), "retries", None)
    if isinstance(used, Retry):
        return len(used.history) + 1
    try:
        policy = session.get_adapter(url).max_retries
    except (requests.exceptions.InvalidSchema, AttributeError):
        return None
    return policy.total + 1 if isinstance(policy, Retry) and isinstance(policy.total, int) \
        else None


def download(url: str, *, session: requests.Session | None = None, timeout: float = 20,
             delay: float = 1.0, politeness: _Politeness | None = None) -> str:
    """Download one page (no cache) and return its decoded HTML.

    Retries are the ``session``'s (default: :func:`polite_session`); ``politeness`` spaces
    requests to one host by ``delay`` seconds. Raises :class:`NetworkUnavailable` when the
    host cannot be reached after every attempt (DNS failure, refused connection, time-out)
    and :class:`FetchError` for an HTTP error or another failed request.

    >>> html = download("https://example.org/ar/news/1")  # doctest: +SKIP
    """
    host = urlsplit(url).netloc.lower()
    session = session if session is not None else polite_session()
    politeness = politeness or _Politeness(delay)
    politeness.wait(host)
    try:
        response = session.get(url, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as exc:
        attempts = _attempts(session, url)
        tries = f" after {attempts} attempts" if attempts else ""
        raise NetworkUnavailable(
            f"cannot reach {host} ({type(exc).__name__}{tries}): no network here, or the "
            "site is down. Save the pages from a browser as .html files (File > Save Page "
            "As) into a folder and load that folder instead of the URLs."
        ) from exc
    except requests.RequestException as exc:
        raise FetchError(f"{url}: the request failed ({type(exc).__name__}: {exc}); check "
                         "the address in a browser, or save the page as .html and load the "
                         "file instead") from exc
    finally:
        politeness.done(host)
    if response.status_code >= 400:
        attempts = _attempts(session, url, response) or 1
        if response.status_code in RETRY_STATUSES and attempts > 1:
            raise FetchError(f"{url}: the server kept answering HTTP {response.status_code} "
                             f"after {attempts} attempts; try again later, or save the page "
                             "as .html and load it")
        raise FetchError(f"{url}: the server answered HTTP {response.status_code} "
                         f"{getattr(response, 'reason', '') or ''}".rstrip()
                         + "; check the address in a browser, or save the page as .html "
                         "and load the file instead")
    declared = None
    content_type = response.headers.get("Content-Type", "")
    if "charset=" in content_type.lower():
        declared = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    return decode_page(response.content, declared)


def _article_id(url: str) -> str:
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    host = re.sub(r"[^a-z0-9]+", "-", host).strip("-") or "page"
    return f"{host}-{hashlib.sha256(url.encode('utf-8')).hexdigest()[:10]}"


def articles_from_pages(pages: dict[str, Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``articles`` table of downloaded pages (``{url: cached .html file}``) and its
    load report: ``(articles, report)``. The pages are read by
    :func:`helpers.corpus.read_corpus` exactly as saved HTML pages are (trafilatura main
    text and title, htmldate date, cleaning, Arabic-ratio and duplicate checks); then
    ``url``, ``path`` and ``source`` name the page's address and ``article_id`` is
    ``<host>-<hash of the URL>``. The report (:data:`helpers.schema.LOAD_REPORT`) names
    skipped pages by their URL.

    >>> articles, report = articles_from_pages(
    ...     {"https://example.org/ar/1": Path("page.html")})  # doctest: +SKIP
    """
    from .corpus import read_corpus

    if not pages:
        return _articles_frame([]), LOAD_REPORT.empty()
    by_name = {path.name: url for url, path in pages.items()}
    loaded, report = read_corpus([pages[url] for url in pages])
    report = report.copy()

    def url_of(shown: object) -> str:
        name = Path(str(shown).split(":", 1)[0]).name
        return by_name.get(name, str(shown))

    articles = loaded.copy()
    articles.attrs = {}
    if len(articles):
        urls = articles["path"].map(url_of)
        articles["url"] = urls
        articles["path"] = urls
        articles["article_id"] = urls.map(_article_id)
        articles["source"] = articles["source"].where(articles["source"].notna(),
                                                      urls.map(lambda u: urlsplit(u).netloc))
        undated = articles["date"].isna()
        articles.loc[undated, "date_note"] = articles.loc[undated, "date_note"].fillna(
            "no date found in the page")
    report["file"] = report["file"].map(url_of)
    for url, path in pages.items():  # "duplicate of <sha>" -> "duplicate of <url>"
        report["problem"] = report["problem"].str.replace(path.stem, url, regex=False)
    return articles, LOAD_REPORT.validate(report[LOAD_REPORT.columns].reset_index(drop=True))


def _articles_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ARTICLES.columns)
    frame["date"] = pd.Series(pd.to_datetime(frame["date"]), dtype="datetime64[ns]")
    return frame


def fetch_urls(urls: Iterable[str], *, cache_dir: str | Path | None = None, timeout: float = 20,
               retries: int = 2, user_agent: str = DEFAULT_USER_AGENT, delay: float = 1.0,
               session: requests.Session | None = None,
               progress: bool | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Download (or read from the cache) each URL: ``(articles, report)``, the ``articles``
    table (:data:`helpers.schema.ARTICLES`; ``path`` and ``url`` are the URL) and its load
    report (:data:`helpers.schema.LOAD_REPORT`), as :func:`helpers.corpus.read_corpus`.

    Pages that fail (HTTP error, no main text) are skipped and listed in the report
    (columns file, problem, action), like the loader's bad files. A host that cannot be reached is not asked again for its other URLs; when no
    page could be read at all because no host was reachable, :class:`NetworkUnavailable`
    is raised with advice (save the pages as ``.html`` and load them). ``progress``: a tqdm
    bar (``None``: when more than 3 URLs).

    Without ``session``, one from :func:`polite_session` (``user_agent``, ``retries``, back-off
    ``max(delay, 0.5)`` seconds) is used; a ``session`` you pass keeps its own headers and
    retry rules (mount :func:`retry_policy` on it for the default ones).

    >>> articles, report = fetch_urls(["https://example.org/ar/news/1"], delay=2)  # doctest: +SKIP
    """
    urls = [u.strip() for u in urls if u and u.strip()]
    bad = [u for u in urls if not is_url(u)]
    if bad:
        raise ValueError(f"not an http(s) URL: {bad[0]!r}; give full addresses such as "
                         "https://www.example.org/ar/news/1")
    session = session if session is not None else polite_session(
        user_agent, retries=retries, backoff=max(delay, 0.5))
    politeness = _Politeness(delay)
    pages: dict[str, Path] = {}
    report: list[dict] = []
    iterator: Iterable[str] = urls
    if progress or (progress is None and len(urls) > 3):
        from tqdm import tqdm

        iterator = tqdm(urls, desc="pages", unit="page", file=sys.stderr)
    seen: set[str] = set()
    unreachable: dict[str, NetworkUnavailable] = {}
    for url in iterator:
        if url in seen:
            report.append({"file": url, "problem": "duplicate URL", "action": "skipped"})
            continue
        seen.add(url)
        host = urlsplit(url).netloc.lower()
        path = page_cache_path(url, cache_dir)
        if path.is_file():
            pass  # cached: no request
        elif host in unreachable:
            report.append({"file": url, "problem": str(unreachable[host]), "action": "skipped"})
            continue
        else:
            try:
                html_text = download(url, session=session, timeout=timeout, delay=delay,
                                     politeness=politeness)
            except NetworkUnavailable as exc:
                unreachable[host] = exc
                report.append({"file": url, "problem": str(exc), "action": "skipped"})
                continue
            except FetchError as exc:
                report.append({"file": url, "problem": str(exc), "action": "skipped"})
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(html_text, encoding="utf-8")
            tmp.replace(path)
        pages[url] = path
    if not pages and unreachable and len(unreachable) == len({urlsplit(u).netloc.lower()
                                                             for u in seen}):
        raise next(iter(unreachable.values()))
    articles, page_report = articles_from_pages(pages)
    if report:
        page_report = LOAD_REPORT.validate(pd.concat(
            [pd.DataFrame(report, columns=LOAD_REPORT.columns), page_report], ignore_index=True))
    return articles, page_report
