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
# [← 05 Stance](05_stance.ipynb) | [Contents](../README.md) | [07 Your own articles →](07_your_own_articles.ipynb)
#
# # 05 · Timelines
#
# One article is not a time series. This notebook gives the collection a **dated corpus**:
# the seed article plus the project's own chronology of the Libyan conflict, 94 short Arabic
# news briefs from April 2019 to December 2021, each with its date, the actors it names, an
# event type and its sources (`data/chronology/`, described in its README). Both are read by
# the same loader and go through the same stages as in notebooks 01–05 — sentences, NER,
# actors, targeted sentiment — and then through the time helpers of `helpers.timeline`: time
# bins, **share of attention** per actor (as GDELT and Media Cloud normalise it), **sentiment
# over time with bootstrap intervals and n**, a **change flag**, an **event timeline** in the
# style of ACLED dashboards and a **within-article narrative timeline**. The last section
# shows how your own dated articles join the same plots.

# %%
from helpers.figures import (setup, save_fig, plot_attention, plot_sentiment_over_time,
                             plot_event_timeline, plot_narrative)
setup("06_timelines")

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers import timeline as tl
from helpers.actors import load_actors, resolve_mentions
from helpers.corpus import load_corpus
from helpers.models import load_ner, resolve_profile
from helpers.ner import run_ner
from helpers.paths import CORPUS_DIR
from helpers.sentences import split_sentences
from helpers.sentiment import score_mentions

# %% [markdown]
# ## 1. A dated corpus: the seed article and the chronology
#
# `load_corpus` takes a list of sources. The chronology is a JSON Lines file whose lines
# carry `kind: "chronology"`, so it arrives as 94 dated documents beside the seed article
# (kind `article`); its extra fields (English gloss, actors, event type, sources) are kept in
# the `extra` column. Five entries are known only to the month (`date_precision == "month"`).

# %%
# NBVAL_CHECK_OUTPUT
from helpers.corpus import get_load_report

articles = load_corpus([CORPUS_DIR, tl.CHRONOLOGY_PATH])
print(f"{len(articles)} documents; problems while loading: {len(get_load_report(articles))}")
print(f"dates from {articles['date'].min():%Y-%m-%d} to {articles['date'].max():%Y-%m-%d}")
pd.crosstab(articles["kind"], articles["date_precision"])

# %% [markdown]
# The same file read as an **events table** (`load_events`) keeps the fields the corpus
# view tucks away: the actors each brief names, its event type, its sources and whether it
# is one of the 14 milestones labelled in the event timeline.

# %%
# NBVAL_CHECK_OUTPUT
events = tl.load_events()
events.loc[events["milestone"], ["date", "title", "event_type", "actors"]].assign(
    date=lambda d: d["date"].dt.strftime("%Y-%m-%d"), actors=lambda d: d["actors"].str.join(", "))

# %% [markdown]
# ## 2. The stages of notebooks 01–05, unchanged
#
# Nothing in the pipeline knows that these documents are chronology briefs: sentences, NER
# (the profile and model are printed), actor resolution with metonymy (`أنقرة` → Turkey) and
# targeted sentiment run exactly as on the seed.

# %%
# NBVAL_CHECK_OUTPUT
profile = resolve_profile()
print(f"NER profile: {profile}; model: {load_ner(profile).identity}")
sentences = split_sentences(articles)
mentions = run_ner(sentences, profile)
resolved = resolve_mentions(mentions, sentences, metonymy=True)
scored = score_mentions(resolved, sentences)
print(f"{len(sentences)} sentences, {len(mentions)} entity mentions, "
      f"{resolved['actor_id'].notna().sum()} resolved actor mentions, {len(scored)} scored")

# %% [markdown]
# Each brief lists the actors it names, so the chronology doubles as a small check of the
# pipeline: how many of the listed actors does it find in each brief?

# %%
# NBVAL_CHECK_OUTPUT
found = resolved.dropna(subset=["actor_id"]).groupby("article_id")["actor_id"].agg(set)
listed = events.set_index("id")["actors"].apply(set)
hits = sum(len(want & found.get(i, set())) for i, want in listed.items())
total = int(listed.apply(len).sum())
print(f"actors listed in the chronology and found by the pipeline: {hits} of {total} "
      f"({hits / total:.1%})")

# %% [markdown]
# ## 3. Time bins
#
# `bin_documents` puts every dated document into a day, week or month bin. With
# `freq="auto"`, `choose_freq` takes the finest bin size that holds on average at least
# three documents per bin over the covered span, and months whenever more than a fifth of
# the documents are dated only to the month. Here the documents are far fewer than three a
# week, so the choice is months.
#
# Documents without a date are counted and left out, with a note. A document known
# only to the month is **never put on the 1st without saying so**: it counts in month bins,
# and day or week bins leave it out and say how many they left out — as the weekly binning
# below shows.

