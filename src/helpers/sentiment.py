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
    positive phrase is not also counted as the negative ``إطلاق النار``; an entry of three
    words or more may take one modifier after its first word, its next word then with ل
    (``وقف فوري لإطلاق النار``). The future prefix س is never stripped after the article or
    before a nisba ending (``السياسي`` is not ``يأس``).

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

Argument frames (who a word is about)
    A clause can speak about several actors: in «تدعم فرنسا حفتر» nothing is said *about*
    Haftar, and in «حذرت مصر من سقوط سرت» the fall is not Egypt's. After the lexicon hits of
    the window are found, :func:`frame_hits` keeps only those about the target and lists the
    others, with the reason, in the evidence (``not counted: ...``):

    - a target after في، قرب، مدينة، مخيم ... (``setting_markers.txt``) is a setting: no sentiment;
    - the subject of a speech verb (``speech_verbs.txt``: قال، أكد، أعلن، نفى ...) gets nothing
      from what it says (after أن / إن / «) unless the quote is about itself (إنه، قواته،
      «نرحب ...», or its own name again), nor from what it denies;
      ``وقال X: «...»`` keeps the quote in X's window (:func:`quote_window`);
    - the relation words of the stance stage (:func:`relation_words`: the supports family of
      ``data/stance_lexicon.csv`` and ``data/stance_rules.csv``) are stance, not sentiment: no
      score for the one supported, nor for the supporter of an actor; the agent of a judgement
      word (opposes / criticises: أدان، اتهم، حذّر) is neutral and the content of its warning or
      charge is not its own; the accused keeps the charge;
    - a negative word whose object is the target (another actor between, or على) is an act the
      target suffers: victims are not judged; nor is the subject of a suffer verb
      (``suffer_verbs.txt``: تعرضت القاعدة لهجوم), nor a backer named after a passive participle
      of support (الفصائل المدعومة من تركيا), nor either side of fighting between two named
      sides (اشتبكت X مع Y);
    - the accused of an accusation (اتهم / حمّل, :func:`accusation_words`) keeps the charge
      that follows it (اتهم نواب الحكومة بالعجز: the government is negative); the accuser does
      not: **an accusation is charged to the accused as the sentence reports it** (guideline v2),
      and the evidence shows the accusation word, so a reader sees it is an allegation;
    - a positive word after the clause's subject is the subject's predicate: an actor after
      it that a preposition leads (أمام X، إلى X) or that is the object of a purpose masdar
      (لمساعدة X) does not take it, nor does the first mention's object in verb-subject-object
      order; a verb that takes a word back with a pronoun names its agent (جهود الوساطة التي
      تقودها X، حصار تفرضه X);
    - the one criticised keeps the reason (انتقدت X Y لقمعها ...), and so does an actor that
      faces criticism (يواجه X انتقادات بسبب ...); what an actor threatens (هدّد X باستهداف ...)
      is its own; concern (أبدى X قلقه من ...) is like a warning;
    - a loss reported in the passive (اغتيل، أصيب، قتل ثلاثة ...) has victims, not agents,
      unless an agent marker names one (بنيران X); the topic of a meeting (لبحث التصعيد), the
      suffering a constructive act addresses (مساعدات للنازحين) and what a hostile act hits
      (اختطف عمال الإغاثة) are nobody's deed;
    - praise words count for both sides; every other word belongs to the nearest mention (ties
      to the mention after the word), and mentions joined by و share a frame (also over a title
      or nisba: بوتين والتركي أردوغان).
    The rules follow the annotation guidelines of ``data/eval/README.md``; ``settings.frames``
    switches them off.

Acts (who did what)
    ``data/lexicon/acts.csv`` lists acts by family, with the polarity their **agent** gets:
    humanitarian (أفرج، أطلق سراح، أوصل / قدّم مساعدات، سهّل الدخول)، de-escalation (سحب القوات،
    أوقف القتال، رفع الحصار)، agreement (وقّع / أبرم اتفاقا)، transition (سلّم السلطة)،
    restoration (أعاد فتح، استأنف المحادثات)، commitment (التزم، احترم) on the positive side;
    violation, obstruction (منع دخول المساعدات، أغلق المعابر)، atrocity (هجّر، نهب، أعدم) and
    armament (زوّد / دعم بالسلاح، نقل المرتزقة) on the negative side. Each row gives a root and
    verb form (or stems); every verb and masdar form with its clitics and pronouns comes from the
    stance stage's morphology (:func:`helpers.stance.inflect_lemma`), so ``يفرجون``، ``بالإفراج``،
    ``وسلّمت`` all match. A row may require an **object** within three words (mentions not
    counted, six for an instrument with ب): ``أطلق`` + ``سراح`` is a release, ``أطلق`` +
    ``صواريخ`` an attack, ``أطلق`` alone nothing. An act is charged to its **agent** only
    (the mention right after the verb, else right before it, else the first mention after it
    that no preposition introduces, else the nearest subject before it; a masdar coordinated
    with و shares the agent of the act before it); the one it is done to (an actor between
    verb and target, or a target after على، عن، من، إلى، ل) gets nothing, and an act after a
    preposition with no named agent (احتج على انتهاك سيادته) is nobody's. The words of the act's
    object phrase (قدّمت مساعدات إنسانية) are counted once, with the act (evidence
    ``object of ...: counted there``); an act of letting through whose object is harm
    (لن تسمح بعودة الإرهاب) takes the harm's sign. A hostile act right after a word of
    cessation (وقف، حظر، منع) is not asserted.

Negation of acts
    A negator before an act flips it whole (``act_negation_factor`` = -1): «لم تسمح بدخول
    المساعدات»، «دون التوقيع على الاتفاق» are obstructions, «لن تسمح بعودة الإرهاب» a
    commitment. A negated lexicon word keeps the seed rule (flipped and halved). Denials
    (ينفي، نفى) are speech: the denier gets nothing from what it denies.

Distance and labels
    A hit ``d`` words from the nearest target word weighs ``1 / (1 + distance_decay·(d-1))``.
    Labels: ``score >= threshold`` positive, ``score <= -threshold`` negative, otherwise
    neutral (``threshold`` = 0.3 by default). These settings were chosen on the development
    half of the evaluation items (see ``data/eval/README.md``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .clean import match_key
from .models import (
    ModelUnavailable,
    OutputCache,
    load_sentiment,
    load_transformers,
    resolve_profile,
)
from .paths import DATA_DIR
from .schema import ACTOR_SENTIMENT, RESOLVED_MENTIONS, SENTENCES, SENTIMENT_SUMMARY
from .stats import bootstrap_ci
from .tokens import word_spans

LEXICON_DIR = DATA_DIR / "lexicon"
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
    domain: str = ""  # conflict, humanitarian, diplomacy ... (the lexicon's domain column)
    pos: str = ""  # noun, verb, adj, phrase (the lexicon's pos column)


@dataclass(frozen=True)
class WordSet:
    """Match keys of words, exact or as prefixes (an entry written ``قال*`` matches every word
    that starts with ``قال``). A text word matches when one of its proclitic-stripped forms does.

    >>> WordSet.from_terms(["قال*", "بيان"]).match("وقالت")
    True
    """

    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()

    @classmethod
    def from_terms(cls, terms: Iterable[str]) -> WordSet:
        exact, prefixes = set(), set()
        for term in terms:
            term = term.strip()
            if not term or " " in term:  # multi-word triggers are left to the stance rules
                continue
            if term.endswith("*"):
                prefixes.add(match_key(term[:-1]))
            else:
                exact.add(match_key(term))
        return cls(frozenset(exact), tuple(sorted(p for p in prefixes if len(p) >= 2)))

    def match(self, word: str) -> bool:
        for form in _clitic_forms(word):
            if form in self.exact or form.startswith(self.prefixes):  # a tuple: any prefix
                return True
        return False

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)


@lru_cache(maxsize=100_000)
def _clitic_forms(word: str) -> tuple[str, ...]:
    return tuple(form for form, _ in proclitic_candidates(match_key(word)))


@dataclass(frozen=True)
class Act:
    """An act an actor performs (``data/lexicon/acts.csv``): its agent gets ``polarity``
    (positive for humanitarian, de-escalating and constructive acts, negative for violations,
    obstruction, atrocities and arming a party at war); the one it is done to gets nothing.
    ``objects``: words one of which must follow the verb within three words (empty: none needed);
    ``harm_object``: any harmful word of the lexicon (polarity below zero) is an object too
    (``@harm`` in the file: أوقفت السلطات ترحيل المهاجرين، أنهى الحصار).

    >>> act = Act("أطلق", 0.75, "humanitarian", WordSet.from_terms(["سراح"]))
    >>> act.objects.match("سراح")
    True
    """

    lemma: str
    polarity: float
    family: str
    objects: WordSet = field(default_factory=lambda: WordSet())
    harm_object: bool = False


HARM_OBJECT = "@harm"  # in acts.csv's object column: any word of negative polarity
ACT_COLUMNS = ("lemma", "polarity", "family", "root", "form", "perfect", "imperfect", "masdar",
               "active", "object")


def load_acts(path: str | Path | None = None, *, negators: Iterable[str] = ()) -> dict[str, tuple[Act, ...]]:
    """Index the acts file (default ``data/lexicon/acts.csv``) by inflected form.

    Each row names a lemma with its ``root`` and verb ``form`` (I-X) or explicit ``perfect`` /
    ``imperfect`` / ``masdar`` stems; the surface forms come from the stance stage's
    :func:`helpers.stance.inflect_lemma` (person prefixes and suffixes, object pronouns,
    possessives on the masdar), plus the active participle when the ``active`` column gives
    it. Forms shorter than three letters and negators (عدم) are never act forms. Rows of one
    form keep the file order (the first whose object is found wins). Missing file: no acts.

    >>> acts = load_acts()
    >>> [a.lemma for a in acts["يفرجون"]], acts["وقعت"][0].family
    (['أفرج'], 'agreement')
    """
    from .stance import inflect_lemma

    path = Path(path) if path else LEXICON_DIR / "acts.csv"
    if not path.is_file():
        return {}
    table = _read_terms(path, ["lemma", "polarity"])
    for col in ACT_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    skip = {match_key(n) for n in negators}
    index: dict[str, list[Act]] = {}
    for i, row in enumerate(table.to_dict("records")):
        where = f"{path.name} line {i + 2} (lemma {row['lemma']!r})"
        try:
            polarity = float(row["polarity"])
            forms = inflect_lemma(row)
        except ValueError as err:
            raise ValueError(f"{where}: {err}; polarity must be a number in [-1, 1] and the "
                             "root three letters (or give the stems)") from None
        if not -1 <= polarity <= 1:
            raise ValueError(f"{where}: polarity {polarity} is not in [-1, 1]")
        objects = str(row["object"] or "").split("|")
        act = Act(str(row["lemma"]), polarity, str(row.get("family") or ""),
                  WordSet.from_terms(o for o in objects if o.strip() != HARM_OBJECT),
                  harm_object=HARM_OBJECT in (o.strip() for o in objects))
        # a short perfect with the pronoun ه reads like a feminine noun (هجره = الهجرة): left out
        words = (forms["verb"] - {f for f in forms["verb_obj"] if f.endswith("ه") and len(f) <= 4}
                 ) | forms["masdar"]
        if str(row["active"] or "").strip() not in ("", "-"):
            words |= forms["active"]
        if not words:
            raise ValueError(f"{where}: no forms: give a root and form, or the stems")
        for form in words:
            if len(form) >= 3 and form not in skip:
                index.setdefault(form, []).append(act)
    return {form: tuple(acts) for form, acts in index.items()}


