"""Salaried employment and establishments: Flores (Insee), Urssaf by APE, the Sirene stock.

Declarations only (the model is ``catalog.model``); ``catalog/__init__.py`` lists them in ``SOURCES``.
"""

from __future__ import annotations

from ti_pipeline.sources.catalog.model import (
    Field,
    Evidence,
    Release,
    VintageFromColumns,
    SirenFilter,
    Source,
    LICENCE_ETALAB,
    LICENCE_ODBL,
    COMMUNE_CODE,
    SIREN,
    SIRET,
    A38_CODE,
    NAF_URSSAF,
    _insee,
    _melodi,
)

# --------------------------------------------------------------------------------------------
# 5. Salaried employment and establishments
# --------------------------------------------------------------------------------------------
FLORES_BANDS = ("_T", "E0", "E1T4", "E5T9", "E10T19", "E20T49", "E50T99", "E100T199", "E200T499", "E_GE500")
# Observation statuses of Insee's Melodi files (DS_*), as Flores uses them; K is what the pipeline
# flags as secret (quality flag ``secret``: the sum of the published cells is an under-estimate).
FLORES_OBS_STATUS = {
    "A": "normal value",
    "K": "not disseminated (statistical confidentiality): OBS_VALUE empty",
    "W": "published, includes the data of another category",
}
# Geography levels of the Flores files: communes (COM) and arrondissements municipaux (ARM) are
# read; the others (départements, regions, France, employment zones, living areas...) are counted
# in the raw asset's metadata and ignored. A level not in this list is a reject (rule isin).
FLORES_GEO_LEVELS = ("COM", "ARM", "DEP", "REG", "FRANCE", "ZE2020", "BV2022", "AAV2020", "UU2020")

