"""Targeted sentiment toward actors: one score in [-1, 1] per actor mention, with its evidence.

Two methods behind one interface, :func:`score_mentions`:

``bundled`` (default, offline, explainable)
    The project's polarity lexicon (``data/lexicon/polarity_ar.csv``) is matched inside the
    *context* of each mention: the clause that contains it (or the whole sentence with
    ``window="sentence"``). Every lexicon hit contributes
    ``polarity × distance weight × negation × intensifier``; the sum is squashed with
    ``tanh`` into [-1, 1]. The ``evidence`` column lists every contributing word with its
    weight, e.g. ``مرتزقة:-1.00×0.71``. Words that belong to the target's own span (and to any
    other named mention) are never evidence: a name is not an opinion.
``camelbert``
    A CAMeLBERT sentiment classifier (``CAMeL-Lab/bert-base-arabic-camelbert-msa-sentiment``,
    or ``ARABIC_NEWS_SENTIMENT_MODEL``, or a local folder) run on the marked context through a
    transformers ``text-classification`` pipeline; score = P(positive) - P(negative), label =
    the most probable class, evidence = the three probabilities.
``auto``
    camelbert when the model can be loaded, otherwise bundled, with a printed note.

Matching (bundled)
    Text and lexicon are compared on :func:`helpers.clean.match_key`. A text word also
    matches after removing proclitics (و ف ب ك ل س, the article ال and لل: ``والاستقرار`` ->
    ``استقرار``) and, with ``stem=True``, common suffixes (ات ين ون ان وا ها هم ...:
    ``انتهاكاتها`` -> ``انتهاكات``); the candidate with the fewest letters removed wins.
    Multi-word entries (``وقف إطلاق النار``) are matched first, longest first, so that the
    positive phrase is not also counted as the negative ``إطلاق النار``.

Clauses
    A sentence is cut at the punctuation marks ``، ؛ ; : , . ! ? ؟`` and before the
    connectives listed in ``data/lexicon/clause_markers.txt`` (في حين، بينما، فيما، كما،
    لكن، غير أن، إلا أن، علما، حيث، مضيفا ...). Relative clauses (التي، الذي) are kept, since
    they usually describe the target.

Negation and intensifiers
    A negator (``data/lexicon/negators.csv``: لا، لم، لن، ليس، غير، عدم، دون ...) up to
    ``negation_window`` words before a hit multiplies it by ``negation_factor`` (-0.5: the
    polarity flips and is halved, since "did not attack" is weaker praise than "made peace").
    Fixed phrases that start with a negator but do not negate (لا سيما، غير أن، لا يزال) are
    listed in the same file as ``exception``. An intensifier (``intensifiers.csv``: جدا،
    بشدة، كامل ...) up to ``intensifier_window`` words from a hit multiplies its nearest hit
    by its factor (down-toners such as نسبيا have factors below 1).

Distance and labels
    A hit ``d`` words from the nearest target word weighs ``1 / (1 + distance_decay·(d-1))``.
    Labels: ``score >= threshold`` positive, ``score <= -threshold`` negative, otherwise
    neutral (``threshold`` = 0.3 by default). These settings were chosen on the development
    half of the evaluation items (see ``data/eval/README.md``).
"""

from __future__ import annotations

import math
import os
import re
import warnings
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .clean import match_key
from .paths import DATA_DIR
from .schema import ACTOR_SENTIMENT
from .tokens import word_spans

if TYPE_CHECKING:
    from matplotlib.axes import Axes

LEXICON_DIR = DATA_DIR / "lexicon"
DEFAULT_SENTIMENT_MODEL = "CAMeL-Lab/bert-base-arabic-camelbert-msa-sentiment"
BUNDLED_METHOD = "bundled-lexicon"
LABELS = ("positive", "negative", "neutral")
MARK_OPEN, MARK_CLOSE = "«[", "]»"

PROCLITIC_CONJ = ("و", "ف")
SUFFIXES = (
    "اتها", "اتهم", "هما", "كما", "ات", "ين", "ون", "ان", "وا", "ها", "هم", "هن", "كم",
    "نا", "تا", "ا", "ه", "ي", "ت",
)
CLAUSE_PUNCT = set("،؛;:,.!?؟")
_WORD_RE = re.compile(r"\w", re.UNICODE)


# --------------------------------------------------------------------------- lexicon


@dataclass(frozen=True)
class LexEntry:
    """One lexicon entry: the term as written, its key tokens and its polarity weight."""

    term: str
    key: tuple[str, ...]
    polarity: float


