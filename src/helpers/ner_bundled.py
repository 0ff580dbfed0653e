"""The bundled offline NER model: a CRF over hand-made features, shipped in ``data/models``.

No pretrained Arabic transformer is reachable offline, so the model that ships with the
collection is a linear-chain CRF (``python-crfsuite``) trained by ``scripts/train_ner.py`` on
the ANERcorp CAMeL Lab train split (plus AQMAR and WikiFANE). Each word is described by:

- the word, its match key (``helpers.clean.match_key``) and its clitic-stripped stem
  (``وبطرابلس`` -> ``طرابلس``), prefixes and suffixes of 1-4 letters, its shape;
- distributional word clusters (k-means over SVD-reduced co-occurrence vectors learned from
  the unlabelled text of the training corpora);
- gazetteer matches (entity names seen in the training data, longest match first);
- trigger words before it (``السيد``, ``وزير``, ``شركة``, ``مدينة`` ...);
- the same for its neighbours within two words, and word bigrams.

Labels are decoded by a BIO-constrained Viterbi over the CRF's weights with a per-label bias
(:class:`Decoding`, stored as ``decoding.json`` beside the weights), or by CRFsuite's own
Viterbi when the folder has no such file.

This module holds what inference needs (the features and the :class:`BundledTagger`, with
the face every model has: ``identity``, ``labels()``, ``predict()``; see
:mod:`helpers.models`); the corpus readers are in :mod:`helpers.datasets`;
``scripts/train_ner.py`` builds the clusters, gazetteer and weights.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from helpers.clean import match_key
from helpers.datasets import TYPES, Sentence
from helpers.models import model_identity as _identity
from helpers.paths import MODELS_DIR

LABELS = ("O",) + tuple(f"{p}-{t}" for t in TYPES for p in ("B", "I"))
DEFAULT_MODEL_DIR = MODELS_DIR / "ner-bundled"
MODEL_FILE = "model.crfsuite"
RESOURCES_FILE = "resources.json.gz"
DECODING_FILE = "decoding.json"
ENSEMBLE_FILE = "ensemble.json"
REBUILD_HINT = "rebuild it with `make train-ner` (or `python scripts/train_ner.py`)"
ENCODER_HINT = ("restore it from the repository (`git checkout -- data/models`), rebuild it with "
                "`make train-ner-e5`, or use the CRF alone with profile 'fast' "
                "(--models fast, or ARABIC_NEWS_MODELS=fast)")

# --------------------------------------------------------------------------- features

_PROCLITICS = ("وبال", "وكال", "وفال", "فبال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل",
               "ال", "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")
_ENCLITICS = ("هما", "كما", "هم", "هن", "كم", "ها", "نا", "ه", "ي")
_ARABIC = re.compile(r"[\u0621-\u064a]")
_LATIN = re.compile(r"[A-Za-z]")

PERSON_TRIGGERS = frozenset(match_key(w) for w in """
السيد السيدة الرئيس رئيس الوزير وزير وزيرة الملك الملكة الأمير الأميرة الشيخ الدكتور د
المستشار المشير العقيد اللواء العميد الجنرال الفريق المبعوث المتحدث الناطق الأمين السفير
النائب القائد الزعيم البابا الإمام المرشد الحاكم المدير نائب المستشارة الرئيسة المندوب
قال قالت أكد أكدت أعلن أعلنت صرح زعيم الفنان الفنانة اللاعب المدرب الكاتب الشاعر الممثل
المطرب المخرج الروائي الكاتبة الصحفي المغني المغنية القس الحاخام السلطان""".split())
ORG_TRIGGERS = frozenset(match_key(w) for w in """
شركة شركات جامعة وزارة حزب منظمة مجلس وكالة بنك مصرف اتحاد جمعية هيئة حركة جبهة لجنة
صحيفة مؤسسة نادي منتخب قوات جيش مجموعة معهد مركز محكمة برلمان مفوضية بعثة تحالف صندوق
مكتب إذاعة تلفزيون قناة""".split())
LOC_TRIGGERS = frozenset(match_key(w) for w in """
مدينة بلدة قرية محافظة ولاية منطقة عاصمة جزيرة نهر بحر جبل مطار إقليم شمال جنوب شرق غرب
شمالي جنوبي شرقي غربي وسط ميناء حي مخيم دولة جمهورية مملكة إمارة العاصمة في إلى من""".split())
TRIGGERS = {"PERS": PERSON_TRIGGERS, "ORG": ORG_TRIGGERS, "LOC": LOC_TRIGGERS}


@lru_cache(maxsize=200_000)
def strip_proclitics(key: str) -> tuple[str, str]:
    """Split a match key into (proclitic, rest), keeping at least two letters of the rest.

    >>> strip_proclitics("وبالقاهره")
    ('وبال', 'قاهره')
    >>> strip_proclitics("لندن")
    ('ل', 'ندن')
    """
    for pre in _PROCLITICS:
        if key.startswith(pre) and len(key) - len(pre) >= 3:
            return pre, key[len(pre):]
    return "", key


def clitic_forms(key: str) -> list[str]:
    """A match key, without a leading conjunction (و ف), and without a preposition too
    (ب ل ك; ``لل`` -> ``ال``); the article is kept.

    >>> clitic_forms("وللامم"), clitic_forms("الجزائر")
    (['وللامم', 'للامم', 'الامم'], ['الجزائر'])
    """
    out = [key]
    rest = key
    if rest[:1] in ("و", "ف") and len(rest) > 3:
        rest = rest[1:]
        out.append(rest)
    if rest.startswith("لل") and len(rest) > 4:
        out.append("ال" + rest[2:])
    elif rest[:1] in ("ب", "ل", "ك") and len(rest) > 3:
        out.append(rest[1:])
    return out


@lru_cache(maxsize=200_000)
def _variants(key: str) -> tuple[str, ...]:
    return tuple(proclitic_variants(key))


@lru_cache(maxsize=200_000)
def _key(word: str) -> str:
    return match_key(word) or word


def proclitic_variants(key: str) -> list[str]:
    """Forms of a match key with its proclitics removed, the article kept or dropped.

    >>> proclitic_variants("وللامم")
    ['وللامم', 'للامم', 'الامم', 'امم']
    >>> proclitic_variants("بطرابلس")
    ['بطرابلس', 'طرابلس']
    """
    out = clitic_forms(key)
    bare = strip_proclitics(key)[1]
    if bare not in out:
        out.append(bare)
    return out


def stem(key: str) -> str:
    """Crude light stem of a match key: proclitics (و ف ب ل ك ال لل) and one pronoun suffix
    (ها هم ه ...) removed, keeping at least three letters.

    >>> stem(match_key("وبحكومتها"))
    'حكومت'
    """
    _, rest = strip_proclitics(key)
    for suf in _ENCLITICS:
        if rest.endswith(suf) and len(rest) - len(suf) >= 3:
            rest = rest[: -len(suf)]
            break
    return rest


def word_shape(word: str) -> str:
    """Coarse class of a token: ``ar``, ``lat``, ``num``, ``punct``, ``mix``.

    >>> [word_shape(w) for w in ["طرابلس", "UN", "2020", "،", "G5"]]
    ['ar', 'lat', 'num', 'punct', 'mix']
    """
    if word.isdigit() or re.fullmatch(r"\d+(?:[.,\u066b]\d+)*", word):
        return "num"
    if _ARABIC.search(word) and not _LATIN.search(word) and not any(c.isdigit() for c in word):
        return "ar"
    if _LATIN.search(word) and not _ARABIC.search(word) and not any(c.isdigit() for c in word):
        return "lat"
    if all(unicodedata.category(c)[0] in "PS" for c in word):
        return "punct"
    return "mix"


@dataclass
class Resources:
    """Lookup tables and switches the features need (saved beside the weights).

    ``clusters`` maps a match key to a tuple of cluster ids (one per clustering granularity);
    ``gazetteer`` maps a match-key phrase (words joined by spaces) to its entity types;
    ``token_types`` (derived) maps each word of those phrases to their types. Optional
    feature families, off in the shipped model unless its resources say otherwise: ``rates``
    (how often a word is inside an entity, :func:`build_entity_rates`), ``domain`` (a
    domain-specific copy of every feature, for training with feature augmentation; ``T``
    marks ANERcorp-like news) and ``feature_set`` 2 (cluster and gazetteer-type bigrams).
    """

    clusters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    gazetteer: dict[str, frozenset[str]] = field(default_factory=dict)
    max_phrase: int = 5
    domain: str = ""
    rates: dict[str, str] = field(default_factory=dict)
    feature_set: int = 1
    names: frozenset[str] = frozenset()
    token_types: dict[str, frozenset[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # every word of a gazetteer phrase, with the types of the phrases it occurs in
        tokens: dict[str, set[str]] = {}
        for phrase, kinds in self.gazetteer.items():
            for word in phrase.split(" "):
                if len(word) > 1:
                    tokens.setdefault(word, set()).update(kinds)
        self.token_types = {k: frozenset(v) for k, v in tokens.items()}

    def to_json(self) -> dict:
        """A JSON-serialisable form (see :meth:`from_json`); optional parts only when used."""
        obj: dict = {
            "clusters": {k: "|".join(v) for k, v in sorted(self.clusters.items())},
            "gazetteer": {k: "|".join(sorted(v)) for k, v in sorted(self.gazetteer.items())},
            "max_phrase": self.max_phrase,
            "domain": self.domain,
        }
        if self.rates:
            obj["rates"] = dict(sorted(self.rates.items()))
        if self.feature_set != 1:
            obj["feature_set"] = self.feature_set
        if self.names:
            obj["names"] = sorted(self.names)
        return obj

    @classmethod
    def from_json(cls, obj: dict) -> Resources:
        """Inverse of :meth:`to_json`."""
        return cls(
            clusters={k: tuple(v.split("|")) for k, v in obj["clusters"].items()},
            gazetteer={k: frozenset(v.split("|")) for k, v in obj["gazetteer"].items()},
            max_phrase=int(obj.get("max_phrase", 5)),
            domain=str(obj.get("domain", "")),
            rates=dict(obj.get("rates", {})),
            feature_set=int(obj.get("feature_set", 1)),
            names=frozenset(obj.get("names", ())),
        )


def build_gazetteer(sentences: Iterable[Sentence], min_count: int = 1) -> dict[str, frozenset[str]]:
    """Entity phrases (match keys) of labelled sentences with the types they were given.

    >>> g = build_gazetteer([(["زار", "معمر", "القذافي", "طرابلس"], ["O", "B-PERS", "I-PERS", "B-LOC"])])
    >>> sorted((k, sorted(v)) for k, v in g.items())
    [('طرابلس', ['LOC']), ('معمر القذافي', ['PERS'])]
    """
    counts: dict[tuple[str, str], int] = {}
    for words, tags in sentences:
        start, kind = None, None
        for i, tag in enumerate(list(tags) + ["O"]):
            if start is not None and not (tag.startswith("I-") and tag[2:] == kind):
                phrase = " ".join(match_key(w) for w in words[start:i])
                counts[(phrase, kind)] = counts.get((phrase, kind), 0) + 1
                start = None
            if tag.startswith("B-"):
                start, kind = i, tag[2:]
    out: dict[str, set[str]] = {}
    for (phrase, kind), n in counts.items():
        if n >= min_count and phrase:
            first, _, rest = phrase.partition(" ")
            # the name also without a conjunction/preposition glued to it (وبغداد -> بغداد)
            for variant in clitic_forms(first):
                out.setdefault(f"{variant} {rest}".strip(), set()).add(kind)
    return {k: frozenset(v) for k, v in out.items()}


def build_entity_rates(sentences: Iterable[Sentence], min_count: int = 2) -> dict[str, str]:
    """How often each word (match key) is part of an entity in labelled sentences:
    ``TYPE:bucket`` of its most frequent type, bucket 0 (<10%) to 4 (>=90%) of occurrences.

    >>> data = [(["قال", "عباس"], ["O", "B-PERS"])] * 3 + [(["قال", "عباس"], ["O", "O"])]
    >>> build_entity_rates(data)
    {'قال': 'O:0', 'عباس': 'PERS:3'}
    """
    total: dict[str, int] = {}
    typed: dict[tuple[str, str], int] = {}
    for words, tags in sentences:
        for word, tag in zip(words, tags, strict=True):
            key = match_key(word) or word
            total[key] = total.get(key, 0) + 1
            if tag != "O":
                typed[(key, tag[2:])] = typed.get((key, tag[2:]), 0) + 1
    best: dict[str, tuple[int, str]] = {}
    for (key, kind), n in typed.items():
        if n > best.get(key, (0, ""))[0]:
            best[key] = (n, kind)
    out = {}
    for key, n_all in total.items():
        if n_all < min_count:
            continue
        n, kind = best.get(key, (0, "O"))
        rate = n / n_all
        bucket = 0 if rate < 0.1 else 1 if rate < 0.4 else 2 if rate < 0.7 else 3 if rate < 0.9 else 4
        out[key] = f"{kind}:{bucket}"
    return out


def gazetteer_marks(keys: Sequence[str], gazetteer: dict[str, frozenset[str]],
                    max_phrase: int = 5) -> list[set[str]]:
    """Per word, marks like ``B-LOC`` / ``I-PERS`` from the longest gazetteer phrases that
    cover it. The first word of a phrase may also match without its proclitic (``وطرابلس``).

    >>> gazetteer_marks(["في", "وطرابلس", "اليوم"], {"طرابلس": frozenset({"LOC"})})
    [set(), {'B-LOC'}, set()]
    """
    n = len(keys)
    marks: list[set[str]] = [set() for _ in range(n)]
    i = 0
    while i < n:
        hit = 0
        for length in range(min(max_phrase, n - i), 0, -1):
            tail = keys[i + 1 : i + length]
            for first in _variants(keys[i]):
                kinds = gazetteer.get(" ".join([first, *tail]))
                if kinds:
                    for kind in kinds:
                        marks[i].add(f"B-{kind}")
                        for j in range(i + 1, i + length):
                            marks[j].add(f"I-{kind}")
                    hit = length
                    break
            if hit:
                break
        i += max(hit, 1)
    return marks


def _token_feats(word: str, key: str, res: Resources) -> dict[str, str]:
    pre, rest = strip_proclitics(key)
    st = stem(key)
    f = {"w": word, "k": key, "ps": rest, "st": st, "pre": pre, "sh": word_shape(word)}
    kinds = res.token_types.get(key) or res.token_types.get(rest) or ()
    f["gt"] = ",".join(sorted(kinds))
    f["er"] = res.rates.get(key) or res.rates.get(rest) or "-"
    cl = res.clusters.get(key) or res.clusters.get(rest)
    if cl:
        for j, c in enumerate(cl):
            f[f"c{j}"] = c
    if res.names:
        f["xn"] = "1" if (key in res.names or rest in res.names) else "0"
    if res.feature_set >= 2:
        rest_cl = res.clusters.get(rest) if rest != key else None
        f["cr"] = rest_cl[1] if rest_cl else "-"
    return f


def _word_entry(word: str, res: Resources) -> tuple[dict[str, str], list[str], list[str],
                                                       list[str]]:
    """What :func:`sentence_features` knows of one word without its context: its token
    features, trigger kinds, and the feature strings before and after the gazetteer marks."""
    t = _token_feats(word, _key(word), res)
    k = t["k"]
    trig = [kind for kind, lex in TRIGGERS.items() if k in lex or t["ps"] in lex]
    head = ["b", f"w={t['w']}", f"k={k}", f"ps={t['ps']}", f"st={t['st']}", f"pre={t['pre']}",
            f"sh={t['sh']}", f"len={min(len(k), 10)}"]
    for m in range(1, 5):
        if len(t["ps"]) > m:
            head.append(f"p{m}={t['ps'][:m]}")
            head.append(f"s{m}={k[-m:]}")
    head += [f"{name}={t[name]}" for name in ("c0", "c1", "c2") if name in t]
    tail = [f"gt={kind}" for kind in t["gt"].split(",") if kind]
    if res.rates:
        tail.append(f"er={t['er']}")
    if res.names:
        tail.append(f"xn={t['xn']}")
    tail += [f"trig={kind}" for kind in trig]
    return t, trig, head, tail


#: words whose context-free features a loaded tagger remembers (then the memory is cleared)
_WORD_CACHE_MAX = 200_000


def sentence_features(words: Sequence[str], res: Resources,
                      cache: dict[str, tuple] | None = None) -> list[list[str]]:
    """CRF features (strings) for every word of one sentence. ``cache``: a dict kept by the
    caller for one unchanging ``res`` (the loaded tagger keeps one), where the context-free
    part of each word's features is remembered.

    >>> feats = sentence_features(["قال", "السيد", "حفتر"], Resources())
    >>> "k=حفتر" in feats[2], "-1:trig=PERS" in feats[2], "BOS" in feats[0]
    (True, True, True)
    """
    entries = []
    for w in words:
        entry = cache.get(w) if cache is not None else None
        if entry is None:
            entry = _word_entry(w, res)
            if cache is not None:
                if len(cache) >= _WORD_CACHE_MAX:
                    cache.clear()
                cache[w] = entry
        entries.append(entry)
    toks = [e[0] for e in entries]
    trig = [e[1] for e in entries]
    gaz = gazetteer_marks([t["k"] for t in toks], res.gazetteer, res.max_phrase)
    n = len(words)
    out: list[list[str]] = []
    for i in range(n):
        t = toks[i]
        k = t["k"]
        f = list(entries[i][2])
        f += [f"g={m}" for m in sorted(gaz[i])]
        f += entries[i][3]
        if i == 0:
            f.append("BOS")
        if i == n - 1:
            f.append("EOS")
        for d in (-2, -1, 1, 2):
            j = i + d
            if not 0 <= j < n:
                f.append(f"{d}:pad")
                continue
            o = toks[j]
            f += [f"{d}:k={o['k']}", f"{d}:ps={o['ps']}", f"{d}:sh={o['sh']}"]
            f += [f"{d}:{name}={o[name]}" for name in ("c1",) if name in o]
            if abs(d) == 1:
                f += [f"{d}:g={m}" for m in sorted(gaz[j])]
                f += [f"{d}:s2={o['k'][-2:]}", f"{d}:pre={o['pre']}", f"{d}:gt={o['gt']}"]
                if res.rates:
                    f.append(f"{d}:er={o['er']}")
                if res.names:
                    f.append(f"{d}:xn={o['xn']}")
            f += [f"{d}:trig={kind}" for kind in trig[j]]
        if i > 0:
            f.append(f"bg-={toks[i - 1]['k']}|{k}")
        if i < n - 1:
            f.append(f"bg+={k}|{toks[i + 1]['k']}")
        if res.feature_set >= 2:  # class bigrams: generalise word bigrams to unseen words
            f.append(f"cr={t['cr']}")
            for name in ("c0", "c1"):
                if i > 0:
                    f.append(f"{name}b-={toks[i - 1].get(name, '-')}|{t.get(name, '-')}")
                if i < n - 1:
                    f.append(f"{name}b+={t.get(name, '-')}|{toks[i + 1].get(name, '-')}")
            if i > 0:
                f.append(f"gtb-={toks[i - 1]['gt']}|{t['gt']}")
                f.append(f"shb-={toks[i - 1]['sh']}|{t['sh']}|{toks[i - 1]['pre']}")
            if i < n - 1:
                f.append(f"gtb+={t['gt']}|{toks[i + 1]['gt']}")
        if res.domain:  # feature augmentation (Daume 2007): shared + domain-specific copies
            f += [f"{res.domain}|{x}" for x in f]
        out.append(f)
    return out


# --------------------------------------------------------------------------- decoding


@dataclass(frozen=True)
class CrfWeights:
    """The weights of a trained CRFsuite model as arrays, for decoding outside CRFsuite.

    ``labels`` in CRFsuite's own order (``Tagger.labels()``); ``attrs`` maps an attribute
    (feature string) to its row of ``state`` (``n_attrs x n_labels``); ``trans[i, j]`` is
    the weight of label ``j`` following label ``i``. CRFsuite's first-order CRF has no start
    or end weights, so a sentence's score is the sum of its state and transition weights.
    """

    labels: tuple[str, ...]
    attrs: dict[str, int]
    state: np.ndarray
    trans: np.ndarray

    @classmethod
    def from_tagger(cls, tagger: object) -> CrfWeights:
        """Read the weights of an opened ``pycrfsuite.Tagger`` (through ``info()``)."""
        labels = tuple(tagger.labels())  # type: ignore[attr-defined]
        index = {lab: i for i, lab in enumerate(labels)}
        info = tagger.info()  # type: ignore[attr-defined]
        attrs: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for (attr, lab), weight in info.state_features.items():
            rows.append(attrs.setdefault(attr, len(attrs)))
            cols.append(index[lab])
            vals.append(weight)
        state = np.zeros((len(attrs), len(labels)))
        np.add.at(state, (np.array(rows, dtype=int), np.array(cols, dtype=int)), vals)
        trans = np.zeros((len(labels), len(labels)))
        for (a, b), weight in info.transitions.items():
            trans[index[a], index[b]] = weight
        return cls(labels, attrs, state, trans)

    def emissions(self, feats: Sequence[Sequence[str]]) -> np.ndarray:
        """State scores (``n_words x n_labels``) of one sentence's feature strings (each
        attribute with value 1, as ``pycrfsuite`` passes a list of strings; unknown ones add
        nothing)."""
        n_labels = len(self.labels)
        lens = [len(f) for f in feats]
        if not feats or min(lens) == 0:  # a word without features: the plain loop
            out = np.zeros((len(feats), n_labels))
            for i, f in enumerate(feats):
                rows = [r for r in map(self.attrs.get, f) if r is not None]
                if rows:
                    out[i] = self.state[rows].sum(axis=0)
            return out
        get, unknown = self.attrs.get, len(self.attrs)  # unknown attributes: a zero row
        flat = [get(a, unknown) for f in feats for a in f]
        starts = np.cumsum([0, *lens[:-1]])
        return np.add.reduceat(self._padded[flat], starts, axis=0)

    @property
    def _padded(self) -> np.ndarray:
        """``state`` with one zero row appended (the row of unknown attributes)."""
        padded = self.__dict__.get("_padded_state")
        if padded is None:
            padded = np.vstack([self.state, np.zeros((1, len(self.labels)))])
            object.__setattr__(self, "_padded_state", padded)
        return padded


def bias_vector(labels: Sequence[str], bias: dict[str, float] | None) -> np.ndarray:
    """Per-label additive state bias from ``{"ORG": 1.0}`` (both ``B-ORG`` and ``I-ORG``) or
    ``{"B-ORG": 1.0}`` (that label only); the two forms add up.

    >>> bias_vector(["O", "B-ORG", "I-ORG", "B-LOC"], {"ORG": 0.5, "B-ORG": 0.25}).tolist()
    [0.0, 0.75, 0.5, 0.0]
    """
    vec = np.zeros(len(labels))
    for key, value in (bias or {}).items():
        for i, lab in enumerate(labels):
            if lab == key or (lab != "O" and lab[2:] == key):
                vec[i] += float(value)
    return vec


def bio_masks(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(start_ok, trans_ok)``: which labels may open a sentence (not ``I-X``) and which
    label pairs are valid BIO (``I-X`` only after ``B-X`` or ``I-X``)."""
    start_ok = np.array([not lab.startswith("I-") for lab in labels])
    trans_ok = np.array([[not b.startswith("I-") or (a != "O" and a[2:] == b[2:])
                          for b in labels] for a in labels])
    return start_ok, trans_ok


