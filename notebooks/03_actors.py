# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (arabic-news)
#     language: python
#     name: python3
# ---

# %% [markdown]
# [← 02 Named entities](02_named_entities.ipynb) | [Contents](../README.md) | [04 Sentiment →](04_sentiment.ipynb)
#
# # 03 · From entity spans to actors
#
# Named-entity recognition gives spans such as `خليفة حفتر`, `حفتر`, `لحكومة الوفاق` or `باريس`;
# an analyst needs **actors**: Haftar, the Government of National Accord, France. This
# notebook maps spans to the stable ids of a curated actor dictionary (`data/actors.csv`,
# documented in `data/actors.md`), the approach of conflict-event datasets such as ACLED and
# of the PETRARCH/TABARI event coders. It shows the dictionary, each resolution rule
# (proclitics, titles, nisba adjectives, spelling variants, surnames, metonymy), the result on
# the embedded article with the source of every match, the entities left unresolved, and who
# is named with whom. The last section shows how to add an actor or alias for another
# conflict.

# %%
from difflib import SequenceMatcher

import matplotlib.pyplot as plt
import pandas as pd

from helpers.figures import setup, save_fig, plot_actor_network, plot_top_actors
from helpers.actors import (load_actors, load_titles, add_actors, resolve_name, resolve_mentions,
                            strip_titles, actor_table, unresolved_table,
                            comention_edges)
from helpers.clean import match_key, strip_clitics
from helpers.corpus import load_corpus
from helpers.sentences import split_sentences

setup("03_actors")

# %% [markdown]
# ## 1. The actor dictionary
#
# Why a dictionary rather than fuzzy matching: string similarity does not know Arabic
# morphology. `difflib` rates the surname against the full name lower than two unrelated
# places that share letters:

# %%
# NBVAL_CHECK_OUTPUT
pairs = [("حفتر", "خليفة حفتر"), ("مصراتة", "مصر"), ("تركي الفيصل", "تركيا")]
pd.DataFrame([(a, b, round(SequenceMatcher(None, a, b).ratio(), 2)) for a, b in pairs],
             columns=["span", "name", "difflib ratio"])

# %% [markdown]
# Each row of the dictionary is one actor with a stable English id, its Arabic name, its
# type, `|`-separated aliases and nisba adjectives, the short name used after a first full
# mention, its side or affiliation where that is a fact, and a source URL. `load_actors()`
# validates the file: unique ids, a source on every row, no alias claimed by two actors
# unless both are marked ambiguous.

# %%
actors = load_actors()
actors[["actor_id", "name_en", "name_ar", "type", "aliases_ar", "nisba_ar", "side", "metonymy_of"]].head(8)

# %%
# NBVAL_CHECK_OUTPUT
print(f"{len(actors)} actors, {len(load_titles())} titles in data/titles.txt")
actors["type"].value_counts().rename_axis("type").to_frame("actors")

# %% [markdown]
# ## 2. The resolution rules, one name at a time
#
# Every comparison uses the match key of notebook 01 (`match_key`: no diacritics, one alef,
# taa marbuta as haa, alef maqsura as yaa), word by word. On top of the key, proclitics
# (و ف ب ل ك ال لل) are removed from the first word; the candidates are tried from least to
# most stripped:

# %%
# NBVAL_CHECK_OUTPUT
for word in ["وبالحكومة", "للجيش", "والتركي"]:
    print(word, "->", strip_clitics(word))

# %% [markdown]
# Titles come from the data list `data/titles.txt`, longest first, so that `اللواء المتقاعد`
# goes as a whole:

# %%
# NBVAL_CHECK_OUTPUT
for span in ["اللواء المتقاعد خليفة حفتر", "وزير الخارجية التركي مولود جاويش أوغلو"]:
    print(span, "->", strip_titles(span))

# %% [markdown]
# `resolve_name` applies the rules to one span and says which rule decided. The label matters
# only when a span merely *contains* an alias: a person span is resolved to a person, not to
# the state adjective inside it. The last rows are the traps: a Saudi prince whose first name
# means "Turkish", a city whose name starts with the word for Egypt, and the Libyan people.

