"""Named-entity recognition behind one interface: the ``sentences`` table in, the
``mentions`` table out (see :data:`helpers.schema.MENTIONS`).

The tagger comes from :func:`helpers.models.load_ner`, which knows the profiles (``bundled``,
the default; ``camelbert``; ``auto``; set ``ARABIC_NEWS_MODELS`` to switch every stage) and
how to load a model. Every tagger has the same face: ``identity`` (fills the ``model``
column and keys the cache), ``labels()`` and ``predict(list of word lists)`` -> one
``(BIO label, probability)`` per word:

- the bundled CRF (:class:`helpers.ner_bundled.BundledTagger`), shipped in
  ``data/models/ner-bundled/``;
- :class:`TransformersTagger`, a token-classification model such as
  ``CAMeL-Lab/bert-base-arabic-camelbert-msa-ner``. It labels each word by its *first*
  sub-token, as CAMeLBERT was trained; a sentence longer than the model's limit (512
  sub-tokens) is cut into overlapping windows of whole words, and each word keeps the
  prediction of the window where it is most central.

Mentions are cached on disk (:class:`helpers.models.OutputCache`, stage ``ner``).

>>> import pandas as pd
>>> sentences = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0],
...                           "end": [24], "text": ["وافق الرئيس رجب طيب أردوغان"]})
>>> mentions = run_ner(sentences)  # doctest: +SKIP
>>> mentions[["surface", "label"]].values.tolist()  # doctest: +SKIP
[['رجب طيب أردوغان', 'PERS']]
"""

from __future__ import annotations

import inspect
import itertools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .models import MAX_TOKENS, OutputCache, load_ner, load_transformers
from .schema import MENTIONS, SENTENCES
from .tokens import word_spans

ENTITY_TYPES = ("PERS", "LOC", "ORG", "MISC")
STRIDE = 128
#: Show a progress bar when a call tags more sentences than this (``progress=None``).
PROGRESS_MIN_SENTENCES = 200

_LABEL_ALIASES = {"PER": "PERS", "MIS": "MISC"}

BioTag = tuple[str, float]


class Tagger(Protocol):
    """What every NER model provides (the face of :class:`helpers.models.Model`).

    ``identity`` names the model exactly (it keys the cache and fills the ``model``
    column); ``labels()`` lists its BIO labels; ``predict`` takes sentences as lists of words
    (as produced by :func:`helpers.tokens.words`) and returns one ``(BIO label,
    probability)`` per word.
    """

    identity: str

    def labels(self) -> list[str]: ...

    def predict(self, batch: list[list[str]]) -> list[list[BioTag]]: ...


# --------------------------------------------------------------- transformers tagger


def _normalise_label(label: str) -> str:
    if label == "O" or "-" not in label:
        return "O"
    prefix, _, kind = label.partition("-")
    return f"{prefix.upper()}-{_LABEL_ALIASES.get(kind.upper(), kind.upper())}"


