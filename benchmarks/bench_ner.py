"""NER throughput and peak memory: this project's ``helpers.ner`` against camel-tools'
``NERecognizer``, on the same sentences, in one run; plus the speed-up of a cached re-run.

Two models:

* a BERT-base token classifier with CAMeLBERT's shape (hidden 768, 12 layers, 12 heads,
  vocabulary 30,000, CAMeLBERT's nine labels) and random weights, built and saved to a temporary
  folder by this script. Speed does not depend on the weights, so the figures tell what to expect
  from CAMeLBERT on the same machine. Its WordPiece vocabulary is trained on the ANERcorp train
  text when ``../shared/data`` is there (else on the seed article), so words split into about as
  many sub-tokens as with a real Arabic BERT vocabulary. Both systems load the same folder.
* the bundled model (``data/models/ner-bundled/``, a CRF): camel-tools cannot run it, so this
  project's figures are reported alone.

The sentences are those of the seed article (split by ``helpers.sentences``), repeated until
they reach the requested number of words. Each system runs in a fresh subprocess so that its
peak resident memory (``ru_maxrss``, model loading included) is its own; both get one warm-up
sentence before the timed run.

    python benchmarks/bench_ner.py            # about 3,000 words; a few minutes on 2 cores
    python benchmarks/bench_ner.py --quick    # about 800 words
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers.paths import CORPUS_DIR, shared_data_dir
from helpers.tokens import words

REPO = Path(__file__).resolve().parents[1]
SEED_NAME = "000_a5c8f450c814b1f9"
CAMELBERT_LABELS = ["B-LOC", "B-MISC", "B-ORG", "B-PERS", "I-LOC", "I-MISC", "I-ORG",
                    "I-PERS", "O"]
VOCAB_SIZE = 30_000


# ------------------------------------------------------------------------ inputs


def seed_text() -> str:
    """The seed article's cleaned text: the longest article of the embedded corpus (the seed),
    else ``../shared/seeds`` cleaned by ``helpers.clean``."""
    try:
        from helpers.corpus import load_corpus

        articles = load_corpus(CORPUS_DIR)
        if "kind" in articles:
            articles = articles[articles["kind"].fillna("article") == "article"]
        if len(articles):
            return str(max(articles["text"], key=len))
    except Exception:  # noqa: BLE001 - fall back to the seed file beside the repository
        pass
    from helpers.clean import clean_text

    path = REPO.parent / "shared" / "seeds" / f"{SEED_NAME}.txt"
    return clean_text(path.read_text(encoding="utf-8"))


def bench_sentences(n_words: int) -> list[dict]:
    """Seed sentences repeated (as articles ``rep0``, ``rep1`` ...) up to ``n_words`` words."""
    from helpers.sentences import sentence_spans

    text = seed_text()
    base = [(a, b, text[a:b]) for a, b in sentence_spans(text) if words(text[a:b])]
    rows: list[dict] = []
    total, rep = 0, 0
    while total < n_words:
        for sid, (a, _, sent) in enumerate(base):
            rows.append({"article_id": f"rep{rep}", "sent_id": sid, "start": a, "text": sent})
            total += len(words(sent))
            if total >= n_words:
                break
        rep += 1
    return rows


def tokenizer_corpus() -> tuple[list[str], str]:
    """Lines to train the benchmark's WordPiece vocabulary on, and where they come from."""
    root = shared_data_dir()
    train = root / "ner" / "anercorp" / "ANERCorp_CamelLab_train.txt" if root else None
    if train is not None and train.is_file():
        lines, current = [], []
        for line in train.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts:
                current.append(parts[0])
            elif current:
                lines.append(" ".join(current))
                current = []
        if current:
            lines.append(" ".join(current))
        return lines, "ANERcorp train text"
    return seed_text().splitlines(), "the seed article (ANERcorp absent)"


