"""Discovered actors: the people, organisations and armed groups the dictionary does not know.

A student's articles about Sudan, Yemen or Iraq name actors that ``data/actors.csv`` (a
Libya dictionary) has never heard of. This module turns them into actors of their own,
so they reach every later table (resolved mentions, actor tables, sentiment, stance, the
report) exactly like dictionary actors, with ``origin = "discovered"`` in the actor table.

The steps (:func:`discover_and_resolve`, called by :func:`helpers.pipeline.tag_and_resolve`,
which returns the resolved mentions and the discovered actors' rows side by side):

1. **Organisation patterns** (:func:`org_spans`, a post-NER step): a head noun (قوات، حركة،
   جماعة، ميليشيا، تنظيم، جبهة، حزب، مجلس، هيئة، الجيش، الحكومة، ...) with its genitive
   and adjective chain becomes an ORG mention when the model missed it: «قوات الدعم السريع»,
   «حركة الشباب», «جماعة أنصار الله», «المجلس الانتقالي الجنوبي», «الجيش السوداني». An
   indefinite head takes a construct chain (indefinite words, then definite ones); a definite
   head takes definite adjectives (and لل- genitives: «الهيئة الحكومية للتنمية»). A
   dictionary alias that starts at the head wins («قوات حفتر سيطرتها» is the LNA, no
   pattern), and the chain stops at words that cannot be part of a name (verbs, attached
   pronouns, prepositions, a place noun + place); see :func:`org_spans`. Spans the model
   found inside the pattern are replaced by it; a span that crosses it wins. A state's
   nisba inside a pattern («البرلمان التركي») keeps its own nested mention of the state.
   **Person patterns** (:func:`person_spans`): a title of ``data/titles.txt`` with its
   modifiers, then a name («وزير الخارجية المالي عبد الله ديوب», «زعيمه مقتدى الصدر»)
   becomes a PERS mention where the model found none, or only part of the name.
2. **Dictionary resolution** (:func:`helpers.actors.resolve_mentions`).
3. **Grouping** (:func:`discover_actors`) of the PERS and ORG mentions that stayed
   unresolved, over the whole corpus:

   * names are compared on :func:`helpers.clean.match_key` keys with titles and ranks
     removed (``data/titles.txt``: «الفريق أول عبد الفتاح البرهان» is «عبد الفتاح البرهان»)
     and the proclitic و/ف (persons) or و/ف/ب/ل/ك (organisations) removed from the first word
     («والقوات التركية» -> «القوات التركية», «للجيش» -> «الجيش»): ids and names never keep a
     proclitic;
   * not actors: generic bodies («القوات المسلحة»), places («قاعدة سيدي براني»), and model
     spans glued over a place or a known person («الوفاق غربي سرت»); a known actor at the
     start of a model span is cut off («حفتر أحمد المسماري» -> «أحمد المسماري»);
   * a full name (two words or more) joins a longer full name that contains it and ends with
     the same word («حمدان دقلو» joins «محمد حمدان دقلو»); two full names that differ
     otherwise are two people, even with the same family name («عبد الرحيم دقلو» and «محمد
     حمدان دقلو»; «مسرور بارزاني» and «نيجيرفان بارزاني»);
   * a one-word name joins the single person (over the corpus) whose first or last name it
     is («البرهان», «وللبرهان», «غيتاتشو»); with two candidates it is left to the article: the
     surname rule of :mod:`helpers.actors` gives it to the one person of that surname named
     in full in the article, and leaves it unresolved (rule ``ambiguous``) when both are;
   * an alias the text introduces joins the name before it: «محمد حمدان دقلو المعروف
     بحميدتي», «الملقب بـ», an abbreviation in parentheses «الهيئة الحكومية للتنمية (إيغاد)»;
   * an organisation name with a head noun joins the same name without it («الدعم السريع» ->
     «قوات الدعم السريع»); an army or government named with its country adjective («الجيش
     السوداني») is also found by its bare head noun («الجيش») in an article that names
     exactly one such body.

   Each group becomes an actor: ``actor_id`` ``d_`` + a transliterated slug + 4 hex digits of
   the hash of its canonical key (stable across runs and corpus order), ``name_ar`` the
   longest full form as written, ``type`` person, armed_group (armed head nouns) or
   organization, ``aliases_ar`` every other form seen, ``origin`` discovered, ``scope`` the
   state whose nisba or name is part of an organisation's name («الجيش السوداني»: sudan).
4. **Resolution again** with the dictionary plus the discovered actors, so every spelling,
   clitic and surname of a discovered actor is found, in every article, by the same rules
   as a dictionary actor.

>>> spans = org_spans("اندلعت اشتباكات مع قوات الدعم السريع في الخرطوم".split())
>>> spans
[(3, 6)]
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from .actors import (
    _FORCE_HEADS,
    ACTOR_COLUMNS,
    _index_for,
    _match_at,
    _scan_keys,
    _skip_titles,
    _title_keys,
    load_actors,
    load_titles,
    resolve_mentions,
)
from .clean import clitic_candidates, match_key
from .tokens import word_spans

PATTERN_MODEL = "pattern"
DISCOVERED = "discovered"
ORIGIN_COLUMN = "origin"

_HEADS_INDEFINITE = """قوات قوة حركة جماعة ميليشيا مليشيا ميليشيات مليشيات تنظيم جبهة حزب مجلس هيئة
حكومة وزارة تحالف تنسيقية تيار كتائب كتيبة وحدات حرس بعثة منظمة مفوضية مجموعة اتحاد
رابطة لجنة جيش""".split()
_HEADS_DEFINITE = """القوات القوة الحركة الجماعة الميليشيا التنظيم الجبهة الحزب المجلس الهيئة
الحكومة الوزارة التحالف التنسيقية التيار الكتائب الوحدات الحرس البعثة المنظمة المفوضية
المجموعة الاتحاد الرابطة اللجنة الجيش البرلمان الشرطة الحشد""".split()
_ARMED = """قوات قوه القوات القوه ميليشيا مليشيا ميليشيات مليشيات الميليشيا جماعه الجماعه تنظيم
التنظيم جبهه الجبهه كتائب الكتائب كتيبه وحدات الوحدات الجيش جيش الحرس حرس الحشد حركه
الحركه""".split()
# Definite words that end a chain: time words and generic adjectives that are not names.
_STOP = """الذي التي الذين اللذين اليوم امس الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه السبت
الماضي الماضيه المقبل المقبله الحالي الحاليه الجاري الجديد الجديده السابق السابقه نفسه
نفسها ذاته ذاتها الاخير الاخيره الاول الاولي كله كلها
المدعوم المدعومه المدعومين التابع التابعه التابعين الموالي المواليه الموالين المرتبط المرتبطه
المقرب المقربه المتحالف المتحالفه المنتشره المتمركزه المسؤول المسؤوله المعترف المعترفه
مدعوم مدعومه تابع تابعه موالي مواليه مرتبط مرتبطه مقرب مقربه جديد جديده خاصه اجنبيه""".split()
# Generic bodies that name no actor until a country qualifies them («وزارة الخارجية»).
_GENERIC_BODIES = {match_key(x) for x in (
    "وزارة الخارجية", "وزارة الدفاع", "وزارة الداخلية", "وزارة المالية", "وزارة الإعلام",
    "وزارة العدل", "مجلس الوزراء", "رئاسة الوزراء", "الحكومة الجديدة", "القوات الحكومية",
    "القوات الأمنية", "قوات الأمن", "الأجهزة الأمنية", "حكومة تصريف أعمال",
    "حكومة تصريف الأعمال")}
_GENERIC_ONLY = """الخاصه الجديده الجديد السابق السابقه الحاليه الحالي المؤقته الانتقاليه الانتقالي
المحليه المحلي الكبري الاقليميه الدوليه الدولي النظاميه المسلحه الاجنبيه الحكوميه الامنيه
العسكريه المكلفه المكلف""".split()
# Function words that end a chain (prepositions, particles, pronouns).
_FUNCTION = """في من الي إلى على علي عن مع حول ضد دون عبر بين لدى عند حتى ثم او أو بل أي اي ان أن إن
لا لم لن قد كل بعض غير هذا هذه ذلك تلك منذ بعد قبل له لها لهم كما بينما فيما حيث اذ إذ
ضمن خلال نحو اثر إثر وفق بسبب رغم عقب جراء مقابل لكن لأن لان لأول لاول لآخر""".split()
# Place nouns and directions: after a name they start a location («قوات حفتر جنوب طرابلس»,
# «قصفت قوات حفتر مطار معيتيقة»), not a longer name.
_PLACE_NOUNS = """جنوب شمال شرق غرب وسط جنوبي شمالي شرقي غربي محيط ضواحي أطراف قرب داخل خارج
مطار ميناء قاعدة مدينة منطقة بلدة قرية معبر حي مخيم""".split()
# Definite adjectives that are not nisba or participles but end organisation names.
_ADJECTIVES = """السريع الحر العام الاعلي الاكبر الاول العليا الكبري الاحمر الاخضر الجديد
الموحد""".split()
_ALIAS_CUES = {"المعروف", "المعروفه", "الملقب", "الملقبه", "المكني", "المسمي", "المسماه"}
_KUNYA = {"ابو", "ابي", "ابا", "ام", "ابن", "بن", "بنت"}
_CONJ = ("و", "ف")
_PREP = ("و", "ف", "ب", "ل", "ك")

_HEAD_I = {match_key(w) for w in _HEADS_INDEFINITE}
_HEAD_D = {match_key(w) for w in _HEADS_DEFINITE}
_ARMED_K = {match_key(w) for w in _ARMED}
_STOP_K = {match_key(w) for w in _STOP}
_GENERIC_K = {match_key(w) for w in _GENERIC_ONLY}
_ALIAS_K = {match_key(w) for w in _ALIAS_CUES}
_FUNCTION_K = {match_key(w) for w in _FUNCTION}
_PLACE_K = {match_key(w) for w in _PLACE_NOUNS}
_ADJ_K = {match_key(w) for w in _ADJECTIVES}
_WORD_RE = re.compile(r"^[\u0621-\u064a\u0671-\u06d3\u064b-\u065f\u0670]+$")
_NUMBER_RE = re.compile(r"^[0-9\u0660-\u0669]{1,3}$")
_MONTHS = """يناير فبراير مارس أبريل ابريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر نوفمبر
ديسمبر كانون شباط آذار اذار نيسان أيار ايار حزيران تموز آب اب أيلول ايلول تشرين""".split()
_MONTH_K = {match_key(w) for w in _MONTHS}

# ----------------------------------------------------------------------------- patterns


def _is_word(token: str) -> bool:
    return bool(_WORD_RE.match(token))


def _head_kind(key: str) -> str | None:
    """'d' (definite head), 'i' (indefinite head) or None; و/ف/ب/ل/ك proclitics allowed."""
    for cand in clitic_candidates(key):
        if cand in _HEAD_D:
            return "d"
        if cand in _HEAD_I:
            return "i"
    return None


def _adjective(key: str) -> bool:
    """A definite word that can qualify a name: a nisba (…ي, …ية), a participle (الم…), an
    elative (الأعلى) or one of a few common adjectives (السريع، الحر)."""
    stem = key[2:] if key.startswith("ال") else key
    return (key.startswith("ال") and (stem.endswith(("ي", "يه", "يين", "يون", "يان"))
                                      or stem.startswith("م") or key in _ADJ_K
                                      or (len(stem) == 4 and stem.startswith("ا"))))


def _not_a_name_word(key: str) -> bool:
    """An indefinite word that cannot continue a name (rule 2 of :func:`org_spans`): a word
    with an attached pronoun («مسؤوليتها», «سيطرتها», «منهما», «لأنها») or a verb in the
    perfect or imperfect («زرعت», «هاجمت», «أعلنوا», «يقاتلون»), read off its endings.

    >>> [_not_a_name_word(match_key(w)) for w in ("أسقطتها", "زرعت", "فاغنر", "ثابت")]
    [True, True, False, False]
    """
    if key.startswith("ال") or len(key) < 4:
        return False
    if len(key) >= 5 and key.endswith(("ها", "هما", "هم", "هن")):
        return True  # an attached pronoun
    if key.endswith("وا") or key[0] in "يت" and key.endswith("ون") and not key.endswith("يون"):
        return True  # «أعلنوا», «يقاتلون» (not a nisba plural such as «حوثيون»)
    if key.endswith("ت") and not key.endswith("ات"):
        # 3rd person feminine perfect: فعلت (زرعت), فاعلت (هاجمت), أفعلت (أعلنت)
        return (len(key) == 4 and key[1] not in "اوي"
                or len(key) == 5 and (key[1] == "ا" or key[0] == "ا") and key[3] != "ا")
    return False


# Actors whose forces a force head names («قوات حفتر», «قوات حكومة الوفاق»); «قوة الأمم
# المتحدة المؤقتة في لبنان» is a body of its own.
_FORCE_OF = ("person", "armed_group", "government")


def _agrees(last: str, word: str) -> bool:
    """Whether the definite nisba ``word`` can be an adjective of the definite noun ``last``
    by gender (match keys: taa marbuta is ه): «الامن القومي» yes, «الوطني العمليه» no.

    >>> _agrees("الامن", "القومي"), _agrees("الوطني", "العمليه")
    (True, False)
    """
    if not (last.startswith("ال") and word.startswith("ال") and len(word) > 4
            and word.endswith(("ي", "يه"))):
        return False  # a nisba only: «المعترف بها» opens a relative phrase
    return last.endswith("ه") == word.endswith("ه")


def _force_head(key: str) -> bool:
    return any(c in _FORCE_HEADS for c in clitic_candidates(key))


def _dictionary_cut(keys: list[str], i: int, j: int, index: Any) -> tuple[int, int] | None:
    """Rule 1 of :func:`org_spans`: the pattern span ``(i, j)`` as the dictionary leaves it.

    * an alias that starts at the head names the body («حكومة الوفاق الوطني المبادرة»,
      «مجموعة فاغنر الروسية», «قوات حفتر»): no pattern span (None); the dictionary matcher
      finds the alias and reads the words after it on their own. Exceptions: a definite
      adjective that agrees in gender with the alias's last word and is no alias itself
      continues the name («مجلس الأمن القومي» is not the Security Council; «العملية» after
      «الوطني» does not agree); a *generic*
      alias (see :func:`helpers.actors._in_scope`) followed by more name words, other than
      the nisba of its own country, is another body («مجلس النواب العراقي» is not Libya's
      parliament; «مجلس النواب الليبي» is): the span stays;
    * a force head right before the alias of a person, armed group or government (قوات،
      ميليشيات + an actor: «قوات الجيش الوطني الليبي») is that actor's forces: the span ends
      with the alias;
    * a span never crosses an alias: it ends before an alias that runs past its end;
    * any other alias inside (a state's nisba «البرلمان التركي», a place or state in a
      genitive «قوات سوريا الديمقراطية», the parent body «بعثة الاتحاد الأفريقي») leaves
      the span as it is; the alias keeps its own nested mention.
    """
    p = i
    while p < j:
        m = _match_at(keys, p, index)
        if m is None:
            p += 1
            continue
        ids = m.actor_ids
        place = bool(ids) and all(index.types.get(a) in ("state", "place") for a in ids)
        if p == i:
            if not ids:
                return None  # a phrase of data/not_actors.txt («القوة القاهرة»)
            scope = {index.scope.get(a, "") for a in ids}
            after = _match_at(keys, m.end_tok, index) if m.end_tok < j else None
            own_nisba = (after is not None and after.rule == "nisba"
                         and bool(set(after.actor_ids) & scope) and after.end_tok >= j)
            if m.generic and m.end_tok < j and not own_nisba:
                return i, j  # «مجلس النواب العراقي», «بعثة الأمم المتحدة المتكاملة ...»
            if m.end_tok < j and after is None and _agrees(keys[m.end_tok - 1], keys[m.end_tok]):
                return i, j  # «مجلس الأمن القومي» is not the Security Council
            return None
        if m.end_tok > j:
            return (i, p) if p - i >= 2 else None
        if (p == i + 1 and ids and m.rule != "nisba" and _force_head(keys[i]) and all(
                index.types.get(a) in _FORCE_OF for a in ids)):
            return i, m.end_tok
        if not place and m.rule != "nisba" and p - i >= 2 and ids \
                and all(index.types.get(a) == "person" for a in ids):
            return i, p  # a person after the name: «حكومة إقليم كردستان مسرور بارزاني»
        p = m.end_tok
    return i, j


def org_spans(tokens: Sequence[str], titles: dict | None = None, *,
              actors: pd.DataFrame | str | Path | None = None,
              dictionary: bool = True) -> list[tuple[int, int]]:
    """Token spans ``(start, end)`` of organisation names built on a head noun.

    An indefinite head (``قوات``, ``حركة``, ``جماعة``) takes a construct chain: up to three
    indefinite words, then one definite genitive; a definite head (``المجلس``, ``الجيش``) takes
    none. Then definite adjectives follow (:func:`_adjective`), and a genitive with ل
    («للتنمية», «لتحرير») starts a new construct. A head followed only by a generic adjective
    («القوات الخاصة») is no name. Three rules keep the span to the name:

    1. **the dictionary wins** (``dictionary=True``, the actors of ``actors``, default
       ``data/actors.csv``; :func:`_dictionary_cut`): an alias that starts at the head is
       the dictionary's («قوات حفتر سيطرتها» is no pattern: the dictionary reads «قوات
       حفتر» as the LNA), a force head before an alias ends with it;
    2. **the chain stops at words that cannot be part of a name**: function words and
       prepositions («ضمن», «منهما»), words with an attached pronoun («مسؤوليتها»), verbs
       («زرعت», «أعلنوا»; :func:`_not_a_name_word`), words with a conjunction or preposition
       and the article («والجيش», «بالهجوم»), time words, titles («رئيس الوزراء»), and a
       place noun or direction after the first name word («جنوب طرابلس», «مطار معيتيقة»);
    3. proclitics stay on the first token (the span is the text as written); the grouping of
       :func:`discover_actors` removes them from ids and names.

    >>> t = "رحبت جماعة أنصار الله بالاتفاق والمجلس الانتقالي الجنوبي".split()
    >>> [" ".join(t[a:b]) for a, b in org_spans(t)]
    ['جماعة أنصار الله', 'والمجلس الانتقالي الجنوبي']
    >>> t = "أعلنت قوات الدعم السريع سيطرتها على المطار".split()
    >>> [" ".join(t[a:b]) for a, b in org_spans(t)]
    ['قوات الدعم السريع']
    """
    titles = _title_keys(load_titles()) if titles is None else titles
    return _org_spans(tokens, titles, _index_for(actors)[1] if dictionary else None)


def _org_spans(tokens: Sequence[str], titles: dict, index: Any) -> list[tuple[int, int]]:
    keys = [match_key(t) for t in tokens]
    spans, i = [], 0
    while i < len(keys):
        kind = _head_kind(keys[i]) if _is_word(tokens[i]) else None
        if kind is None:
            i += 1
            continue
        j, state, indefinite = i + 1, ("adj" if kind == "d" else "construct"), 0
        while j < len(keys) and j - i < 8:
            if _NUMBER_RE.match(tokens[j]):
                # a number ends a name: «حركة إم 23», «الكتيبة 166», or with a month «حركة 23
                # مارس»; right after the head and before another indefinite word it counts
                # something («قوات 3 دول») and ends the chain before it
                nxt = keys[j + 1] if j + 1 < len(keys) else ""
                if nxt in _MONTH_K:
                    j += 2
                elif j > i + 1 or not nxt or not _is_word(tokens[j + 1]) \
                        or nxt.startswith("ال") or nxt in _FUNCTION_K or nxt in _STOP_K:
                    j += 1
                break
            if not _is_word(tokens[j]):
                break
            k = keys[j]
            if (k in _STOP_K or k in _ALIAS_K or k in _FUNCTION_K or len(k) < 2
                    or k.startswith(("بال", "كال", "فال", "وال"))
                    or _skip_titles(keys, j, titles) > j
                    or _not_a_name_word(k)
                    or j >= i + 2 and k in _PLACE_K
                    or _head_kind(k) and not (state == "construct" and k.startswith("ال"))):
                break
            if state == "construct":
                if indefinite == 0 and not k.startswith("ال") and len(k) >= 4 \
                        and k.endswith(("ي", "يه")) and j == i + 1:
                    break  # «بعثة إيطالية», «مجلس رئاسي»: a head and an adjective, no name
                if k.startswith("ال") or k.startswith("لل"):
                    state = "adj"
                elif indefinite < 3:
                    indefinite += 1
                else:
                    break
            elif _adjective(k):
                pass
            elif k.startswith("لل") and len(k) > 4:
                pass
            elif k.startswith("ل") and not k.startswith("ال") and len(k) > 3:
                state, indefinite = "construct", 0
            else:
                break
            j += 1
        span: tuple[int, int] | None = (i, j)
        if index is not None and j - i >= 2:
            span = _dictionary_cut(keys, i, j, index)
            if span is None:  # the dictionary's name: go on after it
                m = _match_at(keys, i, index)
                i = max(i + 1, m.end_tok if m is not None else i + 1)
                continue
        a, b = span
        if b - a >= 2 and not all(keys[x] in _GENERIC_K for x in range(a + 1, b)):
            spans.append((a, b))
            i = b
        else:
            i += 1
    return spans


def _mentions_by_sentence(mentions: pd.DataFrame) -> dict[tuple[Any, Any], list[dict]]:
    """The mention rows of each ``(article_id, sent_id)``."""
    by_sent: dict[tuple[Any, Any], list[dict]] = defaultdict(list)
    for row in mentions.to_dict("records"):
        by_sent[(row["article_id"], row["sent_id"])].append(row)
    return by_sent


def _sentence_tokens(sentences: pd.DataFrame) -> Any:
    """``(sentence, word spans, tokens, offset of the sentence)`` for each sentence row."""
    for sent in sentences.itertuples(index=False):
        spans = word_spans(sent.text)
        yield sent, spans, [sent.text[a:b] for a, b in spans], int(sent.start)


def _pattern_mention(sent: Any, start: int, end: int, base: int, label: str) -> dict:
    """A mention row found by a pattern (``model`` ``pattern``, ``score`` 1.0)."""
    return {"article_id": sent.article_id, "sent_id": sent.sent_id, "start": start, "end": end,
            "surface": sent.text[start - base:end - base], "label": label, "score": 1.0,
            "model": PATTERN_MODEL}


def _mention_table(rows: list[dict], columns: list[str], like: pd.DataFrame) -> pd.DataFrame:
    """Mention rows as a table in text order (an empty table shaped like ``like``)."""
    table = pd.DataFrame(rows, columns=columns) if rows else like.iloc[0:0].copy()
    return table.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)


def add_pattern_mentions(mentions: pd.DataFrame, sentences: pd.DataFrame,
                         actors: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """The model's mentions plus organisation names found by :func:`org_spans` (``label``
    ORG, ``model`` ``pattern``, ``score`` 1.0), cut by the dictionary ``actors`` (default
    ``data/actors.csv``). A model span inside a pattern span is replaced by it; a model
    person span that runs into the pattern's head noun ends before it; a pattern span that
    otherwise crosses or lies inside a model span is dropped."""
    index = _index_for(actors)[1]
    titles = _title_keys(load_titles())
    by_sent = _mentions_by_sentence(mentions)
    out: list[dict] = []
    for sent, spans, toks, base in _sentence_tokens(sentences):
        rows = by_sent.pop((sent.article_id, sent.sent_id), [])
        for i, j in _org_spans(toks, titles, index):
            start, end = base + spans[i][0], base + spans[j - 1][1]
            person = [r["start"] for r in rows if r["label"] == "PERS" and start < r["start"] < end]
            if person:  # «حكومة إقليم كردستان مسرور بارزاني»: the name is not part of it
                j = max(x for x in range(i, j + 1) if x == i or base + spans[x - 1][1]
                        <= min(person))
                if j - i < 2:
                    continue
                end = base + spans[j - 1][1]
            for r in rows:
                if (r["label"] == "PERS" and r.get("model") != PATTERN_MODEL
                        and r["start"] < start < r["end"] <= end):
                    # a person's name never runs into an organisation's head noun: «أمر آبي
                    # أحمد الجيش الفيدرالي» is «آبي أحمد» and «الجيش الفيدرالي»
                    cut = max(base + b for _, b in spans if base + b <= start)
                    r["end"], r["surface"] = cut, sent.text[r["start"] - base:cut - base]
            if any(r["start"] < end and start < r["end"]
                   and not (start <= r["start"] and r["end"] <= end) for r in rows):
                continue
            if any(r["start"] == start and r["end"] == end and r["label"] == "ORG" for r in rows):
                continue
            rows = [r for r in rows if not (start <= r["start"] and r["end"] <= end)]
            rows.append(_pattern_mention(sent, start, end, base, "ORG"))
        out.extend(rows)
    for rows in by_sent.values():  # mentions of sentences not in the table: kept as they are
        out.extend(rows)
    return _mention_table(out, list(mentions.columns), mentions)


#: prepositions and adverbs that arabnamer's list also holds as names (أمام، خلال ...)
_NOT_NAMES = {match_key(w) for w in ("أمام", "خلال", "بعد", "قبل", "عند", "لدى", "نحو", "حول", "ضد",
                                     "عبر", "أمس", "اليوم", "غدا", "إثر", "منذ", "بين", "دون", "باسم")}


@lru_cache(maxsize=1)
def _name_vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    """(person-name words, frequent words) as match keys, from the bundled NER model's
    resources: the Arabic-script first and last names of arabnamer's dictionary, and the
    words of its word clusters (seen at least three times in the NER training text). Empty
    sets when the model folder is absent."""
    try:
        from .ner_bundled import DEFAULT_MODEL_DIR, RESOURCES_FILE, load_resources

        res = load_resources(DEFAULT_MODEL_DIR / RESOURCES_FILE)
    except (OSError, ValueError, KeyError):
        return frozenset(), frozenset()
    return frozenset(res.names), frozenset(res.clusters)


def _name_word(key: str, titles: dict, names: frozenset[str], keys: Sequence[str], j: int,
               frequent: frozenset[str] = frozenset(), *, first: bool = True) -> bool:
    """Can the word at ``j`` be part of a person's name after a title: no function or stop
    word, place noun, verb or word with a pronoun, no article (unless the word is a known
    name: «الصدر»), no proclitic on a common word («وقال», «برحيل»; «بارزاني» is a name), not
    the start of another title. After the ``first`` word of a name, only known names and
    words too rare to be common words («ديوب»), and no common word with a proclitic («بأن»)."""
    if key in _FUNCTION_K or key in _STOP_K or key in _ALIAS_K or key in _PLACE_K or key in _NOT_NAMES:
        return False
    if not first and key in frequent and (key[:1] in ("و", "ف", "ب", "ل") or key not in names):
        return False  # after the first name word only names and rare words: not «بأن», «سحب»
    if key in names:
        return True
    clitic = key[:1] in ("و", "ف", "ب", "ل") and (key[1:] in frequent or key[1:] in names
                                                  or key[1:].startswith("ال"))
    return not (len(key) < 3 or key.startswith(("ال", "لل")) or clitic
                or _not_a_name_word(key) or _skip_titles(list(keys), j, titles) > j)


def _family_word(key: str) -> bool:
    """A word that may follow a first name as its family name although it is a common word
    («سريع», «الشرع», «الصدر»): no function word, verb, pronoun or nisba adjective
    («السوري»), no proclitic other than the article."""
    bare = key[2:] if key.startswith("ال") else key
    return not (key in _FUNCTION_K or key in _STOP_K or key in _PLACE_K or key in _NOT_NAMES
                or len(bare) < 3 or _not_a_name_word(key) or key.startswith(("و", "ب", "ف", "ل", "لل"))
                or (key.startswith("ال") and key.endswith(("ي", "يه"))))


def person_spans(tokens: Sequence[str], titles: dict | None = None) -> list[tuple[int, int]]:
    """Token spans ``(start, end)`` of persons' names introduced by a title: a title of
    ``data/titles.txt`` (وزير الخارجية، رئيس الوزراء، الأمين العام، المتحدث باسم ...), up to
    three modifiers (its country or body: «المالي», «الإقليم», «للأمم المتحدة», «باسم X», «إلى
    سوريا», an organisation name of :func:`org_spans`: «قائد هيئة تحرير الشام»), then
    one to four name words (:func:`_name_word`). The name is taken when one of its first two
    words is a known first or last name, or a word too rare to be a common word (a foreign
    name: «أنطونيو غوتيريش»), or, for a one-word name, a known name.

    >>> t = "وطالب وزير الخارجية المالي عبد الله ديوب أمام المجلس برحيل البعثة".split()
    >>> [" ".join(t[a:b]) for a, b in person_spans(t)]
    ['عبد الله ديوب']
    >>> person_spans("وأكد الرئيس ضرورة الحوار".split())
    []
    """
    titles = _title_keys(load_titles()) if titles is None else titles
    names, frequent = _name_vocabulary()
    keys = [match_key(t) for t in tokens]
    spans, i = [], 0
    while i < len(keys):
        end = _skip_titles(keys, i, titles) if _is_word(tokens[i]) else i
        if end == i and keys[i].endswith(("ه", "ها", "هم")) and len(keys[i]) > 4:
            bare = keys[i][:-2] if keys[i].endswith(("ها", "هم")) else keys[i][:-1]
            end = i + 1 if _skip_titles([bare], 0, titles) == 1 else i  # زعيمه مقتدى الصدر
        if end == i:
            i += 1
            continue
        j, mods = end, 0
        while j < len(keys) and mods < 3 and _is_word(tokens[j]) and _skip_titles(keys, j, titles) == j:
            if keys[j] in ("باسم", "الي", "لدى", "في") and j + 1 < len(keys) and keys[j + 1] not in names:
                j, mods = j + 1, mods + 1  # المتحدث باسم X، المبعوث إلى سوريا: X is a modifier
                continue
            org = _org_spans(tokens[j:j + 8], titles, None)
            if org and org[0][0] == 0:  # قائد هيئة تحرير الشام أحمد الشرع
                j, mods = j + org[0][1], mods + 1
            elif keys[j] not in names and keys[j].startswith(("ال", "لل")):
                j, mods = j + 1, mods + 1
            else:
                break
        k = j
        while k < len(keys) and k - j < 4 and _is_word(tokens[k]) and _name_word(
                keys[k], titles, names, keys, k, frequent, first=k == j):
            k += 1
        if k == j + 1 and keys[j] in names and k < len(keys) and _is_word(tokens[k]) and (
                _family_word(keys[k])):
            k += 1  # a known first name and a common word as family name: يحيى سريع، أحمد الشرع
        name = keys[j:k]
        boundary = k >= len(keys) or not _is_word(tokens[k]) or keys[k] in _FUNCTION_K | _STOP_K
        if (len(name) >= 2 and any(w in names or w not in frequent for w in name[:2])) or (
                len(name) == 1 and name[0] in names and boundary):
            spans.append((j, k))
            i = k
        else:
            i = end
    return spans


def add_title_persons(mentions: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """The mentions plus the persons' names found after a title by :func:`person_spans`
    (``label`` PERS, ``model`` ``pattern``, ``score`` 1.0) where the model found nothing or
    only part of the name («عبد الله» of «عبد الله ديوب»): a span that overlaps a model
    mention of another type, or one reaching outside it, is dropped (the model wins)."""
    titles = _title_keys(load_titles())
    by_sent = _mentions_by_sentence(mentions)
    added: list[dict] = []
    dropped: list[int] = []
    for sent, spans, toks, base in _sentence_tokens(sentences):
        rows = by_sent.get((sent.article_id, sent.sent_id), [])
        for i, j in person_spans(toks, titles):
            start, end = base + spans[i][0], base + spans[j - 1][1]
            inside = [r for r in rows if r["start"] < end and start < r["end"]]
            if any(not (r["label"] == "PERS" and start <= r["start"] and r["end"] <= end) for r in inside):
                continue  # the model read these words otherwise: its reading wins
            dropped.extend(id(r) for r in inside)  # «عبد الله» inside «عبد الله ديوب»
            added.append(_pattern_mention(sent, start, end, base, "PERS"))
    if not added:
        return mentions
    gone = set(dropped)
    kept = [r for rows in by_sent.values() for r in rows if id(r) not in gone]
    return _mention_table(kept + added, list(mentions.columns), mentions)


def extend_person_nisba(mentions: pd.DataFrame, sentences: pd.DataFrame,
                        actors: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Extend a PERS mention over a nisba written right after it: a family name such as
    «السوداني» in «محمد شياع السوداني» (the Iraqi prime minister), which the model often
    leaves out and the dictionary reads as Sudan. A nisba *before* a name («الرئيس التركي
    رجب طيب أردوغان») is an adjective and is not touched."""
    _, index = _index_for(actors)
    nisba = {a.tokens[0] for aliases in index.by_first.values() for a in aliases
             if a.nisba and len(a.tokens) == 1}
    text_of = {(s.article_id, s.sent_id): (int(s.start), str(s.text))
               for s in sentences.itertuples(index=False)}
    table = mentions.copy()
    for i, m in zip(table.index, table.itertuples(index=False), strict=True):
        if m.label != "PERS" or (m.article_id, m.sent_id) not in text_of:
            continue
        start, text = text_of[(m.article_id, m.sent_id)]
        rest = text[int(m.end) - start:]
        nxt = re.match(r"[ \t]+(\w+)", rest)
        if nxt and match_key(nxt.group(1)) in nisba and len(match_key(str(m.surface)).split()) > 1:
            end = int(m.end) + nxt.end(1)
            table.at[i, "end"] = end
            table.at[i, "surface"] = text[int(m.start) - start:end - start]
    return table


