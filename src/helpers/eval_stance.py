"""Precision and recall of stance extraction on the project's hand-annotated items
(``data/eval/stance.csv``, described in ``data/eval/STANCE.md``).

Each item is a sentence with one gold edge (source, relation, target) or ``none``; items
that share a sentence are pooled, so a sentence's gold set is the union of its edges.
Every distinct sentence is resolved with the actor dictionary alone
(``helpers.actors.resolve_mentions`` on an empty mentions table, metonymy on), stance is
extracted with the bundled rules, and the predicted (source, relation, target) triples are
compared with the gold ones:

* ``agrees`` in the gold file is scored as ``cooperates`` (the rules have one relation for
  agreeing and cooperating);
* ``cooperates`` is symmetric: gold and predicted cooperation edges are compared as
  unordered pairs, so Egypt-France and France-Egypt are one edge;
* an edge from a rule marked ``symmetric`` (e.g. a dispute between A and B) matches a gold
  edge in either direction and counts once;
* actor ids are folded with ``collapse`` on both sides (default
  ``helpers.stance.FORCES_COLLAPSE``: قوات حفتر (lna) is read as Haftar).

Run ``python -m helpers.eval_stance`` (``--errors`` lists every false positive and false
negative).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .paths import DATA_DIR
from .schema import MENTIONS, SENTENCES
from .stance import FORCES_COLLAPSE, RELATIONS, extract_stance, load_stance_rules

ITEMS_PATH = DATA_DIR / "eval" / "stance.csv"
ITEM_COLUMNS = ["id", "sentence", "source", "relation", "target", "rationale", "origin"]
GOLD_RELATIONS = (*RELATIONS, "agrees", "none")
ORIGINS = ("seed", "chronology", "written")
SYMMETRIC_RELATIONS = ("cooperates",)


def load_stance_items(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the stance evaluation items (``data/eval/stance.csv`` by default).

    Raises ``ValueError`` naming the item when a column is missing, an id repeats, a
    relation is unknown, a ``none`` item names actors (or an edge lacks them), or the origin
    is not seed / chronology / written.
    """
    path = Path(path) if path is not None else ITEMS_PATH
    items = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ITEM_COLUMNS if c not in items.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}; expected "
                         + ", ".join(ITEM_COLUMNS))
    dup = items["id"][items["id"].duplicated()]
    if len(dup):
        raise ValueError(f"{path.name}: duplicate item id(s) {', '.join(dup)}; ids must be unique")
    for row in items.itertuples(index=False):
        where = f"{path.name} item {row.id}"
        if row.relation not in GOLD_RELATIONS:
            raise ValueError(f"{where}: unknown relation {row.relation!r}; use one of "
                             + ", ".join(GOLD_RELATIONS))
        actors_named = row.source not in ("", "none") and row.target not in ("", "none")
        if (row.relation == "none") == actors_named:
            raise ValueError(f"{where}: a 'none' item has source and target 'none'; an edge "
                             "needs both actor ids")
        if row.origin not in ORIGINS:
            raise ValueError(f"{where}: origin {row.origin!r} is not one of " + ", ".join(ORIGINS))
        if not row.sentence.strip() or not row.rationale.strip():
            raise ValueError(f"{where}: sentence and rationale must not be empty")
    return items


def _unit(src: str, rel: str, tgt: str, symmetric: bool) -> tuple:
    return (rel, frozenset((src, tgt))) if symmetric else (src, rel, tgt)


def _matches(gold: tuple, pred: tuple) -> bool:
    """Does a predicted unit match a gold unit? Unordered units match either direction."""
    g_pair = gold[1] if len(gold) == 2 else frozenset((gold[0], gold[2]))
    p_pair = pred[1] if len(pred) == 2 else frozenset((pred[0], pred[2]))
    g_rel = gold[0] if len(gold) == 2 else gold[1]
    p_rel = pred[0] if len(pred) == 2 else pred[1]
    if g_rel != p_rel or g_pair != p_pair:
        return False
    if len(gold) == 3 and len(pred) == 3:
        return gold == pred
    return True


