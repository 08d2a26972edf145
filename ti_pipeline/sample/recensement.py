"""Writers of the census files (RP bases communales): évolution-structure and emploi-population active.

What belongs here: the census values of each statistical unit (communes, Paris/Lyon/Marseille
arrondissements) and the layout of the four files (RP 2021 in COG 2023, before the 1/1/2024
merger; RP 2022 in COG 2024, after it). Residents are shares of the population anchors of
``Geographie`` (near the real legal populations); jobs at place of work come from the
establishments of ``economie``, the ones behind Flores and Urssaf. Shares are nested so that
rounding keeps ACT <= POP1564, CHOM <= ACT, CS6 <= ACTOCC1564, INDUS <= EMPLT, INDUSLT_F/SAL <= INDUS.

Units of the hand-checked territories (``geographie.HAND_TI``) are whole numbers; about 8 % of the
others keep decimals like the weighted estimates of the real files. RP 2021 évolution-structure is
written in latin-1 (its metadata member too, with accented labels), the three others in UTF-8; like
the real files, the data members carry codes and numbers only (no LIBGEO). At national scales the
files are as wide as the real ones (321 and
about 300 columns: ``FULL_WIDTH``), padded with columns of the real variable families that the
pipeline does not declare (it reads them, and keeps the declared ones).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ti_pipeline.sources import catalog as cat
from ti_pipeline.sources.catalog.census import SERIE_HISTORIQUE_POP

from .codes import rng_for
from .ecriture import ZipSink, xls_bytes
from .economie import PART_NON_SALARIES, economie
from .geographie import Geographie

AGE_SHARES = (0.17, 0.16, 0.18, 0.20, 0.18, 0.11)  # 0-14, 15-29, 30-44, 45-59, 60-74, 75+
ENCODING = {("rp_population", 2021): "latin-1"}
SECTORS = tuple(PART_NON_SALARIES)


def vintage_values(geo: Geographie, cog_year: int, millesime: int, seed: int, hist_years: int = 6) -> dict[str, np.ndarray]:
    """Every census variable of one vintage for the units of ``geo.units(cog_year)``, keyed by its name
    without the year prefix. Residents come from the population anchors ``p`` (RP 2021) and ``p22``
    (RP 2022); jobs at place of work from the establishments of ``economie`` in the census year (and
    six years before for the history columns), plus the non-salaried jobs of each sector."""
    rng = rng_for(seed, "rp", str(millesime))
    units = geo.units(cog_year)
    n = len(units)
    hand = units["hand"].to_numpy(dtype=bool)
    p = units["p" if millesime <= 2021 else "p22"].to_numpy(dtype=float)
    eco = economie(geo, seed)
    now = eco.jobs(cog_year, millesime).reindex(units["code"], fill_value=0.0)
    before = eco.jobs(cog_year, millesime - hist_years).reindex(units["code"], fill_value=0.0)
    dec = ~hand & (rng.random(n) < 0.08)

    def r(x):
        return np.where(dec, np.round(x, 5), np.round(x))

    s_1564 = rng.uniform(0.55, 0.66, n)
    s_act = s_1564 * rng.uniform(0.68, 0.80, n)
    s_chom = s_act * rng.uniform(0.05, 0.18, n)
    s_cs6 = (s_act - s_chom) * rng.uniform(0.08, 0.35, n)
    ind_f = rng.uniform(0.15, 0.40, n)

    ages = rng.dirichlet(np.array(AGE_SHARES) * 60, n)
    v: dict[str, np.ndarray] = {}
    v["POP"] = r(p)
    age_vals = [r(p * ages[:, k]) for k in range(6)]
    # Age classes are rounded independently (like the real weighted estimates); the last one closes the sum
    # for integer units so that they add up to POP.
    age_vals[5] = np.where(dec, age_vals[5], v["POP"] - sum(age_vals[:5]))
    age_vals[5] = np.maximum(age_vals[5], 0)
    for name, val in zip(("POP0014", "POP1529", "POP3044", "POP4559", "POP6074", "POP75P"), age_vals):
        v[name] = val
    v["POP7589"] = r(v["POP75P"] * rng.uniform(0.85, 0.93, n))
    v["POP90P"] = v["POP75P"] - v["POP7589"]
    v["POPH"] = r(p * rng.uniform(0.47, 0.50, n))
    v["POPF"] = v["POP"] - v["POPH"]
    v["POP1564"] = r(p * s_1564)
    v["POP1524"] = r(p * s_1564 * rng.uniform(0.15, 0.25, n))
    v["POP5564"] = r(p * s_1564 * rng.uniform(0.2, 0.3, n))
    v["POP2554"] = v["POP1564"] - v["POP1524"] - v["POP5564"]
    v["H1564"] = r(v["POP1564"] * 0.5)
    v["F1564"] = v["POP1564"] - v["H1564"]
    v["ACT1564"] = r(p * s_act)
    v["CHOM1564"] = r(p * s_chom)
    v["ACTOCC1564"] = v["ACT1564"] - v["CHOM1564"]
    v["INACT1564"] = v["POP1564"] - v["ACT1564"]
    v["ETUD1564"] = r(v["INACT1564"] * rng.uniform(0.3, 0.5, n))
    v["RETR1564"] = r(v["INACT1564"] * rng.uniform(0.2, 0.35, n))
    v["AINACT1564"] = v["INACT1564"] - v["ETUD1564"] - v["RETR1564"]
    v["ACTOCC"] = v["ACTOCC1564"] + r(p * rng.uniform(0.005, 0.02, n))
    v["ACT15P"] = v["ACTOCC"] + v["CHOM1564"]
    v["C_ACTOCC1564"] = v["ACTOCC1564"]
    v["C_ACTOCC1564_CS6"] = r(p * s_cs6)
    # The five other groups (CS1..CS5) share the rest.
    rest = v["C_ACTOCC1564"] - v["C_ACTOCC1564_CS6"]
    cs_w = rng.dirichlet([1, 3, 6, 9, 12], n)
    acc = np.zeros(n)
    for k in range(4):
        v[f"C_ACTOCC1564_CS{k + 1}"] = r(rest * cs_w[:, k])
        acc = acc + v[f"C_ACTOCC1564_CS{k + 1}"]
    v["C_ACTOCC1564_CS5"] = np.maximum(rest - acc, 0)

    # Jobs at place of work: salaried posts of the census year, non-salaried jobs on top.
    def jobs(frame):
        return {s: frame[s].to_numpy(float) / (1 - PART_NON_SALARIES[s]) for s in SECTORS}

    j_now, j_before = jobs(now), jobs(before)
    sal_now = now[list(SECTORS)].to_numpy(float).sum(axis=1)
    v["EMPLT"] = r(sum(j_now.values()))
    v["EMPLT_SAL"] = np.minimum(r(sal_now), v["EMPLT"])
    v["EMPLT_NSAL"] = v["EMPLT"] - v["EMPLT_SAL"]
    v["EMPLT_FSAL"] = r(v["EMPLT_SAL"] * rng.uniform(0.4, 0.55, n))
    v["C_EMPLT"] = v["EMPLT"]
    v["C_EMPLT_INDUS"] = np.minimum(r(j_now["indus"]), v["C_EMPLT"])
    v["C_INDUSLT_F"] = r(v["C_EMPLT_INDUS"] * ind_f)
    v["C_INDUSLT_SAL"] = np.minimum(r(now["indus"].to_numpy(float)), v["C_EMPLT_INDUS"])
    v["C_INDUSLT_NSAL"] = v["C_EMPLT_INDUS"] - v["C_INDUSLT_SAL"]
    v["C_EMPLT_AGRI"] = r(j_now["agri"])
    v["C_EMPLT_CONST"] = r(j_now["const"])
    v["C_EMPLT_APESAS"] = r(j_now["apesas"])
    v["C_EMPLT_CTS"] = np.maximum(v["C_EMPLT"] - v["C_EMPLT_INDUS"] - v["C_EMPLT_AGRI"] - v["C_EMPLT_CONST"]
                                  - v["C_EMPLT_APESAS"], 0)
    # Six years earlier (P15_ for RP 2021, P16_ for RP 2022), same geography.
    v["HIST_POP"] = r(p * rng.uniform(0.92, 1.05, n))
    v["HIST_EMPLT"] = r(sum(j_before.values()))
    v["HIST_POP1564"] = r(v["HIST_POP"] * s_1564)
    v["HIST_ACT1564"] = r(v["HIST_POP"] * s_act)
    v["HIST_CHOM1564"] = r(v["HIST_POP"] * s_chom)
    return v


def hist_years(millesime: int) -> int:
    """Years between a census base and its history columns: 5 up to RP 2018 (P11_ in RP 2016, P06_
    in RP 2011), 6 since (P15_ in RP 2021, P16_ in RP 2022)."""
    return 5 if millesime <= 2018 else 6


def _layout(kind: str, millesime: int) -> list[tuple[str, str]]:
    """(column name, value key) in file order: the catalog's columns plus real-looking extras."""
    yy = f"{millesime % 100:02d}"
    hh = f"{(millesime - hist_years(millesime)) % 100:02d}"
    P, C, H = f"P{yy}_", f"C{yy}_", f"P{hh}_"
    if kind == "rp_population":
        ages = ["POP0014", "POP1529", "POP3044", "POP4559", "POP6074"]
        ages += ["POP7589", "POP90P"]  # both vintages (RP 2021 too: P21_POP7589, P21_POP90P)
        cols = [(P + "POP", "POP"), *[(P + a, a) for a in ages], (P + "POP1564", "POP1564"),
                (P + "POPH", "POPH"), (P + "POPF", "POPF"), (H + "POP", "HIST_POP")]
        return cols
    cols = [(P + "POP1564", "POP1564"), (P + "POP1524", "POP1524"), (P + "POP2554", "POP2554"),
            (P + "POP5564", "POP5564"), (P + "H1564", "H1564"), (P + "F1564", "F1564"),
            (P + "ACT1564", "ACT1564"), (P + "ACTOCC1564", "ACTOCC1564"), (P + "CHOM1564", "CHOM1564"),
            (P + "INACT1564", "INACT1564"), (P + "ETUD1564", "ETUD1564"), (P + "RETR1564", "RETR1564"),
            (P + "AINACT1564", "AINACT1564"), (C + "ACTOCC1564", "C_ACTOCC1564")]
    if millesime <= 2021:
        cols += [(f"{C}ACTOCC1564_CS{k}", f"C_ACTOCC1564_CS{k}") for k in range(1, 7)]
    else:
        # PCS 2020: GSEC11..16 (16 = ouvriers) replace CS1..CS6.
        cols += [(f"{C}ACTOCC1564_STAT_GSEC1{k}", f"C_ACTOCC1564_CS{k}") for k in range(1, 7)]
    cols += [(P + "ACTOCC", "ACTOCC"), (P + "ACT15P", "ACT15P"), (P + "EMPLT", "EMPLT"),
             (P + "EMPLT_SAL", "EMPLT_SAL"), (P + "EMPLT_FSAL", "EMPLT_FSAL"), (P + "EMPLT_NSAL", "EMPLT_NSAL"),
             (C + "EMPLT", "C_EMPLT"), (C + "EMPLT_AGRI", "C_EMPLT_AGRI"), (C + "EMPLT_INDUS", "C_EMPLT_INDUS"),
             (C + "EMPLT_CONST", "C_EMPLT_CONST"), (C + "EMPLT_CTS", "C_EMPLT_CTS"),
             (C + "EMPLT_APESAS", "C_EMPLT_APESAS"), (C + "INDUSLT_F", "C_INDUSLT_F"),
             (C + "INDUSLT_SAL", "C_INDUSLT_SAL"), (C + "INDUSLT_NSAL", "C_INDUSLT_NSAL"),
             (H + "POP1564", "HIST_POP1564"), (H + "ACT1564", "HIST_ACT1564"), (H + "CHOM1564", "HIST_CHOM1564"),
             (H + "EMPLT", "HIST_EMPLT")]
    return cols


