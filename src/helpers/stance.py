"""Stance extraction: who supports, opposes, cooperates with or attacks whom.

Edges come from **rules written as data** (``data/stance_rules.csv``, documented in
``data/stance_rules.md``), not from regular expressions in code. Each rule names a
relation, a trigger word (with its spelling variants) and a *shape*: a short pattern
of slots around the trigger that this module interprets::

    SUBJ trigger TGT        باريس تعارض التدخل التركي          -> france opposes turkey
    trigger SUBJ TGT        كما تدعم باريس مخرجات مؤتمر برلين  -> france supports berlin_conference
    TGT trigger من SRC      قوات حفتر المدعومة من روسيا        -> russia supports lna
    SRC ... trigger TGT     فاغنر ... لمؤازرة قوات حفتر         -> wagner supports lna
    trigger PAIR            توافق مصري فرنسي                   -> egypt <-> france cooperate
    PAIR trigger            الرئيسين الروسي والتركي وافقا        -> russia <-> turkey cooperate
    trigger بين SRC ... بين TGT   التعاون بين المركز الليبي ... وبين بعثة إيطالية
    SRC ... trigger على TGT  قوات تابعة لحكومة الوفاق ... لشن هجوم على قوات حفتر -> gna attacks lna

The engine works on **resolved mentions** (``helpers.actors.resolve_mentions``): it never
looks names up itself, it only places the already resolved actors relative to the trigger,
using the mentions' character offsets. Metonymy (باريس -> france) is therefore decided by
the resolver; forces named after a person (قوات حفتر -> lna) can be folded into the person
with ``collapse={"lna": "haftar"}`` (:data:`FORCES_COLLAPSE`), so both readings are available.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .clean import match_key
from .paths import DATA_DIR
from .schema import STANCE
from .tokens import word_spans

RULES_PATH = DATA_DIR / "stance_rules.csv"
RELATIONS = ("supports", "opposes", "cooperates", "attacks")
RULE_COLUMNS = [
    "rule_id", "relation", "trigger", "shape", "max_distance", "symmetric", "note", "example",
]
SLOTS = ("SRC", "TGT", "SUBJ", "PAIR")
GAP = "..."
TRIGGER = "trigger"

# Fold an armed force into the person it is named after (the acceptance reads
# "Russia supports Haftar" for قوات حفتر المدعومة من روسيا).
FORCES_COLLAPSE: dict[str, str] = {"lna": "haftar"}

# Words that make the trigger non-assertive when they stand up to NEGATION_WINDOW words
# before it in the same clause: negation, questions, conditions.
NEGATORS = frozenset(match_key(w) for w in (
    "لا", "لم", "لن", "ليس", "ليست", "ليسوا", "لسنا", "غير", "عدم", "دون", "بدون",
    "هل", "إذا", "اذا", "لو", "لولا",
))
NEGATION_WINDOW = 3
# Verbs that report a claim as denied or alleged: a trigger up to DENIAL_WINDOW words after
# them (even across أن) yields no edge. نفت روسيا أن تكون قد دعمت حفتر -> nothing.
DENIALS = frozenset(match_key(w) for w in (
    "نفى", "نفت", "ينفي", "تنفي", "نفيا", "نفي", "تنفيان", "ينفيان",
    "اتهم", "اتهمت", "يتهم", "تتهم", "اتهام", "اتهامات", "زعم", "زعمت", "مزاعم", "يزعم",
    "تزعم", "شائعات",
))
DENIAL_WINDOW = 8
# Clause boundaries (soft: a shape slot does not cross them unless the shape says "...").
BOUNDARY_PUNCT = frozenset("،,؛;:()«»\"'-–—")
HARD_PUNCT = frozenset(".!?؟")
BOUNDARY_WORDS = frozenset(match_key(w) for w in (
    "أن", "إن", "أنه", "أنها", "أنهم", "أنهما", "إنه", "إنها", "إنهم", "إنهما", "بأن",
    "بأنه", "بأنها", "لأن", "حيث", "بينما", "حين", "فيما", "الذي", "التي", "الذين",
    "اللذين", "اللتين", "اللذان", "اللتان", "كما", "لكن", "لكنه", "لكنها", "عندما", "بعدما",
    "مضيفا", "مضيفة", "مشيرا", "مشيرة", "مؤكدا", "مؤكدة",
))
# A clause opened by one of these has a pronoun subject: SUBJ is taken from the clause before.
PRONOUN_OPENERS = frozenset(match_key(w) for w in (
    "أنه", "أنها", "أنهم", "أنهما", "إنه", "إنها", "إنهم", "إنهما", "بأنه", "بأنها", "لأنها",
    "لأنه", "لكنه", "لكنها",
))
# Locative, temporal and destination prepositions: an actor right after them is where the
# event happens, not an argument (تدعم باريس الحل السياسي في ليبيا does not make Libya a
# target; إرسال قوات إلى ليبيا لدعم حكومة الوفاق does not make Libya the supporter; in
# رحبت ويليامز باسم البعثة the mission is who she speaks for, not whom she welcomes).
LOCATIVE_PREPS = frozenset(match_key(w) for w in (
    "في", "عبر", "داخل", "خارج", "قرب", "منذ", "خلال", "أمام", "وسط", "إلى", "الى", "نحو",
    "باسم",
))
PREPOSITIONS = LOCATIVE_PREPS | frozenset(match_key(w) for w in (
    "من", "عن", "على", "مع", "لدى", "حول", "بشأن", "ضد", "بين", "تجاه",
))
# Head nouns of titles: an actor right after one of them, followed by a person's name, is
# part of the title (وزير خارجية حكومة الوفاق محمد سيالة -> one noun phrase).
TITLE_HEADS = frozenset(match_key(w) for w in (
    "وزير", "خارجية", "رئيس", "رئيسة", "سفير", "سفيرة", "قائد", "العام", "مبعوث", "مبعوثة",
    "ممثل", "المتحدث", "باسم", "نائب", "زعيم", "مستشار", "الجيش", "للجيش", "دفاع", "داخلية",
))
_CONJ = ("و", "ف")
_PREP_CLITICS = ("ب", "ل", "ك")
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a\u0671-\u06d3]+\*?$")
_MAX_STEM_SUFFIX = 4
_MAX_FALLBACK_CLAUSES = 8


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """One parsed row of the rules file."""

    rule_id: str
    relation: str
    variants: tuple[tuple[str, ...], ...]  # trigger variants, each a tuple of word patterns
    shape: tuple[str, ...]
    max_distance: int
    symmetric: bool


def _parse_bool(value: object) -> bool | None:
    text = str(value).strip().lower()
    if text in {"true", "yes", "1", "y"}:
        return True
    if text in {"false", "no", "0", "n", "", "nan", "none"}:
        return False
    return None


def _shape_problem(shape: list[str], symmetric: bool) -> str | None:
    """Why a shape is invalid, or None when it is fine."""
    if shape.count(TRIGGER) != 1:
        return "the shape must contain the word 'trigger' exactly once"
    for el in shape:
        if el not in SLOTS and el not in (GAP, TRIGGER) and not _ARABIC_WORD.match(el.rstrip("*")):
            return (f"unknown shape element {el!r}: use SRC, SUBJ, TGT, PAIR, '...', 'trigger' "
                    "or an Arabic word")
    if shape[0] == GAP or shape[-1] == GAP:
        return "'...' must stand between two elements, not at the start or end"
    if any(a == GAP and b == GAP for a, b in zip(shape, shape[1:], strict=False)):
        return "two '...' in a row"
    slots = [el for el in shape if el in SLOTS]
    if "PAIR" in slots:
        if slots != ["PAIR"]:
            return "PAIR cannot be combined with SRC, SUBJ or TGT"
        if not symmetric:
            return "a PAIR rule relates two actors both ways: set symmetric to true"
        return None
    sources = [el for el in slots if el in ("SRC", "SUBJ")]
    if len(sources) != 1 or slots.count("TGT") != 1:
        return "the shape needs one source (SRC or SUBJ) and one TGT, or one PAIR"
    return None


def _parse_trigger(trigger: str) -> tuple[tuple[str, ...], ...] | str:
    variants = []
    for variant in str(trigger).split("|"):
        words = variant.split()
        if not words:
            return f"empty trigger variant in {trigger!r}"
        parsed = []
        for word in words:
            star = word.endswith("*")
            core = word[:-1] if star else word
            if not core or not _ARABIC_WORD.match(core) or "*" in core:
                return f"trigger word {word!r} is not an Arabic word (a '*' may end a stem)"
            parsed.append(match_key(core) + ("*" if star else ""))
        variants.append(tuple(parsed))
    return tuple(variants)


def load_stance_rules(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the stance rules (``data/stance_rules.csv`` by default).

    Every row is checked: known relation, Arabic trigger variants separated by ``|`` (a
    trailing ``*`` matches a stem: ``دعم*`` matches دعمها، دعمت), a valid shape, a positive
    ``max_distance``, a boolean ``symmetric`` and a unique ``rule_id``. A bad row raises
    ``ValueError`` naming the file line and the rule, e.g.
    ``stance_rules.csv line 7 (rule 'sup_x'): unknown relation 'support'``.

    >>> rules = load_stance_rules()
    >>> set(rules["relation"]) <= {"supports", "opposes", "cooperates", "attacks"}
    True
    """
    path = Path(path) if path is not None else RULES_PATH
    if not path.is_file():
        raise FileNotFoundError(f"stance rules file not found: {path.name}. Pass the path of a "
                                "CSV with columns " + ", ".join(RULE_COLUMNS))
    table = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    return validate_stance_rules(table, name=path.name)


