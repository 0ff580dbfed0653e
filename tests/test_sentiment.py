"""Targeted sentiment (helpers.sentiment): lexicon matching, negation, intensifiers, distance,
evidence, target exclusion, aggregation, the transformers path and the lexicon file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from helpers import models
from helpers import sentiment as S
from helpers.clean import match_key
from helpers.schema import ACTOR_SENTIMENT, RESOLVED_MENTIONS


def hits_of(text: str, target: str, **kw) -> list[S.Hit]:
    start = text.index(target)
    return S.find_hits(text, [(start, start + len(target))], **kw)


def terms(hits: list[S.Hit]) -> dict[str, S.Hit]:
    return {h.term: h for h in hits}


def one_sentence_tables(text: str, targets: list[tuple[str, str | None]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A made-up article of one sentence (starting at offset 10) and resolved mentions."""
    offset = 10
    sentences = pd.DataFrame([{"article_id": "a1", "sent_id": 0, "start": offset,
                               "end": offset + len(text), "text": text}])
    rows = []
    for surface, actor in targets:
        a = text.index(surface)
        rows.append({"article_id": "a1", "sent_id": 0, "start": offset + a,
                     "end": offset + a + len(surface), "surface": surface, "label": "ORG",
                     "score": 1.0, "model": "test", "match_key": match_key(surface),
                     "actor_id": actor, "origin": "model", "rule": "exact"})
    return sentences, pd.DataFrame(rows, columns=RESOLVED_MENTIONS.columns)


# ----------------------------------------------------------------------------- matching


def test_lexicon_matches_through_proclitics_and_suffixes():
    found = terms(hits_of("دعت مصر إلى الحوار والاستقرار وإنهاء انتهاكاتها", "مصر"))
    assert found["استقرار"].surface == "والاستقرار"
    assert found["حوار"].surface == "الحوار"
    assert found["انتهاكات"].surface == "انتهاكاتها"  # suffix ها removed by the light stemmer


def test_stemming_can_be_switched_off():
    text = "رصدت البعثة انتهاكاتها"
    with_stem = terms(hits_of(text, "البعثة"))
    without = terms(hits_of(text, "البعثة", settings=S.BundledSettings(stem=False)))
    assert "انتهاكات" in with_stem and "انتهاكات" not in without


def test_multiword_entry_wins_over_its_parts():
    found = hits_of("دعت فرنسا إلى وقف إطلاق النار", "فرنسا")
    assert [h.term for h in found] == ["وقف إطلاق النار"]
    assert found[0].polarity > 0


@pytest.mark.parametrize("text, target, term", [
    ("لم يهاجم الجيش المدنيين", "الجيش", "يهاجم"),
    ("أكدت مصر عدم التعاون مع الميليشيات", "مصر", "تعاون"),
])
def test_negation_flips_the_polarity(text, target, term):
    negated = terms(hits_of(text, target))[term]
    plain_text = text.replace("لم ", "").replace("عدم ", "")
    plain = terms(hits_of(plain_text, target))[term]
    assert negated.negator
    assert math.copysign(1, negated.contribution) == -math.copysign(1, plain.contribution)


def test_negation_labels_and_scope():
    assert S.score_text("لم يهاجم الجيش المدنيين", "الجيش")["label"] == "positive"
    assert S.score_text("أكدت مصر عدم التعاون", "مصر")["label"] == "negative"
    # only the first hit after the negator is negated
    found = terms(hits_of("أكدت مصر عدم التعاون مع الميليشيات", "مصر"))
    assert found["تعاون"].negator and not found["ميليشيات"].negator


def test_phrases_that_look_negated_do_not_negate():
    found = terms(hits_of("لا تزال عملية إيريني تواجه انتقادات", "عملية إيريني"))
    assert not found["انتقادات"].negator
    found = terms(hits_of("رحبت الدول لا سيما مصر بالاتفاق", "مصر"))
    assert not found["اتفاق"].negator


def test_intensifier_strengthens_its_word():
    strong = terms(hits_of("يدين الاتحاد بشدة الهجوم", "الاتحاد"))["يدين"]
    plain = terms(hits_of("يدين الاتحاد الهجوم", "الاتحاد"))["يدين"]
    assert strong.intensifier == "بشدة"
    assert abs(strong.contribution) > abs(plain.contribution)


def test_closer_words_weigh_more():
    text = "هاجمت تركيا بالأمس مدينة سرت قرب مصر"
    near = terms(hits_of(text, "تركيا"))["هاجم"]
    far = terms(hits_of(text, "مصر"))["هاجم"]
    assert near.distance < far.distance
    assert abs(near.contribution) > abs(far.contribution)


