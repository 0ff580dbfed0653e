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
# [← 06 Timelines](06_timelines.ipynb) | [Contents](../README.md) | [01 Corpus and cleaning ↺](01_corpus_and_cleaning.ipynb)
#
# # 06 · Your own articles: the whole analysis in one place
#
# Notebooks 01–06 take the analysis apart, one step each. This notebook puts it back
# together for **your** articles: you set one variable, `INPUT`, and every later cell re-runs
# the whole chain — loading and cleaning, sentences, named entities, actors, targeted
# sentiment, stance and time — through one function, `helpers.pipeline.analyze`, the same one
# the command line `python -m helpers analyze` calls. It then shows the text with its
# entities highlighted, the actors, how each actor is portrayed (with the words that produced
# the score), who supports or opposes whom, where the article sits in time, and it writes the
# self-contained HTML report of the command line.

# %% [markdown]
# ## 1. Your input
#
# Put your input in `INPUT` in the next cell; anything below runs unchanged. `INPUT` can be
#
# | what you have | `INPUT = ...` |
# |---|---|
# | a pasted Arabic text (optionally with a `---` front matter block giving `title:`, `date:`, `source:`) | `"""---\ndate: 2020-06-15\n---\nنص الخبر ..."""` |
# | one file: `.txt`, a `.csv` or `.jsonl` export (a `text` column/key), a saved `.html` page | `"../my_articles/article.txt"` |
# | a folder of such files (read recursively, in name order) | `"../my_articles/"` |
# | a list of URLs, one per line, in a `.txt` file (needs network; pages are cached in `.cache/pages/`) | `"../my_urls.txt"` |
# | several of these | `["../my_articles/", "../export.csv"]` |
#
# Paths are relative to this notebook's folder (`notebooks/`), hence the `../`. Without
# network, save the pages from your browser as `.html` files and give the folder instead of
# the URL list. Dates in the front matter (`2020-06-15`, `15 يونيو 2020`, `2020-06`) switch on
# the time section. As committed, `INPUT` is a short article written for this notebook about
# the Berlin Conference on Libya (19 January 2020; facts as in
# https://en.wikipedia.org/wiki/Berlin_Conference_on_Libya); it is not a real news article.

# %%
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from helpers.figures import (setup, save_fig, plot_top_actors, plot_actor_sentiment,
                             plot_stance_network, plot_event_timeline, plot_narrative,
                             plot_attention)
from helpers.discovery import suggest_actors
from helpers.export import staged_output
from helpers.pipeline import analyze
from helpers.report import articles_html, make_figures, write_report
from helpers.timeline import load_events

setup("07_your_own_articles")

SAMPLE = """---
id: sample-berlin-conference
title: مؤتمر برلين يدعو إلى احترام حظر السلاح على ليبيا
date: 2020-01-19
source: نص كتب لهذا الدفتر
---
برلين تجمع الأطراف الدولية حول ليبيا
استضافت المستشارة الألمانية أنغيلا ميركل في برلين يوم الأحد مؤتمرا دوليا حول ليبيا بمشاركة الرئيس الروسي فلاديمير بوتين والرئيس التركي رجب طيب أردوغان والرئيس الفرنسي إيمانويل ماكرون.
وتعهد المشاركون باحترام حظر توريد الأسلحة الذي فرضه مجلس الأمن، ودعوا إلى وقف دائم لإطلاق النار.
وحضر فايز السراج رئيس حكومة الوفاق والمشير خليفة حفتر إلى العاصمة الألمانية، لكنهما لم يجلسا إلى طاولة واحدة.
وقال الأمين العام للأمم المتحدة أنطونيو غوتيريش إن المؤتمر خطوة نحو حل سياسي، فيما رحب المبعوث الأممي غسان سلامة بالاتفاق على تشكيل لجنة عسكرية مشتركة.
وتدعم تركيا حكومة الوفاق عسكريا، بينما تتهم حكومة الوفاق دولة الإمارات بدعم قوات حفتر.
"""

INPUT = SAMPLE  # <- your text, file, folder, CSV/JSONL, saved HTML, or URL list here

# %% [markdown]
# ## 2. Run every stage
#
# One call runs the stages of notebooks 01–06 in order and keeps every table in one object.
# The model profile comes from the environment variable `ARABIC_NEWS_MODELS` (default
# `bundled`, the offline model shipped in the repository); pass `models="camelbert"` to use
# CAMeLBERT when it is in your Hugging Face cache. The first line printed says which models
# produced everything below.

# %%
analysis = analyze(INPUT)
print("NER model:", analysis.profile["ner_model"], "| sentiment:", analysis.profile["sentiment_model"])
pd.Series(analysis.counts(), name="rows")

# %% [markdown]
# Inputs that could not be read (an empty or binary file, a non-Arabic document, a duplicate,
# an unsupported format, a page that could not be downloaded) are skipped, never silently:
# each one is listed here with the reason and what was done. An empty table means every input
# was analysed.

# %%
analysis.load_report