def org_tagger(tagger: Any) -> Any:
    """Wrap an NER tagger so that :func:`org_spans` relabel its output (B-ORG/I-ORG) where a
    pattern covers words that the model left O or tagged inside the span; for measuring the
    patterns on ANERcorp with :func:`helpers.eval_ner.evaluate_tagger`::

        from helpers.datasets import read_anercorp
        from helpers.eval_ner import evaluate_tagger, format_scores, load_tagger
        data = read_anercorp("test")
        plain = load_tagger("bundled")
        result = evaluate_tagger(org_tagger(plain), [w for w, _ in data], [t for _, t in data])
    """

    titles, index = _title_keys(load_titles()), _index_for(None)[1]

    class _Wrapped:
        identity = f"{tagger.identity}+org-patterns"

        def labels(self) -> list[str]:
            return tagger.labels()

        def predict(self, batch: list[list[str]]) -> list[list[tuple[str, float]]]:
            tagged = tagger.predict(batch)
            out = []
            for words_, tags in zip(batch, tagged, strict=True):
                tags = list(tags)
                for i, j in _org_spans(words_, titles, index):
                    labels = [t[0] for t in tags[i:j]]
                    inside_ok = all(lab == "O" or lab.endswith("ORG") or lab.endswith("LOC")
                                    or lab.endswith("MISC") for lab in labels)
                    before = i > 0 and tags[i - 1][0].startswith(("B-", "I-")) \
                        and labels[0].startswith("I-")
                    after = j < len(tags) and tags[j][0].startswith("I-")
                    if inside_ok and not before and not after:
                        tags[i:j] = [("B-ORG", 1.0)] + [("I-ORG", 1.0)] * (j - i - 1)
                out.append(tags)
            return out

    return _Wrapped()


