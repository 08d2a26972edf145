"""The indicators section: every indicator of the dictionary with the territory's value and its four
comparators, grouped by theme, with quality and coverage notes, and under the table the long series
of the population theme (every census since 1968). Content from ``content.indicators`` and
``content.population``.
"""

from __future__ import annotations

import re
from html import escape

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits import svg
from ti_pipeline.portraits.formats import (
    NA,
    format_nombre,
    format_part,
)
from ti_pipeline.portraits.render.glossary import FICHIER_GLOSSAIRE, lien_definition
from ti_pipeline.portraits.render.page import (
    QUALITES,
    SECTIONS,
    e,
    ea,
    figure,
    source_texte,
    tableau_donnees,
    valeur_ligne,
)

def notes_ligne(l: c.LigneIndicateur, libelles_a38: dict[str, str]) -> str:
    notes = []
    if l.qualite in QUALITES:
        q = QUALITES[l.qualite]
        if l.qualite == "partiel" and l.nb_communes and l.nb_communes_renseignees is not None and l.nb_communes_renseignees < l.nb_communes:
            q += f" (données pour {l.nb_communes_renseignees} communes sur {l.nb_communes})"
        notes.append(f'<span class="qualite">{e(q)}</span>')
    if l.couverture is not None and l.couverture < 1:
        # what the coverage counts depends on the source: lauréats with an amount, or Urssaf
        # establishments whose headcount is published
        if l.theme == "laureats" or l.code.endswith("_laureats"):
            texte = f"montant connu pour {format_part(l.couverture, 0)} des lauréats : total minimal"
        elif l.code.startswith("evol_emploi_ind_prive"):
            texte = f"effectif publié pour {format_part(l.couverture, 0)} des établissements industriels (le reste est secret)"
        else:
            texte = f"couverture : {format_part(l.couverture, 0)}"
        notes.append(f'<span class="qualite">{e(texte)}</span>')
    if l.detail:
        codes = [x.strip() for x in re.split(r"[;,]", l.detail) if x.strip()]
        noms = [f'<abbr title="{escape(libelles_a38[k], quote=True)}">{e(k)}</abbr>' if k in libelles_a38 else e(k) for k in codes]
        notes.append(f'<span class="definition">Secteurs : {", ".join(noms)} (<a href="#secteurs">détail</a>)</span>')
    return "".join(notes)


def section_indicateurs(
    lignes: list[c.LigneIndicateur], libelle_region: str | None, libelles_a38: dict[str, str] | None = None, apres: str = ""
) -> str:
    """The indicators table; ``apres``: markup shown under it (the census long series)."""
    zones = [(k, label) for k, _, label in c.ZONES]
    entetes = []
    for k, label in zones:
        precision = f'<span class="note">{e(libelle_region)}</span>' if k == "region" and libelle_region else ""
        couleur = svg.COULEURS_ZONES[k]
        entetes.append(
            f'<th scope="col" class="nombre"><span class="pastille" style="background:{couleur}" aria-hidden="true"></span>{e(label)}{precision}</th>'
        )
    corps = []
    for theme, ls in c.par_theme(lignes):
        rows = [f'<tr><th scope="rowgroup" colspan="{len(zones) + 2}">{e(theme)}</th></tr>']
        for l in ls:
            cellules = "".join(
                f'<td class="nombre{" territoire" if k == "territoire" else ""}" data-zone="{k}">{e(valeur_ligne(l, k))}</td>'
                for k, _ in zones
            )
            source = l.source or "source non renseignée"
            if l.millesime is not None:
                source += f", millésime {l.millesime}"
            rows.append(
                f'<tr data-code="{ea(l.code)}"><th scope="row">{e(l.libelle)}'
                f'<span class="definition">{e(source)} · {lien_definition(l.code)}</span>{notes_ligne(l, libelles_a38 or {})}</th>'
                f'<td class="nombre">{e(l.periode or NA)}</td>{cellules}</tr>'
            )
        corps.append("<tbody>" + "".join(rows) + "</tbody>")
    return (
        '<section id="indicateurs" aria-labelledby="indicateurs-titre">'
        f'<h2 id="indicateurs-titre">{e(SECTIONS[1][1])}</h2>'
        '<p class="note">Le territoire et ses quatre comparateurs, à la dernière année disponible de chaque indicateur '
        "(pour une évolution, la période). Un taux est le rapport des sommes sur les communes de la zone, jamais une moyenne "
        "de taux communaux. « n.d. » : non disponible. Définitions et précautions de chaque indicateur : "
        f'<a href="{FICHIER_GLOSSAIRE}">glossaire des indicateurs</a>.</p>'
        '<div class="defilement" tabindex="0" role="region" aria-label="Tableau des indicateurs">'
        '<table id="tableau-indicateurs"><caption>Indicateurs du territoire et de ses comparateurs</caption>'
        f'<thead><tr><th scope="col">Indicateur</th><th scope="col" class="nombre">Année</th>{"".join(entetes)}</tr></thead>'
        f'{"".join(corps)}</table></div>{apres}</section>'
    )