# %%
# NBVAL_CHECK_OUTPUT
examples = [
    ("خليفة حفتر", "PERS"), ("لحكومة الوفاق", "ORG"), ("حكومة السراج", "ORG"),
    ("قوات حفتر", "ORG"), ("المشير خليفة حفتر", "PERS"), ("التركية", "LOC"),
    ("اللبي", "LOC"), ("اردوغان", "PERS"), ("سياله", "PERS"),
    ("وزير الخارجية التركي مولود جاويش أوغلو", "PERS"), ("السفير الأمريكي ريتشارد نورلاند", "PERS"),
    ("باريس", "LOC"), ("تركي الفيصل", "PERS"), ("مصراتة", "LOC"), ("الليبيين", "MISC"),
]
pd.DataFrame([(s, label, match_key(s), *resolve_name(s, label, actors)) for s, label in examples],
             columns=["span", "label", "match key", "actor_id", "rule"])

# %% [markdown]
# Metonymy is an explicit option: with `metonymy=True` a capital stands for its state
# (`باريس` → France); without it, the place reading is kept. Tripoli is deliberately not a
# metonym: `طرابلس` is the GNA's seat in one sentence and the city under attack in the next.

# %%
# NBVAL_CHECK_OUTPUT
pd.DataFrame([(s, *resolve_name(s, actors=actors), *resolve_name(s, actors=actors, metonymy=True))
              for s in ["باريس", "وموسكو", "أنقرة", "طرابلس"]],
             columns=["span", "actor (off)", "rule (off)", "actor (on)", "rule (on)"])

# %% [markdown]
# ## 3. Resolution on the embedded article
#
# We load the embedded corpus and split it into sentences as in notebook 01.

# %%
articles = load_corpus()
sentences = split_sentences(articles)
print(f"{len(articles)} article(s), {len(sentences)} sentences")

# %% [markdown]
# The entity spans come from the NER model of notebook 02 (the profile chosen by
# `ARABIC_NEWS_MODELS`, bundled by default). The dictionary then scans the same sentences for
# the actors the model missed (nisba adjectives, `حكومة السراج`, the typo `اللبي`).

# %%
from helpers.ner import run_ner

mentions = run_ner(sentences)
print("NER model:", ", ".join(mentions["model"].unique()), f"- {len(mentions)} entity spans")

# %% [markdown]
# `resolve_mentions` resolves every model span, scans every sentence for aliases (longest
# alias first, whole words only), merges a model span and a dictionary match of the same actor
# into one row (`origin` = `both`), applies the surname fallback inside each article and,
# here, metonymy. The table reads left to right: the surface in the text, its match key, the
# actor, where the mention came from and which rule resolved it.

# %%
# NBVAL_CHECK_OUTPUT
resolved = resolve_mentions(mentions, sentences, actors, metonymy=True)
names = actors.set_index("actor_id")["name_en"]
steps = resolved.assign(name_en=resolved["actor_id"].map(names))
with pd.option_context("display.max_rows", 200):
    display(steps[["sent_id", "surface", "match_key", "actor_id", "name_en", "origin", "rule", "label"]])

# %% [markdown]
# Where the mentions came from, and which rules did the work:

# %%
# NBVAL_CHECK_OUTPUT
print(resolved["origin"].value_counts().to_string())
resolved["rule"].value_counts().rename_axis("rule").to_frame("mentions")

# %% [markdown]
# The six spans that contain `حفتر` show the documented rule for forces named after a person:
# `قوات حفتر` (also with a title inside) is the Libyan National Army, the bare name is Haftar.

# %%
# NBVAL_CHECK_OUTPUT
resolved.loc[resolved["surface"].str.contains("حفتر"), ["surface", "actor_id", "rule"]]

# %% [markdown]
# ## 4. What stayed unresolved
#
# Unresolved spans are kept with their match key, never dropped: this list is where to look
# for a missing actor or alias. Rule `ambiguous` marks a key shared by several actors that
# nothing in the article decided.

# %%
# NBVAL_CHECK_OUTPUT
unresolved = unresolved_table(resolved)
print(f"{len(unresolved)} unresolved key(s), {int(unresolved['mentions'].sum()) if len(unresolved) else 0} mention(s)")
unresolved