# ----------------------------------------------------------------------------- names


_TRANSLIT = dict(zip(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءةىأإآؤئ",
    ["a", "b", "t", "th", "j", "h", "kh", "d", "dh", "r", "z", "s", "sh", "s", "d", "t", "z",
     "", "gh", "f", "q", "k", "l", "m", "n", "h", "w", "y", "", "a", "a", "a", "a", "a", "w",
     "y"], strict=True))


def transliterate(text: str) -> str:
    """A rough ASCII rendering of an Arabic name for ids and English labels (consonants and
    long vowels; no attempt at short vowels).

    >>> transliterate("حميدتي")
    'hmydty'
    """
    out = "".join(_TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else " ")
                  for ch in text)
    return " ".join(out.split())


def discovered_id(key: str) -> str:
    """Stable id of a discovered actor from its canonical match key: ``d_`` + slug + 4 hex
    digits of its SHA-1 (so two names with the same slug never share an id).

    >>> discovered_id("عبد الفتاح البرهان")
    'd_bd_alftah_albrhan_4003'
    """
    slug = "_".join(transliterate(key).lower().split())[:28].strip("_") or "x"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:4]
    return f"d_{slug}_{digest}"


@dataclass
class _Group:
    kind: str  # person | org
    forms: dict[tuple[str, ...], str] = field(default_factory=dict)  # key tokens -> as written
    count: int = 0
    armed: bool = False

    @property
    def canonical(self) -> tuple[str, ...]:
        return max(self.forms, key=lambda k: (len(k), len("".join(k)), k))


