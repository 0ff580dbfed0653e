"""Tests for helpers.stance (rules engine, lexicon, aggregation) and helpers.eval_stance."""

from __future__ import annotations

import importlib.util
import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers.clean import match_key  # noqa: E402
from helpers.paths import CORPUS_DIR  # noqa: E402
from helpers.schema import RESOLVED_MENTIONS, STANCE  # noqa: E402
from helpers.stance import (  # noqa: E402
    FORCES_COLLAPSE,
    RELATIONS,
    RULE_COLUMNS,
    TriggerIndex,
    _compile_rules,
    _token_matches,
    _verb_forms,
    extract_stance,
    inflect_lemma,
    load_stance_lexicon,
    load_stance_rules,
    pattern_stems,
    stance_edges,
    validate_stance_rules,
    word_forms,
)

HAS_ACTORS = importlib.util.find_spec("helpers.actors") is not None
needs_actors = pytest.mark.skipif(not HAS_ACTORS, reason="helpers.actors is not available")

# A made-up actor table: types decide which actors are places (skipped) and persons.
ACTORS = pd.DataFrame({
    "actor_id": ["france", "turkey", "russia", "egypt", "italy", "gna", "lna", "haftar",
                 "wagner", "libya", "sirte", "berlin_conference", "algeria", "siala", "greece"],
    "name_ar": ["فرنسا", "تركيا", "روسيا", "مصر", "إيطاليا", "حكومة الوفاق", "الجيش الوطني الليبي",
                "خليفة حفتر", "فاغنر", "ليبيا", "سرت", "مؤتمر برلين", "الجزائر", "محمد سيالة",
                "اليونان"],
    "name_en": ["France", "Turkey", "Russia", "Egypt", "Italy", "GNA", "LNA", "Khalifa Haftar",
                "Wagner Group", "Libya", "Sirte", "Berlin Conference", "Algeria", "Mohamed Siala",
                "Greece"],
    "type": ["state", "state", "state", "state", "state", "government", "armed_group",
             "person", "company", "state", "place", "event", "state", "person", "state"],
})

# surface -> (actor_id, rule) for the made-up resolver
LEXICON = {
    "باريس": ("france", "metonymy"), "فرنسا": ("france", "exact"), "فرنسي": ("france", "nisba"),
    "التركي": ("turkey", "nisba"), "والتركي": ("turkey", "nisba"), "تركي": ("turkey", "nisba"),
    "تركيا": ("turkey", "exact"), "الروسي": ("russia", "nisba"), "روسي": ("russia", "nisba"),
    "روسيا": ("russia", "exact"), "الروسية": ("russia", "nisba"), "مصري": ("egypt", "nisba"),
    "مصر": ("egypt", "exact"), "إيطالية": ("italy", "nisba"), "إيطاليا": ("italy", "exact"),
    "حكومة الوفاق": ("gna", "exact"), "لحكومة الوفاق": ("gna", "clitic"),
    "قوات حكومة الوفاق": ("gna", "exact"), "قوات حفتر": ("lna", "exact"),
    "حفتر": ("haftar", "exact"), "شركة فاغنر": ("wagner", "exact"), "الليبي": ("libya", "nisba"),
    "سرت": ("sirte", "exact"), "مؤتمر برلين": ("berlin_conference", "exact"),
    "الجزائر": ("algeria", "exact"), "محمد سيالة": ("siala", "exact"),
    "اليونان": ("greece", "exact"), "وفرنسا": ("france", "clitic"),
    "فرنسيا": ("france", "nisba"), "وفرنسيا": ("france", "nisba"),
    "وقوات حفتر": ("lna", "clitic"),
}


def fake_resolve(text: str, article_id: str = "a1") -> tuple[pd.DataFrame, pd.DataFrame]:
    """A made-up resolved-mentions table for one sentence: every LEXICON surface found as
    whole words (longest first, no overlaps), with schema.RESOLVED_MENTIONS columns."""
    taken: list[tuple[int, int]] = []
    rows = []
    for surface in sorted(LEXICON, key=len, reverse=True):
        for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append(m.span())
            actor_id, rule = LEXICON[surface]
            rows.append({"article_id": article_id, "sent_id": 0, "start": m.start(),
                         "end": m.end(), "surface": surface, "label": "ORG", "score": 1.0,
                         "model": "test", "match_key": match_key(surface),
                         "actor_id": actor_id, "origin": "dictionary", "rule": rule})
    resolved = pd.DataFrame(rows, columns=RESOLVED_MENTIONS.columns).sort_values("start")
    sentences = pd.DataFrame({"article_id": [article_id], "sent_id": [0], "start": [0],
                              "end": [len(text)], "text": [text]})
    return resolved, sentences


