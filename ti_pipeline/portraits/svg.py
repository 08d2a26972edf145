"""Charts as inline SVG, drawn in Python: horizontal bars, stacked bars and lines.

No JavaScript and no chart library: a portrait must open offline and print as it looks. Each chart
is an ``<svg role="img">`` labelled by its ``<title>`` and ``<desc>`` (the desc says in words what
the chart shows, for screen readers); the page puts the same figures in a table next to it.

Functions take plain values (labels, numbers, already formatted value texts) and return markup;
they know nothing about marts. Coordinates are in a 720-unit-wide viewBox scaled to the page width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Callable

LARGEUR = 720
POLICE = 13
COULEUR_TEXTE = "#1e1e1e"
COULEUR_TEXTE_SECONDAIRE = "#555555"
COULEUR_GRILLE = "#dddddd"
COULEUR_AXE = "#666666"

# One colour per zone, the same in every chart and in the tables' legends. All have a contrast of
# at least 4.5:1 on white (checked in the tests), so they also work as text colours.
COULEURS_ZONES = {
    "territoire": "#000091",
    "region": "#18753c",
    "ensemble_ti": "#a94400",
    "hors_ti": "#6e3f8c",
    "france": "#4d4d4d",
}
# Lines are also told apart by their dash pattern (colour is never the only cue).
TIRETS_ZONES = {"territoire": "", "region": "6 3", "ensemble_ti": "2 3", "hors_ti": "8 3 2 3", "france": "1 0"}


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _n(x: float) -> str:
    """Coordinates with at most one decimal, for compact and deterministic markup."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def largeur_texte(texte: str, taille: float = POLICE) -> float:
    """A rough width of a text line in a sans-serif font (no font metrics without a browser)."""
    return len(texte) * taille * 0.56


def tronquer(texte: str, max_car: int) -> str:
    return texte if len(texte) <= max_car else texte[: max_car - 1].rstrip() + "…"


def ouverture_svg(id_: str, hauteur: float, titre: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graphique" viewBox="0 0 {LARGEUR} {_n(hauteur)}" '
        f'width="100%" role="img" aria-labelledby="{_attr(id_)}-titre {_attr(id_)}-desc" '
        f'font-size="{POLICE}" fill="{COULEUR_TEXTE}">'
        f'<title id="{_attr(id_)}-titre">{escape(titre)}</title>'
        f'<desc id="{_attr(id_)}-desc">{escape(description)}</desc>'
    )


def ticks_ronds(bas: float, haut: float, n: int = 5) -> list[float]:
    """About ``n`` round graduations covering [bas, haut] (steps of 1, 2, 2.5 or 5 x 10^k)."""
    if not (math.isfinite(bas) and math.isfinite(haut)):
        return [0.0]
    if haut == bas:
        haut = bas + 1
    brut = (haut - bas) / max(n - 1, 1)
    puissance = 10 ** math.floor(math.log10(brut))
    pas = next(m * puissance for m in (1, 2, 2.5, 5, 10) if m * puissance >= brut)
    debut = math.floor(bas / pas) * pas
    fin = math.ceil(haut / pas) * pas
    k = round((fin - debut) / pas)
    return [round(debut + i * pas, 10) for i in range(k + 1)]


# --- horizontal bars -----------------------------------------------------------------------------


@dataclass
class Barre:
    libelle: str
    valeur: float
    texte: str  # the value as the page writes it (French format)
    couleur: str = COULEURS_ZONES["territoire"]
    infobulle: str | None = None  # full label when the visible one is shortened


@dataclass
class GroupeBarres:
    titre: str | None
    barres: list[Barre] = field(default_factory=list)