def _relation(unit: tuple) -> str:
    return unit[0] if len(unit) == 2 else unit[1]


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict:
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3),
            "n_pred": n_pred, "n_gold": n_gold, "tp": tp_gold,
            "fp": n_pred - tp_pred, "fn": n_gold - tp_gold}


def _sentence_table(items: pd.DataFrame) -> pd.DataFrame:
    """One pseudo-article per distinct sentence (article_id = first item id)."""
    first = items.drop_duplicates("sentence")
    return pd.DataFrame({
        "article_id": first["id"].to_list(), "sent_id": 0, "start": 0,
        "end": first["sentence"].str.len().to_list(), "text": first["sentence"].to_list(),
    })[SENTENCES]


def evaluate_stance(items: pd.DataFrame | str | Path | None = None, *,
                    rules: pd.DataFrame | None = None, actors: pd.DataFrame | None = None,
                    collapse: Mapping[str, str] | None = None,
                    metonymy: bool = True) -> dict:
    """Extract stance from every item's sentence and score the triples against the gold.

    Returns a dict with ``micro`` (precision, recall, f1, counts), ``per_relation``,
    ``per_origin``, ``pairs`` (source/target pair right, relation and direction ignored),
    ``n_items``, ``n_sentences`` and ``errors`` (a DataFrame: id, kind FP/FN, source,
    relation, target, sentence). ``collapse`` defaults to ``FORCES_COLLAPSE``.
    """
    from .actors import load_actors, resolve_mentions

    if items is None or isinstance(items, (str, Path)):
        items = load_stance_items(items)
    rules = load_stance_rules() if rules is None else rules
    actors = load_actors() if actors is None else actors
    collapse = dict(FORCES_COLLAPSE if collapse is None else collapse)
    symmetric_rules = set(rules.loc[rules["symmetric"].astype(bool), "rule_id"])

    sents = _sentence_table(items)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in MENTIONS})
    resolved = resolve_mentions(empty, sents, actors, metonymy=metonymy)
    stance = extract_stance(resolved, sents, rules, actors=actors, collapse=collapse)
    sid = dict(zip(items.drop_duplicates("sentence")["sentence"], sents["article_id"],
                   strict=True))

    def fold(a: str) -> str:
        return collapse.get(a, a)

    gold: dict[str, set] = {a: set() for a in sents["article_id"]}
    origin = {sid[s]: o for s, o in zip(items["sentence"], items["origin"], strict=True)}
    for row in items.itertuples(index=False):
        if row.relation == "none":
            continue
        rel = "cooperates" if row.relation == "agrees" else row.relation
        gold[sid[row.sentence]].add(
            _unit(fold(row.source), rel, fold(row.target), rel in SYMMETRIC_RELATIONS))
    pred: dict[str, set] = {a: set() for a in sents["article_id"]}
    for row in stance.itertuples(index=False):
        sym = row.rule in symmetric_rules or row.relation in SYMMETRIC_RELATIONS
        pred[row.article_id].add(_unit(row.source_actor, row.relation, row.target_actor, sym))

    counts: dict[tuple[str, str], list[int]] = {}  # (scope, key) -> [tp_pred, n_pred, tp_gold, n_gold]
    errors = []
    pair_counts = [0, 0, 0, 0]
    text = dict(zip(sents["article_id"], sents["text"], strict=True))
    for art in sents["article_id"]:
        g_units, p_units = gold[art], pred[art]
        for scope, key_of in (("micro", lambda u: "all"), ("relation", _relation),
                              ("origin", lambda u, a=art: origin[a])):
            for u in p_units:
                c = counts.setdefault((scope, key_of(u)), [0, 0, 0, 0])
                c[1] += 1
                c[0] += any(_matches(g, u) for g in g_units)
            for u in g_units:
                c = counts.setdefault((scope, key_of(u)), [0, 0, 0, 0])
                c[3] += 1
                c[2] += any(_matches(u, p) for p in p_units)
        for u in p_units:
            if not any(_matches(g, u) for g in g_units):
                errors.append((art, "FP", *_triple(u), text[art]))
        for u in g_units:
            if not any(_matches(u, p) for p in p_units):
                errors.append((art, "FN", *_triple(u), text[art]))
        g_pairs = {frozenset(_pair(u)) for u in g_units}
        p_pairs = {frozenset(_pair(u)) for u in p_units}
        pair_counts[0] += len(p_pairs & g_pairs)
        pair_counts[1] += len(p_pairs)
        pair_counts[2] += len(p_pairs & g_pairs)
        pair_counts[3] += len(g_pairs)
    micro = _prf(*counts.get(("micro", "all"), [0, 0, 0, 0]))
    per_relation = {r: _prf(*counts.get(("relation", r), [0, 0, 0, 0])) for r in RELATIONS}
    per_origin = {o: _prf(*counts.get(("origin", o), [0, 0, 0, 0])) for o in ORIGINS
                  if o in set(items["origin"])}
    return {
        "micro": micro, "per_relation": per_relation, "per_origin": per_origin,
        "pairs": _prf(*pair_counts), "n_items": len(items), "n_sentences": len(sents),
        "n_none_items": int((items["relation"] == "none").sum()),
        "errors": pd.DataFrame(errors, columns=["id", "kind", "source", "relation", "target",
                                                "sentence"]),
    }


