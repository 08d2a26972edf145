"""Writers of the firm-level files: Sirene establishments, DGE lauréats (plan de relance), TI-fund lauréats.

What belongs here: the lauréats (hand-written in the sample, plus random ones at larger scales), the
companies and establishments behind them, and the random rest of the Sirene stock. Lauréats are
designed for the locator: most SIRET match a Sirene establishment (sometimes a secondary one whose
head office is elsewhere), some SIREN-only ids match a head office, some rows have no id but a
postcode + commune name that exist in communes.json, and one row cannot be placed at all.

Every SIREN/SIRET is Luhn-valid, except the one deliberately invalid lauréat id (``INVALID_ID``).
The Sirene stock is written in row groups of at most a million rows, so the national scale
(~40 million establishments) never sits whole in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ti_pipeline.sources import catalog as cat

from .codes import luhn_valid, ncc, rng_for, siren_from_payload, siret_from
from .ecriture import write_csv, write_parquet_batches
from .economie import economie
from .geographie import MERGED_A, MERGED_B, SHARED, Geographie
from .referentiels import A38_INDUSTRIE, A38_OF_DIVISION, DEPARTEMENTS, NAF_CODES, REGIONS, SIRENE_TRANCHES, naf_with_dot

INVALID_ID = "123456789"  # 9 digits, fails the Luhn key
UNKNOWN_POSTCODE, UNKNOWN_COMMUNE = "13999", "Inconnue-sur-Rien"

# mesure_light -> (volet_relance, mesure): the real labels of the DGE file (facets of its 3,080
# rows on data.economie.gouv.fr). The TI fund's projects are "Projets territoriaux".
MESURES = {
    "Projets territoriaux": ("Indépendance / Compétitivité", "Soutien à l'investissement industriel dans les territoires"),
    "Relocalisation": ("Indépendance / Compétitivité", "(Re)localisation dans les secteurs critiques"),
    "Automobile": ("Indépendance / Compétitivité", "Modernisation de la filière automobile"),
    "Efficacité énergétique": ("Verdissement", "Efficacité énergétique et évolution des procédés dans l'industrie"),
    "Aéronautique": ("Indépendance / Compétitivité", "Modernisation de la filière aéronautique"),
}
TI_FUND = "Fonds d'accélération des investissements industriels dans les territoires"


@dataclass(frozen=True)
class Laureat:
    """One hand-written lauréat of the DGE file.

    ``kind``: siret (14-digit id of the project establishment), siret_secondary (same, but the head
    office is in ``siege``), siren (9-digit id, head office in the project commune), none (no id,
    located by postcode + name), invalid (no usable id, unknown postcode and name).
    ``dep_format``: how code_departement is written ('float' -> '1.0', '971.0').
    ``nom_commune``: overrides the commune name (the absorbed commune's old name).
    ``ti``: aid, investment, jobs in the TI-fund file (None: not a TI-fund project; '' = empty cell).
    """

    entreprise: str
    kind: str
    unit: str
    mesure_light: str
    filiere: str
    type_entreprise: str = "TPE / PME"
    gps: str = "ok"  # ok | missing | malformed
    dep_format: str = "plain"
    description: str = ""
    co2: float | None = None
    siege: str | None = None
    nom_commune: str | None = None
    ti: tuple | None = None


HAND_LAUREATS: tuple[Laureat, ...] = (
    Laureat("Plasturgie Oyonnax SAS", "siret", "01283", "Projets territoriaux", "Plasturgie",
            description="Nouvelle ligne d'injection bi-matière", ti=(300000, 1500000, 20)),
    Laureat("Moules de l'Ain", "siret", "01014", "Projets territoriaux", "Plasturgie", type_entreprise="TPE / PME",
            description="Atelier de moules &amp; outillages de précision", ti=(150000, 600000, "")),
    Laureat("Bresse Mécanique", "siret", "01053", "Relocalisation", "Mécanique", dep_format="float",
            description="Relocalisation d'une production de pièces usinées"),
    Laureat("Viriat Emballages", "siret", "01451", "Projets territoriaux", "Emballage",
            description="Extension de l'usine d'emballages", ti=(100000, 400000, 5)),
    Laureat("Rhône Plastiques", "siret", MERGED_A, "Projets territoriaux", "Plasturgie",
            nom_commune="Pierre-Bénite", description="Recyclage de plastiques techniques", ti=(80000, 320000, 4)),
    Laureat("Corveissiat Composites", "siren", SHARED, "Projets territoriaux", "Matériaux composites",
            description="Ligne de production de pièces composites", ti=(200000, 1000000, 10)),
    Laureat("Chimie Vallée du Rhône", "siret_secondary", "69387", "Projets territoriaux", "Chimie",
            type_entreprise="ETI", siege="75108", description="Unité pilote de chimie biosourcée",
            ti=(500000, 2500000, 30)),
    Laureat("Raffinerie de Feyzin", "siret", "69276", "Efficacité énergétique", "Chimie et Matériaux", type_entreprise="GE",
            co2=12000.5, description="Récupération de chaleur fatale &amp; électrification des fours"),
    Laureat("Saint-Fons Fluor", "siren", "69199", "Projets territoriaux", "Chimie", type_entreprise="ETI",
            description="Modernisation de l'atelier de fluoration", ti=("", 800000, 8)),
    Laureat("Marseille Fos Métal", "siret", "13216", "Automobile", "Métallurgie", type_entreprise="ETI",
            description="Sécurisation de l'approvisionnement en alliages"),
    Laureat("Étang de Berre Hydrogène", "none", "13014", "Efficacité énergétique", "Énergie", co2=3500.0,
            description="Électrolyseur pour l'hydrogène industriel"),
    Laureat("Durance Agro", "siret", "04112", "Projets territoriaux", "Agroalimentaire",
            description="Nouvelle ligne de conditionnement", ti=(120000, 700000, 12)),
    Laureat("Ajaccio Aéro Maintenance", "siret", "2A004", "Aéronautique", "Aéronautique",
            description="Robotisation de l'atelier de maintenance"),
    Laureat("Conserverie de Furiani", "none", "2B120", "Projets territoriaux", "Agroalimentaire",
            description="Modernisation de la conserverie", ti=(90000, 450000, 6)),
    Laureat("Jarry Industries", "siret", "97103", "Projets territoriaux", "Industrie", dep_format="float",
            description="Unité de production de matériaux de construction", ti=(250000, 1200000, 15)),
    Laureat("Rhumerie de Basse-Terre", "siren", "97129", "Relocalisation", "Agroalimentaire",
            dep_format="float", description="Nouvelle colonne de distillation"),
    Laureat("Sambre Forge", "siret", "59392", "Projets territoriaux", "Métallurgie",
            description="Presse à forger &amp; four à induction", ti=(400000, 2000000, 25)),
    Laureat("Avesnois Bois et Papier", "siret", "59249", "Relocalisation", "Bois",
            description="Relocalisation de la fabrication de papiers spéciaux"),
    Laureat("Calais Dentelle", "siret", "62193", "Projets territoriaux", "Textile",
            description="Métiers Leavers numériques", ti=(60000, 300000, 3)),
    Laureat("Hénin Batteries", "siret", "62427", "Aéronautique", "Automobile", type_entreprise="ETI",
            description="Ligne d'assemblage de modules de batteries"),
    Laureat("Remiremont Scierie", "siret", "88383", "Projets territoriaux", "Bois", gps="missing",
            description="Séchoir et ligne de rabotage", ti=(110000, 550000, "")),
    Laureat("Vosges Textile", "siren", "88468", "Relocalisation", "Textile", gps="malformed",
            description="Relocalisation du tissage de linge de maison"),
    Laureat("Paris Robotique", "siret", "75108", "Aéronautique", "Robotique", dep_format="float",
            description="Cellules robotisées pour PME industrielles"),
    Laureat("Biguglia Verre", "siret", "2B037", "Efficacité énergétique", "Verre", co2=800.25,
            description="Four verrier hybride"),
    Laureat("Alpilles Matériaux", "none", "13100", "Relocalisation", "Matériaux",
            description="Production de liants bas carbone"),
    Laureat("Miribel Agro", "siret", "01249", "Automobile", "Agroalimentaire", dep_format="float",
            description="Sécurisation des approvisionnements en protéines végétales"),
    Laureat("Société Fantôme Industrie", "invalid", "", "Projets territoriaux", "Industrie", gps="missing",
            description="Projet sans identifiant exploitable", ti=(50000, "", "")),
)


def resolve_unit(geo: Geographie, ref: str) -> str:
    """The statistical unit of a lauréat (a commune or arrondissement code of COG 2025)."""
    return ref


@dataclass
class Etablissements:
    """Establishments created for the lauréats, written first in the Sirene file."""

    siren: list[int]
    seq: list[int]
    unit: list[str]
    naf: list[str]
    siege: list[bool]


def _naf_for(filiere: str, rng: np.random.Generator) -> str:
    industrial = [c for c in NAF_CODES if A38_OF_DIVISION[c[:2]] in A38_INDUSTRIE]
    return naf_with_dot(industrial[int(rng.integers(len(industrial)))])


def build_laureats(geo: Geographie, seed: int):
    """The lauréat tables (DGE file, TI-fund file) and the establishments Sirene must contain."""
    rng = rng_for(seed, "laureats")
    units = geo.units(2025).set_index("code")
    com25 = geo.communes_2025().set_index("code")
    noms_2023 = dict(zip(geo.communes["code"], geo.communes["nom"]))
    etabs = Etablissements([], [], [], [], [])
    relance_rows, ti_rows = [], []
    specs = list(HAND_LAUREATS)
    specs += _random_laureats(geo, rng, max(geo.scale.relance - len(specs), 0))
    ti_extra = max(geo.scale.laureats_ti - sum(1 for s in specs if s.ti is not None), 0)
    next_payload = 30_000_000

    for k, s in enumerate(specs):
        unit = resolve_unit(geo, s.unit) if s.unit else ""
        siren = int(siren_from_payload(next_payload))
        next_payload += 7
        naf = _naf_for(s.filiere, rng)
        ident = ""
        if s.kind in ("siret", "siret_secondary", "siren"):
            if s.kind == "siret_secondary":
                etabs.siren += [siren, siren]
                etabs.seq += [1, 2]
                etabs.unit += [s.siege, unit]
                etabs.naf += [naf, naf]
                etabs.siege += [True, False]
                ident = f"{int(siret_from(siren, 2)):014d}"
            else:
                etabs.siren.append(siren)
                etabs.seq.append(1)
                etabs.unit.append(unit)
                etabs.naf.append(naf)
                etabs.siege.append(True)
                ident = f"{int(siret_from(siren, 1)):014d}" if s.kind == "siret" else str(siren)
        elif s.kind == "invalid":
            ident = INVALID_ID
        if unit:
            u = units.loc[unit]
            commune = u["parent"]
            dep = u["dep"]
            cp = u["cps"][0]
            nom = s.nom_commune or (com25.loc[commune, "nom"] if commune in com25.index else u["nom"])
            if s.kind == "none":
                # Located by postcode + name: use the commune's own postcode and name from communes.json.
                cp = com25.loc[commune, "cps"][0]
                nom = com25.loc[commune, "nom"]
        else:
            dep, cp, nom = "13", UNKNOWN_POSTCODE, UNKNOWN_COMMUNE
        reg = DEPARTEMENTS[dep][0]
        code_dep = f"{int(dep)}.0" if s.dep_format == "float" and dep.isdigit() else dep
        lat, lon = _gps(dep, rng)
        gps = {"ok": f"{lat:.5f}, {lon:.5f}", "missing": "", "malformed": f"{lat:.5f} {lon:.5f}".replace(".", ",")}[s.gps]
        volet, mesure = MESURES[s.mesure_light]
        # the real file's column order: code_departement after the CO2 column; names in upper case
        relance_rows.append([
            s.entreprise, s.type_entreprise, ident, volet, mesure, DEPARTEMENTS[dep][2].upper(), nom.upper(), cp, gps,
            s.description or f"Projet de {s.entreprise}", s.mesure_light, f"2022-0{1 + k % 3}-{10 + k % 18:02d}",
            s.filiere, "" if s.co2 is None else f"{s.co2}", code_dep, REGIONS[reg][1].upper(),
        ])
        if s.ti is not None:
            aide, inv, jobs = s.ti
            ti_siret = ident if s.kind != "invalid" else ""
            ti_rows.append([f"TI-{2021 + k % 2}-{len(ti_rows) + 1:04d}", ti_siret, s.entreprise,
                            s.description or f"Projet de {s.entreprise}", TI_FUND, s.filiere, cp, nom,
                            2021 + k % 2, _num(aide), _num(inv), _num(jobs)])
    # At larger scales the TI-fund file holds more projects than the DGE extract.
    for j in range(ti_extra):
        unit = geo.communes.loc[geo.communes["in_ti"]].sample(1, random_state=int(rng.integers(2**31))).iloc[0]
        if unit["code"] in ("13055", "69123", "75056", MERGED_B):
            continue
        siren = int(siren_from_payload(next_payload))
        next_payload += 7
        etabs.siren.append(siren)
        etabs.seq.append(1)
        etabs.unit.append(unit["code"])
        etabs.naf.append(_naf_for("", rng))
        etabs.siege.append(True)
        aide = float(rng.integers(2, 80)) * 5000
        ti_rows.append([f"TI-2022-{len(ti_rows) + 1:05d}", f"{int(siret_from(siren, 1)):014d}",
                        f"Entreprise {unit['nom']} {j}", "Projet d'investissement industriel", TI_FUND, "Industrie",
                        unit["cps"][0], unit["nom"], 2022, _num(aide), _num(aide * float(rng.integers(3, 8))),
                        _num(float(rng.integers(0, 40)) if rng.random() > 0.2 else "")])
    return relance_rows, ti_rows, etabs


def _num(x) -> str:
    if x == "" or x is None:
        return ""
    return f"{float(x):.1f}"


# Approximate centres of the départements of the core, so that coordinates look plausible.
_DEP_CENTRE = {
    "01": (46.1, 5.35), "04": (44.1, 6.2), "26": (44.3, 5.6), "13": (43.5, 5.1), "2A": (41.9, 8.9), "2B": (42.4, 9.2),
    "29": (48.3, -4.1), "35": (48.2, -1.6), "38": (45.3, 5.6), "57": (49.0, 6.6), "59": (50.4, 3.4),
    "62": (50.5, 2.3), "69": (45.75, 4.8), "75": (48.86, 2.35), "83": (43.4, 6.2), "88": (48.2, 6.4),
    "92": (48.85, 2.22), "93": (48.91, 2.48), "94": (48.78, 2.47), "971": (16.2, -61.5),
}


def _gps(dep: str, rng: np.random.Generator) -> tuple[float, float]:
    if dep in _DEP_CENTRE:
        lat, lon = _DEP_CENTRE[dep]
    else:
        # Elsewhere: a fixed point of metropolitan France derived from the code.
        h = int(dep) if dep.isdigit() else 20
        lat, lon = 43.2 + (h * 37 % 70) / 10, -1.0 + (h * 53 % 80) / 10
    return lat + rng.uniform(-0.15, 0.15), lon + rng.uniform(-0.15, 0.15)


def _random_laureats(geo: Geographie, rng: np.random.Generator, n: int) -> list[Laureat]:
    if n <= 0:
        return []
    units = geo.units(2025)
    w = units["i"].to_numpy(float) + 1
    picks = rng.choice(len(units), size=n, p=w / w.sum())
    kinds = rng.choice(["siret", "siren", "none"], size=n, p=[0.88, 0.09, 0.03])
    mesures = rng.choice(list(MESURES), size=n, p=[0.35, 0.15, 0.1, 0.15, 0.25])
    out = []
    for k in range(n):
        u = units.iloc[picks[k]]
        out.append(Laureat(f"Industrie {u['nom']} {k}", str(kinds[k]), u["code"], str(mesures[k]), "Industrie",
                           gps="ok" if rng.random() > 0.05 else "missing",
                           dep_format="float" if rng.random() < 0.1 else "plain",
                           ti=(_round5k(rng), _round5k(rng) * 5, float(rng.integers(0, 50))) if mesures[k] == "Projets territoriaux" else None))
    return out


def _round5k(rng) -> float:
    return float(rng.integers(4, 120)) * 5000


RELANCE_HEADER = [f.name for f in cat.RELANCE_LAUREATS.fields_for(2022)]
LAUREATS_TI_HEADER = [f.name for f in cat.LAUREATS_TI.fields_for(2022)]


def write_laureats(out: Path, geo: Geographie, seed: int) -> tuple[dict[str, int], Etablissements]:
    relance_rows, ti_rows, etabs = build_laureats(geo, seed)
    n1 = write_csv(cat.sample_path(out, cat.RELANCE_LAUREATS, cat.RELANCE_LAUREATS.release(2022)), RELANCE_HEADER,
                   relance_rows, ";")
    n2 = write_csv(cat.sample_path(out, cat.LAUREATS_TI, cat.LAUREATS_TI.release(2022)), LAUREATS_TI_HEADER,
                   ti_rows, ";")
    return {"relance_laureats": n1, "laureats_ti": n2}, etabs


# ----------------------------------------------------------------------------------------------
# Sirene stock of establishments
# ----------------------------------------------------------------------------------------------
SIRENE_SCHEMA = pa.schema([
    ("siren", pa.string()),
    ("nic", pa.string()),
    ("siret", pa.string()),
    ("statutDiffusionEtablissement", pa.string()),
    ("dateCreationEtablissement", pa.date32()),
    ("trancheEffectifsEtablissement", pa.string()),
    ("anneeEffectifsEtablissement", pa.string()),
    ("dateDernierTraitementEtablissement", pa.timestamp("ms")),
    ("etablissementSiege", pa.bool_()),
    ("codePostalEtablissement", pa.string()),
    ("libelleCommuneEtablissement", pa.string()),
    ("codeCommuneEtablissement", pa.string()),
    ("coordonneeLambertAbscisseEtablissement", pa.float64()),
    ("coordonneeLambertOrdonneeEtablissement", pa.float64()),
    ("dateDebut", pa.date32()),
    ("etatAdministratifEtablissement", pa.string()),
    ("activitePrincipaleEtablissement", pa.string()),
    ("nomenclatureActivitePrincipaleEtablissement", pa.string()),
    ("caractereEmployeurEtablissement", pa.string()),
    ("activitePrincipaleNAF25Etablissement", pa.string()),
])
_CHUNK = 1_000_000


def _sirene_table(rng: np.random.Generator, siren: np.ndarray, seq: np.ndarray, unit_idx: np.ndarray,
                  naf_idx: np.ndarray, siege: np.ndarray, active: np.ndarray, unit_tables: dict,
                  naf_arr: pa.Array, tranche: np.ndarray | None = None) -> pa.Table:
    """``tranche``: the headcount band of each establishment (None: drawn at random, 40 % employers)."""
    n = len(siren)
    siret = siret_from(siren, seq)
    siren_s = pc.utf8_lpad(pc.cast(pa.array(siren), pa.string()), 9, "0")
    siret_s = pc.utf8_lpad(pc.cast(pa.array(siret), pa.string()), 14, "0")
    nic_s = pc.utf8_lpad(pc.cast(pa.array(siret % 100_000), pa.string()), 5, "0")
    idx = pa.array(unit_idx)
    if tranche is None:
        employer = (rng.random(n) < 0.4) & active
        tranche_k = rng.choice(len(SIRENE_TRANCHES) - 4, size=n, p=_TRANCHE_P)
        tranche = np.where(employer, np.array([t for t, _ in SIRENE_TRANCHES])[tranche_k], "NN")
    else:
        employer = tranche != "NN"
    created = rng.integers(0, 55 * 365, n)  # days since 1970-01-01
    debut = created + rng.integers(0, 3000, n)
    debut = np.minimum(debut, 55 * 365 + 30)
    diffusion = np.where(rng.random(n) < 0.97, "O", "P")
    x = np.where(diffusion == "O", np.round(rng.uniform(100_000, 1_200_000, n), 1), np.nan)
    y = np.where(diffusion == "O", np.round(rng.uniform(6_050_000, 7_100_000, n), 1), np.nan)
    naf = naf_arr.take(pa.array(naf_idx))
    naf25 = pc.if_else(pa.array(active), naf, pa.nulls(n, pa.string()))
    last = np.datetime64("2025-12-16T03:00:00", "ms").astype(np.int64) - rng.integers(0, 10**10, n)
    return pa.table({
        "siren": siren_s,
        "nic": nic_s,
        "siret": siret_s,
        "statutDiffusionEtablissement": pa.array(diffusion),
        "dateCreationEtablissement": pa.array(created.astype(np.int32), pa.date32()),
        "trancheEffectifsEtablissement": pa.array(tranche),
        "anneeEffectifsEtablissement": pa.array(np.where(employer, "2023", None), pa.string()),
        "dateDernierTraitementEtablissement": pa.array(last, pa.timestamp("ms")),
        "etablissementSiege": pa.array(siege),
        "codePostalEtablissement": unit_tables["cp"].take(idx),
        "libelleCommuneEtablissement": unit_tables["lib"].take(idx),
        "codeCommuneEtablissement": unit_tables["code"].take(idx),
        "coordonneeLambertAbscisseEtablissement": pa.array(x, pa.float64(), from_pandas=True),
        "coordonneeLambertOrdonneeEtablissement": pa.array(y, pa.float64(), from_pandas=True),
        "dateDebut": pa.array(debut.astype(np.int32), pa.date32()),
        "etatAdministratifEtablissement": pa.array(np.where(active, "A", "F")),
        "activitePrincipaleEtablissement": naf,
        "nomenclatureActivitePrincipaleEtablissement": pa.array(np.full(n, "NAFRev2")),
        "caractereEmployeurEtablissement": pa.array(np.where(employer, "O", "N")),
        "activitePrincipaleNAF25Etablissement": naf25,
    }, schema=SIRENE_SCHEMA)


_TRANCHE_P = np.array([0.25, 0.30, 0.15, 0.1, 0.09, 0.06, 0.025, 0.012, 0.006, 0.004, 0.002])
_TRANCHE_P = _TRANCHE_P / _TRANCHE_P.sum()


def _sirene_label(nom: str) -> str:
    """Sirene writes commune names in upper case without accents, hyphens kept ('BOURG-EN-BRESSE')."""
    return ncc(nom.replace("-", "\x00")).replace("\x00", "-").replace(" - ", "-")


def write_sirene(out: Path, geo: Geographie, seed: int, etabs: Etablissements) -> dict[str, int]:
    rng = rng_for(seed, "sirene")
    units = geo.units(2026)
    unit_pos = {c: k for k, c in enumerate(units["code"])}
    unit_tables = {
        "code": pa.array(units["code"].to_list()),
        "cp": pa.array([c[0] for c in units["cps"]]),
        "lib": pa.array([_sirene_label(n) for n in units["nom"]]),
    }
    naf_arr = pa.array([naf_with_dot(c) for c in NAF_CODES])
    ind_naf = np.array([A38_OF_DIVISION[c[:2]] in A38_INDUSTRIE for c in NAF_CODES])
    naf_pos = {naf_with_dot(c): k for k, c in enumerate(NAF_CODES)}
    w_units = units["p"].to_numpy(float) + units["e"].to_numpy(float) + 1
    w_units = w_units / w_units.sum()
    ind_share = np.clip(units["i"].to_numpy(float) / np.maximum(units["e"].to_numpy(float), 1e-9), 0.02, 0.6)

    n_laureat = len(etabs.siren)
    # The employers of the economy (the establishments behind Flores and Urssaf), as many as fit.
    est = economie(geo, seed).est
    room = max(geo.scale.sirene - n_laureat, 0)
    keep = np.arange(len(est)) if len(est) <= room else np.sort(rng.choice(len(est), size=room, replace=False))
    est = est.iloc[keep]
    n_random = max(room - len(est), 0)
    lows = np.array([lo for _t, lo in SIRENE_TRANCHES])
    codes = np.array([t for t, _lo in SIRENE_TRANCHES])
    headcount = est["p24"].to_numpy()
    tranche = np.where(headcount > 0, codes[np.searchsorted(lows, headcount, side="right") - 1], "00")

    def batches():
        if n_laureat:
            yield _sirene_table(
                rng, np.array(etabs.siren, dtype=np.int64), np.array(etabs.seq, dtype=np.int64),
                np.array([unit_pos[u] for u in etabs.unit]), np.array([naf_pos[x] for x in etabs.naf]),
                np.array(etabs.siege), np.ones(n_laureat, dtype=bool), unit_tables, naf_arr)
        for start in range(0, len(est), _CHUNK):
            part = est.iloc[start:start + _CHUNK]
            k = np.arange(start, start + len(part))
            # SIREN payloads 10,000,000+: apart from communes (21...), EPCI (2...) and companies (30,000,000+).
            yield _sirene_table(
                rng, siren_from_payload(10_000_000 + keep[k]), np.ones(len(part), dtype=np.int64),
                np.array([unit_pos[c] for c in units["code"].to_numpy()[part["u"].to_numpy()]]),
                np.array([naf_pos[naf_with_dot(x)] for x in part["naf"]]), np.ones(len(part), dtype=bool),
                np.ones(len(part), dtype=bool), unit_tables, naf_arr, tranche[start:start + len(part)])
        # Random companies: SIREN payloads from an affine walk over [30,100,000; 99,999,999] (unique),
        # 1 to a few establishments each, the first one being the head office.
        span = 99_999_999 - 30_100_000
        company = 0
        written = 0
        while written < n_random:
            # Random companies, mostly without employees (trancheEffectifs NN), some closed.
            m = min(_CHUNK, n_random - written)
            sizes = rng.geometric(0.78, m)
            cum = np.cumsum(sizes)
            n_comp = int(np.searchsorted(cum, m) + 1)
            sizes = sizes[:n_comp]
            sizes[-1] -= int(sizes.sum() - m)
            comp = np.repeat(np.arange(company, company + n_comp), sizes)
            first = np.r_[0, np.cumsum(sizes)[:-1]]
            seq = np.arange(m) - np.repeat(first, sizes) + 1
            payload = 30_100_000 + (comp.astype(np.int64) * 48_271) % span
            siren = siren_from_payload(payload)
            u = rng.choice(len(units), size=m, p=w_units)
            is_ind = rng.random(m) < ind_share[u]
            pool_ind = np.flatnonzero(ind_naf)
            pool_oth = np.flatnonzero(~ind_naf)
            naf_idx = np.where(is_ind, pool_ind[rng.integers(0, len(pool_ind), m)],
                               pool_oth[rng.integers(0, len(pool_oth), m)])
            active = rng.random(m) < 0.6
            yield _sirene_table(rng, siren, seq, u, naf_idx, seq == 1, active, unit_tables, naf_arr,
                                np.full(m, "NN"))
            company += n_comp
            written += m

    release = cat.SIRENE_ETABLISSEMENTS.release(2026)
    n = write_parquet_batches(cat.sample_path(out, cat.SIRENE_ETABLISSEMENTS, release), SIRENE_SCHEMA, batches())
    return {"sirene_etablissements": n}


def check_ids(relance_rows: list[list]) -> list[str]:
    """Ids of the DGE file that fail the Luhn key (only ``INVALID_ID`` should)."""
    return [r[2] for r in relance_rows if r[2] and not luhn_valid(r[2])]


