"""What a portrait shows, as plain data taken from the marts (no HTML here).

One function per section, each taking the marts read by ``marts.load_marts`` and a territory id and
returning small dataclasses, or a ``NonDisponible`` saying why the section cannot be shown (a mart
not published yet, a column it lacks, no row for this territory). The renderer turns both into
markup, so a section degrades to a clear note instead of a crash or a silent gap.

Column names are the marts' contract (DESIGN.md, "renaming a column is a breaking change"); where a
mart is still young the few accepted spellings are listed next to the code that reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ti_pipeline.portraits.formats import is_missing
from ti_pipeline.portraits.marts import Marts

# The four comparators of mart_ti_indicateurs, after the territory itself: (key, column, label).
ZONES = (
    ("territoire", "valeur", "Territoire"),
    ("region", "valeur_region", "Région"),
    ("ensemble_ti", "valeur_ensemble_ti", "Ensemble des TI"),
    ("hors_ti", "valeur_hors_ti", "France hors TI"),
    ("france", "valeur_france", "France"),
)
LIBELLES_ZONES = {k: label for k, _, label in ZONES}

NATURES_GROUPEMENT = {
    "CC": "communauté de communes",
    "CA": "communauté d'agglomération",
    "CU": "communauté urbaine",
    "METRO": "métropole",
    "MET69": "Métropole de Lyon",
    "EPT": "établissement public territorial",
    "COM": "commune isolée",
    "ME": "métropole",
}


@dataclass(frozen=True)
class NonDisponible:
    """Why a section has nothing to show (French, for the page)."""

    raison: str


def _num(x) -> float | None:
    return None if is_missing(x) else float(x)


def _str(x) -> str | None:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    s = str(x).strip()
    return s or None


def _col(df: pd.DataFrame, *noms: str) -> str | None:
    """The first of the accepted spellings of a column that the frame has."""
    return next((n for n in noms if n in df.columns), None)


def _annee_int(x) -> int | None:
    v = _num(x)
    return None if v is None else int(v)


# --- identity ------------------------------------------------------------------------------------


@dataclass
class Groupement:
    siren: str | None
    libelle: str
    nature: str | None
    nb_communes: int
    population: float | None = None

    @property
    def nature_libelle(self) -> str | None:
        return NATURES_GROUPEMENT.get(self.nature or "", self.nature)


@dataclass
class Commune:
    code: str
    libelle: str
    departement: str | None
    groupement: str | None
    codes_liste: str | None
    autres_territoires: list[str] = field(default_factory=list)


@dataclass
class Identite:
    id_ti: str
    lib_ti: str
    code_region: str | None
    libelle_region: str | None
    codes_regions: list[str]
    departements: list[tuple[str, int]]
    groupements: list[Groupement]
    communes: list[Commune]
    annee_cog: int | None


def territoires(marts: Marts) -> list[tuple[str, str]]:
    """(id, name) of every territory of the composition mart, by id."""
    comp = marts.frame("mart_ti_composition")
    pairs = comp[["id_ti", "lib_ti"]].drop_duplicates("id_ti").sort_values("id_ti")
    return [(str(i), str(n)) for i, n in pairs.itertuples(index=False)]


def identite(marts: Marts, id_ti: str) -> Identite:
    comp = marts.frame("mart_ti_composition")
    rows = comp[comp["id_ti"] == id_ti]
    if rows.empty:
        raise KeyError(f"{id_ti} absent de mart_ti_composition")
    first = rows.iloc[0]
    regions = _str(first.get("codes_regions")) or _str(first.get("code_region_reference")) or ""
    codes_regions = [r for r in re.split(r"[;,\s]+", regions) if r]

    grp_col = _col(rows, "siren_groupement")
    groupements: list[Groupement] = []
    if grp_col:
        for siren, g in rows.groupby(grp_col, dropna=False, sort=False):
            groupements.append(
                Groupement(
                    siren=_str(siren),
                    libelle=_str(g.iloc[0].get("lib_groupement")) or _str(siren) or "groupement non identifié",
                    nature=_str(g.iloc[0].get("nature_juridique")),
                    nb_communes=int(g["code_commune"].nunique()),
                )
            )
        groupements.sort(key=lambda g: (-g.nb_communes, g.libelle))
    # mart_ti_groupements, when published, is the programme's own list with each one's population
    grp = marts.frame("mart_ti_groupements")
    if grp is not None and {"siren_groupement", "lib_groupement"} <= set(grp.columns):
        g_rows = grp[grp["id_ti"] == id_ti]
        if not g_rows.empty:
            groupements = [
                Groupement(
                    siren=_str(r["siren_groupement"]),
                    libelle=_str(r["lib_groupement"]) or _str(r["siren_groupement"]) or "groupement non identifié",
                    nature=_str(r.get("nature_juridique")),
                    nb_communes=_annee_int(r.get("nb_communes")) or 0,
                    population=_num(r.get("population_reference")),
                )
                for _, r in g_rows.iterrows()
            ]
            groupements.sort(key=lambda g: (-(g.population or 0), -g.nb_communes, g.libelle))

    # a commune in several territories: name the others (the composition mart has one row per pair)
    partagees = rows.loc[rows.get("nb_ti", pd.Series(1, index=rows.index)).fillna(1) > 1, "code_commune"]
    autres: dict[str, list[str]] = {}
    if len(partagees):
        autres_rows = comp[comp["code_commune"].isin(set(partagees)) & (comp["id_ti"] != id_ti)]
        for code, g in autres_rows.groupby("code_commune"):
            autres[str(code)] = sorted(f"{i} {n}" for i, n in zip(g["id_ti"], g["lib_ti"]))

    communes = [
        Commune(
            code=str(r["code_commune"]),
            libelle=_str(r.get("libelle_commune")) or str(r["code_commune"]),
            departement=_str(r.get("code_departement")),
            groupement=_str(r.get("lib_groupement")),
            codes_liste=_str(r.get("codes_commune_liste")),
            autres_territoires=autres.get(str(r["code_commune"]), []),
        )
        for _, r in rows.sort_values("code_commune").iterrows()
    ]
    deps = rows.groupby("code_departement")["code_commune"].nunique() if "code_departement" in rows else pd.Series(dtype=int)
    return Identite(
        id_ti=id_ti,
        lib_ti=str(first["lib_ti"]),
        code_region=_str(first.get("code_region_reference")),
        libelle_region=_str(first.get("libelle_region_reference")),
        codes_regions=codes_regions,
        departements=[(str(d), int(n)) for d, n in deps.sort_index().items()],
        groupements=groupements,
        communes=communes,
        annee_cog=_annee_int(first.get("annee_cog")),
    )


# --- indicators ----------------------------------------------------------------------------------


@dataclass
class LigneIndicateur:
    code: str
    libelle: str
    definition: str | None
    precautions: str | None
    unite: str | None
    ordre: int
    formule: str | None = None
    source: str | None = None
    annee: int | None = None
    millesime: int | None = None
    qualite: str | None = None
    nb_communes_renseignees: int | None = None
    nb_communes: int | None = None
    valeurs: dict[str, float | None] = field(default_factory=dict)
    theme: str | None = None
    type_calcul: str | None = None
    annee_base: int | None = None  # changes: the first year of the period
    couverture: float | None = None  # lauréat sums: share of lauréats with a reported amount
    detail: str | None = None  # top_secteurs_industriels: the A38 codes

    @property
    def disponible(self) -> bool:
        return self.annee is not None

    @property
    def signe(self) -> bool:
        """Changes are written with their sign (+1,2 %)."""
        return self.code.startswith("evol_") or (self.unite or "") == "taux"

    @property
    def decimales(self) -> int | None:
        """Mean annual rates are small: two decimals tell territories apart (+0,86 %)."""
        return 2 if self.type_calcul == "taux_annuel" else None

    @property
    def periode(self) -> str | None:
        """``2016–2022`` for a change, ``2022`` otherwise."""
        if self.annee is None:
            return None
        return f"{self.annee_base}–{self.annee}" if self.annee_base is not None else str(self.annee)


def _dim(marts: Marts) -> pd.DataFrame:
    dim = marts.frame("dim_indicateur").copy()
    if "ordre" not in dim.columns:
        dim["ordre"] = range(1, len(dim) + 1)
    return dim.sort_values(["ordre", "code_indicateur"])


def indicateurs(marts: Marts, id_ti: str, ind_ti: pd.DataFrame | None = None) -> list[LigneIndicateur]:
    """Every indicator of ``dim_indicateur``, in its order, at the latest year the territory has it.

    An indicator without any row for the territory is kept (shown as not available): the dictionary,
    not the data, decides what a portrait lists.
    """
    if ind_ti is None:
        ind = marts.frame("mart_ti_indicateurs")
        ind_ti = ind[ind["id_ti"] == id_ti]
    latest = (
        ind_ti.assign(_annee=pd.to_numeric(ind_ti["annee"], errors="coerce"))
        .sort_values("_annee")
        .drop_duplicates("code_indicateur", keep="last")
        .set_index("code_indicateur")
    )
    lignes = []
    for _, d in _dim(marts).iterrows():
        code = str(d["code_indicateur"])
        ligne = LigneIndicateur(
            code=code,
            libelle=_str(d.get("libelle")) or code,
            definition=_str(d.get("definition")),
            precautions=_str(d.get("precautions")),
            unite=_str(d.get("unite")),
            ordre=int(d["ordre"]),
            source=_str(d.get("source")),
            theme=_str(d.get("theme")),
            type_calcul=_str(d.get("type_calcul")),
            formule=_str(d.get("formule")),
        )
        if code in latest.index:
            r = latest.loc[code]
            ligne.annee = _annee_int(r["_annee"])
            ligne.millesime = _annee_int(r.get("millesime"))
            ligne.source = _str(r.get("source")) or ligne.source
            ligne.unite = _str(r.get("unite")) or ligne.unite
            ligne.qualite = _str(r.get("qualite"))
            ligne.nb_communes_renseignees = _annee_int(r.get("nb_communes_renseignees"))
            ligne.nb_communes = _annee_int(r.get("nb_communes"))
            ligne.valeurs = {zone: _num(r[col]) if col in r.index else None for zone, col, _ in ZONES}
            ligne.annee_base = _annee_int(r.get("annee_base"))
            ligne.couverture = _num(r.get("couverture"))
            ligne.detail = _str(r.get("detail"))
        lignes.append(ligne)
    return lignes


def par_code(lignes: list[LigneIndicateur]) -> dict[str, LigneIndicateur]:
    return {l.code: l for l in lignes}


THEMES = {
    "territoire": "Territoire",
    "population": "Population",
    "emploi": "Emploi et activité",
    "industrie": "Industrie",
    "laureats": "Lauréats France Relance et fonds Territoires d'industrie",
}


def par_theme(lignes: list[LigneIndicateur]) -> list[tuple[str, list[LigneIndicateur]]]:
    """Indicators grouped by the dictionary's ``theme`` (by source when it has none), in its order."""
    groupes: dict[str, list[LigneIndicateur]] = {}
    for l in lignes:
        cle = THEMES.get(l.theme, (l.theme or "").capitalize()) if l.theme else (l.source or "Autres indicateurs")
        groupes.setdefault(cle, []).append(l)
    return list(groupes.items())