# %% [markdown]
# ## 3. The text with its entities
#
# Each entity is coloured by type (person, place/state, organisation, other); names found by
# the actor dictionary but missed by the model are highlighted too (their label comes from
# the actor's type). The article text is HTML-escaped before the highlights are added, so
# markup inside an article — a `<script>` tag copied from a web page — is shown as text and
# never executed. Under each article: its actors with their mean sentiment, and the stance
# edges found in it.

# %%
display(HTML(articles_html(analysis)))

# %% [markdown]
# ## 4. Actors
#
# Entity spans become actors: `قوات حفتر`, `حفتر` and `المشير خليفة حفتر` are counted for
# the actor ids of `data/actors.csv` (notebook 03). `surfaces` lists the spellings found, so
# you can check each match; an actor of your own conflict that is missing is added to that
# file (or passed as `analyze(INPUT, actors="my_actors.csv")`).

# %%
# NBVAL_CHECK_OUTPUT
analysis.actor_table[["actor_id", "name_en", "name_ar", "mentions", "sentences", "surfaces"]]

# %%
ax = plot_top_actors(analysis.actor_table, analysis.actors)
save_fig("top_actors", ax.figure);

# %% [markdown]
# ## 5. How each actor is portrayed, with the evidence
#
# Targeted sentiment (notebook 04) scores each actor mention in [-1, 1] from the words of its
# clause, not from the whole article, so that «تدعم تركيا حكومة الوفاق» and «تتهم ... دولة الإمارات»
# can give different actors different scores in one sentence. The mean per actor comes with a
# 95% bootstrap interval and `n`: with a single article most actors have one or two mentions,
# so read these numbers as pointers to sentences, not as measurements.

# %%
# NBVAL_CHECK_OUTPUT
analysis.sentiment_summary[["actor_id", "n", "mean", "ci_low", "ci_high", "small_n"]].round(3)

# %%
ax = plot_actor_sentiment(analysis.sentiment_summary, analysis.actors)
save_fig("actor_sentiment", ax.figure);

# %% [markdown]
# The evidence behind the scores: every scored mention of the three most mentioned actors,
# with its clause (the target marked) and the words, with weights, that produced the score.
# A score you disagree with usually shows its reason here.

# %%
top = analysis.actor_table["actor_id"].head(3)
analysis.actor_sentiment.loc[analysis.actor_sentiment["actor_id"].isin(top),
                             ["actor_id", "context", "score", "label", "evidence"]]

# %% [markdown]
# ## 6. Who supports or opposes whom
#
# Stance rules (notebook 05, `data/stance_rules.csv`) read patterns such as «تدعم تركيا
# حكومة الوفاق» as a directed edge *turkey supports gna*. Every edge keeps its trigger word
# and its sentence, so each arrow of the graph can be checked against the text.

# %%
# NBVAL_CHECK_OUTPUT
analysis.stance_edges[["source", "relation", "target", "n", "triggers"]]

# %%
ax = plot_stance_network(analysis.stance, analysis.actors)
save_fig("stance_network", ax.figure);

# %% [markdown]
# ## 7. Time
#
# A dated article is placed on the project's chronology of the Libyan conflict (notebook 06),
# so you see which events it reports on or follows. Inside one article, the narrative timeline
# shows in which sentence each actor appears and how it is portrayed there. Share of
# attention over time needs articles from at least two time bins (days, weeks or months,
# chosen from the density of the dates); with more dated articles the last cell draws it.

# %%
if analysis.dated:
    fig = plot_event_timeline(load_events(), analysis.articles)
    save_fig("event_timeline", fig);
else:
    print("No dated article: add a `date:` line to the front matter to place it in time.")

# %%
first = analysis.articles["article_id"].iloc[0]
fig = plot_narrative(analysis.actor_sentiment, first, actors=analysis.actors,
                     n_sentences=int((analysis.sentences["article_id"] == first).sum()))
save_fig("narrative", fig);

# %%
bins = analysis.attention["bin"].nunique() if analysis.dated else 0
if bins >= 2:
    fig = plot_attention(analysis.attention, actors=analysis.actors)
    save_fig("attention_over_time", fig);
else:
    print(f"{bins} time bin(s) with dated articles: attention over time needs at least two.")

# %% [markdown]
# ## 8. The report of the command line
#
# The same tables and figures as one self-contained HTML file (figures embedded, Arabic right
# to left, every text escaped), written here into `notebooks/my_report/` (open
# `my_report/report.html` in a browser; the folder is not tracked by git); the command line
# writes it to the folder you name:
#
# ```bash
# python -m helpers analyze my_articles/ --out out/     # or: make analyze IN=my_articles/ OUT=out/
# ```
#
# It exits with 0 when every input was analysed, 2 when some were skipped (listed on the
# screen and in the report), 1 on a usage error; `python -m helpers analyze --help` explains
# each option. `staged_output` writes into a temporary folder and moves the files in only
# when everything is written, so a half-written report never replaces a good one.

