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
  ``helpers.stance.FORCES_COLLAPSE``: قوات حفتر (lna) is read as Haftar);
* an item may name its own actors in the ``actors`` column (``surface=id|surface=id``):
  those spans replace what the dictionary finds there, so that items on conflicts the
  actor dictionary does not cover (الحوثيين=houthis) can be scored;
* every item has a ``construction`` (the grammatical pattern that carries the stance) and a
  ``split``: ``dev`` (look at the errors, change the rules) or ``heldout`` (report only).
  Precision and recall are reported overall, per relation family, per construction and
  per origin, for each split.

Run ``python -m helpers.eval_stance`` (``--errors`` lists every false positive and false
negative).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .clean import match_key
from .paths import DATA_DIR
from .schema import MENTIONS, SENTENCES
from .stance import FORCES_COLLAPSE, RELATIONS, extract_stance, load_stance_rules

ITEMS_PATH = DATA_DIR / "eval" / "stance.csv"
ITEM_COLUMNS = ["id", "sentence", "source", "relation", "target", "rationale", "origin"]
OPTIONAL_COLUMNS = {"construction": "unlabelled", "split": "dev", "actors": ""}
GOLD_RELATIONS = (*RELATIONS, "agrees", "none")
ORIGINS = ("seed", "chronology", "written")
SPLITS = ("dev", "heldout")
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
    for col, default in OPTIONAL_COLUMNS.items():
        if col not in items.columns:
            items[col] = default
    for row in items.itertuples(index=False):
        where = f"{path.name} item {row.id}"
        if row.split not in SPLITS:
            raise ValueError(f"{where}: split {row.split!r} is not one of " + ", ".join(SPLITS))
        if not str(row.construction).strip():
            raise ValueError(f"{where}: empty construction; name the pattern (e.g. active_verb, "
                             "passive_participle, none)")
        problem = _spans_problem(row.sentence, row.actors)
        if problem:
            raise ValueError(f"{where}: {problem}")
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


def parse_actor_spans(spec: str) -> list[tuple[str, str]]:
    """``"الحوثيين=houthis|إيران=iran"`` -> [("الحوثيين", "houthis"), ("إيران", "iran")]."""
    out = []
    for part in str(spec or "").split("|"):
        if part.strip():
            surface, _, actor_id = part.partition("=")
            out.append((surface.strip(), actor_id.strip()))
    return out


def _spans_problem(sentence: str, spec: str) -> str | None:
    for surface, actor_id in parse_actor_spans(spec):
        if not surface or not actor_id:
            return f"actors entry {surface}={actor_id} must be written surface=actor_id"
        if surface not in sentence:
            return f"actor surface {surface!r} does not occur in the sentence"
    return None


_NISBA_END = ("يه", "يا")  # plurals (الحوثيين) are used as nouns


def _looks_nisba(surface: str) -> bool:
    """A one-word item span that reads as a nisba adjective or adverb (إيرانيا، الأمريكية،
    أمريكي), so that the stance engine treats it as one: the span names the actor through
    an adjective. A name ending in ي (كيغالي) is not one unless it carries the article."""
    key = match_key(surface)
    if " " in key:
        return False
    return key.endswith(_NISBA_END) or (key.startswith("ال") and key.endswith("ي")) or (
        key.endswith("ي") and len(key) >= 5 and key[-2] in "نكرتيدلسه")


def item_mentions(sents: pd.DataFrame, spans: Mapping[str, str],
                  resolved: pd.DataFrame) -> pd.DataFrame:
    """Add the items' own actor spans (``spans``: article_id -> ``surface=id|...``) to the
    dictionary's resolved mentions; a dictionary mention that overlaps an item span is
    dropped. Every occurrence of a surface is marked (the whole word or the word after a
    proclitic such as و or ل)."""
    from .tokens import word_spans

    rows = []
    drop: set = set()
    for art, text in zip(sents["article_id"], sents["text"], strict=True):
        taken: list[tuple[int, int]] = []
        words = word_spans(text)
        for surface, actor_id in sorted(parse_actor_spans(spans.get(art, "")),
                                        key=lambda p: -len(p[0])):
            start = text.find(surface)
            while start >= 0:
                end = start + len(surface)
                word = next(((a, b) for a, b in words if a <= start < b), None)
                whole = word is not None and len(text[word[0]:start]) <= 2 and any(
                    b == end for _, b in words)
                if whole and not any(start < b and a < end for a, b in taken):
                    taken.append((start, end))
                    rows.append({"article_id": art, "sent_id": 0, "start": start, "end": end,
                                 "surface": surface, "label": "ORG", "score": 1.0,
                                 "model": "eval", "match_key": match_key(surface),
                                 "actor_id": actor_id, "origin": "eval",
                                 "rule": "eval-nisba" if _looks_nisba(surface) else "eval"})
                start = text.find(surface, start + 1)
        for idx in resolved.index[resolved["article_id"] == art]:
            a, b = int(resolved.at[idx, "start"]), int(resolved.at[idx, "end"])
            if any(a < e and s < b for s, e in taken):
                drop.add(idx)
    out = resolved.drop(index=list(drop))
    if rows:
        extra = pd.DataFrame(rows)
        out = pd.concat([out, extra.reindex(columns=out.columns)], ignore_index=True)
    return out.sort_values(["article_id", "start"]).reset_index(drop=True)


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
        "headline": False,
    })[SENTENCES.columns]