def _strip_first(tokens: list[str], keys: list[str], clitics: tuple[str, ...],
                 keep: set[str]) -> tuple[list[str], list[str]]:
    """Drop a proclitic of ``clitics`` from the first word (stem of 3 letters or more), so
    ids and names never keep one: «والقوات التركية» -> «القوات التركية»; ل + the article,
    written لل, gives the article back: «للجيش السوداني» -> «الجيش السوداني».

    >>> _strip_first(["للجيش", "السوداني"], ["للجيش", "السوداني"], _PREP, set())[1]
    ['الجيش', 'السوداني']
    """
    if not keys:
        return tokens, keys
    first, word = keys[0], tokens[0]
    for cand in clitic_candidates(first)[1:]:
        if first.endswith(cand):
            prefix = first[:len(first) - len(cand)]
            raw = word[len(word) - len(cand):] if len(word) >= len(cand) else cand
        elif cand.startswith("ال") and first.endswith(cand[2:]) \
                and first[:len(first) - len(cand) + 2].endswith("لل"):
            prefix = first[:len(first) - len(cand) + 2]
            stem = len(cand) - 2
            raw = "ال" + (word[len(word) - stem:] if len(word) >= stem else cand[2:])
        else:
            continue
        if prefix and all(ch in clitics for ch in prefix) \
                and len(cand) >= (3 if len(keys) > 1 or keep else 4) \
                and (cand in keep or not keep):  # a lone «وليد» keeps its و
            return [raw, *tokens[1:]], [cand, *keys[1:]]
    return tokens, keys


