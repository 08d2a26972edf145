"""What a portrait shows, as plain data taken from the marts (no HTML here).

One function per section, each taking the marts read by ``marts.load_marts`` and a territory id and
returning small dataclasses, or a ``NonDisponible`` saying why the section cannot be shown (a mart
not published yet, a column it lacks, no row for this territory). The renderer (``render``) turns
both into markup, so a section degrades to a clear note instead of a crash or a silent gap.

Every figure is read from a mart; nothing is computed here that a mart could hold (a figure a
portrait needs goes into a mart first). Column names are the marts' contract (DESIGN.md, "renaming
a column is a breaking change"); where a mart is still young the few accepted spellings are listed
next to the code that reads them.

Modules, one per part of a page: ``rows`` (a mart's rows for one territory, cell readers, shared by
all), ``identity``, ``indicators``, ``industry`` (sectors, establishment sizes, employment series),
``population`` (the census series since 1968), ``laureates``, ``carte`` (the maps' shapes), and ``index`` (the index page's rows). This package re-exports what ``render`` uses.
"""

from ti_pipeline.portraits.content.carte import CarteTerritoire, CommuneCarte, ContourTerritoire, carte_territoire, contours_index
from ti_pipeline.portraits.content.identity import Commune, Groupement, Identite, identite, territoires
from ti_pipeline.portraits.content.index import EntreeIndex, entrees_index
from ti_pipeline.portraits.content.indicators import THEMES, LigneIndicateur, definitions, indicateurs, par_code, par_theme
from ti_pipeline.portraits.content.industry import (
    EvolutionsEmploi,
    SerieEmploi,
    Secteur,
    Secteurs,
    Tailles,
    TaillesZone,
    emploi_industriel,
    secteurs,
    seuil_taille,
    tailles,
)
from ti_pipeline.portraits.content.laureates import (
    PROJETS_FUSIONNES,
    SOURCES_COURTES,
    SOURCES_LAUREATS,
    BlocLaureats,
    Laureats,
    LigneLaureat,
    Montant,
    Repartition,
    laureats,
)
from ti_pipeline.portraits.content.population import emplois_longue, population_longue
from ti_pipeline.portraits.content.rows import LIBELLES_ZONES, ZONES, NonDisponible

__all__ = [
    "LIBELLES_ZONES", "PROJETS_FUSIONNES", "SOURCES_COURTES", "SOURCES_LAUREATS", "THEMES", "ZONES",
    "BlocLaureats", "CarteTerritoire", "Commune", "CommuneCarte", "ContourTerritoire", "EntreeIndex", "EvolutionsEmploi", "Groupement", "Identite", "Laureats",
    "LigneIndicateur", "LigneLaureat", "Montant", "NonDisponible", "Repartition", "Secteur", "Secteurs",
    "SerieEmploi", "Tailles", "TaillesZone",
    "carte_territoire", "contours_index", "definitions", "emploi_industriel", "entrees_index", "identite", "indicateurs", "laureats", "par_code", "par_theme", "population_longue", "emplois_longue",
    "secteurs", "seuil_taille", "tailles", "territoires",
]
