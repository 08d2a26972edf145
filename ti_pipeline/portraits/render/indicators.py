"""The indicators section: every indicator of the dictionary with the territory's value and its four
comparators, grouped by theme, with quality and coverage notes. Content from ``content.indicators``.
"""

from __future__ import annotations

import re
from html import escape

from ti_pipeline.portraits import content as c
from ti_pipeline.portraits import svg
from ti_pipeline.portraits.formats import (
    NA,
    format_part,
)
from ti_pipeline.portraits.render.glossary import FICHIER_GLOSSAIRE, lien_definition
from ti_pipeline.portraits.render.page import (
    QUALITES,
    SECTIONS,
    e,
    ea,
    valeur_ligne,
)

def notes_ligne(l: c.LigneIndicateur, libelles_a38: dict[str, str]) -> str:
    notes = []
    if l.qualite in QUALITES:
        q = QUALITES[l.qualite]
        if l.qualite == "partiel" and l.nb_communes and l.nb_communes_renseignees is not None and l.nb_communes_renseignees < l.nb_communes:
            q += f" ({l.nb_communes_renseignees} sur {l.nb_communes})"
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


def section_indicateurs(lignes: list[c.LigneIndicateur], libelle_region: str | None, libelles_a38: dict[str, str] | None = None) -> str:
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
        f'{"".join(corps)}</table></div></section>'
    )
