"""Archive scale: wall time, CPU per article, peak memory of the whole process tree, and the
speed-up of re-runs, for the local engine and Dask with 1 and 2 workers.

Each configuration runs ``python -m helpers analyze ARCHIVE.jsonl --out DIR --partition-size
N [--engine dask --workers W]`` in a fresh subprocess on a synthetic archive
(:func:`helpers.archive.synthetic_archive`: sentences of the seed article and the chronology,
shuffled, dated over 2019–2021), with an empty model-output cache. While it runs, a sampler
adds up the resident memory of the command and all its child processes (the Dask scheduler
and workers included) every 0.2 s; the peak of that sum is reported. CPU is user + system
time of the command and its children. The *analysis phase* is the engine's own time, from its
start (a Dask cluster's start included) to the last partition written, as the run records it
in ``OUT/parts/run.json``; the corpus tables, figures and report come after it, in the
command's process, for every engine. Then the same command is run twice more on the same
output folder:

* **resumed re-run**: every partition is complete, so only the corpus tables and the report
  are made again (what a user gets after an interrupted run, or by re-running to redraw);
* **cached re-run** (``--no-resume``): no partition is taken as complete; each is read
  back from the model-output cache (stage ``partition``: its per-row tables, keyed by its
  articles, the options, the code and ``data/``; see :mod:`helpers.archive`), and the corpus
  tables, figures and report are made again.

    python benchmarks/bench_scale.py --articles 1000 10000
    python benchmarks/bench_scale.py --articles 200 --configs local dask-2   # a quick look
    python benchmarks/bench_scale.py --articles 200 --configs local --models bundled

The model profile is ``fast`` unless ``--models`` says otherwise: the bundled models without
the NER encoder, the profile for archives (the figures of issue #15 were measured with it,
when it was still called ``bundled``); ``--models bundled`` measures the default ensemble.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from helpers.archive import synthetic_archive

CONFIGS = {"local": [], "dask-1": ["--engine", "dask", "--workers", "1"],
           "dask-2": ["--engine", "dask", "--workers", "2"]}


def measure(cmd: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run ``cmd``; return wall seconds, CPU seconds (tree) and peak tree RSS in MB."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = psutil.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [proc, *proc.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                    times = p.cpu_times()
                    cpu[p.pid] = times.user + times.system
                except psutil.Error:
                    pass
            peak = max(peak, total)
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    stop.set()
    thread.join()
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 2):
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode()[-2000:]}")
    # the samples miss the last 0.2 s of every process; the kernel's account of the finished
    # (waited-for) children and their waited-for descendants misses nothing of those
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": max(sum(cpu.values()), waited), "peak_mb": peak / 2**20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--configs", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--partition-size", type=int, default=250)
    parser.add_argument("--keep", type=Path, help="keep outputs in this folder")
    parser.add_argument("--models", default="fast", help="model profile (default fast)")
    args = parser.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_scale_"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.articles:
            archive = synthetic_archive(n, work / f"synthetic_{n}.jsonl", seed=0)
            for name in args.configs:
                out, cache = work / f"out_{n}_{name}", work / f"cache_{n}_{name}"
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(cache, ignore_errors=True)
                env = {**os.environ, "ARABIC_NEWS_CACHE": str(cache), "HF_HUB_OFFLINE": "1",
                       "MPLBACKEND": "Agg"}
                cmd = [sys.executable, "-m", "helpers", "analyze", str(archive), "--out",
                       str(out), "--partition-size", str(args.partition_size),
                       "--models", args.models, *CONFIGS[name]]
                first = measure(cmd, env)
                run = json.loads((out / "parts" / "run.json").read_text(encoding="utf-8"))
                first["engine_s"] = float(run["engine_s"])
                resumed = measure(cmd, env)
                cached = measure([*cmd, "--no-resume"], env)
                rows.append((n, name, first, resumed, cached))
                print(f"{n:>6} {name:<7} wall {first['wall_s']:7.1f} s  analysis "
                      f"{first['engine_s']:6.1f} s  CPU/article "
                      f"{first['cpu_s'] / n:.3f} s  peak {first['peak_mb']:6.0f} MB  "
                      f"resumed x{first['wall_s'] / resumed['wall_s']:.1f}  "
                      f"cached x{first['wall_s'] / cached['wall_s']:.1f}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"| articles | engine | wall s | articles/s | analysis phase s | articles/s in the analysis "
          f"phase | throughput vs local (whole run / analysis phase) | CPU s/article | peak MB (tree) | "
          f"resumed re-run speed-up | cached re-run speed-up |  (cpu_count={os.cpu_count()})")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    local = {n: first for n, name, first, _, _ in rows if name == "local"}
    for n, name, first, resumed, cached in rows:
        base = local.get(n)
        versus = (f"{base['wall_s'] / first['wall_s']:.2f}x / {base['engine_s'] / first['engine_s']:.2f}x"
                  if base else "")
        print(f"| {n:,} | {name} | {first['wall_s']:.1f} | {n / first['wall_s']:.1f} | "
              f"{first['engine_s']:.1f} | {n / first['engine_s']:.1f} | {versus} | "
              f"{first['cpu_s'] / n:.3f} | {first['peak_mb']:.0f} | "
              f"{first['wall_s'] / resumed['wall_s']:.1f}x | "
              f"{first['wall_s'] / cached['wall_s']:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
