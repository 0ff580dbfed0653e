"""Tune the bundled NER model's decoding (per-type label bias, BIO constraint) by 5-fold
cross-validation on ANERcorp train (never test).

Each fold model is ``scripts/train_ner.py --fold k --keep DIR/fold{k}`` (trained once, then
reused); its held-out block is scored by the fold model's CRF weights, and every decoding
setting of the grid is decoded from those scores (fast: no retraining). Prints pooled
micro and ORG precision/recall/F1 per setting and in how many folds it beats the first
setting of the grid (the baseline; keep ``ORG=0`` in the grid)::

    python scripts/tune_ner_decoding.py --jobs 2 --grid ORG=0,0.5,1,1.5 --grid MISC=0,0.5
    python scripts/tune_ner_decoding.py --grid ORG=0,1 --bio both -- --c1 0.02

Options after ``--`` go to ``train_ner.py`` (the training setting the fold models use).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.datasets import read_anercorp, repair_bio
from helpers.eval_ner import score_tags
from helpers.ner_bundled import BundledTagger, Decoding

TRAIN = Path(__file__).with_name("train_ner.py")
DEFAULT_DIR = Path(tempfile.gettempdir()) / "arabic-news-train-ner" / "folds"


def parse_grid(specs: list[str]) -> list[dict[str, float]]:
    """``["ORG=0,1", "MISC=0,0.5"]`` -> every combination as a bias dict (first = all first
    values)."""
    axes = []
    for spec in specs:
        key, _, values = spec.partition("=")
        axes.append([(key, float(v)) for v in values.split(",")])
    return [dict(combo) for combo in itertools.product(*axes)] if axes else [{}]


def fold_models(folder: Path, nfolds: int, jobs: int, extra: list[str]) -> list[Path]:
    """Fold model folders (trained with ``train_ner.py --fold k --keep`` where missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "settings.json"
    wanted = json.dumps({"nfolds": nfolds, "train_options": extra})
    if stamp.is_file() and stamp.read_text(encoding="utf-8") != wanted:
        raise SystemExit(f"{folder} holds fold models of another setting ({stamp.read_text()});"
                         " pass another --folds-dir")
    stamp.write_text(wanted, encoding="utf-8")

    def run(k: int) -> Path:
        out = folder / f"fold{k}"
        if not (out / "model.crfsuite").is_file():
            cmd = [sys.executable, str(TRAIN), "--fold", str(k), "--nfolds", str(nfolds),
                   "--keep", str(out), "--pred-out", str(folder / f"fold{k}.json"), *extra]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"fold {k} failed:\n{done.stderr[-2000:]}")
        return out

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(run, range(nfolds)))


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--folds-dir", default=str(DEFAULT_DIR), help="where fold models are kept")
    p.add_argument("--nfolds", type=int, default=5)
    p.add_argument("--jobs", type=int, default=1, help="fold models trained at the same time")
    p.add_argument("--grid", action="append", default=[],
                   help="TYPE=v1,v2,... (or B-TYPE=...): bias values to try; repeatable")
    p.add_argument("--bio", choices=["off", "on", "both"], default="both",
                   help="BIO-constrained decoding: off, on, or try both")
    p.add_argument("--data-dir", help="shared data folder (default ../shared/data)")
    args = p.parse_args(own)

    folders = fold_models(Path(args.folds_dir), args.nfolds, args.jobs, extra)
    train = read_anercorp("train", args.data_dir)
    blocks = []
    for k, folder in enumerate(folders):
        lo, hi = (len(train) * j // args.nfolds for j in (k, k + 1))
        tagger = BundledTagger.load(folder)
        block = train[lo:hi]
        blocks.append((tagger, [t for _, t in block], [tagger.scores(w) for w, _ in block]))
    bios = {"off": [False], "on": [True], "both": [False, True]}[args.bio]
    base_f1: list[float] | None = None
    print(f"train options: {' '.join(extra) or '(defaults)'}")
    print(f"{'bias':<28}{'bio':>4}{'P':>7}{'R':>7}{'F1':>7}{'ORG P':>7}{'ORG R':>7}"
          f"{'ORG F1':>7}{'better':>7}")
    for bias, bio in itertools.product(parse_grid(args.grid), bios):
        d = Decoding(bias, bio)
        gold, pred, f1s = [], [], []
        for tagger, g, scores in blocks:
            pr = [repair_bio(tagger.decode(s, d)) for s in scores]
            f1s.append(score_tags(g, pr)["micro"]["f1"])
            gold += g
            pred += pr
        r = score_tags(gold, pred)
        m, o = r["micro"], r["types"]["ORG"]
        if base_f1 is None:
            base_f1 = f1s
        better = sum(a > b for a, b in zip(f1s, base_f1, strict=True))
        name = ",".join(f"{k}={v:g}" for k, v in bias.items()) or "none"
        print(f"{name:<28}{'on' if bio else 'off':>4}{100 * m['precision']:>7.2f}"
              f"{100 * m['recall']:>7.2f}{100 * m['f1']:>7.2f}{100 * o['precision']:>7.2f}"
              f"{100 * o['recall']:>7.2f}{100 * o['f1']:>7.2f}{better:>7}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
