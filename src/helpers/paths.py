"""Where things live: the repository, its data, figures, caches, and the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"
CORPUS_DIR = DATA_DIR / "corpus"
MODELS_DIR = DATA_DIR / "models"
FIGURES_DIR = REPO_ROOT / "figures"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def cache_dir() -> Path:
    """Folder for on-disk caches of model outputs and downloaded pages (``ARABIC_NEWS_CACHE``
    or ``.cache/`` in the repo). Not created here: writers create what they need and bypass a
    folder they cannot write (see :class:`helpers.models.OutputCache`)."""
    return Path(os.environ.get("ARABIC_NEWS_CACHE") or REPO_ROOT / ".cache").expanduser()


def shared_data_dir() -> Path | None:
    """The folder of public reference data (ANERcorp, AQMAR, WikiFANE, reference facts).

    Read from ``ARABIC_NEWS_DATA_DIR`` or, by default, ``../shared/data`` beside the
    repository. Returns ``None`` when it is absent: the data are not redistributed with
    the project; users download them from their publishers (see README).
    """
    env = os.environ.get("ARABIC_NEWS_DATA_DIR")
    path = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    return path if path.is_dir() else None
