"""Stance extraction: who supports, opposes, criticises, attacks, cooperates with or
mediates between whom.

Edges come from **data**, not from regular expressions in code (both files documented in
``data/stance_rules.md``):

* a **relation lexicon** (``data/stance_lexicon.csv``): lemmas in families, in the spirit
  of CAMEO event codes (دعم، ساند -> supports; أدان، اتهم -> criticises; قصف -> attacks;
  تعاون، وقّع -> cooperates; توسط -> mediates ...). Every surface form is generated from
  root + verb form (:func:`pattern_stems`, :func:`inflect_lemma`): perfect and imperfect
  with person affixes and object pronouns, the masdar with possessives, participles;
* **construction rules** (``data/stance_rules.csv``): a relation (``*`` = the lemma's
  family), a trigger (literal words or a lexicon reference such as ``@verb``,
  ``ل@masdar``, ``@passive``) and a *shape*: a short pattern of slots around the trigger
  that this module interprets::

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
from .schema import RESOLVED_MENTIONS, SENTENCES, STANCE, STANCE_EDGES
from .tokens import word_spans

RULES_PATH = DATA_DIR / "stance_rules.csv"
LEXICON_PATH = DATA_DIR / "stance_lexicon.csv"
RELATIONS = ("supports", "opposes", "criticises", "attacks", "cooperates", "mediates")
#: A rule whose relation is ``*`` takes the relation from the family of the lexicon lemma
#: its trigger matched (``SUBJ @verb TGT`` gives supports for تدعم, criticises for أدانت).
FROM_LEXICON = "*"
#: Families whose edges hold both ways whatever the rule (A cooperates with B = B with A).
SYMMETRIC_FAMILIES = frozenset({"cooperates"})
RULE_COLUMNS = [
    "rule_id", "relation", "trigger", "shape", "max_distance", "symmetric", "note", "example",
]
SLOTS = ("SRC", "TGT", "SUBJ", "TSUBJ", "PAIR")
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
VERB_MARK = "!"  # prefix of a compiled trigger word that must be read as a verb
ADJACENT = "!"  # suffix of a shape slot: no word (punctuation only) between it and its neighbour
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
    relations: tuple[str, ...] = ()  # per variant (lexicon family); empty: ``relation``
    purpose: bool = False  # the trigger is ل + masdar (a purpose phrase)

    def relation_of(self, v: int) -> str:
        """The relation of trigger variant ``v``."""
        return self.relations[v] if self.relations else self.relation


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
    shape = [el[:-1] if el.endswith(ADJACENT) and el[:-1] in SLOTS else el for el in shape]
    for el in shape:
        if el not in SLOTS and el not in (GAP, TRIGGER) and not all(
                _ARABIC_WORD.match(alt) for alt in el.split("|")):
            return (f"unknown shape element {el!r}: use SRC, SUBJ, TGT, TSUBJ, PAIR, '...', "
                    "'trigger' or an Arabic word (alternatives joined by '|')")
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
    targets = [el for el in slots if el in ("TGT", "TSUBJ")]
    if len(sources) != 1 or len(targets) != 1:
        return "the shape needs one source (SRC or SUBJ) and one target (TGT or TSUBJ), or one PAIR"
    return None


def _parse_trigger(trigger: str) -> tuple[tuple[str, ...], ...] | str:
    variants = []
    for variant in str(trigger).split("|"):
        words = variant.split()
        if not words:
            return f"empty trigger variant in {trigger!r}"
        parsed = []
        if sum(w.count("@") for w in words) > 1:
            return f"one lexicon reference (@...) per trigger variant, got {variant!r}"
        for word in words:
            if "@" in word:
                ref = _parse_lexicon_ref(word)
                if isinstance(ref, str):
                    return ref
                parsed.append(word)
                continue
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

    A relation ``*`` takes the relation from the lexicon lemma the trigger matched; it needs
    a lexicon reference (``@verb``, ``ل@masdar:supports``) in every trigger variant.

    >>> rules = load_stance_rules()
    >>> set(rules["relation"]) <= set(RELATIONS) | {"*"}
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
        if row.relation not in RELATIONS and row.relation != FROM_LEXICON:
            raise ValueError(f"{where}: unknown relation {row.relation!r}; use one of "
                             + ", ".join(RELATIONS) + f" or {FROM_LEXICON!r} (from the lexicon)")
        parsed = _parse_trigger(row.trigger)
        if isinstance(parsed, str):
            raise ValueError(f"{where}: {parsed}")
        if row.relation == FROM_LEXICON and not all(
                any("@" in w for w in variant) for variant in parsed):
            raise ValueError(f"{where}: relation '*' takes the relation from the lexicon, so "
                             "every trigger variant needs a lexicon reference such as @verb")
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


def _compile_rules(rules: pd.DataFrame, lexicon: pd.DataFrame | None = None) -> list[Rule]:
    """Parsed rules; lexicon references (``@verb``, ``ل@masdar:supports``) are expanded into
    one variant per generated word form, each with its lemma's family as relation."""
    compiled = []
    forms: dict[str, list[tuple[str, str]]] | None = None
    for row in rules.itertuples(index=False):
        parsed = _parse_trigger(row.trigger)
        assert not isinstance(parsed, str)
        variants: list[tuple[str, ...]] = []
        relations: list[str] = []
        for variant in parsed:
            at = [k for k, w in enumerate(variant) if "@" in w]
            if not at:
                variants.append(variant)
                relations.append(str(row.relation))
                continue
            if forms is None:
                forms = lexicon_forms(load_stance_lexicon() if lexicon is None else lexicon)
            k = at[0]
            ref = _parse_lexicon_ref(variant[k])
            assert not isinstance(ref, str)
            clitic, pos, families = ref
            mark = VERB_MARK if pos in ("verb", "verb_obj") and not clitic else ""
            # ب/ل + a definite masdar is written بال/لل: بالتنسيق مع، للتصدي
            clitics = [clitic] + ([clitic + "ال"] if clitic == "ب" else [])
            for form, family in forms[pos]:
                if families and family not in families:
                    continue
                for cl in clitics:
                    variants.append(variant[:k] + (mark + cl + form,) + variant[k + 1:])
                    relations.append(family if row.relation == FROM_LEXICON
                                     else str(row.relation))
        has_lexicon = any(r != str(row.relation) for r in relations) or row.relation == FROM_LEXICON
        compiled.append(Rule(str(row.rule_id), str(row.relation), tuple(variants),
                             tuple(el if el.rstrip(ADJACENT) in SLOTS or el in (GAP, TRIGGER)
                                   else "|".join(match_key(a) for a in el.split("|"))
                                   for el in str(row.shape).split()), int(row.max_distance),
                             bool(row.symmetric), tuple(relations) if has_lexicon else (),
                             purpose="ل@" in str(row.trigger)))
    return compiled


