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
# [← 03 Actors](03_actors.ipynb) | [Contents](../README.md) | [05 Stance →](05_stance.ipynb)
#
# # 04 · Sentiment toward actors
#
# A student of a news corpus does not ask "is this text positive?" but "how is Haftar
# portrayed?". This notebook answers it for the actors found in notebook 03. **Targeted
# sentiment** gives every actor mention a score in [−1, 1] computed from the words of its own
# clause, with the words (or model probabilities) that produced it, so every number can be
# traced back to the text; mentions are then averaged per actor with a bootstrap interval
# and the number of mentions shown next to it. The method is measured on hand-annotated
# items written by the project, and the last section says plainly what it cannot do.
# Who supports or opposes whom is the next notebook's question.


# %%
import matplotlib.pyplot as plt
import pandas as pd

from helpers.figures import setup, save_fig, plot_actor_sentiment, plot_confusion
from helpers.paths import DATA_DIR
from helpers.corpus import load_corpus
from helpers.sentences import split_sentences
from helpers.pipeline import tag_and_resolve
from helpers.actors import load_actors
from helpers.sentiment import (read_lexicon_table, load_lexicon, score_text, score_mentions,
                               aggregate_sentiment, evidence_table)
from helpers.models import sentiment_model_cached, DEFAULT_SENTIMENT_MODEL
from helpers.eval_sentiment import (load_sentiment_eval, evaluate_sentiment, summary_table,
                                    sentiment_metrics)

setup("04_sentiment")


# %% [markdown]
# ## 1. From the corpus to resolved actor mentions
#
# The chain of notebooks 01–03 in two calls: load the embedded corpus and split it into
# sentences, then `tag_and_resolve` runs the NER model of the chosen profile and resolves the
# entity spans to actor ids. Metonymy is on, so `باريس تعارض` counts as France: for
# sentiment the capital speaks for the state.


# %%
# NBVAL_CHECK_OUTPUT
actors = load_actors()
articles = load_corpus()
sentences = split_sentences(articles)
mentions, resolved, ner_model, actors = tag_and_resolve(sentences, actors=actors, metonymy=True)
print(f"{len(articles)} article(s), {len(sentences)} sentences, {len(mentions)} NER mentions "
      f"(model {ner_model})")
print(f"{resolved['actor_id'].notna().sum()} actor mentions of {resolved['actor_id'].nunique()} "
      f"actors; {resolved['actor_id'].isna().sum()} spans left unresolved")


# %% [markdown]
# ## 2. The bundled method: a lexicon you can read
#
# The offline method needs no model. It matches a polarity lexicon written for this project
# (`data/lexicon/polarity_ar.csv`, documented in `data/lexicon/README.md`) against the words
# around each mention. Weights go in four steps from −1 to +1; multi-word entries such as
# `وقف إطلاق النار` are matched first, so that a ceasefire is not read as shooting.


# %%
# NBVAL_CHECK_OUTPUT
lexicon_table = read_lexicon_table()
lexicon = load_lexicon()
print(f"{len(lexicon_table)} terms ({(lexicon_table.polarity < 0).sum()} negative, "
      f"{(lexicon_table.polarity > 0).sum()} positive); {len(lexicon.negators)} negators, "
      f"{len(lexicon.intensifiers)} intensifiers, {len(lexicon.clause_markers)} clause markers")
lexicon_table.groupby("domain").head(2)[["term", "polarity", "pos", "domain", "gloss_en"]]


