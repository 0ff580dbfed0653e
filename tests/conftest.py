"""Shared, generic fixtures: the embedded seed article, the shared-data skip helper and a
loader for the scripts in scripts/."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from helpers.paths import CORPUS_DIR, REPO_ROOT, shared_data_dir

SEED_FILE = CORPUS_DIR / "000_libya_2020-06-15.txt"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The embedded seed article (a .txt file with front matter) in data/corpus/."""
    assert SEED_FILE.is_file(), f"the embedded seed article is missing: {SEED_FILE}"
    return SEED_FILE


@pytest.fixture(scope="session")
def seed_articles(seed_path: Path) -> pd.DataFrame:
    """The seed loaded by helpers.corpus.load_corpus (one row, schema.ARTICLES)."""
    from helpers.corpus import load_corpus

    return load_corpus(seed_path)


@pytest.fixture(scope="session")
def seed_text(seed_articles: pd.DataFrame) -> str:
    """The seed's cleaned model text (articles.text): every offset refers to it."""
    return seed_articles["text"].iloc[0]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared reference data folder (../shared/data or ARABIC_NEWS_DATA_DIR);
    tests that use it are skipped, with the reason, when it is absent."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("shared reference data not found: set ARABIC_NEWS_DATA_DIR or place "
                    "it in ../shared/data (see README, 'Reference data')")
    return path


@pytest.fixture()
def bundled_models(monkeypatch, tmp_path) -> str:
    """The bundled (offline) model profile with the NER cache in a temporary folder, so
    that a test neither reads nor writes the user's cache. Returns the profile name."""
    monkeypatch.setenv("ARABIC_NEWS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ARABIC_NEWS_MODELS", raising=False)
    return "bundled"


def _load_script(name: str) -> ModuleType:
    """Import ``scripts/<name>.py`` as module ``name`` (scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_script():
    """``load_script("train_ner")``: the script ``scripts/train_ner.py`` as a module."""
    return _load_script