def validate_stance_rules(table: pd.DataFrame, name: str = "rules") -> pd.DataFrame:
    """Validate a rules table (same checks as :func:`load_stance_rules`); returns a clean copy
    with ``max_distance`` as int and ``symmetric`` as bool."""
    missing = [c for c in RULE_COLUMNS[:6] if c not in table.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}; expected "
                         + ", ".join(RULE_COLUMNS))
    out = table.copy()
    for col in RULE_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    out = out[RULE_COLUMNS + [c for c in out.columns if c not in RULE_COLUMNS]]
    seen: set[str] = set()
    distances, symmetric = [], []
    for i, row in enumerate(out.itertuples(index=False)):
        rule_id = str(row.rule_id).strip()
        where = f"{name} line {i + 2} (rule {rule_id!r})"
        if not rule_id:
            raise ValueError(f"{name} line {i + 2}: empty rule_id; give every rule a unique id")
        if rule_id in seen:
            raise ValueError(f"{where}: duplicate rule_id; rule ids must be unique")
        seen.add(rule_id)
        if row.relation not in RELATIONS:
            raise ValueError(f"{where}: unknown relation {row.relation!r}; use one of "
                             + ", ".join(RELATIONS))
        parsed = _parse_trigger(row.trigger)
        if isinstance(parsed, str):
            raise ValueError(f"{where}: {parsed}")
        try:
            dist = int(str(row.max_distance).strip())
        except ValueError:
            dist = 0
        if dist < 1:
            raise ValueError(f"{where}: max_distance must be a positive whole number of words, "
                             f"got {row.max_distance!r}")
        sym = _parse_bool(row.symmetric)
        if sym is None:
            raise ValueError(f"{where}: symmetric must be true or false, got {row.symmetric!r}")
        problem = _shape_problem(str(row.shape).split(), sym)
        if problem:
            raise ValueError(f"{where}: shape {row.shape!r}: {problem}")
        distances.append(dist)
        symmetric.append(sym)
    out["max_distance"] = distances
    out["symmetric"] = symmetric
    return out.reset_index(drop=True)