# %% [markdown]
# How one score is made. The context is the **clause** that holds the mention (the sentence is
# cut at `، ؛` and before connectives such as `في حين`، `بينما`، `كما`), with the target marked
# `«[...]»`. Inside the clause only the words of the target's own **argument frame** count:
# a word nearer to another actor belongs to that actor; a support or stance verb («تدعم
# فرنسا حفتر») is a relation, not sentiment toward either side (notebook 05 reads it); the
# one who condemns or warns does not get the condemnation's words; a place after `في` is a
# setting, not a target; a speaker does not get the words of its own quote. Each counted word
# contributes its polarity times a **distance weight** `1 / (1 + 0.25·(d − 1))` (d = words to
# the target), times −0.5 when a **negator** (لم، لا، عدم، غير، دون …) stands before it, times
# the factor of a nearby **intensifier** (بشدة ×1.5, كامل ×1.5). The sum is squashed with
# `tanh`; labels use ±0.3. Words of the target's own span never count, and every word left out
# is listed with its reason. Four sentences show the parts:


# %%
# NBVAL_CHECK_OUTPUT
examples = [
    ("علما وأن باريس تعارض التدخل التركي وتدعم القائد العام للجيش حفتر", "التركي"),
    ("لم تهاجم القوات التركية أي أهداف مدنية", "التركية"),
    ("أكدت مصر عدم التعاون مع الميليشيات", "مصر"),
    ("هاجمت قوات حفتر المدينة، بينما رحبت مصر بالهدنة", "مصر"),
]
pd.DataFrame([score_text(s, t) for s, t in examples]).round(3)[["context", "label", "score",
                                                                  "evidence"]]


# %% [markdown]
# Each evidence item reads `word:polarity×weight`, and the weight already includes distance,
# negation (`neg`) and intensifier (`int`); words left out follow with their reason. In the
# first example `تعارض` and `وتدعم` are stances, read in notebook 05, not sentiment. In the
# last one the clause cut keeps Haftar's attack out of Egypt's context. The hits of the
# first example in detail:


# %%
# NBVAL_CHECK_OUTPUT
hits = score_text(*examples[0])["hits"]
pd.DataFrame([{"word": h.surface, "lexicon term": h.term, "polarity": h.polarity,
               "distance": h.distance, "weight": round(h.weight, 3),
               "contribution": round(h.contribution, 3)} for h in hits])


# %% [markdown]
# ## 3. Every actor mention of the corpus
#
# `score_mentions` does this for every resolved mention (unresolved spans are skipped) and
# returns one row per mention: the marked context, label, score, method and evidence.


# %%
# NBVAL_CHECK_OUTPUT
actor_sentiment = score_mentions(resolved, sentences, method="bundled")
print(actor_sentiment["label"].value_counts().to_dict())
actor_sentiment[["sent_id", "actor_id", "label", "score", "context", "evidence"]].round(3).head(12)


# %% [markdown]
# ## 4. Per actor: mean score, 95% interval and n
#
# `aggregate_sentiment` averages the mentions of each actor and adds a percentile bootstrap
# interval (2,000 resamples, fixed seed; `helpers.stats.bootstrap_ci`). One mention has no
# interval (NaN: a single value says nothing about spread), and `small_n` flags groups under five mentions: such means are anecdotes, and the chart
# draws them as hollow dots instead of hiding them.


# %%
# NBVAL_CHECK_OUTPUT
summary = aggregate_sentiment(actor_sentiment)
summary[["actor_id", "n", "mean", "ci_low", "ci_high", "small_n",
         "n_positive", "n_neutral", "n_negative"]].round(3).head(12)


# %%
ax = plot_actor_sentiment(summary, actors, top=15,
                          title="Sentiment toward actors in the seed article (bundled lexicon)")
print(save_fig("actor_sentiment_seed", ax.figure))


# %% [markdown]
# One article is one voice. The project's chronology (`data/chronology/`, 94 dated briefs
# written for notebook 06) gives more mentions per actor, so the intervals become
# informative. It goes through exactly the same calls:


# %%
# NBVAL_CHECK_OUTPUT
chronology = load_corpus(DATA_DIR / "chronology" / "libya_2019_2021.jsonl")
chron_sentences = split_sentences(chronology)
_, chron_resolved, _, chron_actors = tag_and_resolve(chron_sentences, actors=load_actors(),
                                                    metonymy=True, progress=False)
