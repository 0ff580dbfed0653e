"""Command line: ``python -m helpers analyze INPUT [INPUT ...] --out DIR``.

Runs the whole analysis (:func:`helpers.pipeline.analyze`) and writes to ``DIR``:
``tables/`` (every table as CSV and Parquet, plus ``analysis.json``), ``figures/`` (PNG)
and ``report.html`` (self-contained: figures embedded, Arabic right to left, text escaped).

Exit status: 0 when every input was analysed, 2 when some inputs were skipped (each is
listed with its reason on stderr and in the report), 1 on a usage error (bad option,
missing input path, unknown model profile, no network for a URL list).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2

DESCRIPTION = "Analyse Arabic news articles: entities, actors, sentiment, stance, timelines."
ANALYZE_HELP = """\
Run every stage (load, clean, sentences, NER, actors, targeted sentiment, stance, time
tables) on your articles and write tables, figures and a self-contained HTML report.

examples:
  python -m helpers analyze data/corpus --out out/
  python -m helpers analyze my_articles/ extra.csv --out out/ --models auto
  python -m helpers analyze urls.txt --out out/            (one URL per line; needs network)
  cat article.txt | python -m helpers analyze - --out out/  (one article from stdin)
  python -m helpers analyze article.txt --out out/ --actors my_actors.csv --no-metonymy

output (in --out):
  report.html   open in a browser: entities highlighted, actors, sentiment, stance
  tables/       every table as .csv (UTF-8 with BOM, opens in spreadsheets) and .parquet
  figures/      the report's figures as PNG

exit status: 0 all inputs analysed; 2 some inputs skipped (reasons on stderr and in the
report); 1 usage error.
"""


class UsageError(Exception):
    """A mistake in the command line; the message says how to fix it."""


class _Parser(argparse.ArgumentParser):
    """argparse exits with status 2 on a usage error; this project promises 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m helpers`` (sub-command ``analyze``)."""
    parser = _Parser(prog="python -m helpers", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    analyze = sub.add_parser(
        "analyze", help="analyse articles and write tables, figures and report.html",
        description=ANALYZE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    analyze.add_argument(
        "inputs", nargs="+", metavar="INPUT",
        help="a .txt article (optional front matter with title/date/source), a folder of "
             "articles (read recursively), a .csv or .jsonl export, a saved .html page, a "
             ".txt list of URLs (one per line, downloaded politely and cached), a URL, or '-' "
             "to read one article from stdin; e.g. data/corpus")
    analyze.add_argument(
        "--out", required=True, metavar="DIR", type=Path,
        help="folder for report.html, tables/ and figures/ (created if missing); e.g. out/")
    analyze.add_argument(
        "--models", choices=("bundled", "camelbert", "auto"), default=None,
        help="NER and sentiment models: 'bundled' (offline models shipped in the repository, "
             "the default), 'camelbert' (CAMeLBERT from the Hugging Face cache or hub), "
             "'auto' (CAMeLBERT when available, else bundled); default: "
             "$ARABIC_NEWS_MODELS or bundled; e.g. --models auto")
    analyze.add_argument(
        "--actors", metavar="FILE", type=Path, default=None,
        help="actor dictionary CSV with the columns of data/actors.csv (default: "
             "data/actors.csv); e.g. --actors my_actors.csv")
    analyze.add_argument(
        "--no-metonymy", dest="metonymy", action="store_false",
        help="keep capitals as places (باريس = Paris) instead of reading them as their "
             "states (باريس = France), which is the default")
    analyze.add_argument(
        "--freq", choices=("auto", "D", "W", "M"), default="auto",
        help="time bin of the timelines for dated articles: day, week, month, or 'auto' "
             "(chosen from how dense the dates are; the default); e.g. --freq M")
    analyze.add_argument(
        "--no-progress", dest="progress", action="store_const", const=False, default=None,
        help="no progress bar (by default one is shown for more than 3 articles)")
    analyze.add_argument(
        "--title", default="Arabic news analysis",
        help="title of the report; e.g. --title 'Libya, June 2020'")
    return parser


def _check_inputs(inputs: Sequence[str]) -> list[str | Path]:
    from .fetch import is_url

    checked: list[str | Path] = []
    if inputs.count("-") > 1:
        raise UsageError("'-' (stdin) can be given only once")
    for item in inputs:
        if item == "-":
            text = sys.stdin.read()
            if not text.strip():
                raise UsageError("nothing was read from stdin: pipe an Arabic article into "
                                 "the command, or give a file or folder instead of '-'")
            checked.append(text)
        elif is_url(item):
            checked.append(item)
        else:
            path = Path(item)
            if not path.exists():
                raise UsageError(f"input {item!r} does not exist: give a file, a folder, a "
                                 "URL-list .txt, a URL, or '-' for stdin")
            checked.append(path)
    return checked


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run_analyze(args: argparse.Namespace) -> int:
    """Carry out ``analyze``; return the exit status."""
    from .fetch import NetworkUnavailable
    from .pipeline import analyze
    from .report import make_figures, write_report

    sources = _check_inputs(args.inputs)
    if args.actors is not None:
        from .actors import load_actors

        if not args.actors.is_file():
            raise UsageError(f"--actors {str(args.actors)!r} is not a file: give a CSV with "
                             "the columns of data/actors.csv")
        try:
            load_actors(args.actors)
        except ValueError as exc:
            raise UsageError(f"--actors {args.actors.name}: {exc}") from exc
    try:
        analysis = analyze(sources if len(sources) > 1 else sources[0], models=args.models,
                           actors=args.actors, metonymy=args.metonymy, freq=args.freq,
                           progress=args.progress)
    except NetworkUnavailable as exc:
        raise UsageError(str(exc)) from exc
    out: Path = args.out
    analysis.to_dir(out / "tables")
    figures = make_figures(analysis, out / "figures")
    report = write_report(analysis, out, figures=figures, title=args.title)
    skipped = analysis.load_report
    for row in skipped.itertuples(index=False):
        print(f"skipped: {row.file}: {row.problem} ({row.action})", file=sys.stderr)
    for note in analysis.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"{len(analysis.articles)} article(s) analysed, {analysis.skipped} input(s) skipped; "
          f"NER model {analysis.profile.get('ner_model')}; report: {_relative(report)}")
    return EXIT_SKIPPED if analysis.skipped or analysis.articles.empty else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m helpers``; returns the exit status.

    >>> main(["analyze", "data/corpus", "--out", "out"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "analyze":
            return run_analyze(args)
    except UsageError as exc:
        print(f"{parser.prog} analyze: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"{parser.prog} analyze: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