FLORES_A38 = Source(
    name="flores_a38",
    title="Flores: establishments and salaried posts by commune x A38 activity x size band",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/statistiques/8266010",
    folder="flores",
    fmt="csv",
    # Every vintage in this SDMX-like layout (Flores succeeded Clap with millésime 2017; 2017-2021 are
    # only published as wide "tableaux détaillés" in A17 / A88, TD_FLORES<YYYY>_NA17_TREF_NBETAB /
    # _NBSAL, not declared here: another layout and another classification). A millésime holds two
    # years (TIME_PERIOD): the vintage's and the year before.
    releases=(
        Release(
            2024,
            "DS_FLORES_A38_2024_CSV_FR.zip",
            cog_year=2025,
            url=_insee(8266010, "DS_FLORES_A38_2024_CSV_FR.zip"),
            member=r"(?i)^(.*/)?DS_FLORES_A38_2024_data\.csv$",
        ),
        # 2023 and 2022: Insee's page for them was not found; the zips are those of Insee's Melodi
        # file service (the URL pattern seen for the 2024 A17 / A5 files), named as inside the
        # DS_FLORES_<YYYY>_CSV_FR.zip packages (unverified).
        Release(
            2023,
            "DS_FLORES_A38_2023_CSV_FR.zip",
            cog_year=2024,
            url=_melodi("DS_FLORES_A38", "DS_FLORES_A38_2023_CSV_FR"),
            member=r"(?i)^(.*/)?DS_FLORES_A38_2023_data\.csv$",
        ),
        Release(
            2022,
            "DS_FLORES_A38_2022_CSV_FR.zip",
            cog_year=2023,
            url=_melodi("DS_FLORES_A38", "DS_FLORES_A38_2022_CSV_FR"),
            # the 2022 files name their member without the year (seen for A17 2022)
            member=r"(?i)^(.*/)?DS_FLORES_A38_(2022_)?data\.csv$",
        ),
    ),
    fields=(
        Field("GEO", description="Code of the area (commune code when GEO_OBJECT = COM or ARM)", nullable=False, code=True),
        Field(
            "GEO_OBJECT",
            description="Level of the area: COM and ARM are kept; the other levels are counted and ignored",
            isin=FLORES_GEO_LEVELS,
            nullable=False,
        ),
        Field("ACTIVITY", description="A38 activity code, '_T' for all", pattern=A38_CODE, nullable=False),
        Field("NUMBER_EMPL", description="Establishment size band, '_T' for all", isin=FLORES_BANDS, nullable=False),
        Field(
            "LEGAL_FORM_WITH_PUBLIC",
            description="Legal form incl. public sector: 1T9X7, all employers but private households (the one value published)",
            isin=("1T9X7",),
            nullable=False,
        ),
        Field("FLORES_MEASURE", description="UNIT_LOC (establishments) or EMPL3112 (salaried posts at 31/12)", isin=("UNIT_LOC", "EMPL3112"), nullable=False),
        Field(
            "OBS_STATUS",
            description="Observation status: A normal value; K not disseminated (value empty: secret); W value "
            "published that includes another category's data",
            isin=tuple(FLORES_OBS_STATUS),
            nullable=False,
        ),
        Field("TIME_PERIOD", dtype="int", description="Year of the observation (31 December)", ge=2017, le=2035),
        Field("OBS_VALUE", dtype="float", description="Value; empty when not disseminated (OBS_STATUS K)", ge=0),
    ),
    row_checks=("obs_value_iff_not_disseminated", "geo_commune_code"),
    counted_by="GEO_OBJECT",
    # an SDMX observation: every dimension and the period (OBS_STATUS and OBS_VALUE are its attributes)
    key=("GEO", "GEO_OBJECT", "ACTIVITY", "NUMBER_EMPL", "LEGAL_FORM_WITH_PUBLIC", "FLORES_MEASURE", "TIME_PERIOD"),
    max_volume_change=0.2,
    approx_size="21 MB zip, ~219 MB CSV, several million rows",
    evidence=(
        Evidence(
            'page 8266010; DS_FLORES_A38_2024_CSV_FR.zip holding DS_FLORES_A38_2024_data.csv and DS_FLORES_A38_2024_metadata.csv',
            'public readers (a streaming JavaScript reader, an R pipeline)',
        ),
        Evidence(
            'header GEO;GEO_OBJECT;ACTIVITY;NUMBER_EMPL;LEGAL_FORM_WITH_PUBLIC;FLORES_MEASURE;OBS_STATUS;TIME_PERIOD;OBS_VALUE, quoted fields',
            'two independent public readers',
        ),
        Evidence(
            'LEGAL_FORM_WITH_PUBLIC 1T9X7 is the one value; OBS_STATUS A, K (value empty, not disseminated), W (includes another category)',
            'public readers of the 2024 files, one with a dictionary of the statuses',
        ),
        Evidence(
            'vintages 2022 and 2023 in the same layout: packages DS_FLORES_2022_CSV_FR.zip and DS_FLORES_2023_CSV_FR.zip '
            'holding DS_FLORES_A38_2023_CSV_FR.zip (and A17, A5, A88...); 2022 member DS_FLORES_A17_data.csv, 2023+ '
            'DS_FLORES_A17_2023_data.csv; 2017-2021 as TD_FLORES<YYYY>_NA17_TREF_NBETAB/_NBSAL wide CSV by CODGEO',
            'two public projects reading every Flores vintage (one listing the 2023 package contents)',
        ),
        Evidence(
            'Flores succeeds Clap from millésime 2017; each millésime holds two successive years',
            "Insee's Flores documentation page (information/4996967)",
        ),
        Evidence(
            'GEO_OBJECT COM and ZE2020; NUMBER_EMPL bands and _T',
            'public readers filtering on them',
        ),
    ),
    unverified=(
        'vintages 2023 and 2022: their Insee page and URL (the Melodi file service pattern is seen for 2024 only), '
        'the 2023 member name (year-specific, as 2023 A17), the 2022 one (generic, as 2022 A17), their COG years',
        "Insee's own wording of the statuses",
        'ARM rows (read only where the commune is not given whole)',
        'the levels DEP, REG, FRANCE, BV2022, AAV2020, UU2020 (single sources)',
    ),
)