def _compile_rules(rules: pd.DataFrame) -> list[Rule]:
    compiled = []
    for row in rules.itertuples(index=False):
        variants = _parse_trigger(row.trigger)
        assert not isinstance(variants, str)
        compiled.append(Rule(str(row.rule_id), str(row.relation), variants,
                             tuple(el if el in SLOTS or el in (GAP, TRIGGER) else match_key(el)
                                   for el in str(row.shape).split()), int(row.max_distance),
                             bool(row.symmetric)))
    return compiled


# --------------------------------------------------------------------------- tokens


def word_forms(word: str) -> frozenset[str]:
    """Match keys of ``word`` with its proclitics peeled off (و/ف، ب/ل/ك، ال، لل, and the
    future marker س before a verb prefix), from the shared
    :func:`helpers.clean.strip_clitics`. The word itself is included.

    >>> sorted(word_forms("وبالحكومة"))
    ['الحكومه', 'بالحكومه', 'حكومه', 'وبالحكومه']
    >>> "دعم" in word_forms("لدعم")
    True
    """
    from .clean import strip_clitics

    return frozenset(strip_clitics(word, verbs=True))


def _word_matches(forms: frozenset[str], pattern: str) -> bool:
    if pattern.endswith("*"):
        stem = pattern[:-1]
        return any(f.startswith(stem) and len(f) - len(stem) <= _MAX_STEM_SUFFIX for f in forms)
    return pattern in forms


@dataclass
class _Token:
    text: str
    start: int  # offset in the article text
    end: int
    forms: frozenset[str]
    hard: bool  # sentence-final punctuation
    boundary: bool  # clause boundary (punctuation or boundary word)
    unit: int = -1


@dataclass
class _Unit:
    first: int  # token indices
    last: int
    actors: list[str]
    nisba: bool  # made only of nisba adjectives
    conj: bool  # first word carries the conjunction و/ف
    clitic_prep: bool  # first word carries ب/ل/ك
    prev_prep: str | None  # the preposition right before the unit, if any
    group: int = -1

    @property
    def bare(self) -> bool:
        return not self.clitic_prep and self.prev_prep is None

    @property
    def locative(self) -> bool:
        return self.prev_prep in LOCATIVE_PREPS


@dataclass
class _Sentence:
    tokens: list[_Token]
    units: list[_Unit]
    groups: list[list[int]] = field(default_factory=list)


