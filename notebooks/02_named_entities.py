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
# [← 01 Corpus and cleaning](01_corpus_and_cleaning.ipynb) | [Contents](../README.md) | [03 Actors →](03_actors.ipynb)
#
# # 02 · Named entities: who and what the article mentions
#
# Named-entity recognition (NER) marks the spans of text that name a **person** (PERS), a
# **place** (LOC), an **organisation** (ORG) or something else with a name (MISC: events,
# agreements, nationalities used as names). Everything later in the collection — actors,
# sentiment toward them, who backs whom — starts from these spans. This notebook runs NER on
# the embedded corpus with one function, `helpers.ner.run_ner`, shows the entities in the
# text, and explains what happens inside a transformer tagger such as CAMeLBERT: sub-words,
# first-sub-token labelling and the 512-token limit. Two interchangeable model profiles do
# the work: the **bundled** offline model (default) and **CAMeLBERT** from the Hugging Face hub.

# %%
from helpers.figures import setup, save_fig
setup("02_named_entities")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch
from IPython.display import HTML, display

from helpers.corpus import load_corpus
from helpers.paths import CORPUS_DIR
from helpers.colors import ENTITY_COLORS
from helpers.sentences import split_sentences
from helpers import ner, teaching
from helpers.models import load_ner, resolve_profile
from helpers.report import highlight_html
from helpers.tokens import words

# %% [markdown]
# ## 1. The corpus, sentence by sentence
#
# NER models read one sentence at a time (a transformer has a length limit, and a sentence is
# the context its training data had), so we load the embedded corpus and split it into
# sentences exactly as notebook 01 does. Every sentence keeps its `start` offset in the
# article, which lets us turn positions inside a sentence back into positions in the article.

# %%
articles = load_corpus(CORPUS_DIR)
sentences = split_sentences(articles)
print(f"{len(articles)} article(s), {len(sentences)} sentences, "
      f"{sum(len(words(t)) for t in sentences.text)} words")

# %% [markdown]
# ## 2. Choose the model profile
#
# `load_ner()` reads the profile from the environment variable `ARABIC_NEWS_MODELS`
# (`bundled` by default, `fast` = the bundled CRF without its encoder, `camelbert`, or
# `auto` = CAMeLBERT when it can be loaded, else bundled). Set it *before* starting Jupyter (`ARABIC_NEWS_MODELS=camelbert make run`) so that
# every notebook uses the same models; the identity printed here is also written in the
# `model` column of every row.

# %%
# NBVAL_CHECK_OUTPUT
profile = resolve_profile()
tagger = load_ner(profile)
print(f"profile: {profile}")
print(f"model:   {tagger.identity}")

# %% [markdown]
# ## 3. Run NER: the `mentions` table
#
# `run_ner` splits each sentence into words (`helpers.tokens`), asks the tagger for one BIO
# label per word (`B-PERS` begins a person's name, `I-PERS` continues it, `O` is outside any
# entity), joins the words of each entity into a span, and writes one row per entity. `start`
# and `end` are offsets into the article's cleaned `text`; `score` is the mean of the
# model's probabilities for the entity's words. The result is cached in `.cache/ner/`, keyed
# by the sentences, the model identity and the helpers version: a re-run is instant, and a
# different model never gets stale rows.

# %%
# NBVAL_CHECK_OUTPUT
mentions = ner.run_ner(sentences, tagger=tagger)
print(f"{len(mentions)} entity mentions")
mentions[["sent_id", "start", "end", "surface", "label", "score"]].round(3).head(15)

# %% [markdown]
# Later notebooks rely on the offsets, so we check the contract: every span is exactly the
# article text between its offsets, and spans never cut a word.

# %%
# NBVAL_CHECK_OUTPUT
text_of = dict(zip(articles.article_id, articles.text))
assert all(text_of[r.article_id][r.start:r.end] == r.surface for r in mentions.itertuples())
print(f"all {len(mentions)} mentions satisfy text[start:end] == surface")

# %% [markdown]
# ## 4. The article with its entities
#
# Reading the entities in place is the quickest way to judge a tagger. The article text is
# HTML-escaped, laid out right to left, and each entity is coloured by type (hover for the
# score).

# %%
article = articles.iloc[0]
display(HTML(highlight_html(article.text, mentions[mentions.article_id == article.article_id])))

# %% [markdown]
# ## 5. How many entities of each type, and which
#
# Counts by type show what kind of text this is (a diplomatic report is dense in places and
# people); the most frequent names show what the later notebooks will have to resolve into
# actors. Note what NER does not mark at all: a country named by its adjective (`التركي`,
# "the Turkish [president]") is not an entity in ANERcorp's guidelines, yet it names an actor.

