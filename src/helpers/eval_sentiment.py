"""Evaluate targeted sentiment on the project's hand-annotated items (``data/eval/sentiment.csv``).

Every item is one sentence, one target actor (its surface as written, and which occurrence),
a gold polarity and a one-line rationale (see ``data/eval/README.md`` for the annotation
guidelines). The target span is given, so the evaluation measures the sentiment method
alone, not NER or actor resolution: every annotated actor of a sentence is passed to the method
as a mention (as NER would find it), so that words about the other actors can be told apart.
The ``split`` column says which half an item belongs to: ``dev`` (the only items looked at
while choosing the method's settings) or ``heldout`` (never tuned on). The first 433 items
keep their historical split (even ids dev); the items added later keep all the items of one
sentence in the same half. Files without the column fall back to even ids = dev.

Command line::

    python -m helpers.eval_sentiment                     # bundled, then camelbert if available
    python -m helpers.eval_sentiment --method bundled    # one method
    python -m helpers.eval_sentiment --no-stance         # skip the stance evaluation

It prints the always-neutral baseline, then per method accuracy and macro-F1 with a
percentile bootstrap 95% interval (``scipy.stats.bootstrap``, items resampled with their
predictions) on all items, the development half and the held-out half, the same per
phenomenon (column ``phenomenon``), per-class precision/recall/F1 and the confusion matrix
(scikit-learn), and then runs the stance evaluation when ``helpers.eval_stance`` / ``helpers.stance`` provide
``evaluate_stance`` (``--no-stance`` skips it).
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .models import PROFILES, ModelUnavailable
from .paths import DATA_DIR
from .schema import RESOLVED_MENTIONS
from .sentiment import LABELS, BundledSettings, score_mentions

EVAL_PATH = DATA_DIR / "eval" / "sentiment.csv"
EVAL_COLUMNS = ["id", "sentence", "actor_id", "target", "occurrence", "gold", "rationale", "origin"]
ORIGINS = {"seed", "chronology", "written"}
SPLITS = ("dev", "heldout")
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
    """Read and check the evaluation items; adds ``start`` and ``end`` (the target span).

    Optional columns: ``split`` (``dev`` / ``heldout``; without it even ids are dev, odd ids
    held out), ``phenomenon`` (what the item tests, e.g. ``stance_object``; default
    ``unspecified``) and ``conflict`` (default ``unspecified``).
    """
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
    if "split" not in items.columns:
        items["split"] = ["dev" if i % 2 == 0 else "heldout" for i in items["id"]]
    bad = items[~items["split"].isin(SPLITS)]
    if len(bad):
        raise ValueError(f"{path.name}: split must be one of {SPLITS}; see id(s) {bad['id'].tolist()}.")
    for col in ("phenomenon", "conflict"):
        if col not in items.columns:
            items[col] = "unspecified"
        items[col] = items[col].replace("", "unspecified")
    return items


def eval_tables(items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``sentences`` (one per distinct sentence, article_id ``eval-<first id>``) and ``resolved``
    tables (one mention per item: every annotated actor of a sentence is a mention of it)."""
    first = items.groupby("sentence", sort=False)["id"].transform("min")
    art = "eval-" + first.astype(str)
    sents = items.assign(article_id=art).drop_duplicates("article_id")
    sentences = pd.DataFrame({"article_id": sents["article_id"], "sent_id": 0, "start": 0,
                              "end": sents["sentence"].str.len(), "text": sents["sentence"]})
    resolved = pd.DataFrame({
        "article_id": art, "sent_id": 0, "start": items["start"], "end": items["end"],
        "surface": items["target"], "label": "MISC", "score": 1.0, "model": "gold",
        "match_key": items["target"], "actor_id": items["actor_id"], "origin": "gold", "rule": "gold",
    })[RESOLVED_MENTIONS.columns]
    return sentences.reset_index(drop=True), resolved.reset_index(drop=True)


