"""The maps, as inline SVG drawn in Python: a territory's communes by groupement with its neighbours
faded, and the index's map of every territory, each a link to its portrait.

No tiles, no JavaScript, no map library: the page opens offline and prints as it looks. Shapes are
longitude/latitude (``content.carte``); each map projects them itself, equirectangular with the
longitude scaled by the cosine of the map's middle latitude (true enough at a territory's or
France's scale). Every commune is a ``<path>`` with its name in a ``<title>`` (a tooltip, and what
the tests count); the ``<desc>`` summarises the map and the page's tables list every commune and
territory (the text alternative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from ti_pipeline.geo.contours import sans_petits_trous
from ti_pipeline.portraits import content as c
from ti_pipeline.portraits.content.carte import MARGE_VOISINES
from ti_pipeline.portraits.formats import pluriel
from ti_pipeline.portraits.render.page import e, ea, non_disponible

LARGEUR = 720
HAUTEUR_MAX = 520
MARGE = 6
# Groupement fills: distinct hues, dark enough for the white borders between communes to show.
COULEURS_GROUPEMENTS = ("#000091", "#18753c", "#a94400", "#6e3f8c", "#006a6f", "#8d533e", "#465f9d", "#716043")
COULEUR_VOISINE = "#e3e3ea"
COULEUR_CONTOUR = "#161616"
TROU_CARTE = 2e-5  # square degrees (~0.15 km²): a real enclave is larger

# Metropolitan France (Corsica included); a territory outside it gets an inset of its own.
METROPOLE = (-5.5, 41.0, 10.0, 51.5)


@dataclass(frozen=True)
class Projection:
    xmin: float
    ymax: float
    kx: float  # cos(latitude): a degree of longitude is shorter than one of latitude
    echelle: float
    dx: float = 0.0  # offset of the drawing in the SVG
    dy: float = 0.0

    @classmethod
    def pour(cls, bornes, largeur: float, hauteur_max: float, dx: float = 0.0, dy: float = 0.0) -> "Projection":
        xmin, ymin, xmax, ymax = bornes
        kx = math.cos(math.radians((ymin + ymax) / 2))
        w, h = max((xmax - xmin) * kx, 1e-9), max(ymax - ymin, 1e-9)
        echelle = min((largeur - 2 * MARGE) / w, (hauteur_max - 2 * MARGE) / h)
        # centred across the width it was given
        dx += (largeur - w * echelle) / 2
        return cls(xmin, ymax, kx, echelle, dx, dy + MARGE)

    def hauteur(self, bornes) -> float:
        return (bornes[3] - bornes[1]) * self.echelle + 2 * MARGE

    def chemin(self, geom: shapely.Geometry) -> str:
        """SVG path data of a (multi)polygon: one closed subpath per ring (holes with evenodd)."""
        parts = []
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon":
                continue
            for ring in (poly.exterior, *poly.interiors):
                pts, last = [], None
                for x, y in ring.coords:
                    p = (f"{self.dx + (x - self.xmin) * self.kx * self.echelle:.1f}", f"{self.dy + (self.ymax - y) * self.echelle:.1f}")
                    if p != last:
                        pts.append(p)
                        last = p
                if len(pts) >= 3:
                    parts.append("M" + "L".join(f"{x} {y}" for x, y in pts) + "Z")
        return "".join(parts)


def _chemin(proj: Projection, geom, classe: str, titre: str, extra: str = "") -> str:
    return f'<path class="{ea(classe)}" d="{proj.chemin(geom)}"{extra}><title>{e(titre)}</title></path>'


def carte_territoire(carte: c.CarteTerritoire | c.NonDisponible, ident: c.Identite) -> str:
    """The map of a territory's communes, coloured by groupement, neighbours faded, and its legend."""
    if isinstance(carte, c.NonDisponible):
        return non_disponible(carte.raison)
    xmin, ymin, xmax, ymax = shapely.total_bounds([x.geometrie for x in carte.communes])
    marge = MARGE_VOISINES * max(xmax - xmin, ymax - ymin)  # the box the neighbours were chosen in
    bornes = (xmin - marge, ymin - marge, xmax + marge, ymax + marge)
    proj = Projection.pour(bornes, LARGEUR, HAUTEUR_MAX)
    hauteur = proj.hauteur(bornes)
    couleur = {g: COULEURS_GROUPEMENTS[i % len(COULEURS_GROUPEMENTS)] for i, g in enumerate(carte.groupements)}
    indice = {g: i for i, g in enumerate(carte.groupements)}
    voisines = "".join(_chemin(proj, v.geometrie, "voisine", f"{v.libelle} (hors du territoire)") for v in carte.voisines)
    communes = "".join(
        _chemin(
            proj,
            x.geometrie,
            f"commune groupement-{indice.get(x.groupement, 0)}",
            f"{x.libelle} ({x.code})" + (f" — {x.groupement}" if x.groupement else ""),
            f' fill="{couleur.get(x.groupement, COULEURS_GROUPEMENTS[0])}" data-code="{ea(x.code)}"',
        )
        for x in carte.communes
    )
    # the outline without the slivers left between communes generalised one by one
    contour = proj.chemin(sans_petits_trous(shapely.union_all([x.geometrie for x in carte.communes]), TROU_CARTE))
    n = len(carte.communes)
    titre = f"Carte des communes du territoire {ident.lib_ti}"
    desc = (
        f"{pluriel(n, 'commune')} du territoire, colorées selon leur groupement : "
        + " ; ".join(f"{g} ({pluriel(sum(x.groupement == g for x in carte.communes), 'commune')})" for g in carte.groupements)
        + f". En gris clair, {pluriel(len(carte.voisines), 'commune voisine', 'communes voisines')} hors du territoire. "
        "La liste complète des communes est dans le tableau « Communes du territoire »."
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="carte" viewBox="0 0 {LARGEUR} {hauteur:.0f}" width="100%" '
        f'role="img" aria-labelledby="carte-titre carte-desc" fill-rule="evenodd">'
        f'<title id="carte-titre">{e(titre)}</title><desc id="carte-desc">{e(desc)}</desc>'
        f'<g fill="{COULEUR_VOISINE}" stroke="#ffffff" stroke-width="0.8">{voisines}</g>'
        f'<g stroke="#ffffff" stroke-width="0.6">{communes}</g>'
        f'<path class="contour" d="{contour}" fill="none" stroke="{COULEUR_CONTOUR}" stroke-width="1.6"/></svg>'
    )
    legende = "".join(
        f'<li><span class="pastille" style="background:{couleur[g]}" aria-hidden="true"></span>{e(g)}</li>' for g in carte.groupements
    ) + f'<li><span class="pastille" style="background:{COULEUR_VOISINE}" aria-hidden="true"></span>communes voisines, hors du territoire</li>'
    note = ""
    if carte.sans_contour:
        note = f'<p class="note">Sans contour publié, absentes de la carte : {e(", ".join(carte.sans_contour))}.</p>'
    return (
        f'<figure class="figure-carte">{svg}<figcaption><ul class="legende">{legende}</ul>'
        "Contours : communes au 1er janvier (IGN ADMIN EXPRESS COG via les contours administratifs d'Etalab), "
        f"simplifiés ; mart_communes_contours.</figcaption></figure>{note}"
    )