def _pair(unit: tuple) -> tuple[str, str]:
    if len(unit) == 2:
        a, b = sorted(unit[1])
        return a, b
    return unit[0], unit[2]


def _triple(unit: tuple) -> tuple[str, str, str]:
    if len(unit) == 2:
        a, b = sorted(unit[1])
        return a, unit[0] + " (both ways)", b
    return unit


def format_report(result: dict, errors: bool = False) -> str:
    """Plain-text report of :func:`evaluate_stance` (what the command prints)."""
    m = result["micro"]
    lines = [
        f"Stance extraction on data/eval/stance.csv: {result['n_items']} items "
        f"({result['n_none_items']} 'none'), {result['n_sentences']} distinct sentences",
        "resolution: actor dictionary only, metonymy on; rules: data/stance_rules.csv; "
        "lna read as haftar; agrees = cooperates (unordered)",
        f"micro      P={m['precision']:.3f}  R={m['recall']:.3f}  F1={m['f1']:.3f}  "
        f"(tp={m['tp']}, fp={m['fp']}, fn={m['fn']})",
        "",
        f"{'relation':<12}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'gold':>6}",
    ]
    for name, s in result["per_relation"].items():
        lines.append(f"{name:<12}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                     f"{s['n_pred']:>6}{s['n_gold']:>6}")
    lines += ["", f"{'origin':<12}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'gold':>6}"]
    for name, s in result["per_origin"].items():
        lines.append(f"{name:<12}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                     f"{s['n_pred']:>6}{s['n_gold']:>6}")
    p = result["pairs"]
    lines += ["", f"actor pairs only (relation and direction ignored): P={p['precision']:.3f} "
              f"R={p['recall']:.3f} F1={p['f1']:.3f}"]
    if errors and len(result["errors"]):
        lines += ["", "errors:"]
        for e in result["errors"].itertuples(index=False):
            lines.append(f"  {e.kind} {e.id}: {e.source} {e.relation} {e.target} | {e.sentence[:90]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.eval_stance [--items PATH] [--errors]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", default=None, help="evaluation CSV (default data/eval/stance.csv)")
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    args = parser.parse_args(argv)
    print(format_report(evaluate_stance(args.items), errors=args.errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