def test_evidence_lists_the_words_with_weights():
    result = S.score_text("وصل المزيد من المرتزقة إلى قوات حفتر", "قوات حفتر")
    assert "المرتزقة:-1.00×" in result["evidence"]
    assert result["context"].count(S.MARK_OPEN) == 1 and "«[قوات حفتر]»" in result["context"]


def test_words_of_the_target_span_are_not_evidence():
    found = hits_of("وصل المرتزقة السوريين إلى سرت", "المرتزقة السوريين")
    assert "مرتزقة" not in terms(found)
    # the same word outside the target is evidence
    found = hits_of("وصل المرتزقة السوريين إلى سرت", "سرت")
    assert "مرتزقة" in terms(found)


def test_clauses_split_at_punctuation_and_connectives():
    s = "تدعم باريس حفتر، في حين تعارض أنقرة ذلك بينما ترحب روما"
    assert [s[a:b] for a, b in S.split_clauses(s)] == ["تدعم باريس حفتر", "في حين تعارض أنقرة ذلك",
                                                        "بينما ترحب روما"]
    # in clause mode the other clause's words are not evidence; in sentence mode they are
    assert S.score_text("هاجمت قوات حفتر المدينة، بينما رحبت مصر بالهدنة", "مصر")["label"] == "positive"
    assert "هاجم" in S.score_text("هاجمت قوات حفتر المدينة، بينما رحبت مصر بالهدنة", "مصر",
                                  window="sentence")["evidence"]


def test_scores_stay_in_range():
    text = "هجوم وحشي وقصف عشوائي وحصار وتهديد ومجزرة وانتهاكات وإرهاب ومرتزقة ضد تركيا"
    result = S.score_text(text, "تركيا")
    assert -1.0 <= result["score"] < -0.9
    assert result["label"] == "negative"
    assert S.score_text("قال المتحدث إن تركيا سترسل وفدا", "تركيا")["score"] == 0.0


# ----------------------------------------------------------------------------- tables


def test_score_mentions_table_contract_and_skips_unresolved():
    text = "اتهمت حكومة الوفاق قوات حفتر بخرق الهدنة وقصف مطار معيتيقة."
    sentences, resolved = one_sentence_tables(
        text, [("حكومة الوفاق", "gna"), ("قوات حفتر", "lna"), ("مطار معيتيقة", None)])
    out = S.score_mentions(resolved, sentences)
    assert list(out.columns) == ACTOR_SENTIMENT.columns
    assert out["actor_id"].tolist() == ["gna", "lna"]
    assert out["score"].between(-1, 1).all()
    assert (out["method"] == S.BUNDLED_METHOD).all()
    lna = out.set_index("actor_id").loc["lna"]
    assert lna["label"] == "negative" and "خرق" in lna["evidence"]
    # offsets are the article offsets of the mentions
    assert out["start"].tolist() == resolved["start"].iloc[:2].tolist()


def test_score_mentions_never_uses_mention_words_as_evidence():
    text = "هاجمت ميليشيات حفتر مدينة غريان"
    sentences, resolved = one_sentence_tables(text, [("ميليشيات حفتر", "lna"), ("غريان", "gharyan")])
    out = S.score_mentions(resolved, sentences).set_index("actor_id")
    assert "ميليشيات" not in out.loc["lna", "evidence"]
    assert "ميليشيات" not in out.loc["gharyan", "evidence"]  # a name is not an opinion
    assert "هاجم" in out.loc["lna", "evidence"]


def test_score_mentions_reports_missing_sentences():
    sentences, resolved = one_sentence_tables("رحبت مصر بالاتفاق", [("مصر", "egypt")])
    with pytest.raises(ValueError, match="not in the sentences table"):
        S.score_mentions(resolved.assign(sent_id=5), sentences)
    with pytest.raises(ValueError, match="choose one of bundled, fast, camelbert, auto"):
        S.score_mentions(resolved, sentences, method="vader")


def test_empty_input_gives_an_empty_table():
    sentences, resolved = one_sentence_tables("رحبت مصر بالاتفاق", [("مصر", None)])
    out = S.score_mentions(resolved, sentences)
    assert out.empty and list(out.columns) == ACTOR_SENTIMENT.columns


# ----------------------------------------------------------------------------- argument frames


def test_a_stance_word_is_not_sentiment_toward_either_actor():
    text = "تدعم فرنسا حفتر"
    haftar = S.score_text(text, "حفتر", others=["فرنسا"])
    france = S.score_text(text, "فرنسا", others=["حفتر"])
    assert haftar["label"] == france["label"] == "neutral"
    assert [why for _, why in haftar["dropped"]] == ["stance word toward the target"]
    assert "not counted: تدعم (stance word toward another actor)" in france["evidence"]
    # supporting a thing, not an actor, is an ordinary sentiment word
    assert S.score_text("تدعم فرنسا وقف إطلاق النار", "فرنسا")["label"] == "positive"


