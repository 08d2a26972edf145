"""How big the synthetic world is: the ``sample``, ``national`` and fractional presets.

What belongs here: the target counts per scale and how a fraction of national is turned into counts.
The real core of the sample (372 real communes of COG 2025, its 10 territories and their quirks) is
always generated; a larger scale adds procedurally generated communes, groupements, territories and
rows around it, so every scale keeps the quirks the tests rely on (and small fractions are floored
by the core's communes).
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    name: str
    communes: int  # COG 2025 communes (TYPECOM COM), core included
    epci: int  # EPCI of the Insee file, core included
    territoires: int  # Territoires d'industrie, core included
    groupements: int  # rows of the TI groupement file, core included
    sirene: int  # establishments in the Sirene stock
    urssaf: int  # commune x APE rows
    flores_etab: int  # synthetic establishments behind the Flores cells (rows follow from them)
    relance: int  # rows of the DGE lauréat file
    laureats_ti: int  # rows of the TI-fund lauréat file
    fraction: float | None = None  # share of national, None for the hand-sized sample
    # census files as wide as the real ones (SOURCES 4.2: 321 and about 300 columns), with filler
    # columns the pipeline does not declare; the embedded sample keeps only the useful ones
    rp_full_width: bool = False

    @property
    def is_sample(self) -> bool:
        return self.name == "sample"


NATIONAL = Scale(
    name="national",
    communes=34_950,
    epci=1_254,
    territoires=183,
    groupements=630,
    sirene=40_000_000,
    urssaf=1_230_000,
    flores_etab=800_000,  # calibrated so that the A38 file has ~4 M rows (~219 MB) like the real one
    relance=3_080,
    laureats_ti=2_400,
    fraction=1.0,
    rp_full_width=True,
)

SAMPLE = Scale(
    name="sample",
    communes=0,  # the core only
    epci=0,
    territoires=0,
    groupements=0,
    sirene=10_000,  # every establishment of the economy (~6,000) and non-employers
    urssaf=1_500,
    flores_etab=6_000,
    relance=0,  # the hand-written lauréats only
    laureats_ti=0,
)

PRESETS = {"sample": SAMPLE, "national": NATIONAL}


def fraction_of_national(fraction: float) -> Scale:
    """``fraction`` of every national count (the core stays: small fractions are floored by it)."""
    if not 0 < fraction <= 1:
        raise ValueError(f"scale fraction must be in (0, 1], got {fraction}")
    n = NATIONAL

    def f(x: int) -> int:
        return int(round(x * fraction))

    return replace(
        n,
        name=f"national x{fraction:g}",
        communes=f(n.communes),
        epci=f(n.epci),
        territoires=f(n.territoires),
        groupements=f(n.groupements),
        sirene=f(n.sirene),
        urssaf=f(n.urssaf),
        flores_etab=f(n.flores_etab),
        relance=f(n.relance),
        laureats_ti=f(n.laureats_ti),
        fraction=fraction,
    )


def resolve_scale(scale: str | float | Scale) -> Scale:
    """``"sample"``, ``"national"``, a fraction (``0.1`` or ``"0.1"``) or a ``Scale``."""
    if isinstance(scale, Scale):
        return scale
    if isinstance(scale, str):
        if scale in PRESETS:
            return PRESETS[scale]
        try:
            value = float(scale)
        except ValueError:
            raise ValueError(f"unknown scale {scale!r}: use one of {sorted(PRESETS)} or a fraction such as 0.1") from None
        return fraction_of_national(value)
    return fraction_of_national(float(scale))
