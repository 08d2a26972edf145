"""Income and poverty: Insee's Filosofi (Fichier localisé social et fiscal), base communale.

Declarations only (the model is ``catalog.model``); ``catalog/__init__.py`` lists them in ``SOURCES``.

Filosofi "Revenus, pauvreté et niveau de vie en <année>" publishes, per commune, the number of tax
households and of persons in them, the median disposable income per consumption unit and the
poverty rate at 60 % of the national median. Insee withholds the figures of small communes
(statistical secrecy): the poverty rate below 1,000 tax households, everything below 50 (Insee's
documentation; ``s`` in the cell). The pipeline sums poor persons (rate x persons) where both are
published and reports the share of persons covered (``docs/indicateurs_revenus.md``).
"""

from __future__ import annotations

from ti_pipeline.sources.catalog.model import (
    COMMUNE_CODE,
    LICENCE_ETALAB,
    Evidence,
    Field,
    Release,
    Source,
    _insee,
)

# Insee's codes for a figure it does not publish, seen in public readers of the wide files.
FILOSOFI_NOT_PUBLISHED = ("s", "nd", "ns", "so")


def _filosofi_release(millesime: int, page: int, file_name: str, cog_year: int) -> Release:
    """A base communale: a zip with one CSV per level (``cc_filosofi_<YYYY>_COM.csv``, ``_EPCI``,
    ``_DEP``...); the commune member is read."""
    return Release(
        millesime,
        file_name,
        cog_year=cog_year,
        url=_insee(page, file_name),
        member=rf"(?i)^(.*/)?cc_filosofi_{millesime}_COM\.csv$",
    )


_FILO_FLOAT = dict(dtype="float", ge=0, not_published=FILOSOFI_NOT_PUBLISHED)

FILOSOFI = Source(
    name="filosofi",
    title="Filosofi: revenus, pauvreté et niveau de vie (base communale)",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/statistiques/7756729",
    folder="filosofi",
    fmt="csv",
    # The wide files carry about 30 columns: deciles, income composition, poverty by age and by
    # tenure... The pipeline keeps the four below.
    ignored_columns=(
        r"LIBGEO",
        r"(PIMP|TP60AGE\d|TP60TOL\d|D1|D9|RD|GI|S80S20|PACT|PTSA|PCHO|PBEN|PPEN|PPAT|PPSOC|PPFAM|PPMINI|PPLOGT|PIMPOT)\d{2}",
    ),
    releases=(
        _filosofi_release(2021, 7756729, "base-cc-filosofi-2021-geo2024_csv.zip", cog_year=2024),
        _filosofi_release(2020, 6692392, "base-cc-filosofi-2020_CSV.zip", cog_year=2023),
    ),
    fields=(
        Field("CODGEO", description="Commune code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("NBMENFISC{yy}", description="Tax households", **_FILO_FLOAT),
        Field("NBPERSMENFISC{yy}", description="Persons in tax households", **_FILO_FLOAT),
        Field("MED{yy}", description="Median disposable income per consumption unit (EUR per year)", **_FILO_FLOAT),
        Field("TP60{yy}", description="Poverty rate at 60 % of the national median (%)", le=100, **_FILO_FLOAT),
    ),
    key=("CODGEO",),  # one row per commune
    max_volume_change=0.05,  # the communes of France: a few mergers a year
    approx_size="~3 MB zip, ~34,800 rows (communes) x ~30 columns",
    evidence=(
        Evidence(
            "2021 on page 7756729: base-cc-filosofi-2021-geo2024_csv.zip (and a -geo2025 variant in Insee's long "
            "'DS_FILOSOFI_CC_data.csv' layout); 2020 on page 6692392: base-cc-filosofi-2020_CSV.zip",
            "public download scripts naming these URLs (several independent projects)",
        ),
        Evidence(
            "members cc_filosofi_2021_COM.csv, cc_filosofi_2021_ARR.csv, cc_filosofi_2020_COM.csv (one per level, "
            "EPCI and DEP too); ';' separator",
            "public readers opening those members",
        ),
        Evidence(
            "columns CODGEO, NBMENFISC21, NBPERSMENFISC21, MED21, PIMP21, TP6021, TP60AGE121..., D121, D921, RD21",
            "dbt models and loaders of the 2021 file",
        ),
        Evidence(
            "'s' for statistical secrecy in MED/TP60 cells; 'nd', 'ns', 'so' also cleaned by readers",
            "public readers of the 2020 and 2021 files",
        ),
    ),
    unverified=(
        "the COG year of each file (2024 from the file name 'geo2024'; 2023 for 2020 from one mirror's name)",
        "the encoding (UTF-8 with BOM read by one reader of 2021; latin-1 by one of 2020): the reader detects it",
        "whether the 2021-geo2024 zip still sits at that URL (Insee later added the geo2025 long layout)",
    ),
    notes=(
        "Filosofi 2022 was not published (the end of the taxe d'habitation broke the link between tax "
        "households and dwellings); Filosofi 2023 comes in Insee's long layout, not declared here yet."
    ),
)