@dataclass(frozen=True)
class Lexicon:
    """The polarity lexicon plus the negator, exception and intensifier lists, keyed for matching."""

    entries: dict[tuple[str, ...], LexEntry]
    negators: frozenset[str]
    exceptions: dict[tuple[str, ...], str]
    intensifiers: dict[str, float]
    clause_markers: tuple[tuple[str, ...], ...]
    by_first: dict[str, tuple[LexEntry, ...]] = field(init=False, repr=False)
    #: argument frames (optional files): speech verbs, setting markers, relation words
    speech_verbs: WordSet = field(default_factory=lambda: WordSet())
    setting_markers: WordSet = field(default_factory=lambda: WordSet())
    relations: dict[str, WordSet] = field(default_factory=dict)
    #: verbs whose subject suffers what follows (``suffer_verbs.txt``: تعرض، عانى)
    suffer_verbs: WordSet = field(default_factory=lambda: WordSet())
    #: acts (``acts.csv``): inflected verb / masdar form -> the acts it may head
    acts: dict[str, tuple[Act, ...]] = field(default_factory=dict)
    #: nouns of an actor's own that an attack hits (``patient_heads.txt``: عناصر، مواقع، مقر)
    patient_heads: WordSet = field(default_factory=lambda: WordSet())
    #: verbs of calling on someone to act (``call_verbs.txt``: دعا، حث، طالب، ناشد)
    call_verbs: WordSet = field(default_factory=lambda: WordSet())

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
    >>> "ياسي" in dict(proclitic_candidates("السياسي")), "يهاجم" in dict(proclitic_candidates("وسيهاجم"))
    (False, True)
    """
    from .clean import strip_clitics

    # (strip_clitics never takes the future prefix س after the article or before a nisba
    # ending: (ال)سياسي is not ال + س + ياسي, يأس)
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
    forms = dict(proclitic_candidates(match_key(word)))
    for form, cost in list(forms.items()):  # terms are keyed without a leading ال (ألغام -> غام)
        bare = strip_article(form)
        if bare != form and bare not in forms:
            forms[bare] = cost + 2
    for form, cost in sorted(forms.items(), key=lambda kv: (kv[1], -len(kv[0]))):
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
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    except pd.errors.ParserError as err:  # «Expected 12 fields in line 86, saw 14»
        raise ValueError(f"{path.name}: {str(err).strip()}. A row has more fields than the header: put a "
                         "cell that holds a comma in double quotes (\"a, b\").") from None
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


def _column(table: pd.DataFrame, name: str) -> list[str]:
    """An optional text column of a lexicon table ("" where absent or empty)."""
    return table[name].fillna("").astype(str).tolist() if name in table else [""] * len(table)


@lru_cache(maxsize=4)
def load_lexicon(folder: str | None = None) -> Lexicon:
    """Load and key the lexicon files of ``folder`` (default ``data/lexicon``).

    Files: ``polarity_ar.csv`` (term, polarity, ...), ``negators.csv`` (term, kind =
    negator | exception), ``intensifiers.csv`` (term, factor), ``clause_markers.txt`` (one
    connective per line); optional ``speech_verbs.txt`` and ``setting_markers.txt`` (one word
    per line, ``*`` = any ending) for the argument frames. The relation words (triggers of the
    ``supports`` and ``opposes`` families) are read from ``data/stance_rules.csv``, the stance
    stage's rules, so that the two stages agree on what a stance word is. Cached per folder.
    """
    path = Path(folder) if folder else LEXICON_DIR
    table = read_lexicon_table(path)
    entries = {
        k: LexEntry(t, k, p, d, pos) for t, k, p, d, pos in zip(
            table["term"], table["key"], table["polarity"], _column(table, "domain"), _column(table, "pos"),
            strict=True)
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
    return Lexicon(entries, negators, exceptions, intensifiers, tuple(markers),
                   speech_verbs=WordSet.from_terms(_word_lines(path / "speech_verbs.txt")),
                   setting_markers=WordSet.from_terms(_word_lines(path / "setting_markers.txt")),
                   suffer_verbs=WordSet.from_terms(_word_lines(path / "suffer_verbs.txt")),
                   relations=relation_words(), acts=load_acts(path / "acts.csv", negators=negators),
                   patient_heads=WordSet.from_terms(_word_lines(path / "patient_heads.txt")),
                   call_verbs=WordSet.from_terms(_word_lines(path / "call_verbs.txt")))


def _word_lines(path: Path) -> list[str]:
    """Non-comment lines of an optional word-list file (empty when the file is absent)."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


#: stance families whose words are relations between actors, not sentiment (see "Argument frames")
ALIGNMENT_FAMILIES = ("supports",)
JUDGEMENT_FAMILIES = ("opposes", "criticises", "criticizes")
#: lemmas of the supports family that are evaluations or acts, so still sentiment: praise and
#: thanks (the speaker of praise is positive, the praised too) and helping
EVALUATIVE_LEMMAS = ("أشاد", "ثمن", "شكر", "ساعد")


@lru_cache(maxsize=2)
def relation_words(rules_path: str | None = None) -> dict[str, WordSet]:
    """The stance stage's relation words, grouped as ``{"alignment": WordSet, "judgement":
    WordSet}``: the ``supports`` family (دعم، ساند، أيّد، موّل، رحب ...) and the ``opposes`` /
    ``criticises`` families (أدان، اتهم، حذّر، رفض، عقوبات ...).

    Read from the stance stage's own data, so that both stages agree on what a stance word
    is: the inflected forms of the relation lexicon (``data/stance_lexicon.csv`` through
    :func:`helpers.stance.lexicon_forms`, without :data:`EVALUATIVE_LEMMAS`) and the literal
    triggers of ``data/stance_rules.csv`` (``rules_path``). Empty sets when neither exists.
    """
    groups = {"alignment": ALIGNMENT_FAMILIES, "judgement": JUDGEMENT_FAMILIES}
    terms: dict[str, set[str]] = {name: set() for name in groups}
    try:
        from .stance import lexicon_forms, load_stance_lexicon

        lex = load_stance_lexicon()
        lex = lex[~lex["lemma"].map(match_key).isin({match_key(w) for w in EVALUATIVE_LEMMAS})]
        for pairs in lexicon_forms(lex).values():
            for form, family in pairs:
                for name, families in groups.items():
                    if family in families:
                        terms[name].add(form)
    except (ImportError, FileNotFoundError, ValueError, KeyError):  # no relation lexicon: rules only
        pass
    path = Path(rules_path) if rules_path else DATA_DIR / "stance_rules.csv"
    if path.is_file():
        rules = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
        if {"relation", "trigger"} <= set(rules.columns):
            for name, families in groups.items():
                for cell in rules.loc[rules["relation"].isin(families), "trigger"]:
                    terms[name].update(t for t in cell.split("|") if t and not t.startswith("@"))
    return {name: WordSet.from_terms(words) for name, words in terms.items()}


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class BundledSettings:
    """Parameters of the bundled lexicon method (see the module docstring).

    The defaults were chosen on the development half of ``data/eval/sentiment.csv``
    (``split == "dev"``) only; ``frames=False`` switches the argument frames off (every word
    of the window counts, as before they existed), to compare.
    """

    negation_window: int = 3
    negation_factor: float = -0.5
    intensifier_window: int = 3
    distance_decay: float = 0.25
    threshold: float = 0.3
    stem: bool = True
    exclude_mentions: bool = True
    frames: bool = True  # argument frames (frame_hits); False scores every word of the window
    act_negation_factor: float = -1.0  # a negated constructive act (لم يسمح، دون التوقيع) flips whole


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
    act: str = ""  # family of the act (acts.csv) this word heads; "" for a lexicon word
    object_at: int = -1  # word position of the act's object word
    absorbed: str = ""  # the act whose object this word is: counted with the act, not again
    domain: str = ""  # the lexicon entry's domain ("" for acts)
    pos: str = ""  # the lexicon entry's part of speech ("" for acts)

    @property
    def contribution(self) -> float:
        return 0.0 if self.absorbed else self.polarity * self.weight

    def describe(self) -> str:
        note = []
        if self.act:
            note.append(f"act {self.act}")
        if self.negator:
            note.append(f"neg {self.negator}")
        if self.intensifier:
            note.append(f"int {self.intensifier}")
        if self.absorbed:
            note.append(f"object of {self.absorbed}: counted there")
        extra = f"({', '.join(note)})" if note else ""
        return f"{self.surface}:{self.polarity:+.2f}×{self.weight:.2f}{extra}"


#: words under which an act is being stopped, not done (وقف إطلاق النار، حظر الأسلحة، منع نقل المرتزقة)
_CESSATION = frozenset({"وقف", "وقفا", "ايقاف", "توقف", "انهاء", "حظر", "منع", "نزع", "سحب", "تجميد"})
ACT_OBJECT_WINDOW = 3  # words (mentions not counted) between an act and its object
INSTRUMENT_WINDOW = 6  # ... or its instrument with ب (تدعم X فصائل مسلحة في العراق بالسلاح)


def _phrase_word(key: str, want: str, *, ell: bool = False) -> bool:
    """A later word of a multi-word entry: the word itself or without the article (and, with
    ``ell``, without a leading ل: لإطلاق -> إطلاق)."""
    if key == want or strip_article(key) == want:
        return True
    return ell and key.startswith("ل") and (key[1:] == want or strip_article(key[1:]) == want
                                            or key.startswith("لل") and key[2:] == want)


def _lexicon_sign(cands: Sequence[tuple[str, int]], lexicon: Lexicon) -> float:
    """Sign of the lexicon entry a word may start (single word or the first of a phrase), 0 if none."""
    for key, _ in cands:
        entry = lexicon.entries.get((key,))
        if entry is not None:
            return math.copysign(1.0, entry.polarity)
        for phrase in lexicon.by_first.get(key, ()):
            return math.copysign(1.0, phrase.polarity)
    return 0.0


def _object_match(objects: WordSet, word: str) -> bool:
    """``word`` (with proclitics and up to two suffixes removed: دخولها -> دخول) is an object."""
    for form, _ in candidate_keys(word):
        if form in objects.exact or any(form.startswith(p) for p in objects.prefixes):
            return True
    return False