def _metadata(columns: list[str], millesime: int) -> str:
    """The zip's metadata member: one line per variable (code, label), ';'-separated."""
    lines = ["COD_VAR;LIB_VAR"]
    for c in columns:
        label = "Code géographique" if c == "CODGEO" else f"Variable {c} du recensement {millesime} (données synthétiques)"
        lines.append(f"{c};{label}")
    return "\n".join(lines) + "\n"


def format_numbers(x: np.ndarray) -> np.ndarray:
    """Integers without a decimal point, estimates with up to 5 decimals (Insee writes a dot)."""
    x = np.asarray(x, dtype=float)
    is_int = x == np.round(x)
    ints = np.round(x).astype(np.int64).astype(str)
    decs = np.char.rstrip(np.char.rstrip(np.char.mod("%.5f", x), "0"), ".")
    return np.where(is_int, ints, decs)


# The real files' widths (SOURCES 4.2): what a full-width file is padded to, CODGEO included.
FULL_WIDTH = {"rp_population": 321, "rp_emploi": 300}

# Stems of real census variables the pipeline does not declare, by base: the filler columns of a
# full-width file are these with the vintage's prefixes (P/C, the vintage, 6 and 11 years before).
_FILLER_STEMS = {
    "rp_population": (
        [f"{s}{a}" for s in ("H", "F") for a in ("0014", "1529", "3044", "4559", "6074", "7589", "90P", "0019", "2064", "65P")]
        + [f"{s}15P_CS{k}" for s in ("POP", "H", "F") for k in range(1, 9)]
        + [f"POP01P_IRAN{k}" for k in range(1, 8)]
        + [f"POP{a}" for a in ("0002", "0305", "0610", "1117", "1824", "2539", "4054", "5564", "6579", "80P", "15P", "0019", "2064", "65P")]
        + [f"POP15P_{m}" for m in ("MARIEE", "PACSEE", "CONCUB_UNION_LIBRE", "VEUFS", "DIVORCEE", "CELIBATAIRE")]
    ),
    "rp_emploi": (
        [f"{s}{a}" for s in ("H", "F") for a in ("1524", "2554", "5564", "ACT1564", "ACTOCC1564", "CHOM1564", "INACT1564")]
        + [f"ACT1564_CS{k}" for k in range(1, 7)]
        + [f"EMPLT_CS{k}" for k in range(1, 7)]
        + [f"{lt}_{w}" for lt in ("AGRILT", "CONSTLT", "CTSLT", "APESASLT") for w in ("F", "SAL", "FSAL", "NSAL", "FNSAL")]
        + [f"SAL15P_{c}" for c in ("CDI", "CDD", "INTERIM", "EMPAID", "APPR")]
        + [f"NSAL15P_{c}" for c in ("INDEP", "EMPLOY", "AIDFAM")]
        + [f"ACTOCC15P_ILT{k}" for k in range(1, 6)]
        + [f"ACT{a}" for a in ("1524", "2554", "5564", "15P")] + [f"CHOM{a}" for a in ("1524", "2554", "5564", "15P")]
    ),
}


