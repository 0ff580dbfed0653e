"""Actors: a curated actor dictionary, alias resolution and who-appears-with-whom.

Named-entity recognition finds spans such as ``خليفة حفتر``, ``حفتر``, ``لحكومة الوفاق`` or
``باريس``; an analyst needs *actors*: Haftar, the GNA, France. This module maps spans to
the stable ids of ``data/actors.csv`` (documented in ``data/actors.md``), the way
conflict-event coders (ACLED, PETRARCH/TABARI) use curated actor dictionaries.

Every comparison is made on :func:`helpers.clean.match_key` keys, word by word
(:func:`helpers.tokens.word_spans`), so ``مصراتة`` never matches ``مصر`` and hamza or taa
marbuta variants (``اردوغان``/``أردوغان``, ``سيالة``/``سياله``) are the same word. The rules,
in the order they are tried, and the name each one leaves in the ``rule`` column:

``exact``     the span's key is an alias of one actor;
``clitic``    the same after removing proclitics from the first word (و ف ب ل ك ال لل ...);
``nisba``     the alias that matched is a nisba adjective (``التركي`` -> turkey);
``title``     the same after removing a leading title (``اللواء المتقاعد``, ``وزير الخارجية``,
              from ``data/titles.txt``) or a title inside a longer alias
              (``قوات اللواء المتقاعد خليفة حفتر`` -> lna);
``contains``  a model span that is not an alias contains one whose type fits the label
              (``وزير الخارجية التركي مولود جاويش أوغلو`` + PERS -> cavusoglu);
``surname``   a person named in full somewhere in the same article is later named by the
              short form in ``surname_ar`` (``خليفة حفتر`` ... ``حفتر``);
``metonymy``  with ``metonymy=True``, a capital stands for its state (``باريس`` -> france);
``ambiguous`` the key belongs to several actors flagged ``ambiguous`` and nothing decided
              between them, or a surname is shared by two persons named in full in the
              article (``actor_id`` stays None);
``out_of_scope`` the span matched only a *generic* alias of a country-specific actor
              (``مجلس النواب`` of Libya) and neither the sentence nor the article is about
              that country (``scope`` column; ``مجلس النواب العراقي`` is not Libya's);
``unresolved`` nothing matched (``actor_id`` None; the mention is kept, never dropped).

Longest alias first: ``تركي الفيصل`` (a Saudi prince) beats ``تركي`` (Turkey), ``مؤتمر برلين``
beats ``برلين``, ``قوات حفتر`` (the LNA) beats ``حفتر``.

Names the dictionary does not know become *discovered* actors in
:mod:`helpers.discovery` (which calls :func:`resolve_mentions` twice). Overlaps between
mentions are only looked for within one sentence, so the cost of resolution grows linearly
with the length of an article.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd

from .clean import clitic_candidates, match_key
from .paths import DATA_DIR, REPO_ROOT
from .schema import ACTOR_TABLE, ARTICLE_ACTORS, COMENTION, MENTIONS, RESOLVED_MENTIONS
from .tokens import word_spans, words

ACTORS_PATH = DATA_DIR / "actors.csv"
TITLES_PATH = DATA_DIR / "titles.txt"
NOT_ACTORS_PATH = DATA_DIR / "not_actors.txt"

ACTOR_COLUMNS = [
    "actor_id", "name_en", "name_ar", "type", "aliases_ar", "nisba_ar", "surname_ar",
    "side", "affiliation", "metonymy_of", "ambiguous", "description_en", "source", "scope",
]
REQUIRED_COLUMNS = ["actor_id", "name_en", "name_ar", "type", "aliases_ar", "source"]
ACTOR_TYPES = (
    "person", "state", "government", "armed_group", "international", "company", "event",
    "place", "organization",
)
# Label a dictionary match gets from its actor's type (NER labels of schema.MENTIONS).
TYPE_LABEL = {
    "person": "PERS", "state": "LOC", "place": "LOC", "government": "ORG",
    "armed_group": "ORG", "international": "ORG", "company": "ORG", "event": "MISC",
    "organization": "ORG",
}
# Actor types a model label may stand for when a span only *contains* an alias.
LABEL_TYPES = {
    "PERS": {"person"},
    "LOC": {"state", "place"},
    "ORG": {"government", "armed_group", "international", "company", "state", "event",
            "organization"},
    "MISC": set(ACTOR_TYPES),
}
RULES = ("exact", "clitic", "nisba", "title", "contains", "surname", "metonymy",
         "ambiguous", "out_of_scope", "unresolved")
ORIGINS = ("model", "dictionary", "both", "pattern")
PATTERN_MODEL = "pattern"  # mentions added by helpers.discovery.org_spans
DICTIONARY_MODEL = "dictionary"
DICTIONARY_SCORE = 1.0
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


class ActorDictionaryError(ValueError):
    """The actor dictionary (``data/actors.csv`` or a DataFrame) breaks a rule."""


# ----------------------------------------------------------------------------- keys


@lru_cache(maxsize=65536)
def _token_key(token: str) -> str:
    return match_key(token)


def _split_aliases(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [a.strip() for a in str(value).split("|") if a.strip()]


def _alias_tokens(text: str) -> tuple[str, ...]:
    return tuple(_token_key(w) for w in words(text))


# ----------------------------------------------------------------------------- titles


def load_titles(path: str | Path | None = None) -> list[str]:
    """Titles stripped from the front of a person mention (``data/titles.txt``: one per
    line, ``#`` comments), longest first.

    >>> "اللواء المتقاعد" in load_titles()
    True
    """
    path = Path(path) if path else TITLES_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"Title list not found: {path}. Restore data/titles.txt or pass titles= explicitly."
        )
    return list(_read_titles(str(path), path.stat().st_mtime_ns))


@lru_cache(maxsize=8)
def _read_titles(path: str, mtime_ns: int) -> tuple[str, ...]:
    """The sorted titles of ``path``, read once per modification time (hot: every sentence
    of :func:`helpers.discovery.org_spans` asks for them)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    titles = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return tuple(sorted(dict.fromkeys(titles),
                        key=lambda t: (-len(_alias_tokens(t)), -len(t))))


def _title_keys(titles: list[str]) -> dict[str, list[tuple[str, ...]]]:
    """Title keys grouped by their first word, longest first (computed once per list of
    titles; the returned table is shared, read it only)."""
    return _title_keys_of(tuple(titles))


@lru_cache(maxsize=8)
def _title_keys_of(titles: tuple[str, ...]) -> dict[str, list[tuple[str, ...]]]:
    table: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in sorted({_alias_tokens(t) for t in titles} - {()}, key=len, reverse=True):
        table[key[0]].append(key)
    return dict(table)


def _skip_titles(keys: list[str], i: int, titles: dict[str, list[tuple[str, ...]]]) -> int:
    """Index of the first token at or after ``i`` that does not start a title."""
    while i < len(keys):
        found = [t for cand in clitic_candidates(keys[i]) for t in titles.get(cand, ())
                 if tuple(keys[i + 1:i + len(t)]) == t[1:]]
        if not found:
            break
        i += max(len(t) for t in found)
    return i


def strip_titles(text: str, titles: list[str] | None = None) -> str:
    """The match key of ``text`` without its leading titles (repeatedly, longest first;
    a proclitic on the first word is allowed).

    >>> strip_titles("واللواء المتقاعد خليفة حفتر")
    'خليفه حفتر'
    >>> strip_titles("وزير الخارجية التركي مولود جاويش أوغلو")
    'التركي مولود جاويش اوغلو'
    """
    keys = [_token_key(w) for w in words(text)]
    start = _skip_titles(keys, 0, _title_keys(titles if titles is not None else load_titles()))
    return " ".join(keys[start:])


# ----------------------------------------------------------------------------- dictionary


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = text.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def _row_name(where: str, index: int, actor_id: str, from_file: bool) -> str:
    row = f"line {index + 2}" if from_file else f"row {index}"
    return f"{where} {row} ({actor_id or 'no actor_id'})"


def validate_actors(actors: pd.DataFrame, where: str = "actors") -> pd.DataFrame:
    """Check an actor table and return it normalised (all columns of ``ACTOR_COLUMNS``,
    strings stripped, ``ambiguous`` as bool). Raises :class:`ActorDictionaryError`
    listing every problem: missing columns, empty or duplicate ``actor_id``, unknown
    ``type``, a row without a ``source`` URL, a ``metonymy_of``/``side``/``affiliation``
    that is not an actor id, and any alias key claimed by two actors unless every
    claimant is marked ``ambiguous``.
    """
    from_file = where.endswith(".csv")
    missing = [c for c in REQUIRED_COLUMNS if c not in actors.columns]
    if missing:
        raise ActorDictionaryError(
            f"{where}: missing column(s) {', '.join(missing)}. Required columns are "
            f"{', '.join(REQUIRED_COLUMNS)}; see data/actors.md."
        )
    table = actors.copy().reset_index(drop=True)
    for col in ACTOR_COLUMNS:
        if col not in table.columns:
            table[col] = ""
    for col in ACTOR_COLUMNS:
        if col != "ambiguous":
            table[col] = table[col].map(
                lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()
            ).astype(object)
    problems: list[str] = []
    flags = table["ambiguous"].map(_as_bool)
    for i in table.index[flags.isna()]:
        problems.append(f"{_row_name(where, i, table.actor_id[i], from_file)}: ambiguous must be "
                        f"true or false, not {table.ambiguous[i]!r}")
    table["ambiguous"] = flags.fillna(False).astype(bool)

    ids = set(table.actor_id)
    state_ids = set(table.actor_id[table.type == "state"])
    seen: dict[str, int] = {}
    for i, row in table.iterrows():
        name = _row_name(where, i, row.actor_id, from_file)
        if not _ID_RE.match(row.actor_id):
            problems.append(f"{name}: actor_id must be lower-case ASCII letters, digits and _")
        elif row.actor_id in seen:
            problems.append(f"{name}: duplicate actor_id, already used on "
                            f"{_row_name(where, seen[row.actor_id], row.actor_id, from_file)}")
        else:
            seen[row.actor_id] = i
        if row.type not in ACTOR_TYPES:
            problems.append(f"{name}: type {row.type!r} is not one of {', '.join(ACTOR_TYPES)}")
        if not row.name_ar or not row.name_en:
            problems.append(f"{name}: name_ar and name_en are required")
        if not re.match(r"^https?://\S+$", row.source):
            problems.append(f"{name}: source must be a URL (http... ) for the facts of this row")
        for col in ("metonymy_of", "side", "affiliation"):
            if row[col] and row[col] not in ids:
                problems.append(f"{name}: {col} {row[col]!r} is not an actor_id in the table")
        if row.metonymy_of and row.type != "place":
            problems.append(f"{name}: only a place can have metonymy_of")
        if row.scope and row.scope not in state_ids:
            problems.append(f"{name}: scope {row.scope!r} must be empty (a global actor) or the "
                            "actor_id of a state row, e.g. libya")

    claims: dict[tuple[str, ...], dict[str, int]] = defaultdict(dict)
    for i, row in table.iterrows():
        for alias in [row.name_ar, *_split_aliases(row.aliases_ar), *_split_aliases(row.nisba_ar)]:
            key = _alias_tokens(alias)
            if key:
                claims[key].setdefault(row.actor_id, i)
    for key, owners in claims.items():
        if len(owners) > 1 and not all(table.ambiguous[i] for i in owners.values()):
            rows = " and ".join(_row_name(where, i, a, from_file) for a, i in owners.items())
            problems.append(
                f"alias {' '.join(key)!r} is claimed by {rows}; keep it on one actor, give the "
                "others a longer alias, or mark every claimant ambiguous=true"
            )
    if problems:
        raise ActorDictionaryError(
            f"{where}: {len(problems)} problem(s) in the actor dictionary:\n  - "
            + "\n  - ".join(problems)
            + "\nFix the rows above (see data/actors.md for the columns and rules)."
        )
    extra = [c for c in table.columns if c not in ACTOR_COLUMNS]
    return table[ACTOR_COLUMNS + extra]


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return path.name


@lru_cache(maxsize=8)
def _load_actors_cached(path: str, mtime: float) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return validate_actors(table, where=_display_path(Path(path)))


def load_actors(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the actor dictionary (default ``data/actors.csv``).

    One row per actor: ``actor_id``, ``name_en``, ``name_ar``, ``type``, ``aliases_ar``
    and ``nisba_ar`` (``|``-separated), ``surname_ar``, ``side``, ``affiliation``,
    ``metonymy_of``, ``ambiguous``, ``description_en``, ``source``.

    >>> actors = load_actors()
    >>> actors.set_index("actor_id").loc["haftar", "name_ar"]
    'خليفة حفتر'
    """
    path = Path(path) if path else ACTORS_PATH
    if not path.is_file():
        raise FileNotFoundError(
            f"Actor dictionary not found: {_display_path(path)}. Pass the path of a CSV with "
            "the columns of data/actors.md, or restore data/actors.csv."
        )
    return _load_actors_cached(str(path), path.stat().st_mtime).copy()


def add_actors(actors: pd.DataFrame, extra: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """Extend a dictionary for a new conflict or a missing alias, without editing the CSV.

    Rows of ``extra`` with a new ``actor_id`` are appended; rows with an existing id add
    their ``aliases_ar``/``nisba_ar`` to that actor and overwrite its other non-empty
    fields. The result is validated like ``data/actors.csv``.

    >>> a = add_actors(load_actors(), [{"actor_id": "haftar", "aliases_ar": "المشير حفتر الكبير"}])
    >>> "المشير حفتر الكبير" in a.set_index("actor_id").loc["haftar", "aliases_ar"]
    True
    """
    extra_df = pd.DataFrame(extra) if not isinstance(extra, pd.DataFrame) else extra.copy()
    if "actor_id" not in extra_df.columns:
        raise ActorDictionaryError("extra actors need an actor_id column (see data/actors.md)")
    table = actors.copy().set_index("actor_id", drop=False)
    new_rows = []
    for _, row in extra_df.iterrows():
        values = {k: v for k, v in row.items() if isinstance(v, str) and v.strip() or
                  isinstance(v, bool)}
        actor_id = str(row["actor_id"]).strip()
        if actor_id in table.index:
            for col, value in values.items():
                if col in ("aliases_ar", "nisba_ar"):
                    merged = _split_aliases(table.at[actor_id, col]) + _split_aliases(value)
                    table.at[actor_id, col] = "|".join(dict.fromkeys(merged))
                elif col != "actor_id":
                    table.at[actor_id, col] = value
        else:
            new_rows.append(values)
    combined = pd.concat([table.reset_index(drop=True), pd.DataFrame(new_rows)], ignore_index=True)
    return validate_actors(combined, where="actors + extra")


# ----------------------------------------------------------------------------- index


@dataclass(frozen=True)
class _Alias:
    tokens: tuple[str, ...]
    actor_ids: tuple[str, ...]
    nisba: bool
    generic: bool = False  # an alias of a scoped actor that does not name its country


@dataclass
class _Index:
    by_first: dict[str, list[_Alias]]
    types: dict[str, str]
    metonymy: dict[str, str]
    surnames: dict[str, tuple[str, ...]]
    titles: dict[str, list[tuple[str, ...]]]
    ambiguous: set[str] = field(default_factory=set)
    scope: dict[str, str] = field(default_factory=dict)  # actor -> country it belongs to
    discovered: set[str] = field(default_factory=set)  # persons from helpers.discovery
    # discovered bodies named with a state's nisba («الجيش السوداني»: scope sudan); the
    # nisba inside their name keeps its own mention of the state (see _dictionary_rows)
    state_bodies: set[str] = field(default_factory=set)


def load_not_actors(path: str | Path | None = None) -> list[str]:
    """Phrases that contain an alias but never name an actor (``data/not_actors.txt``),
    e.g. القوة القاهرة (force majeure), which is not Cairo. The matcher consumes them and
    resolves them to nothing.

    >>> "القوة القاهرة" in load_not_actors()
    True
    """
    path = Path(path) if path else NOT_ACTORS_PATH
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _build_index(actors: pd.DataFrame, titles: list[str]) -> _Index:
    owners: dict[tuple[str, ...], dict[str, bool]] = defaultdict(dict)
    for phrase in load_not_actors():
        key = _alias_tokens(phrase)
        if key:
            owners.setdefault(key, {})
    for row in actors.itertuples(index=False):
        plain = [row.name_ar, *_split_aliases(row.aliases_ar)]
        for alias in plain:
            key = _alias_tokens(alias)
            if key:
                owners[key][row.actor_id] = False
        for alias in _split_aliases(row.nisba_ar):
            key = _alias_tokens(alias)
            if key:
                owners[key].setdefault(row.actor_id, True)
    scope = {a: s for a, s in zip(actors.actor_id, actors.scope, strict=True) if s}
    types = dict(zip(actors.actor_id, actors.type, strict=True))

    def generic(key: tuple[str, ...], ids: dict[str, bool]) -> bool:
        return bool(ids) and all(a in scope and types.get(a) not in ("person", "place")
                                 for a in ids) and all(_generic_word(k) for k in key)

    by_first: dict[str, list[_Alias]] = defaultdict(list)
    for key, ids in owners.items():
        by_first[key[0]].append(_Alias(key, tuple(ids), bool(ids) and all(ids.values()),
                                       generic(key, ids)))
    for aliases in by_first.values():
        aliases.sort(key=lambda a: len(a.tokens), reverse=True)
    surnames = {}
    for row in actors.itertuples(index=False):
        if row.type == "person" or row.surname_ar:
            short = row.surname_ar or words(row.name_ar)[-1]
            surnames[row.actor_id] = _alias_tokens(short)
    origin = actors.get("origin", pd.Series("", index=actors.index)) == "discovered"
    return _Index(
        by_first=dict(by_first),
        types=dict(zip(actors.actor_id, actors.type, strict=True)),
        metonymy={a: m for a, m in zip(actors.actor_id, actors.metonymy_of, strict=True) if m},
        surnames=surnames,
        titles=_title_keys(titles),
        ambiguous=set(actors.actor_id[actors.ambiguous.astype(bool)]),
        scope=scope,
        discovered=set(actors.actor_id[origin & (actors.type == "person")]),
        state_bodies=set(actors.actor_id[origin & (actors.type != "person")
                                         & (actors.scope != "")]),
    )


# Words of institution names that any country has: an alias of a country-specific actor
# made only of these («مجلس النواب», «المجلس الرئاسي», «القيادة العامة», «بعثة الأمم المتحدة»)
# is *generic* and needs its country in context (_in_scope). Proper names such as الوفاق or
# الوحدة الوطنية are not in the list: «حكومة الوفاق» names the GNA by itself.
GENERIC_WORDS = frozenset(_token_key(w) for w in """مجلس المجلس النواب الرئاسي القيادة قيادة
العامة العام البرلمان برلمان الجيش جيش الحكومة حكومة القوات قوات المسلحة الدولة للدولة الأعلى
بعثة البعثة الأممية الأمم المتحدة الدعم للدعم اللجنة لجنة العسكرية المشتركة المؤسسة الوطنية
الوطني للنفط ملتقى منتدى الحوار السياسي""".split())


def _generic_word(key: str) -> bool:
    """A word of :data:`GENERIC_WORDS` or punctuation; digits are not generic: «اللجنة
    العسكرية المشتركة 5+5» names Libya's commission by itself."""
    return key in GENERIC_WORDS or not any(ch.isalnum() for ch in key)


_INDEX_CACHE: dict[int, _Index] = {}


def _index_for(actors: pd.DataFrame | str | Path | None) -> tuple[pd.DataFrame, _Index]:
    if actors is None or isinstance(actors, (str, Path)):
        actors = load_actors(actors)
    if any(c not in actors.columns for c in ACTOR_COLUMNS) or actors["ambiguous"].dtype != bool:
        actors = validate_actors(actors)
    digest = int(pd.util.hash_pandas_object(actors[ACTOR_COLUMNS].astype(str), index=False).sum())
    if digest not in _INDEX_CACHE:
        if len(_INDEX_CACHE) > 8:
            _INDEX_CACHE.clear()
        _INDEX_CACHE[digest] = _build_index(actors, load_titles())
    return actors, _INDEX_CACHE[digest]


# ----------------------------------------------------------------------------- matching


@dataclass
class _Match:
    start_tok: int
    end_tok: int
    actor_ids: tuple[str, ...]
    rule: str
    generic: bool = False


def _match_rest(keys: list[str], j: int, rest: tuple[str, ...],
                titles: dict[str, list[tuple[str, ...]]]) -> tuple[int, bool] | None:
    skipped = False
    for token in rest:
        if j < len(keys) and keys[j] == token:
            j += 1
            continue
        k = _skip_titles(keys, j, titles)
        if k > j and k < len(keys) and keys[k] == token:
            j, skipped = k + 1, True
            continue
        return None
    return j, skipped


def _match_at(keys: list[str], i: int, index: _Index, *, must_end: int | None = None,
              by_first: dict[str, list[_Alias]] | None = None) -> _Match | None:
    """Longest alias starting at token ``i`` (ties: least clitic stripping)."""
    table = index.by_first if by_first is None else by_first
    best, best_score = None, None
    for rank, cand in enumerate(clitic_candidates(keys[i])):
        for alias in table.get(cand, ()):
            found = _match_rest(keys, i + 1, alias.tokens[1:], index.titles)
            if found is None or (must_end is not None and found[0] != must_end):
                continue
            end, skipped = found
            score = (end - i, -rank)
            if best_score is None or score > best_score:
                rule = ("nisba" if alias.nisba else "title" if skipped
                        else "clitic" if rank else "exact")
                best, best_score = _Match(i, end, alias.actor_ids, rule, alias.generic), score
    return best


def _scan_keys(keys: list[str], index: _Index, start: int = 0,
               by_first: dict[str, list[_Alias]] | None = None) -> list[_Match]:
    """Leftmost-longest, non-overlapping alias matches over a token key sequence."""
    found, i = [], start
    while i < len(keys):
        match = _match_at(keys, i, index, by_first=by_first)
        if match:
            found.append(match)
            i = match.end_tok
        else:
            i += 1
    return found


def _pick(ids: tuple[str, ...], label: str | None, index: _Index) -> tuple[str, ...]:
    if len(ids) > 1 and label in LABEL_TYPES:
        fitting = tuple(a for a in ids if index.types.get(a) in LABEL_TYPES[label])
        if fitting:
            return fitting
    return ids


# Head nouns of a pattern span that name the forces of the actor after them («قوات حكومة
# الوفاق» is the GNA); any other head names a body of its own («بعثة الاتحاد الأفريقي»).
_FORCE_HEADS = {_token_key(w) for w in "قوات القوات قوة ميليشيات مليشيات ميليشيا مليشيا".split()}


def _resolve_keys(keys: list[str], label: str | None, index: _Index, *,
                  pattern: bool = False) -> tuple[tuple[str, ...], str, bool]:
    """Actor candidates, rule and generic flag (see :func:`_in_scope`) for the token keys
    of one model span. A ``pattern`` span (head noun + chain, :mod:`helpers.discovery`)
    contains an actor only when the actor fills the whole chain after the head noun
    («قوات حكومة الوفاق» is the GNA; «الجيش السوداني» is not Sudan)."""
    if not keys:
        return (), "unresolved", False
    whole = _match_at(keys, 0, index, must_end=len(keys))
    if whole:
        return _pick(whole.actor_ids, label, index), whole.rule, whole.generic
    first = _skip_titles(keys, 0, index.titles)
    if 0 < first < len(keys):
        rest = _match_at(keys, first, index, must_end=len(keys))
        if rest:
            rule = "nisba" if rest.rule == "nisba" else "title"
            return _pick(rest.actor_ids, label, index), rule, rest.generic
    allowed = LABEL_TYPES.get(label or "MISC", set(ACTOR_TYPES))
    inside = []
    for m in _scan_keys(keys, index, start=first):
        if pattern and (m.rule in ("nisba", "clitic") or m.start_tok != 1
                        or m.end_tok != len(keys)
                        or not _FORCE_HEADS & set(clitic_candidates(keys[0]))):
            continue
        ids = tuple(a for a in m.actor_ids if index.types.get(a) in allowed)
        if ids:
            inside.append((m.end_tok - m.start_tok, -m.start_tok, ids, m.generic))
    if inside:
        best = max(inside)
        return best[2], "contains", best[3]
    return (), "unresolved", False


def _finish(ids: tuple[str, ...], rule: str) -> tuple[str | None, str]:
    if len(ids) == 1:
        return ids[0], rule
    if ids:
        return None, "ambiguous"
    return None, rule if rule == "out_of_scope" else "unresolved"


def resolve_name(surface: str, label: str | None = None,
                 actors: pd.DataFrame | str | Path | None = None,
                 *, metonymy: bool = False) -> tuple[str | None, str]:
    """Resolve one name out of context: ``(actor_id or None, rule)``.

    ``label`` (PERS/LOC/ORG/MISC) only matters for a span that merely contains an alias
    or a key shared by several ambiguous actors. No surname fallback (that needs the
    article); use :func:`resolve_mentions` for texts.

    >>> resolve_name("لحكومة الوفاق")
    ('gna', 'clitic')
    >>> resolve_name("اللواء المتقاعد خليفة حفتر", "PERS")
    ('haftar', 'title')
    >>> resolve_name("باريس", metonymy=True)
    ('france', 'metonymy')
    """
    actors, index = _index_for(actors)
    ids, rule, _ = _resolve_keys([_token_key(w) for w in words(surface)], label, index)
    actor_id, rule = _finish(ids, rule)
    if metonymy and actor_id in index.metonymy:
        return index.metonymy[actor_id], "metonymy"
    return actor_id, rule


# ----------------------------------------------------------------------------- resolution


def _empty_mentions() -> pd.DataFrame:
    return MENTIONS.empty()


# Words after which a lone surname is a reference to a person named before, not the family
# name of someone else («قال البرهان», «وأكد دقلو», «إن روتو»): see _name_context.
_BEFORE_NAME = {_token_key(w) for w in """قال أكد أعلن دعا أضاف أشار أوضح اتهم نفى رحب طالب
التقى استقبل زار رد هدد حذر انتقد أشاد شدد صرح كشف اعتبر وصف تعهد أمر وقع أبدى أعرب
في من عن مع الى إلى على أن إن بأن لأن ان بان لان كما بينما فيما حيث بعد قبل بين عبر ضد""".split()}


def _name_context(prev: str, index: _Index) -> bool:
    """Whether a lone one-word name of a *discovered* person may stand after the word
    ``prev`` (a match key; "" at the start of a sentence or after punctuation). A word that
    is not a title, a reporting verb, a particle or a word with و/ف/ال in front is probably
    another given name: «نيجيرفان بارزاني» is not «مسرور بارزاني»."""
    if not prev or not prev[0].isalpha():
        return True
    return prev in _BEFORE_NAME or prev.startswith(("و", "ف", "ال")) or prev in index.titles


def _dictionary_rows(article_id: str, sents: Sequence[Any], index: _Index,
                     by_first: dict[str, list[_Alias]] | None = None) -> list[dict]:
    """Dictionary matches in ``sents``, the rows (named tuples with ``sent_id``, ``start``
    and ``text``) of one article's sentences."""
    rows = []
    for sent in sents:
        text = sent.text
        spans = word_spans(text)
        keys = [_token_key(text[a:b]) for a, b in spans]
        in_title: set[int] = set()
        if by_first is not None:  # short names: never a word of a title («القائد العام للجيش»)
            for i in range(len(keys)):
                in_title.update(range(i, _skip_titles(keys, i, index.titles)))
        found = _scan_keys(keys, index, by_first=by_first)
        for m in list(found):
            if len(m.actor_ids) == 1 and m.actor_ids[0] in index.state_bodies:
                # «الجيش السوداني» (a discovered body): its nisba still names Sudan
                found += [n for k in range(m.start_tok + 1, m.end_tok)
                          if (n := _match_at(keys, k, index, must_end=k + 1))
                          and n.rule == "nisba"]
        for m in found:
            if not m.actor_ids or m.start_tok in in_title:  # a not-actor phrase, or a title
                continue
            prev = keys[m.start_tok - 1] if m.start_tok else ""
            if (m.end_tok - m.start_tok == 1 and len(m.actor_ids) == 1 and m.rule == "exact"
                    and m.actor_ids[0] in index.discovered and not _name_context(prev, index)):
                continue
            a, b = spans[m.start_tok][0], spans[m.end_tok - 1][1]
            types = {index.types.get(x) for x in m.actor_ids}
            rows.append({
                "article_id": article_id, "sent_id": sent.sent_id,
                "start": int(sent.start) + a, "end": int(sent.start) + b,
                "surface": text[a:b],
                "label": TYPE_LABEL.get(types.pop(), "MISC") if len(types) == 1 else "MISC",
                "score": DICTIONARY_SCORE, "model": DICTIONARY_MODEL,
                "_ids": m.actor_ids, "rule": m.rule, "origin": "dictionary",
                "_generic": m.generic, "_prev": prev,
            })
    return rows


def _surname_index(rows: list[dict], index: _Index) -> dict[str, list[_Alias]]:
    """Aliases made of the short names of persons named (not by surname) in an article."""
    known: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for row in rows:
        if len(row["_ids"]) == 1 and row["rule"] != "surname":
            actor = row["_ids"][0]
            if actor in index.surnames:
                known[index.surnames[actor]].add(actor)
    table: dict[str, list[_Alias]] = defaultdict(list)
    for key, ids in known.items():
        table[key[0]].append(_Alias(key, tuple(sorted(ids)), False))
    for aliases in table.values():
        aliases.sort(key=lambda a: len(a.tokens), reverse=True)
    return dict(table)


def _apply_surnames(model_rows: list[dict], dict_rows: list[dict], article_id: str,
                    sents: Sequence[Any] | None, index: _Index) -> list[dict]:
    table = _surname_index(model_rows + dict_rows, index)
    if not table:
        return dict_rows
    for row in model_rows:
        if len(row["_ids"]) != 1:
            keys = row["_keys"]
            first = _skip_titles(keys, 0, index.titles)
            if first < len(keys):
                m = _match_at(keys, first, index, must_end=len(keys), by_first=table)
                if m and len(m.actor_ids) == 1 and (not row["_ids"] or m.actor_ids[0] in row["_ids"]):
                    row["_ids"], row["rule"] = m.actor_ids, "surname"
                elif m and not row["_ids"]:  # two people of that surname named in full
                    row["_ids"], row["rule"] = m.actor_ids, "ambiguous"
    if sents is None:
        return dict_rows
    extra = _dictionary_rows(article_id, sents, index, by_first=table)
    at = {(e["start"], e["end"]): e for e in extra}
    kept = []
    for row in dict_rows:
        same = at.get((row["start"], row["end"]))
        if same is not None and len(same["_ids"]) == 1 and (
                len(row["_ids"]) != 1
                # a nisba that is the surname of a person named in full in the article and
                # qualifies no definite noun: «وقال السوداني» (Mohammed Shia al-Sudani), not
                # «الجيش السوداني»
                or row["rule"] == "nisba" and not row.get("_prev", "").startswith("ال")):
            row["_ids"], row["rule"], row["_generic"] = same["_ids"], "surname", False
        kept.append(row)
    taken = _Spans(dict_rows)
    for e in extra:
        e["rule"] = "surname"
        if not taken.overlaps(e):
            kept.append(e)
    return kept


class _Spans:
    """Rows bucketed by sentence, so an overlap test looks at one sentence's rows only
    (resolution stays linear in the article's length)."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_sent: dict[object, list[dict]] = defaultdict(list)
        for row in rows:
            self.by_sent[row["sent_id"]].append(row)

    def overlapping(self, row: dict) -> list[dict]:
        return [r for r in self.by_sent.get(row["sent_id"], ())
                if r["start"] < row["end"] and row["start"] < r["end"]]

    def overlaps(self, row: dict) -> bool:
        return bool(self.overlapping(row))


def _merge(model_rows: list[dict], dict_rows: list[dict]) -> list[dict]:
    """One row per mention: a dictionary match overlapping a model mention of the same actor
    (or a longer dictionary alias covering the model span) becomes one row, origin both.
    A mention of another actor inside a longer one is kept as a nested row: the state of a
    nisba inside an organisation name found by pattern («السوداني» in «الجيش السوداني»,
    «التركي» in «البرلمان التركي») keeps its mention, as inside a person's title («وزير
    الخارجية التركي مولود جاويش أوغلو»); :mod:`helpers.stance` reads the nested rows as one
    unit whose first (outer) actor acts. Overlaps are looked up per sentence (linear cost)."""
    by_sent: dict[object, list[dict]] = defaultdict(list)
    for m in model_rows:
        by_sent[m["sent_id"]].append(m)
    for d in sorted(dict_rows, key=lambda r: r["start"]):
        rows = by_sent[d["sent_id"]]
        overlapping = [m for m in rows if m["origin"] != "dictionary"
                       and m["start"] < d["end"] and d["start"] < m["end"]]
        if not overlapping:
            rows.append(d)
            continue
        covered = [m for m in overlapping if d["start"] <= m["start"] and m["end"] <= d["end"]
                   and (m["end"] - m["start"]) < (d["end"] - d["start"])]
        if len(covered) == len(overlapping):
            merged = dict(d, origin="both", model=covered[0]["model"],
                          score=max(float(m["score"]) for m in covered))
            if merged["_ids"] == covered[0]["_ids"]:
                merged["label"] = covered[0]["label"]
            rows[:] = [r for r in rows if not any(r is m for m in covered)] + [merged]
            continue
        same = [m for m in overlapping if m["_ids"] == d["_ids"]]
        if same:
            for m in same:
                m["origin"] = "both"
        else:
            rows.append(d)  # a nested mention of another actor (e.g. التركي inside a name)
    return [r for rows in by_sent.values() for r in rows]


def _country_of(actor: str, index: _Index) -> str | None:
    return actor if index.types.get(actor) == "state" else index.scope.get(actor)


def _venue(row: dict, index: _Index) -> bool:
    """A state named after the preposition في or with the proclitic ب («بالمغرب»)."""
    if index.types.get(row["_ids"][0]) != "state" or row.get("rule") == "nisba":
        return False
    if row.get("_prev") == "في":
        return True
    first = words(str(row["surface"]))
    key = _token_key(first[0]) if first else ""
    key = key[1:] if key[:1] in ("و", "ف") else key
    state = row["_ids"][0]
    return key[:1] == "ب" and any(state in a.actor_ids for a in index.by_first.get(key[1:], ()))


def _in_scope(rows: list[dict], index: _Index) -> None:
    """Drop the actor of a row matched only by a *generic* alias (an alias of a country-
    specific actor that does not name the country: «مجلس النواب», «المجلس الرئاسي»,
    «القيادة العامة» of Libya) unless its country is named in the same sentence, or, when
    the sentence names no country, the article is about that country (its most named
    country, or one named at least three times) or names no country at all (nothing
    speaks against the dictionary's reading). Countries are read from the other rows:
    a state (or its nisba) counts for itself, a scoped actor for its scope. A state named
    as a venue («في بوزنيقة بالمغرب», «في المغرب») does not count: talks of Libya's
    parliament held in Morocco are still Libya's parliament; but right after the generic
    name it qualifies it («مجلس النواب في العراق», «مجلس النواب بالعراق»)."""
    scoped = [r for r in rows if r.get("_generic") and len(r["_ids"]) == 1
              and r["_ids"][0] in index.scope]
    if not scoped:
        return
    article: Counter = Counter()
    sentence: dict[object, set[str]] = defaultdict(set)
    for r in rows:
        if r.get("_generic") or len(r["_ids"]) != 1:
            continue
        country = _country_of(r["_ids"][0], index)
        if country and not (_venue(r, index) and not any(
                g["sent_id"] == r["sent_id"] and 0 <= r["start"] - g["end"] <= 4
                for g in scoped)):
            article[country] += 1
            sentence[r["sent_id"]].add(country)
    top = max(article.values(), default=0)
    for r in scoped:
        country = index.scope[r["_ids"][0]]
        here = sentence.get(r["sent_id"], set())
        ok = country in here or (not here and (top == 0 or article[country] == top
                                               or article[country] >= 3))
        if not ok:
            r["_ids"], r["rule"] = (), "out_of_scope"


def resolve_mentions(mentions: pd.DataFrame | None, sentences: pd.DataFrame | None,
                     actors: pd.DataFrame | str | Path | None = None, *,
                     metonymy: bool = False, dictionary: bool = True) -> pd.DataFrame:
    """Map NER mentions to actor ids and add the mentions the model missed.

    ``mentions`` follows ``schema.MENTIONS`` (may be None or empty: dictionary matching
    alone); ``sentences`` follows ``schema.SENTENCES`` (needed when ``dictionary=True``);
    ``actors`` is a table from :func:`load_actors`/:func:`add_actors`, a CSV path, or None
    for ``data/actors.csv``.
    Returns ``schema.RESOLVED_MENTIONS``: the input columns plus ``match_key`` (key of the
    surface), ``actor_id`` (None when unresolved or ambiguous; such rows are kept),
    ``origin`` (model / dictionary / both) and ``rule`` (see the module docstring).

    - Model spans are resolved by exact key, proclitics, titles, then containment.
    - ``dictionary=True`` scans every sentence for aliases (longest first, whole words);
      a match the model missed is added with ``model="dictionary"``, ``score=1.0`` and the
      label of its actor type; a match overlapping a model mention of the same actor, or
      covering a shorter model span, is merged into one row with ``origin="both"``.
    - Surname fallback works within one article, in both directions.
    - ``metonymy=True`` maps capitals to their states (rule ``metonymy``); off, they stay
      places.

    >>> import pandas as pd
    >>> s = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0], "end": [24],
    ...                   "text": ["تدعم باريس قوات حفتر."]})
    >>> out = resolve_mentions(None, s, metonymy=True)
    >>> list(zip(out.surface, out.actor_id, out.rule))
    [('باريس', 'france', 'metonymy'), ('قوات حفتر', 'lna', 'exact')]
    """
    actors, index = _index_for(actors)
    mentions = _empty_mentions() if mentions is None else mentions
    missing = [c for c in MENTIONS.columns if c not in mentions.columns]
    if missing:
        raise ValueError(f"mentions lack column(s) {', '.join(missing)}; pass the output of "
                         "helpers.ner.run_ner (schema.MENTIONS) or None for dictionary-only.")
    MENTIONS.validate(mentions, ["article_id", "sent_id", "start", "end"])
    if dictionary and sentences is None:
        raise ValueError("dictionary=True needs the sentences table (helpers.sentences."
                         "split_sentences); pass it, or dictionary=False for model mentions only.")
    # rows as named tuples grouped by article in one pass (a DataFrame per article costs
    # more than the matching on a long archive partition)
    by_article_m: dict[Any, list] = {}
    for m in mentions.itertuples(index=False):
        by_article_m.setdefault(m.article_id, []).append(m)
    by_article_s: dict[Any, list] = {}
    if sentences is not None and len(sentences):
        for sent in sentences[["article_id", "sent_id", "start", "text"]].itertuples(index=False):
            by_article_s.setdefault(sent.article_id, []).append(sent)
        for rows in by_article_s.values():
            rows.sort(key=lambda r: r.sent_id)
    wanted = set(by_article_m) | (set(by_article_s) if dictionary else set())
    article_ids = [a for a in dict.fromkeys([*by_article_s, *by_article_m]) if a in wanted]
    out: list[dict] = []
    for article_id in article_ids:
        model_rows = []
        group = by_article_m.get(article_id)
        for m in ([] if group is None else group):
            keys = [_token_key(w) for w in words(str(m.surface))]
            ids, rule, generic = _resolve_keys(keys, m.label, index,
                                               pattern=m.model == PATTERN_MODEL)
            row = {c: getattr(m, c) for c in MENTIONS.columns}
            row.update(_ids=ids, rule=rule, origin="model", _keys=keys, _generic=generic)
            model_rows.append(row)
        sents = by_article_s.get(article_id)
        dict_rows = _dictionary_rows(article_id, sents, index) if dictionary and sents is not None else []
        dict_rows = _apply_surnames(model_rows, dict_rows, article_id,
                                    sents if dictionary else None, index)
        _in_scope(model_rows + dict_rows, index)
        dict_rows = [r for r in dict_rows if r["rule"] != "out_of_scope"]
        out.extend(_merge(model_rows, dict_rows))
    for row in out:
        actor_id, rule = _finish(row["_ids"], row["rule"])
        if metonymy and actor_id in index.metonymy:
            actor_id, rule = index.metonymy[actor_id], "metonymy"
        row.update(actor_id=actor_id, rule=rule, match_key=match_key(str(row["surface"])))
    table = pd.DataFrame(out, columns=RESOLVED_MENTIONS.columns)
    if table.empty:
        return RESOLVED_MENTIONS.empty()
    table["actor_id"] = table["actor_id"].astype(object).where(table["actor_id"].notna(), None)
    order = table["article_id"].map({a: i for i, a in enumerate(article_ids)})
    table = table.assign(_order=order).sort_values(["_order", "start", "end"], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


# ----------------------------------------------------------------------------- tables


def _with_names(table: pd.DataFrame, actors: pd.DataFrame | None) -> pd.DataFrame:
    if actors is None:
        return table
    columns = ["actor_id", "name_en", "name_ar", "type"]
    names = actors[columns + [c for c in ("origin",) if c in actors.columns]]
    return table.merge(names, on="actor_id", how="left")


def actor_table(resolved: pd.DataFrame, by_article: bool = True,
                actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actors found, with ``mentions``, ``sentences`` and first position.

    ``by_article=True``: one row per (article, actor) with ``first_sent`` and
    ``first_start`` (character offset). ``by_article=False``: one row per actor over the
    corpus with ``articles`` and the ``first_article`` (first in article order). The
    ``surfaces`` column lists the distinct spellings seen (e.g. ``روسيا، الروسي``).
    Pass ``actors`` to add ``name_en``, ``name_ar`` and ``type``
    (:data:`helpers.schema.ARTICLE_ACTORS` / :data:`helpers.schema.ACTOR_TABLE`).
    """
    spec = ARTICLE_ACTORS if by_article else ACTOR_TABLE
    cols = spec.columns if actors is not None else spec.columns[:-3]  # without the names
    RESOLVED_MENTIONS.validate(resolved, ["article_id", "sent_id", "start", "surface", "actor_id"])
    found = resolved[resolved["actor_id"].notna()].copy()
    if found.empty:
        return spec.empty()[cols]
    found["_sent"] = found["article_id"].astype(str) + "#" + found["sent_id"].astype(str)

    def surfaces(s: pd.Series) -> str:
        return "، ".join(dict.fromkeys(s))

    if by_article:
        table = (found.groupby(["article_id", "actor_id"], sort=False)
                 .agg(mentions=("surface", "size"), sentences=("sent_id", "nunique"),
                      first_sent=("sent_id", "min"), first_start=("start", "min"),
                      surfaces=("surface", surfaces))
                 .reset_index()
                 .sort_values(["article_id", "mentions", "first_start"],
                              ascending=[True, False, True], kind="stable"))
    else:
        order = {a: i for i, a in enumerate(dict.fromkeys(resolved["article_id"]))}
        found["_order"] = found["article_id"].map(order)
        table = (found.sort_values(["_order", "start"], kind="stable")
                 .groupby("actor_id", sort=False)
                 .agg(mentions=("surface", "size"), sentences=("_sent", "nunique"),
                      articles=("article_id", "nunique"), first_article=("article_id", "first"),
                      surfaces=("surface", surfaces))
                 .reset_index()
                 .sort_values(["mentions", "actor_id"], ascending=[False, True], kind="stable"))
    return spec.validate(_with_names(table.reset_index(drop=True), actors), cols)