# Given names too common to stand for one person when written alone.
_COMMON = """محمد أحمد احمد علي عبد الله عبد الرحمن حسن حسين عمر خالد إبراهيم يوسف مصطفى محمود
سالم سعيد صالح عثمان موسى عيسى يحيى إسماعيل جمال كمال فيصل عادل ناصر حمزة طارق""".split()
_COMMON_K = {match_key(w) for w in _COMMON} | {"عبد الله", "عبد الرحمن"}
# Words before a one-word name that make it part of a longer one the model cut.
_NAME_PARTS = {match_key(w) for w in "بني بنو بن ابن أبو ابو أبي عبد آل ذو".split()}
_UNIT_PREFIX = {"عبد", "ابو", "ابي", "ابا", "ابن", "بن", "بنت", "ام", "ال", "آل", "ذو", "ذي"}


def _units(keys: list[str], toks: list[str]) -> tuple[list[str], list[str]]:
    """Name units: «عبد الفتاح», «أبو محمد», «بن فرحان» are one unit each, so «عبد الله»
    is one given name, not a full name.

    >>> _units(["عبد", "الله", "ديوب"], ["عبد", "الله", "ديوب"])[0]
    ['عبد الله', 'ديوب']
    """
    out_k: list[str] = []
    out_t: list[str] = []
    i = 0
    while i < len(keys):
        if keys[i] in _UNIT_PREFIX and i + 1 < len(keys):
            out_k.append(f"{keys[i]} {keys[i + 1]}")
            out_t.append(f"{toks[i]} {toks[i + 1]}")
            i += 2
        else:
            out_k.append(keys[i])
            out_t.append(toks[i])
            i += 1
    return out_k, out_t