def filler_columns(kind: str, millesime: int, taken: set[str], width: int) -> list[str]:
    """Undeclared column names in the real files' families, enough to reach ``width`` columns."""
    wanted = width - len(taken)
    names: list[str] = []
    for years_back in (0, 6, 11, 16):
        yy = f"{(millesime - years_back) % 100:02d}"
        for prefix in ("P", "C"):
            for stem in _FILLER_STEMS[kind]:
                name = f"{prefix}{yy}_{stem}"
                if name not in taken and len(names) < wanted:
                    names.append(name)
    return names


_BASES = {"rp_population": "evol-struct-pop", "rp_emploi": "emploi-pop-active"}


def data_member(source: cat.Source, release: cat.Release) -> str:
    """The data member's name in a census zip: ``base-cc-<base>-<YYYY>.CSV`` (``_v2.CSV`` for the
    corrected RP 2020 emploi base), ``.xls`` for the Excel 97 vintages."""
    stem = f"base-cc-{_BASES[source.name]}-{release.millesime}"
    if source.fmt_of(release) == "xls":
        return stem + ".xls"
    if (source.name, release.millesime) == ("rp_emploi", 2020):
        return stem + "_v2.CSV"
    return stem + ".CSV"


def write_rp(out: Path, geo: Geographie, seed: int, full_width: bool = False) -> dict[str, int]:
    counts = {}
    for source in (cat.RP_POPULATION, cat.RP_EMPLOI):
        for release in source.releases:
            m = release.millesime
            units = geo.units(release.cog_year)
            values = vintage_values(geo, release.cog_year, m, seed, hist_years(m))
            layout = _layout(source.name, m)
            xls = source.fmt_of(release) == "xls"
            table = {"CODGEO": units["code"].to_numpy()}
            for col, key in layout:
                table[col] = values[key] if xls else format_numbers(values[key])
            # Not the xls vintages: an xls sheet holds 256 columns at most, and xlwt keeps every cell
            # in memory (the national benchmark's peak); their declared columns are all there.
            if full_width and not xls:
                rng = rng_for(seed, "rp-filler", source.name, str(m))
                pop = np.asarray(values["POP"], dtype=float)
                for col in filler_columns(source.name, m, set(table), FULL_WIDTH[source.name]):
                    table[col] = np.round(pop * rng.uniform(0.0, 0.3, len(pop))).astype(np.int64).astype(str)
            df = pd.DataFrame(table)
            member = data_member(source, release)
            with ZipSink(cat.sample_path(out, source, release)) as z:
                if xls:
                    workbook, n_communes = _xls_workbook(geo, units, df, m)
                    z.write_bytes(member, workbook)
                    counts[f"{source.name}_{m}"] = n_communes
                    continue
                encoding = ENCODING.get((source.name, m), "utf-8")
                with z.open(member) as stream:
                    text = df.to_csv(sep=";", index=False, lineterminator="\n")
                    stream.write(text.encode(encoding))
                # beside the data, the variables' labels (the member the reader must not pick)
                z.write_bytes("meta_" + member, _metadata(list(df.columns), m).encode(encoding))
            counts[f"{source.name}_{m}"] = len(df)
    return counts


