"""Plot set-up shared by every notebook: style, an Arabic-capable font, seeds, display
options, consistent actor colours and ``save_fig``.

matplotlib >= 3.11 shapes Arabic itself (libraqm): pass raw Arabic strings to it.
Do **not** apply ``arabic_reshaper`` + ``bidi.get_display``: on 3.11 that draws the
text backwards.
"""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

from .paths import FIGURES_DIR

ARABIC_FONT = "Noto Sans Arabic"
SEED = 2020
_current_notebook: str | None = None

# Colour-blind-safe palette (Okabe-Ito + Tableau extras); actors keep one colour everywhere.
PALETTE = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
    "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#2CA02C",
]
ENTITY_COLORS = {"PERS": "#D55E00", "LOC": "#0072B2", "ORG": "#009E73", "MISC": "#CC79A7"}


def register_arabic_font() -> str:
    """Register the bundled Noto Sans Arabic font (PyPI ``fontpkg-noto-sans-arabic``) with
    matplotlib and return the family name to use; falls back to DejaVu Sans, which has
    Arabic glyphs too."""
    try:
        import fontpkg_noto_sans_arabic as pkg

        for path in Path(pkg.ROOT).rglob("*.[ot]tf"):
            font_manager.fontManager.addfont(str(path))
        return pkg.FAMILY
    except Exception:  # noqa: BLE001 - the fallback font still renders Arabic
        return "DejaVu Sans"


def setup(notebook: str | None = None, seed: int = SEED) -> dict:
    """One call at the top of every notebook: style, font, seeds, pandas display options.

    ``notebook`` (e.g. ``"01_corpus_and_cleaning"``) names the figures that
    :func:`save_fig` writes. Returns a small dict of what was set, for display.
    """
    global _current_notebook
    if notebook:
        _current_notebook = notebook
    _inline_in_notebook()
    family = register_arabic_font()
    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", family],
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "figure.figsize": (9, 5),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.titleweight": "bold",
            "svg.hashsalt": "arabic-news",
        }
    )
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # torch is optional for the plotting helpers
        pass
    try:
        import pandas as pd

        pd.set_option("display.max_colwidth", 120)
        pd.set_option("display.width", 160)
        pd.set_option("display.max_rows", 60)
    except ImportError:
        pass
    return {"notebook": _current_notebook, "font": family, "seed": seed,
            "matplotlib": matplotlib.__version__}


def _inline_in_notebook() -> None:
    """Show figures inline in a Jupyter kernel even when ``MPLBACKEND=Agg`` is exported (the
    Makefile sets it so that scripts and tests never need a screen)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
        shell.run_line_magic("matplotlib", "inline")


def figure_path(name: str, notebook: str | None = None) -> Path:
    """Path ``figures/<notebook>-<name>.png`` (``ARABIC_NEWS_FIGURES`` overrides the folder)."""
    nb = notebook or _current_notebook or "figure"
    folder = Path(os.environ.get("ARABIC_NEWS_FIGURES", FIGURES_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{nb}-{name}.png"


def save_fig(name: str, fig: plt.Figure | None = None, notebook: str | None = None) -> Path:
    """Save the current (or given) figure as ``figures/<notebook>-<name>.png`` and return the
    path relative to the repository (no machine paths in notebook outputs)."""
    fig = fig or plt.gcf()
    path = figure_path(name, notebook)
    fig.savefig(path, bbox_inches="tight", metadata={"Software": None})
    try:
        return path.relative_to(FIGURES_DIR.parent)
    except ValueError:
        return Path(path.name)


# Fixed, distinct colours for the actors that dominate coverage of the Libyan conflict, so
# that they never share a colour when drawn together; every other id gets a colour from
# OTHER_PALETTE by a stable hash of its id.
KEY_ACTOR_COLORS = {
    "haftar": "#8B0000", "lna": "#D62728", "aguila_saleh": "#FF9896", "hor": "#E377C2",
    "sarraj": "#08306B", "gna": "#1F77B4", "presidential_council": "#6BAED6",
    "dbeibah": "#17BECF", "gnu": "#9EDAE5", "menfi": "#393B79",
    "turkey": "#2CA02C", "erdogan": "#98DF8A", "russia": "#7F3C8D", "putin": "#C5B0D5",
    "wagner": "#4D004B", "egypt": "#FF7F0E", "sisi": "#FFBB78", "uae": "#8C564B",
    "france": "#BCBD22", "italy": "#DBDB8D", "usa": "#525252", "un": "#00A6A6",
    "unsmil": "#66C2A4", "libya": "#000000", "tripoli": "#637939", "sirte": "#B5CF6B",
    "algeria": "#CE6DBD", "berlin_conference": "#843C39",
}
OTHER_PALETTE = [
    "#7F7F7F", "#A55194", "#8C6D31", "#BD9E39", "#E7BA52", "#AD494A", "#D6616B",
    "#6B6ECF", "#9C9EDE", "#31A354", "#3182BD", "#E6550D", "#756BB1", "#636363",
]


def actor_color(actor_id: str) -> str:
    """A stable colour for an actor id, the same in every figure of the collection.

    The main actors have fixed, mutually distinct colours (``KEY_ACTOR_COLORS``); any
    other id (including ones a student adds) gets one from a stable hash of the id.

    >>> actor_color("haftar"), actor_color("gna")
    ('#8B0000', '#1F77B4')
    >>> actor_color("my_new_actor") == actor_color("my_new_actor")
    True
    """
    if actor_id in KEY_ACTOR_COLORS:
        return KEY_ACTOR_COLORS[actor_id]
    digest = hashlib.sha1(actor_id.encode("utf-8")).digest()
    return OTHER_PALETTE[digest[0] % len(OTHER_PALETTE)]