# %%
# NBVAL_CHECK_OUTPUT
dated = articles["date"].dropna()
days = (dated.max() - dated.min()).days + 1
print(f"{len(dated)} dated documents over {days} days: {len(dated) / days * 7:.2f} per week, "
      f"{len(dated) / days * 30.44:.1f} per month")
print("automatic choice:", tl.choose_freq(articles["date"], articles["date_precision"]))
weekly, weekly_binning = tl.bin_documents(articles, "W")
monthly, monthly_binning = tl.bin_documents(articles, "M")
print("weeks: ", weekly_binning.note)
print("months:", monthly_binning.note)

# %% [markdown]
# ## 4. Share of attention
#
# A raw count of mentions rises in every month with more documents. Like GDELT and Media
# Cloud, the helper normalises: an actor's **share** in a bin is its mentions divided by all
# resolved actor mentions in that bin, so shares of a bin add up to one. The table keeps
# `n_mentions` (the denominator) and `n_docs` beside every share, so a share of 0.5 out of
# four mentions is not mistaken for a trend. June 2020, the month of the seed article:

# %%
# NBVAL_CHECK_OUTPUT
attention = tl.attention_share(resolved, articles, "M")
june = attention[attention["bin"] == "2020-06-01"].nlargest(8, "mentions")
june.assign(share=june["share"].round(3), bin=june["bin"].dt.strftime("%Y-%m"))

# %% [markdown]
# **Change flag.** For each actor and month, `change_flags` compares the share with the
# actor's previous four months that had any actor mentions: it flags the month when the
# share is at least **two standard deviations** away from their mean (|z| ≥ 2) **and** at
# least **5 percentage points** away, in a month with at least **10** actor mentions. The
# two conditions guard each other: a flat series makes tiny wobbles look like large z, and a
# noisy one makes large jumps look ordinary. The figure plots the six actors with most
# mentions (places and Libya itself left out), monthly share as thin lines, a three-month
# centred mean as thick lines, flags as triangles, and the chronology's milestones as dotted
# lines.

# %%
actors = load_actors()
places = set(actors.loc[actors["type"] == "place", "actor_id"])
top = tl.top_actors(attention, 6, exclude=places | {"libya"})
flags = tl.change_flags(attention, k=4, z_threshold=2.0, min_change=0.05, min_n=10)
fig = plot_attention(attention, top, window=3, flags=flags, events=events, actors=actors,
                        title="Share of attention over time (monthly, seed + chronology)")
print(save_fig("attention", fig))

# %%
# NBVAL_CHECK_OUTPUT
flagged = flags[flags["flag"] & flags["actor_id"].isin(top)]
flagged.assign(bin=flagged["bin"].dt.strftime("%Y-%m"))[
    ["bin", "actor_id", "share", "baseline", "change", "n_mentions", "direction"]].round(3)

# %% [markdown]
# ## 5. Sentiment toward actors over time
#
# A monthly mean of targeted sentiment scores hides how many scores it rests on. The helper
# returns, for every actor and month, the mean, a **95 % bootstrap interval** (1,000
# resamples of that month's scored mentions, seeded so that a rerun gives the same numbers)
# and **n**; the plot writes n above every point and draws points with fewer than three
# mentions hollow. First, what the scores look like by kind of document: the chronology
# briefs are written in a neutral register, the seed article is commentary, which lifts
# the means of June 2020.

# %%
# NBVAL_CHECK_OUTPUT
kinds = scored.merge(articles[["article_id", "kind"]], on="article_id")
summary = pd.crosstab(kinds["kind"], kinds["label"], normalize="index").round(2)
summary.assign(mean_score=kinds.groupby("kind")["score"].mean().round(2),
               n=kinds["kind"].value_counts())

# %%
# NBVAL_CHECK_OUTPUT
over_time = tl.sentiment_over_time(scored, articles, "M", n_boot=1000, seed=0)
chosen = ["gna", "lna", "turkey"]
busiest = over_time[over_time["actor_id"].isin(chosen)].nlargest(6, "n")
busiest.assign(bin=busiest["bin"].dt.strftime("%Y-%m")).round(3)

# %%
fig = plot_sentiment_over_time(over_time, chosen, min_n=3, actors=actors)
print(save_fig("sentiment", fig))

# %% [markdown]
# ## 6. The event timeline
#
# Events sit in lanes by event type; the 14 milestones carry their titles. The five
# month-precision entries are drawn as **bars spanning their month**, not as points on the
# 1st. The corpus articles have their own lane (stars): the seed article of 15 June 2020 sits
# ten days after Tarhuna fell and five days before Sisi's Sirte–Jufra speech.

