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
# The first vintage whose columns were seen whole (RP 2021): a column not seen in an older vintage
# is declared with ``required_since=_RP_SEEN`` (read if there, tolerated if not).
_RP_SEEN = 2021


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


def _rp_xls_release(base: str, millesime: int, url: str, cog_year: int) -> Release:
    """A census base communale of the years Insee published it as an Excel 97 workbook in a zip:
    ``base-cc-<base>-<YYYY>.xls``, communes on sheet ``COM_<YYYY>`` (Paris, Lyon and Marseille as
    whole communes; their arrondissements on ``ARM_<YYYY>``, not read), below 5 title rows."""
    return Release(
        millesime,
        url.rsplit("/", 1)[1],
        cog_year=cog_year,
        url=url,
        member=rf"(?i)^(.*/)?base-cc-{base}-{millesime}\.xls$",
        sheet=f"COM_{millesime}",
        fmt="xls",
        skiprows=5,
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
    # the xls vintages also carry REG and DEP (region, département) beside LIBGEO
    ignored_columns=(r"LIBGEO", r"REG", r"DEP", r"[PC]\d{2}_\w+"),
    releases=(
        _rp_release("emploi-pop-active", 2022, page=8581444, cog_year=2024),
        _rp_release("emploi-pop-active", 2021, page=8202916, cog_year=2023),
        # The older vintages, for the changes over the census's standard periods (issue 24): their
        # COG is the vintage + 2, as for RP 2021 and 2022 (seen for RP 2011: 1/1/2013) [V 2016-2020].
        Release(
            2020,
            "base-cc-emploi-pop-active-2020_csv.zip",
            cog_year=2022,
            url=_insee(7632867, "base-cc-emploi-pop-active-2020_csv.zip"),
            # a corrected "_v2" member replaced the first one
            member=r"(?i)^(.*/)?base-cc-emploi-pop-active-2020(_v2)?\.csv$",
        ),
        Release(
            2019,
            # "ccc": the CSV zip (its xlsx twin is "ccx")
            "base-ccc-emploi-pop-active-2019.zip",
            cog_year=2021,
            url=_insee(6454652, "base-ccc-emploi-pop-active-2019.zip"),
            member=r"(?i)^(.*/)?base-cc-emploi-pop-active-2019\.csv$",
        ),
        _rp_xls_release("emploi-pop-active", 2016, _insee(4171446, "base-cc-emploi-pop-active-2016.zip"), cog_year=2018),
        _rp_xls_release("emploi-pop-active", 2011, _insee(2044817, "base-cc-emploi-pop-active-2011-fhm.zip"), cog_year=2013),
    ),
    fields=(
        Field("CODGEO", description="Commune or arrondissement code", pattern=COMMUNE_CODE, nullable=False, code=True),
        Field("P{yy}_POP1564", description="Population aged 15-64", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("P{yy}_ACT1564", description="Active population aged 15-64", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("P{yy}_ACTOCC1564", description="Employed population aged 15-64", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("P{yy}_CHOM1564", description="Unemployed aged 15-64", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("P{yy}_ACTOCC", description="Employed residents (15+)", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("P{yy}_EMPLT", description="Jobs at place of work", **_RP_FLOAT),
        Field("P{yy}_EMPLT_SAL", description="Salaried jobs at place of work", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("P{yy_hist}_EMPLT", description="Jobs at place of work six years earlier", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("C{yy}_EMPLT", description="Jobs at place of work (complementary exploitation)", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("C{yy}_EMPLT_INDUS", description="Jobs in industry at place of work", required_since=2016, **_RP_FLOAT),
        Field("C{yy}_INDUSLT_F", description="Jobs in industry held by women", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("C{yy}_INDUSLT_SAL", description="Salaried jobs in industry", required_since=_RP_SEEN, **_RP_FLOAT),
        Field("C{yy}_ACTOCC1564", description="Employed aged 15-64 (complementary exploitation)", required_since=_RP_SEEN, **_RP_FLOAT),
        # PCS 2003 up to RP 2021 (CS6 = ouvriers); PCS 2020 'GSEC' from RP 2022 (GSEC16 = ouvriers) [V].
        Field("C{yy}_ACTOCC1564_CS6", description="Employed 15-64, blue-collar (PCS 2003, to RP 2021)", required=False, **_RP_FLOAT),
        Field("C{yy}_ACTOCC1564_STAT_GSEC16", description="Employed 15-64, blue-collar (PCS 2020, from RP 2022)", required=False, **_RP_FLOAT),
    ),
    key=("CODGEO",),
    # A first ingestion is compared with the nearest vintage: RP 2011's COG 2013 had 36,681
    # communes, RP 2022's COG 2024 34,935 (-4.8 %), and the xls vintages list Paris, Lyon and
    # Marseille whole (sheet COM) where the CSVs give their 45 arrondissements. The sample's small
    # geography makes the latter -10 % (373 rows against 415), hence 12 %; a same-vintage re-read
    # rarely moves at all.
    max_volume_change=0.12,
    approx_size="~25 MB zip, ~34,900 rows x ~300 columns (xls vintages: at most 256 columns)",
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
        Evidence(
            "RP 2020: 7632867/base-cc-emploi-pop-active-2020_csv.zip, member base-cc-emploi-pop-active-2020_v2.CSV, ';', "
            'columns P20_EMPLT, P20_ACT15P, P20_CHOM1564, C20_ACT1564',
            'several public projects (a JS loader with that URL, Python readers of the _v2 member)',
        ),
        Evidence(
            "RP 2019: 6454652/base-ccc-emploi-pop-active-2019.zip, member base-cc-emploi-pop-active-2019.CSV, ';', latin-1",
            'public Python readers opening that member of that URL',
        ),
        Evidence(
            "RP 2016: an xls, base-cc-emploi-pop-active-2016.xls, sheets COM_2016 and ARM_2016 below 5 title rows "
            "(page 4171446); columns CODGEO, P16_EMPLT, C16_ACTOCC1564; C16_EMPLT_INDUS in the 2016 families",
            "a public R project (read_xls(sheet = 'COM_2016', skip = 5), rbind with ARM_2016, then PLM whole communes "
            "dropped from COM: COM carries them); a Python project listing C16_EMPLT_AGRI..APESAS",
        ),
        Evidence(
            "RP 2011: 2044817/base-cc-emploi-pop-active-2011-fhm.zip holding base-cc-emploi-pop-active-2011.xls, sheet "
            "COM_2011 below 5 title rows, columns CODGEO, REG, DEP, LIBGEO, P11_EMPLT; the 2011 bases are in the "
            "geography of 1/1/2013 (their RP 2006 history columns in that of 2008)",
            "a public Python reader of that URL (read_excel(sheet_name='COM_2011', skiprows=5)); the 2011 "
            "évolution-structure base's own notes",
        ),
    ),
    unverified=(
        'the exact 2021 names C21_INDUSLT_F / C21_INDUSLT_SAL (the family is seen, these names inferred)',
        'whether C22_INDUSLT_F / C22_INDUSLT_SAL still exist in RP 2022',
        "the zip name on page 4171446 (RP 2016): 'base-cc-emploi-pop-active-2016.zip' is inferred; the xls member and sheet were seen",
        'COG years of RP 2016, 2019, 2020 (vintage + 2, as for RP 2011, 2021 and 2022)',
        'RP 2011: C11_EMPLT, C11_EMPLT_INDUS (declared optional before RP 2016; the industrial changes since 2011 '
        'exist only if the file has them); every column other than P_EMPLT and C_EMPLT_INDUS before RP 2021 '
        '(declared optional there: required_since=2021)',
        'RP 2016 and 2011 as xls: their history columns are 5 years back (P11_, P06_), not 6; not read',
        'no RP 2006 base communale with jobs at place of work was seen: no 2006 vintage, no change since 2006',
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
