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
from helpers.schema import MENTIONS

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
    ("جماعة نصرة الإسلام المرتبطة بتنظيم القاعدة في الساحل",
     ["جماعة نصرة الإسلام", "بتنظيم القاعدة"]),
    # not names: a head with a generic adjective, an indefinite nisba, a participle phrase
    ("انتشرت القوات الخاصة في المدينة", []),
    ("وصلت بعثة إيطالية إلى المدينة", []),
    ("تقدمت قوات حفتر المدعومة من روسيا", ["قوات حفتر"]),
    ("صوت مجلس النواب العراقي بالثقة على حكومة رئيس الوزراء", ["مجلس النواب العراقي"]),
    # numbers: the end of a name, or with a month; a count after the head is no name
    ("دخل مقاتلو حركة إم 23 مدينة غوما", ["حركة إم 23"]),
    ("أعلنت حركة 23 مارس انسحابها", ["حركة 23 مارس"]),
    ("اشتبكت الكتائب 166 في المدينة", ["الكتائب 166"]),
    ("انتشرت قوات 3 دول في المنطقة", []),
])
def test_org_spans(text, expected):
    tokens = text.split()
    assert [" ".join(tokens[a:b]) for a, b in D.org_spans(tokens, dictionary=False)] == expected


def test_pattern_mentions_replace_inner_model_spans_and_stop_before_a_person():
    sents = sentences_of("اتهم الجيش قوات الدعم السريع بالهجوم",
                         "التقى رئيس حكومة إقليم كردستان مسرور بارزاني الوفد")
    model = mentions_of(sents, [(0, "الدعم السريع", "ORG"), (1, "مسرور بارزاني", "PERS")])
    out = D.add_pattern_mentions(model, sents)
    assert ("قوات الدعم السريع", "pattern") in set(zip(out.surface, out.model, strict=True))
    assert "الدعم السريع" not in set(out.surface)
    assert "حكومة إقليم كردستان" in set(out.surface)
    assert "مسرور بارزاني" in set(out.surface)


def test_a_person_span_running_into_a_head_noun_ends_before_it():
    # verb-subject-object: the model glued the object's head noun to the subject's name
    sents = sentences_of("أمر رئيس الوزراء آبي أحمد الجيش الفيدرالي بشن عملية")
    model = mentions_of(sents, [(0, "آبي أحمد الجيش", "PERS")])
    out = D.add_pattern_mentions(model, sents)
    got = set(zip(out.surface, out.label, strict=True))
    assert got == {("آبي أحمد", "PERS"), ("الجيش الفيدرالي", "ORG")}
    row = out[out.label == "PERS"].iloc[0]
    assert sents.text.iloc[0][row.start - sents.start.iloc[0]:row.end - sents.start.iloc[0]] \
        == "آبي أحمد"


def test_org_tagger_relabels_pattern_spans():
    class Plain:
        identity = "plain"

        def labels(self) -> list[str]:
            return ["O", "B-ORG", "I-ORG"]

        def predict(self, batch):
            return [[("O", 1.0)] * len(words) for words in batch]

    tags = D.org_tagger(Plain()).predict([["هاجمت", "حركة", "الشباب", "فندقا"]])
    assert [t for t, _ in tags[0]] == ["O", "B-ORG", "I-ORG", "O"]


# ----------------------------------------------------------------------------- span rules
# Each rule of org_spans has a test that fails without it (the Libya regressions of the
# head-noun patterns: spans that swallowed dictionary actors or ran over verbs and places).


def ids_in(resolved: pd.DataFrame, sent_id: int) -> list[str]:
    return list(resolved[resolved.sent_id == sent_id].actor_id.dropna())