def _mention_prefix(tok_text: str, tok_start: int, m_start: int, m_key: str, rule: object,
                    known: frozenset[str]) -> str:
    """The proclitics (as a match key) of the word that opens a mention, best effort.

    In order: the part of the word before the mention span; the part left over when the
    word is reduced to a first word of a known actor name (``known``, from the actor
    table); for a mention resolved by the ``clitic`` rule, a leading و/ف/ب/ل/ك; the
    unambiguous prefixes وال، بال، لل..."""
    if m_start > tok_start:
        return match_key(tok_text[: m_start - tok_start])
    tkey = match_key(tok_text)
    if known:
        if tkey in known:
            return ""
        for form in sorted(word_forms(tok_text), key=len, reverse=True):
            if form in known:
                return tkey[: len(tkey) - len(form)]
    first = (m_key or "").split(" ")[0]
    if first and tkey.endswith(first) and len(first) < len(tkey):
        return tkey[: len(tkey) - len(first)]
    if "clitic" in str(rule or "") and tkey[:1] in _CONJ + _PREP_CLITICS:
        return tkey[:2] if tkey[:1] in _CONJ and tkey[1:2] in _PREP_CLITICS else tkey[:1]
    for pre in ("وبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل"):
        if tkey.startswith(pre) and len(tkey) > len(pre) + 1:
            return pre
    return ""


def _known_first_words(actors: pd.DataFrame | None) -> frozenset[str]:
    """Match keys of the first word of every actor name, alias and nisba."""
    if actors is None:
        return frozenset()
    names: set[str] = set()
    for col in ("name_ar", "aliases_ar", "nisba_ar", "surname_ar"):
        if col in actors.columns:
            for cell in actors[col].dropna().astype(str):
                for name in cell.split("|"):
                    words = name.split()
                    if words:
                        names.add(match_key(words[0]))
    return frozenset(names)


def _base_in(key: str, vocab: frozenset[str]) -> str | None:
    """``key`` or ``key`` without a leading و/ف when it is in ``vocab`` (else None)."""
    if key in vocab:
        return key
    if key[:1] in _CONJ and key[1:] in vocab:
        return key[1:]
    return None


def _is_nisba(rule: object, surface: str) -> bool:
    text = str(rule or "").lower()
    if text and text not in ("nan", "none"):
        return "nisba" in text
    key = match_key(surface)
    return bool(re.fullmatch(r"(?:و)?(?:ال)?\w+(?:ي|يه|يان|يتان|يين|يون)", key)) and " " not in key


def _build_sentence(text: str, offset: int, mentions: pd.DataFrame,
                    known: frozenset[str] = frozenset(),
                    persons: frozenset[str] = frozenset()) -> _Sentence:
    """Tokens, actor units and coordinated groups of one sentence.

    A *unit* is one noun phrase naming an actor: adjacent mentions are merged when the
    second is a nisba adjective (فاغنر الروسية) or a person in apposition after a nisba or a
    title (الرئيس الروسي فلاديمير بوتين، وزير خارجية حكومة الوفاق محمد سيالة); its first actor
    stands for it. Two adjacent nisbas (مصري فرنسي) or units joined by و form a *group* (a
    coordinated pair)."""
    tokens: list[_Token] = []
    for a, b in word_spans(text):
        word = text[a:b]
        forms = word_forms(word)
        hard = word in HARD_PUNCT
        key = match_key(word)
        boundary = hard or word in BOUNDARY_PUNCT or key in BOUNDARY_WORDS or (
            key[:1] in _CONJ + _PREP_CLITICS and key[1:] in BOUNDARY_WORDS)
        tokens.append(_Token(word, offset + a, offset + b, forms, hard, boundary))
    units: list[_Unit] = []
    rows = mentions.sort_values(["start", "end"], ascending=[True, False])
    for m in rows.itertuples(index=False):
        covered = [i for i, t in enumerate(tokens) if t.end > m.start and t.start < m.end]
        if not covered:
            continue
        first, last = covered[0], covered[-1]
        tok = tokens[first]
        prefix = _mention_prefix(tok.text, tok.start, int(m.start), str(m.match_key or ""),
                                 getattr(m, "rule", None), known)
        conj = prefix[:1] in _CONJ
        clitic_prep = prefix.lstrip("وف")[:1] in _PREP_CLITICS
        nisba = _is_nisba(getattr(m, "rule", None), str(m.surface))
        prev = tokens[first - 1] if first > 0 else None
        prev_prep = _base_in(match_key(prev.text), PREPOSITIONS) if prev is not None else None
        person = str(m.actor_id) in persons
        if units:
            u = units[-1]
            adjacent = first <= u.last + 1
            overlapping = first <= u.last
            # a person after a nisba or after an actor that follows a title head is in
            # apposition (الرئيس الروسي بوتين، وزير خارجية حكومة الوفاق محمد سيالة); after a
            # plain actor it is a new argument (تدعم باريس حفتر)
            titled = u.first > 0 and bool(tokens[u.first - 1].forms & TITLE_HEADS)
            attributive = (nisba and not u.nisba) or (person and (u.nisba or titled))
            if overlapping or (adjacent and not conj and attributive):
                u.last = max(u.last, last)
                if m.actor_id not in u.actors:
                    u.actors.append(str(m.actor_id))
                u.nisba = u.nisba and nisba
                continue
        units.append(_Unit(first, last, [str(m.actor_id)], nisba, conj, clitic_prep, prev_prep))
    for k, u in enumerate(units):
        for i in range(u.first, u.last + 1):
            tokens[i].unit = k
    groups: list[list[int]] = []
    for k, u in enumerate(units):
        if k > 0:
            prev_u = units[k - 1]
            gap = [tokens[i].text for i in range(prev_u.last + 1, u.first)]
            coordinated = (
                (not gap and (u.conj or (u.nisba and prev_u.nisba)))
                or gap == ["و"]
                or (gap and all(g in ("،", ",") for g in gap) and u.conj)
            )
            if coordinated:
                groups[-1].append(k)
                u.group = len(groups) - 1
                continue
        groups.append([k])
        u.group = len(groups) - 1
    return _Sentence(tokens, units, groups)


