"""Integration test with the real CAMeLBERT NER model, run only when it is in the local
Hugging Face cache (download it once with network access: ``ARABIC_NEWS_MODELS=camelbert``
and any NER call, or ``huggingface-cli download CAMeL-Lab/bert-base-arabic-camelbert-msa-ner``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import models, ner
from helpers.tokens import word_spans


def _cached(repo_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


pytestmark = pytest.mark.skipif(
    not _cached(models.DEFAULT_NER_MODEL),
    reason=f"{models.DEFAULT_NER_MODEL} is not in the local Hugging Face cache (no hub access here)")

TEXT = ("وقال وزير الخارجية التركي مولود جاويش أوغلو إن الرئيسين الروسي فلاديمير بوتين "
        "والتركي رجب طيب أردوغان وافقا على العمل المشترك من أجل وقف إطلاق النار في ليبيا.")


@pytest.fixture(scope="module")
def camelbert() -> ner.TransformersTagger:
    models.clear_loaded()
    return models.load_ner("camelbert")


def test_camelbert_loads_with_its_labels_and_keeps_hamza(camelbert):
    assert isinstance(camelbert, ner.TransformersTagger)
    assert camelbert.identity.startswith(models.DEFAULT_NER_MODEL)
    assert sorted(set(camelbert.labels())) == sorted(
        ["O"] + [f"{p}-{t}" for p in "BI" for t in ner.ENTITY_TYPES])
    assert camelbert.max_tokens == 512
    assert "أ" in "".join(camelbert.tokenizer.tokenize("أردوغان"))


def test_camelbert_finds_the_people_and_places_of_a_seed_sentence(camelbert, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path))
    table = pd.DataFrame({"article_id": ["seed"], "sent_id": [0], "start": [0],
                          "end": [len(TEXT)], "text": [TEXT]})
    mentions = ner.run_ner(table, tagger=camelbert)
    found = set(zip(mentions.surface, mentions.label, strict=True))
    assert ("ليبيا", "LOC") in found
    assert any(label == "PERS" and "أردوغان" in surface for surface, label in found)
    assert any(label == "PERS" and "بوتين" in surface for surface, label in found)
    bounds = {a for a, _ in word_spans(TEXT)}, {b for _, b in word_spans(TEXT)}
    for row in mentions.itertuples():
        assert TEXT[row.start:row.end] == row.surface
        assert row.start in bounds[0] and row.end in bounds[1]
