"""The source catalog: every input of the pipeline, declared once.

For each source: who publishes it, under which licence, which vintages (millésimes) exist, which file
each vintage is (name, zip member, sheet, title rows), where live mode finds it, which COG year its
commune codes are in, and its columns with their types, descriptions and value rules.

This is the single place where a column is declared. The pandera schemas (``ti_pipeline.validation``),
Dagster column-schema metadata, the Parquet field metadata and the data dictionary are derived from
the ``Field`` declarations below. The sample generator writes files with exactly these names.

Facts come from public evidence of the real files: each source's ``evidence`` says what confirms
its declaration and where it was seen (public code that reads the file, the publisher's
documentation, a registry package that ships it), and ``unverified`` what no evidence has confirmed
yet; ``docs/sources.md`` shows both. A ``[V]`` in a comment marks such a value. Where a real file
differs, the file wins: a declared column missing or retyped stops the source with a clear message,
a column added is reported by the ``colonnes_attendues`` check, a code outside a declared list is a
reject with its rule.

Not here: HTTP (``download``), parsing (``readers``), validation logic (``ti_pipeline.validation``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

LICENCE_ETALAB = "Licence Ouverte / Etalab 2.0"
LICENCE_ODBL = "ODbL 1.0"

# Value rules shared by several sources.
COMMUNE_CODE = r"^(\d{5}|2[AB]\d{3})$"
SIREN = r"^\d{9}$"
SIRET = r"^\d{14}$"
ID_TI = r"^ti-\d+$"
A38_CODE = r"^([A-Z]{2}|_T)$"
NAF_SIRENE = r"^\d{2}\.\d{2}[A-Z]$"
NAF_URSSAF = r"^\d{4}[A-Z]$"


@dataclass(frozen=True)
class Field:
    """One column of a source file.

    ``name`` may hold ``{yy}`` (two-digit millésime, census files: ``P21_POP``) or ``{yy_hist}``
    (millésime - 6, the census history columns: ``P15_POP``); ``name_is_regex`` declares a family
    of columns (``effectifs_salaries_\\d{4}``).
    """

    name: str
    dtype: str = "str"  # str | int | float | date | bool | list
    description: str = ""
    pattern: str | None = None  # regex every non-null value must match
    isin: tuple[str, ...] | None = None  # allowed values
    ge: float | None = None  # lower bound (non-negative counts: 0)
    le: float | None = None
    nullable: bool = True
    required: bool = True  # False: tolerated when absent (e.g. a column a publisher is adding)
    name_is_regex: bool = False
    code: bool = False  # an identifier: read as text, Excel ="..." wrappers and 971.0 floats fixed
    # Named value rules beyond pattern/isin/bounds, defined in ``ti_pipeline.validation.rules``:
    # "luhn_siren", "luhn_siret" (with La Poste's exception), "plausible_date".
    checks: tuple[str, ...] = ()

    def for_millesime(self, millesime: int) -> "Field":
        if self.name_is_regex or "{" not in self.name:
            return self
        return replace(
            self,
            name=self.name.format(yy=f"{millesime % 100:02d}", yy_hist=f"{(millesime - 6) % 100:02d}"),
        )


@dataclass(frozen=True)
class Evidence:
    """A fact of a source's declaration and where it was seen: public code that reads the real file,
    the publisher's documentation, a registry package that ships the file."""

    fact: str  # e.g. "header and order of the 16 columns, ';' separator"
    seen_in: str  # e.g. "npm @etalab/decoupage-administratif 5.3.0, data/communes.json"


@dataclass(frozen=True)
class Release:
    """One vintage of a source: the file as its publisher names it."""

    millesime: int
    file_name: str  # the downloaded file, e.g. ``base-cc-emploi-pop-active-2021_csv.zip``
    cog_year: int  # COG year of the commune codes inside
    url: str | None = None  # live URL; None when resolved through the data.gouv.fr API
    member: str | None = None  # regex choosing the member of a zip archive
    sheet: str | None = None  # xlsx sheet


