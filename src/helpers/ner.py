"""Named-entity recognition behind one interface: the ``sentences`` table in, the
``mentions`` table out (see :data:`helpers.schema.MENTIONS`).

Two model profiles implement the same tagger interface (``identity`` and
``tag_words``), chosen by an argument or by the environment variable
``ARABIC_NEWS_MODELS`` for the whole collection:

``bundled`` (default)
    the offline model shipped in ``data/models/ner-bundled/``
    (:class:`helpers.ner_bundled.BundledTagger`).
``camelbert``
    ``CAMeL-Lab/bert-base-arabic-camelbert-msa-ner`` through ``transformers``, from the
    Hugging Face hub or its local cache; ``ARABIC_NEWS_NER_MODEL`` names another hub id or
    a local model folder.
``auto``
    ``camelbert`` when it can be loaded, otherwise ``bundled`` (and a printed note says so).

The transformers path labels each word by its *first* sub-token, as CAMeLBERT was trained;
a sentence longer than the model's limit (512 sub-tokens) is cut into overlapping windows of
whole words, and each word keeps the prediction of the window where it is most central.

>>> import pandas as pd
>>> sentences = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0],
...                           "end": [24], "text": ["وافق الرئيس رجب طيب أردوغان"]})
>>> mentions = run_ner(sentences)  # doctest: +SKIP
>>> mentions[["surface", "label"]].values.tolist()  # doctest: +SKIP
[['رجب طيب أردوغان', 'PERS']]
"""

from __future__ import annotations

import functools
import hashlib
import html
import inspect
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from . import __version__
from .paths import cache_dir
from .schema import MENTIONS
from .tokens import word_spans

PROFILES = ("bundled", "camelbert", "auto")
DEFAULT_PROFILE = "bundled"
PROFILE_ENV = "ARABIC_NEWS_MODELS"
MODEL_ENV = "ARABIC_NEWS_NER_MODEL"
CAMELBERT_NER = "CAMeL-Lab/bert-base-arabic-camelbert-msa-ner"
#: Entity micro-F1 of CAMeLBERT-MSA on the ANERcorp CAMeL Lab test split (Inoue et al., 2021).
CAMELBERT_PUBLISHED_F1 = 82.4
ENTITY_TYPES = ("PERS", "LOC", "ORG", "MISC")
MAX_TOKENS = 512
STRIDE = 128
#: Show a progress bar when a call tags more sentences than this (``progress=None``).
PROGRESS_MIN_SENTENCES = 200

_LABEL_ALIASES = {"PER": "PERS", "MIS": "MISC"}

BioTag = tuple[str, float]


class Tagger(Protocol):
    """What every NER profile provides.

    ``identity`` names the model exactly (it keys the cache and fills the ``model``
    column); ``tag_words`` takes sentences as lists of words (as produced by
    :func:`helpers.tokens.words`) and returns one ``(BIO label, probability)`` per word.
    """

    identity: str

    def tag_words(self, batch: list[list[str]]) -> list[list[BioTag]]: ...


class NERModelUnavailable(RuntimeError):
    """The requested model cannot be loaded here (not cached and the hub not reachable)."""


# --------------------------------------------------------------------------- profiles


def resolve_profile(profile: str | None = None) -> str:
    """The profile to use: ``profile`` if given, else ``$ARABIC_NEWS_MODELS``, else ``bundled``.

    >>> resolve_profile("CamelBERT")
    'camelbert'
    """
    value = profile if profile is not None else os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
    value = value.strip().lower()
    if value not in PROFILES:
        raise ValueError(
            f"unknown NER profile {value!r}: choose one of {', '.join(PROFILES)} "
            f"(argument `profile` or environment variable {PROFILE_ENV})"
        )
    return value