# %%
# NBVAL_CHECK_OUTPUT
counts = mentions.label.value_counts().reindex(list(ner.ENTITY_TYPES), fill_value=0)
top = mentions.groupby(["surface", "label"]).size().rename("n").reset_index()
top = top.sort_values(["n", "surface"], ascending=[False, True]).head(12)
print(counts.to_string())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [1, 1.6]})
ax1.bar(counts.index, counts.values, color=[ENTITY_COLORS[t] for t in counts.index])
ax1.set(title="Entity mentions by type", xlabel="entity type", ylabel="mentions")
ax2.barh(top.surface[::-1], top.n[::-1], color=[ENTITY_COLORS[t] for t in top.label[::-1]])
ax2.set(title="Most frequent entity names", xlabel="mentions", ylabel="")
ax2.legend(handles=[Patch(color=c, label=t) for t, c in ENTITY_COLORS.items()],
           title="type", loc="lower right")
fig.suptitle(f"Named entities in the embedded corpus ({tagger.identity.split('@')[0]})")
fig.tight_layout()
print(save_fig("entity-counts"))

# %% [markdown]
# ## 6. Inside a transformer tagger: sub-words
#
# CAMeLBERT does not see words but **sub-words** from a fixed WordPiece vocabulary of 30,000
# pieces: a frequent word is one piece, a rarer one is cut into a first piece and
# continuation pieces written `##…`. Arabic attaches clitics to words, so `لحكومة` ("for the
# government of") typically becomes `ل ##حكومة`. We cannot download CAMeLBERT's vocabulary
# here, so we learn a small WordPiece vocabulary (500 pieces) from the corpus itself with
# `ner.train_wordpiece`; its pieces are coarser than CAMeLBERT's but cut words the same way.

# %%
# NBVAL_CHECK_OUTPUT
wordpiece = teaching.train_wordpiece(articles.text, vocab_size=500)
examples = ["أردوغان", "لحكومة", "حكومة", "والتركي", "المرتزقة", "لاستعادة"]
teaching.explain_subwords(wordpiece, examples)

# %% [markdown]
# **The hamza trap.** BERT's default tokenizer setting `do_lower_case=True` also strips
# accents, and Unicode treats hamza and madda as accents: `أردوغان` is read as `اردوغان`,
# which the vocabulary may not even contain. CAMeLBERT was trained without that step, so
# `helpers.ner` always loads tokenizers with `do_lower_case=False`. The same vocabulary with
# lower-casing switched on:

# %%
# NBVAL_CHECK_OUTPUT
lowercasing = teaching.train_wordpiece(articles.text, vocab_size=500, lowercase=True)
pd.DataFrame({"word": examples[:3],
              "do_lower_case=False": [" ".join(wordpiece.tokenize(w)) for w in examples[:3]],
              "do_lower_case=True": [" ".join(lowercasing.tokenize(w)) for w in examples[:3]]})

# %% [markdown]
# **First-sub-token labelling.** The model predicts a label for *every piece*, but entities
# are made of words. CAMeLBERT was fine-tuned with the label on the first piece of each word
# only (the other pieces were ignored in training), so at prediction time `helpers.ner` also
# keeps the first piece's label for the whole word — the `labelled_piece` column above — and
# builds entities from whole words. (The `transformers` pipeline's
# `aggregation_strategy="first"` does the same; `"simple"` can cut one word into two entities,
# e.g. `ل` as O and `##حكومة` as ORG.)

# %% [markdown]
# ## 7. The 512-token limit
#
# A BERT model reads at most 512 pieces at once, two of which are the `[CLS]` and `[SEP]`
# markers. A news sentence is far shorter, which is one reason to tag sentence by sentence;
# but a whole article, a transcript, or text without punctuation can exceed the limit. Here
# is the whole article read as one sequence with the vocabulary above:

# %%
# NBVAL_CHECK_OUTPUT
article_words = words(article.text)
pieces = [len(wordpiece.tokenize(w)) or 1 for w in article_words]
per_sentence = [sum(len(wordpiece.tokenize(w)) for w in words(t)) for t in sentences.text]
print(f"whole article: {len(article_words)} words -> {sum(pieces)} sub-tokens")
print(f"longest sentence: {max(per_sentence)} sub-tokens (limit 510 + [CLS] + [SEP])")