@dataclass(frozen=True)
class VintageFromColumns:
    """A rolling file: one URL, republished with one more year of columns (Urssaf's "-last"
    export runs 2006 -> latest). Its millésime is not a constant of the catalog but the latest year
    of the columns whose name matches ``pattern`` (group 1: the year), read from the file itself;
    its COG year is that plus ``cog_year_offset`` (geography at 1 January of the year after).
    The catalog's release names the vintage last seen (the sample's folder); the lake keeps one
    partition, that of the newest file, which supersedes the others (it holds the whole series)."""

    pattern: str
    cog_year_offset: int = 1


@dataclass(frozen=True)
class DataGouvResource:
    """A file found through the data.gouv.fr API: dataset slug -> resources -> title pattern."""

    dataset: str
    pattern: str  # regex on the resource title / file name; group 1, if any, is the release date


@dataclass(frozen=True)
class SirenFilter:
    """Only the rows of the companies that other sources name are read (predicate push-down).

    A reference file much larger than what the pipeline uses (Sirene: 40 M establishments, of
    which the lauréats' companies are a few thousand) is scanned for the rows whose ``column`` is
    one of the SIRENs found in ``identifiers``: (source, column) pairs of raw tables whose values
    are SIRENs or SIRETs (the first 9 digits of a value of 9 or 14 digits, spaces and dots
    ignored). Only those rows are read, validated and kept in the lake; the raw asset depends on
    the raw assets of ``identifiers`` and is read again when their SIRENs change.

    Using the reference for more (e.g. counting establishments by territory) means removing the
    filter: the source is then read, validated and kept whole, in batches.
    """

    column: str
    identifiers: tuple[tuple[str, str], ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for name, _ in self.identifiers))


@dataclass(frozen=True)
class Source:
    name: str  # the raw asset is ``raw_<name>``
    title: str
    publisher: str
    licence: str
    page: str  # human-readable dataset page
    folder: str  # files of one publisher dataset share a folder in data/sample and data/cache
    fmt: str  # csv | xlsx | parquet | json
    releases: tuple[Release, ...]  # newest first
    fields: tuple[Field, ...]
    cadence: str = "annual"  # annual | monthly | irregular | rolling (one file, a year more each time)
    skiprows: int = 0  # title rows above the header (Insee xlsx: 5)
    datagouv: DataGouvResource | None = None
    # Columns the real file carries and the pipeline does not use (regexes, matched whole): read
    # past, never kept. Any other undeclared column is one the publisher added since this
    # declaration: not kept either, and reported by name (the ``colonnes_attendues`` WARN check).
    ignored_columns: tuple[str, ...] = ()
    approx_size: str = ""  # order of magnitude of the live file, for the README and the CLI
    notes: str = ""
    synthetic_only: bool = False  # no public file exists: live mode needs a configured URL
    # Rules across several columns of a row, defined in ``ti_pipeline.validation.rules.ROW_RULES``
    # (e.g. "obs_value_iff_not_disseminated").
    row_checks: tuple[str, ...] = ()
    # Share of rejected rows above which the validation check blocks downstream assets. Below it,
    # rejected rows only raise a warning. 0 means one rejected row blocks (the TI perimeters and
    # the geography references: a rejected row there silently drops communes from territories).
    max_reject_rate: float = 0.01
    siren_filter: SirenFilter | None = None
    # Rolling file: the millésime comes from the file's columns, not from the release (see class).
    vintage_from_columns: VintageFromColumns | None = None
    # A column whose values are counted in the raw asset's metadata (Flores: rows per geography
    # level, most of which the pipeline ignores).
    counted_by: str | None = None
    # What confirms this declaration in the real world, and what no evidence has confirmed yet
    # (DESIGN.md decision 9). Shown in docs/sources.md.
    evidence: tuple["Evidence", ...] = ()
    unverified: tuple[str, ...] = ()

    @property
    def asset_name(self) -> str:
        return f"raw_{self.name}"

    @property
    def millesimes(self) -> tuple[int, ...]:
        return tuple(r.millesime for r in self.releases)

    def release(self, millesime: int) -> Release:
        for r in self.releases:
            if r.millesime == millesime:
                return r
        raise KeyError(f"source {self.name!r} has no millésime {millesime}; known: {self.millesimes}")

    def fields_for(self, millesime: int) -> tuple[Field, ...]:
        return tuple(f.for_millesime(millesime) for f in self.fields)


def _insee(page: int, file_name: str) -> str:
    return f"https://www.insee.fr/fr/statistiques/fichier/{page}/{file_name}"


