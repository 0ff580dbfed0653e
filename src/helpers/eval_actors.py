"""Actor recall, false merges and Libya-id leaks on the project's actor development set.

``data/eval/actors_dev.jsonl`` (described in ``data/eval/README.md``) holds news-style
paragraphs about conflicts other than Libya, written for the project, each with its gold
actors (every surface as it is written, a canonical name, a type: PERS, ORG, ARMED_GROUP,
STATE) and gold stance edges. The paragraphs of one split are analysed as one corpus, as a
student's folder would be: cleaning, sentences, the NER profile, dictionary resolution and
actor discovery (:func:`helpers.pipeline.tag_and_resolve`). Then:

* every gold surface is located in the cleaned text (whole words, with an optional
  proclitic و ف ب ل ك in front); an occurrence inside a longer gold occurrence is dropped;
* each gold occurrence is given the resolved mention that fits it best (most overlap,
  then the shortest mention: «التركي» inside «وزير الخارجية التركي هاكان فيدان» is Turkey);
* an actor id is **pure** when all its gold-annotated mentions, over the whole split, are
  one gold actor;
* a gold actor of a paragraph is **found** when one of its occurrences there is resolved to
  a pure actor id (so a name merged with another gold actor is not found);
* a **false merge of people** is an actor id whose mentions cover two gold persons;
* a **Libya-id leak** is any mention resolved to an actor whose ``scope`` is ``libya``
  (every paragraph is about another conflict).

Run ``python -m helpers.eval_actors`` (``--split dev|heldout|all``, ``--errors`` lists the
missed actors and the merges).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from .paths import DATA_DIR

DEV_PATH = DATA_DIR / "eval" / "actors_dev.jsonl"
GOLD_TYPES = ("PERS", "ORG", "ARMED_GROUP", "STATE")
SPLITS = ("dev", "heldout")
_LETTER = r"\u0621-\u064a\u0671-\u06d3A-Za-z0-9"


def load_actor_items(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Read and check the development items (``data/eval/actors_dev.jsonl`` by default).

    Raises ``ValueError`` naming the item when a key is missing, an id repeats, a split or
    type is unknown, a surface is not in the text, or a stance edge names an actor that the
    item does not list.
    """
    path = Path(path) if path is not None else DEV_PATH
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: restore data/eval/actors_dev.jsonl or pass "
                                "the path of a JSONL file in its format (data/eval/README.md).")
    items, seen = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        where = f"{path.name} line {n} ({item.get('id', 'no id')})"
        missing = [k for k in ("id", "split", "conflict", "date", "title", "text", "actors",
                               "stance") if k not in item]
        if missing:
            raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
        if item["id"] in seen:
            raise ValueError(f"{where}: duplicate id; ids must be unique")
        seen.add(item["id"])
        if item["split"] not in SPLITS:
            raise ValueError(f"{where}: split must be one of {', '.join(SPLITS)}")
        golds = set()
        for actor in item["actors"]:
            if actor.get("type") not in GOLD_TYPES:
                raise ValueError(f"{where}: actor {actor.get('gold')!r} has type "
                                 f"{actor.get('type')!r}; use one of {', '.join(GOLD_TYPES)}")
            golds.add(actor["gold"])
            for surface in actor["surfaces"]:
                if surface not in item["text"]:
                    raise ValueError(f"{where}: surface {surface!r} of {actor['gold']} is not "
                                     "in the text; write it exactly as it appears")
        for edge in item["stance"]:
            if len(edge) != 3 or edge[0] not in golds or edge[2] not in golds:
                raise ValueError(f"{where}: stance edge {edge} must be [source, relation, "
                                 "target] with actors listed in the item")
        items.append(item)
    return items


