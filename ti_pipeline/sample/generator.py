"""Entry point of the sample generator: ``generate(out_dir, scale, seed)`` writes every source file.

What belongs here: the order in which the files are written and the summary returned to callers
(the CLI, ``ti-pipeline generate-sample``, benchmarks). The generator is the single source of truth
for ``data/sample/``: the committed sample must be byte-identical to ``generate(data/sample)``.
"""

from __future__ import annotations

import time
from pathlib import Path

from .emploi import write_flores, write_urssaf
from .flores_td import write_flores_td
from .entreprises import write_laureats, write_sirene
from .geographie import build
from .contours import write_contours
from .perimetres import write_cog, write_communes_json, write_epci, write_passage, write_ti
from .readme import write_readme
from .recensement import write_rp, write_rp_serie_historique
from .revenus import write_filosofi
from .scales import Scale, resolve_scale

DEFAULT_SEED = 42


def generate(out_dir: Path, scale: str | float | Scale = "sample", seed: int = DEFAULT_SEED) -> dict:
    """Write the synthetic sources under ``out_dir`` (``<folder>/<millesime>/<file>``, see the catalog).

    Returns a summary: scale, seed, row counts per source, bytes per file and timings.
    ``data/sample/README.md`` is only rendered for the ``sample`` scale.
    """
    out_dir = Path(out_dir)
    sc = resolve_scale(scale)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    rows: dict[str, int] = {}

    def step(name, fn, *args):
        t = time.perf_counter()
        result = fn(*args)
        timings[name] = round(time.perf_counter() - t, 3)
        return result

    geo = step("geographie", build, sc, seed)
    rows.update(step("ti", write_ti, out_dir, geo))
    rows.update(step("cog", write_cog, out_dir, geo))
    rows.update(step("epci", write_epci, out_dir, geo))
    rows.update(step("cog_passage", write_passage, out_dir, geo))
    rows.update(step("communes_siren", write_communes_json, out_dir, geo))
    rows.update(step("communes_contours", write_contours, out_dir, geo))
    rows.update(step("rp", write_rp, out_dir, geo, seed, sc.rp_full_width))
    rows.update(step("rp_serie_historique", write_rp_serie_historique, out_dir, geo, seed))
    rows.update(step("filosofi", write_filosofi, out_dir, geo, seed))
    rows.update(step("flores", write_flores, out_dir, geo, seed))
    rows.update(step("flores_td", write_flores_td, out_dir, geo, seed))
    rows.update(step("urssaf", write_urssaf, out_dir, geo, seed))
    laureat_rows, etabs = step("laureats", write_laureats, out_dir, geo, seed)
    rows.update(laureat_rows)
    rows.update(step("sirene", write_sirene, out_dir, geo, seed, etabs))
    if sc.is_sample:
        step("readme", write_readme, out_dir, geo, seed)

    files = {
        str(p.relative_to(out_dir)): p.stat().st_size
        for p in sorted(out_dir.rglob("*"))
        if p.is_file() and not p.name.endswith(".manifest.json")
    }
    return {
        "scale": sc.name,
        "seed": seed,
        "out_dir": str(out_dir),
        "communes": len(geo.communes_2025()),  # COG 2025 (the merged commune counted once)
        "territoires": len(geo.territoires),
        "rows": rows,
        "files": files,
        "bytes": sum(files.values()),
        "timings": timings,
        "seconds": round(time.perf_counter() - t0, 3),
    }
