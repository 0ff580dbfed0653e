"""helpers.fetch: polite downloading, caching and extraction, tested offline against a local
HTTP server on 127.0.0.1 that serves pages written for these tests (tests/fixtures/html/)."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from helpers import fetch
from helpers.corpus import split_report
from helpers.schema import ARTICLES

FIXTURES = Path(__file__).parent / "fixtures" / "html"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves the fixture pages; ``/flaky/...`` answers 503 once, ``/later/<s>/...`` 503 with
    ``Retry-After: <s>`` once, ``/rate/...`` 429 once, ``/down/...`` always 503, ``/cp1256``
    a page in Windows-1256 declared only in a <meta> tag, anything else 404. Logs every
    request."""

    log: list[tuple[str, str]] = []
    flaky_seen: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        type(self).log.append((self.path, self.headers.get("User-Agent", "")))
        name = self.path.rsplit("/", 1)[-1]
        first = self.path not in self.flaky_seen
        self.flaky_seen.add(self.path)
        if self.path.startswith("/flaky/") and first:
            self._send(503, b"busy", "text/plain")
        elif self.path.startswith("/later/") and first:
            self._send(503, b"busy", "text/plain", {"Retry-After": self.path.split("/")[2]})
        elif self.path.startswith("/rate/") and first:
            self._send(429, b"slow down", "text/plain")
        elif self.path.startswith("/down/"):
            self._send(503, b"down", "text/plain")
        elif self.path == "/cp1256":
            page = (FIXTURES / "news_no_date.html").read_text(encoding="utf-8")
            self._send(200, page.encode("cp1256", errors="ignore").replace(
                b'charset="utf-8"', b'charset="windows-1256"'), "text/html")
        elif (FIXTURES / name).is_file():
            self._send(200, (FIXTURES / name).read_bytes(), "text/html; charset=utf-8")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass


