"""The source catalog's declaration model: what a source, a release and a column are.

For each source: who publishes it, under which licence, which vintages (millésimes) exist, which file
each vintage is (name, zip member, sheet, title rows), where live mode finds it, which COG year its
commune codes are in, and its columns with their types, descriptions and value rules. The sources
themselves are declared in the family modules beside this one (``perimeters``, ``geography``,
``census``, ``employment``) and listed in ``catalog/__init__.py``.

This is the single place where a column is declared. The pandera schemas (``ti_pipeline.validation``),
Dagster column-schema metadata, the Parquet field metadata and the data dictionary are derived from
the ``Field`` declarations. The sample generator writes files with exactly these names.

Facts come from public evidence of the real files: each source's ``evidence`` says what confirms
its declaration and where it was seen (public code that reads the file, the publisher's
documentation, a registry package that ships it), and ``unverified`` what no evidence has confirmed
yet; ``docs/sources.md`` shows both. A ``[V]`` in a comment marks such a value. Where a real file
differs, the file wins: a declared column missing or retyped stops the source with a clear message,
a column added is reported by the ``colonnes_attendues`` check, a code outside a declared list is a
reject with its rule.

Not here: the sources themselves, HTTP (``download``), parsing (``readers``), validation logic
(``ti_pipeline.validation``).
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
    # Values a publisher writes in place of a figure it does not publish (Insee's Filosofi: 's'
    # statistical secrecy, 'nd' not available, 'ns' not significant, 'so' not applicable): read as
    # empty cells, never as rejects. Where secrecy matters, the SQL tells it from absence (the row
    # is there, the value is not).
    not_published: tuple[str, ...] = ()
    # A column seen in the real files from this vintage on only: required (if ``required``) for
    # millésimes >= ``required_since``, tolerated when absent from older ones (the census bases
    # before RP 2021 are declared on the columns seen in them; the others may or may not be there).
    required_since: int | None = None

    def for_millesime(self, millesime: int) -> "Field":
        field = self
        if self.required_since is not None and millesime < self.required_since and self.required:
            field = replace(field, required=False)
        if self.name_is_regex or "{" not in self.name:
            return field
        return replace(
            field,
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
    sheet: str | None = None  # xlsx (or xls) sheet
    # A vintage published in another format than the source's newer ones (the census bases
    # communales before RP 2017: Excel 97 "xls" workbooks below 5 title rows): its format and title
    # rows. None: the source's ``fmt`` and ``skiprows``.
    fmt: str | None = None
    skiprows: int | None = None


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
    fmt: str  # csv | xlsx | xls | parquet | json | geojson (a release may override it: ``Release.fmt``)
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
    # The columns that identify a row: a key found on more than one row rejects every one of those
    # rows (rule ``cle_unique``, ``validation.keys``). A regex family name stands for all its columns
    # (the passage table's ``CODGEO_\d{4}``). A source without a natural key leaves ``key`` empty and
    # says why in ``no_key_reason`` (tests/test_lake_trust.py requires one or the other).
    key: tuple[str, ...] = ()
    no_key_reason: str = ""
    # Largest relative change of the rows read for a vintage, against the previous ingestion of the
    # same vintage (or, for a vintage's first ingestion, the nearest other vintage in the lake),
    # beyond which the blocking check ``volume_attendu`` keeps the previous partition
    # (``ingest.volume``). 0.2: a drop or jump of more than 20 %.
    max_volume_change: float = 0.2
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

    def fmt_of(self, release: Release) -> str:
        """The format of ``release``'s file: its own, else the source's."""
        return release.fmt or self.fmt

    def skiprows_of(self, release: Release) -> int:
        return self.skiprows if release.skiprows is None else release.skiprows

    def fields_for(self, millesime: int) -> tuple[Field, ...]:
        return tuple(f.for_millesime(millesime) for f in self.fields)


def _insee(page: int, file_name: str) -> str:
    return f"https://www.insee.fr/fr/statistiques/fichier/{page}/{file_name}"


def _melodi(dataset: str, file_id: str) -> str:
    """A file of Insee's Melodi service (a zip, as on insee.fr)."""
    return f"https://api.insee.fr/melodi/file/{dataset}/{file_id}"
