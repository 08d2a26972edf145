"""The deterministic generator of the synthetic sample (``data/sample/``) at any scale.

``generate(out_dir, scale="sample", seed=42)`` writes every source of ``ti_pipeline.sources.catalog``
with the live files' names, formats and quirks and synthetic values. ``scale`` is ``"sample"`` (the
committed sample: 10 territories, 372 real communes), ``"national"`` (real row counts, for benchmarks) or
a fraction of national (``0.1``). Same seed, same bytes.

Modules: ``scales`` (presets), ``referentiels`` (real code lists), ``geographie`` (the world: real
communes and EPCI from the committed extract ``reel/``, written by ``geographie_reelle``; invented
territory perimeters and anchors), ``economie`` (the one set of establishments behind every
employment source), ``perimetres`` / ``recensement`` / ``emploi`` / ``entreprises`` (one writer per
family of files), ``ecriture`` (byte-reproducible writers), ``readme`` (data/sample/README.md).
"""

from .generator import DEFAULT_SEED, generate
from .scales import NATIONAL, PRESETS, SAMPLE, Scale, resolve_scale

__all__ = ["generate", "DEFAULT_SEED", "Scale", "SAMPLE", "NATIONAL", "PRESETS", "resolve_scale"]