@dataclass(frozen=True)
class Lexicon:
    """The polarity lexicon plus the negator, exception and intensifier lists, keyed for matching."""

    entries: dict[tuple[str, ...], LexEntry]
    negators: frozenset[str]
    exceptions: dict[tuple[str, ...], str]
    intensifiers: dict[str, float]
    clause_markers: tuple[tuple[str, ...], ...]
    by_first: dict[str, tuple[LexEntry, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, list[LexEntry]] = {}
        for key, entry in self.entries.items():
            if len(key) > 1:
                index.setdefault(key[0], []).append(entry)
        object.__setattr__(self, "by_first", {k: tuple(v) for k, v in index.items()})

    def __len__(self) -> int:
        return len(self.entries)


def strip_article(key: str) -> str:
    """Drop a leading article ``ال`` from a match key when at least two letters remain.

    >>> strip_article("النار")
    'نار'
    """
    return key[2:] if key.startswith("ال") and len(key) >= 4 else key


def lexicon_key(term: str) -> tuple[str, ...]:
    """Key of a lexicon term: its match-key tokens, each without a leading article ``ال``.

    >>> lexicon_key("وقف إطلاق النار")
    ('وقف', 'اطلاق', 'نار')
    """
    return tuple(strip_article(t) for t in match_key(term).split())


def proclitic_candidates(key: str) -> list[tuple[str, int]]:
    """Forms of a match-key word with proclitics removed, with the number of letters removed.

    Uses the project's shared :func:`helpers.clean.strip_clitics` (conjunctions و/ف, one of
    ب ل ك, the article ال, and لل = ل + ال; a stem keeps at least two letters), plus the
    future prefix س before an imperfect verb (سيهاجم -> يهاجم).

    >>> [k for k, _ in proclitic_candidates("والاستقرار")][-1]
    'استقرار'
    """
    from .clean import strip_clitics

    forms = strip_clitics(key, verbs=True)
    out: dict[str, int] = {}
    for form in forms:
        cost = len(key) - len(form)
        out[form] = min(out.get(form, cost), cost)
    return sorted(out.items(), key=lambda kv: (kv[1], -len(kv[0])))


def suffix_candidates(key: str, *, rounds: int = 2, min_stem: int = 2) -> list[tuple[str, int]]:
    """Forms of a word with up to ``rounds`` common suffixes removed, with letters removed.

    >>> forms = dict(suffix_candidates("انتهاكاتها"))
    >>> forms["انتهاكات"], forms["انتهاك"]
    (2, 4)
    """
    out: dict[str, int] = {key: 0}
    frontier = [key]
    for _ in range(rounds):
        nxt = []
        for form in frontier:
            for suf in SUFFIXES:
                if form.endswith(suf) and len(form) - len(suf) >= min_stem:
                    stem = form[: -len(suf)]
                    cost = len(key) - len(stem)
                    if stem not in out or cost < out[stem]:
                        out[stem] = cost
                        nxt.append(stem)
        frontier = nxt
    return sorted(out.items(), key=lambda kv: (kv[1], -len(kv[0])))


@lru_cache(maxsize=100_000)
def candidate_keys(word: str, *, stem: bool = True) -> tuple[tuple[str, int], ...]:
    """Every key a text word may match in the lexicon, cheapest (least stripped) first.

    >>> [k for k, _ in candidate_keys("والاستقرار")][:3]
    ['والاستقرار', 'الاستقرار', 'استقرار']
    """
    out: dict[str, int] = {}
    for form, cost in proclitic_candidates(match_key(word)):
        subs = suffix_candidates(form) if stem else [(form, 0)]
        for sub, scost in subs:
            total = cost + scost
            if sub not in out or total < out[sub]:
                out[sub] = total
    return tuple(sorted(out.items(), key=lambda kv: (kv[1], -len(kv[0]))))


def _read_terms(path: Path, required: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(
            f"Lexicon file {path.name} not found in {path.parent}: restore it from the "
            "repository or pass the folder of your own lexicon files."
        )
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {missing}; expected at least {list(required)}.")
    return table


def validate_lexicon(table: pd.DataFrame) -> pd.DataFrame:
    """Check a polarity table (columns ``term``, ``polarity``) and return it with ``key``.

    Raises ``ValueError`` naming the offending rows when a polarity is not a number in
    [-1, 1], a term is empty, or two terms share a lexicon key (e.g. ``حرب`` and ``الحرب``).
    """
    table = table.copy()
    pol = pd.to_numeric(table["polarity"], errors="coerce")
    bad = table[pol.isna() | (pol < -1) | (pol > 1)]
    if len(bad):
        raise ValueError(
            "polarity must be a number in [-1, 1]; fix row(s) "
            + ", ".join(f"{i + 2}: {t!r}" for i, t in zip(bad.index, bad["term"], strict=True))
        )
    table["polarity"] = pol.astype(float)
    table["term"] = table["term"].str.strip()
    if (table["term"] == "").any():
        raise ValueError("empty term in the lexicon; delete or fill the row(s) "
                         f"{[i + 2 for i in table.index[table['term'] == '']]}")
    table["key"] = table["term"].map(lexicon_key)
    dup = table[table["key"].duplicated(keep=False)]
    if len(dup):
        groups = dup.groupby(dup["key"].map(" ".join))["term"].apply(list).tolist()
        raise ValueError(f"terms with the same match key (keep one of each): {groups}")
    return table


def read_lexicon_table(folder: str | Path | None = None) -> pd.DataFrame:
    """The polarity lexicon as a validated DataFrame (term, polarity, pos, domain, gloss_en,
    note, key)."""
    folder = Path(folder) if folder else LEXICON_DIR
    return validate_lexicon(_read_terms(folder / "polarity_ar.csv", ["term", "polarity"]))


@lru_cache(maxsize=4)
def load_lexicon(folder: str | None = None) -> Lexicon:
    """Load and key the lexicon files of ``folder`` (default ``data/lexicon``).

    Files: ``polarity_ar.csv`` (term, polarity, ...), ``negators.csv`` (term, kind =
    negator | exception), ``intensifiers.csv`` (term, factor), ``clause_markers.txt`` (one
    connective per line). Cached per folder.
    """
    path = Path(folder) if folder else LEXICON_DIR
    table = read_lexicon_table(path)
    entries = {
        k: LexEntry(t, k, p) for t, k, p in zip(table["term"], table["key"], table["polarity"], strict=True)
    }
    neg = _read_terms(path / "negators.csv", ["term", "kind"])
    negators = frozenset(match_key(t) for t in neg.loc[neg["kind"] == "negator", "term"])
    exceptions = {
        tuple(match_key(t).split()): t for t in neg.loc[neg["kind"] == "exception", "term"]
    }
    ints = _read_terms(path / "intensifiers.csv", ["term", "factor"])
    intensifiers = {match_key(t): float(f) for t, f in zip(ints["term"], ints["factor"], strict=True)}
    markers_path = path / "clause_markers.txt"
    markers: list[tuple[str, ...]] = []
    if markers_path.is_file():
        for line in markers_path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                markers.append(tuple(match_key(line).split()))
    return Lexicon(entries, negators, exceptions, intensifiers, tuple(markers))


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class BundledSettings:
    """Parameters of the bundled lexicon method (see the module docstring).

    The defaults were chosen on the development half of ``data/eval/sentiment.csv``
    (even ids) only.
    """

    negation_window: int = 3
    negation_factor: float = -0.5
    intensifier_window: int = 3
    distance_decay: float = 0.5
    threshold: float = 0.3
    stem: bool = True
    exclude_mentions: bool = True


def label_for(score: float, threshold: float = 0.3) -> str:
    """Label of a score: positive at or above ``threshold``, negative at or below
    ``-threshold``, neutral in between.

    >>> label_for(0.5), label_for(-0.3), label_for(0.1)
    ('positive', 'negative', 'neutral')
    """
    if score >= threshold:
        return "positive"
    if score <= -threshold:
        return "negative"
    return "neutral"


# --------------------------------------------------------------------------- clauses


def _is_word(tok: str) -> bool:
    return bool(_WORD_RE.match(tok))


def split_clauses(text: str, lexicon: Lexicon | None = None) -> list[tuple[int, int]]:
    """Character spans of the clauses of a sentence (see the module docstring for the cuts).

    >>> s = "تدعم باريس حفتر، في حين تعارض أنقرة ذلك"
    >>> [s[a:b] for a, b in split_clauses(s)]
    ['تدعم باريس حفتر', 'في حين تعارض أنقرة ذلك']
    """
    lexicon = lexicon or load_lexicon()
    spans = word_spans(text)
    keys = [match_key(text[a:b]) for a, b in spans]
    cuts: list[int] = []  # token indices where a new clause starts
    skip: set[int] = set()  # punctuation token indices
    for i, key in enumerate(keys):
        tok = text[spans[i][0]:spans[i][1]]
        if tok in CLAUSE_PUNCT:
            skip.add(i)
            cuts.append(i + 1)
            continue
        for marker in lexicon.clause_markers:
            if tuple(keys[i:i + len(marker)]) == marker or (
                key.startswith("و") and (key[1:],) + tuple(keys[i + 1:i + len(marker)]) == marker
            ):
                cuts.append(i)
                break
    clauses: list[tuple[int, int]] = []
    bounds = sorted({0, *cuts, len(spans)})
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        toks = [j for j in range(lo, hi) if j not in skip]
        if toks:
            clauses.append((spans[toks[0]][0], spans[toks[-1]][1]))
    return clauses or [(0, len(text))]


def mark_target(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with each (local) target span wrapped as ``«[...]»``.

    >>> mark_target("تدعم باريس حفتر", [(11, 15)])
    'تدعم باريس «[حفتر]»'
    """
    out, pos = [], 0
    for a, b in sorted(spans):
        if a < pos:
            continue
        out += [text[pos:a], MARK_OPEN, text[a:b], MARK_CLOSE]
        pos = b
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- bundled scoring


@dataclass
class Hit:
    """One lexicon match inside a context."""

    surface: str
    term: str
    polarity: float
    first: int  # word position of its first token
    last: int
    weight: float = 1.0
    distance: int = 0
    negator: str = ""
    intensifier: str = ""

    @property
    def contribution(self) -> float:
        return self.polarity * self.weight

    def describe(self) -> str:
        note = []
        if self.negator:
            note.append(f"neg {self.negator}")
        if self.intensifier:
            note.append(f"int {self.intensifier}")
        extra = f"({', '.join(note)})" if note else ""
        return f"{self.surface}:{self.polarity:+.2f}×{self.weight:.2f}{extra}"


def find_hits(
    text: str,
    target_spans: Sequence[tuple[int, int]],
    *,
    exclude_spans: Sequence[tuple[int, int]] = (),
    window: tuple[int, int] | None = None,
    lexicon: Lexicon | None = None,
    settings: BundledSettings | None = None,
) -> list[Hit]:
    """Lexicon hits in ``text[window]`` around the target, with their weights.

    ``target_spans`` and ``exclude_spans`` are character spans local to ``text``; words that
    overlap them are never hits. The weight of a hit = distance weight × negation ×
    intensifier (see the module docstring).

    >>> [h.describe() for h in find_hits("لم تهاجم تركيا", [(9, 14)])]
    ['تهاجم:-1.00×-0.50(neg لم)']
    """
    lexicon = lexicon or load_lexicon()
    settings = settings or BundledSettings()
    lo, hi = window or (0, len(text))
    spans = [(a, b) for a, b in word_spans(text) if a >= lo and b <= hi and _is_word(text[a:b])]
    surf = [text[a:b] for a, b in spans]
    keys = [match_key(s) for s in surf]

    def overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
        return any(span[0] < b and a < span[1] for a, b in others)

    target_pos = [i for i, sp in enumerate(spans) if overlaps(sp, target_spans)]
    blocked = set(target_pos) | {i for i, sp in enumerate(spans) if overlaps(sp, exclude_spans)}
    cands = [candidate_keys(s, stem=settings.stem) for s in surf]
    n = len(spans)
    hits: list[Hit] = []
    negators: list[tuple[int, str]] = []
    intens: list[tuple[int, str, float]] = []
    i = 0
    while i < n:
        if i in blocked:
            i += 1
            continue
        # 1. fixed phrases that look like negation but are not (لا سيما، غير أن)
        exc = next((len(k) for k in lexicon.exceptions if tuple(keys[i:i + len(k)]) == k), 0)
        if exc:
            i += exc
            continue
        # 2. multi-word lexicon entries: longest first, then the least stripped first word
        best: tuple[int, int, LexEntry] | None = None
        for key0, cost in cands[i]:
            for entry in lexicon.by_first.get(key0, ()):
                length = len(entry.key)
                if i + length > n or any(j in blocked for j in range(i, i + length)):
                    continue
                if all(keys[i + j] == entry.key[j] or strip_article(keys[i + j]) == entry.key[j]
                       for j in range(1, length)):
                    if best is None or (length, -cost) > (best[0], -best[1]):
                        best = (length, cost, entry)
        if best:
            length, _, entry = best
            hits.append(Hit(" ".join(surf[i:i + length]), entry.term, entry.polarity, i, i + length - 1))
            i += length
            continue
        # 3. negators and intensifiers (after a conjunction و/ف or the article: ولم, الكامل)
        plain = {keys[i], strip_article(keys[i])}
        if keys[i][:1] in PROCLITIC_CONJ and len(keys[i]) > 2:
            plain |= {keys[i][1:], strip_article(keys[i][1:])}
        if plain & lexicon.negators:
            negators.append((i, surf[i]))
            i += 1
            continue
        factor = next((lexicon.intensifiers[k] for k in sorted(plain) if k in lexicon.intensifiers), None)
        if factor is not None:
            intens.append((i, surf[i], factor))
            i += 1
            continue
        # 4. single-word entries, least stripped candidate first
        for key, _cost in cands[i]:
            entry = lexicon.entries.get((key,))
            if entry is not None:
                hits.append(Hit(surf[i], entry.term, entry.polarity, i, i))
                break
        i += 1

    hits = [h for h in hits if h.polarity != 0]
    for h in hits:
        d = min(min(abs(h.first - t), abs(h.last - t)) for t in target_pos) if target_pos else n
        h.distance = d
        h.weight = 1.0 / (1.0 + settings.distance_decay * max(d - 1, 0))
    # a negator negates the first hit that follows it within the window (عدم التعاون مع
    # الميليشيات: only التعاون is negated)
    for pos, word in negators:
        after = [h for h in hits if pos < h.first <= pos + settings.negation_window and not h.negator]
        if after:
            h = min(after, key=lambda h: h.first)
            h.negator = word
            h.weight *= settings.negation_factor
    # an intensifier strengthens the nearest preceding hit within the window (Arabic
    # modifiers follow: توافق مصري فرنسي كامل، يدين بشدة), else the nearest following one
    for pos, word, factor in intens:
        before = [h for h in hits if 0 < pos - h.last <= settings.intensifier_window and not h.intensifier]
        after = [h for h in hits if 0 < h.first - pos <= settings.intensifier_window and not h.intensifier]
        if before or after:
            h = max(before, key=lambda h: h.last) if before else min(after, key=lambda h: h.first)
            h.intensifier = word
            h.weight *= factor
    return hits


def score_hits(hits: Sequence[Hit]) -> float:
    """Squash the summed contributions of ``hits`` into [-1, 1] with ``tanh``.

    >>> score_hits([])
    0.0
    """
    return float(math.tanh(sum(h.contribution for h in hits)))


def score_text(
    text: str,
    target: str | tuple[int, int],
    *,
    window: str = "clause",
    lexicon: Lexicon | None = None,
    settings: BundledSettings | None = None,
) -> dict:
    """Score one sentence toward one target (a surface string or a local character span).

    Convenient for trying the method on a sentence; :func:`score_mentions` does the same on
    tables. Returns ``{"score", "label", "context", "evidence", "hits"}``.

    >>> score_text("لم يهاجم الجيش المدنيين", "الجيش")["label"]
    'positive'
    """
    lexicon = lexicon or load_lexicon()
    settings = settings or BundledSettings()
    if isinstance(target, str):
        start = text.find(target)
        if start < 0:
            raise ValueError(f"target {target!r} does not occur in the text; pass its exact surface.")
        span = (start, start + len(target))
    else:
        span = target
    win = _window(text, [span], window, lexicon)
    hits = find_hits(text, [span], window=win, lexicon=lexicon, settings=settings)
    score = score_hits(hits)
    return {
        "score": score,
        "label": label_for(score, settings.threshold),
        "context": mark_target(text[win[0]:win[1]], [(span[0] - win[0], span[1] - win[0])]),
        "evidence": "; ".join(h.describe() for h in hits),
        "hits": hits,
    }


def _window(text: str, spans: Sequence[tuple[int, int]], window: str, lexicon: Lexicon) -> tuple[int, int]:
    if window == "sentence":
        return (0, len(text))
    if window != "clause":
        raise ValueError(f"window must be 'clause' or 'sentence', not {window!r}.")
    a, b = min(s for s, _ in spans), max(e for _, e in spans)
    clauses = [c for c in split_clauses(text, lexicon) if c[0] < b and a < c[1]]
    if not clauses:
        return (0, len(text))
    return (min(c[0] for c in clauses), max(c[1] for c in clauses))


# --------------------------------------------------------------------------- tables


def _contexts(resolved: pd.DataFrame, sentences: pd.DataFrame, window: str, lexicon: Lexicon) -> pd.DataFrame:
    """One row per resolved mention with its sentence text, local spans and window."""
    missing = [c for c in ("article_id", "sent_id", "start", "end", "actor_id") if c not in resolved.columns]
    if missing:
        raise ValueError(f"resolved mentions lack column(s) {missing}: pass the output of "
                         "helpers.actors.resolve_mentions.")
    sent_cols = ["article_id", "sent_id", "start", "text"]
    if any(c not in sentences.columns for c in sent_cols):
        raise ValueError(f"sentences need the columns {sent_cols}: pass helpers.sentences.split_sentences output.")
    sents = sentences[sent_cols].rename(columns={"start": "sent_start", "text": "sent_text"})
    rows = resolved.reset_index(drop=True).merge(sents, on=["article_id", "sent_id"], how="left")
    if rows["sent_text"].isna().any():
        bad = rows.loc[rows["sent_text"].isna(), ["article_id", "sent_id"]].drop_duplicates().head(3)
        raise ValueError(f"mentions point to sentences that are not in the sentences table, e.g. "
                         f"{bad.to_dict('records')}: pass the same sentences the mentions came from.")
    rows["a"] = (rows["start"] - rows["sent_start"]).astype(int)
    rows["b"] = (rows["end"] - rows["sent_start"]).astype(int)
    return rows


def _empty_sentiment() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "score" else "object") for c in ACTOR_SENTIMENT})


def score_mentions(
    resolved: pd.DataFrame,
    sentences: pd.DataFrame,
    method: str | None = "bundled",
    *,
    window: str = "clause",
    lexicon: Lexicon | None = None,
    settings: BundledSettings | None = None,
    model: str | None = None,
    batch_size: int = 16,
) -> pd.DataFrame:
    """Targeted sentiment for every resolved actor mention (schema.ACTOR_SENTIMENT).

    ``method``: ``"bundled"`` (lexicon), ``"camelbert"`` (transformers model; ``model`` or
    env ``ARABIC_NEWS_SENTIMENT_MODEL`` or the CAMeLBERT MSA sentiment hub id) or ``"auto"``
    (camelbert if it loads, else bundled, with a printed note); ``None`` reads env
    ``ARABIC_NEWS_MODELS`` (default bundled). ``window``: ``"clause"`` or ``"sentence"``.
    Mentions whose ``actor_id`` is missing are skipped. Words of the target span (and, with
    ``settings.exclude_mentions``, of every other mention in the table) are never evidence.

    Example: in ``وصل المزيد من المرتزقة إلى قوات حفتر`` the mention ``قوات حفتر`` (lna) gets
    the context ``وصل المزيد من المرتزقة إلى «[قوات حفتر]»``, score -0.58, label
    ``negative`` and evidence ``المرتزقة:-1.00×0.67``.
    """
    method = (method or os.environ.get("ARABIC_NEWS_MODELS") or "bundled").lower()
    if method not in {"bundled", "camelbert", "auto"}:
        raise ValueError(f"method must be 'bundled', 'camelbert' or 'auto', not {method!r}.")
    lexicon = lexicon or load_lexicon()
    settings = settings or BundledSettings()
    res = resolved[resolved["actor_id"].notna()] if "actor_id" in resolved.columns else resolved
    if res.empty:
        return _empty_sentiment()
    rows = _contexts(res, sentences, window, lexicon)
    all_rows = _contexts(resolved, sentences, window, lexicon) if settings.exclude_mentions else rows
    spans_by_sentence = {
        key: list(zip(g["a"], g["b"], g["actor_id"], strict=True))
        for key, g in all_rows.groupby(["article_id", "sent_id"], sort=False)
    }
    records = []
    for r in rows.itertuples(index=False):
        text = r.sent_text
        others = spans_by_sentence.get((r.article_id, r.sent_id), [])
        same = [(a, b) for a, b, act in others if act == r.actor_id]
        target = [(r.a, r.b)]
        win = _window(text, target, window, lexicon)
        # all spans of the same actor inside the window are part of the target, not evidence
        target_spans = [(a, b) for a, b in same if a >= win[0] and b <= win[1]] or target
        exclude = [(a, b) for a, b, _ in others] if settings.exclude_mentions else []
        context = mark_target(text[win[0]:win[1]], [(r.a - win[0], r.b - win[0])])
        records.append({
            "article_id": r.article_id, "sent_id": r.sent_id, "start": r.start, "end": r.end,
            "actor_id": r.actor_id, "context": context,
            "ctx_text": text, "ctx_win": win, "ctx_target": target_spans, "ctx_exclude": exclude,
        })
    table = pd.DataFrame.from_records(records)
    use_bert = method in {"camelbert", "auto"}
    if use_bert:
        try:
            classifier = load_sentiment_model(model)
        except SentimentModelUnavailable as err:
            if method == "camelbert":
                raise
            print(f"Note: {err} Using the bundled lexicon method instead.")
            use_bert = False
    if use_bert:
        probs = classifier(table["context"].tolist(), batch_size=batch_size)
        table["score"] = [p["positive"] - p["negative"] for p in probs]
        table["label"] = [max(LABELS, key=lambda lab, p=p: p[lab]) for p in probs]
        table["evidence"] = ["; ".join(f"{lab}={p[lab]:.3f}" for lab in LABELS) for p in probs]
        table["method"] = classifier.identity
    else:
        scores, labels, evidence = [], [], []
        for r in table.itertuples(index=False):
            hits = find_hits(r.ctx_text, r.ctx_target, exclude_spans=r.ctx_exclude, window=r.ctx_win,
                             lexicon=lexicon, settings=settings)
            s = score_hits(hits)
            scores.append(s)
            labels.append(label_for(s, settings.threshold))
            evidence.append("; ".join(h.describe() for h in hits))
        table["score"], table["label"], table["evidence"] = scores, labels, evidence
        table["method"] = BUNDLED_METHOD
    return table[ACTOR_SENTIMENT].reset_index(drop=True)


# --------------------------------------------------------------------------- camelbert


class SentimentModelUnavailable(RuntimeError):
    """The transformers sentiment model could not be loaded (offline and not cached, or a bad path)."""


@dataclass
class SentimentClassifier:
    """A loaded text-classification pipeline returning P(positive/negative/neutral) per text."""

    pipe: object
    identity: str
    label_map: dict[str, str]

    def __call__(self, texts: list[str], batch_size: int = 16) -> list[dict[str, float]]:
        out = self.pipe(texts, batch_size=batch_size, top_k=None, truncation=True)
        probs = []
        for scores in out:
            p = dict.fromkeys(LABELS, 0.0)
            for item in scores:
                p[self.label_map[item["label"]]] += float(item["score"])
            probs.append(p)
        return probs


def _canonical_label(label: str) -> str | None:
    low = label.lower()
    for lab in LABELS:
        if low.startswith(lab[:3]):
            return lab
    return None


def load_sentiment_model(model: str | None = None) -> SentimentClassifier:
    """Load the CAMeLBERT sentiment classifier (or ``model``: hub id or local folder).

    The model name comes from ``model``, env ``ARABIC_NEWS_SENTIMENT_MODEL``, or
    ``CAMeL-Lab/bert-base-arabic-camelbert-msa-sentiment``. The tokenizer is loaded with
    ``do_lower_case=False`` (lower-casing strips hamza) and ``model_max_length=512``.
    Raises :class:`SentimentModelUnavailable` with one line saying what to do when the model
    is neither a folder nor in the local Hugging Face cache and the hub is unreachable.
    """
    name = model or os.environ.get("ARABIC_NEWS_SENTIMENT_MODEL") or DEFAULT_SENTIMENT_MODEL
    return _load_sentiment_model(str(name))


def _hub_offline() -> bool:
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except ImportError:  # pragma: no cover
        return os.environ.get("HF_HUB_OFFLINE", "0").lower() in {"1", "true", "yes", "on"}


def _unavailable(name: str, why: str) -> SentimentModelUnavailable:
    return SentimentModelUnavailable(
        f"Sentiment model '{name}' is not in the local Hugging Face cache and {why}: use "
        "method 'bundled', or download the model once with network access first (or set "
        "ARABIC_NEWS_SENTIMENT_MODEL to a local model folder)."
    )


def sentiment_model_cached(model: str | None = None) -> bool:
    """True when the sentiment model (``model``, env ``ARABIC_NEWS_SENTIMENT_MODEL`` or the
    CAMeLBERT default) is a local folder or is in the local Hugging Face cache.

    Looks only at the disk, never at the network: a notebook can decide whether to run the
    camelbert method without waiting for an unreachable hub.
    """
    name = model or os.environ.get("ARABIC_NEWS_SENTIMENT_MODEL") or DEFAULT_SENTIMENT_MODEL
    if Path(name).expanduser().is_dir():
        return (Path(name).expanduser() / "config.json").is_file()
    try:
        with warnings.catch_warnings():  # tqdm's "IProgress not found" in Jupyter
            warnings.filterwarnings("ignore", message="IProgress not found")
            from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(name, "config.json"), str)
    except (ImportError, ValueError):  # not installed, or not a valid hub id (a missing folder)
        return False


@lru_cache(maxsize=2)
def _load_sentiment_model(name: str) -> SentimentClassifier:
    with warnings.catch_warnings():  # tqdm's "IProgress not found" in Jupyter
        warnings.filterwarnings("ignore", message="IProgress not found")
        from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    local = Path(name).expanduser()
    is_local = local.is_dir()
    source = str(local) if is_local else name

    def _load(local_only: bool):
        tok = AutoTokenizer.from_pretrained(source, do_lower_case=False, model_max_length=512,
                                            local_files_only=local_only, trust_remote_code=False)
        net = AutoModelForSequenceClassification.from_pretrained(
            source, local_files_only=local_only, trust_remote_code=False)
        return tok, net

    try:
        tokenizer, net = _load(True)
    except OSError as err:
        if is_local:
            raise SentimentModelUnavailable(
                f"Folder '{local.name}' does not hold a transformers sequence-classification model "
                f"({str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__}): "
                "point ARABIC_NEWS_SENTIMENT_MODEL to a saved model folder or use method 'bundled'."
            ) from None
        if _hub_offline():
            raise _unavailable(name, "the hub is not reachable (HF_HUB_OFFLINE is set)") from None
        try:
            tokenizer, net = _load(False)
        except OSError as err2:
            reason = str(err2).strip().splitlines()[0] if str(err2).strip() else type(err2).__name__
            raise _unavailable(name, f"could not be downloaded ({reason})") from None
    id2label = getattr(net.config, "id2label", {}) or {}
    label_map = {}
    for raw in id2label.values():
        canon = _canonical_label(str(raw))
        if canon is None:
            raise SentimentModelUnavailable(
                f"Model '{name}' has the label {raw!r}; expected positive/negative/neutral labels "
                "(a sentiment model such as CAMeL-Lab/bert-base-arabic-camelbert-msa-sentiment)."
            )
        label_map[str(raw)] = canon
    net.eval()
    pipe = pipeline("text-classification", model=net, tokenizer=tokenizer, device=-1)
    if is_local:
        identity = f"local:{local.name}"
    else:
        commit = getattr(net.config, "_commit_hash", None)
        identity = f"{name}@{commit[:7]}" if commit else name
    return SentimentClassifier(pipe, identity, label_map)


# --------------------------------------------------------------------------- aggregation


def _group_seed(seed: int, key: tuple) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(repr(key).encode("utf-8"))])


def bootstrap_ci(values: Sequence[float], n_boot: int = 2000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; for one value the interval is that value.

    >>> bootstrap_ci([0.5])
    (0.5, 0.5)
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (float("nan"), float("nan"))
    if x.size == 1 or np.all(x == x[0]):
        return (float(x[0]), float(x[0]))
    rng = np.random.default_rng(seed) if isinstance(seed, int) else seed
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    alpha = (1 - level) / 2
    return (float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha)))


def aggregate_sentiment(
    actor_sentiment: pd.DataFrame,
    by: Sequence[str] = ("actor_id",),
    n_boot: int = 2000,
    seed: int = 0,
    *,
    small_n: int = 5,
) -> pd.DataFrame:
    """Mean score per group with a 95% percentile bootstrap interval and evidence.

    ``by=("actor_id",)`` summarises the corpus, ``by=("article_id", "actor_id")`` each
    article. Columns: the ``by`` columns, ``n``, ``mean``, ``ci_low``, ``ci_high``,
    ``small_n`` (True when n < ``small_n``: read such intervals with care; for n = 1 the
    interval is the point itself), ``n_positive``, ``n_neutral``, ``n_negative``, and the
    most positive / most negative mention's ``context``, ``score`` and ``evidence`` (empty
    when no mention of the group is positive / negative). Sorted by n, then mean.
    Deterministic for a given ``seed``: each group draws from its own seeded generator.
    """
    by = list(by)
    missing = [c for c in [*by, "score"] if c not in actor_sentiment.columns]
    if missing:
        raise ValueError(f"actor_sentiment lacks column(s) {missing}: pass score_mentions output.")
    cols = [*by, "n", "mean", "ci_low", "ci_high", "small_n", "n_positive", "n_neutral",
            "n_negative", "most_positive_context", "most_positive_score", "most_positive_evidence",
            "most_negative_context", "most_negative_score", "most_negative_evidence"]
    if actor_sentiment.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for key, g in actor_sentiment.groupby(by, sort=True, dropna=True):
        key = key if isinstance(key, tuple) else (key,)
        scores = g["score"].astype(float).to_numpy()
        lo, hi = bootstrap_ci(scores, n_boot=n_boot, seed=_group_seed(seed, key))
        labels = g["label"] if "label" in g else pd.Series(dtype=str)
        row = dict(zip(by, key, strict=True))
        row.update(n=len(g), mean=float(scores.mean()), ci_low=lo, ci_high=hi, small_n=len(g) < small_n,
                   n_positive=int((labels == "positive").sum()), n_neutral=int((labels == "neutral").sum()),
                   n_negative=int((labels == "negative").sum()))
        for side, pick in (("positive", g["score"].idxmax()), ("negative", g["score"].idxmin())):
            s = float(g.at[pick, "score"])
            ok = s > 0 if side == "positive" else s < 0
            row[f"most_{side}_context"] = g.at[pick, "context"] if ok and "context" in g else ""
            row[f"most_{side}_score"] = s if ok else float("nan")
            row[f"most_{side}_evidence"] = g.at[pick, "evidence"] if ok and "evidence" in g else ""
        rows.append(row)
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n", "mean"], ascending=[False, False], kind="stable").reset_index(drop=True)


def evidence_table(summary: pd.DataFrame, top: int = 5, actor_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The most positive and most negative mention of each top actor, one row each.

    ``summary`` is :func:`aggregate_sentiment` output; ``top`` actors by n (or the given
    ``actor_ids``). Columns: actor_id, n, mean, side (``most positive`` / ``most negative``),
    score, context (target marked ``«[...]»``), evidence. Sides without such a mention are
    left out, so an actor that is never scored negative shows only its positive row.
    """
    data = summary.set_index("actor_id")
    ids = list(actor_ids) if actor_ids is not None else list(summary.sort_values("n", ascending=False,
                                                                                  kind="stable")["actor_id"].head(top))
    rows = []
    for actor in ids:
        if actor not in data.index:
            continue
        r = data.loc[actor]
        for side in ("positive", "negative"):
            if r[f"most_{side}_context"]:
                rows.append({"actor_id": actor, "n": int(r["n"]), "mean": round(float(r["mean"]), 3),
                             "side": f"most {side}", "score": round(float(r[f"most_{side}_score"]), 3),
                             "context": r[f"most_{side}_context"], "evidence": r[f"most_{side}_evidence"]})
    return pd.DataFrame(rows, columns=["actor_id", "n", "mean", "side", "score", "context", "evidence"])


# --------------------------------------------------------------------------- plot


def plot_actor_sentiment(
    summary: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    *,
    top: int | None = 15,
    ax: Axes | None = None,
    title: str = "Sentiment toward actors (mean and 95% bootstrap interval)",
) -> Axes:
    """Dot chart of ``aggregate_sentiment`` output: mean score with its interval, n labelled.

    Actors with small n are drawn as hollow dots (their interval is wide or, for n = 1,
    a point). Labels are ``name_en · name_ar`` when ``actors`` (data/actors.csv) is given.
    Returns the matplotlib Axes.
    """
    import matplotlib.pyplot as plt

    from .plotting import actor_color

    data = summary.sort_values(["n", "mean"], ascending=[False, False]).head(top or len(summary))
    data = data.sort_values("mean").reset_index(drop=True)
    names = {}
    if actors is not None and {"actor_id", "name_ar", "name_en"} <= set(actors.columns):
        names = {a: f"{en} · {ar}" for a, ar, en in zip(actors["actor_id"], actors["name_ar"],
                                                       actors["name_en"], strict=True)}
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.42 * len(data) + 1.6))
    for y, r in data.iterrows():
        color = actor_color(str(r["actor_id"]))
        ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=color, lw=2, alpha=0.7)
        ax.scatter([r["mean"]], [y], s=60, zorder=3, color=color if not r["small_n"] else "white",
                   edgecolors=color, linewidths=1.8)
        ax.annotate(f"n={int(r['n'])}", (1.02, y), xycoords=("axes fraction", "data"),
                    va="center", fontsize=9, color="#444444")
    ax.axvline(0, color="#888888", lw=1, ls="--")
    ax.set_yticks(range(len(data)))
    ax.set_yticklabels([names.get(a, a) for a in data["actor_id"]])
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("score (−1 negative … +1 positive); hollow dot: n < 5")
    ax.set_ylabel("actor")
    ax.set_title(title)
    return ax