def barres_horizontales(
    id_: str, titre: str, description: str, groupes: list[GroupeBarres], max_car_libelle: int = 95
) -> str:
    """Bars with their label above and their value at the end; negative values go left of zero."""
    valeurs = [b.valeur for g in groupes for b in g.barres]
    if not valeurs:
        return ""
    bas, haut = min(0.0, min(valeurs)), max(0.0, max(valeurs))
    if haut == bas:
        haut = bas + 1
    marge_texte = max(largeur_texte(b.texte) for g in groupes for b in g.barres) + 10
    x0_zone, x1_zone = 4.0, LARGEUR - marge_texte
    # bars leaving zero to the left need room for their value text on the left too
    if bas < 0:
        x0_zone += marge_texte
    echelle = (x1_zone - x0_zone) / (haut - bas)
    x_zero = x0_zone - bas * echelle

    parts: list[str] = []
    y = 4.0
    for g in groupes:
        if g.titre:
            y += 18
            parts.append(f'<text x="0" y="{_n(y)}" font-weight="700">{escape(g.titre)}</text>')
            y += 8
        for b in g.barres:
            y += 16
            libelle = tronquer(b.libelle, max_car_libelle)
            parts.append("<g>")
            if b.infobulle or libelle != b.libelle:
                parts.append(f"<title>{escape(b.infobulle or b.libelle)}</title>")
            parts.append(f'<text x="{_n(x0_zone if bas >= 0 else 0)}" y="{_n(y)}">{escape(libelle)}</text>')
            y += 5
            longueur = abs(b.valeur) * echelle
            x = x_zero if b.valeur >= 0 else x_zero - longueur
            parts.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(longueur, 1.5))}" height="16" rx="2" fill="{b.couleur}"/>'
            )
            if b.valeur >= 0:
                parts.append(f'<text x="{_n(x + max(longueur, 1.5) + 6)}" y="{_n(y + 12.5)}" font-weight="700">{escape(b.texte)}</text>')
            else:
                parts.append(
                    f'<text x="{_n(x - 6)}" y="{_n(y + 12.5)}" text-anchor="end" font-weight="700">{escape(b.texte)}</text>'
                )
            parts.append("</g>")
            y += 20
    hauteur = y + 6
    zero = f'<line x1="{_n(x_zero)}" x2="{_n(x_zero)}" y1="4" y2="{_n(hauteur - 4)}" stroke="{COULEUR_AXE}" stroke-width="1"/>'
    return ouverture_svg(id_, hauteur, titre, description) + zero + "".join(parts) + "</svg>"


# --- stacked bars ---------------------------------------------------------------------------------


@dataclass
class Segment:
    nom: str
    part: float  # between 0 and 1
    texte: str
    couleur: str
    couleur_texte: str = "#ffffff"


@dataclass
class LigneEmpilee:
    libelle: str
    segments: list[Segment]


def barres_empilees(id_: str, titre: str, description: str, lignes: list[LigneEmpilee]) -> str:
    """One 100 % bar per line (a zone), split into segments; a legend on top names the segments."""
    if not lignes:
        return ""
    parts: list[str] = []
    # legend: one swatch per segment name, in order of first appearance
    legende: dict[str, Segment] = {}
    for ligne in lignes:
        for s in ligne.segments:
            legende.setdefault(s.nom, s)
    x, y = 0.0, 18.0
    for s in legende.values():
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 11)}" width="14" height="14" rx="2" fill="{s.couleur}" stroke="{COULEUR_AXE}" stroke-width="0.5"/>')
        parts.append(f'<text x="{_n(x + 20)}" y="{_n(y)}">{escape(s.nom)}</text>')
        x += 20 + largeur_texte(s.nom) + 24
    y += 14
    for ligne in lignes:
        y += 18
        parts.append(f'<text x="0" y="{_n(y)}">{escape(ligne.libelle)}</text>')
        y += 5
        x = 0.0
        for s in ligne.segments:
            w = max(s.part, 0.0) * LARGEUR
            if w <= 0:
                continue
            parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="22" fill="{s.couleur}"><title>{escape(f"{s.nom} : {s.texte}")}</title></rect>')
            if w >= largeur_texte(s.texte) + 8:
                parts.append(
                    f'<text x="{_n(x + w / 2)}" y="{_n(y + 15.5)}" text-anchor="middle" fill="{s.couleur_texte}" font-weight="700">{escape(s.texte)}</text>'
                )
            x += w
        y += 26
    return ouverture_svg(id_, y + 4, titre, description) + "".join(parts) + "</svg>"


# --- lines ----------------------------------------------------------------------------------------


@dataclass
class Serie:
    nom: str
    points: list[tuple[float, float]]  # (year, value)
    couleur: str = COULEURS_ZONES["territoire"]
    tirets: str = ""
    epaisseur: float = 2.0


