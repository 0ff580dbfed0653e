"""Time stance extraction on the seed article and the chronology (issue #15 hot spot).

Resolution (dictionary only, metonymy on) is done once and not timed; the timed part is
``helpers.stance.extract_stance`` over every sentence, repeated ``--repeat`` times (best
time reported). Run::

    python benchmarks/bench_stance.py --repeat 3
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from helpers.actors import resolve_mentions
from helpers.corpus import load_corpus
from helpers.paths import DATA_DIR
from helpers.sentences import split_sentences
from helpers.stance import FORCES_COLLAPSE, extract_stance, load_stance_rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    articles = pd.concat([load_corpus(DATA_DIR / "corpus"),
                          load_corpus(DATA_DIR / "chronology", kind="chronology")],
                         ignore_index=True)
    sentences = split_sentences(articles)
    resolved = resolve_mentions(None, sentences, metonymy=True)
    rules = load_stance_rules()
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.process_time()
        out = extract_stance(resolved, sentences, rules, collapse=FORCES_COLLAPSE)
        best = min(best, time.process_time() - t0)
    print(f"{len(articles)} articles, {len(sentences)} sentences, {len(resolved)} mentions, "
          f"{len(rules)} rules -> {len(out)} stance rows; extract_stance best CPU "
          f"{best:.3f} s ({1000 * best / len(sentences):.2f} ms/sentence)")


if __name__ == "__main__":
    main()
