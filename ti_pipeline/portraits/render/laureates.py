"""The lauréats section: France Relance and TI-fund lauréats by measure and by sector, their amounts
and the list of projects. Content from ``content.laureates``.
"""

from __future__ import annotations


from ti_pipeline.portraits import content as c
from ti_pipeline.portraits import svg
from ti_pipeline.portraits.formats import (
    NA,
    format_euros,
    format_nombre,
    format_part,
    pluriel,
)
from ti_pipeline.portraits.render.glossary import lien_definition
from ti_pipeline.portraits.render.page import (
    SECTIONS,
    e,
    ea,
    figure,
    non_disponible,
    tableau_donnees,
)

TITRES_UNIQUE = {"mesure": "Une seule mesure", "filiere": "Une seule filière"}


def bloc_laureats(i: int, bloc: c.BlocLaureats, entete: bool = True) -> str:
    out = []
    annee = f", millésime {bloc.millesime}" if bloc.millesime else ""
    if entete:
        out.append(f"<h3>{e(bloc.titre)}</h3>")
        out.append(
            f'<p><strong data-source-laureat="{ea(bloc.source_laureat)}">{e(pluriel(bloc.total, "lauréat"))}</strong> '
            f"localisé{'s' if bloc.total > 1 else ''} dans le territoire (source : {e(bloc.source)}{e(annee)}).</p>"
        )
    for rep in bloc.repartitions:
        if len(rep.modalites) < 2:
            # one modality says nothing a chart would show better than a sentence
            if rep.modalites:
                out.append(f'<p class="note">{e(TITRES_UNIQUE.get(rep.axe, "Une seule modalité"))} : {e(rep.modalites[0][0])}.</p>')
            continue
        barres = [svg.Barre(libelle=m, valeur=v, texte=pluriel(int(v), "lauréat")) for m, v in rep.modalites[:12]]
        titre = f"Lauréats {rep.titre}"
        description = f"{titre} : " + "; ".join(f"{m} {format_nombre(v)}" for m, v in rep.modalites) + "."
        out.append(f"<h4>{e(titre)}</h4>")
        out.append(
            figure(
                svg.barres_horizontales(f"g-laureats-{i}-{rep.axe}", titre, description, [svg.GroupeBarres(None, barres)]),
                f"{bloc.source}{annee} ; mart_ti_laureats",
                lien_definition("nb_laureats_relance", "lauréats"),
            )
        )
        out.append(tableau_donnees(titre, [(rep.titre.removeprefix("par ").capitalize(), False), ("Lauréats", True)], [[e(m), e(format_nombre(v))] for m, v in rep.modalites]))
    if bloc.montants:
        rows = "".join(
            f'<tr><th scope="row">{e(m.libelle)}</th><td class="nombre">{e(format_euros(m.valeur) if m.unite == "EUR" else format_nombre(m.valeur))}</td>'
            f'<td class="nombre">{e(format_part(m.couverture, 0))}</td></tr>'
            for m in bloc.montants
        )
        out.append(
            '<div class="defilement"><table><caption>Montants déclarés par ces lauréats, avec la part des lauréats qui les renseignent</caption>'
            '<thead><tr><th scope="col">Montant</th><th scope="col" class="nombre">Total</th>'
            f'<th scope="col" class="nombre">Lauréats renseignés</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
    return "".join(out)


def section_laureats(laur: c.Laureats | c.NonDisponible) -> str:
    out = [f'<section id="laureats" aria-labelledby="laureats-titre"><h2 id="laureats-titre">{e(SECTIONS[5][1])}</h2>']
    if isinstance(laur, c.NonDisponible):
        out.append(non_disponible(laur.raison))
        return "".join(out) + "</section>"
    if laur.total is not None:
        annee = f" (données {laur.annee})" if laur.annee else ""
        out.append(
            f'<p><strong data-code="nb_laureats_relance">{e(pluriel(int(laur.total), "projet lauréat", "projets lauréats"))}</strong> '
            f"des mesures industrielles de France Relance localisés dans le territoire{e(annee)}.</p>"
        )
    if len(laur.blocs) > 1:
        out.append(
            '<p class="note">Deux sources, jamais additionnées : le fichier public du plan de relance (toutes les mesures '
            "industrielles, sans montants) et l'extrait du programme pour le fonds Territoires d'industrie (avec aide, "
            "investissement et emplois) ; un projet du fonds figure dans les deux.</p>"
        )
    elif laur.blocs and laur.blocs[0].source_laureat == c.PROJETS_FUSIONNES:
        out.append(
            '<p class="note">Projets du fichier public du plan de relance (toutes les mesures industrielles) et de l\'extrait '
            "du programme pour le fonds Territoires d'industrie, un projet présent dans les deux comptant une fois. "
            "Seul l'extrait du fonds porte l'aide, l'investissement et les emplois : la couverture dit pour quelle part "
            "des projets ils sont connus.</p>"
        )
    # a single block whose count is the one just stated needs no heading of its own
    seul = len(laur.blocs) == 1 and laur.total is not None and laur.blocs[0].total == int(laur.total)
    for i, bloc in enumerate(laur.blocs):
        out.append(bloc_laureats(i, bloc, entete=not seul))
    if laur.liste:
        rows = "".join(
            f'<tr><th scope="row">{e(l.entreprise)}</th><td>{e(l.mesure or NA)}</td><td>{e(l.filiere or NA)}</td>'
            f'<td>{e(l.commune or NA)}</td><td class="nombre">{e(format_euros(l.investissement))}</td>'
            f'<td class="nombre">{e(format_euros(l.aide))}</td><td class="nombre">{e(format_nombre(l.emplois))}</td>'
            f"<td>{e(c.SOURCES_COURTES.get(l.source_laureat, l.source_laureat))}</td></tr>"
            for l in laur.liste
        )
        out.append(
            f"<details><summary>Les {e(pluriel(len(laur.liste), 'projet lauréat', 'projets lauréats'))} du territoire</summary>"
            '<div class="defilement" tabindex="0" role="region" aria-label="Lauréats du territoire"><table><caption>Lauréats du territoire (mart_laureats)</caption>'
            '<thead><tr><th scope="col">Entreprise</th><th scope="col">Mesure</th><th scope="col">Filière</th><th scope="col">Commune</th>'
            '<th scope="col" class="nombre">Investissement</th><th scope="col" class="nombre">Aide</th><th scope="col" class="nombre">Emplois</th>'
            f'<th scope="col">Source</th></tr></thead><tbody>{rows}</tbody></table></div></details>'
        )
    for note in laur.notes:
        out.append(non_disponible(note))
    return "".join(out) + "</section>"
