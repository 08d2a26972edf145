"""The top of a portrait: its header, the key figures, the table of contents and the identity section
(région, départements, groupements, communes). Content from ``content.identity``.
"""

from __future__ import annotations


from ti_pipeline.portraits import content as c
from ti_pipeline.portraits.formats import (
    NA,
    format_nombre,
    format_valeur,
    pluriel,
)
from ti_pipeline.portraits.render.page import (
    SECTIONS,
    e,
    ea,
    non_disponible,
    valeur_ligne,
)

# The cards at the top of a portrait: what a reader looks for first, when the marts have it.
CHIFFRES_CLES = (
    "population",
    "emplois_lt",
    "part_emploi_industriel",
    "postes_salaries_industrie",
    "evol_emploi_ind_prive_10a",
    "nb_laureats_relance",
)


def entete_portrait(ident: c.Identite, lignes: dict[str, c.LigneIndicateur]) -> str:
    region = ident.libelle_region or ident.code_region or "région non renseignée"
    sous_titre = [e(region), pluriel(len(ident.communes), "commune"), pluriel(len(ident.groupements), "groupement")]
    return (
        '<p class="surtitre"><a href="index.html">Tous les territoires</a> · Territoires d\'industrie · '
        f"portrait du territoire {e(ident.id_ti)}</p>"
        f"<h1>{e(ident.lib_ti)}</h1>"
        f'<p class="sous-titre">{" · ".join(sous_titre)}</p>'
    )


def chiffres_cles(lignes: dict[str, c.LigneIndicateur]) -> str:
    cartes = []
    for code in CHIFFRES_CLES:
        l = lignes.get(code)
        if l is None or not l.disponible or l.valeurs.get("territoire") is None:
            continue
        valeur = valeur_ligne(l, "territoire")
        comparaison = f"{l.annee_base}–{l.annee}" if l.annee_base is not None else f"en {l.annee}"
        if l.unite not in (None, "nombre", "EUR") and l.valeurs.get("france") is not None:
            comparaison += f" · France : {valeur_ligne(l, 'france')}"
        cartes.append(
            f'<li class="chiffre" data-code="{ea(code)}"><p class="libelle">{e(l.libelle)}</p>'
            f'<p class="valeur">{e(valeur)}</p><p class="comparaison">{e(comparaison)}</p></li>'
        )
    if not cartes:
        return ""
    return f'<ul class="chiffres-cles" aria-label="Chiffres clés">{"".join(cartes)}</ul>'


def sommaire() -> str:
    items = "".join(f'<li><a href="#{k}">{e(t)}</a></li>' for k, t in SECTIONS)
    return f'<nav class="sommaire" aria-label="Sommaire"><ul>{items}</ul></nav>'


def section_identite(ident: c.Identite, lignes: dict[str, c.LigneIndicateur], carte: str = "") -> str:
    """``carte``: the map's markup (``render.map``), shown after the groupements."""
    out = [f'<section id="identite" aria-labelledby="identite-titre"><h2 id="identite-titre">{e(SECTIONS[0][1])}</h2>']
    region = ident.libelle_region or NA
    if ident.code_region:
        region += f" ({ident.code_region})"
    dl = [("Région de référence", e(region) + ' <span class="note">(celle qui porte la plus grande part de la population)</span>')]
    autres = [r for r in ident.codes_regions if r != ident.code_region]
    if autres:
        dl.append(("Autres régions touchées", e(", ".join(ident.nom_region(r) for r in autres))))
    dl.append(("Départements", e(", ".join(f"{d} ({pluriel(n, 'commune')})" for d, n in ident.departements)) or NA))
    pop = lignes.get("population")
    if pop is not None and pop.disponible:
        dl.append(("Population", f'<span data-code="population">{e(format_valeur(pop.valeurs.get("territoire"), pop.unite))}</span> habitants ({e(pop.annee)})'))
    cog = f" (COG {ident.annee_cog})" if ident.annee_cog else ""
    dl.append(("Communes", e(f"{len(ident.communes)}{cog}")))
    dl.append(("Groupements", e(str(len(ident.groupements)))))
    out.append('<dl class="identite">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in dl) + "</dl>")

    out.append("<h3>Groupements</h3>")
    if ident.groupements:
        avec_pop = any(g.population is not None for g in ident.groupements)
        rows = "".join(
            f'<tr><th scope="row">{e(g.libelle)}</th><td>{e(g.nature_libelle or NA)}</td><td>{e(g.siren or NA)}</td>'
            f'<td class="nombre">{e(g.nb_communes)}</td>'
            + (f'<td class="nombre">{e(format_nombre(g.population))}</td>' if avec_pop else "")
            + "</tr>"
            for g in ident.groupements
        )
        out.append(
            '<div class="defilement"><table><caption>Groupements (EPCI ou communes) par lesquels les communes entrent dans le territoire</caption>'
            '<thead><tr><th scope="col">Groupement</th><th scope="col">Nature</th><th scope="col">SIREN</th>'
            '<th scope="col" class="nombre">Communes</th>'
            + ('<th scope="col" class="nombre">Population</th>' if avec_pop else "")
            + f"</tr></thead><tbody>{rows}</tbody></table></div>"
        )
    else:
        out.append(non_disponible("mart_ti_composition ne nomme pas les groupements de ce territoire"))

    out.append(f'<h3 id="carte">Carte</h3>{carte}')
    out.append("<h3>Communes</h3>")
    rows = []
    for com in ident.communes:
        remarques = []
        if com.codes_liste and com.codes_liste != com.code:
            remarques.append(f"codes de la liste TI : {com.codes_liste}")
        if com.autres_territoires:
            remarques.append("aussi dans " + " ; ".join(com.autres_territoires))
        rows.append(
            f'<tr><td>{e(com.code)}</td><th scope="row">{e(com.libelle)}</th><td>{e(com.departement or NA)}</td>'
            f"<td>{e(com.groupement or NA)}</td><td>{e(' ; '.join(remarques))}</td></tr>"
        )
    out.append(
        f"<details><summary>Les {pluriel(len(ident.communes), 'commune')} du territoire</summary>"
        '<div class="defilement" tabindex="0" role="region" aria-label="Communes du territoire"><table>'
        f"<caption>Communes du territoire{e(cog)}</caption>"
        '<thead><tr><th scope="col">Code</th><th scope="col">Commune</th><th scope="col">Département</th>'
        f'<th scope="col">Groupement</th><th scope="col">Remarque</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div></details>'
    )
    out.append("</section>")
    return "".join(out)