# --------------------------------------------------------------------------- lexicon

#: Parts of speech a rule can ask for: ``verb`` (perfect and imperfect, every person, with
#: object pronouns), ``verb_obj`` (only the forms with an object pronoun: تدعمها),
#: ``masdar`` (the verbal noun, with possessive pronouns), ``masdar_poss`` (only those:
#: دعمها، رفضه), ``active`` and ``passive`` participles (with gender/number endings).
LEXICON_POS = ("verb", "verb_obj", "masdar", "masdar_poss", "active", "passive")
LEXICON_COLUMNS = ["lemma", "family", "root", "form", "perfect", "imperfect", "masdar",
                   "active", "passive", "governs", "note"]
FORMS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "X")
_LEX_REF = re.compile(r"^([\u0621-\u064a]*)@([a-z_]+)(?::([a-z+]+))?$")
_OBJ = ("ه", "ها", "هم", "هما", "هن", "ني", "نا", "كم")
_PERF_SUBJ = ("", "ت", "ا", "تا", "وا", "نا", "تم", "ن")
_IMPF_PREFIX = ("ي", "ت", "ن", "ا")
_IMPF_SUBJ = ("", "ان", "ون", "ين", "ن", "وا")
_NOUN_END = ("", "ه", "ون", "ين", "ات", "ان", "تان", "تين", "ا", "يه")