chron_sentiment = score_mentions(chron_resolved, chron_sentences)
chron_summary = aggregate_sentiment(chron_sentiment)
print(f"{len(chronology)} briefs, {len(chron_sentences)} sentences, {len(chron_sentiment)} actor mentions")
print(chron_sentiment["label"].value_counts().to_dict())


# %%
ax = plot_actor_sentiment(chron_summary, chron_actors, top=15,
                          title="Sentiment toward actors in the chronology, 2019–2021 (bundled lexicon)")
print(save_fig("actor_sentiment_chronology", ax.figure))


# %% [markdown]
# Most means sit close to zero and most intervals cross it: in dated news briefs the typical
# mention is neutral, and positive and negative contexts of the same actor cancel out. The
# LNA and Tripoli lean negative because they stand in sentences about the offensive, which
# says as much about the topic as about how they are portrayed (see section 7).
#
# Per article (`by=("article_id", "actor_id")`), most groups have one or two mentions and
# the interval collapses to the point, as the table shows for Haftar:


# %%
# NBVAL_CHECK_OUTPUT
per_article = aggregate_sentiment(chron_sentiment, by=("article_id", "actor_id"))
per_article.loc[per_article["actor_id"] == "haftar",
                ["article_id", "n", "mean", "ci_low", "ci_high", "small_n"]].round(3).head(8)


# %% [markdown]
# ## 5. Evidence for the top actors
#
# A mean is only as good as the sentences behind it. For the five most mentioned actors of
# the chronology, the most positive and the most negative mention with the words that made
# the score:


# %%
# NBVAL_CHECK_OUTPUT
evidence_table(chron_summary, top=5)


# %% [markdown]
# ## 6. How good is it? Evaluation on hand-annotated items
#
# `data/eval/sentiment.csv` holds hand-annotated items (sentence, target actor, gold
# polarity, one-line rationale, the phenomenon it tests) from the seed article, the chronology
# and sentences written for the purpose, half of them on conflicts other than Libya;
# `data/eval/README.md` gives the annotation rules. The `dev` half was used to choose the
# method's settings; the `heldout` half was not, so its figure is the one to quote. Macro-F1
# comes with a 95% bootstrap interval. The same figures come from
# `python -m helpers.eval_sentiment` (`make eval-sentiment`).


# %%
# NBVAL_CHECK_OUTPUT
items = load_sentiment_eval()
bundled = evaluate_sentiment(items, method="bundled")
baseline = {"all": sentiment_metrics(items.assign(pred="neutral"))}
print(f"{len(items)} items:", items["gold"].value_counts().to_dict(),
      items["split"].value_counts().to_dict())
summary_table({"bundled lexicon": bundled, "everything neutral": baseline})


# %%
# NBVAL_CHECK_OUTPUT
bundled["all"]["per_class"].round(3)


# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
scores = summary_table({"bundled": bundled}).set_index("split")[["accuracy", "macro_f1"]]
scores.loc["majority"] = [baseline["all"]["accuracy"], baseline["all"]["macro_f1"]]
scores.plot.bar(ax=axes[0], rot=0, color=["#0072B2", "#E69F00"])
axes[0].set(title="Bundled lexicon: accuracy and macro-F1", xlabel="items", ylabel="score", ylim=(0, 1))
plot_confusion(bundled["all"], ax=axes[1], title=f"All items (n={bundled['all']['n']})")
plot_confusion(bundled["heldout"], ax=axes[2], title=f"Held-out half (n={bundled['heldout']['n']})")
fig.tight_layout()
print(save_fig("sentiment_evaluation", fig))


# %% [markdown]
# CAMeLBERT is measured by the same call with `method="camelbert"`. This notebook was run
# offline, without the model in the local Hugging Face cache, so it says so instead of
# giving a number (the check looks at the disk only, so an offline laptop does not wait for
# the hub):


# %%
# NBVAL_CHECK_OUTPUT
if sentiment_model_cached():
    camelbert = evaluate_sentiment(items, method="camelbert")
    print(summary_table({"camelbert": camelbert}))
