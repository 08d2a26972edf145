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

# Flores millésimes 2017-2021: Insee's "tableaux détaillés", one wide CSV per millésime and measure,
# one row per commune (CODGEO) and one column per A17 activity (EFF_<A17>) and their total (EFF_TOT).
# Only the salaried posts (_NBSAL) are declared: the pipeline's long series is of posts.
FLORES_A17_CODES = ("AZ", "C1", "C2", "C3", "C4", "C5", "DE", "FZ", "GZ", "HZ", "IZ", "JZ", "KZ", "LZ", "MN", "OQ", "RU")
# Industry in A17: C1-C5 (NAF section C) and DE (sections B, D, E); the A38 industry BZ, CA-CM, DZ, EZ.
FLORES_A17_INDUSTRY = ("C1", "C2", "C3", "C4", "C5", "DE")


def _flores_td(millesime: int, cog_year: int, page: int | None, suffix: str = "CSV") -> Release:
    stem = f"TD_FLORES{millesime}_NA17_TREF_NBSAL"
    return Release(
        millesime,
        f"{stem}_{suffix}.zip",
        cog_year=cog_year,
        url=_insee(page, f"{stem}_{suffix}.zip") if page else None,
        member=rf"(?i)^(.*/)?{stem}\.csv$",
    )


FLORES_A17_TD = Source(
    name="flores_a17_td",
    title="Flores 2017-2021 (tableaux détaillés): salaried posts at 31/12 by commune x A17 activity",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/statistiques/4991205",
    folder="flores_td",
    fmt="csv",
    # Newest first. Page ids: 4991205 holds the 2017 tables (TD_FLORES2017_NA88_NBSAL_CSV.zip seen
    # there); the pages of 2018-2021 were not found, so live mode reports those vintages unavailable
    # (an empty partition that says so) until their URL is known. The 2021 zip ends in "_csv.zip".
    releases=(
        _flores_td(2021, 2023, None, suffix="csv"),
        _flores_td(2020, 2022, None),
        _flores_td(2019, 2022, None),
        _flores_td(2018, 2021, None),
        _flores_td(2017, 2020, 4991205),
    ),
    fields=(
        Field("CODGEO", description="Commune code (COG of the vintage)", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("LIBGEO", description="Commune name (tolerated: not seen in the public readers)", required=False),
        # the total and the industrial activities one by one: a missing one stops the source by name
        # (a family would be satisfied by any of its columns)
        *(
            Field(f"EFF_{code}", dtype="float", description=f"Salaried posts at 31/12 of the millésime, {label}", ge=0)
            for code, label in (("TOT", "all activities"), *((c, f"A17 activity {c} (industry)") for c in FLORES_A17_INDUSTRY))
        ),
        Field(
            r"EFF_(" + "|".join(c for c in FLORES_A17_CODES if c not in FLORES_A17_INDUSTRY) + r")",
            dtype="float",
            description="Salaried posts at 31/12 of the millésime in one of the other A17 activities",
            ge=0,
            name_is_regex=True,
        ),
    ),
    # the size-band columns of the "TREF" tables (per activity and band), not used
    ignored_columns=(r"EFF_[A-Z0-9]{2,3}_.+",),
    key=("CODGEO",),
    # one row per commune: the count moves with communes merging, a few per cent at most
    max_volume_change=0.1,
    approx_size="~35,000 rows (one per commune), a few MB",
    evidence=(
        Evidence(
            "files TD_FLORES<YYYY>_NA17_TREF_NBETAB and _NBSAL for 2017-2021 (2021: '_csv.zip', others '_CSV.zip'); "
            "one member named as the zip without '_CSV' (TD_FLORES2019_NA17_TREF_NBETAB.csv)",
            "two public Python pipelines reading every millésime 2017-2021 from local copies",
        ),
        Evidence(
            "';' separator; CODGEO (commune, read as text and zero-padded); EFF_TOT and EFF_<A17> (AZ, DE, C1-C5, FZ ... RU) "
            "for posts, ET_TOT and ET_<A17> for establishments; further per-band columns with a second underscore",
            "the same pipelines (columns selected by name)",
        ),
        Evidence(
            "https://www.insee.fr/fr/statistiques/fichier/4991205/TD_FLORES2017_NA88_NBSAL_CSV.zip (the 2017 A88 table), "
            "read as CODGEO + EFF_<code> columns",
            "a public R project",
        ),
        Evidence(
            "A17 codes and labels (C1-C5 = NAF section C; DE = sections B, D, E); COG years 2020 for millésime 2017, "
            "2021 for 2018",
            "pynsee's local-data metadata (GEO2020FLORES2017, GEO2021FLORES2018)",
        ),
        Evidence(
            "COG of the published figures: 2018 in geography at 01/01/2021, 2019 at 01/01/2022, 2021 at 01/01/2023",
            "Insee's 'Caractéristiques des établissements' pages (5354444, 6436606, 7657371)",
        ),
    ),
    unverified=(
        "the URL of 2017's NA17 table (its A88 sibling is seen on page 4991205); the pages of 2018-2021",
        "the member name of the NBSAL files (seen for NBETAB), and whether each table holds one year only (the millésime's)",
        "the encoding (no accented column is read), quoting, and a LIBGEO column",
        "secrecy: how a withheld cell is written (an empty cell is read as secret; a non-numeric marker is a reject)",
        "whether Paris, Lyon and Marseille come as communes or arrondissements (both are read; an arrondissement "
        "is dropped where its commune is given whole)",
        "COG year of 2020 (taken as 2022, like 2019)",
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
