"""Sentence splitting for Arabic news, with character offsets into the article's ``text``.

camel-tools has no sentence splitter. pysbd has an Arabic module, but it adds little
more than an abbreviation list and ``؟`` to its English rules, does not treat a line
break as a boundary (news headlines carry no final punctuation), and it is one more
dependency whose offsets we would have to re-map. So this module is a small, tested
rule-based splitter written for this project.

Rules, applied to the cleaned ``text`` (see :func:`helpers.clean.clean_text`):

* a line break always ends a sentence, so a headline is a sentence of its own;
* inside a line, a run of ``. ؟ ? ! ؛`` (optionally followed by closing quotes or
  brackets) ends a sentence when whitespace or the end of the line follows it;
* not a boundary: a full stop inside a number (``3.5``) or a URL (no space follows
  it), a full stop after a one-letter abbreviation (``د.``, ``أ.ف.ب.``, ``U.S.``) or
  after a known Latin abbreviation (``Mr.``, ``Dr.``, ``etc.``), an ellipsis
  (``...``, ``…``), any mark inside a quotation that is closed on the same line
  (``«...»``, ``“...”``, ``"..."``), and the Arabic comma ``،`` (never a terminator);
* surrounding whitespace is stripped from each span, so ``text[start:end]`` is exactly
  the sentence.

Titles are text: :func:`with_headline` puts an article's headline (the ``title`` of a
CSV/JSONL record, a saved HTML page or ``.txt`` front matter) on the first line of its
``text`` when the text does not already start with it, so that every stage reads the
headline; :func:`split_sentences` marks its sentences with ``headline=True``.

Also here: descriptive counts for notebooks (:func:`count_words`,
:func:`text_statistics`, :func:`word_frequencies`).
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from .clean import ARABIC_LETTER, clean_text, match_key
from .schema import ARTICLES, SENTENCES
from .tokens import words

TERMINATORS = ".؟?!؛"
_CLOSERS = "\"'»”’)]}"
_BOUNDARY = re.compile(rf"[{re.escape(TERMINATORS)}]+[{re.escape(_CLOSERS)}]*(?=\s|$)")
_WORD_BEFORE = re.compile(r"(\w+)$")
LATIN_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr vs etc inc ltd co corp no gen col lt sgt capt gov sen rep "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_QUOTE_PAIRS = {"«": "»", "“": "”", "‘": "’"}
_ARABIC = re.compile(f"[{ARABIC_LETTER}]")
#: a title is put into the text when at least this share of its letters is Arabic
HEADLINE_MIN_ARABIC = 0.5


def _headline(title: object) -> str:
    """The cleaned one-line headline of ``title`` ("" for a missing or non-Arabic title)."""
    if not isinstance(title, str):
        return ""
    line = " ".join(clean_text(title).split())
    letters = sum(ch.isalpha() for ch in line)
    if not letters or len(_ARABIC.findall(line)) / letters < HEADLINE_MIN_ARABIC:
        return ""
    return line


def with_headline(title: object, text: str) -> str:
    """``text`` with the article's headline as its first line, so that NER, actors,
    sentiment and stance read it like any sentence. ``text`` is returned unchanged when
    the title is missing, when fewer than half of its letters are Arabic (the English
    labels of the chronology; the models read Arabic), or when the text already starts
    with it (compared by :func:`helpers.clean.match_key`, so a headline is never doubled).

    >>> with_headline("تركيا تدعم حكومة الوفاق", "أعلنت أنقرة دعمها.")
    'تركيا تدعم حكومة الوفاق\\nأعلنت أنقرة دعمها.'
    >>> with_headline("تركيا تدعم حكومة الوفاق", "تركيا تدعم حكومة الوفاق، قالت أنقرة.")
    'تركيا تدعم حكومة الوفاق، قالت أنقرة.'
    >>> with_headline("Haftar orders offensive", "أمر حفتر بالهجوم.")
    'أمر حفتر بالهجوم.'
    """
    headline = _headline(title)
    if not headline or match_key(text).startswith(match_key(headline)):
        return text
    return f"{headline}\n{text}" if text else headline


def _headline_end(title: object, text: str) -> int:
    """End offset of the headline line of ``text`` (0 when the first line is not the
    article's headline, or when it is the whole text: a one-line article has no headline
    apart from its body)."""
    first, sep, rest = text.partition("\n")
    headline = _headline(title)
    if not headline or not sep or not rest.strip():
        return 0
    return len(first) if match_key(first) == match_key(headline) else 0


def _quoted_ranges(line: str) -> list[tuple[int, int]]:
    """Ranges (open, close) of quotations opened and closed on this line."""
    ranges: list[tuple[int, int]] = []
    for opener, closer in _QUOTE_PAIRS.items():
        start = 0
        while (i := line.find(opener, start)) != -1:
            j = line.find(closer, i + 1)
            if j == -1:
                break
            ranges.append((i, j))
            start = j + 1
    # straight double quotes pair up left to right; an unpaired last one is ignored
    positions = [m.start() for m in re.finditer('"', line)]
    ranges.extend(zip(positions[0::2], positions[1::2], strict=False))
    return ranges


def _is_abbreviation(line: str, dot: int) -> bool:
    """True when the full stop at ``line[dot]`` closes an abbreviation."""
    m = _WORD_BEFORE.search(line, 0, dot)
    if not m:
        return False
    word = m.group(1)
    if len(word) == 1 and not word.isdigit():
        return True  # د. / أ.ف.ب. / U.S. / e.g.
    return word.lower() in LATIN_ABBREVIATIONS


def _line_boundaries(line: str) -> list[int]:
    """End offsets (exclusive, within ``line``) of the sentences that end inside it."""
    quotes = _quoted_ranges(line)
    ends: list[int] = []
    for m in _BOUNDARY.finditer(line):
        marks = m.group().rstrip(_CLOSERS)
        first = m.start()
        if marks.startswith("..") or line[first] == "…":
            continue  # ellipsis
        if any(a < first < b for a, b in quotes):
            continue  # inside a quotation closed later on the line
        if marks == "." and _is_abbreviation(line, first):
            continue
        ends.append(m.end())
    return ends


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of ``text``.

    >>> t = "تعاون تركي روسي\\nقال حفتر. وأضاف: «لن ننسحب. أبدا» ثم غادر؟ نعم"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['تعاون تركي روسي', 'قال حفتر.', 'وأضاف: «لن ننسحب. أبدا» ثم غادر؟', 'نعم']
    """
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        cut = 0
        for end in [*_line_boundaries(line), len(line)]:
            piece = line[cut:end]
            stripped = piece.strip()
            if stripped:
                start = offset + cut + (len(piece) - len(piece.lstrip()))
                spans.append((start, start + len(stripped)))
            cut = end
        offset += len(line) + 1
    return spans


