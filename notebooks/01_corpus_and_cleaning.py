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
# *Start* | [Contents](../README.md) | [02 Named entities →](02_named_entities.ipynb)
#
# # 01 · Corpus and cleaning
#
# Every later notebook reads the same three tables: `articles` (one row per document), its
# cleaned `text`, and `sentences` with character offsets into that text. This notebook builds
# them from the embedded corpus, shows how the loader copes with a messy folder of real-world
# files (legacy encodings, saved web pages, empty, duplicate, binary and non-Arabic files) without
# losing anything silently, what cleaning changes and why it is done in two layers (the model text
# and the match key), and ends with basic statistics and two figures.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from helpers.clean import clean_text, cleaning_changes, match_key, show_invisible
from helpers.corpus import load_corpus, read_corpus
from helpers.figures import save_fig, setup
from helpers.sentences import count_words, split_sentences, text_statistics, word_frequencies

setup("01_corpus_and_cleaning")

# %% [markdown]
# ## 1. The embedded corpus
#
# `load_corpus()` without an argument reads `data/corpus/`: one article on the diplomacy around
# the Libyan ceasefire in June 2020. Its header (front matter) gives the title, the date and where
# the date comes from; `data/corpus/README.md` explains how to add your own article in the same
# form. `raw_text` is the text as read, `text` the cleaned text that every later offset refers to.

# %%
# NBVAL_CHECK_OUTPUT
articles = load_corpus()
articles.drop(columns=["raw_text", "text"]).T

# %% [markdown]
# The loader's report lists every problem it met; for the embedded corpus it is empty:

# %%
# NBVAL_CHECK_OUTPUT
from helpers.corpus import get_load_report

print(len(get_load_report(articles)), "problems")

# %% [markdown]
# ## 2. A messy folder
#
# Real collections are not that tidy. The next cell writes a folder of small files of the kinds met
# in news archives into a temporary directory: an article in UTF-8 with a header, one saved by an
# old Windows tool in Windows-1256, a saved web page, a JSONL export, an empty file, a copy of
# the first article that differs only by a tatweel and a diacritic, an image saved with a `.txt`
# name, an English text, a date that does not exist, and a Word file. The Arabic texts are short
# examples written for this demonstration.

# %%
TARHUNA = "دخلت قوات حكومة الوفاق الوطني مدينة ترهونة، آخر معاقل قوات حفتر في غرب ليبيا."
UNSMIL = "رحبت بعثة الأمم المتحدة للدعم في ليبيا باستئناف محادثات اللجنة العسكرية المشتركة."
PAGE = """<html lang="ar"><head><meta charset="utf-8"><title>إعلان القاهرة | موقع مثال</title>
<meta property="article:published_time" content="2020-06-06T12:00:00+02:00"></head>
<body><nav>الرئيسية | أخبار | رياضة</nav><article><h1>إعلان القاهرة بشأن ليبيا</h1>
<p>أعلنت مصر مبادرة سياسية لحل الأزمة الليبية تدعو إلى وقف إطلاق النار اعتبارا من الثامن من يونيو.</p>
<p>ورحب بالمبادرة رئيس مجلس النواب عقيلة صالح، فيما رفضتها حكومة الوفاق في طرابلس.</p>
</article><footer>جميع الحقوق محفوظة</footer></body></html>"""
EVENTS = ('{"id": "ev-2020-06-06", "kind": "chronology", "date": "٦ حزيران ٢٠٢٠", '
          '"text": "مصر تعلن مبادرة لوقف إطلاق النار في ليبيا.", "actors": ["egypt", "lna"]}\n'
          '{"id": "ev-bad", "title": "سطر بلا نص"}\n')