def test_rule1_a_dictionary_alias_inside_a_pattern_span_wins():
    texts = ["ورفضت حكومة الوفاق الوطني المبادرة.",
             "وصل مقاتلون من مجموعة فاغنر الروسية إلى الجبهات.",
             "أعلن حفتر ساعة الصفر لقوات الجيش الوطني الليبي في كلمة متلفزة."]
    tokens = texts[0].rstrip(".").split()
    # the pattern alone runs over the object («المبادرة» reads like a participle) ...
    assert [" ".join(tokens[a:b]) for a, b in D.org_spans(tokens, dictionary=False)] == [
        "حكومة الوفاق الوطني المبادرة"]
    # ... the dictionary cuts it: an alias that starts at the head is the dictionary's name
    assert D.org_spans(tokens) == []
    # unless an agreeing nisba goes on with the name: not the Security Council
    assert D.org_spans("اجتمع مجلس الأمن القومي في بغداد".split()) == [(1, 4)]
    sents = sentences_of(*texts)
    out, found = D.discover_and_resolve(MENTIONS.empty(), sents)
    assert ids_in(out, 0) == ["gna"]
    assert ids_in(out, 1) == ["wagner", "russia"]  # the nisba is read on its own
    assert ids_in(out, 2)[-1] == "lna"  # a force head + an actor is that actor (clitic ل)
    assert actor_of(out, "لقوات الجيش الوطني الليبي") == "lna"
    assert found.empty


@pytest.mark.parametrize(("text", "expected"), [
    ("وأعلنت حركة حماس مسؤوليتها عن الهجوم", "حركة حماس"),  # an attached pronoun
    ("قالت مصادر إن جماعة بوكو حرام زرعت ألغاما", "جماعة بوكو حرام"),  # a perfect verb
    ("قال شهود إن مقاتلي حركة حماس أطلقوا صواريخ", "حركة حماس"),  # a plural verb
    ("وأعلنت قوات فاغنر سيطرتها على المدينة", "قوات فاغنر"),
    ("بعد انسحاب قوات حفتر منهما ضمن اتفاق", "قوات حفتر"),  # a preposition + pronoun
    ("تقدمت قوات حفتر جنوب طرابلس", "قوات حفتر"),  # a direction + place
    ("قصفت قوات حفتر مطار معيتيقة", "قوات حفتر"),  # a place noun + place
    ("وقالت هيئة تحرير الشام إنها", "هيئة تحرير الشام"),
    ("وانتشر جيش جنوب السودان على الحدود", "جيش جنوب السودان"),  # right after the head
])
def test_rule2_a_chain_stops_at_words_that_cannot_be_part_of_a_name(text, expected):
    tokens = text.split()
    assert [" ".join(tokens[a:b]) for a, b in D.org_spans(tokens, dictionary=False)] == [
        expected]


def test_rule3_ids_and_names_never_keep_proclitics():
    sents = sentences_of("وصلت والقوات الكينية إلى الحدود.", "وانسحب وليد من السباق.")
    model = mentions_of(sents, [(1, "وليد", "PERS")])
    out, found = D.discover_and_resolve(model, sents)
    rows = found.set_index("name_ar")
    kenyan = rows.loc["القوات الكينية"]  # «والقوات» without its و
    assert kenyan.actor_id == D.discovered_id("القوات الكينيه")
    assert kenyan.scope == "kenya" and kenyan.type == "armed_group"
    assert actor_of(out, "والقوات الكينية") == kenyan.actor_id
    assert "وليد" in rows.index  # a one-word name keeps a و that may be its first letter


def test_a_generic_body_with_a_state_nisba_keeps_the_state_mention():
    sents = sentences_of("صادق البرلمان التركي على المذكرة.",
                         "وقالت القوات المسلحة المصرية إنها مستعدة.")
    out, found = D.discover_and_resolve(MENTIONS.empty(), sents)
    parliament = actor_of(out, "البرلمان التركي")
    assert parliament.startswith("d_")
    assert found.set_index("actor_id").loc[parliament, "scope"] == "turkey"
    assert ids_in(out, 0) == [parliament, "turkey"]  # nested: Turkey's count is kept
    assert "egypt" in ids_in(out, 1)


def test_model_spans_over_a_place_or_a_known_person_are_not_discovered():
    sents = sentences_of("وتقدمت قوات الوفاق غربي سرت.",
                         "وقال رئيس حكومة الوفاق الوطني فائز السراج إن الحل سياسي.",
                         "وصلت تعزيزات إلى قاعدة سيدي براني.",
                         "ودخلت القوات مدينة بني وليد.")
    model = mentions_of(sents, [(0, "الوفاق غربي سرت", "ORG"),
                                (1, "الوفاق الوطني فائز السراج", "ORG"),
                                (2, "قاعدة سيدي براني", "ORG"),
                                (3, "وليد", "PERS")])  # a part of the town's name
    found = D.discover_actors(A.resolve_mentions(model, sents), sents)
    assert found.empty