def split_sentences(articles: pd.DataFrame) -> pd.DataFrame:
    """The ``sentences`` table (:data:`helpers.schema.SENTENCES`): one row per sentence of
    each article's ``text``, ``sent_id`` counting from 0 within an article, ``start``/``end``
    such that ``article.text[start:end] == sentence.text``, and ``headline`` True for the
    sentences of the first line when that line is the article's ``title`` (see
    :func:`with_headline`). An empty ``articles`` table gives ``SENTENCES.empty()``.

    >>> arts = pd.DataFrame({"article_id": ["a"], "title": ["مساع جزائرية"],
    ...                      "text": ["مساع جزائرية\\nتدعم الجزائر الحل. كما تدعم برلين."]})
    >>> split_sentences(arts)[["sent_id", "start", "end", "text", "headline"]].values.tolist()
    [[0, 0, 12, 'مساع جزائرية', True], [1, 13, 31, 'تدعم الجزائر الحل.', False], [2, 32, 47, 'كما تدعم برلين.', False]]
    """
    missing = {"article_id", "text"} - set(articles.columns)
    if missing:
        raise KeyError(f"split_sentences needs columns {sorted(missing)}; pass the articles "
                       "table from helpers.corpus.load_corpus().")
    ARTICLES.validate(articles, ["article_id", "text"])
    titles = articles["title"] if "title" in articles.columns else [None] * len(articles)
    rows = []
    for article_id, title, text in zip(articles["article_id"], titles, articles["text"],
                                       strict=True):
        if not isinstance(text, str):
            continue
        head_end = _headline_end(title, text)
        for sent_id, (start, end) in enumerate(sentence_spans(text)):
            rows.append((article_id, sent_id, start, end, text[start:end], end <= head_end))
    if not rows:
        return SENTENCES.empty()
    out = pd.DataFrame(rows, columns=SENTENCES.columns)
    return SENTENCES.validate(out.astype({"sent_id": "int64", "start": "int64", "end": "int64",
                                          "headline": "bool"}))