class TransformersTagger:
    """A ``transformers`` token-classification model (e.g. CAMeLBERT) as a word tagger.

    Each word is labelled by its first sub-token; sentences longer than ``max_tokens``
    sub-tokens are cut into overlapping windows of words (``stride`` sub-tokens of
    overlap) and each word takes the prediction of the window where it is most central.
    Segments are grouped by length and run in batches of equal length (no padding, so the
    output for a sentence does not depend on the other sentences of the call) under
    ``torch.inference_mode``.
    """

    def __init__(self, model: Any, tokenizer: Any, identity: str, *,
                 max_tokens: int = MAX_TOKENS, stride: int = STRIDE,
                 batch_size: int = 32) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.identity = identity
        limit = getattr(model.config, "max_position_embeddings", max_tokens) or max_tokens
        self.max_tokens = int(min(max_tokens, limit, tokenizer.model_max_length))
        if self.max_tokens < 8:
            raise ValueError(f"max_tokens={self.max_tokens} is too small for NER windows")
        self.stride = max(0, min(stride, (self.max_tokens - 2) // 2))
        self.batch_size = batch_size
        id2label = model.config.id2label
        self._labels = [_normalise_label(id2label[i]) for i in range(len(id2label))]

    def labels(self) -> list[str]:
        """The model's BIO labels in id order, types mapped to PERS/LOC/ORG/MISC."""
        return list(self._labels)

    def __repr__(self) -> str:
        return f"TransformersTagger({self.identity!r}, max_tokens={self.max_tokens})"

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, **kwargs: Any) -> TransformersTagger:
        """Load a hub id or a local folder through :func:`helpers.models.load_transformers`
        (hamza-safe tokenizer, 512 sub-tokens, safetensors only, never remote code); raises
        :class:`helpers.models.ModelUnavailable` with one line naming the fix."""
        loaded = load_transformers(name_or_path, "ner")
        return cls(loaded.model, loaded.tokenizer, loaded.identity, **kwargs)

    # -- tagging

    def _pieces(self, batch: list[list[str]]) -> list[list[list[int]]]:
        """Sub-token ids of every word (``is_split_into_words`` + ``word_ids``)."""
        out: list[list[list[int]]] = [[] for _ in batch]
        nonempty = [i for i, ws in enumerate(batch) if ws]
        if not nonempty:
            return out
        enc = self.tokenizer([batch[i] for i in nonempty], is_split_into_words=True,
                             add_special_tokens=False)
        budget = self.max_tokens - 2
        for row, i in enumerate(nonempty):
            pieces: list[list[int]] = [[] for _ in batch[i]]
            for tok_id, wid in zip(enc["input_ids"][row], enc.word_ids(row), strict=True):
                if wid is not None:
                    pieces[wid].append(tok_id)
            out[i] = [p[:budget] for p in pieces]
        return out

    def predict(self, batch: list[list[str]], *, batch_size: int | None = None,
                progress: bool | None = None) -> list[list[BioTag]]:
        """One ``(label, probability)`` per word of every sentence in ``batch``.

        ``progress=None`` shows a progress bar only for more than
        :data:`PROGRESS_MIN_SENTENCES` sentences; ``False`` never shows one. A word that the
        tokenizer maps to no sub-token at all is labelled ``("O", 1.0)``.
        """
        out = []
        for probs in self.predict_proba(batch, batch_size=batch_size, progress=progress):
            best = probs.argmax(axis=1) if len(probs) else []
            out.append([(self._labels[j], float(probs[i, j])) for i, j in enumerate(best)])
        return out

    def predict_proba(self, batch: list[list[str]], *, batch_size: int | None = None,
                      progress: bool | None = None) -> list[np.ndarray]:
        """The probability of every label (columns in :meth:`labels` order) at every word:
        one ``words x labels`` array per sentence, from the softmax at the word's first
        sub-token (in the window where the word is most central). A word without sub-tokens
        gets probability 1 for ``O``. Used by :meth:`predict` and by the bundled ensemble
        (:class:`helpers.ner_bundled.BundledTagger`)."""
        import torch

        batch_size = batch_size or self.batch_size
        pieces = self._pieces(batch)
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        # segments: (sentence, window start, window end, input ids, [(word, position)])
        segments = []
        for i, words_pieces in enumerate(pieces):
            lengths = [len(p) for p in words_pieces]
            for start, end in word_windows(lengths, self.max_tokens - 2, self.stride):
                ids, firsts = [cls_id], []
                for w in range(start, end):
                    if words_pieces[w]:
                        firsts.append((w, len(ids)))
                        ids.extend(words_pieces[w])
                ids.append(sep_id)
                segments.append((i, start, end, ids, firsts))
        # batches of segments of one length: no padding, so a sentence's probabilities are
        # the same whatever else is in the call (padding changes the last digits)
        order = sorted(range(len(segments)), key=lambda k: len(segments[k][3]))
        chunks = [same[b:b + batch_size] for _, group in
                  itertools.groupby(order, key=lambda k: len(segments[k][3]))
                  for same in [list(group)] for b in range(0, len(same), batch_size)]
        predictions: dict[int, np.ndarray] = {}
        show = progress if progress is not None else len(batch) > PROGRESS_MIN_SENTENCES
        steps: Any = chunks
        if show:
            from tqdm import tqdm

            steps = tqdm(chunks, desc="NER", unit="batch", file=sys.stderr)
        with torch.inference_mode():
            for chunk in steps:
                width = max(len(segments[k][3]) for k in chunk)
                ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for r, k in enumerate(chunk):
                    seq = segments[k][3]
                    ids[r, :len(seq)] = torch.tensor(seq, dtype=torch.long)
                    mask[r, :len(seq)] = 1
                logits = self.model(input_ids=ids, attention_mask=mask,
                                    token_type_ids=torch.zeros_like(ids)).logits
                probs = torch.softmax(logits.float(), dim=-1).numpy()
                for r, k in enumerate(chunk):
                    predictions[k] = probs[r, [pos for _, pos in segments[k][4]]]
        n_labels = len(self._labels)
        none = np.zeros(n_labels)
        none[self._labels.index("O") if "O" in self._labels else 0] = 1.0
        result = [np.tile(none, (len(ws), 1)) for ws in batch]
        centrality: list[list[int]] = [[-1] * len(ws) for ws in batch]
        for k, (i, start, end, _, firsts) in enumerate(segments):
            for (w, _), row in zip(firsts, predictions[k], strict=True):
                c = min(w - start, end - 1 - w)
                if c > centrality[i][w]:
                    centrality[i][w] = c
                    result[i][w] = row
        return result


def word_windows(lengths: Sequence[int], budget: int,
                 stride: int = STRIDE) -> list[tuple[int, int]]:
    """Cut a sentence into windows of whole words, each with at most ``budget`` sub-tokens;
    consecutive windows overlap by up to ``stride`` sub-tokens (``lengths`` = sub-tokens per
    word). A single word longer than ``budget`` gets a window of its own.

    >>> word_windows([2, 2, 2, 2, 2], budget=6, stride=2)
    [(0, 3), (2, 5)]
    """
    n = len(lengths)
    windows: list[tuple[int, int]] = []
    start = 0
    while n:
        end, total = start, 0
        while end < n and total + lengths[end] <= budget:
            total += lengths[end]
            end += 1
        end = max(end, start + 1)
        windows.append((start, end))
        if end >= n:
            break
        nxt, overlap = end, 0
        while nxt - 1 > start and overlap + lengths[nxt - 1] <= stride:
            nxt -= 1
            overlap += lengths[nxt]
        start = nxt
    return windows


def bio_spans(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """Entity spans ``(first word, end word, type)`` from BIO labels, repairing bad
    sequences: an ``I-X`` after ``O`` or after another type starts a new entity.

    >>> bio_spans(["B-PERS", "I-PERS", "O", "I-LOC", "B-ORG", "I-LOC"])
    [(0, 2, 'PERS'), (3, 4, 'LOC'), (4, 5, 'ORG'), (5, 6, 'LOC')]
    """
    spans: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for i, label in enumerate(labels):
        prefix, _, kind = label.partition("-")
        if label == "O" or not kind:
            current = None
            continue
        if prefix == "I" and current is not None and current[2] == kind:
            current[1] = i + 1
            spans[-1] = tuple(current)  # type: ignore[assignment]
            continue
        current = [i, i + 1, kind]
        spans.append(tuple(current))  # type: ignore[arg-type]
    return spans


# ------------------------------------------------------------------- mentions table


def _empty_mentions() -> pd.DataFrame:
    return MENTIONS.empty()


NER_CACHE = OutputCache("ner")


def _cache_rows(sentences: pd.DataFrame) -> list[list[Any]]:
    return [[str(aid), int(sid), int(s0), text] for aid, sid, s0, text in
            sentences[["article_id", "sent_id", "start", "text"]].itertuples(index=False)]


def ner_cache_path(sentences: pd.DataFrame, identity: str) -> Path:
    """Parquet file that caches the mentions of ``sentences`` under model ``identity``."""
    return NER_CACHE.path(NER_CACHE.key(identity, _cache_rows(sentences)))


def mentions_fit(mentions: pd.DataFrame, sentences: pd.DataFrame, identity: str) -> bool:
    """True when ``mentions`` can be the NER output of ``sentences`` by model ``identity``:
    the mentions columns, every row in one of the sentences, offsets inside it with
    ``text[start:end] == surface``, and ``model == identity``. Cache entries that fail this
    are recomputed.

    >>> s = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [10],
    ...                   "text": ["قال أردوغان"]})
    >>> m = pd.DataFrame([["a", 0, 14, 21, "أردوغان", "PERS", 0.9, "x@1"]],
    ...                  columns=MENTIONS.columns)
    >>> mentions_fit(m, s, "x@1"), mentions_fit(m.assign(start=13), s, "x@1")
    (True, False)
    """
    if list(mentions.columns) != MENTIONS.columns:
        return False
    bounds = {(str(aid), int(sid)): (int(s0), text) for aid, sid, s0, text in
              sentences[["article_id", "sent_id", "start", "text"]].itertuples(index=False)}
    for aid, sid, start, end, surface, label, score, model in mentions.itertuples(index=False):
        found = bounds.get((str(aid), int(sid)))
        if found is None or model != identity or not label:
            return False
        s0, text = found
        a, b = int(start) - s0, int(end) - s0
        if not (0 <= a < b <= len(text)) or text[a:b] != surface or not 0 <= score <= 1:
            return False
    return True


def run_ner(sentences: pd.DataFrame, profile: str | None = None, *, tagger: Tagger | None = None,
            cache: bool = True, batch_size: int = 32) -> pd.DataFrame:
    """Named entities of every sentence: the ``mentions`` table (:data:`helpers.schema.MENTIONS`).

    ``start``/``end`` are offsets into the article's ``text`` (sentence ``start`` + offset
    in the sentence), so ``text[start:end] == surface``; entities are whole words; ``score``
    is the mean of the words' label probabilities; ``model`` is the tagger's identity.
    Results are cached in ``<cache>/ner/`` keyed by the sentence texts, the model identity
    and the helpers version (:class:`helpers.models.OutputCache`: a corrupt or foreign entry
    is recomputed, an unwritable cache is bypassed with a warning); ``cache=False``
    recomputes and writes nothing.

    >>> mentions = run_ner(sentences, profile="bundled")  # doctest: +SKIP
    >>> mentions.loc[0, ["surface", "label"]].tolist()  # doctest: +SKIP
    ['ليبيا', 'LOC']
    """
    missing = [c for c in ("article_id", "sent_id", "start", "text") if c not in sentences]
    if missing:
        raise ValueError(f"the sentences table lacks column(s) {missing}: build it with "
                         "helpers.sentences.split_sentences(articles)")
    SENTENCES.validate(sentences, ["article_id", "sent_id", "start", "text"])
    tagger = tagger if tagger is not None else load_ner(profile)
    if sentences.empty:
        return _empty_mentions()

    def compute() -> pd.DataFrame:
        return _tag(sentences, tagger, batch_size)

    if not cache:
        return compute()
    identity = tagger.identity
    key = NER_CACHE.key(identity, _cache_rows(sentences))
    return NER_CACHE.fetch(key, compute, MENTIONS.columns,
                           check=lambda m: mentions_fit(m, sentences, identity), identity=identity)


def _tag(sentences: pd.DataFrame, tagger: Tagger, batch_size: int) -> pd.DataFrame:
    spans = [word_spans(text) for text in sentences["text"]]
    batch = [[text[a:b] for a, b in sp] for text, sp in zip(sentences["text"], spans, strict=True)]
    kwargs: dict[str, Any] = {}
    if "batch_size" in inspect.signature(tagger.predict).parameters:
        kwargs["batch_size"] = batch_size
    tags = tagger.predict(batch, **kwargs)
    rows = []
    for (aid, sid, s0, text), sp, sent_tags in zip(
            sentences[["article_id", "sent_id", "start", "text"]].itertuples(index=False),
            spans, tags, strict=True):
        for w0, w1, kind in bio_spans([label for label, _ in sent_tags]):
            a, b = sp[w0][0], sp[w1 - 1][1]
            score = sum(p for _, p in sent_tags[w0:w1]) / (w1 - w0)
            rows.append((str(aid), int(sid), int(s0) + a, int(s0) + b, text[a:b], kind,
                         float(score), tagger.identity))
    mentions = pd.DataFrame(rows, columns=MENTIONS.columns) if rows else _empty_mentions()
    return mentions.astype({"article_id": "str", "sent_id": "int64", "start": "int64",
                            "end": "int64", "surface": "str", "label": "str",
                            "score": "float64", "model": "str"})