def test_a_warning_is_not_charged_to_the_one_who_warns():
    text = "حذرت مصر من سقوط سرت في أيدي الميليشيات"
    egypt = S.score_text(text, "مصر", others=["سرت"])
    assert egypt["label"] == "neutral" and egypt["score"] == 0.0
    assert "سقوط" in egypt["evidence"] and "not counted" in egypt["evidence"]
    # without the frames (find_hits alone) the same words would make Egypt negative
    start = text.index("مصر")
    assert S.score_hits(S.find_hits(text, [(start, start + 3)])) < -0.3


def test_the_accused_keeps_the_charge_and_the_accuser_does_not():
    text = "اتهمت حكومة الوفاق قوات حفتر بخرق الهدنة"
    sentences, resolved = one_sentence_tables(text, [("حكومة الوفاق", "gna"), ("قوات حفتر", "lna")])
    out = S.score_mentions(resolved, sentences).set_index("actor_id")
    assert out.loc["gna", "label"] == "neutral" and out.loc["lna", "label"] == "negative"
    assert "خرق" in out.loc["lna", "evidence"].split(" | ")[0]


def test_a_quote_is_the_speakers_view_of_someone_else():
    text = "وقال حميدتي: «الجيش يقصف المدنيين بالطائرات»"
    speaker = S.score_text(text, "حميدتي", others=["الجيش"])
    army = S.score_text(text, "الجيش", others=["حميدتي"])
    assert "«" in speaker["context"]  # the quote after ':' is in the speaker's window
    assert speaker["label"] == "neutral" and army["label"] == "negative"
    # a quote about the speaker's own side counts for the speaker
    own = S.score_text("وقال المتحدث: «نرحب بالاتفاق ونلتزم بوقف إطلاق النار»", "المتحدث")
    assert own["label"] == "positive"


def test_coordinated_actors_share_their_frame_and_places_are_settings():
    text = "وقعت إثيوبيا وتيغراي اتفاقا للسلام"
    for target, other in (("إثيوبيا", "تيغراي"), ("تيغراي", "إثيوبيا")):
        assert S.score_text(text, target, others=[other])["label"] == "positive"
    result = S.score_text("قصفت القوات أحياء سكنية في الفاشر", "الفاشر")
    assert result["label"] == "neutral" and "setting" in result["evidence"]
    assert S.score_text("قصفت القوات أحياء سكنية في الفاشر", "القوات")["label"] == "negative"


def test_the_victim_of_an_attack_is_not_judged():
    text = "هاجمت حركة الشباب قاعدة الجيش"
    victim = S.score_text(text, "الجيش", others=["حركة الشباب"])
    attacker = S.score_text(text, "حركة الشباب", others=["الجيش"])
    assert victim["label"] == "neutral" and attacker["label"] == "negative"


def test_harm_to_what_an_actor_owns_makes_it_a_victim_not_an_agent():
    # its members counted as losses, its positions struck by another: a victim
    for text, target in [("قتل ثلاثة من عناصر الجيش في هجوم قرب المدينة", "الجيش"),
                         ("قصفت المدفعية مواقع لقوات الدعم السريع شمالي المدينة",
                          "قوات الدعم السريع"),
                         ("سقط قتلى في صفوف قوات النظام إثر هجوم", "قوات النظام")]:
        result = S.score_text(text, target)
        assert result["label"] == "neutral" and "target's own" in result["evidence"], text
    # the same noun right after the verb is its subject: the owner acts
    text = "قتل عناصر من قوات الدعم السريع عشرات المدنيين"
    assert S.score_text(text, "قوات الدعم السريع")["label"] == "negative"
    # a claim of responsibility names the agent of the act
    text = "أعلن التنظيم مسؤوليته عن تفجير استهدف سوقا شعبيا"
    assert S.score_text(text, "التنظيم")["label"] == "negative"


def test_what_a_call_asks_for_is_the_callers_not_the_addressees():
    text = "دعت مصر الأطراف السودانية إلى وقف فوري لإطلاق النار"
    assert S.score_text(text, "مصر", others=["السودانية"])["label"] == "positive"
    called = S.score_text(text, "السودانية", others=["مصر"])
    assert called["label"] == "neutral" and "called on" in called["evidence"]
    # subject before the verb: the one mention after it is the addressee
    text = "الاتحاد الأوروبي حث الحكومة الإثيوبية على وقف إطلاق النار"
    assert S.score_text(text, "الاتحاد الأوروبي", others=["الحكومة الإثيوبية"])["label"] == "positive"
    assert S.score_text(text, "الحكومة الإثيوبية", others=["الاتحاد الأوروبي"])["label"] == "neutral"