# %%
OUT = Path("my_report")
with staged_output(OUT) as staging:
    analysis.to_dir(staging / "tables")
    write_report(analysis, staging, figures=make_figures(analysis, staging / "figures"))
tables = sorted(p.stem for p in (OUT / "tables").glob("*.parquet"))
figures = sorted(p.name for p in (OUT / "figures").glob("*.png"))
print(f"{OUT / 'report.html'}; tables/: {len(tables)} tables as CSV and Parquet; "
      f"figures/: {', '.join(figures)}")

# %% [markdown]
# ## 9. Actors the dictionary does not know: discover, review, re-run
#
# The actor dictionary (`data/actors.csv`) knows the Libyan conflict. On news about another
# conflict, the people, organisations and armed groups it does not know are **discovered**:
# the NER spans (and head-noun patterns such as «قوات الدعم السريع») that resolve to no
# dictionary actor become actors with an id `d_…`, a canonical Arabic name and
# `origin = "discovered"`; mentions of one actor are grouped (full name, surname, name with
# rank, an alias the text introduces with «المعروف بـ» or in parentheses). A paragraph written
# for this notebook on the first day of the 2023 war in Sudan shows it:

# %%
# NBVAL_CHECK_OUTPUT
SUDAN = """---
title: معارك في الخرطوم بين الجيش وقوات الدعم السريع
date: 2023-04-15
source: نص كتب لهذا الدفتر
---
اندلعت صباح السبت معارك عنيفة في الخرطوم بين الجيش السوداني وقوات الدعم السريع التي يقودها محمد حمدان دقلو المعروف بحميدتي.
واتهم القائد العام للجيش الفريق أول عبد الفتاح البرهان قوات الدعم السريع بمهاجمة مقر القيادة العامة، وقال البرهان إن الجيش سيحسم التمرد خلال أيام.
في المقابل، رحب حميدتي بالوساطة السعودية، ودعت الهيئة الحكومية للتنمية (إيغاد) الطرفين إلى وقف فوري لإطلاق النار.
"""
sudan = analyze(SUDAN)
sudan.actor_table[["actor_id", "name_ar", "type", "origin", "mentions", "surfaces"]]

# %% [markdown]
# «الجيش السوداني» is not Libya's army: generic words such as الجيش resolve to a country's
# actor only when the text is about that country (the `scope` column of the dictionary).
# The stance edges already use the discovered actors:

# %%
# NBVAL_CHECK_OUTPUT
sudan.stance_edges[["source", "relation", "target", "triggers"]]

# %% [markdown]
# To keep them, `suggest_actors` (or `python -m helpers analyze ... --suggest-actors
# my_actors.csv`) writes the discovered actors as rows of the dictionary's format, with how
# often each was mentioned and an example sentence. Review them in a spreadsheet: correct the
# English name and the type, delete what is not an actor, and give each row a `source` (a URL
# that documents the actor; the loader requires one). Here the review is done in code:

# %%
# NBVAL_CHECK_OUTPUT
suggested = suggest_actors(sudan)
reviewed = suggested.assign(source="https://en.wikipedia.org/wiki/War_in_Sudan_(2023%E2%80%93present)")
reviewed.loc[reviewed["name_ar"].str.contains("البرهان"), "name_en"] = "Abdel Fattah al-Burhan"
reviewed[["actor_id", "name_en", "name_ar", "type", "aliases_ar", "mentions"]]

# %% [markdown]
# Appended to the dictionary (`add_actors`, or a copy of `data/actors.csv` passed with
# `--actors`), the reviewed rows are ordinary dictionary actors on the next run, with the
# names you gave them:

# %%
# NBVAL_CHECK_OUTPUT
from helpers.actors import add_actors, load_actors

my_actors = add_actors(load_actors(), reviewed.drop(columns=["mentions", "example"]))
again = analyze(SUDAN, actors=my_actors)
again.actor_table[["actor_id", "name_en", "origin", "mentions"]]

# %% [markdown]
# **Limits to keep in mind.** The bundled NER model was trained on ANERcorp (news of the early
# 2000s): it misses some names, and a discovered actor can be a bad span (a place phrase, a
# news agency) — that is what the review step is for. The sentiment lexicon does not see
# irony, and most news sentences are neutral. A single article gives anecdotes, not trends: the time plots become meaningful
# with many dated articles.
#
# ## In this notebook
#
# - `analyze(INPUT)` runs every stage (load, clean, sentences, NER, actors, sentiment, stance,
#   time tables) on your input and keeps every table in one `Analysis`.
# - `analysis.load_report` lists what could not be read and what to do about it.
# - `analysis.to_dir(...)` and `write_report(...)` write the tables (CSV, Parquet), figures and a
#   self-contained HTML report, as `python -m helpers analyze` does.
# - Actors the dictionary does not know are discovered and marked; `suggest_actors` turns
#   them into dictionary rows to review and pass back (`--suggest-actors` / `--actors`).
#
# [← 06 Timelines](06_timelines.ipynb) | [Contents](../README.md) | [01 Corpus and cleaning ↺](01_corpus_and_cleaning.ipynb)