def courbes(
    id_: str,
    titre: str,
    description: str,
    series: list[Serie],
    format_y: Callable[[float], str],
    reference: float | None = None,
) -> str:
    """Lines over years with round graduations; ``reference`` draws a darker line (e.g. base 100)."""
    series = [s for s in series if s.points]
    if not series:
        return ""
    xs = [x for s in series for x, _ in s.points]
    ys = [y for s in series for _, y in s.points] + ([reference] if reference is not None else [])
    graduations = ticks_ronds(min(ys), max(ys), 5)
    y_bas, y_haut = graduations[0], graduations[-1]
    x_min, x_max = min(xs), max(xs)
    if x_max == x_min:
        x_max = x_min + 1
    textes_y = [format_y(t) for t in graduations]
    gauche = max(largeur_texte(t) for t in textes_y) + 12
    droite, haut, bas = LARGEUR - 24, 12.0, 250.0

    def px(x: float) -> float:
        return gauche + (x - x_min) / (x_max - x_min) * (droite - gauche)

    def py(y: float) -> float:
        return bas - (y - y_bas) / (y_haut - y_bas) * (bas - haut)

    parts: list[str] = []
    for t, texte in zip(graduations, textes_y):
        parts.append(f'<line x1="{_n(gauche)}" x2="{_n(droite)}" y1="{_n(py(t))}" y2="{_n(py(t))}" stroke="{COULEUR_GRILLE}" stroke-width="1"/>')
        parts.append(f'<text x="{_n(gauche - 8)}" y="{_n(py(t) + 4)}" text-anchor="end" fill="{COULEUR_TEXTE_SECONDAIRE}">{escape(texte)}</text>')
    if reference is not None:
        parts.append(f'<line x1="{_n(gauche)}" x2="{_n(droite)}" y1="{_n(py(reference))}" y2="{_n(py(reference))}" stroke="{COULEUR_AXE}" stroke-width="1.2"/>')
    annees = sorted({int(x) for x in xs})
    pas = max(1, math.ceil(len(annees) / 10))
    for a in annees[::pas] + ([annees[-1]] if (len(annees) - 1) % pas else []):
        parts.append(f'<line x1="{_n(px(a))}" x2="{_n(px(a))}" y1="{_n(bas)}" y2="{_n(bas + 5)}" stroke="{COULEUR_AXE}"/>')
        parts.append(f'<text x="{_n(px(a))}" y="{_n(bas + 19)}" text-anchor="middle" fill="{COULEUR_TEXTE_SECONDAIRE}">{a}</text>')
    parts.append(f'<line x1="{_n(gauche)}" x2="{_n(droite)}" y1="{_n(bas)}" y2="{_n(bas)}" stroke="{COULEUR_AXE}"/>')
    # the territory last, so it is drawn on top of its comparators
    for s in sorted(series, key=lambda s: s.epaisseur):
        pts = " ".join(f"{_n(px(x))},{_n(py(y))}" for x, y in s.points)
        dash = f' stroke-dasharray="{s.tirets}"' if s.tirets else ""
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{s.couleur}" stroke-width="{s.epaisseur}"'
            f'{dash} stroke-linejoin="round" stroke-linecap="round"><title>{escape(s.nom)}</title></polyline>'
        )
        x_fin, y_fin = s.points[-1]
        parts.append(f'<circle cx="{_n(px(x_fin))}" cy="{_n(py(y_fin))}" r="{_n(s.epaisseur + 1.5)}" fill="{s.couleur}"/>')
    # legend under the axis, wrapping when a line is full
    x, y = gauche, bas + 44
    for s in series:
        w = 34 + largeur_texte(s.nom) + 22
        if x + w > LARGEUR and x > gauche:
            x, y = gauche, y + 20
        dash = f' stroke-dasharray="{s.tirets}"' if s.tirets else ""
        parts.append(f'<line x1="{_n(x)}" x2="{_n(x + 26)}" y1="{_n(y - 4)}" y2="{_n(y - 4)}" stroke="{s.couleur}" stroke-width="{s.epaisseur + 0.5}"{dash}/>')
        parts.append(f'<text x="{_n(x + 32)}" y="{_n(y)}">{escape(s.nom)}</text>')
        x += w
    return ouverture_svg(id_, y + 10, titre, description) + "".join(parts) + "</svg>"