def gold_occurrences(text: str, actors: list[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """``(start, end, gold)`` of every gold surface in ``text``: whole words, an optional
    proclitic (و ف ب ل ك, one or two letters) allowed in front; an occurrence inside a
    longer one is dropped.

    >>> gold_occurrences("قال البرهان وللبرهان", [{"gold": "b", "surfaces": ["البرهان"]}])
    [(4, 11, 'b')]
    """
    found = []
    for actor in actors:
        for surface in actor["surfaces"]:
            pattern = (rf"(?<![{_LETTER}])(?:[وفبلك]{{1,2}})?({re.escape(surface)})"
                       rf"(?![{_LETTER}])")
            for m in re.finditer(pattern, text):
                found.append((m.start(1), m.end(1), actor["gold"]))
    found = sorted(set(found), key=lambda o: (o[0], -(o[1] - o[0])))
    return [o for o in found
            if not any(p != o and p[0] <= o[0] and o[1] <= p[1] and p[1] - p[0] > o[1] - o[0]
                       for p in found)]


def items_to_articles(items: list[dict[str, Any]]) -> pd.DataFrame:
    """The items as an articles table (cleaned text, title, date), as a student's export
    would be read."""
    from .clean import clean_text

    rows = [{"article_id": it["id"], "title": it["title"], "date": pd.Timestamp(it["date"]),
             "text": clean_text(it["text"])} for it in items]
    return pd.DataFrame(rows)


def analyse_items(items: list[dict[str, Any]], *, models: str = "bundled",
                  actors: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run sentences, NER, resolution and discovery on the items as one corpus:
    ``(resolved mentions, actor table including discovered actors)``."""
    from .actors import load_actors
    from .pipeline import tag_and_resolve
    from .sentences import split_sentences

    actors = load_actors() if actors is None else actors
    articles = items_to_articles(items)
    sentences = split_sentences(articles)
    _, resolved, _, table = tag_and_resolve(sentences, models=models, actors=actors,
                                            progress=False)
    return resolved, table


def score_items(items: list[dict[str, Any]], resolved: pd.DataFrame,
                actors: pd.DataFrame) -> dict[str, Any]:
    """Recall by gold type, false merges and Libya-id leaks (see the module docstring)."""
    from .clean import clean_text

    scope = dict(zip(actors["actor_id"], actors.get("scope", pd.Series([""] * len(actors))),
                     strict=True))
    origin = dict(zip(actors["actor_id"], actors.get("origin", pd.Series(["dictionary"]
                                                                          * len(actors))),
                      strict=True))
    by_article = {a: g for a, g in resolved[resolved["actor_id"].notna()].groupby("article_id")}
    covers: dict[str, set[str]] = defaultdict(set)
    hits: dict[tuple[str, str], set[str]] = defaultdict(set)
    types: dict[str, str] = {}
    leaks = []
    for item in items:
        for actor in item["actors"]:
            types[actor["gold"]] = actor["type"]
        occ = gold_occurrences(clean_text(item["text"]), item["actors"])
        group = by_article.get(item["id"])
        found_here = [] if group is None else list(group.itertuples(index=False))
        leaks += [(item["id"], m.surface, m.actor_id) for m in found_here
                  if scope.get(m.actor_id) == "libya"]
        for a, b, gold in occ:
            # the mention that fits the occurrence best: most overlap, then least outside it
            fits = [(min(m.end, b) - max(m.start, a), -(m.end - m.start), m.actor_id)
                    for m in found_here if a < m.end and m.start < b]
            if fits:
                actor = max(fits)[2]
                covers[actor].add(gold)
                hits[(item["id"], gold)].add(actor)
    pure = {a for a, golds in covers.items() if len(golds) == 1}
    total: Counter = Counter()
    found: Counter = Counter()
    missed, found_by = [], Counter()
    for item in items:
        for actor in item["actors"]:
            key = (item["id"], actor["gold"])
            total[actor["type"]] += 1
            good = [a for a in hits.get(key, ()) if a in pure]
            if good:
                found[actor["type"]] += 1
                found_by[origin.get(good[0], "dictionary")] += 1
            else:
                missed.append((item["id"], actor["gold"], actor["type"],
                               sorted(hits.get(key, ()))))
    merges = {a: sorted(g) for a, g in covers.items() if len(g) > 1}
    person_merges = {a: g for a, g in merges.items()
                     if sum(types.get(x) == "PERS" for x in g) > 1}
    return {
        "recall": {t: (found[t], total[t]) for t in GOLD_TYPES},
        "found_by_origin": dict(found_by),
        "merges": merges, "person_merges": person_merges, "libya_leaks": leaks,
        "missed": missed,
    }


def _ratio(pair: tuple[int, int]) -> str:
    n, d = pair
    return f"{n / d:.2f} ({n}/{d})" if d else "n/a"


def format_scores(split: str, scores: dict[str, Any], errors: bool = False) -> str:
    """A short plain-text report of :func:`score_items`."""
    lines = [f"[{split}] actor recall by type: "
             + ", ".join(f"{t} {_ratio(p)}" for t, p in scores["recall"].items())]
    pers_org = [scores["recall"][t] for t in ("PERS", "ORG", "ARMED_GROUP")]
    lines.append(f"[{split}] persons+organisations+armed groups: "
                 f"{_ratio((sum(p[0] for p in pers_org), sum(p[1] for p in pers_org)))}; "
                 f"found via {scores['found_by_origin']}")
    lines.append(f"[{split}] false merges of people: {len(scores['person_merges'])}; "
                 f"impure actor ids: {len(scores['merges'])}; "
                 f"mentions on a Libya-specific id: {len(scores['libya_leaks'])}")
    if errors:
        lines += [f"  merge {a}: {', '.join(g)}" for a, g in scores["merges"].items()]
        lines += [f"  libya {i}: {s} -> {a}" for i, s, a in scores["libya_leaks"]]
        lines += [f"  missed {i} {g} ({t}) ids={ids}" for i, g, t, ids in scores["missed"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.eval_actors",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--items", default=None, help="JSONL items (default data/eval/...)")
    parser.add_argument("--models", default="bundled", help="NER profile (default bundled)")
    parser.add_argument("--errors", action="store_true", help="list misses and merges")
    args = parser.parse_args(argv)
    items = load_actor_items(args.items)
    for split in (SPLITS if args.split == "all" else (args.split,)):
        chosen = [it for it in items if it["split"] == split]
        resolved, table = analyse_items(chosen, models=args.models)
        print(format_scores(split, score_items(chosen, resolved, table), args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