def test_scope_ignores_a_venue_and_reads_digits_as_a_name():
    sents = sentences_of(
        "بدأ وفدا مجلس النواب والمجلس الأعلى للدولة حوارا في بوزنيقة بالمغرب.",
        "وانعقدت اللجنة العسكرية المشتركة 5+5 بحضور ممثلين عن مصر وتركيا.", article_id="ly")
    iraq = sentences_of("صوت مجلس النواب في العراق على الموازنة.", article_id="iq")
    out = A.resolve_mentions(None, pd.concat([sents, iraq], ignore_index=True))
    assert {"hor", "hcs", "morocco"} <= set(out[out.article_id == "ly"].actor_id)
    assert "jmc" in set(out.actor_id)
    assert "hor" not in set(out[out.article_id == "iq"].actor_id)  # «في العراق» qualifies it



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
    out, found = D.discover_and_resolve(model, sents)
    assert not out.attrs and not found.attrs  # side outputs are returned, never hidden
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
    assert set(found.actor_id) == {a for a in out.actor_id.dropna() if a.startswith("d_")}
    table = D.with_discovered(A.load_actors(), out, found)
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
    out, _ = D.discover_and_resolve(model, sents)
    first, second = actor_of(out, "عبد الرحيم دقلو"), actor_of(out, "محمد حمدان دقلو")
    assert first and second and first != second
    assert actor_of(out, "دقلو") is None  # both named in full: the surname stays open
    assert out[out.surface == "دقلو"].rule.iloc[0] == "ambiguous"


def test_a_lone_surname_after_another_given_name_is_not_the_known_person():
    sents = sentences_of("قال مسرور بارزاني إن الحل ممكن.",
                         "وأكد نيجيرفان بارزاني ضرورة الحوار، ورد بارزاني على الأسئلة.")
    model = mentions_of(sents, [(0, "مسرور بارزاني", "PERS")])
    out, _ = D.discover_and_resolve(model, sents)
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
    out, _ = D.discover_and_resolve(model, sents)
    ids = set(out[out.surface.str.contains("شيخ محمود")].actor_id)
    assert len(ids) == 1
    reverse, _ = D.discover_and_resolve(model.iloc[::-1].reset_index(drop=True),
                                        sents.iloc[::-1].reset_index(drop=True))
    assert set(reverse[reverse.surface.str.contains("شيخ محمود")].actor_id) == ids
    assert re.match(r"^d_[a-z0-9_]+_[0-9a-f]{4}$", next(iter(ids)))


def test_nisba_after_a_name_is_a_family_name_not_a_state():
    sents = sentences_of("منح البرلمان الثقة لحكومة محمد شياع السوداني.",
                         "وقال السوداني إن حكومته ستكافح الفساد.",
                         "وانتقد الجيش السوداني القرار.")
    model = mentions_of(sents, [(0, "محمد شياع", "PERS")])
    out, _ = D.discover_and_resolve(model, sents)
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
    out, found = D.discover_and_resolve(model, sents)
    path = tmp_path / "suggested.csv"
    rows = D.suggest_actors(out, path, discovered=found)
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
    _, resolved, _, table = tag_and_resolve(split_sentences(articles), models="bundled",
                                            progress=False)
    assert set(table.actor_id[table.origin == "discovered"]) == {
        a for a in resolved.actor_id.dropna() if a.startswith("d_")}
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
    resolved, found = D.discover_and_resolve(model, sents)
    table = D.with_discovered(A.load_actors(), resolved, found)
    stance = extract_stance(resolved, sents, actors=table)
    actors_in_edges = set(stance.source_actor) | set(stance.target_actor)
    assert any(a.startswith("d_") for a in actors_in_edges)
    assert actor_of(resolved, "عبد الفتاح البرهان") in actors_in_edges


def test_with_discovered_rebuilds_rows_without_the_discovered_table():
    sents, model = sudan_article()
    out, _ = D.discover_and_resolve(model, sents)
    copy = pd.DataFrame(out.to_dict("records"))  # as read back from a file
    table = D.with_discovered(A.load_actors(), copy)
    ids = {a for a in out.actor_id.dropna() if a.startswith("d_")}
    rebuilt = table[table.origin == "discovered"]
    assert set(rebuilt.actor_id) == ids
    assert rebuilt.name_ar.str.len().gt(0).all()