def evaluate_stance(items: pd.DataFrame | str | Path | None = None, *,
                    rules: pd.DataFrame | None = None, actors: pd.DataFrame | None = None,
                    collapse: Mapping[str, str] | None = None,
                    metonymy: bool = True, lexicon: pd.DataFrame | None = None) -> dict:
    """Extract stance from every item's sentence and score the triples against the gold.

    Returns a dict with ``micro`` (precision, recall, f1, counts), ``per_relation``,
    ``per_origin``, ``per_construction``, ``pairs`` (source/target pair right, relation and
    direction ignored), ``n_items``, ``n_sentences``, ``errors`` (a DataFrame: id, split,
    kind FP/FN, source, relation, target, sentence) and ``splits``: the same scores
    (micro, per_relation, per_construction, per_origin, pairs, counts) for each split
    present (``dev``, ``heldout``). ``collapse`` defaults to ``FORCES_COLLAPSE``.

    A predicted edge counts for the construction of the gold item it matches, or for the
    construction of its sentence's first item when it matches none (a false positive).
    """
    from .actors import load_actors, resolve_mentions

    if items is None or isinstance(items, (str, Path)):
        items = load_stance_items(items)
    items = items.copy()
    for col, default in OPTIONAL_COLUMNS.items():
        if col not in items.columns:
            items[col] = default
    rules = load_stance_rules() if rules is None else rules
    actors = load_actors() if actors is None else actors
    collapse = dict(FORCES_COLLAPSE if collapse is None else collapse)
    symmetric_rules = set(rules.loc[rules["symmetric"].astype(bool), "rule_id"])

    sents = _sentence_table(items)
    firsts = items.drop_duplicates("sentence")
    sid = dict(zip(firsts["sentence"], sents["article_id"], strict=True))
    spans = {sid[s]: a for s, a in zip(items["sentence"], items["actors"], strict=True) if a}
    empty = MENTIONS.empty()
    resolved = resolve_mentions(empty, sents, actors, metonymy=metonymy)
    resolved = item_mentions(sents, spans, resolved)
    stance = extract_stance(resolved, sents, rules, actors=actors, collapse=collapse,
                            lexicon=lexicon)

    def fold(a: str) -> str:
        return collapse.get(a, a)

    gold: dict[str, dict[tuple, str]] = {a: {} for a in sents["article_id"]}  # unit -> construction
    origin = dict(zip(sents["article_id"], firsts["origin"], strict=True))
    split = dict(zip(sents["article_id"], firsts["split"], strict=True))
    sentence_construction = dict(zip(sents["article_id"], firsts["construction"], strict=True))
    for row in items.itertuples(index=False):
        if row.relation == "none":
            continue
        rel = "cooperates" if row.relation == "agrees" else row.relation
        unit = _unit(fold(row.source), rel, fold(row.target), rel in SYMMETRIC_RELATIONS)
        gold[sid[row.sentence]].setdefault(unit, row.construction)
    pred: dict[str, set] = {a: set() for a in sents["article_id"]}
    for row in stance.itertuples(index=False):
        sym = row.rule in symmetric_rules or row.relation in SYMMETRIC_RELATIONS
        pred[row.article_id].add(_unit(row.source_actor, row.relation, row.target_actor, sym))

    # (split, scope, key) -> [tp_pred, n_pred, tp_gold, n_gold]; split "all" pools both
    counts: dict[tuple[str, str, str], list[int]] = {}
    pair_counts: dict[str, list[int]] = {}
    errors = []
    text = dict(zip(sents["article_id"], sents["text"], strict=True))
    for art in sents["article_id"]:
        g_units, p_units = gold[art], pred[art]
        for sp in ("all", split[art]):
            for u in p_units:
                hit = [g for g in g_units if _matches(g, u)]
                cons = g_units[hit[0]] if hit else sentence_construction[art]
                for scope, key in (("micro", "all"), ("relation", _relation(u)),
                                   ("origin", origin[art]), ("construction", cons)):
                    c = counts.setdefault((sp, scope, key), [0, 0, 0, 0])
                    c[1] += 1
                    c[0] += bool(hit)
            for u, cons in g_units.items():
                hit = any(_matches(u, p) for p in p_units)
                for scope, key in (("micro", "all"), ("relation", _relation(u)),
                                   ("origin", origin[art]), ("construction", cons)):
                    c = counts.setdefault((sp, scope, key), [0, 0, 0, 0])
                    c[3] += 1
                    c[2] += hit
            g_pairs = {frozenset(_pair(u)) for u in g_units}
            p_pairs = {frozenset(_pair(u)) for u in p_units}
            pc = pair_counts.setdefault(sp, [0, 0, 0, 0])
            pc[0] += len(p_pairs & g_pairs)
            pc[1] += len(p_pairs)
            pc[2] += len(p_pairs & g_pairs)
            pc[3] += len(g_pairs)
        for u in p_units:
            if not any(_matches(g, u) for g in g_units):
                errors.append((art, split[art], "FP", *_triple(u), text[art]))
        for u in g_units:
            if not any(_matches(u, p) for p in p_units):
                errors.append((art, split[art], "FN", *_triple(u), text[art]))

    def scores(sp: str, frame: pd.DataFrame) -> dict:
        def get(scope: str, key: str) -> dict:
            return _prf(*counts.get((sp, scope, key), [0, 0, 0, 0]))

        constructions = sorted({k for (s_, scope, k) in counts if s_ == sp
                                and scope == "construction"})
        return {
            "micro": get("micro", "all"),
            "per_relation": {r: get("relation", r) for r in RELATIONS},
            "per_origin": {o: get("origin", o) for o in ORIGINS if o in set(frame["origin"])},
            "per_construction": {k: get("construction", k) for k in constructions},
            "pairs": _prf(*pair_counts.get(sp, [0, 0, 0, 0])),
            "n_items": len(frame), "n_sentences": frame["sentence"].nunique(),
            "n_none_items": int((frame["relation"] == "none").sum()),
        }

    result = scores("all", items)
    result["splits"] = {sp: scores(sp, items[items["split"] == sp]) for sp in SPLITS
                        if sp in set(items["split"])}
    result["errors"] = pd.DataFrame(errors, columns=["id", "split", "kind", "source", "relation",
                                                     "target", "sentence"])
    return result


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