def predict(items: pd.DataFrame, method: str = "bundled", *, window: str = "clause",
            settings: BundledSettings | None = None, model: str | None = None) -> pd.DataFrame:
    """The items with the method's ``pred``, ``score``, ``context`` and ``evidence``."""
    items = items.reset_index(drop=True)
    sentences, resolved = eval_tables(items)
    out = score_mentions(resolved, sentences, method=method, window=window, settings=settings, model=model)
    if len(out) != len(items):
        raise RuntimeError(f"score_mentions returned {len(out)} rows for {len(items)} items: every item "
                           "needs an actor_id (fill the 'actor_id' column).")
    pred = items.copy()
    pred["pred"] = out["label"].to_numpy()
    pred["score"] = out["score"].to_numpy()
    pred["context"] = out["context"].to_numpy()
    pred["evidence"] = out["evidence"].to_numpy()
    pred["method"] = out["method"].to_numpy()
    return pred


def _codes(labels: pd.Series) -> np.ndarray:
    return labels.map({lab: i for i, lab in enumerate(LABELS)}).to_numpy(dtype=int)


def macro_f1_codes(gold: np.ndarray, pred: np.ndarray, axis: int = -1) -> np.ndarray:
    """Macro-F1 over the three labels of integer-coded ``gold`` and ``pred`` along ``axis``
    (vectorised for the bootstrap; a label absent from both counts as F1 0, as scikit-learn's
    ``f1_score(..., labels=LABELS, average="macro", zero_division=0)``).

    >>> round(float(macro_f1_codes(np.array([0, 1, 2]), np.array([0, 1, 1]))), 3)  # (1 + 2/3 + 0) / 3
    0.556
    """
    f1s = []
    for c in range(len(LABELS)):
        tp = np.sum((gold == c) & (pred == c), axis=axis)
        wrong = np.sum((gold == c) != (pred == c), axis=axis)
        denom = 2 * tp + wrong
        f1s.append(np.divide(2 * tp, denom, out=np.zeros_like(denom, dtype=float), where=denom > 0))
    return np.mean(f1s, axis=0)


