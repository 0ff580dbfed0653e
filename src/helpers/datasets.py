"""Readers of the public Arabic NER corpora used to train and evaluate the bundled model:
ANERcorp (CAMeL Lab split), AQMAR and WikiFANE, as lists of ``(words, BIO tags)`` sentences
with ANERcorp's four types (PERS, LOC, ORG, MISC).

The corpora are not redistributed with the project: :func:`helpers.paths.shared_data_dir`
(``ARABIC_NEWS_DATA_DIR`` or ``../shared/data``) says where they are; the error messages say
where to download them.

>>> repair_bio(["I-LOC", "O", "I-PERS"])
['B-LOC', 'O', 'B-PERS']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .paths import shared_data_dir

TYPES = ("PERS", "LOC", "ORG", "MISC")
Sentence = tuple[list[str], list[str]]  # (words, BIO tags)
_ARABIC = re.compile(r"[\u0621-\u064a]")

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200e\u200f\u202a\u202b\u202c\u200b"), None)

AQMAR_MAP = {"PER": "PERS", "LOC": "LOC", "ORG": "ORG", "MIS0": "MISC", "MIS1": "MISC",
             "MIS2": "MISC", "MIS3": "MISC", "MIS": "MISC", "MISC": "MISC"}

# WikiFANE's fine-grained classes -> ANERcorp's four types (anything else -> O). Groups of
# people (المسلمين، العرب), celestial bodies, products, vehicles and weapons are not
# entities in ANERcorp's guidelines, so they map to O.
WIKIFANE_MAP: dict[str, str] = {
    **dict.fromkeys(["Politician", "Athlete", "Businessperson", "Artist", "Scientist",
                     "Police", "Religious_PER", "Engineer", "Lawyer", "Other_PER"], "PERS"),
    **dict.fromkeys(["Nation", "Population-Center", "State-or-Province", "Continent",
                     "GPE-Cluster", "County-or-District", "Water-Body",
                     "Land-Region-Natural", "Building-Grounds", "Airport", "Path",
                     "Subarea-Facility"], "LOC"),
    **dict.fromkeys(["Government", "Commercial", "Educational", "Media", "Non-Governmental",
                     "Religious_ORG", "Sports", "Entertainment", "Medical-Science"], "ORG"),
}


def clean_token(token: str) -> str:
    """Strip invisible marks (BOM, LRM U+200E, RLM U+200F, zero-width space) from a token.

    >>> clean_token("\\u200eجمهورية")
    'جمهورية'
    """
    return token.translate(_INVISIBLE).strip()


def repair_bio(tags: Sequence[str]) -> list[str]:
    """Make a tag sequence valid BIO: an ``I-X`` not preceded by ``B-X``/``I-X`` becomes ``B-X``.

    >>> repair_bio(["I-LOC", "I-LOC", "O", "B-PERS", "I-ORG"])
    ['B-LOC', 'I-LOC', 'O', 'B-PERS', 'B-ORG']
    """
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def map_tag(tag: str, mapping: dict[str, str] | None) -> str:
    """Map a corpus tag (``B-PER``, ``I-Politician``...) to ANERcorp's label set; unknown -> ``O``.

    >>> map_tag("B-PER", AQMAR_MAP), map_tag("I-Nation", WIKIFANE_MAP), map_tag("IO", AQMAR_MAP)
    ('B-PERS', 'I-LOC', 'O')
    """
    m = re.fullmatch(r"([BI])-+(.+)", tag.strip())
    if not m:
        return "O"
    prefix, kind = m.groups()
    kind = kind if mapping is None else mapping.get(kind, "")
    return f"{prefix}-{kind}" if kind in TYPES else "O"


def read_conll(path: str | Path, mapping: dict[str, str] | None = None) -> list[Sentence]:
    """Read a two-column NER file (``token TAG`` or ``token<TAB>TAG``; blank line between
    sentences) into ``(words, tags)`` pairs.

    Handles the quirks of the public Arabic corpora: a UTF-8 BOM, CRLF line ends, tokens
    prefixed with U+200E, separator lines holding only invisible marks, and tags outside the
    label set (mapped with ``mapping``, unknown ones to ``O``; then repaired to valid BIO).
    """
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []

    def flush() -> None:
        if words:
            sentences.append((words.copy(), repair_bio(tags)))
        words.clear()
        tags.clear()

    with open(path, encoding="utf-8-sig", newline="") as fh:
        for line in fh:
            line = line.rstrip("\r\n")
            parts = line.split("\t") if "\t" in line else line.split()
            token = clean_token(parts[0]) if parts else ""
            if not token:
                flush()
                continue
            tag = parts[-1].strip() if len(parts) >= 2 else "O"
            words.append(token)
            tags.append(map_tag(tag, mapping))
    flush()
    return sentences


def _ner_dir(data_dir: str | Path | None) -> Path:
    base = Path(data_dir) if data_dir is not None else shared_data_dir()
    if base is None:
        raise FileNotFoundError(
            "NER data not found: no ../shared/data folder and ARABIC_NEWS_DATA_DIR is unset. "
            "Download ANERcorp (CAMeL Lab split) from https://camel.abudhabi.nyu.edu/anercorp/ "
            "into <folder>/ner/anercorp/ and pass --data-dir <folder> "
            "(or set ARABIC_NEWS_DATA_DIR)."
        )
    return base / "ner" if (base / "ner").is_dir() else base


def read_anercorp(split: str = "train", data_dir: str | Path | None = None) -> list[Sentence]:
    """Sentences of the ANERcorp CAMeL Lab ``train`` or ``test`` split.

    ``data_dir`` is the shared data folder (holding ``ner/anercorp/``), the ``ner`` folder or
    the ``anercorp`` folder itself; by default :func:`helpers.paths.shared_data_dir`.
    """
    if split not in {"train", "test"}:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    base = _ner_dir(data_dir)
    for folder in (base / "anercorp", base):
        path = folder / f"ANERCorp_CamelLab_{split}.txt"
        if path.is_file():
            return read_conll(path)
    raise FileNotFoundError(
        f"ANERcorp file ANERCorp_CamelLab_{split}.txt not found under {base}. Download the CAMeL "
        "Lab split from https://camel.abudhabi.nyu.edu/anercorp/ into ner/anercorp/ of your "
        "data folder, or pass --data-dir."
    )


def read_aqmar(data_dir: str | Path | None = None) -> list[Sentence]:
    """AQMAR Arabic Wikipedia NER (CC BY-SA 3.0), tags mapped to PERS/LOC/ORG/MISC."""
    folder = _ner_dir(data_dir) / "aqmar"
    files = sorted(p for p in folder.glob("*.txt") if p.name.isascii() and p.stem.upper()
                   not in {"PROVENANCE", "README", "LICENSE"})
    if not files:
        raise FileNotFoundError(f"no AQMAR files in {folder}")
    return [s for p in files for s in read_conll(p, AQMAR_MAP)]


_SPLIT_PROCLITICS = {"و", "ف", "ب", "ل", "ك"}
_SPLIT_ENCLITICS = {"ه", "ها", "هم", "هما", "هن", "كم", "كما", "نا", "ي"}


def attach_clitics(words: Sequence[str], tags: Sequence[str]) -> Sentence:
    """Re-attach clitics that a corpus wrote as separate tokens (``و تعتبر``, ``عاصمة ها``),
    so the words look like ANERcorp's (``وتعتبر``, ``عاصمتها``); a word keeps its own tag.

    >>> attach_clitics(["و", "ل", "الكتاب", "عاصمة", "ها", "و", "."], ["O"] * 7)
    (['وللكتاب', 'عاصمتها', 'و', '.'], ['O', 'O', 'O', 'O'])
    """
    out_w: list[str] = []
    out_t: list[str] = []
    pending = ""
    for i, (word, tag) in enumerate(zip(words, tags, strict=True)):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in _SPLIT_PROCLITICS and _ARABIC.match(nxt or "-"):
            pending += word
            continue
        if (word in _SPLIT_ENCLITICS and out_w and not pending
                and _ARABIC.match(out_w[-1][-1:] or "-")):
            base = out_w[-1]
            out_w[-1] = (base[:-1] + "ت" if base.endswith("ة") else base) + word
            continue
        if pending:
            if pending.endswith("ل") and word.startswith("ال"):
                word = word[1:]
            word = pending + word
            pending = ""
        out_w.append(word)
        out_t.append(tag)
    return out_w, repair_bio(out_t)


def read_wikifane(data_dir: str | Path | None = None, attach: bool = True) -> list[Sentence]:
    """WikiFANE gold (CC BY-SA 3.0), fine-grained classes mapped with :data:`WIKIFANE_MAP`.

    WikiFANE splits clitics off (``و تعتبر``); with ``attach`` they are glued back on
    (:func:`attach_clitics`) to match ANERcorp's tokenisation.
    """
    path = _ner_dir(data_dir) / "wikifane" / "WikiFANE_Gold_2014_500K.txt"
    if not path.is_file():
        raise FileNotFoundError(f"WikiFANE file not found: {path}")
    sentences = read_conll(path, WIKIFANE_MAP)
    return [attach_clitics(w, t) for w, t in sentences] if attach else sentences
