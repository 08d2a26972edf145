"""Importing this module takes every object then alive out of the garbage collector's way.

Importing the project (Dagster, pandas, pyarrow, DuckDB, pandera, the definitions) leaves about
200,000 objects that live as long as the process: modules, classes, functions, the definitions.
CPython's cyclic garbage collector traverses every one of them at each full collection, and
again, several times, while the interpreter exits. ``gc.freeze()`` moves the objects alive at
that moment into a permanent generation that no collection traverses (the standard library's
documented use: after start-up, and before a server forks its workers, so that the workers'
collections do not touch, and copy page by page, what they share with it). Nothing frozen is ever
freed by the collector; here nothing frozen was going to be: it is what the imports built.

Measured on national-scale data (issue 8, docs/benchmarks.md): the command's process took 0.9 s
to exit after its last line, 0.3 s frozen; its full collections during a run took 0.9 s, 0.6 s
frozen; in the raw runs' worker that reads the passage table (its workbook's cells are Python
objects), full collections took 0.6 s, 0.08 s frozen.

Imported, last, by:

- the raw runs' fork server (``workers.PRELOAD``), after the definitions and before it forks any
  worker: a module rather than a function, as the fork server only imports modules;
- ``ti-pipeline run`` and ``backfill`` once they have imported the definitions (``cli``).

Once per process, as any import: a long-lived process (a test session) freezes what it holds the
first time, not again.
"""

from __future__ import annotations

import gc

gc.freeze()
