"""The training script's external-name list (read without installing arabnamer)."""

from __future__ import annotations

import json
import zipfile

import pytest


@pytest.fixture(scope="module")
def train_ner(load_script):
    return load_script("train_ner")


def test_name_list_keys_every_word_of_at_least_three_letters(train_ner):
    data = json.dumps({"aaron": "آرون", "ibn al-qayyim": "ابن القيم", "aba": "أبا",
                       "abu": "أب"}, ensure_ascii=False).encode()
    # match keys: alef variants unified (آرون -> ارون); two-letter words dropped
    assert train_ner.read_name_list(data) == {"ارون", "ابن", "القيم", "ابا"}


def test_name_list_from_a_file(train_ner, tmp_path):
    path = tmp_path / "names.json"
    path.write_text(json.dumps({"haftar": "حفتر"}, ensure_ascii=False), encoding="utf-8")
    assert train_ner.read_name_list(train_ner.name_list_bytes(str(path))) == {"حفتر"}


def test_cached_wheel_with_other_content_is_refused(train_ner, tmp_path, monkeypatch):
    monkeypatch.setattr(train_ner, "CACHE", tmp_path)
    (tmp_path / "names").mkdir()
    with zipfile.ZipFile(tmp_path / "names" / "arabnamer-0.1.3-py3-none-any.whl", "w") as zf:
        zf.writestr(train_ner.NAMES_MEMBER, '{"x": "سين"}')
    with pytest.raises(SystemExit, match="differs from the version"):
        train_ner.name_list_bytes(train_ner.NAMES_PACKAGE)
    # another requirement (a newer arabnamer, say) is read as it is
    data = train_ner.name_list_bytes("arabnamer==9.9")
    assert train_ner.read_name_list(data) == {"سين"}
