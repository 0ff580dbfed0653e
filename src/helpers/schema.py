"""Table contracts that run: one spec per table, with column names, dtypes, ``empty()`` and
``validate()``.

Every stage takes and returns pandas DataFrames that follow these specs. Offsets
(``start``, ``end``) are always character offsets into the article's cleaned ``text``
column, so ``articles.text[start:end]`` is the span; the headline, when the article has
one, is the first line of ``text`` (see :func:`helpers.sentences.with_headline`).

A spec is checked with `pandera <https://pandera.readthedocs.io>`_ underneath; the
column lists stay available as ``SPEC.columns``:

>>> SENTENCES.columns
['article_id', 'sent_id', 'start', 'end', 'text', 'headline']
>>> SENTENCES.empty().dtypes["sent_id"]
dtype('int64')
>>> table = SENTENCES.validate(SENTENCES.empty())  # returns the table when it conforms
>>> import pandas as pd
>>> try:
...     SENTENCES.validate(pd.DataFrame({"article_id": ["a"], "sent_id": [0.5]}))
... except TableContractError as err:
...     print(str(err)[:95])
the sentences table does not follow its contract: missing column(s) ['start', 'end', 'text', 'h

Rules a reader can check:

* extra columns are allowed (a stage may add its own), the spec's columns must be there;
* ``str`` columns hold text (pandas' ``str`` dtype, or ``object`` holding only strings and
  missing values); ``int64``, ``float64``, ``bool`` and ``datetime64`` columns have that
  dtype (any datetime unit); ``object`` columns may hold anything (lists, dicts);
* a column marked ``nullable=False`` has no missing value;
* an **empty** table is checked for its columns only: pandas gives ``object`` (or
  ``float64``) to every column of ``pd.DataFrame(columns=[...])``, and an empty column holds
  no value of a wrong type. :meth:`TableSpec.validate` returns such a table with the
  declared dtypes, the same as :meth:`TableSpec.empty`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

#: dtype names used in the specs
STR, INT, FLOAT, BOOL, DATETIME, OBJECT = "str", "int64", "float64", "bool", "datetime64[ns]", "object"
_PANDERA_DTYPES = {STR: str, INT: "int64", FLOAT: "float64", BOOL: "bool",
                   DATETIME: pa.Timestamp, OBJECT: object}


class TableContractError(ValueError):
    """A table lacks columns of its contract, or holds a column of the wrong dtype."""


@dataclass(frozen=True)
class Col:
    """One column of a table contract: ``name``, ``dtype`` (one of ``str``, ``int64``,
    ``float64``, ``bool``, ``datetime64[ns]``, ``object``), whether missing values are
    allowed, and what it holds."""

    name: str
    dtype: str
    nullable: bool = True
    doc: str = ""

    def __post_init__(self) -> None:
        if self.dtype not in _PANDERA_DTYPES:
            raise ValueError(f"column {self.name!r}: dtype {self.dtype!r} is not one of "
                             f"{sorted(_PANDERA_DTYPES)}")


def _conforms(table: pd.DataFrame, cols: Iterable[Col]) -> bool:
    """True when ``table`` plainly follows ``cols``: every column there, with exactly the
    declared dtype (a ``str`` column of pandas' string dtype; any datetime64 unit), and no
    missing value in a non-nullable column. False sends the table to pandera, which
    accepts the other allowed forms (``object`` columns of strings) or explains the error.
    A stage validates every article's table, so this check is kept to dtype comparisons.

    >>> _conforms(pd.DataFrame({"a": [1]}), [Col("a", INT)]), _conforms(pd.DataFrame({"a": [1.5]}), [Col("a", INT)])
    (True, False)
    """
    for col in cols:
        if col.name not in table.columns:
            return False
        series = table[col.name]
        if isinstance(series, pd.DataFrame):  # a duplicated column name
            return False
        dtype = series.dtype
        if col.dtype == STR:
            ok = isinstance(dtype, pd.StringDtype)
        elif col.dtype == DATETIME:
            ok = dtype.kind == "M" and getattr(dtype, "tz", None) is None
        elif col.dtype == OBJECT:
            ok = True
        else:
            ok = dtype == col.dtype
        if not ok or (not col.nullable and bool(series.isna().any())):
            return False
    return True


@dataclass(frozen=True)
class TableSpec:
    """The contract of one table: its ``name``, ordered columns with dtypes, and
    ``made_by``, the call that builds a conforming table (named in error messages)."""

    name: str
    cols: tuple[Col, ...]
    made_by: str
    doc: str = field(default="", compare=False)

    @property
    def columns(self) -> list[str]:
        """Column names in order (a new list each time, safe to extend)."""
        return [c.name for c in self.cols]

    @property
    def dtypes(self) -> dict[str, str]:
        """Column name -> declared dtype name."""
        return {c.name: c.dtype for c in self.cols}

    @cached_property
    def schema(self) -> pa.DataFrameSchema:
        """The pandera schema behind :meth:`validate` (extra columns allowed)."""
        return pa.DataFrameSchema(
            {c.name: pa.Column(_PANDERA_DTYPES[c.dtype], nullable=c.nullable,
                               description=c.doc or None) for c in self.cols},
            name=self.name, strict=False)

    def extend(self, name: str, *cols: Col, made_by: str, doc: str = "") -> TableSpec:
        """A new spec with this spec's columns followed by ``cols``."""
        return TableSpec(name, self.cols + tuple(cols), made_by, doc)

    def empty(self) -> pd.DataFrame:
        """A table with no rows, every column of its declared dtype.

        >>> STANCE_EDGES.empty().columns[:3].tolist()
        ['source', 'relation', 'target']
        """
        return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in self.cols})

    def validate(self, table: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Check ``table`` against the contract and return it; an empty table comes back
        with the declared dtypes. ``columns``: check only these columns (what a stage
        reads), e.g. ``RESOLVED_MENTIONS.validate(resolved, ["article_id", "actor_id"])``.

        Raises :class:`TableContractError` naming the table, the missing columns, the
        columns of a wrong dtype and the call that builds a conforming table.
        """
        if not isinstance(table, pd.DataFrame):
            raise TableContractError(f"the {self.name} table must be a pandas DataFrame, not "
                                     f"{type(table).__name__}: build it with {self.made_by}")
        wanted = None if columns is None else set(columns)
        cols = [c for c in self.cols if wanted is None or c.name in wanted]
        unknown = sorted((wanted or set()) - {c.name for c in self.cols})
        if unknown:
            raise ValueError(f"{unknown} are not columns of the {self.name} contract "
                             f"({self.columns})")
        schema = self.schema if wanted is None else self.schema.select_columns(
            [c.name for c in cols])
        if table.empty:
            table = self._typed_empty(table, cols)
        if _conforms(table, cols):  # the common case, checked without pandera's overhead
            return table
        try:
            schema.validate(table, lazy=True)
        except SchemaErrors as err:
            raise TableContractError(self._explain(table, err)) from None
        return table

    def _typed_empty(self, table: pd.DataFrame, cols: list[Col]) -> pd.DataFrame:
        """An empty ``table`` whose spec columns get their declared dtype."""
        cast = {c.name: c.dtype for c in cols
                if c.name in table.columns and str(table[c.name].dtype) != c.dtype}
        if not cast:
            return table
        typed = table.copy()
        for name, dtype in cast.items():  # column by column: astype(dict) compares attrs
            typed[name] = typed[name].astype(dtype)
        return typed

    def _explain(self, table: pd.DataFrame, err: SchemaErrors) -> str:
        cases = err.failure_cases
        missing, wrong, nulls = [], [], []
        for (column, check), grp in cases.groupby(["column", "check"], sort=False, dropna=False):
            if check == "column_in_dataframe":
                missing += [str(v) for v in grp["failure_case"]]
            elif check == "not_nullable":
                nulls.append(f"{column} ({len(grp)} row(s))")
            elif column in table.columns:
                got = str(table[column].dtype)
                if got == "object":  # name a value of the wrong type
                    bad = [v for v in grp["failure_case"].dropna() if str(v) != got]
                    values = bad or table[column].dropna().tolist()
                    if values:
                        got += f" holding e.g. {values[0]!r}"
                wrong.append(f"{column} is {got}, expected {self.dtypes.get(column, '?')}")
        parts = []
        if missing:
            parts.append(f"missing column(s) {[c for c in self.columns if c in missing]}")
        if wrong:
            parts.append("wrong dtype(s): " + "; ".join(wrong))
        if nulls:
            parts.append("missing values in " + ", ".join(nulls))
        detail = "; ".join(parts) or str(err).splitlines()[0]
        return (f"the {self.name} table does not follow its contract: {detail}. Build it "
                f"with {self.made_by} (an empty one: helpers.schema.{self.const}.empty()).")

    @property
    def const(self) -> str:
        """The name of this spec in :mod:`helpers.schema` (for messages)."""
        return next((k for k, v in globals().items() if v is self), self.name.upper())


def _c(name: str, dtype: str, doc: str = "", nullable: bool = True) -> Col:
    return Col(name, dtype, nullable, doc)


def _key(name: str, dtype: str = STR, doc: str = "") -> Col:
    return Col(name, dtype, False, doc)


# ------------------------------------------------------------------------ reading

ARTICLES = TableSpec("articles", (
    _key("article_id", doc="stable: front-matter id, file stem or hash of the text"),
    _c("title", STR, "the headline (also the first line of text when it is Arabic)"),
    _c("date", DATETIME, "NaT allowed"),
    _c("date_precision", STR, "day | month | year, or None when date is NaT"),
    _c("date_note", STR, "free text, e.g. inferred from content"),
    _c("source", STR),
    _c("url", STR),
    _c("kind", STR, "article | chronology"),
    _c("path", STR, "where it was read from (<text> for a pasted string)"),
    _c("raw_text", STR, "as read (decoded)"),
    _c("text", STR, "cleaned model text, headline first; every offset refers to it"),
), made_by="helpers.corpus.load_corpus(...) or helpers.pipeline.load_input(...)")

LOAD_REPORT = TableSpec("load_report", (
    _c("file", STR, "the file, record or URL"),
    _c("problem", STR),
    _c("action", STR, "what was done: skipped, kept with NaT, renamed ..."),
), made_by="helpers.corpus.read_corpus(...) (its second value)")

SENTENCES = TableSpec("sentences", (
    _key("article_id"),
    _key("sent_id", INT, "0, 1, ... within an article"),
    _key("start", INT),
    _key("end", INT),
    _c("text", STR, "articles.text[start:end]"),
    _c("headline", BOOL, "True for the sentences of the article's headline"),
), made_by="helpers.sentences.split_sentences(articles)")

# ------------------------------------------------------------------------ entities

MENTIONS = TableSpec("mentions", (
    _key("article_id"),
    _key("sent_id", INT),
    _key("start", INT),
    _key("end", INT),
    _c("surface", STR),
    _c("label", STR, "PERS | LOC | ORG | MISC"),
    _c("score", FLOAT),
    _c("model", STR),
), made_by="helpers.ner.run_ner(sentences)")

RESOLVED_MENTIONS = MENTIONS.extend(
    "resolved_mentions",
    _c("match_key", STR),
    _c("actor_id", STR, "None when the mention names no known actor"),
    _c("origin", STR),
    _c("rule", STR),
    made_by="helpers.actors.resolve_mentions(mentions, sentences, actors)")

ACTOR_TABLE = TableSpec("actor_table", (
    _key("actor_id"),
    _c("mentions", INT),
    _c("sentences", INT),
    _c("articles", INT),
    _c("first_article", STR),
    _c("surfaces", STR),
    _c("name_en", STR),
    _c("name_ar", STR),
    _c("type", STR),
), made_by="helpers.actors.actor_table(resolved, by_article=False)")

ARTICLE_ACTORS = TableSpec("article_actors", (
    _key("article_id"),
    _key("actor_id"),
    _c("mentions", INT),
    _c("sentences", INT),
    _c("first_sent", INT),
    _c("first_start", INT),
    _c("surfaces", STR),
    _c("name_en", STR),
    _c("name_ar", STR),
    _c("type", STR),
), made_by="helpers.actors.actor_table(resolved, by_article=True)")

COMENTION = TableSpec("comention_edges", (
    _key("source"),
    _key("target"),
    _c("weight", INT, "sentences naming both"),
    _c("articles", INT),
), made_by="helpers.actors.comention_edges(resolved)")

# ------------------------------------------------------------------------ sentiment

ACTOR_SENTIMENT = TableSpec("actor_sentiment", (
    _key("article_id"),
    _key("sent_id", INT),
    _key("start", INT),
    _key("end", INT),
    _c("actor_id", STR),
    _c("context", STR, "the clause/sentence with the target marked"),
    _c("label", STR, "positive | negative | neutral"),
    _c("score", FLOAT, "[-1, 1]"),
    _c("method", STR, "bundled-lexicon | camelbert model id"),
    _c("evidence", STR, "words (with weights) or model output that produced the score"),
), made_by="helpers.sentiment.score_mentions(resolved, sentences)")

SENTIMENT_SUMMARY = TableSpec("sentiment_summary", (
    _key("actor_id"),
    _c("n", INT),
    _c("mean", FLOAT),
    _c("ci_low", FLOAT, "95% bootstrap interval; NaN when n < 2 (helpers.stats)"),
    _c("ci_high", FLOAT),
    _c("small_n", BOOL),
    _c("n_positive", INT),
    _c("n_neutral", INT),
    _c("n_negative", INT),
    _c("most_positive_context", STR),
    _c("most_positive_score", FLOAT),
    _c("most_positive_evidence", STR),
    _c("most_negative_context", STR),
    _c("most_negative_score", FLOAT),
    _c("most_negative_evidence", STR),
), made_by="helpers.sentiment.aggregate_sentiment(actor_sentiment)")

# ------------------------------------------------------------------------ stance

STANCE = TableSpec("stance", (
    _key("article_id"),
    _key("sent_id", INT),
    _c("source_actor", STR),
    _c("relation", STR, "supports | opposes | cooperates | attacks ..."),
    _c("target_actor", STR),
    _c("trigger", STR),
    _c("evidence", STR, "the sentence"),
    _c("rule", STR),
), made_by="helpers.stance.extract_stance(resolved, sentences)")

STANCE_EDGES = TableSpec("stance_edges", (
    _key("source"),
    _c("relation", STR),
    _key("target"),
    _c("n", INT, "sentences"),
    _c("n_articles", INT),
    _c("triggers", STR),
    _c("rules", STR),
    _c("evidence", OBJECT, "list of up to n_examples sentences"),
    _c("both_ways", BOOL),
), made_by="helpers.stance.stance_edges(stance)")

# ------------------------------------------------------------------------ time

ATTENTION = TableSpec("attention_over_time", (
    _key("bin", DATETIME, "first day of the bin"),
    _key("actor_id"),
    _c("mentions", INT),
    _c("n_mentions", INT, "all actor mentions in the bin"),
    _c("n_docs", INT),
    _c("share", FLOAT, "NaN where the bin has no actor mentions"),
), made_by="helpers.timeline.attention_share(resolved, articles)")

SENTIMENT_OVER_TIME = TableSpec("sentiment_over_time", (
    _key("bin", DATETIME),
    _key("actor_id"),
    _c("mean", FLOAT),
    _c("ci_low", FLOAT, "NaN when n < 2 (helpers.stats)"),
    _c("ci_high", FLOAT),
    _c("n", INT),
), made_by="helpers.timeline.sentiment_over_time(actor_sentiment, articles)")

#: every contract by table name (the file names of ``Analysis.to_dir``)
SPECS: dict[str, TableSpec] = {spec.name: spec for spec in (
    ARTICLES, LOAD_REPORT, SENTENCES, MENTIONS, RESOLVED_MENTIONS, ACTOR_SENTIMENT,
    SENTIMENT_SUMMARY, STANCE, STANCE_EDGES, ACTOR_TABLE, ARTICLE_ACTORS, COMENTION,
    ATTENTION, SENTIMENT_OVER_TIME)}