def _name_form(surface: str, label: str, titles: dict) -> tuple[list[str], list[str]]:
    toks = [surface[a:b] for a, b in word_spans(surface)]
    toks = [t for t in toks if _is_word(t)]
    keys = [match_key(t) for t in toks]
    start = _skip_titles(keys, 0, titles) if label == "PERS" else 0
    toks, keys = toks[start:], keys[start:]
    if label == "PERS":
        toks, keys = _strip_first(toks, keys, _CONJ, set())
    else:
        toks, keys = _strip_first(toks, keys, _PREP, _HEAD_I | _HEAD_D)
    return toks, keys


def _introduced_alias(text: str, after: int) -> tuple[str, int, int] | None:
    """An alias introduced right after offset ``after`` of ``text``: «المعروف بحميدتي»,
    «الملقب بـ أبي خولة», «(إيغاد)». Returns ``(alias, start, end)`` or None."""
    spans = word_spans(text[after:])
    toks = [text[after + a:after + b] for a, b in spans]
    k = 0
    if k < len(toks) and toks[k] in ("،", ","):
        k += 1
    if k + 1 < len(toks) and match_key(toks[k]) == "في" and _is_word(toks[k + 1]):
        # «بعثة الاتحاد الأفريقي في الصومال (أتميس)»: a place between name and abbreviation
        later = next((x for x in range(k + 1, min(k + 4, len(toks))) if toks[x] == "("), None)
        if later is not None and all(_is_word(t) for t in toks[k + 1:later]):
            k = later
    if k < len(toks) and toks[k] == "(":
        end = next((x for x in range(k + 1, min(k + 5, len(toks))) if toks[x] == ")"), None)
        if end is None or end == k + 1 or not all(_is_word(t) for t in toks[k + 1:end]):
            return None
        a, b = after + spans[k + 1][0], after + spans[end - 1][1]
        return text[a:b], a, b
    if k < len(toks) and match_key(toks[k]) in _ALIAS_K:
        k += 1
        if k < len(toks) and toks[k] in ("ب", "بـ", "باسم"):
            k += 1
            first_start = after + spans[k][0] if k < len(toks) else None
        elif k < len(toks) and toks[k].startswith("ب") and len(toks[k]) > 3:
            first_start = after + spans[k][0] + 1
            if text[first_start] == "ـ":
                first_start += 1
        else:
            return None
        if first_start is None or not _is_word(toks[k]):
            return None
        last = k
        if match_key(text[first_start:after + spans[k][1]]) in _KUNYA and k + 1 < len(toks) \
                and _is_word(toks[k + 1]):
            last = k + 1
        b = after + spans[last][1]
        return text[first_start:b], first_start, b
    return None


# ----------------------------------------------------------------------------- grouping


def _dictionary_keys(index: Any) -> set[tuple[str, ...]]:
    keys = set()
    for aliases in index.by_first.values():
        for alias in aliases:
            keys.add(alias.tokens)
    return keys


def _glued(key: tuple[str, ...], full: set[tuple[str, ...]], singles: set[tuple[str, ...]]
           ) -> bool:
    """Whether the person name ``key`` is two names the corpus also shows apart: a full name
    named on its own elsewhere, then a full name or a one-word name also named on its own
    (or as another person's last name). «دعا مصطفى الكاظمي الصدر إلى»: the model read
    subject and object as one name.

    >>> full = {("مصطفي", "الكاظمي"), ("مقتدي", "الصدر"), ("مصطفي", "الكاظمي", "الصدر")}
    >>> _glued(("مصطفي", "الكاظمي", "الصدر"), full, set())
    True
    >>> _glued(("محمد", "حمدان", "دقلو"), {("محمد", "حمدان", "دقلو"), ("حمدان", "دقلو")}, set())
    False
    """
    lasts = {f[-1] for f in full if f != key}
    for cut in range(2, len(key)):
        head, tail = key[:cut], key[cut:]
        if head in full and (tail in full or len(tail) == 1
                             and (tail in singles or tail[0] in lasts)):
            return True
    return False


def _without_glued_names(persons: list[_Group], singles: set[tuple[str, ...]]) -> list[_Group]:
    """The person candidates less those that are two names glued together (:func:`_glued`);
    resolution reads the two names inside such a span on their own."""
    full = {g.canonical for g in persons}
    return [g for g in persons if not _glued(g.canonical, full, singles)]


