"""Plot set-up: fonts, figure naming, actor colours, Arabic text in saved PNGs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import plotting  # noqa: E402


@pytest.fixture
def figures_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ARABIC_NEWS_FIGURES", str(tmp_path))
    return tmp_path


def test_setup_registers_an_arabic_font_and_seeds():
    info = plotting.setup("99_test")
    assert info["notebook"] == "99_test"
    families = {f.name for f in matplotlib.font_manager.fontManager.ttflist}
    assert info["font"] in families
    first = np.random.rand()
    plotting.setup("99_test")
    assert np.random.rand() == first  # same seed, same numbers


def test_save_fig_names_the_file_after_the_notebook(figures_dir):
    plotting.setup("98_naming")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    rel = plotting.save_fig("line", fig)
    plt.close(fig)
    assert (figures_dir / "98_naming-line.png").is_file()
    assert rel.name == "98_naming-line.png"
    assert not str(rel).startswith("/")  # no machine path shown in notebooks


def _ink_columns(path) -> int:
    img = plt.imread(path)[..., :3].mean(axis=2)
    return int((img < 0.5).any(axis=0).sum())


def test_arabic_label_is_drawn_with_glyphs_not_boxes(figures_dir):
    """Shaping works: the joined word is narrower than the same letters kept apart by
    zero-width non-joiners (which only stop joining). Without shaping both would draw
    the same isolated letter forms."""
    plotting.setup("97_arabic")
    widths = {}
    for name, label in {"joined": "حكومة الوفاق", "isolated": "\u200c".join("حكومة الوفاق")}.items():
        fig = plt.figure(figsize=(4, 1))
        fig.text(0.05, 0.4, label, fontsize=20)
        path = plotting.figure_path(name, "97_arabic")
        fig.savefig(path)
        widths[name] = _ink_columns(path)
        plt.close(fig)
    assert 0 < widths["joined"] < widths["isolated"]


def test_key_actor_colours_are_distinct_and_stable():
    colours = list(plotting.KEY_ACTOR_COLORS.values())
    assert len(colours) == len(set(colours))
    assert plotting.actor_color("haftar") != plotting.actor_color("gna")
    assert plotting.actor_color("new_actor_x") == plotting.actor_color("new_actor_x")
    assert plotting.actor_color("new_actor_x") in plotting.OTHER_PALETTE