# %% [markdown]
# When a sentence is longer than the limit, `helpers.ner` cuts it into **overlapping windows
# of whole words** (`ner.word_windows`: at most 510 pieces each, 128 pieces of overlap) and
# tags every window. A word near a window's edge has little context on one side, so each word
# keeps the prediction of the window in which it is most central. For the article above:

# %%
# NBVAL_CHECK_OUTPUT
windows = ner.word_windows(pieces, budget=510, stride=128)
pd.DataFrame([{"window": i, "words": f"{s}–{e - 1}", "sub-tokens": sum(pieces[s:e]),
               "begins with": " ".join(article_words[s:s + 4])}
              for i, (s, e) in enumerate(windows)])

# %% [markdown]
# ## 8. Profiles, one interface
#
# | profile | model | needs | quality on ANERcorp test (entity micro-F1) |
# |---|---|---|---|
# | `bundled` | an ensemble: a CRF over word, affix, cluster, gazetteer and person-name features (`scripts/train_ner.py`) joined by a small transformer, multilingual-e5-small fine-tuned for NER (`scripts/train_ner_e5.py`); both trained on ANERcorp (see the model cards in `data/models/`) | nothing | measured, below |
# | `fast` | the same CRF alone | nothing | measured, below |
# | `camelbert` | `CAMeL-Lab/bert-base-arabic-camelbert-msa-ner` (BERT-base, 110 M parameters) | the Hugging Face hub once, then its local cache | 82.4 (published, Inoue et al. 2021) |
#
# All return the same `mentions` table. How the ensemble works: for every word, the
# encoder's log-probabilities of the nine labels, times a weight, are added to the CRF's
# scores for the same labels, and the best valid B-/I- sequence of the sum is chosen. The
# two models make different mistakes (the encoder reads context from the whole sentence; the
# CRF knows names from its gazetteer), so the sum is better than either. The bundled models'
# scores are read from the file written when they were built (`make eval-ner` re-measures
# them):

# %%
# NBVAL_CHECK_OUTPUT
scores = teaching.f1_comparison()
print(scores.to_string(index=False, na_rep="–", float_format="{:.1f}".format))

# %% [markdown]
# The gap to CAMeLBERT is the price of models of about 60 MB that run anywhere instead
# of a 440 MB transformer; the per-type columns show where the bundled models are weakest, and
# what the encoder adds (organisations and persons above all). Speed goes the other way: on a
# 2-core laptop CPU a BERT-base model such as CAMeLBERT tags a few hundred words per second,
# the ensemble with its small encoder about fourteen hundred, the CRF alone about nine
# thousand (`make eval-ner` prints both; `python benchmarks/bench_ner.py` measures CAMeLBERT
# against camel-tools' own runner). All
# of them learnt from ANERcorp, newswire from before 2007, and the seed article shows the
# domain shift: a bare surname (`حفتر`, `السراج`) or `حكومة الوفاق الوطني` is easily
# missed. That is why notebook 03 adds an actor dictionary and discovered actors
# to the model's spans.
#
# ## 9. Switching to CAMeLBERT
#
# With Hugging Face access, set `ARABIC_NEWS_MODELS=camelbert` before starting Jupyter and
# re-run the notebook: no code changes. To compare both models here, set `USE_CAMELBERT`
# to `True` (the first run downloads about 440 MB).

# %%
USE_CAMELBERT = False

if USE_CAMELBERT:
    camel_mentions = ner.run_ner(sentences, profile="camelbert")
    both = mentions.merge(camel_mentions, on=["article_id", "start", "end"], how="outer",
                          suffixes=("_bundled", "_camelbert"), indicator=True)
    print(both["_merge"].value_counts().to_string())
    display(camel_mentions[["sent_id", "surface", "label", "score"]].head(15))
else:
    print("Using the bundled model only; set USE_CAMELBERT = True to compare with CAMeLBERT.")

# %% [markdown]
# ## In this notebook
#
# - `ner.run_ner(sentences)` turns the sentences table into the mentions table: whole-word
#   spans with offsets into the article, a type, a score and the model identity; cached on disk.
# - The profile (`bundled`, `fast`, `camelbert`, `auto`) is one setting; the table is the
#   same. The bundled model is an ensemble: a CRF and a small fine-tuned transformer whose
#   scores are added word by word.
# - Transformer taggers see sub-words: label words by their first piece, keep hamza
#   (`do_lower_case=False`), and window sentences longer than 512 pieces.
#
# Next: notebook 03 turns these spans into **actors** (people, states, forces) with a curated
# dictionary.
#
# [← 01 Corpus and cleaning](01_corpus_and_cleaning.ipynb) | [Contents](../README.md) | [03 Actors →](03_actors.ipynb)
