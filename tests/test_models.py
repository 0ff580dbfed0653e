"""Tests of helpers.models: the profiles (parsed in one place), the one transformers loader
(local folder, hamza-safe tokenizer, 512 sub-tokens, safetensors only, identity), the
"model unavailable" error, and the face every model shares.

The transformers models are tiny BERTs with random weights and a small Arabic vocabulary,
saved to a temporary folder by the tests themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import models
from helpers.paths import MODELS_DIR

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "«", "[", "]", "»", "أردوغان",
         "رحب", "هاجم", "مصر", "ليبيا", "قال", "في", "."]
NER_LABELS = ["B-LOC", "B-MISC", "B-ORG", "B-PERS", "I-LOC", "I-MISC", "I-ORG", "I-PERS", "O"]
SENTIMENT_LABELS = ["positive", "negative", "neutral"]


def save_tiny(folder: Path, kind: str, *, lower_case: bool = False, seed: int = 0,
              safetensors: bool = True) -> Path:
    """A tiny BERT token classifier (``kind="ner"``) or sequence classifier
    (``"sentiment"``) with random weights, saved with its tokenizer to ``folder``."""
    labels = NER_LABELS if kind == "ner" else SENTIMENT_LABELS
    tokenizer = transformers.BertTokenizer(vocab={t: i for i, t in enumerate(VOCAB)},
                                           do_lower_case=lower_case)
    config = transformers.BertConfig(
        vocab_size=len(VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(labels),
        id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)})
    torch.manual_seed(seed)
    cls = (transformers.BertForTokenClassification if kind == "ner"
           else transformers.BertForSequenceClassification)
    model = cls(config)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    if not safetensors:  # what an old checkpoint looks like: pickled PyTorch weights only
        (folder / "model.safetensors").unlink()
        torch.save(model.state_dict(), folder / "pytorch_model.bin")
    return folder


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache"))
    for name in (models.PROFILE_ENV, models.NER_MODEL_ENV, models.SENTIMENT_MODEL_ENV):
        monkeypatch.delenv(name, raising=False)
    models.clear_loaded()
    yield
    models.clear_loaded()


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setattr(models, "is_offline", lambda: True)


# --------------------------------------------------------------------------- profiles


def test_profile_comes_from_the_argument_then_the_environment_then_bundled(monkeypatch):
    assert models.resolve_profile() == "bundled"
    monkeypatch.setenv("ARABIC_NEWS_MODELS", " Auto ")
    assert models.resolve_profile() == "auto"
    assert models.resolve_profile("CAMELBERT") == "camelbert"
    with pytest.raises(ValueError, match="choose one of bundled, fast, camelbert, auto") as err:
        models.resolve_profile("gpt")
    assert "ARABIC_NEWS_MODELS" in str(err.value)
    monkeypatch.setenv("ARABIC_NEWS_MODELS", "vader")
    with pytest.raises(ValueError, match="'vader'"):
        models.resolve_profile()


def test_profile_names_are_written_in_one_module_only():
    src = Path(models.__file__).parent
    offenders = []
    for path in sorted(src.rglob("*.py")):
        if path.name == "models.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"""["']bundled["'],\s*["']camelbert["']""", text) or \
                re.search(r"""environ(?:\.get)?\(\s*["']ARABIC_NEWS_(?:MODELS|\w+_MODEL)""", text):
            offenders.append(path.name)
    assert offenders == []


def test_the_command_line_and_the_pipeline_use_the_same_profiles():
    from helpers import eval_ner, pipeline
    from helpers.__main__ import build_parser

    parser = build_parser()
    analyze = parser._subparsers._group_actions[0].choices["analyze"]
    models_option = next(a for a in analyze._actions if "--models" in a.option_strings)
    assert tuple(models_option.choices) == models.PROFILES
    with pytest.raises(SystemExit):
        eval_ner.main(["--profile", "gpt"])
    with pytest.raises(ValueError, match="choose one of bundled, fast, camelbert, auto"):
        pipeline.analyze("قال أردوغان.", models="gpt")