@pytest.fixture()
def server() -> Iterator[str]:
    _Handler.log = []
    _Handler.flaky_seen = set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the waits instead of sleeping, on a fake clock that only sleeping advances."""
    recorded: list[float] = []
    now = [1000.0]

    def sleep(seconds: float) -> None:
        recorded.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(fetch, "_sleep", sleep)
    monkeypatch.setattr(fetch, "_clock", lambda: now[0])
    return recorded


def test_extracts_title_date_and_text_without_the_script(server, tmp_path, waits):
    url = f"{server}/ar/news_with_script.html"
    articles, report = fetch.fetch_urls([url], cache_dir=tmp_path, delay=0)
    assert list(articles.columns)[: len(ARTICLES.columns)] == ARTICLES.columns
    row = articles.iloc[0]
    assert row["title"].startswith("الجزائر تستضيف اجتماعا لدول جوار ليبيا")
    assert row["date"] == pd.Timestamp("2021-08-30")
    assert "رمطان لعمامرة" in row["text"] and "حكومة الوحدة الوطنية" in row["text"]
    assert "trackerQueue" not in row["text"] and "برنامج_التتبع" not in row["text"]
    assert "الأكثر قراءة" not in row["text"]  # the sidebar is not main text
    assert row["url"] == url and row["kind"] == "article"
    assert report.empty and not articles.attrs  # the report is returned, not hidden
    assert _Handler.log == [("/ar/news_with_script.html", fetch.DEFAULT_USER_AGENT)]


def test_same_article_as_loading_the_saved_page(server, tmp_path, waits):
    from helpers.corpus import load_corpus

    fetched, _ = fetch.fetch_urls([f"{server}/news_with_script.html"], cache_dir=tmp_path, delay=0)
    saved = load_corpus(FIXTURES / "news_with_script.html")
    for column in ("title", "date", "raw_text", "text"):
        assert fetched.iloc[0][column] == saved.iloc[0][column]


def test_page_without_date_gets_nat_and_a_note(server, tmp_path, waits):
    articles, report = fetch.fetch_urls([f"{server}/news_no_date.html"], cache_dir=tmp_path, delay=0)
    row = articles.iloc[0]
    assert pd.isna(row["date"]) and row["date_precision"] is None
    assert "no date" in row["date_note"]
    assert "سرت" in row["text"]
    # a note on an analysed page, not a skip
    assert report["file"].tolist() == [row["url"]] and _skipped(report).empty


def test_cache_hit_makes_no_second_request(server, tmp_path, waits):
    url = f"{server}/news_with_script.html"
    first, _ = fetch.fetch_urls([url], cache_dir=tmp_path, delay=0)
    assert fetch.page_cache_path(url, tmp_path).is_file()
    assert len(_Handler.log) == 1
    second, _ = fetch.fetch_urls([url], cache_dir=tmp_path, delay=0)
    assert len(_Handler.log) == 1
    pd.testing.assert_frame_equal(first, second)


def test_default_cache_is_under_the_project_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path))
    path = fetch.page_cache_path("https://example.org/ar/1")
    assert path.parent == tmp_path / "pages" and path.suffix == ".html"
    assert len(path.stem) == 64


def _skipped(report: pd.DataFrame) -> pd.DataFrame:
    """The rows of the load report that skipped an input (others note a change)."""
    return split_report(report)[0]


@pytest.mark.parametrize("path", ["/flaky/news_with_script.html", "/rate/news_with_script.html"])
def test_retries_a_busy_server_with_backoff(server, tmp_path, waits, path):
    articles, report = fetch.fetch_urls([server + path], cache_dir=tmp_path, delay=1.0, retries=2)
    assert len(articles) == 1 and _skipped(report).empty
    assert [p for p, _ in _Handler.log] == [path] * 2
    assert waits == [1.0]  # back-off before the second attempt, none before the first


def test_gives_up_after_the_retries_and_says_so(server, tmp_path, waits):
    good = f"{server}/news_no_date.html"
    articles, report = fetch.fetch_urls([f"{server}/down/news_with_script.html", good],
                                cache_dir=tmp_path, delay=0.75, retries=2)
    assert articles["url"].tolist() == [good]
    assert [p for p, _ in _Handler.log] == ["/down/news_with_script.html"] * 3 + [
        "/news_no_date.html"]
    assert waits == [0.75, 1.5, 0.75]  # back-off doubles; then the pause before the next page
    problem = _skipped(report)["problem"].iloc[0]
    assert "kept answering HTTP 503 after 3 attempts" in problem and "try again later" in problem


@pytest.mark.parametrize("asked, waited", [(7, 7.0), (3600, fetch.MAX_RETRY_AFTER)])
def test_retry_after_is_honoured_but_capped(server, tmp_path, waits, asked, waited):
    path = f"/later/{asked}/news_with_script.html"
    articles, report = fetch.fetch_urls([server + path], cache_dir=tmp_path, delay=0, retries=1)
    assert len(articles) == 1
    assert [p for p, _ in _Handler.log] == [path] * 2
    assert waits == [waited]


def test_a_session_you_pass_keeps_its_own_retry_rules(server, tmp_path, waits):
    import requests

    session = requests.Session()  # no retry policy mounted
    session.headers["User-Agent"] = "my-crawler/1.0"
    url = f"{server}/flaky/news_with_script.html"
    articles, report = fetch.fetch_urls([url], cache_dir=tmp_path, delay=0, session=session)
    assert articles.empty and _Handler.log == [("/flaky/news_with_script.html", "my-crawler/1.0")]
    assert "HTTP 503" in _skipped(report)["problem"].iloc[0]
    with pytest.raises(fetch.FetchError, match="answered HTTP 503"):
        fetch.download(f"{server}/flaky/a/news_no_date.html", session=session)
    page = fetch.download(f"{server}/flaky/b/news_no_date.html",
                          session=fetch.polite_session(retries=1))
    assert "سرت" in page and waits == [1.0]


def test_http_error_is_reported_not_retried(server, tmp_path, waits):
    good = f"{server}/news_no_date.html"
    articles, report = fetch.fetch_urls([f"{server}/missing.html", good], cache_dir=tmp_path, delay=0)
    assert articles["url"].tolist() == [good]
    report = _skipped(report)
    assert report["file"].tolist() == [f"{server}/missing.html"]
    assert "HTTP 404" in report["problem"].iloc[0] and report["action"].iloc[0] == "skipped"
    assert [p for p, _ in _Handler.log].count("/missing.html") == 1


def test_waits_between_requests_to_the_same_host(server, tmp_path, waits):
    urls = [f"{server}/news_with_script.html", f"{server}/news_no_date.html"]
    fetch.fetch_urls(urls, cache_dir=tmp_path, delay=3.0)
    assert len(_Handler.log) == 2
    assert waits and waits[-1] == pytest.approx(3.0, abs=0.01)


def test_no_network_gives_a_clear_error(tmp_path, waits):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(fetch.NetworkUnavailable) as info:
        fetch.fetch_urls([f"http://127.0.0.1:{port}/a.html", f"http://127.0.0.1:{port}/b.html"],
                         cache_dir=tmp_path, delay=0, retries=1, timeout=2)
    message = str(info.value)
    assert "cannot reach 127.0.0.1" in message and ".html" in message
    assert len(waits) == 1  # one back-off for a; b on the same dead host is not tried


def test_meta_charset_decodes_windows_1256(server, tmp_path, waits):
    articles, report = fetch.fetch_urls([f"{server}/cp1256"], cache_dir=tmp_path, delay=0)
    assert "اللجنة العسكرية المشتركة" in articles.iloc[0]["text"]


def test_url_list_file(tmp_path):
    good = tmp_path / "urls.txt"
    good.write_text("# my pages\nhttps://example.org/ar/1\n\n  https://example.org/ar/2  \n",
                    encoding="utf-8")
    assert fetch.looks_like_url_list(good)
    assert fetch.read_url_list(good) == ["https://example.org/ar/1", "https://example.org/ar/2"]
    article = tmp_path / "article.txt"
    article.write_text("https://example.org/ar/1\nقال المتحدث إن الاجتماع انتهى.\n", encoding="utf-8")
    assert not fetch.looks_like_url_list(article)
    with pytest.raises(ValueError, match="line 2"):
        fetch.read_url_list(article)


def test_rejects_what_is_not_a_url():
    with pytest.raises(ValueError, match="not an http"):
        fetch.fetch_urls(["ftp://example.org/file"])


def test_same_page_under_two_addresses_is_reported_as_duplicate(server, tmp_path, waits):
    first, second = f"{server}/a/news_no_date.html", f"{server}/b/news_no_date.html"
    articles, report = fetch.fetch_urls([first, second], cache_dir=tmp_path, delay=0)
    assert articles["url"].tolist() == [first]
    report = _skipped(report)
    assert report["file"].tolist() == [second]
    assert report["problem"].iloc[0].startswith(f"duplicate of {first}")
