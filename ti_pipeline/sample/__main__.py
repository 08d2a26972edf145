"""Command line: ``python -m ti_pipeline.sample --scale sample --out data/sample --seed 42``.

``--scale`` is ``sample``, ``national`` or a fraction of national (``0.1``). Prints the summary as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .generator import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ti_pipeline.sample", description=__doc__)
    parser.add_argument("--scale", default="sample", help="sample (default), national, or a fraction such as 0.1")
    parser.add_argument("--out", default="data/sample", type=Path, help="output folder (default data/sample)")
    parser.add_argument("--seed", default=DEFAULT_SEED, type=int, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--quiet", action="store_true", help="print only the totals, not every file")
    args = parser.parse_args(argv)
    summary = generate(args.out, scale=args.scale, seed=args.seed)
    if args.quiet:
        summary = {k: v for k, v in summary.items() if k != "files"}
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
