"""Table contracts: one name per idea across the code base.

Every stage returns a pandas DataFrame with (at least) these columns, in this order.
Offsets (``start``, ``end``) are always character offsets into the article's
cleaned ``text`` column, so ``articles.text[start:end]`` is the span.
"""

ARTICLES = [
    "article_id",  # str, stable: file stem or hash of the text
    "title",
    "date",  # pandas datetime64, NaT allowed
    "date_precision",  # "day" | "month" | "year", or None when date is NaT
    "date_note",  # free text, e.g. "inferred from content"
    "source",
    "url",
    "kind",  # "article" | "chronology"
    "path",  # where it was read from ("<text>" for a pasted string)
    "raw_text",  # as read (decoded)
    "text",  # cleaned model text; every offset refers to this column
]

SENTENCES = ["article_id", "sent_id", "start", "end", "text"]

MENTIONS = [
    "article_id",
    "sent_id",
    "start",
    "end",
    "surface",
    "label",  # PERS | LOC | ORG | MISC
    "score",
    "model",
]

# added by helpers.actors.resolve_mentions
RESOLVED_MENTIONS = MENTIONS + ["match_key", "actor_id", "origin", "rule"]

ACTOR_SENTIMENT = [
    "article_id",
    "sent_id",
    "start",
    "end",
    "actor_id",
    "context",  # the clause/sentence with the target marked
    "label",  # positive | negative | neutral
    "score",  # [-1, 1]
    "method",  # bundled-lexicon | camelbert model id
    "evidence",  # words (with weights) or model output that produced the score
]

STANCE = [
    "article_id",
    "sent_id",
    "source_actor",
    "relation",  # supports | opposes | cooperates | attacks
    "target_actor",
    "trigger",
    "evidence",  # the sentence
    "rule",
]

LOAD_REPORT = ["file", "problem", "action"]
