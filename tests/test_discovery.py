"""Tests for helpers.discovery: organisation patterns, grouping of discovered actors (titles,
surnames, clitics, introduced aliases, no merge of namesakes), generic words and their
scope, the actor table with origin, suggest_actors, and the Sudan paragraph of issue 12."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import actors as A
from helpers import discovery as D
from helpers.paths import DATA_DIR

SUDAN_TXT = DATA_DIR / "eval" / "actors_dev_sudan.txt"


def sentences_of(*texts: str, article_id: str = "a") -> pd.DataFrame:
    rows, pos = [], 0
    for i, text in enumerate(texts):
        rows.append({"article_id": article_id, "sent_id": i, "start": pos,
                     "end": pos + len(text), "text": text})
        pos += len(text) + 1
    return pd.DataFrame(rows)


def mentions_of(sents: pd.DataFrame, spans: list[tuple[int, str, str]]) -> pd.DataFrame:
    """Model mentions: (sent_id, surface, label); the first occurrence not used yet."""
    rows, used = [], set()
    for sent_id, surface, label in spans:
        row = sents[sents.sent_id == sent_id].iloc[0]
        for m in re.finditer(re.escape(surface), row.text):
            start = int(row.start) + m.start()
            if (row.article_id, start) not in used:
                used.add((row.article_id, start))
                break
        else:
            raise AssertionError(f"{surface} not in sentence {sent_id}")
        rows.append({"article_id": row.article_id, "sent_id": sent_id, "start": start,
                     "end": start + len(surface), "surface": surface, "label": label,
                     "score": 0.9, "model": "test-model"})
    return pd.DataFrame(rows)


def actor_of(resolved: pd.DataFrame, surface: str) -> str | None:
    rows = resolved[resolved.surface == surface]
    assert len(rows), f"no mention {surface!r} in {list(resolved.surface)}"
    return rows.iloc[0].actor_id


# ----------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(("text", "expected"), [
    ("اندلعت اشتباكات مع قوات الدعم السريع في الخرطوم", ["قوات الدعم السريع"]),
    ("هاجمت حركة الشباب فندقا", ["حركة الشباب"]),
    ("قال المتحدث باسم جماعة أنصار الله إن", ["جماعة أنصار الله"]),
    ("وطالب المجلس الانتقالي الجنوبي بلجنة", ["المجلس الانتقالي الجنوبي"]),
    ("ودعت الهيئة الحكومية للتنمية الطرفين", ["الهيئة الحكومية للتنمية"]),
    ("رحبت الحركة الشعبية لتحرير السودان بالمبادرة", ["الحركة الشعبية لتحرير السودان"]),
    ("قصف الجيش السوداني الأحياء", ["الجيش السوداني"]),
    # not names: a head with a generic adjective, an indefinite nisba, a participle phrase
    ("انتشرت القوات الخاصة في المدينة", []),
    ("وصلت بعثة إيطالية إلى المدينة", []),
    ("تقدمت قوات حفتر المدعومة من روسيا", ["قوات حفتر"]),
    ("صوت مجلس النواب العراقي بالثقة على حكومة رئيس الوزراء", ["مجلس النواب العراقي"]),
])
def test_org_spans(text, expected):
    tokens = text.split()
    assert [" ".join(tokens[a:b]) for a, b in D.org_spans(tokens)] == expected


def test_pattern_mentions_replace_inner_model_spans_and_stop_before_a_person():
    sents = sentences_of("اتهم الجيش قوات الدعم السريع بالهجوم",
                         "التقى رئيس حكومة إقليم كردستان مسرور بارزاني الوفد")
    model = mentions_of(sents, [(0, "الدعم السريع", "ORG"), (1, "مسرور بارزاني", "PERS")])
    out = D.add_pattern_mentions(model, sents)
    assert ("قوات الدعم السريع", "pattern") in set(zip(out.surface, out.model, strict=True))
    assert "الدعم السريع" not in set(out.surface)
    assert "حكومة إقليم كردستان" in set(out.surface)
    assert "مسرور بارزاني" in set(out.surface)


def test_org_tagger_relabels_pattern_spans():
    class Plain:
        identity = "plain"

        def labels(self) -> list[str]:
            return ["O", "B-ORG", "I-ORG"]

        def predict(self, batch):
            return [[("O", 1.0)] * len(words) for words in batch]

    tags = D.org_tagger(Plain()).predict([["هاجمت", "حركة", "الشباب", "فندقا"]])
    assert [t for t, _ in tags[0]] == ["O", "B-ORG", "I-ORG", "O"]


# ----------------------------------------------------------------------------- grouping


def sudan_article() -> tuple[pd.DataFrame, pd.DataFrame]:
    sents = sentences_of(
        "اندلعت اشتباكات بين الجيش السوداني وقوات الدعم السريع بقيادة محمد حمدان دقلو "
        "المعروف بحميدتي.",
        "واتهم قائد الجيش الفريق أول عبد الفتاح البرهان قوات الدعم السريع بمهاجمة مقر "
        "القيادة.",
        "وقال البرهان إن الجيش سيواصل القتال، ورحب حميدتي بالوساطة.",
        "ودعت الهيئة الحكومية للتنمية (إيغاد) الطرفين إلى وقف القتال، وأشاد وزير الخارجية "
        "بموقف إيغاد وللبرهان.",
    )
    model = mentions_of(sents, [
        (0, "محمد حمدان دقلو", "PERS"), (1, "الفريق أول عبد الفتاح البرهان", "PERS"),
        (2, "البرهان", "PERS"), (3, "إيغاد", "ORG"),
    ])
    return sents, model


def test_sudan_actors_one_each_and_never_libyan():
    sents, model = sudan_article()
    out = D.discover_and_resolve(model, sents)
    burhan = actor_of(out, "الفريق أول عبد الفتاح البرهان")
    assert burhan.startswith("d_")
    assert actor_of(out, "البرهان") == burhan
    assert burhan in set(out[out.surface == "وللبرهان"].actor_id)  # clitics
    hemedti = actor_of(out, "محمد حمدان دقلو")
    assert set(out[out.surface.str.contains("حميدتي")].actor_id) == {hemedti}  # alias
    rsf = set(out[out.surface.str.contains("قوات الدعم السريع")].actor_id)
    assert len(rsf) == 1 and next(iter(rsf)).startswith("d_")
    igad = set(out[out.surface.str.contains("إيغاد|الهيئة الحكومية")].actor_id)
    assert len(igad) == 1  # abbreviation in parentheses
    army = actor_of(out, "الجيش السوداني")
    assert army.startswith("d_") and army != "lna"
    assert actor_of(out, "الجيش") == army  # the bare head noun in the same article
    table = D.with_discovered(A.load_actors(), out)
    libyan = set(table.actor_id[table.scope == "libya"])
    assert not libyan & set(out.actor_id.dropna())
    rows = table.set_index("actor_id")
    assert rows.loc[burhan, "name_ar"] == "عبد الفتاح البرهان"  # title removed
    assert rows.loc[burhan, "origin"] == "discovered" and rows.loc[burhan, "type"] == "person"
    assert rows.loc[army, "type"] == "armed_group"
    assert rows.loc["haftar", "origin"] == "dictionary"


def test_namesakes_with_full_names_are_never_merged():
    sents = sentences_of(
        "نفى عبد الرحيم دقلو الاتهامات، وهو شقيق محمد حمدان دقلو.",
        "وأكد دقلو أن قواته مستعدة.",
    )
    model = mentions_of(sents, [(0, "عبد الرحيم دقلو", "PERS"), (0, "محمد حمدان دقلو", "PERS"),
                                (1, "دقلو", "PERS")])
    out = D.discover_and_resolve(model, sents)
    first, second = actor_of(out, "عبد الرحيم دقلو"), actor_of(out, "محمد حمدان دقلو")
    assert first and second and first != second
    assert actor_of(out, "دقلو") is None  # both named in full: the surname stays open
    assert out[out.surface == "دقلو"].rule.iloc[0] == "ambiguous"


def test_a_lone_surname_after_another_given_name_is_not_the_known_person():
    sents = sentences_of("قال مسرور بارزاني إن الحل ممكن.",
                         "وأكد نيجيرفان بارزاني ضرورة الحوار، ورد بارزاني على الأسئلة.")
    model = mentions_of(sents, [(0, "مسرور بارزاني", "PERS")])
    out = D.discover_and_resolve(model, sents)
    masrour = actor_of(out, "مسرور بارزاني")
    second = out[(out.sent_id == 1) & (out.actor_id == masrour)]
    assert list(second.surface) == ["بارزاني"]  # «ورد بارزاني», not «نيجيرفان بارزاني»
    assert second.start.iloc[0] > sents.text[1].index("ورد")


def test_grouping_across_articles_and_stable_ids():
    one = sentences_of("قال الرئيس حسن شيخ محمود إن الحرب مستمرة.", article_id="x")
    two = sentences_of("وأكد شيخ محمود أن الجيش سينتصر.", article_id="y")
    sents = pd.concat([one, two], ignore_index=True)
    model = pd.concat([mentions_of(one, [(0, "الرئيس حسن شيخ محمود", "PERS")]),
                       mentions_of(two, [(0, "شيخ محمود", "PERS")])], ignore_index=True)
    out = D.discover_and_resolve(model, sents)
    ids = set(out[out.surface.str.contains("شيخ محمود")].actor_id)
    assert len(ids) == 1
    reverse = D.discover_and_resolve(model.iloc[::-1].reset_index(drop=True),
                                     sents.iloc[::-1].reset_index(drop=True))
    assert set(reverse[reverse.surface.str.contains("شيخ محمود")].actor_id) == ids
    assert re.match(r"^d_[a-z0-9_]+_[0-9a-f]{4}$", next(iter(ids)))


def test_nisba_after_a_name_is_a_family_name_not_a_state():
    sents = sentences_of("منح البرلمان الثقة لحكومة محمد شياع السوداني.",
                         "وقال السوداني إن حكومته ستكافح الفساد.",
                         "وانتقد الجيش السوداني القرار.")
    model = mentions_of(sents, [(0, "محمد شياع", "PERS")])
    out = D.discover_and_resolve(model, sents)
    person = actor_of(out, "محمد شياع السوداني")
    assert person.startswith("d_")
    said = out[(out.sent_id == 1) & (out.surface == "السوداني")]
    assert list(said.actor_id) == [person]
    army = out[out.sent_id == 2]
    assert person not in set(army.actor_id)


def test_known_words_do_not_become_discovered_actors():
    sents = sentences_of("وأكد بيان عن توافق تركي روسي على الحل.")
    model = mentions_of(sents, [(0, "تركي روسي", "PERS")])
    found = D.discover_actors(A.resolve_mentions(model, sents), sents)
    assert found.empty


# ----------------------------------------------------------------------------- scope


def test_generic_alias_needs_its_country():
    iraq = sentences_of("صوت مجلس النواب العراقي على الموازنة.", article_id="iq")
    sudan = sentences_of("وصل وفد الحكومة السودانية.", "ورحب مجلس النواب بالاتفاق.",
                         article_id="sd")
    libya = sentences_of("اجتمع مجلس النواب الليبي في طبرق.", "وقال مجلس النواب إن الجلسة مفتوحة.",
                         article_id="ly")
    sents = pd.concat([iraq, sudan, libya], ignore_index=True)
    out = A.resolve_mentions(None, sents)
    hor = out[out.actor_id == "hor"]
    assert set(hor.article_id) == {"ly"} and len(hor) == 2
    assert "sudan" in set(out[out.article_id == "sd"].actor_id)


def test_scope_is_validated():
    actors = A.load_actors()
    assert set(actors.scope) == {"", "libya"}
    assert actors.set_index("actor_id").loc["lna", "scope"] == "libya"
    bad = actors.copy()
    bad.loc[bad.actor_id == "lna", "scope"] = "haftar"
    with pytest.raises(A.ActorDictionaryError, match="scope 'haftar' must be empty"):
        A.validate_actors(bad)


# ----------------------------------------------------------------------------- suggestions


def test_suggest_actors_rows_load_back_as_a_dictionary(tmp_path: Path):
    sents, model = sudan_article()
    out = D.discover_and_resolve(model, sents)
    path = tmp_path / "suggested.csv"
    rows = D.suggest_actors(out, path)
    assert path.is_file() and len(rows) >= 4
    assert list(rows.columns[:len(A.ACTOR_COLUMNS)]) == A.ACTOR_COLUMNS
    assert rows.mentions.is_monotonic_decreasing
    assert not rows.actor_id.str.startswith("d_").any()
    read = pd.read_csv(path, dtype=str, keep_default_na=False)
    with pytest.raises(A.ActorDictionaryError, match="source must be a URL"):
        A.add_actors(A.load_actors(), read.drop(columns=["mentions", "example"]))
    read["source"] = "https://example.org/reviewed"
    extended = A.add_actors(A.load_actors(), read.drop(columns=["mentions", "example"]))
    again = A.resolve_mentions(model, sents, extended)
    burhan = rows[rows.name_ar == "عبد الفتاح البرهان"].actor_id.iloc[0]
    assert actor_of(again, "البرهان") == burhan


def test_sudan_paragraph_through_the_bundled_pipeline():
    from helpers.corpus import load_corpus
    from helpers.pipeline import tag_and_resolve
    from helpers.sentences import split_sentences

    loaded = load_corpus(SUDAN_TXT)
    articles = loaded[0] if isinstance(loaded, tuple) else loaded
    assert articles.title.iloc[0] and articles.date.notna().all()
    _, resolved, _ = tag_and_resolve(split_sentences(articles), models="bundled",
                                     progress=False)
    table = D.with_discovered(A.load_actors(), resolved)
    names = dict(zip(table.actor_id, table.name_ar, strict=True))
    found = resolved.dropna(subset=["actor_id"])
    by_name = found.groupby(found.actor_id.map(names)).surface.agg(set)
    assert {"البرهان", "عبد الفتاح البرهان"} <= by_name["عبد الفتاح البرهان"]
    assert {"حميدتي", "محمد حمدان دقلو"} <= by_name["محمد حمدان دقلو"]
    assert "قوات الدعم السريع" in by_name
    assert "الجيش السوداني" in by_name["الجيش السوداني"]
    assert "إيغاد" in by_name["الهيئة الحكومية للتنمية"]
    assert not {"lna", "hor", "presidential_council"} & set(found.actor_id)


def test_generic_alias_keeps_the_dictionary_reading_without_any_country():
    alone = sentences_of("رحب المجلس الرئاسي بالاتفاق.", article_id="x")
    yemen = sentences_of("أعلن الرئيس اليمني نقل صلاحياته.", "ورحب المجلس الرئاسي بالخطوة.",
                         article_id="y")
    out = A.resolve_mentions(None, pd.concat([alone, yemen], ignore_index=True))
    council = out[out.actor_id == "presidential_council"]
    assert list(council.article_id) == ["x"]


def test_nisba_before_a_name_stays_an_adjective():
    sents = sentences_of("قال وزير الخارجية التركي مولود جاويش أوغلو إن بلاده مستعدة.")
    model = mentions_of(sents, [(0, "مولود جاويش أوغلو", "PERS")])
    out = D.extend_person_nisba(model, sents)
    assert list(out.surface) == ["مولود جاويش أوغلو"]
    resolved = A.resolve_mentions(out, sents)
    assert {"cavusoglu", "turkey"} <= set(resolved.actor_id)


def test_discovered_actors_reach_the_stance_table():
    from helpers.stance import extract_stance

    sents = sentences_of("اتهم عبد الفتاح البرهان قوات الدعم السريع بمهاجمة مقر القيادة.",
                         "ورحب محمد حمدان دقلو بالوساطة السعودية.")
    model = mentions_of(sents, [(0, "عبد الفتاح البرهان", "PERS"),
                                (1, "محمد حمدان دقلو", "PERS")])
    resolved = D.discover_and_resolve(model, sents)
    table = D.with_discovered(A.load_actors(), resolved)
    stance = extract_stance(resolved, sents, actors=table)
    actors_in_edges = set(stance.source_actor) | set(stance.target_actor)
    assert any(a.startswith("d_") for a in actors_in_edges)
    assert actor_of(resolved, "عبد الفتاح البرهان") in actors_in_edges


def test_with_discovered_rebuilds_rows_when_attrs_are_lost():
    sents, model = sudan_article()
    out = D.discover_and_resolve(model, sents)
    copy = pd.DataFrame(out.to_dict("records"))  # attrs gone
    assert not copy.attrs
    table = D.with_discovered(A.load_actors(), copy)
    ids = {a for a in out.actor_id.dropna() if a.startswith("d_")}
    rebuilt = table[table.origin == "discovered"]
    assert set(rebuilt.actor_id) == ids
    assert rebuilt.name_ar.str.len().gt(0).all()