URSSAF_APE = Source(
    name="urssaf_ape",
    title="Urssaf: private-sector employer establishments and salaried headcount by commune x APE",
    publisher="Urssaf",
    licence=LICENCE_ODBL,
    page="https://open.urssaf.fr/explore/dataset/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last/",
    folder="urssaf",
    fmt="csv",
    cadence="rolling",
    vintage_from_columns=VintageFromColumns(r"^effectifs_salaries_(\d{4})$", cog_year_offset=1),
    releases=(
        Release(
            2025,  # the vintage last seen: the file itself says which it is (vintage_from_columns)
            "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last.csv",
            cog_year=2026,
            url=(
                "https://open.urssaf.fr/api/explore/v2.1/catalog/datasets/"
                "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last/exports/csv?delimiter=%3B"
            ),
        ),
    ),
    fields=(
        Field("code_commune", description="Commune code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("intitule_commune", description="'code name' of the commune"),
        Field("code_departement", description="Département code", code=True),
        Field("code_ape", description="APE (NAF rév. 2) code without dot", pattern=NAF_URSSAF, nullable=False),
        Field("grand_secteur_d_activite", description="Broad sector ('GS1 ...')"),
        Field("secteur_na88", description="NA88 division, 'code label'"),
        Field(r"effectifs_salaries_\d{4}", dtype="float", description="Salaried headcount at 31/12 of that year", ge=0, name_is_regex=True),
        Field(r"nombre_d_etablissements_\d{4}", dtype="float", description="Employer establishments at 31/12 of that year", ge=0, name_is_regex=True),
    ),
    # The export's other dimensions: labels ("84 Auvergne-Rhône-Alpes") and codes of the region,
    # former region, département, employment zone, EPCI, commune, sectors and APE.
    ignored_columns=(
        "region", "ancienne_region", "departement", "zone_d_emploi", "epci", "commune", "secteur_na17",
        "secteur_na38", "ape", "code_region", "code_ancienne_region", "code_zone_d_emploi", "code_epci",
    ),
    # one row per commune (arrondissement for Paris, Lyon, Marseille) x APE; the years are columns
    key=("code_commune", "code_ape"),
    max_volume_change=0.1,
    approx_size="~300 MB CSV, ~1.23 M rows",
    evidence=(
        Evidence(
            'field ids region ... code_ape (labels, then codes), then effectifs_salaries_YYYY and nombre_d_etablissements_YYYY for 2006-2025',
            'dbt models over the export; scripts calling the Opendatasoft v2.1 API',
        ),
        Evidence(
            "code_ape without dot (6201Z); intitule_commune 'code name'; Paris/Lyon/Marseille by arrondissement; ~1.23 M rows",
            'public API consumers',
        ),
        Evidence(
            "UTF-8 with a byte order mark, ';' with delimiter=%3B",
            "readers decoding utf-8-sig; Opendatasoft's export options (with_bom)",
        ),
    ),
    unverified=(
        'the order of the year columns (read by name)',
        'whether an empty cell is secret or zero (treated as secret next to a published establishment count)',
    ),
)

# Sirene headcount bands (SOURCES.md 5.2; NN = no employee or unknown).
SIRENE_BANDS = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41", "42", "51", "52", "53")

# The other columns of the stock (Insee, "Description des fichiers de stock", StockEtablissement).
SIRENE_OTHER_COLUMNS = (
    "statutDiffusionEtablissement", "anneeEffectifsEtablissement", "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement", "nombrePeriodesEtablissement", "complementAdresseEtablissement",
    "numeroVoieEtablissement", "indiceRepetitionEtablissement", "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
    "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCedexEtablissement",
    "libelleCedexEtablissement", "codePaysEtrangerEtablissement", "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement", "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement", "numeroVoie2Etablissement", "indiceRepetition2Etablissement",
    "typeVoie2Etablissement", "libelleVoie2Etablissement", "codePostal2Etablissement", "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement", "distributionSpeciale2Etablissement", "codeCommune2Etablissement",
    "codeCedex2Etablissement", "libelleCedex2Etablissement", "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement", "dateDebut", "enseigne1Etablissement", "enseigne2Etablissement",
    "enseigne3Etablissement", "denominationUsuelleEtablissement",
)

SIRENE_ETABLISSEMENTS = Source(
    name="sirene_etablissements",
    title="Sirene: stock of establishments",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.data.gouv.fr/fr/datasets/base-sirene-des-entreprises-et-de-leurs-etablissements-siren-siret/",
    folder="sirene",
    fmt="parquet",
    cadence="monthly",
    # 54 columns; we read the ones below (projection push-down)
    ignored_columns=SIRENE_OTHER_COLUMNS,
    releases=(
        Release(
            2026,
            "StockEtablissement_utf8.parquet",
            cog_year=2026,
            url="https://object.files.data.gouv.fr/data-pipeline-open/siren/stock/StockEtablissement_utf8.parquet",
        ),
    ),
    fields=(
        Field("siren", description="SIREN", pattern=SIREN, nullable=False, code=True, checks=("luhn_siren",)),
        Field("nic", description="NIC", pattern=r"^\d{5}$", code=True),
        Field("siret", description="SIRET", pattern=SIRET, nullable=False, code=True, checks=("luhn_siret",)),
        Field("etatAdministratifEtablissement", description="A active, F closed", isin=("A", "F")),
        Field("etablissementSiege", dtype="bool", description="Head office"),
        Field("codePostalEtablissement", description="Postcode", code=True),
        Field("libelleCommuneEtablissement", description="Commune name"),
        Field("codeCommuneEtablissement", description="Commune code (current COG)", pattern=COMMUNE_CODE, code=True),
        # The real stock keeps closed establishments under the nomenclature of their time (NAFv1,
        # NAF 1993, NAP): the rév. 2 format is checked only where the row says NAFRev2.
        Field("activitePrincipaleEtablissement", description="Main activity code, in the nomenclature of the next column"),
        Field(
            "nomenclatureActivitePrincipaleEtablissement",
            description="Nomenclature of the activity code: NAFRev2 (current), NAFRev1, NAF1993, NAP",
            isin=("NAFRev2", "NAFRev1", "NAF1993", "NAP"),  # [V] the values seen in the stock
        ),
        Field(
            "trancheEffectifsEtablissement",
            description="Headcount band code (NN, 00, 01 ... 53)",
            isin=SIRENE_BANDS,
        ),
        Field("caractereEmployeurEtablissement", description="O employer, N not", isin=("O", "N")),
        Field("dateCreationEtablissement", dtype="date", description="Creation date", checks=("plausible_date",)),
        Field(
            "activitePrincipaleNAF25Etablissement",
            description="NAF 2025 code (column added on 16/12/2025)",
            required=False,
        ),
    ),
    row_checks=("siret_is_siren_nic", "naf_rev2_format"),
    # The pipeline uses Sirene to place lauréats (their SIRET, or their SIREN's head office): the
    # establishments of their companies are read, not the 40 M rows (DESIGN.md, Scale).
    siren_filter=SirenFilter("siren", identifiers=(("relance_laureats", "siren"), ("laureats_ti", "siret"))),
    key=("siret",),
    # counted over the whole stock (rows_in_file), not the lauréats' companies kept: those follow
    # the lauréat lists; the monthly stock moves by a few percent
    max_volume_change=0.2,
    approx_size="~2.1 GB Parquet, ~40 M establishments",
    evidence=(
        Evidence(
            'the 54 columns in this order and their Parquet types (DATE dates, BOOLEAN etablissementSiege)',
            'datagouv/datagouvfr_data_pipelines data_processing/insee/sirene/stock/config/config_stock.json',
        ),
        Evidence(
            'activitePrincipaleNAF25Etablissement added on 2025-12-16',
            "the same repository's history",
        ),
        Evidence(
            'nomenclature values NAFRev2, NAFRev1, NAF1993, NAP',
            'several independent codebases',
        ),
    ),
    unverified=(
        'nic was stored as an integer from mid-2025 to 2026-02-17: a stock of that period stops as type drift',
        'headcount band codes above 21',
    ),
)