# --------------------------------------------------------------------------- matching


def _trigger_at(sent: _Sentence, i: int, variant: tuple[str, ...]) -> int | None:
    """Index of the last token of ``variant`` when it starts at token i, else None."""
    for k, pattern in enumerate(variant):
        j = i + k
        if j >= len(sent.tokens):
            return None
        tok = sent.tokens[j]
        if tok.unit >= 0 or tok.text in BOUNDARY_PUNCT or tok.hard:
            return None
        if not _word_matches(tok.forms, pattern):
            return None
    return i + len(variant) - 1


def _negated(sent: _Sentence, i: int) -> bool:
    """A negator up to NEGATION_WINDOW words before token i in its clause, or a denial /
    allegation verb up to DENIAL_WINDOW words before it (crossing أن but not a comma)."""
    seen = 0
    crossed = False
    for j in range(i - 1, -1, -1):
        tok = sent.tokens[j]
        if tok.hard or tok.text in BOUNDARY_PUNCT:
            return False
        key = match_key(tok.text)
        if not crossed and seen < NEGATION_WINDOW and _base_in(key, NEGATORS):
            return True
        if tok.forms & DENIALS:
            return True
        crossed = crossed or tok.boundary
        seen += 1
        if seen >= DENIAL_WINDOW:
            return False
    return False


def _group_units(sent: _Sentence, k: int, direction: int, whole: bool) -> list[int]:
    members = sent.groups[sent.units[k].group]
    if whole:
        return list(members)
    return [m for m in members if (m >= k if direction > 0 else m <= k)]


def _scan_slot(sent: _Sentence, pos: int, direction: int, wide: bool, max_d: int,
               after_literal: bool, need_pair: bool) -> tuple[list[int], int] | None:
    """Nearest actor group from token ``pos`` in ``direction``: (units, next position)."""
    skipped = 0
    j = pos
    while 0 <= j < len(sent.tokens):
        tok = sent.tokens[j]
        if tok.hard:
            return None
        if tok.unit >= 0:
            unit = sent.units[tok.unit]
            if not unit.locative or (after_literal and skipped == 0):
                members = _group_units(sent, tok.unit, direction, whole=need_pair)
                if need_pair and len(members) < 2:
                    return None
                edge = sent.units[members[-1] if direction > 0 else members[0]]
                return members, (edge.last + 1 if direction > 0 else edge.first - 1)
            j = (unit.last + 1) if direction > 0 else (unit.first - 1)
            skipped += 1
        else:
            if tok.boundary and not wide:
                return None
            j += direction
            skipped += 1
        if skipped > max_d:
            return None
    return None


def _scan_literal(sent: _Sentence, pos: int, direction: int, wide: bool, max_d: int,
                  literal: str) -> int | None:
    """Find the literal word; returns the position after it (in ``direction``)."""
    skipped = 0
    j = pos
    while 0 <= j < len(sent.tokens) and skipped <= max_d:
        tok = sent.tokens[j]
        if tok.hard or tok.unit >= 0:
            if literal == "و" and tok.unit >= 0 and sent.units[tok.unit].conj and direction > 0:
                return j  # the و is a proclitic of the actor's first word
            return None
        if literal == "و":
            if tok.text == "و":
                return j + direction
            if tok.text[:1] == "و" and direction > 0:
                return j  # و glued to the next word: the slot may start in this word
        elif _word_matches(tok.forms, literal):
            return j + direction
        if tok.boundary and not wide:
            return None
        j += direction
        skipped += 1
    return None


