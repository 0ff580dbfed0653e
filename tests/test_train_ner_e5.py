"""The e5 encoder's conversion (scripts/train_ner_e5.py): the wheel's 4-bit image read into a
transformers model with a pruned Arabic vocabulary, tested on a small image built here."""

from __future__ import annotations

import struct

import numpy as np
import pytest


@pytest.fixture(scope="module")
def e5(load_script):
    return load_script("train_ner_e5")


def quantise(w: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Q4_0 bytes of ``w`` (blocks of 32) and the values they decode to."""
    flat = w.reshape(-1, 32).astype(np.float32)
    scale = (np.abs(flat).max(axis=1) / 7.0).astype(np.float16)
    q = np.clip(np.rint(flat / np.maximum(scale.astype(np.float32), 1e-8)[:, None]) + 8, 0, 15
                ).astype(np.uint8)
    packed = q[:, :16] | (q[:, 16:] << 4)
    raw = b"".join(s.tobytes() + p.tobytes() for s, p in zip(scale, packed, strict=True))
    return raw, ((q.astype(np.float32) - 8) * scale.astype(np.float32)[:, None]).reshape(-1)


def build_image(pieces: list[str], hidden: int = 32, ffn: int = 64, seed: int = 0
                ) -> tuple[bytes, dict[str, np.ndarray]]:
    """An E5S1 image with one layer (layout of the wheel's e5.c) and the decoded tensors."""
    rng = np.random.default_rng(seed)
    shapes = {"emb.word": (len(pieces), hidden), "emb.pos": (16, hidden),
              "emb.type": (2, hidden), "emb.ln.w": (hidden,), "emb.ln.b": (hidden,)}
    for name, out, inp in (("q", hidden, hidden), ("k", hidden, hidden), ("v", hidden, hidden),
                           ("ao", hidden, hidden), ("fi", ffn, hidden), ("fo", hidden, ffn)):
        shapes[f"l0.{name}.w"] = (out, inp)
        shapes[f"l0.{name}.b"] = (out,)
    for name in ("aln.w", "aln.b", "oln.w", "oln.b"):
        shapes[f"l0.{name}"] = (hidden,)
    blobs, decoded = {}, {}
    for name, shape in shapes.items():
        w = rng.normal(0, 0.5, shape).astype(np.float32)
        if name.endswith(".w") and len(shape) == 2 or name == "emb.word":
            raw, decoded[name] = quantise(w)
            blobs[name] = (1, raw)
        else:
            blobs[name] = (0, w.tobytes())
            decoded[name] = w.reshape(-1)
    text = [p.encode("utf-8") for p in pieces]
    offs = np.cumsum([0] + [len(t) for t in text]).astype("<u4")
    head = b"E5S1" + struct.pack("<I", 1)
    head += struct.pack("<7i", hidden, 1, 2, ffn, len(pieces), 16, 2)
    head += struct.pack("<fi", 1e-12, 32)
    head += struct.pack("<5i", len(pieces), 0, 2, 1, 3) + struct.pack("<Q", len(b"".join(text)))
    head += offs.tobytes() + np.linspace(0, -10, len(pieces)).astype("<f4").tobytes()
    head += b"".join(text)
    norm = struct.pack("<I", 0x0675) + bytes([2]) + struct.pack("<2I", 0x0627, 0x0674)
    head += struct.pack("<iI", 1, len(norm)) + norm
    names = list(blobs)
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in names)
    offset, entries, data = len(head) + dir_size, b"", b""
    for name in names:
        dtype, raw = blobs[name][0], blobs[name][1]
        n = int(np.prod(shapes[name]))
        entries += struct.pack("<H", len(name)) + name.encode() + bytes([dtype])
        entries += struct.pack("<IQQ", n, offset + len(data), len(raw))
        data += raw
    return head + struct.pack("<i", len(names)) + entries + data, decoded


PIECES = ["<s>", "<pad>", "</s>", "<unk>", "\u2581", "\u2581ال", "\u2581the", "قوات", "e",
          "\u25812020", "é", "<mask>"]


def test_q4_blocks_decode_low_nibbles_first(e5):
    scale = np.float16(0.5).tobytes()
    qs = bytes([0x9F] + [0x88] * 15)  # weight 0 = 15 -> 3.5, weight 16 = 9 -> 0.5
    out = e5._dequant_q4(scale + qs, 32)
    assert out[0] == 3.5 and out[16] == 0.5 and out[1] == 0.0


def test_image_is_parsed_as_the_wheel_lays_it_out(e5):
    data, decoded = build_image(PIECES)
    image = e5.parse_image(data)
    assert image["pieces"] == PIECES and image["vocab"] == len(PIECES)
    assert image["special"] == {"bos": 0, "eos": 2, "pad": 1, "unk": 3}
    assert image["norm"] == {0x0675: (0x0627, 0x0674)}
    for name, values in decoded.items():
        assert image["tensors"][name] == pytest.approx(values), name
    with pytest.raises(SystemExit, match="E5S1"):
        e5.parse_image(b"GGUF" + data[4:])


def test_pruned_model_keeps_the_arabic_rows_and_tokenises_arabic(e5, tmp_path):
    import torch
    import transformers

    data, decoded = build_image(PIECES)
    e5.build_base(e5.parse_image(data), tmp_path)
    keep = e5.kept_pieces(PIECES)
    assert [PIECES[i] for i in keep] == ["<s>", "<pad>", "</s>", "<unk>", "\u2581",
                                          "\u2581ال", "قوات", "e", "\u25812020", "<mask>"]
    model = transformers.AutoModelForTokenClassification.from_pretrained(tmp_path)
    word = model.bert.embeddings.word_embeddings.weight.detach().numpy()
    assert word == pytest.approx(decoded["emb.word"].reshape(len(PIECES), 32)[keep])
    q = model.bert.encoder.layer[0].attention.self.query.weight.detach().numpy()
    assert q == pytest.approx(decoded["l0.q.w"].reshape(32, 32))  # [out, in], as torch
    assert model.config.id2label[0] == "O" and model.config.num_labels == len(e5.LABELS)
    tok = transformers.AutoTokenizer.from_pretrained(tmp_path)
    assert tok.convert_ids_to_tokens(tok("القوات")["input_ids"]) == ["<s>", "\u2581ال", "قوات",
                                                                      "</s>"]
    with torch.no_grad():
        out = model(**tok(["القوات 2020"], return_tensors="pt")).logits
    assert out.shape == (1, 5, len(e5.LABELS))


def test_training_sequences_label_first_pieces_and_cut_long_sentences(e5, tmp_path):
    import transformers

    data, _ = build_image(PIECES)
    e5.build_base(e5.parse_image(data), tmp_path)
    tok = transformers.AutoTokenizer.from_pretrained(tmp_path)
    (seqs,) = e5.training_pieces(tok, [(["القوات", "2020"], ["B-ORG", "O"])])
    assert seqs == [(tok("القوات 2020", add_special_tokens=False)["input_ids"], [3, -100, 0])]
    (cut,) = e5.training_pieces(tok, [(["القوات", "القوات"], ["B-ORG", "I-ORG"])], budget=2)
    assert [labels for _, labels in cut] == [[3, -100], [3, -100]]  # I- opens the new piece


def test_an_image_other_than_the_pinned_one_is_refused(e5, tmp_path):
    path = tmp_path / "e5-small-q4.bin"
    path.write_bytes(build_image(PIECES)[0])
    with pytest.raises(SystemExit, match="differs"):
        e5.wheel_bytes(str(path))


def test_model_card_block_holds_the_epochs_and_test_scores(e5, tmp_path):
    card = tmp_path / "MODEL_CARD.md"
    card.write_text("# card\n<!-- E5 SCORES -->\nold\n<!-- /E5 SCORES -->\nend\n")
    row = {"precision": 0.5, "recall": 0.25, "f1": 1 / 3, "support": 8}
    record = {"history": [{"epoch": 1, "dev_f1": 0.4, "dev_org_recall": 0.1, "seconds": 9.0},
                          {"epoch": 2, "dev_f1": 0.6, "dev_org_recall": 0.5, "seconds": 9.0}],
              "epochs": 2, "lr": 2e-4, "batch_tokens": 2048, "oversample": ["ORG=3"],
              "seed": 13, "minutes": 1.0,
              "test": {"micro": row, "types": {"ORG": row}}}
    e5.fill_model_card(card, record)
    text = card.read_text()
    assert "old" not in text and text.endswith("end\n")
    assert "| 2 | 60.0 | 50.0 | 9 |" in text and "Best dev epoch: 2 of 2" in text
    assert "| ORG | 50.0 | 25.0 | 33.3 | 8 |" in text and "ORG=3" in text
    assert "Shipped:" not in text

    # a --full record: the dev run's table chose the settings; the run itself is described
    full = {"history": [{"epoch": 1, "loss": 0.3, "seconds": 9.0}], "epochs": 1,
            "train_sentences": 3973, "minutes": 2.0, "full": True,
            "dev_run": {k: v for k, v in record.items() if k != "test"},
            "test": record["test"]}
    e5.fill_model_card(card, full)
    text = card.read_text()
    assert "| 1 | 40.0 | 10.0 | 9 |" in text and "of the dev run that chose" in text
    assert "all 3,973 sentences" in text and "1 epochs, the last kept" in text
    assert "| ORG | 50.0 | 25.0 | 33.3 | 8 |" in text


def test_finetune_without_dev_trains_every_epoch_and_keeps_the_last(e5, tmp_path):
    import argparse

    import torch

    data, _ = build_image(PIECES)
    e5.build_base(e5.parse_image(data), tmp_path)
    sentences = [(["القوات", "2020"], ["B-ORG", "O"]), (["ال", "القوات"], ["O", "B-LOC"])]
    args = argparse.Namespace(seed=1, oversample=["ORG=2"], lr=1e-2, batch_tokens=64, epochs=3)
    from transformers import BertForTokenClassification

    before = BertForTokenClassification.from_pretrained(tmp_path)
    model, _, history = e5.finetune(tmp_path, sentences, [], args)
    assert [h["epoch"] for h in history] == [1, 2, 3] and all("loss" in h for h in history)
    assert history[-1]["loss"] < history[0]["loss"]  # it learns the two sentences
    emb = model.bert.embeddings.word_embeddings.weight
    assert torch.equal(emb, before.bert.embeddings.word_embeddings.weight)  # frozen
    assert not torch.equal(model.classifier.weight, before.classifier.weight)
    assert not model.training


def test_saved_model_is_sharded_float16_and_loads_back(e5, tmp_path, monkeypatch):
    import torch
    from transformers import AutoTokenizer, BertForTokenClassification

    data, _ = build_image(PIECES)
    base, out = tmp_path / "base", tmp_path / "out"
    e5.build_base(e5.parse_image(data), base)
    model = BertForTokenClassification.from_pretrained(base)
    out.mkdir()
    (out / "model.safetensors").write_bytes(b"stale")  # a previous single-file save
    monkeypatch.setattr(e5, "SHARD_SIZE", "5KB")
    e5.save_model(model, AutoTokenizer.from_pretrained(base), out)
    shards = sorted(p.name for p in out.glob("model*.safetensors"))
    assert len(shards) > 1 and "model.safetensors" not in shards
    assert all((out / s).stat().st_size < 12_000 for s in shards)
    back = BertForTokenClassification.from_pretrained(out)
    assert back.dtype == torch.float32 and model.dtype == torch.float32
    for (name, a), (_, b) in zip(model.state_dict().items(), back.state_dict().items(),
                                 strict=True):
        assert torch.allclose(a, b, atol=2e-3, rtol=1e-3), name  # float16 rounding only
