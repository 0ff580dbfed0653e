"""The model-output cache (helpers.models.OutputCache) can never break or falsify a run.

Each damaged entry (truncated, random bytes, another article's valid table, a table that
carries this entry's key but another article's rows) must give the same table as a clean run
and be replaced on disk; an unwritable cache folder or a full disk is reported once and
bypassed, leaving no temporary file; sentiment outputs are cached like NER outputs.
"""

from __future__ import annotations

import os
import shutil
import warnings

import pandas as pd
import pytest

from helpers import models, ner
from helpers import sentiment as S
from helpers.schema import MENTIONS, RESOLVED_MENTIONS

ARTICLE_A = ("قال الرئيس رجب طيب أردوغان في أنقرة إن تركيا ستدعم حكومة الوفاق في طرابلس. "
             "وأعلنت الأمم المتحدة أن غسان سلامة سيزور بنغازي.")
ARTICLE_B = "ذكرت وكالة الأنباء الفرنسية أن شركة توتال وقعت اتفاقا مع المؤسسة الوطنية للنفط."


def sentences_of(article_id: str, text: str) -> pd.DataFrame:
    """One sentence per line-free chunk ending in a full stop."""
    rows, start = [], 0
    for i, part in enumerate(p for p in text.split(". ") if p):
        part = part if part.endswith(".") else part + "."
        begin = text.index(part, start)
        rows.append((article_id, i, begin, begin + len(part), part))
        start = begin + len(part)
    return pd.DataFrame(rows, columns=["article_id", "sent_id", "start", "end", "text"])