def test_model_name_follows_argument_then_environment_then_camelbert(monkeypatch):
    assert models.model_name("ner") == models.DEFAULT_NER_MODEL
    assert models.model_name("sentiment") == models.DEFAULT_SENTIMENT_MODEL
    monkeypatch.setenv("ARABIC_NEWS_SENTIMENT_MODEL", "me/my-sentiment")
    assert models.model_name("sentiment") == "me/my-sentiment"
    assert models.model_name("sentiment", "other/one") == "other/one"
    assert models.model_name("ner") == models.DEFAULT_NER_MODEL
    with pytest.raises(ValueError, match="ner, sentiment"):
        models.model_name("stance")


# --------------------------------------------------------------------------- identity


def test_identity_strings_have_one_format():
    bundled = models.load_ner("bundled")
    for identity in (bundled.identity, models.model_identity("x/y", "1fa7163"),
                     models.model_identity("tiny", "0123456789ab", origin="local")):
        assert models.IDENTITY_RE.fullmatch(identity), identity
    assert bundled.identity.startswith("bundled:crf-e5-anercorp@")
    assert models.load_ner("fast").identity.startswith("bundled:crf-anercorp@")
    with pytest.raises(ValueError, match="no spaces"):
        models.model_identity("a model", "1")
    with pytest.raises(ValueError, match="origin"):
        models.model_identity("a", "1", origin="cloud")


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("kind", ["ner", "sentiment"])
def test_a_local_folder_loads_hamza_safe_with_512_tokens(tmp_path, kind):
    folder = save_tiny(tmp_path / f"tiny-{kind}", kind, lower_case=True)
    plain = transformers.AutoTokenizer.from_pretrained(folder)
    assert plain.tokenize("أردوغان") != ["أردوغان"]  # the trap: lower-casing strips hamza
    loaded = models.load_transformers(folder, kind)
    assert loaded.tokenizer.tokenize("أردوغان") == ["أردوغان"]
    assert loaded.tokenizer.model_max_length == 512
    assert not loaded.model.training
    assert re.fullmatch(rf"local:tiny-{kind}@[0-9a-f]{{12}}", loaded.identity)
    assert loaded.source == str(folder)
    again = models.load_transformers(str(folder), kind)
    assert again.identity == loaded.identity  # stable for the same files


def test_other_weights_give_another_identity(tmp_path):
    a = models.load_transformers(save_tiny(tmp_path / "a" / "m", "ner", seed=1), "ner")
    b = models.load_transformers(save_tiny(tmp_path / "b" / "m", "ner", seed=2), "ner")
    assert a.identity != b.identity and a.identity.split("@")[0] == b.identity.split("@")[0]


def test_pickled_weights_are_refused_with_the_conversion_to_run(tmp_path):
    folder = save_tiny(tmp_path / "old", "ner", safetensors=False)
    with pytest.raises(models.ModelUnavailable, match="safetensors") as err:
        models.load_transformers(folder, "ner")
    assert "save_pretrained" in str(err.value) and "\n" not in str(err.value)


def test_missing_or_empty_folders_say_so(tmp_path):
    with pytest.raises(models.ModelUnavailable, match="does not exist"):
        models.load_transformers(tmp_path / "nowhere", "ner")
    (tmp_path / "empty").mkdir()
    with pytest.raises(models.ModelUnavailable, match="no config.json"):
        models.load_transformers(tmp_path / "empty", "sentiment")


def test_offline_and_not_cached_names_the_fix(offline):
    with pytest.raises(models.ModelUnavailable) as err:
        models.load_transformers("arabic-news-tests/not-a-cached-model", "ner")
    message = str(err.value)
    assert "\n" not in message and err.value.__cause__ is None
    assert "not in the local Hugging Face cache" in message and "HF_HUB_OFFLINE" in message
    assert "'bundled'" in message and "ARABIC_NEWS_NER_MODEL" in message


def test_a_failed_download_names_the_fix(monkeypatch):
    # the hub is unreachable here: a download attempt fails at once (HF_HUB_OFFLINE is set
    # for huggingface_hub), which is what an unreachable hub looks like to the loader
    monkeypatch.setattr(models, "is_offline", lambda: False)
    monkeypatch.setattr(models, "hub_reachable", lambda: True)
    with pytest.raises(models.ModelUnavailable, match="could not be downloaded") as err:
        models.load_transformers("arabic-news-tests/not-a-cached-model", "sentiment")
    assert "ARABIC_NEWS_SENTIMENT_MODEL" in str(err.value)


