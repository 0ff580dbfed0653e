"""The notebooks as files: paired sources in sync, navigation lines current, a closing summary,
and every committed figure named after a notebook that exists.

nbval re-runs the notebooks themselves (`make test`); these checks catch what nbval cannot:
a `.py` source edited without `make sync`, a renumbered notebook with stale links, a figure
left behind by a renamed notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import nbformat
import pytest

from helpers.paths import FIGURES_DIR, NOTEBOOKS_DIR, REPO_ROOT

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in nb.cells]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_and_its_source_hold_the_same_cells(path: Path):
    source = path.with_suffix(".py")
    assert source.exists(), f"{source.name} missing: run `make sync`"
    ipynb = nbformat.read(path, as_version=4)
    paired = jupytext.read(source)
    assert _cells(ipynb) == _cells(paired), (
        f"{path.name} and {source.name} differ: edit the .py source and run `make sync`")
    formats = ipynb.metadata.get("jupytext", {}).get("formats", "")
    assert "py:percent" in formats


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_ends_with_a_summary(path: Path):
    nb = nbformat.read(path, as_version=4)
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    assert "## In this notebook" in markdown[-1]


def test_navigation_lines_are_current(load_script):
    nav = load_script("notebook_nav")
    sources = nav.notebook_sources()
    stems = [p.stem for p in sources]
    assert stems == [p.stem for p in NOTEBOOKS]
    for i, path in enumerate(sources):
        text = path.read_text(encoding="utf-8")
        line = nav.nav_line(stems, i)
        assert text.count(f"# {line}\n") + text.endswith(f"# {line}") == 2, path.name


def test_navigation_line_links_neighbours(load_script):
    nav = load_script("notebook_nav")
    stems = ["01_a", "02_b_c", "03_d"]
    assert nav.nav_line(stems, 0) == "*Start* | [Contents](../README.md) | [02 B c →](02_b_c.ipynb)"
    assert nav.nav_line(stems, 1).startswith("[← 01 A](01_a.ipynb) | ")
    assert nav.nav_line(stems, 2).endswith("[01 A ↺](01_a.ipynb)")
    rewritten, found = nav.rewrite("# NAV\ntext\n# [← 00 X](00_x.ipynb) | [Contents](../README.md) | y",
                                   "NEW")
    assert found == 2 and rewritten == "# NEW\ntext\n# NEW"


def test_every_figure_belongs_to_a_notebook():
    stems = {p.stem for p in NOTEBOOKS}
    for png in FIGURES_DIR.glob("*.png"):
        assert png.name.split("-", 1)[0] in stems, f"{png.name}: no notebook of that name"


def test_readme_lists_every_notebook():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"\(notebooks/(\d\d_[a-z_]+)\.ipynb\)", readme))
    assert listed == {p.stem for p in NOTEBOOKS}
