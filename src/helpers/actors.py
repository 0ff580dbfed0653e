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
              between them (``actor_id`` stays None);
``unresolved`` nothing matched (``actor_id`` None; the mention is kept, never dropped).

Longest alias first: ``تركي الفيصل`` (a Saudi prince) beats ``تركي`` (Turkey), ``مؤتمر برلين``
beats ``برلين``, ``قوات حفتر`` (the LNA) beats ``حفتر``.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .clean import clitic_candidates, match_key
from .paths import DATA_DIR, REPO_ROOT
from .schema import MENTIONS, RESOLVED_MENTIONS
from .tokens import word_spans, words

if TYPE_CHECKING:
    from matplotlib.axes import Axes

ACTORS_PATH = DATA_DIR / "actors.csv"
TITLES_PATH = DATA_DIR / "titles.txt"
NOT_ACTORS_PATH = DATA_DIR / "not_actors.txt"

ACTOR_COLUMNS = [
    "actor_id", "name_en", "name_ar", "type", "aliases_ar", "nisba_ar", "surname_ar",
    "side", "affiliation", "metonymy_of", "ambiguous", "description_en", "source",
]
REQUIRED_COLUMNS = ["actor_id", "name_en", "name_ar", "type", "aliases_ar", "source"]
ACTOR_TYPES = (
    "person", "state", "government", "armed_group", "international", "company", "event",
    "place",
)
# Label a dictionary match gets from its actor's type (NER labels of schema.MENTIONS).
TYPE_LABEL = {
    "person": "PERS", "state": "LOC", "place": "LOC", "government": "ORG",
    "armed_group": "ORG", "international": "ORG", "company": "ORG", "event": "MISC",
}
# Actor types a model label may stand for when a span only *contains* an alias.
LABEL_TYPES = {
    "PERS": {"person"},
    "LOC": {"state", "place"},
    "ORG": {"government", "armed_group", "international", "company", "state", "event"},
    "MISC": set(ACTOR_TYPES),
}
RULES = ("exact", "clitic", "nisba", "title", "contains", "surname", "metonymy",
         "ambiguous", "unresolved")
ORIGINS = ("model", "dictionary", "both")
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
    lines = path.read_text(encoding="utf-8").splitlines()
    titles = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return sorted(dict.fromkeys(titles), key=lambda t: (-len(_alias_tokens(t)), -len(t)))


def _title_keys(titles: list[str]) -> dict[str, list[tuple[str, ...]]]:
    """Title keys grouped by their first word, longest first."""
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


@dataclass
class _Index:
    by_first: dict[str, list[_Alias]]
    types: dict[str, str]
    metonymy: dict[str, str]
    surnames: dict[str, tuple[str, ...]]
    titles: dict[str, list[tuple[str, ...]]]
    ambiguous: set[str] = field(default_factory=set)


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
    by_first: dict[str, list[_Alias]] = defaultdict(list)
    for key, ids in owners.items():
        by_first[key[0]].append(_Alias(key, tuple(ids), bool(ids) and all(ids.values())))
    for aliases in by_first.values():
        aliases.sort(key=lambda a: len(a.tokens), reverse=True)
    surnames = {}
    for row in actors.itertuples(index=False):
        if row.type == "person":
            short = row.surname_ar or words(row.name_ar)[-1]
            surnames[row.actor_id] = _alias_tokens(short)
    return _Index(
        by_first=dict(by_first),
        types=dict(zip(actors.actor_id, actors.type, strict=True)),
        metonymy={a: m for a, m in zip(actors.actor_id, actors.metonymy_of, strict=True) if m},
        surnames=surnames,
        titles=_title_keys(titles),
        ambiguous=set(actors.actor_id[actors.ambiguous.astype(bool)]),
    )


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
                best, best_score = _Match(i, end, alias.actor_ids, rule), score
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


