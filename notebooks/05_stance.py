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
# [← 04 Sentiment](04_sentiment.ipynb) | [Contents](../README.md) | [06 Timelines →](06_timelines.ipynb)
#
# # 05 · Stance: who supports or opposes whom
#
# Sentiment (notebook 04) says how an actor is portrayed; stance says what actors do to each
# other. This notebook turns sentences such as «تدعم تركيا حكومة الوفاق» into directed, typed
# edges (source, relation, target) with the words that triggered them, draws them as a
# network, and measures the rules on hand-annotated items. The rules are data
# (`data/stance_rules.csv`), so a student can read them and add the constructions of another
# conflict.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from helpers.figures import setup, save_fig, plot_stance_network
from helpers.paths import DATA_DIR
from helpers.corpus import load_corpus
from helpers.sentences import split_sentences
from helpers.pipeline import tag_and_resolve
from helpers.actors import load_actors
from helpers.stance import extract_stance, stance_edges, load_stance_rules, FORCES_COLLAPSE
from helpers.eval_stance import evaluate_stance, format_report

setup("05_stance")

# %% [markdown]
# ## 1. From the corpus to resolved actor mentions
#
# Stance needs the actors of each sentence, so we start from the resolved mentions of
# notebook 03 (the same two calls as in notebook 04).

# %%
# NBVAL_CHECK_OUTPUT
actors = load_actors()
articles = load_corpus()
sentences = split_sentences(articles)
mentions, resolved, ner_model, actors = tag_and_resolve(sentences, actors=actors, metonymy=True)
print(f"{len(sentences)} sentences, {resolved['actor_id'].notna().sum()} actor mentions "
      f"(NER model {ner_model})")

# %% [markdown]
# ## 2. The rules are data
#
# Each row of `data/stance_rules.csv` names a relation, a trigger (a word or phrase, matched
# through the match key of notebook 01 and with clitics) and where the source and the target
# stand around it; `data/stance_rules.md` documents the columns. A few rows per relation:

# %%
# NBVAL_CHECK_OUTPUT
rules = load_stance_rules()
print(f"{len(rules)} rules:", rules["relation"].value_counts().to_dict())
rules.groupby("relation").head(2)

# %% [markdown]
# ## 3. The stance triples of the seed article
#
# `extract_stance` applies the rules sentence by sentence: active verbs (`باريس تعارض التدخل
# التركي`), passives (`المدعومة من روسيا`), purpose clauses (`لمؤازرة قوات حفتر`), nisba
# pairs (`توافق مصري فرنسي`) and attacks (`لشن هجوم على`). The forces named after Haftar are
# read as Haftar (`collapse=FORCES_COLLAPSE`). Each triple keeps its trigger and sentence,
# so every edge can be checked against the text.

# %%
# NBVAL_CHECK_OUTPUT
stance = extract_stance(resolved, sentences, actors=actors, collapse=FORCES_COLLAPSE)
stance[["source_actor", "relation", "target_actor", "trigger", "sent_id"]]

# %% [markdown]
# `stance_edges` counts the triples per (source, relation, target): the edge weight is the
# number of sentences that state it.

# %%
# NBVAL_CHECK_OUTPUT
edges = stance_edges(stance)
edges

# %%
fig, ax = plt.subplots(figsize=(10, 8))
plot_stance_network(stance, actors, ax=ax, title="Stance network of the seed article")
print(save_fig("stance_network", fig))

# %% [markdown]
# ## 4. How good is it? Evaluation on hand-annotated items
#
# `data/eval/stance.csv` holds sentences written in news style with their gold triples and
# the construction each one uses (`data/eval/STANCE.md` gives the annotation rules). Half of
# the items were used to write and tune the rules; the other half is held out. The same
# report comes from `python -m helpers.eval_stance` (`make eval-sentiment`).

# %%
# NBVAL_CHECK_OUTPUT
print(format_report(evaluate_stance()))

# %% [markdown]
# ## 5. Limits
#
# - **Rules find the constructions they describe.** Precision is high; a paraphrase that no
#   rule covers is missed, so an absent edge is not evidence that no stance was expressed.
# - **One sentence at a time.** A stance spread over two sentences («… قالت أنقرة. وأضافت
#   أنها ستواصل دعمها») needs the pronoun resolved, which the rules do not do.
# - **Who speaks.** Reported speech is attributed to the speaker of the quote; a stance the
#   journalist implies without a trigger word is not read.
#
# ## In this notebook
#
# - `extract_stance(resolved, sentences, actors=...)` turns sentences into typed, directed
#   triples (supports, opposes, cooperates, attacks, ...) with their trigger and sentence.
# - `stance_edges` aggregates them into the weighted edges that the network figure draws.
# - The rules live in `data/stance_rules.csv`; `evaluate_stance` measures them per relation
#   and per construction, on a tuning half and a held-out half.
#
# Next: all of it over time.
#
# [← 04 Sentiment](04_sentiment.ipynb) | [Contents](../README.md) | [06 Timelines →](06_timelines.ipynb)