def _xls_workbook(geo: Geographie, units: pd.DataFrame, df: pd.DataFrame, millesime: int) -> tuple[bytes, int]:
    """The Excel 97 workbook of an old census base: sheet ``COM_<YYYY>`` with the communes (Paris,
    Lyon and Marseille whole, the sums of their arrondissements) and ``ARM_<YYYY>`` with the
    arrondissements, each with CODGEO, REG, DEP, LIBGEO then the variables, below 5 title rows."""
    data = df.drop(columns="CODGEO").astype(float)
    data.index = units["code"].to_numpy()
    parents = units["parent"].to_numpy()
    com = data.groupby(parents, sort=True).sum()
    geo_of = units.set_index("code")[["reg", "dep", "nom"]]
    plm = geo.communes.set_index("code")
    is_arm = units["code"].to_numpy() != parents
    arm = data[is_arm]
    variables = list(data.columns)
    header = ["CODGEO", "REG", "DEP", "LIBGEO", *variables]

    def rows(frame: pd.DataFrame, whole_plm: bool):
        for code, values in zip(frame.index, frame.to_numpy()):
            if whole_plm and code not in geo_of.index:  # a PLM commune: its arrondissements' region
                first_arm = units.loc[units["parent"] == code].iloc[0]
                reg, dep, nom = first_arm["reg"], first_arm["dep"], plm.loc[code, "nom"]
            else:
                reg, dep, nom = geo_of.loc[code]
            # whole numbers as integers, the weighted estimates with their decimals (Insee: 6)
            yield [code, str(reg), str(dep), nom, *[round(float(v), 6) for v in values]]

    titles = [
        [f"Base communale : recensement de la population {millesime} (données synthétiques de l'échantillon)"],
        ["France hors Mayotte"],
        [],
        ["Source : Insee, RP (échantillon synthétique de ti-pipeline)"],
        ["Code géographique", "Région", "Département", "Libellé géographique", *[f"{v} (libellé)" for v in variables]],
    ]
    workbook = xls_bytes([
        (f"COM_{millesime}", titles, header, rows(com, True)),
        (f"ARM_{millesime}", titles, header, rows(arm, False)),
    ])
    return workbook, len(com)


