"""Write the navigation line (previous | contents | next) of every notebook.

The notebooks are paired with jupytext ``py:percent`` sources (``notebooks/NN_name.py``),
which are the files to edit. Each source holds the navigation line twice: as the first line
of its first Markdown cell and as the last line of its last Markdown cell. A line that is
exactly ``# NAV`` is a placeholder for it. This script rewrites both from the numbered file
names, so that renumbering or adding a notebook never leaves a stale link::

    python scripts/notebook_nav.py          # rewrite the .py sources, then `make sync`
    python scripts/notebook_nav.py --check  # exit 1 and list the files whose lines differ

The link text comes from the file name: ``04_sentiment`` -> ``04 Sentiment``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CONTENTS = "[Contents](../README.md)"
_NAV_LINE = re.compile(r"^# (NAV|(\*Start\*|\[← [^\]]*\]\([^)]*\.ipynb\)) \| \[Contents\]\([^)]*\) \| .*)$")


def notebook_sources(folder: Path = NOTEBOOKS) -> list[Path]:
    """The paired ``py:percent`` sources ``NN_name.py`` of ``folder``, in order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.py"))


def link_text(stem: str) -> str:
    """``04_sentiment`` -> ``04 Sentiment``; ``07_your_own_articles`` -> ``07 Your own articles``."""
    number, _, rest = stem.partition("_")
    words = rest.replace("_", " ")
    return f"{number} {words[:1].upper()}{words[1:]}"


def nav_line(stems: list[str], i: int) -> str:
    """The navigation line of the ``i``-th notebook among ``stems``."""
    prev = "*Start*" if i == 0 else f"[← {link_text(stems[i - 1])}]({stems[i - 1]}.ipynb)"
    if i + 1 < len(stems):
        nxt = f"[{link_text(stems[i + 1])} →]({stems[i + 1]}.ipynb)"
    else:
        nxt = f"[{link_text(stems[0])} ↺]({stems[0]}.ipynb)"
    return f"{prev} | {CONTENTS} | {nxt}"


def rewrite(text: str, line: str) -> tuple[str, int]:
    """``text`` with every navigation line (or ``# NAV`` placeholder) set to ``line``, and the
    number of navigation lines found."""
    out, found = [], 0
    for row in text.split("\n"):
        if _NAV_LINE.match(row):
            row, found = f"# {line}", found + 1
        out.append(row)
    return "\n".join(out), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report stale lines, change nothing")
    parser.add_argument("--folder", type=Path, default=NOTEBOOKS)
    args = parser.parse_args(argv)
    sources = notebook_sources(args.folder)
    stems = [p.stem for p in sources]
    problems = []
    for i, path in enumerate(sources):
        text = path.read_text(encoding="utf-8")
        new, found = rewrite(text, nav_line(stems, i))
        if found != 2:
            problems.append(f"{path.name}: {found} navigation line(s), expected 2 (first line of "
                            "the first Markdown cell and last line of the last one; write `# NAV`)")
        if new != text:
            if args.check:
                problems.append(f"{path.name}: navigation line is stale; run "
                                "`python scripts/notebook_nav.py` then `make sync`")
            else:
                path.write_text(new, encoding="utf-8")
                print(f"updated {path.name}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