def discover_actors(resolved: pd.DataFrame, sentences: pd.DataFrame,
                    actors: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Group the unresolved PERS and ORG mentions of ``resolved`` (over the whole corpus)
    into discovered actors, by the rules of the module docstring. Returns a table in the
    ``data/actors.csv`` format plus ``origin`` (``discovered``), ``scope`` (empty),
    ``mentions`` and ``example`` (the first sentence that names the actor).
    """
    actors, index = _index_for(actors)
    titles = _title_keys(load_titles())
    known = _dictionary_keys(index)
    states = {a.tokens[0]: a.actor_ids[0] for aliases in index.by_first.values()
              for a in aliases if len(a.tokens) == 1 and len(a.actor_ids) == 1
              and index.types.get(a.actor_ids[0]) == "state"}
    text_of = {(s.article_id, s.sent_id): (int(s.start), str(s.text))
               for s in sentences.itertuples(index=False)}
    rest = resolved[resolved["actor_id"].isna() & resolved["label"].isin(["PERS", "ORG"])
                    & (resolved["rule"] != "ambiguous")]
    persons: list[_Group] = []
    orgs: dict[tuple[str, ...], _Group] = {}
    singles: list[tuple[tuple[str, ...], str]] = []
    examples: dict[tuple[str, ...], str] = {}
    pending_alias: list[tuple[tuple[str, ...], str, str]] = []  # (owner key, alias, label)

    for m in rest.itertuples(index=False):
        toks, keys = _name_form(str(m.surface), str(m.label), titles)
        if not keys or tuple(keys) in known or all(len(k) < 2 for k in keys):
            continue
        if not _head_kind(keys[0]) and all(any((c,) in known for c in clitic_candidates(k))
                                           for k in keys):
            continue  # «تركي روسي»: every word is one the dictionary already reads
        lead = _match_at(keys, 0, index) if m.model != PATTERN_MODEL else None
        if lead is not None and not lead.actor_ids:
            continue  # a phrase of data/not_actors.txt: a news agency cited as the source
            # («ونقلت رويترز»، «وكالة الأناضول»), «القوة القاهرة»
        if lead is not None and lead.actor_ids and lead.rule != "nisba" and all(
                index.types.get(a) not in ("state", "place") for a in lead.actor_ids):
            # a model span that starts with a dictionary actor glued to a name: «حفتر أحمد
            # المسماري», «الوفاق الوطني فائز السراج»; the rest is the candidate (rule 1)
            toks, keys = toks[lead.end_tok:], keys[lead.end_tok:]
            if not keys or tuple(keys) in known or all(len(k) < 2 for k in keys):
                continue
        if set(clitic_candidates(keys[0])) & _PLACE_K:
            continue  # «قاعدة سيدي براني», «غربي سرت»: a place, not an actor
        if m.model != PATTERN_MODEL and (
                any(k in _PLACE_K for k in keys[1:-1])
                or any(x.end_tok - x.start_tok > 1 and x.actor_ids and all(
                    index.types.get(a) == "person" for a in x.actor_ids)
                       for x in _scan_keys(keys, index))):
            continue  # a model span over a name and a place or a known person: «الوفاق غربي
            # سرت», «الوفاق الوطني فائز السراج»; the parts are read on their own
        if m.label == "PERS":
            keys, toks = _units(keys, toks)
        key = tuple(keys)
        examples.setdefault(key, text_of.get((m.article_id, m.sent_id), (0, ""))[1])
        if m.label == "PERS":
            if len(keys) == 1:
                start, text = text_of.get((m.article_id, m.sent_id), (0, ""))
                before = text[:max(0, int(m.start) - start)].split()
                if before and match_key(before[-1]) in _NAME_PARTS:
                    continue  # «بني وليد» (a town), «أبو عمار»: a part of a longer name
                if len(keys[0]) >= 3:
                    singles.append((key, toks[0]))
            else:
                persons.append(_Group("person", {key: " ".join(toks)}, 1))
        else:
            if len(keys) == 1 and (_head_kind(keys[0]) or len(keys[0]) < 3):
                continue
            if " ".join(keys) in _GENERIC_BODIES or _head_kind(keys[0]) and all(
                    k in _GENERIC_K for k in keys[1:]):
                continue  # «وزارة الخارجية», «القوات المسلحة»: whose, the text must say
            group = orgs.setdefault(key, _Group("org", {key: " ".join(toks)}))
            group.count += 1
            group.armed = group.armed or keys[0] in _ARMED_K
        start, text = text_of.get((m.article_id, m.sent_id), (0, ""))
        alias = _introduced_alias(text, int(m.end) - start) if text else None
        if alias and match_key(alias[0]) and tuple(match_key(alias[0]).split()) not in known:
            pending_alias.append((key, alias[0], str(m.label)))

    persons = _without_glued_names(persons, {k for k, _ in singles})
    # persons: longest full names first; a shorter one joins a longer one containing it
    merged: list[_Group] = []
    for group in sorted(persons, key=lambda g: (-len(g.canonical), g.canonical)):
        key = group.canonical
        home = next((h for h in merged for f in [h.canonical]
                     if f[-1] == key[-1] and any(f[x:x + len(key)] == key
                                                 for x in range(len(f) - len(key) + 1))), None)
        if home is None:
            merged.append(group)
        else:
            home.forms.update(group.forms)
            home.count += group.count
    # introduced aliases join their owner
    for owner, alias, label in pending_alias:
        akey = tuple(match_key(alias).split())
        if label == "PERS":
            akey = tuple(_units(list(akey), list(akey))[0])
        pool = merged if label == "PERS" else list(orgs.values())
        home = next((g for g in pool if owner in g.forms), None)
        if home is not None and akey not in home.forms:
            home.forms[akey] = alias
        if home is not None and label != "PERS" and orgs.get(akey) not in (None, home):
            other = orgs.pop(akey)  # «إيغاد» named alone elsewhere: the same body
            home.forms.update(other.forms)
            home.count += other.count
        if home is not None and label != "PERS":
            # the model read the abbreviation of an organisation as a name («(إيغاد)» PERS):
            # what the text introduces wins over the model's type
            singles = [(k, t) for k, t in singles if k != akey]
            merged = [g for g in merged if g.canonical != akey]
    # one-word person names: join the single person whose first or last name they are
    by_name: dict[str, list[_Group]] = defaultdict(list)
    for g in merged:
        for f in list(g.forms):
            if len(f) > 1:
                for part in {f[-1]} if f[0] in _COMMON_K else {f[0], f[-1]}:
                    if g not in by_name[part]:
                        by_name[part].append(g)
            else:
                by_name[f[0]].append(g)
    for key, written in singles:
        if key[0] in _COMMON_K:  # «عبد الله» alone is nobody in particular
            continue
        cands = {id(g): g for c in clitic_candidates(key[0]) for g in by_name.get(c, [])}
        if len(cands) == 1:
            home = next(iter(cands.values()))
            stem = next(c for c in clitic_candidates(key[0]) if home in by_name.get(c, []))
            home.forms.setdefault((stem,), written[len(written) - len(stem):]
                                  if len(written) >= len(stem) else stem)
            home.count += 1
        elif not cands:
            stripped_toks, stripped = _strip_first([written], list(key), _CONJ, set())
            group = _Group("person", {tuple(stripped): stripped_toks[0]}, 1)
            merged.append(group)
            by_name[stripped[0]].append(group)
    # organisations: a name with a head noun absorbs the same name without it
    org_groups: list[_Group] = []
    for key in sorted(orgs, key=lambda k: (-len(k), k)):
        group = orgs[key]
        home = next((h for h in org_groups if any(f[1:] == key and _head_kind(f[0])
                                                  for f in h.forms)), None)
        if home is None:
            org_groups.append(group)
        else:
            home.forms.update(group.forms)
            home.count += group.count
            home.armed = home.armed or group.armed

    rows = []
    for group in [*merged, *org_groups]:
        canon = group.canonical
        ckey = " ".join(canon)
        others = [w for k, w in sorted(group.forms.items()) if k != canon]
        surname = ""
        if group.kind == "person" and len(canon) > 1:
            surname = group.forms[canon].split()[-1]
        elif group.kind == "org" and canon[0] in ("الجيش", "الحكومه") and len(canon) == 2:
            surname = group.forms[canon].split()[0]  # «الجيش» alone in the same article
        kind = ("person" if group.kind == "person" else
                "armed_group" if group.armed else "organization")
        # «الجيش السوداني»: a body named with a state's nisba belongs to that state
        country = "" if group.kind == "person" else next(
            (states[c] for k in canon for c in clitic_candidates(k) if c in states), "")
        rows.append({
            "actor_id": discovered_id(ckey), "name_en": transliterate(group.forms[canon]).title(),
            "name_ar": group.forms[canon], "type": kind,
            "aliases_ar": "|".join(dict.fromkeys(others)), "nisba_ar": "",
            "surname_ar": surname, "side": "", "affiliation": "", "metonymy_of": "",
            "ambiguous": False, "description_en": "discovered in the analysed texts",
            "source": "", "scope": country, ORIGIN_COLUMN: DISCOVERED,
            "mentions": group.count,
            "example": next((examples[k] for k in group.forms if k in examples), ""),
        })
    table = pd.DataFrame(rows, columns=[*ACTOR_COLUMNS, ORIGIN_COLUMN, "mentions", "example"])
    return table.drop_duplicates("actor_id").reset_index(drop=True)


def _dictionary_with_origin(actors: pd.DataFrame) -> pd.DataFrame:
    table = actors.copy()
    if ORIGIN_COLUMN not in table.columns:
        table[ORIGIN_COLUMN] = "dictionary"
    if "scope" not in table.columns:
        table["scope"] = ""
    return table


def extend_actors(actors: pd.DataFrame, discovered: pd.DataFrame) -> pd.DataFrame:
    """The dictionary (``origin`` dictionary) followed by the discovered rows (``origin``
    discovered), without the bookkeeping columns ``mentions`` and ``example``. Discovered
    rows are not validated like ``data/actors.csv`` (they have no source URL)."""
    base = _dictionary_with_origin(actors)
    extra = discovered.drop(columns=[c for c in ("mentions", "example")
                                     if c in discovered.columns])
    extra = extra[~extra["actor_id"].isin(set(base["actor_id"]))]
    table = pd.concat([base, extra], ignore_index=True)
    table["ambiguous"] = table["ambiguous"].astype(bool)
    return table.fillna("")


def _trim_patterns(mentions: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame | None:
    """Cut pattern mentions before the first word of a discovered person's name («حكومة
    إقليم كردستان مسرور» -> «حكومة إقليم كردستان»); None when nothing changes."""
    people = found[found["type"] == "person"]
    starts = {match_key(name.split()[0]) for cell in people["name_ar"].tolist()
              + people["aliases_ar"].tolist() for name in str(cell).split("|")
              if len(name.split()) > 1}
    starts -= _COMMON_K
    if not starts:
        return None
    table, changed = mentions.copy(), False
    for i, m in zip(table.index, table.itertuples(index=False), strict=True):
        if m.model != PATTERN_MODEL:
            continue
        spans = word_spans(str(m.surface))
        cut = next((x for x in range(2, len(spans))
                    if match_key(str(m.surface)[spans[x][0]:spans[x][1]]) in starts), None)
        if cut is not None:
            table.at[i, "surface"] = str(m.surface)[:spans[cut - 1][1]]
            table.at[i, "end"] = int(m.start) + spans[cut - 1][1]
            changed = True
    return table if changed else None


def discover_and_resolve(mentions: pd.DataFrame, sentences: pd.DataFrame,
                         actors: pd.DataFrame | str | Path | None = None, *,
                         metonymy: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve ``mentions`` with the dictionary and the actors discovered in the corpus
    (steps 1-4 of the module docstring): ``(resolved, discovered)``.

    ``resolved`` holds ``schema.RESOLVED_MENTIONS`` rows (discovered actors have ids
    ``d_...``); ``discovered`` the rows of the discovered actors that ``resolved`` uses, in
    the actor-table format plus ``origin``, ``mentions`` and ``example``
    (:func:`discover_actors`). :func:`with_discovered` turns them into the actor table of
    the later stages.

    >>> resolved, discovered = discover_and_resolve(mentions, sentences)  # doctest: +SKIP
    >>> discovered[["actor_id", "name_ar"]].head(1)  # doctest: +SKIP
    """
    actors = load_actors(actors) if actors is None or isinstance(actors, (str, Path)) else actors
    with_patterns = extend_person_nisba(
        add_title_persons(add_pattern_mentions(mentions, sentences, actors), sentences), sentences, actors)
    first = resolve_mentions(with_patterns, sentences, actors, metonymy=metonymy)
    found = discover_actors(first, sentences, actors)
    trimmed = _trim_patterns(with_patterns, found)
    if trimmed is not None:  # a pattern ran into a person's name: discover again without it
        with_patterns = trimmed
        first = resolve_mentions(with_patterns, sentences, actors, metonymy=metonymy)
        found = discover_actors(first, sentences, actors)
    if found.empty:
        return first, found
    table = extend_actors(actors, found)
    second = resolve_mentions(with_patterns, sentences, table, metonymy=metonymy)
    used = found[found["actor_id"].isin(set(second["actor_id"]))].reset_index(drop=True)
    return second, used