def edges_of(text: str, **kw) -> set[tuple[str, str, str]]:
    resolved, sentences = fake_resolve(text)
    kw.setdefault("actors", ACTORS)
    out = extract_stance(resolved, sentences, **kw)
    assert list(out.columns) == STANCE.columns
    return set(zip(out.source_actor, out.relation, out.target_actor, strict=True))


def resolve_text(texts: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """End-to-end: dictionary-only resolution with metonymy on (the real actor table)."""
    from helpers.actors import resolve_mentions

    sentences = pd.DataFrame({"article_id": [f"t{i}" for i in range(len(texts))], "sent_id": 0,
                              "start": 0, "end": [len(t) for t in texts], "text": texts})
    return resolve_mentions(None, sentences, metonymy=True), sentences


# The eight seed patterns of the issue: (sentence, expected edge) with the LNA read as Haftar.
SEED_PATTERNS = [
    ("علما وأن باريس تعارض التدخل التركي وتدعم القائد العام للجيش حفتر.",
     ("france", "opposes", "turkey")),
    ("علما وأن باريس تعارض التدخل التركي وتدعم القائد العام للجيش حفتر.",
     ("france", "supports", "haftar")),
    ("لاستعادة السيطرة على مدينة سرت الساحلية من قوات حفتر المدعومة من روسيا.",
     ("russia", "supports", "haftar")),
    ("رصد وصول مرتزقة من سوريا عن طريق شركة فاغنر الروسية، إلى محاور القتال غربي سرت لمؤازرة قوات حفتر.",
     ("wagner", "supports", "haftar")),
    ("وأكد بيان عن توافق مصري فرنسي كامل حول حلحلة الأزمة.", ("egypt", "cooperates", "france")),
    ("أعلنت تركيا أن الرئيسين الروسي والتركي وافقا على التعاون لوقف القتال.",
     ("russia", "cooperates", "turkey")),
    ("أعلنت الخارجية عن بدء التعاون بين المركز الليبي لإزالة الألغام وفرق الهندسة العسكرية وبين بعثة إيطالية.",
     ("libya", "cooperates", "italy")),
    ("وكشف المصدر عن تمركز قوات تابعة لحكومة الوفاق غربي سرت في انتظار أوامر غرفة العمليات لشن هجوم على قوات حفتر.",
     ("gna", "attacks", "haftar")),
]


@pytest.mark.parametrize(("text", "edge"), SEED_PATTERNS)
def test_seed_pattern_made_up_tables(text, edge):
    assert edge in edges_of(text, collapse=FORCES_COLLAPSE)


@needs_actors
@pytest.mark.parametrize(("text", "edge"), SEED_PATTERNS)
def test_seed_pattern_end_to_end(text, edge):
    resolved, sentences = resolve_text([text])
    out = extract_stance(resolved, sentences, collapse=FORCES_COLLAPSE)
    assert edge in set(zip(out.source_actor, out.relation, out.target_actor, strict=True))


def test_wrong_readings_are_not_produced():
    # the nearest actor before وتدعم is Turkey, but the clause subject is Paris
    edges = edges_of("علما وأن باريس تعارض التدخل التركي وتدعم القائد العام للجيش حفتر.")
    assert ("turkey", "supports", "haftar") not in edges
    # the nisba الروسية describes Wagner: Russia is not the source of the purpose phrase
    edges = edges_of("عن طريق شركة فاغنر الروسية، إلى محاور القتال لمؤازرة قوات حفتر.")
    assert ("wagner", "supports", "lna") in edges
    assert ("russia", "supports", "lna") not in edges


def test_collapse_gives_both_readings_and_drops_self_edges():
    text = "لاستعادة السيطرة على سرت من قوات حفتر المدعومة من روسيا."
    assert ("russia", "supports", "lna") in edges_of(text)
    assert ("russia", "supports", "haftar") in edges_of(text, collapse=FORCES_COLLAPSE)
    # قوات حفتر backing حفتر becomes a self-edge once lna is read as haftar
    self_text = "تدعم قوات حفتر حفتر."
    assert ("lna", "supports", "haftar") in edges_of(self_text)
    assert edges_of(self_text, collapse=FORCES_COLLAPSE) == set()


@pytest.mark.parametrize("text", [
    "لا تدعم باريس حفتر.",
    "باريس لا تدعم حفتر.",
    "باريس لم تعد تدعم حفتر.",
    "نفت روسيا أن تكون قد دعمت حفتر.",
    "هل تدعم باريس حفتر؟",
])
def test_negated_or_denied_support_yields_no_edge(text):
    assert not any(rel == "supports" for _, rel, _ in edges_of(text))


def test_affirmative_controls_for_negation():
    assert ("france", "supports", "haftar") in edges_of("تدعم باريس حفتر.")
    assert ("france", "supports", "haftar") in edges_of("باريس تدعم حفتر.")


def test_symmetric_rules_give_both_directions_and_merge_in_edges():
    edges = edges_of("توافق مصري فرنسي كامل.")
    assert {("egypt", "cooperates", "france"), ("france", "cooperates", "egypt")} <= edges
    resolved, sentences = fake_resolve("توافق مصري فرنسي كامل.")
    stance = extract_stance(resolved, sentences, actors=ACTORS)
    merged = stance_edges(stance, merge_symmetric=True)
    assert len(stance_edges(stance)) == 2
    assert len(merged) == 1 and bool(merged["both_ways"].iloc[0])
    # an asymmetric relation keeps one direction only
    assert ("turkey", "opposes", "france") not in edges_of("باريس تعارض التدخل التركي.")


def test_places_are_not_sides_and_rows_are_deduplicated():
    # سرت is a place: the attacker is the GNA, not Sirte
    edges = edges_of("قوات تابعة لحكومة الوفاق غربي سرت لشن هجوم على قوات حفتر.")
    assert edges == {("gna", "attacks", "lna")}
    resolved, sentences = fake_resolve("تعاون تركي روسي. ")
    twice = pd.concat([resolved, resolved])
    out = extract_stance(twice, sentences, actors=ACTORS)
    assert len(out) == 2  # both directions once each, despite duplicated mentions


def test_stance_edges_aggregates_counts_and_evidence():
    rows = pd.DataFrame([
        ("a", 0, "france", "supports", "haftar", "تدعم", "س1", "sup_vso"),
        ("b", 3, "france", "supports", "haftar", "وتدعم", "س2", "sup_svo"),
        ("b", 4, "gna", "attacks", "lna", "هجوم", "س3", "att_on"),
    ], columns=STANCE.columns)
    edges = stance_edges(rows)
    top = edges.iloc[0]
    assert (top.source, top.relation, top.target, top.n, top.n_articles) == (
        "france", "supports", "haftar", 2, 2)
    assert top.evidence == ["س1", "س2"]
    assert "sup_vso" in top.rules and "sup_svo" in top.rules


def test_word_forms_strip_proclitics():
    assert {"حكومه", "الحكومه"} <= word_forms("وبالحكومة")
    assert "جيش" in word_forms("للجيش")
    assert "يدعم" in word_forms("سيدعم")


# ------------------------------------------------------------------ rules file


def test_bundled_rules_are_valid_and_cover_the_relations():
    rules = load_stance_rules()
    assert list(rules.columns[: len(RULE_COLUMNS)]) == RULE_COLUMNS
    assert set(rules["relation"]) <= set(RELATIONS) | {"*"}
    compiled = _compile_rules(rules)
    produced = {rule.relation_of(v) for rule in compiled for v in range(len(rule.variants))}
    assert produced == set(RELATIONS)
    assert rules["rule_id"].is_unique
    assert (rules["example"].str.len() > 0).all() and (rules["note"].str.len() > 0).all()


@needs_actors
def test_every_rule_fires_on_its_own_example():
    rules = load_stance_rules()
    resolved, sentences = resolve_text(rules["example"].tolist())
    out = extract_stance(resolved, sentences, rules)
    fired = {(a, r) for a, r in zip(out.article_id, out.rule, strict=True)}
    missing = [rid for i, rid in enumerate(rules["rule_id"]) if (f"t{i}", rid) not in fired]
    assert missing == []


def _write_rules(tmp_path, **changes):
    row = {"rule_id": "r1", "relation": "supports", "trigger": "تدعم|يدعم*",
           "shape": "SUBJ trigger TGT", "max_distance": "5", "symmetric": "false",
           "note": "n", "example": "باريس تدعم حفتر"}
    row.update(changes)
    path = tmp_path / "rules.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("change", "message"), [
    ({"relation": "support"}, "unknown relation 'support'"),
    ({"shape": "SRC trigger"}, "one source"),
    ({"shape": "SRC TGT"}, "'trigger' exactly once"),
    ({"shape": "SRC trigger FOO TGT"}, "unknown shape element 'FOO'"),
    ({"shape": "trigger PAIR"}, "symmetric to true"),
    ({"shape": "... SRC trigger TGT"}, "'...' must stand between"),
    ({"trigger": "support"}, "not an Arabic word"),
    ({"max_distance": "0"}, "positive whole number"),
    ({"symmetric": "maybe"}, "true or false"),
])
def test_bad_rule_rows_raise_clear_errors(tmp_path, change, message):
    path = _write_rules(tmp_path, **change)
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        load_stance_rules(path)
    assert "rules.csv line 2 (rule 'r1')" in str(err.value)