def _zone(geom) -> str:
    x, y = shapely.centroid(geom).coords[0]
    xmin, ymin, xmax, ymax = METROPOLE
    return "metropole" if xmin <= x <= xmax and ymin <= y <= ymax else "outre-mer"


def carte_index(contours: list[c.ContourTerritoire] | c.NonDisponible, fichier) -> str:
    """Every territory's outline, each a link to its portrait; overseas territories in insets."""
    if isinstance(contours, c.NonDisponible):
        return non_disponible(contours.raison)
    if not contours:
        return ""
    metro = [t for t in contours if _zone(t.geometrie) == "metropole"]
    outre_mer = [t for t in contours if _zone(t.geometrie) != "metropole"]
    largeur_metro = LARGEUR - (170 if outre_mer else 0)
    parts, hauteur = [], 0.0

    def lien(t: c.ContourTerritoire, proj: Projection) -> str:
        return (
            f'<a href="{ea(fichier(t.id_ti))}" aria-label="{ea(t.lib_ti)}">'
            f'<path class="territoire" d="{proj.chemin(t.geometrie)}"><title>{e(t.lib_ti)}</title></path></a>'
        )

    if metro:
        # the territories' own extent: the maps carry no outline of France to place them in
        xmin, ymin, xmax, ymax = shapely.total_bounds([t.geometrie for t in metro])
        m = 0.04 * max(xmax - xmin, ymax - ymin)
        bornes = (xmin - m, ymin - m, xmax + m, ymax + m)
        proj = Projection.pour(bornes, largeur_metro, 640)
        hauteur = proj.hauteur(bornes)
        parts.append(f'<rect x="0" y="0" width="{largeur_metro}" height="{hauteur:.0f}" fill="#f6f6f9"/>')
        parts += [lien(t, proj) for t in metro]
    y = 0.0
    for t in outre_mer:
        xmin, ymin, xmax, ymax = t.geometrie.bounds
        m = 0.15 * max(xmax - xmin, ymax - ymin)
        bornes = (xmin - m, ymin - m, xmax + m, ymax + m)
        proj = Projection.pour(bornes, 160, 130, dx=largeur_metro + 10, dy=y + 18)
        h = proj.hauteur(bornes)
        parts.append(f'<rect x="{largeur_metro + 10}" y="{y + 18:.0f}" width="160" height="{h:.0f}" fill="#f6f6f9"/>')
        parts.append(f'<text x="{largeur_metro + 10}" y="{y + 13:.0f}" font-size="12">{e(t.lib_ti)}</text>')
        parts.append(lien(t, proj))
        y += h + 26
    hauteur = max(hauteur, y)
    desc = (
        f"{pluriel(len(contours), 'territoire')} sur la carte de France"
        + (f", dont {pluriel(len(outre_mer), 'territoire')} d'outre-mer en encart" if outre_mer else "")
        + ". Chaque contour est un lien vers le portrait du territoire ; la liste ci-dessous donne les mêmes liens."
    )
    return (
        f'<figure class="figure-carte"><svg xmlns="http://www.w3.org/2000/svg" class="carte carte-index" '
        f'viewBox="0 0 {LARGEUR} {hauteur:.0f}" width="100%" role="group" aria-labelledby="carte-index-titre carte-index-desc">'
        '<title id="carte-index-titre">Carte des Territoires d\'industrie</title>'
        f'<desc id="carte-index-desc">{e(desc)}</desc>{"".join(parts)}</svg>'
        "<figcaption>Contours : union des communes de chaque territoire (mart_ti_contours), simplifiés. "
        "Cliquer sur un territoire ouvre son portrait.</figcaption></figure>"
    )


__all__ = ["Projection", "carte_index", "carte_territoire"]
