"""The perimeters of the Territoires d'industrie (ANCT) and the France Relance lauréats.

Declarations only (the model is ``catalog.model``); ``catalog/__init__.py`` lists them in ``SOURCES``.
"""

from __future__ import annotations

from ti_pipeline.sources.catalog.model import (
    Field,
    Evidence,
    Release,
    DataGouvResource,
    Source,
    LICENCE_ETALAB,
    COMMUNE_CODE,
    SIREN,
    ID_TI,
)

# 1. Territoires d'industrie perimeters (ANCT, data.gouv.fr "Programme Territoires d'industrie")
# --------------------------------------------------------------------------------------------
_TI_DATASET = "programme-territoires-dindustrie"
_TI_PAGE = "https://www.data.gouv.fr/fr/datasets/programme-territoires-dindustrie/"
_TI_RELEASE = "20240704"

TI_COMMUNES = Source(
    name="ti_communes",
    title="Territoires d'industrie (Temps II): member communes",
    publisher="ANCT",
    licence=LICENCE_ETALAB,
    page=_TI_PAGE,
    folder="ti",
    fmt="csv",
    cadence="irregular",
    releases=(Release(2024, f"liste-ti-com2023-{_TI_RELEASE}.csv", cog_year=2023),),
    datagouv=DataGouvResource(_TI_DATASET, r"^liste-ti-com2023-(\d{8})\.csv$"),
    fields=(
        Field("insee_com", description="Commune code (COG 2023)", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("lib_com", description="Commune name"),
        Field(
            "id_ti",
            description="Territory id(s) 'ti-NNNN'; several are separated by ' ; '",
            pattern=r"^ti-\d+( ; ti-\d+)*$",
            nullable=False,
        ),
        Field("lib_ti", description="Territory name(s), ' ; '-separated like id_ti"),
    ),
    max_reject_rate=0.0,
    # one row per member commune; a commune in several territories lists them in id_ti (' ; ')
    key=("insee_com",),
    max_volume_change=0.1,
    approx_size="~1 MB, ~17,000 rows",
    evidence=(
        Evidence(
            'header insee_com,lib_com,id_ti,lib_ti in this order; UTF-8; 5-character codes; 183 distinct id_ti',
            'Hugging Face mirror Data-Gouv-FR/programme-territoires-dindustrie (dataset viewer)',
        ),
        Evidence(
            'file names liste-ti-com2023-20240704.csv (Temps II) and -20230802 (Temps I), static URLs',
            "gist ThomasG77/038cb44cfb789cc19798be3840e7bfcd; ANCT cartographers' R scripts",
        ),
        Evidence(
            "id_ti may list several territories separated by ' ; '",
            'ANCT cartographers\' R script: separate_rows(id_ti, sep = " ; ")',
        ),
        Evidence(
            'comma separator',
            'ANCT R scripts read the three files with read.csv defaults',
        ),
    ),
    unverified=(
        "whether the 20240704 file has combined 'ti-x ; ti-y' cells (183 distinct id_ti suggests not)",
        'byte order mark and quoting',
    ),
)

TI_GROUPEMENTS = Source(
    name="ti_groupements",
    title="Territoires d'industrie (Temps II): member groupements (EPCI, EPT, single communes)",
    publisher="ANCT",
    licence=LICENCE_ETALAB,
    page=_TI_PAGE,
    folder="ti",
    fmt="csv",
    cadence="irregular",
    releases=(Release(2024, f"liste-ti-grpt2023-{_TI_RELEASE}.csv", cog_year=2023),),
    datagouv=DataGouvResource(_TI_DATASET, r"^liste-ti-grpt2023-(\d{8})\.csv$"),
    fields=(
        Field("id_ti", description="Territory id 'ti-NNNN'", pattern=ID_TI, nullable=False),
        Field("lib_ti", description="Territory name"),
        Field(
            "siren_groupement",
            description="SIREN of the groupement; for nature_juridique COM, the commune's SIREN (not its INSEE code)",
            pattern=SIREN,
            nullable=False,
            code=True,
            checks=("luhn_siren",),
        ),
        Field("lib_groupement", description="Groupement name"),
        Field(
            "nature_juridique",
            description="Legal form: CC, CA, CU, METRO, MET69, EPT or COM",
            isin=("CC", "CA", "CU", "METRO", "MET69", "EPT", "COM"),
            nullable=False,
        ),
    ),
    max_reject_rate=0.0,
    # one row per groupement member of a territory; a groupement in two territories has two rows
    key=("id_ti", "siren_groupement"),
    max_volume_change=0.1,
    approx_size="~50 kB, ~630 rows",
    evidence=(
        Evidence(
            'columns id_ti, lib_ti, siren_groupement, lib_groupement, nature_juridique',
            "anct-carto/superposeur-V2 MAJ/data_admin.py; ANCT cartographers' R script",
        ),
        Evidence(
            "nature_juridique in COM, EPT, CC, CA, CU, METRO, MET69; a COM row carries the commune's SIREN",
            'anct-carto/superposeur-V2 MAJ/data_admin.py and data/admin/polygone-4326_ti.geojson',
        ),
        Evidence(
            'data.gouv.fr resource a1aca2c0-5a34-4a21-82bf-74ff0daf16db',
            'anct-carto/superposeur-V2 MAJ/data_admin.py',
        ),
    ),
    unverified=(
        'column order (no raw header line seen)',
        'earlier vintages may name the columns siren_epci / lib_epci (renames commented out in the ANCT R script)',
    ),
)

TI_TERRITOIRES = Source(
    name="ti_territoires",
    title="Territoires d'industrie (Temps II): list of territories",
    publisher="ANCT",
    licence=LICENCE_ETALAB,
    page=_TI_PAGE,
    folder="ti",
    fmt="csv",
    cadence="irregular",
    releases=(Release(2024, f"liste-ti-{_TI_RELEASE}.csv", cog_year=2023),),
    datagouv=DataGouvResource(_TI_DATASET, r"^liste-ti-(\d{8})\.csv$"),
    fields=(
        Field("id_ti", description="Territory id 'ti-NNNN'", pattern=ID_TI, nullable=False, code=True),
        Field("lib_ti", description="Territory name", nullable=False),
    ),
    # [V] the real file may carry more attributes (region, date of labelling): none seen yet.
    max_reject_rate=0.0,
    key=("id_ti",),
    max_volume_change=0.1,
    approx_size="~10 kB, 183 rows",
    evidence=(
        Evidence(
            'columns id_ti, lib_ti',
            "ANCT cartographers' R script (joins on id_ti, renames lib_ti)",
        ),
    ),
    unverified=(
        'any other column (sibling ANCT lists carry dates or types)',
        'separator (comma, as its siblings)',
    ),
)

# --------------------------------------------------------------------------------------------
# 2. France Relance lauréats
# --------------------------------------------------------------------------------------------
RELANCE_LAUREATS = Source(
    name="relance_laureats",
    title="Plan de relance - projets industriels (lauréats of the industrial measures)",
    publisher="DGE",
    licence=LICENCE_ETALAB,
    page="https://www.data.gouv.fr/fr/datasets/plan-de-relance-projets-industriels/",
    folder="relance",
    fmt="csv",
    cadence="irregular",
    releases=(
        Release(
            2022,
            "plan-de-relance.csv",
            cog_year=2022,
            url="https://www.data.gouv.fr/fr/datasets/r/74e3474f-c954-43c8-814d-d1efa49f08fd",
        ),
    ),
    fields=(
        Field("entreprise", description="Beneficiary name"),
        Field("type_entreprise", description="'TPE / PME', 'ETI', 'GE', 'Association'..."),
        Field(
            "siren",
            description="SIREN (9 digits) or SIRET (14 digits) as published; sometimes empty or invalid",
            code=True,
        ),
        Field("volet_relance", description="France Relance axis ('Indépendance / Compétitivité', 'Verdissement')"),
        Field("mesure", description="Measure, long label"),
        Field("nom_departement", description="Département name (upper case)"),
        Field("nom_commune", description="Commune name, upper case (no INSEE code in the file)"),
        Field("code_postal", description="Postcode", code=True),
        Field("coordonnees_gps", description="'lat, lon' string; may be missing or malformed"),
        Field("description_projet", description="Free text (HTML entities may appear)"),
        Field("mesure_light", description="Short measure label ('Projets territoriaux' for the TI fund, 'Relocalisation', 'Automobile'...)"),
        Field("mise_a_jour", dtype="date", description="Date of the record (YYYY-MM-DD)", checks=("plausible_date",)),
        Field("filiere", description="Industrial sector"),
        Field(
            "tonnes_equivalent_co2_pour_les_projets_decarbonation",
            dtype="float",
            description="t CO2e avoided, decarbonation projects only",
            ge=0,
        ),
        Field("code_departement", description="Département code (may be float-formatted: 971.0)", code=True),
        Field("nom_region", description="Region name (upper case)"),
    ),
    no_key_reason=(
        "no project identifier: a company may have several projects under one measure, its siren is "
        "sometimes empty or invalid, and two projects can share every other column"
    ),
    max_volume_change=0.1,
    approx_size="~2 MB, ~3,080 rows",
    evidence=(
        Evidence(
            "the 16 columns in this order, ';' separator, code_departement 15th after the CO2 column",
            'dorian68/ninesevenone backend/tests/test_france_relance_import.py; a survey of dataset plan-de-relance on data.economie.gouv.fr',
        ),
        Evidence(
            'resource 74e3474f-c954-43c8-814d-d1efa49f08fd, last modified 2022-04-08; 3,080 rows',
            "dorian68/ninesevenone scripts/import_france_relance_industrial_projects.py; the dataset's record count",
        ),
        Evidence(
            "labels of volet_relance, mesure (9), mesure_light ('Projets territoriaux' for the TI fund), type_entreprise ('TPE / PME', 'ETI', 'GE'...)",
            'facets of the 3,080 records on data.economie.gouv.fr',
        ),
    ),
    unverified=(
        'real rows (the one fixture seen is hand-written)',
        'format of mise_a_jour (ISO dates in that fixture)',
    ),
    notes="No amounts in this file: aid, investment and jobs come from laureats_ti when available.",
)

LAUREATS_TI = Source(
    name="laureats_ti",
    title="Lauréats of the Territoires d'industrie fund with aid, investment and jobs (programme extract)",
    publisher="ANCT / DGE (programme extract)",
    licence=LICENCE_ETALAB,
    page="https://agence-cohesion-territoires.gouv.fr/territoires-dindustrie-44",
    folder="laureats_ti",
    fmt="csv",
    cadence="irregular",
    synthetic_only=True,
    releases=(Release(2022, "laureats-territoires-industrie.csv", cog_year=2022),),
    fields=(
        Field("id_projet", description="Project id", nullable=False, code=True),
        Field("siret", description="SIRET (14) or SIREN (9) of the beneficiary", code=True),
        Field("entreprise", description="Beneficiary name"),
        Field("intitule_projet", description="Project title"),
        Field("mesure", description="Measure (fund)"),
        Field("filiere", description="Industrial sector"),
        Field("code_postal", description="Postcode of the project site", code=True),
        Field("nom_commune", description="Commune name of the project site"),
        Field("annee", dtype="int", description="Year the project was selected", ge=2018, le=2030),
        Field("montant_aide", dtype="float", description="Public aid granted, EUR", ge=0),
        Field("montant_investissement", dtype="float", description="Total investment of the project, EUR", ge=0),
        Field("emplois", dtype="float", description="Jobs created or maintained announced by the project", ge=0),
    ),
    key=("id_projet",),
    # the programme's extract grows with each selection round
    max_volume_change=0.5,
    approx_size="~300 kB, ~2,400 rows",
    unverified=(
        "the whole format: no public file carries aid, investment and jobs per lauréat (SOURCES.md 2.1); this is the extract's expected layout",
    ),
    notes=(
        "No public file carries aid, investment and jobs per lauréat (SOURCES.md 2.1). This is the format "
        "of the programme extract the team receives; the sample holds a synthetic one. Live mode reads it "
        "from TI_LAUREATS_TI_URL when set, and reports the source as unavailable otherwise."
    ),
)