def _resolve_keys(keys: list[str], label: str | None, index: _Index) -> tuple[tuple[str, ...], str]:
    """Actor candidates and rule for the token keys of one model span."""
    if not keys:
        return (), "unresolved"
    whole = _match_at(keys, 0, index, must_end=len(keys))
    if whole:
        return _pick(whole.actor_ids, label, index), whole.rule
    first = _skip_titles(keys, 0, index.titles)
    if 0 < first < len(keys):
        rest = _match_at(keys, first, index, must_end=len(keys))
        if rest:
            return _pick(rest.actor_ids, label, index), "nisba" if rest.rule == "nisba" else "title"
    allowed = LABEL_TYPES.get(label or "MISC", set(ACTOR_TYPES))
    inside = []
    for m in _scan_keys(keys, index, start=first):
        ids = tuple(a for a in m.actor_ids if index.types.get(a) in allowed)
        if ids:
            inside.append((m.end_tok - m.start_tok, -m.start_tok, ids))
    if inside:
        return max(inside)[2], "contains"
    return (), "unresolved"


def _finish(ids: tuple[str, ...], rule: str) -> tuple[str | None, str]:
    if len(ids) == 1:
        return ids[0], rule
    return None, "ambiguous" if ids else "unresolved"


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
    actor_id, rule = _finish(*_resolve_keys([_token_key(w) for w in words(surface)], label, index))
    if metonymy and actor_id in index.metonymy:
        return index.metonymy[actor_id], "metonymy"
    return actor_id, rule


# ----------------------------------------------------------------------------- resolution


def _empty_mentions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in MENTIONS})


def _dictionary_rows(article_id: str, sents: pd.DataFrame, index: _Index,
                     by_first: dict[str, list[_Alias]] | None = None) -> list[dict]:
    rows = []
    for sent in sents.itertuples(index=False):
        text = sent.text
        spans = word_spans(text)
        keys = [_token_key(text[a:b]) for a, b in spans]
        for m in _scan_keys(keys, index, by_first=by_first):
            if not m.actor_ids:  # a not-actor phrase (data/not_actors.txt)
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
                    sents: pd.DataFrame | None, index: _Index) -> list[dict]:
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
    if sents is None:
        return dict_rows
    extra = _dictionary_rows(article_id, sents, index, by_first=table)
    kept = []
    for row in dict_rows:
        same = [e for e in extra if (e["start"], e["end"]) == (row["start"], row["end"])]
        if len(row["_ids"]) != 1 and same and len(same[0]["_ids"]) == 1:
            row["_ids"], row["rule"] = same[0]["_ids"], "surname"
        kept.append(row)
    for e in extra:
        e["rule"] = "surname"
        if not any(e["start"] < r["end"] and r["start"] < e["end"] for r in dict_rows):
            kept.append(e)
    return kept


