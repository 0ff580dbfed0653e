"""helpers.schema: table contracts that run, and the typed empty table of every stage."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers import schema
from helpers.schema import SPECS, TableContractError, TableSpec

SAMPLE = {"str": "نص", "int64": 3, "float64": 0.5, "bool": True,
          "datetime64[ns]": pd.Timestamp("2020-06-15"), "object": ["a"]}
WRONG = {"str": 7, "int64": 2.5, "float64": "نص", "bool": "نعم",
         "datetime64[ns]": "2020-06-15", "object": None}


def one_row(spec: TableSpec) -> pd.DataFrame:
    """A conforming one-row table of ``spec``."""
    return pd.DataFrame({c.name: [SAMPLE[c.dtype]] for c in spec.cols})


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_empty_is_typed_and_validates(spec):
    empty = spec.empty()
    assert empty.empty and list(empty.columns) == spec.columns
    for col, dtype in spec.dtypes.items():
        if dtype == "str":
            assert pd.api.types.is_string_dtype(empty[col])
        else:
            assert str(empty[col].dtype) == dtype
    assert spec.validate(empty) is empty


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_a_conforming_row_validates_and_extra_columns_are_allowed(spec):
    table = one_row(spec).assign(extra_column=1)
    assert spec.validate(table) is table


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_missing_column_is_named_with_the_table_and_the_fix(spec):
    dropped = spec.columns[-1]
    with pytest.raises(TableContractError) as err:
        spec.validate(one_row(spec).drop(columns=dropped))
    message = str(err.value)
    assert f"the {spec.name} table" in message and repr(dropped) in message
    assert spec.made_by in message and f"schema.{spec.const}.empty()" in message


@pytest.mark.parametrize("spec", SPECS.values(), ids=list(SPECS))
def test_wrong_dtype_is_named(spec):
    col = next(c for c in spec.cols if c.dtype != "object")
    table = one_row(spec)
    table[col.name] = pd.Series([WRONG[col.dtype]], dtype=object)
    with pytest.raises(TableContractError) as err:
        spec.validate(table)
    assert f"{col.name} is object holding e.g. {WRONG[col.dtype]!r}, expected {col.dtype}" \
        in str(err.value)


def test_missing_key_value_is_refused_but_optional_values_may_be_missing():
    table = one_row(schema.SENTENCES)
    table["article_id"] = pd.Series([None], dtype=object)
    with pytest.raises(TableContractError, match="missing values in article_id"):
        schema.SENTENCES.validate(table)
    optional = one_row(schema.ARTICLES).assign(title=None, url=None, date=pd.NaT)
    schema.ARTICLES.validate(optional)


def test_untyped_empty_table_comes_back_typed():
    untyped = pd.DataFrame(columns=schema.STANCE.columns)
    typed = schema.STANCE.validate(untyped)
    assert str(typed["sent_id"].dtype) == "int64"
    assert pd.api.types.is_string_dtype(typed["source_actor"])
    assert str(schema.STANCE.validate(untyped.astype({"sent_id": "float64"}))["sent_id"].dtype) \
        == "int64"  # an empty column holds no value of a wrong type
    with pytest.raises(TableContractError, match=r"missing column\(s\) \['rule'\]"):
        schema.STANCE.validate(untyped.drop(columns="rule"))  # its columns are checked


def test_validate_a_subset_of_columns():
    partial = pd.DataFrame({"article_id": ["a"], "actor_id": ["haftar"]})
    assert schema.RESOLVED_MENTIONS.validate(partial, ["article_id", "actor_id"]) is partial
    with pytest.raises(TableContractError, match="start"):
        schema.RESOLVED_MENTIONS.validate(partial, ["article_id", "start"])
    with pytest.raises(ValueError, match="not columns of the resolved_mentions contract"):
        schema.RESOLVED_MENTIONS.validate(partial, ["speaker"])


def test_not_a_dataframe():
    with pytest.raises(TableContractError, match="must be a pandas DataFrame"):
        schema.MENTIONS.validate([("a", 0)])


def test_the_drifted_stand_ins_of_issue_11_are_caught():
    """The old stand-ins of pipeline.analyze: stance_edges with source_actor, and a
    sentiment summary without ci_low."""
    with pytest.raises(TableContractError, match=r"missing column\(s\) \['source'"):
        schema.STANCE_EDGES.validate(pd.DataFrame({"source_actor": ["a"], "relation": ["x"],
                                                   "target_actor": ["b"]}))
    with pytest.raises(TableContractError, match="ci_low"):
        schema.SENTIMENT_SUMMARY.validate(pd.DataFrame({"actor_id": ["a"], "n": [1],
                                                        "mean": [0.2]}))


def test_column_lists_stay_available():
    assert schema.RESOLVED_MENTIONS.columns[: len(schema.MENTIONS.columns)] == \
        schema.MENTIONS.columns
    assert schema.RESOLVED_MENTIONS.columns[-4:] == ["match_key", "actor_id", "origin", "rule"]
    cols = schema.SENTENCES.columns
    cols.append("x")  # a copy: the spec does not change
    assert "x" not in schema.SENTENCES.columns


def test_unknown_dtype_is_refused():
    with pytest.raises(ValueError, match="not one of"):
        schema.Col("when", "date")


# ---------------------------------------------------------- every stage, empty input


@pytest.fixture()
def empty_inputs():
    return {name: spec.empty() for name, spec in SPECS.items()}


def test_every_stage_returns_its_typed_empty_table(empty_inputs, bundled_models):
    from helpers import actors, ner, sentences, sentiment, stance, timeline

    e = empty_inputs
    articles = e["articles"]
    actor_dict = actors.load_actors()
    outputs = {
        "sentences": sentences.split_sentences(articles),
        "mentions": ner.run_ner(e["sentences"], bundled_models),
        "resolved_mentions": actors.resolve_mentions(e["mentions"], e["sentences"], actor_dict),
        "actor_sentiment": sentiment.score_mentions(e["resolved_mentions"], e["sentences"],
                                                    "bundled"),
        "sentiment_summary": sentiment.aggregate_sentiment(e["actor_sentiment"]),
        "stance": stance.extract_stance(e["resolved_mentions"], e["sentences"],
                                        actors=actor_dict),
        "stance_edges": stance.stance_edges(e["stance"]),
        "actor_table": actors.actor_table(e["resolved_mentions"], by_article=False,
                                          actors=actor_dict),
        "article_actors": actors.actor_table(e["resolved_mentions"], actors=actor_dict),
        "comention_edges": actors.comention_edges(e["resolved_mentions"]),
        "attention_over_time": timeline.attention_share(e["resolved_mentions"], articles, "M"),
        "sentiment_over_time": timeline.sentiment_over_time(e["actor_sentiment"], articles,
                                                            "M"),
    }
    for name, table in outputs.items():
        spec = SPECS[name]
        assert table.empty, name
        assert list(table.columns)[: len(spec.columns)] == spec.columns, name
        for col, dtype in spec.dtypes.items():
            got = table[col]
            ok = (pd.api.types.is_string_dtype(got) if dtype == "str"
                  else str(got.dtype) == dtype)
            assert ok, f"{name}.{col}: {got.dtype}, expected {dtype}"


def test_stage_refuses_a_table_of_the_wrong_dtype():
    from helpers import stance

    bad = pd.DataFrame({"article_id": ["a"], "sent_id": [0.5], "start": [0], "end": [3],
                        "surface": ["مصر"], "actor_id": ["egypt"]})
    sentences = pd.DataFrame({"article_id": ["a"], "sent_id": [0], "start": [0], "end": [3],
                              "text": ["مصر"], "headline": [False]})
    with pytest.raises(TableContractError, match="resolved_mentions.*sent_id is float64"):
        stance.extract_stance(bad, sentences)