def _parse_lexicon_ref(word: str) -> tuple[str, str, frozenset[str]] | str:
    """``ل@masdar:supports+opposes`` -> ("ل", "masdar", {supports, opposes})."""
    m = _LEX_REF.match(word)
    if not m:
        return (f"lexicon reference {word!r} is not of the form [clitic]@pos[:family+family], "
                "e.g. @verb, ل@masdar, ب@masdar:supports")
    clitic, pos, fams = m.group(1), m.group(2), m.group(3)
    if pos not in LEXICON_POS:
        return f"unknown part of speech {pos!r} in {word!r}; use one of " + ", ".join(LEXICON_POS)
    families = frozenset(fams.split("+")) if fams else frozenset()
    bad = sorted(families - set(RELATIONS))
    if bad:
        return f"unknown family {bad[0]!r} in {word!r}; use one of " + ", ".join(RELATIONS)
    return match_key(clitic), pos, families


def pattern_stems(root: str, form: str) -> dict[str, list[str]]:
    """Unvocalised stems of a sound triliteral ``root`` in derived ``form`` (I-X), as match
    keys: ``perfect`` (3rd person masculine singular), ``imperfect`` (without the person
    prefix), ``masdar`` (none for form I, whose verbal noun is not predictable),
    ``active`` and ``passive`` participles.

    >>> pattern_stems("سند", "III")["masdar"]
    ['مسانده']
    >>> pattern_stems("وفق", "VIII")["perfect"], pattern_stems("وفق", "VIII")["imperfect"]
    (['اتفق'], ['تفق'])
    >>> pattern_stems("دعم", "I")["passive"]
    ['مدعوم']
    """
    r = match_key(root)
    if len(r) != 3:
        raise ValueError(f"root {root!r} must have three letters; give the forms of other "
                         "lemmas in the perfect/imperfect/masdar/active/passive columns")
    f, a, lam = r
    fal = r
    out: dict[str, list[str]]
    if form == "I":
        out = {"perfect": [fal], "imperfect": [fal], "masdar": [],
               "active": [f + "ا" + a + lam], "passive": ["م" + f + a + "و" + lam]}
    elif form == "II":
        out = {"perfect": [fal], "imperfect": [fal], "masdar": ["ت" + f + a + "ي" + lam],
               "active": ["م" + fal], "passive": ["م" + fal]}
    elif form == "III":
        fa = f + "ا" + a + lam
        out = {"perfect": [fa], "imperfect": [fa], "masdar": ["م" + fa + "ه"],
               "active": ["م" + fa], "passive": ["م" + fa]}
    elif form == "IV":
        out = {"perfect": ["ا" + fal], "imperfect": [fal], "masdar": ["ا" + f + a + "ا" + lam],
               "active": ["م" + fal], "passive": ["م" + fal]}
    elif form == "V":
        out = {"perfect": ["ت" + fal], "imperfect": ["ت" + fal], "masdar": ["ت" + fal],
               "active": ["مت" + fal], "passive": ["مت" + fal]}
    elif form == "VI":
        fa = f + "ا" + a + lam
        out = {"perfect": ["ت" + fa], "imperfect": ["ت" + fa], "masdar": ["ت" + fa],
               "active": ["مت" + fa], "passive": ["مت" + fa]}
    elif form == "VII":
        out = {"perfect": ["ان" + fal], "imperfect": ["ن" + fal],
               "masdar": ["ان" + f + a + "ا" + lam], "active": ["من" + fal], "passive": []}
    elif form == "VIII":
        if f in "وي":  # assimilated: وفق -> اتفق، وهم -> اتهم
            ft = "ت"
        else:
            t = "ط" if f in "صضطظ" else "د" if f in "دذز" else "ت"
            ft = f + t
        out = {"perfect": ["ا" + ft + a + lam], "imperfect": [ft + a + lam],
               "masdar": ["ا" + ft + a + "ا" + lam], "active": ["م" + ft + a + lam],
               "passive": ["م" + ft + a + lam]}
    elif form == "X":
        out = {"perfect": ["است" + fal], "imperfect": ["ست" + fal],
               "masdar": ["است" + f + a + "ا" + lam], "active": ["مست" + fal],
               "passive": ["مست" + fal]}
    else:
        raise ValueError(f"unknown verb form {form!r}; use one of " + ", ".join(FORMS))
    return out