def test_duplicate_ids_and_missing_columns(tmp_path):
    path = _write_rules(tmp_path)
    table = pd.read_csv(path, dtype=str)
    with pytest.raises(ValueError, match="duplicate rule_id"):
        validate_stance_rules(pd.concat([table, table]))
    with pytest.raises(ValueError, match="missing column"):
        validate_stance_rules(table.drop(columns=["shape"]))
    with pytest.raises(FileNotFoundError, match="stance rules file not found"):
        load_stance_rules(tmp_path / "nope.csv")


def test_a_student_rule_extends_the_engine(tmp_path):
    text = "تسعى باريس إلى تقويض حكومة الوفاق."
    assert edges_of(text) == set()
    path = _write_rules(tmp_path, rule_id="opp_undermine", relation="opposes",
                        trigger="تقويض", shape="SRC ... trigger TGT")
    assert edges_of(text, rules=path) == {("france", "opposes", "gna")}


# ------------------------------------------------------------------ seed article


@needs_actors
def test_seed_article_acceptance_edges():
    corpus = pytest.importorskip("helpers.corpus")
    from helpers.actors import resolve_mentions
    from helpers.sentences import split_sentences

    path = CORPUS_DIR / "000_libya_2020-06-15.txt"
    if not path.is_file():
        pytest.skip("the seed article is not in data/corpus")
    articles = corpus.load_corpus(path)
    sentences = split_sentences(articles)
    resolved = resolve_mentions(None, sentences, metonymy=True)
    stance = extract_stance(resolved, sentences, collapse=FORCES_COLLAPSE)
    found = set(zip(stance.source_actor, stance.relation, stance.target_actor, strict=True))
    acceptance = [("france", "supports", "haftar"), ("france", "opposes", "turkey"),
                  ("russia", "supports", "haftar"), ("wagner", "supports", "haftar"),
                  ("turkey", "cooperates", "russia"), ("egypt", "cooperates", "france"),
                  ("gna", "attacks", "haftar"), ("italy", "cooperates", "gna")]
    assert [e for e in acceptance if e not in found] == []
    assert stance["evidence"].str.len().gt(0).all()