# Mean yearly growth of a commune's population before 2016, and how much it varies between communes:
# the series goes back from RP 2022's own two years (P22, P16) with a steady trend per commune.
_HIST_GROWTH = (0.004, 0.008)


def write_rp_serie_historique(out: Path, geo: Geographie, seed: int) -> dict[str, int]:
    """The census historical series: P22_POP and P16_POP are RP 2022's population and its history
    column (the évolution-structure base, same units), the earlier census years extrapolated back
    from 2016 at a steady rate per commune with a little noise; the dénombrements are integers."""
    source = cat.RP_SERIE_HISTORIQUE
    (release,) = source.releases
    m = release.millesime
    units = geo.units(release.cog_year)
    values = vintage_values(geo, release.cog_year, m, seed)
    rng = rng_for(seed, "rp-serie-historique")
    n = len(units)
    growth = rng.normal(*_HIST_GROWTH, n)
    p16 = np.asarray(values["HIST_POP"], dtype=float)
    table = {"CODGEO": units["code"].to_numpy(), "LIBGEO": units["nom"].to_numpy()}
    for col in SERIE_HISTORIQUE_POP:
        year = (2000 if col[0] == "P" else 1900) + int(col[1:3])
        if col == f"P{m % 100:02d}_POP":
            x = np.asarray(values["POP"], dtype=float)
        elif year == m - 6:
            x = p16
        else:
            x = np.round(p16 * np.power(1 + growth, year - (m - 6)) * rng.uniform(0.98, 1.02, n))
        table[col] = format_numbers(x)
    table["SUPERF"] = format_numbers(np.round(rng.uniform(3, 60, n), 2))
    df = pd.DataFrame(table)
    member = release.file_name.replace("_csv.zip", ".CSV")
    with ZipSink(cat.sample_path(out, source, release)) as z:
        with z.open(member) as stream:
            stream.write(df.to_csv(sep=";", index=False, lineterminator="\n").encode("utf-8"))
        z.write_bytes("meta_" + member, _metadata(list(df.columns), m).encode("utf-8"))
    return {f"{source.name}_{m}": len(df)}