def test_a_constructive_word_after_its_subject_is_the_subjects_not_its_objects():
    # a purpose masdar's object, an actor after a preposition: the subject keeps the word
    text = "أكدت اليابان استعدادها لمساعدة السودان في إعادة بناء المدارس"
    assert S.score_text(text, "اليابان", others=["السودان"])["label"] == "positive"
    helped = S.score_text(text, "السودان", others=["اليابان"])
    assert helped["label"] == "neutral" and "object of what" in helped["evidence"]
    text = "عرض الوسيط القطري أمام مجلس الأمن خطة لوقف القتال"
    assert S.score_text(text, "القطري", others=["مجلس الأمن"])["label"] == "positive"
    assert S.score_text(text, "مجلس الأمن", others=["القطري"])["label"] == "neutral"


def test_coordination_runs_over_a_title_or_nisba():
    # «X والمصري Y»: Y shares X's frame, so both call for the truce
    text = "دعا الرئيسان التركي رجب أردوغان والمصري عبد الفتاح السيسي إلى هدنة في غزة"
    for target, other in [("عبد الفتاح السيسي", "رجب أردوغان"), ("رجب أردوغان", "عبد الفتاح السيسي")]:
        assert S.score_text(text, target, others=[other])["label"] == "positive", target


def test_criticism_charges_and_threats_are_the_criticised_and_the_threateners():
    text = "انتقدت منظمة هيومن رايتس ووتش الحكومة لقمعها المتظاهرين في العاصمة"
    assert S.score_text(text, "الحكومة", others=["منظمة هيومن رايتس ووتش"])["label"] == "negative"
    assert S.score_text(text, "منظمة هيومن رايتس ووتش", others=["الحكومة"])["label"] == "neutral"
    # a critic's own topic (ندد X بمقتل ...) is no charge against the critic
    text = "نددت الخارجية المصرية بمقتل مدنيين في قصف على المدينة"
    assert S.score_text(text, "الخارجية المصرية")["label"] == "neutral"
    # what an actor threatens to do (ب + harm) is its own; a famine that «threatens» is not a threat
    assert S.score_text("هددت الجماعة المسلحة باستهداف الموانئ", "الجماعة المسلحة")["label"] == "negative"
    # facing criticism: the one who faces it is criticised
    text = "تواجه الحكومة الإثيوبية انتقادات واسعة بسبب اعتقال صحفيين"
    assert S.score_text(text, "الحكومة الإثيوبية")["label"] == "negative"


def test_losses_in_the_passive_and_topics_are_not_deeds():
    for text, target in [("اغتيل القيادي في الحركة أحمد سالم بغارة على منزله", "أحمد سالم"),
                         ("قتل خمسة جنود من الجيش المالي في كمين قرب الحدود", "الجيش المالي")]:
        result = S.score_text(text, target)
        assert result["label"] == "neutral", (text, result["evidence"])
    # the agent of a passive loss is named by an agent marker: it keeps the harm
    text = "قتل ثلاثة مدنيين بنيران قوات الدعم السريع في المدينة"
    assert S.score_text(text, "قوات الدعم السريع")["label"] == "negative"
    text = "عقد مجلس الأمن جلسة طارئة لبحث التصعيد في المنطقة"
    assert S.score_text(text, "مجلس الأمن")["label"] == "neutral"


def test_suffering_a_help_addresses_and_the_object_of_an_attack_are_not_the_agents():
    text = "قدمت الكويت مساعدات عاجلة للنازحين وضحايا الفيضانات"
    assert S.score_text(text, "الكويت")["label"] == "positive"
    text = "خطف مسلحون تابعون للحركة عمال إغاثة في الإقليم"
    assert S.score_text(text, "للحركة")["label"] == "negative"
    # an act resumed by a pronoun names its agent after the verb
    text = "يعيش السكان تحت حصار خانق تفرضه الميليشيا منذ أشهر"
    assert S.score_text(text, "الميليشيا")["label"] == "negative"


def test_relation_words_come_from_the_stance_stage():
    words = S.relation_words()
    assert words["alignment"].match("بدعم") and words["alignment"].match("وتساند")
    assert words["judgement"].match("أدانت") and words["judgement"].match("وحذرت")
    assert not words["alignment"].match("أشاد")  # praise is an evaluation: still sentiment
    assert not words["judgement"].match("هاجمت")  # attacking is an act, not a stance word


