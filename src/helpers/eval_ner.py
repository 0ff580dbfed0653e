"""Entity-level evaluation of an NER tagger on the ANERcorp CAMeL Lab split.

Scores are seqeval's (CoNLL mode: an entity counts only when its type and both boundaries
match), micro-averaged over entities and per type. Command line::

    python -m helpers.eval_ner --profile bundled            # the model shipped in data/models
    python -m helpers.eval_ner --profile camelbert          # CAMeLBERT (needs the HF cache)
    python -m helpers.eval_ner --model path/to/folder --split test --limit 200
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from helpers.datasets import read_anercorp, repair_bio
from helpers.models import PROFILES, load_ner
from helpers.ner_bundled import BundledTagger


class Tagger(Protocol):
    """What :func:`evaluate_tagger` needs: an identity and ``predict`` (the face of every
    model, :mod:`helpers.models`)."""

    identity: str

    def predict(self, batch: list[list[str]]) -> list[list[tuple[str, float]]]: ...


def score_tags(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict:
    """Micro and per-type precision, recall, F1 and support of predicted BIO tags.

    >>> s = score_tags([["B-PERS", "I-PERS", "O", "B-LOC"]], [["B-PERS", "I-PERS", "O", "O"]])
    >>> s["micro"]["precision"], s["micro"]["recall"], s["types"]["LOC"]["recall"]
    (1.0, 0.5, 0.0)
    """
    from seqeval.metrics import classification_report

    if len(gold) != len(pred) or any(len(g) != len(p) for g, p in zip(gold, pred, strict=True)):
        raise ValueError("gold and predicted tags must have the same sentences and lengths")
    report = classification_report(
        [list(g) for g in gold], [list(p) for p in pred], output_dict=True, zero_division=0
    )

    def row(d: dict) -> dict:
        return {"precision": float(d["precision"]), "recall": float(d["recall"]),
                "f1": float(d["f1-score"]), "support": int(d["support"])}

    types = {k: row(v) for k, v in sorted(report.items()) if "avg" not in k}
    micro = row(report["micro avg"]) if "micro avg" in report else {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    return {"micro": micro, "types": types}


def evaluate_tagger(tagger: Tagger, sentences: list[list[str]], gold: list[list[str]]) -> dict:
    """Tag ``sentences`` (lists of words, one call: the tagger batches them itself) and score
    them against ``gold`` BIO tags.

    Returns ``{"micro": {precision, recall, f1, support}, "types": {TYPE: {...}},
    "model": identity, "sentences": n, "words": n, "seconds": t, "pred": tags}``, ``pred``
    holding the predicted tags, repaired to valid BIO (an ``I-X`` after ``O`` opens an
    entity, as in seqeval) before scoring.
    """
    if len(sentences) != len(gold):
        raise ValueError(f"{len(sentences)} sentences but {len(gold)} gold tag lists")
    t0 = time.perf_counter()
    pred = [repair_bio([label for label, _ in tagged]) for tagged in tagger.predict(sentences)]
    result = score_tags(gold, pred)
    result.update(model=tagger.identity, sentences=len(sentences),
                  words=sum(map(len, sentences)), seconds=round(time.perf_counter() - t0, 2),
                  pred=pred)
    return result


def format_scores(result: dict) -> str:
    """A plain-text table of :func:`evaluate_tagger`'s result (percentages)."""
    lines = [f"{'type':<8}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>10}"]
    rows = [*result["types"].items(), ("micro", result["micro"])]
    for name, r in rows:
        lines.append(f"{name:<8}{100 * r['precision']:>10.2f}{100 * r['recall']:>10.2f}"
                     f"{100 * r['f1']:>10.2f}{r['support']:>10d}")
    return "\n".join(lines)


def markdown_scores(result: dict, micro_label: str = "**micro**") -> list[str]:
    """The lines of a Markdown table of :func:`evaluate_tagger`'s result (percentages, one
    row per type, then the micro row), as the model cards show them.

    >>> row = {"precision": 0.5, "recall": 0.25, "f1": 1 / 3, "support": 8}
    >>> markdown_scores({"micro": row, "types": {"ORG": row}})[2]
    '| ORG | 50.0 | 25.0 | 33.3 | 8 |'
    """
    lines = ["| type | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, r in [*result["types"].items(), (micro_label, result["micro"])]:
        lines.append(f"| {name} | {100 * r['precision']:.1f} | {100 * r['recall']:.1f} | "
                     f"{100 * r['f1']:.1f} | {r['support']} |")
    return lines


def fill_marked_block(path: str | Path, marker: str, lines: list[str]) -> None:
    """Replace what stands between ``<!-- MARKER -->`` and ``<!-- /MARKER -->`` in a text
    file (a model card) by ``lines``; nothing happens when the file does not exist."""
    path = Path(path)
    if not path.is_file():
        return
    block = "\n".join(lines)
    text = re.sub(rf"<!-- {re.escape(marker)} -->.*?<!-- /{re.escape(marker)} -->",
                  lambda m: f"<!-- {marker} -->\n{block}\n<!-- /{marker} -->",
                  path.read_text(encoding="utf-8"), flags=re.S)
    path.write_text(text, encoding="utf-8")


def load_tagger(profile: str | None = None, model: str | Path | None = None) -> Tagger:
    """The tagger for a profile (``bundled``, ``fast``, ``camelbert``, ``auto``) or a model
    folder.

    ``bundled`` (the CRF + encoder ensemble), ``fast`` (the CRF alone) and a folder holding
    ``model.crfsuite`` (with its ensemble, if the folder names one) load
    :class:`BundledTagger`; anything else goes through :func:`helpers.models.load_ner`.
    """
    if model is not None:
        if (Path(model) / "model.crfsuite").is_file():
            return BundledTagger.load(model)
        return load_ner(str(model))
    if profile in (None, "bundled", "fast"):
        return BundledTagger.load(ensemble=profile != "fast")
    return load_ner(profile)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the entity P/R/F1 table of a profile or model folder."""
    parser = argparse.ArgumentParser(prog="python -m helpers.eval_ner", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--profile", choices=PROFILES, default=None,
                       help="model profile (default: bundled)")
    group.add_argument("--model", help="a model folder (bundled CRF or transformers)")
    parser.add_argument("--split", choices=["test", "train"], default="test")
    parser.add_argument("--data-dir", help="folder holding ner/anercorp/ (default ../shared/data"
                        " or $ARABIC_NEWS_DATA_DIR)")
    parser.add_argument("--limit", type=int, default=None, help="first N sentences only")
    args = parser.parse_args(argv)
    try:
        data = read_anercorp(args.split, args.data_dir)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit:
        data = data[: args.limit]
    try:
        tagger = load_tagger(args.profile, args.model)
    except (FileNotFoundError, RuntimeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = evaluate_tagger(tagger, [w for w, _ in data], [t for _, t in data])
    print(f"model: {result['model']}")
    print(f"data: ANERcorp CAMeL Lab {args.split} split, {result['sentences']} sentences, "
          f"{result['words']} words ({result['seconds']:.1f} s, "
          f"{result['words'] / max(result['seconds'], 1e-9):.0f} words/s)")
    print("entity-level scores (seqeval, CoNLL mode), %:")
    print(format_scores(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