# --- industrial sectors --------------------------------------------------------------------------


@dataclass
class Secteur:
    code: str
    libelle: str
    postes: float | None
    etablissements: float | None
    part: float | None
    quotient: float | None
    rang: int | None
    secret: bool = False


@dataclass
class Secteurs:
    annee: int | None
    source: str | None
    millesime: int | None
    secteurs: list[Secteur]


def secteurs(marts: Marts, id_ti: str) -> Secteurs | NonDisponible:
    df = marts.frame("mart_ti_secteurs")
    if df is None:
        return NonDisponible("le mart mart_ti_secteurs n'est pas publié")
    c_code = _col(df, "activite_a38", "code_a38", "secteur_a38", "code_secteur")
    c_postes = _col(df, "postes", "postes_salaries", "effectifs", "emplois", "empl3112")
    if c_code is None or c_postes is None:
        return NonDisponible("mart_ti_secteurs n'a pas les colonnes attendues (code A38 et postes)")
    rows = df[df["id_ti"] == id_ti]
    if rows.empty:
        return NonDisponible("aucun secteur industriel renseigné pour ce territoire")
    annee_col = _col(rows, "annee")
    annee = None
    if annee_col:
        annees = pd.to_numeric(rows[annee_col], errors="coerce")
        annee = _annee_int(annees.max())
        rows = rows[annees == annees.max()]
    c_lib = _col(rows, "libelle_a38", "libelle_secteur", "libelle")
    c_etab = _col(rows, "etablissements", "nb_etablissements", "unit_loc", "etab")
    c_part = _col(rows, "part_postes", "part", "part_postes_industrie")
    c_ql = _col(rows, "quotient_localisation", "indice_specificite", "ql", "specificite")
    c_rang = _col(rows, "rang", "rang_postes")
    liste = [
        Secteur(
            code=str(r[c_code]),
            libelle=(_str(r[c_lib]) if c_lib else None) or str(r[c_code]),
            postes=_num(r[c_postes]),
            etablissements=_num(r[c_etab]) if c_etab else None,
            part=_num(r[c_part]) if c_part else None,
            quotient=_num(r[c_ql]) if c_ql else None,
            rang=_annee_int(r[c_rang]) if c_rang else None,
            secret=bool(r["secret"]) if "secret" in rows.columns and not is_missing(r["secret"]) else False,
        )
        for _, r in rows.iterrows()
    ]
    liste.sort(key=lambda s: (s.rang if s.rang is not None else 10**6, -(s.postes or 0), s.code))
    first = rows.iloc[0]
    return Secteurs(
        annee=annee,
        # the mart has no source column: its figures are Flores' (mart description)
        source=(_str(first.get("source")) if "source" in rows else None) or "Insee, Flores",
        millesime=_annee_int(first.get("millesime")) if "millesime" in rows else None,
        secteurs=liste,
    )


