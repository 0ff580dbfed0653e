"""The project's dated chronology (data/chronology/libya_2019_2021.jsonl): valid entries,
actor ids from the dictionary, sources, no duplicates, and every event of the shared
reference timeline covered on its date."""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
import pytest

from helpers.clean import match_key
from helpers.corpus import get_load_report
from helpers.paths import DATA_DIR, shared_data_dir
from helpers.timeline import CHRONOLOGY_PATH, EVENT_LANES, load_events

REQUIRED = ["id", "kind", "date", "date_precision", "title", "text", "text_en", "actors",
            "event_type", "sources"]
ARABIC = re.compile(r"[\u0600-\u06FF]")
KNOWN_TYPES = {t for types in EVENT_LANES.values() for t in types}

# Dates the issue names explicitly: each must carry a milestone entry on that day.
KEY_DATES = {
    "2019-04-04": "haftar",  # Tripoli offensive
    "2020-01-19": "berlin_conference",
    "2020-06-05": "tarhuna",
    "2020-06-20": "sisi",  # Sirte-Jufra red line
    "2020-10-23": "jmc",  # Geneva ceasefire
    "2021-02-05": "lpdf",
    "2021-03-10": "gnu",
    "2021-03-15": "gnu",
    "2021-12-24": "gnu",
}


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    with CHRONOLOGY_PATH.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def events():
    return load_events()


def test_every_line_has_the_required_fields(lines) -> None:
    assert len(lines) >= 80
    for entry in lines:
        missing = [k for k in REQUIRED if entry.get(k) in (None, "", [])]
        assert not missing, f"{entry.get('id')}: missing {missing}"
        assert entry["kind"] == "chronology"
        assert entry["date_precision"] in {"day", "month"}
        assert entry["event_type"] in KNOWN_TYPES, f"{entry['id']}: {entry['event_type']}"
        assert isinstance(entry["actors"], list) and isinstance(entry["sources"], list)


def test_dates_parse_and_lie_in_range(lines, events) -> None:
    assert events["date"].notna().all()
    assert events["date"].min() >= pd.Timestamp("2019-04-01")
    assert events["date"].max() <= pd.Timestamp("2021-12-31")
    for entry in lines:
        day = pd.Timestamp(entry["date"])
        if entry["date_precision"] == "month":
            assert day.day == 1, f"{entry['id']}: a month-precision date is stored as the 1st"
            assert entry["id"].startswith(f"chr-{day:%Y-%m}-")
        else:
            assert entry["id"].startswith(f"chr-{day:%Y-%m-%d}-"), entry["id"]
    # the chronology spans the whole period, not one burst
    assert events["date"].dt.year.value_counts().to_dict().keys() == {2019, 2020, 2021}


def test_no_duplicate_ids_or_texts(lines) -> None:
    ids = [e["id"] for e in lines]
    assert len(ids) == len(set(ids))
    texts = [match_key(e["text"]) for e in lines]
    assert len(texts) == len(set(texts))
    titles = [e["title"].lower() for e in lines]
    assert len(titles) == len(set(titles))


def test_texts_are_short_arabic_briefs(lines) -> None:
    for entry in lines:
        text = entry["text"]
        letters = [c for c in text if c.isalpha()]
        share = sum(bool(ARABIC.match(c)) for c in letters) / len(letters)
        assert share > 0.9, f"{entry['id']}: text is not Arabic"
        sentences = [s for s in re.split(r"[.!؟]\s*", text) if s.strip()]
        assert 1 <= len(sentences) <= 3, f"{entry['id']}: {len(sentences)} sentences"
        assert not ARABIC.search(entry["text_en"]), f"{entry['id']}: text_en is not English"


def test_every_entry_has_a_source_url(lines) -> None:
    for entry in lines:
        assert all(re.match(r"https?://[^\s/]+\.[^\s]+", u) for u in entry["sources"]), entry["id"]
        assert entry.get("url") in entry["sources"]


def test_actor_ids_exist_in_the_dictionary(lines) -> None:
    path = DATA_DIR / "actors.csv"
    if not path.is_file():
        pytest.skip("data/actors.csv is not there yet: actor ids cannot be checked")
    known = set(pd.read_csv(path, dtype=str, keep_default_na=False)["actor_id"])
    for entry in lines:
        unknown = set(entry["actors"]) - known
        assert not unknown, f"{entry['id']}: unknown actor ids {sorted(unknown)}"
        assert len(entry["actors"]) == len(set(entry["actors"]))