def _merge(model_rows: list[dict], dict_rows: list[dict]) -> list[dict]:
    """One row per mention: a dictionary match overlapping a model mention of the same actor
    (or a longer dictionary alias covering the model span) becomes one row, origin both."""
    rows = list(model_rows)
    for d in sorted(dict_rows, key=lambda r: r["start"]):
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
            rows = [r for r in rows if not any(r is m for m in covered)] + [merged]
            continue
        same = [m for m in overlapping if m["_ids"] == d["_ids"]]
        if same:
            for m in same:
                m["origin"] = "both"
        else:
            rows.append(d)  # a nested mention of another actor (e.g. التركي inside a name)
    return rows


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
    missing = [c for c in MENTIONS if c not in mentions.columns]
    if missing:
        raise ValueError(f"mentions lack column(s) {', '.join(missing)}; pass the output of "
                         "helpers.ner.run_ner (schema.MENTIONS) or None for dictionary-only.")
    if dictionary and sentences is None:
        raise ValueError("dictionary=True needs the sentences table (helpers.sentences."
                         "split_sentences); pass it, or dictionary=False for model mentions only.")
    by_article_m = {a: g for a, g in mentions.groupby("article_id", sort=False)}
    by_article_s = ({a: g.sort_values("sent_id") for a, g in sentences.groupby("article_id", sort=False)}
                    if sentences is not None and len(sentences) else {})
    wanted = set(by_article_m) | (set(by_article_s) if dictionary else set())
    article_ids = [a for a in dict.fromkeys([*by_article_s, *by_article_m]) if a in wanted]
    out: list[dict] = []
    for article_id in article_ids:
        model_rows = []
        group = by_article_m.get(article_id)
        for m in ([] if group is None else group.itertuples(index=False)):
            keys = [_token_key(w) for w in words(str(m.surface))]
            ids, rule = _resolve_keys(keys, m.label, index)
            row = {c: getattr(m, c) for c in MENTIONS}
            row.update(_ids=ids, rule=rule, origin="model", _keys=keys)
            model_rows.append(row)
        sents = by_article_s.get(article_id)
        dict_rows = _dictionary_rows(article_id, sents, index) if dictionary and sents is not None else []
        dict_rows = _apply_surnames(model_rows, dict_rows, article_id,
                                    sents if dictionary else None, index)
        out.extend(_merge(model_rows, dict_rows))
    for row in out:
        actor_id, rule = _finish(row["_ids"], row["rule"])
        if metonymy and actor_id in index.metonymy:
            actor_id, rule = index.metonymy[actor_id], "metonymy"
        row.update(actor_id=actor_id, rule=rule, match_key=match_key(str(row["surface"])))
    table = pd.DataFrame(out, columns=RESOLVED_MENTIONS)
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RESOLVED_MENTIONS})
    table["actor_id"] = table["actor_id"].astype(object).where(table["actor_id"].notna(), None)
    order = table["article_id"].map({a: i for i, a in enumerate(article_ids)})
    table = table.assign(_order=order).sort_values(["_order", "start", "end"], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


# ----------------------------------------------------------------------------- tables


def _with_names(table: pd.DataFrame, actors: pd.DataFrame | None) -> pd.DataFrame:
    if actors is None:
        return table
    names = actors[["actor_id", "name_en", "name_ar", "type"]]
    return table.merge(names, on="actor_id", how="left")


def actor_table(resolved: pd.DataFrame, by_article: bool = True,
                actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Actors found, with ``mentions``, ``sentences`` and first position.

    ``by_article=True``: one row per (article, actor) with ``first_sent`` and
    ``first_start`` (character offset). ``by_article=False``: one row per actor over the
    corpus with ``articles`` and the ``first_article`` (first in article order). The
    ``surfaces`` column lists the distinct spellings seen (e.g. ``روسيا، الروسي``).
    Pass ``actors`` to add ``name_en``, ``name_ar`` and ``type``.
    """
    found = resolved[resolved["actor_id"].notna()].copy()
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
    return _with_names(table.reset_index(drop=True), actors)


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
    order), ``weight`` = number of sentences where both appear, ``articles``."""
    found = resolved[resolved["actor_id"].notna()]
    weight: Counter = Counter()
    arts: dict[tuple[str, str], set] = defaultdict(set)
    for (article, _), group in found.groupby(["article_id", "sent_id"], sort=False):
        for pair in combinations(sorted(set(group["actor_id"])), 2):
            weight[pair] += 1
            arts[pair].add(article)
    rows = [{"source": a, "target": b, "weight": w, "articles": len(arts[(a, b)])}
            for (a, b), w in weight.items()]
    edges = pd.DataFrame(rows, columns=["source", "target", "weight", "articles"])
    return edges.sort_values(["weight", "source", "target"], ascending=[False, True, True],
                             kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- figures


def _label(actor_id: str, names: dict[str, tuple[str, str]], sep: str = "\n",
           width: int | None = None) -> str:
    en, ar = names.get(actor_id, (actor_id, ""))
    if width:
        en = "\n".join(textwrap.wrap(en, width))
    if not ar:
        return en
    return f"{ar}{sep}{en}" if sep == "\n" else f"{en}{sep}{ar}"


def _place_labels(ax: Axes, pos: dict, nodes: list[str], labels: dict[str, str],
                  sizes: dict[str, float]) -> None:
    """Put each node's label where it overlaps the fewest other labels and nodes:
    away from the centre first, then above, below, right, left (strongest nodes first)."""
    import numpy as np

    ax.autoscale_view()
    renderer = ax.figure.canvas.get_renderer()
    to_px = ax.transData.transform
    scale = ax.figure.dpi / 72
    circles = {n: (to_px(pos[n]), (sizes[n] ** 0.5) / 2 * scale) for n in nodes}
    centre = np.mean([pos[n] for n in nodes], axis=0)
    placed: list = []

    def cost(box, own: str) -> float:
        area = sum(max(0.0, min(box.x1, b.x1) - max(box.x0, b.x0))
                   * max(0.0, min(box.y1, b.y1) - max(box.y0, b.y0)) for b in placed)
        for node, ((cx, cy), r) in circles.items():
            if node != own:
                dx = max(box.x0 - cx, 0, cx - box.x1)
                dy = max(box.y0 - cy, 0, cy - box.y1)
                area += max(0.0, r - (dx * dx + dy * dy) ** 0.5) * r
        return area

    for node in nodes:
        direction = np.asarray(pos[node]) - centre
        ux, uy = direction / max(float(np.hypot(*direction)), 1e-9)
        gap = (sizes[node] ** 0.5) / 2 + 3
        options = [(gap * ux, gap * uy), (0, gap), (0, -gap), (gap, 0), (-gap, 0)]
        best = None
        for dx, dy in options:
            text = ax.annotate(
                labels[node], pos[node], xytext=(dx, dy), textcoords="offset points",
                fontsize=8, ha="left" if dx > 0.35 * gap else "right" if dx < -0.35 * gap else "center",
                va="bottom" if dy > 0.35 * gap else "top" if dy < -0.35 * gap else "center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.6})
            box = text.get_window_extent(renderer)
            score = cost(box, node)
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, text, box)
            else:
                text.remove()
            if score == 0:
                break
        placed.append(best[2])


def plot_actor_network(edges: pd.DataFrame, actors: pd.DataFrame, ax: Axes | None = None, *,
                       min_weight: int = 1, max_nodes: int = 30) -> Axes:
    """Draw the co-mention network (networkx + matplotlib): node size = sentences shared
    with others (weighted degree), edge width = weight, colour from
    :func:`helpers.plotting.actor_color`, labels in Arabic and English. Keeps the
    ``max_nodes`` strongest actors and edges of at least ``min_weight``. Returns the axes.
    """
    import matplotlib.pyplot as plt
    import networkx as nx

    from .plotting import actor_color

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 8))
    kept = edges[edges["weight"] >= min_weight]
    graph = nx.Graph()
    for row in kept.itertuples(index=False):
        graph.add_edge(row.source, row.target, weight=int(row.weight))
    strength = dict(graph.degree(weight="weight"))
    top = sorted(strength, key=lambda n: (-strength[n], n))[:max_nodes]
    graph = graph.subgraph(top).copy()
    names = dict(zip(actors["actor_id"], zip(actors["name_en"], actors["name_ar"], strict=True), strict=True))
    ax.set_title("Co-mention network: actors named in the same sentence")
    ax.set_axis_off()
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no co-mentions to draw", ha="center", va="center",
                transform=ax.transAxes)
        return ax
    pos = nx.kamada_kawai_layout(graph, weight=None)  # deterministic: same picture every run
    widths = [0.6 + 1.2 * graph.edges[e]["weight"] for e in graph.edges]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, alpha=0.35, edge_color="#555555")
    nodes = list(graph.nodes)
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, ax=ax,
                           node_size=[120 + 40 * strength[n] for n in nodes],
                           node_color=[actor_color(n) for n in nodes], alpha=0.9,
                           edgecolors="white")
    ax.margins(0.12)
    _place_labels(ax, pos, top, {n: _label(n, names, width=18) for n in nodes},
                  {n: 120 + 40 * strength[n] for n in nodes})
    return ax


def plot_top_actors(table: pd.DataFrame, actors: pd.DataFrame, n: int = 15,
                    ax: Axes | None = None) -> Axes:
    """Horizontal bar chart of the ``n`` most mentioned actors of an :func:`actor_table`
    (per-article tables are summed), coloured by :func:`helpers.plotting.actor_color`,
    labelled in English and Arabic. Returns the axes."""
    import matplotlib.pyplot as plt

    from .plotting import actor_color

    totals = table.groupby("actor_id")["mentions"].sum().sort_values(ascending=False,
                                                                     kind="stable")
    top = totals.head(n).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.35 * len(top) + 1.5))
    names = dict(zip(actors["actor_id"], zip(actors["name_en"], actors["name_ar"], strict=True), strict=True))
    labels = [_label(a, names, sep="  ") for a in top.index]
    ax.barh(labels, top.values, color=[actor_color(a) for a in top.index])
    ax.set_xlabel("mentions")
    ax.set_ylabel("actor")
    ax.set_title(f"Most mentioned actors (top {len(top)})")
    ax.grid(axis="y", visible=False)
    return ax