def _cells(value: object) -> list[str] | None:
    """An override cell: None when empty (use the pattern), [] for '-', else its forms."""
    text = str(value or "").strip()
    if not text or text.lower() == "nan":
        return None
    if text == "-":
        return []
    return [match_key(x) for x in text.split("|") if x.strip()]


def _poss(noun: str) -> list[str]:
    """A noun with possessive pronouns: دعم -> دعمه، دعمها؛ مساندة -> مساندته."""
    base = noun[:-1] + "ت" if noun.endswith("ه") else noun
    return [base + o for o in _OBJ]


def inflect_lemma(entry: Mapping[str, object]) -> dict[str, set[str]]:
    """All surface forms (match keys, without proclitics) of one lexicon entry, by part of
    speech (:data:`LEXICON_POS`). Stems come from ``root`` + ``form``
    (:func:`pattern_stems`) unless a column overrides them; inflection adds the person
    prefixes and suffixes of the perfect and imperfect, object pronouns, possessive
    pronouns on the masdar and gender/number endings on participles.

    >>> f = inflect_lemma({"root": "دعم", "form": "I", "masdar": "دعم"})
    >>> {"تدعم", "يدعمون", "دعمتا", "تدعمها"} <= f["verb"], "تدعمها" in f["verb_obj"]
    (True, True)
    >>> {"مدعومه", "مدعوما"} <= f["passive"], "دعمها" in f["masdar_poss"]
    (True, True)
    """
    root, form = str(entry.get("root") or "").strip(), str(entry.get("form") or "").strip()
    stems: dict[str, list[str]] = {"perfect": [], "imperfect": [], "masdar": [], "active": [],
                                   "passive": []}
    if root and root.lower() != "nan":
        stems = pattern_stems(root, form or "I")
    for col in stems:
        override = _cells(entry.get(col))
        if override is not None:
            stems[col] = override
        elif col == "masdar" and form == "I":
            stems[col] = []
    out: dict[str, set[str]] = {pos: set() for pos in LEXICON_POS}
    for p in stems["perfect"]:
        for suffix in _PERF_SUBJ:
            out["verb"].add(p + suffix)
        for suffix in ("", "ت", "ا", "تا", "و"):
            out["verb_obj"].update(p + suffix + o for o in _OBJ)
    for i in stems["imperfect"]:
        for pre in _IMPF_PREFIX:
            for suffix in _IMPF_SUBJ:
                out["verb"].add(pre + i + suffix)
            for suffix in ("", "ان", "ون", "و"):
                out["verb_obj"].update(pre + i + suffix + o for o in _OBJ)
    out["verb"] |= out["verb_obj"]
    for m in stems["masdar"]:
        out["masdar"].update({m, m + "ات" if not m.endswith("ه") else m[:-1] + "ات"})
        if not m.endswith("ه"):
            out["masdar"].add(m + "ا")
        out["masdar_poss"].update(_poss(m))
    out["masdar"] |= out["masdar_poss"]
    for pos in ("active", "passive"):
        for x in stems[pos]:
            out[pos].update(x + e for e in _NOUN_END)
    return out