def _match_act(i: int, surf: Sequence[str], blocked: set[int], lexicon: Lexicon) -> Hit | None:
    """The act headed by word ``i`` (an inflected verb or masdar of ``acts.csv``) when its
    object follows within :data:`ACT_OBJECT_WINDOW` words, as a :class:`Hit`; else ``None``.
    A hostile act right after a word of cessation (وقف، حظر، منع) is not asserted."""
    acts = next((lexicon.acts[f] for f in _clitic_forms(surf[i]) if f in lexicon.acts), ())
    if not acts:
        return None
    stopped = any(f in _CESSATION for j in range(max(0, i - 2), i) for f in _clitic_forms(surf[j]))
    for act in acts:
        if act.polarity < 0 and stopped:
            continue
        if not act.objects:
            return Hit(surf[i], act.lemma, act.polarity, i, i, act=act.family or "act")
        seen = 0
        led = i > 0 and match_key(surf[i - 1]) in _OBJECT_MARKERS | _ROLE_PREPOSITIONS | {"نحو"}
        for j in range(i + 1, len(surf)):
            if j in blocked:
                continue  # the agent between verb and object (أطلق الجيش سراح ...)
            seen += 1
            if seen > INSTRUMENT_WINDOW:
                break
            instrument = match_key(surf[j]).startswith(("ب", "وب", "وال"))  # زودها بالسلاح
            if seen > ACT_OBJECT_WINDOW and not instrument:
                continue
            # any harm as object (@harm): in the first two free words, not the harm of a named
            # actor after it (إنهاء هجوم قوات X is X's attack), not after a preposition (على إنهاء)
            harm = (act.harm_object and seen <= 2 and j + 1 not in blocked and not led
                    and _lexicon_sign(candidate_keys(surf[j]), lexicon) < 0)
            if (harm or _object_match(act.objects, surf[j])) and not (
                    act.polarity < 0 and j - 1 > i
                    and any(f in _CESSATION for f in _clitic_forms(surf[j - 1]))):
                return Hit(f"{surf[i]}…{surf[j]}", act.lemma, act.polarity, i, i,
                           act=act.family or "act", object_at=j)
        if match_key(surf[i]).endswith(("ه", "ها", "هم")):  # مسيرة أطلقتها X: the object before
            for j in (i - 1, i - 2):
                if j >= 0 and j not in blocked and _object_match(act.objects, surf[j]):
                    return Hit(f"{surf[j]}…{surf[i]}", act.lemma, act.polarity, i, i,
                               act=act.family or "act", object_at=j)
    return None


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
    named = set(target_pos) | {i for i, sp in enumerate(spans) if overlaps(sp, exclude_spans)}
    blocked = set(named)  # grows with the objects of acts
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
        # 2. acts (acts.csv): a verb or masdar with its object within three words
        act_hit = _match_act(i, surf, blocked, lexicon) if lexicon.acts else None
        if act_hit is not None:
            hits.append(act_hit)
            j = act_hit.object_at
            if j >= 0 and not _lexicon_sign(cands[j], lexicon):
                blocked.add(j)  # the object is part of the act (a lexicon object stays as evidence)
            i += 1
            continue
        # 3. multi-word lexicon entries: longest first, then the least stripped first word; a
        # phrase of three words or more may have one modifier after its first word, its next
        # word then taking ل (وقف فوري لإطلاق النار)
        best: tuple[int, int, int, LexEntry] | None = None
        for key0, cost in cands[i]:
            for entry in lexicon.by_first.get(key0, ()):
                length = len(entry.key)
                for gap in ((0, 1) if length >= 3 else (0,)):
                    end = i + length + gap
                    if end > n or any(j in blocked for j in range(i, end)):
                        continue
                    if all(_phrase_word(keys[i + gap + j], entry.key[j], ell=gap > 0 and j == 1)
                           for j in range(1, length)):
                        if best is None or (length, -gap, -cost) > (best[0], -best[1], -best[2]):
                            best = (length, gap, cost, entry)
        if best:
            length, gap, _, entry = best
            hits.append(Hit(" ".join(surf[i:i + length + gap]), entry.term, entry.polarity, i,
                            i + length + gap - 1, domain=entry.domain, pos=entry.pos))
            i += length + gap
            continue
        # 4. negators and intensifiers (after a conjunction و/ف or the article: ولم, الكامل)
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
        # 5. single-word entries, least stripped candidate first
        for key, _cost in cands[i]:
            entry = lexicon.entries.get((key,))
            if entry is not None:
                hits.append(Hit(surf[i], entry.term, entry.polarity, i, i, domain=entry.domain, pos=entry.pos))
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
            # a constructive act withheld (لم يسمح بدخول المساعدات، دون التوقيع) is an obstruction
            h.weight *= settings.act_negation_factor if h.act else settings.negation_factor
    # words of the same polarity in an act's object phrase (قدمت مساعدات إنسانية، لم تسمح بدخول
    # المساعدات) are what the act is about: the act counts them once
    for h in hits:
        if not h.act:
            continue
        # the object phrase: three words after the object (or the verb), mentions not counted
        free: list[int] = []
        for j in range(max(h.last, h.object_at) + 1, n):
            if (j in named and free) or len(free) == 3:
                break  # a mention after the object ends its phrase (مرور القوافل إلى الفاشر)
            if j not in blocked:
                free.append(j)
        end = max(free[-1] if free else h.last, h.object_at)
        inside = [o for o in hits if o is not h and not o.act and (
            h.last < o.first <= end or o.first == h.object_at < h.first)]  # مسيرة أطلقتها X
        if h.act == "passage" and inside and inside[0].polarity * h.polarity < 0:
            h.polarity = -h.polarity  # letting harm through (لن تسمح بعودة الإرهاب) is no aid
        for o in inside:
            o.absorbed = h.term
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


_COMPLEMENTIZERS = frozenset({"ان", "بان", "وان", "انه", "انها", "انهم", "بانه", "بانها", "بانهم", "وانه"})
_OBJECT_MARKERS = frozenset({"على", "علي", "ضد", "الى", "لدى", "تجاه"})
_PATIENT_MARKERS = frozenset({"على", "علي"})  # هجوم على X: X is the one attacked
_PARTY_MARKERS = frozenset({"بين", "مع"})
_ROLE_PREPOSITIONS = frozenset({"عن", "من", "الي", "في", "ل", "امام", "لصالح"})  # أفرج عن X، إلى X، أمام X
#: words after which a harm is the topic of a meeting or a statement, not a deed (لبحث التصعيد)
_TOPIC_WORDS = frozenset({"بحث", "لبحث", "وبحث", "بحثا", "مناقشه", "لمناقشه", "ناقش", "ناقشت", "يناقش",
                          "تناقش", "بشان", "حول", "ملف", "تناول", "تناولت", "لتناول"})
#: passive verbs of loss (اُغتيل، أُصيب) and harm verbs that read as passive before a count
_PASSIVE_LOSS = frozenset({"اغتيل", "اغتيلت", "اصيب", "اصيبت", "اصيبوا", "استشهد", "استشهدت", "استشهدوا"})
_LOSS_VERBS = frozenset({"قتل", "قتلت", "جرح", "اعتقل", "اختطف", "اسر", "خطف", "اعدم"})
_COUNT_WORDS = frozenset({"اثنان", "اثنين", "ثلاثه", "اربعه", "خمسه", "سته", "سبعه", "ثمانيه", "تسعه", "عشره",
                          "عشرات", "مئات", "الاف", "العشرات", "المئات", "الالاف", "عدد", "نحو",
                          "جنديان", "شخصان", "مدنيان", "طفلان"})
#: words that name the agent of a harm reported in the passive (بنيران X، على يد X، من قبل X)
_AGENT_MARKERS = frozenset({"بنيران", "يد", "قبل", "برصاص"})
_RELATIVES = frozenset({"الذي", "التي", "الذين", "اللذين", "اللتين", "اللذان", "اللتان"})
_OWNER_LINKS = frozenset({"من", "تابعه", "التابعه", "تابع", "التابع", "تابعين"})  # عناصر من X
#: what a call (:meth:`_Frame.call_role`) means for the target: counted for the caller
_CALL_VERDICT = {"caller": None,
                 "addressee": "what the target is called on to do (دعا X Y إلى ...): not judged"}