def with_discovered(actors: pd.DataFrame, resolved: pd.DataFrame,
                    discovered: pd.DataFrame | None = None) -> pd.DataFrame:
    """The actor table for the later stages: the dictionary plus every discovered actor of
    ``resolved``, with an ``origin`` column (dictionary / discovered).

    ``discovered``: the rows :func:`discover_and_resolve` returned (full rows: canonical
    name without titles, aliases, scope). Without them (tables read back from files, the
    partitions of an archive) minimal rows are rebuilt from the ``d_`` ids of ``resolved``:
    the longest surface as name, the model label as type.

    >>> table = with_discovered(load_actors(), pd.DataFrame(columns=["actor_id"]))
    >>> set(table["origin"])
    {'dictionary'}
    """
    found = _rows_from_mentions(resolved) if discovered is None else discovered
    if len(found) == 0:
        return _dictionary_with_origin(actors)
    return extend_actors(actors, found)


def _rows_from_mentions(resolved: pd.DataFrame) -> pd.DataFrame:
    """Minimal discovered rows from the ``d_`` ids of a resolved table: the longest surface
    as name, the model label as type."""
    if "actor_id" not in resolved.columns:
        return pd.DataFrame(columns=[*ACTOR_COLUMNS, ORIGIN_COLUMN])
    ids = resolved["actor_id"].dropna().astype(str)
    rows = []
    for actor, group in resolved.loc[ids[ids.str.startswith("d_")].index].groupby("actor_id"):
        name = max(group["surface"].astype(str), key=lambda x: (len(x.split()), len(x)))
        label = Counter(group["label"]).most_common(1)[0][0]
        rows.append({c: "" for c in ACTOR_COLUMNS} | {
            "actor_id": actor, "name_ar": name, "name_en": transliterate(name).title(),
            "type": "person" if label == "PERS" else "organization", "ambiguous": False,
            "description_en": "discovered in the analysed texts", ORIGIN_COLUMN: DISCOVERED})
    return pd.DataFrame(rows, columns=[*ACTOR_COLUMNS, ORIGIN_COLUMN])


def suggest_actors(analysis_or_tables: Any, path: str | Path | None = None, *,
                   discovered: pd.DataFrame | None = None) -> pd.DataFrame:
    """The discovered actors as rows in the ``data/actors.csv`` format, most mentioned
    first, with ``mentions`` and an ``example`` sentence, for a student to review and pass
    back with ``--actors``. ``analysis_or_tables``: an :class:`helpers.pipeline.Analysis`
    (its actor table with ``origin`` discovered, its resolved mentions and sentences), or a
    resolved-mentions table with the ``discovered`` rows of :func:`discover_and_resolve`
    (without them, its ``d_`` actors are rebuilt as in :func:`with_discovered`). Writes a
    UTF-8 CSV when ``path`` is given.

    The ids lose their ``d_`` prefix (they become the student's own). Review each row: fix
    ``name_en``, check the ``type``, delete rows that are not actors, add a ``source`` URL
    (required by :func:`helpers.actors.load_actors`), then append the rows to a copy of
    ``data/actors.csv`` and re-run with ``--actors my_actors.csv``.
    """
    resolved = getattr(analysis_or_tables, "resolved", analysis_or_tables)
    table = getattr(analysis_or_tables, "actors", None)
    if discovered is not None:
        found = discovered.copy()
    elif table is not None and ORIGIN_COLUMN in table.columns:
        found = table[table[ORIGIN_COLUMN] == DISCOVERED].copy()
    else:
        found = _rows_from_mentions(resolved)
    columns = [*ACTOR_COLUMNS, "mentions", "example"]
    if found.empty:
        out = pd.DataFrame(columns=columns)
    else:
        known = resolved[resolved["actor_id"].isin(set(found["actor_id"]))]
        corpus = getattr(analysis_or_tables, "actor_table", None)
        counts = (Counter(dict(zip(corpus["actor_id"], corpus["mentions"], strict=True)))
                  if corpus is not None and len(corpus)  # the whole corpus (an archive too)
                  else Counter(known["actor_id"]))
        sentences = getattr(analysis_or_tables, "sentences", None)
        if sentences is not None and len(known):
            text = {(s.article_id, s.sent_id): str(s.text)
                    for s in sentences.itertuples(index=False)}
            first = known.drop_duplicates("actor_id")
            examples = {a: text.get((art, sid), "") for a, art, sid in
                        zip(first["actor_id"], first["article_id"], first["sent_id"],
                            strict=True)}
            found["example"] = found["actor_id"].map(examples)
        if "example" not in found.columns:
            found["example"] = ""
        found["mentions"] = found["actor_id"].map(counts).fillna(0).astype(int)
        found["actor_id"] = found["actor_id"].str.replace(r"^d_", "", regex=True)
        found["ambiguous"] = "false"
        out = found.sort_values(["mentions", "actor_id"], ascending=[False, True],
                                kind="stable").reindex(columns=columns).fillna("")
        out = out.reset_index(drop=True)
    if path is not None:
        out.to_csv(path, index=False, encoding="utf-8")
    return out