def test_no_network_fails_fast_with_the_fix(monkeypatch):
    # HF_HUB_OFFLINE not set, but no connection to the hub: no download is attempted
    monkeypatch.setattr(models, "is_offline", lambda: False)
    monkeypatch.setattr(models, "hub_reachable", lambda: False)
    with pytest.raises(models.ModelUnavailable, match="no network connection") as err:
        models.load_transformers("arabic-news-tests/not-a-cached-model", "ner")
    assert "'bundled'" in str(err.value) and "\n" not in str(err.value)


def test_hub_reachable_is_false_for_a_closed_port(monkeypatch):
    import socket

    with socket.socket() as server:  # a port that was open and is closed again
        server.bind(("127.0.0.1", 0))
        port = server.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    models.hub_reachable.cache_clear()
    try:
        assert models.hub_reachable(timeout=1.0) is False
    finally:
        models.hub_reachable.cache_clear()


def test_model_cached_looks_only_at_the_disk(tmp_path):
    folder = tmp_path / "s"
    assert not models.model_cached("sentiment", folder)
    save_tiny(folder, "sentiment")
    assert models.model_cached("sentiment", folder)
    assert models.sentiment_model_cached(str(folder))
    assert not models.model_cached("ner", "arabic-news-tests/not-a-cached-model")


# ----------------------------------------------------------------- profiles -> models


def test_one_face_for_every_model(tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_NER_MODEL", str(save_tiny(tmp_path / "n", "ner")))
    monkeypatch.setenv("ARABIC_NEWS_SENTIMENT_MODEL", str(save_tiny(tmp_path / "s", "sentiment")))
    bundled = models.load_ner("bundled")
    bert = models.load_ner("camelbert")
    classifier = models.load_sentiment("camelbert")
    assert {"O", "B-PERS", "I-LOC"} <= set(bundled.labels())
    assert bert.labels() == NER_LABELS
    assert classifier.labels() == SENTIMENT_LABELS
    words = [["قال", "أردوغان", "في", "ليبيا"]]
    for tagger in (bundled, bert):
        (tags,) = tagger.predict(words)
        assert len(tags) == 4 and all(lab in tagger.labels() and 0 < p <= 1 for lab, p in tags)
    (probs,) = classifier.predict(["رحب «[مصر]»"])
    assert set(probs) == set(SENTIMENT_LABELS) and sum(probs.values()) == pytest.approx(1)
    assert models.load_ner("camelbert") is bert  # loaded once per process
    assert models.load_sentiment("bundled") is None  # the lexicon: no model to load


def test_switching_profile_is_one_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_NER_MODEL", str(save_tiny(tmp_path / "n", "ner")))
    monkeypatch.setenv("ARABIC_NEWS_SENTIMENT_MODEL", str(save_tiny(tmp_path / "s", "sentiment")))
    assert models.load_ner().identity.startswith("bundled:")
    assert models.load_sentiment() is None
    monkeypatch.setenv("ARABIC_NEWS_MODELS", "camelbert")
    assert models.load_ner().identity.startswith("local:n@")
    assert models.load_sentiment().identity.startswith("local:s@")


def test_auto_falls_back_with_a_note_and_camelbert_raises(offline, monkeypatch, capsys):
    monkeypatch.setenv("ARABIC_NEWS_SENTIMENT_MODEL", "arabic-news-tests/not-cached")
    with pytest.warns(models.FallbackWarning, match="Using the bundled lexicon method"), \
            models.collect_notes() as notes:
        assert models.load_sentiment("auto") is None
    assert capsys.readouterr().out == ""  # a note, not a print
    assert len(notes) == 1 and "\n" not in notes[0]
    assert notes[0].startswith("profile 'auto': ") and "not-cached" in notes[0]
    with models.collect_notes() as again:  # loaded already: no second warning, same note
        assert models.load_sentiment("auto") is None
    assert again == notes
    with pytest.raises(models.ModelUnavailable, match="arabic-news-tests/not-cached"):
        models.load_sentiment("camelbert")


def test_a_missing_bundled_model_is_unavailable_with_the_rebuild_command(monkeypatch, tmp_path):
    from helpers import ner_bundled

    assert (MODELS_DIR / "ner-bundled").is_dir()
    monkeypatch.setattr(ner_bundled, "DEFAULT_MODEL_DIR", tmp_path / "gone")
    with pytest.raises(models.ModelUnavailable, match="make train-ner"):
        models.load_ner("bundled")
