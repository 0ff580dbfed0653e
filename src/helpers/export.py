"""Safe exports: tables written as CSV for spreadsheets, and output folders that are
either complete or absent.

* :func:`spreadsheet_safe` neutralises text cells that a spreadsheet program would run as a
  formula (CSV injection, OWASP): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return gets a leading single quote, which spreadsheets show as text. Use it
  for CSV only; Parquet keeps the exact text.
* :func:`staged_output` writes into a temporary folder beside the destination and moves it
  into place only when everything has been written, so an interrupted run never leaves
  a half-written folder that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text that starts like a formula.

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell("-حفتر"), neutralise_cell("ليبيا"), neutralise_cell(-0.5)
    ("'-حفتر", 'ليبيا', -0.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (:func:`neutralise_cell`); numbers, dates and missing values are unchanged.

    >>> spreadsheet_safe(pd.DataFrame({"surface": ["=1+1", "ليبيا"], "score": [-1.0, 0.5]}))
      surface  score
    0   '=1+1   -1.0
    1   ليبيا    0.5
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell).astype(out[col].dtype)
    return out


@contextlib.contextmanager
def staged_output(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; when the block ends without an error, its
    content replaces ``out`` (files of ``out`` that the run did not write are kept). On an
    error or Ctrl-C the temporary folder is removed and ``out`` is left as it was.

    >>> with staged_output("out") as tmp:  # doctest: +SKIP
    ...     (tmp / "report.html").write_text("...")
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield tmp
        out.mkdir(exist_ok=True)
        for item in sorted(tmp.iterdir()):
            target = out / item.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            elif target.exists() or target.is_symlink():
                target.unlink()
            os.replace(item, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