def unresolved_table(resolved: pd.DataFrame) -> pd.DataFrame:
    """Mentions without an actor, grouped by ``match_key``: how often, with which label,
    rule (``unresolved`` or ``ambiguous``), origin and spellings. The list to read when
    extending ``data/actors.csv``."""
    rest = resolved[resolved["actor_id"].isna()]
    columns = ["match_key", "mentions", "label", "rule", "origin", "articles", "surfaces"]
    if rest.empty:
        return pd.DataFrame(columns=columns)
    table = (rest.groupby("match_key", sort=False)
             .agg(mentions=("surface", "size"),
                  label=("label", lambda s: Counter(s).most_common(1)[0][0]),
                  rule=("rule", lambda s: "/".join(sorted(set(s)))),
                  origin=("origin", lambda s: "/".join(sorted(set(s)))),
                  articles=("article_id", "nunique"),
                  surfaces=("surface", lambda s: "، ".join(dict.fromkeys(s))))
             .reset_index())
    return table.sort_values(["mentions", "match_key"], ascending=[False, True],
                             kind="stable").reset_index(drop=True)[columns]


def comention_edges(resolved: pd.DataFrame) -> pd.DataFrame:
    """Actor pairs named in the same sentence: ``source``, ``target`` (alphabetical
    order), ``weight`` = number of sentences where both appear, ``articles``
    (:data:`helpers.schema.COMENTION`)."""
    RESOLVED_MENTIONS.validate(resolved, ["article_id", "sent_id", "actor_id"])
    found = resolved[resolved["actor_id"].notna()]
    weight: Counter = Counter()
    arts: dict[tuple[str, str], set] = defaultdict(set)
    for (article, _), group in found.groupby(["article_id", "sent_id"], sort=False):
        for pair in combinations(sorted(set(group["actor_id"])), 2):
            weight[pair] += 1
            arts[pair].add(article)
    rows = [{"source": a, "target": b, "weight": w, "articles": len(arts[(a, b)])}
            for (a, b), w in weight.items()]
    if not rows:
        return COMENTION.empty()
    edges = pd.DataFrame(rows, columns=COMENTION.columns)
    return COMENTION.validate(edges.sort_values(["weight", "source", "target"],
                                                ascending=[False, True, True],
                                                kind="stable").reset_index(drop=True))