def load_ner(profile: str | None = None) -> Tagger:
    """Load (once per process) the NER tagger of a profile.

    ``profile`` is ``"bundled"``, ``"camelbert"`` or ``"auto"``; ``None`` reads
    ``$ARABIC_NEWS_MODELS`` (default ``bundled``). For ``camelbert`` the model is
    ``$ARABIC_NEWS_NER_MODEL`` when set (a hub id or a local folder), else
    ``CAMeL-Lab/bert-base-arabic-camelbert-msa-ner``; a model folder or hub id given as
    ``profile`` is loaded through the transformers path directly. Raises :class:`NERModelUnavailable`
    when CAMeLBERT is neither cached nor downloadable; ``auto`` then falls back to the
    bundled model and prints a note.

    >>> tagger = load_ner("bundled")  # doctest: +SKIP
    >>> tagger.tag_words([["قال", "أردوغان"]])  # doctest: +SKIP
    [[('O', 0.99), ('B-PERS', 0.93)]]
    """
    if profile is not None and _looks_like_model(profile):
        return _load_cached("camelbert", profile)
    profile = resolve_profile(profile)
    model = os.environ.get(MODEL_ENV) or CAMELBERT_NER
    return _load_cached(profile, model if profile != "bundled" else "")


def _looks_like_model(name: str) -> bool:
    """A folder path or a hub id (``owner/name``) rather than a profile name."""
    return name.strip().lower() not in PROFILES and (
        _is_local(name) or "/" in name or "\\" in name)


def clear_loaded() -> None:
    """Forget the taggers loaded by :func:`load_ner` (e.g. after changing the environment)."""
    _load_cached.cache_clear()


@functools.lru_cache(maxsize=8)
def _load_cached(profile: str, model: str) -> Tagger:
    if profile == "bundled":
        return _load_bundled()
    if profile == "camelbert":
        return TransformersTagger.from_pretrained(model)
    try:
        return TransformersTagger.from_pretrained(model)
    except NERModelUnavailable:
        tagger = _load_cached("bundled", "")
        print(f"NER profile 'auto': {model} is not in the local Hugging Face cache and the hub "
              f"is not reachable; using the bundled model ({tagger.identity}) instead.")
        return tagger


def _load_bundled() -> Tagger:
    try:
        from .ner_bundled import BundledTagger
    except ImportError as err:  # pragma: no cover - the module ships with the package
        raise NERModelUnavailable(
            f"the bundled NER model code could not be imported ({err}); reinstall the helpers "
            "package with `make install`"
        ) from None
    return BundledTagger.load()


# --------------------------------------------------------------- transformers tagger


def _is_local(name_or_path: str | Path) -> bool:
    return Path(name_or_path).expanduser().is_dir()


