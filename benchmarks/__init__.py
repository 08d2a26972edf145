"""Benchmarks of the pipeline at national scale (issue 8): data, harness, peers.

What belongs here: generating national-scale data under ``benchmarks/data/`` (git-ignored), the
harness that runs the pipeline in a subprocess and measures it (``run``, ``measure``, ``stages``),
the peers computing the same core aggregates (``floor``: one DuckDB script straight from the
files; ``pandas_way``: the way an analyst would, in pandas; ``no_orchestration``: the pipeline's
own work without Dagster, which tells what orchestration costs), with the definition of those
aggregates and how the pipeline's marts give them (``aggregates``), and before/after runs of two
versions of the code (``alternate``).

Not here: anything the pipeline itself needs; timed assertions (tests never assert on speed).
"""