def build_bert_base(folder: Path) -> dict:
    """Save a random-weight BERT-base token classifier with CAMeLBERT's labels and a
    30,000-entry WordPiece vocabulary (``do_lower_case=False``) to ``folder``."""
    import torch
    from tokenizers import Tokenizer, normalizers, pre_tokenizers, trainers
    from tokenizers.models import WordPiece
    from transformers import BertConfig, BertForTokenClassification, BertTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    lines, source = tokenizer_corpus()
    wp = Tokenizer(WordPiece(unk_token="[UNK]"))
    wp.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    wp.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    wp.train_from_iterator(lines, trainers.WordPieceTrainer(
        vocab_size=VOCAB_SIZE, special_tokens=specials, show_progress=False))
    vocab = sorted(wp.get_vocab().items(), key=lambda kv: kv[1])
    tokens = [tok for tok, _ in vocab]
    learned = len(tokens)
    tokens += [f"[unused{i}]" for i in range(VOCAB_SIZE - len(tokens))]
    tokenizer = BertTokenizer(vocab={t: i for i, t in enumerate(tokens)}, do_lower_case=False)
    config = BertConfig(vocab_size=VOCAB_SIZE, num_labels=len(CAMELBERT_LABELS),
                        id2label=dict(enumerate(CAMELBERT_LABELS)),
                        label2id={lab: i for i, lab in enumerate(CAMELBERT_LABELS)})
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    model.save_pretrained(folder)
    params = sum(p.numel() for p in model.parameters())
    return {"vocab_source": source, "learned_pieces": learned, "parameters": params}


# ----------------------------------------------------------------------- workers


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _timed(fn, repeat: int) -> tuple[object, float, float]:
    """Run ``fn`` ``repeat`` times; its last result, the best wall time and the best CPU
    time (all threads of this process) in seconds."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return result, min(walls), min(cpus)


def worker_ours(model: str, sentences_file: Path, cache_root: Path, repeat: int) -> dict:
    """Time helpers.ner.run_ner (no cache), then a cache miss and a cache hit."""
    import pandas as pd
    from transformers import (  # noqa: F401 - imported before the clock, as camel-tools' are
        AutoModelForTokenClassification,
        AutoTokenizer,
    )

    from helpers import ner
    from helpers.models import load_ner

    t0 = time.perf_counter()
    if model == "bundled":
        tagger = load_ner("bundled")
    else:
        tagger = ner.TransformersTagger.from_pretrained(model)
    load_s = time.perf_counter() - t0
    table = pd.DataFrame(json.loads(sentences_file.read_text(encoding="utf-8")))
    n_words = sum(len(words(t)) for t in table["text"])
    os.environ["ARABIC_NEWS_CACHE"] = str(cache_root)
    ner.run_ner(table.iloc[:1], tagger=tagger, cache=False)  # warm-up
    mentions, wall, cpu = _timed(lambda: ner.run_ner(table, tagger=tagger, cache=False), repeat)
    ner.run_ner(table, tagger=tagger, cache=True)  # miss: computes and writes the cache
    again, cached_s, _ = _timed(lambda: ner.run_ner(table, tagger=tagger, cache=True), 1)
    assert again.equals(mentions)
    first = json.loads(sentences_file.read_text(encoding="utf-8"))[:20]
    sample = [[lab for lab, _ in s] for s in tagger.predict([words(r["text"]) for r in first])]
    n_tokens = None
    if hasattr(tagger, "tokenizer"):
        enc = tagger.tokenizer([words(t) for t in table["text"]], is_split_into_words=True,
                               add_special_tokens=False)
        n_tokens = sum(len(ids) for ids in enc["input_ids"])
    return {"identity": tagger.identity, "words": n_words, "sentences": len(table),
            "load_s": load_s, "seconds": wall, "cpu_s": cpu, "cached_s": cached_s,
            "mentions": len(mentions), "sub_tokens": n_tokens, "peak_mb": _peak_mb(),
            "sample_labels": sample}


def worker_camel(model: str, sentences_file: Path, repeat: int) -> dict:
    """Time camel-tools' NERecognizer(model folder).predict on the same words."""
    from camel_tools.ner import NERecognizer

    t0 = time.perf_counter()
    recognizer = NERecognizer(model, use_gpu=False)
    load_s = time.perf_counter() - t0
    rows = json.loads(sentences_file.read_text(encoding="utf-8"))
    batch = [words(r["text"]) for r in rows]
    recognizer.predict(batch[:1])  # warm-up
    labels, wall, cpu = _timed(lambda: recognizer.predict(batch, batch_size=32), repeat)
    return {"identity": "camel_tools.ner.NERecognizer", "words": sum(map(len, batch)),
            "sentences": len(batch), "load_s": load_s, "seconds": wall, "cpu_s": cpu,
            "peak_mb": _peak_mb(), "sample_labels": labels[:20]}


