"""The source catalog: every source the pipeline reads, declared once.

What belongs here: the declarations, and the lookups every layer uses (``SOURCES``,
``SOURCES_BY_NAME``, ``get_source``, ``TARGET_COG_YEAR``, where the sample and the cache hold a
release). The package is split by what changes together:

- ``model``: the declaration model (``Field``, ``Release``, ``Source``, ``Evidence``,
  ``VintageFromColumns``, ``DataGouvResource``, ``SirenFilter``) and the value rules and licences
  several sources share;
- ``perimeters``: the Territoires d'industrie perimeters and the France Relance lauréats;
- ``geography``: COG, EPCI composition, passage table, commune SIREN, commune boundaries;
- ``census``: the census bases communales;
- ``income``: Filosofi, income and poverty by commune;
- ``employment``: Flores, Urssaf by APE, the Sirene stock.

A source's ``repr`` is part of its raw vintages' fingerprint (``ti_pipeline.ingest.state``): moving
a declaration between modules changes nothing, editing its content re-ingests it.

Not here: HTTP (``download``), parsing (``readers``), validation logic (``ti_pipeline.validation``).
"""

from __future__ import annotations

from ti_pipeline.sources.catalog.census import RP_EMPLOI, RP_POPULATION, RP_SERIE_HISTORIQUE
from ti_pipeline.sources.catalog.employment import (
    FLORES_A17_CODES,
    FLORES_A17_TD,
    FLORES_A38,
    FLORES_BANDS,
    FLORES_GEO_LEVELS,
    FLORES_OBS_STATUS,
    SIRENE_BANDS,
    SIRENE_ETABLISSEMENTS,
    SIRENE_OTHER_COLUMNS,
    URSSAF_APE,
)
from ti_pipeline.sources.catalog.geography import (
    COG_COMMUNES,
    COG_PASSAGE,
    COG_REGIONS,
    COMMUNES_CONTOURS,
    COMMUNES_SIREN,
    EPCI,
    EPCI_COMMUNES,
)
from ti_pipeline.sources.catalog.income import FILOSOFI, FILOSOFI_NOT_PUBLISHED
from ti_pipeline.sources.catalog.model import (
    A38_CODE,
    COMMUNE_CODE,
    ID_TI,
    LICENCE_ETALAB,
    LICENCE_ODBL,
    NAF_SIRENE,
    NAF_URSSAF,
    SIREN,
    SIRET,
    DataGouvResource,
    Evidence,
    Field,
    Release,
    SirenFilter,
    Source,
    VintageFromColumns,
)
from ti_pipeline.sources.catalog.perimeters import (
    LAUREATS_TI,
    RELANCE_LAUREATS,
    TI_COMMUNES,
    TI_GROUPEMENTS,
    TI_TERRITOIRES,
)

SOURCES: tuple[Source, ...] = (
    TI_COMMUNES,
    TI_GROUPEMENTS,
    TI_TERRITOIRES,
    COG_COMMUNES,
    COG_REGIONS,
    EPCI,
    EPCI_COMMUNES,
    COG_PASSAGE,
    COMMUNES_SIREN,
    COMMUNES_CONTOURS,
    RP_POPULATION,
    RP_EMPLOI,
    RP_SERIE_HISTORIQUE,
    FILOSOFI,
    FLORES_A38,
    FLORES_A17_TD,
    URSSAF_APE,
    RELANCE_LAUREATS,
    LAUREATS_TI,
    SIRENE_ETABLISSEMENTS,
)

SOURCES_BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}

# The COG all sources are moved onto before aggregating (DESIGN.md decision 4): the newest year of
# the passage table.
TARGET_COG_YEAR = COG_PASSAGE.releases[0].millesime


def get_source(name: str) -> Source:
    try:
        return SOURCES_BY_NAME[name.removeprefix("raw_")]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {sorted(SOURCES_BY_NAME)}") from None


def sample_path(paths_sample_dir, source: Source, release: Release):
    """Where the sample holds a release: ``data/sample/<folder>/<millesime>/<file_name>``."""
    return paths_sample_dir / source.folder / str(release.millesime) / release.file_name


def cache_path(paths_cache_dir, source: Source, release: Release):
    """Where live mode caches a release: ``data/cache/<folder>/<millesime>/<file_name>``."""
    return paths_cache_dir / source.folder / str(release.millesime) / release.file_name


__all__ = [
    "A38_CODE",
    "COG_COMMUNES",
    "COG_PASSAGE",
    "COG_REGIONS",
    "COMMUNES_CONTOURS",
    "COMMUNES_SIREN",
    "COMMUNE_CODE",
    "DataGouvResource",
    "EPCI",
    "EPCI_COMMUNES",
    "Evidence",
    "FILOSOFI",
    "FILOSOFI_NOT_PUBLISHED",
    "FLORES_A17_CODES",
    "FLORES_A17_TD",
    "FLORES_A38",
    "FLORES_BANDS",
    "FLORES_GEO_LEVELS",
    "FLORES_OBS_STATUS",
    "Field",
    "ID_TI",
    "LAUREATS_TI",
    "LICENCE_ETALAB",
    "LICENCE_ODBL",
    "NAF_SIRENE",
    "NAF_URSSAF",
    "RELANCE_LAUREATS",
    "RP_EMPLOI",
    "RP_SERIE_HISTORIQUE",
    "RP_POPULATION",
    "Release",
    "SIREN",
    "SIRENE_BANDS",
    "SIRENE_ETABLISSEMENTS",
    "SIRENE_OTHER_COLUMNS",
    "SIRET",
    "SirenFilter",
    "Source",
    "TI_COMMUNES",
    "TI_GROUPEMENTS",
    "TI_TERRITOIRES",
    "URSSAF_APE",
    "VintageFromColumns",
    "SOURCES",
    "SOURCES_BY_NAME",
    "TARGET_COG_YEAR",
    "get_source",
    "sample_path",
    "cache_path",
]