def test_clauses_are_split_once_per_sentence(monkeypatch):
    calls = []
    real = S.split_clauses

    def counting(text, lexicon=None):
        calls.append(text)
        return real(text, lexicon)

    monkeypatch.setattr(S, "split_clauses", counting)
    text = "رحبت مصر بالاتفاق، بينما رفضت تركيا البيان وانتقدت فرنسا الهجوم"
    sentences, resolved = one_sentence_tables(text, [("مصر", "egypt"), ("تركيا", "turkey"),
                                                     ("فرنسا", "france")])
    out = S.score_mentions(resolved, sentences)
    assert len(out) == 3 and len(calls) == 1


# ----------------------------------------------------------------------------- acts


def test_acts_are_matched_through_morphology_with_their_object():
    acts = S.load_acts()
    families = {a.family: a.polarity for forms in acts.values() for a in forms}
    assert families["humanitarian"] > 0 and families["atrocity"] < 0 and len(families) >= 8
    assert {a.lemma for a in acts["يفرجون"]} == {"أفرج"}  # person prefix and suffix
    assert "افراجها" in acts  # masdar with a possessive pronoun
    assert "عدم" not in acts  # a negator is never an act form (أعدم -> يعدم, but not عدم)
    # the object may come after the agent (verb-subject-object) and carry clitics and suffixes
    freed = S.score_text("أطلق الجيش سراح الأسرى", "الجيش")
    assert freed["label"] == "positive" and "act humanitarian" in freed["evidence"]
    fired = S.score_text("أطلق الجيش صواريخ على المدينة", "الجيش")
    assert fired["label"] == "negative"  # same verb, other object: the first row that fits wins
    assert S.score_text("سهّل الجيش دخولها عبر المعبر", "الجيش")["label"] == "positive"
    # without its object the verb is no act: سلّم رسالة is not سلّم السلطة
    assert S.score_text("سلّم الرئيس السلطة إلى خلفه", "الرئيس")["label"] == "positive"
    assert S.score_text("سلّم الرئيس رسالة إلى نظيره", "الرئيس")["label"] == "neutral"


def test_an_act_is_charged_to_its_agent_not_to_the_one_it_is_done_to():
    text = "تدعم إيران الحوثيين بالصواريخ"
    assert S.score_text(text, "إيران", others=["الحوثيين"])["label"] == "negative"  # arming
    receiver = S.score_text(text, "الحوثيين", others=["إيران"])
    assert receiver["label"] == "neutral" and "the target undergoes the act" in receiver["evidence"]
    text = "أفرجت السلطات عن معتقلي المعارضة"
    assert S.score_text(text, "السلطات", others=["المعارضة"])["label"] == "positive"
    assert S.score_text(text, "المعارضة", others=["السلطات"])["label"] == "neutral"
    # a coordinated masdar shares the agent of the first act (اقتحام X ... واحتجاز)
    text = "أدانت الحكومة اقتحام الحوثيين مقرات الأمم المتحدة واحتجاز موظفيها"
    others = ["الحكومة", "الحوثيين", "الأمم المتحدة"]
    scored = {t: S.score_text(text, t, others=[o for o in others if o != t])["label"] for t in others}
    assert scored == {"الحكومة": "neutral", "الحوثيين": "negative", "الأمم المتحدة": "neutral"}
    # both parties of an exchange are its agents
    swap = S.score_text("أتم الوسطاء تبادل الأسرى بين الحكومة والحوثيين", "الحكومة", others=["الحوثيين"])
    assert swap["label"] == "positive"


def test_stopping_any_harm_is_an_act_and_an_object_may_come_before_its_verb():
    # @harm: أوقف with any harmful word of the lexicon as object
    result = S.score_text("أوقفت السلطات المغربية ترحيل اللاجئين", "المغربية")
    assert result["label"] == "positive" and "act de-escalation" in result["evidence"]
    # but not the harm of another actor named right after it
    text = "قال الرئيس إن الاتفاق خطوة نحو إنهاء هجوم قوات التمرد"
    assert S.score_text(text, "قوات التمرد", others=["الرئيس"])["label"] == "negative"
    result = S.score_text("أسقط الجيش طائرة مسيرة أطلقتها الجماعة", "الجماعة", others=["الجيش"])
    assert result["label"] == "negative" and "مسيرة…أطلقتها" in result["evidence"]


def test_a_withheld_constructive_act_is_an_obstruction():
    allowed = S.score_text("سمحت الحكومة بدخول المساعدات إلى المدينة", "الحكومة")
    refused = S.score_text("لم تسمح الحكومة بدخول المساعدات إلى المدينة", "الحكومة")
    assert allowed["label"] == "positive" and refused["label"] == "negative"
    # the aid in the act's object is counted once, with the act, and still shown as evidence
    assert "counted there" in refused["evidence"] and refused["hits"][0].negator == "لم"
    assert S.score_text("غادر الوفد العاصمة دون التوقيع على الاتفاق", "الوفد",
                        others=["العاصمة"])["label"] == "negative"
    # the seed behaviour of a negated lexicon word is unchanged: flipped and halved
    assert S.score_text("لم يهاجم الجيش المدنيين", "الجيش")["label"] == "positive"