# --- establishment sizes -------------------------------------------------------------------------

CODE_50_PLUS = "part_postes_ind_etab_50_plus"
CODE_250_PLUS = "part_postes_ind_etab_250_plus"


def seuil_taille(ligne: LigneIndicateur, defaut: int) -> int:
    """The size threshold an indicator really uses, read from its label ("... de 200 salariés ou
    plus"): Flores has no 250 band, so part_postes_ind_etab_250_plus counts 200 or more."""
    m = re.search(r"(\d+)\s+salariés\s+ou\s+plus", ligne.libelle)
    return int(m.group(1)) if m else defaut


@dataclass
class TaillesZone:
    zone: str
    parts: list[tuple[str, float]]  # (size band label, share of industrial posts), summing to 1


@dataclass
class Tailles:
    annee: int | None
    source: str | None
    millesime: int | None
    qualite: str | None
    zones: list[TaillesZone]


def tailles(lignes: list[LigneIndicateur]) -> Tailles | NonDisponible:
    """Industrial posts by establishment size, from the 50+ (and 200+/250+ when published) shares."""
    idx = par_code(lignes)
    l50 = idx.get(CODE_50_PLUS)
    if l50 is None or not l50.disponible:
        return NonDisponible(f"l'indicateur {CODE_50_PLUS} n'est pas disponible pour ce territoire")
    l_grand = idx.get(CODE_250_PLUS)
    if l_grand is not None and not (l_grand.disponible and l_grand.annee == l50.annee):
        l_grand = None
    s50 = seuil_taille(l50, 50)
    s_grand = seuil_taille(l_grand, 250) if l_grand else None
    zones = []
    for zone, _, _ in ZONES:
        p50 = l50.valeurs.get(zone)
        if p50 is None:
            continue
        p_grand = l_grand.valeurs.get(zone) if l_grand else None
        if p_grand is not None:
            parts = [
                (f"Moins de {s50} salariés", 1 - p50),
                (f"{s50} à {s_grand - 1} salariés", p50 - p_grand),
                (f"{s_grand} salariés ou plus", p_grand),
            ]
        else:
            parts = [(f"Moins de {s50} salariés", 1 - p50), (f"{s50} salariés ou plus", p50)]
        zones.append(TaillesZone(zone=zone, parts=[(n, max(0.0, min(1.0, p))) for n, p in parts]))
    qualites = {l.qualite for l in (l50, l_grand) if l is not None and l.qualite}
    qualite = "secret" if "secret" in qualites else ("partiel" if "partiel" in qualites else (qualites.pop() if qualites else None))
    return Tailles(annee=l50.annee, source=l50.source, millesime=l50.millesime, qualite=qualite, zones=zones)