def test_news_agencies_cited_as_sources_are_not_actors():
    """«ونقلت رويترز»، «بحسب وكالة الأنباء الفرنسية»: the source of the report is no actor,
    and a national agency's nisba is not its state (AFP is not France)."""
    from helpers.pipeline import tag_and_resolve
    from helpers.sentences import split_sentences

    text = ("قالت وكالة رويترز إن الجيش السوداني استعاد السيطرة على المدينة، بحسب ما نقلته "
            "وكالة الأنباء الفرنسية ووكالة الأناضول.")
    articles = pd.DataFrame({"article_id": ["a"], "text": [text]})
    _, resolved, _, table = tag_and_resolve(split_sentences(articles), models="bundled",
                                            progress=False)
    found = set(resolved.actor_id.dropna())
    assert "france" not in found and "sudan" in found
    names = set(table.name_ar[table.actor_id.isin(found)])
    assert not any(("رويترز" in n or "الأناضول" in n) for n in names)
    assert "الجيش السوداني" in names


@pytest.mark.parametrize("text, expected", [
    # a title, its country or body, then a name (one known name, or a rare foreign word)
    ("وطالب وزير الخارجية المالي عبد الله ديوب أمام المجلس", ["عبد الله ديوب"]),
    ("أكد رئيس الإقليم نيجيرفان بارزاني في بيان", ["نيجيرفان بارزاني"]),
    ("بأمر من زعيمه مقتدى الصدر.", ["مقتدى الصدر"]),
    ("أعلن المتحدث العسكري باسم جماعة الحوثي يحيى سريع استهداف سفينة", ["يحيى سريع"]),
    ("أعلن قائد هيئة تحرير الشام أحمد الشرع تكليف رئيس حكومة", ["أحمد الشرع"]),
    # no name after the title: a common word, a verb, a preposition, a function word
    ("وأكد الرئيس ضرورة الحوار مع المعارضة", []),
    ("قال وزير الخارجية إن بلاده ترفض التدخل", []),
    ("وصل الرئيس أمام البرلمان", []),
    # a name does not run on over a common word with a proclitic or a verb
    ("قال الرئيس الفرنسي إيمانويل ماكرون بأن القوات ستنسحب", ["إيمانويل ماكرون"]),
])
def test_person_spans_after_titles(text, expected):
    tokens = text.replace(".", " .").split()
    assert [" ".join(tokens[a:b]) for a, b in D.person_spans(tokens)] == expected


def test_title_persons_extend_a_partial_model_name_but_never_override_the_model():
    text = "طالب وزير الخارجية المالي عبد الله ديوب بالرحيل"
    sentences = pd.DataFrame([{"article_id": "a", "sent_id": 0, "start": 0, "end": len(text),
                               "text": text}])

    def mention(surface, label):
        start = text.index(surface)
        return {"article_id": "a", "sent_id": 0, "start": start, "end": start + len(surface),
                "surface": surface, "label": label, "score": 0.9, "model": "m"}

    out = D.add_title_persons(pd.DataFrame([mention("عبد الله", "PERS")]), sentences)
    assert out["surface"].tolist() == ["عبد الله ديوب"] and out["model"].tolist() == [D.PATTERN_MODEL]
    # a model mention of another type over the words: the model's reading stays
    out = D.add_title_persons(pd.DataFrame([mention("ديوب", "LOC")]), sentences)
    assert out["surface"].tolist() == ["ديوب"] and out["label"].tolist() == ["LOC"]


def test_an_abbreviation_the_text_gives_an_organisation_stays_its_own_when_read_as_a_name():
    # the model tags the abbreviation as a person: the text's «(إيغاد)» after the name wins
    sents = sentences_of("دعت الهيئة الحكومية للتنمية (إيغاد) الطرفين إلى الحوار",
                         "وقالت إيغاد إن الوساطة مستمرة")
    model = mentions_of(sents, [(0, "الهيئة الحكومية للتنمية", "ORG"), (0, "إيغاد", "PERS"),
                                (1, "إيغاد", "PERS")])
    resolved, discovered = D.discover_and_resolve(model, sents)
    igad = actor_of(resolved, "الهيئة الحكومية للتنمية")
    assert igad and set(resolved.loc[resolved.surface == "إيغاد", "actor_id"]) == {igad}
    assert discovered.loc[discovered.actor_id == igad, "type"].item() != "person"
    assert len(discovered) == 1