# %%
fig = plot_event_timeline(events, articles[articles["kind"] == "article"])
print(save_fig("events", fig))

# %%
# NBVAL_CHECK_OUTPUT
checks = events[events["milestone"]].assign(lane=lambda d: d["event_type"].map(tl.event_lane))
checks.assign(date=checks["date"].dt.strftime("%Y-%m-%d"))[["date", "lane", "title"]]

# %% [markdown]
# ## 7. A narrative timeline within one article
#
# Inside one article, time runs with the sentences. The narrative timeline puts sentence
# order on x and actors on y (first mentioned at the top); the colour of each marker is the
# mean targeted sentiment of that actor's mentions in that sentence, its size the number of
# mentions. In the seed article, Egypt and France open the story with a positive stance on a
# ceasefire, Turkey and Russia fill the middle, and the fighting around Sirte and the LNA
# darken its second half.

# %%
seed_id = articles.loc[articles["kind"] == "article", "article_id"].iloc[0]
n_sent = int((sentences["article_id"] == seed_id).sum())
fig = plot_narrative(scored, seed_id, n_sentences=n_sent, actors=actors,
                        title=f"Narrative timeline of the seed article ({seed_id})")
print(save_fig("narrative", fig))

# %% [markdown]
# ## 8. Your own dated articles on the same plots
#
# Add a file with a `date:` line in its header (or a CSV/JSONL with a `date` column) to the
# sources of `load_corpus` and rerun the cells; nothing else changes. Below, a **made-up**
# two-sentence article dated 22 June 2020 (written for this demonstration, not a real
# report) joins the corpus from a temporary file, and an undated pasted text shows the note
# for documents without a date.

# %%
own_article = '''---
id: my_article_2020-06-22
title: مثال: ردود على تصريحات السيسي
date: 2020-06-22
source: example (made up)
---
رفضت حكومة الوفاق الوطني تصريحات الرئيس عبد الفتاح السيسي حول سرت والجفرة واعتبرتها تهديدا.
ورحب مجلس النواب بموقف مصر، فيما دعت تركيا إلى وقف التصعيد.
'''
undated = "خبر بلا تاريخ: التقى المشير خليفة حفتر وفدا روسيا في بنغازي لبحث الوضع العسكري."
mine = load_corpus([CORPUS_DIR, tl.CHRONOLOGY_PATH, own_article, undated])
mine[["article_id", "kind", "date", "date_precision"]].tail(3)

# %%
# NBVAL_CHECK_OUTPUT
sentences2 = split_sentences(mine)
resolved2 = resolve_mentions(run_ner(sentences2, profile), sentences2, metonymy=True)
attention2 = tl.attention_share(resolved2, mine, "M")
named = ["gna", "sisi", "egypt", "hor", "turkey"]  # the actors the new article names
before = attention[attention["bin"] == "2020-06-01"].set_index("actor_id")
after = attention2[attention2["bin"] == "2020-06-01"].set_index("actor_id")
pd.DataFrame({"mentions before": before["mentions"], "mentions after": after["mentions"],
              "share before": before["share"], "share after": after["share"]}
             ).reindex(named).fillna(0).round(3)

# %%
fig = plot_event_timeline(events, mine[mine["kind"] == "article"],
                             title="Chronology with the seed and your own dated article")
print(save_fig("own_articles", fig))

# %% [markdown]
# The June 2020 counts now include the new article's mentions (its actors gain mentions
# and share; everyone else's share shrinks a little, since shares add up to one), the event timeline has a second star on 22 June, and the undated
# text is counted and left out with a note. The same tables feed `make analyze` on your own
# folder (notebook 07).
#
# **Reading these figures.** Shares are relative: a rise for one actor is a fall for
# others. A chronology is a selection of events, not a sample of news, so its attention
# curves show what the chronicler recorded; swap in a dated news corpus for coverage
# analysis. Intervals with n below three are anecdotes.
#
# ## In this notebook
#
# - `attention_share` and `sentiment_over_time` turn dated mentions into per-bin tables (share
#   of attention; mean sentiment with a bootstrap interval and n); `choose_freq` picks the bin.
# - `change_flags` marks months where an actor's share jumps against its recent past.
# - The chronology (`load_events`) gives the events that the figures mark; the narrative
#   timeline follows actors sentence by sentence inside one article.
#
# Next: the whole analysis on your own articles, in one call.
#
# [← 05 Stance](05_stance.ipynb) | [Contents](../README.md) | [07 Your own articles →](07_your_own_articles.ipynb)