# ------------------------------------------------------------------ evaluation


def test_bundled_evaluation_items():
    from helpers.eval_stance import load_stance_items

    items = load_stance_items()
    assert len(items) >= 40
    assert (items["relation"] == "none").sum() >= 5
    assert set(items["origin"]) == {"seed", "chronology", "written"}
    seed = items[items["origin"] == "seed"]
    triples = set(zip(seed.source, seed.relation, seed.target, strict=True))
    for edge in [("france", "supports", "haftar"), ("france", "opposes", "turkey"),
                 ("russia", "supports", "haftar"), ("wagner", "supports", "haftar"),
                 ("turkey", "cooperates", "russia"), ("egypt", "agrees", "france"),
                 ("gna", "attacks", "haftar"), ("gna", "cooperates", "italy")]:
        assert edge in triples
    if HAS_ACTORS:
        from helpers.actors import load_actors
        from helpers.eval_stance import parse_actor_spans

        known = set(load_actors()["actor_id"]) | {"none"}
        # an actor the dictionary does not know must be declared in the item's own spans
        undeclared = [row.id for row in items.itertuples(index=False)
                      if {row.source, row.target} - known
                      - {a for _, a in parse_actor_spans(row.actors)}]
        assert undeclared == []


def test_evaluation_items_are_labelled_and_split():
    from helpers.eval_stance import load_stance_items

    items = load_stance_items()
    assert len(items) >= 400
    assert items["construction"].str.len().gt(0).all()
    share = (items["split"] == "heldout").mean()
    assert 0.4 <= share <= 0.6
    # a sentence is never split between dev and heldout (its edges are pooled)
    assert items.groupby("sentence")["split"].nunique().max() == 1
    # the seed article tuned the original rules: it is development data
    assert set(items.loc[items["origin"] == "seed", "split"]) == {"dev"}
    # items beyond the actor dictionary (other conflicts) carry their own actor spans
    assert (items["actors"].str.len() > 0).sum() >= 150
    for construction in ("passive_participle", "bi_masdar", "nisba_adverb", "purpose",
                         "coordinated_agreement", "signed", "nominal_attack", "mandate",
                         "thanks", "accusation", "condemnation", "relative_clause",
                         "reported_speech", "negated", "none"):
        both = set(items.loc[items["construction"] == construction, "split"])
        assert both == {"dev", "heldout"}, construction