def test_a_ceasefire_with_a_modifier_is_one_positive_phrase():
    hits = hits_of("دعت مصر إلى وقف فوري لإطلاق النار", "مصر")
    assert [h.term for h in hits] == ["وقف إطلاق النار"] and hits[0].surface == "وقف فوري لإطلاق النار"
    # a two-word entry takes no modifier
    assert "حرب أهلية" in terms(hits_of("حذرت مصر من الحرب الأهلية", "مصر"))
    assert "حرب أهلية" not in terms(hits_of("حذرت مصر من الحرب الطويلة الأهلية", "مصر"))


def test_the_accused_of_an_accusation_keeps_the_charge():
    accused = S.score_text("اتهم نواب الحكومة بالعجز عن حل الأزمة", "الحكومة")
    assert accused["label"] == "negative" and "بالعجز" in accused["evidence"]
    # with an object pronoun (تتهمه) the accused is the pronoun, not the next actor
    accuser = S.score_text("تتهمه إسرائيل بالتقاعس عن نزع سلاح الحزب", "إسرائيل")
    assert accuser["label"] == "neutral"


def test_sufferers_backers_and_both_sides_of_a_fight_are_not_judged():
    # the subject of a suffer verb is not the agent of what it suffers
    assert S.score_text("تعرضت قاعدة الجيش لهجوم عنيف", "الجيش")["label"] == "neutral"
    assert S.score_text("شن الجيش هجوما عنيفا", "الجيش")["label"] == "negative"
    # a backer named after «المدعومة من» is not charged with the group's deeds
    text = "ارتكبت الفصائل المدعومة من تركيا انتهاكات بحق السكان"
    assert S.score_text(text, "تركيا", others=["الفصائل"])["label"] == "neutral"
    assert S.score_text(text, "الفصائل", others=["تركيا"])["label"] == "negative"
    # fighting between two named sides is reported, not a deed of one of them
    text = "اشتبكت الميليشيا مع الجيش في محيط المدينة"
    assert S.score_text(text, "الميليشيا", others=["الجيش"])["label"] == "neutral"
    assert S.score_text("اشتبكت الميليشيا في محيط المدينة", "الميليشيا")["label"] == "negative"


def test_a_nisba_adjective_is_not_a_future_verb():
    # السياسي must not lose ال + the future prefix س and match يأس (despair)
    assert not S.find_hits("الحل السياسي", [(0, 3)])
    assert "ياسي" not in dict(S.proclitic_candidates("سياسي"))
    assert "يهاجم" in dict(S.proclitic_candidates("وسيهاجم"))