_CALL_CONTENT = frozenset({"الي", "إلى", "على", "علي"})  # دعا X Y إلى ...، حث X Y على ...
_MASDAR_PREFIXES = ("ب", "ل", "ال", "وب", "وال")  # a harm noun, not a verb: بقصف، الهجوم
_COMPASS = frozenset({"شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "وسط"})
_SELF_COMPLEMENTIZERS = frozenset({"انه", "انها", "انهم", "بانه", "بانها", "بانهم", "وانه"})
_GLUED_PREPOSITIONS = ("ل", "ب", "لل", "وب", "ول")  # «انتقادات لـ[عملية إيريني]»
#: speech verbs whose whole complement is not the speaker's own deed: a denial
DENIAL_VERBS = WordSet.from_terms(["نفى", "نفت", "ينفي", "تنفي", "نفوا", "نفي"])
#: praise words count for both sides: the one who praises and the one praised
PRAISE_WORDS = WordSet.from_terms(["أشاد*", "يشيد*", "تشيد*", "إشادة", "ثمن", "ثمنت", "يثمن", "تثمن",
                                   "شكر", "شكرت", "يشكر", "تشكر", "هنأ*", "تهنئة"])
#: words of concern: like a warning, what follows is feared, not the speaker's deed (أبدت X قلقها من ...)
CONCERN_WORDS = WordSet.from_terms(["قلق", "قلقه", "قلقها", "قلقهم", "قلقا", "مخاوف", "مخاوفه", "مخاوفها",
                                    "خشيته", "خشيتها", "أسفه", "أسفها", "انزعاجه", "انزعاجها"])
#: words of fighting: with مع / بين and a second side they report mutual combat, not a deed
COMBAT_WORDS = WordSet.from_terms(["اشتبك*", "يشتبك*", "تشتبك*", "اشتباك*", "معارك", "معركة",
                                   "مواجهات", "اقتتال", "قتال", "تقاتل*", "يتقاتل*", "تتقاتل*"])
#: act families done by both sides: the parties after بين / مع are agents, not objects
MUTUAL_ACTS = frozenset({"exchange", "agreement"})
#: a verb of exchange makes a judgement mutual: تبادل X وY الاتهامات
MUTUAL_VERBS = WordSet.from_terms(["تبادل*", "يتبادل*", "تتبادل*"])


def _inflected(entries: Iterable[dict], parts: tuple[str, ...], *, no_object: bool = False) -> WordSet:
    """The forms ``parts`` (``verb``, ``masdar``, ``passive`` ...) of lemma rows, as made by
    the stance stage's morphology (:func:`helpers.stance.inflect_lemma`); ``no_object``
    leaves out verbs with an object pronoun (تتهمه: the pronoun is the object, not the next
    mention)."""
    from .stance import inflect_lemma

    forms: set[str] = set()
    for entry in entries:
        inflected = inflect_lemma(entry)
        for part in parts:
            forms |= inflected[part] - (inflected["verb_obj"] if no_object and part == "verb" else set())
    return WordSet(frozenset(forms))


def _family_rows(family: str) -> list[dict]:
    """The rows of one family of the stance lexicon (none when it cannot be read)."""
    try:
        from .stance import load_stance_lexicon

        lex = load_stance_lexicon()
    except (ImportError, FileNotFoundError, ValueError):
        return []
    return lex[lex["family"] == family].to_dict("records")


@lru_cache(maxsize=1)
def backed_words() -> WordSet:
    """Passive participles of the supports family of the stance lexicon (مدعوم، ممول، مسلح
    ...), as match keys: «الفصائل المدعومة من تركيا» names a backer after من.

    >>> backed_words().match("المدعومة")
    True
    """
    return _inflected(_family_rows("supports"), ("passive",))


@lru_cache(maxsize=1)
def accusation_words() -> WordSet:
    """Inflected forms of the verbs of accusation (اتهم، حمّل المسؤولية) and their masdars,
    from the stance stage's morphology (:func:`helpers.stance.inflect_lemma`).

    >>> accusation_words().match("وتتهم"), accusation_words().match("حملت"), accusation_words().match("تتهمه")
    (True, True, False)
    """
    return _inflected(({"root": "وهم", "form": "VIII"}, {"root": "حمل", "form": "II", "masdar": "تحميل"}),
                      ("verb", "masdar"), no_object=True)


@lru_cache(maxsize=1)
def criticism_words() -> WordSet:
    """Inflected forms of the verbs of criticism and condemnation (the ``criticises`` family
    of the stance lexicon: انتقد، أدان، ندّد ...) and their masdars, and the plural nouns of
    judgement: the one criticised keeps the reason given with ب or ل (انتقدت المنظمة السلطات
    لقمعها المتظاهرين، وجه انتقادات لـ X بسبب ...).

    >>> criticism_words().match("انتقدت"), criticism_words().match("وأدانت"), criticism_words().match("قال")
    (True, True, False)
    """
    words = _inflected(_family_rows("criticises"), ("verb", "masdar"), no_object=True)
    plurals = {match_key(w) for w in ("انتقادات", "إدانات", "اتهامات")}
    return WordSet(words.exact | plurals, words.prefixes)


@lru_cache(maxsize=1)
def threat_words() -> WordSet:
    """Inflected forms of the verbs of threatening (هدّد، توعّد) and their masdars: what an
    actor threatens to do (هددت الجماعة باستهداف السفن) is its own hostile intent, not the
    content of a warning about someone else.

    >>> threat_words().match("هددت"), threat_words().match("وتوعد"), threat_words().match("حذر")
    (True, True, False)
    """
    return _inflected(({"root": "هدد", "form": "II"}, {"root": "وعد", "form": "V"}), ("verb", "masdar"))


def quote_window(text: str, win: tuple[int, int], lexicon: Lexicon) -> tuple[int, int]:
    """Extend a clause window that holds a speech verb over the quotation that follows it
    (``وقال X: «...»``): the quote is the speaker's view, and :func:`frame_hits` decides
    whether it is about the speaker.

    >>> s = "وقال المتحدث: «نرحب بالاتفاق»"
    >>> s[slice(*quote_window(s, (0, 12), load_lexicon()))]
    'وقال المتحدث: «نرحب بالاتفاق»'
    """
    m = re.match(r"\s*[:،,]?\s*«", text[win[1]:])
    if not m:
        return win
    if not any(lexicon.speech_verbs.match(text[a:b]) for a, b in word_spans(text[win[0]:win[1]])
               for a, b in [(a + win[0], b + win[0])] if _is_word(text[a:b])):
        return win
    close = text.find("»", win[1] + m.end())
    return (win[0], close + 1 if close >= 0 else len(text))


def _positions(spans: Sequence[tuple[int, int]], mention: Sequence[tuple[int, int]]) -> list[int]:
    return [i for i, (a, b) in enumerate(spans) if any(a < y and x < b for x, y in mention)]


@dataclass
class _Frame:
    """The words of one window, the target's word positions and the other actors' positions."""

    text: str
    spans: list[tuple[int, int]]
    keys: list[str]
    target: list[int]
    actors: list[list[int]]
    target_start: int
    lexicon: Lexicon
    acts: list[Hit] = field(default_factory=list)  # the act hits of the window, in order
    hit_at: set[int] = field(default_factory=set)  # word positions of all hits
    hits: list[Hit] = field(default_factory=list)  # all hits of the window, in order

    def word(self, i: int) -> str:
        return self.text[self.spans[i][0]:self.spans[i][1]]

    def is_setting(self, pos: list[int]) -> bool:
        """After في، قرب، مدينة ... (or such a word heading the mention itself, except a compass
        word: جنوب السودان is a state, not a place in the south)."""
        markers = self.lexicon.setting_markers
        head = self.word(pos[0])
        own = markers.match(head) and not any(f in _COMPASS for f in _clitic_forms(head))
        return own or (pos[0] > 0 and markers.match(self.word(pos[0] - 1)))

    def is_object(self, word_last: int, pos: list[int]) -> bool:
        """The mention at ``pos`` is the object of the word ending at ``word_last``: another
        actor (the subject) stands between, or a preposition (على، ضد، إلى، ل/ب glued) leads it."""
        if pos[0] <= word_last:
            return False
        if any(word_last < m[0] < pos[0] for m in self.actors):
            return True  # verb - subject - object
        before = self.keys[pos[0] - 1] if pos[0] - 1 > word_last else ""
        # or two words before, over a common noun (عقوبات على مجموعة فاغنر)
        before2 = self.keys[pos[0] - 2] if pos[0] - 2 > word_last else ""
        glued = pos is self.target and self.text[self.spans[pos[0]][0]:self.target_start] in _GLUED_PREPOSITIONS
        # over a title: انتقادات لرئيس الوزراء X، دعم لوزير الدفاع X
        titled = any(self.keys[k].startswith("ل") and not self.keys[k].startswith("لل")
                     and _title_word(self.keys[k][1:]) and all(
                         _title_word(self.keys[x]) or self.keys[x].startswith("ال")
                         for x in range(k + 1, pos[0]))
                     for k in range(max(word_last + 1, pos[0] - 3), pos[0]))
        return (titled or before in _OBJECT_MARKERS or before2 in _OBJECT_MARKERS
                or self.keys[pos[0]].startswith(("لل", "بال")) or glued)

    def subject_of(self, i: int) -> list[int] | None:
        """The mention that is the subject of the verb at ``i``: the first one within four words
        after it (verb-subject order), else the nearest one before it."""
        mentions = [self.target, *self.actors]
        after = [m for m in mentions if 0 < m[0] - i <= 4]
        if after:
            return min(after, key=lambda m: m[0])
        return max((m for m in mentions if m[-1] < i), key=lambda m: m[-1], default=None)

    def quote_start(self) -> int | None:
        """Where what the target says begins, when the target is a speaker and what it says is
        not about itself (or is a denial); ``None`` otherwise."""
        for i in range(len(self.keys)):
            if not self.lexicon.speech_verbs.match(self.word(i)):
                continue
            if self.subject_of(i) is not self.target:
                continue
            if DENIAL_VERBS.match(self.word(i)):
                return self.target[-1] + 1  # نفت أنقرة وجود مرتزقة: the denier is not the mercenaries
            head = max(i, self.target[-1])
            start = next((j for j in range(head + 1, len(self.keys)) if self.keys[j] in _COMPLEMENTIZERS), None)
            guillemet = self.text.find("«", self.spans[head][1])
            if guillemet >= 0:
                quoted = next((j for j, (a, _) in enumerate(self.spans) if a > guillemet), None)
                if quoted is not None and (start is None or quoted < start):
                    start = quoted
            if start is None or self.about_self(start):
                return None  # no quote, or قال X إن قواته ملتزمة ...: about the speaker's side
            return start
        return None

    def about_self(self, start: int) -> bool:
        """A quote about the speaker: it names the speaker's actor again, or opens on the
        speaker's own side: إنه / إنها / أنهم, a possessive pronoun (قواته، بلاده، قواتنا) or a
        first-person verb in a direct quote («نرحب ...»)."""
        if any(p >= start for p in self.target) or self.keys[start] in _SELF_COMPLEMENTIZERS:
            return True
        direct = self.keys[start] not in _COMPLEMENTIZERS
        if not direct:
            start += 1  # the first word of the quote proper
        first = self.keys[start] if start < len(self.keys) else ""
        if any(start in m for m in self.actors) or len(first) < 4:
            return False
        return first.endswith(("ه", "ها", "هم", "نا")) or (direct and first.startswith("ن"))

    def agent_of(self, i: int, object_at: int = -1) -> list[int] | None:
        """The agent of the act at ``i``: the mention right after it (verb-subject order, or
        the possessor of a masdar: إفراج الحوثيين), else the mention right before it
        (subject-verb: الجيش يفرج), else the first mention within four words after it that no
        preposition introduces, else the nearest one before it."""
        mentions = [self.target, *self.actors]
        for m in mentions:
            if m[0] == i + 1:
                return m
        for m in mentions:
            if m[-1] == i - 1:
                return m
        limit = object_at if object_at > i else i + 5  # mentions after the object belong to it
        after = [m for m in mentions if i < m[0] < limit and m[0] - i <= 4 and not self.introduced(m)]
        if after:
            return min(after, key=lambda m: m[0])
        before = [m for m in mentions if m[-1] < i]
        accused = [m for m in before if self.charged(m)]
        if accused:  # حمّلت X Y مسؤولية التفجير: the act charged is Y's
            return accused[-1]
        # a mention right after another one is an object (غادر حفتر موسكو دون التوقيع), unless
        # a clause about it follows (وصف X Y بأنها «تخنق الإقليم بالحصار»)
        subjects = [m for m in before if not self.introduced(m) and (
            not any(o[-1] == m[0] - 1 for o in mentions if o is not m)
            or any(k in _COMPLEMENTIZERS for k in self.keys[m[-1] + 1:i]))]
        return max(subjects or before, key=lambda m: m[-1], default=None)

    def introduced(self, pos: list[int]) -> bool:
        """The mention is led by a preposition (على، عن، إلى، من، ل/ب glued): not a subject."""
        before = self.keys[pos[0] - 1] if pos[0] > 0 else ""
        glued = pos is self.target and self.text[self.spans[pos[0]][0]:self.target_start] in _GLUED_PREPOSITIONS
        return (before in _OBJECT_MARKERS | _ROLE_PREPOSITIONS or glued
                or self.keys[pos[0]].startswith(("لل", "بال")))

    def mutual_before(self, i: int) -> bool:
        return any(MUTUAL_VERBS.match(self.word(j)) for j in range(i))

    def judgement_start(self, phrases: Iterable[int] = ()) -> int | None:
        """Position of a judgement word (أدان، حذر، اتهم ...) whose agent is the target: what
        follows it is the content of the warning or charge, not the target's deed. Words of
        mentions and of the multi-word lexicon hits at ``phrases`` are not judgement words."""
        judgement = self.lexicon.relations.get("judgement")
        if not judgement or self.charged():
            return None
        inside = {p for m in [self.target, *self.actors] for p in m} | set(phrases)
        for i in range(len(self.keys)):
            if i in inside or not (judgement.match(self.word(i)) or accusation_words().match(self.word(i))
                                   or CONCERN_WORDS.match(self.word(i))):
                continue  # الائتلاف المعارض is a name
            if self.lexicon.suffer_verbs.match(self.word(i)):
                continue  # يواجه X انتقادات: X faces, it does not judge
            if threat_words().match(self.word(i)) and not self.introduced(self.target) and any(
                    self.keys[j].startswith("ب") and len(self.keys[j]) > 3
                    for j in range(i + 1, min(max(i, self.target[-1]) + 3, len(self.keys)))):
                continue  # هددت X باستهداف السفن: what X threatens to do is X's own

            if self.mutual_before(i) or self.is_object(i, self.target):
                return None
            # the target is its subject: just before it (مصر تحذر من) or just after it (حذرت مصر)
            agent = 0 < i - self.target[-1] <= 2 or self.subject_of(i) is self.target
            if agent and self.faces(i):
                return None  # يواجه X انتقادات بسبب ...: X is the one criticised
            if agent:
                return i
        return None

    def resumptive(self, h: Hit) -> list[int] | None:
        """The agent named after a verb that takes ``h`` back with a pronoun: «حصار مستمر
        تفرضه X»، «الهجمات التي تشنها X» (an imperfect verb ending in ه / ها / هم, right before
        the mention, within four words of ``h`` and no other mention between)."""
        mentions = [self.target, *self.actors]
        for k in range(h.last + 1, min(h.last + 5, len(self.keys) - 1)):
            if any(k in m for m in mentions):
                return None
            key = self.keys[k]
            if len(key) >= 5 and key.startswith(("ي", "ت")) and key.endswith(("ه", "ها", "هم")):
                return next((m for m in mentions if m[0] == k + 1), None)
        return None

    @cached_property
    def faced(self) -> int | None:
        """Position of the first judgement word after the target that the target faces
        (:meth:`faces`), else ``None``."""
        judgement = self.lexicon.relations.get("judgement")
        if not judgement:
            return None
        return next((i for i in range(self.target[-1] + 1, len(self.keys))
                     if judgement.match(self.word(i)) and self.faces(i)), None)

    def faces(self, i: int) -> bool:
        """The judgement word at ``i`` is something the target faces: a suffer verb
        (``suffer_verbs.txt``: تعرض، يواجه) with the target as its subject stands before it
        («يواجه الرئيس انتقادات بسبب ...»، «تعرضت الحكومة لانتقادات»)."""
        verbs = self.lexicon.suffer_verbs
        lo = max(0, self.target[0] - 4)  # over a title: يواجه الرئيس التونسي X
        return bool(verbs) and i > self.target[-1] and any(
            verbs.match(self.word(k)) for k in range(lo, i) if k not in self.target)

    def mutual_combat(self, h: Hit) -> bool:
        """A combat word followed by مع / بين and a mention (اشتبكت X مع Y، معارك بين X وY،
        بعد معارك مع X): the fighting is mutual."""
        for j in range(h.last + 1, min(len(self.keys), h.last + 4)):
            if self.keys[j] in _PARTY_MARKERS:
                return any(p > j for m in [self.target, *self.actors] for p in m)  # X مع Y share a frame
        return False

    def backer(self) -> bool:
        """The target backs a group named before it: it follows من after a passive participle
        of the supports family (الميليشيات المدعومة من أنقرة، الفصائل الممولة من X)."""
        start = self.target[0]
        return (start >= 2 and self.keys[start - 1] == "من"
                and backed_words().match(self.word(start - 2)))

    def suffers(self, h: Hit) -> bool:
        """A suffer verb (``suffer_verbs.txt``) whose subject is the target stands between the
        target and the harm: «تعرضت القاعدة لهجوم»، «الجيش يتعرض لهجمات»; or it opens the
        phrase the target (or what the target owns) ends, the harm after the target:
        «تعرض موكب وزير الدفاع X لهجوم»، «تعرضت قافلة تابعة لـ X لإطلاق نار»."""
        verbs = self.lexicon.suffer_verbs
        if not verbs or h.first <= self.target[-1]:
            return False
        lo = max(0, self.target[0] - 2)  # verb-subject: تعرض الجيش لهجوم
        owned = self.owned_patient
        if owned is not None:  # تعرضت قافلة تابعة لـ X لإطلاق نار: the target's own suffers it
            lo = max(0, min(lo, owned[0] - 2))
        # تعرض موكب وزير الدفاع X لهجوم: the verb opens the phrase the target closes
        for v in range(max(0, self.target[0] - 5), lo):
            if verbs.match(self.word(v)) and not any(
                    k in self.hit_at or any(k in m for m in self.actors) for k in range(v + 1, self.target[0])):
                return True
        return any(verbs.match(self.word(i)) for i in range(lo, h.first) if i not in self.target)

    @cached_property
    def owned_patient(self) -> tuple[int, bool, bool] | None:
        """The target owns what an attack may hit: the noun right before it (or two words
        before, over one noun: «مقر قيادة X»; over a link «من»، «تابعة لـ») is one of
        ``patient_heads.txt`` (عناصر، مواقع، مقر، جنود ...). Returns ``(head position,
        counted, ranks)``: ``counted`` when the noun is counted, a passive report of losses
        («ثلاثة من عناصر X»، «جنديان من قوات X»); ``ranks`` for «في صفوف X». ``None`` when
        the target owns no such noun."""
        heads = self.lexicon.patient_heads
        t0 = self.target[0]
        if not heads or t0 == 0:
            return None
        j, linked = t0 - 1, False
        if self.keys[j] in _OWNER_LINKS and j > 0:
            j, linked = j - 1, True
        if self.keys[j] == "صفوف":
            return (j, True, True)
        for k in (j, j - 1):
            if k < 0 or k in self.hit_at or any(k in m for m in self.actors):
                return None
            if heads.match(self.word(k)):
                counted = (k > 0 and self.keys[k - 1] == "من") or (
                    linked and self.keys[k].endswith("ان"))  # a dual subject: جنديان من X
                return (k, counted, False)
            if linked:  # «مخازن أسلحة تابعة لـ X»: one more noun before the link
                linked = False
                continue
        return None

    def call_role(self, h: Hit) -> str | None:
        """``"caller"`` or ``"addressee"`` when ``h`` is what a call verb (``call_verbs.txt``:
        دعا، حث، طالب) asks for and the target makes the call or is called on: «دعت مصر
        الأطراف السودانية إلى وقف إطلاق النار» (مصر calls, the parties are called on).
        The content starts at the first إلى / على or word glued to ب after the verb; of the
        mentions between the verb and it, two or more mean verb-subject-object (the first
        calls), one means subject-verb-object when a mention stands before the verb."""
        verbs = self.lexicon.call_verbs
        if not verbs:
            return None
        call = next((i for i in range(h.first - 1, -1, -1) if verbs.match(self.word(i))), None)
        if call is None:
            return None
        content = next((i for i in range(call + 1, h.first + 1)
                        if self.keys[i] in _CALL_CONTENT
                        or (self.keys[i].startswith("ب") and len(self.keys[i]) > 3
                            and not any(i in m for m in [self.target, *self.actors]))), None)
        if content is None:
            return None
        mentions = sorted([self.target, *self.actors], key=lambda m: m[0])
        between = [m for m in mentions if call < m[0] < content]
        before = [m for m in mentions if m[-1] < call]
        if len(between) >= 2 or (between and not before):
            caller, called = between[0], between[1:]
        elif before:
            caller, called = before[-1], between
        else:
            return None
        if caller is self.target:
            return "caller"
        return "addressee" if any(m is self.target for m in called) else None

    def owner_suffers(self, h: Hit) -> bool:
        """``h`` (a harm) is done to what the target owns (:meth:`owned_patient`): the
        target is a victim. A harm before the owned noun is done to it when it is a masdar
        (بقصف، الهجوم) or another word (the attacker, a count) stands between the verb and
        the noun; right after the verb the noun is its subject and the target acts
        («قتل عناصر من X مدنيين»). A harm after the target is done to it in a counted
        report of losses («أصيب خمسة من جنود X بقصف»)، before or after it."""
        owned = self.owned_patient
        if owned is None or h.polarity >= 0:
            return False
        head, counted, ranks = owned
        if ranks or (counted and (h.last < head or h.first > self.target[-1])):
            return True
        if h.last < head:
            # the words between, other than nouns of the same phrase («طائرة مسيرة»: the
            # drone that strikes), are the attacker: the owned noun is the object
            between = [i for i in range(h.last + 1, head)
                       if not self.lexicon.patient_heads.match(self.word(i))]
            return bool(between) or h.surface.startswith(_MASDAR_PREFIXES)
        return False

    def charged(self, pos: list[int] | None = None) -> bool:
        """The target is the accused of an accusation: a word of :func:`accusation_words`
        (اتهم، حمّل) up to six words before it and the charge right after it (a word glued to
        ب that is not an intensifier, أنه، مسؤولية): «اتهم نواب الحكومة بالعجز»، «حمّل X
        روسيا مسؤولية مقتل المدنيين». The accused keeps the charge; the accuser does not.
        After a verb of criticism or condemnation (:func:`criticism_words`) a reason with ل is
        a charge too: «انتقدت المنظمة السلطات لقمعها المتظاهرين». ``pos``: another mention
        instead of the target."""
        pos = self.target if pos is None else pos
        nxt = pos[-1] + 1
        if nxt >= len(self.keys):
            return False
        key = self.keys[nxt]
        charge = key.startswith(("مسؤولي", "المسؤولي", "بان")) or (
            key.startswith("ب") and len(key) > 3 and key not in self.lexicon.intensifiers)
        # a reason with ل after a verb of criticism: انتقدت X السلطات لاستمرارها في القمع
        reason = key.startswith("ل") and not key.startswith("لل") and len(key) > 4
        if not (charge or reason):
            return False
        if charge and any(accusation_words().match(self.word(i)) for i in range(max(0, pos[0] - 6), pos[0])):
            return True
        # انتقدت المنظمة السلطات ل/ب...: the criticised one is the object, another mention the
        # subject between the verb and it (نددت الخارجية بمقتل ... is the critic's own topic)
        mentions = [self.target, *self.actors]
        return any(criticism_words().match(self.word(i)) and any(i < m[0] and m[-1] < pos[0] for m in mentions)
                   for i in range(max(0, pos[0] - 6), pos[0]))

    def claims(self, h: Hit) -> bool:
        """The target claims ``h``: its own responsibility (a possessed مسؤوليته،
        مسؤوليتها ...) stands between it and the act, within three words after the target:
        «أعلن تنظيم داعش مسؤوليته عن تفجير». A responsibility laid on the target by another
        («حمّلت الحكومة X مسؤولية ...») has no possessive and is an accusation instead."""
        end = self.target[-1]
        return h.first > end and any(
            self.keys[i].startswith(("مسؤوليت", "مسووليت")) and len(self.keys[i]) > 7
            for i in range(end + 1, min(h.first, end + 4)))

    def act_reason(self, h: Hit) -> str | None:
        """An act (acts.csv) is about its agent only: the one it is done to, or handed to, is
        not judged by it (a victim of an attack, a receiver of weapons or of prisoners)."""
        if self.target[0] > h.last and (
                any(h.last < m[0] < self.target[0] for m in self.actors)
                or self.keys[self.target[0] - 1] in _PATIENT_MARKERS | _ROLE_PREPOSITIONS):
            return "the target undergoes the act" + (": a victim, not judged" if h.polarity < 0 else "")
        if self.target[0] <= h.last and (h.last - self.target[-1] > 1 and self.introduced(self.target)):
            return "the target undergoes the act"
        if (h.act in MUTUAL_ACTS and self.target[0] > h.last
                and self.keys[self.target[0] - 1] in _PARTY_MARKERS):
            return None  # تبادل الأسرى بين X وY، وقّع اتفاقا مع X: a party to the act
        if self.claims(h):
            return None  # أعلن X مسؤوليته عن تفجير ...: X did it
        if h.first > self.target[-1] and self.charged():
            return None  # حمّلت X Y مسؤولية التفجير: the act charged is the accused's
        role = self.call_role(h) if h.polarity > 0 else None
        if role:  # حث X الطرفين على احترام الهدنة
            return _CALL_VERDICT[role]
        resumed = self.resumptive(h)
        if resumed is not None:  # حصار ... تفرضه X: X imposes it
            return None if resumed is self.target else "act of " + " ".join(self.word(i) for i in resumed)
        purpose = self.keys[h.first].startswith("ل") and not self.keys[h.first].startswith("لل")
        if (self.keys[h.first - 1] in ("في", "من") or purpose) and h.polarity > 0:  # نجحت X في إحباط، لتسهيل
            subject = self.predicate_subject(h)
            if subject is not None:
                return None if subject is self.target else "act of " + " ".join(self.word(i) for i in subject)
        if h.first > 0 and self.keys[h.first - 1] in _ROLE_PREPOSITIONS | _OBJECT_MARKERS and not any(
                m[0] == h.first + 1 for m in [self.target, *self.actors]):
            return "an act without a named agent (احتج على انتهاك ...)"
        lead = h
        if self.keys[h.first].startswith("و"):  # اقتحام X المقرات واحتجاز موظفيها: X does both
            lead = max((a for a in self.acts if a.first < h.first), key=lambda a: a.first, default=h)
        agent = self.agent_of(lead.first, lead.object_at)
        if agent is None or agent is self.target or self.chained(agent):
            return None
        return "act of " + " ".join(self.word(i) for i in agent)

    def chained(self, m: list[int]) -> bool:
        """``m`` is joined to the target by a chain of و words (الإمارات وروسيا والأردن)."""
        lo, hi = (self.target[-1], m[0]) if m[0] > self.target[-1] else (m[-1], self.target[0])
        return hi > lo and all(self.keys[j].startswith("و") for j in range(lo + 1, max(hi, lo + 2)))

    def gap(self, h: Hit, pos: list[int]) -> int:
        return min(min(abs(h.first - p), abs(h.last - p)) for p in pos)

    def predicate_subject(self, h: Hit) -> list[int] | None:
        """The subject whose predicate the word ``h`` belongs to: the nearest mention before it
        that no preposition introduces and that is not itself an object (a mention right after
        another one), with no complementizer or relative pronoun between them (what follows أن
        or التي has its own subject). ``None`` when there is no such mention."""
        mentions = [self.target, *self.actors]
        before = [m for m in mentions if m[-1] < h.first and not self.introduced(m)
                  and not self.purpose_object(m)]
        if not before:
            return None
        subject = max(before, key=lambda m: m[-1])
        # verb-subject-object: the first mention, right after the opening verb (and its
        # titles), is the subject of the clause; a later one is its object (رفعت الأمم المتحدة
        # اسم X من القائمة لتسهيل ...)
        first = min(before, key=lambda m: m[0])
        if first is not subject and first[0] <= 4 and not any(
                j in self.hit_at for j in range(first[0])) and not self.chained(first) and not any(
                k in _COMPLEMENTIZERS | _RELATIVES for k in self.keys[first[-1] + 1:subject[0]]):
            subject = first
        if any(o[-1] == subject[0] - 1 for o in mentions if o is not subject):
            return None
        if any(self.keys[j] in _COMPLEMENTIZERS | _RELATIVES for j in range(subject[-1] + 1, h.first)):
            return None
        return subject

    def purpose_object(self, m: list[int]) -> bool:
        """The mention is the object right after a purpose masdar that is a hit (لمساعدة X)."""
        j = m[0] - 1
        return j >= 0 and j in self.hit_at and self.keys[j].startswith("ل") and not self.keys[j].startswith("لل")

    def governed(self, m: list[int], h: Hit, subject: list[int], *, parties: bool = False) -> bool:
        """The mention ``m`` is a dependent of the predicate that ``h`` belongs to (whose
        subject is ``subject``), not its agent: it comes after the subject and a preposition
        leads it (أمام X، إلى X، لدى X), or it is the object right after a purpose masdar
        (لمساعدة X، لدعم X); with ``parties``, also a party named after بين / مع (استضافة
        المفاوضات بين X وY: the host keeps the word, the parties share it)."""
        if m[0] <= subject[-1]:
            return False
        if parties and m[0] > 0 and self.keys[m[0] - 1] in _PARTY_MARKERS:
            return True
        first = match_key(h.surface.split()[0])
        purpose = first.startswith("ل") and not match_key(h.term).startswith("ل")
        return self.introduced(m) or (purpose and m[0] == h.last + 1)

    @cached_property
    def passive_loss(self) -> bool:
        """The window reports a loss in the passive: it opens (after و) on a passive verb of
        loss (اغتيل، أصيب، استشهد) or on a harm verb followed by a count (قتل ثلاثة ...،
        قتل 12 مدنيا): the actors named are those who lost, unless an agent marker (بنيران X،
        على يد X) or a harm noun right before names them as the ones who did it."""
        if not self.keys:
            return False
        k = 1 if self.keys[0] == "و" else 0
        if k >= len(self.keys):
            return False
        first = self.keys[k][1:] if self.keys[k].startswith(("و", "ف")) and len(self.keys[k]) > 3 else self.keys[k]
        if first in _PASSIVE_LOSS:
            return True
        nxt = self.keys[k + 1] if k + 1 < len(self.keys) else ""
        return first in _LOSS_VERBS and (nxt in _COUNT_WORDS or nxt.isdigit())

    def loss_victim(self, h: Hit) -> bool:
        """``h`` (a harm) belongs to a loss reported in the passive and the target is not named
        as its agent (:meth:`passive_loss`)."""
        if h.polarity >= 0 or not self.passive_loss:
            return False
        j = self.target[0] - 1
        # بنيران X، على يد X، or X right after a harm noun that is not the opening verb (في قصف X)
        agent = j >= 0 and (self.keys[j] in _AGENT_MARKERS or (j in self.hit_at and j > 1))
        return not agent

    def relieved(self, h: Hit) -> bool:
        """``h`` names suffering (a humanitarian word: ضحايا، نازحين، مجاعة) that a positive
        word before it in the window addresses (قدمت X مساعدات للنازحين، قانون يعوض ضحايا
        الإرهاب), or it is the next word of such a phrase (ضحايا العمليات الإرهابية)."""
        def addressed(u: Hit) -> bool:
            return u.domain == "humanitarian" and any(
                g.polarity > 0 and not g.negator and g.last < u.first for g in self.hits)
        return addressed(h) or any(
            u.polarity < 0 and u.last < h.first <= u.last + 2 and addressed(u) for u in self.hits)

    def harmed(self, h: Hit) -> bool:
        """``h`` (a positive word) is part of the object of a hostile word right before it
        (within four words of it, or of the target when the target is its agent between them;
        no other mention between; not a new coordinated predicate with و):
        «اختطف مسلحون عمال الإغاثة»، «قصفت قافلة مساعدات» are no credit to the attacker."""
        if self.keys[h.first].startswith("و"):
            return False
        for g in self.hits:
            if g.polarity >= 0 or g.negator or not (
                    g.act or (g.polarity <= -0.75 and (g.pos in ("verb", "phrase") or (
                        g.pos == "noun" and g.domain == "conflict")))):
                continue
            start = g.last
            if g.last < self.target[0] and self.target[-1] < h.first:
                start = self.target[-1]  # verb - agent (the target) - object
            if start < h.first <= start + 4 and not any(
                    start < m[0] < h.first for m in [self.target, *self.actors]):
                return True
        return False

    def owner(self, h: Hit) -> list[int] | None:
        """The other actor nearer to the hit than the target (ties: the one after the word)."""
        best, d = None, self.gap(h, self.target)
        for m in self.actors:
            dm = self.gap(h, m)
            if dm < d or (dm == d and m[0] > h.last and self.target[0] < h.first):
                best, d = m, dm
        return best

    def reason_to_drop(self, h: Hit, quote_from: int | None, judged_from: int | None) -> str | None:
        """Why ``h`` is not about the target (``None``: it is)."""
        if quote_from is not None and h.first >= quote_from:
            return "what the target says about another actor"
        if judged_from is not None and any(
                self.keys[k].startswith("و") and (self.lexicon.call_verbs.match(self.word(k)[1:])
                                                  or self.lexicon.speech_verbs.match(self.word(k)[1:]))
                for k in range(judged_from + 1, h.first)):
            judged_from = None  # رفضت X التدخل ودعت إلى حل سياسي: the call is X's own
        if judged_from is not None and h.first > self.target[-1] and (
                h.first > judged_from or (h.first == judged_from and CONCERN_WORDS.match(h.surface.split()[0]))):
            return "what the target condemns or warns about"
        if self.backer():
            return "the target backs the group named before it (المدعومة من X): not its deed"
        if h.polarity < 0 and self.faced is not None and self.faced <= h.first:
            return None  # تواجه X انتقادات بسبب اعتقال صحفيين: criticised, the charge is X's
        if h.polarity < 0 and self.suffers(h):
            return "the target suffers it (تعرض، عانى): a victim, not judged"
        if self.owner_suffers(h):
            return "done to the target's own (its members, positions, property): a victim, not judged"
        if h.act:
            return self.act_reason(h)
        first = h.surface.split()[0]
        single = h.first == h.last  # a phrase (وقف إطلاق النار) is a unit, never a stance word
        alignment = self.lexicon.relations.get("alignment")
        judgement = self.lexicon.relations.get("judgement")
        if single and alignment and alignment.match(first):
            if self.is_object(h.last, self.target):
                return "stance word toward the target"
            # its object is an actor when a mention comes right after it (after the agent,
            # in verb-subject-object order): تدعم فرنسا حفتر; رحبت مصر بالاتفاق keeps its word
            nxt = h.last + 1 + (len(self.target) if self.target[0] == h.last + 1 else 0)
            if any(m[0] == nxt for m in self.actors):
                return "stance word toward another actor"
        elif single and judgement and judgement.match(first):
            if self.mutual_before(h.first) or (h.last < self.target[0] and self.charged()):
                return None  # both sides of تبادل الاتهامات; the accused of اتهم X بـ
            if self.is_object(h.last, self.target):
                # the accused is the first mention after the word that is not its agent: in
                # «يدين هجوم حفتر على طرابلس» Haftar is condemned, Tripoli is not
                after = sorted((m for m in [self.target, *self.actors] if m[0] > h.last), key=lambda m: m[0])
                if len(after) > 1 and not self.introduced(after[0]) and (
                        after[0][0] == h.last + 1
                        or (after[0][0] == h.last + 2 and h.last + 1 not in self.hit_at)):
                    after = after[1:]  # اتهمت (منظمة) X Y: X after the verb is its subject
                accused = after[0] if after else self.target
                if accused is self.target:
                    return None
                return "judgement about " + " ".join(self.word(i) for i in accused)
            return "judgement spoken by the target"
        if h.first > self.target[-1] and self.charged():
            return None  # the charge after the accused is the accused's: اتهمت X Y بقصف Z
        if h.polarity < 0 and h.last < self.target[0] and any(
                m[-1] < h.first and self.charged(m) for m in self.actors):
            return "the target suffers what another is charged with: a victim, not judged"
        if h.polarity < 0 and h.last < self.target[0] and (
                any(h.last < m[0] < self.target[0] for m in self.actors)
                or (self.target[0] - 1 > h.last and self.keys[self.target[0] - 1] in _PATIENT_MARKERS)):
            return "the target suffers the act: a victim, not judged"
        if PRAISE_WORDS.match(first):
            return None
        if single and COMBAT_WORDS.match(first) and self.mutual_combat(h):
            return "fighting between two sides, reported: neither side judged"
        if h.pos == "adj" and any(g.last == h.first - 1 and COMBAT_WORDS.match(g.surface.split()[0])
                                  and self.mutual_combat(g) for g in self.hits):
            return "fighting between two sides, reported: neither side judged"
        if h.last + 2 == self.target[0] and self.keys[h.last + 1] in _PARTY_MARKERS:
            return None  # الاتفاق بين X وY، تعاونت القوات مع X: X is a party
        role = self.call_role(h)
        if role:  # دعت مصر الأطراف إلى وقف إطلاق النار
            return _CALL_VERDICT[role]
        if self.resumptive(h) is self.target:
            return None  # جهود الوساطة التي تقودها X: X leads them (the subject may share them)
        if self.loss_victim(h):
            return "a loss reported in the passive: the target lost, it is not judged"
        if h.polarity < 0 and h.last + 1 < len(self.keys) and self.keys[h.last + 1] == "بحق" and (
                h.first > self.target[-1]):
            return "a measure the target takes against another (بحق X), not its deed"
        if h.first > 0 and self.keys[h.first - 1] in _TOPIC_WORDS:
            return "the topic discussed (لبحث التصعيد), not a deed"
        if h.polarity < 0 and self.relieved(h):
            return "the suffering that a constructive act addresses: not the target's deed"
        if h.polarity > 0 and self.harmed(h):
            return "part of what a hostile act hits (its object): not the target's deed"
        if h.polarity > 0:  # a constructive word after its subject is the subject's predicate
            subject = self.predicate_subject(h)
            if subject is self.target:
                owner = self.owner(h)
                if owner is None or self.governed(owner, h, subject, parties=True):
                    return None  # أبدى X استعداده لمساعدة Y: X's readiness, Y only its object
            elif subject is not None and self.governed(self.target, h, subject):
                return "the target is an object of what " + " ".join(self.word(i) for i in subject) + " does"
        owner = self.owner(h)
        if owner is not None:
            return "about " + " ".join(self.word(i) for i in owner)
        return None


@lru_cache(maxsize=1)
def _title_keys() -> frozenset[str]:
    """The first words of the titles of ``data/titles.txt`` (وزير، رئيس، المبعوث ...), match
    keys without the article (none when the file is missing)."""
    from .actors import load_titles

    try:
        titles = load_titles()
    except FileNotFoundError:
        return frozenset()
    return frozenset(strip_article(match_key(t).split()[0]) for t in titles if t.strip())


def _title_word(key: str) -> bool:
    """A word that can stand between و and a person's name in a coordination: a nisba
    (والمصري، الروسي) or a title of ``data/titles.txt`` or «نظير» (ونظيره، والرئيس), on its
    match key."""
    bare = key[1:] if key.startswith("و") else key
    bare = strip_article(bare)
    return (len(bare) >= 4 and bare.endswith("ي")) or bare in _title_keys() or bare.startswith("نظير")


def _coordinate(target: list[int], mentions: list[list[int]], keys: list[str]) -> list[int]:
    """The target's positions extended over the mentions coordinated with it (X وY, X و Y,
    X مع Y: partners share the frame)."""
    group = set(target)

    def joined(a: int, b: int) -> bool:  # the words strictly between a and b join two mentions
        gap = keys[a + 1:b]
        if not gap:
            return keys[b].startswith("و")
        if len(gap) == 1 and gap[0] in ("و", "مع"):
            return True
        # X والمصري Y، X ونظيره الروسي Y: و on a title or nisba that opens the second mention
        return len(gap) <= 2 and gap[0].startswith("و") and all(_title_word(k) for k in gap)

    changed = True
    while changed:
        changed = False
        for m in mentions:
            if set(m) & group:
                continue
            lo, hi = min(group), max(group)
            if (hi < m[0] and joined(hi, m[0])) or (m[-1] < lo and joined(m[-1], lo)):
                group |= set(m)
                changed = True
    return sorted(group)


def frame_hits(
    text: str,
    hits: Sequence[Hit],
    target_spans: Sequence[tuple[int, int]],
    other_spans: Sequence[tuple[int, int]] = (),
    *,
    window: tuple[int, int] | None = None,
    lexicon: Lexicon | None = None,
) -> tuple[list[Hit], list[tuple[Hit, str]]]:
    """Keep the hits that speak about the target; return ``(kept, [(hit, reason), ...])``.

    ``hits`` come from :func:`find_hits` on the same ``text`` and ``window``;
    ``target_spans`` starts with the mention scored (then other mentions of the same actor);
    ``other_spans`` are the spans of the other actors' mentions. Mentions coordinated with the target (X وY)
    share its frame. The rules (module docstring, "Argument frames"):

    1. a target that is a *setting* (after في، قرب، مدينة، مخيم ... of
       ``setting_markers.txt``) gets no sentiment: places and venues are not judged;
    2. a *speaker* (subject of a speech verb of ``speech_verbs.txt``) gets nothing from what
       it says after أن / إن / « unless that is about itself, nor from what it denies;
    3. the agent of a *judgement* word (opposes / criticises families of the stance stage:
       أدان، اتهم، حذّر، رفض ...) gets neither the word nor what follows it (the content of the
       warning or charge); the object (the accused) keeps the word;
    4. a *stance word* of the supports family (دعم، ساند، رحب ...) is no sentiment toward its
       object, nor toward its agent when its object is an actor;
    5. a negative word before a target that is its object (another actor between them, or
       على) is an act the target suffers: a victim is not judged;
    6. praise words (أشاد، ثمّن ...) count for both sides; every other word belongs to the
       nearest mention (ties go to the mention after the word: Arabic puts the agent after the
       verb and the possessor after the noun), so words nearer to another actor are dropped.

    >>> text = "تدعم فرنسا حفتر"
    >>> kept, dropped = frame_hits(text, find_hits(text, [(11, 15)]), [(11, 15)], [(5, 10)])
    >>> kept, [reason for _, reason in dropped]
    ([], ['stance word toward the target'])
    """
    lexicon = lexicon or load_lexicon()
    lo, hi = window or (0, len(text))
    spans = [(a, b) for a, b in word_spans(text) if a >= lo and b <= hi and _is_word(text[a:b])]
    keys = [match_key(text[a:b]) for a, b in spans]
    tpos = _positions(spans, target_spans)
    if not tpos or not hits:
        return list(hits), []
    mentions = [m for m in (_positions(spans, [sp]) for sp in other_spans) if m and not set(m) & set(tpos)]
    tpos = _coordinate(tpos, mentions, keys)
    frame = _Frame(text, spans, keys, tpos, [], target_spans[0][0], lexicon)
    if frame.is_setting(_positions(spans, target_spans[:1]) or tpos):
        return [], [(h, "the target is a setting (a place), not judged") for h in hits]
    frame.actors = [m for m in mentions if not set(m) & set(tpos) and not frame.is_setting(m)]
    phrases = {i for h in hits if h.last > h.first for i in range(h.first, h.last + 1)}  # وقف إطلاق النار
    frame.acts = [h for h in hits if h.act]
    frame.hits = list(hits)
    frame.hit_at = {i for h in hits for i in range(h.first, h.last + 1)}
    quote_from, judged_from = frame.quote_start(), frame.judgement_start(phrases)
    kept: list[Hit] = []
    dropped: list[tuple[Hit, str]] = []
    for h in hits:
        reason = frame.reason_to_drop(h, quote_from, judged_from)
        if reason is None:
            kept.append(h)
        else:
            dropped.append((h, reason))
    return kept, dropped


def describe_frame(kept: Sequence[Hit], dropped: Sequence[tuple[Hit, str]]) -> str:
    """Evidence text: the counted words with their weights, then the words not counted and why.

    >>> describe_frame([], [])
    ''
    """
    out = "; ".join(h.describe() for h in kept)
    if dropped:
        out += (" | " if out else "") + "not counted: " + "; ".join(
            f"{h.surface} ({why})" for h, why in dropped)
    return out


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
    others: Sequence[str | tuple[int, int]] = (),
) -> dict:
    """Score one sentence toward one target (a surface string or a local character span).

    Convenient for trying the method on a sentence; :func:`score_mentions` does the same on
    tables. ``others`` are the other actors' mentions (surfaces or spans): their words are
    never evidence and the argument frames (:func:`frame_hits`) use them. Returns
    ``{"score", "label", "context", "evidence", "hits", "dropped"}``.

    >>> score_text("تدعم فرنسا حفتر", "حفتر", others=["فرنسا"])["label"]
    'neutral'

    >>> score_text("لم يهاجم الجيش المدنيين", "الجيش")["label"]
    'positive'
    """
    lexicon = lexicon or load_lexicon()
    settings = settings or BundledSettings()
    def as_span(t: str | tuple[int, int]) -> tuple[int, int]:
        if not isinstance(t, str):
            return t
        start = text.find(t)
        if start < 0:
            raise ValueError(f"target {t!r} does not occur in the text; pass its exact surface.")
        return (start, start + len(t))

    span = as_span(target)
    other = [as_span(o) for o in others]
    win = _window(text, [span], window, lexicon)
    if window == "clause":
        win = quote_window(text, win, lexicon)
    hits = find_hits(text, [span], exclude_spans=other, window=win, lexicon=lexicon, settings=settings)
    hits, dropped = (frame_hits(text, hits, [span], other, window=win, lexicon=lexicon)
                     if settings.frames else (hits, []))
    score = score_hits(hits)
    return {
        "score": score,
        "label": label_for(score, settings.threshold),
        "context": mark_target(text[win[0]:win[1]], [(span[0] - win[0], span[1] - win[0])]),
        "evidence": describe_frame(hits, dropped),
        "hits": hits,
        "dropped": dropped,
    }


def _window(text: str, spans: Sequence[tuple[int, int]], window: str, lexicon: Lexicon,
            clauses: Sequence[tuple[int, int]] | None = None) -> tuple[int, int]:
    """The character window of ``spans``: the whole sentence, or the clause(s) holding them
    (``clauses``: the sentence's :func:`split_clauses`, when the caller already has them)."""
    if window == "sentence":
        return (0, len(text))
    if window != "clause":
        raise ValueError(f"window must be 'clause' or 'sentence', not {window!r}.")
    a, b = min(s for s, _ in spans), max(e for _, e in spans)
    if clauses is None:
        clauses = split_clauses(text, lexicon)
    clauses = [c for c in clauses if c[0] < b and a < c[1]]
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
    return ACTOR_SENTIMENT.empty()


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
    the context ``وصل المزيد من المرتزقة إلى «[قوات حفتر]»``, score -0.66, label
    ``negative`` and evidence ``المرتزقة:-1.00×0.80``.
    """
    method = resolve_profile(method)
    lexicon = lexicon or load_lexicon()
    settings = settings or BundledSettings()
    RESOLVED_MENTIONS.validate(resolved, [c for c in ("article_id", "sent_id", "start", "end")
                                          if c in resolved.columns])
    res = resolved[resolved["actor_id"].notna()] if "actor_id" in resolved.columns else resolved
    if res.empty:
        return _empty_sentiment()
    SENTENCES.validate(sentences, ["article_id", "sent_id", "start", "text"])
    rows = _contexts(res, sentences, window, lexicon)
    all_rows = _contexts(resolved, sentences, window, lexicon) if settings.exclude_mentions else rows
    spans_by_sentence = {
        key: list(zip(g["a"], g["b"], g["actor_id"], strict=True))
        for key, g in all_rows.groupby(["article_id", "sent_id"], sort=False)
    }
    records = []
    clause_cache: dict[tuple, list[tuple[int, int]]] = {}  # split each sentence once
    for r in rows.itertuples(index=False):
        text = r.sent_text
        others = spans_by_sentence.get((r.article_id, r.sent_id), [])
        same = [(a, b) for a, b, act in others if act == r.actor_id]
        target = [(r.a, r.b)]
        if window == "clause" and (r.article_id, r.sent_id) not in clause_cache:
            clause_cache[(r.article_id, r.sent_id)] = split_clauses(text, lexicon)
        win = _window(text, target, window, lexicon, clause_cache.get((r.article_id, r.sent_id)))
        if window == "clause":
            win = quote_window(text, win, lexicon)
        # all spans of the same actor inside the window are part of the target, not evidence
        target_spans = target + [(a, b) for a, b in same
                                 if a >= win[0] and b <= win[1] and (a, b) != (r.a, r.b)]
        exclude = [(a, b) for a, b, _ in others] if settings.exclude_mentions else []
        context = mark_target(text[win[0]:win[1]], [(r.a - win[0], r.b - win[0])])
        records.append({
            "article_id": r.article_id, "sent_id": r.sent_id, "start": r.start, "end": r.end,
            "actor_id": r.actor_id, "context": context,
            "ctx_text": text, "ctx_win": win, "ctx_target": target_spans, "ctx_exclude": exclude,
            "ctx_others": [(a, b) for a, b, act in others if act != r.actor_id],
        })
    table = pd.DataFrame.from_records(records)
    classifier = load_sentiment(method, model)  # None: the bundled lexicon method
    if classifier is not None:
        probs = classify_contexts(classifier, table["context"].tolist(), batch_size=batch_size)
        table["score"] = [p["positive"] - p["negative"] for p in probs]
        table["label"] = [max(LABELS, key=lambda lab, p=p: p[lab]) for p in probs]
        table["evidence"] = ["; ".join(f"{lab}={p[lab]:.3f}" for lab in LABELS) for p in probs]
        table["method"] = classifier.identity
    else:
        scores, labels, evidence = [], [], []
        for r in table.itertuples(index=False):
            hits = find_hits(r.ctx_text, r.ctx_target, exclude_spans=r.ctx_exclude, window=r.ctx_win,
                             lexicon=lexicon, settings=settings)
            if settings.frames:
                hits, dropped = frame_hits(r.ctx_text, hits, r.ctx_target, r.ctx_others, window=r.ctx_win,
                                           lexicon=lexicon)
            else:
                dropped = []
            s = score_hits(hits)
            scores.append(s)
            labels.append(label_for(s, settings.threshold))
            evidence.append(describe_frame(hits, dropped))
        table["score"], table["label"], table["evidence"] = scores, labels, evidence
        table["method"] = BUNDLED_METHOD
    return ACTOR_SENTIMENT.validate(table[ACTOR_SENTIMENT.columns].reset_index(drop=True))


# --------------------------------------------------------------------------- camelbert


def _canonical_label(label: str) -> str | None:
    low = label.lower()
    for lab in LABELS:
        if low.startswith(lab[:3]):
            return lab
    return None


class SentimentClassifier:
    """A transformers sequence-classification model (e.g. CAMeLBERT sentiment) with the face
    of every model (:mod:`helpers.models`): ``identity``, ``labels()`` and
    ``predict(texts)`` -> one ``{positive, negative, neutral: probability}`` per text.

    Load it with :func:`helpers.models.load_sentiment` (profiles) or :meth:`from_pretrained`
    (a hub id or folder).

    >>> clf = SentimentClassifier.from_pretrained("path/to/model")  # doctest: +SKIP
    >>> clf.predict(["رحبت «[مصر]» بالاتفاق"])  # doctest: +SKIP
    [{'positive': 0.91, 'negative': 0.02, 'neutral': 0.07}]
    """

    def __init__(self, pipe: Any, identity: str, label_map: dict[str, str]) -> None:
        self.pipe = pipe
        self.identity = identity
        self.label_map = label_map

    def __repr__(self) -> str:
        return f"SentimentClassifier({self.identity!r})"

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer (``do_lower_case=False``, ``model_max_length=512``)."""
        return self.pipe.tokenizer

    @classmethod
    def from_pretrained(cls, name_or_path: str | Path) -> SentimentClassifier:
        """Load a hub id or local folder through :func:`helpers.models.load_transformers`;
        raises :class:`helpers.models.ModelUnavailable` when it cannot be loaded or its labels
        are not positive/negative/neutral."""
        from transformers import pipeline

        loaded = load_transformers(name_or_path, "sentiment")
        id2label = getattr(loaded.model.config, "id2label", {}) or {}
        label_map = {}
        for raw in id2label.values():
            canon = _canonical_label(str(raw))
            if canon is None:
                raise ModelUnavailable(
                    f"model '{name_or_path}' has the label {raw!r}; expected positive/negative/"
                    "neutral labels: give a sentiment model such as "
                    "CAMeL-Lab/bert-base-arabic-camelbert-msa-sentiment, or use profile "
                    "'bundled'")
            label_map[str(raw)] = canon
        pipe = pipeline("text-classification", model=loaded.model, tokenizer=loaded.tokenizer,
                        device=-1)
        return cls(pipe, loaded.identity, label_map)

    def labels(self) -> list[str]:
        """The labels of :meth:`predict`'s probabilities."""
        return list(LABELS)

    def predict(self, texts: list[str], batch_size: int = 16) -> list[dict[str, float]]:
        """P(positive), P(negative), P(neutral) of every text (truncated to 512 sub-tokens)."""
        out = self.pipe(list(texts), batch_size=batch_size, top_k=None, truncation=True)
        probs = []
        for scores in out:
            p = dict.fromkeys(LABELS, 0.0)
            for item in scores:
                p[self.label_map[item["label"]]] += float(item["score"])
            probs.append(p)
        return probs


SENTIMENT_CACHE = OutputCache("sentiment")
_PROB_COLUMNS = ["context", *LABELS]


def _probabilities_fit(frame: pd.DataFrame, texts: list[str]) -> bool:
    values = frame[list(LABELS)].to_numpy(dtype=float)
    return (frame["context"].tolist() == texts and bool(np.isfinite(values).all())
            and bool(((values >= 0) & (values <= 1)).all()))


def classify_contexts(classifier: Any, texts: Sequence[str], *, batch_size: int = 16,
                      cache: bool = True) -> list[dict[str, float]]:
    """``classifier.predict(texts)``, cached on disk (:class:`helpers.models.OutputCache`,
    stage ``sentiment``) keyed by the texts, the classifier's identity and the helpers
    version; an entry that does not hold exactly these texts is recomputed.

    >>> classify_contexts(clf, ["رحبت «[مصر]» بالاتفاق"])  # doctest: +SKIP
    [{'positive': 0.91, 'negative': 0.02, 'neutral': 0.07}]
    """
    texts = [str(t) for t in texts]
    if not texts:
        return []

    def compute() -> pd.DataFrame:
        probs = classifier.predict(texts, batch_size=batch_size)
        columns = {lab: [float(p.get(lab, 0.0)) for p in probs] for lab in LABELS}
        return pd.DataFrame({"context": texts, **columns}).astype({"context": "str"})

    if cache:
        key = SENTIMENT_CACHE.key(classifier.identity, [[t] for t in texts])
        frame = SENTIMENT_CACHE.fetch(key, compute, _PROB_COLUMNS,
                                      check=lambda f: _probabilities_fit(f, texts),
                                      identity=classifier.identity)
    else:
        frame = compute()
    return [dict(zip(LABELS, map(float, row), strict=True))
            for row in frame[list(LABELS)].itertuples(index=False)]


# --------------------------------------------------------------------------- aggregation


def _group_seed(seed: int, key: tuple) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(repr(key).encode("utf-8"))])


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
    ``small_n`` (True when n < ``small_n``: read such intervals with care; for n = 1 there
    is no interval, NaN, see :func:`helpers.stats.bootstrap_ci`), ``n_positive``,
    ``n_neutral``, ``n_negative``, and the most positive / most negative mention's
    ``context``, ``score`` and ``evidence`` (empty when no mention of the group is positive /
    negative). Sorted by n, then mean. Deterministic for a given ``seed``: each group draws
    from its own seeded generator. With ``by=("actor_id",)`` the table follows
    :data:`helpers.schema.SENTIMENT_SUMMARY` (typed and empty for an empty input).
    """
    by = list(by)
    missing = [c for c in [*by, "score"] if c not in actor_sentiment.columns]
    if missing:
        raise ValueError(f"actor_sentiment lacks column(s) {missing}: pass score_mentions output.")
    ACTOR_SENTIMENT.validate(actor_sentiment, [c for c in ["score", *by]
                                               if c in ACTOR_SENTIMENT.columns])
    metrics = SENTIMENT_SUMMARY.cols[1:]
    cols = [*by, *(c.name for c in metrics)]
    if actor_sentiment.empty:
        empty = SENTIMENT_SUMMARY.empty().drop(columns="actor_id")
        keys = {c: actor_sentiment[c].iloc[:0] for c in by}
        return pd.DataFrame(keys).join(empty) if by else empty
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
    out = out.sort_values(["n", "mean"], ascending=[False, False], kind="stable").reset_index(drop=True)
    return SENTIMENT_SUMMARY.validate(out) if by == ["actor_id"] else out


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
