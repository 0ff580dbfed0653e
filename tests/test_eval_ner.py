"""Entity-level scoring and the evaluation command."""

from __future__ import annotations

import pytest

from helpers import eval_ner
from helpers.eval_ner import evaluate_tagger, format_scores, score_tags


class FixedTagger:
    """A stand-in tagger that returns preset labels (confidence 1)."""

    identity = "test:fixed"

    def __init__(self, labels: list[list[str]]):
        self.labels = labels
        self.calls = 0
        self.batches: list[int] = []

    def predict(self, batch: list[list[str]]) -> list[list[tuple[str, float]]]:
        out = [[(lab, 1.0) for lab in self.labels[self.calls + i]] for i in range(len(batch))]
        self.calls += len(batch)
        self.batches.append(len(batch))
        return out


GOLD = [
    ["B-PERS", "I-PERS", "O", "B-LOC", "O"],
    ["B-ORG", "I-ORG", "I-ORG", "O", "B-PERS"],
]


def test_exact_match_counts_only_full_spans():
    # PERS: 2 gold, 1 exact + 1 with wrong boundary; LOC right; ORG missing.
    pred = [
        ["B-PERS", "I-PERS", "O", "B-LOC", "O"],
        ["O", "O", "O", "O", "B-PERS"],
    ]
    s = score_tags(GOLD, pred)
    assert s["micro"]["support"] == 4
    assert s["micro"]["precision"] == pytest.approx(3 / 3)
    assert s["micro"]["recall"] == pytest.approx(3 / 4)
    assert s["micro"]["f1"] == pytest.approx(2 * 1 * 0.75 / 1.75)
    assert s["types"]["ORG"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert s["types"]["PERS"]["support"] == 2


def test_boundary_and_type_errors_are_misses():
    pred = [
        ["B-PERS", "O", "O", "B-ORG", "O"],          # PERS too short, LOC typed as ORG
        ["B-ORG", "I-ORG", "I-ORG", "O", "B-PERS"],
    ]
    s = score_tags(GOLD, pred)
    # true positives: ORG span, second PERS -> 2 of 4 predicted, 2 of 4 gold
    assert s["micro"]["precision"] == pytest.approx(0.5)
    assert s["micro"]["recall"] == pytest.approx(0.5)
    assert s["types"]["LOC"]["recall"] == 0.0
    assert s["types"]["ORG"]["precision"] == pytest.approx(0.5)


def test_evaluate_tagger_repairs_dangling_inside_tags_in_one_ordered_call():
    words = [["w"] * 5, ["w"] * 5]
    # I-LOC after O opens a LOC entity (as seqeval's CoNLL mode reads it)
    pred = [["B-PERS", "I-PERS", "O", "I-LOC", "O"], ["B-ORG", "I-ORG", "I-ORG", "O", "B-PERS"]]
    tagger = FixedTagger(pred)
    result = evaluate_tagger(tagger, words, GOLD)
    # all sentences in one call, in corpus order (the tagger batches them itself)
    assert tagger.batches == [2]
    assert result["pred"][0] == ["B-PERS", "I-PERS", "O", "B-LOC", "O"]  # repaired tags
    assert result["micro"]["f1"] == pytest.approx(1.0)
    assert result["model"] == "test:fixed"
    assert result["words"] == 10
    table = format_scores(result)
    assert "micro" in table.splitlines()[-1] and "100.00" in table


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError):
        score_tags(GOLD, [["O"] * 5])
    with pytest.raises(ValueError):
        evaluate_tagger(FixedTagger([]), [["w"]], [])


def test_cli_missing_data_folder_says_what_to_do(tmp_path, capsys):
    rc = eval_ner.main(["--data-dir", str(tmp_path), "--limit", "3"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "ANERCorp_CamelLab_test.txt" in err and "--data-dir" in err


def test_cli_prints_table_for_small_corpus(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "ner" / "anercorp"
    folder.mkdir(parents=True)
    (folder / "ANERCorp_CamelLab_test.txt").write_text(
        "زار O\nأردوغان B-PERS\nأنقرة B-LOC\n\nقال O\nماكرون B-PERS\n", encoding="utf-8"
    )
    gold_like = FixedTagger([["O", "B-PERS", "O"], ["O", "B-PERS"]])
    monkeypatch.setattr(eval_ner, "load_tagger", lambda profile, model: gold_like)
    rc = eval_ner.main(["--data-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0
    assert "test:fixed" in out and "2 sentences, 5 words" in out
    micro = next(line for line in out.splitlines() if line.startswith("micro"))
    # 2 of 2 predicted right, 2 of 3 gold found
    assert micro.split()[1:4] == ["100.00", "66.67", "80.00"]


def test_load_tagger_routes_profiles(monkeypatch):
    from helpers.ner_bundled import DEFAULT_MODEL_DIR, BundledTagger

    asked = []
    monkeypatch.setattr(eval_ner, "load_ner", lambda name: asked.append(name) or FixedTagger([]))
    assert isinstance(eval_ner.load_tagger("camelbert"), FixedTagger)
    assert isinstance(eval_ner.load_tagger(None, "some/hub-id"), FixedTagger)
    assert asked == ["camelbert", "some/hub-id"]
    folder_tagger = eval_ner.load_tagger(None, DEFAULT_MODEL_DIR)
    assert isinstance(folder_tagger, BundledTagger)
    assert folder_tagger.identity == eval_ner.load_tagger("bundled").identity
    assert asked == ["camelbert", "some/hub-id"]  # bundled never goes through load_ner