def run_worker(kind: str, model: str | Path, sentences_file: Path, tmp: Path,
               repeat: int = 1) -> dict:
    """Run one measurement in a fresh Python process and return its JSON result."""
    env = dict(os.environ)
    env.setdefault("CAMELTOOLS_DATA", str(REPO / "data" / "camel_tools"))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    env.setdefault("TRANSFORMERS_VERBOSITY", "error")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    out = tmp / f"result-{kind}-{Path(str(model)).name}.json"
    cmd = [sys.executable, __file__, "--worker", kind, "--model", str(model),
           "--sentences-file", str(sentences_file), "--out", str(out),
           "--cache-root", str(tmp / f"cache-{out.stem}"), "--repeat", str(repeat)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": " | ".join(tail)}
    return json.loads(out.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- main


def agreement(a: list[list[str]], b: list[list[str]]) -> float | None:
    """Share of words with the same label in two runs of the same model (a sanity check)."""
    pairs = [(x, y) for s, t in zip(a, b, strict=False) if len(s) == len(t)
             for x, y in zip(s, t, strict=True)]
    return sum(x == y for x, y in pairs) / len(pairs) if pairs else None


def add_ratios(rows: list[dict], base: dict) -> None:
    """Throughput relative to camel-tools, by wall-clock and by CPU time."""
    ok = "error" not in base
    for r in rows:
        if "error" in r or not ok:
            continue
        r["ratio"] = base["seconds"] / r["seconds"] * r["words"] / base["words"]
        if r.get("cpu_s"):
            r["cpu_ratio"] = base["cpu_s"] / r["cpu_s"] * r["words"] / base["words"]


def format_table(rows: list[dict]) -> str:
    """A plain-text table of the measurements."""
    head = (f"{'system':<36}{'model':<20}{'words':>7}{'wall s':>8}{'words/s':>9}"
            f"{'CPU s':>8}{'peak MB':>9}{'vs camel':>10}{'(CPU)':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['system']:<36}{r['model']:<20}  not run: {r['error']}")
            continue
        speed = r["words"] / r["seconds"] if r["seconds"] else float("inf")
        cpu = f"{r['cpu_s']:.2f}" if r.get("cpu_s") else ""
        peak = f"{r['peak_mb']:.0f}" if r.get("peak_mb") else ""
        ratio = f"{r['ratio']:.1f}x" if r.get("ratio") else ""
        cpu_ratio = f"{r['cpu_ratio']:.1f}x" if r.get("cpu_ratio") else ""
        lines.append(f"{r['system']:<36}{r['model']:<20}{r['words']:>7}{r['seconds']:>8.2f}"
                     f"{speed:>9.0f}{cpu:>8}{peak:>9}{ratio:>10}{cpu_ratio:>7}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the model, run every system in its own process, print the table."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=3000, help="words to tag (default 3000)")
    parser.add_argument("--quick", action="store_true", help="about 800 words")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timed runs per system; the best is kept (default 1)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    parser.add_argument("--skip-camel", action="store_true", help="do not run camel-tools")
    parser.add_argument("--worker", choices=["ours", "camel"], help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--sentences-file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--cache-root", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        sentences_file = Path(args.sentences_file)
        if args.worker == "ours":
            result = worker_ours(args.model, sentences_file, Path(args.cache_root), args.repeat)
        else:
            result = worker_camel(args.model, sentences_file, args.repeat)
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0

    import torch

    n_words = 800 if args.quick else args.words
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"NER benchmark: {platform.machine()}, {os.cpu_count()} CPUs (load average "
          f"{load:.1f} at start), torch {torch.__version__} ({torch.get_num_threads()} threads)")
    with tempfile.TemporaryDirectory(prefix="bench-ner-") as tmpdir:
        tmp = Path(tmpdir)
        sentences = bench_sentences(n_words)
        sentences_file = tmp / "sentences.json"
        sentences_file.write_text(json.dumps(sentences, ensure_ascii=False), encoding="utf-8")
        t0 = time.perf_counter()
        folder = tmp / "bert-base-random"
        info = build_bert_base(folder)
        print(f"built BERT-base ({info['parameters'] / 1e6:.0f} M parameters, vocabulary "
              f"{VOCAB_SIZE:,} with {info['learned_pieces']:,} pieces learned from "
              f"{info['vocab_source']}) in {time.perf_counter() - t0:.0f} s")
        n = sum(len(words(r["text"])) for r in sentences)
        print(f"{len(sentences)} sentences, {n} words (seed article repeated); best of "
              f"{args.repeat} timed run(s) per system\n")
        ours = run_worker("ours", folder, sentences_file, tmp, args.repeat)
        camel = ({"error": "--skip-camel"} if args.skip_camel else
                 run_worker("camel", folder, sentences_file, tmp, args.repeat))
        crf = REPO / "data" / "models" / "ner-bundled" / "model.crfsuite"
        bundled = (run_worker("ours", "bundled", sentences_file, tmp, args.repeat)
                   if crf.is_file() else {"error": "no data/models/ner-bundled/ (make train-ner)"})

    bert, crf_name = "BERT-base (random)", "bundled CRF"
    rows = [{"system": "helpers.ner.run_ner", "model": bert, **ours},
            {"system": "camel_tools NERecognizer", "model": bert, **camel}]
    if "error" not in ours:
        rows.append({"system": "helpers.ner.run_ner, cached re-run", "model": bert,
                     "words": ours["words"], "seconds": ours["cached_s"]})
    rows.append({"system": "helpers.ner.run_ner", "model": crf_name, **bundled})
    if "error" not in bundled:
        rows.append({"system": "helpers.ner.run_ner, cached re-run", "model": crf_name,
                     "words": bundled["words"], "seconds": bundled["cached_s"]})
    add_ratios(rows[:3], camel)
    print(format_table(rows))
    print()
    if "error" not in ours:
        print(f"BERT-base: {ours['sub_tokens']} sub-tokens for {ours['words']} words "
              f"({ours['sub_tokens'] / ours['words']:.2f} per word); model load "
              f"{ours['load_s']:.1f} s (ours)" + (f", {camel['load_s']:.1f} s (camel-tools)"
                                                   if "error" not in camel else ""))
        print(f"cached re-run: {ours['seconds'] / ours['cached_s']:.0f}x faster than computing "
              "(BERT-base)" + (f", {bundled['seconds'] / bundled['cached_s']:.0f}x (bundled)"
                               if "error" not in bundled else ""))
    if "error" not in ours and "error" not in camel:
        share = agreement(ours["sample_labels"], camel["sample_labels"])
        print(f"throughput vs camel-tools: {rows[0]['ratio']:.1f}x by wall-clock, "
              f"{rows[0]['cpu_ratio']:.1f}x by CPU time (target >= 3x)")
        if share is not None:
            print(f"same labels as camel-tools on {100 * share:.1f}% of the words of the first "
                  "20 sentences (same model and first-sub-token rule)")
    if "error" not in bundled:
        print(f"bundled model: {bundled['identity']}, load {bundled['load_s']:.1f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str),
                                   encoding="utf-8")
    return 0 if "error" not in ours and ("error" not in camel or args.skip_camel) else 1


if __name__ == "__main__":
    sys.exit(main())
