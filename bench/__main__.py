"""Run every benchmark module (bench/bench_*.py) and print its figures; `--only NAME` runs one.

Each module exposes `run(scale: float) -> list[dict]`, each dict a figure with `name`, `value`, `unit`,
and, for goals, `baseline`, `ratio` and `target` (a string such as ">= 0.5x"). Figures go to stdout and to
bench/results/latest.json (git-ignored). Timings are never asserted in tests; these are the place for them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

import bench

RESULTS = Path(__file__).parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--only", action="append", default=[], help="run only these modules (e.g. crypto)")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink (0.1) or grow the data sizes")
    args = parser.parse_args(argv)
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only or n in args.only]
    results, failed = {}, []
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"bench.{name}").run(args.scale)
        except Exception as exc:  # a broken benchmark is reported, the others still run
            print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
            failed.append(name)
            continue
        for figure in figures:
            print("   " + describe(figure), flush=True)
        results[name] = {"seconds": round(time.perf_counter() - started, 2), "figures": figures}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    return 1 if failed else 0


def describe(figure: dict) -> str:
    line = f"{figure['name']}: {figure['value']:,.2f} {figure.get('unit', '')}".rstrip()
    if "baseline" in figure:
        line += f" (baseline {figure['baseline']:,.2f}; ratio {figure['ratio']:.2f}x, target {figure['target']})"
    return line


if __name__ == "__main__":
    sys.exit(main())