def viterbi(emissions: np.ndarray, trans: np.ndarray, bias: np.ndarray | None = None,
            bio: tuple[np.ndarray, np.ndarray] | None = None) -> list[int]:
    """Best label path (indices) of one sentence under state scores ``emissions``
    (``n x L``) plus ``bias`` (``L``) and transition weights ``trans`` (``L x L``).

    ``bio``: the masks of :func:`bio_masks`, to allow only valid BIO paths. Ties go to the
    lower label index, as in CRFsuite, so with no bias and no masks this is CRFsuite's own
    Viterbi (up to the 6 decimals that ``Tagger.info()`` gives the weights).

    >>> viterbi(np.array([[0.0, 1.0], [2.0, 0.0]]), np.zeros((2, 2)))
    [1, 0]
    """
    n = len(emissions)
    if n == 0:
        return []
    score = emissions + (bias if bias is not None else 0.0)
    tr = trans if bio is None else np.where(bio[1], trans, -np.inf)
    best = score[0].copy()
    if bio is not None:
        best[~bio[0]] = -np.inf
    back = np.zeros((n, score.shape[1]), dtype=int)
    for i in range(1, n):
        cand = best[:, None] + tr  # previous x current
        back[i] = cand.argmax(axis=0)
        best = cand[back[i], np.arange(score.shape[1])] + score[i]
    path = [int(best.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def marginals(emissions: np.ndarray, trans: np.ndarray, bias: np.ndarray | None = None,
              bio: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Marginal probability of every label at every word (``n x L``, forward-backward) under
    the same scores as :func:`viterbi`; without bias and masks, CRFsuite's own marginals.

    >>> marginals(np.array([[0.0, 0.0]]), np.zeros((2, 2))).tolist()
    [[0.5, 0.5]]
    """
    n, n_labels = emissions.shape
    if n == 0:
        return np.zeros((0, n_labels))
    score = emissions + (bias if bias is not None else 0.0)
    # scaled forward-backward in probability space (each word's scores shifted by their
    # maximum, each step renormalised): the same marginals as in log space, much faster
    e = np.exp(score - score.max(axis=1, keepdims=True))
    t = np.exp(trans - trans.max())
    if bio is not None:
        t = np.where(bio[1], t, 0.0)
        e[0] = np.where(bio[0], e[0], 0.0)
    alpha = np.empty_like(e)
    beta = np.ones_like(e)
    scale = np.empty(n)
    alpha[0] = e[0]
    scale[0] = alpha[0].sum()
    alpha[0] /= scale[0]
    for i in range(1, n):
        a = (alpha[i - 1] @ t) * e[i]
        scale[i] = a.sum()
        alpha[i] = a / scale[i]
    for i in range(n - 2, -1, -1):
        beta[i] = (t @ (e[i + 1] * beta[i + 1])) / scale[i + 1]
    marg = alpha * beta
    return marg / marg.sum(axis=1, keepdims=True)


def decode_batch(emissions: Sequence[np.ndarray], trans: np.ndarray, bias: np.ndarray | None = None,
                 bio: tuple[np.ndarray, np.ndarray] | None = None) -> list[tuple[list[int], np.ndarray]]:
    """:func:`viterbi` and :func:`marginals` for many sentences at once: ``[(path, marginals
    of the path's labels), ...]``, the same values as one sentence at a time. The sentences
    are padded to the longest and every step works on all of them together, so the numpy
    calls are made once per word position instead of once per word.

    >>> e = [np.array([[0.0, 1.0], [2.0, 0.0]]), np.array([[0.0, 0.0]])]
    >>> [(path, probs.round(2).tolist()) for path, probs in decode_batch(e, np.zeros((2, 2)))]
    [([1, 0], [0.73, 0.88]), ([0], [0.5])]
    """
    out: list[tuple[list[int], np.ndarray]] = [([], np.zeros(0))] * len(emissions)
    todo = [i for i, e in enumerate(emissions) if len(e)]
    if not todo:
        return out
    n_labels = trans.shape[0]
    lengths = np.array([len(emissions[i]) for i in todo])
    size, longest = len(todo), int(lengths.max())
    score = np.zeros((size, longest, n_labels))
    for row, i in enumerate(todo):
        score[row, :lengths[row]] = emissions[i]
    if bias is not None:
        score = score + bias
    live = np.arange(longest)[None, :] < lengths[:, None]  # (sentences, positions)
    tr = trans if bio is None else np.where(bio[1], trans, -np.inf)
    # Viterbi
    best = score[:, 0].copy()
    if bio is not None:
        best[:, ~bio[0]] = -np.inf
    back = np.zeros((size, longest, n_labels), dtype=np.int64)
    for t in range(1, longest):
        cand = best[:, :, None] + tr[None]  # sentences x previous x current
        arg = cand.argmax(axis=1)
        new = np.take_along_axis(cand, arg[:, None, :], axis=1)[:, 0] + score[:, t]
        back[:, t] = arg
        best = np.where(live[:, t, None], new, best)
    # scaled forward-backward (as in marginals)
    e = np.exp(score - score.max(axis=2, keepdims=True))
    tm = np.exp(trans - trans.max())
    if bio is not None:
        tm = np.where(bio[1], tm, 0.0)
        e[:, 0] = np.where(bio[0], e[:, 0], 0.0)
    alpha = np.empty_like(e)
    beta = np.ones_like(e)
    scale = np.ones((size, longest))
    alpha[:, 0] = e[:, 0]
    scale[:, 0] = alpha[:, 0].sum(axis=1)
    alpha[:, 0] /= scale[:, 0, None]
    for t in range(1, longest):
        a = (alpha[:, t - 1] @ tm) * e[:, t]
        scale[:, t] = np.where(live[:, t], a.sum(axis=1), 1.0)
        alpha[:, t] = a / scale[:, t, None]
    for t in range(longest - 2, -1, -1):
        b = ((e[:, t + 1] * beta[:, t + 1]) @ tm.T) / scale[:, t + 1, None]
        beta[:, t] = np.where(live[:, t + 1, None], b, 1.0)
    marg = alpha * beta
    marg /= marg.sum(axis=2, keepdims=True)
    for row, i in enumerate(todo):
        n = int(lengths[row])
        path = [int(best[row].argmax())]
        for t in range(n - 1, 0, -1):
            path.append(int(back[row, t, path[-1]]))
        path.reverse()
        out[i] = (path, marg[row, np.arange(n), path])
    return out


#: sentences decoded together by :func:`decode_batch` (sorted input is not needed: the
#: padding of a batch costs less than the numpy calls it saves)
DECODE_BATCH = 64


@dataclass(frozen=True)
class Decoding:
    """How :class:`BundledTagger` turns CRF scores into labels (``decoding.json`` in the model
    folder; absent = CRFsuite's own Viterbi).

    ``bias``: additive state bias per type or label (see :func:`bias_vector`), e.g.
    ``{"ORG": 1.0}`` to trade ORG precision for recall; ``bio``: allow valid BIO paths only.
    """

    bias: dict[str, float] = field(default_factory=dict)
    bio: bool = False

    @property
    def is_default(self) -> bool:
        """True when this is CRFsuite's own decoding (no bias, no BIO constraint)."""
        return not any(self.bias.values()) and not self.bio

    def to_json(self) -> dict:
        """JSON form (sorted keys)."""
        return {"bias": dict(sorted(self.bias.items())), "bio": self.bio}

    @classmethod
    def from_json(cls, obj: dict) -> Decoding:
        """Inverse of :meth:`to_json`."""
        return cls({str(k): float(v) for k, v in obj.get("bias", {}).items()},
                   bool(obj.get("bio", False)))


@dataclass(frozen=True)
class Ensemble:
    """The encoder that joins the CRF in the ``bundled`` profile (``ensemble.json`` beside
    the CRF; absent = the CRF alone).

    ``encoder``: a transformers token-classification folder, relative to the models folder
    (``data/models``); ``weight``: how much its log-probabilities count against the CRF's
    state scores (each word's scores become ``crf + weight * log p_encoder``); ``decoding``:
    the bias and BIO constraint applied to the sum (:class:`Decoding`). Chosen on the dev part
    of ANERcorp train by ``scripts/tune_ner_ensemble.py``.
    """

    encoder: str
    weight: float
    decoding: Decoding

    def to_json(self) -> dict:
        """JSON form (sorted keys)."""
        return {"encoder": self.encoder, "weight": self.weight, **self.decoding.to_json()}

    @classmethod
    def from_json(cls, obj: dict) -> Ensemble:
        """Inverse of :meth:`to_json`."""
        return cls(str(obj["encoder"]), float(obj["weight"]), Decoding.from_json(obj))


# --------------------------------------------------------------------------- tagger


def load_resources(path: str | Path) -> Resources:
    """Read the clusters and gazetteer file written by the training script."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return Resources.from_json(json.load(fh))


def save_resources(res: Resources, path: str | Path) -> None:
    """Write the clusters and gazetteer (gzip JSON, deterministic bytes)."""
    data = json.dumps(res.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        fh.write(data)


def load_decoding(folder: str | Path) -> Decoding:
    """The decoding settings of a model folder (:data:`DECODING_FILE`; default if absent)."""
    path = Path(folder) / DECODING_FILE
    if not path.is_file():
        return Decoding()
    return Decoding.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_decoding(decoding: Decoding, folder: str | Path) -> None:
    """Write :data:`DECODING_FILE` (or remove it for the default decoding)."""
    path = Path(folder) / DECODING_FILE
    if decoding.is_default:
        path.unlink(missing_ok=True)
        return
    path.write_text(json.dumps(decoding.to_json(), indent=2, sort_keys=True) + "\n",
                    encoding="utf-8")


def load_ensemble(folder: str | Path) -> Ensemble | None:
    """The ensemble setting of a model folder (:data:`ENSEMBLE_FILE`), or ``None``."""
    path = Path(folder) / ENSEMBLE_FILE
    if not path.is_file():
        return None
    return Ensemble.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_ensemble(ensemble: Ensemble, folder: str | Path) -> None:
    """Write :data:`ENSEMBLE_FILE`."""
    (Path(folder) / ENSEMBLE_FILE).write_text(
        json.dumps(ensemble.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def model_identity(folder: str | Path) -> str:
    """``bundled:crf-anercorp@<sha256 prefix>`` of the weights, resources and (when present)
    decoding settings in ``folder`` (the identity format of
    :func:`helpers.models.model_identity`)."""
    h = hashlib.sha256()
    for name in (MODEL_FILE, RESOURCES_FILE):
        h.update((Path(folder) / name).read_bytes())
    if (Path(folder) / DECODING_FILE).is_file():
        h.update((Path(folder) / DECODING_FILE).read_bytes())
    return _identity("crf-anercorp", h.hexdigest()[:12], origin="bundled")


class BundledTagger:
    """The bundled CRF NER model: BIO labels with a confidence for lists of words.

    >>> tagger = BundledTagger.load()                      # doctest: +SKIP
    >>> tagger.predict([["التقى", "أردوغان", "في", "أنقرة"]])  # doctest: +SKIP
    [[('O', 0.99), ('B-PERS', 0.93), ('O', 1.0), ('B-LOC', 0.98)]]
    """

    def __init__(self, folder: Path, tagger: object, resources: Resources, identity: str,
                 decoding: Decoding | None = None, encoder: object | None = None,
                 encoder_weight: float = 0.0):
        self.folder = folder
        self.encoder = encoder  # a TransformersTagger (the ensemble), or None
        self.encoder_weight = encoder_weight
        self._tagger = tagger
        self.resources = resources
        self.identity = identity
        self._word_cache: dict[str, tuple] = {}  # sentence_features per word, for resources
        self.decoding = decoding if decoding is not None else Decoding()
        self._weights: CrfWeights | None = None  # read on first use by a non-default decoding

    @classmethod
    def load(cls, path: str | Path | None = None, *, ensemble: bool = True) -> BundledTagger:
        """Load the model folder (default ``data/models/ner-bundled``) and, when the folder
        names one in ``ensemble.json`` and ``ensemble`` is true, its encoder (the ``bundled``
        profile; ``ensemble=False`` is the ``fast`` profile: the CRF alone, about ten times
        faster).

        Raises ``FileNotFoundError`` (missing files) or ``RuntimeError`` (unreadable files)
        naming the folder and how to rebuild it.
        """
        import pycrfsuite

        folder = Path(path) if path is not None else DEFAULT_MODEL_DIR
        missing = [n for n in (MODEL_FILE, RESOURCES_FILE) if not (folder / n).is_file()]
        if missing:
            raise FileNotFoundError(
                f"bundled NER model folder {folder} lacks {', '.join(missing)}; {REBUILD_HINT}."
            )
        try:
            resources = load_resources(folder / RESOURCES_FILE)
            decoding = load_decoding(folder)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(folder / MODEL_FILE))
            labels = set(tagger.labels())
        except Exception as exc:  # corrupt gzip/JSON or CRF file
            raise RuntimeError(
                f"bundled NER model in {folder} is unreadable ({type(exc).__name__}: {exc}); "
                f"{REBUILD_HINT}."
            ) from exc
        if not labels <= set(LABELS):
            raise RuntimeError(
                f"bundled NER model in {folder} has unexpected labels {sorted(labels - set(LABELS))}; "
                f"{REBUILD_HINT}."
            )
        setting = load_ensemble(folder) if ensemble else None
        if setting is None:
            return cls(folder, tagger, resources, model_identity(folder), decoding)
        encoder = _load_encoder(folder.parent / setting.encoder)
        identity = _identity("crf-e5-anercorp", _ensemble_hash(folder, encoder.identity),
                             origin="bundled")
        return cls(folder, tagger, resources, identity, setting.decoding, encoder,
                   setting.weight)

    def labels(self) -> list[str]:
        """The BIO labels the model can output (``O``, ``B-PERS``, ``I-PERS`` ...)."""
        return list(LABELS)

    @property
    def weights(self) -> CrfWeights:
        """The CRF weights as arrays (read from the model on first use)."""
        if self._weights is None:
            self._weights = CrfWeights.from_tagger(self._tagger)
        return self._weights

    def scores(self, words: Sequence[str]) -> np.ndarray:
        """State scores (``len(words) x len(self.weights.labels)``) of one sentence."""
        return self.weights.emissions(sentence_features(words, self.resources,
                                                        self._word_cache))

    def decode(self, emissions: np.ndarray, decoding: Decoding | None = None) -> list[str]:
        """Labels of one sentence from its state scores (:meth:`scores`) under ``decoding``
        (default: the model's own, :attr:`decoding`)."""
        d = self.decoding if decoding is None else decoding
        w = self.weights
        path = viterbi(emissions, w.trans, bias_vector(w.labels, d.bias),
                       bio_masks(w.labels) if d.bio else None)
        return [w.labels[i] for i in path]

    def encoder_scores(self, batch: list[list[str]], progress: bool | None = None
                       ) -> list[np.ndarray]:
        """What the encoder adds to the CRF's state scores: ``weight * log p`` of each label
        (columns in the CRF's label order, probabilities floored at 1e-6), one array per
        sentence."""
        labels = list(self.encoder.labels())  # type: ignore[union-attr]
        cols = [labels.index(lab) for lab in self.weights.labels]
        probs = self.encoder.predict_proba(batch, progress=progress)  # type: ignore[union-attr]
        return [self.encoder_weight * np.log(np.clip(p[:, cols], 1e-6, 1.0)) for p in probs]

    def predict(self, batch: list[list[str]], *, progress: bool | None = None
                ) -> list[list[tuple[str, float]]]:
        """Label every word of every sentence: ``(BIO label, marginal probability)`` pairs.

        Words are tokens as produced by :func:`helpers.tokens.words`. The labels are the
        best path under the model's :attr:`decoding` (CRFsuite's Viterbi when it is the
        default); the confidence is the label's marginal probability under the same scores
        (the CRF's, plus the encoder's weighted log-probabilities in the ensemble, plus the
        decoding's bias and BIO constraint when it has them). An empty sentence gives an
        empty list. Deterministic. ``progress`` is passed to the encoder (a progress bar for
        long batches).
        """
        if self.encoder is not None or not self.decoding.is_default:
            w = self.weights
            emissions = [w.emissions(sentence_features(words, self.resources, self._word_cache))
                         if words else np.zeros((0, len(w.labels))) for words in batch]
            if self.encoder is not None:
                emissions = [e + x for e, x in
                             zip(emissions, self.encoder_scores(batch, progress), strict=True)]
            bias = bias_vector(w.labels, self.decoding.bias)
            masks = bio_masks(w.labels) if self.decoding.bio else None
            decoded: list[list[tuple[str, float]]] = []
            for start in range(0, len(emissions), DECODE_BATCH):  # bounded padding
                chunk = emissions[start:start + DECODE_BATCH]
                for path, probs in decode_batch(chunk, w.trans, bias, masks):
                    decoded.append([(w.labels[j], round(float(p), 6)) for j, p in zip(path, probs, strict=True)])
            return decoded
        out: list[list[tuple[str, float]]] = []
        for words in batch:
            if not words:
                out.append([])
                continue
            feats = sentence_features(words, self.resources, self._word_cache)
            self._tagger.set(feats)
            labels = self._tagger.tag()
            out.append([(lab, round(float(self._tagger.marginal(lab, i)), 6))
                        for i, lab in enumerate(labels)])
        return out


def _load_encoder(folder: Path) -> object:
    """The ensemble's encoder through the transformers path (as for CAMeLBERT)."""
    from helpers.models import ModelUnavailable
    from helpers.ner import TransformersTagger

    try:
        return TransformersTagger.from_pretrained(folder)
    except ModelUnavailable as err:
        raise RuntimeError(f"the encoder of the bundled NER model is unusable ({err}); "
                           f"{ENCODER_HINT}.") from None


def _ensemble_hash(folder: Path, encoder_identity: str) -> str:
    h = hashlib.sha256(model_identity(folder).encode())
    h.update((folder / ENSEMBLE_FILE).read_bytes())
    h.update(encoder_identity.encode())
    return h.hexdigest()[:12]