# %% [markdown]
# Typical entries: a generic noun tagged as an entity (`الميليشيات`), a headline such as
# `تعاون تركي روسي` read as a person's name (the two adjectives inside still count for Turkey
# and Russia as dictionary rows), a span that runs past the name (`الوفاق غربي سرت`: the model pulled the
# place after the government's name into it; the dictionary still finds `حكومة الوفاق` there),
# and a news agency (`رويترز`) that reports on the conflict without being an actor in it (news
# agencies are listed in `data/not_actors.txt`, so they never become discovered actors and
# `وكالة الأنباء الفرنسية` is not France). Add a row to `data/actors.csv` for anything here that
# matters to your question.

# %% [markdown]
# ## 5. The actor table
#
# One row per actor and article: mentions, distinct sentences, the first sentence and
# character offset where the actor appears, and the spellings seen. The corpus table adds up
# the articles.

# %%
# NBVAL_CHECK_OUTPUT
table = actor_table(resolved, actors=actors)
table[["actor_id", "name_ar", "type", "mentions", "sentences", "first_sent", "first_start", "surfaces"]]

# %%
actor_table(resolved, by_article=False, actors=actors).head(10)

# %% [markdown]
# ## 6. Who is named with whom
#
# Two actors are linked when they are named in the same sentence; the edge weight is the
# number of such sentences. Co-mention is not alliance: notebook 05 reads the verbs.

# %%
# NBVAL_CHECK_OUTPUT
edges = comention_edges(resolved)
edges.head(12)

# %%
fig, ax = plt.subplots(figsize=(12, 9))
plot_actor_network(edges, actors, ax=ax)
print(save_fig("network", fig))

# %% [markdown]
# The GNA, Libya and the LNA sit in the middle: the article is about the fight between the two
# Libyan camps over Sirte. Turkey and Russia each link to both camps; France and Egypt sit in
# the Cairo statement with Haftar; the Italian ambassador and the GNA foreign minister meet
# in the closing sentence on demining cooperation.

# %%
fig, ax = plt.subplots(figsize=(8, 6))
plot_top_actors(table, actors, n=15, ax=ax)
print(save_fig("top_actors", fig))

# %% [markdown]
# Libya, Turkey and Russia lead because nisba adjectives count (`الملف الليبي`, `التدخل التركي`,
# `الرئيسين الروسي والتركي`): drop rows with `rule == "nisba"` to count only names.

# %% [markdown]
# ## 7. Adding an actor or an alias for another conflict
#
# The dictionary is data, not code. For good, add a row to `data/actors.csv` (see
# `data/actors.md` for the columns). For one analysis, pass extra rows to `add_actors`: rows
# with a known id add aliases, rows with a new id add actors, and the result is validated like
# the file.

# %%
# NBVAL_CHECK_OUTPUT
extended = add_actors(actors, [
    {"actor_id": "gna", "aliases_ar": "حكومة طرابلس"},
    {"actor_id": "houthis", "name_en": "Houthis", "name_ar": "الحوثيون", "type": "armed_group",
     "aliases_ar": "الحوثيين|جماعة الحوثي|أنصار الله", "source": "https://en.wikipedia.org/wiki/Houthis"},
])
demo = pd.DataFrame({"article_id": ["demo"], "sent_id": [0], "start": [0],
                     "text": ["اتهمت حكومة طرابلس والحوثيين بخرق الهدنة."]})
demo["end"] = demo["text"].str.len()
resolve_mentions(None, demo, extended)[["surface", "actor_id", "rule"]]

# %% [markdown]
# A conflicting alias is refused with the rows named, e.g. giving `خليفة حفتر` to Sarraj raises
# `ActorDictionaryError: alias 'خليفه حفتر' is claimed by ...`.
#
# ## In this notebook
#
# - `load_actors()` reads the actor dictionary (`data/actors.csv`): stable English ids, Arabic
#   names, aliases, nisba adjectives, types and sides; `add_actors` extends it for one run.
# - `resolve_mentions(mentions, sentences, actors)` maps entity spans and dictionary matches to
#   actor ids through documented rules (clitics, titles, nisba, surname, metonymy) and keeps
#   the rule and the unresolved spans.
# - `actor_table` and `comention_edges` count actors per article and who is named with whom.
#
# Next: how each actor is portrayed (notebook 04) and who backs whom (notebook 05).
#
# [← 02 Named entities](02_named_entities.ipynb) | [Contents](../README.md) | [04 Sentiment →](04_sentiment.ipynb)