def load_stance_lexicon(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the relation lexicon (``data/stance_lexicon.csv`` by default): one
    lemma per row with its ``family`` (a relation), its ``root`` and verb ``form`` (I-X)
    or explicit stems, and the preposition it ``governs``. A bad row raises ``ValueError``
    naming the file line, e.g. ``stance_lexicon.csv line 4 (lemma 'دعم'): unknown family``.

    >>> lex = load_stance_lexicon()
    >>> set(lex["family"]) == set(RELATIONS)
    True
    """
    path = Path(path) if path is not None else LEXICON_PATH
    if not path.is_file():
        raise FileNotFoundError(f"stance lexicon not found: {path}. Pass the path of a CSV "
                                "with columns " + ", ".join(LEXICON_COLUMNS))
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in LEXICON_COLUMNS[:4] if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    for col in LEXICON_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    for i, row in enumerate(table.to_dict("records")):
        where = f"{path.name} line {i + 2} (lemma {row['lemma']!r})"
        if row["family"] not in RELATIONS:
            raise ValueError(f"{where}: unknown family {row['family']!r}; use one of "
                             + ", ".join(RELATIONS))
        if row["root"] and row["form"] not in FORMS:
            raise ValueError(f"{where}: form {row['form']!r} is not one of " + ", ".join(FORMS))
        try:
            forms = inflect_lemma(row)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
        if not any(forms.values()):
            raise ValueError(f"{where}: no forms: give a root and form, or stems in the "
                             "perfect/imperfect/masdar/active/passive columns")
    return table


def _governors(lexicon: pd.DataFrame, prep: str) -> frozenset[str]:
    """Verb and masdar forms of the lemmas that govern ``prep`` (تصدى لـ): a ``prep`` +
    masdar right after one of them is its object (للتصدي لهجوم), not a purpose phrase."""
    out: set[str] = set()
    for row in lexicon.to_dict("records"):
        if match_key(str(row.get("governs") or "")) == prep:
            forms = inflect_lemma(row)
            out |= forms["verb"] | forms["masdar"]
    return frozenset(out)


def lexicon_forms(lexicon: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """(form, family) pairs for every part of speech, first lemma wins on a shared form."""
    out: dict[str, dict[str, str]] = {pos: {} for pos in LEXICON_POS}
    for row in lexicon.to_dict("records"):
        for pos, forms in inflect_lemma(row).items():
            for form in sorted(forms):
                out[pos].setdefault(form, str(row["family"]))
    return {pos: sorted(d.items()) for pos, d in out.items()}


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
    vforms: frozenset[str] = frozenset()  # verb readings: only و/ف and the future س peeled


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
    agent: bool = False  # the agent of a passive participle (مدعوم من X): only the
    # rules that name من right before their slot may use it

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
    governors: frozenset[str] = frozenset()  # lexicon words that govern a ل phrase


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


def _build_sentence(text: str, offset: int, mentions: pd.DataFrame | list,
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
        tokens.append(_Token(word, offset + a, offset + b, forms, hard, boundary,
                             vforms=_verb_forms(key)))
    units: list[_Unit] = []
    rows = (mentions.sort_values(["start", "end"], ascending=[True, False]).itertuples(index=False)
            if isinstance(mentions, pd.DataFrame) else mentions)  # a list comes sorted
    for m in rows:
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


def _mark_agents(sent: _Sentence, heads: frozenset[str]) -> None:
    """Flag the units that are the agent of a passive participle or the backer in a
    «بدعم (من) X» phrase (``heads``: the forms of those words): in «هجوم مدعوم من الإمارات
    على مدينة غريان» or «هجوما على طرابلس بدعم من الإمارات» the UAE backs the attack; it
    is neither the attacker nor the attacked."""
    min_ = match_key("من")
    before = match_key("قبل")
    for u in sent.units:
        k = u.first - 1
        if u.prev_prep == min_:
            k -= 1
            if k >= 0 and before in sent.tokens[k].forms:
                k -= 1
        if k >= 0 and sent.tokens[k].forms & heads:
            u.agent = True
    for members in sent.groups:  # مدعوم روسيا وإماراتيا: the whole coordinated group
        if any(sent.units[m].agent for m in members):
            for m in members:
                sent.units[m].agent = True


# --------------------------------------------------------------------------- matching


def _verb_forms(key: str) -> frozenset[str]:
    """Readings of a word as a verb: the word, without a leading و/ف, without the future
    marker س (وسيدعم -> سيدعم، يدعم). No article or preposition: «القصف» is not the verb
    قصف."""
    forms = {key}
    if key[:1] in _CONJ and len(key) > 3:
        forms.add(key[1:])
    forms |= {f[1:] for f in list(forms) if len(f) > 3 and f[0] == "س" and f[1] in "يتنا"}
    return frozenset(forms)


def _token_matches(tok: _Token, pattern: str) -> bool:
    """A trigger word: ``!form`` (a verb form from the lexicon) matches only the verb
    readings of the token; anything else matches its clitic-peeled forms."""
    if pattern[:1] == VERB_MARK:
        return pattern[1:] in tok.vforms
    return _word_matches(tok.forms, pattern)


def _trigger_at(sent: _Sentence, i: int, variant: tuple[str, ...]) -> int | None:
    """Index of the last token of ``variant`` when it starts at token i, else None."""
    for k, pattern in enumerate(variant):
        j = i + k
        if j >= len(sent.tokens):
            return None
        tok = sent.tokens[j]
        if tok.unit >= 0 or tok.text in BOUNDARY_PUNCT or tok.hard:
            return None
        if not _token_matches(tok, pattern):
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
               after_literal: bool, need_pair: bool,
               agent_ok: bool = False, adjacent: bool = False) -> tuple[list[int], int] | None:
    """Nearest actor group from token ``pos`` in ``direction``: (units, next position).
    Locative actors and agents (:func:`_mark_agents`) are skipped unless they stand right
    after a literal word of the shape (or, for agents, right after the trigger:
    ``agent_ok``)."""
    skipped = 0
    j = pos
    while 0 <= j < len(sent.tokens):
        tok = sent.tokens[j]
        if tok.hard:
            return None
        if tok.unit >= 0:
            unit = sent.units[tok.unit]
            usable = not (unit.locative or unit.agent) or (after_literal and skipped == 0)
            if unit.agent and agent_ok and skipped == 0:
                usable = True
            if usable:
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
            if adjacent and tok.text not in BOUNDARY_PUNCT:
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
        elif any(_word_matches(tok.forms, alt) for alt in literal.split("|")):
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
    first = True
    for el in elements:
        if el == GAP:
            wide = True
            continue
        adjacent = el.endswith(ADJACENT) and el[:-1] in SLOTS
        el = el[:-1] if adjacent else el
        if el in SLOTS:
            if el in ("SUBJ", "TSUBJ") and direction < 0:
                found = _subject_left(sent, trigger_pos, rule.max_distance, trigger_conj)
                if found is None and el == "TSUBJ":  # no subject: the nearest actor before
                    res = _scan_slot(sent, pos, direction, True, rule.max_distance,
                                     after_literal, need_pair=False)
                    found = res[0] if res else None
                if found is None:
                    return False
                bound[el] = found
                pos = sent.units[found[0]].first - 1
            else:
                res = _scan_slot(sent, pos, direction, wide, rule.max_distance, after_literal,
                                 need_pair=el == "PAIR", agent_ok=first, adjacent=adjacent)
                if res is None:
                    return False
                members, pos = res
                if el in ("SUBJ", "TSUBJ") and not sent.units[members[0]].bare:
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
        first = False
    return True


def _apply_rule(sent: _Sentence, rule: Rule, start: int, end: int,
                trigger_conj: bool, symmetric: bool | None = None) -> list[tuple[str, str]]:
    """(source, target) actor pairs produced by ``rule`` for the trigger at tokens start..end;
    ``trigger_conj``: the trigger word carries the conjunction و/ف (وتدعم)."""
    t = rule.shape.index(TRIGGER)
    left = list(reversed(rule.shape[:t]))
    if (rule.purpose and start > 0 and sent.tokens[start - 1].unit < 0
            and sent.tokens[start - 1].forms & sent.governors):
        return []  # التصدي لهجوم: the ل phrase is the object of the word before, not a purpose
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
    targets = actors(bound.get("TGT") or bound.get("TSUBJ") or [])
    pairs = [(s, g) for s in sources for g in targets if s != g]
    if rule.symmetric if symmetric is None else symmetric:
        pairs += [(g, s) for s, g in pairs]
    return pairs


@dataclass(frozen=True)
class TriggerIndex:
    """The rules compiled once for a whole corpus: each trigger variant is filed under its
    first word, so that a token is looked up (a few dictionary probes per clitic form)
    instead of being compared with every variant of every rule.

    ``exact`` maps a first word to ``(rule number, variant number)`` pairs; ``stems`` does
    the same for stems written with a trailing ``*`` (a form matches a stem when the form
    starts with it and has at most ``_MAX_STEM_SUFFIX`` letters more)."""

    rules: tuple[Rule, ...]
    exact: Mapping[str, tuple[tuple[int, int], ...]]
    stems: Mapping[str, tuple[tuple[int, int], ...]]

    @classmethod
    def build(cls, rules: list[Rule]) -> TriggerIndex:
        exact: dict[str, list[tuple[int, int]]] = {}
        stems: dict[str, list[tuple[int, int]]] = {}
        for r, rule in enumerate(rules):
            for v, variant in enumerate(rule.variants):
                first = variant[0]
                if first.endswith("*"):
                    stems.setdefault(first[:-1], []).append((r, v))
                else:
                    exact.setdefault(first, []).append((r, v))
        return cls(tuple(rules), {k: tuple(v) for k, v in exact.items()},
                   {k: tuple(v) for k, v in stems.items()})

    def candidates(self, forms: frozenset[str],
                   vforms: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
        """(rule, variant) pairs whose first word matches one of ``forms`` (or, for verb
        forms of the lexicon, one of the verb readings ``vforms``), in file order."""
        found: set[tuple[int, int]] = set()
        for f in vforms:
            found.update(self.exact.get(VERB_MARK + f, ()))
        for f in forms:
            found.update(self.exact.get(f, ()))
            for cut in range(0, _MAX_STEM_SUFFIX + 1):
                if cut >= len(f):
                    break
                found.update(self.stems.get(f[: len(f) - cut] if cut else f, ()))
        return sorted(found)


def _sentence_edges(sent: _Sentence, rules: list[Rule] | TriggerIndex,
                    ) -> list[tuple[str, str, str, str, str]]:
    """(source, relation, target, trigger text, rule_id) for one sentence."""
    index = rules if isinstance(rules, TriggerIndex) else TriggerIndex.build(list(rules))
    out = []
    used: set[int] = set()
    for i, tok in enumerate(sent.tokens):
        if i in used or tok.unit >= 0 or tok.boundary:
            continue
        negated: bool | None = None
        by_rule: dict[int, list[int]] = {}
        for r, v in index.candidates(tok.forms, tok.vforms):
            by_rule.setdefault(r, []).append(v)
        for r, variant_ids in by_rule.items():
            rule = index.rules[r]
            for v in variant_ids:
                variant = rule.variants[v]
                end = _trigger_at(sent, i, variant)
                if end is None:
                    continue
                if negated is None:
                    negated = _negated(sent, i)
                if negated:
                    break
                key = match_key(tok.text)
                conj = key[:1] in _CONJ and not _word_matches(frozenset({key}),
                                                              variant[0].lstrip(VERB_MARK))
                relation = rule.relation_of(v)
                pairs = _apply_rule(sent, rule, i, end, conj,
                                    rule.symmetric or relation in SYMMETRIC_FAMILIES)
                if pairs:
                    text = " ".join(t.text for t in sent.tokens[i:end + 1])
                    out += [(s, relation, g, text, rule.rule_id) for s, g in pairs]
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


_COMPILED: dict[tuple[int, int], tuple[TriggerIndex, frozenset[str], frozenset[str]]] = {}


def _table_hash(table: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(table.astype(str), index=False).sum())


def _compiled(rules: pd.DataFrame, lexicon: pd.DataFrame,
              ) -> tuple[TriggerIndex, frozenset[str], frozenset[str]]:
    """The trigger index, the ل-governors and the agent heads for a rules and a lexicon
    table, compiled once per distinct pair of tables (a corpus is processed in many calls)."""
    key = (_table_hash(rules), _table_hash(lexicon))
    if key not in _COMPILED:
        by_pos = lexicon_forms(lexicon)
        agent_heads = frozenset([f for f, _ in by_pos["passive"]] + [
            "ب" + f for f, fam in by_pos["masdar"] if fam in ("supports", "mediates")])
        if len(_COMPILED) > 8:
            _COMPILED.clear()
        _COMPILED[key] = (TriggerIndex.build(_compile_rules(rules, lexicon)),
                          _governors(lexicon, "ل"), agent_heads)
    return _COMPILED[key]


def extract_stance(
    resolved: pd.DataFrame,
    sentences: pd.DataFrame,
    rules: pd.DataFrame | str | Path | None = None,
    *,
    actors: pd.DataFrame | None = None,
    collapse: Mapping[str, str] | None = None,
    skip_types: Iterable[str] = ("place",),
    lexicon: pd.DataFrame | str | Path | None = None,
) -> pd.DataFrame:
    """Directed, typed stance edges between actors, one row per edge and sentence
    (schema.STANCE: article_id, sent_id, source_actor, relation, target_actor, trigger,
    evidence (the sentence), rule).

    ``resolved``: mentions with ``actor_id`` (``helpers.actors.resolve_mentions``); rows with
    no actor are ignored. ``rules``: a rules table, a path, or None for
    ``data/stance_rules.csv``. ``lexicon``: the relation lexicon that triggers such as
    ``@verb`` expand to (a table, a path, or None for ``data/stance_lexicon.csv``).
    ``actors``: the actor table, used only to drop actors whose
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
    if lexicon is None or isinstance(lexicon, (str, Path)):
        lexicon = load_stance_lexicon(lexicon)
    compiled, governors, agent_heads = _compiled(rules, lexicon)
    collapse = dict(collapse or {})
    skip = set(skip_types)
    actors = _actor_table(actors)
    types: dict[str, str] = {}
    if actors is not None and "type" in actors.columns:
        types = dict(zip(actors["actor_id"].astype(str), actors["type"].astype(str),
                         strict=False))
    known = _known_first_words(actors)
    persons = frozenset(a for a, t in types.items() if t == "person")
    RESOLVED_MENTIONS.validate(resolved, ["article_id", "sent_id", "start", "end", "actor_id"])
    SENTENCES.validate(sentences, ["article_id", "sent_id", "start", "text"])
    ment = resolved[resolved["actor_id"].notna()].copy()
    if ment.empty:  # no actor named: no stance (an untyped empty frame has no columns left)
        return STANCE.empty()
    if "match_key" not in ment.columns:
        ment["match_key"] = ment["surface"].map(match_key)
    if "rule" not in ment.columns:
        ment["rule"] = None
    if skip and types:
        ment = ment[~ment["actor_id"].map(lambda a: types.get(str(a), "") in skip)]
    # one pass over the mentions (itertuples per sentence costs more than the matching)
    ment = ment.sort_values(["article_id", "sent_id", "start", "end"],
                            ascending=[True, True, True, False], kind="stable")
    by_sentence: dict[tuple, list] = {}
    for m in ment[["article_id", "sent_id", "start", "end", "surface", "match_key", "rule",
                   "actor_id"]].itertuples(index=False):
        by_sentence.setdefault((m.article_id, m.sent_id), []).append(m)
    rows = []
    for s in sentences.itertuples(index=False):
        grp = by_sentence.get((s.article_id, s.sent_id))
        if grp is None or len({m.actor_id for m in grp}) < 2:
            continue
        sent = _build_sentence(str(s.text), int(s.start), grp, known, persons)
        _mark_agents(sent, agent_heads)
        sent.governors = governors
        for src, rel, tgt, trig, rule_id in _sentence_edges(sent, compiled):
            src, tgt = collapse.get(src, src), collapse.get(tgt, tgt)
            if src != tgt:
                rows.append((s.article_id, s.sent_id, src, rel, tgt, trig, s.text, rule_id))
    if not rows:
        return STANCE.empty()
    out = pd.DataFrame(rows, columns=STANCE.columns)
    out = out.drop_duplicates(["article_id", "sent_id", "source_actor", "relation",
                               "target_actor"]).reset_index(drop=True)
    return STANCE.validate(out)


# --------------------------------------------------------------------------- aggregation


def stance_edges(stance: pd.DataFrame, *, merge_symmetric: bool = False,
                 n_examples: int = 2) -> pd.DataFrame:
    """Aggregate stance rows into edges: source, relation, target, n (sentences),
    n_articles, triggers, rules and up to ``n_examples`` evidence sentences.

    ``merge_symmetric=True`` keeps one row for a pair seen in both directions with the same
    relation (مصر <-> فرنسا cooperate) and marks it ``both_ways``.
    """
    cols = STANCE_EDGES.columns
    if stance.empty:
        return STANCE_EDGES.empty()
    STANCE.validate(stance, ["article_id", "source_actor", "relation", "target_actor",
                             "trigger", "rule", "evidence"])
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
    return STANCE_EDGES.validate(edges.sort_values(
        ["n", "source", "target"], ascending=[False, True, True])[cols].reset_index(drop=True))
