"""Evaluate targeted sentiment on the project's hand-annotated items (``data/eval/sentiment.csv``).

Every item is one sentence, one target actor (its surface as written, and which occurrence),
a gold polarity and a one-line rationale (see ``data/eval/README.md`` for the annotation
guidelines). The target span is given, so the evaluation measures the sentiment method
alone, not NER or actor resolution. Items with an even ``id`` are the development half (the
only ones looked at while choosing the method's settings); odd ids are held out.

Command line::

    python -m helpers.eval_sentiment                     # bundled, then camelbert if available
    python -m helpers.eval_sentiment --method bundled    # one method
    python -m helpers.eval_sentiment --no-stance         # skip the stance evaluation

It prints accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix
(scikit-learn) on all items, the development half and the held-out half, and then runs the
stance evaluation when ``helpers.eval_stance`` / ``helpers.stance`` provide
``evaluate_stance`` (``--no-stance`` skips it).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .paths import DATA_DIR
from .schema import RESOLVED_MENTIONS
from .sentiment import LABELS, BundledSettings, SentimentModelUnavailable, score_mentions

if TYPE_CHECKING:
    from matplotlib.axes import Axes

EVAL_PATH = DATA_DIR / "eval" / "sentiment.csv"
EVAL_COLUMNS = ["id", "sentence", "actor_id", "target", "occurrence", "gold", "rationale", "origin"]
ORIGINS = {"seed", "chronology", "written"}
_LETTER = re.compile(r"\w")
_PROCLITICS = set("وفبلك")


def find_target(sentence: str, surface: str, occurrence: int = 1) -> tuple[int, int]:
    """Span of the ``occurrence``-th (1-based) ``surface`` in ``sentence`` as a word or word end.

    The surface must end at a word boundary and start at one, or after proclitic letters
    only (``والتركي`` contains the target ``التركي``; ``تركيا`` does not contain ``تركي``).

    >>> find_target("الروسي والتركي", "التركي")
    (8, 14)
    """
    seen = 0
    for m in re.finditer(re.escape(surface), sentence):
        a, b = m.span()
        if b < len(sentence) and _LETTER.match(sentence[b]):
            continue
        w = a
        while w > 0 and _LETTER.match(sentence[w - 1]):
            w -= 1
        if sentence[w:a] and not set(sentence[w:a]) <= _PROCLITICS:
            continue
        seen += 1
        if seen == occurrence:
            return (a, b)
    raise ValueError(f"target {surface!r} (occurrence {occurrence}) is not a word of the sentence "
                     f"{sentence[:60]!r}...: fix the 'target' or 'occurrence' column.")


def load_sentiment_eval(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the evaluation items; adds ``start``, ``end`` (target span) and ``split``
    (``dev`` for even ids, ``heldout`` for odd ids)."""
    path = Path(path) if path else EVAL_PATH
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: the evaluation items ship with the repository "
                                "(data/eval/sentiment.csv); restore it with git.")
    items = pd.read_csv(path, dtype={"id": int, "occurrence": "Int64"}, keep_default_na=False)
    missing = [c for c in EVAL_COLUMNS if c not in items.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {missing}; expected {EVAL_COLUMNS}.")
    bad = items[~items["gold"].isin(LABELS)]
    if len(bad):
        raise ValueError(f"{path.name}: gold must be one of {LABELS}; see id(s) {bad['id'].tolist()}.")
    bad = items[~items["origin"].isin(ORIGINS)]
    if len(bad):
        raise ValueError(f"{path.name}: origin must be one of {sorted(ORIGINS)}; see id(s) {bad['id'].tolist()}.")
    if items["id"].duplicated().any():
        raise ValueError(f"{path.name}: duplicated id(s) {items.loc[items['id'].duplicated(), 'id'].tolist()}.")
    spans = [find_target(s, t, int(o or 1)) for s, t, o in
             zip(items["sentence"], items["target"], items["occurrence"], strict=True)]
    items["start"] = [a for a, _ in spans]
    items["end"] = [b for _, b in spans]
    items["split"] = ["dev" if i % 2 == 0 else "heldout" for i in items["id"]]
    return items


def eval_tables(items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One-sentence ``sentences`` and ``resolved`` tables for the items (article_id = ``eval-<id>``)."""
    art = "eval-" + items["id"].astype(str)
    sentences = pd.DataFrame({"article_id": art, "sent_id": 0, "start": 0,
                              "end": items["sentence"].str.len(), "text": items["sentence"]})
    resolved = pd.DataFrame({
        "article_id": art, "sent_id": 0, "start": items["start"], "end": items["end"],
        "surface": items["target"], "label": "MISC", "score": 1.0, "model": "gold",
        "match_key": items["target"], "actor_id": items["actor_id"], "origin": "gold", "rule": "gold",
    })[RESOLVED_MENTIONS]
    return sentences, resolved


def predict(items: pd.DataFrame, method: str = "bundled", *, window: str = "clause",
            settings: BundledSettings | None = None, model: str | None = None) -> pd.DataFrame:
    """The items with the method's ``pred``, ``score``, ``context`` and ``evidence``."""
    sentences, resolved = eval_tables(items)
    out = score_mentions(resolved, sentences, method=method, window=window, settings=settings, model=model)
    pred = items.reset_index(drop=True).copy()
    pred["pred"] = out["label"].to_numpy()
    pred["score"] = out["score"].to_numpy()
    pred["context"] = out["context"].to_numpy()
    pred["evidence"] = out["evidence"].to_numpy()
    pred["method"] = out["method"].to_numpy()
    return pred


def sentiment_metrics(pred: pd.DataFrame) -> dict:
    """Accuracy, macro-F1, per-class P/R/F1 (DataFrame) and confusion matrix (DataFrame,
    rows = gold, columns = predicted) of a :func:`predict` table."""
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    labels = list(LABELS)
    gold, hyp = pred["gold"], pred["pred"]
    p, r, f, s = precision_recall_fscore_support(gold, hyp, labels=labels, zero_division=0)
    per_class = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=labels)
    cm = pd.DataFrame(confusion_matrix(gold, hyp, labels=labels),
                      index=[f"gold {x}" for x in labels], columns=[f"pred {x}" for x in labels])
    return {"n": len(pred), "accuracy": float(accuracy_score(gold, hyp)),
            "macro_f1": float(f1_score(gold, hyp, labels=labels, average="macro", zero_division=0)),
            "per_class": per_class, "confusion": cm}


def evaluate_sentiment(items: pd.DataFrame | None = None, method: str = "bundled", **kwargs) -> dict:
    """Run :func:`predict` and :func:`sentiment_metrics` on all items and on each half.

    Returns ``{"predictions": DataFrame, "all": metrics, "dev": metrics, "heldout": metrics}``.
    """
    items = load_sentiment_eval() if items is None else items
    pred = predict(items, method=method, **kwargs)
    result = {"predictions": pred, "all": sentiment_metrics(pred)}
    for split in ("dev", "heldout"):
        part = pred[pred["split"] == split]
        if len(part):
            result[split] = sentiment_metrics(part)
    return result


def summary_table(results: dict[str, dict]) -> pd.DataFrame:
    """One row per (method, split) with n, accuracy and macro-F1, from evaluate_sentiment results."""
    rows = []
    for method, res in results.items():
        for split in ("all", "dev", "heldout"):
            if split in res:
                m = res[split]
                rows.append({"method": method, "split": split, "n": m["n"],
                             "accuracy": round(m["accuracy"], 3), "macro_f1": round(m["macro_f1"], 3)})
    return pd.DataFrame(rows)


def plot_confusion(metrics: dict, ax: Axes | None = None, title: str = "Confusion matrix") -> Axes:
    """Heat map of a confusion matrix from :func:`sentiment_metrics`; returns the Axes."""
    import matplotlib.pyplot as plt

    cm = metrics["confusion"]
    if ax is None:
        _, ax = plt.subplots(figsize=(4.6, 4))
    ax.imshow(cm.to_numpy(), cmap="Blues")
    for (i, j), v in pd.DataFrame(cm.to_numpy()).stack().items():
        ax.text(j, i, str(v), ha="center", va="center",
                color="white" if v > cm.to_numpy().max() / 2 else "black")
    ax.set_xticks(range(len(LABELS)))
    ax.set_xticklabels(LABELS)
    ax.set_yticks(range(len(LABELS)))
    ax.set_yticklabels(LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.grid(False)
    ax.set_title(title)
    return ax


def _print_metrics(name: str, m: dict) -> None:
    print(f"  {name}: n={m['n']}  accuracy={m['accuracy']:.3f}  macro-F1={m['macro_f1']:.3f}")


def _print_result(method: str, res: dict) -> None:
    print(f"== targeted sentiment, method={method} ({res['predictions']['method'].iloc[0]})")
    for split in ("all", "dev", "heldout"):
        if split in res:
            _print_metrics({"all": "all items", "dev": "dev half (even ids)",
                            "heldout": "held-out half (odd ids)"}[split], res[split])
    print("  per class (all items):")
    print(res["all"]["per_class"].round(3).to_string().replace("\n", "\n    ").join(["    ", ""]))
    print("  confusion matrix (all items; rows gold, columns predicted):")
    print(res["all"]["confusion"].to_string().replace("\n", "\n    ").join(["    ", ""]))


def stance_report() -> str | None:
    """The stance evaluation as text: ``evaluate_stance()`` from helpers.eval_stance (or
    helpers.stance), formatted by its ``format_report`` when there is one; ``None`` when no
    stance evaluation exists (imported lazily, so sentiment works without it)."""
    for module in ("helpers.eval_stance", "helpers.stance"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        evaluate = getattr(mod, "evaluate_stance", None)
        if evaluate is None:
            continue
        result = evaluate()
        fmt = getattr(mod, "format_report", None)
        if fmt is not None:
            return fmt(result)
        return "\n".join(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}"
                         for k, v in result.items() if isinstance(v, (int, float, str)))
    return None


def _print_stance(report: str | None) -> None:
    if report is None:
        print("== stance: skipped (no evaluate_stance in helpers.eval_stance or helpers.stance)")
        return
    print("== stance")
    print(report)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m helpers.eval_sentiment",
                                     description="Accuracy and macro-F1 of targeted sentiment on data/eval/sentiment.csv")
    parser.add_argument("--method", choices=["bundled", "camelbert", "both"], default="both")
    parser.add_argument("--items", default=None, help="another CSV with the same columns")
    parser.add_argument("--window", choices=["clause", "sentence"], default="clause")
    parser.add_argument("--no-stance", action="store_true", help="do not run the stance evaluation")
    args = parser.parse_args(argv)
    items = load_sentiment_eval(args.items)
    counts = items["gold"].value_counts().reindex(list(LABELS), fill_value=0)
    print(f"{len(items)} items ({', '.join(f'{k} {v}' for k, v in counts.items())}); "
          f"dev {int((items['split'] == 'dev').sum())}, held-out {int((items['split'] == 'heldout').sum())}")
    base = sentiment_metrics(items.assign(pred=counts.idxmax()))
    print(f"majority-class baseline (everything {counts.idxmax()}): accuracy={base['accuracy']:.3f}  "
          f"macro-F1={base['macro_f1']:.3f}")
    methods = ["bundled", "camelbert"] if args.method == "both" else [args.method]
    for method in methods:
        try:
            res = evaluate_sentiment(items, method=method, window=args.window)
        except SentimentModelUnavailable as err:
            print(f"== targeted sentiment, method={method}: skipped — {err}")
            continue
        _print_result(method, res)
    if not args.no_stance:
        _print_stance(stance_report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
