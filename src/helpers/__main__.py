"""Command line: ``python -m helpers analyze INPUT [INPUT ...] --out DIR``.

Runs the whole analysis (:func:`helpers.pipeline.analyze`) and writes to ``DIR``:
``tables/`` (every table as CSV and Parquet, plus ``analysis.json``), ``figures/`` (PNG)
and ``report.html`` (self-contained: figures embedded, Arabic right to left, text escaped).

Exit status: 0 when every input was analysed, 2 when some inputs were skipped (each is
listed with its reason on stderr and in the report), 1 on a usage error (bad option,
missing input path, unknown model profile, an ``--out`` that cannot be written, no
network for a URL list), 130 when interrupted (Ctrl-C). ``--out`` is checked before any
work, and the outputs are written into a temporary folder beside it that replaces it
only when everything is written: an interrupted run leaves ``--out`` as it was.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from .models import PROFILES, ModelUnavailable

EXIT_OK, EXIT_USAGE, EXIT_SKIPPED, EXIT_INTERRUPTED = 0, 1, 2, 130

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
  python -m helpers analyze export.csv --out out/ --text-column body --date-column published
  python -m helpers analyze old_pages/ --out out/ --encoding cp1256 --min-arabic-ratio 0.1

output (in --out):
  report.html   open in a browser: entities highlighted, actors, sentiment, stance
  tables/       every table as .csv (UTF-8 with BOM, opens in spreadsheets) and .parquet
  figures/      the report's figures as PNG

exit status: 0 all inputs analysed; 2 some inputs skipped (reasons on stderr and in the
report); 1 usage error; 130 interrupted (Ctrl-C: --out is left as it was).
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
        "--out", required=True, metavar="DIR",
        help="folder for report.html, tables/ and figures/ (created if missing); e.g. out/")
    analyze.add_argument(
        "--models", choices=PROFILES, default=None,
        help="NER and sentiment models: 'bundled' (offline models shipped in the repository, "
             "the default), 'fast' (the bundled models without the NER encoder: about ten "
             "times faster, for large archives), 'camelbert' (CAMeLBERT from the Hugging Face cache or hub), "
             "'auto' (CAMeLBERT when available, else bundled); default: "
             "$ARABIC_NEWS_MODELS or bundled; e.g. --models auto")
    analyze.add_argument(
        "--actors", metavar="FILE", type=Path, default=None,
        help="actor dictionary CSV with the columns of data/actors.csv (default: "
             "data/actors.csv); e.g. --actors my_actors.csv")
    analyze.add_argument(  # H6: the dictionary loop for students (helpers.discovery)
        "--suggest-actors", metavar="FILE", type=Path, default=None,
        help="also write the actors discovered in the texts (not in the dictionary) as "
             "rows in the actors.csv format, with counts and an example sentence, to review, "
             "complete and pass back with --actors; e.g. --suggest-actors suggested.csv")
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
        help="no progress bar (by default one is shown for more than 3 articles, and for "
             "one article of 1000 sentences or more)")
    analyze.add_argument(
        "--min-arabic-ratio", type=_ratio, default=0.3, metavar="R",
        help="skip documents whose letters are less than this share Arabic (0 to 1; "
             "default 0.3; 0 keeps every document); e.g. --min-arabic-ratio 0")
    analyze.add_argument(
        "--text-column", metavar="NAME", default=None,
        help="CSV column (or JSON/JSONL key) holding the article text (default: 'text'); "
             "e.g. --text-column body")
    analyze.add_argument(
        "--title-column", metavar="NAME", default=None,
        help="CSV column (or JSON key) holding the title (default: 'title'); "
             "e.g. --title-column headline")
    analyze.add_argument(
        "--date-column", metavar="NAME", default=None,
        help="CSV column (or JSON key) holding the date (default: 'date'); "
             "e.g. --date-column published")
    analyze.add_argument(
        "--encoding", metavar="CODEC", default=None,
        help="read every input file in this encoding instead of detecting it; "
             "e.g. --encoding cp1256 (Windows Arabic)")
    archive = analyze.add_argument_group(
        "archives (many articles; see helpers.archive)",
        "With any of these options the input is analysed in partitions: each partition's "
        "tables are written to DIR/parts/ as soon as it is done (memory stays bounded), a run "
        "that was stopped resumes where it stopped, and the corpus tables, figures and report "
        "are made from the partitions at the end.")
    archive.add_argument(
        "--partition-size", type=_positive, default=None, metavar="N",
        help="inputs (files of a folder, lines of a JSONL file) per partition; e.g. "
             "--partition-size 500")
    archive.add_argument(
        "--partition-by", choices=("count", "month"), default="count",
        help="'count' (the default) or 'month' (one partition per month of the records' "
             "date; one JSONL file only)")
    archive.add_argument(
        "--engine", choices=("local", "dask"), default="local",
        help="'local' (one process, the default) or 'dask' (a local Dask cluster of "
             "--workers processes, or the cluster at --scheduler); e.g. --engine dask")
    archive.add_argument(
        "--workers", type=_positive, default=None, metavar="N",
        help="Dask worker processes on this machine (default: one per CPU core); "
             "e.g. --workers 2")
    archive.add_argument(
        "--scheduler", metavar="ADDRESS", default=None,
        help="address of a running Dask scheduler (a Slurm or Kubernetes cluster, see the "
             "README); DIR must be on a file system the workers share; e.g. "
             "--scheduler tcp://10.0.0.5:8786")
    archive.add_argument(
        "--no-resume", dest="resume", action="store_false",
        help="analyse every partition again, even those a previous run completed")
    analyze.add_argument(
        "--title", default="Arabic news analysis",
        help="title of the report; e.g. --title 'Libya, June 2020'")
    return parser


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not at least 1")
    return number


def _archive_mode(args: argparse.Namespace) -> bool:
    return (args.partition_size is not None or args.engine != "local"
            or args.scheduler is not None or args.partition_by != "count"
            or args.workers is not None or not args.resume)


def _run_archive(args: argparse.Namespace, out: Path, sources: list[str | Path]) -> tuple:
    """The partitioned run of the archive options: ``(analysis, failed partitions)``."""
    from .archive import DEFAULT_PARTITION_SIZE, ArchiveError, Options, analyze_archive

    if any(not isinstance(s, Path) for s in sources):
        raise UsageError("the archive options read files and folders only: save URLs and "
                         "stdin to files first")
    if args.encoding or _load_options(args)["csv_columns"]:
        raise UsageError("--encoding and --*-column are not supported with the archive "
                         "options yet: convert the archive to UTF-8 JSON Lines with 'text', "
                         "'title' and 'date' keys")
    options = Options(models=args.models, actors=str(args.actors) if args.actors else None,
                      metonymy=args.metonymy, min_arabic_ratio=args.min_arabic_ratio)
    try:
        result = analyze_archive(sources, out, engine=args.engine, workers=args.workers,
                                 scheduler=args.scheduler,
                                 partition_size=args.partition_size or DEFAULT_PARTITION_SIZE,
                                 partition_by=args.partition_by, resume=args.resume,
                                 options=options, freq=args.freq, progress=args.progress)
    except ArchiveError as exc:
        raise UsageError(str(exc)) from exc
    return result.analysis, result.failed


def _ratio(value: str) -> float:
    try:
        ratio = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number between 0 and 1") from None
    if not 0 <= ratio <= 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not between 0 and 1")
    return ratio


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
            # a symbolic link loop or a broken link "does not exist" for Path.exists(): the
            # loader reports it as a link problem instead
            if not path.exists() and not path.is_symlink():
                raise UsageError(f"input {item!r} does not exist: give a file, a folder, a "
                                 "URL-list .txt, a URL, or '-' for stdin")
            checked.append(path)
    return checked


def check_out(out: str) -> Path:
    """The ``--out`` folder, checked before any work: not empty, not a file, and writable
    (a folder can be created there). Raises :class:`UsageError` with the fix."""
    if not out.strip():
        raise UsageError("--out is empty: name a folder for the results, e.g. --out out/")
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {out!r} is a file, not a folder: give a folder name, "
                         "e.g. --out out/")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out {out!r}: {str(existing)!r} is a file, so no folder can be "
                         "made there; choose another --out")
    try:  # the only reliable test (root, read-only file systems, /proc): make a folder there
        probe = tempfile.mkdtemp(prefix=".write-test-", dir=existing)
        os.rmdir(probe)
    except OSError as exc:
        raise UsageError(f"--out {out!r} cannot be written ({exc.strerror or exc} in "
                         f"{str(existing)!r}): choose a folder you can write to, "
                         "e.g. --out out/") from None
    return path


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _load_options(args: argparse.Namespace) -> dict[str, object]:
    columns = {key: getattr(args, f"{key}_column") for key in ("text", "title", "date")}
    return {"min_arabic_ratio": args.min_arabic_ratio, "encoding": args.encoding,
            "csv_columns": {k: v for k, v in columns.items() if v} or None}


def _line(message: str) -> str:
    """``message`` on one line (line breaks and runs of spaces made one space)."""
    return " ".join(message.split())


def run_analyze(args: argparse.Namespace) -> int:
    """Carry out ``analyze``; return the exit status."""
    from .corpus import split_report
    from .export import staged_output
    from .fetch import NetworkUnavailable
    from .models import ModelNote, collect_notes
    from .pipeline import analyze
    from .report import make_figures, write_report

    out = check_out(args.out)
    sources = _check_inputs(args.inputs)
    if args.encoding is not None:
        import codecs

        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise UsageError(f"--encoding {args.encoding!r} is not a known encoding: use a "
                             "name such as utf-8, cp1256 or iso8859_6") from None
    if args.actors is not None:
        from .actors import load_actors

        if not args.actors.is_file():
            raise UsageError(f"--actors {str(args.actors)!r} is not a file: give a CSV with "
                             "the columns of data/actors.csv")
        try:
            load_actors(args.actors)
        except ValueError as exc:
            raise UsageError(f"--actors {args.actors.name}: {exc}") from exc
    failed: list = []
    with staged_output(out) as staging, warnings.catch_warnings(), \
            collect_notes() as model_notes:
        # model-layer notes (cache, fall-back) become "note:" lines, not Python warnings
        warnings.simplefilter("ignore", ModelNote)
        if _archive_mode(args):
            analysis, failed = _run_archive(args, out, sources)
        else:
            try:
                analysis = analyze(sources if len(sources) > 1 else sources[0],
                                   models=args.models, actors=args.actors,
                                   metonymy=args.metonymy, freq=args.freq,
                                   progress=args.progress, load_options=_load_options(args))
            except NetworkUnavailable as exc:
                raise UsageError(str(exc)) from exc
        analysis.notes += [n for n in model_notes if n not in analysis.notes]
        analysis.to_dir(staging / "tables")
        figures = make_figures(analysis, staging / "figures")
        write_report(analysis, staging, figures=figures, title=args.title)
    if args.suggest_actors is not None:  # H6: discovered actors for the student to review
        from .discovery import suggest_actors

        try:
            rows = suggest_actors(analysis, args.suggest_actors)
        except OSError as exc:
            raise UsageError(f"--suggest-actors {str(args.suggest_actors)!r}: {exc}; give a "
                             "file path in a folder you can write to") from exc
        print(f"{len(rows)} discovered actor(s) written to {args.suggest_actors}: review them "
              "and pass them back with --actors", file=sys.stderr)
    skipped, notes = split_report(analysis.load_report)
    for row in skipped.itertuples(index=False):
        print(_line(f"skipped: {row.file}: {row.problem} ({row.action})"), file=sys.stderr)
    for row in notes.itertuples(index=False):
        print(_line(f"note: {row.file}: {row.problem} ({row.action})"), file=sys.stderr)
    for note in analysis.notes:
        print(_line(f"note: {note}"), file=sys.stderr)
    print(f"{analysis.n_articles} article(s) analysed, {len(skipped)} input(s) skipped; "
          f"NER model {analysis.profile.get('ner_model')}; "
          f"report: {_relative(out / 'report.html')}")
    return EXIT_SKIPPED if len(skipped) or failed or not analysis.n_articles else EXIT_OK


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
    except KeyboardInterrupt:
        print(f"{parser.prog} analyze: interrupted; --out {getattr(args, 'out', '')!r} was "
              "left as it was (no partial results)", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as exc:
        print(f"{parser.prog} analyze: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (FileNotFoundError, IsADirectoryError, PermissionError, ModelUnavailable) as exc:
        print(f"{parser.prog} analyze: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