tmp = tempfile.TemporaryDirectory()
messy = Path(tmp.name) / "messy"
messy.mkdir()
(messy / "01_tarhuna.txt").write_text(f"---\ntitle: ترهونة\ndate: 5 يونيو/حزيران 2020\n---\n{TARHUNA}\n", encoding="utf-8")
(messy / "02_archive.txt").write_bytes(UNSMIL.encode("cp1256"))
(messy / "03_saved_page.html").write_text(PAGE, encoding="utf-8")
(messy / "04_events.jsonl").write_text(EVENTS, encoding="utf-8")
(messy / "05_empty.txt").write_bytes(b"")
(messy / "06_copy.txt").write_text(TARHUNA.replace("قوات", "قـــوات").replace("آخر", "آخِر"), encoding="utf-8")
(messy / "07_photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
(messy / "08_english.txt").write_text("The UN welcomed the resumption of military talks.", encoding="utf-8")
(messy / "09_bad_date.txt").write_text(f"---\ndate: 31 يونيو 2020\n---\n{UNSMIL} (نسخة ثانية)", encoding="utf-8")
(messy / "10_notes.docx").write_bytes(b"PK\x03\x04")
sorted(p.name for p in messy.iterdir())

# %% [markdown]
# `read_corpus` returns the articles it could read and, separately, the report (`load_corpus`
# attaches the same report to the table: `get_load_report(articles)`). Paths are shown relative to the
# folder that was loaded.

# %%
# NBVAL_CHECK_OUTPUT
messy_articles, report = read_corpus(messy)
messy_articles[["article_id", "path", "kind", "date", "date_precision", "title"]]

# %%
# NBVAL_CHECK_OUTPUT
report

# %% [markdown]
# Every file is accounted for: five documents were read (the Windows-1256 file decoded, the
# page's main text, title and date extracted by trafilatura/htmldate without its menu and footer,
# the JSONL line kept as a `chronology` record with its extra fields), the article with the impossible
# date is kept with `NaT`, and each skipped file has its reason. The copy was recognised as a
# duplicate because duplicates are compared by match key (section 4), not by raw bytes.

# %%
# NBVAL_CHECK_OUTPUT
page = messy_articles.set_index("article_id").loc["03_saved_page"]
print(page["text"])
print(messy_articles.set_index("article_id").loc["ev-2020-06-06", "extra"])
tmp.cleanup()

# %% [markdown]
# ## 3. Raw versus cleaned text
#
# The model text stays close to the text as written, with four repairs (`helpers.clean.clean_text`):
# Unicode NFC; tatweel and invisible marks (right-to-left marks, zero-width characters, BOM)
# removed; a full stop glued to the next word given its space (`حفتر.وقال`, four times in this
# article), without touching decimals, dates, URLs, e-mail addresses or abbreviations such as
# `U.S.` and `د.ب.أ`; and diacritics removed, because CAMeLBERT was pre-trained on text with
# diacritics removed and ANERcorp, on which the NER models were trained, has practically none.
# Line breaks are kept: a headline is a line without final punctuation. Every word the cleaning
# changed in the seed:

# %%
# NBVAL_CHECK_OUTPUT
cleaning_changes(articles.loc[0, "raw_text"])

# %% [markdown]
# On invented strings: what is invisible on screen is removed, and full stops that do not end
# a sentence are left alone:

# %%
# NBVAL_CHECK_OUTPUT
samples = ["\u200fليبيـــا\u200f", "سرت.بنغازي", "3.5 مليار", "15.06.2020", "U.S. Navy",
           "نقلت د.ب.أ", "info@un.org", "www.un.org/ar/ليبيا.html"]
pd.DataFrame({"raw": [show_invisible(s) for s in samples],
              "text": [clean_text(s) for s in samples]})

# %% [markdown]
# ## 4. The match key
#
# Comparing names needs a second, coarser layer that is never shown to a model: alef variants
# unified (أ إ آ → ا), alef maqsura → yaa, taa marbuta → haa, diacritics and tatweel removed
# (`helpers.clean.match_key`, built on camel-tools' normalisers). Spellings that differ on screen
# get the same key, which is how the duplicate above was found and how later notebooks match
# actor names:

# %%
# NBVAL_CHECK_OUTPUT
variants = ["الجلَوس", "الجلوس", "لغّمت", "إسطنبول", "اسطنبول", "مصطفى", "مصطفي", "حكومة الوفاق", "حكومه الوفاق"]
pd.DataFrame({"written": variants, "text": [clean_text(v) for v in variants],
              "match_key": [match_key(v) for v in variants]})

# %% [markdown]
# ## 5. Sentences
#
# Models read one sentence at a time (CAMeLBERT sees at most 512 sub-word tokens).
# `split_sentences` cuts at `. ؟ ? ! ؛` followed by a space and at every line break, but not
# inside numbers, after one-letter abbreviations, at the Arabic comma or inside a quotation. The
# three section headlines of the article come out as sentences of their own, and the glued full
# stops repaired above now separate sentences:

# %%
# NBVAL_CHECK_OUTPUT
sentences = split_sentences(articles)
sentences.assign(text=sentences["text"].str.slice(0, 70))

# %% [markdown]
# Every later table points into `text` with these offsets; they must round-trip exactly:

# %%
# NBVAL_CHECK_OUTPUT
text = articles.loc[0, "text"]
print(all(text[s:e] == t for s, e, t in zip(sentences["start"], sentences["end"], sentences["text"])))

# %% [markdown]
# ## 6. Basic statistics
#
# Counts per article (words are word tokens, punctuation excluded):

# %%
# NBVAL_CHECK_OUTPUT
text_statistics(articles, sentences)

# %% [markdown]
# Sentence length varies a lot in news: the three headlines have three to five words, while
# the second sentence runs past fifty. Long sentences matter later, because sentiment and
# stance are read per sentence and a long one mixes several actors.

# %%
lengths = sentences["text"].map(count_words)
labels = [" ".join(t.split()[:4]) for t in sentences["text"]]
is_headline = ~sentences["text"].str[-1].isin(list(".؟?!؛"))
fig, ax = plt.subplots(figsize=(9, 7))
ax.barh(range(len(sentences)), lengths, color=["#D55E00" if h else "#0072B2" for h in is_headline])
ax.set_yticks(range(len(sentences)), labels)
ax.invert_yaxis()
ax.set_xlabel("words in the sentence")
ax.set_ylabel("sentence (first words), in order")
ax.set_title("Sentence length in the seed article (orange: headlines)")
save_fig("sentence_lengths")

# %% [markdown]
# The most frequent words, counted by match key so that spelling variants count once, with
# frequent function words (في، من، على …) left out, already name the story: Haftar's forces,
# the Government of National Accord, Sirte, Russia and Turkey.

# %%
# NBVAL_CHECK_OUTPUT
top = word_frequencies(sentences["text"], top=15)
top.T

# %%
fig, ax = plt.subplots(figsize=(8, 6))
ax.barh(top["example"], top["count"], color="#009E73")
ax.invert_yaxis()
ax.set_xlabel("occurrences (by match key)")
ax.set_ylabel("word")
ax.set_title("Most frequent words in the seed article")
save_fig("top_words")

# %% [markdown]
# ## In this notebook
#
# - `load_corpus` / `read_corpus` read text, files, folders, JSONL, CSV and saved HTML in any of
#   the usual encodings, and report every file they skip or repair.
# - `text` is the model text (NFC, no tatweel or invisible marks, glued stops repaired, no
#   diacritics, lines kept); `raw_text` stays beside it; `match_key` is only for comparing.
# - `split_sentences` gives the `sentences` table whose offsets every later notebook uses.
#
# Next: notebook 02 finds the named entities in these sentences.
#
# *Start* | [Contents](../README.md) | [02 Named entities →](02_named_entities.ipynb)