def test_a_bad_acts_row_is_named(tmp_path):
    path = tmp_path / "acts.csv"
    path.write_text("lemma,polarity,root,form,object\nأفرج,2,فرج,IV,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="acts.csv line 2 .*أفرج"):
        S.load_acts(path)
    assert S.load_acts(tmp_path / "absent.csv") == {}


# ----------------------------------------------------------------------------- aggregation


def sentiment_rows(scores: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for actor, values in scores.items():
        for i, v in enumerate(values):
            rows.append({"article_id": f"a{i % 2}", "sent_id": i, "start": 0, "end": 1,
                         "actor_id": actor, "context": f"{actor} {i}", "label": S.label_for(v),
                         "score": v, "method": "test", "evidence": f"w{i}:{v:+.2f}×1.00"})
    return pd.DataFrame(rows, columns=ACTOR_SENTIMENT.columns)


def test_aggregate_interval_contains_the_mean_and_flags_small_n():
    rng = np.random.default_rng(1)
    table = sentiment_rows({"haftar": list(rng.uniform(-1, 0.5, 30)), "egypt": [0.4]})
    agg = S.aggregate_sentiment(table).set_index("actor_id")
    h = agg.loc["haftar"]
    assert h["n"] == 30 and h["ci_low"] < h["mean"] < h["ci_high"]
    assert h["ci_high"] - h["ci_low"] < 1.0
    assert h["most_negative_score"] == pytest.approx(table.loc[table.actor_id == "haftar", "score"].min())
    e = agg.loc["egypt"]
    # one mention: no interval (helpers.stats.bootstrap_ci), the mean is the score
    assert e["n"] == 1 and e["mean"] == pytest.approx(0.4)
    assert math.isnan(e["ci_low"]) and math.isnan(e["ci_high"])
    assert bool(e["small_n"]) and not bool(h["small_n"])
    assert e["most_negative_context"] == "" and math.isnan(e["most_negative_score"])


def test_aggregate_is_deterministic_for_a_seed():
    rng = np.random.default_rng(7)
    table = sentiment_rows({"turkey": list(rng.uniform(-1, 1, 12)), "russia": list(rng.uniform(-1, 1, 8))})
    a = S.aggregate_sentiment(table, seed=3)
    b = S.aggregate_sentiment(table, seed=3)
    c = S.aggregate_sentiment(table, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"])
    # a group's interval does not depend on which other groups are present
    alone = S.aggregate_sentiment(table[table.actor_id == "turkey"], seed=3)
    assert alone["ci_low"].iloc[0] == a.set_index("actor_id").loc["turkey", "ci_low"]


def test_aggregate_per_article():
    table = sentiment_rows({"haftar": [-0.5, 0.5, -0.2, 0.1]})
    agg = S.aggregate_sentiment(table, by=("article_id", "actor_id"))
    assert sorted(agg["article_id"]) == ["a0", "a1"]
    assert agg.set_index("article_id").loc["a0", "mean"] == pytest.approx((-0.5 - 0.2) / 2)


def test_evidence_table_lists_both_extremes_of_the_top_actors():
    table = sentiment_rows({"haftar": [-0.5, 0.3, -0.1, 0.2], "egypt": [0.4, 0.2], "tripoli": [0.0]})
    ev = S.evidence_table(S.aggregate_sentiment(table), top=2)
    assert ev["actor_id"].tolist() == ["haftar", "haftar", "egypt"]  # egypt has no negative mention
    assert ev["side"].tolist() == ["most positive", "most negative", "most positive"]
    assert ev["score"].tolist() == [0.3, -0.5, 0.4]
    assert ev.loc[1, "evidence"] == "w0:-0.50×1.00"


# ----------------------------------------------------------------------------- lexicon file


def test_lexicon_file_is_valid_and_large_enough():
    table = S.read_lexicon_table()
    assert table["key"].nunique() == len(table) >= 400
    assert table["polarity"].between(-1, 1).all()
    keys = set(table["key"])
    for term in ["هجوم", "مرتزقة", "ألغام", "حصار", "إرهابيين", "تهديد", "اتفاق", "تعاون",
                 "وقف إطلاق النار", "حوار", "استقرار", "توافق", "خط أحمر", "حرب أهلية"]:
        assert S.lexicon_key(term) in keys, term
    assert (table["polarity"] < 0).sum() > 100 and (table["polarity"] > 0).sum() > 100


def test_lexicon_validation_names_the_bad_rows():
    with pytest.raises(ValueError, match="same match key"):
        S.validate_lexicon(pd.DataFrame({"term": ["حرب", "الحرب"], "polarity": [-1, -1]}))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        S.validate_lexicon(pd.DataFrame({"term": ["سلام"], "polarity": ["2"]}))


def test_a_row_with_an_unquoted_comma_names_the_file_and_the_fix(tmp_path):
    bad = tmp_path / "acts.csv"
    bad.write_text("lemma,polarity,gloss_en\nنهب,-1,loot\nأحرق,-1,burn (homes, shops, farms)\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"acts.csv: .*line 3.*double quotes"):
        S.load_acts(bad)


def test_a_student_can_load_an_own_lexicon_folder(tmp_path):
    for name in ("negators.csv", "intensifiers.csv", "clause_markers.txt"):
        (tmp_path / name).write_text((S.LEXICON_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "polarity_ar.csv").write_text("term,polarity\nحفل,1\n", encoding="utf-8")
    lexicon = S.load_lexicon(str(tmp_path))
    assert len(lexicon) == 1
    assert S.score_text("حضر الوزير الحفل", "الوزير", lexicon=lexicon)["label"] == "positive"
    (tmp_path / "polarity_ar.csv").unlink()
    S.load_lexicon.cache_clear()
    with pytest.raises(FileNotFoundError, match="polarity_ar.csv"):
        S.load_lexicon(str(tmp_path))


# ----------------------------------------------------------------------------- camelbert path

# CAMeLBERT sentiment label map (config.json of the -da/-ca/-mix sentiment models)
CAMELBERT_SENTIMENT_LABELS = {0: "positive", 1: "negative", 2: "neutral"}
TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "«", "[", "]", "»", "أردوغان",
              "رحب", "هاجم", "مصر", "بالاتفاق", "قوات", "حفتر", "."]


def make_tiny_sentiment_model(folder, bias=(2.0, 0.0, -1.0)):
    """A tiny BertForSequenceClassification whose output depends only on its bias."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    tokenizer = transformers.BertTokenizer(vocab={t: i for i, t in enumerate(TINY_VOCAB)},
                                           do_lower_case=False)
    config = transformers.BertConfig(
        vocab_size=len(TINY_VOCAB), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=3,
        id2label=CAMELBERT_SENTIMENT_LABELS, label2id={v: k for k, v in CAMELBERT_SENTIMENT_LABELS.items()})
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor(bias))
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


def softmax(x):
    e = np.exp(np.asarray(x) - max(x))
    return e / e.sum()


def test_camelbert_path_with_a_tiny_local_model(tmp_path):
    assert not models.sentiment_model_cached(str(tmp_path / "tiny-sentiment"))
    folder = make_tiny_sentiment_model(tmp_path / "tiny-sentiment")
    assert models.sentiment_model_cached(str(folder))
    assert not models.sentiment_model_cached("nobody-here/not-a-sentiment-model")
    clf = models.load_sentiment("camelbert", str(folder))
    tokens = clf.pipe.tokenizer.tokenize("رحب أردوغان")
    assert "أردوغان" in tokens  # hamza survives: the tokenizer does not lower-case
    sentences, resolved = one_sentence_tables("رحب أردوغان بالاتفاق.", [("أردوغان", "erdogan")])
    out = S.score_mentions(resolved, sentences, method="camelbert", model=str(folder))
    p_pos, p_neg, p_neu = softmax([2.0, 0.0, -1.0])
    row = out.iloc[0]
    assert row["method"] == clf.identity and clf.identity.startswith("local:tiny-sentiment@")
    assert row["score"] == pytest.approx(p_pos - p_neg, abs=1e-4)
    assert row["label"] == "positive"
    assert f"positive={p_pos:.3f}" in row["evidence"] and "negative=" in row["evidence"]
    assert "«[أردوغان]»" in row["context"]


def test_camelbert_labels_follow_the_model(tmp_path):
    folder = make_tiny_sentiment_model(tmp_path / "tiny-negative", bias=(0.0, 3.0, 0.0))
    sentences, resolved = one_sentence_tables("هاجم قوات حفتر مصر.", [("مصر", "egypt")])
    out = S.score_mentions(resolved, sentences, method="camelbert", model=str(folder))
    assert out["label"].iloc[0] == "negative" and out["score"].iloc[0] < -0.5


def test_offline_error_and_auto_fallback(monkeypatch):
    monkeypatch.setattr(models, "is_offline", lambda: True)
    models.clear_loaded()
    missing = "nobody-here/not-a-sentiment-model"
    with pytest.raises(models.ModelUnavailable) as err:
        models.load_sentiment("camelbert", missing)
    message = str(err.value)
    assert "\n" not in message and "not in the local Hugging Face cache" in message and "'bundled'" in message
    sentences, resolved = one_sentence_tables("رحبت مصر بالاتفاق", [("مصر", "egypt")])
    with pytest.raises(models.ModelUnavailable):
        S.score_mentions(resolved, sentences, method="camelbert", model=missing)
    # the fall-back note is a warning of the model layer (helpers.models.FallbackWarning)
    with pytest.warns(models.FallbackWarning, match="Using the bundled lexicon method instead"):
        out = S.score_mentions(resolved, sentences, method="auto", model=missing)
    assert (out["method"] == S.BUNDLED_METHOD).all() and out["label"].iloc[0] == "positive"


@pytest.mark.slow
@pytest.mark.skipif(not models.sentiment_model_cached(models.DEFAULT_SENTIMENT_MODEL),
                    reason=f"{models.DEFAULT_SENTIMENT_MODEL} is not in the local Hugging Face cache "
                           "(download it once with network access to run this test)")
def test_real_camelbert_sentiment_model():
    sentences, resolved = one_sentence_tables(
        "رحبت مصر بالاتفاق التاريخي ووصفته بأنه خطوة ممتازة نحو السلام.", [("مصر", "egypt")])
    out = S.score_mentions(resolved, sentences, method="camelbert")
    assert out["method"].iloc[0].startswith(models.DEFAULT_SENTIMENT_MODEL)
    assert out["label"].iloc[0] == "positive" and out["score"].iloc[0] > 0


def test_method_none_reads_the_profile_environment(monkeypatch):
    sentences, resolved = one_sentence_tables("رحبت مصر بالاتفاق", [("مصر", "egypt")])
    monkeypatch.setenv("ARABIC_NEWS_MODELS", "bundled")
    assert S.score_mentions(resolved, sentences, method=None)["method"].iloc[0] == S.BUNDLED_METHOD
    monkeypatch.setenv("ARABIC_NEWS_MODELS", "something-else")
    with pytest.raises(ValueError, match="choose one of bundled, fast, camelbert, auto"):
        S.score_mentions(resolved, sentences, method=None)