def figure_population(serie: c.SerieEmploi | c.NonDisponible, noms: dict[str, str]) -> str:
    """The population at every census since 1968: one line per zone, index base 100 in the first
    year, with the territory's inhabitants in the data table."""
    return _figure_recensements(
        serie, noms, "g-population", "Population aux recensements", "habitants",
        " ; dénombrements de 1968 à 1999, recensements annuels depuis 2006, géographie d'aujourd'hui",
    )


def figure_emplois(serie: c.SerieEmploi | c.NonDisponible, noms: dict[str, str]) -> str:
    """The jobs at place of work at every census base read (RP 2011 -> latest), same layout."""
    return _figure_recensements(
        serie, noms, "g-emplois-lt", "Emplois au lieu de travail aux recensements", "emplois",
        " ; une base communale par recensement, ramenée à la géographie d'aujourd'hui",
    )


def _figure_recensements(serie, noms: dict[str, str], ident: str, sujet: str, unite: str, note_source: str) -> str:
    """A census long series: one line per zone, index base 100 in the first year, the territory's
    levels (in ``unite``) in the data table."""
    if isinstance(serie, c.NonDisponible):
        return ""
    lignes_svg = [
        svg.Serie(nom=noms.get(z, label), points=serie.indices[z], couleur=svg.COULEURS_ZONES[z], tirets=svg.TIRETS_ZONES[z],
                  epaisseur=3.0 if z == "territoire" else 1.8)
        for z, _, label in c.ZONES
        if z in serie.indices
    ]
    annees = [a for a, _ in serie.indices["territoire"]]
    titre = f"{sujet} de {annees[0]} à {annees[-1]}, indice base 100 en {serie.base_annee}"
    (a0, n0), (a1, n1) = serie.niveaux[0], serie.niveaux[-1]
    description = (
        f"{titre}. {noms['territoire']} : {format_nombre(n0)} {unite} en {a0}, {format_nombre(n1)} en {a1}"
        + "".join(f" ; {noms.get(z, c.LIBELLES_ZONES[z])} : indice {format_nombre(p[-1][1], 1)} en {p[-1][0]}"
                  for z, p in serie.indices.items() if z != "territoire")
        + "."
    )
    zones = [(z, noms.get(z, label)) for z, _, label in c.ZONES if z in serie.indices]
    par_zone = {z: dict(serie.indices[z]) for z, _ in zones}
    niveaux = dict(serie.niveaux)
    lignes_tab = [
        [e(a)] + [e(format_nombre(par_zone[z].get(a), 1)) for z, _ in zones] + [e(format_nombre(niveaux.get(a)))]
        for a in annees
    ]
    entetes = [("Recensement", False)] + [(f"{nom} (indice)", True) for _, nom in zones] + [(f"{noms['territoire']} : {unite}", True)]
    return (
        f"<h3>{e(titre)}</h3>"
        + figure(
            svg.courbes(ident, titre, description, lignes_svg, lambda v: format_nombre(v, 0), reference=100),
            source_texte(serie.source, serie.millesime) + note_source,
            lien_definition("indice-base-100", "indice base 100") + ", " + lien_definition("comparateurs", "comparateurs"),
        )
        + tableau_donnees(titre, entetes, lignes_tab)
    )
