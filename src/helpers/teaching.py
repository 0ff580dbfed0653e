"""Teaching helpers for the NER notebook: how WordPiece cuts Arabic words, and how the
bundled model compares with CAMeLBERT. Nothing here is a pipeline stage.

>>> learn_wordpiece_vocab(["وصل أردوغان", "قال أردوغان"], vocab_size=20)[:5]
['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .models import MAX_TOKENS, import_transformers
from .ner import ENTITY_TYPES

#: Entity micro-F1 of CAMeLBERT-MSA on the ANERcorp CAMeL Lab test split (Inoue et al., 2021).
CAMELBERT_PUBLISHED_F1 = 82.4


def learn_wordpiece_vocab(texts: Sequence[str], vocab_size: int = 1000) -> list[str]:
    """Learn a WordPiece vocabulary from ``texts`` (the algorithm BERT's vocabularies come
    from), deterministically.

    Words (:func:`helpers.tokens.words`) start as letters (``أ ##ر ##د ...``); the most
    frequent pair of adjacent pieces is merged into a new piece, again and again, until the
    vocabulary (with BERT's five special tokens) has ``vocab_size`` entries; ties go to the
    alphabetically first pair. (Google's WordPiece ranks pairs by a likelihood score, which on
    a corpus this small favours rare pairs; the ``tokenizers`` trainer breaks ties differently
    from one run to the next, so a notebook would not reproduce.)

    >>> learn_wordpiece_vocab(["وصل أردوغان", "قال أردوغان"], vocab_size=20)[-4:]
    ['##ان', '##دو', '##دوغ', '##دوغان']
    """
    from collections import Counter

    from .tokens import words as split_words

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    freqs = Counter(w for text in texts for w in split_words(text))
    splits = {w: [w[0]] + [f"##{c}" for c in w[1:]] for w in freqs}
    vocab: dict[str, None] = {}
    for w in sorted(freqs, key=lambda w: (-freqs[w], w)):
        for piece in splits[w]:
            vocab.setdefault(piece, None)
    initial = sorted(vocab, key=lambda p: (p.startswith("##"), p))
    vocab = dict.fromkeys(initial)
    while len(specials) + len(vocab) < vocab_size:
        pairs: Counter[tuple[str, str]] = Counter()
        for w, f in freqs.items():
            sp = splits[w]
            for pair in zip(sp, sp[1:], strict=False):
                pairs[pair] += f
        if not pairs:
            break
        a, b = min(pairs, key=lambda ab: (-pairs[ab], ab))
        merged = a + b[2:]
        vocab.setdefault(merged, None)
        for w, sp in splits.items():
            if len(sp) < 2:
                continue
            out, i = [], 0
            while i < len(sp):
                if i + 1 < len(sp) and sp[i] == a and sp[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(sp[i])
                    i += 1
            splits[w] = out
    return specials + list(vocab)


def train_wordpiece(texts: Sequence[str], vocab_size: int = 1000, *,
                    lowercase: bool = False) -> Any:
    """A small WordPiece tokenizer (as BERT models use) learnt from ``texts`` with
    :func:`learn_wordpiece_vocab`, as a ``transformers`` ``BertTokenizer``: it shows how
    words break into sub-words.

    ``lowercase=True`` reproduces BERT's default normaliser, which strips accents and so
    deletes hamza and madda: ``أردوغان`` is then tokenised as if it were ``اردوغان``.

    >>> texts = ["وصل أردوغان إلى طرابلس", "قال أردوغان لحكومة طرابلس"]
    >>> train_wordpiece(texts, vocab_size=30).tokenize("أردوغان")
    ['أ', '##ر', '##د', '##و', '##غ', '##ان']
    >>> train_wordpiece(texts, vocab_size=30, lowercase=True).tokenize("أردوغان")  # no hamza
    ['[UNK]']
    """
    vocab = learn_wordpiece_vocab(texts, vocab_size)
    return import_transformers().BertTokenizer(
        vocab={piece: i for i, piece in enumerate(vocab)}, do_lower_case=lowercase,
        model_max_length=MAX_TOKENS)


def f1_comparison(model_dir: str | Path | None = None) -> pd.DataFrame:
    """Entity F1 (%) on the ANERcorp CAMeL Lab test split: the bundled models as measured when
    they were built (``scores.json`` in the CRF's folder: the CRF alone, profile ``fast``,
    written by ``scripts/train_ner.py``; the CRF + encoder ensemble, profile ``bundled``,
    written by ``scripts/tune_ner_ensemble.py``) next to CAMeLBERT-MSA's published 82.4
    (per-type F1 not published: NaN).

    >>> f1_comparison().loc[2, ["model", "micro F1"]].tolist()  # doctest: +SKIP
    ['CAMeLBERT-MSA (published)', 82.4]
    """
    from .paths import MODELS_DIR

    folder = Path(model_dir) if model_dir is not None else MODELS_DIR / "ner-bundled"
    nan = float("nan")
    path = folder / "scores.json"
    scores = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    rows = []
    for name, record, fix in (
            ("bundled: CRF + encoder (measured)", scores.get("ensemble"),
             "make tune-ner-ensemble"),
            ("fast: CRF alone (measured)", scores or None, "make train-ner")):
        row: dict[str, Any] = {"model": name, "micro F1": nan,
                               **{f"{t} F1": nan for t in ENTITY_TYPES}}
        if record is None:
            row["source"] = f"{folder.name}/scores.json lacks it: run `{fix}`"
        else:
            test = record["test"]
            row["micro F1"] = 100 * test["micro"]["f1"]
            for t in ENTITY_TYPES:
                if t in test["types"]:
                    row[f"{t} F1"] = 100 * test["types"][t]["f1"]
            row["source"] = f"{folder.name}/scores.json ({record.get('identity', '?')})"
        rows.append(row)
    rows.append({"model": "CAMeLBERT-MSA (published)", "micro F1": CAMELBERT_PUBLISHED_F1,
                 **{f"{t} F1": nan for t in ENTITY_TYPES},
                 "source": "Inoue et al. 2021 (WANLP), CAMeLBERT model card"})
    return pd.DataFrame(rows)


def explain_subwords(tokenizer: Any, words: Sequence[str]) -> pd.DataFrame:
    """How a WordPiece tokenizer splits each word, and which piece carries its label.

    >>> explain_subwords(tok, ["لحكومة"])  # doctest: +SKIP
       word   pieces  n_pieces labelled_piece
    0  لحكومة  ل ##حكومة     2           ل
    """
    rows = []
    for word in words:
        pieces = tokenizer.tokenize(word)
        rows.append({"word": word, "pieces": " ".join(pieces), "n_pieces": len(pieces),
                     "labelled_piece": pieces[0] if pieces else ""})
    return pd.DataFrame(rows)