def test_bad_evaluation_items_raise(tmp_path):
    from helpers.eval_stance import load_stance_items

    good = {"id": "x1", "sentence": "تدعم باريس حفتر.", "source": "france",
            "relation": "supports", "target": "haftar", "rationale": "r", "origin": "written"}
    for change, message in [({"relation": "likes"}, "unknown relation"),
                            ({"relation": "none"}, "'none' item"),
                            ({"origin": "web"}, "origin 'web'")]:
        path = tmp_path / "items.csv"
        pd.DataFrame([{**good, **change}]).to_csv(path, index=False)
        with pytest.raises(ValueError, match=re.escape(message)):
            load_stance_items(path)


@needs_actors
def test_evaluate_stance_scores_triples():
    from helpers.eval_stance import evaluate_stance

    items = pd.DataFrame([
        # found: a plain directed edge
        ("i1", "تدعم باريس حفتر.", "france", "supports", "haftar", "r", "written"),
        # found: 'agrees' is scored as cooperates, in either direction
        ("i2", "مصر تنسق مع فرنسا.", "france", "agrees", "egypt", "r", "written"),
        # negated: no prediction, no gold
        ("i3", "لا تدعم الجزائر حكومة الوفاق.", "none", "none", "none", "r", "written"),
        # wrong gold on purpose: the extractor's 'supports' is a FP, the gold 'opposes' a FN
        ("i4", "تدعم تركيا حكومة الوفاق.", "turkey", "opposes", "gna", "r", "chronology"),
    ], columns=["id", "sentence", "source", "relation", "target", "rationale", "origin"])
    items["actors"] = ["", "", "حكومة الوفاق=gna", "حكومة الوفاق=gna"]
    result = evaluate_stance(items)
    micro = result["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 1, 1)
    assert micro["precision"] == pytest.approx(2 / 3, abs=1e-3)
    assert micro["recall"] == pytest.approx(2 / 3, abs=1e-3)
    assert result["per_relation"]["cooperates"]["precision"] == 1.0
    assert result["per_relation"]["opposes"]["recall"] == 0.0
    assert result["per_origin"]["written"]["precision"] == 1.0
    assert result["pairs"]["recall"] == 1.0  # the right pair, the wrong relation
    kinds = set(zip(result["errors"]["id"], result["errors"]["kind"], strict=True))
    assert kinds == {("i4", "FP"), ("i4", "FN")}


@needs_actors
def test_eval_command_prints_precision_and_recall(capsys):
    from helpers.eval_stance import main

    assert main([]) == 0
    out = capsys.readouterr().out
    assert re.search(r"micro\s+P=\d\.\d{3}\s+R=\d\.\d{3}", out)
    for relation in ("supports", "opposes", "cooperates", "attacks"):
        assert relation in out


# ------------------------------------------------------------------ lexicon and morphology


@pytest.mark.parametrize(("root", "form", "pos", "expected"), [
    ("دعم", "I", "passive", "مدعوم"), ("دعم", "I", "active", "داعم"),
    ("سند", "III", "masdar", "مسانده"), ("سند", "III", "perfect", "ساند"),
    ("نسق", "II", "masdar", "تنسيق"), ("عون", "VI", "perfect", "تعاون"),
    ("نقد", "VIII", "perfect", "انتقد"), ("نقد", "VIII", "masdar", "انتقاد"),
    ("وفق", "VIII", "imperfect", "تفق"), ("وهم", "VIII", "masdar", "اتهام"),
    ("صلح", "VIII", "perfect", "اصطلح"), ("هدف", "X", "perfect", "استهدف"),
    ("نكر", "X", "masdar", "استنكار"), ("سلم", "IV", "masdar", "اسلام"),
])
def test_pattern_stems_follow_the_verb_forms(root, form, pos, expected):
    assert expected in pattern_stems(root, form)[pos]


def test_pattern_stems_reject_bad_input():
    with pytest.raises(ValueError, match="three letters"):
        pattern_stems("دع", "I")
    with pytest.raises(ValueError, match="unknown verb form"):
        pattern_stems("دعم", "XX")


def test_inflect_lemma_generates_persons_clitics_and_participles():
    forms = inflect_lemma({"root": "دعم", "form": "I", "masdar": "دعم"})
    # perfect and imperfect with person affixes, duals and plurals
    assert {"دعمت", "دعما", "دعموا", "يدعم", "تدعم", "ندعم", "يدعمان", "تدعمان", "يدعمون"} \
        <= forms["verb"]
    # object pronouns: only in verb_obj (which is part of verb)
    assert {"تدعمها", "يدعمونه", "دعمته"} <= forms["verb_obj"] <= forms["verb"]
    assert "تدعم" not in forms["verb_obj"]
    # masdar with possessives, participles with gender/number and the accusative alif
    assert {"دعم", "دعمها", "دعمه"} <= forms["masdar"] and "دعم" not in forms["masdar_poss"]
    assert {"مدعوم", "مدعومه", "مدعوما", "مدعومين"} <= forms["passive"]
    # a taa marbuta masdar takes its possessive on ت
    assert "مساندته" in inflect_lemma({"root": "سند", "form": "III"})["masdar_poss"]
    # Form I has no predictable masdar; '-' switches a part of speech off
    assert inflect_lemma({"root": "رفض", "form": "I"})["masdar"] == set()
    assert inflect_lemma({"root": "سلح", "form": "II", "passive": "-"})["passive"] == set()


def test_bundled_lexicon_covers_the_families():
    lex = load_stance_lexicon()
    assert set(lex["family"]) == set(RELATIONS)
    assert lex["lemma"].is_unique


@pytest.mark.parametrize(("row", "message"), [
    ({"family": "likes"}, "unknown family 'likes'"),
    ({"form": "XIV"}, "form 'XIV'"),
    ({"root": "دع"}, "three letters"),
    ({"root": "", "form": "", "masdar": ""}, "no forms"),
])
def test_bad_lexicon_rows_raise(tmp_path, row, message):
    good = {"lemma": "شجب", "family": "criticises", "root": "شجب", "form": "I",
            "masdar": "شجب"}
    path = tmp_path / "lex.csv"
    pd.DataFrame([{**good, **row}]).to_csv(path, index=False)
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        load_stance_lexicon(path)
    assert "lex.csv line 2" in str(err.value)


def test_a_student_lemma_extends_every_construction(tmp_path):
    """One lexicon row (root + form) gives the verb, the masdar and the participles."""
    lex = load_stance_lexicon()
    extra = pd.DataFrame([{"lemma": "شجب", "family": "criticises", "root": "شجب",
                           "form": "I", "masdar": "شجب"}])
    bigger = pd.concat([lex, extra.reindex(columns=lex.columns, fill_value="")])
    verb = "شجبت مصر التدخل التركي."
    noun = "أثار شجب مصر للتدخل التركي ردود فعل."
    assert ("egypt", "criticises", "turkey") not in edges_of(verb)
    assert ("egypt", "criticises", "turkey") in edges_of(verb, lexicon=bigger)
    assert ("egypt", "criticises", "turkey") in edges_of(noun, lexicon=bigger)


def test_trigger_index_finds_the_same_candidates_as_a_full_scan():
    compiled = _compile_rules(load_stance_rules())
    index = TriggerIndex.build(compiled)
    words = ["وتدعم", "المدعومة", "لدعم", "بالتنسيق", "القصف", "قصفت", "هجوم", "تعاون",
             "اتفقا", "وسيدعم", "باريس", "التي", "مدعوما", "يتفقان", "خلاف"]
    for word in words:
        key = match_key(word)
        tok = type("Tok", (), {"forms": word_forms(word), "vforms": _verb_forms(key)})()
        brute = sorted((r, v) for r, rule in enumerate(compiled)
                       for v, variant in enumerate(rule.variants)
                       if _token_matches(tok, variant[0]))
        assert index.candidates(tok.forms, tok.vforms) == brute, word


@pytest.mark.parametrize(("text", "present", "absent"), [
    # a verb form is not read through the article: القصف is a noun here
    ("أدانت مصر القصف التركي على مدينة سرت.", ("egypt", "criticises", "turkey"),
     ("egypt", "attacks", "turkey")),
    # the agent of a passive participle backs the attack; it does not attack the target
    ("شنت قوات حفتر هجوما مدعوما من روسيا على قوات حكومة الوفاق.",
     ("russia", "supports", "lna"), ("russia", "attacks", "gna")),
    # بدعم X: X backs the clause subject and is not the attacked side
    ("شنت قوات حفتر هجوما على حكومة الوفاق بدعم روسي.", ("russia", "supports", "lna"),
     ("lna", "attacks", "russia")),
    # relative clause with the antecedent as object: Russia backs Haftar, not the reverse
    ("تقدمت قوات حفتر التي تدعمها روسيا نحو سرت.", ("russia", "supports", "lna"),
     ("lna", "supports", "russia")),
    # relative clause on the subject, across a comma
    ("أكدت مصر، التي تدعم قوات حفتر، موقفها.", ("egypt", "supports", "lna"),
     ("lna", "supports", "egypt")),
    # an accusation is criticism; the alleged support is not asserted
    ("اتهمت مصر تركيا بدعم حكومة الوفاق.", ("egypt", "criticises", "turkey"),
     ("turkey", "supports", "gna")),
    # ل + masdar right after a stance word is its object, not a purpose phrase
    ("حشدت حكومة الوفاق قواتها للتصدي لهجوم قوات حفتر.", ("gna", "opposes", "lna"),
     ("gna", "attacks", "lna")),
    # fighting alongside is support, not an attack
    ("تقاتل شركة فاغنر إلى جانب قوات حفتر.", ("wagner", "supports", "lna"),
     ("wagner", "attacks", "lna")),
])
def test_constructions_give_the_right_reading(text, present, absent):
    edges = edges_of(text)
    assert present in edges
    assert absent not in edges


def test_coordinated_agreement_mediation_and_nisba_adverbs():
    assert {("egypt", "cooperates", "france"), ("france", "cooperates", "egypt")} <= edges_of(
        "مصر وفرنسا تتفقان على وقف إطلاق النار.")
    assert {("algeria", "mediates", "gna"), ("algeria", "mediates", "lna")} <= edges_of(
        "توسطت الجزائر بين حكومة الوفاق وقوات حفتر.")
    # a coordinated nisba adverb after a passive participle: both back the force, and
    # neither is the object of the main verb
    edges = edges_of("تقاتل قوات حفتر المدعومة روسيا وفرنسيا قوات حكومة الوفاق.")
    assert {("russia", "supports", "lna"), ("lna", "attacks", "gna")} <= edges
    assert ("lna", "attacks", "russia") not in edges


def test_adjacent_slots_and_lexicon_relations_are_validated(tmp_path):
    ok = _write_rules(tmp_path, shape="TGT! ... التي|الذي trigger SRC", relation="*",
                      trigger="@verb_obj")
    assert len(load_stance_rules(ok)) == 1
    bad = _write_rules(tmp_path, relation="*", trigger="تدعم")
    with pytest.raises(ValueError, match="lexicon reference"):
        load_stance_rules(bad)
    bad = _write_rules(tmp_path, trigger="@noun")
    with pytest.raises(ValueError, match="unknown part of speech 'noun'"):
        load_stance_rules(bad)
    bad = _write_rules(tmp_path, trigger="@verb:likes")
    with pytest.raises(ValueError, match="unknown family 'likes'"):
        load_stance_rules(bad)