# --- private industrial employment since 2006 ----------------------------------------------------

# A level series (salaried private industrial jobs, Urssaf) if the marts publish one; else the
# yearly changes chained into an index; else the latest changes over 1, 5 and 10 years.
CODES_SERIE_EMPLOI = ("emploi_ind_prive", "effectifs_ind_prive", "emploi_salarie_ind_prive", "effectifs_salaries_ind_prive")
CODE_EVOL_1A = "evol_emploi_ind_prive_1a"
CODES_EVOL_EMPLOI = (CODE_EVOL_1A, "evol_emploi_ind_prive_5a", "evol_emploi_ind_prive_10a")


@dataclass
class SerieEmploi:
    libelle: str
    source: str | None
    millesime: int | None
    base_annee: int
    indices: dict[str, list[tuple[int, float]]]  # zone -> [(year, index base 100 in base_annee)]
    niveaux: list[tuple[int, float]]  # the territory's headcount, when the mart gives it
    methode: str  # "niveaux" or "evolutions_chainees"


@dataclass
class EvolutionsEmploi:
    lignes: list[LigneIndicateur]


def _annees(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(_annee=pd.to_numeric(rows["annee"], errors="coerce")).sort_values("_annee")


def _serie_niveaux(rows: pd.DataFrame, libelle: str) -> SerieEmploi | None:
    points = {
        zone: {int(a): float(v) for a, v in zip(rows["_annee"], rows[col]) if not is_missing(v) and not is_missing(a)}
        for zone, col, _ in ZONES
        if col in rows.columns
    }
    communs = set.intersection(*[set(p) for p in points.values() if p]) if any(points.values()) else set()
    base = min((a for a in communs if points["territoire"].get(a)), default=None)
    if base is None:
        return None
    indices = {z: [(a, 100 * v / p[base]) for a, v in sorted(p.items()) if a >= base] for z, p in points.items() if p.get(base)}
    last = rows.iloc[-1]
    return SerieEmploi(libelle, _str(last.get("source")), _annee_int(last.get("millesime")), base, indices,
                       sorted(points["territoire"].items()), "niveaux")


def _serie_chainee(rows: pd.DataFrame) -> SerieEmploi | None:
    """Index base 100 from the 1-year changes: I(y) = I(y-1) x (1 + evol(y)), for every zone.

    Exact for each zone, since each change is that zone's ratio of sums; the chain of a zone
    stops at its first missing year rather than jumping over a gap.
    """
    rows = rows[rows["_annee"].notna()]
    if "annee_base" in rows.columns:
        rows = rows[pd.to_numeric(rows["annee_base"], errors="coerce") == rows["_annee"] - 1]
    if len(rows) < 2:
        return None
    annees = [int(a) for a in rows["_annee"]]
    base = annees[0] - 1
    indices: dict[str, list[tuple[int, float]]] = {}
    for zone, col, _ in ZONES:
        if col not in rows.columns:
            continue
        serie, niveau, attendu = [(base, 100.0)], 100.0, base + 1
        for a, v in zip(annees, rows[col]):
            if a != attendu or is_missing(v):
                break
            niveau *= 1 + float(v)
            serie.append((a, niveau))
            attendu += 1
        if len(serie) > 1:
            indices[zone] = serie
    if "territoire" not in indices:
        return None
    niveaux: list[tuple[int, float]] = []
    if {"numerateur", "denominateur"} <= set(rows.columns):
        first = rows.iloc[0]
        if not is_missing(first["denominateur"]):
            niveaux.append((base, float(first["denominateur"])))
        niveaux += [(int(a), float(n)) for a, n in zip(rows["_annee"], rows["numerateur"]) if not is_missing(n)]
    last = rows.iloc[-1]
    return SerieEmploi("Emploi salarié privé industriel", _str(last.get("source")), _annee_int(last.get("millesime")),
                       base, indices, niveaux, "evolutions_chainees")


def emploi_industriel(marts: Marts, id_ti: str, lignes: list[LigneIndicateur], ind_ti: pd.DataFrame | None = None) -> SerieEmploi | EvolutionsEmploi | NonDisponible:
    if ind_ti is None:
        ind = marts.frame("mart_ti_indicateurs")
        ind_ti = ind[ind["id_ti"] == id_ti]
    idx = par_code(lignes)
    for code in CODES_SERIE_EMPLOI:
        rows = _annees(ind_ti[ind_ti["code_indicateur"] == code])
        if rows["_annee"].nunique() >= 3:
            serie = _serie_niveaux(rows, idx[code].libelle if code in idx else code)
            if serie:
                return serie
    rows = _annees(ind_ti[ind_ti["code_indicateur"] == CODE_EVOL_1A])
    if len(rows) >= 2:
        serie = _serie_chainee(rows)
        if serie:
            return serie
    evols = [l for l in lignes if l.code in CODES_EVOL_EMPLOI and l.disponible]
    if evols:
        return EvolutionsEmploi(lignes=evols)
    return NonDisponible(
        "ni série annuelle de l'emploi salarié industriel privé (Urssaf) ni ses évolutions "
        f"({', '.join(CODES_EVOL_EMPLOI)}) dans les marts"
    )


# --- lauréats ------------------------------------------------------------------------------------

CODE_NB_LAUREATS = "nb_laureats_relance"
# The lauréat sources: (title, source as the dictionary writes it). The DGE file and the TI-fund
# extract overlap (a fund project is in both): the mart either merges them into projects counted
# once, or keeps one block per source; the portraits never add the two.
PROJETS_FUSIONNES = "relance_laureats+laureats_ti"
SOURCES_LAUREATS = {
    PROJETS_FUSIONNES: (
        "Projets lauréats (plan de relance et fonds Territoires d'industrie)",
        "DGE, Plan de relance - projets industriels ; ANCT/DGE, lauréats du fonds Territoires d'industrie",
    ),
    "relance_laureats": ("Plan de relance : lauréats des mesures industrielles", "DGE, Plan de relance - projets industriels"),
    "laureats_ti": ("Fonds d'accélération des investissements industriels dans les territoires", "ANCT/DGE, lauréats du fonds Territoires d'industrie"),
}
SOURCES_COURTES = {PROJETS_FUSIONNES: "plan de relance et fonds TI", "relance_laureats": "plan de relance", "laureats_ti": "fonds TI"}
AXES_LAUREATS = {"mesure": "par mesure", "filiere": "par filière"}
MONTANTS_LAUREATS = (
    ("investissement", "couverture_investissement", "Investissement", "EUR"),
    ("aide", "couverture_aide", "Aide accordée", "EUR"),
    ("emplois", "couverture_emplois", "Emplois annoncés", "nombre"),
)


@dataclass
class Repartition:
    axe: str
    titre: str  # "par mesure"
    modalites: list[tuple[str, float]]  # (label, number of lauréats), largest first


@dataclass
class Montant:
    libelle: str
    valeur: float | None
    unite: str  # "EUR" or "nombre"
    couverture: float | None  # share of lauréats carrying a value


@dataclass
class BlocLaureats:
    source_laureat: str
    titre: str
    source: str
    millesime: int | None
    total: int
    repartitions: list[Repartition]
    montants: list[Montant]


@dataclass
class LigneLaureat:
    entreprise: str
    source_laureat: str
    mesure: str | None
    filiere: str | None
    commune: str | None
    aide: float | None
    investissement: float | None
    emplois: float | None


@dataclass
class Laureats:
    total: float | None  # nb_laureats_relance of mart_ti_indicateurs
    annee: int | None
    source: str | None
    blocs: list[BlocLaureats] = field(default_factory=list)
    liste: list[LigneLaureat] | None = None
    notes: list[str] = field(default_factory=list)


def _bloc(g: pd.DataFrame, source_laureat: str, titre: str, source: str) -> BlocLaureats:
    ensemble = g[g["axe"] == "ensemble"]
    total = int(ensemble["nb_laureats"].sum()) if not ensemble.empty else int(g[g["axe"] == g["axe"].iloc[0]]["nb_laureats"].sum())
    repartitions = []
    for axe, titre_axe in AXES_LAUREATS.items():
        v = g[g["axe"] == axe]
        if v.empty:
            continue
        mods = v.groupby("modalite")["nb_laureats"].sum().sort_values(ascending=False, kind="stable")
        repartitions.append(Repartition(axe, titre_axe, [(str(k), float(n)) for k, n in mods.items() if n > 0]))
    montants = []
    if not ensemble.empty:
        e = ensemble.iloc[0]
        for col, col_cov, libelle, unite in MONTANTS_LAUREATS:
            if col in e.index and not is_missing(e[col]):
                montants.append(Montant(libelle, float(e[col]), unite, _num(e.get(col_cov))))
    millesime = _annee_int(pd.to_numeric(g["millesime"], errors="coerce").max()) if "millesime" in g else None
    return BlocLaureats(source_laureat, titre, source, millesime, total, repartitions, montants)


def _blocs_laureats(rows: pd.DataFrame) -> list[BlocLaureats]:
    """One block per lauréat source when the mart keeps them apart (never added together), else
    one block of merged projects (a project in both files counted once)."""
    if rows.empty:
        return []
    if "source_laureat" not in rows.columns:
        return [_bloc(rows, PROJETS_FUSIONNES, *SOURCES_LAUREATS[PROJETS_FUSIONNES])]
    ordre = {k: i for i, k in enumerate(SOURCES_LAUREATS)}
    return [
        _bloc(g, str(k), *SOURCES_LAUREATS.get(str(k), (str(k), str(k))))
        for k, g in sorted(rows.groupby("source_laureat", sort=False), key=lambda kv: ordre.get(kv[0], 99))
    ]


def _source_projet(r: pd.Series) -> str:
    if "source_laureat" in r.index and _str(r["source_laureat"]):
        return str(r["source_laureat"])
    dans_relance = _str(r.get("id_relance")) is not None
    dans_ti = _str(r.get("id_projet_ti")) is not None
    return PROJETS_FUSIONNES if dans_relance and dans_ti else ("laureats_ti" if dans_ti else "relance_laureats")


def _liste_laureats(df: pd.DataFrame, id_ti: str) -> list[LigneLaureat]:
    def dans(ids) -> bool:
        if ids is None or isinstance(ids, float):
            return False
        if isinstance(ids, str):
            return id_ti in re.split(r"[;,\s]+", ids)
        return id_ti in list(ids)

    rows = df[df["ids_ti"].map(dans)]
    out = [
        LigneLaureat(
            entreprise=_str(r.get("entreprise")) or "entreprise non nommée",
            source_laureat=_source_projet(r),
            mesure=_str(r.get("mesure_light")) or _str(r.get("mesure")),
            filiere=_str(r.get("filiere")),
            commune=_str(r.get("libelle_commune")) or _str(r.get("nom_commune")),
            aide=_num(r.get("montant_aide")),
            investissement=_num(r.get("montant_investissement")),
            emplois=_num(r.get("emplois")),
        )
        for _, r in rows.iterrows()
    ]
    return sorted(out, key=lambda l: l.entreprise)


def laureats(marts: Marts, id_ti: str, lignes: list[LigneIndicateur]) -> Laureats | NonDisponible:
    ligne = par_code(lignes).get(CODE_NB_LAUREATS)
    dispo = ligne is not None and ligne.disponible
    out = Laureats(
        total=ligne.valeurs.get("territoire") if dispo else None,
        annee=ligne.annee if dispo else None,
        source=ligne.source if ligne is not None else None,
    )
    df = marts.frame("mart_ti_laureats")
    if df is not None and {"axe", "modalite", "nb_laureats"} <= set(df.columns):
        out.blocs = _blocs_laureats(df[df["id_ti"] == id_ti])
    elif df is not None:
        out.notes.append("mart_ti_laureats n'a pas les colonnes attendues (axe, modalite, nb_laureats)")
    else:
        out.notes.append("répartition par mesure et par filière, montants et emplois : le mart mart_ti_laureats n'est pas publié")
    liste = marts.frame("mart_laureats")
    if liste is not None and "ids_ti" in liste.columns:
        out.liste = _liste_laureats(liste, id_ti)
    if out.total is None and not out.blocs:
        return NonDisponible("ni le mart mart_ti_laureats ni l'indicateur nb_laureats_relance ne sont publiés")
    return out


# --- index ---------------------------------------------------------------------------------------


@dataclass
class EntreeIndex:
    id_ti: str
    lib_ti: str
    region: str | None
    departements: list[str]
    nb_communes: int
    population: float | None
    annee_population: int | None
    communes: list[str]


def entrees_index(marts: Marts) -> list[EntreeIndex]:
    comp = marts.frame("mart_ti_composition")
    ind = marts.frame("mart_ti_indicateurs")
    pop = ind[ind["code_indicateur"] == "population"].assign(_annee=lambda d: pd.to_numeric(d["annee"], errors="coerce"))
    pop = pop.sort_values("_annee").drop_duplicates("id_ti", keep="last").set_index("id_ti")
    out = []
    for id_ti, rows in comp.groupby("id_ti", sort=True):
        first = rows.iloc[0]
        p = pop.loc[id_ti] if id_ti in pop.index else None
        out.append(
            EntreeIndex(
                id_ti=str(id_ti),
                lib_ti=str(first["lib_ti"]),
                region=_str(first.get("libelle_region_reference")),
                departements=sorted({str(d) for d in rows.get("code_departement", pd.Series(dtype=str)).dropna()}),
                nb_communes=int(rows["code_commune"].nunique()),
                population=_num(p["valeur"]) if p is not None else None,
                annee_population=_annee_int(p["_annee"]) if p is not None else None,
                communes=sorted({str(c) for c in rows.get("libelle_commune", pd.Series(dtype=str)).dropna()}),
            )
        )
    return out
