"""Choose how the bundled NER ensemble joins the CRF and the e5 encoder (``ensemble.json``).

Both members are scored on the dev part of ANERcorp train (its last 10%), each trained
without it: the CRF by ``python scripts/train_ner.py --dev --keep FOLDER``, the encoder by the
dev run of ``scripts/train_ner_e5.py`` (without ``--full``). The shipped members are then
trained on all of train with the same settings, as is usual once the settings are chosen.
Each word's CRF state scores get ``weight * log p_encoder`` added, then the BIO-constrained
Viterbi runs with a label bias (:class:`helpers.ner_bundled.Ensemble`). For every weight
and bias of the grid the script prints dev micro-F1 and ORG precision/recall, and writes the
chosen setting (``--write``) to the shipped CRF folder. The test split is never read for
choosing (``--test`` scores the shipped ensemble once, afterwards).

Exact commands used for the shipped setting (``make tune-ner-ensemble``)::

    python scripts/train_ner_e5.py --out .cache/e5-dev        # dev run of the encoder
    python scripts/train_ner.py --dev --keep .cache/crf-dev
    python scripts/tune_ner_ensemble.py --crf .cache/crf-dev --encoder .cache/e5-dev --write

The grid: encoder weight x O bias x ORG bias. The choice: the best dev micro-F1; among
settings within ``--slack`` points of it, the one with the best dev ORG F1 (organisations are
what the ensemble is for, issue #12).
"""

from __future__ import annotations

import argparse
import itertools
import sys

import numpy as np

from helpers.datasets import read_anercorp, repair_bio
from helpers.eval_ner import score_tags
from helpers.ner_bundled import (
    DEFAULT_MODEL_DIR,
    BundledTagger,
    Decoding,
    Ensemble,
    bias_vector,
    bio_masks,
    decode_batch,
    save_ensemble,
)

ENCODER = "ner-e5"


def grid_scores(crf: BundledTagger, encoder_probs: list[np.ndarray], sentences: list,
                weights: list[float], biases: list[dict[str, float]]) -> list[dict]:
    """Dev scores of every (weight, bias) pair."""
    w = crf.weights
    emissions = [crf.scores(words) for words, _ in sentences]
    gold = [list(tags) for _, tags in sentences]
    masks = bio_masks(w.labels)
    rows = []
    for weight, bias in itertools.product(weights, biases):
        em = [e + weight * np.log(np.clip(p, 1e-6, 1.0)) for e, p in zip(emissions, encoder_probs,
                                                                         strict=True)]
        pred = [repair_bio([w.labels[j] for j in path])
                for path, _ in decode_batch(em, w.trans, bias_vector(w.labels, bias), masks)]
        s = score_tags(gold, pred)
        rows.append({"weight": weight, "bias": bias, "micro": s["micro"]["f1"],
                     "org_p": s["types"]["ORG"]["precision"],
                     "org_r": s["types"]["ORG"]["recall"], "org_f1": s["types"]["ORG"]["f1"]})
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--crf", required=True, help="CRF folder trained without the dev part")
    p.add_argument("--encoder", required=True,
                   help="encoder folder trained without the dev part (the dev run of "
                   "scripts/train_ner_e5.py)")
    p.add_argument("--data-dir", help="shared data folder (default ../shared/data)")
    p.add_argument("--weights", default="0,0.25,0.5,0.75,1,1.5,2")
    p.add_argument("--o-bias", default="0,-0.25,-0.5,-0.75,-1")
    p.add_argument("--org-bias", default="0,0.25,0.5",
                   help="bias added to B-ORG and I-ORG (combined with every O bias)")
    p.add_argument("--slack", type=float, default=0.3, help="micro-F1 points")
    p.add_argument("--write", action="store_true",
                   help=f"write the chosen setting to {DEFAULT_MODEL_DIR}/ensemble.json")
    p.add_argument("--test", action="store_true",
                   help="then score the shipped ensemble on the ANERcorp test split (once, for "
                   "scores.json and MODEL_CARD.md; never for choosing)")
    args = p.parse_args(argv)

    from helpers.ner import TransformersTagger

    train = read_anercorp("train", args.data_dir)
    dev = train[int(len(train) * 0.9):]
    crf = BundledTagger.load(args.crf, ensemble=False)
    encoder = TransformersTagger.from_pretrained(args.encoder)
    cols = [encoder.labels().index(lab) for lab in crf.weights.labels]
    probs = [p[:, cols] for p in encoder.predict_proba([list(w) for w, _ in dev])]
    weights = [float(x) for x in args.weights.split(",")]
    biases = [{k: v for k, v in (("O", float(o)), ("ORG", float(g))) if v}
              for o, g in itertools.product(args.o_bias.split(","), args.org_bias.split(","))]
    rows = grid_scores(crf, probs, dev, weights, biases)
    print(f"dev: last 10% of ANERcorp train, {len(dev)} sentences")
    print("weight  O-bias  ORG-bias  micro-F1  ORG P  ORG R  ORG F1")
    for r in rows:
        print(f"{r['weight']:6.2f}  {r['bias'].get('O', 0.0):6.2f}"
              f"  {r['bias'].get('ORG', 0.0):8.2f}  {100 * r['micro']:8.2f}"
              f"  {100 * r['org_p']:5.1f}  {100 * r['org_r']:5.1f}  {100 * r['org_f1']:6.1f}")
    top = max(r["micro"] for r in rows)
    near = [r for r in rows if 100 * (top - r["micro"]) <= args.slack]
    best = max(near, key=lambda r: (r["org_f1"], r["micro"]))
    print(f"chosen: weight {best['weight']}, bias {best['bias']} (dev micro-F1 "
          f"{100 * best['micro']:.2f}, best {100 * top:.2f}; ORG R {100 * best['org_r']:.1f})")
    if args.write:
        save_ensemble(Ensemble(ENCODER, best["weight"],
                               Decoding(best["bias"], True)), DEFAULT_MODEL_DIR)
        print(f"wrote {DEFAULT_MODEL_DIR / 'ensemble.json'}")
    if args.test:
        record_test_scores(args.data_dir)
    return 0


def record_test_scores(data_dir: str | None) -> None:
    """Score the shipped ensemble on the test split; write ``scores.json["ensemble"]`` and
    the table between the ENSEMBLE markers of ``MODEL_CARD.md``."""
    import json

    from helpers.eval_ner import evaluate_tagger, fill_marked_block, format_scores, markdown_scores

    tagger = BundledTagger.load()
    test = read_anercorp("test", data_dir)
    result = evaluate_tagger(tagger, [w for w, _ in test], [t for _, t in test])
    print(format_scores(result))
    path = DEFAULT_MODEL_DIR / "scores.json"
    scores = json.loads(path.read_text(encoding="utf-8"))
    scores["ensemble"] = {"identity": tagger.identity, "seconds": result["seconds"],
                          "test": {"micro": result["micro"], "types": result["types"]}}
    path.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    lines = markdown_scores(result, "**micro, ensemble**")
    lines += ["", f"Model identity `{tagger.identity}`; the test split ({result['words']} words) "
              f"tagged in {result['seconds']:.0f} s on 2 CPU cores."]
    fill_marked_block(DEFAULT_MODEL_DIR / "MODEL_CARD.md", "ENSEMBLE", lines)


if __name__ == "__main__":
    sys.exit(main())