def _table(title: str, rows: Mapping[str, dict]) -> list[str]:
    lines = [f"{title:<24}{'P':>7}{'R':>7}{'F1':>7}{'pred':>6}{'gold':>6}"]
    for name, sc in rows.items():
        if sc["n_pred"] or sc["n_gold"]:
            lines.append(f"{name:<24}{sc['precision']:>7.3f}{sc['recall']:>7.3f}"
                         f"{sc['f1']:>7.3f}{sc['n_pred']:>6}{sc['n_gold']:>6}")
    return lines


def format_report(result: dict, errors: bool = False, split: str | None = None) -> str:
    """Plain-text report of :func:`evaluate_stance` (what the command prints): the pooled
    micro scores, then for each split (or only ``split``) micro, per relation family, per
    origin and per construction."""
    m = result["micro"]
    lines = [
        f"Stance extraction on data/eval/stance.csv: {result['n_items']} items "
        f"({result['n_none_items']} 'none'), {result['n_sentences']} distinct sentences",
        "resolution: actor dictionary + the items' own actor spans, metonymy on; rules: "
        "data/stance_rules.csv + data/stance_lexicon.csv; lna read as haftar; agrees = "
        "cooperates (unordered)",
        f"all        P={m['precision']:.3f}  R={m['recall']:.3f}  F1={m['f1']:.3f}  "
        f"(tp={m['tp']}, fp={m['fp']}, fn={m['fn']})",
    ]
    splits = result.get("splits") or {"all": result}
    for name, sc in splits.items():
        if split is not None and name != split:
            continue
        mm = sc["micro"]
        lines += ["", f"== split {name}: {sc['n_items']} items, {sc['n_sentences']} sentences",
                  f"micro      P={mm['precision']:.3f}  R={mm['recall']:.3f}  F1={mm['f1']:.3f}  "
                  f"(tp={mm['tp']}, fp={mm['fp']}, fn={mm['fn']})", ""]
        lines += _table("relation", sc["per_relation"]) + [""]
        lines += _table("origin", sc["per_origin"]) + [""]
        lines += _table("construction", sc["per_construction"])
        p = sc["pairs"]
        lines += ["", f"actor pairs only (relation and direction ignored): "
                  f"P={p['precision']:.3f} R={p['recall']:.3f} F1={p['f1']:.3f}"]
    if errors and len(result["errors"]):
        errs = result["errors"]
        if split is not None:
            errs = errs[errs["split"] == split]
        lines += ["", "errors:"]
        for e in errs.itertuples(index=False):
            lines.append(f"  {e.kind} {e.id} [{e.split}]: {e.source} {e.relation} {e.target} | "
                         f"{e.sentence[:90]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m helpers.eval_stance [--items PATH] [--errors]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", default=None, help="evaluation CSV (default data/eval/stance.csv)")
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    parser.add_argument("--split", choices=SPLITS, default=None,
                        help="report only this split (tune on dev; heldout is for reporting)")
    args = parser.parse_args(argv)
    print(format_report(evaluate_stance(args.items), errors=args.errors, split=args.split))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