def test_key_events_are_milestones_on_their_dates(events) -> None:
    for day, actor in KEY_DATES.items():
        rows = events[(events["date"] == pd.Timestamp(day)) & events["milestone"]]
        assert any(actor in a for a in rows["actors"]), f"no milestone with {actor} on {day}"
    month_only = events[events["date_precision"] == "month"]
    assert len(month_only) >= 2  # the honest-date handling has something to show


def test_chronology_loads_through_the_corpus_loader(events) -> None:
    corpus = pytest.importorskip("helpers.corpus", reason="helpers.corpus not available")
    arts = corpus.load_corpus(CHRONOLOGY_PATH)
    assert get_load_report(arts).empty
    assert (arts["kind"] == "chronology").all() and len(arts) == len(events)
    merged = arts.merge(events, left_on="article_id", right_on="id", suffixes=("", "_ev"))
    assert len(merged) == len(events)
    assert (merged["date"] == merged["date_ev"]).all()
    assert (merged["date_precision"] == merged["date_precision_ev"]).all()


# --------------------------------------------------------------------------- reference facts

# Reference actor names (the CSV's "LNA/Haftar;Egypt/Sisi" cells) -> actor ids.
REFERENCE_NAMES = {
    "lna": "lna", "haftar": "haftar", "gna": "gna", "sarraj": "sarraj", "turkey": "turkey",
    "erdogan": "erdogan", "egypt": "egypt", "sisi": "sisi", "russia": "russia",
    "france": "france", "germany": "germany", "un": "un", "uae": "uae", "italy": "italy",
    "algeria": "algeria", "wagner": "wagner", "usa": "usa", "hor": "hor",
    "aguila saleh": "aguila_saleh", "saleh": "aguila_saleh", "jmc 5+5": "jmc",
    "unsmil": "unsmil", "stephanie williams": "stephanie_williams", "lpdf": "lpdf",
    "menfi": "menfi", "dbeibah": "dbeibah", "bashagha": "bashagha",
}
STOP = {"with", "from", "after", "under", "their", "that", "into", "towards", "same", "then",
        "libya", "libyan", "says", "(partial)", "all", "and", "the"}


def _reference_rows() -> list[dict]:
    root = shared_data_dir()
    path = root / "reference" / "libya_2019_2021_timeline_facts.csv" if root else None
    if path is None or not path.is_file():
        pytest.skip("shared reference timeline not found (../shared/data/reference or "
                    "ARABIC_NEWS_DATA_DIR): coverage cannot be checked")
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _reference_actors(cell: str) -> set[str]:
    ids = set()
    for part in re.split(r"[;/]", cell):
        name = re.sub(r"\(.*?\)", "", part).strip().lower()
        if name in REFERENCE_NAMES:
            ids.add(REFERENCE_NAMES[name])
    return ids


def _keywords(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z']+", text.lower())
    return {w for w in words if len(w) >= 5 and w not in STOP}


def test_every_reference_event_is_covered_on_its_date(events) -> None:
    rows = _reference_rows()
    assert len(rows) >= 20
    uncovered = []
    for ref in rows:
        day = pd.Timestamp(ref["date"])
        same_day = events[(events["date"] == day) & (events["date_precision"] == "day")]
        want_actors = _reference_actors(ref["actors"])
        want_words = _keywords(ref["event_en"])
        ok = False
        for _, ev in same_day.iterrows():
            ours = _keywords(f"{ev['title']} {ev['text_en']}")
            if want_actors & set(ev["actors"]) and want_words & ours:
                ok = True
        if not ok:
            uncovered.append(f"{ref['date']} {ref['event_en']}")
    assert not uncovered, "reference events without a matching entry:\n" + "\n".join(uncovered)


def test_reference_actor_mapping_is_not_empty() -> None:
    # guards the coverage test: most reference rows must map to at least one actor id
    rows = _reference_rows()
    mapped = [r for r in rows if _reference_actors(r["actors"])]
    assert len(mapped) == len(rows)