def _clause_start(sent: _Sentence, i: int) -> int:
    """Index of the boundary token that opens the clause of token i (-1 at sentence start)."""
    j = i - 1
    while j >= 0 and not sent.tokens[j].boundary:
        j -= 1
    return j


def _subject_left(sent: _Sentence, i: int, max_d: int, trigger_conj: bool) -> list[int] | None:
    """The clause subject left of token i: the first bare actor of its clause; a clause with
    no actor opened by أنها/إنه... or a verb with the conjunction و takes the subject of the
    clause before."""
    b = _clause_start(sent, i)
    bare = [k for k, u in enumerate(sent.units) if u.first > b and u.last < i and u.bare]
    if bare:
        k = bare[0]
        if i - sent.units[k].last - 1 <= max_d:
            return _group_units(sent, k, +1, whole=True)
        return None
    opener = sent.tokens[b] if b >= 0 else None
    pronoun = opener is not None and bool(opener.forms & PRONOUN_OPENERS)
    if not (pronoun or trigger_conj) or opener is None or opener.hard:
        return None
    end = b
    for _ in range(_MAX_FALLBACK_CLAUSES):
        start = _clause_start(sent, end)
        bare = [k for k, u in enumerate(sent.units) if u.first > start and u.last < end and u.bare]
        if bare:
            return _group_units(sent, bare[0], +1, whole=True)
        if start < 0 or sent.tokens[start].hard:
            return None
        end = start
    return None


def _match_side(sent: _Sentence, elements: list[str], pos: int, direction: int, rule: Rule,
                bound: dict[str, list[int]], trigger_conj: bool, trigger_pos: int) -> bool:
    wide = False
    after_literal = False
    for el in elements:
        if el == GAP:
            wide = True
            continue
        if el in SLOTS:
            if el == "SUBJ" and direction < 0:
                found = _subject_left(sent, trigger_pos, rule.max_distance, trigger_conj)
                if found is None:
                    return False
                bound[el] = found
                pos = sent.units[found[0]].first - 1
            else:
                res = _scan_slot(sent, pos, direction, wide, rule.max_distance, after_literal,
                                 need_pair=el == "PAIR")
                if res is None:
                    return False
                members, pos = res
                if el == "SUBJ" and not sent.units[members[0]].bare:
                    return False
                bound[el] = members
            after_literal = False
        else:
            nxt = _scan_literal(sent, pos, direction, wide, rule.max_distance, el)
            if nxt is None:
                return False
            pos = nxt
            after_literal = True
        wide = False
    return True


def _apply_rule(sent: _Sentence, rule: Rule, start: int, end: int,
                trigger_conj: bool) -> list[tuple[str, str]]:
    """(source, target) actor pairs produced by ``rule`` for the trigger at tokens start..end;
    ``trigger_conj``: the trigger word carries the conjunction و/ف (وتدعم)."""
    t = rule.shape.index(TRIGGER)
    left = list(reversed(rule.shape[:t]))
    right = list(rule.shape[t + 1:])
    bound: dict[str, list[int]] = {}
    if not _match_side(sent, right, end + 1, +1, rule, bound, trigger_conj, start):
        return []
    if not _match_side(sent, left, start - 1, -1, rule, bound, trigger_conj, start):
        return []

    def actors(units: list[int]) -> list[str]:
        return [sent.units[k].actors[0] for k in units]

    if "PAIR" in bound:
        members = actors(bound["PAIR"])
        return [(a, b) for a in members for b in members if a != b]
    sources = actors(bound.get("SRC") or bound.get("SUBJ") or [])
    targets = actors(bound["TGT"])
    pairs = [(s, g) for s in sources for g in targets if s != g]
    if rule.symmetric:
        pairs += [(g, s) for s, g in pairs]
    return pairs


def _sentence_edges(sent: _Sentence, rules: list[Rule]) -> list[tuple[str, str, str, str, str]]:
    """(source, relation, target, trigger text, rule_id) for one sentence."""
    out = []
    used: set[int] = set()
    for i, tok in enumerate(sent.tokens):
        if i in used or tok.unit >= 0 or tok.boundary:
            continue
        negated: bool | None = None
        for rule in rules:
            for variant in rule.variants:
                end = _trigger_at(sent, i, variant)
                if end is None:
                    continue
                if negated is None:
                    negated = _negated(sent, i)
                if negated:
                    break
                key = match_key(tok.text)
                conj = key[:1] in _CONJ and not _word_matches(frozenset({key}), variant[0])
                pairs = _apply_rule(sent, rule, i, end, conj)
                if pairs:
                    text = " ".join(t.text for t in sent.tokens[i:end + 1])
                    out += [(s, rule.relation, g, text, rule.rule_id) for s, g in pairs]
                    used.update(range(i, end + 1))
                    break
            if negated or i in used:
                break
    return out