def _folder_fingerprint(folder: Path, sample_above: int = 64 << 20) -> str:
    """Short content hash of a model folder's config, tokenizer and weight files.

    Weight files larger than ``sample_above`` bytes (BERT-base: 440 MB) are hashed by their
    size and 32 blocks of 64 KiB spread over the file, which any retraining changes, so that
    loading stays fast.
    """
    digest = hashlib.sha256()
    names = ["config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json"]
    files = [folder / n for n in names if (folder / n).is_file()]
    files += sorted(p for ext in ("*.safetensors", "*.bin") for p in folder.glob(ext))
    for path in files:
        size = path.stat().st_size
        digest.update(f"{path.name}:{size}".encode())
        with path.open("rb") as fh:
            if size <= sample_above:
                digest.update(fh.read())
                continue
            block = min(64 << 10, size)
            for k in range(32):
                fh.seek(k * (size - block) // 31)
                digest.update(fh.read(block))
    return digest.hexdigest()[:12]


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
    Segments are sorted by length and run in batches under ``torch.inference_mode``.
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
        self.labels = [_normalise_label(id2label[i]) for i in range(len(id2label))]

    def __repr__(self) -> str:
        return f"TransformersTagger({self.identity!r}, max_tokens={self.max_tokens})"

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, **kwargs: Any) -> TransformersTagger:
        """Load a hub id or a local folder (tokenizer with ``do_lower_case=False`` and
        ``model_max_length=512``; safetensors where available; never remote code).

        Tries the local cache first; raises :class:`NERModelUnavailable` with one line
        when the model is not cached and cannot be downloaded.
        """
        transformers = _import_transformers()
        AutoTokenizer = transformers.AutoTokenizer  # noqa: N806
        AutoModelForTokenClassification = transformers.AutoModelForTokenClassification  # noqa: N806

        name = str(name_or_path)
        local = _is_local(name)
        if local:
            name = str(Path(name).expanduser())
            has_st = any(Path(name).glob("*.safetensors"))
        elif name.startswith((".", "~", "/", "\\")) or name.count("/") > 1 or "\\" in name:
            raise FileNotFoundError(
                f"NER model folder '{name}' does not exist: check the path (e.g. in "
                f"{MODEL_ENV}) or give a hub id such as '{CAMELBERT_NER}'")
        else:
            has_st = False

        def _load(local_only: bool) -> tuple[Any, Any]:
            tok = AutoTokenizer.from_pretrained(
                name, do_lower_case=False, model_max_length=MAX_TOKENS,
                local_files_only=local_only, trust_remote_code=False)
            mod = AutoModelForTokenClassification.from_pretrained(
                name, use_safetensors=True if has_st else None,
                local_files_only=local_only, trust_remote_code=False)
            return tok, mod

        if local:
            tokenizer, model = _load(True)
            identity = f"{Path(name).name}@{_folder_fingerprint(Path(name))}"
        else:
            try:
                tokenizer, model = _load(True)
            except OSError:
                if _hub_offline():
                    raise NERModelUnavailable(
                        f"NER model '{name}' is not in the local Hugging Face cache and the hub "
                        "is not reachable (HF_HUB_OFFLINE is set): use profile 'bundled' "
                        "(ARABIC_NEWS_MODELS=bundled) or download the model once with network "
                        "access first") from None
                try:
                    tokenizer, model = _load(False)
                except OSError as err:
                    reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
                    raise NERModelUnavailable(
                        f"NER model '{name}' is not in the local Hugging Face cache and could not "
                        f"be downloaded ({reason}): use profile 'bundled' "
                        "(ARABIC_NEWS_MODELS=bundled) or download the model once with network "
                        "access first") from None
            commit = getattr(model.config, "_commit_hash", None)
            identity = f"{name}@{commit[:7]}" if commit else name
        return cls(model, tokenizer, identity, **kwargs)

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

    def tag_words(self, batch: list[list[str]], *, batch_size: int | None = None,
                  progress: bool | None = None) -> list[list[BioTag]]:
        """One ``(label, probability)`` per word of every sentence in ``batch``.

        ``progress=None`` shows a progress bar only for more than
        :data:`PROGRESS_MIN_SENTENCES` sentences; ``False`` never shows one. A word that the
        tokenizer maps to no sub-token at all is labelled ``("O", 1.0)``.
        """
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
        order = sorted(range(len(segments)), key=lambda k: len(segments[k][3]))
        predictions: dict[int, list[tuple[int, float]]] = {}
        show = progress if progress is not None else len(batch) > PROGRESS_MIN_SENTENCES
        steps = range(0, len(order), batch_size)
        if show:
            from tqdm import tqdm

            steps = tqdm(steps, desc="NER", unit="batch", file=sys.stderr)
        with torch.inference_mode():
            for b in steps:
                chunk = order[b:b + batch_size]
                width = max(len(segments[k][3]) for k in chunk)
                ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for r, k in enumerate(chunk):
                    seq = segments[k][3]
                    ids[r, :len(seq)] = torch.tensor(seq, dtype=torch.long)
                    mask[r, :len(seq)] = 1
                logits = self.model(input_ids=ids, attention_mask=mask,
                                    token_type_ids=torch.zeros_like(ids)).logits
                probs = torch.softmax(logits.float(), dim=-1)
                best_p, best_i = probs.max(dim=-1)
                for r, k in enumerate(chunk):
                    positions = [pos for _, pos in segments[k][4]]
                    predictions[k] = list(zip(best_i[r, positions].tolist(),
                                              best_p[r, positions].tolist(), strict=True))
        result: list[list[BioTag]] = [[("O", 1.0)] * len(ws) for ws in batch]
        centrality: list[list[int]] = [[-1] * len(ws) for ws in batch]
        for k, (i, start, end, _, firsts) in enumerate(segments):
            for (w, _), (label_id, prob) in zip(firsts, predictions[k], strict=True):
                c = min(w - start, end - 1 - w)
                if c > centrality[i][w]:
                    centrality[i][w] = c
                    result[i][w] = (self.labels[label_id], float(prob))
        return result