def _rp_release(base: str, millesime: int, page: int, cog_year: int) -> Release:
    """A census base communale: ``base-cc-<base>-<YYYY>_csv.zip`` holding ``base-cc-<base>-<YYYY>.CSV``."""
    stem = f"base-cc-{base}-{millesime}"
    return Release(
        millesime,
        f"{stem}_csv.zip",
        cog_year=cog_year,
        url=_insee(page, f"{stem}_csv.zip"),
        member=rf"(?i)^(.*/)?{stem}\.csv$",  # the stem is letters, digits and dashes: no escaping
    )


# --------------------------------------------------------------------------------------------
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
    approx_size="~12 MB, ~37,000 rows",
    evidence=(
        Evidence(
            'the file itself: keys, types, order; 37,642 entries, 599 codes listed twice (commune and commune déléguée), 94 communes without SIREN, 6 without population',
            'npm @etalab/decoupage-administratif 5.3.0 data/communes.json (its README maps COG 2025 to 5.3.0)',
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# 4. Census (recensement de la population), bases communales
# --------------------------------------------------------------------------------------------
_RP_FLOAT = dict(dtype="float", ge=0)

RP_POPULATION = Source(
    name="rp_population",
    title="Recensement: évolution et structure de la population (base communale)",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/statistiques/8581696",
    folder="rp_population",
    fmt="csv",
    # 321 columns, of which we declare and keep the ones the indicators use
    ignored_columns=(r"LIBGEO", r"[PC]\d{2}_\w+"),
    releases=(
        _rp_release("evol-struct-pop", 2022, page=8581696, cog_year=2024),
        _rp_release("evol-struct-pop", 2021, page=8201904, cog_year=2023),
    ),
    fields=(
        Field("CODGEO", description="Commune or arrondissement code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("P{yy}_POP", description="Population", **_RP_FLOAT),
        Field("P{yy}_POP0014", description="Population aged 0-14", **_RP_FLOAT),
        Field("P{yy}_POP1529", description="Population aged 15-29", **_RP_FLOAT),
        Field("P{yy}_POP3044", description="Population aged 30-44", **_RP_FLOAT),
        Field("P{yy}_POP4559", description="Population aged 45-59", **_RP_FLOAT),
        Field("P{yy}_POP6074", description="Population aged 60-74", **_RP_FLOAT),
        # 75+ comes as 75-89 and 90+ in RP 2021 and 2022 (evidence); a 75+ column, if an older or
        # newer base has one instead, is read too.
        Field("P{yy}_POP75P", description="Population aged 75+ (not seen in RP 2021-2022)", required=False, **_RP_FLOAT),
        Field("P{yy}_POP7589", description="Population aged 75-89", required=False, **_RP_FLOAT),
        Field("P{yy}_POP90P", description="Population aged 90+", required=False, **_RP_FLOAT),
        Field("P{yy_hist}_POP", description="Population six years earlier, same geography", **_RP_FLOAT),
        # The population aged 15-64 is taken from the emploi base (rp_emploi), where the evidence
        # shows it; this base's own column, if any, is one of the ignored census columns.
    ),
    approx_size="~20 MB zip, ~34,900 rows x 321 columns",
    evidence=(
        Evidence(
            "page ids 8201904 (2021) and 8581696 (2022); members base-cc-evol-struct-pop-YYYY.CSV beside a metadata member; ';' separator",
            'public readers naming the members; InseeFrLab/DoReMIFaSol',
        ),
        Evidence(
            'P21_POP7589 and P21_POP90P in RP 2021 too; history columns P15_ (2021), P16_ and P11_ (2022)',
            'public R and Python code summing those columns',
        ),
        Evidence(
            'RP 2021 évolution-structure in latin-1, 321 columns',
            "one public project's notes and reader (encoding='latin-1')",
        ),
    ),
    unverified=(
        "decimal mark ('.' inferred from readers calling float())",
        'latin-1 of RP 2021: one source',
        'P21_POP75P (declared optional; not seen)',
    ),
)

RP_EMPLOI = Source(
    name="rp_emploi",
    title="Recensement: emploi - population active (base communale)",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/statistiques/8581444",
    folder="rp_emploi",
    fmt="csv",
    ignored_columns=(r"LIBGEO", r"[PC]\d{2}_\w+"),
    releases=(
        _rp_release("emploi-pop-active", 2022, page=8581444, cog_year=2024),
        _rp_release("emploi-pop-active", 2021, page=8202916, cog_year=2023),
    ),
    fields=(
        Field("CODGEO", description="Commune or arrondissement code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("P{yy}_POP1564", description="Population aged 15-64", **_RP_FLOAT),
        Field("P{yy}_ACT1564", description="Active population aged 15-64", **_RP_FLOAT),
        Field("P{yy}_ACTOCC1564", description="Employed population aged 15-64", **_RP_FLOAT),
        Field("P{yy}_CHOM1564", description="Unemployed aged 15-64", **_RP_FLOAT),
        Field("P{yy}_ACTOCC", description="Employed residents (15+)", **_RP_FLOAT),
        Field("P{yy}_EMPLT", description="Jobs at place of work", **_RP_FLOAT),
        Field("P{yy}_EMPLT_SAL", description="Salaried jobs at place of work", **_RP_FLOAT),
        Field("P{yy_hist}_EMPLT", description="Jobs at place of work six years earlier", **_RP_FLOAT),
        Field("C{yy}_EMPLT", description="Jobs at place of work (complementary exploitation)", **_RP_FLOAT),
        Field("C{yy}_EMPLT_INDUS", description="Jobs in industry at place of work", **_RP_FLOAT),
        Field("C{yy}_INDUSLT_F", description="Jobs in industry held by women", **_RP_FLOAT),
        Field("C{yy}_INDUSLT_SAL", description="Salaried jobs in industry", **_RP_FLOAT),
        Field("C{yy}_ACTOCC1564", description="Employed aged 15-64 (complementary exploitation)", **_RP_FLOAT),
        # PCS 2003 up to RP 2021 (CS6 = ouvriers); PCS 2020 'GSEC' from RP 2022 (GSEC16 = ouvriers) [V].
        Field("C{yy}_ACTOCC1564_CS6", description="Employed 15-64, blue-collar (PCS 2003, to RP 2021)", required=False, **_RP_FLOAT),
        Field("C{yy}_ACTOCC1564_STAT_GSEC16", description="Employed 15-64, blue-collar (PCS 2020, from RP 2022)", required=False, **_RP_FLOAT),
    ),
    approx_size="~25 MB zip, ~34,900 rows x ~300 columns",
    evidence=(
        Evidence(
            'page ids 8202916 (2021) and 8581444 (2022); members base-cc-emploi-pop-active-YYYY.CSV',
            'public readers naming the zip members',
        ),
        Evidence(
            'families P_POP1564, P_ACT1564, P_ACTOCC1564, P_CHOM1564, P_ACTOCC, P_EMPLT, P_EMPLT_SAL, C_EMPLT, C_EMPLT_INDUS, C_INDUSLT_F, C_INDUSLT_SAL, C_ACTOCC1564_CS1..6',
            "the 2018 'dossier complet' header and a SQL template of the same families",
        ),
        Evidence(
            'C22_ACTOCC1564_STAT_GSEC11..16 replace C21_ACTOCC1564_CS1..6 (GSEC16 = ouvriers)',
            'several public projects using the 2022 base',
        ),
    ),
    unverified=(
        'the exact 2021 names C21_INDUSLT_F / C21_INDUSLT_SAL (the family is seen, these names inferred)',
        'whether C22_INDUSLT_F / C22_INDUSLT_SAL still exist in RP 2022',
    ),
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
    releases=(
        Release(
            2024,
            "DS_FLORES_A38_2024_CSV_FR.zip",
            cog_year=2025,
            url=_insee(8266010, "DS_FLORES_A38_2024_CSV_FR.zip"),
            member=r"(?i)^(.*/)?DS_FLORES_A38_2024_data\.csv$",
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
            'GEO_OBJECT COM and ZE2020; NUMBER_EMPL bands and _T',
            'public readers filtering on them',
        ),
    ),
    unverified=(
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
    RP_POPULATION,
    RP_EMPLOI,
    FLORES_A38,
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
    "Field",
    "Release",
    "Source",
    "DataGouvResource",
    "SirenFilter",
    "SOURCES",
    "SOURCES_BY_NAME",
    "TARGET_COG_YEAR",
    "get_source",
    "sample_path",
    "cache_path",
]
