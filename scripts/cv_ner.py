"""Cross-validate a training setting of the bundled NER model on ANERcorp train (never test).

Dev scores on one 10% block move by about a point with noise; pooling K folds (every
training sentence scored once, about 9,700 entities) gives a steadier figure for choosing
features. Each fold is one ``scripts/train_ner.py --fold k`` run; options after ``--`` go to it::

    python scripts/cv_ner.py --jobs 2                       # the default settings
    python scripts/cv_ner.py --jobs 2 -- --c1 0.01 --c2 0.01

Prints per-fold micro-F1 and the pooled micro and per-type scores (seqeval, CoNLL mode).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.eval_ner import format_scores, score_tags

TRAIN = Path(__file__).with_name("train_ner.py")


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nfolds", type=int, default=5)
    p.add_argument("--jobs", type=int, default=1, help="folds trained at the same time")
    args = p.parse_args(own)
    if args.nfolds < 2:
        p.error("--nfolds must be at least 2")
    with tempfile.TemporaryDirectory() as tmp:
        def run(k: int) -> dict:
            out = Path(tmp) / f"fold{k}.json"
            cmd = [sys.executable, str(TRAIN), "--fold", str(k), "--nfolds", str(args.nfolds),
                   "--pred-out", str(out), *extra]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"fold {k} failed:\n{done.stderr[-2000:]}")
            return json.loads(out.read_text(encoding="utf-8"))

        with ThreadPoolExecutor(args.jobs) as pool:
            folds = list(pool.map(run, range(args.nfolds)))
    f1s = [score_tags(f["gold"], f["pred"])["micro"]["f1"] for f in folds]
    pooled = score_tags([s for f in folds for s in f["gold"]],
                        [s for f in folds for s in f["pred"]])
    print(f"settings: {' '.join(extra) or '(defaults)'}")
    print("fold micro-F1: " + " ".join(f"{100 * f:.2f}" for f in f1s)
          + f"  (mean {100 * statistics.mean(f1s):.2f}, sd {100 * statistics.stdev(f1s):.2f})")
    print(f"pooled over {args.nfolds} folds:")
    print(format_scores({**pooled, "sentences": sum(len(f['gold']) for f in folds)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
