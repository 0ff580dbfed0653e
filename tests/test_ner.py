"""Tests of helpers.ner: the transformers (CAMeLBERT) tagger, windows, the mentions table and
its cache, the auto fallback (profile parsing and loading itself: tests/test_models.py).

The transformers path is tested with tiny BertForTokenClassification models built here with
CAMeLBERT's label set. Some are "deterministic": no transformer layers, zero position
embeddings and a classifier that reads the label off the word embedding, so each vocabulary
entry always gets the label chosen below, whatever its position or window.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from helpers import models, ner, teaching  # noqa: E402
from helpers.paths import MODELS_DIR  # noqa: E402
from helpers.report import highlight_html  # noqa: E402
from helpers.tokens import word_spans, words  # noqa: E402

# CAMeLBERT-MSA-NER's id2label (config.json of CAMeL-Lab/bert-base-arabic-camelbert-msa-ner,
# copied from ../shared/data/reference/camelbert_facts.json, which may be absent in CI).
CAMELBERT_LABELS = ["B-LOC", "B-MISC", "B-ORG", "B-PERS", "I-LOC", "I-MISC", "I-ORG",
                    "I-PERS", "O"]

# vocabulary entry -> label it always gets from the deterministic model
VOCAB_LABELS = {
    "[PAD]": "O", "[UNK]": "O", "[CLS]": "O", "[SEP]": "O", "[MASK]": "O",
    "قال": "O", "في": "O", "إلى": "O", "وصل": "O", "الرئيس": "O", "،": "O", ".": "O",
    "<": "O", ">": "O", "&": "O",
    "رجب": "B-PERS", "طيب": "I-PERS", "أردوغان": "I-PERS",  # alone: I after O -> new entity
    "ليبيا": "B-LOC", "طرابلس": "B-LOC",
    "حكومة": "B-ORG", "الوفاق": "I-ORG",
    # لحكومة -> ل ##حكومة: the first piece says ORG, the second LOC; the word must be ORG
    "ل": "B-ORG", "##حكومة": "B-LOC",
    "ا": "O", "##ردوغان": "O",
}


def build_tiny_model(folder: Path, *, deterministic: bool = True, edge_misc: bool = False,
                     lower_case_config: bool = False, max_positions: int = 512,
                     seed: int = 0) -> Path:
    """Save a tiny BERT token classifier + tokenizer (do_lower_case=False) to ``folder``.

    ``edge_misc``: the first three positions after [CLS] predict B-MISC whatever the word,
    so a word labelled from the start of a later window would come out as MISC.
    ``lower_case_config``: save the tokenizer as a lower-casing one (BERT's default), as a
    badly configured hub model would be; the loader must still keep hamza.
    """
    vocab = {tok: i for i, tok in enumerate(VOCAB_LABELS)}
    tokenizer = transformers.BertTokenizer(vocab=dict(vocab), do_lower_case=lower_case_config)
    hidden = 12 if deterministic else 16
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=hidden, num_hidden_layers=0 if deterministic else 2,
        num_attention_heads=2, intermediate_size=32, max_position_embeddings=max_positions,
        num_labels=len(CAMELBERT_LABELS), id2label=dict(enumerate(CAMELBERT_LABELS)),
        label2id={lab: i for i, lab in enumerate(CAMELBERT_LABELS)})
    torch.manual_seed(seed)
    model = transformers.BertForTokenClassification(config)
    if deterministic:
        label_id = {lab: i for i, lab in enumerate(CAMELBERT_LABELS)}
        emb = model.bert.embeddings
        with torch.no_grad():
            emb.word_embeddings.weight.zero_()
            emb.position_embeddings.weight.zero_()
            emb.token_type_embeddings.weight.zero_()
            for tok, i in vocab.items():
                emb.word_embeddings.weight[i, label_id[VOCAB_LABELS[tok]]] = 10.0
            if edge_misc:
                emb.position_embeddings.weight[1:4, label_id["B-MISC"]] = 40.0
            model.classifier.weight.zero_()
            model.classifier.bias.zero_()
            for j in range(len(CAMELBERT_LABELS)):
                model.classifier.weight[j, j] = 5.0
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


def sentences_table(article_id: str, text: str, breaks: list[int]) -> pd.DataFrame:
    """A sentences table cutting ``text`` at the character offsets ``breaks``."""
    cuts = [0, *breaks, len(text)]
    rows = [(article_id, i, a, b, text[a:b]) for i, (a, b) in enumerate(pairwise(cuts))]
    return pd.DataFrame(rows, columns=["article_id", "sent_id", "start", "end", "text"])


class StandIn:
    """A tagger with the profile interface that labels words from a dictionary."""

    def __init__(self, identity: str, labels: dict[str, str]) -> None:
        self.identity = identity
        self.by_word = labels
        self.calls = 0

    def labels(self) -> list[str]:
        return sorted(set(self.by_word.values()) | {"O"})

    def predict(self, batch: list[list[str]]) -> list[list[tuple[str, float]]]:
        self.calls += 1
        return [[(self.by_word.get(w, "O"), 0.8) for w in ws] for ws in batch]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ARABIC_NEWS_MODELS", raising=False)
    monkeypatch.delenv("ARABIC_NEWS_NER_MODEL", raising=False)
    models.clear_loaded()
    yield
    models.clear_loaded()


@pytest.fixture
def tiny(tmp_path, monkeypatch) -> ner.TransformersTagger:
    folder = build_tiny_model(tmp_path / "tiny-ner")
    monkeypatch.setenv("ARABIC_NEWS_NER_MODEL", str(folder))
    return models.load_ner("camelbert")


# ------------------------------------------------------------------ transformers path


def test_camelbert_profile_loads_a_local_folder_and_keeps_hamza(tiny):
    assert isinstance(tiny, ner.TransformersTagger)
    assert tiny.identity.startswith("local:tiny-ner@")
    assert tiny.labels() == CAMELBERT_LABELS
    assert tiny.max_tokens == 512
    assert tiny.tokenizer.tokenize("أردوغان لحكومة") == ["أردوغان", "ل", "##حكومة"]


def test_hamza_survives_even_if_the_saved_tokenizer_lower_cases(tmp_path):
    folder = build_tiny_model(tmp_path / "lowercasing", lower_case_config=True)
    plain = transformers.AutoTokenizer.from_pretrained(folder)
    assert plain.tokenize("أردوغان") != ["أردوغان"]  # the trap: hamza stripped
    tagger = ner.TransformersTagger.from_pretrained(folder)
    assert tagger.tokenizer.tokenize("أردوغان") == ["أردوغان"]


def test_words_are_labelled_by_their_first_subtoken(tiny):
    tags = tiny.predict([["قال", "لحكومة", "حكومة", "أردوغان"]])[0]
    assert [label for label, _ in tags] == ["O", "B-ORG", "B-ORG", "I-PERS"]
    assert all(0.9 < p <= 1.0 for _, p in tags)


def test_label_probabilities_agree_with_the_labels(tmp_path):
    tagger = ner.TransformersTagger.from_pretrained(
        build_tiny_model(tmp_path / "random", deterministic=False, seed=3))
    batch = [["قال", "لحكومة", "حكومة", "أردوغان"], [], ["أردوغان"] * 700]  # windows too
    probs = tagger.predict_proba(batch)
    labels = tagger.predict(batch)
    assert [p.shape for p in probs] == [(4, 9), (0, 9), (700, 9)]
    for p, tags in zip(probs, labels, strict=True):
        assert p.sum(axis=1) == pytest.approx(np.ones(len(p)), abs=1e-5)
        assert [tagger.labels()[j] for j in p.argmax(axis=1)] == [lab for lab, _ in tags]
        assert p.max(axis=1) == pytest.approx([prob for _, prob in tags])


def test_mentions_offsets_round_trip_and_spans_are_whole_words(tiny):
    text = ("قال الرئيس رجب طيب أردوغان في طرابلس.\n"
            "وصل أردوغان إلى ليبيا، قال حكومة الوفاق لحكومة طرابلس.")
    article = sentences_table("a1", text, [text.index("\n") + 1])
    mentions = ner.run_ner(article, tagger=tiny, cache=False)
    assert list(mentions.columns) == ner.MENTIONS.columns
    for row in mentions.itertuples():
        assert text[row.start:row.end] == row.surface
        assert (row.start, row.end) == (word_spans(text[row.start:])[0][0] + row.start,
                                         row.end)
        starts = {a for a, _ in word_spans(text)}
        ends = {b for _, b in word_spans(text)}
        assert row.start in starts and row.end in ends
    got = list(zip(mentions.sent_id, mentions.surface, mentions.label, strict=True))
    assert got == [
        (0, "رجب طيب أردوغان", "PERS"), (0, "طرابلس", "LOC"),
        (1, "أردوغان", "PERS"), (1, "ليبيا", "LOC"), (1, "حكومة الوفاق", "ORG"),
        (1, "لحكومة", "ORG"), (1, "طرابلس", "LOC"),
    ]
    assert (mentions.model == tiny.identity).all()
    assert mentions.score.between(0.9, 1.0).all()


def test_a_3000_word_sentence_is_tagged_in_windows_with_correct_offsets(tiny):
    n_words = 3000
    targets = {7, 640, 1555, 2993}
    fill = ["قال", "في", "،", "إلى"]
    body = " ".join("أردوغان" if i in targets else fill[i % 4] for i in range(n_words))
    text = "وصل الرئيس.\n" + body + "."
    table = sentences_table("long", text, [len("وصل الرئيس.\n")])
    tokens = words(table.text[1])
    windows = ner.word_windows([1] * len(tokens), tiny.max_tokens - 2, tiny.stride)
    assert len(windows) >= 6
    mentions = ner.run_ner(table, tagger=tiny, cache=False)
    assert len(mentions) == len(targets)
    assert set(mentions.label) == {"PERS"}
    assert (mentions.sent_id == 1).all()
    spans = word_spans(table.text[1])
    offset = int(table.start[1])
    expected = [(offset + spans[i][0], offset + spans[i][1]) for i in sorted(targets)]
    assert list(zip(mentions.start, mentions.end, strict=True)) == expected
    assert all(text[a:b] == "أردوغان" for a, b in expected)
    assert mentions.start.max() > offset + spans[windows[0][1]][0]  # beyond the first window


def test_each_word_takes_the_window_where_it_is_most_central(tmp_path):
    folder = build_tiny_model(tmp_path / "edgy", edge_misc=True)
    tagger = ner.TransformersTagger.from_pretrained(folder)
    sentence = ["قال"] * 1500
    tags = tagger.predict([sentence])[0]
    misc = [i for i, (label, _) in enumerate(tags) if label == "B-MISC"]
    # only the sentence's first words sit at a window start without a better window
    assert misc == [0, 1, 2]
    assert len(ner.word_windows([1] * 1500, tagger.max_tokens - 2, tagger.stride)) > 2


def test_batched_inference_matches_one_by_one(tmp_path):
    folder = build_tiny_model(tmp_path / "random", deterministic=False, max_positions=40)
    tagger = ner.TransformersTagger.from_pretrained(folder)
    assert tagger.max_tokens == 40
    vocab_words = ["قال", "في", "رجب", "طيب", "أردوغان", "ليبيا", "لحكومة", "،"]
    batch = [[vocab_words[(i * 3 + j) % 8] for j in range(n)] for i, n in
             enumerate([3, 90, 1, 17, 0, 41, 5])]
    together = tagger.predict(batch, batch_size=4)
    alone = [tagger.predict([s], batch_size=1)[0] for s in batch]
    assert [len(s) for s in together] == [len(s) for s in batch]
    for got, ref in zip(together, alone, strict=True):
        assert [label for label, _ in got] == [label for label, _ in ref]
        assert [p for _, p in got] == pytest.approx([p for _, p in ref], abs=1e-5)


# ------------------------------------------------------------------- pure functions


@pytest.mark.parametrize("lengths,budget,stride", [
    ([1] * 3000, 510, 128), ([3, 1, 4, 1, 5, 9, 2, 6] * 50, 20, 6), ([30, 1, 1], 10, 4),
    ([2] * 5, 100, 10), ([], 10, 2),
])
def test_word_windows_cover_every_word_within_the_budget(lengths, budget, stride):
    windows = ner.word_windows(lengths, budget, stride)
    covered = sorted({w for s, e in windows for w in range(s, e)})
    assert covered == list(range(len(lengths)))
    for (s1, e1), (s2, e2) in pairwise(windows):
        assert s1 < s2 <= e1 < e2  # moves forward, overlaps or touches
        assert sum(lengths[s2:e1]) <= stride
    for s, e in windows:
        assert e - s == 1 or sum(lengths[s:e]) <= budget


def test_bio_spans_repair_broken_sequences():
    assert ner.bio_spans(["I-PERS", "I-PERS", "O", "B-LOC", "B-LOC", "I-ORG", "I-ORG"]) == [
        (0, 2, "PERS"), (3, 4, "LOC"), (4, 5, "LOC"), (5, 7, "ORG")]
    assert ner.bio_spans(["O", "O"]) == []


# ------------------------------------------------------------------------ the cache


def test_cache_hit_returns_identical_rows_and_another_model_misses(tmp_path):
    text = "قال أردوغان في طرابلس. وصل رجب إلى ليبيا."
    table = sentences_table("c", text, [text.index("وصل")])
    first = StandIn("stand-in@1", {"أردوغان": "B-PERS", "طرابلس": "B-LOC", "ليبيا": "B-LOC"})
    fresh = ner.run_ner(table, tagger=first)
    assert first.calls == 1 and len(fresh) == 3
    assert list((tmp_path / "cache" / "ner").glob("*.parquet"))
    again = ner.run_ner(table, tagger=first)
    assert first.calls == 1  # served from disk
    pd.testing.assert_frame_equal(fresh, again)

    second = StandIn("stand-in@2", {"رجب": "B-PERS"})
    other = ner.run_ner(table, tagger=second)
    assert second.calls == 1
    assert other.surface.tolist() == ["رجب"] and set(other.model) == {"stand-in@2"}

    changed = table.assign(text=table.text.str.replace("طرابلس", "ليبيا"))
    ner.run_ner(changed, tagger=first)
    assert first.calls == 2  # another text is another key


def test_cache_false_writes_nothing_and_empty_input(tmp_path):
    tagger = StandIn("s", {})
    table = sentences_table("x", "قال.", [])
    assert ner.run_ner(table, tagger=tagger, cache=False).empty
    assert not (tmp_path / "cache" / "ner").exists()
    empty = ner.run_ner(table.iloc[:0], tagger=tagger)
    assert list(empty.columns) == ner.MENTIONS.columns and empty.empty
    with pytest.raises(ValueError, match="split_sentences"):
        ner.run_ner(table.drop(columns="start"), tagger=tagger)


def test_the_transformers_cache_is_keyed_by_model_content(tmp_path):
    text = "قال رجب طيب أردوغان في ليبيا."
    table = sentences_table("k", text, [])
    a = ner.TransformersTagger.from_pretrained(build_tiny_model(tmp_path / "m", seed=1,
                                                                deterministic=False))
    b = ner.TransformersTagger.from_pretrained(build_tiny_model(tmp_path / "m2" / "m", seed=2,
                                                                deterministic=False))
    assert a.identity != b.identity and a.identity.split("@")[0] == b.identity.split("@")[0]
    ner.run_ner(table, tagger=a)
    ner.run_ner(table, tagger=b)
    assert len(list((tmp_path / "cache" / "ner").glob("*.parquet"))) == 2
    # big weight files are fingerprinted by samples: still different, and stable
    sampled = [models.folder_fingerprint(tmp_path / f, sample_above=4096) for f in ("m", "m2/m")]
    assert sampled[0] != sampled[1]
    assert sampled[0] == models.folder_fingerprint(tmp_path / "m", sample_above=4096)


# ------------------------------------------------------------- offline and fallback


@pytest.fixture
def offline(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("ARABIC_NEWS_NER_MODEL", "arabic-news-tests/ner-model-that-is-not-cached")


def test_offline_uncached_model_raises_one_clear_line(offline):
    with pytest.raises(models.ModelUnavailable) as err:
        models.load_ner("camelbert")
    message = str(err.value)
    assert "\n" not in message
    assert "not in the local Hugging Face cache" in message
    assert "hub is not reachable" in message and "'bundled'" in message
    assert err.value.__cause__ is None


def test_auto_falls_back_to_bundled_and_says_so(offline, monkeypatch):
    stand_in = StandIn("bundled-stand-in@0", {})
    monkeypatch.setattr(models, "_load_bundled", lambda kind, ensemble=True: stand_in)
    with pytest.warns(models.FallbackWarning) as caught:
        tagger = models.load_ner("auto")
    assert tagger is stand_in
    note = str(caught[0].message)
    assert "auto" in note and "bundled" in note and "bundled-stand-in@0" in note
    assert models.load_ner("auto") is tagger  # loaded once per process
    monkeypatch.setenv("ARABIC_NEWS_MODELS", "auto")
    assert models.load_ner() is tagger


def test_auto_falls_back_to_the_real_bundled_model(offline):
    if not (MODELS_DIR / "ner-bundled" / "model.crfsuite").is_file():
        pytest.skip("the bundled model (data/models/ner-bundled/) is not there yet: "
                    "run `make train-ner`")
    with pytest.warns(models.FallbackWarning, match="bundled"):
        tagger = models.load_ner("auto")
    assert tagger is models.load_ner("bundled")
    tags = tagger.predict([["قال", "الرئيس", "التركي", "رجب", "طيب", "أردوغان"]])
    assert len(tags[0]) == 6


# ------------------------------------------------------------------------- display


def test_highlight_html_escapes_text_and_is_right_to_left():
    text = "قال <b>أردوغان</b> & ليبيا"
    mentions = pd.DataFrame({"start": [text.index("أردوغان"), text.index("ليبيا")],
                             "end": [text.index("أردوغان") + 7, len(text)],
                             "label": ["PERS", "LOC"], "score": [0.9, 0.8]})
    out = highlight_html(text, mentions, legend=False)
    assert out.startswith('<div dir="rtl"')
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp;" in out
    assert out.count("<mark") == 2
    assert ">أردوغان<sub" in out and ">ليبيا<sub" in out


def test_explain_subwords_names_the_labelled_piece(tiny):
    table = teaching.explain_subwords(tiny.tokenizer, ["أردوغان", "لحكومة"])
    assert table.to_dict("records") == [
        {"word": "أردوغان", "pieces": "أردوغان", "n_pieces": 1, "labelled_piece": "أردوغان"},
        {"word": "لحكومة", "pieces": "ل ##حكومة", "n_pieces": 2, "labelled_piece": "ل"},
    ]


def test_reference_labels_match_the_copy_in_this_test():
    from helpers.paths import shared_data_dir

    root = shared_data_dir()
    facts = root / "reference" / "camelbert_facts.json" if root else None
    if facts is None or not facts.is_file():
        pytest.skip("../shared/data/reference/camelbert_facts.json is absent")
    reference = json.loads(facts.read_text(encoding="utf-8"))["ner_models"]
    id2label = reference[models.DEFAULT_NER_MODEL]["id2label"]
    assert [id2label[str(i)] for i in range(len(id2label))] == CAMELBERT_LABELS


def test_a_model_folder_or_hub_id_can_stand_for_the_profile(tmp_path, offline):
    folder = build_tiny_model(tmp_path / "as-profile")
    tagger = models.load_ner(str(folder))
    assert isinstance(tagger, ner.TransformersTagger)
    assert tagger.identity.startswith("local:as-profile@")
    with pytest.raises(models.ModelUnavailable, match="owner/not-cached-model"):
        models.load_ner("owner/not-cached-model")


def test_f1_comparison_reads_the_bundled_scores(tmp_path):
    folder = tmp_path / "ner-bundled"
    folder.mkdir()
    types = {t: {"precision": 0.8, "recall": 0.6, "f1": f, "support": 10}
             for t, f in zip(ner.ENTITY_TYPES, [0.7, 0.8, 0.6, 0.5], strict=True)}
    (folder / "scores.json").write_text(json.dumps({
        "identity": "bundled:test@1", "test": {"micro": {"f1": 0.7412, "precision": 0.8,
                                                         "recall": 0.7, "support": 40},
                                               "types": types}}), encoding="utf-8")
    table = teaching.f1_comparison(folder)
    assert table["model"].tolist() == ["bundled: CRF + encoder (measured)",
                                       "fast: CRF alone (measured)", "CAMeLBERT-MSA (published)"]
    assert pd.isna(table.loc[0, "micro F1"]) and "make tune-ner-ensemble" in table.loc[0, "source"]
    assert table.loc[1, "micro F1"] == pytest.approx(74.12)
    assert table.loc[1, "PERS F1"] == pytest.approx(70.0)
    assert table.loc[2, "micro F1"] == 82.4 and pd.isna(table.loc[2, "PERS F1"])
    scores = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
    scores["ensemble"] = {"identity": "bundled:ens@2", "test": {
        "micro": {"f1": 0.7533}, "types": {"ORG": {"f1": 0.61}}}}
    (folder / "scores.json").write_text(json.dumps(scores), encoding="utf-8")
    both = teaching.f1_comparison(folder)
    assert both.loc[0, "micro F1"] == pytest.approx(75.33)
    assert both.loc[0, "ORG F1"] == pytest.approx(61.0) and pd.isna(both.loc[0, "PERS F1"])
    assert "bundled:ens@2" in both.loc[0, "source"]
    missing = teaching.f1_comparison(tmp_path / "nowhere")
    assert pd.isna(missing.loc[1, "micro F1"]) and "make train-ner" in missing.loc[1, "source"]


def test_learnt_wordpiece_is_deterministic_and_splits_clitics():
    texts = ["قالت حكومة الوفاق إن حكومة طرابلس", "لحكومة الوفاق وللحكومة", "حكومة ليبيا"] * 3
    vocab = teaching.learn_wordpiece_vocab(texts, vocab_size=34)
    assert vocab == teaching.learn_wordpiece_vocab(list(reversed(texts)), vocab_size=34)
    assert vocab[:5] == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] and len(vocab) == 34
    tok = teaching.train_wordpiece(texts, vocab_size=34)
    pieces = tok.tokenize("لحكومة")
    assert pieces[0] == "ل" and "".join(p.removeprefix("##") for p in pieces) == "لحكومة"
    assert tok.tokenize("حكومة") == ["حكومة"]


def test_a_missing_model_folder_is_reported_as_such(tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_NER_MODEL", str(tmp_path / "no-such-model"))
    with pytest.raises(models.ModelUnavailable, match="does not exist"):
        models.load_ner("camelbert")


def test_highlight_html_accepts_spans_without_score_and_skips_overlaps():
    text = "وصل أردوغان إلى طرابلس"
    spans = pd.DataFrame({"start": [4, 4, 16], "end": [11, 15, 22], "label": ["PERS", "ORG", None],
                          "score": [None, 0.5, float("nan")]})
    out = highlight_html(text, spans, legend=False)
    assert out.count("<mark") == 2  # the overlapping ORG span is dropped
    assert 'title="PERS"' in out and 'title=""' in out and "nan" not in out
