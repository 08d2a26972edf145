"""The census (recensement de la population): bases communales of population and employment.

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
    _insee,
)

# --------------------------------------------------------------------------------------------
# 4. Census (recensement de la population), bases communales
# --------------------------------------------------------------------------------------------
_RP_FLOAT = dict(dtype="float", ge=0)


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
    key=("CODGEO",),
    max_volume_change=0.05,
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
    key=("CODGEO",),
    max_volume_change=0.05,
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

# The census years of the historical series of RP 2022: the vintage, 6 and 11 years before (the
# census), 2006, then the dénombrements (D) of 1999, 1990, 1982, 1975 and 1968.
SERIE_HISTORIQUE_POP = ("P22_POP", "P16_POP", "P11_POP", "P06_POP", "D99_POP", "D90_POP", "D82_POP", "D75_POP", "D68_POP")

RP_SERIE_HISTORIQUE = Source(
    name="rp_serie_historique",
    title="Recensement: séries historiques, base communale (population 1968 -> latest census)",
    publisher="Insee",
    licence=LICENCE_ETALAB,
    page="https://www.insee.fr/fr/statistiques/8582555",
    folder="rp_serie_historique",
    fmt="csv",
    # the file also carries births and deaths between censuses, dwellings by census year and the
    # area (SUPERF); we keep the population of each census year
    ignored_columns=(r"LIBGEO", r"SUPERF", r"(NAIS|DECE)\d{4}", r"[PDC]\d{2}_\w+"),
    releases=(
        Release(
            2022,
            "base-cc-serie-historique-2022_csv.zip",
            # "géographie au 1er janvier 2025" (the page, quoted by a public project)
            cog_year=2025,
            url=_insee(8582555, "base-cc-serie-historique-2022_csv.zip"),
            member=r"(?i)^(.*/)?base-cc-serie-historique-2022\.csv$",
        ),
    ),
    fields=tuple(
        Field(name, description=f"Population of {'the census' if name[0] == 'P' else 'the dénombrement'} "
              f"{(2000 if name[0] == 'P' else 1900) + int(name[1:3])}", **_RP_FLOAT)
        for name in SERIE_HISTORIQUE_POP
    ) + (Field("CODGEO", description="Commune or arrondissement code", pattern=COMMUNE_CODE, nullable=False, code=True),),
    key=("CODGEO",),
    max_volume_change=0.05,
    approx_size="~5 MB zip, ~34,900 rows",
    evidence=(
        Evidence(
            "page 8582555 'Séries historiques en 2022', geography of 1 January 2025; member base-cc-serie-historique-2022.CSV "
            "beside meta_base-cc-serie-historique-2022.CSV; columns CODGEO, P22_POP, P06_POP, D99_POP, SUPERF",
            'a public research project citing the page and reading those columns',
        ),
        Evidence(
            "older vintages: 7632565/base-cc-serie-historique-2020_csv.zip (P20_POP, P14_POP, P09_POP, D99_POP ... D68_POP, "
            "NAIS/DECE columns), 6683035/base-cc-serie-historique-2021.zip, 2019 with columns P19_POP ... D68_POP in that order; ';'",
            'several public readers',
        ),
    ),
    unverified=(
        "the zip's name on page 8582555 (the RP 2022 bases' '_csv.zip' pattern; the 2021 file had none)",
        'P16_POP and P11_POP (the 6 and 11 years before, as in the older series), D90_POP ... D68_POP in the 2022 file',
        'whether Paris, Lyon and Marseille come by arrondissement in the CSV (the xlsx has an ARM sheet)',
    ),
)