def bootstrap_interval(pred: pd.DataFrame, metric: str = "macro_f1", *, n_resamples: int = 2000,
                       seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric`` (``macro_f1`` or ``accuracy``) of a
    :func:`predict` table: items are resampled with their predictions (``scipy.stats.bootstrap``,
    paired). ``(nan, nan)`` for fewer than two items."""
    from scipy.stats import bootstrap

    if len(pred) < 2:
        return (float("nan"), float("nan"))
    gold, hyp = _codes(pred["gold"]), _codes(pred["pred"])
    if metric == "macro_f1":
        def stat(g, p, axis=-1):
            return macro_f1_codes(g, p, axis=axis)
    elif metric == "accuracy":
        def stat(g, p, axis=-1):
            return np.mean(g == p, axis=axis)
    else:
        raise ValueError(f"metric must be 'macro_f1' or 'accuracy', not {metric!r}.")
    res = bootstrap((gold, hyp), stat, paired=True, vectorized=True, n_resamples=n_resamples,
                    confidence_level=level, method="percentile", rng=np.random.default_rng(seed))
    return (float(res.confidence_interval.low), float(res.confidence_interval.high))


def sentiment_metrics(pred: pd.DataFrame, *, ci: bool = True) -> dict:
    """Accuracy, macro-F1, per-class P/R/F1 (DataFrame) and confusion matrix (DataFrame,
    rows = gold, columns = predicted) of a :func:`predict` table; with ``ci`` also
    ``macro_f1_ci`` and ``accuracy_ci``, 95% percentile bootstrap intervals
    (:func:`bootstrap_interval`)."""
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
    out = {"n": len(pred), "accuracy": float(accuracy_score(gold, hyp)),
           "macro_f1": float(f1_score(gold, hyp, labels=labels, average="macro", zero_division=0)),
           "per_class": per_class, "confusion": cm}
    if ci:
        out["macro_f1_ci"] = bootstrap_interval(pred, "macro_f1")
        out["accuracy_ci"] = bootstrap_interval(pred, "accuracy")
    return out


def phenomenon_table(pred: pd.DataFrame) -> pd.DataFrame:
    """Per phenomenon and split: n, accuracy and macro-F1 (with its bootstrap interval) of a
    :func:`predict` table; one row per phenomenon, sorted by n."""
    rows = []
    for name, g in pred.groupby("phenomenon", sort=False):
        row: dict = {"phenomenon": name, "n": len(g)}
        for split in ("all", *SPLITS):
            part = g if split == "all" else g[g["split"] == split]
            if len(part):
                m = sentiment_metrics(part, ci=split == "all")
                row[f"{split}_acc"] = round(m["accuracy"], 3)
                row[f"{split}_f1"] = round(m["macro_f1"], 3)
                if split == "all":
                    row["all_f1_ci"] = "[{:.2f}, {:.2f}]".format(*m["macro_f1_ci"])
        rows.append(row)
    table = pd.DataFrame(rows)
    return table.sort_values("n", ascending=False, kind="stable").reset_index(drop=True)


def evaluate_sentiment(items: pd.DataFrame | None = None, method: str = "bundled", **kwargs) -> dict:
    """Run :func:`predict` and :func:`sentiment_metrics` on all items and on each half.

    Returns ``{"predictions": DataFrame, "all": metrics, "dev": metrics, "heldout": metrics,
    "phenomena": DataFrame}`` (see :func:`sentiment_metrics` and :func:`phenomenon_table`).
    """
    items = load_sentiment_eval() if items is None else items
    pred = predict(items, method=method, **kwargs)
    result = {"predictions": pred, "all": sentiment_metrics(pred)}
    for split in SPLITS:
        part = pred[pred["split"] == split]
        if len(part):
            result[split] = sentiment_metrics(part)
    result["phenomena"] = phenomenon_table(pred)
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


def _print_metrics(name: str, m: dict) -> None:
    def ci(key: str) -> str:
        return " [{:.3f}, {:.3f}]".format(*m[key]) if key in m else ""

    print(f"  {name}: n={m['n']}  accuracy={m['accuracy']:.3f}{ci('accuracy_ci')}  "
          f"macro-F1={m['macro_f1']:.3f}{ci('macro_f1_ci')}")


def _print_result(method: str, res: dict) -> None:
    print(f"== targeted sentiment, method={method} ({res['predictions']['method'].iloc[0]})")
    for split in ("all", "dev", "heldout"):
        if split in res:
            _print_metrics({"all": "all items", "dev": "dev half",
                            "heldout": "held-out half"}[split], res[split])
    if "phenomena" in res:
        print("  per phenomenon (accuracy / macro-F1; 95% interval of macro-F1 on all items):")
        print(res["phenomena"].to_string(index=False).replace("\n", "\n    ").join(["    ", ""]))
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
    # "both": the lexicon and CAMeLBERT in turn ("fast" has the same lexicon as "bundled")
    fixed = [p for p in PROFILES if p not in ("auto", "fast")]
    parser.add_argument("--method", choices=[*fixed, "both"], default="both")
    parser.add_argument("--items", default=None, help="another CSV with the same columns")
    parser.add_argument("--window", choices=["clause", "sentence"], default="clause")
    parser.add_argument("--no-stance", action="store_true", help="do not run the stance evaluation")
    args = parser.parse_args(argv)
    items = load_sentiment_eval(args.items)
    counts = items["gold"].value_counts().reindex(list(LABELS), fill_value=0)
    print(f"{len(items)} items ({', '.join(f'{k} {v}' for k, v in counts.items())}); "
          f"dev {int((items['split'] == 'dev').sum())}, held-out {int((items['split'] == 'heldout').sum())}")
    print("always-neutral baseline:")
    for split in ("all", *SPLITS):
        part = items if split == "all" else items[items["split"] == split]
        if len(part):
            _print_metrics(split, sentiment_metrics(part.assign(pred="neutral")))
    methods = fixed if args.method == "both" else [args.method]
    for method in methods:
        try:
            res = evaluate_sentiment(items, method=method, window=args.window)
        except ModelUnavailable as err:
            print(f"== targeted sentiment, method={method}: skipped — {err}")
            continue
        _print_result(method, res)
    if not args.no_stance:
        _print_stance(stance_report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