class Counting:
    """Wraps a tagger or classifier and counts the calls of ``predict``."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.calls = 0

    def labels(self) -> list[str]:
        return self.inner.labels()

    def predict(self, batch, **kwargs):
        self.calls += 1
        return self.inner.predict(batch, **kwargs)


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(root))
    return root


@pytest.fixture(scope="module")
def bundled():
    return models.load_ner("bundled")


@pytest.fixture
def tagger(bundled):
    return Counting(bundled)


def leftovers(root) -> list[str]:
    return [p.name for p in root.rglob("*") if p.name.endswith(".tmp")] if root.exists() else []


def entry_is_sound(sentences: pd.DataFrame, tagger) -> bool:
    key = ner.NER_CACHE.key(tagger.identity, ner._cache_rows(sentences))
    fits = lambda m: ner.mentions_fit(m, sentences, tagger.identity)  # noqa: E731
    return ner.NER_CACHE.get(key, MENTIONS.columns, fits) is not None


# --------------------------------------------------------------------------- NER


def test_second_run_is_served_from_disk_and_equals_the_clean_run(cache_root, tagger):
    sentences = sentences_of("a", ARTICLE_A)
    clean = ner.run_ner(sentences, tagger=tagger, cache=False)
    assert len(clean) >= 3
    first = ner.run_ner(sentences, tagger=tagger)
    second = ner.run_ner(sentences, tagger=tagger)
    assert tagger.calls == 2  # the clean run and the first cached run; not the second
    pd.testing.assert_frame_equal(first, clean)
    pd.testing.assert_frame_equal(second, clean)
    assert ner.ner_cache_path(sentences, tagger.identity).is_file()


def _truncate(path, other):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _random_bytes(path, other):
    path.write_bytes(os.urandom(path.stat().st_size))


def _foreign_file(path, other):
    shutil.copyfile(other, path)  # another article's valid entry under this name


def _foreign_rows_with_this_key(path, other):
    # a valid Parquet file that even carries this entry's key, but another article's rows
    import pyarrow.parquet as pq

    own = pq.read_table(path).schema.metadata
    rows = pq.read_table(other).replace_schema_metadata(own)
    pq.write_table(rows, path)


def _empty_file(path, other):
    path.write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate, _random_bytes, _foreign_file,
                                    _foreign_rows_with_this_key, _empty_file])
def test_a_damaged_entry_is_recomputed_and_replaced(cache_root, tagger, damage):
    a, b = sentences_of("a", ARTICLE_A), sentences_of("b", ARTICLE_B)
    clean_a = ner.run_ner(a, tagger=tagger, cache=False)
    ner.run_ner(a, tagger=tagger)
    ner.run_ner(b, tagger=tagger)
    path_a = ner.ner_cache_path(a, tagger.identity)
    path_b = ner.ner_cache_path(b, tagger.identity)
    assert path_a != path_b and path_a.is_file() and path_b.is_file()
    damage(path_a, path_b)
    assert not entry_is_sound(a, tagger)
    calls = tagger.calls
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a damaged entry is no reason for a warning
        again = ner.run_ner(a, tagger=tagger)
    assert tagger.calls == calls + 1  # recomputed, not trusted
    pd.testing.assert_frame_equal(again, clean_a)
    assert entry_is_sound(a, tagger)  # replaced on disk
    third = ner.run_ner(a, tagger=tagger)
    assert tagger.calls == calls + 1  # and served from the repaired entry
    pd.testing.assert_frame_equal(third, clean_a)
    assert leftovers(cache_root) == []


def test_another_model_or_text_never_reads_this_entry(cache_root, tagger):
    a = sentences_of("a", ARTICLE_A)
    ner.run_ner(a, tagger=tagger)
    other = Counting(tagger.inner)
    other.identity = tagger.identity.replace("@", "@0")
    out = ner.run_ner(a, tagger=other)
    assert other.calls == 1 and set(out["model"]) == {other.identity}
    changed = a.assign(text=a["text"].str.replace("أنقرة", "إسطنبول"))
    ner.run_ner(changed, tagger=tagger)
    assert tagger.calls == 2


def test_an_unwritable_cache_is_reported_once_and_bypassed(tmp_path, monkeypatch, tagger):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(blocker / "cache"))  # cannot be created
    a, b = sentences_of("a", ARTICLE_A), sentences_of("b", ARTICLE_B)
    clean = ner.run_ner(a, tagger=tagger, cache=False)
    with pytest.warns(models.CacheWarning, match="cannot be written") as caught:
        first = ner.run_ner(a, tagger=tagger)
        ner.run_ner(b, tagger=tagger)
        second = ner.run_ner(a, tagger=tagger)
        S.classify_contexts(FakeClassifier(), ["رحبت «[مصر]» بالاتفاق"])
    assert len(caught) == 1  # once, not per article or per stage
    assert "ARABIC_NEWS_CACHE" in str(caught[0].message)
    assert any(str(blocker) in note for note in models.cache_notes())
    pd.testing.assert_frame_equal(first, clean)
    pd.testing.assert_frame_equal(second, clean)
    assert tagger.calls == 4  # nothing cached, everything computed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_full_disk_leaves_no_temporary_file(cache_root, monkeypatch, tagger):
    import pyarrow.parquet as pq

    def disk_full(table, where, **kwargs):
        where.write(b"PAR1 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", disk_full)
    a = sentences_of("a", ARTICLE_A)
    clean = ner.run_ner(a, tagger=tagger, cache=False)
    with pytest.warns(models.CacheWarning, match="No space left on device"):
        out = ner.run_ner(a, tagger=tagger)
    pd.testing.assert_frame_equal(out, clean)
    assert leftovers(cache_root) == []
    assert not ner.ner_cache_path(a, tagger.identity).exists()


def test_an_interrupted_write_leaves_no_temporary_file(cache_root, monkeypatch):
    import pyarrow.parquet as pq

    def interrupted(table, where, **kwargs):
        where.write(b"PAR1")
        raise KeyboardInterrupt

    monkeypatch.setattr(pq, "write_table", interrupted)
    cache = models.OutputCache("test")
    frame = pd.DataFrame({"x": [1]})
    with pytest.raises(KeyboardInterrupt):
        cache.put(cache.key("m@1", [["x"]]), frame)
    assert leftovers(cache_root) == []


def test_the_cache_checks_columns_and_refuses_bad_stage_names(cache_root):
    cache = models.OutputCache("test")
    key = cache.key("m@1", [["a"]])
    cache.put(key, pd.DataFrame({"a": [1], "b": [2]}), "m@1")
    assert cache.get(key, ["a", "b"]) is not None
    assert cache.get(key, ["a", "c"]) is None
    assert cache.get(key, ["a", "b"], check=lambda f: False) is None
    assert cache.get(cache.key("m@2", [["a"]]), ["a", "b"]) is None
    with pytest.raises(ValueError, match="lower-case"):
        models.OutputCache("../escape")


# --------------------------------------------------------------------------- sentiment


class FakeClassifier:
    """A sentiment model that says 'positive' for texts naming مصر, counting its calls."""

    identity = "local:fake-sentiment@000000000001"

    def __init__(self) -> None:
        self.calls = 0

    def labels(self) -> list[str]:
        return list(S.LABELS)

    def predict(self, texts, batch_size=16):
        self.calls += 1
        return [{"positive": 0.8, "negative": 0.1, "neutral": 0.1} if "مصر" in t
                else {"positive": 0.1, "negative": 0.2, "neutral": 0.7} for t in texts]


def one_sentence(text: str, targets: list[tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    sentences = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0],
                              "end": [len(text)], "text": [text]})
    rows = []
    for surface, actor in targets:
        start = text.index(surface)
        rows.append({"article_id": "a", "sent_id": 0, "start": start, "end": start + len(surface),
                     "surface": surface, "label": "LOC", "score": 0.9, "model": "test",
                     "match_key": surface, "actor_id": actor, "origin": "dictionary",
                     "rule": ""})
    return sentences, pd.DataFrame(rows, columns=RESOLVED_MENTIONS.columns)


def test_sentiment_outputs_are_cached(cache_root, monkeypatch):
    fake = FakeClassifier()
    monkeypatch.setattr(S, "load_sentiment", lambda profile=None, model=None: fake)
    sentences, resolved = one_sentence("رحبت مصر وتركيا بالاتفاق.",
                                       [("مصر", "egypt"), ("تركيا", "turkey")])
    first = S.score_mentions(resolved, sentences, method="camelbert")
    second = S.score_mentions(resolved, sentences, method="camelbert")
    assert fake.calls == 1  # the second call is served from disk
    pd.testing.assert_frame_equal(first, second)
    assert set(first["method"]) == {fake.identity}
    assert first.set_index("actor_id").loc["egypt", "label"] == "positive"
    entries = list((cache_root / "sentiment").glob("*.parquet"))
    assert len(entries) == 1
    entries[0].write_bytes(b"PAR1 garbage")
    third = S.score_mentions(resolved, sentences, method="camelbert")
    assert fake.calls == 2  # a corrupt entry is recomputed
    pd.testing.assert_frame_equal(first, third)
    S.score_mentions(resolved, sentences, method="camelbert")
    assert fake.calls == 2  # and replaced


def test_sentiment_entries_belong_to_their_texts(cache_root):
    fake = FakeClassifier()
    texts = ["رحبت «[مصر]» بالاتفاق", "هاجم «[حفتر]» طرابلس"]
    probs = S.classify_contexts(fake, texts)
    key = S.SENTIMENT_CACHE.key(fake.identity, [[t] for t in texts])
    other = S.SENTIMENT_CACHE.key(fake.identity, [[texts[1]]])
    S.classify_contexts(fake, texts[1:])
    shutil.copyfile(S.SENTIMENT_CACHE.path(other), S.SENTIMENT_CACHE.path(key))  # foreign
    assert S.classify_contexts(fake, texts) == probs
    assert fake.calls == 3
    assert S.classify_contexts(fake, texts, cache=False) == probs
    assert S.classify_contexts(fake, []) == []


# --------------------------------------------------------------------------- a whole run


ANALYSIS_TABLES = ("mentions", "resolved", "actor_sentiment", "sentiment_summary", "stance",
                   "actor_table")


@pytest.fixture(scope="module")
def clean_analysis(seed_path, tmp_path_factory):
    from helpers.pipeline import analyze

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARABIC_NEWS_CACHE", str(tmp_path_factory.mktemp("clean-cache")))
        mp.delenv("ARABIC_NEWS_MODELS", raising=False)
        return analyze(seed_path, progress=False)


@pytest.mark.parametrize("damage", [_truncate, _random_bytes, _foreign_file])
def test_a_damaged_entry_gives_the_tables_of_a_clean_run(cache_root, seed_path, clean_analysis,
                                                         bundled, damage):
    from helpers.pipeline import analyze

    analyze(seed_path, progress=False)  # fills the cache
    (entry,) = (cache_root / "ner").glob("*.parquet")
    foreign = cache_root / "foreign.parquet"
    ner.run_ner(sentences_of("b", ARTICLE_B), tagger=bundled)
    (other,) = set((cache_root / "ner").glob("*.parquet")) - {entry}
    shutil.move(other, foreign)
    damage(entry, foreign)
    again = analyze(seed_path, progress=False)
    for name in ANALYSIS_TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(clean_analysis, name),
                                      obj=name)