def _actor_table(actors: pd.DataFrame | None) -> pd.DataFrame | None:
    if actors is not None:
        return actors
    try:
        from .actors import load_actors
    except ImportError:
        return None
    try:
        return load_actors()
    except (FileNotFoundError, ValueError):
        return None


def extract_stance(
    resolved: pd.DataFrame,
    sentences: pd.DataFrame,
    rules: pd.DataFrame | str | Path | None = None,
    *,
    actors: pd.DataFrame | None = None,
    collapse: Mapping[str, str] | None = None,
    skip_types: Iterable[str] = ("place",),
) -> pd.DataFrame:
    """Directed, typed stance edges between actors, one row per edge and sentence
    (schema.STANCE: article_id, sent_id, source_actor, relation, target_actor, trigger,
    evidence (the sentence), rule).

    ``resolved``: mentions with ``actor_id`` (``helpers.actors.resolve_mentions``); rows with
    no actor are ignored. ``rules``: a rules table, a path, or None for
    ``data/stance_rules.csv``. ``actors``: the actor table, used only to drop actors whose
    ``type`` is in ``skip_types`` (places: سرت is where fighting happens, not a side);
    loaded from ``data/actors.csv`` when None. ``collapse``: map actor ids after extraction,
    e.g. :data:`FORCES_COLLAPSE` (``{"lna": "haftar"}``) to read قوات حفتر as Haftar.
    Self-edges are dropped and edges are de-duplicated per sentence. A symmetric rule
    (cooperates) yields both directions.

    Example: in «باريس تعارض التدخل التركي وتدعم القائد العام للجيش حفتر» with باريس resolved to
    france (metonymy), التركي to turkey and حفتر to haftar, the edges are
    france opposes turkey and france supports haftar.
    """
    if rules is None or isinstance(rules, (str, Path)):
        rules = load_stance_rules(rules)
    else:
        rules = validate_stance_rules(rules)
    compiled = _compile_rules(rules)
    collapse = dict(collapse or {})
    skip = set(skip_types)
    actors = _actor_table(actors)
    types: dict[str, str] = {}
    if actors is not None and "type" in actors.columns:
        types = dict(zip(actors["actor_id"].astype(str), actors["type"].astype(str),
                         strict=False))
    known = _known_first_words(actors)
    persons = frozenset(a for a, t in types.items() if t == "person")
    ment = resolved[resolved["actor_id"].notna()].copy()
    if "match_key" not in ment.columns:
        ment["match_key"] = ment["surface"].map(match_key)
    if "rule" not in ment.columns:
        ment["rule"] = None
    if skip and types:
        ment = ment[~ment["actor_id"].map(lambda a: types.get(str(a), "") in skip)]
    by_sentence = {key: grp for key, grp in ment.groupby(["article_id", "sent_id"], sort=False)}
    rows = []
    for s in sentences.itertuples(index=False):
        grp = by_sentence.get((s.article_id, s.sent_id))
        if grp is None or grp["actor_id"].nunique() < 2:
            continue
        sent = _build_sentence(str(s.text), int(s.start), grp, known, persons)
        for src, rel, tgt, trig, rule_id in _sentence_edges(sent, compiled):
            src, tgt = collapse.get(src, src), collapse.get(tgt, tgt)
            if src != tgt:
                rows.append((s.article_id, s.sent_id, src, rel, tgt, trig, s.text, rule_id))
    out = pd.DataFrame(rows, columns=STANCE)
    out = out.drop_duplicates(["article_id", "sent_id", "source_actor", "relation",
                               "target_actor"]).reset_index(drop=True)
    return out


# --------------------------------------------------------------------------- aggregation