# Frequent Arabic function words (prepositions, conjunctions, particles, pronouns and
# demonstratives), written as match keys; used only to make word counts informative.
ARABIC_STOPWORDS = frozenset(match_key(w) for w in """
في من على إلى الى عن مع بين بعد قبل حتى منذ خلال عبر حول ضد دون لدى عند
و أو ثم أم بل لكن إن أن ان إذا اذا لو كما مثل ما ماذا لا لم لن قد قال إنه أنه انه إنها أنها
هذا هذه ذلك تلك هؤلاء الذي التي الذين اللذين هو هي هم هن نحن أنا كل بعض أي غير
كان كانت يكون تكون ليس ليست أيضا فقط وقد وأن وإن كذلك لها له لهم فيه فيها منه منها عليه عليها
""".split())


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def count_words(text: str) -> int:
    """Number of words in ``text`` (word tokens of :func:`helpers.tokens.words`, no punctuation).

    >>> count_words("قال الوزير: 3.5 مليون، لا أكثر.")
    6
    """
    return sum(_is_word(t) for t in words(text))


def text_statistics(articles: pd.DataFrame, sentences: pd.DataFrame) -> pd.DataFrame:
    """Per article: number of sentences, words and characters of ``text``, and the mean
    number of words per sentence. Words are the word tokens of
    :func:`helpers.tokens.words` (punctuation is not counted).

    >>> arts = pd.DataFrame({"article_id": ["a"], "text": ["قال حفتر. وأضاف الوزير."]})
    >>> text_statistics(arts, split_sentences(arts)).values.tolist()
    [['a', 2, 4, 23, 2.0]]
    """
    n_sent = sentences.groupby("article_id").size()
    rows = []
    for article_id, text in zip(articles["article_id"], articles["text"], strict=True):
        n_words = count_words(text)
        n = int(n_sent.get(article_id, 0))
        rows.append((article_id, n, n_words, len(text), round(n_words / n, 1) if n else 0.0))
    return pd.DataFrame(rows, columns=["article_id", "sentences", "words", "characters",
                                       "words_per_sentence"])


def word_frequencies(texts: pd.Series | list[str], *, stopwords: frozenset[str] | None = None,
                     top: int | None = 20) -> pd.DataFrame:
    """Most frequent words, counted by :func:`helpers.clean.match_key` so that spelling
    variants (أزمة / ازمه) count as one word; ``example`` is the most frequent spelling.
    Function words in ``stopwords`` (default :data:`ARABIC_STOPWORDS`), numbers and
    one-letter tokens are left out. Ties are broken by the key, so the order is stable.

    >>> word_frequencies(["أزمة ليبيا", "ازمة في ليبيا", "الأزمة"]).values.tolist()
    [['ازمه', 2, 'أزمة'], ['ليبيا', 2, 'ليبيا'], ['الازمه', 1, 'الأزمة']]
    """
    stop = ARABIC_STOPWORDS if stopwords is None else stopwords
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for text in texts:
        for token in words(text):
            key = match_key(token)
            if len(key) < 2 or not any(ch.isalpha() for ch in key) or key in stop:
                continue
            counts[key] += 1
            spellings.setdefault(key, Counter())[token] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    rows = [(k, n, sorted(spellings[k].items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
            for k, n in ranked]
    return pd.DataFrame(rows, columns=["match_key", "count", "example"])