def _import_transformers() -> Any:
    """``import transformers`` without tqdm's "IProgress not found" warning in Jupyter."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        import transformers
    return transformers


def _hub_offline() -> bool:
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except ImportError:  # pragma: no cover
        return os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes", "on"}


def word_windows(lengths: Sequence[int], budget: int, stride: int = STRIDE) -> list[tuple[int, int]]:
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
    return pd.DataFrame({
        "article_id": pd.Series([], dtype="str"), "sent_id": pd.Series([], dtype="int64"),
        "start": pd.Series([], dtype="int64"), "end": pd.Series([], dtype="int64"),
        "surface": pd.Series([], dtype="str"), "label": pd.Series([], dtype="str"),
        "score": pd.Series([], dtype="float64"), "model": pd.Series([], dtype="str"),
    })[MENTIONS]


def _cache_key(sentences: pd.DataFrame, identity: str) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(["helpers", __version__, "ner", identity]).encode())
    for row in sentences[["article_id", "sent_id", "start", "text"]].itertuples(index=False):
        digest.update(json.dumps([str(row[0]), int(row[1]), int(row[2]), row[3]],
                                 ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()[:32]


def ner_cache_path(sentences: pd.DataFrame, identity: str) -> Path:
    """Parquet file that caches the mentions of ``sentences`` under model ``identity``."""
    return cache_dir() / "ner" / f"{_cache_key(sentences, identity)}.parquet"


def run_ner(sentences: pd.DataFrame, profile: str | None = None, *, tagger: Tagger | None = None,
            cache: bool = True, batch_size: int = 32) -> pd.DataFrame:
    """Named entities of every sentence: the ``mentions`` table (:data:`helpers.schema.MENTIONS`).

    ``start``/``end`` are offsets into the article's ``text`` (sentence ``start`` + offset
    in the sentence), so ``text[start:end] == surface``; entities are whole words; ``score``
    is the mean of the words' label probabilities; ``model`` is the tagger's identity.
    Results are cached in ``.cache/ner/`` keyed by the sentence texts, the model identity
    and the helpers version (``cache=False`` recomputes and writes nothing).

    >>> mentions = run_ner(sentences, profile="bundled")  # doctest: +SKIP
    >>> mentions.loc[0, ["surface", "label"]].tolist()  # doctest: +SKIP
    ['ليبيا', 'LOC']
    """
    missing = [c for c in ("article_id", "sent_id", "start", "text") if c not in sentences]
    if missing:
        raise ValueError(f"the sentences table lacks column(s) {missing}: build it with "
                         "helpers.sentences.split_sentences(articles)")
    tagger = tagger if tagger is not None else load_ner(profile)
    if sentences.empty:
        return _empty_mentions()
    path = ner_cache_path(sentences, tagger.identity) if cache else None
    if path is not None and path.is_file():
        return pd.read_parquet(path)
    spans = [word_spans(text) for text in sentences["text"]]
    batch = [[text[a:b] for a, b in sp] for text, sp in zip(sentences["text"], spans, strict=True)]
    kwargs: dict[str, Any] = {}
    if "batch_size" in inspect.signature(tagger.tag_words).parameters:
        kwargs["batch_size"] = batch_size
    tags = tagger.tag_words(batch, **kwargs)
    rows = []
    for (aid, sid, s0, text), sp, sent_tags in zip(
            sentences[["article_id", "sent_id", "start", "text"]].itertuples(index=False),
            spans, tags, strict=True):
        for w0, w1, kind in bio_spans([label for label, _ in sent_tags]):
            a, b = sp[w0][0], sp[w1 - 1][1]
            score = sum(p for _, p in sent_tags[w0:w1]) / (w1 - w0)
            rows.append((str(aid), int(sid), int(s0) + a, int(s0) + b, text[a:b], kind,
                         float(score), tagger.identity))
    mentions = pd.DataFrame(rows, columns=MENTIONS) if rows else _empty_mentions()
    mentions = mentions.astype({"article_id": "str", "sent_id": "int64", "start": "int64",
                                "end": "int64", "surface": "str", "label": "str",
                                "score": "float64", "model": "str"})
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        mentions.to_parquet(tmp, index=False)
        tmp.replace(path)
        mentions = pd.read_parquet(path)  # the same frame a cache hit returns
    return mentions


# ------------------------------------------------------------------ for the notebooks


def highlight_html(text: str, mentions: pd.DataFrame, *, legend: bool = True) -> str:
    """Right-to-left HTML of ``text`` with the entity spans of ``mentions`` (offsets into
    ``text``) coloured by type (hover: type and score, when there is one); the text is
    escaped. Overlapping spans keep the first.

    >>> highlight_html("وصل أردوغان", pd.DataFrame({"start": [4], "end": [11],
    ...     "label": ["PERS"], "score": [0.9]}), legend=False)  # doctest: +ELLIPSIS
    '<div dir="rtl" lang="ar" ...>وصل <mark ...>أردوغان<sub ...>PERS</sub></mark></div>'
    """
    from .plotting import ENTITY_COLORS

    parts: list[str] = []
    pos = 0
    ordered = mentions.sort_values(["start", "end"]) if len(mentions) else mentions
    for row in ordered.itertuples(index=False):
        start, end = int(row.start), int(row.end)
        if start < pos or end > len(text) or end <= start:
            continue
        label = "" if pd.isna(row.label) else str(row.label)
        color = ENTITY_COLORS.get(label, "#7F7F7F")
        score = pd.to_numeric(getattr(row, "score", None), errors="coerce")
        title = html.escape(label) + ("" if pd.isna(score) else f" {float(score):.2f}")
        parts.append(html.escape(text[pos:start]))
        parts.append(
            f'<mark title="{title}" style="background:{color}33;'
            f'border-bottom:2px solid {color};padding:0 2px;border-radius:3px">'
            f"{html.escape(text[start:end])}"
            + (f'<sub style="color:{color};font-size:65%;font-weight:bold">'
               f"{html.escape(label)}</sub>" if label else "")
            + "</mark>")
        pos = end
    parts.append(html.escape(text[pos:]))
    body = "".join(parts)
    style = 'style="direction:rtl;text-align:right;white-space:pre-wrap;line-height:1.9;font-size:110%"'
    out = f'<div dir="rtl" lang="ar" {style}>{body}</div>'
    if legend:
        keys = " ".join(
            f'<span style="background:{c}33;border-bottom:2px solid {c};padding:0 4px">{k}</span>'
            for k, c in ENTITY_COLORS.items())
        out = f'<div style="margin-bottom:6px">{keys}</div>' + out
    return out


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
    return _import_transformers().BertTokenizer(vocab={piece: i for i, piece in enumerate(vocab)},
                         do_lower_case=lowercase, model_max_length=MAX_TOKENS)


def f1_comparison(model_dir: str | Path | None = None) -> pd.DataFrame:
    """Entity F1 (%) on the ANERcorp CAMeL Lab test split: the bundled model as measured when
    it was trained (``scores.json`` in its folder, written by ``scripts/train_ner.py``) next
    to CAMeLBERT-MSA's published 82.4 (per-type F1 not published: NaN).

    >>> f1_comparison().loc[1, ["model", "micro F1"]].tolist()  # doctest: +SKIP
    ['CAMeLBERT-MSA (published)', 82.4]
    """
    from .paths import MODELS_DIR

    folder = Path(model_dir) if model_dir is not None else MODELS_DIR / "ner-bundled"
    nan = float("nan")
    bundled: dict[str, Any] = {"model": "bundled (measured)", "micro F1": nan,
                               **{f"{t} F1": nan for t in ENTITY_TYPES}}
    path = folder / "scores.json"
    if path.is_file():
        scores = json.loads(path.read_text(encoding="utf-8"))
        test = scores["test"]
        bundled["micro F1"] = 100 * test["micro"]["f1"]
        for t in ENTITY_TYPES:
            if t in test["types"]:
                bundled[f"{t} F1"] = 100 * test["types"][t]["f1"]
        bundled["source"] = f"{folder.name}/scores.json ({scores.get('identity', '?')})"
    else:
        bundled["source"] = f"{folder.name}/scores.json missing: run `make train-ner`"
    camel = {"model": "CAMeLBERT-MSA (published)", "micro F1": CAMELBERT_PUBLISHED_F1,
             **{f"{t} F1": nan for t in ENTITY_TYPES},
             "source": "Inoue et al. 2021 (WANLP), CAMeLBERT model card"}
    return pd.DataFrame([bundled, camel])


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