def stance_edges(stance: pd.DataFrame, *, merge_symmetric: bool = False,
                 n_examples: int = 2) -> pd.DataFrame:
    """Aggregate stance rows into edges: source, relation, target, n (sentences),
    n_articles, triggers, rules and up to ``n_examples`` evidence sentences.

    ``merge_symmetric=True`` keeps one row for a pair seen in both directions with the same
    relation (مصر <-> فرنسا cooperate) and marks it ``both_ways``.
    """
    cols = ["source", "relation", "target", "n", "n_articles", "triggers", "rules",
            "evidence", "both_ways"]
    if stance.empty:
        return pd.DataFrame(columns=cols)
    grouped = []
    for (src, rel, tgt), grp in stance.groupby(["source_actor", "relation", "target_actor"],
                                               sort=True):
        grouped.append({
            "source": src, "relation": rel, "target": tgt, "n": len(grp),
            "n_articles": grp["article_id"].nunique(),
            "triggers": "، ".join(dict.fromkeys(grp["trigger"])),
            "rules": ", ".join(dict.fromkeys(grp["rule"])),
            "evidence": list(dict.fromkeys(grp["evidence"]))[:n_examples],
        })
    edges = pd.DataFrame(grouped)
    keys = set(zip(edges["source"], edges["relation"], edges["target"], strict=True))
    edges["both_ways"] = [(t, r, s) in keys for s, r, t in
                          zip(edges["source"], edges["relation"], edges["target"], strict=True)]
    if merge_symmetric:
        keep = [not (bw and s > t) for s, t, bw in
                zip(edges["source"], edges["target"], edges["both_ways"], strict=True)]
        edges = edges[keep]
    return edges.sort_values(["n", "source", "target"], ascending=[False, True, True])[
        cols].reset_index(drop=True)


RELATION_COLORS = {
    "supports": "#009E73",  # green
    "cooperates": "#0072B2",  # blue
    "opposes": "#D55E00",  # red-orange (vermillion)
    "attacks": "#E69F00",  # orange
}


def _label(actor_id: str, names: Mapping[str, tuple[str, str]]) -> str:
    ar, en = names.get(actor_id, ("", actor_id))
    return f"{ar}\n{en}" if ar else en


def plot_stance_network(stance: pd.DataFrame, actors: pd.DataFrame | None = None, ax=None,
                        *, min_n: int = 1, title: str | None = None, seed: int = 7):
    """Draw the stance network: a directed signed graph, one arrow per (source, relation,
    target) with width by the number of sentences; green = supports, blue = cooperates,
    vermillion = opposes, orange = attacks; a pair seen both ways with the same relation
    is one double-headed arrow. Nodes are labelled in Arabic and English (``name_ar`` /
    ``name_en`` from ``actors``) and coloured with ``helpers.plotting.actor_color``.
    Returns the matplotlib Axes; each arrow has gid ``stance:<source>><relation>><target>``.
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.lines import Line2D

    from .plotting import actor_color

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 7.5))
    edges = stance_edges(stance, merge_symmetric=True)
    edges = edges[edges["n"] >= min_n]
    names: dict[str, tuple[str, str]] = {}
    if actors is not None and not actors.empty:
        names = {str(a): (str(ar), str(en)) for a, ar, en in
                 zip(actors["actor_id"], actors["name_ar"], actors["name_en"], strict=False)}
    graph = nx.MultiDiGraph()
    for e in edges.itertuples(index=False):
        graph.add_edge(e.source, e.target, relation=e.relation, n=e.n, both=e.both_ways)
    ax.set_title(title or "Stance network: who supports or opposes whom")
    ax.set_axis_off()
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no stance edges found", ha="center", va="center",
                transform=ax.transAxes)
        return ax
    nodes = sorted(graph.nodes())
    try:
        pos = nx.kamada_kawai_layout(nx.Graph(graph.to_undirected()))
    except (ImportError, nx.NetworkXException):  # scipy missing or a degenerate graph
        pos = nx.spring_layout(graph, seed=seed)
    node_size = 500
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax, node_size=node_size, alpha=0.9,
                           node_color=[actor_color(n) for n in nodes], edgecolors="white")
    for n in nodes:
        x, y = pos[n]
        ax.text(x, y - 0.07, _label(n, names), ha="center", va="top", fontsize=9,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.7},
                zorder=0.5)
    seen_pairs: dict[frozenset, int] = {}
    for src, tgt, data in graph.edges(data=True):
        pair = frozenset((src, tgt))
        k = seen_pairs.get(pair, 0)
        seen_pairs[pair] = k + 1
        rad = 0.12 + 0.14 * k
        arrows = nx.draw_networkx_edges(
            graph, pos, edgelist=[(src, tgt)], ax=ax, arrows=True, node_size=node_size,
            edge_color=RELATION_COLORS[data["relation"]], width=1.2 + 0.8 * min(data["n"], 5),
            arrowstyle="<|-|>" if data["both"] else "-|>", arrowsize=16,
            connectionstyle=f"arc3,rad={rad}")
        for arrow in arrows:
            arrow.set_gid(f"stance:{src}>{data['relation']}>{tgt}")
    handles = [Line2D([0], [0], color=c, lw=3, label=r) for r, c in RELATION_COLORS.items()]
    ax.legend(handles=handles, title="relation\n(arrow: source -> target)", loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize=9, title_fontsize=9, frameon=False)
    ax.margins(0.12)
    return ax