else:
    print(f"CAMeLBERT not evaluated: {DEFAULT_SENTIMENT_MODEL} is not in the local Hugging Face "
          "cache, and this notebook does not download models. Download it once with network "
          "access (or set ARABIC_NEWS_SENTIMENT_MODEL to a model folder) and re-run this cell.")


# %% [markdown]
# Where the lexicon goes wrong, on the held-out half: mostly neutral targets (places,
# speakers of a condemnation) that sit next to war vocabulary, and portrayals that need no
# sentiment word at all.


# %%
# NBVAL_CHECK_OUTPUT
pred = bundled["predictions"]
wrong = pred[(pred["split"] == "heldout") & (pred["gold"] != pred["pred"])]
wrong[["id", "target", "gold", "pred", "score", "evidence", "rationale"]].round(3).head(10)


# %% [markdown]
# ## 7. Limits: read the numbers with these in mind
#
# - **News is mostly neutral.** Half of the evaluation items are neutral, and most corpus
#   means sit near zero. A mean of −0.15 over 30 mentions is a tendency of the wording
#   around an actor, not a verdict on the actor.
# - **Frames are rules, not a parser.** Who does what to whom is read from word order,
#   prepositions and a few verb lists (support, condemnation, speech); a long sentence with
#   several actors can still hand a word to the wrong one. Every row lists the words it
#   counted and the ones it left out, so check the evidence before quoting a score.
# - **It is blind to irony and to framing without sentiment words.** `لم يتمكن مجلس النواب
#   من عقد جلسته` is unflattering without a single lexicon word, and a constructive act with
#   no praise word («أعاد فتح المعبر») stays neutral: this is the largest remaining error.
# - **The lexicon is small.** About 720 entries of conflict and diplomacy vocabulary; a new
#   topic (economy, health) needs its own entries (`data/lexicon/README.md`).
# - **CAMeLBERT's sentiment models were trained on tweets** (ASTD, ArSAS, SemEval-2017):
#   short, dialect-rich, opinionated texts, not the formal third-person style of news, and
#   not for a target inside a sentence. Its figures here would have to be measured before
#   they are trusted; marking the target with `«[...]»` is a heuristic it was not trained on.
# - **Evaluation items were annotated by one annotator** with written rules, no agreement
#   study; the dev/held-out split guards against tuning, not against the annotator's bias.


# %% [markdown]
# ## 8. Switching to CAMeLBERT
#
# With network access once (or the model folder copied to the machine), one setting switches
# the method; the tables and figures above keep their shape, and `evidence` then holds the
# three class probabilities:
#
# ```python
# # env: ARABIC_NEWS_MODELS=camelbert  (or pass method="camelbert")
# # optional: ARABIC_NEWS_SENTIMENT_MODEL=/path/to/bert-base-arabic-camelbert-msa-sentiment
# actor_sentiment = score_mentions(resolved, sentences, method="camelbert")
# ```
#
# `method="auto"` tries CAMeLBERT and falls back to the lexicon with a printed note.

# %% [markdown]
# ## In this notebook
#
# - `score_mentions(resolved, sentences)` gives every actor mention a score in [−1, 1] from
#   the lexicon words of its own clause, with the evidence (words and weights) in each row.
# - `aggregate_sentiment` averages per actor (or per article and actor) with a seeded
#   bootstrap interval and `small_n` for means resting on fewer than five mentions.
# - `evaluate_sentiment` measures the method on `data/eval/sentiment.csv`, on a tuning half
#   and a held-out half; read the held-out figure.
# - One setting (`ARABIC_NEWS_MODELS=camelbert`) switches to CAMeLBERT with the same tables.
#
# Next: who supports or opposes whom, from the verbs and nouns of the same sentences.
#
# [← 03 Actors](03_actors.ipynb) | [Contents](../README.md) | [05 Stance →](05_stance.ipynb)
